// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/fib: what a FIB lookup plus forwarding costs per packet, for the
 * datapath and for what it replaces, at full-table sizes.
 *
 * Four XDP programs see the same packets in the same run, through
 * BPF_PROG_TEST_RUN with repeat = 1 (a second repetition would run on the
 * packet the first one rewrote, see DESIGN.md §5), each packet a random
 * destination in a table shaped like the Internet's:
 *
 *   ours        bpf/xdp_main.bpf.o, tables filled by the plugin's dp_fib.c
 *   lpm_trie    the same parsing and rewrite with BPF_MAP_TYPE_LPM_TRIE
 *   fib_lookup  bpf_fib_lookup on the kernel's FIB, which holds the same
 *               routes (namespace bn_fib), as lean as xdp-forward: Ethernet
 *               and IP header, lookup, TTL, MACs, devmap redirect
 *   pass        XDP_PASS: the cost of a test run itself
 *
 * A test run's duration is the kernel's own measure of the program run
 * (no syscall, no copy); it still includes the timer and run harness,
 * which XDP_PASS measures and every figure has subtracted, round by round.
 * Each round runs every program over all packets, in a rotating order; a
 * first round warms the caches and checks that all three forwarders
 * forward every packet to the same next hop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "bench.h"
#include "datapath.h"
#include "datapath_stages.h"
#include "pkt.h"
#include "prefixes.h"
#include "ref_fwd.skel.h"

#define FIB_NS "bn_fib"
#define FIB_OUT_DEV "bn_f0"
#define FIB_NHG 16	/* next hops the routes are spread over */
#define FIB_NHID4 100	/* kernel nexthop object ids: +g */
#define FIB_NHID6 200
#define FIB_IN_STATS 1
#define FIB_SEED4 0x46494234
#define FIB_SEED6 0x46494236
#define FIB_SIZES_MAX 8
#define FIB_OUTLIER_NS 20000

/* The forwarders, XDP_PASS, then ours cut after each stage (stages.bpf.c):
 * what each stage adds is the difference between two cuts. */
enum fib_prog {
	P_OURS,
	P_LPM,
	P_FIBLOOKUP,
	P_PASS,
	P_ST_ENTRY,
	P_ST_INGRESS,
	P_ST_ROUTE,
	P_N
};
#define P_STAGE_FIRST P_ST_ENTRY

/* The cuts in path order, the whole path last: stage i adds cut i minus
 * cut i - 1 (XDP_PASS before the first), round by round. */
#define FIB_STAGES 4
static const enum fib_prog fib_stage_prog[FIB_STAGES] = {
	P_ST_ENTRY, P_ST_INGRESS, P_ST_ROUTE, P_OURS};

/* The test frames' destination MAC: lo's router MAC in intf_map. */
static const uint8_t router_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x99};
/* FIB_OUT_DEV's MAC, the source MAC of every forwarded frame. */
static const uint8_t out_mac[6] = {0x02, 0, 0, 0, 0x20, 0x00};

struct fib_opts {
	uint32_t v4_sizes[FIB_SIZES_MAX];
	int n_v4;
	uint32_t v6_sizes[FIB_SIZES_MAX];
	int n_v6;
	uint32_t packets;
	int rounds;
};

struct fib_env {
	struct bn_dp dp;
	struct ref_fwd *ref;
	struct bn_dp_stages stages;
	int fd[P_N];
	uint32_t out_ifindex;
	struct bn_pkt *pkts;
	uint8_t *tag[P_N]; /* per packet: next hop chosen (warm-up round) */
};

/* Next hop g: gateway .10+g, MAC 02:00:00:00:10:g, in all three FIBs. */
static void nh_mac(unsigned int g, uint8_t *mac)
{
	const uint8_t m[6] = {0x02, 0, 0, 0, 0x10, g};

	memcpy(mac, m, 6);
}

static uint32_t nh_gw4(unsigned int g)
{
	return htonl(0x0aff0000 | (10 + g)); /* 10.255.0.10+g */
}

static void nh_gw6_str(unsigned int g, char *buf, size_t len)
{
	snprintf(buf, len, "fd00:ff::%x", 10 + g);
}

/*
 * The kernel side: an out interface with the gateways as permanent
 * neighbours and one nexthop object per gateway (what zebra installs on
 * this kernel), and forwarding on for lo only: bpf_fib_lookup refuses to
 * forward from an interface that does not forward, and test runs arrive
 * on lo.
 */
