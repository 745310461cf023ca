// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `show ebpf chain [json]`: per interface, each hook's programs in the
 * order they run, as the kernel has them attached (program ids queried
 * from the interface, not from our own records), with run counts; then
 * each chain entry's state. Run counts are the kernel's (bpf_stats),
 * switched on while any chain is configured.
 */
#include <zebra.h>

#include <net/if.h>

#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/northbound_cli.h"
#include "lib/privs.h"
#include "lib/vty.h"

#include "core/dp_nodes.h"
#include "core/dp_plugin.h"
#include "maps/dp_mapdump.h"
#include "maps/dp_maps.h"
#include "chain/chain.h"
#ifndef VTYSH_EXTRACT_PL
#include "chain/chain_show_clippy.c"
#endif

#define CHAIN_SHOW_MAX_IFS 256
#define CHAIN_SHOW_MAX_PROGS 64

/* One program on one hook of one interface. */
struct chain_slot {
	uint16_t prio;	   /* TC: cls_bpf priority; XDP: libxdp run priority */
	uint32_t id;	   /* 0: none there */
	const char *chain; /* its chain entry, NULL: ours or foreign */
	const char *foreign; /* neither ours nor a chain's: why it is there */
	uint8_t position;
	uint16_t priority;
	bool freplace; /* a dispatcher's slot: the kernel counts no runs */
	bool tcx;      /* a tcx program: runs before every cls_bpf filter */
};

struct chain_show_ctx {
	char ifnames[CHAIN_SHOW_MAX_IFS][16];
	int n_ifs;
	struct chain_spec chains[CHAIN_SHOW_MAX_PROGS];
	int n_chains;
	const struct lyd_node *chain_nodes[CHAIN_SHOW_MAX_PROGS];
	uint32_t handles[CHAIN_SHOW_MAX_PROGS];
};

static void chain_show_add_if(struct chain_show_ctx *c, const char *name)
{
	for (int i = 0; i < c->n_ifs; i++)
		if (strmatch(c->ifnames[i], name))
			return;
	if (c->n_ifs < CHAIN_SHOW_MAX_IFS)
		strlcpy(c->ifnames[c->n_ifs++], name, 16);
}

static int chain_show_dp_if_cb(const struct lyd_node *dnode, void *arg)
{
	chain_show_add_if(arg, yang_dnode_get_string(dnode, "./name"));
	return YANG_ITER_CONTINUE;
}

static int chain_show_chain_cb(const struct lyd_node *dnode, void *arg)
{
	struct chain_show_ctx *c = arg;
	struct chain_intf_status st;
	uint32_t id;

	if (c->n_chains >= CHAIN_SHOW_MAX_PROGS)
		return YANG_ITER_STOP;

	chain_spec_of(dnode, &c->chains[c->n_chains]);
	chain_status(c->chains[c->n_chains].name, &id,
		     &c->handles[c->n_chains], &st, 0);
	c->chain_nodes[c->n_chains++] = dnode;
	yang_dnode_iterate(chain_show_dp_if_cb, c, dnode, "./interface");
	return YANG_ITER_CONTINUE;
}

static int chain_show_ifcmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int chain_slot_cmp(const void *a, const void *b)
{
	const struct chain_slot *x = a, *y = b;

	return (int)x->prio - (int)y->prio;
}

/* The program line (text) or object (json) of one slot. */
static void chain_show_prog(struct vty *vty, json_object *jarr,
			    const char *hook, const struct chain_slot *s)
{
	char name[16] = "?";
	uint64_t runs = 0;
	bool known = chain_prog_info(s->id, name, &runs);
	json_object *j;

	if (jarr) {
		j = json_object_new_object();
		if (s->tcx)
			json_object_boolean_add(j, "tcx", true);
		else
			json_object_int_add(j,
					    strmatch(hook, "xdp")
						    ? "runPriority"
						    : "tcPriority",
					    s->prio);
		json_object_int_add(j, "id", s->id);
		json_object_string_add(j, "name", name);
		json_object_boolean_add(j, "ours", !s->chain && !s->foreign);
		if (s->foreign)
			json_object_string_add(j, "note", s->foreign);
		if (s->chain) {
			json_object_string_add(j, "chain", s->chain);
			json_object_string_add(j, "position",
					       s->position == CHAIN_BEFORE
						       ? "before"
						       : "after");
			json_object_int_add(j, "priority", s->priority);
		}
		json_object_int_add(j, "runs",
				    known && !s->freplace ? (int64_t)runs : -1);
		json_object_array_add(jarr, j);
		return;
	}
	if (s->tcx)
		vty_out(vty, "    tcx        id %-6u %-16s", s->id, name);
	else
		vty_out(vty, "    prio %-5u id %-6u %-16s", s->prio, s->id,
			name);
	if (s->foreign)
		vty_out(vty, " %s", s->foreign);
	else if (s->chain)
		vty_out(vty, " chain %s (%s, priority %u)", s->chain,
			s->position == CHAIN_BEFORE ? "before" : "after",
			s->priority);
	else
		vty_out(vty, " ours");
	if (s->freplace)
		vty_out(vty, ", runs not counted (freplace)");
	else if (known)
		vty_out(vty, ", %" PRIu64 " runs", runs);
	vty_out(vty, "\n");
}

