// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The plugin's netlink listener and the one place where a kernel neighbour
 * becomes a dmac_map entry. Links and addresses read on the same socket are
 * handed to the interface and route code.
 *
 * Subscribe first, then dump on a second socket: an event that races the
 * dump is applied after it, and the kernel's next event for that entry
 * corrects any reordering. A receive overrun (ENOBUFS) loses events, so it
 * triggers a full re-dump.
 */

#include "config.h"

#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>

#include <bpf/bpf.h>

#include "lib/zebra.h"
#include "lib/prefix.h"
#include "lib/nexthop.h"
#include "lib/typesafe.h"
#include "lib/jhash.h"
#include "lib/memory.h"
#include "lib/thread.h"

#include "dp_abi.h"
#include "dp_maps.h"
#include "dp_intf.h"
#include "dp_neigh.h"
#include "dp_nhg.h"
#include "dp_route.h"
#include "dp_stats.h"
#include "dp_sync.h"
#include "dp_plugin.h"

DEFINE_MTYPE_STATIC(EBPF, EBPF_NEIGH, "eBPF neighbour mirror");

#define DP_NL_RCVBUF	 (8 * 1024 * 1024)
#define DP_NL_BUF	 65536
#define DP_NL_BATCH	 256 /* messages per read callback, then yield */

/* Neighbour states in which the kernel itself would send to the MAC. */
#define DP_NUD_USABLE                                                          \
	(NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT |   \
	 NUD_NOARP)

PREDECL_HASH(dp_neighs);

struct dp_neigh {
	struct dp_neighs_item item;
	struct dp_neigh_key key;
	struct dp_neigh_val val;
};

static int dp_neigh_cmp(const struct dp_neigh *a, const struct dp_neigh *b)
{
	return memcmp(&a->key, &b->key, sizeof(a->key));
}

static uint32_t dp_neigh_hash(const struct dp_neigh *n)
{
	return jhash(&n->key, sizeof(n->key), 0x6e6569);
}

DECLARE_HASH(dp_neighs, struct dp_neigh, item, dp_neigh_cmp, dp_neigh_hash);

static struct {
	struct dp_neighs_head neighs;
	int fd;
	struct thread *t_read;
	struct thread *t_resync;
	struct thread_master *master;
	uint8_t buf[DP_NL_BUF];
} dp_nl = { .neighs = INIT_HASH(dp_nl.neighs), .fd = -1 };

uint32_t dp_neigh_count(void)
{
	return dp_neighs_count(&dp_nl.neighs);
}

static void dp_neigh_key_make(struct dp_neigh_key *key, int ifindex,
			      int family, const void *addr)
{
	memset(key, 0, sizeof(*key));
	key->ifindex = ifindex;
	key->family = family;
	memcpy(key->addr, addr, family == AF_INET ? 4 : 16);
}

bool dp_neigh_lookup(int ifindex, int family, const union g_addr *addr,
		     uint8_t mac[6])
{
	struct dp_neigh lookup, *n;

	dp_neigh_key_make(&lookup.key, ifindex, family, addr);
	n = dp_neighs_find(&dp_nl.neighs, &lookup);
	if (!n)
		return false;
	memcpy(mac, n->val.dmac, 6);
	return true;
}

static int dp_neigh_write(struct dp_neigh *n)
{
	uint32_t mtu = 0;
	bool up;

	if (!dp_maps_ready())
		return 0;
	dp_intf_link_get(n->key.ifindex, n->val.smac, &mtu, &up);
	n->val.mtu = mtu > UINT16_MAX ? UINT16_MAX : mtu;
	if (bpf_map_update_elem(dp_map_fd(DP_MAP_DMAC), &n->key, &n->val,
				BPF_ANY)) {
		DP_STAT_INC(neigh_fail);
		zlog_warn("ebpf: cannot write dmac_map entry (ifindex %u): %s; the kernel keeps forwarding to it",
			  n->key.ifindex, safe_strerror(errno));
		return -errno;
	}
	dp_sync_touch(DP_MAP_DMAC, &n->key);
	DP_STAT_INC(neigh_add);
	return 0;
}

