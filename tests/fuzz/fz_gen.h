/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The frame generator: valid frames and their mutations, for one ingress
 * interface of fz_config.h. Frame `index` of seed `seed` is the same on
 * every run and does not depend on the frames before it, so one frame can
 * be replayed alone (--seed S --start I --count 1). The same (seed, index)
 * for two ingress interfaces makes the same choices: the same kind of
 * frame, addressed relative to each interface.
 */
#ifndef FZ_GEN_H
#define FZ_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "fz_config.h"

/*
 * BPF_PROG_TEST_RUN takes an XDP frame of at most a page less headroom
 * and skb_shared_info (3520 bytes on x86-64) and at least ETH_HLEN.
 */
#define FZ_FRAME_MAX 3500
#define FZ_FRAME_MIN 14

struct fz_frame {
	uint8_t buf[FZ_FRAME_MAX + 64];
	size_t len;
	char desc[160]; /* what the generator built, for reports */
};

struct fz_rng {
	uint64_t s;
};

void fz_rng_seed(struct fz_rng *r, uint64_t seed, uint64_t index);
uint64_t fz_rand(struct fz_rng *r);
uint32_t fz_below(struct fz_rng *r, uint32_t n); /* 0 .. n-1 */

void fz_gen(const struct fz_config *c, uint64_t seed, uint64_t index,
	    uint32_t ingress, struct fz_frame *f);

#endif /* FZ_GEN_H */
