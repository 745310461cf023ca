// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The programs on real (veth) interfaces, in a private network namespace
 * of this process (no name, gone when the test exits; kernel forwarding
 * off, as in a new namespace). What BPF_PROG_TEST_RUN cannot show:
 *  - XDP's metadata reaches TC ingress, which then neither re-decides nor
 *    re-counts the packet;
 *  - XDP and TC really send packets out of the right interface, rewritten;
 *  - TC forwards to an unresolved neighbour with bpf_redirect_neigh: the
 *    kernel resolves it (ARP) and the packet arrives;
 *  - TC handles frames shorter than an IP header (test_run refuses them);
 *  - a filter after ours on TC ingress sees what we pass up, and only that.
 *
 *   sender dpu1 ==veth== dpu0 [XDP + TC ingress] ... dpu2 ==veth== dpu3 capture
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "dp_test.h"
#include "expect.h"
#include "tests.h"
#include "topo.h"
#include "xdp_main.skel.h"

#define LIVE_IN_STATS 20
#define LIVE_OUT_STATS 21
#define LIVE_NHG_OK 400
#define LIVE_NHG_ARP 401
#define LIVE_GW "192.0.2.77" /* dpu3's address: answers ARP */
#define LIVE_TC_PRIO 0xc000	  /* ours, as maps/dp_maps.c attaches it */

struct live {
	int in, sender, out, capture; /* ifindexes of dpu0..dpu3 */
	int tx_fd, rx_fd;	      /* AF_PACKET on dpu1 / dpu3 */
	uint8_t out_mac[ETH_ALEN], capture_mac[ETH_ALEN]; /* dpu2, dpu3 */
};

/*
 * The namespace's interfaces. No IPv6: its autoconfiguration traffic would
 * disturb the counts. dpu2's ARP request comes from an address of this
 * same namespace, which dpu3 would otherwise ignore as martian.
 */
static const char *const live_cmds[] = {
	"echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6",
	"echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6",
	"ip link set lo up",
	"ip link add dpu0 address 02:00:00:00:00:01 type veth peer name dpu1",
	"ip link add dpu2 address 02:00:00:00:20:01 type veth "
	"peer name dpu3 address 02:00:00:00:10:01",
	"ip addr add 192.0.2.2/24 dev dpu2",
	"ip addr add " LIVE_GW "/24 dev dpu3",
	"echo 1 > /proc/sys/net/ipv4/conf/dpu3/accept_local",
	"for i in 0 1 2 3; do ip link set dpu$i up || exit 1; done",
	/* XDP can redirect into a veth only if its peer runs NAPI. */
	"ethtool -K dpu3 gro on >/dev/null",
};

