// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Northbound callbacks of ebpf/policer (zebra's main pthread). A
 * policer's apply_finish hands it whole to the owner, once per commit.
 * pre_validate refuses what the model cannot express: more attach points
 * than the datapath has policer ids, one interface, VIP or (direction,
 * prefix) claimed by two policers (each attach map holds one policer per
 * key), a VIP that the load-balancer block does not have, a protocol
 * that is not of the prefix's family. An interface that does not exist
 * is refused at the prompt and accepted from a boot configuration, as
 * the `interface` list does.
 */
#include <zebra.h>

#include <net/if.h>

#include "lib/hook.h"
#include "lib/northbound.h"
#include "lib/yang.h"

#include "dp_abi.h"
#include "core/dp_hooks.h"
#include "core/dp_nbutil.h"
#include "police/police.h"

/* a VIP, from the ebpf node */
#define POLICE_LB_VIP_XPATH "./load-balancer/vip"

bool police_at_same(const struct police_at *a, const struct police_at *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == POLICE_AT_MATCH)
		return a->dir == b->dir && prefix_same(&a->prefix, &b->prefix);
	return strmatch(a->name, b->name);
}

static uint8_t police_action_of(const struct lyd_node *dnode,
				const char *which, uint8_t *dscp)
{
	const char *a = yang_dnode_get_string(dnode, "./%s/action", which);

	*dscp = 0;
	if (strmatch(a, "drop"))
		return DP_POLICE_DROP;
	if (strmatch(a, "set-dscp")) {
		if (yang_dnode_existsf(dnode, "./%s/dscp", which))
			*dscp = yang_dnode_get_uint8(dnode, "./%s/dscp", which);
		return DP_POLICE_SET_DSCP;
	}
	return DP_POLICE_TRANSMIT;
}

static void police_meter_of(const struct lyd_node *dnode,
			    struct dp_policer_conf *m)
{
	memset(m, 0, sizeof(*m));
	if (yang_dnode_exists(dnode, "./srtcm")) {
		m->mode = DP_POLICER_SRTCM;
		m->cir_kbps = yang_dnode_get_uint64(dnode, "./srtcm/cir");
		m->cbs = yang_dnode_get_uint32(dnode, "./srtcm/cbs");
		m->ebs_or_pbs = yang_dnode_get_uint32(dnode, "./srtcm/ebs");
	} else if (yang_dnode_exists(dnode, "./trtcm")) {
		m->mode = DP_POLICER_TRTCM;
		m->cir_kbps = yang_dnode_get_uint64(dnode, "./trtcm/cir");
		m->cbs = yang_dnode_get_uint32(dnode, "./trtcm/cbs");
		m->pir_kbps = yang_dnode_get_uint64(dnode, "./trtcm/pir");
		m->ebs_or_pbs = yang_dnode_get_uint32(dnode, "./trtcm/pbs");
	}
	if (yang_dnode_exists(dnode, "./color-aware"))
		m->flags |= DP_POLICER_F_COLOUR_AWARE;
}

struct police_spec_ctx {
	struct police_spec *spec;
	uint8_t kind;
};

static int police_at_cb(const struct lyd_node *dnode, void *arg)
{
	struct police_spec_ctx *c = arg;
	struct police_at *at = &c->spec->at[c->spec->n_at++];

	at->kind = c->kind;
	if (c->kind != POLICE_AT_MATCH) {
		strlcpy(at->name, yang_dnode_get_string(dnode, "./name"),
			sizeof(at->name));
		return YANG_ITER_CONTINUE;
	}
	at->dir = strmatch(yang_dnode_get_string(dnode, "./direction"),
			   "source")
			  ? DP_POLICE_MATCH_SRC
			  : DP_POLICE_MATCH_DST;
	yang_dnode_get_prefix(&at->prefix, dnode, "./prefix");
	apply_mask(&at->prefix);
	if (yang_dnode_exists(dnode, "./protocol"))
		at->proto = yang_dnode_get_uint8(dnode, "./protocol");
	if (yang_dnode_exists(dnode, "./port"))
		at->port = yang_dnode_get_uint16(dnode, "./port");
	return YANG_ITER_CONTINUE;
}

struct police_spec *police_spec_of(const struct lyd_node *dnode)
{
	static const char *const lists[] = {
		[POLICE_AT_INTF] = "./apply-interface",
		[POLICE_AT_MATCH] = "./apply-match",
		[POLICE_AT_VIP] = "./apply-vip",
	};
	struct police_spec_ctx c;
	uint32_t n = 0;

