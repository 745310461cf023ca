// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The policer's meters (bpf/lib/policer.h), the very code the datapath
 * runs, in user space:
 *
 * - credit arithmetic against 128-bit exact arithmetic, any time, any
 *   rate from 8 kbit/s to 400 Gbit/s;
 * - packet by packet against a model written from the RFCs' text, token
 *   by token (RFC 2697: "the token count Tc is incremented by one CIR
 *   times per second up to CBS, and if Tc is full, Te is incremented up to
 *   EBS"; RFC 2698: Tp at PIR up to PBS, Tc at CIR up to CBS), with a
 *   controlled clock: colour-blind and colour-aware, every colour, the
 *   slowest and fastest rates, bursts and idle periods; colour and both
 *   buckets must match after every packet; the same in a BPF program
 *   (tests/unit/bpf/policer_prog.bpf.c: the verifier accepts the meters,
 *   and they run on packets of each length, the clock set through a map);
 * - several threads metering one state at once on the real clock, the
 *   rates measured: within 2 % of CIR (and PIR), with no lock.
 *
 * Exit status 0 when every check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "policer.h"
#include "policer_prog.skel.h"

static int failed, passed;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (cond) {                                                    \
			passed++;                                              \
		} else {                                                       \
			failed++;                                              \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);            \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
		}                                                              \
	} while (0)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible sequences */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* ------------------------------------------------------------- credit */

static void test_credit(void)
{
	static const uint64_t rates[] = {8, 9, 1000, 64000, 1000000,
					 10000000, 123456789, 400000000};
	int bad = 0;

	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++)
		for (int i = 0; i < 200000; i++) {
			uint64_t t = rnd() >> (rnd() % 64);
			uint64_t d = rnd_below(4000000000ull);
			unsigned __int128 e0 = (unsigned __int128)t * rates[r] /
					       DP_POLICER_NS_PER_KBIT;
			unsigned __int128 e1 = (unsigned __int128)(t + d) *
					       rates[r] / DP_POLICER_NS_PER_KBIT;
			uint64_t got = dp_policer_credit(t + d, rates[r]) -
				       dp_policer_credit(t, rates[r]);

			if (t + d < t)
				continue;
			bad += got != (uint64_t)(e1 - e0);
		}
	CHECK(!bad, "credit: %d intervals credited other than floor(t * R)",
	      bad);
}

/* ------------------------------------------------- the RFCs, per token */

struct model {
	struct dp_policer_conf c;
	uint64_t tc, tx;     /* Tc; Te (srTCM) or Tp (trTCM) */
	uint64_t kc, kx;     /* tokens that have arrived since t = 0 */
};

/* When the k-th token of rate kbps arrives: the first t (ns) at which
 * floor(t * R) reaches k. */
static uint64_t arrival(uint64_t k, uint64_t kbps)
{
	return (k * DP_POLICER_NS_PER_KBIT + kbps - 1) / kbps;
}

static void model_init(struct model *m, const struct dp_policer_conf *c,
		       uint64_t now)
{
	memset(m, 0, sizeof(*m));
	m->c = *c;
	m->tc = c->cbs;
	m->tx = c->ebs_or_pbs;
	/* tokens that came before the start found the buckets full */
	m->kc = (unsigned __int128)now * c->cir_kbps / DP_POLICER_NS_PER_KBIT;
	if (c->mode == DP_POLICER_TRTCM)
		m->kx = (unsigned __int128)now * c->pir_kbps /
			DP_POLICER_NS_PER_KBIT;
}

/* Every token up to now, one at a time, where the RFC puts it. */
static void model_advance(struct model *m, uint64_t now)
{
	while (arrival(m->kc + 1, m->c.cir_kbps) <= now) {
		m->kc++;
		if (m->tc < m->c.cbs)
			m->tc++;
		else if (m->c.mode == DP_POLICER_SRTCM &&
			 m->tx < m->c.ebs_or_pbs)
			m->tx++;
	}
	if (m->c.mode != DP_POLICER_TRTCM)
		return;
	while (arrival(m->kx + 1, m->c.pir_kbps) <= now) {
		m->kx++;
		if (m->tx < m->c.ebs_or_pbs)
			m->tx++;
	}
}

