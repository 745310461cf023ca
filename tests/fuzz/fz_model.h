/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A reference model of what the Linux kernel, acting as the router of
 * fz_config.h with IP forwarding on, does with one frame arriving on one
 * interface: forward it (out of which interface, to which next hop), or
 * not (deliver it locally, drop it, answer with an ICMP error, or forward
 * something other than this frame as it is: fragments, an untagged copy,
 * rewritten options).
 *
 * The model parses the frame from scratch, as the kernel does; it knows
 * nothing of how the frame was generated. Each rule names the kernel
 * function it comes from (fz_model.c). Sysctls are Debian 12's defaults
 * with forwarding on: rp_filter=2 (loose, systemd's 50-default.conf),
 * accept_local=0, route_localnet=0, bc_forwarding=0,
 * accept_source_route=0, drop_unicast_in_l2_multicast=0, mc_forwarding=0,
 * proxy_ndp=0, max_hbh_opts_cnt=8, ioam6_enabled=0; no netfilter
 * (no defragmentation), no xfrm policies, no VLAN devices.
 */
#ifndef FZ_MODEL_H
#define FZ_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "fz_config.h"

enum fz_mv {
	FZ_MV_FWD,	   /* forwards this frame (new L2 header, TTL - 1) */
	FZ_MV_FWD_ALTERED, /* forwards, but not this frame as it is */
	FZ_MV_LOCAL,	   /* delivers it to the router itself */
	FZ_MV_DROP,	   /* drops it */
	FZ_MV_ICMP,	   /* drops it and answers with an ICMP error */
	FZ_MV_MAX,
};

/* Why: the kernel rule that decided (fz_why_name() gives the function). */
enum fz_why {
	FZ_W_FWD,
	FZ_W_RUNT,
	FZ_W_L2_OTHERHOST,
	FZ_W_L2_NOT_HOST,
	FZ_W_VLAN_OTHERHOST,
	FZ_W_VLAN_TRUNC,
	FZ_W_VLAN_PRIO_TAG,
	FZ_W_ARP,
	FZ_W_NON_IP,
	FZ_W4_TRUNC,
	FZ_W4_VERSION_IHL,
	FZ_W4_CSUM,
	FZ_W4_TOT_LEN,
	FZ_W4_DST_MCAST,
	FZ_W4_SRC_MARTIAN,
	FZ_W4_DST_LBCAST,
	FZ_W4_DST_MARTIAN,
	FZ_W4_NO_ROUTE,
	FZ_W4_REJECT_ROUTE,
	FZ_W4_DST_BCAST,
	FZ_W4_DST_LOCAL,
	FZ_W4_SRC_LOCAL,
	FZ_W4_SRC_BCAST,
	FZ_W4_SRC_RPF,
	FZ_W4_SRC_REJECT,
	FZ_W4_OPT_INVALID,
	FZ_W4_OPT_SRR,
	FZ_W4_OPT_REWRITE,
	FZ_W4_TTL,
	FZ_W4_MTU_DF,
	FZ_W4_FRAGMENT,
	FZ_W6_TRUNC,
	FZ_W6_VERSION,
	FZ_W6_LOOPBACK,
	FZ_W6_MC_SCOPE,
	FZ_W6_SRC_MCAST,
	FZ_W6_SRC_V4MAPPED,
	FZ_W6_PAYLOAD_LEN,
	FZ_W6_HBH_BAD,
	FZ_W6_DST_MCAST,
	FZ_W6_DST_LOCAL,
	FZ_W6_DST_ANYCAST,
	FZ_W6_NO_ROUTE,
	FZ_W6_REJECT_ROUTE,
	FZ_W6_SRC_INVALID,
	FZ_W6_SRC_LINK_LOCAL,
	FZ_W6_HOP_LIMIT,
	FZ_W6_TOO_BIG,
	FZ_W_MAX,
};

/* One way the kernel may send the packet (several for ECMP: the kernel's
 * own hash picks one, any of them is right), with the verdict for that
 * path, since the MTU is per path. */
struct fz_nexthop {
	uint32_t ifindex;
	uint8_t resolved; /* the kernel knows the neighbour's MAC */
	uint8_t dmac[6];  /* with resolved */
	uint8_t smac[6];  /* the out interface's MAC */
	enum fz_mv verdict;
	enum fz_why why;
};

struct fz_model_result {
	enum fz_mv verdict; /* FZ_MV_FWD if any next hop forwards */
	enum fz_why why;
	int family;	     /* FZ_AF_INET / FZ_AF_INET6 once IP was found */
	unsigned int l3_off; /* where the IP header starts in the frame */
	unsigned int l3_len; /* the IP packet's length after the kernel trims */
	unsigned int n_nh;
	struct fz_nexthop nh[FZ_MAX_PATHS];
};

void fz_model(const struct fz_config *c, uint32_t ingress, const uint8_t *frame,
	      size_t len, struct fz_model_result *r);

const char *fz_mv_name(enum fz_mv v);
const char *fz_why_name(enum fz_why w);
/* The kernel function the rule comes from. */
const char *fz_why_source(enum fz_why w);

#endif /* FZ_MODEL_H */
