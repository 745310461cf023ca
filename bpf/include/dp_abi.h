/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frr-ebpf map ABI: every key, value and constant shared by the BPF datapath
 * and the zebra plugin. This file is the single owner of these layouts; the
 * datapath (bpf/) and the plugin (frr-plugin/) both include it.
 *
 * Any change to a struct below must bump DP_ABI_VERSION: pinned maps survive
 * zebra restarts and upgrades, and the plugin refuses to reuse pins whose
 * recorded version differs (see dp_meta_map).
 */
#ifndef DP_ABI_H
#define DP_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define DP_ABI_VERSION 9

/*
 * Where maps are pinned: one directory per zebra instance, this one for
 * the default instance and DP_PIN_ROOT "-" PATHSPACE for `zebra -N NAME`.
 */
#define DP_PIN_ROOT "/sys/fs/bpf/frr-ebpf"

/*
 * Default capacities. LPM tries and hashes are created without
 * preallocation, so an unused capacity costs no memory; the plugin sets
 * them from its module arguments before the maps are created.
 */
#define DP_RT4_MAX_DEFAULT     1048576
#define DP_RT6_MAX_DEFAULT     262144
#define DP_NHG_MAX_DEFAULT     65536
#define DP_NEIGH_MAX_DEFAULT   65536
#define DP_INTF_MAX            1024
/* Address ranges handed to the kernel because their routes did not fit. */
#define DP_PUNT_MAX            65536
/* The router's own and broadcast IPv4 addresses (source check). */
#define DP_ADDR4_MAX           16384

/* ---------------------------------------------------------------- routes */

/* What a FIB entry tells the datapath to do with a matching packet. */
enum dp_rt_type {
	DP_RT_NONE = 0,
	DP_RT_NHG = 1,	     /* forward via the nexthop group nhg_id */
	DP_RT_CONNECTED = 2, /* on-link subnet: neighbour is the packet's dst */
	DP_RT_LOCAL = 3,     /* one of the router's own addresses */
	DP_RT_SPECIAL = 4,   /* blackhole/unreachable/prohibit: kernel answers */
	DP_RT_BROADCAST = 5, /* a broadcast address of a local subnet */
	DP_RT_KERNEL = 6,    /* a route the datapath does not model */
	DP_RT_PUNT = 7,	     /* a route the datapath has no room for */
};

/* rt_v4_map key (BPF_MAP_TYPE_LPM_TRIE): prefixlen then address bytes. */
struct dp_rt4_key {
	__u32 prefixlen;
	__u32 addr; /* network byte order */
};

/* rt_v6_map key (BPF_MAP_TYPE_LPM_TRIE). */
struct dp_rt6_key {
	__u32 prefixlen;
	__u32 addr[4]; /* network byte order */
};

/* rt_v4_map / rt_v6_map value (and, with flags 0, fib_val_map's). */
struct dp_rt_val {
	/* One or the other by type: 8 bytes a value, not 12, are 4 bytes a
	 * route less in rt_v4_map / rt_v6_map and 8 fib_val_map values to a
	 * cache line. */
	union {
		__u32 nhg_id;  /* DP_RT_NHG: key of nh_map */
		__u32 ifindex; /* DP_RT_CONNECTED: the on-link interface */
	};
	__u8 type;  /* enum dp_rt_type */
	__u8 flags; /* DP_RT_F_*, in rt_v4_map / rt_v6_map only */
	__u8 pad[2];
};

/* The route did not fit the FIB: its range is in punt_v4_map/punt_v6_map
 * and the kernel forwards it. */
#define DP_RT_F_PUNTED 0x01

/* ------------------------------------------------- FIB lookup structures */

/*
 * rt_v4_map / rt_v6_map are the update-side truth (what `show ebpf route`
 * and bpftool read). The datapath looks routes up in structures built for
 * a full table instead; they map a destination to a value id, an index
 * into fib_val_map, where the plugin interns each distinct dp_rt_val once.
 * Value id 0 means "no route".
 */
#define DP_FIB_VALS_MAX_DEFAULT 131072

/*
 * IPv4: DIR-24-8. fib4_tbl24 (2^24 entries) is indexed by the
 * destination's top 24 bits; an entry is 0, a value id, or
 * DP_FIB4_TBL8 | group: then fib4_tbl8 (groups x 256 entries) at
 * group * 256 + the low 8 bits holds 0 or a value id. The plugin writes
 * the arrays through mmap with single aligned 32-bit stores, filling a
 * tbl8 group completely before the tbl24 entry points at it, so a packet
 * sees either the old or the new route, never a mixture.
 *
 * Both are BPF_F_MMAPABLE arrays of 256-entry blocks: fib4_tbl24 has
 * DP_FIB4_TBL24_BLOCKS elements (one per /16), fib4_tbl8 one element per
 * group (max_entries = number of groups). The kernel rounds every array
 * element up to 8 bytes, so an array of __u32 would spend 8 bytes per
 * entry; blocks keep entries 4 bytes apart, and the mmap'd arrays are
 * plain __u32[] indexed as above.
 */
#define DP_FIB4_TBL24_ENTRIES	     (1u << 24)
#define DP_FIB4_TBL8_GROUP_ENTRIES   256
#define DP_FIB4_TBL24_BLOCKS	     (DP_FIB4_TBL24_ENTRIES / DP_FIB4_TBL8_GROUP_ENTRIES)
#define DP_FIB4_TBL8_GROUPS_DEFAULT  16384
#define DP_FIB4_TBL8		     0x80000000u

struct dp_fib4_block {
	__u32 e[DP_FIB4_TBL8_GROUP_ENTRIES];
};

/*
 * IPv4 ranges in front of DIR-24-8 (doc/fib.md, "IPv4: ranges"), in the
 * manner of DXR's D16R: a lookup reads fib4_dxr_dir's entry for the
 * destination's /16 (the top 16 bits):
 *   0                          DIR-24-8 answers (a fresh map's state; a
 *                              /16 whose routes are changing; a table too
 *                              large for ranges to pay)
 *   DP_FIB4_DXR_DIRECT | id    the whole /16 has value id `id`
 *   DP_FIB4_DXR_RANGES | (n - 1) << DP_FIB4_DXR_N_SHIFT | base
 *                              the answer is the last of fib4_dxr_range's
 *                              entries base .. base + n - 1 that starts
 *                              at or below the low 16 bits
 * A range entry is (first low-16-bit address << 16 | value id); a /16's
 * ranges are sorted, the first starts at 0. Both maps are mmapable arrays
 * of 256-entry blocks, like the DIR-24-8 tables; the plugin stores a
 * /16's entry 0 before it changes any of the /16's DIR-24-8 entries, and
 * writes ranges before the entry that names them.
 */
