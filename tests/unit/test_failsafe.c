// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Never worse than the kernel, packet by packet: what the datapath cannot
 * do exactly goes to the kernel (or, for an egress XDP cannot send to, to
 * TC), counted under its own reason, and only that.
 *   - an egress that takes no XDP redirect: XDP hands over, TC forwards;
 *   - a group or route the datapath does not model: passed;
 *   - a route that did not fit the FIB: its own range passed (punt map),
 *     the covering route still forwards the rest; the whole family only
 *     when the punt map is full too;
 *   - broadcast destinations (limited or a local subnet's), the router's
 *     own or broadcast addresses as source: passed;
 *   - a source rp_filter would refuse, a frame longer than its packet:
 *     passed;
 *   - xfrm policies present: everything IP passed;
 *   - every forward marks its neighbour as used, so that the plugin keeps
 *     it fresh in the kernel.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <netinet/in.h>

#include <bpf/bpf.h>

#include "dp_test.h"
#include "expect.h"
#include "tests.h"
#include "topo.h"
#include "xdp_main.skel.h"

#define V4(dst) tpkt_ipv4(p, SRC4, dst, IPPROTO_UDP, 1000, 53, 20)
#define V6(dst) tpkt_ipv6(p, SRC6, dst, IPPROTO_UDP, 1000, 53, 20)

/* Groups and routes this file adds to the standard topology. */
#define NHG_NO_XDP 300	/* resolved path, egress takes no XDP redirect */
#define NHG_KERNEL 301	/* written as the kernel's (DP_NHG_F_KERNEL) */
#define TAG_NO_XDP 30
#define DST4_NO_XDP "198.51.130.7"
#define DST4_KERNEL_NHG "198.51.131.7"
#define DST4_KERNEL_RT "198.51.132.7"
#define DST4_BCAST "203.0.113.255"   /* broadcast of connected /24 */
#define DST4_PUNTED "198.51.100.77"  /* a /32 inside NHG 100's /24 */
#define DST6_PUNTED "2001:db8:100::77"
#define SRC4_OWN "203.0.113.1"	     /* the router's own address */

static void failsafe_setup(struct harness *h)
{
	struct dp_nhg *nhg = calloc(1, sizeof(*nhg));
	struct dp_path p;

	topo_setup(h);
	p = h_path(H_OUT_IFINDEX, TAG_NO_XDP,
		   DP_PATH_F_GW | DP_PATH_F_RESOLVED, TOPO_OUT_MTU);
	p.flags &= ~DP_PATH_F_XDP_TX;
	h_nhg(h, NHG_NO_XDP, &p, 1);
	h_route4(h, "198.51.130.0/24", DP_RT_NHG, NHG_NO_XDP);

	nhg->flags = DP_NHG_F_KERNEL;
	h_nhg_put(h, NHG_KERNEL, nhg);
	h_route4(h, "198.51.131.0/24", DP_RT_NHG, NHG_KERNEL);
	h_route4(h, "198.51.132.0/24", DP_RT_KERNEL, 0);
	h_route4(h, "198.51.133.0/24", DP_RT_PUNT, 0);
	h_route4(h, "203.0.113.255/32", DP_RT_BROADCAST, 0);
	h_addr4(h, SRC4_OWN, DP_ADDR_LOCAL);
	h_addr4(h, DST4_BCAST, DP_ADDR_BROADCAST);
	free(nhg);
}

static void pass_both(struct harness *h, const char *name,
		      const struct tpkt *p, enum dp_reason reason)
{
	struct h_result r;

	for (int i = 0; i < DP_HOOK_MAX; i++) {
		t_begin("%s: %s -> %s", h_hook_name(hooks[i]), name,
			h_reason_name(reason));
		h_run(h, hooks[i], p, &r);
		expect_pass(&r, hooks[i], p, reason);
		t_end();
	}
}

/*
 * A redirect XDP cannot make (a bridge, a VXLAN device, a port in mode
 * tc) is not attempted: XDP hands the packet to TC, which forwards it
 * with the same rewrite, and only TC counts it when it runs behind XDP.
 */
static void test_egress_not_xdp(struct harness *h)
{
	struct h_result r;
	struct tpkt p;

	tpkt_ipv4(&p, SRC4, DST4_NO_XDP, IPPROTO_UDP, 1000, 53, 20);
	t_begin("xdp: egress without XDP redirect -> PASS_EGRESS_SKB");
	h_run(h, DP_HOOK_XDP, &p, &r);
	expect_pass(&r, DP_HOOK_XDP, &p, DP_R_PASS_EGRESS_SKB);
	t_end();

	t_begin("tc: egress without XDP redirect is forwarded by TC");
	h_run(h, DP_HOOK_TC, &p, &r);
	expect_fwd(&r, DP_HOOK_TC, &p, DP_R_FWD, TAG_NO_XDP);
	t_end();

	h_intf(h, H_IN_IFINDEX, tpkt_router_mac,
	       DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_TC | DP_INTF_F_UP,
	       1500, H_IN_STATS_IDX);
	t_begin("xdp: with TC behind, the hand-over is TC's to count");
	h_run(h, DP_HOOK_XDP, &p, &r);
	T_EQ(r.verdict, XDP_PASS_, "verdict");
	T_CHECK(r.has_meta && r.meta.reason == DP_R_PASS_EGRESS_SKB,
		"meta reason %s", h_reason_name(r.meta.reason));
	T_EQ(r.counted, 0, "stats_map entries that moved");
	t_end();
	h_intf(h, H_IN_IFINDEX, tpkt_router_mac,
	       DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_UP, 1500,
	       H_IN_STATS_IDX);
}

/* Labels, encapsulation, a non-Ethernet or enslaved egress: the kernel. */
static void test_unsupported(struct harness *h)
{
	struct tpkt p, *pp = &p;

	tpkt_ipv4(pp, SRC4, DST4_KERNEL_NHG, IPPROTO_UDP, 1000, 53, 20);
	pass_both(h, "ipv4 via a group the datapath does not model", pp,
		  DP_R_PASS_UNSUPPORTED);
	tpkt_ipv4(pp, SRC4, DST4_KERNEL_RT, IPPROTO_UDP, 1000, 53, 20);
	pass_both(h, "ipv4 via a route the datapath does not model", pp,
		  DP_R_PASS_UNSUPPORTED);
	tpkt_ipv4(pp, SRC4, "198.51.133.7", IPPROTO_UDP, 1000, 53, 20);
	pass_both(h, "ipv4 via a route the datapath had no room for", pp,
		  DP_R_PASS_FIB_FULL);
}

/*
 * Broadcasts: a subnet's directed broadcast (a BROADCAST host route from
 * the local table) and the router's own or broadcast addresses as source.
 */
static void test_broadcast_and_own(struct harness *h)
{
	struct tpkt p;

	tpkt_ipv4(&p, SRC4, DST4_BCAST, IPPROTO_UDP, 1000, 53, 20);
	pass_both(h, "ipv4 to a connected subnet's broadcast address", &p,
		  DP_R_PASS_BCAST);
	tpkt_ipv4(&p, DST4_BCAST, DST4_FWD, IPPROTO_UDP, 1000, 53, 20);
	pass_both(h, "ipv4 from a connected subnet's broadcast address", &p,
		  DP_R_PASS_MARTIAN);
	tpkt_ipv4(&p, SRC4_OWN, DST4_FWD, IPPROTO_UDP, 1000, 53, 20);
	pass_both(h, "ipv4 from one of the router's own addresses", &p,
		  DP_R_PASS_MARTIAN);

	h_meta_flags(h, DP_META_F_ADDR4_INCOMPLETE);
	tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_UDP, 1000, 53, 20);
	pass_both(h, "any ipv4 while addr4_map could not take every address",
		  &p, DP_R_PASS_FIB_FULL);
	h_meta_flags(h, 0);
}