static void msleep(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int packet_socket(int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	struct timeval tv = {.tv_usec = 200000};
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int live_setup(struct harness *h, struct live *l)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, tc);
	struct dp_path path;
	int err;

	if (unshare(CLONE_NEWNET))
		return -errno;
	for (size_t i = 0; i < sizeof(live_cmds) / sizeof(live_cmds[0]); i++) {
		char cmd[512];

		/*
		 * $DP_TEST_IP: iproute2's ip where a busybox shell would run
		 * its own ip applet first (no veth there): Debian 6.1 under
		 * qemu (tests/qemu).
		 */
		snprintf(cmd, sizeof(cmd),
			 "ip() { command \"${DP_TEST_IP:-ip}\" \"$@\"; }; %s",
			 live_cmds[i]);
		if (system(cmd)) {
			t_note("failed: %s", live_cmds[i]);
			return -ENODEV;
		}
	}
	l->in = if_nametoindex("dpu0");
	l->sender = if_nametoindex("dpu1");
	l->out = if_nametoindex("dpu2");
	l->capture = if_nametoindex("dpu3");
	h_path_dmac(1, l->capture_mac);
	memcpy(l->out_mac, l->capture_mac, ETH_ALEN);
	l->out_mac[4] = 0x20; /* h_path()'s smac: 02:00:00:00:20:01 */

	h_reset(h);
	h_intf_del(h, H_IN_IFINDEX);
	h_intf(h, l->in, tpkt_router_mac,
	       DP_INTF_F_ENABLED | DP_INTF_F_XDP | DP_INTF_F_TC | DP_INTF_F_UP,
	       1500, LIVE_IN_STATS);
	h_intf(h, l->out, l->out_mac, DP_INTF_F_UP, 1500, LIVE_OUT_STATS);
	path = h_path(l->out, 1, DP_PATH_F_RESOLVED | DP_PATH_F_GW, 1500);
	h_nhg(h, LIVE_NHG_OK, &path, 1);
	path = h_path(l->out, 2, DP_PATH_F_GW, 1500);
	inet_pton(AF_INET, LIVE_GW, &path.gw[0]);
	h_nhg(h, LIVE_NHG_ARP, &path, 1);
	h_route4(h, "198.51.100.0/24", DP_RT_NHG, LIVE_NHG_OK);
	h_route4(h, "198.51.101.0/24", DP_RT_NHG, LIVE_NHG_ARP);
	h_route4(h, "192.0.2.1/32", DP_RT_LOCAL, 0);

	err = bpf_xdp_attach(l->in, h->prog_fd[DP_HOOK_XDP], XDP_FLAGS_DRV_MODE,
			     NULL);
	if (err)
		return err;
	hook.ifindex = l->in;
	err = bpf_tc_hook_create(&hook);
	if (err)
		return err;
	tc.prog_fd = h->prog_fd[DP_HOOK_TC];
	tc.priority = LIVE_TC_PRIO;
	err = bpf_tc_attach(&hook, &tc);
	if (err)
		return err;

	l->tx_fd = packet_socket(l->sender);
	l->rx_fd = packet_socket(l->capture);
	return l->tx_fd < 0 || l->rx_fd < 0 ? -errno : 0;
}

static int live_send(struct live *l, const void *frame, size_t len)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_ifindex = l->sender,
		.sll_halen = ETH_ALEN,
	};

	memcpy(to.sll_addr, tpkt_router_mac, ETH_ALEN);
	return sendto(l->tx_fd, frame, len, 0, (struct sockaddr *)&to,
		      sizeof(to)) == (ssize_t)len
		       ? 0
		       : -errno;
}

/* Wait up to ~1 s for a counter to grow by `want` from `base`; the growth. */
static uint64_t wait_count(struct harness *h, enum dp_hook hook,
			   enum dp_reason reason, uint64_t base, uint64_t want)
{
	uint64_t n = 0;

	for (int i = 0; i < 100; i++) {
		n = h_count(h, hook, reason) - base;
		if (n >= want)
			break;
		msleep(10);
	}
	return n;
}

static uint64_t hook_total(struct harness *h, enum dp_hook hook)
{
	uint64_t n = 0;

	for (int r = 0; r < DP_R_MAX; r++)
		n += h_count(h, hook, r);
	return n;
}

/* The frame with IPv4 id `id` arriving on dpu3 within ~1 s, or length 0. */
static size_t live_capture(struct live *l, uint16_t id, uint8_t *buf,
			   size_t size)
{
	for (int tries = 0; tries < 5;) {
		ssize_t n = recv(l->rx_fd, buf, size, 0);
		const struct iphdr *ip4 =
			(const struct iphdr *)(buf + ETH_HLEN);

		if (n < 0) {
			tries++;
			continue;
		}
		if (n >= ETH_HLEN + (ssize_t)sizeof(*ip4) && buf[12] == 0x08 &&
		    buf[13] == 0x00 && ntohs(ip4->id) == id)
			return n;
	}
	return 0;
}

static void live_check_arrival(struct live *l, const struct tpkt *p,
			       uint16_t id)
{
	uint8_t buf[2048];
	size_t n = live_capture(l, id, buf, sizeof(buf));
	const struct iphdr *ip4 = (const struct iphdr *)(buf + ETH_HLEN);

	if (!T_CHECK(n == p->len, "captured %zu bytes on dpu3, want %zu", n,
		     p->len))
		return;
	T_CHECK(!memcmp(buf, l->capture_mac, ETH_ALEN),
		"destination MAC is not dpu3's");
	T_CHECK(!memcmp(buf + ETH_ALEN, l->out_mac, ETH_ALEN),
		"source MAC is not dpu2's");
	T_EQ(ip4->ttl, 63, "TTL on arrival");
	T_EQ(tpkt_csum(ip4, sizeof(*ip4)), 0, "IPv4 checksum verifies");
}