static void dp_neigh_set(int ifindex, int family, const void *addr,
			 const uint8_t *mac, uint16_t state)
{
	struct dp_neigh lookup, *n;
	bool changed;

	dp_neigh_key_make(&lookup.key, ifindex, family, addr);
	n = dp_neighs_find(&dp_nl.neighs, &lookup);
	if (!n) {
		n = XCALLOC(MTYPE_EBPF_NEIGH, sizeof(*n));
		n->key = lookup.key;
		dp_neighs_add(&dp_nl.neighs, n);
		changed = true;
	} else {
		changed = memcmp(n->val.dmac, mac, 6) != 0;
	}
	memcpy(n->val.dmac, mac, 6);
	n->val.state = state;
	dp_neigh_write(n);
	if (changed)
		dp_nhg_neigh_changed(ifindex, family, addr);
}

/* Drop one entry from the table and dmac_map; the groups are the
 * caller's business. */
static void dp_neigh_remove(struct dp_neigh *n)
{
	if (dp_maps_ready() &&
	    bpf_map_delete_elem(dp_map_fd(DP_MAP_DMAC), &n->key) == 0)
		DP_STAT_INC(neigh_del);
	dp_neighs_del(&dp_nl.neighs, n);
	XFREE(MTYPE_EBPF_NEIGH, n);
}

static void dp_neigh_del(int ifindex, int family, const void *addr)
{
	struct dp_neigh lookup, *n;

	/* addr may point into the entry freed below: use the copy. */
	dp_neigh_key_make(&lookup.key, ifindex, family, addr);
	n = dp_neighs_find(&dp_nl.neighs, &lookup);
	if (!n)
		return;
	dp_neigh_remove(n);
	/* A neighbour flushed by a link going down: handle the link now,
	 * which rewrites its groups once. */
	if (!dp_intf_link_probe_down(ifindex))
		dp_nhg_neigh_changed(ifindex, family,
				     (const union g_addr *)lookup.key.addr);
}

void dp_neigh_sync_all(void)
{
	struct dp_neigh *n;

	frr_each (dp_neighs, &dp_nl.neighs, n)
		dp_neigh_write(n);
}

void dp_neigh_intf_changed(int ifindex)
{
	struct dp_neigh *n;

	frr_each (dp_neighs, &dp_nl.neighs, n)
		if (n->key.ifindex == (uint32_t)ifindex)
			dp_neigh_write(n);
}

/* The link is gone: its neighbours go without touching the groups, which
 * the link's removal rewrites once (dp_intf_link_delete). */
static void dp_neigh_flush_intf(int ifindex)
{
	struct dp_neigh *n;

	frr_each_safe (dp_neighs, &dp_nl.neighs, n)
		if (n->key.ifindex == (uint32_t)ifindex)
			dp_neigh_remove(n);
}

/* ------------------------------------------------------ message parsing */

static void dp_nl_parse_attrs(struct rtattr **tb, int max, struct rtattr *rta,
			      int len)
{
	memset(tb, 0, sizeof(struct rtattr *) * (max + 1));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type <= max)
			tb[rta->rta_type] = rta;
}

