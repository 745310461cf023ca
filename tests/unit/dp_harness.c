// SPDX-License-Identifier: GPL-2.0-or-later
/* Loading and driving the datapath programs for the tests (dp_harness.h). */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "fib/dp_fib.h"
#include "dp_harness.h"
#include "dp_nhg_buckets.h"
#include "tc_main.skel.h"
#include "xdp_main.skel.h"

static const char *const reason_names[DP_R_MAX] = {
	[DP_R_FWD] = "FWD",
	[DP_R_FWD_NEIGH] = "FWD_NEIGH",
	[DP_R_PASS_NON_IP] = "PASS_NON_IP",
	[DP_R_PASS_ARP] = "PASS_ARP",
	[DP_R_PASS_ND] = "PASS_ND",
	[DP_R_PASS_NOT_ROUTER] = "PASS_NOT_ROUTER",
	[DP_R_PASS_MCAST] = "PASS_MCAST",
	[DP_R_PASS_BCAST] = "PASS_BCAST",
	[DP_R_PASS_LINK_LOCAL] = "PASS_LINK_LOCAL",
	[DP_R_PASS_MARTIAN] = "PASS_MARTIAN",
	[DP_R_PASS_LOCAL] = "PASS_LOCAL",
	[DP_R_PASS_NO_ROUTE] = "PASS_NO_ROUTE",
	[DP_R_PASS_SPECIAL] = "PASS_SPECIAL",
	[DP_R_PASS_NO_NEIGH] = "PASS_NO_NEIGH",
	[DP_R_PASS_EGRESS_SKB] = "PASS_EGRESS_SKB",
	[DP_R_PASS_UNSUPPORTED] = "PASS_UNSUPPORTED",
	[DP_R_PASS_TTL] = "PASS_TTL",
	[DP_R_PASS_IP_OPTIONS] = "PASS_IP_OPTIONS",
	[DP_R_PASS_MTU] = "PASS_MTU",
	[DP_R_PASS_MALFORMED] = "PASS_MALFORMED",
	[DP_R_PASS_NO_NHG] = "PASS_NO_NHG",
	[DP_R_PASS_DISABLED] = "PASS_DISABLED",
	[DP_R_PASS_FIB_FULL] = "PASS_FIB_FULL",
	[DP_R_PASS_IPSEC] = "PASS_IPSEC",
	[DP_R_PASS_RPF] = "PASS_RPF",
	[DP_R_PASS_TRAILER] = "PASS_TRAILER",
	[DP_R_PASS_CT_SLOW] = "PASS_CT_SLOW",
	[DP_R_PASS_CT_FULL] = "PASS_CT_FULL",
	[DP_R_PASS_NAT_PORTS] = "PASS_NAT_PORTS",
	[DP_R_PASS_LB_NO_BACKEND] = "PASS_LB_NO_BACKEND",
	[DP_R_PASS_LB_UNSUPPORTED] = "PASS_LB_UNSUPPORTED",
	[DP_R_PASS_CT_INVALID] = "PASS_CT_INVALID",
	[DP_R_PASS_CT_ICMP_ERROR] = "PASS_CT_ICMP_ERROR",
	[DP_R_DROP_POLICED] = "DROP_POLICED",
	[DP_R_PASS_HOLD_EXPIRED] = "PASS_HOLD_EXPIRED",
};

const char *h_reason_name(enum dp_reason reason)
{
	if ((unsigned int)reason < DP_R_MAX && reason_names[reason])
		return reason_names[reason];
	return "?";
}

const char *h_hook_name(enum dp_hook hook)
{
	return hook == DP_HOOK_XDP ? "xdp" : "tc";
}

uint32_t h_verdict_fwd(enum dp_hook hook)
{
	return hook == DP_HOOK_XDP ? XDP_REDIRECT_ : TC_ACT_REDIRECT_;
}

uint32_t h_verdict_pass(enum dp_hook hook)
{
	return hook == DP_HOOK_XDP ? XDP_PASS_ : TC_ACT_UNSPEC_;
}

static void h_unpin(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) bpf_map__set_pin_path(map, NULL);
}