static void fib_netns_setup(void)
{
	char gw4[INET_ADDRSTRLEN], gw6[INET6_ADDRSTRLEN];
	uint8_t mac[6];
	FILE *ip;
	uint32_t a;
	unsigned int g;

	bn_netns_add(FIB_NS);
	bn_shf("ip -n %s link add %s address 02:00:00:00:20:00 type veth peer name bn_f1",
	       FIB_NS, FIB_OUT_DEV);
	bn_shf("ip -n %s link set %s up && ip -n %s link set bn_f1 up", FIB_NS,
	       FIB_OUT_DEV, FIB_NS);
	bn_shf("ip -n %s addr add 10.255.0.1/24 dev %s", FIB_NS, FIB_OUT_DEV);
	bn_shf("ip -n %s addr add fd00:ff::1/64 dev %s nodad", FIB_NS,
	       FIB_OUT_DEV);
	bn_shf("ip netns exec %s sysctl -qw net.ipv4.conf.lo.forwarding=1 "
	       "net.ipv6.conf.lo.forwarding=1",
	       FIB_NS);

	bn_netns_enter(FIB_NS);
	ip = bn_ip_batch_open();
	for (g = 0; g < FIB_NHG; g++) {
		nh_mac(g, mac);
		a = nh_gw4(g);
		inet_ntop(AF_INET, &a, gw4, sizeof(gw4));
		nh_gw6_str(g, gw6, sizeof(gw6));
		fprintf(ip,
			"neigh add %s lladdr 02:00:00:00:10:%02x dev %s nud permanent\n"
			"neigh add %s lladdr 02:00:00:00:10:%02x dev %s nud permanent\n"
			"nexthop add id %u via %s dev %s\n"
			"nexthop add id %u via %s dev %s\n",
			gw4, mac[5], FIB_OUT_DEV, gw6, mac[5], FIB_OUT_DEV,
			FIB_NHID4 + g, gw4, FIB_OUT_DEV, FIB_NHID6 + g, gw6,
			FIB_OUT_DEV);
	}
	bn_ip_batch_close(ip);
}

/* The same next hops in ours (nh_map) and in the LPM program's array. */
static void fib_nexthops(struct fib_env *e)
{
	int ref_nh = bpf_map__fd(e->ref->maps.ref_nh_map);
	unsigned int g;

	bn_dp_intf(&e->dp, 1 /* lo */, router_mac,
		   DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_UP,
		   FIB_IN_STATS);
	for (g = 0; g < FIB_NHG; g++) {
		struct {
			uint32_t ifindex;
			uint8_t dmac[6], smac[6];
		} nh = {.ifindex = e->out_ifindex};
		struct dp_path path;
		uint32_t idx = g;

		nh_mac(g, nh.dmac);
		memcpy(nh.smac, out_mac, 6);
		path = bn_dp_path(e->out_ifindex, nh.dmac, out_mac, nh_gw4(g));
		bn_dp_nhg(&e->dp, 1 + g, &path, 1);
		if (bpf_map_update_elem(ref_nh, &idx, &nh, BPF_ANY))
			bn_die("ref_nh_map: %s", strerror(errno));
	}
}

struct fib_load_time {
	double ours, lpm, kernel; /* seconds */
};

/* Add routes [from, to) of the table to all three FIBs. */
static void fib_add4(struct fib_env *e, const struct bn_pfx4 *t, uint32_t from,
		     uint32_t to, struct fib_load_time *lt)
{
	int lpm = bpf_map__fd(e->ref->maps.ref_lpm4);
	char pfx[INET_ADDRSTRLEN + 4];
	uint64_t t0;
	uint32_t i;
	FILE *ip;
	int err;

	t0 = bn_now_ns();
	for (i = from; i < to; i++) {
		err = bn_dp_route4(&e->dp, t[i].addr, t[i].plen, 1 + i % FIB_NHG);
		if (err)
			bn_die("ours: route %u: %s", i, strerror(-err));
	}
	bn_dp_commit(&e->dp);
	lt->ours += (bn_now_ns() - t0) / 1e9;

	t0 = bn_now_ns();
	for (i = from; i < to; i++) {
		struct dp_rt4_key k = {.prefixlen = t[i].plen, .addr = t[i].addr};
		uint32_t nh = i % FIB_NHG;

		if (bpf_map_update_elem(lpm, &k, &nh, BPF_ANY))
			bn_die("ref_lpm4: %s", strerror(errno));
	}
	lt->lpm += (bn_now_ns() - t0) / 1e9;

	t0 = bn_now_ns();
	ip = bn_ip_batch_open();
	for (i = from; i < to; i++) {
		bn_pfx4_str(&t[i], pfx, sizeof(pfx));
		fprintf(ip, "route add %s nhid %u\n", pfx, FIB_NHID4 + i % FIB_NHG);
	}
	bn_ip_batch_close(ip);
	lt->kernel += (bn_now_ns() - t0) / 1e9;
}

