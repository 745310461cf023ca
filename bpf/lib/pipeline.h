/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The routing decision, shared by the XDP and TC hooks: from a frame and
 * its ingress interface to either DP_R_FWD (with the egress filled in) or
 * the reason the kernel must handle the packet instead. The pipeline only
 * reads the packet; the entry files apply the decision. It comes in two
 * halves, ingress checks and routing, so that conntrack can stand between
 * them (a translated packet is routed to its new destination).
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
#include "addr.h"
#include "fib4.h"
#include "fib6.h"
#include "intf.h"
#include "neigh.h"
#include "nh.h"
#include "parse.h"
#include "punt.h"
#include "rpf.h"

/* The datapath-wide switches (DP_META_F_*), read once per packet. */
static __always_inline __u32 dp_meta_flags(void)
{
	__u32 key = 0;
	const struct dp_meta *m = bpf_map_lookup_elem(&meta_map, &key);

	return m ? m->flags : 0;
}

/*
 * The switches, if zebra still vouches for the tables: past the hold time
 * nothing keeps them true (a link gone down, a neighbour moved), so the
 * kernel, which zebra's death does not freeze, takes every packet.
 */
static __always_inline enum dp_reason dp_meta_trusted(__u32 *flags)
{
	__u32 key = 0;
	const struct dp_meta *m = bpf_map_lookup_elem(&meta_map, &key);

	if (!m) {
		*flags = 0;
		return DP_CONTINUE;
	}
	*flags = m->flags;
	if ((m->flags & DP_META_F_HOLD) &&
	    bpf_ktime_get_coarse_ns() > m->trusted_until)
		return DP_R_PASS_HOLD_EXPIRED;
	return DP_CONTINUE;
}

/* IPv4 up to the FIB lookup: what the kernel checks before routing. */
static __always_inline enum dp_reason dp_check_ipv4(struct dp_pkt *pkt,
						    __u32 flags)
{
	enum dp_reason reason;
	struct iphdr *ip4;

	if (!dp_parse_ipv4(pkt))
		return DP_R_PASS_MALFORMED;
	if (pkt->trailer)
		return DP_R_PASS_TRAILER;
	ip4 = pkt->ip4;
	reason = dp_addr4_check(ip4, flags);
	if (reason != DP_CONTINUE)
		return reason;
	if (pkt->l3_hlen != sizeof(*ip4))
		return DP_R_PASS_IP_OPTIONS;
	if (flags & DP_META_F_IPSEC)
		return DP_R_PASS_IPSEC;
	return DP_CONTINUE;
}

static __always_inline enum dp_reason dp_check_ipv6(struct dp_pkt *pkt,
						    __u32 flags)
{
	enum dp_reason reason;
	struct ipv6hdr *ip6;

	if (!dp_parse_ipv6(pkt))
		return DP_R_PASS_MALFORMED;
	if (pkt->trailer)
		return DP_R_PASS_TRAILER;
	ip6 = pkt->ip6;
	if (pkt->has_icmp6_type && pkt->icmp6_type >= DP_ICMPV6_ND_FIRST &&
	    pkt->icmp6_type <= DP_ICMPV6_ND_LAST)
		return DP_R_PASS_ND;
	reason = dp_addr6_check(ip6);
	if (reason != DP_CONTINUE)
		return reason;
	if (pkt->l4_proto == DP_IPPROTO_HOPOPTS)
		return DP_R_PASS_IP_OPTIONS;
	if (flags & DP_META_F_IPSEC)
		return DP_R_PASS_IPSEC;
	return DP_CONTINUE;
}

/*
 * The route to pkt->dst (the packet's destination, or the backend
 * conntrack chose), NULL if none; a punted range goes to the kernel.
 */
static __always_inline enum dp_reason
dp_route_lookup(const struct dp_pkt *pkt, __u32 flags,
		const struct dp_rt_val **rt)
{
	enum dp_reason reason;

	if (pkt->ip4) {
		reason = dp_punted4(flags, pkt->dst[0]);
		if (reason != DP_CONTINUE)
			return reason;
		*rt = dp_fib4_lookup(pkt->dst[0]);
		return DP_CONTINUE;
	}
	reason = dp_punted6(flags, (const struct in6_addr *)pkt->dst);
	if (reason != DP_CONTINUE)
		return reason;
	*rt = dp_fib6_lookup((const struct in6_addr *)pkt->dst);
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

/*
 * The IP families a program handles (dp_pipeline_ingress): a compile-time
 * constant, so that a program for one family carries no code, and the
 * verifier walks no path, of the other (tc_main.bpf.c: dp_tc_ct4/6).
 */
#define DP_FAM_IP4 0x1
#define DP_FAM_IP6 0x2
#define DP_FAM_ALL (DP_FAM_IP4 | DP_FAM_IP6)

/*
 * First half: from a frame to an IP packet the datapath may route, with
 * the datapath-wide switches in *flags, or the reason it may not. A frame
 * of a family not in fams is not IP to this program: its caller sends
 * only the families it handles.
 */
static __always_inline enum dp_reason
dp_pipeline_ingress(struct dp_ctx *ctx, struct dp_pkt *pkt,
		    const struct dp_intf *intf, __u32 *flags, __u32 fams)
{
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

	reason = dp_meta_trusted(flags);
	if (reason != DP_CONTINUE)
		return reason;
	if ((fams & DP_FAM_IP4) && pkt->proto == bpf_htons(ETH_P_IP))
		return dp_check_ipv4(pkt, *flags);
	if ((fams & DP_FAM_IP6) && pkt->proto == bpf_htons(ETH_P_IPV6))
		return dp_check_ipv6(pkt, *flags);
	return DP_R_PASS_NON_IP;
}

/*
 * Second half: the routing decision for pkt->dst, either DP_R_FWD with
 * the egress filled in or the reason the kernel must route the packet.
 */
static __always_inline enum dp_reason
dp_pipeline_route(struct dp_ctx *ctx, struct dp_pkt *pkt,
		  const struct dp_intf *intf, __u32 flags, struct dp_egress *eg)
{
	const struct dp_rt_val *rt = NULL;
	enum dp_reason reason;

	reason = dp_route_lookup(pkt, flags, &rt);
	if (reason != DP_CONTINUE)
		return reason;
	if (!rt)
		return DP_R_PASS_NO_ROUTE;

	switch (rt->type) {
	case DP_RT_LOCAL:
		return DP_R_PASS_LOCAL;
	case DP_RT_BROADCAST:
		return DP_R_PASS_BCAST;
	case DP_RT_SPECIAL:
		return DP_R_PASS_SPECIAL;
	case DP_RT_KERNEL:
		return DP_R_PASS_UNSUPPORTED;
	case DP_RT_PUNT:
		return DP_R_PASS_FIB_FULL;
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
	if (pkt->ip4) {
		reason = dp_rpf4(pkt->ip4->saddr, intf,
				 ctx_ingress_ifindex(ctx), flags);
		if (reason != DP_CONTINUE)
			return reason;
	}

	if (pkt->ttl <= 1)
		return DP_R_PASS_TTL;
	if (!eg->resolved)
		return DP_R_PASS_NO_NEIGH;
	if (!dp_fits_mtu(ctx, pkt, eg))
		return DP_R_PASS_MTU;
	return DP_R_FWD;
}

#endif /* DP_BPF_PIPELINE_H */
