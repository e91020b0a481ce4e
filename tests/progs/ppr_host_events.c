// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM's memory changing under the recycler, on a VMM with no vCPU
 * (fakevm.h), with a 20 ms period:
 *  - fork: a child that shares the guest RAM copy-on-write keeps its copy
 *    whole while the parent's marked pages are recycled;
 *  - swap (when a swap device is on): marked pages the host swapped out
 *    have their swap slots freed and read zero; unmarked swapped pages read
 *    back whole;
 *  - all at once for a few seconds: the guest frees and reuses scattered
 *    pages while threads collapse its RAM into THPs (MADV_COLLAPSE, and
 *    khugepaged if the caller speeded it up), swap it out (MADV_PAGEOUT),
 *    change work_threads, and fork children that read it: a page the guest
 *    reuses reads whole or zero, a page it never freed reads whole, and
 *    afterwards every marked page is taken.
 * One PPR-TAP line per check.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fakevm.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define T(ok, name, ...) tap_check(ok, "events", name, __VA_ARGS__)
#define PAGES		2048
#define WORK_THREADS	"/sys/kernel/mm/ppr_pageone/work_threads"

static struct fakevm f;
static int stop;		/* set once, read by the threads with __atomic_load_n */
static long collapses, pageouts, thread_writes, thread_write_errors;
static int collapse_errno;		/* the last MADV_COLLAPSE failure's */

/* Pages taken so far, in RAM or in swap. */
static long taken(void)
{
	return fakevm_read(&f, "recycled_pages", NULL, 0) +
	       fakevm_read(&f, "swap_freed_pages", NULL, 0);
}

/* Wait, by the clock (60 s at most), until taken() reaches @target. */
static void wait_taken(long target)
{
	time_t t0 = time(NULL);

	while (taken() < target && time(NULL) - t0 < 60)
		fakevm_wait_passes(&f, 1);
}

static long vm_swap_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *fp = fopen("/proc/self/status", "r");

	while (fp && fgets(line, sizeof(line), fp))
		if (sscanf(line, "VmSwap: %ld", &kib) == 1)
			break;
	if (fp)
		fclose(fp);
	return kib;
}

/* Pages of [@first, @first + @n) that are swapped out (pagemap bit 62). */
static unsigned long swapped_pages(unsigned long first, unsigned long n)
{
	uint64_t e;
	unsigned long i, nr = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		die("/proc/self/pagemap");
	for (i = first; i < first + n; i++) {
		off_t off = ((uintptr_t)(f.ram + i * 512) / 4096) * 8;

		if (pread(fd, &e, 8, off) != 8)
			die("pagemap");
		nr += (e >> 62) & 1;
	}
	close(fd);
	return nr;
}

static int swap_on(void)
{
	char line[256];
	int lines = 0;
	FILE *fp = fopen("/proc/swaps", "r");

	while (fp && fgets(line, sizeof(line), fp))
		lines++;
	if (fp)
		fclose(fp);
	return lines > 1;
}

static void *collapser(void *arg)
{
	unsigned long i;

	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < PAGES / 512; i++) {
			/* One range at a time: one failure fails a call. */
			if (!madvise(f.ram + i * 512 * 512, 2UL << 20, MADV_COLLAPSE))
				collapses++;
			else
				collapse_errno = errno;
		}
		usleep(10000);
	}
	return NULL;
}

static void *pager(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		if (!madvise(f.ram, PAGES * 4096UL, MADV_PAGEOUT))
			pageouts++;
		usleep(300000);
	}
	return NULL;
}

static void *threads_changer(void *arg)
{
	static const char *const n[] = { "1", "3", "8", "2", "5" };
	int i = 0, fd;

	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		fd = open(WORK_THREADS, O_WRONLY);
		if (fd < 0 || write(fd, n[i % 5], 1) != 1)
			thread_write_errors++;
		else
			thread_writes++;
		if (fd >= 0)
			close(fd);
		i++;
		usleep(20000);
	}
	return NULL;
}

static void set_work_threads(const char *n)
{
	int fd = open(WORK_THREADS, O_WRONLY);

	if (fd < 0 || write(fd, n, strlen(n)) < 0)
		die(WORK_THREADS);
	close(fd);
}