static void fib_add6(struct fib_env *e, const struct bn_pfx6 *t, uint32_t from,
		     uint32_t to, struct fib_load_time *lt)
{
	int lpm = bpf_map__fd(e->ref->maps.ref_lpm6);
	char pfx[INET6_ADDRSTRLEN + 4];
	uint64_t t0;
	uint32_t i;
	FILE *ip;
	int err;

	t0 = bn_now_ns();
	for (i = from; i < to; i++) {
		err = bn_dp_route6(&e->dp, t[i].addr, t[i].plen, 1 + i % FIB_NHG);
		if (err)
			bn_die("ours: route %u: %s", i, strerror(-err));
	}
	bn_dp_commit(&e->dp);
	lt->ours += (bn_now_ns() - t0) / 1e9;

	t0 = bn_now_ns();
	for (i = from; i < to; i++) {
		struct dp_rt6_key k = {.prefixlen = t[i].plen};
		uint32_t nh = i % FIB_NHG;

		memcpy(k.addr, t[i].addr, sizeof(k.addr));
		if (bpf_map_update_elem(lpm, &k, &nh, BPF_ANY))
			bn_die("ref_lpm6: %s", strerror(errno));
	}
	lt->lpm += (bn_now_ns() - t0) / 1e9;

	t0 = bn_now_ns();
	ip = bn_ip_batch_open();
	for (i = from; i < to; i++) {
		bn_pfx6_str(&t[i], pfx, sizeof(pfx));
		fprintf(ip, "route add %s nhid %u\n", pfx, FIB_NHID6 + i % FIB_NHG);
	}
	bn_ip_batch_close(ip);
	lt->kernel += (bn_now_ns() - t0) / 1e9;
}

/*
 * One program over all packets; returns the mean duration in ns and in
 * *fwd the runs that returned XDP_REDIRECT (a stage cut: XDP_PASS, still
 * on its way to being forwarded). With tag, records per packet which next
 * hop the frame was sent to (its destination MAC's last byte), or 0xff if
 * it was not redirected.
 *
 * A run longer than FIB_OUTLIER_NS did not take that long to look up a
 * route: the CPU was taken away in the middle of it (an interrupt, or
 * this VM's vCPU descheduled). Such runs are left out of the mean and
 * counted in *outliers.
 */
static double fib_run(struct fib_env *e, int p, uint32_t n, uint32_t *fwd,
		      uint8_t *tag, uint32_t *outliers)
{
	int fd = e->fd[p], want = p >= P_STAGE_FIRST ? XDP_PASS : XDP_REDIRECT;
	uint8_t out[BN_PKT_MAX];
	uint64_t sum = 0;
	uint32_t i, kept = 0;

	*fwd = 0;
	for (i = 0; i < n; i++) {
		struct xdp_md ctx = {
			.data_end = e->pkts[i].len,
			.ingress_ifindex = 1,
		};
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = e->pkts[i].buf,
			    .data_size_in = e->pkts[i].len, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = 1);

		if (tag) {
			o.data_out = out;
			o.data_size_out = sizeof(out);
		}
		if (bpf_prog_test_run_opts(fd, &o))
			bn_die("test run: %s", strerror(errno));
		if (o.duration <= FIB_OUTLIER_NS) {
			sum += o.duration;
			kept++;
		}
		if ((int)o.retval == want)
			(*fwd)++;
		if (tag)
			tag[i] = o.retval == XDP_REDIRECT ? out[5] : 0xff;
	}
	*outliers += n - kept;
	return kept ? (double)sum / kept : 0;
}

