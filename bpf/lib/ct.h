/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Conntrack: the flow a packet belongs to, its entries in ct4_map or
 * ct6_map (one per direction, layouts in dp_abi.h), their creation
 * without a lock, the state they are in, and their counters. Which flows
 * exist is decided by the load balancer (lb.h) and source NAT (nat.h);
 * ct_stage.h puts the pieces in the packet's path.
 */
#ifndef DP_BPF_CT_H
#define DP_BPF_CT_H

#include "common.h"
#include "ct_tcp.h"
#include "maps.h"
#include "parse.h"

#define DP_IPPROTO_ICMP 1

#define DP_ICMP_ECHO_REPLY 0
#define DP_ICMP_ECHO 8
#define DP_ICMPV6_ECHO 128
#define DP_ICMPV6_ECHO_REPLY 129

/* Source ports a new fullnat or source NAT flow tries before giving up. */
#define DP_NAT_PORT_PROBES 32

#define DP_EEXIST 17 /* the errno of a BPF_NOEXIST insert of a present key */

/* What a packet leaves with: the tuple after its flow's rewrite. */
struct dp_xlate {
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
};

/*
 * Room per CPU for what the stack, nearly full on the packet's path,
 * cannot hold: the packet's packed IPv4 key, and a new flow's entries.
 * Private to each program (not pinned, not shared).
 */
struct dp_ct_scratch {
	/* the packet's (struct dp_flow); first, so that its address is the
	 * value's: 6.1's verifier takes no offset from a pointer that may
	 * be NULL, as s ? &s->field : NULL compiles to */
	struct dp_ct4_key flow_key4;
	struct dp_ct_key key;  /* the reply direction's */
	struct dp_ct_key okey; /* the original's (6.1 takes no key for a map
				* update from a global function's argument) */
	struct dp_ct_val val;
	struct dp_ct4_key key4; /* key or okey packed (IPv4) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct dp_ct_scratch);
	__uint(max_entries, 1);
} ct_scratch_map SEC(".maps");

/* What a packet is to its flow (struct dp_flow.role). */
enum dp_flow_role {
	DP_FLOW_PACKET,	   /* a packet of the flow: it moves the flow's state */
	DP_FLOW_CREATED,   /* it made the flow's entries: their state already
			    * counts it */
	DP_FLOW_ICMP_ERROR, /* an ICMP error about the flow (key: the
			     * direction it travels in; TC translates) */
};

/* A packet's flow, as conntrack found or made it. */
struct dp_flow {
	struct dp_ct_val *ct;	/* the entry of this direction, or NULL */
	/* IPv4: key packed for ct4_map, in this CPU's scratch (the stack
	 * is full); NULL for IPv6. Tested for the family on the packet's
	 * path: a map value pointer, which the verifier knows is not NULL,
	 * unlike a packet pointer such as pkt->ip4. */
	struct dp_ct4_key *key4;
	struct dp_ct_key key;	/* the packet's tuple, if has_key */
	struct dp_xlate nat;	/* its rewrite (equal to key: none) */
	/* four bytes, in nat's tail padding: the stack of dp_tc_ct4/6 is
	 * within bytes of the limit (with the kernel's rounding of each
	 * frame) */
	__u8 has_key;		/* a TCP/UDP/ICMP echo packet conntrack can
				 * track */
	__u8 role;		/* enum dp_flow_role */
	__u8 dsr;		/* no rewrite: routed to the backend at L2 */
	__u8 late;		/* the filter skipped it before routing: only
				 * a source NAT flow's, found after routing */
};

/* The ICMP header's first word: type, code and checksum, then the id. */
struct dp_icmp_echo {
	__u8 type;
	__u8 code;
	__sum16 check;
	__be16 id;
	__be16 seq;
};

/*
 * An ICMP or ICMPv6 echo request or reply: its id goes in the source port
 * of a request and the destination port of a reply, so that a reply's key
 * is the swapped (translated) request's. Other ICMP types have no key.
 */
static __always_inline bool dp_ct_icmp_key(const struct dp_pkt *pkt,
					   struct dp_ct_key *key)
{
	const struct dp_icmp_echo *ic = pkt->l4;
	bool v6 = pkt->l4_proto == DP_IPPROTO_ICMPV6;

