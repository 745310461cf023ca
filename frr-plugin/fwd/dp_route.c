// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one place where a route becomes a datapath FIB entry.
 *
 * zebra hands us its routes (ROUTE_INSTALL/UPDATE/DELETE) and the kernel's
 * own connected and kernel routes as notifications (SYS_ROUTE_ADD/DELETE);
 * the local-table mirror (dp_local.c) adds the router's own and broadcast
 * addresses. A route points at a nexthop-group id; the group's paths live
 * in nh_map, so a nexthop change is one nh_map write however many routes
 * use it.
 *
 * A route the FIB cannot take must not be answered by a shorter covering
 * route: its own range goes into the punt map, which sends exactly that
 * range to the kernel; only if the punt map is full too does the family
 * go to the kernel as a whole. Deletions free space; each batch retries
 * what is missing.
 */

#include "config.h"

#include <pthread.h>
#include <time.h>

#include <bpf/bpf.h>

#include "lib/zebra.h"
#include "lib/prefix.h"
#include "lib/nexthop.h"
#include "lib/nexthop_group.h"
#include "lib/typesafe.h"
#include "lib/jhash.h"
#include "lib/memory.h"
#include "lib/frr_pthread.h"
#include "lib/thread.h"
#include "zebra/zebra_dplane.h"

#include <linux/lwtunnel.h>

#include "dp_abi.h"
#include "core/dp_hash.h"
#include "core/dp_hooks.h"
#include "core/dp_plugin.h"
#include "core/dp_stall.h"
#include "core/dp_stats.h"
#include "maps/dp_maps.h"
#include "maps/dp_sync.h"
#include "kernel/dp_link.h"
#include "kernel/dp_nlutil.h"
#include "fib/dp_fib.h"
#include "fwd/dp_nhg.h"
#include "fwd/dp_route.h"

DEFINE_MTYPE_STATIC(EBPF, EBPF_ROUTE, "eBPF route mirror");

PREDECL_HASH(dp_routes);
PREDECL_DLIST(dp_missing);
PREDECL_DLIST(dp_onlink);
PREDECL_DLIST(dp_truth_dirty);

/* What the plugin knows of one prefix: zebra's route, the local table's
 * entry, and what the datapath holds for it. */
