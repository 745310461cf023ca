// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv6 ranges in front of the binary search on lengths (dp_fib_int.h,
 * doc/fib.md "IPv6: ranges"): a /20 of 2000::/3's answers as sorted
 * ranges of the destinations' top 64 bits, built from the trie's prefixes
 * at the commit after a batch of updates that touched it. A /64 that
 * holds a longer prefix is one range whose id sends the lookup on to the
 * binary search, which answers it exactly.
 *
 * Ordering, as for the IPv4 ranges (dp_fib4_dxr.c): a /20's directory
 * entry is stored 0 before the first fib6_map write of an update in it,
 * so from then on packets take the binary search, whose own order keeps
 * every state they see old or new (dp_fib6.c); ranges are written into a
 * slot no packet can reach before the release store of the entry that
 * names them, and a slot given up waits out a grace period
 * (dp_fibranges.c, which also holds the directory's bookkeeping).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fib/dp_fib_int.h"

#define N_MAX DP_FIB4_DXR_N_MAX
#define CHUNKS DP_FIB6_DXR_CHUNKS
#define CHUNK_BITS DP_FIB6_DXR_CHUNK_BITS
/* top-64-bit addresses in a /20 */
#define CHUNK_SPAN (~0ull >> CHUNK_BITS)

int dp_fib6_dxr_init(struct dp_fib6_dxr *x, const struct dp_fib_maps *maps,
		     struct dp_fib_grace *grace, bool adopting)
{
	memset(x, 0, sizeof(*x));
	if (maps->dxr6_dir_fd <= 0 || !maps->dxr6_range_blocks)
		return 0;
	x->cap = maps->dxr6_range_blocks * DP_FIB6_DXR_RANGE_BLOCK;
	if (x->cap > DP_FIB4_DXR_BASE_MASK + 1)
		x->cap = DP_FIB4_DXR_BASE_MASK + 1;
	x->range = dp_fib_mmap(maps->dxr6_range_fd,
			       (size_t)x->cap * sizeof(uint64_t));
	x->out = calloc(N_MAX, sizeof(*x->out));
	if (!x->range || !x->out ||
	    !dp_fib_dir_init(&x->d, maps->dxr6_dir_fd, CHUNKS, x->cap, grace,
			     maps->dxr_hold, adopting,
			     maps->dxr6_routes_max ? maps->dxr6_routes_max
						   : DP_FIB6_DXR_ROUTES_MAX))
		/* ranges only speed lookups up: without them the binary
		 * search alone answers (a directory an earlier run left is
		 * zeroed by the loader, dp_maps.c) */
		dp_fib6_dxr_fini(x);
	/* an empty table (the map was emptied before): no route anywhere */
	dp_fib_dir_empty(&x->d);
	return 0;
}

void dp_fib6_dxr_fini(struct dp_fib6_dxr *x)
{
	dp_fib_dir_fini(&x->d);
	if (x->range)
		munmap(x->range, (size_t)x->cap * sizeof(uint64_t));
	free(x->out);
	memset(x, 0, sizeof(*x));
}

/* ------------------------------------------------------------- ranges */

/*
 * A /20's ranges from its prefixes in address order (a prefix before the
 * longer ones under it): prefix intervals are nested or disjoint, so a
 * stack of the open ones says who answers each stretch between two
 * interval edges. In top-64-bit space a prefix longer than /64 is the
 * one address of its /64, answered by the binary search.
 */
struct dxr6_sweep {
	struct dp_fib6_dxr *x;
	uint64_t end[130];
	uint32_t val[130];
	int depth;
	uint64_t cur; /* the first address not yet given a range */
	uint32_t n;   /* ranges; N_MAX + 1: too many */
	bool high;    /* an id too wide for a range entry (or taken for
		       * DP_FIB6_DXR_SEARCH) */
};

/* Range (start, id), unless id continues the last one. */
static void dxr6_emit(struct dxr6_sweep *s, uint64_t start, uint32_t id)
{
	uint64_t *out = s->x->out;

	if (s->n > N_MAX ||
	    (s->n && (out[s->n - 1] & DP_FIB6_DXR_ID_MASK) == id))
		return;
	if (s->n == N_MAX) {
		s->n = N_MAX + 1;
		return;
	}
	out[s->n++] = start << CHUNK_BITS | id;
}

/* The innermost open interval ends: the stretch up to its end is its. */
static void dxr6_close(struct dxr6_sweep *s)
{
	uint64_t end = s->end[s->depth];

	if (s->cur <= end) {
		dxr6_emit(s, s->cur, s->val[s->depth]);
		s->cur = end + 1;
	}
	s->depth--;
}

static bool dxr6_prefix(void *ctx, const uint32_t *addr, unsigned int len,
			uint32_t val)
{
	struct dxr6_sweep *s = ctx;
	uint64_t start = (uint64_t)addr[0] << 32 | addr[1], end = start;

	/* len > CHUNK_BITS here */
	if (len < 64)
		end |= ~0ull >> len;
	if (len > 64)
		val = DP_FIB6_DXR_SEARCH;
	else
		s->high |= val >= DP_FIB6_DXR_SEARCH;
	while (s->end[s->depth] < start)
		dxr6_close(s);
	if (start > s->cur)
		dxr6_emit(s, s->cur, s->val[s->depth]);
	s->cur = start;
	s->depth++;
	s->end[s->depth] = end;
	s->val[s->depth] = val;
	return s->n <= N_MAX;
}

/*
 * The entry of the /len (20 or 24) at top-64-bit address first: 0 (the
 * binary search answers), DIRECT | id, or its ranges in a slot of *size
 * entries (else *size 0); *dense when it has more ranges than an entry
 * may name.
 */
static uint32_t dxr6_part(struct dp_fib6 *f, uint64_t first, unsigned int len,
			  uint32_t *size, bool *dense)
{
	struct dp_fib6_dxr *x = &f->dxr;
	uint32_t addr[4] = {first >> 32, (uint32_t)first, 0, 0}, id;
	struct dxr6_sweep s = {.x = x, .cur = first};
	int64_t base;

	*size = 0;
	s.end[0] = first | ~0ull >> len;
	s.val[0] = dp_fib6_cover(f, addr, len);
	s.high = s.val[0] >= DP_FIB6_DXR_SEARCH;
	dp_fib6_prefixes_under(f, addr, len, dxr6_prefix, &s);
	while (s.depth >= 0 && s.n <= N_MAX)
		dxr6_close(&s);
	*dense = s.n > N_MAX;
	if (*dense || s.high)
		return 0;
	if (s.n == 1) {
		id = x->out[0] & DP_FIB6_DXR_ID_MASK;
		return id == DP_FIB6_DXR_SEARCH ? 0 : DP_FIB4_DXR_DIRECT | id;
	}
	*size = s.n;
	base = dp_fib_slots_alloc(&x->d.pool, size);
	if (base < 0) {
		*size = 0;
		return 0;
	}
	memcpy(&x->range[base], x->out, s.n * sizeof(x->out[0]));
	return dp_fib4_dxr_ranges((uint32_t)base, s.n);
}

/*
 * A /20 too dense for one set of ranges (a region where a registry's
 * allocations pile up): its 16 /24s each get an entry of their own, in a
 * slot of 16 whose high halves keep their slots' sizes.
 */
static void dxr6_build_sub(struct dp_fib6 *f, uint32_t c, uint64_t first)
{
	struct dp_fib6_dxr *x = &f->dxr;
	uint64_t sub[DP_FIB6_DXR_SUB_N];
	uint32_t i, e, size, bsize = DP_FIB6_DXR_SUB_N, used = 0;
	int64_t base;
	bool dense;

	for (i = 0; i < DP_FIB6_DXR_SUB_N; i++) {
		e = dxr6_part(f, first | (uint64_t)i << (64 - CHUNK_BITS -
							  DP_FIB6_DXR_SUB_BITS),
			      CHUNK_BITS + DP_FIB6_DXR_SUB_BITS, &size, &dense);
		sub[i] = (uint64_t)size << 32 | e;
		used += size;

	}
	base = dp_fib_slots_alloc(&x->d.pool, &bsize);
	if (base < 0) {
		/* the /20 stays on the search; its /24s' slots, never
		 * named, go back (after a grace period, as any) */
		for (i = 0; i < DP_FIB6_DXR_SUB_N; i++)
			if (sub[i] >> 32)
				dp_fib_dir_free(&x->d,
						dp_fib4_dxr_base((uint32_t)sub[i]),
						sub[i] >> 32);
		return;
	}
	memcpy(&x->range[base], sub, sizeof(sub));
	x->d.slot[c] = bsize;
	x->d.used += bsize + used;
	dp_fib_dir_set(&x->d, c, DP_FIB6_DXR_SUB | (uint32_t)base);
}

/* Build /20 c (its entry is 0, it holds no slot); it stays on the
 * binary search if its ranges do not fit. */
static void dxr6_build(void *owner, uint32_t c)
{
	struct dp_fib6 *f = owner;
	uint64_t first = 1ull << 61 | (uint64_t)c << (64 - CHUNK_BITS);
	uint32_t e, size;
	bool dense;

	e = dxr6_part(f, first, CHUNK_BITS, &size, &dense);
	if (dense)
		dxr6_build_sub(f, c, first);
	else if (size)
		dp_fib_dir_name(&f->dxr.d, c, dp_fib4_dxr_base(e),
				dp_fib4_dxr_n(e), size);
	else if (e)
		dp_fib_dir_set(&f->dxr.d, c, e);
}

/* /20 c's old slot (prev: its entry before the batch), and its /24s'
 * slots if it had them: they wait out a grace period. */
static void dxr6_release(void *owner, uint32_t c, uint32_t prev,
			 uint32_t size)
{
	struct dp_fib6_dxr *x = &((struct dp_fib6 *)owner)->dxr;
	uint32_t base = dp_fib4_dxr_base(prev), i;
	uint64_t e;

	if ((prev & DP_FIB4_DXR_RANGES) == DP_FIB6_DXR_SUB)
		for (i = 0; i < DP_FIB6_DXR_SUB_N; i++) {
			e = x->range[base + i];
			if (!(e >> 32))
				continue;
			dp_fib_dir_free(&x->d, dp_fib4_dxr_base((uint32_t)e),
					e >> 32);
			x->d.used -= e >> 32;
		}
	dp_fib_dir_free(&x->d, base, size);
}

/* The /20s a prefix covers: [*first, *last]; false if none. */
static bool dxr6_chunks(const uint32_t *addr, unsigned int len,
			uint32_t *first, uint32_t *last)
{
	uint64_t top = (uint64_t)addr[0] << 32 | addr[1];

	if (len < 3) {
		/* /0../2: all of 2000::/3, or none of it */
		if (len && (top ^ 1ull << 61) >> (64 - len))
			return false;
		*first = 0;
		*last = CHUNKS - 1;
		return true;
	}
	*first = dp_fib6_dxr_chunk(top);
	if (*first == CHUNKS)
		return false;
	*last = len >= CHUNK_BITS ? *first
				  : *first + (1u << (CHUNK_BITS - len)) - 1;
	return true;
}

void dp_fib6_dxr_touch(struct dp_fib6 *f, const uint32_t *addr,
		       unsigned int len)
{
	struct dp_fib_dir *d = &f->dxr.d;
	uint32_t c, first, last;

	if (!d->dir || !d->on || !dxr6_chunks(addr, len, &first, &last))
		return;
	for (c = first; c <= last; c++)
		dp_fib_dir_touch(d, c);
}

void dp_fib6_dxr_flush(struct dp_fib6 *f)
{
	if (!f->adopting)
		dp_fib_dir_flush(&f->dxr.d, f->prefixes, dxr6_build,
				 dxr6_release, f);
}

uint32_t dp_fib6_dxr_lookup(const struct dp_fib6_dxr *x, uint64_t top)
{
	uint32_t c = dp_fib6_dxr_chunk(top), d, lo, n, half, i;
	uint64_t key = dp_fib6_dxr_key(top), e;

	if (!x->d.dir || c == CHUNKS)
		return DP_FIB6_DXR_SEARCH;
	d = dp_fib_dir_entry(&x->d, c);
	if ((d & DP_FIB4_DXR_RANGES) == DP_FIB6_DXR_SUB) {
		i = dp_fib4_dxr_base(d) + dp_fib6_dxr_sub(top);
		d = i < x->cap ? (uint32_t)__atomic_load_n(&x->range[i],
							   __ATOMIC_RELAXED)
			       : 0;
	}
	if (!(d & DP_FIB4_DXR_DIRECT))
		return DP_FIB6_DXR_SEARCH;
	if ((d & DP_FIB4_DXR_RANGES) != DP_FIB4_DXR_RANGES)
		return d & ~DP_FIB4_DXR_DIRECT;
	/* as bpf/lib/fib6.h's dp_fib6_ranges() */
	lo = dp_fib4_dxr_base(d);
	n = dp_fib4_dxr_n(d);
	for (i = 0; i < DP_FIB4_DXR_SEARCH_STEPS && n > 1; i++) {
		half = n >> 1;
		e = lo + half < x->cap ? x->range[lo + half] : 0;
		lo += half & (uint32_t)((((key >> 1) - (e >> 1)) >> 63) - 1);
		n -= half;
	}
	return (uint32_t)(lo < x->cap ? x->range[lo] : 0) &
	       DP_FIB6_DXR_ID_MASK;
}
