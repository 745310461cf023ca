/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Counters. Every packet is counted once, by the hook that decided its
 * fate: in stats_map under (hook, reason), and in its ingress interface's
 * slot of intf_stats_map as received plus forwarded or passed. Both maps
 * are per-CPU, so plain increments are safe.
 */
#ifndef DP_BPF_STATS_H
#define DP_BPF_STATS_H

#include "common.h"
#include "maps.h"

static __always_inline bool dp_reason_is_fwd(enum dp_reason reason)
{
	return reason == DP_R_FWD || reason == DP_R_FWD_NEIGH;
}

static __always_inline void dp_count(enum dp_hook hook, enum dp_reason reason,
				     __u32 bytes, struct dp_intf_stats *istats)
{
	__u32 idx = DP_STATS_IDX(hook, reason);
	struct dp_counter *c = bpf_map_lookup_elem(&stats_map, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
	if (!istats)
		return;
	istats->rx_packets++;
	istats->rx_bytes += bytes;
	if (dp_reason_is_fwd(reason)) {
		istats->fwd_packets++;
		istats->fwd_bytes += bytes;
	} else {
		istats->pass_packets++;
	}
}

#endif /* DP_BPF_STATS_H */
