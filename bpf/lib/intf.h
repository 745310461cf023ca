/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ingress interface: is the datapath enabled on it, which MAC makes a
 * frame "for the router", and where its counters live.
 */
#ifndef DP_BPF_INTF_H
#define DP_BPF_INTF_H

#include "common.h"
#include "maps.h"

/*
 * The interface's entry, or NULL if it has none. Always a pointer into
 * intf_direct_map (dp_abi.h): pointers into two maps would double the
 * verifier's walk of everything after.
 */
static __always_inline const struct dp_intf *dp_intf_lookup(__u32 ifindex)
{
	const struct dp_intf *e;
	__u32 slot = ifindex;

	if (ifindex >= DP_INTF_DIRECT) {
		e = bpf_map_lookup_elem(&intf_map, &ifindex);
		if (!e)
			return NULL;
		slot = dp_intf_slot(ifindex, e->stats_idx);
	}
	e = bpf_map_lookup_elem(&intf_direct_map, &slot);
	return e && (e->flags & DP_INTF_F_PRESENT) ? e : NULL;
}

/* The interface's MTU into *mtu, if it has an entry. */
static __always_inline bool dp_intf_mtu(__u32 ifindex, __u32 *mtu)
{
	const struct dp_intf *e = dp_intf_lookup(ifindex);

	if (e)
		*mtu = e->mtu;
	return e;
}

static __always_inline bool dp_intf_enabled(const struct dp_intf *intf)
{
	return intf && (intf->flags & DP_INTF_F_ENABLED);
}

/* A TC ingress program runs behind XDP on this interface. */
static __always_inline bool dp_intf_has_tc(const struct dp_intf *intf)
{
	return intf && (intf->flags & DP_INTF_F_TC);
}

/* Only unicast frames to the router's own MAC are routed. */
static __always_inline bool dp_intf_is_router_mac(const struct dp_intf *intf,
						  const struct ethhdr *eth)
{
	const __u8 *a = eth->h_dest, *b = intf->mac;

	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) |
		(a[4] ^ b[4]) | (a[5] ^ b[5])) == 0;
}

/* The interface's counters, or NULL if it has no entry (or no valid slot). */
static __always_inline struct dp_intf_stats *
dp_intf_stats_slot(const struct dp_intf *intf)
{
	if (!intf)
		return NULL;
	return bpf_map_lookup_elem(&intf_stats_map, &intf->stats_idx);
}

#endif /* DP_BPF_INTF_H */
