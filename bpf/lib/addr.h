/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Addresses the kernel never forwards from or to, tested before any route
 * is looked up, in the order the kernel tests them: ip_rcv_core() and
 * ip_route_input_slow() for IPv4, ip6_rcv_core() and ip6_forward() for
 * IPv6. Each such packet goes to the kernel under its own reason, so that
 * what the datapath declines reads as what the kernel does with it.
 */
#ifndef DP_BPF_ADDR_H
#define DP_BPF_ADDR_H

#include "common.h"
#include "maps.h"

#define DP_IPV4_LBCAST 0xffffffff

/* First octet of an address in network byte order. */
static __always_inline __u8 dp_ipv4_octet0(__be32 addr)
{
	return ((const __u8 *)&addr)[0];
}

static __always_inline bool dp_ipv4_is_multicast(__be32 addr)
{
	return (dp_ipv4_octet0(addr) & 0xf0) == 0xe0;
}

/* 0/8 and 127/8: ip_route_input_slow's zeronet and loopback martians. */
static __always_inline bool dp_ipv4_is_zero_or_loop(__be32 addr)
{
	__u8 o = dp_ipv4_octet0(addr);

	return o == 0 || o == 127;
}

/* 169.254/16: never to be forwarded (RFC 3927); the kernel decides. */
static __always_inline bool dp_ipv4_is_link_local(__be32 addr)
{
	const __u8 *a = (const __u8 *)&addr;

	return a[0] == 169 && a[1] == 254;
}

static __always_inline enum dp_reason dp_addr4_check(const struct iphdr *ip4,
						     __u32 flags)
{
	__be32 saddr = ip4->saddr, daddr = ip4->daddr;

	if (dp_ipv4_is_multicast(saddr) || saddr == DP_IPV4_LBCAST)
		return DP_R_PASS_MARTIAN;
	if (daddr == DP_IPV4_LBCAST)
		return DP_R_PASS_BCAST;
	if (dp_ipv4_is_zero_or_loop(saddr) || dp_ipv4_is_zero_or_loop(daddr))
		return DP_R_PASS_MARTIAN;
	if (dp_ipv4_is_multicast(daddr))
		return DP_R_PASS_MCAST;
	if (dp_ipv4_is_link_local(saddr) || dp_ipv4_is_link_local(daddr))
		return DP_R_PASS_LINK_LOCAL;
	/*
	 * One of the router's own addresses, or a broadcast address of one
	 * of its subnets, as the source: fib_validate_source() refuses both
	 * (the first always, the second under rp_filter).
	 */
	if (flags & DP_META_F_ADDR4_INCOMPLETE)
		return DP_R_PASS_FIB_FULL;
	if (bpf_map_lookup_elem(&addr4_map, &saddr))
		return DP_R_PASS_MARTIAN;
	return DP_CONTINUE;
}

static __always_inline bool dp_ipv6_is_multicast(const struct in6_addr *a)
{
	return a->in6_u.u6_addr8[0] == 0xff;
}

static __always_inline bool dp_ipv6_is_loopback(const struct in6_addr *a)
{
	return (a->in6_u.u6_addr32[0] | a->in6_u.u6_addr32[1] |
		a->in6_u.u6_addr32[2]) == 0 &&
	       a->in6_u.u6_addr32[3] == bpf_htonl(1);
}

static __always_inline bool dp_ipv6_is_unspecified(const struct in6_addr *a)
{
	return (a->in6_u.u6_addr32[0] | a->in6_u.u6_addr32[1] |
		a->in6_u.u6_addr32[2] | a->in6_u.u6_addr32[3]) == 0;
}

/* ::ffff:0:0/96, which must never appear on the wire (RFC 4291 2.5.5.2). */
static __always_inline bool dp_ipv6_is_v4mapped(const struct in6_addr *a)
{
	return (a->in6_u.u6_addr32[0] | a->in6_u.u6_addr32[1]) == 0 &&
	       a->in6_u.u6_addr32[2] == bpf_htonl(0xffff);
}

static __always_inline bool dp_ipv6_is_link_local(const struct in6_addr *a)
{
	return a->in6_u.u6_addr8[0] == 0xfe &&
	       (a->in6_u.u6_addr8[1] & 0xc0) == 0x80;
}

static __always_inline enum dp_reason
dp_addr6_check(const struct ipv6hdr *ip6)
{
	const struct in6_addr *s = &ip6->saddr, *d = &ip6->daddr;

	/* ip6_rcv_core() */
	if (dp_ipv6_is_multicast(s) || dp_ipv6_is_loopback(s) ||
	    dp_ipv6_is_loopback(d) || dp_ipv6_is_v4mapped(s))
		return DP_R_PASS_MARTIAN;
	if (dp_ipv6_is_multicast(d))
		return DP_R_PASS_MCAST;
	/* ip6_forward(): "this check is security critical" */
	if (dp_ipv6_is_unspecified(s) || dp_ipv6_is_unspecified(d))
		return DP_R_PASS_MARTIAN;
	if (dp_ipv6_is_link_local(s) || dp_ipv6_is_link_local(d))
		return DP_R_PASS_LINK_LOCAL;
	return DP_CONTINUE;
}

#endif /* DP_BPF_ADDR_H */
