/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The police stage: after the ingress checks, before conntrack, every
 * policer that applies to the packet meters it (policer.h) and acts on
 * its colour: transmit, drop (counted, DP_R_DROP_POLICED) or set its
 * DSCP. Attach points and ids: dp_abi.h. Each kind of attach point is
 * looked up only while its DP_META_F_POLICE_* flag says some exist; with
 * none the stage is one flag test. XDP marks what it metered in the packet's
 * metadata so that TC, when it takes the packet over, does not meter it
 * twice.
 *
 * Colour-aware meters read the packet's colour from its DSCP as the AF
 * classes give drop precedence (RFC 2597): AFx2 yellow, AFx3 red, every
 * other value green.
 */
#ifndef DP_BPF_POLICE_H
#define DP_BPF_POLICE_H

#include "common.h"
#include "csum.h"
#include "lb.h"
#include "maps.h"
#include "parse.h"
#include "policer.h"

/* Policers that can apply to one packet: interface, source and
 * destination match, VIP. */
#define DP_POLICE_MAX_IDS 4

static __always_inline __u8 dp_pkt_dscp(const struct dp_pkt *pkt)
{
	if (pkt->ip4)
		return pkt->ip4->tos >> 2;
	if (pkt->ip6)
		return (pkt->ip6->priority << 2) | (pkt->ip6->flow_lbl[0] >> 6);
	return 0;
}

/* RFC 2597's drop precedence of the AF classes: AFx1 10 12 14 ... */
static __always_inline __u32 dp_dscp_colour(__u8 dscp)
{
	__u8 cls = dscp >> 3, prec = (dscp >> 1) & 3;

	if (cls < 1 || cls > 4 || (dscp & 1))
		return DP_GREEN;
	return prec == 2 ? DP_YELLOW : prec == 3 ? DP_RED : DP_GREEN;
}

/* The DSCP bits of the IPv4 TOS or the IPv6 traffic class, the IPv4
 * checksum (and a TC skb's complete checksum) following. */
static __always_inline void dp_set_dscp(struct dp_ctx *ctx,
					struct dp_pkt *pkt, __u8 dscp)
{
	if (pkt->ip4) {
		__u16 old = bpf_htons((__u16)pkt->ip4->version << 12 |
				      (__u16)pkt->ip4->ihl << 8 |
				      pkt->ip4->tos);

		pkt->ip4->tos = (dscp << 2) | (pkt->ip4->tos & 3);
		dp_csum_replace2(&pkt->ip4->check, old,
				 bpf_htons((__u16)pkt->ip4->version << 12 |
					   (__u16)pkt->ip4->ihl << 8 |
					   pkt->ip4->tos));
	} else if (pkt->ip6) {
		__be32 *w = (__be32 *)pkt->ip6, old = *w;
		__u32 h = bpf_ntohl(old);

		h = (h & ~(0x3fu << 22)) | ((__u32)dscp << 22);
		*w = bpf_htonl(h);
		ctx_csum_fixup(ctx, old, *w);
	}
}

static __always_inline __u32 dp_police_match(const struct dp_pkt *pkt,
					     __u32 dir)
{
	struct dp_police_match_key k = {};
	const struct dp_police_match *m;

	if (pkt->ip4) {
		k.prefixlen = 32 + 32;
		k.dir_family = dir | DP_AF_INET;
		k.addr[0] = dir == DP_POLICE_MATCH_SRC ? pkt->ip4->saddr
						       : pkt->ip4->daddr;
	} else if (pkt->ip6) {
		k.prefixlen = 32 + 128;
		k.dir_family = dir | DP_AF_INET6;
		__builtin_memcpy(k.addr,
				 dir == DP_POLICE_MATCH_SRC ? &pkt->ip6->saddr
							    : &pkt->ip6->daddr,
				 16);
	} else {
		return 0;
	}
	m = bpf_map_lookup_elem(&policer_match_map, &k);
	if (!m || (m->proto && m->proto != pkt->l4_proto))
		return 0;
	if (m->dport && (!pkt->has_ports || m->dport != pkt->dport))
		return 0;
	return m->policer_id;
}

/* The policer of the VIP the packet is for (found as conntrack finds it:
 * lb.h), 0 if none. */
