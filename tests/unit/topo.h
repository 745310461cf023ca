/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The routing state most tests start from, as the plugin would write it:
 * one ingress interface (lo, see dp_harness.h), one out interface, and a
 * route of every kind. Destinations below name what they exercise.
 */
#ifndef TOPO_H
#define TOPO_H

#include "dp_harness.h"

#define SRC4 "10.0.0.1"
#define SRC6 "2001:db8:ffff::1"

#define DST4_FWD "198.51.100.7" /* NHG 100: resolved gateway, tag 1 */
#define DST4_UNRESOLVED                                                        \
	"198.51.101.7" /* NHG 101: gateway 192.0.2.2 unresolved */
#define DST4_EMPTY_NHG "198.51.102.7"	/* NHG 102: no paths */
#define DST4_MISSING_NHG "198.51.103.7" /* route to NHG 999, not in nh_map */
#define DST4_SMALL_MTU "198.51.104.7"	/* NHG 104: resolved, MTU 1000, tag 4 */
#define DST4_ONLINK "198.51.105.7"	/* NHG 105: on-link path, unresolved */
#define DST4_CONNECTED "203.0.113.9" /* connected on if 10, neighbour tag 9 */
#define DST4_CONN_NO_NEIGH "203.0.113.10" /* connected on if 10, no neighbour  \
					   */
#define DST4_CONN_UNKNOWN                                                      \
	"192.0.2.200"		  /* connected on if 11 (not in intf_map) */
#define DST4_LOCAL "192.0.2.1"	  /* the router's own address */
#define DST4_SPECIAL "100.64.1.1" /* blackhole 100.64.0.0/10 */
#define DST4_NO_ROUTE "172.16.0.1"

#define DST6_FWD "2001:db8:100::7"	  /* NHG 100 */
#define DST6_UNRESOLVED "2001:db8:103::7" /* NHG 103: IPv6 gateway unresolved  \
					   */
#define DST6_SMALL_MTU "2001:db8:104::7"  /* NHG 104: MTU 1000 */
#define DST6_CONNECTED "2001:db8:1::9"	  /* connected on if 10, tag 9 */
#define DST6_CONN_NO_NEIGH "2001:db8:1::10"
#define DST6_LOCAL "2001:db8::1"
#define DST6_SPECIAL "2001:db8:dead::1"
#define DST6_NO_ROUTE "2001:db8:9999::1"

#define TOPO_OUT_MTU 1500
#define TOPO_SMALL_MTU 1000
#define TAG_NHG100 1
#define TAG_NHG104 4
#define TAG_NEIGH 9

/* h_reset() plus the routes, groups and neighbours above. */
void topo_setup(struct harness *h);

#endif /* TOPO_H */
