/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin's CLI: the `ebpf` configuration node and the `show ebpf ...`
 * and `clear ebpf ...` commands.
 */
#ifndef DP_VTY_H
#define DP_VTY_H

#include "command.h"

/*
 * Node id of `ebpf`. A module cannot extend lib/command.h's enum node_type,
 * so the node borrows an id that FRR 8.4 declares but nothing installs:
 * RFP_DEFAULTS_NODE is used by no daemon (bgpd's rfapi never creates it) and
 * by no vtysh node, so both zebra's and vtysh's node vectors have that slot
 * free. Its place in the enum also puts the `ebpf` block after the
 * interface blocks in `show running-config`. The plugin-aware vtysh
 * (vtysh/) must use the same id for its side of the node.
 */
#define EBPF_NODE RFP_DEFAULTS_NODE

/* Install the node and the commands. Call once, from frr_late_init. */
extern void dp_vty_init(void);

#endif /* DP_VTY_H */
