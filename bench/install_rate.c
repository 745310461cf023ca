// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/install_rate: what the plugin's map writes cost per route, without
 * zebra around them.
 *
 * For every IPv4 route zebra hands it, the plugin (dp_route_write in
 * frr-plugin/fwd/dp_route.c) makes two writes: the DIR-24-8 tables the packets
 * use, through dp_fib_add4 (stores into mmap'ed arrays, no syscall for
 * most routes), and rt_v4_map, the LPM trie that is the update-side truth
 * (one bpf(BPF_MAP_UPDATE_ELEM) syscall). Here each is timed on its own
 * over the same routes, into the real datapath's maps (private, unpinned,
 * with the datapath's sizes), next to the floor of one bpf syscall (a
 * lookup in fib_val_map).
 *
 * Two tables of n routes each, each into fresh maps:
 *   sharp   n consecutive /32s from 10.0.0.0: what `sharp install routes`
 *           gives zebra in bench/install.sh (every /24 takes a tbl8 group)
 *   mix     random prefixes with a full BGP table's length mix
 *           (bench/lib/prefixes.c)
 *
 * Under callgrind, --toggle-collect=dp_fib_add4 counts the instructions of
 * the DIR-24-8 update alone (bench/install.sh does this).
 *
 * usage: install_rate [--routes N] [--table sharp|mix|both]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "datapath.h"
#include "fib/dp_fib.h"
#include "prefixes.h"
#include "xdp_main.skel.h"

#define IR_SEED 0x494e5354
#define IR_BATCH 100 /* zebra's dplane: DPLANE_DEFAULT_NEW_WORK contexts */
#define IR_NHG 1 /* every route to one group, as sharpd's single nexthop */

struct ir_cost {
	double fib_ns, lpm_ns, floor_ns; /* per route */
};

static struct bn_pfx4 *ir_sharp_table(uint32_t n)
{
	struct bn_pfx4 *t = calloc(n, sizeof(*t));
	uint32_t i;

	if (!t)
		bn_die("out of memory");
	for (i = 0; i < n; i++) {
		t[i].addr = htonl(0x0a000000 + i); /* 10.0.0.0 + i */
		t[i].plen = 32;
	}
	return t;
}

static struct ir_cost ir_measure(const struct bn_pfx4 *t, uint32_t n)
{
	struct dp_rt_val val = {.type = DP_RT_NHG, .nhg_id = IR_NHG};
	struct ir_cost c;
	struct bn_dp dp;
	int lpm_fd, val_fd, err;
	uint64_t t0, t1, t2, t3;
	uint32_t i, zero = 0;

	bn_dp_open(&dp, 0);
	lpm_fd = bpf_map__fd(dp.skel->maps.rt_v4_map);
	val_fd = bpf_map__fd(dp.skel->maps.fib_val_map);

	t0 = bn_now_ns();
	for (i = 0; i < n; i++) {
		err = dp_fib_add4(dp.fib, t[i].addr, t[i].plen, &val);
		if (err)
			bn_die("dp_fib_add4 route %u: %s", i, strerror(-err));
		/* the IPv4 ranges, after each batch of zebra's dplane */
		if ((i + 1) % IR_BATCH == 0)
			dp_fib_commit(dp.fib);
	}
	dp_fib_commit_all(dp.fib);
	t1 = bn_now_ns();
	for (i = 0; i < n; i++) {
		struct dp_rt4_key key = {.prefixlen = t[i].plen,
					 .addr = t[i].addr};

		if (bpf_map_update_elem(lpm_fd, &key, &val, BPF_ANY))
			bn_die("rt_v4_map route %u: %s", i, strerror(errno));
	}
	t2 = bn_now_ns();
	for (i = 0; i < n; i++) {
		struct dp_rt_val v;

		if (bpf_map_lookup_elem(val_fd, &zero, &v))
			bn_die("fib_val_map: %s", strerror(errno));
	}
	t3 = bn_now_ns();

	bn_dp_close(&dp);
	c.fib_ns = (double)(t1 - t0) / n;
	c.lpm_ns = (double)(t2 - t1) / n;
	c.floor_ns = (double)(t3 - t2) / n;
	return c;
}

static void ir_cell(double ns)
{
	char rate[32];

	snprintf(rate, sizeof(rate), "(%.0fK/s)", 1e6 / ns);
	printf("  %7.2f us %-11s", ns / 1000, rate);
}

static void ir_row(const char *name, const struct ir_cost *c)
{
	printf("%-10s", name);
	ir_cell(c->fib_ns);
	ir_cell(c->lpm_ns);
	ir_cell(c->fib_ns + c->lpm_ns);
	printf("  %7.2f us\n", c->floor_ns / 1000);
}

static void usage(void)
{
	fprintf(stderr, "usage: install_rate [--routes N] [--table sharp|mix|both]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"routes", required_argument, NULL, 'n'},
		{"table", required_argument, NULL, 't'},
		{},
	};
	bool sharp = true, mix = true;
	uint32_t n = 1000000;
	struct bn_pfx4 *t;
	struct ir_cost c;
	char cnt[16];
	int opt;

	while ((opt = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			n = bn_parse_count(optarg);
			break;
		case 't':
			sharp = !strcmp(optarg, "sharp") || !strcmp(optarg, "both");
			mix = !strcmp(optarg, "mix") || !strcmp(optarg, "both");
			if (!sharp && !mix)
				usage();
			break;
		default:
			usage();
		}
	}
	if (!n || n > DP_RT4_MAX_DEFAULT || optind != argc)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("install_rate: the plugin's two writes per IPv4 route, %s routes into fresh private maps;\n"
	       "per route (routes/s); syscall floor: one bpf() map lookup\n",
	       bn_fmt_count(n, cnt, sizeof(cnt)));
	printf("%-10s  %-22s  %-22s  %-22s  %s\n", "table", "FIB (add4, commits)",
	       "rt_v4_map (LPM trie)", "both", "syscall floor");
	if (sharp) {
		t = ir_sharp_table(n);
		c = ir_measure(t, n);
		ir_row("sharp /32", &c);
		free(t);
	}
	if (mix) {
		t = bn_pfx4_table(n, IR_SEED);
		c = ir_measure(t, n);
		ir_row("mix", &c);
		free(t);
	}
	return 0;
}
