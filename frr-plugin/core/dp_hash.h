/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * FRR's typesafe hash (DECLARE_HASH) grows by rehashing every item at
 * once: the plugin's route mirror, growing past half a million routes,
 * held zebra's dplane pthread for 37 ms of CPU. A table whose size the
 * module arguments announce gets its buckets up front instead, and keeps
 * them. This uses struct thash_head's fields from lib/typesafe.h, as FRR
 * 8.4 lays them out (dp_version_guard() refuses any other libfrr).
 */
#ifndef DP_HASH_H
#define DP_HASH_H

#include "lib/typesafe.h"

/*
 * Buckets for expected items (no rehash below that many), kept however
 * few items are left: but an empty table frees its buckets, so call this
 * again before the first insertion into an empty table (tabshift 0).
 */
static inline void dp_hash_presize(struct thash_head *hh, uint32_t expected)
{
	uint32_t count = hh->count;

	if (hh->tabshift && HASH_SIZE(*hh) > expected)
		return;
	hh->count = expected; /* what typesafe_hash_grow() sizes for */
	typesafe_hash_grow(hh);
	hh->count = count;
	hh->minshift = hh->tabshift;
}

#endif /* DP_HASH_H */
