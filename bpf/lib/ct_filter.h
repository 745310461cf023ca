/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The conntrack filter (dp_abi.h, ct_addr_map): may this packet belong to
 * a tracked flow that is looked up before routing? Two lookups in a small
 * hash instead of a miss in ct_map for routed traffic; without
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
	struct dp_ct_addr_key k = {.family = family};
	const __u32 *roles;

	__builtin_memcpy(k.addr, addr, sizeof(k.addr));
	roles = bpf_map_lookup_elem(&ct_addr_map, &k);
	return roles && (*roles & role);
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
