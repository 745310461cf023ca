// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv6 ranges in front of the binary search on lengths
 * (frr-plugin/fib/dp_fib6_dxr.c): that the /20s of 2000::/3 are answered
 * by their ranges or their one id as the reference answers, a /64 holding
 * a longer prefix sent on to the binary search; that a full pool leaves
 * /20s to the search with the same answers; and that the table switches
 * to the search alone above its route limit and back below 7/8 of it.
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

#define GROUPS 64
#define VALS 4096
#define NODES6 131072

static uint64_t top_of(const char *addr)
{
	uint32_t a[4];

	tfib_addr(addr, a);
	return (uint64_t)a[0] << 32 | a[1];
}

static uint32_t dir_of(struct tfib *t, const char *addr)
{
	return t->fib->v6.dxr.d.dir[dp_fib6_dxr_chunk(top_of(addr))];
}

static uint32_t ranges_say(struct tfib *t, const char *addr)
{
	return dp_fib6_dxr_lookup(&t->fib->v6.dxr, top_of(addr));
}

static void test_dxr6_spot(void)
{
	struct dp_fib_stats st;
	struct tfib t;

	t_begin("fib6 ranges: a /20 with more specifics has ranges, a /64 with a longer prefix goes to the search, answers by hand");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	T_EQ(dir_of(&t, "2001:db8::1"), DP_FIB4_DXR_DIRECT, "an empty /20: no route");
	T_EQ(tfib_add_nhg(&t, "2001:db8::", 32, 1), 0, "add 2001:db8::/32");
	T_EQ(tfib_add_nhg(&t, "2001:db8:1::", 48, 2), 0, "add 2001:db8:1::/48");
	T_EQ(tfib_add_nhg(&t, "2001:db8:1:2::", 64, 3), 0, "add 2001:db8:1:2::/64");
	T_EQ(tfib_add_nhg(&t, "2001:db8:1:2::5", 128, 4), 0, "add 2001:db8:1:2::5/128");
	T_EQ(tfib_add_nhg(&t, "2a00::", 12, 5), 0, "add 2a00::/12");
	T_EQ(tfib_add_nhg(&t, "fd00::", 8, 6), 0, "add fd00::/8");
	T_EQ(dir_of(&t, "2001:db8::") & DP_FIB4_DXR_RANGES, DP_FIB4_DXR_RANGES,
	     "2001::/20 has ranges");
	/* none, /32, /48, the /64 (search), /48, /32, none */
	T_EQ(dp_fib4_dxr_n(dir_of(&t, "2001:db8::")), 7, "2001::/20's ranges");
	T_EQ(dir_of(&t, "2a0f:ffff::"), DP_FIB4_DXR_DIRECT | 5,
	     "a /20 under 2a00::/12: one id");
	T_EQ(ranges_say(&t, "2001:db8:1:2::6"), DP_FIB6_DXR_SEARCH,
	     "the /64 with a /128 under it: the search answers");
	T_EQ(ranges_say(&t, "fd00::1"), DP_FIB6_DXR_SEARCH,
	     "outside 2000::/3: the search answers");
	T_CHECK(ranges_say(&t, "2001:db8:1:3::") != DP_FIB6_DXR_SEARCH,
		"2001:db8:1:3:: from the ranges");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1:2::5"), 4, "via the /128");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1:2::6"), 3, "via the /64");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1:3::"), 2, "via the /48");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1:1:ffff:ffff:ffff:ffff"), 2,
	     "just below the /64: via the /48");
	T_EQ(tfib_nhg_of(&t, "2001:db8:ffff::1"), 1, "via the /32");
	T_EQ(tfib_nhg_of(&t, "2001:db7:ffff:ffff::"), 0, "below the /32: none");
	T_EQ(tfib_nhg_of(&t, "2001:db9::"), 0, "above the /32: none");
	T_EQ(tfib_nhg_of(&t, "2a00:1::"), 5, "via the /12");
	T_EQ(tfib_nhg_of(&t, "fd00::1"), 6, "via fd00::/8");
	dp_fib_stats(t.fib, &st);
	T_CHECK(st.ranges6_on, "ranges on");
	T_EQ(st.ranges6, 7, "range entries in use");
	T_EQ(st.ranged6, DP_FIB6_DXR_CHUNKS, "/20s answered by the ranges");
	T_EQ(tfib_del_text(&t, "2001:db8:1:2::5", 128), 0, "delete the /128");
	T_EQ(ranges_say(&t, "2001:db8:1:2::6"), 3, "the /64 from the ranges again");
	T_EQ(tfib_del_text(&t, "2001:db8:1:2::", 64), 0, "delete the /64");
	T_EQ(tfib_del_text(&t, "2001:db8:1::", 48), 0, "delete the /48");
	T_EQ(tfib_del_text(&t, "2001:db8::", 32), 0, "delete the /32");
	T_EQ(dir_of(&t, "2001:db8::"), DP_FIB4_DXR_DIRECT, "2001::/20: no route again");
	dp_fib_stats(t.fib, &st);
	T_EQ(st.ranges6, 0, "range entries in use");
	tfib_verify(&t, 128, 1000);
	tfib_close(&t);
