// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv6 binary search on lengths against the reference: markers and their
 * best-match values, /0 and /128, replacement, random churn, a full node
 * table, and map writes failing at every step of an update.
 */
#include <errno.h>
#include <stdio.h>

#include "dp_test.h"
#include "fake_bpf.h"
#include "fixture.h"
#include "tests_fib.h"

#define GROUPS 16
#define VALS 4096
#define NODES6 65536

static uint32_t nodes(struct tfib *t)
{
	struct dp_fib_stats st;

	dp_fib_stats(t->fib, &st);
	return st.fib6_nodes;
}

static void test_fib6_spot(void)
{
	struct tfib t;

	t_begin("fib6: markers and best matches by hand-checked expectations");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	T_EQ(tfib_add_nhg(&t, "2001:db8:1:2::", 64, 1), 0, "add a /64");
	T_EQ(nodes(&t), 1, "/64 is the root: no marker");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1:2::1"), 1, "inside the /64");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1:3::1"), 0, "outside: no route");
	T_EQ(tfib_add_nhg(&t, "2001:db8:1::", 48, 2), 0, "add a /48 around it");
	T_EQ(nodes(&t), 3, "the /48 needs a marker at /32");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1:3::1"), 2, "in the /48 only");
	T_EQ(tfib_add_nhg(&t, "2001:db8:1:2::5", 128, 3), 0, "add a /128");
	T_EQ(nodes(&t), 10,
	     "markers at 96 112 120 124 126 127 (and on the /64)");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1:2::5"), 3, "the /128");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1:2::4"), 1, "its neighbour: the /64");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1:2::7"), 1, "on its search path: the /64");
	T_EQ(tfib_add_nhg(&t, "::", 0, 4), 0, "add ::/0");
	T_EQ(nodes(&t), 11, "/0 is reached going shorter: no marker");
	T_EQ(tfib_nhg_of(&t, "3000::1"), 4, "default route");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1:2::5"), 3, "the /128 still");
	T_EQ(tfib_del_text(&t, "2001:db8:1:2::", 64), 0, "delete the /64");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1:2::1"), 2, "falls back to the /48");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1:2::5"), 3, "the /128 still");
	T_EQ(nodes(&t), 11, "the /64 stays as a marker");
	T_EQ(tfib_del_text(&t, "2001:db8:1:2::5", 128), 0, "delete the /128");
	T_EQ(tfib_nhg_of(&t, "2001:db8:1:2::5"), 2, "falls back to the /48");
	T_EQ(nodes(&t), 3, "its markers are gone");
	tfib_verify(&t, 128, 1000);
	tfib_check_nodes6(&t);
	tfib_close(&t);
out:
	t_end();
}

static void test_fib6_api(void)
{
	struct dp_fib_stats st;
	struct tfib t;

	t_begin("fib6: replace, same value, host bits, bad arguments");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	T_EQ(tfib_add_nhg(&t, "2001:db8:5::", 48, 1), 0, "add");
	T_EQ(tfib_add_nhg(&t, "2001:db8:5:1::", 64, 2), 0, "add a /64 inside");
	T_EQ(tfib_add_nhg(&t, "2001:db8:5::", 48, 3), 0, "replace the /48's value");
	T_EQ(tfib_nhg_of(&t, "2001:db8:5:2::1"), 3, "new value");
	T_EQ(tfib_nhg_of(&t, "2001:db8:5:1::1"), 2, "the /64 untouched");
	T_EQ(tfib_add_nhg(&t, "2001:db8:5:ffff::1", 48, 3), 0,
	     "host bits masked, same value");
	dp_fib_stats(t.fib, &st);
	T_EQ(st.routes6, 2, "two routes");
	T_EQ(st.vals_used, 2, "the replaced value's id is released");
	T_EQ(tfib_del_text(&t, "2001:db8:6::", 48), -ENOENT, "delete of an absent route");
	T_EQ(tfib_del_text(&t, "2001:db8::", 32), -ENOENT,
	     "a marker is not a route");
	T_EQ(tfib_add_nhg(&t, "2001:db8::", 129, 1), -EINVAL, "length 129");
	T_EQ(tfib_del_text(&t, "2001:db8::", 129), -EINVAL, "delete length 129");
	tfib_verify(&t, 128, 1000);
	tfib_check_nodes6(&t);
	tfib_close(&t);
out:
	t_end();
}

static void test_fib6_orders(void)
{
	static const struct {
		const char *addr;
		unsigned int len;
	} nest[] = {
		{"::", 0},
		{"2000::", 3},
		{"2001:db8::", 32},
		{"2001:db8:1::", 48},
		{"2001:db8:1:2::", 64},
		{"2001:db8:1:2:8000::", 65},
		{"2001:db8:1:2::", 96},
		{"2001:db8:1:2::4", 127},
		{"2001:db8:1:2::5", 128},
		{"2001:db8:1:3::", 63},
	};
	const unsigned int n = sizeof(nest) / sizeof(nest[0]);
	unsigned int order[sizeof(nest) / sizeof(nest[0])], i, k;
	unsigned int round, bad = 0;
	struct tfib t;

	t_begin("fib6: nested /0../128 added and deleted in 12 random orders");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	for (i = 0; i < n; i++)
		order[i] = i;
	for (round = 0; round < 24 && !bad; round++) {
		rnd_shuffle(order, n);
		for (i = 0; i < n; i++) {
			k = order[i];
			if (round % 2 == 0)
				T_EQ(tfib_add_nhg(&t, nest[k].addr, nest[k].len,
					  100 + k + round),
				     0, "add");
			else
				T_EQ(tfib_del_text(&t, nest[k].addr, nest[k].len), 0,
				     "delete");
			bad += tfib_verify(&t, 128, 100);
			bad += tfib_check_nodes6(&t);
		}
	}
	tfib_close(&t);
out:
	t_end();
}

