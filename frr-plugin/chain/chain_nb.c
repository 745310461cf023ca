// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Northbound callbacks of ebpf/chain, and the chains' state (zebra's main
 * pthread). The program is loaded at PREPARE, when its object, program or
 * hook changes: one that does not open, load or verify fails the commit
 * with the reason, and the chain stays as it was (a boot configuration is
 * applied whole: the failure is then logged and shown, as an interface
 * that does not exist yet is). apply_finish attaches the chain where its
 * configuration says, make-before-break: the new place or program first,
 * then the old place goes, so the traffic the chain lets through never
 * misses it. pre_validate refuses what the hooks cannot hold: XDP where
 * the kernel cannot chain there, two chains at one place of one
 * interface, more XDP programs than libxdp's dispatcher holds.
 */
#include <zebra.h>

#include <net/if.h>

#include <bpf/bpf.h>

#include "lib/hook.h"
#include "lib/northbound.h"
#include "lib/thread.h"
#include "lib/yang.h"
#include "zebra/zebra_router.h"

#include "core/dp_hooks.h"
#include "core/dp_nbutil.h"
#include "core/dp_plugin.h"
#include "maps/dp_sync.h" /* dp_sync_delay() */
#include "chain/chain.h"

DEFINE_MTYPE_STATIC(EBPF, CHAIN, "eBPF chained program");

struct chain_if {
	char ifname[16];
	int ifindex;	 /* attached there, 0: not attached */
	uint16_t prio;	 /* where it is attached */
	uint32_t handle; /* with which handle */
	char why[300];
};

struct chain_ent {
	struct chain_ent *next;
	struct chain_spec spec;
	uint32_t handle; /* cls_bpf handle, the entry's for its life */
	int prog_fd; /* -1: none loaded (XDP: the program verified at PREPARE) */
	uint32_t prog_id;
	struct chain_xdp *xdp; /* hook xdp: the program libxdp attaches */
	char load_error[256];
	uint32_t n_if;
	struct chain_if *ifs;
};

/* A program loaded at PREPARE, waiting for its commit's apply. */
struct chain_pending {
	struct chain_pending *next;
	char name[64];
	int prog_fd;
	char error[256]; /* boot configuration: why it did not load */
};

static struct chain_ent *chains;
static struct chain_pending *pending;
static uint8_t chain_handles[CHAIN_MAX + 1];

static uint32_t chain_handle_get(void)
{
	for (uint32_t h = 1; h <= CHAIN_MAX; h++)
		if (!chain_handles[h]) {
			chain_handles[h] = 1;
			return h;
		}
	return 0;
}

static struct chain_ent **chain_find(const char *name)
{
	struct chain_ent **pc;

	for (pc = &chains; *pc; pc = &(*pc)->next)
		if (strmatch((*pc)->spec.name, name))
			return pc;
	return pc;
}

static struct chain_pending *chain_pending_take(const char *name)
{
	struct chain_pending **pp, *p;

	for (pp = &pending; *pp; pp = &(*pp)->next)
		if (strmatch((*pp)->name, name)) {
			p = *pp;
			*pp = p->next;
			return p;
		}
	return NULL;
}

static void chain_pending_drop(const char *name)
{
	struct chain_pending *p = chain_pending_take(name);

	if (!p)
		return;
	if (p->prog_fd >= 0)
		close(p->prog_fd);
	XFREE(MTYPE_CHAIN, p);
}

void chain_spec_of(const struct lyd_node *dnode, struct chain_spec *s)
{
	memset(s, 0, sizeof(*s));
	strlcpy(s->name, yang_dnode_get_string(dnode, "./name"),
		sizeof(s->name));
	if (yang_dnode_exists(dnode, "./object"))
		strlcpy(s->object, yang_dnode_get_string(dnode, "./object"),
			sizeof(s->object));
	if (yang_dnode_exists(dnode, "./program"))
		strlcpy(s->program, yang_dnode_get_string(dnode, "./program"),
			sizeof(s->program));
	s->hook = strmatch(yang_dnode_get_string(dnode, "./hook"), "xdp")
			  ? CHAIN_HOOK_XDP
			  : CHAIN_HOOK_TC_INGRESS;
	s->position = strmatch(yang_dnode_get_string(dnode, "./position"),
			       "after")
			      ? CHAIN_AFTER
			      : CHAIN_BEFORE;
	s->priority = yang_dnode_get_uint16(dnode, "./priority");
}

