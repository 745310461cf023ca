/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the pinned maps for the show and clear commands. Every read goes
 * through a map "view" that knows the map's key and value sizes and sums
 * per-CPU values (all per-CPU maps of the ABI hold only __u64 counters), so
 * callers always get one value. Before Linux 6.5 even reading a map by fd
 * needs CAP_BPF or CAP_SYS_ADMIN when unprivileged BPF is disabled, hence
 * the privileges around bpf().
 */
#include <zebra.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/memory.h"
#include "lib/privs.h"
#include "lib/vty.h"

#include "dp_abi.h"
#include "core/dp_boot.h"
#include "core/dp_plugin.h"
#include "maps/dp_mapdump.h"
#include "maps/dp_maps.h"

DEFINE_MTYPE_STATIC(EBPF, DP_MAPDUMP, "eBPF map reading buffers");

static bool dp_map_type_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/*
 * Key and value sizes the show commands read each map with. A map whose
 * layout differs (pins left by another ABI) is refused instead of being
 * read into structs of the wrong size. A map not listed is only counted.
 */
static const struct {
	uint32_t key_size;
	uint32_t value_size;
} dp_map_layout[DP_MAP_MAX] = {
	[DP_MAP_RT4] = {sizeof(struct dp_rt4_key), sizeof(struct dp_rt_val)},
	[DP_MAP_RT6] = {sizeof(struct dp_rt6_key), sizeof(struct dp_rt_val)},
	[DP_MAP_NH] = {sizeof(uint32_t), sizeof(struct dp_nhg)},
	[DP_MAP_DMAC] = {sizeof(struct dp_neigh_key),
			 sizeof(struct dp_neigh_val)},
	[DP_MAP_INTF] = {sizeof(uint32_t), sizeof(struct dp_intf)},
	[DP_MAP_STATS] = {sizeof(uint32_t), sizeof(struct dp_counter)},
	[DP_MAP_INTF_STATS] = {sizeof(uint32_t), sizeof(struct dp_intf_stats)},
	[DP_MAP_META] = {sizeof(uint32_t), sizeof(struct dp_meta)},
	[DP_MAP_LB_VIP] = {sizeof(struct dp_lb_vip_key),
			   sizeof(struct dp_lb_vip)},
	[DP_MAP_LB_VIP_BACKENDS] = {sizeof(uint32_t),
				    sizeof(struct dp_lb_vip_backends)},
	[DP_MAP_LB_BACKEND] = {sizeof(uint32_t), sizeof(struct dp_lb_backend)},
	[DP_MAP_LB_BE_STATS] = {sizeof(uint32_t),
				sizeof(struct dp_lb_backend_stats)},
	[DP_MAP_LB_BE_CONNS] = {sizeof(uint32_t), sizeof(uint64_t)},
	[DP_MAP_LB_PERSIST] = {sizeof(struct dp_lb_persist_key),
			       sizeof(struct dp_lb_persist)},
	[DP_MAP_CT4] = {sizeof(struct dp_ct4_key), sizeof(struct dp_ct_val)},
	[DP_MAP_CT6] = {sizeof(struct dp_ct_key), sizeof(struct dp_ct_val)},
	[DP_MAP_NAT_SRC] = {sizeof(struct dp_nat_src_key),
			    sizeof(struct dp_nat_src)},
	[DP_MAP_CT_FILTER] = {sizeof(uint32_t), sizeof(uint64_t)},
	[DP_MAP_FIB6_FILTER] = {sizeof(uint32_t), sizeof(uint64_t)},
	[DP_MAP_POLICER] = {sizeof(uint32_t), sizeof(struct dp_policer)},
	[DP_MAP_POLICER_STATE] = {sizeof(uint32_t),
				  sizeof(struct dp_policer_state)},
	[DP_MAP_POLICER_STATS] = {sizeof(uint32_t),
				  sizeof(struct dp_policer_stats)},
	[DP_MAP_POLICER_INTF] = {sizeof(uint32_t), sizeof(uint32_t)},
	[DP_MAP_POLICER_MATCH] = {sizeof(struct dp_police_match_key),
				  sizeof(struct dp_police_match)},
	[DP_MAP_POLICER_VIP] = {sizeof(uint32_t), sizeof(uint32_t)},
};

/* A per-CPU value occupies a multiple of 8 bytes per CPU. */
static size_t dp_map_cpu_stride(const struct dp_map_view *v)
{
	return (v->value_size + 7) & ~(size_t)7;
}

