// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NAT: each mode's rewrite in both directions, IPv4 and IPv6, through
 * both hooks (TC for a flow's first packets, XDP once established), each
 * output compared byte for byte with the packet rebuilt and checksummed in
 * full: dnat, fullnat, dsr, source NAT of TCP, UDP (with and without a
 * UDP checksum) and ICMP echo, and ICMP errors about those flows (outer
 * destination and inner packet translated). Then the port claim: a tuple already
 * claimed is skipped, a range with no free port is counted and passed,
 * and CPUs creating flows at once never share a translated tuple.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "dp_test.h"
#include "expect.h"
#include "lbt.h"
#include "tests.h"
#include "topo.h"

/* A flow: client c:cport to target v:vport (a VIP or a server); its
 * packets reach b:bport from xs:(translated port); replies come back
 * from b:bport to xs and leave as v:vport -> c:cport. */
struct nat_case {
	const char *name;
	uint8_t proto;
	const char *c, *v, *b, *xs;
	uint16_t cport, vport, bport;
	int tag_out;	   /* path of the original direction */
	bool alloc_port;   /* the source port is claimed (fullnat, SNAT) */
	uint16_t port_min; /* ...from this range */
	uint16_t port_max;
	bool one_way; /* DSR: replies do not pass the LB */
	bool no_udp_csum;
};

/* The translated source port the flow's entry holds (host order). */
static uint16_t xlated_port(struct lbt *t, const struct nat_case *k)
{
	struct dp_ct_val v;
	uint16_t cport = k->cport;

	if (!lbt_ct_get(t, k->proto, k->c, cport, k->v,
			k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6
				? 0
				: k->vport,
			&v))
		return 0;
	return ntohs(v.nat_sport);
}

static void orig(struct lbt *t, const struct nat_case *k, enum dp_hook hook,
		 uint8_t flags, const char *what)
{
	bool icmp = k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6;
	struct h_result r;
	struct tpkt p;
	uint16_t xport;

	lbt_pkt(&p, k->proto, k->c, k->cport, k->v, icmp ? 0 : k->vport,
		flags);
	if (k->no_udp_csum) {
		memset(tpkt_l4(&p) + 6, 0, 2);
		tpkt_ipv4_fix_csum(&p);
	}
	t_begin("%s: %s %s", h_hook_name(hook), k->name, what);
	h_run(t->h, hook, &p, &r);
	xport = k->alloc_port ? xlated_port(t, k) : k->cport;
	if (k->alloc_port)
		T_CHECK(xport >= k->port_min && xport <= k->port_max,
			"translated port %u outside %u-%u", xport, k->port_min,
			k->port_max);
	lbt_expect_nat(&r, hook, &p, DP_R_FWD, k->tag_out, k->xs, xport, k->b,
		       icmp ? 0 : k->bport);
	t_end();
}

static void reply(struct lbt *t, const struct nat_case *k, enum dp_hook hook,
		  uint8_t flags, const char *what)
{
	bool icmp = k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6;
	uint16_t xport = k->alloc_port ? xlated_port(t, k) : k->cport;
	struct h_result r;
	struct tpkt p;

	/* an echo reply: the id in the destination port */
	lbt_pkt(&p, k->proto, k->b, icmp ? 0 : k->bport, k->xs, xport, flags);
	if (k->no_udp_csum) {
		memset(tpkt_l4(&p) + 6, 0, 2);
		tpkt_ipv4_fix_csum(&p);
	}
	t_begin("%s: %s %s", h_hook_name(hook), k->name, what);
	h_run(t->h, hook, &p, &r);
	lbt_expect_nat(&r, hook, &p, DP_R_FWD, LBT_TAG_CLIENT, k->v,
		       icmp ? 0 : k->vport, k->c, k->cport);
	t_end();
}

/*
 * A flow's packets, its first through `open`: XDP makes a VIP's flows
 * itself; TC makes them on interfaces without XDP, and makes every
 * source NAT flow (its rule depends on the out interface, known after
 * routing; XDP hands those over, see snat_hand_off()).
 */
static void run_case(struct lbt *t, const struct nat_case *k,
		     enum dp_hook open)
{
	if (k->proto == IPPROTO_TCP) {
		orig(t, k, open, LBT_SYN, "SYN");
		if (!k->one_way)
			reply(t, k, DP_HOOK_TC, LBT_SYN | LBT_ACK, "SYN+ACK");
		orig(t, k, DP_HOOK_TC, LBT_ACK, "ACK");
		orig(t, k, DP_HOOK_XDP, LBT_ACK, "data");
		if (!k->one_way)
			reply(t, k, DP_HOOK_XDP, LBT_ACK, "reply data");
		return;
	}
	orig(t, k, open, 0, "first packet");
	orig(t, k, DP_HOOK_XDP, 0, "second packet");
	if (k->one_way)
		return;
	reply(t, k, DP_HOOK_TC, 0, "first reply");
	reply(t, k, DP_HOOK_XDP, 0, "second reply");
}

/* XDP hands a packet opening a source NAT flow to TC, untouched. */
static void snat_hand_off(struct lbt *t, const struct nat_case *k)
{
	bool icmp = k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6;
	unsigned int before = lbt_ct_count(t);
	struct h_result r;
	struct tpkt p;

	lbt_pkt(&p, k->proto, k->c, k->cport, k->v, icmp ? 0 : k->vport,
		k->proto == IPPROTO_TCP ? LBT_SYN : 0);
	if (k->no_udp_csum) {
		memset(tpkt_l4(&p) + 6, 0, 2);
		tpkt_ipv4_fix_csum(&p);
	}
	t_begin("xdp: %s: first packet to TC, untouched", k->name);
	h_run(t->h, DP_HOOK_XDP, &p, &r);
	expect_pass(&r, DP_HOOK_XDP, &p, DP_R_PASS_CT_SLOW);
	T_EQ(lbt_ct_count(t), before, "conntrack entries");
	t_end();
}

/*
 * An ICMP error from a router on the far side about one of the flow's
 * packets as the LB sent it (xs:port -> b): translated for the client,
 * to c, its inner packet c -> v as the client sent it.
 */
static void icmp_error(struct lbt *t, const struct nat_case *k)
{
	bool icmp = k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6;
	const char *router = strchr(k->c, ':') ? "2001:db8:100::1"
					       : "198.51.100.1";
	uint16_t xport = k->alloc_port ? xlated_port(t, k) : k->cport;
	struct tpkt inner, p;
	struct h_result r;

	lbt_pkt(&inner, k->proto, k->xs, xport, k->b, icmp ? 0 : k->bport,
		LBT_ACK);
	lbt_icmp_error(&p, router, k->xs, &inner, false);
	t_begin("tc: %s: ICMP error about the flow, translated", k->name);
	h_run(t->h, DP_HOOK_TC, &p, &r);
	lbt_expect_icmp_error(&r, &p, &inner, false, LBT_TAG_CLIENT, k->c,
			      k->c, k->cport, k->v, icmp ? 0 : k->vport);
	t_end();
}

/* The LB's VIPs: one per family, mode and protocol, backend ids below. */
static void lb_setup(struct lbt *t)
{
	static const struct {
		uint32_t id;
		const char *addr;
	} be[] = {
		{1, "198.51.100.20"}, {2, "2001:db8:100::20"},
		{3, "203.0.113.9"},   {4, "2001:db8:1::9"},
		{5, "198.51.100.21"},
	};
	static const struct {
		const char *vip;
		uint8_t proto, mode;
		uint32_t backend;
	} vips[] = {
		{"198.18.0.1", IPPROTO_TCP, DP_LB_NAT_DNAT, 1},
		{"198.18.0.1", IPPROTO_UDP, DP_LB_NAT_DNAT, 1},
		{"2001:db8:18::1", IPPROTO_TCP, DP_LB_NAT_DNAT, 2},
		{"2001:db8:18::1", IPPROTO_UDP, DP_LB_NAT_DNAT, 2},
		{"198.18.0.2", IPPROTO_TCP, DP_LB_NAT_FULLNAT, 1},
		{"198.18.0.2", IPPROTO_UDP, DP_LB_NAT_FULLNAT, 1},
		{"2001:db8:18::2", IPPROTO_TCP, DP_LB_NAT_FULLNAT, 2},
		{"2001:db8:18::2", IPPROTO_UDP, DP_LB_NAT_FULLNAT, 2},
		{"198.18.0.3", IPPROTO_TCP, DP_LB_NAT_DSR, 3},
		{"198.18.0.3", IPPROTO_UDP, DP_LB_NAT_DSR, 3},
		{"2001:db8:18::3", IPPROTO_TCP, DP_LB_NAT_DSR, 4},
		{"198.18.0.4", IPPROTO_UDP, DP_LB_NAT_DSR, 5},
	};

	lbt_reset(t);
	for (size_t i = 0; i < sizeof(be) / sizeof(be[0]); i++)
		lbt_backend(t, be[i].id, be[i].addr, 8080, 1, true);
	for (size_t i = 0; i < sizeof(vips) / sizeof(vips[0]); i++)
		lbt_vip(t, i + 1, vips[i].vip, vips[i].proto, 80, DP_LB_ALG_HASH,
			vips[i].mode, i * 100, &vips[i].backend, 1, 7);
}

static const char *const pool4[] = {LBT_LB4};
static const char *const pool6[] = {LBT_LB6};

static void snat_setup(struct lbt *t)
{
	lbt_reset(t);
	lbt_nat_src(t, "10.0.0.0/8", LBT_OUT_IFINDEX, pool4, 1, 61000, 61099);
	lbt_nat_src(t, "2001:db8:ffff::/48", LBT_OUT_IFINDEX, pool6, 1, 61000,
		    61099);
}

static void test_modes(struct lbt *t)
{
	const char *c4 = LBT_CLIENT4, *c6 = LBT_CLIENT6;
	const struct nat_case lb[] = {
		{"ipv4 tcp dnat", IPPROTO_TCP, c4, "198.18.0.1",
		 "198.51.100.20", c4, 40000, 80, 8080, LBT_TAG_BACKEND},
		{"ipv4 udp dnat", IPPROTO_UDP, c4, "198.18.0.1",
		 "198.51.100.20", c4, 40000, 80, 8080, LBT_TAG_BACKEND},
		{"ipv4 udp dnat, no UDP checksum", IPPROTO_UDP, c4, "198.18.0.1",
		 "198.51.100.20", c4, 40001, 80, 8080, LBT_TAG_BACKEND,
		 .no_udp_csum = true},
		{"ipv6 tcp dnat", IPPROTO_TCP, c6, "2001:db8:18::1",
		 "2001:db8:100::20", c6, 40000, 80, 8080, LBT_TAG_BACKEND},
		{"ipv6 udp dnat", IPPROTO_UDP, c6, "2001:db8:18::1",
		 "2001:db8:100::20", c6, 40000, 80, 8080, LBT_TAG_BACKEND},
		{"ipv4 tcp fullnat", IPPROTO_TCP, c4, "198.18.0.2",
		 "198.51.100.20", LBT_LB4, 40000, 80, 8080, LBT_TAG_BACKEND,
		 true, 40000, 40999},
		{"ipv4 udp fullnat", IPPROTO_UDP, c4, "198.18.0.2",
		 "198.51.100.20", LBT_LB4, 40000, 80, 8080, LBT_TAG_BACKEND,
		 true, 40000, 40999},
		{"ipv4 udp fullnat, no UDP checksum", IPPROTO_UDP, c4,
		 "198.18.0.2", "198.51.100.20", LBT_LB4, 40002, 80, 8080,
		 LBT_TAG_BACKEND, true, 40000, 40999, .no_udp_csum = true},
		{"ipv6 tcp fullnat", IPPROTO_TCP, c6, "2001:db8:18::2",
		 "2001:db8:100::20", LBT_LB6, 40000, 80, 8080, LBT_TAG_BACKEND,
		 true, 40000, 40999},
		{"ipv6 udp fullnat", IPPROTO_UDP, c6, "2001:db8:18::2",
		 "2001:db8:100::20", LBT_LB6, 40000, 80, 8080, LBT_TAG_BACKEND,
		 true, 40000, 40999},
		/* DSR: addresses untouched, the backend's MAC (neighbour) */
		{"ipv4 tcp dsr", IPPROTO_TCP, c4, "198.18.0.3", "198.18.0.3",
		 c4, 40000, 80, 80, LBT_TAG_ONLINK, .one_way = true},
		{"ipv4 udp dsr", IPPROTO_UDP, c4, "198.18.0.3", "198.18.0.3",
		 c4, 40000, 80, 80, LBT_TAG_ONLINK, .one_way = true},
		{"ipv6 tcp dsr", IPPROTO_TCP, c6, "2001:db8:18::3",
		 "2001:db8:18::3", c6, 40000, 80, 80, LBT_TAG_ONLINK,
		 .one_way = true},
	};
	const struct nat_case snat[] = {
		{"ipv4 tcp source NAT", IPPROTO_TCP, c4, "198.51.100.50",
		 "198.51.100.50", LBT_LB4, 40000, 443, 443, LBT_TAG_BACKEND,
		 true, 61000, 61099},
		{"ipv4 udp source NAT", IPPROTO_UDP, c4, "198.51.100.50",
		 "198.51.100.50", LBT_LB4, 40000, 53, 53, LBT_TAG_BACKEND, true,
		 61000, 61099},
		{"ipv4 udp source NAT, no UDP checksum", IPPROTO_UDP, c4,
		 "198.51.100.50", "198.51.100.50", LBT_LB4, 40001, 53, 53,
		 LBT_TAG_BACKEND, true, 61000, 61099, .no_udp_csum = true},
		{"ipv4 icmp echo source NAT", IPPROTO_ICMP, c4, "198.51.100.50",
		 "198.51.100.50", LBT_LB4, 777, 0, 0, LBT_TAG_BACKEND, true,
		 61000, 61099},
		{"ipv6 tcp source NAT", IPPROTO_TCP, c6, "2001:db8:100::50",
		 "2001:db8:100::50", LBT_LB6, 40000, 443, 443, LBT_TAG_BACKEND,
		 true, 61000, 61099},
		{"ipv6 udp source NAT", IPPROTO_UDP, c6, "2001:db8:100::50",
		 "2001:db8:100::50", LBT_LB6, 40000, 53, 53, LBT_TAG_BACKEND,
		 true, 61000, 61099},
		{"ipv6 icmpv6 echo source NAT", IPPROTO_ICMPV6, c6,
		 "2001:db8:100::50", "2001:db8:100::50", LBT_LB6, 777, 0, 0,
		 LBT_TAG_BACKEND, true, 61000, 61099},
	};
	struct tpkt p;
	struct h_result r;

	lb_setup(t);
	for (size_t i = 0; i < sizeof(lb) / sizeof(lb[0]); i++)
		run_case(t, &lb[i], DP_HOOK_TC);
	for (size_t i = 0; i < sizeof(lb) / sizeof(lb[0]); i++) {
		struct nat_case at_xdp = lb[i];

		/* another client port: a flow of its own */
		at_xdp.cport += 1000;
		run_case(t, &at_xdp, DP_HOOK_XDP);
	}
	for (size_t i = 0; i < sizeof(lb) / sizeof(lb[0]); i++)
		if (lb[i].alloc_port && lb[i].proto == IPPROTO_TCP)
			icmp_error(t, &lb[i]); /* fullnat */

	/* DSR needs the backend on-link: one behind a gateway is refused */
	t_begin("tc: dsr to a backend behind a gateway -> PASS_LB_UNSUPPORTED");
	lbt_pkt(&p, IPPROTO_UDP, c4, 40000, "198.18.0.4", 80, 0);
	h_run(t->h, DP_HOOK_TC, &p, &r);
	expect_pass(&r, DP_HOOK_TC, &p, DP_R_PASS_LB_UNSUPPORTED);
	t_end();

	snat_setup(t);
	for (size_t i = 0; i < sizeof(snat) / sizeof(snat[0]); i++) {
		snat_hand_off(t, &snat[i]);
		run_case(t, &snat[i], DP_HOOK_TC);
	}
	for (size_t i = 0; i < sizeof(snat) / sizeof(snat[0]); i++)
		if (!snat[i].no_udp_csum)
			icmp_error(t, &snat[i]);

	t_begin("source NAT: a flow leaving another interface is untouched");
	lbt_pkt(&p, IPPROTO_UDP, c4, 40000, DST4_CONNECTED, 53, 0);
	lbt_nat_src(t, "10.0.0.0/8", 99, pool4, 1, 61000, 61099);
	h_run(t->h, DP_HOOK_TC, &p, &r);
	expect_fwd(&r, DP_HOOK_TC, &p, DP_R_FWD, TAG_NEIGH);
	t_end();
}

/* Another flow's claim on the first port: the next one is used; with no
 * port left the packet is counted and passed. */
/*
 * A DSR flow's entry holds its backend's address (nat_daddr), and its
 * packets go there, whatever the backend id's entry says later: a flow
 * keeps its backend, and its packets need no lookup of it.
 */
static void test_dsr_entry(struct lbt *t)
{
	const char *c4 = LBT_CLIENT4;
	struct dp_ct_val v;
	struct h_result r;
	struct tpkt p;
	uint32_t be[4];

	lb_setup(t);
	t_begin("xdp: dsr SYN: the entry holds the backend's address");
	lbt_pkt(&p, IPPROTO_TCP, c4, 41000, "198.18.0.3", 80, LBT_SYN);
	h_run(t->h, DP_HOOK_XDP, &p, &r);
	lbt_expect_nat(&r, DP_HOOK_XDP, &p, DP_R_FWD, LBT_TAG_ONLINK, c4, 41000,
		       "198.18.0.3", 80);
	lbt_addr_words("203.0.113.9", be);
	T_CHECK(lbt_ct_get(t, IPPROTO_TCP, c4, 41000, "198.18.0.3", 80, &v),
		"no conntrack entry");
	T_EQ(v.nat_daddr[0], be[0], "entry's backend address");
	T_EQ(ntohs(v.nat_dport), 80, "entry's port (untranslated)");
	t_end();

	/* the id now names an address behind a gateway, where DSR cannot
	 * send: the flow's packets still go to its own backend */
	lbt_backend(t, 3, "198.51.100.21", 8080, 9, true);
	for (int i = 0; i < 2; i++) {
		/* the ACK establishes (TC), data follows at XDP */
		enum dp_hook hook = i ? DP_HOOK_XDP : DP_HOOK_TC;

		t_begin("%s: dsr %s after its backend id changed -> its backend",
			h_hook_name(hook), i ? "data" : "ACK");
		lbt_pkt(&p, IPPROTO_TCP, c4, 41000, "198.18.0.3", 80, LBT_ACK);
		h_run(t->h, hook, &p, &r);
		lbt_expect_nat(&r, hook, &p, DP_R_FWD, LBT_TAG_ONLINK, c4,
			       41000, "198.18.0.3", 80);
		t_end();
	}
}

static void test_claim(struct lbt *t)
{
	const uint32_t id = 1;
	struct dp_ct_val foreign = {.state = DP_CT_UDP_NEW,
				    .flags = DP_CT_F_REPLY};
	struct dp_lb_vip v;
	struct dp_ct_key k;
	struct dp_ct_val o;
	struct h_result r;
	struct tpkt p;
	uint16_t first, second;

	lbt_reset(t);
	lbt_backend(t, 1, "198.51.100.20", 8080, 1, true);
	v = lbt_vip(t, 1, "198.18.0.2", IPPROTO_UDP, 80, DP_LB_ALG_HASH,
		    DP_LB_NAT_FULLNAT, 0, &id, 1, 7);
	v.fnat_port_min = 45000;
	v.fnat_port_max = 45001;
	lbt_vip_put(t, "198.18.0.2", IPPROTO_UDP, 80, &v);
	lbt_pkt(&p, IPPROTO_UDP, LBT_CLIENT4, 50000, "198.18.0.2", 80, 0);

	t_begin("fullnat claim: a flow takes a port of 45000-45001");
	h_run(t->h, DP_HOOK_TC, &p, &r);
	T_EQ(r.verdict, TC_ACT_REDIRECT_, "verdict");
	T_CHECK(lbt_ct_get(t, IPPROTO_UDP, LBT_CLIENT4, 50000, "198.18.0.2", 80,
			   &o),
		"no original entry");
	first = ntohs(o.nat_sport);
	T_CHECK(first == 45000 || first == 45001, "port %u", first);
	t_end();

	/* the same flow again, its first port held by another flow */
	lbt_reset(t);
	lbt_backend(t, 1, "198.51.100.20", 8080, 1, true);
	lbt_vip_put(t, "198.18.0.2", IPPROTO_UDP, 80, &v);
	lbt_ring(t, 0, &id, 1);
	lbt_ct_key(&k, IPPROTO_UDP, "198.51.100.20", 8080, LBT_LB4, first);
	inet_pton(AF_INET, "10.7.7.7", foreign.nat_daddr);
	lbt_ct_put(t, &k, &foreign);
	t_begin("fullnat claim: port %u held by another flow -> the other one",
		first);
	h_run(t->h, DP_HOOK_TC, &p, &r);
	T_EQ(r.verdict, TC_ACT_REDIRECT_, "verdict");
	lbt_ct_get(t, IPPROTO_UDP, LBT_CLIENT4, 50000, "198.18.0.2", 80, &o);
	second = ntohs(o.nat_sport);
	T_CHECK(second != first && (second == 45000 || second == 45001),
		"port %u after %u was claimed", second, first);
	T_CHECK(lbt_ct_get(t, IPPROTO_UDP, "198.51.100.20", 8080, LBT_LB4,
			   first, &o) &&
			o.nat_daddr[0] == foreign.nat_daddr[0],
		"the other flow's claim was overwritten");
	t_end();

	/* both ports held: counted, passed, nothing left behind */
	lbt_reset(t);
	lbt_backend(t, 1, "198.51.100.20", 8080, 1, true);
	lbt_vip_put(t, "198.18.0.2", IPPROTO_UDP, 80, &v);
	lbt_ring(t, 0, &id, 1);
	for (uint16_t port = 45000; port <= 45001; port++) {
		lbt_ct_key(&k, IPPROTO_UDP, "198.51.100.20", 8080, LBT_LB4,
			   port);
		lbt_ct_put(t, &k, &foreign);
	}
	t_begin("fullnat claim: every port held -> PASS_NAT_PORTS");
	h_run(t->h, DP_HOOK_TC, &p, &r);
	expect_pass(&r, DP_HOOK_TC, &p, DP_R_PASS_NAT_PORTS);
	T_EQ(lbt_ct_count(t), 2, "conntrack entries (the two claims)");
	t_end();
}

/*
 * Two threads create source NAT flows at once from a range smaller than
 * twice their flows: every flow gets its own translated tuple. (Each
 * test run is one CPU's; the claims race in the map.)
 */
#define RACE_FLOWS 150
#define RACE_THREADS 2

struct race_arg {
	struct lbt *t;
	int first;
	int forwarded;
};

static void *race_thread(void *p)
{
	struct race_arg *a = p;
	struct h_result r;
	struct tpkt pkt;
	char src[32];

	for (int i = 0; i < RACE_FLOWS; i++) {
		snprintf(src, sizeof(src), "10.4.%d.%d", (a->first + i) / 250,
			 (a->first + i) % 250 + 1);
		lbt_pkt(&pkt, IPPROTO_UDP, src, 5000, "198.51.100.50", 53, 0);
		h_run_tc_only(a->t->h, &pkt, &r);
		a->forwarded += r.verdict == TC_ACT_REDIRECT_;
	}
	return NULL;
}

static void test_claim_race(struct lbt *t)
{
	static uint8_t used[65536];
	struct race_arg a[RACE_THREADS];
	pthread_t th[RACE_THREADS];
	int forwarded = 0, dup = 0, missing = 0;
	char src[32];

	lbt_reset(t);
	lbt_nat_src(t, "10.0.0.0/8", LBT_OUT_IFINDEX, pool4, 1, 62000, 62399);
	for (int i = 0; i < RACE_THREADS; i++) {
		a[i] = (struct race_arg){t, i * RACE_FLOWS, 0};
		pthread_create(&th[i], NULL, race_thread, &a[i]);
	}
	for (int i = 0; i < RACE_THREADS; i++) {
		pthread_join(th[i], NULL);
		forwarded += a[i].forwarded;
	}
	memset(used, 0, sizeof(used));
	for (int i = 0; i < RACE_THREADS * RACE_FLOWS; i++) {
		struct dp_ct_val o, rv;
		uint16_t port;

		snprintf(src, sizeof(src), "10.4.%d.%d", i / 250, i % 250 + 1);
		if (!lbt_ct_get(t, IPPROTO_UDP, src, 5000, "198.51.100.50", 53,
				&o)) {
			missing++;
			continue;
		}
		port = ntohs(o.nat_sport);
		dup += used[port]++ > 0;
		missing += !lbt_ct_get(t, IPPROTO_UDP, "198.51.100.50", 53,
				       LBT_LB4, port, &rv);
	}
	t_begin("source NAT: %d flows created by %d threads at once, each "
		"its own port",
		RACE_THREADS * RACE_FLOWS, RACE_THREADS);
	T_EQ(forwarded, RACE_THREADS * RACE_FLOWS, "flows forwarded");
	T_EQ(missing, 0, "flows without both entries");
	T_EQ(dup, 0, "translated tuples given twice");
	T_EQ(lbt_ct_count(t), 2 * RACE_THREADS * RACE_FLOWS,
	     "conntrack entries");
	t_end();
}

void test_nat(struct harness *h)
{
	struct lbt t;

	lbt_open(&t, h);
	test_modes(&t);
	test_dsr_entry(&t);
	test_claim(&t);
	test_claim_race(&t);
	lbt_close(&t);
}
