/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ingress interface: is the datapath enabled on it, which MAC makes a
 * frame "for the router", and where its counters live.
 */
#ifndef DP_BPF_INTF_H
#define DP_BPF_INTF_H

#include "common.h"
#include "maps.h"

static __always_inline const struct dp_intf *dp_intf_lookup(__u32 ifindex)
{
	return bpf_map_lookup_elem(&intf_map, &ifindex);
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
