// SPDX-License-Identifier: GPL-2.0
/*
 * Guest workload for the host's THP policy: write MIB of memory, give
 * every other 4 KiB page back to the kernel (scattered frees, as a guest
 * that frees half of a large buffer page by page), hold the rest for
 * HOLD_S seconds, then check every byte of what it kept; then free the
 * rest too and idle HOLD_S seconds more.
 *
 * usage: scatter_free MIB HOLD_S
 * Prints "scatter: written", "scatter: freed N pages", "scatter:
 * verified" and "scatter: all freed"; exits 1 on a mismatch.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE	4096UL

static uint64_t pattern(unsigned long page, unsigned long word)
{
	uint64_t x = page * 0x9e3779b97f4a7c15ULL ^ word;

	x ^= x >> 29;
	return x * 0xbf58476d1ce4e5b9ULL + 1;
}

int main(int argc, char **argv)
{
	unsigned long mib, pages, p, w, bad = 0, freed = 0;
	uint64_t *buf;
	int hold;

	if (argc != 3 || (mib = strtoul(argv[1], NULL, 0)) == 0 || (hold = atoi(argv[2])) < 0) {
		fprintf(stderr, "usage: scatter_free MIB HOLD_S\n");
		return 2;
	}
	pages = mib * 256;
	buf = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("scatter_free: mmap");
		return 1;
	}
	for (p = 0; p < pages; p++)
		for (w = 0; w < PAGE / 8; w++)
			buf[p * PAGE / 8 + w] = pattern(p, w);
	printf("scatter: written %lu MiB\n", mib);
	fflush(stdout);
	for (p = 1; p < pages; p += 2) {
		if (munmap((char *)buf + p * PAGE, PAGE)) {
			perror("scatter_free: munmap");
			return 1;
		}
		freed++;
	}
	printf("scatter: freed %lu pages\n", freed);
	fflush(stdout);
	sleep(hold);
	for (p = 0; p < pages; p += 2)
		for (w = 0; w < PAGE / 8; w++)
			bad += buf[p * PAGE / 8 + w] != pattern(p, w);
	if (bad) {
		printf("scatter: %lu words changed\n", bad);
		return 1;
	}
	printf("scatter: verified\n");
	fflush(stdout);
	/* Then the rest: whole 2 MiB blocks free, for the host to compare. */
	munmap(buf, pages * PAGE);
	printf("scatter: all freed\n");
	fflush(stdout);
	sleep(hold);
	return 0;
}
