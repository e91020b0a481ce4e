// SPDX-License-Identifier: GPL-2.0
/*
 * What the host trusts in an area, and when. This process
 * plays a VMM whose guest died: its KVM VM has one memslot of 8 MiB of
 * anonymous memory, each page holding its own pattern, and its area says
 * active in epoch 1, with every mark and summary bit set and the nonce echo
 * of an earlier attach. Once attached:
 *  - stale: pass after pass, the host recycles nothing and reports the VM
 *    "unconfirmed"; every page keeps its pattern;
 *  - wrong echo: a new epoch announced without the host's nonce changes
 *    nothing;
 *  - confirmed: announced as a driver bound after the attach would (a new
 *    epoch, the host's nonce echoed), the marked pages are recycled: each
 *    page reads either its pattern or zeroes, and the zeroed ones are
 *    exactly the recycled ones;
 *  - memslot removal: deleting a memslot stops the VM and writes a new
 *    nonce; marks set again are not honoured until an announcement of a
 *    newer epoch echoes that nonce, as a running driver's would, and then
 *    they are;
 *  - punched: the header page punched out of the area file (QEMU and the
 *    guest now see a blank, inactive header; the host pinned the old one)
 *    stops the VM for good: marks set again are not honoured.
 * Runs in L1 with the module loaded at a short period. One PPR-TAP line per
 * check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/kvm.h>
#include <linux/ppr.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define SYS		"/sys/kernel/mm/ppr_pageone/vms/"
#define RAM_PAGES	2048UL		/* 8 MiB of guest RAM */
#define AREA_BYTES	(1UL << 20)

static int failed, vm_id;

