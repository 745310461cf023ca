// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ring sizes, backend keys, the turn order weighted backends take, and the
 * entry point that builds the ring of any algorithm (lb_ring.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lb/lb_ring_int.h"

bool lb_is_prime(uint32_t x)
{
	uint32_t d;

	if (x < 2)
		return false;
	if (x % 2 == 0)
		return x == 2;
	for (d = 3; (uint64_t)d * d <= x; d += 2)
		if (x % d == 0)
			return false;
	return true;
}

uint32_t lb_maglev_size(uint32_t n_backends)
{
	uint32_t step = 1, x;

	if (n_backends > LB_RING_MAX_BACKENDS)
		return 0;
	while (step < n_backends)
		step <<= 1;
	x = LB_MAGLEV_SLOTS_PER_BACKEND * step;
	if (x < LB_MAGLEV_MIN_SIZE)
		x = LB_MAGLEV_MIN_SIZE;
	while (!lb_is_prime(x))
		x++;
	return x;
}

uint32_t lb_ring_capacity(uint32_t n_backends)
{
	return lb_maglev_size(n_backends);
}

bool lb_key_bytes(const struct lb_backend *be, uint8_t out[LB_KEY_BYTES])
{
	memset(out, 0, LB_KEY_BYTES);
	switch (be->family) {
	case AF_INET:
		out[0] = 4;
		memcpy(out + 1, be->addr, 4);
		break;
	case AF_INET6:
		out[0] = 6;
		memcpy(out + 1, be->addr, 16);
		break;
	default:
		return false;
	}
	out[17] = be->port >> 8;
	out[18] = be->port & 0xff;
	return true;
}

int lb_backend_cmp(const struct lb_backend *a, const struct lb_backend *b)
{
	uint8_t ka[LB_KEY_BYTES], kb[LB_KEY_BYTES];

	/* An unknown family keeps its zero key: it sorts first. */
	lb_key_bytes(a, ka);
	lb_key_bytes(b, kb);
	return memcmp(ka, kb, LB_KEY_BYTES);
}

static int lb_backend_ptr_cmp(const void *a, const void *b)
{
	return lb_backend_cmp(*(const struct lb_backend *const *)a,
			      *(const struct lb_backend *const *)b);
}

void lb_eligible_put(struct lb_eligible *el)
{
	free(el->pos);
	free(el->weight);
	el->pos = el->weight = NULL;
	el->n = 0;
}

int lb_eligible_get(struct lb_eligible *el, const struct lb_backend *be,
		    uint32_t n)
{
	const struct lb_backend **p;
	uint8_t key[LB_KEY_BYTES];
	uint32_t i, e = 0;
	int ret = 0;

	memset(el, 0, sizeof(*el));
	if (n > LB_RING_MAX_BACKENDS)
		return -E2BIG;
	p = calloc(n ? n : 1, sizeof(*p));
	el->pos = calloc(n ? n : 1, sizeof(*el->pos));
	el->weight = calloc(n ? n : 1, sizeof(*el->weight));
	if (!p || !el->pos || !el->weight)
		ret = -ENOMEM;
	for (i = 0; i < n && !ret; i++) {
		if (!lb_backend_eligible(&be[i]))
			continue;
		if (!lb_key_bytes(&be[i], key))
			ret = -EINVAL;
		p[e++] = &be[i];
	}
	/*
	 * The key order makes the ring independent of the order the
	 * backends were configured in; qsort's instability cannot matter
	 * because equal keys are refused.
	 */
	if (!ret)
		qsort(p, e, sizeof(*p), lb_backend_ptr_cmp);
	for (i = 0; i < e && !ret; i++) {
		if (i && lb_backend_cmp(p[i - 1], p[i]) == 0)
			ret = -EINVAL;
		el->pos[i] = p[i] - be;
		el->weight[i] = p[i]->weight;
	}
	free(p);
	if (!ret && !e)
		ret = -ENOENT;
	if (ret) {
		lb_eligible_put(el);
		return ret;
	}
	el->n = e;
	return e;
}

/*
 * Party i's next due time as a key: 2k + 1 (2k + 2 for deadlines, 0 for
 * a free first turn) over 2w, or clock[k] over w, in fixed point. Integer
 * division, no floating point, so every host computes the same keys, and
 * their order is exact: turns (k) and weights stay below 2^20, so
 * (2k + 2) << 40 fits, and two different due times differ by at least
 * 2^-40, more than the rounding. Clocks stay below 2^37: << 26 fits.
 */
static void lb_turns_set_due(struct lb_turns *t, uint32_t i)
{
	uint64_t k = t->taken[i], num;

	if (t->clock) {
		t->due[i] = (t->clock[k] << 26) / t->weight[i];
		return;
	}
	if (!k && (t->flags & LB_TURNS_FIRST_FREE))
		num = 0;
	else
		num = 2 * k + (t->flags & LB_TURNS_DEADLINE ? 2 : 1);
	t->due[i] = (num << 40) / t->weight[i];
}

/* Is a's next turn due before b's? */
static inline bool lb_turns_before(const struct lb_turns *t, uint32_t a,
				   uint32_t b)
{
	return t->due[a] < t->due[b] || (t->due[a] == t->due[b] && a < b);
}

static void lb_turns_sift_down(struct lb_turns *t, uint32_t i)
{
	uint32_t c, top = t->heap[i];

	for (;;) {
		c = 2 * i + 1;
		if (c >= t->n)
			break;
		if (c + 1 < t->n &&
		    lb_turns_before(t, t->heap[c + 1], t->heap[c]))
			c++;
		if (!lb_turns_before(t, t->heap[c], top))
			break;
		t->heap[i] = t->heap[c];
		i = c;
	}
	t->heap[i] = top;
}

void lb_turns_join(struct lb_turns *t, uint32_t who)
{
	uint32_t i = t->n++, up;

	lb_turns_set_due(t, who);
	while (i) {
		up = (i - 1) / 2;
		if (!lb_turns_before(t, who, t->heap[up]))
			break;
		t->heap[i] = t->heap[up];
		i = up;
	}
	t->heap[i] = who;
}

static int lb_turns_setup(struct lb_turns *t, const uint32_t *weight,
			  uint32_t n, unsigned int flags, const uint64_t *clock,
			  const uint32_t *taken)
{
	uint32_t i;

	t->n = 0;
	t->flags = flags;
	t->weight = weight;
	t->clock = clock;
	t->taken = calloc(n ? n : 1, sizeof(*t->taken));
	t->due = calloc(n ? n : 1, sizeof(*t->due));
	t->heap = calloc(n ? n : 1, sizeof(*t->heap));
	if (!t->taken || !t->due || !t->heap) {
		lb_turns_fini(t);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		t->taken[i] = taken ? taken[i] : 0;
		lb_turns_join(t, i);
	}
	return 0;
}

int lb_turns_init(struct lb_turns *t, const uint32_t *weight, uint32_t n,
		  unsigned int flags)
{
	return lb_turns_setup(t, weight, n, flags, NULL, NULL);
}

int lb_turns_init_clock(struct lb_turns *t, const uint32_t *weight, uint32_t n,
			const uint64_t *clock)
{
	return lb_turns_setup(t, weight, n, 0, clock, NULL);
}

void lb_turns_advance(struct lb_turns *t)
{
	uint32_t who = t->heap[0];

	t->taken[who]++;
	lb_turns_set_due(t, who);
	lb_turns_sift_down(t, 0);
}

void lb_turns_advance_to(struct lb_turns *t, uint32_t k)
{
	uint32_t who = t->heap[0];

	t->taken[who] = k;
	lb_turns_set_due(t, who);
	lb_turns_sift_down(t, 0);
}

void lb_turns_retire(struct lb_turns *t)
{
	t->taken[t->heap[0]]++;
	t->heap[0] = t->heap[--t->n];
	lb_turns_sift_down(t, 0);
}

void lb_turns_fini(struct lb_turns *t)
{
	free(t->taken);
	free(t->due);
	free(t->heap);
	t->taken = t->heap = NULL;
	t->due = NULL;
}

int lb_apportion(const uint32_t *weight, uint32_t n, uint32_t total,
		 uint32_t *count)
{
	uint64_t w_sum = 0, given = 0, x = total - n;
	struct lb_turns turns;
	uint32_t i;

	/*
	 * All the turns due by x / w_sum at once: a party's turns due by
	 * then are max(1, floor(x w / w_sum + 1/2)), together at most
	 * total since x = total - n, and every later turn is due after all
	 * of them, so lb_turns taking the rest (fewer than 3n / 2) one by one
	 * ends exactly where it would have from the first turn.
	 */
	for (i = 0; i < n; i++)
		w_sum += weight[i];
	for (i = 0; i < n; i++) {
		count[i] = (2 * x * weight[i] + w_sum) / (2 * w_sum);
		if (!count[i])
			count[i] = 1;
		given += count[i];
	}
	if (lb_turns_setup(&turns, weight, n, LB_TURNS_FIRST_FREE, NULL, count))
		return -ENOMEM;
	for (; given < total; given++)
		lb_turns_advance(&turns);
	for (i = 0; i < n; i++)
		count[i] = turns.taken[i];
	lb_turns_fini(&turns);
	return 0;
}

int lb_ring_build(enum lb_ring_algo algo, const struct lb_backend *be,
		  uint32_t n, uint32_t seed, uint32_t *ring, uint32_t cap)
{
	if (n > LB_RING_MAX_BACKENDS)
		return -E2BIG;
	if (cap < lb_ring_capacity(n))
		return -ENOSPC;

	switch (algo) {
	case LB_RING_ROUND_ROBIN:
		return lb_wrr_fill(be, n, false, ring, cap);
	case LB_RING_WEIGHTED_ROUND_ROBIN:
		return lb_wrr_fill(be, n, true, ring, cap);
	case LB_RING_HASH:
	case LB_RING_SOURCE_HASH:
		/*
		 * Hashing flows onto a Maglev ring is what makes them
		 * consistent: a backend going away moves only its own flows
		 * (hash mod N would move nearly all), and two nodes agree.
		 */
	case LB_RING_MAGLEV:
		return lb_maglev_fill(be, n, seed, ring, lb_maglev_size(n));
	}
	return -EINVAL;
}

uint32_t lb_ring_changed(const uint32_t *old_ring,
			 const struct lb_backend *old_be,
			 const uint32_t *new_ring,
			 const struct lb_backend *new_be, uint32_t size)
{
	uint32_t i, changed = 0, a, b;

	for (i = 0; i < size; i++) {
		a = old_ring[i];
		b = new_ring[i];
		if (a == LB_RING_EMPTY || b == LB_RING_EMPTY)
			changed += a != b;
		else
			changed += lb_backend_cmp(&old_be[a], &new_be[b]) != 0;
	}
	return changed;
}
