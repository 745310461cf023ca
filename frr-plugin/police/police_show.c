// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `show ebpf policer [NAME] [json]`: each policer's meter and actions,
 * and per attach point its datapath id, whether it is in the datapath (or
 * why not) and its packets and bytes per colour (policer_stats_map,
 * summed over CPUs). Reads the running configuration and the owner's
 * status copy: no map walk.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/northbound_cli.h"
#include "lib/prefix.h"
#include "lib/vty.h"

#include "core/dp_nbutil.h"
#include "core/dp_nodes.h"
#include "core/dp_vty_input.h"
#include "maps/dp_mapdump.h"
#include "maps/dp_maps.h"
#include "police/police.h"
#ifndef VTYSH_EXTRACT_PL
#include "police/police_show_clippy.c"
#endif

static const char *const police_colour_names[DP_COLOURS] = {
	[DP_GREEN] = "green",
	[DP_YELLOW] = "yellow",
	[DP_RED] = "red",
};

struct police_show_ctx {
	struct vty *vty;
	json_object *json;
	struct dp_map_view stats;
	bool have_stats;
	uint32_t shown;
	const char *only; /* one policer's name, or NULL */
};

static void police_at_name(const struct police_at *at, char *buf, size_t len)
{
	char pbuf[8];

	switch (at->kind) {
	case POLICE_AT_INTF:
		snprintf(buf, len, "interface %s", at->name);
		return;
	case POLICE_AT_VIP:
		snprintf(buf, len, "vip %s", at->name);
		return;
	}
	snprintfrr(buf, len, "match %s %pFX",
		   at->dir == DP_POLICE_MATCH_SRC ? "source" : "destination",
		   &at->prefix);
	if (at->proto)
		snprintf(buf + strlen(buf), len - strlen(buf), " protocol %s",
			 dp_proto_name(at->proto, pbuf, sizeof(pbuf)));
	if (at->port)
		snprintf(buf + strlen(buf), len - strlen(buf), " port %u",
			 at->port);
}

static void police_show_meter(struct police_show_ctx *c, json_object *j,
			      const struct dp_policer *p)
{
	const struct dp_policer_conf *m = &p->meter;
	bool aware = m->flags & DP_POLICER_F_COLOUR_AWARE;
	static const char *const colour_key[DP_COLOURS] = {"conform", "exceed",
							   "violate"};

	if (j) {
		json_object_string_add(j, "meter",
				       m->mode == DP_POLICER_SRTCM   ? "srtcm"
				       : m->mode == DP_POLICER_TRTCM ? "trtcm"
								     : "none");
		json_object_int_add(j, "cirKbps", m->cir_kbps);
		json_object_int_add(j, "cbs", m->cbs);
		if (m->mode == DP_POLICER_TRTCM) {
			json_object_int_add(j, "pirKbps", m->pir_kbps);
			json_object_int_add(j, "pbs", m->ebs_or_pbs);
		} else {
			json_object_int_add(j, "ebs", m->ebs_or_pbs);
		}
		json_object_boolean_add(j, "colorAware", aware);
		for (int i = 0; i < DP_COLOURS; i++) {
			char key[32];

			snprintf(key, sizeof(key), "%sAction", colour_key[i]);
			json_object_string_add(j, key,
					       police_action_name(p->action[i]));
			if (p->action[i] != DP_POLICE_SET_DSCP)
				continue;
			snprintf(key, sizeof(key), "%sDscp", colour_key[i]);
			json_object_int_add(j, key, p->dscp[i]);
		}
		return;
	}
	if (m->mode == DP_POLICER_SRTCM)
		vty_out(c->vty,
			"  srTCM (RFC 2697): CIR %" PRIu64
			" kbit/s, CBS %u bytes, EBS %u bytes, colour-%s\n",
			(uint64_t)m->cir_kbps, m->cbs, m->ebs_or_pbs,
			aware ? "aware" : "blind");
	else if (m->mode == DP_POLICER_TRTCM)
		vty_out(c->vty,
			"  trTCM (RFC 2698): CIR %" PRIu64
			" kbit/s, CBS %u bytes, PIR %" PRIu64
			" kbit/s, PBS %u bytes, colour-%s\n",
			(uint64_t)m->cir_kbps, m->cbs, (uint64_t)m->pir_kbps,
			m->ebs_or_pbs, aware ? "aware" : "blind");
	else
		vty_out(c->vty,
			"  No meter configured (srtcm or trtcm): nothing is metered\n");
	vty_out(c->vty, "  Actions:");
	for (int i = 0; i < DP_COLOURS; i++) {
		vty_out(c->vty, " %s %s", colour_key[i],
			police_action_name(p->action[i]));
		if (p->action[i] == DP_POLICE_SET_DSCP)
			vty_out(c->vty, " %u", p->dscp[i]);
		vty_out(c->vty, i < DP_COLOURS - 1 ? "," : "\n");
	}
}

