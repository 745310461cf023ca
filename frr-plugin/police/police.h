/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Policers' control plane: the `policer NAME` configuration (YANG,
 * northbound and CLI on zebra's main pthread) and the policer maps
 * (owner pthread). The meters and the datapath stage are
 * bpf/lib/policer.h and bpf/lib/police.h.
 *
 *   police_nb.c     northbound callbacks and validation
 *   police_vty.c    the `policer` node, its commands, how it reads back
 *   police_show.c   `show ebpf policer`
 *   police_owner.c  owner pthread: datapath ids, policer_map and the
 *                   attach maps, following interfaces and VIPs
 *
 * Every attach point of a policer is a meter of its own in the datapath
 * (its own id, buckets and counters): `apply interface eth0` and `apply
 * interface eth1` give each interface the configured rate, as a policer
 * attached to two interfaces does on a router. See doc/architecture.md,
 * "Policers".
 */
#ifndef POLICE_H
#define POLICE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/northbound.h"
#include "lib/prefix.h"

#include "dp_abi.h"

#define POLICE_XPATH "/frr-zebra-ebpf:ebpf/policer"

/* Attach point kinds, in the order the datapath meters them. */
enum police_at_kind {
	POLICE_AT_INTF = 0,
	POLICE_AT_MATCH = 1,
	POLICE_AT_VIP = 2,
};

/* An attach point as configured. */
struct police_at {
	uint8_t kind;	   /* enum police_at_kind */
	char name[64];	   /* INTF: interface; VIP: VIP name */
	struct prefix prefix; /* MATCH: masked */
	uint32_t dir;	   /* MATCH: DP_POLICE_MATCH_SRC or _DST */
	uint8_t proto;	   /* MATCH: 0 any */
	uint16_t port;	   /* MATCH: destination port, 0 any */
};

/* A policer as configured: what the main pthread hands the owner. */
struct police_spec {
	char name[64];
	struct dp_policer pol; /* meter.mode 0: no meter configured */
	uint32_t n_at;
	struct police_at at[];
};

/* Whether two attach points are the same place (their key). */
extern bool police_at_same(const struct police_at *a,
			   const struct police_at *b);

/* The spec of a `policer` configuration node (XFREE(MTYPE_TMP)). */
extern struct police_spec *police_spec_of(const struct lyd_node *dnode);

/* Main pthread: the owner takes spec. */
extern void police_owner_post(struct police_spec *spec);
extern void police_owner_post_del(const char *name);
extern void police_owner_post_del_all(void);

/* Main pthread at late init (hooks); owner pthread at start. */
extern void police_owner_init(void);
extern void police_owner_start(void);

/* What `show ebpf policer` prints of an attach point's state. */
struct police_at_status {
	struct police_at at;
	uint32_t id;	 /* datapath id, 0: none */
	bool installed;	 /* in its attach map */
	char why[128];	 /* why not, or "" */
	uint32_t target; /* INTF: ifindex; VIP: vip id */
};

/* Any pthread: the owner's state of policer name's attach points, at
 * most max of them; returns how many it has, -1 if it has not seen the
 * policer (yet). */
extern int police_owner_status(const char *name, struct police_at_status *st,
			       uint32_t max);

/* Datapath ids in use and available, for show. */
extern void police_owner_ids(uint32_t *used, uint32_t *max);

extern const struct frr_yang_module_info police_nb_info;

/* Main pthread, late init. */
extern void police_init(void);
extern void police_vty_init(void);
extern void police_show_init(void);

/* police_vty.c: how the configuration reads back. */
extern void police_cli_show(struct vty *vty, const struct lyd_node *dnode,
			    bool show_defaults);
extern void police_cli_show_end(struct vty *vty, const struct lyd_node *dnode);
extern int police_cli_cmp(const struct lyd_node *a, const struct lyd_node *b);

/* Names of what the configuration holds, for show and messages. */
extern const char *police_action_name(uint8_t action);

#endif /* POLICE_H */