#define DP_FIB4_DXR_DIRECT	     0x80000000u
#define DP_FIB4_DXR_RANGES	     0xc0000000u
#define DP_FIB4_DXR_BASE_MASK	     0x1fffffu
#define DP_FIB4_DXR_N_SHIFT	     21
#define DP_FIB4_DXR_N_MAX	     512 /* a binary search of 9 steps */
#define DP_FIB4_DXR_SEARCH_STEPS     9
#define DP_FIB4_DXR_CHUNKS	     65536
#define DP_FIB4_DXR_DIR_BLOCKS	     (DP_FIB4_DXR_CHUNKS / DP_FIB4_TBL8_GROUP_ENTRIES)
#define DP_FIB4_DXR_ID_MAX	     0xffffu /* in a range entry */

/* A directory entry's ranges: where they start, how many, and the entry
 * naming them (the one layout both sides read and write). */
static inline __u32 dp_fib4_dxr_base(__u32 dir)
{
	return dir & DP_FIB4_DXR_BASE_MASK;
}

static inline __u32 dp_fib4_dxr_n(__u32 dir)
{
	return ((dir >> DP_FIB4_DXR_N_SHIFT) & (DP_FIB4_DXR_N_MAX - 1)) + 1;
}

static inline __u32 dp_fib4_dxr_ranges(__u32 base, __u32 n)
{
	return DP_FIB4_DXR_RANGES | (n - 1) << DP_FIB4_DXR_N_SHIFT | base;
}
/* The plugin keeps ranges up to this many IPv4 routes (beyond, a lookup
 * would pay two cache misses where DIR-24-8 pays one) and sizes
 * fib4_dxr_range for them: about three range entries per route. */
#define DP_FIB4_DXR_ROUTES_MAX	     262144
#define DP_FIB4_DXR_RANGES_PER_ROUTE 3
#define DP_FIB4_DXR_RANGE_BLOCKS_DEFAULT                                       \
	(DP_FIB4_DXR_ROUTES_MAX * DP_FIB4_DXR_RANGES_PER_ROUTE /               \
	 DP_FIB4_TBL8_GROUP_ENTRIES) /* 3 MiB */

/*
 * IPv6 ranges in front of the binary search on lengths (doc/fib.md, "IPv6:
 * ranges"), for the global unicast space 2000::/3 where full tables live.
 * A lookup reads fib6_dxr_dir's entry for the destination's /20
 * (dp_fib6_dxr_chunk()), laid out as fib4_dxr_dir's (0: the binary
 * search answers; DP_FIB4_DXR_DIRECT | id; DP_FIB4_DXR_RANGES with base
 * and count, dp_fib4_dxr_base/_n/_ranges), naming entries of
 * fib6_dxr_range. A range entry is a __u64: the first address of the
 * range (bits 20..63 of the destination's top 64 bits) << 20 | value id
 * (20 bits), so the answer is the last entry of the /20's at or below
 * (those bits << 20 | DP_FIB6_DXR_ID_MASK). Id DP_FIB6_DXR_SEARCH sends
 * the lookup on to the binary search: a /64 that holds a longer prefix.
 * A /20 too dense for one set of ranges has DP_FIB6_DXR_SUB | base: its
 * 16 /24s' entries, laid out as a directory entry, are the low 32 bits of
 * fib6_dxr_range's entries base .. base + 15 (the next 4 bits of the
 * address pick one; the high 32 bits are the plugin's). Both maps are
 * mmapable arrays of blocks (256 __u32, 256 __u64).
 */
#define DP_FIB6_DXR_CHUNK_BITS	     20
#define DP_FIB6_DXR_CHUNKS	     (1u << (DP_FIB6_DXR_CHUNK_BITS - 3))
#define DP_FIB6_DXR_DIR_BLOCKS	     (DP_FIB6_DXR_CHUNKS / DP_FIB4_TBL8_GROUP_ENTRIES)
#define DP_FIB6_DXR_ID_BITS	     20
#define DP_FIB6_DXR_ID_MASK	     ((1u << DP_FIB6_DXR_ID_BITS) - 1)
#define DP_FIB6_DXR_SEARCH	     DP_FIB6_DXR_ID_MASK
#define DP_FIB6_DXR_RANGE_BLOCK	     256
#define DP_FIB6_DXR_SUB		     0x40000000u
#define DP_FIB6_DXR_SUB_BITS	     4
#define DP_FIB6_DXR_SUB_N	     (1u << DP_FIB6_DXR_SUB_BITS)

/* Which of a dense /20's /24s top lies in. */
static inline __u32 dp_fib6_dxr_sub(__u64 top)
{
	return (__u32)(top >> (64 - DP_FIB6_DXR_CHUNK_BITS -
			       DP_FIB6_DXR_SUB_BITS)) &
	       (DP_FIB6_DXR_SUB_N - 1);
}

struct dp_fib6_range_block {
	__u64 e[DP_FIB6_DXR_RANGE_BLOCK];
};

/* The /20 of 2000::/3 that top (the address's top 64 bits, host order)
 * lies in, or DP_FIB6_DXR_CHUNKS outside 2000::/3. */
static inline __u32 dp_fib6_dxr_chunk(__u64 top)
{
	if (top >> 61 != 1)
		return DP_FIB6_DXR_CHUNKS;
	return (__u32)(top >> (64 - DP_FIB6_DXR_CHUNK_BITS)) &
	       (DP_FIB6_DXR_CHUNKS - 1);
}

/* What a range entry is compared with: top's bits below the /20. */
static inline __u64 dp_fib6_dxr_key(__u64 top)
{
	return top << DP_FIB6_DXR_CHUNK_BITS | DP_FIB6_DXR_ID_MASK;
}

/* Ranges while the table has at most this many IPv6 routes, three range
 * entries each (fib6_dxr_range: 6 MiB). */
#define DP_FIB6_DXR_ROUTES_MAX	     262144
#define DP_FIB6_DXR_RANGES_PER_ROUTE 3
#define DP_FIB6_DXR_RANGE_BLOCKS_DEFAULT                                       \
	(DP_FIB6_DXR_ROUTES_MAX * DP_FIB6_DXR_RANGES_PER_ROUTE /               \
	 DP_FIB6_DXR_RANGE_BLOCK)

/*
 * IPv6: binary search on prefix lengths (Waldvogel et al.) over the fixed
 * tree of lengths 0..128, in one hash map fib6_map. A node is a prefix, a
 * marker (a shorter "keep searching longer" signpost left on the search
 * path of a longer prefix), or both; each carries the value id of the best
 * matching prefix at or above its length, so the search needs no
 * backtracking: at most 8 probes.
 */
#define DP_FIB6_NODES_MAX_DEFAULT 1048576

