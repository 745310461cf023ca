// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel policy the fast path would bypass (dp_policy.h).
 *
 * xfrm policies are followed by event (their netlink group) because they
 * decide whether the datapath forwards at all; the rest is scanned every
 * DP_POLICY_SCAN_SECS, and only reported.
 */

#include "config.h"

/* Before the kernel's headers, whose linux/in.h clashes with netinet/in.h
 * when it comes first. */
#include "lib/zebra.h"

#include <linux/fib_rules.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/xfrm.h>

#include "lib/frr_pthread.h"
#include "lib/thread.h"

#include "dp_abi.h"
#include "core/dp_plugin.h"
#include "core/dp_stall.h"
#include "maps/dp_maps.h"
#include "kernel/dp_link.h"
#include "kernel/dp_nlutil.h"
#include "kernel/dp_policy.h"

#define DP_POLICY_SCAN_SECS 10

static struct {
	struct thread_master *master;
	int xfrm_fd;
	struct thread *t_xfrm;
	struct thread *t_scan;
	bool ipsec_ignore;  /* owner's copy of the configuration */
	struct dp_policy_report now; /* owner thread's findings */
} dp_pol = { .xfrm_fd = -1 };

/* What show commands read: a copy under a lock never held for long. */
static pthread_mutex_t dp_pol_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct dp_policy_report dp_pol_copy;

void dp_policy_report(struct dp_policy_report *r)
{
	frr_with_mutex (&dp_pol_mtx)
		*r = dp_pol_copy;
}

/* ----------------------------------------------------------- xfrm */

static int dp_count_cb(const struct nlmsghdr *h, void *arg)
{
	(*(uint32_t *)arg)++;
	return 0;
}

static int dp_xfrm_count(uint32_t *n)
{
	struct {
		struct nlmsghdr h;
		uint32_t pad;
	} req = {
		.h.nlmsg_len = NLMSG_LENGTH(sizeof(uint32_t)),
		.h.nlmsg_type = XFRM_MSG_GETPOLICY,
		.h.nlmsg_flags = NLM_F_DUMP,
	};

	*n = 0;
	return dp_nl_request(NETLINK_XFRM, &req.h, dp_count_cb, n);
}

/* The datapath hands everything over while policies exist, unless told
 * not to. Owner thread, or module load. */
static void dp_ipsec_apply(uint32_t policies)
{
	bool pass = policies && !dp_pol.ipsec_ignore;
	bool was = dp_meta_flags() & DP_META_F_IPSEC;

	dp_pol.now.xfrm_policies = policies;
	dp_pol.now.ipsec_ignored = dp_pol.ipsec_ignore;
	dp_pol.now.ipsec_passing = pass;
	if (pass == was)
		return;
	if (dp_meta_set_flags(DP_META_F_IPSEC, pass ? DP_META_F_IPSEC : 0)) {
		zlog_err("ebpf: cannot switch IPsec handling in meta_map: %s",
			 safe_strerror(errno));
		return;
	}
	if (pass)
		zlog_warn("ebpf: %u xfrm (IPsec) policies exist: every packet goes to the kernel so that none bypasses them (`ignore-ipsec-policies` in the ebpf node forwards anyway)",
			  policies);
	else if (policies)
		zlog_warn("ebpf: %u xfrm (IPsec) policies exist and are ignored by configuration: traffic they would protect is forwarded in clear",
			  policies);
	else
		zlog_notice("ebpf: no xfrm policy left: the datapath forwards again");
}

static void dp_policy_publish(void)
{
	dp_pol.now.scanned = true;
	frr_with_mutex (&dp_pol_mtx)
		dp_pol_copy = dp_pol.now;
}

static void dp_xfrm_recount(void)
{
	uint32_t n;
	int ret;

	frr_with_privs (dp_privs()) {
		ret = dp_xfrm_count(&n);
		/* Not knowing is treated as having some; a kernel without
		 * xfrm netlink (no xfrm_user) can hold none. */
		if (ret == -EPROTONOSUPPORT) {
			n = 0;
		} else if (ret) {
			zlog_warn("ebpf: cannot list xfrm policies: %s",
				  safe_strerror(-ret));
			n = dp_pol.now.xfrm_policies ? dp_pol.now.xfrm_policies
						     : 1;
		}
		dp_ipsec_apply(n);
	}
	dp_policy_publish();
}

