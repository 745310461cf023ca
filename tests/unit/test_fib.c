// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The datapath's FIB lookup run by the XDP program (BPF_PROG_TEST_RUN)
 * against a reference longest-prefix match: random tables, random
 * destinations, one nexthop group per prefix so that the frame's new
 * destination MAC names the route the datapath chose. Then the same
 * lookups while the table changes underneath, from another thread.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fib/dp_fib.h"
#include "dp_test.h"
#include "ref.h"
#include "tests.h"

#define FIB_NHG_BASE 0x100000 /* route i of a table uses group BASE + i */
#define FIB_ROUTES4 10000
#define FIB_ROUTES6 5000
#define FIB_PACKETS 20000
#define FIB_MTU 1500

/* The MACs of group BASE + i's path: 02:fb:i (32 bits, big endian). */
static void fib_mac(uint32_t i, uint8_t *mac)
{
	mac[0] = 0x02;
	mac[1] = 0xfb;
	mac[2] = i >> 24;
	mac[3] = i >> 16;
	mac[4] = i >> 8;
	mac[5] = i;
}

/* The route a forwarded frame's destination MAC names, or -1. */
static int64_t fib_route_of(const struct h_result *r)
{
	const uint8_t *m = r->out;

	if (r->out_len < ETH_HLEN || m[0] != 0x02 || m[1] != 0xfb)
		return -1;
	return (uint32_t)m[2] << 24 | m[3] << 16 | m[4] << 8 | m[5];
}

static void fib_group(struct harness *h, uint32_t i)
{
	struct dp_path p = {
		.ifindex = H_OUT_IFINDEX,
		.flags = DP_PATH_F_RESOLVED | DP_PATH_F_XDP_TX,
		.mtu = FIB_MTU,
	};

	fib_mac(i, p.dmac);
	fib_mac(i, p.smac);
	h_nhg(h, FIB_NHG_BASE + i, &p, 1);
}

static void fib_setup(struct harness *h)
{
	const uint8_t out_mac[ETH_ALEN] = {0x02, 0, 0, 0, 0x20, 0xfb};

	h_reset(h);
	h_intf(h, H_OUT_IFINDEX, out_mac, DP_INTF_F_UP, FIB_MTU,
	       H_OUT_STATS_IDX);
}

static void fib_be(unsigned int bits, const uint32_t *host, uint32_t *be)
{
	unsigned int w;

	for (w = 0; w < 4; w++)
		be[w] = w < bits / 32 ? htonl(host[w]) : 0;
}

static int fib_add(struct harness *h, unsigned int bits, const uint32_t *addr,
		   unsigned int len, uint32_t nhg_id)
{
	struct dp_rt_val v = {.type = DP_RT_NHG, .nhg_id = nhg_id};
	uint32_t be[4];

	int err;

	fib_be(bits, addr, be);
	if (bits == 32)
		err = dp_fib_add4(h->fib, be[0], len, &v);
	else
		err = dp_fib_add6(h->fib, be, len, &v);
	dp_fib_commit_all(h->fib); /* each update a batch, as the plugin's */
	return err;
}

static int fib_del(struct harness *h, unsigned int bits, const uint32_t *addr,
		   unsigned int len)
{
	uint32_t be[4];

	int err;

	fib_be(bits, addr, be);
	if (bits == 32)
		err = dp_fib_del4(h->fib, be[0], len);
	else
		err = dp_fib_del6(h->fib, be, len);
	dp_fib_commit_all(h->fib);
	return err;
}

/* A UDP packet to dst through XDP. Returns 0 or -errno. */
static int fib_send(struct harness *h, unsigned int bits, const uint32_t *dst,
		    struct h_result *r)
{
	char text[INET6_ADDRSTRLEN];
	struct tpkt p;
	uint32_t be[4];