struct dp_fib6_key {
	__u32 prefixlen;
	__u32 addr[4]; /* network byte order, masked to prefixlen */
};

#define DP_FIB6_F_PREFIX 0x1 /* a route of exactly this prefix exists */
#define DP_FIB6_F_MARKER 0x2 /* a longer prefix lies on this search path */

struct dp_fib6_node {
	__u32 val_id; /* best matching prefix at or above this length */
	__u32 flags;  /* DP_FIB6_F_* */
};

/*
 * fib6_filter_map (BPF_MAP_TYPE_ARRAY of __u64 words, mmapable): one bit
 * per hash of a fib6_map key, set while some node of that hash exists. A
 * probe of the search whose bit is clear is a miss without a lookup: the
 * hash map is sized for a full table, so a probe is a cache miss in its
 * bucket array even when the table is small, and most searches probe
 * lengths that miss (the /64 root, the lengths below a /32 route). The
 * plugin sets a bit before it inserts a node and clears it after the last
 * node of that bit is deleted, counting nodes per bit (dp_fib6.c).
 */
#define DP_FIB6_FILTER_ORDER 21
#define DP_FIB6_FILTER_WORDS ((1u << DP_FIB6_FILTER_ORDER) / 64)

static inline __u32 dp_fib6_filter_bit(const struct dp_fib6_key *k)
{
	const __u64 k0 = 0x9e3779b97f4a7c15ull;
	__u64 h = (__u64)k->prefixlen * k0;

	h = (h ^ k->addr[0]) * k0;
	h = (h ^ k->addr[1]) * k0;
	h = (h ^ k->addr[2]) * k0;
	h = (h ^ k->addr[3]) * k0;
	return (__u32)(h >> (64 - DP_FIB6_FILTER_ORDER));
}

/* ---------------------------------------------------------- nexthop groups */

/* At most this many paths in one group (ECMP width). */
#define DP_NHG_MAX_PATHS 64

/*
 * Resilient hashing: a flow hash picks one of DP_NHG_BUCKETS buckets and the
 * bucket names a path. When a path is removed only its buckets are handed to
 * the survivors, so flows on other paths keep their path (no hash mod N).
 * Must be a power of two.
 */
#define DP_NHG_BUCKETS 256

/* dp_path.flags */
#define DP_PATH_F_RESOLVED 0x0001 /* dmac/smac are valid: rewrite + redirect */
#define DP_PATH_F_GW       0x0002 /* gw is set (else on-link: nh is pkt dst) */
#define DP_PATH_F_GW6      0x0004 /* gw is an IPv6 address (else IPv4) */
#define DP_PATH_F_XDP_TX   0x0008 /* the egress takes XDP redirects (a port
				   * in mode xdp whose driver accepts them);
				   * otherwise XDP hands the packet to TC */

/*
 * One pre-resolved path: everything the fast path needs to send the packet,
 * so forwarding is one FIB lookup plus one nh_map lookup. The plugin rewrites
 * the group whenever the neighbour or interface behind a path changes.
 */
struct dp_path {
	__u32 ifindex; /* out interface */
	__u8 dmac[6];  /* neighbour's MAC (valid with DP_PATH_F_RESOLVED) */
	__u8 smac[6];  /* out interface's MAC */
	__u16 flags;   /* DP_PATH_F_* */
	__u16 mtu;     /* out interface MTU (L3) */
	__u32 gw[4];   /* gateway, network byte order; IPv4 in gw[0] */
	__u32 hit_slot; /* the neighbour's slot in neigh_hit_map (0: none) */
};

/* dp_nhg.flags */
#define DP_NHG_F_KERNEL 0x0001 /* a nexthop the datapath cannot reproduce
				* (labels, encapsulation, an egress that is
				* not plain Ethernet): the kernel forwards */

/* nh_map value (BPF_MAP_TYPE_HASH, key: __u32 zebra NHG id). */
struct dp_nhg {
	__u16 n_paths; /* 0 .. DP_NHG_MAX_PATHS; 0 means: pass to kernel */
	__u16 flags;   /* DP_NHG_F_* */
	__u32 seq;     /* bumped by the plugin on each rewrite (diagnostics) */
	__u8 bucket[DP_NHG_BUCKETS]; /* bucket -> index into paths[] */
	struct dp_path paths[DP_NHG_MAX_PATHS];
};

/* -------------------------------------------------------------- neighbours */

/* dmac_map key (BPF_MAP_TYPE_HASH). */
struct dp_neigh_key {
	__u32 ifindex;
	__u8 family; /* AF_INET (2) or AF_INET6 (10) */
	__u8 pad[3];
	__u32 addr[4]; /* network byte order; IPv4 in addr[0], rest zero */
};

/* dmac_map value: the neighbour's MAC, plus the interface's own MAC and
 * MTU so that a connected route needs only this one extra lookup. */
struct dp_neigh_val {
	__u8 dmac[6];
	__u8 smac[6];
	__u16 mtu;
	__u16 state;	/* NUD_* as reported by the kernel (diagnostics) */
	__u32 hit_slot; /* slot in neigh_hit_map (0: none) */
	__u16 flags;	/* DP_PATH_F_XDP_TX: as for a path */
	__u16 pad;
};

/*
 * neigh_hit_map (BPF_MAP_TYPE_ARRAY, BPF_F_MMAPABLE, blocks of
 * DP_HIT_BLOCK slots): the datapath sets a neighbour's byte when it
 * forwards to it, the plugin reads and clears it. The kernel never sees
 * the packets the fast path sends, so without this it would let a
 * neighbour go stale and never re-check its MAC: the plugin asks the
 * kernel to confirm the neighbours the fast path uses (NTF_USE), as a
 * packet sent by the kernel would.
 */
#define DP_HIT_BLOCK 256
struct dp_hit_block {
	__u8 hit[DP_HIT_BLOCK];
};

/* -------------------------------------------------------------- interfaces */

/* dp_intf.flags */
#define DP_INTF_F_ENABLED 0x0001 /* `ebpf interface` configured here */
#define DP_INTF_F_XDP     0x0002 /* XDP program attached (mode xdp) */
#define DP_INTF_F_TC      0x0004 /* TC ingress program attached */
#define DP_INTF_F_UP      0x0008 /* operationally up */
/* The kernel's reverse-path filter for this interface (rp_filter, the
 * larger of conf/all and conf/IF): loose (2) or strict (1). */
#define DP_INTF_F_RPF_LOOSE  0x0010
#define DP_INTF_F_RPF_STRICT 0x0020

