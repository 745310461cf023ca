/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The suites of test_fib, one file each. */
#ifndef TESTS_FIB_H
#define TESTS_FIB_H

#include <stdint.h>

void test_pool(void);	/* test_pool.c: id reuse after grace periods */
void test_fib4(void);	/* test_fib4.c */
void test_fib4_dxr(void); /* test_fib4_dxr.c: ranges in front of DIR-24-8 */
void test_fib6_dxr(void); /* test_fib6_dxr.c: ranges in front of the search */
void test_fib6(void);	/* test_fib6.c */
void test_states(void);	/* test_states.c: every state under churn */
void test_adopt(void);	/* test_adopt.c: a restart takes the tables over */

/* dp_fib4.c's stores, in this build (test_states.c), and a function
 * called after each (NULL: none). */
void fib_test_store(uint32_t *entry, uint32_t v);
extern void (*fib_test_store_watch)(void);

/* Random churn of one family against the reference (test_fib4.c). */
void fib_churn(unsigned int bits, unsigned int ops, unsigned int every);

#endif /* TESTS_FIB_H */