/* The counters of id, by colour (zero without stats). */
static void police_read_stats(struct police_show_ctx *c, uint32_t id,
			      struct dp_policer_stats out[DP_COLOURS])
{
	memset(out, 0, sizeof(*out) * DP_COLOURS);
	if (!c->have_stats || !id)
		return;
	for (uint32_t i = 0; i < DP_COLOURS; i++) {
		uint32_t idx = id * DP_COLOURS + i;

		if (dp_map_view_lookup(&c->stats, &idx, &out[i]))
			memset(&out[i], 0, sizeof(out[i]));
	}
}

static void police_show_counts(struct police_show_ctx *c, json_object *j,
			       const struct dp_policer_stats s[DP_COLOURS])
{
	for (int i = 0; i < DP_COLOURS; i++) {
		if (j) {
			json_object *jc = json_object_new_object();

			json_object_int_add(jc, "packets", s[i].packets);
			json_object_int_add(jc, "bytes", s[i].bytes);
			json_object_object_add(j, police_colour_names[i], jc);
		} else {
			vty_out(c->vty, "%s%s %" PRIu64 " pkts %" PRIu64 " bytes",
				i ? ", " : "", police_colour_names[i],
				(uint64_t)s[i].packets, (uint64_t)s[i].bytes);
		}
	}
	if (!j)
		vty_out(c->vty, "\n");
}

static void police_show_at(struct police_show_ctx *c, json_object *jarr,
			   const struct police_at_status *st, bool known,
			   struct dp_policer_stats total[DP_COLOURS])
{
	struct dp_policer_stats s[DP_COLOURS];
	const char *why = !known ? "not applied yet"
			  : st->installed ? NULL
					  : st->why;
	bool dp_on = true;
	json_object *j = NULL;
	char name[160];

	police_at_name(&st->at, name, sizeof(name));
	police_read_stats(c, st->id, s);
	for (int i = 0; i < DP_COLOURS; i++) {
		total[i].packets += s[i].packets;
		total[i].bytes += s[i].bytes;
	}
	/* an interface's ingress is metered only where the programs run */
	if (st->at.kind == POLICE_AT_INTF)
		dp_on = yang_dnode_existsf(running_config->dnode,
					   "/frr-zebra-ebpf:ebpf/interface[name='%s']",
					   st->at.name);
	if (jarr) {
		j = json_object_new_object();
		json_object_string_add(j, "attach", name);
		json_object_int_add(j, "id", st->id);
		json_object_boolean_add(j, "installed", st->installed);
		if (why && why[0])
			json_object_string_add(j, "notInstalled", why);
		if (st->at.kind == POLICE_AT_INTF) {
			json_object_int_add(j, "ifindex", st->target);
			json_object_boolean_add(j, "datapathOnInterface",
						dp_on);
		} else if (st->at.kind == POLICE_AT_VIP) {
			json_object_int_add(j, "vipId", st->target);
		}
		police_show_counts(c, j, s);
		json_object_array_add(jarr, j);
		return;
	}
	vty_out(c->vty, "  Apply %s: ", name);
	if (why)
		vty_out(c->vty, "not in the datapath: %s\n", why);
	else
		vty_out(c->vty, "id %u%s\n", st->id,
			dp_on ? ""
			      : " (the interface is not in the ebpf interface list: nothing reaches it)");
	vty_out(c->vty, "    ");
	police_show_counts(c, NULL, s);
}

