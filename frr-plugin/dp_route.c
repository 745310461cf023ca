// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one place where a zebra route becomes an rt_v4_map / rt_v6_map entry.
 *
 * zebra hands us its routes (ROUTE_INSTALL/UPDATE/DELETE) and the kernel's
 * own connected and kernel routes as notifications (SYS_ROUTE_ADD/DELETE).
 * A route points at a nexthop-group id; the group's paths live in nh_map,
 * so a nexthop change is one nh_map write however many routes use it.
 * The router's own addresses come from the netlink listener as /32 and
 * /128 LOCAL entries, so local delivery costs no extra lookup.
 */

#include "config.h"

#include <bpf/bpf.h>

#include "lib/zebra.h"
#include "lib/prefix.h"
#include "lib/nexthop.h"
#include "lib/nexthop_group.h"
#include "lib/typesafe.h"
#include "lib/jhash.h"
#include "lib/memory.h"
#include "lib/frr_pthread.h"
#include "zebra/zebra_dplane.h"

#include "dp_abi.h"
#include "dp_fib.h"
#include "dp_maps.h"
#include "dp_nhg.h"
#include "dp_route.h"
#include "dp_stats.h"
#include "dp_sync.h"
#include "dp_plugin.h"

DEFINE_MTYPE_STATIC(EBPF, EBPF_ROUTE, "eBPF route mirror");

PREDECL_HASH(dp_routes);
PREDECL_DLIST(dp_missing);

/* What the plugin wrote for one prefix: needed to drop the group
 * reference when the route goes, and to let a local address win. */
struct dp_route {
	struct dp_routes_item item;
	struct dp_missing_item missing_item; /* on dp_missing while in_missing */
	bool in_missing; /* the FIB could not take it (a table is full) */
	uint8_t family;
	uint8_t prefixlen;
	bool local;	  /* router address: LOCAL entry owns the key */
	bool has_route;	  /* zebra route present (may be hidden by local) */
	struct dp_rt_val val; /* zebra's route, as last translated */
	union g_addr addr;
};

static int dp_route_cmp(const struct dp_route *a, const struct dp_route *b)
{
	if (a->family != b->family)
		return a->family - b->family;
	if (a->prefixlen != b->prefixlen)
		return a->prefixlen - b->prefixlen;
	return memcmp(&a->addr, &b->addr,
		      a->family == AF_INET ? 4 : 16);
}

static uint32_t dp_route_hash(const struct dp_route *r)
{
	return jhash(&r->addr, r->family == AF_INET ? 4 : 16,
		     r->family << 8 | r->prefixlen);
}

DECLARE_HASH(dp_routes, struct dp_route, item, dp_route_cmp, dp_route_hash);
DECLARE_DLIST(dp_missing, struct dp_route, missing_item);

static struct dp_routes_head dp_routes = INIT_HASH(dp_routes);
static _Atomic uint32_t dp_route_n[2];

uint32_t dp_route_count(int family)
{
	return atomic_load_explicit(&dp_route_n[family == AF_INET6],
				    memory_order_relaxed);
}

union dp_rt_key {
	struct dp_rt4_key v4;
	struct dp_rt6_key v6;
};

/* Builds the LPM key; returns the map it belongs to. */
static enum dp_map_id dp_route_key(const struct dp_route *r,
				   union dp_rt_key *key)
{
	memset(key, 0, sizeof(*key));
	if (r->family == AF_INET) {
		key->v4.prefixlen = r->prefixlen;
		memcpy(&key->v4.addr, &r->addr.ipv4, 4);
		return DP_MAP_RT4;
	}
	key->v6.prefixlen = r->prefixlen;
	memcpy(key->v6.addr, &r->addr.ipv6, 16);
	return DP_MAP_RT6;
}

/* The datapath's own lookup structure (dp_fib.h); NULL until the maps
 * exist. */
static struct dp_fib *dp_fib;

/*
 * Routes the FIB could not take. A missing route would be shadowed by a
 * shorter covering one and its packets misforwarded, so while a family
 * has any, the datapath passes that whole family to the kernel
 * (DP_META_F_FIB*_INCOMPLETE), and each deletion retries them.
 */
