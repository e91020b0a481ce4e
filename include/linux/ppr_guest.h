/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PPR guest hooks: the page allocator marks every page it frees in the
 * shared mark area and unmarks it before reuse. Off (a static branch, no
 * call) until the guest driver has bound an area; see guest/hooks.c.
 */
#ifndef _LINUX_PPR_GUEST_H
#define _LINUX_PPR_GUEST_H

#include <linux/jump_label.h>
#include <linux/mm_types.h>
#include <linux/ppr_area.h>

#ifdef CONFIG_PPR_GUEST_HOOKS
DECLARE_STATIC_KEY_FALSE(ppr_guest_hooks_key);

void __ppr_guest_mark(struct page *page, unsigned int order);
void __ppr_guest_unmark(struct page *page, unsigned int order);

/* Called from free_pages_prepare(), after the last write to the pages. */
static __always_inline void ppr_guest_free_hook(struct page *page,
						unsigned int order)
{
	if (static_branch_unlikely(&ppr_guest_hooks_key))
		__ppr_guest_mark(page, order);
}

/* Called from post_alloc_hook(), before the first write to the pages. */
static __always_inline void ppr_guest_alloc_hook(struct page *page,
						 unsigned int order)
{
	if (static_branch_unlikely(&ppr_guest_hooks_key))
		__ppr_guest_unmark(page, order);
}

/* Guest-side statistics, in pages. */
struct ppr_guest_stats {
	u64 marks;
	u64 unmarks;
	u64 unmark_missing;
	u64 out_of_range;
};

extern struct kobject *ppr_guest_kobj;

u64 ppr_guest_nr_pfns(void);
int ppr_guest_hooks_enable(const struct ppr_area_view *view);
void ppr_guest_hooks_disable(void);
void ppr_guest_stats(struct ppr_guest_stats *st);

/* mm/ppr/free_walk.c */
unsigned long ppr_walk_free_pages(void (*fn)(struct page *page, unsigned int order));
#else
static inline void ppr_guest_free_hook(struct page *page, unsigned int order) {}
static inline void ppr_guest_alloc_hook(struct page *page, unsigned int order) {}
#endif

#endif /* _LINUX_PPR_GUEST_H */