/* intf_map value (BPF_MAP_TYPE_HASH, key: __u32 ifindex). */
struct dp_intf {
	__u8 mac[6];	   /* router MAC: unicast frames to it are routed */
	__u16 flags;	   /* DP_INTF_F_* */
	__u32 mtu;
	__u32 table_id;	   /* routing table (254 = main; VRFs later) */
	__u32 stats_idx;   /* slot in intf_stats_map */
	__u32 policer_id;  /* reserved for policers (0 = none) */
	__u32 pad;
};

/* ------------------------------------------------------------------ stats */

/* Where a packet went and why. Every PASS has its own reason so operators
 * can see what the kernel is still doing for the datapath. */
enum dp_reason {
	DP_R_FWD = 0,	       /* forwarded by redirect (pre-resolved path) */
	DP_R_FWD_NEIGH,	       /* TC: forwarded via bpf_redirect_neigh */
	DP_R_PASS_NON_IP,      /* neither IPv4 nor IPv6 (VLAN tags included) */
	DP_R_PASS_ARP,	       /* ARP */
	DP_R_PASS_ND,	       /* IPv6 neighbour discovery / router sol/adv */
	DP_R_PASS_NOT_ROUTER,  /* dst MAC is not the router MAC (bcast/mcast) */
	DP_R_PASS_MCAST,       /* multicast destination */
	DP_R_PASS_BCAST,       /* broadcast destination (limited or subnet) */
	DP_R_PASS_LINK_LOCAL,  /* link-local source or destination */
	DP_R_PASS_MARTIAN,     /* an address the kernel refuses (own or
				* broadcast source, loopback, zero net...) */
	DP_R_PASS_LOCAL,       /* destination is one of the router's addresses */
	DP_R_PASS_NO_ROUTE,    /* FIB miss */
	DP_R_PASS_SPECIAL,     /* blackhole/unreachable/prohibit route */
	DP_R_PASS_NO_NEIGH,    /* neighbour not resolved (TC takes it) */
	DP_R_PASS_EGRESS_SKB,  /* XDP cannot redirect to the egress: TC takes
				* it (a bridge, VXLAN, a mode tc port...) */
	DP_R_PASS_UNSUPPORTED, /* a route or nexthop the datapath does not
				* model (labels, encap, non-Ethernet egress) */
	DP_R_PASS_TTL,	       /* TTL / hop limit <= 1: kernel sends ICMP */
	DP_R_PASS_IP_OPTIONS,  /* IPv4 options or IPv6 hop-by-hop header */
	DP_R_PASS_MTU,	       /* too big for the out interface: kernel ICMP */
	DP_R_PASS_MALFORMED,   /* truncated or invalid header: kernel drops */
	DP_R_PASS_NO_NHG,      /* route points to a group not (yet) in nh_map */
	DP_R_PASS_DISABLED,    /* interface not enabled (or enslaved) */
	DP_R_PASS_FIB_FULL,    /* its route did not fit the datapath's tables */
	DP_R_PASS_IPSEC,       /* xfrm (IPsec) policies exist: kernel applies
				* them */
	DP_R_PASS_RPF,	       /* the source fails the interface's rp_filter
				* (or cannot be checked here) */
	DP_R_PASS_TRAILER,     /* bytes after the IP packet: the kernel trims */
	DP_R_PASS_CT_SLOW,     /* XDP: a new flow to a VIP or through source
				* NAT, a TCP state change, an ICMP error
				* about a flow, or an established flow XDP
				* cannot send itself: TC takes it.
				* TC: its conntrack program is missing */
	DP_R_PASS_CT_FULL,     /* ct4_map / ct6_map (or the persistence
				* table) could not take the flow's
				* entries */
	DP_R_PASS_NAT_PORTS,   /* every fullnat / source NAT port probed was
				* taken */
	DP_R_PASS_LB_NO_BACKEND, /* a VIP with no healthy backend (or a DSR
				  * flow whose backend was removed) */
	DP_R_PASS_LB_UNSUPPORTED, /* a packet to a VIP the LB cannot handle:
				   * fragment, IP options or extension
				   * headers, truncated L4, a backend of the
				   * other family, DSR to a backend that is
				   * not on a connected segment */
	DP_R_PASS_CT_INVALID,  /* a TCP RST to a VIP with no flow to reset */
	DP_R_PASS_CT_ICMP_ERROR, /* an ICMP error about a tracked flow that
				  * cannot be translated (a DSR flow's, or
				  * not sent to the inner packet's source):
				  * the kernel gets it untranslated */
	DP_R_DROP_POLICED,     /* dropped by a policer's action for its
				* colour: the one drop the configuration
				* asks for */
	DP_R_PASS_HOLD_EXPIRED, /* zebra has not renewed the datapath's
				 * trust within its hold time */
	DP_R_MAX,
};

/* The hooks the datapath runs at; stats_map is indexed [hook][reason]. */
enum dp_hook {
	DP_HOOK_XDP = 0,
	DP_HOOK_TC = 1,
	DP_HOOK_MAX,
};

#define DP_STATS_IDX(hook, reason) ((hook) * DP_R_MAX + (reason))
#define DP_STATS_MAX		   (DP_HOOK_MAX * DP_R_MAX)

/* stats_map value (BPF_MAP_TYPE_PERCPU_ARRAY, DP_STATS_MAX entries). */
struct dp_counter {
	__u64 packets;
	__u64 bytes;
};

/* intf_stats_map value (BPF_MAP_TYPE_PERCPU_ARRAY, DP_INTF_MAX entries,
 * indexed by dp_intf.stats_idx). Counted at ingress. */
struct dp_intf_stats {
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 fwd_packets; /* forwarded by the datapath (either hook) */
	__u64 fwd_bytes;
	__u64 pass_packets; /* handed to the kernel */
};

/* ------------------------------------------------------------ XDP -> TC */

/*
 * XDP leaves its verdict in the packet metadata so that TC ingress on the
 * same interface neither re-parses nor re-counts a packet XDP already
 * decided to pass. TC only takes over what XDP cannot do itself: an
 * unresolved neighbour (TC forwards with bpf_redirect_neigh) and an egress
 * that takes no XDP redirect (TC forwards with bpf_redirect).
 */
#define DP_XDP_META_MAGIC 0xfeb0
struct dp_xdp_meta {
	__u16 magic;  /* DP_XDP_META_MAGIC */
	__u16 reason; /* enum dp_reason XDP decided */
	__u16 flags;  /* DP_XDP_META_F_* */
	__u16 pad;
};

/* XDP metered the packet already: TC must not meter it again. */
#define DP_XDP_META_F_POLICED 0x1

/* The reasons XDP hands to TC (which forwards and counts the packet). */
#define DP_REASON_TC_TAKES(reason)                                             \
	((reason) == DP_R_PASS_NO_NEIGH || (reason) == DP_R_PASS_EGRESS_SKB || \
	 (reason) == DP_R_PASS_CT_SLOW)

