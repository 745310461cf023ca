/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv6 FIB: longest-prefix lookup in rt_v6_map, and the address classes
 * the kernel treats specially.
 */
#ifndef DP_BPF_FIB6_H
#define DP_BPF_FIB6_H

#include "common.h"
#include "maps.h"

static __always_inline const struct dp_rt_val *
dp_fib6_lookup(const struct in6_addr *daddr)
{
	struct dp_rt6_key key = {.prefixlen = 128};

	__builtin_memcpy(key.addr, daddr, sizeof(key.addr));
	return bpf_map_lookup_elem(&rt_v6_map, &key);
}

static __always_inline bool dp_ipv6_is_loopback(const struct in6_addr *a)
{
	return (a->in6_u.u6_addr32[0] | a->in6_u.u6_addr32[1] |
		a->in6_u.u6_addr32[2]) == 0 &&
	       a->in6_u.u6_addr32[3] == bpf_htonl(1);
}

/* fe80::/10 */
static __always_inline bool dp_ipv6_is_link_local(const struct in6_addr *a)
{
	return a->in6_u.u6_addr8[0] == 0xfe &&
	       (a->in6_u.u6_addr8[1] & 0xc0) == 0x80;
}

/*
 * What ip6_rcv_core drops on input: a multicast source, or the loopback
 * address as source or destination arriving on a real interface.
 */
static __always_inline bool dp_ipv6_martian(const struct ipv6hdr *ip6)
{
	return ip6->saddr.in6_u.u6_addr8[0] == 0xff ||
	       dp_ipv6_is_loopback(&ip6->saddr) ||
	       dp_ipv6_is_loopback(&ip6->daddr);
}

/*
 * Not routed unicast: multicast destinations, and link-local addresses on
 * either side (ip6_forward answers those with "beyond scope").
 */
static __always_inline bool dp_ipv6_not_unicast(const struct ipv6hdr *ip6)
{
	return ip6->daddr.in6_u.u6_addr8[0] == 0xff ||
	       dp_ipv6_is_link_local(&ip6->daddr) ||
	       dp_ipv6_is_link_local(&ip6->saddr);
}

#endif /* DP_BPF_FIB6_H */
