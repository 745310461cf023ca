/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The load balancer: is a packet for a VIP, and which backend takes a new
 * flow. Layouts and the rules their writer follows are in dp_abi.h. Every
 * algorithm but least-connections reads the VIP's ring (backend ids in
 * lb_ring_map); a backend that is not UP is skipped by probing the next
 * slots, so a health change acts before the plugin rebuilds the ring.
 * Established flows never come here: conntrack keeps their backend.
 */
#ifndef DP_BPF_LB_H
#define DP_BPF_LB_H

#include "common.h"
#include "ct.h"
#include "jhash.h"
#include "maps.h"

/* Ring slots probed past a backend that is down before falling back to
 * the VIP's backend list. With half the backends down, 16 slots all
 * naming down backends happen once in 65536 new flows. */
#define DP_LB_PROBES 16

/* Spreads the CPUs' round-robin starting points over the ring. */
#define DP_LB_RR_CPU_STRIDE 0x9e3779b1u

/* The VIP a tuple is for: its exact port first, then the all-ports form. */
static __always_inline const struct dp_lb_vip *
dp_lb_vip_lookup(const struct dp_ct_key *key)
{
	struct dp_lb_vip_key k = {
		.family = key->family,
		.proto = key->proto,
		.port = key->dport,
	};
	const struct dp_lb_vip *vip;

	if (key->proto != IPPROTO_TCP && key->proto != IPPROTO_UDP)
		return NULL;
	__builtin_memcpy(k.addr, key->daddr, sizeof(k.addr));
	vip = bpf_map_lookup_elem(&lb_vip_map, &k);
	if (vip)
		return vip;
	k.port = 0;
	return bpf_map_lookup_elem(&lb_vip_map, &k);
}

/*
 * A packet without a tuple (a fragment, a truncated TCP/UDP header) to the
 * address of an all-ports VIP: the LB cannot place it. (A fragment to a
 * one-port VIP cannot be told from other traffic to that address without
 * its ports, and is routed like it.)
 */
static __always_inline bool dp_lb_vip_addr(const struct dp_pkt *pkt)
{
	struct dp_lb_vip_key k = {.proto = pkt->l4_proto};

	if (pkt->ip4) {
		k.family = DP_AF_INET;
		k.addr[0] = pkt->ip4->daddr;
	} else if (pkt->ip6) {
		k.family = DP_AF_INET6;
		__builtin_memcpy(k.addr, &pkt->ip6->daddr, sizeof(k.addr));
	}
	return bpf_map_lookup_elem(&lb_vip_map, &k) != NULL;
}

/* A backend new flows may go to: UP, and of the flow's family. */
static __always_inline const struct dp_lb_backend *dp_lb_usable(__u32 id,
								__u32 family)
{
	const struct dp_lb_backend *be;

	if (!id)
		return NULL;
	be = bpf_map_lookup_elem(&lb_backend_map, &id);
	if (!be || !(be->flags & DP_LB_BE_F_UP) || be->family != family)
		return NULL;
	return be;
}

/*
 * The usable backend of the VIP with the fewest active connections (0 if
 * none): least-connections itself, and the fallback when every probed
 * ring slot names a backend that is down. A global function: the
 * verifier checks its 256-step loop once, not in every caller's state.
 */
__attribute__((noinline)) __u32 dp_lb_least_conn(__u32 vip_id, __u32 family)
{
	const struct dp_lb_vip_backends *list;
	__u64 best_n = ~0ull, n;
	__u32 best = 0, id, i;
	const __u64 *conns;

	list = bpf_map_lookup_elem(&lb_vip_backends, &vip_id);
	if (!list)
		return 0;
	for (i = 0; i < DP_LB_VIP_BACKENDS_MAX; i++) {
		if (i >= list->n)
			break;
		id = list->id[i];
		if (!dp_lb_usable(id, family))
			continue;
		conns = bpf_map_lookup_elem(&lb_be_conns_map, &id);
		n = conns ? *conns : 0;
		if (n < best_n) {
			best_n = n;
			best = id;
		}
	}
	return best;
}

