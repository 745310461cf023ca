/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `show ebpf dataplane|interface|statistics` and `clear ebpf statistics`:
 * the datapath's programs, maps, interfaces and counters, and the helpers
 * every show command shares. Maps are read directly (dp_mapdump.c), so the
 * commands show what the datapath sees; interfaces come from the plugin's
 * own state (dp_intf.c).
 */
#include <zebra.h>

#include "command.h"
#include "if.h"
#include "json.h"
#include "vrf.h"
#include "vty.h"

#include "dp_abi.h"
#include "core/dp_boot.h"
#include "core/dp_plugin.h"
#include "core/dp_stall.h"
#include "core/dp_stats.h"
#include "core/dp_vty_input.h"
#include "maps/dp_hold.h"
#include "maps/dp_mapdump.h"
#include "maps/dp_maps.h"
#include "maps/dp_sync.h"
#include "kernel/dp_policy.h"
#include "fib/dp_fib.h"
#include "fwd/dp_intf.h"
#include "fwd/dp_nhg.h"
#include "fwd/dp_route.h"
#include "cli/dp_show.h"
#include "cli/dp_vty.h"
#ifndef VTYSH_EXTRACT_PL
#include "cli/dp_show_clippy.c"
#endif

/* ------------------------------------------------------- output helpers */

const char *dp_ifname(uint32_t ifindex)
{
	return ifindex2ifname(ifindex, VRF_DEFAULT);
}

const struct ethaddr *dp_mac(const uint8_t *mac)
{
	return (const struct ethaddr *)mac;
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
	DP_COUNTER(truth_write_failed, "rt_v4/rt_v6 map writes refused",
		   "truthWriteFailed"),
	DP_COUNTER(route_fail, "route additions the FIB refused",
		   "routeFail"),
	DP_COUNTER(route_skip_vrf, "routes skipped: other table",
		   "routeSkipVrf"),
	DP_COUNTER(route_skip_nh, "routes skipped: no usable nexthop",
		   "routeSkipNh"),
	DP_COUNTER(route_unsupported, "routes left to the kernel: not modelled",
		   "routeUnsupported"),
	DP_COUNTER(nhg_add, "nexthop groups written", "nhgAdd"),
	DP_COUNTER(nhg_del, "nexthop groups deleted", "nhgDel"),
	DP_COUNTER(nhg_fail, "nexthop group writes failed", "nhgFail"),
	DP_COUNTER(nhg_unsupported,
		   "nexthop groups left to the kernel: not modelled",
		   "nhgUnsupported"),
	DP_COUNTER(neigh_add, "neighbors written", "neighAdd"),
	DP_COUNTER(neigh_del, "neighbors deleted", "neighDel"),
	DP_COUNTER(neigh_fail, "neighbor writes failed", "neighFail"),
	DP_COUNTER(neigh_refresh, "neighbors refreshed (in use)",
		   "neighRefreshes"),
	DP_COUNTER(nl_events, "netlink messages", "nlEvents"),
	DP_COUNTER(nl_errors, "netlink errors", "nlErrors"),
	DP_COUNTER(nl_overruns, "netlink overruns (events lost)",
		   "nlOverruns"),
	DP_COUNTER(resyncs, "full resynchronisations", "resyncs"),
#undef DP_COUNTER
};

static uint64_t dp_plugin_counter(size_t offset)
{
	_Atomic uint64_t *p = (_Atomic uint64_t *)((char *)&dp_stats + offset);

	return atomic_load_explicit(p, memory_order_relaxed);
}

/*
 * Kernel memory a map uses, from its fd's "memlock" line: the actual usage
 * on kernels with map memory accounting (6.4+), an upper estimate before.
 */
static uint64_t dp_map_memory(enum dp_map_id id)
{
	char path[64], line[128];
	unsigned long long bytes = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", dp_map_fd(id));
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &bytes) == 1)
			break;
	fclose(f);
	return bytes;
}

/* Arrays always hold max_entries: walking a 16M-entry array key by key
 * would take seconds and say nothing (every array of bpf/lib/maps.h). */
