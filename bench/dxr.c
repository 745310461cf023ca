// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/dxr: what the IPv4 FIB's layout costs a packet (issue 10). A
 * prototype, not the datapath: the value id of a destination looked up
 * in the datapath's DIR-24-8 tables (fib4_tbl24 / fib4_tbl8, filled by the
 * plugin's dp_fib.c) and in a range table derived from them in the manner
 * of DXR's D16R (bench/bpf/dxr.bpf.c has the layout), same frames, same
 * run, at 1K to 1M routes of the Internet's length mix.
 *
 * Why: the datapath's route stage costs 43 ns a packet at 1K routes and
 * 112 ns at 10K (bench/fib), with the same next hops: what grows is where
 * the tbl24 entries lie, one 4 KiB page of a 64 MiB array per /16 in use,
 * so that beyond a thousand routes nearly every packet's lookup misses
 * the TLB. A range table holds the same answers in about 4 bytes per
 * range, a 256 KiB directory and a pool a few MiB at 1M routes.
 *
 * Programs (BPF_PROG_TEST_RUN, repeat 1, per packet, rotating order):
 *   none   parse, store an id into the frame (the base)
 *   tbl24  the same with the datapath's lookup (bpf/lib/fib4.h's loads)
 *   range  the same with the range table (DIR-24-8 for chunks it lacks)
 * Checks: both lookups give every frame the id dp_fib_lookup4() gives.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "bench.h"
#include "datapath.h"
#include "dxr.skel.h"
#include "fib/dp_fib.h"
#include "pkt.h"
#include "prefixes.h"
#include "xdp_main.skel.h"

#define DXR_DIRECT 0x80000000u
#define DXR_RANGES 0xc0000000u
#define DXR_BASE_MAX (1u << 21)
#define DXR_N_SHIFT 21
#define DXR_N_MAX 512
#define DXR_DIR_BITS 16 /* as bench/bpf/dxr.bpf.c */
#define DXR_CHUNKS (1u << DXR_DIR_BITS)
#define DXR_CHUNK_24 (1u << (24 - DXR_DIR_BITS)) /* tbl24 entries */
#define DXR_SEED 0x44585234
#define DXR_NHG 16
#define DXR_OUTLIER_NS 20000
#define DXR_SIZES_MAX 8

enum dxr_prog { X_NONE, X_TBL24, X_RANGE, X_N };

static const uint8_t router_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x99};

struct dxr_table {
	uint32_t *dir, *range;
	size_t dir_len, range_len;
	uint32_t cap; /* range entries */
	uint32_t used, direct, ranged, fallback;
};

static void *dxr_mmap(int fd, size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		bn_die("mmap: %s", strerror(errno));
	return p;
}

/* Append (start, id) unless id continues the last range; -1 when the
 * chunk does not fit the layout. */
static int dxr_emit(uint32_t *out, int n, uint32_t start, uint32_t id)
{
	if (n && (out[n - 1] & 0xffff) == id)
		return n;
	if (n == DXR_N_MAX || id > 0xffff)
		return -1;
	out[n] = start << 16 | id;
	return n + 1;
}

/* Chunk c's ranges from the DIR-24-8 tables, or -1. */
static int dxr_chunk(const uint32_t *t24, const uint32_t *t8, uint32_t c,
		     uint32_t *out)
{
	uint32_t i, j, e, g;
	int n = 0;

	for (i = 0; i < DXR_CHUNK_24 && n >= 0; i++) {
		e = t24[c * DXR_CHUNK_24 + i];
		if (!(e & DP_FIB4_TBL8)) {
			n = dxr_emit(out, n, i << 8, e);
			continue;
		}
		g = e & ~DP_FIB4_TBL8;
		for (j = 0; j < 256 && n >= 0; j++)
			n = dxr_emit(out, n, i << 8 | j, t8[g * 256 + j]);
	}
	return n;
}

