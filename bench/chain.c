// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/chain: what users' programs chained before ours cost the packets
 * ours forwards at TC ingress, as `chain` in the ebpf block attaches them
 * (cls_bpf filters around ours, chain/chain.h): our TC program alone, with
 * one and with three no-op programs (return TC_ACT_UNSPEC) before it, and
 * the kernel forwarding the same traffic, same generator, same run.
 *
 * The topology and generator are bench/forward's (bench/lib/rate.h); the
 * router's bn_r0 runs our TC program only (an interface in `mode tc`),
 * its NAPI thread pinned to a CPU of its own.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
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
#include "datapath_tc.h"
#include "pkt.h"
#include "rate.h"
#include "traffic.skel.h"

#define CH_NHG 1
#define CH_PRIO_OURS 0xc000 /* DP_TC_PRIO */
#define CH_HANDLE_OURS 0xfeb0
#define CH_USERS_MAX 3

enum ch_mode { M_KERNEL, M_ALONE, M_ONE, M_THREE, M_N };

static const char *const mode_names[M_N] = {
	[M_KERNEL] = "kernel",
	[M_ALONE] = "ours (TC) alone",
	[M_ONE] = "1 no-op before ours",
	[M_THREE] = "3 no-ops before ours",
};

static const int mode_users[M_N] = {[M_ONE] = 1, [M_THREE] = 3};

struct ch_env {
	struct bn_dp dp;
	struct bn_dp_tc tc;
	struct traffic *gen, *sink;
	struct bn_rate_topo t;
	int noop_fd;
	int cpu_rtr;
	int napi_pid;
};

/* A user's program that has no opinion on any packet. */
static int ch_noop_load(void)
{
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = -1},
		{.code = BPF_JMP | BPF_EXIT},
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "noop", "GPL", insns,
			       2, NULL);

	if (fd < 0)
		bn_die("load no-op: %s", strerror(errno));
	return fd;
}

static void ch_filter(int ifindex, int prio, uint32_t handle, int fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = prio,
		    .prog_fd = fd, .flags = BPF_TC_F_REPLACE);

	if (fd < 0) {
		opts.prog_fd = 0;
		opts.flags = 0;
		bpf_tc_detach(&hook, &opts);
		return;
	}
	if (bpf_tc_attach(&hook, &opts))
		bn_die("attach filter prio %d: %s", prio, strerror(errno));
}

/* The router as the mode says: TC filters on bn_r0, forwarding. */
static void ch_mode_set(struct ch_env *e, enum ch_mode m)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = e->t.r0,
		    .attach_point = BPF_TC_INGRESS);

	e->napi_pid = bn_rate_router(&e->t, -1, e->cpu_rtr);
	bn_netns_enter("bn_rtr");
	bpf_tc_hook_create(&hook); /* -EEXIST after the first time */
	for (int i = 0; i < CH_USERS_MAX; i++)
		/* before ours, as chain_tc_prio() places them */
		ch_filter(e->t.r0, CH_PRIO_OURS - 1001 + 10 * (i + 1), i + 1,
			  i < mode_users[m] ? e->noop_fd : -1);
	ch_filter(e->t.r0, CH_PRIO_OURS, CH_HANDLE_OURS,
		  m == M_KERNEL ? -1 : e->tc.prog_fd);
	if (m != M_KERNEL)
		bn_shf("sysctl -qw net.ipv4.conf.all.forwarding=0");
	bn_netns_enter(NULL);
	usleep(100000);
}

static void ch_setup(struct ch_env *e, int cpu_rtr)
{
	struct dp_path path;
	struct bn_pkt frame;
	uint32_t dst = htonl(0x0a030001), i;
	int fd;

	bn_rate_topo_setup(&e->t);
	e->cpu_rtr = cpu_rtr;
	bn_dp_open(&e->dp, 0);
	bn_dp_tc_open(&e->tc, &e->dp);
	e->noop_fd = ch_noop_load();
	/* 10.3.0.0/16 via the sink, in the kernel and in the maps */
	path = bn_dp_path(e->t.r1, bn_rate_sink_mac, bn_rate_rtr_out_mac,
			  htonl(0x0a020002));
	bn_dp_intf(&e->dp, e->t.r0, bn_rate_rtr_in_mac,
		   DP_INTF_F_ENABLED | DP_INTF_F_TC | DP_INTF_F_UP, 1);
	bn_dp_intf(&e->dp, e->t.r1, bn_rate_rtr_out_mac, DP_INTF_F_UP, 2);
	bn_dp_nhg(&e->dp, CH_NHG, &path, 1);
	if (bn_dp_route4(&e->dp, htonl(0x0a030000), 16, CH_NHG))
		bn_die("route 10.3.0.0/16");
	bn_dp_commit(&e->dp);
	bn_netns_enter("bn_rtr");
	bn_shf("ip route add 10.3.0.0/16 nhid %u", BN_RATE_NHID);
	bn_netns_enter(NULL);

	e->gen = traffic__open();
	if (!e->gen)
		bn_die("open traffic: %s", strerror(errno));
	bn_pkt4(&frame, bn_rate_rtr_in_mac, bn_rate_gen_mac,
		htonl(0x0a010002), 0);
	memcpy(&e->gen->bss->gen_eth, frame.buf, ETH_HLEN);
	memcpy(&e->gen->bss->gen_ip4, frame.buf + ETH_HLEN, 20);
	e->gen->rodata->gen_n_dst = 256;
	if (traffic__load(e->gen))
		bn_die("load traffic: %s", strerror(errno));
	fd = bpf_map__fd(e->gen->maps.gen_dst);
	for (i = 0; i < 256; i++) {
		uint32_t d = htonl(ntohl(dst) + i);

		if (bpf_map_update_elem(fd, &i, &d, BPF_ANY))
			bn_die("gen_dst: %s", strerror(errno));
	}
	e->sink = traffic__open_and_load();
	if (!e->sink)
		bn_die("load traffic: %s", strerror(errno));
	bn_rate_sink_attach(&e->t, bpf_program__fd(e->sink->progs.sink_drop));
}

