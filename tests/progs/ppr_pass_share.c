// SPDX-License-Identifier: GPL-2.0
/*
 * A PageONE pass does not hold back recycling. One VMM with no vCPU
 * (fakevm.h) whose RAM, MIB MiB of unique content, is MADV_MERGEABLE: a
 * pass over it takes a while, on the one work thread the module runs with.
 * While that pass is in flight (pageone/passes ahead of passes_done), the
 * VM marks 512 pages free again and again and waits for them to be
 * recycled. Asserted: at least one such round completes while the pass is
 * still in flight, and every marked page reads zero after its round.
 * Reported: the rounds completed in the pass, and the pass's length.
 *
 * usage: ppr_pass_share MIB
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fakevm.h"

#define T(ok, name, ...) tap_check(ok, "pass-share", name, __VA_ARGS__)
#define PO "/sys/kernel/mm/ppr_pageone/pageone/"

static long po_read(const char *file)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), PO "%s", file);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%ld", &v) != 1)
		die(path);
	fclose(f);
	return v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The pass begun as passes reached @pass is still running. */
static int in_pass(long pass)
{
	return po_read("passes_done") < pass;
}

/* Wait up to @secs for no pass in flight; dies with @what if one still is. */
static void wait_idle(double secs, const char *what)
{
	double end = now() + secs;

	while (po_read("passes") != po_read("passes_done")) {
		if (now() > end) {
			fprintf(stderr, "ppr_pass_share: %s: a PageONE pass still in flight after %.0f s (passes %ld, passes_done %ld)\n",
				what, secs, po_read("passes"), po_read("passes_done"));
			exit(1);
		}
		usleep(10000);
	}
}

int main(int argc, char **argv)
{
	unsigned long pages, first, intact, zero, other, bad = 0;
	long mib = argc == 2 ? atol(argv[1]) : 0, pass, r0;
	int rounds = 0, timeouts = 0, i;
	double ts = now(), t0, t1, tf, tw;
	struct fakevm v;
	FILE *f;

	if (mib < 64 || mib % 2) {
		fprintf(stderr, "usage: ppr_pass_share MIB (even, 64 or more)\n");
		return 2;
	}
	pages = mib * 256;
	fakevm_create(&v, "pass-share", pages);
	madvise(v.ram, pages * 4096, MADV_NOHUGEPAGE);
	fakevm_fill(&v);		/* each page its own content */
	if (madvise(v.ram, pages * 4096, MADV_MERGEABLE))
		die("madvise(MADV_MERGEABLE)");
	fakevm_attach(&v);
	fakevm_layout(&v);
	fakevm_announce(&v, 1);
	tf = now();

	/* A pass now: a new merge period starts with one. */
	wait_idle(120, "before the pass");
	tw = now();
	pass = po_read("passes") + 1;
	f = fopen("/sys/kernel/mm/ppr_pageone/merge_period_ms", "w");
	if (!f || fprintf(f, "3600000\n") < 0 || fclose(f))
		die("merge_period_ms");
	for (i = 0; i < 3000 && po_read("passes") < pass; i++)
		usleep(10000);
	t0 = now();
	if (po_read("passes") < pass)
		die("no PageONE pass began in 30 s");

	/* Rounds of 512 pages, each in its own chunk, while the pass runs. */
	for (first = 512; in_pass(pass) && first + 512 <= pages; first += 512) {
		r0 = fakevm_read(&v, "recycled_pages", NULL, 0);
		fakevm_mark(&v, first, 512);
		for (i = 0; i < 2000 && fakevm_read(&v, "recycled_pages", NULL, 0) < r0 + 512; i++)
			usleep(5000);	/* 10 s at most */
		if (fakevm_read(&v, "recycled_pages", NULL, 0) < r0 + 512) {
			timeouts++;
			continue;
		}
		fakevm_count(&v, first, 512, &intact, &zero, &other);
		bad += 512 - zero;
		if (in_pass(pass))
			rounds++;
	}
	wait_idle(120, "the pass under test");
	t1 = now();
	printf("# %.1f s to fill %ld MiB and attach, %.1f s for the pass in flight to end, %.1f s from the merge_period write to the pass, %.1f s pass\n",
	       tf - ts, mib, tw - tf, t0 - tw, t1 - t0);

	T(rounds >= 1, "recycles-during-a-pass",
	  "%d rounds of 512 pages recycled while a %.1f s PageONE pass over %ld MiB ran on the one work thread (%d rounds took over 10 s)",
	  rounds, t1 - t0, mib, timeouts);
	T(!bad, "recycled-pages-read-zero", "%lu pages of the completed rounds not zero", bad);
	return tap_failed;
}
