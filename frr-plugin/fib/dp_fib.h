/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The datapath's full-table FIB, kept in step with the routes the plugin
 * mirrors: interning of route values (fib_val_map), IPv4 DIR-24-8
 * (fib4_tbl24 / fib4_tbl8, written through mmap) and IPv6 binary search
 * on prefix lengths (fib6_map). See dp_abi.h for the layouts.
 *
 * Plain C with no FRR dependency, so that the unit tests and benchmarks
 * drive exactly the code the plugin runs. Not thread-safe: one owner.
 * Every update is incremental (touches only the entries it must) and
 * ordered so that a concurrent lookup sees the old or the new route.
 */
#ifndef DP_FIB_H
#define DP_FIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp_abi.h"

struct dp_fib;

struct dp_fib_maps {
	int val_fd;	      /* fib_val_map */
	uint32_t vals_max;    /* its max_entries */
	int tbl24_fd;	      /* fib4_tbl24 (BPF_F_MMAPABLE) */
	int tbl8_fd;	      /* fib4_tbl8 (BPF_F_MMAPABLE) */
	uint32_t tbl8_groups; /* its max_entries (one element per group) */
	int fib6_fd;	      /* fib6_map */
	uint32_t fib6_max;    /* its max_entries */
	int fib6_filter_fd;   /* fib6_filter_map (mmapable); <= 0: none,
			       * for the FIB's own tests without a datapath */
	uint32_t routes4;     /* IPv4 routes expected (0: few) */
	int dxr_dir_fd;	      /* fib4_dxr_dir (mmapable); <= 0: no ranges */
	int dxr_range_fd;     /* fib4_dxr_range (mmapable) */
	uint32_t dxr_range_blocks; /* its max_entries (256 ranges each) */
	uint32_t dxr_routes_max;   /* 0: DP_FIB4_DXR_ROUTES_MAX (tests set
				    * less, to cross it quickly) */
	bool dxr_hold; /* no ranges until dp_fib_ranges_start() */
	int dxr6_dir_fd;   /* fib6_dxr_dir (mmapable); <= 0: no IPv6 ranges */
	int dxr6_range_fd; /* fib6_dxr_range (mmapable) */
	uint32_t dxr6_range_blocks; /* its max_entries (256 ranges each) */
	uint32_t dxr6_routes_max;   /* 0: DP_FIB6_DXR_ROUTES_MAX */
};

/*
 * Map the arrays and start from an empty FIB (the arrays and fib6_map are
 * cleared). Returns NULL with errno set on failure.
 */
extern struct dp_fib *dp_fib_open(const struct dp_fib_maps *maps);
extern void dp_fib_close(struct dp_fib *fib);

/* A route of the earlier run whose tables dp_fib_adopt() takes over. */
struct dp_fib_route {
	uint32_t addr[4]; /* network byte order; IPv4: addr[0] */
	uint8_t plen;
	bool v6;
	struct dp_rt_val val;
};

struct dp_fib_adopted {
	uint32_t routes;    /* taken over */
	uint32_t v4_writes; /* tbl24 and tbl8 entries that differed */
	uint32_t v6_writes; /* fib6_map nodes written or deleted */
};

/*
 * Like dp_fib_open(), but without emptying the tables an earlier run left
 * under live programs: this run's bookkeeping is built beside them from
 * that run's routes (n of them), taking over the value ids and tbl8 groups
 * the tables name, and then only the entries where the tables and the
 * routes disagree are stored, each from its old answer to its new one
 * (none when the routes are what built the tables). NULL with errno set
 * when the tables cannot be taken over (not written by this code, a
 * route that does not fit); they are then as they were.
 */
extern struct dp_fib *dp_fib_adopt(const struct dp_fib_maps *maps,
				   const struct dp_fib_route *routes,
				   size_t n, struct dp_fib_adopted *st);

/*
 * Keep val interned for the FIB's whole life, so that adding a route
 * with it never needs a value id that may have run out. 0 or -errno.
 */
extern int dp_fib_reserve(struct dp_fib *fib, const struct dp_rt_val *val);

/*
 * Starts fetching what dp_fib_add4/del4 of this prefix will read first (its
 * rule's slot, its tbl24 entry): with a large table each is a cache miss,
 * which a caller that knows the next prefix early can overlap with other
 * work. Changes nothing.
 */
