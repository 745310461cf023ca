/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals of the datapath FIB (dp_fib.h), shared by its parts:
 *   dp_fibpool.c  id pools whose freed ids wait out a grace period
 *   dp_fibval.c   value interning (fib_val_map)
 *   dp_fib4.c     IPv4 DIR-24-8 (fib4_tbl24 / fib4_tbl8)
 *   dp_fib4_dxr.c IPv4 ranges in front of it (fib4_dxr_dir / _range)
 *   dp_fibranges.c what both families' ranges share: directory, slots
 *   dp_fib6.c     IPv6 binary search on lengths (fib6_map)
 *   dp_fib6_dxr.c IPv6 ranges in front of it (fib6_dxr_dir / _range)
 *   dp_fib.c      open, close, stats
 * The structures, the update order and the reuse rule are described in
 * doc/fib.md.
 */
#ifndef DP_FIB_INT_H
#define DP_FIB_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "fib/dp_fib.h"

/*
 * Every IPv4 store a packet can observe (DIR-24-8 entries, the ranges'
 * directory) goes through here. tests/fib builds the FIB with
 * DP_FIB4_STORE defined, to check the tables after each one (every state
 * a packet can see).
 */
#ifndef DP_FIB4_STORE
#define DP_FIB4_STORE(entry, v) __atomic_store_n(entry, v, __ATOMIC_RELEASE)
#else
extern void DP_FIB4_STORE(uint32_t *entry, uint32_t v);
#endif

/* A shared writable mapping of an mmapable map's first bytes, or NULL. */
extern void *dp_fib_mmap(int fd, size_t bytes);

static inline void dp_fib4_store(uint32_t *entry, uint32_t v)
{
	DP_FIB4_STORE(entry, v);
}

/*
 * Grace periods. A packet in the datapath may hold a value id or a tbl8
 * group it read just before the plugin stopped using it; the id may be
 * given a new meaning only once every such packet is gone. BPF programs
 * run inside RCU read-side sections, so one RCU grace period is enough:
 * membarrier(MEMBARRIER_CMD_GLOBAL) waits for one (synchronize_rcu()).
 */
struct dp_fib_grace {
	uint64_t done;		/* grace periods completed so far */
	int (*wait)(void);	/* waits for one; 0 or -errno */
};

/*
 * Ids in [first, end). A freed id goes to the back of a FIFO, stamped with
 * the grace period that must complete before it is reused. get() takes,
 * in this order: the FIFO's head if its grace period is over, an id never
 * used, or (when only quarantined ids are left) the head after waiting
 * for a grace period, which releases the whole FIFO at once.
 */
struct dp_fib_pool {
	uint32_t first, end;
	uint32_t fresh; /* [fresh, end) never handed out */
	uint32_t *ring; /* the FIFO of freed ids */
	uint64_t *stamp;
	uint32_t head, count, cap;
	uint32_t used; /* handed out and not freed */
	struct dp_fib_grace *grace;
};

extern int dp_fib_pool_init(struct dp_fib_pool *p, uint32_t first,
			    uint32_t end, struct dp_fib_grace *grace);
/* The same, with the ids where held[id] is set already handed out (in
 * use by tables an earlier run left). */
extern int dp_fib_pool_init_held(struct dp_fib_pool *p, uint32_t first,
				 uint32_t end, struct dp_fib_grace *grace,
				 const uint8_t *held);
extern void dp_fib_pool_fini(struct dp_fib_pool *p);
/* An id in *id, or -ENOSPC, or the grace wait's error. */
extern int dp_fib_pool_get(struct dp_fib_pool *p, uint32_t *id);
/* id is no longer referenced by anything the datapath can read. */
extern void dp_fib_pool_put(struct dp_fib_pool *p, uint32_t id);
/* id was never made visible to the datapath: reusable at once. */
extern void dp_fib_pool_unget(struct dp_fib_pool *p, uint32_t id);