/* A child sharing the RAM copy-on-write, checking its copy on request. */
static void fork_case(void)
{
	unsigned long intact, zero, other, child[3];
	int go[2], res[2], status;
	long t0 = taken();
	pid_t pid;
	char c;

	if (pipe(go) || pipe(res))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		fakevm_count(&f, 0, PAGES, &child[0], &child[1], &child[2]);
		_exit(write(res[1], child, sizeof(child)) != sizeof(child));
	}
	fakevm_mark(&f, 0, PAGES);
	wait_taken(t0 + PAGES);
	fakevm_count(&f, 0, PAGES, &intact, &zero, &other);
	T(taken() - t0 == PAGES && zero == PAGES, "parent-pages-recycled",
	  "%ld of %d taken, %lu zero, %lu whole, %lu neither in the parent",
	  taken() - t0, PAGES, zero, intact, other);
	if (write(go[1], "x", 1) != 1 || read(res[0], child, sizeof(child)) != sizeof(child))
		die("child");
	waitpid(pid, &status, 0);
	T(child[0] == PAGES, "child-keeps-its-copy",
	  "the forked child reads %lu of %d pages whole, %lu zero, %lu neither",
	  child[0], PAGES, child[1], child[2]);
	close(go[0]);
	close(go[1]);
	close(res[0]);
	close(res[1]);
}

static void swap_case(void)
{
	unsigned long intact, zero, other, zero2, intact2, other2, swapped, swapped_marked;
	long kib0, kib1, kib2, t0, r0, s0;

	if (!swap_on()) {
		printf("PPR-TAP ok - events/swap # SKIP no swap device on\n");
		return;
	}
	fakevm_fill(&f);
	kib0 = vm_swap_kib();
	if (madvise(f.ram, PAGES * 4096UL, MADV_PAGEOUT))
		die("MADV_PAGEOUT");
	kib1 = vm_swap_kib();
	swapped = swapped_pages(0, PAGES);
	swapped_marked = swapped_pages(0, PAGES / 2);
	r0 = fakevm_read(&f, "recycled_pages", NULL, 0);
	s0 = fakevm_read(&f, "swap_freed_pages", NULL, 0);
	t0 = r0 + s0;
	fakevm_mark(&f, 0, PAGES / 2);
	wait_taken(t0 + PAGES / 2);
	kib2 = vm_swap_kib();
	s0 = fakevm_read(&f, "swap_freed_pages", NULL, 0) - s0;
	r0 = fakevm_read(&f, "recycled_pages", NULL, 0) - r0;
	fakevm_count(&f, 0, PAGES / 2, &intact, &zero, &other);
	T(swapped_marked >= PAGES / 4 && s0 == (long)swapped_marked &&
	  r0 + s0 == PAGES / 2 && zero == PAGES / 2 && kib2 <= kib1 - 4 * s0,
	  "marked-swap-slots-freed",
	  "%lu of %d marked pages were swapped out: swap_freed_pages %ld, recycled_pages %ld, %lu read zero, %lu whole, %lu neither; VmSwap %ld -> %ld -> %ld kB",
	  swapped_marked, PAGES / 2, s0, r0, zero, intact, other, kib0, kib1, kib2);
	fakevm_count(&f, PAGES / 2, PAGES / 2, &intact2, &zero2, &other2);
	T(intact2 == PAGES / 2, "unmarked-swapped-pages-whole",
	  "%lu of %d unmarked pages (%lu swapped out) read back whole, %lu zero, %lu neither",
	  intact2, PAGES / 2, swapped - swapped_marked, zero2, other2);
}

/* Page @p is in round @r's free set: scattered, a third of the pages. */
static int freed_in(unsigned long p, int r)
{
	return (p * 7 + r) % 3 == 0;
}

