// SPDX-License-Identifier: GPL-2.0-or-later
/* The datapath cut after each stage, on a bn_dp's maps (datapath_stages.h). */
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "datapath_stages.h"
#include "stages.skel.h"

void bn_dp_stages_open(struct bn_dp_stages *st, struct bn_dp *dp)
{
	int err;

	memset(st, 0, sizeof(*st));
	st->skel = stages__open();
	if (!st->skel)
		bn_die("open stages: %s", strerror(errno));
	bn_dp_share_maps(dp, st->skel->obj);
	err = stages__load(st->skel);
	if (err)
		bn_die("load stages: %s", strerror(-err));
	st->entry_fd = bpf_program__fd(st->skel->progs.stage_entry);
	st->ingress_fd = bpf_program__fd(st->skel->progs.stage_ingress);
	st->ct_fd = bpf_program__fd(st->skel->progs.stage_ct);
	st->route_fd = bpf_program__fd(st->skel->progs.stage_route);
}

void bn_dp_stages_close(struct bn_dp_stages *st)
{
	stages__destroy(st->skel);
	memset(st, 0, sizeof(*st));
}