static int police_show_cb(const struct lyd_node *dnode, void *arg)
{
	struct police_show_ctx *c = arg;
	struct police_spec *spec;
	struct police_at_status *st;
	struct dp_policer_stats total[DP_COLOURS] = {};
	json_object *j = NULL, *jarr = NULL;
	int n;

	if (c->only && !strmatch(c->only, yang_dnode_get_string(dnode, "./name")))
		return YANG_ITER_CONTINUE;
	spec = police_spec_of(dnode);
	st = XCALLOC(MTYPE_TMP, sizeof(*st) * (spec->n_at ? spec->n_at : 1));
	n = police_owner_status(spec->name, st, spec->n_at);
	c->shown++;
	if (c->json) {
		j = json_object_new_object();
		jarr = json_object_new_array();
	} else {
		vty_out(c->vty, "Policer %s\n", spec->name);
	}
	police_show_meter(c, j, &spec->pol);
	for (uint32_t i = 0; i < spec->n_at; i++) {
		struct police_at_status none = {.at = spec->at[i]};
		const struct police_at_status *s = &none;

		/* the owner's copy, if it has this attach point yet */
		for (int k = 0; k < n && k < (int)spec->n_at; k++)
			if (police_at_same(&st[k].at, &spec->at[i]))
				s = &st[k];
		police_show_at(c, jarr, s, s != &none, total);
	}
	if (c->json) {
		json_object *jt = json_object_new_object();

		json_object_object_add(j, "attachPoints", jarr);
		police_show_counts(c, jt, total);
		json_object_object_add(j, "total", jt);
		json_object_object_add(c->json, spec->name, j);
	} else {
		if (!spec->n_at)
			vty_out(c->vty, "  Not applied anywhere\n");
		else {
			vty_out(c->vty, "  Total: ");
			police_show_counts(c, NULL, total);
		}
	}
	XFREE(MTYPE_TMP, st);
	XFREE(MTYPE_TMP, spec);
	return YANG_ITER_CONTINUE;
}

DEFPY(show_ebpf_policer, show_ebpf_policer_cmd,
      "show ebpf policer [NAME$name] [json$uj]",
      SHOW_STR
      EBPF_STR
      "Policers: meters, actions, packets and bytes per colour and attach point\n"
      "Only this policer\n"
      JSON_STR)
{
	const struct lyd_node *ebpf;
	struct police_show_ctx c = {
		.vty = vty,
		.json = uj ? json_object_new_object() : NULL,
		.only = name,
	};
	uint32_t used, max;
	char echo[DP_VTY_ECHO_SIZE];

	if (!dp_maps_ready()) {
		json_object_free(c.json);
		return dp_show_not_loaded(vty, !!uj);
	}
	c.have_stats = dp_map_view_open(DP_MAP_POLICER_STATS, &c.stats) == 0;
	ebpf = yang_dnode_get(running_config->dnode, "/frr-zebra-ebpf:ebpf");
	if (ebpf)
		yang_dnode_iterate(police_show_cb, &c, ebpf, "./policer");
	dp_map_view_close(&c.stats);
	if (name && !c.shown && !c.json) {
		vty_out(vty, "%% No policer \"%s\"\n",
			dp_vty_echo(name, echo, sizeof(echo)));
		return CMD_WARNING;
	}
	if (c.json)
		return vty_json(vty, c.json);
	if (!c.shown)
		vty_out(vty, "No policer configured\n");
	else if (!name) {
		police_owner_ids(&used, &max);
		vty_out(vty, "Datapath policer ids: %u of %u in use\n", used,
			max);
	}
	return CMD_SUCCESS;
}

void police_show_init(void)
{
	install_element(VIEW_NODE, &show_ebpf_policer_cmd);
}
