// SPDX-License-Identifier: GPL-2.0-or-later
/* The test runner behind dp_test.h. */
#include <stdarg.h>
#include <stdio.h>

#include "dp_test.h"

/* After this many failed checks a case stops printing (it still fails). */
#define T_MAX_REPORTS 5

static int passed, failed;
static int case_failures;
static char case_name[160];

void t_begin(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(case_name, sizeof(case_name), fmt, ap);
	va_end(ap);
	case_failures = 0;
}

bool t_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	if (case_failures++ < T_MAX_REPORTS) {
		printf("  %s:%d: %s: ", file, line, case_name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	return false;
}

bool t_check_eq(long long got, long long want, const char *file, int line,
		const char *what)
{
	return t_check(got == want, file, line, "%s: got %lld, want %lld", what,
		       got, want);
}

void t_note(const char *fmt, ...)
{
	va_list ap;

	printf("  note: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

bool t_end(void)
{
	if (case_failures) {
		failed++;
		printf("FAIL %s (%d failed checks)\n", case_name,
		       case_failures);
	} else {
		passed++;
		printf("ok   %s\n", case_name);
	}
	fflush(stdout);
	return case_failures == 0;
}

int t_summary(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
