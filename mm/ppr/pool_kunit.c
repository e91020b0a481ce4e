// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the thread pool (pool.c), with two fake clients. They
 * show that each client is ticked once at the start, again when kicked,
 * and not otherwise before its time; that every queued item, whatever its
 * client, runs exactly once or, when the pool stops first, is cancelled
 * exactly once; that a work thread hands each client the scratch that
 * client allocated, and frees it; and that the number of work threads
 * follows ppr_pool_set_threads().
 *
 * Built into the kernel with its own copy of the pool, so that it runs at
 * boot and never meets the module's pool. Waits are for events, with a
 * generous bound; nothing here asserts a speed.
 */
#include "pool.c"		/* first: it sets pr_fmt */

#include <kunit/test.h>
#include <linux/completion.h>

#define TEST_ITEMS	64
#define TEST_WAIT	(10 * HZ)	/* bounds what takes microseconds */

struct test_item {
	struct ppr_work work;
	int id;
};

struct test_client {
	struct ppr_client c;
	atomic_t ticks;
	atomic_t runs[TEST_ITEMS];
	atomic_t cancels[TEST_ITEMS];
	atomic_t bad_scratch;		/* items run with no or another's scratch */
	atomic_t scratches;		/* allocated, not yet freed */
	atomic_t to_queue;		/* items to queue at the next tick */
	struct completion ticked;
	struct completion hold;		/* item 0 waits for it, if holding */
	struct completion held;		/* item 0 is running */
	bool holding;
};

static struct test_client *tc(struct ppr_client *c)
{
	return container_of(c, struct test_client, c);
}

static unsigned long test_tick(struct ppr_client *c, unsigned long now)
{
	struct test_client *t = tc(c);
	int i, n = atomic_xchg(&t->to_queue, 0);

	for (i = 0; i < n; i++) {
		struct test_item *it = kzalloc(sizeof(*it), GFP_KERNEL);

		if (!it)
			continue;
		it->work.client = c;
		it->id = i;
		ppr_pool_queue(&it->work);
	}
	atomic_inc(&t->ticks);
	complete(&t->ticked);
	return now + 3600 * HZ;		/* only a kick ticks it again */
}

static void test_run(struct ppr_work *work, void *scratch)
{
	struct test_item *it = container_of(work, struct test_item, work);
	struct test_client *t = tc(work->client);

	if (!scratch || *(struct test_client **)scratch != t)
		atomic_inc(&t->bad_scratch);
	if (it->id == 0 && t->holding) {
		complete(&t->held);
		wait_for_completion_timeout(&t->hold, TEST_WAIT);
	}
	atomic_inc(&t->runs[it->id]);
	kfree(it);
}

static void test_cancel(struct ppr_work *work)
{
	struct test_item *it = container_of(work, struct test_item, work);

	atomic_inc(&tc(work->client)->cancels[it->id]);
	kfree(it);
}

static void *test_scratch_alloc(struct ppr_client *c)
{
	struct test_client **s = kmalloc(sizeof(*s), GFP_KERNEL);

	if (s) {
		*s = tc(c);
		atomic_inc(&tc(c)->scratches);
	}
	return s;
}

static void test_scratch_free(struct ppr_client *c, void *s)
{
	atomic_dec(&tc(c)->scratches);
	kfree(s);
}

static struct test_client *test_new_client(struct kunit *test, const char *name)
{
	struct test_client *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->c.name = name;
	t->c.tick = test_tick;
	t->c.run = test_run;
	t->c.cancel = test_cancel;
	t->c.scratch_alloc = test_scratch_alloc;
	t->c.scratch_free = test_scratch_free;
	init_completion(&t->ticked);
	init_completion(&t->hold);
	init_completion(&t->held);
	return t;
}

/* Wait until @t has run @n items or TEST_WAIT passed. */
static void test_wait_runs(struct test_client *t, int n)
{
	unsigned long end = jiffies + TEST_WAIT;
	int i, done;

	do {
		for (done = 0, i = 0; i < n; i++)
			done += atomic_read(&t->runs[i]) > 0;
		if (done == n)
			return;
		schedule_timeout_uninterruptible(1);
	} while (time_before(jiffies, end));
}

/* Wait until @t's scratch count is @n (threads start on their own). */
static int test_wait_scratches(struct test_client *t, int n)
{
	unsigned long end = jiffies + TEST_WAIT;

	while (atomic_read(&t->scratches) != n && time_before(jiffies, end))
		schedule_timeout_uninterruptible(1);
	return atomic_read(&t->scratches);
}

static void ppr_pool_test_ticks(struct kunit *test)
{
	struct test_client *a = test_new_client(test, "a");
	struct test_client *b = test_new_client(test, "b");
	struct ppr_client *clients[] = { &a->c, &b->c };

	KUNIT_ASSERT_EQ(test, ppr_pool_start(clients, 2, 2), 0);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&a->ticked, TEST_WAIT), 0UL);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&b->ticked, TEST_WAIT), 0UL);
	reinit_completion(&a->ticked);
	ppr_pool_kick(&a->c);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&a->ticked, TEST_WAIT), 0UL);
	ppr_pool_stop();
	KUNIT_EXPECT_EQ(test, atomic_read(&a->ticks), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->ticks), 1);
}

