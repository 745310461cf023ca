/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `ebpf` configuration node: its commands edit the frr-zebra-ebpf YANG
 * model (dp_nb_config.c acts on it). dp_vty_init() installs it and every
 * other command of the plugin.
 */
#include <zebra.h>

#include "command.h"
#include "if.h"
#include "northbound_cli.h"
#include "vty.h"

#include "core/dp_vty_input.h"
#include "cli/dp_nb.h"
#include "cli/dp_show.h"
#include "cli/dp_vty.h"
#ifndef VTYSH_EXTRACT_PL
#include "cli/dp_vty_clippy.c"
#endif

/* ------------------------------------------------ configuration: `ebpf` */

static int dp_config_write(struct vty *vty);

static struct cmd_node ebpf_node = {
	.name = "ebpf",
	.node = EBPF_NODE,
	.parent_node = CONFIG_NODE,
	.prompt = "%s(config-ebpf)# ",
	.config_write = dp_config_write,
};

/*
 * An interface name from the command line, checked before it goes into an
 * XPath: a name libyang refuses would only get FRR's "% Failed to edit
 * configuration" (and a success status), one with a quote would break the
 * XPath itself.
 */
static bool dp_vty_ifname_ok(struct vty *vty, const char *name)
{
	const char *why = dp_vty_ifname_error(name);
	char echo[DP_VTY_ECHO_SIZE];

	if (!why)
		return true;
	vty_out(vty, "%% Invalid interface name \"%s\": %s. %s\n",
		dp_vty_echo(name, echo, sizeof(echo)), why, DP_IFNAME_RULE);
	return false;
}

/* The configured interfaces of a candidate, for messages: "a, b" or "none". */
struct dp_vty_names {
	char buf[256];
};

static int dp_vty_names_cb(const struct lyd_node *dnode, void *arg)
{
	struct dp_vty_names *names = arg;

	if (names->buf[0])
		strlcat(names->buf, ", ", sizeof(names->buf));
	strlcat(names->buf, yang_dnode_get_string(dnode, "./name"),
		sizeof(names->buf));
	return YANG_ITER_CONTINUE;
}

static const char *dp_vty_configured(const struct lyd_node *ebpf,
				     struct dp_vty_names *names)
{
	names->buf[0] = '\0';
	if (ebpf)
		yang_dnode_iterate(dp_vty_names_cb, names, ebpf, "./interface");
	if (!names->buf[0])
		strlcpy(names->buf, "none", sizeof(names->buf));
	return names->buf;
}

/* ------------------------------------------------ configuration: `ebpf` */

/* vtysh enters the node with its own DEFUNSH `ebpf` (vtysh/), hence NOSH. */
DEFPY_YANG_NOSH(ebpf_enter, ebpf_enter_cmd,
		"ebpf",
		EBPF_STR)
{
	int ret;

	nb_cli_enqueue_change(vty, DP_NB_XPATH_EBPF, NB_OP_CREATE, NULL);
	ret = nb_cli_apply_changes(vty, NULL);
	if (ret == CMD_SUCCESS)
		VTY_PUSH_XPATH(EBPF_NODE, DP_NB_XPATH_EBPF);
	return ret;
}

