// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Northbound callbacks of ebpf/load-balancer (zebra's main pthread).
 *
 * The leaves of a VIP need no callback of their own: the VIP's
 * apply_finish runs once per commit for every VIP the commit touched and
 * hands the whole VIP to the owner (lb_owner.c), which rewrites what
 * changed. pre_validate refuses what the model cannot express: the
 * capacities of the maps, two VIPs with one address, port and protocol,
 * addresses the datapath cannot serve.
 */
#include <zebra.h>

#include "lib/hook.h"
#include "lib/ipaddr.h"
#include "lib/log.h"
#include "lib/northbound.h"
#include "lib/sockunion.h"
#include "lib/yang.h"
#include "zebra/zebra_router.h"

#include "dp_abi.h"
#include "core/dp_boot.h"
#include "core/dp_hooks.h"
#include "core/dp_nbutil.h"
#include "core/dp_vty_input.h"
#include "lb/lb.h"
#include "lb/lb_health.h"
#include "lb/lb_ring.h"

/*
 * The health checker is branch lbhealth's (lb_health.h). Until it is part
 * of the module these are NULL: a VIP with a health-check then counts its
 * backends unhealthy (it is never announced unchecked), and show says
 * that no checker runs.
 */
#pragma weak lb_health_init
#pragma weak lb_health_fini
#pragma weak lb_health_set
#pragma weak lb_health_del
#pragma weak lb_health_status

static bool lb_hc_linked(void)
{
	return lb_health_set != NULL;
}

const char *lb_alg_name(uint8_t alg)
{
	static const char *const names[DP_LB_ALG_MAX] = {
		[DP_LB_ALG_MAGLEV] = "maglev",
		[DP_LB_ALG_HASH] = "hash",
		[DP_LB_ALG_SOURCE_HASH] = "source-hash",
		[DP_LB_ALG_RR] = "round-robin",
		[DP_LB_ALG_WRR] = "weighted-round-robin",
		[DP_LB_ALG_LEAST_CONN] = "least-connections",
	};

	return alg < DP_LB_ALG_MAX ? names[alg] : "?";
}

const char *lb_nat_name(uint8_t nat)
{
	switch (nat) {
	case DP_LB_NAT_DNAT:
		return "dnat";
	case DP_LB_NAT_FULLNAT:
		return "fullnat";
	case DP_LB_NAT_DSR:
		return "dsr";
	}
	return "?";
}

static uint8_t lb_alg_of(const char *name)
{
	for (uint8_t a = 0; a < DP_LB_ALG_MAX; a++)
		if (strmatch(lb_alg_name(a), name))
			return a;
	return DP_LB_ALG_MAGLEV;
}

static uint8_t lb_nat_of(const char *name)
{
	if (strmatch(name, "fullnat"))
		return DP_LB_NAT_FULLNAT;
	if (strmatch(name, "dsr"))
		return DP_LB_NAT_DSR;
	return DP_LB_NAT_DNAT;
}

void lb_dnode_addr(const struct lyd_node *dnode, const char *xpath,
		   uint8_t *family, uint8_t addr[16])
{
	struct ipaddr ip;

	yang_dnode_get_ip(&ip, dnode, "%s", xpath);
	memset(addr, 0, 16);
	*family = ipaddr_family(&ip);
	memcpy(addr, &ip.ip.addr, *family == AF_INET ? 4 : 16);
}

/* ------------------------------------------------------ VIP -> owner */

struct lb_spec_ctx {
	struct lb_vip_spec *spec;
	struct lb_hc_backend *hc;
};

static int lb_spec_backend_cb(const struct lyd_node *dnode, void *arg)
{
	struct lb_spec_ctx *ctx = arg;
	struct lb_vip_spec *spec = ctx->spec;
	struct lb_be_spec *be = &spec->be[spec->n_backends];

	lb_dnode_addr(dnode, "./address", &be->family, be->addr);
	be->port = yang_dnode_get_uint16(dnode, "./port");
	be->weight = yang_dnode_get_uint16(dnode, "./weight");
	be->admin_down = yang_dnode_exists(dnode, "./admin-down");
	be->healthy = true;
	if (ctx->hc) {
		struct lb_hc_backend *h = &ctx->hc[spec->n_backends];

		h->family = be->family;
		memcpy(h->addr, be->addr, sizeof(h->addr));
		h->port = be->port;
	}
	spec->n_backends++;
	return YANG_ITER_CONTINUE;
}

