/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the fuzz's router configuration (fz_config.h) into the datapath's
 * maps, as the plugin would: intf_map per interface, dmac_map per resolved
 * neighbour (with the out interface's own MAC and MTU), nh_map per group
 * (pre-resolved paths), and the FIB through the plugin's dp_fib code:
 * connected and local routes from the addresses, then zebra's routes.
 */
#ifndef FZ_SETUP_H
#define FZ_SETUP_H

#include "dp_harness.h"
#include "fz_config.h"

void fz_setup(struct harness *h, const struct fz_config *c);

#endif /* FZ_SETUP_H */