/* Slot `slot` of the VIP's ring: a backend id, 0 if out of the map. */
static __always_inline __u32 dp_lb_ring_slot(const struct dp_lb_vip *vip,
					     __u32 slot)
{
	__u32 idx = vip->ring_base + slot;
	__u32 block = idx / DP_LB_RING_BLOCK;
	const struct dp_lb_ring_block *b;

	b = bpf_map_lookup_elem(&lb_ring_map, &block);
	return b ? b->id[idx % DP_LB_RING_BLOCK] : 0;
}

/*
 * The flow hash the ring is indexed with. It depends on the tuple and the
 * VIP's seed only, so every LB node with the same configuration picks
 * the same slot for a flow, whichever node an upstream ECMP sends it to.
 */
static __always_inline __u32 dp_lb_hash(const struct dp_ct_key *key,
					const struct dp_lb_vip *vip)
{
	__u32 k[9];

	if (vip->algorithm == DP_LB_ALG_SOURCE_HASH)
		return jhash2(key->saddr, 4, vip->hash_seed);
	__builtin_memcpy(&k[0], key->saddr, 16);
	__builtin_memcpy(&k[4], key->daddr, 16);
	k[8] = ((__u32)key->sport << 16) | key->dport;
	return jhash2(k, 9, vip->hash_seed + key->proto);
}

/*
 * Round robin (plain or weighted: the weights are in the ring) walks the
 * ring with a per-CPU position: no counter shared between CPUs, no atomic
 * on the new-connection path. Each CPU deals the backends out in ring
 * order, so each CPU's share is even (the ring interleaves the backends
 * by weight), and so is their sum: at any time a backend is off its share
 * by at most one flow per CPU.
 */
static __always_inline __u32 *dp_lb_rr_pos(const struct dp_lb_vip *vip)
{
	__u32 id = vip->vip_id;

	return bpf_map_lookup_elem(&lb_rr_map, &id);
}

static __always_inline bool dp_lb_is_rr(const struct dp_lb_vip *vip)
{
	return vip->algorithm == DP_LB_ALG_RR ||
	       vip->algorithm == DP_LB_ALG_WRR;
}

/*
 * The backend for a new flow of `key` to `vip`, 0 if none is usable. A
 * global function: its probe loop is checked once by the verifier.
 */
__attribute__((noinline)) __u32 dp_lb_select(const struct dp_ct_key *key,
					     const struct dp_lb_vip *vip)
{
	__u32 size, start, id, i;
	__u32 *pos = NULL;

	if (!key || !vip)
		return 0;
	size = vip->ring_size;
	if (vip->algorithm == DP_LB_ALG_LEAST_CONN || !size)
		return dp_lb_least_conn(vip->vip_id, key->family);
	if (dp_lb_is_rr(vip)) {
		pos = dp_lb_rr_pos(vip);
		if (!pos)
			return 0;
		start = *pos + bpf_get_smp_processor_id() * DP_LB_RR_CPU_STRIDE;
	} else {
		start = dp_lb_hash(key, vip);
	}
	start %= size;

	for (i = 0; i < DP_LB_PROBES; i++) {
		id = dp_lb_ring_slot(vip, (start + i) % size);
		if (!dp_lb_usable(id, key->family))
			continue;
		/* the next flow on this CPU starts after this one */
		if (pos)
			*pos += i + 1;
		return id;
	}
	return dp_lb_least_conn(vip->vip_id, key->family);
}

/*
 * Source persistence: the backend this client was given within the VIP's
 * timeout, if it is still usable (0 otherwise).
 */
static __always_inline __u32 dp_lb_persisted(const struct dp_ct_key *key,
					     const struct dp_lb_vip *vip,
					     __u64 now)
{
	struct dp_lb_persist_key k = {
		.vip_id = vip->vip_id,
		.family = key->family,
	};
	const struct dp_lb_persist *p;

	if (!(vip->flags & DP_LB_VIP_F_PERSIST))
		return 0;
	__builtin_memcpy(k.addr, key->saddr, sizeof(k.addr));
	p = bpf_map_lookup_elem(&lb_persist_map, &k);
	if (!p || now - p->last_seen > vip->persist_timeout * 1000000000ull)
		return 0;
	return dp_lb_usable(p->backend_id, key->family) ? p->backend_id : 0;
}

