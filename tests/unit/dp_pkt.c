// SPDX-License-Identifier: GPL-2.0-or-later
/* Test packet builders (see dp_pkt.h). */
#include <arpa/inet.h>
#include <assert.h>
#include <string.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "dp_pkt.h"

const uint8_t tpkt_router_mac[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x01};
const uint8_t tpkt_peer_mac[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x99};

static void tpkt_eth_init(struct tpkt *p, uint16_t ethertype)
{
	struct ethhdr *eth = (struct ethhdr *)p->buf;

	memset(p->buf, 0, sizeof(p->buf));
	memcpy(eth->h_dest, tpkt_router_mac, ETH_ALEN);
	memcpy(eth->h_source, tpkt_peer_mac, ETH_ALEN);
	eth->h_proto = htons(ethertype);
	p->len = ETH_HLEN;
}

/* L4 header at l4; returns its length. */
static size_t tpkt_l4_init(uint8_t *l4, uint8_t proto, uint16_t sport,
			   uint16_t dport)
{
	switch (proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = (struct tcphdr *)l4;

		th->source = htons(sport);
		th->dest = htons(dport);
		th->doff = sizeof(*th) / 4;
		th->ack = 1;
		th->window = htons(512);
		return sizeof(*th);
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = (struct udphdr *)l4;

		uh->source = htons(sport);
		uh->dest = htons(dport);
		return sizeof(*uh);
	}
	case IPPROTO_ICMP:
		l4[0] = 8; /* echo request */
		return 8;
	case IPPROTO_ICMPV6:
		l4[0] = ICMPV6_ECHO_REQUEST;
		return 8;
	}
	return 0;
}

uint16_t tpkt_csum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

void tpkt_ipv4(struct tpkt *p, const char *src, const char *dst, uint8_t proto,
	       uint16_t sport, uint16_t dport, size_t payload)
{
	struct iphdr *ip4;
	size_t l4len;

	tpkt_eth_init(p, ETH_P_IP);
	ip4 = tpkt_ip4(p);
	ip4->version = 4;
	ip4->ihl = 5;
	ip4->ttl = 64;
	ip4->protocol = proto;
	ip4->id = htons(0x1234);
	ip4->frag_off = htons(0x4000); /* DF */
	assert(inet_pton(AF_INET, src, &ip4->saddr) == 1);
	assert(inet_pton(AF_INET, dst, &ip4->daddr) == 1);
	l4len = tpkt_l4_init((uint8_t *)(ip4 + 1), proto, sport, dport);
	ip4->tot_len = htons(sizeof(*ip4) + l4len + payload);
	p->len = ETH_HLEN + sizeof(*ip4) + l4len + payload;
	assert(p->len <= sizeof(p->buf));
	tpkt_ipv4_fix_csum(p);
}

void tpkt_ipv6(struct tpkt *p, const char *src, const char *dst, uint8_t proto,
	       uint16_t sport, uint16_t dport, size_t payload)
{
	struct ipv6hdr *ip6;
	size_t l4len;

	tpkt_eth_init(p, ETH_P_IPV6);
	ip6 = tpkt_ip6(p);
	ip6->version = 6;
	ip6->hop_limit = 64;
	ip6->nexthdr = proto;
	assert(inet_pton(AF_INET6, src, &ip6->saddr) == 1);
	assert(inet_pton(AF_INET6, dst, &ip6->daddr) == 1);
	l4len = tpkt_l4_init((uint8_t *)(ip6 + 1), proto, sport, dport);
	ip6->payload_len = htons(l4len + payload);
	p->len = ETH_HLEN + sizeof(*ip6) + l4len + payload;
	assert(p->len <= sizeof(p->buf));
}

void tpkt_raw(struct tpkt *p, uint16_t ethertype, size_t len)
{
	tpkt_eth_init(p, ethertype);
	p->len = len;
}

void tpkt_arp(struct tpkt *p, int unicast)
{
	struct arphdr *arp;

	tpkt_eth_init(p, ETH_P_ARP);
	if (!unicast)
		memset(tpkt_eth(p)->h_dest, 0xff, ETH_ALEN);
	arp = (struct arphdr *)(p->buf + ETH_HLEN);
	arp->ar_hrd = htons(ARPHRD_ETHER);
	arp->ar_pro = htons(ETH_P_IP);
	arp->ar_hln = ETH_ALEN;
	arp->ar_pln = 4;
	arp->ar_op = htons(ARPOP_REQUEST);
	p->len = 60; /* 28 bytes of ARP, padded to the Ethernet minimum */
}

struct ethhdr *tpkt_eth(struct tpkt *p)
{
	return (struct ethhdr *)p->buf;
}

