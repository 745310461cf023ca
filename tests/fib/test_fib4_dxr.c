// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv4 ranges in front of DIR-24-8 (frr-plugin/fib/dp_fib4_dxr.c): that
 * /16s are answered by their ranges or their one id, the same as DIR-24-8
 * and the reference; that a full pool leaves /16s on DIR-24-8 with the
 * same answers; and that the table switches to DIR-24-8 alone above its
 * route limit and back below 7/8 of it.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "fib/dp_fib_int.h"
#include "dp_test.h"
#include "fixture.h"
#include "tests_fib.h"

#define GROUPS 4096
#define VALS 4096
#define NODES6 1024

/* DIR-24-8's own answer for a (host order), from its tables. */
static uint32_t dir24_of(const struct dp_fib4 *f, uint32_t a)
{
	uint32_t e = f->tbl24[a >> 8];

	if (e & DP_FIB4_TBL8)
		e = f->tbl8[(e & ~DP_FIB4_TBL8) * DP_FIB4_TBL8_GROUP_ENTRIES +
			    (a & 0xff)];
	return e;
}

static uint32_t dir_of(struct tfib *t, const char *addr)
{
	return t->fib->v4.dxr.d.dir[ntohl(inet_addr(addr)) >> 16];
}

/*
 * Addresses around every route's edges and at random: wherever the ranges
 * answer, they answer what DIR-24-8 does. Returns the disagreements;
 * *hits the addresses the ranges answered.
 */
static unsigned int agree(struct tfib *t, unsigned int n, unsigned int *hits)
{
	const struct dp_fib4 *f = &t->fib->v4;
	unsigned int bad = 0, i, k;
	uint32_t a[4], id;
	bool hit;

	*hits = 0;
	for (i = 0; i < n + 3 * t->r4.n; i++) {
		if (i < n) {
			rnd_addr(32, a);
		} else {
			const struct ref_route *r = &t->r4.r[(i - n) / 3];
			uint32_t host = r->len ? ~0u >> r->len : ~0u;

			k = (i - n) % 3;
			a[0] = r->addr[0] + (k == 0 ? 0 : k == 1 ? host : host + 1);
		}
		id = dp_fib4_dxr_lookup(&f->dxr, a[0], &hit);
		*hits += hit;
		if (hit && id != dir24_of(f, a[0]) && bad++ < 5)
			T_CHECK(false, "%08x: ranges say %u, DIR-24-8 %u", a[0],
				id, dir24_of(f, a[0]));
	}
	return bad;
}

static void test_dxr_spot(void)
{
	struct dp_fib_stats st;
	struct tfib t;

	t_begin("fib4 ranges: a /16 with more specifics has ranges, others one id, answers by hand");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	T_EQ(dir_of(&t, "11.0.0.1"), DP_FIB4_DXR_DIRECT, "an empty /16: no route");
	T_EQ(tfib_add_nhg(&t, "10.0.0.0", 8, 1), 0, "add 10/8");
	T_EQ(tfib_add_nhg(&t, "10.1.2.0", 24, 2), 0, "add 10.1.2/24");
	T_EQ(tfib_add_nhg(&t, "10.1.2.128", 25, 3), 0, "add 10.1.2.128/25");
	T_EQ(tfib_add_nhg(&t, "10.1.2.200", 32, 4), 0, "add 10.1.2.200/32");
	T_EQ(dir_of(&t, "10.1.0.0") & DP_FIB4_DXR_RANGES, DP_FIB4_DXR_RANGES,
	     "10.1/16 has ranges");
	/* /8, /24, /25, /32, /25 again, /8 again */
	T_EQ((dir_of(&t, "10.1.0.0") >> DP_FIB4_DXR_N_SHIFT & 0x1ff) + 1, 6,
	     "10.1/16's ranges");
	T_EQ(dir_of(&t, "10.2.0.0") & DP_FIB4_DXR_RANGES, DP_FIB4_DXR_DIRECT,
	     "10.2/16: one id");
	T_EQ(tfib_nhg_of(&t, "10.9.9.9"), 1, "10.9.9.9 via /8");
	T_EQ(tfib_nhg_of(&t, "10.1.2.5"), 2, "10.1.2.5 via /24");
	T_EQ(tfib_nhg_of(&t, "10.1.2.130"), 3, "10.1.2.130 via /25");
	T_EQ(tfib_nhg_of(&t, "10.1.2.200"), 4, "10.1.2.200 via /32");
	T_EQ(tfib_nhg_of(&t, "10.1.2.201"), 3, "10.1.2.201 via /25");
	T_EQ(tfib_nhg_of(&t, "10.1.3.0"), 1, "10.1.3.0 via /8");
	T_EQ(tfib_nhg_of(&t, "10.1.0.0"), 1, "10.1.0.0 via /8");
	T_EQ(tfib_nhg_of(&t, "11.0.0.1"), 0, "11.0.0.1: no route");
	dp_fib_stats(t.fib, &st);
	T_CHECK(st.ranges4_on, "ranges on");
	T_EQ(st.ranges4, 6, "range entries in use");
	T_EQ(st.dir24_4, 0, "/16s left to DIR-24-8");
	T_EQ(st.ranged4, DP_FIB4_DXR_CHUNKS, "/16s answered by the ranges");
	T_EQ(tfib_del_text(&t, "10.1.2.0", 24), 0, "delete the /24");
	T_EQ(tfib_del_text(&t, "10.1.2.128", 25), 0, "delete the /25");
	T_EQ(tfib_del_text(&t, "10.1.2.200", 32), 0, "delete the /32");
	T_EQ(dir_of(&t, "10.1.0.0") & DP_FIB4_DXR_RANGES, DP_FIB4_DXR_DIRECT,
	     "10.1/16 back to one id");
	dp_fib_stats(t.fib, &st);
	T_EQ(st.ranges4, 0, "range entries in use");
	tfib_verify(&t, 32, 1000);
	tfib_close(&t);
out:
	t_end();
}

