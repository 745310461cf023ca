// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Northbound callbacks of ebpf/nat (zebra's main pthread). A rule's
 * apply_finish hands it whole to the owner, once per commit. pre_validate
 * refuses what the model cannot express: more rules than nat_src_map
 * holds, one source prefix with two rules (the datapath looks a rule up
 * by source prefix alone), a pool that is not first <= last or holds more
 * than DP_NAT_POOL_MAX addresses. An out-interface that does not exist
 * is refused at the prompt and accepted from a boot configuration, as the
 * `interface` list does.
 */
#include <zebra.h>

#include <net/if.h>

#include "lib/hook.h"
#include "lib/ipaddr.h"
#include "lib/northbound.h"
#include "lib/yang.h"

#include "dp_abi.h"
#include "core/dp_boot.h"
#include "core/dp_hooks.h"
#include "core/dp_nbutil.h"
#include "nat/nat.h"

static void nat_dnode_ip(const struct lyd_node *dnode, const char *xpath,
			 uint8_t addr[16])
{
	struct ipaddr ip;

	yang_dnode_get_ip(&ip, dnode, "%s", xpath);
	memset(addr, 0, 16);
	memcpy(addr, &ip.ip.addr, ipaddr_family(&ip) == AF_INET ? 4 : 16);
}

void nat_spec_of(const struct lyd_node *dnode, struct nat_rule_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	yang_dnode_get_prefix(&spec->prefix, dnode, "./prefix");
	apply_mask(&spec->prefix);
	strlcpy(spec->ifname, yang_dnode_get_string(dnode, "./out-interface"),
		sizeof(spec->ifname));
	spec->masquerade = yang_dnode_exists(dnode, "./masquerade");
	if (!spec->masquerade) {
		nat_dnode_ip(dnode, "./pool/first", spec->first);
		nat_dnode_ip(dnode, "./pool/last", spec->last);
	}
}

int nat_pool_expand(uint8_t family, const uint8_t first[16],
		    const uint8_t last[16], uint32_t addrs[DP_NAT_POOL_MAX][4],
		    uint16_t *n, char *err, size_t errlen)
{
	size_t alen = family == AF_INET ? 4 : 16;
	uint32_t lo, hi;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	inet_ntop(family, first, a, sizeof(a));
	inet_ntop(family, last, b, sizeof(b));
	if (memcmp(first, last, alen) > 0) {
		snprintf(err, errlen,
			 "pool %s %s: the first address is above the last", a,
			 b);
		return -1;
	}
	/* the last 32 bits count; the rest must be equal */
	memcpy(&lo, first + alen - 4, 4);
	memcpy(&hi, last + alen - 4, 4);
	lo = ntohl(lo);
	hi = ntohl(hi);
	if (memcmp(first, last, alen - 4) || hi - lo >= DP_NAT_POOL_MAX) {
		snprintf(err, errlen,
			 "pool %s %s: it holds more than %u addresses, the most a rule takes",
			 a, b, DP_NAT_POOL_MAX);
		return -1;
	}
	*n = 0;
	for (uint32_t x = lo; x <= hi && x >= lo; x++) {
		uint32_t be = htonl(x);

		memset(addrs[*n], 0, 16);
		memcpy(addrs[*n], first, alen - 4);
		memcpy((uint8_t *)addrs[*n] + alen - 4, &be, 4);
		(*n)++;
		if (x == UINT32_MAX)
			break;
	}
	return 0;
}

/* ------------------------------------------------------------ callbacks */

/* XPath: ebpf/nat/source */
static int nat_nb_source_create(struct nb_cb_create_args *args)
{
	const char *ifname;

	if (args->event != NB_EV_VALIDATE || dp_nb_allow_absent(args->context))
		return NB_OK;
	ifname = yang_dnode_get_string(args->dnode, "./out-interface");
	if (!if_nametoindex(ifname)) {
		snprintf(args->errmsg, args->errmsg_len,
			 "interface %s does not exist", ifname);
		return NB_ERR_VALIDATION;
	}
	return NB_OK;
}

static int nat_nb_source_destroy(struct nb_cb_destroy_args *args)
{
	struct nat_rule_spec spec;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	nat_spec_of(args->dnode, &spec);
	nat_owner_post_del(&spec.prefix, spec.ifname);
	return NB_OK;
}

