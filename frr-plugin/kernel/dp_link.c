// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Link state and intf_map (dp_link.h): the one place where an interface
 * becomes an intf_map entry, and where its egress class is decided.
 *
 * Whatever a path or a neighbour entry depends on (MAC, MTU, oper state,
 * egress class) changes here: the neighbour entries on the link are
 * rewritten at once, and dp_link_changed (core/dp_hooks.h) tells the
 * groups and on-link routes through it.
 */

#include "config.h"

#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/zebra.h"
#include "lib/memory.h"
#include "lib/typesafe.h"
#include "lib/thread.h"

#include "dp_abi.h"
#include "core/dp_hooks.h"
#include "core/dp_plugin.h"
#include "maps/dp_maps.h"
#include "maps/dp_sync.h"
#include "kernel/dp_link.h"
#include "kernel/dp_neigh.h"

DEFINE_MTYPE_STATIC(EBPF, EBPF_LINK, "eBPF link state");
DEFINE_MTYPE_STATIC(EBPF, EBPF_LINK_EVENT, "eBPF link event");

DEFINE_HOOK(dp_link_appeared, (int ifindex, const char *name), (ifindex, name));
DEFINE_HOOK(dp_link_changed, (int ifindex, bool egress_changed),
	    (ifindex, egress_changed));

const char *dp_egress_name(enum dp_egress e)
{
	switch (e) {
	case DP_EGRESS_XDP:
		return "xdp";
	case DP_EGRESS_SKB:
		return "tc";
	case DP_EGRESS_KERNEL:
		break;
	}
	return "kernel";
}

PREDECL_HASH(dp_links);

struct dp_link {
	struct dp_links_item item;
	int ifindex;
	char name[IF_NAMESIZE];
	uint8_t mac[6];
	uint32_t mtu;
	bool up;
	bool known;	  /* seen in a netlink message */
	bool stale;	  /* not seen again in the running resync */
	bool has_mac;
	uint16_t type;	  /* ARPHRD_* */
	int master;
	bool feat_known;  /* the kernel reports its xdp-features */
	bool ndo_xmit;	  /* ... and it accepts redirected XDP frames */
	uint16_t cfg;	  /* DP_INTF_F_ENABLED|XDP|TC from the configuration */
	int rp_filter;	  /* conf/IF/rp_filter */
	enum dp_egress egress;
	int stats_idx;	  /* -1: none */
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
static int dp_rp_filter_all; /* conf/all/rp_filter */

static struct dp_link *dp_link_find(int ifindex, bool create)
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

bool dp_link_get(int ifindex, uint8_t mac[6], uint32_t *mtu, bool *up)
{
	struct dp_link *l = dp_link_find(ifindex, false);

	if (!l || !l->known)
		return false;
	memcpy(mac, l->mac, 6);
	*mtu = l->mtu;
	*up = l->up;
	return true;
}

/* Plain Ethernet, sending for itself: what the datapath can address. */
static bool dp_link_is_plain(const struct dp_link *l)
{
	return l->known && l->type == ARPHRD_ETHER && l->has_mac && !l->master;
}

static enum dp_egress dp_link_classify(const struct dp_link *l)
{
	if (!dp_link_is_plain(l))
		return DP_EGRESS_KERNEL;
	if ((l->cfg & DP_INTF_F_XDP) && (!l->feat_known || l->ndo_xmit))
		return DP_EGRESS_XDP;
	return DP_EGRESS_SKB;
}

enum dp_egress dp_link_egress(int ifindex)
{
	struct dp_link *l = dp_link_find(ifindex, false);

