// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The load balancer: how each algorithm spreads new flows over the ring
 * the tests write (the real Maglev builder is the plugin's: its output is
 * just backend ids in the ring), health changes acting on new flows only,
 * established flows keeping their backend whatever the ring becomes, and
 * what goes to the kernel, counted: a VIP with no healthy backend, a full
 * conntrack table, packets to a VIP the LB cannot place. Nothing of that
 * may crash, drop or half-rewrite a packet.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <netinet/in.h>

#include "dp_test.h"
#include "expect.h"
#include "lbt.h"
#include "tests.h"
#include "topo.h"

#define C4 LBT_CLIENT4
#define V4 LBT_VIP4
#define NB 4 /* backends 1..NB at 198.51.100.(10 + id):8080 */

static const char *be_addr(uint32_t id)
{
	static char buf[4][32];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "198.51.100.%u", 10 + id);
	return buf[k];
}

/* Which backend a forwarded packet went to (its new destination). */
static uint32_t out_backend(const struct h_result *r)
{
	uint32_t daddr;

	if (r->out_len < ETH_HLEN + 20)
		return 0;
	memcpy(&daddr, r->out + ETH_HLEN + 16, 4);
	return (ntohl(daddr) & 0xff) - 10;
}

/* A TCP packet client:sport -> VIP through a hook: the backend it was
 * sent to (0: not forwarded). */
static uint32_t flow_packet(struct lbt *t, enum dp_hook hook,
			    const char *client, uint16_t sport, uint8_t flags)
{
	struct h_result r;
	struct tpkt p;

	lbt_pkt(&p, IPPROTO_TCP, client, sport, V4, 80, flags);
	h_run(t->h, hook, &p, &r);
	if (r.err || r.verdict != h_verdict_fwd(hook))
		return 0;
	return out_backend(&r);
}

/*
 * A new flow's SYN. XDP makes new flows where it can send them, TC on
 * interfaces without XDP: the hook alternates with the port, so every
 * algorithm is checked at both.
 */
static uint32_t new_flow(struct lbt *t, const char *client, uint16_t sport)
{
	return flow_packet(t, sport % 2 ? DP_HOOK_TC : DP_HOOK_XDP, client,
			   sport, LBT_SYN);
}

/* A packet of an established flow (XDP serves those). */
static uint32_t est_packet(struct lbt *t, const char *client, uint16_t sport)
{
	return flow_packet(t, DP_HOOK_XDP, client, sport, LBT_ACK);
}

/* Make client:sport's flow established (SYN went through TC already). */
static void establish(struct lbt *t, const char *client, uint16_t sport,
		      uint32_t backend)
{
	struct h_result r;
	struct tpkt p;

	lbt_pkt(&p, IPPROTO_TCP, be_addr(backend), 8080, client, sport,
		LBT_SYN | LBT_ACK);
	h_run(t->h, DP_HOOK_TC, &p, &r);
	lbt_pkt(&p, IPPROTO_TCP, client, sport, V4, 80, LBT_ACK);
	h_run(t->h, DP_HOOK_TC, &p, &r);
}

static void setup(struct lbt *t, uint8_t alg, unsigned int copies)
{
	uint32_t ids[NB];

	lbt_reset(t);
	for (uint32_t i = 0; i < NB; i++) {
		ids[i] = i + 1;
		lbt_backend(t, i + 1, be_addr(i + 1), 8080, 1, true);
	}
	lbt_vip(t, 1, V4, IPPROTO_TCP, 80, alg, DP_LB_NAT_DNAT, 0, ids, NB,
		copies);
}

