// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv4 FIB: DIR-24-8, maintained like DPDK's rte_lpm.
 *
 * fib4_tbl24 and fib4_tbl8 are written through mmap. Each entry has a
 * shadow depth here (the length of the rule it came from), so that adding
 * a prefix overwrites only entries of rules no longer than itself, and
 * deleting one hands exactly its entries to the longest rule left that
 * covers it (found in the rule table, trying each shorter length that has
 * rules).
 *
 * Ordering. Every entry is written with one aligned 32-bit store, so a
 * packet reads either the old or the new entry. The datapath's loads are
 * dependent (tbl24 entry -> tbl8 entry -> value), so it suffices that what
 * an entry names is complete before the entry is stored:
 *  - a value id's fib_val_map slot is written by a syscall that has
 *    returned before any store names the id (dp_fibval.c);
 *  - a new tbl8 group is filled completely before the tbl24 entry is
 *    switched to it, and that store has release semantics, so no CPU can
 *    see the pointer without the group's contents;
 *  - a collapsed group is released only after its tbl24 entry holds the
 *    value again, and freed groups and value ids wait out a grace period
 *    before reuse (dp_fibpool.c), so a packet that read the old pointer
 *    just before the switch still finds the old contents.
 * All stores to the shared tables are release stores; on x86 they cost
 * nothing more than plain stores.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fib/dp_fib_int.h"

#define TBL8_N DP_FIB4_TBL8_GROUP_ENTRIES
#define RULES_MIN 1024

/* An entry of the tables the FIB works on: while adopting, a private
 * copy no packet reads. */
static void dp_fib4_set(const struct dp_fib4 *f, uint32_t *entry, uint32_t v)
{
	if (f->live24)
		*entry = v;
	else
		dp_fib4_store(entry, v);
}

static uint32_t dp_fib4_mask(uint8_t len)
{
	return len ? 0xffffffffu << (32 - len) : 0;
}

static size_t dp_fib4_tbl8_bytes(uint32_t groups)
{
	return (size_t)groups * TBL8_N * sizeof(uint32_t);
}

#define TBL24_BYTES ((size_t)DP_FIB4_TBL24_ENTRIES * sizeof(uint32_t))

/* ------------------------------------------------------------ rules */

static uint32_t dp_fib4_rule_hash(uint32_t addr, uint8_t len)
{
	uint64_t h = ((uint64_t)addr << 6 | len) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32);
}

static struct dp_fib4_rule *dp_fib4_rule_find(const struct dp_fib4 *f,
					      uint32_t addr, uint8_t len)
{
	uint32_t i = dp_fib4_rule_hash(addr, len) & f->rules_mask;
	struct dp_fib4_rule *r;

	for (;; i = (i + 1) & f->rules_mask) {
		r = &f->rules[i];
		if (!r->used)
			return NULL;
		if (r->addr == addr && r->len == len)
			return r;
	}
}

static void dp_fib4_rule_place(struct dp_fib4_rule *rules, uint32_t mask,
			       const struct dp_fib4_rule *r)
{
	uint32_t i = dp_fib4_rule_hash(r->addr, r->len) & mask;

	while (rules[i].used)
		i = (i + 1) & mask;
	rules[i] = *r;
}

/* Room for one more rule at a load factor of at most 1/2. */
static int dp_fib4_rules_reserve(struct dp_fib4 *f)
{
	uint32_t cap = f->rules_mask + 1, i;
	struct dp_fib4_rule *n;

	if ((f->nrules + 1) * 2 <= cap)
		return 0;
	n = calloc((size_t)cap * 2, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (i = 0; i < cap; i++)
		if (f->rules[i].used)
			dp_fib4_rule_place(n, cap * 2 - 1, &f->rules[i]);
	free(f->rules);
	f->rules = n;
	f->rules_mask = cap * 2 - 1;
	return 0;
}

static void dp_fib4_rule_insert(struct dp_fib4 *f, uint32_t addr, uint8_t len,
				uint32_t val)
{
	struct dp_fib4_rule r = {
		.addr = addr, .val = val, .len = len, .used = true};

	dp_fib4_rule_place(f->rules, f->rules_mask, &r);
	f->nrules++;
	f->per_len[len]++;
}

/* Linear probing without tombstones: pull later entries of the cluster
 * back into the hole unless their home slot lies after it. */
static void dp_fib4_rule_remove(struct dp_fib4 *f, struct dp_fib4_rule *r)
{
	uint32_t mask = f->rules_mask, hole = r - f->rules, j = hole, home;

	f->nrules--;
	f->per_len[r->len]--;
	for (;;) {
		j = (j + 1) & mask;
		if (!f->rules[j].used)
			break;
		home = dp_fib4_rule_hash(f->rules[j].addr, f->rules[j].len) &
		       mask;
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			f->rules[hole] = f->rules[j];
			hole = j;
		}
	}
	f->rules[hole].used = false;
}

