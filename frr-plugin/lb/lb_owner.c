// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The load balancer's maps, written on the owner pthread (lb.h).
 *
 * The main pthread hands each committed VIP over whole; the owner compares
 * it with what the maps hold and rewrites what changed, in the order a
 * packet in flight can take: backends (lb_backend_map) first, then the
 * VIP's list (lb_vip_backends), its ring in a range of lb_ring_map that no
 * packet reads yet, and last the VIP (lb_vip_map), one update that moves
 * new flows to the new ring. The old range is quarantined (lb_ringalloc.c).
 *
 * Ids. A VIP id and a backend id are named by conntrack entries (and
 * persistence) for as long as the flows live, so an id that goes out of
 * the configuration is not given out again at once: it drains. Its
 * backend stays in lb_backend_map without its UP flag (a DSR flow still
 * finds its address), and it is freed when an ageing pass over conntrack that
 * started after it drained found no flow naming it (ct/ct_age.c), after
 * persistence entries that name it are removed.
 *
 * A backend is UP when it is administratively up and healthy (always
 * healthy without a health-check). A VIP with at least one backend UP is
 * announced (lb_announce.c).
 */
#include <zebra.h>

#include <pthread.h>

#include <bpf/bpf.h>

#include "lib/hook.h"
#include "lib/memory.h"
#include "lib/prefix.h"
#include "lib/privs.h"
#include "lib/thread.h"
#include "lib/typesafe.h"

#include "dp_abi.h"
#include "core/dp_hooks.h"
#include "core/dp_plugin.h"
#include "core/dp_stall.h"
#include "maps/dp_mapdump.h"
#include "maps/dp_maps.h"
#include "ct/ct.h"
#include "lb/lb.h"
#include "lb/lb_ring.h"

DEFINE_HOOK(lb_vip_id_changed, (const char *name, uint32_t vip_id),
	    (name, vip_id));

DEFINE_MTYPE_STATIC(EBPF, LB_VIP, "eBPF load-balancer VIP");
DEFINE_MTYPE_STATIC(EBPF, LB_SPEC, "eBPF load-balancer VIP configuration");
DEFINE_MTYPE_STATIC(EBPF, LB_IDS, "eBPF load-balancer ids");

/* A drained id is freed by an ageing pass that started this long after
 * it drained, at the earliest (packets in flight). */
#define LB_DRAIN_NS 1000000000ull

/* ------------------------------------------------------------------ ids */

enum lb_id_state {
	LB_ID_FREE = 0,
	LB_ID_USED,
	LB_ID_DRAINING,
};

struct lb_drain {
	uint32_t id;
	uint64_t since;
};

struct lb_ids {
	uint8_t *state;
	uint32_t max; /* ids 1 .. max - 1 */
	uint32_t hint;
	uint32_t used, draining;
	struct lb_drain *drain;
	uint32_t n_drain, cap_drain;
};

static void lb_ids_init(struct lb_ids *p, uint32_t max)
{
	XFREE(MTYPE_LB_IDS, p->state);
	XFREE(MTYPE_LB_IDS, p->drain);
	memset(p, 0, sizeof(*p));
	p->max = max;
	p->hint = 1;
	p->state = XCALLOC(MTYPE_LB_IDS, max ? max : 1);
}

static int lb_id_get(struct lb_ids *p, uint32_t *id)
{
	for (uint32_t i = 0; i + 1 < p->max; i++) {
		uint32_t c = 1 + (p->hint - 1 + i) % (p->max - 1);

		if (p->state[c] != LB_ID_FREE)
			continue;
		p->state[c] = LB_ID_USED;
		p->hint = c + 1 < p->max ? c + 1 : 1;
		p->used++;
		*id = c;
		return 0;
	}
	return -ENOSPC;
}

static void lb_id_drain(struct lb_ids *p, uint32_t id)
{
	if (!id || id >= p->max || p->state[id] != LB_ID_USED)
		return;
	p->state[id] = LB_ID_DRAINING;
	p->used--;
	p->draining++;
	if (p->n_drain == p->cap_drain) {
		p->cap_drain = p->cap_drain ? p->cap_drain * 2 : 64;
		p->drain = XREALLOC(MTYPE_LB_IDS, p->drain,
				    p->cap_drain * sizeof(*p->drain));
	}
	p->drain[p->n_drain++] = (struct lb_drain){id, ct_now_ns()};
}

/* ------------------------------------------------------------- the state */

PREDECL_RBTREE_UNIQ(lb_vips);

struct lb_be {
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
	uint16_t weight;
	bool admin_down;
	bool healthy;
	uint32_t id;	  /* 0: none could be given */
	bool up;	  /* as written to lb_backend_map */
	bool written;	  /* lb_backend_map holds this backend */
	struct ct_addr_holder filter; /* its dnat replies' source */
};

