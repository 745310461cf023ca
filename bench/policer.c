// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/policer: what policing costs a routed packet, and how exact the
 * meters are under load from every CPU.
 *
 * Cost: the real XDP program (private maps, bench/lib/datapath.c) routes a
 * 60-byte IPv4 frame arriving on lo; BPF_PROG_TEST_RUN with repeat = 1 per
 * frame (the program rewrites the frame, so it cannot be repeated in
 * place), the kernel's own duration of each run, XDP_PASS's subtracted.
 * Cases: police stage off; on with nothing applying to the frame (the
 * lookups); the interface's policer (always green); interface + source +
 * destination match (three meters); the interface's policer dropping
 * everything (violate-action drop). Each on one CPU and on all CPUs at
 * once, every CPU metering the same packets with the same meters: the
 * contention a policer on a busy interface sees (no lock: one
 * compare-and-swap on the bucket word per meter).
 *
 * Accuracy: every CPU sends 1000-byte frames through one srTCM meter
 * (violate-action drop) as fast as it can for a while; the bytes let
 * through per second, burst taken off, against the configured rate, at
 * three rates below what the CPUs offer.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "datapath.h"
#include "pkt.h"
#include "xdp_main.skel.h"
#include "ref_fwd.skel.h"

#define POL_NS "bn_pol"
#define POL_OUT_DEV "bn_p0"
#define POL_MAX_CPUS 64
#define POL_RUN_MAX_NS 20000 /* longer: interrupted, left out */
#define POL_BIG_LEN 1014     /* Ethernet + 1000-byte IPv4 packet */
#define POL_ANY 0xffffffffu

static const uint8_t router_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x99};
static const uint8_t out_mac[6] = {0x02, 0, 0, 0, 0x20, 0x00};
static const uint8_t gw_mac[6] = {0x02, 0, 0, 0, 0x10, 0x00};

enum pol_case {
	C_PASS,
	C_OFF,
	C_NONE,
	C_INTF,
	C_THREE,
	C_DROP,
	C_N,
};

static const char *const case_name[C_N] = {
	[C_PASS] = "XDP_PASS (raw)",
	[C_OFF] = "routed, police stage off",
	[C_NONE] = "routed, no policer applies",
	[C_INTF] = "routed, interface policer",
	[C_THREE] = "routed, 3 policers",
	[C_DROP] = "interface policer, drop",
};

struct pol_opts {
	uint32_t packets;
	int rounds;
	double seconds; /* per accuracy rate */
};

struct pol_env {
	struct bn_dp dp;
	struct ref_fwd *ref;
	int pass_fd;
	int pol_fd, state_fd, stats_fd, intf_fd, match_fd;
	uint32_t out_ifindex;
	struct bn_pkt pkt;
	uint8_t big[POL_BIG_LEN];
	int ncpus;
};

/* ------------------------------------------------------------ set-up */

static void pol_netns_setup(void)
{
	bn_netns_add(POL_NS);
	bn_shf("ip -n %s link add %s address 02:00:00:00:20:00 type veth peer name bn_p1",
	       POL_NS, POL_OUT_DEV);
	bn_shf("ip -n %s link set %s up && ip -n %s link set bn_p1 up", POL_NS,
	       POL_OUT_DEV, POL_NS);
	bn_netns_enter(POL_NS);
}

static uint64_t pol_mono_ns(void)
{
	return bn_now_ns(); /* CLOCK_MONOTONIC, bpf_ktime_get_ns()'s */
}

/* Policer id: a meter and its actions, buckets full, counters zero. */
static void pol_set(struct pol_env *e, uint32_t id, uint64_t cir_kbps,
		    uint32_t cbs, uint8_t red_action)
{
	struct dp_policer p = {
		.meter = {.mode = DP_POLICER_SRTCM,
			  .cir_kbps = cir_kbps,
			  .cbs = cbs},
		.action = {DP_POLICE_TRANSMIT, DP_POLICE_DROP, red_action},
	};
	struct dp_policer_state st = {.last_ns = pol_mono_ns(),
				      .tokens = (uint64_t)cbs << 32};
	struct dp_policer_stats zero[POL_MAX_CPUS] = {};

	if (bpf_map_update_elem(e->pol_fd, &id, &p, BPF_ANY) ||
	    bpf_map_update_elem(e->state_fd, &id, &st, BPF_ANY))
		bn_die("policer %u: %s", id, strerror(errno));
	for (uint32_t c = 0; c < DP_COLOURS; c++) {
		uint32_t idx = id * DP_COLOURS + c;

		if (bpf_map_update_elem(e->stats_fd, &idx, zero, BPF_ANY))
			bn_die("policer_stats_map: %s", strerror(errno));
	}
}

