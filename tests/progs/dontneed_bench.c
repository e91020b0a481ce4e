// SPDX-License-Identifier: GPL-2.0
/*
 * Baseline for the recycle benchmark: the cost of MADV_DONTNEED on the same
 * number of 4 KiB pages, in the same run. Prints ns per page.
 *
 * usage: dontneed_bench MIB
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

int main(int argc, char **argv)
{
	size_t bytes = (argc > 1 ? strtoull(argv[1], NULL, 0) : 256) << 20, i;
	double best = 1e30;
	int round;

	for (round = 0; round < 3; round++) {
		struct timespec t0, t1;
		char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		double ns;

		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		madvise(p, bytes, MADV_NOHUGEPAGE);
		for (i = 0; i < bytes; i += 4096)
			p[i] = 1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		madvise(p, bytes, MADV_DONTNEED);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
		if (ns < best)
			best = ns;
		munmap(p, bytes);
	}
	printf("dontneed: %zu pages, %.0f ns per page (best of 3)\n", bytes / 4096,
	       best / (bytes / 4096));
	return 0;
}