out:
	t_end();
}

/* A random prefix of 2000::/3 (a quarter of them in 2001:db8::/32, where
 * they pile up), lengths as in full tables plus some longer than /64. */
static unsigned int rnd_global(uint32_t *a)
{
	static const uint8_t lens[] = {20, 24, 29, 32, 32, 36, 40, 44, 48, 48,
				       48, 48, 52, 56, 64, 64, 80, 128};

	a[0] = 0x20000000 | (rnd() & 0x1fffffff);
	a[1] = rnd();
	a[2] = rnd();
	a[3] = rnd();
	if (!rnd_below(4))
		a[0] = 0x20010db8;
	return lens[rnd_below(sizeof(lens))];
}

/* Random addresses of 2000::/3 the ranges answer, of n. */
static unsigned int hits_of(struct tfib *t, unsigned int n)
{
	unsigned int hits = 0, i;
	uint32_t a[4];

	for (i = 0; i < n; i++) {
		rnd_global(a);
		hits += dp_fib6_dxr_lookup(&t->fib->v6.dxr,
					   (uint64_t)a[0] << 32 | a[1]) !=
			DP_FIB6_DXR_SEARCH;
	}
	return hits;
}

static void test_dxr6_agree(void)
{
	struct dp_fib_stats st;
	struct dp_rt_val v;
	unsigned int i, hits, bad = 0;
	uint32_t a[4];
	struct tfib t;

	t_begin("fib6 ranges: 3000 random routes, then churn: ranges and search agree with the reference");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	for (i = 0; i < 3000; i++) {
		unsigned int len = rnd_global(a);

		v = rnd_val(60);
		T_EQ(tfib_add(&t, 128, a, len, &v), 0, "add");
	}
	dp_fib_stats(t.fib, &st);
	hits = hits_of(&t, 100000);
	t_note("%u range entries, %u /20s ranged, %u of 100000 addresses from the ranges",
	       st.ranges6, st.ranged6, hits);
	/* 2001::/20 holds a quarter of them, more ranges than a /20 may */
	T_CHECK(st.ranged6 >= DP_FIB6_DXR_CHUNKS - 1, "%u /20s ranged",
		st.ranged6);
	T_CHECK(hits > 60000, "the ranges answered %u addresses", hits);
	bad += tfib_verify(&t, 128, 20000);
	for (i = 0; i < 2000 && t.r6.n; i++) {
		const struct ref_route *r = &t.r6.r[rnd_below(t.r6.n)];

		memcpy(a, r->addr, sizeof(a));
		T_EQ(tfib_del(&t, 128, a, r->len), 0, "delete");
		if (i % 500 == 0)
			bad += tfib_verify(&t, 128, 2000);
	}
	bad += tfib_verify(&t, 128, 20000);
	T_CHECK(hits_of(&t, 100000) > 60000, "the ranges answer after the churn");
	T_EQ(bad, 0, "disagreements");
	tfib_close(&t);
out:
	t_end();
}

/* The fixture's pool is small: /20s of 256 alternating /28s fill it. */
static void test_dxr6_full_pool(void)
{
	const uint32_t cap = TFIB_DXR_RANGE_BLOCKS * DP_FIB6_DXR_RANGE_BLOCK;
	const uint32_t chunks = cap / 256 + 8;
	struct dp_fib_stats st;
	struct dp_rt_val v = {.type = DP_RT_NHG};
	uint32_t a[4] = {0}, c, i;
	struct tfib t;

	t_begin("fib6 ranges: a full pool leaves /20s to the search, answers unchanged");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	for (c = 0; c < chunks; c++)
		for (i = 0; i < 256; i++) {
			uint64_t top = 1ull << 61 | (uint64_t)(c + 1) << 44 |
				       (uint64_t)i << 36;

			a[0] = top >> 32;
			a[1] = (uint32_t)top;
			v.nhg_id = 1 + i % 2;
			T_EQ(tfib_add(&t, 128, a, 28, &v), 0, "add");
		}
	dp_fib_stats(t.fib, &st);
	T_CHECK(st.ranges6 <= cap, "%u range entries in a pool of %u",
		st.ranges6, cap);
	T_CHECK(DP_FIB6_DXR_CHUNKS - st.ranged6 >= 8,
		"%u /20s left to the search", DP_FIB6_DXR_CHUNKS - st.ranged6);
	tfib_verify(&t, 128, 5000);
	/* a /20 emptied is one id again */
	for (i = 0; i < 256; i++) {
		uint64_t top = 1ull << 61 | 1ull << 44 | (uint64_t)i << 36;

		a[0] = top >> 32;
		a[1] = (uint32_t)top;
		T_EQ(tfib_del(&t, 128, a, 28), 0, "delete");
	}
	T_EQ(dir_of(&t, "2000:1000::"), DP_FIB4_DXR_DIRECT, "2000:1000::/20: no route");
	tfib_verify(&t, 128, 5000);
	tfib_close(&t);
out:
	t_end();
}

