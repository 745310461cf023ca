// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What an earlier run of the load balancer left pinned (lb.h, "Adoption"),
 * read once when the owner starts on reused maps: its VIPs (lb_vip_map,
 * with their backend lists and ring ranges), its backends (lb_backend_map)
 * and the kernel routes that announce its VIPs. Conntrack and persistence
 * entries name those ids, so the owner gives a VIP of the configuration
 * the id, ring and backend ids the earlier run gave the VIP with the same
 * key, and the flows continue; what no VIP claims by the resync is
 * removed. Owner pthread.
 */
#include <zebra.h>

#include <bpf/bpf.h>

#include "lib/memory.h"

#include "dp_abi.h"
#include "core/dp_plugin.h"
#include "maps/dp_maps.h"
#include "maps/dp_sync.h"
#include "lb/lb.h"
#include "lb/lb_ring.h"

DEFINE_MTYPE_STATIC(EBPF, LB_HELD, "eBPF load-balancer state of an earlier run");

static struct {
	struct lb_held_vip *vips;
	uint32_t n_vips;
	struct lb_held_be *bes;
	uint32_t n_bes;
	struct lb_held_route *routes;
	uint32_t n_routes, cap_routes;
} held;

static size_t lb_alen(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

static struct lb_held_be *lb_held_be_find(uint32_t id)
{
	for (uint32_t i = 0; i < held.n_bes; i++)
		if (held.bes[i].id == id)
			return &held.bes[i];
	return NULL;
}

/* Every backend a VIP's list names is in lb_backend_map as the VIP's:
 * otherwise the pins are not one run's consistent state. */
static bool lb_held_vip_consistent(const struct lb_held_vip *v,
				   uint32_t vip_max)
{
	if (v->val.vip_id == 0 || v->val.vip_id >= vip_max ||
	    v->list.n > DP_LB_VIP_BACKENDS_MAX)
		return false;
	for (uint32_t i = 0; i < v->list.n; i++) {
		const struct lb_held_be *b = lb_held_be_find(v->list.id[i]);

		if (!b || b->val.vip_id != v->val.vip_id ||
		    b->val.family != v->key.family)
			return false;
	}
	return true;
}

static void lb_adopt_backends(void)
{
	uint32_t max = dp_map_max_entries(DP_MAP_LB_BACKEND);
	int fd = dp_map_fd(DP_MAP_LB_BACKEND);

	held.bes = XCALLOC(MTYPE_LB_HELD, sizeof(*held.bes) * (max ? max : 1));
	for (uint32_t id = 1; id < max; id++) {
		struct dp_lb_backend val;

		if (bpf_map_lookup_elem(fd, &id, &val) || !val.family)
			continue;
		held.bes[held.n_bes].id = id;
		held.bes[held.n_bes].val = val;
		held.n_bes++;
	}
}

/* The VIPs, each with its list and range. A VIP that is not consistent
 * leaves lb_vip_map at once (its flows are picked up again, as after a
 * start that adopts nothing) and only its id is held, to drain. */
static void lb_adopt_vips(void)
{
	uint32_t vip_max = dp_map_max_entries(DP_MAP_LB_VIP);
	int fd = dp_map_fd(DP_MAP_LB_VIP);
	struct dp_lb_vip_key key, *prev = NULL;
	uint32_t cap = 64, dropped = 0;

	held.vips = XCALLOC(MTYPE_LB_HELD, sizeof(*held.vips) * cap);
	while (bpf_map_get_next_key(fd, prev, &key) == 0) {
		struct lb_held_vip *v;

		if (held.n_vips == cap) {
			cap *= 2;
			held.vips = XREALLOC(MTYPE_LB_HELD, held.vips,
					     sizeof(*held.vips) * cap);
		}
		v = &held.vips[held.n_vips];
		memset(v, 0, sizeof(*v));
		v->key = key;
		prev = &v->key;
		if (bpf_map_lookup_elem(fd, &key, &v->val))
			continue;
		if (bpf_map_lookup_elem(dp_map_fd(DP_MAP_LB_VIP_BACKENDS),
					&v->val.vip_id, &v->list))
			v->list.n = 0;
		held.n_vips++;
	}
	for (uint32_t i = 0; i < held.n_vips; i++) {
		struct lb_held_vip *v = &held.vips[i];
		bool dup = false;

		for (uint32_t j = 0; j < i; j++)
			dup |= held.vips[j].val.vip_id == v->val.vip_id;
		if (!dup && lb_held_vip_consistent(v, vip_max)) {
			v->ring.base = v->val.ring_base;
			v->ring.len = v->val.ring_size
					      ? MAX(lb_ring_capacity(v->list.n),
						    v->val.ring_size)
					      : 0;
			continue;
		}
		bpf_map_delete_elem(fd, &v->key);
		v->broken = true;
		v->taken = true;
		if (dup || v->val.vip_id >= vip_max)
			v->val.vip_id = 0;
		dropped++;
	}
	if (dropped)
		zlog_warn("ebpf: %u VIP(s) an earlier run left did not match their backends and were removed",
			  dropped);
}

static void lb_adopt_route_cb(uint8_t family, const uint8_t addr[16],
			      void *arg)
{
	struct lb_held_route *r;

	if (held.n_routes == held.cap_routes) {
		held.cap_routes = held.cap_routes ? held.cap_routes * 2 : 16;
		held.routes = XREALLOC(MTYPE_LB_HELD, held.routes,
				       sizeof(*held.routes) * held.cap_routes);
	}
	r = &held.routes[held.n_routes++];
	memset(r, 0, sizeof(*r));
	r->family = family;
	memcpy(r->addr, addr, lb_alen(family));
}

void lb_adopt_collect(void)
{
	lb_adopt_release();
	lb_adopt_backends();
	lb_adopt_vips();
	lb_announce_list(lb_adopt_route_cb, NULL);
	if (held.n_vips || held.n_routes)
		zlog_notice("ebpf: adopting %u VIP(s), %u backend(s) and %u VIP route(s) an earlier run left; what the configuration does not claim within %d s of zebra reading it is removed",
			    held.n_vips, held.n_bes, held.n_routes,
			    dp_sync_delay());
}

struct lb_held_vip *lb_adopt_vip(const struct dp_lb_vip_key *key)
{
	for (uint32_t i = 0; i < held.n_vips; i++) {
		struct lb_held_vip *v = &held.vips[i];

		if (!v->taken && !memcmp(&v->key, key, sizeof(*key))) {
			v->taken = true;
			return v;
		}
	}
	return NULL;
}

uint32_t lb_adopt_backend(uint32_t vip_id, uint8_t family,
			  const uint8_t addr[16], uint16_t port)
{
	for (uint32_t i = 0; i < held.n_bes; i++) {
		struct lb_held_be *b = &held.bes[i];

		if (b->taken || b->val.vip_id != vip_id ||
		    b->val.family != family || ntohs(b->val.port) != port ||
		    memcmp(b->val.addr, addr, lb_alen(family)))
			continue;
		b->taken = true;
		return b->id;
	}
	return 0;
}

bool lb_adopt_route(uint8_t family, const uint8_t addr[16])
{
	for (uint32_t i = 0; i < held.n_routes; i++) {
		struct lb_held_route *r = &held.routes[i];

		if (!r->taken && r->family == family &&
		    !memcmp(r->addr, addr, lb_alen(family))) {
			r->taken = true;
			return true;
		}
	}
	return false;
}

void lb_adopt_each(void (*vip_fn)(struct lb_held_vip *v),
		   void (*be_fn)(struct lb_held_be *b),
		   void (*route_fn)(struct lb_held_route *r))
{
	for (uint32_t i = 0; vip_fn && i < held.n_vips; i++)
		vip_fn(&held.vips[i]);
	for (uint32_t i = 0; be_fn && i < held.n_bes; i++)
		be_fn(&held.bes[i]);
	for (uint32_t i = 0; route_fn && i < held.n_routes; i++)
		route_fn(&held.routes[i]);
}

void lb_adopt_release(void)
{
	XFREE(MTYPE_LB_HELD, held.vips);
	XFREE(MTYPE_LB_HELD, held.bes);
	XFREE(MTYPE_LB_HELD, held.routes);
	memset(&held, 0, sizeof(held));
}
