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

/*
 * Where the path stops: the whole way in dp_xdp_main; after a stage only
 * in bench/bpf/stages.bpf.c, which includes this file to measure what each
 * stage adds (bench/fib, bench/lb). The stops are compile-time constants:
 * in dp_xdp_main they vanish.
 */
enum dp_xdp_stop {
	DP_XDP_STOP_NONE,
	DP_XDP_STOP_ENTRY,   /* interface found, packet loaded */
	DP_XDP_STOP_INGRESS, /* + the kernel's ingress checks, policers */
	DP_XDP_STOP_CT,	     /* + conntrack: a flow's rewrite and backend */
	DP_XDP_STOP_ROUTE,   /* + the route, next hop, what TC must finish */
};

/* A stopped path's verdict: XDP_PASS if the packet is still on its way to
 * being forwarded (the benchmarks check it), else XDP_DROP. */
#define DP_XDP_STOP_AT(stop, at, ok)                                           \
	do {                                                                   \
		if ((stop) == (at))                                            \
			return (ok) ? XDP_PASS : XDP_DROP;                     \
	} while (0)

static __always_inline int dp_xdp_path(struct xdp_md *ctx,
				       enum dp_xdp_stop stop)
{
	const struct dp_intf *intf = dp_intf_lookup(ctx_ingress_ifindex(ctx));
	struct dp_intf_stats *istats = dp_intf_stats_slot(intf);
	struct dp_egress eg = {};
	enum dp_reason reason;
	struct dp_flow fl;
	bool policed = false;
	struct dp_pkt pkt;
	__u32 flags = 0;

	dp_flow_init(&fl);
	ctx_load_pkt(ctx, &pkt);
	DP_XDP_STOP_AT(stop, DP_XDP_STOP_ENTRY, intf);
	/* Parse and check the packet as the kernel would: lib/pipeline.h */
	reason = dp_pipeline_ingress(ctx, &pkt, intf, &flags, DP_FAM_ALL);
	/* Policers that apply, and their actions: lib/police.h */
	if (reason == DP_CONTINUE)
		reason = dp_police(ctx, &pkt, ctx_ingress_ifindex(ctx), flags,
				   &policed);
	if (reason == DP_R_DROP_POLICED) {
		dp_count(DP_HOOK_XDP, reason, pkt.len, istats);
		return XDP_DROP;
	}
	DP_XDP_STOP_AT(stop, DP_XDP_STOP_INGRESS, reason == DP_CONTINUE);
	/* An established flow's rewrite and destination: lib/ct_stage.h */
	if (reason == DP_CONTINUE)
		reason = dp_ct_fast(&pkt, flags, &fl);
	DP_XDP_STOP_AT(stop, DP_XDP_STOP_CT, reason == DP_CONTINUE);
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
	DP_XDP_STOP_AT(stop, DP_XDP_STOP_ROUTE, reason == DP_R_FWD);

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

SEC("xdp")
int dp_xdp_main(struct xdp_md *ctx)
{
	DP_BUILD_MARK();
	return dp_xdp_path(ctx, DP_XDP_STOP_NONE);
}

char LICENSE[] SEC("license") = "GPL";
