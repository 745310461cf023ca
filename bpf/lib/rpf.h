/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reverse-path filter, IPv4 (the kernel has none for IPv6): what
 * fib_validate_source() asks of a packet it forwards when the ingress
 * interface has rp_filter on. Loose (2): the source must be reachable by
 * a unicast route. Strict (1): through the interface the packet came in
 * on. A source the datapath cannot judge (its range punted, a route whose
 * nexthops it does not model) goes to the kernel, which can.
 */
#ifndef DP_BPF_RPF_H
#define DP_BPF_RPF_H

#include "common.h"
#include "fib4.h"
#include "maps.h"
#include "punt.h"

/*
 * Does a path of group nhg_id leave through ifindex (1), or not, or does
 * the datapath not know the group's paths (0)? A global function: the
 * verifier walks its loop over the paths once, not once per path of the
 * program that reaches it (in dp_tc_ct4, most of its walk).
 */
__attribute__((noinline)) int dp_rpf_group_has(__u32 nhg_id, __u32 ifindex)
{
	const struct dp_nhg *nhg = bpf_map_lookup_elem(&nh_map, &nhg_id);
	__u32 i;

	if (!nhg || (nhg->flags & DP_NHG_F_KERNEL))
		return 0;
	for (i = 0; i < DP_NHG_MAX_PATHS; i++) {
		if (i >= nhg->n_paths)
			break;
		if (nhg->paths[i].ifindex == ifindex)
			return 1;
	}
	return 0;
}

/* The verifier knows nothing of a global function's result: the reason
 * is made here, one of two constants. */
static __always_inline enum dp_reason dp_rpf_group(__u32 nhg_id,
						   __u32 ifindex)
{
	return dp_rpf_group_has(nhg_id, ifindex) ? DP_CONTINUE
						 : DP_R_PASS_RPF;
}

static __always_inline enum dp_reason
dp_rpf4(__be32 saddr, const struct dp_intf *intf, __u32 in_ifindex,
	__u32 flags)
{
	bool strict = intf->flags & DP_INTF_F_RPF_STRICT;
	const struct dp_rt_val *rt;

	if (!(intf->flags & (DP_INTF_F_RPF_LOOSE | DP_INTF_F_RPF_STRICT)))
		return DP_CONTINUE;
	if (dp_punted4(flags, saddr) != DP_CONTINUE)
		return DP_R_PASS_RPF;
	rt = dp_fib4_lookup(saddr);
	if (!rt)
		return DP_R_PASS_RPF;
	switch (rt->type) {
	case DP_RT_NHG:
		return strict ? dp_rpf_group(rt->nhg_id, in_ifindex)
			      : DP_CONTINUE;
	case DP_RT_CONNECTED:
		return !strict || rt->ifindex == in_ifindex ? DP_CONTINUE
							    : DP_R_PASS_RPF;
	case DP_RT_KERNEL:
		return strict ? DP_R_PASS_RPF : DP_CONTINUE;
	default:
		/* local, broadcast, blackhole, unreachable, prohibit */
		return DP_R_PASS_RPF;
	}
}

#endif /* DP_BPF_RPF_H */
