// SPDX-License-Identifier: GPL-2.0
/*
 * PageONE: the engine that scans for mm/ksm.c in place of ksmd.
 *
 * A pass looks once at every page of every mm KSM serves (MADV_MERGEABLE
 * areas, PR_SET_MEMORY_MERGE processes). The ppr_pageone module starts one
 * pass per merge period and splits it into tokens, one per work thread.
 * A token takes whole mms off the pass (ksm_engine_next_slot()) until none
 * is left, a bounded number of batches per run (the module's work threads
 * interleave other work between runs); for each mm it collects present
 * pages in batches under the mmap lock for read, takes each page's xxhash
 * with no lock held, and hands the batch to ksm_engine_merge(). There, in
 * the page's shard of the content hash space (patch 0007), a page whose
 * hash is the one it had in the previous pass (unchanged over two merge
 * periods) becomes a candidate: it joins an equal page of the stable tree,
 * or pairs with an equal candidate found by hash in this pass; both are
 * compared byte for byte before any merge. Merged pages are KSM pages,
 * made by ksm.c.
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
#include <linux/sched/cputime.h>
#include <linux/slab.h>

#include "../ksm_internal.h"

#define PAGEONE_BATCH	64	/* pages per collect, hash, merge round */
/* Batches per pageone_run_token(): 2,048 pages, 8 MiB of 4 KiB pages. */
#define PAGEONE_RUN_BATCHES	32

/* A token between its runs: the mm it is in the middle of, if any. */
struct pageone_token {
	struct ksm_engine_cursor c;
	bool in_slot;			/* c holds a busy slot */
};

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
static atomic64_t pageone_cpu_ns;	/* of it, on a CPU */

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

/**
 * pageone_set_period - the time from one pass to the next
 * @ms: milliseconds, at least 1
 *
 * KSM's smart_scan skips a page that failed to merge for a number of
 * passes: with passes minutes apart, it skips it for at most ten minutes.
 */
void pageone_set_period(unsigned int ms)
{
	ksm_engine_set_period(ms);
}
EXPORT_SYMBOL_NS_GPL(pageone_set_period, PPR);

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

/*
 * Scan the cursor's mm for at most *@budget batches. Return: true when the
 * mm has no page left to collect (walked, abandoned or exiting).
 */
static bool pageone_scan_slot(struct ksm_engine_cursor *c,
			      struct pageone_scratch *s, unsigned int *budget)
{
	unsigned int n, i, hashed;

	while (*budget) {
		n = ksm_engine_collect(c, s->pages, PAGEONE_BATCH);
		if (!n)
			return true;
		(*budget)--;
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
	return false;
}

static void pageone_end_slot(struct pageone_token *t)
{
	if (t->c.abandoned)
		atomic64_inc(&pageone_slots_abandoned);
	else
		atomic64_inc(&pageone_slots_scanned);
	ksm_engine_slot_done(&t->c);
	t->in_slot = false;
}

/**
 * pageone_token_alloc - one token of the pass just begun
 *
 * Return: the token, or NULL: then call pageone_drop_token(NULL), so that
 * the pass does not wait for it.
 */
struct pageone_token *pageone_token_alloc(void)
{
	return kzalloc(sizeof(struct pageone_token), GFP_KERNEL);
}
EXPORT_SYMBOL_NS_GPL(pageone_token_alloc, PPR);

/**
 * pageone_run_token - scan mms of the current pass for a while
 * @t: the token
 * @s: this thread's scratch space
 * @should_stop: polled before each mm
 * @cpu_ns: set to the CPU time this run took, in nanoseconds
 *
 * Takes whole mms off the pass, one at a time, and scans them, for at
 * most PAGEONE_RUN_BATCHES batches or until @should_stop, so that the
 * caller's other work waits behind a bounded amount of PageONE's. An mm
 * left part-way stays the token's (busy) until the token runs again.
 *
 * Return: true if the token has more to do: run it again later (or drop
 * it). False when the pass has no mm left: the token is freed.
 */
bool pageone_run_token(struct pageone_token *t, struct pageone_scratch *s,
		       bool (*should_stop)(void), u64 *cpu_ns)
{
	unsigned int budget = PAGEONE_RUN_BATCHES;
	u64 t0 = ktime_get_ns(), c0 = task_sched_runtime(current);
	bool more = true;

	while (budget && !should_stop()) {
		if (!t->in_slot) {
			if (!ksm_engine_next_slot(&t->c)) {
				more = false;
				break;
			}
			t->in_slot = true;
		}
		if (!pageone_scan_slot(&t->c, s, &budget))
			break;		/* the budget ran out in this mm */
		pageone_end_slot(t);
	}
	atomic64_add(ktime_get_ns() - t0, &pageone_busy_ns);
	*cpu_ns = task_sched_runtime(current) - c0;
	atomic64_add(*cpu_ns, &pageone_cpu_ns);
	if (!more) {
		kfree(t);
		pageone_put_token();
	}
	return more;
}
EXPORT_SYMBOL_NS_GPL(pageone_run_token, PPR);

/**
 * pageone_drop_token - a token that will not run again
 * @t: the token, or NULL for one that could not be allocated
 *
 * An mm it left part-way is abandoned (counted in slots_abandoned). The
 * last token of a pass ends it.
 */
void pageone_drop_token(struct pageone_token *t)
{
	if (t) {
		if (t->in_slot) {
			t->c.abandoned = true;
			pageone_end_slot(t);
		}
		kfree(t);
	}
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
	st->exited_slots_freed = k.exited_slots_freed;
	st->merges_changed = k.merges_changed;
	st->pages_hashed = atomic64_read(&pageone_pages_hashed);
	st->slots_scanned = atomic64_read(&pageone_slots_scanned);
	st->slots_abandoned = atomic64_read(&pageone_slots_abandoned);
	st->pages_skipped_free = atomic64_read(&pageone_pages_skipped_free);
	st->last_pass_ms = atomic64_read(&pageone_last_pass_ms);
	st->thread_busy_us = div_u64(atomic64_read(&pageone_busy_ns),
				     NSEC_PER_USEC);
	st->thread_cpu_us = div_u64(atomic64_read(&pageone_cpu_ns),
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
	st->hash_buckets = k.hash_buckets;
	st->hash_resizes = k.hash_resizes;
}
EXPORT_SYMBOL_NS_GPL(pageone_read_stats, PPR);