/* Per-CPU round-robin positions: keep the test on one CPU. */
static void pin_cpu0(cpu_set_t *old)
{
	cpu_set_t one;

	sched_getaffinity(0, sizeof(*old), old);
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

static void test_rr(struct lbt *t)
{
	unsigned int count[NB + 1] = {0};
	cpu_set_t old;

	setup(t, DP_LB_ALG_RR, 25);
	pin_cpu0(&old);
	t_begin("round-robin: 400 new flows over 4 backends, 100 each");
	for (uint16_t i = 0; i < 400; i++)
		count[new_flow(t, C4, 20000 + i)]++;
	for (int b = 1; b <= NB; b++)
		T_EQ(count[b], 100, "flows of a backend");
	T_EQ(count[0], 0, "flows not forwarded");
	t_end();

	/* A backend down: its turns go to the next slot's backend, and
	 * the walk moves past what it probed, so the rest stay even. */
	lbt_backend_up(t, 2, false);
	memset(count, 0, sizeof(count));
	t_begin("round-robin, backend 2 down: 300 flows, 100 each to 1, 3, 4");
	for (uint16_t i = 0; i < 300; i++)
		count[new_flow(t, C4, 21000 + i)]++;
	T_EQ(count[2], 0, "flows to the backend that is down");
	T_CHECK(count[1] >= 99 && count[1] <= 101 && count[3] >= 99 &&
			count[3] <= 101 && count[4] >= 99 && count[4] <= 101,
		"spread %u/%u/%u", count[1], count[3], count[4]);
	t_end();
	sched_setaffinity(0, sizeof(old), &old);
}

static void test_wrr(struct lbt *t)
{
	/* weights 3:1 as the plugin would interleave them */
	const uint32_t ring[] = {1, 2, 1, 1};
	unsigned int count[NB + 1] = {0};
	struct dp_lb_vip v;
	cpu_set_t old;

	setup(t, DP_LB_ALG_WRR, 1);
	v = lbt_vip(t, 1, V4, IPPROTO_TCP, 80, DP_LB_ALG_WRR, DP_LB_NAT_DNAT,
		    0, ring, 4, 1);
	(void)v;
	pin_cpu0(&old);
	t_begin("weighted round-robin 3:1: 400 new flows, 300 and 100");
	for (uint16_t i = 0; i < 400; i++)
		count[new_flow(t, C4, 22000 + i)]++;
	T_EQ(count[1], 300, "flows of the weight-3 backend");
	T_EQ(count[2], 100, "flows of the weight-1 backend");
	t_end();
	sched_setaffinity(0, sizeof(old), &old);
}

static void test_least_conn(struct lbt *t)
{
	setup(t, DP_LB_ALG_LEAST_CONN, 1);
	lbt_set_conns(t, 1, 5);
	lbt_set_conns(t, 2, 2);
	lbt_set_conns(t, 3, 7);
	lbt_set_conns(t, 4, 3);
	t_begin("least-connections: 5/2/7/3 active -> backend 2, then 2 or 4");
	T_EQ(new_flow(t, C4, 23000), 2, "first new flow");
	T_EQ(lbt_conns(t, 2), 3, "backend 2's active connections");
	/* 5/3/7/3: a tie between 2 and 4, the list order decides */
	T_EQ(new_flow(t, C4, 23001), 2, "second new flow");
	T_EQ(new_flow(t, C4, 23002), 4, "third new flow (2 now has 4)");
	t_end();

	lbt_backend_up(t, 2, false);
	lbt_backend_up(t, 4, false);
	t_begin("least-connections skips backends that are down");
	T_EQ(new_flow(t, C4, 23003), 1, "new flow with 2 and 4 down");
	t_end();
}

static void test_hash(struct lbt *t, uint8_t alg, const char *name)
{
	unsigned int count[NB + 1] = {0}, spread = 0;
	uint32_t first, b;
	char client[32];

	setup(t, alg, 251);
	t_begin("%s: a flow's backend depends on the flow only", name);
	first = new_flow(t, C4, 24000);
	T_CHECK(first >= 1 && first <= NB, "backend %u", first);
	lbt_reset(t); /* forget the flow, same configuration */
	setup(t, alg, 251);
	T_EQ(new_flow(t, C4, 24000), first, "the same flow, again");
	t_end();

	t_begin("%s: 200 clients spread over the 4 backends", name);
	for (int i = 0; i < 200; i++) {
		snprintf(client, sizeof(client), "10.1.%d.%d", i / 100,
			 i % 100 + 1);
		count[new_flow(t, client, 25000)]++;
	}
	for (b = 1; b <= NB; b++)
		spread += count[b] >= 25;
	T_EQ(spread, NB, "backends with at least 25 of 200 clients");
	t_end();

	if (alg != DP_LB_ALG_SOURCE_HASH)
		return;
	t_begin("%s: one client's flows (any source port) to one backend",
		name);
	first = new_flow(t, "10.2.0.1", 26000);
	for (uint16_t i = 1; i < 50; i++)
		T_EQ(new_flow(t, "10.2.0.1", 26000 + i), first,
		     "backend of another port's flow");
	t_end();
}

/* Down: avoided by new flows at once; others' flows untouched. */
static void test_health(struct lbt *t)
{
	uint32_t be[64];
	unsigned int to3 = 0;

	setup(t, DP_LB_ALG_MAGLEV, 251);
	for (uint16_t i = 0; i < 64; i++) {
		be[i] = new_flow(t, C4, 27000 + i);
		establish(t, C4, 27000 + i, be[i]);
	}
	lbt_backend_up(t, 3, false);

	t_begin("backend 3 down: 200 new flows avoid it");
	for (uint16_t i = 0; i < 200; i++)
		to3 += new_flow(t, C4, 28000 + i) == 3;
	T_EQ(to3, 0, "new flows to the backend that is down");
	t_end();

	t_begin("backend 3 down: established flows keep their backends");
	for (uint16_t i = 0; i < 64; i++)
		T_EQ(est_packet(t, C4, 27000 + i), be[i],
		     "backend of an established flow (XDP)");
	t_end();
}

/* The ring is rebuilt with other backends: established flows stay. */
static void test_ring_change(struct lbt *t)
{
	const uint32_t only4[] = {4};
	uint32_t be[32];

	setup(t, DP_LB_ALG_MAGLEV, 251);
	for (uint16_t i = 0; i < 32; i++) {
		be[i] = new_flow(t, C4, 29000 + i);
		establish(t, C4, 29000 + i, be[i]);
	}
	/* a new ring in a free range, then the VIP switched to it */
	lbt_vip(t, 1, V4, IPPROTO_TCP, 80, DP_LB_ALG_MAGLEV, DP_LB_NAT_DNAT,
		1000, only4, 1, 7);
	t_begin("ring rebuilt with backend 4 only: established flows stay");
	for (uint16_t i = 0; i < 32; i++)
		T_EQ(est_packet(t, C4, 29000 + i), be[i],
		     "backend of an established flow");
	T_EQ(new_flow(t, C4, 29100), 4, "backend of a new flow");
	t_end();
}

static void test_persist(struct lbt *t)
{
	struct dp_lb_vip v;
	uint32_t ids[NB] = {1, 2, 3, 4}, first;
	cpu_set_t old;

	setup(t, DP_LB_ALG_RR, 1);
	v = lbt_vip(t, 1, V4, IPPROTO_TCP, 80, DP_LB_ALG_RR, DP_LB_NAT_DNAT,
		    0, ids, NB, 1);
	v.flags |= DP_LB_VIP_F_PERSIST;
	v.persist_timeout = 300;
	lbt_vip_put(t, V4, IPPROTO_TCP, 80, &v);
	pin_cpu0(&old);
	t_begin("source persistence: round-robin, one client keeps a backend");
	first = new_flow(t, "10.3.0.1", 30000);
	for (uint16_t i = 1; i < 8; i++)
		T_EQ(new_flow(t, "10.3.0.1", 30000 + i), first,
		     "backend of the client's next flow");
	T_CHECK(new_flow(t, "10.3.0.2", 30000) != first,
		"another client takes the next backend");
	t_end();
	lbt_backend_up(t, first, false);
	t_begin("source persistence: a backend that is down is not kept");
	T_CHECK(new_flow(t, "10.3.0.1", 30100) != first,
		"backend after it went down");
	t_end();
	sched_setaffinity(0, sizeof(old), &old);
}

/* A packet the kernel must get: passed unchanged, counted, no entry. */
static void pass_tc(struct lbt *t, const char *what, const struct tpkt *p,
		    enum dp_reason reason)
{
	struct h_result r;
	unsigned int before = lbt_ct_count(t);

	t_begin("tc: %s -> %s", what, h_reason_name(reason));
	h_run(t->h, DP_HOOK_TC, p, &r);
	expect_pass(&r, DP_HOOK_TC, p, reason);
	T_EQ(lbt_ct_count(t), before, "conntrack entries");
	t_end();
}

static void pass_xdp(struct lbt *t, const char *what, const struct tpkt *p,
		     enum dp_reason reason)
{
	struct h_result r;

	unsigned int before = lbt_ct_count(t);

	t_begin("xdp: %s -> %s", what, h_reason_name(reason));
	h_run(t->h, DP_HOOK_XDP, p, &r);
	expect_pass(&r, DP_HOOK_XDP, p, reason);
	T_EQ(lbt_ct_count(t), before, "conntrack entries");
	t_end();
}

static void test_no_backend(struct lbt *t)
{
	struct tpkt p;

	setup(t, DP_LB_ALG_MAGLEV, 251);
	for (uint32_t i = 1; i <= NB; i++)
		lbt_backend_up(t, i, false);
	lbt_pkt(&p, IPPROTO_TCP, C4, 31000, V4, 80, LBT_SYN);
	pass_xdp(t, "SYN to a VIP whose backends are all down", &p,
		 DP_R_PASS_LB_NO_BACKEND);
	pass_tc(t, "SYN to a VIP whose backends are all down", &p,
		DP_R_PASS_LB_NO_BACKEND);
	lbt_pkt(&p, IPPROTO_TCP, C4, 31000, V4, 80, LBT_RST);
	lbt_backend_up(t, 1, true);
	pass_tc(t, "RST for no flow", &p, DP_R_PASS_CT_INVALID);
}

/*
 * A new flow XDP cannot send itself (its backend's next hop is not
 * resolved): XDP makes the flow and hands the packet to TC, untouched;
 * TC finds the flow made and sends the packet through the kernel's
 * neighbour table, rewritten. One flow: two entries, one connection.
 */
static void test_new_flow_via_tc(struct lbt *t)
{
	const uint32_t id = 1;
	struct h_result r;
	struct tpkt p;

	lbt_reset(t);
	lbt_backend(t, id, DST4_UNRESOLVED, 8080, 1, true);
	lbt_vip(t, 1, V4, IPPROTO_TCP, 80, DP_LB_ALG_MAGLEV, DP_LB_NAT_DNAT, 0,
		&id, 1, 7);
	lbt_pkt(&p, IPPROTO_TCP, C4, 33000, V4, 80, LBT_SYN);
	t_begin("xdp: SYN to a backend behind an unresolved next hop: flow "
		"made, packet to TC untouched");
	h_run(t->h, DP_HOOK_XDP, &p, &r);
	expect_pass(&r, DP_HOOK_XDP, &p, DP_R_PASS_CT_SLOW);
	T_EQ(lbt_ct_count(t), 2, "conntrack entries");
	T_EQ(lbt_conns(t, id), 1, "active connections");
	t_end();
	t_begin("tc: the same SYN finds its flow, rewritten, to the kernel's "
		"neighbour table");
	h_run(t->h, DP_HOOK_TC, &p, &r);
	lbt_expect_nat(&r, DP_HOOK_TC, &p, DP_R_FWD_NEIGH, -1, C4, 33000,
		       DST4_UNRESOLVED, 8080);
	T_EQ(lbt_ct_count(t), 2, "conntrack entries");
	T_EQ(lbt_conns(t, id), 1, "active connections");
	t_end();
}

/*
 * Full: every entry of a family's table in use; a new flow's insert
 * fails, counted, passed; the other family's table takes flows still.
 * ct6_map allocates per entry: full at its capacity all the same.
 */
static void test_ct_full(struct lbt *t)
{
	struct dp_ct_val v = {.state = DP_CT_TCP_ESTABLISHED};
	const uint32_t id6 = NB + 1;
	struct h_result r;
	struct dp_ct_key k;
	struct tpkt p;
	char src[64];

	for (int fam = 0; fam < 2; fam++) {
		const char *name = fam ? "ct6_map" : "ct4_map";

		setup(t, DP_LB_ALG_MAGLEV, 251);
		lbt_backend(t, id6, "2001:db8:100::11", 8080, 2, true);
		lbt_vip(t, 2, LBT_VIP6, IPPROTO_TCP, 80, DP_LB_ALG_MAGLEV,
			DP_LB_NAT_DNAT, 0, &id6, 1, 7);
		for (int i = 0; i < LBT_CT_MAX; i++) {
			if (fam)
				snprintf(src, sizeof(src), "2001:db8:9::%x",
					 i + 1);
			else
				snprintf(src, sizeof(src), "10.9.%d.%d",
					 i / 250, i % 250 + 1);
			lbt_ct_key(&k, IPPROTO_UDP, src, 1,
				   fam ? "2001:db8:99::1" : "198.51.100.99", 2);
			lbt_ct_put(t, &k, &v);
		}
		lbt_pkt(&p, IPPROTO_TCP, fam ? LBT_CLIENT6 : C4, 32000,
			fam ? LBT_VIP6 : V4, 80, LBT_SYN);
		pass_xdp(t, fam ? "SYN to an IPv6 VIP with ct6_map full"
				: "SYN to a VIP with ct4_map full",
			 &p, DP_R_PASS_CT_FULL);
		pass_tc(t, fam ? "SYN to an IPv6 VIP with ct6_map full"
			       : "SYN to a VIP with ct4_map full",
			&p, DP_R_PASS_CT_FULL);
		t_begin("%s full: the backends' active connections unchanged",
			name);
		for (uint32_t i = 1; i <= id6; i++)
			T_EQ(lbt_conns(t, i), 0, "active connections");
		t_end();

		/* the other family's VIP makes its flow */
		lbt_pkt(&p, IPPROTO_TCP, fam ? C4 : LBT_CLIENT6, 32000,
			fam ? V4 : LBT_VIP6, 80, LBT_SYN);
		t_begin("xdp: %s full: a SYN to the %s VIP makes its flow",
			name, fam ? "IPv4" : "IPv6");
		h_run(t->h, DP_HOOK_XDP, &p, &r);
		T_EQ(r.verdict, XDP_REDIRECT, "verdict");
		T_EQ(r.reason, DP_R_FWD, "counted as");
		T_EQ(lbt_ct_count(t), LBT_CT_MAX + 2, "conntrack entries");
		t_end();
	}
}

/* What the LB cannot place goes to the kernel untouched. */
static void test_malformed_vip(struct lbt *t)
{
	uint32_t ids[1] = {1};
	struct tpkt p;

	setup(t, DP_LB_ALG_MAGLEV, 251);
	/* an all-ports VIP: fragments and cut headers are its packets */
	lbt_vip(t, 2, "198.18.0.11", IPPROTO_TCP, 0, DP_LB_ALG_MAGLEV,
		DP_LB_NAT_DNAT, 2000, ids, 1, 7);

	tpkt_ipv4(&p, C4, "198.18.0.11", IPPROTO_TCP, 1000, 80, 0);
	p.len = ETH_HLEN + 20 + 10; /* 10 bytes of a 20-byte TCP header */
	tpkt_ip4(&p)->tot_len = htons(30);
	tpkt_ipv4_fix_csum(&p);
	pass_xdp(t, "truncated TCP header to an all-ports VIP", &p,
		 DP_R_PASS_LB_UNSUPPORTED);
	pass_tc(t, "truncated TCP header to an all-ports VIP", &p,
		DP_R_PASS_LB_UNSUPPORTED);

	lbt_pkt(&p, IPPROTO_TCP, C4, 1000, "198.18.0.11", 80, LBT_SYN);
	tpkt_ip4(&p)->frag_off = htons(0x2000); /* first fragment, MF */
	tpkt_ipv4_fix_csum(&p);
	pass_xdp(t, "first fragment to an all-ports VIP", &p,
		 DP_R_PASS_LB_UNSUPPORTED);
	pass_tc(t, "first fragment to an all-ports VIP", &p,
		DP_R_PASS_LB_UNSUPPORTED);

	lbt_pkt(&p, IPPROTO_TCP, C4, 1000, V4, 80, LBT_SYN);
	tpkt_ipv4_options(&p, 4);
	pass_xdp(t, "SYN with IP options to a VIP", &p, DP_R_PASS_IP_OPTIONS);
	pass_tc(t, "SYN with IP options to a VIP", &p, DP_R_PASS_IP_OPTIONS);

	lbt_pkt(&p, IPPROTO_TCP, C4, 1000, V4, 80, LBT_SYN);
	tpkt_ip4(&p)->check ^= 0x0101;
	pass_xdp(t, "SYN with a bad IP checksum to a VIP", &p,
		 DP_R_PASS_MALFORMED);
	pass_tc(t, "SYN with a bad IP checksum to a VIP", &p,
		DP_R_PASS_MALFORMED);

	lbt_pkt(&p, IPPROTO_TCP, C4, 1000, V4, 80, LBT_SYN);
	p.len -= 20; /* the frame shorter than the IP total length */
	pass_xdp(t, "SYN cut short of its IP length to a VIP", &p,
		 DP_R_PASS_MALFORMED);
	pass_tc(t, "SYN cut short of its IP length to a VIP", &p,
		DP_R_PASS_MALFORMED);

	lbt_pkt(&p, IPPROTO_TCP, LBT_CLIENT6, 1000, LBT_VIP6, 80, LBT_SYN);
	tpkt_ipv6_ext(&p, 60 /* destination options */);
	pass_tc(t, "ipv6 SYN behind an extension header to a VIP (no VIP "
		   "there: routed)",
		&p, DP_R_PASS_NO_ROUTE);
}

/* ------------------------------------------------------------- cost */

/*
 * What the stages cost per packet, with BPF_PROG_TEST_RUN's own timing
 * (the kernel's measure of the program run, no syscall), above XDP_PASS
 * measured the same way in the same run: notes, not checks (this machine
 * is shared). One run per call (repeat 1): a second repetition would see
 * the packet the first one rewrote (its MACs no longer the router's), so
 * every figure is a median over COST_SAMPLES calls.
 */
#define COST_SAMPLES 3001
#define COST_SYNS 1500

static int xdp_pass_prog(void)
{
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0,
		 .imm = XDP_PASS_},
		{.code = BPF_JMP | BPF_EXIT},
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "xdp_pass", "GPL", insns, 2,
			     NULL);
}

