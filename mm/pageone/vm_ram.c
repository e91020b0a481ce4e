// SPDX-License-Identifier: GPL-2.0
/*
 * PageONE's scope beyond MADV_MERGEABLE: guest RAM of the VMs attached to
 * the ppr_pageone module. QEMU marks its guest RAM MADV_MERGEABLE unless
 * started with -machine mem-merge=off; when the administrator asks for it
 * (merge_vm_ram), the module makes the host range of each memslot
 * mergeable itself, as an madvise() from the VMM would, so KSM's registry
 * serves it like any other mergeable area, and undoes it later.
 *
 * Built in, not in the module: do_madvise() on another process's mm is
 * not exported.
 */
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pageone.h>
#include <linux/sched/mm.h>

static bool pageone_range_ok(struct mm_struct *mm, unsigned long start,
			     unsigned long len)
{
	return mm && len && PAGE_ALIGNED(start) && PAGE_ALIGNED(len) &&
	       start + len > start && start + len <= TASK_SIZE_MAX;
}

/* Count the range's mergeable pages, and the others (holes included). */
static int pageone_count_range(struct mm_struct *mm, unsigned long start,
			       unsigned long end,
			       struct pageone_range_result *res)
{
	VMA_ITERATOR(vmi, mm, start);
	unsigned long addr, s, e, n;
	struct vm_area_struct *vma;

	res->mergeable_pages = 0;
	res->unmergeable_pages = 0;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	addr = start;
	for_each_vma_range(vmi, vma, end) {
		s = max(vma->vm_start, start);
		e = min(vma->vm_end, end);
		n = (e - s) >> PAGE_SHIFT;
		res->unmergeable_pages += (s - addr) >> PAGE_SHIFT;	/* hole */
		if (vma->vm_flags & VM_MERGEABLE)
			res->mergeable_pages += n;
		else
			res->unmergeable_pages += n;
		addr = e;
	}
	res->unmergeable_pages += (end - addr) >> PAGE_SHIFT;
	mmap_read_unlock(mm);
	return 0;
}

/**
 * pageone_merge_range - make a range of another process's mm mergeable
 * @mm: the mm; the caller holds a reference (mmget)
 * @start: page-aligned start address
 * @len: bytes, a multiple of the page size, at least one page
 * @res: counts of the range's pages afterwards (set on success)
 *
 * MADV_MERGEABLE on each VMA of the range, as madvise() would: VMAs KSM
 * cannot serve (shared, file-backed special, PFN maps, hugetlb, ...) stay
 * as they are, and so do holes; @res says how many pages are mergeable
 * and how many not, and how many of the mergeable ones were not before.
 * Takes the mmap lock for write (killable).
 *
 * Return: 0, -EINVAL on a bad range, -EINTR if killed, or madvise's error
 * (-ENOMEM when part of the range was not mapped: the rest is done and
 * counted).
 */
int pageone_merge_range(struct mm_struct *mm, unsigned long start,
			unsigned long len, struct pageone_range_result *res)
{
	unsigned long before;
	int err;

	if (!pageone_range_ok(mm, start, len) || !res)
		return -EINVAL;
	err = pageone_count_range(mm, start, start + len, res);
	if (err)
		return err;
	before = res->mergeable_pages;
	err = do_madvise(mm, start, len, MADV_MERGEABLE);
	if (err && err != -ENOMEM)
		return err;
	if (pageone_count_range(mm, start, start + len, res))
		return -EINTR;
	res->made_mergeable_pages = res->mergeable_pages > before ?
				    res->mergeable_pages - before : 0;
	return err;
}
EXPORT_SYMBOL_NS_GPL(pageone_merge_range, PPR);

/**
 * pageone_unmerge_range - undo pageone_merge_range()
 * @mm: the mm; the caller holds a reference (mmget)
 * @start: page-aligned start address
 * @len: bytes, a multiple of the page size, at least one page
 *
 * MADV_UNMERGEABLE on the range, as madvise() would: its KSM pages are
 * copied back, and KSM stops serving it.
 *
 * Return: 0, -EINVAL on a bad range, or madvise's error (-ENOMEM when
 * part of the range was not mapped: the rest is done).
 */
int pageone_unmerge_range(struct mm_struct *mm, unsigned long start,
			  unsigned long len)
{
	if (!pageone_range_ok(mm, start, len))
		return -EINVAL;
	return do_madvise(mm, start, len, MADV_UNMERGEABLE);
}
EXPORT_SYMBOL_NS_GPL(pageone_unmerge_range, PPR);