static void test_fib6_full(void)
{
	uint64_t before;
	struct tfib t;
	char p[64];
	int i;

	t_begin("fib6: node table full: -ENOSPC, the FIB unchanged");
	if (!tfib_open(&t, VALS, GROUPS, 10))
		goto out;
	for (i = 0; i < 8; i++) {
		snprintf(p, sizeof(p), "2001:db8:0:%x::", i);
		T_EQ(tfib_add_nhg(&t, p, 64, i + 1), 0, "8 /64s, one node each");
	}
	before = tfib_digest(&t);
	T_EQ(tfib_add_nhg(&t, "2001:db8:1::1", 128, 9), -ENOSPC,
	     "a /128 needing 7 more nodes");
	T_EQ(tfib_digest(&t), before, "tables unchanged");
	T_EQ(nodes(&t), 8, "nodes");
	tfib_verify(&t, 128, 1000);
	tfib_check_nodes6(&t);
	T_EQ(tfib_add_nhg(&t, "2001:db8:1::", 48, 9), 0, "a /48: marker + node fit");
	T_EQ(tfib_add_nhg(&t, "2001:db8:2::", 48, 9), -ENOSPC, "the eleventh node");
	T_EQ(tfib_add_nhg(&t, "2001:db8:0:1::", 64, 10), 0,
	     "a replace needs no node");
	tfib_verify(&t, 128, 1000);
	tfib_check_nodes6(&t);
	tfib_close(&t);
out:
	t_end();
}

/*
 * Make the k-th map write of an update fail, for every k until the
 * update gets through: each failure must return the error and leave the
 * FIB exactly as it was. Returns how many writes the update took.
 */
static unsigned int fail_every_write(struct tfib *t, bool add,
				     const char *prefix, unsigned int len)
{
	unsigned int k, bad = 0;
	uint64_t before;
	int err;

	for (k = 1; k < 1000 && !bad; k++) {
		before = tfib_digest(t);
		fake_fail_after(t->m.fib6_fd, k);
		err = add ? tfib_add_nhg(t, prefix, len, 77) : tfib_del_text(t, prefix, len);
		fake_fail_after(t->m.fib6_fd, 0);
		if (!err)
			return k - 1;
		bad += !T_EQ(err, -ENOMEM, "the failed write's error");
		bad += !T_EQ(tfib_digest(t), before, "the map as before");
		bad += tfib_verify(t, 128, 200);
		bad += tfib_check_nodes6(t);
	}
	return 0;
}

static void test_fib6_write_fails(void)
{
	static const char *const under[] = {
		"2001:db8:0:1::5", "2001:db8:0:1::6", "2001:db8:7:2::",
		"2001:db8:7:3::", "2001:db8:ff00::"};
	static const unsigned int under_len[] = {128, 128, 56, 64, 40};
	unsigned int i, writes;
	uint64_t before;
	struct tfib t;

	t_begin("fib6: a map write fails at each step of an update: FIB unchanged");
	if (!tfib_open(&t, VALS, GROUPS, NODES6))
		goto out;
	T_EQ(tfib_add_nhg(&t, "::", 0, 1), 0, "a default route");
	for (i = 0; i < 5; i++)
		T_EQ(tfib_add_nhg(&t, under[i], under_len[i], 10 + i), 0,
		     "routes whose markers the /32 will cover");
	writes = fail_every_write(&t, true, "2001:db8::", 32);
	t_note("adding the /32 takes %u map writes", writes);
	T_CHECK(writes >= 5, "the /32 fixes the best match below it");
	writes = fail_every_write(&t, true, "2001:db8:0:2::4", 127);
	T_CHECK(writes >= 5, "a /127 with new markers: %u writes", writes);
	writes = fail_every_write(&t, false, "2001:db8::", 32);
	T_CHECK(writes >= 5, "deleting the /32: %u writes", writes);
	writes = fail_every_write(&t, false, "2001:db8:0:2::4", 127);
	T_CHECK(writes >= 5, "deleting the /127: %u writes", writes);

	before = tfib_digest(&t);
	fake_fail_after(t.m.val_fd, 1);
	T_EQ(tfib_add_nhg(&t, "2001:db8:9::", 48, 99), -ENOMEM,
	     "fib_val_map write fails");
	T_EQ(tfib_digest(&t), before, "the map as before");
	tfib_verify(&t, 128, 1000);
	tfib_check_nodes6(&t);
	tfib_close(&t);
out:
	t_end();
}

void test_fib6(void)
{
	test_fib6_spot();
	test_fib6_api();
	test_fib6_orders();
	fib_churn(128, 10000, 500);
	test_fib6_full();
	test_fib6_write_fails();
}