struct lb_vip {
	struct lb_vips_item item;
	char name[LB_NAME_SIZE];
	struct lb_vip_spec *spec;
	struct lb_be *be; /* n_be: the backends the maps hold */
	uint32_t n_be;
	struct thread *t_sync; /* a sync of the maps is due */
	uint32_t vip_id;
	bool installed;
	struct dp_lb_vip_key key; /* while installed */
	struct lb_range ring;
	uint32_t ring_size;
	uint32_t *ring_ids; /* what the range holds (ring_size) */
	uint8_t fnat_src[16];
	bool fnat_retry; /* no fullnat source yet: try again */
	/* the conntrack filter's: the VIP's address, the fullnat source */
	struct ct_addr_holder filter_vip, filter_fnat;
	bool announced;
	uint8_t ann_family; /* the address announced, while announced */
	uint8_t ann_addr[16];
	int announce_err;
	char why[160];
};

static int lb_vip_cmp(const struct lb_vip *a, const struct lb_vip *b)
{
	return strcmp(a->name, b->name);
}

DECLARE_RBTREE_UNIQ(lb_vips, struct lb_vip, item, lb_vip_cmp);

static struct {
	pthread_mutex_t mtx; /* owner writes, show reads */
	struct lb_vips_head vips;
	struct lb_ids vip_ids;
	struct lb_ids be_ids;
	uint32_t *ring_mem; /* lb_ring_map through mmap: one __u32 a slot */
	uint32_t installed;
	bool started;
} lb = {
	.mtx = PTHREAD_MUTEX_INITIALIZER,
	.vips = INIT_RBTREE_UNIQ(lb.vips),
};

struct lb_vip_spec *lb_vip_spec_new(uint32_t n_backends)
{
	return XCALLOC(MTYPE_LB_SPEC,
		       sizeof(struct lb_vip_spec) +
			       n_backends * sizeof(struct lb_be_spec));
}

static struct lb_vip *lb_vip_find(const char *name)
{
	struct lb_vip lookup = {};

	strlcpy(lookup.name, name, sizeof(lookup.name));
	return lb_vips_find(&lb.vips, &lookup);
}

