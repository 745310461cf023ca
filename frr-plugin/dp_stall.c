// SPDX-License-Identifier: GPL-2.0-or-later
/* The plugin's holds of zebra's pthreads (dp_stall.h). */

#include <stdatomic.h>
#include <time.h>

#include "dp_stall.h"

static struct {
	_Atomic uint64_t max_ns;
	_Atomic uint64_t total_ns;
	_Atomic uint64_t count;
} dp_stalls[DP_STALL_MAX];

static const char *const dp_stall_names[DP_STALL_MAX] = {
	[DP_STALL_CTX] = "dplane contexts",
	[DP_STALL_NETLINK] = "netlink events",
	[DP_STALL_DUMP] = "netlink dump step",
	[DP_STALL_SWEEP] = "stale-entry sweep step",
	[DP_STALL_NEIGH] = "neighbour refresh",
	[DP_STALL_POLICY] = "kernel policy scan",
	[DP_STALL_ATTACH] = "program attach/detach",
};

uint64_t dp_stall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void dp_stall_record(enum dp_stall_what what, uint64_t start_ns)
{
	uint64_t d = dp_stall_now() - start_ns;
	uint64_t max = atomic_load_explicit(&dp_stalls[what].max_ns,
					    memory_order_relaxed);

	while (d > max &&
	       !atomic_compare_exchange_weak_explicit(&dp_stalls[what].max_ns,
						      &max, d,
						      memory_order_relaxed,
						      memory_order_relaxed))
		;
	atomic_fetch_add_explicit(&dp_stalls[what].total_ns, d,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&dp_stalls[what].count, 1,
				  memory_order_relaxed);
}

void dp_stall_get(enum dp_stall_what what, struct dp_stall_stat *st)
{
	st->max_ns = atomic_load_explicit(&dp_stalls[what].max_ns,
					  memory_order_relaxed);
	st->total_ns = atomic_load_explicit(&dp_stalls[what].total_ns,
					    memory_order_relaxed);
	st->count = atomic_load_explicit(&dp_stalls[what].count,
					 memory_order_relaxed);
}

const char *dp_stall_name(enum dp_stall_what what)
{
	return what < DP_STALL_MAX ? dp_stall_names[what] : "?";
}
