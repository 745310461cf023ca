/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real datapath (bpf/xdp_main.bpf.o, through its skeleton) loaded with
 * private, unpinned maps, so a benchmark never touches the tables of a
 * running zebra. The FIB is filled through the plugin's own code
 * (frr-plugin/fib/dp_fib.c), nexthop groups and interfaces as dp_nhg.c and
 * dp_intf.c write them.
 */
#ifndef BENCH_DATAPATH_H
#define BENCH_DATAPATH_H

#include <stdint.h>

#include "dp_abi.h"

struct xdp_main;
struct dp_fib;

struct bn_dp {
	struct xdp_main *skel;
	struct dp_fib *fib;
	int prog_fd; /* dp_xdp_main */
	int nh_fd;
	int intf_fd;
	int stats_fd;
};

/* Load; dies on failure. tbl8_groups: 0 keeps the datapath's default. */
void bn_dp_open(struct bn_dp *dp, uint32_t tbl8_groups);

/* Map sizes set before load; 0 keeps the datapath's default. */
struct bn_dp_sizes {
	uint32_t tbl8_groups; /* fib4_tbl8 */
	uint32_t ct_entries;  /* ct4_map, ct6_map (each) */
	uint32_t ring_slots;  /* lb_ring_map, in slots (whole blocks) */
	uint32_t dxr_range_blocks; /* fib4_dxr_range */
	uint32_t dxr_routes_max;   /* IPv4 ranges up to this many routes */
	uint32_t dxr6_routes_max;  /* IPv6 ranges up to this many routes */
};
void bn_dp_open_sized(struct bn_dp *dp, const struct bn_dp_sizes *sz);

/* meta_map: the DP_META_F_* switches (abi version as the plugin writes),
 * with the hold time enforced as in a running zebra. */
void bn_dp_meta(struct bn_dp *dp, uint32_t flags);
void bn_dp_close(struct bn_dp *dp);

/* Before obj (another object of datapath code: tc_main, the stage cuts of
 * bench/bpf/stages.bpf.c) is loaded: its maps become the datapath's of the
 * same name, unpinned, as pinning gives the real thing. */
struct bpf_object;
void bn_dp_share_maps(struct bn_dp *dp, struct bpf_object *obj);

/* intf_map: an interface packets arrive on (routed: enabled + XDP) or
 * leave by. */
void bn_dp_intf(struct bn_dp *dp, uint32_t ifindex, const uint8_t *mac,
		uint16_t flags, uint32_t stats_idx);

/* nh_map: a group of n resolved paths of equal weight (resilient
 * buckets from dp_nhg_buckets_fill, as the plugin writes them). */
void bn_dp_nhg(struct bn_dp *dp, uint32_t id, const struct dp_path *paths,
	       unsigned int n);
/* A resolved path by an IPv4 gateway (gw in network byte order). */
struct dp_path bn_dp_path(uint32_t ifindex, const uint8_t *dmac,
			  const uint8_t *smac, uint32_t gw);

/* Routes to a nexthop group; 0 or -errno (as dp_fib_add4/6). */
int bn_dp_route4(struct bn_dp *dp, uint32_t addr, uint8_t plen,
		 uint32_t nhg_id);
int bn_dp_route6(struct bn_dp *dp, const uint32_t *addr, uint8_t plen,
		 uint32_t nhg_id);

/* The IPv4 ranges of the routes added since the last call (dp_fib_commit:
 * until then DIR-24-8 answers them), as the plugin builds them after
 * each batch. Call once the routes are in. */
void bn_dp_commit(struct bn_dp *dp);

/* A connected IPv4 route on ifindex (its next hop: the packet's
 * destination, resolved in dmac_map); 0 or -errno. */
int bn_dp_connected4(struct bn_dp *dp, uint32_t addr, uint8_t plen,
		     uint32_t ifindex);
/* dmac_map: a resolved IPv4 neighbour on ifindex, sent to by XDP
 * redirect, as the plugin writes it for a port in mode xdp. */
void bn_dp_neigh4(struct bn_dp *dp, uint32_t ifindex, uint32_t addr,
		  const uint8_t *dmac, const uint8_t *smac);

/* Packets the datapath counted under (XDP, reason), over all CPUs. */
uint64_t bn_dp_count(struct bn_dp *dp, enum dp_reason reason);
/* The same under any hook (DP_HOOK_TC: the TC program's). */
uint64_t bn_dp_count_hook(struct bn_dp *dp, enum dp_hook hook,
			  enum dp_reason reason);

#endif /* BENCH_DATAPATH_H */