static void pol_match(struct pol_env *e, uint32_t dir, uint32_t addr,
		      uint8_t plen, uint32_t id)
{
	struct dp_police_match_key k = {.prefixlen = 32 + plen,
					.dir_family = dir | AF_INET,
					.addr = {addr}};
	struct dp_police_match m = {.policer_id = id};

	if (bpf_map_update_elem(e->match_fd, &k, &m, BPF_ANY))
		bn_die("policer_match_map: %s", strerror(errno));
}

static void pol_match_del(struct pol_env *e, uint32_t dir, uint32_t addr,
			  uint8_t plen)
{
	struct dp_police_match_key k = {.prefixlen = 32 + plen,
					.dir_family = dir | AF_INET,
					.addr = {addr}};

	bpf_map_delete_elem(e->match_fd, &k);
}

static void pol_intf(struct pol_env *e, uint32_t id)
{
	uint32_t lo = 1;

	if (!id)
		bpf_map_delete_elem(e->intf_fd, &lo);
	else if (bpf_map_update_elem(e->intf_fd, &lo, &id, BPF_ANY))
		bn_die("policer_intf_map: %s", strerror(errno));
}

static uint64_t pol_bytes(struct pol_env *e, uint32_t id, uint32_t colour)
{
	struct dp_policer_stats v[POL_MAX_CPUS] = {};
	uint32_t idx = id * DP_COLOURS + colour;
	uint64_t sum = 0;

	if (bpf_map_lookup_elem(e->stats_fd, &idx, v))
		bn_die("policer_stats_map: %s", strerror(errno));
	for (int c = 0; c < e->ncpus; c++)
		sum += v[c].bytes;
	return sum;
}

/* Route 10.0.0.0/8 by one gateway out of POL_OUT_DEV; frames from
 * 172.16.0.1 to 10.1.2.3, a 60-byte one and a 1014-byte one. */
static void pol_env_open(struct pol_env *e)
{
	struct dp_path path;
	struct iphdr_min {
		uint8_t vihl, tos;
		uint16_t tot_len, id, frag;
		uint8_t ttl, proto;
		uint16_t check;
	} *ip;

	e->ncpus = libbpf_num_possible_cpus();
	if (e->ncpus <= 0 || e->ncpus > POL_MAX_CPUS)
		bn_die("possible CPUs: %d", e->ncpus);
	e->ref = ref_fwd__open_and_load();
	if (!e->ref)
		bn_die("load ref_fwd: %s", strerror(errno));
	e->pass_fd = bpf_program__fd(e->ref->progs.ref_pass);
	bn_dp_open(&e->dp, 0);
	e->pol_fd = bpf_map__fd(e->dp.skel->maps.policer_map);
	e->state_fd = bpf_map__fd(e->dp.skel->maps.policer_state_map);
	e->stats_fd = bpf_map__fd(e->dp.skel->maps.policer_stats_map);
	e->intf_fd = bpf_map__fd(e->dp.skel->maps.policer_intf_map);
	e->match_fd = bpf_map__fd(e->dp.skel->maps.policer_match_map);
	e->out_ifindex = if_nametoindex(POL_OUT_DEV);
	if (!e->out_ifindex)
		bn_die("%s: %s", POL_OUT_DEV, strerror(errno));
	bn_dp_intf(&e->dp, 1 /* lo */, router_mac,
		   DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_UP, 1);
	path = bn_dp_path(e->out_ifindex, gw_mac, out_mac, htonl(0x0aff0002));
	bn_dp_nhg(&e->dp, 1, &path, 1);
	if (bn_dp_route4(&e->dp, htonl(0x0a000000), 8, 1))
		bn_die("route 10.0.0.0/8");
	bn_dp_commit(&e->dp);
	bn_pkt4(&e->pkt, router_mac, peer_mac, htonl(0xac100001),
		htonl(0x0a010203));
	/* the big frame: the small one's headers, longer */
	memset(e->big, 0, sizeof(e->big));
	memcpy(e->big, e->pkt.buf, 14 + 20 + 8);
	ip = (struct iphdr_min *)(e->big + 14);
	ip->tot_len = htons(POL_BIG_LEN - 14);
	ip->check = 0;
	ip->check = bn_ip_csum(ip, 20);
	*(uint16_t *)(e->big + 14 + 20 + 4) = htons(POL_BIG_LEN - 14 - 20);
	*(uint16_t *)(e->big + 14 + 20 + 6) = 0; /* no UDP checksum */
}

