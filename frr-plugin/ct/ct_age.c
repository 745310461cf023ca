// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Conntrack ageing (ct.h), on the owner pthread. Every CT_AGE_INTERVAL
 * seconds a pass walks ct4_map then ct6_map, CT_AGE_BATCH entries per
 * event (one BPF_MAP_LOOKUP_BATCH), so that zebra's own work on the
 * pthread goes on between two steps; each step is timed as "conntrack
 * ageing step" (`show ebpf dataplane`).
 *
 * A flow expires when the last packet of either direction is older than
 * the timeout of its state (dp_abi.h, dp_ct_timeout_sec()). The original
 * entry decides: its own last_seen first, and only when that is old, the
 * reply entry's too (one lookup). A reply entry is looked at only when it
 * looks expired itself and its original is gone (left over by a creation
 * race): it is removed alone.
 *
 * `clear ebpf conntrack` is a pass too: each request waits for the next
 * pass, which starts at once, and every entry that pass reads is checked
 * against it first (a flow is removed from its original entry; a reply
 * entry only when its original is gone). The command returns at once; the
 * table is cleared in the pass's bounded steps.
 */
#include <zebra.h>

#include <bpf/bpf.h>

#include "lib/hook.h"
#include "lib/memory.h"
#include "lib/privs.h"
#include "lib/thread.h"

#include "dp_abi.h"
#include "core/dp_hooks.h"
#include "core/dp_plugin.h"
#include "core/dp_stall.h"
#include "maps/dp_mapdump.h"
#include "maps/dp_maps.h"
#include "ct/ct.h"

DEFINE_MTYPE_STATIC(EBPF, CT_AGE, "eBPF conntrack ageing");
DEFINE_MTYPE_STATIC(EBPF, CT_CLEAR, "eBPF conntrack clear request");

struct ct_clear_req {
	struct ct_clear_req *next;
	struct ct_match m;
};

DEFINE_HOOK(ct_pass_done, (const struct ct_pass *pass), (pass));

/* Entries read per step. */
#define CT_AGE_BATCH 1024

/* The tables a pass walks, in this order. */
enum ct_table { CT_TABLE_V4, CT_TABLE_V6, CT_TABLES };
static const enum dp_map_id ct_table_map[CT_TABLES] = {DP_MAP_CT4,
						       DP_MAP_CT6};

static struct {
	struct thread_master *master;
	struct thread *t;
	struct dp_map_batch batch[CT_TABLES];
	enum ct_table table; /* the one the pass is in */
	bool batch_open;
	bool in_pass;
	bool users[CT_USER_MAX];
	uint64_t users_gone_ns; /* when the last user went, 0 if one is on */
	uint64_t pass_start_ns;
	uint64_t pass_entries;
	uint8_t *backend_ref;
	uint32_t backend_max;
	uint8_t *vip_ref;
	uint32_t vip_max;
	struct ct_clear_req *clear_next; /* for the next pass */
	struct ct_clear_req *clear_now;	 /* applied by this pass */
} ct;

static struct {
	_Atomic uint64_t passes, aged, cleared, entries, last_pass_ms;
	_Atomic uint32_t clear_pending;
} ct_stats;

void ct_age_stats(struct ct_age_stats *st)
{
	st->passes = ct_stats.passes;
	st->aged = ct_stats.aged;
	st->cleared = ct_stats.cleared;
	st->entries = ct_stats.entries;
	st->last_pass_ms = ct_stats.last_pass_ms;
}

void ct_count_cleared(uint64_t n)
{
	ct_stats.cleared += n;
}

/* DP_META_F_CT: on while anyone needs conntrack, and after that until a
 * pass that started later finds both tables empty. */
static void ct_flag_update(bool pass_empty)
{
	bool any = false, on;

	for (int u = 0; u < CT_USER_MAX; u++)
		any |= ct.users[u];
	if (any)
		on = true;
	else
		on = !(pass_empty && ct.pass_start_ns > ct.users_gone_ns) &&
		     (dp_meta_flags() & DP_META_F_CT);
	frr_with_privs (dp_privs())
		dp_meta_set_flags(DP_META_F_CT, on ? DP_META_F_CT : 0);
}

void ct_set_user(enum ct_user user, bool on)
{
	bool any = false;

	if (!dp_maps_ready() || ct.users[user] == on)
		return;
	ct.users[user] = on;
	for (int u = 0; u < CT_USER_MAX; u++)
		any |= ct.users[u];
	if (!any)
		ct.users_gone_ns = ct_now_ns();
	ct_flag_update(false);
}

static void ct_ref(uint8_t *bitmap, uint32_t max, uint32_t id)
{
	if (id < max)
		bitmap[id / 8] |= 1u << (id % 8);
}

