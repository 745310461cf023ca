// SPDX-License-Identifier: GPL-2.0-or-later
/* The standard routing state of the tests (topo.h). */
#include <stdlib.h>

#include "topo.h"

void topo_setup(struct harness *h)
{
	const uint8_t out_mac[ETH_ALEN] = {0x02, 0, 0, 0, 0x20, 0xaa};
	const uint16_t gw = DP_PATH_F_GW, ok = DP_PATH_F_RESOLVED;
	struct dp_path p;
	struct dp_nhg *empty = calloc(1, sizeof(*empty));

	h_reset(h);
	h_intf(h, H_OUT_IFINDEX, out_mac, DP_INTF_F_UP, TOPO_OUT_MTU,
	       H_OUT_STATS_IDX);

	p = h_path(H_OUT_IFINDEX, TAG_NHG100, gw | ok, TOPO_OUT_MTU);
	h_nhg(h, 100, &p, 1);
	p = h_path(H_OUT_IFINDEX, 2, gw, TOPO_OUT_MTU);
	h_nhg(h, 101, &p, 1);
	h_nhg_put(h, 102, empty);
	p = h_path(H_OUT_IFINDEX, 3, gw | DP_PATH_F_GW6, TOPO_OUT_MTU);
	h_nhg(h, 103, &p, 1);
	p = h_path(H_OUT_IFINDEX, TAG_NHG104, gw | ok, TOPO_SMALL_MTU);
	h_nhg(h, 104, &p, 1);
	p = h_path(H_OUT_IFINDEX, 5, 0, TOPO_OUT_MTU);
	h_nhg(h, 105, &p, 1);
	free(empty);

	h_route4(h, "198.51.100.0/24", DP_RT_NHG, 100);
	h_route4(h, "198.51.101.0/24", DP_RT_NHG, 101);
	h_route4(h, "198.51.102.0/24", DP_RT_NHG, 102);
	h_route4(h, "198.51.103.0/24", DP_RT_NHG, 999);
	h_route4(h, "198.51.104.0/24", DP_RT_NHG, 104);
	h_route4(h, "198.51.105.0/24", DP_RT_NHG, 105);
	h_route4(h, "203.0.113.0/24", DP_RT_CONNECTED, H_OUT_IFINDEX);
	h_route4(h, "192.0.2.128/25", DP_RT_CONNECTED, 11);
	h_route4(h, "192.0.2.1/32", DP_RT_LOCAL, 0);
	h_route4(h, "100.64.0.0/10", DP_RT_SPECIAL, 0);
	h_neigh(h, H_OUT_IFINDEX, DST4_CONNECTED, TAG_NEIGH, TOPO_OUT_MTU);

	h_route6(h, "2001:db8:100::/48", DP_RT_NHG, 100);
	h_route6(h, "2001:db8:103::/48", DP_RT_NHG, 103);
	h_route6(h, "2001:db8:104::/48", DP_RT_NHG, 104);
	h_route6(h, "2001:db8:1::/64", DP_RT_CONNECTED, H_OUT_IFINDEX);
	h_route6(h, "2001:db8::1/128", DP_RT_LOCAL, 0);
	h_route6(h, "2001:db8:dead::/48", DP_RT_SPECIAL, 0);
	h_neigh(h, H_OUT_IFINDEX, DST6_CONNECTED, TAG_NEIGH, TOPO_OUT_MTU);
}