	if (!ic || (void *)(ic + 1) > pkt->cur.end)
		return false;
	if (ic->type == (v6 ? DP_ICMPV6_ECHO : DP_ICMP_ECHO)) {
		key->sport = ic->id;
		return true;
	}
	if (ic->type == (v6 ? DP_ICMPV6_ECHO_REPLY : DP_ICMP_ECHO_REPLY)) {
		key->dport = ic->id;
		return true;
	}
	return false;
}

/* This CPU's scratch (the key of its one entry). */
static __always_inline struct dp_ct_scratch *dp_ct_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ct_scratch_map, &zero);
}

/* This CPU's room for the packet's packed IPv4 key (fl->key4). */
static __always_inline struct dp_ct4_key *dp_ct4_flow_key(void)
{
	struct dp_ct_scratch *s = dp_ct_scratch();

	return s ? &s->flow_key4 : NULL; /* (offset 0) */
}

/*
 * The packet's tuple into key, false if it has none. With room4 (this
 * CPU's dp_ct4_flow_key(), or NULL), an IPv4 tuple is packed there too
 * and *key4 set to it, where the verifier knows the family.
 */
static __always_inline bool dp_ct_key_of(const struct dp_pkt *pkt,
					 struct dp_ct_key *key,
					 struct dp_ct4_key *room4,
					 struct dp_ct4_key **key4)
{
	bool ok;

	__builtin_memset(key, 0, sizeof(*key));
	key->proto = pkt->l4_proto;
	if (pkt->ip4) {
		if (room4)
			*key4 = room4;
		key->family = DP_AF_INET;
		key->saddr[0] = pkt->ip4->saddr;
		key->daddr[0] = pkt->ip4->daddr;
	} else if (pkt->ip6) {
		key->family = DP_AF_INET6;
		__builtin_memcpy(key->saddr, &pkt->ip6->saddr, 16);
		__builtin_memcpy(key->daddr, &pkt->ip6->daddr, 16);
	} else {
		return false;
	}

	switch (pkt->l4_proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		key->sport = pkt->sport;
		key->dport = pkt->dport;
		ok = pkt->has_ports;
		break;
	case DP_IPPROTO_ICMP:
		ok = pkt->ip4 && dp_ct_icmp_key(pkt, key);
		break;
	case DP_IPPROTO_ICMPV6:
		ok = pkt->ip6 && dp_ct_icmp_key(pkt, key);
		break;
	default:
		ok = false;
	}
	if (ok && room4 && *key4)
		dp_ct4_key_pack(key, room4);
	return ok;
}

/* The other direction's key: the swap of what this entry rewrites to. */
static __always_inline void dp_ct_peer_key(const struct dp_ct_key *key,
					   const struct dp_xlate *x,
					   struct dp_ct_key *peer)
{
	peer->family = key->family;
	peer->proto = key->proto;
	peer->pad = 0;
	peer->sport = x->dport;
	peer->dport = x->sport;
	__builtin_memcpy(peer->saddr, x->daddr, 16);
	__builtin_memcpy(peer->daddr, x->saddr, 16);
}

static __always_inline void dp_ct_xlate_of(const struct dp_ct_val *ct,
					   struct dp_xlate *x)
{
	__builtin_memcpy(x->saddr, ct->nat_saddr, 16);
	__builtin_memcpy(x->daddr, ct->nat_daddr, 16);
	x->sport = ct->nat_sport;
	x->dport = ct->nat_dport;
}

/* Is `ct` the entry of the other direction of the flow with key `key`? */
static __always_inline bool dp_ct_is_peer_of(const struct dp_ct_val *ct,
					     const struct dp_ct_key *key)
{
	const __u32 *s = ct->nat_saddr, *d = ct->nat_daddr;

	return ((s[0] ^ key->daddr[0]) | (s[1] ^ key->daddr[1]) |
		(s[2] ^ key->daddr[2]) | (s[3] ^ key->daddr[3]) |
		(d[0] ^ key->saddr[0]) | (d[1] ^ key->saddr[1]) |
		(d[2] ^ key->saddr[2]) | (d[3] ^ key->saddr[3])) == 0 &&
	       ct->nat_sport == key->dport && ct->nat_dport == key->sport;
}

