/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reconciliation with maps pinned by an earlier run: entries found at start
 * are marked stale, every write from the current run unmarks its key, and
 * what is still stale once zebra has had time to replay its state is swept.
 * Forwarding continues from the old entries meanwhile (no flush).
 */
#ifndef DP_SYNC_H
#define DP_SYNC_H

#include <stdbool.h>
#include <stdint.h>
#include "maps/dp_maps.h"

/* Seconds after configuration is read before stale entries are swept
 * (module argument resync-delay). */
extern uint32_t dp_sync_delay(void);

extern void dp_sync_begin(bool reused);
extern void dp_sync_config_done(void);
/* Called by writers on the owner thread: this key is current. */
extern void dp_sync_touch(enum dp_map_id map, const void *key);
extern uint32_t dp_sync_stale_count(void);
/* Started on an earlier run's pins and the resync has not run yet. */
extern bool dp_sync_pending(void);
/* Is key an earlier run's entry of map that this run has not written yet
 * (and the sweep not removed)? Owner thread. */
extern bool dp_sync_is_stale(enum dp_map_id map, const void *key);

/* fn(map, key) after the sweep deleted a key of map that no write of this
 * run touched (a table built from the map follows it). */
typedef void (*dp_sync_swept_fn)(enum dp_map_id map, const void *key);
extern void dp_sync_on_sweep(enum dp_map_id map, dp_sync_swept_fn fn);

#endif /* DP_SYNC_H */