static struct dp_missing_head dp_missing = INIT_DLIST(dp_missing);
static uint32_t dp_missing_n[2];
static uint32_t dp_meta_flags;
static bool dp_fib_freed; /* a route left the FIB since the last retry */

/* At most this many missing routes are retried per batch. */
#define DP_MISSING_RETRY 256

static void dp_route_meta_update(void)
{
	uint32_t flags = (dp_missing_n[0] ? DP_META_F_FIB4_INCOMPLETE : 0) |
			 (dp_missing_n[1] ? DP_META_F_FIB6_INCOMPLETE : 0);
	struct dp_meta meta;
	uint32_t key = 0;
	int fd = dp_map_fd(DP_MAP_META);

	if (flags == dp_meta_flags ||
	    bpf_map_lookup_elem(fd, &key, &meta))
		return;
	meta.flags = flags;
	if (bpf_map_update_elem(fd, &key, &meta, BPF_ANY))
		return;
	if (flags & ~dp_meta_flags)
		zlog_warn("ebpf: the datapath FIB is full (%u IPv4, %u IPv6 routes missing): %s%s forwarded by the kernel until they fit; raise table-size",
			  dp_missing_n[0], dp_missing_n[1],
			  flags & DP_META_F_FIB4_INCOMPLETE ? "IPv4 " : "",
			  flags & DP_META_F_FIB6_INCOMPLETE ? "IPv6 " : "");
	else
		zlog_notice("ebpf: every route fits the datapath FIB again");
	dp_meta_flags = flags;
}

static void dp_route_set_missing(struct dp_route *r, bool missing)
{
	if (r->in_missing == missing)
		return;
	r->in_missing = missing;
	if (missing) {
		dp_missing_add_tail(&dp_missing, r);
		dp_missing_n[r->family == AF_INET6]++;
	} else {
		dp_missing_del(&dp_missing, r);
		dp_missing_n[r->family == AF_INET6]--;
	}
}

static int dp_route_fib_set(const struct dp_route *r,
			    const struct dp_rt_val *val)
{
	if (!dp_fib)
		return -ENODEV;
	if (r->family == AF_INET)
		return val ? dp_fib_add4(dp_fib, r->addr.ipv4.s_addr,
					 r->prefixlen, val)
			   : dp_fib_del4(dp_fib, r->addr.ipv4.s_addr,
					 r->prefixlen);
	return val ? dp_fib_add6(dp_fib, (const uint32_t *)&r->addr.ipv6,
				 r->prefixlen, val)
		   : dp_fib_del6(dp_fib, (const uint32_t *)&r->addr.ipv6,
				 r->prefixlen);
}

/* What r asks of the datapath: a local address wins over zebra's route. */
static void dp_route_value(const struct dp_route *r, struct dp_rt_val *val)
{
	memset(val, 0, sizeof(*val));
	if (r->local)
		val->type = DP_RT_LOCAL;
	else if (r->has_route)
		*val = r->val;
}

/*
 * Make the datapath's entries for r what r says they should be: the FIB
 * the packets use, and rt_v4_map/rt_v6_map, the truth that show commands
 * and bpftool read. Before the maps exist only the table is kept;
 * dp_route_sync_all() writes it all once they do.
 */
static int dp_route_write(struct dp_route *r)
{
	union dp_rt_key key;
	struct dp_rt_val val;
	enum dp_map_id map = dp_route_key(r, &key);
	int fd = dp_map_fd(map);
	int ret;

	if (!dp_maps_ready())
		return 0;
	dp_route_value(r, &val);

	if (val.type == DP_RT_NONE) {
		/* Also when missing: an update that did not fit leaves the
		 * previous value in the FIB. */
		dp_route_fib_set(r, NULL);
		dp_route_set_missing(r, false);
		dp_fib_freed = true;
		if (bpf_map_delete_elem(fd, &key) && errno != ENOENT)
			return -errno;
		DP_STAT_INC(route_del);
		return 0;
	}

	ret = dp_route_fib_set(r, &val);
	dp_route_set_missing(r, ret != 0);
	if (ret) {
		DP_STAT_INC(route_fail);
		zlog_warn("ebpf: cannot add %pFX to the datapath FIB: %s (its packets go to the kernel)",
			  &(struct prefix){ .family = r->family,
					    .prefixlen = r->prefixlen,
					    .u.prefix6 = r->addr.ipv6 },
			  safe_strerror(-ret));
	}
	if (bpf_map_update_elem(fd, &key, &val, BPF_ANY)) {
		ret = -errno;
		DP_STAT_INC(route_fail);
		zlog_warn("ebpf: cannot write %s entry %pFX: %s",
			  dp_map_name(map),
			  &(struct prefix){ .family = r->family,
					    .prefixlen = r->prefixlen,
					    .u.prefix6 = r->addr.ipv6 },
			  safe_strerror(-ret));
		return ret;
	}
	dp_sync_touch(map, &key);
	DP_STAT_INC(route_add);
	return ret;
}

