// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Interfaces: which ones run the datapath and in which mode, and the
 * programs attached to them. This table belongs to zebra's main pthread,
 * where the CLI, the northbound callbacks and the lib interface hooks
 * run; what the kernel says of each link belongs to the owner pthread
 * (dp_link.c). Each side posts events to the other.
 */

#include "config.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>

#include <bpf/bpf.h>

#include "lib/zebra.h"
#include "lib/if.h"
#include "lib/hook.h"
#include "lib/memory.h"
#include "lib/typesafe.h"
#include "lib/thread.h"
#include "zebra/zebra_router.h"

#include "dp_abi.h"
#include "core/dp_boot.h"
#include "core/dp_hooks.h"
#include "core/dp_plugin.h"
#include "core/dp_stall.h"
#include "maps/dp_maps.h"
#include "kernel/dp_link.h"
#include "kernel/dp_nlutil.h"
#include "fwd/dp_intf.h"

DEFINE_MTYPE_STATIC(EBPF, EBPF_INTF_CFG, "eBPF interface configuration");
DEFINE_MTYPE_STATIC(EBPF, EBPF_INTF_EVENT, "eBPF interface event");

const char *dp_mode_name(enum dp_mode mode)
{
	return mode == DP_MODE_TC ? "tc" : "xdp";
}

PREDECL_SORTLIST_UNIQ(dp_cfgs);

struct dp_cfg {
	struct dp_cfgs_item item;
	char name[IF_NAMESIZE];
	enum dp_mode mode;
	int ifindex; /* where the programs are attached; 0 if nowhere */
	bool xdp;
	bool tc;
};

static int dp_cfg_cmp(const struct dp_cfg *a, const struct dp_cfg *b)
{
	return strcmp(a->name, b->name);
}

DECLARE_SORTLIST_UNIQ(dp_cfgs, struct dp_cfg, item, dp_cfg_cmp);

static struct dp_cfgs_head dp_cfgs = INIT_SORTLIST_UNIQ(dp_cfgs);

static void dp_cfg_post(const struct dp_cfg *c, int ifindex)
{
	uint16_t flags = 0;

	if (c && (c->xdp || c->tc))
		flags = DP_INTF_F_ENABLED | (c->xdp ? DP_INTF_F_XDP : 0) |
			(c->tc ? DP_INTF_F_TC : 0);
	dp_link_post_cfg(ifindex, flags);
}

static struct dp_cfg *dp_cfg_find(const char *name)
{
	struct dp_cfg lookup = {};

	strlcpy(lookup.name, name, sizeof(lookup.name));
	return dp_cfgs_find(&dp_cfgs, &lookup);
}

static void dp_cfg_detach(struct dp_cfg *c, bool post)
{
	int ifindex = c->ifindex;

	DP_STALL_BEGIN(DP_STALL_ATTACH);
	frr_with_privs (dp_privs()) {
		if (c->xdp && ifindex)
			dp_prog_detach_xdp(ifindex);
		if (c->tc && ifindex)
			dp_prog_detach_tc(ifindex);
	}
	DP_STALL_END(DP_STALL_ATTACH);
	c->xdp = c->tc = false;
	c->ifindex = 0;
	if (post && ifindex)
		dp_cfg_post(NULL, ifindex);
}

/* Attach what mode asks for; all or nothing. */
static int dp_cfg_attach(struct dp_cfg *c, int ifindex, char *err,
			 size_t errlen)
{
	int ret = 0;

	DP_STALL_BEGIN(DP_STALL_ATTACH);
	frr_with_privs (dp_privs()) {
		ret = dp_prog_attach_tc(ifindex, err, errlen);
		if (ret == 0 && c->mode == DP_MODE_XDP) {
			ret = dp_prog_attach_xdp(ifindex, err, errlen);
			if (ret)
				dp_prog_detach_tc(ifindex);
		} else if (ret == 0) {
			/* mode tc: an XDP program of ours left from an
			 * earlier mode xdp must go. */
			dp_prog_detach_xdp(ifindex);
		}
	}
	DP_STALL_END(DP_STALL_ATTACH);
	if (ret)
		return ret;
	c->ifindex = ifindex;
	c->tc = true;
	c->xdp = c->mode == DP_MODE_XDP;
	dp_cfg_post(c, ifindex);
	return 0;
}

/* ------------------------------------------------- what a link is now */

struct dp_link_query {
	int ifindex;
	uint16_t type;	    /* ARPHRD_* */
	int master;	    /* 0: not enslaved */
	char master_name[IF_NAMESIZE];
};

