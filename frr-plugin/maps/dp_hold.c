// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Renewing the datapath's trust in zebra (dp_hold.h).
 */
#include "config.h"

#include <stdatomic.h>
#include <time.h>

#include "lib/zebra.h"
#include "lib/thread.h"

#include "core/dp_plugin.h"
#include "maps/dp_hold.h"
#include "maps/dp_maps.h"

#define DP_NS_PER_S 1000000000ULL

static struct {
	uint32_t hold_s;
	enum dp_hold_source source;
	struct thread *timer;
	/* read by show on the main pthread */
	_Atomic uint64_t renewals;
	_Atomic uint64_t failures;
	_Atomic uint64_t until_ns;
} dp_hold;

/* bpf_ktime_get_coarse_ns() is this clock, a tick behind at most. */
static uint64_t dp_hold_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * DP_NS_PER_S + ts.tv_nsec;
}

static int dp_hold_renew(void)
{
	uint64_t until = dp_hold_now_ns() + dp_hold.hold_s * DP_NS_PER_S;
	int ret = 0;

	frr_with_privs (dp_privs())
		ret = dp_meta_set_trust(until);
	if (ret) {
		/* Logged once per run of failures: the next success says so. */
		if (!atomic_fetch_add(&dp_hold.failures, 1))
			zlog_err("ebpf: cannot renew the datapath's hold time in meta_map: %s; it hands every packet to the kernel %u s after the last renewal",
				 safe_strerror(-ret), dp_hold.hold_s);
		return ret;
	}
	if (atomic_exchange(&dp_hold.failures, 0))
		zlog_notice("ebpf: the datapath's hold time is renewed again");
	atomic_fetch_add(&dp_hold.renewals, 1);
	atomic_store(&dp_hold.until_ns, until);
	return 0;
}

/* A third of the hold time, at most a second: two renewals may be missed
 * (a long batch on the dplane pthread) before the datapath gives up. */
static long dp_hold_period_ms(void)
{
	long ms = dp_hold.hold_s * 1000L / 3;

	return ms > 1000 ? 1000 : ms;
}

static void dp_hold_tick(struct thread *t)
{
	dp_hold_renew();
	thread_add_timer_msec(dp_owner_master(), dp_hold_tick, NULL,
			      dp_hold_period_ms(), &dp_hold.timer);
}

int dp_hold_boot(uint32_t hold_s, enum dp_hold_source source)
{
	dp_hold.hold_s = hold_s;
	dp_hold.source = source;
	return dp_hold_renew();
}

void dp_hold_start(void)
{
	if (!dp_hold.hold_s)
		return;
	thread_add_event(dp_owner_master(), dp_hold_tick, NULL, 0,
			 &dp_hold.timer);
}

void dp_hold_stop(void)
{
	struct thread_master *owner = dp_owner_master();

	if (owner)
		thread_cancel_async(owner, &dp_hold.timer, NULL);
}

void dp_hold_get(struct dp_hold_state *st)
{
	uint64_t until = atomic_load(&dp_hold.until_ns);

	st->hold_s = dp_hold.hold_s;
	st->source = dp_hold.source;
	st->trusted_ms = ((int64_t)until - (int64_t)dp_hold_now_ns()) /
			 1000000;
	st->renewals = atomic_load(&dp_hold.renewals);
	st->failures = atomic_load(&dp_hold.failures);
}

const char *dp_hold_source_name(enum dp_hold_source source)
{
	switch (source) {
	case DP_HOLD_ARG:
		return "module argument hold-time";
	case DP_HOLD_ZEBRA_GR:
		return "zebra's graceful restart time (-K)";
	case DP_HOLD_DEFAULT:
		return "default";
	}
	return "?";
}
