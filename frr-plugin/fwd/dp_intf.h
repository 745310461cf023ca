/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interfaces: which ones run the datapath (configuration, zebra's main
 * pthread) and the programs attached to them. The link state and the
 * intf_map entries are dp_link.c's, on the owner pthread.
 */
#ifndef DP_INTF_H
#define DP_INTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dp_mode {
	DP_MODE_XDP = 0, /* XDP fast path + TC ingress for what XDP hands on */
	DP_MODE_TC = 1,	 /* TC ingress only */
};

extern const char *dp_mode_name(enum dp_mode mode);

/*
 * Configuration entry points, called on zebra's main thread by the
 * northbound callbacks. dp_intf_check() validates without side effects;
 * dp_intf_enable() attaches the programs synchronously so that the user
 * sees a failure at the prompt; dp_intf_disable() detaches and forgets.
 * Both return 0 or -errno with a message for the user in err.
 *
 * With allow_absent (a startup or batch configuration), an interface that
 * does not exist yet, or a datapath that failed to load, is not an error:
 * the interface is remembered and attached when it appears, so one such
 * line cannot make a whole boot configuration fail. An interface that is
 * enslaved (to a bridge, bond or VRF) or is not Ethernet is refused at
 * the prompt; from a boot configuration it is accepted and left to the
 * kernel while it stays so.
 */
extern int dp_intf_check(const char *ifname, enum dp_mode mode,
			 bool allow_absent, char *err, size_t errlen);
extern int dp_intf_enable(const char *ifname, enum dp_mode mode,
			  bool allow_absent, char *err, size_t errlen);
extern void dp_intf_disable(const char *ifname);

/* Configured interfaces, in name order, for show commands. */
struct dp_intf_info {
	char name[64];
	int ifindex;	  /* 0 when the interface does not exist (now) */
	enum dp_mode mode;
	bool xdp_attached;
	bool tc_attached;
	bool oper_up;
	uint8_t mac[6];
	uint32_t mtu;
	uint32_t stats_idx;
	/* Why the datapath leaves its traffic to the kernel, or "". */
	char not_routed[192];
};
extern void dp_intf_foreach(void (*cb)(const struct dp_intf_info *info,
				       void *arg),
			    void *arg);

/* Main thread, at init: zebra's interface hooks, and dp_link_appeared
 * (core/dp_hooks.h), after which the configured interface is attached. */
extern void dp_intf_init(void);
/* zebra stopping: forget the configuration; detach the programs unless
 * they are to go on forwarding (zebra -r). */
extern void dp_intf_fini(bool detach);

#endif /* DP_INTF_H */
