/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every stage of the datapath includes: kernel types (CO-RE vmlinux.h),
 * libbpf's helper declarations, the map ABI, and the few protocol constants
 * that vmlinux.h cannot carry because the kernel defines them as macros.
 */
#ifndef DP_BPF_COMMON_H
#define DP_BPF_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "dp_abi.h"

/*
 * Stages return an enum dp_reason when they have decided the packet's fate,
 * or DP_CONTINUE to let the next stage look at it. DP_R_MAX is never a
 * counted reason, so it can double as this marker.
 */
#define DP_CONTINUE DP_R_MAX

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_IPV6 0x86DD

#define DP_AF_INET 2
#define DP_AF_INET6 10

#define DP_IP_MF 0x2000	    /* IPv4 "more fragments" */
#define DP_IP_OFFSET 0x1FFF /* IPv4 fragment offset */

#define DP_IPPROTO_HOPOPTS 0 /* IPv6 hop-by-hop options header */
#define DP_IPPROTO_ICMPV6 58

/* ICMPv6 neighbour discovery: router sol/adv, neighbour sol/adv, redirect. */
#define DP_ICMPV6_ND_FIRST 133
#define DP_ICMPV6_ND_LAST 137

#define TC_ACT_UNSPEC (-1)
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define TC_ACT_REDIRECT 7

/*
 * The entry functions start with DP_BUILD_MARK(). Empty, except in the
 * second build of the module that the restart topotest upgrades to
 * (DP_BUILD_VARIANT, frr-plugin/subdir.am): there one instruction more,
 * so that its programs differ from this build's and do the same.
 */
#ifdef DP_BUILD_VARIANT
#define DP_BUILD_MARK() asm volatile("r0 = 0" ::: "r0")
#else
#define DP_BUILD_MARK() do { } while (0)
#endif

#endif /* DP_BPF_COMMON_H */
