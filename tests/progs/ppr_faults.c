// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures in every path of the recycler, on a VMM with no vCPU
 * (fakevm.h). Needs CONFIG_FAULT_INJECTION, FAILSLAB and FAIL_PAGE_ALLOC
 * with their debugfs files, the debug flavour's config.
 *  - attach: the Nth allocation of the ioctl fails (/proc/thread-self/
 *    fail-nth), for N = 1, 2, ... until one attach needs fewer: each
 *    failure returns an error, attaches nothing and (checked by the caller
 *    with kmemleak) leaks nothing;
 *  - passes: for 3 s every tenth allocation of the module's threads fails
 *    (make-it-fail on ppr_daemon and ppr_worker/N) while the VM's pages
 *    are marked again and again; then, without failures, every marked
 *    page is recycled: nothing is stuck, and the pages read zero.
 * One PPR-TAP line per check.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fakevm.h"

#define T(ok, name, ...) tap_check(ok, "faults", name, __VA_ARGS__)
#define DBG "/sys/kernel/debug/"

static void put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, val, strlen(val)) < 0) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static long get(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0) {
		perror(path);
		exit(1);
	}
	close(fd);
	return strtol(buf, NULL, 0);
}

/* make-it-fail on (1) or off (0) for every thread of the module. */
static int module_threads_fail(int on)
{
	char path[300], comm[32];
	struct dirent *e;
	int n = 0, fd, len;
	DIR *d = opendir("/proc");

	while (d && (e = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		len = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		comm[len > 0 ? len : 0] = 0;
		if (strncmp(comm, "ppr_daemon", 10) && strncmp(comm, "ppr_worker", 10))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/make-it-fail", e->d_name);
		put(path, on ? "1" : "0");
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	struct ppr_attach req;
	unsigned long intact, zero, other;
	long before, r0, rec;
	time_t t0;
	int n, err, left, failed_ok = 0, failed_bad = 0, survived = 0, whole = 0;
	int threads, i, small, nthfd, len;
	char nth[16];
	struct fakevm f;

	fakevm_create(&f, "faults", 2048);
	madvise(f.ram, 2048 * 4096, MADV_NOHUGEPAGE);
	fakevm_fill(&f);
	/* Fail GFP_KERNEL allocations too, not only atomic ones. */
	put(DBG "failslab/ignore-gfp-wait", "N");
	put(DBG "fail_page_alloc/ignore-gfp-wait", "N");
	put(DBG "fail_page_alloc/ignore-gfp-highmem", "N");
	put(DBG "failslab/verbose", "0");
	put(DBG "fail_page_alloc/verbose", "0");

	/*
	 * Attach, failing its Nth allocation; a 16 KiB area (blank, mapped by
	 * us as QEMU maps its own), so that an attach makes few allocations.
	 */
	small = open("/dev/shm/ppr-faults-small", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (small < 0 || ftruncate(small, 16384) ||
	    mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_SHARED, small, 0) == MAP_FAILED)
		die("/dev/shm/ppr-faults-small");
	before = get("/sys/kernel/mm/ppr_pageone/stats/attached_vms");
	nthfd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nthfd < 0)
		die("/proc/thread-self/fail-nth");
	for (n = 1; n < 1000; n++) {
		memset(&req, 0, sizeof(req));
		req.size = sizeof(req);
		req.kvm_fd = f.vm;
		req.area_fd = small;
		req.area_size = 16384;
		req.vmm_pid = getpid();
		strcpy(req.name, "faults");
		/* One fd, opened once: opening it allocates, reading it not. */
		len = snprintf(nth, sizeof(nth), "%d", n);
		if (pwrite(nthfd, nth, len, 0) != len)
			die("arming fail-nth");
		err = ioctl(f.dev, PPR_IOC_ATTACH, &req) ? -errno : 0;
		len = pread(nthfd, nth, sizeof(nth) - 1, 0);
		nth[len > 0 ? len : 0] = 0;
		left = atoi(nth);
		if (pwrite(nthfd, "0", 1, 0) != 1)
			die("disarming fail-nth");
		if (!err) {
			struct ppr_detach d = { .size = sizeof(d), .vm_id = req.vm_id };

			/* Whole, or past a failure it could do without. */
			ioctl(f.dev, PPR_IOC_DETACH, &d);
			if (left > 0) {
				whole = 1;	/* no Nth allocation */
				break;
			}
			survived++;
			continue;
		}
		if (get("/sys/kernel/mm/ppr_pageone/stats/attached_vms") == before)
			failed_ok++;
		else
			failed_bad++;
	}
	T(whole && failed_ok >= 3 && !failed_bad, "attach-fails-cleanly",
	  "%d failed allocations refused with nothing attached, %d left something attached, %d survived; attach whole after %d",
	  failed_ok, failed_bad, survived, n - 1);
	close(small);
	unlink("/dev/shm/ppr-faults-small");

	/* Passes with every tenth allocation of the module's threads failing. */
	fakevm_attach(&f);
	fakevm_layout(&f);
	fakevm_announce(&f, 1);
	/* The filter first: with a probability and no filter, init fails too. */
	put(DBG "failslab/task-filter", "Y");
	put(DBG "fail_page_alloc/task-filter", "Y");
	threads = module_threads_fail(1);
	put(DBG "failslab/interval", "1");
	put(DBG "failslab/times", "-1");
	put(DBG "fail_page_alloc/interval", "1");
	put(DBG "fail_page_alloc/times", "-1");
	put(DBG "failslab/probability", "10");
	put(DBG "fail_page_alloc/probability", "10");
	for (i = 0; i < 30; i++) {
		fakevm_fill(&f);
		fakevm_mark(&f, 0, 2048);
		usleep(100000);
	}
	put(DBG "failslab/probability", "0");
	put(DBG "fail_page_alloc/probability", "0");
	module_threads_fail(0);
	/* Without failures: all marked pages go within a few passes. */
	fakevm_fill(&f);
	fakevm_unmark(&f, 0, 2048);
	fakevm_wait_passes(&f, 3);
	r0 = fakevm_read(&f, "recycled_pages", NULL, 0);
	fakevm_mark(&f, 0, 2048);
	/*
	 * By the clock, not by passes: a slow day (KASAN, a loaded machine)
	 * takes more 20 ms passes per chunk, and a page in a CPU's LRU batch
	 * waits for the next drain. A page still missing after a minute is
	 * stuck, and the counters below say how.
	 */
	t0 = time(NULL);
	while (fakevm_read(&f, "recycled_pages", NULL, 0) < r0 + 2048 && time(NULL) - t0 < 60)
		fakevm_wait_passes(&f, 1);
	for (i = 0; i < 20; i++) {
		rec = fakevm_read(&f, "recycled_pages", NULL, 0) - r0;
		fakevm_count(&f, 0, 2048, &intact, &zero, &other);
		if (rec == fakevm_read(&f, "recycled_pages", NULL, 0) - r0)
			break;
		fakevm_wait_passes(&f, 3);
	}
	T(threads >= 2 && rec == 2048 && (long)zero == rec && !other, "passes-recover",
	  "%d threads failing 1 in 10 allocations for 3 s; then %ld of 2048 pages recycled in %ld s, %lu zeroed, %lu neither; VM's skipped pages: pinned %ld, locked %ld, thp %ld, not_present %ld, raced %ld; retried chunks %ld, queued %ld",
	  threads, rec, (long)(time(NULL) - t0), zero, other,
	  fakevm_read(&f, "skipped_pinned_pages", NULL, 0),
	  fakevm_read(&f, "skipped_locked_pages", NULL, 0),
	  fakevm_read(&f, "skipped_thp_partial_pages", NULL, 0),
	  fakevm_read(&f, "skipped_not_present_pages", NULL, 0),
	  fakevm_read(&f, "skipped_raced_pages", NULL, 0),
	  fakevm_read(&f, "retried_chunks", NULL, 0),
	  fakevm_read(&f, "queued_chunks", NULL, 0));
	unlink(f.path);
	return tap_failed;
}
