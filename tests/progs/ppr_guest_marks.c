// SPDX-License-Identifier: GPL-2.0
/*
 * In an L2 guest with the PPR driver bound: every page the guest holds is
 * unmarked, and the pages it frees are marked within a second.
 *
 * usage: ppr_guest_marks HOLD_MIB FREE_MIB [HOLD_SECS]
 *
 * 1. maps and writes HOLD_MIB, reads its PFNs from /proc/self/pagemap and
 *    checks that none of them is marked in the area (BAR 2 of the device
 *    the driver bound, mapped read-only through sysfs);
 * 2. maps and writes FREE_MIB, records its PFNs, frees it, and checks the
 *    freed PFNs are marked; waits for /sys/kernel/mm/ppr_guest/marked_now
 *    (per-CPU counts, published periodically) to rise by FREE_MIB and prints
 *    how long that took (up to 10 s: a slow machine takes longer, the marks
 *    themselves are set in the free path);
 * 3. prints "PPR-CHECK held=P,P,.. freed=P,P,.." (64 of each) and keeps the
 *    held memory for HOLD_SECS, so that L1 can check the same bits in the
 *    shared file.
 * Exit 0 when every check passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "area.h"

#define SYS "/sys/kernel/mm/ppr_guest/"

static uint64_t read_u64(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	close(fd);
	return strtoull(buf, NULL, 0);
}

static void read_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, len, f)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Map and write @bytes, return their PFNs (pagemap needs CAP_SYS_ADMIN). */
static uint64_t *touch(size_t bytes, char **mem)
{
	size_t i, n = bytes / 4096;
	uint64_t *pfns = calloc(n, sizeof(*pfns));
	int fd = open("/proc/self/pagemap", O_RDONLY);
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || fd < 0 || !pfns) {
		perror("touch");
		exit(1);
	}
	for (i = 0; i < n; i++)
		p[i * 4096] = (char)(i | 1);
	for (i = 0; i < n; i++) {
		uint64_t e;

		if (pread(fd, &e, 8, ((uintptr_t)p / 4096 + i) * 8) != 8) {
			perror("pagemap");
			exit(1);
		}
		if (!(e >> 63) || !(e & ((1ULL << 55) - 1))) {
			fprintf(stderr, "page %zu not present or PFN hidden\n", i);
			exit(1);
		}
		pfns[i] = e & ((1ULL << 55) - 1);
	}
	close(fd);
	*mem = p;
	return pfns;
}

int main(int argc, char **argv)
{
	size_t hold, freeb, nh, nf, i, bad = 0, marked = 0;
	uint64_t *hpfn, *fpfn, before, after = 0, want;
	int hold_secs = argc > 3 ? atoi(argv[3]) : 0;
	char dev[64], path[128];
	char *hmem, *fmem;
	struct area a;
	double t0, t;

	if (argc < 3) {
		fprintf(stderr, "usage: %s HOLD_MIB FREE_MIB [HOLD_SECS]\n", argv[0]);
		return 2;
	}
	hold = strtoull(argv[1], NULL, 0) << 20;
	freeb = strtoull(argv[2], NULL, 0) << 20;
	nh = hold / 4096;
	nf = freeb / 4096;

	read_str(SYS "area/device", dev, sizeof(dev));
	if (!strcmp(dev, "none")) {
		fprintf(stderr, "no PPR area bound (%sarea/device is none)\n", SYS);
		return 1;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource2", dev);
	if (area_open(&a, path))
		return 1;
	if (!(a.hdr->state & PPR_STATE_ACTIVE)) {
		fprintf(stderr, "area not active (state %#llx)\n",
			(unsigned long long)a.hdr->state);
		return 1;
	}
	printf("area %s: %llu PFNs, epoch %llu, %llu marked\n", dev,
	       (unsigned long long)a.nr_pfns,
	       (unsigned long long)PPR_STATE_EPOCH(a.hdr->state),
	       (unsigned long long)area_weight(&a));

	hpfn = touch(hold, &hmem);
	for (i = 0; i < nh; i++)
		if (area_marked(&a, hpfn[i]) != 0)
			bad++;
	printf("held: %zu pages, %zu of them marked (want 0)\n", nh, bad);

	fpfn = touch(freeb, &fmem);
	before = read_u64(SYS "marked_now");
	want = before + nf;
	t0 = now();
	munmap(fmem, freeb);
	do {
		after = read_u64(SYS "marked_now");
		t = now() - t0;
		if (after >= want)
			break;
		usleep(10000);
	} while (t < 10.0);
	printf("freed: %zu pages; marked_now %llu -> %llu (+%lld, want +%zu) after %.3f s\n",
	       nf, (unsigned long long)before, (unsigned long long)after,
	       (long long)(after - before), nf, t);
	for (i = 0; i < nf; i++)
		marked += area_marked(&a, fpfn[i]) == 1;
	printf("freed pages marked in the area: %zu of %zu\n", marked, nf);

	printf("PPR-CHECK held=");
	for (i = 0; i < 64 && i < nh; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)hpfn[i * (nh / 64)]);
	printf(" freed=");
	for (i = 0; i < 64 && i < nf; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)fpfn[i * (nf / 64)]);
	printf("\n");
	fflush(stdout);
	if (hold_secs)
		sleep(hold_secs);

	if (bad || after < want || marked < nf - nf / 100) {
		printf("FAIL: %zu held pages marked, marked_now short by %lld, %zu freed pages unmarked\n",
		       bad, (long long)(want - after), nf - marked);
		return 1;
	}
	hmem[0] = 1;
	return 0;
}