static bool dp_map_is_array(enum dp_map_id id)
{
	switch (id) {
	case DP_MAP_STATS:
	case DP_MAP_INTF_STATS:
	case DP_MAP_META:
	case DP_MAP_FIB_VAL:
	case DP_MAP_FIB4_TBL24:
	case DP_MAP_FIB4_TBL8:
	case DP_MAP_FIB4_DXR_DIR:
	case DP_MAP_FIB4_DXR_RANGE:
	case DP_MAP_FIB6_FILTER:
	case DP_MAP_FIB6_DXR_DIR:
	case DP_MAP_FIB6_DXR_RANGE:
	case DP_MAP_NEIGH_HIT:
	case DP_MAP_CT_FILTER:
	case DP_MAP_POLICER:
	case DP_MAP_POLICER_STATE:
	case DP_MAP_POLICER_STATS:
	case DP_MAP_POLICER_VIP:
	case DP_MAP_LB_RING:
	case DP_MAP_LB_VIP_BACKENDS:
	case DP_MAP_LB_BACKEND:
	case DP_MAP_LB_BE_STATS:
	case DP_MAP_LB_BE_CONNS:
	case DP_MAP_LB_RR:
		return true;
	default:
		return false;
	}
}

static void dp_show_maps(struct vty *vty, json_object *json)
{
	json_object *jmaps = NULL;

	if (json) {
		jmaps = json_object_new_object();
		json_object_object_add(json, "maps", jmaps);
	} else {
		vty_out(vty, "\n%-20s %12s %12s %12s\n", "Map", "Max entries",
			"Entries", "Memory");
	}

	for (int id = 0; id < DP_MAP_MAX; id++) {
		bool array = dp_map_is_array(id);
		long n;

		/* A full table would take seconds to walk key by key on
		 * zebra's main thread: the route tables' counts are kept. */
		if (array)
			n = dp_map_max_entries(id);
		else if (id == DP_MAP_RT4 || id == DP_MAP_RT6)
			n = dp_route_count(id == DP_MAP_RT4 ? AF_INET
							    : AF_INET6);
		else if (id == DP_MAP_CT4 || id == DP_MAP_CT6 ||
			 id == DP_MAP_LB_PERSIST)
			/* large hashes: a batch at a time */
			n = dp_map_batch_walk(id, NULL, NULL);
		else
			n = dp_map_walk(id, false, NULL, NULL);
		uint64_t mem = dp_map_memory(id);

		if (jmaps) {
			json_object *jmap = json_object_new_object();

			json_object_int_add(jmap, "maxEntries",
					    dp_map_max_entries(id));
			if (n >= 0)
				json_object_int_add(jmap, "entries", n);
			else
				json_object_string_add(jmap, "error",
						       dp_map_strerror(n));
			json_object_int_add(jmap, "memoryBytes", mem);
			json_object_object_add(jmaps, dp_map_name(id), jmap);
		} else if (n >= 0) {
			char entries[24] = "(array)";

			if (!array)
				snprintf(entries, sizeof(entries), "%ld", n);
			vty_out(vty, "%-20s %12u %12s %11" PRIu64 "K\n",
				dp_map_name(id), dp_map_max_entries(id),
				entries, mem / 1024);
		} else {
			vty_out(vty, "%-20s %12u %12s (%s)\n", dp_map_name(id),
				dp_map_max_entries(id), "-",
				dp_map_strerror(n));
		}
	}
}

