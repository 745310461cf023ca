/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv6 FIB: ranges for 2000::/3 (fib6_dxr_dir, fib6_dxr_range) in front
 * of a binary search on prefix lengths in fib6_map (layouts in dp_abi.h,
 * the tree in fib6_tree.h, update rules in doc/fib.md).
 */
#ifndef DP_BPF_FIB6_H
#define DP_BPF_FIB6_H

#include "common.h"
#include "fib4.h" /* dp_fib_val() */
#include "fib6_tree.h"
#include "maps.h"

/* The first `bits` bits of a 32-bit word in network byte order. */
static __always_inline __u32 dp_fib6_mask(int bits)
{
	if (bits <= 0)
		return 0;
	if (bits >= 32)
		return 0xffffffff;
	return bpf_htonl(0xffffffff << (32 - bits));
}

/*
 * val if non-zero, else best, without a branch: a branch here would give
 * the verifier two states per probe to follow through the whole pipeline.
 */
static __always_inline __u32 dp_fib6_keep(__u32 best, __u32 val)
{
	__u32 zero = (__u32)(((__u64)val - 1) >> 32); /* ~0 iff val == 0 */

	return val | (best & zero);
}

/* Whether fib6_map may hold k: a clear bit is a certain miss (dp_abi.h). */
static __always_inline bool dp_fib6_may_hold(const struct dp_fib6_key *k)
{
	__u32 bit = dp_fib6_filter_bit(k), word = bit / 64;
	const __u64 *w = bpf_map_lookup_elem(&fib6_filter_map, &word);

	return !w || ((*w >> (bit % 64)) & 1);
}

/*
 * Probe (len, daddr masked to len), if the filter says it may hit. A hit records the node's best
 * matching prefix and goes on to longer lengths only if the node is a
 * marker; a miss goes to shorter lengths. Markers carry the best match
 * of their own position, so the last non-zero value seen is the answer
 * and the search never backtracks. The node is read with one 64-bit load
 * so that its value and flags come from the same version of the element.
 *
 * A global function: the verifier checks it once, on its own, instead of
 * following each of its ~130 search paths through the rest of the
 * pipeline. Returns the value id (0: no route).
 */
__attribute__((noinline)) __u32
dp_fib6_search_lengths(const struct in6_addr *daddr)
{
	__u32 len = DP_FIB6_ROOT_LEN, step = DP_FIB6_ROOT_STEP, best = 0;
	struct dp_fib6_key key;
	const volatile __u64 *hit;
	struct dp_fib6_node node;
	__u64 raw;
	int i, w;

	if (!daddr)
		return 0;
	for (i = 0; i < DP_FIB6_PROBES; i++) {
		key.prefixlen = len;
#pragma unroll
		for (w = 0; w < 4; w++)
			key.addr[w] = daddr->in6_u.u6_addr32[w] &
				      dp_fib6_mask((int)len - 32 * w);
		hit = dp_fib6_may_hold(&key) ?
			      bpf_map_lookup_elem(&fib6_map, &key) : NULL;
		if (hit) {
			raw = *hit;
			__builtin_memcpy(&node, &raw, sizeof(node));
			best = dp_fib6_keep(best, node.val_id);
			if (!(node.flags & DP_FIB6_F_MARKER))
				break;
		}
		if (!dp_fib6_tree_next(&len, &step, hit != NULL))
			break;
	}
	return best;
}

/* Entry idx of fib6_dxr_range, 0 if out of range: one aligned load. */
static __always_inline __u64 dp_fib6_range(__u32 idx)
{
	__u32 block = idx / DP_FIB6_DXR_RANGE_BLOCK;
	const struct dp_fib6_range_block *b =
		bpf_map_lookup_elem(&fib6_dxr_range, &block);

	if (!b)
		return 0;
	return *(const volatile __u64 *)&b->e[idx % DP_FIB6_DXR_RANGE_BLOCK];
}

/*
 * The /20's ranges (dir: its fib6_dxr_dir entry): the last one starting
 * at or below top, by a binary search without branches on the data, as
 * dp_fib4_ranges().
 */
static __always_inline __u32 dp_fib6_ranges(__u32 dir, __u64 top)
{
	__u64 key = dp_fib6_dxr_key(top), e;
	__u32 lo = dp_fib4_dxr_base(dir), n = dp_fib4_dxr_n(dir);
	__u32 half, i;

	for (i = 0; i < DP_FIB4_DXR_SEARCH_STEPS && n > 1; i++) {
		half = n >> 1;
		e = dp_fib6_range(lo + half);
		/* all ones when the range starts at or below key (halved:
		 * the difference of two 63-bit numbers has the right sign;
		 * bit 0 is an id's, never a start's) */
		lo += half & (__u32)((((key >> 1) - (e >> 1)) >> 63) - 1);
		n -= half;
	}
	return (__u32)dp_fib6_range(lo) & DP_FIB6_DXR_ID_MASK;
}

/*
 * The value id of daddr: its /20's ranges where it has them (a handful
 * of loads in two small arrays, where the binary search makes up to
 * eight hash lookups), else the binary search on lengths. A global
 * function, verified once.
 */
__attribute__((noinline)) __u32 dp_fib6_search(const struct in6_addr *daddr)
{
	__u64 top;
	__u32 dir, id;

	if (!daddr)
		return 0;
	top = (__u64)bpf_ntohl(daddr->in6_u.u6_addr32[0]) << 32 |
	      bpf_ntohl(daddr->in6_u.u6_addr32[1]);
	dir = dp_fib4_entry(&fib6_dxr_dir, dp_fib6_dxr_chunk(top));
	/* a dense /20: its /24's entry */
	if ((dir & DP_FIB4_DXR_RANGES) == DP_FIB6_DXR_SUB)
		dir = (__u32)dp_fib6_range(dp_fib4_dxr_base(dir) +
					   dp_fib6_dxr_sub(top));
	if (!(dir & DP_FIB4_DXR_DIRECT))
		return dp_fib6_search_lengths(daddr);
	if ((dir & DP_FIB4_DXR_RANGES) == DP_FIB4_DXR_RANGES)
		id = dp_fib6_ranges(dir, top);
	else
		id = dir & ~DP_FIB4_DXR_DIRECT;
	return id == DP_FIB6_DXR_SEARCH ? dp_fib6_search_lengths(daddr) : id;
}

static __always_inline const struct dp_rt_val *
dp_fib6_lookup(const struct in6_addr *daddr)
{
	return dp_fib_val(dp_fib6_search(daddr));
}

#endif /* DP_BPF_FIB6_H */