static __always_inline void dp_lb_persist(const struct dp_ct_key *key,
					  const struct dp_lb_vip *vip,
					  __u32 backend_id, __u64 now)
{
	struct dp_lb_persist_key k = {
		.vip_id = vip->vip_id,
		.family = key->family,
	};
	struct dp_lb_persist v = {.last_seen = now, .backend_id = backend_id};

	if (!(vip->flags & DP_LB_VIP_F_PERSIST))
		return;
	__builtin_memcpy(k.addr, key->saddr, sizeof(k.addr));
	bpf_map_update_elem(&lb_persist_map, &k, &v, BPF_ANY);
}

/*
 * A new flow to `vip`: its backend, its rewrite (fl->nat: the backend as
 * destination; fullnat also the VIP's source address, the port claimed by
 * conntrack), and its entries. DSR keeps the packet as it is and routes it
 * to the backend's address (in fl->nat.daddr all the same). Returns DP_CONTINUE with fl->ct set and
 * pkt->dst the address to route to, or why the kernel gets the packet.
 */
static __always_inline enum dp_reason dp_lb_new_flow(struct dp_pkt *pkt,
						     struct dp_flow *fl,
						     const struct dp_lb_vip *vip)
{
	__u64 now = bpf_ktime_get_coarse_ns();
	const struct dp_lb_backend *be;
	struct dp_ct_new n = {.vip_id = vip->vip_id};
	enum dp_reason reason;
	__u32 id;

	/* A RST for no flow has nothing to reset. */
	if (pkt->l4_proto == IPPROTO_TCP && (pkt->tcp_flags & DP_TCP_RST))
		return DP_R_PASS_CT_INVALID;

	id = dp_lb_persisted(&fl->key, vip, now);
	if (!id)
		id = dp_lb_select(&fl->key, vip);
	be = dp_lb_usable(id, fl->key.family);
	if (!be)
		return DP_R_PASS_LB_NO_BACKEND;

	n.backend_id = id;
	n.flags = DP_CT_F_LB;
	if (!dp_tcp_is_syn(pkt->tcp_flags) && pkt->l4_proto == IPPROTO_TCP)
		n.flags |= DP_CT_F_PICKUP;
	__builtin_memcpy(fl->nat.saddr, fl->key.saddr, 16);
	__builtin_memcpy(fl->nat.daddr, be->addr, 16);
	fl->nat.sport = fl->key.sport;
	fl->nat.dport = be->port ? be->port : fl->key.dport;

	switch (vip->nat_mode) {
	case DP_LB_NAT_DSR:
		/*
		 * The packet keeps its addresses and ports (fl->dsr: no
		 * rewrite); the entry keeps the backend's address as the one
		 * the frame is routed to, so that a packet of the flow needs
		 * no lookup of its backend.
		 */
		n.flags |= DP_CT_F_DSR;
		fl->dsr = 1;
		fl->nat.dport = fl->key.dport;
		break;
	case DP_LB_NAT_FULLNAT:
		n.flags |= DP_CT_F_FULLNAT;
		__builtin_memcpy(fl->nat.saddr, vip->fnat_addr, 16);
		n.port_min = vip->fnat_port_min;
		n.port_max = vip->fnat_port_max;
		n.port_hash = dp_lb_hash(&fl->key, vip);
		break;
	default:
		break;
	}
	n.state = dp_ct_initial_state(pkt, fl->dsr);

	reason = dp_ct_create(fl, &n);
	if (reason != DP_CONTINUE)
		return reason;
	dp_lb_persist(&fl->key, vip, fl->ct->backend_id, now);
	return DP_CONTINUE;
}

#endif /* DP_BPF_LB_H */