	for (size_t k = 0; k < array_size(lists); k++)
		yang_dnode_iterate(dp_nb_count_cb, &n, dnode, "%s", lists[k]);
	c.spec = XCALLOC(MTYPE_TMP,
			 sizeof(*c.spec) + sizeof(c.spec->at[0]) * n);
	strlcpy(c.spec->name, yang_dnode_get_string(dnode, "./name"),
		sizeof(c.spec->name));
	police_meter_of(dnode, &c.spec->pol.meter);
	c.spec->pol.action[DP_GREEN] = police_action_of(
		dnode, "conform-action", &c.spec->pol.dscp[DP_GREEN]);
	c.spec->pol.action[DP_YELLOW] = police_action_of(
		dnode, "exceed-action", &c.spec->pol.dscp[DP_YELLOW]);
	c.spec->pol.action[DP_RED] = police_action_of(
		dnode, "violate-action", &c.spec->pol.dscp[DP_RED]);
	for (size_t k = 0; k < array_size(lists); k++) {
		c.kind = k;
		yang_dnode_iterate(police_at_cb, &c, dnode, "%s", lists[k]);
	}
	return c.spec;
}

/* ------------------------------------------------------------ callbacks */

static int police_nb_create(struct nb_cb_create_args *args)
{
	return NB_OK;
}

static int police_nb_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event == NB_EV_APPLY)
		police_owner_post_del(
			yang_dnode_get_string(args->dnode, "./name"));
	return NB_OK;
}

static void police_nb_apply_finish(struct nb_cb_apply_finish_args *args)
{
	police_owner_post(police_spec_of(args->dnode));
}

/* XPath: ebpf/policer/apply-interface */
static int police_nb_intf_create(struct nb_cb_create_args *args)
{
	const char *ifname;

	if (args->event != NB_EV_VALIDATE || dp_nb_allow_absent(args->context))
		return NB_OK;
	ifname = yang_dnode_get_string(args->dnode, "./name");
	if (!if_nametoindex(ifname)) {
		snprintf(args->errmsg, args->errmsg_len,
			 "interface %s does not exist", ifname);
		return NB_ERR_VALIDATION;
	}
	return NB_OK;
}

/* ----------------------------------------------------------- validation */

/* Every attach point of the configuration, with its policer's name. */
struct police_claim {
	struct police_at at;
	const char *policer;
};

struct police_validate_ctx {
	const struct lyd_node *ebpf;
	struct police_claim *claims;
	uint32_t n, max;
	char *errmsg;
	size_t errmsg_len;
	bool failed;
};

static void police_at_text(const struct police_at *at, char *buf, size_t len)
{
	switch (at->kind) {
	case POLICE_AT_INTF:
		snprintf(buf, len, "interface %s", at->name);
		break;
	case POLICE_AT_VIP:
		snprintf(buf, len, "vip %s", at->name);
		break;
	default:
		snprintfrr(buf, len, "match %s %pFX",
			   at->dir == DP_POLICE_MATCH_SRC ? "source"
							  : "destination",
			   &at->prefix);
		break;
	}
}

/* Whether at can be, with the reason in errmsg when not. */
static bool police_at_check(struct police_validate_ctx *v, const char *name,
			    const struct police_at *at)
{
	char what[128];

	police_at_text(at, what, sizeof(what));
	for (uint32_t i = 0; i < v->n; i++) {
		if (!police_at_same(&v->claims[i].at, at))
			continue;
		snprintf(v->errmsg, v->errmsg_len,
			 "policer %s: apply %s: policer %s applies there already (one policer per %s)",
			 name, what, v->claims[i].policer,
			 at->kind == POLICE_AT_MATCH ? "direction and prefix"
			 : at->kind == POLICE_AT_VIP ? "VIP"
						     : "interface");
		return false;
	}
	if (at->kind == POLICE_AT_VIP &&
	    !yang_dnode_existsf(v->ebpf, POLICE_LB_VIP_XPATH "[name='%s']",
				at->name)) {
		snprintf(v->errmsg, v->errmsg_len,
			 "policer %s: apply %s: the load-balancer block has no VIP %s",
			 name, what, at->name);
		return false;
	}
	if (at->kind == POLICE_AT_MATCH &&
	    ((at->proto == IPPROTO_ICMP && at->prefix.family != AF_INET) ||
	     (at->proto == IPPROTO_ICMPV6 && at->prefix.family != AF_INET6))) {
		snprintf(v->errmsg, v->errmsg_len,
			 "policer %s: apply %s: protocol %s is not of the prefix's address family",
			 name, what,
			 at->proto == IPPROTO_ICMP ? "icmp" : "icmpv6");
		return false;
	}
	return true;
}