/* 2a00::/20 with /48s in each of its /24s, one /24 denser than a set of
 * ranges may be: the /20 gets its /24s' entries, that /24 the search. */
static void test_dxr6_dense(void)
{
	struct dp_fib_stats st;
	struct dp_rt_val v = {.type = DP_RT_NHG};
	uint32_t a[4] = {0}, i, d, hits = 0;
	struct tfib t;

	t_begin("fib6 ranges: a /20 too dense for one set of ranges gets one per /24, a denser /24 the search");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	/* 40 /48s in each /24, alternating values (no two ranges merge) */
	for (i = 0; i < 16 * 40; i++) {
		a[0] = 0x2a000000 | (i % 16) << 8 | (i / 16);
		v.nhg_id = 1 + i % 2;
		T_EQ(tfib_add(&t, 128, a, 48, &v), 0, "add");
	}
	/* 2a00:f00::/24: 300 /40s more, every other one: 600 ranges */
	for (i = 0; i < 300; i++) {
		a[0] = 0x2a000f00 | (i >> 7);
		a[1] = (i & 0x7f) << 25;
		v.nhg_id = 3 + i % 2;
		T_EQ(tfib_add(&t, 128, a, 40, &v), 0, "add");
	}
	d = dir_of(&t, "2a00::");
	T_EQ(d & DP_FIB4_DXR_RANGES, DP_FIB6_DXR_SUB, "2a00::/20: one entry per /24");
	T_EQ(ranges_say(&t, "2a00:f00::1"), DP_FIB6_DXR_SEARCH,
	     "the denser /24: the search answers");
	T_EQ(ranges_say(&t, "2a00:fff::1"), DP_FIB6_DXR_SEARCH,
	     "... all of it");
	for (i = 0; i < 16 * 40; i++) {
		uint64_t top = (uint64_t)(0x2a000000 | (i % 16) << 8 | (i / 16)) << 32;

		hits += dp_fib6_dxr_lookup(&t.fib->v6.dxr, top | 0x1234) !=
			DP_FIB6_DXR_SEARCH;
	}
	T_EQ(hits, 15 * 40, "the other /24s' /48s from their ranges");

	tfib_verify(&t, 128, 5000);
	/* the /40s gone: the /20 is one set of ranges again? 640 /48s, 1280
	 * ranges: no, still one entry per /24, all from ranges */
	for (i = 0; i < 300; i++) {
		a[0] = 0x2a000f00 | (i >> 7);
		a[1] = (i & 0x7f) << 25;
		T_EQ(tfib_del(&t, 128, a, 40), 0, "delete");
	}
	a[1] = 0;
	T_CHECK(ranges_say(&t, "2a00:f00::1") != DP_FIB6_DXR_SEARCH,
		"2a00:f00::/24 from its ranges once lighter");
	tfib_verify(&t, 128, 5000);
	/* all but 100 gone: one set of ranges for the /20 */
	for (i = 100; i < 16 * 40; i++) {
		a[0] = 0x2a000000 | (i % 16) << 8 | (i / 16);
		T_EQ(tfib_del(&t, 128, a, 48), 0, "delete");
	}
	T_EQ(dir_of(&t, "2a00::") & DP_FIB4_DXR_RANGES, DP_FIB4_DXR_RANGES,
	     "2a00::/20: one set of ranges again");
	tfib_verify(&t, 128, 5000);
	for (i = 0; i < 100; i++) {
		a[0] = 0x2a000000 | (i % 16) << 8 | (i / 16);
		T_EQ(tfib_del(&t, 128, a, 48), 0, "delete");
	}
	dp_fib_stats(t.fib, &st);
	T_EQ(st.ranges6, 0, "range entries in use, all routes gone");
	T_EQ(dir_of(&t, "2a00::"), DP_FIB4_DXR_DIRECT, "2a00::/20: no route");
	tfib_close(&t);
out:
	t_end();
}

/* /20s that grow one route per commit leave slots a little too small
 * for their next size: the table is repacked, and every /20 keeps its
 * ranges. */
