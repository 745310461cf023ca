// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/health: do the load balancer's health checks hold up zebra?
 *
 * frr-plugin/lb/lb_health.c runs its checks on a pthread of its own and
 * reports to zebra's main pthread by events. This program stands in for
 * zebra: its main pthread runs a thread_master of its own, calls
 * lb_health_set() as the configuration side will, and takes the
 * changed() callbacks, while it measures its own responsiveness: how late
 * a 1 ms timer fires, again and again. Same run, in rounds (load from
 * elsewhere on the machine then weighs on both phases alike):
 *
 *   baseline   the timer alone (before and after each checking phase)
 *   checking   N backends checked every INTERVAL ms (four VIPs or more,
 *              at most 250 backends each), from lb_health_set() to
 *              lb_health_fini(), so the start (every answering backend
 *              comes up and is reported) is part of it
 *
 * FRR's event loop polls with a timeout in whole milliseconds and spins
 * through the last fraction of one: a 1 ms timer keeps the main pthread
 * about half busy in both phases.
 *
 * The backends are addresses on one veth peer in namespace bn_hc_s,
 * reached through it as a gateway: the even ones are held by it and
 * answer (a TCP listener on port 80, which also answers HTTP, or the
 * kernel's ICMP echo), the odd ones are blackholed there, so each of
 * their checks waits for its whole timeout, holding a socket. (Not a
 * connected subnet: a thousand neighbour entries would crowd the kernel's
 * neighbour table, whose gc_thresh3 (1024) is shared by all namespaces.)
 * The checker runs in bn_hc_c with RLIMIT_NOFILE 1024, as Debian's
 * frr.service gives zebra.
 *
 * Reported per phase: the timer's lateness (median, 99th percentile,
 * maximum, in microseconds), the main pthread's CPU, and for the checker
 * the health pthread's CPU (from /proc/self/task/TID/stat), the checks
 * done against those due, those that waited for a socket, and the
 * longest lb_health_set() call. Exits 1 if fewer than 90 % of the checks
 * due ran or the answering backends did not all come up.
 */
#include "config.h"

#include <getopt.h>
#include <sys/resource.h>

#include "lib/zebra.h"
#include "lib/frr_pthread.h"
#include "lib/memory.h"
#include "lib/privs.h"
#include "lib/thread.h"

#include "bench.h"
#include "core/dp_plugin.h"
#include "lb/lb_health.h"

/* What lb_health.c takes from the rest of the module (core/dp_plugin.h). */
DEFINE_MGROUP(EBPF, "frr-ebpf plugin");
bool dp_debug;
struct zebra_privs_t *dp_privs(void)
{
	return NULL; /* root already */
}

#define HB_NS_C "bn_hc_c"
#define HB_NS_S "bn_hc_s"
#define HB_PER_VIP 250
#define HB_TICK_MS 1
#define HB_NOFILE 1024

struct hb_opts {
	uint32_t backends;
	uint32_t interval_ms;
	uint32_t seconds;
	uint32_t baseline;
	uint32_t rounds;
	enum lb_hc_type type;
};

struct hb_phase {
	double *late; /* microseconds */
	size_t n, cap;
	uint64_t main_cpu_ns;
};

static struct thread_master *m;
static struct thread *t_tick, *t_end;
static struct hb_phase *cur;
static int64_t tick_due_us;
static bool phase_done;
static int ups, downs;
static _Atomic bool srv_stop;

static int64_t hb_now_us(void)
{
	return bn_now_ns() / 1000;
}

static uint64_t hb_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ------------------------------------------------ the main pthread probe */

static void hb_tick(struct thread *t)
{
	int64_t now = hb_now_us();

	if (cur->n == cur->cap) {
		cur->cap = cur->cap ? 2 * cur->cap : 65536;
		cur->late = realloc(cur->late, cur->cap * sizeof(double));
	}
	cur->late[cur->n++] = now - tick_due_us;
	tick_due_us = now + HB_TICK_MS * 1000;
	thread_add_timer_msec(m, hb_tick, NULL, HB_TICK_MS, &t_tick);
}

static void hb_end(struct thread *t)
{
	phase_done = true;
}

