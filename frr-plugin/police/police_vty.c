// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The `policer NAME` node of the `ebpf` block: the meter (`srtcm` or
 * `trtcm`), an action per colour, the attach points (`apply ...`), and
 * how it reads back.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/northbound_cli.h"
#include "lib/prefix.h"
#include "lib/vty.h"

#include "core/dp_nbutil.h"
#include "core/dp_nodes.h"
#include "core/dp_vty_input.h"
#include "police/police.h"
#ifndef VTYSH_EXTRACT_PL
#include "police/police_vty_clippy.c"
#endif

static struct cmd_node police_node = {
	.name = "policer",
	.node = EBPF_POLICER_NODE,
	.parent_node = EBPF_NODE,
	.prompt = "%s(config-ebpf-policer)# ",
};

const char *police_action_name(uint8_t action)
{
	switch (action) {
	case DP_POLICE_DROP:
		return "drop";
	case DP_POLICE_SET_DSCP:
		return "set-dscp";
	default:
		return "transmit";
	}
}

/* ------------------------------------------------------ policer NAME */

/* vtysh enters the node with its own DEFUNSH (vtysh/), hence NOSH. */
DEFPY_YANG_NOSH(police_enter, police_enter_cmd,
		"policer NAME$name",
		"A policer: token-bucket meter (RFC 2697/2698), actions, attach points\n"
		"Name of the policer\n")
{
	return dp_vty_enter_entry(vty, "policer", POLICE_XPATH, name,
				  EBPF_POLICER_NODE);
}

DEFPY_YANG(no_police, no_police_cmd,
	   "no policer NAME$name",
	   NO_STR
	   "A policer, detached from everything it applies to\n"
	   "Name of the policer\n")
{
	return dp_vty_remove_entry(vty, "policer", POLICE_XPATH, name);
}

/* ------------------------------------------------------------- meters */

#define POLICE_METER_TAIL_HELP                                                 \
	"The packet's DSCP pre-colours it (AFx2 yellow, AFx3 red)\n"

