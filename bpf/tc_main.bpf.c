// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TC ingress entry: the full pipeline for interfaces without XDP, and for
 * XDP interfaces what XDP cannot do: forwarding to a neighbour the kernel
 * has not resolved yet (bpf_redirect_neigh queues the packet on the
 * kernel's neighbour entry and resolves it), to an egress that takes no
 * XDP redirect (a bridge, a VXLAN device, a port in mode tc), and the
 * slow path of conntrack (new load-balanced and source NAT flows, state
 * changes). Forwarding here does not depend on the kernel's own
 * forwarding setting.
 *
 * Three programs: dp_tc_main routes; while conntrack is in use
 * (DP_META_F_CT) it tail-calls dp_tc_ct4 or dp_tc_ct6 by the frame's
 * ethertype, the same pipeline with the conntrack, load balancer and NAT
 * stages for one family, so that routing alone pays one flag test and no
 * program carries two verifier loads (the slow path of both families
 * in one program came within 10 % of the verifier's limit).
 */
#include "ctx_skb.h"

#include "common.h"
#include "ct_stage.h"
#include "intf.h"
#include "l2.h"
#include "l3.h"
#include "nat.h"
#include "neigh.h"
#include "pipeline.h"
#include "police.h"
#include "stats.h"
#include "xdp_meta.h"

/*
 * An unresolved next hop TC can still reach through the kernel's
 * neighbour table: known out interface, and a packet that fits it.
 */
static __always_inline enum dp_reason dp_tc_neigh(struct __sk_buff *ctx,
						  const struct dp_pkt *pkt,
						  const struct dp_egress *eg,
						  enum dp_reason reason)
{
	if (reason != DP_R_PASS_NO_NEIGH || !eg->ifindex)
		return reason;
	if (!dp_fits_mtu(ctx, pkt, eg))
		return DP_R_PASS_MTU;
	return DP_R_FWD_NEIGH;
}

/* The flow's rewrite (last: the helpers move the packet). */
static __always_inline void dp_tc_xlate(struct __sk_buff *ctx,
					struct dp_pkt *pkt,
					const struct dp_flow *fl)
{
	if (fl->role == DP_FLOW_ICMP_ERROR) {
		dp_nat_icmp_error_skb(ctx, &fl->key, &fl->nat);
		return;
	}
	dp_nat_rewrite_skb(ctx, pkt, fl);
	dp_ct_account(fl, pkt->len);
}

/*
 * Apply the decision: rewrite and send (DP_R_FWD, DP_R_FWD_NEIGH) or pass
 * to the kernel, counting the packet once. fl (NULL for routing alone)
 * is the packet's flow: its rewrite goes last, through helpers that
 * invalidate every packet pointer.
 */
static __always_inline int dp_tc_send(struct __sk_buff *ctx,
				      struct dp_pkt *pkt,
				      const struct dp_egress *eg,
				      enum dp_reason reason,
				      struct dp_intf_stats *istats,
				      const struct dp_flow *fl)
{
	struct bpf_redir_neigh nh;

	switch (reason) {
	case DP_R_FWD:
		dp_l2_rewrite(pkt->eth, eg->dmac, eg->smac);
		dp_decrement_ttl(ctx, pkt);
		dp_neigh_mark_used(eg->hit_slot);
		if (fl && fl->ct)
			dp_tc_xlate(ctx, pkt, fl);
		dp_count(DP_HOOK_TC, DP_R_FWD, pkt->len, istats);
		return bpf_redirect(eg->ifindex, 0);
	case DP_R_FWD_NEIGH:
		dp_neigh_nexthop(pkt, eg, &nh);
		dp_decrement_ttl(ctx, pkt);
		if (fl && fl->ct)
			dp_tc_xlate(ctx, pkt, fl);
		dp_count(DP_HOOK_TC, DP_R_FWD_NEIGH, pkt->len, istats);
		return bpf_redirect_neigh(eg->ifindex, &nh, sizeof(nh), 0);
	case DP_R_DROP_POLICED:
		dp_count(DP_HOOK_TC, reason, pkt->len, istats);
		return TC_ACT_SHOT;
	default:
		dp_count(DP_HOOK_TC, reason, pkt->len, istats);
		return DP_VERDICT_PASS;
	}
}

/* Policers, unless XDP metered the packet already (lib/police.h). */
static __always_inline enum dp_reason dp_tc_police(struct __sk_buff *ctx,
						   struct dp_pkt *pkt,
						   __u32 flags)
{
	bool metered = false;

	if (dp_xdp_meta_policed(ctx))
		return DP_CONTINUE;
	return dp_police(ctx, pkt, ctx_ingress_ifindex(ctx), flags, &metered);
}

/*
 * The slow path of conntrack, reached from dp_tc_main by tail call while
 * conntrack is in use: every packet of a TC-only interface, and what XDP
 * handed over (DP_R_PASS_CT_SLOW). fams: the families of the frames it
 * is given, a constant (dp_tc_ct4, dp_tc_ct6 below).
 */
static __always_inline int dp_tc_ct(struct __sk_buff *ctx, __u32 fams)
{
	const struct dp_intf *intf = dp_intf_lookup(ctx_ingress_ifindex(ctx));
	struct dp_intf_stats *istats = dp_intf_stats_slot(intf);
	struct dp_egress eg = {};
	enum dp_reason reason;
	struct dp_flow fl;
	struct dp_pkt pkt;
	__u32 flags = 0;

	dp_flow_init(&fl);
	ctx_load_pkt(ctx, &pkt);
	/* Parse and check the packet as the kernel would: lib/pipeline.h */
	reason = dp_pipeline_ingress(ctx, &pkt, intf, &flags, fams);
	if (reason == DP_CONTINUE)
		reason = dp_tc_police(ctx, &pkt, flags);
	/* Its flow, made now for a VIP's new flow: lib/ct_stage.h */
	if (reason == DP_CONTINUE)
		reason = dp_ct_slow(&pkt, flags, &fl);
	/* The route to the (translated) destination: lib/pipeline.h */
	if (reason == DP_CONTINUE)
		reason = dp_pipeline_route(ctx, &pkt, intf, flags, &eg);
	reason = dp_tc_neigh(ctx, &pkt, &eg, reason);
	/* The flow's state, or a new source NAT flow: lib/ct_stage.h */
	reason = dp_ct_commit(&pkt, flags, &fl, &eg, reason);
	return dp_tc_send(ctx, &pkt, &eg, reason, istats, &fl);
}

/* Every frame but IPv6: IPv4, and what is not IP (passed, counted). */
SEC("tc")
int dp_tc_ct4(struct __sk_buff *ctx)
{
	return dp_tc_ct(ctx, DP_FAM_IP4);
}

SEC("tc")
int dp_tc_ct6(struct __sk_buff *ctx)
{
	return dp_tc_ct(ctx, DP_FAM_IP6);
}

/* The slot of the frame's family: its ethertype (untagged, as the
 * pipeline reads it), read from the frame itself. */
static __always_inline __u32 dp_tc_ct_slot(struct __sk_buff *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) <= (void *)(long)ctx->data_end &&
	    eth->h_proto == bpf_htons(ETH_P_IPV6))
		return DP_TC_PROG_CT6;
	return DP_TC_PROG_CT4;
}

