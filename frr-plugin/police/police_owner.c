// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The policer maps, written on the owner pthread (police.h). Each attach
 * point of a policer has a datapath id: policer_map[id] says what it
 * meters and does, policer_state_map[id] is its buckets (set full when
 * the meter is new or changed), policer_stats_map its per-CPU counters
 * (zeroed when the id is given out). The attach maps name ids:
 * policer_intf_map by ifindex, policer_match_map by direction and prefix,
 * policer_vip_map by VIP id.
 *
 * An attach point is in its map while what it names exists: interfaces
 * are followed through dp_link_appeared / dp_link_changed, VIPs through
 * lb_vip_id_changed (lb/lb.h), which tells every VIP id given out or
 * given up, so this file keeps its own copy of the VIP names' ids and
 * never calls into lb/.
 *
 * Ids are handed out round-robin: an id given up is the last to be given
 * again, so a packet that read an attach entry just before its removal
 * meets a cleared policer_map entry (mode 0: not metered), not another
 * policer.
 */
#include <zebra.h>

#include <pthread.h>
#include <net/if.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/hook.h"
#include "lib/memory.h"
#include "lib/prefix.h"
#include "lib/privs.h"
#include "lib/thread.h"

#include "dp_abi.h"
#include "core/dp_hooks.h"
#include "core/dp_plugin.h"
#include "core/dp_stall.h"
#include "maps/dp_maps.h"
#include "lb/lb.h"
#include "police/police.h"

DEFINE_MTYPE_STATIC(EBPF, POLICE, "eBPF policer");

struct police_inst {
	struct police_at_status st;
	/* the attach map's key while installed */
	uint32_t ifindex;
	uint32_t vip_id;
	struct dp_police_match_key mkey;
};

struct police_pol {
	struct police_pol *next;
	char name[64];
	struct dp_policer pol;
	uint32_t n;
	struct police_inst *inst;
};

/* A VIP name's datapath id, as lb/ announced it. */
struct police_vip {
	struct police_vip *next;
	char name[64];
	uint32_t vip_id;
};

static struct {
	pthread_mutex_t mtx; /* owner writes, show reads */
	struct police_pol *pols;
	struct police_vip *vips;
	uint8_t used[DP_POLICERS_MAX]; /* id 0 is never given */
	uint32_t n_used;
	uint32_t next_id;
	uint32_t installed[4]; /* attach entries in the maps, by flag below */
	bool started;
} police = {.mtx = PTHREAD_MUTEX_INITIALIZER, .next_id = 1};

/* ------------------------------------------------------------------ ids */

static uint32_t police_id_get(void)
{
	for (uint32_t i = 0; i < DP_POLICERS_MAX - 1; i++) {
		uint32_t id = police.next_id;

		police.next_id = id + 1 < DP_POLICERS_MAX ? id + 1 : 1;
		if (!police.used[id]) {
			police.used[id] = 1;
			police.n_used++;
			return id;
		}
	}
	return 0;
}

static void police_id_put(uint32_t id)
{
	struct dp_policer none = {};

	if (!id || !police.used[id])
		return;
	bpf_map_update_elem(dp_map_fd(DP_MAP_POLICER), &id, &none, BPF_ANY);
	police.used[id] = 0;
	police.n_used--;
}

/* Counters of a new id start from zero. */
static void police_stats_zero(uint32_t id)
{
	int ncpu = libbpf_num_possible_cpus();
	struct dp_policer_stats *zero;

	if (ncpu <= 0)
		return;
	zero = XCALLOC(MTYPE_TMP, sizeof(*zero) * ncpu);
	for (uint32_t c = 0; c < DP_COLOURS; c++) {
		uint32_t idx = id * DP_COLOURS + c;

		bpf_map_update_elem(dp_map_fd(DP_MAP_POLICER_STATS), &idx,
				    zero, BPF_ANY);
	}
	XFREE(MTYPE_TMP, zero);
}

/* Buckets full, as the RFCs start a meter, from now. */
static void police_state_init(uint32_t id, const struct dp_policer_conf *c)
{
	struct dp_policer_state st;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns's clock */
	st.last_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	st.tokens = (uint64_t)c->cbs << 32 | c->ebs_or_pbs;
	bpf_map_update_elem(dp_map_fd(DP_MAP_POLICER_STATE), &id, &st,
			    BPF_ANY);
}

/* ------------------------------------------------------- attach points */

