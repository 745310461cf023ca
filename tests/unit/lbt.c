// SPDX-License-Identifier: GPL-2.0-or-later
/* LB, conntrack and NAT maps for the tests, filled as the plugin will (lbt.h). */
#include <arpa/inet.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <netinet/in.h>

#include "dp_test.h"
#include "lbt.h"

#include "topo.h"
#include "xdp_main.skel.h"

/* Ids and VIP slots the tests use: reset clears these. */
#define LBT_IDS 64
#define LBT_VIPS 16

static void *lbt_mmap(struct bpf_map *map, size_t *len)
{
	void *mem;

	*len = (size_t)bpf_map__value_size(map) * bpf_map__max_entries(map);
	mem = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   bpf_map__fd(map), 0);
	assert(mem != MAP_FAILED);
	return mem;
}

void lbt_open(struct lbt *t, struct harness *h)
{
	const struct xdp_main *x = h->xdp;
	size_t len;

	memset(t, 0, sizeof(*t));
	t->h = h;
	t->vip = bpf_map__fd(x->maps.lb_vip_map);
	t->ring = bpf_map__fd(x->maps.lb_ring_map);
	t->vip_backends = bpf_map__fd(x->maps.lb_vip_backends);
	t->backend = bpf_map__fd(x->maps.lb_backend_map);
	t->be_stats = bpf_map__fd(x->maps.lb_be_stats_map);
	t->be_conns = bpf_map__fd(x->maps.lb_be_conns_map);
	t->rr = bpf_map__fd(x->maps.lb_rr_map);
	t->persist = bpf_map__fd(x->maps.lb_persist_map);
	t->ct4 = bpf_map__fd(x->maps.ct4_map);
	t->ct6 = bpf_map__fd(x->maps.ct6_map);
	t->nat_src = bpf_map__fd(x->maps.nat_src_map);

	t->ring_mm = lbt_mmap(x->maps.lb_ring_map, &len);
	t->ring_slots = len / sizeof(uint32_t);
	t->conns_mm = lbt_mmap(x->maps.lb_be_conns_map, &len);
	t->filter_mm = lbt_mmap(x->maps.ct_filter_map, &len);
}

void lbt_close(struct lbt *t)
{
	munmap(t->ring_mm, (size_t)t->ring_slots * sizeof(uint32_t));
	munmap(t->conns_mm, DP_LB_BACKENDS_MAX_DEFAULT * sizeof(uint64_t));
	munmap(t->filter_mm, DP_CT_FILTER_WORDS * sizeof(uint64_t));
}

static void lbt_clear(int fd)
{
	uint8_t key[64];

	while (bpf_map_get_next_key(fd, NULL, key) == 0)
		assert(bpf_map_delete_elem(fd, key) == 0);
}

/* Zero an array entry (per-CPU ones for every CPU). */
static void lbt_zero(struct lbt *t, int fd, uint32_t key, size_t size,
		     bool percpu)
{
	size_t n = percpu ? size * t->h->ncpus : size;
	void *zero = calloc(1, n);

	assert(zero && bpf_map_update_elem(fd, &key, zero, BPF_ANY) == 0);
	free(zero);
}

void lbt_reset(struct lbt *t)
{
	struct harness *h = t->h;
	struct dp_path p;

	topo_setup(h);
	p = h_path(H_OUT_IFINDEX, LBT_TAG_CLIENT,
		   DP_PATH_F_RESOLVED | DP_PATH_F_GW, TOPO_OUT_MTU);
	h_nhg(h, 106, &p, 1);
	h_route4(h, "10.0.0.0/8", DP_RT_NHG, 106);
	h_route6(h, "2001:db8:ffff::/48", DP_RT_NHG, 106);
	h_meta_flags(h, DP_META_F_CT | DP_META_F_LB | DP_META_F_SNAT |
			       DP_META_F_CT_FILTER);

	lbt_clear(t->vip);
	lbt_clear(t->ct4);
	lbt_clear(t->ct6);
	lbt_clear(t->persist);
	lbt_clear(t->nat_src);
	memset(t->filter_mm, 0, DP_CT_FILTER_WORDS * sizeof(uint64_t));
	memset(t->ring_mm, 0, (size_t)t->ring_slots * sizeof(uint32_t));
	memset(t->conns_mm, 0, LBT_IDS * sizeof(uint64_t));
	for (uint32_t i = 0; i < LBT_IDS; i++) {
		lbt_zero(t, t->backend, i, sizeof(struct dp_lb_backend),
			 false);
		lbt_zero(t, t->be_stats, i, sizeof(struct dp_lb_backend_stats),
			 true);
	}
	for (uint32_t i = 0; i < LBT_VIPS; i++) {
		lbt_zero(t, t->vip_backends, i,
			 sizeof(struct dp_lb_vip_backends), false);
		lbt_zero(t, t->rr, i, sizeof(uint32_t), true);
	}
}

