// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TC ingress entry: the full pipeline for interfaces without XDP, and for
 * XDP interfaces what XDP cannot do: forwarding to a neighbour the kernel
 * has not resolved yet (bpf_redirect_neigh queues the packet on the
 * kernel's neighbour entry and resolves it), and to an egress that takes
 * no XDP redirect (a bridge, a VXLAN device, a port in mode tc). Forwarding
 * here does not depend on the kernel's own forwarding setting.
 */
#include "ctx_skb.h"

#include "common.h"
#include "intf.h"
#include "l2.h"
#include "l3.h"
#include "neigh.h"
#include "pipeline.h"
#include "stats.h"
#include "xdp_meta.h"

SEC("tc")
int dp_tc_main(struct __sk_buff *ctx)
{
	const struct dp_intf *intf;
	struct dp_intf_stats *istats;
	struct bpf_redir_neigh nh;
	struct dp_egress eg = {};
	enum dp_reason reason;
	struct dp_pkt pkt;

	/* XDP already passed this packet to the kernel and counted it. */
	if (dp_xdp_meta_decided(ctx))
		return TC_ACT_OK;

	intf = dp_intf_lookup(ctx_ingress_ifindex(ctx));
	istats = dp_intf_stats_slot(intf);
	ctx_load_pkt(ctx, &pkt);
	/* The routing decision, step by step: lib/pipeline.h */
	reason = dp_pipeline(ctx, &pkt, intf, &eg);

	switch (reason) {
	case DP_R_FWD:
		dp_l2_rewrite(pkt.eth, eg.dmac, eg.smac);
		dp_decrement_ttl(ctx, &pkt);
		dp_neigh_mark_used(eg.hit_slot);
		dp_count(DP_HOOK_TC, DP_R_FWD, pkt.len, istats);
		return bpf_redirect(eg.ifindex, 0);
	case DP_R_PASS_NO_NEIGH:
		if (!eg.ifindex)
			break;
		if (!dp_fits_mtu(ctx, &pkt, &eg)) {
			reason = DP_R_PASS_MTU;
			break;
		}
		dp_neigh_nexthop(&pkt, &eg, &nh);
		dp_decrement_ttl(ctx, &pkt);
		dp_count(DP_HOOK_TC, DP_R_FWD_NEIGH, pkt.len, istats);
		return bpf_redirect_neigh(eg.ifindex, &nh, sizeof(nh), 0);
	default:
		break;
	}

	dp_count(DP_HOOK_TC, reason, pkt.len, istats);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
