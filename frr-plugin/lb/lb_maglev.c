// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Weighted Maglev rings (Eisenbud et al., "Maglev: A Fast and Reliable
 * Software Network Load Balancer", NSDI 2016, §3.4).
 *
 * Each backend has a preference list over the M slots (M prime): slot
 * offset, offset + skip, offset + 2 skip, ... mod M, a permutation because
 * M is prime and 0 < skip < M. offset and skip come from a hash of the
 * backend's address and port with the VIP's seed, so they are the same on
 * every node. Backends walk their lists and claim the slots they find
 * free until the ring is full.
 *
 * Shares. Each backend gets a quota, M apportioned by weight with
 * Webster's rounding and at least one slot each (lb_apportion), and
 * claims exactly that many slots. With s_i = M w_i / W its exact share (W
 * the sum of the weights, n the number of backends), the quota c_i =
 * max(1, round(x w_i)) for the x that makes them add up to M, and
 * sum(c_i) = M gives
 *
 *	|c_i - s_i| <= 1/2 + (n / 2) (w_i / W)
 *
 * when no share is below half a slot (otherwise 1 + n w_i / W): a relative
 * error of at most 1/(2 s_i) + n / (2 M) <= 1/(2 s_i) + 0.5 %. Equal
 * weights: floor(M/n) or ceil(M/n) slots each, as in the paper.
 *
 * The walk (a departure from the paper). In the paper backends take turns
 * claiming one slot each, a turn skipping every taken slot of the list:
 * late in the fill one turn walks far, and which backend reaches the last
 * free slots first depends on everything before, so a backend leaving
 * moves 1.4-2.5 % of the slots besides its own at 100 slots per backend
 * (bench/maglev's "paper" column). Here backends step along their lists
 * in time: backend i's k-th step is due at -log2(1 - (k + 1/2) / M) / w_i,
 * and claims its slot if the slot is free and the quota not yet met.
 * Quotas aside, a slot goes to the backend that steps on it first. Its
 * place in each list is as good as random, which makes the step times
 * exponential with rate w_i: that backend is i with probability w_i / W,
 * and the quotas only trim chance. When a backend leaves, the others still
 * step on every slot at the same moments as before; besides its own slots,
 * only the few the quotas shift move. Measured (tests/lb, bench/maglev,
 * every N up to 300 at LB_MAGLEV_MIN_SIZE and above): removing one of N
 * equal backends moves at most 0.8 % of the slots besides its own; with
 * weights 1 to 10, under 1 %; with weights 1, 2, 5, under 0.05 %. A plain
 * pace ((k + 1/2) / w_i) let heavy backends reach more than their share
 * first and the quotas stop them: removing the weight-1 backend of 1, 2,
 * 5 then moved 2 % besides its own.
 */
#include <errno.h>
#include <stdlib.h>

#include "lb/lb_ring_int.h"

/* Any fixed odd constants: they only separate the two hashes. */
#define LB_MAGLEV_SALT_OFFSET 0x6d61676c65763031ull
#define LB_MAGLEV_SALT_SKIP 0x736b697030313233ull

/*
 * The 64-bit finaliser of SplitMix64 (Steele, Lea, Flood, OOPSLA 2014):
 * every input bit flips each output bit with probability close to 1/2.
 */
static uint64_t lb_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/*
 * A backend's offset and skip in a ring of size slots. The key is read
 * as bytes, never as host words, so every host agrees.
 */
void lb_maglev_prefs(const struct lb_backend *be, uint32_t seed, uint32_t size,
		     uint32_t *offset, uint32_t *skip)
{
	uint8_t key[LB_KEY_BYTES];
	uint64_t h = lb_mix64(seed ^ LB_MAGLEV_SALT_OFFSET), w;
	unsigned int i, b;

	lb_key_bytes(be, key);
	for (i = 0; i < LB_KEY_BYTES; i += 8) {
		for (w = 0, b = 0; b < 8; b++)
			w |= (uint64_t)key[i + b] << (8 * b);
		h = lb_mix64(h ^ w);
	}
	*offset = h % size;
	*skip = lb_mix64(h ^ LB_MAGLEV_SALT_SKIP) % (size - 1) + 1;
}

/* log2(x) in fixed point with 32 fractional bits, on integers only. */
static uint64_t lb_log2_q32(uint32_t x)
{
	unsigned int msb = 31 - __builtin_clz(x), bit;
	uint64_t r = (uint64_t)msb << 32;
	uint64_t y = (uint64_t)x << (31 - msb); /* x / 2^msb in [1, 2), Q31 */

	/* Each squaring doubles the logarithm: its integer part is a bit. */
	for (bit = 32; bit-- > 0;) {
		y = (y * y) >> 31;
		if (y >= 2ull << 31) {
			y >>= 1;
			r |= 1ull << bit;
		}
	}
	return r;
}

/* Larger rings would overflow the walk's clock (below 2^37, shifted by 26). */
#define LB_MAGLEV_MAX_SIZE (1u << 20)

/* Entries of the table log2(1 + j / LB_LOG2_STEPS) interpolates from. */
#define LB_LOG2_BITS 10
#define LB_LOG2_STEPS (1u << LB_LOG2_BITS)

/*
 * The walk's clock: clock[k] = -log2(1 - (k + 1/2) / size) in Q32, the
 * moment a backend of weight 1 takes its k-th step (weight w: clock[k] /
 * w); at most log2(2 size) <= 21, so below 2^37. Filled as far as the
 * walk gets: n entries are valid, room for size + 1 (clock[size] is never
 * a step taken, only looked at). The logarithms are interpolated from a
 * table of 1025 exact ones: within 2^-22 of exact, strictly increasing,
 * and an eighth of the cost.
 */
struct lb_clock {
	uint64_t *at;
	uint32_t n, size;
	uint64_t top;			 /* log2(2 size) */
	uint64_t tab[LB_LOG2_STEPS + 1]; /* log2(1 + j / LB_LOG2_STEPS) */
};

static uint64_t lb_clock_log2(const struct lb_clock *c, uint32_t x)
{
	unsigned int msb = 31 - __builtin_clz(x);
	/* x / 2^msb = 1 + m / 2^31 */
	uint64_t m = ((uint64_t)x << (31 - msb)) - (1ull << 31);
	uint64_t j = m >> (31 - LB_LOG2_BITS);
	uint64_t frac = m & ((1ull << (31 - LB_LOG2_BITS)) - 1);

	return ((uint64_t)msb << 32) + c->tab[j] +
	       (((c->tab[j + 1] - c->tab[j]) * frac) >> (31 - LB_LOG2_BITS));
}

static struct lb_clock *lb_clock_new(uint32_t size)
{
	struct lb_clock *c = malloc(sizeof(*c));
	uint32_t j;

	if (!c)
		return NULL;
	c->at = malloc(((size_t)size + 1) * sizeof(*c->at));
	if (!c->at) {
		free(c);
		return NULL;
	}
	c->n = 0;
	c->size = size;
	for (j = 0; j <= LB_LOG2_STEPS; j++)
		c->tab[j] = lb_log2_q32(LB_LOG2_STEPS + j) -
			    ((uint64_t)LB_LOG2_BITS << 32);
	c->top = lb_clock_log2(c, 2 * size);
	return c;
}

static void lb_clock_free(struct lb_clock *c)
{
	free(c->at);
	free(c);
}

/* Fill the clock up to k at least. */
static void lb_clock_fill(struct lb_clock *c, uint32_t k)
{
	uint32_t end = k + 1024;

	if (end > c->size + 1)
		end = c->size + 1;
	/* 1 - (n + 1/2) / size = (2 (size - n) - 1) / (2 size) */
	for (; c->n < end; c->n++)
		if (c->n < c->size)
			c->at[c->n] =
				c->top -
				lb_clock_log2(c, 2 * (c->size - c->n) - 1);
		else
			c->at[c->n] = c->at[c->n - 1] + 1;
}

/*
 * The walk: backends step along their lists, backend i's k-th step due at
 * clock[k] / w_i, claiming each slot they find free until they hold their
 * quota, then leave. A step onto a taken slot changes nothing (slots are
 * never freed), so each backend waits in lb_turns for its next step onto
 * a slot still free when it looked (next[i], its step number in
 * turns.taken[i]); if another claims that slot first, it looks further.
 * The outcome is that of every step taken in turn, with far fewer turns.
 */
static int lb_maglev_walk(const struct lb_eligible *el, uint32_t *next,
			  const uint32_t *skip, uint32_t *quota, uint32_t *ring,
			  uint32_t size)
{
	struct lb_clock *clock = lb_clock_new(size);
	struct lb_turns turns;
	uint32_t i, k, slot, filled = 0;

	if (!clock)
		return -ENOMEM;
	lb_clock_fill(clock, 0);
	if (lb_turns_init_clock(&turns, el->weight, el->n, clock->at)) {
		lb_clock_free(clock);
		return -ENOMEM;
	}
	for (slot = 0; slot < size; slot++)
		ring[slot] = LB_RING_EMPTY;
	/*
	 * Ends: the quotas add up to size, and a backend that still has
	 * quota finds a free slot within one pass over its list.
	 */
	for (;;) {
		i = lb_turns_peek(&turns);
		slot = next[i];
		if (ring[slot] == LB_RING_EMPTY) {
			ring[slot] = el->pos[i];
			if (++filled == size)
				break;
			if (--quota[i] == 0) {
				lb_turns_retire(&turns);
				continue;
			}
		}
		k = turns.taken[i];
		do {
			slot += skip[i];
			if (slot >= size)
				slot -= size;
			k++;
		} while (ring[slot] != LB_RING_EMPTY);
		next[i] = slot;
		if (k >= clock->n)
			lb_clock_fill(clock, k);
		lb_turns_advance_to(&turns, k);
	}
	lb_turns_fini(&turns);
	lb_clock_free(clock);
	return 0;
}

int lb_maglev_fill(const struct lb_backend *be, uint32_t n, uint32_t seed,
		   uint32_t *ring, uint32_t size)
{
	uint32_t *next = NULL, *skip = NULL, *quota = NULL, i;
	struct lb_eligible el;
	int ret = lb_eligible_get(&el, be, n);

	if (ret < 0)
		return ret;
	if (!lb_is_prime(size) || size <= el.n || size > LB_MAGLEV_MAX_SIZE) {
		ret = -EINVAL;
		goto out;
	}
	next = calloc(el.n, sizeof(*next));
	skip = calloc(el.n, sizeof(*skip));
	quota = calloc(el.n, sizeof(*quota));
	if (!next || !skip || !quota) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < el.n; i++)
		lb_maglev_prefs(&be[el.pos[i]], seed, size, &next[i], &skip[i]);
	if (lb_apportion(el.weight, el.n, size, quota) ||
	    lb_maglev_walk(&el, next, skip, quota, ring, size))
		ret = -ENOMEM;
	else
		ret = size;
out:
	free(quota);
	free(skip);
	free(next);
	lb_eligible_put(&el);
	return ret;
}
