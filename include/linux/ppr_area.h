/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PPR mark area: the bitmap operations the guest hooks, the guest driver
 * and the host module share. The layout is in include/uapi/linux/ppr.h.
 *
 * Every operation that changes a bitmap word is an atomic read-modify-write:
 * the guest marks and unmarks from any CPU and any context (the page
 * allocator's hooks run with interrupts off, under zone->lock or not), and
 * the host claims marks from another machine's point of view, concurrently.
 * Value-returning atomics are fully ordered in the Linux memory model, which
 * the protocol relies on twice:
 *  - unmark: the clear of a mark is globally visible before the guest's
 *    first write to the page (docs/mark-area.md, "no lost write");
 *  - mark: the set of a mark is visible before the summary bit is tested,
 *    pairing with the host's clear-summary-then-scan (docs/mark-area.md,
 *    "no lost mark").
 */
#ifndef _LINUX_PPR_AREA_H
#define _LINUX_PPR_AREA_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/types.h>
#include <uapi/linux/ppr.h>

/* Where the bitmaps of one area are, as this kernel mapped them. */
struct ppr_area_view {
	unsigned long *mark;	/* nr_pfns bits */
	unsigned long *summary;	/* nr_pfns >> PPR_SUMMARY_SHIFT bits, rounded up */
	u64 nr_pfns;
};

/* Bytes of each bitmap for @nr_pfns PFNs, rounded up to whole 64-bit words. */
static inline u64 ppr_mark_bytes(u64 nr_pfns)
{
	return DIV_ROUND_UP_ULL(nr_pfns, 64) * 8;
}

static inline u64 ppr_summary_bytes(u64 nr_pfns)
{
	return ppr_mark_bytes(DIV_ROUND_UP_ULL(nr_pfns, 1ULL << PPR_SUMMARY_SHIFT));
}

/* Bytes an area must have to track PFNs 0 .. @nr_pfns - 1. */
static inline u64 ppr_area_bytes(u64 nr_pfns)
{
	return PPR_AREA_HEADER_SIZE + ppr_mark_bytes(nr_pfns) +
	       ppr_summary_bytes(nr_pfns);
}

static inline unsigned long ppr_word_mask(unsigned long first, unsigned long nr)
{
	return nr == BITS_PER_LONG ? ~0UL : ((1UL << nr) - 1) << first;
}

/*
 * ppr_area_mark - mark PFNs [@pfn, @pfn + @nr) free and flag their summary
 * Returns the number of mark bits that this call changed from 0 to 1. PFNs
 * at or beyond v->nr_pfns are not tracked; the caller counts them from
 * ppr_area_clip().
 */
static inline unsigned long ppr_area_mark(const struct ppr_area_view *v,
					  u64 pfn, unsigned long nr)
{
	unsigned long set = 0, s, last;

	if (likely(nr == 1)) {
		set = !test_and_set_bit(pfn, v->mark);
	} else {
		u64 end = pfn + nr, p = pfn;

		while (p < end) {
			unsigned long first = p % BITS_PER_LONG;
			unsigned long n = min_t(u64, BITS_PER_LONG - first, end - p);
			atomic_long_t *w = (atomic_long_t *)&v->mark[p / BITS_PER_LONG];
			unsigned long mask = ppr_word_mask(first, n), old;

			if (n == BITS_PER_LONG)
				old = atomic_long_xchg(w, ~0UL);
			else
				old = atomic_long_fetch_or(mask, w);
			set += hweight_long(~old & mask);
			p += n;
		}
	}
	/*
	 * The value-returning atomics above are full barriers: the host that
	 * clears a summary bit and then scans the marks under it sees our
	 * mark, or we see its clear here and set the bit again.
	 */
	last = (pfn + nr - 1) >> PPR_SUMMARY_SHIFT;
	for (s = pfn >> PPR_SUMMARY_SHIFT; s <= last; s++)
		if (!test_bit(s, v->summary))
			set_bit(s, v->summary);
	return set;
}

/*
 * ppr_area_unmark - clear the marks of PFNs [@pfn, @pfn + @nr)
 * Returns the number of mark bits that were set and this call cleared; the
 * others were never marked or have been claimed by the host (the page then
 * reads as zeroes). Must complete before the first write to the pages.
 */
static inline unsigned long ppr_area_unmark(const struct ppr_area_view *v,
					    u64 pfn, unsigned long nr)
{
	unsigned long cleared = 0;
	u64 end = pfn + nr, p = pfn;

	if (likely(nr == 1))
		return test_and_clear_bit(pfn, v->mark);

	while (p < end) {
		unsigned long first = p % BITS_PER_LONG;
		unsigned long n = min_t(u64, BITS_PER_LONG - first, end - p);
		atomic_long_t *w = (atomic_long_t *)&v->mark[p / BITS_PER_LONG];
		unsigned long mask = ppr_word_mask(first, n), old;

		if (n == BITS_PER_LONG)
			old = atomic_long_xchg(w, 0);
		else
			old = atomic_long_fetch_andnot(mask, w);
		cleared += hweight_long(old & mask);
		p += n;
	}
	return cleared;
}

/*
 * ppr_area_clip - how many of PFNs [@pfn, @pfn + @nr) the area tracks
 * Returns @nr when all are below v->nr_pfns, fewer when the range runs past
 * the end, 0 when it starts past the end.
 */
static inline unsigned long ppr_area_clip(const struct ppr_area_view *v,
					  u64 pfn, unsigned long nr)
{
	if (likely(pfn + nr <= v->nr_pfns))
		return nr;
	return pfn >= v->nr_pfns ? 0 : v->nr_pfns - pfn;
}

/* Number of marked PFNs (a full scan: for statistics, not hot paths). */
static inline u64 ppr_area_weight(const struct ppr_area_view *v)
{
	return bitmap_weight(v->mark, v->nr_pfns);
}

#endif /* _LINUX_PPR_AREA_H */
