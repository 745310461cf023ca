// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tests/lb/test_health: the load balancer's health checks
 * (frr-plugin/lb/lb_health.c) against real servers, linked with the
 * installed libfrr. Needs root (skipped, 77, otherwise).
 *
 * Two network namespaces joined by a veth pair: lbhc_PID_c, where this
 * program's main pthread (standing in for zebra's, with its own
 * thread_master) and so the health pthread run, and lbhc_PID_s, where a
 * server pthread listens on one port per behaviour:
 *
 *   80 HTTP 200    81 HTTP 503    82 garbage    83 accepts, never answers
 *   84 a 100 KB header             85 closed (nothing listens)
 *   86 HTTP 200 in pieces, 20 ms apart          87 opened and closed on
 *                                                  demand (a backend dies)
 *
 * 198.19.201.99 and fd00:201::99 are on the veth's subnet but nobody
 * holds them (ARP/ND fail), 198.19.99.0/24 has no route and
 * 198.19.250.0/24 an unreachable one.
 */

#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>

#include "lib/zebra.h"
#include "lib/frr_pthread.h"
#include "lib/memory.h"
#include "lib/privs.h"
#include "lib/thread.h"

#include "core/dp_plugin.h"
#include "lb/lb_health.h"

/* What lb_health.c takes from the rest of the module (core/dp_plugin.h). */
DEFINE_MGROUP(EBPF, "frr-ebpf plugin");
bool dp_debug;
struct zebra_privs_t *dp_privs(void)
{
	return NULL; /* root already: nothing to raise */
}

#define V4_NET "198.19.201."
#define V6_NET "fd00:201::"
#define SRV4 V4_NET "2"
#define SRV6 V6_NET "2"
#define INTERVAL 100

static char ns_c[32], ns_s[32];
static struct thread_master *m;
static pthread_t main_tid;
static int passed, failed;

/* ------------------------------------------------------------ reporting */

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

static void sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		exit(1);
	}
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd),
		 "ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null",
		 ns_c, ns_s);
	if (ns_c[0])
		(void)!system(cmd);
}

static void enter_ns(const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static void on_signal(int sig)
{
	exit(128 + sig); /* through cleanup() */
}

static void topology(void)
{
	snprintf(ns_c, sizeof(ns_c), "lbhc_%d_c", getpid());
	snprintf(ns_s, sizeof(ns_s), "lbhc_%d_s", getpid());
	/* what a run that crashed left: its process is gone */
	sh("for n in $(ip netns list | sed -n 's/^\\(lbhc_[0-9]*_[cs]\\).*/\\1/p'); do "
	   "p=${n#lbhc_}; [ -d /proc/${p%%_*} ] || ip netns del $n; done");
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	sh("ip netns add %s && ip netns add %s", ns_c, ns_s);
	sh("ip -n %s link add hc0 type veth peer name hc1 netns %s", ns_c, ns_s);
	sh("ip -n %s link set lo up && ip -n %s link set lo up", ns_c, ns_s);
	sh("ip -n %s addr add " V4_NET "1/24 dev hc0 && ip -n %s addr add " V6_NET "1/64 dev hc0 nodad",
	   ns_c, ns_c);
	sh("ip -n %s addr add " SRV4 "/24 dev hc1 && ip -n %s addr add " SRV6 "/64 dev hc1 nodad",
	   ns_s, ns_s);
	/* no DAD for the link-local addresses either: the link is usable
	 * for IPv6 as soon as it is up */
	sh("ip netns exec %s sysctl -qw net.ipv6.conf.hc0.accept_dad=0", ns_c);
	sh("ip netns exec %s sysctl -qw net.ipv6.conf.hc1.accept_dad=0", ns_s);
	sh("ip -n %s link set hc0 up && ip -n %s link set hc1 up", ns_c, ns_s);
	sh("ip -n %s route add unreachable 198.19.250.0/24", ns_c);
	/* a first neighbour solicitation sent while the veth's carrier came
	 * up is lost, and retried a second later: wait for that here */
	sh("ip netns exec %s ping -q -6 -c1 -w5 " SRV6 " >/dev/null", ns_c);
	sh("ip netns exec %s ping -q -4 -c1 -w5 " SRV4 " >/dev/null", ns_c);
	/* the kernel's own default ("1 0": nobody), as a new zebra sees it */
	sh("ip netns exec %s sysctl -qw net.ipv4.ping_group_range='1 0'", ns_c);
}

/* ------------------------------------------------------------- servers */

static _Atomic bool srv_stop;
static _Atomic bool flap_open = true;
static pthread_mutex_t req_mtx = PTHREAD_MUTEX_INITIALIZER;
static char last_request[512];

struct conn {
	int fd, port;
};

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		p += w;
		n -= w;
	}
}

