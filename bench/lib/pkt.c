// SPDX-License-Identifier: GPL-2.0-or-later
/* Test frames (pkt.h). */
#include <arpa/inet.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <netinet/in.h>

#include "pkt.h"

static uint16_t bn_ip_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static uint32_t bn_sum16(const void *data, int len, uint32_t sum)
{
	const uint8_t *b = data;
	int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

uint16_t bn_ip_csum(const void *data, int len)
{
	uint32_t sum = bn_sum16(data, len, 0);

	return bn_ip_csum_fold(sum);
}

static void *bn_eth(struct bn_pkt *p, const uint8_t *dmac, const uint8_t *smac,
		    uint16_t proto, uint32_t len)
{
	struct ethhdr *eth = (struct ethhdr *)p->buf;

	memset(p, 0, sizeof(*p));
	memcpy(eth->h_dest, dmac, ETH_ALEN);
	memcpy(eth->h_source, smac, ETH_ALEN);
	eth->h_proto = htons(proto);
	p->len = len;
	return eth + 1;
}

static void bn_udp(struct udphdr *uh, uint16_t len)
{
	uh->source = htons(40000);
	uh->dest = htons(9); /* discard */
	uh->len = htons(len);
}

void bn_pkt4(struct bn_pkt *p, const uint8_t *dmac, const uint8_t *smac,
	     uint32_t src, uint32_t dst)
{
	struct iphdr *ip4 = bn_eth(p, dmac, smac, ETH_P_IP, BN_PKT4_LEN);
	uint16_t l3_len = BN_PKT4_LEN - ETH_HLEN;

	ip4->version = 4;
	ip4->ihl = 5;
	ip4->tot_len = htons(l3_len);
	ip4->ttl = 64;
	ip4->protocol = IPPROTO_UDP;
	ip4->saddr = src;
	ip4->daddr = dst;
	ip4->check = bn_ip_csum(ip4, sizeof(*ip4));
	bn_udp((struct udphdr *)(ip4 + 1), l3_len - sizeof(*ip4));
}

void bn_pkt6(struct bn_pkt *p, const uint8_t *dmac, const uint8_t *smac,
	     const uint32_t *src, const uint32_t *dst)
{
	struct ipv6hdr *ip6 = bn_eth(p, dmac, smac, ETH_P_IPV6, BN_PKT6_LEN);
	uint16_t payload = BN_PKT6_LEN - ETH_HLEN - sizeof(*ip6);

	ip6->version = 6;
	ip6->payload_len = htons(payload);
	ip6->nexthdr = IPPROTO_UDP;
	ip6->hop_limit = 64;
	memcpy(&ip6->saddr, src, 16);
	memcpy(&ip6->daddr, dst, 16);
	bn_udp((struct udphdr *)(ip6 + 1), payload);
}

void bn_pkt4_tcp(struct bn_pkt *p, const uint8_t *dmac, const uint8_t *smac,
		 uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		 uint8_t flags)
{
	struct iphdr *ip4;
	struct tcphdr *th;
	uint16_t l4_len = BN_PKT4_LEN - ETH_HLEN - sizeof(*ip4);
	uint32_t sum;

	bn_pkt4(p, dmac, smac, src, dst);
	ip4 = (struct iphdr *)(p->buf + ETH_HLEN);
	ip4->protocol = IPPROTO_TCP;
	ip4->check = 0;
	ip4->check = bn_ip_csum(ip4, sizeof(*ip4));
	th = (struct tcphdr *)(ip4 + 1);
	memset(th, 0, l4_len);
	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl(1000);
	th->ack_seq = htonl(flags & 0x10 ? 2000 : 0);
	th->doff = sizeof(*th) / 4;
	((uint8_t *)th)[13] = flags;
	th->window = htons(65535);
	/* pseudo-header: addresses, protocol, length */
	sum = bn_sum16(&ip4->saddr, 8, IPPROTO_TCP + l4_len);
	th->check = bn_ip_csum_fold(bn_sum16(th, l4_len, sum));
}
