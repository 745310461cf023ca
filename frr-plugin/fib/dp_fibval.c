// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Value interning for the FIB: every distinct dp_rt_val gets one id, its
 * slot in fib_val_map. The slot is written (one bpf_map_update_elem)
 * before any FIB entry can name the id, and never rewritten while the id
 * is in use, so the datapath never reads a value that is being changed:
 * a route that changes value moves to another id. A freed id waits out a
 * grace period before it may name another value (dp_fibpool.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "fib/dp_fib_int.h"

static uint32_t dp_fib_val_hash(const struct dp_rt_val *v)
{
	uint64_t h = (uint64_t)v->nhg_id ^ ((uint64_t)v->type << 56);

	h *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(h >> 32);
}

static bool dp_fib_val_eq(const struct dp_rt_val *a, const struct dp_rt_val *b)
{
	return a->nhg_id == b->nhg_id && a->type == b->type;
}

static int dp_fib_vals_alloc(struct dp_fib_vals *v, int fd, uint32_t max)
{
	uint32_t nb = 1;

	memset(v, 0, sizeof(*v));
	while (nb < max)
		nb <<= 1;
	v->fd = fd;
	v->max = max;
	v->mask = nb - 1;
	v->val = calloc(max, sizeof(*v->val));
	v->refs = calloc(max, sizeof(*v->refs));
	v->next = calloc(max, sizeof(*v->next));
	v->bucket = calloc(nb, sizeof(*v->bucket));
	if (!v->val || !v->refs || !v->next || !v->bucket)
		return -ENOMEM;
	return 0;
}

int dp_fib_vals_init(struct dp_fib_vals *v, int fd, uint32_t max,
		     struct dp_fib_grace *grace)
{
	int err;

	err = dp_fib_vals_alloc(v, fd, max);
	if (!err)
		err = dp_fib_pool_init(&v->pool, 1, max, grace);
	if (err)
		dp_fib_vals_fini(v);
	return err;
}

static void dp_fib_val_link(struct dp_fib_vals *v, uint32_t id)
{
	uint32_t *head = &v->bucket[dp_fib_val_hash(&v->val[id]) & v->mask];

	v->next[id] = *head;
	*head = id;
}

int dp_fib_vals_init_held(struct dp_fib_vals *v, int fd, uint32_t max,
			  struct dp_fib_grace *grace, const uint8_t *held)
{
	struct dp_rt_val val;
	uint32_t id;
	int err;

	err = dp_fib_vals_alloc(v, fd, max);
	if (!err)
		err = dp_fib_pool_init_held(&v->pool, 1, max, grace, held);
	for (id = 1; !err && id < max; id++) {
		if (!held[id])
			continue;
		if (bpf_map_lookup_elem(fd, &id, &val)) {
			err = -errno;
			break;
		}
		v->val[id] = (struct dp_rt_val){ .nhg_id = val.nhg_id,
						 .type = val.type };
		v->refs[id] = 1;
		dp_fib_val_link(v, id);
	}
	if (err)
		dp_fib_vals_fini(v);
	return err;
}

void dp_fib_vals_fini(struct dp_fib_vals *v)
{
	dp_fib_pool_fini(&v->pool);
	free(v->val);
	free(v->refs);
	free(v->next);
	free(v->bucket);
	memset(v, 0, sizeof(*v));
}

int dp_fib_val_get(struct dp_fib_vals *v, const struct dp_rt_val *val,
		   uint32_t *idp, bool *fresh)
{
	/* Padding is not part of the value: two routes differing only
	 * there share an id. */
	struct dp_rt_val key = {
		.nhg_id = val->nhg_id, /* or the ifindex: one union */
		.type = val->type,
	};
	uint32_t *head = &v->bucket[dp_fib_val_hash(&key) & v->mask];
	uint32_t id;
	int err;

	for (id = *head; id; id = v->next[id]) {
		if (dp_fib_val_eq(&v->val[id], &key)) {
			v->refs[id]++;
			*idp = id;
			*fresh = false;
			return 0;
		}
	}
	err = dp_fib_pool_get(&v->pool, &id);
	if (err)
		return err;
	if (bpf_map_update_elem(v->fd, &id, &key, BPF_ANY)) {
		err = -errno;
		dp_fib_pool_unget(&v->pool, id);
		return err;
	}
	v->val[id] = key;
	v->refs[id] = 1;
	dp_fib_val_link(v, id);
	*idp = id;
	*fresh = true;
	return 0;
}

/* Drops one reference; true when it was the last (id unlinked). */
static bool dp_fib_val_release(struct dp_fib_vals *v, uint32_t id)
{
	uint32_t *link;

	if (--v->refs[id])
		return false;
	link = &v->bucket[dp_fib_val_hash(&v->val[id]) & v->mask];
	while (*link != id)
		link = &v->next[*link];
	*link = v->next[id];
	return true;
}

void dp_fib_val_put(struct dp_fib_vals *v, uint32_t id)
{
	if (dp_fib_val_release(v, id))
		dp_fib_pool_put(&v->pool, id);
}

/* The tables no longer name what only they named: those ids go, after a
 * grace period. */
void dp_fib_vals_unhold(struct dp_fib_vals *v, const uint8_t *held)
{
	uint32_t id;

	for (id = 1; id < v->max; id++)
		if (held[id])
			dp_fib_val_put(v, id);
}

void dp_fib_val_unget(struct dp_fib_vals *v, uint32_t id)
{
	if (dp_fib_val_release(v, id))
		dp_fib_pool_unget(&v->pool, id);
}
