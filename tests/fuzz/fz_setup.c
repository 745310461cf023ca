// SPDX-License-Identifier: GPL-2.0-or-later
/* The datapath's maps from the fuzz's configuration (fz_setup.h). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "fib/dp_fib.h"
#include "dp_nhg_buckets.h"
#include "fz_setup.h"
#include "xdp_main.skel.h"

/* Link-local addresses are per link: the plugin mirrors no route for them
 * (the datapath passes link-local traffic to the kernel). */
static bool is_link_local6(const struct fz_ip *ip)
{
	return ip->family == FZ_AF_INET6 && ip->a[0] == 0xfe &&
	       (ip->a[1] & 0xc0) == 0x80;
}

static void setup_route(struct harness *h, const struct fz_ip *prefix,
			uint8_t plen, const struct dp_rt_val *v)
{
	if (prefix->family == FZ_AF_INET) {
		uint32_t a;

		memcpy(&a, prefix->a, 4);
		assert(dp_fib_add4(h->fib, a, plen, v) == 0);
	} else {
		uint32_t a[4];

		memcpy(a, prefix->a, 16);
		assert(dp_fib_add6(h->fib, a, plen, v) == 0);
	}
}

/* The plugin lets XDP redirect only to ports in mode xdp (dp_link.c). */
static uint16_t setup_xdp_tx(const struct fz_if *ifp)
{
	return (ifp->dp_flags & DP_INTF_F_XDP) ? DP_PATH_F_XDP_TX : 0;
}

/* dmac_map: the neighbour's MAC, and the interface's own MAC and MTU. */
static void setup_neigh(struct harness *h, const struct fz_config *c,
			const struct fz_neigh *n)
{
	const struct fz_if *ifp = fz_config_if(c, n->ifindex);
	struct dp_neigh_key k = {.ifindex = n->ifindex, .family = n->ip.family};
	struct dp_neigh_val v = {.state = 0x02 /* NUD_REACHABLE */};

	assert(ifp);
	memcpy(k.addr, n->ip.a, n->ip.family == FZ_AF_INET ? 4 : 16);
	fz_tag_mac(n->tag, v.dmac);
	memcpy(v.smac, ifp->mac, 6);
	v.mtu = ifp->mtu;
	v.flags = setup_xdp_tx(ifp);
	assert(bpf_map_update_elem(h->dmac, &k, &v, BPF_ANY) == 0);
}

/* A path as the plugin pre-resolves it from its link and neighbour
 * tables: resolved only for a gateway with a known neighbour. */
static struct dp_path setup_path(const struct fz_config *c,
				 const struct fz_path *p)
{
	const struct fz_if *ifp = fz_config_if(c, p->ifindex);
	const struct fz_neigh *n = NULL;
	struct dp_path dp = {.ifindex = p->ifindex};

	assert(ifp);
	dp.mtu = ifp->mtu;
	dp.flags = setup_xdp_tx(ifp);
	memcpy(dp.smac, ifp->mac, 6);
	if (p->gw.family) {
		dp.flags |= DP_PATH_F_GW;
		if (p->gw.family == FZ_AF_INET6)
			dp.flags |= DP_PATH_F_GW6;
		memcpy(dp.gw, p->gw.a, p->gw.family == FZ_AF_INET ? 4 : 16);
		n = fz_config_neigh(c, p->ifindex, &p->gw);
	}
	if (n) {
		dp.flags |= DP_PATH_F_RESOLVED;
		fz_tag_mac(n->tag, dp.dmac);
	}
	return dp;
}

static void setup_group(struct harness *h, const struct fz_config *c,
			const struct fz_group *g)
{
	struct dp_nhg *nhg = calloc(1, sizeof(*nhg));
	uint32_t weights[FZ_MAX_PATHS];
	unsigned int i;

	assert(nhg);
	for (i = 0; i < g->n_paths; i++) {
		nhg->paths[i] = setup_path(c, &g->paths[i]);
		weights[i] = 1;
	}
	nhg->n_paths = g->n_paths;
	assert(dp_nhg_buckets_fill(nhg->bucket, weights, g->n_paths) == 0);
	h_nhg_put(h, g->id, nhg);
	free(nhg);
}