struct fib_row {
	char name[32];
	struct bn_stat net[P_N]; /* ns, baseline subtracted (P_PASS: raw) */
	struct bn_stat stage[FIB_STAGES]; /* what each cut adds, per round */
	uint32_t fwd[P_N];	 /* packets forwarded in the warm-up round */
	uint32_t agree;		 /* packets all three sent to one next hop */
	uint32_t n;
	uint32_t outliers; /* runs left out (> FIB_OUTLIER_NS), all rounds */
	int rounds;
	struct fib_load_time lt;
};

static void fib_measure(struct fib_env *e, const struct fib_opts *o,
			struct fib_row *row)
{
	double mean[P_N], net[P_N][o->rounds];
	uint32_t fwd, i, warmup_outliers = 0;
	int r, j, p;

	row->n = o->packets;
	row->rounds = o->rounds;
	for (p = 0; p < P_N; p++)
		fib_run(e, p, o->packets, &row->fwd[p],
			p < P_PASS ? e->tag[p] : NULL, &warmup_outliers);
	row->agree = 0;
	for (i = 0; i < o->packets; i++)
		if (e->tag[P_OURS][i] != 0xff &&
		    e->tag[P_OURS][i] == e->tag[P_LPM][i] &&
		    e->tag[P_OURS][i] == e->tag[P_FIBLOOKUP][i])
			row->agree++;

	for (r = 0; r < o->rounds; r++) {
		for (j = 0; j < P_N; j++) {
			p = (r + j) % P_N;
			mean[p] = fib_run(e, p, o->packets, &fwd, NULL,
					  &row->outliers);
		}
		for (p = 0; p < P_N; p++)
			net[p][r] = p == P_PASS ? mean[p] : mean[p] - mean[P_PASS];
	}
	for (p = 0; p < P_N; p++)
		row->net[p] = bn_stat_of(net[p], o->rounds);
	for (j = 0; j < FIB_STAGES; j++) {
		double add[o->rounds];

		for (r = 0; r < o->rounds; r++)
			add[r] = net[fib_stage_prog[j]][r] -
				 (j ? net[fib_stage_prog[j - 1]][r] : 0);
		row->stage[j] = bn_stat_of(add, o->rounds);
	}
}

static void fib_print_head(const struct fib_opts *o)
{
	printf("bench/fib: ns per packet = median of %d rounds (min-max), %u random destinations per round,\n"
	       "BPF_PROG_TEST_RUN repeat=1, XDP_PASS cost subtracted per round (\"pass\" is that raw cost)\n",
	       o->rounds, o->packets);
	printf("IPv4 mix: %s\nIPv6 mix: %s\n\n", bn_pfx4_mix_desc,
	       bn_pfx6_mix_desc);
	printf("%-12s %-20s %-20s %-20s %-6s %-16s %-9s\n", "table", "ours",
	       "lpm_trie", "fib_lookup", "pass", "ours/fib_lookup",
	       "lpm/ours");
}

static void fib_print_row(const struct fib_row *row)
{
	char cell[P_N][32];
	int p;

	for (p = 0; p < P_N; p++)
		snprintf(cell[p], sizeof(cell[p]), "%.1f (%.1f-%.1f)",
			 row->net[p].med, row->net[p].min, row->net[p].max);
	printf("%-12s %-20s %-20s %-20s %-6.1f %-16.2f %-9.1f\n", row->name,
	       cell[P_OURS], cell[P_LPM], cell[P_FIBLOOKUP],
	       row->net[P_PASS].med,
	       row->net[P_OURS].med / row->net[P_FIBLOOKUP].med,
	       row->net[P_LPM].med / row->net[P_OURS].med);
	fflush(stdout);
}

/*
 * Where ours spends its time: per round, each cut minus the one before
 * (XDP_PASS before the first), so that the round's own noise cancels; the
 * medians of those, which add up to about "ours".
 */
