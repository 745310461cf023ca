// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Conntrack: every TCP transition in both directions (handshake, SYN
 * retransmission, either side closing first, RST, a closed tuple
 * reopened, and reused after its backend went down), UDP and its first reply, which packets XDP serves and which
 * it hands to TC, the backend's active connections along the way, and
 * ICMP errors matched to their flow and translated. The flows are a dnat VIP's; NAT
 * itself is test_nat.c's.
 */
#include <arpa/inet.h>
#include <string.h>
#include <netinet/in.h>

#include "dp_test.h"
#include "expect.h"
#include "lbt.h"
#include "tests.h"
#include "topo.h"

#define C4 LBT_CLIENT4
#define V4 LBT_VIP4
#define B4 "198.51.100.20"
#define C6 LBT_CLIENT6
#define V6 LBT_VIP6
#define B6 "2001:db8:100::20"
#define B4B "198.51.100.21"
#define BPORT 8080

struct flow {
	const char *c, *v, *b;
	uint8_t proto;
	uint16_t cport, vport;
};

static const char *const state_names[DP_CT_STATE_MAX] = {
	[DP_CT_NONE] = "NONE",
	[DP_CT_TCP_SYN_SENT] = "SYN_SENT",
	[DP_CT_TCP_SYN_RECV] = "SYN_RECV",
	[DP_CT_TCP_ESTABLISHED] = "ESTABLISHED",
	[DP_CT_TCP_FIN_WAIT] = "FIN_WAIT",
	[DP_CT_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[DP_CT_TCP_LAST_ACK] = "LAST_ACK",
	[DP_CT_TCP_TIME_WAIT] = "TIME_WAIT",
	[DP_CT_TCP_CLOSE] = "CLOSE",
	[DP_CT_UDP_NEW] = "UDP_NEW",
	[DP_CT_UDP_REPLIED] = "UDP_REPLIED",
	[DP_CT_ICMP_NEW] = "ICMP_NEW",
	[DP_CT_ICMP_REPLIED] = "ICMP_REPLIED",
};

static const char *state_name(uint64_t s)
{
	return s < DP_CT_STATE_MAX && state_names[s] ? state_names[s] : "?";
}

/* Both entries of the flow exist and hold `want`. */
static void expect_state(struct lbt *t, const struct flow *f, uint32_t want)
{
	struct dp_ct_val o, r;

	if (!T_CHECK(lbt_ct_get(t, f->proto, f->c, f->cport, f->v, f->vport,
				&o),
		     "no original entry"))
		return;
	if (!T_CHECK(lbt_ct_get(t, f->proto, f->b, BPORT, f->c, f->cport, &r),
		     "no reply entry"))
		return;
	T_CHECK(o.state == want, "state %s, want %s", state_name(o.state),
		state_name(want));
	T_CHECK(r.state == o.state, "reply entry's copy %s, original %s",
		state_name(r.state), state_name(o.state));
	T_CHECK(!(o.flags & DP_CT_F_REPLY) && (r.flags & DP_CT_F_REPLY),
		"direction flags %x / %x", o.flags, r.flags);
}

/* A packet of the flow in either direction, through one hook: forwarded
 * with the flow's rewrite. */
static void send_pkt(struct harness *h, const struct flow *f, enum dp_hook hook,
		 bool reply, uint8_t flags)
{
	struct h_result r;
	struct tpkt p;

	if (reply) {
		lbt_pkt(&p, f->proto, f->b, BPORT, f->c, f->cport, flags);
		h_run(h, hook, &p, &r);
		lbt_expect_nat(&r, hook, &p, DP_R_FWD, LBT_TAG_CLIENT, f->v,
			       f->vport, f->c, f->cport);
	} else {
		lbt_pkt(&p, f->proto, f->c, f->cport, f->v, f->vport, flags);
		h_run(h, hook, &p, &r);
		lbt_expect_nat(&r, hook, &p, DP_R_FWD, LBT_TAG_BACKEND, f->c,
			       f->cport, f->b, BPORT);
	}
}

/* XDP leaves this packet to TC, untouched (the ingress has no TC flag in
 * intf_map here, so XDP counts its hand-off itself). */
static void to_tc(struct harness *h, const struct flow *f, bool reply,
		  uint8_t flags)
{
	struct h_result r;
	struct tpkt p;

	if (reply)
		lbt_pkt(&p, f->proto, f->b, BPORT, f->c, f->cport, flags);
	else
		lbt_pkt(&p, f->proto, f->c, f->cport, f->v, f->vport, flags);
	h_run(h, DP_HOOK_XDP, &p, &r);
	expect_pass(&r, DP_HOOK_XDP, &p, DP_R_PASS_CT_SLOW);
}

/*
 * One step. The packet that opens a VIP's flow is made into a flow and
 * sent by XDP itself (the next hop is resolved, the egress takes XDP
 * frames); a packet that changes an existing flow's state is handed by
 * XDP to TC, which forwards it. Then the state.
 */
static void step(struct lbt *t, const struct flow *f, const char *what,
		 bool reply, uint8_t flags, uint32_t want)
{
	struct dp_ct_val o;
	bool opens = !reply && !lbt_ct_get(t, f->proto, f->c, f->cport, f->v,
					   f->vport, &o);

	t_begin("%s %s:%u: %s -> %s%s", f->c[0] == '2' ? "ipv6" : "ipv4",
		f->proto == IPPROTO_TCP ? "tcp" : "udp", f->cport, what,
		state_name(want), opens ? " (made at XDP)" : "");
	if (opens) {
		send_pkt(t->h, f, DP_HOOK_XDP, reply, flags);
	} else {
		to_tc(t->h, f, reply, flags);
		send_pkt(t->h, f, DP_HOOK_TC, reply, flags);
	}
	expect_state(t, f, want);
	t_end();
}

static void fast(struct lbt *t, const struct flow *f, const char *what,
		 bool reply, uint8_t flags, uint32_t want)
{
	t_begin("%s %s:%u: %s at XDP (fast path), stays %s",
		f->c[0] == '2' ? "ipv6" : "ipv4",
		f->proto == IPPROTO_TCP ? "tcp" : "udp", f->cport, what,
		state_name(want));
	send_pkt(t->h, f, DP_HOOK_XDP, reply, flags);
	expect_state(t, f, want);
	t_end();
}

static void conns(struct lbt *t, const char *what, uint64_t want)
{
	t_begin("active connections of the backend %s: %llu", what,
		(unsigned long long)want);
	T_EQ(lbt_conns(t, 1), want, "lb_be_conns_map[1]");
	t_end();
}

static void setup(struct lbt *t)
{
	const uint32_t id4 = 1, id6 = 2, idu = 3;

	lbt_reset(t);
	lbt_backend(t, 1, B4, BPORT, 1, true);
	lbt_backend(t, 2, B6, BPORT, 2, true);
	lbt_backend(t, 3, B4, BPORT, 3, true);
	lbt_vip(t, 1, V4, IPPROTO_TCP, 80, DP_LB_ALG_MAGLEV, DP_LB_NAT_DNAT, 0,
		&id4, 1, 7);
	lbt_vip(t, 2, V6, IPPROTO_TCP, 80, DP_LB_ALG_MAGLEV, DP_LB_NAT_DNAT,
		100, &id6, 1, 7);
	lbt_vip(t, 3, V4, IPPROTO_UDP, 53, DP_LB_ALG_MAGLEV, DP_LB_NAT_DNAT,
		200, &idu, 1, 7);
}

/* The client closes first: FIN_WAIT, LAST_ACK, TIME_WAIT; then the
 * client reuses the tuple and the server resets it. */
static void tcp_client_closes(struct lbt *t, const struct flow *f, bool v4)
{
	step(t, f, "SYN", false, LBT_SYN, DP_CT_TCP_SYN_SENT);
	if (v4)
		conns(t, "after the SYN", 1);
	step(t, f, "SYN retransmitted", false, LBT_SYN, DP_CT_TCP_SYN_SENT);
	if (v4)
		conns(t, "after the retransmission", 1);
	step(t, f, "SYN+ACK from the backend", true, LBT_SYN | LBT_ACK,
	     DP_CT_TCP_SYN_RECV);
	step(t, f, "ACK", false, LBT_ACK, DP_CT_TCP_ESTABLISHED);
	fast(t, f, "data", false, LBT_ACK, DP_CT_TCP_ESTABLISHED);
	fast(t, f, "reply data", true, LBT_ACK, DP_CT_TCP_ESTABLISHED);
	step(t, f, "FIN from the client", false, LBT_FIN | LBT_ACK,
	     DP_CT_TCP_FIN_WAIT);
	step(t, f, "data from the backend, half closed", true, LBT_ACK,
	     DP_CT_TCP_FIN_WAIT);
	step(t, f, "FIN from the backend", true, LBT_FIN | LBT_ACK,
	     DP_CT_TCP_LAST_ACK);
	step(t, f, "last ACK", false, LBT_ACK, DP_CT_TCP_TIME_WAIT);
	if (v4)
		conns(t, "once closed", 0);
	step(t, f, "SYN reusing the tuple", false, LBT_SYN,
	     DP_CT_TCP_SYN_SENT);
	if (v4)
		conns(t, "after the reopening SYN", 1);
	step(t, f, "RST from the backend", true, LBT_RST | LBT_ACK,
	     DP_CT_TCP_CLOSE);
	if (v4)
		conns(t, "after the RST", 0);
	step(t, f, "RST repeated", false, LBT_RST, DP_CT_TCP_CLOSE);
	if (v4)
		conns(t, "after a second RST (no double count)", 0);
}

/* The server closes first: CLOSE_WAIT, LAST_ACK, TIME_WAIT. */
static void tcp_server_closes(struct lbt *t, const struct flow *f)
{
	step(t, f, "SYN", false, LBT_SYN, DP_CT_TCP_SYN_SENT);
	step(t, f, "SYN+ACK", true, LBT_SYN | LBT_ACK, DP_CT_TCP_SYN_RECV);
	step(t, f, "SYN+ACK retransmitted", true, LBT_SYN | LBT_ACK,
	     DP_CT_TCP_SYN_RECV);
	step(t, f, "ACK", false, LBT_ACK, DP_CT_TCP_ESTABLISHED);
	step(t, f, "FIN from the backend", true, LBT_FIN | LBT_ACK,
	     DP_CT_TCP_CLOSE_WAIT);
	step(t, f, "FIN from the client", false, LBT_FIN | LBT_ACK,
	     DP_CT_TCP_LAST_ACK);
	step(t, f, "last ACK from the backend", true, LBT_ACK,
	     DP_CT_TCP_TIME_WAIT);
}

static void tcp_rst_established(struct lbt *t, const struct flow *f)
{
	step(t, f, "SYN", false, LBT_SYN, DP_CT_TCP_SYN_SENT);
	step(t, f, "SYN+ACK", true, LBT_SYN | LBT_ACK, DP_CT_TCP_SYN_RECV);
	step(t, f, "ACK", false, LBT_ACK, DP_CT_TCP_ESTABLISHED);
	step(t, f, "RST from the client", false, LBT_RST | LBT_ACK,
	     DP_CT_TCP_CLOSE);
	conns(t, "after a client's RST", 0);
}

static void udp_flow(struct lbt *t)
{
	const struct flow f = {C4, V4, B4, IPPROTO_UDP, 41000, 53};

	step(t, &f, "first datagram", false, 0, DP_CT_UDP_NEW);
	fast(t, &f, "second datagram", false, 0, DP_CT_UDP_NEW);
	step(t, &f, "first reply", true, 0, DP_CT_UDP_REPLIED);
	fast(t, &f, "second reply", true, 0, DP_CT_UDP_REPLIED);
	fast(t, &f, "next datagram", false, 0, DP_CT_UDP_REPLIED);
}

/*
 * An ICMP error from a router between the LB and the backend, about a
 * packet of the flow as the LB sent it (client -> backend): XDP hands it
 * to TC, which translates it for the client (inner packet client -> VIP,
 * every checksum). An error about no flow of ours is routed as any
 * packet.
 */
static void icmp_error(struct lbt *t, bool v6, uint16_t cport, bool ours,
		       bool cut)
{
	const char *c = v6 ? C6 : C4, *b = v6 ? B6 : B4, *v = v6 ? V6 : V4;
	const char *router = v6 ? "2001:db8:100::1" : "198.51.100.1";
	struct tpkt inner, p;
	struct h_result r;

	lbt_pkt(&inner, IPPROTO_TCP, c, cport, b, BPORT, LBT_ACK);
	lbt_icmp_error(&p, router, c, &inner, cut);

	t_begin("%s: ICMP error about %s%s", v6 ? "ipv6" : "ipv4",
		ours ? "a tracked flow -> translated" : "no flow -> routed",
		cut ? " (8 bytes of the inner TCP header)" : "");
	h_run(t->h, DP_HOOK_XDP, &p, &r);
	if (!ours) {
		expect_fwd(&r, DP_HOOK_XDP, &p, DP_R_FWD, LBT_TAG_CLIENT);
		t_end();
		return;
	}
	expect_pass(&r, DP_HOOK_XDP, &p, DP_R_PASS_CT_SLOW);
	h_run(t->h, DP_HOOK_TC, &p, &r);
	lbt_expect_icmp_error(&r, &p, &inner, cut, LBT_TAG_CLIENT, c, c, cport,
			      v, 80);
	t_end();
}

/*
 * A closed tuple reused by the client after its backend went down (or
 * left the VIP): the SYN is a new flow with a new selection, not the old
 * entry reopened towards a backend that takes no new flows; the old reply
 * entry is gone.
 */
static void tcp_reopen_backend_down(struct lbt *t)
{
	const struct flow f = {C4, V4, B4, IPPROTO_TCP, 40004, 80};
	const struct flow g = {C4, V4, B4B, IPPROTO_TCP, 40004, 80};
	const uint32_t ids[2] = {1, 4};
	struct dp_ct_val v;

	lbt_reset(t);
	lbt_backend(t, 1, B4, BPORT, 1, true);
	lbt_backend(t, 4, B4B, BPORT, 1, false);
	lbt_vip(t, 1, V4, IPPROTO_TCP, 80, DP_LB_ALG_MAGLEV, DP_LB_NAT_DNAT, 0,
		ids, 2, 7);
	step(t, &f, "SYN", false, LBT_SYN, DP_CT_TCP_SYN_SENT);
	step(t, &f, "SYN+ACK", true, LBT_SYN | LBT_ACK, DP_CT_TCP_SYN_RECV);
	step(t, &f, "ACK", false, LBT_ACK, DP_CT_TCP_ESTABLISHED);
	step(t, &f, "RST from the client", false, LBT_RST | LBT_ACK,
	     DP_CT_TCP_CLOSE);
	lbt_backend_up(t, 1, false);
	lbt_backend_up(t, 4, true);
	step(t, &g, "SYN reusing the tuple, its backend down: new backend",
	     false, LBT_SYN, DP_CT_TCP_SYN_SENT);
	t_begin("the closed flow's reply entry is gone, the new backend counts it");
	T_CHECK(!lbt_ct_get(t, IPPROTO_TCP, B4, BPORT, C4, f.cport, &v),
		"reply entry of the old backend still there");
	T_EQ(lbt_conns(t, 1), 0, "lb_be_conns_map[1]");
	T_EQ(lbt_conns(t, 4), 1, "lb_be_conns_map[4]");
	t_end();
}

/*
 * The conntrack filter (ct_filter_map). A flow's entry for a tuple whose
 * addresses the filter does not hold is not looked up: the packet is
 * routed as it is. With its destination held (a VIP's role) the entry
 * rewrites it; with the filter off every packet is looked up. And the
 * original direction of a source NAT flow, whose addresses the filter
 * never holds, is found after routing (test_nat.c's flows too).
 */
static void filter(struct lbt *t)
{
	struct dp_ct_val v = {.state = DP_CT_UDP_REPLIED};
	struct h_result r;
	struct dp_ct_key k;
	struct tpkt p;

	lbt_reset(t);
	lbt_ct_key(&k, IPPROTO_UDP, C4, 5000, DST4_FWD, 53);
	lbt_addr_words(C4, v.nat_saddr);
	lbt_addr_words(B4, v.nat_daddr);
	v.nat_sport = htons(5000);
	v.nat_dport = htons(BPORT);
	lbt_ct_put(t, &k, &v);
	lbt_pkt(&p, IPPROTO_UDP, C4, 5000, DST4_FWD, 53, 0);

	t_begin("filter on, no address of the tuple held: not looked up, "
		"routed as it is");
	h_run(t->h, DP_HOOK_XDP, &p, &r);
	expect_fwd(&r, DP_HOOK_XDP, &p, DP_R_FWD, TAG_NHG100);
	t_end();

	t_begin("filter on, the destination held: looked up, rewritten");
	lbt_filter_add(t, DST4_FWD, DP_CT_ADDR_F_DST);
	h_run(t->h, DP_HOOK_XDP, &p, &r);
	lbt_expect_nat(&r, DP_HOOK_XDP, &p, DP_R_FWD, LBT_TAG_BACKEND, C4,
		       5000, B4, BPORT);
	t_end();

	t_begin("filter on, the destination held as a source only: not "
		"looked up");
	lbt_reset(t);
	lbt_ct_put(t, &k, &v);
	lbt_filter_add(t, DST4_FWD, DP_CT_ADDR_F_SRC);
	h_run(t->h, DP_HOOK_TC, &p, &r);
	expect_fwd(&r, DP_HOOK_TC, &p, DP_R_FWD, TAG_NHG100);
	t_end();

	t_begin("filter off: every packet looked up");
	h_meta_flags(t->h, DP_META_F_CT | DP_META_F_LB | DP_META_F_SNAT);
	h_run(t->h, DP_HOOK_XDP, &p, &r);
	lbt_expect_nat(&r, DP_HOOK_XDP, &p, DP_R_FWD, LBT_TAG_BACKEND, C4,
		       5000, B4, BPORT);
	t_end();
}

void test_ct(struct harness *h)
{
	const struct flow f1 = {C4, V4, B4, IPPROTO_TCP, 40001, 80};
	const struct flow f2 = {C4, V4, B4, IPPROTO_TCP, 40002, 80};
	const struct flow f3 = {C4, V4, B4, IPPROTO_TCP, 40003, 80};
	const struct flow f6 = {C6, V6, B6, IPPROTO_TCP, 40001, 80};
	const struct flow f6b = {C6, V6, B6, IPPROTO_TCP, 40002, 80};
	struct lbt t;

	lbt_open(&t, h);
	setup(&t);
	tcp_client_closes(&t, &f1, true);
	tcp_server_closes(&t, &f2);
	tcp_rst_established(&t, &f3);
	tcp_client_closes(&t, &f6, false);
	tcp_server_closes(&t, &f6b);
	udp_flow(&t);
	tcp_reopen_backend_down(&t);

	setup(&t);
	step(&t, &f1, "SYN", false, LBT_SYN, DP_CT_TCP_SYN_SENT);
	step(&t, &f6, "SYN", false, LBT_SYN, DP_CT_TCP_SYN_SENT);
	icmp_error(&t, false, f1.cport, true, false);
	icmp_error(&t, false, f1.cport, true, true);
	icmp_error(&t, false, 49999, false, false);
	icmp_error(&t, true, f6.cport, true, false);
	icmp_error(&t, true, f6.cport, true, true);
	icmp_error(&t, true, 49999, false, false);
	filter(&t);
	lbt_close(&t);
}