	fib_be(bits, dst, be);
	inet_ntop(bits == 32 ? AF_INET : AF_INET6, be, text, sizeof(text));
	if (bits == 32)
		tpkt_ipv4(&p, "198.18.0.1", text, IPPROTO_UDP, 1000, 2000, 16);
	else
		tpkt_ipv6(&p, "2001:db8:ffff::1", text, IPPROTO_UDP, 1000,
			  2000, 16);
	return h_run_xdp(h, &p, r);
}

/* ------------------------------------------------------ random table */

/* Destinations the pipeline would not even look up are not drawn. */
static bool fib_routable4(uint32_t a)
{
	uint32_t o = a >> 24;

	return o && o != 127 && o < 224 && a >> 16 != 0xa9fe;
}

static void fib_rnd_prefix(unsigned int bits, uint32_t *a, unsigned int *len)
{
	static const uint8_t lens4[] = {8,  12, 16, 18, 20, 22, 23, 24, 24,
					24, 24, 24, 25, 26, 28, 30, 32};
	static const uint8_t lens6[] = {16, 24, 29, 32, 32, 40, 44,
					48, 48, 48, 48, 52, 56, 60,
					64, 64, 72, 96, 112, 127, 128};
	bool hot = rnd_below(2);

	memset(a, 0, 4 * sizeof(*a));
	if (bits == 32) {
		*len = lens4[rnd_below(sizeof(lens4))];
		do {
			/* half of them in 10.0.0.0/12, where they overlap */
			a[0] = hot ? 0x0a000000 | (rnd() & 0xfffff) : rnd();
		} while (!fib_routable4(a[0]));
	} else {
		*len = lens6[rnd_below(sizeof(lens6))];
		a[0] = 0x20000000 | (rnd() & 0x1fffffff);
		a[1] = rnd();
		a[2] = rnd();
		a[3] = rnd();
		if (hot) {
			a[0] = 0x20010db8;
			a[1] &= 0x000f00ff;
		}
	}
	ref_mask(a, *len, a);
}

/* Half inside a random route of the table, half anywhere. */
static void fib_rnd_dst(unsigned int bits, const struct ref *ref, uint32_t *a)
{
	const uint32_t ones[4] = {~0u, ~0u, ~0u, ~0u};
	const struct ref_route *r;
	uint32_t mask[4];
	unsigned int w;

	do {
		for (w = 0; w < 4; w++)
			a[w] = w < bits / 32 ? rnd() : 0;
		if (rnd_below(2)) {
			r = &ref->r[rnd_below(ref->n)];
			ref_mask(ones, r->len, mask);
			for (w = 0; w < bits / 32; w++)
				a[w] = r->addr[w] | (a[w] & ~mask[w]);
		} else if (bits == 128) {
			a[0] = 0x20000000 | (a[0] & 0x1fffffff);
		}
	} while (bits == 32 && !fib_routable4(a[0]));
}

/* The XDP verdict for dst against the reference's answer. */
static bool fib_check(struct harness *h, unsigned int bits, const uint32_t *dst,
		      const struct ref *ref)
{
	const struct ref_route *want = ref_lookup(ref, dst);
	char text[INET6_ADDRSTRLEN];
	struct h_result r;
	uint32_t be[4];
	int64_t got;
	int err;

	err = fib_send(h, bits, dst, &r);
	if (err)
		return T_EQ(err, 0, "bpf_prog_test_run");
	got = fib_route_of(&r);
	if (want && r.verdict == XDP_REDIRECT_ &&
	    got == want->val.nhg_id - FIB_NHG_BASE)
		return true;
	if (!want && r.verdict == XDP_PASS_ && r.has_meta &&
	    r.meta.reason == DP_R_PASS_NO_ROUTE)
		return true;
	fib_be(bits, dst, be);
	inet_ntop(bits == 32 ? AF_INET : AF_INET6, be, text, sizeof(text));
	return T_CHECK(false,
		       "%s: verdict %u reason %s route %lld, want %s %lld (/%d)",
		       text, r.verdict,
		       r.has_meta ? h_reason_name(r.meta.reason) : "-",
		       (long long)got, want ? "route" : "no route",
		       want ? (long long)(want->val.nhg_id - FIB_NHG_BASE)
			    : -1ll,
		       want ? want->len : -1);
}