static void lb_hc_params_of(const struct lyd_node *hc,
			    struct lb_hc_params *p)
{
	memset(p, 0, sizeof(*p));
	if (yang_dnode_exists(hc, "./tcp"))
		p->type = LB_HC_TCP;
	else if (yang_dnode_exists(hc, "./icmp"))
		p->type = LB_HC_ICMP;
	else {
		p->type = LB_HC_HTTP;
		strlcpy(p->http_path,
			yang_dnode_get_string(hc, "./http/path"),
			sizeof(p->http_path));
		p->http_status = yang_dnode_get_uint16(hc, "./http/status");
	}
	if (yang_dnode_exists(hc, "./port"))
		p->port = yang_dnode_get_uint16(hc, "./port");
	p->interval_ms = yang_dnode_get_uint32(hc, "./interval");
	p->rise = yang_dnode_get_uint8(hc, "./rise");
	p->fall = yang_dnode_get_uint8(hc, "./fall");
}

/* Hand the VIP of dnode, as configured, to the owner; tell the health
 * checker what to check. */
static void lb_nb_post_vip(const struct lyd_node *vip)
{
	const struct lyd_node *hc = yang_dnode_get(vip, "./health-check");
	struct lb_spec_ctx ctx = {};
	struct lb_vip_spec *spec;
	struct lb_hc_params params;
	uint32_t n = 0;

	yang_dnode_iterate(dp_nb_count_cb, &n, vip, "./backend");
	spec = ctx.spec = lb_vip_spec_new(n);
	strlcpy(spec->name, yang_dnode_get_string(vip, "./name"),
		sizeof(spec->name));
	lb_dnode_addr(vip, "./address", &spec->family, spec->addr);
	spec->port = yang_dnode_exists(vip, "./port")
			     ? yang_dnode_get_uint16(vip, "./port")
			     : 0;
	spec->proto = strmatch(yang_dnode_get_string(vip, "./protocol"), "udp")
			      ? IPPROTO_UDP
			      : IPPROTO_TCP;
	spec->algorithm = lb_alg_of(yang_dnode_get_string(vip, "./algorithm"));
	spec->nat_mode = lb_nat_of(yang_dnode_get_string(vip, "./nat-mode"));
	spec->persist = yang_dnode_exists(vip, "./persistence");
	if (spec->persist)
		spec->persist_timeout =
			yang_dnode_get_uint32(vip, "./persistence/timeout");
	spec->fnat_src_set = yang_dnode_exists(vip, "./fullnat-source");
	if (spec->fnat_src_set) {
		uint8_t family;

		lb_dnode_addr(vip, "./fullnat-source", &family, spec->fnat_src);
	}
	spec->seed = yang_dnode_get_uint32(vip, "../hash-seed");
	spec->health_check = hc != NULL;
	if (hc)
		ctx.hc = XCALLOC(MTYPE_TMP, sizeof(*ctx.hc) * (n ? n : 1));
	yang_dnode_iterate(lb_spec_backend_cb, &ctx, vip, "./backend");

	if (!hc) {
		if (lb_hc_linked())
			lb_health_del(spec->name);
	} else if (!lb_hc_linked()) {
		for (uint32_t i = 0; i < spec->n_backends; i++)
			spec->be[i].healthy = false;
	} else {
		lb_hc_params_of(hc, &params);
		lb_health_set(spec->name, &params, ctx.hc, spec->n_backends);
		/* Backends already checked keep their verdict; new ones
		 * start unhealthy until `rise` checks succeed. */
		for (uint32_t i = 0; i < spec->n_backends; i++) {
			struct lb_hc_status st;

			spec->be[i].healthy =
				lb_health_status(spec->name, &ctx.hc[i], &st) &&
				st.up;
		}
	}
	XFREE(MTYPE_TMP, ctx.hc);
	lb_owner_post_vip(spec);
}

/* The checker's verdict on a backend changed (main pthread). */
static void lb_nb_health_changed(const char *vip, const struct lb_hc_backend *be,
				 bool up)
{
	lb_owner_post_health(vip, be->family, be->addr, be->port, up);
}

/* ------------------------------------------------------------ callbacks */

/* XPath: ebpf/load-balancer/hash-seed: every VIP's rings follow it. */
static int lb_nb_vip_post_cb(const struct lyd_node *dnode, void *arg)
{
	lb_nb_post_vip(dnode);
	return YANG_ITER_CONTINUE;
}

static int lb_nb_seed_modify(struct nb_cb_modify_args *args)
{
	if (args->event == NB_EV_APPLY)
		yang_dnode_iterate(lb_nb_vip_post_cb, NULL,
				   lyd_parent(args->dnode), "./vip");
	return NB_OK;
}

