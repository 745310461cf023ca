/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one change routing makes to the IP header: TTL / hop limit minus one.
 * IPv4 carries it in its header checksum, updated incrementally; IPv6 has
 * no header checksum, but a TC skb with CHECKSUM_COMPLETE must learn about
 * the change (ctx_csum_fixup; nothing to do at XDP).
 */
#ifndef DP_BPF_L3_H
#define DP_BPF_L3_H

#include "common.h"
#include "csum.h"
#include "parse.h"

/*
 * The header words that change, built from the fields rather than read
 * through a cast pointer: clang may assume a __u16 load does not see an
 * earlier __u8 store (it did, and the checksum stayed unchanged).
 */
static __always_inline __u16 dp_ipv4_ttl_word(const struct iphdr *ip4)
{
	return bpf_htons((__u16)ip4->ttl << 8 | ip4->protocol);
}

static __always_inline __be32 dp_ipv6_hop_word(const struct ipv6hdr *ip6)
{
	return bpf_htonl((__u32)bpf_ntohs(ip6->payload_len) << 16 |
			 (__u32)ip6->nexthdr << 8 | ip6->hop_limit);
}

static __always_inline void dp_ipv4_decrement_ttl(struct iphdr *ip4)
{
	/* TTL and protocol share one 16-bit word of the checksum. */
	__u16 old = dp_ipv4_ttl_word(ip4);

	ip4->ttl--;
	dp_csum_replace2(&ip4->check, old, dp_ipv4_ttl_word(ip4));
}

static __always_inline void dp_ipv6_decrement_hop_limit(struct dp_ctx *ctx,
							struct ipv6hdr *ip6)
{
	/* Payload length, next header and hop limit: the second word. */
	__be32 old = dp_ipv6_hop_word(ip6);

	ip6->hop_limit--;
	ctx_csum_fixup(ctx, old, dp_ipv6_hop_word(ip6));
}

static __always_inline void dp_decrement_ttl(struct dp_ctx *ctx,
					     struct dp_pkt *pkt)
{
	if (pkt->ip4)
		dp_ipv4_decrement_ttl(pkt->ip4);
	else if (pkt->ip6)
		dp_ipv6_decrement_hop_limit(ctx, pkt->ip6);
}

#endif /* DP_BPF_L3_H */
