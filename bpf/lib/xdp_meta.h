/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * XDP -> TC hand-off. XDP writes its verdict in front of the packet
 * (metadata area); the kernel keeps it in the skb up to TC ingress on the
 * same interface, where TC reads it to skip packets XDP already counted
 * and passed. The exceptions are what only TC can forward
 * (DP_REASON_TC_TAKES: an unresolved neighbour, an egress that takes no
 * XDP redirect), which TC takes over.
 */
#ifndef DP_BPF_XDP_META_H
#define DP_BPF_XDP_META_H

#include "common.h"

/* XDP side. If the driver has no metadata room, TC simply decides again. */
static __always_inline void dp_xdp_meta_store(struct xdp_md *ctx,
					      enum dp_reason reason,
					      __u16 flags)
{
	struct dp_xdp_meta *meta;
	void *data;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return;
	data = (void *)(long)ctx->data;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > data)
		return;
	meta->magic = DP_XDP_META_MAGIC;
	meta->reason = reason;
	meta->flags = flags;
	meta->pad = 0;
}

/* TC side: XDP has decided (and counted) this packet; leave it alone. */
static __always_inline bool dp_xdp_meta_decided(struct __sk_buff *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct dp_xdp_meta *meta = (void *)(long)ctx->data_meta;

	if ((void *)(meta + 1) > data)
		return false;
	return meta->magic == DP_XDP_META_MAGIC &&
	       !DP_REASON_TC_TAKES(meta->reason);
}

/* TC side: XDP metered this packet (police.h): not again. */
static __always_inline bool dp_xdp_meta_policed(struct __sk_buff *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct dp_xdp_meta *meta = (void *)(long)ctx->data_meta;

	if ((void *)(meta + 1) > data)
		return false;
	return meta->magic == DP_XDP_META_MAGIC &&
	       (meta->flags & DP_XDP_META_F_POLICED);
}

#endif /* DP_BPF_XDP_META_H */