/* XPath: ebpf/load-balancer/vip */
static int lb_nb_vip_destroy(struct nb_cb_destroy_args *args)
{
	const char *name;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	name = yang_dnode_get_string(args->dnode, "./name");
	if (lb_hc_linked())
		lb_health_del(name);
	lb_owner_post_del(name);
	return NB_OK;
}

static void lb_nb_vip_apply_finish(struct nb_cb_apply_finish_args *args)
{
	lb_nb_post_vip(args->dnode);
}

/* ----------------------------------------------------------- validation */

/* A VIP's key for duplicate detection, and its name for the message. */
struct lb_vip_key_seen {
	uint8_t family, proto;
	uint16_t port;
	uint8_t addr[16];
	const char *name;
};

struct lb_validate_ctx {
	char *errmsg;
	size_t errmsg_len;
	bool failed;
	uint32_t vips, backends, ring_slots;
	struct lb_vip_key_seen *keys; /* vips of them so far */
};

static bool lb_validate_fail(struct lb_validate_ctx *ctx, const char *fmt, ...)
	PRINTFRR(2, 3);

static bool lb_validate_fail(struct lb_validate_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintfrr(ctx->errmsg, ctx->errmsg_len, fmt, ap);
	va_end(ap);
	ctx->failed = true;
	return false;
}

static bool lb_validate_unicast(struct lb_validate_ctx *ctx,
				const char *vip, const char *what,
				uint8_t family, const uint8_t addr[16])
{
	union sockunion su = {};
	const char *why;

	su.sa.sa_family = family;
	if (family == AF_INET)
		memcpy(&su.sin.sin_addr, addr, 4);
	else
		memcpy(&su.sin6.sin6_addr, addr, 16);
	why = dp_vty_unicast_error(&su);
	if (!why)
		return true;
	return lb_validate_fail(ctx, "VIP %s: %s %pSU cannot be used: %s", vip,
				what, &su, why);
}

struct lb_backend_ctx {
	struct lb_validate_ctx *v;
	const char *vip;
	uint32_t n;
	bool port0;
	char port0_addr[INET6_ADDRSTRLEN];
};

static int lb_validate_backend_cb(const struct lyd_node *dnode, void *arg)
{
	struct lb_backend_ctx *ctx = arg;
	uint8_t family, addr[16];

	ctx->n++;
	lb_dnode_addr(dnode, "./address", &family, addr);
	if (!lb_validate_unicast(ctx->v, ctx->vip, "backend", family, addr))
		return YANG_ITER_STOP;
	if (!yang_dnode_get_uint16(dnode, "./port") && !ctx->port0) {
		ctx->port0 = true;
		strlcpy(ctx->port0_addr,
			yang_dnode_get_string(dnode, "./address"),
			sizeof(ctx->port0_addr));
	}
	return YANG_ITER_CONTINUE;
}

static const char *lb_proto_name(uint8_t proto)
{
	return proto == IPPROTO_UDP ? "udp" : "tcp";
}

static int lb_validate_vip_cb(const struct lyd_node *vip, void *arg)
{
	struct lb_validate_ctx *v = arg;
	const char *name = yang_dnode_get_string(vip, "./name");
	const struct lyd_node *hc = yang_dnode_get(vip, "./health-check");
	struct lb_backend_ctx bctx = {.v = v, .vip = name};
	struct lb_vip_key_seen *k = &v->keys[v->vips];
	uint8_t family, addr[16];

	lb_dnode_addr(vip, "./address", &k->family, k->addr);
	k->port = yang_dnode_exists(vip, "./port")
			  ? yang_dnode_get_uint16(vip, "./port")
			  : 0;
	k->proto = strmatch(yang_dnode_get_string(vip, "./protocol"), "udp")
			   ? IPPROTO_UDP
			   : IPPROTO_TCP;
	k->name = name;
	v->vips++;
	if (!lb_validate_unicast(v, name, "address", k->family, k->addr))
		return YANG_ITER_STOP;
	for (struct lb_vip_key_seen *o = v->keys; o < k; o++) {
		char port[16] = "all-ports";

		if (o->family != k->family || o->proto != k->proto ||
		    o->port != k->port || memcmp(o->addr, k->addr, 16))
			continue;
		if (k->port)
			snprintf(port, sizeof(port), "port %u", k->port);
		lb_validate_fail(v,
				 "VIPs %s and %s both serve %s %s protocol %s: one address, port and protocol is one VIP",
				 o->name, name,
				 yang_dnode_get_string(vip, "./address"), port,
				 lb_proto_name(k->proto));
		return YANG_ITER_STOP;
	}
	if (yang_dnode_exists(vip, "./fullnat-source")) {
		lb_dnode_addr(vip, "./fullnat-source", &family, addr);
		if (family != k->family) {
			lb_validate_fail(v,
					 "VIP %s: fullnat-source %s is not of the VIP's address family",
					 name,
					 yang_dnode_get_string(vip,
							       "./fullnat-source"));
			return YANG_ITER_STOP;
		}
		if (!lb_validate_unicast(v, name, "fullnat-source", family,
					 addr))
			return YANG_ITER_STOP;
	}

	yang_dnode_iterate(lb_validate_backend_cb, &bctx, vip, "./backend");
	if (v->failed)
		return YANG_ITER_STOP;
	if (bctx.n > DP_LB_VIP_BACKENDS_MAX) {
		lb_validate_fail(v,
				 "VIP %s has %u backends: a VIP takes at most %u",
				 name, bctx.n, DP_LB_VIP_BACKENDS_MAX);
		return YANG_ITER_STOP;
	}
	if (hc && !yang_dnode_exists(hc, "./icmp") &&
	    !yang_dnode_exists(hc, "./port") && bctx.port0) {
		lb_validate_fail(v,
				 "VIP %s: backend %s takes port 0 (the client's port): give the health-check a port to check",
				 name, bctx.port0_addr);
		return YANG_ITER_STOP;
	}
	v->backends += bctx.n;
	if (!strmatch(yang_dnode_get_string(vip, "./algorithm"),
		      "least-connections"))
		v->ring_slots += lb_ring_capacity(bctx.n);
	return YANG_ITER_CONTINUE;
}

