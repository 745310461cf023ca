// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The load balancer's backend selection rings (frr-plugin/lb/lb_ring.h):
 * sizes, balance, order independence, determinism, disruption when a
 * backend leaves or comes back, and round-robin interleaving. Plain C, no
 * privileges. Ends with "N passed, N failed".
 *   test_ring          the checks
 *   test_ring SEED     the same with other shuffles and random weights
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dp_test.h"
#include "lb/lb_ring.h"

/*
 * Of a fixed VIP (test_golden's), an FNV-1a hash of its Maglev ring: a
 * change in the hash function, the walk or the quotas changes it, and with
 * it every ring a node builds, so nodes of two versions would disagree.
 */
#define GOLDEN_MAGLEV 0x8f6f4f04192cc0ffull
#define GOLDEN_SEED 0x5eed1234u

/* Disruption bound of issue 7: removing 1 of N moves at most 1/N + 1 %. */
#define MOVE_SLACK 0.01

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from the seed on the command line */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t rnd_below(uint32_t n)
{
	return rnd() % n;
}

/* Backend i: 10.(i >> 8).(i & 255).1 port 8080, or fd00::i port 443. */
static void backend(struct lb_backend *be, uint32_t i, bool v6, uint16_t weight)
{
	memset(be, 0, sizeof(*be));
	if (v6) {
		be->family = AF_INET6;
		be->addr[0] = 0xfd;
		be->addr[14] = i >> 8;
		be->addr[15] = i & 0xff;
		be->port = 443;
	} else {
		be->family = AF_INET;
		be->addr[0] = 10;
		be->addr[1] = i >> 8;
		be->addr[2] = i & 0xff;
		be->addr[3] = 1;
		be->port = 8080;
	}
	be->weight = weight;
	be->up = true;
}

static struct lb_backend *backends(uint32_t n, uint16_t weight)
{
	struct lb_backend *be = calloc(n ? n : 1, sizeof(*be));
	uint32_t i;

	for (i = 0; i < n; i++)
		backend(&be[i], i, false, weight);
	return be;
}

static void shuffle(struct lb_backend *be, uint32_t n)
{
	struct lb_backend t;
	uint32_t i, j;

	for (i = n; i > 1; i--) {
		j = rnd_below(i);
		t = be[i - 1];
		be[i - 1] = be[j];
		be[j] = t;
	}
}

/* Build a Maglev ring of its natural size; die on error. */
static uint32_t *maglev(const struct lb_backend *be, uint32_t n, uint32_t seed,
			uint32_t *size)
{
	uint32_t m = lb_maglev_size(n);
	uint32_t *ring = malloc(m * sizeof(*ring));
	int ret = lb_maglev_fill(be, n, seed, ring, m);

	if (ret != (int)m) {
		fprintf(stderr, "lb_maglev_fill: %d\n", ret);
		exit(2);
	}
	*size = m;
	return ring;
}

static void count_slots(const uint32_t *ring, uint32_t len, uint32_t n,
			uint32_t *count)
{
	uint32_t i;

	memset(count, 0, n * sizeof(*count));
	for (i = 0; i < len; i++)
		count[ring[i]]++;
}

static void test_sizes(void)
{
	uint32_t n, m, prev = 0;

	t_begin("maglev size: prime, >= 100 n and the minimum, n = 1..300");
	for (n = 1; n <= 300; n++) {
		m = lb_maglev_size(n);
		T_CHECK(lb_is_prime(m), "n %u: size %u is not prime", n, m);
		T_CHECK(m >= 100 * n && m >= LB_MAGLEV_MIN_SIZE,
			"n %u: size %u too small", n, m);
		/* The size changes only past a power of two (the ladder). */
		if (n > 1 && (n - 1) & (n - 2))
			T_CHECK(m == prev, "n %u: size %u changed from %u", n,
				m, prev);
		prev = m;
	}
	T_EQ(lb_maglev_size(0), LB_MAGLEV_MIN_SIZE, "size for 0");
	T_EQ(lb_maglev_size(256), 25601, "size for 256");
	T_CHECK(lb_maglev_size(LB_RING_MAX_BACKENDS) >=
			100u * LB_RING_MAX_BACKENDS,
		"size for the maximum");
	T_EQ(lb_maglev_size(LB_RING_MAX_BACKENDS + 1), 0, "size above maximum");
	T_CHECK(!lb_is_prime(0) && !lb_is_prime(1) && lb_is_prime(2) &&
			!lb_is_prime(25599) && lb_is_prime(16381),
		"lb_is_prime");
	t_end();
}

