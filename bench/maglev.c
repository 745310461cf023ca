// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/maglev: how many new flows change backend when one of N backends
 * leaves a VIP, with our Maglev rings (frr-plugin/lb/lb_ring.h) and with
 * hash mod N (the selection of loxilb), and what building a ring costs.
 *
 * For each N, equal weights: the ring of all N backends and, in turn, the
 * ring with one of them down (every backend for N <= --removals, else
 * --removals of them spread over the keys). Moved: the share of ring
 * slots, and of --flows random flow hashes (slot = hash % size, as the
 * datapath picks), whose backend differs. hash mod N sends a flow to
 * backend hash % N of the backends up, in configuration order; it runs
 * over the same flow hashes. The bound is issue 7's: 1/N + 1 %. When the
 * backend comes back its old ring must return exactly (checked).
 *
 * Build time: a whole ring per call, median of --rounds rounds of at
 * least 20 ms each; the baseline is writing the same number of slots
 * with slot % N (the cheapest table of that size).
 *
 * Exits 1 if a removal moved more than the bound, or a ring did not
 * come back. No root needed.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bench.h"
#include "lb/lb_ring_int.h"

#define MG_SIZES_MAX 8
#define MG_SEED 0x5eed
#define MG_ROUND_NS 20000000ull

struct mg_opts {
	uint32_t sizes[MG_SIZES_MAX];
	int n_sizes;
	uint32_t flows;
	uint32_t removals;
	int rounds;
};

/* Worst and mean over the removals of one N, as fractions. */
struct mg_moved {
	double slots_max, slots_sum;
	double flows_max, flows_sum;
	double modn_max, modn_sum;
	double paper_max, paper_sum; /* the paper's fill, slots */
	uint32_t removals;
	uint32_t not_restored; /* slots that differ once the backend is back */
};

static void mg_backends(struct lb_backend *be, uint32_t n)
{
	uint32_t i;

	memset(be, 0, n * sizeof(*be));
	for (i = 0; i < n; i++) {
		be[i].family = AF_INET;
		be[i].addr[0] = 10;
		be[i].addr[1] = 1 + (i >> 16);
		be[i].addr[2] = (i >> 8) & 0xff;
		be[i].addr[3] = i & 0xff;
		be[i].port = 8080;
		be[i].weight = 1;
		be[i].up = true;
	}
}

static uint32_t mg_build(const struct lb_backend *be, uint32_t n,
			 uint32_t *ring, uint32_t cap)
{
	int len = lb_ring_build(LB_RING_MAGLEV, be, n, MG_SEED, ring, cap);

	if (len < 0)
		bn_die("lb_ring_build: %s", strerror(-len));
	return len;
}

/*
 * The paper's fill (Eisenbud et al. 2016, §3.4), as a baseline: the same
 * lists and ring size as ours, equal weights, backends taking turns in
 * key order, each turn claiming the next free slot of its list.
 */
static void mg_paper_fill(const struct lb_backend *be, uint32_t n,
			  uint32_t *ring, uint32_t size)
{
	uint32_t *next = malloc(n * sizeof(*next));
	uint32_t *skip = malloc(n * sizeof(*skip));
	uint32_t i, slot, filled = 0;
	struct lb_eligible el;
	int e = lb_eligible_get(&el, be, n);

	if (e < 0)
		bn_die("lb_eligible_get: %s", strerror(-e));
	if (!next || !skip)
		bn_die("out of memory");
	for (i = 0; i < el.n; i++)
		lb_maglev_prefs(&be[el.pos[i]], MG_SEED, size, &next[i],
				&skip[i]);
	for (slot = 0; slot < size; slot++)
		ring[slot] = LB_RING_EMPTY;
	while (filled < size) {
		for (i = 0; i < el.n && filled < size; i++) {
			for (slot = next[i]; ring[slot] != LB_RING_EMPTY;)
				slot = (slot + skip[i]) % size;
			ring[slot] = el.pos[i];
			next[i] = (slot + skip[i]) % size;
			filled++;
		}
	}
	lb_eligible_put(&el);
	free(skip);
	free(next);
}

/* Flows whose backend differs between two rings of one VIP. */
static uint32_t mg_flows_moved(const uint32_t *hashes, uint32_t flows,
			       const uint32_t *a, const uint32_t *b,
			       const struct lb_backend *be, uint32_t size)
{
	uint32_t i, moved = 0, s;

	for (i = 0; i < flows; i++) {
		s = hashes[i] % size;
		moved += lb_backend_cmp(&be[a[s]], &be[b[s]]) != 0;
	}
	return moved;
}

