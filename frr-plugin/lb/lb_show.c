// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `show ebpf load-balancer [NAME] [json]` (main pthread): each VIP as
 * configured, what the owner made of it (ids, ring, announcement) and,
 * per backend, its state, its active connections and its traffic
 * (lb_be_conns_map, lb_be_stats_map summed over CPUs).
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/northbound.h"
#include "lib/vty.h"
#include "lib/yang.h"

#include "dp_abi.h"
#include "core/dp_nbutil.h"
#include "core/dp_nodes.h"
#include "core/dp_vty_input.h"
#include "maps/dp_mapdump.h"
#include "maps/dp_maps.h"
#include "lb/lb.h"
#include "lb/lb_health.h"
#ifndef VTYSH_EXTRACT_PL
#include "lb/lb_show_clippy.c"
#endif

/* branch lbhealth's checker, when linked (lb_nb.c) */
#pragma weak lb_health_status

struct lb_show_ctx {
	struct vty *vty;
	json_object *jvips;
	const char *name; /* only this VIP, or all */
	bool found;
	bool have_stats;
	struct dp_map_view stats;
};

/* One backend's line or object. */
struct lb_show_be {
	const char *addr;
	uint16_t port;
	uint16_t weight;
	bool admin_down;
	const struct lb_be_status *st; /* NULL: not known to the owner */
	struct lb_hc_status hc;
	bool hc_known;
	uint64_t conns;
	struct dp_lb_backend_stats traffic;
};

static const char *lb_show_be_state(const struct lb_show_be *b, bool checked,
				    char *buf, size_t len)
{
	if (b->admin_down)
		return "admin-down";
	if (b->st && b->st->up)
		return "up";
	if (!b->st || !b->st->id)
		return "down (not in the datapath)";
	if (!checked)
		return "down";
	if (!lb_health_status)
		return "down (no health checker in this build)";
	if (!b->hc_known)
		return "down (not checked yet)";
	if (b->hc.last_error[0])
		snprintf(buf, len, "down (%u failures: %s)", b->hc.failures,
			 b->hc.last_error);
	else
		snprintf(buf, len, "down (%u of the successes it needs)",
			 b->hc.successes);
	return buf;
}

struct lb_show_vip_ctx {
	struct lb_show_ctx *show;
	const char *vip;
	bool checked;
	const struct lb_vip_status *st;
	json_object *jbackends;
};

static int lb_show_backend_cb(const struct lyd_node *dnode, void *arg)
{
	struct lb_show_vip_ctx *vctx = arg;
	struct lb_show_ctx *ctx = vctx->show;
	struct lb_show_be b = {
		.addr = yang_dnode_get_string(dnode, "./address"),
		.port = yang_dnode_get_uint16(dnode, "./port"),
		.weight = yang_dnode_get_uint16(dnode, "./weight"),
		.admin_down = yang_dnode_exists(dnode, "./admin-down"),
	};
	struct lb_hc_backend hcb = {.port = b.port};
	uint64_t *conns = dp_map_mmap(DP_MAP_LB_BE_CONNS);
	char buf[128];
	const char *state;

	lb_dnode_addr(dnode, "./address", &hcb.family, hcb.addr);
	for (uint32_t i = 0; i < vctx->st->n; i++) {
		const struct lb_be_status *s = &vctx->st->be[i];

		if (s->family == hcb.family && s->port == b.port &&
		    !memcmp(s->addr, hcb.addr, 16))
			b.st = s;
	}
	if (vctx->checked && lb_health_status)
		b.hc_known = lb_health_status(vctx->vip, &hcb, &b.hc);
	if (b.st && b.st->id) {
		if (conns && b.st->id < dp_map_max_entries(DP_MAP_LB_BE_CONNS))
			b.conns = __atomic_load_n(&conns[b.st->id],
						  __ATOMIC_RELAXED);
		if (ctx->have_stats)
			dp_map_view_lookup(&ctx->stats, &b.st->id, &b.traffic);
	}
	state = lb_show_be_state(&b, vctx->checked, buf, sizeof(buf));

	if (vctx->jbackends) {
		json_object *j = json_object_new_object();

		json_object_string_add(j, "address", b.addr);
		json_object_int_add(j, "port", b.port);
		json_object_int_add(j, "weight", b.weight);
		json_object_string_add(j, "state",
				       b.admin_down ? "admin-down"
				       : b.st && b.st->up ? "up"
							   : "down");
		json_object_string_add(j, "stateDetail", state);
		json_object_boolean_add(j, "adminDown", b.admin_down);
		json_object_int_add(j, "backendId", b.st ? b.st->id : 0);
		if (b.hc_known) {
			json_object *jh = json_object_new_object();

			json_object_boolean_add(jh, "healthy", b.hc.up);
			json_object_int_add(jh, "checks", b.hc.checks);
			json_object_int_add(jh, "successesInARow",
					    b.hc.successes);
			json_object_int_add(jh, "failuresInARow",
					    b.hc.failures);
			json_object_int_add(jh, "lastRttUsec",
					    b.hc.last_rtt_us);
			json_object_string_add(jh, "lastError",
					       b.hc.last_error);
			json_object_object_add(j, "health", jh);
		}
		json_object_int_add(j, "activeConnections", b.conns);
		json_object_int_add(j, "packets", b.traffic.packets);
		json_object_int_add(j, "bytes", b.traffic.bytes);
		json_object_array_add(vctx->jbackends, j);
		return YANG_ITER_CONTINUE;
	}
	vty_out(ctx->vty,
		"  %-39s %5u %6u %11" PRIu64 " %12" PRIu64 " %14" PRIu64
		"  %s\n",
		b.addr, b.port, b.weight, b.conns, (uint64_t)b.traffic.packets,
		(uint64_t)b.traffic.bytes, state);
	return YANG_ITER_CONTINUE;
}

