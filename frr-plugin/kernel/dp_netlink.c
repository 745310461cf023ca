// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The plugin's netlink listener (dp_netlink.h).
 *
 * Subscribe first, then dump on a second socket: an event that races the
 * dump is applied after it, and the kernel's next event for that entry
 * corrects any reordering. A receive overrun (ENOBUFS) loses events, so
 * it triggers a full resync, which is a mark and sweep: what the new dump
 * does not list is removed, not only what it lists added.
 *
 * The local table's own route events are the listener's too: route events
 * carry every route zebra installs, so a socket filter in the kernel drops
 * all but the local table's. Dumping the table again on each address
 * change instead would cost the kernel a walk of the whole IPv4 FIB (the
 * local and main tables share one trie until a policy rule is added): 48
 * ms of zebra's dplane pthread per address event with a million routes.
 */

#include "config.h"

#include <linux/filter.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "lib/zebra.h"
#include "lib/prefix.h"
#include "lib/thread.h"

#include "core/dp_hooks.h"
#include "core/dp_plugin.h"
#include "core/dp_stall.h"
#include "core/dp_stats.h"
#include "kernel/dp_link.h"
#include "kernel/dp_local.h"
#include "kernel/dp_neigh.h"
#include "kernel/dp_netlink.h"
#include "kernel/dp_nlutil.h"

#define DP_NL_BUF	   65536
#define DP_NL_EVENT_BATCH  256 /* event datagrams per read, then yield */
#define DP_NL_DUMP_BATCH   8   /* dump datagrams per step, then yield */
#define DP_LOCAL_RESYNC_SECS 30

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

/* Neighbour states in which the kernel itself would send to the MAC. */
#define DP_NUD_USABLE                                                          \
	(NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT |   \
	 NUD_NOARP)

/* The dumps of a resync, in dependency order: neighbours need their
 * link's MAC, and the local table is independent. */
enum dp_nl_stage {
	DP_NL_LINKS,
	DP_NL_NEIGHS,
	DP_NL_NETCONF,
	DP_NL_LOCAL4,
	DP_NL_LOCAL6,
	DP_NL_DONE,
};

static const struct {
	int type;
	int family;
	void (*mark)(void);
	void (*sweep)(void);
} dp_nl_stages[DP_NL_DONE] = {
	[DP_NL_LINKS] = { RTM_GETLINK, AF_UNSPEC, dp_link_mark_all,
			  dp_link_sweep },
	[DP_NL_NEIGHS] = { RTM_GETNEIGH, AF_UNSPEC, dp_neigh_mark_all,
			   dp_neigh_sweep },
	[DP_NL_NETCONF] = { RTM_GETNETCONF, AF_INET, NULL, NULL },
	[DP_NL_LOCAL4] = { RTM_GETROUTE, AF_INET, dp_local_mark4,
			   dp_local_sweep4 },
	[DP_NL_LOCAL6] = { RTM_GETROUTE, AF_INET6, dp_local_mark6,
			   dp_local_sweep6 },
};

static struct {
	int fd;	     /* events */
	int dump_fd; /* dumps */
	bool strict; /* the kernel filters dumps by table */
	bool local_events; /* the local table's route events arrive */
	struct thread *t_read;
	struct thread *t_dump;
	struct thread *t_resync;
	struct thread *t_local;
	struct thread *t_local_timer;
	struct thread *t_pending;
	struct thread_master *master;
	enum dp_nl_stage stage; /* of the running resync, DONE if none */
	enum dp_nl_stage pending; /* first stage of the next one, or DONE */
	uint8_t buf[DP_NL_BUF];
} dp_nl = { .fd = -1, .dump_fd = -1, .stage = DP_NL_DONE,
	    .pending = DP_NL_DONE };

/* ------------------------------------------------------ message parsing */