/*
 * A route that did not fit: its range, and only its range, goes to the
 * kernel; the route covering it keeps forwarding everything else. The
 * punt map is consulted only while the datapath is told it is in use.
 */
static void test_punt(struct harness *h)
{
	struct h_result r;
	struct tpkt p;

	h_punt(h, DST4_PUNTED "/32", DP_R_PASS_FIB_FULL);
	h_punt(h, DST6_PUNTED "/128", DP_R_PASS_FIB_FULL);

	tpkt_ipv4(&p, SRC4, DST4_PUNTED, IPPROTO_UDP, 1000, 53, 20);
	t_begin("xdp: punt map unused while the flag is clear");
	h_run(h, DP_HOOK_XDP, &p, &r);
	expect_fwd(&r, DP_HOOK_XDP, &p, DP_R_FWD, TAG_NHG100);
	t_end();

	h_meta_flags(h, DP_META_F_PUNT4 | DP_META_F_PUNT6);
	pass_both(h, "ipv4 to a route that did not fit (covered by a /24)",
		  &p, DP_R_PASS_FIB_FULL);
	tpkt_ipv6(&p, SRC6, DST6_PUNTED, IPPROTO_UDP, 1000, 53, 20);
	pass_both(h, "ipv6 to a route that did not fit (covered by a /48)",
		  &p, DP_R_PASS_FIB_FULL);
	for (int i = 0; i < DP_HOOK_MAX; i++) {
		t_begin("%s: the rest of the covering route still forwards",
			h_hook_name(hooks[i]));
		tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_UDP, 1000, 53, 20);
		h_run(h, hooks[i], &p, &r);
		expect_fwd(&r, hooks[i], &p, DP_R_FWD, TAG_NHG100);
		tpkt_ipv6(&p, SRC6, DST6_FWD, IPPROTO_UDP, 1000, 53, 20);
		h_run(h, hooks[i], &p, &r);
		expect_fwd(&r, hooks[i], &p, DP_R_FWD, TAG_NHG100);
		t_end();
	}

	/* A local range from the kernel's local table: its own reason. */
	h_punt(h, "10.200.0.0/16", DP_R_PASS_LOCAL);
	tpkt_ipv4(&p, SRC4, "10.200.3.4", IPPROTO_UDP, 1000, 53, 20);
	pass_both(h, "ipv4 into a local range (ip route add local)", &p,
		  DP_R_PASS_LOCAL);
	h_meta_flags(h, 0);
}

