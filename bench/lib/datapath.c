// SPDX-License-Identifier: GPL-2.0-or-later
/* The real datapath with private maps (datapath.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "datapath.h"
#include "fib/dp_fib.h"
#include "dp_nhg_buckets.h"
#include "xdp_main.skel.h"

void bn_dp_open(struct bn_dp *dp, uint32_t tbl8_groups)
{
	const struct bn_dp_sizes sz = {.tbl8_groups = tbl8_groups};

	bn_dp_open_sized(dp, &sz);
}

void bn_dp_open_sized(struct bn_dp *dp, const struct bn_dp_sizes *sz)
{
	struct dp_fib_maps maps = {0};
	struct bpf_map *map;
	int err;

	memset(dp, 0, sizeof(*dp));
	dp->skel = xdp_main__open();
	if (!dp->skel)
		bn_die("open xdp_main: %s", strerror(errno));
	bpf_object__for_each_map(map, dp->skel->obj)
		bpf_map__set_pin_path(map, NULL);
	if (sz->tbl8_groups)
		bpf_map__set_max_entries(dp->skel->maps.fib4_tbl8,
					 sz->tbl8_groups); /* one element per group */
	if (sz->ct_entries) {
		bpf_map__set_max_entries(dp->skel->maps.ct4_map, sz->ct_entries);
		bpf_map__set_max_entries(dp->skel->maps.ct6_map, sz->ct_entries);
	}
	if (sz->dxr_range_blocks)
		bpf_map__set_max_entries(dp->skel->maps.fib4_dxr_range,
					 sz->dxr_range_blocks);
	if (sz->ring_slots)
		bpf_map__set_max_entries(dp->skel->maps.lb_ring_map,
					 (sz->ring_slots + DP_LB_RING_BLOCK - 1) /
						 DP_LB_RING_BLOCK);
	err = xdp_main__load(dp->skel);
	if (err)
		bn_die("load xdp_main: %s", strerror(-err));

	maps.val_fd = bpf_map__fd(dp->skel->maps.fib_val_map);
	maps.vals_max = bpf_map__max_entries(dp->skel->maps.fib_val_map);
	maps.tbl24_fd = bpf_map__fd(dp->skel->maps.fib4_tbl24);
	maps.tbl8_fd = bpf_map__fd(dp->skel->maps.fib4_tbl8);
	maps.tbl8_groups = bpf_map__max_entries(dp->skel->maps.fib4_tbl8);
	maps.fib6_fd = bpf_map__fd(dp->skel->maps.fib6_map);
	maps.fib6_max = bpf_map__max_entries(dp->skel->maps.fib6_map);
	maps.fib6_filter_fd = bpf_map__fd(dp->skel->maps.fib6_filter_map);
	maps.dxr_dir_fd = bpf_map__fd(dp->skel->maps.fib4_dxr_dir);
	maps.dxr_range_fd = bpf_map__fd(dp->skel->maps.fib4_dxr_range);
	maps.dxr_range_blocks = bpf_map__max_entries(dp->skel->maps.fib4_dxr_range);
	maps.dxr_routes_max = sz->dxr_routes_max;
	maps.dxr6_dir_fd = bpf_map__fd(dp->skel->maps.fib6_dxr_dir);
	maps.dxr6_range_fd = bpf_map__fd(dp->skel->maps.fib6_dxr_range);
	maps.dxr6_range_blocks =
		bpf_map__max_entries(dp->skel->maps.fib6_dxr_range);
	maps.dxr6_routes_max = sz->dxr6_routes_max;
	/* as the plugin sizes it: for the routes rt_v4_map can hold */
	maps.routes4 = bpf_map__max_entries(dp->skel->maps.rt_v4_map);
	dp->fib = dp_fib_open(&maps);
	if (!dp->fib)
		bn_die("dp_fib_open: %s", strerror(errno));

	bn_dp_meta(dp, 0);
	dp->prog_fd = bpf_program__fd(dp->skel->progs.dp_xdp_main);
	dp->nh_fd = bpf_map__fd(dp->skel->maps.nh_map);
	dp->intf_fd = bpf_map__fd(dp->skel->maps.intf_map);
	dp->stats_fd = bpf_map__fd(dp->skel->maps.stats_map);
}

void bn_dp_share_maps(struct bn_dp *dp, struct bpf_object *obj)
{
	struct bpf_map *map, *own;
	int err;

	bpf_object__for_each_map(map, obj) {
		bpf_map__set_pin_path(map, NULL);
		own = bpf_object__find_map_by_name(dp->skel->obj,
						   bpf_map__name(map));
		/* its own: .rodata/.bss, and TC's prog array of tail calls */
		if (!own && (bpf_map__is_internal(map) ||
			     bpf_map__type(map) == BPF_MAP_TYPE_PROG_ARRAY))
			continue;
		if (!own)
			bn_die("map %s is not the datapath's",
			       bpf_map__name(map));
		err = bpf_map__reuse_fd(map, bpf_map__fd(own));
		if (err)
			bn_die("share %s: %s", bpf_map__name(map),
			       strerror(-err));
	}
}

/*
 * The switches, with the hold time's deadline an hour ahead as the plugin
 * keeps it (DP_META_F_HOLD): every packet pays the check it pays in a
 * running zebra.
 */
