/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every benchmark needs: a clock, a seeded random generator (the same
 * tables and packets on every run), statistics over rounds, shell
 * commands, and network namespaces.
 *
 * Every benchmark creates its namespaces under the prefix "bn_" and
 * removes them when it exits, also on error (bn_netns_cleanup_at_exit).
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Print to stderr and exit(1). */
void bn_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

uint64_t bn_now_ns(void); /* CLOCK_MONOTONIC */

/* xorshift64*: deterministic, fast, good enough for picking addresses. */
struct bn_rng {
	uint64_t s;
};
void bn_rng_seed(struct bn_rng *r, uint64_t seed);
uint64_t bn_rng_next(struct bn_rng *r);
uint32_t bn_rng_below(struct bn_rng *r, uint32_t n); /* 0 .. n-1 */

/* Median, minimum and maximum of n values (v is reordered). */
struct bn_stat {
	double med, min, max;
};
struct bn_stat bn_stat_of(double *v, size_t n);

/* ip(8) for shell commands: $BENCH_IP, or "ip" from the PATH (a VM
 * whose busybox shell would run its own ip applet names the real one). */
const char *bn_ip(void);

/* Run a shell command; bn_shf dies if it fails. */
int bn_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bn_shf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Create a namespace (deleting a leftover of the same name first) and
 * remember it for removal at exit. Names must start with "bn_".
 */
void bn_netns_add(const char *name);
/* Move the calling thread into a namespace; NULL: back to the original. */
void bn_netns_enter(const char *name);
/* Delete every namespace bn_netns_add created (also run at exit). */
void bn_netns_cleanup(void);

/*
 * ip(8) in batch mode, in the calling thread's namespace: write commands
 * ("route add ...") to the stream; close waits and dies if any failed.
 */
FILE *bn_ip_batch_open(void);
void bn_ip_batch_close(FILE *ip);

/* Pin the calling thread to one CPU. */
void bn_pin_cpu(int cpu);

/* Parse "1000", "100K", "1M". */
uint32_t bn_parse_count(const char *s);
/* Parse a comma-separated list of counts into v[0..max-1]: how many. */
int bn_parse_counts(const char *arg, uint32_t *v, int max);
/* Format a count as "1K", "100K", "1M" when exact, else the number. */
const char *bn_fmt_count(uint32_t n, char *buf, size_t len);

#endif /* BENCH_H */