/* The longest rule shorter than len that covers addr, or (0, 0). */
static void dp_fib4_cover(const struct dp_fib4 *f, uint32_t addr, uint8_t len,
			  uint32_t *val, uint8_t *depth)
{
	const struct dp_fib4_rule *r;
	uint8_t d;

	for (d = len; d-- > 0;) {
		if (!f->per_len[d])
			continue;
		r = dp_fib4_rule_find(f, addr & dp_fib4_mask(d), d);
		if (r) {
			*val = r->val;
			*depth = d;
			return;
		}
	}
	*val = 0;
	*depth = 0;
}

/* ----------------------------------------------------------- tables */

/*
 * Entries [from, from + n) of group g whose rule is no longer than len
 * now belong to the rule (val, depth). With depth == len that is an add
 * or a replace; with depth < len it is the delete of the length-len
 * rule, whose entries are exactly those (a longer rule's are kept).
 */
static void dp_fib4_tbl8_fill(struct dp_fib4 *f, uint32_t g, uint32_t from,
			      uint32_t n, uint8_t len, uint32_t val,
			      uint8_t depth)
{
	uint32_t i, e;

	for (i = from; i < from + n; i++) {
		e = g * TBL8_N + i;
		if (f->depth8[e] > len)
			continue;
		f->depth8[e] = depth;
		if (f->tbl8[e] != val)
			dp_fib4_set(f, &f->tbl8[e], val);
	}
}

/* The same over tbl24 entries [from, from + n), into their groups. */
static void dp_fib4_tbl24_fill(struct dp_fib4 *f, uint32_t from, uint32_t n,
			       uint8_t len, uint32_t val, uint8_t depth)
{
	uint32_t i, e;

	for (i = from; i < from + n; i++) {
		e = f->tbl24[i];
		if (e & DP_FIB4_TBL8) {
			dp_fib4_tbl8_fill(f, e & ~DP_FIB4_TBL8, 0, TBL8_N, len,
					  val, depth);
			continue;
		}
		if (f->depth24[i] > len)
			continue;
		f->depth24[i] = depth;
		if (e != val)
			dp_fib4_set(f, &f->tbl24[i], val);
	}
}

/* Give tbl24 entry i the group g, a copy of the entry's own route. */
static void dp_fib4_expand(struct dp_fib4 *f, uint32_t i, uint32_t g)
{
	uint32_t j, base = g * TBL8_N, e = f->tbl24[i];
	uint8_t depth = f->depth24[i];

	/* No packet can reach g before the release store below. */
	for (j = 0; j < TBL8_N; j++) {
		f->tbl8[base + j] = e;
		f->depth8[base + j] = depth;
	}
	dp_fib4_set(f, &f->tbl24[i], DP_FIB4_TBL8 | g);
}

/*
 * When no rule longer than /24 is left in tbl24 entry i's group, all its
 * entries come from the one rule covering the /24 (or none): put that
 * back into tbl24 and release the group.
 */
static void dp_fib4_collapse(struct dp_fib4 *f, uint32_t i)
{
	uint32_t g = f->tbl24[i] & ~DP_FIB4_TBL8, base = g * TBL8_N, j;

	for (j = 0; j < TBL8_N; j++)
		if (f->depth8[base + j] > 24)
			return;
	f->depth24[i] = f->depth8[base];
	dp_fib4_set(f, &f->tbl24[i], f->tbl8[base]);
	dp_fib_pool_put(&f->group_pool, g);
}