int dp_route_maps_ready(void)
{
	struct dp_fib_maps m = {
		.val_fd = dp_map_fd(DP_MAP_FIB_VAL),
		.vals_max = dp_map_max_entries(DP_MAP_FIB_VAL),
		.tbl24_fd = dp_map_fd(DP_MAP_FIB4_TBL24),
		.tbl8_fd = dp_map_fd(DP_MAP_FIB4_TBL8),
		.tbl8_groups = dp_map_max_entries(DP_MAP_FIB4_TBL8),
		.fib6_fd = dp_map_fd(DP_MAP_FIB6),
		.fib6_max = dp_map_max_entries(DP_MAP_FIB6),
	};
	struct dp_route *r;

	dp_fib = dp_fib_open(&m);
	if (!dp_fib) {
		zlog_err("ebpf: cannot set up the datapath FIB: %s",
			 safe_strerror(errno));
		return -errno;
	}
	frr_each (dp_routes, &dp_routes, r)
		dp_route_write(r);
	dp_route_batch_done();
	return 0;
}

void dp_route_maps_closing(void)
{
	if (dp_fib)
		dp_fib_close(dp_fib);
	dp_fib = NULL;
}

/* FIB figures for show commands (main pthread): a copy refreshed by the
 * owner after each batch, under a lock that is never held for long. */
static pthread_mutex_t dp_fib_stats_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct dp_fib_stats dp_fib_stats_copy;

/* Owner thread, after each batch: retry what did not fit (space may have
 * been freed), then tell the datapath whether a family is incomplete. */
void dp_route_batch_done(void)
{
	struct dp_rt_val val;
	struct dp_route *r;
	uint32_t n = MIN(dp_missing_count(&dp_missing), DP_MISSING_RETRY);

	if (!dp_fib)
		return;
	if (!dp_fib_freed)
		n = 0;
	dp_fib_freed = false;
	while (n-- && (r = dp_missing_pop(&dp_missing))) {
		/* Back of the queue: the next retry starts elsewhere. */
		dp_missing_add_tail(&dp_missing, r);
		dp_route_value(r, &val);
		if (dp_route_fib_set(r, &val) == 0)
			dp_route_set_missing(r, false);
	}
	dp_route_meta_update();
	dp_route_publish_stats();
}

void dp_route_publish_stats(void)
{
	struct dp_fib_stats st = {};

	if (dp_fib)
		dp_fib_stats(dp_fib, &st);
	frr_with_mutex (&dp_fib_stats_mtx)
		dp_fib_stats_copy = st;
}

void dp_route_fib_stats(struct dp_fib_stats *st)
{
	frr_with_mutex (&dp_fib_stats_mtx)
		*st = dp_fib_stats_copy;
}

static struct dp_route *dp_route_get(int family, uint8_t plen,
				     const void *addr, bool create)
{
	struct dp_route lookup = { .family = family, .prefixlen = plen };
	struct dp_route *r;

	memcpy(&lookup.addr, addr, family == AF_INET ? 4 : 16);
	r = dp_routes_find(&dp_routes, &lookup);
	if (r || !create)
		return r;
	r = XCALLOC(MTYPE_EBPF_ROUTE, sizeof(*r));
	*r = lookup;
	dp_routes_add(&dp_routes, r);
	atomic_fetch_add_explicit(&dp_route_n[family == AF_INET6], 1,
				  memory_order_relaxed);
	return r;
}

static void dp_route_put(struct dp_route *r)
{
	if (r->local || r->has_route)
		return;
	dp_routes_del(&dp_routes, r);
	atomic_fetch_sub_explicit(&dp_route_n[r->family == AF_INET6], 1,
				  memory_order_relaxed);
	XFREE(MTYPE_EBPF_ROUTE, r);
}