/* The request head, as far as it goes (a check may have given up). */
static void read_request(int fd, int port)
{
	char buf[512];
	size_t got = 0;

	while (got < sizeof(buf) - 1) {
		ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);

		if (n <= 0)
			break;
		got += n;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	buf[got] = '\0';
	if (port == 80 && strstr(buf, "Host: " SRV4 "\r\n")) {
		frr_with_mutex (&req_mtx) {
			strlcpy(last_request, buf, sizeof(last_request));
		}
	}
}

static void *serve(void *arg)
{
	struct conn c = *(struct conn *)arg;
	static const char ok[] =
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
	static const char unavail[] =
		"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
	static const char *const pieces[] = { "HT", "TP/1.1 2", "00 OK\r\nServer: t\r\n",
					      "\r\n" };
	char buf[64];
	char *big;

	free(arg);
	switch (c.port) {
	case 80:
		read_request(c.fd, c.port);
		send_all(c.fd, ok, strlen(ok));
		break;
	case 81:
		read_request(c.fd, c.port);
		send_all(c.fd, unavail, strlen(unavail));
		break;
	case 82:
		send_all(c.fd, "\x16\x03\x01garbage\xff\r\n\r\n", 15);
		break;
	case 83: /* until the checker gives up */
		while (recv(c.fd, buf, sizeof(buf), 0) > 0)
			;
		break;
	case 84:
		read_request(c.fd, c.port);
		big = malloc(100 * 1024 + 64);
		strcpy(big, "HTTP/1.1 200 OK\r\nX-Big: ");
		memset(big + strlen(big), 'a', 100 * 1024);
		strcpy(big + 100 * 1024 + 24, "\r\n\r\n");
		send_all(c.fd, big, strlen(big));
		free(big);
		break;
	case 86:
		read_request(c.fd, c.port);
		for (size_t i = 0; i < array_size(pieces); i++) {
			send_all(c.fd, pieces[i], strlen(pieces[i]));
			usleep(20000);
		}
		break;
	}
	close(c.fd);
	return NULL;
}

static int listener(int port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), zero = 0,
	    one = 1;

	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 128) < 0) {
		perror("listener");
		exit(1);
	}
	return fd;
}

/* The server pthread: one listener per behaviour, a pthread per
 * connection (blocking I/O keeps each behaviour a few lines). */
