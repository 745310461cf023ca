// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ECMP: the resilient bucket tables (dp_nhg_buckets.h) on their own, then
 * flows through a 4-path group at both hooks: spread over every path, the
 * same flow always on the same path (at either hook), and removing a path
 * the way the plugin does moves only that path's flows.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "dp_nhg_buckets.h"
#include "dp_test.h"
#include "tests.h"
#include "topo.h"

#define ECMP_PATHS 4
#define ECMP_FLOWS 2000
#define ECMP_NHG 300

static void test_buckets_random(void);

static void bucket_counts(const uint8_t *bucket, unsigned int *count,
			  unsigned int n)
{
	memset(count, 0, n * sizeof(*count));
	for (int b = 0; b < DP_NHG_BUCKETS; b++)
		if (bucket[b] < n)
			count[bucket[b]]++;
}

/* Every path within one bucket of its share, and at least one bucket. */
static void check_shares(const uint8_t *bucket, const uint32_t *w,
			 unsigned int n)
{
	unsigned int count[DP_NHG_MAX_PATHS], total = 0;
	uint16_t share[DP_NHG_MAX_PATHS];

	bucket_counts(bucket, count, n);
	dp_nhg_buckets_shares(w, n, share);
	for (unsigned int i = 0; i < n; i++) {
		total += count[i];
		T_CHECK(count[i] >= 1 && count[i] + 1 >= share[i] &&
				count[i] <= share[i] + 1u,
			"path %u: %u buckets, share %u", i, count[i], share[i]);
	}
	T_EQ(total, DP_NHG_BUCKETS, "buckets pointing at a valid path");
}

