/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4 FIB: longest-prefix lookup in rt_v4_map, and the address classes
 * that never reach the FIB because the kernel treats them specially.
 */
#ifndef DP_BPF_FIB4_H
#define DP_BPF_FIB4_H

#include "common.h"
#include "maps.h"

static __always_inline const struct dp_rt_val *dp_fib4_lookup(__be32 daddr)
{
	struct dp_rt4_key key = {.prefixlen = 32, .addr = daddr};

	return bpf_map_lookup_elem(&rt_v4_map, &key);
}

/* First octet of an address in network byte order. */
static __always_inline __u8 dp_ipv4_octet0(__be32 addr)
{
	return ((const __u8 *)&addr)[0];
}

/*
 * Addresses the kernel refuses on input (ip_route_input_slow's "martian"
 * checks): source multicast, limited broadcast, 0/8 or loopback;
 * destination 0/8 or loopback. It drops such packets; so must we.
 */
static __always_inline bool dp_ipv4_martian(__be32 saddr, __be32 daddr)
{
	__u8 s0 = dp_ipv4_octet0(saddr), d0 = dp_ipv4_octet0(daddr);

	return (s0 & 0xf0) == 0xe0 || saddr == 0xffffffff || s0 == 0 ||
	       s0 == 127 || d0 == 0 || d0 == 127;
}

/*
 * Destinations that are not routed unicast: multicast (224/4), limited
 * broadcast and link-local (169.254/16, never forwarded, RFC 3927).
 */
static __always_inline bool dp_ipv4_not_unicast(__be32 daddr)
{
	const __u8 *d = (const __u8 *)&daddr;

	return (d[0] & 0xf0) == 0xe0 || daddr == 0xffffffff ||
	       (d[0] == 169 && d[1] == 254);
}

#endif /* DP_BPF_FIB4_H */
