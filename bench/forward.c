// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/forward: packets per second through a router, the datapath's XDP
 * program against plain kernel forwarding, same generator, same run.
 *
 *   bn_gen                 bn_rtr                         bn_sink
 *   bn_g0 ==veth== bn_r0 [router] bn_r1 ==veth== bn_s0 [sink_drop: count]
 *
 * The generator is gen_tx (bpf/traffic.bpf.c) run by BPF_PROG_TEST_RUN
 * with live frames on bn_g0: each XDP_TX is a frame into bn_r0. Both
 * router modes hold the same routes: the kernel's FIB (nexthop objects, as
 * zebra installs them) and the datapath's maps, filled directly through
 * the plugin's dp_fib.c and a group written like dp_nhg.c writes it
 * (not through zebra: this measures forwarding, not the control plane).
 *
 *   kernel         no BPF on the router, kernel forwarding on
 *   ours           dp_xdp_main on bn_r0 (native XDP), kernel forwarding off
 *   fib_lookup     bench/bpf/ref_fwd.bpf.c's ref_fib_lookup, as lean as
 *                  xdp-tools' xdp-forward (bpf_fib_lookup on the kernel's
 *                  FIB, devmap redirect; kernel forwarding on, which the
 *                  lookup requires: the kernel's own ForwDatagrams must not
 *                  move)
 *   redirect only  ref_redirect_fixed: every frame to bn_r1 with one MAC
 *                  rewrite, the limit of this path
 *
 * On veth the receiving side runs in the sender's softirq, which would
 * put generator and router on one CPU and make the offered load equal to
 * what the router handles. bn_r0's NAPI is made threaded instead and its
 * thread pinned to another CPU than the generator: the router gets a core
 * of its own, as behind a NIC, and the generator offers what it can.
 * Frames the router cannot take are dropped at bn_r0's queue.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <netinet/in.h>

#include "bench.h"
#include "datapath.h"
#include "pkt.h"
#include "prefixes.h"
#include "rate.h"
#include "ref_fwd.skel.h"
#include "traffic.skel.h"

#define FWD_SEED 0x46574434
#define FWD_N_DST 65536 /* destinations the generator cycles through */
#define FWD_NHG 1
#define FWD_NHID BN_RATE_NHID
#define FWD_IN_STATS 1
#define FWD_OUT_STATS 2

#define gen_mac bn_rate_gen_mac
#define rtr_in_mac bn_rate_rtr_in_mac
#define rtr_out_mac bn_rate_rtr_out_mac
#define sink_mac bn_rate_sink_mac

enum fwd_mode { M_KERNEL, M_OURS, M_FIBLOOKUP, M_REDIRECT, M_N };

static const char *const mode_names[M_N] = {
	[M_KERNEL] = "kernel",
	[M_OURS] = "ours (XDP)",
	[M_FIBLOOKUP] = "fib_lookup",
	[M_REDIRECT] = "redirect only",
};

struct fwd_opts {
	uint32_t routes;
	double seconds;
	int rounds;
	int cpu_gen, cpu_rtr;
	unsigned int modes; /* bit per enum fwd_mode run */
};

struct fwd_env {
	struct bn_dp dp;
	struct traffic *gen;  /* loaded in bn_gen */
	struct traffic *sink; /* loaded in bn_sink */
	struct ref_fwd *ref;  /* the references, for bn_rtr */
	struct bn_rate_topo t;
	int cpu_rtr;
	int napi_pid; /* bn_r0's NAPI thread: the router */
};

/* The same routes in the kernel (bn_rtr) and in the datapath's maps. */
static void fwd_routes(struct fwd_env *e, const struct bn_pfx4 *t, uint32_t n)
{
	struct dp_path path = bn_dp_path(e->t.r1, sink_mac, rtr_out_mac,
					 htonl(0x0a020002));
	char pfx[INET_ADDRSTRLEN + 4];
	uint32_t i;
	FILE *ip;
	int err;

	bn_dp_intf(&e->dp, e->t.r0, rtr_in_mac,
		   DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_UP,
		   FWD_IN_STATS);
	bn_dp_intf(&e->dp, e->t.r1, rtr_out_mac, DP_INTF_F_UP, FWD_OUT_STATS);
	bn_dp_nhg(&e->dp, FWD_NHG, &path, 1);
	for (i = 0; i < n; i++) {
		err = bn_dp_route4(&e->dp, t[i].addr, t[i].plen, FWD_NHG);
		if (err)
			bn_die("ours: route %u: %s", i, strerror(-err));
	}
	bn_dp_commit(&e->dp);

	bn_netns_enter("bn_rtr");
	ip = bn_ip_batch_open();
	for (i = 0; i < n; i++) {
		bn_pfx4_str(&t[i], pfx, sizeof(pfx));
		fprintf(ip, "route add %s nhid %u\n", pfx, FWD_NHID);
	}
	bn_ip_batch_close(ip);
	bn_netns_enter(NULL);
}

