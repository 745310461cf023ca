// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the IPv4 and the IPv6 ranges share (dp_fib_int.h): the directory
 * of chunks, and the slots of a range table, runs of consecutive entries
 * that hold one chunk's ranges. A slot freed may still be read by a
 * packet that loaded the directory entry naming it just before: it waits
 * out a grace period before it is handed out again.
 *
 * An update waits for a grace period only when the never used entries
 * are gone and a quarter of the table waits to be released (as the id
 * pools wait when they run out, dp_fibpool.c); otherwise a chunk that
 * finds no slot stays on the structure behind the ranges until its next
 * update, the answer unchanged.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fib/dp_fib_int.h"

/* ------------------------------------------------------------- slots */

static void slots_fini(struct dp_fib_slots *s);

static int slots_init(struct dp_fib_slots *s, uint32_t cap, uint32_t n_max,
		      struct dp_fib_grace *grace)
{
	memset(s, 0, sizeof(*s));
	s->cap = cap;
	s->n_max = n_max;
	s->grace = grace;
	s->avail = calloc(n_max + 1, sizeof(*s->avail));
	s->navail = calloc(n_max + 1, sizeof(*s->navail));
	s->cap_avail = calloc(n_max + 1, sizeof(*s->cap_avail));
	if (!s->avail || !s->navail || !s->cap_avail) {
		slots_fini(s);
		return -1;
	}
	return 0;
}

static void slots_fini(struct dp_fib_slots *s)
{
	for (uint32_t n = 0; s->avail && n <= s->n_max; n++)
		free(s->avail[n]);
	free(s->avail);
	free(s->navail);
	free(s->cap_avail);
	free(s->freed);
	memset(s, 0, sizeof(*s));
}

/* Every slot free, the table waiting one grace period before reuse. */
static void slots_reset(struct dp_fib_slots *s)
{
	memset(s->navail, 0, (s->n_max + 1) * sizeof(*s->navail));
	s->avail_n = 0;
	s->fcount = s->fhead = s->fresh = 0;
	s->freed_n = 0;
	s->handed = s->refused = 0;
	s->fresh_wait = true;
}

/* false: out of memory, the slot lost to the table (never to packets) */
static bool slots_grow(void **arr, uint32_t *cap, size_t elem)
{
	uint32_t n = *cap ? 2 * *cap : 16;
	void *a = realloc(*arr, n * elem);

	if (!a)
		return false;
	*arr = a;
	*cap = n;
	return true;
}

static void slots_avail_push(struct dp_fib_slots *s, uint32_t size,
			     uint32_t base)
{
	if (s->navail[size] == s->cap_avail[size] &&
	    !slots_grow((void **)&s->avail[size], &s->cap_avail[size],
			sizeof(uint32_t)))
		return;
	s->avail[size][s->navail[size]++] = base;
	s->avail_n++;
}

/* Slots whose grace period is over become available. */
static void slots_release(struct dp_fib_slots *s)
{
	while (s->fcount && s->freed[s->fhead].stamp <= s->grace->done) {
		const struct dp_fib_slot_freed *f = &s->freed[s->fhead];

		slots_avail_push(s, f->size, f->base);
		s->freed_n -= f->size;
		s->fhead = (s->fhead + 1) % s->fcap;
		s->fcount--;
	}
}

/* Unroll the FIFO into a larger array (its order kept). */
static bool slots_freed_grow(struct dp_fib_slots *s)
{
	uint32_t cap = s->fcap ? 2 * s->fcap : 64, i;
	struct dp_fib_slot_freed *a = malloc(cap * sizeof(*a));

	if (!a)
		return false;
	for (i = 0; i < s->fcount; i++)
		a[i] = s->freed[(s->fhead + i) % s->fcap];
	free(s->freed);
	s->freed = a;
	s->fcap = cap;
	s->fhead = 0;
	return true;
}

/* A slot packets may still read until a grace period. */
static void slots_free(struct dp_fib_slots *s, uint32_t base, uint32_t size)
{
	struct dp_fib_slot_freed *f;

	if (s->fcount == s->fcap && !slots_freed_grow(s))
		return;
	f = &s->freed[(s->fhead + s->fcount++) % s->fcap];
	f->base = base;
	f->size = size;
	f->stamp = s->grace->done + 1;
	s->freed_n += size;
}

