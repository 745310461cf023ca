/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin's netlink listener: links, neighbours and the local routing
 * table, read on the owner pthread. zebra 8.4 hands no kernel ARP/ND to
 * dplane providers, so the plugin keeps its own socket: dumps first, then
 * events. Dumps are read in steps, between which zebra's dplane pthread
 * does its own work.
 */
#ifndef DP_NETLINK_H
#define DP_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

struct thread_master;

/* rcvbuf: the socket's receive buffer (module argument netlink-rcvbuf). */
extern void dp_netlink_start(struct thread_master *master, uint32_t rcvbuf);
extern void dp_netlink_stop(void);
/*
 * The first dumps are done (or the listener could not start): links,
 * addresses and neighbours are known, so a nexthop group written now
 * gets the egress its interfaces really have. Any pthread.
 */
extern bool dp_netlink_synced(void);

#endif /* DP_NETLINK_H */
