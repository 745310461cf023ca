/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Routes: zebra's route contexts (and the router's own addresses) to
 * rt_v4_map / rt_v6_map entries.
 */
#ifndef DP_ROUTE_H
#define DP_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

struct zebra_dplane_ctx;
union g_addr;

/* Owner thread: one route context; returns 0 or -errno. */
extern int dp_route_ctx(struct zebra_dplane_ctx *ctx);

/* Owner thread: an address of the router appeared or went away. */
extern void dp_route_local_update(int family, const union g_addr *addr,
				  bool add);

/* Owner thread: the maps exist now; set up the FIB and write every route.
 * Returns 0 or -errno. */
extern int dp_route_maps_ready(void);
extern void dp_route_maps_closing(void);

/* Owner thread, after each batch of updates: retry routes that did not
 * fit, flag incomplete families to the datapath, publish the figures. */
extern void dp_route_batch_done(void);

/* Owner thread: refresh the FIB figures show commands read. */
extern void dp_route_publish_stats(void);
/* Any thread: the last published FIB figures. */
struct dp_fib_stats;
extern void dp_route_fib_stats(struct dp_fib_stats *st);

/* Routes currently held, by family (for show commands: atomic reads). */
extern uint32_t dp_route_count(int family);

#endif /* DP_ROUTE_H */