/* The configuration of one case (the policers it needs). */
static void pol_case_setup(struct pol_env *e, enum pol_case c)
{
	/* as the plugin sets them: the kinds attached (a destination match
	 * elsewhere in every case but "off") */
	uint32_t flags = DP_META_F_POLICE_DST;

	pol_intf(e, 0);
	pol_match_del(e, DP_POLICE_MATCH_SRC, htonl(0xac100000), 16);
	pol_match_del(e, DP_POLICE_MATCH_DST, htonl(0x0a010000), 16);
	pol_match(e, DP_POLICE_MATCH_DST, htonl(0xc0000200), 24, 9);
	switch (c) {
	case C_OFF:
		flags = 0;
		break;
	case C_INTF:
		pol_set(e, 1, DP_POLICER_KBPS_MAX, 0xffffffffu,
			DP_POLICE_DROP);
		pol_intf(e, 1);
		flags |= DP_META_F_POLICE_INTF;
		break;
	case C_THREE:
		for (uint32_t id = 1; id <= 3; id++)
			pol_set(e, id, DP_POLICER_KBPS_MAX, 0xffffffffu,
				DP_POLICE_DROP);
		pol_intf(e, 1);
		pol_match(e, DP_POLICE_MATCH_SRC, htonl(0xac100000), 16, 2);
		pol_match(e, DP_POLICE_MATCH_DST, htonl(0x0a010000), 16, 3);
		flags |= DP_META_F_POLICE_INTF | DP_META_F_POLICE_SRC;
		break;
	case C_DROP:
		pol_set(e, 1, DP_POLICER_KBPS_MIN, 1, DP_POLICE_DROP);
		pol_intf(e, 1);
		flags |= DP_META_F_POLICE_INTF;
		break;
	default:
		break;
	}
	bn_dp_meta(&e->dp, flags);
}

/* ---------------------------------------------------------- measuring */

struct pol_worker {
	pthread_t t;
	struct pol_env *e;
	int cpu;
	int fd;
	const uint8_t *frame;
	uint32_t len;
	uint32_t packets;	/* cost: runs; 0: run until stop */
	uint32_t want;		/* expected verdict; POL_ANY: forwarded or dropped */
	pthread_barrier_t *go;
	volatile int *stop;
	double mean_ns;		/* cost */
	uint64_t runs, failed;
	double cpu_s;		/* thread CPU time */
};

static double pol_thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *pol_worker_run(void *arg)
{
	struct pol_worker *w = arg;
	uint8_t out[POL_BIG_LEN + 64];
	uint64_t sum = 0, n = 0;
	double cpu0;

	bn_pin_cpu(w->cpu);
	bn_netns_enter(POL_NS);
	pthread_barrier_wait(w->go);
	cpu0 = pol_thread_cpu();
	for (uint64_t i = 0; w->packets ? i < w->packets : !*w->stop; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = w->frame,
			    .data_size_in = w->len, .data_out = out,
			    .data_size_out = sizeof(out), .repeat = 1);

		if (bpf_prog_test_run_opts(w->fd, &o) ||
		    (w->want == POL_ANY ? o.retval != XDP_REDIRECT &&
						  o.retval != XDP_DROP
					: o.retval != w->want)) {
			w->failed++;
			continue;
		}
		w->runs++;
		if (o.duration > POL_RUN_MAX_NS)
			continue;
		sum += o.duration;
		n++;
	}
	w->cpu_s = pol_thread_cpu() - cpu0;
	w->mean_ns = n ? (double)sum / n : 0;
	return NULL;
}