/*
 * rp_filter on the ingress interface: loose wants a unicast route back to
 * the source, strict one through the ingress interface itself.
 */
static void test_rpf(struct harness *h)
{
	const uint16_t base = DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_UP;
	struct h_result r;
	struct tpkt p;

	/* Sources: 198.51.100.9 via NHG 100 (out interface 10), a blackhole,
	 * no route at all, 203.0.113.9 connected on interface 10. */
	h_intf(h, H_IN_IFINDEX, tpkt_router_mac, base | DP_INTF_F_RPF_LOOSE,
	       1500, H_IN_STATS_IDX);
	for (int i = 0; i < DP_HOOK_MAX; i++) {
		t_begin("%s: loose rp_filter: a routable source is forwarded",
			h_hook_name(hooks[i]));
		tpkt_ipv4(&p, "198.51.100.9", DST4_FWD, IPPROTO_UDP, 1, 2, 20);
		h_run(h, hooks[i], &p, &r);
		expect_fwd(&r, hooks[i], &p, DP_R_FWD, TAG_NHG100);
		t_end();
	}
	tpkt_ipv4(&p, "172.16.9.9", DST4_FWD, IPPROTO_UDP, 1, 2, 20);
	pass_both(h, "loose rp_filter: no route back to the source", &p,
		  DP_R_PASS_RPF);
	tpkt_ipv4(&p, "100.64.9.9", DST4_FWD, IPPROTO_UDP, 1, 2, 20);
	pass_both(h, "loose rp_filter: the source is behind a blackhole", &p,
		  DP_R_PASS_RPF);
	h_meta_flags(h, DP_META_F_PUNT4);
	h_punt(h, "198.51.100.9/32", DP_R_PASS_FIB_FULL);
	tpkt_ipv4(&p, "198.51.100.9", DST4_FWD, IPPROTO_UDP, 1, 2, 20);
	pass_both(h, "loose rp_filter: the source's route did not fit", &p,
		  DP_R_PASS_RPF);
	h_meta_flags(h, 0);

	/* Strict: the way back must be the way in (interface 1). */
	h_intf(h, H_IN_IFINDEX, tpkt_router_mac, base | DP_INTF_F_RPF_STRICT,
	       1500, H_IN_STATS_IDX);
	tpkt_ipv4(&p, "198.51.101.9", DST4_FWD, IPPROTO_UDP, 1, 2, 20);
	pass_both(h, "strict rp_filter: the source is reached through another interface",
		  &p, DP_R_PASS_RPF);
	h_route4(h, "10.99.0.0/16", DP_RT_CONNECTED, H_IN_IFINDEX);
	for (int i = 0; i < DP_HOOK_MAX; i++) {
		t_begin("%s: strict rp_filter: a source on the ingress link is forwarded",
			h_hook_name(hooks[i]));
		tpkt_ipv4(&p, "10.99.0.5", DST4_FWD, IPPROTO_UDP, 1, 2, 20);
		h_run(h, hooks[i], &p, &r);
		expect_fwd(&r, hooks[i], &p, DP_R_FWD, TAG_NHG100);
		t_end();
	}
	h_intf(h, H_IN_IFINDEX, tpkt_router_mac, base, 1500, H_IN_STATS_IDX);
}

