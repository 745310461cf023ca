// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Packet fuzz of the datapath against a reference model of the kernel.
 *
 * Loads the real XDP and TC programs (dp_harness.c), writes the router of
 * fz_config.h into their maps (fz_setup.c), and runs generated frames
 * (fz_gen.c) through BPF_PROG_TEST_RUN with repeat = 1: each frame
 * arrives once on the ingress in mode xdp (XDP, then TC when XDP hands
 * the packet over, as the kernel would run it) and once on the ingress in
 * mode tc (the full TC pipeline). Every outcome is checked against what
 * the kernel would do (fz_model.c) and the counters (fz_check.c).
 *
 *   fuzz [--seed N] [--start I] [--count N] [--max-print N] [-v]
 *
 * Frame I of seed N is the same on every run: a violation's report gives
 * the arguments that replay it alone. Exits 1 on any violation, 2 on a
 * setup error. Needs root.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fz_check.h"
#include "fz_config.h"
#include "fz_gen.h"
#include "fz_model.h"
#include "fz_run.h"
#include "fz_setup.h"

#define FZ_COUNT_DEFAULT 1000000

struct opts {
	uint64_t seed, start, count;
	unsigned int max_print;
	bool verbose;
};

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--seed N] [--start I] [--count N] [--max-print N] "
		"[-v]\n"
		"  --seed N       frames derive from N (default: random, printed)\n"
		"  --start I      first frame index (default 0)\n"
		"  --count N      frames (default %d), each on both ingresses\n"
		"  --max-print N  full reports per violation class (default 3)\n"
		"  -v             report every violation, and describe each frame\n",
		prog, FZ_COUNT_DEFAULT);
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{"seed", required_argument, NULL, 's'},
		{"start", required_argument, NULL, 'i'},
		{"count", required_argument, NULL, 'n'},
		{"max-print", required_argument, NULL, 'p'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	bool seeded = false;
	int c;

	o->start = 0;
	o->count = FZ_COUNT_DEFAULT;
	o->max_print = 3;
	o->verbose = false;
	while ((c = getopt_long(argc, argv, "s:i:n:p:vh", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'i':
			o->start = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			o->count = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			o->max_print = atoi(optarg);
			break;
		case 'v':
			o->verbose = true;
			break;
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (!seeded) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		o->seed = (uint64_t)ts.tv_sec * 1000003u ^ ts.tv_nsec ^
			  (uint64_t)getpid() << 32;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The counters before a case: stats_map as last read (whichever
 * interface), the interface's own slot as last read for it. */
struct snapshots {
	struct fz_counts last;
	struct dp_intf_stats slot[DP_INTF_MAX];
};

/*
 * BPF_PROG_TEST_RUN for skb programs answers EINVAL, on this kernel, to an
 * IPv4 or IPv6 ethertype frame shorter than the IP header (the kernel
 * would run TC on it; the test run cannot). Such frames are not run.
 */
static bool tc_refuses(const struct fz_frame *f, const struct h_result *r)
{
	uint16_t type = f->len >= 14 ? f->buf[12] << 8 | f->buf[13] : 0;
	size_t need = type == 0x0800 ? 20 : type == 0x86dd ? 40 : 0;

	return r->err == -EINVAL && f->len < 14 + need;
}

static int run_case(struct harness *h, const struct fz_config *cfg,
		    struct snapshots *snap, const struct fz_frame *f,
		    uint32_t ingress, struct fz_case *cs)
{
	const struct fz_if *ifp = fz_config_if(cfg, ingress);
	struct fz_counts before = snap->last, after;
	int err;

	before.istats = snap->slot[ifp->stats_idx];
	cs->ingress = ingress;
	cs->frame = f;
	cs->xdp_mode = ifp->dp_flags & DP_INTF_F_XDP;
	cs->ran_xdp = cs->ran_tc = cs->untestable = false;
	fz_model(cfg, ingress, f->buf, f->len, &cs->model);

	if (cs->xdp_mode) {
		cs->ran_xdp = true;
		fz_run_xdp(h, f->buf, f->len, &cs->xdp);
		/* XDP passed it on to TC (same interface): TC runs on what
		 * XDP let through, as the kernel would. */
		if (!cs->xdp.err &&
		    cs->xdp.verdict == h_verdict_pass(DP_HOOK_XDP) &&
		    cs->xdp.has_meta &&
		    cs->xdp.meta.magic == DP_XDP_META_MAGIC &&
		    fz_tc_takes(cs->xdp.meta.reason) &&
		    (ifp->dp_flags & DP_INTF_F_TC)) {
			cs->ran_tc = true;
			fz_run_tc(h, ingress, cs->xdp.out, cs->xdp.out_len,
				  &cs->tc);
		}
	} else {
		cs->ran_tc = true;
		fz_run_tc(h, ingress, f->buf, f->len, &cs->tc);
		cs->untestable = tc_refuses(f, &cs->tc);
	}

	err = fz_counts_read(h, ifp->stats_idx, &after);
	if (err)
		return err;
	fz_counts_delta(&before, &after, &cs->delta);
	snap->last = after;
	snap->slot[ifp->stats_idx] = after.istats;
	return 0;
}

int main(int argc, char **argv)
{
	static const uint32_t ingresses[] = {FZ_IF_IN_XDP, FZ_IF_IN_TC};
	const struct fz_config *cfg = fz_config();
	static struct snapshots snap;
	static struct fz_tally tally;
	static struct fz_frame frame;
	static struct fz_case cs;
	uint64_t i, failed = 0;
	struct harness h;
	struct opts o;
	double t0, t;
	unsigned int k;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse(argc, argv, &o))
		return 2;
	printf("fuzz: seed %" PRIu64 ", frames %" PRIu64 " .. %" PRIu64
	       " (replay: --seed %" PRIu64 " --start %" PRIu64
	       " --count %" PRIu64 ")\n",
	       o.seed, o.start, o.start + o.count - 1, o.seed, o.start, o.count);

	err = h_open(&h);
	if (err) {
		fprintf(stderr, "fuzz: cannot load the datapath: %s (root?)\n",
			strerror(-err));
		return 2;
	}
	fz_setup(&h, cfg);
	for (k = 0; k < cfg->n_ifs; k++) {
		const struct fz_if *ifp = &cfg->ifs[k];

		err = fz_counts_read(&h, ifp->stats_idx, &snap.last);
		if (err) {
			fprintf(stderr, "fuzz: cannot read counters: %s\n",
				strerror(-err));
			return 2;
		}
		snap.slot[ifp->stats_idx] = snap.last.istats;
	}
	tally.max_print = o.max_print;
	tally.verbose = o.verbose;

	t0 = now();
	for (i = o.start; i < o.start + o.count; i++) {
		for (k = 0; k < sizeof(ingresses) / sizeof(ingresses[0]); k++) {
			fz_gen(cfg, o.seed, i, ingresses[k], &frame);
			cs.seed = o.seed;
			cs.index = i;
			err = run_case(&h, cfg, &snap, &frame, ingresses[k], &cs);
			if (err) {
				fprintf(stderr, "fuzz: counters: %s\n",
					strerror(-err));
				return 2;
			}
			if (o.verbose)
				printf("frame %" PRIu64 " if %u: %s -> model %s "
				       "(%s), datapath %s\n",
				       i, ingresses[k], frame.desc,
				       fz_mv_name(cs.model.verdict),
				       fz_why_name(cs.model.why),
				       h_reason_name(cs.delta.reason));
			if (fz_check(&tally, &cs, stdout))
				failed++;
		}
		if ((i - o.start + 1) % 200000 == 0)
			fprintf(stderr, "fuzz: %" PRIu64 " frames, %.1f s\n",
				i - o.start + 1, now() - t0);
	}
	t = now() - t0;
	h_close(&h);

	printf("\nfuzz summary (seed %" PRIu64 ", %" PRIu64
	       " frames, %.1f s, %.0f cases/s)\n",
	       o.seed, o.count, t, t > 0 ? 2 * o.count / t : 0);
	fz_tally_print(&tally, stdout);
	printf("fuzz: %" PRIu64 " passed, %" PRIu64 " failed\n",
	       2 * o.count - failed, failed);
	return tally.violations ? 1 : 0;
}