static uint32_t model_meter(struct model *m, uint64_t now, uint32_t b,
			    uint32_t pre)
{
	bool aware = m->c.flags & DP_POLICER_F_COLOUR_AWARE;

	model_advance(m, now);
	if (!aware)
		pre = DP_GREEN;
	if (m->c.mode == DP_POLICER_SRTCM) {
		/* RFC 2697 section 4 */
		if (pre == DP_GREEN && m->tc >= b) {
			m->tc -= b;
			return DP_GREEN;
		}
		if ((pre == DP_GREEN || pre == DP_YELLOW) && m->tx >= b) {
			m->tx -= b;
			return DP_YELLOW;
		}
		return DP_RED;
	}
	/* RFC 2698 section 4 (Tp in tx) */
	if (pre == DP_RED || m->tx < b)
		return DP_RED;
	if (pre == DP_YELLOW || m->tc < b) {
		m->tx -= b;
		return DP_YELLOW;
	}
	m->tx -= b;
	m->tc -= b;
	return DP_GREEN;
}

static const char *const colour_name[] = {"green", "yellow", "red"};

/* Who runs the meter: this program, or the BPF program. */
struct meter {
	const char *name;
	void (*init)(struct meter *m, const struct dp_policer_conf *c,
		     uint64_t now);
	uint32_t (*run)(struct meter *m, uint64_t now, uint32_t len,
			uint32_t pre);
	struct dp_policer_state st; /* after each run */
	struct dp_policer_conf c;
	struct policer_prog *skel;
};

static void native_init(struct meter *m, const struct dp_policer_conf *c,
			uint64_t now)
{
	m->c = *c;
	dp_policer_init(&m->st, c, now);
}

static uint32_t native_run(struct meter *m, uint64_t now, uint32_t len,
			   uint32_t pre)
{
	return dp_policer_meter(&m->st, &m->c, now, len, pre);
}

static void bpf_init(struct meter *m, const struct dp_policer_conf *c,
		     uint64_t now)
{
	uint32_t zero = 0;

	m->c = *c;
	dp_policer_init(&m->st, c, now);
	bpf_map_update_elem(bpf_map__fd(m->skel->maps.conf_map), &zero, c,
			    BPF_ANY);
	bpf_map_update_elem(bpf_map__fd(m->skel->maps.state_map), &zero,
			    &m->st, BPF_ANY);
}

static uint32_t bpf_run(struct meter *m, uint64_t now, uint32_t len,
			uint32_t pre)
{
	static uint8_t pkt[2048];
	struct {
		uint64_t now;
		uint32_t pre, colour;
	} in = {now, pre, 99};
	uint32_t zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = len,
		    .repeat = 1);

	bpf_map_update_elem(bpf_map__fd(m->skel->maps.in_map), &zero, &in,
			    BPF_ANY);
	if (bpf_prog_test_run_opts(
		    bpf_program__fd(m->skel->progs.policer_meter_prog), &o) ||
	    o.retval != XDP_PASS)
		return 99;
	bpf_map_lookup_elem(bpf_map__fd(m->skel->maps.in_map), &zero, &in);
	bpf_map_lookup_elem(bpf_map__fd(m->skel->maps.state_map), &zero,
			    &m->st);
	return in.colour;
}

/*
 * n packets against the model: sizes 40..1500 (and some at the bucket
 * sizes' edges), gaps drawn so that the offered rate is about `load`
 * times the highest rate, with idle periods that refill the buckets.
 */
