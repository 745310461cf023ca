// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The datapath FIB (dp_fib.h): opening, closing and statistics. The
 * tables themselves are maintained by dp_fib4.c, dp_fib6.c and
 * dp_fibval.c; doc/fib.md describes the whole.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fib/dp_fib_int.h"

void *dp_fib_mmap(int fd, size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Value ids and groups must leave the DP_FIB4_TBL8 bit clear. */
static bool dp_fib_maps_fit(const struct dp_fib_maps *maps)
{
	if (maps->vals_max < 2 || maps->vals_max > DP_FIB4_TBL8 ||
	    !maps->tbl8_groups ||
	    maps->tbl8_groups > DP_FIB4_TBL8 / DP_FIB4_TBL8_GROUP_ENTRIES) {
		errno = EINVAL;
		return false;
	}
	return true;
}

struct dp_fib *dp_fib_open(const struct dp_fib_maps *maps)
{
	struct dp_fib *fib;
	int err;

	if (!dp_fib_maps_fit(maps))
		return NULL;
	fib = calloc(1, sizeof(*fib));
	if (!fib)
		return NULL;
	fib->maps = *maps;
	fib->grace.wait = dp_fib_grace_rcu;
	err = dp_fib_vals_init(&fib->vals, maps->val_fd, maps->vals_max,
			       &fib->grace);
	if (!err)
		err = dp_fib4_init(&fib->v4, maps, &fib->grace);
	if (!err)
		err = dp_fib6_init(&fib->v6, maps->fib6_fd, maps->fib6_filter_fd,
				   maps->fib6_max);
	if (!err)
		err = dp_fib6_dxr_init(&fib->v6.dxr, maps, &fib->grace, false);
	/*
	 * Packets may still hold ids and groups of the tables just cleared
	 * (an earlier run's): let them leave before anything is reused.
	 */
	if (!err)
		err = fib->grace.wait();
	if (err) {
		dp_fib_close(fib);
		errno = -err;
		return NULL;
	}
	return fib;
}

/* An IPv6 prefix as fib6_map keys hold it: host bits clear. */
static void dp_fib_mask6(struct dp_fib_route *r)
{
	for (int w = 0; w < 4; w++) {
		int keep = r->plen - 32 * w;
		uint32_t mask = keep >= 32 ? 0xffffffffu
			      : keep <= 0  ? 0
					   : 0xffffffffu << (32 - keep);

		r->addr[w] &= htonl(mask);
	}
}

/* IPv6 routes, longest first (then by address). */
static int dp_fib_route_cmp(const void *a, const void *b)
{
	const struct dp_fib_route *x = a, *y = b;

	if (x->plen != y->plen)
		return x->plen > y->plen ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

/* fib6_map's prefixes, shortest first. */
static int dp_fib6_prefix_cmp(const void *a, const void *b)
{
	const struct dp_fib6_prefix *x = a, *y = b;

	if (x->key.prefixlen != y->key.prefixlen)
		return x->key.prefixlen < y->key.prefixlen ? -1 : 1;
	return memcmp(x->key.addr, y->key.addr, sizeof(x->key.addr));
}

/*
 * IPv6, the trie rebuilt as the map is (from fib6_map's own prefixes):
 * the routes are now applied as ordinary updates, adds and replacements
 * longest first, then deletes shortest first. Then every address goes
 * from its old answer straight to its new one: until the route that
 * answers it anew is written, nothing longer than its old answer covers
 * it, and its old answer, if gone, goes only after every shorter route
 * that does not stay. Returns the updates that changed something, or
 * -errno.
 */
static int dp_fib_adopt6_apply(struct dp_fib *fib, struct dp_fib_route *v6,
			       size_t n)
{
	struct dp_fib6 *f = &fib->v6;
	struct dp_fib_route probe;
	uint32_t i, k, changes = 0;
	int err;

	qsort(v6, n, sizeof(*v6), dp_fib_route_cmp);
	qsort(f->adopt, f->nadopt, sizeof(*f->adopt), dp_fib6_prefix_cmp);
	for (i = 0; i < n; i++) {
		uint32_t before = dp_fib_lookup6(fib, v6[i].addr);

		err = dp_fib_add6(fib, v6[i].addr, v6[i].plen, &v6[i].val);
		if (err)
			return err;
		changes += dp_fib_lookup6(fib, v6[i].addr) != before;
	}
	for (k = 0; k < f->nadopt; k++) {
		memset(&probe, 0, sizeof(probe));
		probe.plen = f->adopt[k].key.prefixlen;
		memcpy(probe.addr, f->adopt[k].key.addr, sizeof(probe.addr));
		if (bsearch(&probe, v6, n, sizeof(*v6), dp_fib_route_cmp))
			continue;
		err = dp_fib_del6(fib, probe.addr, probe.plen);
		if (err && err != -ENOENT)
			return err;
		changes++;
	}
	return changes;
}

struct dp_fib *dp_fib_adopt(const struct dp_fib_maps *maps,
			    const struct dp_fib_route *routes, size_t n,
			    struct dp_fib_adopted *st)
{
	struct dp_fib_route *v6 = NULL;
	size_t i, n6 = 0;
	uint8_t *held = NULL;
	struct dp_fib *fib;
	int err = -ENOMEM;

	memset(st, 0, sizeof(*st));
	if (!dp_fib_maps_fit(maps))
		return NULL;
	fib = calloc(1, sizeof(*fib));
	held = calloc(maps->vals_max, 1);
	v6 = calloc(n + 1, sizeof(*v6));
	if (!fib || !held || !v6)
		goto fail;
	fib->maps = *maps;
	fib->grace.wait = dp_fib_grace_rcu;
	/* The ids the tables name keep their values: re-adding the routes
	 * that made them finds the same ids, so the copy equals the table. */
	err = dp_fib4_init_adopt(&fib->v4, maps, &fib->grace, held);
	if (!err)
		err = dp_fib6_init_adopt(&fib->v6, maps->fib6_fd,
					 maps->fib6_filter_fd, maps->fib6_max,
					 held, maps->vals_max);
	if (!err)
		err = dp_fib6_dxr_init(&fib->v6.dxr, maps, &fib->grace, true);
	if (!err)
		err = dp_fib_vals_init_held(&fib->vals, maps->val_fd,
					    maps->vals_max, &fib->grace, held);
	/* IPv4 from the routes into the copy; IPv6 from fib6_map itself
	 * (its prefix nodes say exactly what built it). */
	for (i = 0; !err && i < n; i++) {
		if (routes[i].v6) {
			v6[n6] = routes[i];
			dp_fib_mask6(&v6[n6++]);
			continue;
		}
		err = dp_fib_add4(fib, routes[i].addr[0], routes[i].plen,
				  &routes[i].val);
	}
	for (i = 0; !err && i < fib->v6.nadopt; i++) {
		const struct dp_fib6_prefix *p = &fib->v6.adopt[i];

		err = dp_fib_add6(fib, p->key.addr, p->key.prefixlen,
				  &fib->vals.val[p->val_id]);
	}
	if (err)
		goto fail;
	/* Nothing the packets read has changed so far (but fib6's filter,
	 * rewritten from the map's own nodes: no lookup result moved). */
	st->v4_writes = dp_fib4_adopt_finish(&fib->v4);
	err = dp_fib6_adopt_finish(&fib->v6);
	if (err >= 0) {
		st->v6_writes = err;
		err = dp_fib_adopt6_apply(fib, v6, n6);
	}
	if (err < 0) {
		/* fib6_map partly rewritten: empty, as dp_fib_open() does */
		dp_fib_close(fib);
		free(held);
		free(v6);
		memset(st, 0, sizeof(*st));
		errno = -err;
		return dp_fib_open(maps);
	}
	st->v6_writes += err;
	st->routes = n;
	/* the ranges, unless held until the resync */
	dp_fib6_dxr_flush(&fib->v6);
	dp_fib_vals_unhold(&fib->vals, held);
	free(fib->v6.adopt);
	fib->v6.adopt = NULL;
	fib->v6.nadopt = 0;
	free(held);
	free(v6);
	return fib;

fail:
	dp_fib_close(fib);
	free(held);
	free(v6);
	errno = -err;
	return NULL;
}

int dp_fib_reserve(struct dp_fib *fib, const struct dp_rt_val *val)
{
	uint32_t id;
	bool fresh;

	return dp_fib_val_get(&fib->vals, val, &id, &fresh);
}

void dp_fib_close(struct dp_fib *fib)
{
	if (!fib)
		return;
	dp_fib6_fini(&fib->v6);
	dp_fib4_fini(&fib->v4);
	dp_fib_vals_fini(&fib->vals);
	free(fib);
}

void dp_fib_commit(struct dp_fib *fib)
{
	dp_fib4_dxr_flush(&fib->v4);
	dp_fib6_dxr_flush(&fib->v6);
}

bool dp_fib_commit_pending(const struct dp_fib *fib)
{
	return dp_fib_dir_pending(&fib->v4.dxr.d) ||
	       dp_fib_dir_pending(&fib->v6.dxr.d);
}

void dp_fib_commit_all(struct dp_fib *fib)
{
	do
		dp_fib_commit(fib);
	while (dp_fib_commit_pending(fib));
}

void dp_fib_ranges_start(struct dp_fib *fib)
{
	fib->v4.dxr.d.hold = false;
	fib->v6.dxr.d.hold = false;
	dp_fib_commit(fib);
}

void dp_fib_stats(const struct dp_fib *fib, struct dp_fib_stats *st)
{
	st->routes4 = fib->v4.nrules;
	st->routes6 = fib->v6.prefixes;
	st->vals_used = fib->vals.pool.used;
	st->vals_max = fib->vals.max - 1;
	st->tbl8_used = fib->v4.group_pool.used;
	st->tbl8_max = fib->v4.groups;
	st->fib6_nodes = fib->v6.entries;
	st->fib6_max = fib->v6.max;
	st->ranges4_on = fib->v4.dxr.d.on;
	st->ranges4 = fib->v4.dxr.d.used;
	st->ranges4_max = fib->v4.dxr.cap;
	st->ranged4 = fib->v4.dxr.d.ranged;
	st->dir24_4 = fib->v4.dxr.d.on ? DP_FIB4_DXR_CHUNKS - st->ranged4 : 0;
	/* the range directory and pool: created with the maps, so counted
	 * whole, like tbl24 */
	st->mem4_bytes = (uint64_t)DP_FIB4_TBL24_ENTRIES * sizeof(uint32_t) +
			 (uint64_t)st->tbl8_used * DP_FIB4_TBL8_GROUP_ENTRIES *
				 sizeof(uint32_t);
	if (fib->v4.dxr.d.dir)
		st->mem4_bytes += ((uint64_t)DP_FIB4_DXR_CHUNKS +
				   st->ranges4_max) * sizeof(uint32_t);
	st->ranges6_on = fib->v6.dxr.d.on;
	st->ranges6 = fib->v6.dxr.d.used;
	st->ranges6_max = fib->v6.dxr.cap;
	st->ranged6 = fib->v6.dxr.d.ranged;
	st->ranges4_repacks = fib->v4.dxr.d.repacks;
	st->ranges6_repacks = fib->v6.dxr.d.repacks;
	st->mem6_bytes = (uint64_t)st->fib6_nodes * DP_FIB6_ELEM_BYTES;
	if (fib->v6.dxr.d.dir)
		st->mem6_bytes += (uint64_t)DP_FIB6_DXR_CHUNKS * sizeof(uint32_t) +
				  (uint64_t)st->ranges6_max * sizeof(uint64_t);
}
