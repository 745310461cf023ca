/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Start of the datapath, at module load: zebra is still root then, and
 * that is the only time the plugin creates or opens pinned objects (see
 * dp_pin.h). Everything after runs with the descriptors opened here and
 * zebra's own privileges.
 *
 * Module arguments, comma-separated (`-M dplane_ebpf:ARG,ARG,...`):
 *   ipv4-routes=N     IPv4 routes the datapath holds (1024-16777216)
 *   ipv6-routes=N     IPv6 routes (1024-4194304)
 *   nexthop-groups=N  nexthop groups (256-1048576)
 *   neighbors=N       ARP and ND entries (256-1048576)
 *   netlink-rcvbuf=N  receive buffer of the plugin's netlink socket,
 *                     bytes (4096-268435456; a small one overruns, and
 *                     every overrun costs a full resync)
 *   pin-dir=PATH      pin directory, on a bpf filesystem
 */
#ifndef DP_BOOT_H
#define DP_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "maps/dp_maps.h"

struct dp_boot_args {
	char pin_dir[256]; /* resolved: the default unless pin-dir= */
	struct dp_map_sizes sizes;
	uint32_t nl_rcvbuf;
};

/*
 * Parse args into a (defaults first). Returns 0, or -EINVAL with a message
 * naming the argument and what is valid in err.
 */
extern int dp_boot_parse_args(const char *args, struct dp_boot_args *a,
			      char *err, size_t errlen);

/* Module load: parse the arguments and bring the datapath up. On failure
 * zebra goes on with kernel forwarding only and dp_boot_error() says why. */
extern void dp_boot(const char *args);

/* Why the datapath is not loaded (NULL when it is). */
extern const char *dp_boot_error(void);

/* The arguments in effect (defaults where none was given). */
extern const struct dp_boot_args *dp_boot_args(void);

#endif /* DP_BOOT_H */
