// SPDX-License-Identifier: GPL-2.0
/*
 * PageONE on the ppr_pageone module's threads: its client of the module's
 * thread pool (mm/ppr/pool.h). At load it takes KSM scanning over from
 * ksmd (pageone_start(); ksmd stays off until unload) and sets
 * /sys/kernel/mm/ksm/run to 1 unless merge=0. Its tick starts a pass
 * every merge period and queues one token per work thread; the work
 * threads run tokens between the recycler's slices.
 *
 * /sys/kernel/mm/ksm/run keeps its meaning: 0 pauses PageONE, 1 runs it
 * (and starts a pass at once, as it wakes ksmd), 2 unmerges everything.
 *
 * /sys/kernel/mm/ppr_pageone/pageone/ holds the counters (pageone_stats in
 * include/linux/pageone.h); merge_period_ms is with the module's settings.
 *
 * What it knows of attached VMs comes from the module at load, as two
 * functions (mm/ppr/scope.c): the filter of pages marked free, and a look
 * at the VMs' guest RAM before each pass. It includes nothing of the
 * recycler.
 */
#define pr_fmt(fmt) "ppr_pageone: " fmt

#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/pageone.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>

#include "../ppr/pool.h"
#include "client.h"

#define PPR_DEFAULT_MERGE_PERIOD_MS	600000

unsigned int ppr_merge_period_ms = PPR_DEFAULT_MERGE_PERIOD_MS;
static bool ppr_merge = true;
static bool ppr_pageone_on;		/* holds the claim: set at init only */
static void (*ppr_pageone_before_pass)(void);	/* set at init only */
static struct kobject *ppr_pageone_kobj;
/* Ticks at which a pass was due but the last one still ran. */
static atomic64_t ppr_pageone_late;

/*
 * The CPU budget: dedup_cpu_percent of one CPU, summed over the work
 * threads, 0 for none. A token bucket: the budget fills at that rate of
 * wall time, up to PPR_BUDGET_BURST_MS of it, and each token run takes
 * the CPU time it used. A token that finds the budget spent is parked;
 * the daemon queues it again once the budget has refilled. The cap holds
 * over any stretch longer than a burst plus one run (32 batches).
 */
#define PPR_BUDGET_BURST_MS	100
unsigned int ppr_dedup_cpu_percent;
static DEFINE_SPINLOCK(ppr_budget_lock);
static s64 ppr_budget_ns;		/* CPU time still allowed; ppr_budget_lock */
static u64 ppr_budget_stamp;		/* ktime_get_ns() of the last fill; same */
static LIST_HEAD(ppr_parked);		/* tokens waiting for budget; same */
static atomic64_t ppr_pageone_throttled;	/* token runs put off */

/* Set the merge period; -ERANGE outside PPR_MIN/MAX_PERIOD_MS. */
int ppr_set_merge_period(unsigned int ms)
{
	if (ms < PPR_MIN_PERIOD_MS || ms > PPR_MAX_PERIOD_MS)
		return -ERANGE;
	WRITE_ONCE(ppr_merge_period_ms, ms);
	pageone_set_period(ms);
	ppr_pageone_kick();	/* the new period starts with a pass now */
	return 0;
}

static int ppr_set_merge_param(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	return err ? err : ppr_set_merge_period(v);
}

static const struct kernel_param_ops ppr_merge_period_ops = {
	.set = ppr_set_merge_param,
	.get = param_get_uint,
};
module_param_cb(merge_period_ms, &ppr_merge_period_ops, &ppr_merge_period_ms, 0444);
MODULE_PARM_DESC(merge_period_ms, "milliseconds between PageONE passes (10..3600000, default 600000)");
static int ppr_set_dedup_cpu_param(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	return err ? err : ppr_set_dedup_cpu(v);
}

static const struct kernel_param_ops ppr_dedup_cpu_ops = {
	.set = ppr_set_dedup_cpu_param,
	.get = param_get_uint,
};
module_param_cb(dedup_cpu_percent, &ppr_dedup_cpu_ops, &ppr_dedup_cpu_percent, 0444);
MODULE_PARM_DESC(dedup_cpu_percent, "PageONE's CPU budget, percent of one CPU summed over the work threads (0: none, the default)");
module_param_named(merge, ppr_merge, bool, 0444);
MODULE_PARM_DESC(merge, "set /sys/kernel/mm/ksm/run to 1 at load (default true)");

