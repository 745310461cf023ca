// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat_src_map, written on the owner pthread (nat.h). A rule is in the map
 * while its out-interface exists and, for masquerade, has an address of
 * the rule's family: the first the kernel lists for it (IPv4: a primary
 * address; IPv6: one of global scope). The rules follow their interface
 * and its addresses: dp_link_appeared / dp_link_changed and
 * dp_local_changed (core/dp_hooks.h) make every rule be checked again.
 */
#include <zebra.h>

#include <pthread.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <bpf/bpf.h>

#include "lib/hook.h"
#include "lib/memory.h"
#include "lib/prefix.h"
#include "lib/privs.h"
#include "lib/thread.h"

#include "dp_abi.h"
#include "core/dp_hooks.h"
#include "core/dp_plugin.h"
#include "core/dp_stall.h"
#include "maps/dp_maps.h"
#include "kernel/dp_nlutil.h"
#include "ct/ct.h"
#include "nat/nat.h"

DEFINE_MTYPE_STATIC(EBPF, NAT_RULE, "eBPF source NAT rule");

struct nat_rule {
	struct nat_rule *next;
	struct nat_rule_spec spec;
	struct nat_rule_status st;
	struct dp_nat_src_key key;
	/* the conntrack filter's: the pool, where the replies go */
	struct ct_addr_holder filter[DP_NAT_POOL_MAX];
};

static struct {
	pthread_mutex_t mtx; /* owner writes, show reads */
	struct nat_rule *rules;
	uint32_t installed;
	/* rules an earlier run left in reused pins, kept (their flows
	 * continue) until the resync removes those no rule rewrote */
	uint32_t held;
	bool started;
} nat = {.mtx = PTHREAD_MUTEX_INITIALIZER};

static struct nat_rule **nat_rule_find(const struct prefix *p,
				       const char *ifname)
{
	struct nat_rule **pr;

	for (pr = &nat.rules; *pr; pr = &(*pr)->next)
		if (prefix_same(&(*pr)->spec.prefix, p) &&
		    strmatch((*pr)->spec.ifname, ifname))
			return pr;
	return pr;
}

/* ------------------------------------------ masquerade: the address */

struct nat_addr_query {
	int ifindex;
	uint8_t family;
	uint32_t *addr;
	bool found;
};

static int nat_addr_cb(const struct nlmsghdr *h, void *arg)
{
	struct nat_addr_query *q = arg;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *tb[IFA_MAX + 1];
	struct rtattr *a;
	uint32_t flags;

	if (q->found || h->nlmsg_type != RTM_NEWADDR ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    (int)ifa->ifa_index != q->ifindex || ifa->ifa_family != q->family ||
	    ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return 0;
	dp_nl_attrs(tb, IFA_MAX, IFA_RTA(ifa),
		    h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa)));
	flags = tb[IFA_FLAGS] ? *(uint32_t *)RTA_DATA(tb[IFA_FLAGS])
			      : ifa->ifa_flags;
	if (flags & (IFA_F_SECONDARY | IFA_F_TENTATIVE | IFA_F_DADFAILED))
		return 0;
	/* IFA_LOCAL is the address on point-to-point links */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a)
		return 0;
	memset(q->addr, 0, 16);
	memcpy(q->addr, RTA_DATA(a), q->family == AF_INET ? 4 : 16);
	q->found = true;
	return 0;
}

/* The first address of family on ifindex, as the kernel lists them. */
static bool nat_if_addr(int ifindex, uint8_t family, uint32_t addr[4])
{
	uint8_t buf[NLMSG_SPACE(sizeof(struct ifaddrmsg))] = {};
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct nat_addr_query q = {
		.ifindex = ifindex,
		.family = family,
		.addr = addr,
	};

	h->nlmsg_type = RTM_GETADDR;
	h->nlmsg_flags = NLM_F_DUMP;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	ifa->ifa_family = family;
	ifa->ifa_index = ifindex; /* strict dump: this interface only */
	return dp_nl_request_strict(NETLINK_ROUTE, h, nat_addr_cb, &q) == 0 &&
	       q.found;
}

/* ------------------------------------------------------------- the map */

static void nat_meta_update(void)
{
	bool on = nat.installed || nat.held;

	if (on)
		ct_set_user(CT_USER_SNAT, true);
	dp_meta_set_flags(DP_META_F_SNAT, on ? DP_META_F_SNAT : 0);
	if (!on)
		ct_set_user(CT_USER_SNAT, false);
}

