// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/chain_xdp: what libxdp's dispatcher, and users' programs chained
 * before ours in it, cost the packets ours forwards at XDP, as the plugin
 * attaches them (maps/dp_xdp_dispatch.c, chain/chain_xdp.c): ours alone
 * (a plain XDP program), ours as the dispatcher's only program, with one
 * and with three no-op programs (XDP_PASS, tests/chain/user_progs.bpf.o)
 * before it. Same packets, same run, per round in turn.
 *
 * BPF_PROG_TEST_RUN, repeat = 1, on the program the interface runs (the
 * dispatcher's fd for the dispatcher rows), each packet through every
 * mode in turn; the cost of an XDP_PASS program is subtracted per round. Ours runs with private
 * maps (bench/lib/datapath.h); its copy in the dispatchers reuses them.
 *
 * The dispatcher needs a kernel that runs freplace programs: not this
 * machine's (the benchmark says so and exits 0); bench/chain_xdp_qemu.sh
 * runs it inside Debian's 6.1 under qemu.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include "bench.h"
#include "datapath.h"
#include "pkt.h"
#include "xdp_main.skel.h"

#define CX_OUTLIER_NS 20000
#define CX_NOOPS 3
#define CX_RUN_PRIO_OURS 1001 /* DP_XDP_RUN_PRIO */

enum cx_mode { M_PASS, M_ALONE, M_DISP, M_ONE, M_THREE, M_N };

static const char *const mode_names[M_N] = {
	[M_PASS] = "XDP_PASS (raw)",
	[M_ALONE] = "ours alone",
	[M_DISP] = "dispatcher: ours",
	[M_ONE] = "dispatcher: 1 no-op + ours",
	[M_THREE] = "dispatcher: 3 no-ops + ours",
};

/* Users' programs before ours in each dispatcher row. */
static const int mode_noops[M_N] = {[M_ONE] = 1, [M_THREE] = CX_NOOPS};

static const uint8_t router_mac[6] = {0x02, 0, 0, 0, 0x01, 0x01};
static const uint8_t out_mac[6] = {0x02, 0, 0, 0, 0x02, 0x01};
static const uint8_t nh_mac[6] = {0x02, 0, 0, 0, 0x10, 0x01};

struct cx_env {
	struct bn_dp dp;
	struct xdp_main *copy; /* ours for the dispatchers, dp's maps */
	struct xdp_program *ours;
	struct bpf_object *noop_obj[CX_NOOPS];
	struct xdp_program *noop[CX_NOOPS];
	int fd[M_N];
	int ifindex[M_N]; /* the interface each dispatcher row runs on */
	struct bn_pkt *pkts;
	uint32_t n;
};

/* libbpf's warnings, less one libxdp's own object always gives. */
static int cx_libbpf_log(enum libbpf_print_level level, const char *fmt,
			 va_list ap)
{
	if (level == LIBBPF_DEBUG ||
	    strstr(fmt, "skipping unrecognized data section"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int cx_pass_prog(void)
{
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0,
		 .imm = XDP_PASS},
		{.code = BPF_JMP | BPF_EXIT},
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "cx_pass", "GPL", insns, 2,
			       NULL);

	if (fd < 0)
		bn_die("XDP_PASS program: %s", strerror(errno));
	return fd;
}

/* A second copy of ours on the first copy's maps, for libxdp to load as
 * an freplace program (as the plugin's dispatcher slot does). */
static void cx_open_ours(struct cx_env *e)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xo, .prog_name = "dp_xdp_main");
	struct bpf_map *m, *orig;

	e->copy = xdp_main__open();
	if (!e->copy)
		bn_die("open the XDP object: %s", strerror(errno));
	bpf_object__for_each_map (m, e->copy->obj) {
		bpf_map__set_pin_path(m, NULL);
		orig = bpf_object__find_map_by_name(e->dp.skel->obj,
						    bpf_map__name(m));
		if (orig && bpf_map__fd(orig) >= 0 &&
		    bpf_map__reuse_fd(m, bpf_map__fd(orig)))
			bn_die("reuse map %s", bpf_map__name(m));
	}
	xo.obj = e->copy->obj;
	e->ours = xdp_program__create(&xo);
	if (libxdp_get_error(e->ours))
		bn_die("libxdp: our program: %ld",
		       libxdp_get_error(e->ours));
	xdp_program__set_run_prio(e->ours, CX_RUN_PRIO_OURS);
}