static size_t lb_alen(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

/* ------------------------------------------------------------- backends */

static int lb_map_write(enum dp_map_id id, const void *key, const void *val)
{
	return bpf_map_update_elem(dp_map_fd(id), key, val, BPF_ANY) ? -errno
								      : 0;
}

/* A backend id given to a new backend starts with clean counters. */
static void lb_be_counters_zero(uint32_t id)
{
	struct dp_map_view v;
	uint64_t *conns = dp_map_mmap(DP_MAP_LB_BE_CONNS);

	if (conns)
		__atomic_store_n(&conns[id], 0, __ATOMIC_RELAXED);
	if (dp_map_view_open(DP_MAP_LB_BE_STATS, &v) == 0 && v.percpu) {
		memset(v.cpu_values, 0,
		       (size_t)v.ncpus * ((v.value_size + 7) & ~7u));
		bpf_map_update_elem(v.fd, &id, v.cpu_values, BPF_ANY);
	}
	dp_map_view_close(&v);
}

static void lb_be_write(const struct lb_vip *v, struct lb_be *b)
{
	struct dp_lb_backend val = {
		.family = b->family,
		.flags = b->up ? DP_LB_BE_F_UP : 0,
		.port = htons(b->port),
		.vip_id = v->vip_id,
		.weight = b->weight,
	};

	memcpy(val.addr, b->addr, lb_alen(b->family));
	/* before a flow can name it: its replies are looked up */
	ct_addr_hold(&b->filter, b->family, b->addr, DP_CT_ADDR_F_SRC);
	if (lb_map_write(DP_MAP_LB_BACKEND, &b->id, &val))
		zlog_warn("ebpf: VIP %s: cannot write backend %u: %s", v->name,
			  b->id, safe_strerror(errno));
	b->written = true;
}

/* A backend leaves its VIP: no new flow takes it; its id drains. */
static void lb_be_retire(const struct lb_vip *v, struct lb_be *b)
{
	if (!b->id)
		return;
	if (b->up || !b->written) {
		b->up = false;
		lb_be_write(v, b);
	}
	lb_id_drain(&lb.be_ids, b->id);
	b->id = 0;
	ct_addr_drop(&b->filter);
}

static bool lb_be_same_key(const struct lb_be *b, const struct lb_be_spec *s)
{
	return b->family == s->family && b->port == s->port &&
	       !memcmp(b->addr, s->addr, sizeof(b->addr));
}

static void lb_be_new_id(struct lb_vip *v, struct lb_be *b)
{
	if (lb_id_get(&lb.be_ids, &b->id) == 0)
		lb_be_counters_zero(b->id);
	else
		snprintf(v->why, sizeof(v->why),
			 "no backend id left for some backends (module argument lb-backends=%u)",
			 lb.be_ids.max);
}

/* The backends of the new spec, with the ids of those already there. */
static void lb_vip_sync_backends(struct lb_vip *v)
{
	const struct lb_vip_spec *s = v->spec;
	uint32_t n_old = v->n_be;
	struct lb_be *old = v->be, *nb;
	struct dp_lb_vip_backends list = {};

	nb = XCALLOC(MTYPE_LB_VIP, sizeof(*nb) * (s->n_backends ? s->n_backends : 1));
	for (uint32_t i = 0; i < s->n_backends; i++) {
		const struct lb_be_spec *bs = &s->be[i];
		struct lb_be *b = &nb[i];

		bool up;

		for (uint32_t j = 0; j < n_old; j++)
			if (old[j].id && lb_be_same_key(&old[j], bs)) {
				*b = old[j];
				/* taken over, with its filter address */
				old[j].id = 0;
				old[j].filter.held = false;
				break;
			}
		if (!b->id) {
			b->family = bs->family;
			memcpy(b->addr, bs->addr, sizeof(b->addr));
			b->port = bs->port;
			b->written = false;
			/* an earlier run's, named by its flows: counters kept */
			b->id = lb_adopt_backend(v->vip_id, bs->family,
						 bs->addr, bs->port);
			if (!b->id)
				lb_be_new_id(v, b);
		}
		up = b->id && !bs->admin_down && bs->healthy;
		/* rewrite only what changed */
		if (b->written &&
		    (b->weight != bs->weight || b->up != up))
			b->written = false;
		b->weight = bs->weight;
		b->admin_down = bs->admin_down;
		b->healthy = bs->healthy;
		b->up = up;
	}
	/* Those that left: out of new flows at once. */
	for (uint32_t j = 0; j < n_old; j++)
		lb_be_retire(v, &old[j]);
	XFREE(MTYPE_LB_VIP, v->be);
	v->be = nb;
	v->n_be = s->n_backends;

	for (uint32_t i = 0; i < s->n_backends; i++) {
		struct lb_be *b = &nb[i];

		if (!b->id)
			continue;
		if (!b->written)
			lb_be_write(v, b);
		if (list.n < DP_LB_VIP_BACKENDS_MAX)
			list.id[list.n++] = b->id;
	}
	if (lb_map_write(DP_MAP_LB_VIP_BACKENDS, &v->vip_id, &list))
		zlog_warn("ebpf: VIP %s: cannot write lb_vip_backends: %s",
			  v->name, safe_strerror(errno));
}

/* ------------------------------------------------------------------ ring */

static enum lb_ring_algo lb_ring_algo_of(uint8_t alg)
{
	switch (alg) {
	case DP_LB_ALG_RR:
		return LB_RING_ROUND_ROBIN;
	case DP_LB_ALG_WRR:
		return LB_RING_WEIGHTED_ROUND_ROBIN;
	case DP_LB_ALG_HASH:
		return LB_RING_HASH;
	case DP_LB_ALG_SOURCE_HASH:
		return LB_RING_SOURCE_HASH;
	default:
		return LB_RING_MAGLEV;
	}
}

/*
 * Build the VIP's ring; when it differs from the one in use, write it to
 * a fresh range (or, when lb_ring_map has none left, over the old one:
 * every slot names a valid backend throughout). *old receives the range
 * to quarantine once the VIP points elsewhere.
 */
static void lb_vip_sync_ring(struct lb_vip *v, struct lb_range *old)
{
	const struct lb_vip_spec *s = v->spec;
	uint32_t n = s->n_backends, cap, *pos = NULL, size = 0;
	struct lb_backend *lbb = NULL;
	struct lb_range r;
	int ret;

	memset(old, 0, sizeof(*old));
	if (s->algorithm == DP_LB_ALG_LEAST_CONN || !lb.ring_mem) {
		*old = v->ring;
		memset(&v->ring, 0, sizeof(v->ring));
		v->ring_size = 0;
		return;
	}
	cap = lb_ring_capacity(n);
	lbb = XCALLOC(MTYPE_TMP, sizeof(*lbb) * (n ? n : 1));
	pos = XCALLOC(MTYPE_TMP, sizeof(*pos) * cap);
	for (uint32_t i = 0; i < n; i++) {
		lbb[i].family = v->be[i].family;
		memcpy(lbb[i].addr, v->be[i].addr, sizeof(lbb[i].addr));
		lbb[i].port = v->be[i].port;
		lbb[i].weight = v->be[i].weight;
		lbb[i].up = v->be[i].up;
	}
	ret = lb_ring_build(lb_ring_algo_of(s->algorithm), lbb, n, s->seed, pos,
			    cap);
	if (ret > 0) {
		size = ret;
		for (uint32_t i = 0; i < size; i++)
			pos[i] = v->be[pos[i]].id; /* position -> backend id */
	} else if (ret != -ENOENT) {
		zlog_warn("ebpf: VIP %s: cannot build its ring: %s", v->name,
			  safe_strerror(-ret));
	}
	/* no backend up: no ring; new flows find none and go to the kernel */

	if (size == v->ring_size && v->ring.len == cap &&
	    (!size || !memcmp(pos, v->ring_ids, size * sizeof(*pos))))
		goto out;
	if (size && lb_ring_alloc(cap, &r) == 0) {
		*old = v->ring;
		v->ring = r;
	} else if (size && v->ring.len < cap) {
		snprintf(v->why, sizeof(v->why),
			 "lb_ring_map has no %u free slots for its ring (module argument lb-ring=%u)",
			 cap, dp_map_max_entries(DP_MAP_LB_RING) *
				      DP_LB_RING_BLOCK);
		goto out;
	}
	if (size) {
		memcpy(&lb.ring_mem[v->ring.base], pos, size * sizeof(*pos));
		__atomic_thread_fence(__ATOMIC_RELEASE);
	}
	XFREE(MTYPE_LB_VIP, v->ring_ids);
	v->ring_ids = XMALLOC(MTYPE_LB_VIP, sizeof(*pos) * (size ? size : 1));
	memcpy(v->ring_ids, pos, size * sizeof(*pos));
	v->ring_size = size;
out:
	XFREE(MTYPE_TMP, lbb);
	XFREE(MTYPE_TMP, pos);
}

/* ------------------------------------------------------------------- VIP */

static void lb_vip_key_of(const struct lb_vip_spec *s, struct dp_lb_vip_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = s->family;
	k->proto = s->proto;
	k->port = htons(s->port);
	memcpy(k->addr, s->addr, lb_alen(s->family));
}

static uint32_t lb_vip_n_up(const struct lb_vip *v)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < v->n_be; i++)
		n += v->be[i].up;
	return n;
}