void dp_policy_boot(void)
{
	uint32_t n = 0;
	int ret = dp_xfrm_count(&n);

	if (ret && ret != -EPROTONOSUPPORT)
		n = 1;
	dp_ipsec_apply(n);
}

static void dp_xfrm_read(struct thread *t)
{
	char buf[4096];

	/* Which event it was does not matter: count again. */
	while (recv(dp_pol.xfrm_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0 ||
	       errno == ENOBUFS)
		;
	dp_xfrm_recount();
	thread_add_read(dp_pol.master, dp_xfrm_read, NULL, dp_pol.xfrm_fd,
			&dp_pol.t_xfrm);
}

static void dp_xfrm_watch(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1 << (XFRMNLGRP_POLICY - 1),
	};

	dp_pol.xfrm_fd = socket(AF_NETLINK,
				SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
				NETLINK_XFRM);
	if (dp_pol.xfrm_fd < 0) {
		/* No xfrm in this kernel: no policy can exist. */
		return;
	}
	frr_with_privs (dp_privs()) {
		if (bind(dp_pol.xfrm_fd, (struct sockaddr *)&sa, sizeof(sa))) {
			zlog_warn("ebpf: cannot watch xfrm policies: %s; they are counted every %d s",
				  safe_strerror(errno), DP_POLICY_SCAN_SECS);
			close(dp_pol.xfrm_fd);
			dp_pol.xfrm_fd = -1;
			return;
		}
	}
	thread_add_read(dp_pol.master, dp_xfrm_read, NULL, dp_pol.xfrm_fd,
			&dp_pol.t_xfrm);
}

/* ------------------------------------------------------- netfilter */

struct dp_nft_chain {
	uint8_t family;
	char table[64];
	char name[64];
	char hook[16];
	bool drops; /* policy drop */
};

struct dp_nft_scan {
	struct dp_nft_chain chains[32];
	uint32_t n;
};

/* The hook's name if forwarded packets pass it, else NULL. */
static const char *dp_nft_hook_bypassed(uint8_t family, uint32_t hook)
{
	switch (family) {
	case NFPROTO_IPV4:
	case NFPROTO_IPV6:
	case NFPROTO_INET:
		if (hook == NF_INET_PRE_ROUTING)
			return "prerouting";
		if (hook == NF_INET_FORWARD)
			return "forward";
		if (hook == NF_INET_POST_ROUTING)
			return "postrouting";
		return NULL;
	case NFPROTO_NETDEV:
		return hook == 0 ? "ingress" : "egress";
	default:
		return NULL;
	}
}

static const char *dp_nft_family_name(uint8_t family)
{
	switch (family) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_NETDEV:
		return "netdev";
	}
	return "?";
}

static int dp_nft_chain_cb(const struct nlmsghdr *h, void *arg)
{
	struct dp_nft_scan *scan = arg;
	const struct nfgenmsg *g = NLMSG_DATA(h);
	struct rtattr *tb[NFTA_CHAIN_MAX + 1], *hk[NFTA_HOOK_MAX + 1];
	struct dp_nft_chain *c;
	const char *hook;
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*g));

	if (len < 0 || scan->n == array_size(scan->chains))
		return 0;
	dp_nl_attrs(tb, NFTA_CHAIN_MAX,
		    (struct rtattr *)((char *)g + NLMSG_ALIGN(sizeof(*g))),
		    len);
	if (!tb[NFTA_CHAIN_HOOK] || !tb[NFTA_CHAIN_TABLE] ||
	    !tb[NFTA_CHAIN_NAME])
		return 0;
	dp_nl_attrs(hk, NFTA_HOOK_MAX, RTA_DATA(tb[NFTA_CHAIN_HOOK]),
		    RTA_PAYLOAD(tb[NFTA_CHAIN_HOOK]));
	if (!hk[NFTA_HOOK_HOOKNUM])
		return 0;
	hook = dp_nft_hook_bypassed(
		g->nfgen_family,
		ntohl(*(uint32_t *)RTA_DATA(hk[NFTA_HOOK_HOOKNUM])));
	if (!hook)
		return 0;
	c = &scan->chains[scan->n++];
	c->family = g->nfgen_family;
	strlcpy(c->table, RTA_DATA(tb[NFTA_CHAIN_TABLE]), sizeof(c->table));
	strlcpy(c->name, RTA_DATA(tb[NFTA_CHAIN_NAME]), sizeof(c->name));
	strlcpy(c->hook, hook, sizeof(c->hook));
	c->drops = tb[NFTA_CHAIN_POLICY] &&
		   ntohl(*(uint32_t *)RTA_DATA(tb[NFTA_CHAIN_POLICY])) ==
			   NF_DROP;
	return 0;
}