static uint32_t police_vip_id(const char *name)
{
	for (struct police_vip *v = police.vips; v; v = v->next)
		if (strmatch(v->name, name))
			return v->vip_id;
	return 0;
}

/* The meta flag of an attach point's kind (matches by direction), and
 * its slot in police.installed. */
static const uint32_t police_flags[4] = {
	DP_META_F_POLICE_INTF, DP_META_F_POLICE_SRC, DP_META_F_POLICE_DST,
	DP_META_F_POLICE_VIP};

static int police_slot(const struct police_at *at)
{
	switch (at->kind) {
	case POLICE_AT_INTF:
		return 0;
	case POLICE_AT_MATCH:
		return at->dir == DP_POLICE_MATCH_SRC ? 1 : 2;
	default:
		return 3;
	}
}

static void police_count(const struct police_at *at, int delta)
{
	uint32_t want = 0;

	police.installed[police_slot(at)] += delta;
	for (int i = 0; i < 4; i++)
		if (police.installed[i])
			want |= police_flags[i];
	dp_meta_set_flags(DP_META_F_POLICE, want);
}

static void police_inst_detach(struct police_inst *in)
{
	if (!in->st.installed)
		return;
	switch (in->st.at.kind) {
	case POLICE_AT_INTF:
		bpf_map_delete_elem(dp_map_fd(DP_MAP_POLICER_INTF),
				    &in->ifindex);
		break;
	case POLICE_AT_MATCH:
		bpf_map_delete_elem(dp_map_fd(DP_MAP_POLICER_MATCH),
				    &in->mkey);
		break;
	case POLICE_AT_VIP: {
		uint32_t none = 0;

		bpf_map_update_elem(dp_map_fd(DP_MAP_POLICER_VIP),
				    &in->vip_id, &none, BPF_ANY);
		break;
	}
	}
	in->st.installed = false;
	in->st.target = 0;
	police_count(&in->st.at, -1);
}

static void police_inst_remove(struct police_inst *in)
{
	police_inst_detach(in);
	police_id_put(in->st.id);
	in->st.id = 0;
}

static void police_match_key(const struct police_at *at,
			     struct dp_police_match_key *k,
			     struct dp_police_match *m)
{
	const struct prefix *p = &at->prefix;

	memset(k, 0, sizeof(*k));
	memset(m, 0, sizeof(*m));
	k->prefixlen = 32 + p->prefixlen;
	k->dir_family = at->dir | p->family; /* AF_INET or AF_INET6 */
	memcpy(k->addr, &p->u.prefix, p->family == AF_INET ? 4 : 16);
	m->proto = at->proto;
	m->dport = htons(at->port);
}

/* The attach map's entry for in, as what it names is now. */
static void police_inst_attach(struct police_inst *in)
{
	const struct police_at *at = &in->st.at;
	struct dp_police_match m;
	uint32_t target = 0;
	int fd, ret;

	in->st.why[0] = '\0';
	switch (at->kind) {
	case POLICE_AT_INTF:
		target = if_nametoindex(at->name);
		if (!target)
			snprintf(in->st.why, sizeof(in->st.why),
				 "interface %s does not exist", at->name);
		break;
	case POLICE_AT_VIP:
		target = police_vip_id(at->name);
		if (!target)
			snprintf(in->st.why, sizeof(in->st.why),
				 "VIP %s is not in the datapath", at->name);
		break;
	default:
		target = 1;
		break;
	}
	if (in->st.installed && target != in->st.target)
		police_inst_detach(in);
	if (!target)
		return;

	switch (at->kind) {
	case POLICE_AT_INTF:
		in->ifindex = target;
		ret = bpf_map_update_elem(dp_map_fd(DP_MAP_POLICER_INTF),
					  &in->ifindex, &in->st.id, BPF_ANY);
		break;
	case POLICE_AT_VIP:
		in->vip_id = target;
		ret = bpf_map_update_elem(dp_map_fd(DP_MAP_POLICER_VIP),
					  &in->vip_id, &in->st.id, BPF_ANY);
		break;
	default:
		police_match_key(at, &in->mkey, &m);
		m.policer_id = in->st.id;
		fd = dp_map_fd(DP_MAP_POLICER_MATCH);
		ret = bpf_map_update_elem(fd, &in->mkey, &m, BPF_ANY);
		break;
	}
	if (ret) {
		snprintf(in->st.why, sizeof(in->st.why),
			 "the attach map refused it: %s",
			 safe_strerror(errno));
		police_inst_detach(in);
		return;
	}
	if (!in->st.installed)
		police_count(at, 1);
	in->st.installed = true;
	in->st.target = target;
}

