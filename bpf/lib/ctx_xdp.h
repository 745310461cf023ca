/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The packet context at the XDP hook. Stage code is written against
 * struct dp_ctx and the ctx_* helpers; an entry file includes exactly one
 * of ctx_xdp.h / ctx_skb.h, which binds them to the hook's context type.
 */
#ifndef DP_BPF_CTX_H
#define DP_BPF_CTX_H

#include "common.h"
#include "parse.h"

#define dp_ctx xdp_md
#define DP_HOOK_SELF DP_HOOK_XDP
#define DP_VERDICT_PASS XDP_PASS

static __always_inline void ctx_load_pkt(struct xdp_md *ctx, struct dp_pkt *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	dp_pkt_init(pkt, data, data_end, data_end - data);
}

static __always_inline __u32 ctx_ingress_ifindex(const struct xdp_md *ctx)
{
	return ctx->ingress_ifindex;
}

/* XDP sees single frames from the wire: never a GSO aggregate. */
static __always_inline __u32 ctx_gso_size(const struct xdp_md *ctx)
{
	return 0;
}

/* A tag the NIC stripped is not visible to XDP; the frame shows it inline. */
static __always_inline bool ctx_vlan_offloaded(const struct xdp_md *ctx)
{
	return false;
}

/* No skb, no skb->csum to keep in step with header changes. */
static __always_inline void ctx_csum_fixup(struct xdp_md *ctx, __be32 from,
					   __be32 to)
{
}

#endif /* DP_BPF_CTX_H */
