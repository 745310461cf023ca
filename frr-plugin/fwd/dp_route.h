/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Routes: zebra's route contexts and the kernel's local table to the
 * datapath's FIB (and rt_v4_map / rt_v6_map, its readable copy).
 */
#ifndef DP_ROUTE_H
#define DP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zebra_dplane_ctx;
union g_addr;

/* Owner thread: one route context; returns 0 or -errno. */
extern int dp_route_ctx(struct zebra_dplane_ctx *ctx);

/*
 * Owner thread: an entry of the kernel's local table (type DP_RT_LOCAL or
 * DP_RT_BROADCAST) appeared or went away. It wins over zebra's route for
 * the same prefix, and a local range shorter than a host route sends its
 * whole range to the kernel, as the local table is looked up first.
 */
extern void dp_route_local_update(int family, const union g_addr *addr,
				  uint8_t plen, uint8_t type, bool add);

/* Owner thread: the egress class of an interface changed; routes on it
 * that do not go through a nexthop group are rewritten. */
extern void dp_route_intf_changed(int ifindex);

/* Module load: set up the FIB over the freshly opened maps. Returns 0 or
 * -errno with a message in err. */
extern int dp_route_open_fib(char *err, size_t errlen);
extern void dp_route_maps_closing(void);

/* Owner thread, after each batch of updates: retry routes that did not
 * fit, flag what stays missing to the datapath, publish the figures. */
extern void dp_route_batch_done(void);

/* Owner thread: refresh the FIB figures show commands read. */
extern void dp_route_publish_stats(void);
/* Any thread: the last published FIB figures. */
struct dp_fib_stats;
extern void dp_route_fib_stats(struct dp_fib_stats *st);

/* Routes currently held, by family (for show commands: atomic reads). */
extern uint32_t dp_route_count(int family);
/* Routes handed to the kernel because they did not fit, by family. */
extern uint32_t dp_route_punted_count(int family);

#endif /* DP_ROUTE_H */
