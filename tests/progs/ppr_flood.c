// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile guest is bounded to itself. Two VMMs with no vCPU (fakevm.h):
 *  - the flooder's area claims 8,000,000 PFNs (15,625 chunks) over 8 MiB
 *    of RAM, and a thread of ours sets every mark and summary bit again
 *    and again while the test runs;
 *  - the victim, an ordinary VM, marks 512 pages now and then.
 * Asserted, with the module loaded with max_chunks_per_pass=256: the
 * flooder never has more than 256 chunks queued or running (sampled; the
 * daemon stops at the cap and counts capped_passes), the holes of its
 * area cost a count (no_memslot_pages grows), and the victim's pages are
 * still recycled, each time. Reported, not asserted (timing): how many
 * passes the victim needed alone and under the flood.
 * One PPR-TAP line per check.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fakevm.h"

#define T(ok, name, ...) tap_check(ok, "flood", name, __VA_ARGS__)
#define FLOOD_PFNS	8000000UL
#define CAP		256

static volatile int stop;

/* The hostile guest: everything free, everywhere, all the time. */
static void *flood(void *arg)
{
	struct fakevm *f = arg;
	char *mark = (char *)f->h + f->h->mark_offset;
	char *summary = (char *)f->h + f->h->summary_offset;

	while (!stop) {
		memset(mark, 0xff, f->h->mark_size);
		memset(summary, 0xff, f->h->summary_size);
		usleep(5000);
	}
	return NULL;
}

/* Passes the victim needs to recycle a freshly marked chunk. */
static long victim_latency(struct fakevm *v, unsigned long first)
{
	long p0 = fakevm_read(v, "passes", NULL, 0);
	long r0 = fakevm_read(v, "recycled_pages", NULL, 0);
	int i;

	fakevm_fill(v);
	fakevm_mark(v, first, 512);
	/*
	 * Pages just written sit in this CPU's LRU batch for a while; the
	 * daemon drains the batches before it retries them.
	 */
	for (i = 0; i < 4000 && fakevm_read(v, "recycled_pages", NULL, 0) < r0 + 512; i++)
		usleep(5000);	/* 20 s at most */
	if (fakevm_read(v, "recycled_pages", NULL, 0) < r0 + 512) {
		printf("# victim: %ld of 512 recycled in 20 s; skipped_pinned_pages %ld, retried_chunks %ld\n",
		       fakevm_read(v, "recycled_pages", NULL, 0) - r0,
		       fakevm_read(v, "skipped_pinned_pages", NULL, 0),
		       fakevm_read(v, "retried_chunks", NULL, 0));
		return -1;
	}
	return fakevm_read(v, "passes", NULL, 0) - p0;
}

int main(void)
{
	long nomem0, capped, worst = 0, lat, q, qmax = 0;
	long fp0, fs0, ft0, vp0, vt0, fpasses, fslices;
	double fms, vms;
	struct fakevm fl, v;
	struct ppr_area_header *h;
	pthread_t th;
	int i;

	fakevm_create(&fl, "flooder", 2048);
	madvise(fl.ram, 2048 * 4096, MADV_NOHUGEPAGE);
	fakevm_fill(&fl);
	fakevm_create(&v, "victim", 2048);
	madvise(v.ram, 2048 * 4096, MADV_NOHUGEPAGE);
	fakevm_attach(&fl);
	fakevm_attach(&v);

	/* The flooder's layout: far more PFNs than RAM, within its area. */
	h = fl.h;
	fakevm_layout(&fl);
	h->nr_pfns = FLOOD_PFNS;
	h->mark_size = (FLOOD_PFNS + 63) / 64 * 8;
	h->summary_offset = h->mark_offset + h->mark_size;
	h->summary_size = ((FLOOD_PFNS + 511) / 512 + 63) / 64 * 8;
	h->area_size = h->summary_offset + h->summary_size;
	fakevm_announce(&fl, 1);
	fakevm_layout(&v);
	fakevm_announce(&v, 1);

	lat = victim_latency(&v, 0);
	printf("# victim alone: 512 pages recycled in %ld passes\n", lat);
	nomem0 = fakevm_read(&fl, "no_memslot_pages", NULL, 0);
	fp0 = fakevm_read(&fl, "passes", NULL, 0);
	fs0 = fakevm_read(&fl, "slices", NULL, 0);
	ft0 = fakevm_read(&fl, "worker_time_ns", NULL, 0);
	vp0 = fakevm_read(&v, "passes", NULL, 0);
	vt0 = fakevm_read(&v, "worker_time_ns", NULL, 0);
	if (pthread_create(&th, NULL, flood, &fl))
		die("pthread_create");
	for (i = 0; i < 100; i++) {
		q = fakevm_read(&fl, "queued_chunks", NULL, 0);
		qmax = q > qmax ? q : qmax;
		usleep(10000);
	}
	for (i = 0; i < 4; i++) {
		lat = victim_latency(&v, 512 * (i % 3));	/* not the last chunk: its pages may sit in an LRU batch */
		printf("# victim under the flood: 512 pages recycled in %ld passes\n", lat);
		if (lat < 0 || lat > worst)
			worst = lat < 0 ? -1 : lat;
		if (worst < 0)
			break;
	}
	capped = fakevm_read(&fl, "capped_passes", NULL, 0);
	stop = 1;
	pthread_join(th, NULL);
	/*
	 * The work a pass gives the flooder is bounded by the cap: slices
	 * per pass. The time its slices took is a figure, not a check.
	 */
	fpasses = fakevm_read(&fl, "passes", NULL, 0) - fp0;
	fslices = fakevm_read(&fl, "slices", NULL, 0) - fs0;
	fms = (fakevm_read(&fl, "worker_time_ns", NULL, 0) - ft0) / 1e6 / (fpasses ?: 1);
	vms = (fakevm_read(&v, "worker_time_ns", NULL, 0) - vt0) / 1e6 /
	      (fakevm_read(&v, "passes", NULL, 0) - vp0 ?: 1);

	T(qmax <= CAP && capped > 0 && fpasses > 0 && fslices <= (fpasses + 1) * CAP,
	  "flooder-capped",
	  "at most %ld chunks queued (cap %d) in 100 samples, capped_passes %ld; %ld slices in %ld passes; worker time per pass %.2f ms for the flooder, %.2f ms for the victim",
	  qmax, CAP, capped, fslices, fpasses, fms, vms);
	T(fakevm_read(&fl, "no_memslot_pages", NULL, 0) > nomem0, "holes-counted",
	  "no_memslot_pages %ld -> %ld", nomem0, fakevm_read(&fl, "no_memslot_pages", NULL, 0));
	T(worst >= 0, "victim-recycles-under-flood",
	  "4 times 512 pages recycled, %ld passes at worst", worst);

	unlink(fl.path);
	unlink(v.path);
	return tap_failed;
}
