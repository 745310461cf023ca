// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Interfaces: the one place where an interface becomes an intf_map entry.
 *
 * Two tables with one owner each:
 *  - the configuration (which interfaces run the datapath, in which mode
 *    and what is attached) belongs to zebra's main pthread, where the CLI,
 *    the northbound callbacks and the lib interface hooks run;
 *  - the link state the kernel reports (MAC, MTU, oper state) and the
 *    intf_map entries belong to the owner (dplane) pthread, next to the
 *    neighbour and nexthop tables that depend on them.
 * Each side posts events to the other; neither reads the other's table.
 */

#include "config.h"

#include <net/if.h>
#include <sys/ioctl.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/zebra.h"
#include "lib/if.h"
#include "lib/hook.h"
#include "lib/memory.h"
#include "lib/typesafe.h"
#include "lib/thread.h"
#include "zebra/zebra_router.h"

#include "dp_abi.h"
#include "dp_maps.h"
#include "dp_intf.h"
#include "dp_neigh.h"
#include "dp_nhg.h"
#include "dp_sync.h"
#include "dp_plugin.h"

DEFINE_MTYPE_STATIC(EBPF, EBPF_INTF_CFG, "eBPF interface configuration");
DEFINE_MTYPE_STATIC(EBPF, EBPF_LINK, "eBPF link state");
DEFINE_MTYPE_STATIC(EBPF, EBPF_EVENT, "eBPF interface event");

const char *dp_mode_name(enum dp_mode mode)
{
	return mode == DP_MODE_TC ? "tc" : "xdp";
}

/* ------------------------------------------ configuration (main thread) */

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

/* Event from one thread to the other about one interface. */
struct dp_intf_event {
	int ifindex;
	uint16_t flags; /* DP_INTF_F_ENABLED | _XDP | _TC, or 0 */
	char name[IF_NAMESIZE];
};

static void dp_link_cfg_apply(struct thread *t);

static void dp_intf_post_cfg(const struct dp_cfg *c, int ifindex)
{
	struct dp_intf_event *ev = XCALLOC(MTYPE_EBPF_EVENT, sizeof(*ev));

	ev->ifindex = ifindex;
	if (c && (c->xdp || c->tc))
		ev->flags = DP_INTF_F_ENABLED | (c->xdp ? DP_INTF_F_XDP : 0) |
			    (c->tc ? DP_INTF_F_TC : 0);
	thread_add_event(dp_owner_master(), dp_link_cfg_apply, ev, 0, NULL);
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

	frr_with_privs (dp_privs()) {
		if (c->xdp && ifindex)
			dp_prog_detach_xdp(ifindex);
		if (c->tc && ifindex)
			dp_prog_detach_tc(ifindex);
	}
	c->xdp = c->tc = false;
	c->ifindex = 0;
	if (post && ifindex)
		dp_intf_post_cfg(NULL, ifindex);
}

/* Attach what mode asks for; all or nothing. */
static int dp_cfg_attach(struct dp_cfg *c, int ifindex, char *err,
			 size_t errlen)
{
	int ret = 0;

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
	if (ret)
		return ret;
	c->ifindex = ifindex;
	c->tc = true;
	c->xdp = c->mode == DP_MODE_XDP;
	dp_intf_post_cfg(c, ifindex);
	return 0;
}

