// SPDX-License-Identifier: GPL-2.0-or-later
/* The FIB under test next to its reference (fixture.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "fib/dp_fib_int.h"
#include "dp_test.h"
#include "fake_bpf.h"
#include "fixture.h"
#include "../../bpf/lib/fib6_tree.h"

uint32_t tfib_dxr_routes_max;

bool tfib_open(struct tfib *t, uint32_t vals_max, uint32_t tbl8_groups,
	       uint32_t fib6_max)
{
	memset(t, 0, sizeof(*t));
	t->m.vals_max = vals_max;
	t->m.val_fd = fake_array(sizeof(struct dp_rt_val), vals_max);
	t->m.tbl24_fd = fake_array_mmap(DP_FIB4_TBL24_ENTRIES);
	t->m.tbl8_groups = tbl8_groups;
	t->m.tbl8_fd =
		fake_array_mmap(tbl8_groups * DP_FIB4_TBL8_GROUP_ENTRIES);
	t->m.fib6_max = fib6_max;
	t->m.fib6_fd = fake_hash(sizeof(struct dp_fib6_key),
				 sizeof(struct dp_fib6_node), fib6_max);
	/* 32-bit entries: two per filter word */
	t->m.fib6_filter_fd = fake_array_mmap(DP_FIB6_FILTER_WORDS * 2);
	t->m.dxr_dir_fd = fake_array_mmap(DP_FIB4_DXR_CHUNKS);
	t->m.dxr_range_blocks = TFIB_DXR_RANGE_BLOCKS;
	t->m.dxr_range_fd = fake_array_mmap(TFIB_DXR_RANGE_BLOCKS *
					    DP_FIB4_TBL8_GROUP_ENTRIES);
	t->m.dxr_routes_max = tfib_dxr_routes_max;
	t->m.dxr6_dir_fd = fake_array_mmap(DP_FIB6_DXR_CHUNKS);
	t->m.dxr6_range_blocks = TFIB_DXR_RANGE_BLOCKS;
	/* 64-bit entries: two 32-bit units each */
	t->m.dxr6_range_fd = fake_array_mmap(TFIB_DXR_RANGE_BLOCKS *
					     DP_FIB6_DXR_RANGE_BLOCK * 2);
	t->m.dxr6_routes_max = tfib_dxr_routes_max;
	ref_init(&t->r4, 32);
	ref_init(&t->r6, 128);
	t->fib = dp_fib_open(&t->m);
	return T_CHECK(t->fib, "dp_fib_open: %m");
}

void tfib_close(struct tfib *t)
{
	dp_fib_close(t->fib);
	fake_close(t->m.val_fd);
	fake_close(t->m.tbl24_fd);
	fake_close(t->m.tbl8_fd);
	fake_close(t->m.fib6_fd);
	fake_close(t->m.fib6_filter_fd);
	fake_close(t->m.dxr_dir_fd);
	fake_close(t->m.dxr_range_fd);
	fake_close(t->m.dxr6_dir_fd);
	fake_close(t->m.dxr6_range_fd);
	ref_fini(&t->r4);
	ref_fini(&t->r6);
}

static void tfib_be(unsigned int bits, const uint32_t *addr, uint32_t *be)
{
	unsigned int w;

	for (w = 0; w < bits / 32; w++)
		be[w] = htonl(addr[w]);
}

int tfib_add(struct tfib *t, unsigned int bits, const uint32_t *addr,
	     unsigned int len, const struct dp_rt_val *val)
{
	uint32_t be[4];
	int err;

	tfib_be(bits, addr, be);
	if (bits == 32)
		err = dp_fib_add4(t->fib, be[0], len, val);
	else
		err = dp_fib_add6(t->fib, be, len, val);
	/* the ranges built after every update: each is a batch here (and
	 * a pass over every chunk completed) */
	dp_fib_commit_all(t->fib);
	if (!err)
		ref_set(bits == 32 ? &t->r4 : &t->r6, addr, len, val);
	return err;
}

int tfib_del(struct tfib *t, unsigned int bits, const uint32_t *addr,
	     unsigned int len)
{
	uint32_t be[4];
	int err;

	tfib_be(bits, addr, be);
	if (bits == 32)
		err = dp_fib_del4(t->fib, be[0], len);
	else
		err = dp_fib_del6(t->fib, be, len);
	dp_fib_commit_all(t->fib);
	if (!err)
		ref_del(bits == 32 ? &t->r4 : &t->r6, addr, len);
	return err;
}