/*
 * Every slot names an eligible backend, and each holds its quota: within
 * 1/2 + (e/2)(w/W) slots of its exact share s = M w / W (e eligible, W
 * their total weight; lb_maglev.c), or 1 + e w / W when some share is
 * below half a slot, and at least one slot. Returns the worst relative
 * error of a backend owed 100 slots or more.
 */
static double check_ring(const char *what, const struct lb_backend *be,
			 uint32_t n, const uint32_t *ring, uint32_t size)
{
	uint32_t *count = calloc(n, sizeof(*count));
	double total = 0, s, bound, worst = 0, least = INFINITY;
	uint32_t i, e = 0, bad = 0;

	for (i = 0; i < size; i++) {
		if (ring[i] >= n || !lb_backend_eligible(&be[ring[i]])) {
			bad++;
			continue;
		}
		count[ring[i]]++;
	}
	T_EQ(bad, 0, "slots naming no eligible backend");
	for (i = 0; i < n; i++) {
		if (!lb_backend_eligible(&be[i])) {
			T_EQ(count[i], 0, "slots of an ineligible backend");
			continue;
		}
		e++;
		total += be[i].weight;
	}
	for (i = 0; i < n; i++)
		if (lb_backend_eligible(&be[i]) &&
		    (double)size * be[i].weight / total < least)
			least = (double)size * be[i].weight / total;
	for (i = 0; i < n; i++) {
		if (!lb_backend_eligible(&be[i]))
			continue;
		s = (double)size * be[i].weight / total;
		bound = least >= 0.5 ? 0.5 + e / 2.0 * be[i].weight / total
				     : 1 + e * be[i].weight / total;
		T_CHECK(count[i] >= 1, "%s: backend %u has no slot", what, i);
		T_CHECK(fabs(count[i] - s) <= bound + 1e-9,
			"%s: backend %u (weight %u) holds %u slots, owed %.2f (+-%.2f)",
			what, i, be[i].weight, count[i], s, bound);
		if (s >= 100 && fabs(count[i] - s) / s > worst)
			worst = fabs(count[i] - s) / s;
	}
	free(count);
	return worst;
}

static void test_balance(void)
{
	struct lb_backend *be;
	uint32_t n, i, size, *ring, *count, lo, hi, r;
	double worst = 0, w;

	t_begin("maglev balance: equal weights, floor or ceil of M/n, n = 1..300");
	for (n = 1; n <= 300; n += n < 20 ? 1 : 7) {
		be = backends(n, 100);
		ring = maglev(be, n, 7, &size);
		count = calloc(n, sizeof(*count));
		count_slots(ring, size, n, count);
		lo = hi = count[0];
		for (i = 1; i < n; i++) {
			lo = count[i] < lo ? count[i] : lo;
			hi = count[i] > hi ? count[i] : hi;
		}
		T_CHECK(lo == size / n && hi <= size / n + 1,
			"n %u: %u..%u slots per backend of %u", n, lo, hi,
			size);
		check_ring("equal", be, n, ring, size);
		free(count);
		free(ring);
		free(be);
	}
	t_end();

	/*
	 * The bound stated in lb_ring.h: a share within 1/(2 s) + 0.5 % of
	 * the weight's share, so within 1 % for a backend owed 100 slots or
	 * more (every backend at or above the average weight, M >= 100 n).
	 */
	t_begin("maglev balance: random weights and states, +-1 %% for shares >= 100 slots");
	for (r = 0; r < 40; r++) {
		n = 1 + rnd_below(r < 20 ? 16 : 300);
		be = backends(n, 1);
		for (i = 0; i < n; i++) {
			be[i].weight = 1 + rnd_below(r % 2 ? 65535 : 10);
			be[i].up = rnd_below(8) != 0;
		}
		be[0].up = true;
		ring = maglev(be, n, r, &size);
		w = check_ring("random", be, n, ring, size);
		worst = w > worst ? w : worst;
		free(ring);
		free(be);
	}
	T_CHECK(worst <= 0.01, "worst relative error %.4f", worst);
	t_note("worst relative error of a share >= 100 slots: %.3f %%",
	       100 * worst);
	t_end();

	t_begin("maglev balance: one weight-1 backend among 255 of weight 65535");
	be = backends(256, 65535);
	be[77].weight = 1;
	ring = maglev(be, 256, 3, &size);
	check_ring("extreme", be, 256, ring, size);
	free(ring);
	free(be);
	t_end();
}

