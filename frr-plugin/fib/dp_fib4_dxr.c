// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv4 ranges in front of DIR-24-8 (dp_fib_int.h, doc/fib.md "IPv4:
 * ranges"): a /16's answers as sorted ranges, derived from its DIR-24-8
 * entries at the commit after a batch of updates that touched it.
 *
 * Ordering. A /16's directory entry is stored 0 before any of its
 * DIR-24-8 entries changes, so from then on packets take DIR-24-8, whose
 * own rules keep every state they see old or new (dp_fib4.c); ranges are
 * written into a slot no packet can reach (never used, or freed a grace
 * period ago) before the release store of the entry that names them.
 * A slot freed by a /16 going to 0 may still be read by a packet that
 * loaded the old entry just before: it waits out a grace period
 * (dp_fibranges.c, which also holds the directory's bookkeeping); a /16
 * that finds no slot stays on DIR-24-8 until its next update, the answer
 * unchanged.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fib/dp_fib_int.h"

#define N_MAX DP_FIB4_DXR_N_MAX
#define CHUNKS DP_FIB4_DXR_CHUNKS
/* A /16 with more tbl8 groups (prefixes longer than /24 in more of its
 * /24s) stays on DIR-24-8: reading them all on each of its updates would
 * cost more than its ranges save (a /16 of a million /32s, say). */
#define DXR_GROUPS_MAX 16

int dp_fib4_dxr_init(struct dp_fib4_dxr *x, const struct dp_fib_maps *maps,
		     struct dp_fib_grace *grace, bool adopting)
{
	memset(x, 0, sizeof(*x));
	if (maps->dxr_dir_fd <= 0 || !maps->dxr_range_blocks)
		return 0;
	x->cap = maps->dxr_range_blocks * DP_FIB4_TBL8_GROUP_ENTRIES;
	if (x->cap > DP_FIB4_DXR_BASE_MASK + 1)
		x->cap = DP_FIB4_DXR_BASE_MASK + 1;
	x->range = dp_fib_mmap(maps->dxr_range_fd, (size_t)x->cap * sizeof(uint32_t));
	x->lo = calloc(CHUNKS, sizeof(*x->lo));
	x->hi = calloc(CHUNKS, sizeof(*x->hi));
	if (!x->range || !x->lo || !x->hi ||
	    !dp_fib_dir_init(&x->d, maps->dxr_dir_fd, CHUNKS, x->cap, grace,
			     maps->dxr_hold, adopting,
			     maps->dxr_routes_max ? maps->dxr_routes_max
						  : DP_FIB4_DXR_ROUTES_MAX))
		/* ranges only speed lookups up: without them DIR-24-8 alone
		 * answers (a directory an earlier run left is zeroed by the
		 * loader, dp_maps.c) */
		dp_fib4_dxr_fini(x);
	return 0;
}

void dp_fib4_dxr_empty(struct dp_fib4 *f)
{
	dp_fib_dir_empty(&f->dxr.d);
}

void dp_fib4_dxr_fini(struct dp_fib4_dxr *x)
{
	dp_fib_dir_fini(&x->d);
	if (x->range)
		munmap(x->range, (size_t)x->cap * sizeof(uint32_t));
	free(x->lo);
	free(x->hi);
	memset(x, 0, sizeof(*x));
}

/* ------------------------------------------------------------- ranges */

/* A /16's ranges as they are made: r (ids cut to 16 bits), first its
 * first id in full, high whether an id does not fit a range entry. */
struct dxr_out {
	uint32_t r[N_MAX];
	int n;	     /* -1: does not fit (more than N_MAX, or groups) */
	uint32_t last, first;
	bool high;
	uint32_t groups;
};

/* Range (start, id), unless id continues the last one. */
static inline void dxr_emit(struct dxr_out *o, uint32_t start, uint32_t id)
{
	if (o->n < 0 || (o->n && id == o->last))
		return;
	if (o->n == N_MAX) {
		o->n = -1;
		return;
	}
	o->high |= id > DP_FIB4_DXR_ID_MAX;
	o->r[o->n++] = start << 16 | (id & DP_FIB4_DXR_ID_MAX);
	if (o->n == 1)
		o->first = id;
	o->last = id;
}

/* DIR-24-8's answers for the low addresses [lo, hi] of /16 c. */
static void dxr_scan(const struct dp_fib4 *f, uint32_t c, uint32_t lo,
		     uint32_t hi, struct dxr_out *o)
{
	uint32_t i, j, e, g, end;

	for (i = lo >> 8; i <= hi >> 8 && o->n >= 0; i++) {
		e = f->tbl24[c << 8 | i];
		if (!(e & DP_FIB4_TBL8)) {
			dxr_emit(o, i << 8 > lo ? i << 8 : lo, e);
			continue;
		}
		if (++o->groups > DXR_GROUPS_MAX) {
			o->n = -1;
			return;
		}
		g = (e & ~DP_FIB4_TBL8) * DP_FIB4_TBL8_GROUP_ENTRIES;
		j = i << 8 < lo ? lo & 0xff : 0;
		end = (i << 8 | 0xff) > hi ? hi & 0xff : 0xff;
		for (; j <= end; j++)
			dxr_emit(o, i << 8 | j, f->tbl8[g + j]);
	}
}

/*
 * /16 c's ranges anew: its old ones (prev, its entry before this batch:
 * one id, or ranges still in their slot) with [lo, hi] read again from
 * DIR-24-8, the only addresses its updates changed; or, without old
 * ones, all of it read. A route's update writes DIR-24-8 entries only in
 * its own prefix, so outside the span the old ranges still hold, and a
 * /16 costs the entries its routes changed, not its whole 1 KiB.
 */
static void dxr_ranges_of(const struct dp_fib4 *f, uint32_t c, uint32_t prev,
			  uint32_t lo, uint32_t hi, struct dxr_out *o)
{
	const struct dp_fib4_dxr *x = &f->dxr;
	uint32_t one[1], *old = one, n_old = 1, k, at;

	o->n = 0;
	o->high = false;
	o->groups = 0;
	if (!(prev & DP_FIB4_DXR_DIRECT) || (lo == 0 && hi == 0xffff)) {
		dxr_scan(f, c, 0, 0xffff, o);
		return;
	}
	if ((prev & DP_FIB4_DXR_RANGES) == DP_FIB4_DXR_RANGES) {
		old = &x->range[dp_fib4_dxr_base(prev)];
		n_old = dp_fib4_dxr_n(prev);
	} else {
		/* one id, maybe wider than a range entry's */
		one[0] = 0;
	}
#define OLD_ID(k) (old == one ? prev & ~DP_FIB4_DXR_DIRECT \
			      : old[k] & DP_FIB4_DXR_ID_MAX)
	for (k = 0; k < n_old && (old[k] >> 16) < lo; k++)
		dxr_emit(o, old[k] >> 16, OLD_ID(k));
	dxr_scan(f, c, lo, hi, o);
	if (hi == 0xffff || o->n < 0)
		return;
	/* the old answer at hi + 1, then the old ranges after it */
	for (at = 0, k = 0; k < n_old && (old[k] >> 16) <= hi + 1; k++)
		at = k;
	dxr_emit(o, hi + 1, OLD_ID(at));
	for (; k < n_old; k++)
		dxr_emit(o, old[k] >> 16, OLD_ID(k));
#undef OLD_ID
}