/* Make the TC object use the XDP object's maps, as pinning does for real. */
static int h_share_maps(struct bpf_object *from, struct bpf_object *to)
{
	struct bpf_map *map, *src;
	int err;

	bpf_object__for_each_map(map, to)
	{
		src = bpf_object__find_map_by_name(from, bpf_map__name(map));
		/* TC's own: the prog array of its tail calls */
		if (!src && bpf_map__type(map) == BPF_MAP_TYPE_PROG_ARRAY)
			continue;
		if (!src)
			return -ENOENT;
		err = bpf_map__reuse_fd(map, bpf_map__fd(src));
		if (err)
			return err;
	}
	return 0;
}

/* A FIB over the loaded maps, sized as they were created (dp_fib_open
 * empties them). */
static void h_fib_open(struct harness *h)
{
	const struct xdp_main *x = h->xdp;
	struct dp_fib_maps m = {
		.val_fd = bpf_map__fd(x->maps.fib_val_map),
		.vals_max = bpf_map__max_entries(x->maps.fib_val_map),
		.tbl24_fd = bpf_map__fd(x->maps.fib4_tbl24),
		.tbl8_fd = bpf_map__fd(x->maps.fib4_tbl8),
		.tbl8_groups = bpf_map__max_entries(x->maps.fib4_tbl8),
		.fib6_fd = bpf_map__fd(x->maps.fib6_map),
		.fib6_max = bpf_map__max_entries(x->maps.fib6_map),
		.fib6_filter_fd = bpf_map__fd(x->maps.fib6_filter_map),
		.dxr_dir_fd = bpf_map__fd(x->maps.fib4_dxr_dir),
		.dxr_range_fd = bpf_map__fd(x->maps.fib4_dxr_range),
		.dxr_range_blocks = bpf_map__max_entries(x->maps.fib4_dxr_range),
		.dxr6_dir_fd = bpf_map__fd(x->maps.fib6_dxr_dir),
		.dxr6_range_fd = bpf_map__fd(x->maps.fib6_dxr_range),
		.dxr6_range_blocks =
			bpf_map__max_entries(x->maps.fib6_dxr_range),
	};

	dp_fib_close(h->fib);
	h->fib = dp_fib_open(&m);
}

int h_open(struct harness *h)
{
	int err;

	memset(h, 0, sizeof(*h));
	h->xdp = xdp_main__open();
	h->tc = tc_main__open();
	if (!h->xdp || !h->tc)
		return -errno;
	h_unpin(h->xdp->obj);
	h_unpin(h->tc->obj);
	bpf_map__set_max_entries(h->xdp->maps.ct4_map, H_CT_MAX);
	bpf_map__set_max_entries(h->xdp->maps.ct6_map, H_CT_MAX);
	err = xdp_main__load(h->xdp);
	if (err)
		return err;
	err = h_share_maps(h->xdp->obj, h->tc->obj);
	if (err)
		return err;
	err = tc_main__load(h->tc);
	if (err)
		return err;

	h->prog_fd[DP_HOOK_XDP] = bpf_program__fd(h->xdp->progs.dp_xdp_main);
	h->prog_fd[DP_HOOK_TC] = bpf_program__fd(h->tc->progs.dp_tc_main);
	h->nh = bpf_map__fd(h->xdp->maps.nh_map);
	h->dmac = bpf_map__fd(h->xdp->maps.dmac_map);
	h->intf = bpf_map__fd(h->xdp->maps.intf_map);
	h->stats = bpf_map__fd(h->xdp->maps.stats_map);
	h->intf_stats = bpf_map__fd(h->xdp->maps.intf_stats_map);
	h->ncpus = libbpf_num_possible_cpus();
	if (h->ncpus <= 0)
		return h->ncpus;
	h_fib_open(h);
	return h->fib ? 0 : -errno;
}

void h_close(struct harness *h)
{
	dp_fib_close(h->fib);
	tc_main__destroy(h->tc);
	xdp_main__destroy(h->xdp);
	memset(h, 0, sizeof(*h));
}

static void h_clear(int fd)
{
	uint8_t key[64];

	while (bpf_map_get_next_key(fd, NULL, key) == 0)
		assert(bpf_map_delete_elem(fd, key) == 0);
}