static __always_inline __u32 dp_police_vip(const struct dp_pkt *pkt)
{
	const struct dp_lb_vip *vip;
	struct dp_ct_key key;
	const __u32 *id;
	__u32 vip_id;

	if (!dp_ct_key_of(pkt, &key, NULL, NULL))
		return 0;
	vip = dp_lb_vip_lookup(&key);
	if (!vip)
		return 0;
	vip_id = vip->vip_id;
	id = bpf_map_lookup_elem(&policer_vip_map, &vip_id);
	return id ? *id : 0;
}

/*
 * Meter len bytes with policer id and count them: the colour's action and
 * DSCP, packed as DP_POLICE_VERDICT(); 0 (transmit) for no such policer.
 * A global function: the verifier checks the meter's loops once, not in
 * every caller's state.
 */
#define DP_POLICE_VERDICT(action, dscp) ((action) | (__u32)(dscp) << 8)

__attribute__((noinline)) __u32 dp_police_id(__u32 id, __u64 now, __u32 len,
					     __u32 pre)
{
	const struct dp_policer *p;
	struct dp_policer_state *st;
	struct dp_policer_stats *cnt;
	__u32 colour, idx;

	if (!id || id >= DP_POLICERS_MAX)
		return 0;
	p = bpf_map_lookup_elem(&policer_map, &id);
	st = bpf_map_lookup_elem(&policer_state_map, &id);
	if (!p || !st || !p->meter.mode)
		return 0;
	colour = dp_policer_meter(st, &p->meter, now, len, pre);
	if (colour >= DP_COLOURS)
		return 0;
	idx = id * DP_COLOURS + colour;
	cnt = bpf_map_lookup_elem(&policer_stats_map, &idx);
	if (cnt) {
		cnt->packets++;
		cnt->bytes += len;
	}
	/* constant indexes: 6.1's verifier loses the bound of colour */
	switch (colour) {
	case DP_GREEN:
		return DP_POLICE_VERDICT(p->action[0], p->dscp[0] & 0x3f);
	case DP_YELLOW:
		return DP_POLICE_VERDICT(p->action[1], p->dscp[1] & 0x3f);
	default:
		return DP_POLICE_VERDICT(p->action[2], p->dscp[2] & 0x3f);
	}
}

/*
 * Every policer that applies, in order; DP_R_DROP_POLICED if one drops
 * the packet. *metered: set when any policer saw it (XDP tells TC).
 */
static __always_inline enum dp_reason dp_police(struct dp_ctx *ctx,
						struct dp_pkt *pkt,
						__u32 ifindex, __u32 flags,
						bool *metered)
{
	__u32 ids[DP_POLICE_MAX_IDS] = {}, pre, verdict;
	const __u32 *intf_id;
	__u64 now;

	if (!(flags & DP_META_F_POLICE) || (!pkt->ip4 && !pkt->ip6))
		return DP_CONTINUE;
	if (flags & DP_META_F_POLICE_INTF) {
		intf_id = bpf_map_lookup_elem(&policer_intf_map, &ifindex);
		ids[0] = intf_id ? *intf_id : 0;
	}
	if (flags & DP_META_F_POLICE_SRC)
		ids[1] = dp_police_match(pkt, DP_POLICE_MATCH_SRC);
	if (flags & DP_META_F_POLICE_DST)
		ids[2] = dp_police_match(pkt, DP_POLICE_MATCH_DST);
	if ((flags & DP_META_F_POLICE_VIP) && (flags & DP_META_F_LB))
		ids[3] = dp_police_vip(pkt);
	pre = dp_dscp_colour(dp_pkt_dscp(pkt));
	now = bpf_ktime_get_ns();
	for (int i = 0; i < DP_POLICE_MAX_IDS; i++) {
		if (!ids[i])
			continue;
		*metered = true;
		verdict = dp_police_id(ids[i], now, pkt->l3_len, pre);
		switch (verdict & 0xff) {
		case DP_POLICE_DROP:
			return DP_R_DROP_POLICED;
		case DP_POLICE_SET_DSCP:
			dp_set_dscp(ctx, pkt, (verdict >> 8) & 0x3f);
			break;
		default:
			break;
		}
	}
	return DP_CONTINUE;
}

#endif /* DP_BPF_POLICE_H */