int dp_map_view_open(enum dp_map_id id, struct dp_map_view *v)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	memset(v, 0, sizeof(*v));
	v->fd = dp_map_fd(id);
	if (v->fd < 0)
		return -EBADF;
	frr_with_privs (dp_privs()) {
		if (bpf_obj_get_info_by_fd(v->fd, &info, &len))
			return -errno;
	}
	if (dp_map_layout[id].key_size &&
	    (info.key_size != dp_map_layout[id].key_size ||
	     info.value_size != dp_map_layout[id].value_size))
		return -EPROTO;

	v->key_size = info.key_size;
	v->value_size = info.value_size;
	v->max_entries = info.max_entries;
	v->percpu = dp_map_type_percpu(info.type);
	if (v->percpu) {
		v->ncpus = libbpf_num_possible_cpus();
		if (v->ncpus <= 0)
			return v->ncpus ? v->ncpus : -EINVAL;
		v->cpu_values = XCALLOC(MTYPE_DP_MAPDUMP,
					dp_map_cpu_stride(v) * v->ncpus);
	}
	return 0;
}

void dp_map_view_close(struct dp_map_view *v)
{
	XFREE(MTYPE_DP_MAPDUMP, v->cpu_values);
}

int dp_map_view_lookup(struct dp_map_view *v, const void *key, void *value)
{
	uint64_t *sum = value;
	size_t stride = dp_map_cpu_stride(v);

	frr_with_privs (dp_privs()) {
		if (bpf_map_lookup_elem(v->fd, key,
					v->percpu ? v->cpu_values : value))
			return -errno;
	}
	if (!v->percpu)
		return 0;

	memset(value, 0, v->value_size);
	for (int cpu = 0; cpu < v->ncpus; cpu++) {
		const uint64_t *cv = (void *)(v->cpu_values + cpu * stride);

		for (size_t i = 0; i < v->value_size / sizeof(uint64_t); i++)
			sum[i] += cv[i];
	}
	return 0;
}

/*
 * Visit the entries of a map in key order (bpf_map_get_next_key). Returns
 * the number of entries visited or -errno. At most max_entries keys are
 * visited: a hash walk restarts from its first key when the current one is
 * deleted meanwhile, and must not loop.
 */
long dp_map_view_walk(struct dp_map_view *v, bool with_values,
		      dp_map_walk_cb cb, void *arg)
{
	uint8_t *key, *next, *value = NULL;
	long n = 0;
	int err = 0;

	key = XCALLOC(MTYPE_DP_MAPDUMP, v->key_size);
	next = XCALLOC(MTYPE_DP_MAPDUMP, v->key_size);
	if (with_values)
		value = XCALLOC(MTYPE_DP_MAPDUMP, v->value_size);

	frr_with_privs (dp_privs()) {
		for (uint32_t visits = 0; visits < v->max_entries; visits++) {
			if (bpf_map_get_next_key(v->fd, visits ? key : NULL,
						 next)) {
				if (errno != ENOENT)
					err = -errno;
				break;
			}
			memcpy(key, next, v->key_size);
			if (with_values) {
				err = dp_map_view_lookup(v, key, value);
				if (err == -ENOENT) {
					/* deleted since get_next_key */
					err = 0;
					continue;
				}
				if (err)
					break;
			}
			n++;
			if (cb && !cb(key, value, arg))
				break;
		}
	}

	XFREE(MTYPE_DP_MAPDUMP, key);
	XFREE(MTYPE_DP_MAPDUMP, next);
	XFREE(MTYPE_DP_MAPDUMP, value);
	return err ? err : n;
}

long dp_map_walk(enum dp_map_id id, bool with_values, dp_map_walk_cb cb,
		 void *arg)
{
	struct dp_map_view v;
	long ret;

	ret = dp_map_view_open(id, &v);
	if (ret == 0)
		ret = dp_map_view_walk(&v, with_values, cb, arg);
	dp_map_view_close(&v);
	return ret;
}

int dp_map_lookup(enum dp_map_id id, const void *key, void *value)
{
	struct dp_map_view v;
	int ret;

	ret = dp_map_view_open(id, &v);
	if (ret == 0)
		ret = dp_map_view_lookup(&v, key, value);
	dp_map_view_close(&v);
	return ret;
}

struct dp_map_zero_ctx {
	struct dp_map_view *v;
	int err;
};

static bool dp_map_zero_cb(const void *key, const void *value, void *arg)
{
	struct dp_map_zero_ctx *ctx = arg;
	struct dp_map_view *v = ctx->v;

	memset(v->cpu_values, 0, dp_map_cpu_stride(v) * v->ncpus);
	if (bpf_map_update_elem(v->fd, key, v->cpu_values, BPF_EXIST))
		ctx->err = -errno;
	return ctx->err == 0;
}

