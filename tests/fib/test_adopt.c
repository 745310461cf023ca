// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A restart: dp_fib_adopt() takes over the tables an earlier FIB left
 * (dp_fib_close() leaves the maps as they are), given that run's routes.
 * With the very routes that built them, not one entry may be stored and
 * no map written; with other routes (some gone, some changed, some new)
 * every lookup must give the new answer after, and every state a packet
 * sees in between must answer each address with its old route or its new
 * one. Tables this code did not write are refused, untouched. The adopted
 * FIB then goes on like any other (churn against the reference).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fib/dp_fib_int.h"
#include "dp_test.h"
#include "fake_bpf.h"
#include "fixture.h"
#include "tests_fib.h"

#define GROUPS 512
#define VALS 4096
#define NODES6 8192
#define ROUTES 1500
#define PROBES 120

#define TBL24_BYTES ((size_t)DP_FIB4_TBL24_ENTRIES * sizeof(uint32_t))

static void fill(struct tfib *t, unsigned int bits, unsigned int n)
{
	uint32_t a[4];
	struct dp_rt_val v;

	while (n--) {
		rnd_addr(bits, a);
		v = rnd_val(64);
		tfib_add(t, bits, a, rnd_len(bits), &v);
	}
}

/* A FIB with ROUTES random routes of each family. */
static bool open_filled(struct tfib *t)
{
	if (!tfib_open(t, VALS, GROUPS, NODES6))
		return false;
	fill(t, 32, ROUTES);
	fill(t, 128, ROUTES);
	return true;
}

/* The reference's routes, as the plugin reads them from rt_v4/v6_map. */
static struct dp_fib_route *routes_of(const struct tfib *t, size_t *n)
{
	struct dp_fib_route *out;
	const struct ref *refs[2] = {&t->r4, &t->r6};
	size_t k = 0;

	out = calloc(t->r4.n + t->r6.n + 1, sizeof(*out));
	for (int f = 0; f < 2; f++) {
		for (uint32_t i = 0; i < refs[f]->n; i++) {
			const struct ref_route *r = &refs[f]->r[i];

			for (int w = 0; w < 4; w++)
				out[k].addr[w] = htonl(r->addr[w]);
			out[k].plen = r->len;
			out[k].v6 = f == 1;
			out[k].val = r->val;
			k++;
		}
	}
	*n = k;
	return out;
}

/* Probe addresses and the route each had before a restart. */
struct probe {
	unsigned int bits;
	uint32_t addr[4];
	struct dp_rt_val before, after;
	bool had_before, has_after;
};

/* What packets read: the maps themselves, through their own mappings
 * (the FIB under construction is nobody's to ask). */
static struct {
	struct tfib *t;
	struct dp_fib shell; /* v6.fd only, for dp_fib_lookup6() */
	uint32_t *tbl24, *tbl8;
	struct probe p[PROBES];
	unsigned int n, bad;
	unsigned long states;
} watch;

static bool answer_is(uint32_t id, bool has, const struct dp_rt_val *want)
{
	struct dp_rt_val got;

	return tfib_val_is(watch.t, id, has ? want : NULL, &got);
}

/* Called after every store into the IPv4 tables and every map write. */
static void watch_state(void)
{
	uint32_t be[4], id, e;
	struct probe *p;

	if (!watch.tbl24)
		return;
	watch.states++;
	for (unsigned int i = 0; i < watch.n; i++) {
		p = &watch.p[i];
		if (p->bits == 32) {
			e = watch.tbl24[p->addr[0] >> 8];
			if (e & DP_FIB4_TBL8)
				e = watch.tbl8[(e & ~DP_FIB4_TBL8) *
						       DP_FIB4_TBL8_GROUP_ENTRIES +
					       (p->addr[0] & 0xff)];
			id = e;
		} else {
			for (int w = 0; w < 4; w++)
				be[w] = htonl(p->addr[w]);
			id = dp_fib_lookup6(&watch.shell, be);
		}
		if (answer_is(id, p->had_before, &p->before) ||
		    answer_is(id, p->has_after, &p->after))
			continue;
		watch.bad++;
		if (watch.bad < 5)
			T_CHECK(false, "probe %08x.. /%u: id %u is neither its old nor its new answer",
				p->addr[0], p->bits, id);
	}
}

static void probes_before(struct tfib *t)
{
	const struct ref_route *r;

	watch.t = t;
	watch.n = 0;
	watch.bad = 0;
	for (unsigned int i = 0; i < PROBES; i++) {
		struct probe *p = &watch.p[watch.n++];

		p->bits = i % 2 ? 128 : 32;
		rnd_addr(p->bits, p->addr);
		r = ref_lookup(p->bits == 32 ? &t->r4 : &t->r6, p->addr);
		p->had_before = r;
		if (r)
			p->before = r->val;
	}
}

