/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The show and clear commands (dp_show.c, dp_show_fib.c) and the output
 * helpers they share.
 */
#ifndef DP_SHOW_H
#define DP_SHOW_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/prefix.h"
#include "lib/vty.h"

#include "maps/dp_maps.h"

/* Install the commands; dp_vty_init() calls both. */
extern void dp_show_init(void);
extern void dp_show_fib_init(void);

/* The answer of a command that needs the maps when they are not loaded. */
extern int dp_show_not_loaded(struct vty *vty, bool uj);
/*
 * The answer to an argument the grammar let through but the command cannot
 * take (printf-style message saying what is valid): "% message", or with
 * json {"error": "message"}, so that `... json` output always parses.
 * Returns CMD_WARNING.
 */
extern int dp_show_bad_input(struct vty *vty, bool uj, const char *fmt, ...)
	PRINTFRR(3, 4);
/* The answer of a command that could not read a map (err: -errno). */
extern int dp_show_map_error(struct vty *vty, enum dp_map_id id, long err);

extern const char *dp_ifname(uint32_t ifindex);
/* A 6-byte MAC in the ABI's layout, for printfrr's %pEA. */
extern const struct ethaddr *dp_mac(const uint8_t *mac);

#endif /* DP_SHOW_H */
