// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one place where a kernel neighbour becomes a dmac_map entry
 * (dp_neigh.h), and where the neighbours the fast path uses are kept
 * fresh in the kernel.
 *
 * Each neighbour owns a slot in neigh_hit_map; the datapath sets it when
 * it forwards to the neighbour, and every DP_NEIGH_REFRESH_SECS the
 * plugin sends the kernel an NTF_USE for each neighbour it finds set: the
 * kernel's state machine then runs exactly as if it had sent the packets
 * itself (a STALE entry is probed and a changed MAC learnt).
 */

#include "config.h"

#include <sys/mman.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <bpf/bpf.h>

#include "lib/zebra.h"
#include "lib/prefix.h"
#include "lib/typesafe.h"
#include "lib/jhash.h"
#include "lib/memory.h"
#include "lib/thread.h"

#include "dp_abi.h"
#include "core/dp_hooks.h"
#include "core/dp_plugin.h"
#include "core/dp_stall.h"
#include "core/dp_stats.h"
#include "maps/dp_maps.h"
#include "maps/dp_sync.h"
#include "kernel/dp_link.h"
#include "kernel/dp_neigh.h"

DEFINE_MTYPE_STATIC(EBPF, EBPF_NEIGH, "eBPF neighbour mirror");

DEFINE_HOOK(dp_neigh_changed,
	    (int ifindex, int family, const union g_addr *addr),
	    (ifindex, family, addr));

/* Within the kernel's delay_first_probe_time (5 s by default), so that a
 * REACHABLE entry in use is probed rather than left to go STALE. */
#define DP_NEIGH_REFRESH_SECS 2

PREDECL_HASH(dp_neighs);

struct dp_neigh {
	struct dp_neighs_item item;
	struct dp_neigh_key key;
	struct dp_neigh_val val;
	bool stale; /* not seen again in the running resync */
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
	/* neigh_hit_map, mapped; one byte per slot, slot 0 unused */
	volatile uint8_t *hits;
	uint32_t slots;
	uint8_t *slot_used; /* one byte per slot */
	uint32_t slot_next; /* where the next free slot search starts */
	int req_fd;	    /* NTF_USE requests */
	struct thread *t_refresh;
	struct thread_master *master;
} dp_ng = { .neighs = INIT_HASH(dp_ng.neighs), .req_fd = -1 };

uint32_t dp_neigh_count(void)
{
	return dp_neighs_count(&dp_ng.neighs);
}

/* ------------------------------------------------------------ hit slots */

static bool dp_hits_map(void)
{
	uint32_t blocks = dp_map_max_entries(DP_MAP_NEIGH_HIT);
	size_t len = (size_t)blocks * sizeof(struct dp_hit_block);
	void *p;

	if (dp_ng.hits)
		return true;
	if (!blocks || dp_map_fd(DP_MAP_NEIGH_HIT) < 0)
		return false;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 dp_map_fd(DP_MAP_NEIGH_HIT), 0);
	if (p == MAP_FAILED) {
		zlog_warn("ebpf: cannot map neigh_hit_map: %s; neighbours used only by the fast path will not be refreshed",
			  safe_strerror(errno));
		return false;
	}
	dp_ng.hits = p;
	dp_ng.slots = blocks * DP_HIT_BLOCK;
	dp_ng.slot_used = XCALLOC(MTYPE_EBPF_NEIGH, dp_ng.slots);
	dp_ng.slot_used[0] = 1;
	return true;
}

/* A free slot, cleared, or 0 (none: the neighbour is never refreshed). */
static uint32_t dp_slot_alloc(void)
{
	uint32_t i, s;

	if (!dp_hits_map())
		return 0;
	for (i = 0; i < dp_ng.slots; i++) {
		s = (dp_ng.slot_next + i) % dp_ng.slots;
		if (dp_ng.slot_used[s])
			continue;
		dp_ng.slot_used[s] = 1;
		dp_ng.hits[s] = 0;
		dp_ng.slot_next = s + 1;
		return s;
	}
	return 0;
}

static void dp_slot_free(uint32_t s)
{
	if (s && s < dp_ng.slots)
		dp_ng.slot_used[s] = 0;
}

/* -------------------------------------------------------- the table */

static void dp_neigh_key_make(struct dp_neigh_key *key, int ifindex,
			      int family, const void *addr)
{
	memset(key, 0, sizeof(*key));
	key->ifindex = ifindex;
	key->family = family;
	memcpy(key->addr, addr, family == AF_INET ? 4 : 16);
}