/* Random tables: the ranges agree with DIR-24-8 and the reference. */
static void test_dxr_agree(void)
{
	struct dp_rt_val v;
	unsigned int i, hits = 0, bad = 0;
	uint32_t a[4];
	struct tfib t;

	struct dp_fib_stats st;

	t_begin("fib4 ranges: 3000 random routes, then churn: ranges, DIR-24-8 and the reference agree");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	for (i = 0; i < 3000; i++) {
		v = rnd_val(60);
		rnd_addr(32, a);
		T_EQ(tfib_add(&t, 32, a, rnd_len(32), &v), 0, "add");
	}
	bad += agree(&t, 100000, &hits);
	dp_fib_stats(t.fib, &st);
	t_note("%u range entries, %u /16s ranged, %u on DIR-24-8",
	       st.ranges4, st.ranged4, st.dir24_4);
	/* rnd_addr() piles half the routes into four /16s, which hold more
	 * ranges than a /16 may: those stay on DIR-24-8 */
	T_CHECK(st.dir24_4 <= 4, "%u /16s on DIR-24-8", st.dir24_4);
	T_CHECK(hits > 45000, "the ranges answered %u addresses", hits);
	bad += tfib_verify(&t, 32, 5000);
	for (i = 0; i < 2000 && t.r4.n; i++) {
		const struct ref_route *r = &t.r4.r[rnd_below(t.r4.n)];

		memcpy(a, r->addr, sizeof(a));
		T_EQ(tfib_del(&t, 32, a, r->len), 0, "delete");
	}
	bad += agree(&t, 100000, &hits);
	bad += tfib_verify(&t, 32, 5000);
	T_EQ(bad, 0, "disagreements");
	tfib_close(&t);
out:
	t_end();
}

/* The fixture's pool is small: /16s of 256 alternating /24s fill it. */
static void test_dxr_full_pool(void)
{
	const uint32_t cap = TFIB_DXR_RANGE_BLOCKS * DP_FIB4_TBL8_GROUP_ENTRIES;
	const uint32_t chunks = cap / 256 + 8;
	struct dp_fib_stats st;
	struct dp_rt_val v = {.type = DP_RT_NHG};
	unsigned int hits;
	uint32_t a[4] = {0}, c, i;
	struct tfib t;

	t_begin("fib4 ranges: a full pool leaves /16s on DIR-24-8, answers unchanged");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	for (c = 0; c < chunks; c++)
		for (i = 0; i < 256; i++) {
			a[0] = (20u << 24) + (c << 16) + (i << 8);
			v.nhg_id = 1 + i % 2;
			T_EQ(tfib_add(&t, 32, a, 24, &v), 0, "add");
		}
	dp_fib_stats(t.fib, &st);
	T_CHECK(st.ranges4 <= cap, "%u range entries in a pool of %u",
		st.ranges4, cap);
	T_CHECK(st.dir24_4 >= 8, "%u /16s left to DIR-24-8", st.dir24_4);
	T_EQ(agree(&t, 20000, &hits), 0, "disagreements");
	tfib_verify(&t, 32, 5000);
	/* a /16 emptied is one id again, and frees room for another */
	for (i = 0; i < 256; i++) {
		a[0] = (20u << 24) + (i << 8);
		T_EQ(tfib_del(&t, 32, a, 24), 0, "delete");
	}
	T_EQ(dir_of(&t, "20.0.0.0"), DP_FIB4_DXR_DIRECT, "20.0/16: no route");
	tfib_verify(&t, 32, 5000);
	tfib_close(&t);
out:
	t_end();
}