/* Interned route values: one refcounted id per distinct dp_rt_val. */
struct dp_fib_vals {
	int fd;
	uint32_t max; /* ids 1 .. max - 1 */
	struct dp_rt_val *val;
	uint32_t *refs;
	uint32_t *next;	  /* hash chain, by id */
	uint32_t *bucket; /* chain heads */
	uint32_t mask;
	struct dp_fib_pool pool;
};

extern int dp_fib_vals_init(struct dp_fib_vals *v, int fd, uint32_t max,
			    struct dp_fib_grace *grace);
/* The same, taking over the ids where held[id] is set: their values are
 * read from fib_val_map and each keeps one reference until
 * dp_fib_vals_unhold(). */
extern int dp_fib_vals_init_held(struct dp_fib_vals *v, int fd, uint32_t max,
				 struct dp_fib_grace *grace,
				 const uint8_t *held);
extern void dp_fib_vals_unhold(struct dp_fib_vals *v, const uint8_t *held);
extern void dp_fib_vals_fini(struct dp_fib_vals *v);
/*
 * A reference to the id of *val, creating it (and writing fib_val_map)
 * if needed. *fresh tells whether the id was created by this call.
 */
extern int dp_fib_val_get(struct dp_fib_vals *v, const struct dp_rt_val *val,
			  uint32_t *id, bool *fresh);
/* Drop a reference that entries used: the id is quarantined at 0. */
extern void dp_fib_val_put(struct dp_fib_vals *v, uint32_t id);
/* Drop a reference no entry ever used (undo of a failed update). */
extern void dp_fib_val_unget(struct dp_fib_vals *v, uint32_t id);

/* IPv4 rules (prefixes and their value ids), by (address, length). */
struct dp_fib4_rule {
	uint32_t addr; /* host order, masked */
	uint32_t val;
	uint8_t len;
	bool used;
};

/*
 * IPv4 ranges in front of DIR-24-8 (dp_abi.h, DP_FIB4_DXR_*). A /16's
 * directory entry goes to 0 (DIR-24-8 answers) before any of its DIR-24-8
 * entries changes ("touched"); at dp_fib_commit() its ranges are built
 * anew: its old ones with the span its updates changed read again from
 * DIR-24-8. A /16's ranges occupy a slot of
 * the pool; a freed slot is reused (for a /16 of the same size) only
 * after a grace period. On only while the table has at most
 * DP_FIB4_DXR_ROUTES_MAX routes (beyond, no table of ranges stays in
 * cache and a lookup would pay two misses where DIR-24-8 pays one), and
 * on again at 7/8 of that.
 */

/*
 * What the IPv4 and the IPv6 ranges share (dp_fibranges.c).
 *
 * Slots of a range table: runs of entries [base, base + size) holding one
 * chunk's ranges, at most n_max entries each. A freed slot waits out a
 * grace period (packets may still read it), then goes to the released
 * slots of its size; a slot is taken from those (a larger one split),
 * else from the never used entries, else after a grace period.
 */
struct dp_fib_slot_freed {
	uint32_t base, size;
	uint64_t stamp; /* reusable once grace->done reaches it */
};

struct dp_fib_slots {
	uint32_t cap, n_max;
	uint32_t fresh;	 /* [fresh, cap) never handed out */
	bool fresh_wait; /* ... but packets may read it until a grace period */
	uint32_t **avail; /* per size: released slots (bases) */
	uint32_t *navail, *cap_avail;
	uint32_t avail_n; /* released slots, all sizes */
	struct dp_fib_slot_freed *freed; /* FIFO waiting for a grace period */
	uint32_t fhead, fcount, fcap;
	uint64_t freed_n; /* entries in the FIFO */
	uint64_t handed;  /* entries handed out since the last reset */
	uint64_t refused; /* entries asked for and not given, since then */
	struct dp_fib_grace *grace;
};

/* A slot of *n entries (its base; *n may grow by one), or -1. */
extern int64_t dp_fib_slots_alloc(struct dp_fib_slots *s, uint32_t *n);

