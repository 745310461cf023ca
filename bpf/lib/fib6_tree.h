/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fixed tree that IPv6 binary search on prefix lengths walks, shared
 * by the datapath (fib6.h searches it) and the plugin (dp_fib6.c places
 * markers on it), so that both always agree on every search path.
 *
 * The root is /64; below a length the children are at -/+ 32, 16, 8, 4,
 * 2, 1 (the odd lengths are the leaves at depth 7), and /0 hangs below
 * /1, /128 below /127. Every length 0..128 is on it exactly once, so a
 * search probes at most DP_FIB6_PROBES lengths; the common /32, /48 and
 * /64 are found in three probes or fewer.
 */
#ifndef DP_FIB6_TREE_H
#define DP_FIB6_TREE_H

#ifndef __bpf__
#include <stdbool.h>
#include <linux/types.h>
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#endif

#define DP_FIB6_PROBES	  8
#define DP_FIB6_ROOT_LEN  64
#define DP_FIB6_ROOT_STEP 32

/*
 * Move from the length just probed to its longer or shorter child; false
 * when there is none (the search ends). Start with DP_FIB6_ROOT_LEN and
 * DP_FIB6_ROOT_STEP.
 */
static __always_inline bool dp_fib6_tree_next(__u32 *len, __u32 *step,
					      bool longer)
{
	if (*step) {
		*len = longer ? *len + *step : *len - *step;
		*step >>= 1;
		return true;
	}
	if (*len == 1 && !longer) {
		*len = 0;
		return true;
	}
	if (*len == 127 && longer) {
		*len = 128;
		return true;
	}
	return false;
}

#endif /* DP_FIB6_TREE_H */
