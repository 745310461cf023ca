// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dplane_ebpf: a zebra dataplane provider that mirrors FRR's forwarding
 * state into the pinned BPF maps of the frr-ebpf datapath.
 *
 * This file ties the folders together (doc/architecture.md, "Layout and
 * dependencies"): the module's setup and version guard, the datapath's
 * start at load, the provider callbacks, and the order in which the
 * concerns start and stop.
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
#include "core/dp_boot.h"
#include "core/dp_hooks.h"
#include "core/dp_plugin.h"
#include "core/dp_stall.h"
#include "core/dp_stats.h"
#include "maps/dp_maps.h"
#include "maps/dp_hold.h"
#include "maps/dp_pin.h"
#include "maps/dp_sync.h"
#include "kernel/dp_neigh.h"
#include "kernel/dp_netlink.h"
#include "kernel/dp_policy.h"
#include "kernel/dp_xdpfeat.h"
#include "fwd/dp_intf.h"
#include "fwd/dp_nhg.h"
#include "fwd/dp_route.h"
#include "ct/ct.h"
#include "lb/lb.h"
#include "nat/nat.h"
#include "police/police.h"
#include "chain/chain.h"
#include "cli/dp_nb.h"
#include "cli/dp_vty.h"

#define DP_PROVIDER_NAME "dplane_ebpf"

/* libfrr's own module record (lib/module.c); its version is the running
 * libfrr's FRR_VERSION. Not declared in module.h. */
extern union _frrmod_runtime_u frrmod_default;

DEFINE_MGROUP(EBPF, "frr-ebpf plugin");

struct dp_plugin_stats dp_stats;

/* zebra's own options (zebra/main.c): -K and -r. */
extern int graceful_restart;
extern int retain_mode;

static struct zebra_dplane_provider *dp_provider;

struct thread_master *dp_owner_master(void)
{
	return dplane_get_thread_master();
}

/* Events posted before the owner pthread existed, in order. */
struct dp_owner_early {
	struct dp_owner_early *next;
	void (*func)(struct thread *);
	void *arg;
};
static struct dp_owner_early *dp_early_head, **dp_early_tail = &dp_early_head;
static bool dp_owner_running;

DEFINE_MTYPE_STATIC(EBPF, EBPF_EARLY, "eBPF events before the dplane");

void dp_owner_post(void (*func)(struct thread *), void *arg)
{
	struct dp_owner_early *e;

	if (dp_owner_running) {
		thread_add_event(dp_owner_master(), func, arg, 0, NULL);
		return;
	}
	e = XCALLOC(MTYPE_EBPF_EARLY, sizeof(*e));
	e->func = func;
	e->arg = arg;
	*dp_early_tail = e;
	dp_early_tail = &e->next;
}

/* zebra's dataplane starts (main pthread): what waited goes first. */
static void dp_owner_start(void)
{
	struct dp_owner_early *e;

	dp_owner_running = true;
	while ((e = dp_early_head)) {
		dp_early_head = e->next;
		thread_add_event(dp_owner_master(), e->func, e->arg, 0, NULL);
		XFREE(MTYPE_EBPF_EARLY, e);
	}
	dp_early_tail = &dp_early_head;
}

/* NULL until zebra has set its privileges up (frr_with_privs(NULL) does
 * nothing): at module load the plugin is root and needs no raising. */
struct zebra_privs_t *dp_privs(void)
{
	return zserv_privs.change ? &zserv_privs : NULL;
}

static bool dp_op_is_route(enum dplane_op_e op)
{
	switch (op) {
	case DPLANE_OP_ROUTE_INSTALL:
	case DPLANE_OP_ROUTE_UPDATE:
	case DPLANE_OP_ROUTE_DELETE:
	case DPLANE_OP_SYS_ROUTE_ADD:
	case DPLANE_OP_SYS_ROUTE_DELETE:
		return true;
	default:
		return false;
	}
}

static int dp_handle_ctx(struct zebra_dplane_ctx *ctx)
{
	enum dplane_op_e op = dplane_ctx_get_op(ctx);

	if (dp_op_is_route(op))
		return dp_route_ctx(ctx);
	switch (op) {
	case DPLANE_OP_NH_INSTALL:
	case DPLANE_OP_NH_UPDATE:
	case DPLANE_OP_NH_DELETE:
		return dp_nhg_ctx(ctx);
	default:
		DP_STAT_INC(ctx_ignored);
		return 0;
	}
}

/* Time one call may hold zebra's dplane pthread; the rest of the batch
 * waits for the next call. */
#define DP_CTX_BUDGET_NS (2 * 1000 * 1000)

/*
 * At start, zebra's first contexts wait until the plugin knows the links
 * (the first netlink dumps, a few ms): a nexthop group written before
 * would name interfaces of unknown egress and send its routes to the
 * kernel until rewritten, under programs that forward from the FIB an
 * earlier run left (a ping lost per restart). The kernel provider has
 * run already; only zebra's bookkeeping of the results waits. Never
 * longer than DP_LINKS_WAIT_MS, whatever happens to the dumps.
 */
#define DP_LINKS_WAIT_MS 3000

static uint64_t dp_links_wait_until;
static struct thread *dp_links_wait_timer;

static void dp_links_wait_over(struct thread *t)
{
	dplane_provider_work_ready();
}

static int dp_links_synced(void)
{
	dplane_provider_work_ready();
	return 0;
}

static bool dp_links_wait(void)
{
	if (!dp_maps_ready() || dp_netlink_synced())
		return false;
	if (!dp_links_wait_until) {
		dp_links_wait_until = dp_stall_now() +
				      DP_LINKS_WAIT_MS * 1000000ull;
		thread_add_timer_msec(dp_owner_master(), dp_links_wait_over,
				      NULL, DP_LINKS_WAIT_MS,
				      &dp_links_wait_timer);
	}
	return dp_stall_now() < dp_links_wait_until;
}

/* A context reaches us only if the kernel accepted it (FRR 8.4 moves a
 * failed one to the error list), so the datapath mirrors what the kernel
 * holds and nothing else. */
static bool dp_ctx_mirrored(const struct zebra_dplane_ctx *ctx)
{
	return dp_maps_ready() &&
	       dplane_ctx_get_status(ctx) == ZEBRA_DPLANE_REQUEST_SUCCESS &&
	       !dplane_ctx_is_skip_kernel(ctx);
}

static void dp_ctx_prefetch(const struct zebra_dplane_ctx *ctx, int stage)
{
	if (dp_op_is_route(dplane_ctx_get_op(ctx)) && dp_ctx_mirrored(ctx))
		dp_route_prefetch(ctx, stage);
}

/*
 * Contexts taken from zebra's queue at a time. While one is handled, the
 * route tables' lines the next two will need are fetched (a full table's
 * lookups are cache misses; bench/install.sh).
 */
#define DP_CTX_BATCH 16

static int dp_provider_batch(struct zebra_dplane_provider *prov, int max)
{
	struct zebra_dplane_ctx *batch[DP_CTX_BATCH];
	int n, i;

	for (n = 0; n < DP_CTX_BATCH && n < max; n++) {
		batch[n] = dplane_provider_dequeue_in_ctx(prov);
		if (!batch[n])
			break;
		if (n < 2)
			dp_ctx_prefetch(batch[n], 0);
	}
	for (i = 0; i < n; i++) {
		if (i + 2 < n)
			dp_ctx_prefetch(batch[i + 2], 0);
		if (i + 1 < n)
			dp_ctx_prefetch(batch[i + 1], 1);
		DP_STAT_INC(ctx_in);
		if (dp_ctx_mirrored(batch[i]))
			dp_handle_ctx(batch[i]);
		dplane_provider_enqueue_out_ctx(prov, batch[i]);
	}
	return n;
}

/*
 * Runs on zebra's dplane pthread for every batch, after the kernel
 * provider. The context's status is never touched: whatever the datapath
 * cannot hold stays a kernel route, counted.
 */
static int dp_provider_process(struct zebra_dplane_provider *prov)
{
	int limit = dplane_provider_get_work_limit(prov);
	struct dp_stall_mark start;
	int counter = 0, n;

	if (dp_links_wait())
		return 0;
	start = dp_stall_begin();

	frr_with_privs (dp_privs()) {
		while (counter < limit) {
			if (dp_stall_now() - start.wall_ns >
			    DP_CTX_BUDGET_NS) {
				counter = limit;
				break;
			}
			n = dp_provider_batch(prov, limit - counter);
			if (!n)
				break;
			counter += n;
		}
		dp_nhg_batch_done();
		dp_route_batch_done();
	}
	dp_stall_record(DP_STALL_CTX, &start);

	if (counter >= limit)
		dplane_provider_work_ready();
	return 0;
}

/* First event of the owner pthread: the configured features take over
 * their maps (before the configuration read earlier reaches them). */
static void dp_features_start(struct thread *t)
{
	lb_owner_start();
	nat_owner_start();
	police_owner_start();
	ct_start();
}

static int dp_provider_start(struct zebra_dplane_provider *prov)
{
	/* The dplane pthread exists from here on: the listeners are
	 * scheduled on it. */
	struct thread_master *owner = dp_owner_master();

	thread_add_event(owner, dp_features_start, NULL, 0, NULL);
	dp_owner_start();
	if (!dp_maps_ready())
		return 0;
	dp_hold_start();
	dp_netlink_start(owner, dp_boot_args()->nl_rcvbuf);
	dp_xdpfeat_start(owner);
	dp_neigh_refresh_start(owner);
	dp_policy_start(owner);
	return 0;
}

static int dp_provider_fini(struct zebra_dplane_provider *prov, bool early)
{
	if (early) {
		dp_hold_stop();
		ct_stop();
		dp_netlink_stop();
		dp_xdpfeat_stop();
		dp_neigh_refresh_stop();
		dp_policy_stop();
		return 0;
	}
	/* the owner pthread has stopped: its VIPs' routes go, unless zebra
	 * retains its own (-r): then the programs keep serving the VIPs and
	 * the next zebra adopts them with their routes */
	if (!retain_mode)
		lb_owner_fini();
	chain_fini();
	frr_with_privs (dp_privs()) {
		/* zebra -r leaves its routes in the kernel: the programs stay
		 * and forward from them for the hold time, or until the next
		 * zebra takes over. */
		dp_intf_fini(!retain_mode);
		dp_route_maps_closing();
		dp_maps_close();
	}
	return 0;
}

static int dp_late_init(struct thread_master *tm)
{
	int ret;

	hook_register(dp_netlink_synced_hook, dp_links_synced);
	/* fwd/ follows kernel/ through hooks (core/dp_hooks.h), announced
	 * on the dplane pthread: listen before it starts. */
	dp_nhg_init();
	dp_route_init();
	dp_intf_init();
	dp_vty_init();
	lb_init();
	lb_vty_init();
	nat_init();
	nat_vty_init();
	police_init();
	police_vty_init();
	police_show_init();
	chain_init();
	chain_vty_init();
	chain_show_init();
	ct_show_init();
	/* one model: the `ebpf` node's callbacks, then each feature's */
	dp_nb_init();
	dp_nb_attach(&lb_nb_info);
	dp_nb_attach(&nat_nb_info);
	dp_nb_attach(&police_nb_info);
	dp_nb_attach(&chain_nb_info);
	dp_nb_validate();

	ret = dplane_provider_register(DP_PROVIDER_NAME, DPLANE_PRIO_POSTPROCESS,
				       DPLANE_PROV_FLAGS_DEFAULT,
				       dp_provider_start, dp_provider_process,
				       dp_provider_fini, NULL, &dp_provider);
	if (ret)
		zlog_err("%s: dplane provider registration failed: %d",
			 DP_PROVIDER_NAME, ret);
	return 0;
}

/* zebra has read its own configuration file: give what an earlier run
 * left pinned and zebra does not confirm the time to be replayed. */
static int dp_config_post(struct thread_master *tm)
{
	static bool done;

	if (done || !dp_maps_ready())
		return 0;
	done = true;
	dp_sync_config_done();
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

/*
 * How long the datapath trusts its tables without zebra: what the user
 * said, or as long as zebra itself keeps the routes an earlier run left
 * (-K), or the default. A failed first write leaves DP_META_F_HOLD clear:
 * the datapath forwards without a deadline, as before there was one.
 */
static void dp_hold_boot_args(const struct dp_boot_args *a)
{
	enum dp_hold_source source = DP_HOLD_DEFAULT;
	uint32_t hold = DP_HOLD_DEFAULT_S;

	if (a->hold_time) {
		hold = a->hold_time;
		source = DP_HOLD_ARG;
	} else if (graceful_restart > 0) {
		hold = graceful_restart;
		source = DP_HOLD_ZEBRA_GR;
	}
	dp_hold_boot(hold, source);
}

/*
 * Module load, as root: read the arguments and bring the datapath up: the
 * pin directory, the maps and programs, the FIB over them. Everything after
 * runs with the descriptors opened here and zebra's own privileges. On
 * failure zebra goes on with kernel forwarding only and dp_boot_error()
 * says why.
 */
static void dp_boot(const char *args)
{
	const struct dp_boot_args *a = dp_boot_args();
	char default_dir[sizeof(a->pin_dir)];
	char err[512] = "";
	bool reused = false;
	int ret;

	dp_pin_default_dir(default_dir, sizeof(default_dir));
	if (dp_boot_read_args(args, default_dir))
		return;

	/* A directory another zebra holds is left alone, with its programs. */
	ret = dp_pin_dir_claim(a->pin_dir, err, sizeof(err));
	if (ret) {
		dp_boot_fail(err);
		return;
	}
	ret = dp_maps_open(a->pin_dir, &a->sizes, &reused, err, sizeof(err));
	if (!ret)
		ret = dp_route_open_fib(reused, err, sizeof(err));
	if (ret) {
		int n;

		dp_maps_close();
		n = dp_detach_leftovers();
		if (n)
			snprintf(err + strlen(err), sizeof(err) - strlen(err),
				 "; the programs an earlier run left on %d interface%s were detached (they would forward from maps nothing updates): the kernel forwards",
				 n, n == 1 ? "" : "s");
		dp_boot_fail(err);
		return;
	}
	dp_maps_take_over();
	dp_sync_begin(reused);
	dp_hold_boot_args(a);
	/* Before any route reaches the FIB: none may bypass IPsec. */
	dp_policy_boot();
}

/*
 * libxdp keeps its dispatcher's state in files under /sys/fs/bpf/xdp,
 * and Debian's systemd mounts /sys/fs/bpf root-owned 0700: zebra, user
 * frr, reaches them only with CAP_DAC_OVERRIDE, raised like its other
 * capabilities only inside frr_with_privs. Asked for only where the
 * dispatcher can run, and before zprivs_init() reads the list.
 */
static void dp_privs_for_dispatcher(void)
{
	static zebra_capabilities_t caps[ZCAP_MAX];
	int n = 0;

	if (!dp_maps_ready() || dp_xdp_dispatch_refusal())
		return;
	for (int i = 0; i < zserv_privs.cap_num_p && n < ZCAP_MAX - 1; i++) {
		if (zserv_privs.caps_p[i] == ZCAP_DAC_OVERRIDE)
			return;
		caps[n++] = zserv_privs.caps_p[i];
	}
	caps[n++] = ZCAP_DAC_OVERRIDE;
	zserv_privs.caps_p = caps;
	zserv_privs.cap_num_p = n;
}

/* Runs as root, before zebra drops its privileges (lib/libfrr.c:
 * frrmod_load() precedes zprivs_init()). */
static int dp_module_init(void)
{
	dp_version_guard();
	dp_boot(THIS_MODULE->load_args);
	dp_privs_for_dispatcher();
	hook_register(frr_late_init, dp_late_init);
	hook_register(frr_config_post, dp_config_post);
	return 0;
}

FRR_MODULE_SETUP(.name = "dplane_ebpf", .version = FRR_VERSION,
		 .description = "frr-ebpf dataplane provider (XDP/TC fast path)",
		 .init = dp_module_init, );
