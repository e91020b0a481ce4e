/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PageONE, the deduplication engine of mm/pageone, as the ppr_pageone
 * module drives it: the module owns the threads and the clock, the engine
 * owns the passes. A pass is split into tokens, one per work thread; each
 * token scans whole mms until none is left, a bounded amount per run (the
 * caller runs it again while it says it has more), and the last token to
 * finish ends the pass.
 */
#ifndef _LINUX_PAGEONE_H
#define _LINUX_PAGEONE_H

#include <linux/types.h>

struct mm_struct;
struct pageone_scratch;
struct pageone_token;

/*
 * Which pages a pass must not merge (the recycler's: pages a guest marked
 * free). Called with @n ascending addresses of @mm, no lock held; sets bit
 * i of @skip for addrs[i]. Such a page is not hashed and leaves the index;
 * a page that is already a KSM page is never skipped (its rmap_item is
 * what finds its mapping).
 */
typedef void (*pageone_filter_t)(struct mm_struct *mm,
				 const unsigned long *addrs, unsigned int n,
				 unsigned long *skip);

struct pageone_stats {
	u64 passes;		/* passes begun */
	u64 passes_done;	/* passes ended (full_scans counts the whole ones) */
	u64 exited_slots_freed;	/* mms that exited, freed between passes */
	u64 merges_changed;	/* merges undone: content changed since hashed */
	u64 pages_hashed;	/* pages whose xxhash a work thread took */
	u64 slots_scanned;	/* mms scanned to their end */
	u64 slots_abandoned;	/* mms left mid-way: run changed, rmmod */
	u64 pages_skipped_free;	/* left to the recycler: marked free */
	u64 last_pass_ms;	/* wall time of the last pass */
	u64 thread_busy_us;	/* work threads' time in passes, summed */
	u64 thread_cpu_us;	/* of it, on a CPU (what dedup_cpu_percent caps) */
	u64 merge_lock_wait_us;	/* of it, waiting for KSM's merge locks */
	u64 merge_lock_held_us;	/* of it, merging (not waiting) */
	/* /sys/kernel/mm/ksm's counters, same meaning */
	u64 full_scans;
	u64 pages_shared;
	u64 pages_sharing;
	u64 pages_unshared;
	u64 pages_volatile;
	u64 pages_scanned;
	s64 ksm_zero_pages;
	s64 general_profit;	/* bytes */
	u64 hash_collisions;
	u64 hash_buckets;	/* of the candidates' hash index, this pass */
	u64 hash_resizes;	/* times it changed size with the candidates */
};

/* What pageone_merge_range() left in its range. */
struct pageone_range_result {
	unsigned long mergeable_pages;		/* in VM_MERGEABLE VMAs */
	unsigned long unmergeable_pages;	/* in VMAs KSM cannot serve, or holes */
	unsigned long made_mergeable_pages;	/* of mergeable_pages, by this call */
};

int pageone_start(void (*kick)(void), bool run, pageone_filter_t filter);
void pageone_stop(void);
bool pageone_may_run(void);
void pageone_set_period(unsigned int ms);
bool pageone_in_pass(void);
bool pageone_begin_pass(unsigned int tokens);
struct pageone_token *pageone_token_alloc(void);
bool pageone_run_token(struct pageone_token *t, struct pageone_scratch *s,
		       bool (*should_stop)(void), u64 *cpu_ns);
void pageone_drop_token(struct pageone_token *t);
struct pageone_scratch *pageone_scratch_alloc(void);
void pageone_scratch_free(struct pageone_scratch *s);
void pageone_read_stats(struct pageone_stats *st);
int pageone_merge_range(struct mm_struct *mm, unsigned long start,
			unsigned long len, struct pageone_range_result *res);
int pageone_unmerge_range(struct mm_struct *mm, unsigned long start,
			  unsigned long len);

#endif /* _LINUX_PAGEONE_H */
