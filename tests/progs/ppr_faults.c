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
	int n, err, left, failed_ok = 0, failed_bad = 0, threads, i;
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

	/* Attach, failing its Nth allocation. */
	before = get("/sys/kernel/mm/ppr_pageone/stats/attached_vms");
	for (n = 1; n < 1000; n++) {
		memset(&req, 0, sizeof(req));
		req.size = sizeof(req);
		req.kvm_fd = f.vm;
		req.area_fd = f.area;
		req.area_size = FAKEVM_AREA_BYTES;
		req.vmm_pid = getpid();
		strcpy(req.name, "faults");
		put("/proc/thread-self/fail-nth", "0");
		{
			char nth[16];

			snprintf(nth, sizeof(nth), "%d", n);
			put("/proc/thread-self/fail-nth", nth);
		}
		err = ioctl(f.dev, PPR_IOC_ATTACH, &req) ? -errno : 0;
		left = get("/proc/thread-self/fail-nth");
		put("/proc/thread-self/fail-nth", "0");
		if (!err) {
			f.id = req.vm_id;
			if (left > 0)
				break;		/* no Nth allocation: attach is whole */
			/* A failure the attach could do without: detach, go on. */
			struct ppr_detach d = { .size = sizeof(d), .vm_id = req.vm_id };

			ioctl(f.dev, PPR_IOC_DETACH, &d);
			continue;
		}
		if (get("/sys/kernel/mm/ppr_pageone/stats/attached_vms") == before)
			failed_ok++;
		else
			failed_bad++;
	}
	T(n < 1000 && failed_ok >= 3 && !failed_bad && f.id > 0, "attach-fails-cleanly",
	  "%d allocations of attach failed in turn, each refused with nothing attached (%d left something attached); attach %d succeeded",
	  failed_ok, failed_bad, n);
	if (f.id <= 0)
		return 1;

	/* Passes with every tenth allocation of the module's threads failing. */
	fakevm_layout(&f);
	fakevm_announce(&f, 1);
	put(DBG "failslab/probability", "10");
	put(DBG "failslab/interval", "1");
	put(DBG "failslab/times", "-1");
	put(DBG "failslab/task-filter", "Y");
	put(DBG "fail_page_alloc/probability", "10");
	put(DBG "fail_page_alloc/interval", "1");
	put(DBG "fail_page_alloc/times", "-1");
	put(DBG "fail_page_alloc/task-filter", "Y");
	threads = module_threads_fail(1);
	for (i = 0; i < 30; i++) {
		fakevm_fill(&f);
		fakevm_mark(&f, 0, 2048);
		usleep(100000);
	}
	module_threads_fail(0);
	put(DBG "failslab/probability", "0");
	put(DBG "fail_page_alloc/probability", "0");
	/* Without failures: all marked pages go within a few passes. */
	fakevm_fill(&f);
	fakevm_unmark(&f, 0, 2048);
	fakevm_wait_passes(&f, 3);
	r0 = fakevm_read(&f, "recycled_pages", NULL, 0);
	fakevm_mark(&f, 0, 2048);
	/* Up to 32 may sit in a CPU's LRU batch (retried, not stuck). */
	for (i = 0; i < 50 && fakevm_read(&f, "recycled_pages", NULL, 0) < r0 + 2016; i++)
		fakevm_wait_passes(&f, 1);
	for (i = 0; i < 20; i++) {
		rec = fakevm_read(&f, "recycled_pages", NULL, 0) - r0;
		fakevm_count(&f, 0, 2048, &intact, &zero, &other);
		if (rec == fakevm_read(&f, "recycled_pages", NULL, 0) - r0)
			break;
		fakevm_wait_passes(&f, 3);
	}
	T(threads >= 2 && rec >= 2016 && (long)zero == rec && !other, "passes-recover",
	  "%d threads failing 1 in 10 allocations for 3 s; then %ld of 2048 pages recycled, %lu zeroed, %lu neither",
	  threads, rec, zero, other);
	unlink(f.path);
	return tap_failed;
}