static void test_weights(void)
{
	static const uint16_t weights[] = {1, 2, 5};
	struct lb_backend be[3];
	uint32_t size, *ring, *ring2, count[3], i, own, changed;

	t_begin("maglev weights 1, 2, 5: shares 1/8, 2/8, 5/8");
	for (i = 0; i < 3; i++)
		backend(&be[i], i, false, weights[i]);
	ring = maglev(be, 3, 11, &size);
	count_slots(ring, size, 3, count);
	for (i = 0; i < 3; i++)
		T_CHECK(fabs(count[i] - size * weights[i] / 8.0) <= 1,
			"weight %u: %u slots of %u", weights[i], count[i],
			size);
	check_ring("1,2,5", be, 3, ring, size);
	/* Each leaves in turn: its share moves, and at most 1 % more. */
	for (i = 0; i < 3; i++) {
		be[i].up = false;
		ring2 = maglev(be, 3, 11, &size);
		be[i].up = true;
		own = count[i];
		changed = lb_ring_changed(ring, be, ring2, be, size);
		T_CHECK(changed >= own && changed - own <= MOVE_SLACK * size,
			"weight %u leaving: %u slots moved, its own %u",
			weights[i], changed, own);
		t_note("weight %u leaving: %.2f %% moved, its share %.2f %%",
		       weights[i], 100.0 * changed / size, 100.0 * own / size);
		free(ring2);
	}
	free(ring);
	t_end();
}

static void test_order(void)
{
	struct lb_backend *be, *mixed;
	uint32_t n = 64, size, size2, *ring, *ring2, r, diff = 0;

	t_begin("maglev: the same ring whatever the configuration order (20 shuffles)");
	be = backends(n, 1);
	for (r = 0; r < n; r++) {
		backend(&be[r], r, r % 3 == 0, 1 + r % 7);
		be[r].up = r % 11 != 5;
	}
	ring = maglev(be, n, 42, &size);
	mixed = malloc(n * sizeof(*mixed));
	memcpy(mixed, be, n * sizeof(*mixed));
	for (r = 0; r < 20; r++) {
		shuffle(mixed, n);
		ring2 = maglev(mixed, n, 42, &size2);
		diff += lb_ring_changed(ring, be, ring2, mixed, size);
		free(ring2);
	}
	T_EQ(diff, 0, "slots that differ over 20 shuffles");
	free(mixed);
	t_end();

	t_begin("maglev: another seed, another ring");
	ring2 = maglev(be, n, 43, &size2);
	diff = lb_ring_changed(ring, be, ring2, be, size);
	T_CHECK(diff > size / 2, "seed 43 differs from 42 in %u of %u slots",
		diff, size);
	free(ring2);
	free(ring);
	free(be);
	t_end();
}

static uint64_t fnv1a(const uint32_t *ring, uint32_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint32_t i, b;

	for (i = 0; i < len; i++)
		for (b = 0; b < 4; b++) {
			h ^= (ring[i] >> (8 * b)) & 0xff;
			h *= 0x100000001b3ull;
		}
	return h;
}