static void dp_nl_neigh(struct nlmsghdr *h)
{
	struct ndmsg *ndm = NLMSG_DATA(h);
	struct rtattr *tb[NDA_MAX + 1];
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*ndm));
	size_t alen;

	if (len < 0 || (ndm->ndm_family != AF_INET &&
			ndm->ndm_family != AF_INET6))
		return;
	dp_nl_attrs(tb, NDA_MAX, RTM_RTA(ndm), len);
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
	struct dp_link_info info = {};

	if (len < 0)
		return;
	if (h->nlmsg_type == RTM_DELLINK) {
		dp_neigh_flush_intf(ifi->ifi_index);
		dp_link_delete(ifi->ifi_index);
		return;
	}
	dp_nl_attrs(tb, IFLA_MAX, IFLA_RTA(ifi), len);
	info.ifindex = ifi->ifi_index;
	info.type = ifi->ifi_type;
	if (tb[IFLA_IFNAME])
		info.name = RTA_DATA(tb[IFLA_IFNAME]);
	if (tb[IFLA_ADDRESS] && RTA_PAYLOAD(tb[IFLA_ADDRESS]) == 6)
		info.mac = RTA_DATA(tb[IFLA_ADDRESS]);
	if (tb[IFLA_MTU] && RTA_PAYLOAD(tb[IFLA_MTU]) >= 4)
		info.mtu = *(uint32_t *)RTA_DATA(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER] && RTA_PAYLOAD(tb[IFLA_MASTER]) >= 4)
		info.master = *(uint32_t *)RTA_DATA(tb[IFLA_MASTER]);
	info.up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
	dp_link_update(&info);
}

/* IPv4 device configuration: the datapath follows rp_filter. */
static void dp_nl_netconf(struct nlmsghdr *h)
{
	struct netconfmsg *ncm = NLMSG_DATA(h);
	struct rtattr *tb[NETCONFA_MAX + 1];
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*ncm));

	if (len < 0 || ncm->ncm_family != AF_INET)
		return;
	dp_nl_attrs(tb, NETCONFA_MAX,
		    (struct rtattr *)((char *)ncm + NLMSG_ALIGN(sizeof(*ncm))),
		    len);
	if (!tb[NETCONFA_IFINDEX] || !tb[NETCONFA_RP_FILTER])
		return;
	dp_link_rp_filter(*(int32_t *)RTA_DATA(tb[NETCONFA_IFINDEX]),
			  *(int32_t *)RTA_DATA(tb[NETCONFA_RP_FILTER]));
}

/* An entry of the local table, listed by a dump or added or deleted. */
static void dp_nl_local_route(struct nlmsghdr *h)
{
	struct rtmsg *rtm = NLMSG_DATA(h);
	struct rtattr *tb[RTA_MAX + 1];
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm));
	uint8_t addr[16] = {};
	uint32_t table;
	int ifindex;
	size_t alen;

	if (len < 0 ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
		return;
	dp_nl_attrs(tb, RTA_MAX, RTM_RTA(rtm), len);
	table = tb[RTA_TABLE] ? *(uint32_t *)RTA_DATA(tb[RTA_TABLE])
			      : rtm->rtm_table;
	/* Without strict dumps the kernel lists every table: skip. */
	if (table != RT_TABLE_LOCAL)
		return;
	alen = rtm->rtm_family == AF_INET ? 4 : 16;
	if (tb[RTA_DST]) {
		if (RTA_PAYLOAD(tb[RTA_DST]) != alen)
			return;
		memcpy(addr, RTA_DATA(tb[RTA_DST]), alen);
	}
	ifindex = tb[RTA_OIF] ? *(int *)RTA_DATA(tb[RTA_OIF]) : 0;
	if (h->nlmsg_type == RTM_NEWROUTE)
		dp_local_seen(rtm->rtm_family, addr, rtm->rtm_dst_len,
			      rtm->rtm_type, ifindex);
	else
		dp_local_gone(rtm->rtm_family, addr, rtm->rtm_dst_len,
			      rtm->rtm_type, ifindex);
}

static void dp_nl_resync_local(struct thread *t);

static void dp_nl_dispatch(struct nlmsghdr *h, bool dump)
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
		/* The kernel rewrites its local table: without its events,
		 * read it again. */
		if (!dp_nl.local_events)
			thread_add_event(dp_nl.master, dp_nl_resync_local,
					 NULL, 0, &dp_nl.t_local);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		/* only the local table's reach the event socket */
		dp_nl_local_route(h);
		break;
	case RTM_NEWNETCONF:
		dp_nl_netconf(h);
		break;
	default:
		break;
	}
}

