// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Truncated and malformed packets are never forwarded: the kernel drops
 * them, and the datapath must not turn them into valid-looking traffic.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include "dp_test.h"
#include "expect.h"
#include "tests.h"
#include "topo.h"

#define V4(dst) tpkt_ipv4(p, SRC4, dst, IPPROTO_TCP, 40000, 80, 20)
#define V6(dst) tpkt_ipv6(p, SRC6, dst, IPPROTO_TCP, 40000, 80, 20)

static void tcp4(struct tpkt *p)
{
	V4(DST4_FWD);
}

static void udp4_nopayload(struct tpkt *p)
{
	tpkt_ipv4(p, SRC4, DST4_FWD, IPPROTO_UDP, 1, 2, 0);
}

static void tcp6(struct tpkt *p)
{
	V6(DST6_FWD);
}

static void icmp6(struct tpkt *p)
{
	tpkt_ipv6(p, SRC6, DST6_FWD, IPPROTO_ICMPV6, 0, 0, 8);
}

static void set_ihl(struct tpkt *p, int ihl)
{
	V4(DST4_FWD);
	tpkt_ip4(p)->ihl = ihl;
	tpkt_ipv4_fix_csum(p);
}

static void ihl0(struct tpkt *p)
{
	set_ihl(p, 0);
}

static void ihl4(struct tpkt *p)
{
	set_ihl(p, 4);
}

static void ihl_beyond(struct tpkt *p)
{
	tcp4(p);
	tpkt_ip4(p)->ihl = 15;
	tpkt_ip4(p)->tot_len = htons(59);
	tpkt_ipv4_fix_csum(p);
}

static void set_tot_len(struct tpkt *p, int len)
{
	V4(DST4_FWD);
	tpkt_ip4(p)->tot_len = htons(len);
	tpkt_ipv4_fix_csum(p);
}

static void tot_len_long(struct tpkt *p)
{
	set_tot_len(p, 20 + 20 + 20 + 1);
}

static void tot_len_19(struct tpkt *p)
{
	set_tot_len(p, 19);
}

static void tot_len_0(struct tpkt *p)
{
	set_tot_len(p, 0);
}

static void set_version(struct tpkt *p, int v)
{
	V4(DST4_FWD);
	tpkt_ip4(p)->version = v;
	tpkt_ipv4_fix_csum(p);
}

static void v4_version6(struct tpkt *p)
{
	set_version(p, 6);
}

static void v4_version0(struct tpkt *p)
{
	set_version(p, 0);
}

static void v4_version15(struct tpkt *p)
{
	set_version(p, 15);
}

static void v6_version4(struct tpkt *p)
{
	V6(DST6_FWD);
	tpkt_ip6(p)->version = 4;
}

static void v6_payload_long(struct tpkt *p)
{
	V6(DST6_FWD);
	tpkt_ip6(p)->payload_len = htons(20 + 20 + 1);
}

static void bad_csum(struct tpkt *p)
{
	V4(DST4_FWD);
	tpkt_ip4(p)->check ^= htons(1);
}

static void src4(struct tpkt *p, const char *src)
{
	tpkt_ipv4(p, src, DST4_FWD, IPPROTO_TCP, 1, 2, 20);
}

static void src_loopback(struct tpkt *p)
{
	src4(p, "127.0.0.1");
}

static void src_zeronet(struct tpkt *p)
{
	src4(p, "0.0.0.1");
}

static void src_mcast(struct tpkt *p)
{
	src4(p, "224.1.1.1");
}

static void src_bcast(struct tpkt *p)
{
	src4(p, "255.255.255.255");
}

static void dst_loopback(struct tpkt *p)
{
	V4("127.0.0.1");
}

static void dst_zeronet(struct tpkt *p)
{
	V4("0.1.2.3");
}

static void src6(struct tpkt *p, const char *src)
{
	tpkt_ipv6(p, src, DST6_FWD, IPPROTO_TCP, 1, 2, 20);
}

static void src6_loopback(struct tpkt *p)
{
	src6(p, "::1");
}

static void src6_mcast(struct tpkt *p)
{
	src6(p, "ff02::1");
}

static void dst6_loopback(struct tpkt *p)
{
	V6("::1");
}

static void src6_unspecified(struct tpkt *p)
{
	src6(p, "::");
}

static void dst6_unspecified(struct tpkt *p)
{
	V6("::");
}

static void src6_v4mapped(struct tpkt *p)
{
	src6(p, "::ffff:192.0.2.9");
}

/*
 * Headers the kernel drops (PASS_MALFORMED) and addresses it never
 * forwards from or to (PASS_MARTIAN, bpf/lib/addr.h).
 */
