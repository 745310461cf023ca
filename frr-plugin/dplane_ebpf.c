// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dplane_ebpf: a zebra dataplane provider that mirrors FRR's forwarding
 * state into the pinned BPF maps of the frr-ebpf datapath.
 *
 * Threading: the plugin's tables (nexthop groups, neighbours, interface
 * state) are owned by zebra's dplane pthread. Route and NHG contexts are
 * handled there in the provider callback, the netlink listener reads on that
 * pthread's event loop, and the main pthread (CLI, northbound, interface
 * hooks) only posts events to it. See doc/architecture.md.
 */

#include "config.h"

#include "lib/zebra.h"
#include "lib/libfrr.h"
#include "lib/module.h"
#include "lib/privs.h"
#include "lib/version.h"
#include "zebra/zebra_dplane.h"
#include "zebra/zebra_netns_notify.h"

#include "dp_abi.h"
#include "dp_maps.h"
#include "dp_intf.h"
#include "dp_neigh.h"
#include "dp_nhg.h"
#include "dp_route.h"
#include "dp_stats.h"
#include "dp_sync.h"
#include "dp_nb.h"
#include "dp_vty.h"
#include "dp_plugin.h"

#define DP_PROVIDER_NAME "dplane_ebpf"

/* libfrr's own module record (lib/module.c); its version is the running
 * libfrr's FRR_VERSION. Not declared in module.h. */
extern union _frrmod_runtime_u frrmod_default;

DEFINE_MGROUP(EBPF, "frr-ebpf plugin");

struct dp_plugin_stats dp_stats;

static struct zebra_dplane_provider *dp_provider;

/* Module arguments: -M dplane_ebpf:pin-dir=PATH */
static char dp_pin_path[256] = DP_PIN_ROOT;

/* `table-size` lines of the ebpf node (main pthread), and the copy the
 * owner creates the maps with. */
struct dp_map_sizes dp_cfg_sizes = {
	.rt4 = DP_RT4_MAX_DEFAULT,
	.rt6 = DP_RT6_MAX_DEFAULT,
	.nhg = DP_NHG_MAX_DEFAULT,
	.neigh = DP_NEIGH_MAX_DEFAULT,
};
static struct dp_map_sizes dp_open_sizes;

struct thread_master *dp_owner_master(void)
{
	return dplane_get_thread_master();
}

struct zebra_privs_t *dp_privs(void)
{
	return &zserv_privs;
}

static int dp_handle_ctx(struct zebra_dplane_ctx *ctx)
{
	switch (dplane_ctx_get_op(ctx)) {
	case DPLANE_OP_ROUTE_INSTALL:
	case DPLANE_OP_ROUTE_UPDATE:
	case DPLANE_OP_ROUTE_DELETE:
	case DPLANE_OP_SYS_ROUTE_ADD:
	case DPLANE_OP_SYS_ROUTE_DELETE:
		return dp_route_ctx(ctx);
	case DPLANE_OP_NH_INSTALL:
	case DPLANE_OP_NH_UPDATE:
	case DPLANE_OP_NH_DELETE:
		return dp_nhg_ctx(ctx);
	default:
		DP_STAT_INC(ctx_ignored);
		return 0;
	}
}

static bool dp_op_is_notification(enum dplane_op_e op)
{
	return op == DPLANE_OP_SYS_ROUTE_ADD || op == DPLANE_OP_SYS_ROUTE_DELETE;
}

/*
 * Runs on zebra's dplane pthread for every batch. The kernel provider comes
 * after us and installs every route whatever we answer, so a map failure
 * here costs only the fast path for that route, never the route itself.
 */
static int dp_provider_process(struct zebra_dplane_provider *prov)
{
	struct zebra_dplane_ctx *ctx;
	int limit = dplane_provider_get_work_limit(prov);
	int counter;

	frr_with_privs (dp_privs()) {
		for (counter = 0; counter < limit; counter++) {
			enum dplane_op_e op;
			int ret = 0;

			ctx = dplane_provider_dequeue_in_ctx(prov);
			if (!ctx)
				break;

			DP_STAT_INC(ctx_in);
			op = dplane_ctx_get_op(ctx);
			/* The tables are kept even before the maps
			 * exist: the first sync writes them all. */
			if (dplane_ctx_get_status(ctx) !=
			    ZEBRA_DPLANE_REQUEST_FAILURE)
				ret = dp_handle_ctx(ctx);

			if (!dp_op_is_notification(op))
				dplane_ctx_set_status(
					ctx, ret ? ZEBRA_DPLANE_REQUEST_FAILURE
						 : ZEBRA_DPLANE_REQUEST_SUCCESS);
			dplane_provider_enqueue_out_ctx(prov, ctx);
		}
	}

	dp_route_batch_done();
	if (counter >= limit)
		dplane_provider_work_ready();
	return 0;
}