/* ------------------------------------------------------ attach, detach */

static void chain_if_detach(struct chain_ent *c, struct chain_if *ci)
{
	if (ci->ifindex && c->spec.hook == CHAIN_HOOK_XDP)
		chain_xdp_release(c->xdp, c->spec.name, ci->ifindex);
	else if (ci->ifindex)
		chain_tc_detach(ci->ifindex, ci->prio, ci->handle);
	ci->ifindex = 0;
}

/*
 * XDP: each commit of a chain opens its program afresh (libxdp fixes the
 * run priority when it links a program), so a changed place is a new
 * program joining the dispatcher before the old one leaves.
 */
static void chain_if_sync_xdp(struct chain_ent *c, struct chain_if *ci,
			      int ifindex)
{
	if (!c->xdp) {
		snprintf(ci->why, sizeof(ci->why), "%s",
			 c->load_error[0] ? c->load_error
					  : "the program did not open");
		ci->ifindex = 0;
		return;
	}
	if (ci->ifindex == ifindex)
		return;
	if (chain_xdp_attach(c->xdp, ifindex, ci->why, sizeof(ci->why))) {
		ci->ifindex = 0;
		return;
	}
	ci->ifindex = ifindex;
	c->prog_id = chain_xdp_id(c->xdp);
	chain_xdp_adopt(c->xdp, c->spec.name, ifindex);
}

/*
 * ci where the spec and the program say, now: attach at the new place
 * (replacing what is there), then leave the old one.
 */
static void chain_if_sync(struct chain_ent *c, struct chain_if *ci)
{
	uint16_t prio = chain_tc_prio(c->spec.position, c->spec.priority);
	int ifindex = if_nametoindex(ci->ifname);

	ci->why[0] = '\0';
	if (c->prog_fd < 0) {
		snprintf(ci->why, sizeof(ci->why), "no program loaded: %s",
			 c->load_error[0] ? c->load_error : "none configured");
		chain_if_detach(c, ci);
		return;
	}
	if (!ifindex) {
		snprintf(ci->why, sizeof(ci->why),
			 "interface %s does not exist", ci->ifname);
		/* gone with its filters */
		ci->ifindex = 0;
		return;
	}
	if (c->spec.hook == CHAIN_HOOK_XDP) {
		chain_if_sync_xdp(c, ci, ifindex);
		return;
	}
	if (chain_tc_attach(ifindex, prio, c->handle, c->prog_fd, ci->why,
			    sizeof(ci->why))) {
		chain_if_detach(c, ci);
		return;
	}
	if (ci->ifindex && (ci->ifindex != ifindex || ci->prio != prio))
		chain_tc_detach(ci->ifindex, ci->prio, ci->handle);
	ci->ifindex = ifindex;
	ci->prio = prio;
	ci->handle = c->handle;
}

static void chain_ent_free(struct chain_ent *c, bool keep_handle)
{
	for (uint32_t i = 0; i < c->n_if; i++)
		chain_if_detach(c, &c->ifs[i]);
	if (!keep_handle)
		chain_handles[c->handle] = 0;
	if (c->prog_fd >= 0)
		close(c->prog_fd);
	chain_xdp_close(c->xdp);
	XFREE(MTYPE_CHAIN, c->ifs);
	XFREE(MTYPE_CHAIN, c);
}

static void chain_stats_update(void)
{
	chain_stats_enable(chains != NULL);
}

/* ------------------------------------------------------------ callbacks */

static int chain_nb_create(struct nb_cb_create_args *args)
{
	return NB_OK;
}