void h_reset(struct harness *h)
{
	h_fib_open(h);
	assert(h->fib);
	h_clear(h->nh);
	h_clear(h->dmac);
	h_clear(h->intf);
	h_clear(bpf_map__fd(h->xdp->maps.punt_v4_map));
	h_clear(bpf_map__fd(h->xdp->maps.punt_v6_map));
	h_clear(bpf_map__fd(h->xdp->maps.addr4_map));
	h_meta_flags(h, 0);
	h_intf(h, H_IN_IFINDEX, tpkt_router_mac,
	       DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_UP, 1500,
	       H_IN_STATS_IDX);
}

void h_intf(struct harness *h, uint32_t ifindex, const uint8_t *mac,
	    uint16_t flags, uint32_t mtu, uint32_t stats_idx)
{
	struct dp_intf v = {
		.flags = flags,
		.mtu = mtu,
		.table_id = 254,
		.stats_idx = stats_idx,
	};

	memcpy(v.mac, mac, ETH_ALEN);
	assert(bpf_map_update_elem(h->intf, &ifindex, &v, BPF_ANY) == 0);
}

void h_intf_del(struct harness *h, uint32_t ifindex)
{
	bpf_map_delete_elem(h->intf, &ifindex);
}

static unsigned int h_prefix(const char *prefix, int af, void *addr)
{
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", prefix);
	slash = strchr(buf, '/');
	assert(slash);
	*slash = '\0';
	assert(inet_pton(af, buf, addr) == 1);
	return atoi(slash + 1);
}

static struct dp_rt_val h_rt_val(uint8_t type, uint32_t arg)
{
	struct dp_rt_val v = {.type = type};

	if (type == DP_RT_NHG)
		v.nhg_id = arg;
	else if (type == DP_RT_CONNECTED)
		v.ifindex = arg;
	return v;
}

void h_meta_flags(struct harness *h, uint32_t flags)
{
	h_meta(h, flags, 0);
}

void h_meta(struct harness *h, uint32_t flags, uint64_t trusted_until)
{
	struct dp_meta m = {.abi_version = DP_ABI_VERSION,
			    .flags = flags,
			    .trusted_until = trusted_until};
	uint32_t key = 0;

	assert(bpf_map_update_elem(bpf_map__fd(h->xdp->maps.meta_map), &key,
				   &m, BPF_ANY) == 0);
}

void h_punt(struct harness *h, const char *prefix, enum dp_reason reason)
{
	struct dp_punt v = {.reason = reason};
	struct dp_rt6_key k = {};
	int af = strchr(prefix, ':') ? AF_INET6 : AF_INET;
	struct bpf_map *m = af == AF_INET6 ? h->xdp->maps.punt_v6_map
					   : h->xdp->maps.punt_v4_map;

	k.prefixlen = h_prefix(prefix, af, k.addr);
	assert(bpf_map_update_elem(bpf_map__fd(m), &k, &v, BPF_ANY) == 0);
}

void h_addr4(struct harness *h, const char *addr, uint32_t kind)
{
	struct dp_addr v = {.kind = kind};
	uint32_t a;

	assert(inet_pton(AF_INET, addr, &a) == 1);
	assert(bpf_map_update_elem(bpf_map__fd(h->xdp->maps.addr4_map), &a,
				   &v, BPF_ANY) == 0);
}

void h_route4(struct harness *h, const char *prefix, uint8_t type, uint32_t arg)
{
	struct dp_rt_val v = h_rt_val(type, arg);
	uint32_t addr;
	unsigned int len = h_prefix(prefix, AF_INET, &addr);

	assert(dp_fib_add4(h->fib, addr, len, &v) == 0);
	dp_fib_commit_all(h->fib);
}

void h_route6(struct harness *h, const char *prefix, uint8_t type, uint32_t arg)
{
	struct dp_rt_val v = h_rt_val(type, arg);
	uint32_t addr[4];
	unsigned int len = h_prefix(prefix, AF_INET6, addr);

	assert(dp_fib_add6(h->fib, addr, len, &v) == 0);
	dp_fib_commit_all(h->fib);
}

void h_path_dmac(uint8_t tag, uint8_t *mac)
{
	const uint8_t m[ETH_ALEN] = {0x02, 0, 0, 0, 0x10, tag};

	memcpy(mac, m, ETH_ALEN);
}

static void h_path_smac(uint8_t tag, uint8_t *mac)
{
	const uint8_t m[ETH_ALEN] = {0x02, 0, 0, 0, 0x20, tag};

	memcpy(mac, m, ETH_ALEN);
}

