// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The programs bench/fib measures the datapath against, in the same run
 * and on the same packets. Each does what the datapath's forward path does
 * to a packet, with the datapath's own parsing and rewrite code
 * (bpf/lib), and differs only in how it finds the next hop:
 *
 *   ref_lpm         BPF_MAP_TYPE_LPM_TRIE, then an array of next hops
 *   ref_fib_lookup  the kernel's FIB through bpf_fib_lookup (routes and
 *                   neighbours installed in the namespace the run is in)
 *   ref_pass        XDP_PASS: the cost of BPF_PROG_TEST_RUN itself,
 *                   subtracted from every other figure
 */
#include "ctx_xdp.h"

#include "common.h"
#include "l2.h"
#include "l3.h"
#include "parse.h"

#define REF_NH_MAX 256
#define REF_LPM4_MAX (1u << 21)
#define REF_LPM6_MAX (1u << 19)

/* What the LPM trie's value (a next-hop index) leads to. */
struct ref_nh {
	__u32 ifindex;
	__u8 dmac[ETH_ALEN];
	__u8 smac[ETH_ALEN];
};

/* IPv4 prefix -> next-hop index (key layout of the datapath's rt_v4_map). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_rt4_key);
	__type(value, __u32);
	__uint(max_entries, REF_LPM4_MAX);
} ref_lpm4 SEC(".maps");

/* IPv6 prefix -> next-hop index. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dp_rt6_key);
	__type(value, __u32);
	__uint(max_entries, REF_LPM6_MAX);
} ref_lpm6 SEC(".maps");

/* Next-hop index -> out interface and MACs (pre-resolved, as ours). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct ref_nh);
	__uint(max_entries, REF_NH_MAX);
} ref_nh_map SEC(".maps");

/* Parse as the datapath does: IPv4 without options, or IPv6. */
static __always_inline bool ref_parse(struct xdp_md *ctx, struct dp_pkt *pkt)
{
	ctx_load_pkt(ctx, pkt);
	if (!dp_parse_eth(pkt))
		return false;
	if (pkt->proto == bpf_htons(ETH_P_IP))
		return dp_parse_ipv4(pkt) && pkt->l3_hlen == sizeof(struct iphdr);
	if (pkt->proto == bpf_htons(ETH_P_IPV6))
		return dp_parse_ipv6(pkt);
	return false;
}

static __always_inline int ref_send(struct xdp_md *ctx, struct dp_pkt *pkt,
				    const __u8 *dmac, const __u8 *smac,
				    __u32 ifindex)
{
	dp_decrement_ttl(ctx, pkt);
	dp_l2_rewrite(pkt->eth, dmac, smac);
	return bpf_redirect(ifindex, 0);
}

SEC("xdp")
int ref_lpm(struct xdp_md *ctx)
{
	const struct ref_nh *nh;
	const __u32 *nh_idx;
	struct dp_pkt pkt;

	if (!ref_parse(ctx, &pkt) || pkt.ttl <= 1)
		return XDP_PASS;
	if (pkt.ip4) {
		struct dp_rt4_key k = {.prefixlen = 32, .addr = pkt.ip4->daddr};

		nh_idx = bpf_map_lookup_elem(&ref_lpm4, &k);
	} else if (pkt.ip6) {
		struct dp_rt6_key k = {.prefixlen = 128};

		__builtin_memcpy(k.addr, &pkt.ip6->daddr, sizeof(k.addr));
		nh_idx = bpf_map_lookup_elem(&ref_lpm6, &k);
	} else {
		return XDP_PASS;
	}
	if (!nh_idx)
		return XDP_PASS;
	nh = bpf_map_lookup_elem(&ref_nh_map, nh_idx);
	if (!nh)
		return XDP_PASS;
	return ref_send(ctx, &pkt, nh->dmac, nh->smac, nh->ifindex);
}

/*
 * As xdp-tools' xdp-forward: the kernel answers route and neighbour in
 * one call. It returns BPF_FIB_LKUP_RET_FWD_DISABLED unless forwarding is
 * on for the ingress interface (bench/fib turns it on for lo only, the
 * interface BPF_PROG_TEST_RUN receives on).
 */
SEC("xdp")
int ref_fib_lookup(struct xdp_md *ctx)
{
	struct bpf_fib_lookup fl = {};
	struct dp_pkt pkt;

	if (!ref_parse(ctx, &pkt) || pkt.ttl <= 1)
		return XDP_PASS;
	fl.ifindex = ctx->ingress_ifindex;
	fl.l4_protocol = pkt.l4_proto;
	if (pkt.ip4) {
		fl.family = DP_AF_INET;
		fl.tos = pkt.ip4->tos;
		fl.tot_len = pkt.l3_len;
		fl.ipv4_src = pkt.ip4->saddr;
		fl.ipv4_dst = pkt.ip4->daddr;
	} else if (pkt.ip6) {
		fl.family = DP_AF_INET6;
		fl.flowinfo = *(__be32 *)pkt.ip6 & bpf_htonl(0x0fffffff);
		fl.tot_len = pkt.l3_len;
		__builtin_memcpy(fl.ipv6_src, &pkt.ip6->saddr, 16);
		__builtin_memcpy(fl.ipv6_dst, &pkt.ip6->daddr, 16);
	} else {
		return XDP_PASS;
	}
	if (bpf_fib_lookup(ctx, &fl, sizeof(fl), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	return ref_send(ctx, &pkt, fl.dmac, fl.smac, fl.ifindex);
}

SEC("xdp")
int ref_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