/* The datapath's FIB: occupancy and memory per route, per family. */
static void dp_show_fib(struct vty *vty, json_object *json)
{
	struct dp_fib_stats st;
	uint64_t mem4 = dp_map_memory(DP_MAP_FIB4_TBL24) +
			dp_map_memory(DP_MAP_FIB4_TBL8) +
			dp_map_memory(DP_MAP_FIB4_DXR_DIR) +
			dp_map_memory(DP_MAP_FIB4_DXR_RANGE);
	uint64_t mem6 = dp_map_memory(DP_MAP_FIB6) +
			dp_map_memory(DP_MAP_FIB6_DXR_DIR) +
			dp_map_memory(DP_MAP_FIB6_DXR_RANGE);
	uint64_t truth4 = dp_map_memory(DP_MAP_RT4);
	uint64_t truth6 = dp_map_memory(DP_MAP_RT6);
	uint32_t punt4 = dp_route_punted_count(AF_INET);
	uint32_t punt6 = dp_route_punted_count(AF_INET6);
	uint32_t nhg_missing = dp_nhg_missing_count();
	const struct dp_map_sizes *act = dp_maps_active_sizes();
	const struct {
		const char *name;
		uint32_t act;
	} sizes[] = {
		{ "ipv4-routes", act->rt4 },
		{ "ipv6-routes", act->rt6 },
		{ "nexthop-groups", act->nhg },
		{ "neighbors", act->neigh },
		{ "lb-vips", act->lb_vips },
		{ "lb-backends", act->lb_backends },
		{ "lb-ring", act->lb_ring },
		{ "lb-persist", act->lb_persist },
		{ "conntrack", act->ct },
		{ "nat-rules", act->nat_src },
	};

	dp_route_fib_stats(&st);
	if (json) {
		json_object *jf = json_object_new_object();
		json_object *js = json_object_new_object();

		json_object_int_add(jf, "ipv4Routes", st.routes4);
		json_object_int_add(jf, "ipv6Routes", st.routes6);
		json_object_int_add(jf, "ipv4Punted", punt4);
		json_object_int_add(jf, "ipv6Punted", punt6);
		json_object_int_add(jf, "nexthopGroupsMissing", nhg_missing);
		json_object_int_add(jf, "tbl8GroupsUsed", st.tbl8_used);
		json_object_int_add(jf, "tbl8GroupsMax", st.tbl8_max);
		json_object_boolean_add(jf, "ipv4RangesOn", st.ranges4_on);
		json_object_int_add(jf, "ipv4RangeEntries", st.ranges4);
		json_object_int_add(jf, "ipv4RangeEntriesMax", st.ranges4_max);
		json_object_int_add(jf, "ipv4RangesDir24Blocks", st.dir24_4);
		json_object_int_add(jf, "ipv4RangeRepacks", st.ranges4_repacks);
		json_object_boolean_add(jf, "ipv6RangesOn", st.ranges6_on);
		json_object_int_add(jf, "ipv6RangeEntries", st.ranges6);
		json_object_int_add(jf, "ipv6RangeEntriesMax", st.ranges6_max);
		json_object_int_add(jf, "ipv6RangesSearchChunks",
				    st.ranges6_on ? DP_FIB6_DXR_CHUNKS - st.ranged6
						  : 0);
		json_object_int_add(jf, "ipv6RangeRepacks", st.ranges6_repacks);
		json_object_int_add(jf, "fib6Nodes", st.fib6_nodes);
		json_object_int_add(jf, "fib6NodesMax", st.fib6_max);
		json_object_int_add(jf, "valuesUsed", st.vals_used);
		json_object_int_add(jf, "valuesMax", st.vals_max);
		json_object_int_add(jf, "ipv4MemoryBytes", mem4);
		json_object_int_add(jf, "ipv6MemoryBytes", mem6);
		json_object_int_add(jf, "ipv4BytesPerRoute",
				    st.routes4 ? (mem4 + truth4) / st.routes4 : 0);
		json_object_int_add(jf, "ipv6BytesPerRoute",
				    st.routes6 ? (mem6 + truth6) / st.routes6 : 0);
		json_object_object_add(json, "fib", jf);
		for (size_t i = 0; i < array_size(sizes); i++)
			json_object_int_add(js, sizes[i].name, sizes[i].act);
		json_object_object_add(json, "tableSizes", js);
		return;
	}

	vty_out(vty, "\nDatapath FIB\n");
	vty_out(vty, "  IPv4: %u routes, DIR-24-8 with %u of %u tbl8 groups, %" PRIu64 " KiB",
		st.routes4, st.tbl8_used, st.tbl8_max, mem4 / 1024);
	if (st.routes4)
		vty_out(vty, ", %" PRIu64 " bytes/route with rt_v4_map",
			(mem4 + truth4) / st.routes4);
	if (st.ranges4_on)
		vty_out(vty, "\n        ranges in front: %u of %u entries, %u /16s left to DIR-24-8",
			st.ranges4, st.ranges4_max, st.dir24_4);
	else if (st.ranges4_max)
		vty_out(vty, "\n        ranges in front: off (more than %u routes)",
			DP_FIB4_DXR_ROUTES_MAX);
	vty_out(vty, "\n  IPv6: %u routes, %u of %u search nodes, %" PRIu64 " KiB",
		st.routes6, st.fib6_nodes, st.fib6_max, mem6 / 1024);
	if (st.routes6)
		vty_out(vty, ", %" PRIu64 " bytes/route with rt_v6_map",
			(mem6 + truth6) / st.routes6);
	if (st.ranges6_on)
		vty_out(vty, "\n        ranges in front for 2000::/3: %u of %u entries, %u /20s left to the search",
			st.ranges6, st.ranges6_max,
			DP_FIB6_DXR_CHUNKS - st.ranged6);
	else if (st.ranges6_max)
		vty_out(vty, "\n        ranges in front: off (more than %u routes)",
			DP_FIB6_DXR_ROUTES_MAX);
	vty_out(vty, "\n  Route values: %u of %u\n", st.vals_used,
		st.vals_max);
	if (punt4 || punt6 || nhg_missing)
		vty_out(vty,
			"  Left to the kernel because they did not fit: %u IPv4 and %u IPv6 routes, %u nexthop groups\n",
			punt4, punt6, nhg_missing);
	vty_out(vty, "\nTable sizes (module arguments)\n");
	for (size_t i = 0; i < array_size(sizes); i++)
		vty_out(vty, "  %-18s %12u\n", sizes[i].name, sizes[i].act);
}

