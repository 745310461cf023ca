/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4 FIB: DIR-24-8 lookup (fib4_tbl24, fib4_tbl8, fib_val_map; layout in
 * dp_abi.h, update rules in doc/fib.md), and the address classes that never
 * reach the FIB because the kernel treats them specially.
 */
#ifndef DP_BPF_FIB4_H
#define DP_BPF_FIB4_H

#include "common.h"
#include "maps.h"

/*
 * The route value behind a value id, NULL for id 0 ("no route"). Shared
 * with fib6.h. An id's value never changes while an entry refers to it.
 */
static __always_inline const struct dp_rt_val *dp_fib_val(__u32 id)
{
	if (!id)
		return NULL;
	return bpf_map_lookup_elem(&fib_val_map, &id);
}

/*
 * Entry idx % 256 of block idx / 256 of a fib4 array, 0 if out of range.
 * One aligned 32-bit load: the plugin replaces entries with single stores.
 */
static __always_inline __u32 dp_fib4_entry(void *map, __u32 idx)
{
	__u32 block = idx / DP_FIB4_TBL8_GROUP_ENTRIES;
	const struct dp_fib4_block *b = bpf_map_lookup_elem(map, &block);

	if (!b)
		return 0;
	return *(const volatile __u32 *)&b->e[idx % DP_FIB4_TBL8_GROUP_ENTRIES];
}

/*
 * At most two dependent loads: the tbl24 entry, then (if it names a tbl8
 * group) the group's entry for the low 8 bits. The tables are indexed by
 * the address in host order.
 */
static __always_inline const struct dp_rt_val *dp_fib4_lookup(__be32 daddr)
{
	__u32 a = bpf_ntohl(daddr);
	__u32 id = dp_fib4_entry(&fib4_tbl24, a >> 8);
	__u32 group;

	if (id & DP_FIB4_TBL8) {
		group = id & ~DP_FIB4_TBL8;
		id = dp_fib4_entry(&fib4_tbl8,
				   group * DP_FIB4_TBL8_GROUP_ENTRIES +
					   (a & 0xff));
	}
	return dp_fib_val(id);
}

#endif /* DP_BPF_FIB4_H */