/* Another VIP than v announces this address already. */
static bool lb_addr_announced_by_other(const struct lb_vip *v, uint8_t family,
				       const uint8_t addr[16])
{
	struct lb_vip *o;

	frr_each (lb_vips, &lb.vips, o)
		if (o != v && o->announced && o->ann_family == family &&
		    !memcmp(o->ann_addr, addr, 16))
			return true;
	return false;
}

/* Announce v's address while want, and only then: one route per address,
 * however many VIPs (ports, protocols) it serves. */
static void lb_vip_announce(struct lb_vip *v, bool want)
{
	const struct lb_vip_spec *s = v->spec;

	if (v->announced &&
	    (!want || v->ann_family != s->family ||
	     memcmp(v->ann_addr, s->addr, 16))) {
		v->announced = false;
		if (!lb_addr_announced_by_other(v, v->ann_family, v->ann_addr))
			lb_announce_del(v->ann_family, v->ann_addr);
	}
	v->announce_err = 0;
	if (!want || v->announced)
		return;
	if (!lb_addr_announced_by_other(v, s->family, s->addr) &&
	    !lb_adopt_route(s->family, s->addr))
		v->announce_err = lb_announce_add(s->family, s->addr);
	if (v->announce_err) {
		zlog_warn("ebpf: VIP %s: cannot install its route: %s",
			  v->name, safe_strerror(-v->announce_err));
		return;
	}
	v->announced = true;
	v->ann_family = s->family;
	memcpy(v->ann_addr, s->addr, 16);
}

static void lb_meta_update(void)
{
	/* conntrack before the VIPs that need it, and after them on the
	 * way out */
	if (lb.installed)
		ct_set_user(CT_USER_LB, true);
	dp_meta_set_flags(DP_META_F_LB, lb.installed ? DP_META_F_LB : 0);
	if (!lb.installed)
		ct_set_user(CT_USER_LB, false);
}

static void lb_vip_uninstall(struct lb_vip *v)
{
	lb_vip_announce(v, false);
	/* its flows' addresses drain (ct/ct_filter.c) */
	ct_addr_drop(&v->filter_vip);
	ct_addr_drop(&v->filter_fnat);
	if (!v->installed)
		return;
	bpf_map_delete_elem(dp_map_fd(DP_MAP_LB_VIP), &v->key);
	v->installed = false;
	lb.installed--;
	lb_meta_update();
}

/* The fullnat source: configured, or the kernel's towards the backends. */
static bool lb_vip_fnat_src(struct lb_vip *v)
{
	const struct lb_vip_spec *s = v->spec;
	char buf[INET6_ADDRSTRLEN];

	v->fnat_retry = false;
	if (s->fnat_src_set) {
		memcpy(v->fnat_src, s->fnat_src, 16);
		return true;
	}
	/* not a link-local source (an IPv6 address still tentative): the
	 * backends would answer it on their own segment only */
	for (uint32_t i = 0; i < s->n_backends; i++)
		if (lb_route_src(s->family, s->be[i].addr, v->fnat_src) == 0 &&
		    !(s->family == AF_INET6 &&
		      IN6_IS_ADDR_LINKLOCAL((struct in6_addr *)v->fnat_src)))
			return true;
	memset(v->fnat_src, 0, sizeof(v->fnat_src));
	v->fnat_retry = true;
	snprintf(v->why, sizeof(v->why),
		 "fullnat: no route gives a source address towards its backends%s%s (set fullnat-source; tried again every %d s)",
		 s->n_backends ? " such as " : "",
		 s->n_backends ? inet_ntop(s->family, s->be[0].addr, buf,
					   sizeof(buf))
			       : "",
		 CT_AGE_INTERVAL);
	return false;
}

