/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loads both datapath programs (skeletons) with one shared set of maps,
 * unpinned, fills the maps like the plugin would (routes through the
 * plugin's own FIB code, dp_fib.h), and runs packets through
 * either hook with BPF_PROG_TEST_RUN, reporting the verdict, the output
 * packet, the XDP metadata and which counter moved.
 */
#ifndef DP_HARNESS_H
#define DP_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "dp_abi.h"
#include "dp_pkt.h"

/*
 * BPF_PROG_TEST_RUN runs XDP as if received on the loopback device (its
 * ingress_ifindex can only name an existing device), so the tests' ingress
 * interface is lo; TC runs get the same ingress_ifindex.
 */
#define H_IN_IFINDEX 1
#define H_IN_STATS_IDX 7
#define H_OUT_IFINDEX 10 /* out interface of the standard routes */
#define H_OUT_STATS_IDX 8

#define XDP_PASS_ 2 /* enum xdp_action, without pulling in linux/bpf.h here */
#define XDP_REDIRECT_ 4
#define TC_ACT_UNSPEC_ 0xffffffffu /* the TC program passes with -1 */
#define TC_ACT_REDIRECT_ 7

struct xdp_main;
struct tc_main;
struct dp_fib;

struct harness {
	struct xdp_main *xdp;
	struct tc_main *tc;
	int prog_fd[DP_HOOK_MAX];
	struct dp_fib *fib; /* the FIB maps, filled as the plugin does */
	int nh, dmac, intf, stats, intf_stats;
	int ncpus;
};

struct h_result {
	int err;	  /* bpf_prog_test_run_opts: 0 or -errno */
	uint32_t verdict; /* the program's return value */
	uint8_t out[TPKT_MAX];
	uint32_t out_len;
	bool has_meta; /* XDP left struct dp_xdp_meta in front */
	struct dp_xdp_meta meta;
	int counted; /* stats_map entries that moved (1 expected) */
	enum dp_hook hook;
	enum dp_reason reason; /* the entry that moved */
	uint64_t packets, bytes;
	struct dp_intf_stats istats; /* ingress interface counters, delta */
};

int h_open(struct harness *h);
void h_close(struct harness *h);
const char *h_hook_name(enum dp_hook hook);
const char *h_reason_name(enum dp_reason reason);

/* Empty every table, then the ingress interface (enabled, XDP mode). */
void h_reset(struct harness *h);

void h_intf(struct harness *h, uint32_t ifindex, const uint8_t *mac,
	    uint16_t flags, uint32_t mtu, uint32_t stats_idx);
void h_intf_del(struct harness *h, uint32_t ifindex);
/* prefix "198.51.100.0/24"; arg is the nhg id or the connected ifindex.
 * Added (or replaced) through dp_fib, which must accept it. */
void h_route4(struct harness *h, const char *prefix, uint8_t type,
	      uint32_t arg);
void h_route6(struct harness *h, const char *prefix, uint8_t type,
	      uint32_t arg);
/* meta_map's switches (DP_META_F_*). */
void h_meta_flags(struct harness *h, uint32_t flags);
/* meta_map with a deadline (DP_META_F_HOLD among flags to enforce it). */
void h_meta(struct harness *h, uint32_t flags, uint64_t trusted_until);
/* An address range the datapath hands to the kernel (punt map). */
void h_punt(struct harness *h, const char *prefix, enum dp_reason reason);
/* One of the router's own (DP_ADDR_LOCAL) or broadcast addresses. */
void h_addr4(struct harness *h, const char *addr, uint32_t kind);
/* A path out of ifindex whose MACs end in `tag` (dmac ..:10:tag, smac
 * ..:20:tag); a resolved one takes XDP redirects (DP_PATH_F_XDP_TX). */
struct dp_path h_path(uint32_t ifindex, uint8_t tag, uint16_t flags,
		      uint16_t mtu);
/* A group of equal-weight paths, buckets from dp_nhg_buckets_fill(). */
void h_nhg(struct harness *h, uint32_t id, const struct dp_path *paths,
	   unsigned int n);
void h_nhg_put(struct harness *h, uint32_t id, const struct dp_nhg *nhg);
void h_nhg_get(struct harness *h, uint32_t id, struct dp_nhg *nhg);
void h_neigh(struct harness *h, uint32_t ifindex, const char *addr, uint8_t tag,
	     uint16_t mtu);

/*
 * Run one packet through a hook (repeat 1). gso_size (TC only) makes the
 * skb a GSO aggregate of that segment size.
 */
void h_run(struct harness *h, enum dp_hook hook, const struct tpkt *p,
	   struct h_result *r);
void h_run_gso(struct harness *h, enum dp_hook hook, const struct tpkt *p,
	       uint32_t gso_size, struct h_result *r);

/*
 * Only the XDP program, without reading any counter: the verdict, the
 * output and the metadata in r (r->err untouched). Returns 0 or -errno.
 * Safe to call from several threads.
 */
int h_run_xdp(struct harness *h, const struct tpkt *p, struct h_result *r);
/* The same for the TC program (no GSO). */
int h_run_tc_only(struct harness *h, const struct tpkt *p, struct h_result *r);

/* Each conntrack table's capacity in the tests (set before load, as the
 * plugin sets it from its module arguments): small enough to fill. */
#define H_CT_MAX 4096

/* Packets counted so far under (hook, reason), over all CPUs. */
uint64_t h_count(struct harness *h, enum dp_hook hook, enum dp_reason reason);
/* Counters of intf_stats_map slot idx, over all CPUs. */
void h_istats(struct harness *h, uint32_t idx, struct dp_intf_stats *out);

/* The verdict that means "forwarded" / "passed" for a hook. */
uint32_t h_verdict_fwd(enum dp_hook hook);
uint32_t h_verdict_pass(enum dp_hook hook);

/* The MAC h_path() gives a path's next hop: 02:00:00:00:10:tag. */
void h_path_dmac(uint8_t tag, uint8_t *mac);
/* Which path (tag) a forwarded packet's destination MAC names, or -1. */
int h_out_tag(const struct h_result *r);

#endif /* DP_HARNESS_H */