static void tfib_fmt(unsigned int bits, const uint32_t *addr, char *buf,
		     size_t size)
{
	uint32_t be[4];

	tfib_be(bits, addr, be);
	inet_ntop(bits == 32 ? AF_INET : AF_INET6, be, buf, size);
}

bool tfib_val_is(struct tfib *t, uint32_t id, const struct dp_rt_val *want,
		 struct dp_rt_val *got)
{
	memset(got, 0, sizeof(*got));
	if (id)
		bpf_map_lookup_elem(t->m.val_fd, &id, got);
	if (!want)
		return !id;
	return id && got->nhg_id == want->nhg_id &&
	       got->ifindex == want->ifindex && got->type == want->type;
}

bool tfib_check(struct tfib *t, unsigned int bits, const uint32_t *addr)
{
	const struct ref_route *want =
		ref_lookup(bits == 32 ? &t->r4 : &t->r6, addr);
	struct dp_rt_val got;
	char a[64], p[64];
	uint32_t be[4], id;

	tfib_be(bits, addr, be);
	id = bits == 32 ? dp_fib_lookup4(t->fib, be[0])
			: dp_fib_lookup6(t->fib, be);
	if (tfib_val_is(t, id, want ? &want->val : NULL, &got))
		return true;
	tfib_fmt(bits, addr, a, sizeof(a));
	if (want)
		tfib_fmt(bits, want->addr, p, sizeof(p));
	return T_CHECK(false, "%s: got id %u (nhg %u type %u), want %s%s/%d",
		       a, id, got.nhg_id, got.type, want ? "" : "no route",
		       want ? p : "", want ? want->len : -1);
}

/* The first address, the last, one inside, and the neighbours outside. */
static unsigned int tfib_edges(struct tfib *t, unsigned int bits,
			       const struct ref_route *r)
{
	const uint32_t ones[4] = {~0u, ~0u, ~0u, ~0u};
	uint32_t a[4], mask[4], host[4];
	unsigned int w, bad = 0;

	ref_mask(ones, r->len, mask);
	for (w = 0; w < 4; w++)
		host[w] = w < bits / 32 ? ~mask[w] : 0;
	memcpy(a, r->addr, sizeof(a));
	bad += !tfib_check(t, bits, a);
	for (w = 0; w < 4; w++)
		a[w] = r->addr[w] | host[w];
	bad += !tfib_check(t, bits, a);
	for (w = 0; w < 4; w++)
		a[w] = r->addr[w] | (rnd() & host[w]);
	bad += !tfib_check(t, bits, a);
	/* one past the last address: increment the 128-bit number */
	for (w = 0; w < 4; w++)
		a[w] = r->addr[w] | host[w];
	for (w = bits / 32; w-- > 0 && ++a[w] == 0;)
		;
	bad += !tfib_check(t, bits, a);
	/* one before the first */
	for (w = 0; w < 4; w++)
		a[w] = r->addr[w];
	for (w = bits / 32; w-- > 0 && a[w]-- == 0;)
		;
	bad += !tfib_check(t, bits, a);
	return bad;
}

/*
 * fib6's filter is exact: a bit is set iff some fib6_map node hashes to it
 * (a clear bit of a node would make the datapath miss a route; a set bit of
 * none only costs a lookup, but means the counts went wrong).
 */
static unsigned int tfib_filter_check(struct tfib *t)
{
	uint64_t *want = calloc(DP_FIB6_FILTER_WORDS, sizeof(*want));
	const uint64_t *have = t->fib->v6.filter;
	struct dp_fib6_key key, *prev = NULL;
	unsigned int bad = 0;
	uint32_t b, w;

	if (!T_CHECK(want && have, "fib6 filter mapped"))
		return 1;
	while (!bpf_map_get_next_key(t->m.fib6_fd, prev, &key)) {
		b = dp_fib6_filter_bit(&key);
		want[b / 64] |= 1ull << (b % 64);
		prev = &key;
	}
	for (w = 0; w < DP_FIB6_FILTER_WORDS; w++)
		if (have[w] != want[w] && bad++ < 3)
			T_CHECK(false, "fib6 filter word %u: %#llx, nodes say %#llx",
				w, (unsigned long long)have[w],
				(unsigned long long)want[w]);
	free(want);
	return bad;
}

/* The /24s holding a route longer than /24: the tbl8 groups needed. */
static uint32_t tfib_groups_needed(const struct ref *r4)
{
	uint32_t i, j, n = 0;

	for (i = 0; i < r4->n; i++) {
		if (r4->r[i].len <= 24)
			continue;
		for (j = 0; j < i; j++)
			if (r4->r[j].len > 24 &&
			    r4->r[j].addr[0] >> 8 == r4->r[i].addr[0] >> 8)
				break;
		n += j == i;
	}
	return n;
}