static void lb_vip_write(struct lb_vip *v)
{
	const struct lb_vip_spec *s = v->spec;
	struct dp_lb_vip_key key;
	struct dp_lb_vip val = {
		.vip_id = v->vip_id,
		.algorithm = s->algorithm,
		.nat_mode = s->nat_mode,
		.flags = s->persist ? DP_LB_VIP_F_PERSIST : 0,
		.persist_timeout = s->persist_timeout,
		.ring_base = v->ring.base,
		.ring_size = v->ring_size,
		.hash_seed = s->seed,
	};

	if (s->nat_mode == DP_LB_NAT_FULLNAT) {
		if (!lb_vip_fnat_src(v)) {
			lb_vip_uninstall(v);
			return;
		}
		memcpy(val.fnat_addr, v->fnat_src, sizeof(val.fnat_addr));
		ct_nat_port_range(&val.fnat_port_min, &val.fnat_port_max);
		ct_addr_hold(&v->filter_fnat, s->family, v->fnat_src,
			     DP_CT_ADDR_F_DST);
	} else {
		ct_addr_drop(&v->filter_fnat);
	}
	/* before the VIP takes flows: their packets are looked up */
	ct_addr_hold(&v->filter_vip, s->family, s->addr, DP_CT_ADDR_F_DST);
	lb_vip_key_of(s, &key);
	if (v->installed && memcmp(&key, &v->key, sizeof(key))) {
		/* a new address, port or protocol: the old key goes */
		bpf_map_delete_elem(dp_map_fd(DP_MAP_LB_VIP), &v->key);
		v->installed = false;
		lb.installed--;
	}
	if (!v->installed) {
		/* flows of the VIP need conntrack before they can start */
		lb.installed++;
		lb_meta_update();
	}
	if (lb_map_write(DP_MAP_LB_VIP, &key, &val)) {
		snprintf(v->why, sizeof(v->why),
			 "lb_vip_map refused it: %s", safe_strerror(errno));
		lb.installed--;
		v->installed = false;
		lb_meta_update();
		return;
	}
	v->key = key;
	v->installed = true;
}

/*
 * The VIP an earlier run left with v's key, taken over as it is in the
 * maps: its id (named by its flows), its entry in lb_vip_map and its ring,
 * which the sync keeps where the rebuilt ring is the same.
 */
static bool lb_vip_adopt(struct lb_vip *v)
{
	struct lb_held_vip *h;
	struct dp_lb_vip_key key;

	lb_vip_key_of(v->spec, &key);
	h = lb_adopt_vip(&key);
	if (!h)
		return false;
	v->vip_id = h->val.vip_id;
	v->key = key;
	v->installed = true; /* counted in lb.installed since the start */
	v->ring = h->ring;
	v->ring_size = v->ring.len && lb.ring_mem ? h->val.ring_size : 0;
	v->ring_ids = XMALLOC(MTYPE_LB_VIP,
			      sizeof(uint32_t) * (v->ring_size ? v->ring_size
							       : 1));
	if (v->ring_size)
		memcpy(v->ring_ids, &lb.ring_mem[v->ring.base],
		       sizeof(uint32_t) * v->ring_size);
	return true;
}

/* Bring the maps in line with v->spec. */
static void lb_vip_sync(struct lb_vip *v)
{
	struct lb_range old_ring;

	v->why[0] = '\0';
	if (!dp_maps_ready()) {
		snprintf(v->why, sizeof(v->why), "the datapath is not loaded");
		return;
	}
	if (!v->vip_id && lb_vip_adopt(v)) {
		hook_call(lb_vip_id_changed, v->name, v->vip_id);
	} else if (!v->vip_id) {
		if (lb_id_get(&lb.vip_ids, &v->vip_id)) {
			snprintf(v->why, sizeof(v->why),
				 "no VIP id left (module argument lb-vips=%u)",
				 lb.vip_ids.max);
			return;
		}
		hook_call(lb_vip_id_changed, v->name, v->vip_id);
	}
	lb_vip_sync_backends(v);
	lb_vip_sync_ring(v, &old_ring);
	lb_vip_write(v);
	lb_ring_free(&old_ring);
	lb_vip_announce(v, v->installed && lb_vip_n_up(v) > 0);
}

static void lb_vip_remove(struct lb_vip *v)
{
	struct dp_lb_vip_backends none = {};

	THREAD_OFF(v->t_sync);
	lb_vip_uninstall(v);
	for (uint32_t i = 0; i < v->n_be; i++)
		lb_be_retire(v, &v->be[i]);
	if (v->vip_id) {
		hook_call(lb_vip_id_changed, v->name, 0);
		lb_map_write(DP_MAP_LB_VIP_BACKENDS, &v->vip_id, &none);
		lb_id_drain(&lb.vip_ids, v->vip_id);
	}
	lb_ring_free(&v->ring);
	lb_vips_del(&lb.vips, v);
	XFREE(MTYPE_LB_VIP, v->be);
	XFREE(MTYPE_LB_VIP, v->ring_ids);
	XFREE(MTYPE_LB_SPEC, v->spec);
	XFREE(MTYPE_LB_VIP, v);
}

/* ------------------------------------------------------ owner's events */

#define LB_OWNER_BEGIN()                                                       \
	DP_STALL_BEGIN(DP_STALL_LB);                                           \
	pthread_mutex_lock(&lb.mtx);                                           \
	frr_with_privs (dp_privs())
#define LB_OWNER_END()                                                         \
	pthread_mutex_unlock(&lb.mtx);                                         \
	DP_STALL_END(DP_STALL_LB)

static void lb_owner_sync(struct thread *t)
{
	struct lb_vip *v = THREAD_ARG(t);

	LB_OWNER_BEGIN() {
		lb_vip_sync(v);
	}
	LB_OWNER_END();
}

