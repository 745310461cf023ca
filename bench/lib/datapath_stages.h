/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The datapath's XDP path cut after each stage (bench/bpf/stages.bpf.c) on
 * a bn_dp's maps: what each stage adds is the difference between two
 * cuts, measured on the same frames as the whole path.
 */
#ifndef BENCH_DATAPATH_STAGES_H
#define BENCH_DATAPATH_STAGES_H

#include "datapath.h"

struct stages;

struct bn_dp_stages {
	struct stages *skel;
	int entry_fd;	/* interface found, packet loaded */
	int ingress_fd; /* + the kernel's ingress checks, policers */
	int ct_fd;	/* + conntrack */
	int route_fd;	/* + the route; the whole path adds the send */
};

/* Load on dp's maps; dies on failure. */
void bn_dp_stages_open(struct bn_dp_stages *st, struct bn_dp *dp);
void bn_dp_stages_close(struct bn_dp_stages *st);

#endif /* BENCH_DATAPATH_STAGES_H */
