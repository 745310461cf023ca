// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STAND-IN for branch `maglev`'s ring builder (lb_ring_stub.h says what it
 * does not do and how to switch). Plain C, no FRR dependency.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lb/lb_ring_stub.h"

/* The real library's minimum Maglev size (a prime). */
#define LB_STUB_MIN_SIZE 16381

static bool lb_stub_prime(uint32_t x)
{
	if (x < 2)
		return false;
	for (uint32_t d = 2; (uint64_t)d * d <= x; d++)
		if (x % d == 0)
			return false;
	return true;
}

uint32_t lb_ring_capacity(uint32_t n)
{
	uint32_t step = 1, size;

	if (n > LB_RING_MAX_BACKENDS)
		return 0;
	while (step < n)
		step <<= 1;
	for (size = 100 * step; !lb_stub_prime(size); size++)
		;
	return size < LB_STUB_MIN_SIZE ? LB_STUB_MIN_SIZE : size;
}

static const struct lb_backend *lb_stub_be;

/* Key order: family, address, port. */
static int lb_stub_cmp(const void *a, const void *b)
{
	const struct lb_backend *x = &lb_stub_be[*(const uint32_t *)a];
	const struct lb_backend *y = &lb_stub_be[*(const uint32_t *)b];
	int c;

	if (x->family != y->family)
		return x->family - y->family;
	c = memcmp(x->addr, y->addr, sizeof(x->addr));
	return c ? c : (int)x->port - (int)y->port;
}

static uint32_t lb_stub_gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Smooth weighted round robin of the m eligible backends (positions in
 * idx[], weights w[]) into ring[0..len-1]; len is the sum of w[]. */
static void lb_stub_swrr(const uint32_t *idx, const uint32_t *w, uint32_t m,
			 uint32_t *ring, uint32_t len)
{
	int64_t *cur = calloc(m, sizeof(*cur));

	for (uint32_t s = 0; s < len && cur; s++) {
		uint32_t best = 0;

		for (uint32_t i = 0; i < m; i++) {
			cur[i] += w[i];
			if (cur[i] > cur[best])
				best = i;
		}
		cur[best] -= len;
		ring[s] = idx[best];
	}
	free(cur);
}

int lb_ring_build(enum lb_ring_algo algo, const struct lb_backend *be,
		  uint32_t n, uint32_t seed, uint32_t *ring, uint32_t cap)
{
	uint32_t *idx, *w, m = 0, g = 0, len = 0, size, i;
	uint64_t sum = 0;
	int ret;

	if (n > LB_RING_MAX_BACKENDS)
		return -E2BIG;
	if (algo > LB_RING_MAGLEV)
		return -EINVAL;
	if (cap < lb_ring_capacity(n))
		return -ENOSPC;
	idx = calloc(n ? n : 1, sizeof(*idx));
	w = calloc(n ? n : 1, sizeof(*w));
	if (!idx || !w) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (lb_backend_eligible(&be[i]))
			idx[m++] = i;
	if (!m) {
		ret = -ENOENT;
		goto out;
	}
	lb_stub_be = be;
	qsort(idx, m, sizeof(*idx), lb_stub_cmp);

	for (i = 0; i < m; i++) {
		w[i] = algo == LB_RING_ROUND_ROBIN ? 1 : be[idx[i]].weight;
		g = lb_stub_gcd(g, w[i]);
	}
	for (i = 0; i < m; i++)
		sum += w[i] /= g;
	size = algo == LB_RING_ROUND_ROBIN ? m
	       : algo == LB_RING_WEIGHTED_ROUND_ROBIN ? (uint32_t)(sum < cap ? sum : cap)
						      : lb_ring_capacity(n);
	/* Shares that do not fit are scaled down, at least one slot each. */
	if (sum > size)
		for (i = 0; i < m; i++)
			{
			uint64_t share = (uint64_t)w[i] * (size - m) / sum;

			w[i] = share ? share : 1;
		}
	for (i = 0; i < m; i++)
		len += w[i];

	lb_stub_swrr(idx, w, m, ring, len);
	/* Hash rings: the period again and again over the whole size,
	 * turned by the seed so that it matters as it does for Maglev. */
	for (i = len; i < size; i++)
		ring[i] = ring[(i + seed) % len];
	ret = size;
out:
	free(idx);
	free(w);
	return ret;
}
