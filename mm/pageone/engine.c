// SPDX-License-Identifier: GPL-2.0
/*
 * PageONE: the engine that scans for mm/ksm.c in place of ksmd.
 *
 * A pass looks once at every page of every mm KSM serves (MADV_MERGEABLE
 * areas, PR_SET_MEMORY_MERGE processes). The ppr_pageone module starts one
 * pass per merge period and splits it into tokens, one per work thread.
 * A token takes whole mms off the pass (ksm_engine_next_slot()) until none
 * is left; for each mm it collects present pages in batches under the mmap
 * lock for read, takes each page's xxhash with no lock held, and hands the
 * batch to ksm_engine_merge(). There, in the page's shard of the content
 * hash space (patch 0007), a page whose hash is the one it had in the
 * previous pass (unchanged over two merge periods) becomes a candidate: it
 * joins an equal page of the stable tree, or pairs with an equal candidate
 * found by hash in this pass; both are compared byte for byte before any
 * merge. Merged pages are KSM pages, made by ksm.c.
 *
 * What runs in parallel: the page-table walks, the hashing and the merges
 * of pages in different shards. What is serialised: the merges within one
 * shard (all pages of one content, for instance) and the slot and pass
 * boundaries (ksm_thread_sem for write). One mm is scanned by one thread,
 * so a single large mm (one VM) gets one thread.
 *
 * Locking: pageone_lock orders begin/end of passes with start/stop;
 * tokens_left counts the tokens of the pass in flight.
 */
#define pr_fmt(fmt) "pageone: " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/export.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/pageone.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "../ksm_internal.h"

#define PAGEONE_BATCH	64	/* pages per collect, hash, merge round */

struct pageone_scratch {
	struct ksm_engine_page pages[PAGEONE_BATCH];
	unsigned long addrs[PAGEONE_BATCH];
	DECLARE_BITMAP(skip, PAGEONE_BATCH);
};

static DEFINE_MUTEX(pageone_lock);
static bool pageone_started;		/* holds the KSM claim; pageone_lock */
static pageone_filter_t pageone_filter;	/* set at start, before any pass */
static atomic_t pageone_tokens_left;	/* of the pass in flight; 0: none */
static ktime_t pageone_pass_start;	/* pageone_lock */

static atomic64_t pageone_passes;
static atomic64_t pageone_passes_done;
static atomic64_t pageone_pages_hashed;
static atomic64_t pageone_slots_scanned;
static atomic64_t pageone_slots_abandoned;
static atomic64_t pageone_pages_skipped_free;
static atomic64_t pageone_last_pass_ms;
static atomic64_t pageone_busy_ns;	/* summed over the threads' tokens */

/**
 * pageone_start - take scanning over from ksmd
 * @kick: called when /sys/kernel/mm/ksm/run is set to 1: the caller
 *        should start a pass now, as ksmd would. Must not sleep.
 * @run: set /sys/kernel/mm/ksm/run to 1 (pageone_stop() restores it)
 * @filter: pages to leave alone, or NULL
 *
 * Return: 0, or -EBUSY if another engine already replaced ksmd.
 */
int pageone_start(void (*kick)(void), bool run, pageone_filter_t filter)
{
	int err;

	if (!kick)
		return -EINVAL;
	mutex_lock(&pageone_lock);
	if (pageone_started) {
		err = -EBUSY;
	} else {
		pageone_filter = filter;
		err = ksm_engine_claim(kick, run);
		if (!err)
			pageone_started = true;
	}
	mutex_unlock(&pageone_lock);
	return err;
}
EXPORT_SYMBOL_NS_GPL(pageone_start, PPR);

/**
 * pageone_stop - give scanning back to ksmd
 *
 * Every token of the last pass must have been run or dropped.
 */
void pageone_stop(void)
{
	mutex_lock(&pageone_lock);
	if (pageone_started) {
		WARN_ON_ONCE(atomic_read(&pageone_tokens_left));
		ksm_engine_release();
		pageone_started = false;
		pageone_filter = NULL;
	}
	mutex_unlock(&pageone_lock);
}
EXPORT_SYMBOL_NS_GPL(pageone_stop, PPR);

/* Is /sys/kernel/mm/ksm/run 1 with an mm to scan? */
bool pageone_may_run(void)
{
	return ksm_engine_may_run();
}
EXPORT_SYMBOL_NS_GPL(pageone_may_run, PPR);

bool pageone_in_pass(void)
{
	return atomic_read(&pageone_tokens_left) > 0;
}
EXPORT_SYMBOL_NS_GPL(pageone_in_pass, PPR);

/**
 * pageone_begin_pass - start a pass to be run as @tokens tokens
 * @tokens: how many pageone_run_token() or pageone_drop_token() calls
 *          the caller will make, 1 or more
 *
 * Return: true if the pass began.
 */
bool pageone_begin_pass(unsigned int tokens)
{
	bool begun = false;

	if (!tokens)
		return false;
	mutex_lock(&pageone_lock);
	if (pageone_started && !atomic_read(&pageone_tokens_left) &&
	    ksm_engine_pass_begin()) {
		pageone_pass_start = ktime_get();
		atomic_set(&pageone_tokens_left, tokens);
		atomic64_inc(&pageone_passes);
		begun = true;
	}
	mutex_unlock(&pageone_lock);
	return begun;
}
EXPORT_SYMBOL_NS_GPL(pageone_begin_pass, PPR);

