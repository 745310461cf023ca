/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's local routing table (table 255), mirrored: the router's
 * own addresses, the broadcast addresses of its subnets, IPv6 anycast
 * addresses and local ranges. The kernel looks this table up before any
 * other, so its entries win over zebra's routes in the datapath too, and
 * the router's own and broadcast IPv4 addresses are refused as sources
 * (addr4_map), as fib_validate_source() refuses them. Owner thread; fed by
 * the netlink listener's dumps of the table.
 */
#ifndef DP_LOCAL_H
#define DP_LOCAL_H

#include <stdint.h>

/* An entry of a dump (rtm_type RTN_*). */
extern void dp_local_seen(int family, const void *addr, uint8_t plen,
			  uint8_t rtm_type);

/* A dump of the table starts / ended, per family: what it did not list
 * is gone. */
extern void dp_local_mark4(void);
extern void dp_local_sweep4(void);
extern void dp_local_mark6(void);
extern void dp_local_sweep6(void);

extern uint32_t dp_local_count(void);

#endif /* DP_LOCAL_H */
