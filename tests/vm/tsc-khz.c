// SPDX-License-Identifier: GPL-2.0
/*
 * Print this machine's TSC frequency in kHz, measured against
 * CLOCK_MONOTONIC_RAW (median of five 200 ms windows).
 *
 * tests/vm/run passes it to L1 as tsc_early_khz=: under TCG, L1's TSC is the
 * host's, and L1's own early calibration against the emulated PIT drifts by
 * hundreds of ppm on a busy host. KVM in L1 keeps that early figure as the
 * rate it offers guests; once L1 refines its TSC, QEMU's L2 asks for a rate
 * more than KVM's 250 ppm tolerance below the real one, which KVM without
 * TSC scaling refuses ("user requested TSC rate below hardware speed"), and
 * those L2 guests stall for tens of seconds at a time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <x86intrin.h>

static uint64_t ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	uint64_t khz[5];
	int i;

	for (i = 0; i < 5; i++) {
		uint64_t t0 = ns(), c0 = __rdtsc(), t1, c1;
		struct timespec d = { 0, 200000000 };

		nanosleep(&d, NULL);
		t1 = ns();
		c1 = __rdtsc();
		khz[i] = (c1 - c0) * 1000000ULL / (t1 - t0);
	}
	qsort(khz, 5, sizeof(khz[0]), cmp);
	printf("%llu\n", (unsigned long long)khz[2]);
	return 0;
}
