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
 *   ours    dp_xdp_main on bn_r0 (native XDP), kernel forwarding off
 *   kernel  no BPF on the router, kernel forwarding on
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
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <netinet/in.h>

#include "bench.h"
#include "datapath.h"
#include "pkt.h"
#include "prefixes.h"
#include "traffic.skel.h"

#define FWD_SEED 0x46574434
#define FWD_N_DST 65536 /* destinations the generator cycles through */
#define FWD_NHG 1
#define FWD_NHID 10
#define FWD_IN_STATS 1
#define FWD_OUT_STATS 2

static const uint8_t gen_mac[6] = {0x02, 0, 0, 0, 0x01, 0x01};	 /* bn_g0 */
static const uint8_t rtr_in_mac[6] = {0x02, 0, 0, 0, 0x01, 0x02}; /* bn_r0 */
static const uint8_t rtr_out_mac[6] = {0x02, 0, 0, 0, 0x02, 0x01}; /* bn_r1 */
static const uint8_t sink_mac[6] = {0x02, 0, 0, 0, 0x02, 0x02};	 /* bn_s0 */

enum fwd_mode { M_KERNEL, M_OURS, M_N };

static const char *const mode_names[M_N] = {
	[M_KERNEL] = "kernel",
	[M_OURS] = "ours (XDP)",
};

struct fwd_opts {
	uint32_t routes;
	double seconds;
	int rounds;
	int cpu_gen, cpu_rtr;
};

struct fwd_env {
	struct bn_dp dp;
	struct traffic *gen;  /* loaded in bn_gen */
	struct traffic *sink; /* loaded in bn_sink */
	int g0, r0, r1, s0;   /* ifindexes, each in its namespace */
	int cpu_rtr;
	int napi_pid; /* bn_r0's NAPI thread: the router */
};

static const char *const fwd_setup_cmds[] = {
	"ip link add bn_g0 netns bn_gen address 02:00:00:00:01:01 type veth "
	"peer name bn_r0 netns bn_rtr address 02:00:00:00:01:02",
	"ip link add bn_r1 netns bn_rtr address 02:00:00:00:02:01 type veth "
	"peer name bn_s0 netns bn_sink address 02:00:00:00:02:02",
	/* no IPv6 autoconfiguration chatter in the counts */
	"for n in bn_gen bn_rtr bn_sink; do ip netns exec $n sysctl -qw "
	"net.ipv6.conf.all.disable_ipv6=1 net.ipv4.conf.all.rp_filter=0 "
	"net.ipv4.conf.default.rp_filter=0 || exit 1; done",
	"ip -n bn_gen addr add 10.1.0.2/24 dev bn_g0",
	"ip -n bn_rtr addr add 10.1.0.1/24 dev bn_r0",
	"ip -n bn_rtr addr add 10.2.0.1/24 dev bn_r1",
	"ip -n bn_sink addr add 10.2.0.2/24 dev bn_s0",
	"ip -n bn_gen link set bn_g0 up && ip -n bn_rtr link set bn_r0 up && "
	"ip -n bn_rtr link set bn_r1 up && ip -n bn_sink link set bn_s0 up",
	/* frames XDP_TX'd into a veth need NAPI on the peer: an XDP
	 * program, or GRO when (kernel mode) there is none */
	"ip netns exec bn_rtr ethtool -K bn_r0 gro on >/dev/null",
	"ip netns exec bn_rtr sh -c 'echo 1 > /sys/class/net/bn_r0/threaded'",
	"ip -n bn_rtr neigh add 10.2.0.2 lladdr 02:00:00:00:02:02 dev bn_r1 "
	"nud permanent",
	"ip -n bn_rtr nexthop add id 10 via 10.2.0.2 dev bn_r1",
};

static int fwd_ifindex(const char *ns, const char *dev)
{
	int idx;

	bn_netns_enter(ns);
	idx = if_nametoindex(dev);
	bn_netns_enter(NULL);
	if (!idx)
		bn_die("%s in %s: %s", dev, ns, strerror(errno));
	return idx;
}

/* The same routes in the kernel (bn_rtr) and in the datapath's maps. */
static void fwd_routes(struct fwd_env *e, const struct bn_pfx4 *t, uint32_t n)
{
	struct dp_path path = bn_dp_path(e->r1, sink_mac, rtr_out_mac,
					 htonl(0x0a020002));
	char pfx[INET_ADDRSTRLEN + 4];
	uint32_t i;
	FILE *ip;
	int err;

	bn_dp_intf(&e->dp, e->r0, rtr_in_mac,
		   DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_UP,
		   FWD_IN_STATS);
	bn_dp_intf(&e->dp, e->r1, rtr_out_mac, DP_INTF_F_UP, FWD_OUT_STATS);
	bn_dp_nhg(&e->dp, FWD_NHG, &path, 1);
	for (i = 0; i < n; i++) {
		err = bn_dp_route4(&e->dp, t[i].addr, t[i].plen, FWD_NHG);
		if (err)
			bn_die("ours: route %u: %s", i, strerror(-err));
	}

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
	bn_netns_enter("bn_sink");
	if (bpf_xdp_attach(e->s0, bpf_program__fd(e->sink->progs.sink_drop),
			   XDP_FLAGS_DRV_MODE, NULL))
		bn_die("attach sink: %s", strerror(errno));
	bn_netns_enter(NULL);
}