static int police_validate_cb(const struct lyd_node *dnode, void *arg)
{
	struct police_validate_ctx *v = arg;
	struct police_spec *spec = police_spec_of(dnode);
	const char *name = yang_dnode_get_string(dnode, "./name");

	for (uint32_t i = 0; i < spec->n_at && !v->failed; i++) {
		if (v->n >= v->max) {
			snprintf(v->errmsg, v->errmsg_len,
				 "policer %s: more than %u attach points in all policers: the datapath holds %u",
				 name, v->max, v->max);
			v->failed = true;
		} else if (!police_at_check(v, name, &spec->at[i])) {
			v->failed = true;
		} else {
			v->claims[v->n].at = spec->at[i];
			v->claims[v->n++].policer = name;
		}
	}
	XFREE(MTYPE_TMP, spec);
	return v->failed ? YANG_ITER_STOP : YANG_ITER_CONTINUE;
}

/*
 * On the first policer of the candidate (libfrr calls pre_validate for
 * every node that has it): the checks that look across policers run
 * once, whichever policer changed, and also when a VIP a policer names
 * goes.
 */
static int police_nb_pre_validate(struct nb_cb_pre_validate_args *args)
{
	const struct lyd_node *ebpf = lyd_parent(args->dnode);
	struct police_validate_ctx v = {
		.ebpf = ebpf,
		.max = DP_POLICERS_MAX - 1,
		.errmsg = args->errmsg,
		.errmsg_len = args->errmsg_len,
	};

	if (!dp_nb_first_entry(args->dnode))
		return NB_OK;
	v.claims = XCALLOC(MTYPE_TMP, sizeof(*v.claims) * v.max);
	yang_dnode_iterate(police_validate_cb, &v, ebpf, "./policer");
	XFREE(MTYPE_TMP, v.claims);
	return v.failed ? NB_ERR_VALIDATION : NB_OK;
}

/* ------------------------------------------------------------------ init */

/* `no ebpf`: libfrr calls no callback below the deleted block. */
static int police_config_removed(const struct lyd_node *ebpf)
{
	police_owner_post_del_all();
	return 0;
}

void police_init(void)
{
	hook_register(dp_config_removed, police_config_removed);
	police_owner_init();
}

#define POLICE_LEAF(path)                                                      \
	{                                                                      \
		.xpath = POLICE_XPATH path, .cbs = {                           \
			.modify = dp_nb_noop_modify,                           \
		}                                                              \
	}
#define POLICE_OPT_LEAF(path)                                                  \
	{                                                                      \
		.xpath = POLICE_XPATH path, .cbs = {                           \
			.modify = dp_nb_noop_modify,                           \
			.destroy = dp_nb_noop_destroy,                         \
		}                                                              \
	}
#define POLICE_PRESENCE(path)                                                  \
	{                                                                      \
		.xpath = POLICE_XPATH path, .cbs = {                           \
			.create = dp_nb_noop_create,                           \
			.destroy = dp_nb_noop_destroy,                         \
		}                                                              \
	}

/* clang-format off */
const struct frr_yang_module_info police_nb_info = {
	.name = "frr-zebra-ebpf",
	.nodes = {
		{
			.xpath = POLICE_XPATH,
			.cbs = {
				.create = police_nb_create,
				.destroy = police_nb_destroy,
				.pre_validate = police_nb_pre_validate,
				.apply_finish = police_nb_apply_finish,
				.cli_show = police_cli_show,
				.cli_show_end = police_cli_show_end,
				.cli_cmp = police_cli_cmp,
			},
		},
		POLICE_PRESENCE("/srtcm"),
		POLICE_LEAF("/srtcm/cir"),
		POLICE_LEAF("/srtcm/cbs"),
		POLICE_LEAF("/srtcm/ebs"),
		POLICE_PRESENCE("/trtcm"),
		POLICE_LEAF("/trtcm/cir"),
		POLICE_LEAF("/trtcm/cbs"),
		POLICE_LEAF("/trtcm/pir"),
		POLICE_LEAF("/trtcm/pbs"),
		POLICE_PRESENCE("/color-aware"),
		POLICE_LEAF("/conform-action/action"),
		POLICE_OPT_LEAF("/conform-action/dscp"),
		POLICE_LEAF("/exceed-action/action"),
		POLICE_OPT_LEAF("/exceed-action/dscp"),
		POLICE_LEAF("/violate-action/action"),
		POLICE_OPT_LEAF("/violate-action/dscp"),
		{
			.xpath = POLICE_XPATH "/apply-interface",
			.cbs = {
				.create = police_nb_intf_create,
				.destroy = dp_nb_noop_destroy,
			},
		},
		POLICE_PRESENCE("/apply-vip"),
		POLICE_PRESENCE("/apply-match"),
		POLICE_OPT_LEAF("/apply-match/protocol"),
		POLICE_OPT_LEAF("/apply-match/port"),
		{
			.xpath = NULL,
		},
	}
};
/* clang-format on */