static void compare(struct meter *mt, const char *what,
		    const struct dp_policer_conf *c, int n, double load)
{
	uint64_t now = 1000 + rnd_below(1000000), seen[DP_COLOURS] = {};
	/* offered: `load` times the highest rate (trTCM: the PIR) */
	double bytes_per_ns = (c->mode == DP_POLICER_TRTCM ? c->pir_kbps
							  : c->cir_kbps) /
			      8e6;
	struct model m;
	int bad = 0;

	mt->init(mt, c, now);
	model_init(&m, c, now);
	for (int i = 0; i < n && bad < 5; i++) {
		uint32_t len = 40 + rnd_below(1461), pre = rnd_below(3), got,
			 want;
		double gap = len / (bytes_per_ns * load);

		if (rnd_below(50) == 0)
			len = rnd_below(2) ? c->cbs : c->cbs + 1;
		if (len > 1500 && mt->skel)
			len = 1500; /* a frame the test run takes */
		if (rnd_below(200) == 0)
			gap *= 1000; /* idle: the buckets fill */
		now += (uint64_t)(gap * (0.5 + rnd_below(1000) / 1000.0)) +
		       rnd_below(2);
		got = mt->run(mt, now, len, pre);
		want = model_meter(&m, now, len, pre);
		seen[want]++;
		if (got != want || (mt->st.tokens >> 32) != m.tc ||
		    (uint32_t)mt->st.tokens != m.tx) {
			bad++;
			printf("  %s: packet %d (%u bytes, pre %s, t %" PRIu64
			       "): %s, buckets %" PRIu64 "/%" PRIu64
			       "; RFC: %s, %" PRIu64 "/%" PRIu64 "\n",
			       what, i, len, colour_name[pre], now,
			       got < DP_COLOURS ? colour_name[got] : "error",
			       (uint64_t)(mt->st.tokens >> 32),
			       (uint64_t)(uint32_t)mt->st.tokens,
			       colour_name[want], m.tc, m.tx);
		}
	}
	CHECK(!bad, "%s %s: colours or buckets differ from the RFC's",
	      mt->name, what);
	CHECK(seen[DP_GREEN] && seen[DP_RED] &&
		      (seen[DP_YELLOW] || c->mode == DP_POLICER_SRTCM),
	      "%s: not every colour was met (%" PRIu64 "/%" PRIu64
	      "/%" PRIu64 ")",
	      what, seen[0], seen[1], seen[2]);
	printf("ok   %s %s: %d packets as the RFC says (green %" PRIu64
	       ", yellow %" PRIu64 ", red %" PRIu64 ")\n",
	       mt->name, what, n, seen[0], seen[1], seen[2]);
}

/* small: buckets of a few frames, so that a short run (the BPF program's,
 * one system call a packet) meets every colour at every rate */
static void test_rfc(struct meter *mt, int n, bool small)
{
	static const struct {
		uint64_t cir, pir; /* kbit/s */
		uint32_t cbs, xbs;
	} rates[] = {
		{8, 16, 1500, 3000},		   /* 8 kbit/s */
		{1000, 4000, 10000, 20000},	   /* 1 Mbit/s */
		{10000000, 20000000, 100000, 200000}, /* 10 Gbit/s */
		{400000000, 400000000, 1000000, 2000000}, /* 400 Gbit/s */
	};
	char what[128];

	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++)
		for (int mode = DP_POLICER_SRTCM; mode <= DP_POLICER_TRTCM;
		     mode++)
			for (int aware = 0; aware <= 1; aware++) {
				struct dp_policer_conf c = {
					.mode = mode,
					.flags = aware ? DP_POLICER_F_COLOUR_AWARE
						       : 0,
					.cir_kbps = rates[r].cir,
					.pir_kbps = mode == DP_POLICER_TRTCM
							    ? rates[r].pir
							    : 0,
					.cbs = small ? 3000 : rates[r].cbs,
					.ebs_or_pbs = small ? 6000
							    : rates[r].xbs,
				};

				snprintf(what, sizeof(what),
					 "%s %s, CIR %" PRIu64 " kbit/s",
					 mode == DP_POLICER_SRTCM ? "srTCM"
								  : "trTCM",
					 aware ? "colour-aware" : "colour-blind",
					 rates[r].cir);
				compare(mt, what, &c, n, 1.6);
			}
}

/* ------------------------------------------------- several CPUs at once */

