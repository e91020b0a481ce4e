// SPDX-License-Identifier: GPL-2.0
/*
 * ppr_pageone: the host engine of PPR. One daemon thread wakes every
 * reclaim period, looks at each attached VM's summary bitmap and queues one
 * slice per flagged 2 MiB chunk; N work threads take slices off the queue
 * and recycle the marked pages in them (vm.c, mm/ppr/recycle.c). When no
 * guest marked anything, a pass reads one summary word per 128 MiB of guest
 * memory and queues nothing. Every merge period the daemon also starts a
 * PageONE pass and queues one token per work thread (dedup.c): a token
 * scans whole mms for KSM until the pass has none left.
 */
#define pr_fmt(fmt) "ppr_pageone: " fmt

#include <linux/freezer.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/pageone.h>
#include <linux/ppr_kvm.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "ppr.h"

unsigned int ppr_reclaim_period_ms = 10000;
unsigned int ppr_work_threads = 2;
bool ppr_run = true;
bool ppr_lru_drain_wanted;	/* a worker skipped a page as pinned */
struct ppr_stats ppr_stats;
struct workqueue_struct *ppr_wq;		/* detaches of exiting VMMs */

/* Set the reclaim period; -ERANGE outside PPR_MIN/MAX_PERIOD_MS. */
int ppr_set_reclaim_period(unsigned int ms)
{
	if (ms < PPR_MIN_PERIOD_MS || ms > PPR_MAX_PERIOD_MS)
		return -ERANGE;
	WRITE_ONCE(ppr_reclaim_period_ms, ms);
	ppr_wake_daemon();
	return 0;
}

static int ppr_set_period(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	return err ? err : ppr_set_reclaim_period(v);
}

static const struct kernel_param_ops ppr_period_ops = {
	.set = ppr_set_period,
	.get = param_get_uint,
};
module_param_cb(reclaim_period_ms, &ppr_period_ops, &ppr_reclaim_period_ms, 0444);
MODULE_PARM_DESC(reclaim_period_ms, "milliseconds between recycle passes (10..3600000, default 10000)");

static int ppr_set_threads_param(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (!v || v > PPR_MAX_THREADS)
		return -ERANGE;
	ppr_work_threads = v;	/* at load time only; sysfs changes it later */
	return 0;
}

static const struct kernel_param_ops ppr_threads_ops = {
	.set = ppr_set_threads_param,
	.get = param_get_uint,
};
module_param_cb(work_threads, &ppr_threads_ops, &ppr_work_threads, 0444);
MODULE_PARM_DESC(work_threads, "work threads (1..64, default 2)");

static int ppr_set_chunks_param(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (!v || v > PPR_MAX_CHUNKS_PER_PASS)
		return -ERANGE;
	ppr_max_chunks_per_pass = v;
	return 0;
}

static const struct kernel_param_ops ppr_chunks_ops = {
	.set = ppr_set_chunks_param,
	.get = param_get_uint,
};
/* Set at load time only: the bound on one VM's share of a pass. */
unsigned int ppr_max_chunks_per_pass = 8192;
module_param_cb(max_chunks_per_pass, &ppr_chunks_ops, &ppr_max_chunks_per_pass, 0444);
MODULE_PARM_DESC(max_chunks_per_pass,
		 "2 MiB chunks of one VM queued per pass at most (1..1048576, default 8192: 16 GiB of guest memory)");

module_param_named(run, ppr_run, bool, 0444);
MODULE_PARM_DESC(run, "recycle from load on (default true)");

/*
 * The slice queue: filled by the daemon, emptied by the workers. A summary
 * bit is cleared when its slice is queued, so a chunk is queued at most
 * once until the guest flags it again.
 */
static LIST_HEAD(ppr_queue);
static DEFINE_SPINLOCK(ppr_queue_lock);
static DECLARE_WAIT_QUEUE_HEAD(ppr_worker_wait);

/* Threads: started and stopped under ppr_threads_lock. */
static DEFINE_MUTEX(ppr_threads_lock);
static struct task_struct *ppr_daemon;
static struct task_struct *ppr_workers[PPR_MAX_THREADS];
static unsigned int ppr_nr_workers;
static u64 ppr_exited_worker_ns;	/* CPU time of stopped workers */
static bool ppr_daemon_kicked;		/* a recycle pass now */
static bool ppr_daemon_dedup_kicked;	/* look at PageONE now */
static DECLARE_WAIT_QUEUE_HEAD(ppr_daemon_wait);

