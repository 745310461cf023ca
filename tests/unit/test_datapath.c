// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Packet-level tests of the datapath: both programs run through
 * BPF_PROG_TEST_RUN against maps set up as the plugin would, plus a live
 * XDP -> TC hand-off on veth in a private network namespace.
 * Needs root (CAP_BPF, CAP_NET_ADMIN). Ends with "N passed, N failed".
 */
#include <stdio.h>
#include <string.h>

#include "dp_test.h"
#include "tests.h"

const enum dp_hook hooks[DP_HOOK_MAX] = {DP_HOOK_XDP, DP_HOOK_TC};

int main(void)
{
	struct harness h;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	t_begin("load both programs with shared maps (verifier accepts them)");
	err = h_open(&h);
	T_EQ(err, 0, "h_open");
	if (!t_end())
		return t_summary();

	test_buckets();
	test_forward(&h);
	test_pass(&h);
	test_malformed(&h);
	test_csum(&h);
	test_ecmp(&h);
	test_meta(&h);
	test_live(&h);
	test_fib(&h);
	test_failsafe(&h);
	test_ct(&h);
	test_lb(&h);
	test_nat(&h);
	test_police(&h);

	h_close(&h);
	return t_summary();
}