/* Forget zebra's route for r, dropping its group reference. */
static void dp_route_clear(struct dp_route *r)
{
	if (r->has_route && r->val.type == DP_RT_NHG)
		dp_nhg_unref(r->val.nhg_id);
	r->has_route = false;
	memset(&r->val, 0, sizeof(r->val));
}

/* First active, non-recursive nexthop of the route (for connected). */
static const struct nexthop *dp_route_first_nh(const struct nexthop_group *ng)
{
	const struct nexthop *nh;

	for (ALL_NEXTHOPS_PTR(ng, nh)) {
		if (CHECK_FLAG(nh->flags, NEXTHOP_FLAG_RECURSIVE))
			continue;
		if (NEXTHOP_IS_ACTIVE(nh->flags))
			return nh;
	}
	return NULL;
}

/*
 * Translate zebra's view of a route into what the datapath needs.
 * Returns false when the datapath cannot serve the route (no usable
 * nexthop): the kernel still has it, packets are passed up.
 */
static bool dp_route_translate(struct zebra_dplane_ctx *ctx,
			       struct dp_rt_val *val)
{
	const struct nexthop_group *ng = dplane_ctx_get_ng(ctx);
	const struct nexthop *nh = dp_route_first_nh(ng);
	uint32_t id;

	memset(val, 0, sizeof(*val));
	if (!nh)
		return false;

	if (nh->type == NEXTHOP_TYPE_BLACKHOLE) {
		val->type = DP_RT_SPECIAL;
		return true;
	}
	if (dplane_ctx_get_type(ctx) == ZEBRA_ROUTE_CONNECT) {
		val->type = DP_RT_CONNECTED;
		val->ifindex = nh->ifindex;
		return nh->ifindex != 0;
	}

	/* zebra's installed NHE id; system routes carry only the route's
	 * own NHE id. Either names one exact nexthop set. */
	id = dplane_ctx_get_nhe_id(ctx);
	if (!id)
		id = dplane_ctx_get_nhg_id(ctx);
	if (!id || dp_nhg_ref(id, ng))
		return false;
	val->type = DP_RT_NHG;
	val->nhg_id = id;
	return true;
}

int dp_route_ctx(struct zebra_dplane_ctx *ctx)
{
	enum dplane_op_e op = dplane_ctx_get_op(ctx);
	const struct prefix *p = dplane_ctx_get_dest(ctx);
	struct dp_route *r;
	struct dp_rt_val val;
	bool del = op == DPLANE_OP_ROUTE_DELETE ||
		   op == DPLANE_OP_SYS_ROUTE_DELETE;
	int ret;

	if (p->family != AF_INET && p->family != AF_INET6)
		return 0;
	/* Only the default VRF's main table for now: others stay kernel-only. */
	if (dplane_ctx_get_vrf(ctx) != VRF_DEFAULT ||
	    dplane_ctx_get_table(ctx) != RT_TABLE_MAIN) {
		DP_STAT_INC(route_skip_vrf);
		return 0;
	}

	r = dp_route_get(p->family, p->prefixlen, &p->u.prefix, !del);
	if (!r)
		return 0;

	if (del) {
		dp_route_clear(r);
		ret = dp_route_write(r);
		dp_route_put(r);
		return ret;
	}

	if (!dp_route_translate(ctx, &val)) {
		DP_STAT_INC(route_skip_nh);
		dp_route_clear(r);
		ret = dp_route_write(r);
		dp_route_put(r);
		return ret;
	}
	/* Take the new group reference before dropping the old one so a
	 * group shared by both is never freed in between. */
	dp_route_clear(r);
	r->val = val;
	r->has_route = true;
	dp_dbg("route %pFX -> type %u nhg %u ifindex %u", p, val.type,
	       val.nhg_id, val.ifindex);
	return dp_route_write(r);
}

void dp_route_local_update(int family, const union g_addr *addr, bool add)
{
	uint8_t plen = family == AF_INET ? 32 : 128;
	struct dp_route *r;

	r = dp_route_get(family, plen, addr, add);
	if (!r)
		return;
	r->local = add;
	dp_route_write(r);
	dp_route_put(r);
}