/* -------------------------------------------------------------- meta map */

/* meta_map value (BPF_MAP_TYPE_ARRAY, 1 entry): the layout version of the
 * pinned maps, written by whoever created them, and the datapath-wide
 * switches below. */
struct dp_meta {
	__u32 abi_version;    /* DP_ABI_VERSION at creation */
	__u32 flags;	      /* DP_META_F_* */
	__u64 trusted_until; /* with DP_META_F_HOLD: CLOCK_MONOTONIC ns */
};

/*
 * A route the FIB could not take (a table full) would otherwise be
 * shadowed by a shorter covering route and its packets misforwarded. Its
 * prefix goes into punt_v4_map / punt_v6_map, which the datapath consults
 * while DP_META_F_PUNT* says they are not empty; only when those are full
 * too does the whole family go to the kernel (DP_META_F_FIB*_INCOMPLETE).
 */
#define DP_META_F_FIB4_INCOMPLETE 0x1
#define DP_META_F_FIB6_INCOMPLETE 0x2
#define DP_META_F_PUNT4		  0x4
#define DP_META_F_PUNT6		  0x8
/* xfrm (IPsec) policies exist and the operator has not opted out: the
 * kernel must see every packet so that none leaves unprotected. */
#define DP_META_F_IPSEC		  0x10
/* addr4_map could not take every local and broadcast address: without
 * the source check, every IPv4 packet goes to the kernel. */
#define DP_META_F_ADDR4_INCOMPLETE 0x20

/*
 * Conntrack is in use: a VIP or a source NAT rule is configured, or
 * the conntrack tables may still hold flows of one. Without it, no
 * stage below looks at a packet and routing costs what it cost before
 * the load balancer (one flag test). DP_META_F_LB: lb_vip_map is not empty.
 * DP_META_F_SNAT: nat_src_map is not empty.
 */
#define DP_META_F_CT		  0x40
#define DP_META_F_LB		  0x80
#define DP_META_F_SNAT		  0x100
/* ct_filter_map holds every address a tracked flow's packets can carry
 * where the filter looks (see there): packets with none are not looked
 * up in the conntrack tables before routing. */
#define DP_META_F_CT_FILTER	  0x200
/* Policers are attached to interfaces, source matches, destination
 * matches, VIPs: the police stage looks each kind up only while some are
 * attached (one flag test when none is). */
#define DP_META_F_POLICE_INTF	  0x400
#define DP_META_F_POLICE_SRC	  0x800
#define DP_META_F_POLICE_DST	  0x1000
#define DP_META_F_POLICE_VIP	  0x2000
/*
 * The plugin renews trusted_until while zebra lives (its hold time ahead).
 * Past it, zebra is dead or stuck, nothing follows the kernel's links,
 * neighbours and routes any more, and every packet goes to the kernel
 * (DP_R_PASS_HOLD_EXPIRED) until a zebra takes the maps over again.
 */
#define DP_META_F_HOLD		  0x4000
#define DP_META_F_POLICE                                                      \
	(DP_META_F_POLICE_INTF | DP_META_F_POLICE_SRC | DP_META_F_POLICE_DST | \
	 DP_META_F_POLICE_VIP)

/* punt_v4_map / punt_v6_map value: why the range goes to the kernel. */
struct dp_punt {
	__u32 reason; /* enum dp_reason */
};

/* addr4_map value (key: __be32 address): what the address is to the
 * router. A packet from such a source is not forwarded by the kernel. */
#define DP_ADDR_LOCAL	  1
#define DP_ADDR_BROADCAST 2
struct dp_addr {
	__u32 kind; /* DP_ADDR_* */
};

/* ----------------------------------------------------------- load balancer */

/*
 * Default capacities of the load balancer, conntrack and NAT maps. Like the
 * routing tables, the plugin sets them from its module arguments before the
 * maps are created; the datapath reads no size from here.
 */
#define DP_LB_VIPS_MAX_DEFAULT	   4096	     /* lb_vip_map, and vip ids */
#define DP_LB_BACKENDS_MAX_DEFAULT 65536     /* backend ids */
#define DP_LB_RING_MAX_DEFAULT	   (4u << 20) /* ring slots, all VIPs */
#define DP_LB_PERSIST_MAX_DEFAULT  65536     /* source persistence */
#define DP_CT_MAX_DEFAULT	   262144    /* conntrack entries */
#define DP_NAT_SRC_MAX_DEFAULT	   1024	     /* source NAT rules */

/* Backends one VIP can list (least-connections scans them). */
#define DP_LB_VIP_BACKENDS_MAX 256

/* How a VIP picks the backend of a new flow (dp_lb_vip.algorithm). */
enum dp_lb_alg {
	DP_LB_ALG_MAGLEV = 0,	   /* ring[hash(5-tuple) % ring_size] */
	DP_LB_ALG_HASH = 1,	   /* the same lookup over a plainly built ring */
	DP_LB_ALG_SOURCE_HASH = 2, /* ring[hash(source address) % ring_size] */
	DP_LB_ALG_RR = 3,	   /* ring walked by a per-CPU counter */
	DP_LB_ALG_WRR = 4,	   /* the same walk; the ring holds each backend
				    * in proportion to its weight */
	DP_LB_ALG_LEAST_CONN = 5,  /* the healthy backend with the fewest
				    * active connections (lb_vip_backends) */
	DP_LB_ALG_MAX,
};

/* What a VIP's flows are rewritten to (dp_lb_vip.nat_mode). */
enum dp_lb_nat {
	DP_LB_NAT_DNAT = 0,    /* destination -> backend; replies come back
				* through the LB, their source -> VIP */
	DP_LB_NAT_FULLNAT = 1, /* and source -> fnat_addr:allocated port, so
				* the backend needs no route back */
	DP_LB_NAT_DSR = 2,     /* no IP rewrite: the frame goes at L2 to the
				* backend (connected segment, VIP on its
				* loopback); replies never come back */
};

/* dp_lb_vip.flags */
#define DP_LB_VIP_F_PERSIST 0x0001 /* a client source keeps its backend for
				    * persist_timeout seconds */

/*
 * lb_vip_map key (BPF_MAP_TYPE_HASH). A packet is matched on its exact
 * destination port first, then on port 0 (the VIP's all-ports form).
 */
struct dp_lb_vip_key {
	__u8 family;   /* AF_INET (2) or AF_INET6 (10) */
	__u8 proto;    /* IPPROTO_TCP or IPPROTO_UDP */
	__be16 port;   /* 0: every port */
	__u32 addr[4]; /* network byte order; IPv4 in addr[0], rest zero */
};

