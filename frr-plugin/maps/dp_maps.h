/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pinned maps and programs of the datapath: create or reuse them under the
 * pin directory, hand out their fds, attach/detach programs per interface.
 */
#ifndef DP_MAPS_H
#define DP_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dp_boot.h" /* struct dp_map_sizes */

enum dp_map_id {
	DP_MAP_RT4,	   /* rt_v4_map */
	DP_MAP_RT6,	   /* rt_v6_map */
	DP_MAP_NH,	   /* nh_map */
	DP_MAP_DMAC,	   /* dmac_map */
	DP_MAP_INTF,	   /* intf_map */
	DP_MAP_STATS,	   /* stats_map */
	DP_MAP_INTF_STATS, /* intf_stats_map */
	DP_MAP_META,	   /* meta_map */
	DP_MAP_FIB_VAL,	   /* fib_val_map */
	DP_MAP_FIB4_TBL24, /* fib4_tbl24 */
	DP_MAP_FIB4_TBL8,  /* fib4_tbl8 */
	DP_MAP_FIB4_DXR_DIR, /* fib4_dxr_dir */
	DP_MAP_FIB4_DXR_RANGE, /* fib4_dxr_range */
	DP_MAP_FIB6,	   /* fib6_map */
	DP_MAP_FIB6_FILTER, /* fib6_filter_map */
	DP_MAP_FIB6_DXR_DIR, /* fib6_dxr_dir */
	DP_MAP_FIB6_DXR_RANGE, /* fib6_dxr_range */
	DP_MAP_PUNT4,	   /* punt_v4_map */
	DP_MAP_PUNT6,	   /* punt_v6_map */
	DP_MAP_ADDR4,	   /* addr4_map */
	DP_MAP_NEIGH_HIT,  /* neigh_hit_map */
	DP_MAP_LB_VIP,	   /* lb_vip_map */
	DP_MAP_LB_RING,	   /* lb_ring_map */
	DP_MAP_LB_VIP_BACKENDS, /* lb_vip_backends */
	DP_MAP_LB_BACKEND, /* lb_backend_map */
	DP_MAP_LB_BE_STATS, /* lb_be_stats_map */
	DP_MAP_LB_BE_CONNS, /* lb_be_conns_map */
	DP_MAP_LB_RR,	   /* lb_rr_map */
	DP_MAP_LB_PERSIST, /* lb_persist_map */
	DP_MAP_CT4,	   /* ct4_map */
	DP_MAP_CT6,	   /* ct6_map */
	DP_MAP_NAT_SRC,	   /* nat_src_map */
	DP_MAP_CT_FILTER,  /* ct_filter_map */
	DP_MAP_POLICER,	   /* policer_map */
	DP_MAP_POLICER_STATE, /* policer_state_map */
	DP_MAP_POLICER_STATS, /* policer_stats_map */
	DP_MAP_POLICER_INTF, /* policer_intf_map */
	DP_MAP_POLICER_MATCH, /* policer_match_map */
	DP_MAP_POLICER_VIP, /* policer_vip_map */
	DP_MAP_MAX,
};

/*
 * As root, at module load: load the programs and create the maps, or
 * reuse maps already pinned by an earlier run when their ABI version
 * matches (a map of another size is replaced). *reused tells the caller
 * that a mark-and-sweep resync is due. Returns 0 or -errno with a
 * message for the user in err.
 */
extern int dp_maps_open(const char *pin_dir, const struct dp_map_sizes *sizes,
			bool *reused, char *err, size_t errlen);
extern void dp_maps_close(void);
extern bool dp_maps_ready(void);
/* The maps were an earlier run's pins (their flows' state kept). */
extern bool dp_maps_reused(void);

/*
 * After a resize, once the FIB is taken over: the earlier run's programs,
 * which write the earlier maps, are replaced by this run's on every
 * interface (without waiting for the configuration to attach them), and
 * the flows they made since the copy are carried over.
 */
extern void dp_maps_take_over(void);

/* The sizes the maps were created with (valid once ready). */
extern const struct dp_map_sizes *dp_maps_active_sizes(void);

