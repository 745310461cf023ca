// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every state a packet can see. Routes change around stable ones (the
 * churn of ref_churn_prefix(), which never changes a probe's answer);
 * after each single store into the IPv4 tables (dp_fib4.c is built here
 * with DP_FIB4_STORE = fib_test_store) and each map write, every probe
 * must still get its stable route's value. That includes a slow packet:
 * one that read a tbl24 entry or a value id at any moment since the last
 * grace period and follows it only now, so a tbl8 group or a value id
 * reused too early is caught too.
 */
#include <arpa/inet.h>
#include <string.h>

#include "fib/dp_fib_int.h"
#include "dp_test.h"
#include "fake_bpf.h"
#include "fixture.h"
#include "tests_fib.h"

#define STABLE 3  /* of each kind */
#define PROBES 3  /* per stable route */
#define SEEN_MAX 256
#define OPS 3000

struct watch {
	unsigned int bits;
	uint32_t addr[4]; /* the probe, host order */
	struct dp_rt_val want;
	uint32_t seen24[SEEN_MAX]; /* tbl24 entries read since the grace */
	uint32_t ids[SEEN_MAX];	   /* value ids read since the grace */
	unsigned int n24, nids;
};

static struct {
	struct tfib *t;
	struct watch w[3 * STABLE * PROBES];
	unsigned int nw;
	unsigned long states, graces;
	unsigned int bad;
} st;

static void remember(uint32_t *set, unsigned int *n, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (set[i] == v)
			return;
	if (*n == SEEN_MAX) {
		st.bad += !T_CHECK(false, "more than %d values seen", SEEN_MAX);
		return;
	}
	set[(*n)++] = v;
}

/* What a packet reading w's tbl24 entry at any time since the grace
 * period and its tbl8 entry now finds. */
static void watch_read4(struct watch *w)
{
	const struct dp_fib4 *f = &st.t->fib->v4;
	uint32_t a = w->addr[0], e, i;

	remember(w->seen24, &w->n24,
		 __atomic_load_n(&f->tbl24[a >> 8], __ATOMIC_ACQUIRE));
	for (i = 0; i < w->n24; i++) {
		e = w->seen24[i];
		if (e & DP_FIB4_TBL8)
			e = f->tbl8[(e & ~DP_FIB4_TBL8) *
					    DP_FIB4_TBL8_GROUP_ENTRIES +
				    (a & 0xff)];
		remember(w->ids, &w->nids, e);
	}
}

static void watch_check(struct watch *w)
{
	struct dp_rt_val v;
	uint32_t be[4], i;

	if (w->bits == 32) {
		watch_read4(w);
	} else {
		for (i = 0; i < 4; i++)
			be[i] = htonl(w->addr[i]);
		remember(w->ids, &w->nids, dp_fib_lookup6(st.t->fib, be));
	}
	for (i = 0; i < w->nids; i++) {
		if (tfib_val_is(st.t, w->ids[i], &w->want, &v))
			continue;
		st.bad += !T_CHECK(false,
				   "state %lu: probe %08x.. (/%u family) read id %u = nhg %u, want nhg %u",
				   st.states, w->addr[0], w->bits, w->ids[i],
				   v.nhg_id, w->want.nhg_id);
		w->nids = 0; /* report each bad read once */
	}
}

static void states_check(void)
{
	unsigned int i;

	if (!st.t)
		return;
	st.states++;
	for (i = 0; i < st.nw; i++)
		watch_check(&st.w[i]);
}

void (*fib_test_store_watch)(void);

void fib_test_store(uint32_t *entry, uint32_t v)
{
	__atomic_store_n(entry, v, __ATOMIC_RELEASE);
	states_check();
	if (fib_test_store_watch)
		fib_test_store_watch();
}

/* After a grace period no packet holds anything read before it. */
static int states_grace(void)
{
	unsigned int i;

	st.graces++;
	for (i = 0; i < st.nw; i++)
		st.w[i].n24 = st.w[i].nids = 0;
	return 0;
}

static void stable_route(unsigned int j, unsigned int *bits, uint32_t *a,
			 unsigned int *len)
{
	unsigned int k = j % STABLE;

	memset(a, 0, 4 * sizeof(*a));
	*bits = 32;
	if (j < STABLE) {
		a[0] = 0x0ac80000 | k << 8;
		*len = 24;
	} else if (j < 2 * STABLE) {
		a[0] = 0x0ac90000 | k << 8;
		*len = 26;
	} else {
		*bits = 128;
		a[0] = 0x20010db8;
		a[1] = 0x01000000 | k;
		*len = 64;
	}
}

static void states_setup(struct tfib *t)
{
	const uint32_t lo[4] = {0}, hi[4] = {~0u, ~0u, ~0u, ~0u};
	unsigned int j, p, bits, len;
	uint32_t a[4], r[4];
	unsigned int i;
	struct watch *w;

	for (j = 0; j < 3 * STABLE; j++) {
		stable_route(j, &bits, a, &len);
		for (p = 0; p < PROBES; p++) {
			w = &st.w[st.nw++];
			memset(w, 0, sizeof(*w));
			for (i = 0; i < 4; i++)
				r[i] = p == 0 ? lo[i] : p == 1 ? hi[i] : rnd();
			w->bits = bits;
			ref_probe(bits, a, len, r, w->addr);
			w->want.type = DP_RT_NHG;
			w->want.nhg_id = 1000 + j;
		}
		T_EQ(tfib_add(t, bits, a, len, &st.w[st.nw - 1].want), 0,
		     "stable route");
	}
}

void test_states(void)
{
	unsigned int i, j, bits, len, slen, nstable, errors = 0;
	struct dp_rt_val v = {.type = DP_RT_NHG};
	const struct ref *ref;
	uint32_t s[4], a[4];
	struct tfib t;

	t_begin("fib4+fib6: every state during churn, and every stale read since the last grace period, keeps stable routes");
	/* Few value ids and groups, so that both are reused all the time. */
	if (!tfib_open(&t, 16, 6, 4096))
		goto out;
	memset(&st, 0, sizeof(st));
	states_setup(&t);
	t.fib->grace.wait = states_grace;
	st.t = &t;
	fake_on_write(states_check);
	for (i = 0; i < OPS && !st.bad; i++) {
		j = rnd_below(3 * STABLE);
		stable_route(j, &bits, s, &slen);
		ref = bits == 32 ? &t.r4 : &t.r6;
		v.nhg_id = 1 + rnd_below(6);
		nstable = bits == 32 ? 2 * STABLE : STABLE;
		if (rnd_below(2) && ref->n > nstable) {
			/* a churn route (the stable ones come first) */
			j = nstable + rnd_below(ref->n - nstable);
			memcpy(a, ref->r[j].addr, sizeof(a));
			len = ref->r[j].len;
			if (rnd_below(3))
				errors += tfib_del(&t, bits, a, len) != 0;
			else
				errors += tfib_add(&t, bits, a, len, &v) != 0;
			continue;
		}
		len = ref_churn_prefix(bits, s, slen, a);
		errors += tfib_add(&t, bits, a, len, &v) != 0;
	}
	fake_on_write(NULL);
	st.t = NULL;
	t_note("%lu states checked, %lu grace periods, %u+%u routes at the end",
	       st.states, st.graces, t.r4.n, t.r6.n);
	T_EQ(errors, 0, "updates that failed");
	T_CHECK(st.graces >= 10 && st.states >= 10000,
		"too few states or reuses to prove anything");
	tfib_verify(&t, 32, 1000);
	tfib_verify(&t, 128, 1000);
	tfib_close(&t);
out:
	t_end();
}
