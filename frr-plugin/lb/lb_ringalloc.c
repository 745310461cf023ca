// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ranges of lb_ring_map's slots (lb.h): a sorted list of free ranges,
 * first fit, neighbours merged. A freed range is quarantined: a packet
 * that looked its VIP up just before the VIP moved to a new ring may
 * still read the old one, so the old slots get new backend ids only after
 * a grace period, the same wait the FIB uses before reusing an id
 * (dp_fib_grace_rcu()). As in the FIB, the wait is taken only when an
 * allocation needs the quarantined slots. Owner pthread.
 */
#include <zebra.h>

#include "lib/memory.h"

#include "core/dp_plugin.h"
#include "fib/dp_fib.h"
#include "lb/lb.h"

DEFINE_MTYPE_STATIC(EBPF, LB_RANGES, "eBPF load-balancer ring ranges");

struct lb_ranges {
	struct lb_range *r;
	uint32_t n, cap;
};

static struct lb_ranges lb_free_ranges; /* sorted by base, merged */
static struct lb_ranges lb_quarantine;
static uint32_t lb_ring_slots, lb_ring_used;

static void lb_ranges_insert(struct lb_ranges *l, uint32_t at,
			     const struct lb_range *r)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->r = XREALLOC(MTYPE_LB_RANGES, l->r, l->cap * sizeof(*l->r));
	}
	memmove(&l->r[at + 1], &l->r[at], (l->n - at) * sizeof(*l->r));
	l->r[at] = *r;
	l->n++;
}

static void lb_ranges_remove(struct lb_ranges *l, uint32_t at)
{
	memmove(&l->r[at], &l->r[at + 1], (l->n - at - 1) * sizeof(*l->r));
	l->n--;
}

/* Into the free list, merged with its neighbours. */
static void lb_free_insert(const struct lb_range *r)
{
	struct lb_ranges *l = &lb_free_ranges;
	uint32_t at = 0;

	while (at < l->n && l->r[at].base < r->base)
		at++;
	lb_ranges_insert(l, at, r);
	if (at + 1 < l->n &&
	    l->r[at].base + l->r[at].len == l->r[at + 1].base) {
		l->r[at].len += l->r[at + 1].len;
		lb_ranges_remove(l, at + 1);
	}
	if (at > 0 && l->r[at - 1].base + l->r[at - 1].len == l->r[at].base) {
		l->r[at - 1].len += l->r[at].len;
		lb_ranges_remove(l, at);
	}
}

void lb_ring_alloc_init(uint32_t slots)
{
	lb_ring_alloc_fini();
	lb_ring_slots = slots;
	if (slots)
		lb_free_insert(&(struct lb_range){.base = 0, .len = slots});
}

void lb_ring_alloc_fini(void)
{
	XFREE(MTYPE_LB_RANGES, lb_free_ranges.r);
	XFREE(MTYPE_LB_RANGES, lb_quarantine.r);
	memset(&lb_free_ranges, 0, sizeof(lb_free_ranges));
	memset(&lb_quarantine, 0, sizeof(lb_quarantine));
	lb_ring_slots = lb_ring_used = 0;
}

static bool lb_first_fit(uint32_t len, struct lb_range *out)
{
	struct lb_ranges *l = &lb_free_ranges;

	for (uint32_t i = 0; i < l->n; i++) {
		if (l->r[i].len < len)
			continue;
		out->base = l->r[i].base;
		out->len = len;
		l->r[i].base += len;
		l->r[i].len -= len;
		if (!l->r[i].len)
			lb_ranges_remove(l, i);
		lb_ring_used += len;
		return true;
	}
	return false;
}

int lb_ring_alloc(uint32_t len, struct lb_range *r)
{
	if (!len)
		return -EINVAL;
	if (lb_first_fit(len, r))
		return 0;
	if (!lb_quarantine.n)
		return -ENOSPC;
	/* Every quarantined range is released by one grace period. */
	dp_fib_grace_rcu();
	for (uint32_t i = 0; i < lb_quarantine.n; i++)
		lb_free_insert(&lb_quarantine.r[i]);
	lb_quarantine.n = 0;
	return lb_first_fit(len, r) ? 0 : -ENOSPC;
}

/* Exactly this range (an earlier run's ring), if it is free whole. */
int lb_ring_alloc_take(const struct lb_range *r)
{
	struct lb_ranges *l = &lb_free_ranges;

	for (uint32_t i = 0; i < l->n; i++) {
		struct lb_range f = l->r[i], after;

		if (r->base < f.base || r->base + r->len > f.base + f.len)
			continue;
		after.base = r->base + r->len;
		after.len = f.base + f.len - after.base;
		lb_ranges_remove(l, i);
		if (r->base > f.base)
			lb_free_insert(&(struct lb_range){
				.base = f.base, .len = r->base - f.base});
		if (after.len)
			lb_free_insert(&after);
		lb_ring_used += r->len;
		return 0;
	}
	return -EBUSY;
}

void lb_ring_free(const struct lb_range *r)
{
	if (!r->len)
		return;
	lb_ring_used -= r->len;
	lb_ranges_insert(&lb_quarantine, lb_quarantine.n, r);
}

void lb_ring_alloc_usage(uint32_t *used, uint32_t *quarantined,
			 uint32_t *slots)
{
	uint32_t q = 0;

	for (uint32_t i = 0; i < lb_quarantine.n; i++)
		q += lb_quarantine.r[i].len;
	*used = lb_ring_used;
	*quarantined = q;
	*slots = lb_ring_slots;
}
