/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Source NAT's control plane: the `nat` configuration (YANG, northbound
 * and CLI on zebra's main pthread) and nat_src_map (owner pthread).
 *
 *   nat_nb.c     northbound callbacks and validation
 *   nat_vty.c    the `nat` node, its command, how it reads back, and
 *                `show ebpf nat`
 *   nat_owner.c  owner pthread: nat_src_map, masquerade addresses
 *                followed as the interface's addresses change
 *
 * See doc/architecture.md, "Load balancer and NAT: control plane".
 */
#ifndef NAT_H
#define NAT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/northbound.h"
#include "lib/prefix.h"

#include "dp_abi.h"

#define NAT_XPATH "/frr-zebra-ebpf:ebpf/nat"
#define NAT_XPATH_SOURCE NAT_XPATH "/source"

/* A rule as configured: what the main pthread hands the owner. */
struct nat_rule_spec {
	struct prefix prefix; /* masked */
	char ifname[16];
	bool masquerade;
	uint8_t first[16], last[16]; /* the pool (not masquerade) */
};

/* Main pthread: the owner takes spec (XCALLOC'd with MTYPE_TMP). */
extern void nat_owner_post_rule(struct nat_rule_spec *spec);
extern void nat_owner_post_del(const struct prefix *prefix,
			       const char *ifname);
extern void nat_owner_post_del_all(void);

/* Main pthread at late init: hooks. Owner pthread at start. */
extern void nat_owner_init(void);
extern void nat_owner_start(void);

/* What `show ebpf nat` prints of a rule's state. */
struct nat_rule_status {
	bool installed; /* in nat_src_map */
	char why[128];	/* why not, or "" */
	int ifindex;
	struct dp_nat_src val; /* as written */
};
/* Any pthread: false if the owner has not seen the rule (yet). */
extern bool nat_owner_status(const struct prefix *prefix, const char *ifname,
			     struct nat_rule_status *st);

/*
 * The addresses of pool first..last (of family), at most
 * DP_NAT_POOL_MAX; 0 with their number in *n, or a message in err.
 */
extern int nat_pool_expand(uint8_t family, const uint8_t first[16],
			   const uint8_t last[16],
			   uint32_t addrs[DP_NAT_POOL_MAX][4], uint16_t *n,
			   char *err, size_t errlen);

extern const struct frr_yang_module_info nat_nb_info;

/* Main pthread, late init. */
extern void nat_init(void);
extern void nat_vty_init(void);

/* nat_vty.c: how the configuration reads back. */
extern void nat_cli_show_source(struct vty *vty, const struct lyd_node *dnode,
				bool show_defaults);
extern int nat_cli_cmp_source(const struct lyd_node *a,
			      const struct lyd_node *b);

/* The rule of a configuration node. */
extern void nat_spec_of(const struct lyd_node *dnode,
			struct nat_rule_spec *spec);

#endif /* NAT_H */
