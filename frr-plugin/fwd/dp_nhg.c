// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one place where a zebra nexthop group becomes an nh_map entry.
 *
 * Each group is written as up to DP_NHG_MAX_PATHS pre-resolved paths (out
 * interface, both MACs, MTU, gateway) plus a bucket table for resilient
 * hashing, so the fast path needs one lookup per packet. Whatever a path
 * depends on (the neighbour's MAC, the interface's MAC/MTU/state) is
 * watched here, and the group is rewritten in one map update when it
 * changes: routes point at the group id and never need touching.
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
#include "zebra/zebra_dplane.h"

#include "dp_abi.h"
#include "dp_nhg_buckets.h"
#include "core/dp_hooks.h"
#include "core/dp_plugin.h"
#include "core/dp_stats.h"
#include "maps/dp_maps.h"
#include "maps/dp_sync.h"
#include "kernel/dp_link.h"
#include "kernel/dp_neigh.h"
#include "fwd/dp_nhg.h"

DEFINE_MTYPE_STATIC(EBPF, EBPF_NHG, "eBPF nexthop group");

/* A nexthop as zebra gave it: the identity of a path. */
struct dp_nh {
	uint32_t ifindex;
	uint8_t family; /* of gw; AF_UNSPEC: on-link, neighbour is pkt dst */
	uint8_t weight;
	union g_addr gw;
};

PREDECL_HASH(dp_nhgs);
PREDECL_DLIST(dp_nhg_retry);

struct dp_nhg_ent {
	struct dp_nhgs_item item;
	struct dp_nhg_retry_item missing_item; /* while !in_map */
	uint32_t id;
	bool from_zebra; /* described by NH_* contexts (else built from a route) */
	bool in_map;
	bool missing;	 /* on the retry list */
	/* A nexthop the datapath does not reproduce, or more of them than
	 * DP_NHG_MAX_PATHS: the group is written as the kernel's. */
	bool unsupported;
	uint32_t refs;	 /* routes pointing at it */
	uint8_t n_nh;
	struct dp_nh nh[DP_NHG_MAX_PATHS];
	/* What the map holds, so a rewrite keeps each surviving path's
	 * buckets (resilient hashing). */
	uint8_t n_written;
	struct dp_nh written[DP_NHG_MAX_PATHS];
	uint8_t bucket[DP_NHG_BUCKETS];
	uint32_t seq;
};

static int dp_nhg_cmp(const struct dp_nhg_ent *a, const struct dp_nhg_ent *b)
{
	return numcmp(a->id, b->id);
}

static uint32_t dp_nhg_hash(const struct dp_nhg_ent *e)
{
	return jhash_1word(e->id, 0x6e6867);
}

DECLARE_HASH(dp_nhgs, struct dp_nhg_ent, item, dp_nhg_cmp, dp_nhg_hash);
DECLARE_DLIST(dp_nhg_retry, struct dp_nhg_ent, missing_item);

static struct dp_nhgs_head dp_nhgs = INIT_HASH(dp_nhgs);
static struct dp_nhg_retry_head dp_nhg_retry =
	INIT_DLIST(dp_nhg_retry);
static _Atomic uint32_t dp_nhg_missing_n;
static bool dp_nhg_freed; /* a group left nh_map since the last retry */

/* At most this many missing groups are retried per batch. */
#define DP_NHG_RETRY 64

uint32_t dp_nhg_count(void)
{
	return dp_nhgs_count(&dp_nhgs);
}

uint32_t dp_nhg_missing_count(void)
{
	return atomic_load_explicit(&dp_nhg_missing_n, memory_order_relaxed);
}

static void dp_nhg_set_missing(struct dp_nhg_ent *e, bool missing)
{
	if (e->missing == missing)
		return;
	e->missing = missing;
	if (missing) {
		dp_nhg_retry_add_tail(&dp_nhg_retry, e);
		atomic_fetch_add_explicit(&dp_nhg_missing_n, 1,
					  memory_order_relaxed);
	} else {
		dp_nhg_retry_del(&dp_nhg_retry, e);
		atomic_fetch_sub_explicit(&dp_nhg_missing_n, 1,
					  memory_order_relaxed);
	}
}

