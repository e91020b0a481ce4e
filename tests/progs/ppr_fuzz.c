// SPDX-License-Identifier: GPL-2.0
/*
 * The mark area as a hostile guest would write it. Two VMMs with no vCPU
 * (fakevm.h): the target, whose area this program rewrites at random while
 * the host recycles every 10 ms, and a witness, an ordinary VM whose pages
 * are all marked but whose area the fuzzer never touches.
 *
 * Each round writes one of: a header field (magic, version, sizes,
 * offsets, nr_pfns, state, nonce echo) set to a random or a boundary
 * value; a valid layout of a random size announced with the host's nonce
 * or with a wrong one; random words of the mark and summary bitmaps; or a
 * burst of torn writes (state and layout changing under the host's
 * reads).
 *
 * Asserted: the witness's pages are recycled and only its own (its RAM
 * reads as its pattern or zero, and the zeroed pages are the recycled
 * ones); the target's RAM, which nothing writes after the start, reads
 * page by page as its pattern or as zeroes, and some of it was taken (the
 * layout rounds mark real pages under a valid layout): the host only ever
 * takes whole pages, whatever the area says; the host keeps passing over
 * both VMs. The kernel log must stay clean
 * (the caller checks). Reports the rounds of each kind.
 *
 * usage: ppr_fuzz SECONDS [SEED]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fakevm.h"

#define T(ok, name, ...) tap_check(ok, "fuzz", name, __VA_ARGS__)
#define PAGES	2048UL

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Random, or one of the values that break naive checks. */
static uint64_t nasty(void)
{
	static const uint64_t edge[] = {
		0, 1, 7, 8, 63, 64, 4095, 4096, 4097, (1ULL << 20) - 8, 1ULL << 20,
		(1ULL << 20) + 8, 0x7fffffff, 0x80000000, 0xffffffff, 1ULL << 32,
		1ULL << 40, (1ULL << 40) + 1, 1ULL << 63, ~0ULL, ~0ULL - 4095,
	};

	return rnd() % 3 ? edge[rnd() % (sizeof(edge) / sizeof(edge[0]))] : rnd();
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

enum { R_FIELD, R_LAYOUT, R_BITS, R_TORN, R_IOCTL, R_SYSFS, R_NR };

static void fuzz_field(struct ppr_area_header *h)
{
	uint64_t v = nasty();

	switch (rnd() % 11) {
	case 0: h->magic = rnd() % 2 ? PPR_AREA_MAGIC : v; break;
	case 1: h->version = rnd() % 2 ? PPR_AREA_VERSION : v; break;
	case 2: h->header_size = v; break;
	case 3: h->page_shift = v; break;
	case 4: h->summary_shift = v; break;
	case 5: h->mark_offset = v; break;
	case 6: h->mark_size = v; break;
	case 7: h->summary_offset = v; break;
	case 8: h->summary_size = v; break;
	case 9: h->nr_pfns = v; break;
	default: __atomic_store_n(&h->state, v, __ATOMIC_RELEASE); break;
	}
}

/* A valid layout for a random number of PFNs, announced right or wrong. */
static void fuzz_layout(struct fakevm *f, uint64_t *epoch)
{
	struct ppr_area_header *h = f->h;
	uint64_t pfns = 1 + rnd() % (rnd() % 2 ? PAGES * 2 : 8000000);

	f->pages = PAGES;
	fakevm_layout(f);
	h->nr_pfns = pfns;
	h->mark_size = (pfns + 63) / 64 * 8;
	h->summary_offset = h->mark_offset + h->mark_size;
	h->summary_size = ((pfns + 511) / 512 + 63) / 64 * 8;
	h->area_size = h->summary_offset + h->summary_size;
	*epoch += 1 + rnd() % 3;
	if (rnd() % 4) {
		unsigned long lim = pfns < PAGES ? pfns : PAGES;
		unsigned long first = rnd() % lim, n = 1 + rnd() % 256;

		fakevm_announce(f, *epoch);
		/* Free pages the host may take, under this layout. */
		fakevm_mark(f, first, first + n <= lim ? n : lim - first);
	} else {
		h->nonce_echo = rnd();
		__atomic_store_n(&h->state, (*epoch << 1) | 1, __ATOMIC_RELEASE);
	}
}

/* Random words of the bitmaps, wherever the header says they are. */
static void fuzz_bits(struct fakevm *f)
{
	uint64_t *w = (uint64_t *)f->h;
	int i, n = 1 + rnd() % 64;

	for (i = 0; i < n; i++) {
		size_t at = 4096 / 8 + rnd() % ((FAKEVM_AREA_BYTES - 4096) / 8);

		w[at] = rnd() % 2 ? ~0ULL : rnd();
	}
}

/* State and layout changing as fast as we can write them. */
static void fuzz_torn(struct ppr_area_header *h)
{
	int i;

	for (i = 0; i < 20000; i++) {
		__atomic_store_n(&h->state, rnd() % 2 ? h->state ^ 1 : nasty(), __ATOMIC_RELAXED);
		h->mark_size = rnd() % 2 ? h->mark_size ^ 8 : nasty();
		h->nr_pfns = rnd() % 2 ? PAGES : nasty();
	}
}

/* Random attach and detach requests: refused, and nothing else changes. */
static int fuzz_ioctl(const struct fakevm *t, const struct fakevm *w)
{
	const int fds[] = { t->vm, w->vm, t->area, w->area, t->dev, -1, 0, 1000 };
	struct ppr_attach a;
	struct ppr_detach d;
	unsigned int i;

	if (rnd() % 2) {
		for (i = 0; i < sizeof(a); i++)
			((unsigned char *)&a)[i] = rnd();
		if (rnd() % 4)
			a.size = sizeof(a);
		a.kvm_fd = fds[rnd() % 8];
		a.area_fd = fds[rnd() % 8];
		if (!ioctl(t->dev, PPR_IOC_ATTACH, &a)) {
			printf("# attach of random request succeeded: vm %u\n", a.vm_id);
			return -1;
		}
	} else {
		d.size = rnd() % 4 ? sizeof(d) : rnd();
		do
			d.vm_id = rnd() % 4 ? rnd() % 64 : rnd();
		while (d.vm_id == (unsigned int)t->id || d.vm_id == (unsigned int)w->id);
		if (!ioctl(t->dev, PPR_IOC_DETACH, &d)) {
			printf("# detach of vm %u succeeded: no such VM\n", d.vm_id);
			return -1;
		}
	}
	return 0;
}

/*
 * A tunable set to a random string, then put back: a bad value is refused
 * with EINVAL or ERANGE and changes nothing.
 */
static int fuzz_sysfs(void)
{
	static const char * const files[] = {
		"reclaim_period_ms", "work_threads", "run", "merge_period_ms", "merge_vm_ram",
	};
	static const char * const junk[] = {
		"", "-1", "0", "1", "9", "abc", "0x10", "99999999999999999999", " 5", "5 ",
		"4294967296", "3600001", "65", "\n", "1e3",
	};
	char path[128], old[64] = "", now[64] = "", val[32];
	const char *v = junk[rnd() % (sizeof(junk) / sizeof(junk[0]))];
	int fd, n, err = 0;

	snprintf(path, sizeof(path), "/sys/kernel/mm/ppr_pageone/%s", files[rnd() % 5]);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return 0;
	n = pread(fd, old, sizeof(old) - 1, 0);
	old[n > 0 ? n : 0] = 0;
	if (rnd() % 3 == 0) {
		snprintf(val, sizeof(val), "%llu", (unsigned long long)nasty());
		v = val;
	}
	if (pwrite(fd, v, strlen(v), 0) < 0 && errno != EINVAL && errno != ERANGE) {
		printf("# %s <- '%s': %s\n", path, v, strerror(errno));
		err = -1;
	}
	if (pwrite(fd, old, strlen(old), 0) < 0) {
		printf("# %s: cannot put back '%s': %s\n", path, old, strerror(errno));
		err = -1;
	}
	n = pread(fd, now, sizeof(now) - 1, 0);
	now[n > 0 ? n : 0] = 0;
	if (strcmp(now, old)) {
		printf("# %s: '%s' after putting back '%s'\n", path, now, old);
		err = -1;
	}
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	unsigned long intact, zero, other, rounds[R_NR] = {}, total = 0;
	double secs = argc > 1 ? atof(argv[1]) : 10, end;
	struct fakevm t, w;
	uint64_t epoch = 1;
	long wrec, p0, passes;
	int r, bad_ctl = 0;

	rng = argc > 2 ? strtoull(argv[2], NULL, 0) : (uint64_t)time(NULL);
	rng |= 1;
	printf("# ppr_fuzz: %.0f s, seed %#llx\n", secs, (unsigned long long)rng);
	fakevm_create(&t, "fuzz-target", PAGES);
	fakevm_create(&w, "fuzz-witness", PAGES);
	madvise(t.ram, PAGES * 4096, MADV_NOHUGEPAGE);
	madvise(w.ram, PAGES * 4096, MADV_NOHUGEPAGE);
	fakevm_fill(&t);
	fakevm_fill(&w);
	fakevm_attach(&t);
	fakevm_attach(&w);
	fakevm_layout(&t);
	fakevm_announce(&t, epoch);
	fakevm_layout(&w);
	fakevm_announce(&w, 1);
	fakevm_mark(&w, 0, PAGES);
	p0 = fakevm_read(&w, "passes", NULL, 0);

	for (end = now() + secs; now() < end; total++) {
		r = rnd() % R_NR;
		rounds[r]++;
		switch (r) {
		case R_FIELD:
			fuzz_field(t.h);
			break;
		case R_LAYOUT:
			fuzz_layout(&t, &epoch);
			break;
		case R_BITS:
			fuzz_bits(&t);
			break;
		case R_TORN:
			fuzz_torn(t.h);
			break;
		case R_IOCTL:
			bad_ctl += !!fuzz_ioctl(&t, &w);
			break;
		default:
			bad_ctl += !!fuzz_sysfs();
			break;
		}
		usleep(rnd() % 20000);
	}
	fakevm_wait_passes(&w, 3);
	passes = fakevm_read(&w, "passes", NULL, 0) - p0;
	printf("# %lu rounds: %lu field, %lu layout, %lu bitmaps, %lu torn, %lu ioctl, %lu sysfs; %ld passes\n",
	       total, rounds[R_FIELD], rounds[R_LAYOUT], rounds[R_BITS], rounds[R_TORN],
	       rounds[R_IOCTL], rounds[R_SYSFS], passes);
	T(!bad_ctl, "control-input-refused", "%d of %lu ioctl and sysfs rounds misbehaved",
	  bad_ctl, rounds[R_IOCTL] + rounds[R_SYSFS]);

	fakevm_count(&t, 0, PAGES, &intact, &zero, &other);
	T(!other && fakevm_read(&t, "recycled_pages", NULL, 0) > 0, "target-pages-whole",
	  "%lu intact, %lu zero, %lu neither, of %lu; %ld recycled",
	  intact, zero, other, PAGES, fakevm_read(&t, "recycled_pages", NULL, 0));
	/* The witness's count and pages, once no retry moves them. */
	for (r = 0; r < 20; r++) {
		wrec = fakevm_read(&w, "recycled_pages", NULL, 0);
		fakevm_count(&w, 0, PAGES, &intact, &zero, &other);
		if (wrec == fakevm_read(&w, "recycled_pages", NULL, 0))
			break;
		fakevm_wait_passes(&w, 3);
	}
	T(!other && (long)zero == wrec && wrec > 0, "witness-recycled-alone",
	  "recycled %ld, %lu zero, %lu intact, %lu neither", wrec, zero, intact, other);
	T(passes > 0, "host-keeps-passing", "%ld passes over the witness", passes);

	unlink(t.path);
	unlink(w.path);
	return tap_failed;
}
