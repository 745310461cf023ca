// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv4 DIR-24-8 against the reference: nested and overlapping prefixes,
 * /0 and /32, replacement, random churn, tbl8 groups created and
 * collapsed, and full tables.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dp_test.h"
#include "fake_bpf.h"
#include "fixture.h"
#include "tests_fib.h"

#define GROUPS 256
#define VALS 4096
#define NODES6 1024

static void test_fib4_spot(void)
{
	struct tfib t;

	t_begin("fib4: nested routes answer by hand-checked expectations");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	T_EQ(tfib_add_nhg(&t, "10.0.0.0", 8, 1), 0, "add 10/8");
	T_EQ(tfib_add_nhg(&t, "10.1.2.0", 24, 2), 0, "add 10.1.2/24");
	T_EQ(tfib_add_nhg(&t, "10.1.2.128", 25, 3), 0, "add 10.1.2.128/25");
	T_EQ(tfib_add_nhg(&t, "10.1.2.200", 32, 4), 0, "add 10.1.2.200/32");
	T_EQ(tfib_nhg_of(&t, "10.9.9.9"), 1, "10.9.9.9 via /8");
	T_EQ(tfib_nhg_of(&t, "10.1.2.5"), 2, "10.1.2.5 via /24");
	T_EQ(tfib_nhg_of(&t, "10.1.2.130"), 3, "10.1.2.130 via /25");
	T_EQ(tfib_nhg_of(&t, "10.1.2.200"), 4, "10.1.2.200 via /32");
	T_EQ(tfib_nhg_of(&t, "10.1.2.201"), 3, "10.1.2.201 via /25");
	T_EQ(tfib_nhg_of(&t, "11.0.0.1"), 0, "11.0.0.1: no route");
	T_EQ(tfib_add_nhg(&t, "0.0.0.0", 0, 9), 0, "add 0/0");
	T_EQ(tfib_nhg_of(&t, "11.0.0.1"), 9, "11.0.0.1 via /0");
	T_EQ(tfib_nhg_of(&t, "10.1.2.200"), 4, "the /0 hides no longer route");
	T_EQ(tfib_del_text(&t, "10.1.2.128", 25), 0, "delete the /25");
	T_EQ(tfib_nhg_of(&t, "10.1.2.130"), 2, "10.1.2.130 falls back to /24");
	T_EQ(tfib_nhg_of(&t, "10.1.2.200"), 4, "the /32 stays");
	T_EQ(tfib_del_text(&t, "10.1.2.0", 24), 0, "delete the /24");
	T_EQ(tfib_nhg_of(&t, "10.1.2.5"), 1, "10.1.2.5 falls back to /8");
	T_EQ(tfib_del_text(&t, "10.0.0.0", 8), 0, "delete the /8");
	T_EQ(tfib_nhg_of(&t, "10.1.2.5"), 9, "10.1.2.5 falls back to /0");
	T_EQ(tfib_nhg_of(&t, "10.1.2.200"), 4, "the /32 still stays");
	tfib_verify(&t, 32, 1000);
	tfib_close(&t);
out:
	t_end();
}

static void test_fib4_api(void)
{
	struct dp_fib_stats st;
	struct tfib t;

	t_begin("fib4: replace, same value, host bits, shorter after longer, bad arguments");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	T_EQ(tfib_add_nhg(&t, "192.0.2.128", 25, 5), 0, "add a /25 first");
	T_EQ(tfib_add_nhg(&t, "192.0.2.0", 24, 6), 0, "then the /24 around it");
	T_EQ(tfib_nhg_of(&t, "192.0.2.129"), 5, "the /25 keeps its half");
	T_EQ(tfib_nhg_of(&t, "192.0.2.1"), 6, "the /24 gets the rest");
	T_EQ(tfib_add_nhg(&t, "192.0.2.0", 24, 7), 0, "replace the /24's value");
	T_EQ(tfib_nhg_of(&t, "192.0.2.1"), 7, "new value seen");
	T_EQ(tfib_nhg_of(&t, "192.0.2.129"), 5, "the /25 untouched");
	dp_fib_stats(t.fib, &st);
	T_EQ(st.vals_used, 2, "the replaced value's id is released");
	T_EQ(tfib_add_nhg(&t, "192.0.2.77", 24, 7), 0, "host bits are masked");
	T_EQ(tfib_add_nhg(&t, "192.0.2.0", 24, 7), 0, "same value again");
	dp_fib_stats(t.fib, &st);
	T_EQ(st.routes4, 2, "still two routes");
	T_EQ(st.vals_used, 2, "still two value ids");
	T_EQ(tfib_del_text(&t, "192.0.3.0", 24), -ENOENT, "delete of an absent route");
	T_EQ(tfib_del_text(&t, "192.0.2.0", 23), -ENOENT, "absent at another length");
	T_EQ(tfib_add_nhg(&t, "192.0.2.0", 33, 1), -EINVAL, "length 33");
	T_EQ(tfib_del_text(&t, "192.0.2.0", 33), -EINVAL, "delete length 33");
	tfib_verify(&t, 32, 1000);
	tfib_close(&t);
out:
	t_end();
}