/* Run the main pthread's loop for ms, timing the probe into ph. */
static void hb_run(struct hb_phase *ph, uint32_t ms)
{
	uint64_t cpu = hb_cpu_ns();
	struct thread task;

	cur = ph;
	phase_done = false;
	tick_due_us = hb_now_us() + HB_TICK_MS * 1000;
	thread_add_timer_msec(m, hb_tick, NULL, HB_TICK_MS, &t_tick);
	thread_add_timer_msec(m, hb_end, NULL, ms, &t_end);
	while (!phase_done && thread_fetch(m, &task))
		thread_call(&task);
	THREAD_OFF(t_tick);
	ph->main_cpu_ns += hb_cpu_ns() - cpu;
}

static void hb_changed(const char *vip, const struct lb_hc_backend *be,
		       bool up)
{
	if (up)
		ups++;
	else
		downs++;
}

/* --------------------------------------------------------- the servers */

static void hb_addr(uint32_t i, char *buf, size_t len)
{
	snprintf(buf, len, "198.19.%u.%u", 1 + i / 200, 1 + i % 200);
}

/* Accepts and answers on port 80 in bn_hc_s: an HTTP 200 when asked,
 * else just the accept (a TCP check closes with a reset). */
static void *hb_server(void *arg)
{
	static const char ok[] =
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(80) };
	struct pollfd pfd = { .events = POLLIN };
	int one = 1;

	bn_netns_enter(HB_NS_S);
	pfd.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(pfd.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(pfd.fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(pfd.fd, 4096))
		bn_die("server: %s", strerror(errno));
	while (!srv_stop) {
		char buf[512];
		struct timeval tv = { .tv_usec = 100000 };
		int fd;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		fd = accept4(pfd.fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (recv(fd, buf, sizeof(buf), 0) > 0)
			send(fd, ok, sizeof(ok) - 1, MSG_NOSIGNAL);
		close(fd);
	}
	close(pfd.fd);
	return NULL;
}

static void hb_topology(uint32_t backends)
{
	char a[32];
	FILE *ip;

	bn_netns_add(HB_NS_C);
	bn_netns_add(HB_NS_S);
	bn_shf("ip -n %s link add hcb0 type veth peer name hcb1 netns %s",
	       HB_NS_C, HB_NS_S);
	bn_shf("ip -n %s addr add 198.18.255.1/30 dev hcb0", HB_NS_C);
	bn_shf("ip -n %s addr add 198.18.255.2/30 dev hcb1", HB_NS_S);
	bn_shf("ip -n %s route add blackhole 198.19.0.0/16", HB_NS_S);
	bn_netns_enter(HB_NS_S);
	ip = bn_ip_batch_open();
	for (uint32_t i = 0; i < backends; i += 2) {
		hb_addr(i, a, sizeof(a));
		fprintf(ip, "addr add %s/32 dev hcb1\n", a);
	}
	bn_ip_batch_close(ip);
	bn_netns_enter(NULL);
	bn_shf("ip -n %s link set hcb0 up && ip -n %s link set hcb1 up",
	       HB_NS_C, HB_NS_S);
	bn_shf("ip -n %s route add 198.19.0.0/16 via 198.18.255.2", HB_NS_C);
	bn_shf("ip netns exec %s ping -q -c1 -w5 198.18.255.2 >/dev/null",
	       HB_NS_C);
}

/* ------------------------------------------------------------- reading */

/* utime + stime of a task, in ns. */
static uint64_t hb_task_cpu_ns(int tid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		bn_die("%s: cannot read", path);
	fclose(f);
	/* after the command's closing parenthesis: state is field 3 */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		bn_die("%s: cannot parse", path);
	return (ut + st) * (1000000000ull / sysconf(_SC_CLK_TCK));
}

static void hb_print(const char *name, struct hb_phase *ph, double seconds,
		     double extra_cpu_pct)
{
	struct bn_stat s = bn_stat_of(ph->late, ph->n);
	double p99 = ph->n ? ph->late[(size_t)(ph->n * 0.99)] : 0;
	char cpu[16] = "-";

	if (extra_cpu_pct >= 0)
		snprintf(cpu, sizeof(cpu), "%.1f", extra_cpu_pct);
	printf("%-10s %8zu %10.1f %8.0f %9.0f %10.1f %12s\n", name, ph->n,
	       s.med, p99, s.max, ph->main_cpu_ns / 1e7 / seconds, cpu);
}

/* ----------------------------------------------------------------- main */

static void hb_usage(void)
{
	fprintf(stderr,
		"usage: bench/health [--backends N] [--interval MS] [--seconds S] [--baseline S] [--rounds R] [--type tcp|http|icmp]\n");
	exit(2);
}

static void hb_opts_parse(int argc, char **argv, struct hb_opts *o)
{
	static const struct option lo[] = {
		{ "backends", required_argument, NULL, 'b' },
		{ "interval", required_argument, NULL, 'i' },
		{ "seconds", required_argument, NULL, 's' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "type", required_argument, NULL, 't' },
		{}
	};
	int c;

	*o = (struct hb_opts){ .backends = 1000,
			       .interval_ms = 1000,
			       .seconds = 20,
			       .baseline = 10,
			       .rounds = 4,
			       .type = LB_HC_TCP };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->backends = bn_parse_count(optarg);
			break;
		case 'i':
			o->interval_ms = atoi(optarg);
			break;
		case 's':
			o->seconds = atoi(optarg);
			break;
		case 'B':
			o->baseline = atoi(optarg);
			break;
		case 'r':
			o->rounds = atoi(optarg);
			break;
		case 't':
			if (!strcmp(optarg, "tcp"))
				o->type = LB_HC_TCP;
			else if (!strcmp(optarg, "http"))
				o->type = LB_HC_HTTP;
			else if (!strcmp(optarg, "icmp"))
				o->type = LB_HC_ICMP;
			else
				hb_usage();
			break;
		default:
			hb_usage();
		}
	}
	if (!o->backends || o->backends > 40000 || !o->interval_ms ||
	    !o->seconds || !o->baseline || !o->rounds)
		hb_usage();
}

