// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/dxr: what the IPv4 FIB's layout costs a packet (issue 10): the
 * datapath's lookup of a value id (bpf/lib/fib4.h) with its ranges in
 * front of DIR-24-8 ("search", what packets run) and DIR-24-8 alone
 * ("dir24"), same frames, same tables, same run, at 1K to 1M routes of
 * the Internet's length mix, the tables filled by the plugin's dp_fib.c
 * and its ranges built by dp_fib_commit() as after a batch.
 *
 * Why: DIR-24-8's entries for a table's /16s lie a 4 KiB page apart in a
 * 64 MiB array, so beyond a thousand routes nearly every lookup misses the
 * TLB and the cache; the ranges of a table of up to a few hundred thousand
 * routes fit in a few MiB. Above DP_FIB4_DXR_ROUTES_MAX routes the plugin
 * turns them off (no table of ranges stays in cache there, and a lookup
 * would pay two misses where DIR-24-8 pays one): --ranges-max raises that
 * limit to measure it.
 *
 * Programs (BPF_PROG_TEST_RUN, repeat 1, per packet, rotating order):
 *   none    parse, store an id into the frame (the base)
 *   dir24   the same with DIR-24-8's lookup (dp_fib4_dir24)
 *   search  the same with the datapath's lookup (dp_fib4_search)
 * Checks: both give every frame the id dp_fib_lookup4() gives.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "bench.h"
#include "datapath.h"
#include "dxr.skel.h"
#include "fib/dp_fib.h"
#include "pkt.h"
#include "prefixes.h"

#define DXR_SEED 0x44585234
#define DXR_NHG 16
#define DXR_OUTLIER_NS 20000
#define DXR_SIZES_MAX 8

enum dxr_prog { X_NONE, X_DIR24, X_SEARCH, X_N };

static const uint8_t router_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x99};

static double dxr_run(int fd, const struct bn_pkt *pkts, uint32_t n,
		      uint32_t *ids, uint32_t *outliers)
{
	uint8_t out[BN_PKT_MAX];
	uint64_t sum = 0;
	uint32_t i, kept = 0;

	for (i = 0; i < n; i++) {
		struct xdp_md ctx = {.data_end = pkts[i].len,
				     .ingress_ifindex = 1};
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkts[i].buf,
			    .data_size_in = pkts[i].len, .data_out = out,
			    .data_size_out = sizeof(out), .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = 1);

		if (bpf_prog_test_run_opts(fd, &o))
			bn_die("test run: %s", strerror(errno));
		if (o.duration <= DXR_OUTLIER_NS) {
			sum += o.duration;
			kept++;
		}
		if (ids && o.retval == XDP_TX)
			memcpy(&ids[i], out + 14 + 20, 4);
		else if (ids)
			ids[i] = UINT32_MAX; /* never an id */
	}
	*outliers += n - kept;
	return kept ? (double)sum / kept : 0;
}

struct dxr_opts {
	uint32_t sizes[DXR_SIZES_MAX];
	int n_sizes, rounds;
	uint32_t packets;
	uint32_t ranges_max; /* 0: the plugin's DP_FIB4_DXR_ROUTES_MAX */
};

static void usage(void)
{
	fprintf(stderr, "usage: dxr [--quick] [--sizes 1K,10K,100K,1M] "
			"[--packets N] [--rounds R] [--ranges-max N]\n");
	exit(2);
}

