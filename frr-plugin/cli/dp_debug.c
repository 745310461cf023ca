/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `debug ebpf`: turns on the plugin's debug logs (dp_dbg()).
 *
 * As FRR's own debug commands built on lib/debug.h: entered in configuration
 * mode it is part of the configuration (written by `show running-config`
 * and `write memory`), entered in enable mode it lasts until zebra stops;
 * `no debug ebpf` clears the mode of the node it is entered in.
 * `[no] debug all` on zebra's own vty includes it (8.4's vtysh does not
 * forward `debug all` to any daemon).
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/debug.h"
#include "lib/hook.h"
#include "lib/northbound.h"
#include "lib/vty.h"
#include "zebra/debug.h"

#include "core/dp_plugin.h"
#include "cli/dp_vty.h"
#ifndef VTYSH_EXTRACT_PL
#include "cli/dp_debug_clippy.c"
#endif

/* What dp_dbg() tests: on in any mode. */
bool dp_debug;

/* The modes debugging is on in (DEBUG_MODE_TERM, DEBUG_MODE_CONF). */
static struct debug dp_debug_modes = {.desc = "eBPF dataplane"};

static void dp_debug_update(void)
{
	dp_debug = DEBUG_MODE_CHECK(&dp_debug_modes, DEBUG_MODE_ALL);
}

DEFPY(debug_ebpf, debug_ebpf_cmd,
      "[no] debug ebpf",
      NO_STR
      DEBUG_STR
      EBPF_STR)
{
	DEBUG_MODE_SET(&dp_debug_modes, DEBUG_NODE2MODE(vty->node), !no);
	dp_debug_update();
	return CMD_SUCCESS;
}

/* `debug all` / `no debug all` (lib/debug.c) */
static void dp_debug_set_all(uint32_t flags, bool set)
{
	DEBUG_FLAGS_SET(&dp_debug_modes, flags, set);
	dp_debug_update();
}

static struct debug_callbacks dp_debug_callbacks = {
	.debug_set_all = dp_debug_set_all,
};

/*
 * zebra's own debug lines come from its DEBUG_NODE writer, which calls no
 * hook; the northbound debug writer, present in every daemon, calls
 * nb_client_debug_config_write for modules' debug lines (pathd's PCEP
 * module uses it too). vtysh files the line under "debug" either way.
 */
static int dp_debug_config_write(struct vty *vty)
{
	if (!DEBUG_MODE_CHECK(&dp_debug_modes, DEBUG_MODE_CONF))
		return 0;
	vty_out(vty, "debug ebpf\n");
	return 1;
}

/* A line of zebra's `show debugging`. */
static int dp_debug_show(struct vty *vty)
{
	if (dp_debug)
		vty_out(vty, "  eBPF dataplane debugging is on\n");
	return 0;
}

void dp_debug_init(void)
{
	debug_init(&dp_debug_callbacks);
	hook_register(nb_client_debug_config_write, dp_debug_config_write);
	hook_register(zebra_debug_show_debugging, dp_debug_show);

	install_element(ENABLE_NODE, &debug_ebpf_cmd);
	install_element(CONFIG_NODE, &debug_ebpf_cmd);
}