/* The kernel trims what follows the IP packet; the datapath leaves it to
 * the kernel rather than forward it. Minimum-frame padding is fine. */
static void test_trailer(struct harness *h)
{
	struct h_result r;
	struct tpkt p;

	tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_UDP, 1, 2, 100);
	p.len += 6;
	pass_both(h, "ipv4 frame with 6 bytes after the IP packet", &p,
		  DP_R_PASS_TRAILER);
	tpkt_ipv6(&p, SRC6, DST6_FWD, IPPROTO_UDP, 1, 2, 100);
	p.len += 1;
	pass_both(h, "ipv6 frame with a byte after the IP packet", &p,
		  DP_R_PASS_TRAILER);
	for (int i = 0; i < DP_HOOK_MAX; i++) {
		t_begin("%s: a 42-byte packet padded to 60 is forwarded",
			h_hook_name(hooks[i]));
		tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_UDP, 1, 2, 0);
		p.len = 60;
		h_run(h, hooks[i], &p, &r);
		expect_fwd(&r, hooks[i], &p, DP_R_FWD, TAG_NHG100);
		t_end();
	}
}

/* xfrm policies exist: the kernel sees every IP packet. */
static void test_ipsec(struct harness *h)
{
	struct tpkt p;

	h_meta_flags(h, DP_META_F_IPSEC);
	tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_UDP, 1000, 53, 20);
	pass_both(h, "routable ipv4 while xfrm policies exist", &p,
		  DP_R_PASS_IPSEC);
	tpkt_ipv6(&p, SRC6, DST6_FWD, IPPROTO_UDP, 1000, 53, 20);
	pass_both(h, "routable ipv6 while xfrm policies exist", &p,
		  DP_R_PASS_IPSEC);
	tpkt_arp(&p, 1);
	pass_both(h, "arp while xfrm policies exist", &p, DP_R_PASS_ARP);
	h_meta_flags(h, 0);
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * zebra renews the datapath's trust (DP_META_F_HOLD): before the deadline
 * routing goes on, past it every packet goes to the kernel, and the
 * deadline means nothing without the flag.
 */
