// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Update rates of the datapath FIB's user-space code with real BPF maps
 * (root needed): N4 IPv4 and N6 IPv6 random prefixes with a full-table
 * length mix, added then deleted, over 1000 distinct route values.
 *   bench_fib [N4 [N6]]      defaults 1000000 and 250000
 *   bench_fib --restart [N4 [N6]]
 *       a restart over tables holding N4 + N6 routes: dp_fib_adopt()
 *       (this plugin) against emptying and adding them all again (the
 *       plugin before, zebra's replay at its fastest), same run
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "fib/dp_fib.h"
#include "ref.h"

#define NVALS 1000

struct bench_route {
	uint32_t addr[4]; /* network order */
	uint8_t len;
	struct dp_rt_val val;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A length from a weighted table: {length, weight in 1/1000}. */
static uint8_t pick_len(const uint16_t (*mix)[2])
{
	uint32_t r = rnd_below(1000), acc = 0;

	for (; mix[0][1]; mix++) {
		acc += mix[0][1];
		if (r < acc)
			return mix[0][0];
	}
	return mix[-1][0];
}

/* Roughly the IPv4 and IPv6 default-free zone's length distribution. */
static const uint16_t mix4[][2] = {
	{24, 580}, {23, 100}, {22, 120}, {21, 50}, {20, 50}, {19, 30},
	{18, 20}, {17, 10}, {16, 20}, {12, 5}, {8, 5}, {28, 5}, {32, 5},
	{0, 0},
};
static const uint16_t mix6[][2] = {
	{48, 500}, {32, 120}, {44, 80}, {40, 80}, {36, 50}, {29, 40},
	{46, 40}, {56, 50}, {64, 30}, {128, 10}, {0, 0},
};

static void gen(struct bench_route *r, uint32_t n, bool v6)
{
	uint32_t i, w;

	for (i = 0; i < n; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].len = pick_len(v6 ? mix6 : mix4);
		if (v6) {
			/* inside 2000::/3 */
			r[i].addr[0] = htonl(0x20000000 | (rnd() & 0x1fffffff));
			for (w = 1; w < 4; w++)
				r[i].addr[w] = htonl(rnd());
		} else {
			/* 1.0.0.0 - 223.255.255.255 */
			r[i].addr[0] = htonl(0x01000000 + rnd_below(0xdf000000));
		}
		r[i].val.type = DP_RT_NHG;
		r[i].val.nhg_id = 1 + rnd_below(NVALS);
	}
}

static int mkmap(enum bpf_map_type type, uint32_t key, uint32_t val,
		 uint32_t max, uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int fd = bpf_map_create(type, NULL, key, val, max, &o);

	if (fd < 0) {
		fprintf(stderr, "bpf_map_create: %s (root needed)\n",
			strerror(errno));
		exit(2);
	}
	return fd;
}

/* The kernel's own figure for a map's memory (fdinfo "memlock"). */
static unsigned long long memlock(int fd)
{
	unsigned long long v = 0;
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * The route map beside the FIB (rt_v4_map / rt_v6_map, an LPM trie sized
 * as the plugin sizes it) holding the same routes: the kernel's figure
 * for it, which `show ebpf dataplane` adds to the FIB's memory per route.
 */
static unsigned long long truth_bytes(const struct bench_route *r, uint32_t n,
				      bool v6)
{
	uint32_t ksize = v6 ? sizeof(struct dp_rt6_key)
			    : sizeof(struct dp_rt4_key);
	int fd = mkmap(BPF_MAP_TYPE_LPM_TRIE, ksize, sizeof(struct dp_rt_val),
		       v6 ? DP_RT6_MAX_DEFAULT : DP_RT4_MAX_DEFAULT,
		       BPF_F_NO_PREALLOC);
	unsigned long long bytes;
	uint8_t key[sizeof(struct dp_rt6_key)];
	uint32_t i, plen;

	for (i = 0; i < n; i++) {
		plen = r[i].len;
		memcpy(key, &plen, 4);
		memcpy(key + 4, r[i].addr, ksize - 4);
		bpf_map_update_elem(fd, key, &r[i].val, BPF_ANY);
	}
	bytes = memlock(fd);
	close(fd);
	return bytes;
}

/* Updates between two dp_fib_commit() calls, as the plugin commits after
 * each batch of zebra's dplane (DPLANE_DEFAULT_NEW_WORK contexts). */
#define BATCH 100

static int run(struct dp_fib *fib, const struct bench_route *r, uint32_t n,
	       bool v6, bool add)
{
	uint32_t i, fails = 0;
	int err;

	for (i = 0; i < n; i++) {
		if (i % BATCH == 0)
			dp_fib_commit(fib);
		if (v6)
			err = add ? dp_fib_add6(fib, r[i].addr, r[i].len,
						&r[i].val)
				  : dp_fib_del6(fib, r[i].addr, r[i].len);
		else
			err = add ? dp_fib_add4(fib, r[i].addr[0], r[i].len,
						&r[i].val)
				  : dp_fib_del4(fib, r[i].addr[0], r[i].len);
		/* a duplicate prefix: deleted already */
		fails += err && !(err == -ENOENT && !add);
	}
	dp_fib_commit_all(fib);
	return fails;
}

/* The kernel's figure for the family's FIB maps, as `show ebpf dataplane`
 * adds them up (cli/dp_show.c). */
static unsigned long long fib_maps_bytes(const struct dp_fib_maps *m, bool v6)
{
	if (v6)
		return memlock(m->fib6_fd) + memlock(m->dxr6_dir_fd) +
		       memlock(m->dxr6_range_fd);
	return memlock(m->tbl24_fd) + memlock(m->tbl8_fd) +
	       memlock(m->dxr_dir_fd) + memlock(m->dxr_range_fd);
}

static void bench(struct dp_fib *fib, const struct dp_fib_maps *m, uint32_t n,
		  bool v6)
{
	struct bench_route *r = malloc(n * sizeof(*r));
	unsigned long long mem0 = memlock(m->fib6_fd);
	struct dp_fib_stats st;
	unsigned long long truth, maps;
	double t0, t1, t2;
	int fa, fd;

	if (!r)
		exit(2);
	gen(r, n, v6);
	t0 = now();
	fa = run(fib, r, n, v6, true);
	t1 = now();
	dp_fib_stats(fib, &st);
	printf("%s: %u adds in %.3f s: %.0f routes/s (%d failed)\n",
	       v6 ? "ipv6" : "ipv4", n, t1 - t0, n / (t1 - t0), fa);
	if (v6)
		printf("  %u routes, %u nodes (%.2f per route), %llu bytes "
		       "counted, kernel reports %llu bytes more for fib6_map\n",
		       st.routes6, st.fib6_nodes,
		       (double)st.fib6_nodes / st.routes6,
		       (unsigned long long)st.mem6_bytes,
		       memlock(m->fib6_fd) - mem0);
	else
		printf("  %u routes, %u tbl8 groups, %u value ids, %llu "
		       "bytes (%.1f per route)\n",
		       st.routes4, st.tbl8_used, st.vals_used,
		       (unsigned long long)st.mem4_bytes,
		       (double)st.mem4_bytes / st.routes4);
	truth = truth_bytes(r, n, v6);
	maps = fib_maps_bytes(m, v6);
	printf("  as show ebpf dataplane counts: FIB maps %llu bytes, %s %llu "
	       "bytes, %.1f bytes per route\n", maps,
	       v6 ? "rt_v6_map" : "rt_v4_map", truth,
	       (double)(maps + truth) / (v6 ? st.routes6 : st.routes4));
	if (v6)
		printf("  ranges %s: %u entries of %u, %u /20s answered, %u repacks\n",
		       st.ranges6_on ? "on" : "off", st.ranges6, st.ranges6_max,
		       st.ranged6, st.ranges6_repacks);
	else
		printf("  ranges %s: %u entries of %u, %u /16s on DIR-24-8, %u repacks\n",
		       st.ranges4_on ? "on" : "off", st.ranges4, st.ranges4_max,
		       st.dir24_4, st.ranges4_repacks);
	t1 = now();
	fd = run(fib, r, n, v6, false);
	t2 = now();
	printf("  %u deletes in %.3f s: %.0f routes/s (%d failed)\n", n,
	       t2 - t1, n / (t2 - t1), fd);
	free(r);
}

/* The routes as the plugin reads them back at a restart. */
static struct dp_fib_route *as_fib_routes(const struct bench_route *r4,
					  uint32_t n4,
					  const struct bench_route *r6,
					  uint32_t n6)
{
	struct dp_fib_route *out = calloc(n4 + n6 + 1, sizeof(*out));
	uint32_t i;

	for (i = 0; out && i < n4 + n6; i++) {
		const struct bench_route *b = i < n4 ? &r4[i] : &r6[i - n4];

		memcpy(out[i].addr, b->addr, sizeof(out[i].addr));
		out[i].plen = b->len;
		out[i].v6 = i >= n4;
		out[i].val = b->val;
	}
	return out;
}

/*
 * A generated prefix may come twice: the FIB keeps the last value, the
 * list read back at a restart holds the prefix once. Give a prefix one
 * value, whatever its place in the list.
 */
static void value_per_prefix(struct bench_route *r, uint32_t n, bool v6)
{
	uint32_t i, w, h, mask;
	int keep;

	for (i = 0; i < n; i++) {
		h = r[i].len * 2654435761u;
		for (w = 0; w < (v6 ? 4u : 1u); w++) {
			keep = r[i].len - 32 * (int)w;
			mask = keep >= 32 ? 0xffffffffu
			       : keep <= 0 ? 0 : 0xffffffffu << (32 - keep);
			h = (h ^ (ntohl(r[i].addr[w]) & mask)) * 2654435761u;
		}
		r[i].val.nhg_id = 1 + h % NVALS;
	}
}

static void restart(const struct dp_fib_maps *m, uint32_t n4, uint32_t n6)
{
	struct bench_route *r4 = malloc((n4 + 1) * sizeof(*r4));
	struct bench_route *r6 = malloc((n6 + 1) * sizeof(*r6));
	struct dp_fib_adopted st;
	struct dp_fib_route *all;
	double t0, t1, t2, best_re = 1e9, best_ad = 1e9;
	struct dp_fib *fib;
	int round;

	if (!r4 || !r6)
		exit(2);
	gen(r4, n4, false);
	gen(r6, n6, true);
	value_per_prefix(r4, n4, false);
	value_per_prefix(r6, n6, true);
	fib = dp_fib_open(m);
	run(fib, r4, n4, false, true);
	run(fib, r6, n6, true, true);
	all = as_fib_routes(r4, n4, r6, n6);
	for (round = 0; round < 3; round++) {
		dp_fib_close(fib);
		t0 = now();
		fib = dp_fib_open(m);
		run(fib, r4, n4, false, true);
		run(fib, r6, n6, true, true);
		t1 = now();
		dp_fib_close(fib);
		fib = dp_fib_adopt(m, all, n4 + n6, &st);
		t2 = now();
		if (!fib) {
			perror("dp_fib_adopt");
			exit(1);
		}
		/* validity: the routes that built the tables change nothing */
		if (st.v4_writes || st.v6_writes) {
			fprintf(stderr, "bench_fib: adopting the very routes rewrote %u IPv4 entries and %u IPv6 nodes\n",
				st.v4_writes, st.v6_writes);
			exit(1);
		}
		best_re = t1 - t0 < best_re ? t1 - t0 : best_re;
		best_ad = t2 - t1 < best_ad ? t2 - t1 : best_ad;
		printf("  round %d: emptied and refilled %.3f s, adopted %.3f s (%u IPv4 entries, %u IPv6 nodes rewritten)\n",
		       round + 1, t1 - t0, t2 - t1, st.v4_writes,
		       st.v6_writes);
	}
	printf("restart over %u IPv4 + %u IPv6 routes: adopted in %.3f s, "
	       "emptied and refilled in %.3f s (best of 3): %.2fx; the "
	       "programs forward throughout the first, from an empty FIB "
	       "during the second\n",
	       n4, n6, best_ad, best_re, best_ad / best_re);
	dp_fib_close(fib);
	free(all);
	free(r4);
	free(r6);
}

int main(int argc, char **argv)
{
	bool do_restart = argc > 1 && strcmp(argv[1], "--restart") == 0;
	uint32_t n4, n6;
	struct dp_fib_maps m = {
		.vals_max = DP_FIB_VALS_MAX_DEFAULT,
		.tbl8_groups = DP_FIB4_TBL8_GROUPS_DEFAULT,
		.fib6_max = DP_FIB6_NODES_MAX_DEFAULT,
		.routes4 = DP_RT4_MAX_DEFAULT, /* as the plugin sizes it */
	};
	struct dp_fib *fib;

	if (do_restart) {
		argc--;
		argv++;
	}
	n4 = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	n6 = argc > 2 ? strtoul(argv[2], NULL, 0) : 250000;
	m.val_fd = mkmap(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct dp_rt_val),
			 m.vals_max, 0);
	m.tbl24_fd = mkmap(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct dp_fib4_block),
			   DP_FIB4_TBL24_BLOCKS, BPF_F_MMAPABLE);
	m.tbl8_fd = mkmap(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct dp_fib4_block),
			  m.tbl8_groups, BPF_F_MMAPABLE);
	m.fib6_fd = mkmap(BPF_MAP_TYPE_HASH, sizeof(struct dp_fib6_key),
			  sizeof(struct dp_fib6_node), m.fib6_max,
			  BPF_F_NO_PREALLOC);
	/* the range table as the plugin sizes it */
	m.dxr_range_blocks = DP_FIB4_DXR_ROUTES_MAX *
			     DP_FIB4_DXR_RANGES_PER_ROUTE /
			     DP_FIB4_TBL8_GROUP_ENTRIES;
	m.dxr_dir_fd = mkmap(BPF_MAP_TYPE_ARRAY, 4,
			     sizeof(struct dp_fib4_block),
			     DP_FIB4_DXR_DIR_BLOCKS, BPF_F_MMAPABLE);
	m.dxr_range_fd = mkmap(BPF_MAP_TYPE_ARRAY, 4,
			       sizeof(struct dp_fib4_block),
			       m.dxr_range_blocks, BPF_F_MMAPABLE);
	m.dxr6_range_blocks = DP_FIB6_DXR_RANGE_BLOCKS_DEFAULT;
	m.dxr6_dir_fd = mkmap(BPF_MAP_TYPE_ARRAY, 4,
			      sizeof(struct dp_fib4_block),
			      DP_FIB6_DXR_DIR_BLOCKS, BPF_F_MMAPABLE);
	m.dxr6_range_fd = mkmap(BPF_MAP_TYPE_ARRAY, 4,
				sizeof(struct dp_fib6_range_block),
				m.dxr6_range_blocks, BPF_F_MMAPABLE);
	rnd_seed(42);
	if (do_restart) {
		restart(&m, n4, n6);
		return 0;
	}
	fib = dp_fib_open(&m);
	if (!fib) {
		perror("dp_fib_open");
		return 2;
	}
	if (n4)
		bench(fib, &m, n4, false);
	if (n6)
		bench(fib, &m, n6, true);
	dp_fib_close(fib);
	return 0;
}