static void cx_open_noops(struct cx_env *e, const char *path)
{
	for (int i = 0; i < CX_NOOPS; i++) {
		DECLARE_LIBXDP_OPTS(xdp_program_opts, xo,
				    .prog_name = "xdp_pass");
		struct bpf_program *p, *want;

		e->noop_obj[i] = bpf_object__open_file(path, NULL);
		if (libbpf_get_error(e->noop_obj[i]))
			bn_die("open %s", path);
		want = bpf_object__find_program_by_name(e->noop_obj[i],
							"xdp_pass");
		if (!want)
			bn_die("%s has no program xdp_pass", path);
		bpf_object__for_each_program (p, e->noop_obj[i])
			bpf_program__set_autoload(p, p == want);
		xo.obj = e->noop_obj[i];
		e->noop[i] = xdp_program__create(&xo);
		if (libxdp_get_error(e->noop[i]))
			bn_die("libxdp: no-op %d", i);
		xdp_program__set_run_prio(e->noop[i], 10 + 10 * i);
	}
}

/* Each dispatcher row on its own interface; false (and why) if the
 * kernel cannot run the dispatcher. */
static bool cx_attach(struct cx_env *e, char *why, size_t len)
{
	for (int m = M_DISP; m < M_N; m++) {
		struct xdp_program *progs[CX_NOOPS + 1];
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		char name[IF_NAMESIZE];
		int n = 0, ret;

		snprintf(name, sizeof(name), "bn_cx%d", m);
		e->ifindex[m] = if_nametoindex(name);
		for (int i = 0; i < mode_noops[m]; i++)
			progs[n++] = e->noop[i];
		progs[n++] = e->ours;
		ret = xdp_program__attach_multi(progs, n, e->ifindex[m],
						XDP_MODE_NATIVE, 0);
		if (ret) {
			snprintf(why, len, "libxdp: %s", strerror(-ret));
			return false;
		}
		if (bpf_xdp_query(e->ifindex[m], 0, &q) || !q.prog_id)
			bn_die("%s: no XDP program after attach", name);
		e->fd[m] = bpf_prog_get_fd_by_id(q.prog_id);
		if (e->fd[m] < 0)
			bn_die("%s: program %u: %s", name, q.prog_id,
			       strerror(errno));
		/* a single program libxdp fell back to attaching plainly */
		{
			struct bpf_prog_info info = {};
			uint32_t il = sizeof(info);

			if (bpf_obj_get_info_by_fd(e->fd[m], &info, &il) ||
			    strcmp(info.name, "xdp_dispatcher")) {
				snprintf(why, len,
					 "libxdp attached %s without its dispatcher",
					 info.name);
				return false;
			}
		}
	}
	return true;
}

static void cx_detach(struct cx_env *e)
{
	for (int m = M_DISP; m < M_N; m++) {
		struct xdp_multiprog *mp;

		if (!e->ifindex[m])
			continue;
		mp = xdp_multiprog__get_from_ifindex(e->ifindex[m]);
		if (!libxdp_get_error(mp) && mp) {
			xdp_multiprog__detach(mp);
			xdp_multiprog__close(mp);
		}
	}
}

/*
 * One round: every packet through every program in turn, so that what
 * disturbs one packet's runs (the VM's emulation, an interrupt) disturbs
 * all modes alike. mean[m]: ns per run of mode m; fwd[m]: runs that
 * redirected. A run longer than CX_OUTLIER_NS leaves that packet out of
 * every mode's mean.
 */
static void cx_round(struct cx_env *e, double *mean, uint32_t *fwd,
		     uint32_t *out)
{
	uint64_t sum[M_N] = {0};
	uint32_t kept = 0;

	memset(fwd, 0, sizeof(*fwd) * M_N);
	for (uint32_t i = 0; i < e->n; i++) {
		uint32_t d[M_N];
		bool ok = true;

		for (int m = 0; m < M_N; m++) {
			struct xdp_md ctx = {
				.data_end = e->pkts[i].len,
				.ingress_ifindex = 1,
			};
			LIBBPF_OPTS(bpf_test_run_opts, o,
				    .data_in = e->pkts[i].buf,
				    .data_size_in = e->pkts[i].len,
				    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
				    .repeat = 1);

			if (bpf_prog_test_run_opts(e->fd[m], &o))
				bn_die("test run: %s", strerror(errno));
			d[m] = o.duration;
			ok = ok && o.duration <= CX_OUTLIER_NS;
			if (o.retval == XDP_REDIRECT)
				fwd[m]++;
		}
		if (!ok)
			continue;
		kept++;
		for (int m = 0; m < M_N; m++)
			sum[m] += d[m];
	}
	*out += e->n - kept;
	for (int m = 0; m < M_N; m++)
		mean[m] = kept ? (double)sum[m] / kept : 0;
}