/* Load the generator with its frame and destinations, in bn_gen. */
static void fwd_gen_load(struct fwd_env *e, const struct bn_pfx4 *t,
			 uint32_t n)
{
	struct bn_pkt frame;
	struct bn_rng rng;
	uint32_t i, dst;
	int fd;

	e->gen = traffic__open();
	if (!e->gen)
		bn_die("open traffic: %s", strerror(errno));
	bn_pkt4(&frame, rtr_in_mac, gen_mac, htonl(0x0a010002), 0);
	memcpy(&e->gen->bss->gen_eth, frame.buf, ETH_HLEN);
	memcpy(&e->gen->bss->gen_ip4, frame.buf + ETH_HLEN,
	       sizeof(struct iphdr));
	e->gen->rodata->gen_n_dst = FWD_N_DST;
	if (traffic__load(e->gen))
		bn_die("load traffic: %s", strerror(errno));
	fd = bpf_map__fd(e->gen->maps.gen_dst);
	bn_rng_seed(&rng, FWD_SEED + n);
	for (i = 0; i < FWD_N_DST; i++) {
		dst = bn_pfx4_dst(&t[bn_rng_below(&rng, n)], &rng);
		if (bpf_map_update_elem(fd, &i, &dst, BPF_ANY))
			bn_die("gen_dst: %s", strerror(errno));
	}
}

static void fwd_sink_attach(struct fwd_env *e)
{
	e->sink = traffic__open_and_load();
	if (!e->sink)
		bn_die("load traffic: %s", strerror(errno));
	bn_rate_sink_attach(&e->t, bpf_program__fd(e->sink->progs.sink_drop));
}

/* The references, with bn_r1 in their devmap and the fixed rewrite. */
static void fwd_ref_load(struct fwd_env *e)
{
	__u32 out = e->t.r1;

	e->ref = ref_fwd__open();
	if (!e->ref)
		bn_die("open ref_fwd: %s", strerror(errno));
	e->ref->rodata->ref_fixed_ifindex = out;
	memcpy((void *)e->ref->rodata->ref_fixed_dmac, sink_mac, ETH_ALEN);
	memcpy((void *)e->ref->rodata->ref_fixed_smac, rtr_out_mac, ETH_ALEN);
	if (ref_fwd__load(e->ref))
		bn_die("load ref_fwd: %s", strerror(errno));
	/* a devmap entry names a device of the updater's namespace */
	bn_netns_enter("bn_rtr");
	if (bpf_map_update_elem(bpf_map__fd(e->ref->maps.ref_tx_ports), &out,
				&out, BPF_ANY))
		bn_die("ref_tx_ports: %s", strerror(errno));
	bn_netns_enter(NULL);
}

static void fwd_mode_set(struct fwd_env *e, enum fwd_mode m)
{
	const int fd[M_N] = {
		[M_KERNEL] = -1,
		[M_OURS] = e->dp.prog_fd,
		[M_FIBLOOKUP] = bpf_program__fd(e->ref->progs.ref_fib_lookup),
		[M_REDIRECT] = bpf_program__fd(e->ref->progs.ref_redirect_fixed),
	};

	e->napi_pid = bn_rate_router_fwd(&e->t, fd[m], e->cpu_rtr,
					 m == M_KERNEL || m == M_FIBLOOKUP);
}

/* Generate for `seconds` on the calling thread (in bn_gen, pinned). */
static struct bn_rate_sample fwd_generate(struct fwd_env *e, double seconds)
{
	struct bn_pkt frame;

	bn_pkt4(&frame, rtr_in_mac, gen_mac, htonl(0x0a010002),
		htonl(0x01010101));
	return bn_rate_generate(bpf_program__fd(e->gen->progs.gen_tx),
				bpf_map__fd(e->gen->maps.gen_count),
				bpf_map__fd(e->sink->maps.sink_count), e->t.g0,
				&frame, e->napi_pid, seconds);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: forward [--routes 1M] [--seconds 2] [--rounds 3] [--cpus GEN,RTR]\n"
		"               [--only kernel|ours|fib_lookup|redirect]  (one mode: to profile it)\n");
	exit(2);
}

