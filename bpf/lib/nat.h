/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NAT: rewriting a packet to its flow's translated tuple, with the L3 and
 * L4 checksums updated incrementally, and source NAT rules (nat_src_map)
 * that give new flows leaving an interface a pool address and port.
 *
 * XDP frames come from the wire with complete checksums: the rewrite
 * writes the headers and patches the checksums itself. A TC skb may carry
 * a partial checksum (CHECKSUM_PARTIAL: the L4 field holds only the
 * pseudo-header sum) or a device checksum the stack still uses
 * (CHECKSUM_COMPLETE); the kernel's helpers keep both right, so TC
 * rewrites through them.
 */
#ifndef DP_BPF_NAT_H
#define DP_BPF_NAT_H

#include "common.h"
#include "csum.h"
#include "ct.h"
#include "jhash.h"
#include "maps.h"
#include "parse.h"

#define DP_TCP_CSUM_OFF 16
#define DP_UDP_CSUM_OFF 6
#define DP_ICMP_CSUM_OFF 2
#define DP_ICMP_ID_OFF 4
#define DP_IP4_CSUM_OFF 10
#define DP_IP4_ADDRS_OFF 12
#define DP_IP6_ADDRS_OFF 8

/* Where an L4 header (TCP, UDP, ICMP, ICMPv6) keeps its checksum. */
static __always_inline __u32 dp_nat_csum_off(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return DP_TCP_CSUM_OFF;
	case IPPROTO_UDP:
		return DP_UDP_CSUM_OFF;
	default:
		return DP_ICMP_CSUM_OFF;
	}
}

/* An ICMP echo's id, old and new: kept in whichever port the key uses
 * (the other is 0, dp_ct_icmp_key). */
static __always_inline __be16 dp_nat_icmp_id(__be16 sport, __be16 dport)
{
	return sport | dport;
}

/* The address sum of the change, for the IP and pseudo-header checksums. */
static __always_inline __u64 dp_nat_addr_delta(const struct dp_flow *fl,
					       int words)
{
	const struct dp_ct_key *k = &fl->key;
	const struct dp_xlate *x = &fl->nat;
	__u64 d = 0;

#pragma unroll
	for (int w = 0; w < 4; w++) {
		if (w >= words)
			break;
		d += dp_csum_delta32(k->saddr[w], x->saddr[w]);
		d += dp_csum_delta32(k->daddr[w], x->daddr[w]);
	}
	return d;
}

/* TCP and UDP ports (the header's first two words): written, and their
 * checksum delta returned. */
static __always_inline __u64 dp_nat_ports_xdp(__be16 *ports,
					      const struct dp_xlate *x)
{
	__u64 d = dp_csum_delta16(ports[0], x->sport) +
		  dp_csum_delta16(ports[1], x->dport);

	ports[0] = x->sport;
	ports[1] = x->dport;
	return d;
}

/* XDP: the L4 part of the rewrite (pseudo: the address delta). */
static __always_inline void dp_nat_l4_xdp(const struct dp_pkt *pkt,
					  const struct dp_flow *fl, __u64 pseudo)
{
	const struct dp_xlate *x = &fl->nat;
	void *l4 = pkt->l4, *end = pkt->cur.end;
	__u64 d;

	switch (fl->key.proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = l4;

		if (!th || (void *)(th + 1) > end)
			return;
		d = pseudo + dp_nat_ports_xdp(l4, x);
		th->check = dp_csum_apply(th->check, d);
		return;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = l4;
		__sum16 c;

		if (!uh || (void *)(uh + 1) > end)
			return;
		d = pseudo + dp_nat_ports_xdp(l4, x);
		/* IPv4 UDP without a checksum stays without one; a computed
		 * 0 is sent as 0xffff (RFC 768). */
		if (!uh->check && pkt->ip4)
			return;
		c = dp_csum_apply(uh->check, d);
		uh->check = c ? c : 0xffff;
		return;
	}
	case DP_IPPROTO_ICMP:
	case DP_IPPROTO_ICMPV6: {
		struct dp_icmp_echo *ic = l4;
		__be16 id = dp_nat_icmp_id(x->sport, x->dport);

		if (!ic || (void *)(ic + 1) > end)
			return;
		/* ICMPv6 sums the pseudo-header, ICMP does not */
		d = dp_csum_delta16(ic->id, id);
		if (fl->key.proto == DP_IPPROTO_ICMPV6)
			d += pseudo;
		ic->id = id;
		ic->check = dp_csum_apply(ic->check, d);
		return;
	}
	}
}

