/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Route tables shaped like the Internet's: random, distinct prefixes whose
 * lengths follow the mix of a full BGP table (prefixes.c has the mix and
 * where it comes from), in random order, so that the first n of a table
 * are a smaller table of the same shape. Destinations are drawn from a
 * table: a random prefix, random host bits.
 *
 * Addresses are in network byte order. Generation is deterministic for a
 * seed, so two runs (and every program in one run) see the same routes
 * and packets.
 */
#ifndef BENCH_PREFIXES_H
#define BENCH_PREFIXES_H

#include <stdint.h>

#include "bench.h"

struct bn_pfx4 {
	uint32_t addr;
	uint8_t plen;
};

struct bn_pfx6 {
	uint32_t addr[4];
	uint8_t plen;
};

/* n distinct prefixes (calloc'd), or dies. */
struct bn_pfx4 *bn_pfx4_table(uint32_t n, uint64_t seed);
struct bn_pfx6 *bn_pfx6_table(uint32_t n, uint64_t seed);

/* A random address inside p. */
uint32_t bn_pfx4_dst(const struct bn_pfx4 *p, struct bn_rng *rng);
void bn_pfx6_dst(const struct bn_pfx6 *p, struct bn_rng *rng, uint32_t *out);

/* "a.b.c.d/len" / "x:y::/len" for ip(8) batch files. */
void bn_pfx4_str(const struct bn_pfx4 *p, char *buf, int len);
void bn_pfx6_str(const struct bn_pfx6 *p, char *buf, int len);

/* The length mixes, as text for the benchmarks' headers. */
extern const char bn_pfx4_mix_desc[];
extern const char bn_pfx6_mix_desc[];

#endif /* BENCH_PREFIXES_H */
