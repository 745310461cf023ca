// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Mark and sweep over maps pinned by an earlier run (see dp_sync.h).
 * Keys found at start are kept sorted per map with a "current" mark;
 * writers mark what they write; the sweep deletes the rest.
 */

#include "config.h"

#include <bpf/bpf.h>

#include "lib/zebra.h"
#include "lib/memory.h"
#include "lib/thread.h"

#include "core/dp_boot.h"
#include "core/dp_hooks.h"
#include "core/dp_plugin.h"
#include "core/dp_stall.h"
#include "core/dp_stats.h"
#include "maps/dp_maps.h"
#include "maps/dp_sync.h"

DEFINE_MTYPE_STATIC(EBPF, EBPF_SYNC, "eBPF stale key set");
DEFINE_HOOK(dp_resync_done, (), ());

/* The maps whose content mirrors zebra or the kernel; counters and the
 * meta map are not reconciled. */
static const enum dp_map_id dp_sync_maps[] = {
	DP_MAP_RT4, DP_MAP_RT6, DP_MAP_NH, DP_MAP_DMAC, DP_MAP_INTF,
};

struct dp_stale_set {
	uint32_t key_size;
	uint32_t n;
	uint8_t *keys;	 /* n sorted keys of key_size bytes */
	uint8_t *marked; /* 1: rewritten by this run */
};

static struct dp_stale_set dp_stale[DP_MAP_MAX];
static dp_sync_swept_fn dp_swept_fn[DP_MAP_MAX];
static _Atomic uint32_t dp_stale_left;
static bool dp_sync_reused;
static _Atomic bool dp_sync_done;
static struct thread *dp_sweep_timer;

static __thread uint32_t dp_sort_key_size;

static int dp_key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, dp_sort_key_size);
}

uint32_t dp_sync_stale_count(void)
{
	return atomic_load_explicit(&dp_stale_left, memory_order_relaxed);
}

static void dp_sync_collect(enum dp_map_id id)
{
	struct dp_stale_set *s = &dp_stale[id];
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info), cap = 1024;
	int fd = dp_map_fd(id);
	uint8_t *prev = NULL;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	s->key_size = info.key_size;
	s->keys = XMALLOC(MTYPE_EBPF_SYNC, cap * s->key_size);
	while (bpf_map_get_next_key(fd, prev, s->keys + s->n * s->key_size) ==
	       0) {
		prev = s->keys + s->n * s->key_size;
		s->n++;
		if (s->n == cap) {
			cap *= 2;
			s->keys = XREALLOC(MTYPE_EBPF_SYNC, s->keys,
					   cap * s->key_size);
			prev = s->keys + (s->n - 1) * s->key_size;
		}
	}
	dp_sort_key_size = s->key_size;
	qsort(s->keys, s->n, s->key_size, dp_key_cmp);
	s->marked = XCALLOC(MTYPE_EBPF_SYNC, s->n ? s->n : 1);
	atomic_fetch_add_explicit(&dp_stale_left, s->n, memory_order_relaxed);
}

bool dp_sync_pending(void)
{
	return dp_sync_reused &&
	       !atomic_load_explicit(&dp_sync_done, memory_order_relaxed);
}

uint32_t dp_sync_delay(void)
{
	uint32_t s = dp_boot_args()->resync_delay;

	return s ? s : DP_RESYNC_DELAY_DEFAULT;
}

void dp_sync_begin(bool reused)
{
	size_t i;

	dp_sync_reused = reused;
	if (!reused)
		return;
	frr_with_privs (dp_privs()) {
		for (i = 0; i < array_size(dp_sync_maps); i++)
			dp_sync_collect(dp_sync_maps[i]);
	}
	zlog_notice("ebpf: reusing pinned maps with %u entries; entries zebra does not confirm within %d s of reading its configuration are removed",
		    dp_sync_stale_count(), dp_sync_delay());
}

void dp_sync_on_sweep(enum dp_map_id map, dp_sync_swept_fn fn)
{
	dp_swept_fn[map] = fn;
}

static uint8_t *dp_sync_find(struct dp_stale_set *s, const void *key)
{
	if (!s->n)
		return NULL;
	dp_sort_key_size = s->key_size;
	return bsearch(key, s->keys, s->n, s->key_size, dp_key_cmp);
}

bool dp_sync_is_stale(enum dp_map_id id, const void *key)
{
	struct dp_stale_set *s = &dp_stale[id];
	uint8_t *hit = dp_sync_find(s, key);

	return hit && !s->marked[(hit - s->keys) / s->key_size];
}

void dp_sync_touch(enum dp_map_id id, const void *key)
{
	struct dp_stale_set *s = &dp_stale[id];
	uint8_t *hit = dp_sync_find(s, key);

	if (!hit || s->marked[(hit - s->keys) / s->key_size])
		return;
	s->marked[(hit - s->keys) / s->key_size] = 1;
	atomic_fetch_sub_explicit(&dp_stale_left, 1, memory_order_relaxed);
}

/* Keys deleted per step of the sweep, between which zebra's dplane
 * pthread does its own work. */
#define DP_SYNC_SWEEP_STEP 4096

static void dp_sync_sweep(struct thread *t)
{
	static size_t m;
	static uint32_t i, swept;
	uint32_t budget = DP_SYNC_SWEEP_STEP;

	DP_STALL_BEGIN(DP_STALL_SWEEP);
	frr_with_privs (dp_privs()) {
		for (; m < array_size(dp_sync_maps) && budget; m++, i = 0) {
			struct dp_stale_set *s = &dp_stale[dp_sync_maps[m]];
			int fd = dp_map_fd(dp_sync_maps[m]);

			for (; i < s->n && budget; i++, budget--) {
				if (s->marked[i])
					continue;
				if (bpf_map_delete_elem(fd, s->keys +
								    i * s->key_size))
					continue;
				swept++;
				if (dp_swept_fn[dp_sync_maps[m]])
					dp_swept_fn[dp_sync_maps[m]](
						dp_sync_maps[m],
						s->keys + i * s->key_size);
			}
			if (i < s->n)
				break;
			XFREE(MTYPE_EBPF_SYNC, s->keys);
			XFREE(MTYPE_EBPF_SYNC, s->marked);
			s->n = 0;
		}
	}
	DP_STALL_END(DP_STALL_SWEEP);
	if (m < array_size(dp_sync_maps)) {
		thread_add_event(dp_owner_master(), dp_sync_sweep, NULL, 0,
				 &dp_sweep_timer);
		return;
	}
	atomic_store_explicit(&dp_stale_left, 0, memory_order_relaxed);
	DP_STAT_INC(resyncs);
	zlog_notice("ebpf: resync done, %u stale entries removed", swept);
	hook_call(dp_resync_done);
	atomic_store_explicit(&dp_sync_done, true, memory_order_relaxed);
}

/* Also without a stale entry: the features' state of an earlier run
 * waits for the resync too (dp_resync_done). */
void dp_sync_config_done(void)
{
	if (!dp_sync_reused)
		return;
	thread_add_timer(dp_owner_master(), dp_sync_sweep, NULL,
			 dp_sync_delay(), &dp_sweep_timer);
}
