/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Conntrack in the packet's path, between the ingress checks and routing
 * (pipeline.h), in two halves per hook:
 *
 *   XDP (fast path): dp_ct_fast() finds an established flow's entry and
 *   its rewrite, or makes a VIP's new flow (backend, entries, rewrite);
 *   the packet is routed to the translated destination and
 *   dp_ct_fast_done() lets XDP send it only if nothing else is needed.
 *   New source NAT flows, packets that change a flow's state and flows
 *   XDP cannot send itself go to TC with DP_R_PASS_CT_SLOW in the
 *   metadata, untouched.
 *
 *   TC (slow path, dp_tc_ct): dp_ct_slow() does the same for what XDP
 *   handed over and for interfaces without XDP; routing follows; then
 *   dp_ct_commit() moves the flow's state or makes a source NAT flow,
 *   whose rule depends on the route's out interface.
 *
 *   Before routing, only packets the filter (ct_filter.h) lets through
 *   are looked up; the original direction of a source NAT flow is found
 *   after routing, by its rule's out interface (dp_ct_find_late()).
 *
 * With conntrack unused (no DP_META_F_CT) both halves cost one flag test.
 */
#ifndef DP_BPF_CT_STAGE_H
#define DP_BPF_CT_STAGE_H

#include "common.h"
#include "ct.h"
#include "ct_filter.h"
#include "lb.h"
#include "maps.h"
#include "nat.h"
#include "nh.h"
#include "parse.h"

#define DP_ICMP_DEST_UNREACH 3
#define DP_ICMP_TIME_EXCEEDED 11
#define DP_ICMP_PARAMETERPROB 12
#define DP_ICMPV6_DEST_UNREACH 1
#define DP_ICMPV6_PARAMPROB 4 /* 1..4: unreachable, too big, time, param */

/* Where the packet is routed: its new destination, or a DSR flow's
 * backend (no rewrite: dp_nat_rewrite_xdp/skb skip DSR flows). */
static __always_inline void dp_flow_route_to(struct dp_pkt *pkt,
					     const struct dp_flow *fl)
{
	__builtin_memcpy(pkt->dst, fl->nat.daddr, sizeof(pkt->dst));
}

/* DSR sends the frame itself to the backend: it must be on-link. */
static __always_inline bool dp_egress_on_link(const struct dp_egress *eg)
{
	return !eg->path || !(eg->path->flags & DP_PATH_F_GW);
}

/*
 * The ports of an ICMP error's inner packet, reversed into k: the key of
 * the flow direction the error travels in. The error holds at least 8
 * bytes of the inner L4 header (RFC 792, RFC 4443). An inner echo request
 * (id in its source port) reverses into the reply's key (id in the
 * destination port), and an echo reply the other way round.
 */
static __always_inline bool dp_ct_inner_ports(const struct dp_pkt *pkt,
					      const void *l4, struct dp_ct_key *k)
{
	const struct dp_icmp_echo *ic = l4;
	const __be16 *ports = l4;

	if ((void *)(ic + 1) > pkt->cur.end)
		return false;
	switch (k->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		k->sport = ports[1];
		k->dport = ports[0];
		return true;
	case DP_IPPROTO_ICMP:
	case DP_IPPROTO_ICMPV6:
		if (ic->type == DP_ICMP_ECHO || ic->type == DP_ICMPV6_ECHO)
			k->dport = ic->id;
		else
			k->sport = ic->id;
		return true;
	default:
		return false;
	}
}

/* The inner packet's reversed tuple into fl->key (and, IPv4, packed into
 * room4 as fl->key4: dp_ct_key_of()). */
static __always_inline bool dp_ct_inner_key(const struct dp_pkt *pkt,
					    struct dp_flow *fl,
					    struct dp_ct4_key *room4)
{
	const void *inner = pkt->l4 + sizeof(struct dp_icmp_echo);
	struct dp_ct_key *k = &fl->key;