/*
 * The tables by key: an IPv4 key is packed for ct4_map (into k4, the
 * caller's: dp_ct_create_entries() keeps it in its scratch, not on a
 * stack the packet's path nearly fills) so that the rest of conntrack
 * works with one key for both families. v4 picks the table: the key's
 * family there. On the packet's path fl->key4 does (below): a test of
 * the key's family byte, which the verifier does not track, would
 * double the paths it walks at every lookup (past its limit in
 * dp_tc_ct4).
 */
static __always_inline struct dp_ct_val *
dp_ct_table_lookup(bool v4, const struct dp_ct_key *key,
		   struct dp_ct4_key *k4)
{
	if (v4) {
		dp_ct4_key_pack(key, k4);
		return bpf_map_lookup_elem(&ct4_map, k4);
	}
	return bpf_map_lookup_elem(&ct6_map, key);
}

/* 0 or -errno (32 bits: 6.1's map ops return int, in a register whose
 * upper half is not sign-extended) */
static __always_inline int dp_ct_table_insert(bool v4,
					      const struct dp_ct_key *key,
					      const struct dp_ct_val *val,
					      struct dp_ct4_key *k4)
{
	if (v4) {
		dp_ct4_key_pack(key, k4);
		return (int)bpf_map_update_elem(&ct4_map, k4, val,
						BPF_NOEXIST);
	}
	return (int)bpf_map_update_elem(&ct6_map, key, val, BPF_NOEXIST);
}

static __always_inline void dp_ct_table_delete(bool v4,
					       const struct dp_ct_key *key,
					       struct dp_ct4_key *k4)
{
	if (v4) {
		dp_ct4_key_pack(key, k4);
		bpf_map_delete_elem(&ct4_map, k4);
		return;
	}
	bpf_map_delete_elem(&ct6_map, key);
}

/*
 * The flow's own entry on the packet's path, in the table fl->key4 says
 * (packed once, when the key is made: every instruction on the packet's
 * path counts once per path the verifier walks, and dp_tc_ct4's walk is
 * the longest).
 */
/* Key k, laid out for the table of fl's family (packed for IPv4). */
static __always_inline struct dp_ct_val *
dp_ct_lookup_in(const struct dp_flow *fl, const void *k)
{
	if (fl->key4)
		return bpf_map_lookup_elem(&ct4_map, k);
	return bpf_map_lookup_elem(&ct6_map, k);
}

static __always_inline void dp_ct_delete_in(const struct dp_flow *fl,
					    const void *k)
{
	if (fl->key4)
		bpf_map_delete_elem(&ct4_map, k);
	else
		bpf_map_delete_elem(&ct6_map, k);
}

static __always_inline const void *dp_ct_flow_key(const struct dp_flow *fl)
{
	return fl->key4 ? (const void *)fl->key4 : (const void *)&fl->key;
}

static __always_inline struct dp_ct_val *
dp_ct_flow_lookup(const struct dp_flow *fl)
{
	return dp_ct_lookup_in(fl, dp_ct_flow_key(fl));
}

/*
 * The flow's other direction: its key is the swap of fl->nat, built in
 * this CPU's scratch (IPv4 packed), not on the nearly full stack. NULL if
 * the scratch is not there (never: a one-entry per-CPU array).
 */
static __always_inline const void *dp_ct_peer_of(const struct dp_flow *fl)
{
	struct dp_ct_scratch *s = dp_ct_scratch();

	if (!s)
		return NULL;
	if (fl->key4) {
		s->key4.saddr = fl->nat.daddr[0];
		s->key4.daddr = fl->nat.saddr[0];
		s->key4.sport = fl->nat.dport;
		s->key4.dport = fl->nat.sport;
		s->key4.proto = fl->key.proto;
		return &s->key4;
	}
	dp_ct_peer_key(&fl->key, &fl->nat, &s->key);
	return &s->key;
}

static __always_inline struct dp_ct_val *
dp_ct_peer_lookup(const struct dp_flow *fl)
{
	const void *k = dp_ct_peer_of(fl);

	return k ? dp_ct_lookup_in(fl, k) : NULL;
}