/*
 * A directory of chunks (fib4_dxr_dir's /16s, fib6_dxr_dir's /20s),
 * laid out as dp_abi.h says (0: the structure behind answers; DIRECT |
 * id; RANGES with base and count), and its slots. A chunk's entry goes to
 * 0 when an update touches it, before the update's first store a packet
 * can see; at the flush each touched chunk is built anew (a build
 * function of its family) into a slot no packet can reach, then named by
 * one release store, its old slot freed. On while the table has at most
 * routes_max routes, on again at 7/8 of it.
 */
struct dp_fib_dir {
	uint32_t *dir;	 /* mmap of the directory; NULL: no ranges */
	uint32_t chunks;
	bool on;
	bool hold;	 /* off until dp_fib_ranges_start() (dp_fib.h) */
	struct dp_fib_slots pool;
	uint16_t *slot;	 /* per chunk: its slot's size (0: none) */
	uint8_t *dirty;	 /* per chunk: touched since the last flush */
	uint32_t *dirty_list;
	uint32_t ndirty;
	uint32_t *prev;	 /* per dirty chunk: its entry before the batch */
	uint32_t used;	 /* range entries in slots */
	uint32_t ranged; /* chunks answered by ranges or one id */
	uint32_t routes_max, routes_on;
	uint32_t repacks; /* rebuilds of every chunk into a fresh table */
	bool pass;	  /* such a rebuild (or the ranges coming on) under way */
	uint32_t pass_next; /* its next chunk */
};

/*
 * Map the directory of dir_fd (chunks entries) and set up a range table
 * of cap entries; adopting or hold: off until the tables are this run's.
 * Every entry goes to 0 (an earlier run's ranges may not answer as this
 * run's tables will). Ranges only speed lookups up: false when they
 * cannot be had (d is then empty: the structure behind answers alone).
 */
extern bool dp_fib_dir_init(struct dp_fib_dir *d, int dir_fd, uint32_t chunks,
			    uint32_t cap, struct dp_fib_grace *grace, bool hold,
			    bool adopting, uint32_t routes_max);
extern void dp_fib_dir_fini(struct dp_fib_dir *d);
/* Opening, once the structure behind is empty: every chunk "no route". */
extern void dp_fib_dir_empty(struct dp_fib_dir *d);
/* Chunk c's entry, the count of those answering kept. */
extern void dp_fib_dir_set(struct dp_fib_dir *d, uint32_t c, uint32_t v);
/* Before an update's first visible store in chunk c: true if c was not
 * touched yet in this batch. */
extern bool dp_fib_dir_touch(struct dp_fib_dir *d, uint32_t c);
/* Ranges built for chunk c: n entries in a slot of size at base. */
extern void dp_fib_dir_name(struct dp_fib_dir *d, uint32_t c, uint32_t base,
			    uint32_t n, uint32_t size);
/* A slot packets may still read until a grace period. */
extern void dp_fib_dir_free(struct dp_fib_dir *d, uint32_t base,
			    uint32_t size);
/*
 * The flush: build(owner, c) for each chunk touched (or for every chunk,
 * prev 0, when the ranges come on), the ranges switched by the route
 * count. build stores the chunk's entry (dp_fib_dir_set/_name) or leaves
 * it 0. The chunk's old slot (of size, named by prev, its entry before
 * the batch) is then freed: by release if given (a slot naming others),
 * else as one slot.
 */
typedef void (*dp_fib_dir_build_fn)(void *owner, uint32_t c);
typedef void (*dp_fib_dir_release_fn)(void *owner, uint32_t c, uint32_t prev,
				      uint32_t size);
extern void dp_fib_dir_flush(struct dp_fib_dir *d, uint32_t routes,
			     dp_fib_dir_build_fn build,
			     dp_fib_dir_release_fn release, void *owner);
/* A pass over every chunk is under way: flush again (dp_fib_commit). */
static inline bool dp_fib_dir_pending(const struct dp_fib_dir *d)
{
	return d->dir && d->pass;
}