static struct dp_neigh *dp_neigh_find(int ifindex, int family,
				      const void *addr)
{
	struct dp_neigh lookup;

	dp_neigh_key_make(&lookup.key, ifindex, family, addr);
	return dp_neighs_find(&dp_ng.neighs, &lookup);
}

bool dp_neigh_lookup(int ifindex, int family, const union g_addr *addr,
		     uint8_t mac[6], uint32_t *hit_slot)
{
	struct dp_neigh *n = dp_neigh_find(ifindex, family, addr);

	if (!n)
		return false;
	memcpy(mac, n->val.dmac, 6);
	*hit_slot = n->val.hit_slot;
	return true;
}

/*
 * A neighbour entry the map refuses (full, no memory) would leave the old
 * MAC behind: the entry goes, and the datapath hands packets for it to
 * TC, which sends them through the kernel's own neighbour table.
 */
static int dp_neigh_write(struct dp_neigh *n)
{
	uint32_t mtu = 0;
	bool up;

	if (!dp_maps_ready())
		return 0;
	dp_link_get(n->key.ifindex, n->val.smac, &mtu, &up);
	n->val.mtu = mtu > UINT16_MAX ? UINT16_MAX : mtu;
	n->val.flags = dp_link_egress(n->key.ifindex) == DP_EGRESS_XDP
			       ? DP_PATH_F_XDP_TX
			       : 0;
	if (bpf_map_update_elem(dp_map_fd(DP_MAP_DMAC), &n->key, &n->val,
				BPF_ANY)) {
		static bool logged;
		int err = errno;

		DP_STAT_INC(neigh_fail);
		bpf_map_delete_elem(dp_map_fd(DP_MAP_DMAC), &n->key);
		if (!logged)
			zlog_warn("ebpf: cannot write dmac_map entry (ifindex %u): %s; this and any further such neighbour is reached through the kernel's neighbour table",
				  n->key.ifindex, safe_strerror(err));
		logged = true;
		return -err;
	}
	dp_sync_touch(DP_MAP_DMAC, &n->key);
	DP_STAT_INC(neigh_add);
	return 0;
}

void dp_neigh_set(int ifindex, int family, const void *addr, const uint8_t *mac,
		  uint16_t state)
{
	struct dp_neigh *n = dp_neigh_find(ifindex, family, addr);
	bool changed;

	if (!n) {
		n = XCALLOC(MTYPE_EBPF_NEIGH, sizeof(*n));
		dp_neigh_key_make(&n->key, ifindex, family, addr);
		n->val.hit_slot = dp_slot_alloc();
		dp_neighs_add(&dp_ng.neighs, n);
		changed = true;
	} else {
		changed = memcmp(n->val.dmac, mac, 6) != 0;
	}
	n->stale = false;
	memcpy(n->val.dmac, mac, 6);
	n->val.state = state;
	dp_neigh_write(n);
	if (changed)
		hook_call(dp_neigh_changed, ifindex, family, addr);
}

/* Drop one entry from the table and dmac_map; the groups are the
 * caller's business. */
static void dp_neigh_remove(struct dp_neigh *n)
{
	if (dp_maps_ready() &&
	    bpf_map_delete_elem(dp_map_fd(DP_MAP_DMAC), &n->key) == 0)
		DP_STAT_INC(neigh_del);
	dp_slot_free(n->val.hit_slot);
	dp_neighs_del(&dp_ng.neighs, n);
	XFREE(MTYPE_EBPF_NEIGH, n);
}

void dp_neigh_del(int ifindex, int family, const void *addr)
{
	struct dp_neigh *n = dp_neigh_find(ifindex, family, addr);
	struct dp_neigh_key key;

	if (!n)
		return;
	/* addr may point into the entry freed below: use a copy. */
	key = n->key;
	dp_neigh_remove(n);
	/* A neighbour flushed by a link going down: handle the link now,
	 * which rewrites its groups once. */
	if (!dp_link_probe_down(ifindex))
		hook_call(dp_neigh_changed, ifindex, family,
			  (const union g_addr *)key.addr);
}

void dp_neigh_intf_changed(int ifindex)
{
	struct dp_neigh *n;

	frr_each (dp_neighs, &dp_ng.neighs, n)
		if (n->key.ifindex == (uint32_t)ifindex)
			dp_neigh_write(n);
}

void dp_neigh_flush_intf(int ifindex)
{
	struct dp_neigh *n;

	frr_each_safe (dp_neighs, &dp_ng.neighs, n)
		if (n->key.ifindex == (uint32_t)ifindex)
			dp_neigh_remove(n);
}