/* Build /16 c (its entry is 0, it holds no slot) from its entry before
 * the batch and the span the batch changed (dxr_ranges_of()); it stays
 * on DIR-24-8 if its ranges do not fit. */
static void dxr_build(void *owner, uint32_t c)
{
	struct dp_fib4 *f = owner;
	struct dp_fib4_dxr *x = &f->dxr;
	uint32_t prev = x->d.prev[c], lo = prev ? x->lo[c] : 0;
	uint32_t hi = prev ? x->hi[c] : 0xffff, size;
	struct dxr_out o;
	int64_t base;

	dxr_ranges_of(f, c, prev, lo, hi, &o);
	if (o.n == 1) {
		/* bit 30 would read as DP_FIB4_DXR_RANGES */
		if (o.first < (DP_FIB4_DXR_RANGES & ~DP_FIB4_DXR_DIRECT))
			dp_fib_dir_set(&x->d, c, DP_FIB4_DXR_DIRECT | o.first);
		return;
	}
	if (o.n < 0 || o.high)
		return;
	size = o.n;
	base = dp_fib_slots_alloc(&x->d.pool, &size);
	if (base < 0)
		return;
	memcpy(&x->range[base], o.r, o.n * sizeof(o.r[0]));
	dp_fib_dir_name(&x->d, c, (uint32_t)base, o.n, size);
}

/*
 * /16s of [addr, addr + 2^(32-len)) to DIR-24-8. Each keeps its entry of
 * before the batch and its old slot until it is built again, and the
 * span of low addresses the batch's updates change in it.
 */
void dp_fib4_dxr_touch(struct dp_fib4 *f, uint32_t addr, uint8_t len)
{
	struct dp_fib4_dxr *x = &f->dxr;
	uint32_t c, first, last, lo, hi;

	if (!x->d.dir || !x->d.on)
		return;
	first = addr >> 16;
	last = len >= 16 ? first : first + (1u << (16 - len)) - 1;
	lo = len >= 16 ? addr & 0xffff : 0;
	hi = len >= 16 ? lo + (0xffffu >> (len - 16)) : 0xffff;
	for (c = first; c <= last; c++) {
		if (dp_fib_dir_touch(&x->d, c)) {
			x->lo[c] = lo;
			x->hi[c] = hi;
			continue;
		}
		if (lo < x->lo[c])
			x->lo[c] = lo;
		if (hi > x->hi[c])
			x->hi[c] = hi;
	}
}

void dp_fib4_dxr_flush(struct dp_fib4 *f)
{
	if (!f->live24)
		dp_fib_dir_flush(&f->dxr.d, f->nrules, dxr_build, NULL, f);
}

void dp_fib4_dxr_adopt_end(struct dp_fib4 *f)
{
	dp_fib4_dxr_flush(f);
}

uint32_t dp_fib4_dxr_lookup(const struct dp_fib4_dxr *x, uint32_t a,
			    bool *hit)
{
	uint32_t d, key = a & 0xffff, lo, n, half, e, i;

	*hit = false;
	if (!x->d.dir)
		return 0;
	d = dp_fib_dir_entry(&x->d, a >> 16);
	if (!(d & DP_FIB4_DXR_DIRECT))
		return 0;
	*hit = true;
	if ((d & DP_FIB4_DXR_RANGES) != DP_FIB4_DXR_RANGES)
		return d & ~DP_FIB4_DXR_DIRECT;
	/* as bpf/lib/fib4.h's dp_fib4_ranges() */
	lo = dp_fib4_dxr_base(d);
	n = dp_fib4_dxr_n(d);
	for (i = 0; i < DP_FIB4_DXR_SEARCH_STEPS && n > 1; i++) {
		half = n >> 1;
		e = lo + half < x->cap ? x->range[lo + half] : 0;
		lo += half & (((key - (e >> 16)) >> 31) - 1);
		n -= half;
	}
	return (lo < x->cap ? x->range[lo] : 0) & DP_FIB4_DXR_ID_MAX;
}
