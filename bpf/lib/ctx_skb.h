/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The packet context at the TC hook (struct __sk_buff); see ctx_xdp.h.
 */
#ifndef DP_BPF_CTX_H
#define DP_BPF_CTX_H

#include "common.h"
#include "parse.h"

#define dp_ctx __sk_buff
#define DP_HOOK_SELF DP_HOOK_TC
/*
 * "Not ours: the kernel's." TC_ACT_UNSPEC, not TC_ACT_OK: both let the
 * packet go up the stack, but TC_ACT_OK also ends the hook (cls_bpf stops
 * at the filter, tcx calls it TCX_PASS), so programs chained after ours
 * would never see what we pass up; TC_ACT_UNSPEC (tcx: TCX_NEXT) lets
 * them run, and with none after ours the kernel takes the packet.
 */
#define DP_VERDICT_PASS TC_ACT_UNSPEC

/*
 * Enough linear bytes for every header the pipeline reads: Ethernet, an
 * option-less IPv4 or an IPv6 header, and a full TCP header.
 */
#define DP_SKB_PULL_LEN (ETH_HLEN + 40 + 60)

/*
 * An skb's headers may sit in paged fragments, where direct packet access
 * cannot see them; pulling makes them linear (and writable). Pull the
 * headers only: linearising a 64 KB GSO packet would cost far more than
 * routing it. If the pull fails the parser sees fewer bytes and the
 * packet goes to the kernel. data/data_end are read once, after the pull,
 * and never recomputed from ctx (clang 14 otherwise emits accesses
 * through a modified ctx pointer, which the verifier rejects).
 */
static __always_inline void ctx_load_pkt(struct __sk_buff *ctx,
					 struct dp_pkt *pkt)
{
	__u32 len = ctx->len;
	void *data, *data_end;

	bpf_skb_pull_data(ctx, len < DP_SKB_PULL_LEN ? len : DP_SKB_PULL_LEN);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	dp_pkt_init(pkt, data, data_end, len);
}

static __always_inline __u32 ctx_ingress_ifindex(const struct __sk_buff *ctx)
{
	return ctx->ingress_ifindex;
}

/* Segment size of a GSO aggregate (GRO on receive, TSO across veth), or 0. */
static __always_inline __u32 ctx_gso_size(const struct __sk_buff *ctx)
{
	return ctx->gso_size;
}

/*
 * The NIC stripped an 802.1Q tag into the skb: the frame belongs to a VLAN
 * device, not to the interface the program is attached to.
 */
static __always_inline bool ctx_vlan_offloaded(const struct __sk_buff *ctx)
{
	return ctx->vlan_present;
}

/*
 * A header word changed from `from` to `to` without an L3 checksum that
 * compensates (IPv6 hop limit): keep skb->csum valid for CHECKSUM_COMPLETE
 * skbs (a no-op for any other checksum state), or a local receiver behind
 * a veth would reject the packet's L4 checksum.
 */
static __always_inline void ctx_csum_fixup(struct __sk_buff *ctx, __be32 from,
					   __be32 to)
{
	bpf_csum_update(ctx,
			bpf_csum_diff(&from, sizeof(from), &to, sizeof(to), 0));
}

#endif /* DP_BPF_CTX_H */
