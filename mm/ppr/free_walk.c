// SPDX-License-Identifier: GPL-2.0
/*
 * A walk over the page allocator's free blocks, for the PPR guest hooks
 * (guest/hooks.c), which must mark every page that is free when they are
 * turned on. The free lists are mm's business: the walk lives here, and
 * the hooks see one block at a time.
 */
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/ppr_guest.h>
#include <linux/sched.h>

#include "../internal.h"

/* The free blocks with a head in [@pfn, @end) of @zone; one lock hold. */
static unsigned long ppr_walk_free_range(struct zone *zone, unsigned long pfn,
					 unsigned long end,
					 void (*fn)(struct page *page, unsigned int order))
{
	unsigned long flags, n = 0;
	struct page *page;
	unsigned int order;

	spin_lock_irqsave(&zone->lock, flags);
	while (pfn < end) {
		page = pfn_to_online_page(pfn);
		if (!page || page_zone(page) != zone || !PageBuddy(page)) {
			pfn++;
			continue;
		}
		order = buddy_order(page);
		if (WARN_ON_ONCE(order >= NR_PAGE_ORDERS))
			break;
		fn(page, order);
		n += 1UL << order;
		pfn += 1UL << order;
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	return n;
}

/**
 * ppr_walk_free_pages - call @fn on every block that is free now
 * @fn: called with the block's first page and its order, under the zone's
 *      lock with interrupts off: it must not sleep nor allocate
 *
 * Per-CPU lists are drained to the free lists first. The walk goes by PFN,
 * one MAX_ORDER_NR_PAGES-aligned range per hold of zone->lock: a free
 * block is aligned to its order, so the head of every block free in the
 * range is seen, and interrupts are off for at most MAX_ORDER_NR_PAGES
 * struct pages however long the free lists are. A block freed or taken
 * after its range was walked is not seen: the caller's own hooks must
 * already be catching frees and allocations. May sleep.
 *
 * Return: the pages in the blocks @fn was called on.
 */
unsigned long ppr_walk_free_pages(void (*fn)(struct page *page, unsigned int order))
{
	unsigned long pfn, end, n = 0;
	struct zone *zone;

	might_sleep();
	drain_all_pages(NULL);
	for_each_populated_zone(zone) {
		end = zone_end_pfn(zone);
		for (pfn = ALIGN_DOWN(zone->zone_start_pfn, MAX_ORDER_NR_PAGES);
		     pfn < end; pfn += MAX_ORDER_NR_PAGES) {
			n += ppr_walk_free_range(zone, max(pfn, zone->zone_start_pfn),
						 min(pfn + MAX_ORDER_NR_PAGES, end), fn);
			cond_resched();
		}
	}
	return n;
}
