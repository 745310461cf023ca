// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The local-table mirror (dp_local.h). The kernel writes this table
 * itself from the addresses (local, broadcast, anycast routes); reading
 * it rather than deriving it from addresses gives exactly the kernel's
 * view on every kernel version, including an operator's own local routes.
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
#include "dp_local.h"
#include "dp_maps.h"
#include "dp_route.h"
#include "dp_plugin.h"

DEFINE_MTYPE_STATIC(EBPF, EBPF_LOCAL, "eBPF local table mirror");

PREDECL_HASH(dp_locals);

struct dp_local {
	struct dp_locals_item item;
	uint8_t family;
	uint8_t plen;
	uint8_t type; /* DP_RT_LOCAL or DP_RT_BROADCAST */
	bool stale;
	bool addr4_missing; /* addr4_map refused it */
	union g_addr addr;
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
	dp_route_local_update(l->family, &l->addr, l->plen, l->type, add);
}

void dp_local_seen(int family, const void *addr, uint8_t plen,
		   uint8_t rtm_type)
{
	struct dp_local lookup = { .family = family, .plen = plen }, *l;
	uint8_t type;

	switch (rtm_type) {
	case RTN_LOCAL:
	case RTN_ANYCAST:
		type = DP_RT_LOCAL;
		break;
	case RTN_BROADCAST:
		type = DP_RT_BROADCAST;
		break;
	default:
		/* Multicast routes: the datapath passes multicast anyway. */
		return;
	}
	memcpy(&lookup.addr, addr, family == AF_INET ? 4 : 16);
	l = dp_locals_find(&dp_locals, &lookup);
	if (l) {
		l->stale = false;
		if (l->type == type)
			return;
		dp_local_apply(l, false);
	} else {
		l = XCALLOC(MTYPE_EBPF_LOCAL, sizeof(*l));
		*l = lookup;
		dp_locals_add(&dp_locals, l);
	}
	l->type = type;
	dp_dbg("local table: %s %pFX",
	       type == DP_RT_BROADCAST ? "broadcast" : "local",
	       &(struct prefix){ .family = family, .prefixlen = plen,
				 .u.prefix6 = l->addr.ipv6 });
	dp_local_apply(l, true);
}

static void dp_local_mark(int family)
{
	struct dp_local *l;

	frr_each (dp_locals, &dp_locals, l)
		if (l->family == family)
			l->stale = true;
}

static void dp_local_sweep(int family)
{
	struct dp_local *l;

	frr_each_safe (dp_locals, &dp_locals, l) {
		if (!l->stale || l->family != family)
			continue;
		dp_local_apply(l, false);
		dp_locals_del(&dp_locals, l);
		XFREE(MTYPE_EBPF_LOCAL, l);
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