/* The same with hash mod the backends up, backend j down in the second. */
static uint32_t mg_modn_moved(const uint32_t *hashes, uint32_t flows,
			      uint32_t n, uint32_t j)
{
	uint32_t i, before, after, moved = 0;

	for (i = 0; i < flows; i++) {
		before = hashes[i] % n;
		after = hashes[i] % (n - 1);
		/* after indexes the survivors: skip j */
		after += after >= j;
		moved += before != after;
	}
	return moved;
}

static void mg_disruption(uint32_t n, const struct mg_opts *o,
			  const uint32_t *hashes, struct mg_moved *m)
{
	uint32_t cap = lb_ring_capacity(n), size, j, r, step;
	uint32_t *ring = malloc(cap * sizeof(*ring));
	uint32_t *down = malloc(cap * sizeof(*down));
	uint32_t *paper = malloc(cap * sizeof(*paper));
	uint32_t *paper_down = malloc(cap * sizeof(*paper_down));
	struct lb_backend *be = malloc(n * sizeof(*be));
	double f;

	if (!ring || !down || !paper || !paper_down || !be)
		bn_die("out of memory");
	mg_backends(be, n);
	memset(m, 0, sizeof(*m));
	size = mg_build(be, n, ring, cap);
	mg_paper_fill(be, n, paper, size);
	step = n <= o->removals ? 1 : n / o->removals;
	for (r = 0, j = 0; j < n && r < o->removals; j += step, r++) {
		be[j].up = false;
		mg_build(be, n, down, cap);
		mg_paper_fill(be, n, paper_down, size);
		be[j].up = true;

		f = (double)lb_ring_changed(ring, be, down, be, size) / size;
		m->slots_max = f > m->slots_max ? f : m->slots_max;
		m->slots_sum += f;
		f = (double)mg_flows_moved(hashes, o->flows, ring, down, be,
					   size) /
		    o->flows;
		m->flows_max = f > m->flows_max ? f : m->flows_max;
		m->flows_sum += f;
		f = (double)mg_modn_moved(hashes, o->flows, n, j) / o->flows;
		m->modn_max = f > m->modn_max ? f : m->modn_max;
		m->modn_sum += f;
		f = (double)lb_ring_changed(paper, be, paper_down, be, size) /
		    size;
		m->paper_max = f > m->paper_max ? f : m->paper_max;
		m->paper_sum += f;
		m->removals++;

		/* Back up: the ring depends on the set only. */
		mg_build(be, n, down, cap);
		m->not_restored += lb_ring_changed(ring, be, down, be, size);
	}
	free(be);
	free(paper_down);
	free(paper);
	free(down);
	free(ring);
}

enum mg_builder { B_OURS, B_PAPER, B_BASE, B_N };

static void mg_build_with(enum mg_builder b, const struct lb_backend *be,
			  uint32_t n, uint32_t *ring, uint32_t cap)
{
	uint32_t s;

	switch (b) {
	case B_OURS:
		mg_build(be, n, ring, cap);
		break;
	case B_PAPER:
		mg_paper_fill(be, n, ring, cap);
		break;
	default:
		for (s = 0; s < cap; s++)
			ring[s] = s % n;
		break;
	}
}

/*
 * Median µs per whole ring of each builder, rounds of at least
 * MG_ROUND_NS, the builders taking turns within each round.
 */
static void mg_build_time(uint32_t n, const struct mg_opts *o,
			  struct bn_stat *st)
{
	uint32_t cap = lb_ring_capacity(n), calls;
	uint32_t *ring = malloc(cap * sizeof(*ring));
	struct lb_backend *be = malloc(n * sizeof(*be));
	double *t = calloc((size_t)o->rounds * B_N, sizeof(double));
	volatile uint32_t sink = 0;
	uint64_t start;
	int r, b;

	if (!ring || !be || !t)
		bn_die("out of memory");
	mg_backends(be, n);
	for (r = 0; r < o->rounds; r++)
		for (b = 0; b < B_N; b++) {
			start = bn_now_ns();
			for (calls = 0; bn_now_ns() - start < MG_ROUND_NS;
			     calls++) {
				mg_build_with(b, be, n, ring, cap);
				sink += ring[calls % cap];
			}
			t[b * o->rounds + r] =
				(bn_now_ns() - start) / 1e3 / calls;
		}
	(void)sink;
	for (b = 0; b < B_N; b++)
		st[b] = bn_stat_of(&t[b * o->rounds], o->rounds);
	free(t);
	free(be);
	free(ring);
}

static void mg_parse_sizes(const char *arg, struct mg_opts *o)
{
	int i;

	o->n_sizes = bn_parse_counts(arg, o->sizes, MG_SIZES_MAX);
	for (i = 0; i < o->n_sizes; i++)
		if (o->sizes[i] < 2 || o->sizes[i] > LB_RING_MAX_BACKENDS)
			bn_die("backends: 2..%u, not %u", LB_RING_MAX_BACKENDS,
			       o->sizes[i]);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: maglev [--backends 8,64,256,1K] [--flows 1M] [--removals N] [--rounds R]\n");
	exit(2);
}