/* The lookups' first step: chunk c's entry. */
static inline uint32_t dp_fib_dir_entry(const struct dp_fib_dir *d,
					uint32_t c)
{
	return __atomic_load_n(&d->dir[c], __ATOMIC_ACQUIRE);
}

/* IPv4 ranges in front of DIR-24-8 (dp_abi.h, DP_FIB4_DXR_*), per /16.
 * A /16's rebuild reads again only the span of low addresses the batch's
 * updates changed (lo, hi). */
struct dp_fib4_dxr {
	struct dp_fib_dir d;
	uint32_t *range; /* mmap of fib4_dxr_range */
	uint32_t cap;	 /* range entries */
	uint16_t *lo, *hi; /* per dirty /16 */
};

struct dp_fib4;
/* adopting: off until dp_fib4_dxr_adopt_end() */
extern int dp_fib4_dxr_init(struct dp_fib4_dxr *x,
			    const struct dp_fib_maps *maps,
			    struct dp_fib_grace *grace, bool adopting);
extern void dp_fib4_dxr_fini(struct dp_fib4_dxr *x);
/* Before the DIR-24-8 entries of [addr, addr + 2^(32-len)) change. */
extern void dp_fib4_dxr_touch(struct dp_fib4 *f, uint32_t addr, uint8_t len);
/* dp_fib_commit(): ranges for the /16s touched; on or off by the route
 * count. */
extern void dp_fib4_dxr_flush(struct dp_fib4 *f);
/* Opening, once DIR-24-8 is empty: every /16 "no route" (one id, 0). */
extern void dp_fib4_dxr_empty(struct dp_fib4 *f);
/* The adopted tables now live: ranges for every /16. */
extern void dp_fib4_dxr_adopt_end(struct dp_fib4 *f);
/* The datapath's lookup in the ranges; *hit false when DIR-24-8 answers
 * addr (host order). */
extern uint32_t dp_fib4_dxr_lookup(const struct dp_fib4_dxr *x, uint32_t a,
				   bool *hit);

struct dp_fib4 {
	uint32_t *tbl24; /* mmap of fib4_tbl24 (adopting: a private copy) */
	uint32_t *tbl8;	 /* mmap of fib4_tbl8 (adopting: a private copy) */
	/* Adopting an earlier run's tables (dp_fib_adopt): the maps, and per
	 * group 1 if they use it, 2 once this run has taken it over. */
	uint32_t *live24, *live8;
	uint8_t *held8;
	uint8_t *depth24; /* shadow: length of the rule behind each entry */
	uint8_t *depth8;
	uint32_t groups;
	struct dp_fib_pool group_pool;
	struct dp_fib4_rule *rules; /* open addressing, linear probing */
	uint32_t rules_mask;
	uint32_t nrules;
	uint32_t per_len[33]; /* rules per length: skip empty lengths */
	struct dp_fib4_dxr dxr;
};

extern int dp_fib4_init(struct dp_fib4 *f, const struct dp_fib_maps *maps,
			struct dp_fib_grace *grace);
/*
 * Adopting: map the tables without clearing them, build into private
 * copies, and mark in val_held[] the value ids the tables name. finish:
 * store into the tables each entry that differs from the copy (groups
 * before the tbl24 entries that name them), then work on them directly;
 * returns the entries stored.
 */
extern int dp_fib4_init_adopt(struct dp_fib4 *f, const struct dp_fib_maps *maps,
			      struct dp_fib_grace *grace, uint8_t *val_held);
extern uint32_t dp_fib4_adopt_finish(struct dp_fib4 *f);
extern void dp_fib4_fini(struct dp_fib4 *f);

struct dp_fib6_tnode;
struct dp_fib6_op;

/* A prefix of an adopted fib6_map, and the value id its node holds. */
struct dp_fib6_prefix {
	struct dp_fib6_key key;
	uint32_t val_id;
};

/* IPv6 ranges in front of the binary search (dp_abi.h, DP_FIB6_DXR_*),
 * per /20 of 2000::/3, built from the trie's prefixes. */