/*
 * XDP: libxdp's dispatcher's programs in run order, each named by the
 * chain whose program it is; or the one program attached without it.
 */
static void chain_show_xdp(struct vty *vty, json_object *jif, json_object *jx,
			   const struct chain_show_ctx *c, int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, xq);
	struct chain_xdp_slot xs[CHAIN_SHOW_MAX_PROGS];
	struct chain_slot slot;
	char name[16];
	uint64_t runs;
	int n = chain_xdp_list(ifindex, xs, CHAIN_SHOW_MAX_PROGS);

	frr_with_privs (dp_privs()) {
		if (bpf_xdp_query(ifindex, 0, &xq))
			xq.prog_id = 0;
	}
	if (n >= 0) {
		/* the kernel counts the dispatcher's runs, not its slots' */
		if (!chain_prog_info(xq.prog_id, name, &runs))
			runs = 0;
		if (jif) {
			json_object *jd = json_object_new_object();

			json_object_int_add(jd, "id", xq.prog_id);
			json_object_int_add(jd, "runs", runs);
			json_object_object_add(jif, "xdpDispatcher", jd);
		} else {
			vty_out(vty,
				"  xdp: libxdp dispatcher, id %u, %" PRIu64
				" runs\n",
				xq.prog_id, runs);
		}
		for (int i = 0; i < n; i++) {
			slot = (struct chain_slot){.prio = xs[i].run_prio,
						   .id = xs[i].id,
						   .freplace = true};
			for (int k = 0; k < c->n_chains; k++) {
				struct chain_intf_status st;
				uint32_t id = 0, h;

				if (c->chains[k].hook != CHAIN_HOOK_XDP)
					continue;
				chain_status(c->chains[k].name, &id, &h, &st,
					     0);
				if (id != xs[i].id)
					continue;
				slot.chain = c->chains[k].name;
				slot.position = c->chains[k].position;
				slot.priority = c->chains[k].priority;
			}
			if (!slot.chain && !strmatch(xs[i].name, "dp_xdp_main"))
				slot.foreign = "(not ours, not a chain)";
			chain_show_prog(vty, jx, "xdp", &slot);
		}
		return;
	}
	slot = (struct chain_slot){.id = xq.prog_id};
	if (slot.id && chain_prog_info(slot.id, name, &runs) &&
	    !strmatch(name, "dp_xdp_main"))
		slot.foreign = "(not ours, not a chain)";
	if (!jx)
		vty_out(vty, "  xdp:%s\n", slot.id ? "" : " none");
	if (slot.id)
		chain_show_prog(vty, jx, "xdp", &slot);
}

static void chain_show_if(struct vty *vty, json_object *json,
			  const struct chain_show_ctx *c, const char *ifname)
{
	struct chain_slot slots[CHAIN_SHOW_MAX_PROGS * 2 + 1];
	int ifindex = if_nametoindex(ifname), n = 0, n_tcx = 0;
	json_object *jif = NULL, *jx = NULL, *jt = NULL;

	if (json) {
		jif = json_object_new_object();
		jx = json_object_new_array();
		jt = json_object_new_array();
		json_object_int_add(jif, "ifindex", ifindex);
	} else {
		vty_out(vty, "Interface %s (ifindex %d)\n", ifname, ifindex);
	}
	if (!ifindex) {
		if (json)
			json_object_string_add(jif, "error",
					       "interface does not exist");
		else
			vty_out(vty, "  does not exist\n");
		goto out;
	}
	chain_show_xdp(vty, jif, jx, c, ifindex);

	/* another tool's tcx programs run first: list them first */
	{
		uint32_t ids[CHAIN_SHOW_MAX_PROGS / 2];
		int k = chain_tcx_list(ifindex, ids, array_size(ids));

		n_tcx = k > 0 ? k : 0;
		for (int i = 0; i < k; i++)
			slots[n++] = (struct chain_slot){
				.id = ids[i],
				.tcx = true,
				.foreign = "(tcx: runs before every cls_bpf filter; not ours, not a chain)",
			};
	}
	slots[n] = (struct chain_slot){.prio = DP_TC_PRIO};
	slots[n].id = chain_tc_query(ifindex, DP_TC_PRIO, DP_TC_HANDLE);
	if (slots[n].id)
		n++;
	for (int i = 0; i < c->n_chains; i++) {
		const struct chain_spec *s = &c->chains[i];
		uint16_t prio = chain_tc_prio(s->position, s->priority);

		if (s->hook != CHAIN_HOOK_TC_INGRESS ||
		    !yang_dnode_existsf(c->chain_nodes[i],
					"./interface[name='%s']", ifname))
			continue;
		slots[n] = (struct chain_slot){
			.prio = prio,
			.chain = s->name,
			.position = s->position,
			.priority = s->priority,
		};
		slots[n].id = chain_tc_query(ifindex, prio, c->handles[i]);
		if (slots[n].id)
			n++;
	}
	/* cls_bpf filters by priority; tcx programs stay first, in order */
	qsort(slots + n_tcx, n - n_tcx, sizeof(slots[0]), chain_slot_cmp);
	if (!json)
		vty_out(vty, "  tc-ingress:%s\n", n ? "" : " none");
	for (int i = 0; i < n; i++)
		chain_show_prog(vty, jt, "tc-ingress", &slots[i]);
out:
	if (!json)
		return;
	json_object_object_add(jif, "xdp", jx);
	json_object_object_add(jif, "tcIngress", jt);
	json_object_object_add(json, ifname, jif);
}