static void test_fib_random(struct harness *h, unsigned int bits,
			    unsigned int routes)
{
	unsigned int i, len, bad = 0;
	struct dp_rt_val v = {.type = DP_RT_NHG};
	struct ref ref;
	uint32_t a[4];

	t_begin("xdp: fib%d: %u random prefixes, %u random destinations, against the reference",
		bits == 32 ? 4 : 6, routes, FIB_PACKETS);
	fib_setup(h);
	ref_init(&ref, bits);
	for (i = 0; i < routes && !bad; i++) {
		fib_rnd_prefix(bits, a, &len);
		/* a repeated prefix takes the newer group, as in the FIB */
		fib_group(h, i);
		v.nhg_id = FIB_NHG_BASE + i;
		bad += !T_EQ(fib_add(h, bits, a, len, v.nhg_id), 0,
			     "dp_fib add");
		ref_set(&ref, a, len, &v);
	}
	for (i = 0; i < FIB_PACKETS && bad < 5; i++) {
		fib_rnd_dst(bits, &ref, a);
		bad += !fib_check(h, bits, a, &ref);
	}
	ref_fini(&ref);
	t_end();
}

/* --------------------------------------------------------------- churn */

/*
 * Stable routes, each with its own group (route j: FIB_NHG_BASE + j),
 * and destinations probed under them: for those the answer may never
 * change, whatever the churn does. Churn routes come from
 * ref_churn_prefix(): shorter than a stable route and covering it (they
 * rewrite the same tbl24 and tbl8 entries and fib6 best matches, but lose
 * the longest match), or longer and beside the probed half (they share
 * its tbl24 entry, tbl8 group, search path and markers, and never contain
 * a probe):
 *   10.200.k.0/24        tbl8 groups made and collapsed under it
 *   10.201.k.0/26        lives in a tbl8 group itself
 *   2001:db8:100:k::/64  markers on its own node and below it
 */
#define CHURN_STABLE 32	   /* of each kind */
#define CHURN_VALS 0x300000 /* churn routes: values from here (no group) */
#define CHURN_SECONDS 2.5
#define CHURN_LIVE 600 /* churn routes present at most */

struct churn_route {
	unsigned int bits, len;
	uint32_t addr[4];
};

struct churn {
	struct harness *h;
	struct churn_route stable[3 * CHURN_STABLE];
	atomic_bool stop;
	uint64_t packets, wrong;
	char first_wrong[160];
};

static void churn_stables(struct churn_route *st)
{
	unsigned int j, k;

	memset(st, 0, 3 * CHURN_STABLE * sizeof(*st));
	for (j = 0; j < 3 * CHURN_STABLE; j++) {
		k = j % CHURN_STABLE;
		st[j].bits = 32;
		if (j < CHURN_STABLE) {
			st[j].addr[0] = 0x0ac80000 | k << 8;
			st[j].len = 24;
		} else if (j < 2 * CHURN_STABLE) {
			st[j].addr[0] = 0x0ac90000 | k << 8;
			st[j].len = 26;
		} else {
			st[j].bits = 128;
			st[j].addr[0] = 0x20010db8;
			st[j].addr[1] = 0x01000000 | k;
			st[j].len = 64;
		}
	}
}

static void *churn_packets(void *arg)
{
	struct churn *c = arg;
	const struct churn_route *st;
	unsigned int seed = 7, j, w;
	struct h_result r;
	uint32_t rw[4], a[4];

	while (!atomic_load(&c->stop)) {
		j = rand_r(&seed) % (3 * CHURN_STABLE);
		st = &c->stable[j];
		for (w = 0; w < 4; w++)
			rw[w] = rand_r(&seed) ^ (uint32_t)rand_r(&seed) << 16;
		ref_probe(st->bits, st->addr, st->len, rw, a);
		c->packets++;
		if (!fib_send(c->h, st->bits, a, &r) &&
		    r.verdict == XDP_REDIRECT_ && fib_route_of(&r) == j)
			continue;
		if (!c->wrong++)
			snprintf(c->first_wrong, sizeof(c->first_wrong),
				 "stable route %u (/%u): verdict %u reason %s route %lld",
				 j, st->len, r.verdict,
				 r.has_meta ? h_reason_name(r.meta.reason) : "-",
				 (long long)fib_route_of(&r));
	}
	return NULL;
}

