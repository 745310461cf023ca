// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The `nat` node of the `ebpf` block: `source PREFIX out-interface IFNAME
 * <masquerade|pool FIRST LAST>`, how it reads back, and `show ebpf nat`.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/northbound_cli.h"
#include "lib/prefix.h"
#include "lib/sockunion.h"
#include "lib/vty.h"

#include "core/dp_nbutil.h"
#include "core/dp_nodes.h"
#include "core/dp_vty_input.h"
#include "maps/dp_mapdump.h"
#include "maps/dp_maps.h"
#include "ct/ct.h"
#include "nat/nat.h"
#ifndef VTYSH_EXTRACT_PL
#include "nat/nat_vty_clippy.c"
#endif

static struct cmd_node nat_node = {
	.name = "nat",
	.node = EBPF_NAT_NODE,
	.parent_node = EBPF_NODE,
	.prompt = "%s(config-ebpf-nat)# ",
};

/* vtysh enters the node with its own DEFUNSH (vtysh/), hence NOSH. */
DEFPY_YANG_NOSH(nat_enter, nat_enter_cmd,
		"nat",
		"Source NAT of the traffic the datapath forwards\n")
{
	VTY_PUSH_XPATH(EBPF_NAT_NODE, NAT_XPATH);
	return CMD_SUCCESS;
}

DEFPY_YANG(no_nat, no_nat_cmd,
	   "no nat",
	   NO_STR
	   "Source NAT: every rule\n")
{
	nb_cli_enqueue_change(vty, NAT_XPATH, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/* The rules of a candidate, for messages: "p via if, ..." or "none". */
static int nat_vty_names_cb(const struct lyd_node *dnode, void *arg)
{
	char *buf = arg;

	if (buf[0])
		strlcat(buf, ", ", 256);
	strlcat(buf, yang_dnode_get_string(dnode, "./prefix"), 256);
	strlcat(buf, " out-interface ", 256);
	strlcat(buf, yang_dnode_get_string(dnode, "./out-interface"), 256);
	return YANG_ITER_CONTINUE;
}

/*
 * The rule's xpath for prefix (masked: 10.1.2.3/8 is 10.0.0.0/8) and
 * ifname, after checking the name; false when the name is refused.
 */
static bool nat_vty_rule_xpath(struct vty *vty, const struct prefix *prefix,
			       const char *ifname, char *pbuf,
			       char xpath[XPATH_MAXLEN])
{
	const char *why = dp_vty_ifname_error(ifname);
	char echo[DP_VTY_ECHO_SIZE];
	struct prefix p = *prefix;

	if (why) {
		vty_out(vty, "%% Invalid interface name \"%s\": %s. %s\n",
			dp_vty_echo(ifname, echo, sizeof(echo)), why,
			DP_IFNAME_RULE);
		return false;
	}
	apply_mask(&p);
	prefix2str(&p, pbuf, PREFIX_STRLEN);
	snprintf(xpath, XPATH_MAXLEN,
		 NAT_XPATH_SOURCE "[prefix='%s'][out-interface='%s']", pbuf,
		 ifname);
	return true;
}

/* A pool's addresses as the configuration keeps them, after checking
 * them; false (with a message) when they cannot be a pool of family. */
static bool nat_vty_pool(struct vty *vty, int family,
			 const union sockunion *first, const char *first_str,
			 const union sockunion *last, const char *last_str,
			 char *fbuf, char *lbuf)
{
	const char *w1 = dp_vty_unicast_error(first);
	const char *w2 = dp_vty_unicast_error(last);
	uint32_t addrs[DP_NAT_POOL_MAX][4];
	uint8_t f[16] = {}, l[16] = {};
	char err[160];
	uint16_t n;

	if (w1 || w2) {
		vty_out(vty,
			"%% Invalid pool address %s: %s. Give unicast addresses\n",
			w1 ? first_str : last_str, w1 ? w1 : w2);
		return false;
	}
	if (sockunion_family(first) != family ||
	    sockunion_family(last) != family) {
		vty_out(vty,
			"%% A pool must be of the source prefix's address family (%s)\n",
			family == AF_INET ? "IPv4" : "IPv6");
		return false;
	}
	memcpy(f, sockunion_get_addr(first), sockunion_get_addrlen(first));
	memcpy(l, sockunion_get_addr(last), sockunion_get_addrlen(last));
	if (nat_pool_expand(family, f, l, addrs, &n, err, sizeof(err))) {
		vty_out(vty, "%% Invalid %s\n", err);
		return false;
	}
	sockunion2str(first, fbuf, INET6_ADDRSTRLEN);
	sockunion2str(last, lbuf, INET6_ADDRSTRLEN);
	return true;
}

#define NAT_SOURCE_HELP                                                        \
	"Translate the source of flows from a prefix\n"                        \
	"IPv4 source prefix\n"                                                 \
	"IPv6 source prefix\n"                                                 \
	"Only flows routed out of this interface\n"                            \
	"Interface name\n"                                                     \
	"The interface's own (first) address of the family\n"                  \
	"An address range (at most 8 addresses)\n"                             \
	"First IPv4 address\n"                                                 \
	"First IPv6 address\n"                                                 \
	"Last IPv4 address\n"                                                  \
	"Last IPv6 address\n"

DEFPY_YANG(nat_source, nat_source_cmd,
	   "source <A.B.C.D/M|X:X::X:X/M>$prefix out-interface IFNAME$ifname <masquerade$masq|pool <A.B.C.D|X:X::X:X>$first <A.B.C.D|X:X::X:X>$last>",
	   NAT_SOURCE_HELP)
{
	char xpath[XPATH_MAXLEN], leaf[XPATH_MAXLEN + 16], pbuf[PREFIX_STRLEN];
	char fbuf[INET6_ADDRSTRLEN], lbuf[INET6_ADDRSTRLEN];

	if (!nat_vty_rule_xpath(vty, prefix, ifname, pbuf, xpath))
		return CMD_WARNING_CONFIG_FAILED;
	if (!masq && !nat_vty_pool(vty, prefix->family, first, first_str,
				   last, last_str, fbuf, lbuf))
		return CMD_WARNING_CONFIG_FAILED;
	nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
	/* one translation: the other goes */
	snprintf(leaf, sizeof(leaf), "%s/%s", xpath,
		 masq ? "pool" : "masquerade");
	nb_cli_enqueue_change(vty, leaf, NB_OP_DESTROY, NULL);
	if (masq) {
		snprintf(leaf, sizeof(leaf), "%s/masquerade", xpath);
		nb_cli_enqueue_change(vty, leaf, NB_OP_CREATE, NULL);
	} else {
		snprintf(leaf, sizeof(leaf), "%s/pool/first", xpath);
		nb_cli_enqueue_change(vty, leaf, NB_OP_MODIFY, fbuf);
		snprintf(leaf, sizeof(leaf), "%s/pool/last", xpath);
		nb_cli_enqueue_change(vty, leaf, NB_OP_MODIFY, lbuf);
	}
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_nat_source, no_nat_source_cmd,
	   "no source <A.B.C.D/M|X:X::X:X/M>$prefix out-interface IFNAME$ifname [<masquerade|pool <A.B.C.D|X:X::X:X> <A.B.C.D|X:X::X:X>>]",
	   NO_STR
	   NAT_SOURCE_HELP)
{
	char xpath[XPATH_MAXLEN], pbuf[PREFIX_STRLEN], rules[256] = "";
	const struct lyd_node *nat;

	if (!nat_vty_rule_xpath(vty, prefix, ifname, pbuf, xpath))
		return CMD_WARNING_CONFIG_FAILED;
	if (!yang_dnode_exists(vty->candidate_config->dnode, xpath)) {
		nat = yang_dnode_get(vty->candidate_config->dnode, NAT_XPATH);
		if (nat)
			yang_dnode_iterate(nat_vty_names_cb, rules, nat,
					   "./source");
		vty_out(vty,
			"%% No rule for source %s out-interface %s (configured: %s)\n",
			pbuf, ifname, rules[0] ? rules : "none");
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/* ---------------------------------------------------- running-config */

void nat_cli_show_source(struct vty *vty, const struct lyd_node *dnode,
			 bool show_defaults)
{
	vty_out(vty, "  source %s out-interface %s",
		yang_dnode_get_string(dnode, "./prefix"),
		yang_dnode_get_string(dnode, "./out-interface"));
	if (yang_dnode_exists(dnode, "./masquerade"))
		vty_out(vty, " masquerade\n");
	else
		vty_out(vty, " pool %s %s\n",
			yang_dnode_get_string(dnode, "./pool/first"),
			yang_dnode_get_string(dnode, "./pool/last"));
}

int nat_cli_cmp_source(const struct lyd_node *a, const struct lyd_node *b)
{
	struct nat_rule_spec sa, sb;
	int c;

	nat_spec_of(a, &sa);
	nat_spec_of(b, &sb);
	c = prefix_cmp(&sa.prefix, &sb.prefix);
	return c ? c : strcmp(sa.ifname, sb.ifname);
}

/* --------------------------------------------------------- show ebpf nat */

struct nat_show_rule {
	struct nat_rule_spec spec;
	struct nat_rule_status st;
	bool known;
	uint64_t flows;
};

struct nat_show_ctx {
	struct nat_show_rule *rules;
	uint32_t n;
};

static int nat_show_collect_cb(const struct lyd_node *dnode, void *arg)
{
	struct nat_show_ctx *ctx = arg;
	struct nat_show_rule *r = &ctx->rules[ctx->n++];

	nat_spec_of(dnode, &r->spec);
	r->known = nat_owner_status(&r->spec.prefix, r->spec.ifname, &r->st);
	return YANG_ITER_CONTINUE;
}

/* A source NAT flow counts for the rule whose prefix holds its source
 * and whose interface it leaves by (one of its addresses). */
static bool nat_show_flow_cb(const struct dp_ct_key *k,
			     const struct dp_ct_val *v, void *arg)
{
	struct nat_show_ctx *ctx = arg;
	struct prefix src = {.family = k->family,
			     .prefixlen = k->family == AF_INET ? 32 : 128};

	if (!(v->flags & DP_CT_F_SNAT) || (v->flags & DP_CT_F_REPLY))
		return true;
	memcpy(&src.u.prefix, k->saddr, k->family == AF_INET ? 4 : 16);
	for (uint32_t i = 0; i < ctx->n; i++) {
		struct nat_show_rule *r = &ctx->rules[i];

		if (!r->st.installed || !prefix_match(&r->spec.prefix, &src))
			continue;
		for (uint16_t a = 0; a < r->st.val.n_addrs; a++)
			if (!memcmp(r->st.val.addrs[a], v->nat_saddr, 16)) {
				r->flows++;
				return true;
			}
	}
	return true;
}

static void nat_show_rule(struct vty *vty, json_object *json,
			  const struct nat_show_rule *r)
{
	char pbuf[PREFIX_STRLEN], key[PREFIX_STRLEN + 32];
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	uint8_t family = r->spec.prefix.family;
	json_object *j = NULL, *jaddrs = NULL;

	prefix2str(&r->spec.prefix, pbuf, sizeof(pbuf));
	if (json) {
		j = json_object_new_object();
		jaddrs = json_object_new_array();
		json_object_string_add(j, "prefix", pbuf);
		json_object_string_add(j, "outInterface", r->spec.ifname);
		json_object_int_add(j, "outIfindex", r->st.ifindex);
		json_object_string_add(j, "translation",
				       r->spec.masquerade ? "masquerade"
							  : "pool");
		if (!r->spec.masquerade) {
			json_object_string_add(
				j, "poolFirst",
				inet_ntop(family, r->spec.first, a, sizeof(a)));
			json_object_string_add(
				j, "poolLast",
				inet_ntop(family, r->spec.last, b, sizeof(b)));
		}
		json_object_boolean_add(j, "installed", r->st.installed);
		if (!r->known)
			json_object_string_add(j, "notInstalled",
					       "not applied yet");
		else if (r->st.why[0])
			json_object_string_add(j, "notInstalled", r->st.why);
	} else {
		vty_out(vty, "Source %s out-interface %s (ifindex %d): ", pbuf,
			r->spec.ifname, r->st.ifindex);
		if (r->spec.masquerade)
			vty_out(vty, "masquerade");
		else
			vty_out(vty, "pool %s - %s",
				inet_ntop(family, r->spec.first, a, sizeof(a)),
				inet_ntop(family, r->spec.last, b, sizeof(b)));
		vty_out(vty, "\n");
	}
	if (r->st.installed) {
		if (!json)
			vty_out(vty, "  Translated to");
		for (uint16_t i = 0; i < r->st.val.n_addrs; i++) {
			inet_ntop(family, r->st.val.addrs[i], a, sizeof(a));
			if (json)
				json_object_array_add(
					jaddrs, json_object_new_string(a));
			else
				vty_out(vty, " %s", a);
		}
		if (!json)
			vty_out(vty, ", ports %u-%u, %" PRIu64 " flows\n",
				r->st.val.port_min, r->st.val.port_max,
				r->flows);
	} else if (!json) {
		vty_out(vty, "  Not in the datapath: %s\n",
			r->known ? r->st.why : "not applied yet");
	}
	if (!json)
		return;
	json_object_object_add(j, "translatedAddresses", jaddrs);
	json_object_int_add(j, "portMin", r->st.val.port_min);
	json_object_int_add(j, "portMax", r->st.val.port_max);
	json_object_int_add(j, "flows", r->flows);
	snprintf(key, sizeof(key), "%s out-interface %s", pbuf,
		 r->spec.ifname);
	json_object_object_add(json, key, j);
}

DEFPY(show_ebpf_nat, show_ebpf_nat_cmd,
      "show ebpf nat [json$uj]",
      SHOW_STR
      EBPF_STR
      "Source NAT rules, their translated addresses and flows\n"
      JSON_STR)
{
	const struct lyd_node *nat;
	struct nat_show_ctx ctx = {};
	json_object *json = uj ? json_object_new_object() : NULL;
	uint32_t n = 0;

	if (!dp_maps_ready()) {
		json_object_free(json);
		return dp_show_not_loaded(vty, !!uj);
	}
	nat = yang_dnode_get(running_config->dnode, NAT_XPATH);
	if (nat)
		yang_dnode_iterate(dp_nb_count_cb, &n, nat, "./source");
	ctx.rules = XCALLOC(MTYPE_TMP, sizeof(*ctx.rules) * (n ? n : 1));
	if (nat)
		yang_dnode_iterate(nat_show_collect_cb, &ctx, nat, "./source");
	if (ctx.n)
		ct_walk(nat_show_flow_cb, &ctx);
	for (uint32_t i = 0; i < ctx.n; i++)
		nat_show_rule(vty, json, &ctx.rules[i]);
	XFREE(MTYPE_TMP, ctx.rules);
	if (json)
		return vty_json(vty, json);
	if (!ctx.n)
		vty_out(vty, "No source NAT rule configured\n");
	return CMD_SUCCESS;
}

/* ------------------------------------------------------------------ init */

void nat_vty_init(void)
{
	install_node(&nat_node);
	install_default(EBPF_NAT_NODE);
	install_element(EBPF_NODE, &nat_enter_cmd);
	install_element(EBPF_NODE, &no_nat_cmd);
	install_element(EBPF_NAT_NODE, &nat_source_cmd);
	install_element(EBPF_NAT_NODE, &no_nat_source_cmd);
	install_element(VIEW_NODE, &show_ebpf_nat_cmd);
}