/* policer_map and the buckets of in's id, then its attach entry. */
static void police_inst_sync(struct police_pol *p, struct police_inst *in,
			     bool meter_changed)
{
	bool fresh = false;

	if (!dp_maps_ready()) {
		snprintf(in->st.why, sizeof(in->st.why),
			 "the datapath is not loaded");
		return;
	}
	if (!in->st.id) {
		in->st.id = police_id_get();
		if (!in->st.id) {
			snprintf(in->st.why, sizeof(in->st.why),
				 "no policer id left (the datapath holds %u attach points)",
				 DP_POLICERS_MAX - 1);
			return;
		}
		police_stats_zero(in->st.id);
		fresh = true;
	}
	if (fresh || meter_changed)
		police_state_init(in->st.id, &p->pol.meter);
	/* before the attach entry: a packet never meets an id without its
	 * meter */
	bpf_map_update_elem(dp_map_fd(DP_MAP_POLICER), &in->st.id, &p->pol,
			    BPF_ANY);
	police_inst_attach(in);
}

/* ---------------------------------------------------------- policers */

static struct police_pol **police_find(const char *name)
{
	struct police_pol **pp;

	for (pp = &police.pols; *pp; pp = &(*pp)->next)
		if (strmatch((*pp)->name, name))
			return pp;
	return pp;
}

/* p takes spec: attach points it keeps keep their ids and buckets. */
static void police_pol_apply(struct police_pol *p,
			     const struct police_spec *spec)
{
	struct police_inst *inst = XCALLOC(
		MTYPE_POLICE, sizeof(*inst) * (spec->n_at ? spec->n_at : 1));
	bool meter_changed =
		memcmp(&p->pol.meter, &spec->pol.meter, sizeof(p->pol.meter));

	for (uint32_t i = 0; i < spec->n_at; i++) {
		inst[i].st.at = spec->at[i];
		for (uint32_t j = 0; j < p->n; j++) {
			struct police_inst *old = &p->inst[j];

			if (!old->st.id ||
			    !police_at_same(&old->st.at, &spec->at[i]))
				continue;
			inst[i] = *old;
			inst[i].st.at = spec->at[i];
			old->st.id = 0; /* carried over */
			old->st.installed = false;
			break;
		}
	}
	for (uint32_t j = 0; j < p->n; j++)
		police_inst_remove(&p->inst[j]);
	XFREE(MTYPE_POLICE, p->inst);
	p->inst = inst;
	p->n = spec->n_at;
	p->pol = spec->pol;
	for (uint32_t i = 0; i < p->n; i++)
		police_inst_sync(p, &p->inst[i], meter_changed);
}

static void police_pol_remove(struct police_pol **pp)
{
	struct police_pol *p = *pp;

	for (uint32_t i = 0; i < p->n; i++)
		police_inst_remove(&p->inst[i]);
	*pp = p->next;
	XFREE(MTYPE_POLICE, p->inst);
	XFREE(MTYPE_POLICE, p);
}

/* Every attach point of a kind checked again (what it names changed). */
static void police_resync(uint8_t kind)
{
	for (struct police_pol *p = police.pols; p; p = p->next)
		for (uint32_t i = 0; i < p->n; i++)
			if (p->inst[i].st.at.kind == kind)
				police_inst_sync(p, &p->inst[i], false);
}

/* ------------------------------------------------------ owner's events */

#define POLICE_OWNER_BEGIN()                                                   \
	DP_STALL_BEGIN(DP_STALL_LB);                                           \
	pthread_mutex_lock(&police.mtx);                                       \
	frr_with_privs (dp_privs())
#define POLICE_OWNER_END()                                                     \
	pthread_mutex_unlock(&police.mtx);                                     \
	DP_STALL_END(DP_STALL_LB)

static void police_owner_spec(struct thread *t)
{
	struct police_spec *spec = THREAD_ARG(t);
	struct police_pol **pp, *p;

	POLICE_OWNER_BEGIN() {
		pp = police_find(spec->name);
		p = *pp;
		if (!p) {
			p = XCALLOC(MTYPE_POLICE, sizeof(*p));
			strlcpy(p->name, spec->name, sizeof(p->name));
			*pp = p;
		}
		police_pol_apply(p, spec);
	}
	POLICE_OWNER_END();
	XFREE(MTYPE_TMP, spec);
}