enum dp_nl_end {
	DP_NL_MORE,  /* the dump goes on */
	DP_NL_END,   /* the dump is complete */
	DP_NL_ERROR, /* the dump failed: what it listed is not all there is */
};

/* Handle one datagram's messages. */
static enum dp_nl_end dp_nl_handle(uint8_t *buf, int len, bool dump)
{
	struct nlmsghdr *h;

	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned int)len);
	     h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return DP_NL_END;
		if (h->nlmsg_type == NLMSG_ERROR) {
			DP_STAT_INC(nl_errors);
			return DP_NL_ERROR;
		}
		dp_nl_dispatch(h, dump);
	}
	return DP_NL_MORE;
}

/* ------------------------------------------------------------ the dumps */

static int dp_nl_dump_request(enum dp_nl_stage stage)
{
	uint8_t buf[NLMSG_SPACE(sizeof(struct rtmsg)) +
		    RTA_SPACE(sizeof(uint32_t))] = {};
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int type = dp_nl_stages[stage].type;

	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	h->nlmsg_seq = stage + 1;
	/* With strict checking every request carries its full header. */
	if (type == RTM_GETLINK) {
		h->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	} else if (type == RTM_GETNEIGH) {
		h->nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	} else if (type == RTM_GETNETCONF) {
		/* Strict checking wants the header padded, and no more. */
		((struct netconfmsg *)NLMSG_DATA(h))->ncm_family = AF_INET;
		h->nlmsg_len =
			NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct netconfmsg)));
	} else {
		struct rtmsg *r = NLMSG_DATA(h);
		struct rtattr *rta;

		r->rtm_family = dp_nl_stages[stage].family;
		r->rtm_table = RT_TABLE_LOCAL;
		h->nlmsg_len = NLMSG_LENGTH(sizeof(*r));
		rta = (struct rtattr *)(buf + NLMSG_ALIGN(h->nlmsg_len));
		rta->rta_type = RTA_TABLE;
		rta->rta_len = RTA_LENGTH(sizeof(uint32_t));
		*(uint32_t *)RTA_DATA(rta) = RT_TABLE_LOCAL;
		h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + rta->rta_len;
	}
	if (send(dp_nl.dump_fd, buf, h->nlmsg_len, 0) < 0)
		return -errno;
	return 0;
}

static void dp_nl_dump_read(struct thread *t);
static void dp_nl_resync_pending(struct thread *t);

/* The first resync after the start has completed (dp_netlink_synced). */
static _Atomic bool dp_nl_first_done;
DEFINE_HOOK(dp_netlink_synced_hook, (), ());

/* Start stage (its mark, its request), or finish the resync. */
static void dp_nl_stage_begin(enum dp_nl_stage stage)
{
	int ret;

	dp_nl.stage = stage;
	if (stage == DP_NL_DONE) {
		DP_STAT_INC(resyncs);
		if (!atomic_load_explicit(&dp_nl_first_done,
					  memory_order_relaxed)) {
			atomic_store_explicit(&dp_nl_first_done, true,
					      memory_order_release);
			hook_call(dp_netlink_synced_hook);
		}
		if (dp_nl.pending != DP_NL_DONE)
			thread_add_event(dp_nl.master, dp_nl_resync_pending,
					 NULL, 0, &dp_nl.t_pending);
		return;
	}
	if (dp_nl_stages[stage].mark)
		dp_nl_stages[stage].mark();
	{
		/* The kernel fills the first datagrams inside the request. */
		DP_STALL_BEGIN(DP_STALL_DUMP);
		ret = dp_nl_dump_request(stage);
		DP_STALL_END(DP_STALL_DUMP);
	}
	if (ret) {
		zlog_warn("ebpf: netlink dump %d failed: %s",
			  dp_nl_stages[stage].type, safe_strerror(-ret));
		DP_STAT_INC(nl_errors);
		/* Nothing was listed: keep what is known rather than sweep. */
		dp_nl_stage_begin(stage + 1);
		return;
	}
	thread_add_read(dp_nl.master, dp_nl_dump_read, NULL, dp_nl.dump_fd,
			&dp_nl.t_dump);
}