static void test_golden(void)
{
	struct lb_backend be[10];
	uint32_t i, size, *ring;
	uint64_t h;

	t_begin("maglev: the ring of a fixed VIP is the one every version builds");
	for (i = 0; i < 10; i++)
		backend(&be[i], i, i >= 7, 1 + i);
	be[4].up = false;
	ring = maglev(be, 10, GOLDEN_SEED, &size);
	h = fnv1a(ring, size);
	T_CHECK(h == GOLDEN_MAGLEV, "checksum 0x%llx, want 0x%llx",
		(unsigned long long)h, (unsigned long long)GOLDEN_MAGLEV);
	free(ring);
	t_end();
}

/*
 * Remove each of n equal backends in turn (every one for n <= 64, else
 * 64 spread over the keys), then bring it back, and add a new one.
 */
static void test_disruption(uint32_t n)
{
	struct lb_backend *be, *grown, *removed;
	uint32_t size, size2, *ring, *ring2, *ring3, j, step, changed;
	uint32_t worst = 0;
	double bound = 1.0 / n + MOVE_SLACK;

	t_begin("maglev disruption, N = %u: removing one moves <= 1/N + 1 %%",
		n);
	be = backends(n, 1);
	ring = maglev(be, n, 99, &size);
	step = n <= 64 ? 1 : n / 64;
	for (j = 0; j < n; j += step) {
		be[j].up = false;
		ring2 = maglev(be, n, 99, &size2);
		be[j].up = true;
		changed = lb_ring_changed(ring, be, ring2, be, size);
		T_CHECK(changed <= bound * size,
			"backend %u down: %u of %u slots moved (bound %.0f)", j,
			changed, size, bound * size);
		worst = changed > worst ? changed : worst;
		free(ring2);
	}
	t_note("worst: %.3f %% moved, bound %.3f %%, minimum %.3f %%",
	       100.0 * worst / size, 100 * bound, 100.0 / n);

	/* Coming back: the ring depends on the set only, so it is exact. */
	be[n / 2].up = false;
	ring2 = maglev(be, n, 99, &size2);
	be[n / 2].up = true;
	free(ring2);
	ring2 = maglev(be, n, 99, &size2);
	T_EQ(lb_ring_changed(ring, be, ring2, be, size), 0,
	     "slots changed after a backend went down and came back");
	free(ring2);

	/* Removed from the configuration: the same as down (same size). */
	if (lb_maglev_size(n - 1) == size) {
		removed = malloc(n * sizeof(*removed));
		memcpy(removed, be, n * sizeof(*removed));
		removed[n / 2] = removed[n - 1];
		be[n / 2].up = false;
		ring2 = maglev(be, n, 99, &size2);
		be[n / 2].up = true;
		ring3 = maglev(removed, n - 1, 99, &size2);
		T_EQ(lb_ring_changed(ring2, be, ring3, removed, size), 0,
		     "slots where removed differs from down");
		free(ring3);
		free(ring2);
		free(removed);
	}

	/* A new backend within the same size takes about 1/(N+1). */
	if (lb_maglev_size(n + 1) == size) {
		grown = backends(n + 1, 1);
		ring2 = maglev(grown, n + 1, 99, &size2);
		changed = lb_ring_changed(ring, be, ring2, grown, size);
		T_CHECK(changed <= (1.0 / (n + 1) + MOVE_SLACK) * size,
			"backend added: %u of %u slots moved", changed, size);
		free(ring2);
		free(grown);
	}
	free(ring);
	free(be);
	t_end();
}

/* Longest run of one value in a cyclic array. */
static uint32_t longest_run(const uint32_t *ring, uint32_t len, uint32_t v)
{
	uint32_t i, run = 0, best = 0;

	for (i = 0; i < 2 * len; i++) {
		run = ring[i % len] == v ? run + 1 : 0;
		best = run > best ? run : best;
	}
	return best < len ? best : len;
}