/*
 * lb_vip_map value. The VIP's selection table is
 * lb_ring_map[ring_base .. ring_base + ring_size): backend ids, written by
 * the plugin (Maglev: a prime >= 100 x backends). Backends must be of the
 * VIP's family. A hash-map update replaces the value atomically, so a new
 * ring is written to a free range first and the VIP switched to it.
 */
struct dp_lb_vip {
	__u32 vip_id;	       /* < DP_LB_VIPS_MAX: index of lb_vip_backends,
				* lb_rr_map; in conntrack and persistence */
	__u8 algorithm;	       /* enum dp_lb_alg */
	__u8 nat_mode;	       /* enum dp_lb_nat */
	__u16 flags;	       /* DP_LB_VIP_F_* */
	__u32 persist_timeout; /* seconds (DP_LB_VIP_F_PERSIST) */
	__u32 ring_base;
	__u32 ring_size;       /* 0: no backend at all */
	__u32 hash_seed;       /* the same on every LB node of a VIP, so that
				* they pick the same backend for a flow */
	__u32 fnat_addr[4];    /* fullnat: source towards the backends */
	__u16 fnat_port_min;   /* fullnat: source ports, host byte order */
	__u16 fnat_port_max;
};

/*
 * lb_ring_map: BPF_MAP_TYPE_ARRAY, BPF_F_MMAPABLE, of blocks of
 * DP_LB_RING_BLOCK backend ids (the kernel rounds array elements up to 8
 * bytes; blocks keep ids 4 bytes apart). Through mmap it is one flat
 * __u32 array: slot i is block i / DP_LB_RING_BLOCK, entry
 * i % DP_LB_RING_BLOCK. max_entries = slots / DP_LB_RING_BLOCK.
 */
#define DP_LB_RING_BLOCK 256
struct dp_lb_ring_block {
	__u32 id[DP_LB_RING_BLOCK];
};

/* lb_vip_backends value (BPF_MAP_TYPE_ARRAY by vip id): each backend of
 * the VIP once, for least-connections and for the fallback when every
 * probed ring slot names a backend that is down. */
struct dp_lb_vip_backends {
	__u32 n; /* <= DP_LB_VIP_BACKENDS_MAX */
	__u32 id[DP_LB_VIP_BACKENDS_MAX];
};

/* dp_lb_backend.flags */
#define DP_LB_BE_F_UP 0x01 /* healthy and administratively up */

/*
 * lb_backend_map value (BPF_MAP_TYPE_ARRAY by backend id; id 0 is never a
 * backend). A backend that is not UP is skipped by new flows at once,
 * before the ring is rebuilt; its established flows keep it while their
 * conntrack entries live.
 */
struct dp_lb_backend {
	__u8 family;	/* the VIP's */
	__u8 flags;	/* DP_LB_BE_F_* */
	__be16 port;	/* 0: keep the packet's destination port */
	__u32 addr[4];	/* network byte order */
	__u32 vip_id;
	__u32 weight;	/* informational: the ring carries the weights */
};

/* lb_be_stats_map value (BPF_MAP_TYPE_PERCPU_ARRAY by backend id): the
 * packets of the backend's flows, both directions. */
struct dp_lb_backend_stats {
	__u64 packets;
	__u64 bytes;
};

/*
 * lb_be_conns_map (BPF_MAP_TYPE_ARRAY by backend id, BPF_F_MMAPABLE,
 * value __u64): the backend's active connections, shared by all CPUs and
 * changed only with atomic adds: +1 by the CPU whose insert created the
 * flow's original conntrack entry, -1 by the CPU whose compare-and-swap
 * moved the flow into a closed state (TIME_WAIT, CLOSE), +1 again if a
 * SYN reopens it; user space, ageing out an entry it removed with
 * lookup-and-delete while still open, subtracts 1 through the mmap.
 * Each transition has exactly one winner, so nothing is counted twice.
 */

/* lb_persist_map (BPF_MAP_TYPE_LRU_HASH): source persistence. */
struct dp_lb_persist_key {
	__u32 vip_id;
	__u32 family;
	__u32 addr[4]; /* the client's address */
};

struct dp_lb_persist {
	__u64 last_seen; /* bpf_ktime_get_ns() of the last new flow */
	__u32 backend_id;
	__u32 pad;
};

/* ------------------------------------------------------------- conntrack */

/*
 * Connection states. TCP follows the client's view: FIN_WAIT when the
 * client (original direction) closed first, CLOSE_WAIT when the server
 * did, LAST_ACK once both FINs are seen. The original direction's entry
 * holds the authoritative state, changed by compare-and-swap; the reply
 * entry carries a copy for the fast path.
 */
enum dp_ct_state {
	DP_CT_NONE = 0,
	DP_CT_TCP_SYN_SENT = 1,
	DP_CT_TCP_SYN_RECV = 2,
	DP_CT_TCP_ESTABLISHED = 3,
	DP_CT_TCP_FIN_WAIT = 4,
	DP_CT_TCP_CLOSE_WAIT = 5,
	DP_CT_TCP_LAST_ACK = 6,
	DP_CT_TCP_TIME_WAIT = 7,
	DP_CT_TCP_CLOSE = 8,
	DP_CT_UDP_NEW = 9,
	DP_CT_UDP_REPLIED = 10,
	DP_CT_ICMP_NEW = 11,
	DP_CT_ICMP_REPLIED = 12,
	DP_CT_STATE_MAX,
};

/*
 * How long user space keeps an entry past its last_seen, per state
 * (seconds; Linux's nf_conntrack defaults, except ESTABLISHED: RFC 5382's
 * 2 h 4 min rather than 5 days). User space ages; the datapath never
 * deletes an entry, so an idle flow's state is never lost to a race.
 */
#define DP_CT_TIMEOUT_SYN_SENT	  120
#define DP_CT_TIMEOUT_SYN_RECV	  60
#define DP_CT_TIMEOUT_ESTABLISHED 7440
#define DP_CT_TIMEOUT_FIN_WAIT	  120
#define DP_CT_TIMEOUT_CLOSE_WAIT  60
#define DP_CT_TIMEOUT_LAST_ACK	  30
#define DP_CT_TIMEOUT_TIME_WAIT	  120
#define DP_CT_TIMEOUT_CLOSE	  10
#define DP_CT_TIMEOUT_UDP_NEW	  30
#define DP_CT_TIMEOUT_UDP_REPLIED 120
#define DP_CT_TIMEOUT_ICMP	  30

