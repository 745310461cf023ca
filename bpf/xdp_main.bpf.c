// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * XDP entry: the fast path. Routes what it can straight out of the driver
 * (bpf_redirect with a pre-resolved path) and passes everything else to
 * the kernel, leaving its verdict in the packet metadata for TC ingress.
 */
#include "ctx_xdp.h"

#include "common.h"
#include "intf.h"
#include "l2.h"
#include "l3.h"
#include "pipeline.h"
#include "stats.h"
#include "xdp_meta.h"

SEC("xdp")
int dp_xdp_main(struct xdp_md *ctx)
{
	const struct dp_intf *intf = dp_intf_lookup(ctx_ingress_ifindex(ctx));
	struct dp_intf_stats *istats = dp_intf_stats_slot(intf);
	struct dp_egress eg = {};
	enum dp_reason reason;
	struct dp_pkt pkt;

	ctx_load_pkt(ctx, &pkt);
	/* The routing decision, step by step: lib/pipeline.h */
	reason = dp_pipeline(ctx, &pkt, intf, &eg);

	if (reason == DP_R_FWD) {
		dp_decrement_ttl(ctx, &pkt);
		dp_l2_rewrite(pkt.eth, eg.dmac, eg.smac);
		dp_count(DP_HOOK_XDP, DP_R_FWD, pkt.len, istats);
		return bpf_redirect(eg.ifindex, 0);
	}

	/*
	 * An unresolved neighbour is TC's to forward (bpf_redirect_neigh)
	 * and so TC's to count, when TC runs behind XDP here.
	 */
	if (reason != DP_R_PASS_NO_NEIGH || !dp_intf_has_tc(intf))
		dp_count(DP_HOOK_XDP, reason, pkt.len, istats);
	dp_xdp_meta_store(ctx, reason);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