static void *server(void *arg)
{
	static const int ports[] = { 80, 81, 82, 83, 84, 86, 87 };
	struct pollfd pfd[array_size(ports)];
	bool is_open = true;

	enter_ns(ns_s);
	for (size_t i = 0; i < array_size(ports); i++)
		pfd[i] = (struct pollfd){ .fd = listener(ports[i]),
					  .events = POLLIN };
	while (!srv_stop) {
		int last = array_size(ports) - 1;

		if (is_open != flap_open) {
			is_open = flap_open;
			if (is_open) {
				pfd[last].fd = listener(87);
			} else {
				close(pfd[last].fd);
				pfd[last].fd = -1;
			}
		}
		if (poll(pfd, array_size(ports), 10) <= 0)
			continue;
		for (size_t i = 0; i < array_size(ports); i++) {
			struct conn *c;
			pthread_t t;
			int fd;

			if (pfd[i].fd < 0 || !(pfd[i].revents & POLLIN))
				continue;
			fd = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				continue;
			c = malloc(sizeof(*c));
			*c = (struct conn){ .fd = fd, .port = ports[i] };
			pthread_create(&t, NULL, serve, c);
			pthread_detach(t);
		}
	}
	for (size_t i = 0; i < array_size(ports); i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	return NULL;
}

/* ------------------------------------------------ the main pthread side */

struct event {
	char vip[32];
	struct lb_hc_backend be;
	bool up;
	struct lb_hc_status st; /* as lb_health_status said in the callback */
	bool on_main;
};

#define EVENTS_MAX 256
static struct event events[EVENTS_MAX];
static int n_events;

static void changed(const char *vip, const struct lb_hc_backend *be, bool up)
{
	struct event *e;

	if (n_events >= EVENTS_MAX)
		return;
	e = &events[n_events++];
	strlcpy(e->vip, vip, sizeof(e->vip));
	e->be = *be;
	e->up = up;
	e->on_main = pthread_equal(pthread_self(), main_tid);
	if (!lb_health_status(vip, be, &e->st))
		e->st.checks = UINT32_MAX;
}

static struct lb_hc_backend be_of(const char *addr, uint16_t port)
{
	struct lb_hc_backend be = { .port = port };

	be.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	inet_pton(be.family, addr, be.addr);
	return be;
}

static struct lb_hc_params params_of(enum lb_hc_type type, uint8_t rise,
				     uint8_t fall, const char *path,
				     uint16_t status)
{
	struct lb_hc_params p = { .type = type,
				  .interval_ms = INTERVAL,
				  .rise = rise,
				  .fall = fall,
				  .http_status = status };

	if (path)
		strlcpy(p.http_path, path, sizeof(p.http_path));
	return p;
}

/* Events of vip/addr/port with this direction. */
static int count_events(const char *vip, const char *addr, uint16_t port,
			bool up, struct event **last)
{
	struct lb_hc_backend be = be_of(addr, port);
	int n = 0;

	for (int i = 0; i < n_events; i++) {
		struct event *e = &events[i];

		if (strcmp(e->vip, vip) || e->up != up ||
		    e->be.family != be.family || e->be.port != port ||
		    memcmp(e->be.addr, be.addr, 16))
			continue;
		n++;
		if (last)
			*last = e;
	}
	return n;
}

static bool pump_done;

static void pump_stop(struct thread *t)
{
	pump_done = true;
}

/* Run the main pthread's event loop for ms. */
static void pump(int ms)
{
	struct thread *t_stop = NULL;
	struct thread task;

	pump_done = false;
	thread_add_timer_msec(m, pump_stop, NULL, ms, &t_stop);
	while (!pump_done && thread_fetch(m, &task))
		thread_call(&task);
	THREAD_OFF(t_stop);
}

static struct lb_hc_status status_of(const char *vip, const char *addr,
				     uint16_t port, bool *found)
{
	struct lb_hc_backend be = be_of(addr, port);
	struct lb_hc_status st = {};

	*found = lb_health_status(vip, &be, &st);
	return st;
}

/* Pump until vip/addr/port has had `n` transitions to `up`, or timeout. */
static bool wait_event(const char *vip, const char *addr, uint16_t port,
		       bool up, int n, int ms)
{
	for (int t = 0; t < ms; t += 20) {
		if (count_events(vip, addr, port, up, NULL) >= n)
			return true;
		pump(20);
	}
	return count_events(vip, addr, port, up, NULL) >= n;
}

/* Pump until vip/addr/port's last error is err (with no transition to up). */
static bool wait_error(const char *vip, const char *addr, uint16_t port,
		       const char *err, int ms)
{
	struct lb_hc_status st;
	bool found;

	for (int t = 0; t < ms; t += 20) {
		st = status_of(vip, addr, port, &found);
		if (found && st.failures >= 2 && !strcmp(st.last_error, err))
			break;
		pump(20);
	}
	st = status_of(vip, addr, port, &found);
	check(found && !st.up && st.failures >= 2 && !strcmp(st.last_error, err) &&
		      !count_events(vip, addr, port, true, NULL),
	      "%s %s port %u: down, last error \"%s\" (got \"%s\", %u failures, up %d)",
	      vip, addr, port, err, st.last_error, st.failures, st.up);
	return found;
}

static void expect_up(const char *vip, const char *addr, uint16_t port,
		      uint8_t rise)
{
	struct event *e = NULL;
	bool ok = wait_event(vip, addr, port, true, 1, 5000);

	count_events(vip, addr, port, true, &e);
	/* a check may complete between the flip and its delivery: rise or
	 * rise + 1 successes when the callback reads the status */
	check(ok && e && e->st.successes >= rise && e->st.successes <= rise + 1u &&
		      e->st.failures == 0 && e->st.up,
	      "%s %s port %u: up after %u successes in a row (callback saw %u, %u checks, last error \"%s\")",
	      vip, addr, port, rise, e ? e->st.successes : 0,
	      e ? e->st.checks : 0, e ? e->st.last_error : "");
}

/* ------------------------------------------------------------- the test */

static int leaks(void *arg, struct memgroup *mg, struct memtype *mt)
{
	size_t *n = arg;

	if (mt && !strcmp(mg->name, "frr-ebpf plugin") && mt->n_alloc) {
		printf("# leak: %s: %zu\n", mt->name, (size_t)mt->n_alloc);
		*n += mt->n_alloc;
	}
	return 0;
}

/* The health pthread's id, after checking it is the one named so. */
static int health_tid(void)
{
	struct lb_hc_counters cnt;
	char path[64], comm[32] = "";
	FILE *f;

	lb_health_counters(&cnt);
	if (!cnt.tid)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", cnt.tid);
	f = fopen(path, "r");
	if (f && !fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	if (f)
		fclose(f);
	return strncmp(comm, "ebpf_health", 11) ? -1 : cnt.tid;
}

static bool task_exists(int tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d", tid);
	return access(path, F_OK) == 0;
}

static void test_results(void)
{
	struct lb_hc_params tcp = params_of(LB_HC_TCP, 3, 2, NULL, 0);
	struct lb_hc_params http = params_of(LB_HC_HTTP, 2, 2, "/health", 0);
	struct lb_hc_params http503 = params_of(LB_HC_HTTP, 2, 2, "/health", 503);
	struct lb_hc_params icmp = params_of(LB_HC_ICMP, 2, 2, NULL, 0);
	struct lb_hc_params flap = params_of(LB_HC_TCP, 2, 3, NULL, 0);
	struct lb_hc_backend tcp_ok[] = { be_of(SRV4, 80), be_of(SRV6, 80) };
	struct lb_hc_backend http_ok[] = { be_of(SRV4, 80), be_of(SRV6, 80),
					   be_of(SRV4, 86) };
	struct lb_hc_backend http_bad[] = { be_of(SRV4, 81), be_of(SRV4, 82),
					    be_of(SRV4, 83), be_of(SRV4, 84),
					    be_of(SRV4, 85) };
	struct lb_hc_backend s503[] = { be_of(SRV4, 81) };
	struct lb_hc_backend tcp_bad[] = { be_of(V4_NET "99", 80),
					   be_of("198.19.99.1", 80),
					   be_of("198.19.250.1", 80),
					   be_of(SRV4, 85), be_of(SRV6, 85),
					   be_of(SRV4, 0) };
	struct lb_hc_backend pings[] = { be_of(SRV4, 0), be_of(SRV6, 0),
					 be_of(V4_NET "99", 0),
					 be_of(V6_NET "99", 0),
					 be_of("198.19.250.1", 0) };
	struct lb_hc_backend flapper[] = { be_of(SRV4, 87) };
	struct lb_hc_counters cnt;
	struct lb_hc_status st;
	struct event *e = NULL;
	char expect[256];
	bool found, ok;
	int health;

	lb_health_set("tcp_ok", &tcp, tcp_ok, array_size(tcp_ok));
	st = status_of("tcp_ok", SRV4, 80, &found);
	check(found && !st.up && st.checks == 0,
	      "status right after set: checked, down, no check yet");
	check(!status_of("tcp_ok", SRV4, 81, &found).checks && !found,
	      "status of a backend not configured: not checked");
	lb_health_set("http_ok", &http, http_ok, array_size(http_ok));
	lb_health_set("http_bad", &http, http_bad, array_size(http_bad));
	lb_health_set("http_503", &http503, s503, array_size(s503));
	lb_health_set("tcp_bad", &tcp, tcp_bad, array_size(tcp_bad));
	lb_health_set("icmp", &icmp, pings, array_size(pings));
	lb_health_set("flap", &flap, flapper, array_size(flapper));
	health = health_tid();
	check(health > 0, "the health pthread runs, named ebpf_health (%d)",
	      health);

	expect_up("tcp_ok", SRV4, 80, 3);
	expect_up("tcp_ok", SRV6, 80, 3);
	expect_up("http_ok", SRV4, 80, 2);
	expect_up("http_ok", SRV6, 80, 2);
	expect_up("http_ok", SRV4, 86, 2);
	expect_up("http_503", SRV4, 81, 2);
	expect_up("icmp", SRV4, 0, 2);
	expect_up("icmp", SRV6, 0, 2);
	expect_up("flap", SRV4, 87, 2);

	wait_error("http_bad", SRV4, 81, "status 503", 3000);
	wait_error("http_bad", SRV4, 82, "bad status line", 3000);
	wait_error("http_bad", SRV4, 83, "timeout", 3000);
	wait_error("http_bad", SRV4, 84, "header too long", 3000);
	wait_error("http_bad", SRV4, 85, "connection refused", 3000);
	wait_error("tcp_bad", V4_NET "99", 80, "timeout", 3000);
	wait_error("tcp_bad", "198.19.99.1", 80, "network unreachable", 3000);
	wait_error("tcp_bad", "198.19.250.1", 80, "host unreachable", 3000);
	wait_error("tcp_bad", SRV4, 85, "connection refused", 3000);
	wait_error("tcp_bad", SRV6, 85, "connection refused", 3000);
	wait_error("tcp_bad", SRV4, 0, "no port", 3000);
	wait_error("icmp", V4_NET "99", 0, "timeout", 3000);
	wait_error("icmp", V6_NET "99", 0, "timeout", 3000);
	wait_error("icmp", "198.19.250.1", 0, "host unreachable", 3000);

	frr_with_mutex (&req_mtx) {
		snprintf(expect, sizeof(expect),
			 "GET /health HTTP/1.1\r\nHost: " SRV4
			 "\r\nConnection: close\r\nUser-Agent: frr-ebpf\r\n\r\n");
		check(!strcmp(last_request, expect),
		      "the HTTP request, byte for byte");
	}
	lb_health_counters(&cnt);
	check(!strcmp(cnt.icmp4, "raw") && !strcmp(cnt.icmp6, "raw"),
	      "ICMP on raw sockets where ping_group_range refuses (\"%s\", \"%s\")",
	      cnt.icmp4, cnt.icmp6);
	check(cnt.vips == 7 && cnt.backends == 23 && cnt.checks >= 46 &&
		      cnt.changes >= 9,
	      "counters: %u VIPs, %u backends, %llu checks, %llu changes",
	      cnt.vips, cnt.backends, (unsigned long long)cnt.checks,
	      (unsigned long long)cnt.changes);

	/* A backend that stops listening goes down after `fall` failures. */
	flap_open = false;
	ok = wait_event("flap", SRV4, 87, false, 1, 3000) &&
	     count_events("flap", SRV4, 87, false, &e) == 1 &&
	     e->st.failures >= 3 && e->st.failures <= 4 &&
	     !strcmp(e->st.last_error, "connection refused");
	check(ok, "flap: down after 3 failures in a row (callback saw %u, \"%s\")",
	      e ? e->st.failures : 0, e ? e->st.last_error : "");
	flap_open = true;
	check(wait_event("flap", SRV4, 87, true, 2, 3000),
	      "flap: up again when it listens again");
	check(count_events("flap", SRV4, 87, true, NULL) == 2 &&
		      count_events("flap", SRV4, 87, false, NULL) == 1,
	      "flap: one callback per transition (up, down, up)");
}

static void test_config_changes(void)
{
	struct lb_hc_params tcp = params_of(LB_HC_TCP, 3, 2, NULL, 0);
	struct lb_hc_backend more[] = { be_of(SRV4, 80), be_of(SRV6, 80),
					be_of(SRV4, 86) };
	struct lb_hc_backend v4[] = { be_of(SRV4, 80) };
	struct lb_hc_status before, after;
	int events_before = n_events, unexpected = 0, added = 0;
	bool found;

	/* Same params, one backend more: the others keep state and counts. */
	before = status_of("tcp_ok", SRV4, 80, &found);
	lb_health_set("tcp_ok", &tcp, more, array_size(more));
	after = status_of("tcp_ok", SRV4, 80, &found);
	check(found && after.up && after.checks >= before.checks &&
		      before.checks > 3,
	      "same params: a backend keeps its state and counters (%u -> %u checks)",
	      before.checks, after.checks);
	expect_up("tcp_ok", SRV4, 86, 3);

	/* New params: counters restart, up/down state kept. */
	before = status_of("tcp_ok", SRV4, 80, &found);
	tcp.interval_ms = 150;
	lb_health_set("tcp_ok", &tcp, more, array_size(more));
	after = status_of("tcp_ok", SRV4, 80, &found);
	check(found && after.up && after.checks == 0 && before.checks > 3,
	      "new params: up kept, counters restart (%u -> %u checks)",
	      before.checks, after.checks);
	pump(1000);
	after = status_of("tcp_ok", SRV4, 80, &found);
	check(after.up && after.checks >= 4 && after.checks <= 9,
	      "new params: checked every 150 ms (%u checks in 1 s)",
	      after.checks);

	/* A backend left out is no longer checked. */
	lb_health_set("tcp_ok", &tcp, v4, array_size(v4));
	status_of("tcp_ok", SRV6, 80, &found);
	check(!found && status_of("tcp_ok", SRV4, 80, &found).up,
	      "a backend left out is no longer checked; the others stay up");

	/* A deleted VIP: not checked, nothing reported. */
	lb_health_del("icmp");
	status_of("icmp", SRV4, 0, &found);
	check(!found, "lb_health_del: the VIP's backends are no longer checked");
	pump(500);
	for (int i = events_before; i < n_events; i++) {
		struct event *e = &events[i];
		char a[INET6_ADDRSTRLEN];

		inet_ntop(e->be.family, e->be.addr, a, sizeof(a));
		if (!strcmp(e->vip, "icmp") ||
		    (!strcmp(e->vip, "tcp_ok") && e->be.port == 80))
			unexpected++;
		if (!strcmp(e->vip, "tcp_ok") && e->be.port == 86)
			added++;
		printf("# since the changes: %s %s port %u %s\n", e->vip, a,
		       e->be.port, e->up ? "up" : "down");
	}
	check(!unexpected && added == 1,
	      "no callback from kept, changed, removed or deleted backends; one from the new one");
}

/* After a restart, with unprivileged ICMP allowed: datagram sockets. */
static void test_icmp_dgram(void)
{
	struct lb_hc_params icmp = params_of(LB_HC_ICMP, 2, 2, NULL, 0);
	struct lb_hc_backend pings[] = { be_of(SRV4, 0), be_of(SRV6, 0),
					 be_of(V4_NET "99", 0) };
	struct lb_hc_counters cnt;

	sh("ip netns exec %s sysctl -qw net.ipv4.ping_group_range='0 2147483647'",
	   ns_c);
	n_events = 0;
	lb_health_init(m, changed);
	lb_health_set("icmp", &icmp, pings, array_size(pings));
	expect_up("icmp", SRV4, 0, 2);
	expect_up("icmp", SRV6, 0, 2);
	wait_error("icmp", V4_NET "99", 0, "timeout", 3000);
	lb_health_counters(&cnt);
	check(!strcmp(cnt.icmp4, "dgram") && !strcmp(cnt.icmp6, "dgram"),
	      "ICMP on datagram sockets where ping_group_range allows (\"%s\", \"%s\")",
	      cnt.icmp4, cnt.icmp6);
	lb_health_fini();
}

int main(int argc, char **argv)
{
	pthread_t srv;
	size_t leaked = 0;
	int off_main = 0, health;

	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return 77;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	topology();
	pthread_create(&srv, NULL, server, NULL);

	/* The main pthread, and so the health pthread it starts, in the
	 * checker's namespace, as zebra in a router's. */
	enter_ns(ns_c);
	main_tid = pthread_self();
	frr_pthread_init();
	m = thread_master_create("main");

	lb_health_init(m, changed);
	check(health_tid() == 0, "no pthread before the first set");
	test_results();
	health = health_tid();
	test_config_changes();
	for (int i = 0; i < n_events; i++)
		off_main += !events[i].on_main;
	check(n_events > 0 && off_main == 0,
	      "every callback ran on the main pthread (%d of %d elsewhere)",
	      off_main, n_events);
	lb_health_fini();
	check(health > 0 && !task_exists(health),
	      "lb_health_fini joined the health pthread");

	test_icmp_dgram();
	qmem_walk(leaks, &leaked);
	check(leaked == 0, "nothing of the checker left allocated");

	srv_stop = true;
	pthread_join(srv, NULL);
	thread_master_free(m);
	frr_pthread_finish();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
