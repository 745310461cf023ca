// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The datapath's XDP path cut after each stage, for bench/fib and bench/lb
 * to measure what each stage adds to a packet (software clocks only on
 * these VMs: no bpftool prog profile). The very code of dp_xdp_main
 * (bpf/xdp_main.bpf.c, included), stopped at the compile-time points it
 * declares; bench/lib/datapath_stages.c gives them the datapath's maps.
 */
#include "../../bpf/xdp_main.bpf.c"

#define STAGE_CUT(name, stop)                                                  \
	SEC("xdp") int name(struct xdp_md *ctx)                                \
	{                                                                      \
		return dp_xdp_path(ctx, stop);                                 \
	}

STAGE_CUT(stage_entry, DP_XDP_STOP_ENTRY)
STAGE_CUT(stage_ingress, DP_XDP_STOP_INGRESS)
STAGE_CUT(stage_ct, DP_XDP_STOP_CT)
STAGE_CUT(stage_route, DP_XDP_STOP_ROUTE)