/* Kernel policy the fast path bypasses (dp_policy.h). */
static void dp_show_policy(struct vty *vty, json_object *json)
{
	struct dp_policy_report r;

	dp_policy_report(&r);
	if (json) {
		json_object *j = json_object_new_object();

		json_object_boolean_add(j, "scanned", r.scanned);
		json_object_int_add(j, "xfrmPolicies", r.xfrm_policies);
		json_object_boolean_add(j, "ipsecIgnored", r.ipsec_ignored);
		json_object_boolean_add(j, "ipsecPassing", r.ipsec_passing);
		json_object_int_add(j, "nftablesChains", r.nft_chains);
		json_object_string_add(j, "nftablesFirst", r.nft_first);
		json_object_string_add(j, "iptablesLegacy", r.iptables_legacy);
		json_object_int_add(j, "ipRules", r.ip_rules);
		json_object_object_add(json, "kernelPolicy", j);
		return;
	}
	vty_out(vty, "\nKernel policy the datapath bypasses\n");
	if (!r.scanned) {
		vty_out(vty, "  (not scanned yet)\n");
		return;
	}
	if (r.ipsec_passing)
		vty_out(vty,
			"  xfrm (IPsec): %u policies: every packet goes to the kernel\n",
			r.xfrm_policies);
	else if (r.xfrm_policies)
		vty_out(vty,
			"  xfrm (IPsec): %u policies, IGNORED by configuration: traffic they would protect is forwarded in clear\n",
			r.xfrm_policies);
	if (r.nft_chains)
		vty_out(vty,
			"  nftables: %s and %u more chains see no forwarded packet\n",
			r.nft_first, r.nft_chains - 1);
	if (r.iptables_legacy[0])
		vty_out(vty,
			"  iptables (legacy) tables %s: their forwarding hooks see no forwarded packet\n",
			r.iptables_legacy);
	if (r.ip_rules)
		vty_out(vty,
			"  ip rules: %u besides the defaults: the datapath looks up the main table only\n",
			r.ip_rules);
	if (!r.xfrm_policies && !r.nft_chains && !r.iptables_legacy[0] &&
	    !r.ip_rules)
		vty_out(vty, "  none found\n");
}

/* How long the datapath goes on without zebra (maps/dp_hold.h). */
static void dp_show_hold(struct vty *vty, json_object *json,
			 const struct dp_meta *meta)
{
	bool on = meta->flags & DP_META_F_HOLD;
	struct dp_hold_state st;

	dp_hold_get(&st);
	if (json) {
		json_object *j = json_object_new_object();

		json_object_int_add(j, "holdTimeSeconds", st.hold_s);
		json_object_string_add(j, "source",
				       dp_hold_source_name(st.source));
		json_object_boolean_add(j, "enforced", on);
		json_object_int_add(j, "trustedForMsec", st.trusted_ms);
		json_object_int_add(j, "renewals", st.renewals);
		json_object_int_add(j, "renewalFailures", st.failures);
		json_object_object_add(json, "holdTime", j);
		return;
	}
	vty_out(vty, "  Hold time:       %u s (%s)", st.hold_s,
		dp_hold_source_name(st.source));
	if (!on)
		vty_out(vty, ", NOT enforced: meta_map could not be written\n");
	else
		vty_out(vty, ", %" PRId64 " ms of trust left, %" PRIu64
			     " renewals%s\n",
			st.trusted_ms, st.renewals,
			st.failures ? ", renewal FAILING" : "");
}

