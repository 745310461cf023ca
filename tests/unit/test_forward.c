// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Forwarding: what each hook does with routable packets, byte for byte,
 * and the per-interface counters.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "dp_test.h"
#include "expect.h"
#include "tests.h"
#include "topo.h"

/* Forwarded by both hooks through a resolved path with MACs of `tag`. */
static void fwd_both(struct harness *h, const char *what, const struct tpkt *p,
		     int tag)
{
	struct h_result r;

	for (int i = 0; i < DP_HOOK_MAX; i++) {
		t_begin("%s: %s", h_hook_name(hooks[i]), what);
		h_run(h, hooks[i], p, &r);
		expect_fwd(&r, hooks[i], p, DP_R_FWD, tag);
		t_end();
	}
}

/*
 * Next hop not resolved: XDP hands the packet to the kernel, TC sends it
 * through the kernel's neighbour table (TTL decremented, MACs left for
 * the neighbour code to write).
 */
static void fwd_neigh(struct harness *h, const char *what, const struct tpkt *p)
{
	struct h_result r;

	t_begin("xdp: %s -> PASS_NO_NEIGH", what);
	h_run(h, DP_HOOK_XDP, p, &r);
	expect_pass(&r, DP_HOOK_XDP, p, DP_R_PASS_NO_NEIGH);
	t_end();

	t_begin("tc: %s -> bpf_redirect_neigh", what);
	h_run(h, DP_HOOK_TC, p, &r);
	expect_fwd(&r, DP_HOOK_TC, p, DP_R_FWD_NEIGH, -1);
	t_end();
}

static void pass_both(struct harness *h, const char *what, const struct tpkt *p,
		      enum dp_reason reason)
{
	struct h_result r;

	for (int i = 0; i < DP_HOOK_MAX; i++) {
		t_begin("%s: %s -> %s", h_hook_name(hooks[i]), what,
			h_reason_name(reason));
		h_run(h, hooks[i], p, &r);
		expect_pass(&r, hooks[i], p, reason);
		t_end();
	}
}

static void test_resolved(struct harness *h)
{
	struct tpkt p;

	tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_TCP, 40000, 443, 100);
	fwd_both(h, "ipv4 tcp via resolved gateway", &p, TAG_NHG100);
	tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_UDP, 40000, 53, 30);
	fwd_both(h, "ipv4 udp via resolved gateway", &p, TAG_NHG100);
	tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_ICMP, 0, 0, 56);
	fwd_both(h, "ipv4 icmp via resolved gateway", &p, TAG_NHG100);
	tpkt_ipv6(&p, SRC6, DST6_FWD, IPPROTO_TCP, 40000, 443, 100);
	fwd_both(h, "ipv6 tcp via resolved gateway", &p, TAG_NHG100);
	tpkt_ipv6(&p, SRC6, DST6_FWD, IPPROTO_ICMPV6, 0, 0, 56);
	fwd_both(h, "ipv6 icmpv6 echo via resolved gateway", &p, TAG_NHG100);

	tpkt_ipv4(&p, SRC4, DST4_CONNECTED, IPPROTO_TCP, 40000, 22, 10);
	fwd_both(h, "ipv4 to a resolved neighbour on a connected subnet", &p,
		 TAG_NEIGH);
	tpkt_ipv6(&p, SRC6, DST6_CONNECTED, IPPROTO_TCP, 40000, 22, 10);
	fwd_both(h, "ipv6 to a resolved neighbour on a connected subnet", &p,
		 TAG_NEIGH);

	tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_TCP, 1, 2, 0);
	tpkt_ip4(&p)->ttl = 2;
	tpkt_ipv4_fix_csum(&p);
	fwd_both(h, "ipv4 with TTL 2 (leaves with 1)", &p, TAG_NHG100);
	tpkt_ipv6(&p, SRC6, DST6_FWD, IPPROTO_UDP, 1, 2, 0);
	tpkt_ip6(&p)->hop_limit = 2;
	fwd_both(h, "ipv6 with hop limit 2", &p, TAG_NHG100);

	/* Fragments are routed too; they are hashed on addresses only. */
	tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_UDP, 1, 2, 64);
	tpkt_ip4(&p)->frag_off = htons(0x2000); /* MF, offset 0 */
	tpkt_ipv4_fix_csum(&p);
	fwd_both(h, "ipv4 first fragment", &p, TAG_NHG100);
	tpkt_ip4(&p)->frag_off = htons(185); /* last fragment */
	tpkt_ipv4_fix_csum(&p);
	fwd_both(h, "ipv4 last fragment", &p, TAG_NHG100);

	/* Extension headers other than hop-by-hop are the kernel's business
	 * as little as ours: forward. */
	tpkt_ipv6(&p, SRC6, DST6_FWD, IPPROTO_TCP, 1, 2, 20);
	tpkt_ipv6_ext(&p, 60 /* destination options */);
	fwd_both(h, "ipv6 with a destination options header", &p, TAG_NHG100);
}

