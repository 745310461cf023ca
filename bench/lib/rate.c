// SPDX-License-Identifier: GPL-2.0-or-later
/* The rate benchmarks' topology and clock (rate.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>

#include "bench.h"
#include "rate.h"

const uint8_t bn_rate_gen_mac[6] = {0x02, 0, 0, 0, 0x01, 0x01};
const uint8_t bn_rate_rtr_in_mac[6] = {0x02, 0, 0, 0, 0x01, 0x02};
const uint8_t bn_rate_rtr_out_mac[6] = {0x02, 0, 0, 0, 0x02, 0x01};
const uint8_t bn_rate_sink_mac[6] = {0x02, 0, 0, 0, 0x02, 0x02};

static const char *const rate_setup_cmds[] = {
	"ip link add bn_g0 netns bn_gen address 02:00:00:00:01:01 type veth "
	"peer name bn_r0 netns bn_rtr address 02:00:00:00:01:02",
	"ip link add bn_r1 netns bn_rtr address 02:00:00:00:02:01 type veth "
	"peer name bn_s0 netns bn_sink address 02:00:00:00:02:02",
	/* no IPv6 autoconfiguration chatter in the counts */
	"for n in bn_gen bn_rtr bn_sink; do ip netns exec $n sysctl -qw "
	"net.ipv6.conf.all.disable_ipv6=1 net.ipv4.conf.all.rp_filter=0 "
	"net.ipv4.conf.default.rp_filter=0 || exit 1; done",
	"ip -n bn_gen addr add 10.1.0.2/24 dev bn_g0",
	"ip -n bn_rtr addr add 10.1.0.1/24 dev bn_r0",
	"ip -n bn_rtr addr add 10.2.0.1/24 dev bn_r1",
	"ip -n bn_sink addr add 10.2.0.2/24 dev bn_s0",
	"ip -n bn_gen link set bn_g0 up && ip -n bn_rtr link set bn_r0 up && "
	"ip -n bn_rtr link set bn_r1 up && ip -n bn_sink link set bn_s0 up",
	/* frames XDP_TX'd into a veth need NAPI on the peer: an XDP
	 * program, or GRO when (kernel mode) there is none */
	"ip netns exec bn_rtr ethtool -K bn_r0 gro on >/dev/null",
	"ip netns exec bn_rtr sh -c 'echo 1 > /sys/class/net/bn_r0/threaded'",
	"ip netns exec bn_sink ethtool -K bn_s0 gro on >/dev/null",
	"ip netns exec bn_sink sh -c 'echo 1 > /sys/class/net/bn_s0/threaded'",
	"ip -n bn_rtr neigh add 10.2.0.2 lladdr 02:00:00:00:02:02 dev bn_r1 "
	"nud permanent",
	"ip -n bn_rtr nexthop add id 10 via 10.2.0.2 dev bn_r1",
};

void bn_rate_topo_setup(struct bn_rate_topo *t)
{
	size_t i;

	bn_netns_add("bn_gen");
	bn_netns_add("bn_rtr");
	bn_netns_add("bn_sink");
	for (i = 0; i < sizeof(rate_setup_cmds) / sizeof(rate_setup_cmds[0]);
	     i++)
		bn_shf("%s", rate_setup_cmds[i]);
	t->g0 = bn_ifindex("bn_gen", "bn_g0");
	t->r0 = bn_ifindex("bn_rtr", "bn_r0");
	t->r1 = bn_ifindex("bn_rtr", "bn_r1");
	t->s0 = bn_ifindex("bn_sink", "bn_s0");
}

int bn_ifindex(const char *ns, const char *dev)
{
	int idx;

	bn_netns_enter(ns);
	idx = if_nametoindex(dev);
	bn_netns_enter(NULL);
	if (!idx)
		bn_die("%s in %s: %s", dev, ns, strerror(errno));
	return idx;
}

uint64_t bn_percpu_sum(int fd)
{
	int ncpus = libbpf_num_possible_cpus(), i;
	uint64_t v[ncpus > 0 ? ncpus : 1], sum = 0;
	uint32_t zero = 0;

	if (ncpus <= 0 || bpf_map_lookup_elem(fd, &zero, v))
		bn_die("read counter: %s", strerror(errno));
	for (i = 0; i < ncpus; i++)
		sum += v[i];
	return sum;
}

