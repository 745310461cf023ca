/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every part of the plugin needs from zebra: the pthread that owns
 * the plugin's tables and the privileges for bpf() and netlink calls.
 */
#ifndef DP_PLUGIN_H
#define DP_PLUGIN_H

#include "lib/thread.h"
#include "lib/privs.h"
#include "lib/log.h"
#include "lib/memory.h"

DECLARE_MGROUP(EBPF);

/* zebra's dplane pthread: the one owner of the plugin's tables. NULL
 * until zebra starts its dataplane (after reading its own configuration
 * file). */
extern struct thread_master *dp_owner_master(void);

/*
 * Main pthread: run func(arg) on the owner pthread. Before the owner runs
 * (zebra reading its configuration file happens first), the events wait
 * and are posted in order when it starts.
 */
extern void dp_owner_post(void (*func)(struct thread *), void *arg);

/*
 * zebra drops capabilities after start; bpf() needs CAP_BPF/CAP_SYS_ADMIN
 * whenever kernel.unprivileged_bpf_disabled is set (Debian's default), so
 * every map access runs inside frr_with_privs (dp_privs()).
 */
extern struct zebra_privs_t *dp_privs(void);

/* Debug logging, enabled with `debug ebpf`. */
extern bool dp_debug;
#define dp_dbg(fmt, ...)                                                       \
	do {                                                                   \
		if (dp_debug)                                                  \
			zlog_debug("ebpf: " fmt, ##__VA_ARGS__);               \
	} while (0)

#endif /* DP_PLUGIN_H */