static const struct bad_case {
	const char *name;
	void (*build)(struct tpkt *p);
	enum dp_reason reason;
} bad[] = {
	{"ipv4 IHL 0", ihl0, DP_R_PASS_MALFORMED},
	{"ipv4 IHL 4", ihl4, DP_R_PASS_MALFORMED},
	{"ipv4 IHL beyond the total length", ihl_beyond, DP_R_PASS_MALFORMED},
	{"ipv4 total length beyond the frame", tot_len_long, DP_R_PASS_MALFORMED},
	{"ipv4 total length 19 (< IHL * 4)", tot_len_19, DP_R_PASS_MALFORMED},
	{"ipv4 total length 0", tot_len_0, DP_R_PASS_MALFORMED},
	{"ipv4 ethertype, version 6", v4_version6, DP_R_PASS_MALFORMED},
	{"ipv4 ethertype, version 0", v4_version0, DP_R_PASS_MALFORMED},
	{"ipv4 ethertype, version 15", v4_version15, DP_R_PASS_MALFORMED},
	{"ipv6 ethertype, version 4", v6_version4, DP_R_PASS_MALFORMED},
	{"ipv6 payload length beyond the frame", v6_payload_long, DP_R_PASS_MALFORMED},
	{"ipv4 bad header checksum", bad_csum, DP_R_PASS_MALFORMED},
	{"ipv4 from 127.0.0.1", src_loopback, DP_R_PASS_MARTIAN},
	{"ipv4 from 0.0.0.1", src_zeronet, DP_R_PASS_MARTIAN},
	{"ipv4 from a multicast address", src_mcast, DP_R_PASS_MARTIAN},
	{"ipv4 from 255.255.255.255", src_bcast, DP_R_PASS_MARTIAN},
	{"ipv4 to 127.0.0.1", dst_loopback, DP_R_PASS_MARTIAN},
	{"ipv4 to 0.1.2.3", dst_zeronet, DP_R_PASS_MARTIAN},
	{"ipv6 from ::1", src6_loopback, DP_R_PASS_MARTIAN},
	{"ipv6 from a multicast address", src6_mcast, DP_R_PASS_MARTIAN},
	{"ipv6 to ::1", dst6_loopback, DP_R_PASS_MARTIAN},
	{"ipv6 from ::", src6_unspecified, DP_R_PASS_MARTIAN},
	{"ipv6 to ::", dst6_unspecified, DP_R_PASS_MARTIAN},
	{"ipv6 from a v4-mapped address", src6_v4mapped, DP_R_PASS_MARTIAN},
};

static const struct trunc_case {
	const char *name;
	void (*build)(struct tpkt *p);
} truncs[] = {
	{"ipv4 tcp", tcp4},
	{"ipv4 udp", udp4_nopayload},
	{"ipv6 tcp", tcp6},
	{"ipv6 icmpv6", icmp6},
};

/*
 * The shortest frame BPF_PROG_TEST_RUN runs a program on: an Ethernet
 * header, and for TC (on this kernel) also the fixed IPv4/IPv6 header its
 * ethertype announces. Shorter frames it refuses with -EINVAL; the TC
 * program's handling of those is exercised on a real interface in
 * test_live.c.
 */
static size_t test_run_min_len(enum dp_hook hook, const struct tpkt *p)
{
	if (hook == DP_HOOK_XDP)
		return ETH_HLEN;
	if (ntohs(((const struct ethhdr *)p->buf)->h_proto) == ETH_P_IPV6)
		return ETH_HLEN + sizeof(struct ipv6hdr);
	return ETH_HLEN + sizeof(struct iphdr);
}

/*
 * Cut a forwardable packet at every length: every cut the program sees is
 * a truncated IP packet; the ones test_run refuses are not run at all.
 */
static void test_truncated(struct harness *h, enum dp_hook hook,
			   const struct trunc_case *tc)
{
	struct tpkt full, p;
	struct h_result r;
	size_t len, min_len;

	tc->build(&full);
	min_len = test_run_min_len(hook, &full);
	t_begin("%s: %s cut at every length 0..%zu is never forwarded",
		h_hook_name(hook), tc->name, full.len - 1);
	for (len = 0; len < full.len; len++) {
		p = full;
		p.len = len;
		h_run(h, hook, &p, &r);
		if (len < min_len) {
			T_CHECK(r.err == -EINVAL && r.counted == 0,
				"cut at %zu: err %d, %d counted", len, r.err,
				r.counted);
			continue;
		}
		T_CHECK(r.err == 0 && r.verdict == h_verdict_pass(hook),
			"cut at %zu: err %d verdict %u", len, r.err, r.verdict);
		T_CHECK(r.counted == 1 && r.reason == DP_R_PASS_MALFORMED,
			"cut at %zu: counted %d as %s", len, r.counted,
			h_reason_name(r.reason));
	}
	t_end();

	/* The uncut packet is forwarded: the cuts alone made the difference. */
	t_begin("%s: %s uncut is forwarded", h_hook_name(hook), tc->name);
	h_run(h, hook, &full, &r);
	expect_fwd(&r, hook, &full, DP_R_FWD, TAG_NHG100);
	t_end();
}

void test_malformed(struct harness *h)
{
	struct h_result r;
	struct tpkt p;

	topo_setup(h);
	for (int i = 0; i < DP_HOOK_MAX; i++)
		for (size_t k = 0; k < sizeof(truncs) / sizeof(truncs[0]); k++)
			test_truncated(h, hooks[i], &truncs[k]);

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		bad[k].build(&p);
		for (int i = 0; i < DP_HOOK_MAX; i++) {
			t_begin("%s: %s -> %s", h_hook_name(hooks[i]),
				bad[k].name, h_reason_name(bad[k].reason));
			h_run(h, hooks[i], &p, &r);
			expect_pass(&r, hooks[i], &p, bad[k].reason);
			t_end();
		}
	}

	/* Ethernet padding after the IP packet is legal (minimum frame size).
	 */
	tpkt_ipv4(&p, SRC4, DST4_FWD, IPPROTO_UDP, 1, 2, 0);
	p.len = 60;
	for (int i = 0; i < DP_HOOK_MAX; i++) {
		t_begin("%s: ipv4 padded to 60 bytes is forwarded",
			h_hook_name(hooks[i]));
		h_run(h, hooks[i], &p, &r);
		expect_fwd(&r, hooks[i], &p, DP_R_FWD, TAG_NHG100);
		t_end();
	}
}