/* Build the whole table (a full rebuild: a prototype's way). */
static void dxr_build(struct dxr_table *x, const uint32_t *t24,
		      const uint32_t *t8)
{
	uint32_t c, r[DXR_N_MAX];
	int n;

	x->used = x->direct = x->ranged = x->fallback = 0;
	for (c = 0; c < DXR_CHUNKS; c++) {
		n = dxr_chunk(t24, t8, c, r);
		if (n == 1 && (r[0] & 0xffff) < DXR_DIRECT) {
			x->dir[c] = DXR_DIRECT | (r[0] & 0xffff);
			x->direct++;
		} else if (n > 1 && x->used + n <= x->cap &&
			   x->used + n <= DXR_BASE_MAX) {
			memcpy(&x->range[x->used], r, n * sizeof(r[0]));
			x->dir[c] = DXR_RANGES | (uint32_t)(n - 1) << DXR_N_SHIFT |
				    x->used;
			x->used += n;
			x->ranged++;
		} else {
			x->dir[c] = 0;
			x->fallback++;
		}
	}
}

/* The datapath's maps for those of the same name; dxr_dir_map and
 * dxr_range_map stay the prototype's own. */
static void dxr_share_maps(struct bn_dp *dp, struct bpf_object *obj)
{
	struct bpf_map *map, *own;
	int err;

	bpf_object__for_each_map(map, obj) {
		bpf_map__set_pin_path(map, NULL);
		own = bpf_object__find_map_by_name(dp->skel->obj,
						   bpf_map__name(map));
		if (!own || bpf_map__is_internal(map))
			continue;
		err = bpf_map__reuse_fd(map, bpf_map__fd(own));
		if (err)
			bn_die("share %s: %s", bpf_map__name(map),
			       strerror(-err));
	}
}

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
};

static void usage(void)
{
	fprintf(stderr, "usage: dxr [--quick] [--sizes 1K,10K,100K,1M] "
			"[--packets N] [--rounds R]\n");
	exit(2);
}

static void dxr_opts_parse(int argc, char **argv, struct dxr_opts *o)
{
	static const struct option lopts[] = {
		{"quick", no_argument, NULL, 'q'},
		{"sizes", required_argument, NULL, 's'},
		{"packets", required_argument, NULL, 'n'},
		{"rounds", required_argument, NULL, 'r'},
		{},
	};
	int c;

	o->n_sizes = bn_parse_counts("1K,10K,100K,1M", o->sizes,
				     DXR_SIZES_MAX);
	o->packets = 100000;
	o->rounds = 5;
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
		default:
			usage();
		}
	}
	if (o->n_sizes <= 0 || !o->packets || o->rounds < 1)
		usage();
}