unsigned int tfib_verify(struct tfib *t, unsigned int bits, unsigned int n)
{
	const struct ref *ref = bits == 32 ? &t->r4 : &t->r6;
	struct dp_fib_stats st;
	unsigned int bad = 0, i;
	uint32_t a[4] = {0};

	for (i = 0; i < ref->n; i++)
		bad += tfib_edges(t, bits, &ref->r[i]);
	for (i = 0; i < n; i++) {
		rnd_addr(bits, a);
		bad += !tfib_check(t, bits, a);
	}
	dp_fib_stats(t->fib, &st);
	bad += !T_EQ(st.routes4, t->r4.n, "routes4");
	bad += !T_EQ(st.routes6, t->r6.n, "routes6");
	bad += !T_EQ(st.vals_used, ref_distinct_vals(&t->r4, &t->r6),
		     "value ids in use");
	bad += !T_EQ(st.fib6_nodes, fake_count(t->m.fib6_fd), "fib6 nodes");
	if (bits == 128)
		bad += tfib_filter_check(t);
	if (bits == 32)
		bad += !T_EQ(st.tbl8_used, tfib_groups_needed(&t->r4),
			     "tbl8 groups in use");
	return bad;
}

static int tfib_key_cmp(const void *pa, const void *pb)
{
	return memcmp(pa, pb, sizeof(struct dp_fib6_key));
}

static void tfib_key(const uint32_t *addr, unsigned int len,
		     struct dp_fib6_key *k)
{
	uint32_t m[4];

	ref_mask(addr, len, m);
	k->prefixlen = len;
	tfib_be(128, m, k->addr);
}

/* The marker keys the routes need, sorted, duplicates kept. */
static struct dp_fib6_key *tfib_markers6(const struct ref *r6, uint32_t *n)
{
	struct dp_fib6_key *k = malloc((r6->n + 1) * DP_FIB6_PROBES * sizeof(*k));
	__u32 len, step;
	uint32_t i;

	if (!k)
		abort();
	*n = 0;
	for (i = 0; i < r6->n; i++) {
		len = DP_FIB6_ROOT_LEN;
		step = DP_FIB6_ROOT_STEP;
		while (len != r6->r[i].len) {
			bool longer = r6->r[i].len > len;

			if (longer)
				tfib_key(r6->r[i].addr, len, &k[(*n)++]);
			dp_fib6_tree_next(&len, &step, longer);
		}
	}
	qsort(k, *n, sizeof(*k), tfib_key_cmp);
	return k;
}

unsigned int tfib_check_nodes6(struct tfib *t)
{
	uint32_t i, nm, expect = 0, addr[4];
	struct dp_fib6_key *m = tfib_markers6(&t->r6, &nm), key, *prev = NULL;
	const struct ref_route *best;
	struct dp_fib6_node node;
	struct dp_rt_val val;
	unsigned int bad = 0, w;
	bool prefix, marker;

	/* Expected nodes: the routes, plus the markers that are not. */
	for (i = 0; i < nm; i++) {
		if (i && !tfib_key_cmp(&m[i - 1], &m[i]))
			continue;
		for (w = 0; w < 4; w++)
			addr[w] = ntohl(m[i].addr[w]);
		expect += !ref_find(&t->r6, addr, m[i].prefixlen);
	}
	expect += t->r6.n;
	bad += !T_EQ(fake_count(t->m.fib6_fd), expect, "fib6 map nodes");

	while (!bpf_map_get_next_key(t->m.fib6_fd, prev, &key)) {
		prev = &key;
		bpf_map_lookup_elem(t->m.fib6_fd, &key, &node);
		for (w = 0; w < 4; w++)
			addr[w] = ntohl(key.addr[w]);
		prefix = ref_find(&t->r6, addr, key.prefixlen);
		marker = bsearch(&key, m, nm, sizeof(*m), tfib_key_cmp);
		best = ref_best(&t->r6, addr, key.prefixlen);
		bad += !T_CHECK(prefix || marker,
				"node /%u is neither route nor marker",
				key.prefixlen);
		bad += !T_EQ(!!(node.flags & DP_FIB6_F_PREFIX), prefix,
			     "node's prefix flag");
		bad += !T_EQ(!!(node.flags & DP_FIB6_F_MARKER), marker,
			     "node's marker flag");
		bad += !T_CHECK(tfib_val_is(t, node.val_id,
					    best ? &best->val : NULL, &val),
				"node /%u: best match id %u (nhg %u), want %s/%d",
				key.prefixlen, node.val_id, val.nhg_id,
				best ? "a route" : "none", best ? best->len : -1);
	}
	free(m);
	return bad;
}

