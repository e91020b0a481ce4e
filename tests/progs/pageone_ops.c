// SPDX-License-Identifier: GPL-2.0
/*
 * Merged pages through the operations that must stay correct on them:
 * fork then write, munmap, exit, MADV_DONTNEED, mremap,
 * compaction, migration (soft-offline), swap-out and swap-in. Each case
 * maps NPAGES pages holding NCONTENTS different contents, asks for
 * merging, waits until every page is merged (/proc/self/ksm_merging_pages),
 * does the operation, then checks every byte and the counters after two
 * more full scans.
 *
 * usage: pageone_ops CASE [PREFIX]    (CASE: fork-write munmap exit
 *        dontneed mremap compaction migration swap hold)
 * Prints "PPR-TAP ok|not ok - PREFIX/CASE" and details; exit 0 if ok,
 * 1 if not, 4 if the case cannot run here (skip, with the reason).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define NPAGES		512
#define NCONTENTS	8
#define MERGE_TIMEOUT_S	120

static long psz;
static const char *prefix = "pageone-ops";
static const char *cname;
static int failed;

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("%s: ", cname);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	failed = 1;
}

static long read_long(const char *path)
{
	char buf[64];
	long v = -1;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		v = strtol(buf, NULL, 10);
	close(fd);
	return v;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

static long merging(void)
{
	return read_long("/proc/self/ksm_merging_pages");
}

static long global(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/mm/ksm/%s", name);
	return read_long(path);
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait for @n more full scans; 0 on time, -1 after MERGE_TIMEOUT_S. */
static int wait_scans(int n)
{
	long start = global("full_scans");
	int i;

	for (i = 0; i < MERGE_TIMEOUT_S * 20; i++) {
		if (global("full_scans") >= start + n)
			return 0;
		msleep(50);
	}
	fail("full_scans did not advance by %d in %d s", n, MERGE_TIMEOUT_S);
	return -1;
}

/* Wait until this process has @want merged pages. */
static int wait_merging(long want)
{
	int i;

	for (i = 0; i < MERGE_TIMEOUT_S * 20; i++) {
		if (merging() == want)
			return 0;
		msleep(50);
	}
	fail("ksm_merging_pages is %ld, not %ld, after %d s", merging(), want,
	     MERGE_TIMEOUT_S);
	return -1;
}

static unsigned char content(long i)
{
	return 1 + i % NCONTENTS;
}

