/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin's netlink listener: neighbours (ARP/ND) into dmac_map, links
 * and addresses to the interface and route code. zebra 8.4 hands no kernel
 * ARP/ND to dplane providers, so the plugin keeps its own socket, read on
 * the owner thread: an initial dump, then events.
 */
#ifndef DP_NEIGH_H
#define DP_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

struct thread_master;
union g_addr;

extern void dp_neigh_start(struct thread_master *master);
extern void dp_neigh_stop(void);

/* Owner thread: the neighbour's MAC if the kernel has it resolved. */
extern bool dp_neigh_lookup(int ifindex, int family, const union g_addr *addr,
			    uint8_t mac[6]);

/* Owner thread: rewrite the dmac_map entries behind ifindex (its MAC or
 * MTU changed). */
extern void dp_neigh_intf_changed(int ifindex);

/* Owner thread: the maps exist now; write every neighbour. */
extern void dp_neigh_sync_all(void);

extern uint32_t dp_neigh_count(void);

#endif /* DP_NEIGH_H */