void test_buckets(void)
{
	const uint32_t w4[4] = {1, 1, 1, 1}, wv[4] = {1, 2, 3, 4};
	uint32_t w64[DP_NHG_MAX_PATHS], w0[3] = {0, 0, 0};
	uint8_t bucket[DP_NHG_BUCKETS], before[DP_NHG_BUCKETS];
	unsigned int count[DP_NHG_MAX_PATHS];
	int map[DP_NHG_MAX_PATHS];
	int moved;

	t_begin("buckets: 4 equal paths get 64 buckets each, interleaved");
	T_EQ(dp_nhg_buckets_fill(bucket, w4, 4), 0, "fill");
	bucket_counts(bucket, count, 4);
	for (int i = 0; i < 4; i++)
		T_EQ(count[i], 64, "buckets of a path");
	T_CHECK(bucket[0] != bucket[1] && bucket[1] != bucket[2],
		"neighbouring buckets name different paths");
	t_end();

	/* One bucket each, the other 252 as 25.2 / 50.4 / 75.6 / 100.8,
	 * rounded by largest remainder: 25, 50, 76, 101. */
	t_begin("buckets: weights 1:2:3:4 give 26/51/77/102 buckets");
	T_EQ(dp_nhg_buckets_fill(bucket, wv, 4), 0, "fill");
	bucket_counts(bucket, count, 4);
	T_EQ(count[0], 26, "path 0");
	T_EQ(count[1], 51, "path 1");
	T_EQ(count[2], 77, "path 2");
	T_EQ(count[3], 102, "path 3");
	t_end();

	t_begin("buckets: 64 paths, and weight 0 counts as 1");
	for (int i = 0; i < DP_NHG_MAX_PATHS; i++)
		w64[i] = 1 + (i == 5) * 1000;
	T_EQ(dp_nhg_buckets_fill(bucket, w64, DP_NHG_MAX_PATHS), 0, "fill");
	bucket_counts(bucket, count, DP_NHG_MAX_PATHS);
	for (int i = 0; i < DP_NHG_MAX_PATHS; i++)
		T_CHECK(count[i] >= 1, "path %d has no bucket", i);
	T_EQ(dp_nhg_buckets_fill(bucket, w0, 3), 0, "fill");
	check_shares(bucket, w0, 3);
	T_EQ(dp_nhg_buckets_fill(bucket, w64, DP_NHG_MAX_PATHS + 1), -EINVAL,
	     "fill with too many paths");
	t_end();

	t_begin("buckets: removing a path moves only its buckets");
	for (unsigned int gone = 0; gone < 4; gone++) {
		const uint32_t w3[3] = {1, 1, 1};

		dp_nhg_buckets_fill(bucket, wv, 4);
		memcpy(before, bucket, sizeof(bucket));
		T_EQ(dp_nhg_buckets_remove(bucket, 4, gone, w3), 0, "remove");
		for (int b = 0; b < DP_NHG_BUCKETS; b++) {
			unsigned int old = before[b];

			if (old == gone)
				continue;
			T_CHECK(bucket[b] == old - (old > gone),
				"bucket %d: path %u became %u", b, old,
				bucket[b]);
		}
		bucket_counts(bucket, count, 3);
		T_EQ(count[0] + count[1] + count[2], DP_NHG_BUCKETS, "total");
	}
	dp_nhg_buckets_fill(bucket, w4, 1);
	T_EQ(dp_nhg_buckets_remove(bucket, 1, 0, w4), 0, "remove the last");
	T_EQ(dp_nhg_buckets_remove(bucket, 4, 4, w4), -EINVAL,
	     "remove a path that is not there");
	t_end();

	t_begin("buckets: adding a 5th path takes only its share from the others");
	{
		const uint32_t w5[5] = {1, 1, 1, 1, 1};

		dp_nhg_buckets_fill(bucket, w4, 4);
		memcpy(before, bucket, sizeof(bucket));
		for (int i = 0; i < 4; i++)
			map[i] = i;
		T_EQ(dp_nhg_buckets_update(bucket, map, 4, w5, 5), 0, "update");
		bucket_counts(bucket, count, 5);
		moved = 0;
		for (int b = 0; b < DP_NHG_BUCKETS; b++) {
			moved += bucket[b] != before[b];
			T_CHECK(bucket[b] == before[b] || bucket[b] == 4,
				"bucket %d moved between old paths", b);
		}
		T_EQ(moved, count[4], "moved buckets = the new path's share");
		check_shares(bucket, w5, 5);
	}
	t_end();

	t_begin("buckets: update with a reordered path set follows the paths");
	{
		/* Old paths 0..3 become new 3,2,-,0 (old 2 removed). */
		const int remap[4] = {3, 2, -1, 0};
		const uint32_t wn[4] = {1, 1, 1, 1};

		dp_nhg_buckets_fill(bucket, w4, 4);
		memcpy(before, bucket, sizeof(bucket));
		T_EQ(dp_nhg_buckets_update(bucket, remap, 4, wn, 4), 0,
		     "update");
		for (int b = 0; b < DP_NHG_BUCKETS; b++)
			if (before[b] != 2)
				T_CHECK(bucket[b] == remap[before[b]],
					"bucket %d: old path %u is now %u", b,
					before[b], bucket[b]);
		check_shares(bucket, wn, 4);
	}
	t_end();

	test_buckets_random();
}

/*
 * Random groups (2..64 paths, random weights), as the plugin sees them
 * change: one path removed through dp_nhg_buckets_update(), or one path
 * added. Survivors' buckets must not move on a removal, old paths must not
 * trade buckets on an addition, and every share must stay within one
 * bucket of exact.
 */
