// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Users' programs for the chaining tests: written as anyone writes a TC
 * or XDP program, with no chaining code (no prog-array, no tail call, no
 * map of a next program). At TC a program that has no opinion returns
 * TC_ACT_UNSPEC, the TC convention for "next".
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define TC_ACT_UNSPEC (-1)
#define TC_ACT_SHOT 2
#define ETH_P_IP 0x0800

/* The IPv4 header of an Ethernet frame [data, end), or NULL. */
static __always_inline struct iphdr *ipv4_of(void *data, void *end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	return ip;
}

/* 10.1.0.3: the source the tests drop (h1's second address). */
#define DROPPED_SRC 0x0a010003

/* Drops IPv4 packets from DROPPED_SRC; everything else goes on. */
SEC("tc")
int drop_src(struct __sk_buff *skb)
{
	struct iphdr *ip = ipv4_of((void *)(long)skb->data,
				   (void *)(long)skb->data_end);

	if (!ip)
		return TC_ACT_UNSPEC;
	return ip->saddr == bpf_htonl(DROPPED_SRC) ? TC_ACT_SHOT
						   : TC_ACT_UNSPEC;
}

/* Sees packets and lets them go on: the kernel counts its runs. */
SEC("tc")
int count_all(struct __sk_buff *skb)
{
	return TC_ACT_UNSPEC;
}

/* 10.0.1.3: the source the XDP test drops (h1's second address in
 * tests/qemu/guest/xdp_chain.sh). */
#define XDP_DROPPED_SRC 0x0a000103

/* Drops IPv4 packets from XDP_DROPPED_SRC; everything else goes on. */
SEC("xdp")
int xdp_drop_src(struct xdp_md *ctx)
{
	struct iphdr *ip = ipv4_of((void *)(long)ctx->data,
				   (void *)(long)ctx->data_end);

	if (!ip)
		return XDP_PASS;
	return ip->saddr == bpf_htonl(XDP_DROPPED_SRC) ? XDP_DROP : XDP_PASS;
}

/* What it saw, per IPv4 source's last byte: the test reads it with
 * bpftool (the kernel keeps no run count of an freplace program). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} xdp_seen_map SEC(".maps");

/* Counts IPv4 packets by source and lets everything go on. */
SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	struct iphdr *ip = ipv4_of((void *)(long)ctx->data,
				   (void *)(long)ctx->data_end);
	__u32 key;
	__u64 *n;

	if (!ip)
		return XDP_PASS;
	key = bpf_ntohl(ip->saddr) & 0xff;
	n = bpf_map_lookup_elem(&xdp_seen_map, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return XDP_PASS;
}

/* An XDP program: not for hook tc-ingress. */
SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* Reads the packet without checking its length: the verifier refuses. */
SEC("tc")
int unchecked(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;

	return data[20] == 1 ? TC_ACT_SHOT : TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