static inline __u32 dp_ct_timeout_sec(__u32 state)
{
	switch (state) {
	case DP_CT_TCP_SYN_SENT:
		return DP_CT_TIMEOUT_SYN_SENT;
	case DP_CT_TCP_SYN_RECV:
		return DP_CT_TIMEOUT_SYN_RECV;
	case DP_CT_TCP_ESTABLISHED:
		return DP_CT_TIMEOUT_ESTABLISHED;
	case DP_CT_TCP_FIN_WAIT:
		return DP_CT_TIMEOUT_FIN_WAIT;
	case DP_CT_TCP_CLOSE_WAIT:
		return DP_CT_TIMEOUT_CLOSE_WAIT;
	case DP_CT_TCP_LAST_ACK:
		return DP_CT_TIMEOUT_LAST_ACK;
	case DP_CT_TCP_TIME_WAIT:
		return DP_CT_TIMEOUT_TIME_WAIT;
	case DP_CT_UDP_NEW:
		return DP_CT_TIMEOUT_UDP_NEW;
	case DP_CT_UDP_REPLIED:
		return DP_CT_TIMEOUT_UDP_REPLIED;
	case DP_CT_ICMP_NEW:
	case DP_CT_ICMP_REPLIED:
		return DP_CT_TIMEOUT_ICMP;
	default:
		return DP_CT_TIMEOUT_CLOSE;
	}
}

/* The datapath refreshes last_seen at most this often (ns), so that the
 * packets of a busy flow do not all write the entry. */
#define DP_CT_TOUCH_NS 1000000000ull

/*
 * Conntrack: a flow's tuple as a packet arrives, before any rewrite. One
 * entry per direction: original (client -> VIP or server) and reply (as
 * the reply arrives: backend -> client, or backend -> the fullnat/source
 * NAT address). ICMP echo: the identifier is the source port of a request
 * and the destination port of a reply, so that the reply's key is the
 * swapped translated request.
 *
 * Two tables, one per family, with the same value (struct dp_ct_val):
 *
 *   ct4_map  key struct dp_ct4_key (16 bytes), preallocated: an element
 *            is 144 bytes in the kernel (48 of its own, key, value)
 *            where a key holding either family made it 168, and its hash
 *            is four words instead of ten (doc/architecture.md, "Two
 *            conntrack tables": memory, not time per packet).
 *   ct6_map  key struct dp_ct_key, allocated per entry
 *            (BPF_F_NO_PREALLOC): its capacity costs no memory until
 *            used. An insert the kernel cannot allocate for fails as a
 *            full table does: counted, the packet to the kernel.
 *
 * Both are sized by the conntrack=N module argument. The datapath and the
 * plugin work with struct dp_ct_key for both families and pack an IPv4
 * key only at the map (dp_ct4_key_pack).
 */
struct dp_ct_key {
	__u8 family; /* AF_INET / AF_INET6 */
	__u8 proto;  /* IPPROTO_TCP / UDP / ICMP / ICMPV6 */
	__be16 sport;
	__be16 dport;
	__u16 pad;
	__u32 saddr[4];
	__u32 daddr[4];
};

struct dp_ct4_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u32 proto; /* one store, no padding bytes to clear */
};

static inline void dp_ct4_key_pack(const struct dp_ct_key *k,
				   struct dp_ct4_key *k4)
{
	k4->saddr = k->saddr[0];
	k4->daddr = k->daddr[0];
	k4->sport = k->sport;
	k4->dport = k->dport;
	k4->proto = k->proto;
}

/* family: AF_INET, passed in so that this header needs no libc one */
static inline void dp_ct4_key_unpack(const struct dp_ct4_key *k4,
				     __u8 family, struct dp_ct_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->family = family;
	k->proto = k4->proto;
	k->sport = k4->sport;
	k->dport = k4->dport;
	k->saddr[0] = k4->saddr;
	k->daddr[0] = k4->daddr;
}

/* dp_ct_val.flags */
#define DP_CT_F_REPLY	0x0001 /* the reply direction's entry */
#define DP_CT_F_LB	0x0002 /* load balanced: backend_id, vip_id valid */
#define DP_CT_F_SNAT	0x0004 /* source NAT (nat_src_map) */
#define DP_CT_F_FULLNAT 0x0008 /* LB fullnat */
#define DP_CT_F_DSR	0x0010 /* LB DSR: original entry only, no rewrite */
#define DP_CT_F_PICKUP	0x0020 /* created mid-stream, without a SYN */

/*
 * ct4_map / ct6_map value. A packet matching the key leaves with the
 * addresses and ports below (equal to the key's where nothing changes).
 * The other direction's key is the swap of this rewrite: user space ages
 * both entries together from either one. A DSR entry (no rewrite, no
 * other direction) holds its backend's address in nat_daddr: where the
 * frame is routed to.
 */
struct dp_ct_val {
	__u64 last_seen; /* bpf_ktime_get_ns(), coarse (DP_CT_TOUCH_NS) */
	__u64 packets;	 /* this direction, atomic adds */
	__u64 bytes;
	__u64 state;	 /* enum dp_ct_state, changed by compare-and-swap
			  * (64 bits: the 32-bit one needs -mcpu=v3) */
	__u32 flags;	 /* DP_CT_F_* */
	__u32 backend_id;
	__u32 vip_id;
	__u32 nat_saddr[4];
	__u32 nat_daddr[4];
	__be16 nat_sport;
	__be16 nat_dport;
};

/*
 * ct_filter_map (BPF_MAP_TYPE_ARRAY of __u64 words, mmapable): the
 * conntrack filter, one bit array. A miss in a large conntrack table
 * costs a routed packet more than its route (a cold bucket and element
 * per packet), so while DP_META_F_CT_FILTER is on the datapath looks a
 * packet up in conntrack before routing only if the bit of its
 * destination in role DP_CT_ADDR_F_DST is set (a VIP; a fullnat source
 * address; a source NAT pool or masquerade address: where the replies of
 * translated flows go) or the bit of its source in role DP_CT_ADDR_F_SRC
 * (a backend, whose dnat replies come back). Every other packet of a
 * tracked flow is the original direction of a source NAT flow: it is
 * looked up after routing, when it leaves through the interface of a rule
 * for its source.
 *
 * Bit dp_ct_filter_bit(): 2^DP_CT_FILTER_ORDER bits (128 KiB, in cache,
 * one word read per test). Two addresses may share a bit: a set bit only
 * means "look it up", so sharing costs a lookup, never a flow. The plugin
 * keeps a bit set while the configuration names an address of it and
 * until an ageing pass that started after the address left finds no entry
 * of the conntrack tables carrying it.
 */
#define DP_CT_FILTER_ORDER 20
#define DP_CT_FILTER_WORDS ((1u << DP_CT_FILTER_ORDER) / 64)

#define DP_CT_ADDR_F_DST 0x1
#define DP_CT_ADDR_F_SRC 0x2

/* The bit of address addr (4 words, IPv4 in the first) of family in role:
 * a multiplicative (Fibonacci) hash, whose top bits mix every input bit. */