/* The pool's addresses in the conntrack filter: n of them (0: none). */
static void nat_rule_filter(struct nat_rule *r, uint8_t family,
			    const struct dp_nat_src *val, uint16_t n)
{
	for (uint16_t i = 0; i < DP_NAT_POOL_MAX; i++)
		if (i < n)
			ct_addr_hold(&r->filter[i], family, val->addrs[i],
				     DP_CT_ADDR_F_DST);
		else
			ct_addr_drop(&r->filter[i]);
}

static void nat_rule_uninstall(struct nat_rule *r)
{
	/* its flows' addresses drain (ct/ct_filter.c) */
	nat_rule_filter(r, 0, NULL, 0);
	if (!r->st.installed)
		return;
	bpf_map_delete_elem(dp_map_fd(DP_MAP_NAT_SRC), &r->key);
	r->st.installed = false;
	nat.installed--;
	nat_meta_update();
}

/* Bring nat_src_map in line with the rule and its interface now. */
static void nat_rule_sync(struct nat_rule *r)
{
	const struct nat_rule_spec *s = &r->spec;
	uint8_t family = s->prefix.family;
	struct dp_nat_src val = {};
	char err[128];

	r->st.why[0] = '\0';
	if (!dp_maps_ready()) {
		snprintf(r->st.why, sizeof(r->st.why),
			 "the datapath is not loaded");
		return;
	}
	r->st.ifindex = if_nametoindex(s->ifname);
	if (!r->st.ifindex) {
		snprintf(r->st.why, sizeof(r->st.why),
			 "interface %s does not exist", s->ifname);
		nat_rule_uninstall(r);
		return;
	}
	val.out_ifindex = r->st.ifindex;
	if (s->masquerade) {
		val.flags = DP_NAT_F_MASQUERADE;
		val.n_addrs = 1;
		if (!nat_if_addr(r->st.ifindex, family, val.addrs[0])) {
			snprintf(r->st.why, sizeof(r->st.why),
				 "interface %s has no %s address to masquerade with",
				 s->ifname, family == AF_INET ? "IPv4" : "IPv6");
			nat_rule_uninstall(r);
			return;
		}
	} else if (nat_pool_expand(family, s->first, s->last, val.addrs,
				   &val.n_addrs, err, sizeof(err))) {
		strlcpy(r->st.why, err, sizeof(r->st.why));
		nat_rule_uninstall(r);
		return;
	}
	ct_nat_port_range(&val.port_min, &val.port_max);
	if (r->st.installed && !memcmp(&val, &r->st.val, sizeof(val)))
		return;

	memset(&r->key, 0, sizeof(r->key));
	r->key.prefixlen = 32 + s->prefix.prefixlen;
	r->key.family = family;
	memcpy(r->key.addr, &s->prefix.u.prefix,
	       family == AF_INET ? 4 : 16);
	if (!r->st.installed) {
		nat.installed++;
		nat_meta_update();
	}
	/* before a flow can take them: their replies are looked up */
	nat_rule_filter(r, family, &val, val.n_addrs);
	if (bpf_map_update_elem(dp_map_fd(DP_MAP_NAT_SRC), &r->key, &val,
				BPF_ANY)) {
		snprintf(r->st.why, sizeof(r->st.why),
			 "nat_src_map refused it: %s", safe_strerror(errno));
		r->st.installed = true;
		nat_rule_uninstall(r);
		return;
	}
	r->st.installed = true;
	r->st.val = val;
}

/* ------------------------------------------------------ owner's events */

#define NAT_OWNER_BEGIN()                                                      \
	DP_STALL_BEGIN(DP_STALL_LB);                                           \
	pthread_mutex_lock(&nat.mtx);                                          \
	frr_with_privs (dp_privs())
#define NAT_OWNER_END()                                                        \
	pthread_mutex_unlock(&nat.mtx);                                        \
	DP_STALL_END(DP_STALL_LB)

static void nat_owner_rule(struct thread *t)
{
	struct nat_rule_spec *spec = THREAD_ARG(t);
	struct nat_rule **pr, *r;

	NAT_OWNER_BEGIN() {
		pr = nat_rule_find(&spec->prefix, spec->ifname);
		r = *pr;
		if (!r) {
			r = XCALLOC(MTYPE_NAT_RULE, sizeof(*r));
			*pr = r;
		}
		r->spec = *spec;
		nat_rule_sync(r);
	}
	NAT_OWNER_END();
	XFREE(MTYPE_TMP, spec);
}

void nat_owner_post_rule(struct nat_rule_spec *spec)
{
	dp_owner_post(nat_owner_rule, spec);
}

