/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the northbound callbacks of every configured feature (cli/, lb/,
 * nat/) share.
 */
#ifndef DP_NBUTIL_H
#define DP_NBUTIL_H

#include <stdbool.h>

#include "lib/northbound.h"

/*
 * Whether a commit comes from a configuration read at boot (zebra's own
 * file, or `vtysh -b`, which commits all of zebra's configuration in one
 * transaction) rather than from the prompt. At the prompt an unknown
 * interface is an error; a boot configuration may name interfaces created
 * later, and refusing them would throw away the rest of the batch, so they
 * are accepted and used when they appear.
 */
extern bool dp_nb_allow_absent(const struct nb_context *nctx);

/*
 * For the leaves of an object whose own apply_finish callback applies the
 * whole object once per commit: libfrr wants a callback on every node.
 */
extern int dp_nb_noop_create(struct nb_cb_create_args *args);
extern int dp_nb_noop_modify(struct nb_cb_modify_args *args);
extern int dp_nb_noop_destroy(struct nb_cb_destroy_args *args);

/*
 * cli_show and cli_show_end of a container of `ebpf` whose command is its
 * name (load-balancer, nat): " NAME" ... " exit".
 */
extern void dp_nb_cli_show_block(struct vty *vty, const struct lyd_node *dnode,
				 bool show_defaults);
extern void dp_nb_cli_show_block_end(struct vty *vty,
				     const struct lyd_node *dnode);

/* An IP protocol's name for show and configuration text (tcp, udp, icmp,
 * icmpv6), or its number in buf. */
extern const char *dp_proto_name(uint8_t proto, char *buf, size_t len);

/* yang_dnode_iterate() callback that counts nodes in *(uint32_t *)arg. */
extern int dp_nb_count_cb(const struct lyd_node *dnode, void *arg);

/*
 * Whether dnode is the first entry of its list under its parent: checks
 * that look across a list's entries run in that entry's pre_validate
 * (libfrr calls pre_validate on every node of the candidate), once.
 */
extern bool dp_nb_first_entry(const struct lyd_node *dnode);

/*
 * `KIND NAME` in the ebpf node for a list keyed by name (policer, chain):
 * the name checked, the entry created, its node (node) entered.
 */
extern int dp_vty_enter_entry(struct vty *vty, const char *kind,
			      const char *list_xpath, const char *name,
			      int node);

/* `no KIND NAME`: the entry removed, or why not with the configured ones. */
extern int dp_vty_remove_entry(struct vty *vty, const char *kind,
			       const char *list_xpath, const char *name);

#endif /* DP_NBUTIL_H */