static void dxr_opts_parse(int argc, char **argv, struct dxr_opts *o)
{
	static const struct option lopts[] = {
		{"quick", no_argument, NULL, 'q'},
		{"sizes", required_argument, NULL, 's'},
		{"packets", required_argument, NULL, 'n'},
		{"rounds", required_argument, NULL, 'r'},
		{"ranges-max", required_argument, NULL, 'm'},
		{},
	};
	int c;

	o->n_sizes = bn_parse_counts("1K,10K,100K,1M", o->sizes,
				     DXR_SIZES_MAX);
	o->packets = 100000;
	o->rounds = 5;
	o->ranges_max = 0;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			o->n_sizes = bn_parse_counts("1K,10K", o->sizes,
						     DXR_SIZES_MAX);
			o->packets = 10000;
			o->rounds = 2;
			break;
		case 's':
			o->n_sizes = bn_parse_counts(optarg, o->sizes,
						     DXR_SIZES_MAX);
			break;
		case 'n':
			o->packets = bn_parse_count(optarg);
			break;
		case 'r':
			o->rounds = atoi(optarg);
			break;
		case 'm':
			o->ranges_max = bn_parse_count(optarg);
			break;
		default:
			usage();
		}
	}
	if (o->n_sizes <= 0 || !o->packets || o->rounds < 1)
		usage();
}

/* Routes [from, to) of t in, their ranges built. */
static void dxr_load(struct bn_dp *dp, const struct bn_pfx4 *t, uint32_t from,
		     uint32_t to)
{
	int err;

	for (uint32_t i = from; i < to; i++) {
		err = bn_dp_route4(dp, t[i].addr, t[i].plen, 1 + i % DXR_NHG);
		if (err)
			bn_die("route %u: %s", i, strerror(-err));
	}
	bn_dp_commit(dp);
}

