/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel policy the fast path would bypass. A packet the datapath
 * forwards never meets the kernel's netfilter hooks, xfrm (IPsec)
 * policies or policy routing rules (the reverse-path filter it applies
 * itself, bpf/lib/rpf.h). The plugin looks
 * for each, says so in `show ebpf dataplane` and the log, and for xfrm
 * policies does more: while any exists, every packet goes to the kernel
 * (traffic must never leave in clear text because of the datapath),
 * unless the operator configures `ignore-ipsec-policies`.
 */
#ifndef DP_POLICY_H
#define DP_POLICY_H

#include <stdbool.h>
#include <stdint.h>

struct thread_master;

struct dp_policy_report {
	bool scanned;		/* at least one scan has run */
	uint32_t xfrm_policies; /* xfrm policies (all directions) */
	bool ipsec_ignored;	/* `ignore-ipsec-policies` configured */
	bool ipsec_passing;	/* the datapath hands everything over */
	/* nftables base chains at a hook forwarded packets pass (ip, ip6,
	 * inet prerouting/forward/postrouting; netdev ingress/egress)
	 * that hold rules or drop by policy, and the first one found */
	uint32_t nft_chains;
	char nft_first[128];
	char iptables_legacy[64]; /* legacy iptables tables loaded, or "" */
	uint32_t ip_rules;	  /* policy rules besides the defaults */
};

/* Module load, as root: xfrm policies already there keep the datapath
 * out of the way from the first packet. */
extern void dp_policy_boot(void);

/* Owner thread: watch xfrm policies, scan the rest periodically. */
extern void dp_policy_start(struct thread_master *master);
extern void dp_policy_stop(void);

/* Main thread (configuration): forward even while xfrm policies exist. */
extern void dp_policy_set_ipsec_ignore(bool ignore);

/* Any thread: the last scan's findings. */
extern void dp_policy_report(struct dp_policy_report *r);

#endif /* DP_POLICY_H */