static void check(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("PPR-TAP %s - stale-area/%s # ", ok ? "ok" : "not ok", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	failed |= !ok;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* A file of vms/<id>/ as a number, or as text in @buf. */
static long vm_read(const char *file, char *buf, size_t len)
{
	char path[160], tmp[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), SYS "%d/%s", vm_id, file);
	f = fopen(path, "r");
	if (!f || !fgets(tmp, sizeof(tmp), f)) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	tmp[strcspn(tmp, "\n")] = 0;
	if (buf)
		snprintf(buf, len, "%s", tmp);
	return strtol(tmp, NULL, 0);
}

/* Wait until vms/<id>/passes has moved by @n; at most 30 s. */
static void wait_passes(long n)
{
	long start = vm_read("passes", NULL, 0);
	int i;

	for (i = 0; i < 3000 && vm_read("passes", NULL, 0) < start + n; i++)
		usleep(10000);
}

static uint64_t pattern(unsigned long page, unsigned long word)
{
	return 0x5eed000000000000ULL | page << 16 | word;
}

static void fill(uint64_t *ram)
{
	unsigned long p, w;

	for (p = 0; p < RAM_PAGES; p++)
		for (w = 0; w < 4096 / 8; w++)
			ram[p * 512 + w] = pattern(p, w);
}

/* Pages that hold their pattern, pages that read zero, pages with neither. */
static void count_pages(const uint64_t *ram, unsigned long *intact,
			unsigned long *zero, unsigned long *other)
{
	unsigned long p, w, words = 4096 / 8, good, nul;

	*intact = *zero = *other = 0;
	for (p = 0; p < RAM_PAGES; p++) {
		good = nul = 0;
		for (w = 0; w < words; w++) {
			good += ram[p * words + w] == pattern(p, w);
			nul += !ram[p * words + w];
		}
		if (good == words)
			(*intact)++;
		else if (nul == words)
			(*zero)++;
		else
			(*other)++;
	}
}

int main(void)
{
	struct kvm_userspace_memory_region slot = {};
	struct ppr_attach req = { .size = sizeof(req) };
	struct ppr_area_header *h;
	unsigned long intact, zero, other;
	char state[32];
	long recycled, recycled0, unconfirmed;
	uint64_t *ram, nonce;
	void *extra;
	int kvm, vm, area, dev, i;

	dev = open("/dev/" PPR_DEVICE_NAME, O_RDWR);
	if (dev < 0)
		die("/dev/" PPR_DEVICE_NAME);
	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");

	ram = mmap(NULL, RAM_PAGES * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap guest RAM");
	madvise(ram, RAM_PAGES * 4096, MADV_NOHUGEPAGE);
	fill(ram);
	extra = mmap(NULL, 2UL << 20, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (extra == MAP_FAILED)
		die("mmap slot 1");
	slot.slot = 0;
	slot.guest_phys_addr = 0;
	slot.memory_size = RAM_PAGES * 4096;
	slot.userspace_addr = (uintptr_t)ram;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot))
		die("KVM_SET_USER_MEMORY_REGION");

	/* The area as a dead guest left it: active, all free, old echo. */
	area = open("/dev/shm/ppr-stale-area", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (area < 0 || ftruncate(area, AREA_BYTES))
		die("/dev/shm/ppr-stale-area");
	h = mmap(NULL, AREA_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, area, 0);
	if (h == MAP_FAILED)
		die("mmap area");
	h->magic = PPR_AREA_MAGIC;
	h->version = PPR_AREA_VERSION;
	h->header_size = PPR_AREA_HEADER_SIZE;
	h->page_shift = 12;
	h->summary_shift = PPR_SUMMARY_SHIFT;
	h->nr_pfns = RAM_PAGES;
	h->mark_offset = PPR_AREA_HEADER_SIZE;
	h->mark_size = RAM_PAGES / 8;
	h->summary_offset = h->mark_offset + h->mark_size;
	h->summary_size = 8;
	h->area_size = h->summary_offset + h->summary_size;
	memset((char *)h + h->mark_offset, 0xff, h->mark_size);
	memset((char *)h + h->summary_offset, 0xff, h->summary_size);
	h->host_nonce = 0x1234;		/* the nonce of an earlier attach */
	h->nonce_echo = 0x1234;
	__atomic_store_n(&h->state, (1ULL << PPR_STATE_EPOCH_SHIFT) | PPR_STATE_ACTIVE,
			 __ATOMIC_RELEASE);

	req.kvm_fd = vm;
	req.area_fd = area;
	req.area_size = AREA_BYTES;
	req.vmm_pid = getpid();
	strcpy(req.name, "stale-area");
	if (ioctl(dev, PPR_IOC_ATTACH, &req))
		die("PPR_IOC_ATTACH");
	vm_id = req.vm_id;
	check(h->host_nonce != 0x1234, "attach-writes-nonce",
	      "host_nonce %#llx", (unsigned long long)h->host_nonce);

	wait_passes(5);
	recycled = vm_read("recycled_pages", NULL, 0);
	unconfirmed = vm_read("unconfirmed_passes", NULL, 0);
	vm_read("state", state, sizeof(state));
	count_pages(ram, &intact, &zero, &other);
	check(!recycled && unconfirmed >= 4 && !strcmp(state, "unconfirmed") &&
	      intact == RAM_PAGES, "stale-header-not-honoured",
	      "recycled %ld, unconfirmed_passes %ld, state %s, %lu of %lu pages intact",
	      recycled, unconfirmed, state, intact, RAM_PAGES);

	/* A new epoch, but not echoing the host's nonce. */
	__atomic_store_n(&h->state, (2ULL << PPR_STATE_EPOCH_SHIFT) | PPR_STATE_ACTIVE,
			 __ATOMIC_RELEASE);
	wait_passes(5);
	recycled = vm_read("recycled_pages", NULL, 0);
	vm_read("state", state, sizeof(state));
	count_pages(ram, &intact, &zero, &other);
	check(!recycled && !strcmp(state, "unconfirmed") && intact == RAM_PAGES,
	      "new-epoch-without-echo-not-honoured",
	      "recycled %ld, state %s, %lu of %lu pages intact",
	      recycled, state, intact, RAM_PAGES);

	/* As a driver bound after the attach: inactive, echo, new epoch. */
	__atomic_store_n(&h->state, 2ULL << PPR_STATE_EPOCH_SHIFT, __ATOMIC_SEQ_CST);
	h->nonce_echo = h->host_nonce;
	__atomic_store_n(&h->state, (3ULL << PPR_STATE_EPOCH_SHIFT) | PPR_STATE_ACTIVE,
			 __ATOMIC_RELEASE);
	for (i = 0; i < 1000 && vm_read("recycled_pages", NULL, 0) < (long)RAM_PAGES / 2; i++)
		usleep(10000);
	wait_passes(3);
	recycled = vm_read("recycled_pages", NULL, 0);
	vm_read("state", state, sizeof(state));
	count_pages(ram, &intact, &zero, &other);
	check(!strcmp(state, "active") && vm_read("epoch", NULL, 0) == 3 &&
	      recycled >= (long)RAM_PAGES / 2 && (long)zero == recycled && !other &&
	      intact + zero == RAM_PAGES, "confirmed-epoch-honoured",
	      "state %s, recycled %ld, pages zeroed %lu, intact %lu, other %lu",
	      state, recycled, zero, intact, other);

	/* A memslot created and deleted (a BAR moved, a device unplugged). */
	nonce = h->host_nonce;
	slot.slot = 1;
	slot.guest_phys_addr = 1UL << 30;
	slot.memory_size = 2UL << 20;
	slot.userspace_addr = (uintptr_t)extra;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot))
		die("KVM_SET_USER_MEMORY_REGION (create slot 1)");
	slot.memory_size = 0;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot))
		die("KVM_SET_USER_MEMORY_REGION (delete slot 1)");
	vm_read("state", state, sizeof(state));
	check(!strcmp(state, "stopped") && h->host_nonce != nonce &&
	      vm_read("memslot_removals", NULL, 0) == 1, "memslot-removal-stops",
	      "state %s, nonce %s, memslot_removals %ld", state,
	      h->host_nonce != nonce ? "new" : "unchanged",
	      vm_read("memslot_removals", NULL, 0));
	/* Every page written again and marked again: nothing is taken. */
	fill(ram);
	memset((char *)h + h->mark_offset, 0xff, h->mark_size);
	memset((char *)h + h->summary_offset, 0xff, h->summary_size);
	recycled0 = vm_read("recycled_pages", NULL, 0);
	wait_passes(5);
	recycled = vm_read("recycled_pages", NULL, 0);
	vm_read("state", state, sizeof(state));
	count_pages(ram, &intact, &zero, &other);
	check(recycled == recycled0 && !strcmp(state, "stopped") && intact == RAM_PAGES,
	      "stopped-until-confirmed", "recycled %ld more, state %s, %lu of %lu pages intact",
	      recycled - recycled0, state, intact, RAM_PAGES);
	/* A running driver's answer: the next epoch, echoing the new nonce. */
	h->nonce_echo = h->host_nonce;
	__atomic_store_n(&h->state, (4ULL << PPR_STATE_EPOCH_SHIFT) | PPR_STATE_ACTIVE,
			 __ATOMIC_SEQ_CST);
	for (i = 0; i < 1000 && vm_read("recycled_pages", NULL, 0) < recycled0 + (long)RAM_PAGES / 2; i++)
		usleep(10000);
	wait_passes(3);
	recycled = vm_read("recycled_pages", NULL, 0) - recycled0;
	vm_read("state", state, sizeof(state));
	count_pages(ram, &intact, &zero, &other);
	check(!strcmp(state, "active") && vm_read("epoch", NULL, 0) == 4 &&
	      recycled >= (long)RAM_PAGES / 2 && (long)zero == recycled && !other,
	      "memslot-removal-confirmed-resumes",
	      "state %s, recycled %ld, pages zeroed %lu, intact %lu, other %lu",
	      state, recycled, zero, intact, other);

	/*
	 * The header page punched out of the file under the active VM: QEMU
	 * and the guest now see a blank header ("inactive"), while the marks
	 * are set again in the pages that stayed. Nothing may be taken.
	 */
	recycled0 = vm_read("recycled_pages", NULL, 0);
	fill(ram);
	if (fallocate(area, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096))
		die("fallocate(PUNCH_HOLE) of the header page");
	memset((char *)h + PPR_AREA_HEADER_SIZE, 0xff, RAM_PAGES / 8);
	memset((char *)h + PPR_AREA_HEADER_SIZE + RAM_PAGES / 8, 0xff, 8);
	wait_passes(5);
	recycled = vm_read("recycled_pages", NULL, 0);
	vm_read("state", state, sizeof(state));
	count_pages(ram, &intact, &zero, &other);
	check(recycled == recycled0 && !strcmp(state, "bad_area") && intact == RAM_PAGES &&
	      !h->state, "punched-area-stops",
	      "recycled %ld more, state %s, %lu of %lu pages intact, header state now %#llx",
	      recycled - recycled0, state, intact, RAM_PAGES, (unsigned long long)h->state);

	close(dev);
	munmap(h, AREA_BYTES);
	close(area);
	unlink("/dev/shm/ppr-stale-area");
	return failed;
}
