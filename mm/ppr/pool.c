// SPDX-License-Identifier: GPL-2.0
/*
 * The thread pool shared by the recycler and PageONE (pool.h): the daemon,
 * the work threads, their queue and their CPU time. Nothing here knows
 * what a client does.
 */
#define pr_fmt(fmt) "ppr_pageone: " fmt

#include <linux/freezer.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "pool.h"

/* Set at ppr_pool_start(), before any thread runs; read-only after. */
static struct ppr_client *ppr_clients[PPR_POOL_MAX_CLIENTS];
static unsigned int ppr_nr_clients;

/* The queue: items of every client in the order they were queued. */
static LIST_HEAD(ppr_queue);
static DEFINE_SPINLOCK(ppr_queue_lock);
static DECLARE_WAIT_QUEUE_HEAD(ppr_worker_wait);
/* Under ppr_queue_lock: queueing is allowed (threads run or will). */
static bool ppr_queue_open;

/* The threads: started and stopped under ppr_threads_lock. */
static DEFINE_MUTEX(ppr_threads_lock);
static struct task_struct *ppr_daemon;
static struct task_struct *ppr_workers[PPR_POOL_MAX_THREADS];
static unsigned int ppr_nr_workers;
static u64 ppr_exited_worker_ns;	/* CPU time of stopped work threads */

/* Set by ppr_pool_kick() after the client's flag: the daemon looks. */
static bool ppr_daemon_kicked;
static DECLARE_WAIT_QUEUE_HEAD(ppr_daemon_wait);

/**
 * ppr_pool_queue - hand one item of work to the work threads
 * @work: the item; @work->client set
 *
 * Any context that may sleep. The item runs once, on one work thread, or
 * is cancelled if the pool stops first.
 */
void ppr_pool_queue(struct ppr_work *work)
{
	bool open;

	spin_lock(&ppr_queue_lock);
	open = ppr_queue_open;
	if (open)
		list_add_tail(&work->node, &ppr_queue);
	spin_unlock(&ppr_queue_lock);
	if (WARN_ON_ONCE(!open)) {
		work->client->cancel(work);
		return;
	}
	wake_up(&ppr_worker_wait);
}

static struct ppr_work *ppr_dequeue(void)
{
	struct ppr_work *work;

	spin_lock(&ppr_queue_lock);
	work = list_first_entry_or_null(&ppr_queue, struct ppr_work, node);
	if (work)
		list_del(&work->node);
	spin_unlock(&ppr_queue_lock);
	return work;
}

/**
 * ppr_pool_kick - have the daemon call @client's tick now
 * @client: one of the pool's clients
 *
 * Any context; before the pool starts it takes effect at the start.
 */
void ppr_pool_kick(struct ppr_client *client)
{
	WRITE_ONCE(client->kicked, true);
	/* The client's flag is seen by a daemon that sees the pool's. */
	smp_store_release(&ppr_daemon_kicked, true);
	wake_up(&ppr_daemon_wait);
}

/* One round of the daemon: tick what is due; the jiffies to wake at. */
static unsigned long ppr_daemon_round(void)
{
	unsigned long now = jiffies, next = now + MAX_JIFFY_OFFSET;
	unsigned int i;

	/*
	 * Take the pool's flag before reading the clients': a kick whose
	 * flag this takes has its client's flag seen below (xchg orders
	 * fully); a later kick leaves the pool's flag set for the wait.
	 */
	xchg(&ppr_daemon_kicked, false);
	for (i = 0; i < ppr_nr_clients; i++) {
		struct ppr_client *c = ppr_clients[i];

		if (xchg(&c->kicked, false) || !time_before(now, c->next))
			c->next = c->tick(c, now);
		if (time_before(c->next, next))
			next = c->next;
		now = jiffies;
	}
	return next;
}

static int ppr_daemon_fn(void *unused)
{
	set_freezable();
	while (!kthread_should_stop()) {
		unsigned long next = ppr_daemon_round(), now = jiffies;

		wait_event_freezable_timeout(ppr_daemon_wait,
					     kthread_should_stop() ||
					     READ_ONCE(ppr_daemon_kicked),
					     time_after(next, now) ? next - now : 0);
	}
	return 0;
}

static void ppr_scratch_free(void **scratch)
{
	unsigned int i;

	for (i = 0; i < ppr_nr_clients; i++)
		if (scratch[i])
			ppr_clients[i]->scratch_free(ppr_clients[i], scratch[i]);
}

static int ppr_worker_fn(void *unused)
{
	void *scratch[PPR_POOL_MAX_CLIENTS] = {};
	struct ppr_work *work;
	unsigned int i;

	for (i = 0; i < ppr_nr_clients; i++) {
		if (!ppr_clients[i]->scratch_alloc)
			continue;
		scratch[i] = ppr_clients[i]->scratch_alloc(ppr_clients[i]);
		if (!scratch[i]) {
			ppr_scratch_free(scratch);
			pr_err("a work thread could not allocate %s's scratch space: it does not run\n",
			       ppr_clients[i]->name);
			return -ENOMEM;
		}
	}
	set_freezable();
	while (!kthread_should_stop()) {
		wait_event_freezable(ppr_worker_wait, kthread_should_stop() ||
				     !list_empty_careful(&ppr_queue));
		while (!kthread_should_stop() && (work = ppr_dequeue())) {
			struct ppr_client *c = work->client;

			c->run(work, scratch[c->index]);
			cond_resched();
		}
	}
	ppr_scratch_free(scratch);
	return 0;
}