static void fib_print_stages(const struct fib_row *rows, int n)
{
	static const char *const name[FIB_STAGES] = {"entry", "+ingress",
						     "+route", "+send"};
	int i, j;

	printf("\nours, stage by stage: ns each stage adds (per-round differences, median), bpf/xdp_main.bpf.c cut after it\n"
	       "(entry: interface lookup, packet loaded; ingress: the kernel's checks on L2/L3, addresses,\n"
	       "policers off; route: FIB, next hop, rpf, TTL, MTU; send: TTL and MACs rewritten, counters, redirect)\n");
	printf("%-12s", "table");
	for (j = 0; j < FIB_STAGES; j++)
		printf(" %-9s", name[j]);
	printf(" %-9s %s\n", "ours", "fib_lookup");
	for (i = 0; i < n; i++) {
		printf("%-12s", rows[i].name);
		for (j = 0; j < FIB_STAGES; j++)
			printf(" %-9.1f", rows[i].stage[j].med);
		printf(" %-9.1f %.1f\n", rows[i].net[P_OURS].med,
		       rows[i].net[P_FIBLOOKUP].med);
	}
}

/* Every forwarder must have forwarded every packet, to the same next hop:
 * otherwise the row does not compare like with like. */
static bool fib_row_valid(const struct fib_row *row)
{
	int p;

	for (p = P_STAGE_FIRST; p < P_N; p++)
		if (row->fwd[p] != row->n)
			return false;
	return row->fwd[P_OURS] == row->n && row->fwd[P_LPM] == row->n &&
	       row->fwd[P_FIBLOOKUP] == row->n && row->agree == row->n;
}

static void fib_print_checks(const struct fib_row *rows, int n)
{
	int i;

	printf("\nchecks: forwarded by ours/lpm/fib_lookup and sent to the same next hop by all three (warm-up round);\n"
	       "runs left out as interrupted (> %u ns); route load time in s\n",
	       FIB_OUTLIER_NS);
	for (i = 0; i < n; i++)
		printf("%-12s %u/%u/%u of %u, agree %u, stage cuts reached %u/%u/%u%s; left out %u of %u; load ours %.2f lpm %.2f kernel %.2f\n",
		       rows[i].name, rows[i].fwd[P_OURS], rows[i].fwd[P_LPM],
		       rows[i].fwd[P_FIBLOOKUP], rows[i].n, rows[i].agree,
		       rows[i].fwd[P_ST_ENTRY], rows[i].fwd[P_ST_INGRESS],
		       rows[i].fwd[P_ST_ROUTE],
		       fib_row_valid(&rows[i]) ? "" : "  INVALID",
		       rows[i].outliers, rows[i].rounds * P_N * rows[i].n,
		       rows[i].lt.ours, rows[i].lt.lpm, rows[i].lt.kernel);
}

static void fib_parse_sizes(const char *arg, uint32_t *sizes, int *n)
{
	*n = bn_parse_counts(arg, sizes, FIB_SIZES_MAX);
	for (int i = 1; i < *n; i++)
		if (sizes[i] <= sizes[i - 1])
			bn_die("sizes must increase: %s", arg);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: fib [--v4 1K,100K,1M] [--v6 250K] [--packets N] [--rounds R]\n"
		"  sizes: route table sizes (increasing; empty list: none)\n");
	exit(2);
}

static void fib_opts_parse(int argc, char **argv, struct fib_opts *o)
{
	static const struct option lopts[] = {
		{"v4", required_argument, NULL, '4'},
		{"v6", required_argument, NULL, '6'},
		{"packets", required_argument, NULL, 'n'},
		{"rounds", required_argument, NULL, 'r'},
		{},
	};
	int c;

	fib_parse_sizes("1K,10K,100K,1M", o->v4_sizes, &o->n_v4);
	fib_parse_sizes("1K,10K,100K,250K", o->v6_sizes, &o->n_v6);
	o->packets = 100000;
	o->rounds = 5;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case '4':
			fib_parse_sizes(optarg, o->v4_sizes, &o->n_v4);
			break;
		case '6':
			fib_parse_sizes(optarg, o->v6_sizes, &o->n_v6);
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
	if (!o->packets || o->rounds < 1)
		usage();
}

