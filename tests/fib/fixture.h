/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A FIB over fake maps plus its reference (ref.h), updated together, and
 * the checks that compare them: lookups at the edges of every route and
 * at random addresses, and the FIB's own counters against what the
 * reference implies.
 */
#ifndef FIB_FIXTURE_H
#define FIB_FIXTURE_H

#include "fib/dp_fib.h"
#include "ref.h"

/* Range entries of the fixture's fib4_dxr_range: small enough that the
 * larger random tables fill it (/16s then stay on DIR-24-8). */
#define TFIB_DXR_RANGE_BLOCKS 64
/* The next tfib_open()'s route limit for ranges (0: the plugin's). */
extern uint32_t tfib_dxr_routes_max;

struct tfib {
	struct dp_fib *fib;
	struct dp_fib_maps m;
	struct ref r4, r6;
};

extern bool tfib_open(struct tfib *t, uint32_t vals_max, uint32_t tbl8_groups,
		      uint32_t fib6_max);
extern void tfib_close(struct tfib *t);

/* bits: 32 or 128. The reference follows only successful updates. */
extern int tfib_add(struct tfib *t, unsigned int bits, const uint32_t *addr,
		    unsigned int len, const struct dp_rt_val *val);
extern int tfib_del(struct tfib *t, unsigned int bits, const uint32_t *addr,
		    unsigned int len);

/* Whether value id names want (want NULL: whether id is 0, no route);
 * *got receives what it names. */
extern bool tfib_val_is(struct tfib *t, uint32_t id,
			const struct dp_rt_val *want, struct dp_rt_val *got);

/* One lookup against the reference; false (and a report) on mismatch. */
extern bool tfib_check(struct tfib *t, unsigned int bits,
		       const uint32_t *addr);
/* Every route's edges and inside, n random addresses, and the counters.
 * Returns the number of mismatches. */
extern unsigned int tfib_verify(struct tfib *t, unsigned int bits,
				unsigned int n);

/*
 * Every fib6_map node against the reference: it exists iff it is a route
 * or a marker some route's search needs, its flags say which, and its
 * value is the best match at its own position. Returns mismatches.
 */
extern unsigned int tfib_check_nodes6(struct tfib *t);

/* A digest of everything lookups read but the value slots: tbl24, tbl8
 * and fib6_map (unused value slots may change on a failed update). */
extern uint64_t tfib_digest(struct tfib *t);

/* Random inputs, concentrated on a few regions so prefixes overlap. */
extern void rnd_addr(unsigned int bits, uint32_t *addr);
extern unsigned int rnd_len(unsigned int bits);
extern struct dp_rt_val rnd_val(uint32_t nvals);

/* An address from text, host-order words; returns 32 or 128. */
extern unsigned int tfib_addr(const char *text, uint32_t *addr);

/* The same from text, with a DP_RT_NHG value of group nhg_id; and the
 * group the FIB gives an address (0: no route). */
extern int tfib_add_nhg(struct tfib *t, const char *prefix, unsigned int len,
			uint32_t nhg_id);
extern int tfib_del_text(struct tfib *t, const char *prefix, unsigned int len);
extern uint32_t tfib_nhg_of(struct tfib *t, const char *addr);

#endif /* FIB_FIXTURE_H */
