/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin's CLI: the `ebpf` configuration node (dp_vty.c), the
 * `show ebpf ...` and `clear ebpf ...` commands (dp_show.c, dp_show_fib.c)
 * and `debug ebpf` (dp_debug.c).
 */
#ifndef DP_VTY_H
#define DP_VTY_H

#include "command.h"

/* EBPF_NODE, the nested nodes and EBPF_STR. */
#include "core/dp_nodes.h"

/* Install the node and every command of the plugin. Call once, from
 * frr_late_init. */
extern void dp_vty_init(void);

/* The `debug ebpf` commands (dp_debug.c), installed by dp_vty_init(). */
extern void dp_debug_init(void);

#endif /* DP_VTY_H */
