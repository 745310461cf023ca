// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every reason to hand a packet to the kernel, at both hooks: the packet
 * is passed unchanged (XDP_PASS / TC_ACT_UNSPEC), counted once under that
 * reason, and at XDP tagged with the reason in its metadata.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <bpf/bpf.h>

#include "dp_test.h"
#include "expect.h"
#include "tests.h"
#include "topo.h"
#include "xdp_main.skel.h"

#define V4(dst) tpkt_ipv4(p, SRC4, dst, IPPROTO_TCP, 40000, 80, 20)
#define V6(dst) tpkt_ipv6(p, SRC6, dst, IPPROTO_TCP, 40000, 80, 20)
#define V6LL(type)                                                             \
	tpkt_ipv6(p, "fe80::2", "fe80::1", IPPROTO_ICMPV6, 0, 0, 24),          \
		tpkt_l4(p)[0] = (type)

static void local4(struct tpkt *p)
{
	V4(DST4_LOCAL);
}

static void local6(struct tpkt *p)
{
	V6(DST6_LOCAL);
}

static void local4_ttl1(struct tpkt *p)
{
	V4(DST4_LOCAL);
	tpkt_ip4(p)->ttl = 1;
	tpkt_ipv4_fix_csum(p);
}

static void arp_unicast(struct tpkt *p)
{
	tpkt_arp(p, 1);
}

static void arp_broadcast(struct tpkt *p)
{
	tpkt_arp(p, 0);
}

static void nd_rs(struct tpkt *p)
{
	V6LL(133);
}

static void nd_ra(struct tpkt *p)
{
	V6LL(134);
}

static void nd_ns(struct tpkt *p)
{
	V6LL(135);
}

static void nd_na(struct tpkt *p)
{
	V6LL(136);
}

static void nd_redirect(struct tpkt *p)
{
	V6LL(137);
}

static void nd_ns_global(struct tpkt *p)
{
	V6(DST6_FWD);
	tpkt_ip6(p)->nexthdr = IPPROTO_ICMPV6;
	tpkt_l4(p)[0] = 135;
}

static void no_route4(struct tpkt *p)
{
	V4(DST4_NO_ROUTE);
}

static void no_route6(struct tpkt *p)
{
	V6(DST6_NO_ROUTE);
}

static void no_neigh_unknown_if(struct tpkt *p)
{
	V4(DST4_CONN_UNKNOWN);
}

static void ttl1_4(struct tpkt *p)
{
	V4(DST4_FWD);
	tpkt_ip4(p)->ttl = 1;
	tpkt_ipv4_fix_csum(p);
}

static void ttl0_4(struct tpkt *p)
{
	V4(DST4_FWD);
	tpkt_ip4(p)->ttl = 0;
	tpkt_ipv4_fix_csum(p);
}

static void hop1_6(struct tpkt *p)
{
	V6(DST6_FWD);
	tpkt_ip6(p)->hop_limit = 1;
}

static void hop0_6(struct tpkt *p)
{
	V6(DST6_FWD);
	tpkt_ip6(p)->hop_limit = 0;
}

static void ttl1_unresolved(struct tpkt *p)
{
	V4(DST4_UNRESOLVED);
	tpkt_ip4(p)->ttl = 1;
	tpkt_ipv4_fix_csum(p);
}

static void opts4(struct tpkt *p)
{
	V4(DST4_FWD);
	tpkt_ipv4_options(p, 4);
}

static void opts40(struct tpkt *p)
{
	V4(DST4_FWD);
	tpkt_ipv4_options(p, 40);
}

static void hbh6(struct tpkt *p)
{
	V6(DST6_FWD);
	tpkt_ipv6_ext(p, 0);
}

static void lldp(struct tpkt *p)
{
	tpkt_raw(p, 0x88cc, 60);
}

static void vlan(struct tpkt *p)
{
	V4(DST4_FWD);
	tpkt_eth(p)->h_proto = htons(0x8100);
}

static void ipx(struct tpkt *p)
{
	tpkt_raw(p, 0x8137, 60);
}

static void other_mac(struct tpkt *p)
{
	V4(DST4_FWD);
	tpkt_eth(p)->h_dest[5] = 0x02;
}

static void mcast_mac(struct tpkt *p)
{
	V4("224.0.0.5");
	memcpy(tpkt_eth(p)->h_dest, "\x01\x00\x5e\x00\x00\x05", 6);
}

static void bcast_mac(struct tpkt *p)
{
	V4("255.255.255.255");
	memset(tpkt_eth(p)->h_dest, 0xff, 6);
}

static void mcast_mac6(struct tpkt *p)
{
	V6("ff02::1");
	memcpy(tpkt_eth(p)->h_dest, "\x33\x33\x00\x00\x00\x01", 6);
}

static void mcast4(struct tpkt *p)
{
	V4("224.0.0.5");
}

static void mcast4_global(struct tpkt *p)
{
	V4("239.1.2.3");
}

static void bcast4(struct tpkt *p)
{
	V4("255.255.255.255");
}

