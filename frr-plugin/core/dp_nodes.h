/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CLI nodes of the plugin's configuration: `ebpf` and the nodes nested
 * in it. Each configured feature installs its own node and commands (cli/
 * the `ebpf` node, lb/ `load-balancer` and `vip`, nat/ `nat`, police/
 * `policer`, chain/ `chain`); the plugin-aware vtysh (vtysh/ebpf_vtysh.c)
 * declares the same nodes with the same ids.
 *
 * A module cannot extend lib/command.h's enum node_type, so each node
 * borrows an id that FRR 8.4 declares but neither zebra (lib/, zebra/) nor
 * vtysh installs, so that both node vectors have the slot free:
 *   RFP_DEFAULTS_NODE  no daemon installs it (bgpd's rfapi never creates
 *                      it); its place in the enum also puts the `ebpf`
 *                      block after the interface blocks in
 *                      `show running-config`
 *   DEBUG_VNC_NODE     bgpd's rfapi only (bgpd/rfapi/vnc_debug.c)
 *   DUMP_NODE          bgpd only (bgpd/bgp_dump.c)
 *   VRRP_NODE          vrrpd only (vrrpd/vrrp_vty.c)
 *   AAA_NODE           no daemon installs it (vtysh_config.c only files
 *                      "aaa" lines under it)
 *   AS_LIST_NODE       no daemon installs it (vtysh_config.c only files
 *                      "bgp as-path" lines under it)
 * The nested nodes write no configuration of their own (the `ebpf` node
 * writes the whole block), so their place in the enum does not matter.
 */
#ifndef DP_NODES_H
#define DP_NODES_H

#include "lib/command.h"

#define EBPF_NODE RFP_DEFAULTS_NODE
#define EBPF_LB_NODE DEBUG_VNC_NODE   /* ebpf / load-balancer */
#define EBPF_VIP_NODE DUMP_NODE	      /* ebpf / load-balancer / vip NAME */
#define EBPF_NAT_NODE VRRP_NODE	      /* ebpf / nat */
#define EBPF_POLICER_NODE AAA_NODE    /* ebpf / policer NAME */
#define EBPF_CHAIN_NODE AS_LIST_NODE  /* ebpf / chain NAME */

/* Whether node is one of the plugin's configuration nodes. */
#define EBPF_NODE_IS_OURS(node)                                                \
	((node) == EBPF_NODE || (node) == EBPF_LB_NODE ||                      \
	 (node) == EBPF_VIP_NODE || (node) == EBPF_NAT_NODE ||                 \
	 (node) == EBPF_POLICER_NODE || (node) == EBPF_CHAIN_NODE)

/* Help string of the `ebpf` keyword, in every command that has it. */
#define EBPF_STR "eBPF dataplane\n"

#endif /* DP_NODES_H */
