// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The programs bench/fib and bench/forward measure the datapath against,
 * in the same run and on the same packets. ref_lpm does what the
 * datapath's forward path does to a packet, with the datapath's own
 * parsing and rewrite code (bpf/lib), and differs only in how it finds the
 * next hop; ref_fib_lookup is the leaner peer users would run instead:
 *
 *   ref_lpm         BPF_MAP_TYPE_LPM_TRIE, then an array of next hops
 *   ref_fib_lookup  the kernel's FIB through bpf_fib_lookup (routes and
 *                   neighbours installed in the namespace the run is in),
 *                   as lean as xdp-forward: it parses and does no more
 *   ref_redirect_fixed  every frame to one port, one MAC rewrite: the
 *                   limit of the XDP redirect path
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
 * Out interfaces for bpf_redirect_map, keyed by ifindex (bench/fib and
 * bench/forward add theirs), as xdp-forward redirects.
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 64);
} ref_tx_ports SEC(".maps");

/*
 * As lean as xdp-tools' xdp-forward (issue 10): the Ethernet and IP
 * headers only (no checksum check, no options or L4 parsed), the kernel's
 * route and neighbour in one bpf_fib_lookup, TTL or hop limit, MACs, a
 * devmap redirect. The kernel refuses the lookup
 * (BPF_FIB_LKUP_RET_FWD_DISABLED) unless forwarding is on for the ingress
 * interface: bench/fib turns it on for lo only, where BPF_PROG_TEST_RUN
 * receives, bench/forward for the router's ingress.
 */
SEC("xdp")
int ref_fib_lookup(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct bpf_fib_lookup fl = {};
	struct ipv6hdr *ip6;
	struct iphdr *ip4;
	bool v4;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	v4 = eth->h_proto == bpf_htons(ETH_P_IP);
	if (v4) {
		ip4 = (void *)(eth + 1);
		if ((void *)(ip4 + 1) > end || ip4->ttl <= 1)
			return XDP_PASS;
		fl.family = DP_AF_INET;
		fl.tos = ip4->tos;
		fl.l4_protocol = ip4->protocol;
		fl.tot_len = bpf_ntohs(ip4->tot_len);
		fl.ipv4_src = ip4->saddr;
		fl.ipv4_dst = ip4->daddr;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end || ip6->hop_limit <= 1)
			return XDP_PASS;
		fl.family = DP_AF_INET6;
		fl.flowinfo = *(__be32 *)ip6 & bpf_htonl(0x0fffffff);
		fl.l4_protocol = ip6->nexthdr;
		fl.tot_len = bpf_ntohs(ip6->payload_len);
		__builtin_memcpy(fl.ipv6_src, &ip6->saddr, 16);
		__builtin_memcpy(fl.ipv6_dst, &ip6->daddr, 16);
	} else {
		return XDP_PASS;
	}
	fl.ifindex = ctx->ingress_ifindex;
	if (bpf_fib_lookup(ctx, &fl, sizeof(fl), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	/* both headers were checked to hold at least this far */
	if (v4)
		dp_ipv4_decrement_ttl((struct iphdr *)(eth + 1));
	else
		((struct ipv6hdr *)(eth + 1))->hop_limit--;
	__builtin_memcpy(eth->h_dest, fl.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fl.smac, ETH_ALEN);
	return bpf_redirect_map(&ref_tx_ports, fl.ifindex, 0);
}

/*
 * The limit of this path (issue 10): every frame to one port with one
 * MAC rewrite, nothing looked up but the port. bench/forward sets both.
 */
const volatile __u32 ref_fixed_ifindex;
const volatile __u8 ref_fixed_dmac[ETH_ALEN];
const volatile __u8 ref_fixed_smac[ETH_ALEN];

SEC("xdp")
int ref_redirect_fixed(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	__builtin_memcpy(eth->h_dest, (const void *)ref_fixed_dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, (const void *)ref_fixed_smac, ETH_ALEN);
	return bpf_redirect_map(&ref_tx_ports, ref_fixed_ifindex, 0);
}

SEC("xdp")
int ref_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
