/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How long the plugin holds zebra's pthreads. Everything the plugin does
 * runs on zebra's dplane pthread (or, for configuration and show commands,
 * its main pthread), where zebra also reads the kernel's interface events;
 * a long hold there delays zebra itself. Each unit of work is timed under
 * what it is, and `show ebpf dataplane` reports the longest and the mean.
 */
#ifndef DP_STALL_H
#define DP_STALL_H

#include <stdint.h>

enum dp_stall_what {
	DP_STALL_CTX,	  /* a batch of dplane contexts (dplane pthread) */
	DP_STALL_NETLINK, /* a batch of netlink events (dplane pthread) */
	DP_STALL_DUMP,	  /* one step of a netlink dump (dplane pthread) */
	DP_STALL_SWEEP,	  /* one step of the stale-entry sweep */
	DP_STALL_NEIGH,	  /* one neighbour refresh round */
	DP_STALL_POLICY,  /* one scan of kernel policy */
	DP_STALL_ATTACH,  /* attaching or detaching programs (main pthread) */
	DP_STALL_LB,	  /* a load-balancer or NAT change (dplane pthread) */
	DP_STALL_CT_AGE,  /* one step of conntrack ageing or clear (dplane
			   * pthread) */
	DP_STALL_MAX,
};

/*
 * Wall time is what zebra waits; the pthread's CPU time beside it tells a
 * hold that worked long from one that was preempted (2-CPU machines).
 */
struct dp_stall_stat {
	uint64_t max_ns;     /* longest hold, wall clock */
	uint64_t max_cpu_ns; /* most CPU time a hold used */
	uint64_t total_ns;
	uint64_t count;
};

/* When a hold began. */
struct dp_stall_mark {
	uint64_t wall_ns;
	uint64_t cpu_ns;
};

extern uint64_t dp_stall_now(void);
extern struct dp_stall_mark dp_stall_begin(void);
extern void dp_stall_record(enum dp_stall_what what,
			    const struct dp_stall_mark *start);
extern void dp_stall_get(enum dp_stall_what what, struct dp_stall_stat *st);
extern const char *dp_stall_name(enum dp_stall_what what);

#define DP_STALL_BEGIN(what) struct dp_stall_mark _dp_stall_##what = dp_stall_begin()
#define DP_STALL_END(what) dp_stall_record(what, &_dp_stall_##what)

#endif /* DP_STALL_H */
