// SPDX-License-Identifier: GPL-2.0
/*
 * PPR recycle mechanism: take back, in one batch within one PMD, the pages
 * of a VMM's guest RAM that the guest has marked free in its mark area.
 *
 * The protocol (docs/mark-area.md has the proof that no guest write is lost):
 *
 *  1. Read the batch's mark bits without locks: they only pick candidates.
 *  2. mmap_read_lock(); the VMA must be private anonymous memory, not
 *     mlocked, not hugetlb, not userfaultfd-armed (postcopy migration).
 *  3. MMU-notifier range start over the candidates' span (one range per
 *     VM at a time, see ppr_recycle_batch.range_lock): KVM zaps its
 *     mappings of the span, and a vCPU that faults in it waits for the end.
 *  4. Under the PTE lock, for each candidate: trylock its folio (a locked
 *     folio is being merged or migrated: skip it), take a reference and
 *     clear the PTE. One TLB flush for the batch.
 *  5. A folio with references beyond its mappings (GUP, VFIO) gets its PTEs
 *     back. Then ask the caller whether the guest is still active in the
 *     same epoch with no memslot removed; if not, every PTE goes back. Only
 *     now claim the marks, each with an atomic test-and-clear: a page whose
 *     mark is gone was reused by the guest, and gets its PTE back.
 *  6. A claimed page loses its rmap and its mapping's reference; its PTE
 *     stays none: the next read maps the zero page, the next write faults
 *     in a fresh zeroed page.
 *  7. Unlock, range end, drop our references: the pages are freed.
 *
 * Invariant: the host clears a mark bit only when it takes the page. So a
 * guest that finds its mark gone at allocation knows the page reads as zero.
 *
 * THP: a PMD-mapped THP is recycled when at least b->thp_split_min of its
 * 512 pages are marked, else left whole (PPR_SKIP_THP). A fully marked one
 * only loses its PMD mapping: every PTE then goes and the whole folio is
 * freed. A partly marked one is split into 512 small folios first
 * (split_folio()), because removing some PTEs of a large folio frees
 * nothing until the deferred-split shrinker runs, under memory pressure.
 * Before either split, the checks of step 5 are made once in advance
 * (pinned, guest lifetime, enough marks still set): a split is not undone,
 * and a THP that step 5 would put back would stay split for nothing, in
 * 4 KiB mappings in KVM too. They are repeated after the split; only those
 * decide. Whether khugepaged collapses the range again once the guest has
 * refilled it is the host's max_ptes_none (docs/recycler.md).
 *
 * A page pinned for DMA (FOLL_PIN: VFIO, io_uring fixed buffers) is skipped
 * before its PTE is touched: clearing and restoring the PTEs of a guest
 * whose RAM is all pinned would cost a TLB flush per batch for nothing.
 *
 * Swap: a marked page that the host swapped out holds a swap slot until the
 * guest touches it again, which for a free page may be never. Its swap PTE
 * is claimed like a present page's, in step 5 under the same PTE lock (no
 * mapping, KVM's or a CPU's, can reach it meanwhile: a fault on it waits
 * for the PTE lock and then finds the PTE none), and its slot is freed.
 */
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/ppr_recycle.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/userfaultfd_k.h>
#include <asm/tlbflush.h>

#include "../internal.h"

/**
 * ppr_recycle_drain_lru - empty every CPU's LRU batches
 *
 * A page the VMM faulted in lately sits in a CPU's LRU batch, whose
 * reference makes it look pinned to ppr_recycle_batch() until the batch
 * drains, which an idle CPU does not do by itself. The daemon calls this
 * before a pass that follows pinned skips: once per period at most. May
 * sleep.
 */
void ppr_recycle_drain_lru(void)
{
	lru_add_drain_all();
}
EXPORT_SYMBOL_NS_GPL(ppr_recycle_drain_lru, PPR);

/**
 * ppr_recycle_thp_mapped - is the PMD at @addr a THP mapping again?
 * @mm: the VMM's; the caller holds mmget() and mmap_read_lock()
 * @addr: a PMD-aligned address whose THP the recycler split
 *
 * Return: 1 if a huge PMD maps @addr (khugepaged collapsed the range
 * again), 0 if small pages or nothing do, -ENOENT if no private anonymous
 * VMA covers the whole PMD any more (the range will not come back),
 * -EINVAL if @addr is not PMD-aligned.
 */
