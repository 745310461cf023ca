// SPDX-License-Identifier: GPL-2.0-or-later
/* The datapath's TC object on a bn_dp's maps (datapath_tc.h). */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "datapath_tc.h"
#include "tc_main.skel.h"

void bn_dp_tc_open(struct bn_dp_tc *tc, struct bn_dp *dp)
{
	int err;

	memset(tc, 0, sizeof(*tc));
	tc->skel = tc_main__open();
	if (!tc->skel)
		bn_die("open tc_main: %s", strerror(errno));
	bn_dp_share_maps(dp, tc->skel->obj);
	err = tc_main__load(tc->skel);
	if (err)
		bn_die("load tc_main: %s", strerror(-err));
	tc->prog_fd = bpf_program__fd(tc->skel->progs.dp_tc_main);
}

void bn_dp_tc_close(struct bn_dp_tc *tc)
{
	tc_main__destroy(tc->skel);
	memset(tc, 0, sizeof(*tc));
}