static void dp_nl_neigh(struct nlmsghdr *h)
{
	struct ndmsg *ndm = NLMSG_DATA(h);
	struct rtattr *tb[NDA_MAX + 1];
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*ndm));
	size_t alen;

	if (len < 0 || (ndm->ndm_family != AF_INET &&
			ndm->ndm_family != AF_INET6))
		return;
	dp_nl_parse_attrs(tb, NDA_MAX, RTM_RTA(ndm), len);
	if (!tb[NDA_DST])
		return;
	alen = ndm->ndm_family == AF_INET ? 4 : 16;
	if (RTA_PAYLOAD(tb[NDA_DST]) != alen)
		return;
	/* Multicast "neighbours" (NOARP entries) are never a unicast
	 * nexthop; the datapath passes multicast destinations anyway. */
	if (ndm->ndm_family == AF_INET
		    ? IN_MULTICAST(ntohl(*(uint32_t *)RTA_DATA(tb[NDA_DST])))
		    : IN6_IS_ADDR_MULTICAST((struct in6_addr *)RTA_DATA(
			      tb[NDA_DST])))
		return;

	if (h->nlmsg_type == RTM_NEWNEIGH &&
	    (ndm->ndm_state & DP_NUD_USABLE) && tb[NDA_LLADDR] &&
	    RTA_PAYLOAD(tb[NDA_LLADDR]) == 6)
		dp_neigh_set(ndm->ndm_ifindex, ndm->ndm_family,
			     RTA_DATA(tb[NDA_DST]), RTA_DATA(tb[NDA_LLADDR]),
			     ndm->ndm_state);
	else
		dp_neigh_del(ndm->ndm_ifindex, ndm->ndm_family,
			     RTA_DATA(tb[NDA_DST]));
}

static void dp_nl_link(struct nlmsghdr *h)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *tb[IFLA_MAX + 1];
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	const uint8_t *mac = NULL;
	const char *name = NULL;
	uint32_t mtu = 0;
	bool up;

	if (len < 0)
		return;
	if (h->nlmsg_type == RTM_DELLINK) {
		dp_neigh_flush_intf(ifi->ifi_index);
		dp_intf_link_delete(ifi->ifi_index);
		return;
	}
	dp_nl_parse_attrs(tb, IFLA_MAX, IFLA_RTA(ifi), len);
	if (tb[IFLA_IFNAME])
		name = RTA_DATA(tb[IFLA_IFNAME]);
	if (tb[IFLA_ADDRESS] && RTA_PAYLOAD(tb[IFLA_ADDRESS]) == 6)
		mac = RTA_DATA(tb[IFLA_ADDRESS]);
	if (tb[IFLA_MTU] && RTA_PAYLOAD(tb[IFLA_MTU]) >= 4)
		mtu = *(uint32_t *)RTA_DATA(tb[IFLA_MTU]);
	up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
	dp_intf_link_update(ifi->ifi_index, name, mac, mtu, up);
}

static void dp_nl_addr(struct nlmsghdr *h)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *tb[IFA_MAX + 1];
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa));
	struct rtattr *a;
	union g_addr addr = {};
	size_t alen;

	if (len < 0 || (ifa->ifa_family != AF_INET &&
			ifa->ifa_family != AF_INET6))
		return;
	dp_nl_parse_attrs(tb, IFA_MAX, IFA_RTA(ifa), len);
	/* IPv4: IFA_LOCAL is ours (IFA_ADDRESS is the peer on p2p links). */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	alen = ifa->ifa_family == AF_INET ? 4 : 16;
	if (!a || RTA_PAYLOAD(a) != alen)
		return;
	memcpy(&addr, RTA_DATA(a), alen);
	dp_route_local_update(ifa->ifa_family, &addr,
			      h->nlmsg_type == RTM_NEWADDR);
}

static void dp_nl_dispatch(struct nlmsghdr *h)
{
	DP_STAT_INC(nl_events);
	switch (h->nlmsg_type) {
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		dp_nl_neigh(h);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		dp_nl_link(h);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		dp_nl_addr(h);
		break;
	default:
		break;
	}
}

/* Handle one datagram's messages; returns true at the end of a dump. */
static bool dp_nl_handle(uint8_t *buf, int len)
{
	struct nlmsghdr *h;

	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned int)len);
	     h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return true;
		if (h->nlmsg_type == NLMSG_ERROR) {
			DP_STAT_INC(nl_errors);
			return true;
		}
		dp_nl_dispatch(h);
	}
	return false;
}