/* A released slot of at least *n entries, the rest of a larger one kept
 * as a slot of its own (one entry left over stays with the slot: *n
 * grows by it); -1 if none. */
static int64_t slots_avail_take(struct dp_fib_slots *s, uint32_t *n)
{
	uint32_t m, base;

	for (m = *n; s->avail_n && m <= s->n_max; m++) {
		if (!s->navail[m])
			continue;
		base = s->avail[m][--s->navail[m]];
		s->avail_n--;
		if (m - *n >= 2)
			slots_avail_push(s, m - *n, base + *n);
		else
			*n = m;
		return base;
	}
	return -1;
}

/*
 * A released slot, else never used entries, else after one grace period,
 * which releases every slot waiting, as dp_fib_pool_get() does; but only
 * when a quarter of the table waits (or never used entries do): a table
 * full of slots in use, or of slots freed a few at a time, must not stall
 * every update for a grace period (about 10 ms here).
 */
int64_t dp_fib_slots_alloc(struct dp_fib_slots *s, uint32_t *n)
{
	int64_t base;

	for (int pass = 0; pass < 2; pass++) {
		slots_release(s);
		base = slots_avail_take(s, n);
		if (base < 0 && !s->fresh_wait && s->fresh + *n <= s->cap) {
			s->fresh += *n;
			base = s->fresh - *n;
		}
		if (base >= 0) {
			s->handed += *n;
			return base;
		}
		if (pass || (s->freed_n < s->cap / 4 && !s->fresh_wait) ||
		    s->grace->wait())
			break;
		s->grace->done++;
		s->fresh_wait = false;
	}
	s->refused += *n;
	return -1;
}

/* --------------------------------------------------------- directory */

bool dp_fib_dir_init(struct dp_fib_dir *d, int dir_fd, uint32_t chunks,
		     uint32_t cap, struct dp_fib_grace *grace, bool hold,
		     bool adopting, uint32_t routes_max)
{
	uint32_t c;

	memset(d, 0, sizeof(*d));
	d->dir = dp_fib_mmap(dir_fd, chunks * sizeof(uint32_t));
	if (!d->dir)
		return false;
	d->chunks = chunks;
	d->slot = calloc(chunks, sizeof(*d->slot));
	d->dirty = calloc(chunks, 1);
	d->dirty_list = calloc(chunks, sizeof(*d->dirty_list));
	d->prev = calloc(chunks, sizeof(*d->prev));
	if (!d->slot || !d->dirty || !d->dirty_list || !d->prev ||
	    slots_init(&d->pool, cap, DP_FIB4_DXR_N_MAX, grace)) {
		dp_fib_dir_fini(d);
		return false;
	}
	/*
	 * Opening, the caller waits a grace period before the first update,
	 * so the pool is free; adopting (or held), the tables live on and
	 * ranges are built only once they hold this run's routes, after a
	 * grace period.
	 */
	for (c = 0; c < chunks; c++)
		if (d->dir[c])
			dp_fib4_store(&d->dir[c], 0);
	d->hold = hold;
	d->on = !adopting && !hold;
	d->pool.fresh_wait = !d->on;
	d->routes_max = routes_max;
	d->routes_on = routes_max / 8 * 7;
	return true;
}

void dp_fib_dir_empty(struct dp_fib_dir *d)
{
	for (uint32_t c = 0; d->dir && d->on && c < d->chunks; c++)
		dp_fib_dir_set(d, c, DP_FIB4_DXR_DIRECT);
}

void dp_fib_dir_fini(struct dp_fib_dir *d)
{
	if (d->dir)
		munmap(d->dir, d->chunks * sizeof(uint32_t));
	slots_fini(&d->pool);
	free(d->slot);
	free(d->dirty);
	free(d->dirty_list);
	free(d->prev);
	memset(d, 0, sizeof(*d));
}

void dp_fib_dir_set(struct dp_fib_dir *d, uint32_t c, uint32_t v)
{
	/* DIRECT, RANGES, or (IPv6) a block of sub-entries */
	const uint32_t answers = DP_FIB4_DXR_RANGES;

	d->ranged += !!(v & answers) - !!(d->dir[c] & answers);
	dp_fib4_store(&d->dir[c], v);
}

void dp_fib_dir_free(struct dp_fib_dir *d, uint32_t base, uint32_t size)
{
	slots_free(&d->pool, base, size);
}