/*
 * A user's TC filter after ours (a higher priority number): counts every
 * packet it sees in count_fd's only element and returns TC_ACT_UNSPEC.
 * Written as instructions, so that it is a program of nobody's build but
 * the kernel's verifier.
 */
static int live_counter_attach(int ifindex, int count_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, tc, .priority = LIVE_TC_PRIO + 1);
	const struct bpf_insn insns[] = {
		/* *(u32 *)(fp - 4) = 0 */
		{.code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = 10, .off = -4},
		/* r1 = count map */
		{.code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = 1,
		 .src_reg = BPF_PSEUDO_MAP_FD, .imm = count_fd},
		{},
		/* r2 = fp - 4 */
		{.code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 2,
		 .src_reg = 10},
		{.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 2, .imm = -4},
		{.code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem},
		/* if r0 == 0 goto exit */
		{.code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = 0, .off = 2},
		/* lock *(u64 *)r0 += 1 */
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 1, .imm = 1},
		{.code = BPF_STX | BPF_DW | BPF_ATOMIC, .dst_reg = 0,
		 .src_reg = 1, .imm = BPF_ADD},
		/* return TC_ACT_UNSPEC */
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = -1},
		{.code = BPF_JMP | BPF_EXIT},
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "live_count", "GPL",
			       insns, sizeof(insns) / sizeof(insns[0]), NULL);

	if (fd < 0)
		return fd;
	tc.prog_fd = fd;
	return bpf_tc_attach(&hook, &tc);
}

static uint64_t live_counted(int count_fd)
{
	uint32_t key = 0;
	uint64_t n = 0;

	bpf_map_lookup_elem(count_fd, &key, &n);
	return n;
}