int main(int argc, char **argv)
{
	struct dxr_opts o;
	struct bn_dp dp;
	struct dxr *skel;
	struct dxr_table x = {};
	struct bn_pfx4 *t;
	struct bn_pkt *pkts;
	uint32_t *ids[X_N], *want, *t24, *t8, done = 0, bad_total = 0;
	struct dp_path path;
	struct bn_rng rng;
	int fd[X_N], s, p, r, err;
	char cnt[16];

	dxr_opts_parse(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	bn_pin_cpu(0);
	bn_dp_open(&dp, 0);
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
	dxr_share_maps(&dp, skel->obj);
	err = dxr__load(skel);
	if (err)
		bn_die("load dxr: %s", strerror(-err));
	fd[X_NONE] = bpf_program__fd(skel->progs.dxr_none);
	fd[X_TBL24] = bpf_program__fd(skel->progs.dxr_tbl24);
	fd[X_RANGE] = bpf_program__fd(skel->progs.dxr_range);
	x.cap = bpf_map__max_entries(skel->maps.dxr_range_map) * 256;
	x.dir_len = (size_t)DXR_CHUNKS * 4;
	x.range_len = (size_t)x.cap * 4;
	x.dir = dxr_mmap(bpf_map__fd(skel->maps.dxr_dir_map), x.dir_len,
			 PROT_READ | PROT_WRITE);
	x.range = dxr_mmap(bpf_map__fd(skel->maps.dxr_range_map), x.range_len,
			   PROT_READ | PROT_WRITE);
	t24 = dxr_mmap(bpf_map__fd(dp.skel->maps.fib4_tbl24),
		       (size_t)DP_FIB4_TBL24_ENTRIES * 4, PROT_READ);
	t8 = dxr_mmap(bpf_map__fd(dp.skel->maps.fib4_tbl8),
		      (size_t)bpf_map__max_entries(dp.skel->maps.fib4_tbl8) *
			      DP_FIB4_TBL8_GROUP_ENTRIES * 4,
		      PROT_READ);

	pkts = calloc(o.packets, sizeof(*pkts));
	want = calloc(o.packets, sizeof(*want));
	for (p = 0; p < X_N; p++)
		ids[p] = calloc(o.packets, sizeof(uint32_t));
	t = bn_pfx4_table(o.sizes[o.n_sizes - 1], DXR_SEED);
	if (!pkts || !want || !ids[X_N - 1])
		bn_die("out of memory");

	printf("bench/dxr: ns per packet for the IPv4 lookup of a value id above a program that only parses\n"
	       "(\"none\"), median of %d rounds (min-max), %u random destinations per round, BPF_PROG_TEST_RUN\n"
	       "repeat=1; tbl24: the datapath's DIR-24-8 (fib4_tbl24/fib4_tbl8, written by dp_fib.c);\n"
	       "range: a D16R-style range table built from it (bench/bpf/dxr.bpf.c), DIR-24-8 for chunks it lacks.\n"
	       "IPv4 mix: %s\n\n",
	       o.rounds, o.packets, bn_pfx4_mix_desc);
	printf("%-8s %-18s %-18s %-18s %-9s %s\n", "routes", "none (raw)",
	       "tbl24", "range", "tbl/range", "range table");
	for (s = 0; s < o.n_sizes; s++) {
		double mean[X_N], net[X_N][o.rounds], ratio[o.rounds];
		struct bn_stat st[X_N], rs;
		uint32_t outliers = 0, bad = 0, i;
		uint64_t t0;
		double build;

		for (i = done; i < o.sizes[s]; i++) {
			err = bn_dp_route4(&dp, t[i].addr, t[i].plen,
					   1 + i % DXR_NHG);
			if (err)
				bn_die("route %u: %s", i, strerror(-err));
		}
		done = o.sizes[s];
		t0 = bn_now_ns();
		dxr_build(&x, t24, t8);
		build = (bn_now_ns() - t0) / 1e6;
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
			bad += (ids[X_TBL24][i] != want[i]) +
			       (ids[X_RANGE][i] != want[i]);
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
			ratio[r] = net[X_RANGE][r] > 0
					   ? net[X_TBL24][r] / net[X_RANGE][r]
					   : 0;
		}
		for (p = 0; p < X_N; p++)
			st[p] = bn_stat_of(net[p], o.rounds);
		rs = bn_stat_of(ratio, o.rounds);
		{
			char c[X_N][32];

			for (p = 0; p < X_N; p++)
				snprintf(c[p], sizeof(c[p]), "%.1f (%.1f-%.1f)",
					 st[p].med, st[p].min, st[p].max);
			printf("%-8s %-18s %-18s %-18s %-9.2f %u ranges (%zu KiB) + %u KiB dir; chunks %u direct, %u ranged, %u DIR-24-8; built in %.0f ms; %u of %u frames wrong, %u runs left out\n",
			       bn_fmt_count(done, cnt, sizeof(cnt)), c[X_NONE],
			       c[X_TBL24], c[X_RANGE], rs.med, x.used,
			       (size_t)x.used * 4 / 1024,
			       (unsigned int)(x.dir_len / 1024), x.direct, x.ranged,
			       x.fallback, build, bad, 2 * o.packets, outliers);
		}
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
