/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Header parsing. A cursor walks the packet and hands out a header only
 * when the packet holds all of it, so every pointer a later stage gets is
 * already bounds-checked for the verifier. Parsing records what the later
 * stages need (addresses, TTL, lengths, ports) in struct dp_pkt; it decides
 * nothing except whether a header is well-formed.
 */
#ifndef DP_BPF_PARSE_H
#define DP_BPF_PARSE_H

#include "common.h"
#include "csum.h"

struct dp_cursor {
	void *pos;
	void *end;
};

/* A packet as the pipeline sees it. */
struct dp_pkt {
	struct dp_cursor cur;
	struct ethhdr *eth;
	struct iphdr *ip4;   /* set for IPv4 only */
	struct ipv6hdr *ip6; /* set for IPv6 only */
	void *l4;	     /* the L4 header, when parsed (see dp_parse_l4) */
	__u32 len;    /* whole frame; TC's cursor covers only the headers */
	__u32 l3_len; /* IP total length, from the header */
	__be16 proto; /* ethertype */
	__be16 sport; /* with has_ports */
	__be16 dport;
	__u8 l3_hlen;	 /* IPv4 IHL * 4, or 40 */
	__u8 l4_proto;	 /* IPv4 protocol / IPv6 next header */
	__u8 l4_hlen;	 /* TCP/UDP header length, 0 if not parsed */
	__u8 ttl;	 /* TTL or hop limit */
	__u8 has_ports;	 /* TCP/UDP ports parsed (never for fragments) */
	__u8 icmp6_type; /* with has_icmp6_type */
	__u8 has_icmp6_type;
	__u8 trailer;	 /* bytes after the IP packet, beyond padding */
	__u8 tcp_flags;	 /* byte 13 of the TCP header (with has_ports) */
	/*
	 * Where the packet is routed: its destination address (IPv4 in
	 * dst[0]), unless conntrack sends it elsewhere (a backend).
	 */
	__be32 dst[4];
};

/* Ethernet's minimum frame (without FCS): shorter packets are padded. */
#define DP_ETH_MIN_FRAME 60

/* The frame holds more than the IP packet and its minimum padding: the
 * kernel trims such a packet before forwarding it. */
static __always_inline __u8 dp_has_trailer(__u32 frame_len, __u32 l3_len)
{
	return frame_len > ETH_HLEN + l3_len && frame_len > DP_ETH_MIN_FRAME;
}

static __always_inline void dp_pkt_init(struct dp_pkt *pkt, void *data,
					void *data_end, __u32 len)
{
	__builtin_memset(pkt, 0, sizeof(*pkt));
	pkt->cur.pos = data;
	pkt->cur.end = data_end;
	pkt->len = len;
}

/* The next len bytes if the packet holds them (len must be a constant). */
static __always_inline void *dp_cursor_take(struct dp_cursor *cur, __u32 len)
{
	void *hdr = cur->pos;

	if (hdr + len > cur->end)
		return NULL;
	cur->pos = hdr + len;
	return hdr;
}

static __always_inline bool dp_parse_eth(struct dp_pkt *pkt)
{
	struct ethhdr *eth = dp_cursor_take(&pkt->cur, sizeof(*eth));

	if (!eth)
		return false;
	pkt->eth = eth;
	pkt->proto = eth->h_proto;
	return true;
}

/*
 * TCP and UDP ports (and the header length, which the TC hook needs to
 * size GSO segments), or the ICMPv6 type. A short L4 header is not an
 * error: the kernel forwards such packets too, and the flow hash simply
 * falls back to the addresses.
 */
static __always_inline void dp_parse_l4(struct dp_pkt *pkt)
{
	pkt->l4 = pkt->cur.pos;
	switch (pkt->l4_proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = dp_cursor_take(&pkt->cur, sizeof(*th));

		if (!th)
			return;
		pkt->sport = th->source;
		pkt->dport = th->dest;
		pkt->l4_hlen = th->doff * 4;
		pkt->tcp_flags = ((const __u8 *)th)[13];
		pkt->has_ports = 1;
		return;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = dp_cursor_take(&pkt->cur, sizeof(*uh));

		if (!uh)
			return;
		pkt->sport = uh->source;
		pkt->dport = uh->dest;
		pkt->l4_hlen = sizeof(*uh);
		pkt->has_ports = 1;
		return;
	}
	case DP_IPPROTO_ICMPV6: {
		__u8 *type = dp_cursor_take(&pkt->cur, sizeof(*type));

		if (!type)
			return;
		pkt->icmp6_type = *type;
		pkt->has_icmp6_type = 1;
		return;
	}
	}
}

/*
 * IPv4 header: version, IHL and total length must be consistent with each
 * other and with the frame, and the checksum of an option-less header
 * must verify (a header with options goes to the kernel, which checks
 * it). The kernel drops what fails these checks, so the datapath must
 * never forward it. L4 is parsed only for option-less, unfragmented
 * packets: fragments are hashed on addresses only so that all fragments
 * of a datagram take one path.
 */
static __always_inline bool dp_parse_ipv4(struct dp_pkt *pkt)
{
	struct iphdr *ip4 = dp_cursor_take(&pkt->cur, sizeof(*ip4));
	__u32 avail = pkt->len - ETH_HLEN;
	__u32 tot_len;

	if (!ip4)
		return false;
	tot_len = bpf_ntohs(ip4->tot_len);
	if (ip4->version != 4 || ip4->ihl < 5 || tot_len < ip4->ihl * 4 ||
	    tot_len > avail)
		return false;

	pkt->ip4 = ip4;
	pkt->l3_len = tot_len;
	pkt->trailer = dp_has_trailer(pkt->len, tot_len);
	pkt->l3_hlen = ip4->ihl * 4;
	pkt->l4_proto = ip4->protocol;
	pkt->ttl = ip4->ttl;
	pkt->dst[0] = ip4->daddr;
	if (ip4->ihl != 5)
		return true;
	if (!dp_ipv4_csum_ok(ip4))
		return false;
	if (!(ip4->frag_off & bpf_htons(DP_IP_MF | DP_IP_OFFSET)))
		dp_parse_l4(pkt);
	return true;
}

/* IPv6 fixed header; only a directly following TCP/UDP/ICMPv6 is parsed. */
static __always_inline bool dp_parse_ipv6(struct dp_pkt *pkt)
{
	struct ipv6hdr *ip6 = dp_cursor_take(&pkt->cur, sizeof(*ip6));
	__u32 avail = pkt->len - ETH_HLEN;
	__u32 tot_len;

	if (!ip6)
		return false;
	tot_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	if (ip6->version != 6 || tot_len > avail)
		return false;

	pkt->ip6 = ip6;
	pkt->l3_len = tot_len;
	pkt->trailer = dp_has_trailer(pkt->len, tot_len);
	pkt->l3_hlen = sizeof(*ip6);
	pkt->l4_proto = ip6->nexthdr;
	pkt->ttl = ip6->hop_limit;
	__builtin_memcpy(pkt->dst, &ip6->daddr, sizeof(pkt->dst));
	dp_parse_l4(pkt);
	return true;
}

#endif /* DP_BPF_PARSE_H */
