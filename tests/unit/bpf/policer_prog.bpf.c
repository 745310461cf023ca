// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpf/lib/policer.h inside a BPF program, for tests/unit/test_policer.c:
 * the verifier (this kernel's, and Debian's 6.1 under qemu) checks the
 * meters' compare-and-swap loops and 64-bit arithmetic, and the test runs
 * them on packets of chosen lengths with a clock it controls (in_map).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "policer.h"

/* What the test sets before each run: the clock and the pre-colour. */
struct policer_test_in {
	__u64 now;
	__u32 pre;
	__u32 colour; /* out: the packet's colour */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dp_policer_conf);
	__uint(max_entries, 1);
} conf_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct dp_policer_state);
	__uint(max_entries, 1);
} state_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct policer_test_in);
	__uint(max_entries, 1);
} in_map SEC(".maps");

SEC("xdp")
int policer_meter_prog(struct xdp_md *ctx)
{
	__u32 zero = 0, len = bpf_xdp_get_buff_len(ctx);
	const struct dp_policer_conf *c = bpf_map_lookup_elem(&conf_map, &zero);
	struct dp_policer_state *st = bpf_map_lookup_elem(&state_map, &zero);
	struct policer_test_in *in = bpf_map_lookup_elem(&in_map, &zero);

	if (!c || !st || !in)
		return XDP_ABORTED;
	in->colour = dp_policer_meter(st, c, in->now, len, in->pre);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