static void lb_show_hc_text(struct vty *vty, const struct lyd_node *hc)
{
	vty_out(vty, "  Health check: ");
	if (yang_dnode_exists(hc, "./tcp"))
		vty_out(vty, "tcp");
	else if (yang_dnode_exists(hc, "./icmp"))
		vty_out(vty, "icmp");
	else
		vty_out(vty, "http %s status %s",
			yang_dnode_get_string(hc, "./http/path"),
			yang_dnode_get_string(hc, "./http/status"));
	if (yang_dnode_exists(hc, "./port"))
		vty_out(vty, " port %s", yang_dnode_get_string(hc, "./port"));
	vty_out(vty, ", every %s ms, rise %s, fall %s%s\n",
		yang_dnode_get_string(hc, "./interval"),
		yang_dnode_get_string(hc, "./rise"),
		yang_dnode_get_string(hc, "./fall"),
		lb_health_status ? "" : " (no health checker in this build)");
}

static const char *lb_show_hc_kind(const struct lyd_node *hc)
{
	if (!hc)
		return "none";
	if (yang_dnode_exists(hc, "./tcp"))
		return "tcp";
	if (yang_dnode_exists(hc, "./icmp"))
		return "icmp";
	return "http";
}

static void lb_show_vip_json(struct lb_show_ctx *ctx,
			     const struct lyd_node *vip,
			     struct lb_show_vip_ctx *vctx, bool known)
{
	const struct lb_vip_status *st = vctx->st;
	const struct lyd_node *hc = yang_dnode_get(vip, "./health-check");
	json_object *j = json_object_new_object();
	char buf[INET6_ADDRSTRLEN];

