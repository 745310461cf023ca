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

#include "dp_abi.h"

struct zebra_dplane_ctx;

/* Owner thread: one route context; returns 0 or -errno. */
extern int dp_route_ctx(struct zebra_dplane_ctx *ctx);
/* Start fetching what dp_route_ctx() will read for a route context to
 * come: stage 0 two contexts ahead, stage 1 the next one. */
extern void dp_route_prefetch(const struct zebra_dplane_ctx *ctx, int stage);

/*
 * At init: follow the kernel's local table (dp_local_changed) and the
 * egress class of links (dp_link_changed, core/dp_hooks.h).
 */
extern void dp_route_init(void);

/* Module load: set up the FIB over the freshly opened maps. Returns 0 or
 * -errno with a message in err. */
extern int dp_route_open_fib(bool reused, char *err, size_t errlen);
extern void dp_route_maps_closing(void);

/* Owner thread, after each batch of updates: retry routes that did not
 * fit, flag what stays missing to the datapath, publish the figures. */
extern void dp_route_batch_done(void);

/* Owner thread: refresh the FIB figures show commands read. */
extern void dp_route_publish_stats(void);
/* Any thread: the last published FIB figures. */
struct dp_fib_stats;
extern void dp_route_fib_stats(struct dp_fib_stats *st);

/*
 * Any thread: the FIB's own answer for addr (network byte order), read as
 * the datapath reads it (dp_fib_lookup4/6): the value id, 0 for no route.
 * -ENODEV without a FIB.
 */
extern int dp_route_fib_answer(int family, const void *addr,
			       uint32_t *val_id);

/* Routes currently held, by family (for show commands: atomic reads). */
extern uint32_t dp_route_count(int family);

/* One route as the FIB holds it, for show commands. */
struct dp_route_entry {
	uint8_t family;
	uint8_t prefixlen;
	uint8_t addr[16]; /* network byte order */
	struct dp_rt_val val; /* DP_RT_F_PUNTED: the kernel forwards it */
};

/*
 * The routes of family (AF_UNSPEC: both) that the datapath holds, as the
 * plugin's own table says (the FIB is written from it at once; the rt
 * maps follow when zebra is idle), with, until the resync after a start
 * on an earlier run's pins, the routes taken over from that run that
 * zebra has not replayed: copied by the dplane pthread, which
 * owns that table, while the caller waits, so that no map is walked on
 * zebra's main pthread. 0 with *out (free with dp_route_list_free) and
 * *n, or -ETIMEDOUT if the dplane pthread did not answer in time.
 */
extern int dp_route_list(int family, struct dp_route_entry **out, size_t *n);
extern void dp_route_list_free(struct dp_route_entry *routes);
/* Routes handed to the kernel because they did not fit, by family. */
extern uint32_t dp_route_punted_count(int family);

#endif /* DP_ROUTE_H */
