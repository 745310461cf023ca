// SPDX-License-Identifier: GPL-2.0-or-later
/* Realistic route tables and destinations (prefixes.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefixes.h"

struct bn_mix {
	uint8_t plen;
	uint16_t per_mille;
};

/*
 * Prefix lengths of the IPv4 full table, rounded from public BGP table
 * reports (e.g. bgp.potaroo.net, 2023-2024): about 60 % /24, then /22
 * and /23, a few percent each of /19-/21, little shorter. Prefixes longer
 * than /24 are filtered between networks, but a router also carries its
 * own and its customers': 1 % here, so the DIR-24-8 second level is used.
 */
static const struct bn_mix bn_mix4[] = {
	{15, 3},  {16, 17}, {17, 10}, {18, 20}, {19, 30},  {20, 50},
	{21, 50}, {22, 110}, {23, 100}, {24, 600}, {25, 2}, {26, 2},
	{27, 2},  {28, 1},  {29, 1},  {30, 1},  {32, 1},
};

const char bn_pfx4_mix_desc[] =
	"/24 60%, /22 11%, /23 10%, /20-/21 10%, /15-/19 8%, /25-/32 1%";

/*
 * IPv6: about half /48 (end sites), /32 (LIR allocations) next, then
 * /44, /40, /36 and /29, and some longer than /48 (/56, /64).
 */
static const struct bn_mix bn_mix6[] = {
	{29, 30}, {32, 150}, {33, 10}, {34, 10}, {35, 10}, {36, 20},
	{38, 10}, {40, 60},  {44, 80}, {45, 20}, {46, 20}, {47, 20},
	{48, 500}, {52, 10}, {56, 30}, {64, 20},
};

const char bn_pfx6_mix_desc[] =
	"/48 50%, /32 15%, /44 8%, /40 6%, /29-/47 rest 15%, /52-/64 6%";

static uint8_t bn_mix_pick(const struct bn_mix *mix, size_t n,
			   struct bn_rng *rng)
{
	uint32_t r = bn_rng_below(rng, 1000), acc = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		acc += mix[i].per_mille;
		if (r < acc)
			return mix[i].plen;
	}
	return mix[n - 1].plen;
}

/*
 * Open-addressing set of 64-bit fingerprints, to keep prefixes distinct.
 * A prefix always has the same fingerprint, so a duplicate is always
 * refused; two different IPv6 prefixes sharing one (odds ~n^2 / 2^64)
 * would only make the generator draw another prefix.
 */
struct bn_set {
	uint64_t *slot;
	uint64_t mask;
};

static void bn_set_init(struct bn_set *s, uint32_t n)
{
	uint64_t size = 1;

	while (size < 2ull * n + 16)
		size <<= 1;
	s->slot = calloc(size, sizeof(*s->slot));
	if (!s->slot)
		bn_die("out of memory");
	s->mask = size - 1;
}

/* Adds key (never 0); false if it was already there. */
static bool bn_set_add(struct bn_set *s, uint64_t key)
{
	uint64_t h = (key * 0x9e3779b97f4a7c15ull) >> 17;

	for (;; h++) {
		uint64_t *e = &s->slot[h & s->mask];

		if (*e == key)
			return false;
		if (!*e) {
			*e = key;
			return true;
		}
	}
}

static uint32_t bn_mask4(uint8_t plen)
{
	return plen ? ~0u << (32 - plen) : 0;
}

/* Not routed on the Internet, or special to the datapath and the kernel:
 * 0/8, 10/8 (the benchmarks' own links), 127/8, 169.254/16 (whole 169/8
 * for simplicity), 224/3. */
static bool bn_v4_usable(uint32_t host_addr)
{
	uint8_t o = host_addr >> 24;

	return o != 0 && o != 10 && o != 127 && o != 169 && o < 224;
}

struct bn_pfx4 *bn_pfx4_table(uint32_t n, uint64_t seed)
{
	struct bn_pfx4 *t = calloc(n ? n : 1, sizeof(*t));
	struct bn_rng rng;
	struct bn_set set;
	uint32_t i = 0;

	if (!t)
		bn_die("out of memory");
	bn_rng_seed(&rng, seed);
	bn_set_init(&set, n);
	while (i < n) {
		uint8_t plen = bn_mix_pick(bn_mix4, sizeof(bn_mix4) /
						    sizeof(bn_mix4[0]), &rng);
		uint32_t a = (uint32_t)bn_rng_next(&rng) & bn_mask4(plen);

		if (!bn_v4_usable(a) ||
		    !bn_set_add(&set, ((uint64_t)a << 8 | plen) + 1))
			continue;
		t[i].addr = htonl(a);
		t[i].plen = plen;
		i++;
	}
	free(set.slot);
	return t;
}

struct bn_pfx6 *bn_pfx6_table(uint32_t n, uint64_t seed)
{
	struct bn_pfx6 *t = calloc(n ? n : 1, sizeof(*t));
	struct bn_rng rng;
	struct bn_set set;
	uint32_t i = 0;

	if (!t)
		bn_die("out of memory");
	bn_rng_seed(&rng, seed);
	bn_set_init(&set, n);
	while (i < n) {
		uint8_t plen = bn_mix_pick(bn_mix6, sizeof(bn_mix6) /
						    sizeof(bn_mix6[0]), &rng);
		/* 2000::/3, the global unicast space; plen <= 64 */
		uint64_t hi = (bn_rng_next(&rng) >> 3) | (1ull << 61);

		hi &= ~0ull << (64 - plen);
		if (!bn_set_add(&set, (hi ^ ((uint64_t)plen << 56 >> 1)) | 1))
			continue;
		t[i].addr[0] = htonl(hi >> 32);
		t[i].addr[1] = htonl((uint32_t)hi);
		t[i].plen = plen;
		i++;
	}
	free(set.slot);
	return t;
}

uint32_t bn_pfx4_dst(const struct bn_pfx4 *p, struct bn_rng *rng)
{
	uint32_t host = (uint32_t)bn_rng_next(rng) & ~bn_mask4(p->plen);

	return p->addr | htonl(host);
}

void bn_pfx6_dst(const struct bn_pfx6 *p, struct bn_rng *rng, uint32_t *out)
{
	int i;

	for (i = 0; i < 4; i++) {
		int bits = (int)p->plen - 32 * i; /* prefix bits in this word */
		uint32_t keep = bits >= 32 ? ~0u : bits <= 0 ? 0 : bn_mask4(bits);
		uint32_t r = (uint32_t)bn_rng_next(rng);

		out[i] = p->addr[i] | htonl(r & ~keep);
	}
}

void bn_pfx4_str(const struct bn_pfx4 *p, char *buf, int len)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->plen);
}

void bn_pfx6_str(const struct bn_pfx6 *p, char *buf, int len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->plen);
}
