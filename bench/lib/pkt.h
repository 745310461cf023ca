/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The benchmarks' test frames: Ethernet + IPv4 or IPv6 + UDP, the minimum
 * Ethernet frame size (64 bytes with FCS) for IPv4, TTL / hop limit 64.
 */
#ifndef BENCH_PKT_H
#define BENCH_PKT_H

#include <stdint.h>

#define BN_PKT_MAX 128
#define BN_PKT4_LEN 60 /* + 4 bytes FCS on the wire: 64 */
#define BN_PKT6_LEN 78 /* 14 + 40 + 8 + 16 bytes payload */

struct bn_pkt {
	uint8_t buf[BN_PKT_MAX];
	uint32_t len;
};

/* Addresses in network byte order. */
void bn_pkt4(struct bn_pkt *p, const uint8_t *dmac, const uint8_t *smac,
	     uint32_t src, uint32_t dst);
void bn_pkt6(struct bn_pkt *p, const uint8_t *dmac, const uint8_t *smac,
	     const uint32_t *src, const uint32_t *dst);

/*
 * The same IPv4 frame carrying TCP instead (a 20-byte header with these
 * flags, 6 bytes of payload, both checksums valid); ports in host order.
 */
void bn_pkt4_tcp(struct bn_pkt *p, const uint8_t *dmac, const uint8_t *smac,
		 uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		 uint8_t flags);

/* The IPv4 header checksum over len bytes (network byte order result). */
uint16_t bn_ip_csum(const void *data, int len);

#endif /* BENCH_PKT_H */