/* Connected route and local /32 or /128 per address, as the plugin mirrors
 * them from zebra's connected routes and the kernel's local table. */
static void setup_addr(struct harness *h, const struct fz_ifaddr *a)
{
	struct dp_rt_val conn = {.type = DP_RT_CONNECTED, .ifindex = a->ifindex};
	struct dp_rt_val local = {.type = DP_RT_LOCAL};
	unsigned int host = a->ip.family == FZ_AF_INET ? 32 : 128;

	if (is_link_local6(&a->ip))
		return;
	if (a->plen < host)
		setup_route(h, &a->ip, a->plen, &conn);
	setup_route(h, &a->ip, host, &local);
	/* A router's IPv6 subnet-router anycast address (the prefix itself)
	 * is in the kernel's local table too. */
	if (a->ip.family == FZ_AF_INET6 && a->plen < host) {
		struct fz_ip any = fz_ip_fill(&a->ip, a->plen, false);

		setup_route(h, &any, host, &local);
	}
}

#ifdef DP_ADDR_BROADCAST
/*
 * The datapath's view of the router's own IPv4 addresses and its subnets'
 * broadcast addresses (addr4_map, and broadcast routes in the FIB), as the
 * plugin mirrors them from the kernel's local table: fib_add_ifaddr's
 * local /32 and, for prefixes shorter than /31, prefix|~mask.
 */
static void setup_addr4_map(struct harness *h, const struct fz_ifaddr *a)
{
	int fd = bpf_map__fd(h->xdp->maps.addr4_map);
	struct dp_addr local = {.kind = DP_ADDR_LOCAL};
	struct dp_addr brd = {.kind = DP_ADDR_BROADCAST};
	struct dp_rt_val bval = {.type = DP_RT_BROADCAST};
	struct fz_ip b;
	uint32_t key;

	if (a->ip.family != FZ_AF_INET)
		return;
	memcpy(&key, a->ip.a, 4);
	assert(bpf_map_update_elem(fd, &key, &local, BPF_ANY) == 0);
	if (a->plen >= 31)
		return;
	b = fz_ip_fill(&a->ip, a->plen, true);
	memcpy(&key, b.a, 4);
	assert(bpf_map_update_elem(fd, &key, &brd, BPF_ANY) == 0);
	setup_route(h, &b, 32, &bval);
}
#endif

static void setup_zebra_route(struct harness *h, const struct fz_route *r)
{
	struct dp_rt_val v = {0};

	if (r->type == FZ_RT_UNICAST) {
		v.type = DP_RT_NHG;
		v.nhg_id = r->group;
	} else {
		v.type = DP_RT_SPECIAL;
	}
	setup_route(h, &r->prefix, r->plen, &v);
}

void fz_setup(struct harness *h, const struct fz_config *c)
{
	unsigned int i;

	h_reset(h);
	for (i = 0; i < c->n_ifs; i++) {
		const struct fz_if *ifp = &c->ifs[i];

		if (ifp->dp_flags)
			h_intf(h, ifp->ifindex, ifp->mac, ifp->dp_flags,
			       ifp->mtu, ifp->stats_idx);
		else
			h_intf_del(h, ifp->ifindex);
	}
	for (i = 0; i < c->n_neighs; i++)
		setup_neigh(h, c, &c->neighs[i]);
	for (i = 0; i < c->n_groups; i++)
		setup_group(h, c, &c->groups[i]);
	for (i = 0; i < c->n_addrs; i++) {
		setup_addr(h, &c->addrs[i]);
#ifdef DP_ADDR_BROADCAST
		setup_addr4_map(h, &c->addrs[i]);
#endif
	}
	for (i = 0; i < c->n_routes; i++)
		setup_zebra_route(h, &c->routes[i]);
}