static void test_hold_time(struct harness *h)
{
	uint64_t now = monotonic_ns();
	struct h_result r;
	struct tpkt p;

	for (int i = 0; i < DP_HOOK_MAX; i++) {
		t_begin("%s: ipv4 forwarded with the hold time 10 s ahead",
			h_hook_name(hooks[i]));
		h_meta(h, DP_META_F_HOLD, now + 10000000000ULL);
		tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_UDP, 1000, 53, 20);
		h_run(h, hooks[i], &p, &r);
		expect_fwd(&r, hooks[i], &p, DP_R_FWD, TAG_NHG100);
		t_end();
		t_begin("%s: ipv4 forwarded past a deadline not enforced",
			h_hook_name(hooks[i]));
		h_meta(h, 0, now - 1000000000ULL);
		h_run(h, hooks[i], &p, &r);
		expect_fwd(&r, hooks[i], &p, DP_R_FWD, TAG_NHG100);
		t_end();
	}
	h_meta(h, DP_META_F_HOLD, now - 1000000000ULL);
	tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_UDP, 1000, 53, 20);
	pass_both(h, "routable ipv4 a second past the hold time", &p,
		  DP_R_PASS_HOLD_EXPIRED);
	tpkt_ipv6(&p, SRC6, DST6_FWD, IPPROTO_UDP, 1000, 53, 20);
	pass_both(h, "routable ipv6 a second past the hold time", &p,
		  DP_R_PASS_HOLD_EXPIRED);
	tpkt_arp(&p, 1);
	pass_both(h, "arp past the hold time", &p, DP_R_PASS_ARP);
	h_meta_flags(h, 0);
}

/*
 * The neighbour a packet is forwarded to is marked used in
 * neigh_hit_map, through a path (NHG) or a connected route's dmac_map
 * entry; a passed packet marks nothing.
 */
static void test_neigh_hits(struct harness *h)
{
	int fd = bpf_map__fd(h->xdp->maps.neigh_hit_map);
	uint32_t blocks = bpf_map__max_entries(h->xdp->maps.neigh_hit_map);
	size_t len = (size_t)blocks * sizeof(struct dp_hit_block);
	volatile uint8_t *hits;
	struct h_result r;
	struct dp_nhg nhg;
	struct dp_neigh_key k = {.ifindex = H_OUT_IFINDEX, .family = AF_INET};
	struct dp_neigh_val v;
	struct tpkt p;
	uint32_t id = 100;

	hits = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	t_begin("neigh_hit_map can be mapped by the plugin");
	T_CHECK(hits != MAP_FAILED, "mmap failed");
	if (!t_end())
		return;

	h_nhg_get(h, id, &nhg);
	nhg.paths[0].hit_slot = 5;
	h_nhg_put(h, id, &nhg);
	inet_pton(AF_INET, DST4_CONNECTED, k.addr);
	bpf_map_lookup_elem(h->dmac, &k, &v);
	v.hit_slot = DP_HIT_BLOCK + 3; /* the second block */
	bpf_map_update_elem(h->dmac, &k, &v, BPF_ANY);

	for (int i = 0; i < DP_HOOK_MAX; i++) {
		t_begin("%s: forwarding marks the next hop used",
			h_hook_name(hooks[i]));
		memset((void *)hits, 0, len);
		tpkt_ipv4(&p, SRC4, DST4_LOCAL, IPPROTO_UDP, 1000, 53, 20);
		h_run(h, hooks[i], &p, &r);
		T_CHECK(!hits[5] && !hits[DP_HIT_BLOCK + 3],
			"a passed packet marked a neighbour");
		tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_UDP, 1000, 53, 20);
		h_run(h, hooks[i], &p, &r);
		T_EQ(hits[5], 1, "gateway of NHG 100 (slot 5)");
		tpkt_ipv4(&p, SRC4, DST4_CONNECTED, IPPROTO_UDP, 1000, 53, 20);
		h_run(h, hooks[i], &p, &r);
		T_EQ(hits[DP_HIT_BLOCK + 3], 1, "connected neighbour (slot 259)");
		t_end();
	}
	munmap((void *)hits, len);
}

void test_failsafe(struct harness *h)
{
	failsafe_setup(h);
	test_egress_not_xdp(h);
	test_unsupported(h);
	test_broadcast_and_own(h);
	test_punt(h);
	test_rpf(h);
	test_trailer(h);
	test_ipsec(h);
	test_hold_time(h);
	test_neigh_hits(h);
}
