// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Flows of ct4_map and ct6_map (ct.h): an entry by key, removing a flow,
 * both directions and its backend's active connection; walking the
 * tables; the ports translated flows take.
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

/* The table of a key's family, and the key as that table holds it. */
static int ct_table(const struct dp_ct_key *key, struct dp_ct4_key *k4,
		    const void **map_key)
{
	if (key->family == AF_INET) {
		dp_ct4_key_pack(key, k4);
		*map_key = k4;
		return dp_map_fd(DP_MAP_CT4);
	}
	*map_key = key;
	return dp_map_fd(DP_MAP_CT6);
}

enum ct_op { CT_OP_LOOKUP, CT_OP_DELETE, CT_OP_TAKE };

/* One operation on a key's entry, in its family's table: 0 or -errno. */
static int ct_op(enum ct_op op, const struct dp_ct_key *key,
		 struct dp_ct_val *val)
{
	struct dp_ct4_key k4;
	const void *k;
	int fd = ct_table(key, &k4, &k), ret;

	if (fd < 0)
		return -EBADF;
	switch (op) {
	case CT_OP_LOOKUP:
		ret = bpf_map_lookup_elem(fd, k, val);
		break;
	case CT_OP_DELETE:
		ret = bpf_map_delete_elem(fd, k);
		break;
	default:
		ret = bpf_map_lookup_and_delete_elem(fd, k, val);
	}
	return ret ? -errno : 0;
}

int ct_lookup(const struct dp_ct_key *key, struct dp_ct_val *val)
{
	return ct_op(CT_OP_LOOKUP, key, val);
}

int ct_delete(const struct dp_ct_key *key)
{
	return ct_op(CT_OP_DELETE, key, NULL);
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
	struct dp_ct_key orig_key, reply_key;
	struct dp_ct_val orig;
	int ret = 0;

	if (val->flags & DP_CT_F_REPLY)
		ct_peer_key(key, val, &orig_key);
	else
		orig_key = *key;

	frr_with_privs (dp_privs()) {
		/* of two removers, one takes the original */
		ret = ct_op(CT_OP_TAKE, &orig_key, &orig);
		if (ret) {
			ret = ret == -ENOENT ? 0 : ret;
			/* a reply entry left alone: remove it too */
			if (ret == 0 && (val->flags & DP_CT_F_REPLY))
				ct_delete(key);
			break;
		}
		ret = 1;
		if ((orig.flags & DP_CT_F_LB) && !ct_state_closed(orig.state))
			ct_conns_sub(orig.backend_id);
		if (!(orig.flags & DP_CT_F_DSR)) {
			ct_peer_key(&orig_key, &orig, &reply_key);
			ct_delete(&reply_key);
		}
	}
	return ret;
}

struct ct_walk_ctx {
	ct_walk_cb cb;
	void *arg;
	bool stopped;
};

static bool ct_walk_entry4(const void *key, const void *value, void *arg)
{
	struct ct_walk_ctx *ctx = arg;
	struct dp_ct_key k;

	dp_ct4_key_unpack(key, AF_INET, &k);
	if (!ctx->cb(&k, value, ctx->arg))
		ctx->stopped = true;
	return !ctx->stopped;
}

static bool ct_walk_entry6(const void *key, const void *value, void *arg)
{
	struct ct_walk_ctx *ctx = arg;

	return ctx->cb(key, value, ctx->arg);
}

long ct_walk(ct_walk_cb cb, void *arg)
{
	struct ct_walk_ctx ctx = {cb, arg, false};
	long n4, n6;

	n4 = dp_map_batch_walk(DP_MAP_CT4, cb ? ct_walk_entry4 : NULL, &ctx);
	if (n4 < 0 || ctx.stopped)
		return n4;
	n6 = dp_map_batch_walk(DP_MAP_CT6, cb ? ct_walk_entry6 : NULL, &ctx);
	return n6 < 0 ? n6 : n4 + n6;
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