bool dp_fib_dir_touch(struct dp_fib_dir *d, uint32_t c)
{
	if (d->dirty[c])
		return false;
	d->dirty[c] = 1;
	d->dirty_list[d->ndirty++] = c;
	d->prev[c] = d->dir[c];
	if (d->dir[c])
		dp_fib_dir_set(d, c, 0);
	return true;
}

void dp_fib_dir_name(struct dp_fib_dir *d, uint32_t c, uint32_t base,
		     uint32_t n, uint32_t size)
{
	d->slot[c] = size;
	d->used += size;
	dp_fib_dir_set(d, c, dp_fib4_dxr_ranges(base, n));
}

/* Every chunk to the structure behind, the pool empty once a grace
 * period has passed. */
static void dir_all_off(struct dp_fib_dir *d)
{
	uint32_t c;

	for (c = 0; c < d->chunks; c++)
		if (d->dir[c])
			dp_fib_dir_set(d, c, 0);
	for (c = 0; c < d->ndirty; c++)
		d->dirty[d->dirty_list[c]] = 0;
	d->ndirty = 0;
	memset(d->slot, 0, d->chunks * sizeof(*d->slot));
	slots_reset(&d->pool);
	d->used = 0;
	d->on = false;
	d->pass = false;
}

/*
 * Every chunk anew into an empty table (the ranges coming on, or a
 * repack), DP_FIB_DIR_PASS chunks a flush: building them all at once
 * would hold zebra's dplane pthread for tens of ms (65536 /16s read from
 * DIR-24-8, 131072 /20s from the trie). Chunks not built yet answer from
 * the structure behind. The pass's first slot waits out the grace period
 * the emptied table needs (dp_fib_slots_alloc).
 */
#define DP_FIB_DIR_PASS 4096

static void dir_pass_start(struct dp_fib_dir *d)
{
	d->on = true;
	d->pass = true;
	d->pass_next = 0;
}

static void dir_pass_step(struct dp_fib_dir *d, dp_fib_dir_build_fn build,
			  void *owner)
{
	uint32_t c, end = d->pass_next + DP_FIB_DIR_PASS;

	if (end > d->chunks)
		end = d->chunks;
	for (c = d->pass_next; c < end; c++) {
		/* built since by an update of its own: it has its entry */
		if (d->dir[c] || d->slot[c])
			continue;
		d->prev[c] = 0;
		build(owner, c);
	}
	d->pass_next = end;
	d->pass = end < d->chunks;
}

/*
 * Slots are not merged when freed: chunks that grow one update at a time
 * (a table loading in batches) each leave a slot a little too small for
 * the next one, and the never used entries run out while most of the
 * table is free in pieces. When that refuses chunks their ranges, the
 * table is built anew, packed: every chunk to the structure behind, then
 * ranges again, a pass at a time. Not while the table is really full,
 * nor before half of it was handed out since the last time (a load in
 * progress repacks a few times, not at every batch).
 */
static bool dir_fragmented(const struct dp_fib_dir *d)
{
	const struct dp_fib_slots *s = &d->pool;

	return !d->pass && s->refused &&
	       d->used + s->refused <= s->cap / 4 * 3 &&
	       s->handed >= s->cap / 2;
}

void dp_fib_dir_flush(struct dp_fib_dir *d, uint32_t routes,
		      dp_fib_dir_build_fn build, dp_fib_dir_release_fn release,
		      void *owner)
{
	uint32_t i, c, old;

	if (!d->dir)
		return;
	if (d->on && routes > d->routes_max) {
		dir_all_off(d);
		return;
	}
	if (!d->on) {
		if (d->hold || routes > d->routes_on)
			return;
		dir_pass_start(d);
	}
	for (i = 0; i < d->ndirty; i++) {
		c = d->dirty_list[i];
		d->dirty[c] = 0;
		old = d->slot[c];
		d->slot[c] = 0;
		d->used -= old;
		build(owner, c);
		/* its old ranges, read by the build, wait out a grace period */
		if (old && release)
			release(owner, c, d->prev[c], old);
		else if (old)
			slots_free(&d->pool, dp_fib4_dxr_base(d->prev[c]), old);
	}
	d->ndirty = 0;
	if (dir_fragmented(d)) {
		dir_all_off(d);
		dir_pass_start(d);
		d->repacks++;
	}
	if (d->pass)
		dir_pass_step(d, build, owner);
}
