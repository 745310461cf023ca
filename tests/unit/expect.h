/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The checks every packet test makes on a run's result: the verdict, the
 * one counter that must move (stats_map and the ingress interface's), and
 * what the output packet may differ in.
 */
#ifndef EXPECT_H
#define EXPECT_H

#include "dp_harness.h"

/*
 * Forwarded with this reason (DP_R_FWD / DP_R_FWD_NEIGH): the packet
 * leaves with TTL / hop limit one less (IPv4 checksum still valid) and,
 * if tag >= 0, the MACs of that path (else its MACs unchanged); nothing
 * else may change, and XDP leaves no metadata.
 */
void expect_fwd(const struct h_result *r, enum dp_hook hook,
		const struct tpkt *in, enum dp_reason reason, int tag);

/*
 * Passed to the kernel for this reason: unchanged, counted once, and at
 * XDP tagged with metadata carrying the reason.
 */
void expect_pass(const struct h_result *r, enum dp_hook hook,
		 const struct tpkt *in, enum dp_reason reason);

#endif /* EXPECT_H */