int ppr_recycle_thp_mapped(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;
	pmd_t *pmd;

	mmap_assert_locked(mm);
	if (!IS_ALIGNED(addr, PMD_SIZE))
		return -EINVAL;
	vma = vma_lookup(mm, addr);
	if (!vma || !vma_is_anonymous(vma) || (vma->vm_flags & VM_SHARED) ||
	    addr + PMD_SIZE > vma->vm_end)
		return -ENOENT;
	pmd = mm_find_pmd(mm, addr);
	return pmd && pmd_trans_huge(pmdp_get_lockless(pmd));
}
EXPORT_SYMBOL_NS_GPL(ppr_recycle_thp_mapped, PPR);

/* Return PPR_SKIP_NR when pages of @vma may be recycled, else the reason. */
static enum ppr_skip ppr_vma_skip(struct vm_area_struct *vma)
{
	if (!vma)
		return PPR_SKIP_VMA;
	if (is_vm_hugetlb_page(vma))
		return PPR_SKIP_HUGETLB;
	if (vma->vm_flags & VM_LOCKED)
		return PPR_SKIP_MLOCKED;
	if (userfaultfd_armed(vma))
		return PPR_SKIP_UFFD;
	if (!vma_is_anonymous(vma) ||
	    (vma->vm_flags & (VM_SHARED | VM_PFNMAP | VM_IO | VM_MIXEDMAP)))
		return PPR_SKIP_VMA;
	return PPR_SKIP_NR;
}

/*
 * Before splitting the THP mapped by @pmd, at least b->thp_split_min of
 * whose pages were marked: would step 5 take them? Returns PPR_SKIP_NR if
 * so, else the reason it would not, and counts the marks now in @marked.
 * Advisory only: the same checks run again after the split.
 */
static enum ppr_skip ppr_thp_precheck(struct ppr_recycle_batch *b,
				      struct vm_area_struct *vma, pmd_t *pmd,
				      unsigned int *marked)
{
	enum ppr_skip why = PPR_SKIP_NR;
	struct folio *folio;
	spinlock_t *ptl;		/* the PMD's lock */
	unsigned int i;
	int expected;

	ptl = pmd_trans_huge_lock(pmd, vma);
	if (!ptl)
		return PPR_SKIP_NR;	/* split meanwhile: the PTE path decides */
	folio = page_folio(pmd_page(*pmd));
	expected = folio_mapcount(folio);
	if (folio_test_swapcache(folio))
		expected += folio_nr_pages(folio);
	if (folio_maybe_dma_pinned(folio) || folio_ref_count(folio) != expected)
		why = PPR_SKIP_PINNED;
	spin_unlock(ptl);
	if (why != PPR_SKIP_NR)
		return why;
	*marked = 0;
	for (i = 0; i < PTRS_PER_PTE; i++)
		*marked += test_bit(b->gfn + i, b->mark);
	if (*marked < b->thp_split_min)
		return PPR_SKIP_THP;	/* the guest took pages back meanwhile */
	if (!b->may_claim(b->arg))
		return PPR_SKIP_INACTIVE;
	return PPR_SKIP_NR;
}

/*
 * Split the large folio that @pmd maps into small folios, remapping its
 * pages with PTEs, so that each page recycled below is freed at once.
 * Returns PPR_SKIP_NR on success, or why the THP stays whole: its folio
 * is locked (being migrated, merged or collapsed) or has references
 * beyond its mappings (pinned). The caller holds mmap_lock for read.
 */
static enum ppr_skip ppr_thp_split_folio(struct vm_area_struct *vma, pmd_t *pmd)
{
	struct folio *folio;
	spinlock_t *ptl;		/* the PMD's lock */
	int err;

	mmap_assert_locked(vma->vm_mm);
	ptl = pmd_trans_huge_lock(pmd, vma);
	if (!ptl)
		return PPR_SKIP_NR;	/* split meanwhile: the PTE path decides */
	folio = page_folio(pmd_page(*pmd));
	folio_get(folio);
	spin_unlock(ptl);
	if (!folio_trylock(folio)) {
		folio_put(folio);
		return PPR_SKIP_LOCKED;
	}
	/* Our reference stays with the head page, which stays locked. */
	err = split_folio(folio);
	folio_unlock(folio);
	folio_put(folio);
	return err ? PPR_SKIP_PINNED : PPR_SKIP_NR;
}

/*
 * A folio may be dropped when the only references left are its mappings
 * (the PTEs we cleared still count: their rmap is not removed yet), ours,
 * and the swap cache's. Called after the PTEs are cleared and the TLB
 * flushed, so GUP-fast can no longer find the pages; the barrier pairs with
 * GUP-fast's "take reference, then re-check the PTE".
 */