/*
 * n workers (CPU 0 .. n-1) on fd at once; the mean of their mean cost
 * per run, and failures. packets 0: until *stop.
 */
static double pol_run(struct pol_env *e, int n, int fd, const uint8_t *frame,
		      uint32_t len, uint32_t packets, uint32_t want,
		      volatile int *stop, uint64_t *failed, double *cpu_s,
		      double *wall_s)
{
	struct pol_worker w[POL_MAX_CPUS] = {};
	pthread_barrier_t go;
	double mean = 0;
	uint64_t t0;

	pthread_barrier_init(&go, NULL, n + 1);
	for (int i = 0; i < n; i++) {
		w[i] = (struct pol_worker){.e = e, .cpu = i, .fd = fd,
					   .frame = frame, .len = len,
					   .packets = packets, .want = want,
					   .go = &go, .stop = stop};
		if (pthread_create(&w[i].t, NULL, pol_worker_run, &w[i]))
			bn_die("pthread_create");
	}
	pthread_barrier_wait(&go);
	t0 = bn_now_ns();
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].t, NULL);
		mean += w[i].mean_ns / n;
		*failed += w[i].failed;
		if (cpu_s)
			*cpu_s += w[i].cpu_s;
	}
	if (wall_s)
		*wall_s = (bn_now_ns() - t0) / 1e9;
	pthread_barrier_destroy(&go);
	return mean;
}

static const uint32_t case_verdict[C_N] = {
	[C_PASS] = XDP_PASS,   [C_OFF] = XDP_REDIRECT, [C_NONE] = XDP_REDIRECT,
	[C_INTF] = XDP_REDIRECT, [C_THREE] = XDP_REDIRECT, [C_DROP] = XDP_DROP,
};

/* One table: the cases' ns above XDP_PASS with n CPUs at once. */
static bool pol_cost_table(struct pol_env *e, const struct pol_opts *o, int n)
{
	double v[C_N][16], above[C_N][16];
	uint64_t failed[C_N] = {};
	bool ok = true;

	printf("\n%d CPU%s at once%s\n", n, n > 1 ? "s" : "",
	       n > 1 ? " (each metering the same frames through the same meters)" : "");
	printf("%-30s %-22s %-18s %s\n", "case", "ns above pass", "ours/stage off",
	       "failed");
	for (int r = 0; r < o->rounds; r++) {
		for (int c = 0; c < C_N; c++) {
			pol_case_setup(e, c);
			v[c][r] = pol_run(e, n, c == C_PASS ? e->pass_fd
							    : e->dp.prog_fd,
					  e->pkt.buf, e->pkt.len, o->packets,
					  case_verdict[c], NULL, &failed[c],
					  NULL, NULL);
		}
		for (int c = 0; c < C_N; c++)
			above[c][r] = c == C_PASS ? v[c][r]
						  : v[c][r] - v[C_PASS][r];
	}
	for (int c = 0; c < C_N; c++) {
		double ratio[16];
		struct bn_stat s, q;
		char cell[64] = "", ns[40];

		for (int r = 0; r < o->rounds; r++)
			ratio[r] = above[C_OFF][r] > 0
					   ? above[c][r] / above[C_OFF][r]
					   : 0;
		s = bn_stat_of(above[c], o->rounds);
		if (c != C_PASS && c != C_OFF) {
			q = bn_stat_of(ratio, o->rounds);
			snprintf(cell, sizeof(cell), "%.2f (%.2f-%.2f)", q.med,
				 q.min, q.max);
		}
		snprintf(ns, sizeof(ns), "%.0f (%.0f-%.0f)", s.med, s.min,
			 s.max);
		printf("%-30s %-22s %-18s %lu\n", case_name[c], ns, cell,
		       (unsigned long)failed[c]);
		ok = ok && !failed[c];
	}
	return ok;
}

struct pol_stopper {
	volatile int *stop;
	double seconds;
};

