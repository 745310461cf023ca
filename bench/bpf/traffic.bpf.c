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

SEC("xdp")
int sink_drop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip4 = data + sizeof(*eth);
	__u32 zero = 0;
	__u64 *n;

	if ((void *)(ip4 + 1) > data_end ||
	    eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip4->protocol != IPPROTO_UDP)
		return XDP_DROP;
	n = bpf_map_lookup_elem(&sink_count, &zero);
	if (n)
		(*n)++;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
