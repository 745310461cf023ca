// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reference bench/lb measures the datapath's load balancer against:
 * an XDP load balancer as lean as Katran's fast path, written here from
 * the description of that design (no code of Katran's). Per packet:
 *
 *   parse Ethernet / IPv4 (no options) / TCP, bounds-checked once
 *   VIP lookup: hash {address, port, proto} -> {vip number, ring, seed}
 *   per-VIP packet and byte counters (per-CPU array), as Katran keeps
 *   connection table: one LRU hash per CPU (array of maps indexed by
 *     the CPU), key the 5-tuple
 *       hit   (established): the backend it holds
 *       miss  (new flow):    ring[vip.ring_base + hash % ring_size],
 *                            then insert into this CPU's LRU
 *     in two layouts, one program each:
 *       ref_lb       Katran's: a 40-byte key that holds either family,
 *                    a 16-byte value (position, last-seen time), and
 *                    per-backend packet and byte counters (per-CPU)
 *       ref_lb_lean  leaner than Katran: a 16-byte IPv4 key, the
 *                    backend id as value, no per-backend counters
 *   backend lookup (array): address, port
 *   rewrite: destination address and port (DNAT) with RFC 1624
 *     incremental IPv4 and TCP checksums -- where Katran encapsulates in
 *     IPIP (a 20-byte header pushed, an outer checksum computed), work of
 *     about the same size
 *   MACs from a one-entry array (the default gateway's, as Katran does:
 *   no route lookup), XDP_TX
 *
 * The flow hash is the datapath's own (jhash2 over the tuple, the VIP's
 * seed + protocol, bpf/lib/lb.h dp_lb_hash), so both pick the same
 * backend from the same ring and bench/lb can check that they agree.
 * Anything else (not IPv4/TCP, not a VIP) is XDP_PASS.
 *
 * Why two: the element of a kernel hash map is a 32-byte header, the key
 * and the value, so the layout decides how much memory a table of 100K+
 * flows spreads over, and with it the cache and TLB misses that dominate
 * an established packet's cost. ref_lb is the peer as it is; ref_lb_lean
 * shows what the same design costs with the smallest table.
 */
#include "common.h"
#include "csum.h"
#include "jhash.h"

#define REF_VIPS_MAX 4096
#define REF_BACKENDS_MAX 65536
#define REF_RING_SLOTS_MAX (1u << 20) /* bench/lb sizes it */
#define REF_CPUS_MAX 128

struct ref_vip_key {
	__be32 addr;
	__be16 port;
	__u8 proto;
	__u8 pad;
};

struct ref_vip {
	__u32 vip_num; /* per-VIP counters */
	__u32 ring_base;
	__u32 ring_size;
	__u32 seed;
};

/* The lean table's key: the IPv4 5-tuple alone. */
struct ref_flow {
	__be32 saddr, daddr;
	__be16 sport, dport;
	__u32 proto;
};

/* Katran's table: its flow key holds either family (40 bytes), its value
 * a backend position and the last-seen time UDP flows are aged by. */
struct ref_flow_katran {
	union {
		__be32 src;
		__be32 srcv6[4];
	};
	union {
		__be32 dst;
		__be32 dstv6[4];
	};
	union {
		__u32 ports;
		__be16 port16[2];
	};
	__u8 proto;
};

struct ref_pos_lru {
	__u32 pos;
	__u64 atime;
};

struct ref_backend {
	__be32 addr;
	__be16 port;
	__u16 pad;
};

struct ref_ctl {
	__u8 dmac[ETH_ALEN];
	__u8 smac[ETH_ALEN];
};

struct ref_stats {
	__u64 packets, bytes;
};

/* hits and misses of the connection table, for bench/lb's checks */
struct ref_conn_stats {
	__u64 hit, miss;
};

enum ref_table { REF_KATRAN, REF_LEAN, REF_TABLES };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct ref_vip_key);
	__type(value, struct ref_vip);
	__uint(max_entries, REF_VIPS_MAX);
} ref_vip_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64); /* a backend id (the kernel stores 8 bytes anyway) */
	__uint(max_entries, REF_RING_SLOTS_MAX);
} ref_ring_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct ref_backend);
	__uint(max_entries, REF_BACKENDS_MAX);
} ref_backend_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct ref_ctl);
	__uint(max_entries, 1);
} ref_ctl_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct ref_stats);
	__uint(max_entries, REF_VIPS_MAX);
} ref_vip_stats_map SEC(".maps");

/* per backend ("real"), as Katran keeps: the Katran-layout program only */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct ref_stats);
	__uint(max_entries, REF_BACKENDS_MAX);
} ref_backend_stats_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct ref_conn_stats);
	__uint(max_entries, REF_TABLES);
} ref_conn_stats_map SEC(".maps");

/* The inner maps (one per CPU) are created by bench/lb, sized there. */
struct ref_conn_lru_katran {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(key_size, sizeof(struct ref_flow_katran));
	__uint(value_size, sizeof(struct ref_pos_lru));
	__uint(max_entries, 1024);
};

struct ref_conn_lru_lean {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(key_size, sizeof(struct ref_flow));
	__uint(value_size, sizeof(__u32)); /* backend id */
	__uint(max_entries, 1024);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, REF_CPUS_MAX);
	__array(values, struct ref_conn_lru_katran);
} ref_conn_maps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, REF_CPUS_MAX);
	__array(values, struct ref_conn_lru_lean);
} ref_conn_lean_maps SEC(".maps");