struct hammer {
	struct dp_policer_state *st;
	const struct dp_policer_conf *c;
	uint64_t end_ns;
	uint32_t len;
	uint64_t bytes[DP_COLOURS];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void *hammer_run(void *arg)
{
	struct hammer *h = arg;
	uint64_t t;

	while ((t = now_ns()) < h->end_ns)
		h->bytes[dp_policer_meter(h->st, h->c, t, h->len,
					  DP_GREEN)] += h->len;
	return NULL;
}

#define HAMMER_THREADS 4
#define HAMMER_NS 1000000000ull

/*
 * Bursts of HAMMER_BURST_MS at the rate: a thread the scheduler leaves
 * waiting that long (4 threads on 2 loaded CPUs) finds its tokens still
 * in the bucket, so what is measured is the meter's arithmetic under
 * concurrent updates, not the scheduler. (A 1,500-byte bucket fills in
 * 12 us at 1 Gbit/s: every longer gap lost tokens, 5 % under load.)
 */
#define HAMMER_BURST_MS 20

static uint32_t burst_bytes(uint64_t kbps)
{
	uint64_t b = kbps * 1000 / 8 * HAMMER_BURST_MS / 1000;

	return b < 1500 ? 1500 : b;
}

static void test_concurrent(uint64_t cir, uint64_t pir, int mode)
{
	struct dp_policer_conf c = {
		.mode = mode,
		.cir_kbps = cir,
		.pir_kbps = pir,
		.cbs = burst_bytes(cir),
		.ebs_or_pbs = mode == DP_POLICER_TRTCM ? burst_bytes(pir) : 0,
	};
	struct hammer h[HAMMER_THREADS];
	pthread_t tid[HAMMER_THREADS];
	struct dp_policer_state st;
	uint64_t start, sum[DP_COLOURS] = {};
	double secs, green, yellow, offered, want_green, want_peak;

	start = now_ns();
	dp_policer_init(&st, &c, start);
	for (int i = 0; i < HAMMER_THREADS; i++) {
		h[i] = (struct hammer){.st = &st, .c = &c, .len = 1000,
				       .end_ns = start + HAMMER_NS};
		pthread_create(&tid[i], NULL, hammer_run, &h[i]);
	}
	for (int i = 0; i < HAMMER_THREADS; i++) {
		pthread_join(tid[i], NULL);
		for (int k = 0; k < DP_COLOURS; k++)
			sum[k] += h[i].bytes[k];
	}
	secs = HAMMER_NS / 1e9;
	green = sum[DP_GREEN] * 8 / 1000.0 / secs;
	yellow = sum[DP_YELLOW] * 8 / 1000.0 / secs;
	offered = (sum[0] + sum[1] + sum[2]) * 8 / 1000.0 / secs;
	printf("note %d threads, %s CIR %" PRIu64 " kbit/s%s: offered %.0f "
	       "kbit/s, green %.0f (%.2f%% of CIR)",
	       HAMMER_THREADS, mode == DP_POLICER_SRTCM ? "srTCM" : "trTCM",
	       cir, mode == DP_POLICER_TRTCM ? " (and PIR)" : "", offered,
	       green, 100.0 * green / cir);
	if (mode == DP_POLICER_TRTCM)
		printf(", green+yellow %.0f (%.2f%% of PIR)", green + yellow,
		       100.0 * (green + yellow) / pir);
	printf("\n");
	if (offered < 2.0 * (mode == DP_POLICER_TRTCM ? pir : cir)) {
		printf("note   offered load under twice the rate: not checked\n");
		return;
	}
	/* the rate over the second, plus the bucket full at the start */
	want_green = cir + c.cbs * 8 / 1000.0 / secs;
	CHECK(green > 0.98 * want_green && green < 1.02 * want_green,
	      "%d threads: green %.0f kbit/s against CIR %" PRIu64
	      " and a %u-byte burst (%.0f)",
	      HAMMER_THREADS, green, cir, c.cbs, want_green);
	if (mode == DP_POLICER_TRTCM) {
		want_peak = pir + c.ebs_or_pbs * 8 / 1000.0 / secs;
		CHECK(green + yellow > 0.98 * want_peak &&
			      green + yellow < 1.02 * want_peak,
		      "%d threads: green+yellow %.0f kbit/s against PIR %" PRIu64
		      " and a %u-byte burst (%.0f)",
		      HAMMER_THREADS, green + yellow, pir, c.ebs_or_pbs,
		      want_peak);
	}
}

int main(void)
{
	struct meter native = {.name = "c", .init = native_init,
			       .run = native_run};
	struct meter prog = {.name = "bpf", .init = bpf_init, .run = bpf_run};

	setvbuf(stdout, NULL, _IOLBF, 0);
	test_credit();
	test_rfc(&native, 20000, false);
	test_rfc(&native, 20000, true);
	prog.skel = policer_prog__open_and_load();
	CHECK(prog.skel, "the BPF program does not load (verifier, or not "
			 "root): %s",
	      strerror(errno));
	if (prog.skel) {
		test_rfc(&prog, 4000, true);
		policer_prog__destroy(prog.skel);
	}
	test_concurrent(10000, 0, DP_POLICER_SRTCM);
	test_concurrent(1000000, 0, DP_POLICER_SRTCM);
	test_concurrent(1000000, 3000000, DP_POLICER_TRTCM);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