/* One step of the running dump: a few datagrams, then yield. */
static void dp_nl_dump_read(struct thread *t)
{
	enum dp_nl_stage stage = dp_nl.stage;
	enum dp_nl_end end = DP_NL_MORE;
	int i, len;

	DP_STALL_BEGIN(DP_STALL_DUMP);
	frr_with_privs (dp_privs()) {
		for (i = 0; i < DP_NL_DUMP_BATCH && end == DP_NL_MORE; i++) {
			len = recv(dp_nl.dump_fd, dp_nl.buf, sizeof(dp_nl.buf),
				   MSG_DONTWAIT);
			if (len < 0)
				break;
			end = dp_nl_handle(dp_nl.buf, len, true);
		}
		/* A failed dump listed only part: keep what is known. */
		if (end == DP_NL_END && dp_nl_stages[stage].sweep)
			dp_nl_stages[stage].sweep();
		else if (end == DP_NL_ERROR)
			zlog_warn("ebpf: netlink dump %d failed; what it did not list is kept",
				  dp_nl_stages[stage].type);
	}
	DP_STALL_END(DP_STALL_DUMP);
	if (end != DP_NL_MORE)
		dp_nl_stage_begin(stage + 1);
	else
		thread_add_read(dp_nl.master, dp_nl_dump_read, NULL,
				dp_nl.dump_fd, &dp_nl.t_dump);
}

/* Run the stages from first on, now or once the running resync ends. */
static void dp_nl_resync_from(enum dp_nl_stage first)
{
	if (dp_nl.stage != DP_NL_DONE) {
		if (first < dp_nl.pending)
			dp_nl.pending = first;
		return;
	}
	dp_nl_stage_begin(first);
}

/* What was asked for while a resync ran. */
static void dp_nl_resync_pending(struct thread *t)
{
	enum dp_nl_stage first = dp_nl.pending;

	dp_nl.pending = DP_NL_DONE;
	if (first != DP_NL_DONE)
		dp_nl_resync_from(first);
}

static void dp_nl_resync(struct thread *t)
{
	dp_nl_resync_from(DP_NL_LINKS);
}

static void dp_nl_resync_local(struct thread *t)
{
	dp_nl_resync_from(DP_NL_LOCAL4);
}

static void dp_nl_local_timer(struct thread *t)
{
	dp_nl_resync_from(DP_NL_LOCAL4);
	thread_add_timer(dp_nl.master, dp_nl_local_timer, NULL,
			 DP_LOCAL_RESYNC_SECS, &dp_nl.t_local_timer);
}

/* -------------------------------------------------------------- events */

static void dp_nl_read(struct thread *t)
{
	int i, len;

	DP_STALL_BEGIN(DP_STALL_NETLINK);
	frr_with_privs (dp_privs()) {
		for (i = 0; i < DP_NL_EVENT_BATCH; i++) {
			len = recv(dp_nl.fd, dp_nl.buf, sizeof(dp_nl.buf),
				   MSG_DONTWAIT);
			if (len < 0) {
				if (errno == ENOBUFS) {
					/* Events were lost: state is only
					 * trustworthy after a full resync. */
					DP_STAT_INC(nl_overruns);
					zlog_warn("ebpf: netlink overrun, resynchronising");
					thread_add_event(dp_nl.master,
							 dp_nl_resync, NULL, 0,
							 &dp_nl.t_resync);
					continue;
				}
				break;
			}
			dp_nl_handle(dp_nl.buf, len, false);
		}
	}
	DP_STALL_END(DP_STALL_NETLINK);
	thread_add_read(dp_nl.master, dp_nl_read, NULL, dp_nl.fd,
			&dp_nl.t_read);
}

static int dp_nl_socket(int flags)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | flags,
			NETLINK_ROUTE);

	if (fd < 0)
		zlog_err("ebpf: netlink socket: %s; links and neighbours will not be mirrored",
			 safe_strerror(errno));
	return fd;
}