static inline __u32 dp_ct_filter_bit(__u32 family, __u32 role,
				     const __u32 *addr)
{
	const __u64 k = 0x9e3779b97f4a7c15ull;
	__u64 h = ((__u64)family << 8 | role) * k;

	h = (h ^ addr[0]) * k;
	h = (h ^ addr[1]) * k;
	h = (h ^ addr[2]) * k;
	h = (h ^ addr[3]) * k;
	return (__u32)(h >> (64 - DP_CT_FILTER_ORDER));
}

/* --------------------------------------------------------------- policers */

/*
 * Token-bucket meters: RFC 2697 (srTCM: CIR, CBS, EBS) and RFC 2698
 * (trTCM: CIR, CBS, PIR, PBS), colour-blind or colour-aware. Rates are in
 * kbit/s (8 .. 400,000,000: 8 kbit/s to 400 Gbit/s), bursts in bytes
 * (at most DP_POLICER_BURST_MAX: a bucket is 32 bits). Nothing is rounded:
 * the tokens credited up to time t are floor(t * rate), computed exactly
 * in integers (bpf/lib/policer.h), so the long-run rate is the configured
 * one whatever the packet rate.
 */
#define DP_POLICER_KBPS_MIN 8ull
#define DP_POLICER_KBPS_MAX 400000000ull
#define DP_POLICER_BURST_MAX 0xffffffffull

enum dp_policer_mode {
	DP_POLICER_SRTCM = 1, /* RFC 2697 */
	DP_POLICER_TRTCM = 2, /* RFC 2698 */
};

enum dp_colour {
	DP_GREEN = 0,
	DP_YELLOW = 1,
	DP_RED = 2,
	DP_COLOURS = 3,
};

/* dp_policer_conf.flags */
#define DP_POLICER_F_COLOUR_AWARE 0x1 /* the packet's DSCP pre-colours it */

/* What a policer's meter is (configuration, written by the plugin). */
struct dp_policer_conf {
	__u32 mode;  /* enum dp_policer_mode */
	__u32 flags; /* DP_POLICER_F_* */
	__u64 cir_kbps;
	__u64 pir_kbps;	  /* trTCM */
	__u32 cbs;	  /* bytes */
	__u32 ebs_or_pbs; /* srTCM: EBS; trTCM: PBS */
};

/*
 * A meter's state, shared by every CPU and changed only by atomic
 * compare-and-swap (no lock): `tokens` holds both buckets, the committed
 * one (Tc) in the high half and the other (srTCM: Te, trTCM: Tp) in the
 * low half, so that a packet's colour and the tokens it takes are one
 * atomic step; `last_ns` is when tokens were last credited, moved by the
 * one CPU whose compare-and-swap wins the credit for the time since.
 */
struct dp_policer_state {
	__u64 last_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u64 tokens;  /* Tc << 32 | Te (srTCM) or Tp (trTCM), in bytes */
};

/*
 * Policers in the datapath (bpf/lib/police.h). A policer id (1 ..
 * DP_POLICERS_MAX - 1; 0 is none) indexes policer_map (what it is),
 * policer_state_map (its meter, changed by the datapath only after the
 * plugin has set it full) and policer_stats_map (per CPU, index
 * id * DP_COLOURS + colour). Attach points name ids: policer_intf_map
 * (ifindex -> id, the interface's ingress), policer_match_map (a source
 * or destination prefix, with a protocol and destination port or 0 for
 * any) and policer_vip_map (vip id -> id). A packet is metered by each
 * policer that applies, interface first, then source match, destination
 * match, VIP; the first whose action for its colour is drop drops it.
 */
#define DP_POLICERS_MAX 1024

enum dp_police_action {
	DP_POLICE_TRANSMIT = 0,
	DP_POLICE_DROP = 1,
	DP_POLICE_SET_DSCP = 2,
};

struct dp_policer {
	struct dp_policer_conf meter;
	__u8 action[DP_COLOURS]; /* enum dp_police_action, by colour */
	__u8 dscp[DP_COLOURS];	 /* DP_POLICE_SET_DSCP: 0..63 */
	__u16 pad;
};

struct dp_policer_stats {
	__u64 packets;
	__u64 bytes;
};

/* policer_match_map key (LPM trie): the direction and family word is part
 * of the prefix, so prefixlen = 32 + the prefix's length. */
#define DP_POLICE_MATCH_SRC 0x000
#define DP_POLICE_MATCH_DST 0x100
struct dp_police_match_key {
	__u32 prefixlen;
	__u32 dir_family; /* DP_POLICE_MATCH_SRC/DST | AF_INET/AF_INET6 */
	__u32 addr[4];
};

struct dp_police_match {
	__u32 policer_id;
	__u8 proto;   /* 0: any */
	__u8 pad;
	__be16 dport; /* 0: any (TCP and UDP) */
};

/* ------------------------------------------------------------ source NAT */

#define DP_NAT_POOL_MAX 8

/* nat_src_map key (BPF_MAP_TYPE_LPM_TRIE): the family word is part of
 * the prefix, so prefixlen = 32 + the source prefix's length. */
struct dp_nat_src_key {
	__u32 prefixlen;
	__u32 family;  /* AF_INET / AF_INET6, in host byte order */
	__u32 addr[4]; /* network byte order */
};

/* dp_nat_src.flags */
#define DP_NAT_F_MASQUERADE 0x0001 /* pool = the out interface's address */

/*
 * nat_src_map value: new flows from the prefix that the FIB sends out of
 * out_ifindex leave with a pool address (chosen by a hash of the client
 * address, so that a client keeps one) and a port in [port_min, port_max]
 * claimed as described in doc/architecture.md. Keep the range clear of
 * the kernel's own ephemeral ports (net.ipv4.ip_local_port_range) when the
 * pool holds a router address.
 */
struct dp_nat_src {
	__u32 out_ifindex;
	__u16 flags;	/* DP_NAT_F_* */
	__u16 n_addrs;	/* 1 .. DP_NAT_POOL_MAX */
	__u16 port_min; /* host byte order */
	__u16 port_max;
	__u32 addrs[DP_NAT_POOL_MAX][4]; /* the family of the key */
};

/* ------------------------------------------------------------- tail calls */

/* Slots of tc_prog_map, the TC hook's programs reached by tail call. */
enum dp_tc_prog {
	/* the pipeline with conntrack, LB, NAT: one program per family */
	DP_TC_PROG_CT4 = 0, /* dp_tc_ct4: every frame but IPv6 */
	DP_TC_PROG_CT6 = 1, /* dp_tc_ct6: IPv6 */
	DP_TC_PROG_MAX,
};

#endif /* DP_ABI_H */
