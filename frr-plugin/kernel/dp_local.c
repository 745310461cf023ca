// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The local-table mirror (dp_local.h). The kernel writes this table
 * itself from the addresses (local, broadcast, anycast routes); reading
 * it rather than deriving it from addresses gives exactly the kernel's
 * view on every kernel version, including an operator's own local routes.
 *
 * The table can hold one prefix several times (aliases): the same IPv6
 * address on two interfaces, a broadcast address two subnets share. The
 * kernel announces each alias's addition and deletion, so the mirror
 * keeps them apart and the datapath holds a prefix while any alias of it
 * is left.
 */

#include "config.h"

#include <linux/rtnetlink.h>

#include <bpf/bpf.h>

#include "lib/zebra.h"
#include "lib/prefix.h"
#include "lib/nexthop.h"
#include "lib/typesafe.h"
#include "lib/jhash.h"
#include "lib/memory.h"

#include "dp_abi.h"
#include "core/dp_hooks.h"
#include "core/dp_plugin.h"
#include "maps/dp_maps.h"
#include "kernel/dp_local.h"

DEFINE_MTYPE_STATIC(EBPF, EBPF_LOCAL, "eBPF local table mirror");

DEFINE_HOOK(dp_local_changed,
	    (int family, const union g_addr *addr, uint8_t plen, uint8_t type,
	     bool add),
	    (family, addr, plen, type, add));

PREDECL_HASH(dp_locals);

/* One entry of the kernel's table for a prefix. */
struct dp_local_alias {
	struct dp_local_alias *next;
	int ifindex;
	uint8_t type; /* DP_RT_LOCAL or DP_RT_BROADCAST */
	bool stale;   /* not listed (yet) by the running dump */
};

/* A prefix of the table, as the datapath holds it. */
struct dp_local {
	struct dp_locals_item item;
	uint8_t family;
	uint8_t plen;
	uint8_t type; /* applied: LOCAL if any alias is, else BROADCAST */
	bool addr4_missing; /* addr4_map refused it */
	union g_addr addr;
	struct dp_local_alias *aliases;
};

static int dp_local_cmp(const struct dp_local *a, const struct dp_local *b)
{
	if (a->family != b->family)
		return a->family - b->family;
	if (a->plen != b->plen)
		return a->plen - b->plen;
	return memcmp(&a->addr, &b->addr, a->family == AF_INET ? 4 : 16);
}

static uint32_t dp_local_hash(const struct dp_local *l)
{
	return jhash(&l->addr, l->family == AF_INET ? 4 : 16,
		     l->family << 8 | l->plen);
}

DECLARE_HASH(dp_locals, struct dp_local, item, dp_local_cmp, dp_local_hash);

static struct dp_locals_head dp_locals = INIT_HASH(dp_locals);

uint32_t dp_local_count(void)
{
	return dp_locals_count(&dp_locals);
}

/* Host entries addr4_map could not take. */
static uint32_t dp_local_addr4_missing;

/*
 * An IPv4 host entry is also a source the kernel refuses. One that
 * addr4_map cannot take would let packets from it through, so while any
 * is missing the datapath hands every IPv4 packet to the kernel.
 */
static void dp_local_addr4(struct dp_local *l, bool add)
{
	struct dp_addr val = {
		.kind = l->type == DP_RT_BROADCAST ? DP_ADDR_BROADCAST
						   : DP_ADDR_LOCAL,
	};
	int fd = dp_map_fd(DP_MAP_ADDR4);

	if (l->family != AF_INET || l->plen != 32)
		return;
	if (l->addr4_missing) {
		l->addr4_missing = false;
		dp_local_addr4_missing--;
	}
	if (!add)
		bpf_map_delete_elem(fd, &l->addr.ipv4);
	else if (bpf_map_update_elem(fd, &l->addr.ipv4, &val, BPF_ANY)) {
		zlog_warn("ebpf: cannot add %pI4 to addr4_map: %s; every IPv4 packet goes to the kernel until it fits",
			  &l->addr.ipv4, safe_strerror(errno));
		l->addr4_missing = true;
		dp_local_addr4_missing++;
	}
	dp_meta_set_flags(DP_META_F_ADDR4_INCOMPLETE,
			  dp_local_addr4_missing ? DP_META_F_ADDR4_INCOMPLETE
						 : 0);
}

static void dp_local_apply(struct dp_local *l, bool add)
{
	dp_local_addr4(l, add);
	hook_call(dp_local_changed, l->family, &l->addr, l->plen, l->type, add);
}