/* The flow's rewrite from its entry. */
static __always_inline void dp_flow_from_ct(struct dp_flow *fl)
{
	dp_ct_xlate_of(fl->ct, &fl->nat);
	fl->dsr = !!(fl->ct->flags & DP_CT_F_DSR);
}

/* ------------------------------------------------------------ counters */

/* A backend's active connections (dp_abi.h: lb_be_conns_map). */
static __always_inline void dp_ct_conns_add(__u32 backend_id, __s64 delta)
{
	__u64 *n;

	if (!backend_id)
		return;
	n = bpf_map_lookup_elem(&lb_be_conns_map, &backend_id);
	if (n)
		__sync_fetch_and_add(n, delta);
}

/*
 * A forwarded packet of the flow: the entry's counters (shared: the flow's
 * packets mostly arrive on one CPU, so the line rarely moves), its
 * last_seen at most once per DP_CT_TOUCH_NS, and the backend's counters
 * (per CPU).
 */
static __always_inline void dp_ct_account(const struct dp_flow *fl, __u32 len)
{
	struct dp_ct_val *ct = fl->ct;
	struct dp_lb_backend_stats *bs;
	__u64 now;
	__u32 id;

	if (!ct)
		return;
	__sync_fetch_and_add(&ct->packets, 1);
	__sync_fetch_and_add(&ct->bytes, len);
	now = bpf_ktime_get_coarse_ns();
	if (now - ct->last_seen > DP_CT_TOUCH_NS)
		ct->last_seen = now;
	id = ct->backend_id;
	if (!id)
		return;
	bs = bpf_map_lookup_elem(&lb_be_stats_map, &id);
	if (bs) {
		bs->packets++;
		bs->bytes += len;
	}
}

/* --------------------------------------------------------------- state */

/*
 * Can XDP forward this packet of an existing flow by itself? Only when it
 * changes no state: a TCP packet of an established flow without SYN, FIN
 * or RST; a UDP or ICMP packet unless it is the first reply (which marks
 * the flow replied). Everything else goes to TC, which updates the state.
 */
static __always_inline bool dp_ct_fast_ok(const struct dp_pkt *pkt,
					  const struct dp_ct_val *ct)
{
	__u32 state = *(const volatile __u64 *)&ct->state;

	if (pkt->l4_proto == IPPROTO_TCP)
		return state == DP_CT_TCP_ESTABLISHED &&
		       !(pkt->tcp_flags & DP_TCP_STATE_FLAGS);
	if (!(ct->flags & DP_CT_F_REPLY))
		return true;
	return state != DP_CT_UDP_NEW && state != DP_CT_ICMP_NEW;
}

/* The state a new flow starts in, this first packet counted. */
static __always_inline __u32 dp_ct_initial_state(const struct dp_pkt *pkt,
						 bool oneway)
{
	switch (pkt->l4_proto) {
	case IPPROTO_TCP:
		if (dp_tcp_is_syn(pkt->tcp_flags))
			return DP_CT_TCP_SYN_SENT;
		/* Picked up mid-stream (another LB node had the flow until
		 * an upstream ECMP change): trust it is established. */
		return dp_ct_tcp_next(DP_CT_TCP_ESTABLISHED, false,
				      pkt->tcp_flags, oneway);
	case IPPROTO_UDP:
		return DP_CT_UDP_NEW;
	default:
		return DP_CT_ICMP_NEW;
	}
}

/* The first reply of a UDP or ICMP flow. */
static __always_inline bool dp_ct_first_reply(__u64 *state)
{
	__u64 old = *(volatile __u64 *)state;
	__u64 new = old == DP_CT_UDP_NEW    ? DP_CT_UDP_REPLIED
		    : old == DP_CT_ICMP_NEW ? DP_CT_ICMP_REPLIED
					    : old;

	return new != old && __sync_val_compare_and_swap(state, old, new) == old;
}

/*
 * Apply a packet of an existing flow to the flow's state. The original
 * entry holds it; the reply entry gets a copy (a plain store: a stale
 * copy only sends a packet through TC once more). A transition into or
 * out of a closed state moves the backend's active connections, done by
 * the one CPU whose compare-and-swap made it.
 */
