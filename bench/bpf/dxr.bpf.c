// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/dxr: the IPv4 FIB's lookup of a value id two ways, on the same
 * frames: the datapath's DIR-24-8 (bpf/lib/fib4.h, its maps shared with a
 * loaded datapath) and a range table in the manner of DXR's D16R (Zec,
 * Rizzo, Mikuc, 2012) that bench/dxr.c derives from it. A prototype for
 * issue 10: it measures what the table's layout costs a packet, and is
 * not on the packet's path.
 *
 * dxr_dir_map: one 32-bit entry per /16 (chunk):
 *   0                      no ranges: DIR-24-8 answers (fallback)
 *   DXR_DIRECT | id        the whole chunk has one value id
 *   DXR_RANGES | n-1 << 21 | base
 *                          ranges base .. base+n-1 of dxr_range_map,
 *                          each (first low-16-bit address << 16 | id),
 *                          sorted, the first starting at 0
 */
#include "ctx_xdp.h"

#include "common.h"
#include "fib4.h"
#include "maps.h"

#define DXR_DIRECT 0x80000000u
#define DXR_RANGES 0xc0000000u
#define DXR_BASE_MASK 0x1fffffu
#define DXR_N_SHIFT 21
#define DXR_N_MASK 0x1ffu
#define DXR_SEARCH_STEPS 9 /* ranges per chunk <= 512 */
#define DXR_DIR_BITS 16 /* chunks of /16 (a /18 directory measured worse) */
#define DXR_LOW_MASK ((1u << (32 - DXR_DIR_BITS)) - 1)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct dp_fib4_block);
	__uint(max_entries, (1u << DXR_DIR_BITS) / DP_FIB4_TBL8_GROUP_ENTRIES);
} dxr_dir_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct dp_fib4_block);
	__uint(max_entries, 8192); /* set by bench/dxr.c */
} dxr_range_map SEC(".maps");

static __always_inline __u32 tbl24_id(__u32 a)
{
	__u32 id = dp_fib4_entry(&fib4_tbl24, a >> 8);

	if (id & DP_FIB4_TBL8)
		id = dp_fib4_entry(&fib4_tbl8,
				   (id & ~DP_FIB4_TBL8) *
						   DP_FIB4_TBL8_GROUP_ENTRIES +
					   (a & 0xff));
	return id;
}

/* The last range starting at or below the address's low 16 bits: a
 * branch-free binary search (one dependent load per step). */
static __always_inline __u32 dxr_id(__u32 a)
{
	__u32 d = dp_fib4_entry(&dxr_dir_map, a >> (32 - DXR_DIR_BITS));
	__u32 key = a & DXR_LOW_MASK, lo, n, half, e, i;

	if (!(d & DXR_DIRECT))
		return tbl24_id(a);
	if ((d & DXR_RANGES) != DXR_RANGES)
		return d & ~DXR_DIRECT;
	lo = d & DXR_BASE_MASK;
	n = ((d >> DXR_N_SHIFT) & DXR_N_MASK) + 1;
	for (i = 0; i < DXR_SEARCH_STEPS && n > 1; i++) {
		half = n >> 1;
		e = dp_fib4_entry(&dxr_range_map, lo + half);
		/* all ones if the range starts at or below key */
		lo += half & (((key - (e >> 16)) >> 31) - 1);
		n -= half;
	}
	return dp_fib4_entry(&dxr_range_map, lo) & 0xffff;
}

enum dxr_how { DXR_NONE, DXR_TBL24, DXR_RANGE };

/* The value id written into the frame after the IPv4 header. */
static __always_inline int dxr_run(struct xdp_md *ctx, enum dxr_how how)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u32 *out = (void *)(ip + 1), a, id = 0;

	if ((void *)(out + 1) > end)
		return XDP_ABORTED;
	a = bpf_ntohl(ip->daddr);
	if (how == DXR_TBL24)
		id = tbl24_id(a);
	else if (how == DXR_RANGE)
		id = dxr_id(a);
	*out = id;
	return XDP_TX;
}

SEC("xdp")
int dxr_none(struct xdp_md *ctx)
{
	return dxr_run(ctx, DXR_NONE);
}

SEC("xdp")
int dxr_tbl24(struct xdp_md *ctx)
{
	return dxr_run(ctx, DXR_TBL24);
}

SEC("xdp")
int dxr_range(struct xdp_md *ctx)
{
	return dxr_run(ctx, DXR_RANGE);
}

char LICENSE[] SEC("license") = "GPL";
