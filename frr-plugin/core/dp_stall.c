// SPDX-License-Identifier: GPL-2.0-or-later
/* The plugin's holds of zebra's pthreads (dp_stall.h). */

#include <stdatomic.h>
#include <time.h>

#include "core/dp_stall.h"

static struct {
	_Atomic uint64_t max_ns;
	_Atomic uint64_t max_cpu_ns;
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
	[DP_STALL_LB] = "load balancer/NAT update",
	[DP_STALL_CT_AGE] = "conntrack ageing step",
};

static uint64_t dp_stall_clock(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t dp_stall_now(void)
{
	return dp_stall_clock(CLOCK_MONOTONIC);
}

struct dp_stall_mark dp_stall_begin(void)
{
	return (struct dp_stall_mark){
		.wall_ns = dp_stall_clock(CLOCK_MONOTONIC),
		.cpu_ns = dp_stall_clock(CLOCK_THREAD_CPUTIME_ID),
	};
}

static void dp_stall_max(_Atomic uint64_t *max, uint64_t d)
{
	uint64_t cur = atomic_load_explicit(max, memory_order_relaxed);

	while (d > cur &&
	       !atomic_compare_exchange_weak_explicit(max, &cur, d,
						      memory_order_relaxed,
						      memory_order_relaxed))
		;
}

void dp_stall_record(enum dp_stall_what what,
		     const struct dp_stall_mark *start)
{
	uint64_t d = dp_stall_clock(CLOCK_MONOTONIC) - start->wall_ns;
	uint64_t cpu = dp_stall_clock(CLOCK_THREAD_CPUTIME_ID) - start->cpu_ns;

	dp_stall_max(&dp_stalls[what].max_ns, d);
	dp_stall_max(&dp_stalls[what].max_cpu_ns, cpu);
	atomic_fetch_add_explicit(&dp_stalls[what].total_ns, d,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&dp_stalls[what].count, 1,
				  memory_order_relaxed);
}

void dp_stall_get(enum dp_stall_what what, struct dp_stall_stat *st)
{
	st->max_ns = atomic_load_explicit(&dp_stalls[what].max_ns,
					  memory_order_relaxed);
	st->max_cpu_ns = atomic_load_explicit(&dp_stalls[what].max_cpu_ns,
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