int bn_rate_pin_napi(int cpu)
{
	return bn_napi_pin("bn_r0", cpu);
}

int bn_napi_pin(const char *dev, int cpu)
{
	size_t dlen = strlen(dev);
	char path[300], comm[64];
	struct dirent *de;
	cpu_set_t set;
	int pid = 0;
	DIR *d = opendir("/proc");
	FILE *f;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    !strncmp(comm, "napi/", 5) &&
		    !strncmp(comm + 5, dev, dlen) && comm[5 + dlen] == '-') {
			if (sched_setaffinity(atoi(de->d_name), sizeof(set),
					      &set))
				bn_die("pin napi thread: %s", strerror(errno));
			pid = atoi(de->d_name);
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return pid;
}

/*
 * The sink's receive work would otherwise run in softirq on the CPU that
 * sent it, the router's, and take a share of the CPU being measured: its
 * NAPI thread goes to another CPU (the generator's), at a real-time
 * priority so that the generator never delays its counting.
 */
static void rate_sink_away(int cpu_rtr)
{
	struct sched_param sp = {.sched_priority = 1};
	int pid = bn_napi_pin("bn_s0", cpu_rtr ? 0 : 1);

	if (!pid)
		bn_die("no NAPI thread for bn_s0 (threaded NAPI on veth?)");
	if (sched_setscheduler(pid, SCHED_FIFO, &sp))
		bn_die("sink NAPI thread priority: %s", strerror(errno));
}

int bn_rate_router_fwd(const struct bn_rate_topo *t, int prog_fd,
		       int cpu_rtr, bool kernel_fwd)
{
	int pid;

	bn_netns_enter("bn_rtr");
	bn_shf("sysctl -qw net.ipv4.conf.all.forwarding=%d", kernel_fwd);
	if (prog_fd >= 0) {
		if (bpf_xdp_attach(t->r0, prog_fd, XDP_FLAGS_DRV_MODE, NULL))
			bn_die("attach datapath: %s", strerror(errno));
	} else {
		bpf_xdp_detach(t->r0, XDP_FLAGS_DRV_MODE, NULL);
	}
	bn_netns_enter(NULL);
	pid = bn_rate_pin_napi(cpu_rtr);
	if (!pid)
		bn_die("no NAPI thread for bn_r0 (threaded NAPI on veth?)");
	rate_sink_away(cpu_rtr);
	usleep(100000);
	return pid;
}

int bn_rate_router(const struct bn_rate_topo *t, int prog_fd, int cpu_rtr)
{
	return bn_rate_router_fwd(t, prog_fd, cpu_rtr, prog_fd < 0);
}

uint64_t bn_kernel_forwarded(const char *ns)
{
	char head[1024], vals[1024], *hs, *vs, *h, *v;
	unsigned long long n = 0;
	FILE *f;

	bn_netns_enter(ns);
	f = fopen("/proc/net/snmp", "r");
	bn_netns_enter(NULL);
	if (!f)
		bn_die("/proc/net/snmp: %s", strerror(errno));
	/* "Ip: Forwarding ... ForwDatagrams ..." then a line of values */
	while (fgets(head, sizeof(head), f) && fgets(vals, sizeof(vals), f)) {
		if (strncmp(head, "Ip:", 3))
			continue;
		h = strtok_r(head, " \n", &hs);
		v = strtok_r(vals, " \n", &vs);
		while (h && v && strcmp(h, "ForwDatagrams")) {
			h = strtok_r(NULL, " \n", &hs);
			v = strtok_r(NULL, " \n", &vs);
		}
		if (h && v)
			n = strtoull(v, NULL, 10);
		break;
	}
	fclose(f);
	return n;
}

void bn_rate_sink_attach(const struct bn_rate_topo *t, int prog_fd)
{
	bn_netns_enter("bn_sink");
	if (bpf_xdp_attach(t->s0, prog_fd, XDP_FLAGS_DRV_MODE, NULL))
		bn_die("attach sink: %s", strerror(errno));
	bn_netns_enter(NULL);
}