static void test_buckets_random(void)
{
	uint32_t w[DP_NHG_MAX_PATHS + 1], w2[DP_NHG_MAX_PATHS];
	uint8_t bucket[DP_NHG_BUCKETS], before[DP_NHG_BUCKETS];
	int map[DP_NHG_MAX_PATHS];
	unsigned int seed = 7;

	t_begin("buckets: 2000 random groups lose a path via update(): only "
		"its buckets move");
	for (int t = 0; t < 2000; t++) {
		unsigned int n = 2 + rand_r(&seed) % (DP_NHG_MAX_PATHS - 1);
		unsigned int gone = rand_r(&seed) % n, j = 0;

		for (unsigned int i = 0; i < n; i++)
			w[i] = 1 + rand_r(&seed) % (t % 2 ? 255 : 4);
		dp_nhg_buckets_fill(bucket, w, n);
		memcpy(before, bucket, sizeof(bucket));
		for (unsigned int i = 0; i < n; i++) {
			map[i] = i == gone ? -1 : (int)j;
			if (i != gone)
				w2[j++] = w[i];
		}
		dp_nhg_buckets_update(bucket, map, n, w2, n - 1);
		for (int b = 0; b < DP_NHG_BUCKETS; b++)
			if (before[b] != gone)
				T_CHECK(bucket[b] == map[before[b]],
					"group %d (%u paths): bucket %d of a "
					"survivor moved",
					t, n, b);
		check_shares(bucket, w2, n - 1);
	}
	t_end();

	t_begin("buckets: 2000 random groups gain a path: only the new path "
		"takes buckets");
	for (int t = 0; t < 2000; t++) {
		unsigned int n = 1 + rand_r(&seed) % (DP_NHG_MAX_PATHS - 1);

		for (unsigned int i = 0; i <= n; i++) {
			w[i] = 1 + rand_r(&seed) % 10;
			map[i] = i;
		}
		dp_nhg_buckets_fill(bucket, w, n);
		memcpy(before, bucket, sizeof(bucket));
		dp_nhg_buckets_update(bucket, map, n, w, n + 1);
		for (int b = 0; b < DP_NHG_BUCKETS; b++)
			T_CHECK(bucket[b] == before[b] || bucket[b] == n,
				"group %d: bucket %d moved between old paths",
				t, b);
		check_shares(bucket, w, n + 1);
	}
	t_end();

	t_begin("buckets: a raised weight takes buckets only for that path");
	{
		uint32_t w4[4] = {1, 1, 1, 1};

		for (int i = 0; i < 4; i++)
			map[i] = i;
		dp_nhg_buckets_fill(bucket, w4, 4);
		memcpy(before, bucket, sizeof(bucket));
		w4[0] = 3;
		dp_nhg_buckets_update(bucket, map, 4, w4, 4);
		for (int b = 0; b < DP_NHG_BUCKETS; b++)
			T_CHECK(bucket[b] == before[b] || bucket[b] == 0,
				"bucket %d moved to path %u", b, bucket[b]);
		check_shares(bucket, w4, 4);
	}
	t_end();
}

/* Flow i: its own source address and port, TCP to a routed prefix. */
static void ecmp_flow4(struct tpkt *p, int i)
{
	char src[INET_ADDRSTRLEN];

	snprintf(src, sizeof(src), "10.%d.%d.%d", (i >> 16) & 0xff,
		 (i >> 8) & 0xff, i & 0xff);
	tpkt_ipv4(p, src, "198.51.50.1", IPPROTO_TCP, 1024 + i * 7, 443, 0);
}

static void ecmp_flow6(struct tpkt *p, int i)
{
	char src[INET6_ADDRSTRLEN];

	snprintf(src, sizeof(src), "2001:db8:a::%x", i);
	tpkt_ipv6(p, src, "2001:db8:50::1", IPPROTO_UDP, 1024 + i, 53, 0);
}

/* The path (tag) a hook sends the packet to, or -1. */
static int ecmp_path(struct harness *h, enum dp_hook hook, const struct tpkt *p)
{
	struct h_result r;

	h_run(h, hook, p, &r);
	if (r.err || r.verdict != h_verdict_fwd(hook))
		return -1;
	return h_out_tag(&r);
}

static void ecmp_spread(struct harness *h, const char *what,
			void (*flow)(struct tpkt *, int), int n_flows,
			int *path_of)
{
	int per_path[ECMP_PATHS] = {0};
	struct tpkt p;

	t_begin("ecmp: %d %s flows reach all %d paths, same path at both "
		"hooks and on every run",
		n_flows, what, ECMP_PATHS);
	for (int i = 0; i < n_flows; i++) {
		int x, t, again;

		flow(&p, i);
		x = ecmp_path(h, DP_HOOK_XDP, &p);
		t = ecmp_path(h, DP_HOOK_TC, &p);
		again = ecmp_path(h, DP_HOOK_XDP, &p);
		if (!T_CHECK(x >= 1 && x <= ECMP_PATHS, "flow %d: path %d", i,
			     x))
			continue;
		T_CHECK(t == x && again == x, "flow %d: xdp %d, tc %d, xdp %d",
			i, x, t, again);
		per_path[x - 1]++;
		if (path_of)
			path_of[i] = x;
	}
	/* 2000 flows: 500 expected per path, sd 19; 0.8x is ~5 sd away. */
	for (int k = 0; k < ECMP_PATHS; k++)
		T_CHECK(per_path[k] >= n_flows / ECMP_PATHS * 8 / 10,
			"path %d got %d of %d flows", k + 1, per_path[k],
			n_flows);
	t_end();
}