extern void dp_fib_prefetch4(const struct dp_fib *fib, uint32_t addr,
			     uint8_t plen);

/*
 * Add or replace a route (addresses in network byte order, host bits may
 * be set: they are masked). Returns 0, or -ENOSPC when a table is full
 * (tbl8 groups, fib6 nodes or value ids), or -errno from a map write; on
 * failure the FIB is exactly as before.
 */
extern int dp_fib_add4(struct dp_fib *fib, uint32_t addr, uint8_t plen,
		       const struct dp_rt_val *val);
extern int dp_fib_del4(struct dp_fib *fib, uint32_t addr, uint8_t plen);
extern int dp_fib_add6(struct dp_fib *fib, const uint32_t addr[4],
		       uint8_t plen, const struct dp_rt_val *val);
extern int dp_fib_del6(struct dp_fib *fib, const uint32_t addr[4],
		       uint8_t plen);

/*
 * Build the IPv4 ranges of the /16s and the IPv6 ranges of the /20s the
 * updates since the last call changed (doc/fib.md, "IPv4: ranges", "IPv6:
 * ranges"). Until then DIR-24-8 or the binary search on lengths answers
 * for them: the same routes, a slower lookup. Called after a batch of
 * updates, so that a /16 many of them change is built once.
 */
extern void dp_fib_commit(struct dp_fib *fib);
/*
 * When the ranges come on, or a range table is repacked, every chunk is
 * built again, a few thousand per dp_fib_commit() (so that no commit holds
 * its caller long); until then this is true and the caller commits again
 * soon, updates or not. Chunks not built yet are answered by DIR-24-8 or
 * the binary search.
 */
extern bool dp_fib_commit_pending(const struct dp_fib *fib);
/* dp_fib_commit(), and again until no pass is pending: for callers that
 * may hold their thread that long (tests, benchmarks). */
extern void dp_fib_commit_all(struct dp_fib *fib);

/*
 * Maps reused from an earlier run (dxr_hold): its programs stay attached
 * until this run's configuration replaces them, and they read the
 * directory with the range map they were loaded with, which a resize
 * replaced. The ranges are built only from here on (the plugin: at the
 * end of its resync), DIR-24-8 and the binary search answering until
 * then.
 */
extern void dp_fib_ranges_start(struct dp_fib *fib);

/* The datapath's algorithm run in user space over the same tables:
 * returns the value id (0: no route). For tests and diagnostics. */
extern uint32_t dp_fib_lookup4(const struct dp_fib *fib, uint32_t addr);
extern uint32_t dp_fib_lookup6(const struct dp_fib *fib,
			       const uint32_t addr[4]);

struct dp_fib_stats {
	uint32_t routes4;
	uint32_t routes6;
	uint32_t vals_used;
	uint32_t vals_max;
	uint32_t tbl8_used;
	uint32_t tbl8_max;
	uint32_t fib6_nodes; /* prefixes + markers */
	uint32_t fib6_max;
	uint64_t mem4_bytes; /* tbl24 + tbl8 groups in use + ranges */
	bool ranges4_on;     /* IPv4 ranges in front of DIR-24-8 */
	uint32_t ranges4;    /* range entries in use */
	uint32_t ranges4_max;
	uint32_t ranged4;    /* /16s answered by ranges (or one id) */
	uint32_t dir24_4;    /* /16s left to DIR-24-8 while on (too many
			      * ranges, ids too high, pool full) */
	uint64_t mem6_bytes; /* fib6 nodes in use (key + value + overhead)
			      * + ranges */
	bool ranges6_on;     /* IPv6 ranges in front of the binary search */
	uint32_t ranges6;    /* range entries in use */
	uint32_t ranges6_max;
	uint32_t ranged6;    /* /20s answered by ranges (or one id) */
	uint32_t ranges4_repacks; /* range tables rebuilt packed */
	uint32_t ranges6_repacks;
};
extern void dp_fib_stats(const struct dp_fib *fib, struct dp_fib_stats *st);

/*
 * Wait for one RCU grace period (membarrier(MEMBARRIER_CMD_GLOBAL), or
 * 100 ms where that is refused): afterwards no packet that was in the
 * datapath before the call is still there. How the FIB, and the load
 * balancer's ring ranges, make sure an id or a slot is unused before they
 * give it a new meaning. 0 or -errno.
 */
extern int dp_fib_grace_rcu(void);

#endif /* DP_FIB_H */
