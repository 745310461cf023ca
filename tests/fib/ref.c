// SPDX-License-Identifier: GPL-2.0-or-later
/* The reference longest-prefix match (ref.h). */
#include <stdlib.h>
#include <string.h>

#include "ref.h"

void ref_init(struct ref *ref, unsigned int bits)
{
	memset(ref, 0, sizeof(*ref));
	ref->bits = bits;
}

void ref_fini(struct ref *ref)
{
	free(ref->r);
	memset(ref, 0, sizeof(*ref));
}

void ref_mask(const uint32_t *in, unsigned int len, uint32_t *out)
{
	unsigned int w, bits;

	for (w = 0; w < 4; w++) {
		bits = len > 32 * w ? len - 32 * w : 0;
		if (bits >= 32)
			out[w] = in[w];
		else
			out[w] = bits ? in[w] & ~(0xffffffffu >> bits) : 0;
	}
}

bool ref_covers(const uint32_t *prefix, unsigned int len, const uint32_t *addr)
{
	uint32_t m[4];

	ref_mask(addr, len, m);
	return !memcmp(m, prefix, sizeof(m));
}

struct ref_route *ref_find(const struct ref *ref, const uint32_t *addr,
			   unsigned int len)
{
	uint32_t m[4];
	uint32_t i;

	ref_mask(addr, len, m);
	for (i = 0; i < ref->n; i++)
		if (ref->r[i].len == len && !memcmp(ref->r[i].addr, m, sizeof(m)))
			return &ref->r[i];
	return NULL;
}

void ref_set(struct ref *ref, const uint32_t *addr, unsigned int len,
	     const struct dp_rt_val *val)
{
	struct ref_route *r = ref_find(ref, addr, len);

	if (!r) {
		if (ref->n == ref->cap) {
			ref->cap = ref->cap ? 2 * ref->cap : 256;
			ref->r = realloc(ref->r, ref->cap * sizeof(*ref->r));
			if (!ref->r)
				abort();
		}
		r = &ref->r[ref->n++];
		memset(r, 0, sizeof(*r));
		ref_mask(addr, len, r->addr);
		r->len = len;
	}
	r->val = *val;
}

bool ref_del(struct ref *ref, const uint32_t *addr, unsigned int len)
{
	struct ref_route *r = ref_find(ref, addr, len);

	if (!r)
		return false;
	*r = ref->r[--ref->n];
	return true;
}

const struct ref_route *ref_best(const struct ref *ref, const uint32_t *addr,
				 unsigned int maxlen)
{
	const struct ref_route *best = NULL;
	uint32_t i;

	for (i = 0; i < ref->n; i++)
		if (ref->r[i].len <= maxlen &&
		    (!best || ref->r[i].len > best->len) &&
		    ref_covers(ref->r[i].addr, ref->r[i].len, addr))
			best = &ref->r[i];
	return best;
}

const struct ref_route *ref_lookup(const struct ref *ref, const uint32_t *addr)
{
	return ref_best(ref, addr, ref->bits);
}

static int ref_val_cmp(const void *pa, const void *pb)
{
	const struct dp_rt_val *a = pa, *b = pb;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->nhg_id != b->nhg_id)
		return a->nhg_id < b->nhg_id ? -1 : 1;
	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	return 0;
}

uint32_t ref_distinct_vals(const struct ref *a, const struct ref *b)
{
	uint32_t i, n = a->n + b->n, distinct = 0;
	struct dp_rt_val *v = malloc((n + 1) * sizeof(*v));

	if (!v)
		abort();
	for (i = 0; i < a->n; i++)
		v[i] = a->r[i].val;
	for (i = 0; i < b->n; i++)
		v[a->n + i] = b->r[i].val;
	qsort(v, n, sizeof(*v), ref_val_cmp);
	for (i = 0; i < n; i++)
		distinct += !i || ref_val_cmp(&v[i - 1], &v[i]);
	free(v);
	return distinct;
}

/* Set (or clear) bit i, counting from the most significant. */
static void ref_bit(uint32_t *a, unsigned int i, bool on)
{
	uint32_t m = 0x80000000u >> (i & 31);

	a[i >> 5] = on ? a[i >> 5] | m : a[i >> 5] & ~m;
}

void ref_probe(unsigned int bits, const uint32_t *s, unsigned int slen,
	       const uint32_t *r, uint32_t *out)
{
	const uint32_t ones[4] = {~0u, ~0u, ~0u, ~0u};
	uint32_t mask[4];
	unsigned int w;

	ref_mask(ones, slen, mask);
	for (w = 0; w < 4; w++)
		out[w] = w < bits / 32 ? s[w] | (r[w] & ~mask[w]) : 0;
	if (slen < bits)
		ref_bit(out, slen, false);
}

unsigned int ref_churn_prefix(unsigned int bits, const uint32_t *s,
			      unsigned int slen, uint32_t *out)
{
	uint32_t r[4] = {rnd(), rnd(), rnd(), rnd()};
	unsigned int len;

	if (slen == bits || (slen && rnd_below(3) == 0)) {
		len = slen - 1 - rnd_below(slen < 8 ? slen : 8);
		ref_mask(s, len, out);
		return len;
	}
	len = slen + 1 + rnd_below(bits - slen);
	ref_probe(bits, s, slen, r, out);
	ref_bit(out, slen, true);
	ref_mask(out, len, out);
	return len;
}

static uint64_t rnd_state = 88172645463325252ull;

void rnd_seed(uint64_t seed)
{
	rnd_state = seed ? seed : 88172645463325252ull;
}

uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 16);
}

uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(((uint64_t)rnd() * n) >> 32);
}

void rnd_shuffle(unsigned int *a, unsigned int n)
{
	unsigned int i, j, x;

	for (i = n; i > 1; i--) {
		j = rnd_below(i);
		x = a[i - 1];
		a[i - 1] = a[j];
		a[j] = x;
	}
}
