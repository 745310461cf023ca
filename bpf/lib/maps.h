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

/* IPv4 routes: prefix -> route (nexthop group, connected, local...). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_rt4_key);
	__type(value, struct dp_rt_val);
	__uint(max_entries, DP_RT4_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rt_v4_map SEC(".maps");

/* IPv6 routes: prefix -> route. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_rt6_key);
	__type(value, struct dp_rt_val);
	__uint(max_entries, DP_RT6_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rt_v6_map SEC(".maps");

/*
 * The datapath's FIB (doc/fib.md). rt_v4_map / rt_v6_map above are the
 * update-side truth; packets are looked up in the structures below, which
 * the plugin keeps in step (frr-plugin/fib/dp_fib*.c). Capacities are set by
 * the plugin before load: code reads no size from here.
 */

/* Value id -> route value (id 0: no route). Interned by the plugin. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dp_rt_val);
	__uint(max_entries, DP_FIB_VALS_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fib_val_map SEC(".maps");

/* IPv4 DIR-24-8, first level: top 24 bits -> value id or tbl8 group,
 * in blocks of 256 (one element per /16). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct dp_fib4_block);
	__uint(max_entries, DP_FIB4_TBL24_BLOCKS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fib4_tbl24 SEC(".maps");

/* IPv4 DIR-24-8, second level: one tbl8 group (low 8 bits -> value id)
 * per element. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct dp_fib4_block);
	__uint(max_entries, DP_FIB4_TBL8_GROUPS_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fib4_tbl8 SEC(".maps");

/* IPv4 ranges in front of DIR-24-8: one entry per /16, then the ranges
 * (dp_abi.h, DP_FIB4_DXR_*). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct dp_fib4_block);
	__uint(max_entries, DP_FIB4_DXR_DIR_BLOCKS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fib4_dxr_dir SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct dp_fib4_block);
	__uint(max_entries, DP_FIB4_DXR_RANGE_BLOCKS_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fib4_dxr_range SEC(".maps");

/* IPv6 ranges in front of it (dp_abi.h), written through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct dp_fib4_block);
	__uint(max_entries, DP_FIB6_DXR_DIR_BLOCKS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fib6_dxr_dir SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct dp_fib6_range_block);
	__uint(max_entries, DP_FIB6_DXR_RANGE_BLOCKS_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fib6_dxr_range SEC(".maps");

/* IPv6 binary search on lengths: (length, masked prefix) -> node. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_fib6_key);
	__type(value, struct dp_fib6_node);
	__uint(max_entries, DP_FIB6_NODES_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fib6_map SEC(".maps");

/* fib6_map's filter (dp_abi.h), written by the plugin through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, DP_FIB6_FILTER_WORDS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fib6_filter_map SEC(".maps");

/* Address ranges whose routes did not fit the FIB: the kernel routes them
 * (consulted only while DP_META_F_PUNT4 / _PUNT6 is set). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_rt4_key);
	__type(value, struct dp_punt);
	__uint(max_entries, DP_PUNT_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} punt_v4_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_rt6_key);
	__type(value, struct dp_punt);
	__uint(max_entries, DP_PUNT_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} punt_v6_map SEC(".maps");

/* The router's own and broadcast IPv4 addresses, for the source check. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __be32);
	__type(value, struct dp_addr);
	__uint(max_entries, DP_ADDR4_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} addr4_map SEC(".maps");

/* Which neighbours the datapath forwarded to since the plugin last
 * looked (dp_abi.h: struct dp_hit_block). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct dp_hit_block);
	__uint(max_entries, DP_NEIGH_MAX_DEFAULT / DP_HIT_BLOCK);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} neigh_hit_map SEC(".maps");

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

/* Single entry: the ABI version the pinned maps were created with, and
 * the datapath-wide switches (DP_META_F_*). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dp_meta);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} meta_map SEC(".maps");

/*
 * Load balancer, conntrack and NAT (layouts and rules in dp_abi.h). Sized
 * by the plugin before load like the routing tables. The datapath only
 * reads them while meta_map says they are in use (DP_META_F_CT, _LB,
 * _SNAT), so routing alone pays nothing for them.
 */

/* (family, protocol, address, port or 0) -> VIP. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct dp_lb_vip_key);
	__type(value, struct dp_lb_vip);
	__uint(max_entries, DP_LB_VIPS_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_vip_map SEC(".maps");

/* Every VIP's selection table: backend ids, one flat array via mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct dp_lb_ring_block);
	__uint(max_entries, DP_LB_RING_MAX_DEFAULT / DP_LB_RING_BLOCK);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_ring_map SEC(".maps");

/* vip id -> its backends, each once (least-connections, fallback). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dp_lb_vip_backends);
	__uint(max_entries, DP_LB_VIPS_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_vip_backends SEC(".maps");

/* backend id -> address, port, UP flag. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dp_lb_backend);
	__uint(max_entries, DP_LB_BACKENDS_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_backend_map SEC(".maps");

/* backend id -> packets and bytes of its flows, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct dp_lb_backend_stats);
	__uint(max_entries, DP_LB_BACKENDS_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_be_stats_map SEC(".maps");

/* backend id -> active connections (shared; atomic adds only). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, DP_LB_BACKENDS_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_be_conns_map SEC(".maps");

/* vip id -> this CPU's round-robin position in the VIP's ring. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, DP_LB_VIPS_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_rr_map SEC(".maps");

/* (vip id, client address) -> backend, for source persistence. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct dp_lb_persist_key);
	__type(value, struct dp_lb_persist);
	__uint(max_entries, DP_LB_PERSIST_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_persist_map SEC(".maps");

/*
 * Conntrack: one entry per flow direction, a table per family (dp_abi.h).
 * IPv4 preallocated, so that an insert under load never fails for want of
 * memory, only when the table is full (counted, and the packet goes to
 * the kernel); IPv6 allocated per entry, its capacity free until used.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct dp_ct4_key);
	__type(value, struct dp_ct_val);
	__uint(max_entries, DP_CT_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ct4_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_ct_key);
	__type(value, struct dp_ct_val);
	__uint(max_entries, DP_CT_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ct6_map SEC(".maps");

/* The conntrack filter's bits (dp_abi.h), written by the plugin through
 * mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, DP_CT_FILTER_WORDS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ct_filter_map SEC(".maps");

/* Policers and where they are attached (dp_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dp_policer);
	__uint(max_entries, DP_POLICERS_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} policer_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dp_policer_state);
	__uint(max_entries, DP_POLICERS_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} policer_state_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct dp_policer_stats);
	__uint(max_entries, DP_POLICERS_MAX * DP_COLOURS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} policer_stats_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, DP_INTF_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} policer_intf_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_police_match_key);
	__type(value, struct dp_police_match);
	__uint(max_entries, DP_POLICERS_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} policer_match_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, DP_LB_VIPS_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} policer_vip_map SEC(".maps");

/* (family, source prefix) -> source NAT rule. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_nat_src_key);
	__type(value, struct dp_nat_src);
	__uint(max_entries, DP_NAT_SRC_MAX_DEFAULT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nat_src_map SEC(".maps");

#endif /* DP_BPF_MAPS_H */