static char *map_filled(void)
{
	char *p = mmap(NULL, NPAGES * psz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long i;

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (i = 0; i < NPAGES; i++)
		memset(p + i * psz, content(i), psz);
	if (madvise(p, NPAGES * psz, MADV_MERGEABLE)) {
		perror("madvise(MADV_MERGEABLE)");
		exit(1);
	}
	return p;
}

/* Every byte of pages [from, to) is content(i), or @v if v >= 0. */
static long check(const char *p, long from, long to, int v)
{
	long i, j, bad = 0;

	for (i = from; i < to; i++) {
		unsigned char want = v >= 0 ? v : content(i);

		for (j = 0; j < psz; j++)
			if ((unsigned char)p[i * psz + j] != want) {
				bad++;
				break;
			}
	}
	return bad;
}

static void expect_pages(const char *what, const char *p, long from, long to, int v)
{
	long bad = check(p, from, to, v);

	if (bad)
		fail("%s: %ld of %ld pages have wrong bytes", what, bad, to - from);
}

/* Map, fill, merge every page; the region, or exit on failure. */
static char *merged_region(void)
{
	char *p = map_filled();

	if (wait_merging(NPAGES)) {
		printf("PPR-TAP not ok - %s/%s # pages never merged\n", prefix, cname);
		exit(1);
	}
	printf("%s: %d pages merged into %ld KSM pages (global pages_shared)\n",
	       cname, NPAGES, global("pages_shared"));
	return p;
}

static void case_fork_write(void)
{
	char *p = merged_region();
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		long i;

		for (i = 0; i < NPAGES; i += 2)
			memset(p + i * psz, 0xaa, psz);
		for (i = 0; i < NPAGES; i++)
			if (check(p, i, i + 1, i % 2 ? -1 : 0xaa))
				_exit(1);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail("the child's writes or its view of the other pages were wrong");
	expect_pages("parent after the child wrote", p, 0, NPAGES, -1);
	if (wait_scans(2) == 0 && merging() != NPAGES)
		fail("parent has %ld merged pages after the child, not %d", merging(), NPAGES);
	for (long i = 1; i < NPAGES; i += 2)
		p[i * psz] ^= 0xff;	/* and the parent writes too */
	for (long i = 1; i < NPAGES; i += 2)
		p[i * psz] ^= 0xff;
	expect_pages("parent after its own writes", p, 0, NPAGES, -1);
}

static void case_munmap(void)
{
	char *p = merged_region();

	if (munmap(p + NPAGES / 2 * psz, NPAGES / 2 * psz))
		fail("munmap: %s", strerror(errno));
	expect_pages("first half after munmap", p, 0, NPAGES / 2, -1);
	if (wait_scans(2) == 0)
		wait_merging(NPAGES / 2);
}

/* Counts on no other merged pages in the system (the test L1 has none). */
static void case_exit(void)
{
	long shared0 = 0, sharing0 = 0;
	int fds[2], st, i;
	pid_t pid;
	char c;

	/* The pages of the cases before are freed by a pass after they exit. */
	for (i = 0; i < MERGE_TIMEOUT_S * 20; i++) {
		if (!global("pages_shared") && !global("pages_sharing"))
			break;
		msleep(50);
	}
	if (global("pages_shared") || global("pages_sharing")) {
		fail("other merged pages remain: pages_shared %ld sharing %ld",
		     global("pages_shared"), global("pages_sharing"));
		return;
	}

	if (pipe(fds))
		exit(1);
	pid = fork();
	if (pid == 0) {
		char *p = map_filled();

		if (wait_merging(NPAGES))
			_exit(1);
		if (write(fds[1], "m", 1) != 1)
			_exit(1);
		_exit(check(p, 0, NPAGES, -1) ? 1 : 0);
	}
	if (read(fds[0], &c, 1) != 1)
		fail("the child never had its pages merged");
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail("the child saw wrong bytes");
	/*
	 * The next pass frees the exited mm's items; then nothing is left to
	 * scan and full_scans stops, as with ksmd: wait for the counters.
	 */
	for (i = 0; i < MERGE_TIMEOUT_S * 20; i++) {
		if (global("pages_shared") == shared0 && global("pages_sharing") == sharing0)
			return;
		msleep(50);
	}
	fail("after exit pages_shared %ld sharing %ld, before %ld %ld",
	     global("pages_shared"), global("pages_sharing"), shared0, sharing0);
}

static void case_dontneed(void)
{
	char *p = merged_region();

	if (madvise(p + NPAGES / 2 * psz, NPAGES / 2 * psz, MADV_DONTNEED))
		fail("madvise(MADV_DONTNEED): %s", strerror(errno));
	expect_pages("kept half", p, 0, NPAGES / 2, -1);
	expect_pages("discarded half (zeros)", p, NPAGES / 2, NPAGES, 0);
	if (wait_scans(2) == 0)
		wait_merging(NPAGES / 2);
}

static void case_mremap(void)
{
	char *p = merged_region(), *q;

	q = mmap(NULL, NPAGES * psz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED)
		exit(1);
	q = mremap(p, NPAGES * psz, NPAGES * psz, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	if (q == MAP_FAILED) {
		fail("mremap: %s", strerror(errno));
		return;
	}
	expect_pages("moved region", q, 0, NPAGES, -1);
	/* The items at the old addresses go, the new ones merge again. */
	if (wait_scans(2) == 0)
		wait_merging(NPAGES);
	expect_pages("moved region after the scans", q, 0, NPAGES, -1);
}

static uint64_t pfn_of(int fd, const char *addr)
{
	uint64_t e = 0;

	if (pread(fd, &e, 8, (uintptr_t)addr / psz * 8) != 8)
		return 0;
	return e & ((1ULL << 55) - 1);
}

static void case_compaction(void)
{
	char *p = merged_region();
	uint64_t before[NCONTENTS];
	long i, moved = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	for (i = 0; i < NCONTENTS; i++)
		before[i] = fd >= 0 ? pfn_of(fd, p + i * psz) : 0;
	if (write_str("/proc/sys/vm/compact_memory", "1"))
		fail("cannot write /proc/sys/vm/compact_memory");
	expect_pages("after compaction", p, 0, NPAGES, -1);
	for (i = 0; i < NCONTENTS; i++)
		moved += fd >= 0 && pfn_of(fd, p + i * psz) != before[i];
	printf("%s: %ld of the %d KSM pages moved\n", cname, moved, NCONTENTS);
	if (wait_scans(2) == 0 && merging() != NPAGES)
		fail("%ld merged pages after compaction, not %d", merging(), NPAGES);
	/* Every mapping of a content still reads the same page. */
	for (i = NCONTENTS; fd >= 0 && i < NPAGES; i++)
		if (pfn_of(fd, p + i * psz) != pfn_of(fd, p + (i % NCONTENTS) * psz)) {
			fail("page %ld is not mapped from its content's KSM page", i);
			break;
		}
}

/*
 * Soft-offline migrates a page to a new frame and retires the old one: a
 * migration of each KSM page that does not depend on fragmentation.
 */
static void case_migration(void)
{
	char *p = merged_region();
	uint64_t before[NCONTENTS];
	long i, moved = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0) {
		fail("cannot open /proc/self/pagemap");
		return;
	}
	for (i = 0; i < NCONTENTS; i++)
		before[i] = pfn_of(fd, p + i * psz);
	/*
	 * Migration fails with EBUSY while someone else holds a reference:
	 * its refcount is not the one its mappings account for. A PageONE
	 * batch holds a reference on each of its 64 pages from the page-table
	 * walk to the end of its merge round, and with 64 mappings of each
	 * KSM page here every batch of this mm holds all 8 of them; ksmd
	 * holds one page at a time, for a shorter while. Compaction and
	 * offlining retry such a page later; so does this case, for up to
	 * 10 s (passes back to back on a slow machine leave short windows;
	 * 23-pageone-ops runs this case at a 1 s merge period).
	 */
	for (i = 0; i < NCONTENTS; i++) {
		int try, err = 0;

		for (try = 0; try < 200; try++) {
			err = madvise(p + i * psz, psz, MADV_SOFT_OFFLINE) ? errno : 0;
			if (err != EBUSY)
				break;
			msleep(50);
		}
		if (try)
			printf("%s: page %ld: %d tries\n", cname, i, try + 1);
		if (err)
			fail("madvise(MADV_SOFT_OFFLINE) of page %ld: %s", i, strerror(err));
	}
	for (i = 0; i < NCONTENTS; i++)
		moved += pfn_of(fd, p + i * psz) != before[i];
	printf("%s: %ld of the %d KSM pages migrated\n", cname, moved, NCONTENTS);
	if (moved != NCONTENTS)
		fail("only %ld of %d KSM pages moved", moved, NCONTENTS);
	expect_pages("after migration", p, 0, NPAGES, -1);
	for (i = NCONTENTS; i < NPAGES; i++)
		if (pfn_of(fd, p + i * psz) != pfn_of(fd, p + (i % NCONTENTS) * psz)) {
			fail("page %ld is not mapped from its content's new KSM page", i);
			break;
		}
	if (wait_scans(2) == 0 && merging() != NPAGES)
		fail("%ld merged pages after migration, not %d", merging(), NPAGES);
	for (i = 0; i < NPAGES; i += 2)
		p[i * psz] = content(i);	/* COW from the new frames */
	expect_pages("after writes", p, 0, NPAGES, -1);
}

static long meminfo_kb(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtol(line + strlen(key), NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/*
 * MADV_PAGEOUT leaves alone a page mapped more than once, so first every
 * page but one of each content is written (COW), with merging paused: the
 * 8 KSM pages are then mapped once each, and go to swap through KSM's
 * rmap walk.
 */
static int case_swap(void)
{
	long total = meminfo_kb("SwapTotal:"), free0, free1, i;
	char *p;

	if (total <= 0) {
		printf("PPR-TAP ok - %s/%s # SKIP no swap configured\n", prefix, cname);
		return 4;
	}
	p = merged_region();
	/* Paused, or the next passes merge the copies again at once. */
	if (write_str("/sys/kernel/mm/ksm/run", "0"))
		fail("cannot pause merging (write 0 to /sys/kernel/mm/ksm/run)");
	for (i = NCONTENTS; i < NPAGES; i++)
		p[i * psz] = content(i);	/* same bytes, own copy */
	/*
	 * Reclaim passes over a page someone holds a reference on (a scan's
	 * batch) or that is off the LRU for a moment: try again a few times.
	 */
	free0 = meminfo_kb("SwapFree:");
	for (i = 0; i < 20; i++) {
		if (madvise(p, NCONTENTS * psz, MADV_PAGEOUT))
			fail("madvise(MADV_PAGEOUT): %s", strerror(errno));
		free1 = meminfo_kb("SwapFree:");
		if (free0 - free1 >= NCONTENTS * psz / 1024)
			break;
		msleep(100);
	}
	printf("%s: MADV_PAGEOUT %ld time(s)\n", cname, i + 1 > 20 ? 20 : i + 1);
	printf("%s: %ld KiB of KSM pages swapped out\n", cname, free0 - free1);
	if (free0 - free1 < NCONTENTS * psz / 1024)
		fail("only %ld KiB swapped out, not the %ld KiB of the KSM pages",
		     free0 - free1, NCONTENTS * psz / 1024);
	expect_pages("after swap-in", p, 0, NPAGES, -1);
	if (write_str("/sys/kernel/mm/ksm/run", "1"))
		fail("cannot resume merging");
	/* The copies and the swapped-in pages merge again. */
	if (wait_scans(2) == 0)
		wait_merging(NPAGES);
	expect_pages("after merging again", p, 0, NPAGES, -1);
	return 0;
}

/*
 * Merge, say so, wait for a line on stdin (the test unloads ppr_pageone
 * meanwhile), then check the bytes, write every page and check again.
 */
static void case_hold(void)
{
	char *p = merged_region(), line[16];
	long i;

	printf("%s: held\n", cname);
	if (!fgets(line, sizeof(line), stdin))
		fail("no go-ahead on stdin");
	expect_pages("after the go-ahead", p, 0, NPAGES, -1);
	for (i = 0; i < NPAGES; i++)
		memset(p + i * psz, 0x55, psz);
	expect_pages("after writing every page", p, 0, NPAGES, 0x55);
}

int main(int argc, char **argv)
{
	int rc = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	psz = sysconf(_SC_PAGESIZE);
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: pageone_ops CASE [PREFIX]\n");
		return 2;
	}
	cname = argv[1];
	if (argc == 3)
		prefix = argv[2];
	if (!strcmp(cname, "fork-write"))
		case_fork_write();
	else if (!strcmp(cname, "munmap"))
		case_munmap();
	else if (!strcmp(cname, "exit"))
		case_exit();
	else if (!strcmp(cname, "dontneed"))
		case_dontneed();
	else if (!strcmp(cname, "mremap"))
		case_mremap();
	else if (!strcmp(cname, "compaction"))
		case_compaction();
	else if (!strcmp(cname, "migration"))
		case_migration();
	else if (!strcmp(cname, "hold"))
		case_hold();
	else if (!strcmp(cname, "swap"))
		rc = case_swap();
	else {
		fprintf(stderr, "pageone_ops: no case '%s'\n", cname);
		return 2;
	}
	if (rc == 4)
		return 4;
	printf("PPR-TAP %s - %s/%s\n", failed ? "not ok" : "ok", prefix, cname);
	return failed;
}
