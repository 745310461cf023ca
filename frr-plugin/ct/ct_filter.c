// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The conntrack filter's bits (dp_abi.h, ct_filter_map), on the owner
 * pthread. lb/ and nat/ hold each address their maps name, in a role
 * (destination or source). An address's bit in its role is set while
 * anyone holds it, and after the last release until an ageing pass that
 * started later saw no conntrack entry whose key carries it: a flow made
 * before the release keeps its packets looked up for its life. Addresses
 * may share a bit; a count per bit says how many hold it.
 *
 * The bits are written through the map's mmap, one atomic OR or AND on a
 * 64-bit word, so a packet reads either state of the word, never a torn
 * one. The datapath tests them while DP_META_F_CT_FILTER is on: from the
 * start, the bit array starting empty with the tables, or as an earlier
 * run left it with the tables this run keeps (ct_filter_inherit()).
 */
#include <zebra.h>

#include "lib/jhash.h"
#include "lib/memory.h"
#include "lib/privs.h"
#include "lib/typesafe.h"

#include "dp_abi.h"
#include "core/dp_plugin.h"
#include "maps/dp_maps.h"
#include "ct/ct.h"

DEFINE_MTYPE_STATIC(EBPF, CT_FILTER, "eBPF conntrack filter address");

PREDECL_HASH(ct_faddrs);

struct ct_faddr {
	struct ct_faddrs_item item;
	uint8_t family;
	uint32_t addr[4];
	uint32_t roles;	      /* DP_CT_ADDR_F_*, bits set for it */
	uint32_t refs;	      /* holders */
	uint64_t released_ns; /* when refs fell to 0 */
	uint64_t seen_pass;   /* the last pass that saw an entry carry it */
};

