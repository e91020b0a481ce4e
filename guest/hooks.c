// SPDX-License-Identifier: GPL-2.0
/*
 * PPR guest hooks: mark every page the page allocator frees in the shared
 * mark area, and unmark it before the page is used again.
 *
 * free_pages_prepare() calls ppr_guest_free_hook() after the last write to
 * the pages (poisoning, init_on_free); post_alloc_hook() calls
 * ppr_guest_alloc_hook() before the first one (unpoisoning, __GFP_ZERO).
 * Every free and every allocation of the buddy allocator passes there: pcp
 * and bulk lists, compaction, alloc_contig_range.
 *
 * The hooks run in any context, interrupts off or not, zone->lock held or
 * not: they use only lockless bit operations on the area (ppr_area.h) and
 * per-CPU counters. While no area is bound the static key is off and the
 * allocator pays one patched-out jump.
 *
 * This file is built in (the allocator calls it); the driver that finds and
 * binds the area (guest/ppr_guest.c) may be a module and uses the functions
 * exported below in the PPR namespace.
 */
#define pr_fmt(fmt) "ppr_guest: " fmt

#include <linux/gfp.h>
#include <linux/kobject.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/ppr_guest.h>
#include <linux/rcupdate.h>
#include <linux/sysfs.h>

DEFINE_STATIC_KEY_FALSE(ppr_guest_hooks_key);

/*
 * ppr_view: the bitmaps the hooks update. Written only while the static key
 * is off, under ppr_hooks_lock; read by the hooks inside an RCU-sched read
 * section, so that ppr_guest_hooks_disable() can wait for every hook still
 * running before the driver unmaps the area.
 */
static struct ppr_area_view ppr_view;
static bool ppr_hooks_on;		/* under ppr_hooks_lock */
static DEFINE_MUTEX(ppr_hooks_lock);

/* Pages, per CPU; only ever added to, summed on read. */
struct ppr_guest_pcpu {
	unsigned long marks;
	unsigned long unmarks;
	unsigned long unmark_missing;
	unsigned long out_of_range;
};

static DEFINE_PER_CPU(struct ppr_guest_pcpu, ppr_pcpu);

void __ppr_guest_mark(struct page *page, unsigned int order)
{
	unsigned long nr = 1UL << order, in;
	u64 pfn = page_to_pfn(page);

	rcu_read_lock_sched_notrace();
	in = ppr_area_clip(&ppr_view, pfn, nr);
	if (unlikely(in < nr))
		this_cpu_add(ppr_pcpu.out_of_range, nr - in);
	if (likely(in))
		this_cpu_add(ppr_pcpu.marks, ppr_area_mark(&ppr_view, pfn, in));
	rcu_read_unlock_sched_notrace();
}

void __ppr_guest_unmark(struct page *page, unsigned int order)
{
	unsigned long nr = 1UL << order, in, cleared = 0;
	u64 pfn = page_to_pfn(page);

	rcu_read_lock_sched_notrace();
	in = ppr_area_clip(&ppr_view, pfn, nr);
	if (likely(in))
		cleared = ppr_area_unmark(&ppr_view, pfn, in);
	this_cpu_add(ppr_pcpu.unmarks, cleared);
	if (unlikely(cleared < in))
		this_cpu_add(ppr_pcpu.unmark_missing, in - cleared);
	rcu_read_unlock_sched_notrace();
}

void ppr_guest_stats(struct ppr_guest_stats *st)
{
	int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		struct ppr_guest_pcpu *p = per_cpu_ptr(&ppr_pcpu, cpu);

		st->marks += READ_ONCE(p->marks);
		st->unmarks += READ_ONCE(p->unmarks);
		st->unmark_missing += READ_ONCE(p->unmark_missing);
		st->out_of_range += READ_ONCE(p->out_of_range);
	}
}
EXPORT_SYMBOL_NS_GPL(ppr_guest_stats, PPR);

/* Highest PFN + 1 of this boot's memory map: what an area must track. */
u64 ppr_guest_nr_pfns(void)
{
	return max_pfn;
}
EXPORT_SYMBOL_NS_GPL(ppr_guest_nr_pfns, PPR);

/*
 * Mark the pages that are free now. Called with the hooks already on, so
 * that every later free marks and every later allocation unmarks: a block
 * the walk finds free under zone->lock is free at that moment, and whoever
 * takes it afterwards passes the allocation hook. Pages the walk misses
 * only stay unrecycled. The walk itself is mm's (mm/ppr/free_walk.c).
 */