static bool ppr_folio_unpinned(struct folio *folio)
{
	int expected = folio_mapcount(folio) + 1;

	if (folio_test_swapcache(folio))
		expected += folio_nr_pages(folio);
	/* PTE clear (done) before the refcount read; GUP-fast does the reverse. */
	smp_mb();
	return folio_ref_count(folio) == expected &&
	       !folio_maybe_dma_pinned(folio);
}

void ppr_recycle_batch(struct ppr_recycle_batch *b, struct ppr_recycle_scratch *s)
{
	DECLARE_BITMAP(cand, PTRS_PER_PTE);
	DECLARE_BITMAP(cleared, PTRS_PER_PTE);
	DECLARE_BITMAP(owner, PTRS_PER_PTE);
	DECLARE_BITMAP(swapped, PTRS_PER_PTE);	/* swap PTEs, left as they are */
	struct mm_struct *mm = b->mm;
	unsigned long start = b->hva;
	struct mmu_notifier_range range;
	unsigned long rstart, rend;	/* the candidates' span */
	struct vm_area_struct *vma;
	struct folio *locked = NULL, *last = NULL;
	unsigned int i, nr = b->nr, ncand, marked;
	bool last_ok = false;
	enum ppr_skip why;
	spinlock_t *ptl;	/* the PTE lock of the batch's page table */
	pte_t *pte;
	pmd_t *pmd;

	if (WARN_ON_ONCE(!nr || nr > PTRS_PER_PTE || offset_in_page(start) ||
			 !b->thp_split_min || b->thp_split_min > PTRS_PER_PTE ||
			 (start & PMD_MASK) != ((start + (nr - 1) * PAGE_SIZE) & PMD_MASK)))
		return;

	/* 1. Candidates. */
	bitmap_zero(owner, PTRS_PER_PTE);
	bitmap_zero(cand, PTRS_PER_PTE);
	for (i = 0; i < nr; i++)
		if (test_bit(b->gfn + i, b->mark))
			__set_bit(i, cand);
	ncand = bitmap_weight(cand, nr);
	if (!ncand)
		return;

	/* 2. The mapping. */
	mmap_read_lock(mm);
	vma = vma_lookup(mm, start);
	why = ppr_vma_skip(vma);
	if (why != PPR_SKIP_NR) {
		b->skipped[why] += ncand;
		goto out_mmap;
	}
	if (start + nr * PAGE_SIZE > vma->vm_end) {
		unsigned int in = (vma->vm_end - start) >> PAGE_SHIFT;

		b->skipped[PPR_SKIP_VMA] += bitmap_weight(cand, nr) -
					    bitmap_weight(cand, in);
		bitmap_clear(cand, in, nr - in);
		nr = in;
		ncand = bitmap_weight(cand, nr);
		if (!ncand)
			goto out_mmap;
	}
	pmd = mm_find_pmd(mm, start);
	if (!pmd) {
		b->skipped[PPR_SKIP_NOT_PRESENT] += ncand;
		goto out_mmap;
	}
	if (pmd_trans_huge(pmdp_get_lockless(pmd))) {
		if (nr != PTRS_PER_PTE || ncand < b->thp_split_min) {
			b->skipped[PPR_SKIP_THP] += ncand;
			goto out_mmap;
		}
		why = ppr_thp_precheck(b, vma, pmd, &marked);
		/*
		 * Fully marked: split the mapping only, every page goes below
		 * and the folio with them. Partly: split the folio too.
		 */
		if (why == PPR_SKIP_NR && marked == PTRS_PER_PTE)
			split_huge_pmd(vma, pmd, start);
		else if (why == PPR_SKIP_NR)
			why = ppr_thp_split_folio(vma, pmd);
		if (why != PPR_SKIP_NR) {
			b->skipped[why] += ncand;
			goto out_mmap;
		}
		b->thp_splits++;
	}

	/*
	 * 3. KVM lets go of the candidates' span, no wider: it zaps every
	 * mapping in the range, and vCPU faults in it wait for the end.
	 */
	rstart = start + find_first_bit(cand, nr) * PAGE_SIZE;
	rend = start + (find_last_bit(cand, nr) + 1) * PAGE_SIZE;
	if (b->range_lock)
		mutex_lock(b->range_lock);
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mm, rstart, rend);
	mmu_notifier_invalidate_range_start(&range);

	/* 4. Clear the candidates' PTEs, one TLB flush. */
	pte = pte_offset_map_lock(mm, pmd, start, &ptl);
	if (!pte) {
		/* Gone, or a THP again (khugepaged): try next period. */
		b->skipped[PPR_SKIP_NOT_PRESENT] += ncand;
		goto out_range;
	}
	bitmap_zero(cleared, PTRS_PER_PTE);
	bitmap_zero(swapped, PTRS_PER_PTE);
	for_each_set_bit(i, cand, nr) {
		unsigned long addr = start + i * PAGE_SIZE;
		pte_t old = ptep_get(pte + i);
		struct folio *folio;
		struct page *page;

		if (!pte_present(old)) {
			if (is_swap_pte(old) && !non_swap_entry(pte_to_swp_entry(old)))
				__set_bit(i, swapped);
			else
				b->skipped[PPR_SKIP_NOT_PRESENT]++;
			continue;
		}
		page = vm_normal_page(vma, addr, old);
		if (!page) {		/* the zero page: nothing to take */
			b->skipped[PPR_SKIP_NOT_PRESENT]++;
			continue;
		}
		folio = page_folio(page);
		if (folio_test_ksm(folio)) {
			b->skipped[PPR_SKIP_KSM]++;
			continue;
		}
		if (folio_maybe_dma_pinned(folio)) {
			b->skipped[PPR_SKIP_PINNED]++;
			continue;
		}
		if (folio != locked) {
			if (!folio_trylock(folio)) {
				b->skipped[PPR_SKIP_LOCKED]++;
				continue;
			}
			folio_get(folio);
			locked = folio;
			__set_bit(i, owner);
		}
		s->folio[i] = folio;
		s->orig[i] = ptep_get_and_clear(mm, addr, pte + i);
		__set_bit(i, cleared);
	}
	if (bitmap_empty(cleared, nr) && bitmap_empty(swapped, nr))
		goto out_pte;
	if (!bitmap_empty(cleared, nr))
		flush_tlb_range(vma, rstart, rend);

	/* 5. Pins, then the guest's lifetime, then the marks. */
	for_each_set_bit(i, cleared, nr) {
		if (s->folio[i] != last) {
			last = s->folio[i];
			last_ok = ppr_folio_unpinned(last);
		}
		if (!last_ok) {
			set_pte_at(mm, start + i * PAGE_SIZE, pte + i, s->orig[i]);
			__clear_bit(i, cleared);
			b->skipped[PPR_SKIP_PINNED]++;
		}
	}
	if (!b->may_claim(b->arg)) {
		for_each_set_bit(i, cleared, nr) {
			set_pte_at(mm, start + i * PAGE_SIZE, pte + i, s->orig[i]);
			b->skipped[PPR_SKIP_INACTIVE]++;
		}
		b->skipped[PPR_SKIP_INACTIVE] += bitmap_weight(swapped, nr);
		goto out_pte;
	}
	for_each_set_bit(i, swapped, nr) {
		unsigned long addr = start + i * PAGE_SIZE;
		pte_t old = ptep_get(pte + i);

		/* Unchanged: the PTE lock has been held since it was read. */
		if (!test_and_clear_bit(b->gfn + i, b->mark)) {
			b->skipped[PPR_SKIP_RACED]++;
			continue;
		}
		ptep_get_and_clear(mm, addr, pte + i);
		free_swap_and_cache(pte_to_swp_entry(old));
		dec_mm_counter(mm, MM_SWAPENTS);
		b->swap_freed++;
	}
	for_each_set_bit(i, cleared, nr) {
		struct page *page = pte_page(s->orig[i]);

		if (!test_and_clear_bit(b->gfn + i, b->mark)) {
			/* The guest took it back: it may have written already. */
			set_pte_at(mm, start + i * PAGE_SIZE, pte + i, s->orig[i]);
			b->skipped[PPR_SKIP_RACED]++;
			continue;
		}
		/* 6. Claimed: the PTE stays none. */
		folio_remove_rmap_pte(s->folio[i], page, vma);
		dec_mm_counter(mm, MM_ANONPAGES);
		folio_put(s->folio[i]);		/* the mapping's reference */
		b->recycled++;
	}
out_pte:
	pte_unmap_unlock(pte, ptl);
out_range:
	mmu_notifier_invalidate_range_end(&range);
	if (b->range_lock)
		mutex_unlock(b->range_lock);
	/* 7. Drop our references: claimed pages are freed here. */
	for_each_set_bit(i, owner, nr) {
		struct folio *folio = s->folio[i];

		if (folio_test_swapcache(folio) && !folio_mapped(folio))
			folio_free_swap(folio);
		folio_unlock(folio);
		folio_put(folio);
	}
out_mmap:
	mmap_read_unlock(mm);
}
EXPORT_SYMBOL_NS_GPL(ppr_recycle_batch, PPR);
