/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Load balancer and conntrack state in a bn_dp's maps: a VIP written as
 * the plugin writes one (its ring from the plugin's builder,
 * frr-plugin/lb/lb_ring.c), and whole-table operations on conntrack
 * (ct4_map and ct6_map).
 */
#ifndef BENCH_DATAPATH_LB_H
#define BENCH_DATAPATH_LB_H

#include <stdint.h>

#include "datapath.h"

/* An IPv4 TCP VIP, Maglev, dnat, to n equal backends (addresses in
 * network order, ids first_be .. first_be + n - 1), its ring from slot
 * ring_base of lb_ring_map. Ports in host order. Dies on failure. */
void bn_dp_lb_vip4(struct bn_dp *dp, uint32_t vip_id, uint32_t vip,
		   uint16_t port, const uint32_t *be, uint32_t n,
		   uint32_t first_be, uint16_t be_port, uint32_t seed,
		   uint32_t ring_base);

/* Conntrack: empty it. */
void bn_dp_ct_clear(struct bn_dp *dp);
/* Conntrack: how many entries; state >= 0 also sets every entry's state. */
uint32_t bn_dp_ct_walk(struct bn_dp *dp, int state);

/* nf_conntrack of the calling thread's namespace: flush it (netlink),
 * and how many entries it holds. */
void bn_nfct_flush(void);
uint32_t bn_nfct_count(void);

#endif /* BENCH_DATAPATH_LB_H */