static __always_inline void dp_ct_update(const struct dp_pkt *pkt,
					 struct dp_flow *fl)
{
	struct dp_ct_val *ct = fl->ct, *orig, *other;
	bool reply = ct->flags & DP_CT_F_REPLY;
	__u32 old;
	bool moved;

	if (reply) {
		orig = dp_ct_peer_lookup(fl);
		if (!orig)
			return;
		other = ct;
	} else {
		orig = ct;
		other = NULL;
	}

	if (pkt->l4_proto == IPPROTO_TCP) {
		old = dp_ct_tcp_advance(&orig->state, reply, pkt->tcp_flags,
					orig->flags & DP_CT_F_DSR, &moved);
		if (!moved)
			return;
		if (dp_ct_tcp_closed(old) != dp_ct_tcp_closed(orig->state))
			dp_ct_conns_add(orig->backend_id,
					dp_ct_tcp_closed(old) ? 1 : -1);
	} else if (!reply || !dp_ct_first_reply(&orig->state)) {
		return;
	}

	if (!other && !(orig->flags & DP_CT_F_DSR))
		other = dp_ct_peer_lookup(fl);
	if (other)
		other->state = orig->state;
}

/* ------------------------------------------------------------ creation */

/* What a new flow's entries are made of, besides its tuple and rewrite. */
struct dp_ct_new {
	__u32 state;
	__u32 flags; /* DP_CT_F_LB / SNAT / FULLNAT / DSR / PICKUP */
	__u32 backend_id;
	__u32 vip_id;
	__u16 port_min; /* claim a source port in this range (host order)... */
	__u16 port_max; /* ...or, both 0, keep the packet's */
	__u32 port_hash;
	__u32 created; /* out: this CPU inserted the original entry */
};

static __always_inline void dp_ct_val_init(struct dp_ct_val *v,
					   const struct dp_ct_new *n,
					   __u32 flags)
{
	__builtin_memset(v, 0, sizeof(*v));
	v->last_seen = bpf_ktime_get_coarse_ns();
	v->state = n->state;
	v->flags = n->flags | flags;
	v->backend_id = n->backend_id;
	v->vip_id = n->vip_id;
}

/* The translated source port of the i-th claim attempt. */
static __always_inline __be16 dp_ct_claim_port(const struct dp_ct_new *n,
					       __u32 i)
{
	__u32 range = (__u32)n->port_max - n->port_min + 1;

	return bpf_htons(n->port_min + (n->port_hash + i) % range);
}

/* dp_ct_claim(): the claim is this CPU's (a value no reason takes) */
#define DP_CT_CLAIMED 0xff

/*
 * Claim the translated tuple: insert the reply entry with BPF_NOEXIST.
 * The insert is atomic, so whoever inserts a reply key owns that tuple:
 * two flows can never be handed the same fullnat or source NAT port, on
 * any CPU. A key already there is either this flow's (another CPU is
 * creating it right now: take its rewrite) or another flow's (try the
 * next port; with no port range to try, give up). DP_CT_CLAIMED when this
 * CPU inserted the claim (and must remove it if it loses the flow).
 */
static __always_inline int
dp_ct_claim(bool v4, const struct dp_ct_key *key, struct dp_xlate *nat,
	    const struct dp_ct_new *n, struct dp_ct_scratch *s)
{
	bool ranged = n->port_max != 0;
	const struct dp_ct_val *old;
	int err;

	for (__u32 i = 0; i < DP_NAT_PORT_PROBES; i++) {
		if (ranged) {
			if (i > (__u32)n->port_max - n->port_min)
				break;
			/* (an echo request's id is its source port) */
			nat->sport = dp_ct_claim_port(n, i);
		}
		/* the reply is rewritten back to the original tuple */
		dp_ct_peer_key(key, nat, &s->key);
		dp_ct_val_init(&s->val, n, DP_CT_F_REPLY);
		__builtin_memcpy(s->val.nat_saddr, key->daddr, 16);
		__builtin_memcpy(s->val.nat_daddr, key->saddr, 16);
		s->val.nat_sport = key->dport;
		s->val.nat_dport = key->sport;

		err = dp_ct_table_insert(v4, &s->key, &s->val, &s->key4);
		if (!err)
			return DP_CT_CLAIMED;
		if (err != -DP_EEXIST)
			return DP_R_PASS_CT_FULL;
		old = dp_ct_table_lookup(v4, &s->key, &s->key4);
		if (old && dp_ct_is_peer_of(old, key))
			return DP_CONTINUE;
		if (!ranged)
			break;
	}
	return DP_R_PASS_NAT_PORTS;
}