static __always_inline __u32 ref_hash(const struct ref_flow *f, __u32 seed)
{
	__u32 k[9] = {};

	/* dp_lb_hash's words: saddr[4], daddr[4], sport << 16 | dport */
	k[0] = f->saddr;
	k[4] = f->daddr;
	k[8] = ((__u32)f->sport << 16) | f->dport;
	return jhash2(k, 9, seed + f->proto);
}

/* A new flow's backend: the VIP's ring slot for its hash; 0 if none. */
static __always_inline __u32 ref_ring_pick(const struct ref_flow *f,
					   const struct ref_vip *vip)
{
	__u32 slot;
	__u64 *id;

	if (!vip->ring_size)
		return 0;
	slot = vip->ring_base + ref_hash(f, vip->seed) % vip->ring_size;
	id = bpf_map_lookup_elem(&ref_ring_map, &slot);
	return id ? *id : 0;
}

/* The flow's backend: this CPU's table, or the ring on a miss (then
 * remembered). 0 if the VIP has no ring or this CPU no table. */
static __always_inline __u32 ref_conn_katran(const struct ref_flow *f,
					     const struct ref_vip *vip,
					     struct ref_conn_stats *cs)
{
	struct ref_flow_katran k = {};
	struct ref_pos_lru *pos, npos = {};
	__u32 cpu = bpf_get_smp_processor_id();
	void *lru;

	lru = bpf_map_lookup_elem(&ref_conn_maps, &cpu);
	if (!lru)
		return 0;
	k.src = f->saddr;
	k.dst = f->daddr;
	k.port16[0] = f->sport;
	k.port16[1] = f->dport;
	k.proto = f->proto;
	pos = bpf_map_lookup_elem(lru, &k);
	if (pos) {
		if (cs)
			cs->hit++;
		return pos->pos;
	}
	npos.pos = ref_ring_pick(f, vip);
	if (!npos.pos)
		return 0;
	/* TCP: no atime (Katran ages UDP flows by it) */
	bpf_map_update_elem(lru, &k, &npos, BPF_ANY);
	if (cs)
		cs->miss++;
	return npos.pos;
}

static __always_inline __u32 ref_conn_lean(const struct ref_flow *f,
					   const struct ref_vip *vip,
					   struct ref_conn_stats *cs)
{
	__u32 cpu = bpf_get_smp_processor_id(), *id, bid;
	void *lru;

	lru = bpf_map_lookup_elem(&ref_conn_lean_maps, &cpu);
	if (!lru)
		return 0;
	id = bpf_map_lookup_elem(lru, f);
	if (id) {
		if (cs)
			cs->hit++;
		return *id;
	}
	bid = ref_ring_pick(f, vip);
	if (!bid)
		return 0;
	bpf_map_update_elem(lru, f, &bid, BPF_ANY);
	if (cs)
		cs->miss++;
	return bid;
}

static __always_inline int ref_lb_path(struct xdp_md *ctx, enum ref_table t)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip4 = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip4 + 1);
	struct ref_vip_key vk = {};
	struct ref_flow f = {};
	const struct ref_vip *vip;
	const struct ref_backend *be;
	const struct ref_ctl *ctl;
	struct ref_stats *vs, *bs;
	struct ref_conn_stats *cs;
	__u32 idx = t, zero = 0, bid;
	__u64 d;

	if ((void *)(tcp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip4->ihl != 5 ||
	    ip4->protocol != IPPROTO_TCP)
		return XDP_PASS;

	vk.addr = ip4->daddr;
	vk.port = tcp->dest;
	vk.proto = IPPROTO_TCP;
	vip = bpf_map_lookup_elem(&ref_vip_map, &vk);
	if (!vip)
		return XDP_PASS;
	vs = bpf_map_lookup_elem(&ref_vip_stats_map, &vip->vip_num);
	if (vs) {
		vs->packets++;
		vs->bytes += data_end - data;
	}

	f.saddr = ip4->saddr;
	f.daddr = ip4->daddr;
	f.sport = tcp->source;
	f.dport = tcp->dest;
	f.proto = IPPROTO_TCP;
	cs = bpf_map_lookup_elem(&ref_conn_stats_map, &idx);
	bid = t == REF_KATRAN ? ref_conn_katran(&f, vip, cs)
			      : ref_conn_lean(&f, vip, cs);
	if (!bid)
		return XDP_DROP;
	be = bpf_map_lookup_elem(&ref_backend_map, &bid);
	ctl = bpf_map_lookup_elem(&ref_ctl_map, &zero);
	if (!be || !ctl)
		return XDP_DROP;
	if (t == REF_KATRAN) {
		bs = bpf_map_lookup_elem(&ref_backend_stats_map, &bid);
		if (bs) {
			bs->packets++;
			bs->bytes += data_end - data;
		}
	}

	/* DNAT: the address in both checksums (TCP: pseudo-header), the
	 * port in TCP's */
	d = dp_csum_delta32(ip4->daddr, be->addr);
	ip4->check = dp_csum_apply(ip4->check, d);
	d += dp_csum_delta16(tcp->dest, be->port);
	tcp->check = dp_csum_apply(tcp->check, d);
	ip4->daddr = be->addr;
	tcp->dest = be->port;
	__builtin_memcpy(eth->h_dest, ctl->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, ctl->smac, ETH_ALEN);
	return XDP_TX;
}

SEC("xdp")
int ref_lb(struct xdp_md *ctx)
{
	return ref_lb_path(ctx, REF_KATRAN);
}

SEC("xdp")
int ref_lb_lean(struct xdp_md *ctx)
{
	return ref_lb_path(ctx, REF_LEAN);
}

/* XDP_PASS: the cost of a test run itself, subtracted from every figure. */
SEC("xdp")
int ref_lb_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