/*
 * A tbl8 group for tbl24 entry i. Adopting, the group the earlier run's
 * table gives the entry is taken over, so that the copy built here names
 * the same groups as the table and the two compare equal.
 */
static int dp_fib4_group_get(struct dp_fib4 *f, uint32_t i, uint32_t *g)
{
	uint32_t e;

	if (f->held8) {
		e = f->live24[i];
		if ((e & DP_FIB4_TBL8) &&
		    (e & ~DP_FIB4_TBL8) < f->groups &&
		    f->held8[e & ~DP_FIB4_TBL8] == 1) {
			*g = e & ~DP_FIB4_TBL8;
			f->held8[*g] = 2;
			return 0;
		}
	}
	return dp_fib_pool_get(&f->group_pool, g);
}

/* Write rule (addr, len) -> (val, depth) over its range. */
static void dp_fib4_write(struct dp_fib4 *f, uint32_t addr, uint8_t len,
			  uint32_t val, uint8_t depth)
{
	uint32_t i = addr >> 8;

	if (len <= 24) {
		dp_fib4_tbl24_fill(f, i, 1u << (24 - len), len, val, depth);
		return;
	}
	dp_fib4_tbl8_fill(f, f->tbl24[i] & ~DP_FIB4_TBL8, addr & 0xff,
			  1u << (32 - len), len, val, depth);
}

void dp_fib_prefetch4(const struct dp_fib *fib, uint32_t addr_be,
		      uint8_t plen)
{
	const struct dp_fib4 *f = &fib->v4;
	uint32_t addr;

	if (plen > 32 || !f->rules)
		return;
	addr = ntohl(addr_be) & dp_fib4_mask(plen);
	__builtin_prefetch(&f->rules[dp_fib4_rule_hash(addr, plen) &
				     f->rules_mask]);
	__builtin_prefetch(&f->tbl24[addr >> 8], 1);
	__builtin_prefetch(&f->depth24[addr >> 8], 1);
}

int dp_fib_add4(struct dp_fib *fib, uint32_t addr_be, uint8_t plen,
		const struct dp_rt_val *val)
{
	struct dp_fib4 *f = &fib->v4;
	uint32_t addr, id, g = 0, old = 0;
	struct dp_fib4_rule *r;
	bool fresh, expand;
	int err;

	if (plen > 32)
		return -EINVAL;
	addr = ntohl(addr_be) & dp_fib4_mask(plen);
	r = dp_fib4_rule_find(f, addr, plen);
	if (!r) {
		err = dp_fib4_rules_reserve(f);
		if (err)
			return err;
	}
	err = dp_fib_val_get(&fib->vals, val, &id, &fresh);
	if (err)
		return err;
	if (r && r->val == id) {
		dp_fib_val_unget(&fib->vals, id);
		return 0;
	}
	/* its /16s to DIR-24-8 before any of their entries changes */
	dp_fib4_dxr_touch(f, addr, plen);
	expand = plen > 24 && !(f->tbl24[addr >> 8] & DP_FIB4_TBL8);
	if (expand) {
		err = dp_fib4_group_get(f, addr >> 8, &g);
		if (err) {
			dp_fib_val_unget(&fib->vals, id);
			return err;
		}
		dp_fib4_expand(f, addr >> 8, g);
	}
	/* Nothing can fail from here on. */
	if (r) {
		old = r->val;
		r->val = id;
	} else {
		dp_fib4_rule_insert(f, addr, plen, id);
	}
	dp_fib4_write(f, addr, plen, id, plen);
	if (old)
		dp_fib_val_put(&fib->vals, old);
	return 0;
}

int dp_fib_del4(struct dp_fib *fib, uint32_t addr_be, uint8_t plen)
{
	struct dp_fib4 *f = &fib->v4;
	struct dp_fib4_rule *r;
	uint32_t addr, id, cover;
	uint8_t depth;

	if (plen > 32)
		return -EINVAL;
	addr = ntohl(addr_be) & dp_fib4_mask(plen);
	r = dp_fib4_rule_find(f, addr, plen);
	if (!r)
		return -ENOENT;
	id = r->val;
	dp_fib4_dxr_touch(f, addr, plen);
	dp_fib4_rule_remove(f, r);
	dp_fib4_cover(f, addr, plen, &cover, &depth);
	dp_fib4_write(f, addr, plen, cover, depth);
	if (plen > 24)
		dp_fib4_collapse(f, addr >> 8);
	/* No entry names id any more. */
	dp_fib_val_put(&fib->vals, id);
	return 0;
}