/*
 * Spread of a round-robin ring, backend v holding c of the len slots:
 *  - every prefix of k slots holds floor or ceil of k c / len of its slots
 *    (within one slot of its share: the best bound that always exists,
 *    Steiner and Yeomans 1993), so that every cyclic window of m slots
 *    holds m c / len of them, give or take less than 2;
 *  - no run of consecutive slots longer than one more than it must be:
 *    ceil(c / (len - c)) when the others are too few to separate all its
 *    slots, 1 otherwise.
 */
static void check_spread(const char *what, const uint32_t *ring, uint32_t len,
			 uint32_t n)
{
	uint32_t *count = calloc(n, sizeof(*count)), *win, i, v, m, need, run;
	double worst = 0, d;

	win = calloc(n, sizeof(*win));
	count_slots(ring, len, n, count);
	for (v = 0; v < n; v++) {
		if (!count[v])
			continue;
		need = count[v] == len ? len
				       : (count[v] + len - count[v] - 1) /
						 (len - count[v]);
		run = longest_run(ring, len, v);
		T_CHECK(run <= need + 1,
			"%s: backend %u (%u of %u slots) runs %u in a row, needs %u",
			what, v, count[v], len, run, need);
	}
	for (i = 0; i < len; i++) {
		win[ring[i]]++;
		for (v = 0; v < n; v++)
			T_CHECK(fabs(win[v] -
				     (double)(i + 1) * count[v] / len) < 1,
				"%s: backend %u has %u of the first %u slots, owed %.2f",
				what, v, win[v], i + 1,
				(double)(i + 1) * count[v] / len);
	}
	for (m = 1; m < len && m <= 64; m++) {
		memset(win, 0, n * sizeof(*win));
		for (i = 0; i < m; i++)
			win[ring[i]]++;
		for (i = 0; i < len; i++) {
			for (v = 0; v < n; v++) {
				d = fabs(win[v] - (double)m * count[v] / len);
				worst = d > worst ? d : worst;
			}
			win[ring[i]]--;
			win[ring[(i + m) % len]]++;
		}
	}
	T_CHECK(worst < 2, "%s: a window differs from its share by %.2f", what,
		worst);
	free(win);
	free(count);
}

static void test_wrr(void)
{
	static const uint16_t weights[] = {5, 1, 2};
	struct lb_backend be[3], *many;
	uint32_t ring[LB_MAGLEV_MIN_SIZE], *big, count[3], i, r, n, cap;
	char want[] = "CCBCCABC", got[9] = "";
	int len;

	t_begin("weighted round robin 1, 2, 5: 8 slots, interleaved");
	/* Configured as C (5), A (1), B (2): the ring follows the keys. */
	for (i = 0; i < 3; i++)
		backend(&be[i], (i + 2) % 3, false, weights[i]);
	len = lb_wrr_fill(be, 3, true, ring, LB_MAGLEV_MIN_SIZE);
	T_EQ(len, 8, "length");
	for (i = 0; i < 8 && len == 8; i++)
		got[i] = "CAB"[ring[i]];
	T_CHECK(strcmp(got, want) == 0, "order %s, want %s", got, want);
	count_slots(ring, 8, 3, count);
	T_CHECK(count[0] == 5 && count[1] == 1 && count[2] == 2,
		"counts %u %u %u", count[0], count[1], count[2]);
	check_spread("1,2,5", ring, 8, 3);
	t_end();

	t_begin("weighted round robin 4, 1, 1, 1, 1: A B A C A D A E");
	many = backends(5, 1);
	many[0].weight = 4;
	len = lb_wrr_fill(many, 5, true, ring, LB_MAGLEV_MIN_SIZE);
	T_EQ(len, 8, "length");
	for (i = 0; i < 8 && len == 8; i++)
		got[i] = "ABCDE"[ring[i]];
	T_CHECK(strcmp(got, "ABACADAE") == 0, "order %s", got);
	check_spread("4,1,1,1,1", ring, 8, 5);
	free(many);
	t_end();

	t_begin("round robin: each eligible backend once, in key order");
	for (i = 0; i < 3; i++)
		be[i].up = i != 2;
	len = lb_wrr_fill(be, 3, false, ring, LB_MAGLEV_MIN_SIZE);
	T_EQ(len, 2, "length");
	T_CHECK(ring[0] == 1 && ring[1] == 0, "order %u %u", ring[0], ring[1]);
	t_end();

	t_begin("weighted round robin: random weights, exact counts, spread");
	for (r = 0; r < 30; r++) {
		n = 2 + rnd_below(12);
		many = backends(n, 1);
		for (i = 0; i < n; i++)
			many[i].weight = 1 + rnd_below(r < 15 ? 6 : 40);
		shuffle(many, n);
		len = lb_wrr_fill(many, n, true, ring, LB_MAGLEV_MIN_SIZE);
		T_CHECK(len > 0, "build: %d", len);
		if (len > 0)
			check_spread("random", ring, len, n);
		free(many);
	}
	t_end();

	t_begin("weighted round robin: weights larger than the ring");
	n = 256;
	many = backends(n, 1);
	for (i = 0; i < n; i++)
		many[i].weight = i == 9 ? 1 : 60000 + i;
	cap = lb_ring_capacity(n);
	big = malloc(cap * sizeof(*big));
	len = lb_ring_build(LB_RING_WEIGHTED_ROUND_ROBIN, many, n, 0, big, cap);
	T_EQ(len, cap, "length");
	if (len == (int)cap)
		check_ring("wrr capped", many, n, big, len);
	free(big);
	free(many);
	t_end();
}