/* XDP: rewrite the packet to fl->nat (nothing for DSR). */
static __always_inline void dp_nat_rewrite_xdp(const struct dp_pkt *pkt,
					       const struct dp_flow *fl)
{
	const struct dp_xlate *x = &fl->nat;
	__u64 pseudo;

	if (fl->dsr)
		return;
	if (pkt->ip4) {
		struct iphdr *ip4 = pkt->ip4;

		pseudo = dp_nat_addr_delta(fl, 1);
		ip4->saddr = x->saddr[0];
		ip4->daddr = x->daddr[0];
		ip4->check = dp_csum_apply(ip4->check, pseudo);
	} else if (pkt->ip6) {
		struct ipv6hdr *ip6 = pkt->ip6;

		pseudo = dp_nat_addr_delta(fl, 4);
		__builtin_memcpy(&ip6->saddr, x->saddr, 16);
		__builtin_memcpy(&ip6->daddr, x->daddr, 16);
	} else {
		return;
	}
	dp_nat_l4_xdp(pkt, fl, pseudo);
}

/*
 * TC: the same rewrite through the kernel's helpers, by offset (they move
 * the packet, so no packet pointer is used after the first). The L4
 * checksum gets the address change as a pseudo-header change (which also
 * keeps a CHECKSUM_COMPLETE skb->csum right for IPv4, whose header
 * checksum absorbs the address bytes; IPv6 has none, so its address bytes
 * are stored with BPF_F_RECOMPUTE_CSUM to balance what the helper took
 * off skb->csum) and the port change as a plain one.
 */
static __always_inline void dp_nat_rewrite_skb(struct __sk_buff *ctx,
					       const struct dp_pkt *pkt,
					       const struct dp_flow *fl)
{
	const struct dp_ct_key *k = &fl->key;
	const struct dp_xlate *x = &fl->nat;
	__u32 l4_off = ETH_HLEN + pkt->l3_hlen, csum_off;
	__u64 mm0 = 0, pseudo_flag = BPF_F_PSEUDO_HDR;
	bool icmp = false;
	__s64 diff;

	if (fl->dsr)
		return;
	switch (k->proto) {
	case IPPROTO_TCP:
		break;
	case IPPROTO_UDP:
		mm0 = BPF_F_MARK_MANGLED_0;
		break;
	case DP_IPPROTO_ICMP:
		pseudo_flag = 0; /* no pseudo-header: addresses not summed */
		/* fallthrough */
	case DP_IPPROTO_ICMPV6:
		icmp = true;
		break;
	default:
		return;
	}
	csum_off = l4_off + dp_nat_csum_off(k->proto);

	if (pkt->ip4) {
		__be32 from[2] = {k->saddr[0], k->daddr[0]};
		__be32 to[2] = {x->saddr[0], x->daddr[0]};

		diff = bpf_csum_diff(from, sizeof(from), to, sizeof(to), 0);
		bpf_l3_csum_replace(ctx, ETH_HLEN + DP_IP4_CSUM_OFF, 0, diff, 0);
		if (pseudo_flag)
			bpf_l4_csum_replace(ctx, csum_off, 0, diff,
					    pseudo_flag | mm0);
		bpf_skb_store_bytes(ctx, ETH_HLEN + DP_IP4_ADDRS_OFF, to,
				    sizeof(to), 0);
	} else {
		/* saddr and daddr lie side by side in both structs */
		diff = bpf_csum_diff((__be32 *)k->saddr, 32,
				     (__be32 *)x->saddr, 32, 0);
		bpf_l4_csum_replace(ctx, csum_off, 0, diff, pseudo_flag | mm0);
		bpf_skb_store_bytes(ctx, ETH_HLEN + DP_IP6_ADDRS_OFF, x->saddr,
				    32, BPF_F_RECOMPUTE_CSUM);
	}

	if (icmp) {
		__be16 from[2] = {dp_nat_icmp_id(k->sport, k->dport), 0};
		__be16 to[2] = {dp_nat_icmp_id(x->sport, x->dport), 0};

		diff = bpf_csum_diff((__be32 *)from, sizeof(from),
				     (__be32 *)to, sizeof(to), 0);
		bpf_l4_csum_replace(ctx, csum_off, 0, diff, 0);
		bpf_skb_store_bytes(ctx, l4_off + DP_ICMP_ID_OFF, to,
				    sizeof(to[0]), 0);
		return;
	}
	/* sport and dport lie side by side in both structs */
	diff = bpf_csum_diff((__be32 *)&k->sport, 4, (__be32 *)&x->sport, 4, 0);
	bpf_l4_csum_replace(ctx, csum_off, 0, diff, mm0);
	bpf_skb_store_bytes(ctx, l4_off, &x->sport, 4, 0);
}

/* ------------------------------------------------------------ ICMP errors */

