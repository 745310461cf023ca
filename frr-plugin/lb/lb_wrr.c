// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Rings for round-robin and weighted-round-robin: the datapath walks the
 * ring slot after slot, so what matters is how often each backend
 * appears and that its appearances are spread out, not where they are.
 *
 * Steiner and Yeomans ("Level Schedules for Mixed-Model, Just-in-Time
 * Processes", Management Science 39(6), 1993) showed that an order always
 * exists in which every backend stays within one slot of its share in
 * every prefix, the best bound that always holds. A backend holding c of
 * the L slots should have had k c / L of the first k: its j-th slot may be
 * placed once j - 1 < k c / L (earlier would put it ahead of its share)
 * and is due at slot j L / c (later would put it behind); placing, at each
 * slot, the backend due first among those that may be placed builds such
 * an order (tests/lb checks the bound). Weights 1, 2, 5 for A, B, C give
 * C C B C C A B C; weights 4, 1, 1, 1, 1 give A B A C A D A E. Plain round
 * robin is the case of equal counts: the backends once each in key order.
 *
 * The turn order of lb_turns alone (no "may be placed" rule) was not
 * enough: weights 4, 1, 1, 1, 1 gave A A B C D E A A, a run of four.
 */
#include <errno.h>
#include <stdlib.h>

#include "lb/lb_ring_int.h"

static uint64_t lb_gcd(uint64_t a, uint64_t b)
{
	uint64_t r;

	while (b) {
		r = a % b;
		a = b;
		b = r;
	}
	return a;
}

/*
 * Each backend's number of slots in a ring of len slots: its weight / gcd
 * when the ring holds them all, else Webster's rounding of len × w / W
 * with at least one each (lb_apportion).
 */
static int lb_wrr_counts(const uint32_t *weight, uint32_t e, uint64_t sum,
			 uint32_t g, uint32_t len, uint32_t *count)
{
	uint32_t i;

	if (len < sum)
		return lb_apportion(weight, e, len, count);
	for (i = 0; i < e; i++)
		count[i] = weight[i] / g;
	return 0;
}

/*
 * The order of the slots (Steiner and Yeomans). Backends wait in
 * wait[slot] lists (next[] links them) until the slot where they may be
 * placed again, then take turns by deadline (lb_turns with
 * LB_TURNS_DEADLINE: the j-th slot due at j / c).
 */
static int lb_wrr_order(const uint32_t *pos, const uint32_t *count, uint32_t e,
			uint32_t len, uint32_t *ring)
{
	uint32_t *wait, *next, k, who, from, placed;
	struct lb_turns turns;
	int ret = -ENOMEM;

	wait = malloc(((size_t)len + 1) * sizeof(*wait));
	next = malloc(e * sizeof(*next));
	if (!wait || !next ||
	    lb_turns_init(&turns, count, e, LB_TURNS_DEADLINE))
		goto out;
	for (k = 0; k <= len; k++)
		wait[k] = LB_RING_EMPTY;
	for (k = 0; k < len; k++) {
		for (who = wait[k]; who != LB_RING_EMPTY; who = next[who])
			lb_turns_join(&turns, who);
		/*
		 * Never empty: the counts placed so far add up to k, and
		 * those allowed by slot k + 1 to more than k.
		 */
		who = lb_turns_peek(&turns);
		ring[k] = pos[who];
		/* Its next slot may come once placed < (slot + 1) c / len. */
		placed = turns.taken[who] + 1;
		from = (uint64_t)placed * len / count[who];
		if (placed < count[who] && from <= k) {
			lb_turns_advance(&turns);
			continue;
		}
		lb_turns_retire(&turns);
		if (placed < count[who]) {
			next[who] = wait[from];
			wait[from] = who;
		}
	}
	lb_turns_fini(&turns);
	ret = 0;
out:
	free(next);
	free(wait);
	return ret;
}

int lb_wrr_fill(const struct lb_backend *be, uint32_t n, bool weighted,
		uint32_t *ring, uint32_t cap)
{
	uint32_t *count = NULL, i, g = 0, len;
	struct lb_eligible el;
	uint64_t sum = 0;
	int ret = lb_eligible_get(&el, be, n);

	if (ret < 0)
		return ret;
	if (cap < el.n) {
		ret = -ENOSPC;
		goto out;
	}
	count = calloc(el.n, sizeof(*count));
	if (!count) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < el.n; i++) {
		if (!weighted)
			el.weight[i] = 1;
		g = lb_gcd(g, el.weight[i]);
		sum += el.weight[i];
	}
	sum /= g;
	len = sum < cap ? sum : cap;
	if (lb_wrr_counts(el.weight, el.n, sum, g, len, count) ||
	    lb_wrr_order(el.pos, count, el.n, len, ring))
		ret = -ENOMEM;
	else
		ret = len;
out:
	free(count);
	lb_eligible_put(&el);
	return ret;
}