static uint64_t fwd_percpu_sum(int fd)
{
	int ncpus = libbpf_num_possible_cpus(), i;
	uint64_t v[ncpus > 0 ? ncpus : 1], sum = 0;
	uint32_t zero = 0;

	if (ncpus <= 0 || bpf_map_lookup_elem(fd, &zero, v))
		bn_die("read counter: %s", strerror(errno));
	for (i = 0; i < ncpus; i++)
		sum += v[i];
	return sum;
}

/* Pin bn_r0's NAPI thread ("napi/bn_r0-<id>"); its pid, or 0. */
static int fwd_pin_napi(int cpu)
{
	char path[300], comm[64];
	struct dirent *de;
	cpu_set_t set;
	int pid = 0;
	DIR *d = opendir("/proc");
	FILE *f;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    !strncmp(comm, "napi/bn_r0-", 11)) {
			if (sched_setaffinity(atoi(de->d_name), sizeof(set),
					      &set))
				bn_die("pin napi thread: %s", strerror(errno));
			pid = atoi(de->d_name);
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return pid;
}

/* CPU time a thread has used, in seconds (utime + stime). */
static double fwd_cpu_time(int pid)
{
	unsigned long long ut, st;
	char path[64], buf[1024], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		bn_die("read %s: %s", path, strerror(errno));
	fclose(f);
	/* fields 14 and 15, counted after the parenthesised name */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		bn_die("parse %s", path);
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

static void fwd_mode_set(struct fwd_env *e, enum fwd_mode m)
{
	bn_netns_enter("bn_rtr");
	if (m == M_OURS) {
		bn_shf("sysctl -qw net.ipv4.conf.all.forwarding=0");
		if (bpf_xdp_attach(e->r0, e->dp.prog_fd, XDP_FLAGS_DRV_MODE,
				   NULL))
			bn_die("attach datapath: %s", strerror(errno));
	} else {
		bpf_xdp_detach(e->r0, XDP_FLAGS_DRV_MODE, NULL);
		bn_shf("sysctl -qw net.ipv4.conf.all.forwarding=1");
	}
	bn_netns_enter(NULL);
	e->napi_pid = fwd_pin_napi(e->cpu_rtr);
	if (!e->napi_pid)
		bn_die("no NAPI thread for bn_r0 (threaded NAPI on veth?)");
	usleep(100000);
}

struct fwd_sample {
	double offered, forwarded; /* packets per second */
	double rtr_cpu;		   /* the router thread's share of its CPU */
};

/* Generate for `seconds` on the calling thread (in bn_gen, pinned). */
static struct fwd_sample fwd_generate(struct fwd_env *e, double seconds)
{
	struct xdp_md ctx = {.data_end = BN_PKT4_LEN, .ingress_ifindex = e->g0};
	int gen_fd = bpf_program__fd(e->gen->progs.gen_tx);
	int gcount = bpf_map__fd(e->gen->maps.gen_count);
	int scount = bpf_map__fd(e->sink->maps.sink_count);
	uint64_t g0, s0, g1, s1, t0, t1, end;
	double c0, c1;
	struct fwd_sample s;
	struct bn_pkt frame;

	bn_pkt4(&frame, rtr_in_mac, gen_mac, htonl(0x0a010002),
		htonl(0x01010101));
	g0 = fwd_percpu_sum(gcount);
	s0 = fwd_percpu_sum(scount);
	c0 = fwd_cpu_time(e->napi_pid);
	t0 = bn_now_ns();
	end = t0 + (uint64_t)(seconds * 1e9);
	do {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame.buf,
			    .data_size_in = frame.len, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = 1 << 18,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
			    .batch_size = 256);

		if (bpf_prog_test_run_opts(gen_fd, &o))
			bn_die("generator: %s", strerror(errno));
	} while (bn_now_ns() < end);
	t1 = bn_now_ns();
	g1 = fwd_percpu_sum(gcount);
	usleep(20000); /* what is still in the rings */
	s1 = fwd_percpu_sum(scount);
	c1 = fwd_cpu_time(e->napi_pid);
	s.rtr_cpu = (c1 - c0) / ((bn_now_ns() - t0) / 1e9);
	s.offered = (g1 - g0) / ((t1 - t0) / 1e9);
	s.forwarded = (s1 - s0) / ((t1 - t0) / 1e9);
	return s;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: forward [--routes 1M] [--seconds 2] [--rounds 3] [--cpus GEN,RTR]\n");
	exit(2);
}

