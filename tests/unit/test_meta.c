// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The XDP -> TC hand-off through packet metadata, as far as
 * BPF_PROG_TEST_RUN can show it: XDP's side completely; TC's side only
 * on a real interface (test_live.c), because test_run builds TC's skb
 * without metadata and refuses a __sk_buff.data_meta in ctx_in.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <netinet/in.h>

#include "dp_test.h"
#include "expect.h"
#include "tests.h"
#include "topo.h"

void test_meta(struct harness *h)
{
	struct h_result r;
	struct tpkt p;

	topo_setup(h);

	t_begin("xdp: a passed packet carries dp_xdp_meta with its reason");
	tpkt_ipv4(&p, SRC4, DST4_LOCAL, IPPROTO_UDP, 1, 2, 0);
	h_run(h, DP_HOOK_XDP, &p, &r);
	T_CHECK(r.has_meta, "no metadata");
	T_EQ(r.meta.magic, DP_XDP_META_MAGIC, "meta magic");
	T_EQ(r.meta.reason, DP_R_PASS_LOCAL, "meta reason");
	t_end();

	t_begin("xdp: a forwarded packet carries no metadata");
	tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_UDP, 1, 2, 0);
	h_run(h, DP_HOOK_XDP, &p, &r);
	T_EQ(r.verdict, XDP_REDIRECT_, "verdict");
	T_CHECK(!r.has_meta, "metadata on a redirected packet");
	t_end();

	/*
	 * With TC attached behind it, XDP leaves an unresolved neighbour to
	 * TC uncounted: TC forwards it and counts it, so each packet is
	 * counted once.
	 */
	h_intf(h, H_IN_IFINDEX, tpkt_router_mac,
	       DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_TC | DP_INTF_F_UP,
	       1500, H_IN_STATS_IDX);
	t_begin("xdp: unresolved neighbour with TC behind: passed, meta "
		"PASS_NO_NEIGH, not counted");
	tpkt_ipv4(&p, SRC4, DST4_UNRESOLVED, IPPROTO_UDP, 1, 2, 0);
	h_run(h, DP_HOOK_XDP, &p, &r);
	T_EQ(r.err, 0, "test_run error");
	T_EQ(r.verdict, XDP_PASS_, "verdict");
	T_CHECK(r.has_meta && r.meta.reason == DP_R_PASS_NO_NEIGH,
		"meta reason %s", h_reason_name(r.meta.reason));
	T_EQ(r.counted, 0, "stats_map entries that moved");
	T_EQ(r.istats.rx_packets, 0, "interface rx_packets");
	t_end();
	t_begin("xdp: other passes with TC behind are still counted by XDP");
	tpkt_ipv4(&p, SRC4, DST4_LOCAL, IPPROTO_UDP, 1, 2, 0);
	h_run(h, DP_HOOK_XDP, &p, &r);
	expect_pass(&r, DP_HOOK_XDP, &p, DP_R_PASS_LOCAL);
	t_end();

	t_begin("tc: test_run cannot carry XDP metadata into the skb "
		"(checked live instead)");
	{
		struct __sk_buff in = {.data_meta = 4};
		uint8_t out[TPKT_MAX];
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p.buf,
			    .data_size_in = p.len, .data_out = out,
			    .data_size_out = sizeof(out), .ctx_in = &in,
			    .ctx_size_in = sizeof(in), .repeat = 1);

		T_EQ(bpf_prog_test_run_opts(h->prog_fd[DP_HOOK_TC], &o),
		     -EINVAL, "test_run with __sk_buff.data_meta");
	}
	t_end();
}