static void linklocal4(struct tpkt *p)
{
	V4("169.254.10.1");
}

static void mcast6(struct tpkt *p)
{
	V6("ff05::2");
}

static void linklocal6_dst(struct tpkt *p)
{
	V6("fe80::1");
}

static void linklocal6_src(struct tpkt *p)
{
	tpkt_ipv6(p, "fe80::2", DST6_FWD, IPPROTO_TCP, 1, 2, 20);
}

static void echo6_linklocal(struct tpkt *p)
{
	V6LL(128);
}

static void special4(struct tpkt *p)
{
	V4(DST4_SPECIAL);
}

static void special6(struct tpkt *p)
{
	V6(DST6_SPECIAL);
}

static void missing_nhg(struct tpkt *p)
{
	V4(DST4_MISSING_NHG);
}

static void empty_nhg(struct tpkt *p)
{
	V4(DST4_EMPTY_NHG);
}

static const struct pass_case {
	const char *name;
	void (*build)(struct tpkt *p);
	enum dp_reason reason;
} cases[] = {
	{"ipv4 to the router's address", local4, DP_R_PASS_LOCAL},
	{"ipv6 to the router's address", local6, DP_R_PASS_LOCAL},
	{"ipv4 to the router with TTL 1 (local wins)", local4_ttl1,
	 DP_R_PASS_LOCAL},
	{"ARP to the router MAC", arp_unicast, DP_R_PASS_ARP},
	/* L2 first: a broadcast ARP request is not for the router MAC. */
	{"ARP request to broadcast", arp_broadcast, DP_R_PASS_NOT_ROUTER},
	{"ICMPv6 router solicitation", nd_rs, DP_R_PASS_ND},
	{"ICMPv6 router advertisement", nd_ra, DP_R_PASS_ND},
	{"ICMPv6 neighbour solicitation", nd_ns, DP_R_PASS_ND},
	{"ICMPv6 neighbour advertisement", nd_na, DP_R_PASS_ND},
	{"ICMPv6 redirect", nd_redirect, DP_R_PASS_ND},
	{"ICMPv6 NS to a routed address", nd_ns_global, DP_R_PASS_ND},
	{"ipv4 without a route", no_route4, DP_R_PASS_NO_ROUTE},
	{"ipv6 without a route", no_route6, DP_R_PASS_NO_ROUTE},
	{"ipv4 connected, out interface unknown", no_neigh_unknown_if,
	 DP_R_PASS_NO_NEIGH},
	{"ipv4 TTL 1", ttl1_4, DP_R_PASS_TTL},
	{"ipv4 TTL 0", ttl0_4, DP_R_PASS_TTL},
	{"ipv6 hop limit 1", hop1_6, DP_R_PASS_TTL},
	{"ipv6 hop limit 0", hop0_6, DP_R_PASS_TTL},
	{"ipv4 TTL 1 via an unresolved path", ttl1_unresolved, DP_R_PASS_TTL},
	{"ipv4 with 4 bytes of options", opts4, DP_R_PASS_IP_OPTIONS},
	{"ipv4 with 40 bytes of options", opts40, DP_R_PASS_IP_OPTIONS},
	{"ipv6 with a hop-by-hop header", hbh6, DP_R_PASS_IP_OPTIONS},
	{"LLDP frame", lldp, DP_R_PASS_NON_IP},
	{"802.1Q tagged frame", vlan, DP_R_PASS_NON_IP},
	{"IPX frame", ipx, DP_R_PASS_NON_IP},
	{"ipv4 to another host's MAC", other_mac, DP_R_PASS_NOT_ROUTER},
	{"ipv4 multicast frame", mcast_mac, DP_R_PASS_NOT_ROUTER},
	{"ipv4 broadcast frame", bcast_mac, DP_R_PASS_NOT_ROUTER},
	{"ipv6 multicast frame", mcast_mac6, DP_R_PASS_NOT_ROUTER},
	{"ipv4 to 224.0.0.5 via the router MAC", mcast4, DP_R_PASS_MCAST},
	{"ipv4 to 239.1.2.3 via the router MAC", mcast4_global,
	 DP_R_PASS_MCAST},
	{"ipv4 to 255.255.255.255 via the router MAC", bcast4, DP_R_PASS_BCAST},
	{"ipv4 to link-local 169.254/16", linklocal4, DP_R_PASS_LINK_LOCAL},
	{"ipv6 to ff05::2 via the router MAC", mcast6, DP_R_PASS_MCAST},
	{"ipv6 to a link-local address", linklocal6_dst, DP_R_PASS_LINK_LOCAL},
	{"ipv6 from a link-local address", linklocal6_src,
	 DP_R_PASS_LINK_LOCAL},
	{"ipv6 echo request to a link-local address", echo6_linklocal,
	 DP_R_PASS_LINK_LOCAL},
	{"ipv4 to a blackhole route", special4, DP_R_PASS_SPECIAL},
	{"ipv6 to an unreachable route", special6, DP_R_PASS_SPECIAL},
	{"ipv4 via a group missing in nh_map", missing_nhg, DP_R_PASS_NO_NHG},
	{"ipv4 via a group without paths", empty_nhg, DP_R_PASS_NO_ROUTE},
};

