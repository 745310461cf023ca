// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The police stage (bpf/lib/police.h) at both hooks: each attach point
 * (interface ingress, source and destination prefix with protocol and
 * port, VIP), each action (transmit, drop: counted and dropped, never
 * passed; set-dscp: the DSCP rewritten, IPv4 checksum as a full
 * recomputation gives it, IPv6 traffic class), colour-aware meters
 * reading the AF drop precedence, and the per-colour counters. The meters
 * themselves are checked against the RFCs in test_policer.c; here they
 * run on the real clock with rates slow enough that a test never earns
 * a token (8 kbit/s: one byte per millisecond).
 */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netinet/in.h>

#include "dp_test.h"
#include "expect.h"
#include "lbt.h"
#include "policer.h"
#include "tests.h"
#include "topo.h"
#include "xdp_main.skel.h"

#define ID 5 /* the policer under test */
#define PAYLOAD 100 /* UDP: 128-byte IPv4 packets, 148-byte IPv6 */

struct pol {
	struct harness *h;
	int conf, state, stats, intf, match, vip;
};

static void pol_open(struct pol *t, struct harness *h)
{
	t->h = h;
	t->conf = bpf_map__fd(h->xdp->maps.policer_map);
	t->state = bpf_map__fd(h->xdp->maps.policer_state_map);
	t->stats = bpf_map__fd(h->xdp->maps.policer_stats_map);
	t->intf = bpf_map__fd(h->xdp->maps.policer_intf_map);
	t->match = bpf_map__fd(h->xdp->maps.policer_match_map);
	t->vip = bpf_map__fd(h->xdp->maps.policer_vip_map);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void zero_stats(struct pol *t, uint32_t id)
{
	struct dp_policer_stats z[256] = {};

	for (uint32_t c = 0; c < DP_COLOURS; c++) {
		uint32_t idx = id * DP_COLOURS + c;

		bpf_map_update_elem(t->stats, &idx, z, BPF_ANY);
	}
}

/* A policer of id, full, no attach point yet; flags as the plugin sets
 * them once something is attached. */
static void pol_set(struct pol *t, uint32_t id, const struct dp_policer *p)
{
	struct dp_policer_state st;

	dp_policer_init(&st, &p->meter, mono_ns());
	bpf_map_update_elem(t->conf, &id, p, BPF_ANY);
	bpf_map_update_elem(t->state, &id, &st, BPF_ANY);
	zero_stats(t, id);
}

/* Every attach point emptied, the stage switched on (or off). */
static void pol_reset(struct pol *t, bool on, uint32_t more_flags)
{
	uint8_t key[64];
	uint32_t zero = 0, id;

	while (bpf_map_get_next_key(t->intf, NULL, key) == 0)
		bpf_map_delete_elem(t->intf, key);
	while (bpf_map_get_next_key(t->match, NULL, key) == 0)
		bpf_map_delete_elem(t->match, key);
	for (id = 0; id < 16; id++)
		bpf_map_update_elem(t->vip, &id, &zero, BPF_ANY);
	h_meta_flags(t->h, (on ? DP_META_F_POLICE : 0) | more_flags);
}

static uint64_t pol_count(struct pol *t, uint32_t id, uint32_t colour)
{
	struct dp_policer_stats v[256];
	uint32_t idx = id * DP_COLOURS + colour;
	uint64_t n = 0;

	if (bpf_map_lookup_elem(t->stats, &idx, v))
		return ~0ull;
	for (int i = 0; i < t->h->ncpus; i++)
		n += v[i].packets;
	return n;
}

/* srTCM at 8 kbit/s: cbs, ebs, and an action (and DSCP) per colour. */
static struct dp_policer srtcm(uint32_t cbs, uint32_t ebs, uint8_t g,
			      uint8_t y, uint8_t r, uint8_t dscp)
{
	struct dp_policer p = {
		.meter = {.mode = DP_POLICER_SRTCM, .cir_kbps = 8, .cbs = cbs,
			  .ebs_or_pbs = ebs},
		.action = {g, y, r},
		.dscp = {dscp, dscp, dscp},
	};

	return p;
}

static void attach_intf(struct pol *t, uint32_t ifindex, uint32_t id)
{
	bpf_map_update_elem(t->intf, &ifindex, &id, BPF_ANY);
}

static void attach_match(struct pol *t, uint32_t dir, const char *prefix,
			 int plen, uint8_t proto, uint16_t dport, uint32_t id)
{
	struct dp_police_match_key k = {.prefixlen = 32 + plen};
	struct dp_police_match m = {.policer_id = id, .proto = proto,
				    .dport = htons(dport)};

	k.dir_family = dir | lbt_addr_words(prefix, k.addr);
	bpf_map_update_elem(t->match, &k, &m, BPF_ANY);
}

static void dropped(struct pol *t, enum dp_hook hook, const struct tpkt *p,
		    const char *what)
{
	struct h_result r;

	t_begin("%s: %s -> dropped, counted", h_hook_name(hook), what);
	h_run(t->h, hook, p, &r);
	T_EQ(r.err, 0, "test run");
	T_EQ(r.verdict, hook == DP_HOOK_XDP ? XDP_DROP : 2 /* TC_ACT_SHOT */,
	     "verdict");
	T_EQ(r.counted, 1, "counters moved");
	T_EQ(r.reason, DP_R_DROP_POLICED, "reason");
	t_end();
}

static void forwarded(struct pol *t, enum dp_hook hook, const struct tpkt *p,
		      const struct tpkt *want, const char *what)
{
	struct h_result r;

	t_begin("%s: %s -> forwarded", h_hook_name(hook), what);
	h_run(t->h, hook, p, &r);
	expect_fwd(&r, hook, want ? want : p, DP_R_FWD, TAG_NHG100);
	t_end();
}

/* Interface ingress: two green, then red and dropped; counters. */
static void test_intf(struct pol *t)
{
	struct dp_policer p = srtcm(300, 0, DP_POLICE_TRANSMIT,
				    DP_POLICE_TRANSMIT, DP_POLICE_DROP, 0);
	struct tpkt pkt;

	for (enum dp_hook hook = DP_HOOK_XDP; hook < DP_HOOK_MAX; hook++) {
		pol_reset(t, true, 0);
		pol_set(t, ID, &p);
		attach_intf(t, H_IN_IFINDEX, ID);
		tpkt_ipv4(&pkt, SRC4, DST4_FWD, IPPROTO_UDP, 1, 2, PAYLOAD);
		forwarded(t, hook, &pkt, NULL, "interface policer, green 1");
		forwarded(t, hook, &pkt, NULL, "interface policer, green 2");
		dropped(t, hook, &pkt, "interface policer, red (violate drop)");
		t_begin("%s: per-colour counters: 2 green, 0 yellow, 1 red",
			h_hook_name(hook));
		T_EQ(pol_count(t, ID, DP_GREEN), 2, "green");
		T_EQ(pol_count(t, ID, DP_YELLOW), 0, "yellow");
		T_EQ(pol_count(t, ID, DP_RED), 1, "red");
		t_end();
		attach_intf(t, H_IN_IFINDEX, 0);
		forwarded(t, hook, &pkt, NULL, "the policer detached");
	}
	pol_reset(t, false, 0);
	p = srtcm(0, 0, DP_POLICE_DROP, DP_POLICE_DROP, DP_POLICE_DROP, 0);
	pol_set(t, ID, &p);
	attach_intf(t, H_IN_IFINDEX, ID);
	forwarded(t, DP_HOOK_XDP, &pkt, NULL,
		  "a drop-all policer with the stage switched off");
}

/* Exceed: the DSCP rewritten, checksums as computed from scratch. */
static void test_set_dscp(struct pol *t)
{
	struct dp_policer p = srtcm(150, 1000, DP_POLICE_TRANSMIT,
				    DP_POLICE_SET_DSCP, DP_POLICE_DROP, 10);
	struct tpkt pkt, want;

	for (enum dp_hook hook = DP_HOOK_XDP; hook < DP_HOOK_MAX; hook++) {
		pol_reset(t, true, 0);
		pol_set(t, ID, &p);
		attach_intf(t, H_IN_IFINDEX, ID);
		tpkt_ipv4(&pkt, SRC4, DST4_FWD, IPPROTO_UDP, 1, 2, PAYLOAD);
		tpkt_ip4(&pkt)->tos = 0x03; /* ECN bits: kept */
		tpkt_ipv4_fix_csum(&pkt);
		forwarded(t, hook, &pkt, NULL, "green: unchanged");
		want = pkt;
		tpkt_ip4(&want)->tos = 10 << 2 | 0x03;
		tpkt_ipv4_fix_csum(&want);
		forwarded(t, hook, &pkt, &want,
			  "yellow: DSCP 10, ECN kept, checksum");

		pol_set(t, ID, &p);
		tpkt_ipv6(&pkt, SRC6, DST6_FWD, IPPROTO_UDP, 1, 2, 60);
		forwarded(t, hook, &pkt, NULL, "ipv6 green: unchanged");
		want = pkt;
		/* traffic class = DSCP << 2 | ECN: bits 27..20 of word 0 */
		tpkt_ip6(&want)->priority = 10 >> 2;
		tpkt_ip6(&want)->flow_lbl[0] =
			(tpkt_ip6(&want)->flow_lbl[0] & 0x3f) | (10 & 3) << 6;
		forwarded(t, hook, &pkt, &want, "ipv6 yellow: traffic class");
	}
}

/* Colour-aware: AFx3 is red, AFx2 yellow, the rest green, whatever the
 * tokens say; colour-blind ignores the DSCP. */
static void test_aware(struct pol *t)
{
	struct dp_policer p = srtcm(100000, 100000, DP_POLICE_TRANSMIT,
				    DP_POLICE_TRANSMIT, DP_POLICE_DROP, 0);
	struct tpkt pkt;

	pol_reset(t, true, 0);
	p.meter.flags = DP_POLICER_F_COLOUR_AWARE;
	pol_set(t, ID, &p);
	attach_intf(t, H_IN_IFINDEX, ID);
	tpkt_ipv4(&pkt, SRC4, DST4_FWD, IPPROTO_UDP, 1, 2, PAYLOAD);
	tpkt_ip4(&pkt)->tos = 14 << 2; /* AF13 */
	tpkt_ipv4_fix_csum(&pkt);
	dropped(t, DP_HOOK_XDP, &pkt, "colour-aware, AF13 pre-coloured red");
	tpkt_ip4(&pkt)->tos = 12 << 2; /* AF12 */
	tpkt_ipv4_fix_csum(&pkt);
	forwarded(t, DP_HOOK_XDP, &pkt, NULL, "colour-aware, AF12 yellow");
	t_begin("colour-aware: AF12 counted yellow, AF13 red");
	T_EQ(pol_count(t, ID, DP_YELLOW), 1, "yellow");
	T_EQ(pol_count(t, ID, DP_RED), 1, "red");
	t_end();

	p.meter.flags = 0;
	pol_set(t, ID, &p);
	tpkt_ip4(&pkt)->tos = 14 << 2;
	tpkt_ipv4_fix_csum(&pkt);
	forwarded(t, DP_HOOK_XDP, &pkt, NULL, "colour-blind, AF13 green");
}

/* Prefix matches with protocol and port; a VIP's policer. */
static void test_match_and_vip(struct pol *t, struct harness *h)
{
	struct dp_policer drop_all = srtcm(0, 0, DP_POLICE_DROP, DP_POLICE_DROP,
					   DP_POLICE_DROP, 0);
	struct tpkt pkt;

	pol_reset(t, true, 0);
	pol_set(t, ID, &drop_all);
	attach_match(t, DP_POLICE_MATCH_SRC, "10.0.0.0", 8, IPPROTO_UDP, 0, ID);
	tpkt_ipv4(&pkt, SRC4, DST4_FWD, IPPROTO_UDP, 1, 2, PAYLOAD);
	dropped(t, DP_HOOK_XDP, &pkt, "match source 10.0.0.0/8 udp, udp");
	dropped(t, DP_HOOK_TC, &pkt, "match source 10.0.0.0/8 udp, udp");
	tpkt_ipv4(&pkt, SRC4, DST4_FWD, IPPROTO_TCP, 1, 2, PAYLOAD);
	forwarded(t, DP_HOOK_XDP, &pkt, NULL,
		  "match source 10.0.0.0/8 udp, tcp");

	pol_reset(t, true, 0);
	attach_match(t, DP_POLICE_MATCH_DST, "198.51.100.0", 24, IPPROTO_TCP,
		     443, ID);
	tpkt_ipv4(&pkt, SRC4, DST4_FWD, IPPROTO_TCP, 1000, 443, PAYLOAD);
	dropped(t, DP_HOOK_XDP, &pkt, "match destination /24 tcp 443, port 443");
	tpkt_ipv4(&pkt, SRC4, DST4_FWD, IPPROTO_TCP, 1000, 80, PAYLOAD);
	forwarded(t, DP_HOOK_XDP, &pkt, NULL,
		  "match destination /24 tcp 443, port 80");
	attach_match(t, DP_POLICE_MATCH_DST, "2001:db8:100::", 48, 0, 0, ID);
	tpkt_ipv6(&pkt, SRC6, DST6_FWD, IPPROTO_UDP, 1, 2, 60);
	dropped(t, DP_HOOK_XDP, &pkt, "match destination ipv6 /48, any");

	/* a VIP (dsr, so the packet would keep its address) */
	{
		struct lbt l;
		const uint32_t be = 1, vip_id = 3, id = ID;

		lbt_open(&l, h);
		lbt_reset(&l);
		lbt_backend(&l, be, DST4_CONNECTED, 80, vip_id, true);
		lbt_vip(&l, vip_id, LBT_VIP4, IPPROTO_TCP, 80,
			DP_LB_ALG_MAGLEV, DP_LB_NAT_DSR, 0, &be, 1, 7);
		pol_reset(t, true, DP_META_F_CT | DP_META_F_LB |
					   DP_META_F_CT_FILTER);
		pol_set(t, ID, &drop_all);
		bpf_map_update_elem(t->vip, &vip_id, &id, BPF_ANY);
		lbt_pkt(&pkt, IPPROTO_TCP, LBT_CLIENT4, 40000, LBT_VIP4, 80,
			LBT_SYN);
		dropped(t, DP_HOOK_XDP, &pkt, "the VIP's policer");
		t_begin("the VIP's policer: no flow made for a dropped SYN");
		T_EQ(lbt_ct_count(&l), 0, "conntrack entries");
		t_end();
		lbt_close(&l);
	}
	pol_reset(t, false, 0);
}

/* Each kind of attach point is looked up only while its flag is set:
 * the plugin sets the flags of the kinds it has attached. */
static void test_kind_flags(struct pol *t)
{
	struct dp_policer drop_all = srtcm(0, 0, DP_POLICE_DROP, DP_POLICE_DROP,
					   DP_POLICE_DROP, 0);
	static const struct {
		uint32_t flag;
		const char *what;
	} kinds[] = {
		{DP_META_F_POLICE_INTF, "interface"},
		{DP_META_F_POLICE_SRC, "source match"},
		{DP_META_F_POLICE_DST, "destination match"},
	};
	struct tpkt pkt;
	char what[96];

	tpkt_ipv4(&pkt, SRC4, DST4_FWD, IPPROTO_UDP, 1, 2, PAYLOAD);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		pol_reset(t, false, 0);
		pol_set(t, ID, &drop_all);
		if (kinds[k].flag == DP_META_F_POLICE_INTF)
			attach_intf(t, H_IN_IFINDEX, ID);
		else
			attach_match(t,
				     kinds[k].flag == DP_META_F_POLICE_SRC
					     ? DP_POLICE_MATCH_SRC
					     : DP_POLICE_MATCH_DST,
				     kinds[k].flag == DP_META_F_POLICE_SRC
					     ? "10.0.0.0"
					     : "198.51.100.0",
				     kinds[k].flag == DP_META_F_POLICE_SRC ? 8
									   : 24,
				     0, 0, ID);
		/* every other kind's flag on: this one's lookup is skipped */
		h_meta_flags(t->h, DP_META_F_POLICE & ~kinds[k].flag);
		snprintf(what, sizeof(what), "%s policer, its flag off",
			 kinds[k].what);
		forwarded(t, DP_HOOK_XDP, &pkt, NULL, what);
		h_meta_flags(t->h, kinds[k].flag);
		snprintf(what, sizeof(what), "%s policer, only its flag on",
			 kinds[k].what);
		dropped(t, DP_HOOK_XDP, &pkt, what);
	}
	pol_reset(t, false, 0);
}

void test_police(struct harness *h)
{
	struct pol t;

	pol_open(&t, h);
	topo_setup(h);
	test_intf(&t);
	test_set_dscp(&t);
	test_aware(&t);
	test_match_and_vip(&t, h);
	test_kind_flags(&t);
	pol_reset(&t, false, 0);
}
