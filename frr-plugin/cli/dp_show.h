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

#include "maps/dp_mapdump.h"
#include "maps/dp_maps.h"

/* Install the commands; dp_vty_init() calls both. */
extern void dp_show_init(void);
extern void dp_show_fib_init(void);

/* dp_show_not_loaded(), dp_show_bad_input(), dp_show_map_error():
 * maps/dp_mapdump.h, shared with lb/, nat/ and ct/. */
extern const char *dp_ifname(uint32_t ifindex);
/* A 6-byte MAC in the ABI's layout, for printfrr's %pEA. */
extern const struct ethaddr *dp_mac(const uint8_t *mac);

/* What show ebpf statistics calls a reason (enum dp_reason). */
extern const char *dp_reason_text(uint32_t reason);

#endif /* DP_SHOW_H */
