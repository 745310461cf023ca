/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing an interface's datapath entry: intf_map, the truth `show` and
 * bpftool read, and its copy in intf_direct_map at the interface's slot,
 * which packets read (dp_abi.h). The plugin, the unit harness and the
 * benchmarks all write interfaces through here, so the two maps never
 * disagree. FRR-free, header only.
 */
#ifndef DP_INTFMAP_H
#define DP_INTFMAP_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <bpf/bpf.h>

#include "dp_abi.h"

/* Write intf_direct_map's slot: v flagged present, or zeroes (v NULL). */
static inline int dp_intfmap_put(int direct_fd, uint32_t slot,
				 const struct dp_intf *v)
{
	struct dp_intf d = {};

	if (slot == DP_INTF_NO_SLOT)
		return 0;
	if (v) {
		d = *v;
		d.flags |= DP_INTF_F_PRESENT;
	}
	return bpf_map_update_elem(direct_fd, &slot, &d, BPF_ANY) ? -errno : 0;
}

/*
 * Write ifindex's entry (v) or remove it (v NULL); 0 or -errno. The copy
 * is written last: from then on packets see the change. A slot the
 * interface leaves (its stats slot changed) is cleared after.
 */
static inline int dp_intfmap_write(int intf_fd, int direct_fd,
				   uint32_t ifindex, const struct dp_intf *v)
{
	uint32_t old_slot = DP_INTF_NO_SLOT, slot = DP_INTF_NO_SLOT;
	struct dp_intf old;
	int err;

	if (bpf_map_lookup_elem(intf_fd, &ifindex, &old) == 0)
		old_slot = dp_intf_slot(ifindex, old.stats_idx);
	if (v) {
		slot = dp_intf_slot(ifindex, v->stats_idx);
		if (bpf_map_update_elem(intf_fd, &ifindex, v, BPF_ANY))
			return -errno;
	} else if (bpf_map_delete_elem(intf_fd, &ifindex) && errno != ENOENT) {
		return -errno;
	}
	err = dp_intfmap_put(direct_fd, slot, v);
	if (!err && old_slot != slot)
		err = dp_intfmap_put(direct_fd, old_slot, NULL);
	return err;
}

/*
 * Make the copy what intf_map holds: after a load, since pinned maps may
 * come from an earlier run. Every slot is written once, with what it
 * should hold, so that a program of the earlier run still attached never
 * sees a slot emptied in between.
 */
static inline int dp_intfmap_copy(int intf_fd, int direct_fd)
{
	struct dp_intf *want = calloc(DP_INTF_DIRECT_SLOTS, sizeof(*want));
	uint32_t key, next, slot;
	void *prev = NULL;
	int err = 0;

	if (!want)
		return -ENOMEM;
	while (bpf_map_get_next_key(intf_fd, prev, &next) == 0) {
		struct dp_intf v;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(intf_fd, &key, &v))
			continue;
		slot = dp_intf_slot(key, v.stats_idx);
		if (slot == DP_INTF_NO_SLOT)
			continue;
		want[slot] = v;
		want[slot].flags |= DP_INTF_F_PRESENT;
	}
	for (slot = 0; !err && slot < DP_INTF_DIRECT_SLOTS; slot++)
		if (bpf_map_update_elem(direct_fd, &slot, &want[slot], BPF_ANY))
			err = -errno;
	free(want);
	return err;
}

#endif /* DP_INTFMAP_H */