static int chain_nb_destroy(struct nb_cb_destroy_args *args)
{
	struct chain_ent **pc, *c;

	if (args->event != NB_EV_APPLY)
		return NB_OK;
	pc = chain_find(yang_dnode_get_string(args->dnode, "./name"));
	c = *pc;
	if (!c)
		return NB_OK;
	*pc = c->next;
	chain_ent_free(c, false);
	chain_stats_update();
	return NB_OK;
}

/*
 * object, program or hook changed: load at PREPARE, so that a program
 * that does not load fails the commit with the reason.
 */
static int chain_nb_load(enum nb_event event, const struct nb_context *ctx,
			 const struct lyd_node *leaf, char *errmsg,
			 size_t errmsg_len)
{
	const struct lyd_node *entry = lyd_parent(leaf);
	struct chain_pending *p;
	struct chain_spec s;
	char err[256];
	int fd;

	chain_spec_of(entry, &s);
	switch (event) {
	case NB_EV_PREPARE:
		chain_pending_drop(s.name);
		if (!s.object[0] || !s.program[0])
			return NB_OK; /* the model says both, or neither */
		if (s.hook == CHAIN_HOOK_XDP && chain_xdp_refusal())
			return NB_OK; /* refused at validation */
		fd = chain_prog_load(s.object, s.program, s.hook, err,
				     sizeof(err));
		if (fd < 0 && !dp_nb_allow_absent(ctx)) {
			snprintf(errmsg, errmsg_len, "chain %s: %s", s.name,
				 err);
			return NB_ERR_RESOURCE;
		}
		p = XCALLOC(MTYPE_CHAIN, sizeof(*p));
		strlcpy(p->name, s.name, sizeof(p->name));
		p->prog_fd = fd;
		if (fd < 0) {
			strlcpy(p->error, err, sizeof(p->error));
			zlog_warn("ebpf: chain %s: %s", s.name, err);
		}
		p->next = pending;
		pending = p;
		return NB_OK;
	case NB_EV_ABORT:
		chain_pending_drop(s.name);
		return NB_OK;
	default:
		return NB_OK;
	}
}

static int chain_nb_leaf_modify(struct nb_cb_modify_args *args)
{
	return chain_nb_load(args->event, args->context, args->dnode,
			     args->errmsg, args->errmsg_len);
}

static int chain_nb_leaf_destroy(struct nb_cb_destroy_args *args)
{
	return NB_OK;
}

static int chain_intf_cb(const struct lyd_node *dnode, void *arg)
{
	struct chain_ent *c = arg;

	strlcpy(c->ifs[c->n_if++].ifname,
		yang_dnode_get_string(dnode, "./name"), sizeof(c->ifs[0].ifname));
	return YANG_ITER_CONTINUE;
}