extern int dp_map_fd(enum dp_map_id id);

/*
 * A BPF_F_MMAPABLE array mapped shared into the plugin (lb_ring_map,
 * lb_be_conns_map), or NULL. Mapped once at module load; stays valid
 * while the maps are open.
 */
extern void *dp_map_mmap(enum dp_map_id id);
extern const char *dp_map_name(enum dp_map_id id);
extern uint32_t dp_map_max_entries(enum dp_map_id id);
extern const char *dp_pin_dir(void);

/*
 * The datapath-wide switches in meta_map (DP_META_F_*): set the bits of
 * mask to those of value. Owner thread (or module load). 0 or -errno.
 */
extern int dp_meta_set_flags(uint32_t mask, uint32_t value);
extern uint32_t dp_meta_flags(void);

/*
 * Until when (CLOCK_MONOTONIC ns) the datapath may trust its tables
 * (DP_META_F_HOLD): maps/dp_hold.c renews it. Same thread rule.
 */
extern int dp_meta_set_trust(uint64_t until_ns);
extern uint64_t dp_meta_trusted_until(void);

/*
 * cls_bpf priority of our TC ingress filter: a user's filter at a lower
 * number runs before it, at a higher one after it (chain/).
 */
#define DP_TC_PRIO 0xc000
#define DP_TC_HANDLE 0xfeb0

/* The id of the program behind fd (0 if none), read with privileges. */
extern uint32_t dp_prog_id(int fd);

/* Program ids (0 if not loaded), for show commands. */
extern uint32_t dp_prog_id_xdp(void);
extern uint32_t dp_prog_id_tc(void);
/* The XDP program's fd (-1 if not loaded): what freplace would attach to. */
extern int dp_prog_fd_xdp(void);

/*
 * Attach the XDP program (native mode only: an interface whose driver has no
 * XDP support gets an error, not a silent generic-mode fallback) or the TC
 * ingress program. On failure err holds a message for the user.
 */
extern int dp_prog_attach_xdp(int ifindex, char *err, size_t errlen);
extern int dp_prog_attach_tc(int ifindex, char *err, size_t errlen);
/* Our XDP program off ifindex (plain, or out of a dispatcher); false if
 * it was not there. */
extern bool dp_prog_detach_xdp(int ifindex);
/* Max entries of the sized maps of obj, before it loads (dp_xdp_dispatch.c). */
struct bpf_object;
extern void dp_maps_set_sizes(struct bpf_object *obj,
			      const struct dp_map_sizes *sizes);

/*
 * libxdp's dispatcher (dp_xdp_dispatch.c): where the kernel runs freplace
 * programs, our XDP program is one of the dispatcher's programs, at run
 * priority DP_XDP_RUN_PRIO; users' programs (chain/) sit before (lower)
 * or after (higher) it. Privileges held by the caller.
 */
#define DP_XDP_RUN_PRIO 1001
/* Why the dispatcher cannot run here (a phrase), or NULL if it can. */
extern const char *dp_xdp_dispatch_refusal(void);
/* ifindex's dispatcher (ours or anyone's; the caller closes it with
 * xdp_multiprog__close), NULL if it runs none. */
struct xdp_multiprog;
extern struct xdp_multiprog *dp_xdp_dispatcher_of(int ifindex);
extern bool dp_xdp_dispatched(int ifindex);
extern int dp_xdp_dispatch_attach(int ifindex, const char *ifname, char *err,
				  size_t errlen);
/* Our program out of ifindex's dispatcher; false if it was not there. */
extern bool dp_xdp_dispatch_detach(int ifindex);
extern void dp_xdp_dispatch_close(void);

/*
 * A start that cannot use its pin directory's maps (another layout, a map
 * that will not load): the programs an earlier run left attached in this
 * network namespace would forward from maps nobody updates any more, so
 * they go, and the kernel forwards. Returns on how many interfaces.
 */
extern int dp_detach_leftovers(void);

/* The clsact qdisc on ifindex, made if absent (quietly if present). */
extern int dp_clsact_ensure(int ifindex);
extern void dp_prog_detach_tc(int ifindex);

#endif /* DP_MAPS_H */