/* A token is finished; the last one ends the pass. */
static void pageone_put_token(void)
{
	if (!atomic_dec_and_test(&pageone_tokens_left))
		return;
	ksm_engine_pass_end();
	mutex_lock(&pageone_lock);
	atomic64_set(&pageone_last_pass_ms,
		     ktime_ms_delta(ktime_get(), pageone_pass_start));
	atomic64_inc(&pageone_passes_done);
	mutex_unlock(&pageone_lock);
}

static void pageone_put_pages(struct ksm_engine_page *pages, unsigned int n)
{
	while (n--)
		put_page(pages[n].page);
}

/* Mark the pages the filter wants left alone; KSM pages never are. */
static void pageone_apply_filter(struct mm_struct *mm,
				 struct pageone_scratch *s, unsigned int n)
{
	unsigned int i, skipped = 0;

	for (i = 0; i < n; i++) {
		s->addrs[i] = s->pages[i].addr;
		s->pages[i].skip = false;
	}
	if (!pageone_filter)
		return;
	bitmap_zero(s->skip, PAGEONE_BATCH);
	pageone_filter(mm, s->addrs, n, s->skip);
	for_each_set_bit(i, s->skip, n) {
		if (folio_test_ksm(page_folio(s->pages[i].page)))
			continue;
		s->pages[i].skip = true;
		skipped++;
	}
	if (skipped)
		atomic64_add(skipped, &pageone_pages_skipped_free);
}

/* Scan one mm to its end, or until @should_stop says so. */
static void pageone_scan_slot(struct ksm_engine_cursor *c,
			      struct pageone_scratch *s,
			      bool (*should_stop)(void))
{
	unsigned int n, i, hashed;

	while ((n = ksm_engine_collect(c, s->pages, PAGEONE_BATCH))) {
		if (should_stop()) {
			pageone_put_pages(s->pages, n);
			c->abandoned = true;
			break;
		}
		pageone_apply_filter(c->mm, s, n);
		for (i = 0, hashed = 0; i < n; i++) {
			if (s->pages[i].skip)
				continue;
			s->pages[i].checksum = ksm_engine_checksum(s->pages[i].page);
			hashed++;
		}
		atomic64_add(hashed, &pageone_pages_hashed);
		ksm_engine_merge(c, s->pages, n);
		cond_resched();
	}
	if (c->abandoned)
		atomic64_inc(&pageone_slots_abandoned);
	else
		atomic64_inc(&pageone_slots_scanned);
	ksm_engine_slot_done(c);
}

/**
 * pageone_run_token - scan mms of the current pass until none is left
 * @s: this thread's scratch space
 * @should_stop: polled between batches (kthread_should_stop)
 */
void pageone_run_token(struct pageone_scratch *s, bool (*should_stop)(void))
{
	struct ksm_engine_cursor c;
	u64 t0 = ktime_get_ns();

	while (!should_stop() && ksm_engine_next_slot(&c))
		pageone_scan_slot(&c, s, should_stop);
	atomic64_add(ktime_get_ns() - t0, &pageone_busy_ns);
	pageone_put_token();
}
EXPORT_SYMBOL_NS_GPL(pageone_run_token, PPR);

/* A token that will not run (its thread stopped first). */
void pageone_drop_token(void)
{
	pageone_put_token();
}
EXPORT_SYMBOL_NS_GPL(pageone_drop_token, PPR);

struct pageone_scratch *pageone_scratch_alloc(void)
{
	return kmalloc(sizeof(struct pageone_scratch), GFP_KERNEL);
}
EXPORT_SYMBOL_NS_GPL(pageone_scratch_alloc, PPR);

void pageone_scratch_free(struct pageone_scratch *s)
{
	kfree(s);
}
EXPORT_SYMBOL_NS_GPL(pageone_scratch_free, PPR);

void pageone_read_stats(struct pageone_stats *st)
{
	struct ksm_engine_counters k;

	ksm_engine_counters(&k);
	st->passes = atomic64_read(&pageone_passes);
	st->passes_done = atomic64_read(&pageone_passes_done);
	st->pages_hashed = atomic64_read(&pageone_pages_hashed);
	st->slots_scanned = atomic64_read(&pageone_slots_scanned);
	st->slots_abandoned = atomic64_read(&pageone_slots_abandoned);
	st->pages_skipped_free = atomic64_read(&pageone_pages_skipped_free);
	st->last_pass_ms = atomic64_read(&pageone_last_pass_ms);
	st->thread_busy_us = div_u64(atomic64_read(&pageone_busy_ns),
				     NSEC_PER_USEC);
	st->merge_lock_wait_us = div_u64(k.merge_lock_wait_ns, NSEC_PER_USEC);
	st->merge_lock_held_us = div_u64(k.merge_lock_held_ns, NSEC_PER_USEC);
	st->full_scans = k.full_scans;
	st->pages_shared = k.pages_shared;
	st->pages_sharing = k.pages_sharing;
	st->pages_unshared = k.pages_unshared;
	st->pages_volatile = k.pages_volatile;
	st->pages_scanned = k.pages_scanned;
	st->ksm_zero_pages = k.ksm_zero_pages;
	st->general_profit = k.general_profit;
	st->hash_collisions = k.hash_collisions;
}
EXPORT_SYMBOL_NS_GPL(pageone_read_stats, PPR);
