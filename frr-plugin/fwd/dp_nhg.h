/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Nexthop groups: zebra's NHEs to nh_map entries of pre-resolved paths
 * with resilient bucket tables. All functions run on the owner thread.
 */
#ifndef DP_NHG_H
#define DP_NHG_H

#include <stdbool.h>
#include <stdint.h>

struct zebra_dplane_ctx;
struct nexthop;
struct nexthop_group;

/* NH_INSTALL / NH_UPDATE / NH_DELETE. */
extern int dp_nhg_ctx(struct zebra_dplane_ctx *ctx);

/*
 * A nexthop the datapath forwards exactly as the kernel would: no MPLS
 * labels, no SRv6 or other encapsulation, no EVPN, in the default VRF.
 * A group with any other nexthop is left to the kernel as a whole.
 */
extern bool dp_nh_is_plain(const struct nexthop *nh);

/*
 * A route uses group id. If zebra has not described the group (no NH
 * contexts, e.g. a kernel route), it is built from the route's own
 * nexthops ng. A group nh_map cannot hold yet is retried; meanwhile
 * packets of its routes go to the kernel.
 */
extern void dp_nhg_ref(uint32_t id, const struct nexthop_group *ng);
extern void dp_nhg_unref(uint32_t id);

/* Owner thread, after each batch: retry groups nh_map could not take. */
extern void dp_nhg_batch_done(void);

/*
 * At init: follow what a path depends on (its link, its neighbour) through
 * dp_link_changed and dp_neigh_changed (core/dp_hooks.h), re-resolving the
 * groups affected.
 */
extern void dp_nhg_init(void);

extern uint32_t dp_nhg_count(void);
/* Groups nh_map could not take (the kernel forwards their routes). */
extern uint32_t dp_nhg_missing_count(void);

#endif /* DP_NHG_H */
