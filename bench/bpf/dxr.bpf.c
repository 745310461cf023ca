// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/dxr: the datapath's IPv4 lookup of a value id two ways, on the
 * same frames and the same tables (its maps shared with a loaded
 * datapath, filled by the plugin's dp_fib.c): DIR-24-8 alone, and the
 * whole search, ranges in front of DIR-24-8 (bpf/lib/fib4.h). Each writes
 * the id into the frame for bench/dxr.c to check.
 */
#include "ctx_xdp.h"

#include "common.h"
#include "fib4.h"
#include "maps.h"

enum dxr_how { DXR_NONE, DXR_DIR24, DXR_SEARCH };

static __always_inline int dxr_run(struct xdp_md *ctx, enum dxr_how how)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u32 *out = (void *)(ip + 1), a, id = 0;

	if ((void *)(out + 1) > end)
		return XDP_ABORTED;
	a = bpf_ntohl(ip->daddr);
	if (how == DXR_DIR24)
		id = dp_fib4_dir24(a);
	else if (how == DXR_SEARCH)
		id = dp_fib4_search(a);
	*out = id;
	return XDP_TX;
}

SEC("xdp")
int dxr_none(struct xdp_md *ctx)
{
	return dxr_run(ctx, DXR_NONE);
}

SEC("xdp")
int dxr_dir24(struct xdp_md *ctx)
{
	return dxr_run(ctx, DXR_DIR24);
}

SEC("xdp")
int dxr_search(struct xdp_md *ctx)
{
	return dxr_run(ctx, DXR_SEARCH);
}

char LICENSE[] SEC("license") = "GPL";
