// SPDX-License-Identifier: GPL-2.0-or-later
/* Load balancer and conntrack state for benchmarks (datapath_lb.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <netinet/in.h>

#include "bench.h"
#include "datapath_lb.h"
#include "lb/lb_ring.h"
#include "xdp_main.skel.h"

#define BN_CT_BATCH 8192

static void lb_update(int fd, const void *k, const void *v, const char *what)
{
	if (bpf_map_update_elem(fd, k, v, BPF_ANY))
		bn_die("%s: %s", what, strerror(errno));
}

void bn_dp_lb_vip4(struct bn_dp *dp, uint32_t vip_id, uint32_t vip,
		   uint16_t port, const uint32_t *addr, uint32_t n,
		   uint32_t first_be, uint16_t be_port, uint32_t seed,
		   uint32_t ring_base)
{
	struct bpf_map *rmap = dp->skel->maps.lb_ring_map;
	uint32_t cap = lb_ring_capacity(n), *ring, *flat, j;
	struct dp_lb_vip_backends list = {.n = n};
	struct dp_lb_vip_key k = {.family = AF_INET, .proto = IPPROTO_TCP,
				  .port = htons(port), .addr = {vip}};
	struct dp_lb_vip val = {
		.vip_id = vip_id,
		.algorithm = DP_LB_ALG_MAGLEV,
		.nat_mode = DP_LB_NAT_DNAT,
		.hash_seed = seed,
		.ring_base = ring_base,
	};
	struct lb_backend *be;
	size_t len;
	int size;

	if (n > DP_LB_VIP_BACKENDS_MAX)
		bn_die("%u backends: too many", n);
	be = calloc(n, sizeof(*be));
	ring = calloc(cap, sizeof(*ring));
	if (!be || !ring)
		bn_die("out of memory");
	for (j = 0; j < n; j++) {
		uint32_t bid = first_be + j;
		struct dp_lb_backend b = {
			.family = AF_INET,
			.flags = DP_LB_BE_F_UP,
			.port = htons(be_port),
			.addr = {addr[j]},
			.vip_id = vip_id,
			.weight = 1,
		};

		lb_update(bpf_map__fd(dp->skel->maps.lb_backend_map), &bid, &b,
			  "lb_backend_map");
		be[j].family = AF_INET;
		memcpy(be[j].addr, &addr[j], 4);
		be[j].port = be_port;
		be[j].weight = 1;
		be[j].up = true;
		list.id[j] = bid;
	}
	size = lb_ring_build(LB_RING_MAGLEV, be, n, seed, ring, cap);
	if (size <= 0)
		bn_die("lb_ring_build: %s", strerror(-size));
	val.ring_size = size;
	len = (size_t)bpf_map__value_size(rmap) * bpf_map__max_entries(rmap);
	if ((size_t)(ring_base + size) * sizeof(uint32_t) > len)
		bn_die("lb_ring_map: too small for %d slots", size);
	flat = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		    bpf_map__fd(rmap), 0);
	if (flat == MAP_FAILED)
		bn_die("mmap lb_ring_map: %s", strerror(errno));
	/* the ring holds positions in be[]: the map holds ids */
	for (int i = 0; i < size; i++)
		flat[ring_base + i] = list.id[ring[i]];
	munmap(flat, len);
	lb_update(bpf_map__fd(dp->skel->maps.lb_vip_backends), &vip_id, &list,
		  "lb_vip_backends");
	lb_update(bpf_map__fd(dp->skel->maps.lb_vip_map), &k, &val,
		  "lb_vip_map");
	free(be);
	free(ring);
}

/* Batch buffers for either table: keys of the larger layout (IPv6's),
 * read back only as a whole. */
static struct dp_ct_key bn_ct_keys[BN_CT_BATCH];
static struct dp_ct_val bn_ct_vals[BN_CT_BATCH];

static void bn_ct_clear_map(struct bpf_map *map)
{
	int fd = bpf_map__fd(map);
	uint64_t in = 0, out = 0;
	bool first = true;
	uint32_t n;
	int err;

	for (;;) {
		n = BN_CT_BATCH;
		err = bpf_map_lookup_and_delete_batch(fd, first ? NULL : &in,
						      &out, bn_ct_keys,
						      bn_ct_vals, &n, NULL);
		if (err && errno != ENOENT)
			bn_die("%s: delete batch: %s", bpf_map__name(map),
			       strerror(errno));
		if (err)
			break;
		in = out;
		first = false;
	}
}

void bn_dp_ct_clear(struct bn_dp *dp)
{
	bn_ct_clear_map(dp->skel->maps.ct4_map);
	bn_ct_clear_map(dp->skel->maps.ct6_map);
}

static uint32_t bn_ct_walk_map(struct bpf_map *map, int state)
{
	int fd = bpf_map__fd(map);
	uint64_t in = 0, out = 0;
	uint32_t n, total = 0, i;
	bool first = true, last = false;
	int err;

	while (!last) {
		n = BN_CT_BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out,
					   bn_ct_keys, bn_ct_vals, &n, NULL);
		if (err && errno != ENOENT)
			bn_die("%s: lookup batch: %s", bpf_map__name(map),
			       strerror(errno));
		last = err != 0;
		total += n;
		if (state >= 0 && n) {
			for (i = 0; i < n; i++)
				bn_ct_vals[i].state = state;
			if (bpf_map_update_batch(fd, bn_ct_keys, bn_ct_vals, &n,
						 NULL))
				bn_die("%s: update batch: %s",
				       bpf_map__name(map), strerror(errno));
		}
		in = out;
		first = false;
	}
	return total;
}

uint32_t bn_dp_ct_walk(struct bn_dp *dp, int state)
{
	return bn_ct_walk_map(dp->skel->maps.ct4_map, state) +
	       bn_ct_walk_map(dp->skel->maps.ct6_map, state);
}

void bn_nfct_flush(void)
{
	struct {
		struct nlmsghdr nh;
		struct nfgenmsg g;
	} req = {
		.nh = {.nlmsg_len = sizeof(req),
		       .nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) |
				     IPCTNL_MSG_CT_DELETE,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		       .nlmsg_seq = 1},
		.g = {.nfgen_family = AF_INET, .version = NFNETLINK_V0},
	};
	char buf[256];
	struct nlmsghdr *nh = (void *)buf;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	ssize_t len;

	if (fd < 0)
		bn_die("netlink: %s", strerror(errno));
	if (send(fd, &req, sizeof(req), 0) < 0)
		bn_die("conntrack flush: %s", strerror(errno));
	len = recv(fd, buf, sizeof(buf), 0);
	if (len < (ssize_t)(NLMSG_HDRLEN + sizeof(struct nlmsgerr)) ||
	    nh->nlmsg_type != NLMSG_ERROR)
		bn_die("conntrack flush: no answer");
	if (((struct nlmsgerr *)NLMSG_DATA(nh))->error)
		bn_die("conntrack flush: %s",
		       strerror(-((struct nlmsgerr *)NLMSG_DATA(nh))->error));
	close(fd);
}

uint32_t bn_nfct_count(void)
{
	FILE *f = fopen("/proc/sys/net/netfilter/nf_conntrack_count", "r");
	unsigned int n = 0;

	if (!f || fscanf(f, "%u", &n) != 1)
		bn_die("nf_conntrack_count: %s", strerror(errno));
	fclose(f);
	return n;
}