static void chain_nb_apply_finish(struct nb_cb_apply_finish_args *args)
{
	struct chain_ent **pc = chain_find(
		yang_dnode_get_string(args->dnode, "./name"));
	struct chain_ent *c = *pc, *old;
	struct chain_pending *p;
	bool keep_xdp;
	uint32_t n = 0;

	old = c;
	c = XCALLOC(MTYPE_CHAIN, sizeof(*c));
	c->prog_fd = -1;
	c->handle = old ? old->handle : chain_handle_get();
	chain_spec_of(args->dnode, &c->spec);
	yang_dnode_iterate(dp_nb_count_cb, &n, args->dnode, "./interface");
	c->ifs = XCALLOC(MTYPE_CHAIN, sizeof(*c->ifs) * (n ? n : 1));
	yang_dnode_iterate(chain_intf_cb, c, args->dnode, "./interface");

	p = chain_pending_take(c->spec.name);
	if (p) {
		c->prog_fd = p->prog_fd;
		strlcpy(c->load_error, p->error, sizeof(c->load_error));
		XFREE(MTYPE_CHAIN, p);
	} else if (old && old->prog_fd >= 0 && c->spec.object[0]) {
		/* the same program: keep it */
		c->prog_fd = fcntl(old->prog_fd, F_DUPFD_CLOEXEC, 3);
	} else if (old) {
		strlcpy(c->load_error, old->load_error, sizeof(c->load_error));
	}
	c->prog_id = dp_prog_id(c->prog_fd);
	/*
	 * At XDP libxdp fixes a program's run priority when it links it: the
	 * same program at the same place stays (only interfaces changed), a
	 * new place or program is a new program that takes the old one's
	 * place (chain_xdp_adopt).
	 */
	keep_xdp = old && !p && old->xdp && c->spec.hook == CHAIN_HOOK_XDP &&
		   old->spec.hook == CHAIN_HOOK_XDP &&
		   old->spec.position == c->spec.position &&
		   old->spec.priority == c->spec.priority;
	if (c->spec.hook == CHAIN_HOOK_XDP && !keep_xdp) {
		c->prog_id = 0; /* the dispatcher's copy's, once attached */
		if (c->prog_fd >= 0)
			c->xdp = chain_xdp_open(
				c->spec.object, c->spec.program,
				chain_xdp_prio(c->spec.position,
					       c->spec.priority),
				c->load_error, sizeof(c->load_error));
	}

	/* where the old entry is attached at TC, or with the same XDP
	 * program, the new one takes over */
	for (uint32_t i = 0; old && i < c->n_if &&
			     ((c->spec.hook == CHAIN_HOOK_TC_INGRESS &&
			       old->spec.hook == CHAIN_HOOK_TC_INGRESS) ||
			      keep_xdp);
	     i++)
		for (uint32_t j = 0; j < old->n_if; j++)
			if (strmatch(c->ifs[i].ifname, old->ifs[j].ifname)) {
				c->ifs[i].ifindex = old->ifs[j].ifindex;
				c->ifs[i].prio = old->ifs[j].prio;
				c->ifs[i].handle = old->ifs[j].handle;
				old->ifs[j].ifindex = 0;
			}
	if (keep_xdp) {
		/* interfaces no longer configured let go of it first */
		for (uint32_t j = 0; j < old->n_if; j++)
			chain_if_detach(old, &old->ifs[j]);
		c->xdp = old->xdp;
		c->prog_id = old->prog_id;
		old->xdp = NULL;
	}
	for (uint32_t i = 0; i < c->n_if; i++)
		chain_if_sync(c, &c->ifs[i]);
	/* at XDP the new program took the old one's place already */
	for (uint32_t i = 0; old && i < c->n_if; i++)
		for (uint32_t j = 0; j < old->n_if; j++)
			if (c->spec.hook == CHAIN_HOOK_XDP &&
			    old->spec.hook == CHAIN_HOOK_XDP &&
			    c->ifs[i].ifindex &&
			    c->ifs[i].ifindex == old->ifs[j].ifindex)
				old->ifs[j].ifindex = 0;
	if (old) {
		c->next = old->next;
		*pc = c;
		chain_ent_free(old, true); /* detaches what was not taken over */
	} else {
		*pc = c;
	}
	chain_stats_update();
}

/* XPath: ebpf/chain/interface */
static int chain_nb_intf_create(struct nb_cb_create_args *args)
{
	const char *ifname;

	if (args->event != NB_EV_VALIDATE || dp_nb_allow_absent(args->context))
		return NB_OK;
	ifname = yang_dnode_get_string(args->dnode, "./name");
	if (!if_nametoindex(ifname)) {
		snprintf(args->errmsg, args->errmsg_len,
			 "interface %s does not exist", ifname);
		return NB_ERR_VALIDATION;
	}
	return NB_OK;
}

/* ----------------------------------------------------------- validation */

struct chain_place {
	const char *chain;
	const char *ifname;
	uint8_t hook;
	uint8_t position;
	uint16_t priority;
};

struct chain_validate_ctx {
	struct chain_place *places;
	uint32_t n, max;
	const struct chain_spec *s;
	const char *chain;
	char *errmsg;
	size_t errmsg_len;
	bool failed;
};