/* The backends, HB_PER_VIP to a VIP; the longest set() in us, wall and
 * CPU (the main pthread may lose its core in the middle of one). */
static void hb_configure(const struct hb_opts *o, double *wall, double *cpu)
{
	struct lb_hc_params p = { .type = o->type,
				  .interval_ms = o->interval_ms,
				  .rise = 2,
				  .fall = 2,
				  .port = 80 };
	struct lb_hc_backend *be = calloc(HB_PER_VIP, sizeof(*be));

	strlcpy(p.http_path, "/", sizeof(p.http_path));
	for (uint32_t v = 0; v * HB_PER_VIP < o->backends; v++) {
		uint32_t n = MIN(HB_PER_VIP, o->backends - v * HB_PER_VIP);
		char name[16], a[32];
		uint64_t c0;
		int64_t t0;

		for (uint32_t j = 0; j < n; j++) {
			hb_addr(v * HB_PER_VIP + j, a, sizeof(a));
			be[j].family = AF_INET;
			inet_pton(AF_INET, a, be[j].addr);
		}
		snprintf(name, sizeof(name), "vip%u", v);
		t0 = hb_now_us();
		c0 = hb_cpu_ns();
		lb_health_set(name, &p, be, n);
		*cpu = MAX(*cpu, (hb_cpu_ns() - c0) / 1e3);
		*wall = MAX(*wall, (double)(hb_now_us() - t0));
	}
	free(be);
}