/*
 * A VIP's maps follow its spec in one rebuild per burst of changes: the
 * rebuild runs after the events already queued (a mass health change,
 * a configuration read line by line), however many of them touched the
 * VIP. One rebuild per change held the owner pthread, zebra's dplane
 * pthread, for seconds when 500 backends came up at once
 * (bench/zebra_health.sh).
 */
static void lb_vip_sync_soon(struct lb_vip *v)
{
	thread_add_event(dp_owner_master(), lb_owner_sync, v, 0, &v->t_sync);
}

static void lb_owner_vip(struct thread *t)
{
	struct lb_vip_spec *spec = THREAD_ARG(t), *old;
	struct lb_vip *v;

	LB_OWNER_BEGIN() {
		v = lb_vip_find(spec->name);
		if (!v) {
			v = XCALLOC(MTYPE_LB_VIP, sizeof(*v));
			strlcpy(v->name, spec->name, sizeof(v->name));
			lb_vips_add(&lb.vips, v);
		}
		old = v->spec;
		v->spec = spec;
		lb_vip_sync_soon(v);
		XFREE(MTYPE_LB_SPEC, old);
	}
	LB_OWNER_END();
}

void lb_owner_post_vip(struct lb_vip_spec *spec)
{
	dp_owner_post(lb_owner_vip, spec);
}

static void lb_owner_del(struct thread *t)
{
	char *name = THREAD_ARG(t);
	struct lb_vip *v;

	LB_OWNER_BEGIN() {
		v = lb_vip_find(name);
		if (v)
			lb_vip_remove(v);
	}
	LB_OWNER_END();
	XFREE(MTYPE_TMP, name);
}

void lb_owner_post_del(const char *name)
{
	dp_owner_post(lb_owner_del, XSTRDUP(MTYPE_TMP, name));
}

static void lb_owner_del_all(struct thread *t)
{
	struct lb_vip *v;

	LB_OWNER_BEGIN() {
		while ((v = lb_vips_first(&lb.vips)))
			lb_vip_remove(v);
	}
	LB_OWNER_END();
}

void lb_owner_post_del_all(void)
{
	dp_owner_post(lb_owner_del_all, NULL);
}

struct lb_health_event {
	char vip[LB_NAME_SIZE];
	struct lb_be_spec be;
};

static void lb_owner_health(struct thread *t)
{
	struct lb_health_event *ev = THREAD_ARG(t);
	struct lb_vip *v;

	LB_OWNER_BEGIN() {
		v = lb_vip_find(ev->vip);
		for (uint32_t i = 0; v && i < v->spec->n_backends; i++) {
			struct lb_be_spec *bs = &v->spec->be[i];

			if (!v->spec->health_check ||
			    bs->family != ev->be.family ||
			    bs->port != ev->be.port ||
			    memcmp(bs->addr, ev->be.addr, 16) ||
			    bs->healthy == ev->be.healthy)
				continue;
			bs->healthy = ev->be.healthy;
			lb_vip_sync_soon(v);
			break;
		}
	}
	LB_OWNER_END();
	XFREE(MTYPE_TMP, ev);
}

void lb_owner_post_health(const char *vip, uint8_t family,
			  const uint8_t addr[16], uint16_t port, bool up)
{
	struct lb_health_event *ev = XCALLOC(MTYPE_TMP, sizeof(*ev));

	strlcpy(ev->vip, vip, sizeof(ev->vip));
	ev->be.family = family;
	memcpy(ev->be.addr, addr, lb_alen(family));
	ev->be.port = port;
	ev->be.healthy = up;
	dp_owner_post(lb_owner_health, ev);
}

/* --------------------------------------------------------- ids draining */

/* Persistence entries that name a drained id (the VIP's or the backend
 * it remembers) go before the id can be given out again. */
static void lb_persist_purge(const uint8_t *free_be, const uint8_t *free_vip)
{
	struct dp_map_batch b;
	long n;

	if (dp_map_batch_open(DP_MAP_LB_PERSIST, &b, 1024) == 0) {
		while ((n = dp_map_batch_next(&b)) > 0) {
			for (long i = 0; i < n; i++) {
				const struct dp_lb_persist_key *k =
					(void *)(b.keys + i * b.key_size);
				const struct dp_lb_persist *p =
					(void *)(b.values + i * b.value_size);

				if (ct_ref_test(free_vip, lb.vip_ids.max,
						k->vip_id) ||
				    ct_ref_test(free_be, lb.be_ids.max,
						p->backend_id))
					bpf_map_delete_elem(b.fd, k);
			}
			if (b.done)
				break;
		}
	}
	dp_map_batch_close(&b);
}

/* The ids of p a pass found unused: marked in out (bitmap); how many. */
static uint32_t lb_ids_unused(struct lb_ids *p, const struct ct_pass *pass,
			      const uint8_t *ref, uint32_t ref_max,
			      uint8_t *out)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < p->n_drain; i++) {
		const struct lb_drain *d = &p->drain[i];

		if (d->since + LB_DRAIN_NS > pass->started_ns ||
		    ct_ref_test(ref, ref_max, d->id))
			continue;
		out[d->id / 8] |= 1u << (d->id % 8);
		n++;
	}
	return n;
}

