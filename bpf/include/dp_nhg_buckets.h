/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Resilient bucket tables for nh_map (user space: the plugin and the tests;
 * the datapath only reads dp_nhg.bucket[]).
 *
 * The datapath sends a flow to paths[bucket[hash % DP_NHG_BUCKETS]]. Each
 * path owns a share of the buckets proportional to its weight, and at
 * least one. When the set of paths changes, buckets stay where they are
 * unless they must move: the buckets of a removed path go to the
 * survivors furthest below their share, and nothing else moves, so the
 * flows of every other path keep their path (unlike hash mod N).
 *
 *   dp_nhg_buckets_fill()    a new group
 *   dp_nhg_buckets_update()  any change of the path set or the weights;
 *                            near-minimal: a removal moves only the gone
 *                            path's buckets unless rounding leaves a
 *                            survivor two buckets short of its share
 *   dp_nhg_buckets_remove()  one path left: only its buckets move, always
 */
#ifndef DP_NHG_BUCKETS_H
#define DP_NHG_BUCKETS_H

#ifdef __bpf__
#error "dp_nhg_buckets.h is user-space code"
#endif

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dp_abi.h"

#if DP_NHG_MAX_PATHS > 255 || DP_NHG_MAX_PATHS > DP_NHG_BUCKETS
#error "bucket[] holds path indexes in a byte, one bucket per path at least"
#endif

/*
 * Each path's number of buckets: one each, then the remaining buckets in
 * proportion to the weights (a weight of 0 counts as 1), rounded by
 * largest remainder (ties to the lower index) so the shares add up to
 * DP_NHG_BUCKETS exactly.
 */
static inline void dp_nhg_buckets_shares(const uint32_t *weights,
					 unsigned int n_paths, uint16_t *share)
{
	uint64_t rem[DP_NHG_MAX_PATHS], total = 0;
	unsigned int spare = DP_NHG_BUCKETS - n_paths, given = 0, i;

	for (i = 0; i < n_paths; i++)
		total += weights[i] ? weights[i] : 1;
	for (i = 0; i < n_paths; i++) {
		uint64_t part = (uint64_t)spare * (weights[i] ? weights[i] : 1);

		share[i] = 1 + part / total;
		rem[i] = part % total;
		given += share[i] - 1;
	}
	while (given < spare) {
		unsigned int best = 0;

		for (i = 1; i < n_paths; i++)
			if (rem[i] > rem[best])
				best = i;
		share[best]++;
		rem[best] = 0;
		given++;
	}
}

/* The path furthest below its share (ties to the lower index). */
static inline unsigned int dp_nhg_buckets_neediest(const uint16_t *held,
						   const uint16_t *share,
						   unsigned int n_paths)
{
	unsigned int best = 0, i;

	for (i = 1; i < n_paths; i++)
		if ((int)share[i] - held[i] > (int)share[best] - held[best])
			best = i;
	return best;
}

/*
 * Rebuild bucket[] for n_new paths from a table over n_old paths;
 * old_to_new[i] is the new index of old path i, or -1 if it is gone.
 *  1. A surviving path keeps its buckets, up to its new share plus one
 *     (unless keep_all): rounding alone never moves a flow.
 *  2. Every other bucket goes to the path furthest below its share.
 *  3. Unless keep_all, while a path has no bucket or is two or more below
 *     its share (a new path, a raised weight), it takes one from the path
 *     furthest above its share. Every path ends with a bucket at least,
 *     and within one bucket of its share.
 */
static inline void dp_nhg_buckets_rebuild(uint8_t *bucket,
					  const int *old_to_new,
					  unsigned int n_old,
					  const uint32_t *weights,
					  unsigned int n_new, bool keep_all)
{
	uint16_t share[DP_NHG_MAX_PATHS], held[DP_NHG_MAX_PATHS] = {0};
	bool orphan[DP_NHG_BUCKETS];
	unsigned int b, i, need, rich;

	dp_nhg_buckets_shares(weights, n_new, share);
	for (b = 0; b < DP_NHG_BUCKETS; b++) {
		int p = bucket[b] < n_old ? old_to_new[bucket[b]] : -1;

		orphan[b] = p < 0 || p >= (int)n_new ||
			    (!keep_all && held[p] > share[p]);
		if (!orphan[b]) {
			bucket[b] = p;
			held[p]++;
		}
	}
	for (b = 0; b < DP_NHG_BUCKETS; b++) {
		if (!orphan[b])
			continue;
		need = dp_nhg_buckets_neediest(held, share, n_new);
		bucket[b] = need;
		held[need]++;
	}
	if (keep_all)
		return;
	for (;;) {
		need = dp_nhg_buckets_neediest(held, share, n_new);
		for (i = 0; i < n_new; i++)
			if (!held[i])
				need = i;
		if (held[need] && held[need] + 2 > share[need])
			break;
		rich = 0;
		for (i = 1; i < n_new; i++)
			if ((int)held[i] - share[i] >
			    (int)held[rich] - share[rich])
				rich = i;
		for (b = DP_NHG_BUCKETS; b-- > 0;)
			if (bucket[b] == rich)
				break;
		bucket[b] = need;
		held[rich]--;
		held[need]++;
	}
}

/*
 * The group's paths changed from n_old to n_new: paths added or gone,
 * weights changed. old_to_new[i] is the new index of old path i, or -1 if
 * it is gone; weights are the new paths'. Flows stay on their path unless
 * their path is gone or must give buckets to a path below its share.
 * With n_new 0 the table is cleared (the datapath passes a group without
 * paths to the kernel). Returns 0, or -EINVAL for a count out of range.
 */
static inline int dp_nhg_buckets_update(uint8_t *bucket, const int *old_to_new,
					unsigned int n_old,
					const uint32_t *weights,
					unsigned int n_new)
{
	if (n_old > DP_NHG_MAX_PATHS || n_new > DP_NHG_MAX_PATHS)
		return -EINVAL;
	if (n_new == 0) {
		memset(bucket, 0, DP_NHG_BUCKETS);
		return 0;
	}
	dp_nhg_buckets_rebuild(bucket, old_to_new, n_old, weights, n_new,
			       false);
	return 0;
}

/* A new group of n_paths paths. */
static inline int dp_nhg_buckets_fill(uint8_t *bucket, const uint32_t *weights,
				      unsigned int n_paths)
{
	return dp_nhg_buckets_update(bucket, NULL, 0, weights, n_paths);
}

/*
 * Path `gone` of n_paths leaves, and the paths after it move down one
 * index (the caller compacts dp_nhg.paths[] the same way); weights are
 * those of the n_paths - 1 remaining paths, in their new order. Only the
 * buckets of the removed path move, whatever the weights.
 */
static inline int dp_nhg_buckets_remove(uint8_t *bucket, unsigned int n_paths,
					unsigned int gone,
					const uint32_t *weights)
{
	int old_to_new[DP_NHG_MAX_PATHS];
	unsigned int i;

	if (n_paths > DP_NHG_MAX_PATHS || gone >= n_paths)
		return -EINVAL;
	if (n_paths == 1) {
		memset(bucket, 0, DP_NHG_BUCKETS);
		return 0;
	}
	for (i = 0; i < n_paths; i++)
		old_to_new[i] = i < gone ? (int)i : i == gone ? -1 : (int)i - 1;
	dp_nhg_buckets_rebuild(bucket, old_to_new, n_paths, weights,
			       n_paths - 1, true);
	return 0;
}

#endif /* DP_NHG_BUCKETS_H */
