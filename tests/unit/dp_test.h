/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal test runner: a test case is a named group of checks; it
 * passes when none of its checks fails. Failed checks print where and
 * why; the program ends with "N passed, N failed".
 */
#ifndef DP_TEST_H
#define DP_TEST_H

#include <stdbool.h>

extern void t_begin(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern bool t_end(void);
extern bool t_check(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
extern void t_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int t_summary(void);

/* Check a condition; the message says what was expected. */
#define T_CHECK(cond, ...) t_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* Check two integers for equality (each evaluated once), printing both. */
#define T_EQ(got, want, what)                                                  \
	t_check_eq((long long)(got), (long long)(want), __FILE__, __LINE__,    \
		   (what))

extern bool t_check_eq(long long got, long long want, const char *file,
		       int line, const char *what);

#endif /* DP_TEST_H */