/* Queue @slice: a VM's chunk, or a PageONE token if slice->vm is NULL. */
static void ppr_enqueue(struct ppr_slice *slice)
{
	spin_lock(&ppr_queue_lock);
	list_add_tail(&slice->node, &ppr_queue);
	spin_unlock(&ppr_queue_lock);
	wake_up(&ppr_worker_wait);
}

bool ppr_queue_slice(struct ppr_vm *vm, u64 chunk)
{
	struct ppr_slice *slice = kmalloc(sizeof(*slice), GFP_KERNEL);

	if (!slice)
		return false;
	kobject_get(&vm->kobj);
	slice->vm = vm;
	slice->chunk = chunk;
	atomic64_inc(&ppr_stats.slices);
	atomic64_inc(&vm->stats.slices);
	ppr_enqueue(slice);
	return true;
}

/*
 * Begin a PageONE pass and queue one token per work thread. A token that
 * cannot be allocated is dropped at once: fewer threads scan this pass.
 */
void ppr_queue_dedup_pass(void)
{
	unsigned int i, n = READ_ONCE(ppr_work_threads);

	if (!pageone_begin_pass(n))
		return;
	for (i = 0; i < n; i++) {
		struct ppr_slice *token = kzalloc(sizeof(*token), GFP_KERNEL);

		if (!token) {
			pageone_drop_token();
			continue;
		}
		ppr_enqueue(token);
	}
}

/* The slice or token is done with, or will not run. */
static void ppr_slice_free(struct ppr_slice *slice, bool ran)
{
	if (slice->vm) {
		ppr_vm_slice_done(slice->vm, slice->chunk);
		ppr_vm_put(slice->vm);
	} else if (!ran) {
		pageone_drop_token();
	}
	kfree(slice);
}

static struct ppr_slice *ppr_dequeue(void)
{
	struct ppr_slice *slice;

	spin_lock(&ppr_queue_lock);
	slice = list_first_entry_or_null(&ppr_queue, struct ppr_slice, node);
	if (slice)
		list_del(&slice->node);
	spin_unlock(&ppr_queue_lock);
	return slice;
}

void ppr_wake_daemon(void)
{
	WRITE_ONCE(ppr_daemon_kicked, true);
	wake_up(&ppr_daemon_wait);
}

void ppr_wake_daemon_dedup(void)
{
	WRITE_ONCE(ppr_daemon_dedup_kicked, true);
	wake_up(&ppr_daemon_wait);
}

/*
 * The daemon: a recycle pass every reclaim period (or at once when kicked)
 * and a look at PageONE at the time ppr_dedup_tick() asks for.
 */
static int ppr_daemon_fn(void *unused)
{
	unsigned long next_recycle = jiffies, next_dedup, next, now, timeout;
	struct ppr_vm *vm;

	set_freezable();
	while (!kthread_should_stop()) {
		now = jiffies;
		if (READ_ONCE(ppr_daemon_kicked)) {
			WRITE_ONCE(ppr_daemon_kicked, false);
			next_recycle = now;
		}
		if (!time_before(now, next_recycle)) {
			if (READ_ONCE(ppr_run)) {
				/*
				 * Pages skipped as pinned last time may only
				 * sit in a CPU's LRU batch: drain them first.
				 */
				if (xchg(&ppr_lru_drain_wanted, false))
					ppr_recycle_drain_lru();
				mutex_lock(&ppr_vms_lock);
				list_for_each_entry(vm, &ppr_vms, node)
					ppr_vm_pass(vm);
				mutex_unlock(&ppr_vms_lock);
				atomic64_inc(&ppr_stats.passes);
			}
			next_recycle = now + msecs_to_jiffies(READ_ONCE(ppr_reclaim_period_ms));
		}
		WRITE_ONCE(ppr_daemon_dedup_kicked, false);
		next_dedup = ppr_dedup_tick(jiffies);
		next = time_before(next_dedup, next_recycle) ? next_dedup : next_recycle;
		now = jiffies;
		timeout = time_after(next, now) ? next - now : 0;
		wait_event_freezable_timeout(ppr_daemon_wait,
					     kthread_should_stop() ||
					     READ_ONCE(ppr_daemon_kicked) ||
					     READ_ONCE(ppr_daemon_dedup_kicked),
					     timeout);
	}
	return 0;
}

