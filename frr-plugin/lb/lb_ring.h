/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Backend selection tables for the load balancer ("rings").
 *
 * The datapath picks the backend of a new flow as
 *
 *	ring[vip.ring_base + flow_hash % vip.ring_size]
 *
 * and this library builds the ring of one VIP in user space: an array of
 * positions in the VIP's backend array. Plain C with no FRR dependency, so
 * that the tests and benchmarks drive exactly the code the plugin runs.
 *
 *   maglev, hash, source-hash   weighted Maglev (Eisenbud et al., NSDI 2016,
 *                               with another fill, lb_maglev.c): a prime
 *                               number of slots, at least 100 per configured
 *                               backend; removing one of N backends moves
 *                               its 1/N of the slots and, measured for N up
 *                               to 300, at most 0.8 % more (under 1 % with
 *                               weights 1 to 10)
 *   round-robin                 each eligible backend once, in key order
 *   weighted-round-robin        each eligible backend in proportion to its
 *                               weight, spread out (lb_wrr.c): every prefix
 *                               of the ring holds each backend within one
 *                               slot of its share
 *
 * The caller passes every configured backend of the VIP, each with its
 * weight and an up flag, and the ring holds positions in that array: the
 * datapath's backend table is indexed the same way, so a health change
 * flips a flag and rebuilds the ring with no renumbering, and the Maglev
 * table keeps its size (it depends on the number configured, not on the
 * number up) so that a backend going down moves only about its own flows.
 * Positions are below LB_RING_MAX_BACKENDS: the datapath may store them in
 * 16 bits.
 *
 * Maglev rings depend only on the set of eligible backends (their keys and
 * weights), the number configured and the seed: not on the order they
 * were configured in, nor on the process or host (integer arithmetic
 * only). Two nodes with the same VIP configuration and seed build
 * identical rings (up to the positions, which name the same backends), so
 * a flow that ECMP moves from one node to the other meets the same backend
 * there.
 *
 * The library keeps no state: any thread may call it.
 */
#ifndef LB_RING_H
#define LB_RING_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Backends per VIP that a ring can hold (the product needs 256; 4096 keeps
 * a Maglev ring under 420,000 slots).
 */
#define LB_RING_MAX_BACKENDS 4096

/* Slots per backend in a Maglev ring, at least (the paper's rule). */
#define LB_MAGLEV_SLOTS_PER_BACKEND 100

/*
 * Slots of a Maglev ring, at least (a prime). At 100 slots per backend,
 * removing one of 8 or 64 backends moved 1.1-1.2 % more flows than the
 * minimum (lb_maglev.c); this size keeps it under 1 % for every VIP below
 * 129 backends, and costs a small VIP 64 KiB of ring at 4 bytes a slot,
 * less than a 256-backend VIP needs anyway.
 */
#define LB_MAGLEV_MIN_SIZE 16381

/* A ring slot that names no backend (never left in a built ring). */
#define LB_RING_EMPTY UINT32_MAX

struct lb_backend {
	uint8_t family;	  /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network byte order; IPv4 in addr[0..3] */
	uint16_t port;	  /* host byte order */
	uint16_t weight;  /* 1..65535; 0: configured but takes no new flows */
	bool up;	  /* healthy and not admin-down */
};

enum lb_ring_algo {
	LB_RING_ROUND_ROBIN,
	LB_RING_WEIGHTED_ROUND_ROBIN,
	LB_RING_HASH,	     /* 5-tuple flow hash */
	LB_RING_SOURCE_HASH, /* flow hash of the source address only */
	LB_RING_MAGLEV,
};

/* A backend takes new flows when it is up and has a weight. */
static inline bool lb_backend_eligible(const struct lb_backend *be)
{
	return be->up && be->weight;
}

/*
 * Slots of a Maglev ring for a VIP with n_backends configured: a prime of
 * at least 100 × n_backends and LB_MAGLEV_MIN_SIZE, taken from a ladder
 * (the smallest prime at or above 100 × 2^k) so that it changes only when
 * n crosses a power of two: a new table size moves nearly every flow, a
 * new backend within the step only about 1/N of them. Up to 128 backends
 * get 16,381 slots, 129..256 get 25,601 (the plain rule's size for 256),
 * 257..512 get 51,203. Returns 0 above LB_RING_MAX_BACKENDS.
 */
extern uint32_t lb_maglev_size(uint32_t n_backends);

/*
 * Slots the caller reserves for a VIP's ring, whatever its algorithm (so
 * that changing the algorithm never needs a new region): lb_maglev_size().
 */
extern uint32_t lb_ring_capacity(uint32_t n_backends);

/*
 * Build the ring of a VIP from its n configured backends (be[0..n-1],
 * addresses/ports unique among the eligible ones) into ring[0..cap-1].
 * seed is the VIP's hash seed, the same on every node (used by the Maglev
 * kinds only). Returns the ring's size (what the datapath takes modulo),
 * always lb_maglev_size(n) for maglev, hash and source-hash; or
 *   -ENOENT  no backend is eligible (the ring is left untouched)
 *   -EINVAL  an unknown algorithm, an eligible backend of unknown family,
 *            two eligible backends with the same key
 *   -E2BIG   n > LB_RING_MAX_BACKENDS
 *   -ENOSPC  cap < lb_ring_capacity(n)
 *   -ENOMEM
 */
extern int lb_ring_build(enum lb_ring_algo algo, const struct lb_backend *be,
			 uint32_t n, uint32_t seed, uint32_t *ring,
			 uint32_t cap);

/*
 * Weighted Maglev fill of ring[0..size-1] (size: lb_maglev_size(n), or any
 * prime up to 2^20 larger than the number of eligible backends). With e
 * eligible backends of total weight W, one of weight w holds within 1/2 +
 * (e/2)(w/W) slots of its exact share size × w / W (1 + e w / W when some share
 * is below half a slot, as every backend gets a slot): within 1 % for a backend
 * owed 100 slots or more; equal weights differ by at most one slot. Same
 * returns as lb_ring_build() (-EINVAL also for another size).
 */
extern int lb_maglev_fill(const struct lb_backend *be, uint32_t n,
			  uint32_t seed, uint32_t *ring, uint32_t size);

/*
 * Smooth weighted round robin into ring[0..cap-1] (weighted false: every
 * weight taken as 1). The length is the sum of the eligible weights
 * divided by their greatest common divisor, each backend holding exactly
 * weight/gcd slots, or cap slots shared in proportion (at least one each)
 * when that sum is larger. Returns the length or -errno as above.
 */
extern int lb_wrr_fill(const struct lb_backend *be, uint32_t n, bool weighted,
		       uint32_t *ring, uint32_t cap);

/*
 * Slots of two rings of the same size that send flows to a different
 * backend (compared by address and port, so the two backend arrays may
 * differ in order or length). A slot that is LB_RING_EMPTY in either
 * counts as changed unless it is empty in both.
 */
extern uint32_t lb_ring_changed(const uint32_t *old_ring,
				const struct lb_backend *old_be,
				const uint32_t *new_ring,
				const struct lb_backend *new_be, uint32_t size);

/* Order of backends by key (family, address, port): <0, 0, >0. */
extern int lb_backend_cmp(const struct lb_backend *a,
			  const struct lb_backend *b);

/* Is x prime? (sizes are small: trial division) */
extern bool lb_is_prime(uint32_t x);

#endif /* LB_RING_H */