	if (pkt->ip4) {
		const struct iphdr *in = inner;

		fl->key4 = room4;
		if ((void *)(in + 1) > pkt->cur.end || in->ihl != 5)
			return false;
		k->family = DP_AF_INET;
		k->proto = in->protocol;
		k->saddr[0] = in->daddr;
		k->daddr[0] = in->saddr;
		if (!dp_ct_inner_ports(pkt, in + 1, k))
			return false;
		dp_ct4_key_pack(k, room4);
		return true;
	}
	if (pkt->ip6) {
		const struct ipv6hdr *in = inner;

		if ((void *)(in + 1) > pkt->cur.end)
			return false;
		k->family = DP_AF_INET6;
		k->proto = in->nexthdr;
		__builtin_memcpy(k->saddr, &in->daddr, 16);
		__builtin_memcpy(k->daddr, &in->saddr, 16);
		return dp_ct_inner_ports(pkt, in + 1, k);
	}
	return false;
}

/*
 * An ICMP error (unreachable, too big, time exceeded, parameter problem)
 * whose inner packet is one of a tracked flow's, as the LB sent it: the
 * reversed inner tuple is the key of the flow direction the error
 * travels in, and that entry's rewrite translates it (TC: outer
 * destination, inner packet, every checksum; nat.h). XDP hands it to TC;
 * what cannot be translated (a DSR flow's, an error not addressed to the
 * inner packet's source) goes to the kernel, counted.
 */
static __always_inline enum dp_reason dp_ct_icmp_error(struct dp_pkt *pkt,
						       struct dp_flow *fl,
						       struct dp_ct4_key *room4,
						       bool slow)
{
	const struct dp_icmp_echo *ic = pkt->l4;
	struct dp_ct_key *k = &fl->key;
	struct dp_ct_val *ct;

	if (!ic || (void *)(ic + 1) > pkt->cur.end)
		return DP_CONTINUE;
	if (pkt->ip4 && pkt->l4_proto == DP_IPPROTO_ICMP) {
		if (ic->type != DP_ICMP_DEST_UNREACH &&
		    ic->type != DP_ICMP_TIME_EXCEEDED &&
		    ic->type != DP_ICMP_PARAMETERPROB)
			return DP_CONTINUE;
	} else if (pkt->ip6 && pkt->l4_proto == DP_IPPROTO_ICMPV6) {
		if (ic->type < DP_ICMPV6_DEST_UNREACH ||
		    ic->type > DP_ICMPV6_PARAMPROB)
			return DP_CONTINUE;
	} else {
		return DP_CONTINUE;
	}
	__builtin_memset(k, 0, sizeof(*k));
	fl->key4 = NULL;
	if (!dp_ct_inner_key(pkt, fl, room4))
		return DP_CONTINUE;
	ct = dp_ct_flow_lookup(fl);
	if (!ct)
		return DP_CONTINUE;
	if (!slow)
		return DP_R_PASS_CT_SLOW;
	if ((ct->flags & DP_CT_F_DSR) ||
	    ((pkt->dst[0] ^ k->daddr[0]) | (pkt->dst[1] ^ k->daddr[1]) |
	     (pkt->dst[2] ^ k->daddr[2]) | (pkt->dst[3] ^ k->daddr[3])))
		return DP_R_PASS_CT_ICMP_ERROR;
	fl->ct = ct;
	fl->role = DP_FLOW_ICMP_ERROR;
	dp_ct_xlate_of(ct, &fl->nat);
	__builtin_memcpy(pkt->dst, fl->nat.daddr, sizeof(pkt->dst));
	return DP_CONTINUE;
}

/*
 * A client SYN that reuses the tuple of a closed VIP flow (TIME_WAIT or
 * CLOSE: the client picked the same port again) opens a new connection.
 * It may keep the old entry's backend only while that backend takes new
 * flows: if the backend went down, was set admin-down or left the VIP,
 * both entries are removed here (TC only) and the SYN makes a new flow
 * with a new selection. The entries are closed, so they count no active
 * connection; the reply entry is removed only if it is this flow's.
 */
static __always_inline bool dp_ct_reopen_stale(const struct dp_pkt *pkt,
					       struct dp_flow *fl)
{
	const struct dp_ct_val *ct = fl->ct, *rct;
	const void *pk;

