// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IPv4 header checksum after the TTL decrement (incremental update,
 * RFC 1624) must equal a full recomputation over the rewritten header,
 * bit for bit, for any header: random ones, and ones whose checksum sits
 * where one's complement arithmetic wraps (0x0000, 0xfeff, 0xffxx...).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "dp_test.h"
#include "tests.h"
#include "topo.h"

#define CSUM_RANDOM 2000
#define CSUM_PER_TARGET 25
#define CSUM_SEED 0x2545f491u

static uint32_t rng_state;

static uint32_t rng(void)
{
	/* xorshift32: reproducible across runs and machines. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* A unicast address the datapath routes (not martian, not link-local). */
static uint32_t random_unicast(void)
{
	for (;;) {
		uint32_t a = rng();
		uint8_t o0 = a >> 24;

		if (o0 == 0 || o0 == 127 || o0 >= 224 ||
		    (a >> 16) == 0xa9fe /* 169.254/16 */)
			continue;
		return htonl(a);
	}
}

static void random_header(struct tpkt *p)
{
	static const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP,
					 IPPROTO_GRE, 200};
	struct iphdr *ip4;
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	uint32_t s = random_unicast(), d = random_unicast();

	inet_ntop(AF_INET, &s, src, sizeof(src));
	inet_ntop(AF_INET, &d, dst, sizeof(dst));
	tpkt_ipv4(p, src, dst, protos[rng() % sizeof(protos)], rng(), rng(),
		  rng() % 64);
	ip4 = tpkt_ip4(p);
	ip4->tos = rng();
	ip4->id = rng();
	ip4->ttl = 2 + rng() % 254;
	/* DF, none, or a fragment (MF and/or an offset). */
	ip4->frag_off = htons((rng() % 3 == 0) ? 0x4000
			      : (rng() % 2)    ? 0
					       : (rng() & 0x3fff));
	tpkt_ipv4_fix_csum(p);
}

/* Choose the IP id so that the header checksum comes out as `target`. */
static void force_csum(struct tpkt *p, uint16_t target)
{
	struct iphdr *ip4 = tpkt_ip4(p);
	uint32_t id;

	/* With id 0 the checksum is ~S; the id must add ~target - S. */
	ip4->id = 0;
	tpkt_ipv4_fix_csum(p);
	id = (uint16_t)~target + ntohs(ip4->check);
	id = (id & 0xffff) + (id >> 16);
	ip4->id = htons(id);
	tpkt_ipv4_fix_csum(p);
}

/* Run one header; false (with a message) on a mismatch. */
static bool csum_run(struct harness *h, enum dp_hook hook, const struct tpkt *p)
{
	const struct iphdr *in = (const struct iphdr *)(p->buf + ETH_HLEN);
	struct iphdr *out;
	struct h_result r;
	uint16_t want;

	h_run(h, hook, p, &r);
	if (!T_CHECK(r.err == 0 && r.verdict == h_verdict_fwd(hook) &&
			     r.out_len == p->len,
		     "ttl %u check %04x: err %d verdict %u reason %s", in->ttl,
		     ntohs(in->check), r.err, r.verdict,
		     h_reason_name(r.reason)))
		return false;
	out = (struct iphdr *)(r.out + ETH_HLEN);
	if (!T_CHECK(out->ttl == in->ttl - 1, "ttl %u -> %u", in->ttl,
		     out->ttl))
		return false;

	{
		struct iphdr copy = *out;

		copy.check = 0;
		want = tpkt_csum(&copy, sizeof(copy));
	}
	return T_CHECK(out->check == want,
		       "check %04x ttl %u: updated to %04x, full recomputation "
		       "gives %04x",
		       ntohs(in->check), in->ttl, ntohs(out->check),
		       ntohs(want));
}

void test_csum(struct harness *h)
{
	static const uint16_t targets[] = {0x0000, 0x0001, 0x00ff, 0x0100,
					   0x7fff, 0x8000, 0xfdff, 0xfefe,
					   0xfeff, 0xff00, 0xff01, 0xfffe};
	struct dp_path path = h_path(H_OUT_IFINDEX, TAG_NHG100,
				     DP_PATH_F_RESOLVED | DP_PATH_F_GW, 1500);
	struct tpkt p;
	int n;

	/* Only a default route, so that every random destination takes it. */
	h_reset(h);
	h_nhg(h, 100, &path, 1);
	h_route4(h, "0.0.0.0/0", DP_RT_NHG, 100);

	for (int i = 0; i < DP_HOOK_MAX; i++) {
		rng_state = CSUM_SEED;
		t_begin("%s: checksum after TTL-1 equals full recomputation, "
			"%d random headers",
			h_hook_name(hooks[i]), CSUM_RANDOM);
		for (n = 0; n < CSUM_RANDOM; n++) {
			random_header(&p);
			csum_run(h, hooks[i], &p);
		}
		t_end();

		t_begin("%s: checksum update at the wrap points (%zu values "
			"x %d headers, 0x0000..0xfffe)",
			h_hook_name(hooks[i]),
			sizeof(targets) / sizeof(targets[0]), CSUM_PER_TARGET);
		for (size_t k = 0; k < sizeof(targets) / sizeof(targets[0]);
		     k++) {
			for (n = 0; n < CSUM_PER_TARGET; n++) {
				random_header(&p);
				force_csum(&p, targets[k]);
				if (!T_CHECK(ntohs(tpkt_ip4(&p)->check) ==
						     targets[k],
					     "could not build checksum %04x",
					     targets[k]))
					continue;
				csum_run(h, hooks[i], &p);
			}
		}
		t_end();
	}
}
