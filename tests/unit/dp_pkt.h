/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test packet builders: Ethernet frames from the test peer to the router
 * MAC carrying IPv4/IPv6 with TCP, UDP or ICMP, plus the mutations the
 * tests need (options, extension headers, truncation...).
 */
#ifndef DP_PKT_H
#define DP_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#define TPKT_MAX 4096

struct tpkt {
	uint8_t buf[TPKT_MAX];
	size_t len;
};

extern const uint8_t tpkt_router_mac[ETH_ALEN]; /* the ingress interface */
extern const uint8_t tpkt_peer_mac[ETH_ALEN];	/* who sends to it */

/*
 * IPv4 or IPv6 packet, TTL/hop limit 64, DF set. proto IPPROTO_TCP (a
 * 20-byte header), IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6 (8-byte
 * headers), followed by `payload` zero bytes; any other proto: payload
 * only.
 */
void tpkt_ipv4(struct tpkt *p, const char *src, const char *dst, uint8_t proto,
	       uint16_t sport, uint16_t dport, size_t payload);
void tpkt_ipv6(struct tpkt *p, const char *src, const char *dst, uint8_t proto,
	       uint16_t sport, uint16_t dport, size_t payload);

/* A frame of `len` bytes with this ethertype and a zero payload. */
void tpkt_raw(struct tpkt *p, uint16_t ethertype, size_t len);
/* An ARP request (to the broadcast MAC unless `unicast`). */
void tpkt_arp(struct tpkt *p, int unicast);

struct ethhdr *tpkt_eth(struct tpkt *p);
struct iphdr *tpkt_ip4(struct tpkt *p);
struct ipv6hdr *tpkt_ip6(struct tpkt *p);
uint8_t *tpkt_l4(struct tpkt *p); /* after the IPv4/IPv6 header */

/* RFC 1071 checksum of len bytes, as stored in a header (not inverted back). */
uint16_t tpkt_csum(const void *data, size_t len);
/* Recompute the IPv4 header checksum (over IHL * 4 bytes). */
void tpkt_ipv4_fix_csum(struct tpkt *p);
/* Grow the IPv4 header by `bytes` (a multiple of 4) of NOP options. */
void tpkt_ipv4_options(struct tpkt *p, size_t bytes);
/* Insert an 8-byte IPv6 extension header of this type after the header. */
void tpkt_ipv6_ext(struct tpkt *p, uint8_t type);

/* The L4 checksum (TCP, UDP, ICMP, ICMPv6) of the packet as it is, fully
 * recomputed (a UDP result of 0 is 0xffff). */
uint16_t tpkt_l4_csum(const struct tpkt *p);
/* Store tpkt_l4_csum() in the L4 header (and the IPv4 header's). */
void tpkt_fix_csums(struct tpkt *p);

#endif /* DP_PKT_H */