static void ppr_pool_test_items_run_once(struct kunit *test)
{
	struct test_client *a = test_new_client(test, "a");
	struct test_client *b = test_new_client(test, "b");
	struct ppr_client *clients[] = { &a->c, &b->c };
	int i;

	atomic_set(&a->to_queue, TEST_ITEMS);
	atomic_set(&b->to_queue, TEST_ITEMS / 2);
	KUNIT_ASSERT_EQ(test, ppr_pool_start(clients, 2, 3), 0);
	KUNIT_EXPECT_EQ(test, test_wait_scratches(a, 3), 3);
	KUNIT_EXPECT_EQ(test, test_wait_scratches(b, 3), 3);
	test_wait_runs(a, TEST_ITEMS);
	test_wait_runs(b, TEST_ITEMS / 2);
	ppr_pool_stop();
	for (i = 0; i < TEST_ITEMS; i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&a->runs[i]), 1);
		KUNIT_EXPECT_EQ(test, atomic_read(&b->runs[i]), i < TEST_ITEMS / 2);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&a->bad_scratch), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->bad_scratch), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->scratches), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->scratches), 0);
}

/*
 * One work thread, held on item 0 while the rest wait in the queue, then
 * the pool stops as the hold is released: each item ran or was cancelled,
 * exactly once, and at least the queued tail was cancelled or run.
 */
static void ppr_pool_test_stop_cancels(struct kunit *test)
{
	struct test_client *a = test_new_client(test, "a");
	struct ppr_client *clients[] = { &a->c };
	int i, ran = 0, cancelled = 0;

	a->holding = true;
	atomic_set(&a->to_queue, TEST_ITEMS);
	KUNIT_ASSERT_EQ(test, ppr_pool_start(clients, 1, 1), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&a->held, TEST_WAIT), 0UL);
	complete(&a->hold);
	ppr_pool_stop();
	for (i = 0; i < TEST_ITEMS; i++) {
		int r = atomic_read(&a->runs[i]), c = atomic_read(&a->cancels[i]);

		KUNIT_EXPECT_EQ_MSG(test, r + c, 1, "item %d: ran %d, cancelled %d", i, r, c);
		ran += r;
		cancelled += c;
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&a->runs[0]), 1);
	KUNIT_EXPECT_EQ(test, ran + cancelled, TEST_ITEMS);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->scratches), 0);
}

static void ppr_pool_test_threads(struct kunit *test)
{
	struct test_client *a = test_new_client(test, "a");
	struct ppr_client *clients[] = { &a->c };

	KUNIT_EXPECT_EQ(test, ppr_pool_set_threads(2), -ENODEV);
	KUNIT_EXPECT_EQ(test, ppr_pool_start(clients, 1, 0), -EINVAL);
	KUNIT_ASSERT_EQ(test, ppr_pool_start(clients, 1, 1), 0);
	KUNIT_EXPECT_EQ(test, ppr_pool_threads(), 1U);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&a->ticked, TEST_WAIT), 0UL);
	KUNIT_EXPECT_EQ(test, ppr_pool_set_threads(4), 0);
	KUNIT_EXPECT_EQ(test, ppr_pool_threads(), 4U);
	KUNIT_EXPECT_EQ(test, test_wait_scratches(a, 4), 4);
	KUNIT_EXPECT_EQ(test, ppr_pool_set_threads(2), 0);
	KUNIT_EXPECT_EQ(test, ppr_pool_threads(), 2U);
	KUNIT_EXPECT_EQ(test, test_wait_scratches(a, 2), 2);
	KUNIT_EXPECT_EQ(test, ppr_pool_set_threads(0), -ERANGE);
	KUNIT_EXPECT_EQ(test, ppr_pool_set_threads(PPR_POOL_MAX_THREADS + 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, ppr_pool_threads(), 2U);
	KUNIT_EXPECT_GT(test, ppr_pool_cpu_ns(true), 0ULL);
	ppr_pool_stop();
	KUNIT_EXPECT_EQ(test, ppr_pool_threads(), 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->scratches), 0);
}

static struct kunit_case ppr_pool_test_cases[] = {
	KUNIT_CASE(ppr_pool_test_ticks),
	KUNIT_CASE(ppr_pool_test_items_run_once),
	KUNIT_CASE(ppr_pool_test_stop_cancels),
	KUNIT_CASE(ppr_pool_test_threads),
	{}
};

static struct kunit_suite ppr_pool_test_suite = {
	.name = "ppr_pool",
	.test_cases = ppr_pool_test_cases,
};

kunit_test_suite(ppr_pool_test_suite);

MODULE_DESCRIPTION("KUnit tests of the ppr_pageone thread pool");
MODULE_LICENSE("GPL");