void test_live(struct harness *h)
{
	struct live l = {.tx_fd = -1, .rx_fd = -1};
	struct dp_intf_stats before, after;
	uint64_t xdp0, tc0, fwd0, base;
	struct tpkt p;
	int err;

	t_begin("live: veth pairs in a private netns, XDP (native) and TC "
		"attached");
	err = live_setup(h, &l);
	T_EQ(err, 0, "setup");
	if (!t_end())
		goto out;

	t_begin("live: XDP passes a local packet; TC sees the metadata and "
		"does not count it");
	tpkt_ipv4(&p, SRC4, DST4_LOCAL, IPPROTO_UDP, 1, 7, 10);
	h_istats(h, LIVE_IN_STATS, &before);
	tc0 = hook_total(h, DP_HOOK_TC);
	base = h_count(h, DP_HOOK_XDP, DP_R_PASS_LOCAL);
	T_EQ(live_send(&l, p.buf, p.len), 0, "send");
	T_EQ(wait_count(h, DP_HOOK_XDP, DP_R_PASS_LOCAL, base, 1), 1,
	     "xdp PASS_LOCAL count");
	msleep(50);
	T_EQ(hook_total(h, DP_HOOK_TC) - tc0, 0, "packets counted by TC");
	h_istats(h, LIVE_IN_STATS, &after);
	T_EQ(after.rx_packets - before.rx_packets, 1, "interface rx_packets");
	t_end();

	t_begin("live: XDP forwards out dpu2, the packet arrives rewritten");
	tpkt_ipv4(&p, SRC4, "198.51.100.7", IPPROTO_UDP, 1, 7, 10);
	tpkt_ip4(&p)->id = htons(0x5101);
	tpkt_ipv4_fix_csum(&p);
	base = h_count(h, DP_HOOK_XDP, DP_R_FWD);
	T_EQ(live_send(&l, p.buf, p.len), 0, "send");
	T_EQ(wait_count(h, DP_HOOK_XDP, DP_R_FWD, base, 1), 1, "xdp FWD count");
	live_check_arrival(&l, &p, 0x5101);
	t_end();

	t_begin("live: unresolved gateway: TC forwards via the kernel's "
		"neighbour table (ARP), forwarding off");
	{
		FILE *f = fopen("/proc/sys/net/ipv4/ip_forward", "r");
		int fwd = -1;

		if (f) {
			if (fscanf(f, "%d", &fwd) != 1)
				fwd = -1;
			fclose(f);
		}
		T_EQ(fwd, 0, "net.ipv4.ip_forward in the test namespace");
	}
	xdp0 = hook_total(h, DP_HOOK_XDP);
	tpkt_ipv4(&p, SRC4, "198.51.101.7", IPPROTO_UDP, 1, 7, 10);
	tpkt_ip4(&p)->id = htons(0x5102);
	tpkt_ipv4_fix_csum(&p);
	base = h_count(h, DP_HOOK_TC, DP_R_FWD_NEIGH);
	T_EQ(live_send(&l, p.buf, p.len), 0, "send");
	T_EQ(wait_count(h, DP_HOOK_TC, DP_R_FWD_NEIGH, base, 1), 1,
	     "tc FWD_NEIGH count");
	T_EQ(hook_total(h, DP_HOOK_XDP) - xdp0, 0, "packets counted by XDP");
	live_check_arrival(&l, &p, 0x5102);
	t_end();

	t_begin("live: a packet XDP meters and hands to TC is metered once");
	{
		struct dp_policer pol = {
			.meter = {.mode = DP_POLICER_SRTCM, .cir_kbps = 8,
				  .cbs = 100000},
		};
		struct dp_policer_state st = {
			.tokens = (__u64)100000 << 32,
		};
		struct dp_policer_stats v[256];
		uint32_t id = 9, idx = id * DP_COLOURS + DP_GREEN;
		uint64_t green = 0;
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		st.last_ns = (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
		memset(v, 0, sizeof(v));
		bpf_map_update_elem(bpf_map__fd(h->xdp->maps.policer_map), &id,
				    &pol, BPF_ANY);
		bpf_map_update_elem(
			bpf_map__fd(h->xdp->maps.policer_state_map), &id, &st,
			BPF_ANY);
		bpf_map_update_elem(
			bpf_map__fd(h->xdp->maps.policer_stats_map), &idx, v,
			BPF_ANY);
		bpf_map_update_elem(bpf_map__fd(h->xdp->maps.policer_intf_map),
				    &l.in, &id, BPF_ANY);
		h_meta_flags(h, DP_META_F_POLICE);
		tpkt_ipv4(&p, SRC4, "198.51.101.8", IPPROTO_UDP, 1, 7, 10);
		tpkt_ip4(&p)->id = htons(0x5103);
		tpkt_ipv4_fix_csum(&p);
		base = h_count(h, DP_HOOK_TC, DP_R_FWD_NEIGH);
		T_EQ(live_send(&l, p.buf, p.len), 0, "send");
		T_EQ(wait_count(h, DP_HOOK_TC, DP_R_FWD_NEIGH, base, 1), 1,
		     "tc FWD_NEIGH count");
		bpf_map_lookup_elem(
			bpf_map__fd(h->xdp->maps.policer_stats_map), &idx, v);
		for (int i = 0; i < h->ncpus; i++)
			green += v[i].packets;
		T_EQ(green, 1, "green packets metered (XDP, not again at TC)");
		bpf_map_delete_elem(bpf_map__fd(h->xdp->maps.policer_intf_map),
				    &l.in);
		h_meta_flags(h, 0);
	}
	t_end();

	t_begin("live: a filter after ours on TC ingress sees what we pass up, "
		"not what we forward");
	{
		int count_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "live_count",
					      4, 8, 1, NULL);
		uint64_t c0;

		T_CHECK(count_fd >= 0, "counter map: %s", strerror(errno));
		T_EQ(live_counter_attach(l.in, count_fd), 0,
		     "the counting filter attached after ours");
		c0 = live_counted(count_fd);
		/* passed up: XDP to TC (metadata), TC to the next filter */
		tpkt_ipv4(&p, SRC4, DST4_LOCAL, IPPROTO_UDP, 1, 7, 10);
		base = h_count(h, DP_HOOK_XDP, DP_R_PASS_LOCAL);
		T_EQ(live_send(&l, p.buf, p.len), 0, "send");
		T_EQ(wait_count(h, DP_HOOK_XDP, DP_R_PASS_LOCAL, base, 1), 1,
		     "xdp PASS_LOCAL count");
		msleep(50);
		T_EQ(live_counted(count_fd) - c0, 1,
		     "the local packet reached the filter after ours");
		/* forwarded by XDP, and by TC: neither reaches it */
		tpkt_ipv4(&p, SRC4, "198.51.100.7", IPPROTO_UDP, 1, 7, 10);
		tpkt_ip4(&p)->id = htons(0x5104);
		tpkt_ipv4_fix_csum(&p);
		T_EQ(live_send(&l, p.buf, p.len), 0, "send");
		live_check_arrival(&l, &p, 0x5104);
		tpkt_ipv4(&p, SRC4, "198.51.101.9", IPPROTO_UDP, 1, 7, 10);
		tpkt_ip4(&p)->id = htons(0x5105);
		tpkt_ipv4_fix_csum(&p);
		T_EQ(live_send(&l, p.buf, p.len), 0, "send");
		live_check_arrival(&l, &p, 0x5105);
		T_EQ(live_counted(count_fd) - c0, 1,
		     "forwarded packets (XDP, TC) never reached it");
		{
			LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = l.in,
				    .attach_point = BPF_TC_INGRESS);
			LIBBPF_OPTS(bpf_tc_opts, tc,
				    .priority = LIVE_TC_PRIO + 1, .handle = 1);

			bpf_tc_detach(&hook, &tc);
		}
		if (count_fd >= 0)
			close(count_fd);
	}
	t_end();

	t_begin("live: TC alone decides and counts what XDP no longer sees");
	bpf_xdp_detach(l.in, XDP_FLAGS_DRV_MODE, NULL);
	tpkt_ipv4(&p, SRC4, DST4_LOCAL, IPPROTO_UDP, 1, 7, 10);
	base = h_count(h, DP_HOOK_TC, DP_R_PASS_LOCAL);
	T_EQ(live_send(&l, p.buf, p.len), 0, "send");
	T_EQ(wait_count(h, DP_HOOK_TC, DP_R_PASS_LOCAL, base, 1), 1,
	     "tc PASS_LOCAL count");
	tpkt_ipv4(&p, SRC4, "198.51.100.7", IPPROTO_UDP, 1, 7, 10);
	tpkt_ip4(&p)->id = htons(0x5103);
	tpkt_ipv4_fix_csum(&p);
	base = h_count(h, DP_HOOK_TC, DP_R_FWD);
	T_EQ(live_send(&l, p.buf, p.len), 0, "send");
	T_EQ(wait_count(h, DP_HOOK_TC, DP_R_FWD, base, 1), 1, "tc FWD count");
	live_check_arrival(&l, &p, 0x5103);
	t_end();

	t_begin("live: TC passes frames shorter than an IPv4 header as "
		"MALFORMED");
	tpkt_ipv4(&p, SRC4, "198.51.100.7", IPPROTO_UDP, 1, 7, 10);
	base = h_count(h, DP_HOOK_TC, DP_R_PASS_MALFORMED);
	fwd0 = h_count(h, DP_HOOK_TC, DP_R_FWD);
	for (size_t len = ETH_HLEN; len < ETH_HLEN + sizeof(struct iphdr);
	     len++)
		T_EQ(live_send(&l, p.buf, len), 0, "send");
	T_EQ(wait_count(h, DP_HOOK_TC, DP_R_PASS_MALFORMED, base,
			sizeof(struct iphdr)),
	     sizeof(struct iphdr), "tc PASS_MALFORMED count");
	T_EQ(h_count(h, DP_HOOK_TC, DP_R_FWD) - fwd0, 0, "tc FWD count");
	t_end();

out:
	if (l.tx_fd >= 0)
		close(l.tx_fd);
	if (l.rx_fd >= 0)
		close(l.rx_fd);
	/* The namespace and its interfaces go away with this process. */
}