double bn_thread_cpu_time(int pid)
{
	unsigned long long ut, st;
	char path[64], buf[1024], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		bn_die("read %s: %s", path, strerror(errno));
	fclose(f);
	/* fields 14 and 15, counted after the parenthesised name */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		bn_die("parse %s", path);
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

/* CPU cpu's busy and total time from /proc/stat, in ticks. */
static void rate_cpu_ticks(int cpu, double *busy, double *total)
{
	unsigned long long v[8] = {0};
	char line[512], name[16];
	FILE *f = fopen("/proc/stat", "r");

	snprintf(name, sizeof(name), "cpu%d ", cpu);
	*busy = *total = 0;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, strlen(name)) &&
		    sscanf(line + strlen(name), "%llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7]) == 8)
			break;
	if (f)
		fclose(f);
	for (int i = 0; i < 8; i++)
		*total += v[i];
	*busy = *total - v[3] - v[4]; /* idle, iowait */
}

/*
 * Each live-frames BPF_PROG_TEST_RUN call ends waiting in the kernel
 * (synchronize_rcu while it tears its page pool down), a wait as long as
 * a sizeable part of the call: one generator alone leaves the router idle
 * for it, in bursts. RATE_GEN_THREADS callers on the generator's CPU take
 * turns, one sending while the other waits, so frames arrive without gaps.
 */
#define RATE_GEN_THREADS 2

struct rate_gen {
	int fd;
	struct xdp_md ctx;
	const struct bn_pkt *frame;
	uint64_t end;
	int err;
};

static void *rate_gen_loop(void *arg)
{
	struct rate_gen *g = arg;

	do {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = g->frame->buf,
			    .data_size_in = g->frame->len, .ctx_in = &g->ctx,
			    .ctx_size_in = sizeof(g->ctx), .repeat = 1 << 18,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
			    .batch_size = 256);

		if (bpf_prog_test_run_opts(g->fd, &o)) {
			g->err = errno;
			return NULL;
		}
	} while (bn_now_ns() < g->end);
	return NULL;
}

struct bn_rate_sample bn_rate_generate(int gen_fd, int gen_count,
				       int sink_count, int ifindex,
				       const struct bn_pkt *frame,
				       int napi_pid, double seconds)
{
	struct rate_gen g[RATE_GEN_THREADS];
	pthread_t tid[RATE_GEN_THREADS];
	uint64_t g0, s0, g1, s1, t0, t1, end;
	struct bn_rate_sample s;
	double c0, c1, b0, b1, a0, a1;
	int rcpu = -1, i;
	cpu_set_t set;

	/* the router's CPU: where its thread is pinned */
	if (!sched_getaffinity(napi_pid, sizeof(set), &set))
		for (i = 0; i < CPU_SETSIZE && rcpu < 0; i++)
			if (CPU_ISSET(i, &set))
				rcpu = i;
	rate_cpu_ticks(rcpu, &b0, &a0);
	g0 = bn_percpu_sum(gen_count);
	s0 = bn_percpu_sum(sink_count);
	c0 = bn_thread_cpu_time(napi_pid);
	t0 = bn_now_ns();
	end = t0 + (uint64_t)(seconds * 1e9);
	/* the threads inherit this thread's namespace and CPU */
	for (i = 0; i < RATE_GEN_THREADS; i++) {
		g[i] = (struct rate_gen){
			.fd = gen_fd,
			.ctx = {.data_end = frame->len,
				.ingress_ifindex = ifindex},
			.frame = frame,
			.end = end,
		};
		if (pthread_create(&tid[i], NULL, rate_gen_loop, &g[i]))
			bn_die("generator: cannot start a thread");
	}
	for (i = 0; i < RATE_GEN_THREADS; i++) {
		pthread_join(tid[i], NULL);
		if (g[i].err)
			bn_die("generator: %s", strerror(g[i].err));
	}
	t1 = bn_now_ns();
	g1 = bn_percpu_sum(gen_count);
	/* the CPU over the sending time only: the wait below is idle */
	c1 = bn_thread_cpu_time(napi_pid);
	rate_cpu_ticks(rcpu, &b1, &a1);
	usleep(20000); /* what is still in the rings */
	s1 = bn_percpu_sum(sink_count);
	s.core_busy = a1 > a0 ? (b1 - b0) / (a1 - a0) : 0;
	s.rtr_cpu = (c1 - c0) / ((t1 - t0) / 1e9);
	s.offered = (g1 - g0) / ((t1 - t0) / 1e9);
	s.forwarded = (s1 - s0) / ((t1 - t0) / 1e9);
	return s;
}
