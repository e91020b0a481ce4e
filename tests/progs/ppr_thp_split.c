// SPDX-License-Identifier: GPL-2.0
/*
 * Partly free host THPs are split and their free pages taken once at least
 * thp_split_min_free of their 512 pages are marked, and left whole below
 * that. A VMM with no vCPU (fakevm.h), 32 MiB of RAM in 16 transparent
 * huge pages, a guest that frees scattered 4 KiB pages:
 *  - threshold 512: THPs 0-3 with every other page marked stay whole,
 *    nothing taken, their marks counted as skipped_thp_partial_pages;
 *  - threshold 256, the same marks flagged again: the four THPs are split
 *    (thp_splits 4), the 1,024 marked pages read zero, the 1,024 others
 *    keep their data, and the mapping's RSS falls by what was taken;
 *  - threshold 256, THPs 4-7 with 255 pages marked each: left whole;
 *  - the guest refills THP 0: khugepaged (max_ptes_none 255) makes it
 *    huge again, and leaves THPs 1-3, half free, in small pages; the VM's
 *    thp_collapses counts THP 0 and only it;
 *  - THPs 8-15, never marked: still whole, data intact.
 * Run with THP "always" or "madvise" in L1. One PPR-TAP line per check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fakevm.h"

#define T(ok, name, ...) tap_check(ok, "thp-split", name, __VA_ARGS__)
#define THPS		16
#define PAGES		(THPS * 512UL)
#define SETTING		"/sys/kernel/mm/ppr_pageone/thp_split_min_free"

static struct fakevm f;

static void set_min_free(int pages)
{
	FILE *s = fopen(SETTING, "w");

	if (!s || fprintf(s, "%d\n", pages) < 0 || fclose(s))
		die(SETTING);
}

static long stat_of(const char *file)
{
	return fakevm_read(&f, file, NULL, 0);
}

/* Mark @n pages of each THP from @first to @first + @nthp: every other one. */
static void mark_scattered(unsigned long first, unsigned long nthp, unsigned long n)
{
	unsigned long t, i;

	for (t = first; t < first + nthp; t++)
		for (i = 0; i < n; i++)
			fakevm_mark(&f, t * 512 + 2 * i, 1);
}

/* Pages of THPs [@first, @first + @n) in each state, every other page. */
static void count_scattered(unsigned long first, unsigned long n, unsigned long *odd_intact,
			    unsigned long *even_zero)
{
	unsigned long t, i, intact, zero, other;

	*odd_intact = *even_zero = 0;
	for (t = first; t < first + n; t++)
		for (i = 0; i < 512; i += 2) {
			fakevm_count(&f, t * 512 + i, 1, &intact, &zero, &other);
			*even_zero += zero;
			fakevm_count(&f, t * 512 + i + 1, 1, &intact, &zero, &other);
			*odd_intact += intact;
		}
}

