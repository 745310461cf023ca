/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pin directory of one zebra instance: where the datapath's maps live
 * across zebra restarts. Only root may reach it: a process running as
 * user frr (bgpd, or zebra itself once it has dropped privileges) could
 * otherwise open a pin and rewrite the datapath, since on recent kernels
 * nothing but file permissions guards an opened pin. zebra opens the
 * directory and every map while it is still root, at module load, and
 * keeps the descriptors; a lock on the directory keeps a second zebra
 * from sharing it.
 */
#ifndef DP_PIN_H
#define DP_PIN_H

#include <stddef.h>

/*
 * The default pin directory of this zebra: DP_PIN_ROOT, or DP_PIN_ROOT
 * "-" PATHSPACE when zebra runs with -N PATHSPACE.
 */
extern void dp_pin_default_dir(char *buf, size_t len);

/*
 * As root: mount bpffs on /sys/fs/bpf if it is not, create the directory
 * (and its parents) owned by root with mode 0700, make what an earlier
 * run left there root-only too, and lock the directory for this process.
 * Returns 0, or -errno with a message for the log in err (-EBUSY: another
 * zebra holds the lock).
 */
extern int dp_pin_dir_claim(const char *dir, char *err, size_t errlen);

#endif /* DP_PIN_H */
