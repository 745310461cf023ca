/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A pinned map whose size the module arguments change is created anew;
 * what the earlier one held is carried over into it before any program
 * reads it, so that a size change at a restart loses neither routes nor
 * flows (doc/architecture.md, "Table sizes change at a restart").
 */
#ifndef DP_MIGRATE_H
#define DP_MIGRATE_H

#include <stdint.h>

struct dp_migrate_result {
	uint32_t copied;
	uint32_t dropped; /* did not fit the new map */
};

/*
 * Copy every entry of map from into map to (same type, key and value
 * sizes): arrays index by index up to the smaller size, hash and LPM maps
 * key by key until the new map is full. 0, or -errno (-EPROTO: the maps
 * do not have the same layout; nothing copied).
 */
extern int dp_map_migrate(int from, int to, struct dp_migrate_result *res);

#endif /* DP_MIGRATE_H */