/* How long after last_seen an entry in state lives, in ns. */
static uint64_t ct_ttl_ns(uint64_t state)
{
	return (uint64_t)dp_ct_timeout_sec(state) * 1000000000ull;
}

/* Whether the flow of the original entry (key, val) has expired. */
static bool ct_orig_expired(const struct dp_ct_key *key,
			    const struct dp_ct_val *val, uint64_t now)
{
	struct dp_ct_key peer;
	struct dp_ct_val reply;
	uint64_t ttl = ct_ttl_ns(val->state);

	if (now < val->last_seen + ttl)
		return false;
	if (val->flags & DP_CT_F_DSR)
		return true;
	ct_peer_key(key, val, &peer);
	if (ct_lookup(&peer, &reply))
		return true;
	return now >= reply.last_seen + ttl;
}

/* Whether the reply entry (key, val) has lost its original. */
static bool ct_reply_orphan(const struct dp_ct_key *key,
			    const struct dp_ct_val *val)
{
	struct dp_ct_key orig_key;
	struct dp_ct_val orig;

	ct_peer_key(key, val, &orig_key);
	return ct_lookup(&orig_key, &orig) != 0;
}

/* Whether a reply entry is an orphan (no original) that has expired. */
static bool ct_reply_orphan_expired(const struct dp_ct_key *key,
				    const struct dp_ct_val *val, uint64_t now)
{
	return now >= val->last_seen + ct_ttl_ns(val->state) &&
	       ct_reply_orphan(key, val);
}

/* Whether a clear request of this pass names the entry's flow. */
static bool ct_cleared(const struct dp_ct_key *key,
		       const struct dp_ct_val *val)
{
	struct ct_clear_req *r;

	for (r = ct.clear_now; r; r = r->next)
		if (ct_match_entry(&r->m, key, val))
			break;
	if (!r)
		return false;
	/* a reply goes with its original, unless that is gone */
	return !(val->flags & DP_CT_F_REPLY) || ct_reply_orphan(key, val);
}

static void ct_age_entry(const struct dp_ct_key *key,
			 const struct dp_ct_val *val, uint64_t now)
{
	bool expired;

	if (ct.clear_now && ct_cleared(key, val)) {
		if (ct_flow_remove(key, val) == 1)
			ct_stats.cleared++;
		return;
	}
	expired = val->flags & DP_CT_F_REPLY
			  ? ct_reply_orphan_expired(key, val, now)
			  : ct_orig_expired(key, val, now);

	if (expired && ct_flow_remove(key, val) >= 0) {
		if (!(val->flags & DP_CT_F_REPLY))
			ct_stats.aged++;
		return;
	}
	ct.pass_entries++;
	ct_filter_seen(key);
	if (val->flags & DP_CT_F_LB) {
		ct_ref(ct.backend_ref, ct.backend_max, val->backend_id);
		ct_ref(ct.vip_ref, ct.vip_max, val->vip_id);
	}
}

static void ct_age_step(struct thread *t);

static void ct_clear_free(struct ct_clear_req **list)
{
	struct ct_clear_req *r;

	while ((r = *list)) {
		*list = r->next;
		XFREE(MTYPE_CT_CLEAR, r);
		ct_stats.clear_pending--;
	}
}

/* Owner pthread: a request joins the next pass, started now unless one
 * is running (its end starts the next). */
static void ct_clear_arrive(struct thread *t)
{
	struct ct_clear_req *r = THREAD_ARG(t), **tail = &ct.clear_next;

	while (*tail)
		tail = &(*tail)->next;
	*tail = r;
	if (ct.in_pass)
		return;
	THREAD_OFF(ct.t);
	thread_add_event(ct.master, ct_age_step, NULL, 0, &ct.t);
}

int ct_clear_request(const struct ct_match *m)
{
	struct ct_clear_req *r;

	if (!ct.batch_open || !ct.master)
		return -1;
	r = XCALLOC(MTYPE_CT_CLEAR, sizeof(*r));
	r->m = *m;
	ct_stats.clear_pending++;
	thread_add_event(ct.master, ct_clear_arrive, r, 0, NULL);
	return 0;
}

uint32_t ct_clear_pending(void)
{
	return ct_stats.clear_pending;
}

static void ct_pass_begin(void)
{
	ct.in_pass = true;
	ct.pass_start_ns = ct_now_ns();
	ct.pass_entries = 0;
	ct.clear_now = ct.clear_next;
	ct.clear_next = NULL;
	ct_filter_pass_begin();
	memset(ct.backend_ref, 0, (ct.backend_max + 7) / 8);
	memset(ct.vip_ref, 0, (ct.vip_max + 7) / 8);
	ct.table = CT_TABLE_V4;
	for (int i = 0; i < CT_TABLES; i++)
		dp_map_batch_rewind(&ct.batch[i]);
}