/* Load a 16-bit field, 0 with *ok false if the packet is too short. */
static __always_inline __u16 dp_nat_load16(struct __sk_buff *ctx, __u32 off,
					   bool *ok)
{
	__u16 v = 0;

	if (bpf_skb_load_bytes(ctx, off, &v, sizeof(v)))
		*ok = false;
	return v;
}

/*
 * The checksum of the inner packet's L4 header, when the error carries it
 * (an ICMPv4 error often holds only the first 8 bytes: no TCP checksum).
 * Returns its change for the ICMP checksum.
 */
static __always_inline __u64 dp_nat_icmp_inner_l4(struct __sk_buff *ctx,
						  const struct dp_ct_key *key,
						  __u32 l4, __u64 addrs,
						  __u64 ports, bool v6)
{
	__u32 off = l4 + dp_nat_csum_off(key->proto);
	bool pseudo = key->proto != DP_IPPROTO_ICMP, ok = true;
	__u16 old, new;

	if (off + 2 > ctx->len)
		return 0;
	old = dp_nat_load16(ctx, off, &ok);
	if (!ok || (key->proto == IPPROTO_UDP && !old && !v6))
		return 0;
	new = dp_csum_apply(old, (pseudo ? addrs : 0) + ports);
	if (key->proto == IPPROTO_UDP && !new)
		new = 0xffff;
	bpf_skb_store_bytes(ctx, off, &new, sizeof(new), BPF_F_RECOMPUTE_CSUM);
	return dp_csum_delta16(old, new);
}

/*
 * Translate an ICMP error about a packet of a flow (TC): key is the flow
 * direction the error travels in (the inner packet reversed), x its
 * rewrite. The error goes to x's destination (the outer destination was
 * the inner packet's source); the inner packet becomes the packet the
 * other end sent (source x's destination, destination x's source) with
 * its IP and L4 checksums, and the ICMP checksum follows every changed
 * word (and, for ICMPv6, the outer destination in its pseudo-header).
 * New values are computed here and stored with BPF_F_RECOMPUTE_CSUM, so
 * a CHECKSUM_COMPLETE skb->csum follows every byte. Returns 0, or -1 if
 * the packet is shorter than its headers (nothing was written then).
 * A global function: checked once by the verifier.
 */
__attribute__((noinline)) int
dp_nat_icmp_error_skb(struct __sk_buff *ctx, const struct dp_ct_key *key,
		      const struct dp_xlate *x)
{
	bool v6, ok = true;
	__u32 icmp, inner, l4, alen;
	__u64 addrs_in = 0, addr_out = 0, ports, d;
	__u16 c_icmp, c_ip = 0, c_in = 0, id_old, id_new;

	if (!ctx || !key || !x)
		return -1;
	v6 = key->family == DP_AF_INET6;
	alen = v6 ? 16 : 4;
	icmp = ETH_HLEN + (v6 ? 40 : 20);
	inner = icmp + 8;
	l4 = inner + (v6 ? 40 : 20);
	if (l4 + 8 > ctx->len)
		return -1;

#pragma unroll
	for (int w = 0; w < 4; w++) {
		if (!v6 && w)
			break;
		/* inner source: key's destination -> x's destination;
		 * inner destination: key's source -> x's source */
		addr_out += dp_csum_delta32(key->daddr[w], x->daddr[w]);
		addrs_in += dp_csum_delta32(key->saddr[w], x->saddr[w]);
	}
	addrs_in += addr_out;
	if (key->proto == IPPROTO_TCP || key->proto == IPPROTO_UDP) {
		ports = dp_csum_delta16(key->dport, x->dport) +
			dp_csum_delta16(key->sport, x->sport);
	} else {
		id_old = dp_nat_icmp_id(key->sport, key->dport);
		id_new = dp_nat_icmp_id(x->sport, x->dport);
		ports = dp_csum_delta16(id_old, id_new);
	}

	c_icmp = dp_nat_load16(ctx, icmp + DP_ICMP_CSUM_OFF, &ok);
	if (!v6) {
		c_ip = dp_nat_load16(ctx, ETH_HLEN + DP_IP4_CSUM_OFF, &ok);
		c_in = dp_nat_load16(ctx, inner + DP_IP4_CSUM_OFF, &ok);
	}
	if (!ok)
		return -1;

	/* the inner packet: addresses, ports or echo id, checksums */
	d = addrs_in + ports;
	if (v6) {
		d += addr_out; /* ICMPv6's pseudo-header: outer destination */
		bpf_skb_store_bytes(ctx, inner + DP_IP6_ADDRS_OFF, x->daddr,
				    16, BPF_F_RECOMPUTE_CSUM);
		bpf_skb_store_bytes(ctx, inner + DP_IP6_ADDRS_OFF + 16,
				    x->saddr, 16, BPF_F_RECOMPUTE_CSUM);
	} else {
		__u16 n = dp_csum_apply(c_in, addrs_in);

		d += dp_csum_delta16(c_in, n);
		bpf_skb_store_bytes(ctx, inner + DP_IP4_CSUM_OFF, &n, 2,
				    BPF_F_RECOMPUTE_CSUM);
		bpf_skb_store_bytes(ctx, inner + DP_IP4_ADDRS_OFF, x->daddr, 4,
				    BPF_F_RECOMPUTE_CSUM);
		bpf_skb_store_bytes(ctx, inner + DP_IP4_ADDRS_OFF + 4,
				    x->saddr, 4, BPF_F_RECOMPUTE_CSUM);
	}
	d += dp_nat_icmp_inner_l4(ctx, key, l4, addrs_in, ports, v6);
	if (key->proto == IPPROTO_TCP || key->proto == IPPROTO_UDP) {
		bpf_skb_store_bytes(ctx, l4, &x->dport, 2, BPF_F_RECOMPUTE_CSUM);
		bpf_skb_store_bytes(ctx, l4 + 2, &x->sport, 2,
				    BPF_F_RECOMPUTE_CSUM);
	} else {
		bpf_skb_store_bytes(ctx, l4 + DP_ICMP_ID_OFF, &id_new, 2,
				    BPF_F_RECOMPUTE_CSUM);
	}

	/* the error itself: its checksum, the outer destination */
	c_icmp = dp_csum_apply(c_icmp, d);
	bpf_skb_store_bytes(ctx, icmp + DP_ICMP_CSUM_OFF, &c_icmp, 2,
			    BPF_F_RECOMPUTE_CSUM);
	if (!v6) {
		c_ip = dp_csum_apply(c_ip, addr_out);
		bpf_skb_store_bytes(ctx, ETH_HLEN + DP_IP4_CSUM_OFF, &c_ip, 2,
				    BPF_F_RECOMPUTE_CSUM);
	}
	bpf_skb_store_bytes(ctx, ETH_HLEN + (v6 ? 24 : 16), x->daddr, alen,
			    BPF_F_RECOMPUTE_CSUM);
	return 0;
}

