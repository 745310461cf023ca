/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The conntrack filter (dp_abi.h, ct_filter_map): may this packet belong
 * to a tracked flow that is looked up before routing? Two bit tests in a
 * 128 KiB array instead of a conntrack miss for routed traffic; without
 * DP_META_F_CT_FILTER (the plugin could not write every address) every
 * packet is looked up, as the filter never existed.
 */
#ifndef DP_BPF_CT_FILTER_H
#define DP_BPF_CT_FILTER_H

#include "common.h"
#include "maps.h"

static __always_inline bool dp_ct_addr_has(__u32 family, const __u32 *addr,
					   __u32 role)
{
	__u32 bit = dp_ct_filter_bit(family, role, addr), word = bit / 64;
	const __u64 *w = bpf_map_lookup_elem(&ct_filter_map, &word);

	return w && (*w & (1ull << (bit % 64)));
}

static __always_inline bool dp_ct_filter_pass(const struct dp_ct_key *key,
					      __u32 flags)
{
	if (!(flags & DP_META_F_CT_FILTER))
		return true;
	return dp_ct_addr_has(key->family, key->daddr, DP_CT_ADDR_F_DST) ||
	       dp_ct_addr_has(key->family, key->saddr, DP_CT_ADDR_F_SRC);
}

#endif /* DP_BPF_CT_FILTER_H */