static int ct_faddr_cmp(const struct ct_faddr *a, const struct ct_faddr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

static uint32_t ct_faddr_hash(const struct ct_faddr *a)
{
	return jhash2(a->addr, 4, a->family);
}

DECLARE_HASH(ct_faddrs, struct ct_faddr, item, ct_faddr_cmp, ct_faddr_hash);

/* Holders of one bit past which it is never cleared (it stays set: a
 * lookup too many, never a flow missed). */
#define CT_FILTER_COUNT_MAX UINT16_MAX

static struct {
	struct ct_faddrs_head addrs;
	bool init;
	uint64_t pass;	   /* passes begun */
	uint64_t *words;   /* ct_filter_map, mmapped */
	uint16_t *counts;  /* addresses per bit */
	uint32_t bits_set;
	uint64_t drained;
	/*
	 * The bits an earlier run left set with the tables this run kept,
	 * each counted once as a holder: kept until the first pass that
	 * started after the resync has given the addresses of the flows
	 * still there their own holders (adopt_pass, 0: not yet due).
	 */
	uint64_t *inherited;
	bool adopt_due;
	uint64_t adopt_pass;
} ctf;

/* One holder fewer for bit; the last one clears it. */
static void ct_filter_bit_unref(uint32_t bit)
{
	uint16_t *n = &ctf.counts[bit];

	if (*n == CT_FILTER_COUNT_MAX || *n == 0)
		return;
	if (--(*n) == 0) {
		__atomic_fetch_and(&ctf.words[bit / 64], ~(1ull << (bit % 64)),
				   __ATOMIC_RELEASE);
		ctf.bits_set--;
	}
}

static void ct_filter_bit_ref(const struct ct_faddr *a, uint32_t role,
			      bool add)
{
	uint32_t bit = dp_ct_filter_bit(a->family, role, a->addr);
	uint64_t mask = 1ull << (bit % 64);
	uint16_t *n = &ctf.counts[bit];

	if (add) {
		if (*n == CT_FILTER_COUNT_MAX)
			return;
		if ((*n)++ == 0) {
			__atomic_fetch_or(&ctf.words[bit / 64], mask,
					  __ATOMIC_RELEASE);
			ctf.bits_set++;
		}
		return;
	}
	ct_filter_bit_unref(bit);
}

static struct ct_faddr *ct_faddr_get(uint8_t family, const uint32_t addr[4])
{
	struct ct_faddr lookup = {.family = family}, *a;

	memcpy(lookup.addr, addr, sizeof(lookup.addr));
	a = ct_faddrs_find(&ctf.addrs, &lookup);
	if (a)
		return a;
	a = XCALLOC(MTYPE_CT_FILTER, sizeof(*a));
	a->family = family;
	memcpy(a->addr, addr, sizeof(a->addr));
	ct_faddrs_add(&ctf.addrs, a);
	return a;
}

void ct_addr_hold(struct ct_addr_holder *h, uint8_t family, const void *addr,
		  uint32_t role)
{
	uint32_t a4[4] = {};
	struct ct_faddr *a;

	memcpy(a4, addr, family == AF_INET ? 4 : 16);
	if (h->held && h->family == family && h->role == role &&
	    !memcmp(h->addr, a4, sizeof(a4)))
		return;
	ct_addr_drop(h);
	ct_filter_start();
	if (!ctf.init)
		return;
	a = ct_faddr_get(family, a4);
	a->refs++;
	if (!(a->roles & role)) {
		a->roles |= role;
		ct_filter_bit_ref(a, role, true);
	}
	h->held = true;
	h->family = family;
	h->role = role;
	memcpy(h->addr, a4, sizeof(a4));
}

void ct_addr_drop(struct ct_addr_holder *h)
{
	struct ct_faddr lookup = {.family = h->family}, *a;

	if (!h->held)
		return;
	h->held = false;
	if (!ctf.init)
		return;
	memcpy(lookup.addr, h->addr, sizeof(lookup.addr));
	a = ct_faddrs_find(&ctf.addrs, &lookup);
	if (a && a->refs && --a->refs == 0)
		a->released_ns = ct_now_ns();
}

static bool ct_inherited_has(uint8_t family, const uint32_t *addr,
			      uint32_t role)
{
	uint32_t bit = dp_ct_filter_bit(family, role, addr);

	return ctf.inherited[bit / 64] & (1ull << (bit % 64));
}

/* During the adopting pass: an earlier run's flow gets a holder for the
 * address through which the inherited bits let its packets pass. */
static void ct_filter_adopt_flow(const struct dp_ct_key *key)
{
	struct ct_faddr *a = NULL;
	uint32_t role;

	if (ct_inherited_has(key->family, key->daddr, DP_CT_ADDR_F_DST)) {
		a = ct_faddr_get(key->family, key->daddr);
		role = DP_CT_ADDR_F_DST;
	} else if (ct_inherited_has(key->family, key->saddr,
				    DP_CT_ADDR_F_SRC)) {
		a = ct_faddr_get(key->family, key->saddr);
		role = DP_CT_ADDR_F_SRC;
	}
	if (a && !(a->roles & role)) {
		a->roles |= role;
		ct_filter_bit_ref(a, role, true);
	}
}

/* An entry left in conntrack by an ageing pass: its addresses are in use. */
void ct_filter_seen(const struct dp_ct_key *key)
{
	struct ct_faddr lookup = {.family = key->family}, *a;

	if (!ctf.init)
		return;
	if (ctf.adopt_pass && ctf.adopt_pass == ctf.pass)
		ct_filter_adopt_flow(key);
	memcpy(lookup.addr, key->daddr, sizeof(lookup.addr));
	a = ct_faddrs_find(&ctf.addrs, &lookup);
	if (a)
		a->seen_pass = ctf.pass;
	memcpy(lookup.addr, key->saddr, sizeof(lookup.addr));
	a = ct_faddrs_find(&ctf.addrs, &lookup);
	if (a)
		a->seen_pass = ctf.pass;
}

void ct_filter_pass_begin(void)
{
	ctf.pass++;
	if (ctf.adopt_due && !ctf.adopt_pass)
		ctf.adopt_pass = ctf.pass;
}

/* The earlier run's bits lose their inherited holder. */
static void ct_filter_inherited_drop(void)
{
	for (uint32_t w = 0; w < DP_CT_FILTER_WORDS; w++) {
		uint64_t bits = ctf.inherited[w];

		while (bits) {
			ct_filter_bit_unref(w * 64 + __builtin_ctzll(bits));
			bits &= bits - 1;
		}
	}
	XFREE(MTYPE_CT_FILTER, ctf.inherited);
	ctf.adopt_due = false;
	ctf.adopt_pass = 0;
}

/* dp_resync_done: what held the earlier run's addresses has claimed
 * them again or let them go; the next pass finds the flows' own. */
void ct_filter_resync_done(void)
{
	if (ctf.init && ctf.inherited)
		ctf.adopt_due = true;
}

/* The end of the pass that started at started_ns: the addresses released
 * before it that no entry carried leave the filter. */
void ct_filter_pass_end(uint64_t started_ns)
{
	struct ct_faddr *a;

	if (!ctf.init)
		return;
	if (ctf.adopt_pass && ctf.adopt_pass == ctf.pass)
		ct_filter_inherited_drop();
	frr_each_safe (ct_faddrs, &ctf.addrs, a) {
		if (a->refs || a->released_ns >= started_ns ||
		    a->seen_pass == ctf.pass)
			continue;
		for (uint32_t role = DP_CT_ADDR_F_DST; role <= DP_CT_ADDR_F_SRC;
		     role <<= 1)
			if (a->roles & role)
				ct_filter_bit_ref(a, role, false);
		ct_faddrs_del(&ctf.addrs, a);
		XFREE(MTYPE_CT_FILTER, a);
		ctf.drained++;
	}
}

void ct_filter_stats(struct ct_filter_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!ctf.init)
		return;
	st->addresses = ct_faddrs_count(&ctf.addrs);
	st->bits_set = ctf.bits_set;
	st->drained = ctf.drained;
	st->on = dp_meta_flags() & DP_META_F_CT_FILTER;
}