int main(int argc, char **argv)
{
	static const char *const types[] = { [LB_HC_TCP] = "tcp",
					     [LB_HC_HTTP] = "http",
					     [LB_HC_ICMP] = "icmp" };
	struct rlimit rl = { .rlim_cur = HB_NOFILE };
	struct hb_phase base = {}, run = {};
	uint64_t hcpu0, hcpu = 0, checks = 0, failures = 0, deferred = 0;
	double set_us = 0, set_cpu_us = 0, due, hpct;
	uint32_t answering, budget = 0;
	bool bad_round = false;
	pthread_t srv;
	int bad = 0;
	struct hb_opts o;

	hb_opts_parse(argc, argv, &o);
	if (geteuid())
		bn_die("bench/health: needs root");
	answering = (o.backends + 1) / 2;

	/* Debian's frr.service: LimitNOFILE=1024 */
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = MIN((rlim_t)HB_NOFILE, rl.rlim_max);
	setrlimit(RLIMIT_NOFILE, &rl);

	hb_topology(o.backends);
	pthread_create(&srv, NULL, hb_server, NULL);
	bn_netns_enter(HB_NS_C);
	frr_pthread_init();
	m = thread_master_create("main");

	printf("bench/health: zebra's main pthread (a thread_master of this program) while %u backends\n"
	       "are checked every %u ms (%s, rise 2, fall 2): %u answer, %u are silent (blackholed, each check\n"
	       "waits for its timeout holding a socket); RLIMIT_NOFILE %llu as Debian's frr.service gives zebra.\n"
	       "Lateness of a %d ms timer on the main pthread, in us; CPU in %% of one core; same run, %u rounds:\n"
	       "baseline %u s in all (before and after each checking phase), checking %u s in all\n\n",
	       o.backends, o.interval_ms, types[o.type], answering,
	       o.backends - answering, (unsigned long long)rl.rlim_cur,
	       HB_TICK_MS, o.rounds, o.baseline, o.seconds);

	for (uint32_t r = 0; r < o.rounds; r++) {
		/* baseline before and after, half of its share each */
		uint32_t b_ms = o.baseline * 1000 / o.rounds / 2;
		uint32_t c_ms = o.seconds * 1000 / o.rounds;
		struct lb_hc_counters c;
		int tid;

		hb_run(&base, b_ms);
		lb_health_init(m, hb_changed);
		hb_configure(&o, &set_us, &set_cpu_us);
		lb_health_counters(&c);
		tid = c.tid;
		if (!tid)
			bn_die("no ebpf_health pthread");
		hcpu0 = hb_task_cpu_ns(tid);
		hb_run(&run, c_ms);
		hcpu += hb_task_cpu_ns(tid) - hcpu0;
		lb_health_counters(&c);
		checks += c.checks;
		failures += c.failures;
		deferred += c.deferred;
		budget = c.fd_budget;
		/* in each round every answering backend comes up once */
		if (ups - downs != (int)answering || downs)
			bad_round = true;
		lb_health_fini();
		ups = downs = 0;
		hb_run(&base, b_ms);
	}

	hpct = hcpu / 1e7 / o.seconds;
	printf("phase       samples  median_us   p99_us    max_us  main_cpu%%  health_cpu%%\n");
	hb_print("baseline", &base, o.baseline, -1);
	hb_print("checking", &run, o.seconds, hpct);
	{
		struct bn_stat b = bn_stat_of(base.late, base.n);
		struct bn_stat r = bn_stat_of(run.late, run.n);
		double bp99 = base.late[(size_t)(base.n * 0.99)];
		double rp99 = run.late[(size_t)(run.n * 0.99)];

		printf("checking/baseline: median %.2fx, p99 %.2fx, max %.2fx\n",
		       r.med / MAX(b.med, 1), rp99 / MAX(bp99, 1),
		       r.max / MAX(b.max, 1));
	}

	/* each backend's first check comes at a random point of its first
	 * interval: half an interval fewer on average, each round */
	due = (double)o.backends *
	      ((double)o.seconds * 1000 / o.interval_ms - 0.5 * o.rounds);
	printf("\nchecks: %llu done in %u s, %.0f due (%.0f%%); %llu failed; %llu waited for a socket "
	       "(budget %u); each round: all %u answering backends up, none down: %s\n",
	       (unsigned long long)checks, o.seconds, due, 100.0 * checks / due,
	       (unsigned long long)failures, (unsigned long long)deferred,
	       budget, answering, bad_round ? "NO" : "yes");
	printf("lb_health_set(): longest call %.0f us on the main pthread, %.0f us of CPU (up to %u backends a call)\n",
	       set_us, set_cpu_us, HB_PER_VIP);
	if (checks < 0.9 * due) {
		printf("INVALID: fewer than 90%% of the checks due ran\n");
		bad = 1;
	}
	if (bad_round) {
		printf("INVALID: not every answering backend came (and stayed) up\n");
		bad = 1;
	}

	srv_stop = true;
	pthread_join(srv, NULL);
	thread_master_free(m);
	frr_pthread_finish();
	free(base.late);
	free(run.late);
	return bad;
}