static void fwd_opts_parse(int argc, char **argv, struct fwd_opts *o)
{
	static const struct option lopts[] = {
		{"routes", required_argument, NULL, 'n'},
		{"seconds", required_argument, NULL, 's'},
		{"rounds", required_argument, NULL, 'r'},
		{"cpus", required_argument, NULL, 'c'},
		{},
	};
	int c;

	o->routes = 1000000;
	o->seconds = 2;
	o->rounds = 3;
	o->cpu_gen = 0;
	o->cpu_rtr = 1;
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
	size_t i;

	bn_netns_add("bn_gen");
	bn_netns_add("bn_rtr");
	bn_netns_add("bn_sink");
	for (i = 0; i < sizeof(fwd_setup_cmds) / sizeof(fwd_setup_cmds[0]); i++)
		bn_shf("%s", fwd_setup_cmds[i]);
	e->g0 = fwd_ifindex("bn_gen", "bn_g0");
	e->r0 = fwd_ifindex("bn_rtr", "bn_r0");
	e->r1 = fwd_ifindex("bn_rtr", "bn_r1");
	e->s0 = fwd_ifindex("bn_sink", "bn_s0");
	e->cpu_rtr = o->cpu_rtr;

	t = bn_pfx4_table(o->routes, FWD_SEED);
	bn_dp_open(&e->dp, 0);
	fwd_routes(e, t, o->routes);
	fwd_gen_load(e, t, o->routes);
	fwd_sink_attach(e);
	free(t);
}

int main(int argc, char **argv)
{
	struct bn_stat st[M_N][3]; /* offered, forwarded, per router core */
	uint64_t fwd0, pass0, fwd1, pass1;
	struct fwd_env e = {};
	struct fwd_opts o;
	char cnt[16];
	int r, m, k;

	fwd_opts_parse(argc, argv, &o);
	double v[M_N][3][o.rounds];

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
			struct fwd_sample s;

			fwd_mode_set(&e, m);
			bn_netns_enter("bn_gen");
			bn_pin_cpu(o.cpu_gen);
			s = fwd_generate(&e, o.seconds);
			bn_netns_enter(NULL);
			v[m][0][r] = s.offered / 1e6;
			v[m][1][r] = s.forwarded / 1e6;
			v[m][2][r] = s.rtr_cpu > 0 ? s.forwarded / 1e6 / s.rtr_cpu : 0;
		}
	}
	fwd_mode_set(&e, M_KERNEL);
	fwd_dp_counts(&e, &fwd1, &pass1);

	printf("%-12s %-20s %-20s %-20s\n", "router", "offered Mpps",
	       "forwarded Mpps", "Mpps per core");
	for (m = 0; m < M_N; m++) {
		char cell[3][32];

		for (k = 0; k < 3; k++) {
			st[m][k] = bn_stat_of(v[m][k], o.rounds);
			snprintf(cell[k], sizeof(cell[k]), "%.2f (%.2f-%.2f)",
				 st[m][k].med, st[m][k].min, st[m][k].max);
		}
		printf("%-12s %-20s %-20s %-20s\n", mode_names[m], cell[0],
		       cell[1], cell[2]);
	}
	printf("\nours/kernel: %.2fx forwarded, %.2fx per core\n",
	       st[M_OURS][1].med / st[M_KERNEL][1].med,
	       st[M_OURS][2].med / st[M_KERNEL][2].med);
	printf("datapath counters: %llu forwarded, %llu passed to the kernel\n",
	       (unsigned long long)(fwd1 - fwd0),
	       (unsigned long long)(pass1 - pass0));
	for (m = 0; m < M_N; m++)
		if (st[m][1].med > 0.9 * st[m][0].med)
			printf("note: %s forwarded ~all that was offered: the generator limits it, its figure is a lower bound\n",
			       mode_names[m]);

	traffic__destroy(e.gen);
	traffic__destroy(e.sink);
	bn_dp_close(&e.dp);
	/* Frames the datapath passed up were measured as the kernel's work. */
	if (fwd1 - fwd0 == 0 || pass1 - pass0 > (fwd1 - fwd0) / 100) {
		fprintf(stderr, "bench/forward: the datapath passed %llu frames to the kernel and forwarded %llu: its figure is not the datapath's\n",
			(unsigned long long)(pass1 - pass0),
			(unsigned long long)(fwd1 - fwd0));
		return 1;
	}
	return 0;
}