void dp_neigh_mark_all(void)
{
	struct dp_neigh *n;

	frr_each (dp_neighs, &dp_ng.neighs, n)
		n->stale = true;
}

/* Entries the kernel no longer lists went while events were lost. */
void dp_neigh_sweep(void)
{
	struct dp_neigh *n;
	struct dp_neigh_key key;

	frr_each_safe (dp_neighs, &dp_ng.neighs, n) {
		if (!n->stale)
			continue;
		key = n->key;
		dp_neigh_remove(n);
		hook_call(dp_neigh_changed, key.ifindex, key.family,
			  (const union g_addr *)key.addr);
	}
}

/* ---------------------------------------------------------- refresh */

struct dp_ntf_use {
	struct nlmsghdr h;
	struct ndmsg n;
	struct rtattr dst_hdr;
	uint8_t dst[16];
};

/* Append an NTF_USE request for n to buf; returns its length. */
static size_t dp_neigh_use_msg(const struct dp_neigh *n, void *buf)
{
	struct dp_ntf_use *m = buf;
	size_t alen = n->key.family == AF_INET ? 4 : 16;

	memset(m, 0, sizeof(*m));
	m->n.ndm_family = n->key.family;
	m->n.ndm_ifindex = n->key.ifindex;
	m->n.ndm_flags = NTF_USE;
	m->dst_hdr.rta_type = NDA_DST;
	m->dst_hdr.rta_len = RTA_LENGTH(alen);
	memcpy(m->dst, n->key.addr, alen);
	m->h.nlmsg_type = RTM_NEWNEIGH;
	m->h.nlmsg_flags = NLM_F_REQUEST;
	m->h.nlmsg_len = NLMSG_ALIGN(NLMSG_LENGTH(sizeof(m->n))) +
			 RTA_ALIGN(m->dst_hdr.rta_len);
	return NLMSG_ALIGN(m->h.nlmsg_len);
}

static void dp_neigh_send(uint8_t *buf, size_t len)
{
	char drain[4096];

	if (!len)
		return;
	if (send(dp_ng.req_fd, buf, len, 0) < 0)
		dp_dbg("neighbour refresh: %s", safe_strerror(errno));
	/* Errors (an entry gone meanwhile) are of no interest. */
	while (recv(dp_ng.req_fd, drain, sizeof(drain), MSG_DONTWAIT) > 0)
		;
}

static void dp_neigh_refresh(struct thread *t)
{
	static uint8_t buf[32768];
	size_t len = 0;
	struct dp_neigh *n;
	uint64_t sent = 0;

	DP_STALL_BEGIN(DP_STALL_NEIGH);
	frr_with_privs (dp_privs()) {
		frr_each (dp_neighs, &dp_ng.neighs, n) {
			uint32_t s = n->val.hit_slot;

			if (!s || s >= dp_ng.slots || !dp_ng.hits[s])
				continue;
			dp_ng.hits[s] = 0;
			if (len + sizeof(struct dp_ntf_use) > sizeof(buf)) {
				dp_neigh_send(buf, len);
				len = 0;
			}
			len += dp_neigh_use_msg(n, buf + len);
			sent++;
		}
		dp_neigh_send(buf, len);
	}
	atomic_fetch_add_explicit(&dp_stats.neigh_refresh, sent,
				  memory_order_relaxed);
	DP_STALL_END(DP_STALL_NEIGH);
	thread_add_timer(dp_ng.master, dp_neigh_refresh, NULL,
			 DP_NEIGH_REFRESH_SECS, &dp_ng.t_refresh);
}

void dp_neigh_refresh_start(struct thread_master *master)
{
	dp_ng.master = master;
	if (!dp_hits_map())
		return;
	dp_ng.req_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			      NETLINK_ROUTE);
	if (dp_ng.req_fd < 0) {
		zlog_warn("ebpf: netlink socket for neighbour refresh: %s; neighbours used only by the fast path will not be refreshed",
			  safe_strerror(errno));
		return;
	}
	thread_add_timer(master, dp_neigh_refresh, NULL,
			 DP_NEIGH_REFRESH_SECS, &dp_ng.t_refresh);
}

void dp_neigh_refresh_stop(void)
{
	if (dp_ng.master)
		thread_cancel_async(dp_ng.master, &dp_ng.t_refresh, NULL);
	if (dp_ng.req_fd >= 0)
		close(dp_ng.req_fd);
	dp_ng.req_fd = -1;
}
