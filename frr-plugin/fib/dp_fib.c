// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The datapath FIB (dp_fib.h): opening, closing and statistics. The
 * tables themselves are maintained by dp_fib4.c, dp_fib6.c and
 * dp_fibval.c; doc/fib.md describes the whole.
 */
#include <errno.h>
#include <stdlib.h>

#include "fib/dp_fib_int.h"

struct dp_fib *dp_fib_open(const struct dp_fib_maps *maps)
{
	struct dp_fib *fib;
	int err;

	/* Value ids and groups must leave the DP_FIB4_TBL8 bit clear. */
	if (maps->vals_max < 2 || maps->vals_max > DP_FIB4_TBL8 ||
	    !maps->tbl8_groups ||
	    maps->tbl8_groups > DP_FIB4_TBL8 / DP_FIB4_TBL8_GROUP_ENTRIES) {
		errno = EINVAL;
		return NULL;
	}
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
		err = dp_fib6_init(&fib->v6, maps->fib6_fd, maps->fib6_max);
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
	st->mem4_bytes = (uint64_t)DP_FIB4_TBL24_ENTRIES * sizeof(uint32_t) +
			 (uint64_t)st->tbl8_used * DP_FIB4_TBL8_GROUP_ENTRIES *
				 sizeof(uint32_t);
	st->mem6_bytes = (uint64_t)st->fib6_nodes * DP_FIB6_ELEM_BYTES;
}
