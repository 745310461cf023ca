/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin's CLI: the `ebpf` configuration node (commands edit the
 * frr-zebra-ebpf YANG model; dp_nb_config.c acts on it) and the show commands,
 * which read the pinned maps directly so they show what the datapath sees.
 */
#include <zebra.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/neighbour.h>

#include "command.h"
#include "if.h"
#include "json.h"
#include "log.h"
#include "memory.h"
#include "northbound_cli.h"
#include "prefix.h"
#include "vrf.h"
#include "vty.h"

#include "dp_abi.h"
#include "dp_intf.h"
#include "dp_maps.h"
#include "dp_nb.h"
#include "dp_plugin.h"
#include "dp_stats.h"
#include "dp_vty.h"
#ifndef VTYSH_EXTRACT_PL
#include "dp_vty_clippy.c"
#endif

DEFINE_MTYPE_STATIC(EBPF, DP_SHOW, "eBPF show buffers");

#define EBPF_STR "eBPF dataplane\n"

/* ------------------------------------------------------------ map access */

/*
 * Every show command reads maps through these helpers: a map "view" knows
 * the map's key and value sizes, and sums per-CPU values (all per-CPU maps
 * of the ABI hold only __u64 counters) so callers always get one value.
 * Before Linux 6.5 even reading a map by fd needs CAP_BPF or CAP_SYS_ADMIN
 * when unprivileged BPF is disabled, hence the privileges around bpf().
 */
struct dp_map_view {
	int fd;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	bool percpu;
	int ncpus;
	uint8_t *cpu_values; /* lookup buffer of a per-CPU map */
};

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
};

/* A per-CPU value occupies a multiple of 8 bytes per CPU. */
static size_t dp_map_cpu_stride(const struct dp_map_view *v)
{
	return (v->value_size + 7) & ~(size_t)7;
}

static int dp_map_view_open(enum dp_map_id id, struct dp_map_view *v)
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
		v->cpu_values =
			XCALLOC(MTYPE_DP_SHOW, dp_map_cpu_stride(v) * v->ncpus);
	}
	return 0;
}

static void dp_map_view_close(struct dp_map_view *v)
{
	XFREE(MTYPE_DP_SHOW, v->cpu_values);
}

/* Value of one entry (value_size bytes), per-CPU values summed. */
static int dp_map_view_lookup(struct dp_map_view *v, const void *key,
			      void *value)
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

/* Called per entry; value is NULL for a key-only walk. false stops. */
typedef bool (*dp_map_walk_cb)(const void *key, const void *value, void *arg);

/*
 * Visit the entries of a map in key order (bpf_map_get_next_key). Returns
 * the number of entries visited or -errno. At most max_entries keys are
 * visited: a hash walk restarts from its first key when the current one is
 * deleted meanwhile, and must not loop.
 */
static long dp_map_view_walk(struct dp_map_view *v, bool with_values,
			     dp_map_walk_cb cb, void *arg)
{
	uint8_t *key, *next, *value = NULL;
	long n = 0;
	int err = 0;

	key = XCALLOC(MTYPE_DP_SHOW, v->key_size);
	next = XCALLOC(MTYPE_DP_SHOW, v->key_size);
	if (with_values)
		value = XCALLOC(MTYPE_DP_SHOW, v->value_size);

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

	XFREE(MTYPE_DP_SHOW, key);
	XFREE(MTYPE_DP_SHOW, next);
	XFREE(MTYPE_DP_SHOW, value);
	return err ? err : n;
}

