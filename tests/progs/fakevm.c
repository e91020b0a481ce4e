// SPDX-License-Identifier: GPL-2.0
/* A VMM with no vCPU for host tests: see fakevm.h. */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fakevm.h"

#define SYS_VMS	"/sys/kernel/mm/ppr_pageone/vms/"

int tap_failed;

void tap_check(int ok, const char *group, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("PPR-TAP %s - %s/%s # ", ok ? "ok" : "not ok", group, name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	tap_failed |= !ok;
}

void die(const char *what)
{
	perror(what);
	exit(1);
}

void fakevm_create(struct fakevm *f, const char *name, unsigned long pages)
{
	struct kvm_userspace_memory_region slot = {};
	size_t bytes = pages * 4096;
	char *p;
	int kvm;

	memset(f, 0, sizeof(*f));
	f->pages = pages;
	/* -1 if the module is not loaded: fakevm_attach opens it then. */
	f->dev = open("/dev/" PPR_DEVICE_NAME, O_RDWR);
	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		die("/dev/kvm");
	f->vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (f->vm < 0)
		die("KVM_CREATE_VM");
	close(kvm);
	/* 2 MiB aligned, so that a THP can back a whole chunk. */
	p = mmap(NULL, bytes + (2UL << 20), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap guest RAM");
	f->ram = (uint64_t *)(((uintptr_t)p + (2UL << 20) - 1) & ~((2UL << 20) - 1));
	slot.slot = 0;
	slot.memory_size = bytes;
	slot.userspace_addr = (uintptr_t)f->ram;
	if (ioctl(f->vm, KVM_SET_USER_MEMORY_REGION, &slot))
		die("KVM_SET_USER_MEMORY_REGION");
	snprintf(f->path, sizeof(f->path), "/dev/shm/ppr-%s", name);
	f->area = open(f->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (f->area < 0 || ftruncate(f->area, FAKEVM_AREA_BYTES))
		die(f->path);
	f->h = mmap(NULL, FAKEVM_AREA_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, f->area, 0);
	if (f->h == MAP_FAILED)
		die("mmap area");
}

void fakevm_attach(struct fakevm *f)
{
	struct ppr_attach req = { .size = sizeof(req) };

	req.kvm_fd = f->vm;
	req.area_fd = f->area;
	req.area_size = FAKEVM_AREA_BYTES;
	req.vmm_pid = getpid();
	snprintf(req.name, sizeof(req.name), "%s", f->path + strlen("/dev/shm/ppr-"));
	if (f->dev < 0)
		f->dev = open("/dev/" PPR_DEVICE_NAME, O_RDWR);
	if (f->dev < 0)
		die("/dev/" PPR_DEVICE_NAME);
	if (ioctl(f->dev, PPR_IOC_ATTACH, &req))
		die("PPR_IOC_ATTACH");
	f->id = req.vm_id;
}

void fakevm_layout(struct fakevm *f)
{
	struct ppr_area_header *h = f->h;
	unsigned long chunks = (f->pages + 511) / 512;

	__atomic_store_n(&h->state, h->state & ~PPR_STATE_ACTIVE, __ATOMIC_SEQ_CST);
	h->magic = PPR_AREA_MAGIC;
	h->version = PPR_AREA_VERSION;
	h->header_size = PPR_AREA_HEADER_SIZE;
	h->page_shift = 12;
	h->summary_shift = PPR_SUMMARY_SHIFT;
	h->nr_pfns = f->pages;
	h->mark_offset = PPR_AREA_HEADER_SIZE;
	h->mark_size = (f->pages + 63) / 64 * 8;
	h->summary_offset = h->mark_offset + h->mark_size;
	h->summary_size = (chunks + 63) / 64 * 8;
	h->area_size = h->summary_offset + h->summary_size;
	memset((char *)h + h->mark_offset, 0, h->mark_size);
	memset((char *)h + h->summary_offset, 0, h->summary_size);
}

void fakevm_announce(struct fakevm *f, uint64_t epoch)
{
	struct ppr_area_header *h = f->h;

	__atomic_store_n(&h->state, h->state & ~PPR_STATE_ACTIVE, __ATOMIC_SEQ_CST);
	h->nonce_echo = __atomic_load_n(&h->host_nonce, __ATOMIC_RELAXED);
	__atomic_store_n(&h->state, (epoch << PPR_STATE_EPOCH_SHIFT) | PPR_STATE_ACTIVE,
			 __ATOMIC_SEQ_CST);
}

void fakevm_mark(struct fakevm *f, unsigned long first, unsigned long n)
{
	uint64_t *mark = (uint64_t *)((char *)f->h + f->h->mark_offset);
	uint64_t *summary = (uint64_t *)((char *)f->h + f->h->summary_offset);
	unsigned long i;

	for (i = first; i < first + n; i++)
		__atomic_fetch_or(&mark[i / 64], 1ULL << (i % 64), __ATOMIC_SEQ_CST);
	for (i = first / 512; i <= (first + n - 1) / 512; i++)
		__atomic_fetch_or(&summary[i / 64], 1ULL << (i % 64), __ATOMIC_SEQ_CST);
}

void fakevm_unmark(struct fakevm *f, unsigned long first, unsigned long n)
{
	uint64_t *mark = (uint64_t *)((char *)f->h + f->h->mark_offset);
	unsigned long i;

	for (i = first; i < first + n; i++)
		__atomic_fetch_and(&mark[i / 64], ~(1ULL << (i % 64)), __ATOMIC_SEQ_CST);
}

static uint64_t pattern(unsigned long page, unsigned long word)
{
	return 0x5eed000000000000ULL | page << 16 | word;
}

void fakevm_fill(struct fakevm *f)
{
	unsigned long p, w;

	for (p = 0; p < f->pages; p++)
		for (w = 0; w < 512; w++)
			f->ram[p * 512 + w] = pattern(p, w);
}

void fakevm_count(const struct fakevm *f, unsigned long first, unsigned long n,
		  unsigned long *intact, unsigned long *zero, unsigned long *other)
{
	unsigned long p, w, good, nul;

	*intact = *zero = *other = 0;
	for (p = first; p < first + n; p++) {
		good = nul = 0;
		for (w = 0; w < 512; w++) {
			good += f->ram[p * 512 + w] == pattern(p, w);
			nul += !f->ram[p * 512 + w];
		}
		if (good == 512)
			(*intact)++;
		else if (nul == 512)
			(*zero)++;
		else
			(*other)++;
	}
}

long fakevm_read(const struct fakevm *f, const char *file, char *buf, size_t len)
{
	char path[160], tmp[64] = "";
	FILE *fp;

	snprintf(path, sizeof(path), SYS_VMS "%d/%s", f->id, file);
	fp = fopen(path, "r");
	if (!fp || !fgets(tmp, sizeof(tmp), fp)) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	fclose(fp);
	tmp[strcspn(tmp, "\n")] = 0;
	if (buf)
		snprintf(buf, len, "%s", tmp);
	return strtol(tmp, NULL, 0);
}

void fakevm_wait_passes(const struct fakevm *f, long n)
{
	long start = fakevm_read(f, "passes", NULL, 0);
	int i;

	for (i = 0; i < 3000 && fakevm_read(f, "passes", NULL, 0) < start + n; i++)
		usleep(10000);
}

long fakevm_smaps_kib(const void *addr, const char *field)
{
	unsigned long a = (unsigned long)addr, lo, hi;
	size_t len = strlen(field);
	char line[256];
	long kib = -1;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		die("/proc/self/smaps");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && !strncmp(line, field, len) && line[len] == ':' &&
			 sscanf(line + len + 1, "%ld kB", &kib) == 1)
			break;
	}
	fclose(f);
	return kib;
}