int main(int argc, char **argv)
{
	struct dxr_opts o;
	struct bn_dp_sizes sz = {0};
	struct bn_dp dp;
	struct dxr *skel;
	struct bn_pfx4 *t;
	struct bn_pkt *pkts;
	uint32_t *ids[X_N], *want, done = 0, bad_total = 0;
	struct dp_path path;
	struct bn_rng rng;
	int fd[X_N], s, p, r, err;
	char cnt[16];

	dxr_opts_parse(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	bn_pin_cpu(0);
	if (o.ranges_max) {
		sz.dxr_routes_max = o.ranges_max;
		/* room for the ranges of that many routes */
		sz.dxr_range_blocks = (uint64_t)o.ranges_max *
				      DP_FIB4_DXR_RANGES_PER_ROUTE /
				      DP_FIB4_TBL8_GROUP_ENTRIES;
		if (sz.dxr_range_blocks * DP_FIB4_TBL8_GROUP_ENTRIES >
		    DP_FIB4_DXR_BASE_MASK + 1)
			sz.dxr_range_blocks = (DP_FIB4_DXR_BASE_MASK + 1) /
					      DP_FIB4_TBL8_GROUP_ENTRIES;
	}
	bn_dp_open_sized(&dp, &sz);
	bn_dp_intf(&dp, 1, router_mac,
		   DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_UP, 1);
	for (uint32_t g = 0; g < DXR_NHG; g++) {
		uint8_t mac[6] = {0x02, 0, 0, 0, 0x10, g};

		path = bn_dp_path(2, mac, router_mac, htonl(0x0aff0000 | g));
		bn_dp_nhg(&dp, 1 + g, &path, 1);
	}
	skel = dxr__open();
	if (!skel)
		bn_die("open dxr: %s", strerror(errno));
	bn_dp_share_maps(&dp, skel->obj);
	err = dxr__load(skel);
	if (err)
		bn_die("load dxr: %s", strerror(-err));
	fd[X_NONE] = bpf_program__fd(skel->progs.dxr_none);
	fd[X_DIR24] = bpf_program__fd(skel->progs.dxr_dir24);
	fd[X_SEARCH] = bpf_program__fd(skel->progs.dxr_search);

	pkts = calloc(o.packets, sizeof(*pkts));
	want = calloc(o.packets, sizeof(*want));
	for (p = 0; p < X_N; p++)
		ids[p] = calloc(o.packets, sizeof(uint32_t));
	t = bn_pfx4_table(o.sizes[o.n_sizes - 1], DXR_SEED);
	if (!pkts || !want || !ids[X_N - 1])
		bn_die("out of memory");

	printf("bench/dxr: ns per packet for the datapath's IPv4 lookup of a value id, above a program that\n"
	       "only parses (\"none\"), median of %d rounds (min-max), %u random destinations per round,\n"
	       "BPF_PROG_TEST_RUN repeat=1. search: bpf/lib/fib4.h's dp_fib4_search (ranges in front of\n"
	       "DIR-24-8, what packets run); dir24: DIR-24-8 alone. Ranges kept up to %u routes.\n"
	       "IPv4 mix: %s\n\n",
	       o.rounds, o.packets,
	       o.ranges_max ? o.ranges_max : DP_FIB4_DXR_ROUTES_MAX,
	       bn_pfx4_mix_desc);
	printf("%-8s %-18s %-18s %-18s %-10s %s\n", "routes", "none (raw)",
	       "dir24", "search", "dir24/srch", "ranges");
	for (s = 0; s < o.n_sizes; s++) {
		double mean[X_N], net[X_N][o.rounds], ratio[o.rounds];
		struct bn_stat st[X_N], rs;
		struct dp_fib_stats fs;
		uint32_t outliers = 0, bad = 0, i;
		char c[X_N][32];

		dxr_load(&dp, t, done, o.sizes[s]);
		done = o.sizes[s];
		dp_fib_stats(dp.fib, &fs);
		bn_rng_seed(&rng, DXR_SEED + done);
		for (i = 0; i < o.packets; i++) {
			uint32_t dst = bn_pfx4_dst(&t[bn_rng_below(&rng, done)],
						   &rng);

			bn_pkt4(&pkts[i], router_mac, peer_mac,
				htonl(0x0a000001), dst);
			want[i] = dp_fib_lookup4(dp.fib, dst);
		}
		/* warm-up round, checked */
		for (p = 0; p < X_N; p++)
			dxr_run(fd[p], pkts, o.packets, ids[p], &outliers);
		for (i = 0; i < o.packets; i++)
			bad += (ids[X_DIR24][i] != want[i]) +
			       (ids[X_SEARCH][i] != want[i]);
		outliers = 0;
		for (r = 0; r < o.rounds; r++) {
			for (int j = 0; j < X_N; j++) {
				p = (r + j) % X_N;
				mean[p] = dxr_run(fd[p], pkts, o.packets, NULL,
						  &outliers);
			}
			for (p = 0; p < X_N; p++)
				net[p][r] = p == X_NONE ? mean[p]
							: mean[p] - mean[X_NONE];
			ratio[r] = net[X_SEARCH][r] > 0
					   ? net[X_DIR24][r] / net[X_SEARCH][r]
					   : 0;
		}
		for (p = 0; p < X_N; p++) {
			st[p] = bn_stat_of(net[p], o.rounds);
			snprintf(c[p], sizeof(c[p]), "%.1f (%.1f-%.1f)",
				 st[p].med, st[p].min, st[p].max);
		}
		rs = bn_stat_of(ratio, o.rounds);
		printf("%-8s %-18s %-18s %-18s %-10.2f %s: %u entries of %u (%u KiB), /16s %u ranged, %u on DIR-24-8; %u of %u frames wrong, %u runs left out\n",
		       bn_fmt_count(done, cnt, sizeof(cnt)), c[X_NONE],
		       c[X_DIR24], c[X_SEARCH], rs.med,
		       fs.ranges4_on ? "on" : "off", fs.ranges4,
		       fs.ranges4_max, fs.ranges4 * 4 / 1024, fs.ranged4,
		       fs.dir24_4, bad, 2 * o.packets, outliers);
		bad_total += bad;
	}
	free(t);
	dxr__destroy(skel);
	bn_dp_close(&dp);
	if (bad_total) {
		fprintf(stderr, "bench/dxr: a lookup gave a frame another id than dp_fib_lookup4: its figures measure something else\n");
		return 1;
	}
	return 0;
}
