/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin's own counters (control plane): what it received from zebra
 * and the kernel and what it did with it. Written by the plugin's threads,
 * read by show commands; relaxed atomics, no locks.
 */
#ifndef DP_STATS_H
#define DP_STATS_H

#include <stdatomic.h>
#include <stdint.h>

struct dp_plugin_stats {
	_Atomic uint64_t ctx_in;	    /* dplane contexts received */
	_Atomic uint64_t ctx_ignored;	    /* ops the plugin does not handle */
	_Atomic uint64_t route_add;	    /* rt_v4/rt_v6 entries written */
	_Atomic uint64_t route_del;
	_Atomic uint64_t truth_write_failed; /* rt_v4/rt_v6 writes refused */
	_Atomic uint64_t route_fail;	    /* did not fit the FIB: punted */
	_Atomic uint64_t route_skip_vrf;    /* non-default VRF/table: skipped */
	_Atomic uint64_t route_skip_nh;	    /* no usable nexthop: kernel only */
	_Atomic uint64_t route_unsupported; /* not modelled: kernel forwards */
	_Atomic uint64_t nhg_add;	    /* nh_map entries written */
	_Atomic uint64_t nhg_del;
	_Atomic uint64_t nhg_fail;
	_Atomic uint64_t nhg_unsupported;   /* labels, encap, > max paths... */
	_Atomic uint64_t neigh_add;	    /* dmac_map entries written */
	_Atomic uint64_t neigh_del;
	_Atomic uint64_t neigh_fail;
	_Atomic uint64_t neigh_refresh;	    /* NTF_USE sent for neighbours in use */
	_Atomic uint64_t nl_events;	    /* netlink messages read */
	_Atomic uint64_t nl_errors;	    /* netlink errors */
	_Atomic uint64_t nl_overruns;	    /* events lost (ENOBUFS): resync */
	_Atomic uint64_t resyncs;	    /* full resynchronisations */
};

extern struct dp_plugin_stats dp_stats;

#define DP_STAT_INC(field)                                                     \
	atomic_fetch_add_explicit(&dp_stats.field, 1, memory_order_relaxed)
#define DP_STAT_GET(field)                                                     \
	atomic_load_explicit(&dp_stats.field, memory_order_relaxed)

#endif /* DP_STATS_H */