static void *pol_stop_after(void *arg)
{
	struct pol_stopper *s = arg;

	usleep((useconds_t)(s->seconds * 1e6));
	*s->stop = 1;
	return NULL;
}

/* Every CPU through one meter at each rate: bytes let through against
 * the rate. */
static bool pol_accuracy(struct pol_env *e, const struct pol_opts *o)
{
	static const uint64_t rates[] = {100000, 1000000, 5000000}; /* kbit/s */
	const uint32_t cbs = 100000;
	bool ok = true;

	printf("\naccuracy: %d CPUs send %u-byte packets (IP) through one srTCM meter "
	       "(CBS %u, EBS 0, red dropped) for %.1f s per rate\n",
	       e->ncpus, POL_BIG_LEN - 14, cbs, o->seconds);
	printf("%-14s %-14s %-14s %-12s %-10s %s\n", "rate (kbit/s)", "offered",
	       "let through", "ratio", "CPU busy", "failed");
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		volatile int stop = 0;
		struct pol_stopper st = {.stop = &stop, .seconds = o->seconds};
		uint64_t failed = 0, green, red;
		double cpu_s = 0, wall_s = 0, got, offered;
		pthread_t t;

		pol_case_setup(e, C_OFF);
		pol_set(e, 1, rates[i], cbs, DP_POLICE_DROP);
		pol_intf(e, 1);
		bn_dp_meta(&e->dp, DP_META_F_POLICE_INTF);
		pthread_create(&t, NULL, pol_stop_after, &st);
		/* the meter started full when pol_set ran: count from there */
		pol_run(e, e->ncpus, e->dp.prog_fd, e->big, POL_BIG_LEN, 0,
			POL_ANY, &stop, &failed, &cpu_s, &wall_s);
		pthread_join(t, NULL);
		green = pol_bytes(e, 1, DP_GREEN);
		red = pol_bytes(e, 1, DP_RED);
		got = (double)(green - cbs) * 8 / 1000 / wall_s;
		offered = (double)(green + red) * 8 / 1000 / wall_s;
		printf("%-14lu %-14.0f %-14.0f %-12.4f %-9.0f%% %lu\n",
		       (unsigned long)rates[i], offered, got, got / rates[i],
		       100 * cpu_s / (wall_s * e->ncpus), (unsigned long)failed);
		ok = ok && !failed;
		if (got < rates[i] * 0.95 || got > rates[i] * 1.05) {
			printf("  (outside 5 %% of the rate)\n");
			ok = false;
		}
		if (offered < rates[i] * 1.5) {
			printf("  (offered load below 1.5 x the rate: not a test of the meter)\n");
			ok = false;
		}
	}
	return ok;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench/policer [--packets N] [--rounds N] [--seconds S]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct pol_opts o = {.packets = 100000, .rounds = 5, .seconds = 2};
	static const struct option lopts[] = {
		{"packets", required_argument, NULL, 'p'},
		{"rounds", required_argument, NULL, 'r'},
		{"seconds", required_argument, NULL, 's'},
		{},
	};
	struct pol_env e = {};
	bool ok = true;
	int opt;

	while ((opt = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			o.packets = bn_parse_count(optarg);
			break;
		case 'r':
			o.rounds = atoi(optarg);
			break;
		case 's':
			o.seconds = atof(optarg);
			break;
		default:
			usage();
		}
	}
	if (!o.packets || o.rounds < 1 || o.rounds > 16 || o.seconds <= 0)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	pol_netns_setup();
	pol_env_open(&e);
	printf("bench/policer: ns per routed 60-byte IPv4 packet above XDP_PASS, median of %d rounds (min-max),\n"
	       "%u packets per case per round per CPU; BPF_PROG_TEST_RUN repeat=1, the kernel's duration of each run.\n"
	       "ours/stage off: per-round ratio to the same path with the police stage switched off.\n",
	       o.rounds, o.packets);
	ok = pol_cost_table(&e, &o, 1) && ok;
	if (e.ncpus > 1)
		ok = pol_cost_table(&e, &o, e.ncpus) && ok;
	ok = pol_accuracy(&e, &o) && ok;
	bn_dp_close(&e.dp);
	ref_fwd__destroy(e.ref);
	return ok ? 0 : 1;
}