static void cx_setup(struct cx_env *e, uint32_t n)
{
	struct bn_rng rng;
	struct dp_path path;
	int out;

	bn_netns_add("bn_chx");
	bn_netns_enter("bn_chx");
	for (int m = M_DISP; m < M_N; m++)
		bn_shf("%s link add bn_cx%d type veth peer name bn_cxp%d",
		       bn_ip(), m, m);
	bn_shf("%s link add bn_cxout type veth peer name bn_cxoutp", bn_ip());
	bn_shf("%s link set bn_cxout up", bn_ip());
	bn_shf("%s link set bn_cxoutp up", bn_ip());
	out = if_nametoindex("bn_cxout");

	bn_dp_open(&e->dp, 0);
	bn_dp_intf(&e->dp, 1 /* lo */, router_mac,
		   DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_UP, 0);
	bn_dp_intf(&e->dp, out, out_mac,
		   DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_UP, 1);
	path = bn_dp_path(out, nh_mac, out_mac, htonl(0xc6336401));
	bn_dp_nhg(&e->dp, 1, &path, 1);
	if (bn_dp_route4(&e->dp, htonl(0x0a000000), 8, 1))
		bn_die("route 10.0.0.0/8");
	bn_dp_commit(&e->dp);

	e->n = n;
	e->pkts = calloc(n, sizeof(*e->pkts));
	if (!e->pkts)
		bn_die("out of memory");
	bn_rng_seed(&rng, 42);
	for (uint32_t i = 0; i < n; i++)
		bn_pkt4(&e->pkts[i], router_mac, nh_mac, htonl(0xc0000201),
			htonl(0x0a000000 | bn_rng_below(&rng, 1 << 24)));
}

static void usage(void)
{
	fprintf(stderr,
		"usage: chain_xdp [--packets N] [--rounds R] [--noop-object PATH]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"packets", required_argument, NULL, 'n'},
		{"rounds", required_argument, NULL, 'r'},
		{"noop-object", required_argument, NULL, 'o'},
		{},
	};
	const char *noop_path = "tests/chain/user_progs.bpf.o";
	uint32_t packets = 20000, rounds = 5, fwd[M_N] = {0}, outliers = 0;
	struct cx_env e = {};
	char why[256];
	double *v[M_N], *ratio[M_N];
	int c;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		if (c == 'n')
			packets = bn_parse_count(optarg);
		else if (c == 'r')
			rounds = bn_parse_count(optarg);
		else if (c == 'o')
			noop_path = optarg;
		else
			usage();
	}
	if (!packets || !rounds)
		usage();
	libxdp_set_print(NULL);
	libbpf_set_print(cx_libbpf_log);

	printf("bench/chain_xdp: ns per packet above XDP_PASS, median of %u rounds (min-max), %u random\n"
	       "destinations in one /8 route, BPF_PROG_TEST_RUN repeat=1 on the program the interface runs\n"
	       "(libxdp's dispatcher for the dispatcher rows; no-ops before ours return XDP_PASS).\n",
	       rounds, packets);
	cx_setup(&e, packets);
	cx_open_ours(&e);
	cx_open_noops(&e, noop_path);
	if (!cx_attach(&e, why, sizeof(why))) {
		printf("skipped: the dispatcher does not run on this kernel (%s); bench/chain_xdp_qemu.sh runs it under Debian's 6.1\n",
		       why);
		cx_detach(&e);
		return 0;
	}
	e.fd[M_PASS] = cx_pass_prog();
	e.fd[M_ALONE] = e.dp.prog_fd;

	for (int m = 0; m < M_N; m++) {
		v[m] = calloc(rounds, sizeof(double));
		ratio[m] = calloc(rounds, sizeof(double));
	}
	for (uint32_t r = 0; r < rounds; r++) {
		double mean[M_N];
		uint32_t f[M_N];

		cx_round(&e, mean, f, &outliers);
		if (r == 0)
			memcpy(fwd, f, sizeof(fwd));
		for (int m = 0; m < M_N; m++)
			v[m][r] = m == M_PASS ? mean[m] : mean[m] - mean[M_PASS];
		for (int m = 0; m < M_N; m++)
			ratio[m][r] = v[M_ALONE][r] > 0 ? v[m][r] / v[M_ALONE][r]
							: 0;
	}

	printf("\n%-30s %-24s %-20s %s\n", "case", "ns above pass",
	       "/alone (per round)", "forwarded (round 1)");
	for (int m = 0; m < M_N; m++) {
		struct bn_stat s = bn_stat_of(v[m], rounds);
		struct bn_stat q = bn_stat_of(ratio[m], rounds);
		char cell[40], rcell[40] = "";

		snprintf(cell, sizeof(cell), "%.1f (%.1f-%.1f)", s.med, s.min,
			 s.max);
		if (m != M_PASS)
			snprintf(rcell, sizeof(rcell), "%.2f (%.2f-%.2f)",
				 q.med, q.min, q.max);
		printf("%-30s %-24s %-20s %u/%u%s\n", mode_names[m], cell,
		       rcell, fwd[m], packets,
		       m == M_PASS || fwd[m] == packets ? "" : "  INVALID");
	}
	printf("packets left out as interrupted (a run > %u ns): %u of %u\n",
	       CX_OUTLIER_NS, outliers, rounds * packets);
	cx_detach(&e);
	for (int m = M_ALONE + 1; m < M_N; m++)
		if (fwd[m] != packets)
			return 1;
	return fwd[M_ALONE] == packets ? 0 : 1;
}