/* Each bit an earlier run left set (with its tables, kept) is held once
 * until the adopting pass (ctf.inherited); new tables start with an
 * empty filter (maps/dp_maps.c). */
static void ct_filter_inherit(void)
{
	uint32_t n = 0;

	ctf.inherited = XCALLOC(MTYPE_CT_FILTER,
				DP_CT_FILTER_WORDS * sizeof(uint64_t));
	for (uint32_t w = 0; w < DP_CT_FILTER_WORDS; w++) {
		uint64_t bits = __atomic_load_n(&ctf.words[w],
						__ATOMIC_RELAXED);

		ctf.inherited[w] = bits;
		while (bits) {
			ctf.counts[w * 64 + __builtin_ctzll(bits)] = 1;
			bits &= bits - 1;
			n++;
		}
	}
	ctf.bits_set = n;
	if (!n)
		XFREE(MTYPE_CT_FILTER, ctf.inherited);
}

void ct_filter_start(void)
{
	if (ctf.init || !dp_maps_ready())
		return;
	ctf.words = dp_map_mmap(DP_MAP_CT_FILTER);
	if (!ctf.words) {
		zlog_warn("ebpf: ct_filter_map is not mapped: every packet is looked up in conntrack");
		return;
	}
	ctf.counts = XCALLOC(MTYPE_CT_FILTER,
			     sizeof(uint16_t) << DP_CT_FILTER_ORDER);
	ct_faddrs_init(&ctf.addrs);
	if (dp_maps_reused())
		ct_filter_inherit();
	ctf.init = true;
	frr_with_privs (dp_privs())
		dp_meta_set_flags(DP_META_F_CT_FILTER, DP_META_F_CT_FILTER);
}

void ct_filter_stop(void)
{
	struct ct_faddr *a;

	if (!ctf.init)
		return;
	while ((a = ct_faddrs_pop(&ctf.addrs)))
		XFREE(MTYPE_CT_FILTER, a);
	ct_faddrs_fini(&ctf.addrs);
	XFREE(MTYPE_CT_FILTER, ctf.counts);
	XFREE(MTYPE_CT_FILTER, ctf.inherited);
	ctf.adopt_due = false;
	ctf.adopt_pass = 0;
	ctf.words = NULL;
	ctf.bits_set = 0;
	ctf.init = false;
}