static void pass_case(struct harness *h, const char *name,
		      void (*build)(struct tpkt *p), enum dp_reason reason)
{
	struct h_result r;
	struct tpkt p;

	build(&p);
	for (int i = 0; i < DP_HOOK_MAX; i++) {
		t_begin("%s: %s -> %s", h_hook_name(hooks[i]), name,
			h_reason_name(reason));
		h_run(h, hooks[i], &p, &r);
		expect_pass(&r, hooks[i], &p, reason);
		t_end();
	}
}

static void via_bad_buckets(struct tpkt *p)
{
	V4("198.51.200.7");
}

static void via_type_none(struct tpkt *p)
{
	V4("198.51.201.7");
}

static void via_type_unknown(struct tpkt *p)
{
	V4("198.51.202.7");
}

static void fwd4(struct tpkt *p)
{
	V4(DST4_FWD);
}

static void fwd6(struct tpkt *p)
{
	V6(DST6_FWD);
}

/*
 * A family whose FIB could not take every route is passed whole: a
 * shorter route might otherwise answer for the missing one. The other
 * family keeps forwarding.
 */
static void test_pass_fib_incomplete(struct harness *h)
{
	struct h_result r;
	struct tpkt p;

	h_meta_flags(h, DP_META_F_FIB4_INCOMPLETE);
	pass_case(h, "routable ipv4 while the IPv4 FIB is incomplete", fwd4,
		  DP_R_PASS_FIB_FULL);
	fwd6(&p);
	t_begin("xdp: ipv6 still forwarded while only IPv4 is incomplete");
	h_run(h, DP_HOOK_XDP, &p, &r);
	T_EQ(r.verdict, h_verdict_fwd(DP_HOOK_XDP), "verdict");
	t_end();
	h_meta_flags(h, DP_META_F_FIB6_INCOMPLETE);
	pass_case(h, "routable ipv6 while the IPv6 FIB is incomplete", fwd6,
		  DP_R_PASS_FIB_FULL);
	h_meta_flags(h, 0);
}

/* Cases that need the tables changed from topo_setup()'s. */
static void test_pass_tables(struct harness *h)
{
	struct dp_nhg *nhg = calloc(1, sizeof(*nhg));
	struct h_result r;
	struct tpkt p;

	/* A group whose buckets point beyond its paths: not forwarded. */
	nhg->n_paths = 2;
	nhg->paths[0] = h_path(H_OUT_IFINDEX, 1, DP_PATH_F_RESOLVED, 1500);
	nhg->paths[1] = nhg->paths[0];
	memset(nhg->bucket, 7, sizeof(nhg->bucket));
	h_nhg_put(h, 200, nhg);
	free(nhg);
	h_route4(h, "198.51.200.0/24", DP_RT_NHG, 200);
	pass_case(h, "ipv4 via a group with out-of-range buckets",
		  via_bad_buckets, DP_R_PASS_NO_NHG);

	/* Route types the datapath does not know: the kernel routes. */
	h_route4(h, "198.51.201.0/24", DP_RT_NONE, 0);
	pass_case(h, "ipv4 via a route of type NONE", via_type_none,
		  DP_R_PASS_NO_ROUTE);
	h_route4(h, "198.51.202.0/24", 9, 0);
	pass_case(h, "ipv4 via a route of unknown type", via_type_unknown,
		  DP_R_PASS_NO_ROUTE);

	/* Interface known but not enabled: counted in its own slot. */
	h_intf(h, H_IN_IFINDEX, tpkt_router_mac, DP_INTF_F_UP, 1500,
	       H_IN_STATS_IDX);
	pass_case(h, "routable ipv4 on a disabled interface", fwd4,
		  DP_R_PASS_DISABLED);

	/* Interface unknown: no interface counters to update. */
	h_intf_del(h, H_IN_IFINDEX);
	fwd4(&p);
	for (int i = 0; i < DP_HOOK_MAX; i++) {
		t_begin("%s: routable ipv4 on an interface missing in intf_map "
			"-> PASS_DISABLED",
			h_hook_name(hooks[i]));
		h_run(h, hooks[i], &p, &r);
		T_EQ(r.err, 0, "test_run error");
		T_EQ(r.verdict, h_verdict_pass(hooks[i]), "verdict");
		T_CHECK(r.counted == 1 && r.reason == DP_R_PASS_DISABLED,
			"counted %d, reason %s", r.counted,
			h_reason_name(r.reason));
		T_EQ(r.istats.rx_packets, 0, "interface rx_packets");
		T_CHECK(r.out_len == p.len && !memcmp(r.out, p.buf, p.len),
			"packet changed");
		t_end();
	}
}

void test_pass(struct harness *h)
{
	topo_setup(h);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		pass_case(h, cases[i].name, cases[i].build, cases[i].reason);
	test_pass_fib_incomplete(h);
	test_pass_tables(h);
}