	json_object_string_add(j, "address",
			       yang_dnode_get_string(vip, "./address"));
	json_object_int_add(j, "port",
			    yang_dnode_exists(vip, "./port")
				    ? yang_dnode_get_uint16(vip, "./port")
				    : 0);
	json_object_boolean_add(j, "allPorts",
				yang_dnode_exists(vip, "./all-ports"));
	json_object_string_add(j, "protocol",
			       yang_dnode_get_string(vip, "./protocol"));
	json_object_string_add(j, "algorithm",
			       yang_dnode_get_string(vip, "./algorithm"));
	json_object_string_add(j, "natMode",
			       yang_dnode_get_string(vip, "./nat-mode"));
	if (st->fnat_src[0] || st->fnat_src[15]) {
		uint8_t family = strchr(yang_dnode_get_string(vip, "./address"),
					':')
					 ? AF_INET6
					 : AF_INET;

		json_object_string_add(j, "fullnatSource",
				       inet_ntop(family, st->fnat_src, buf,
						 sizeof(buf)));
	}
	json_object_boolean_add(j, "persistence",
				yang_dnode_exists(vip, "./persistence"));
	if (yang_dnode_exists(vip, "./persistence"))
		json_object_int_add(j, "persistenceTimeout",
				    yang_dnode_get_uint32(vip,
							  "./persistence/timeout"));
	json_object_string_add(j, "healthCheck", lb_show_hc_kind(hc));
	json_object_boolean_add(j, "installed", st->installed);
	if (!known)
		json_object_string_add(j, "notInstalled",
				       "not applied yet");
	else if (st->why[0])
		json_object_string_add(j, "notInstalled", st->why);
	json_object_int_add(j, "vipId", st->vip_id);
	json_object_int_add(j, "ringBase", st->ring_base);
	json_object_int_add(j, "ringSize", st->ring_size);
	json_object_int_add(j, "ringReserved", st->ring_cap);
	json_object_boolean_add(j, "announced", st->announced);
	if (st->announce_error[0])
		json_object_string_add(j, "announceError",
				       st->announce_error);
	json_object_int_add(j, "backendsUp", st->n_up);
	vctx->jbackends = json_object_new_array();
	yang_dnode_iterate(lb_show_backend_cb, vctx, vip, "./backend");
	json_object_int_add(j, "backendsConfigured",
			    json_object_array_length(vctx->jbackends));
	json_object_object_add(j, "backends", vctx->jbackends);
	json_object_object_add(ctx->jvips, vctx->vip, j);
}

static void lb_show_vip_text(struct lb_show_ctx *ctx,
			     const struct lyd_node *vip,
			     struct lb_show_vip_ctx *vctx, bool known)
{
	const struct lb_vip_status *st = vctx->st;
	const struct lyd_node *hc = yang_dnode_get(vip, "./health-check");
	struct vty *vty = ctx->vty;
	uint32_t n = 0;

	vty_out(vty, "VIP %s: %s", vctx->vip,
		yang_dnode_get_string(vip, "./address"));
	if (yang_dnode_exists(vip, "./port"))
		vty_out(vty, " port %s", yang_dnode_get_string(vip, "./port"));
	else
		vty_out(vty, " all-ports");
	vty_out(vty, " protocol %s, %s\n",
		yang_dnode_get_string(vip, "./protocol"),
		st->announced ? "announced" : "not announced");
	vty_out(vty, "  Algorithm %s, nat-mode %s",
		yang_dnode_get_string(vip, "./algorithm"),
		yang_dnode_get_string(vip, "./nat-mode"));
	if (yang_dnode_exists(vip, "./persistence"))
		vty_out(vty, ", persistence %s s",
			yang_dnode_get_string(vip, "./persistence/timeout"));
	vty_out(vty, "\n");
	if (!known)
		vty_out(vty, "  Not in the datapath: not applied yet\n");
	else if (!st->installed || st->why[0])
		vty_out(vty, "  %s: %s\n",
			st->installed ? "Incomplete" : "Not in the datapath",
			st->why[0] ? st->why : "?");
	if (st->installed && st->ring_size)
		vty_out(vty,
			"  VIP id %u, ring of %u slots at %u (%u reserved)\n",
			st->vip_id, st->ring_size, st->ring_base,
			st->ring_cap);
	else if (st->installed)
		vty_out(vty, "  VIP id %u, no ring: %s\n", st->vip_id,
			strmatch(yang_dnode_get_string(vip, "./algorithm"),
				 "least-connections")
				? "least-connections picks from the backend list"
				: "no backend up");
	if (st->announce_error[0])
		vty_out(vty, "  Route for the VIP not installed: %s\n",
			st->announce_error);
	if (hc)
		lb_show_hc_text(vty, hc);
	yang_dnode_iterate(dp_nb_count_cb, &n, vip, "./backend");
	vty_out(vty, "  %u of %u backends up\n", st->n_up, n);
	if (!n)
		return;
	vty_out(vty, "  %-39s %5s %6s %11s %12s %14s  %s\n", "Backend", "Port",
		"Weight", "Connections", "Packets", "Bytes", "State");
	yang_dnode_iterate(lb_show_backend_cb, vctx, vip, "./backend");
}