uint8_t lbt_addr_words(const char *s, uint32_t *addr)
{
	memset(addr, 0, 16);
	if (strchr(s, ':')) {
		assert(inet_pton(AF_INET6, s, addr) == 1);
		return AF_INET6;
	}
	assert(inet_pton(AF_INET, s, addr) == 1);
	return AF_INET;
}

void lbt_backend(struct lbt *t, uint32_t id, const char *addr, uint16_t port,
		 uint32_t vip_id, bool up)
{
	struct dp_lb_backend b = {
		.port = htons(port),
		.vip_id = vip_id,
		.weight = 1,
		.flags = up ? DP_LB_BE_F_UP : 0,
	};

	b.family = lbt_addr_words(addr, b.addr);
	lbt_filter_add(t, addr, DP_CT_ADDR_F_SRC);
	assert(bpf_map_update_elem(t->backend, &id, &b, BPF_ANY) == 0);
}

static void lbt_filter_words(struct lbt *t, uint8_t family,
			     const uint32_t *addr, uint32_t role)
{
	uint32_t bit = dp_ct_filter_bit(family, role, addr);

	t->filter_mm[bit / 64] |= 1ull << (bit % 64);
}

void lbt_filter_add(struct lbt *t, const char *addr, uint32_t role)
{
	uint32_t a[4];
	uint8_t family = lbt_addr_words(addr, a);

	lbt_filter_words(t, family, a, role);
}

/* A health change: one flag, one array update (atomic per element). */
void lbt_backend_up(struct lbt *t, uint32_t id, bool up)
{
	struct dp_lb_backend b;

	assert(bpf_map_lookup_elem(t->backend, &id, &b) == 0);
	b.flags = up ? b.flags | DP_LB_BE_F_UP : b.flags & ~DP_LB_BE_F_UP;
	assert(bpf_map_update_elem(t->backend, &id, &b, BPF_ANY) == 0);
}

void lbt_ring(struct lbt *t, uint32_t base, const uint32_t *ids,
	      unsigned int n)
{
	assert(base + n <= t->ring_slots);
	memcpy(t->ring_mm + base, ids, n * sizeof(*ids));
}

void lbt_vip_put(struct lbt *t, const char *addr, uint8_t proto,
		 uint16_t port, const struct dp_lb_vip *v)
{
	struct dp_lb_vip_key k = {.proto = proto, .port = htons(port)};

	k.family = lbt_addr_words(addr, k.addr);
	lbt_filter_add(t, addr, DP_CT_ADDR_F_DST);
	if (v->nat_mode == DP_LB_NAT_FULLNAT)
		lbt_filter_words(t, k.family, v->fnat_addr, DP_CT_ADDR_F_DST);
	assert(bpf_map_update_elem(t->vip, &k, v, BPF_ANY) == 0);
}

struct dp_lb_vip lbt_vip(struct lbt *t, uint32_t vip_id, const char *addr,
			 uint8_t proto, uint16_t port, uint8_t algorithm,
			 uint8_t nat_mode, uint32_t ring_base,
			 const uint32_t *ids, unsigned int n, unsigned int copies)
{
	struct dp_lb_vip v = {
		.vip_id = vip_id,
		.algorithm = algorithm,
		.nat_mode = nat_mode,
		.ring_base = ring_base,
		.ring_size = n * copies,
		.hash_seed = 0x5eed,
		.fnat_port_min = 40000,
		.fnat_port_max = 40999,
	};
	struct dp_lb_vip_backends list = {.n = n};

	/* The ring is written before the VIP points at it. */
	for (unsigned int c = 0; c < copies; c++)
		lbt_ring(t, ring_base + c * n, ids, n);
	memcpy(list.id, ids, n * sizeof(*ids));
	assert(bpf_map_update_elem(t->vip_backends, &vip_id, &list,
				   BPF_ANY) == 0);
	lbt_addr_words(strchr(addr, ':') ? LBT_LB6 : LBT_LB4, v.fnat_addr);
	lbt_vip_put(t, addr, proto, port, &v);
	return v;
}