static struct ppr_client pageone_client;

/* Fill the bucket for the time since the last fill. */
static void ppr_budget_fill(u64 now)
{
	unsigned int pct = READ_ONCE(ppr_dedup_cpu_percent);
	s64 max = div_u64((u64)PPR_BUDGET_BURST_MS * NSEC_PER_MSEC * pct, 100);

	lockdep_assert_held(&ppr_budget_lock);
	ppr_budget_ns += div_u64((now - ppr_budget_stamp) * pct, 100);
	ppr_budget_stamp = now;
	if (ppr_budget_ns > max)
		ppr_budget_ns = max;
}

/*
 * Set the CPU budget, in percent of one CPU summed over the work threads:
 * 0 (none) or 1 .. 100 times the number of possible CPUs.
 */
int ppr_set_dedup_cpu(unsigned int pct)
{
	if (pct > 100 * num_possible_cpus())
		return -ERANGE;
	spin_lock(&ppr_budget_lock);
	ppr_budget_fill(ktime_get_ns());
	WRITE_ONCE(ppr_dedup_cpu_percent, pct);
	spin_unlock(&ppr_budget_lock);
	ppr_pageone_kick();	/* parked tokens run now if the cap is gone */
	return 0;
}

/*
 * Work thread: may a token run now? If not, it is parked (the caller
 * gives it up) and the daemon is told to look.
 */
static bool ppr_budget_take(struct ppr_work *work)
{
	bool ok;

	if (!READ_ONCE(ppr_dedup_cpu_percent))
		return true;
	spin_lock(&ppr_budget_lock);
	ppr_budget_fill(ktime_get_ns());
	ok = ppr_budget_ns > 0 || !READ_ONCE(ppr_dedup_cpu_percent);
	if (!ok)
		list_add_tail(&work->node, &ppr_parked);
	spin_unlock(&ppr_budget_lock);
	if (!ok) {
		atomic64_inc(&ppr_pageone_throttled);
		ppr_pageone_kick();
	}
	return ok;
}

static void ppr_budget_spend(u64 cpu_ns)
{
	if (!READ_ONCE(ppr_dedup_cpu_percent))
		return;
	spin_lock(&ppr_budget_lock);
	ppr_budget_ns -= cpu_ns;
	spin_unlock(&ppr_budget_lock);
}

/*
 * Daemon: queue the parked tokens if the budget allows. Return: 0 if
 * none is left parked, else the jiffies to wait for the budget.
 */
static unsigned long ppr_budget_unpark(void)
{
	unsigned int pct;
	unsigned long wait = 0;
	LIST_HEAD(ready);
	struct ppr_work *w, *n;

	spin_lock(&ppr_budget_lock);
	pct = READ_ONCE(ppr_dedup_cpu_percent);
	ppr_budget_fill(ktime_get_ns());
	if (!list_empty(&ppr_parked)) {
		if (ppr_budget_ns > 0 || !pct)
			list_splice_init(&ppr_parked, &ready);
		else
			wait = nsecs_to_jiffies(div_u64((u64)(-ppr_budget_ns + 1) * 100,
							pct)) + 1;
	}
	spin_unlock(&ppr_budget_lock);
	list_for_each_entry_safe(w, n, &ready, node) {
		list_del_init(&w->node);
		ppr_pool_queue(w);
	}
	return wait;
}

/* From ksm.c when run is set to 1, and on a new period: a pass now. */
void ppr_pageone_kick(void)
{
	ppr_pool_kick(&pageone_client);
}

/* A token of the pass, as the pool queues it. */
struct ppr_pageone_token {
	struct ppr_work work;
	struct pageone_token *t;
};

/*
 * Begin a PageONE pass and queue one token per work thread. A token that
 * cannot be allocated is dropped at once: fewer threads scan this pass.
 */
static void ppr_pageone_queue_pass(void)
{
	unsigned int i, n = ppr_pool_threads();

	if (!pageone_begin_pass(n))
		return;
	for (i = 0; i < n; i++) {
		struct ppr_pageone_token *tok = kzalloc(sizeof(*tok), GFP_KERNEL);

		if (tok)
			tok->t = pageone_token_alloc();
		if (!tok || !tok->t) {
			kfree(tok);
			pageone_drop_token(NULL);
			continue;
		}
		tok->work.client = &pageone_client;
		ppr_pool_queue(&tok->work);
	}
}