void bn_dp_meta(struct bn_dp *dp, uint32_t flags)
{
	struct dp_meta m = {.abi_version = DP_ABI_VERSION,
			    .flags = flags | DP_META_F_HOLD};
	struct timespec ts;
	uint32_t key = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	m.trusted_until = (uint64_t)(ts.tv_sec + 3600) * 1000000000ULL;

	if (bpf_map_update_elem(bpf_map__fd(dp->skel->maps.meta_map), &key, &m,
				BPF_ANY))
		bn_die("meta_map: %s", strerror(errno));
}

void bn_dp_close(struct bn_dp *dp)
{
	dp_fib_close(dp->fib);
	xdp_main__destroy(dp->skel);
	memset(dp, 0, sizeof(*dp));
}

void bn_dp_intf(struct bn_dp *dp, uint32_t ifindex, const uint8_t *mac,
		uint16_t flags, uint32_t stats_idx)
{
	struct dp_intf v = {
		.flags = flags,
		.mtu = 1500,
		.table_id = 254,
		.stats_idx = stats_idx,
	};

	memcpy(v.mac, mac, sizeof(v.mac));
	if (bpf_map_update_elem(dp->intf_fd, &ifindex, &v, BPF_ANY))
		bn_die("intf_map: %s", strerror(errno));
}

struct dp_path bn_dp_path(uint32_t ifindex, const uint8_t *dmac,
			  const uint8_t *smac, uint32_t gw)
{
	struct dp_path p = {
		.ifindex = ifindex,
		/* an egress that takes XDP redirects: what the plugin
		 * writes for a port in mode xdp (else XDP hands the packet
		 * to TC and the benchmark measures no forwarding) */
		.flags = DP_PATH_F_RESOLVED | DP_PATH_F_GW | DP_PATH_F_XDP_TX,
		.mtu = 1500,
		.gw = {gw},
	};

	memcpy(p.dmac, dmac, sizeof(p.dmac));
	memcpy(p.smac, smac, sizeof(p.smac));
	return p;
}

void bn_dp_nhg(struct bn_dp *dp, uint32_t id, const struct dp_path *paths,
	       unsigned int n)
{
	static struct dp_nhg nhg; /* 2.5 KiB */
	uint32_t weights[DP_NHG_MAX_PATHS];
	unsigned int i;

	memset(&nhg, 0, sizeof(nhg));
	for (i = 0; i < n && i < DP_NHG_MAX_PATHS; i++) {
		weights[i] = 1;
		nhg.paths[i] = paths[i];
	}
	nhg.n_paths = i;
	nhg.seq = 1;
	if (dp_nhg_buckets_fill(nhg.bucket, weights, i))
		bn_die("nhg %u: bad path count %u", id, n);
	if (bpf_map_update_elem(dp->nh_fd, &id, &nhg, BPF_ANY))
		bn_die("nh_map: %s", strerror(errno));
}

int bn_dp_route4(struct bn_dp *dp, uint32_t addr, uint8_t plen,
		 uint32_t nhg_id)
{
	struct dp_rt_val v = {.type = DP_RT_NHG, .nhg_id = nhg_id};

	return dp_fib_add4(dp->fib, addr, plen, &v);
}

int bn_dp_route6(struct bn_dp *dp, const uint32_t *addr, uint8_t plen,
		 uint32_t nhg_id)
{
	struct dp_rt_val v = {.type = DP_RT_NHG, .nhg_id = nhg_id};

	return dp_fib_add6(dp->fib, addr, plen, &v);
}

void bn_dp_commit(struct bn_dp *dp)
{
	dp_fib_commit_all(dp->fib);
}

int bn_dp_connected4(struct bn_dp *dp, uint32_t addr, uint8_t plen,
		     uint32_t ifindex)
{
	struct dp_rt_val v = {.type = DP_RT_CONNECTED, .ifindex = ifindex};

	return dp_fib_add4(dp->fib, addr, plen, &v);
}

void bn_dp_neigh4(struct bn_dp *dp, uint32_t ifindex, uint32_t addr,
		  const uint8_t *dmac, const uint8_t *smac)
{
	struct dp_neigh_key k = {.ifindex = ifindex, .family = AF_INET,
				 .addr = {addr}};
	struct dp_neigh_val v = {.mtu = 1500, .flags = DP_PATH_F_XDP_TX};

	memcpy(v.dmac, dmac, sizeof(v.dmac));
	memcpy(v.smac, smac, sizeof(v.smac));
	if (bpf_map_update_elem(bpf_map__fd(dp->skel->maps.dmac_map), &k, &v,
				BPF_ANY))
		bn_die("dmac_map: %s", strerror(errno));
}

uint64_t bn_dp_count(struct bn_dp *dp, enum dp_reason reason)
{
	return bn_dp_count_hook(dp, DP_HOOK_XDP, reason);
}

uint64_t bn_dp_count_hook(struct bn_dp *dp, enum dp_hook hook,
			  enum dp_reason reason)
{
	int ncpus = libbpf_num_possible_cpus();
	struct dp_counter c[ncpus > 0 ? ncpus : 1];
	uint32_t key = DP_STATS_IDX(hook, reason);
	uint64_t sum = 0;
	int i;

	if (ncpus <= 0 || bpf_map_lookup_elem(dp->stats_fd, &key, c))
		return 0;
	for (i = 0; i < ncpus; i++)
		sum += c[i].packets;
	return sum;
}
