/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Module arguments, read at module load. zebra is still root then, and
 * that is the only time the plugin creates or opens pinned objects (see
 * maps/dp_pin.h); dplane_ebpf.c brings the datapath up with what is read
 * here, or records here why it could not.
 *
 * Module arguments, comma-separated (`-M dplane_ebpf:ARG,ARG,...`):
 *   ipv4-routes=N     IPv4 routes the datapath holds (1024-16777216)
 *   ipv6-routes=N     IPv6 routes (1024-4194304)
 *   nexthop-groups=N  nexthop groups (256-1048576)
 *   neighbors=N       ARP and ND entries (256-1048576)
 *   netlink-rcvbuf=N  receive buffer of the plugin's netlink socket,
 *                     bytes (4096-268435456; a small one overruns, and
 *                     every overrun costs a full resync)
 *   lb-vips=N         load-balancer VIPs (16-65536)
 *   lb-backends=N     load-balancer backends, all VIPs (256-1048576)
 *   lb-ring=N         slots of the backend selection tables, all VIPs
 *                     (65536-134217728; a VIP takes at least 16381)
 *   lb-persist=N      clients remembered for source persistence
 *                     (1024-16777216)
 *   conntrack=N       conntrack entries, two per flow (1024-16777216;
 *                     preallocated)
 *   nat-rules=N       source NAT rules (16-65536)
 *   hold-time=S       seconds the datapath goes on forwarding from its
 *                     tables once zebra stops renewing them (1-86400;
 *                     default: zebra's -K time, else 5)
 *   resync-delay=S    after a start on an earlier run's pins, seconds
 *                     after zebra read its configuration before what
 *                     nobody confirmed is removed (10-3600; default 90:
 *                     room for BGP sessions to come back and re-announce)
 *   pin-dir=PATH      pin directory, on a bpf filesystem
 */
#ifndef DP_BOOT_H
#define DP_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Capacities, applied when the maps are created (maps/dp_maps.c). Pinned
 * maps of other sizes are replaced at start, their entries carried over
 * (maps/dp_migrate.h).
 */
struct dp_map_sizes {
	uint32_t rt4;	  /* IPv4 routes: rt_v4_map */
	uint32_t rt6;	  /* IPv6 routes: rt_v6_map */
	uint32_t nhg;	  /* nexthop groups: nh_map */
	uint32_t neigh;	  /* neighbours: dmac_map */
	uint32_t lb_vips;     /* lb_vip_map, lb_vip_backends, lb_rr_map */
	uint32_t lb_backends; /* lb_backend_map, lb_be_stats_map,
			       * lb_be_conns_map */
	uint32_t lb_ring;     /* lb_ring_map slots (a multiple of
			       * DP_LB_RING_BLOCK) */
	uint32_t lb_persist;  /* lb_persist_map */
	uint32_t ct;	      /* ct4_map, ct6_map (each) */
	uint32_t nat_src;     /* nat_src_map */
};

/* resync-delay's default: room for BGP sessions to come back. */
#define DP_RESYNC_DELAY_DEFAULT 90

struct dp_boot_args {
	char pin_dir[256]; /* resolved: the default unless pin-dir= */
	struct dp_map_sizes sizes;
	uint32_t nl_rcvbuf;
	uint32_t hold_time; /* seconds; 0: not given */
	uint32_t resync_delay; /* seconds */
};

/*
 * Parse args into a (defaults first). Returns 0, or -EINVAL with a message
 * naming the argument and what is valid in err.
 */
extern int dp_boot_parse_args(const char *args, struct dp_boot_args *a,
			      char *err, size_t errlen);

/*
 * Module load: the arguments in effect from now on (dp_boot_args()), with
 * default_pin_dir where pin-dir= is not given. Returns 0, or -EINVAL after
 * dp_boot_fail() said which argument is wrong.
 */
extern int dp_boot_read_args(const char *args, const char *default_pin_dir);

/* Module load: the datapath is not loaded, because of what. zebra goes on
 * with kernel forwarding only. */
extern void dp_boot_fail(const char *what);

/* Why the datapath is not loaded (NULL when it is). */
extern const char *dp_boot_error(void);

/* The arguments in effect (defaults where none was given). */
extern const struct dp_boot_args *dp_boot_args(void);

#endif /* DP_BOOT_H */