bool dp_nh_is_plain(const struct nexthop *nh)
{
	if (nh->nh_label && nh->nh_label->num_labels)
		return false;
	if (nh->nh_srv6 || nh->nh_encap_type)
		return false;
	if (CHECK_FLAG(nh->flags, NEXTHOP_FLAG_EVPN))
		return false;
	return nh->vrf_id == VRF_DEFAULT;
}

static bool dp_nh_same(const struct dp_nh *a, const struct dp_nh *b)
{
	return a->ifindex == b->ifindex && a->family == b->family &&
	       memcmp(&a->gw, &b->gw, a->family == AF_INET ? 4 : 16) == 0;
}

/*
 * Flatten zebra's nexthop group into the leaf nexthops packets leave by:
 * recursive nexthops are replaced by what they resolve through. Route
 * contexts mark usable nexthops ACTIVE; NHE contexts describe only what
 * zebra installs, so every leaf counts there. Sets e->unsupported when
 * the datapath cannot send as the kernel would (dp_nh_is_plain(), or
 * more paths than it holds: the kernel spreads over all of them).
 */
static void dp_nh_flatten(struct dp_nhg_ent *e, const struct nexthop_group *ng,
			  bool need_active)
{
	const struct nexthop *nh;
	struct dp_nh *out = e->nh;
	uint8_t n = 0;

	e->unsupported = false;
	for (ALL_NEXTHOPS_PTR(ng, nh)) {
		struct dp_nh *d;

		if (CHECK_FLAG(nh->flags, NEXTHOP_FLAG_RECURSIVE) ||
		    CHECK_FLAG(nh->flags, NEXTHOP_FLAG_DUPLICATE))
			continue;
		if (need_active && !CHECK_FLAG(nh->flags, NEXTHOP_FLAG_ACTIVE))
			continue;
		if (nh->type == NEXTHOP_TYPE_BLACKHOLE || !nh->ifindex)
			continue;
		if (!dp_nh_is_plain(nh) || n == DP_NHG_MAX_PATHS) {
			e->unsupported = true;
			DP_STAT_INC(nhg_unsupported);
			break;
		}
		d = &out[n++];
		memset(d, 0, sizeof(*d));
		d->ifindex = nh->ifindex;
		d->weight = nh->weight ? nh->weight : 1;
		switch (nh->type) {
		case NEXTHOP_TYPE_IPV4:
		case NEXTHOP_TYPE_IPV4_IFINDEX:
			d->family = AF_INET;
			d->gw.ipv4 = nh->gate.ipv4;
			break;
		case NEXTHOP_TYPE_IPV6:
		case NEXTHOP_TYPE_IPV6_IFINDEX:
			d->family = AF_INET6;
			d->gw.ipv6 = nh->gate.ipv6;
			break;
		default:
			d->family = AF_UNSPEC;
			break;
		}
	}
	e->n_nh = e->unsupported ? 0 : n;
}

/* Fill one path from the neighbour and interface tables. Returns false
 * when the path's interface is known to be down: it takes no buckets. */
static bool dp_path_resolve(const struct dp_nh *nh, struct dp_path *p)
{
	uint32_t mtu = 0;
	bool up = true;

	memset(p, 0, sizeof(*p));
	p->ifindex = nh->ifindex;
	if (dp_link_get(nh->ifindex, p->smac, &mtu, &up) && !up)
		return false;
	p->mtu = mtu > UINT16_MAX ? UINT16_MAX : mtu;
	if (dp_link_egress(nh->ifindex) == DP_EGRESS_XDP)
		p->flags |= DP_PATH_F_XDP_TX;
	if (nh->family != AF_UNSPEC) {
		p->flags |= DP_PATH_F_GW;
		if (nh->family == AF_INET6) {
			p->flags |= DP_PATH_F_GW6;
			memcpy(p->gw, &nh->gw.ipv6, 16);
		} else {
			memcpy(p->gw, &nh->gw.ipv4, 4);
		}
		if (dp_neigh_lookup(nh->ifindex, nh->family, &nh->gw, p->dmac,
				    &p->hit_slot))
			p->flags |= DP_PATH_F_RESOLVED;
	}
	return true;
}