static void probes_after(struct tfib *t)
{
	const struct ref_route *r;

	for (unsigned int i = 0; i < watch.n; i++) {
		struct probe *p = &watch.p[i];

		r = ref_lookup(p->bits == 32 ? &t->r4 : &t->r6, p->addr);
		p->has_after = r;
		if (r)
			p->after = r->val;
	}
}

/* A short prefix changed flips millions of entries: check after one IPv4
 * store in 97 (and after every map write). */
static void watch_store(void)
{
	static unsigned int n;

	if (++n % 97 == 0)
		watch_state();
}

static void watch_start(struct tfib *t)
{
	watch.shell.v6.fd = t->m.fib6_fd;
	watch.tbl24 = mmap(NULL, TBL24_BYTES, PROT_READ, MAP_SHARED,
			   t->m.tbl24_fd, 0);
	watch.tbl8 = mmap(NULL,
			  (size_t)GROUPS * DP_FIB4_TBL8_GROUP_ENTRIES * 4,
			  PROT_READ, MAP_SHARED, t->m.tbl8_fd, 0);
	watch.states = 0;
	fib_test_store_watch = watch_store;
	fake_on_write(watch_state);
}

static void watch_stop(void)
{
	fib_test_store_watch = NULL;
	fake_on_write(NULL);
	munmap(watch.tbl24, TBL24_BYTES);
	munmap(watch.tbl8, (size_t)GROUPS * DP_FIB4_TBL8_GROUP_ENTRIES * 4);
	watch.tbl24 = watch.tbl8 = NULL;
}

static bool readopt(struct tfib *t, struct dp_fib_adopted *st)
{
	struct dp_fib_route *routes;
	size_t n;

	routes = routes_of(t, &n);
	dp_fib_close(t->fib); /* the maps stay, as zebra's exit leaves them */
	t->fib = dp_fib_adopt(&t->m, routes, n, st);
	free(routes);
	return T_CHECK(t->fib, "dp_fib_adopt: %m");
}

/* readopt() with every state packets can see checked (watch_state). */
static bool watched_readopt(struct tfib *t, struct dp_fib_adopted *st)
{
	bool ok;

	watch_start(t);
	ok = readopt(t, st);
	watch_stop();
	return ok;
}

static void test_adopt_same(void)
{
	uint64_t v6w, valw, digest;
	struct dp_fib_adopted st;
	struct tfib t;

	t_begin("adopt: the routes that built the tables: nothing stored, nothing written");
	if (!open_filled(&t))
		goto out;
	digest = tfib_digest(&t);
	v6w = fake_writes(t.m.fib6_fd);
	valw = fake_writes(t.m.val_fd);
	probes_before(&t);
	probes_after(&t);
	if (!watched_readopt(&t, &st))
		goto out;
	T_EQ(watch.bad, 0, "states with a wrong answer");
	T_EQ(st.routes, t.r4.n + t.r6.n, "routes taken over");
	T_EQ(st.v4_writes, 0, "IPv4 entries stored");
	T_EQ(st.v6_writes, 0, "fib6_map writes");
	T_EQ(fake_writes(t.m.fib6_fd) - v6w, 0, "fib6_map writes (map)");
	T_EQ(fake_writes(t.m.val_fd) - valw, 0, "fib_val_map writes");
	T_EQ(tfib_digest(&t), digest, "tables unchanged");
	T_EQ(tfib_verify(&t, 32, 2000), 0, "IPv4 lookups after adoption");
	T_EQ(tfib_verify(&t, 128, 2000), 0, "IPv6 lookups after adoption");
	T_EQ(tfib_check_nodes6(&t), 0, "fib6 nodes after adoption");
	tfib_close(&t);
out:
	t_end();

	t_begin("adopt: the adopted FIB goes on (churn, groups and ids reused)");
	if (!open_filled(&t))
		goto out2;
	if (!readopt(&t, &st))
		goto out2;
	for (int round = 0; round < 4; round++) {
		uint32_t a[4];

		for (int i = 0; i < 400; i++) {
			unsigned int bits = i % 2 ? 128 : 32;
			struct dp_rt_val v = rnd_val(64);

			rnd_addr(bits, a);
			if (rnd_below(2))
				tfib_add(&t, bits, a, rnd_len(bits), &v);
			else if ((bits == 32 ? t.r4.n : t.r6.n) > 0) {
				const struct ref *r = bits == 32 ? &t.r4 : &t.r6;
				const struct ref_route *x =
					&r->r[rnd_below(r->n)];
				uint32_t addr[4];

				memcpy(addr, x->addr, sizeof(addr));
				T_EQ(tfib_del(&t, bits, addr, x->len), 0,
				     "delete a route");
			}
		}
	}
	T_EQ(tfib_verify(&t, 32, 2000), 0, "IPv4 lookups after churn");
	T_EQ(tfib_verify(&t, 128, 2000), 0, "IPv6 lookups after churn");
	T_EQ(tfib_check_nodes6(&t), 0, "fib6 nodes after churn");
	tfib_close(&t);
out2:
	t_end();
}