static void chain_show_entry(struct vty *vty, json_object *json,
			     const struct chain_spec *s)
{
	struct chain_intf_status st[CHAIN_SHOW_MAX_IFS];
	uint32_t prog_id = 0, handle = 0;
	int n = chain_status(s->name, &prog_id, &handle, st,
			     CHAIN_SHOW_MAX_IFS);
	json_object *j = NULL, *ji;

	if (json) {
		j = json_object_new_object();
		json_object_string_add(j, "object", s->object);
		json_object_string_add(j, "program", s->program);
		json_object_string_add(j, "hook", chain_hook_name(s->hook));
		json_object_string_add(j, "position", s->position == CHAIN_BEFORE
							       ? "before"
							       : "after");
		json_object_int_add(j, "priority", s->priority);
		json_object_int_add(j, "programId", prog_id);
		ji = json_object_new_object();
		for (int i = 0; i < n && i < CHAIN_SHOW_MAX_IFS; i++) {
			json_object *jx = json_object_new_object();

			json_object_boolean_add(jx, "attached", st[i].attached);
			if (!st[i].attached)
				json_object_string_add(jx, "notAttached",
						       st[i].why);
			json_object_object_add(ji, st[i].ifname, jx);
		}
		json_object_object_add(j, "interfaces", ji);
		json_object_object_add(json, s->name, j);
		return;
	}
	vty_out(vty, "Chain %s: %s program %s, %s %s ours, priority %u, program id %u\n",
		s->name, s->object[0] ? s->object : "(no object)",
		s->program[0] ? s->program : "-", chain_hook_name(s->hook),
		s->position == CHAIN_BEFORE ? "before" : "after", s->priority,
		prog_id);
	for (int i = 0; i < n && i < CHAIN_SHOW_MAX_IFS; i++)
		vty_out(vty, "  %s: %s%s\n", st[i].ifname,
			st[i].attached ? "attached" : "not attached: ",
			st[i].attached ? "" : st[i].why);
}

DEFPY(show_ebpf_chain, show_ebpf_chain_cmd,
      "show ebpf chain [json$uj]",
      SHOW_STR
      EBPF_STR
      "Programs on each hook of each interface, in the order they run\n"
      JSON_STR)
{
	struct chain_show_ctx *c;
	const struct lyd_node *ebpf;
	const char *xdp_why;
	json_object *json = NULL, *jifs = NULL, *jchains = NULL;

	if (!dp_maps_ready())
		return dp_show_not_loaded(vty, !!uj);
	c = XCALLOC(MTYPE_TMP, sizeof(*c));
	ebpf = yang_dnode_get(running_config->dnode, "/frr-zebra-ebpf:ebpf");
	if (ebpf) {
		yang_dnode_iterate(chain_show_dp_if_cb, c, ebpf, "./interface");
		yang_dnode_iterate(chain_show_chain_cb, c, ebpf, "./chain");
	}
	qsort(c->ifnames, c->n_ifs, sizeof(c->ifnames[0]), chain_show_ifcmp);
	xdp_why = chain_xdp_refusal();
	if (uj) {
		json = json_object_new_object();
		jifs = json_object_new_object();
		jchains = json_object_new_object();
		json_object_string_add(json, "xdpChaining",
				       xdp_why ? "unavailable" : "available");
		if (xdp_why)
			json_object_string_add(json, "xdpChainingWhy",
					       xdp_why);
	} else {
		vty_out(vty, "XDP chaining: %s%s\n",
			xdp_why ? "unavailable: " : "available",
			xdp_why ? xdp_why : "");
	}
	for (int i = 0; i < c->n_ifs; i++)
		chain_show_if(vty, jifs, c, c->ifnames[i]);
	for (int i = 0; i < c->n_chains; i++)
		chain_show_entry(vty, jchains, &c->chains[i]);
	XFREE(MTYPE_TMP, c);
	if (!json)
		return CMD_SUCCESS;
	json_object_object_add(json, "interfaces", jifs);
	json_object_object_add(json, "chains", jchains);
	return vty_json(vty, json);
}

void chain_show_init(void)
{
	install_element(VIEW_NODE, &show_ebpf_chain_cmd);
}
