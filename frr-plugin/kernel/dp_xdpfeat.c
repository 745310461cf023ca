// SPDX-License-Identifier: GPL-2.0-or-later
/* xdp-features of every link (dp_xdpfeat.h). */

#include "config.h"

#include <linux/genetlink.h>

#include "lib/zebra.h"
#include "lib/thread.h"

#include "core/dp_plugin.h"
#include "core/dp_stall.h"
#include "kernel/dp_link.h"
#include "kernel/dp_nlutil.h"
#include "kernel/dp_xdpfeat.h"

/* include/uapi/linux/netdev.h, absent from Debian 12's kernel headers. */
#define DP_NETDEV_FAMILY	  "netdev"
#define DP_NETDEV_MCGRP_MGMT	  "mgmt"
#define DP_NETDEV_CMD_DEV_GET	  1
#define DP_NETDEV_CMD_DEV_DEL_NTF 3
#define DP_NETDEV_A_DEV_IFINDEX	  1
#define DP_NETDEV_A_DEV_XDP_FEATURES 3
#define DP_NETDEV_A_DEV_MAX	  3
#define DP_NETDEV_XDP_ACT_NDO_XMIT 4

static struct {
	struct thread_master *master;
	int fd;
	uint16_t family;
	struct thread *t_read;
} dp_xf = { .fd = -1 };

struct dp_genl_family {
	uint16_t id;
	uint32_t mgmt_group;
};

