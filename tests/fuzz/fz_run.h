/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running frames through the loaded programs, for the fuzz: what
 * dp_harness.c lacks. A TC run with any ingress ifindex (h_run always uses
 * H_IN_IFINDEX), and counters read in one batch per snapshot (h_run reads
 * every stats_map entry one by one before and after each run, which at a
 * million frames costs more than the runs).
 */
#ifndef FZ_RUN_H
#define FZ_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "dp_harness.h"

/* stats_map summed over CPUs, and one interface's slot. */
struct fz_counts {
	uint64_t packets[DP_STATS_MAX];
	uint64_t bytes[DP_STATS_MAX];
	struct dp_intf_stats istats;
};

/* Which stats_map entries moved between two snapshots. */
struct fz_delta {
	int moved;		/* entries that changed */
	enum dp_hook hook;	/* the (last) entry that moved */
	enum dp_reason reason;
	uint64_t packets, bytes;
	struct dp_intf_stats istats; /* the interface slot's change */
};

/* Read stats_map and the interface slot `stats_idx`. 0 or -errno. */
int fz_counts_read(struct harness *h, uint32_t stats_idx, struct fz_counts *c);
void fz_counts_delta(const struct fz_counts *before,
		     const struct fz_counts *after, struct fz_delta *d);

/* XDP on the test ingress (lo, H_IN_IFINDEX): h_run_xdp, from bytes. */
int fz_run_xdp(struct harness *h, const uint8_t *buf, size_t len,
	       struct h_result *r);
/* TC with skb->skb_iif = ingress. The output frame in r. */
int fz_run_tc(struct harness *h, uint32_t ingress, const uint8_t *buf,
	      size_t len, struct h_result *r);

#endif /* FZ_RUN_H */