/* Free the ids marked in bitmap; the drain list keeps the others. */
static void lb_ids_release(struct lb_ids *p, const uint8_t *bitmap,
			   bool backend)
{
	uint32_t keep = 0;

	for (uint32_t i = 0; i < p->n_drain; i++) {
		uint32_t id = p->drain[i].id;

		if (!ct_ref_test(bitmap, p->max, id)) {
			p->drain[keep++] = p->drain[i];
			continue;
		}
		if (backend) {
			struct dp_lb_backend none = {};

			lb_map_write(DP_MAP_LB_BACKEND, &id, &none);
		}
		p->state[id] = LB_ID_FREE;
		p->draining--;
	}
	p->n_drain = keep;
}

/*
 * The kernel's source towards a fullnat VIP's backends may change without
 * an address event the plugin sees (an IPv6 address leaves its tentative
 * state, a route changes): VIPs without a configured fullnat-source ask
 * again, and are rewritten when the answer changed or they had none.
 */
static void lb_fnat_recheck(void)
{
	struct lb_vip *v;
	uint8_t src[16];

	LB_OWNER_BEGIN() {
		frr_each (lb_vips, &lb.vips, v) {
			const struct lb_vip_spec *s = v->spec;

			if (s->nat_mode != DP_LB_NAT_FULLNAT ||
			    s->fnat_src_set || !v->vip_id)
				continue;
			if (!v->fnat_retry &&
			    (!s->n_backends ||
			     lb_route_src(s->family, s->be[0].addr, src) ||
			     !memcmp(src, v->fnat_src, sizeof(src))))
				continue;
			lb_vip_sync(v);
		}
	}
	LB_OWNER_END();
}

/* ct/ct_age.c finished a pass over conntrack (owner pthread), every
 * CT_AGE_INTERVAL seconds. */
static int lb_ct_pass_done(const struct ct_pass *pass)
{
	uint8_t *free_be, *free_vip;
	uint32_t n;

	lb_fnat_recheck();
	if (!lb.vip_ids.n_drain && !lb.be_ids.n_drain)
		return 0;
	free_be = XCALLOC(MTYPE_TMP, lb.be_ids.max / 8 + 1);
	free_vip = XCALLOC(MTYPE_TMP, lb.vip_ids.max / 8 + 1);
	LB_OWNER_BEGIN() {
		n = lb_ids_unused(&lb.be_ids, pass, pass->backend_ref,
				  pass->backend_max, free_be) +
		    lb_ids_unused(&lb.vip_ids, pass, pass->vip_ref,
				  pass->vip_max, free_vip);
		if (n) {
			lb_persist_purge(free_be, free_vip);
			lb_ids_release(&lb.be_ids, free_be, true);
			lb_ids_release(&lb.vip_ids, free_vip, false);
		}
	}
	LB_OWNER_END();
	XFREE(MTYPE_TMP, free_be);
	XFREE(MTYPE_TMP, free_vip);
	return 0;
}

/* -------------------------------------------------- local addresses */

/* An address of the router came or went: fullnat VIPs without a
 * configured source take the kernel's again. */
static int lb_local_changed(int family, const union g_addr *addr,
			    uint8_t plen, uint8_t type, bool add)
{
	struct lb_vip *v;

	if (!lb.started)
		return 0;
	LB_OWNER_BEGIN() {
		frr_each (lb_vips, &lb.vips, v)
			if (v->spec->nat_mode == DP_LB_NAT_FULLNAT &&
			    !v->spec->fnat_src_set && v->vip_id)
				lb_vip_sync(v);
	}
	LB_OWNER_END();
	return 0;
}

/* ----------------------------------------------------- start and show */

/* ------------------------------------------------- an earlier run's */

static void lb_id_hold(struct lb_ids *p, uint32_t id)
{
	if (!id || id >= p->max || p->state[id] != LB_ID_FREE)
		return;
	p->state[id] = LB_ID_USED;
	p->used++;
}

static void lb_held_vip_reserve(struct lb_held_vip *h)
{
	lb_id_hold(&lb.vip_ids, h->val.vip_id);
	if (h->broken)
		return;
	if (h->ring.len && lb_ring_alloc_take(&h->ring)) {
		/* two VIPs on one range: not one run's state */
		zlog_warn("ebpf: an earlier run's VIP %u has a ring range another one holds: its ring is not reused",
			  h->val.vip_id);
		h->ring.len = 0;
	}
	lb.installed++;
}

static void lb_held_be_reserve(struct lb_held_be *b)
{
	lb_id_hold(&lb.be_ids, b->id);
}

/* Held ids, ranges and VIPs count as in use from the start; the VIPs are
 * installed already (the flags that route their packets stay on). */
static void lb_owner_adopt(void)
{
	lb_adopt_collect();
	lb_adopt_each(lb_held_vip_reserve, lb_held_be_reserve, NULL);
	lb_meta_update();
}

/* What no VIP of this run claimed: its VIP leaves lb_vip_map, its
 * backends stop taking flows, and the ids drain as a removed VIP's do. */
static uint32_t lb_swept_vips;

static bool lb_key_installed(const struct dp_lb_vip_key *key)
{
	struct lb_vip *v;

	frr_each (lb_vips, &lb.vips, v)
		if (v->installed && !memcmp(&v->key, key, sizeof(*key)))
			return true;
	return false;
}