static void dp_nft_request(struct nlmsghdr *h, uint8_t family, int msg)
{
	struct nfgenmsg *g = NLMSG_DATA(h);

	h->nlmsg_len = NLMSG_LENGTH(sizeof(*g));
	h->nlmsg_type = NFNL_SUBSYS_NFTABLES << 8 | msg;
	h->nlmsg_flags = NLM_F_DUMP;
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
}

/* Rules in one chain (the kernel filters the dump by table and chain). */
static uint32_t dp_nft_rules(const struct dp_nft_chain *c)
{
	uint8_t buf[NLMSG_SPACE(sizeof(struct nfgenmsg)) + 2 * RTA_SPACE(64)] =
		{};
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	uint32_t n = 0;

	dp_nft_request(h, c->family, NFT_MSG_GETRULE);
	dp_nl_add_attr(h, sizeof(buf), NFTA_RULE_TABLE, c->table,
		       strlen(c->table) + 1);
	dp_nl_add_attr(h, sizeof(buf), NFTA_RULE_CHAIN, c->name,
		       strlen(c->name) + 1);
	if (dp_nl_request(NETLINK_NETFILTER, h, dp_count_cb, &n))
		return 0;
	return n;
}

static void dp_nft_scan(struct dp_policy_report *r)
{
	uint8_t buf[NLMSG_SPACE(sizeof(struct nfgenmsg))] = {};
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct dp_nft_scan scan = {};
	uint32_t i;

	r->nft_chains = 0;
	r->nft_first[0] = '\0';
	dp_nft_request(h, NFPROTO_UNSPEC, NFT_MSG_GETCHAIN);
	if (dp_nl_request(NETLINK_NETFILTER, h, dp_nft_chain_cb, &scan))
		return;
	for (i = 0; i < scan.n; i++) {
		const struct dp_nft_chain *c = &scan.chains[i];

		if (!c->drops && !dp_nft_rules(c))
			continue;
		if (!r->nft_chains++)
			snprintf(r->nft_first, sizeof(r->nft_first),
				 "%s %s %s (hook %s)",
				 dp_nft_family_name(c->family), c->table,
				 c->name, c->hook);
	}
}

/* Tables of legacy iptables (not nft-based) loaded in this namespace. */
static void dp_iptables_legacy_scan(struct dp_policy_report *r)
{
	static const char *const files[] = { "/proc/net/ip_tables_names",
					     "/proc/net/ip6_tables_names" };
	char line[32];
	size_t i, len;
	FILE *f;

	r->iptables_legacy[0] = '\0';
	for (i = 0; i < array_size(files); i++) {
		f = fopen(files[i], "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			if (strstr(r->iptables_legacy, line))
				continue;
			len = strlen(r->iptables_legacy);
			snprintf(r->iptables_legacy + len,
				 sizeof(r->iptables_legacy) - len, "%s%s",
				 len ? " " : "", line);
		}
		fclose(f);
	}
}

/* ---------------------------------------------------------- rules */

/*
 * The kernel's own rules: local (0), main (32766), default (32767), and
 * the l3mdev rule it adds with the first VRF, which only sends the
 * traffic of a VRF's ports to that VRF's table (ports the plugin refuses
 * to enable).
 */
static int dp_rule_cb(const struct nlmsghdr *h, void *arg)
{
	const struct fib_rule_hdr *frh = NLMSG_DATA(h);
	struct rtattr *tb[FRA_MAX + 1];
	uint32_t prio = 0, table;
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*frh));

	if (len < 0)
		return 0;
	dp_nl_attrs(tb, FRA_MAX,
		    (struct rtattr *)((char *)frh + NLMSG_ALIGN(sizeof(*frh))),
		    len);
	if (tb[FRA_PRIORITY])
		prio = *(uint32_t *)RTA_DATA(tb[FRA_PRIORITY]);
	table = tb[FRA_TABLE] ? *(uint32_t *)RTA_DATA(tb[FRA_TABLE])
			      : frh->table;
	if (tb[FRA_L3MDEV] && *(uint8_t *)RTA_DATA(tb[FRA_L3MDEV]))
		return 0;
	if (frh->action == FR_ACT_TO_TBL &&
	    ((prio == 0 && table == RT_TABLE_LOCAL) ||
	     (prio == 32766 && table == RT_TABLE_MAIN) ||
	     (prio == 32767 && table == RT_TABLE_DEFAULT)))
		return 0;
	(*(uint32_t *)arg)++;
	return 0;
}

