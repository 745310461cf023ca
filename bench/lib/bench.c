// SPDX-License-Identifier: GPL-2.0-or-later
/* Shared helpers of the benchmarks (bench.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define BN_NETNS_MAX 8

static char bn_netns[BN_NETNS_MAX][32];
static int bn_n_netns;
static int bn_home_fd = -1; /* the namespace the process started in */

void bn_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

uint64_t bn_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void bn_rng_seed(struct bn_rng *r, uint64_t seed)
{
	r->s = seed ? seed : 0x9e3779b97f4a7c15ull;
}

uint64_t bn_rng_next(struct bn_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

uint32_t bn_rng_below(struct bn_rng *r, uint32_t n)
{
	return (uint32_t)(((bn_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static int bn_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct bn_stat bn_stat_of(double *v, size_t n)
{
	struct bn_stat s = {0};

	if (!n)
		return s;
	qsort(v, n, sizeof(*v), bn_cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

static int bn_vsh(const char *fmt, va_list ap)
{
	char cmd[1024];
	int rc;

	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	rc = system(cmd);
	if (rc == -1)
		return -1;
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

int bn_sh(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = bn_vsh(fmt, ap);
	va_end(ap);
	return rc;
}

void bn_shf(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (bn_sh("%s", cmd))
		bn_die("command failed: %s", cmd);
}

const char *bn_ip(void)
{
	const char *ip = getenv("BENCH_IP");

	return ip && *ip ? ip : "ip";
}

void bn_netns_cleanup(void)
{
	bn_netns_enter(NULL);
	while (bn_n_netns > 0)
		bn_sh("%s netns del %s 2>/dev/null", bn_ip(), bn_netns[--bn_n_netns]);
}

/* Remember the namespace to come back to (first call only). */
static void bn_netns_home(void)
{
	if (bn_home_fd >= 0)
		return;
	bn_home_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (bn_home_fd < 0)
		bn_die("open /proc/self/ns/net: %s", strerror(errno));
}

/* Interrupted: exit() so that the namespaces are removed. */
static void bn_on_signal(int sig)
{
	exit(128 + sig);
}

void bn_netns_add(const char *name)
{
	if (strncmp(name, "bn_", 3) || strlen(name) >= sizeof(bn_netns[0]) ||
	    bn_n_netns == BN_NETNS_MAX)
		bn_die("bad namespace name %s", name);
	if (!bn_n_netns) {
		bn_netns_home();
		atexit(bn_netns_cleanup);
		signal(SIGINT, bn_on_signal);
		signal(SIGTERM, bn_on_signal);
	}
	bn_sh("%s netns del %s 2>/dev/null", bn_ip(), name);
	bn_shf("%s netns add %s", bn_ip(), name);
	snprintf(bn_netns[bn_n_netns++], sizeof(bn_netns[0]), "%s", name);
	bn_shf("%s -n %s link set lo up", bn_ip(), name);
}

void bn_netns_enter(const char *name)
{
	char path[64];
	int fd;

	if (!name) {
		if (bn_home_fd >= 0 && setns(bn_home_fd, CLONE_NEWNET))
			bn_die("setns home: %s", strerror(errno));
		return;
	}
	bn_netns_home();
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		bn_die("enter %s: %s", name, strerror(errno));
	close(fd);
}

FILE *bn_ip_batch_open(void)
{
	char cmd[300];
	FILE *ip;

	snprintf(cmd, sizeof(cmd), "%s -batch -", bn_ip());
	ip = popen(cmd, "w");

	if (!ip)
		bn_die("ip -batch: %s", strerror(errno));
	return ip;
}

void bn_ip_batch_close(FILE *ip)
{
	int rc = pclose(ip);

	if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc))
		bn_die("ip -batch failed");
}

void bn_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		bn_die("pin to cpu %d: %s", cpu, strerror(errno));
}

uint32_t bn_parse_count(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end == 'K' || *end == 'k')
		v *= 1000, end++;
	else if (*end == 'M' || *end == 'm')
		v *= 1000000, end++;
	if (*end || end == s || v > UINT32_MAX)
		bn_die("not a count: %s", s);
	return v;
}

int bn_parse_counts(const char *arg, uint32_t *v, int max)
{
	char buf[256], *tok, *save;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok && n < max;
	     tok = strtok_r(NULL, ",", &save))
		v[n++] = bn_parse_count(tok);
	return n;
}

const char *bn_fmt_count(uint32_t n, char *buf, size_t len)
{
	if (n >= 1000000 && n % 1000000 == 0)
		snprintf(buf, len, "%uM", n / 1000000);
	else if (n >= 1000 && n % 1000 == 0)
		snprintf(buf, len, "%uK", n / 1000);
	else
		snprintf(buf, len, "%u", n);
	return buf;
}