/* Above its route limit the table is DIR-24-8 alone; ranges come back
 * (every /16 rebuilt) at 7/8 of it. */
static void test_dxr_switch(void)
{
	struct dp_fib_stats st;
	struct dp_rt_val v = {.type = DP_RT_NHG};
	unsigned int hits;
	uint32_t a[4] = {0}, i, c;
	struct tfib t;

	t_begin("fib4 ranges: off above the route limit, on again at 7/8 of it");
	tfib_dxr_routes_max = 800;
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	for (i = 0; i <= 800; i++) {
		a[0] = (30u << 24) + (i << 8);
		v.nhg_id = 1 + i % 3;
		T_EQ(tfib_add(&t, 32, a, 24, &v), 0, "add");
	}
	dp_fib_stats(t.fib, &st);
	T_CHECK(!st.ranges4_on, "ranges off at 801 routes");
	for (c = 0, i = 0; c < DP_FIB4_DXR_CHUNKS; c++)
		i += t.fib->v4.dxr.d.dir[c] != 0;
	T_EQ(i, 0, "directory entries left");
	T_EQ(st.ranges4, 0, "range entries in use");
	tfib_verify(&t, 32, 5000);
	for (i = 800; i > 700; i--) {
		a[0] = (30u << 24) + (i << 8);
		T_EQ(tfib_del(&t, 32, a, 24), 0, "delete");
	}
	/* at 700 the ranges come on: a pass of a few thousand /16s a commit,
	 * DIR-24-8 answering the others meanwhile */
	a[0] = (30u << 24) + (700u << 8);
	T_EQ(dp_fib_del4(t.fib, htonl(a[0]), 24), 0, "delete the 701st");
	ref_del(&t.r4, a, 24);
	dp_fib_commit(t.fib);
	dp_fib_stats(t.fib, &st);
	T_CHECK(st.ranges4_on && dp_fib_commit_pending(t.fib),
		"ranges on, the pass under way");
	T_CHECK(st.ranged4 > 0 && st.ranged4 < DP_FIB4_DXR_CHUNKS,
		"%u /16s built by the first commit", st.ranged4);
	tfib_verify(&t, 32, 5000);
	for (i = 0; dp_fib_commit_pending(t.fib) && i < 100; i++)
		dp_fib_commit(t.fib);
	T_EQ(i, DP_FIB4_DXR_CHUNKS / 4096 - 1, "commits to finish the pass");
	dp_fib_stats(t.fib, &st);
	T_CHECK(st.ranges4_on, "ranges on again at 700 routes");
	T_EQ(st.ranged4, DP_FIB4_DXR_CHUNKS, "/16s answered by the ranges");
	T_EQ(agree(&t, 20000, &hits), 0, "disagreements");
	tfib_verify(&t, 32, 5000);
	tfib_close(&t);
out:
	tfib_dxr_routes_max = 0;
	t_end();
}

/* Ranges only speed lookups up: a directory that cannot be mapped leaves
 * DIR-24-8 alone answering, the FIB opened and right. */
static void test_dxr_unmappable(void)
{
	struct dp_fib_stats st;
	struct dp_fib_maps m;
	struct tfib t;
	int fd;

	t_begin("fib4 ranges: a range directory that cannot be mapped: DIR-24-8 alone, the FIB works");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	dp_fib_close(t.fib);
	/* read-only: a shared writable mapping of it is refused */
	fd = open("/dev/null", O_RDONLY);
	m = t.m;
	m.dxr_dir_fd = fd;
	t.fib = dp_fib_open(&m);
	close(fd);
	if (!T_CHECK(t.fib, "dp_fib_open without ranges: %m"))
		goto out;
	T_EQ(tfib_add_nhg(&t, "10.0.0.0", 8, 1), 0, "add 10/8");
	T_EQ(tfib_add_nhg(&t, "10.1.2.0", 24, 2), 0, "add 10.1.2/24");
	T_EQ(tfib_nhg_of(&t, "10.1.2.5"), 2, "10.1.2.5 via /24");
	T_EQ(tfib_nhg_of(&t, "10.9.9.9"), 1, "10.9.9.9 via /8");
	dp_fib_stats(t.fib, &st);
	T_CHECK(!st.ranges4_on && !st.ranges4_max, "no ranges");
	tfib_verify(&t, 32, 1000);
	tfib_close(&t);
out:
	t_end();
}

void test_fib4_dxr(void)
{
	test_dxr_unmappable();
	test_dxr_spot();
	test_dxr_agree();
	test_dxr_full_pool();
	test_dxr_switch();
}