int main(void)
{
	unsigned long intact, zero, other, odd, even, i;
	long thp0, rss0, rss1, rec, passes, p0, skipped0;

	fakevm_create(&f, "thp", PAGES);
	madvise(f.ram, PAGES * 4096, MADV_HUGEPAGE);
	fakevm_fill(&f);
	thp0 = fakevm_smaps_kib(f.ram, "AnonHugePages");
	if (thp0 != (long)PAGES * 4) {
		fprintf(stderr, "ppr_thp_split: RAM is not all THPs (AnonHugePages %ld kB of %lu): is THP on?\n",
			thp0, PAGES * 4);
		return 1;
	}
	fakevm_attach(&f);
	fakevm_layout(&f);
	fakevm_announce(&f, 1);

	/* Half of THPs 0-3 free, below a threshold of 512: left whole. */
	set_min_free(512);
	mark_scattered(0, 4, 256);
	fakevm_wait_passes(&f, 4);
	rec = stat_of("recycled_pages");
	skipped0 = stat_of("skipped_thp_partial_pages");
	fakevm_count(&f, 0, 4 * 512, &intact, &zero, &other);
	T(!rec && skipped0 >= 1024 && !stat_of("thp_splits") &&
	  fakevm_smaps_kib(f.ram, "AnonHugePages") == thp0 && intact == 4 * 512,
	  "partly-free-kept-at-512",
	  "recycled %ld, skipped_thp_partial_pages %ld, thp_splits %ld, AnonHugePages %ld kB of %ld, %lu of 2048 intact",
	  rec, skipped0, stat_of("thp_splits"), fakevm_smaps_kib(f.ram, "AnonHugePages"), thp0, intact);

	/* The same marks at 256: split, the marked half taken. */
	set_min_free(256);
	rss0 = fakevm_smaps_kib(f.ram, "Rss");
	p0 = stat_of("passes");
	mark_scattered(0, 4, 256);
	for (passes = 0; passes < 10 && stat_of("recycled_pages") < 1024; passes++)
		fakevm_wait_passes(&f, 1);
	passes = stat_of("passes") - p0;
	rec = stat_of("recycled_pages");
	rss1 = fakevm_smaps_kib(f.ram, "Rss");
	count_scattered(0, 4, &odd, &even);
	T(rec == 1024 && stat_of("thp_splits") == 4 && !stat_of("thp_collapses") &&
	  even == 1024 && odd == 1024,
	  "partly-free-split-at-256",
	  "recycled %ld of 1024 in %ld passes, thp_splits %ld, %lu of 1024 marked pages zero, %lu of 1024 others intact",
	  rec, passes, stat_of("thp_splits"), even, odd);
	T(rss0 - rss1 >= 1024 * 4 * 95 / 100, "rss-returned",
	  "the mapping's Rss fell by %ld KiB, %ld%% of the 4096 KiB marked (%ld -> %ld KiB)",
	  rss0 - rss1, (rss0 - rss1) * 100 / 4096, rss0, rss1);
	T(fakevm_smaps_kib(f.ram, "AnonHugePages") == thp0 - 4 * 2048, "others-stay-huge",
	  "AnonHugePages %ld kB, want %ld", fakevm_smaps_kib(f.ram, "AnonHugePages"),
	  thp0 - 4 * 2048);

	/* One short of the threshold: left whole. */
	skipped0 = stat_of("skipped_thp_partial_pages");
	mark_scattered(4, 4, 255);
	fakevm_wait_passes(&f, 4);
	fakevm_count(&f, 4 * 512, 4 * 512, &intact, &zero, &other);
	T(stat_of("recycled_pages") == 1024 && stat_of("thp_splits") == 4 &&
	  stat_of("skipped_thp_partial_pages") - skipped0 >= 4 * 255 && intact == 4 * 512,
	  "below-threshold-kept",
	  "recycled %ld (want 1024), thp_splits %ld (want 4), skipped_thp_partial_pages +%ld, %lu of 2048 intact",
	  stat_of("recycled_pages"), stat_of("thp_splits"),
	  stat_of("skipped_thp_partial_pages") - skipped0, intact);

	/*
	 * The guest fills THP 0 again; THPs 1-3 stay half free. khugepaged
	 * (max_ptes_none 255, scanning every 10 ms) makes THP 0 huge again
	 * and leaves the others in small pages.
	 */
	fakevm_unmark(&f, 0, 512);
	for (i = 0; i < 512; i += 2)
		memset(f.ram + i * 512, 0x5a, 4096);
	for (i = 0; i < 300 && fakevm_smaps_kib(f.ram, "AnonHugePages") < thp0 - 3 * 2048; i++)
		usleep(100000);
	count_scattered(1, 3, &odd, &even);
	T(fakevm_smaps_kib(f.ram, "AnonHugePages") == thp0 - 3 * 2048 && odd == 768 && even == 768,
	  "refilled-range-huge-again",
	  "AnonHugePages %ld kB after %lu ms, want %ld: THP 0 refilled, THPs 1-3 half free; THPs 1-3 hold %lu of 768 kept pages, %lu of 768 freed ones zero",
	  fakevm_smaps_kib(f.ram, "AnonHugePages"), i * 100, thp0 - 3 * 2048, odd, even);
	/* The next pass counts THP 0 as collapsed again, and only it. */
	fakevm_wait_passes(&f, 2);
	T(stat_of("thp_collapses") == 1, "collapse-counted",
	  "thp_collapses %ld after THP 0 was made huge again, want 1 (THPs 1-3 still split)",
	  stat_of("thp_collapses"));

	fakevm_count(&f, 8 * 512, 8 * 512, &intact, &zero, &other);
	T(intact == 8 * 512, "unmarked-intact", "%lu of 4096 intact, %lu zero, %lu neither",
	  intact, zero, other);

	unlink(f.path);
	return tap_failed;
}
