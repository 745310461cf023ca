// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Carry a resized map's entries over (dp_migrate.h). Runs at module load,
 * before the programs that will read the new map are attached; the old
 * programs go on reading the old map meanwhile.
 */
#include "config.h"

#include <errno.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/zebra.h"
#include "lib/memory.h"

#include "core/dp_plugin.h"
#include "maps/dp_migrate.h"

DEFINE_MTYPE_STATIC(EBPF, EBPF_MIGRATE, "eBPF map migration buffers");

static bool dp_map_is_array(uint32_t type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static bool dp_map_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Arrays: index by index; an entry past the new end is dropped only if
 * it holds anything (an array's untouched entries are zero). */
static void dp_migrate_array(int from, int to, const struct bpf_map_info *fi,
			     const struct bpf_map_info *ti, uint8_t *val,
			     size_t vlen, struct dp_migrate_result *res)
{
	uint8_t *zero = XCALLOC(MTYPE_EBPF_MIGRATE, vlen);

	for (uint32_t i = 0; i < fi->max_entries; i++) {
		if (bpf_map_lookup_elem(from, &i, val) || !memcmp(val, zero, vlen))
			continue;
		if (i < ti->max_entries && !bpf_map_update_elem(to, &i, val, BPF_ANY))
			res->copied++;
		else
			res->dropped++;
	}
	XFREE(MTYPE_EBPF_MIGRATE, zero);
}

/* Hash and LPM maps: key by key, each key read once. */
static void dp_migrate_keyed(int from, int to, const struct bpf_map_info *fi,
			     uint8_t *val, struct dp_migrate_result *res)
{
	uint8_t *keys = XMALLOC(MTYPE_EBPF_MIGRATE, 2 * (size_t)fi->key_size);
	uint8_t *key = keys, *prev = NULL;
	/* a key deleted under the walk restarts it from the first: bounded */
	uint64_t visits = 2 * (uint64_t)fi->max_entries + 16;

	while (visits-- && bpf_map_get_next_key(from, prev, key) == 0) {
		if (!bpf_map_lookup_elem(from, key, val)) {
			if (!bpf_map_update_elem(to, key, val, BPF_NOEXIST))
				res->copied++;
			else if (errno != EEXIST)
				res->dropped++;
		}
		prev = key;
		key = key == keys ? keys + fi->key_size : keys;
	}
	XFREE(MTYPE_EBPF_MIGRATE, keys);
}

int dp_map_migrate(int from, int to, struct dp_migrate_result *res)
{
	struct bpf_map_info fi = {}, ti = {};
	uint32_t flen = sizeof(fi), tlen = sizeof(ti);
	size_t vlen;
	uint8_t *val;

	memset(res, 0, sizeof(*res));
	if (bpf_obj_get_info_by_fd(from, &fi, &flen) ||
	    bpf_obj_get_info_by_fd(to, &ti, &tlen))
		return -errno;
	if (fi.type != ti.type || fi.key_size != ti.key_size ||
	    fi.value_size != ti.value_size)
		return -EPROTO;
	vlen = fi.value_size;
	if (dp_map_is_percpu(fi.type))
		vlen = ((vlen + 7) & ~(size_t)7) * libbpf_num_possible_cpus();
	val = XMALLOC(MTYPE_EBPF_MIGRATE, vlen);
	if (dp_map_is_array(fi.type))
		dp_migrate_array(from, to, &fi, &ti, val, vlen, res);
	else
		dp_migrate_keyed(from, to, &fi, val, res);
	XFREE(MTYPE_EBPF_MIGRATE, val);
	return 0;
}
