/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The load balancer's control plane: the `load-balancer` configuration
 * (YANG, northbound callbacks and CLI on zebra's main pthread) and the
 * state of the datapath's load-balancer maps (on the owner pthread).
 *
 *   lb_nb.c      northbound callbacks and validation; each committed VIP
 *                is handed to the owner whole (struct lb_vip_spec), once
 *                per commit; health changes are handed on as they come
 *   lb_vty.c     the `load-balancer` and `vip` nodes, their commands and
 *                how the configuration reads back
 *   lb_owner.c   owner pthread: VIP and backend ids, rings, lb_vip_map,
 *                lb_vip_backends, lb_backend_map, the meta switch, and
 *                what happens to ids still named by conntrack
 *   lb_ringalloc.c  ranges of lb_ring_map (first fit, quarantine)
 *   lb_announce.c   the kernel route that lets bgpd announce a VIP
 *   lb_adopt.c   what an earlier run left in reused pins, for the owner
 *                to take over (a restart: established flows continue)
 *   lb_show.c    `show ebpf load-balancer`
 *
 * See doc/architecture.md, "Load balancer and NAT: control plane".
 */
#ifndef LB_H
#define LB_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/hook.h"
#include "lib/northbound.h"

#include "dp_abi.h"

#define LB_XPATH "/frr-zebra-ebpf:ebpf/load-balancer"
#define LB_XPATH_VIP LB_XPATH "/vip"
#define LB_XPATH_BACKEND LB_XPATH_VIP "/backend"
#define LB_XPATH_HC LB_XPATH_VIP "/health-check"

#define LB_NAME_SIZE 64

/* ------------------------------------------------ configuration -> owner */

/* A backend as configured. */
struct lb_be_spec {
	uint8_t family;	  /* AF_INET / AF_INET6 */
	uint8_t addr[16]; /* network byte order */
	uint16_t port;	  /* host byte order; 0: the packet's */
	uint16_t weight;
	bool admin_down;
	bool healthy; /* the checker's verdict; true without health-check */
};

/* A VIP as committed: what the owner makes of it replaces what it had. */
struct lb_vip_spec {
	char name[LB_NAME_SIZE];
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;	   /* host byte order; 0: all ports */
	uint8_t proto;	   /* IPPROTO_TCP / IPPROTO_UDP */
	uint8_t algorithm; /* enum dp_lb_alg */
	uint8_t nat_mode;  /* enum dp_lb_nat */
	bool persist;
	uint32_t persist_timeout;
	bool fnat_src_set;
	uint8_t fnat_src[16];
	bool health_check;
	uint32_t seed;
	uint32_t n_backends;
	struct lb_be_spec be[]; /* n_backends */
};

/* Main pthread: the owner takes spec (allocated with lb_vip_spec_new). */
extern struct lb_vip_spec *lb_vip_spec_new(uint32_t n_backends);
extern void lb_owner_post_vip(struct lb_vip_spec *spec);
extern void lb_owner_post_del(const char *name);
/* A checked backend became healthy or unhealthy. */
extern void lb_owner_post_health(const char *vip, uint8_t family,
				 const uint8_t addr[16], uint16_t port,
				 bool up);
/* `no ebpf` (or no load-balancer at all): every VIP goes. */
extern void lb_owner_post_del_all(void);

/* ------------------------------------------------------------ owner */

/* Main pthread, at late init (before the owner runs): hooks. */
extern void lb_owner_init(void);
/* Owner pthread, when zebra's dataplane starts: routes an earlier run
 * left for its VIPs are removed before any is announced again. */
extern void lb_owner_start(void);
/* Main pthread, the owner stopped (zebra's shutdown): withdraw every
 * VIP's route. */
extern void lb_owner_fini(void);

/* What `show ebpf load-balancer` prints of a VIP's state. */
struct lb_be_status {
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
	uint32_t id; /* 0: none (no id was left) */
	bool up;     /* in lb_backend_map with DP_LB_BE_F_UP */
};

struct lb_vip_status {
	bool installed;	    /* in lb_vip_map */
	char why[160];	    /* why not installed, or "" */
	uint32_t vip_id;
	uint32_t ring_base;
	uint32_t ring_size; /* 0: no ring (least-connections, none up) */
	uint32_t ring_cap;  /* slots reserved */
	bool announced;
	char announce_error[96];
	uint8_t fnat_src[16]; /* fullnat source in use */
	uint32_t n_up;
	uint32_t n;
	struct lb_be_status be[DP_LB_VIP_BACKENDS_MAX];
};

/* Any pthread: a copy of the owner's state of VIP name; false if the
 * owner has not seen it (yet). */
extern bool lb_owner_status(const char *name, struct lb_vip_status *st);

/*
 * Owner pthread, lb.mtx held: VIP name was given datapath id vip_id, or
 * gave its id up (vip_id 0). What other features attach to a VIP by name
 * (police/) follows it through this hook.
 */
DECLARE_HOOK(lb_vip_id_changed, (const char *name, uint32_t vip_id),
	     (name, vip_id));

/* Owner's totals, for show. */
struct lb_totals {
	uint32_t vips_installed;
	uint32_t vip_ids_used, vip_ids_max;
	uint32_t backend_ids_used, backend_ids_max, backend_ids_draining;
	uint32_t ring_slots_used, ring_slots_max, ring_slots_quarantined;
};
extern void lb_owner_totals(struct lb_totals *t);

/* ------------------------------------------------ kernel announcement */

/*
 * The routing protocol number of the routes that announce VIPs: zebra
 * reads a route of a protocol it does not own as a kernel route (and
 * deletes only its own at start). Named in doc/configuration.md so that
 * users can match it (`ip route show proto 251`).
 */
#define LB_RTPROT 251

/* Owner pthread. 0 or -errno (-EEXIST: another route holds the prefix). */
extern int lb_announce_add(uint8_t family, const uint8_t addr[16]);
extern int lb_announce_del(uint8_t family, const uint8_t addr[16]);
/* Remove every route of LB_RTPROT from the main table. */
extern void lb_announce_flush(void);
/* The source address the kernel would send from towards dst (`ip route
 * get`): fullnat's default source. 0 or -errno. */
extern int lb_route_src(uint8_t family, const uint8_t dst[16],
			uint8_t src[16]);

/* ------------------------------------------------------ ring ranges */

/*
 * Ranges of lb_ring_map's slots, first fit. A freed range is quarantined
 * until a grace period has passed (a packet may still read the ring it
 * found in the VIP it looked up), as the FIB quarantines freed ids.
 */
struct lb_range {
	uint32_t base;
	uint32_t len;
};

extern void lb_ring_alloc_init(uint32_t slots);
extern void lb_ring_alloc_fini(void);
/* A range of len slots in *r, or -ENOSPC. May wait for a grace period. */
extern int lb_ring_alloc(uint32_t len, struct lb_range *r);
extern void lb_ring_free(const struct lb_range *r);
/* Reserve exactly r (what an earlier run's VIP uses), or -EBUSY. */
extern int lb_ring_alloc_take(const struct lb_range *r);
extern void lb_ring_alloc_usage(uint32_t *used, uint32_t *quarantined,
				uint32_t *slots);

/* ----------------------------------------------------------- adoption */

/*
 * What an earlier run left in reused pins (lb_adopt.c): its VIPs, their
 * backends and announcing routes. Taken over by the VIPs of this run's
 * configuration with the same key; the rest is removed at the resync.
 * Owner pthread.
 */
struct lb_held_vip {
	struct dp_lb_vip_key key;
	struct dp_lb_vip val;
	struct dp_lb_vip_backends list;
	struct lb_range ring; /* len 0: none */
	bool taken;
	bool broken; /* not adopted: removed from lb_vip_map at start */
};

struct lb_held_be {
	uint32_t id;
	struct dp_lb_backend val;
	bool taken;
};

struct lb_held_route {
	uint8_t family;
	uint8_t addr[16];
	bool taken;
};

extern void lb_adopt_collect(void);
/* The held VIP of this key, now taken; NULL if none. */
extern struct lb_held_vip *lb_adopt_vip(const struct dp_lb_vip_key *key);
/* The id of the held backend of the VIP vip_id with this address and
 * port (host byte order), now taken; 0 if none. */
extern uint32_t lb_adopt_backend(uint32_t vip_id, uint8_t family,
				 const uint8_t addr[16], uint16_t port);
/* A held route announces this address: now taken. */
extern bool lb_adopt_route(uint8_t family, const uint8_t addr[16]);
extern void lb_adopt_each(void (*vip_fn)(struct lb_held_vip *v),
			  void (*be_fn)(struct lb_held_be *b),
			  void (*route_fn)(struct lb_held_route *r));
extern void lb_adopt_release(void);

/* lb_announce.c: every route of LB_RTPROT in the main table. */
extern void lb_announce_list(void (*fn)(uint8_t family,
					const uint8_t addr[16], void *arg),
			     void *arg);

/* ----------------------------------------------------- northbound, CLI */

extern const struct frr_yang_module_info lb_nb_info;

/* Main pthread, at late init: health checker, hooks. */
extern void lb_init(void);
/* Commands and nodes (lb_vty.c, lb_show.c). */
extern void lb_vty_init(void);
extern void lb_show_init(void);

/* lb_vty.c: how the configuration reads back. */
extern void lb_cli_show_seed(struct vty *vty, const struct lyd_node *dnode,
			     bool show_defaults);
extern void lb_cli_show_vip(struct vty *vty, const struct lyd_node *dnode,
			    bool show_defaults);
extern void lb_cli_show_vip_end(struct vty *vty, const struct lyd_node *dnode);
extern int lb_cli_cmp_vip(const struct lyd_node *a, const struct lyd_node *b);
/* algorithm, nat-mode, fullnat-source: the leaf's name and value. */
extern void lb_cli_show_vip_leaf(struct vty *vty, const struct lyd_node *dnode,
				 bool show_defaults);
extern void lb_cli_show_persistence(struct vty *vty,
				    const struct lyd_node *dnode,
				    bool show_defaults);
extern void lb_cli_show_hc(struct vty *vty, const struct lyd_node *dnode,
			   bool show_defaults);
extern void lb_cli_show_backend(struct vty *vty, const struct lyd_node *dnode,
				bool show_defaults);
extern int lb_cli_cmp_backend(const struct lyd_node *a,
			      const struct lyd_node *b);

/* Names of the configuration's enumerations, for show commands. */
extern const char *lb_alg_name(uint8_t alg);
extern const char *lb_nat_name(uint8_t nat);

/* A backend's or VIP's address from its configuration node. */
extern void lb_dnode_addr(const struct lyd_node *dnode, const char *xpath,
			  uint8_t *family, uint8_t addr[16]);

#endif /* LB_H */