void lbt_nat_src(struct lbt *t, const char *prefix, uint32_t ifindex,
		 const char *const *pool, unsigned int n, uint16_t port_min,
		 uint16_t port_max)
{
	struct dp_nat_src_key k = {};
	struct dp_nat_src v = {
		.out_ifindex = ifindex,
		.n_addrs = n,
		.port_min = port_min,
		.port_max = port_max,
	};
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", prefix);
	slash = strchr(buf, '/');
	assert(slash && n <= DP_NAT_POOL_MAX);
	*slash = '\0';
	k.family = lbt_addr_words(buf, k.addr);
	k.prefixlen = 32 + atoi(slash + 1);
	for (unsigned int i = 0; i < n; i++) {
		lbt_addr_words(pool[i], v.addrs[i]);
		lbt_filter_add(t, pool[i], DP_CT_ADDR_F_DST);
	}
	assert(bpf_map_update_elem(t->nat_src, &k, &v, BPF_ANY) == 0);
}

void lbt_ct_key(struct dp_ct_key *k, uint8_t proto, const char *saddr,
		uint16_t sport, const char *daddr, uint16_t dport)
{
	memset(k, 0, sizeof(*k));
	k->proto = proto;
	k->family = lbt_addr_words(saddr, k->saddr);
	lbt_addr_words(daddr, k->daddr);
	k->sport = htons(sport);
	k->dport = htons(dport);
}

/* The key's table, and the key as that table holds it (dp_abi.h). */
static int lbt_ct_table(struct lbt *t, const struct dp_ct_key *k,
			struct dp_ct4_key *k4, const void **map_key)
{
	if (k->family == AF_INET) {
		dp_ct4_key_pack(k, k4);
		*map_key = k4;
		return t->ct4;
	}
	*map_key = k;
	return t->ct6;
}

bool lbt_ct_get(struct lbt *t, uint8_t proto, const char *saddr,
		uint16_t sport, const char *daddr, uint16_t dport,
		struct dp_ct_val *v)
{
	struct dp_ct_key k;
	struct dp_ct4_key k4;
	const void *mk;
	int fd;

	lbt_ct_key(&k, proto, saddr, sport, daddr, dport);
	fd = lbt_ct_table(t, &k, &k4, &mk);
	return bpf_map_lookup_elem(fd, mk, v) == 0;
}

void lbt_ct_put(struct lbt *t, const struct dp_ct_key *k,
		const struct dp_ct_val *v)
{
	struct dp_ct4_key k4;
	const void *mk;
	int fd = lbt_ct_table(t, k, &k4, &mk);

	assert(bpf_map_update_elem(fd, mk, v, BPF_ANY) == 0);
}

static unsigned int lbt_map_count(int fd)
{
	struct dp_ct_key k, next; /* the larger key of the two tables */
	unsigned int n = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

unsigned int lbt_ct_count(struct lbt *t)
{
	return lbt_map_count(t->ct4) + lbt_map_count(t->ct6);
}

uint64_t lbt_conns(struct lbt *t, uint32_t id)
{
	return __atomic_load_n(&t->conns_mm[id], __ATOMIC_RELAXED);
}

void lbt_set_conns(struct lbt *t, uint32_t id, uint64_t n)
{
	__atomic_store_n(&t->conns_mm[id], n, __ATOMIC_RELAXED);
}

void lbt_be_stats(struct lbt *t, uint32_t id, struct dp_lb_backend_stats *s)
{
	struct dp_lb_backend_stats vals[t->h->ncpus];

	memset(s, 0, sizeof(*s));
	assert(bpf_map_lookup_elem(t->be_stats, &id, vals) == 0);
	for (int c = 0; c < t->h->ncpus; c++) {
		s->packets += vals[c].packets;
		s->bytes += vals[c].bytes;
	}
}

/* Set the L4 ports (or an echo's id) of a built packet. */
static void lbt_set_ports(struct tpkt *p, uint8_t proto, uint16_t sport,
			  uint16_t dport)
{
	uint8_t *l4 = tpkt_l4(p);
	uint16_t s = htons(sport), d = htons(dport);

	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		/* echo request: id = sport; reply: id = dport */
		uint16_t id = sport ? s : d;

		if (!sport)
			l4[0] = proto == IPPROTO_ICMP ? 0 : ICMPV6_ECHO_REPLY;
		memcpy(l4 + 4, &id, 2);
		return;
	}
	memcpy(l4, &s, 2);
	memcpy(l4 + 2, &d, 2);
}