/*
 * The event socket's filter: every message but the route events of other
 * tables than the local one. One message per datagram for events. The
 * header's type is in host order; BPF_H loads in network order, hence
 * htons() on the constants.
 */
static int dp_nl_filter_routes(int fd)
{
	struct sock_filter code[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS,
				offsetof(struct nlmsghdr, nlmsg_type)),
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_NEWROUTE),
				1, 0),
		/* 2 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_DELROUTE),
				0, 2),
		/* 3 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS,
				NLMSG_LENGTH(0) +
					offsetof(struct rtmsg, rtm_table)),
		/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RT_TABLE_LOCAL, 0, 1),
		/* 5 */ BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		/* 6 */ BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {
		.len = array_size(code),
		.filter = code,
	};

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			  sizeof(prog));
}

void dp_netlink_start(struct thread_master *master, uint32_t rcvbuf)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR |
			     RTMGRP_IPV6_IFADDR |
			     1 << (RTNLGRP_IPV4_NETCONF - 1),
	};
	int one = 1, size = rcvbuf;

	dp_nl.master = master;
	dp_nl.fd = dp_nl_socket(SOCK_NONBLOCK);
	dp_nl.dump_fd = dp_nl_socket(SOCK_NONBLOCK);
	if (dp_nl.fd < 0 || dp_nl.dump_fd < 0) {
		dp_netlink_stop();
		return;
	}
	frr_with_privs (dp_privs()) {
		if (setsockopt(dp_nl.fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
			       sizeof(size)))
			setsockopt(dp_nl.fd, SOL_SOCKET, SO_RCVBUF, &size,
				   sizeof(size));
	}
	dp_nl.strict = setsockopt(dp_nl.dump_fd, SOL_NETLINK,
				  NETLINK_GET_STRICT_CHK, &one,
				  sizeof(one)) == 0;
	if (!dp_nl.strict)
		zlog_warn("ebpf: this kernel cannot dump one routing table alone; the local table is read from full dumps");
	dp_nl.local_events = dp_nl_filter_routes(dp_nl.fd) == 0;
	if (dp_nl.local_events)
		sa.nl_groups |= RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
	else
		zlog_warn("ebpf: cannot filter route events (%s); the local table is read again at each address change",
			  safe_strerror(errno));
	if (bind(dp_nl.fd, (struct sockaddr *)&sa, sizeof(sa))) {
		zlog_err("ebpf: netlink bind: %s; links and neighbours will not be mirrored",
			 safe_strerror(errno));
		dp_netlink_stop();
		return;
	}
	/* The dumps run on the owner thread, like every other writer. */
	thread_add_event(master, dp_nl_resync, NULL, 0, &dp_nl.t_resync);
	thread_add_read(master, dp_nl_read, NULL, dp_nl.fd, &dp_nl.t_read);
	/* An operator's own local routes raise no address event. */
	if (!dp_nl.local_events)
		thread_add_timer(master, dp_nl_local_timer, NULL,
				 DP_LOCAL_RESYNC_SECS, &dp_nl.t_local_timer);
}

bool dp_netlink_synced(void)
{
	return atomic_load_explicit(&dp_nl_first_done, memory_order_acquire);
}

void dp_netlink_stop(void)
{
	/* nothing will be learnt: nobody waits for it */
	if (!atomic_exchange(&dp_nl_first_done, true))
		hook_call(dp_netlink_synced_hook);
	if (dp_nl.master) {
		thread_cancel_async(dp_nl.master, &dp_nl.t_read, NULL);
		thread_cancel_async(dp_nl.master, &dp_nl.t_dump, NULL);
		thread_cancel_async(dp_nl.master, &dp_nl.t_resync, NULL);
		thread_cancel_async(dp_nl.master, &dp_nl.t_local, NULL);
		thread_cancel_async(dp_nl.master, &dp_nl.t_local_timer, NULL);
		thread_cancel_async(dp_nl.master, &dp_nl.t_pending, NULL);
	}
	if (dp_nl.fd >= 0)
		close(dp_nl.fd);
	if (dp_nl.dump_fd >= 0)
		close(dp_nl.dump_fd);
	dp_nl.fd = dp_nl.dump_fd = -1;
}