uint32_t dp_fib_lookup4(const struct dp_fib *fib, uint32_t addr_be)
{
	const struct dp_fib4 *f = &fib->v4;
	uint32_t a = ntohl(addr_be), e;
	bool hit;

	e = dp_fib4_dxr_lookup(&f->dxr, a, &hit);
	if (hit)
		return e;
	e = __atomic_load_n(&f->tbl24[a >> 8], __ATOMIC_ACQUIRE);

	if (e & DP_FIB4_TBL8)
		e = __atomic_load_n(&f->tbl8[(e & ~DP_FIB4_TBL8) * TBL8_N +
					     (a & 0xff)],
				    __ATOMIC_ACQUIRE);
	return e;
}

/* ------------------------------------------------------ open / close */

/* Empty a table the datapath may be reading: entry by entry, and only
 * the entries that are set (a fresh map's pages stay untouched). */
static void dp_fib4_clear(uint32_t *tbl, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tbl[i])
			dp_fib4_store(&tbl[i], 0);
}

/* Everything but the tables themselves and the group pool. */
static int dp_fib4_alloc(struct dp_fib4 *f, const struct dp_fib_maps *maps)
{
	size_t n8 = (size_t)maps->tbl8_groups * TBL8_N;
	uint32_t rules = RULES_MIN;

	f->groups = maps->tbl8_groups;
	f->depth24 = calloc(DP_FIB4_TBL24_ENTRIES, 1);
	f->depth8 = calloc(n8, 1);
	/* Sized for the routes expected: growing the table rehashes every
	 * rule at once, which at a million rules held zebra's dplane pthread
	 * for 45 ms. Untouched pages of the table cost no memory. */
	while (rules < (uint64_t)maps->routes4 * 2 && rules < (1u << 31))
		rules <<= 1;
	f->rules = calloc(rules, sizeof(*f->rules));
	f->rules_mask = rules - 1;
	if (!f->depth24 || !f->depth8 || !f->rules)
		return -ENOMEM;
	return 0;
}

static int dp_fib4_map_tables(const struct dp_fib_maps *maps, uint32_t **t24,
			      uint32_t **t8)
{
	*t24 = dp_fib_mmap(maps->tbl24_fd, TBL24_BYTES);
	*t8 = dp_fib_mmap(maps->tbl8_fd,
			  dp_fib4_tbl8_bytes(maps->tbl8_groups));
	return *t24 && *t8 ? 0 : -errno;
}

int dp_fib4_init(struct dp_fib4 *f, const struct dp_fib_maps *maps,
		 struct dp_fib_grace *grace)
{
	int err;

	memset(f, 0, sizeof(*f));
	f->groups = maps->tbl8_groups;
	err = dp_fib4_map_tables(maps, &f->tbl24, &f->tbl8);
	/* (its directory to DIR-24-8 first, then DIR-24-8 emptied) */
	if (!err)
		err = dp_fib4_dxr_init(&f->dxr, maps, grace, false);
	if (!err) {
		dp_fib4_clear(f->tbl24, DP_FIB4_TBL24_ENTRIES);
		dp_fib4_clear(f->tbl8, (size_t)maps->tbl8_groups * TBL8_N);
		dp_fib4_dxr_empty(f);
		err = dp_fib4_alloc(f, maps);
	}
	if (!err)
		err = dp_fib_pool_init(&f->group_pool, 0, f->groups, grace);
	if (!err)
		return 0;
	dp_fib4_fini(f);
	return err;
}

int dp_fib4_init_adopt(struct dp_fib4 *f, const struct dp_fib_maps *maps,
		       struct dp_fib_grace *grace, uint8_t *val_held)
{
	size_t n8 = (size_t)maps->tbl8_groups * TBL8_N;
	uint32_t i, j, e, g;
	int err;