static void lb_held_vip_sweep(struct lb_held_vip *h)
{
	struct dp_lb_vip_backends none = {};

	if (h->taken && !h->broken)
		return;
	if (!h->broken) {
		lb_swept_vips++;
		/* unless a VIP of this run, edited onto the key, wrote it */
		if (!lb_key_installed(&h->key))
			bpf_map_delete_elem(dp_map_fd(DP_MAP_LB_VIP), &h->key);
		lb.installed--;
		lb_ring_free(&h->ring);
	}
	if (h->val.vip_id) {
		lb_map_write(DP_MAP_LB_VIP_BACKENDS, &h->val.vip_id, &none);
		lb_id_drain(&lb.vip_ids, h->val.vip_id);
	}
}

static void lb_held_be_sweep(struct lb_held_be *b)
{
	if (b->taken)
		return;
	/* a DSR flow still finds its address */
	b->val.flags &= ~DP_LB_BE_F_UP;
	lb_map_write(DP_MAP_LB_BACKEND, &b->id, &b->val);
	lb_id_drain(&lb.be_ids, b->id);
}

static void lb_held_route_sweep(struct lb_held_route *r)
{
	if (!r->taken && !lb_addr_announced_by_other(NULL, r->family, r->addr))
		lb_announce_del(r->family, r->addr);
}

static int lb_resync_done(void)
{
	LB_OWNER_BEGIN() {
		lb_swept_vips = 0;
		lb_adopt_each(lb_held_vip_sweep, lb_held_be_sweep,
			      lb_held_route_sweep);
		lb_adopt_release();
		lb_meta_update();
	}
	LB_OWNER_END();
	if (lb_swept_vips)
		zlog_info("ebpf: removed %u VIP(s) an earlier run left that the configuration does not have",
			  lb_swept_vips);
	return 0;
}

void lb_owner_start(void)
{
	pthread_mutex_lock(&lb.mtx);
	frr_with_privs (dp_privs()) {
		/* an earlier run's routes go, unless its VIPs are adopted */
		if (!dp_maps_ready() || !dp_maps_reused())
			lb_announce_flush();
		if (dp_maps_ready()) {
			lb_ids_init(&lb.vip_ids,
				    dp_map_max_entries(DP_MAP_LB_VIP));
			lb_ids_init(&lb.be_ids,
				    dp_map_max_entries(DP_MAP_LB_BACKEND));
			lb_ring_alloc_init(dp_map_max_entries(DP_MAP_LB_RING) *
					   DP_LB_RING_BLOCK);
			lb.ring_mem = dp_map_mmap(DP_MAP_LB_RING);
			if (dp_maps_reused())
				lb_owner_adopt();
		}
	}
	lb.started = true;
	pthread_mutex_unlock(&lb.mtx);
}

void lb_owner_init(void)
{
	hook_register(ct_pass_done, lb_ct_pass_done);
	hook_register(dp_resync_done, lb_resync_done);
	hook_register(dp_local_changed, lb_local_changed);
}

void lb_owner_fini(void)
{
	struct lb_vip *v;

	pthread_mutex_lock(&lb.mtx);
	frr_with_privs (dp_privs()) {
		frr_each (lb_vips, &lb.vips, v)
			lb_vip_announce(v, false);
	}
	pthread_mutex_unlock(&lb.mtx);
}

bool lb_owner_status(const char *name, struct lb_vip_status *st)
{
	struct lb_vip *v;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&lb.mtx);
	v = lb_vip_find(name);
	if (v) {
		st->installed = v->installed;
		strlcpy(st->why, v->why, sizeof(st->why));
		st->vip_id = v->vip_id;
		st->ring_base = v->ring.base;
		st->ring_size = v->ring_size;
		st->ring_cap = v->ring.len;
		st->announced = v->announced;
		if (v->announce_err)
			strlcpy(st->announce_error,
				safe_strerror(-v->announce_err),
				sizeof(st->announce_error));
		memcpy(st->fnat_src, v->fnat_src, sizeof(st->fnat_src));
		st->n_up = lb_vip_n_up(v);
		for (uint32_t i = 0; i < v->n_be &&
				     st->n < array_size(st->be);
		     i++) {
			struct lb_be_status *b = &st->be[st->n++];

			b->family = v->be[i].family;
			memcpy(b->addr, v->be[i].addr, sizeof(b->addr));
			b->port = v->be[i].port;
			b->id = v->be[i].id;
			b->up = v->be[i].up;
		}
	}
	pthread_mutex_unlock(&lb.mtx);
	return v != NULL;
}

void lb_owner_totals(struct lb_totals *t)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_lock(&lb.mtx);
	t->vips_installed = lb.installed;
	t->vip_ids_used = lb.vip_ids.used;
	t->vip_ids_max = lb.vip_ids.max ? lb.vip_ids.max - 1 : 0;
	t->backend_ids_used = lb.be_ids.used;
	t->backend_ids_max = lb.be_ids.max ? lb.be_ids.max - 1 : 0;
	t->backend_ids_draining = lb.be_ids.draining;
	lb_ring_alloc_usage(&t->ring_slots_used, &t->ring_slots_quarantined,
			    &t->ring_slots_max);
	pthread_mutex_unlock(&lb.mtx);
}