static void nat_nb_source_apply_finish(struct nb_cb_apply_finish_args *args)
{
	struct nat_rule_spec *spec = XCALLOC(MTYPE_TMP, sizeof(*spec));

	nat_spec_of(args->dnode, spec);
	nat_owner_post_rule(spec);
}

/* ----------------------------------------------------------- validation */

struct nat_validate_ctx {
	char *errmsg;
	size_t errmsg_len;
	bool failed;
	uint32_t n;
	struct nat_rule_spec *seen;
};

static int nat_validate_cb(const struct lyd_node *dnode, void *arg)
{
	struct nat_validate_ctx *v = arg;
	struct nat_rule_spec *s = &v->seen[v->n];
	uint32_t addrs[DP_NAT_POOL_MAX][4];
	uint16_t n_addrs;

	nat_spec_of(dnode, s);
	for (uint32_t i = 0; i < v->n; i++) {
		if (!prefix_same(&v->seen[i].prefix, &s->prefix))
			continue;
		snprintfrr(v->errmsg, v->errmsg_len,
			   "source %pFX has two rules (out-interface %s and %s): a source prefix takes one",
			   &s->prefix, v->seen[i].ifname, s->ifname);
		v->failed = true;
		return YANG_ITER_STOP;
	}
	v->n++;
	if (!s->masquerade &&
	    nat_pool_expand(s->prefix.family, s->first, s->last, addrs,
			    &n_addrs, v->errmsg, v->errmsg_len)) {
		v->failed = true;
		return YANG_ITER_STOP;
	}
	return YANG_ITER_CONTINUE;
}

static int nat_nb_pre_validate(struct nb_cb_pre_validate_args *args)
{
	uint32_t max = dp_boot_args()->sizes.nat_src, n = 0;
	struct nat_validate_ctx v = {
		.errmsg = args->errmsg,
		.errmsg_len = args->errmsg_len,
	};

	yang_dnode_iterate(dp_nb_count_cb, &n, args->dnode, "./source");
	if (n > max) {
		snprintf(args->errmsg, args->errmsg_len,
			 "%u source NAT rules configured: the datapath holds %u (module argument nat-rules)",
			 n, max);
		return NB_ERR_VALIDATION;
	}
	v.seen = XCALLOC(MTYPE_TMP, sizeof(*v.seen) * (n ? n : 1));
	yang_dnode_iterate(nat_validate_cb, &v, args->dnode, "./source");
	XFREE(MTYPE_TMP, v.seen);
	return v.failed ? NB_ERR_VALIDATION : NB_OK;
}

/* ------------------------------------------------------------------ init */

/* `no ebpf`: libfrr calls no callback below the deleted block. */
static int nat_config_removed(const struct lyd_node *ebpf)
{
	nat_owner_post_del_all();
	return 0;
}

void nat_init(void)
{
	hook_register(dp_config_removed, nat_config_removed);
	nat_owner_init();
}

/* clang-format off */
const struct frr_yang_module_info nat_nb_info = {
	.name = "frr-zebra-ebpf",
	.nodes = {
		{
			.xpath = NAT_XPATH,
			.cbs = {
				.pre_validate = nat_nb_pre_validate,
				.cli_show = dp_nb_cli_show_block,
				.cli_show_end = dp_nb_cli_show_block_end,
			},
		},
		{
			.xpath = NAT_XPATH_SOURCE,
			.cbs = {
				.create = nat_nb_source_create,
				.destroy = nat_nb_source_destroy,
				.apply_finish = nat_nb_source_apply_finish,
				.cli_show = nat_cli_show_source,
				.cli_cmp = nat_cli_cmp_source,
			},
		},
		{ .xpath = NAT_XPATH_SOURCE "/masquerade",
		  .cbs = { .create = dp_nb_noop_create,
			   .destroy = dp_nb_noop_destroy } },
		{ .xpath = NAT_XPATH_SOURCE "/pool/first",
		  .cbs = { .modify = dp_nb_noop_modify } },
		{ .xpath = NAT_XPATH_SOURCE "/pool/last",
		  .cbs = { .modify = dp_nb_noop_modify } },
		{
			.xpath = NULL,
		},
	}
};
/* clang-format on */
