// SPDX-License-Identifier: GPL-2.0
/*
 * How long a CPU goes without running a real-time task that wants it:
 * pinned to CPU, at SCHED_FIFO priority 50, sleep 1 ms at a time for SECS
 * seconds and print the largest overshoot of a wake-up, in microseconds.
 * Kernel code that runs long with preemption off on that CPU shows as a
 * large overshoot.
 *
 * usage: latency_probe CPU SECS
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

int main(int argc, char **argv)
{
	struct sched_param sp = { .sched_priority = 50 };
	struct timespec next, now;
	long long end, late, worst = 0;
	cpu_set_t set;
	int cpu;

	if (argc != 3) {
		fprintf(stderr, "usage: latency_probe CPU SECS\n");
		return 2;
	}
	cpu = atoi(argv[1]);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) ||
	    sched_setscheduler(0, SCHED_FIFO, &sp)) {
		perror("latency_probe: pinning or SCHED_FIFO");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	end = ns(&next) + atoll(argv[2]) * 1000000000LL;
	while (ns(&next) < end) {
		next.tv_nsec += 1000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		late = ns(&now) - ns(&next);
		if (late > worst)
			worst = late;
	}
	printf("%lld\n", worst / 1000);
	return 0;
}
