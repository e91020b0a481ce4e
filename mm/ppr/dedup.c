// SPDX-License-Identifier: GPL-2.0
/*
 * ppr_pageone: PageONE on the module's threads. At load the module takes
 * scanning over from ksmd (pageone_start(); ksmd stays off until unload)
 * and sets /sys/kernel/mm/ksm/run to 1 unless merge=0. As a client of
 * the thread pool (pool.h), its tick starts a PageONE pass every merge
 * period and queues one token per work thread; the work threads run
 * tokens between the recycler's slices.
 *
 * /sys/kernel/mm/ksm/run keeps its meaning: 0 pauses PageONE, 1 runs it
 * (and starts a pass at once, as it wakes ksmd), 2 unmerges everything.
 *
 * /sys/kernel/mm/ppr_pageone/pageone/ holds the counters (pageone_stats in
 * include/linux/pageone.h); merge_period_ms is with the other settings.
 *
 * Scope: what KSM serves, plus the guest RAM of attached VMs: while
 * merge_vm_ram is set, the daemon makes each attached VM's memslots
 * mergeable before a pass (ppr_vm_merge_ram()), for VMMs that do not.
 *
 * Cross-skip: a pass leaves alone the guest pages marked free in an
 * attached VM (ppr_vm_dedup_skip(), counted in pages_skipped_free); the
 * recycler leaves alone KSM pages and locked pages (skipped_ksm_pages,
 * skipped_locked_pages in stats/).
 */
#define pr_fmt(fmt) "ppr_pageone: " fmt

#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/pageone.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "ppr.h"

unsigned int ppr_merge_period_ms = PPR_DEFAULT_MERGE_PERIOD_MS;
static bool ppr_merge = true;
bool ppr_merge_vm_ram = true;
static bool ppr_dedup_on;		/* holds the claim: set at init only */
static struct kobject *ppr_dedup_kobj;
/* Ticks at which a pass was due but the last one still ran. */
static atomic64_t ppr_dedup_late;

/* Set the merge period; -ERANGE outside PPR_MIN/MAX_PERIOD_MS. */
int ppr_set_merge_period(unsigned int ms)
{
	if (ms < PPR_MIN_PERIOD_MS || ms > PPR_MAX_PERIOD_MS)
		return -ERANGE;
	WRITE_ONCE(ppr_merge_period_ms, ms);
	ppr_dedup_kick();	/* the new period starts with a pass now */
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
module_param_named(merge, ppr_merge, bool, 0444);
MODULE_PARM_DESC(merge, "set /sys/kernel/mm/ksm/run to 1 at load (default true)");
module_param_named(merge_vm_ram, ppr_merge_vm_ram, bool, 0444);
MODULE_PARM_DESC(merge_vm_ram, "make attached VMs' guest RAM mergeable before each PageONE pass (default true)");

static struct ppr_client ppr_pageone;

/* From ksm.c when run is set to 1, and on a new period: a pass now. */
void ppr_dedup_kick(void)
{
	ppr_pool_kick(&ppr_pageone);
}

/*
 * Begin a PageONE pass and queue one token per work thread. A token that
 * cannot be allocated is dropped at once: fewer threads scan this pass.
 */
static void ppr_queue_dedup_pass(void)
{
	unsigned int i, n = ppr_pool_threads();

	if (!pageone_begin_pass(n))
		return;
	for (i = 0; i < n; i++) {
		struct ppr_work *token = kzalloc(sizeof(*token), GFP_KERNEL);

		if (!token) {
			pageone_drop_token();
			continue;
		}
		token->client = &ppr_pageone;
		ppr_pool_queue(token);
	}
}

/*
 * The pool's tick: start a PageONE pass every merge period, or when
 * kicked. A pass still running at its successor's time delays it: the
 * daemon looks again every 100 ms until it ends.
 */
static unsigned long ppr_dedup_tick(struct ppr_client *c, unsigned long now)
{
	unsigned long period = msecs_to_jiffies(READ_ONCE(ppr_merge_period_ms));

	if (!READ_ONCE(ppr_dedup_on))
		return now + MAX_JIFFY_OFFSET;
	if (pageone_in_pass()) {
		atomic64_inc(&ppr_dedup_late);
		return now + min(period, msecs_to_jiffies(100));
	}
	if (READ_ONCE(ppr_merge_vm_ram))
		ppr_vm_merge_ram();
	if (pageone_may_run())
		ppr_queue_dedup_pass();
	return now + period;
}

/* A token: scan whole mms until the pass has none left. */
static void ppr_dedup_run(struct ppr_work *token, void *scratch)
{
	pageone_run_token(scratch, kthread_should_stop);
	kfree(token);
}

static void ppr_dedup_cancel(struct ppr_work *token)
{
	pageone_drop_token();
	kfree(token);
}

static void *ppr_dedup_scratch_alloc(struct ppr_client *c)
{
	return pageone_scratch_alloc();
}

static void ppr_dedup_scratch_free(struct ppr_client *c, void *scratch)
{
	pageone_scratch_free(scratch);
}

static struct ppr_client ppr_pageone = {
	.name = "pageone",
	.tick = ppr_dedup_tick,
	.run = ppr_dedup_run,
	.cancel = ppr_dedup_cancel,
	.scratch_alloc = ppr_dedup_scratch_alloc,
	.scratch_free = ppr_dedup_scratch_free,
};

struct ppr_client *ppr_dedup_client(void)
{
	return &ppr_pageone;
}

/* --- /sys/kernel/mm/ppr_pageone/pageone ------------------------------- */

/*
 * One show for every counter: the attribute's index in ppr_dedup_attrs
 * finds the field of struct pageone_stats.
 */
struct ppr_dedup_counter {
	struct kobj_attribute attr;
	size_t offset;			/* of a u64 or s64 in pageone_stats */
	bool is_signed;
};

static ssize_t ppr_dedup_show(struct kobject *k, struct kobj_attribute *a,
			      char *buf)
{
	struct ppr_dedup_counter *c = container_of(a, struct ppr_dedup_counter, attr);
	struct pageone_stats st;
	u64 v;

	pageone_read_stats(&st);
	v = *(u64 *)((void *)&st + c->offset);
	if (c->is_signed)
		return sysfs_emit(buf, "%lld\n", (s64)v);
	return sysfs_emit(buf, "%llu\n", v);
}

#define PPR_DEDUP_COUNTER(f, s) {					\
	.attr = __ATTR(f, 0444, ppr_dedup_show, NULL),			\
	.offset = offsetof(struct pageone_stats, f),			\
	.is_signed = s,							\
}

