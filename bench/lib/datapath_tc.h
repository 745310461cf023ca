/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The datapath's TC object (bpf/tc_main.bpf.o) next to a bn_dp's XDP one,
 * on the XDP object's maps (what pinning gives the real thing), for
 * benchmarks of the conntrack slow path. Its own prog array (the tail
 * call to dp_tc_ct) is filled by libbpf at load.
 */
#ifndef BENCH_DATAPATH_TC_H
#define BENCH_DATAPATH_TC_H

#include "datapath.h"

struct tc_main;

struct bn_dp_tc {
	struct tc_main *skel;
	int prog_fd; /* dp_tc_main */
};

/* Load on dp's maps; dies on failure. */
void bn_dp_tc_open(struct bn_dp_tc *tc, struct bn_dp *dp);
void bn_dp_tc_close(struct bn_dp_tc *tc);

#endif /* BENCH_DATAPATH_TC_H */