	return l ? l->egress : DP_EGRESS_KERNEL;
}

/* IN_DEV_RPFILTER(): the larger of conf/all and conf/IF; 1 is strict,
 * 2 loose. */
static uint16_t dp_link_rpf_flags(const struct dp_link *l)
{
	switch (MAX(dp_rp_filter_all, l->rp_filter)) {
	case 0:
		return 0;
	case 1:
		return DP_INTF_F_RPF_STRICT;
	default:
		return DP_INTF_F_RPF_LOOSE;
	}
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

/*
 * Write (or remove) the intf_map entry: present only while configured.
 * An interface that is not plain Ethernet, or is enslaved, keeps its
 * entry (and counters) but is not enabled: its packets are not routed in
 * the default table by the datapath.
 */
static void dp_link_write(struct dp_link *l)
{
	uint32_t key = l->ifindex;
	struct dp_intf v = {};

	if (!dp_maps_ready())
		return;
	if (!l->cfg) {
		/* An earlier run's entry stays until this run's configuration
		 * says otherwise or the resync removes it: at a restart the
		 * links are known before the `ebpf` block is applied. */
		if (dp_sync_is_stale(DP_MAP_INTF, &key))
			return;
		bpf_map_delete_elem(dp_map_fd(DP_MAP_INTF), &key);
		if (l->stats_idx >= 0)
			dp_stats_slot_used[l->stats_idx] = 0;
		l->stats_idx = -1;
		return;
	}
	if (l->stats_idx < 0)
		l->stats_idx = dp_stats_slot_alloc();
	memcpy(v.mac, l->mac, 6);
	v.flags = l->cfg | (l->up ? DP_INTF_F_UP : 0) | dp_link_rpf_flags(l);
	if (!dp_link_is_plain(l))
		v.flags &= ~DP_INTF_F_ENABLED;
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

/* Something about l changed: its entry, then everything that leaves
 * through it. */
static void dp_link_changed(struct dp_link *l)
{
	enum dp_egress old = l->egress;

	l->egress = dp_link_classify(l);
	if (old != l->egress)
		dp_dbg("link %s (%d): egress %s", l->name, l->ifindex,
		       dp_egress_name(l->egress));
	dp_link_write(l);
	dp_neigh_intf_changed(l->ifindex);
	hook_call(dp_link_changed, l->ifindex, old != l->egress);
}

static void dp_link_free_if_unused(struct dp_link *l)
{
	if (l->known || l->cfg)
		return;
	dp_links_del(&dp_links, l);
	XFREE(MTYPE_EBPF_LINK, l);
}

struct dp_link_cfg_event {
	int ifindex;
	uint16_t flags;
};

static void dp_link_cfg_apply(struct thread *t)
{
	struct dp_link_cfg_event *ev = THREAD_ARG(t);
	struct dp_link *l = dp_link_find(ev->ifindex, true);

	l->cfg = ev->flags;
	frr_with_privs (dp_privs())
		dp_link_changed(l);
	dp_link_free_if_unused(l);
	XFREE(MTYPE_EBPF_LINK_EVENT, ev);
}

void dp_link_post_cfg(int ifindex, uint16_t flags)
{
	struct dp_link_cfg_event *ev =
		XCALLOC(MTYPE_EBPF_LINK_EVENT, sizeof(*ev));

	ev->ifindex = ifindex;
	ev->flags = flags;
	thread_add_event(dp_owner_master(), dp_link_cfg_apply, ev, 0, NULL);
}

void dp_link_update(const struct dp_link_info *in)
{
	struct dp_link *l = dp_link_find(in->ifindex, true);
	bool was_known = l->known;
	bool changed;

	l->stale = false;
	changed = !l->known || l->up != in->up || l->mtu != in->mtu ||
		  l->type != in->type || l->master != in->master ||
		  l->has_mac != !!in->mac ||
		  (in->mac && memcmp(l->mac, in->mac, 6));
	l->known = true;
	l->up = in->up;
	l->mtu = in->mtu;
	l->type = in->type;
	l->master = in->master;
	l->has_mac = !!in->mac;
	if (in->mac)
		memcpy(l->mac, in->mac, 6);
	if (in->name && strcmp(l->name, in->name)) {
		strlcpy(l->name, in->name, sizeof(l->name));
		was_known = false;
	}

	/* The configuration may name it: the main thread attaches it. */
	if (!was_known && l->name[0])
		hook_call(dp_link_appeared, l->ifindex, l->name);
	if (changed)
		dp_link_changed(l);
}

void dp_link_rp_filter(int ifindex, int value)
{
	struct dp_link *l;

	if (ifindex == -1) {
		if (value == dp_rp_filter_all)
			return;
		dp_rp_filter_all = value;
		frr_each (dp_links, &dp_links, l)
			if (l->cfg)
				dp_link_write(l);
		return;
	}
	if (ifindex <= 0)
		return;
	l = dp_link_find(ifindex, true);
	if (l->rp_filter == value)
		return;
	l->rp_filter = value;
	dp_link_write(l);
}

void dp_link_xdp_features(int ifindex, bool known, bool ndo_xmit)
{
	struct dp_link *l = dp_link_find(ifindex, true);

	if (l->feat_known == known && l->ndo_xmit == ndo_xmit)
		return;
	l->feat_known = known;
	l->ndo_xmit = ndo_xmit;
	if (l->known)
		dp_link_changed(l);
}

/*
 * When a link goes down the kernel flushes its neighbours and reports
 * that before the link itself. Asking the link's state at the first
 * flushed neighbour lets the groups be rewritten once, without the dead
 * path, instead of once with it unresolved and again without it.
 */
bool dp_link_probe_down(int ifindex)
{
	struct dp_link *l = dp_link_find(ifindex, false);
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
	l->up = false;
	dp_link_changed(l);
	return true;
}

void dp_link_delete(int ifindex)
{
	struct dp_link *l = dp_link_find(ifindex, false);

	if (!l)
		return;
	l->known = false;
	l->cfg = 0;
	dp_link_changed(l);
	dp_link_free_if_unused(l);
}

void dp_link_mark_all(void)
{
	struct dp_link *l;

	frr_each (dp_links, &dp_links, l)
		l->stale = l->known;
}

/* Links the kernel no longer lists went while events were lost. */
void dp_link_sweep(void)
{
	struct dp_link *l;

	frr_each_safe (dp_links, &dp_links, l)
		if (l->stale) {
			l->stale = false;
			dp_dbg("link %d vanished during a netlink overrun",
			       l->ifindex);
			dp_neigh_flush_intf(l->ifindex);
			dp_link_delete(l->ifindex);
		}
}