static long dp_map_walk(enum dp_map_id id, bool with_values, dp_map_walk_cb cb,
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

/* One entry by key (per-CPU values summed). */
static int dp_map_lookup(enum dp_map_id id, const void *key, void *value)
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

/* Zero every value of a per-CPU counter map. */
static int dp_map_zero(enum dp_map_id id)
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

/* Growable array of fixed-size records, for sorting what a walk found. */
struct dp_records {
	uint8_t *data;
	size_t size; /* bytes per record */
	size_t count;
	size_t alloc;
};

static void *dp_records_add(struct dp_records *r)
{
	if (r->count == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 64;
		r->data = XREALLOC(MTYPE_DP_SHOW, r->data, r->alloc * r->size);
	}
	return memset(r->data + r->count++ * r->size, 0, r->size);
}

static void *dp_records_get(const struct dp_records *r, size_t i)
{
	return r->data + i * r->size;
}

static void dp_records_sort(struct dp_records *r,
			    int (*cmp)(const void *, const void *))
{
	if (r->count > 1)
		qsort(r->data, r->count, r->size, cmp);
}

static void dp_records_free(struct dp_records *r)
{
	XFREE(MTYPE_DP_SHOW, r->data);
}

/* ------------------------------------------------------- output helpers */

static int dp_show_not_loaded(struct vty *vty, bool uj)
{
	if (uj)
		vty_out(vty, "{}\n");
	else
		vty_out(vty, "%% eBPF dataplane not loaded\n");
	return CMD_WARNING;
}

static const char *dp_map_strerror(long err)
{
	if (err == -EPROTO)
		return "layout differs from this plugin's map ABI";
	return safe_strerror((int)-err);
}

static int dp_show_map_error(struct vty *vty, enum dp_map_id id, long err)
{
	vty_out(vty, "%% Cannot read %s: %s\n", dp_map_name(id),
		dp_map_strerror(err));
	return CMD_WARNING;
}

static const char *dp_ifname(uint32_t ifindex)
{
	return ifindex2ifname(ifindex, VRF_DEFAULT);
}

static const char *dp_nud_name(uint16_t state)
{
	switch (state) {
	case NUD_NONE:
		return "none";
	case NUD_INCOMPLETE:
		return "incomplete";
	case NUD_REACHABLE:
		return "reachable";
	case NUD_STALE:
		return "stale";
	case NUD_DELAY:
		return "delay";
	case NUD_PROBE:
		return "probe";
	case NUD_FAILED:
		return "failed";
	case NUD_NOARP:
		return "noarp";
	case NUD_PERMANENT:
		return "permanent";
	}
	return "other";
}

/* A 6-byte MAC in the ABI's layout, for printfrr's %pEA. */
static const struct ethaddr *dp_mac(const uint8_t *mac)
{
	return (const struct ethaddr *)mac;
}

/* ------------------------------------------------ configuration: `ebpf` */

static int dp_config_write(struct vty *vty);

static struct cmd_node ebpf_node = {
	.name = "ebpf",
	.node = EBPF_NODE,
	.parent_node = CONFIG_NODE,
	.prompt = "%s(config-ebpf)# ",
	.config_write = dp_config_write,
};

/* vtysh enters the node with its own DEFUNSH `ebpf` (vtysh/), hence NOSH. */
DEFPY_YANG_NOSH(ebpf_enter, ebpf_enter_cmd,
		"ebpf",
		EBPF_STR)
{
	int ret;

	nb_cli_enqueue_change(vty, DP_NB_XPATH_EBPF, NB_OP_CREATE, NULL);
	ret = nb_cli_apply_changes(vty, NULL);
	if (ret == CMD_SUCCESS)
		VTY_PUSH_XPATH(EBPF_NODE, DP_NB_XPATH_EBPF);
	return ret;
}

DEFPY_YANG(no_ebpf, no_ebpf_cmd,
	   "no ebpf",
	   NO_STR
	   EBPF_STR)
{
	nb_cli_enqueue_change(vty, DP_NB_XPATH_EBPF, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(ebpf_interface, ebpf_interface_cmd,
	   "[no] interface IFNAME$ifname [mode <xdp|tc>$mode]",
	   NO_STR
	   "Run the datapath on an interface\n"
	   "Interface name\n"
	   "Attachment mode\n"
	   "Native XDP fast path with TC ingress behind it (default)\n"
	   "TC ingress only\n")
{
	char xpath[XPATH_MAXLEN];

	snprintf(xpath, sizeof(xpath), "./interface[name='%s']", ifname);
	if (no) {
		nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	} else {
		nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
		/* No mode given: back to the default. */
		strlcat(xpath, "/mode", sizeof(xpath));
		nb_cli_enqueue_change(vty, xpath, NB_OP_MODIFY, mode);
	}
	return nb_cli_apply_changes(vty, NULL);
}

static int dp_config_write(struct vty *vty)
{
	const struct lyd_node *dnode;

	dnode = yang_dnode_get(running_config->dnode, DP_NB_XPATH_EBPF);
	if (!dnode)
		return 0;
	nb_cli_show_dnode_cmds(vty, dnode, false);
	return 1;
}

void dp_cli_show_ebpf(struct vty *vty, const struct lyd_node *dnode,
		      bool show_defaults)
{
	vty_out(vty, "ebpf\n");
}

void dp_cli_show_ebpf_end(struct vty *vty, const struct lyd_node *dnode)
{
	vty_out(vty, "exit\n");
}

void dp_cli_show_interface(struct vty *vty, const struct lyd_node *dnode,
			   bool show_defaults)
{
	const char *mode = yang_dnode_get_string(dnode, "./mode");

	vty_out(vty, " interface %s", yang_dnode_get_string(dnode, "./name"));
	if (show_defaults ||
	    !strmatch(mode,
		      yang_get_default_string(DP_NB_XPATH_INTERFACE "/mode")))
		vty_out(vty, " mode %s", mode);
	vty_out(vty, "\n");
}

int dp_cli_cmp_interface(const struct lyd_node *dnode1,
			 const struct lyd_node *dnode2)
{
	return if_cmp_name_func(yang_dnode_get_string(dnode1, "./name"),
				yang_dnode_get_string(dnode2, "./name"));
}

/* ---------------------------------------------- show ebpf dataplane */

static const struct {
	const char *text;
	const char *json;
	size_t offset;
} dp_plugin_counters[] = {
#define DP_COUNTER(field, text, json)                                          \
	{ text, json, offsetof(struct dp_plugin_stats, field) }
	DP_COUNTER(ctx_in, "dplane contexts received", "ctxIn"),
	DP_COUNTER(ctx_ignored, "dplane contexts ignored", "ctxIgnored"),
	DP_COUNTER(route_add, "routes written", "routeAdd"),
	DP_COUNTER(route_del, "routes deleted", "routeDel"),
	DP_COUNTER(route_fail, "route writes failed", "routeFail"),
	DP_COUNTER(route_skip_vrf, "routes skipped: other table",
		   "routeSkipVrf"),
	DP_COUNTER(route_skip_nh, "routes skipped: no usable nexthop",
		   "routeSkipNh"),
	DP_COUNTER(nhg_add, "nexthop groups written", "nhgAdd"),
	DP_COUNTER(nhg_del, "nexthop groups deleted", "nhgDel"),
	DP_COUNTER(nhg_fail, "nexthop group writes failed", "nhgFail"),
	DP_COUNTER(nhg_truncated, "nexthop groups truncated", "nhgTruncated"),
	DP_COUNTER(neigh_add, "neighbors written", "neighAdd"),
	DP_COUNTER(neigh_del, "neighbors deleted", "neighDel"),
	DP_COUNTER(neigh_fail, "neighbor writes failed", "neighFail"),
	DP_COUNTER(nl_events, "netlink messages", "nlEvents"),
	DP_COUNTER(nl_errors, "netlink errors", "nlErrors"),
	DP_COUNTER(resyncs, "full resynchronisations", "resyncs"),
#undef DP_COUNTER
};

static uint64_t dp_plugin_counter(size_t offset)
{
	_Atomic uint64_t *p = (_Atomic uint64_t *)((char *)&dp_stats + offset);

	return atomic_load_explicit(p, memory_order_relaxed);
}

static void dp_show_maps(struct vty *vty, json_object *json)
{
	json_object *jmaps = NULL;

	if (json) {
		jmaps = json_object_new_object();
		json_object_object_add(json, "maps", jmaps);
	} else {
		vty_out(vty, "\n%-20s %12s %12s\n", "Map", "Max entries",
			"Entries");
	}

	for (int id = 0; id < DP_MAP_MAX; id++) {
		long n = dp_map_walk(id, false, NULL, NULL);

		if (jmaps) {
			json_object *jmap = json_object_new_object();

			json_object_int_add(jmap, "maxEntries",
					    dp_map_max_entries(id));
			if (n >= 0)
				json_object_int_add(jmap, "entries", n);
			else
				json_object_string_add(jmap, "error",
						       dp_map_strerror(n));
			json_object_object_add(jmaps, dp_map_name(id), jmap);
		} else if (n >= 0) {
			vty_out(vty, "%-20s %12u %12ld\n", dp_map_name(id),
				dp_map_max_entries(id), n);
		} else {
			vty_out(vty, "%-20s %12u %12s (%s)\n", dp_map_name(id),
				dp_map_max_entries(id), "-",
				dp_map_strerror(n));
		}
	}
}

DEFPY(show_ebpf_dataplane, show_ebpf_dataplane_cmd,
      "show ebpf dataplane [json$uj]",
      SHOW_STR
      EBPF_STR
      "Programs, maps and plugin counters\n"
      JSON_STR)
{
	json_object *json = uj ? json_object_new_object() : NULL;
	json_object *jcnt = NULL;
	bool ready = dp_maps_ready();
	uint32_t key = 0;
	struct dp_meta meta = {};
	int meta_err = -ENOENT;

	if (ready)
		meta_err = dp_map_lookup(DP_MAP_META, &key, &meta);

	if (json) {
		json_object_boolean_add(json, "loaded", ready);
		json_object_int_add(json, "pluginAbiVersion", DP_ABI_VERSION);
		if (ready) {
			json_object_string_add(json, "pinDir", dp_pin_dir());
			if (!meta_err)
				json_object_int_add(json, "abiVersion",
						    meta.abi_version);
			json_object_int_add(json, "xdpProgId",
					    dp_prog_id_xdp());
			json_object_int_add(json, "tcProgId", dp_prog_id_tc());
			dp_show_maps(vty, json);
		}
		jcnt = json_object_new_object();
		json_object_object_add(json, "counters", jcnt);
	} else if (!ready) {
		vty_out(vty, "%% eBPF dataplane not loaded\n");
	} else {
		vty_out(vty, "eBPF dataplane\n");
		vty_out(vty, "  Pin directory:   %s\n", dp_pin_dir());
		if (meta_err)
			vty_out(vty, "  Map ABI version: unknown (plugin %u)\n",
				DP_ABI_VERSION);
		else
			vty_out(vty, "  Map ABI version: %u (plugin %u)\n",
				meta.abi_version, DP_ABI_VERSION);
		vty_out(vty, "  XDP program id:  %u\n", dp_prog_id_xdp());
		vty_out(vty, "  TC program id:   %u\n", dp_prog_id_tc());
		dp_show_maps(vty, NULL);
	}

	if (!json)
		vty_out(vty, "\nPlugin counters\n");
	for (size_t i = 0; i < array_size(dp_plugin_counters); i++) {
		uint64_t val = dp_plugin_counter(dp_plugin_counters[i].offset);

		if (jcnt)
			json_object_int_add(jcnt, dp_plugin_counters[i].json,
					    val);
		else
			vty_out(vty, "  %-36s %" PRIu64 "\n",
				dp_plugin_counters[i].text, val);
	}

	if (json)
		return vty_json(vty, json);
	return CMD_SUCCESS;
}

/* ---------------------------------------------- show ebpf interface */

struct dp_show_intf_ctx {
	struct vty *vty;
	json_object *json;
	const char *ifname; /* only this one, or all when NULL */
	bool found;
	bool have_stats;
	struct dp_map_view stats; /* intf_stats_map */
};

/* Ingress counters of an interface; false when unavailable. */
static bool dp_intf_counters(struct dp_show_intf_ctx *ctx,
			     const struct dp_intf_info *info,
			     struct dp_intf_stats *st)
{
	return ctx->have_stats &&
	       dp_map_view_lookup(&ctx->stats, &info->stats_idx, st) == 0;
}

static void dp_show_intf_json(struct dp_show_intf_ctx *ctx,
			      const struct dp_intf_info *info)
{
	json_object *j = json_object_new_object();
	struct dp_intf_stats st;

	json_object_string_add(j, "mode", dp_mode_name(info->mode));
	json_object_int_add(j, "ifindex", info->ifindex);
	json_object_boolean_add(j, "present", info->ifindex != 0);
	json_object_boolean_add(j, "operUp", info->oper_up);
	json_object_boolean_add(j, "xdpAttached", info->xdp_attached);
	json_object_boolean_add(j, "tcAttached", info->tc_attached);
	json_object_string_addf(j, "mac", "%pEA", dp_mac(info->mac));
	json_object_int_add(j, "mtu", info->mtu);
	json_object_int_add(j, "statsIndex", info->stats_idx);
	if (dp_intf_counters(ctx, info, &st)) {
		json_object_int_add(j, "rxPackets", st.rx_packets);
		json_object_int_add(j, "rxBytes", st.rx_bytes);
		json_object_int_add(j, "fwdPackets", st.fwd_packets);
		json_object_int_add(j, "fwdBytes", st.fwd_bytes);
		json_object_int_add(j, "passPackets", st.pass_packets);
	}
	json_object_object_add(ctx->json, info->name, j);
}

static void dp_show_intf_text(struct dp_show_intf_ctx *ctx,
			      const struct dp_intf_info *info)
{
	struct vty *vty = ctx->vty;
	struct dp_intf_stats st;

	if (!info->ifindex) {
		vty_out(vty, "Interface %s, mode %s: not present\n", info->name,
			dp_mode_name(info->mode));
		return;
	}
	vty_out(vty, "Interface %s (ifindex %d), mode %s, %s\n", info->name,
		info->ifindex, dp_mode_name(info->mode),
		info->oper_up ? "up" : "down");
	vty_out(vty, "  Attached: XDP %s, TC %s\n",
		info->xdp_attached ? "yes" : "no",
		info->tc_attached ? "yes" : "no");
	vty_out(vty, "  MAC %pEA, MTU %u, stats slot %u\n", dp_mac(info->mac),
		info->mtu, info->stats_idx);
	if (dp_intf_counters(ctx, info, &st))
		vty_out(vty,
			"  Received %" PRIu64 " packets (%" PRIu64
			" bytes), forwarded %" PRIu64 " (%" PRIu64
			" bytes), passed to kernel %" PRIu64 "\n",
			st.rx_packets, st.rx_bytes, st.fwd_packets,
			st.fwd_bytes, st.pass_packets);
}

static void dp_show_intf_cb(const struct dp_intf_info *info, void *arg)
{
	struct dp_show_intf_ctx *ctx = arg;

	if (ctx->ifname && !strmatch(ctx->ifname, info->name))
		return;
	ctx->found = true;
	if (ctx->json)
		dp_show_intf_json(ctx, info);
	else
		dp_show_intf_text(ctx, info);
}

DEFPY(show_ebpf_interface, show_ebpf_interface_cmd,
      "show ebpf interface [IFNAME$ifname] [json$uj]",
      SHOW_STR
      EBPF_STR
      "Interfaces running the datapath\n"
      "Interface name\n"
      JSON_STR)
{
	struct dp_show_intf_ctx ctx = {
		.vty = vty,
		.ifname = ifname,
		.json = uj ? json_object_new_object() : NULL,
	};

	/* Configuration and state come from the plugin; only the counters
	 * need the maps. */
	ctx.have_stats = dp_maps_ready() &&
			 dp_map_view_open(DP_MAP_INTF_STATS, &ctx.stats) == 0;
	dp_intf_foreach(dp_show_intf_cb, &ctx);
	dp_map_view_close(&ctx.stats);

	if (ctx.json)
		return vty_json(vty, ctx.json);
	if (ifname && !ctx.found) {
		vty_out(vty, "%% Interface %s is not configured under ebpf\n",
			ifname);
		return CMD_WARNING;
	}
	if (!ctx.found)
		vty_out(vty, "No interface configured under ebpf\n");
	return CMD_SUCCESS;
}

/* -------------------------------------------------- show ebpf route */

struct dp_route {
	uint8_t family;
	uint8_t prefixlen;
	uint8_t addr[16]; /* network byte order */
	struct dp_rt_val val;
};

/* Address order, then shorter prefix first, like `show ip route`. */
static int dp_route_cmp(const void *a, const void *b)
{
	const struct dp_route *ra = a, *rb = b;
	int c;

	if (ra->family != rb->family)
		return ra->family == AF_INET ? -1 : 1;
	c = memcmp(ra->addr, rb->addr, sizeof(ra->addr));
	if (c)
		return c;
	return (int)ra->prefixlen - (int)rb->prefixlen;
}

/* A route from its rt_v4_map / rt_v6_map key. */
static void dp_route_from_key(struct dp_route *r, int family, const void *key)
{
	r->family = family;
	if (family == AF_INET) {
		const struct dp_rt4_key *k = key;

		r->prefixlen = k->prefixlen;
		memcpy(r->addr, &k->addr, sizeof(k->addr));
	} else {
		const struct dp_rt6_key *k = key;

		r->prefixlen = k->prefixlen;
		memcpy(r->addr, k->addr, sizeof(k->addr));
	}
}

static void dp_route_prefix(const struct dp_route *r, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = r->family;
	p->prefixlen = r->prefixlen;
	memcpy(&p->u.prefix, r->addr,
	       r->family == AF_INET ? IPV4_MAX_BYTELEN : IPV6_MAX_BYTELEN);
}

struct dp_route_walk {
	int family;
	struct dp_records *out;	      /* collect everything, or */
	const struct dp_route *match; /* find this exact prefix */
	bool found;
};

static bool dp_route_walk_cb(const void *key, const void *value, void *arg)
{
	struct dp_route_walk *w = arg;
	struct dp_route r = {};

	dp_route_from_key(&r, w->family, key);
	memcpy(&r.val, value, sizeof(r.val));
	if (w->out) {
		memcpy(dp_records_add(w->out), &r, sizeof(r));
		return true;
	}
	if (dp_route_cmp(&r, w->match))
		return true;
	memcpy(&((struct dp_route *)w->match)->val, &r.val, sizeof(r.val));
	w->found = true;
	return false;
}

static void dp_show_route_one(struct vty *vty, json_object *json,
			      const struct dp_route *r)
{
	const struct dp_rt_val *v = &r->val;
	struct prefix p;
	char pfx[PREFIX_STRLEN];
	char type[64];

	dp_route_prefix(r, &p);
	prefix2str(&p, pfx, sizeof(pfx));

	if (json) {
		json_object *j = json_object_new_object();

		switch (v->type) {
		case DP_RT_NHG:
			json_object_string_add(j, "type", "nhg");
			json_object_int_add(j, "nhgId", v->nhg_id);
			break;
		case DP_RT_CONNECTED:
			json_object_string_add(j, "type", "connected");
			json_object_string_add(j, "interface",
					       dp_ifname(v->ifindex));
			json_object_int_add(j, "ifindex", v->ifindex);
			break;
		case DP_RT_LOCAL:
			json_object_string_add(j, "type", "local");
			break;
		case DP_RT_SPECIAL:
			json_object_string_add(j, "type", "special");
			break;
		default:
			json_object_string_add(j, "type", "unknown");
			json_object_int_add(j, "typeValue", v->type);
			break;
		}
		json_object_object_add(json, pfx, j);
		return;
	}

	switch (v->type) {
	case DP_RT_NHG:
		snprintf(type, sizeof(type), "nhg %u", v->nhg_id);
		break;
	case DP_RT_CONNECTED:
		snprintf(type, sizeof(type), "connected %s",
			 dp_ifname(v->ifindex));
		break;
	case DP_RT_LOCAL:
		snprintf(type, sizeof(type), "local");
		break;
	case DP_RT_SPECIAL:
		snprintf(type, sizeof(type), "special");
		break;
	default:
		snprintf(type, sizeof(type), "unknown (%u)", v->type);
		break;
	}
	vty_out(vty, "%-43s %s\n", pfx, type);
}

static int dp_show_route_exact(struct vty *vty, json_object *json,
			       const struct prefix *p)
{
	struct prefix pm;
	struct dp_route r = {};
	struct dp_route_walk w = {.match = &r};
	enum dp_map_id id;
	long n;

	prefix_copy(&pm, p);
	apply_mask(&pm);
	r.family = pm.family;
	r.prefixlen = pm.prefixlen;
	memcpy(r.addr, &pm.u.prefix,
	       pm.family == AF_INET ? IPV4_MAX_BYTELEN : IPV6_MAX_BYTELEN);

	/* An LPM lookup would return a covering prefix too: walk for the
	 * exact key instead. */
	id = pm.family == AF_INET ? DP_MAP_RT4 : DP_MAP_RT6;
	w.family = pm.family;
	n = dp_map_walk(id, true, dp_route_walk_cb, &w);
	if (n < 0) {
		json_object_free(json);
		return dp_show_map_error(vty, id, n);
	}

	if (w.found)
		dp_show_route_one(vty, json, &r);
	if (json)
		return vty_json(vty, json);
	if (!w.found) {
		vty_out(vty, "%% Route %pFX not found\n", &pm);
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

DEFPY(show_ebpf_route, show_ebpf_route_cmd,
      "show ebpf route [<ipv4$v4|ipv6$v6|A.B.C.D/M$p4|X:X::X:X/M$p6>] [json$uj]",
      SHOW_STR
      EBPF_STR
      "Routes in the datapath FIB (rt_v4_map, rt_v6_map)\n"
      "IPv4 routes\n"
      "IPv6 routes\n"
      "IPv4 prefix (exact match)\n"
      "IPv6 prefix (exact match)\n"
      JSON_STR)
{
	json_object *json = uj ? json_object_new_object() : NULL;
	struct dp_records routes = {.size = sizeof(struct dp_route)};
	const int families[] = {AF_INET, AF_INET6};

	if (!dp_maps_ready()) {
		json_object_free(json);
		return dp_show_not_loaded(vty, !!uj);
	}
	if (p4_str)
		return dp_show_route_exact(vty, json,
					   (const struct prefix *)p4);
	if (p6_str)
		return dp_show_route_exact(vty, json,
					   (const struct prefix *)p6);

	for (size_t i = 0; i < array_size(families); i++) {
		int family = families[i];
		enum dp_map_id id = family == AF_INET ? DP_MAP_RT4 : DP_MAP_RT6;
		struct dp_route_walk w = {.family = family, .out = &routes};
		long n;

		if ((v4 && family != AF_INET) || (v6 && family != AF_INET6))
			continue;
		n = dp_map_walk(id, true, dp_route_walk_cb, &w);
		if (n < 0) {
			dp_records_free(&routes);
			json_object_free(json);
			return dp_show_map_error(vty, id, n);
		}
	}
	dp_records_sort(&routes, dp_route_cmp);

	if (!json)
		vty_out(vty, "%-43s %s\n", "Prefix", "Type");
	for (size_t i = 0; i < routes.count; i++)
		dp_show_route_one(vty, json, dp_records_get(&routes, i));
	dp_records_free(&routes);

	if (json)
		return vty_json(vty, json);
	return CMD_SUCCESS;
}

/* ------------------------------------------ show ebpf nexthop-group */

static int dp_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool dp_collect_u32_key_cb(const void *key, const void *value, void *arg)
{
	memcpy(dp_records_add(arg), key, sizeof(uint32_t));
	return true;
}

static void dp_path_gateway(const struct dp_path *path, char *buf, size_t len)
{
	int family = (path->flags & DP_PATH_F_GW6) ? AF_INET6 : AF_INET;

	if (!(path->flags & DP_PATH_F_GW))
		strlcpy(buf, "", len);
	else if (!inet_ntop(family, path->gw, buf, len))
		strlcpy(buf, "?", len);
}

static void dp_show_nhg(struct vty *vty, json_object *json, uint32_t id,
			const struct dp_nhg *nhg)
{
	unsigned int owned[DP_NHG_MAX_PATHS] = {};
	unsigned int n_paths = MIN(nhg->n_paths, DP_NHG_MAX_PATHS);
	unsigned int orphans = 0;
	json_object *jnhg = NULL, *jpaths = NULL;

	/* How many of the resilient-hash buckets each path owns. */
	for (int b = 0; b < DP_NHG_BUCKETS; b++) {
		if (nhg->bucket[b] < n_paths)
			owned[nhg->bucket[b]]++;
		else
			orphans++;
	}

	if (json) {
		jnhg = json_object_new_object();
		jpaths = json_object_new_array();
		json_object_int_add(jnhg, "paths", nhg->n_paths);
		json_object_int_add(jnhg, "seq", nhg->seq);
		if (n_paths)
			json_object_int_add(jnhg, "bucketsWithoutPath",
					    orphans);
		json_object_object_add(jnhg, "pathList", jpaths);
		json_object_object_addf(json, jnhg, "%u", id);
	} else if (!n_paths) {
		vty_out(vty,
			"Nexthop group %u: no paths, passed to the kernel (seq %u)\n",
			id, nhg->seq);
		return;
	} else {
		vty_out(vty, "Nexthop group %u: %u path%s (seq %u)\n", id,
			n_paths, n_paths == 1 ? "" : "s", nhg->seq);
	}

	for (unsigned int i = 0; i < n_paths; i++) {
		const struct dp_path *path = &nhg->paths[i];
		bool resolved = path->flags & DP_PATH_F_RESOLVED;
		char gw[INET6_ADDRSTRLEN];

		dp_path_gateway(path, gw, sizeof(gw));
		if (jpaths) {
			json_object *jp = json_object_new_object();

			json_object_string_add(jp, "interface",
					       dp_ifname(path->ifindex));
			json_object_int_add(jp, "ifindex", path->ifindex);
			if (gw[0])
				json_object_string_add(jp, "gateway", gw);
			json_object_boolean_add(jp, "resolved", resolved);
			if (resolved) {
				json_object_string_addf(jp, "dmac", "%pEA",
							dp_mac(path->dmac));
				json_object_string_addf(jp, "smac", "%pEA",
							dp_mac(path->smac));
			}
			json_object_int_add(jp, "mtu", path->mtu);
			json_object_int_add(jp, "buckets", owned[i]);
			json_object_array_add(jpaths, jp);
			continue;
		}
		if (gw[0])
			vty_out(vty, "  path %u: via %s dev %s", i, gw,
				dp_ifname(path->ifindex));
		else
			vty_out(vty, "  path %u: dev %s (on-link)", i,
				dp_ifname(path->ifindex));
		if (resolved)
			vty_out(vty, ", dmac %pEA", dp_mac(path->dmac));
		else
			vty_out(vty, ", unresolved");
		vty_out(vty, ", mtu %u, %u/%u buckets\n", path->mtu, owned[i],
			DP_NHG_BUCKETS);
	}
	if (!json && orphans)
		vty_out(vty, "  %u/%u buckets name no path\n", orphans,
			DP_NHG_BUCKETS);
}

DEFPY(show_ebpf_nexthop_group, show_ebpf_nexthop_group_cmd,
      "show ebpf nexthop-group [(1-4294967295)$id] [json$uj]",
      SHOW_STR
      EBPF_STR
      "Nexthop groups in the datapath (nh_map)\n"
      "Nexthop group id\n"
      JSON_STR)
{
	json_object *json = uj ? json_object_new_object() : NULL;
	struct dp_records ids = {.size = sizeof(uint32_t)};
	struct dp_nhg *nhg;
	int ret = CMD_SUCCESS;
	long n;

	if (!dp_maps_ready()) {
		json_object_free(json);
		return dp_show_not_loaded(vty, !!uj);
	}

	if (id_str) {
		*(uint32_t *)dp_records_add(&ids) = id;
	} else {
		/* Sorted ids first: values are too big to collect. */
		n = dp_map_walk(DP_MAP_NH, false, dp_collect_u32_key_cb, &ids);
		if (n < 0) {
			json_object_free(json);
			return dp_show_map_error(vty, DP_MAP_NH, n);
		}
		dp_records_sort(&ids, dp_u32_cmp);
	}

	nhg = XCALLOC(MTYPE_DP_SHOW, sizeof(*nhg));
	for (size_t i = 0; i < ids.count; i++) {
		uint32_t key = *(uint32_t *)dp_records_get(&ids, i);

		if (dp_map_lookup(DP_MAP_NH, &key, nhg) == 0)
			dp_show_nhg(vty, json, key, nhg);
		else if (id_str && !json) {
			vty_out(vty, "%% Nexthop group %u not found\n", key);
			ret = CMD_WARNING;
		}
	}
	XFREE(MTYPE_DP_SHOW, nhg);
	dp_records_free(&ids);

	if (json)
		return vty_json(vty, json);
	return ret;
}

/* ----------------------------------------------- show ebpf neighbor */

struct dp_neigh {
	struct dp_neigh_key key;
	struct dp_neigh_val val;
};

static int dp_neigh_cmp(const void *a, const void *b)
{
	const struct dp_neigh_key *ka = a, *kb = b;

	if (ka->ifindex != kb->ifindex)
		return ka->ifindex < kb->ifindex ? -1 : 1;
	if (ka->family != kb->family)
		return ka->family == AF_INET ? -1 : 1;
	return memcmp(ka->addr, kb->addr, sizeof(ka->addr));
}

static bool dp_collect_neigh_cb(const void *key, const void *value, void *arg)
{
	struct dp_neigh *n = dp_records_add(arg);

	memcpy(&n->key, key, sizeof(n->key));
	memcpy(&n->val, value, sizeof(n->val));
	return true;
}

DEFPY(show_ebpf_neighbor, show_ebpf_neighbor_cmd,
      "show ebpf neighbor [json$uj]",
      SHOW_STR
      EBPF_STR
      "Neighbors in the datapath (dmac_map)\n"
      JSON_STR)
{
	json_object *json = uj ? json_object_new_object() : NULL;
	struct dp_records neighs = {.size = sizeof(struct dp_neigh)};
	long n;

	if (!dp_maps_ready()) {
		json_object_free(json);
		return dp_show_not_loaded(vty, !!uj);
	}
	n = dp_map_walk(DP_MAP_DMAC, true, dp_collect_neigh_cb, &neighs);
	if (n < 0) {
		json_object_free(json);
		dp_records_free(&neighs);
		return dp_show_map_error(vty, DP_MAP_DMAC, n);
	}
	dp_records_sort(&neighs, dp_neigh_cmp);

	if (!json)
		vty_out(vty, "%-16s %-40s %-17s %s\n", "Interface", "Address",
			"MAC", "State");
	for (size_t i = 0; i < neighs.count; i++) {
		const struct dp_neigh *ne = dp_records_get(&neighs, i);
		const char *ifname = dp_ifname(ne->key.ifindex);
		char addr[INET6_ADDRSTRLEN];

		if (!inet_ntop(ne->key.family, ne->key.addr, addr,
			       sizeof(addr)))
			strlcpy(addr, "?", sizeof(addr));

		if (json) {
			json_object *jif, *jn = json_object_new_object();

			if (!json_object_object_get_ex(json, ifname, &jif)) {
				jif = json_object_new_object();
				json_object_object_add(json, ifname, jif);
			}
			json_object_int_add(jn, "ifindex", ne->key.ifindex);
			json_object_string_addf(jn, "mac", "%pEA",
						dp_mac(ne->val.dmac));
			json_object_string_add(jn, "state",
					       dp_nud_name(ne->val.state));
			json_object_object_add(jif, addr, jn);
		} else {
			vty_out(vty, "%-16s %-40s %pEA %s\n", ifname, addr,
				dp_mac(ne->val.dmac),
				dp_nud_name(ne->val.state));
		}
	}
	dp_records_free(&neighs);

	if (json)
		return vty_json(vty, json);
	return CMD_SUCCESS;
}

/* --------------------------------------------- show ebpf statistics */

static const struct {
	const char *text;
	const char *json;
} dp_reason_names[] = {
	[DP_R_FWD] = {"forwarded", "forwarded"},
	[DP_R_FWD_NEIGH] = {"forwarded: redirect-neigh", "forwardedNeigh"},
	[DP_R_PASS_NON_IP] = {"to-kernel: non-ip", "toKernelNonIp"},
	[DP_R_PASS_ARP] = {"to-kernel: arp", "toKernelArp"},
	[DP_R_PASS_ND] = {"to-kernel: nd", "toKernelNd"},
	[DP_R_PASS_NOT_ROUTER] = {"to-kernel: not-router-mac",
				  "toKernelNotRouterMac"},
	[DP_R_PASS_MCAST] = {"to-kernel: multicast", "toKernelMulticast"},
	[DP_R_PASS_LOCAL] = {"to-kernel: local", "toKernelLocal"},
	[DP_R_PASS_NO_ROUTE] = {"to-kernel: no-route", "toKernelNoRoute"},
	[DP_R_PASS_SPECIAL] = {"to-kernel: special-route",
			       "toKernelSpecialRoute"},
	[DP_R_PASS_NO_NEIGH] = {"to-kernel: no-neighbor", "toKernelNoNeighbor"},
	[DP_R_PASS_TTL] = {"to-kernel: ttl-expired", "toKernelTtlExpired"},
	[DP_R_PASS_IP_OPTIONS] = {"to-kernel: ip-options", "toKernelIpOptions"},
	[DP_R_PASS_MTU] = {"to-kernel: mtu-exceeded", "toKernelMtuExceeded"},
	[DP_R_PASS_MALFORMED] = {"to-kernel: malformed", "toKernelMalformed"},
	[DP_R_PASS_NO_NHG] = {"to-kernel: no-nexthop-group",
			      "toKernelNoNexthopGroup"},
	[DP_R_PASS_DISABLED] = {"to-kernel: interface-disabled",
				"toKernelInterfaceDisabled"},
};
_Static_assert(array_size(dp_reason_names) == DP_R_MAX,
	       "every enum dp_reason needs a name");

static void dp_show_reasons(struct vty *vty, json_object *json,
			    struct dp_map_view *stats)
{
	json_object *jr = NULL;

	if (json) {
		jr = json_object_new_object();
		json_object_object_add(json, "reasons", jr);
	} else {
		vty_out(vty, "%-30s %14s %16s %14s %16s\n", "Reason",
			"XDP packets", "XDP bytes", "TC packets", "TC bytes");
	}

	for (int r = 0; r < DP_R_MAX; r++) {
		struct dp_counter c[DP_HOOK_MAX] = {};

		for (int h = 0; h < DP_HOOK_MAX; h++) {
			uint32_t idx = DP_STATS_IDX(h, r);

			dp_map_view_lookup(stats, &idx, &c[h]);
		}
		if (jr) {
			json_object *j = json_object_new_object();

			json_object_int_add(j, "xdpPackets",
					    c[DP_HOOK_XDP].packets);
			json_object_int_add(j, "xdpBytes",
					    c[DP_HOOK_XDP].bytes);
			json_object_int_add(j, "tcPackets",
					    c[DP_HOOK_TC].packets);
			json_object_int_add(j, "tcBytes", c[DP_HOOK_TC].bytes);
			json_object_object_add(jr, dp_reason_names[r].json, j);
		} else {
			vty_out(vty,
				"%-30s %14" PRIu64 " %16" PRIu64 " %14" PRIu64
				" %16" PRIu64 "\n",
				dp_reason_names[r].text, c[DP_HOOK_XDP].packets,
				c[DP_HOOK_XDP].bytes, c[DP_HOOK_TC].packets,
				c[DP_HOOK_TC].bytes);
		}
	}
}

static void dp_show_intf_stats_cb(const struct dp_intf_info *info, void *arg)
{
	struct dp_show_intf_ctx *ctx = arg;
	struct dp_intf_stats st = {};

	dp_intf_counters(ctx, info, &st);
	if (ctx->json) {
		json_object *j = json_object_new_object();

		json_object_int_add(j, "rxPackets", st.rx_packets);
		json_object_int_add(j, "rxBytes", st.rx_bytes);
		json_object_int_add(j, "fwdPackets", st.fwd_packets);
		json_object_int_add(j, "fwdBytes", st.fwd_bytes);
		json_object_int_add(j, "passPackets", st.pass_packets);
		json_object_object_add(ctx->json, info->name, j);
		return;
	}
	vty_out(ctx->vty,
		"%-16s %14" PRIu64 " %16" PRIu64 " %14" PRIu64 " %16" PRIu64
		" %14" PRIu64 "\n",
		info->name, st.rx_packets, st.rx_bytes, st.fwd_packets,
		st.fwd_bytes, st.pass_packets);
}

DEFPY(show_ebpf_statistics, show_ebpf_statistics_cmd,
      "show ebpf statistics [json$uj]",
      SHOW_STR
      EBPF_STR
      "Datapath packet counters (stats_map, intf_stats_map)\n"
      JSON_STR)
{
	json_object *json = uj ? json_object_new_object() : NULL;
	struct dp_show_intf_ctx ictx = {.vty = vty};
	struct dp_map_view stats;
	int err;

	if (!dp_maps_ready()) {
		json_object_free(json);
		return dp_show_not_loaded(vty, !!uj);
	}
	err = dp_map_view_open(DP_MAP_STATS, &stats);
	if (err) {
		json_object_free(json);
		return dp_show_map_error(vty, DP_MAP_STATS, err);
	}
	dp_show_reasons(vty, json, &stats);
	dp_map_view_close(&stats);

	ictx.have_stats = dp_map_view_open(DP_MAP_INTF_STATS, &ictx.stats) == 0;
	if (json) {
		ictx.json = json_object_new_object();
		json_object_object_add(json, "interfaces", ictx.json);
	} else {
		vty_out(vty, "\n%-16s %14s %16s %14s %16s %14s\n", "Interface",
			"RX packets", "RX bytes", "Fwd packets", "Fwd bytes",
			"Passed");
	}
	dp_intf_foreach(dp_show_intf_stats_cb, &ictx);
	dp_map_view_close(&ictx.stats);

	if (json)
		return vty_json(vty, json);
	return CMD_SUCCESS;
}

DEFPY(clear_ebpf_statistics, clear_ebpf_statistics_cmd,
      "clear ebpf statistics",
      CLEAR_STR
      EBPF_STR
      "Datapath packet counters (stats_map, intf_stats_map)\n")
{
	const enum dp_map_id maps[] = {DP_MAP_STATS, DP_MAP_INTF_STATS};

	if (!dp_maps_ready())
		return dp_show_not_loaded(vty, false);
	for (size_t i = 0; i < array_size(maps); i++) {
		int err = dp_map_zero(maps[i]);

		if (err)
			return dp_show_map_error(vty, maps[i], err);
	}
	return CMD_SUCCESS;
}

/* ------------------------------------------------------------------ init */

void dp_vty_init(void)
{
	install_node(&ebpf_node);
	install_default(EBPF_NODE);
	install_element(CONFIG_NODE, &ebpf_enter_cmd);
	install_element(CONFIG_NODE, &no_ebpf_cmd);
	install_element(EBPF_NODE, &ebpf_interface_cmd);

	install_element(VIEW_NODE, &show_ebpf_dataplane_cmd);
	install_element(VIEW_NODE, &show_ebpf_interface_cmd);
	install_element(VIEW_NODE, &show_ebpf_route_cmd);
	install_element(VIEW_NODE, &show_ebpf_nexthop_group_cmd);
	install_element(VIEW_NODE, &show_ebpf_neighbor_cmd);
	install_element(VIEW_NODE, &show_ebpf_statistics_cmd);
	install_element(ENABLE_NODE, &clear_ebpf_statistics_cmd);
}