static struct bn_rate_sample ch_generate(struct ch_env *e, double seconds)
{
	struct bn_pkt frame;

	bn_pkt4(&frame, bn_rate_rtr_in_mac, bn_rate_gen_mac,
		htonl(0x0a010002), htonl(0x0a030001));
	return bn_rate_generate(bpf_program__fd(e->gen->progs.gen_tx),
				bpf_map__fd(e->gen->maps.gen_count),
				bpf_map__fd(e->sink->maps.sink_count), e->t.g0,
				&frame, e->napi_pid, seconds);
}

/* Detaching filters that are not there is how a mode clears the hook:
 * libbpf's warnings about it are noise. */
static int ch_libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			   va_list ap)
{
	return level == LIBBPF_INFO ? vfprintf(stderr, fmt, ap) : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: chain [--seconds 2] [--rounds 3] [--cpus GEN,RTR]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"seconds", required_argument, NULL, 's'},
		{"rounds", required_argument, NULL, 'r'},
		{"cpus", required_argument, NULL, 'c'},
		{},
	};
	double seconds = 2;
	int rounds = 5, cpu_gen = 0, cpu_rtr = 1, c;
	struct ch_env e = {};
	uint64_t fwd0, fwd1;
	bool ok = true;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			seconds = atof(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'c':
			if (sscanf(optarg, "%d,%d", &cpu_gen, &cpu_rtr) != 2)
				usage();
			break;
		default:
			usage();
		}
	}
	if (seconds <= 0 || rounds < 1 || rounds > 16)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(ch_libbpf_quiet);
	ch_setup(&e, cpu_rtr);
	printf("bench/chain: 64-byte UDP frames through a router whose bn_r0 runs our TC program (mode tc),\n"
	       "with 0, 1 and 3 no-op users' programs chained before it (cls_bpf filters, as `chain` attaches them);\n"
	       "generator on CPU %d, router (bn_r0's NAPI thread) on CPU %d; median of %d rounds of %.1f s (min-max),\n"
	       "modes alternating in each round; \"per core / alone\": per-round ratio to ours alone\n\n",
	       cpu_gen, cpu_rtr, rounds, seconds);

	double v[M_N][4][16]; /* forwarded, per core, CPU %, per core / alone */

	fwd0 = bn_dp_count_hook(&e.dp, DP_HOOK_TC, DP_R_FWD);
	for (int r = 0; r < rounds; r++)
		for (int m = 0; m < M_N; m++) {
			struct bn_rate_sample s;

			ch_mode_set(&e, m);
			bn_netns_enter("bn_gen");
			bn_pin_cpu(cpu_gen);
			s = ch_generate(&e, seconds);
			bn_netns_enter(NULL);
			v[m][0][r] = s.forwarded / 1e6;
			v[m][1][r] = s.rtr_cpu > 0 ? s.forwarded / 1e6 / s.rtr_cpu : 0;
			v[m][2][r] = s.rtr_cpu * 100;
		}
	for (int r = 0; r < rounds; r++)
		for (int m = 0; m < M_N; m++)
			v[m][3][r] = v[M_ALONE][1][r] > 0
					     ? v[m][1][r] / v[M_ALONE][1][r]
					     : 0;
	ch_mode_set(&e, M_KERNEL);
	fwd1 = bn_dp_count_hook(&e.dp, DP_HOOK_TC, DP_R_FWD);

	struct bn_stat st[M_N][4];

	printf("%-22s %-20s %-20s %-14s %s\n", "router", "forwarded Mpps",
	       "Mpps per core", "router CPU %", "per core / alone");
	for (int m = 0; m < M_N; m++) {
		char cell[4][32];

		for (int k = 0; k < 4; k++) {
			st[m][k] = bn_stat_of(v[m][k], rounds);
			snprintf(cell[k], sizeof(cell[k]), k == 2 ? "%.0f" : "%.2f (%.2f-%.2f)",
				 st[m][k].med, st[m][k].min, st[m][k].max);
		}
		printf("%-22s %-20s %-20s %-14s %s\n", mode_names[m], cell[0],
		       cell[1], cell[2], cell[3]);
	}
	printf("\nours alone / kernel: %.2fx per core (medians)\n",
	       st[M_ALONE][1].med / st[M_KERNEL][1].med);
	printf("datapath: %llu frames forwarded at TC\n",
	       (unsigned long long)(fwd1 - fwd0));
	if (fwd1 == fwd0) {
		fprintf(stderr, "bench/chain: our TC program forwarded nothing: the figures are not the datapath's\n");
		ok = false;
	}
	for (int m = 0; m < M_N; m++)
		if (st[m][2].med < 90) {
			printf("note: %s: the router CPU was %.0f %% busy: the generator limits it\n",
			       mode_names[m], st[m][2].med);
		}
	traffic__destroy(e.gen);
	traffic__destroy(e.sink);
	bn_dp_tc_close(&e.tc);
	bn_dp_close(&e.dp);
	return ok ? 0 : 1;
}