void lbt_pkt(struct tpkt *p, uint8_t proto, const char *src, uint16_t sport,
	     const char *dst, uint16_t dport, uint8_t tcp_flags)
{
	if (strchr(src, ':'))
		tpkt_ipv6(p, src, dst, proto, 0, 0, 16);
	else
		tpkt_ipv4(p, src, dst, proto, 0, 0, 16);
	lbt_set_ports(p, proto, sport, dport);
	if (proto == IPPROTO_TCP)
		tpkt_l4(p)[13] = tcp_flags;
	/* some payload, so that the checksums are not trivial */
	for (size_t i = p->len - 16; i < p->len; i++)
		p->buf[i] = (uint8_t)(i * 37 + 11);
	tpkt_fix_csums(p);
}

void lbt_expect_nat(const struct h_result *r, enum dp_hook hook,
		    const struct tpkt *in, enum dp_reason reason, int tag,
		    const char *src, uint16_t sport, const char *dst,
		    uint16_t dport)
{
	struct tpkt want = *in;
	struct ethhdr *eth = tpkt_eth(&want);
	bool v6 = ntohs(eth->h_proto) == ETH_P_IPV6;
	uint8_t proto = v6 ? tpkt_ip6(&want)->nexthdr
			   : tpkt_ip4(&want)->protocol;
	uint16_t l4_check;
	size_t i;

	T_EQ(r->err, 0, "test_run error");
	T_CHECK(r->counted == 1 && r->hook == hook && r->reason == reason,
		"want one %s/%s count, got %d counters moved (last %s/%s)",
		h_hook_name(hook), h_reason_name(reason), r->counted,
		h_hook_name(r->hook), h_reason_name(r->reason));
	T_EQ(r->verdict, h_verdict_fwd(hook), "verdict");

	if (tag >= 0) {
		h_path_dmac(tag, eth->h_dest);
		h_path_dmac(tag, eth->h_source);
		eth->h_source[4] = 0x20;
	} else {
		/* redirect_neigh: the kernel writes the MACs later */
	}
	memcpy(&l4_check, tpkt_l4(&want) + (proto == IPPROTO_TCP   ? 16
					    : proto == IPPROTO_UDP ? 6
								   : 2),
	       2);
	if (v6) {
		struct ipv6hdr *ip6 = tpkt_ip6(&want);

		ip6->hop_limit--;
		assert(inet_pton(AF_INET6, src, &ip6->saddr) == 1);
		assert(inet_pton(AF_INET6, dst, &ip6->daddr) == 1);
	} else {
		struct iphdr *ip4 = tpkt_ip4(&want);

		ip4->ttl--;
		assert(inet_pton(AF_INET, src, &ip4->saddr) == 1);
		assert(inet_pton(AF_INET, dst, &ip4->daddr) == 1);
	}
	lbt_set_ports(&want, proto, sport, dport);
	if (proto == IPPROTO_UDP && !v6 && l4_check == 0)
		tpkt_ipv4_fix_csum(&want); /* no UDP checksum stays none */
	else
		tpkt_fix_csums(&want);

	if (!T_CHECK(r->out_len == want.len, "out length %u, want %zu",
		     r->out_len, want.len))
		return;
	for (i = 0; i < want.len; i++) {
		if (tag < 0 && i < 2 * ETH_ALEN)
			continue;
		if (r->out[i] != want.buf[i])
			break;
	}
	T_CHECK(i == want.len,
		"byte %zu is %02x, want %02x (%s -> %s:%u, checksums "
		"recomputed in full)",
		i, i < want.len ? r->out[i] : 0, i < want.len ? want.buf[i] : 0,
		src, dst, dport);
}