static int dp_link_query_cb(const struct nlmsghdr *h, void *arg)
{
	struct dp_link_query *q = arg;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *tb[IFLA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWLINK ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EIO;
	q->ifindex = ifi->ifi_index;
	q->type = ifi->ifi_type;
	dp_nl_attrs(tb, IFLA_MAX, IFLA_RTA(ifi),
		    h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
	if (tb[IFLA_MASTER] && RTA_PAYLOAD(tb[IFLA_MASTER]) >= 4)
		q->master = *(uint32_t *)RTA_DATA(tb[IFLA_MASTER]);
	return 0;
}

/*
 * Ask the kernel (not zebra's view, which may lag) what ifname is: its
 * link type and the device enslaving it, if any. 0, or -errno (-ENODEV:
 * no such interface).
 */
static int dp_link_query(const char *ifname, struct dp_link_query *q)
{
	uint8_t buf[NLMSG_SPACE(sizeof(struct ifinfomsg)) +
		    RTA_SPACE(IF_NAMESIZE)] = {};
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int ret;

	memset(q, 0, sizeof(*q));
	h->nlmsg_type = RTM_GETLINK;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	if (!dp_nl_add_attr(h, sizeof(buf), IFLA_IFNAME, ifname,
			    strlen(ifname) + 1))
		return -ENAMETOOLONG;
	ret = dp_nl_request(NETLINK_ROUTE, h, dp_link_query_cb, q);
	if (ret)
		return ret;
	if (q->master && !if_indextoname(q->master, q->master_name))
		strlcpy(q->master_name, "?", sizeof(q->master_name));
	return 0;
}

/* Why the datapath cannot route what arrives on this link, or NULL. */
static const char *dp_link_unroutable(const struct dp_link_query *q, char *buf,
				      size_t len)
{
	if (q->master) {
		snprintf(buf, len,
			 "enslaved to %s: its traffic belongs to %s's forwarding, not the default table's",
			 q->master_name, q->master_name);
		return buf;
	}
	if (q->type != ARPHRD_ETHER) {
		snprintf(buf, len,
			 "not an Ethernet device (link type %u): the datapath handles Ethernet only",
			 q->type);
		return buf;
	}
	return NULL;
}

/* Interface names as the kernel takes them (dev_valid_name()). */
static bool dp_ifname_valid(const char *name)
{
	if (!*name || strlen(name) >= IF_NAMESIZE || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return false;
	for (; *name; name++)
		if (*name == '/' || *name == ':' || isspace((unsigned char)*name))
			return false;
	return true;
}

int dp_intf_check(const char *ifname, enum dp_mode mode, bool allow_absent,
		  char *err, size_t errlen)
{
	struct dp_link_query q;
	char why[192];
	int ret;

	if (mode != DP_MODE_XDP && mode != DP_MODE_TC) {
		snprintf(err, errlen, "unknown mode %d (expected xdp or tc)",
			 mode);
		return -EINVAL;
	}
	if (!dp_ifname_valid(ifname)) {
		snprintf(err, errlen,
			 "'%s' is not a valid interface name (1 to %d characters, no '/', ':' or spaces)",
			 ifname, IF_NAMESIZE - 1);
		return -EINVAL;
	}
	if (allow_absent)
		return 0;
	if (!dp_maps_ready()) {
		snprintf(err, errlen, "eBPF datapath not loaded: %s",
			 dp_boot_error() ? dp_boot_error()
					 : "see zebra's log");
		return -ENODEV;
	}
	ret = dp_link_query(ifname, &q);
	if (ret == -ENODEV) {
		snprintf(err, errlen, "interface %s does not exist", ifname);
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "cannot ask the kernel about %s: %s",
			 ifname, safe_strerror(-ret));
		return ret;
	}
	if (dp_link_unroutable(&q, why, sizeof(why))) {
		snprintf(err, errlen, "interface %s is %s", ifname, why);
		return -EINVAL;
	}
	return 0;
}

int dp_intf_enable(const char *ifname, enum dp_mode mode, bool allow_absent,
		   char *err, size_t errlen)
{
	struct dp_cfg *c = dp_cfg_find(ifname);
	bool created = false;
	enum dp_mode old_mode;
	int ifindex, ret;

	ret = dp_intf_check(ifname, mode, allow_absent, err, errlen);
	if (ret)
		return ret;
	ifindex = if_nametoindex(ifname);

	if (!c) {
		c = XCALLOC(MTYPE_EBPF_INTF_CFG, sizeof(*c));
		strlcpy(c->name, ifname, sizeof(c->name));
		dp_cfgs_add(&dp_cfgs, c);
		created = true;
	}
	if (!ifindex || !dp_maps_ready()) {
		/* Only reachable with allow_absent. */
		c->mode = mode;
		if (!dp_maps_ready())
			zlog_warn("ebpf: interface %s configured but the datapath is not loaded: %s",
				  ifname, dp_boot_error() ? dp_boot_error() : "?");
		else
			zlog_warn("ebpf: interface %s does not exist yet; it will be attached when it appears",
				  ifname);
		return 0;
	}
	if (c->ifindex == ifindex && c->mode == mode && c->tc)
		return 0;

	old_mode = c->mode;
	c->mode = mode;
	ret = dp_cfg_attach(c, ifindex, err, errlen);
	if (ret == 0)
		return 0;

	/* Leave things as they were: a failed change keeps the old mode
	 * attached, a failed creation leaves nothing behind. */
	if (created) {
		dp_cfgs_del(&dp_cfgs, c);
		XFREE(MTYPE_EBPF_INTF_CFG, c);
	} else {
		char ignore[128];

		c->mode = old_mode;
		dp_cfg_attach(c, ifindex, ignore, sizeof(ignore));
	}
	return ret;
}

void dp_intf_disable(const char *ifname)
{
	struct dp_cfg *c = dp_cfg_find(ifname);

	if (!c)
		return;
	dp_cfg_detach(c, true);
	dp_cfgs_del(&dp_cfgs, c);
	XFREE(MTYPE_EBPF_INTF_CFG, c);
}

void dp_intf_foreach(void (*cb)(const struct dp_intf_info *info, void *arg),
		     void *arg)
{
	struct dp_cfg *c;

	frr_each (dp_cfgs, &dp_cfgs, c) {
		struct dp_intf_info info = {};
		struct dp_link_query q;
		struct interface *ifp;

		strlcpy(info.name, c->name, sizeof(info.name));
		info.ifindex = c->ifindex;
		info.mode = c->mode;
		info.xdp_attached = c->xdp;
		info.tc_attached = c->tc;
		ifp = if_lookup_by_name(c->name, VRF_DEFAULT);
		if (ifp) {
			info.oper_up = if_is_operative(ifp);
			memcpy(info.mac, ifp->hw_addr,
			       MIN(sizeof(info.mac), (size_t)ifp->hw_addr_len));
			info.mtu = ifp->mtu;
		}
		if (dp_link_query(c->name, &q) == 0)
			dp_link_unroutable(&q, info.not_routed,
					   sizeof(info.not_routed));
		if (c->ifindex) {
			struct dp_intf v;
			uint32_t key = c->ifindex;

			frr_with_privs (dp_privs()) {
				if (bpf_map_lookup_elem(dp_map_fd(DP_MAP_INTF),
							&key, &v) == 0)
					info.stats_idx = v.stats_idx;
			}
		}
		cb(&info, arg);
	}
}

/* ------------------------------------------- links coming and going */

struct dp_intf_event {
	int ifindex;
	char name[IF_NAMESIZE];
};

/* An interface was (re)created: attach it if it is configured. */
static void dp_intf_appeared(struct thread *t)
{
	struct dp_intf_event *ev = THREAD_ARG(t);
	struct dp_cfg *c = dp_cfg_find(ev->name);
	char err[256];

	if (c && c->ifindex != ev->ifindex && dp_maps_ready()) {
		dp_cfg_detach(c, false);
		if (dp_cfg_attach(c, ev->ifindex, err, sizeof(err)))
			zlog_warn("ebpf: interface %s appeared but cannot be attached: %s",
				  c->name, err);
		else
			zlog_info("ebpf: interface %s (ifindex %d) attached in mode %s",
				  c->name, ev->ifindex, dp_mode_name(c->mode));
	}
	XFREE(MTYPE_EBPF_INTF_EVENT, ev);
}

/* dp_link_appeared, on the owner thread: the main thread attaches the
 * link if the configuration names it. */
static int dp_intf_post_appeared(int ifindex, const char *name)
{
	struct dp_intf_event *ev =
		XCALLOC(MTYPE_EBPF_INTF_EVENT, sizeof(*ev));

	ev->ifindex = ifindex;
	strlcpy(ev->name, name, sizeof(ev->name));
	thread_add_event(zrouter.master, dp_intf_appeared, ev, 0, NULL);
	return 0;
}

/*
 * zebra forgets an interface both when the kernel deletes it and when
 * zebra itself shuts down (vrf_terminate): only the first took the
 * programs away. Asking the kernel tells them apart.
 */
static int dp_intf_if_del(struct interface *ifp)
{
	struct dp_cfg *c = dp_cfg_find(ifp->name);
	char name[IF_NAMESIZE];

	if (!c || !c->ifindex)
		return 0;
	if (if_indextoname(c->ifindex, name) && strcmp(name, c->name) == 0)
		return 0;
	dp_cfg_post(NULL, c->ifindex);
	c->ifindex = 0;
	c->xdp = c->tc = false;
	return 0;
}

void dp_intf_init(void)
{
	hook_register(if_del, dp_intf_if_del);
	hook_register(dp_link_appeared, dp_intf_post_appeared);
}

/* Shutdown: programs come off so that nothing forwards from a RIB that is
 * no longer maintained; the pinned maps stay for the next start. */
void dp_intf_fini(bool detach)
{
	struct dp_cfg *c;

	while ((c = dp_cfgs_pop(&dp_cfgs))) {
		if (detach)
			dp_cfg_detach(c, false);
		XFREE(MTYPE_EBPF_INTF_CFG, c);
	}
}