static void fwd_opts_parse(int argc, char **argv, struct fwd_opts *o)
{
	static const struct option lopts[] = {
		{"routes", required_argument, NULL, 'n'},
		{"seconds", required_argument, NULL, 's'},
		{"rounds", required_argument, NULL, 'r'},
		{"cpus", required_argument, NULL, 'c'},
		{"only", required_argument, NULL, 'o'},
		{},
	};
	static const char *const only[M_N] = {"kernel", "ours", "fib_lookup",
					      "redirect"};
	int c, m;

	o->routes = 1000000;
	o->seconds = 2;
	o->rounds = 3;
	o->cpu_gen = 0;
	o->cpu_rtr = 1;
	o->modes = (1u << M_N) - 1;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->routes = bn_parse_count(optarg);
			break;
		case 's':
			o->seconds = atof(optarg);
			break;
		case 'r':
			o->rounds = atoi(optarg);
			break;
		case 'c':
			if (sscanf(optarg, "%d,%d", &o->cpu_gen, &o->cpu_rtr) != 2)
				usage();
			break;
		case 'o':
			for (m = 0; m < M_N && strcmp(optarg, only[m]); m++)
				;
			if (m == M_N)
				usage();
			o->modes = 1u << m;
			break;
		default:
			usage();
		}
	}
	if (!o->routes || o->seconds <= 0 || o->rounds < 1)
		usage();
}

/* Packets the datapath counted, forwarded and otherwise. */
static void fwd_dp_counts(struct fwd_env *e, uint64_t *fwd, uint64_t *pass)
{
	int r;

	*fwd = bn_dp_count(&e->dp, DP_R_FWD);
	*pass = 0;
	for (r = 0; r < DP_R_MAX; r++)
		if (r != DP_R_FWD)
			*pass += bn_dp_count(&e->dp, r);
}

static void fwd_setup(struct fwd_env *e, const struct fwd_opts *o)
{
	struct bn_pfx4 *t;

	bn_rate_topo_setup(&e->t);
	e->cpu_rtr = o->cpu_rtr;

	t = bn_pfx4_table(o->routes, FWD_SEED);
	bn_dp_open(&e->dp, 0);
	fwd_routes(e, t, o->routes);
	fwd_gen_load(e, t, o->routes);
	fwd_sink_attach(e);
	fwd_ref_load(e);
	free(t);
}

/* --only: the one mode's row (a run to profile, not to compare). */
static int fwd_report_one(struct fwd_env *e, const struct fwd_opts *o,
			  double v[M_N][4][o->rounds])
{
	struct bn_stat st[4];
	int m = __builtin_ctz(o->modes), k;

	for (k = 0; k < 4; k++)
		st[k] = bn_stat_of(v[m][k], o->rounds);
	printf("%s only: offered %.2f, forwarded %.2f Mpps, %.2f Mpps per core, router CPU %.0f %%\n",
	       mode_names[m], st[0].med, st[1].med, st[2].med, st[3].med);
	traffic__destroy(e->gen);
	traffic__destroy(e->sink);
	ref_fwd__destroy(e->ref);
	bn_dp_close(&e->dp);
	return 0;
}

