// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The id pools behind value ids and tbl8 groups: a freed id is handed out
 * again only after a grace period that began after it was freed.
 */
#include <errno.h>

#include "fib/dp_fib_int.h"
#include "dp_test.h"
#include "tests_fib.h"

static int waits;

static int count_wait(void)
{
	waits++;
	return 0;
}

static uint32_t get(struct dp_fib_pool *p)
{
	uint32_t id = 0;

	T_EQ(dp_fib_pool_get(p, &id), 0, "dp_fib_pool_get");
	return id;
}

static void test_pool_order(void)
{
	struct dp_fib_grace g = {.wait = count_wait};
	struct dp_fib_pool p;
	uint32_t id;

	t_begin("pool: fresh ids first, a freed id only after a grace period");
	waits = 0;
	T_EQ(dp_fib_pool_init(&p, 1, 5, &g), 0, "init ids 1..4");
	T_EQ(get(&p), 1, "first id");
	T_EQ(get(&p), 2, "second id");
	dp_fib_pool_put(&p, 1);
	T_EQ(get(&p), 3, "id 1 is quarantined: a fresh id comes first");
	T_EQ(get(&p), 4, "last fresh id");
	T_EQ(waits, 0, "no grace period waited for yet");
	T_EQ(get(&p), 1, "only quarantined ids left: wait, then reuse");
	T_EQ(waits, 1, "one grace period waited for");
	T_EQ(dp_fib_pool_get(&p, &id), -ENOSPC, "all ids in use");
	T_EQ(p.used, 4, "ids in use");

	dp_fib_pool_put(&p, 3);
	dp_fib_pool_put(&p, 2);
	T_EQ(get(&p), 3, "FIFO order");
	T_EQ(waits, 2, "a wait releases every id freed before it");
	T_EQ(get(&p), 2, "released by the same wait");
	T_EQ(waits, 2, "no second wait");

	dp_fib_pool_put(&p, 4);
	g.done++; /* another pool sharing the grace counter waited */
	T_EQ(get(&p), 4, "a grace period already over releases the id");
	T_EQ(waits, 2, "without waiting again");
	dp_fib_pool_fini(&p);
	t_end();
}

static void test_pool_unget(void)
{
	struct dp_fib_grace g = {.wait = count_wait};
	struct dp_fib_pool p;

	t_begin("pool: an id never made visible is reusable at once");
	waits = 0;
	T_EQ(dp_fib_pool_init(&p, 0, 3, &g), 0, "init ids 0..2");
	T_EQ(get(&p), 0, "first id");
	T_EQ(get(&p), 1, "second id");
	dp_fib_pool_unget(&p, 1);
	T_EQ(get(&p), 1, "the last fresh id comes back");
	dp_fib_pool_put(&p, 1);
	T_EQ(get(&p), 2, "a put id is quarantined");
	T_EQ(get(&p), 1, "reused after waiting");
	dp_fib_pool_unget(&p, 0);
	T_EQ(get(&p), 0, "an ungot id goes to the head of the queue");
	T_EQ(waits, 1, "one wait in all");
	dp_fib_pool_fini(&p);
	t_end();
}

void test_pool(void)
{
	test_pool_order();
	test_pool_unget();
}
