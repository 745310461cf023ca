// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The conntrack filter's addresses (dp_abi.h, ct_addr_map), on the owner
 * pthread. lb/ and nat/ hold each address their maps name, in a role
 * (destination or source); an address is in ct_addr_map while anyone
 * holds it, and after the last release until an ageing pass that started
 * later saw no ct_map entry whose key carries it: a flow made before the
 * release keeps its packets looked up for its life.
 *
 * The filter is on (DP_META_F_CT_FILTER) only while every held or
 * draining address is in the map. One that the map refuses (full) turns
 * it off, so every packet is looked up as before, and each ageing pass
 * writes what is missing again.
 */
#include <zebra.h>

#include <bpf/bpf.h>

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
	struct dp_ct_addr_key key;
	uint32_t roles;	      /* DP_CT_ADDR_F_*, as written */
	uint32_t refs;	      /* holders */
	uint64_t released_ns; /* when refs fell to 0 */
	uint64_t seen_pass;   /* the last pass that saw an entry carry it */
	bool written;	      /* in ct_addr_map with these roles */
};

static int ct_faddr_cmp(const struct ct_faddr *a, const struct ct_faddr *b)
{
	return memcmp(&a->key, &b->key, sizeof(a->key));
}

static uint32_t ct_faddr_hash(const struct ct_faddr *a)
{
	return jhash(&a->key, sizeof(a->key), 0x9e3779b9);
}

DECLARE_HASH(ct_faddrs, struct ct_faddr, item, ct_faddr_cmp, ct_faddr_hash);

static struct {
	struct ct_faddrs_head addrs;
	bool init;
	uint64_t pass;	    /* passes begun */
	uint32_t unwritten; /* addresses the map refused */
	struct ct_filter_stats stats;
} ctf;

static void ct_filter_flag(void)
{
	uint32_t on = ctf.unwritten ? 0 : DP_META_F_CT_FILTER;

	if ((dp_meta_flags() & DP_META_F_CT_FILTER) == on)
		return;
	frr_with_privs (dp_privs())
		dp_meta_set_flags(DP_META_F_CT_FILTER, on);
}

static void ct_faddr_write(struct ct_faddr *a)
{
	bool was = a->written;
	int err = 0;

	frr_with_privs (dp_privs())
		if (bpf_map_update_elem(dp_map_fd(DP_MAP_CT_ADDR), &a->key,
					&a->roles, BPF_ANY))
			err = errno;
	a->written = !err;
	if (err && was)
		ctf.unwritten++;
	else if (!err && !was)
		ctf.unwritten--;
	if (err)
		ctf.stats.refused++;
}

static struct ct_faddr *ct_faddr_get(uint8_t family, const uint32_t addr[4])
{
	struct ct_faddr lookup = {.key.family = family}, *a;

	memcpy(lookup.key.addr, addr, sizeof(lookup.key.addr));
	a = ct_faddrs_find(&ctf.addrs, &lookup);
	if (a)
		return a;
	a = XCALLOC(MTYPE_CT_FILTER, sizeof(*a));
	a->key = lookup.key;
	/* not written yet: counted as missing until it is */
	ctf.unwritten++;
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
	if (!dp_maps_ready())
		return;
	ct_filter_start();
	a = ct_faddr_get(family, a4);
	a->refs++;
	if (!(a->roles & role) || !a->written) {
		a->roles |= role;
		ct_faddr_write(a);
	}
	ct_filter_flag();
	h->held = true;
	h->family = family;
	h->role = role;
	memcpy(h->addr, a4, sizeof(a4));
}

void ct_addr_drop(struct ct_addr_holder *h)
{
	struct ct_faddr lookup = {.key.family = h->family}, *a;

	if (!h->held)
		return;
	h->held = false;
	memcpy(lookup.key.addr, h->addr, sizeof(lookup.key.addr));
	a = ct_faddrs_find(&ctf.addrs, &lookup);
	if (a && a->refs && --a->refs == 0)
		a->released_ns = ct_now_ns();
}

/* An entry left in ct_map by an ageing pass: its addresses are in use. */
void ct_filter_seen(const struct dp_ct_key *key)
{
	struct ct_faddr lookup = {.key.family = key->family}, *a;

	memcpy(lookup.key.addr, key->daddr, sizeof(lookup.key.addr));
	a = ct_faddrs_find(&ctf.addrs, &lookup);
	if (a)
		a->seen_pass = ctf.pass;
	memcpy(lookup.key.addr, key->saddr, sizeof(lookup.key.addr));
	a = ct_faddrs_find(&ctf.addrs, &lookup);
	if (a)
		a->seen_pass = ctf.pass;
}

void ct_filter_pass_begin(void)
{
	ctf.pass++;
}

/* The end of a pass that started at started_ns: drained addresses go,
 * what the map refused is written again. */
void ct_filter_pass_end(uint64_t started_ns)
{
	struct ct_faddr *a;

	if (!ctf.init)
		return;
	frr_each_safe (ct_faddrs, &ctf.addrs, a) {
		if (!a->refs && a->released_ns < started_ns &&
		    a->seen_pass != ctf.pass) {
			if (a->written)
				frr_with_privs (dp_privs())
					bpf_map_delete_elem(
						dp_map_fd(DP_MAP_CT_ADDR),
						&a->key);
			else
				ctf.unwritten--;
			ct_faddrs_del(&ctf.addrs, a);
			XFREE(MTYPE_CT_FILTER, a);
			ctf.stats.drained++;
			continue;
		}
		if (!a->written)
			ct_faddr_write(a);
	}
	ct_filter_flag();
}

void ct_filter_stats(struct ct_filter_stats *st)
{
	*st = ctf.stats;
	st->addresses = ctf.init ? ct_faddrs_count(&ctf.addrs) : 0;
	st->missing = ctf.unwritten;
	st->on = dp_maps_ready() && (dp_meta_flags() & DP_META_F_CT_FILTER);
}

void ct_filter_start(void)
{
	if (ctf.init)
		return;
	ct_faddrs_init(&ctf.addrs);
	ctf.init = true;
	ctf.unwritten = 0;
	ct_filter_flag();
}

void ct_filter_stop(void)
{
	struct ct_faddr *a;

	if (!ctf.init)
		return;
	while ((a = ct_faddrs_pop(&ctf.addrs)))
		XFREE(MTYPE_CT_FILTER, a);
	ct_faddrs_fini(&ctf.addrs);
	ctf.init = false;
}
