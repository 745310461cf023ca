// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VIP announcement (lb.h): while a VIP has a backend up, the kernel's main
 * table holds a blackhole route for its address (/32, /128) of protocol
 * LB_RTPROT. zebra reads it as a kernel route, so bgpd announces it with
 * `network` (import-check) or `redistribute kernel`, and withdraws it when
 * the route goes. Blackhole is also the kernel's right answer for packets
 * to the VIP that the datapath hands it: this node does not serve the VIP
 * itself. See doc/architecture.md.
 */
#include <zebra.h>

#include <linux/rtnetlink.h>

#include "lib/log.h"
#include "lib/memory.h"

#include "core/dp_plugin.h"
#include "kernel/dp_nlutil.h"
#include "lb/lb.h"

static size_t lb_alen(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

/* A route request for addr/32 (/128) of type blackhole and our protocol. */
static struct nlmsghdr *lb_route_msg(uint8_t *buf, size_t len, int type,
				     uint16_t flags, uint8_t family,
				     const uint8_t addr[16])
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct rtmsg *rtm = NLMSG_DATA(h);

	memset(buf, 0, len);
	h->nlmsg_type = type;
	h->nlmsg_flags = flags | NLM_F_ACK;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = lb_alen(family) * 8;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = LB_RTPROT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_BLACKHOLE;
	dp_nl_add_attr(h, len, RTA_DST, addr, lb_alen(family));
	return h;
}

static int lb_nl_ignore(const struct nlmsghdr *h, void *arg)
{
	return 0;
}

static int lb_route_request(int type, uint16_t flags, uint8_t family,
			    const uint8_t addr[16])
{
	uint8_t buf[NLMSG_SPACE(sizeof(struct rtmsg)) + RTA_SPACE(16)];
	struct nlmsghdr *h;
	int ret = 0;

	h = lb_route_msg(buf, sizeof(buf), type, flags, family, addr);
	frr_with_privs (dp_privs())
		ret = dp_nl_request(NETLINK_ROUTE, h, lb_nl_ignore, NULL);
	return ret;
}

int lb_announce_add(uint8_t family, const uint8_t addr[16])
{
	/* EXCL: a route another protocol put there is not ours to replace */
	return lb_route_request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, family,
				addr);
}

int lb_announce_del(uint8_t family, const uint8_t addr[16])
{
	int ret = lb_route_request(RTM_DELROUTE, 0, family, addr);

	return ret == -ESRCH ? 0 : ret;
}

/* ------------------------------------------------------ list and flush */

struct lb_list {
	void (*fn)(uint8_t family, const uint8_t addr[16], void *arg);
	void *arg;
};

static int lb_list_cb(const struct nlmsghdr *h, void *arg)
{
	struct lb_list *l = arg;
	const struct rtmsg *rtm = NLMSG_DATA(h);
	struct rtattr *tb[RTA_MAX + 1];
	uint8_t addr[16] = {};

	if (h->nlmsg_type != RTM_NEWROUTE ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return 0;
	if (rtm->rtm_protocol != LB_RTPROT || rtm->rtm_table != RT_TABLE_MAIN)
		return 0;
	dp_nl_attrs(tb, RTA_MAX, RTM_RTA(rtm),
		    h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm)));
	if (!tb[RTA_DST] || rtm->rtm_dst_len != lb_alen(rtm->rtm_family) * 8)
		return 0;
	memcpy(addr, RTA_DATA(tb[RTA_DST]), lb_alen(rtm->rtm_family));
	l->fn(rtm->rtm_family, addr, l->arg);
	return 0;
}

void lb_announce_list(void (*fn)(uint8_t family, const uint8_t addr[16],
				 void *arg),
		      void *arg)
{
	static const uint8_t families[] = {AF_INET, AF_INET6};
	uint8_t buf[NLMSG_SPACE(sizeof(struct rtmsg)) + RTA_SPACE(4)];
	struct lb_list l = {.fn = fn, .arg = arg};

	for (size_t i = 0; i < array_size(families); i++) {
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		struct rtmsg *rtm = NLMSG_DATA(h);
		uint32_t table = RT_TABLE_MAIN;

		memset(buf, 0, sizeof(buf));
		h->nlmsg_type = RTM_GETROUTE;
		h->nlmsg_flags = NLM_F_DUMP;
		h->nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
		rtm->rtm_family = families[i];
		/* strict: the kernel sends only our protocol's */
		rtm->rtm_protocol = LB_RTPROT;
		dp_nl_add_attr(h, sizeof(buf), RTA_TABLE, &table,
			       sizeof(table));
		frr_with_privs (dp_privs())
			dp_nl_request_strict(NETLINK_ROUTE, h, lb_list_cb, &l);
	}
}

struct lb_flush {
	uint32_t n, cap;
	struct lb_held_route *found;
};

static void lb_flush_found(uint8_t family, const uint8_t addr[16], void *arg)
{
	struct lb_flush *f = arg;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->found = XREALLOC(MTYPE_TMP, f->found,
				    f->cap * sizeof(*f->found));
	}
	f->found[f->n].family = family;
	memcpy(f->found[f->n].addr, addr, 16);
	f->n++;
}

void lb_announce_flush(void)
{
	struct lb_flush f = {};

	/* listed whole before any is deleted: a dump is not restartable */
	lb_announce_list(lb_flush_found, &f);
	for (uint32_t k = 0; k < f.n; k++)
		lb_announce_del(f.found[k].family, f.found[k].addr);
	if (f.n)
		zlog_info("ebpf: removed %u VIP route(s) an earlier run left (protocol %d)",
			  f.n, LB_RTPROT);
	XFREE(MTYPE_TMP, f.found);
}

/* ---------------------------------------------- fullnat's default source */

struct lb_src_query {
	uint8_t family;
	uint8_t *src;
	bool found;
};

static int lb_src_cb(const struct nlmsghdr *h, void *arg)
{
	struct lb_src_query *q = arg;
	const struct rtmsg *rtm = NLMSG_DATA(h);
	struct rtattr *tb[RTA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWROUTE ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return -EIO;
	dp_nl_attrs(tb, RTA_MAX, RTM_RTA(rtm),
		    h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm)));
	if (!tb[RTA_PREFSRC] ||
	    RTA_PAYLOAD(tb[RTA_PREFSRC]) < lb_alen(q->family))
		return 0;
	memcpy(q->src, RTA_DATA(tb[RTA_PREFSRC]), lb_alen(q->family));
	q->found = true;
	return 0;
}

int lb_route_src(uint8_t family, const uint8_t dst[16], uint8_t src[16])
{
	uint8_t buf[NLMSG_SPACE(sizeof(struct rtmsg)) + RTA_SPACE(16)] = {};
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct rtmsg *rtm = NLMSG_DATA(h);
	struct lb_src_query q = {.family = family, .src = src};
	int ret = 0;

	/* `ip route get DST`: the route the kernel would use, with the
	 * source it would pick */
	h->nlmsg_type = RTM_GETROUTE;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = lb_alen(family) * 8;
	dp_nl_add_attr(h, sizeof(buf), RTA_DST, dst, lb_alen(family));
	memset(src, 0, 16);
	frr_with_privs (dp_privs())
		ret = dp_nl_request(NETLINK_ROUTE, h, lb_src_cb, &q);
	if (ret)
		return ret;
	return q.found ? 0 : -EADDRNOTAVAIL;
}