/*
 * The group could not be written (nh_map full, no memory): what the map
 * held for it would send packets along paths that may no longer be
 * right, so it goes, and the routes using the group pass to the kernel
 * (DP_R_PASS_NO_NHG) until a retry succeeds.
 */
static void dp_nhg_write_failed(struct dp_nhg_ent *e, int err)
{
	static bool logged;

	DP_STAT_INC(nhg_fail);
	if (e->in_map)
		bpf_map_delete_elem(dp_map_fd(DP_MAP_NH), &e->id);
	e->in_map = false;
	e->n_written = 0;
	dp_nhg_set_missing(e, true);
	if (logged) {
		dp_dbg("nexthop group %u not written: %s", e->id,
		       safe_strerror(err));
		return;
	}
	logged = true;
	zlog_warn("ebpf: nexthop group %u and any further group that does not fit nh_map (%s) are left to the kernel with their routes; `show ebpf dataplane` counts them",
		  e->id, safe_strerror(err));
}

/*
 * Compose and write the group. A path whose neighbour is unresolved is
 * still written (TC forwards it with bpf_redirect_neigh and the kernel
 * resolves it); a path on a down link is left out, which is what moves
 * its flows to the survivors before zebra has even reconverged.
 */
static int dp_nhg_write(struct dp_nhg_ent *e)
{
	static struct dp_nhg val; /* 2.5 KiB: not on the stack */
	struct dp_nh live[DP_NHG_MAX_PATHS];
	uint32_t weight[DP_NHG_MAX_PATHS];
	int old_to_new[DP_NHG_MAX_PATHS];
	uint8_t n = 0, i, j;

	if (!dp_maps_ready())
		return 0;
	memset(&val, 0, sizeof(val));
	for (i = 0; i < e->n_nh; i++) {
		if (!dp_path_resolve(&e->nh[i], &val.paths[n]))
			continue;
		/* One path the datapath cannot send on, and the kernel, which
		 * spreads over all of them, takes the whole group. */
		if (dp_link_egress(e->nh[i].ifindex) == DP_EGRESS_KERNEL) {
			n = 0;
			val.flags = DP_NHG_F_KERNEL;
			break;
		}
		live[n] = e->nh[i];
		weight[n] = e->nh[i].weight;
		n++;
	}
	if (e->unsupported)
		val.flags = DP_NHG_F_KERNEL;

	for (i = 0; i < e->n_written; i++) {
		old_to_new[i] = -1;
		for (j = 0; j < n; j++)
			if (dp_nh_same(&e->written[i], &live[j])) {
				old_to_new[i] = j;
				break;
			}
	}
	dp_nhg_buckets_update(e->bucket, old_to_new, e->n_written, weight, n);

	val.n_paths = n;
	val.seq = ++e->seq;
	memcpy(val.bucket, e->bucket, sizeof(val.bucket));

	if (bpf_map_update_elem(dp_map_fd(DP_MAP_NH), &e->id, &val,
				BPF_ANY)) {
		int err = errno;

		dp_nhg_write_failed(e, err);
		return -err;
	}
	e->in_map = true;
	dp_nhg_set_missing(e, false);
	e->n_written = n;
	memcpy(e->written, live, n * sizeof(live[0]));
	dp_sync_touch(DP_MAP_NH, &e->id);
	DP_STAT_INC(nhg_add);
	dp_dbg("nhg %u written: %u of %u paths", e->id, n, e->n_nh);
	return 0;
}

static struct dp_nhg_ent *dp_nhg_find(uint32_t id)
{
	struct dp_nhg_ent lookup = { .id = id };

	return dp_nhgs_find(&dp_nhgs, &lookup);
}

static struct dp_nhg_ent *dp_nhg_new(uint32_t id)
{
	struct dp_nhg_ent *e = XCALLOC(MTYPE_EBPF_NHG, sizeof(*e));

	e->id = id;
	dp_nhgs_add(&dp_nhgs, e);
	return e;
}

