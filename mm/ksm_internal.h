/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What mm/ksm.c offers to a scan engine that replaces ksmd (PageONE,
 * mm/pageone/). Merged pages stay KSM pages made by ksm.c's own code; the
 * engine chooses which pages to look at, when, and on which threads, and
 * takes their hashes outside every lock.
 *
 * The protocol, for each pass (one full scan, /sys/kernel/mm/ksm/full_scans):
 *
 *   ksm_engine_pass_begin()            one thread, before any slot is taken
 *   on any number of threads at once:
 *     while (ksm_engine_next_slot(&c)) {
 *       while ((n = ksm_engine_collect(&c, pages, max))) {
 *         pages[i].checksum = ksm_engine_checksum(pages[i].page);
 *         (or pages[i].skip = true: not a candidate this pass)
 *         ksm_engine_merge(&c, pages, n);
 *       }
 *       ksm_engine_slot_done(&c);
 *     }
 *   ksm_engine_pass_end()              one thread, after every slot is done
 *
 * A slot (one mm) is scanned by one thread at a time: ksm_engine_next_slot()
 * marks it busy, which keeps __ksm_exit() and run=2 from freeing it. The walk
 * (collect) holds only the mm's mmap_lock for read; the hash needs no lock.
 * merge takes ksm_thread_sem for read and, for each page, the lock of the
 * page's shard (a slice of the content hash space: its stable trees and
 * hash index buckets), so several threads merge at once in different
 * shards; slot_done takes it for read too, and the shard locks of the
 * items it drops. The pass boundaries, ksmd, the sysfs settings and
 * unmerge take ksm_thread_sem for write (the locking rules are written
 * above ksm_shard_lock in mm/ksm.c). If run=2 unmerged everything, or run
 * left 1, between a collect and its merge, the merge drops the pages and
 * the slot is abandoned.
 */
#ifndef __MM_KSM_INTERNAL_H
#define __MM_KSM_INTERNAL_H

#include <linux/types.h>

struct ksm_mm_slot;
struct ksm_rmap_item;
struct mm_struct;
struct page;

/*
 * One page found by ksm_engine_collect(), with a reference held: drop it
 * with put_page(), as a merge may have split the folio it was part of.
 */
struct ksm_engine_page {
	struct page *page;
	unsigned long addr;
	u32 checksum;			/* filled by the engine */
	bool skip;			/* engine: not a candidate this pass */
};

/* A thread's place in the slot it scans. */
struct ksm_engine_cursor {
	struct ksm_mm_slot *slot;
	struct mm_struct *mm;		/* the slot's; valid while it is busy */
	unsigned long address;		/* next address to walk; 0: none seen */
	struct ksm_rmap_item **rmap_list; /* the slot thread's; ksm_thread_sem */
	unsigned long gen;		/* unmerge generation at slot start */
	bool walked;			/* no mergeable address left */
	bool exiting;			/* the mm is exiting */
	bool abandoned;			/* run changed or run=2 unmerged */
};

/* The counters of /sys/kernel/mm/ksm, read together. */
struct ksm_engine_counters {
	unsigned long pages_shared;
	unsigned long pages_sharing;
	unsigned long pages_unshared;
	unsigned long pages_volatile;
	unsigned long pages_scanned;
	unsigned long full_scans;
	unsigned long rmap_items;
	long ksm_zero_pages;
	long general_profit;		/* bytes */
	unsigned long hash_collisions;
	unsigned long hash_buckets;	/* of the hash index, this scan */
	unsigned long hash_resizes;	/* times the index changed size */
	unsigned long merges_changed;	/* undone: content left its shard */
	unsigned long exited_slots_freed; /* by the reaper, between passes */
	/* engine threads in ksm_engine_merge() */
	u64 merge_lock_wait_ns;		/* waiting for ksm_thread_sem, shards */
	u64 merge_lock_held_ns;		/* merging, not waiting */
};

#ifdef CONFIG_PAGEONE
int ksm_engine_claim(void (*kick)(void), bool run);
void ksm_engine_release(void);
bool ksm_engine_may_run(void);
void ksm_engine_set_period(unsigned int ms);
bool ksm_engine_pass_begin(void);
void ksm_engine_pass_end(void);
bool ksm_engine_next_slot(struct ksm_engine_cursor *c);
unsigned int ksm_engine_collect(struct ksm_engine_cursor *c,
				struct ksm_engine_page *pages,
				unsigned int max);
u32 ksm_engine_checksum(struct page *page);
void ksm_engine_merge(struct ksm_engine_cursor *c,
		      struct ksm_engine_page *pages, unsigned int n);
void ksm_engine_slot_done(struct ksm_engine_cursor *c);
void ksm_engine_counters(struct ksm_engine_counters *cnt);
#endif

#endif /* __MM_KSM_INTERNAL_H */
