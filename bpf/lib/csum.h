/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internet checksum helpers (RFC 1071 / RFC 1624): the IPv4 header, and
 * incremental updates of any checksum for NAT.
 * All words are taken as they lie in memory: one's complement sums do not
 * depend on byte order as long as every word is read the same way.
 */
#ifndef DP_BPF_CSUM_H
#define DP_BPF_CSUM_H

#include "common.h"

/* Fold a 32-bit one's complement sum to 16 bits (end-around carry). */
static __always_inline __u16 dp_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* A 20-byte IPv4 header (no options) whose checksum verifies. */
static __always_inline bool dp_ipv4_csum_ok(const struct iphdr *ip4)
{
	const __u16 *w = (const __u16 *)ip4;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < (int)(sizeof(*ip4) / 2); i++)
		sum += w[i];
	return dp_csum_fold(sum) == 0xffff;
}

/*
 * Update a checksum for one 16-bit word changing from old to new, by
 * RFC 1624 equation 3: HC' = ~(~HC + ~m + m'). Unlike equation 2 it never
 * produces 0xffff, so the result is bit-for-bit what a full recomputation
 * over the new header gives.
 */
static __always_inline void dp_csum_replace2(__sum16 *check, __u16 old,
					     __u16 new)
{
	__u32 sum = (__u16) ~*check + (__u16)~old + new;

	*check = ~dp_csum_fold(sum);
}

/*
 * Incremental updates for several changed words at once (NAT): the sum
 * of ~old + new over every changed word, then RFC 1624 equation 3 on the
 * checksum: HC' = ~(~HC + sum). Summing 32-bit words in 64 bits and
 * folding gives the same one's complement sum as 16-bit words.
 */
static __always_inline __u64 dp_csum_delta32(__be32 old, __be32 new)
{
	return (__u64)(__u32)~old + (__u32) new;
}

static __always_inline __u64 dp_csum_delta16(__be16 old, __be16 new)
{
	return (__u64)(__u16)~old + (__u16) new;
}

static __always_inline __sum16 dp_csum_apply(__sum16 check, __u64 delta)
{
	__u64 sum = (__u16)~check + delta;

	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	return ~dp_csum_fold((__u32)sum);
}

#endif /* DP_BPF_CSUM_H */
