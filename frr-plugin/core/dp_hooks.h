/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What kernel/ announces to the layers above it. kernel/ mirrors the
 * kernel's links, neighbours and local table and includes nothing from
 * fwd/ or cli/; whatever must follow one of its changes (nexthop groups,
 * routes, interface attachment) registers on these hooks at init.
 *
 * Each hook is defined (DEFINE_HOOK) in the one file that calls it, named
 * below, and runs synchronously on the caller's thread: zebra's dplane
 * pthread, the owner of the plugin's tables. A listener therefore sees the
 * change at the same moment the direct call it replaces did, and may call
 * back into kernel/ (dp_link_get(), dp_neigh_lookup()) to read the new
 * state. Listeners return 0.
 *
 * Where more than one listener must run in a given order, they register
 * with the DP_HOOK_PRIO_* below (lower runs first; FRR runs listeners of
 * equal priority in the reverse order of registration, so never rely on
 * that).
 */
#ifndef DP_HOOKS_H
#define DP_HOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/hook.h"

union g_addr;
struct lyd_node;

/*
 * kernel/dp_link.c: a link became known to the plugin, or was renamed.
 * Listener: fwd/dp_intf.c, which asks the main pthread to attach the
 * programs if the configuration names it.
 */
DECLARE_HOOK(dp_link_appeared, (int ifindex, const char *name),
	     (ifindex, name));

/*
 * kernel/dp_link.c: what a path through the link depends on (its MAC, MTU,
 * oper state or egress class) changed, or the link went. Its intf_map
 * entry and neighbour entries are already rewritten. egress_changed: the
 * egress class (dp_link_egress()) is not what it was.
 * Listeners, in this order: fwd/dp_nhg.c rewrites the groups with a path
 * through the link, then fwd/dp_route.c rewrites the on-link routes through
 * it when the egress class changed.
 */
DECLARE_HOOK(dp_link_changed, (int ifindex, bool egress_changed),
	     (ifindex, egress_changed));

/*
 * kernel/dp_neigh.c: a neighbour appeared, changed its MAC or went
 * (addr: 4 or 16 bytes by family). Not announced when the neighbour went
 * with its link going down: the link's change rewrites its groups once.
 * Listener: fwd/dp_nhg.c, which rewrites the groups with a path to it.
 */
DECLARE_HOOK(dp_neigh_changed,
	     (int ifindex, int family, const union g_addr *addr),
	     (ifindex, family, addr));

/*
 * kernel/dp_local.c: a prefix of the kernel's local table is now held as
 * type (DP_RT_LOCAL or DP_RT_BROADCAST; add) or no longer held (!add). Its
 * addr4_map entry is already written.
 * Listener: fwd/dp_route.c, which makes it a LOCAL or BROADCAST route (or
 * punts a local range) in the FIB.
 */
DECLARE_HOOK(dp_local_changed,
	     (int family, const union g_addr *addr, uint8_t plen, uint8_t type,
	      bool add),
	     (family, addr, plen, type, add));

/*
 * cli/dp_nb_config.c, on zebra's main pthread: the `ebpf` block is being
 * deleted (NB_EV_APPLY); ebpf is its node in the running configuration.
 * libfrr calls no callback below a deleted node that has its own, so each
 * feature configured inside the block removes its state here.
 * Listeners: lb/ (its VIPs), nat/ (its rules).
 */
DECLARE_HOOK(dp_config_removed, (const struct lyd_node *ebpf), (ebpf));

/*
 * kernel/dp_netlink.c: the first dumps after the start are done (or the
 * listener could not start), once. Listener: dplane_ebpf.c, which holds
 * zebra's contexts until then (a nexthop group written before its links
 * are known would send its routes to the kernel).
 */
DECLARE_HOOK(dp_netlink_synced_hook, (), ());

/*
 * maps/dp_sync.c: the resync after a start on reused pins is done: zebra
 * had dp_sync_delay() seconds after reading its configuration to
 * confirm what an earlier run left, and the mirrored tables' stale
 * entries are gone. Runs on the owner pthread, once per start on reused
 * pins. Listeners: lb/ and nat/ (what no VIP or rule of this run claimed
 * goes), ct/ (the filter bits an earlier run set).
 */
DECLARE_HOOK(dp_resync_done, (), ());

/* The order of dp_link_changed's listeners: groups before routes, as the
 * link code called them before it announced by hook. */
#define DP_HOOK_PRIO_NHG 10
#define DP_HOOK_PRIO_ROUTE 20

#endif /* DP_HOOKS_H */