static uint8_t dp_local_type(uint8_t rtm_type)
{
	switch (rtm_type) {
	case RTN_LOCAL:
	case RTN_ANYCAST:
		return DP_RT_LOCAL;
	case RTN_BROADCAST:
		return DP_RT_BROADCAST;
	}
	/* Multicast routes: the datapath passes multicast anyway. */
	return DP_RT_NONE;
}

static struct dp_local *dp_local_find(int family, const void *addr,
				      uint8_t plen)
{
	struct dp_local lookup = { .family = family, .plen = plen };

	memcpy(&lookup.addr, addr, family == AF_INET ? 4 : 16);
	return dp_locals_find(&dp_locals, &lookup);
}

/*
 * What the aliases left ask of the datapath: the prefix goes when none is
 * left, and changes type when the alias that made it local went.
 */
static void dp_local_settle(struct dp_local *l)
{
	struct dp_local_alias *a;
	uint8_t type = DP_RT_BROADCAST;

	if (!l->aliases) {
		if (l->type != DP_RT_NONE)
			dp_local_apply(l, false);
		dp_locals_del(&dp_locals, l);
		XFREE(MTYPE_EBPF_LOCAL, l);
		return;
	}
	for (a = l->aliases; a; a = a->next)
		if (a->type == DP_RT_LOCAL)
			type = DP_RT_LOCAL;
	if (type == l->type)
		return;
	if (l->type != DP_RT_NONE)
		dp_local_apply(l, false);
	l->type = type;
	dp_dbg("local table: %s %pFX",
	       type == DP_RT_BROADCAST ? "broadcast" : "local",
	       &(struct prefix){ .family = l->family, .prefixlen = l->plen,
				 .u.prefix6 = l->addr.ipv6 });
	dp_local_apply(l, true);
}

void dp_local_seen(int family, const void *addr, uint8_t plen,
		   uint8_t rtm_type, int ifindex)
{
	uint8_t type = dp_local_type(rtm_type);
	struct dp_local_alias *a;
	struct dp_local *l;

	if (type == DP_RT_NONE)
		return;
	l = dp_local_find(family, addr, plen);
	if (!l) {
		l = XCALLOC(MTYPE_EBPF_LOCAL, sizeof(*l));
		l->family = family;
		l->plen = plen;
		memcpy(&l->addr, addr, family == AF_INET ? 4 : 16);
		dp_locals_add(&dp_locals, l);
	}
	for (a = l->aliases; a; a = a->next)
		if (a->ifindex == ifindex && a->type == type)
			break;
	if (!a) {
		a = XCALLOC(MTYPE_EBPF_LOCAL, sizeof(*a));
		a->ifindex = ifindex;
		a->type = type;
		a->next = l->aliases;
		l->aliases = a;
	}
	a->stale = false;
	dp_local_settle(l);
}

void dp_local_gone(int family, const void *addr, uint8_t plen,
		   uint8_t rtm_type, int ifindex)
{
	uint8_t type = dp_local_type(rtm_type);
	struct dp_local_alias **pa, *a;
	struct dp_local *l = dp_local_find(family, addr, plen);

	if (!l || type == DP_RT_NONE)
		return;
	for (pa = &l->aliases; (a = *pa); pa = &a->next)
		if (a->ifindex == ifindex && a->type == type)
			break;
	if (!a)
		return;
	*pa = a->next;
	XFREE(MTYPE_EBPF_LOCAL, a);
	dp_local_settle(l);
}

static void dp_local_mark(int family)
{
	struct dp_local_alias *a;
	struct dp_local *l;

	frr_each (dp_locals, &dp_locals, l)
		if (l->family == family)
			for (a = l->aliases; a; a = a->next)
				a->stale = true;
}

static void dp_local_sweep(int family)
{
	struct dp_local_alias **pa, *a;
	struct dp_local *l;

	frr_each_safe (dp_locals, &dp_locals, l) {
		if (l->family != family)
			continue;
		for (pa = &l->aliases; (a = *pa);) {
			if (a->stale) {
				*pa = a->next;
				XFREE(MTYPE_EBPF_LOCAL, a);
			} else {
				pa = &a->next;
			}
		}
		dp_local_settle(l);
	}
}

void dp_local_mark4(void)
{
	dp_local_mark(AF_INET);
}

void dp_local_sweep4(void)
{
	dp_local_sweep(AF_INET);
}

void dp_local_mark6(void)
{
	dp_local_mark(AF_INET6);
}

void dp_local_sweep6(void)
{
	dp_local_sweep(AF_INET6);
}
