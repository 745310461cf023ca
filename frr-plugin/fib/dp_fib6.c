// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv6 FIB: binary search on prefix lengths (Waldvogel et al.) in
 * fib6_map, kept in step with a user-space index.
 *
 * A prefix /L needs a marker at every length m < L where the search for
 * /L goes longer (fib6_tree.h); every map node carries the value of the
 * best matching prefix at or above its own position ("bmp"). The index is
 * a path-compressed binary trie holding the prefixes and markers (entries)
 * plus the branching nodes between them, so that the entries whose bmp a
 * prefix decides (those under it, minus what longer prefixes cover) are
 * one subtree walk away.
 *
 * An update first changes the trie and records the map writes it implies
 * (key, old node, new node) in order; the writes are then applied, and if
 * one fails the applied ones are reverted and the trie update is undone
 * by its inverse, so a failure leaves the FIB as it was. The order keeps
 * every lookup on the old or the new answer:
 *   add P:    markers (bmp from the table without P), then P, then the
 *             bmps under P;
 *   delete P: the bmps under P (to P's own best cover), then P, then the
 *             markers no prefix needs any more.
 * A marker whose bmp is right is harmless to any search, so extra markers
 * in between never change an answer. Map updates replace whole elements,
 * so a node's value and flags change together.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>

#include "fib/dp_fib_int.h"
#include "../../bpf/lib/fib6_tree.h"

struct dp_fib6_tnode {
	uint32_t addr[4]; /* host-order words, masked to len */
	struct dp_fib6_tnode *child[2];
	struct dp_fib6_tnode *parent;
	uint32_t val;	  /* DP_FIB6_F_PREFIX: the route's value id */
	uint32_t bmp;	  /* what the map node holds */
	uint32_t markers; /* prefixes whose search passes here going longer */
	uint8_t len;
	uint8_t bmp_len; /* length of the prefix bmp comes from */
	uint8_t flags;	 /* DP_FIB6_F_*; 0: a branching node only */
};

struct dp_fib6_op {
	struct dp_fib6_key key;
	struct dp_fib6_node old, new;
	bool had_old, has_new;
};

/* An update inserts at most this many trie nodes (entry + branch each). */
#define DP_FIB6_SPARES (2 * (DP_FIB6_PROBES + 1))

/* --------------------------------------------------------- addresses */

static unsigned int dp_fib6_bit(const uint32_t *a, unsigned int i)
{
	return (a[i >> 5] >> (31 - (i & 31))) & 1;
}

/* How many leading bits a and b share, at most max. */
static unsigned int dp_fib6_common(const uint32_t *a, const uint32_t *b,
				   unsigned int max)
{
	unsigned int n = 0, w;
	uint32_t x;

	for (w = 0; w < 4 && n < max; w++) {
		x = a[w] ^ b[w];
		if (x) {
			n += __builtin_clz(x);
			break;
		}
		n += 32;
	}
	return n < max ? n : max;
}

static void dp_fib6_maskto(const uint32_t *in, unsigned int len,
			   uint32_t *out)
{
	int w, bits;

	for (w = 0; w < 4; w++) {
		bits = (int)len - 32 * w;
		if (bits <= 0)
			out[w] = 0;
		else if (bits >= 32)
			out[w] = in[w];
		else
			out[w] = in[w] & (0xffffffffu << (32 - bits));
	}
}

static void dp_fib6_mkkey(const uint32_t *addr, unsigned int len,
			struct dp_fib6_key *key)
{
	int w;

	key->prefixlen = len;
	for (w = 0; w < 4; w++)
		key->addr[w] = htonl(addr[w]);
}

/* The lengths at which the search for a /len goes longer: its markers. */
static unsigned int dp_fib6_markers(unsigned int len, uint8_t *out)
{
	__u32 l = DP_FIB6_ROOT_LEN, step = DP_FIB6_ROOT_STEP;
	unsigned int n = 0;

	while (l != len) {
		if (len > l)
			out[n++] = l;
		dp_fib6_tree_next(&l, &step, len > l);
	}
	return n;
}

/* -------------------------------------------------------------- trie */

static struct dp_fib6_tnode **dp_fib6_slot(struct dp_fib6 *f,
					   struct dp_fib6_tnode *n)
{
	struct dp_fib6_tnode *p = n->parent;

	return p ? &p->child[dp_fib6_bit(n->addr, p->len)] : &f->root;
}

static struct dp_fib6_tnode *dp_fib6_alloc(struct dp_fib6 *f,
					   const uint32_t *addr,
					   unsigned int len)
{
	struct dp_fib6_tnode *n = f->spare;

	f->spare = n->child[0];
	f->nspare--;
	memset(n, 0, sizeof(*n));
	dp_fib6_maskto(addr, len, n->addr);
	n->len = len;
	return n;
}

static void dp_fib6_free(struct dp_fib6 *f, struct dp_fib6_tnode *n)
{
	n->child[0] = f->spare;
	f->spare = n;
	f->nspare++;
}

/* The node of (addr, len), entry or not; NULL if absent. */
static struct dp_fib6_tnode *dp_fib6_find(const struct dp_fib6 *f,
					  const uint32_t *addr,
					  unsigned int len)
{
	struct dp_fib6_tnode *n = f->root;

	while (n && n->len <= len) {
		if (dp_fib6_common(n->addr, addr, n->len) < n->len)
			return NULL;
		if (n->len == len)
			return n;
		n = n->child[dp_fib6_bit(addr, n->len)];
	}
	return NULL;
}

/* The topmost node whose prefix extends (addr, len), or NULL. */
static struct dp_fib6_tnode *dp_fib6_under(const struct dp_fib6 *f,
					   const uint32_t *addr,
					   unsigned int len)
{
	struct dp_fib6_tnode *n = f->root;

	while (n && n->len < len) {
		if (dp_fib6_common(n->addr, addr, n->len) < n->len)
			return NULL;
		n = n->child[dp_fib6_bit(addr, n->len)];
	}
	if (n && dp_fib6_common(n->addr, addr, len) < len)
		return NULL;
	return n;
}

/* The node of (addr, len), created (from the spares) if absent. */
static struct dp_fib6_tnode *dp_fib6_insert(struct dp_fib6 *f,
					    const uint32_t *addr,
					    unsigned int len)
{
	struct dp_fib6_tnode **slot = &f->root, *parent = NULL, *n, *new, *br;
	unsigned int m = 0;

	while ((n = *slot)) {
		m = dp_fib6_common(n->addr, addr,
				   n->len < len ? n->len : len);
		if (m < n->len)
			break;
		if (n->len == len)
			return n;
		parent = n;
		slot = &n->child[dp_fib6_bit(addr, n->len)];
	}
	new = dp_fib6_alloc(f, addr, len);
	new->parent = parent;
	if (!n) {
		*slot = new;
	} else if (m == len) {
		/* The new node is a prefix of n: it goes above n. */
		new->child[dp_fib6_bit(n->addr, len)] = n;
		n->parent = new;
		*slot = new;
	} else {
		/* They part at bit m: a branching node above both. */
		br = dp_fib6_alloc(f, addr, m);
		br->parent = parent;
		br->child[dp_fib6_bit(n->addr, m)] = n;
		br->child[dp_fib6_bit(addr, m)] = new;
		n->parent = br;
		new->parent = br;
		*slot = br;
	}
	return new;
}

/* Remove n if it is neither an entry nor needed to branch. */
static void dp_fib6_prune(struct dp_fib6 *f, struct dp_fib6_tnode *n)
{
	struct dp_fib6_tnode *c, *p;

	if (n->flags || (n->child[0] && n->child[1]))
		return;
	c = n->child[0] ? n->child[0] : n->child[1];
	p = n->parent;
	*dp_fib6_slot(f, n) = c;
	if (c)
		c->parent = p;
	dp_fib6_free(f, n);
	/* A branching parent left with one child is not needed either. */
	if (!c && p)
		dp_fib6_prune(f, p);
}

/* The longest prefix of length <= len matching addr: (val, length). */
static void dp_fib6_best(const struct dp_fib6 *f, const uint32_t *addr,
			 int len, uint32_t *val, uint8_t *blen)
{
	const struct dp_fib6_tnode *n = f->root;

	*val = 0;
	*blen = 0;
	while (n && n->len <= len) {
		if (dp_fib6_common(n->addr, addr, n->len) < n->len)
			break;
		if (n->flags & DP_FIB6_F_PREFIX) {
			*val = n->val;
			*blen = n->len;
		}
		if (n->len == len)
			break;
		n = n->child[dp_fib6_bit(addr, n->len)];
	}
}

/* The prefixes under n longer than len, in address order. */
static bool dp_fib6_each_under(const struct dp_fib6_tnode *n,
			       unsigned int len, dp_fib6_prefix_fn fn,
			       void *ctx)
{
	if (!n)
		return true;
	if (n->len > len && (n->flags & DP_FIB6_F_PREFIX) &&
	    !fn(ctx, n->addr, n->len, n->val))
		return false;
	return dp_fib6_each_under(n->child[0], len, fn, ctx) &&
	       dp_fib6_each_under(n->child[1], len, fn, ctx);
}

void dp_fib6_prefixes_under(const struct dp_fib6 *f, const uint32_t *addr,
			    unsigned int len, dp_fib6_prefix_fn fn, void *ctx)
{
	dp_fib6_each_under(dp_fib6_under(f, addr, len), len, fn, ctx);
}

uint32_t dp_fib6_cover(const struct dp_fib6 *f, const uint32_t *addr,
		       unsigned int len)
{
	uint32_t val;
	uint8_t blen;

	dp_fib6_best(f, addr, len, &val, &blen);
	return val;
}

/* ------------------------------------------------------- map writes */

struct dp_fib6_snap {
	bool present;
	struct dp_fib6_node node;
};

static void dp_fib6_snap(const struct dp_fib6_tnode *n, struct dp_fib6_snap *s)
{
	s->present = n->flags != 0;
	s->node.val_id = n->bmp;
	s->node.flags = n->flags;
}

/* Record the map write that takes n's node from `was` to its state now. */
static void dp_fib6_log(struct dp_fib6 *f, const struct dp_fib6_tnode *n,
			const struct dp_fib6_snap *was)
{
	struct dp_fib6_snap now;
	struct dp_fib6_op *op;

	if (!f->ops)
		return; /* an undo: the map is already as it was */
	dp_fib6_snap(n, &now);
	if (now.present == was->present &&
	    (!now.present || !memcmp(&now.node, &was->node, sizeof(now.node))))
		return;
	op = &f->ops[f->nops++];
	dp_fib6_mkkey(n->addr, n->len, &op->key);
	op->had_old = was->present;
	op->old = was->node;
	op->has_new = now.present;
	op->new = now.node;
}

/* ------------------------------------------------------- the filter */

#define DP_FIB6_FILTER_BITS (1u << DP_FIB6_FILTER_ORDER)
#define DP_FIB6_FILTER_BYTES (DP_FIB6_FILTER_WORDS * sizeof(uint64_t))

/* The word as the counts say, stored whole: the datapath reads it. */
static void dp_fib6_filter_store(struct dp_fib6 *f, uint32_t word)
{
	uint64_t w = 0;
	uint32_t b;

	for (b = 0; b < 64; b++)
		if (f->filter_n[word * 64 + b])
			w |= 1ull << b;
	__atomic_store_n(&f->filter[word], w, __ATOMIC_RELEASE);
}

/* A node of k is about to exist: its bit is set first. A count that
 * saturates keeps its bit set for good (only a lookup more). */
static void dp_fib6_filter_add(struct dp_fib6 *f, const struct dp_fib6_key *k)
{
	uint32_t b;

	if (!f->filter)
		return;
	b = dp_fib6_filter_bit(k);
	if (f->filter_n[b] == UINT16_MAX)
		return;
	if (!f->filter_n[b]++)
		dp_fib6_filter_store(f, b / 64);
}

/* A node of k is gone: the bit clears with its last node. */
static void dp_fib6_filter_del(struct dp_fib6 *f, const struct dp_fib6_key *k)
{
	uint32_t b;

	if (!f->filter)
		return;
	b = dp_fib6_filter_bit(k);
	if (f->filter_n[b] == UINT16_MAX || !f->filter_n[b])
		return;
	if (!--f->filter_n[b])
		dp_fib6_filter_store(f, b / 64);
}

/* Whether the datapath would probe k (dp_fib_lookup6 searches as it). */
static bool dp_fib6_filter_may_hold(const struct dp_fib6 *f,
				    const struct dp_fib6_key *k)
{
	uint32_t b;

	if (!f->filter)
		return true;
	b = dp_fib6_filter_bit(k);
	return (__atomic_load_n(&f->filter[b / 64], __ATOMIC_ACQUIRE) >>
		(b % 64)) & 1;
}

static int dp_fib6_filter_open(struct dp_fib6 *f, int filter_fd)
{
	void *mem;

	if (filter_fd <= 0)
		return 0; /* none: user-space tests of the FIB alone */
	mem = mmap(NULL, DP_FIB6_FILTER_BYTES, PROT_READ | PROT_WRITE,
		   MAP_SHARED, filter_fd, 0);
	if (mem == MAP_FAILED)
		return -errno;
	f->filter = mem;
	f->filter_n = calloc(DP_FIB6_FILTER_BITS, sizeof(*f->filter_n));
	return f->filter_n ? 0 : -ENOMEM;
}

/* ------------------------------------------------------- map writes */

/*
 * Node key present (with node) or absent in fib6_map; existed: whether
 * it was there before, which decides the filter's count. The bit is set
 * before an insert and cleared after a delete, so that the datapath never
 * skips a node that exists.
 */
static int dp_fib6_write(struct dp_fib6 *f, const struct dp_fib6_key *key,
			 bool present, const struct dp_fib6_node *node,
			 bool existed)
{
	int err;

	if (present) {
		if (!existed)
			dp_fib6_filter_add(f, key);
		if (!bpf_map_update_elem(f->fd, key, node, BPF_ANY))
			return 0;
		err = -errno;
		if (!existed)
			dp_fib6_filter_del(f, key);
		return err;
	}
	if (bpf_map_delete_elem(f->fd, key) && errno != ENOENT)
		return -errno;
	if (existed)
		dp_fib6_filter_del(f, key);
	return 0;
}

/* Apply the recorded writes in order; on failure revert those done. */
static int dp_fib6_apply(struct dp_fib6 *f)
{
	const struct dp_fib6_op *op;
	uint32_t i, j;
	int err;

	if (f->adopting) /* dp_fib6_adopt_finish() writes the difference */
		return 0;
	for (i = 0; i < f->nops; i++) {
		op = &f->ops[i];
		err = dp_fib6_write(f, &op->key, op->has_new, &op->new,
				    op->had_old);
		if (!err)
			continue;
		for (j = i; j-- > 0;) {
			op = &f->ops[j];
			dp_fib6_write(f, &op->key, op->had_old, &op->old,
				      op->has_new);
		}
		return err;
	}
	return 0;
}

/* ------------------------------------------------------- transitions */

/*
 * Give the entries under a /len (not those covered by a longer prefix)
 * the best match (val, blen), or with set false only count them.
 */
static uint32_t dp_fib6_walk(struct dp_fib6 *f, struct dp_fib6_tnode *n,
			     unsigned int len, bool set, uint32_t val,
			     uint8_t blen)
{
	struct dp_fib6_snap was;
	uint32_t k = 0;

	if (!n)
		return 0;
	if (n->len > len && n->flags) {
		if (n->flags & DP_FIB6_F_PREFIX)
			return 0;
		k = 1;
		if (set) {
			dp_fib6_snap(n, &was);
			n->bmp = val;
			n->bmp_len = blen;
			dp_fib6_log(f, n, &was);
		}
	}
	return k + dp_fib6_walk(f, n->child[0], len, set, val, blen) +
	       dp_fib6_walk(f, n->child[1], len, set, val, blen);
}

/* Add or replace (addr, len) -> id in the trie; returns the id replaced. */
static uint32_t dp_fib6_tx_add(struct dp_fib6 *f, const uint32_t *addr,
			       unsigned int len, uint32_t id)
{
	struct dp_fib6_tnode *p = dp_fib6_find(f, addr, len), *n;
	uint32_t old = p && (p->flags & DP_FIB6_F_PREFIX) ? p->val : 0;
	uint8_t ms[DP_FIB6_PROBES];
	struct dp_fib6_snap was;
	unsigned int i, nm = old ? 0 : dp_fib6_markers(len, ms);
	uint32_t k[4];

	for (i = 0; i < nm; i++) {
		dp_fib6_maskto(addr, ms[i], k);
		n = dp_fib6_insert(f, k, ms[i]);
		dp_fib6_snap(n, &was);
		if (!n->flags) {
			dp_fib6_best(f, k, ms[i], &n->bmp, &n->bmp_len);
			f->entries++;
		}
		n->markers++;
		n->flags |= DP_FIB6_F_MARKER;
		dp_fib6_log(f, n, &was);
	}
	p = dp_fib6_insert(f, addr, len);
	dp_fib6_snap(p, &was);
	if (!p->flags)
		f->entries++;
	if (!old)
		f->prefixes++;
	p->flags |= DP_FIB6_F_PREFIX;
	p->val = p->bmp = id;
	p->bmp_len = len;
	dp_fib6_log(f, p, &was);
	dp_fib6_walk(f, p, len, true, id, len);
	return old;
}

/* Remove the prefix (addr, len), which exists, from the trie. */
static void dp_fib6_tx_del(struct dp_fib6 *f, const uint32_t *addr,
			   unsigned int len)
{
	struct dp_fib6_tnode *p = dp_fib6_find(f, addr, len), *n;
	uint8_t ms[DP_FIB6_PROBES];
	unsigned int i, nm = dp_fib6_markers(len, ms);
	struct dp_fib6_snap was;
	uint32_t cover, k[4];
	uint8_t clen;

	dp_fib6_best(f, addr, (int)len - 1, &cover, &clen);
	dp_fib6_walk(f, p, len, true, cover, clen);
	dp_fib6_snap(p, &was);
	p->flags &= ~DP_FIB6_F_PREFIX;
	p->val = 0;
	p->bmp = cover;
	p->bmp_len = clen;
	f->prefixes--;
	if (!p->flags)
		f->entries--;
	dp_fib6_log(f, p, &was);
	dp_fib6_prune(f, p);
	for (i = nm; i-- > 0;) {
		dp_fib6_maskto(addr, ms[i], k);
		n = dp_fib6_find(f, k, ms[i]);
		dp_fib6_snap(n, &was);
		if (!--n->markers) {
			n->flags &= ~DP_FIB6_F_MARKER;
			if (!n->flags)
				f->entries--;
		}
		dp_fib6_log(f, n, &was);
		dp_fib6_prune(f, n);
	}
}

/* Undo a transition whose map writes were not (or no longer) applied. */
static void dp_fib6_undo(struct dp_fib6 *f, const uint32_t *addr,
			 unsigned int len, uint32_t id)
{
	struct dp_fib6_op *ops = f->ops;

	f->ops = NULL;
	if (id)
		dp_fib6_tx_add(f, addr, len, id);
	else
		dp_fib6_tx_del(f, addr, len);
	f->ops = ops;
}

/* Spare trie nodes and room for every map write of an update. */
static int dp_fib6_reserve(struct dp_fib6 *f, const uint32_t *addr,
			   unsigned int len)
{
	struct dp_fib6_tnode *n;
	struct dp_fib6_op *ops;
	uint32_t need;

	while (f->nspare < DP_FIB6_SPARES) {
		n = malloc(sizeof(*n));
		if (!n)
			return -ENOMEM;
		dp_fib6_free(f, n);
	}
	need = DP_FIB6_PROBES + 1 +
	       dp_fib6_walk(f, dp_fib6_under(f, addr, len), len, false, 0, 0);
	if (need > f->ops_cap) {
		ops = realloc(f->ops, need * sizeof(*ops));
		if (!ops)
			return -ENOMEM;
		f->ops = ops;
		f->ops_cap = need;
	}
	f->nops = 0;
	return 0;
}

static void dp_fib6_host(const uint32_t *be, unsigned int len, uint32_t *host)
{
	uint32_t a[4];
	int w;

	for (w = 0; w < 4; w++)
		a[w] = ntohl(be[w]);
	dp_fib6_maskto(a, len, host);
}

int dp_fib_add6(struct dp_fib *fib, const uint32_t addr_be[4], uint8_t plen,
		const struct dp_rt_val *val)
{
	struct dp_fib6 *f = &fib->v6;
	const struct dp_fib6_tnode *p;
	uint32_t addr[4], id, old;
	bool fresh;
	int err;

	if (plen > 128)
		return -EINVAL;
	dp_fib6_host(addr_be, plen, addr);
	err = dp_fib6_reserve(f, addr, plen);
	if (err)
		return err;
	err = dp_fib_val_get(&fib->vals, val, &id, &fresh);
	if (err)
		return err;
	p = dp_fib6_find(f, addr, plen);
	if (p && (p->flags & DP_FIB6_F_PREFIX) && p->val == id) {
		dp_fib_val_unget(&fib->vals, id);
		return 0;
	}
	dp_fib6_dxr_touch(f, addr, plen);
	old = dp_fib6_tx_add(f, addr, plen, id);
	err = f->entries > f->max ? -ENOSPC : dp_fib6_apply(f);
	if (err) {
		dp_fib6_undo(f, addr, plen, old);
		/* A packet may have seen id before the revert. */
		dp_fib_val_put(&fib->vals, id);
		return err;
	}
	if (old)
		dp_fib_val_put(&fib->vals, old);
	return 0;
}

int dp_fib_del6(struct dp_fib *fib, const uint32_t addr_be[4], uint8_t plen)
{
	struct dp_fib6 *f = &fib->v6;
	const struct dp_fib6_tnode *p;
	uint32_t addr[4], id;
	int err;

	if (plen > 128)
		return -EINVAL;
	dp_fib6_host(addr_be, plen, addr);
	p = dp_fib6_find(f, addr, plen);
	if (!p || !(p->flags & DP_FIB6_F_PREFIX))
		return -ENOENT;
	id = p->val;
	err = dp_fib6_reserve(f, addr, plen);
	if (err)
		return err;
	dp_fib6_dxr_touch(f, addr, plen);
	dp_fib6_tx_del(f, addr, plen);
	err = dp_fib6_apply(f);
	if (err) {
		dp_fib6_undo(f, addr, plen, id);
		return err;
	}
	dp_fib_val_put(&fib->vals, id);
	return 0;
}

/* The datapath's search (bpf/lib/fib6.h), over the ranges and the map. */
uint32_t dp_fib_lookup6(const struct dp_fib *fib, const uint32_t addr_be[4])
{
	__u32 len = DP_FIB6_ROOT_LEN, step = DP_FIB6_ROOT_STEP, best = 0;
	struct dp_fib6_key key;
	struct dp_fib6_node node;
	uint32_t a[4], k[4];
	bool hit;
	int i, w;

	for (w = 0; w < 4; w++)
		a[w] = ntohl(addr_be[w]);
	best = dp_fib6_dxr_lookup(&fib->v6.dxr, (uint64_t)a[0] << 32 | a[1]);
	if (best != DP_FIB6_DXR_SEARCH)
		return best;
	best = 0;
	for (i = 0; i < DP_FIB6_PROBES; i++) {
		dp_fib6_maskto(a, len, k);
		dp_fib6_mkkey(k, len, &key);
		hit = dp_fib6_filter_may_hold(&fib->v6, &key) &&
		      !bpf_map_lookup_elem(fib->v6.fd, &key, &node);
		if (hit) {
			if (node.val_id)
				best = node.val_id;
			if (!(node.flags & DP_FIB6_F_MARKER))
				break;
		}
		if (!dp_fib6_tree_next(&len, &step, hit))
			break;
	}
	return best;
}

/* ------------------------------------------------------ open / close */

int dp_fib6_init(struct dp_fib6 *f, int fd, int filter_fd, uint32_t max)
{
	struct dp_fib6_key key, next;
	bool more;
	int err;

	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->max = max;
	err = dp_fib6_filter_open(f, filter_fd);
	if (err)
		return err;
	/* The next key before each delete: restarting from the first bucket
	 * every time made emptying 250,000 nodes quadratic. */
	more = !bpf_map_get_next_key(fd, NULL, &key);
	while (more) {
		more = !bpf_map_get_next_key(fd, &key, &next);
		if (bpf_map_delete_elem(fd, &key) && errno != ENOENT)
			return -errno;
		key = next;
	}
	/* every node gone: no bit stands for one */
	if (f->filter)
		memset(f->filter, 0, DP_FIB6_FILTER_BYTES);
	return 0;
}

int dp_fib6_init_adopt(struct dp_fib6 *f, int fd, int filter_fd, uint32_t max,
		       uint8_t *val_held, uint32_t vals_max)
{
	struct dp_fib6_key key, *prev = NULL;
	struct dp_fib6_prefix *more;
	struct dp_fib6_node node;
	uint32_t cap = 0, w;
	uint16_t *n;
	int err;

	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->max = max;
	f->adopting = true;
	err = dp_fib6_filter_open(f, filter_fd);
	if (err)
		return err;
	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &node))
			continue; /* deleted meanwhile */
		if (node.val_id >= vals_max || key.prefixlen > 128)
			return -EINVAL; /* not a map this code wrote */
		/* counted, the bits written below: every node's bit is set
		 * (the earlier run's, or none for a build without it) */
		if (f->filter) {
			n = &f->filter_n[dp_fib6_filter_bit(&key)];
			*n += *n < UINT16_MAX;
		}
		if (node.val_id)
			val_held[node.val_id] = 1;
		if (!(node.flags & DP_FIB6_F_PREFIX))
			continue;
		/* a prefix's node holds its own value */
		if (f->nadopt == cap) {
			cap = cap ? cap * 2 : 1024;
			more = realloc(f->adopt, cap * sizeof(*more));
			if (!more)
				return -ENOMEM;
			f->adopt = more;
		}
		f->adopt[f->nadopt].key = key;
		f->adopt[f->nadopt++].val_id = node.val_id;
	}
	for (w = 0; f->filter && w < DP_FIB6_FILTER_WORDS; w++)
		dp_fib6_filter_store(f, w);
	return 0;
}

