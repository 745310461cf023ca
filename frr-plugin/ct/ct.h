/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Conntrack's control plane: ageing of the tables (ct4_map, ct6_map),
 * the datapath-wide conntrack switch, and `show|clear ebpf conntrack`.
 * The datapath creates and updates flows and never deletes one
 * (dp_abi.h); the plugin ages them out, both directions together, and
 * keeps each backend's count of active connections right when it removes
 * a flow that was still open.
 *
 *   ct_age.c   owner pthread: the ageing walk, in bounded steps
 *   ct_filter.c owner pthread: the conntrack filter's bits
 *   ct_flow.c  any pthread: a flow's entries by key, removing a flow,
 *              walking the tables
 *   ct_show.c  main pthread: the show and clear commands
 *
 * lb/ and nat/ use this layer (tests/unit/check_layers.sh).
 */
#ifndef CT_H
#define CT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include "lib/hook.h"

#include "dp_abi.h"

/* Who needs conntrack (owner pthread): the switch DP_META_F_CT is on
 * while any user is, and after that until the tables are empty. */
enum ct_user {
	CT_USER_LB,   /* a VIP is installed */
	CT_USER_SNAT, /* a source NAT rule is installed */
	CT_USER_MAX,
};
extern void ct_set_user(enum ct_user user, bool on);

/*
 * The end of a full ageing pass over the tables, on the owner pthread:
 * which backend and VIP ids the flows left in the table still name. An id no
 * flow named in a pass that started after the id was last used can be
 * given out again (lb/).
 */
struct ct_pass {
	uint64_t started_ns; /* CLOCK_MONOTONIC */
	uint64_t entries;    /* left in ct4_map and ct6_map */
	const uint8_t *backend_ref; /* bitmap by backend id */
	uint32_t backend_max;
	const uint8_t *vip_ref; /* bitmap by VIP id */
	uint32_t vip_max;
};
DECLARE_HOOK(ct_pass_done, (const struct ct_pass *pass), (pass));

static inline bool ct_ref_test(const uint8_t *bitmap, uint32_t max,
			       uint32_t id)
{
	return id < max && (bitmap[id / 8] & (1u << (id % 8)));
}

/* Owner pthread, when zebra's dataplane starts / stops. */
extern void ct_start(void);
extern void ct_stop(void);

/* Seconds between two ageing passes. */
#define CT_AGE_INTERVAL 5

/* CLOCK_MONOTONIC in ns: the clock of dp_ct_val.last_seen. */
extern uint64_t ct_now_ns(void);

/*
 * Remove the flow entry (key, val) belongs to, both directions: the
 * original is taken with lookup-and-delete, so of two removers (ageing,
 * clear) exactly one wins it and, if the flow was still open, takes one
 * from its backend's active connections. Any pthread. Returns 1 if this
 * call removed the flow's original entry, 0 if it was gone already, or
 * -errno.
 */
extern int ct_flow_remove(const struct dp_ct_key *key,
			  const struct dp_ct_val *val);

/*
 * A flow direction's entry by its key, in its family's table (dp_abi.h:
 * ct4_map holds IPv4 keys packed). With privileges. 0 or -errno.
 */
extern int ct_lookup(const struct dp_ct_key *key, struct dp_ct_val *val);
extern int ct_delete(const struct dp_ct_key *key);

/* The key of the other direction of the flow of (key, val). */
extern void ct_peer_key(const struct dp_ct_key *key,
			const struct dp_ct_val *val, struct dp_ct_key *peer);

/*
 * Visit every entry of ct4_map then ct6_map, a batch at a time, on the
 * calling pthread, IPv4 keys unpacked; cb returns false to stop. Returns
 * the number of entries visited or -errno.
 */
typedef bool (*ct_walk_cb)(const struct dp_ct_key *key,
			   const struct dp_ct_val *val, void *arg);
extern long ct_walk(ct_walk_cb cb, void *arg);