/*
 * The pool's tick: start a PageONE pass every merge period, or when
 * kicked. A pass still running at its successor's time delays it: the
 * daemon looks again every 100 ms until it ends.
 */
static unsigned long ppr_pageone_tick(struct ppr_client *c, unsigned long now)
{
	unsigned long period = msecs_to_jiffies(READ_ONCE(ppr_merge_period_ms));
	unsigned long wait;

	if (!READ_ONCE(ppr_pageone_on))
		return now + MAX_JIFFY_OFFSET;
	wait = ppr_budget_unpark();
	if (wait)
		return now + wait;
	if (pageone_in_pass()) {
		atomic64_inc(&ppr_pageone_late);
		return now + min(period, msecs_to_jiffies(100));
	}
	if (ppr_pageone_before_pass)
		ppr_pageone_before_pass();
	if (pageone_may_run())
		ppr_pageone_queue_pass();
	return now + period;
}

/*
 * A token runs for a bounded while, then goes to the back of the queue if
 * the pass has more for it: the recycler's slices queued meanwhile run
 * first, so a long pass does not hold back recycling.
 */
static void ppr_pageone_run(struct ppr_work *work, void *scratch)
{
	struct ppr_pageone_token *tok = container_of(work, struct ppr_pageone_token, work);
	bool more;
	u64 cpu;

	if (!ppr_budget_take(work))
		return;		/* parked: the daemon queues it again */
	more = pageone_run_token(tok->t, scratch, kthread_should_stop, &cpu);
	ppr_budget_spend(cpu);
	if (more) {
		ppr_pool_queue(work);
		return;
	}
	kfree(tok);
}

static void ppr_pageone_cancel(struct ppr_work *work)
{
	struct ppr_pageone_token *tok = container_of(work, struct ppr_pageone_token, work);

	pageone_drop_token(tok->t);
	kfree(tok);
}

static void *ppr_pageone_scratch_alloc(struct ppr_client *c)
{
	return pageone_scratch_alloc();
}

static void ppr_pageone_scratch_free(struct ppr_client *c, void *scratch)
{
	pageone_scratch_free(scratch);
}

static struct ppr_client pageone_client = {
	.name = "pageone",
	.tick = ppr_pageone_tick,
	.run = ppr_pageone_run,
	.cancel = ppr_pageone_cancel,
	.scratch_alloc = ppr_pageone_scratch_alloc,
	.scratch_free = ppr_pageone_scratch_free,
};

struct ppr_client *ppr_pageone_client(void)
{
	return &pageone_client;
}

/* --- /sys/kernel/mm/ppr_pageone/pageone ------------------------------- */

/*
 * One show for every counter: the attribute's index in ppr_pageone_attrs
 * finds the field of struct pageone_stats.
 */
struct ppr_pageone_counter {
	struct kobj_attribute attr;
	size_t offset;			/* of a u64 or s64 in pageone_stats */
	bool is_signed;
};

static ssize_t ppr_pageone_show(struct kobject *k, struct kobj_attribute *a,
				char *buf)
{
	struct ppr_pageone_counter *c = container_of(a, struct ppr_pageone_counter, attr);
	struct pageone_stats st;
	u64 v;

	pageone_read_stats(&st);
	v = *(u64 *)((void *)&st + c->offset);
	if (c->is_signed)
		return sysfs_emit(buf, "%lld\n", (s64)v);
	return sysfs_emit(buf, "%llu\n", v);
}

#define PPR_PAGEONE_COUNTER(f, s) {					\
	.attr = __ATTR(f, 0444, ppr_pageone_show, NULL),			\
	.offset = offsetof(struct pageone_stats, f),			\
	.is_signed = s,							\
}