int dp_intf_check(const char *ifname, enum dp_mode mode, bool allow_absent,
		  char *err, size_t errlen)
{
	if (mode != DP_MODE_XDP && mode != DP_MODE_TC) {
		snprintf(err, errlen, "unknown mode %d (expected xdp or tc)",
			 mode);
		return -EINVAL;
	}
	if (strlen(ifname) >= IF_NAMESIZE) {
		snprintf(err, errlen, "interface name %s is too long", ifname);
		return -EINVAL;
	}
	if (allow_absent)
		return 0;
	if (!if_nametoindex(ifname)) {
		snprintf(err, errlen, "interface %s does not exist", ifname);
		return -ENODEV;
	}
	if (!dp_maps_ready()) {
		snprintf(err, errlen,
			 "eBPF datapath not loaded (see zebra's log)");
		return -ENODEV;
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
		/* Only reachable with allow_absent: attach on appearance. */
		c->mode = mode;
		zlog_warn("ebpf: interface %s %s; it will be attached when it appears",
			  ifname,
			  ifindex ? "configured while the datapath is not loaded"
				  : "does not exist yet");
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

/* An interface was (re)created: re-attach if it is configured. */
static void dp_intf_appeared(struct thread *t)
{
	struct dp_intf_event *ev = THREAD_ARG(t);
	struct dp_cfg *c = dp_cfg_find(ev->name);
	char err[256];

	if (c && c->ifindex != ev->ifindex) {
		dp_cfg_detach(c, false);
		if (dp_cfg_attach(c, ev->ifindex, err, sizeof(err)))
			zlog_warn("ebpf: interface %s reappeared but cannot be attached: %s",
				  c->name, err);
		else
			zlog_info("ebpf: interface %s (ifindex %d) attached",
				  c->name, ev->ifindex);
	}
	XFREE(MTYPE_EBPF_EVENT, ev);
}

/* Main thread, once the maps exist: attach what the configuration named
 * while they did not. */
static void dp_intf_attach_pending(struct thread *t)
{
	struct dp_cfg *c;
	char err[256];
	int ifindex;

	frr_each (dp_cfgs, &dp_cfgs, c) {
		ifindex = if_nametoindex(c->name);
		if (c->tc || !ifindex)
			continue;
		if (dp_cfg_attach(c, ifindex, err, sizeof(err)))
			zlog_warn("ebpf: interface %s: %s", c->name, err);
		else
			zlog_info("ebpf: interface %s (ifindex %d) attached in mode %s",
				  c->name, ifindex, dp_mode_name(c->mode));
	}
}

void dp_intf_maps_ready(void)
{
	thread_add_event(zrouter.master, dp_intf_attach_pending, NULL, 0, NULL);
}

static int dp_intf_if_del(struct interface *ifp)
{
	struct dp_cfg *c = dp_cfg_find(ifp->name);

	/* The kernel dropped the programs with the device. */
	if (c && c->ifindex) {
		dp_intf_post_cfg(NULL, c->ifindex);
		c->ifindex = 0;
		c->xdp = c->tc = false;
	}
	return 0;
}

void dp_intf_init(void)
{
	hook_register(if_del, dp_intf_if_del);
}

/* Shutdown: programs come off so that nothing forwards from a RIB that is
 * no longer maintained; the pinned maps stay for the next start. */
void dp_intf_fini(void)
{
	struct dp_cfg *c;

	while ((c = dp_cfgs_pop(&dp_cfgs))) {
		dp_cfg_detach(c, false);
		XFREE(MTYPE_EBPF_INTF_CFG, c);
	}
}

/* ----------------------------------------- link state (owner thread) */

PREDECL_HASH(dp_links);

struct dp_link {
	struct dp_links_item item;
	int ifindex;
	char name[IF_NAMESIZE];
	uint8_t mac[6];
	uint32_t mtu;
	bool up;
	bool known; /* seen in a netlink message */
	uint16_t cfg; /* DP_INTF_F_ENABLED|XDP|TC from the configuration */
	int stats_idx; /* -1: none */
};

static int dp_link_cmp(const struct dp_link *a, const struct dp_link *b)
{
	return numcmp(a->ifindex, b->ifindex);
}

static uint32_t dp_link_hash(const struct dp_link *l)
{
	return l->ifindex;
}

DECLARE_HASH(dp_links, struct dp_link, item, dp_link_cmp, dp_link_hash);

static struct dp_links_head dp_links = INIT_HASH(dp_links);
static uint8_t dp_stats_slot_used[DP_INTF_MAX];

static struct dp_link *dp_link_get(int ifindex, bool create)
{
	struct dp_link lookup = { .ifindex = ifindex }, *l;

	l = dp_links_find(&dp_links, &lookup);
	if (l || !create)
		return l;
	l = XCALLOC(MTYPE_EBPF_LINK, sizeof(*l));
	l->ifindex = ifindex;
	l->stats_idx = -1;
	dp_links_add(&dp_links, l);
	return l;
}

bool dp_intf_link_get(int ifindex, uint8_t mac[6], uint32_t *mtu, bool *up)
{
	struct dp_link *l = dp_link_get(ifindex, false);

	if (!l || !l->known)
		return false;
	memcpy(mac, l->mac, 6);
	*mtu = l->mtu;
	*up = l->up;
	return true;
}

/* A stats slot starts from zero, whoever used it before. */
static int dp_stats_slot_alloc(void)
{
	static struct dp_intf_stats *zero;
	static int ncpus;
	uint32_t i;

	if (!zero) {
		ncpus = libbpf_num_possible_cpus();
		if (ncpus <= 0)
			return -1;
		zero = XCALLOC(MTYPE_EBPF_LINK, sizeof(*zero) * ncpus);
	}
	for (i = 0; i < DP_INTF_MAX; i++) {
		if (dp_stats_slot_used[i])
			continue;
		dp_stats_slot_used[i] = 1;
		bpf_map_update_elem(dp_map_fd(DP_MAP_INTF_STATS), &i, zero,
				    BPF_ANY);
		return i;
	}
	return -1;
}

/* Write (or remove) the intf_map entry: present only while configured. */
static void dp_link_write(struct dp_link *l)
{
	uint32_t key = l->ifindex;
	struct dp_intf v = {};

	if (!dp_maps_ready())
		return;
	if (!l->cfg) {
		bpf_map_delete_elem(dp_map_fd(DP_MAP_INTF), &key);
		if (l->stats_idx >= 0)
			dp_stats_slot_used[l->stats_idx] = 0;
		l->stats_idx = -1;
		return;
	}
	if (l->stats_idx < 0)
		l->stats_idx = dp_stats_slot_alloc();
	memcpy(v.mac, l->mac, 6);
	v.flags = l->cfg | (l->up ? DP_INTF_F_UP : 0);
	v.mtu = l->mtu;
	v.table_id = RT_TABLE_MAIN;
	/* Without a slot the interface forwards but is not counted alone. */
	v.stats_idx = l->stats_idx >= 0 ? l->stats_idx : DP_INTF_MAX - 1;
	if (bpf_map_update_elem(dp_map_fd(DP_MAP_INTF), &key, &v, BPF_ANY))
		zlog_warn("ebpf: cannot write intf_map entry for %s: %s",
			  l->name, safe_strerror(errno));
	else
		dp_sync_touch(DP_MAP_INTF, &key);
}

void dp_intf_sync_all(void)
{
	struct dp_link *l;

	frr_each (dp_links, &dp_links, l)
		if (l->cfg)
			dp_link_write(l);
}

static void dp_link_free_if_unused(struct dp_link *l)
{
	if (l->known || l->cfg)
		return;
	dp_links_del(&dp_links, l);
	XFREE(MTYPE_EBPF_LINK, l);
}

static void dp_link_cfg_apply(struct thread *t)
{
	struct dp_intf_event *ev = THREAD_ARG(t);
	struct dp_link *l = dp_link_get(ev->ifindex, true);

	l->cfg = ev->flags;
	frr_with_privs (dp_privs())
		dp_link_write(l);
	dp_link_free_if_unused(l);
	XFREE(MTYPE_EBPF_EVENT, ev);
}

void dp_intf_link_update(int ifindex, const char *name, const uint8_t *mac,
			 uint32_t mtu, bool up)
{
	struct dp_link *l = dp_link_get(ifindex, true);
	bool was_known = l->known;
	bool changed;

	changed = !l->known || l->up != up || l->mtu != mtu ||
		  (mac && memcmp(l->mac, mac, 6));
	l->known = true;
	l->up = up;
	l->mtu = mtu;
	if (mac)
		memcpy(l->mac, mac, 6);
	if (name && strcmp(l->name, name)) {
		strlcpy(l->name, name, sizeof(l->name));
		was_known = false;
	}

	if (!was_known && l->name[0]) {
		struct dp_intf_event *ev =
			XCALLOC(MTYPE_EBPF_EVENT, sizeof(*ev));

		ev->ifindex = ifindex;
		strlcpy(ev->name, l->name, sizeof(ev->name));
		thread_add_event(zrouter.master, dp_intf_appeared, ev, 0,
				 NULL);
	}
	if (!changed)
		return;
	dp_link_write(l);
	dp_neigh_intf_changed(ifindex);
	dp_nhg_intf_changed(ifindex);
}

/*
 * When a link goes down the kernel flushes its neighbours and reports
 * that before the link itself. Asking the link's state at the first
 * flushed neighbour lets the groups be rewritten once, without the dead
 * path, instead of once with it unresolved and again without it.
 */
bool dp_intf_link_probe_down(int ifindex)
{
	struct dp_link *l = dp_link_get(ifindex, false);
	struct ifreq ifr = {};
	int fd, ret;

	if (!l || !l->known || !l->up || !l->name[0])
		return false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	strlcpy(ifr.ifr_name, l->name, sizeof(ifr.ifr_name));
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	close(fd);
	if (ret || ((ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING)))
		return false;
	dp_intf_link_update(ifindex, NULL, NULL, l->mtu, false);
	return true;
}

void dp_intf_link_delete(int ifindex)
{
	struct dp_link *l = dp_link_get(ifindex, false);

	if (!l)
		return;
	l->known = false;
	l->cfg = 0;
	dp_link_write(l);
	dp_link_free_if_unused(l);
	dp_nhg_intf_changed(ifindex);
}