/* Grow or shrink the work threads to @n. */
static int __ppr_pool_set_threads(unsigned int n)
{
	lockdep_assert_held(&ppr_threads_lock);
	while (ppr_nr_workers < n) {
		struct task_struct *t;

		t = kthread_run(ppr_worker_fn, NULL, "ppr_worker/%u", ppr_nr_workers);
		if (IS_ERR(t))
			return PTR_ERR(t);
		get_task_struct(t);
		ppr_workers[ppr_nr_workers++] = t;
	}
	while (ppr_nr_workers > n) {
		struct task_struct *t = ppr_workers[--ppr_nr_workers];

		kthread_stop(t);
		ppr_exited_worker_ns += t->se.sum_exec_runtime;
		put_task_struct(t);
		ppr_workers[ppr_nr_workers] = NULL;
	}
	return 0;
}

/**
 * ppr_pool_set_threads - run @n work threads
 * @n: 1..PPR_POOL_MAX_THREADS
 *
 * Return: 0; -ERANGE for a bad @n; -ENODEV if the pool is not running;
 * or the error of a thread that did not start (those that did keep
 * running: ppr_pool_threads() says how many).
 */
int ppr_pool_set_threads(unsigned int n)
{
	int err = -ENODEV;

	if (!n || n > PPR_POOL_MAX_THREADS)
		return -ERANGE;
	mutex_lock(&ppr_threads_lock);
	if (ppr_daemon)
		err = __ppr_pool_set_threads(n);
	mutex_unlock(&ppr_threads_lock);
	return err;
}

/* How many work threads run. */
unsigned int ppr_pool_threads(void)
{
	return READ_ONCE(ppr_nr_workers);
}

/* CPU time used so far by the daemon, or by all work threads, in ns. */
u64 ppr_pool_cpu_ns(bool daemon)
{
	u64 ns = 0;
	unsigned int i;

	mutex_lock(&ppr_threads_lock);
	if (daemon) {
		if (ppr_daemon)
			ns = READ_ONCE(ppr_daemon->se.sum_exec_runtime);
	} else {
		ns = ppr_exited_worker_ns;
		for (i = 0; i < ppr_nr_workers; i++)
			ns += READ_ONCE(ppr_workers[i]->se.sum_exec_runtime);
	}
	mutex_unlock(&ppr_threads_lock);
	return ns;
}

/**
 * ppr_pool_start - start the daemon and @threads work threads
 * @clients: the clients, each with ->tick, ->run and ->cancel
 * @nr_clients: 1..PPR_POOL_MAX_CLIENTS
 * @threads: 1..PPR_POOL_MAX_THREADS
 *
 * Each client is ticked at once. Return: 0, or an error with nothing
 * left running.
 */
int ppr_pool_start(struct ppr_client **clients, unsigned int nr_clients,
		   unsigned int threads)
{
	struct task_struct *d;
	unsigned int i;
	int err;

	if (!nr_clients || nr_clients > PPR_POOL_MAX_CLIENTS ||
	    !threads || threads > PPR_POOL_MAX_THREADS)
		return -EINVAL;
	for (i = 0; i < nr_clients; i++) {
		struct ppr_client *c = clients[i];

		if (WARN_ON(!c->tick || !c->run || !c->cancel ||
			    !c->scratch_alloc != !c->scratch_free))
			return -EINVAL;
	}
	mutex_lock(&ppr_threads_lock);
	if (WARN_ON(ppr_daemon)) {
		mutex_unlock(&ppr_threads_lock);
		return -EBUSY;
	}
	for (i = 0; i < nr_clients; i++) {
		clients[i]->index = i;
		clients[i]->next = jiffies;
		ppr_clients[i] = clients[i];
	}
	ppr_nr_clients = nr_clients;
	spin_lock(&ppr_queue_lock);
	ppr_queue_open = true;
	spin_unlock(&ppr_queue_lock);
	err = __ppr_pool_set_threads(threads);
	if (err)
		goto stop;
	d = kthread_run(ppr_daemon_fn, NULL, "ppr_daemon");
	if (IS_ERR(d)) {
		err = PTR_ERR(d);
		goto stop;
	}
	get_task_struct(d);
	ppr_daemon = d;
	mutex_unlock(&ppr_threads_lock);
	return 0;
stop:
	__ppr_pool_set_threads(0);
	mutex_unlock(&ppr_threads_lock);
	ppr_pool_stop();
	return err;
}

/*
 * Stop every thread; items still queued are cancelled. When it returns no
 * client code runs on the pool's threads.
 */
void ppr_pool_stop(void)
{
	struct ppr_work *work;

	mutex_lock(&ppr_threads_lock);
	if (ppr_daemon) {
		kthread_stop(ppr_daemon);
		put_task_struct(ppr_daemon);
		ppr_daemon = NULL;
	}
	__ppr_pool_set_threads(0);
	mutex_unlock(&ppr_threads_lock);
	spin_lock(&ppr_queue_lock);
	ppr_queue_open = false;
	spin_unlock(&ppr_queue_lock);
	while ((work = ppr_dequeue()))
		work->client->cancel(work);
}
