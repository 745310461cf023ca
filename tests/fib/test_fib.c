// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The datapath FIB's user-space code (frr-plugin/fib/dp_fib*.c) against a
 * reference longest-prefix match, over in-memory stand-ins for the BPF
 * maps: no privileges needed. Ends with "N passed, N failed".
 *   test_fib          the checks
 *   test_fib SEED     the same with another random seed
 */
#include <stdio.h>
#include <stdlib.h>

#include "dp_test.h"
#include "ref.h"
#include "tests_fib.h"

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("seed %llu\n", (unsigned long long)seed);
	rnd_seed(seed);
	test_pool();
	test_fib4();
	test_fib4_dxr();
	test_fib6_dxr();
	test_fib6();
	test_states();
	test_adopt();
	return t_summary();
}