static struct ppr_pageone_counter ppr_pageone_counters[] = {
	PPR_PAGEONE_COUNTER(passes, false),
	PPR_PAGEONE_COUNTER(passes_done, false),
	PPR_PAGEONE_COUNTER(exited_slots_freed, false),
	PPR_PAGEONE_COUNTER(merges_changed, false),
	PPR_PAGEONE_COUNTER(pages_hashed, false),
	PPR_PAGEONE_COUNTER(slots_scanned, false),
	PPR_PAGEONE_COUNTER(slots_abandoned, false),
	PPR_PAGEONE_COUNTER(pages_skipped_free, false),
	PPR_PAGEONE_COUNTER(last_pass_ms, false),
	PPR_PAGEONE_COUNTER(thread_busy_us, false),
	PPR_PAGEONE_COUNTER(thread_cpu_us, false),
	PPR_PAGEONE_COUNTER(merge_lock_wait_us, false),
	PPR_PAGEONE_COUNTER(merge_lock_held_us, false),
	PPR_PAGEONE_COUNTER(full_scans, false),
	PPR_PAGEONE_COUNTER(pages_shared, false),
	PPR_PAGEONE_COUNTER(pages_sharing, false),
	PPR_PAGEONE_COUNTER(pages_unshared, false),
	PPR_PAGEONE_COUNTER(pages_volatile, false),
	PPR_PAGEONE_COUNTER(pages_scanned, false),
	PPR_PAGEONE_COUNTER(ksm_zero_pages, true),
	PPR_PAGEONE_COUNTER(general_profit, true),
	PPR_PAGEONE_COUNTER(hash_collisions, false),
	PPR_PAGEONE_COUNTER(hash_buckets, false),
	PPR_PAGEONE_COUNTER(hash_resizes, false),
};

static ssize_t late_ticks_show(struct kobject *k, struct kobj_attribute *a,
			       char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&ppr_pageone_late));
}

static ssize_t throttled_runs_show(struct kobject *k,
				   struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&ppr_pageone_throttled));
}

static struct kobj_attribute ppr_pageone_late_attr = __ATTR_RO(late_ticks);
static struct kobj_attribute ppr_pageone_throttled_attr = __ATTR_RO(throttled_runs);

/* The counters, late_ticks, throttled_runs and the NULL end; at init. */
static struct attribute *ppr_pageone_attrs[ARRAY_SIZE(ppr_pageone_counters) + 3];

static const struct attribute_group ppr_pageone_group = {
	.attrs = ppr_pageone_attrs,
};

/**
 * ppr_pageone_init - take KSM scanning over from ksmd
 * @root: where to create pageone/ (the counters)
 * @filter: the pages a pass must leave alone, or NULL
 * @before_pass: called by the daemon before each pass begins, or NULL
 *
 * Call once the pool runs: it kicks the first pass.
 */
int ppr_pageone_init(struct kobject *root, pageone_filter_t filter,
		     void (*before_pass)(void))
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(ppr_pageone_counters); i++)
		ppr_pageone_attrs[i] = &ppr_pageone_counters[i].attr.attr;
	ppr_pageone_attrs[i++] = &ppr_pageone_late_attr.attr;
	ppr_pageone_attrs[i] = &ppr_pageone_throttled_attr.attr;
	ppr_pageone_kobj = kobject_create_and_add("pageone", root);
	if (!ppr_pageone_kobj)
		return -ENOMEM;
	err = sysfs_create_group(ppr_pageone_kobj, &ppr_pageone_group);
	if (err)
		goto put;
	ppr_pageone_before_pass = before_pass;
	err = pageone_start(ppr_pageone_kick, ppr_merge, filter);
	if (err) {
		pr_err("cannot take KSM scanning over from ksmd (%d): another engine has it\n",
		       err);
		goto put;
	}
	WRITE_ONCE(ppr_pageone_on, true);
	pageone_set_period(READ_ONCE(ppr_merge_period_ms));
	ppr_pageone_kick();
	return 0;
put:
	kobject_put(ppr_pageone_kobj);
	ppr_pageone_kobj = NULL;
	return err;
}

/*
 * After the threads stopped (every queued token run or cancelled): drop
 * the parked tokens, and give scanning back to ksmd.
 */
void ppr_pageone_exit(void)
{
	struct ppr_work *w, *n;
	LIST_HEAD(parked);

	spin_lock(&ppr_budget_lock);
	list_splice_init(&ppr_parked, &parked);
	spin_unlock(&ppr_budget_lock);
	list_for_each_entry_safe(w, n, &parked, node) {
		list_del_init(&w->node);
		ppr_pageone_cancel(w);
	}
	if (ppr_pageone_on)
		pageone_stop();
	WRITE_ONCE(ppr_pageone_on, false);
	kobject_put(ppr_pageone_kobj);
	ppr_pageone_kobj = NULL;
}
