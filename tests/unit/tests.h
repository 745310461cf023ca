/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The test suites of test_datapath, one file each. */
#ifndef TESTS_H
#define TESTS_H

#include "dp_harness.h"

extern const enum dp_hook hooks[DP_HOOK_MAX];

void test_forward(struct harness *h);	/* test_forward.c */
void test_pass(struct harness *h);	/* test_pass.c */
void test_malformed(struct harness *h); /* test_malformed.c */
void test_csum(struct harness *h);	/* test_csum.c */
void test_buckets(void);		/* test_ecmp.c */
void test_ecmp(struct harness *h);	/* test_ecmp.c */
void test_meta(struct harness *h);	/* test_meta.c */
void test_live(struct harness *h);	/* test_live.c */
void test_fib(struct harness *h);	/* test_fib.c */
void test_failsafe(struct harness *h);	/* test_failsafe.c */
void test_ct(struct harness *h);	/* test_ct.c */
void test_lb(struct harness *h);	/* test_lb.c */
void test_nat(struct harness *h);
void test_police(struct harness *h);	/* test_police.c */	/* test_nat.c */

#endif /* TESTS_H */