/* Routes that changed while no FIB ran: a fifth gone, a seventh with
 * another value, some new. */
static void change_routes(struct tfib *t, unsigned int bits)
{
	struct ref *ref = bits == 32 ? &t->r4 : &t->r6;
	struct dp_rt_val v;
	uint32_t a[4];

	for (uint32_t i = 0; i < ref->n;) {
		struct ref_route *r = &ref->r[i];

		if (i % 5 == 0) {
			memcpy(a, r->addr, sizeof(a));
			ref_del(ref, a, r->len); /* moves another into i */
			i++;
			continue;
		}
		if (i % 7 == 0) {
			v = rnd_val(64);
			ref_set(ref, r->addr, r->len, &v);
		}
		i++;
	}
	for (int i = 0; i < 200; i++) {
		unsigned int len = rnd_len(bits);
		uint32_t m[4];

		rnd_addr(bits, a);
		ref_mask(a, len, m);
		v = rnd_val(64);
		ref_set(ref, m, len, &v);
	}
}

static void test_adopt_changed(void)
{
	struct dp_fib_adopted st;
	struct tfib t;

	t_begin("adopt: other routes: each address goes from its old answer to its new one");
	if (!open_filled(&t))
		goto out;
	probes_before(&t);
	change_routes(&t, 32);
	change_routes(&t, 128);
	probes_after(&t);
	if (!watched_readopt(&t, &st))
		goto out;
	T_CHECK(watch.states > 0, "states watched: %lu", watch.states);
	printf("  note: %u IPv4 entries stored, %u fib6_map writes, %lu states watched\n",
	       st.v4_writes, st.v6_writes, watch.states);
	T_CHECK(st.v4_writes > 0, "IPv4 entries stored: %u", st.v4_writes);
	T_CHECK(st.v6_writes > 0, "fib6_map writes: %u", st.v6_writes);
	T_EQ(watch.bad, 0, "states with an answer neither old nor new");
	T_EQ(tfib_verify(&t, 32, 2000), 0, "IPv4 lookups: the new routes");
	T_EQ(tfib_verify(&t, 128, 2000), 0, "IPv6 lookups: the new routes");
	T_EQ(tfib_check_nodes6(&t), 0, "fib6 nodes: the new routes");
	tfib_close(&t);
out:
	t_end();
}

static void test_adopt_alien(void)
{
	struct dp_fib_adopted st;
	struct dp_fib_route r = {.plen = 24, .val = {.type = DP_RT_NHG,
						     .nhg_id = 1}};
	uint32_t *tbl24;
	struct tfib t;

	t_begin("adopt: tables this code did not write are refused, untouched");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	dp_fib_close(t.fib);
	t.fib = NULL;
	tbl24 = mmap(NULL, DP_FIB4_TBL24_ENTRIES * sizeof(uint32_t),
		     PROT_READ | PROT_WRITE, MAP_SHARED, t.m.tbl24_fd, 0);
	if (!T_CHECK(tbl24 != MAP_FAILED, "mmap: %m"))
		goto close;
	tbl24[0x0a0000] = VALS + 7; /* no such value id */
	tbl24[0x0b0000] = DP_FIB4_TBL8 | (GROUPS + 1); /* no such group */
	r.addr[0] = htonl(0x0a000000);
	errno = 0;
	T_CHECK(!dp_fib_adopt(&t.m, &r, 1, &st) && errno == EINVAL,
		"refused with EINVAL (errno %d)", errno);
	T_EQ(tbl24[0x0a0000], VALS + 7, "the table as it was");
	tbl24[0x0a0000] = 0;
	T_CHECK(!dp_fib_adopt(&t.m, &r, 1, &st) && errno == EINVAL,
		"a group out of range refused too (errno %d)", errno);
	T_EQ(tbl24[0x0b0000], DP_FIB4_TBL8 | (GROUPS + 1), "untouched");
	tbl24[0x0b0000] = 0;
	munmap(tbl24, DP_FIB4_TBL24_ENTRIES * sizeof(uint32_t));
	/* emptied tables are any run's: taken over */
	t.fib = dp_fib_adopt(&t.m, &r, 1, &st);
	T_CHECK(t.fib, "empty tables adopted: %m");
	if (t.fib)
		T_EQ(st.v4_writes, 1, "one entry stored (the /24)");
close:
	if (!t.fib)
		t.fib = dp_fib_open(&t.m);
	tfib_close(&t);
out:
	t_end();
}

void test_adopt(void)
{
	test_adopt_same();
	test_adopt_changed();
	test_adopt_alien();
}
