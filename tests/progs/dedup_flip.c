// SPDX-License-Identifier: GPL-2.0
/*
 * Pages that change under a merge: MIB MiB of MADV_MERGEABLE memory whose
 * pages all hold one content, rewritten as a whole to the next of two
 * contents at random intervals of 0 to 20 ms, for SECS seconds. Pages
 * hashed with one content are often compared and merged with the other,
 * the race a content-hash scanner must survive. Prints how many times it
 * rewrote the memory.
 *
 * usage: dedup_flip MIB SECS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long psz = sysconf(_SC_PAGESIZE), mib, secs, n, i, flips = 0;
	time_t end;
	char *p;

	if (argc != 3) {
		fprintf(stderr, "usage: dedup_flip MIB SECS\n");
		return 2;
	}
	mib = atol(argv[1]);
	secs = atol(argv[2]);
	if (mib <= 0 || secs <= 0) {
		fprintf(stderr, "dedup_flip: MIB and SECS must be > 0\n");
		return 2;
	}
	n = mib * 1024 * 1024 / psz;
	p = mmap(NULL, n * psz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(p, 'a', n * psz);
	if (madvise(p, n * psz, MADV_MERGEABLE)) {
		perror("madvise(MADV_MERGEABLE)");
		return 1;
	}
	srand(getpid());
	end = time(NULL) + secs;
	while (time(NULL) < end) {
		char c = flips & 1 ? 'a' : 'b';

		for (i = 0; i < n; i++)
			memset(p + i * psz, c, psz);
		flips++;
		usleep(rand() % 20000);
	}
	printf("%ld rewrites of %ld pages\n", flips, n);
	return 0;
}