void test_ecmp(struct harness *h)
{
	struct dp_nhg *nhg = calloc(1, sizeof(*nhg));
	uint32_t weights[ECMP_PATHS - 1] = {1, 1, 1};
	int *path_of = calloc(ECMP_FLOWS, sizeof(int));
	int moved_to[ECMP_PATHS + 1] = {0};
	const int gone = 2; /* index of the removed path (tag 3) */
	struct dp_path paths[ECMP_PATHS];
	struct tpkt p;

	topo_setup(h);
	for (int k = 0; k < ECMP_PATHS; k++)
		paths[k] = h_path(H_OUT_IFINDEX + k, k + 1,
				  DP_PATH_F_RESOLVED | DP_PATH_F_GW, 1500);
	h_nhg(h, ECMP_NHG, paths, ECMP_PATHS);
	h_route4(h, "198.51.50.0/24", DP_RT_NHG, ECMP_NHG);
	h_route6(h, "2001:db8:50::/48", DP_RT_NHG, ECMP_NHG);

	ecmp_spread(h, "ipv4 tcp", ecmp_flow4, ECMP_FLOWS, path_of);
	ecmp_spread(h, "ipv6 udp", ecmp_flow6, ECMP_FLOWS / 2, NULL);

	/* Fragments of one datagram: same path for the first and the rest. */
	t_begin("ecmp: all fragments of a datagram take one path");
	for (int i = 0; i < 200; i++) {
		int first, later;

		ecmp_flow4(&p, i);
		tpkt_ip4(&p)->frag_off = htons(0x2000);
		tpkt_ipv4_fix_csum(&p);
		first = ecmp_path(h, DP_HOOK_XDP, &p);
		tpkt_ip4(&p)->frag_off = htons(100);
		memset(tpkt_l4(&p), 0xa5, 20); /* no L4 header in this one */
		tpkt_ipv4_fix_csum(&p);
		later = ecmp_path(h, DP_HOOK_TC, &p);
		T_CHECK(first >= 1 && first == later,
			"datagram %d: first fragment on %d, later on %d", i,
			first, later);
	}
	t_end();

	/* Remove path index 2 as the plugin does: buckets, then paths[]. */
	h_nhg_get(h, ECMP_NHG, nhg);
	dp_nhg_buckets_remove(nhg->bucket, ECMP_PATHS, gone, weights);
	memmove(&nhg->paths[gone], &nhg->paths[gone + 1],
		(ECMP_PATHS - gone - 1) * sizeof(nhg->paths[0]));
	nhg->n_paths = ECMP_PATHS - 1;
	nhg->seq++;
	h_nhg_put(h, ECMP_NHG, nhg);

	t_begin("ecmp: after removing path %d, every other flow keeps its path",
		gone + 1);
	for (int i = 0; i < ECMP_FLOWS; i++) {
		int now;

		ecmp_flow4(&p, i);
		now = ecmp_path(h, hooks[i % DP_HOOK_MAX], &p);
		if (path_of[i] != gone + 1) {
			T_CHECK(now == path_of[i],
				"flow %d moved from %d to %d", i, path_of[i],
				now);
			continue;
		}
		T_CHECK(now >= 1 && now != gone + 1,
			"flow %d of the removed path now on %d", i, now);
		if (now >= 1 && now <= ECMP_PATHS)
			moved_to[now]++;
	}
	for (int k = 1; k <= ECMP_PATHS; k++)
		if (k != gone + 1)
			T_CHECK(moved_to[k] > 0,
				"no flow of the removed path went to path %d",
				k);
	t_end();

	free(path_of);
	free(nhg);
}
