/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STAND-IN for the backend selection tables of branch `maglev`
 * (frr-plugin/lb/lb_ring.h, lb_maglev.c), which were not committed when
 * the load balancer's configuration was written. It declares the subset
 * of that library's API the plugin calls, with the same names, types and
 * contract, so that switching to it is: delete lb_ring_stub.{c,h}, include
 * "lb/lb_ring.h" in lb_owner.c, list lb_ring.c, lb_maglev.c and lb_wrr.c
 * in frr-plugin/subdir.am.
 *
 * What the stand-in does NOT do: Maglev. Its hash rings are a weighted
 * interleave of the eligible backends in key order repeated over a prime
 * number of slots: the same on every node with the same configuration
 * (order-independent), weighted, but a backend change moves many flows
 * (hash mod N behaviour). Sizes follow the real library's ladder.
 */
#ifndef LB_RING_STUB_H
#define LB_RING_STUB_H

#include <stdbool.h>
#include <stdint.h>

/* Backends per VIP a ring can hold. */
#define LB_RING_MAX_BACKENDS 4096

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

/* Slots the caller reserves for a VIP's ring with n_backends configured,
 * whatever its algorithm; 0 above LB_RING_MAX_BACKENDS. */
extern uint32_t lb_ring_capacity(uint32_t n_backends);

/*
 * Build the ring of a VIP from its n configured backends into
 * ring[0..cap-1]: positions in be[]. Returns the ring's size, or
 * -ENOENT (no backend eligible; ring untouched), -EINVAL, -E2BIG,
 * -ENOSPC (cap < lb_ring_capacity(n)), -ENOMEM.
 */
extern int lb_ring_build(enum lb_ring_algo algo, const struct lb_backend *be,
			 uint32_t n, uint32_t seed, uint32_t *ring,
			 uint32_t cap);

#endif /* LB_RING_STUB_H */