static void test_errors(void)
{
	struct lb_backend be[4];
	uint32_t ring[LB_MAGLEV_MIN_SIZE], i, size = lb_maglev_size(4);

	t_begin("refused: no backend up, duplicates, bad family, sizes");
	for (i = 0; i < 4; i++) {
		backend(&be[i], i, i == 3, 1);
		be[i].up = false;
	}
	ring[0] = 12345;
	T_EQ(lb_maglev_fill(be, 4, 0, ring, size), -ENOENT, "none up");
	T_EQ(lb_wrr_fill(be, 4, true, ring, size), -ENOENT, "none up (wrr)");
	T_EQ(ring[0], 12345, "ring untouched");
	be[1].weight = 0;
	be[1].up = true;
	T_EQ(lb_maglev_fill(be, 4, 0, ring, size), -ENOENT, "weight 0 only");
	for (i = 0; i < 4; i++)
		backend(&be[i], i, false, 1);
	be[2] = be[0];
	T_EQ(lb_maglev_fill(be, 4, 0, ring, size), -EINVAL, "duplicate");
	be[2].up = false;
	T_EQ(lb_maglev_fill(be, 4, 0, ring, size), size,
	     "duplicate of a down backend");
	be[2].up = true;
	be[2].family = 77;
	T_EQ(lb_maglev_fill(be, 4, 0, ring, size), -EINVAL, "family");
	backend(&be[2], 2, false, 1);
	T_EQ(lb_maglev_fill(be, 4, 0, ring, size - 1), -EINVAL, "not prime");
	T_EQ(lb_maglev_fill(be, 4, 0, ring, 3), -EINVAL, "below backends");
	T_EQ(lb_ring_build(LB_RING_MAGLEV, be, 4, 0, ring, size - 1), -ENOSPC,
	     "capacity");
	T_EQ(lb_ring_build(LB_RING_MAGLEV, be, LB_RING_MAX_BACKENDS + 1, 0,
			   ring, size),
	     -E2BIG, "too many");
	T_EQ(lb_ring_build((enum lb_ring_algo)99, be, 4, 0, ring, size),
	     -EINVAL, "algorithm");
	T_EQ(lb_ring_build(LB_RING_SOURCE_HASH, be, 4, 0, ring, size), size,
	     "source-hash is a Maglev ring");
	t_end();
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("seed %llu\n", (unsigned long long)seed);
	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	test_sizes();
	test_balance();
	test_weights();
	test_order();
	test_golden();
	test_disruption(8);
	test_disruption(64);
	test_disruption(256);
	test_wrr();
	test_errors();
	return t_summary();
}
