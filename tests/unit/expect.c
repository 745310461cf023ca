// SPDX-License-Identifier: GPL-2.0-or-later
/* Common result checks (expect.h). */
#include <arpa/inet.h>
#include <string.h>

#include "dp_test.h"
#include "expect.h"

static void expect_counted(const struct h_result *r, enum dp_hook hook,
			   const struct tpkt *in, enum dp_reason reason)
{
	T_EQ(r->err, 0, "test_run error");
	T_CHECK(r->counted == 1 && r->hook == hook && r->reason == reason,
		"want one %s/%s count, got %d counters moved (last %s/%s)",
		h_hook_name(hook), h_reason_name(reason), r->counted,
		h_hook_name(r->hook), h_reason_name(r->reason));
	T_EQ(r->packets, 1, "counted packets");
	T_EQ(r->bytes, in->len, "counted bytes");
	T_EQ(r->istats.rx_packets, 1, "interface rx_packets");
	T_EQ(r->istats.rx_bytes, in->len, "interface rx_bytes");
}

/* Is byte i of the frame one that forwarding may change? */
static bool expect_mutable(const struct tpkt *in, size_t i, bool macs)
{
	if (i < 2 * ETH_ALEN)
		return macs;
	if (ntohs(((const struct ethhdr *)in->buf)->h_proto) == ETH_P_IPV6)
		return i == ETH_HLEN + 7; /* hop limit */
	return i == ETH_HLEN + 8 || i == ETH_HLEN + 10 || i == ETH_HLEN + 11;
}

void expect_fwd(const struct h_result *r, enum dp_hook hook,
		const struct tpkt *in, enum dp_reason reason, int tag)
{
	const struct ethhdr *eth = (const struct ethhdr *)r->out;
	uint8_t dmac[ETH_ALEN];
	size_t i, diffs = 0;

	expect_counted(r, hook, in, reason);
	T_EQ(r->verdict, h_verdict_fwd(hook), "verdict");
	T_EQ(r->istats.fwd_packets, 1, "interface fwd_packets");
	T_EQ(r->istats.fwd_bytes, in->len, "interface fwd_bytes");
	T_EQ(r->istats.pass_packets, 0, "interface pass_packets");
	T_CHECK(!r->has_meta, "a forwarded packet carries no XDP metadata");
	if (!T_CHECK(r->out_len == in->len, "out length %u, want %zu",
		     r->out_len, in->len))
		return;

	if (tag >= 0) {
		h_path_dmac(tag, dmac);
		T_CHECK(!memcmp(eth->h_dest, dmac, ETH_ALEN),
			"destination MAC is not path %d's", tag);
		dmac[4] = 0x20; /* h_path(): smac 02:00:00:00:20:tag */
		T_CHECK(!memcmp(eth->h_source, dmac, ETH_ALEN),
			"source MAC is not path %d's", tag);
	}
	for (i = 0; i < in->len; i++)
		if (r->out[i] != in->buf[i] && !expect_mutable(in, i, tag >= 0))
			diffs++;
	T_EQ(diffs, 0, "bytes changed that forwarding must not touch");

	if (ntohs(((const struct ethhdr *)in->buf)->h_proto) == ETH_P_IPV6) {
		T_EQ(r->out[ETH_HLEN + 7], in->buf[ETH_HLEN + 7] - 1,
		     "hop limit");
	} else {
		T_EQ(r->out[ETH_HLEN + 8], in->buf[ETH_HLEN + 8] - 1, "TTL");
		T_EQ(tpkt_csum(r->out + ETH_HLEN, (r->out[ETH_HLEN] & 0xf) * 4),
		     0, "IPv4 header checksum verifies");
	}
}

void expect_pass(const struct h_result *r, enum dp_hook hook,
		 const struct tpkt *in, enum dp_reason reason)
{
	expect_counted(r, hook, in, reason);
	T_EQ(r->verdict, h_verdict_pass(hook), "verdict");
	T_EQ(r->istats.pass_packets, 1, "interface pass_packets");
	T_EQ(r->istats.fwd_packets, 0, "interface fwd_packets");
	T_CHECK(r->out_len == in->len && !memcmp(r->out, in->buf, in->len),
		"a passed packet must leave unchanged");
	if (hook != DP_HOOK_XDP)
		return;
	T_CHECK(r->has_meta && r->meta.magic == DP_XDP_META_MAGIC,
		"XDP pass without dp_xdp_meta");
	T_CHECK(r->meta.reason == reason, "meta reason %s, want %s",
		h_reason_name(r->meta.reason), h_reason_name(reason));
}
