/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The load balancer, conntrack and NAT maps filled the way the plugin will
 * fill them (dp_abi.h says how: VIPs in a hash, backend ids in the ring
 * through mmap, health as a backend flag, source NAT rules in an LPM
 * trie), the topology their tests share, and the check of a rewritten
 * packet against one built and checksummed from scratch.
 */
#ifndef LBT_H
#define LBT_H

#include <stdbool.h>
#include <stdint.h>

#include "dp_harness.h"

/* Client side: routes back through NHG 106 (tag 6). */
#define LBT_CLIENT4 "10.0.0.1"
#define LBT_CLIENT6 "2001:db8:ffff::1"
#define LBT_TAG_CLIENT 6
/* Backends behind a router: 198.51.100.0/24, 2001:db8:100::/48 via
 * NHG 100 (tag 1); on a connected segment: 203.0.113.9, 2001:db8:1::9
 * (neighbour tag 9). See topo.h. */
#define LBT_TAG_BACKEND 1
#define LBT_TAG_ONLINK 9
#define LBT_VIP4 "198.18.0.10"
#define LBT_VIP6 "2001:db8:18::10"
/* fullnat / source NAT addresses of the LB: the router's own */
#define LBT_LB4 "192.0.2.1"
#define LBT_LB6 "2001:db8::1"
/* The source NAT rule's out interface (NHG 100's). */
#define LBT_OUT_IFINDEX H_OUT_IFINDEX

/* The tests' capacity of each conntrack table (dp_harness.h). */
#define LBT_CT_MAX H_CT_MAX

struct lbt {
	struct harness *h;
	int vip, ring, vip_backends, backend, be_stats, be_conns, rr, persist,
		ct4, ct6, nat_src;
	uint32_t *ring_mm; /* lb_ring_map as one flat array of slots */
	uint32_t ring_slots;
	uint64_t *conns_mm; /* lb_be_conns_map */
	uint64_t *filter_mm; /* ct_filter_map */
};

void lbt_open(struct lbt *t, struct harness *h);
void lbt_close(struct lbt *t);

/*
 * topo_setup() plus the client route, conntrack switched on
 * (DP_META_F_CT | _LB | _SNAT) and every LB, conntrack and NAT table
 * emptied.
 */
void lbt_reset(struct lbt *t);

/* Backend id (> 0) at addr (IPv4 or IPv6), port 0 keeps the packet's. */
void lbt_backend(struct lbt *t, uint32_t id, const char *addr, uint16_t port,
		 uint32_t vip_id, bool up);
void lbt_backend_up(struct lbt *t, uint32_t id, bool up);

/*
 * A VIP of vip_id at addr:port/proto with its ring at ring_base, filled
 * with ids[0..n) repeated `copies` times (round robin order), and its
 * backend list. Returns the value written, for tweaks (lbt_vip_put).
 */
struct dp_lb_vip lbt_vip(struct lbt *t, uint32_t vip_id, const char *addr,
			 uint8_t proto, uint16_t port, uint8_t algorithm,
			 uint8_t nat_mode, uint32_t ring_base,
			 const uint32_t *ids, unsigned int n, unsigned int copies);
void lbt_vip_put(struct lbt *t, const char *addr, uint8_t proto,
		 uint16_t port, const struct dp_lb_vip *v);
/* Write ring slots [base, base + n) from ids. */
void lbt_ring(struct lbt *t, uint32_t base, const uint32_t *ids,
	      unsigned int n);

/* Source NAT: prefix "10.0.0.0/8" out of ifindex to pool[0..n). */
/* The conntrack filter: addr's bit in role (DP_CT_ADDR_F_*) set in
 * ct_filter_map, as the plugin holds it. lbt_backend, lbt_vip(_put) and lbt_nat_src add
 * their addresses; lbt_reset empties the map and turns the filter on. */
void lbt_filter_add(struct lbt *t, const char *addr, uint32_t role);

/* The address words of an IPv4 or IPv6 address string (its family). */
uint8_t lbt_addr_words(const char *s, uint32_t *addr);

void lbt_nat_src(struct lbt *t, const char *prefix, uint32_t ifindex,
		 const char *const *pool, unsigned int n, uint16_t port_min,
		 uint16_t port_max);

/* The conntrack entry for the tuple (ct4_map or ct6_map, by family),
 * false if none. ICMP echo: id in sport. */
bool lbt_ct_get(struct lbt *t, uint8_t proto, const char *saddr,
		uint16_t sport, const char *daddr, uint16_t dport,
		struct dp_ct_val *v);
void lbt_ct_put(struct lbt *t, const struct dp_ct_key *k,
		const struct dp_ct_val *v);
void lbt_ct_key(struct dp_ct_key *k, uint8_t proto, const char *saddr,
		uint16_t sport, const char *daddr, uint16_t dport);
/* Entries in both tables. */
unsigned int lbt_ct_count(struct lbt *t);
uint64_t lbt_conns(struct lbt *t, uint32_t id);
void lbt_set_conns(struct lbt *t, uint32_t id, uint64_t n);
void lbt_be_stats(struct lbt *t, uint32_t id, struct dp_lb_backend_stats *s);

/* TCP flags for lbt_pkt (byte 13 of the header). */
#define LBT_FIN 0x01
#define LBT_SYN 0x02
#define LBT_RST 0x04
#define LBT_ACK 0x10

/*
 * A packet src:sport -> dst:dport (IPv4 or IPv6 by the address), proto
 * TCP (with these flags), UDP or ICMP/ICMPv6 echo (request if sport, id
 * sport; reply if dport, id dport), 16 bytes of payload, every checksum
 * valid.
 */
void lbt_pkt(struct tpkt *p, uint8_t proto, const char *src, uint16_t sport,
	     const char *dst, uint16_t dport, uint8_t tcp_flags);

/*
 * r: the packet `in` forwarded (verdict, one DP_R_FWD or DP_R_FWD_NEIGH
 * count) out of path `tag`, as src:sport -> dst:dport (ICMP echo: the id
 * in sport for a request, dport for a reply), TTL / hop limit one less;
 * compared byte for byte with that packet built from `in` with every
 * checksum recomputed in full.
 */
void lbt_expect_nat(const struct h_result *r, enum dp_hook hook,
		    const struct tpkt *in, enum dp_reason reason, int tag,
		    const char *src, uint16_t sport, const char *dst,
		    uint16_t dport);

/*
 * An ICMP destination unreachable from `router` to `to` about `inner` (a
 * packet the LB sent), carrying all of it, or if `cut` only its IP header
 * and the first 8 bytes of its L4 header (RFC 792's minimum).
 */
void lbt_icmp_error(struct tpkt *p, const char *router, const char *to,
		    const struct tpkt *inner, bool cut);

/*
 * r: the error `in` forwarded out of path `tag` to `to`, its inner packet
 * now src:sport -> dst:dport, compared byte for byte with that error
 * rebuilt with every checksum recomputed in full (the inner L4 checksum
 * only when the inner packet is whole).
 */
void lbt_expect_icmp_error(const struct h_result *r, const struct tpkt *in,
			   const struct tpkt *inner, bool cut, int tag,
			   const char *to, const char *src, uint16_t sport,
			   const char *dst, uint16_t dport);

#endif /* LBT_H */