static void test_fib4_orders(void)
{
	static const struct {
		const char *addr;
		unsigned int len;
	} nest[] = {
		{"0.0.0.0", 0},	     {"10.0.0.0", 8},	  {"10.1.0.0", 16},
		{"10.1.2.0", 23},    {"10.1.2.0", 24},	  {"10.1.2.128", 25},
		{"10.1.2.192", 28},  {"10.1.2.200", 32}, {"10.1.3.0", 26},
	};
	const unsigned int n = sizeof(nest) / sizeof(nest[0]);
	unsigned int order[sizeof(nest) / sizeof(nest[0])], i, round, bad = 0;
	struct tfib t;

	t_begin("fib4: nested /0../32 added and deleted in 12 random orders");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	for (i = 0; i < n; i++)
		order[i] = i;
	for (round = 0; round < 12 && !bad; round++) {
		rnd_shuffle(order, n);
		for (i = 0; i < n; i++) {
			T_EQ(tfib_add_nhg(&t, nest[order[i]].addr, nest[order[i]].len,
				  100 + order[i] + round),
			     0, "add");
			bad += tfib_verify(&t, 32, 100);
		}
		rnd_shuffle(order, n);
		for (i = 0; i < n; i++) {
			T_EQ(tfib_del_text(&t, nest[order[i]].addr, nest[order[i]].len),
			     0, "delete");
			bad += tfib_verify(&t, 32, 100);
		}
	}
	tfib_close(&t);
out:
	t_end();
}

/* One random operation: add (55 %), delete (30 %), replace (15 %). */
static int random_op(struct tfib *t, unsigned int bits, uint32_t nvals)
{
	const struct ref *ref = bits == 32 ? &t->r4 : &t->r6;
	const struct ref_route *r;
	unsigned int p = rnd_below(100);
	struct dp_rt_val v = rnd_val(nvals);
	uint32_t a[4];

	if (p < 55 || !ref->n) {
		rnd_addr(bits, a);
		return tfib_add(t, bits, a, rnd_len(bits), &v);
	}
	r = &ref->r[rnd_below(ref->n)];
	memcpy(a, r->addr, sizeof(a));
	if (p < 85)
		return tfib_del(t, bits, a, r->len);
	return tfib_add(t, bits, a, r->len, &v);
}

/* Random churn with a full check every `every` operations, then delete
 * every route and check that nothing is left behind. */
void fib_churn(unsigned int bits, unsigned int ops, unsigned int every)
{
	const struct ref *ref;
	struct dp_fib_stats st;
	unsigned int i, bad = 0;
	struct tfib t;
	int err;

	t_begin("fib%d: %u random adds, deletes and replaces, verified every %u",
		bits == 32 ? 4 : 6, ops, every);
	if (!tfib_open(&t, VALS, 4096, 65536))
		goto out;
	ref = bits == 32 ? &t.r4 : &t.r6;
	for (i = 1; i <= ops && !bad; i++) {
		err = random_op(&t, bits, 60);
		bad += !T_EQ(err, 0, "random operation");
		if (i % every == 0) {
			bad += tfib_verify(&t, bits, 2000);
			if (bits == 128)
				bad += tfib_check_nodes6(&t);
		}
	}
	t_note("%u routes after the churn", ref->n);
	while (ref->n && !bad)
		bad += !T_EQ(tfib_del(&t, bits, ref->r[0].addr, ref->r[0].len),
			     0, "delete");
	tfib_verify(&t, bits, 1000);
	dp_fib_stats(t.fib, &st);
	T_EQ(st.vals_used + st.tbl8_used + st.fib6_nodes, 0,
	     "ids, groups and nodes left after deleting everything");
	tfib_close(&t);
out:
	t_end();
}

/* The /24s the collapse test works in: few, so groups come and go. */
static void collapse_prefix(uint32_t *a, unsigned int *len)
{
	a[0] = 0x0a630000 | rnd_below(8) << 8;
	a[1] = a[2] = a[3] = 0;
	if (rnd_below(10) == 0) {
		*len = 20 + rnd_below(5);
		return;
	}
	*len = 25 + rnd_below(8);
	a[0] |= rnd() & 0xff;
}

