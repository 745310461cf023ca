// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The measuring half of bench/failover.sh: takes a link down and watches,
 * in the nh_map a running zebra's plugin has pinned, when the nexthop
 * groups through that link stop using it.
 *
 * It finds every group with a path out of --dead-ifindex and at least one
 * other path, clears IFF_UP on --dev in namespace --netns (the far end of
 * the link: the router's interface loses its carrier, as when a cable is
 * pulled), and then reads those groups in a loop for --watch seconds,
 * timestamping every rewrite (the group's seq changes) from just before
 * the ioctl. The datapath reads nh_map for every packet, so once no
 * bucket of a group names a path on the dead link, no packet uses it.
 *
 * Prints one line per rewrite, then a summary line:
 *   failover groups=N survivor_us=T survivor_min_us=T first_write_us=T writes=W
 * (survivor: microseconds until every watched group avoided the dead
 * link, as seen by the poll that saw it, and by the poll before it, so
 * the change happened in between: a poll can be late when this process
 * loses its CPU; first_write: until the first rewrite; W: rewrites of the
 * watched groups in the window, all of them together).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bench.h"
#include "dp_abi.h"

#define FO_GROUPS_MAX 64

struct fo_group {
	uint32_t id;
	uint32_t seq;
	bool clean; /* no bucket names a path on the dead link */
};

static struct dp_nhg fo_val; /* 2.5 KiB */

static bool fo_uses(const struct dp_nhg *g, uint32_t ifindex)
{
	unsigned int b;

	if (g->n_paths == 0)
		return false;
	if (g->n_paths == 1)
		return g->paths[0].ifindex == ifindex;
	for (b = 0; b < DP_NHG_BUCKETS; b++) {
		uint8_t i = g->bucket[b];

		if (i < g->n_paths && g->paths[i].ifindex == ifindex)
			return true;
	}
	return false;
}

/* " ifindex(resolved|unresolved)..." */
static void fo_print_paths(const struct dp_nhg *g)
{
	int p;

	for (p = 0; p < g->n_paths && p < DP_NHG_MAX_PATHS; p++)
		printf(" %u(%s)", g->paths[p].ifindex,
		       g->paths[p].flags & DP_PATH_F_RESOLVED ? "resolved"
							      : "unresolved");
}

/* Groups that use the dead link and have another path to fail over to;
 * *all: every group with a path on the dead link, and *total: groups. */
static int fo_find(int fd, uint32_t dead, struct fo_group *grp, int *all,
		   int *total)
{
	uint32_t key, next, *prev = NULL;
	int n = 0, p;

	*all = *total = 0;
	while (n < FO_GROUPS_MAX && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &fo_val))
			continue;
		(*total)++;
		for (p = 0; p < fo_val.n_paths && p < DP_NHG_MAX_PATHS; p++)
			if (fo_val.paths[p].ifindex == dead)
				break;
		if (p == fo_val.n_paths)
			continue;
		(*all)++;
		if (fo_val.n_paths < 2 || !fo_uses(&fo_val, dead))
			continue;
		grp[n].id = key;
		grp[n].seq = fo_val.seq;
		grp[n].clean = false;
		n++;
	}
	return n;
}

static void fo_link_down(const char *netns, const char *dev)
{
	struct ifreq ifr = {};
	int s;

	bn_netns_enter(netns);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr))
		bn_die("%s: %s", dev, strerror(errno));
	ifr.ifr_flags &= ~IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		bn_die("%s down: %s", dev, strerror(errno));
	close(s);
	bn_netns_enter(NULL);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: failover_probe --nh-map PIN --dead-ifindex N --netns NS --dev DEV [--watch S]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"nh-map", required_argument, NULL, 'm'},
		{"dead-ifindex", required_argument, NULL, 'i'},
		{"netns", required_argument, NULL, 'n'},
		{"dev", required_argument, NULL, 'd'},
		{"watch", required_argument, NULL, 'w'},
		{},
	};
	const char *pin = NULL, *netns = NULL, *dev = NULL;
	struct fo_group grp[FO_GROUPS_MAX];
	uint64_t t0, now, prev, end, first = 0, survivor = 0, survivor_min = 0;
	uint32_t dead = 0, writes = 0;
	double watch = 2;
	int fd, n, i, c, all, total, clean = 0;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			pin = optarg;
			break;
		case 'i':
			dead = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			netns = optarg;
			break;
		case 'd':
			dev = optarg;
			break;
		case 'w':
			watch = atof(optarg);
			break;
		default:
			usage();
		}
	}
	if (!pin || !dead || !netns || !dev || watch <= 0)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	prctl(PR_SET_TIMERSLACK, 1000); /* 1 us: wake when asked */

	fd = bpf_obj_get(pin);
	if (fd < 0)
		bn_die("%s: %s", pin, strerror(errno));
	n = fo_find(fd, dead, grp, &all, &total);
	if (!n)
		bn_die("no nexthop group in %s fails over from ifindex %u", pin,
		       dead);
	printf("nh_map: %d groups, %d with a path on the dead link, %d of them with another path (watched)\n",
	       total, all, n);

	t0 = bn_now_ns();
	fo_link_down(netns, dev);
	prev = bn_now_ns();
	printf("+0.0..%.1f us link down (the ioctl)\n", (prev - t0) / 1e3);
	end = t0 + (uint64_t)(watch * 1e9);
	while ((now = bn_now_ns()) < end) {
		for (i = 0; i < n; i++) {
			if (bpf_map_lookup_elem(fd, &grp[i].id, &fo_val)) {
				printf("+%.1f us group %u deleted\n",
				       (now - t0) / 1e3, grp[i].id);
				grp[i].id = 0;
			}
			if (!grp[i].id || fo_val.seq == grp[i].seq)
				continue;
			writes += fo_val.seq - grp[i].seq;
			grp[i].seq = fo_val.seq;
			if (!first)
				first = now - t0;
			printf("+%.1f..%.1f us group %u rewritten: seq %u, paths",
			       (prev - t0) / 1e3, (now - t0) / 1e3, grp[i].id,
			       fo_val.seq);
			fo_print_paths(&fo_val);
			printf("%s\n", fo_uses(&fo_val, dead)
						? ", still uses the dead link"
						: "");
			if (!grp[i].clean && !fo_uses(&fo_val, dead)) {
				grp[i].clean = true;
				if (++clean == n) {
					survivor = now - t0;
					survivor_min = prev - t0;
				}
			}
		}
		prev = now;
		/*
		 * Sleep between polls rather than spin: a spinning poller is
		 * what the scheduler preempts for milliseconds on a busy
		 * machine, a sleeper is woken on time. Finer for the first
		 * 100 ms.
		 */
		usleep(now - t0 < 100000000ull ? 20 : 500);
	}
	printf("failover groups=%d survivor_us=%.1f survivor_min_us=%.1f first_write_us=%.1f writes=%u\n",
	       n, survivor ? survivor / 1e3 : -1.0,
	       survivor ? survivor_min / 1e3 : -1.0, first ? first / 1e3 : -1.0,
	       writes);
	return survivor ? 0 : 1;
}
