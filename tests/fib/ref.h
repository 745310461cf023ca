/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reference the FIB is checked against: a plain list of routes and a
 * longest-prefix match by scanning all of them. Too slow for a router,
 * obviously right. Addresses are host-order 32-bit words, most
 * significant first (IPv4 uses word 0 only).
 */
#ifndef FIB_REF_H
#define FIB_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "dp_abi.h"

struct ref_route {
	uint32_t addr[4]; /* masked to len */
	uint8_t len;
	struct dp_rt_val val;
};

struct ref {
	unsigned int bits; /* 32 or 128 */
	struct ref_route *r;
	uint32_t n, cap;
};

extern void ref_init(struct ref *ref, unsigned int bits);
extern void ref_fini(struct ref *ref);
extern void ref_mask(const uint32_t *in, unsigned int len, uint32_t *out);
extern bool ref_covers(const uint32_t *prefix, unsigned int len,
		       const uint32_t *addr);
/* The route of exactly (addr/len), or NULL. */
extern struct ref_route *ref_find(const struct ref *ref, const uint32_t *addr,
				  unsigned int len);
extern void ref_set(struct ref *ref, const uint32_t *addr, unsigned int len,
		    const struct dp_rt_val *val);
extern bool ref_del(struct ref *ref, const uint32_t *addr, unsigned int len);
/* The longest prefix containing addr, or NULL. */
extern const struct ref_route *ref_lookup(const struct ref *ref,
					  const uint32_t *addr);
/* The longest prefix of length <= maxlen containing addr, or NULL. */
extern const struct ref_route *ref_best(const struct ref *ref,
					const uint32_t *addr,
					unsigned int maxlen);
/* Distinct values over both tables (for the interning check). */
extern uint32_t ref_distinct_vals(const struct ref *a, const struct ref *b);

/*
 * Churn that cannot change a probe's answer. Probes lie in the lower half
 * of a stable prefix s/slen (bit slen clear). A churn prefix is either
 * shorter than s and covers it (it loses the longest match) or longer and
 * inside the upper half (it shares s's table entries, never a probe).
 * The random words r[4] make a probe; the churn prefix uses rnd().
 */
extern void ref_probe(unsigned int bits, const uint32_t *s, unsigned int slen,
		      const uint32_t *r, uint32_t *out);
extern unsigned int ref_churn_prefix(unsigned int bits, const uint32_t *s,
				     unsigned int slen, uint32_t *out);

/* Random numbers (xorshift, seeded for reproducible runs). */
extern void rnd_seed(uint64_t seed);
extern uint32_t rnd(void);
extern uint32_t rnd_below(uint32_t n);
extern void rnd_shuffle(unsigned int *a, unsigned int n);

#endif /* FIB_REF_H */