static void stress_case(int seconds)
{
	unsigned long p, i, intact, zero, other, reused_zero = 0, reused_whole = 0,
		      reused_bad = 0, kept_bad = 0;
	pthread_t th[3];
	int nth = 0, r, forks = 0, fork_bad = 0, status;
	long t0 = taken(), t1, splits0 = fakevm_read(&f, "thp_splits", NULL, 0);
	time_t end;

	fakevm_fill(&f);
	if (madvise(f.ram, PAGES * 4096UL, MADV_HUGEPAGE))
		die("MADV_HUGEPAGE");
	pthread_create(&th[nth++], NULL, collapser, NULL);
	if (swap_on())
		pthread_create(&th[nth++], NULL, pager, NULL);
	pthread_create(&th[nth++], NULL, threads_changer, NULL);
	end = time(NULL) + seconds;
	for (r = 0; time(NULL) < end; r++) {
		pid_t pid;

		for (p = 0; p < PAGES; p++)
			if (freed_in(p, r))
				fakevm_mark(&f, p, 1);
		/* A reader forked every third round: a fork write-protects all. */
		pid = -1;
		if (!(r % 3)) {
			pid = fork();
			if (pid < 0)
				die("fork");
		}
		if (!pid) {
			fakevm_count(&f, 0, 64, &intact, &zero, &other);
			_exit(other != 0);
		}
		/* 0 to 30 ms: some pages are taken, some not yet. */
		usleep(10000 * (r % 4));
		/* Reuse: unmark, then the page reads whole or zero; rewrite it. */
		for (p = 0; p < PAGES; p++) {
			if (freed_in(p, r)) {
				fakevm_unmark(&f, p, 1);
				fakevm_count(&f, p, 1, &intact, &zero, &other);
				reused_whole += intact;
				reused_zero += zero;
				reused_bad += other;
				for (i = 0; i < 512; i++)
					f.ram[p * 512 + i] = 0x5eed000000000000ULL | p << 16 | i;
			} else {
				fakevm_count(&f, p, 1, &intact, &zero, &other);
				kept_bad += !intact;
			}
		}
		if (pid > 0) {
			forks++;
			waitpid(pid, &status, 0);
			fork_bad += !WIFEXITED(status) || WEXITSTATUS(status);
		}
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	while (nth--)
		pthread_join(th[nth], NULL);
	t1 = taken();
	T(!reused_bad && !kept_bad && !fork_bad && t1 > t0 && !thread_write_errors,
	  "nothing-lost-under-collapse-swap-fork",
	  "%d rounds in %d s: reused pages %lu zero, %lu whole, %lu neither; never-freed pages not whole %lu; %ld taken; %ld ranges collapsed (last failure: %s), %ld pageouts, %ld work_threads writes (%ld failed), %d forks (%d saw bad data); thp_splits %ld",
	  r, seconds, reused_zero, reused_whole, reused_bad, kept_bad, t1 - t0,
	  collapses, collapse_errno ? strerror(collapse_errno) : "none", pageouts, thread_writes, thread_write_errors, forks, fork_bad,
	  fakevm_read(&f, "thp_splits", NULL, 0) - splits0);

	/*
	 * Quiet again: every marked page is taken. No more collapses: one of
	 * a range the pass has partly taken would leave the rest in a THP
	 * with fewer than thp_split_min_free pages marked, which the
	 * recycler leaves alone (docs/recycler.md).
	 */
	if (madvise(f.ram, PAGES * 4096UL, MADV_NOHUGEPAGE))
		die("MADV_NOHUGEPAGE");
	set_work_threads("2");
	fakevm_fill(&f);
	t0 = taken();
	fakevm_mark(&f, 0, PAGES);
	wait_taken(t0 + PAGES);
	fakevm_count(&f, 0, PAGES, &intact, &zero, &other);
	T(taken() - t0 == PAGES && zero == PAGES, "all-taken-after",
	  "%ld of %d taken within a minute, %lu zero, %lu whole, %lu neither; skipped: thp_partial %ld, locked %ld, pinned %ld, not_present %ld",
	  taken() - t0, PAGES, zero, intact, other,
	  fakevm_read(&f, "skipped_thp_partial_pages", NULL, 0),
	  fakevm_read(&f, "skipped_locked_pages", NULL, 0),
	  fakevm_read(&f, "skipped_pinned_pages", NULL, 0),
	  fakevm_read(&f, "skipped_not_present_pages", NULL, 0));
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 5;

	fakevm_create(&f, "events", PAGES);
	madvise(f.ram, PAGES * 4096UL, MADV_NOHUGEPAGE);
	fakevm_fill(&f);
	fakevm_attach(&f);
	fakevm_layout(&f);
	fakevm_announce(&f, 1);

	fork_case();
	swap_case();
	stress_case(seconds);
	unlink(f.path);
	return tap_failed;
}
