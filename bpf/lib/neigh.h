/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Connected routes: the next hop is the packet's destination itself, on
 * the route's interface; dmac_map says whether (and how) it is resolved.
 */
#ifndef DP_BPF_NEIGH_H
#define DP_BPF_NEIGH_H

#include "common.h"
#include "intf.h"
#include "maps.h"
#include "nh.h"
#include "parse.h"

static __always_inline enum dp_reason
dp_neigh_connected(const struct dp_pkt *pkt, __u32 ifindex,
		   struct dp_egress *eg)
{
	struct dp_neigh_key key = {.ifindex = ifindex};
	const struct dp_neigh_val *nv;
	const struct dp_intf *out;

	/* The packet's destination, or the backend conntrack sends it to. */
	if (pkt->ip4) {
		key.family = DP_AF_INET;
		key.addr[0] = pkt->dst[0];
	} else if (pkt->ip6) {
		key.family = DP_AF_INET6;
		__builtin_memcpy(key.addr, pkt->dst, sizeof(key.addr));
	}

	eg->path = NULL;
	eg->ifindex = ifindex;
	nv = bpf_map_lookup_elem(&dmac_map, &key);
	if (nv) {
		eg->dmac = nv->dmac;
		eg->smac = nv->smac;
		eg->mtu = nv->mtu;
		eg->hit_slot = nv->hit_slot;
		eg->resolved = true;
		eg->xdp_tx = !!(nv->flags & DP_PATH_F_XDP_TX);
		return DP_CONTINUE;
	}

	/*
	 * Unresolved. TC can still send it through the kernel's neighbour
	 * table, but only knowing the out interface's MTU: without an
	 * intf_map entry the out interface stays unknown (ifindex 0).
	 */
	eg->resolved = false;
	out = dp_intf_lookup(ifindex);
	if (out)
		eg->mtu = out->mtu;
	else
		eg->ifindex = 0;
	return DP_CONTINUE;
}

/*
 * The kernel never sees what the fast path sends to a neighbour, so it
 * would let the entry go stale unchecked: note the use for the plugin,
 * which asks the kernel to confirm the neighbours in use. A byte written
 * only when clear keeps the line shared between CPUs in the common case.
 */
static __always_inline void dp_neigh_mark_used(__u32 slot)
{
	__u32 block = slot / DP_HIT_BLOCK;
	struct dp_hit_block *b;
	volatile __u8 *hit;

	if (!slot)
		return;
	b = bpf_map_lookup_elem(&neigh_hit_map, &block);
	if (!b)
		return;
	hit = &b->hit[slot % DP_HIT_BLOCK];
	if (!*hit)
		*hit = 1;
}

/*
 * Where the kernel's neighbour table should resolve an unresolved next hop
 * (bpf_redirect_neigh): the path's gateway, or for on-link paths and
 * connected routes the packet's own destination (pkt->dst: a DSR backend's
 * address for the load balancer). Given explicitly so that
 * the kernel does not consult its FIB, which may lack the route or have
 * forwarding disabled.
 */
static __always_inline void dp_neigh_nexthop(const struct dp_pkt *pkt,
					     const struct dp_egress *eg,
					     struct bpf_redir_neigh *nh)
{
	const struct dp_path *path = eg->path;

	__builtin_memset(nh, 0, sizeof(*nh));
	if (path && (path->flags & DP_PATH_F_GW)) {
		if (path->flags & DP_PATH_F_GW6) {
			nh->nh_family = DP_AF_INET6;
			__builtin_memcpy(nh->ipv6_nh, path->gw,
					 sizeof(nh->ipv6_nh));
		} else {
			nh->nh_family = DP_AF_INET;
			nh->ipv4_nh = path->gw[0];
		}
	} else if (pkt->ip4) {
		nh->nh_family = DP_AF_INET;
		nh->ipv4_nh = pkt->dst[0];
	} else if (pkt->ip6) {
		nh->nh_family = DP_AF_INET6;
		__builtin_memcpy(nh->ipv6_nh, pkt->dst, sizeof(nh->ipv6_nh));
	}
}

#endif /* DP_BPF_NEIGH_H */
