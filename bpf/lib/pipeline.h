/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The routing decision, shared by the XDP and TC hooks: from a frame and
 * its ingress interface to either DP_R_FWD (with the egress filled in) or
 * the reason the kernel must handle the packet instead. The pipeline only
 * reads the packet; the entry files apply the decision.
 *
 * Order matters: cheap L2 tests first; everything malformed is passed
 * before anything looks at addresses; the TTL is checked only once the
 * FIB said the packet is not for the router itself (a local packet may
 * arrive with TTL 1).
 */
#ifndef DP_BPF_PIPELINE_H
#define DP_BPF_PIPELINE_H

#ifndef DP_BPF_CTX_H
#error "include ctx_xdp.h or ctx_skb.h before pipeline.h"
#endif

#include "common.h"
#include "fib4.h"
#include "fib6.h"
#include "intf.h"
#include "neigh.h"
#include "nh.h"
#include "parse.h"

/* The family's FIB misses routes it could not hold: a shorter route might
 * answer for them, so nothing of that family is routed here. */
static __always_inline bool dp_fib_incomplete(__u32 flag)
{
	__u32 key = 0;
	const struct dp_meta *m = bpf_map_lookup_elem(&meta_map, &key);

	return m && (m->flags & flag);
}

static __always_inline enum dp_reason dp_route_ipv4(struct dp_pkt *pkt,
						    const struct dp_rt_val **rt)
{
	struct iphdr *ip4;

	if (!dp_parse_ipv4(pkt))
		return DP_R_PASS_MALFORMED;
	ip4 = pkt->ip4;
	if (dp_ipv4_martian(ip4->saddr, ip4->daddr))
		return DP_R_PASS_MALFORMED;
	if (pkt->l3_hlen != sizeof(*ip4))
		return DP_R_PASS_IP_OPTIONS;
	if (dp_ipv4_not_unicast(ip4->daddr))
		return DP_R_PASS_MCAST;
	if (dp_fib_incomplete(DP_META_F_FIB4_INCOMPLETE))
		return DP_R_PASS_FIB_INCOMPLETE;
	*rt = dp_fib4_lookup(ip4->daddr);
	return DP_CONTINUE;
}

static __always_inline enum dp_reason dp_route_ipv6(struct dp_pkt *pkt,
						    const struct dp_rt_val **rt)
{
	struct ipv6hdr *ip6;

	if (!dp_parse_ipv6(pkt))
		return DP_R_PASS_MALFORMED;
	ip6 = pkt->ip6;
	if (dp_ipv6_martian(ip6))
		return DP_R_PASS_MALFORMED;
	if (pkt->l4_proto == DP_IPPROTO_HOPOPTS)
		return DP_R_PASS_IP_OPTIONS;
	if (pkt->has_icmp6_type && pkt->icmp6_type >= DP_ICMPV6_ND_FIRST &&
	    pkt->icmp6_type <= DP_ICMPV6_ND_LAST)
		return DP_R_PASS_ND;
	if (dp_ipv6_not_unicast(ip6))
		return DP_R_PASS_MCAST;
	if (dp_fib_incomplete(DP_META_F_FIB6_INCOMPLETE))
		return DP_R_PASS_FIB_INCOMPLETE;
	*rt = dp_fib6_lookup(&ip6->daddr);
	return DP_CONTINUE;
}

/*
 * Does the packet fit the out interface? A GSO aggregate fits if each of
 * its segments does (the kernel's forwarding path checks the same, with
 * skb_gso_validate_network_len); with no L4 header length to size the
 * segments, judge by the whole packet and let the kernel decide.
 */
static __always_inline bool dp_fits_mtu(const struct dp_ctx *ctx,
					const struct dp_pkt *pkt,
					const struct dp_egress *eg)
{
	__u32 gso_size = ctx_gso_size(ctx);

	if (gso_size && pkt->l4_hlen)
		return pkt->l3_hlen + pkt->l4_hlen + gso_size <= eg->mtu;
	return pkt->l3_len <= eg->mtu;
}

static __always_inline enum dp_reason dp_pipeline(struct dp_ctx *ctx,
						  struct dp_pkt *pkt,
						  const struct dp_intf *intf,
						  struct dp_egress *eg)
{
	const struct dp_rt_val *rt = NULL;
	enum dp_reason reason;

	if (!dp_intf_enabled(intf))
		return DP_R_PASS_DISABLED;
	if (!dp_parse_eth(pkt))
		return DP_R_PASS_MALFORMED;
	if (!dp_intf_is_router_mac(intf, pkt->eth))
		return DP_R_PASS_NOT_ROUTER;
	if (pkt->proto == bpf_htons(ETH_P_ARP))
		return DP_R_PASS_ARP;
	if (ctx_vlan_offloaded(ctx))
		return DP_R_PASS_NON_IP;

	if (pkt->proto == bpf_htons(ETH_P_IP))
		reason = dp_route_ipv4(pkt, &rt);
	else if (pkt->proto == bpf_htons(ETH_P_IPV6))
		reason = dp_route_ipv6(pkt, &rt);
	else
		return DP_R_PASS_NON_IP;
	if (reason != DP_CONTINUE)
		return reason;
	if (!rt)
		return DP_R_PASS_NO_ROUTE;

	switch (rt->type) {
	case DP_RT_LOCAL:
		return DP_R_PASS_LOCAL;
	case DP_RT_SPECIAL:
		return DP_R_PASS_SPECIAL;
	case DP_RT_CONNECTED:
		reason = dp_neigh_connected(pkt, rt->ifindex, eg);
		break;
	case DP_RT_NHG:
		reason = dp_nh_select(pkt, rt->nhg_id, eg);
		break;
	default:
		return DP_R_PASS_NO_ROUTE;
	}
	if (reason != DP_CONTINUE)
		return reason;

	if (pkt->ttl <= 1)
		return DP_R_PASS_TTL;
	if (!eg->resolved)
		return DP_R_PASS_NO_NEIGH;
	if (!dp_fits_mtu(ctx, pkt, eg))
		return DP_R_PASS_MTU;
	return DP_R_FWD;
}

#endif /* DP_BPF_PIPELINE_H */
