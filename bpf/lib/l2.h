/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ethernet rewrite for a forwarded packet: the next hop's MAC as
 * destination, the out interface's MAC as source.
 */
#ifndef DP_BPF_L2_H
#define DP_BPF_L2_H

#include "common.h"

static __always_inline void dp_l2_rewrite(struct ethhdr *eth, const __u8 *dmac,
					  const __u8 *smac)
{
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, smac, ETH_ALEN);
}

#endif /* DP_BPF_L2_H */