static int chain_validate_intf_cb(const struct lyd_node *dnode, void *arg)
{
	struct chain_validate_ctx *v = arg;
	const char *ifname = yang_dnode_get_string(dnode, "./name");
	uint32_t n_xdp = v->s->hook == CHAIN_HOOK_XDP;

	for (uint32_t i = 0; i < v->n; i++) {
		struct chain_place *p = &v->places[i];

		if (!strmatch(p->ifname, ifname) || p->hook != v->s->hook)
			continue;
		if (p->hook == CHAIN_HOOK_XDP &&
		    ++n_xdp > CHAIN_XDP_MAX_PER_INTF) {
			snprintf(v->errmsg, v->errmsg_len,
				 "chain %s: more than %u chains at hook xdp on %s: libxdp's dispatcher runs 10 programs, ours among them",
				 v->chain, CHAIN_XDP_MAX_PER_INTF, ifname);
			v->failed = true;
			return YANG_ITER_STOP;
		}
		if (p->position != v->s->position ||
		    p->priority != v->s->priority)
			continue;
		snprintf(v->errmsg, v->errmsg_len,
			 "chain %s: chains %s and %s both take %s priority %u on %s: give one another priority",
			 v->chain, p->chain, v->chain,
			 v->s->position == CHAIN_BEFORE ? "before" : "after",
			 v->s->priority, ifname);
		v->failed = true;
		return YANG_ITER_STOP;
	}
	if (v->n >= v->max)
		return YANG_ITER_STOP;
	v->places[v->n++] = (struct chain_place){
		.chain = v->chain,
		.ifname = ifname,
		.hook = v->s->hook,
		.position = v->s->position,
		.priority = v->s->priority,
	};
	return YANG_ITER_CONTINUE;
}

static int chain_validate_cb(const struct lyd_node *dnode, void *arg)
{
	struct chain_validate_ctx *v = arg;
	struct chain_spec s;
	const char *why;

	chain_spec_of(dnode, &s);
	v->s = &s;
	v->chain = yang_dnode_get_string(dnode, "./name");
	why = s.hook == CHAIN_HOOK_XDP ? chain_xdp_refusal() : NULL;
	if (why) {
		snprintf(v->errmsg, v->errmsg_len, "chain %s: hook xdp: %s",
			 v->chain, why);
		v->failed = true;
		return YANG_ITER_STOP;
	}
	yang_dnode_iterate(chain_validate_intf_cb, v, dnode, "./interface");
	return v->failed ? YANG_ITER_STOP : YANG_ITER_CONTINUE;
}

/* On the first chain of the candidate: the checks across chains, once. */
static int chain_nb_pre_validate(struct nb_cb_pre_validate_args *args)
{
	const struct lyd_node *ebpf = lyd_parent(args->dnode);
	struct chain_validate_ctx v = {
		.max = 4096,
		.errmsg = args->errmsg,
		.errmsg_len = args->errmsg_len,
	};

	uint32_t n = 0;

	if (!dp_nb_first_entry(args->dnode))
		return NB_OK;
	yang_dnode_iterate(dp_nb_count_cb, &n, ebpf, "./chain");
	if (n > CHAIN_MAX) {
		snprintf(args->errmsg, args->errmsg_len,
			 "%u chain entries: at most %u", n, CHAIN_MAX);
		return NB_ERR_VALIDATION;
	}
	v.places = XCALLOC(MTYPE_TMP, sizeof(*v.places) * v.max);
	yang_dnode_iterate(chain_validate_cb, &v, ebpf, "./chain");
	XFREE(MTYPE_TMP, v.places);
	return v.failed ? NB_ERR_VALIDATION : NB_OK;
}

/* ------------------------------------------------- following interfaces */

/* Main pthread: an interface appeared or changed; chains follow names. */
static void chain_links_changed(struct thread *t)
{
	for (struct chain_ent *c = chains; c; c = c->next)
		for (uint32_t i = 0; i < c->n_if; i++) {
			struct chain_if *ci = &c->ifs[i];
			int ifindex = if_nametoindex(ci->ifname);

			if (ifindex != ci->ifindex ||
			    (!ci->ifindex && c->prog_fd >= 0))
				chain_if_sync(c, ci);
		}
}

static struct thread *t_links;

static int chain_link_appeared(int ifindex, const char *name)
{
	thread_add_event(zrouter.master, chain_links_changed, NULL, 0,
			 &t_links);
	return 0;
}