struct iphdr *tpkt_ip4(struct tpkt *p)
{
	return (struct iphdr *)(p->buf + ETH_HLEN);
}

struct ipv6hdr *tpkt_ip6(struct tpkt *p)
{
	return (struct ipv6hdr *)(p->buf + ETH_HLEN);
}

uint8_t *tpkt_l4(struct tpkt *p)
{
	if (ntohs(tpkt_eth(p)->h_proto) == ETH_P_IPV6)
		return p->buf + ETH_HLEN + sizeof(struct ipv6hdr);
	return p->buf + ETH_HLEN + tpkt_ip4(p)->ihl * 4;
}

void tpkt_ipv4_fix_csum(struct tpkt *p)
{
	struct iphdr *ip4 = tpkt_ip4(p);

	ip4->check = 0;
	ip4->check = tpkt_csum(ip4, ip4->ihl * 4);
}

void tpkt_ipv4_options(struct tpkt *p, size_t bytes)
{
	struct iphdr *ip4 = tpkt_ip4(p);
	uint8_t *opts = (uint8_t *)ip4 + ip4->ihl * 4;
	size_t tail = p->len - (opts - p->buf);

	assert(bytes % 4 == 0 && ip4->ihl * 4 + bytes <= 60);
	memmove(opts + bytes, opts, tail);
	memset(opts, 1 /* NOP */, bytes);
	ip4->ihl += bytes / 4;
	ip4->tot_len = htons(ntohs(ip4->tot_len) + bytes);
	p->len += bytes;
	tpkt_ipv4_fix_csum(p);
}

void tpkt_ipv6_ext(struct tpkt *p, uint8_t type)
{
	struct ipv6hdr *ip6 = tpkt_ip6(p);
	uint8_t *ext = (uint8_t *)(ip6 + 1);
	size_t tail = p->len - (ext - p->buf);

	memmove(ext + 8, ext, tail);
	ext[0] = ip6->nexthdr; /* next header */
	ext[1] = 0;	       /* length: 8 bytes */
	ext[2] = 1;	       /* PadN option, 4 bytes of padding */
	ext[3] = 4;
	memset(ext + 4, 0, 4);
	ip6->nexthdr = type;
	ip6->payload_len = htons(ntohs(ip6->payload_len) + 8);
	p->len += 8;
}

/* Offset of the L4 checksum field from the L4 header, or -1. */
static int tpkt_l4_csum_off(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 16;
	case IPPROTO_UDP:
		return 6;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return 2;
	}
	return -1;
}

uint16_t tpkt_l4_csum(const struct tpkt *p)
{
	uint8_t buf[TPKT_MAX + 40];
	struct tpkt *q = (struct tpkt *)p;
	const uint8_t *l4 = tpkt_l4(q);
	size_t l4len = p->len - (l4 - p->buf), n = 0;
	uint8_t proto;
	int off;
	uint16_t c;

	if (ntohs(tpkt_eth(q)->h_proto) == ETH_P_IPV6) {
		const struct ipv6hdr *ip6 = tpkt_ip6(q);

		proto = ip6->nexthdr;
		memcpy(buf, &ip6->saddr, 32);
		buf[32] = l4len >> 24;
		buf[33] = l4len >> 16;
		buf[34] = l4len >> 8;
		buf[35] = l4len;
		buf[36] = buf[37] = buf[38] = 0;
		buf[39] = proto;
		n = 40;
	} else {
		const struct iphdr *ip4 = tpkt_ip4(q);

		proto = ip4->protocol;
		if (proto != IPPROTO_ICMP) {
			memcpy(buf, &ip4->saddr, 8);
			buf[8] = 0;
			buf[9] = proto;
			buf[10] = l4len >> 8;
			buf[11] = l4len;
			n = 12;
		}
	}
	off = tpkt_l4_csum_off(proto);
	assert(off >= 0);
	memcpy(buf + n, l4, l4len);
	buf[n + off] = buf[n + off + 1] = 0;
	c = tpkt_csum(buf, n + l4len);
	if (proto == IPPROTO_UDP && c == 0)
		c = 0xffff;
	return c;
}

void tpkt_fix_csums(struct tpkt *p)
{
	uint8_t proto = ntohs(tpkt_eth(p)->h_proto) == ETH_P_IPV6
				? tpkt_ip6(p)->nexthdr
				: tpkt_ip4(p)->protocol;
	uint16_t c = tpkt_l4_csum(p);

	memcpy(tpkt_l4(p) + tpkt_l4_csum_off(proto), &c, 2);
	if (ntohs(tpkt_eth(p)->h_proto) == ETH_P_IP)
		tpkt_ipv4_fix_csum(p);
}
