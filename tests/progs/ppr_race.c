// SPDX-License-Identifier: GPL-2.0
/*
 * The recycle race, from the guest: free a page (MADV_DONTNEED: the guest
 * kernel frees it and marks it), touch it again at once (a fresh guest page:
 * allocated, unmarked, written), and check the write stays, while the host
 * recycles the same few chunks as fast as it can. A write lost to the host
 * shows as a page that reads zero, or another value, afterwards.
 *
 * usage: ppr_race ROUNDS POOL_PAGES [BATCH [DEPTH [SECONDS]]]
 * A round frees BATCH consecutive pages of the pool (default 32) with one
 * madvise() and writes again, one by one, the batch freed DEPTH rounds
 * earlier (default 8): pages stay free a little while, so that the host
 * finds some still marked and some being unmarked as it claims. ROUNDS
 * counts pages. Every 4096 pages and at the end the pool is checked. With
 * SECONDS, no batch is freed after that many seconds: ROUNDS is then at
 * most what runs, and the time does not depend on the machine's speed.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

int main(int argc, char **argv)
{
	unsigned long rounds, pool, batch = 32, depth = 8, i, j, k, bad = 0, checks = 0;
	unsigned long secs = 0, done = 0;
	unsigned long *ring, r = 0, seed = 0;
	uint64_t *expect;
	char *inflight;
	char *mem;
	struct timespec t0, t1;

	if (argc < 3) {
		fprintf(stderr, "usage: %s ROUNDS POOL_PAGES [BATCH [DEPTH [SECONDS]]]\n", argv[0]);
		return 2;
	}
	rounds = strtoul(argv[1], NULL, 0);
	pool = strtoul(argv[2], NULL, 0);
	if (argc > 3)
		batch = strtoul(argv[3], NULL, 0);
	if (argc > 4)
		depth = strtoul(argv[4], NULL, 0);
	if (argc > 5)
		secs = strtoul(argv[5], NULL, 0);
	if (!batch || !depth || batch * (depth + 1) > pool) {
		fprintf(stderr, "want BATCH * (DEPTH + 1) <= POOL_PAGES\n");
		return 2;
	}
	ring = calloc(depth, sizeof(*ring));
	inflight = calloc(pool, 1);
	mem = mmap(NULL, pool * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect = calloc(pool, sizeof(*expect));
	if (mem == MAP_FAILED || !expect || !ring || !inflight) {
		perror("setup");
		return 1;
	}
	madvise(mem, pool * 4096, MADV_NOHUGEPAGE);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* The pool is cut in slots of BATCH pages; DEPTH of them are free. */
	for (j = 0; j < depth; j++)
		ring[j] = ULONG_MAX;
	for (i = 1; i <= rounds + depth * batch; i += batch, r++) {
		volatile uint64_t *p;
		unsigned long slots = pool / batch, first, old = ring[r % depth];

		/* Write again the batch freed DEPTH rounds ago. */
		if (old != ULONG_MAX) {
			for (j = 0; j < batch; j++) {
				unsigned long v = i + j;

				k = old + j;
				p = (volatile uint64_t *)(mem + k * 4096);
				p[0] = v;
				p[511] = ~v;
				expect[k] = v;
				inflight[k] = 0;
			}
			for (j = 0; j < batch; j++) {
				k = old + j;
				p = (volatile uint64_t *)(mem + k * 4096);
				if ((p[0] != expect[k] || p[511] != ~expect[k]) && bad++ < 5)
					printf("LOST page %lu: %#llx %#llx want %#llx\n", k,
					       (unsigned long long)p[0], (unsigned long long)p[511],
					       (unsigned long long)expect[k]);
			}
		}
		ring[r % depth] = ULONG_MAX;
		if (secs && i <= rounds) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9 >= secs)
				rounds = i - 1;		/* time is up: drain */
		}
		if (i > rounds)
			continue;	/* draining the ring */
		done += batch;
		/* Free a batch that is not in flight: the guest marks it. */
		do
			first = ((seed++ * 2654435761UL) % slots) * batch;
		while (inflight[first]);
		madvise(mem + first * 4096, batch * 4096, MADV_DONTNEED);
		memset(inflight + first, 1, batch);
		ring[r % depth] = first;
		if ((i / batch) % (4096 / batch) == 0) {
			for (k = 0; k < pool; k++) {
				p = (volatile uint64_t *)(mem + k * 4096);
				checks++;
				if (!inflight[k] && expect[k] &&
				    (p[0] != expect[k] || p[511] != ~expect[k]) && bad++ < 5)
					printf("LOST page %lu: %#llx want %#llx\n", k,
					       (unsigned long long)p[0],
					       (unsigned long long)expect[k]);
			}
		}
		if ((i / batch) % (100000 / batch) == 0) {
			printf("race: %lu pages rewritten, %lu lost\n", i, bad);
			fflush(stdout);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("race: %lu pages rewritten in batches of %lu over %lu pages in %.1f s, %lu pool checks, %lu lost writes\n",
	       done, batch, pool, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       checks, bad);
	return bad ? 1 : 0;
}