int dp_map_zero(enum dp_map_id id)
{
	struct dp_map_view v;
	struct dp_map_zero_ctx ctx = {.v = &v};
	long ret;

	ret = dp_map_view_open(id, &v);
	if (ret == 0 && !v.percpu)
		ret = -EINVAL;
	if (ret == 0)
		ret = dp_map_view_walk(&v, false, dp_map_zero_cb, &ctx);
	dp_map_view_close(&v);
	if (ret < 0)
		return (int)ret;
	return ctx.err;
}

int dp_map_batch_open(enum dp_map_id id, struct dp_map_batch *b, uint32_t cap)
{
	struct dp_map_view v;
	int ret;

	memset(b, 0, sizeof(*b));
	ret = dp_map_view_open(id, &v);
	dp_map_view_close(&v);
	if (ret)
		return ret;
	b->fd = v.fd;
	b->key_size = v.key_size;
	b->value_size = v.value_size;
	b->cap = cap;
	b->keys = XCALLOC(MTYPE_DP_MAPDUMP, (size_t)cap * b->key_size);
	b->values = XCALLOC(MTYPE_DP_MAPDUMP, (size_t)cap * b->value_size);
	return 0;
}

long dp_map_batch_next(struct dp_map_batch *b)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t count = b->cap, out = 0;
	int ret = 0;

	if (b->done)
		return 0;
	frr_with_privs (dp_privs())
		ret = bpf_map_lookup_batch(b->fd, b->started ? &b->token : NULL,
					   &out, b->keys, b->values, &count,
					   &opts);
	if (ret && errno != ENOENT)
		return -errno;
	/* ENOENT: no entry after this batch (which may still hold some) */
	b->done = ret != 0;
	b->started = true;
	b->token = out;
	return count;
}

void dp_map_batch_rewind(struct dp_map_batch *b)
{
	b->started = b->done = false;
	b->token = 0;
}

void dp_map_batch_close(struct dp_map_batch *b)
{
	XFREE(MTYPE_DP_MAPDUMP, b->keys);
	XFREE(MTYPE_DP_MAPDUMP, b->values);
}

long dp_map_batch_walk(enum dp_map_id id, dp_map_walk_cb cb, void *arg)
{
	struct dp_map_batch b;
	long n, total = 0;
	int ret;

	ret = dp_map_batch_open(id, &b, 4096);
	if (ret) {
		dp_map_batch_close(&b);
		return ret;
	}
	do {
		n = dp_map_batch_next(&b);
		if (n < 0) {
			total = n;
			break;
		}
		for (long i = 0; i < n; i++) {
			total++;
			if (cb && !cb(b.keys + i * b.key_size,
				      b.values + i * b.value_size, arg))
				goto out;
		}
	} while (n && !b.done);
out:
	dp_map_batch_close(&b);
	return total;
}

int dp_show_not_loaded(struct vty *vty, bool uj)
{
	if (uj)
		vty_out(vty, "{}\n");
	else
		vty_out(vty, "%% eBPF dataplane not loaded: %s\n",
			dp_boot_error() ? dp_boot_error() : "see zebra's log");
	return CMD_WARNING;
}

int dp_show_bad_input(struct vty *vty, bool uj, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintfrr(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (uj) {
		json_object *json = json_object_new_object();

		json_object_string_add(json, "error", msg);
		vty_json(vty, json);
	} else {
		vty_out(vty, "%% %s\n", msg);
	}
	return CMD_WARNING;
}

int dp_show_map_error(struct vty *vty, enum dp_map_id id, long err)
{
	vty_out(vty, "%% Cannot read %s: %s\n", dp_map_name(id),
		dp_map_strerror(err));
	return CMD_WARNING;
}

void *dp_records_add(struct dp_records *r)
{
	if (r->count == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 64;
		r->data =
			XREALLOC(MTYPE_DP_MAPDUMP, r->data, r->alloc * r->size);
	}
	return memset(r->data + r->count++ * r->size, 0, r->size);
}

void *dp_records_get(const struct dp_records *r, size_t i)
{
	return r->data + i * r->size;
}

void dp_records_sort(struct dp_records *r,
		     int (*cmp)(const void *, const void *))
{
	if (r->count > 1)
		qsort(r->data, r->count, r->size, cmp);
}

void dp_records_free(struct dp_records *r)
{
	XFREE(MTYPE_DP_MAPDUMP, r->data);
}

const char *dp_map_strerror(long err)
{
	if (err == -EPROTO)
		return "layout differs from this plugin's map ABI";
	return safe_strerror((int)-err);
}
