// SPDX-License-Identifier: GPL-2.0
/*
 * Guest workload of the reference shape, with verification: allocate up to
 * ALLOC_MIB, write a pattern to every page, hold, check every byte, free,
 * idle; repeat. Any mismatch is a lost or corrupted write.
 *
 * usage: ppr_churn ALLOC_MIB ROUNDS HOLD_MS IDLE_MS [SEED]
 * ROUNDS 0: churn until a line arrives on the control port /dev/ttyS1 (the
 * host's l2_tell, tests/lib/l2.sh), then finish the round and stop; a host
 * test that needs the guest busy for as long as it takes uses it.
 * SEED (default 0) changes every byte written: guests given different seeds
 * write no page in common, so deduplication cannot merge their data.
 * Prints one line per phase; exits 1 on any mismatch.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t seed;

static uint64_t pattern(uint64_t round, uint64_t word)
{
	uint64_t x = (round << 40) ^ word ^ 0x9e3779b97f4a7c15ULL ^ (seed << 52);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

#define CONTROL_PORT "/dev/ttyS1"

/* The control port, raw (no echo back to the host) and non-blocking. */
static int control_open(void)
{
	struct termios t;
	int fd = open(CONTROL_PORT, O_RDONLY | O_NOCTTY | O_NONBLOCK);

	if (fd < 0 || tcgetattr(fd, &t)) {
		perror(CONTROL_PORT " (ROUNDS 0 needs the host's control=1)");
		exit(2);
	}
	cfmakeraw(&t);
	if (tcsetattr(fd, TCSANOW, &t) || tcflush(fd, TCIFLUSH)) {
		perror(CONTROL_PORT);
		exit(2);
	}
	return fd;
}

/* A line (or any byte) from the host since the last call. */
static int control_told(int fd)
{
	char buf[64];

	return read(fd, buf, sizeof(buf)) > 0;
}

int main(int argc, char **argv)
{
	size_t bytes, words, i;
	unsigned long rounds, r, bad_total = 0;
	unsigned int hold_ms, idle_ms;
	double t0 = now();
	int ctl = -1;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: %s ALLOC_MIB ROUNDS HOLD_MS IDLE_MS [SEED]\n", argv[0]);
		return 2;
	}
	if (argc == 6)
		seed = strtoull(argv[5], NULL, 0);
	bytes = strtoull(argv[1], NULL, 0) << 20;
	rounds = strtoul(argv[2], NULL, 0);
	hold_ms = atoi(argv[3]);
	idle_ms = atoi(argv[4]);
	words = bytes / 8;
	if (!rounds) {
		ctl = control_open();
		printf("churn: until told on %s\n", CONTROL_PORT);
	}

	for (r = 1; ctl >= 0 || r <= rounds; r++) {
		uint64_t *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned long bad = 0;

		if (p == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		for (i = 0; i < words; i++)
			p[i] = pattern(r, i);
		printf("churn t=%.1fs round %lu: %zu MiB written\n", now() - t0, r, bytes >> 20);
		fflush(stdout);
		usleep(hold_ms * 1000);
		for (i = 0; i < words; i++)
			if (p[i] != pattern(r, i) && bad++ < 5)
				printf("MISMATCH round %lu word %zu: %#llx want %#llx\n", r, i,
				       (unsigned long long)p[i],
				       (unsigned long long)pattern(r, i));
		munmap(p, bytes);
		bad_total += bad;
		printf("churn t=%.1fs round %lu: verified, %lu mismatches, freed\n",
		       now() - t0, r, bad);
		fflush(stdout);
		usleep(idle_ms * 1000);
		if (ctl >= 0 && control_told(ctl)) {
			printf("churn t=%.1fs: told to stop\n", now() - t0);
			close(ctl);
			ctl = -1;
			rounds = r;
		}
	}
	printf("churn: %lu rounds of %zu MiB, %lu mismatches\n", rounds, bytes >> 20, bad_total);
	return bad_total ? 1 : 0;
}