	if (pkt->l4_proto != IPPROTO_TCP || !dp_tcp_is_syn(pkt->tcp_flags))
		return false;
	if ((ct->flags & (DP_CT_F_REPLY | DP_CT_F_LB)) != DP_CT_F_LB ||
	    !dp_ct_tcp_closed(ct->state) ||
	    dp_lb_usable(ct->backend_id, fl->key.family))
		return false;
	if (!(ct->flags & DP_CT_F_DSR)) {
		dp_ct_xlate_of(ct, &fl->nat);
		pk = dp_ct_peer_of(fl);
		rct = pk ? dp_ct_lookup_in(fl, pk) : NULL;
		if (rct && (rct->flags & DP_CT_F_REPLY) &&
		    dp_ct_is_peer_of(rct, &fl->key))
			dp_ct_delete_in(fl, pk);
	}
	dp_ct_delete_in(fl, dp_ct_flow_key(fl));
	return true;
}

/*
 * The packet's flow, while conntrack is in use. `slow` (TC) also makes a
 * VIP's new flow; XDP hands those, and packets that would change their
 * flow's state, to TC.
 */
static __always_inline enum dp_reason dp_ct_find(struct dp_pkt *pkt,
						 __u32 flags,
						 struct dp_flow *fl, bool slow)
{
	const struct dp_lb_vip *vip;
	struct dp_ct4_key *room4;
	enum dp_reason reason;

	if (!(flags & DP_META_F_CT))
		return DP_CONTINUE;
	/* a one-entry per-CPU array: there, but the verifier asks; without
	 * it conntrack cannot run here, and the kernel takes the packet */
	room4 = dp_ct4_flow_key();
	if (!room4)
		return DP_R_PASS_CT_SLOW;
	if (!dp_ct_key_of(pkt, &fl->key, room4, &fl->key4)) {
		reason = dp_ct_icmp_error(pkt, fl, room4, slow);
		if (reason != DP_CONTINUE || fl->role == DP_FLOW_ICMP_ERROR)
			return reason;
		if ((flags & DP_META_F_LB) && dp_lb_vip_addr(pkt))
			return DP_R_PASS_LB_UNSUPPORTED;
		return DP_CONTINUE;
	}
	fl->has_key = 1;
	if (!dp_ct_filter_pass(&fl->key, flags)) {
		fl->late = 1;
		return DP_CONTINUE;
	}
	fl->ct = dp_ct_flow_lookup(fl);
	if (fl->ct && slow && dp_ct_reopen_stale(pkt, fl))
		fl->ct = NULL;
	if (fl->ct) {
		if (!slow && !dp_ct_fast_ok(pkt, fl->ct))
			return DP_R_PASS_CT_SLOW;
		dp_flow_from_ct(fl);
		dp_flow_route_to(pkt, fl);
		return DP_CONTINUE;
	}
	if (!(flags & DP_META_F_LB))
		return DP_CONTINUE;
	vip = dp_lb_vip_lookup(&fl->key);
	if (!vip)
		return DP_CONTINUE;
	/* Made wherever it first arrives: XDP too (one lookup, direct
	 * rewrite); if XDP cannot send it after all, TC finds it made. */
	reason = dp_lb_new_flow(pkt, fl, vip);
	if (reason == DP_CONTINUE)
		dp_flow_route_to(pkt, fl);
	return reason;
}

/* No flow yet (the entry calls it first: later stages read fl). */
static __always_inline void dp_flow_init(struct dp_flow *fl)
{
	fl->ct = NULL;
	fl->key4 = NULL;
	fl->has_key = 0;
	fl->role = DP_FLOW_PACKET;
	fl->dsr = 0;
	fl->late = 0;
}

/*
 * A packet the filter let pass unlooked-up, once routed: if it leaves
 * through the interface of a source NAT rule for its source, it may be
 * that rule's flow, in the original direction. Its entry now; source NAT
 * leaves the destination alone, so the route found stands. Returns
 * whether such a rule applies (false too when the packet was looked up
 * before routing: the caller asks the rule then).
 */