struct dp_path h_path(uint32_t ifindex, uint8_t tag, uint16_t flags,
		      uint16_t mtu)
{
	struct dp_path p = {.ifindex = ifindex, .flags = flags, .mtu = mtu};

	/* The test topology's out interfaces all take XDP redirects. */
	if (flags & DP_PATH_F_RESOLVED)
		p.flags |= DP_PATH_F_XDP_TX;

	h_path_dmac(tag, p.dmac);
	h_path_smac(tag, p.smac);
	if (flags & DP_PATH_F_GW6) {
		assert(inet_pton(AF_INET6, "fe80::10:0", p.gw) == 1);
		((uint8_t *)p.gw)[15] = tag;
	} else if (flags & DP_PATH_F_GW) {
		p.gw[0] = htonl(0xc0000200 | tag); /* 192.0.2.tag */
	}
	return p;
}

void h_nhg(struct harness *h, uint32_t id, const struct dp_path *paths,
	   unsigned int n)
{
	struct dp_nhg *nhg = calloc(1, sizeof(*nhg));
	uint32_t weights[DP_NHG_MAX_PATHS];
	unsigned int i;

	assert(nhg && n <= DP_NHG_MAX_PATHS);
	for (i = 0; i < n; i++) {
		weights[i] = 1;
		nhg->paths[i] = paths[i];
	}
	nhg->n_paths = n;
	assert(dp_nhg_buckets_fill(nhg->bucket, weights, n) == 0);
	h_nhg_put(h, id, nhg);
	free(nhg);
}

void h_nhg_put(struct harness *h, uint32_t id, const struct dp_nhg *nhg)
{
	assert(bpf_map_update_elem(h->nh, &id, nhg, BPF_ANY) == 0);
}

void h_nhg_get(struct harness *h, uint32_t id, struct dp_nhg *nhg)
{
	assert(bpf_map_lookup_elem(h->nh, &id, nhg) == 0);
}

void h_neigh(struct harness *h, uint32_t ifindex, const char *addr, uint8_t tag,
	     uint16_t mtu)
{
	struct dp_neigh_key k = {.ifindex = ifindex};
	struct dp_neigh_val v = {.mtu = mtu,
				 .state = 0x02 /* REACHABLE */,
				 .flags = DP_PATH_F_XDP_TX};

	if (strchr(addr, ':')) {
		k.family = AF_INET6;
		assert(inet_pton(AF_INET6, addr, k.addr) == 1);
	} else {
		k.family = AF_INET;
		assert(inet_pton(AF_INET, addr, k.addr) == 1);
	}
	h_path_dmac(tag, v.dmac);
	h_path_smac(tag, v.smac);
	assert(bpf_map_update_elem(h->dmac, &k, &v, BPF_ANY) == 0);
}

/* Sum of a per-CPU value over all CPUs, as u64 fields. */
static void h_percpu_sum(struct harness *h, int fd, uint32_t key, void *sum,
			 size_t size)
{
	uint64_t vals[h->ncpus * size / sizeof(uint64_t)];
	uint64_t *out = sum;
	size_t i, n = size / sizeof(uint64_t);
	int cpu;

	memset(sum, 0, size);
	if (bpf_map_lookup_elem(fd, &key, vals))
		return;
	for (cpu = 0; cpu < h->ncpus; cpu++)
		for (i = 0; i < n; i++)
			out[i] += vals[cpu * n + i];
}

uint64_t h_count(struct harness *h, enum dp_hook hook, enum dp_reason reason)
{
	struct dp_counter c;

	h_percpu_sum(h, h->stats, DP_STATS_IDX(hook, reason), &c, sizeof(c));
	return c.packets;
}

void h_istats(struct harness *h, uint32_t idx, struct dp_intf_stats *out)
{
	h_percpu_sum(h, h->intf_stats, idx, out, sizeof(*out));
}

static void h_stats_read(struct harness *h, struct dp_counter *c)
{
	uint32_t i;

	for (i = 0; i < DP_STATS_MAX; i++)
		h_percpu_sum(h, h->stats, i, &c[i], sizeof(c[i]));
}

