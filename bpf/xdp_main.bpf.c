// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * XDP entry: the fast path. Routes what it can straight out of the driver
 * (bpf_redirect with a pre-resolved path), including the packets of
 * established conntrack flows (load balanced or NATed), rewritten on the
 * way; passes everything else to the kernel, leaving its verdict in the
 * packet metadata for TC ingress, which takes over new flows and state
 * changes (the slow path).
 */
#include "ctx_xdp.h"

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

SEC("xdp")
int dp_xdp_main(struct xdp_md *ctx)
{
	const struct dp_intf *intf = dp_intf_lookup(ctx_ingress_ifindex(ctx));
	struct dp_intf_stats *istats = dp_intf_stats_slot(intf);
	struct dp_egress eg = {};
	enum dp_reason reason;
	struct dp_flow fl;
	bool policed = false;
	struct dp_pkt pkt;
	__u32 flags = 0;

	DP_BUILD_MARK();
	dp_flow_init(&fl);
	ctx_load_pkt(ctx, &pkt);
	/* Parse and check the packet as the kernel would: lib/pipeline.h */
	reason = dp_pipeline_ingress(ctx, &pkt, intf, &flags);
	/* Policers that apply, and their actions: lib/police.h */
	if (reason == DP_CONTINUE)
		reason = dp_police(ctx, &pkt, ctx_ingress_ifindex(ctx), flags,
				   &policed);
	if (reason == DP_R_DROP_POLICED) {
		dp_count(DP_HOOK_XDP, reason, pkt.len, istats);
		return XDP_DROP;
	}
	/* An established flow's rewrite and destination: lib/ct_stage.h */
	if (reason == DP_CONTINUE)
		reason = dp_ct_fast(&pkt, flags, &fl);
	/* The route to the (translated) destination: lib/pipeline.h */
	if (reason == DP_CONTINUE)
		reason = dp_pipeline_route(ctx, &pkt, intf, flags, &eg);

	/*
	 * A redirect to a device that takes no XDP frames (a bridge, a
	 * VXLAN device, a port in mode tc, a veth whose peer is not ready)
	 * would be dropped by the driver: TC forwards those as skbs.
	 */
	if (reason == DP_R_FWD && !eg.xdp_tx)
		reason = DP_R_PASS_EGRESS_SKB;
	/* What only TC can finish about a flow goes there untouched. */
	reason = dp_ct_fast_done(&pkt, flags, &fl, &eg, reason);

	if (reason == DP_R_FWD) {
		dp_decrement_ttl(ctx, &pkt);
		dp_l2_rewrite(pkt.eth, eg.dmac, eg.smac);
		if (fl.ct) {
			dp_nat_rewrite_xdp(&pkt, &fl);
			dp_ct_account(&fl, pkt.len);
		}
		dp_neigh_mark_used(eg.hit_slot);
		dp_count(DP_HOOK_XDP, DP_R_FWD, pkt.len, istats);
		return bpf_redirect(eg.ifindex, 0);
	}

	/* What TC takes over, TC counts, when TC runs behind XDP here. */
	if (!DP_REASON_TC_TAKES(reason) || !dp_intf_has_tc(intf))
		dp_count(DP_HOOK_XDP, reason, pkt.len, istats);
	dp_xdp_meta_store(ctx, reason, policed ? DP_XDP_META_F_POLICED : 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
