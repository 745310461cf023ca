/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin's CLI: the `ebpf` configuration node (dp_vty.c), the
 * `show ebpf ...` and `clear ebpf ...` commands (dp_show.c, dp_show_fib.c)
 * and `debug ebpf` (dp_debug.c).
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

/* Help string of the `ebpf` keyword, in every command that has it. */
#define EBPF_STR "eBPF dataplane\n"

/* Install the node and every command of the plugin. Call once, from
 * frr_late_init. */
extern void dp_vty_init(void);

/* The `debug ebpf` commands (dp_debug.c), installed by dp_vty_init(). */
extern void dp_debug_init(void);

#endif /* DP_VTY_H */