/* The bytes of an inner packet an ICMP error carries. */
static size_t lbt_inner_len(const struct tpkt *inner, bool cut)
{
	bool v6 = ntohs(((const struct ethhdr *)inner->buf)->h_proto) ==
		  ETH_P_IPV6;

	return cut ? (v6 ? 40 : 20) + 8 : inner->len - ETH_HLEN;
}

void lbt_icmp_error(struct tpkt *p, const char *router, const char *to,
		    const struct tpkt *inner, bool cut)
{
	bool v6 = strchr(to, ':') != NULL;
	size_t ilen = lbt_inner_len(inner, cut);

	if (v6)
		tpkt_ipv6(p, router, to, IPPROTO_ICMPV6, 0, 0, ilen);
	else
		tpkt_ipv4(p, router, to, IPPROTO_ICMP, 0, 0, ilen);
	tpkt_l4(p)[0] = v6 ? 1 : 3; /* destination unreachable */
	tpkt_l4(p)[1] = v6 ? 3 : 1; /* address / host unreachable */
	memcpy(tpkt_l4(p) + 8, inner->buf + ETH_HLEN, ilen);
	tpkt_fix_csums(p);
}

void lbt_expect_icmp_error(const struct h_result *r, const struct tpkt *in,
			   const struct tpkt *inner, bool cut, int tag,
			   const char *to, const char *src, uint16_t sport,
			   const char *dst, uint16_t dport)
{
	struct tpkt x = *inner, want = *in;
	bool v6 = strchr(to, ':') != NULL;
	size_t ilen = lbt_inner_len(inner, cut), i;

	/* the inner packet as the other end sent it */
	if (v6) {
		assert(inet_pton(AF_INET6, src, &tpkt_ip6(&x)->saddr) == 1);
		assert(inet_pton(AF_INET6, dst, &tpkt_ip6(&x)->daddr) == 1);
	} else {
		assert(inet_pton(AF_INET, src, &tpkt_ip4(&x)->saddr) == 1);
		assert(inet_pton(AF_INET, dst, &tpkt_ip4(&x)->daddr) == 1);
	}
	lbt_set_ports(&x, v6 ? tpkt_ip6(&x)->nexthdr : tpkt_ip4(&x)->protocol,
		      sport, dport);
	if (cut) {
		/* only the IP header checksum can be recomputed */
		uint8_t l4[8];

		memcpy(l4, tpkt_l4(&x), 8);
		tpkt_fix_csums(&x);
		memcpy(tpkt_l4(&x), l4, 8);
	} else {
		tpkt_fix_csums(&x);
	}

	h_path_dmac(tag, tpkt_eth(&want)->h_dest);
	h_path_dmac(tag, tpkt_eth(&want)->h_source);
	tpkt_eth(&want)->h_source[4] = 0x20;
	if (v6) {
		tpkt_ip6(&want)->hop_limit--;
		assert(inet_pton(AF_INET6, to, &tpkt_ip6(&want)->daddr) == 1);
	} else {
		tpkt_ip4(&want)->ttl--;
		assert(inet_pton(AF_INET, to, &tpkt_ip4(&want)->daddr) == 1);
	}
	memcpy(tpkt_l4(&want) + 8, x.buf + ETH_HLEN, ilen);
	tpkt_fix_csums(&want);

	T_EQ(r->err, 0, "test_run error");
	T_CHECK(r->counted == 1 && r->reason == DP_R_FWD,
		"want one FWD count, got %d (last %s)", r->counted,
		h_reason_name(r->reason));
	T_EQ(r->verdict, TC_ACT_REDIRECT_, "verdict");
	if (!T_CHECK(r->out_len == want.len, "out length %u, want %zu",
		     r->out_len, want.len))
		return;
	for (i = 0; i < want.len && r->out[i] == want.buf[i]; i++)
		;
	T_CHECK(i == want.len,
		"byte %zu is %02x, want %02x (error translated to %s, inner "
		"%s -> %s, checksums recomputed in full)",
		i, i < want.len ? r->out[i] : 0, i < want.len ? want.buf[i] : 0,
		to, src, dst);
}
