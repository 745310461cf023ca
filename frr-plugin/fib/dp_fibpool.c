// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Id pools for value ids and tbl8 groups, and the grace period that lets
 * a freed id be reused (dp_fib_int.h, doc/fib.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>

#include "fib/dp_fib_int.h"

/*
 * XDP and TC programs run with bottom halves disabled or under
 * rcu_read_lock(), both RCU read-side sections, and MEMBARRIER_CMD_GLOBAL
 * is synchronize_rcu(): when it returns, every packet that was in the
 * datapath before the call has left it. Where it is refused (nohz_full
 * CPUs), wait 100 ms instead: five orders of magnitude longer than a
 * packet spends in the datapath, though not a proof.
 */
int dp_fib_grace_rcu(void)
{
	struct timespec ts = {.tv_nsec = 100 * 1000 * 1000};

	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0)
		return 0;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	return 0;
}

int dp_fib_pool_init(struct dp_fib_pool *p, uint32_t first, uint32_t end,
		     struct dp_fib_grace *grace)
{
	p->first = first;
	p->end = end;
	p->fresh = first;
	p->cap = end - first;
	p->head = p->count = p->used = 0;
	p->grace = grace;
	p->ring = malloc(sizeof(*p->ring) * (p->cap ? p->cap : 1));
	p->stamp = malloc(sizeof(*p->stamp) * (p->cap ? p->cap : 1));
	if (!p->ring || !p->stamp) {
		dp_fib_pool_fini(p);
		return -ENOMEM;
	}
	return 0;
}

int dp_fib_pool_init_held(struct dp_fib_pool *p, uint32_t first, uint32_t end,
			  struct dp_fib_grace *grace, const uint8_t *held)
{
	uint32_t id;
	int err;

	err = dp_fib_pool_init(p, first, end, grace);
	if (err)
		return err;
	/* The held ids are out; the rest were free before this run and are
	 * reusable at once, lowest first. */
	for (id = first; id < end; id++) {
		if (held[id]) {
			p->used++;
			continue;
		}
		p->ring[p->count] = id;
		p->stamp[p->count++] = 0;
	}
	p->fresh = end;
	return 0;
}

void dp_fib_pool_fini(struct dp_fib_pool *p)
{
	free(p->ring);
	free(p->stamp);
	p->ring = NULL;
	p->stamp = NULL;
}

static uint32_t dp_fib_pool_pop(struct dp_fib_pool *p)
{
	uint32_t id = p->ring[p->head];

	p->head = (p->head + 1) % p->cap;
	p->count--;
	return id;
}

int dp_fib_pool_get(struct dp_fib_pool *p, uint32_t *id)
{
	int err;

	if (p->count && p->stamp[p->head] <= p->grace->done) {
		*id = dp_fib_pool_pop(p);
	} else if (p->fresh < p->end) {
		*id = p->fresh++;
	} else if (p->count) {
		/* Every id freed so far is released by this one wait. */
		err = p->grace->wait();
		if (err)
			return err;
		p->grace->done++;
		*id = dp_fib_pool_pop(p);
	} else {
		return -ENOSPC;
	}
	p->used++;
	return 0;
}

void dp_fib_pool_put(struct dp_fib_pool *p, uint32_t id)
{
	uint32_t tail = (p->head + p->count) % p->cap;

	/* Reusable once a grace period that starts after now has ended. */
	p->ring[tail] = id;
	p->stamp[tail] = p->grace->done + 1;
	p->count++;
	p->used--;
}

void dp_fib_pool_unget(struct dp_fib_pool *p, uint32_t id)
{
	p->used--;
	if (id + 1 == p->fresh) {
		p->fresh--;
		return;
	}
	p->head = (p->head + p->cap - 1) % p->cap;
	p->ring[p->head] = id;
	p->stamp[p->head] = 0;
	p->count++;
}
