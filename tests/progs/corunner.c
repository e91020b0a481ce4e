// SPDX-License-Identifier: GPL-2.0
/*
 * A latency-sensitive co-runner: an ordinary task (SCHED_OTHER, nice 0,
 * any CPU) that serves one request per millisecond for SECS seconds. A
 * request is due on the millisecond; it is served by reading and
 * writing 64 KiB of its own memory. Its response time runs from when it
 * was due to when it was served, so a CPU taken by other work shows as a
 * late wake-up or a slow request, and the requests that queue behind it. Prints the 50th and 99th percentiles
 * and the maximum, in microseconds: "p50 P p99 P max M requests N".
 *
 * usage: corunner SECS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WORK_BYTES (64 * 1024)

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static unsigned char buf[WORK_BYTES];
	struct timespec next, now;
	long long end, *resp;
	long secs, n = 0, max, i;
	unsigned int sum = 0;

	if (argc != 2 || (secs = atol(argv[1])) <= 0 || secs > 3600) {
		fprintf(stderr, "usage: corunner SECS (1..3600)\n");
		return 2;
	}
	max = secs * 1000;
	resp = calloc(max, sizeof(*resp));
	if (!resp) {
		perror("corunner: calloc");
		return 1;
	}
	memset(buf, 1, sizeof(buf));
	clock_gettime(CLOCK_MONOTONIC, &next);
	end = ns(&next) + secs * 1000000000LL;
	while (n < max && ns(&next) < end) {
		next.tv_nsec += 1000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		for (i = 0; i < WORK_BYTES; i += 64) {
			sum += buf[i];
			buf[i] = (unsigned char)sum;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		/* Requests that fell due meanwhile queue: none is dropped. */
		resp[n++] = ns(&now) - ns(&next);
	}
	if (!n) {
		fprintf(stderr, "corunner: no request served\n");
		return 1;
	}
	qsort(resp, n, sizeof(*resp), cmp);
	printf("p50 %lld p99 %lld max %lld requests %ld\n", resp[n / 2] / 1000,
	       resp[n * 99 / 100] / 1000, resp[n - 1] / 1000, n);
	return sum == 0xdeadbeef;
}