/* Mean ns per run of `repeat` runs of prog over p, 0 on error. */
static double cost_run(int fd, bool xdp, const struct tpkt *p, int repeat)
{
	struct xdp_md xin = {.data_end = p->len,
			     .ingress_ifindex = H_IN_IFINDEX};
	struct __sk_buff sin = {.ingress_ifindex = H_IN_IFINDEX};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->buf,
		    .data_size_in = p->len, .repeat = repeat);

	o.ctx_in = xdp ? (void *)&xin : (void *)&sin;
	o.ctx_size_in = xdp ? sizeof(xin) : sizeof(sin);
	if (bpf_prog_test_run_opts(fd, &o))
		return 0;
	return o.duration;
}

static int cost_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double cost_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cost_cmp);
	return v[n / 2];
}

/* Median ns of one run over COST_SAMPLES calls, the verdict checked. */
static double cost_steady(int fd, uint32_t want, const struct tpkt *p)
{
	struct xdp_md in = {.data_end = p->len,
			    .ingress_ifindex = H_IN_IFINDEX};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->buf,
		    .data_size_in = p->len, .ctx_in = &in,
		    .ctx_size_in = sizeof(in), .repeat = 1);
	static double v[COST_SAMPLES];

	T_EQ(bpf_prog_test_run_opts(fd, &o), 0, "test run");
	T_CHECK(o.retval == want, "verdict %u, want %u", o.retval, want);
	for (int i = 0; i < COST_SAMPLES; i++)
		v[i] = cost_run(fd, true, p, 1);
	return cost_median(v, COST_SAMPLES);
}