static void test_dxr6_repack(void)
{
	struct dp_fib_stats st;
	struct dp_rt_val v = {.type = DP_RT_NHG};
	uint32_t a[4] = {0}, i, k, on = 0;
	struct tfib t;

	t_begin("fib6 ranges: chunks growing one route at a time fragment the pool: repacked, all keep their ranges");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	for (k = 0; k < 60; k++)
		for (i = 0; i < 40; i++) {
			a[0] = 0x24000000 + (i << 12);
			a[1] = k << 17;
			v.nhg_id = 1 + k % 2;
			T_EQ(tfib_add(&t, 128, a, 48, &v), 0, "add");
		}
	for (i = 0; i < 40; i++)
		on += (t.fib->v6.dxr.d.dir[dp_fib6_dxr_chunk(
			       (uint64_t)(0x24000000 + (i << 12)) << 32)] &
		       DP_FIB4_DXR_RANGES) == DP_FIB4_DXR_RANGES;
	dp_fib_stats(t.fib, &st);
	t_note("%u repacks, %u range entries in use of %u", st.ranges6_repacks,
	       st.ranges6, st.ranges6_max);
	T_CHECK(st.ranges6_repacks > 0, "the table was repacked");
	T_EQ(on, 40, "/20s with their ranges");
	tfib_verify(&t, 128, 5000);
	tfib_close(&t);
out:
	t_end();
}

static void test_dxr6_switch(void)
{
	struct dp_fib_stats st;
	struct dp_rt_val v = {.type = DP_RT_NHG};
	uint32_t a[4] = {0}, i, c;
	struct tfib t;

	t_begin("fib6 ranges: off above the route limit, on again at 7/8 of it");
	tfib_dxr_routes_max = 800;
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	/* one /48 per /20 */
	for (i = 0; i <= 800; i++) {
		a[0] = 0x2a000000 + (i << 12);
		v.nhg_id = 1 + i % 3;
		T_EQ(tfib_add(&t, 128, a, 48, &v), 0, "add");
	}
	dp_fib_stats(t.fib, &st);
	T_CHECK(!st.ranges6_on, "ranges off at 801 routes");
	for (c = 0, i = 0; c < DP_FIB6_DXR_CHUNKS; c++)
		i += t.fib->v6.dxr.d.dir[c] != 0;
	T_EQ(i, 0, "directory entries left");
	T_EQ(st.ranges6, 0, "range entries in use");
	tfib_verify(&t, 128, 5000);
	for (i = 800; i >= 700; i--) {
		a[0] = 0x2a000000 + (i << 12);
		T_EQ(tfib_del(&t, 128, a, 48), 0, "delete");
	}
	dp_fib_stats(t.fib, &st);
	T_CHECK(st.ranges6_on, "ranges on again at 700 routes");
	T_EQ(st.ranged6, DP_FIB6_DXR_CHUNKS, "/20s answered by the ranges");
	T_CHECK(ranges_say(&t, "2a00:1000::1") != DP_FIB6_DXR_SEARCH,
		"a /48 from the ranges");
	T_EQ(tfib_nhg_of(&t, "2a00:1000::1"), 2, "2a00:1000::1 via its /48");
	tfib_verify(&t, 128, 5000);
	tfib_close(&t);
out:
	tfib_dxr_routes_max = 0;
	t_end();
}

static void test_dxr6_unmappable(void)
{
	struct dp_fib_stats st;
	struct dp_fib_maps m;
	struct tfib t;
	int fd;

	t_begin("fib6 ranges: a directory that cannot be mapped: the search alone, the FIB works");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	dp_fib_close(t.fib);
	fd = open("/dev/null", O_RDONLY);
	m = t.m;
	m.dxr6_dir_fd = fd;
	t.fib = dp_fib_open(&m);
	close(fd);
	if (!T_CHECK(t.fib, "dp_fib_open without IPv6 ranges: %m"))
		goto out;
	T_EQ(tfib_add_nhg(&t, "2001:db8::", 32, 1), 0, "add 2001:db8::/32");
	T_EQ(tfib_add_nhg(&t, "2001:db8:1::", 48, 2), 0, "add 2001:db8:1::/48");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1::1"), 2, "via the /48");
	T_EQ(tfib_nhg_of(&t, "2001:db8:2::1"), 1, "via the /32");
	dp_fib_stats(t.fib, &st);
	T_CHECK(!st.ranges6_on && !st.ranges6_max, "no IPv6 ranges");
	tfib_verify(&t, 128, 1000);
	tfib_close(&t);
out:
	t_end();
}

void test_fib6_dxr(void)
{
	test_dxr6_unmappable();
	test_dxr6_spot();
	test_dxr6_agree();
	test_dxr6_full_pool();
	test_dxr6_dense();
	test_dxr6_repack();
	test_dxr6_switch();
}