/* What dp_ct_create_entries() did. */
#define DP_CT_CREATE_OK 0      /* the flow's entries exist */
#define DP_CT_CREATE_FULL 1    /* a table refused an insert */
#define DP_CT_CREATE_NO_PORT 2 /* every port probed was taken */

/*
 * Create a new flow's entries: the reply direction first (the claim),
 * then the original with BPF_NOEXIST. Two CPUs creating the same flow at
 * once both reach the original insert; the loser removes its own claim
 * (if it made one) and takes the winner's entry, rewrite and backend, so
 * the flow has one backend and every packet of it one rewrite. No lock:
 * the map's atomic inserts decide every race. Returns DP_CT_CREATE_OK
 * when the flow's original entry exists (n->created: made by this CPU);
 * otherwise nothing is left behind.
 *
 * A global function: the verifier checks its claim loop once (for each
 * family), not once per caller and path.
 */
__attribute__((noinline)) int dp_ct_create_entries(const struct dp_ct_key *key,
						   struct dp_xlate *nat,
						   struct dp_ct_new *n)
{
	bool v4 = key && key->family == DP_AF_INET;
	struct dp_ct_scratch *s = dp_ct_scratch();
	int claim = DP_CONTINUE, err;

	if (!s || !key || !nat || !n)
		return DP_CT_CREATE_FULL;
	n->created = 0;
	if (!(n->flags & DP_CT_F_DSR)) {
		claim = dp_ct_claim(v4, key, nat, n, s);
		if (claim == DP_R_PASS_NAT_PORTS)
			return DP_CT_CREATE_NO_PORT;
		if (claim != DP_CONTINUE && claim != DP_CT_CLAIMED)
			return DP_CT_CREATE_FULL;
	}

	dp_ct_val_init(&s->val, n, 0);
	__builtin_memcpy(s->val.nat_saddr, nat->saddr, 16);
	__builtin_memcpy(s->val.nat_daddr, nat->daddr, 16);
	s->val.nat_sport = nat->sport;
	s->val.nat_dport = nat->dport;
	__builtin_memcpy(&s->okey, key, sizeof(s->okey));
	err = dp_ct_table_insert(v4, &s->okey, &s->val, &s->key4);
	if (!err) {
		n->created = 1;
		if (!dp_ct_tcp_closed(n->state))
			dp_ct_conns_add(n->backend_id, 1);
		return DP_CT_CREATE_OK;
	}
	if (claim == DP_CT_CLAIMED) {
		dp_ct_peer_key(key, nat, &s->key);
		dp_ct_table_delete(v4, &s->key, &s->key4);
	}
	/* EEXIST: another CPU created this flow first; its entry decides */
	return err == -DP_EEXIST ? DP_CT_CREATE_OK : DP_CT_CREATE_FULL;
}

/* The flow's entries, made (or found made by another CPU): fl->ct and
 * fl->nat are the original entry's. */
static __always_inline enum dp_reason dp_ct_create(struct dp_flow *fl,
						   struct dp_ct_new *n)
{
	int ret = dp_ct_create_entries(&fl->key, &fl->nat, n);

	/* The verifier knows nothing of a global function's result, so it
	 * is not a reason the packet's path could take as "forward". */
	if (ret == DP_CT_CREATE_NO_PORT)
		return DP_R_PASS_NAT_PORTS;
	if (ret != DP_CT_CREATE_OK)
		return DP_R_PASS_CT_FULL;
	fl->ct = dp_ct_flow_lookup(fl);
	if (!fl->ct)
		return DP_R_PASS_CT_FULL;
	if (n->created)
		fl->role = DP_FLOW_CREATED;
	dp_flow_from_ct(fl);
	return DP_CONTINUE;
}

#endif /* DP_BPF_CT_H */
