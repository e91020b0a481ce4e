// SPDX-License-Identifier: GPL-2.0
/*
 * Writes racing merges: PAGES pages of MADV_MERGEABLE memory, each holding
 * one of CONTENTS contents (many duplicates, spread over KSM's shards).
 * For SECONDS, or until each gets SIGUSR1 (the caller stops the churn once
 * it has seen enough merges, however fast the machine), PROCS processes (forked after the first fill, so they start
 * sharing every page with the parent) each rewrite random pages of the
 * first eighth of their copy with a random content, and after every 512
 * writes check every page of the copy against what they wrote; the other
 * seven eighths stay as written, to be merged and stay merged. Meant to
 * run while PageONE's threads merge every few milliseconds.
 *
 * Exit status 0 if every check of every process found every byte as
 * written, 1 otherwise (the first difference is printed), 2 on bad usage.
 *
 * usage: dedup_churn PAGES CONTENTS SECONDS PROCS
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long psz;
static volatile sig_atomic_t stop;

static void on_usr1(int sig)
{
	stop = 1;
}

static uint64_t word_of(unsigned int content)
{
	return 0x9e3779b97f4a7c15ULL * (content + 1);
}

static void fill(char *page, unsigned int content)
{
	uint64_t w = word_of(content), *q = (uint64_t *)page;
	long i;

	for (i = 0; i < psz / 8; i++)
		q[i] = w;
}

/* Index of the first word of @page that is not @content's, or -1. */
static long differs(const char *page, unsigned int content)
{
	const uint64_t *q = (const uint64_t *)page;
	uint64_t w = word_of(content);
	long i;

	for (i = 0; i < psz / 8; i++)
		if (q[i] != w)
			return i;
	return -1;
}

static int check_all(const char *mem, const unsigned char *want, long n,
		     int proc)
{
	long i, at;

	for (i = 0; i < n; i++) {
		at = differs(mem + i * psz, want[i]);
		if (at >= 0) {
			printf("dedup_churn: process %d: page %ld word %ld is %#llx, want %#llx (content %u)\n",
			       proc, i, at,
			       (unsigned long long)((const uint64_t *)(mem + i * psz))[at],
			       (unsigned long long)word_of(want[i]), want[i]);
			return 1;
		}
	}
	return 0;
}

static int churn(char *mem, unsigned char *want, long n, unsigned int contents,
		 int seconds, int proc)
{
	long hot = n / 8 > 0 ? n / 8 : 1, writes = 0, checks = 0;
	time_t end = time(NULL) + seconds;
	uint64_t x = 0x2545f4914f6cdd1dULL ^ (uint64_t)(getpid() * 7919);

	while (time(NULL) < end && !stop) {
		long i, k;

		for (k = 0; k < 512; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			i = (long)(x % (uint64_t)hot);
			want[i] = (unsigned char)((x >> 32) % contents);
			fill(mem + i * psz, want[i]);
			writes++;
		}
		if (check_all(mem, want, n, proc))
			return 1;
		checks++;
		usleep(1000);
	}
	printf("dedup_churn: process %d: %ld writes, %ld full checks, every byte as written\n",
	       proc, writes, checks);
	return 0;
}

int main(int argc, char **argv)
{
	long n, i;
	unsigned int contents;
	int seconds, procs, p, status, rc = 0;
	unsigned char *want;
	char *mem;

	if (argc != 5) {
		fprintf(stderr, "usage: dedup_churn PAGES CONTENTS SECONDS PROCS\n");
		return 2;
	}
	psz = sysconf(_SC_PAGESIZE);
	n = atol(argv[1]);
	contents = (unsigned int)atoi(argv[2]);
	seconds = atoi(argv[3]);
	procs = atoi(argv[4]);
	if (n <= 0 || contents < 1 || contents > 256 || seconds <= 0 ||
	    procs < 1 || procs > 64) {
		fprintf(stderr, "dedup_churn: want PAGES > 0, CONTENTS 1..256, SECONDS > 0, PROCS 1..64\n");
		return 2;
	}
	mem = mmap(NULL, n * psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	want = malloc(n);
	if (mem == MAP_FAILED || !want) {
		perror("dedup_churn: mmap");
		return 1;
	}
	signal(SIGUSR1, on_usr1);
	if (madvise(mem, n * psz, MADV_MERGEABLE)) {
		perror("dedup_churn: madvise(MADV_MERGEABLE)");
		return 1;
	}
	for (i = 0; i < n; i++) {
		want[i] = (unsigned char)(i % contents);
		fill(mem + i * psz, want[i]);
	}
	printf("dedup_churn: %ld pages of %u contents, %d processes, %d s\n",
	       n, contents, procs, seconds);
	fflush(stdout);
	for (p = 1; p < procs; p++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("dedup_churn: fork");
			return 1;
		}
		if (!pid) {
			rc = churn(mem, want, n, contents, seconds, p);
			fflush(stdout);
			_exit(rc);
		}
	}
	rc = churn(mem, want, n, contents, seconds, 0);
	for (p = 1; p < procs; p++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			rc = 1;
	}
	return rc;
}
