/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PPR recycle mechanism: take back the pages a guest marked free, one batch
 * within one PMD at a time. Built into mm (mm/ppr/recycle.c) because it
 * needs page-table and rmap internals; the ppr_pageone module drives it.
 */
#ifndef _LINUX_PPR_RECYCLE_H
#define _LINUX_PPR_RECYCLE_H

#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/pgtable.h>

/* Why pages of a batch were not recycled; indexes of ppr_recycle_batch.skipped. */
enum ppr_skip {
	PPR_SKIP_RACED,		/* the guest unmarked it before we could claim it */
	PPR_SKIP_PINNED,	/* GUP/VFIO pin or other extra reference */
	PPR_SKIP_LOCKED,	/* folio locked: a merge or migration holds it */
	PPR_SKIP_INACTIVE,	/* guest left its epoch, or a memslot went away */
	PPR_SKIP_NOT_PRESENT,	/* no page mapped (never touched, zero page, migrating) */
	PPR_SKIP_THP,		/* part of a THP only partly marked */
	PPR_SKIP_KSM,		/* a merged (KSM) page */
	PPR_SKIP_MLOCKED,	/* VM_LOCKED mapping */
	PPR_SKIP_HUGETLB,	/* hugetlbfs mapping */
	PPR_SKIP_UFFD,		/* userfaultfd-armed mapping (postcopy) */
	PPR_SKIP_VMA,		/* no VMA, or not private anonymous memory */
	PPR_SKIP_NR
};

struct ppr_recycle_batch {
	/* in */
	struct mm_struct *mm;		/* the VMM's; the caller holds mmget() */
	unsigned long hva;		/* first page; the batch stays in its PMD */
	unsigned int nr;		/* pages, 1 .. PTRS_PER_PTE */
	unsigned long *mark;		/* the guest's mark bitmap, host mapping */
	u64 gfn;			/* mark bit of the page at @hva */
	/*
	 * Called after the batch's PTEs are cleared and the TLB flushed, just
	 * before marks are claimed: true if the guest is still active in the
	 * epoch the caller saw and no memslot has gone away since.
	 */
	bool (*may_claim)(void *arg);
	void *arg;
	/*
	 * Optional, one per VM: held from the MMU-notifier range start to its
	 * end, so that one VM has at most one recycle range in progress. KVM
	 * folds concurrent invalidations of a VM into one range that only
	 * resets when none is in progress; workers overlapping their batches
	 * back to back would keep it growing, and every vCPU fault inside it
	 * retrying, until the backlog drains.
	 */
	struct mutex *range_lock;
	/*
	 * A PMD-mapped THP with at least this many of its PTRS_PER_PTE pages
	 * marked is split and its marked pages recycled; one with fewer is
	 * left whole (PPR_SKIP_THP). 1 .. PTRS_PER_PTE; PTRS_PER_PTE takes
	 * only THPs the guest has freed whole.
	 */
	unsigned int thp_split_min;
	/* out, in pages */
	unsigned int recycled;
	unsigned int skipped[PPR_SKIP_NR];
	unsigned int thp_splits;	/* THPs split to be recycled */
	unsigned int swap_freed;	/* swapped-out pages claimed, slots freed */
};

/* Per-caller scratch space, too big for the stack. */
struct ppr_recycle_scratch {
	pte_t orig[PTRS_PER_PTE];
	struct folio *folio[PTRS_PER_PTE];
};

void ppr_recycle_batch(struct ppr_recycle_batch *b, struct ppr_recycle_scratch *s);
void ppr_recycle_drain_lru(void);
int ppr_recycle_thp_mapped(struct mm_struct *mm, unsigned long addr);

#endif /* _LINUX_PPR_RECYCLE_H */