static struct ppr_dedup_counter ppr_dedup_counters[] = {
	PPR_DEDUP_COUNTER(passes, false),
	PPR_DEDUP_COUNTER(passes_done, false),
	PPR_DEDUP_COUNTER(pages_hashed, false),
	PPR_DEDUP_COUNTER(slots_scanned, false),
	PPR_DEDUP_COUNTER(slots_abandoned, false),
	PPR_DEDUP_COUNTER(pages_skipped_free, false),
	PPR_DEDUP_COUNTER(last_pass_ms, false),
	PPR_DEDUP_COUNTER(thread_busy_us, false),
	PPR_DEDUP_COUNTER(merge_lock_wait_us, false),
	PPR_DEDUP_COUNTER(merge_lock_held_us, false),
	PPR_DEDUP_COUNTER(full_scans, false),
	PPR_DEDUP_COUNTER(pages_shared, false),
	PPR_DEDUP_COUNTER(pages_sharing, false),
	PPR_DEDUP_COUNTER(pages_unshared, false),
	PPR_DEDUP_COUNTER(pages_volatile, false),
	PPR_DEDUP_COUNTER(pages_scanned, false),
	PPR_DEDUP_COUNTER(ksm_zero_pages, true),
	PPR_DEDUP_COUNTER(general_profit, true),
	PPR_DEDUP_COUNTER(hash_collisions, false),
};

static ssize_t late_ticks_show(struct kobject *k, struct kobj_attribute *a,
			       char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&ppr_dedup_late));
}

static struct kobj_attribute ppr_dedup_late_attr = __ATTR_RO(late_ticks);

/* The counters, late_ticks and the NULL end; filled at init. */
static struct attribute *ppr_dedup_attrs[ARRAY_SIZE(ppr_dedup_counters) + 2];

static const struct attribute_group ppr_dedup_group = {
	.attrs = ppr_dedup_attrs,
};

/* Take over from ksmd and create pageone/ under @root. */
int ppr_dedup_init(struct kobject *root)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(ppr_dedup_counters); i++)
		ppr_dedup_attrs[i] = &ppr_dedup_counters[i].attr.attr;
	ppr_dedup_attrs[i] = &ppr_dedup_late_attr.attr;
	ppr_dedup_kobj = kobject_create_and_add("pageone", root);
	if (!ppr_dedup_kobj)
		return -ENOMEM;
	err = sysfs_create_group(ppr_dedup_kobj, &ppr_dedup_group);
	if (err)
		goto put;
	err = pageone_start(ppr_dedup_kick, ppr_merge, ppr_vm_dedup_skip);
	if (err) {
		pr_err("cannot take KSM scanning over from ksmd (%d): another engine has it\n",
		       err);
		goto put;
	}
	WRITE_ONCE(ppr_dedup_on, true);
	ppr_dedup_kick();
	return 0;
put:
	kobject_put(ppr_dedup_kobj);
	ppr_dedup_kobj = NULL;
	return err;
}

/* After the threads stopped (every token run or dropped): back to ksmd. */
void ppr_dedup_exit(void)
{
	if (ppr_dedup_on)
		pageone_stop();
	WRITE_ONCE(ppr_dedup_on, false);
	kobject_put(ppr_dedup_kobj);
	ppr_dedup_kobj = NULL;
}
