// SPDX-License-Identifier: GPL-2.0
/*
 * Pinned guest pages (FOLL_PIN: an io_uring fixed buffer here, VFIO on a
 * real host) are not taken, are not worth a split, and are taken once the
 * pin is gone, without the guest freeing anything again. A VMM with no
 * vCPU (fakevm.h), 4 MiB of RAM: chunk 0 (GFNs 0-511) in 4 KiB pages,
 * chunk 1 (GFNs 512-1023) one transparent huge page. Every page marked.
 *  - 4 KiB: one pinned page stays (skipped_pinned_pages), the other 511
 *    are recycled; unpinned, it is recycled within a few periods
 *    (retried_chunks), though its summary bit was consumed;
 *  - THP: one pinned page keeps the whole THP mapped by its PMD, not split
 *    (thp_splits 0, AnonHugePages unchanged); unpinned, the THP is split
 *    and all 512 pages recycled.
 * Run with THP "always" or "madvise" in L1. One PPR-TAP line per check.
 */
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fakevm.h"

#define T(ok, name, ...) tap_check(ok, "pin", name, __VA_ARGS__)

/* Pin one page with a registered io_uring buffer; returns the ring fd. */
static int pin(void *page)
{
	struct io_uring_params p = {};
	struct iovec iov = { .iov_base = page, .iov_len = 4096 };
	int fd = syscall(__NR_io_uring_setup, 1, &p);

	if (fd < 0)
		die("io_uring_setup");
	if (syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS, &iov, 1))
		die("IORING_REGISTER_BUFFERS");
	return fd;
}

static void unpin(int fd)
{
	if (syscall(__NR_io_uring_register, fd, IORING_UNREGISTER_BUFFERS, NULL, 0))
		die("IORING_UNREGISTER_BUFFERS");
	close(fd);
}

static long stat_of(const struct fakevm *f, const char *file)
{
	return fakevm_read(f, file, NULL, 0);
}

/* Wait until vms/<id>/FILE reaches @want; at most @passes passes. */
static long wait_for(const struct fakevm *f, const char *file, long want, int passes)
{
	int i;

	for (i = 0; i < passes && stat_of(f, file) < want; i++)
		fakevm_wait_passes(f, 1);
	return stat_of(f, file);
}

int main(void)
{
	unsigned long intact, zero, other;
	struct fakevm f;
	long thp0, thp1, rec;
	char *small, *huge;
	int ring;

	fakevm_create(&f, "pin", 1024);
	small = (char *)f.ram;
	huge = small + (2UL << 20);
	madvise(small, 2UL << 20, MADV_NOHUGEPAGE);
	madvise(huge, 2UL << 20, MADV_HUGEPAGE);
	fakevm_fill(&f);
	thp0 = fakevm_smaps_kib(huge, "AnonHugePages");
	if (thp0 != 2048) {
		fprintf(stderr, "ppr_pin: chunk 1 is not one THP (AnonHugePages %ld kB): is THP on?\n", thp0);
		return 1;
	}
	fakevm_attach(&f);
	fakevm_layout(&f);
	fakevm_announce(&f, 1);

	/* 4 KiB pages: page 5 pinned. */
	ring = pin(small + 5 * 4096);
	fakevm_mark(&f, 0, 512);
	rec = wait_for(&f, "recycled_pages", 511, 100);
	fakevm_wait_passes(&f, 3);
	rec = stat_of(&f, "recycled_pages");
	fakevm_count(&f, 5, 1, &intact, &zero, &other);
	T(rec == 511 && intact == 1 && stat_of(&f, "skipped_pinned_pages") >= 1,
	  "pinned-page-kept", "recycled %ld of 512, pinned page %s, skipped_pinned_pages %ld",
	  rec, intact ? "intact" : "lost", stat_of(&f, "skipped_pinned_pages"));
	unpin(ring);
	rec = wait_for(&f, "recycled_pages", 512, 5);
	fakevm_count(&f, 0, 512, &intact, &zero, &other);
	T(rec == 512 && zero == 512 && stat_of(&f, "retried_chunks") >= 1,
	  "unpinned-page-recycled", "recycled %ld of 512 within 5 passes, %lu pages zeroed, retried_chunks %ld",
	  rec, zero, stat_of(&f, "retried_chunks"));

	/* The THP: one of its pages pinned. */
	ring = pin(huge + 7 * 4096);
	fakevm_mark(&f, 512, 512);
	fakevm_wait_passes(&f, 5);
	rec = stat_of(&f, "recycled_pages") - 512;
	thp1 = fakevm_smaps_kib(huge, "AnonHugePages");
	fakevm_count(&f, 512, 512, &intact, &zero, &other);
	T(!rec && !stat_of(&f, "thp_splits") && thp1 == 2048 && intact == 512,
	  "pinned-thp-not-split", "recycled %ld, thp_splits %ld, AnonHugePages %ld kB, %lu of 512 intact",
	  rec, stat_of(&f, "thp_splits"), thp1, intact);
	unpin(ring);
	rec = wait_for(&f, "recycled_pages", 1024, 5) - 512;
	fakevm_count(&f, 512, 512, &intact, &zero, &other);
	T(rec == 512 && zero == 512 && stat_of(&f, "thp_splits") == 1 && fakevm_smaps_kib(huge, "AnonHugePages") == 0,
	  "unpinned-thp-split-and-recycled",
	  "recycled %ld of 512, %lu zeroed, thp_splits %ld, AnonHugePages %ld kB",
	  rec, zero, stat_of(&f, "thp_splits"), fakevm_smaps_kib(huge, "AnonHugePages"));

	unlink(f.path);
	return tap_failed;
}
