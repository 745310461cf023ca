/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The punt maps: address ranges the datapath hands to the kernel.
 */
#ifndef DP_BPF_PUNT_H
#define DP_BPF_PUNT_H

#include "common.h"
#include "maps.h"

/*
 * Ranges the kernel must route: routes that did not fit the FIB (a
 * shorter route in the FIB would otherwise answer for them) and the local
 * table's ranges. They are listed in a punt map, consulted only while it
 * is not empty; when it is full too, the whole family is flagged.
 * Returns the range's reason, or DP_CONTINUE.
 */
static __always_inline enum dp_reason dp_punt_reason(const struct dp_punt *p)
{
	if (!p)
		return DP_CONTINUE;
	/*
	 * The plugin punts with these two reasons only. Naming them as
	 * constants (rather than passing the map's value on) keeps the
	 * verifier from following a value that could read as "forward"
	 * into the forwarding code (6.1 loses the bounds of a checked
	 * copy).
	 */
	return p->reason == DP_R_PASS_LOCAL ? DP_R_PASS_LOCAL
					    : DP_R_PASS_FIB_FULL;
}

static __always_inline enum dp_reason dp_punted4(__u32 flags, __be32 daddr)
{
	struct dp_rt4_key key = { .prefixlen = 32, .addr = daddr };

	if (flags & DP_META_F_FIB4_INCOMPLETE)
		return DP_R_PASS_FIB_FULL;
	if (!(flags & DP_META_F_PUNT4))
		return DP_CONTINUE;
	return dp_punt_reason(bpf_map_lookup_elem(&punt_v4_map, &key));
}

static __always_inline enum dp_reason dp_punted6(__u32 flags,
						 const struct in6_addr *d)
{
	struct dp_rt6_key key = { .prefixlen = 128 };

	if (flags & DP_META_F_FIB6_INCOMPLETE)
		return DP_R_PASS_FIB_FULL;
	if (!(flags & DP_META_F_PUNT6))
		return DP_CONTINUE;
	__builtin_memcpy(key.addr, d, sizeof(key.addr));
	return dp_punt_reason(bpf_map_lookup_elem(&punt_v6_map, &key));
}

#endif /* DP_BPF_PUNT_H */