static int lb_show_vip_cb(const struct lyd_node *vip, void *arg)
{
	struct lb_show_ctx *ctx = arg;
	struct lb_vip_status *st = XCALLOC(MTYPE_TMP, sizeof(*st));
	struct lb_show_vip_ctx vctx = {
		.show = ctx,
		.vip = yang_dnode_get_string(vip, "./name"),
		.checked = yang_dnode_exists(vip, "./health-check"),
		.st = st,
	};
	bool known;

	if (ctx->name && !strmatch(ctx->name, vctx.vip))
		goto out;
	ctx->found = true;
	known = lb_owner_status(vctx.vip, st);
	if (ctx->jvips)
		lb_show_vip_json(ctx, vip, &vctx, known);
	else
		lb_show_vip_text(ctx, vip, &vctx, known);
out:
	XFREE(MTYPE_TMP, st);
	return YANG_ITER_CONTINUE;
}

static void lb_show_totals(struct vty *vty, json_object *json)
{
	struct lb_totals t;

	lb_owner_totals(&t);
	if (json) {
		json_object *j = json_object_new_object();

		json_object_int_add(j, "vipsInstalled", t.vips_installed);
		json_object_int_add(j, "vipIdsUsed", t.vip_ids_used);
		json_object_int_add(j, "vipIdsMax", t.vip_ids_max);
		json_object_int_add(j, "backendIdsUsed", t.backend_ids_used);
		json_object_int_add(j, "backendIdsDraining",
				    t.backend_ids_draining);
		json_object_int_add(j, "backendIdsMax", t.backend_ids_max);
		json_object_int_add(j, "ringSlotsUsed", t.ring_slots_used);
		json_object_int_add(j, "ringSlotsQuarantined",
				    t.ring_slots_quarantined);
		json_object_int_add(j, "ringSlotsMax", t.ring_slots_max);
		json_object_object_add(json, "capacity", j);
		return;
	}
	vty_out(vty,
		"Capacity: VIP ids %u of %u, backend ids %u of %u (%u draining), ring slots %u of %u (%u quarantined)\n",
		t.vip_ids_used, t.vip_ids_max, t.backend_ids_used,
		t.backend_ids_max, t.backend_ids_draining, t.ring_slots_used,
		t.ring_slots_max, t.ring_slots_quarantined);
}

DEFPY(show_ebpf_lb, show_ebpf_lb_cmd,
      "show ebpf load-balancer [NAME$name] [json$uj]",
      SHOW_STR
      EBPF_STR
      "Load balancer: VIPs, their backends and state\n"
      "VIP name\n"
      JSON_STR)
{
	struct lb_show_ctx ctx = {.vty = vty, .name = name};
	const struct lyd_node *lb;
	json_object *json = NULL;
	const char *why = name ? dp_vty_name_error(name) : NULL;
	char echo[DP_VTY_ECHO_SIZE];

	if (why)
		return dp_show_bad_input(vty, !!uj,
					 "Invalid VIP name \"%s\": %s. %s",
					 dp_vty_echo(name, echo, sizeof(echo)),
					 why, DP_NAME_RULE);
	if (!dp_maps_ready())
		return dp_show_not_loaded(vty, !!uj);
	if (uj) {
		json = json_object_new_object();
		ctx.jvips = json_object_new_object();
		json_object_object_add(json, "vips", ctx.jvips);
	}
	ctx.have_stats = dp_map_view_open(DP_MAP_LB_BE_STATS, &ctx.stats) == 0;
	lb = yang_dnode_get(running_config->dnode, LB_XPATH);
	if (lb)
		yang_dnode_iterate(lb_show_vip_cb, &ctx, lb, "./vip");
	dp_map_view_close(&ctx.stats);

	if (name && !ctx.found) {
		if (json) {
			/* as for an interface that is not configured */
			json_object_free(json);
			return vty_json(vty, json_object_new_object());
		}
		vty_out(vty, "%% VIP %s is not configured\n", name);
		return CMD_WARNING;
	}
	if (!json && !ctx.found)
		vty_out(vty, "No VIP configured\n");
	if (!name)
		lb_show_totals(vty, json);
	if (json)
		return vty_json(vty, json);
	return CMD_SUCCESS;
}

void lb_show_init(void)
{
	install_element(VIEW_NODE, &show_ebpf_lb_cmd);
}