static void h_diff(const struct dp_counter *before,
		   const struct dp_counter *after, struct h_result *r)
{
	uint32_t i;

	r->counted = 0;
	r->reason = DP_R_MAX;
	for (i = 0; i < DP_STATS_MAX; i++) {
		if (after[i].packets == before[i].packets &&
		    after[i].bytes == before[i].bytes)
			continue;
		r->counted++;
		r->hook = i / DP_R_MAX;
		r->reason = i % DP_R_MAX;
		r->packets = after[i].packets - before[i].packets;
		r->bytes = after[i].bytes - before[i].bytes;
	}
}

static void h_istats_delta(const struct dp_intf_stats *b,
			   const struct dp_intf_stats *a,
			   struct dp_intf_stats *d)
{
	d->rx_packets = a->rx_packets - b->rx_packets;
	d->rx_bytes = a->rx_bytes - b->rx_bytes;
	d->fwd_packets = a->fwd_packets - b->fwd_packets;
	d->fwd_bytes = a->fwd_bytes - b->fwd_bytes;
	d->pass_packets = a->pass_packets - b->pass_packets;
}

int h_run_xdp(struct harness *h, const struct tpkt *p, struct h_result *r)
{
	struct xdp_md in = {
		.data_end = p->len,
		.ingress_ifindex = H_IN_IFINDEX,
	};
	struct xdp_md out = {0};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->buf,
		    .data_size_in = p->len, .data_out = r->out,
		    .data_size_out = sizeof(r->out), .ctx_in = &in,
		    .ctx_size_in = sizeof(in), .ctx_out = &out,
		    .ctx_size_out = sizeof(out), .repeat = 1);
	int err;

	err = bpf_prog_test_run_opts(h->prog_fd[DP_HOOK_XDP], &o);
	if (err)
		return err;
	r->verdict = o.retval;
	/* The output starts at data_meta; ctx_out.data is the meta length. */
	r->has_meta = out.data >= sizeof(r->meta);
	if (r->has_meta) {
		memcpy(&r->meta, r->out + out.data - sizeof(r->meta),
		       sizeof(r->meta));
	}
	r->out_len = o.data_size_out - out.data;
	memmove(r->out, r->out + out.data, r->out_len);
	return 0;
}

static int h_run_tc(struct harness *h, const struct tpkt *p, uint32_t gso_size,
		    struct h_result *r)
{
	struct __sk_buff in = {
		.ingress_ifindex = H_IN_IFINDEX,
		.gso_size = gso_size,
		.gso_segs = gso_size ? (p->len + gso_size - 1) / gso_size : 0,
	};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->buf,
		    .data_size_in = p->len, .data_out = r->out,
		    .data_size_out = sizeof(r->out), .ctx_in = &in,
		    .ctx_size_in = sizeof(in), .repeat = 1);
	int err;

	err = bpf_prog_test_run_opts(h->prog_fd[DP_HOOK_TC], &o);
	if (err)
		return err;
	r->verdict = o.retval;
	r->out_len = o.data_size_out;
	return 0;
}

int h_run_tc_only(struct harness *h, const struct tpkt *p, struct h_result *r)
{
	return h_run_tc(h, p, 0, r);
}

void h_run_gso(struct harness *h, enum dp_hook hook, const struct tpkt *p,
	       uint32_t gso_size, struct h_result *r)
{
	struct dp_counter before[DP_STATS_MAX], after[DP_STATS_MAX];
	struct dp_intf_stats ib, ia;

	memset(r, 0, sizeof(*r));
	h_stats_read(h, before);
	h_percpu_sum(h, h->intf_stats, H_IN_STATS_IDX, &ib, sizeof(ib));

	if (hook == DP_HOOK_XDP)
		r->err = h_run_xdp(h, p, r);
	else
		r->err = h_run_tc(h, p, gso_size, r);

	h_stats_read(h, after);
	h_percpu_sum(h, h->intf_stats, H_IN_STATS_IDX, &ia, sizeof(ia));
	h_diff(before, after, r);
	h_istats_delta(&ib, &ia, &r->istats);
}

void h_run(struct harness *h, enum dp_hook hook, const struct tpkt *p,
	   struct h_result *r)
{
	h_run_gso(h, hook, p, 0, r);
}

int h_out_tag(const struct h_result *r)
{
	uint8_t mac[ETH_ALEN];

	if (r->out_len < ETH_HLEN)
		return -1;
	h_path_dmac(0, mac);
	if (memcmp(r->out, mac, ETH_ALEN - 1))
		return -1;
	return r->out[ETH_ALEN - 1];
}