/*
 * Programs reached by tail call, in the slots dp_abi.h names. Pinned: the
 * kernel empties a program array when no process and no pin holds it, so
 * an unpinned one would stop the attached program's tail calls the moment
 * zebra dies (kill -9), well within the hold time. libbpf writes this
 * run's programs into the slots at every load.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, DP_TC_PROG_MAX);
	__uint(key_size, sizeof(__u32));
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, int(struct __sk_buff *));
} tc_prog_map SEC(".maps") = {
	.values = {
		[DP_TC_PROG_CT4] = (void *)&dp_tc_ct4,
		[DP_TC_PROG_CT6] = (void *)&dp_tc_ct6,
	},
};

SEC("tc")
int dp_tc_main(struct __sk_buff *ctx)
{
	const struct dp_intf *intf;
	struct dp_intf_stats *istats;
	struct dp_egress eg = {};
	enum dp_reason reason;
	struct dp_pkt pkt;
	__u32 flags = 0;

	DP_BUILD_MARK();
	/* XDP already passed this packet to the kernel and counted it. */
	if (dp_xdp_meta_decided(ctx))
		return DP_VERDICT_PASS;
	/* Conntrack in use: the pipeline with it (dp_tc_ct above). */
	if (dp_meta_flags() & DP_META_F_CT) {
		bpf_tail_call(ctx, &tc_prog_map, dp_tc_ct_slot(ctx));
		/* Its slot is empty: nothing may be half done, to the kernel. */
		ctx_load_pkt(ctx, &pkt);
		dp_count(DP_HOOK_TC, DP_R_PASS_CT_SLOW, pkt.len,
			 dp_intf_stats_slot(dp_intf_lookup(
				 ctx_ingress_ifindex(ctx))));
		return DP_VERDICT_PASS;
	}

	intf = dp_intf_lookup(ctx_ingress_ifindex(ctx));
	istats = dp_intf_stats_slot(intf);
	ctx_load_pkt(ctx, &pkt);
	/* The routing decision, step by step: lib/pipeline.h */
	reason = dp_pipeline_ingress(ctx, &pkt, intf, &flags, DP_FAM_ALL);
	if (reason == DP_CONTINUE)
		reason = dp_tc_police(ctx, &pkt, flags);
	if (reason == DP_CONTINUE)
		reason = dp_pipeline_route(ctx, &pkt, intf, flags, &eg);
	reason = dp_tc_neigh(ctx, &pkt, &eg, reason);
	return dp_tc_send(ctx, &pkt, &eg, reason, istats, NULL);
}

char LICENSE[] SEC("license") = "GPL";
