/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4 FIB: ranges in front of a DIR-24-8 lookup (fib4_dxr_dir,
 * fib4_dxr_range, fib4_tbl24, fib4_tbl8, fib_val_map; layout in dp_abi.h,
 * update rules in doc/fib.md), and the address classes that never
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
 * DIR-24-8: at most two dependent loads, the tbl24 entry, then (if it
 * names a tbl8 group) the group's entry for the low 8 bits. The tables
 * are indexed by the address in host order.
 */
static __always_inline __u32 dp_fib4_dir24(__u32 a)
{
	__u32 id = dp_fib4_entry(&fib4_tbl24, a >> 8);
	__u32 group;

	if (id & DP_FIB4_TBL8) {
		group = id & ~DP_FIB4_TBL8;
		id = dp_fib4_entry(&fib4_tbl8,
				   group * DP_FIB4_TBL8_GROUP_ENTRIES +
					   (a & 0xff));
	}
	return id;
}

/*
 * The /16's ranges (dir: its fib4_dxr_dir entry): the last one starting
 * at or below the low 16 bits, by a binary search without branches on
 * the data (one dependent load per step, within a few cache lines).
 */
static __always_inline __u32 dp_fib4_ranges(__u32 dir, __u32 a)
{
	__u32 key = a & 0xffff, lo = dp_fib4_dxr_base(dir);
	__u32 n = dp_fib4_dxr_n(dir);
	__u32 half, e, i;

	for (i = 0; i < DP_FIB4_DXR_SEARCH_STEPS && n > 1; i++) {
		half = n >> 1;
		e = dp_fib4_entry(&fib4_dxr_range, lo + half);
		/* all ones when the range starts at or below key */
		lo += half & (((key - (e >> 16)) >> 31) - 1);
		n -= half;
	}
	return dp_fib4_entry(&fib4_dxr_range, lo) & DP_FIB4_DXR_ID_MAX;
}

/*
 * The value id of a (host order): the /16's ranges where it has them (a
 * small table's ranges stay in cache, where the tbl24 entries of its /16s
 * lie a page apart), else DIR-24-8. A global function: its search is
 * verified once, and its variables stay off the caller's stack, which
 * the packet's path nearly fills.
 */
__attribute__((noinline)) __u32 dp_fib4_search(__u32 a)
{
	__u32 dir = dp_fib4_entry(&fib4_dxr_dir, a >> 16);

	if (!(dir & DP_FIB4_DXR_DIRECT))
		return dp_fib4_dir24(a);
	if ((dir & DP_FIB4_DXR_RANGES) == DP_FIB4_DXR_RANGES)
		return dp_fib4_ranges(dir, a);
	return dir & ~DP_FIB4_DXR_DIRECT;
}

static __always_inline const struct dp_rt_val *dp_fib4_lookup(__be32 daddr)
{
	return dp_fib_val(dp_fib4_search(bpf_ntohl(daddr)));
}

#endif /* DP_BPF_FIB4_H */
