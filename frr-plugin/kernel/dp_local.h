/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's local routing table (table 255), mirrored: the router's
 * own addresses, the broadcast addresses of its subnets, IPv6 anycast
 * addresses and local ranges. The kernel looks this table up before any
 * other, so its entries win over zebra's routes in the datapath too, and
 * the router's own and broadcast IPv4 addresses are refused as sources
 * (addr4_map), as fib_validate_source() refuses them. Owner thread; fed by
 * the netlink listener: the table's route events, and its dumps at start
 * and after lost events. Each prefix the datapath must now hold, or no
 * longer hold, is announced by dp_local_changed (core/dp_hooks.h), on which
 * fwd/ writes the FIB.
 */
#ifndef DP_LOCAL_H
#define DP_LOCAL_H

#include <stdint.h>

/* An entry of the table (rtm_type RTN_*, on interface ifindex: one prefix
 * may be there once per interface) listed by a dump or added. */
extern void dp_local_seen(int family, const void *addr, uint8_t plen,
			  uint8_t rtm_type, int ifindex);
/* An entry deleted from the table. */
extern void dp_local_gone(int family, const void *addr, uint8_t plen,
			  uint8_t rtm_type, int ifindex);

/* A dump of the table starts / ended, per family: what it did not list
 * is gone. */
extern void dp_local_mark4(void);
extern void dp_local_sweep4(void);
extern void dp_local_mark6(void);
extern void dp_local_sweep6(void);

extern uint32_t dp_local_count(void);

#endif /* DP_LOCAL_H */
