/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interfaces: which ones run the datapath (configuration) and the intf_map
 * entry that tells the datapath about each (MAC, MTU, state, stats slot).
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
 * line cannot make a whole boot configuration fail.
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
};
extern void dp_intf_foreach(void (*cb)(const struct dp_intf_info *info,
				       void *arg),
			    void *arg);

/* Owner thread, once the maps exist: write every configured link and let
 * the main thread attach what the configuration named before. */
extern void dp_intf_sync_all(void);
extern void dp_intf_maps_ready(void);

/* zebra interface hooks and plugin lifecycle. */
extern void dp_intf_init(void);
extern void dp_intf_fini(void);

/* From the netlink listener: link state or address changed (worker). */
extern void dp_intf_link_update(int ifindex, const char *name,
				const uint8_t *mac, uint32_t mtu, bool up);
extern void dp_intf_link_delete(int ifindex);

/* Owner thread: ask the kernel whether a link we believe up is down; if
 * so, apply that now (groups rewritten without its paths). */
extern bool dp_intf_link_probe_down(int ifindex);

/* Owner thread: what the kernel last said about a link. False if the
 * link is unknown. */
extern bool dp_intf_link_get(int ifindex, uint8_t mac[6], uint32_t *mtu,
			     bool *up);

#endif /* DP_INTF_H */
