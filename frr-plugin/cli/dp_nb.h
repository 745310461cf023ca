/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Northbound for the frr-zebra-ebpf YANG model (yang/frr-zebra-ebpf.yang): the
 * xpath -> callback table (dp_nb.c), the configuration callbacks
 * (dp_nb_config.c) and the CLI rendering callbacks (dp_vty.c).
 */
#ifndef DP_NB_H
#define DP_NB_H

#include "northbound.h"

#define DP_NB_XPATH_EBPF "/frr-zebra-ebpf:ebpf"
#define DP_NB_XPATH_INTERFACE DP_NB_XPATH_EBPF "/interface"
#define DP_NB_XPATH_IPSEC DP_NB_XPATH_EBPF "/ignore-ipsec-policies"

extern const struct frr_yang_module_info frr_zebra_ebpf_info;

/*
 * Load the frr-zebra-ebpf model into zebra's running YANG context and attach
 * the callbacks above to it. Call once from frr_late_init, before the
 * configuration is read. Exits zebra if the model cannot be loaded.
 */
extern void dp_nb_init(void);
/*
 * Attach the callbacks of a feature configured under `ebpf` (lb/, nat/:
 * each registers its own nodes), after dp_nb_init(). Exits zebra if the
 * model has no such node.
 */
extern void dp_nb_attach(const struct frr_yang_module_info *info);
/* Once every feature attached its callbacks: libfrr checks that every
 * node has those it needs (and exits zebra if not). */
extern void dp_nb_validate(void);

/* dp_nb_config.c: configuration callbacks. */
extern int dp_nb_ebpf_create(struct nb_cb_create_args *args);
extern int dp_nb_ebpf_destroy(struct nb_cb_destroy_args *args);
extern int dp_nb_interface_create(struct nb_cb_create_args *args);
extern int dp_nb_interface_destroy(struct nb_cb_destroy_args *args);
extern int dp_nb_interface_mode_modify(struct nb_cb_modify_args *args);
extern int dp_nb_ignore_ipsec_modify(struct nb_cb_modify_args *args);

/* dp_vty.c: how each node reads back as CLI commands. */
extern void dp_cli_show_ebpf(struct vty *vty, const struct lyd_node *dnode,
			     bool show_defaults);
extern void dp_cli_show_ebpf_end(struct vty *vty, const struct lyd_node *dnode);
extern void dp_cli_show_interface(struct vty *vty, const struct lyd_node *dnode,
				  bool show_defaults);
extern void dp_cli_show_ignore_ipsec(struct vty *vty,
				     const struct lyd_node *dnode,
				     bool show_defaults);
extern int dp_cli_cmp_interface(const struct lyd_node *dnode1,
				const struct lyd_node *dnode2);

#endif /* DP_NB_H */
