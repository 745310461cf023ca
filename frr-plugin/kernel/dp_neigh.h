/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Neighbours: the kernel's ARP/ND entries to dmac_map, and the refresh of
 * the entries the fast path uses. Owner thread; fed by the netlink
 * listener (dp_netlink.c). The groups with a path to a neighbour follow
 * its changes through dp_neigh_changed (core/dp_hooks.h).
 */
#ifndef DP_NEIGH_H
#define DP_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

struct thread_master;
union g_addr;

/* From the netlink listener: a usable entry (set) or a gone or unusable
 * one (del). */
extern void dp_neigh_set(int ifindex, int family, const void *addr,
			 const uint8_t *mac, uint16_t state);
extern void dp_neigh_del(int ifindex, int family, const void *addr);

/* The neighbour's MAC and hit slot if the kernel has it resolved. */
extern bool dp_neigh_lookup(int ifindex, int family, const union g_addr *addr,
			    uint8_t mac[6], uint32_t *hit_slot);

/* The link's MAC, MTU or egress class changed: rewrite its entries. */
extern void dp_neigh_intf_changed(int ifindex);
/* The link is gone: its entries go, groups untouched (the link's
 * removal rewrites them once). */
extern void dp_neigh_flush_intf(int ifindex);

/* A netlink resync starts / ended (mark and sweep). */
extern void dp_neigh_mark_all(void);
extern void dp_neigh_sweep(void);

/*
 * Ask the kernel to confirm, every few seconds, the neighbours the fast
 * path forwarded to, as a packet the kernel sent itself would (NTF_USE):
 * a neighbour that changed its MAC is then found out as the kernel would
 * find it out. Owner thread.
 */
extern void dp_neigh_refresh_start(struct thread_master *master);
extern void dp_neigh_refresh_stop(void);

extern uint32_t dp_neigh_count(void);

#endif /* DP_NEIGH_H */