/* A start on an earlier run's pins, until the resync (maps/dp_sync.h). */
static void dp_show_resync(struct vty *vty, json_object *json)
{
	bool reused = dp_maps_reused(), pending = dp_sync_pending();

	if (json) {
		json_object *j = json_object_new_object();

		json_object_boolean_add(j, "pinsReused", reused);
		json_object_int_add(j, "delaySeconds", dp_sync_delay());
		json_object_boolean_add(j, "pending", pending);
		json_object_int_add(j, "staleEntries", dp_sync_stale_count());
		json_object_object_add(json, "resync", j);
		return;
	}
	if (!reused)
		vty_out(vty, "  Started on:      new maps\n");
	else if (pending)
		vty_out(vty,
			"  Started on:      an earlier run's maps; resync pending (%u stale entries; %u s after the configuration is read)\n",
			dp_sync_stale_count(), dp_sync_delay());
	else
		vty_out(vty,
			"  Started on:      an earlier run's maps; resync done\n");
}

/* How long the plugin held zebra's pthreads (dp_stall.h). */
static void dp_show_stalls(struct vty *vty, json_object *json)
{
	json_object *j = json ? json_object_new_object() : NULL;

	if (!json)
		vty_out(vty, "\nTime on zebra's pthreads   %12s %12s %12s %10s\n",
			"longest(us)", "most CPU(us)", "mean(us)", "count");
	for (int w = 0; w < DP_STALL_MAX; w++) {
		struct dp_stall_stat st;
		uint64_t mean;

		dp_stall_get(w, &st);
		mean = st.count ? st.total_ns / st.count : 0;
		if (j) {
			json_object *jw = json_object_new_object();

			json_object_int_add(jw, "maxUsec", st.max_ns / 1000);
			json_object_int_add(jw, "maxCpuUsec",
					    st.max_cpu_ns / 1000);
			json_object_int_add(jw, "meanUsec", mean / 1000);
			json_object_int_add(jw, "count", st.count);
			json_object_object_add(j, dp_stall_name(w), jw);
		} else {
			vty_out(vty, "  %-24s %12" PRIu64 " %12" PRIu64
				     " %12" PRIu64 " %10" PRIu64 "\n",
				dp_stall_name(w), st.max_ns / 1000,
				st.max_cpu_ns / 1000, mean / 1000, st.count);
		}
	}
	if (j)
		json_object_object_add(json, "pthreadTime", j);
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
		if (dp_boot_error())
			json_object_string_add(json, "error", dp_boot_error());
		if (ready) {
			json_object_string_add(json, "pinDir", dp_pin_dir());
			if (!meta_err)
				json_object_int_add(json, "abiVersion",
						    meta.abi_version);
			json_object_int_add(json, "xdpProgId",
					    dp_prog_id_xdp());
			json_object_int_add(json, "tcProgId", dp_prog_id_tc());
			json_object_int_add(json, "metaFlags", meta.flags);
			dp_show_hold(vty, json, &meta);
			dp_show_resync(vty, json);
			dp_show_maps(vty, json);
			dp_show_fib(vty, json);
			dp_show_policy(vty, json);
			dp_show_stalls(vty, json);
		}
		jcnt = json_object_new_object();
		json_object_object_add(json, "counters", jcnt);
	} else if (!ready) {
		vty_out(vty, "%% eBPF dataplane not loaded: %s\n",
			dp_boot_error() ? dp_boot_error() : "see zebra's log");
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
		dp_show_hold(vty, NULL, &meta);
		dp_show_resync(vty, NULL);
		dp_show_maps(vty, NULL);
		dp_show_fib(vty, NULL);
		dp_show_policy(vty, NULL);
		dp_show_stalls(vty, NULL);
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

/* Shared by `show ebpf interface` and `show ebpf statistics`. */
static void dp_intf_counters_json(json_object *j,
				  const struct dp_intf_stats *st)
{
	json_object_int_add(j, "rxPackets", st->rx_packets);
	json_object_int_add(j, "rxBytes", st->rx_bytes);
	json_object_int_add(j, "fwdPackets", st->fwd_packets);
	json_object_int_add(j, "fwdBytes", st->fwd_bytes);
	json_object_int_add(j, "passPackets", st->pass_packets);
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
	if (info->not_routed[0])
		json_object_string_add(j, "notRouted", info->not_routed);
	if (dp_intf_counters(ctx, info, &st))
		dp_intf_counters_json(j, &st);
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
	if (info->not_routed[0])
		vty_out(vty, "  Not routed by the datapath: %s\n",
			info->not_routed);
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
	};
	const char *why = ifname ? dp_vty_ifname_error(ifname) : NULL;
	char echo[DP_VTY_ECHO_SIZE];

	/* Not configured, and cannot be: say why rather than only that. */
	if (why)
		return dp_show_bad_input(vty, !!uj,
					 "Invalid interface name \"%s\": %s. %s",
					 dp_vty_echo(ifname, echo, sizeof(echo)),
					 why, DP_IFNAME_RULE);
	ctx.json = uj ? json_object_new_object() : NULL;

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
	[DP_R_PASS_BCAST] = {"to-kernel: broadcast", "toKernelBroadcast"},
	[DP_R_PASS_LINK_LOCAL] = {"to-kernel: link-local",
				  "toKernelLinkLocal"},
	[DP_R_PASS_MARTIAN] = {"to-kernel: martian", "toKernelMartian"},
	[DP_R_PASS_LOCAL] = {"to-kernel: local", "toKernelLocal"},
	[DP_R_PASS_NO_ROUTE] = {"to-kernel: no-route", "toKernelNoRoute"},
	[DP_R_PASS_SPECIAL] = {"to-kernel: special-route",
			       "toKernelSpecialRoute"},
	[DP_R_PASS_NO_NEIGH] = {"to-kernel: no-neighbor", "toKernelNoNeighbor"},
	[DP_R_PASS_EGRESS_SKB] = {"to-tc: egress-not-xdp",
				  "toTcEgressNotXdp"},
	[DP_R_PASS_UNSUPPORTED] = {"to-kernel: unsupported",
				   "toKernelUnsupported"},
	[DP_R_PASS_TTL] = {"to-kernel: ttl-expired", "toKernelTtlExpired"},
	[DP_R_PASS_IP_OPTIONS] = {"to-kernel: ip-options", "toKernelIpOptions"},
	[DP_R_PASS_MTU] = {"to-kernel: mtu-exceeded", "toKernelMtuExceeded"},
	[DP_R_PASS_MALFORMED] = {"to-kernel: malformed", "toKernelMalformed"},
	[DP_R_PASS_NO_NHG] = {"to-kernel: no-nexthop-group",
			      "toKernelNoNexthopGroup"},
	[DP_R_PASS_DISABLED] = {"to-kernel: interface-disabled",
				"toKernelInterfaceDisabled"},
	[DP_R_PASS_FIB_FULL] = {"to-kernel: fib-full", "toKernelFibFull"},
	[DP_R_PASS_IPSEC] = {"to-kernel: ipsec-policy", "toKernelIpsecPolicy"},
	[DP_R_PASS_RPF] = {"to-kernel: rp-filter", "toKernelRpFilter"},
	[DP_R_PASS_TRAILER] = {"to-kernel: frame-trailer",
			       "toKernelFrameTrailer"},
	[DP_R_PASS_CT_SLOW] = {"to-tc: conntrack-slow-path",
			       "toTcConntrackSlowPath"},
	[DP_R_PASS_CT_FULL] = {"to-kernel: conntrack-full",
			       "toKernelConntrackFull"},
	[DP_R_PASS_NAT_PORTS] = {"to-kernel: nat-ports-exhausted",
				 "toKernelNatPortsExhausted"},
	[DP_R_PASS_LB_NO_BACKEND] = {"to-kernel: lb-no-backend",
				     "toKernelLbNoBackend"},
	[DP_R_PASS_LB_UNSUPPORTED] = {"to-kernel: lb-unsupported",
				      "toKernelLbUnsupported"},
	[DP_R_PASS_CT_INVALID] = {"to-kernel: conntrack-invalid",
				  "toKernelConntrackInvalid"},
	[DP_R_PASS_CT_ICMP_ERROR] = {"to-kernel: conntrack-icmp-error",
				     "toKernelConntrackIcmpError"},
	[DP_R_DROP_POLICED] = {"dropped: policer", "droppedPolicer"},
	[DP_R_PASS_HOLD_EXPIRED] = {"to-kernel: hold-time-expired",
				    "toKernelHoldTimeExpired"},
};
_Static_assert(array_size(dp_reason_names) == DP_R_MAX,
	       "every enum dp_reason needs a name");

const char *dp_reason_text(uint32_t reason)
{
	return reason < DP_R_MAX ? dp_reason_names[reason].text : "?";
}

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

		dp_intf_counters_json(j, &st);
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

void dp_show_init(void)
{
	install_element(VIEW_NODE, &show_ebpf_dataplane_cmd);
	install_element(VIEW_NODE, &show_ebpf_interface_cmd);
	install_element(VIEW_NODE, &show_ebpf_statistics_cmd);
	install_element(ENABLE_NODE, &clear_ebpf_statistics_cmd);
}