static void test_fib4_collapse(void)
{
	unsigned int i, len, collapses = 0, bad = 0;
	struct dp_fib_stats st;
	uint32_t a[4], used = 0;
	struct dp_rt_val v;
	struct tfib t;

	t_begin("fib4: tbl8 groups created and collapsed back thousands of times");
	if (!tfib_open(&t, VALS, 32, NODES6))
		goto out;
	for (i = 0; i < 6000 && !bad; i++) {
		collapse_prefix(a, &len);
		v = rnd_val(10);
		/* Grow to about 20 routes, then shrink to none, and again. */
		if ((i / 300) % 2 == 0 || !t.r4.n)
			tfib_add(&t, 32, a, len, &v);
		else
			tfib_del(&t, 32, t.r4.r[0].addr, t.r4.r[0].len);
		dp_fib_stats(t.fib, &st);
		collapses += st.tbl8_used < used;
		used = st.tbl8_used;
		if (i % 50 == 0)
			bad += tfib_verify(&t, 32, 200);
	}
	bad += tfib_verify(&t, 32, 200);
	t_note("%u collapses", collapses);
	T_CHECK(collapses >= 100, "only %u collapses", collapses);
	tfib_close(&t);
out:
	t_end();
}

static void test_fib4_full_groups(void)
{
	struct dp_fib_stats st;
	uint64_t before;
	struct tfib t;
	char p[32];
	int i;

	t_begin("fib4: no tbl8 group left: -ENOSPC, the FIB unchanged");
	if (!tfib_open(&t, VALS, 8, NODES6))
		goto out;
	for (i = 0; i < 8; i++) {
		snprintf(p, sizeof(p), "10.0.%d.128", i);
		T_EQ(tfib_add_nhg(&t, p, 25, i + 1), 0, "a /25 in each of 8 /24s");
	}
	T_EQ(tfib_add_nhg(&t, "10.0.0.0", 26, 20), 0, "a /26 in a /24 with a group");
	before = tfib_digest(&t);
	T_EQ(tfib_add_nhg(&t, "10.0.8.128", 25, 30), -ENOSPC, "a ninth /24");
	T_EQ(tfib_digest(&t), before, "tables unchanged");
	dp_fib_stats(t.fib, &st);
	T_EQ(st.tbl8_used, 8, "groups in use");
	tfib_verify(&t, 32, 1000);
	T_EQ(tfib_del_text(&t, "10.0.3.128", 25), 0, "free one group");
	T_EQ(tfib_add_nhg(&t, "10.0.8.128", 25, 30), 0,
	     "the ninth /24 gets it (after a grace period)");
	tfib_verify(&t, 32, 1000);
	tfib_close(&t);
out:
	t_end();
}

static void test_fib4_full_vals(void)
{
	struct dp_fib_stats st;
	uint64_t before;
	struct tfib t;
	char p[32];
	int i;

	t_begin("fib4: no value id left: -ENOSPC, the FIB unchanged");
	if (!tfib_open(&t, 9, GROUPS, NODES6))
		goto out;
	for (i = 0; i < 8; i++) {
		snprintf(p, sizeof(p), "10.%d.0.0", i);
		T_EQ(tfib_add_nhg(&t, p, 16, i + 1), 0, "8 routes, 8 values");
	}
	before = tfib_digest(&t);
	T_EQ(tfib_add_nhg(&t, "10.9.0.0", 16, 9), -ENOSPC, "a ninth value");
	T_EQ(tfib_add_nhg(&t, "10.1.0.0", 16, 9), -ENOSPC, "a replace to a ninth value");
	T_EQ(tfib_add_nhg(&t, "10.1.2.0", 25, 9), -ENOSPC, "a ninth value needing a group");
	T_EQ(tfib_digest(&t), before, "tables unchanged");
	dp_fib_stats(t.fib, &st);
	T_EQ(st.tbl8_used, 0, "no group taken");
	T_EQ(tfib_add_nhg(&t, "10.9.0.0", 16, 3), 0, "a known value still fits");
	tfib_verify(&t, 32, 1000);
	tfib_close(&t);
out:
	t_end();
}

static void test_fib4_val_write_fails(void)
{
	struct dp_fib_stats st;
	uint64_t before;
	struct tfib t;

	t_begin("fib4: fib_val_map write fails: the error, the FIB unchanged");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	T_EQ(tfib_add_nhg(&t, "10.0.0.0", 8, 1), 0, "add");
	before = tfib_digest(&t);
	fake_fail_after(t.m.val_fd, 1);
	T_EQ(tfib_add_nhg(&t, "10.1.2.0", 25, 2), -ENOMEM, "add with a new value");
	T_EQ(tfib_digest(&t), before, "tables unchanged");
	dp_fib_stats(t.fib, &st);
	T_EQ(st.vals_used, 1, "value ids in use");
	T_EQ(st.tbl8_used, 0, "no group taken");
	T_EQ(tfib_add_nhg(&t, "10.1.2.0", 25, 2), 0, "the next write works");
	tfib_verify(&t, 32, 1000);
	tfib_close(&t);
out:
	t_end();
}

void test_fib4(void)
{
	test_fib4_spot();
	test_fib4_api();
	test_fib4_orders();
	fib_churn(32, 20000, 1000);
	test_fib4_collapse();
	test_fib4_full_groups();
	test_fib4_full_vals();
	test_fib4_val_write_fails();
}