static void nat_rule_remove(struct nat_rule **pr)
{
	struct nat_rule *r = *pr;

	nat_rule_uninstall(r);
	*pr = r->next;
	XFREE(MTYPE_NAT_RULE, r);
}

static void nat_owner_del(struct thread *t)
{
	struct nat_rule_spec *spec = THREAD_ARG(t);
	struct nat_rule **pr;

	NAT_OWNER_BEGIN() {
		pr = nat_rule_find(&spec->prefix, spec->ifname);
		if (*pr)
			nat_rule_remove(pr);
	}
	NAT_OWNER_END();
	XFREE(MTYPE_TMP, spec);
}

void nat_owner_post_del(const struct prefix *prefix, const char *ifname)
{
	struct nat_rule_spec *spec = XCALLOC(MTYPE_TMP, sizeof(*spec));

	spec->prefix = *prefix;
	strlcpy(spec->ifname, ifname, sizeof(spec->ifname));
	dp_owner_post(nat_owner_del, spec);
}

static void nat_owner_del_all(struct thread *t)
{
	NAT_OWNER_BEGIN() {
		while (nat.rules)
			nat_rule_remove(&nat.rules);
	}
	NAT_OWNER_END();
}

void nat_owner_post_del_all(void)
{
	dp_owner_post(nat_owner_del_all, NULL);
}

/* An interface or an address changed: every rule is checked again. */
static void nat_owner_resync(void)
{
	struct nat_rule *r;

	if (!nat.started || !nat.rules)
		return;
	NAT_OWNER_BEGIN() {
		for (r = nat.rules; r; r = r->next)
			nat_rule_sync(r);
	}
	NAT_OWNER_END();
}

static int nat_link_appeared(int ifindex, const char *name)
{
	nat_owner_resync();
	return 0;
}

static int nat_link_changed(int ifindex, bool egress_changed)
{
	nat_owner_resync();
	return 0;
}

static int nat_local_changed(int family, const union g_addr *addr,
			     uint8_t plen, uint8_t type, bool add)
{
	nat_owner_resync();
	return 0;
}

static bool nat_key_installed(const struct dp_nat_src_key *key)
{
	for (struct nat_rule *r = nat.rules; r; r = r->next)
		if (r->st.installed && !memcmp(&r->key, key, sizeof(*key)))
			return true;
	return false;
}

/* The resync: an earlier run's rules that no rule of this run rewrote
 * go (the flows they made keep their translation in conntrack). */
static int nat_resync_done(void)
{
	int fd = dp_map_fd(DP_MAP_NAT_SRC);
	struct dp_nat_src_key key, next, *prev = NULL;
	uint32_t removed = 0;

	if (!nat.held)
		return 0;
	NAT_OWNER_BEGIN() {
		while (bpf_map_get_next_key(fd, prev, &next) == 0) {
			if (prev && !nat_key_installed(&key) &&
			    !bpf_map_delete_elem(fd, &key))
				removed++;
			key = next;
			prev = &key;
		}
		if (prev && !nat_key_installed(&key) &&
		    !bpf_map_delete_elem(fd, &key))
			removed++;
		nat.held = 0;
		nat_meta_update();
	}
	NAT_OWNER_END();
	if (removed)
		zlog_info("ebpf: removed %u source NAT rule(s) an earlier run left",
			  removed);
	return 0;
}

void nat_owner_init(void)
{
	hook_register(dp_resync_done, nat_resync_done);
	hook_register(dp_link_appeared, nat_link_appeared);
	hook_register(dp_link_changed, nat_link_changed);
	hook_register(dp_local_changed, nat_local_changed);
}

/* nat_src_map's entries (an LPM trie: no batch reads). */
static uint32_t nat_map_count(void)
{
	int fd = dp_map_fd(DP_MAP_NAT_SRC);
	struct dp_nat_src_key keys[2], *prev = NULL;
	uint32_t n = 0;

	while (bpf_map_get_next_key(fd, prev, &keys[n % 2]) == 0) {
		prev = &keys[n % 2];
		n++;
	}
	return n;
}

void nat_owner_start(void)
{
	if (dp_maps_ready() && dp_maps_reused()) {
		NAT_OWNER_BEGIN() {
			nat.held = nat_map_count();
			nat_meta_update();
		}
		NAT_OWNER_END();
	}
	nat.started = true;
}

bool nat_owner_status(const struct prefix *prefix, const char *ifname,
		      struct nat_rule_status *st)
{
	struct nat_rule *r;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&nat.mtx);
	r = *nat_rule_find(prefix, ifname);
	if (r)
		*st = r->st;
	pthread_mutex_unlock(&nat.mtx);
	return r != NULL;
}