DEFPY_YANG(no_ebpf, no_ebpf_cmd,
	   "no ebpf",
	   NO_STR
	   EBPF_STR)
{
	/* libfrr ignores the deletion of what does not exist: say so, as
	 * for `no interface` of an unconfigured interface. */
	if (!yang_dnode_exists(vty->candidate_config->dnode,
			       DP_NB_XPATH_EBPF)) {
		vty_out(vty,
			"%% ebpf is not configured: there is no block to remove\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, DP_NB_XPATH_EBPF, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/*
 * `mode` takes any word: FRR's parser answers a word that is not a keyword
 * with a bare "% Unknown command", which does not say that the mode was
 * wrong. Keywords still win over WORD for xdp and tc (and their
 * abbreviations), so help and completion are as before.
 */
DEFPY_YANG(ebpf_interface, ebpf_interface_cmd,
	   "[no] interface IFNAME$ifname [mode <xdp|tc|WORD>$mode]",
	   NO_STR
	   "Run the datapath on an interface\n"
	   "Interface name\n"
	   "Attachment mode\n"
	   "Native XDP fast path with TC ingress behind it (default)\n"
	   "TC ingress only\n"
	   "Any other mode is refused with the valid ones\n")
{
	char xpath[XPATH_MAXLEN];
	char echo[DP_VTY_ECHO_SIZE];

	if (!dp_vty_ifname_ok(vty, ifname))
		return CMD_WARNING_CONFIG_FAILED;
	if (mode && !strmatch(mode, "xdp") && !strmatch(mode, "tc")) {
		vty_out(vty,
			"%% Unknown mode \"%s\": xdp (native XDP with TC ingress behind it, the default) or tc (TC ingress only)\n",
			dp_vty_echo(mode, echo, sizeof(echo)));
		return CMD_WARNING_CONFIG_FAILED;
	}

	snprintf(xpath, sizeof(xpath), "./interface[name='%s']", ifname);
	if (no) {
		struct dp_vty_names names;

		/* libfrr ignores the deletion of a missing list entry: a
		 * mistyped name would pass unnoticed. */
		if (!yang_dnode_existsf(vty->candidate_config->dnode,
					DP_NB_XPATH_INTERFACE "[name='%s']",
					ifname)) {
			vty_out(vty,
				"%% Interface %s is not configured under ebpf (configured: %s)\n",
				ifname,
				dp_vty_configured(
					yang_dnode_get(vty->candidate_config
							       ->dnode,
						       DP_NB_XPATH_EBPF),
					&names));
			return CMD_WARNING_CONFIG_FAILED;
		}
		nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	} else {
		nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
		/* No mode given: back to the default. */
		strlcat(xpath, "/mode", sizeof(xpath));
		nb_cli_enqueue_change(vty, xpath, NB_OP_MODIFY, mode);
	}
	return nb_cli_apply_changes(vty, NULL);
}

/*
 * `no ignore-ipsec-policies` when it is off changes nothing and says
 * nothing, as FRR's own leaves with a default (`no ip forwarding` when it
 * is off): it is also how a configuration shown with defaults reads back.
 */
DEFPY_YANG(ebpf_ignore_ipsec, ebpf_ignore_ipsec_cmd,
	   "[no] ignore-ipsec-policies",
	   NO_STR
	   "Forward in the datapath even while xfrm (IPsec) policies exist: traffic they would protect leaves unprotected\n")
{
	nb_cli_enqueue_change(vty, "./ignore-ipsec-policies", NB_OP_MODIFY,
			      no ? "false" : "true");
	return nb_cli_apply_changes(vty, NULL);
}

void dp_cli_show_ignore_ipsec(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults)
{
	if (yang_dnode_get_bool(dnode, NULL))
		vty_out(vty, " ignore-ipsec-policies\n");
	else if (show_defaults)
		vty_out(vty, " no ignore-ipsec-policies\n");
}

static int dp_config_write(struct vty *vty)
{
	const struct lyd_node *dnode;

	dnode = yang_dnode_get(running_config->dnode, DP_NB_XPATH_EBPF);
	if (!dnode)
		return 0;
	nb_cli_show_dnode_cmds(vty, dnode, false);
	return 1;
}

void dp_cli_show_ebpf(struct vty *vty, const struct lyd_node *dnode,
		      bool show_defaults)
{
	vty_out(vty, "ebpf\n");
}

void dp_cli_show_ebpf_end(struct vty *vty, const struct lyd_node *dnode)
{
	vty_out(vty, "exit\n");
}

void dp_cli_show_interface(struct vty *vty, const struct lyd_node *dnode,
			   bool show_defaults)
{
	const char *mode = yang_dnode_get_string(dnode, "./mode");

	vty_out(vty, " interface %s", yang_dnode_get_string(dnode, "./name"));
	if (show_defaults ||
	    !strmatch(mode,
		      yang_get_default_string(DP_NB_XPATH_INTERFACE "/mode")))
		vty_out(vty, " mode %s", mode);
	vty_out(vty, "\n");
}

int dp_cli_cmp_interface(const struct lyd_node *dnode1,
			 const struct lyd_node *dnode2)
{
	return if_cmp_name_func(yang_dnode_get_string(dnode1, "./name"),
				yang_dnode_get_string(dnode2, "./name"));
}

/* ------------------------------------------------------------------ init */

void dp_vty_init(void)
{
	install_node(&ebpf_node);
	install_default(EBPF_NODE);
	install_element(CONFIG_NODE, &ebpf_enter_cmd);
	install_element(CONFIG_NODE, &no_ebpf_cmd);
	install_element(EBPF_NODE, &ebpf_interface_cmd);
	install_element(EBPF_NODE, &ebpf_ignore_ipsec_cmd);

	dp_show_init();
	dp_show_fib_init();
	dp_debug_init();
}