/* ------------------------------------------------------------ the dumps */

static int dp_nl_dump_one(int fd, int type, int family)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req = {
		.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtgenmsg)),
		.h.nlmsg_type = type,
		.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.h.nlmsg_seq = type,
		.g.rtgen_family = family,
	};
	int len;

	if (send(fd, &req, req.h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		len = recv(fd, dp_nl.buf, sizeof(dp_nl.buf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (dp_nl_handle(dp_nl.buf, len))
			return 0;
	}
}

/* Links first (neighbours need their interface's MAC), then addresses,
 * then neighbours. */
static void dp_nl_dump_all(void)
{
	static const int dumps[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETNEIGH };
	size_t i;
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		zlog_err("ebpf: netlink dump socket: %s", safe_strerror(errno));
		return;
	}
	for (i = 0; i < array_size(dumps); i++) {
		ret = dp_nl_dump_one(fd, dumps[i], AF_UNSPEC);
		if (ret)
			zlog_warn("ebpf: netlink dump %d failed: %s", dumps[i],
				  safe_strerror(-ret));
	}
	close(fd);
	DP_STAT_INC(resyncs);
}

static void dp_nl_read(struct thread *t);

static void dp_nl_resync(struct thread *t)
{
	frr_with_privs (dp_privs())
		dp_nl_dump_all();
}

static void dp_nl_read(struct thread *t)
{
	int i, len;

	frr_with_privs (dp_privs()) {
		for (i = 0; i < DP_NL_BATCH; i++) {
			len = recv(dp_nl.fd, dp_nl.buf, sizeof(dp_nl.buf),
				   MSG_DONTWAIT);
			if (len < 0) {
				if (errno == ENOBUFS) {
					/* Events were lost: state is only
					 * trustworthy after a full dump. */
					DP_STAT_INC(nl_errors);
					zlog_warn("ebpf: netlink overrun, resynchronising");
					thread_add_event(dp_nl.master,
							 dp_nl_resync, NULL, 0,
							 &dp_nl.t_resync);
					continue;
				}
				break;
			}
			dp_nl_handle(dp_nl.buf, len);
		}
	}
	thread_add_read(dp_nl.master, dp_nl_read, NULL, dp_nl.fd,
			&dp_nl.t_read);
}

void dp_neigh_start(struct thread_master *master)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR |
			     RTMGRP_IPV6_IFADDR,
	};
	int rcvbuf = DP_NL_RCVBUF;

	dp_nl.master = master;
	dp_nl.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			  NETLINK_ROUTE);
	if (dp_nl.fd < 0) {
		zlog_err("ebpf: netlink socket: %s; neighbours will not be mirrored",
			 safe_strerror(errno));
		return;
	}
	frr_with_privs (dp_privs()) {
		if (setsockopt(dp_nl.fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
			       sizeof(rcvbuf)))
			setsockopt(dp_nl.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				   sizeof(rcvbuf));
	}
	if (bind(dp_nl.fd, (struct sockaddr *)&sa, sizeof(sa))) {
		zlog_err("ebpf: netlink bind: %s; neighbours will not be mirrored",
			 safe_strerror(errno));
		close(dp_nl.fd);
		dp_nl.fd = -1;
		return;
	}
	/* The dump runs on the owner thread, like every other writer. */
	thread_add_event(master, dp_nl_resync, NULL, 0, &dp_nl.t_resync);
	thread_add_read(master, dp_nl_read, NULL, dp_nl.fd, &dp_nl.t_read);
}

void dp_neigh_stop(void)
{
	if (dp_nl.master) {
		thread_cancel_async(dp_nl.master, &dp_nl.t_read, NULL);
		thread_cancel_async(dp_nl.master, &dp_nl.t_resync, NULL);
	}
	if (dp_nl.fd >= 0)
		close(dp_nl.fd);
	dp_nl.fd = -1;
}
