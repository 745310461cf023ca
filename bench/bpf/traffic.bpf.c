// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Both ends of bench/forward's veth topology.
 *
 * gen_tx runs under BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES on
 * the generator's veth: every XDP_TX sends the frame to the router. The
 * test-run pages are recycled once the router and sink are done with a
 * frame, and whoever handled it last has rewritten it (MACs, TTL), so the
 * generator writes the whole Ethernet and IPv4 header on every run, with
 * the next destination of a table user space fills, instead of trusting
 * what the page holds.
 *
 * sink_count, attached to the sink's veth, counts the frames that arrive
 * forwarded (IPv4 UDP) and drops everything.
 *
 * gen_tcp and sink_be are bench/lb_throughput's ends: TCP frames of
 * numbered flows (a new source address / port per flow number), and a sink
 * that counts the frames sent to a backend prefix apart from the others.
 */
#include "common.h"
#include "csum.h"

#define GEN_DST_MAX 65536 /* a power of two */

/* Destinations, cycled through in order (user space shuffles them). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __be32);
	__uint(max_entries, GEN_DST_MAX);
} gen_dst SEC(".maps");

/* Frames built so far, per CPU (the generator runs on one). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} gen_count SEC(".maps");

/* Frames that reached the sink, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} sink_count SEC(".maps");

/*
 * Set by user space before load: the headers every run starts from
 * (writable globals: the compiler would fold a const one's initializer
 * into the copy), and how many destinations there are.
 */
struct ethhdr gen_eth;
struct iphdr gen_ip4;
const volatile __u32 gen_n_dst = 1; /* a power of two <= GEN_DST_MAX */

static __always_inline __u16 gen_ip4_csum(const struct iphdr *ip4)
{
	const __u16 *w = (const __u16 *)ip4;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < (int)(sizeof(*ip4) / 2); i++)
		sum += w[i];
	return ~dp_csum_fold(sum);
}

SEC("xdp")
int gen_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip4 = data + sizeof(*eth);
	__u32 zero = 0, idx;
	__be32 *dst;
	__u64 *n;

	if ((void *)(ip4 + 1) > data_end)
		return XDP_ABORTED;
	n = bpf_map_lookup_elem(&gen_count, &zero);
	if (!n)
		return XDP_ABORTED;
	idx = *n & (gen_n_dst - 1);
	dst = bpf_map_lookup_elem(&gen_dst, &idx);
	if (!dst)
		return XDP_ABORTED;
	(*n)++;

	__builtin_memcpy(eth, &gen_eth, sizeof(*eth));
	__builtin_memcpy(ip4, &gen_ip4, sizeof(*ip4));
	ip4->daddr = *dst;
	ip4->check = 0;
	ip4->check = gen_ip4_csum(ip4);
	return XDP_TX;
}

/* The frame's IPv4 header if it is an IPv4 frame of that protocol. */
static __always_inline struct iphdr *sink_ip4(struct xdp_md *ctx, __u8 proto)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip4 = data + sizeof(*eth);

	if ((void *)(ip4 + 1) > data_end ||
	    eth->h_proto != bpf_htons(ETH_P_IP) || ip4->protocol != proto)
		return NULL;
	return ip4;
}

/* Count one frame in a PERCPU_ARRAY counter and drop it. */
static __always_inline int sink_count_drop(void *counter)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(counter, &zero);

	if (n)
		(*n)++;
	return XDP_DROP;
}

SEC("xdp")
int sink_drop(struct xdp_md *ctx)
{
	if (!sink_ip4(ctx, IPPROTO_UDP))
		return XDP_DROP;
	return sink_count_drop(&sink_count);
}

/* Frames that reached the sink but not for a backend (sink_be), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} sink_other SEC(".maps");

/*
 * gen_tcp's state, written by user space between runs: the frame (a TCP
 * one of bn_pkt4_tcp, source address and port 0, its checksums valid for
 * them), the next flow number, and how many flows to cycle through: 0
 * makes every frame a new flow. Flow f comes from
 * 172.16.0.0/12 + (f & 0xfffff), port 1024 + ((f >> 20) & 0x7fff).
 */
__u8 gen_frame[60];
__u64 gen_flow;
__u64 gen_flow_mod;

SEC("xdp")
int gen_tcp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip4 = data + sizeof(struct ethhdr);
	struct tcphdr *th = (void *)(ip4 + 1);
	__u32 zero = 0, sum;
	__be32 saddr;
	__be16 sport;
	__u64 *n, f;

	if (data + sizeof(gen_frame) > data_end)
		return XDP_ABORTED;
	n = bpf_map_lookup_elem(&gen_count, &zero);
	if (!n)
		return XDP_ABORTED;
	(*n)++;
	f = gen_flow++;
	if (gen_flow_mod)
		f %= gen_flow_mod;
	saddr = bpf_htonl(0xac100000 | (f & 0xfffff));
	sport = bpf_htons(1024 + ((f >> 20) & 0x7fff));

	__builtin_memcpy(data, gen_frame, sizeof(gen_frame));
	ip4->saddr = saddr;
	ip4->check = 0;
	ip4->check = gen_ip4_csum(ip4);
	/* the template's sum had zeros where the address and port go */
	sum = (__u16)~th->check;
	sum += (saddr & 0xffff) + (saddr >> 16) + sport;
	th->source = sport;
	th->check = ~dp_csum_fold(sum);
	return XDP_TX;
}

/* Set before load: the backends' prefix (network order). */
const volatile __be32 sink_be_net = 0;
const volatile __be32 sink_be_mask = 0;

SEC("xdp")
int sink_be(struct xdp_md *ctx)
{
	struct iphdr *ip4 = sink_ip4(ctx, IPPROTO_TCP);

	if (ip4 && (ip4->daddr & sink_be_mask) == sink_be_net)
		return sink_count_drop(&sink_count);
	return sink_count_drop(&sink_other);
}

char LICENSE[] SEC("license") = "GPL";
