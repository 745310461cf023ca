// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Slots of a range table (dp_fib_int.h, struct dp_fib_slots): runs of
 * consecutive entries that hold one chunk's ranges, for the IPv4 and the
 * IPv6 ranges alike. A slot freed may still be read by a packet that
 * loaded the directory entry naming it just before: it waits out a grace
 * period before it is handed out again.
 *
 * An update waits for a grace period only when the never used entries
 * are gone and a quarter of the table waits to be released (as the id
 * pools wait when they run out, dp_fibpool.c); otherwise a chunk that
 * finds no slot stays on the structure behind the ranges until its next
 * update, the answer unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "fib/dp_fib_int.h"

int dp_fib_slots_init(struct dp_fib_slots *s, uint32_t cap, uint32_t n_max,
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
		dp_fib_slots_fini(s);
		return -1;
	}
	return 0;
}

void dp_fib_slots_fini(struct dp_fib_slots *s)
{
	for (uint32_t n = 0; s->avail && n <= s->n_max; n++)
		free(s->avail[n]);
	free(s->avail);
	free(s->navail);
	free(s->cap_avail);
	free(s->freed);
	memset(s, 0, sizeof(*s));
}

void dp_fib_slots_reset(struct dp_fib_slots *s)
{
	memset(s->navail, 0, (s->n_max + 1) * sizeof(*s->navail));
	s->avail_n = 0;
	s->fcount = s->fhead = s->fresh = 0;
	s->freed_n = 0;
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

void dp_fib_slots_free(struct dp_fib_slots *s, uint32_t base, uint32_t size)
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
		if (base >= 0)
			return base;
		if (!s->fresh_wait && s->fresh + *n <= s->cap) {
			s->fresh += *n;
			return s->fresh - *n;
		}
		if (pass || (s->freed_n < s->cap / 4 && !s->fresh_wait) ||
		    s->grace->wait())
			break;
		s->grace->done++;
		s->fresh_wait = false;
	}
	return -1;
}