static int dp_provider_start(struct zebra_dplane_provider *prov)
{
	/* The dplane pthread exists from here on: the netlink listener can
	 * be scheduled on it. It fills the tables; the maps come later. */
	dp_neigh_start(dp_owner_master());
	return 0;
}

static int dp_provider_fini(struct zebra_dplane_provider *prov, bool early)
{
	if (early) {
		dp_neigh_stop();
		return 0;
	}
	frr_with_privs (dp_privs()) {
		dp_intf_fini();
		dp_route_maps_closing();
		dp_maps_close();
	}
	return 0;
}

static void dp_parse_args(const char *args)
{
	const char *val;

	if (!args || !*args)
		return;
	if (strncmp(args, "pin-dir=", 8) != 0) {
		zlog_err("%s: unknown module argument '%s' (expected pin-dir=PATH)",
			 DP_PROVIDER_NAME, args);
		return;
	}
	val = args + 8;
	if (val[0] != '/' || strlen(val) >= sizeof(dp_pin_path)) {
		zlog_err("%s: pin-dir must be an absolute path shorter than %zu characters",
			 DP_PROVIDER_NAME, sizeof(dp_pin_path));
		return;
	}
	strlcpy(dp_pin_path, val, sizeof(dp_pin_path));
}

/*
 * Owner thread, once the configuration is read: create or reuse the maps
 * with the configured sizes, then write everything the tables gathered
 * since zebra started. Routes go last so that a route never points at a
 * group or neighbour the maps do not hold yet.
 */
static void dp_open_maps(struct thread *t)
{
	bool reused = false;
	int ret;

	frr_with_privs (dp_privs()) {
		ret = dp_maps_open(dp_pin_path, &dp_open_sizes, &reused);
		if (ret) {
			zlog_err("%s: datapath not loaded (%s); zebra continues with kernel forwarding only",
				 DP_PROVIDER_NAME, safe_strerror(-ret));
			return;
		}
		dp_sync_begin(reused);
		dp_intf_sync_all();
		dp_neigh_sync_all();
		dp_nhg_sync_all();
		if (dp_route_maps_ready()) {
			dp_maps_close();
			return;
		}
	}
	dp_intf_maps_ready();
	dp_sync_config_done();
}

static int dp_late_init(struct thread_master *tm)
{
	int ret;

	dp_parse_args(THIS_MODULE->load_args);
	dp_intf_init();
	dp_vty_init();
	dp_nb_init();

	ret = dplane_provider_register(DP_PROVIDER_NAME, DPLANE_PRIO_PRE_KERNEL,
				       DPLANE_PROV_FLAGS_DEFAULT,
				       dp_provider_start, dp_provider_process,
				       dp_provider_fini, NULL, &dp_provider);
	if (ret)
		zlog_err("%s: dplane provider registration failed: %d",
			 DP_PROVIDER_NAME, ret);
	return 0;
}

/* The sizes in the configuration are known now (DESIGN.md: first full
 * sync after the configuration is read). */
static int dp_config_post(struct thread_master *tm)
{
	static bool opened;

	if (opened)
		return 0;
	opened = true;
	dp_open_sizes = dp_cfg_sizes;
	thread_add_event(dp_owner_master(), dp_open_maps, NULL, 0, NULL);
	return 0;
}

/*
 * FRR's module loader checks neither version nor ABI, and Debian builds
 * with --enable-multipath=256 which changes struct sizes: a module built
 * against another libfrr would corrupt zebra silently. Refuse to run.
 * (Returning non-zero from init makes zebra 8.4 crash in its loader.)
 */
#ifndef DP_BUILT_FRR_VERSION
/* Overridden only by the test that proves the guard (tests/module). */
#define DP_BUILT_FRR_VERSION FRR_VERSION
#endif

static void dp_version_guard(void)
{
	const char *running = frrmod_default.r.info->version;

	if (strcmp(running, DP_BUILT_FRR_VERSION) == 0)
		return;
	zlog_err("%s: built against FRR %s but this zebra runs libfrr %s; rebuild frr-ebpf against the installed FRR. Exiting.",
		 DP_PROVIDER_NAME, DP_BUILT_FRR_VERSION, running);
	fprintf(stderr,
		"%s: built against FRR %s but this zebra runs libfrr %s; rebuild frr-ebpf against the installed FRR\n",
		DP_PROVIDER_NAME, DP_BUILT_FRR_VERSION, running);
	exit(1);
}

static int dp_module_init(void)
{
	dp_version_guard();
	hook_register(frr_late_init, dp_late_init);
	hook_register(frr_config_post, dp_config_post);
	return 0;
}

FRR_MODULE_SETUP(.name = "dplane_ebpf", .version = FRR_VERSION,
		 .description = "frr-ebpf dataplane provider (XDP/TC fast path)",
		 .init = dp_module_init, );