int main(int argc, char **argv)
{
	/* offered, forwarded, per router core, router CPU % */
	struct bn_stat st[M_N][4];
	uint64_t fwd0, pass0, fwd1, pass1, kfwd[M_N] = {};
	struct fwd_env e = {};
	struct fwd_opts o;
	char cnt[16];
	int r, m, k;

	fwd_opts_parse(argc, argv, &o);
	double v[M_N][4][o.rounds];

	setvbuf(stdout, NULL, _IOLBF, 0);
	fwd_setup(&e, &o);
	printf("bench/forward: 64-byte UDP frames to %u random destinations over %s IPv4 routes\n"
	       "(%s)\n"
	       "generator: XDP_TX live frames on CPU %d; router: bn_r0's threaded NAPI thread on CPU %d\n"
	       "median of %d rounds of %.1f s (min-max), modes alternating; \"per core\" = forwarded / CPU share the router thread got\n\n",
	       FWD_N_DST, bn_fmt_count(o.routes, cnt, sizeof(cnt)),
	       bn_pfx4_mix_desc, o.cpu_gen, o.cpu_rtr, o.rounds, o.seconds);

	fwd_dp_counts(&e, &fwd0, &pass0);
	for (r = 0; r < o.rounds; r++) {
		for (m = 0; m < M_N; m++) {
			struct bn_rate_sample s;

			uint64_t k0;

			if (!(o.modes & 1u << m))
				continue;
			fwd_mode_set(&e, m);
			k0 = bn_kernel_forwarded("bn_rtr");
			bn_netns_enter("bn_gen");
			bn_pin_cpu(o.cpu_gen);
			s = fwd_generate(&e, o.seconds);
			bn_netns_enter(NULL);
			kfwd[m] += bn_kernel_forwarded("bn_rtr") - k0;
			v[m][0][r] = s.offered / 1e6;
			v[m][1][r] = s.forwarded / 1e6;
			v[m][2][r] = s.rtr_cpu > 0 ? s.forwarded / 1e6 / s.rtr_cpu : 0;
			v[m][3][r] = 100 * s.rtr_cpu;
		}
	}
	fwd_mode_set(&e, M_KERNEL);
	fwd_dp_counts(&e, &fwd1, &pass1);
	if (o.modes != (1u << M_N) - 1)
		return fwd_report_one(&e, &o, v);

	printf("%-14s %-20s %-20s %-20s %-16s\n", "router", "offered Mpps",
	       "forwarded Mpps", "Mpps per core", "router CPU %");
	for (m = 0; m < M_N; m++) {
		char cell[4][32];

		for (k = 0; k < 4; k++) {
			st[m][k] = bn_stat_of(v[m][k], o.rounds);
			snprintf(cell[k], sizeof(cell[k]),
				 k == 3 ? "%.0f (%.0f-%.0f)" : "%.2f (%.2f-%.2f)",
				 st[m][k].med, st[m][k].min, st[m][k].max);
		}
		printf("%-14s %-20s %-20s %-20s %-16s\n", mode_names[m],
		       cell[0], cell[1], cell[2], cell[3]);
	}
	printf("\nours/kernel: %.2fx forwarded, %.2fx per core\n",
	       st[M_OURS][1].med / st[M_KERNEL][1].med,
	       st[M_OURS][2].med / st[M_KERNEL][2].med);
	printf("ours/fib_lookup: %.2fx forwarded, %.2fx per core\n",
	       st[M_OURS][1].med / st[M_FIBLOOKUP][1].med,
	       st[M_OURS][2].med / st[M_FIBLOOKUP][2].med);
	printf("ours/redirect only: %.2fx forwarded, %.2fx per core\n",
	       st[M_OURS][1].med / st[M_REDIRECT][1].med,
	       st[M_OURS][2].med / st[M_REDIRECT][2].med);
	printf("kernel's own forwarding (ForwDatagrams) per mode: kernel %llu, ours %llu, fib_lookup %llu, redirect only %llu\n",
	       (unsigned long long)kfwd[M_KERNEL],
	       (unsigned long long)kfwd[M_OURS],
	       (unsigned long long)kfwd[M_FIBLOOKUP],
	       (unsigned long long)kfwd[M_REDIRECT]);
	printf("datapath counters: %llu forwarded, %llu passed to the kernel\n",
	       (unsigned long long)(fwd1 - fwd0),
	       (unsigned long long)(pass1 - pass0));
	for (m = 0; m < M_N; m++)
		if (st[m][3].med < 90)
			printf("note: %s left the router's CPU %.0f %% idle: the generator or the sink limits its forwarded figure; \"per core\" compares it\n",
			       mode_names[m], 100 - st[m][3].med);
	for (m = 0; m < M_N; m++)
		if (st[m][1].med > 0.9 * st[m][0].med)
			printf("note: %s forwarded ~all that was offered: the generator limits it, its figure is a lower bound\n",
			       mode_names[m]);

	traffic__destroy(e.gen);
	traffic__destroy(e.sink);
	ref_fwd__destroy(e.ref);
	bn_dp_close(&e.dp);
	/* What the kernel forwarded was not the references' work. */
	for (m = M_OURS; m < M_N; m++) {
		uint64_t done = (uint64_t)(st[m][1].med * 1e6 * o.seconds *
					   o.rounds);

		if (kfwd[m] > done / 100 + 100) {
			fprintf(stderr, "bench/forward: the kernel forwarded %llu frames in mode %s: its figure is not the program's\n",
				(unsigned long long)kfwd[m], mode_names[m]);
			return 1;
		}
	}
	/* Frames the datapath passed up were measured as the kernel's work. */
	if (fwd1 - fwd0 == 0 || pass1 - pass0 > (fwd1 - fwd0) / 100) {
		fprintf(stderr, "bench/forward: the datapath passed %llu frames to the kernel and forwarded %llu: its figure is not the datapath's\n",
			(unsigned long long)(pass1 - pass0),
			(unsigned long long)(fwd1 - fwd0));
		return 1;
	}
	return 0;
}
