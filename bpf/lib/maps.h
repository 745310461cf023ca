/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The datapath's maps. Both programs (XDP and TC) define the same maps and
 * pin them by name, so that they share one set of tables under the pin
 * directory that the plugin chooses; the plugin opens them by these names.
 * Layouts and capacities come from dp_abi.h.
 */
#ifndef DP_BPF_MAPS_H
#define DP_BPF_MAPS_H

#include "common.h"

/* IPv4 FIB: longest prefix -> route (nexthop group, connected, local...). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_rt4_key);
	__type(value, struct dp_rt_val);
	__uint(max_entries, DP_RT4_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rt_v4_map SEC(".maps");

/* IPv6 FIB: longest prefix -> route. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_rt6_key);
	__type(value, struct dp_rt_val);
	__uint(max_entries, DP_RT6_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rt_v6_map SEC(".maps");

/* zebra nexthop group id -> pre-resolved paths and their hash buckets. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct dp_nhg);
	__uint(max_entries, DP_NHG_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nh_map SEC(".maps");

/* (ifindex, neighbour address) -> MACs and MTU, for connected routes. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_neigh_key);
	__type(value, struct dp_neigh_val);
	__uint(max_entries, DP_NEIGH_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dmac_map SEC(".maps");

/* ifindex -> interface state: enabled, router MAC, MTU, stats slot. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct dp_intf);
	__uint(max_entries, DP_INTF_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} intf_map SEC(".maps");

/* DP_STATS_IDX(hook, reason) -> packets and bytes, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct dp_counter);
	__uint(max_entries, DP_STATS_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats_map SEC(".maps");

/* dp_intf.stats_idx -> per-interface ingress counters, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct dp_intf_stats);
	__uint(max_entries, DP_INTF_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} intf_stats_map SEC(".maps");

/* Single entry: the ABI version the pinned maps were created with. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dp_meta);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} meta_map SEC(".maps");

#endif /* DP_BPF_MAPS_H */