struct dp_fib6_dxr {
	struct dp_fib_dir d;
	uint64_t *range; /* mmap of fib6_dxr_range */
	uint32_t cap;	 /* range entries */
	uint64_t *out;	 /* a /20's ranges as they are built */
};

struct dp_fib6 {
	int fd;
	uint32_t max;
	struct dp_fib6_tnode *root;
	struct dp_fib6_tnode *spare; /* free list: inserts never fail */
	uint32_t nspare;
	uint32_t prefixes;
	uint32_t entries; /* prefixes + markers: fib6_map's entries */
	struct dp_fib6_op *ops; /* map writes of the update under way */
	uint32_t nops, ops_cap;
	bool adopting;		/* updates change the trie only */
	struct dp_fib6_prefix *adopt; /* the map's prefixes when adopted */
	uint32_t nadopt;
	uint64_t *filter;   /* mmap of fib6_filter_map, or NULL: none */
	uint16_t *filter_n; /* nodes per filter bit (UINT16_MAX: stuck set) */
	struct dp_fib6_dxr dxr;
};

/*
 * The prefixes longer than len under (addr, len) (host-order words), in
 * address order, each before the longer ones under it, given to fn until
 * it returns false; and the value id of the best match of (addr, len)
 * itself (0: none).
 */
typedef bool (*dp_fib6_prefix_fn)(void *ctx, const uint32_t *addr,
				  unsigned int len, uint32_t val);
extern void dp_fib6_prefixes_under(const struct dp_fib6 *f,
				   const uint32_t *addr, unsigned int len,
				   dp_fib6_prefix_fn fn, void *ctx);
extern uint32_t dp_fib6_cover(const struct dp_fib6 *f, const uint32_t *addr,
			      unsigned int len);

/* adopting: off until dp_fib6_dxr_adopt_end() */
extern int dp_fib6_dxr_init(struct dp_fib6_dxr *x,
			    const struct dp_fib_maps *maps,
			    struct dp_fib_grace *grace, bool adopting);
extern void dp_fib6_dxr_fini(struct dp_fib6_dxr *x);
/* Before the first fib6_map write of an update of (addr, len). */
extern void dp_fib6_dxr_touch(struct dp_fib6 *f, const uint32_t *addr,
			      unsigned int len);
/* dp_fib_commit(): ranges for the /20s touched; on or off by the route
 * count. */
extern void dp_fib6_dxr_flush(struct dp_fib6 *f);
/* The datapath's lookup in the ranges (top: the address's top 64 bits);
 * DP_FIB6_DXR_SEARCH when the binary search answers. */
extern uint32_t dp_fib6_dxr_lookup(const struct dp_fib6_dxr *x,
				   uint64_t top);

extern int dp_fib6_init(struct dp_fib6 *f, int fd, int filter_fd,
			uint32_t max);
/*
 * Adopting: keep fib6_map, mark in val_held[] the value ids it names and
 * list its prefixes (f->adopt), from which the trie is rebuilt alone;
 * finish: write the nodes the map lacks or holds otherwise (none when the
 * map is consistent), delete those it should not hold, and update it from
 * then on. Returns the map writes, or -errno.
 */
extern int dp_fib6_init_adopt(struct dp_fib6 *f, int fd, int filter_fd,
			      uint32_t max,
			      uint8_t *val_held, uint32_t vals_max);
extern int dp_fib6_adopt_finish(struct dp_fib6 *f);
extern void dp_fib6_fini(struct dp_fib6 *f);

struct dp_fib {
	struct dp_fib_maps maps;
	struct dp_fib_grace grace;
	struct dp_fib_vals vals;
	struct dp_fib4 v4;
	struct dp_fib6 v6;
};

/* Bytes one fib6_map element costs the kernel (element header, 24-byte
 * key, 8-byte value, rounded to the allocator's size class). */
#define DP_FIB6_ELEM_BYTES 96

#endif /* DP_FIB_INT_H */