static void test_cost(struct lbt *t)
{
	struct harness *h = t->h;
	int pass = xdp_pass_prog(), xdp = h->prog_fd[DP_HOOK_XDP],
	    tc = h->prog_fd[DP_HOOK_TC];
	double base, route, route_ct, route_filter, est, est6, syn_xdp[COST_SYNS],
		syn_tc[COST_SYNS], base1[COST_SYNS];
	struct dp_ct_key k;
	struct dp_ct_val v = {.state = DP_CT_TCP_ESTABLISHED};
	struct tpkt p;
	cpu_set_t old;

	t_begin("cost per packet (notes; BPF_PROG_TEST_RUN, above XDP_PASS)");
	if (!T_CHECK(pass >= 0, "cannot load an XDP_PASS program"))
		goto out;
	pin_cpu0(&old);
	setup(t, DP_LB_ALG_MAGLEV, 251);
	h_route4(h, "198.18.0.0/16", DP_RT_NHG, 100);
	h_route6(h, "2001:db8:18::/48", DP_RT_NHG, 100);

	tpkt_ipv4(&p, C4, DST4_FWD, IPPROTO_TCP, 1000, 80, 16);
	base = cost_steady(pass, XDP_PASS_, &p);
	h_meta_flags(h, 0);
	route = cost_steady(xdp, XDP_REDIRECT_, &p) - base;
	h_meta_flags(h, DP_META_F_CT | DP_META_F_LB | DP_META_F_SNAT);
	route_ct = cost_steady(xdp, XDP_REDIRECT_, &p) - base;
	h_meta_flags(h, DP_META_F_CT | DP_META_F_LB | DP_META_F_SNAT |
				DP_META_F_CT_FILTER);
	route_filter = cost_steady(xdp, XDP_REDIRECT_, &p) - base;

	/* an established dnat flow (with the entry of its rewritten
	 * packet translated back, harmless here) */
	lbt_ct_key(&k, IPPROTO_TCP, C4, 1000, V4, 80);
	inet_pton(AF_INET, C4, v.nat_saddr);
	inet_pton(AF_INET, be_addr(1), v.nat_daddr);
	v.nat_sport = htons(1000);
	v.nat_dport = htons(8080);
	v.backend_id = 1;
	lbt_ct_put(t, &k, &v);
	lbt_ct_key(&k, IPPROTO_TCP, C4, 1000, be_addr(1), 8080);
	inet_pton(AF_INET, V4, v.nat_daddr);
	v.nat_dport = htons(80);
	lbt_ct_put(t, &k, &v);
	lbt_pkt(&p, IPPROTO_TCP, C4, 1000, V4, 80, LBT_ACK);
	est = cost_steady(xdp, XDP_REDIRECT_, &p) - base;

	memset(&v, 0, sizeof(v));
	v.state = DP_CT_TCP_ESTABLISHED;
	lbt_ct_key(&k, IPPROTO_TCP, LBT_CLIENT6, 1000, "2001:db8:18::10", 80);
	inet_pton(AF_INET6, LBT_CLIENT6, v.nat_saddr);
	inet_pton(AF_INET6, "2001:db8:100::11", v.nat_daddr);
	v.nat_sport = htons(1000);
	v.nat_dport = htons(8080);
	lbt_ct_put(t, &k, &v);
	lbt_ct_key(&k, IPPROTO_TCP, LBT_CLIENT6, 1000, "2001:db8:100::11",
		   8080);
	inet_pton(AF_INET6, "2001:db8:18::10", v.nat_daddr);
	v.nat_dport = htons(80);
	lbt_ct_put(t, &k, &v);
	lbt_pkt(&p, IPPROTO_TCP, LBT_CLIENT6, 1000, "2001:db8:18::10", 80,
		LBT_ACK);
	est6 = cost_steady(xdp, XDP_REDIRECT_, &p) - base;

	/* new connections: each SYN a new flow made at XDP, one run each;
	 * then the same SYNs through TC as on an interface without XDP,
	 * each finding its flow made (a retransmission) */
	for (int i = 0; i < COST_SYNS; i++) {
		lbt_pkt(&p, IPPROTO_TCP, C4, 2000 + i, V4, 80, LBT_SYN);
		base1[i] = cost_run(pass, true, &p, 1);
		syn_xdp[i] = cost_run(xdp, true, &p, 1);
		syn_tc[i] = cost_run(tc, false, &p, 1);
	}
	T_EQ(lbt_ct_count(t), 4 + 2 * COST_SYNS, "entries after the SYNs");
	{
		double b1 = cost_median(base1, COST_SYNS);
		double sx = cost_median(syn_xdp, COST_SYNS) - b1;
		double st = cost_median(syn_tc, COST_SYNS) - b1;

		t_note("XDP_PASS %.0f ns (routing packet), %.0f ns (SYN)",
		       base, b1);
		t_note("routing only, ipv4 forward: %.0f ns; with conntrack "
		       "on and no flow: %.0f ns (its filter off), %.0f ns "
		       "(on)",
		       route, route_ct, route_filter);
		t_note("established dnat flow at XDP: ipv4 %.0f ns, ipv6 "
		       "%.0f ns",
		       est, est6);
		t_note("new connection (SYN, maglev, dnat) made at XDP: "
		       "%.0f ns; its retransmission through TC: %.0f ns",
		       sx, st);
	}
	sched_setaffinity(0, sizeof(old), &old);
out:
	if (pass >= 0)
		close(pass);
	t_end();
}

void test_lb(struct harness *h)
{
	struct lbt t;

	lbt_open(&t, h);
	test_rr(&t);
	test_wrr(&t);
	test_least_conn(&t);
	test_hash(&t, DP_LB_ALG_MAGLEV, "maglev");
	test_hash(&t, DP_LB_ALG_HASH, "hash");
	test_hash(&t, DP_LB_ALG_SOURCE_HASH, "source-hash");
	test_health(&t);
	test_ring_change(&t);
	test_persist(&t);
	test_no_backend(&t);
	test_new_flow_via_tc(&t);
	test_ct_full(&t);
	test_malformed_vip(&t);
	test_cost(&t);
	lbt_close(&t);
}
