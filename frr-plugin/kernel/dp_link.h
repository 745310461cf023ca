/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Link state, as the kernel reports it, and the intf_map entry of each
 * configured interface. Owned by the owner (dplane) pthread; the
 * configuration side (fwd/dp_intf.c, main pthread) reaches it by posting,
 * and hears back through dp_link_appeared; what leaves through a link
 * follows its changes through dp_link_changed (core/dp_hooks.h).
 *
 * Every link also has an egress class: what the datapath may do with a
 * packet leaving through it.
 */
#ifndef DP_LINK_H
#define DP_LINK_H

#include <stdbool.h>
#include <stdint.h>

enum dp_egress {
	/* The datapath does not send on it: not plain Ethernet (a tunnel,
	 * a point-to-point device), enslaved (to a bridge, bond or VRF, so
	 * that the kernel would not send on it directly), or not known yet.
	 * Routes through it are the kernel's. */
	DP_EGRESS_KERNEL,
	/* TC redirects an skb to it (the egress qdisc applies): a bridge,
	 * a VXLAN device, a port in mode tc or not in the ebpf node, a veth
	 * whose peer cannot take XDP frames. */
	DP_EGRESS_SKB,
	/* XDP redirects to it: a port in mode xdp whose driver takes XDP
	 * frames (xdp-features NDO_XMIT on kernels that report it). */
	DP_EGRESS_XDP,
};

extern const char *dp_egress_name(enum dp_egress e);

/* What netlink said of a link. */
struct dp_link_info {
	int ifindex;
	const char *name; /* NULL: unchanged */
	const uint8_t *mac; /* NULL: none (not Ethernet) */
	uint32_t mtu;
	bool up;	  /* administratively up and running */
	uint16_t type;	  /* ARPHRD_* */
	int master;	  /* enslaving device, 0 if none */
};

/* Owner thread, from the netlink listener. */
extern void dp_link_update(const struct dp_link_info *info);
extern void dp_link_delete(int ifindex);

/*
 * Owner thread, from the xdp-features listener: whether the driver
 * accepts redirected XDP frames (known: the kernel reports xdp-features,
 * 6.3 and later; before that, native XDP attached is taken as yes).
 */
extern void dp_link_xdp_features(int ifindex, bool known, bool ndo_xmit);

/*
 * Owner thread, from the netlink listener: an IPv4 rp_filter setting
 * (ifindex -1: conf/all). The datapath applies the larger of the two, as
 * the kernel does.
 */
extern void dp_link_rp_filter(int ifindex, int value);

/* Main thread: configuration flags (DP_INTF_F_ENABLED|XDP|TC, 0: not
 * configured) of an interface, applied on the owner thread. */
extern void dp_link_post_cfg(int ifindex, uint16_t flags);

/* Owner thread: what the kernel last said about a link. False if the
 * link is unknown. */
extern bool dp_link_get(int ifindex, uint8_t mac[6], uint32_t *mtu, bool *up);
extern enum dp_egress dp_link_egress(int ifindex);

/*
 * Owner thread: ask the kernel whether a link we believe up is down; if
 * so, apply that now (groups rewritten without its paths).
 */
extern bool dp_link_probe_down(int ifindex);

/* Owner thread: a netlink resync starts / ended (mark and sweep). */
extern void dp_link_mark_all(void);
extern void dp_link_sweep(void);

#endif /* DP_LINK_H */