/* ------------------------------------------------------------ source NAT */

/*
 * The source NAT rule for a new flow from key's source that the FIB sends
 * out of out_ifindex, or NULL.
 */
static __always_inline const struct dp_nat_src *
dp_nat_src_rule(const struct dp_ct_key *key, __u32 out_ifindex)
{
	struct dp_nat_src_key k = {
		.prefixlen = 32 + (key->family == DP_AF_INET ? 32 : 128),
		.family = key->family,
	};
	const struct dp_nat_src *rule;

	__builtin_memcpy(k.addr, key->saddr, sizeof(k.addr));
	rule = bpf_map_lookup_elem(&nat_src_map, &k);
	if (!rule || rule->out_ifindex != out_ifindex || !rule->n_addrs)
		return NULL;
	return rule;
}

/*
 * Does this packet open a flow source NAT would translate? A TCP SYN, a
 * UDP packet, an echo request. Anything else without a flow (a server's
 * answer to a client that reached it directly, a stray ACK) is routed as
 * it is: a new port would not belong to any connection.
 */
static __always_inline bool dp_nat_opens_flow(const struct dp_pkt *pkt,
					      const struct dp_ct_key *key)
{
	switch (key->proto) {
	case IPPROTO_TCP:
		return dp_tcp_is_syn(pkt->tcp_flags);
	case IPPROTO_UDP:
		return true;
	default:
		return !key->dport; /* an echo request */
	}
}

/*
 * A new source NAT flow: a pool address chosen by the client address (a
 * client keeps one address), a port claimed by conntrack from the rule's
 * range, starting where the flow's hash points so that CPUs racing on the
 * same flow meet on the same claim.
 */
static __always_inline enum dp_reason
dp_nat_new_flow(const struct dp_pkt *pkt, struct dp_flow *fl,
		const struct dp_nat_src *rule)
{
	struct dp_ct_new n = {
		.flags = DP_CT_F_SNAT,
		.port_min = rule->port_min,
		.port_max = rule->port_max,
	};
	__u32 idx = jhash2(fl->key.saddr, 4, 0) % rule->n_addrs;

	if (idx >= DP_NAT_POOL_MAX)
		idx = 0;
	__builtin_memcpy(fl->nat.saddr, rule->addrs[idx], 16);
	__builtin_memcpy(fl->nat.daddr, fl->key.daddr, 16);
	fl->nat.sport = fl->key.sport;
	fl->nat.dport = fl->key.dport;
	n.state = dp_ct_initial_state(pkt, false);
	n.port_hash = jhash2((const __u32 *)&fl->key, sizeof(fl->key) / 4, 0);
	return dp_ct_create(fl, &n);
}

#endif /* DP_BPF_NAT_H */