static void fib_env_open(struct fib_env *e, const struct fib_opts *o)
{
	int p;

	e->ref = ref_fwd__open_and_load();
	if (!e->ref)
		bn_die("load ref_fwd: %s", strerror(errno));
	bn_dp_open(&e->dp, 0);
	e->fd[P_OURS] = e->dp.prog_fd;
	e->fd[P_LPM] = bpf_program__fd(e->ref->progs.ref_lpm);
	e->fd[P_FIBLOOKUP] = bpf_program__fd(e->ref->progs.ref_fib_lookup);
	e->fd[P_PASS] = bpf_program__fd(e->ref->progs.ref_pass);
	bn_dp_stages_open(&e->stages, &e->dp);
	e->fd[P_ST_ENTRY] = e->stages.entry_fd;
	e->fd[P_ST_INGRESS] = e->stages.ingress_fd;
	e->fd[P_ST_ROUTE] = e->stages.route_fd;
	e->out_ifindex = if_nametoindex(FIB_OUT_DEV);
	if (!e->out_ifindex)
		bn_die("%s: %s", FIB_OUT_DEV, strerror(errno));
	/* ref_fib_lookup redirects through its devmap, as xdp-forward */
	if (bpf_map_update_elem(bpf_map__fd(e->ref->maps.ref_tx_ports),
				&e->out_ifindex, &e->out_ifindex, BPF_ANY))
		bn_die("ref_tx_ports: %s", strerror(errno));
	e->pkts = calloc(o->packets, sizeof(*e->pkts));
	for (p = 0; p < P_N; p++)
		e->tag[p] = calloc(o->packets, 1);
	if (!e->pkts || !e->tag[P_N - 1])
		bn_die("out of memory");
	fib_nexthops(e);
}

int main(int argc, char **argv)
{
	struct fib_row rows[2 * FIB_SIZES_MAX] = {};
	uint32_t src6[4] = {htonl(0xfd000001), 0, 0, htonl(1)};
	uint32_t src4 = htonl(0x0a000001); /* 10.0.0.1 */
	struct fib_opts o = {};
	struct fib_env e = {};
	struct bn_rng rng;
	uint32_t done, i, dst6[4];
	char cnt[16];
	int s, n_rows = 0;

	fib_opts_parse(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	fib_netns_setup(); /* and stays in it: test runs arrive on its lo */
	fib_env_open(&e, &o);
	fib_print_head(&o);

	if (o.n_v4) {
		struct bn_pfx4 *t = bn_pfx4_table(o.v4_sizes[o.n_v4 - 1], FIB_SEED4);

		done = 0;
		for (s = 0; s < o.n_v4; s++) {
			struct fib_row *row = &rows[n_rows++];

			if (s)
				row->lt = rows[n_rows - 2].lt;
			fib_add4(&e, t, done, o.v4_sizes[s], &row->lt);
			done = o.v4_sizes[s];
			bn_rng_seed(&rng, FIB_SEED4 + done);
			for (i = 0; i < o.packets; i++)
				bn_pkt4(&e.pkts[i], router_mac, peer_mac, src4,
					bn_pfx4_dst(&t[bn_rng_below(&rng, done)],
						    &rng));
			snprintf(row->name, sizeof(row->name), "ipv4 %s",
				 bn_fmt_count(done, cnt, sizeof(cnt)));
			fib_measure(&e, &o, row);
			fib_print_row(row);
		}
		free(t);
	}
	if (o.n_v6) {
		struct bn_pfx6 *t = bn_pfx6_table(o.v6_sizes[o.n_v6 - 1], FIB_SEED6);

		done = 0;
		for (s = 0; s < o.n_v6; s++) {
			struct fib_row *row = &rows[n_rows++];

			if (s)
				row->lt = rows[n_rows - 2].lt;
			fib_add6(&e, t, done, o.v6_sizes[s], &row->lt);
			done = o.v6_sizes[s];
			bn_rng_seed(&rng, FIB_SEED6 + done);
			for (i = 0; i < o.packets; i++) {
				bn_pfx6_dst(&t[bn_rng_below(&rng, done)], &rng,
					    dst6);
				bn_pkt6(&e.pkts[i], router_mac, peer_mac, src6,
					dst6);
			}
			snprintf(row->name, sizeof(row->name), "ipv6 %s",
				 bn_fmt_count(done, cnt, sizeof(cnt)));
			fib_measure(&e, &o, row);
			fib_print_row(row);
		}
		free(t);
	}
	fib_print_stages(rows, n_rows);
	fib_print_checks(rows, n_rows);

	bn_dp_stages_close(&e.stages);
	bn_dp_close(&e.dp);
	ref_fwd__destroy(e.ref);
	for (s = 0; s < n_rows; s++)
		if (!fib_row_valid(&rows[s])) {
			fprintf(stderr, "bench/fib: %s: the three programs did not forward all frames to the same next hop: its figures measure something else\n",
				rows[s].name);
			return 1;
		}
	return 0;
}