static double churn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One change: a new churn route, or a live one deleted or given a new
 * value. Returns dp_fib's result. */
static int churn_op(struct churn *ch, struct churn_route *live,
		    unsigned int *n)
{
	const struct churn_route *st = &ch->stable[rnd_below(3 * CHURN_STABLE)];
	uint32_t val = CHURN_VALS + rnd_below(2000);
	struct churn_route *c;
	unsigned int i;

	if (*n < CHURN_LIVE && (rnd_below(2) || !*n)) {
		c = &live[*n];
		c->bits = st->bits;
		c->len = ref_churn_prefix(st->bits, st->addr, st->len, c->addr);
		for (i = 0; i < *n; i++)
			if (live[i].bits == c->bits && live[i].len == c->len &&
			    !memcmp(live[i].addr, c->addr, sizeof(c->addr)))
				break;
		*n += i == *n;
		return fib_add(ch->h, c->bits, c->addr, c->len, val);
	}
	i = rnd_below(*n);
	c = &live[i];
	if (rnd_below(10) < 3)
		return fib_add(ch->h, c->bits, c->addr, c->len, val);
	if (fib_del(ch->h, c->bits, c->addr, c->len))
		return -1;
	live[i] = live[--*n];
	return 0;
}

/*
 * Why this proves that a packet never sees a half-made update: for every
 * probed destination the longest match is its stable route in every
 * state the table passes through, so the only way a packet can get
 * another answer (a churn route, no route, a wrong group) is by reading
 * a state that is not one of those: an entry half written, a tbl8 group
 * reached before it is filled or after it was reused, a value id reused
 * while still read, a marker or best-match value out of order. The churn
 * touches exactly the entries such packets read.
 */
static void test_fib_churn(struct harness *h)
{
	struct churn_route *live = calloc(CHURN_LIVE + 1, sizeof(*live));
	struct churn *c = calloc(1, sizeof(*c));
	unsigned int j, n = 0, errors = 0;
	const struct churn_route *st;
	uint64_t ops = 0;
	pthread_t thread;
	double end;

	t_begin("xdp: fib4+fib6: stable routes never waver while other routes churn");
	if (!live || !c) {
		T_CHECK(false, "out of memory");
		goto out;
	}
	c->h = h;
	churn_stables(c->stable);
	fib_setup(h);
	for (j = 0; j < 3 * CHURN_STABLE; j++) {
		st = &c->stable[j];
		fib_group(h, j);
		T_EQ(fib_add(h, st->bits, st->addr, st->len, FIB_NHG_BASE + j),
		     0, "stable route");
	}
	if (pthread_create(&thread, NULL, churn_packets, c)) {
		T_CHECK(false, "cannot start the packet thread");
		goto out;
	}
	for (end = churn_now() + CHURN_SECONDS; churn_now() < end; ops++)
		errors += churn_op(c, live, &n) != 0;
	atomic_store(&c->stop, true);
	pthread_join(thread, NULL);
	t_note("%llu route changes, %llu packets during them",
	       (unsigned long long)ops, (unsigned long long)c->packets);
	T_EQ(errors, 0, "dp_fib updates that failed");
	T_CHECK(!c->wrong, "%llu packets with a wrong answer; first: %s",
		(unsigned long long)c->wrong, c->first_wrong);
	T_CHECK(ops >= 1000 && c->packets >= 1000,
		"too little overlap to prove anything");
out:
	free(live);
	free(c);
	t_end();
}

void test_fib(struct harness *h)
{
	test_fib_random(h, 32, FIB_ROUTES4);
	test_fib_random(h, 128, FIB_ROUTES6);
	test_fib_churn(h);
}