/*
 * The source ports a translated flow (source NAT, fullnat) may take:
 * outside the kernel's own ephemeral range (net.ipv4.ip_local_port_range),
 * because the translated address may be one of the router's: the larger
 * of 1024..first-1 and last+1..65535.
 */
extern void ct_nat_port_range(uint16_t *min, uint16_t *max);

/* Counters of the ageing, for show. */
struct ct_age_stats {
	uint64_t passes;
	uint64_t aged;	   /* flows removed by ageing */
	uint64_t cleared;  /* flows removed by clear ebpf conntrack */
	uint64_t entries;  /* left after the last pass */
	uint64_t last_pass_ms;
};
extern void ct_age_stats(struct ct_age_stats *st);
extern void ct_count_cleared(uint64_t n);

/*
 * The conntrack filter (dp_abi.h, ct_filter_map; ct_filter.c), owner
 * pthread. A holder is one address lb/ or nat/ names in one of their map
 * entries, in a role (DP_CT_ADDR_F_DST or _SRC): hold it before the entry
 * can make flows, drop it when the entry goes. Holding moves the holder
 * to the new address. A dropped address leaves the filter once no flow
 * carries it.
 */
struct ct_addr_holder {
	bool held;
	uint8_t family;
	uint32_t role;
	uint32_t addr[4];
};
extern void ct_addr_hold(struct ct_addr_holder *h, uint8_t family,
			 const void *addr, uint32_t role);
extern void ct_addr_drop(struct ct_addr_holder *h);

/* The ageing pass's part (ct_age.c): a pass begins, an entry it leaves
 * in the tables, the pass that started at started_ns ends. */
extern void ct_filter_pass_begin(void);
extern void ct_filter_seen(const struct dp_ct_key *key);
extern void ct_filter_pass_end(uint64_t started_ns);
extern void ct_filter_start(void);
extern void ct_filter_stop(void);
/* The resync after a start on reused pins is done (dp_resync_done). */
extern void ct_filter_resync_done(void);

struct ct_filter_stats {
	uint32_t addresses; /* held, or released with flows still on them */
	uint32_t bits_set;
	uint64_t drained;   /* addresses gone after their last flow */
	bool on;	    /* DP_META_F_CT_FILTER */
};
extern void ct_filter_stats(struct ct_filter_stats *st);

/* Which flows a `show|clear ebpf conntrack` names (its filters). */
struct ct_match {
	bool by_vip;
	uint32_t vip_id;
	bool by_addr;
	uint8_t family;
	uint8_t addr[16];
	uint8_t proto; /* 0: any; IPPROTO_ICMP: ICMP and ICMPv6 */
};

static inline bool ct_match_addr(const struct ct_match *m, const __u32 *a)
{
	return !memcmp(a, m->addr, 16);
}

static inline bool ct_match_entry(const struct ct_match *m,
				  const struct dp_ct_key *k,
				  const struct dp_ct_val *v)
{
	if (m->proto) {
		bool icmp = k->proto == IPPROTO_ICMP ||
			    k->proto == IPPROTO_ICMPV6;

		if (m->proto == IPPROTO_ICMP ? !icmp : k->proto != m->proto)
			return false;
	}
	if (m->by_vip &&
	    (!(v->flags & DP_CT_F_LB) || v->vip_id != m->vip_id))
		return false;
	if (m->by_addr &&
	    (k->family != m->family ||
	     !(ct_match_addr(m, k->saddr) || ct_match_addr(m, k->daddr) ||
	       ct_match_addr(m, v->nat_saddr) ||
	       ct_match_addr(m, v->nat_daddr))))
		return false;
	return true;
}

/*
 * `clear ebpf conntrack` (any pthread): the matching flows are removed by
 * the next ageing pass, started at once, in its bounded steps on the owner
 * pthread (a table of a million entries would hold the caller for
 * seconds). Returns 0, or -1 if conntrack is not running.
 */
extern int ct_clear_request(const struct ct_match *m);
/* Requests not finished yet. */
extern uint32_t ct_clear_pending(void);

/* Main pthread: `show|clear ebpf conntrack`. */
extern void ct_show_init(void);

#endif /* CT_H */