void police_owner_post(struct police_spec *spec)
{
	dp_owner_post(police_owner_spec, spec);
}

static void police_owner_del(struct thread *t)
{
	char *name = THREAD_ARG(t);
	struct police_pol **pp;

	POLICE_OWNER_BEGIN() {
		pp = police_find(name);
		if (*pp)
			police_pol_remove(pp);
	}
	POLICE_OWNER_END();
	XFREE(MTYPE_TMP, name);
}

void police_owner_post_del(const char *name)
{
	dp_owner_post(police_owner_del, XSTRDUP(MTYPE_TMP, name));
}

static void police_owner_del_all(struct thread *t)
{
	POLICE_OWNER_BEGIN() {
		while (police.pols)
			police_pol_remove(&police.pols);
	}
	POLICE_OWNER_END();
}

void police_owner_post_del_all(void)
{
	dp_owner_post(police_owner_del_all, NULL);
}

static void police_owner_resync(uint8_t kind)
{
	if (!police.started || !police.pols)
		return;
	POLICE_OWNER_BEGIN() {
		police_resync(kind);
	}
	POLICE_OWNER_END();
}

static int police_link_appeared(int ifindex, const char *name)
{
	police_owner_resync(POLICE_AT_INTF);
	return 0;
}

static int police_link_changed(int ifindex, bool egress_changed)
{
	police_owner_resync(POLICE_AT_INTF);
	return 0;
}

/* lb.mtx is held: nothing here calls into lb/. */
static int police_vip_id_changed(const char *name, uint32_t vip_id)
{
	struct police_vip **pv, *v;

	pthread_mutex_lock(&police.mtx);
	for (pv = &police.vips; *pv; pv = &(*pv)->next)
		if (strmatch((*pv)->name, name))
			break;
	v = *pv;
	if (vip_id && !v) {
		v = XCALLOC(MTYPE_POLICE, sizeof(*v));
		strlcpy(v->name, name, sizeof(v->name));
		*pv = v;
	}
	if (v)
		v->vip_id = vip_id;
	if (v && !vip_id) {
		*pv = v->next;
		XFREE(MTYPE_POLICE, v);
	}
	pthread_mutex_unlock(&police.mtx);
	police_owner_resync(POLICE_AT_VIP);
	return 0;
}

void police_owner_init(void)
{
	hook_register(dp_link_appeared, police_link_appeared);
	hook_register(dp_link_changed, police_link_changed);
	hook_register(lb_vip_id_changed, police_vip_id_changed);
}

/*
 * What an earlier run left in the maps names ids of that run: every
 * meter is cleared and every VIP's policer slot emptied (the attach
 * hashes were emptied with the rebuilt maps, maps/dp_maps.c).
 */
void police_owner_start(void)
{
	struct dp_policer none = {};
	uint32_t zero = 0;

	pthread_mutex_lock(&police.mtx);
	if (dp_maps_ready()) {
		frr_with_privs (dp_privs()) {
			int vfd = dp_map_fd(DP_MAP_POLICER_VIP);
			uint32_t nvip = dp_map_max_entries(DP_MAP_POLICER_VIP);

			for (uint32_t id = 0; id < DP_POLICERS_MAX; id++)
				bpf_map_update_elem(dp_map_fd(DP_MAP_POLICER),
						    &id, &none, BPF_ANY);
			for (uint32_t i = 0; i < nvip; i++)
				bpf_map_update_elem(vfd, &i, &zero, BPF_ANY);
		}
	}
	police.started = true;
	pthread_mutex_unlock(&police.mtx);
}

int police_owner_status(const char *name, struct police_at_status *st,
			uint32_t max)
{
	struct police_pol *p;
	int n = -1;

	pthread_mutex_lock(&police.mtx);
	p = *police_find(name);
	if (p) {
		n = p->n;
		for (uint32_t i = 0; i < p->n && i < max; i++)
			st[i] = p->inst[i].st;
	}
	pthread_mutex_unlock(&police.mtx);
	return n;
}

void police_owner_ids(uint32_t *used, uint32_t *max)
{
	pthread_mutex_lock(&police.mtx);
	*used = police.n_used;
	*max = DP_POLICERS_MAX - 1;
	pthread_mutex_unlock(&police.mtx);
}