static __always_inline bool dp_ct_find_late(__u32 flags, struct dp_flow *fl,
					    const struct dp_egress *eg)
{
	if (!fl->late || !(flags & DP_META_F_SNAT) ||
	    !dp_nat_src_rule(&fl->key, eg->ifindex))
		return false;
	fl->ct = dp_ct_flow_lookup(fl);
	if (fl->ct)
		dp_flow_from_ct(fl);
	return true;
}

/* XDP, before routing: an established flow's rewrite, or to TC. */
#define dp_ct_fast(pkt, flags, fl) dp_ct_find(pkt, flags, fl, false)

/* A route was found: the packet can leave (XDP or TC, resolved or not). */
static __always_inline bool dp_reason_routed(enum dp_reason reason)
{
	return reason == DP_R_FWD || reason == DP_R_PASS_NO_NEIGH ||
	       reason == DP_R_PASS_EGRESS_SKB;
}

/*
 * XDP, once routed: a flow's packet leaves here only if XDP can send it
 * (resolved, XDP egress, DSR on-link); anything else about a flow is TC's
 * to finish, and so is a packet that opens a source NAT flow.
 */
static __always_inline enum dp_reason
dp_ct_fast_done(const struct dp_pkt *pkt, __u32 flags, struct dp_flow *fl,
		const struct dp_egress *eg,
		enum dp_reason reason)
{
	bool rule;

	if (!(flags & DP_META_F_CT) || !dp_reason_routed(reason))
		return fl->ct ? DP_R_PASS_CT_SLOW : reason;
	rule = dp_ct_find_late(flags, fl, eg);
	if (fl->ct) {
		if (fl->late && !dp_ct_fast_ok(pkt, fl->ct))
			return DP_R_PASS_CT_SLOW;
		if (reason == DP_R_FWD && (!fl->dsr || dp_egress_on_link(eg)))
			return DP_R_FWD;
		return DP_R_PASS_CT_SLOW;
	}
	/* the rule was asked already for a packet the filter skipped */
	if ((flags & DP_META_F_SNAT) && fl->has_key &&
	    dp_nat_opens_flow(pkt, &fl->key) &&
	    (fl->late ? rule : !!dp_nat_src_rule(&fl->key, eg->ifindex)))
		return DP_R_PASS_CT_SLOW;
	return reason;
}

/* TC, before routing: the flow, made now if it is a VIP's new flow. */
#define dp_ct_slow(pkt, flags, fl) dp_ct_find(pkt, flags, fl, true)

/*
 * TC, once the packet is known to leave (DP_R_FWD or DP_R_FWD_NEIGH): the
 * flow's state follows the packet, or a packet opening a flow through a
 * source NAT rule of its out interface gets its flow.
 */
static __always_inline enum dp_reason
dp_ct_commit(const struct dp_pkt *pkt, __u32 flags, struct dp_flow *fl,
	     const struct dp_egress *eg, enum dp_reason reason)
{
	const struct dp_nat_src *rule;
	enum dp_reason r;

	if (reason != DP_R_FWD && reason != DP_R_FWD_NEIGH)
		return reason;
	dp_ct_find_late(flags, fl, eg);
	if (fl->ct) {
		if (fl->dsr && !dp_egress_on_link(eg))
			return DP_R_PASS_LB_UNSUPPORTED;
		/* an ICMP error tells of the flow, it does not move it */
		if (fl->role == DP_FLOW_PACKET)
			dp_ct_update(pkt, fl);
		return reason;
	}
	if (!(flags & DP_META_F_SNAT) || !fl->has_key ||
	    !dp_nat_opens_flow(pkt, &fl->key))
		return reason;
	rule = dp_nat_src_rule(&fl->key, eg->ifindex);
	if (!rule)
		return reason;
	r = dp_nat_new_flow(pkt, fl, rule);
	return r == DP_CONTINUE ? reason : r;
}

#endif /* DP_BPF_CT_STAGE_H */
