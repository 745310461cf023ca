/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the ring builders share (lb_ring.c): the eligible backends in key
 * order, and the order in which weighted backends take turns.
 */
#ifndef LB_RING_INT_H
#define LB_RING_INT_H

#include "lb/lb_ring.h"

/* A backend's key as bytes whose order is the key order, on any host. */
#define LB_KEY_BYTES 24

/*
 * The key of be: family (4 or 6), address (IPv4 zero-padded), port (big
 * endian), zero padding. False for an unknown family.
 */
extern bool lb_key_bytes(const struct lb_backend *be,
			 uint8_t out[LB_KEY_BYTES]);

/* The eligible backends of a VIP, in key order. */
struct lb_eligible {
	uint32_t n;	  /* how many */
	uint32_t *pos;	  /* their positions in the caller's array */
	uint32_t *weight; /* and their weights */
};

/*
 * Collect the eligible backends of be[0..n-1]. Returns how many, or
 * -E2BIG (n > LB_RING_MAX_BACKENDS), -EINVAL (unknown family, two eligible
 * backends with one key), -ENOENT (none), -ENOMEM; el is then empty.
 */
extern int lb_eligible_get(struct lb_eligible *el, const struct lb_backend *be,
			   uint32_t n);
extern void lb_eligible_put(struct lb_eligible *el);

/*
 * Turns handed to n parties in proportion to their weights, the earliest
 * due first (ties to the lower index). By default a party's k-th turn (k
 * from 0) is due at (k + 1/2) / weight: after any number of turns each
 * party has had round(x × weight) of them for one x, to within the ties
 * of the last one (Webster's rounding), and a party's turns are spread
 * evenly among the others'. All arithmetic is on integers: every host
 * computes the same order.
 */
enum lb_turns_flags {
	/*
	 * Every party's first turn is due at 0: all go once, in index
	 * order, before anyone goes twice, so that none is left without a
	 * turn however small its weight.
	 */
	LB_TURNS_FIRST_FREE = 1 << 0,
	/* The k-th turn is due at (k + 1) / weight (a deadline). */
	LB_TURNS_DEADLINE = 1 << 1,
};

struct lb_turns {
	uint32_t n; /* parties taking turns now */
	unsigned int flags;
	const uint32_t *weight; /* > 0 */
	const uint64_t *clock;	/* or NULL (lb_turns_init_clock) */
	uint32_t *taken;	/* turns each party has had */
	uint64_t *due;		/* each one's next due time (a key) */
	uint32_t *heap;		/* parties, the one due first at the top */
};

extern int lb_turns_init(struct lb_turns *t, const uint32_t *weight, uint32_t n,
			 unsigned int flags);
/*
 * Turns due at clock[k] / weight (clock[] nondecreasing, below 2^37; the
 * caller fills clock[k] before party's k-th turn can be looked at).
 */
extern int lb_turns_init_clock(struct lb_turns *t, const uint32_t *weight,
			       uint32_t n, const uint64_t *clock);
/* The party whose turn it is (n must not be 0). */
static inline uint32_t lb_turns_peek(const struct lb_turns *t)
{
	return t->heap[0];
}
/* Count that turn as taken. */
extern void lb_turns_advance(struct lb_turns *t);
/* The party at the top skips to its k-th turn (k > turns it had). */
extern void lb_turns_advance_to(struct lb_turns *t, uint32_t k);
/* The party at the top takes its turn and no more (until it joins again). */
extern void lb_turns_retire(struct lb_turns *t);
/* Party i, not taking turns, takes them again. */
extern void lb_turns_join(struct lb_turns *t, uint32_t i);
extern void lb_turns_fini(struct lb_turns *t);

/*
 * A backend's preference list in a Maglev ring of size slots: offset,
 * offset + skip, ... mod size (lb_maglev.c).
 */
extern void lb_maglev_prefs(const struct lb_backend *be, uint32_t seed,
			    uint32_t size, uint32_t *offset, uint32_t *skip);

/*
 * Share total slots among n parties (total >= n): count[i] is what party
 * i gets in the first total turns of lb_turns with LB_TURNS_FIRST_FREE,
 * Webster's rounding of total × w / W with at least one each, computed
 * without taking every turn.
 */
extern int lb_apportion(const uint32_t *weight, uint32_t n, uint32_t total,
			uint32_t *count);

#endif /* LB_RING_INT_H */