/* The map as the trie says it should be, node by node. */
static int dp_fib6_adopt_write(struct dp_fib6 *f, struct dp_fib6_tnode *n,
			       uint32_t *writes)
{
	struct dp_fib6_snap want;
	struct dp_fib6_node have;
	struct dp_fib6_key key;
	bool existed;
	int err;

	if (!n)
		return 0;
	if (n->flags) {
		dp_fib6_snap(n, &want);
		dp_fib6_mkkey(n->addr, n->len, &key);
		existed = !bpf_map_lookup_elem(f->fd, &key, &have);
		if (!existed || memcmp(&have, &want.node, sizeof(have))) {
			err = dp_fib6_write(f, &key, true, &want.node, existed);
			if (err)
				return err;
			(*writes)++;
		}
	}
	err = dp_fib6_adopt_write(f, n->child[0], writes);
	return err ? err : dp_fib6_adopt_write(f, n->child[1], writes);
}

int dp_fib6_adopt_finish(struct dp_fib6 *f)
{
	struct dp_fib6_key key, *prev = NULL, *gone = NULL, *more;
	const struct dp_fib6_tnode *n;
	uint32_t writes = 0, ngone = 0, cap = 0, addr[4], w;
	int err;

	err = dp_fib6_adopt_write(f, f->root, &writes);
	/* Then what the earlier run had and this one has not. */
	while (!err && !bpf_map_get_next_key(f->fd, prev, &key)) {
		for (w = 0; w < 4; w++)
			addr[w] = ntohl(key.addr[w]);
		n = key.prefixlen <= 128 ? dp_fib6_find(f, addr, key.prefixlen)
					 : NULL;
		if (!n || !n->flags) {
			if (ngone == cap) {
				cap = cap ? cap * 2 : 256;
				more = realloc(gone, cap * sizeof(*gone));
				if (!more) {
					err = -ENOMEM;
					break;
				}
				gone = more;
			}
			gone[ngone++] = key;
		}
		prev = &key;
	}
	for (w = 0; !err && w < ngone; w++) {
		err = dp_fib6_write(f, &gone[w], false, NULL, true);
		writes++;
	}
	free(gone);
	f->adopting = false;
	return err ? err : (int)writes;
}

static void dp_fib6_free_tree(struct dp_fib6_tnode *n)
{
	if (!n)
		return;
	dp_fib6_free_tree(n->child[0]);
	dp_fib6_free_tree(n->child[1]);
	free(n);
}

void dp_fib6_fini(struct dp_fib6 *f)
{
	struct dp_fib6_tnode *n;

	dp_fib6_free_tree(f->root);
	while ((n = f->spare)) {
		f->spare = n->child[0];
		free(n);
	}
	free(f->ops);
	free(f->adopt);
	if (f->filter)
		munmap(f->filter, DP_FIB6_FILTER_BYTES);
	free(f->filter_n);
	dp_fib6_dxr_fini(&f->dxr);
	memset(f, 0, sizeof(*f));
}