static void ppr_mark_free_pages(void)
{
	pr_info("marked %lu free pages\n", ppr_walk_free_pages(__ppr_guest_mark));
}

/**
 * ppr_guest_hooks_enable - start marking frees and unmarking allocations
 * @view: the bitmaps of an area the caller has mapped and cleared
 *
 * Turns the hooks on, then marks every page that is free now. The caller
 * publishes the area as active only after this returns.
 * Return: 0, -EINVAL for an unusable @view, -EBUSY if an area is bound.
 */
int ppr_guest_hooks_enable(const struct ppr_area_view *view)
{
	if (!view || !view->mark || !view->summary || !view->nr_pfns)
		return -EINVAL;
	mutex_lock(&ppr_hooks_lock);
	if (ppr_hooks_on) {
		mutex_unlock(&ppr_hooks_lock);
		return -EBUSY;
	}
	ppr_view = *view;
	/* Patching the branch in is serialising on every CPU: the view is seen. */
	static_branch_enable(&ppr_guest_hooks_key);
	ppr_hooks_on = true;
	ppr_mark_free_pages();
	mutex_unlock(&ppr_hooks_lock);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(ppr_guest_hooks_enable, PPR);

/**
 * ppr_guest_hooks_disable - stop the hooks and wait for those in flight
 *
 * After this returns no hook touches the area any more and it may be
 * unmapped. Marks already set stay; the caller must have published the area
 * inactive before, so that the host no longer honours them.
 */
void ppr_guest_hooks_disable(void)
{
	mutex_lock(&ppr_hooks_lock);
	if (ppr_hooks_on) {
		static_branch_disable(&ppr_guest_hooks_key);
		synchronize_rcu();
		memset(&ppr_view, 0, sizeof(ppr_view));
		ppr_hooks_on = false;
	}
	mutex_unlock(&ppr_hooks_lock);
}
EXPORT_SYMBOL_NS_GPL(ppr_guest_hooks_disable, PPR);

/* /sys/kernel/mm/ppr_guest/: counters here, the area's files from the driver. */
struct kobject *ppr_guest_kobj;
EXPORT_SYMBOL_NS_GPL(ppr_guest_kobj, PPR);

/* One show per counter file, each reading its field of the sums. */
#define PPR_STAT_SHOW(field)						\
static ssize_t field##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	struct ppr_guest_stats st;					\
									\
	ppr_guest_stats(&st);						\
	return sysfs_emit(buf, "%llu\n", st.field);			\
}

PPR_STAT_SHOW(marks)
PPR_STAT_SHOW(unmarks)
PPR_STAT_SHOW(unmark_missing)
PPR_STAT_SHOW(out_of_range)

static ssize_t marked_now_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	u64 n = 0;

	mutex_lock(&ppr_hooks_lock);
	if (ppr_hooks_on)
		n = ppr_area_weight(&ppr_view);
	mutex_unlock(&ppr_hooks_lock);
	return sysfs_emit(buf, "%llu\n", n);
}

static ssize_t hooks_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%d\n", static_key_enabled(&ppr_guest_hooks_key));
}

static struct kobj_attribute ppr_marks_attr = __ATTR_RO(marks);
static struct kobj_attribute ppr_unmarks_attr = __ATTR_RO(unmarks);
static struct kobj_attribute ppr_missing_attr = __ATTR_RO(unmark_missing);
static struct kobj_attribute ppr_oor_attr = __ATTR_RO(out_of_range);
static struct kobj_attribute ppr_marked_now_attr = __ATTR_RO(marked_now);
static struct kobj_attribute ppr_hooks_attr = __ATTR_RO(hooks);

static struct attribute *ppr_hooks_attrs[] = {
	&ppr_marks_attr.attr,
	&ppr_unmarks_attr.attr,
	&ppr_missing_attr.attr,
	&ppr_oor_attr.attr,
	&ppr_marked_now_attr.attr,
	&ppr_hooks_attr.attr,
	NULL,
};

static const struct attribute_group ppr_hooks_group = {
	.attrs = ppr_hooks_attrs,
};

static int __init ppr_guest_hooks_init(void)
{
	int err;

	ppr_guest_kobj = kobject_create_and_add("ppr_guest", mm_kobj);
	if (!ppr_guest_kobj)
		return -ENOMEM;
	err = sysfs_create_group(ppr_guest_kobj, &ppr_hooks_group);
	if (err) {
		kobject_put(ppr_guest_kobj);
		ppr_guest_kobj = NULL;
	}
	return err;
}
subsys_initcall(ppr_guest_hooks_init);
