// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Flows of ct_map (ct.h): removing one, both directions and its backend's
 * active connection; walking the table; the ports translated flows take.
 * Any pthread: bpf() calls and atomic adds only.
 */
#include <zebra.h>

#include <bpf/bpf.h>

#include "lib/privs.h"

#include "dp_abi.h"
#include "core/dp_plugin.h"
#include "maps/dp_mapdump.h"
#include "maps/dp_maps.h"
#include "ct/ct.h"

uint64_t ct_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void ct_peer_key(const struct dp_ct_key *key, const struct dp_ct_val *val,
		 struct dp_ct_key *peer)
{
	/* as the datapath's dp_ct_peer_key(): the swap of the rewrite */
	memset(peer, 0, sizeof(*peer));
	peer->family = key->family;
	peer->proto = key->proto;
	peer->sport = val->nat_dport;
	peer->dport = val->nat_sport;
	memcpy(peer->saddr, val->nat_daddr, sizeof(peer->saddr));
	memcpy(peer->daddr, val->nat_saddr, sizeof(peer->daddr));
}

static bool ct_state_closed(uint64_t state)
{
	return state == DP_CT_TCP_TIME_WAIT || state == DP_CT_TCP_CLOSE;
}

/*
 * One less active connection for a backend (dp_abi.h: user space takes
 * one off for an open flow it removed). Never below zero: a count that is
 * already off must not wrap.
 */
static void ct_conns_sub(uint32_t backend_id)
{
	uint64_t *conns = dp_map_mmap(DP_MAP_LB_BE_CONNS);
	uint64_t n;

	if (!conns || !backend_id ||
	    backend_id >= dp_map_max_entries(DP_MAP_LB_BE_CONNS))
		return;
	n = __atomic_load_n(&conns[backend_id], __ATOMIC_RELAXED);
	while (n && !__atomic_compare_exchange_n(&conns[backend_id], &n, n - 1,
						 false, __ATOMIC_RELAXED,
						 __ATOMIC_RELAXED))
		;
}

int ct_flow_remove(const struct dp_ct_key *key, const struct dp_ct_val *val)
{
	int fd = dp_map_fd(DP_MAP_CT);
	struct dp_ct_key orig_key, reply_key;
	struct dp_ct_val orig;
	int ret = 0;

	if (fd < 0)
		return -EBADF;
	if (val->flags & DP_CT_F_REPLY)
		ct_peer_key(key, val, &orig_key);
	else
		orig_key = *key;

	frr_with_privs (dp_privs()) {
		if (bpf_map_lookup_and_delete_elem(fd, &orig_key, &orig)) {
			ret = errno == ENOENT ? 0 : -errno;
			/* a reply entry left alone: remove it too */
			if (ret == 0 && (val->flags & DP_CT_F_REPLY))
				bpf_map_delete_elem(fd, key);
			break;
		}
		ret = 1;
		if ((orig.flags & DP_CT_F_LB) && !ct_state_closed(orig.state))
			ct_conns_sub(orig.backend_id);
		if (!(orig.flags & DP_CT_F_DSR)) {
			ct_peer_key(&orig_key, &orig, &reply_key);
			bpf_map_delete_elem(fd, &reply_key);
		}
	}
	return ret;
}

struct ct_walk_ctx {
	ct_walk_cb cb;
	void *arg;
};

static bool ct_walk_entry(const void *key, const void *value, void *arg)
{
	struct ct_walk_ctx *ctx = arg;

	return ctx->cb(key, value, ctx->arg);
}

long ct_walk(ct_walk_cb cb, void *arg)
{
	struct ct_walk_ctx ctx = {cb, arg};

	return dp_map_batch_walk(DP_MAP_CT, ct_walk_entry, &ctx);
}

void ct_nat_port_range(uint16_t *min, uint16_t *max)
{
	unsigned int lo = 32768, hi = 60999;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");

	if (f) {
		if (fscanf(f, "%u %u", &lo, &hi) != 2 || lo > hi || hi > 65535)
			lo = 32768, hi = 60999;
		fclose(f);
	}
	if (lo < 1024)
		lo = 1024;
	if (lo == 1024 && hi == 65535) {
		/* the kernel takes every port: share them */
		*min = 1024;
		*max = 65535;
		return;
	}
	if (lo - 1024 >= 65535 - hi) {
		*min = 1024;
		*max = lo - 1;
	} else {
		*min = hi + 1;
		*max = 65535;
	}
}
