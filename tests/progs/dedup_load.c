// SPDX-License-Identifier: GPL-2.0
/*
 * A deduplication workload for the PageONE benchmarks: MIB MiB of
 * MADV_MERGEABLE memory, DUP percent of its pages holding one of 16
 * contents, the rest unique. Prints "ready" once written, then sleeps
 * until killed.
 *
 * usage: dedup_load MIB DUP
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long psz = sysconf(_SC_PAGESIZE), mib, dup, n, i, j;
	uint64_t x;
	char *p;

	if (argc != 3) {
		fprintf(stderr, "usage: dedup_load MIB DUP\n");
		return 2;
	}
	mib = atol(argv[1]);
	dup = atol(argv[2]);
	if (mib <= 0 || dup < 0 || dup > 100) {
		fprintf(stderr, "dedup_load: MIB must be > 0 and DUP 0..100\n");
		return 2;
	}
	n = mib * 1024 * 1024 / psz;
	p = mmap(NULL, n * psz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	x = 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	for (i = 0; i < n; i++) {
		if (i % 100 < dup) {
			memset(p + i * psz, 1 + i % 16, psz);
			continue;
		}
		for (j = 0; j < psz; j += 8) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(p + i * psz + j, &x, 8);
		}
	}
	if (madvise(p, n * psz, MADV_MERGEABLE)) {
		perror("madvise(MADV_MERGEABLE)");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