static uint64_t tfib_digest_fd(int fd, size_t bytes)
{
	static uint64_t buf[8192];
	uint64_t h = 0;
	size_t off, i, n;

	for (off = 0; off < bytes; off += n) {
		n = bytes - off < sizeof(buf) ? bytes - off : sizeof(buf);
		if (pread(fd, buf, n, off) != (ssize_t)n)
			abort();
		for (i = 0; i < n / 8; i++)
			h = (h ^ buf[i]) * 0x100000001b3ull + i;
	}
	return h;
}

uint64_t tfib_digest(struct tfib *t)
{
	return tfib_digest_fd(t->m.tbl24_fd, DP_FIB4_TBL24_ENTRIES * 4ul) ^
	       tfib_digest_fd(t->m.tbl8_fd, t->m.tbl8_groups *
						    DP_FIB4_TBL8_GROUP_ENTRIES *
						    4ul) * 3 ^
	       fake_digest(t->m.fib6_fd) * 5;
}

void rnd_addr(unsigned int bits, uint32_t *addr)
{
	/* Half of them in four small regions, where prefixes pile up. */
	static const uint32_t hot4[4] = {0x0a000000, 0x0a010000, 0xc6336400,
					 0x64400000};
	unsigned int w;

	for (w = 0; w < 4; w++)
		addr[w] = w < bits / 32 ? rnd() : 0;
	if (rnd_below(2))
		return;
	if (bits == 32) {
		addr[0] = hot4[rnd_below(4)] | (addr[0] & 0x3ff);
	} else {
		addr[0] = 0x20010db8;
		addr[1] = (rnd_below(4) << 16) | (addr[1] & 0xff);
	}
}

unsigned int rnd_len(unsigned int bits)
{
	unsigned int r = rnd_below(1000);

	/* Very short ones (/0 too) rewrite up to all of tbl24: rare. */
	if (r < 5)
		return rnd_below(8) * bits / 32;
	r /= 10;
	if (r < 30)
		return bits == 32 ? 24 : 48;
	if (r < 40)
		return bits == 32 ? 32 : 128;
	if (r < 50 && bits == 128)
		return 64;
	return bits == 32 ? 8 + rnd_below(25) : rnd_below(129);
}

struct dp_rt_val rnd_val(uint32_t nvals)
{
	struct dp_rt_val v = {.type = DP_RT_NHG, .nhg_id = 1 + rnd_below(nvals)};

	if (v.nhg_id % 7 == 0) {
		v.type = DP_RT_CONNECTED;
		v.ifindex = v.nhg_id;
		v.nhg_id = 0;
	}
	return v;
}

unsigned int tfib_addr(const char *text, uint32_t *addr)
{
	uint32_t be[4] = {0};
	unsigned int w;

	if (inet_pton(AF_INET, text, be) == 1) {
		memset(addr, 0, 4 * sizeof(*addr));
		addr[0] = ntohl(be[0]);
		return 32;
	}
	if (inet_pton(AF_INET6, text, be) != 1)
		abort();
	for (w = 0; w < 4; w++)
		addr[w] = ntohl(be[w]);
	return 128;
}

int tfib_add_nhg(struct tfib *t, const char *prefix, unsigned int len,
		 uint32_t nhg_id)
{
	struct dp_rt_val v = {.type = DP_RT_NHG, .nhg_id = nhg_id};
	uint32_t a[4];
	unsigned int bits = tfib_addr(prefix, a);

	return tfib_add(t, bits, a, len, &v);
}

int tfib_del_text(struct tfib *t, const char *prefix, unsigned int len)
{
	uint32_t a[4];
	unsigned int bits = tfib_addr(prefix, a);

	return tfib_del(t, bits, a, len);
}

uint32_t tfib_nhg_of(struct tfib *t, const char *addr)
{
	struct dp_rt_val v = {0};
	uint32_t a[4], be[4] = {0}, id;
	unsigned int bits = tfib_addr(addr, a);

	tfib_be(bits, a, be);
	id = bits == 32 ? dp_fib_lookup4(t->fib, be[0])
			: dp_fib_lookup6(t->fib, be);
	if (id)
		bpf_map_lookup_elem(t->m.val_fd, &id, &v);
	return id ? v.nhg_id : 0;
}