DEFPY_YANG(police_srtcm, police_srtcm_cmd,
	   "srtcm cir (8-400000000)$cir cbs (1-4294967295)$cbs ebs (0-4294967295)$ebs [color-aware$aware]",
	   "Single-rate three-colour marker (RFC 2697)\n"
	   "Committed information rate\n"
	   "kbit/s (8 kbit/s to 400 Gbit/s)\n"
	   "Committed burst size\n"
	   "Bytes\n"
	   "Excess burst size\n"
	   "Bytes (0: two colours only)\n"
	   POLICE_METER_TAIL_HELP)
{
	nb_cli_enqueue_change(vty, "./trtcm", NB_OP_DESTROY, NULL);
	nb_cli_enqueue_change(vty, "./srtcm", NB_OP_CREATE, NULL);
	nb_cli_enqueue_change(vty, "./srtcm/cir", NB_OP_MODIFY, cir_str);
	nb_cli_enqueue_change(vty, "./srtcm/cbs", NB_OP_MODIFY, cbs_str);
	nb_cli_enqueue_change(vty, "./srtcm/ebs", NB_OP_MODIFY, ebs_str);
	nb_cli_enqueue_change(vty, "./color-aware",
			      aware ? NB_OP_CREATE : NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(police_trtcm, police_trtcm_cmd,
	   "trtcm cir (8-400000000)$cir cbs (1-4294967295)$cbs pir (8-400000000)$pir pbs (1-4294967295)$pbs [color-aware$aware]",
	   "Two-rate three-colour marker (RFC 2698)\n"
	   "Committed information rate\n"
	   "kbit/s (8 kbit/s to 400 Gbit/s)\n"
	   "Committed burst size\n"
	   "Bytes\n"
	   "Peak information rate\n"
	   "kbit/s, at least the committed rate\n"
	   "Peak burst size\n"
	   "Bytes\n"
	   POLICE_METER_TAIL_HELP)
{
	if (pir < cir) {
		vty_out(vty,
			"%% The peak rate (pir %ld) must be at least the committed rate (cir %ld) (RFC 2698)\n",
			pir, cir);
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, "./srtcm", NB_OP_DESTROY, NULL);
	nb_cli_enqueue_change(vty, "./trtcm", NB_OP_CREATE, NULL);
	nb_cli_enqueue_change(vty, "./trtcm/cir", NB_OP_MODIFY, cir_str);
	nb_cli_enqueue_change(vty, "./trtcm/cbs", NB_OP_MODIFY, cbs_str);
	nb_cli_enqueue_change(vty, "./trtcm/pir", NB_OP_MODIFY, pir_str);
	nb_cli_enqueue_change(vty, "./trtcm/pbs", NB_OP_MODIFY, pbs_str);
	nb_cli_enqueue_change(vty, "./color-aware",
			      aware ? NB_OP_CREATE : NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_police_meter, no_police_meter_cmd,
	   "no <srtcm|trtcm>$mode",
	   NO_STR
	   "Single-rate meter (the policer then meters nothing)\n"
	   "Two-rate meter (the policer then meters nothing)\n")
{
	char xpath[32];

	snprintf(xpath, sizeof(xpath), "./%s", mode);
	if (!yang_dnode_exists(vty->candidate_config->dnode,
			       VTY_CURR_XPATH) ||
	    !yang_dnode_existsf(vty->candidate_config->dnode, "%s/%s",
				VTY_CURR_XPATH, mode)) {
		vty_out(vty, "%% This policer has no %s meter\n", mode);
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	nb_cli_enqueue_change(vty, "./color-aware", NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/* ------------------------------------------------------------ actions */

static int police_vty_action(struct vty *vty, const char *which,
			     const char *action, const char *dscp)
{
	char leaf[64];

	snprintf(leaf, sizeof(leaf), "./%s/action", which);
	nb_cli_enqueue_change(vty, leaf, NB_OP_MODIFY, action);
	snprintf(leaf, sizeof(leaf), "./%s/dscp", which);
	if (dscp)
		nb_cli_enqueue_change(vty, leaf, NB_OP_MODIFY, dscp);
	else
		nb_cli_enqueue_change(vty, leaf, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

#define POLICE_ACTION_HELP                                                     \
	"Forward the packet\n"                                                 \
	"Drop the packet\n"                                                    \
	"Forward it with a new DSCP\n"                                         \
	"DSCP\n"

DEFPY_YANG(police_action, police_action_cmd,
	   "<conform-action|exceed-action|violate-action>$which <transmit$tx|drop$drop|set-dscp (0-63)$dscp>",
	   "Green packets (within the committed rate and burst)\n"
	   "Yellow packets (srTCM: within the excess burst; trTCM: within the peak rate)\n"
	   "Red packets\n"
	   POLICE_ACTION_HELP)
{
	return police_vty_action(vty, which,
				 tx ? "transmit" : drop ? "drop" : "set-dscp",
				 dscp_str);
}

DEFPY_YANG(no_police_action, no_police_action_cmd,
	   "no <conform-action|exceed-action|violate-action>$which [<transmit|drop|set-dscp (0-63)>]",
	   NO_STR
	   "Green packets: back to transmit\n"
	   "Yellow packets: back to drop\n"
	   "Red packets: back to drop\n"
	   POLICE_ACTION_HELP)
{
	return police_vty_action(
		vty, which,
		strmatch(which, "conform-action") ? "transmit" : "drop", NULL);
}

/* -------------------------------------------------------- attach points */

/* The attach point's xpath (relative to the policer) after checking what
 * it names; false (said) when it cannot be one. */
static bool police_vty_at_xpath(struct vty *vty, const char *kind,
				const char *name, char xpath[XPATH_MAXLEN])
{
	const char *why;
	char echo[DP_VTY_ECHO_SIZE];

	if (strmatch(kind, "interface")) {
		why = dp_vty_ifname_error(name);
		if (why) {
			vty_out(vty, "%% Invalid interface name \"%s\": %s. %s\n",
				dp_vty_echo(name, echo, sizeof(echo)), why,
				DP_IFNAME_RULE);
			return false;
		}
		snprintf(xpath, XPATH_MAXLEN, "./apply-interface[name='%s']",
			 name);
		return true;
	}
	why = dp_vty_name_error(name);
	if (why) {
		vty_out(vty, "%% Invalid VIP name \"%s\": %s. %s\n",
			dp_vty_echo(name, echo, sizeof(echo)), why,
			DP_NAME_RULE);
		return false;
	}
	snprintf(xpath, XPATH_MAXLEN, "./apply-vip[name='%s']", name);
	return true;
}

DEFPY_YANG(police_apply, police_apply_cmd,
	   "[no$no] apply <interface|vip>$kind WORD$name",
	   NO_STR
	   "Where the policer meters\n"
	   "All traffic received on an interface\n"
	   "Traffic to a load-balancer VIP\n"
	   "Interface or VIP name\n")
{
	char xpath[XPATH_MAXLEN];

	if (!police_vty_at_xpath(vty, kind, name, xpath))
		return CMD_WARNING_CONFIG_FAILED;
	if (no && !yang_dnode_existsf(vty->candidate_config->dnode, "%s/%s",
				      VTY_CURR_XPATH, xpath + 2)) {
		vty_out(vty, "%% This policer is not applied to %s %s\n", kind,
			name);
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, xpath, no ? NB_OP_DESTROY : NB_OP_CREATE,
			      NULL);
	return nb_cli_apply_changes(vty, NULL);
}

#define POLICE_MATCH_HELP                                                      \
	"Where the policer meters\n"                                           \
	"Traffic matching a prefix\n"                                          \
	"The source address\n"                                                 \
	"The destination address\n"                                            \
	"IPv4 prefix\n"                                                        \
	"IPv6 prefix\n"                                                        \
	"Only one IP protocol\n"                                               \
	"TCP\n"                                                                \
	"UDP\n"                                                                \
	"ICMP (IPv4)\n"                                                        \
	"ICMPv6\n"                                                             \
	"Protocol number\n"                                                    \
	"Only one destination port (tcp or udp)\n"                             \
	"Port\n"

DEFPY_YANG(police_match, police_match_cmd,
	   "[no$no] apply match <source|destination>$dir <A.B.C.D/M|X:X::X:X/M>$prefix [protocol <tcp$tcp|udp$udp|icmp$icmp|icmpv6$icmp6|(1-255)$pnum> [port (1-65535)$port]]",
	   NO_STR
	   POLICE_MATCH_HELP)
{
	char xpath[XPATH_MAXLEN], leaf[XPATH_MAXLEN + 16], pbuf[PREFIX_STRLEN];
	char num[8];
	struct prefix p = *prefix;
	long proto = tcp ? IPPROTO_TCP : udp ? IPPROTO_UDP
		   : icmp ? IPPROTO_ICMP : icmp6 ? IPPROTO_ICMPV6 : pnum;

	apply_mask(&p);
	prefix2str(&p, pbuf, sizeof(pbuf));
	snprintf(xpath, sizeof(xpath),
		 "./apply-match[direction='%s'][prefix='%s']", dir, pbuf);
	if (no) {
		if (!yang_dnode_existsf(vty->candidate_config->dnode, "%s/%s",
					VTY_CURR_XPATH, xpath + 2)) {
			vty_out(vty,
				"%% This policer has no match on %s %s\n", dir,
				pbuf);
			return CMD_WARNING_CONFIG_FAILED;
		}
		nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
		return nb_cli_apply_changes(vty, NULL);
	}
	if (port_str && proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		vty_out(vty, "%% A port needs protocol tcp or udp\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	if ((proto == IPPROTO_ICMP && p.family != AF_INET) ||
	    (proto == IPPROTO_ICMPV6 && p.family != AF_INET6)) {
		vty_out(vty,
			"%% Protocol %s is not of the prefix's address family: use %s\n",
			icmp ? "icmp" : "icmpv6", icmp ? "icmpv6" : "icmp");
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
	snprintf(leaf, sizeof(leaf), "%s/protocol", xpath);
	snprintf(num, sizeof(num), "%ld", proto);
	nb_cli_enqueue_change(vty, leaf, proto ? NB_OP_MODIFY : NB_OP_DESTROY,
			      proto ? num : NULL);
	snprintf(leaf, sizeof(leaf), "%s/port", xpath);
	nb_cli_enqueue_change(vty, leaf,
			      port_str ? NB_OP_MODIFY : NB_OP_DESTROY,
			      port_str);
	return nb_cli_apply_changes(vty, NULL);
}

/* ---------------------------------------------------- running-config */

static void police_show_action(struct vty *vty, const struct lyd_node *dnode,
			       const char *which, const char *dflt,
			       bool show_defaults)
{
	const char *a = yang_dnode_get_string(dnode, "./%s/action", which);

	if (!show_defaults && strmatch(a, dflt))
		return;
	vty_out(vty, "  %s %s", which, a);
	if (yang_dnode_existsf(dnode, "./%s/dscp", which))
		vty_out(vty, " %u",
			yang_dnode_get_uint8(dnode, "./%s/dscp", which));
	vty_out(vty, "\n");
}

static int police_show_at_cb(const struct lyd_node *dnode, void *arg)
{
	struct vty *vty = arg;
	char buf[8];

	if (!yang_dnode_exists(dnode, "./direction")) {
		vty_out(vty, "  apply %s %s\n",
			strmatch(dnode->schema->name, "apply-vip") ? "vip"
								   : "interface",
			yang_dnode_get_string(dnode, "./name"));
		return YANG_ITER_CONTINUE;
	}
	vty_out(vty, "  apply match %s %s",
		yang_dnode_get_string(dnode, "./direction"),
		yang_dnode_get_string(dnode, "./prefix"));
	if (yang_dnode_exists(dnode, "./protocol"))
		vty_out(vty, " protocol %s",
			dp_proto_name(yang_dnode_get_uint8(dnode,
							       "./protocol"),
					  buf, sizeof(buf)));
	if (yang_dnode_exists(dnode, "./port"))
		vty_out(vty, " port %u",
			yang_dnode_get_uint16(dnode, "./port"));
	vty_out(vty, "\n");
	return YANG_ITER_CONTINUE;
}

void police_cli_show(struct vty *vty, const struct lyd_node *dnode,
		     bool show_defaults)
{
	bool aware = yang_dnode_exists(dnode, "./color-aware");

	vty_out(vty, " policer %s\n", yang_dnode_get_string(dnode, "./name"));
	if (yang_dnode_exists(dnode, "./srtcm"))
		vty_out(vty, "  srtcm cir %s cbs %s ebs %s%s\n",
			yang_dnode_get_string(dnode, "./srtcm/cir"),
			yang_dnode_get_string(dnode, "./srtcm/cbs"),
			yang_dnode_get_string(dnode, "./srtcm/ebs"),
			aware ? " color-aware" : "");
	else if (yang_dnode_exists(dnode, "./trtcm"))
		vty_out(vty, "  trtcm cir %s cbs %s pir %s pbs %s%s\n",
			yang_dnode_get_string(dnode, "./trtcm/cir"),
			yang_dnode_get_string(dnode, "./trtcm/cbs"),
			yang_dnode_get_string(dnode, "./trtcm/pir"),
			yang_dnode_get_string(dnode, "./trtcm/pbs"),
			aware ? " color-aware" : "");
	police_show_action(vty, dnode, "conform-action", "transmit",
			   show_defaults);
	police_show_action(vty, dnode, "exceed-action", "drop", show_defaults);
	police_show_action(vty, dnode, "violate-action", "drop",
			   show_defaults);
	yang_dnode_iterate(police_show_at_cb, vty, dnode, "./apply-interface");
	yang_dnode_iterate(police_show_at_cb, vty, dnode, "./apply-vip");
	yang_dnode_iterate(police_show_at_cb, vty, dnode, "./apply-match");
}

void police_cli_show_end(struct vty *vty, const struct lyd_node *dnode)
{
	vty_out(vty, " exit\n");
}

int police_cli_cmp(const struct lyd_node *a, const struct lyd_node *b)
{
	return strcmp(yang_dnode_get_string(a, "./name"),
		      yang_dnode_get_string(b, "./name"));
}

/* ------------------------------------------------------------------ init */

void police_vty_init(void)
{
	install_node(&police_node);
	install_default(EBPF_POLICER_NODE);
	install_element(EBPF_NODE, &police_enter_cmd);
	install_element(EBPF_NODE, &no_police_cmd);
	install_element(EBPF_POLICER_NODE, &police_srtcm_cmd);
	install_element(EBPF_POLICER_NODE, &police_trtcm_cmd);
	install_element(EBPF_POLICER_NODE, &no_police_meter_cmd);
	install_element(EBPF_POLICER_NODE, &police_action_cmd);
	install_element(EBPF_POLICER_NODE, &no_police_action_cmd);
	install_element(EBPF_POLICER_NODE, &police_apply_cmd);
	install_element(EBPF_POLICER_NODE, &police_match_cmd);
}