static int chain_link_changed(int ifindex, bool egress_changed)
{
	thread_add_event(zrouter.master, chain_links_changed, NULL, 0,
			 &t_links);
	return 0;
}

int chain_status(const char *name, uint32_t *prog_id, uint32_t *handle,
		 struct chain_intf_status *st, int max)
{
	struct chain_ent *c = *chain_find(name);

	if (!c)
		return -1;
	*prog_id = c->prog_id;
	*handle = c->handle;
	for (uint32_t i = 0; i < c->n_if && (int)i < max; i++) {
		strlcpy(st[i].ifname, c->ifs[i].ifname, sizeof(st[i].ifname));
		st[i].ifindex = c->ifs[i].ifindex;
		st[i].attached = c->ifs[i].ifindex != 0;
		strlcpy(st[i].why, c->ifs[i].why, sizeof(st[i].why));
	}
	return c->n_if;
}

/* ------------------------------------------------------------------ init */

/* `no ebpf`: libfrr calls no callback below the deleted block. */
static int chain_config_removed(const struct lyd_node *ebpf)
{
	chain_fini();
	return 0;
}

/* An XDP program pinned for chain name on ifindex is that chain's. */
static bool chain_xdp_claimed(const char *name, int ifindex)
{
	struct chain_ent *c = *chain_find(name);

	for (uint32_t i = 0; c && c->spec.hook == CHAIN_HOOK_XDP && i < c->n_if;
	     i++)
		if (c->ifs[i].ifindex == ifindex)
			return true;
	return false;
}

static struct thread *t_sweep;

/* An earlier run's XDP chains that this run's configuration no longer
 * has: swept as long after start as the maps' stale entries are
 * (maps/dp_sync.h), time for `vtysh -b` to have applied frr.conf. */
static void chain_sweep(struct thread *t)
{
	if (!chain_xdp_refusal())
		chain_xdp_sweep(chain_xdp_claimed);
}

void chain_init(void)
{
	hook_register(dp_config_removed, chain_config_removed);
	hook_register(dp_link_appeared, chain_link_appeared);
	hook_register(dp_link_changed, chain_link_changed);
	thread_add_timer(zrouter.master, chain_sweep, NULL, dp_sync_delay(),
			 &t_sweep);
}

/* Shutdown or `no ebpf`: every chained program comes off. */
void chain_fini(void)
{
	THREAD_OFF(t_sweep);
	while (chains) {
		struct chain_ent *c = chains;

		chains = c->next;
		chain_ent_free(c, false);
	}
	chain_stats_update();
}

#define CHAIN_LOAD_LEAF(path)                                                  \
	{                                                                      \
		.xpath = CHAIN_XPATH path, .cbs = {                            \
			.modify = chain_nb_leaf_modify,                        \
			.destroy = chain_nb_leaf_destroy,                      \
		}                                                              \
	}

/* clang-format off */
const struct frr_yang_module_info chain_nb_info = {
	.name = "frr-zebra-ebpf",
	.nodes = {
		{
			.xpath = CHAIN_XPATH,
			.cbs = {
				.create = chain_nb_create,
				.destroy = chain_nb_destroy,
				.pre_validate = chain_nb_pre_validate,
				.apply_finish = chain_nb_apply_finish,
				.cli_show = chain_cli_show,
				.cli_show_end = chain_cli_show_end,
				.cli_cmp = chain_cli_cmp,
			},
		},
		CHAIN_LOAD_LEAF("/object"),
		CHAIN_LOAD_LEAF("/program"),
		{ .xpath = CHAIN_XPATH "/hook",
		  .cbs = { .modify = chain_nb_leaf_modify } },
		{ .xpath = CHAIN_XPATH "/position",
		  .cbs = { .modify = dp_nb_noop_modify } },
		{ .xpath = CHAIN_XPATH "/priority",
		  .cbs = { .modify = dp_nb_noop_modify } },
		{
			.xpath = CHAIN_XPATH "/interface",
			.cbs = {
				.create = chain_nb_intf_create,
				.destroy = dp_nb_noop_destroy,
			},
		},
		{
			.xpath = NULL,
		},
	}
};
/* clang-format on */