static void dp_nhg_free_if_unused(struct dp_nhg_ent *e)
{
	if (e->from_zebra || e->refs)
		return;
	if (e->in_map && bpf_map_delete_elem(dp_map_fd(DP_MAP_NH), &e->id) &&
	    errno != ENOENT)
		zlog_warn("ebpf: cannot delete nh_map entry %u: %s", e->id,
			  safe_strerror(errno));
	else if (e->in_map) {
		DP_STAT_INC(nhg_del);
		dp_nhg_freed = true;
	}
	dp_nhg_set_missing(e, false);
	dp_nhgs_del(&dp_nhgs, e);
	XFREE(MTYPE_EBPF_NHG, e);
}

int dp_nhg_ctx(struct zebra_dplane_ctx *ctx)
{
	uint32_t id = dplane_ctx_get_nhe_id(ctx);
	struct dp_nhg_ent *e = dp_nhg_find(id);

	if (dplane_ctx_get_op(ctx) == DPLANE_OP_NH_DELETE) {
		if (!e)
			return 0;
		/* Routes still pointing at it keep it (zebra moves them
		 * first; this guards against a lost update). */
		e->from_zebra = false;
		dp_nhg_free_if_unused(e);
		return 0;
	}

	if (dplane_ctx_get_nhe_vrf_id(ctx) != VRF_DEFAULT)
		return 0;
	if (!e)
		e = dp_nhg_new(id);
	e->from_zebra = true;
	dp_nh_flatten(e, dplane_ctx_get_nhe_ng(ctx), false);
	return dp_nhg_write(e);
}

void dp_nhg_ref(uint32_t id, const struct nexthop_group *ng)
{
	struct dp_nhg_ent *e = dp_nhg_find(id);

	if (!e) {
		e = dp_nhg_new(id);
		dp_nh_flatten(e, ng, true);
	}
	/* A group that could not be written is retried; meanwhile the
	 * datapath passes its routes' packets up (no nh_map entry). */
	if (!e->in_map)
		dp_nhg_write(e);
	e->refs++;
}

void dp_nhg_batch_done(void)
{
	struct dp_nhg_ent *e;
	uint32_t n = DP_NHG_RETRY;

	if (!dp_nhg_freed)
		return;
	dp_nhg_freed = false;
	while (n-- && (e = dp_nhg_retry_first(&dp_nhg_retry))) {
		/* Back of the queue: the next retry starts elsewhere. */
		dp_nhg_retry_del(&dp_nhg_retry, e);
		dp_nhg_retry_add_tail(&dp_nhg_retry, e);
		if (dp_nhg_write(e))
			break;
	}
}

void dp_nhg_unref(uint32_t id)
{
	struct dp_nhg_ent *e = dp_nhg_find(id);

	if (!e || !e->refs)
		return;
	e->refs--;
	dp_nhg_free_if_unused(e);
}

/* dp_neigh_changed: the groups with a path to the neighbour. */
static int dp_nhg_neigh_changed(int ifindex, int family,
				const union g_addr *addr)
{
	struct dp_nh key = { .ifindex = ifindex, .family = family };
	struct dp_nhg_ent *e;
	uint8_t i;

	memcpy(&key.gw, addr, family == AF_INET ? 4 : 16);
	frr_each (dp_nhgs, &dp_nhgs, e) {
		for (i = 0; i < e->n_nh; i++)
			if (dp_nh_same(&e->nh[i], &key)) {
				dp_nhg_write(e);
				break;
			}
	}
	return 0;
}

/* dp_link_changed: the groups with a path through the link. */
static int dp_nhg_intf_changed(int ifindex, bool egress_changed)
{
	struct dp_nhg_ent *e;
	uint8_t i;

	frr_each (dp_nhgs, &dp_nhgs, e) {
		for (i = 0; i < e->n_nh; i++)
			if (e->nh[i].ifindex == (uint32_t)ifindex) {
				dp_nhg_write(e);
				break;
			}
	}
	return 0;
}

void dp_nhg_init(void)
{
	hook_register_prio(dp_link_changed, DP_HOOK_PRIO_NHG,
			   dp_nhg_intf_changed);
	hook_register(dp_neigh_changed, dp_nhg_neigh_changed);
}