static void ct_pass_end(void)
{
	struct ct_pass pass = {
		.started_ns = ct.pass_start_ns,
		.entries = ct.pass_entries,
		.backend_ref = ct.backend_ref,
		.backend_max = ct.backend_max,
		.vip_ref = ct.vip_ref,
		.vip_max = ct.vip_max,
	};

	ct.in_pass = false;
	ct_stats.passes++;
	ct_stats.entries = ct.pass_entries;
	ct_stats.last_pass_ms = (ct_now_ns() - ct.pass_start_ns) / 1000000;
	ct_flag_update(ct.pass_entries == 0);
	ct_filter_pass_end(ct.pass_start_ns);
	hook_call(ct_pass_done, &pass);
	ct_clear_free(&ct.clear_now);
	/* requests that came during the pass start the next one now */
	if (ct.clear_next)
		thread_add_event(ct.master, ct_age_step, NULL, 0, &ct.t);
	else
		thread_add_timer(ct.master, ct_age_step, NULL, CT_AGE_INTERVAL,
				 &ct.t);
}

/* The i-th entry of a batch of table t, its key as ct.h takes it. */
static void ct_age_batch_entry(enum ct_table t, long i, uint64_t now)
{
	const struct dp_map_batch *b = &ct.batch[t];
	const void *key = b->keys + i * b->key_size;
	struct dp_ct_key k;

	if (t == CT_TABLE_V4) {
		dp_ct4_key_unpack(key, AF_INET, &k);
		key = &k;
	}
	ct_age_entry(key, (const void *)(b->values + i * b->value_size), now);
}

static void ct_age_step(struct thread *t)
{
	uint64_t now = ct_now_ns();
	struct dp_map_batch *b;
	long n;

	DP_STALL_BEGIN(DP_STALL_CT_AGE);
	if (!ct.in_pass)
		ct_pass_begin();
	b = &ct.batch[ct.table];
	frr_with_privs (dp_privs()) {
		n = dp_map_batch_next(b);
		for (long i = 0; i < n; i++)
			ct_age_batch_entry(ct.table, i, now);
	}
	DP_STALL_END(DP_STALL_CT_AGE);

	if (n < 0)
		zlog_warn("ebpf: conntrack ageing cannot read %s: %s",
			  dp_map_name(ct_table_map[ct.table]),
			  safe_strerror(-n));
	/* a table that cannot be read ends its part of the pass */
	if ((n <= 0 || b->done) && ++ct.table == CT_TABLES)
		ct_pass_end();
	else
		thread_add_event(ct.master, ct_age_step, NULL, 0, &ct.t);
}

static int ct_resync_done(void)
{
	ct_filter_resync_done();
	return 0;
}

void ct_start(void)
{
	static bool hooked;

	if (!dp_maps_ready() || ct.batch_open)
		return;
	if (!hooked) {
		hook_register(dp_resync_done, ct_resync_done);
		hooked = true;
	}
	for (int i = 0; i < CT_TABLES; i++) {
		if (!dp_map_batch_open(ct_table_map[i], &ct.batch[i],
				       CT_AGE_BATCH))
			continue;
		zlog_warn("ebpf: %s cannot be read: conntrack is not aged",
			  dp_map_name(ct_table_map[i]));
		while (i >= 0)
			dp_map_batch_close(&ct.batch[i--]);
		return;
	}
	ct.batch_open = true;
	ct.master = dp_owner_master();
	ct_filter_start();
	ct.backend_max = dp_map_max_entries(DP_MAP_LB_BACKEND);
	ct.vip_max = dp_map_max_entries(DP_MAP_LB_VIP);
	ct.backend_ref = XCALLOC(MTYPE_CT_AGE, (ct.backend_max + 7) / 8);
	ct.vip_ref = XCALLOC(MTYPE_CT_AGE, (ct.vip_max + 7) / 8);
	thread_add_timer(ct.master, ct_age_step, NULL, CT_AGE_INTERVAL, &ct.t);
}

void ct_stop(void)
{
	if (ct.master)
		thread_cancel_async(ct.master, &ct.t, NULL);
	if (ct.batch_open)
		for (int i = 0; i < CT_TABLES; i++)
			dp_map_batch_close(&ct.batch[i]);
	ct.batch_open = false;
	ct_filter_stop();
	ct_clear_free(&ct.clear_now);
	ct_clear_free(&ct.clear_next);
	XFREE(MTYPE_CT_AGE, ct.backend_ref);
	XFREE(MTYPE_CT_AGE, ct.vip_ref);
}