static int dp_genl_family_cb(const struct nlmsghdr *h, void *arg)
{
	struct dp_genl_family *f = arg;
	const struct genlmsghdr *g = NLMSG_DATA(h);
	struct rtattr *tb[CTRL_ATTR_MAX + 1], *grp, *ga[CTRL_ATTR_MCAST_GRP_MAX + 1];
	int len = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), glen;

	if (len < 0)
		return -EIO;
	dp_nl_attrs(tb, CTRL_ATTR_MAX,
		    (struct rtattr *)((char *)g + GENL_HDRLEN), len);
	if (!tb[CTRL_ATTR_FAMILY_ID] || !tb[CTRL_ATTR_MCAST_GROUPS])
		return -EIO;
	f->id = *(uint16_t *)RTA_DATA(tb[CTRL_ATTR_FAMILY_ID]);
	glen = RTA_PAYLOAD(tb[CTRL_ATTR_MCAST_GROUPS]);
	for (grp = RTA_DATA(tb[CTRL_ATTR_MCAST_GROUPS]); RTA_OK(grp, glen);
	     grp = RTA_NEXT(grp, glen)) {
		dp_nl_attrs(ga, CTRL_ATTR_MCAST_GRP_MAX, RTA_DATA(grp),
			    RTA_PAYLOAD(grp));
		if (ga[CTRL_ATTR_MCAST_GRP_NAME] && ga[CTRL_ATTR_MCAST_GRP_ID] &&
		    strcmp(RTA_DATA(ga[CTRL_ATTR_MCAST_GRP_NAME]),
			   DP_NETDEV_MCGRP_MGMT) == 0)
			f->mgmt_group =
				*(uint32_t *)RTA_DATA(ga[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return f->mgmt_group ? 0 : -EIO;
}

/* The netdev family's id and management group; -ENOENT before 6.3. */
static int dp_genl_family(struct dp_genl_family *f)
{
	uint8_t buf[NLMSG_SPACE(GENL_HDRLEN) + RTA_SPACE(16)] = {};
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = NLMSG_DATA(h);

	memset(f, 0, sizeof(*f));
	h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	h->nlmsg_type = GENL_ID_CTRL;
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	dp_nl_add_attr(h, sizeof(buf), CTRL_ATTR_FAMILY_NAME, DP_NETDEV_FAMILY,
		       sizeof(DP_NETDEV_FAMILY));
	return dp_nl_request(NETLINK_GENERIC, h, dp_genl_family_cb, f);
}

/* A device message, from the dump or an event. */
static int dp_xf_dev(const struct nlmsghdr *h, void *arg)
{
	const struct genlmsghdr *g = NLMSG_DATA(h);
	struct rtattr *tb[DP_NETDEV_A_DEV_MAX + 1];
	int len = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	uint64_t feat = 0;

	if (len < 0 || h->nlmsg_type != dp_xf.family ||
	    g->cmd == DP_NETDEV_CMD_DEV_DEL_NTF)
		return 0;
	dp_nl_attrs(tb, DP_NETDEV_A_DEV_MAX,
		    (struct rtattr *)((char *)g + GENL_HDRLEN), len);
	if (!tb[DP_NETDEV_A_DEV_IFINDEX])
		return 0;
	if (tb[DP_NETDEV_A_DEV_XDP_FEATURES])
		memcpy(&feat, RTA_DATA(tb[DP_NETDEV_A_DEV_XDP_FEATURES]),
		       MIN(sizeof(feat),
			   RTA_PAYLOAD(tb[DP_NETDEV_A_DEV_XDP_FEATURES])));
	dp_link_xdp_features(*(uint32_t *)RTA_DATA(tb[DP_NETDEV_A_DEV_IFINDEX]),
			     true, feat & DP_NETDEV_XDP_ACT_NDO_XMIT);
	return 0;
}

static void dp_xf_dump(void)
{
	uint8_t buf[NLMSG_SPACE(GENL_HDRLEN)] = {};
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = NLMSG_DATA(h);
	int ret;

	h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	h->nlmsg_type = dp_xf.family;
	h->nlmsg_flags = NLM_F_DUMP;
	g->cmd = DP_NETDEV_CMD_DEV_GET;
	g->version = 1;
	ret = dp_nl_request(NETLINK_GENERIC, h, dp_xf_dev, NULL);
	if (ret)
		zlog_warn("ebpf: cannot list xdp-features: %s",
			  safe_strerror(-ret));
}

static void dp_xf_read(struct thread *t)
{
	static uint8_t buf[16384];
	struct nlmsghdr *h;
	int len;

	DP_STALL_BEGIN(DP_STALL_NETLINK);
	frr_with_privs (dp_privs()) {
		while ((len = recv(dp_xf.fd, buf, sizeof(buf),
				   MSG_DONTWAIT)) != 0) {
			if (len < 0) {
				/* Events lost: ask for the whole list. */
				if (errno == ENOBUFS) {
					dp_xf_dump();
					continue;
				}
				break;
			}
			for (h = (struct nlmsghdr *)buf;
			     NLMSG_OK(h, (unsigned int)len);
			     h = NLMSG_NEXT(h, len))
				dp_xf_dev(h, NULL);
		}
	}
	DP_STALL_END(DP_STALL_NETLINK);
	thread_add_read(dp_xf.master, dp_xf_read, NULL, dp_xf.fd,
			&dp_xf.t_read);
}

void dp_xdpfeat_start(struct thread_master *master)
{
	struct dp_genl_family f;
	int ret;

	dp_xf.master = master;
	ret = dp_genl_family(&f);
	if (ret) {
		zlog_info("ebpf: this kernel reports no xdp-features (%s): ports in mode xdp are taken to accept redirected frames",
			  safe_strerror(-ret));
		return;
	}
	dp_xf.family = f.id;
	dp_xf.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			  NETLINK_GENERIC);
	if (dp_xf.fd < 0 ||
	    setsockopt(dp_xf.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &f.mgmt_group, sizeof(f.mgmt_group))) {
		zlog_warn("ebpf: cannot follow xdp-features: %s; links are read once",
			  safe_strerror(errno));
		if (dp_xf.fd >= 0)
			close(dp_xf.fd);
		dp_xf.fd = -1;
	}
	/* Subscribed before the dump: no change falls between the two. */
	dp_xf_dump();
	if (dp_xf.fd >= 0)
		thread_add_read(master, dp_xf_read, NULL, dp_xf.fd,
				&dp_xf.t_read);
}

void dp_xdpfeat_stop(void)
{
	if (dp_xf.master)
		thread_cancel_async(dp_xf.master, &dp_xf.t_read, NULL);
	if (dp_xf.fd >= 0)
		close(dp_xf.fd);
	dp_xf.fd = -1;
}