static int lb_nb_pre_validate(struct nb_cb_pre_validate_args *args)
{
	const struct dp_map_sizes *sz = &dp_boot_args()->sizes;
	struct lb_validate_ctx v = {
		.errmsg = args->errmsg,
		.errmsg_len = args->errmsg_len,
	};
	uint32_t n = 0;

	yang_dnode_iterate(dp_nb_count_cb, &n, args->dnode, "./vip");
	/* vip id 0 names no VIP in conntrack */
	if (n > sz->lb_vips - 1) {
		snprintf(args->errmsg, args->errmsg_len,
			 "%u VIPs configured: the datapath holds %u (module argument lb-vips=%u)",
			 n, sz->lb_vips - 1, sz->lb_vips);
		return NB_ERR_VALIDATION;
	}
	v.keys = XCALLOC(MTYPE_TMP, sizeof(*v.keys) * (n ? n : 1));
	yang_dnode_iterate(lb_validate_vip_cb, &v, args->dnode, "./vip");
	XFREE(MTYPE_TMP, v.keys);
	if (v.failed)
		return NB_ERR_VALIDATION;
	/* backend id 0 is never a backend */
	if (v.backends > sz->lb_backends - 1) {
		snprintf(args->errmsg, args->errmsg_len,
			 "%u backends configured: the datapath holds %u (module argument lb-backends=%u)",
			 v.backends, sz->lb_backends - 1, sz->lb_backends);
		return NB_ERR_VALIDATION;
	}
	if (v.ring_slots > sz->lb_ring) {
		snprintf(args->errmsg, args->errmsg_len,
			 "the VIPs' selection tables need %u slots: lb_ring_map has %u (module argument lb-ring=%u; a VIP takes at least %u)",
			 v.ring_slots, sz->lb_ring, sz->lb_ring,
			 lb_ring_capacity(1));
		return NB_ERR_VALIDATION;
	}
	return NB_OK;
}

/* ------------------------------------------------------------------ init */

static int lb_nb_vip_forget_cb(const struct lyd_node *dnode, void *arg)
{
	lb_health_del(yang_dnode_get_string(dnode, "./name"));
	return YANG_ITER_CONTINUE;
}

/* `no ebpf`: libfrr calls no callback below the deleted block. */
static int lb_config_removed(const struct lyd_node *ebpf)
{
	if (lb_hc_linked())
		yang_dnode_iterate(lb_nb_vip_forget_cb, NULL, ebpf,
				   "./load-balancer/vip");
	lb_owner_post_del_all();
	return 0;
}

void lb_init(void)
{
	if (lb_hc_linked())
		lb_health_init(zrouter.master, lb_nb_health_changed);
	else
		zlog_notice("ebpf: load balancer built without its health checker: backends of a VIP with a health-check count as unhealthy");
	hook_register(dp_config_removed, lb_config_removed);
	lb_owner_init();
}

