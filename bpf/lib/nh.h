/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Nexthop groups: a flow hash picks one of the group's DP_NHG_BUCKETS
 * buckets, the bucket names a pre-resolved path (resilient hashing: the
 * plugin moves only a removed path's buckets, so other flows stay put).
 * The result of this stage, and of neigh.h for connected routes, is a
 * struct dp_egress: where the packet leaves and how to address it.
 */
#ifndef DP_BPF_NH_H
#define DP_BPF_NH_H

#include "common.h"
#include "jhash.h"
#include "maps.h"
#include "parse.h"

/* Arbitrary, fixed: the same flow must hash the same in both hooks. */
#define DP_FLOW_HASH_SEED 0x7f4a7c15

struct dp_egress {
	const struct dp_path *path; /* NHG routes: the chosen path, else NULL */
	const __u8 *dmac;	    /* next hop's MAC, if resolved */
	const __u8 *smac;	    /* out interface's MAC, if resolved */
	__u32 ifindex;		    /* out interface; 0 if unknown */
	__u32 mtu;		    /* out interface MTU (L3) */
	__u32 hit_slot;		    /* the next hop's neigh_hit_map slot */
	bool resolved;		    /* dmac/smac are valid */
	bool xdp_tx;		    /* the egress takes an XDP redirect */
};

/*
 * The flow's 5-tuple hash, or addresses and protocol where there are no
 * ports to read (ICMP, IPv6 extension headers, and every IPv4 fragment,
 * the first included, so that all fragments of a datagram take one path).
 */
static __always_inline __u32 dp_flow_hash(const struct dp_pkt *pkt)
{
	__u32 ports = 0;

	if (pkt->has_ports)
		ports = ((__u32)pkt->sport << 16) | pkt->dport;

	if (pkt->ip4)
		return jhash_3words(pkt->ip4->saddr, pkt->ip4->daddr, ports,
				    DP_FLOW_HASH_SEED + pkt->l4_proto);
	if (pkt->ip6) {
		__u32 k[9];

		__builtin_memcpy(&k[0], &pkt->ip6->saddr, 16);
		__builtin_memcpy(&k[4], &pkt->ip6->daddr, 16);
		k[8] = ports;
		return jhash2(k, 9, DP_FLOW_HASH_SEED + pkt->l4_proto);
	}
	return 0;
}

static __always_inline enum dp_reason
dp_nh_select(const struct dp_pkt *pkt, __u32 nhg_id, struct dp_egress *eg)
{
	const struct dp_nhg *nhg = bpf_map_lookup_elem(&nh_map, &nhg_id);
	const struct dp_path *path;
	__u32 idx = 0;

	if (!nhg)
		return DP_R_PASS_NO_NHG;
	if (nhg->flags & DP_NHG_F_KERNEL)
		return DP_R_PASS_UNSUPPORTED;
	if (nhg->n_paths == 0)
		return DP_R_PASS_NO_ROUTE;
	if (nhg->n_paths > 1)
		idx = nhg->bucket[dp_flow_hash(pkt) & (DP_NHG_BUCKETS - 1)];
	/* A bucket beyond the group's paths: the plugin wrote an
	 * inconsistent group; let the kernel route until it is fixed. */
	if (idx >= nhg->n_paths || idx >= DP_NHG_MAX_PATHS)
		return DP_R_PASS_NO_NHG;

	path = &nhg->paths[idx];
	eg->path = path;
	eg->ifindex = path->ifindex;
	eg->mtu = path->mtu;
	eg->smac = path->smac;
	eg->dmac = path->dmac;
	eg->hit_slot = path->hit_slot;
	eg->resolved = !!(path->flags & DP_PATH_F_RESOLVED);
	eg->xdp_tx = !!(path->flags & DP_PATH_F_XDP_TX);
	return DP_CONTINUE;
}

#endif /* DP_BPF_NH_H */