static void mg_opts_parse(int argc, char **argv, struct mg_opts *o)
{
	static const struct option lopts[] = {
		{"backends", required_argument, NULL, 'b'},
		{"flows", required_argument, NULL, 'f'},
		{"removals", required_argument, NULL, 'n'},
		{"rounds", required_argument, NULL, 'r'},
		{},
	};
	int c;

	mg_parse_sizes("8,64,256,1K", o);
	o->flows = 1000000;
	o->removals = 64;
	o->rounds = 5;
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			mg_parse_sizes(optarg, o);
			break;
		case 'f':
			o->flows = bn_parse_count(optarg);
			break;
		case 'n':
			o->removals = bn_parse_count(optarg);
			break;
		case 'r':
			o->rounds = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (!o->flows || !o->removals || o->rounds < 1 || !o->n_sizes)
		usage();
}

int main(int argc, char **argv)
{
	struct mg_opts o;
	struct mg_moved m;
	struct bn_stat st[B_N];
	struct bn_rng rng;
	uint32_t *hashes, i, n;
	double bound;
	char nbuf[16], cell[B_N][48];
	int s, b, status = 0;
	bool over;

	mg_opts_parse(argc, argv, &o);
	hashes = malloc(o.flows * sizeof(*hashes));
	if (!hashes)
		bn_die("out of memory");
	bn_rng_seed(&rng, MG_SEED);
	for (i = 0; i < o.flows; i++)
		hashes[i] = bn_rng_next(&rng) >> 32;

	printf("bench/maglev: new-flow assignments moved when 1 of N equal backends goes down, in %% (worst / mean\n"
	       "over %u removals or every backend): ours over ring slots and over %u random flow hashes\n"
	       "(slot = hash %% size); paper = the NSDI 2016 fill, same lists and size; mod-N = hash %% backends up\n"
	       "(loxilb), same flows; minimum = 1/N; bound = 1/N + 1 %% (issue 7)\n\n",
	       o.removals, o.flows);
	printf("%-6s %-7s %-15s %-15s %-15s %-8s %-8s %-15s %-9s\n", "N",
	       "slots", "ours slots", "ours flows", "paper slots", "minimum",
	       "bound", "mod-N flows", "ours/modN");
	for (s = 0; s < o.n_sizes; s++) {
		n = o.sizes[s];
		bound = 1.0 / n + 0.01;
		mg_disruption(n, &o, hashes, &m);
		over = m.slots_max > bound || m.flows_max > bound;
		printf("%-6s %-7u %5.2f / %-7.2f %5.2f / %-7.2f %5.2f / %-7.2f %-8.2f %-8.2f %5.1f / %-7.1f %-9.3f%s\n",
		       bn_fmt_count(n, nbuf, sizeof(nbuf)), lb_maglev_size(n),
		       100 * m.slots_max, 100 * m.slots_sum / m.removals,
		       100 * m.flows_max, 100 * m.flows_sum / m.removals,
		       100 * m.paper_max, 100 * m.paper_sum / m.removals,
		       100.0 / n, 100 * bound, 100 * m.modn_max,
		       100 * m.modn_sum / m.removals, m.flows_sum / m.modn_sum,
		       over		? "  OVER BOUND"
		       : m.not_restored ? "  NOT RESTORED"
					: "");
		fflush(stdout);
		if (over || m.not_restored)
			status = 1;
	}

	printf("\nbuild: us per whole ring, median of %d rounds (min-max); paper = the NSDI 2016 fill of the\n"
	       "same ring; slot %% N = writing as many slots with slot %% N (the cheapest table of that size)\n\n",
	       o.rounds);
	printf("%-6s %-7s %-24s %-24s %-20s %-11s %-9s\n", "N", "slots", "ours",
	       "paper", "slot % N", "ours/paper", "ours/base");
	for (s = 0; s < o.n_sizes; s++) {
		n = o.sizes[s];
		mg_build_time(n, &o, st);
		for (b = 0; b < B_N; b++)
			snprintf(cell[b], sizeof(cell[b]), "%.1f (%.1f-%.1f)",
				 st[b].med, st[b].min, st[b].max);
		printf("%-6s %-7u %-24s %-24s %-20s %-11.1f %-9.1f\n",
		       bn_fmt_count(n, nbuf, sizeof(nbuf)), lb_ring_capacity(n),
		       cell[B_OURS], cell[B_PAPER], cell[B_BASE],
		       st[B_OURS].med / st[B_PAPER].med,
		       st[B_OURS].med / st[B_BASE].med);
		fflush(stdout);
	}
	free(hashes);
	return status;
}