static void test_unresolved(struct harness *h)
{
	struct tpkt p;

	tpkt_ipv4(&p, SRC4, DST4_UNRESOLVED, IPPROTO_TCP, 40000, 80, 100);
	fwd_neigh(h, "ipv4 via unresolved gateway", &p);
	tpkt_ipv4(&p, SRC4, DST4_ONLINK, IPPROTO_TCP, 40000, 80, 100);
	fwd_neigh(h, "ipv4 via unresolved on-link path", &p);
	tpkt_ipv4(&p, SRC4, DST4_CONN_NO_NEIGH, IPPROTO_UDP, 1, 2, 10);
	fwd_neigh(h, "ipv4 to an unresolved connected neighbour", &p);
	tpkt_ipv6(&p, SRC6, DST6_UNRESOLVED, IPPROTO_TCP, 1, 2, 10);
	fwd_neigh(h, "ipv6 via unresolved IPv6 gateway", &p);
	tpkt_ipv6(&p, SRC6, DST6_CONN_NO_NEIGH, IPPROTO_UDP, 1, 2, 10);
	fwd_neigh(h, "ipv6 to an unresolved connected neighbour", &p);

	/* Out interface unknown: TC cannot check the MTU, the kernel routes. */
	tpkt_ipv4(&p, SRC4, DST4_CONN_UNKNOWN, IPPROTO_UDP, 1, 2, 10);
	pass_both(h, "ipv4 connected via an interface missing in intf_map", &p,
		  DP_R_PASS_NO_NEIGH);
}

static void test_mtu(struct harness *h)
{
	struct tpkt p;
	struct h_result r;

	/* The limit is the L3 length, inclusive. */
	tpkt_ipv4(&p, SRC4, DST4_SMALL_MTU, IPPROTO_UDP, 1, 2,
		  TOPO_SMALL_MTU - 28);
	fwd_both(h, "ipv4 of exactly the path MTU", &p, TAG_NHG104);
	tpkt_ipv4(&p, SRC4, DST4_SMALL_MTU, IPPROTO_UDP, 1, 2,
		  TOPO_SMALL_MTU - 27);
	pass_both(h, "ipv4 one byte over the path MTU", &p, DP_R_PASS_MTU);
	tpkt_ipv6(&p, SRC6, DST6_SMALL_MTU, IPPROTO_UDP, 1, 2,
		  TOPO_SMALL_MTU - 48);
	fwd_both(h, "ipv6 of exactly the path MTU", &p, TAG_NHG104);
	tpkt_ipv6(&p, SRC6, DST6_SMALL_MTU, IPPROTO_UDP, 1, 2,
		  TOPO_SMALL_MTU - 47);
	pass_both(h, "ipv6 one byte over the path MTU", &p, DP_R_PASS_MTU);

	/* Too big for an unresolved path: TC must not redirect_neigh it. */
	tpkt_ipv4(&p, SRC4, DST4_UNRESOLVED, IPPROTO_UDP, 1, 2,
		  TOPO_OUT_MTU - 27);
	t_begin("tc: ipv4 over the MTU of an unresolved path -> PASS_MTU");
	h_run(h, DP_HOOK_TC, &p, &r);
	expect_pass(&r, DP_HOOK_TC, &p, DP_R_PASS_MTU);
	t_end();

	/*
	 * A GSO aggregate (GRO, or TSO across a veth) is larger than the MTU
	 * as a whole; what must fit is each segment: headers + gso_size.
	 */
	tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_TCP, 40000, 5201, 2960);
	t_begin("tc: ipv4 tcp GSO packet whose segments fit the MTU");
	h_run_gso(h, DP_HOOK_TC, &p, TOPO_OUT_MTU - 40, &r);
	expect_fwd(&r, DP_HOOK_TC, &p, DP_R_FWD, TAG_NHG100);
	t_end();
	t_begin("tc: ipv4 tcp GSO packet whose segments exceed the MTU");
	h_run_gso(h, DP_HOOK_TC, &p, TOPO_OUT_MTU - 39, &r);
	expect_pass(&r, DP_HOOK_TC, &p, DP_R_PASS_MTU);
	t_end();
	t_begin("xdp: the same 3000-byte packet (no GSO at XDP) -> PASS_MTU");
	h_run(h, DP_HOOK_XDP, &p, &r);
	expect_pass(&r, DP_HOOK_XDP, &p, DP_R_PASS_MTU);
	t_end();
	tpkt_ipv6(&p, SRC6, DST6_FWD, IPPROTO_TCP, 40000, 5201, 2940);
	t_begin("tc: ipv6 tcp GSO packet whose segments fit the MTU");
	h_run_gso(h, DP_HOOK_TC, &p, TOPO_OUT_MTU - 60, &r);
	expect_fwd(&r, DP_HOOK_TC, &p, DP_R_FWD, TAG_NHG100);
	t_end();
	t_begin("tc: ipv6 tcp GSO packet whose segments exceed the MTU");
	h_run_gso(h, DP_HOOK_TC, &p, TOPO_OUT_MTU - 59, &r);
	expect_pass(&r, DP_HOOK_TC, &p, DP_R_PASS_MTU);
	t_end();
}

/* The per-interface counters add up over a mix of verdicts. */
static void test_intf_counters(struct harness *h)
{
	struct tpkt fwd, pass;
	struct h_result r;
	uint64_t rx = 0, fwd_n = 0, pass_n = 0;

	tpkt_ipv4(&fwd, SRC4, DST4_FWD, IPPROTO_TCP, 1, 2, 0);
	tpkt_ipv4(&pass, SRC4, DST4_LOCAL, IPPROTO_TCP, 1, 2, 0);
	t_begin("both: interface counters over 10 forwarded + 5 passed");
	for (int i = 0; i < 15; i++) {
		for (int k = 0; k < DP_HOOK_MAX; k++) {
			h_run(h, hooks[k], i < 10 ? &fwd : &pass, &r);
			rx += r.istats.rx_packets;
			fwd_n += r.istats.fwd_packets;
			pass_n += r.istats.pass_packets;
		}
	}
	T_EQ(rx, 30, "rx_packets");
	T_EQ(fwd_n, 20, "fwd_packets");
	T_EQ(pass_n, 10, "pass_packets");
	t_end();
}

void test_forward(struct harness *h)
{
	topo_setup(h);
	test_resolved(h);
	test_unresolved(h);
	test_mtu(h);
	test_intf_counters(h);
}