static int ppr_worker_fn(void *unused)
{
	struct ppr_recycle_scratch *scratch;
	struct pageone_scratch *pscratch;
	struct ppr_slice *slice;

	scratch = kvmalloc(sizeof(*scratch), GFP_KERNEL);
	pscratch = pageone_scratch_alloc();
	if (!scratch || !pscratch) {
		kvfree(scratch);
		pageone_scratch_free(pscratch);
		return -ENOMEM;
	}
	set_freezable();
	while (!kthread_should_stop()) {
		wait_event_freezable(ppr_worker_wait, kthread_should_stop() ||
				     !list_empty_careful(&ppr_queue));
		while (!kthread_should_stop() && (slice = ppr_dequeue())) {
			if (slice->vm)
				ppr_vm_do_slice(slice, scratch);
			else
				pageone_run_token(pscratch, kthread_should_stop);
			ppr_slice_free(slice, true);
			cond_resched();
		}
	}
	pageone_scratch_free(pscratch);
	kvfree(scratch);
	return 0;
}

/* Grow or shrink the pool of work threads to @n; under ppr_threads_lock. */
static int __ppr_set_work_threads(unsigned int n)
{
	lockdep_assert_held(&ppr_threads_lock);
	while (ppr_nr_workers < n) {
		struct task_struct *t;

		t = kthread_run(ppr_worker_fn, NULL, "ppr_worker/%u", ppr_nr_workers);
		if (IS_ERR(t)) {
			/* work_threads says how many run, not how many were asked. */
			ppr_work_threads = ppr_nr_workers;
			return PTR_ERR(t);
		}
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
	ppr_work_threads = n;
	return 0;
}

int ppr_set_work_threads(unsigned int n)
{
	int err;

	if (!n || n > PPR_MAX_THREADS)
		return -ERANGE;
	mutex_lock(&ppr_threads_lock);
	err = __ppr_set_work_threads(n);
	mutex_unlock(&ppr_threads_lock);
	return err;
}

/* CPU time used so far by the daemon, or by all work threads, in ns. */
u64 ppr_threads_cpu_ns(bool daemon)
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

static void ppr_stop_threads(void)
{
	struct ppr_slice *slice;

	mutex_lock(&ppr_threads_lock);
	if (ppr_daemon) {
		kthread_stop(ppr_daemon);
		put_task_struct(ppr_daemon);
		ppr_daemon = NULL;
	}
	__ppr_set_work_threads(0);
	mutex_unlock(&ppr_threads_lock);
	/* Slices and tokens nobody will run. */
	while ((slice = ppr_dequeue()))
		ppr_slice_free(slice, false);
}

static int __init ppr_init(void)
{
	unsigned int n = ppr_work_threads;
	int err;

	ppr_wq = alloc_workqueue("ppr_detach", 0, 0);
	if (!ppr_wq)
		return -ENOMEM;
	err = ppr_sysfs_init();
	if (err) {
		destroy_workqueue(ppr_wq);
		return err;
	}
	mutex_lock(&ppr_threads_lock);
	ppr_nr_workers = 0;
	err = __ppr_set_work_threads(n);
	if (!err) {
		ppr_daemon = kthread_run(ppr_daemon_fn, NULL, "ppr_daemon");
		if (IS_ERR(ppr_daemon)) {
			err = PTR_ERR(ppr_daemon);
			ppr_daemon = NULL;
		} else {
			get_task_struct(ppr_daemon);
		}
	}
	mutex_unlock(&ppr_threads_lock);
	if (err)
		goto stop;
	err = ppr_dedup_init(ppr_sysfs_root());
	if (err)
		goto stop;
	ppr_kvm_set_removal_hook(ppr_vm_memslot_removal);
	err = ppr_dev_init();
	if (err)
		goto unhook;
	pr_info("loaded: %u work threads, reclaim period %u ms, %s; PageONE replaces ksmd, merge period %u ms\n",
		ppr_work_threads, ppr_reclaim_period_ms, ppr_run ? "running" : "stopped",
		ppr_merge_period_ms);
	return 0;

unhook:
	ppr_kvm_set_removal_hook(NULL);
stop:
	ppr_stop_threads();
	ppr_dedup_exit();		/* nothing to undo if it did not start */
	ppr_sysfs_exit();
	destroy_workqueue(ppr_wq);
	return err;
}
module_init(ppr_init);

static void __exit ppr_exit(void)
{
	ppr_dev_exit();			/* no new attach */
	ppr_stop_threads();		/* no batch, no token in flight */
	ppr_dedup_exit();		/* ksmd scans again */
	ppr_vm_detach_all();
	ppr_kvm_set_removal_hook(NULL);	/* waits for hooks in flight */
	ppr_sysfs_exit();
	destroy_workqueue(ppr_wq);
	pr_info("unloaded\n");
}
module_exit(ppr_exit);

MODULE_DESCRIPTION("PPR host engine: recycle the pages KVM guests marked free");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(PPR);