/* clang-format off */
const struct frr_yang_module_info lb_nb_info = {
	.name = "frr-zebra-ebpf",
	.nodes = {
		{
			.xpath = LB_XPATH,
			.cbs = {
				.pre_validate = lb_nb_pre_validate,
				.cli_show = dp_nb_cli_show_block,
				.cli_show_end = dp_nb_cli_show_block_end,
			},
		},
		{
			.xpath = LB_XPATH "/hash-seed",
			.cbs = {
				.modify = lb_nb_seed_modify,
				.cli_show = lb_cli_show_seed,
			},
		},
		{
			.xpath = LB_XPATH_VIP,
			.cbs = {
				.create = dp_nb_noop_create,
				.destroy = lb_nb_vip_destroy,
				.apply_finish = lb_nb_vip_apply_finish,
				.cli_show = lb_cli_show_vip,
				.cli_show_end = lb_cli_show_vip_end,
				.cli_cmp = lb_cli_cmp_vip,
			},
		},
		{ .xpath = LB_XPATH_VIP "/address",
		  .cbs = { .modify = dp_nb_noop_modify } },
		{ .xpath = LB_XPATH_VIP "/port",
		  .cbs = { .modify = dp_nb_noop_modify,
			   .destroy = dp_nb_noop_destroy } },
		{ .xpath = LB_XPATH_VIP "/all-ports",
		  .cbs = { .create = dp_nb_noop_create,
			   .destroy = dp_nb_noop_destroy } },
		{ .xpath = LB_XPATH_VIP "/protocol",
		  .cbs = { .modify = dp_nb_noop_modify } },
		{ .xpath = LB_XPATH_VIP "/algorithm",
		  .cbs = { .modify = dp_nb_noop_modify,
			   .cli_show = lb_cli_show_vip_leaf } },
		{ .xpath = LB_XPATH_VIP "/persistence",
		  .cbs = { .create = dp_nb_noop_create,
			   .destroy = dp_nb_noop_destroy,
			   .cli_show = lb_cli_show_persistence } },
		{ .xpath = LB_XPATH_VIP "/persistence/timeout",
		  .cbs = { .modify = dp_nb_noop_modify } },
		{ .xpath = LB_XPATH_VIP "/nat-mode",
		  .cbs = { .modify = dp_nb_noop_modify,
			   .cli_show = lb_cli_show_vip_leaf } },
		{ .xpath = LB_XPATH_VIP "/fullnat-source",
		  .cbs = { .modify = dp_nb_noop_modify,
			   .destroy = dp_nb_noop_destroy,
			   .cli_show = lb_cli_show_vip_leaf } },
		{ .xpath = LB_XPATH_HC,
		  .cbs = { .create = dp_nb_noop_create,
			   .destroy = dp_nb_noop_destroy,
			   .cli_show = lb_cli_show_hc } },
		{ .xpath = LB_XPATH_HC "/tcp",
		  .cbs = { .create = dp_nb_noop_create,
			   .destroy = dp_nb_noop_destroy } },
		{ .xpath = LB_XPATH_HC "/http/path",
		  .cbs = { .modify = dp_nb_noop_modify } },
		{ .xpath = LB_XPATH_HC "/http/status",
		  .cbs = { .modify = dp_nb_noop_modify } },
		{ .xpath = LB_XPATH_HC "/icmp",
		  .cbs = { .create = dp_nb_noop_create,
			   .destroy = dp_nb_noop_destroy } },
		{ .xpath = LB_XPATH_HC "/port",
		  .cbs = { .modify = dp_nb_noop_modify,
			   .destroy = dp_nb_noop_destroy } },
		{ .xpath = LB_XPATH_HC "/interval",
		  .cbs = { .modify = dp_nb_noop_modify } },
		{ .xpath = LB_XPATH_HC "/rise",
		  .cbs = { .modify = dp_nb_noop_modify } },
		{ .xpath = LB_XPATH_HC "/fall",
		  .cbs = { .modify = dp_nb_noop_modify } },
		{
			.xpath = LB_XPATH_BACKEND,
			.cbs = {
				.create = dp_nb_noop_create,
				.destroy = dp_nb_noop_destroy,
				.cli_show = lb_cli_show_backend,
				.cli_cmp = lb_cli_cmp_backend,
			},
		},
		{ .xpath = LB_XPATH_BACKEND "/weight",
		  .cbs = { .modify = dp_nb_noop_modify } },
		{ .xpath = LB_XPATH_BACKEND "/admin-down",
		  .cbs = { .create = dp_nb_noop_create,
			   .destroy = dp_nb_noop_destroy } },
		{
			.xpath = NULL,
		},
	}
};
/* clang-format on */