struct dp_route {
	struct dp_routes_item item;
	struct dp_missing_item missing_item; /* on dp_missing while missing */
	struct dp_onlink_item onlink_item;   /* on dp_onlink while on_link */
	struct dp_truth_dirty_item dirty_item; /* on dp_truth_dirty while dirty */
	bool missing;	  /* not as it should be in the datapath: retried */
	bool punted;	  /* its range is in the punt map */
	bool unpunted;	  /* should be punted, the punt map refused it */
	bool in_truth;	  /* rt_v4_map / rt_v6_map is to hold it (counted) */
	bool truth_written; /* ... and holds it now */
	bool truth_dirty; /* its entry there is still to be written */
	bool on_link;	  /* zebra's route is CONNECTED (egress-dependent) */
	uint8_t family;
	uint8_t prefixlen;
	uint8_t local;	  /* DP_RT_LOCAL/BROADCAST from the local table, or 0 */
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
DECLARE_DLIST(dp_onlink, struct dp_route, onlink_item);
DECLARE_DLIST(dp_truth_dirty, struct dp_route, dirty_item);

static struct dp_routes_head dp_routes = INIT_HASH(dp_routes);
/* Routes the module arguments size the datapath for (dp_hash.h). */
static uint32_t dp_routes_expected;
static _Atomic uint32_t dp_route_n[2];

/* Index of a family in per-family arrays. */
static inline int dp_af(int family)
{
	return family == AF_INET6;
}

static inline uint8_t dp_af_maxlen(int family)
{
	return family == AF_INET ? 32 : 128;
}

uint32_t dp_route_count(int family)
{
	return atomic_load_explicit(&dp_route_n[dp_af(family)],
				    memory_order_relaxed);
}

union dp_rt_key {
	struct dp_rt4_key v4;
	struct dp_rt6_key v6;
};

/* Builds the LPM key; returns the rt map it belongs to. */
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

static struct prefix *dp_route_prefix(const struct dp_route *r,
				      struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = r->family;
	p->prefixlen = r->prefixlen;
	memcpy(&p->u.prefix, &r->addr, r->family == AF_INET ? 4 : 16);
	return p;
}

/* The datapath's own lookup structure (dp_fib.h); NULL until loaded. */
static struct dp_fib *dp_fib;
/* Routes it took over from an earlier run (dp_route_adopt_fib). */
static uint32_t dp_adopted_routes;
/*
 * Those routes themselves until the resync, sorted, and which of them
 * left the FIB since: zebra has not replayed them all yet, so only this
 * list tells show commands what the FIB holds beside the route table.
 */
static struct dp_fib_route *dp_adopted;
static uint8_t *dp_adopted_gone;
static size_t dp_adopted_n;

/* What the FIB answers for a route it has no room for. */
static const struct dp_rt_val dp_punt_val = { .type = DP_RT_PUNT };

/* ------------------------------------------------- routes that do not fit */

static struct dp_missing_head dp_missing = INIT_DLIST(dp_missing);
static bool dp_fib_freed; /* a route left the FIB since the last retry */
/* Ranges in the punt maps (missing routes and local ranges), those the
 * punt map could not take, and the routes that did not fit. */
static uint32_t dp_punted_n[2];
static uint32_t dp_unpunted_n[2];
static _Atomic uint32_t dp_missing_n[2];

/* At most this many missing routes are retried per batch. */
#define DP_MISSING_RETRY 256

uint32_t dp_route_punted_count(int family)
{
	return atomic_load_explicit(&dp_missing_n[dp_af(family)],
				    memory_order_relaxed);
}

/* Whether the first route of an episode that did not fit was logged,
 * per family: one line per episode, not one per route. */
static bool dp_miss_logged[2];

/* Tell the datapath which punt maps are in use and which families it
 * must hand over whole; log when that changes. */
static void dp_route_meta_update(void)
{
	static bool incomplete_logged;
	const uint32_t mask = DP_META_F_PUNT4 | DP_META_F_PUNT6 |
			      DP_META_F_FIB4_INCOMPLETE |
			      DP_META_F_FIB6_INCOMPLETE;
	uint32_t want = (dp_punted_n[0] ? DP_META_F_PUNT4 : 0) |
			(dp_punted_n[1] ? DP_META_F_PUNT6 : 0) |
			(dp_unpunted_n[0] ? DP_META_F_FIB4_INCOMPLETE : 0) |
			(dp_unpunted_n[1] ? DP_META_F_FIB6_INCOMPLETE : 0);
	bool incomplete = dp_unpunted_n[0] || dp_unpunted_n[1];

	if (dp_meta_set_flags(mask, want))
		zlog_err("ebpf: cannot update meta_map: %s",
			 safe_strerror(errno));
	if (incomplete && !incomplete_logged)
		zlog_warn("ebpf: the punt map is full too: every %s%s destination goes to the kernel until routes fit again; raise the module's table sizes",
			  dp_unpunted_n[0] ? "IPv4 " : "",
			  dp_unpunted_n[1] ? "IPv6 " : "");
	incomplete_logged = incomplete;
	if ((dp_miss_logged[0] || dp_miss_logged[1]) && !dp_missing_n[0] &&
	    !dp_missing_n[1])
		zlog_notice("ebpf: every route fits the datapath FIB again");
	for (int af = 0; af < 2; af++)
		if (!dp_missing_n[af])
			dp_miss_logged[af] = false;
}

static void dp_route_set_missing(struct dp_route *r, bool missing)
{
	if (r->missing == missing)
		return;
	r->missing = missing;
	if (missing) {
		dp_missing_add_tail(&dp_missing, r);
		atomic_fetch_add_explicit(&dp_missing_n[dp_af(r->family)], 1,
					  memory_order_relaxed);
	} else {
		dp_missing_del(&dp_missing, r);
		atomic_fetch_sub_explicit(&dp_missing_n[dp_af(r->family)], 1,
					  memory_order_relaxed);
	}
}

static void dp_route_set_unpunted(struct dp_route *r, bool unpunted)
{
	if (r->unpunted == unpunted)
		return;
	r->unpunted = unpunted;
	if (unpunted)
		dp_unpunted_n[dp_af(r->family)]++;
	else
		dp_unpunted_n[dp_af(r->family)]--;
}

/*
 * The punt map holds r's range with reason, or (reason 0) does not. A
 * range the punt map cannot take is covered by the family flag instead
 * (dp_route_meta_update) until a retry succeeds.
 */
static void dp_route_punt(struct dp_route *r, enum dp_reason reason)
{
	struct dp_punt val = { .reason = reason };
	union dp_rt_key key;
	int af = dp_af(r->family);
	int fd = dp_map_fd(af ? DP_MAP_PUNT6 : DP_MAP_PUNT4);

	dp_route_key(r, &key);
	if (reason) {
		if (bpf_map_update_elem(fd, &key, &val, BPF_ANY) == 0) {
			if (!r->punted)
				dp_punted_n[af]++;
			r->punted = true;
		}
		/* A failed update leaves an existing entry as it was. */
		dp_route_set_unpunted(r, !r->punted);
		return;
	}
	dp_route_set_unpunted(r, false);
	if (r->punted) {
		bpf_map_delete_elem(fd, &key);
		dp_punted_n[af]--;
		r->punted = false;
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

/* ------------------------------------------------------ what r asks for */

/*
 * The value the FIB should give r's prefix: the local table wins over
 * zebra's route; an on-link route through an interface the datapath
 * cannot send on is the kernel's.
 */
static void dp_route_value(const struct dp_route *r, struct dp_rt_val *val)
{
	memset(val, 0, sizeof(*val));
	if (r->local) {
		val->type = r->local;
		return;
	}
	if (!r->has_route)
		return;
	*val = r->val;
	if (val->type == DP_RT_CONNECTED &&
	    dp_link_egress(val->ifindex) == DP_EGRESS_KERNEL) {
		val->type = DP_RT_KERNEL;
		val->ifindex = 0;
	}
}

/*
 * A local-table range shorter than a host route (127/8 on lo, an
 * `ip route add local 10.0.0.0/8 dev lo`): the kernel answers for the
 * whole range before its main table, so the range goes to it.
 */
static bool dp_route_local_range(const struct dp_route *r)
{
	return r->local && r->prefixlen < dp_af_maxlen(r->family);
}

static void dp_route_log_miss(const struct dp_route *r, int err)
{
	struct prefix p;

	DP_STAT_INC(route_fail);
	if (dp_miss_logged[dp_af(r->family)]) {
		dp_dbg("%pFX did not fit the datapath FIB: %s",
		       dp_route_prefix(r, &p), safe_strerror(-err));
		return;
	}
	dp_miss_logged[dp_af(r->family)] = true;
	zlog_warn("ebpf: %pFX and any further %s route that does not fit the datapath FIB (%s) are forwarded by the kernel; `show ebpf dataplane` counts them",
		  dp_route_prefix(r, &p), r->family == AF_INET ? "IPv4" : "IPv6",
		  safe_strerror(-err));
}

/*
 * rt_v4_map / rt_v6_map: what show commands and bpftool read. They hold
 * what the datapath holds, so their size (the module's ipv4-routes and
 * ipv6-routes) is the number of routes of each family the datapath takes;
 * a route beyond it is punted like one the FIB could not take.
 */
static uint32_t dp_truth_n[2];

static bool dp_route_truth_full(const struct dp_route *r)
{
	union dp_rt_key key;

	return !r->in_truth &&
	       dp_truth_n[dp_af(r->family)] >=
		       dp_map_max_entries(dp_route_key(r, &key));
}

/*
 * The update-side copy is written after the FIB, when zebra's dplane
 * pthread has had no context for DP_TRUTH_IDLE_MS: one bpf() call per
 * route (1.6-2.8 us, 60-90 % of the plugin's cost per route) is not paid
 * while a table is being installed (issue 9). What is to be written is
 * kept per route (a route that changes twice is written once, with its
 * latest value); a route that leaves after its entry was written leaves
 * the key to delete. Deletions go first, so a prefix deleted and added
 * again ends up present. The capacity (dp_truth_n) counts what is to be
 * held, at once, so the decision to punt a route does not wait.
 */
static struct dp_truth_dirty_head dp_truth_dirty = INIT_DLIST(dp_truth_dirty);

struct dp_truth_del {
	struct dp_truth_del *next;
	enum dp_map_id map;
	union dp_rt_key key;
};
static struct dp_truth_del *dp_truth_dels, **dp_truth_dels_tail = &dp_truth_dels;

#define DP_TRUTH_IDLE_MS 100
#define DP_TRUTH_BUDGET_NS (2 * 1000 * 1000)
/*
 * Routes that never stop changing would keep the copy waiting for ever:
 * once its oldest pending entry is 30 s old it is written even while
 * contexts come, a slice every DP_TRUTH_BUSY_MS (4 % of the pthread).
 */
#define DP_TRUTH_MAX_WAIT_NS (30ULL * 1000 * 1000 * 1000)
#define DP_TRUTH_BUSY_MS 50
static struct thread *dp_truth_timer;
static uint64_t dp_truth_since; /* when the oldest pending write came; 0: none */
static uint64_t dp_truth_last_batch; /* when the last batch of contexts ended */

static void dp_truth_dirty_set(struct dp_route *r, bool dirty)
{
	if (r->truth_dirty == dirty)
		return;
	r->truth_dirty = dirty;
	if (dirty)
		dp_truth_dirty_add_tail(&dp_truth_dirty, r);
	else
		dp_truth_dirty_del(&dp_truth_dirty, r);
}

/* r's entry is in the map and must go: its key outlives r. */
static void dp_truth_queue_delete(struct dp_route *r)
{
	struct dp_truth_del *d;

	if (!r->truth_written)
		return;
	d = XCALLOC(MTYPE_EBPF_ROUTE, sizeof(*d));
	d->map = dp_route_key(r, &d->key);
	*dp_truth_dels_tail = d;
	dp_truth_dels_tail = &d->next;
	r->truth_written = false;
}

static int dp_route_truth_write(struct dp_route *r, const struct dp_rt_val *val)
{
	int af = dp_af(r->family);

	if (!val) {
		if (!r->in_truth)
			return 0;
		dp_truth_dirty_set(r, false);
		dp_truth_queue_delete(r);
		r->in_truth = false;
		dp_truth_n[af]--;
		return 0;
	}
	if (dp_route_truth_full(r))
		return -ENOSPC;
	if (!r->in_truth)
		dp_truth_n[af]++;
	r->in_truth = true;
	dp_truth_dirty_set(r, true);
	return 0;
}

/* Write r's entry as r now says (owner pthread). */
static void dp_truth_flush_one(struct dp_route *r)
{
	union dp_rt_key key;
	enum dp_map_id map = dp_route_key(r, &key);
	struct dp_rt_val v;

	dp_route_value(r, &v);
	if (r->punted || r->missing)
		v.flags |= DP_RT_F_PUNTED;
	if (bpf_map_update_elem(dp_map_fd(map), &key, &v, BPF_ANY)) {
		struct prefix p;

		DP_STAT_INC(truth_write_failed);
		dp_dbg("cannot write %s entry %pFX: %s", dp_map_name(map),
		       dp_route_prefix(r, &p), safe_strerror(errno));
		return;
	}
	r->truth_written = true;
	dp_sync_touch(map, &key);
}

static void dp_truth_flush(struct thread *t)
{
	uint64_t start = dp_stall_now();
	struct dp_truth_del *d;
	struct dp_route *r;
	unsigned int n = 0;

	if (!dp_maps_ready())
		return;
	frr_with_privs (dp_privs()) {
		while ((d = dp_truth_dels)) {
			if ((++n & 63) == 0 &&
			    dp_stall_now() - start > DP_TRUTH_BUDGET_NS)
				break;
			dp_truth_dels = d->next;
			if (!dp_truth_dels)
				dp_truth_dels_tail = &dp_truth_dels;
			bpf_map_delete_elem(dp_map_fd(d->map), &d->key);
			XFREE(MTYPE_EBPF_ROUTE, d);
		}
		while (!dp_truth_dels && (r = dp_truth_dirty_pop(&dp_truth_dirty))) {
			r->truth_dirty = false;
			dp_truth_flush_one(r);
			if ((++n & 63) == 0 &&
			    dp_stall_now() - start > DP_TRUTH_BUDGET_NS)
				break;
		}
	}
	if (!dp_truth_dels && !dp_truth_dirty_count(&dp_truth_dirty)) {
		dp_truth_since = 0;
		return;
	}
	/* more to do: again soon, or a slice now and then while contexts
	 * come (we are overdue) */
	thread_add_timer_msec(dp_owner_master(), dp_truth_flush, NULL,
			      dp_stall_now() - dp_truth_last_batch <
					      DP_TRUTH_IDLE_MS * 1000000ULL
				      ? DP_TRUTH_BUSY_MS
				      : 1,
			      &dp_truth_timer);
}

/* After each batch: the copy waits until the batches stop coming. */
static void dp_truth_schedule(void)
{
	uint64_t now = dp_stall_now();

	dp_truth_last_batch = now;
	if (!dp_truth_dels && !dp_truth_dirty_count(&dp_truth_dirty))
		return;
	if (!dp_truth_since)
		dp_truth_since = now;
	if (now - dp_truth_since > DP_TRUTH_MAX_WAIT_NS) {
		/* overdue: a slice now and then, contexts or not */
		if (!dp_truth_timer ||
		    thread_timer_remain_msec(dp_truth_timer) > DP_TRUTH_BUSY_MS) {
			THREAD_OFF(dp_truth_timer);
			thread_add_timer_msec(dp_owner_master(), dp_truth_flush,
					      NULL, DP_TRUTH_BUSY_MS,
					      &dp_truth_timer);
		}
		return;
	}
	THREAD_OFF(dp_truth_timer);
	thread_add_timer_msec(dp_owner_master(), dp_truth_flush, NULL,
			      DP_TRUTH_IDLE_MS, &dp_truth_timer);
}

/*
 * Nothing more will be written (maps closing): drop what is pending. Runs
 * on zebra's main pthread once the owner pthread has stopped (or before it
 * started): its timer never runs again and cannot be cancelled from here
 * (libfrr asserts that a timer is cancelled by its own pthread).
 */
static void dp_truth_drop(void)
{
	struct dp_truth_del *d;
	struct dp_route *r;

	dp_truth_timer = NULL;
	dp_truth_since = 0;
	while ((d = dp_truth_dels)) {
		dp_truth_dels = d->next;
		XFREE(MTYPE_EBPF_ROUTE, d);
	}
	dp_truth_dels_tail = &dp_truth_dels;
	while ((r = dp_truth_dirty_pop(&dp_truth_dirty)))
		r->truth_dirty = false;
}

/*
 * Make the datapath's entries for r what r says they should be. A route
 * that does not fit leaves nothing of an earlier value behind: its range
 * is punted instead.
 */
static int dp_route_write(struct dp_route *r)
{
	struct dp_rt_val val;
	int ret;

	if (!dp_maps_ready())
		return 0;
	dp_route_value(r, &val);

	if (val.type == DP_RT_NONE || dp_route_local_range(r)) {
		/* Also when missing: drop whatever an update left. */
		dp_route_fib_set(r, NULL);
		dp_route_punt(r, dp_route_local_range(r) ? DP_R_PASS_LOCAL
							  : 0);
		dp_route_set_missing(r, r->unpunted);
		dp_fib_freed = true;
		if (val.type == DP_RT_NONE) {
			DP_STAT_INC(route_del);
			return dp_route_truth_write(r, NULL);
		}
		DP_STAT_INC(route_add);
		return dp_route_truth_write(r, &val);
	}

	ret = dp_route_truth_full(r) ? -ENOSPC : dp_route_fib_set(r, &val);
	if (ret) {
		/*
		 * Its own range, and only that, goes to the kernel: the FIB
		 * answers "no room" for exactly this prefix (which needs no
		 * value id, and for IPv4 no new tbl8 group unless the prefix
		 * is longer than /24), and the punt map takes what not even
		 * that fits.
		 */
		if (dp_route_fib_set(r, &dp_punt_val) == 0) {
			dp_route_punt(r, 0);
		} else {
			dp_route_fib_set(r, NULL);
			dp_route_punt(r, DP_R_PASS_FIB_FULL);
		}
		dp_route_set_missing(r, true);
		dp_route_log_miss(r, ret);
	} else {
		dp_route_set_missing(r, false);
		dp_route_punt(r, 0);
		DP_STAT_INC(route_add);
	}
	return dp_route_truth_write(r, &val);
}

int dp_route_fib_answer(int family, const void *addr, uint32_t *val_id)
{
	const struct dp_fib *fib = dp_fib;

	if (!fib || !dp_maps_ready())
		return -ENODEV;
	if (family == AF_INET) {
		uint32_t a;

		memcpy(&a, addr, sizeof(a));
		*val_id = dp_fib_lookup4(fib, a);
	} else {
		uint32_t a[4];

		memcpy(a, addr, sizeof(a));
		*val_id = dp_fib_lookup6(fib, a);
	}
	return 0;
}

/* ------------------------------------------------------- FIB lifecycle */

/* Adds rt map `map`'s routes to *out (grown as needed): the copy an
 * earlier run kept of what its FIB held. */
static int dp_route_read_truth(enum dp_map_id map, struct dp_fib_route **out,
			       size_t *n, size_t *cap)
{
	union dp_rt_key key, *prev = NULL;
	int fd = dp_map_fd(map);
	struct dp_fib_route *r;
	struct dp_rt_val v;

	while (bpf_map_get_next_key(fd, prev, &key) == 0) {
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 4096;
			*out = XREALLOC(MTYPE_EBPF_ROUTE, *out,
					*cap * sizeof(**out));
		}
		/* a local range: the FIB holds nothing for it, the punt map
		 * sends it to the kernel (dp_route_write) */
		if ((v.type == DP_RT_LOCAL || v.type == DP_RT_BROADCAST) &&
		    (map == DP_MAP_RT6 ? key.v6.prefixlen < 128
				       : key.v4.prefixlen < 32))
			continue;
		r = &(*out)[(*n)++];
		memset(r, 0, sizeof(*r));
		r->v6 = map == DP_MAP_RT6;
		r->plen = r->v6 ? key.v6.prefixlen : key.v4.prefixlen;
		memcpy(r->addr, r->v6 ? (void *)key.v6.addr : (void *)&key.v4.addr,
		       r->v6 ? 16 : 4);
		/* what the FIB held for it: its value, or "no room" */
		r->val = (v.flags & DP_RT_F_PUNTED) ? dp_punt_val : v;
		r->val.flags = 0;
	}
	return 0;
}

static int dp_fib_route_cmp(const void *a, const void *b)
{
	const struct dp_fib_route *x = a, *y = b;

	if (x->v6 != y->v6)
		return x->v6 ? 1 : -1;
	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

/* An adopted route leaves the FIB: not listed any more. */
static void dp_adopted_mark_gone(int family, uint8_t plen, const void *addr)
{
	struct dp_fib_route key = {.v6 = family == AF_INET6, .plen = plen};
	const struct dp_fib_route *hit;

	if (!dp_adopted)
		return;
	memcpy(key.addr, addr, family == AF_INET ? 4 : 16);
	hit = bsearch(&key, dp_adopted, dp_adopted_n, sizeof(key),
		      dp_fib_route_cmp);
	if (hit)
		dp_adopted_gone[hit - dp_adopted] = 1;
}

/* At the resync every adopted route is replayed or gone (owner pthread),
 * or at the end (main pthread, the owner stopped). */
static void dp_adopted_free(void)
{
	XFREE(MTYPE_EBPF_ROUTE, dp_adopted);
	XFREE(MTYPE_EBPF_ROUTE, dp_adopted_gone);
	dp_adopted_n = 0;
}

/*
 * A pass over every range chunk (the ranges coming on, a repack) goes a
 * few thousand chunks a commit: it goes on between batches, or without
 * them, every DP_FIB_PASS_MS on the owner pthread.
 */
#define DP_FIB_PASS_MS 5
static struct thread *dp_fib_pass_timer;

static void dp_fib_pass(struct thread *t);

static void dp_fib_pass_schedule(void)
{
	if (dp_fib && dp_fib_commit_pending(dp_fib))
		thread_add_timer_msec(dp_owner_master(), dp_fib_pass, NULL,
				      DP_FIB_PASS_MS, &dp_fib_pass_timer);
}

static void dp_fib_pass(struct thread *t)
{
	if (!dp_fib)
		return;
	dp_fib_commit(dp_fib);
	/* show commands read a copy the owner publishes */
	dp_route_publish_stats();
	dp_fib_pass_schedule();
}

static int dp_route_resync_done(void)
{
	dp_adopted_free();
	/* this run's programs read the maps now, and the routes are this
	 * run's: the IPv4 ranges are built */
	if (dp_fib) {
		dp_fib_ranges_start(dp_fib);
		dp_route_publish_stats();
	}
	dp_fib_pass_schedule();
	return 0;
}

/*
 * Maps reused: the FIB the programs read is taken over, not emptied, so
 * that forwarding goes on while zebra replays. The earlier run's routes
 * come from its copy in rt_v4_map / rt_v6_map (IPv6 from fib6_map itself);
 * where that copy lags the tables (a stop before a deferred write), the
 * tables follow the copy, entry by entry, until zebra's replay.
 */
static struct dp_fib *dp_route_adopt_fib(const struct dp_fib_maps *m)
{
	struct dp_fib_route *routes = NULL;
	size_t n = 0, cap = 0;
	struct dp_fib_adopted st;
	struct dp_fib *fib;
	uint64_t t0 = dp_stall_now();

	dp_route_read_truth(DP_MAP_RT4, &routes, &n, &cap);
	dp_route_read_truth(DP_MAP_RT6, &routes, &n, &cap);
	fib = dp_fib_adopt(m, routes, n, &st);
	if (fib && n) {
		qsort(routes, n, sizeof(*routes), dp_fib_route_cmp);
		dp_adopted = routes;
		dp_adopted_gone = XCALLOC(MTYPE_EBPF_ROUTE, n);
		dp_adopted_n = n;
	} else {
		XFREE(MTYPE_EBPF_ROUTE, routes);
	}
	if (!fib) {
		zlog_warn("ebpf: cannot take over the FIB an earlier run left (%s): it is emptied and filled as zebra replays its routes",
			  safe_strerror(errno));
		return NULL;
	}
	dp_adopted_routes = st.routes;
	zlog_notice("ebpf: took over the FIB an earlier run left: %u routes, %u IPv4 entries and %u IPv6 nodes rewritten, in %" PRIu64 " ms; routes zebra does not confirm go when zebra removes them or at the resync",
		    st.routes, st.v4_writes, st.v6_writes,
		    (dp_stall_now() - t0) / 1000000);
	return fib;
}

int dp_route_open_fib(bool reused, char *err, size_t errlen)
{
	struct dp_fib_maps m = {
		.val_fd = dp_map_fd(DP_MAP_FIB_VAL),
		.vals_max = dp_map_max_entries(DP_MAP_FIB_VAL),
		.tbl24_fd = dp_map_fd(DP_MAP_FIB4_TBL24),
		.tbl8_fd = dp_map_fd(DP_MAP_FIB4_TBL8),
		.tbl8_groups = dp_map_max_entries(DP_MAP_FIB4_TBL8),
		.fib6_fd = dp_map_fd(DP_MAP_FIB6),
		.fib6_max = dp_map_max_entries(DP_MAP_FIB6),
		.fib6_filter_fd = dp_map_fd(DP_MAP_FIB6_FILTER),
		.routes4 = dp_map_max_entries(DP_MAP_RT4),
		.dxr_dir_fd = dp_map_fd(DP_MAP_FIB4_DXR_DIR),
		.dxr_range_fd = dp_map_fd(DP_MAP_FIB4_DXR_RANGE),
		.dxr_range_blocks = dp_map_max_entries(DP_MAP_FIB4_DXR_RANGE),
		.dxr6_dir_fd = dp_map_fd(DP_MAP_FIB6_DXR_DIR),
		.dxr6_range_fd = dp_map_fd(DP_MAP_FIB6_DXR_RANGE),
		.dxr6_range_blocks = dp_map_max_entries(DP_MAP_FIB6_DXR_RANGE),
		/* an earlier run's programs read the maps until replaced */
		.dxr_hold = reused,
	};
	int ret;

	dp_routes_expected = dp_map_max_entries(DP_MAP_RT4) +
			     dp_map_max_entries(DP_MAP_RT6);
	dp_hash_presize(&dp_routes.hh, dp_routes_expected);
	dp_fib = reused ? dp_route_adopt_fib(&m) : NULL;
	if (!dp_fib)
		dp_fib = dp_fib_open(&m);
	if (!dp_fib) {
		ret = -errno;
		snprintf(err, errlen, "cannot set up the datapath FIB: %s",
			 safe_strerror(errno));
		return ret;
	}
	ret = dp_fib_reserve(dp_fib, &dp_punt_val);
	if (ret) {
		snprintf(err, errlen, "cannot set up the datapath FIB: %s",
			 safe_strerror(-ret));
		dp_route_maps_closing();
		return ret;
	}
	dp_route_publish_stats();
	return 0;
}

void dp_route_maps_closing(void)
{
	dp_truth_drop();
	dp_adopted_free();
	if (dp_fib)
		dp_fib_close(dp_fib);
	dp_fib = NULL;
}

/* FIB figures for show commands (main pthread): a copy refreshed by the
 * owner after each batch, under a lock that is never held for long. */
static pthread_mutex_t dp_fib_stats_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct dp_fib_stats dp_fib_stats_copy;

/* Owner thread, after each batch: retry what did not fit (space may have
 * been freed), then tell the datapath what is punted. */
void dp_route_batch_done(void)
{
	struct dp_route *r;
	uint32_t n = MIN(dp_missing_count(&dp_missing), DP_MISSING_RETRY);

	if (!dp_fib)
		return;
	if (!dp_fib_freed)
		n = 0;
	dp_fib_freed = false;
	while (n-- && (r = dp_missing_first(&dp_missing))) {
		/* Back of the queue: the next retry starts elsewhere. */
		dp_missing_del(&dp_missing, r);
		dp_missing_add_tail(&dp_missing, r);
		dp_route_write(r);
	}
	/* the ranges of the /16s and /20s this batch changed */
	dp_fib_commit(dp_fib);
	dp_fib_pass_schedule();
	dp_route_meta_update();
	dp_route_publish_stats();
	dp_truth_schedule();
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

/* ---------------------------------------------------- the route table */

static struct dp_onlink_head dp_onlink = INIT_DLIST(dp_onlink);

/* The table's key for a prefix: host bits set would make a second entry
 * for the same prefix. */
static void dp_route_key_of(int family, uint8_t plen, const void *addr,
			    struct dp_route *key)
{
	struct prefix p = { .family = family, .prefixlen = plen };
	size_t len = family == AF_INET ? 4 : 16;

	memcpy(&p.u.prefix, addr, len);
	apply_mask(&p);
	memset(key, 0, sizeof(*key));
	key->family = family;
	key->prefixlen = plen;
	memcpy(&key->addr, &p.u.prefix, len);
}

static struct dp_route *dp_route_get(int family, uint8_t plen,
				     const void *addr, bool create)
{
	struct dp_route lookup, *r;

	dp_route_key_of(family, plen, addr, &lookup);
	r = dp_routes_find(&dp_routes, &lookup);
	if (r || !create)
		return r;
	r = XCALLOC(MTYPE_EBPF_ROUTE, sizeof(*r));
	*r = lookup;
	/* the table has it now: the adopted copy is not listed again */
	dp_adopted_mark_gone(family, plen, &lookup.addr);
	if (!dp_routes.hh.tabshift)
		dp_hash_presize(&dp_routes.hh, dp_routes_expected);
	dp_routes_add(&dp_routes, r);
	atomic_fetch_add_explicit(&dp_route_n[dp_af(family)], 1,
				  memory_order_relaxed);
	return r;
}

static void dp_route_put(struct dp_route *r)
{
	if (r->local || r->has_route)
		return;
	dp_route_set_missing(r, false);
	dp_route_punt(r, 0);
	dp_truth_dirty_set(r, false);
	dp_truth_queue_delete(r);
	dp_routes_del(&dp_routes, r);
	atomic_fetch_sub_explicit(&dp_route_n[dp_af(r->family)], 1,
				  memory_order_relaxed);
	XFREE(MTYPE_EBPF_ROUTE, r);
}

static void dp_route_set_on_link(struct dp_route *r, bool on_link)
{
	if (r->on_link == on_link)
		return;
	r->on_link = on_link;
	if (on_link)
		dp_onlink_add_tail(&dp_onlink, r);
	else
		dp_onlink_del(&dp_onlink, r);
}

/* Forget zebra's route for r, dropping its group reference. */
static void dp_route_clear(struct dp_route *r)
{
	if (r->has_route && r->val.type == DP_RT_NHG)
		dp_nhg_unref(r->val.nhg_id);
	r->has_route = false;
	dp_route_set_on_link(r, false);
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
 * What the kernel holds for a route it made itself (ZEBRA_ROUTE_KERNEL)
 * can carry what zebra does not read, and what the datapath would then
 * forward without: a lightweight-tunnel encapsulation (`encap ip`, `encap
 * seg6`...), a route MTU. Ask the kernel for the entry (fibmatch): any of
 * those, or an answer for another prefix, leaves the route to the kernel.
 */
struct dp_kroute_check {
	const struct prefix *p;
	bool unmodelled;
};

static bool dp_kroute_attrs_unmodelled(struct rtattr **tb)
{
	struct rtattr *mx[RTAX_MAX + 1];

	if (tb[RTA_ENCAP_TYPE] || tb[RTA_ENCAP])
		return true;
	if (tb[RTA_METRICS]) {
		dp_nl_attrs(mx, RTAX_MAX, RTA_DATA(tb[RTA_METRICS]),
			    RTA_PAYLOAD(tb[RTA_METRICS]));
		if (mx[RTAX_MTU])
			return true;
	}
	return false;
}

static int dp_kroute_cb(const struct nlmsghdr *h, void *arg)
{
	struct dp_kroute_check *c = arg;
	const struct rtmsg *rtm = NLMSG_DATA(h);
	struct rtattr *tb[RTA_MAX + 1], *nt[RTA_MAX + 1];
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm));
	struct rtnexthop *rtnh;
	int rlen;

	c->unmodelled = true;
	if (len < 0 || h->nlmsg_type != RTM_NEWROUTE ||
	    rtm->rtm_dst_len != c->p->prefixlen)
		return 0;
	dp_nl_attrs(tb, RTA_MAX, RTM_RTA(rtm), len);
	if (dp_kroute_attrs_unmodelled(tb))
		return 0;
	if (tb[RTA_MULTIPATH]) {
		rlen = RTA_PAYLOAD(tb[RTA_MULTIPATH]);
		for (rtnh = RTA_DATA(tb[RTA_MULTIPATH]); RTNH_OK(rtnh, rlen);
		     rlen -= NLMSG_ALIGN(rtnh->rtnh_len), rtnh = RTNH_NEXT(rtnh)) {
			dp_nl_attrs(nt, RTA_MAX, RTNH_DATA(rtnh),
				    rtnh->rtnh_len - sizeof(*rtnh));
			if (nt[RTA_ENCAP_TYPE] || nt[RTA_ENCAP])
				return 0;
		}
	}
	c->unmodelled = false;
	return 0;
}

static bool dp_kroute_unmodelled(const struct prefix *p)
{
	uint8_t buf[NLMSG_SPACE(sizeof(struct rtmsg)) + RTA_SPACE(16)] = {};
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct rtmsg *rtm = NLMSG_DATA(h);
	struct dp_kroute_check c = { .p = p, .unmodelled = true };

	h->nlmsg_type = RTM_GETROUTE;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	rtm->rtm_family = p->family;
	rtm->rtm_dst_len = p->family == AF_INET ? 32 : 128;
	rtm->rtm_flags = RTM_F_FIB_MATCH;
	dp_nl_add_attr(h, sizeof(buf), RTA_DST, &p->u.prefix,
		       p->family == AF_INET ? 4 : 16);
	if (dp_nl_request(NETLINK_ROUTE, h, dp_kroute_cb, &c))
		return true;
	return c.unmodelled;
}

/*
 * Translate zebra's view of a route into what the datapath needs.
 * Returns false when the route has no usable nexthop: nothing is written
 * and packets find whatever else covers them, as in the kernel, which
 * keeps no such route either.
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

	/* A route MTU the datapath does not enforce, or what the kernel
	 * holds beside what zebra read: the kernel forwards. */
	if (dplane_ctx_get_mtu(ctx) || dplane_ctx_get_nh_mtu(ctx) ||
	    (dplane_ctx_get_type(ctx) == ZEBRA_ROUTE_KERNEL &&
	     dp_kroute_unmodelled(dplane_ctx_get_dest(ctx)))) {
		val->type = DP_RT_KERNEL;
		return true;
	}
	if (nh->type == NEXTHOP_TYPE_BLACKHOLE) {
		val->type = DP_RT_SPECIAL;
		return true;
	}
	if (dplane_ctx_get_type(ctx) == ZEBRA_ROUTE_CONNECT &&
	    dp_nh_is_plain(nh)) {
		val->type = DP_RT_CONNECTED;
		val->ifindex = nh->ifindex;
		return nh->ifindex != 0;
	}

	/* zebra's installed NHE id; system routes carry only the route's
	 * own NHE id. Either names one exact nexthop set. */
	id = dplane_ctx_get_nhe_id(ctx);
	if (!id)
		id = dplane_ctx_get_nhg_id(ctx);
	if (!id) {
		/* Nothing to name its nexthops by: the kernel's. */
		val->type = DP_RT_KERNEL;
		return true;
	}
	dp_nhg_ref(id, ng);
	val->type = DP_RT_NHG;
	val->nhg_id = id;
	return true;
}

/*
 * A route the FIB took over from an earlier run, unknown to this one:
 * zebra removed it (its sweep of what it found in the kernel) or the
 * resync did (the truth key swept). It leaves the FIB as the kernel
 * loses it.
 */
static void dp_route_forget_adopted(int family, uint8_t plen,
				    const void *addr)
{
	uint32_t a[4] = {};
	int ret;

	if (!dp_fib || !dp_adopted_routes)
		return;
	memcpy(a, addr, family == AF_INET ? 4 : 16);
	ret = family == AF_INET ? dp_fib_del4(dp_fib, a[0], plen)
				: dp_fib_del6(dp_fib, a, plen);
	if (ret == 0) {
		struct prefix gone = {.family = family, .prefixlen = plen};

		memcpy(&gone.u.prefix, addr, family == AF_INET ? 4 : 16);
		dp_dbg("route %pFX, taken over from an earlier run, left the FIB",
		       &gone);
		dp_adopted_mark_gone(family, plen, addr);
		dp_fib_freed = true;
		DP_STAT_INC(route_del);
	}
}

/* dp_sync's resync deleted an rt map key no write of this run touched. */
static void dp_route_truth_swept(enum dp_map_id map, const void *key)
{
	const union dp_rt_key *k = key;

	if (map == DP_MAP_RT4) {
		if (!dp_route_get(AF_INET, k->v4.prefixlen, &k->v4.addr, false))
			dp_route_forget_adopted(AF_INET, k->v4.prefixlen,
						&k->v4.addr);
		return;
	}
	if (!dp_route_get(AF_INET6, k->v6.prefixlen, k->v6.addr, false))
		dp_route_forget_adopted(AF_INET6, k->v6.prefixlen, k->v6.addr);
}

/*
 * The route table's bucket (stage 0) or the first route in it (stage 1,
 * once stage 0 had time to arrive), and the FIB's rule slot, of a route
 * context to come. At a million routes each lookup of a new prefix is a
 * cache miss in each table (perf: most of dp_route_get's and dp_fib_add4's
 * time); fetched while the context before it is handled, they overlap.
 */
void dp_route_prefetch(const struct zebra_dplane_ctx *ctx, int stage)
{
	const struct prefix *p = dplane_ctx_get_dest(ctx);
	const struct thash_head *hh = &dp_routes.hh;
	struct thash_item *const *bucket;
	struct dp_route key;

	if ((p->family != AF_INET && p->family != AF_INET6) || !hh->tabshift)
		return;
	dp_route_key_of(p->family, p->prefixlen, &p->u.prefix, &key);
	bucket = &hh->entries[HASH_KEY(*hh, dp_route_hash(&key))];
	if (stage == 0) {
		__builtin_prefetch(bucket);
		if (p->family == AF_INET && dp_fib)
			dp_fib_prefetch4(dp_fib, key.addr.ipv4.s_addr,
					 key.prefixlen);
		return;
	}
	if (*bucket)
		__builtin_prefetch(*bucket);
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
	/* Only the default VRF's main table: others stay kernel-only. */
	if (dplane_ctx_get_vrf(ctx) != VRF_DEFAULT ||
	    dplane_ctx_get_table(ctx) != RT_TABLE_MAIN) {
		DP_STAT_INC(route_skip_vrf);
		return 0;
	}

	r = dp_route_get(p->family, p->prefixlen, &p->u.prefix, !del);
	if (!r) {
		dp_route_forget_adopted(p->family, p->prefixlen,
					&p->u.prefix);
		return 0;
	}

	if (del) {
		dp_dbg("route %pFX deleted", p);
		dp_route_clear(r);
		ret = dp_route_write(r);
		dp_route_put(r);
		return ret;
	}

	if (!dp_route_translate(ctx, &val)) {
		DP_STAT_INC(route_skip_nh);
		dp_dbg("route %pFX without a nexthop the datapath can name",
		       p);
		dp_route_clear(r);
		ret = dp_route_write(r);
		dp_route_put(r);
		return ret;
	}
	if (val.type == DP_RT_KERNEL)
		DP_STAT_INC(route_unsupported);
	/* The new group reference is taken (translate) before the old one
	 * is dropped, so a group shared by both is never freed between. */
	dp_route_clear(r);
	r->val = val;
	r->has_route = true;
	dp_route_set_on_link(r, val.type == DP_RT_CONNECTED);
	dp_dbg("route %pFX -> type %u nhg %u ifindex %u", p, val.type,
	       val.nhg_id, val.ifindex);
	return dp_route_write(r);
}

/*
 * dp_local_changed: an entry of the kernel's local table (type DP_RT_LOCAL
 * or DP_RT_BROADCAST) appeared or went away. It wins over zebra's route
 * for the same prefix, and a local range shorter than a host route sends
 * its whole range to the kernel, as the local table is looked up first.
 */
static int dp_route_local_update(int family, const union g_addr *addr,
				 uint8_t plen, uint8_t type, bool add)
{
	struct dp_route *r;

	r = dp_route_get(family, plen, addr, add);
	if (!r)
		return 0;
	r->local = add ? type : 0;
	dp_route_write(r);
	dp_route_put(r);
	return 0;
}

/* dp_link_changed: routes on the link that do not go through a nexthop
 * group depend on its egress class. */
static int dp_route_intf_changed(int ifindex, bool egress_changed)
{
	struct dp_route *r;

	if (!egress_changed)
		return 0;
	frr_each (dp_onlink, &dp_onlink, r)
		if (r->val.ifindex == (uint32_t)ifindex)
			dp_route_write(r);
	return 0;
}

void dp_route_init(void)
{
	hook_register_prio(dp_link_changed, DP_HOOK_PRIO_ROUTE,
			   dp_route_intf_changed);
	hook_register(dp_local_changed, dp_route_local_update);
	dp_sync_on_sweep(DP_MAP_RT4, dp_route_truth_swept);
	dp_sync_on_sweep(DP_MAP_RT6, dp_route_truth_swept);
	hook_register(dp_resync_done, dp_route_resync_done);
}

/* ------------------------------------------- the list for show commands */

/* A show command has waited long enough for the dplane pthread. */
#define DP_ROUTE_LIST_WAIT_MS 5000

/*
 * A request of the main pthread, answered on the owner pthread. Whoever
 * lets go of it last frees it: the caller may stop waiting before the
 * answer comes.
 */
struct dp_route_list_req {
	pthread_mutex_t mtx;
	pthread_cond_t cond;
	int refs;
	bool done;
	int family;
	struct dp_route_entry *routes;
	size_t n;
};

static void dp_route_list_unref(struct dp_route_list_req *q)
{
	bool last;

	pthread_mutex_lock(&q->mtx);
	last = --q->refs == 0;
	pthread_mutex_unlock(&q->mtx);
	if (!last)
		return;
	XFREE(MTYPE_EBPF_ROUTE, q->routes);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->mtx);
	XFREE(MTYPE_EBPF_ROUTE, q);
}

/* Owner pthread: what rt_v4_map / rt_v6_map are to hold, now. */
static void dp_route_list_answer(struct thread *t)
{
	struct dp_route_list_req *q = THREAD_ARG(t);
	struct dp_route_entry *out;
	struct dp_route *r;
	size_t n = 0, cap = dp_routes_count(&dp_routes) + dp_adopted_n;

	out = XCALLOC(MTYPE_EBPF_ROUTE, (cap ? cap : 1) * sizeof(*out));
	frr_each (dp_routes, &dp_routes, r) {
		struct dp_route_entry *e;

		if (!r->in_truth || (q->family && r->family != q->family))
			continue;
		e = &out[n++];
		e->family = r->family;
		e->prefixlen = r->prefixlen;
		memcpy(e->addr, &r->addr,
		       r->family == AF_INET ? IPV4_MAX_BYTELEN
					    : IPV6_MAX_BYTELEN);
		dp_route_value(r, &e->val);
		if (r->punted || r->missing)
			e->val.flags |= DP_RT_F_PUNTED;
	}
	/* until the resync: what the FIB took over and zebra did not replay */
	for (size_t i = 0; i < dp_adopted_n; i++) {
		const struct dp_fib_route *a = &dp_adopted[i];
		int family = a->v6 ? AF_INET6 : AF_INET;
		struct dp_route_entry *e;

		/* gone: left the FIB, or the table took it (dp_route_get) */
		if (dp_adopted_gone[i] || (q->family && family != q->family))
			continue;
		e = &out[n++];
		e->family = family;
		e->prefixlen = a->plen;
		memcpy(e->addr, a->addr, sizeof(e->addr));
		e->val = a->val;
		if (a->val.type == DP_RT_PUNT)
			e->val.flags |= DP_RT_F_PUNTED;
	}
	pthread_mutex_lock(&q->mtx);
	q->routes = out;
	q->n = n;
	q->done = true;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->mtx);
	dp_route_list_unref(q);
}

int dp_route_list(int family, struct dp_route_entry **out, size_t *n)
{
	struct dp_route_list_req *q = XCALLOC(MTYPE_EBPF_ROUTE, sizeof(*q));
	pthread_condattr_t attr;
	struct timespec until;
	int ret = 0;

	/* a wait that a change of the wall clock does not stretch */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_mutex_init(&q->mtx, NULL);
	pthread_cond_init(&q->cond, &attr);
	pthread_condattr_destroy(&attr);
	q->refs = 2;
	q->family = family;
	dp_owner_post(dp_route_list_answer, q);

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += DP_ROUTE_LIST_WAIT_MS / 1000;
	pthread_mutex_lock(&q->mtx);
	while (!q->done && !ret)
		ret = pthread_cond_timedwait(&q->cond, &q->mtx, &until);
	if (q->done) {
		*out = q->routes;
		*n = q->n;
		q->routes = NULL;
		ret = 0;
	} else {
		ret = -ETIMEDOUT;
	}
	pthread_mutex_unlock(&q->mtx);
	dp_route_list_unref(q);
	return ret;
}

void dp_route_list_free(struct dp_route_entry *routes)
{
	XFREE(MTYPE_EBPF_ROUTE, routes);
}