	memset(f, 0, sizeof(*f));
	f->groups = maps->tbl8_groups;
	err = dp_fib4_map_tables(maps, &f->live24, &f->live8);
	if (!err)
		err = dp_fib4_alloc(f, maps);
	if (!err)
		err = dp_fib4_dxr_init(&f->dxr, maps, grace, true);
	if (err)
		goto fail;
	f->tbl24 = calloc(DP_FIB4_TBL24_ENTRIES, sizeof(uint32_t));
	f->tbl8 = calloc(n8 ? n8 : 1, sizeof(uint32_t));
	f->held8 = calloc(f->groups ? f->groups : 1, 1);
	if (!f->tbl24 || !f->tbl8 || !f->held8) {
		err = -ENOMEM;
		goto fail;
	}
	/* What the earlier run's tables name: groups, and value ids. */
	for (i = 0; i < DP_FIB4_TBL24_ENTRIES; i++) {
		e = f->live24[i];
		if (!(e & DP_FIB4_TBL8)) {
			if (e >= maps->vals_max)
				goto alien;
			val_held[e] = 1;
			continue;
		}
		g = e & ~DP_FIB4_TBL8;
		if (g >= f->groups)
			goto alien;
		f->held8[g] = 1;
		for (j = 0; j < TBL8_N; j++) {
			e = f->live8[g * TBL8_N + j];
			if (e >= maps->vals_max || (e & DP_FIB4_TBL8))
				goto alien;
			val_held[e] = 1;
		}
	}
	val_held[0] = 0;
	err = dp_fib_pool_init_held(&f->group_pool, 0, f->groups, grace,
				    f->held8);
	if (!err)
		return 0;
	goto fail;
alien:
	err = -EINVAL; /* not tables this code wrote: nothing to take over */
fail:
	dp_fib4_fini(f);
	return err;
}

uint32_t dp_fib4_adopt_finish(struct dp_fib4 *f)
{
	uint32_t i, j, e, g, n = 0;
	uint32_t *live;

	for (i = 0; i < DP_FIB4_TBL24_ENTRIES; i++) {
		e = f->tbl24[i];
		if (e & DP_FIB4_TBL8) {
			/* taken over (entries change in place, each to its
			 * new answer) or fresh (unseen until the entry below) */
			live = &f->live8[(e & ~DP_FIB4_TBL8) * TBL8_N];
			for (j = 0; j < TBL8_N; j++) {
				if (live[j] == f->tbl8[(e & ~DP_FIB4_TBL8) *
							       TBL8_N + j])
					continue;
				dp_fib4_store(&live[j],
					      f->tbl8[(e & ~DP_FIB4_TBL8) *
							      TBL8_N + j]);
				n++;
			}
		}
		if (f->live24[i] != e) {
			dp_fib4_store(&f->live24[i], e);
			n++;
		}
	}
	free(f->tbl24);
	free(f->tbl8);
	f->tbl24 = f->live24;
	f->tbl8 = f->live8;
	f->live24 = f->live8 = NULL;
	/* Groups only the earlier run used: free once no packet reads them. */
	for (g = 0; g < f->groups; g++)
		if (f->held8[g] == 1)
			dp_fib_pool_put(&f->group_pool, g);
	free(f->held8);
	f->held8 = NULL;
	dp_fib4_dxr_adopt_end(f);
	return n;
}

void dp_fib4_fini(struct dp_fib4 *f)
{
	if (f->live24) {
		/* adoption abandoned: the private copies */
		free(f->tbl24);
		free(f->tbl8);
		f->tbl24 = f->live24;
		f->tbl8 = f->live8;
	}
	if (f->tbl24)
		munmap(f->tbl24, TBL24_BYTES);
	if (f->tbl8)
		munmap(f->tbl8, dp_fib4_tbl8_bytes(f->groups));
	free(f->held8);
	dp_fib_pool_fini(&f->group_pool);
	dp_fib4_dxr_fini(&f->dxr);
	free(f->depth24);
	free(f->depth8);
	free(f->rules);
	memset(f, 0, sizeof(*f));
}
