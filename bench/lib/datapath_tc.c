// SPDX-License-Identifier: GPL-2.0-or-later
/* The datapath's TC object on a bn_dp's maps (datapath_tc.h). */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "datapath_tc.h"
#include "tc_main.skel.h"
#include "xdp_main.skel.h"

void bn_dp_tc_open(struct bn_dp_tc *tc, struct bn_dp *dp)
{
	struct bpf_map *map, *src;
	int err;

	memset(tc, 0, sizeof(*tc));
	tc->skel = tc_main__open();
	if (!tc->skel)
		bn_die("open tc_main: %s", strerror(errno));
	bpf_object__for_each_map(map, tc->skel->obj)
	{
		bpf_map__set_pin_path(map, NULL);
		src = bpf_object__find_map_by_name(dp->skel->obj,
						   bpf_map__name(map));
		/* TC's own: the prog array of its tail calls */
		if (!src && bpf_map__type(map) == BPF_MAP_TYPE_PROG_ARRAY)
			continue;
		if (!src)
			bn_die("tc_main: map %s not in xdp_main",
			       bpf_map__name(map));
		err = bpf_map__reuse_fd(map, bpf_map__fd(src));
		if (err)
			bn_die("tc_main: reuse %s: %s", bpf_map__name(map),
			       strerror(-err));
	}
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