static void dp_rules_scan(struct dp_policy_report *r)
{
	static const int families[] = { AF_INET, AF_INET6 };
	uint8_t buf[NLMSG_SPACE(sizeof(struct fib_rule_hdr))];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;

	r->ip_rules = 0;
	for (size_t i = 0; i < array_size(families); i++) {
		memset(buf, 0, sizeof(buf));
		h->nlmsg_len = NLMSG_LENGTH(sizeof(struct fib_rule_hdr));
		h->nlmsg_type = RTM_GETRULE;
		h->nlmsg_flags = NLM_F_DUMP;
		((struct fib_rule_hdr *)NLMSG_DATA(h))->family = families[i];
		dp_nl_request(NETLINK_ROUTE, h, dp_rule_cb, &r->ip_rules);
	}
}

/* ------------------------------------------------------------- scan */

/* One line when a kind of policy appears, one when it goes. */
static void dp_policy_log(const struct dp_policy_report *old,
			  const struct dp_policy_report *r)
{
	if (r->nft_chains && !old->nft_chains)
		zlog_warn("ebpf: nftables chain %s and %u more see no packet the datapath forwards; forward through the kernel (no `ebpf interface`) where they must apply",
			  r->nft_first, r->nft_chains - 1);
	if (r->iptables_legacy[0] && !old->iptables_legacy[0])
		zlog_warn("ebpf: legacy iptables tables are loaded (%s): their PREROUTING, FORWARD and POSTROUTING rules see no packet the datapath forwards",
			  r->iptables_legacy);
	if (r->ip_rules && !old->ip_rules)
		zlog_warn("ebpf: %u policy routing rules exist: the datapath looks up the main table only",
			  r->ip_rules);
}

/*
 * One scan is a few netlink round trips; each step is its own event so
 * that zebra's dplane pthread runs in between.
 */
static void (*const dp_policy_steps[])(struct dp_policy_report *r) = {
	dp_nft_scan,
	dp_iptables_legacy_scan,
	dp_rules_scan,
};

static void dp_policy_scan_again(struct thread *t);

static void dp_policy_scan(struct thread *t)
{
	static struct dp_policy_report prev;
	size_t step = THREAD_VAL(t);

	if (step == 0)
		prev = dp_pol.now;
	if (step < array_size(dp_policy_steps)) {
		DP_STALL_BEGIN(DP_STALL_POLICY);
		frr_with_privs (dp_privs())
			dp_policy_steps[step](&dp_pol.now);
		DP_STALL_END(DP_STALL_POLICY);
		thread_add_event(dp_pol.master, dp_policy_scan, NULL, step + 1,
				 &dp_pol.t_scan);
		return;
	}
	dp_policy_log(prev.scanned ? &prev : &(struct dp_policy_report){},
		      &dp_pol.now);
	dp_xfrm_recount();
	thread_add_timer(dp_pol.master, dp_policy_scan_again, NULL,
			 DP_POLICY_SCAN_SECS, &dp_pol.t_scan);
}

static void dp_policy_scan_again(struct thread *t)
{
	thread_add_event(dp_pol.master, dp_policy_scan, NULL, 0,
			 &dp_pol.t_scan);
}

void dp_policy_start(struct thread_master *master)
{
	dp_pol.master = master;
	dp_xfrm_watch();
	thread_add_event(master, dp_policy_scan, NULL, 0, &dp_pol.t_scan);
}

void dp_policy_stop(void)
{
	if (dp_pol.master) {
		thread_cancel_async(dp_pol.master, &dp_pol.t_xfrm, NULL);
		thread_cancel_async(dp_pol.master, &dp_pol.t_scan, NULL);
	}
	if (dp_pol.xfrm_fd >= 0)
		close(dp_pol.xfrm_fd);
	dp_pol.xfrm_fd = -1;
}

static void dp_ipsec_ignore_apply(struct thread *t)
{
	dp_pol.ipsec_ignore = THREAD_VAL(t);
	dp_xfrm_recount();
}

void dp_policy_set_ipsec_ignore(bool ignore)
{
	if (!dp_maps_ready())
		return;
	thread_add_event(dp_owner_master(), dp_ipsec_ignore_apply, NULL, ignore,
			 NULL);
}
