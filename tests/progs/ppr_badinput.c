// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to /dev/ppr_pageone gets a clear error and changes nothing;
 * a guest that writes garbage into its area cannot hurt the host. Runs in
 * L1 with the module loaded; makes its own KVM VMs (KVM_CREATE_VM, no
 * memslots) and areas in /dev/shm. One PPR-TAP line per check.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/ppr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYS "/sys/kernel/mm/ppr_pageone/"

static int failed;

static void check(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#include <stdarg.h>
static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("PPR-TAP %s - badinput/%s # ", ok ? "ok" : "not ok", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	failed |= !ok;
}

static long read_num(const char *path)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	return strtol(buf, NULL, 0);
}

static int new_vm(void)
{
	int kvm = open("/dev/kvm", O_RDWR), vm;

	if (kvm < 0) {
		perror("/dev/kvm");
		exit(1);
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("KVM_CREATE_VM");
		exit(1);
	}
	close(kvm);
	return vm;
}

/*
 * A 1 MiB area file; @hdr NULL leaves it blank. Mapped shared by this
 * process (the VMM of its VMs), as QEMU maps its ivshmem backend, unless
 * @unmapped.
 */
static int new_area_how(const char *name, const struct ppr_area_header *hdr, int unmapped)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/dev/shm/%s", name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 1 << 20)) {
		perror(path);
		exit(1);
	}
	if (hdr && pwrite(fd, hdr, sizeof(*hdr), 0) != sizeof(*hdr)) {
		perror("pwrite");
		exit(1);
	}
	if (!unmapped &&
	    mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return fd;
}

static int new_area(const char *name, const struct ppr_area_header *hdr)
{
	return new_area_how(name, hdr, 0);
}

static int attach(int dev, int vm, int area, struct ppr_attach *out)
{
	struct ppr_attach a = {
		.size = sizeof(a), .kvm_fd = vm, .area_fd = area,
		.area_size = 1 << 20, .vmm_pid = getpid(),
	};

	strcpy(a.name, "badinput");
	if (out) {
		a.flags = out->flags;
		if (out->size)
			a.size = out->size;
		if (out->area_size)
			a.area_size = out->area_size;
		a.area_offset = out->area_offset;
		if (out->name[0])
			memcpy(a.name, out->name, sizeof(a.name));
	}
	if (ioctl(dev, PPR_IOC_ATTACH, &a))
		return -errno;
	return a.vm_id;
}

static int detach(int dev, unsigned int id)
{
	struct ppr_detach d = { .size = sizeof(d), .vm_id = id };

	return ioctl(dev, PPR_IOC_DETACH, &d) ? -errno : 0;
}

static void valid_header(struct ppr_area_header *h, unsigned long long nr_pfns)
{
	memset(h, 0, sizeof(*h));
	h->magic = PPR_AREA_MAGIC;
	h->version = PPR_AREA_VERSION;
	h->header_size = PPR_AREA_HEADER_SIZE;
	h->page_shift = 12;
	h->summary_shift = PPR_SUMMARY_SHIFT;
	h->nr_pfns = nr_pfns;
	h->mark_offset = PPR_AREA_HEADER_SIZE;
	h->mark_size = (nr_pfns + 63) / 64 * 8;
	h->summary_offset = h->mark_offset + h->mark_size;
	h->summary_size = ((nr_pfns + 511) / 512 + 63) / 64 * 8;
	h->area_size = h->summary_offset + h->summary_size;
}

int main(void)
{
	struct ppr_area_header h;
	struct ppr_attach req;
	int dev, vm, vm2, area, bad, id, id2, r, nul;
	long before;

	dev = open("/dev/" PPR_DEVICE_NAME, O_RDWR);
	if (dev < 0) {
		perror("/dev/" PPR_DEVICE_NAME);
		return 1;
	}
	before = read_num(SYS "stats/attached_vms");
	vm = new_vm();
	vm2 = new_vm();
	area = new_area("bad-blank", NULL);
	nul = open("/dev/null", O_RDWR);

	memset(&req, 0, sizeof(req));
	req.size = sizeof(req) - 8;
	r = attach(dev, vm, area, &req);
	check(r == -EINVAL, "wrong-struct-size", "got %d", r);

	r = attach(dev, nul, area, NULL);
	check(r == -EINVAL, "non-kvm-fd", "/dev/null as the VM: got %d", r);
	r = attach(dev, -1, area, NULL);
	check(r == -EBADF, "closed-fd", "got %d", r);
	r = attach(dev, vm, nul, NULL);
	check(r == -EINVAL, "area-not-shm", "/dev/null as the area: got %d", r);

	valid_header(&h, 1000);
	h.magic = 0xdeadbeef;
	bad = new_area("bad-magic", &h);
	r = attach(dev, vm, bad, NULL);
	check(r == -EINVAL, "wrong-magic", "got %d", r);
	close(bad);
	valid_header(&h, 1000);
	h.version = PPR_AREA_VERSION + 1;
	bad = new_area("bad-version", &h);
	r = attach(dev, vm, bad, NULL);
	check(r == -EINVAL, "wrong-version", "got %d", r);
	close(bad);
	valid_header(&h, 1ULL << 30);	/* its bitmaps cannot fit in 1 MiB */
	bad = new_area("bad-size", &h);
	r = attach(dev, vm, bad, NULL);
	check(r == -EINVAL, "header-larger-than-area", "got %d", r);
	close(bad);

	memset(&req, 0, sizeof(req));
	req.area_size = 2 << 20;
	r = attach(dev, vm, area, &req);
	check(r == -EINVAL, "area-past-end-of-file", "got %d", r);
	memset(&req, 0, sizeof(req));
	req.area_size = (1 << 20) - 100;
	r = attach(dev, vm, area, &req);
	check(r == -EINVAL, "area-size-unaligned", "got %d", r);
	memset(&req, 0, sizeof(req));
	req.area_offset = -4096ULL;	/* offset + size wraps around */
	r = attach(dev, vm, area, &req);
	check(r == -EINVAL, "area-offset-wraps", "got %d", r);
	bad = new_area_how("bad-unmapped", NULL, 1);
	r = attach(dev, vm, bad, NULL);
	check(r == -ENXIO, "area-not-mapped-by-vmm",
	      "a file the VM's process does not map (another VM's area): got %d", r);
	close(bad);
	memset(&req, 0, sizeof(req));
	req.flags = 1;
	r = attach(dev, vm, area, &req);
	check(r == -EINVAL, "unknown-flags", "got %d", r);
	memset(&req, 0, sizeof(req));
	memset(req.name, 'x', sizeof(req.name));
	r = attach(dev, vm, area, &req);
	check(r == -EINVAL, "name-not-terminated", "got %d", r);
	check(read_num(SYS "stats/attached_vms") == before, "nothing-attached",
	      "attached_vms %ld, was %ld", read_num(SYS "stats/attached_vms"), before);

	id = attach(dev, vm, area, NULL);
	check(id > 0, "valid-attach", "vm id %d", id);
	{
		struct stat st_pid = {}, st_name = {};
		char path[160];

		snprintf(path, sizeof(path), SYS "vms/%d/vmm_pid", id);
		stat(path, &st_pid);
		snprintf(path, sizeof(path), SYS "vms/%d/name", id);
		stat(path, &st_name);
		check((st_pid.st_mode & 0777) == 0400 && (st_name.st_mode & 0777) == 0400,
		      "vmm-pid-and-name-root-only", "modes %o, %o",
		      st_pid.st_mode & 0777, st_name.st_mode & 0777);
	}
	r = attach(dev, vm, area, NULL);
	check(r == -EEXIST, "double-attach", "same VM again: got %d", r);
	r = attach(dev, vm2, area, NULL);
	check(r == -EEXIST, "area-attached-twice", "same area, other VM: got %d", r);
	r = detach(dev, id + 1000);
	check(r == -ENOENT, "detach-unknown", "got %d", r);

	/* A guest writing garbage: a torn header, marks far beyond its memory. */
	{
		char path[160], state[32] = "";
		unsigned char *a = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, area, 0);
		long passes, bad_passes, nomem;
		FILE *f;

		if (a == MAP_FAILED) {
			perror("mmap area");
			return 1;
		}
		valid_header(&h, 1ULL << 20);	/* 4 GiB of PFNs; this VM has no memslot */
		h.state = (7ULL << 1) | PPR_STATE_ACTIVE;
		h.host_nonce = ((struct ppr_area_header *)a)->host_nonce;
		h.nonce_echo = h.host_nonce;
		h.mark_offset = 0xfffff000;	/* torn: points far past the area */
		memcpy(a, &h, sizeof(h));
		snprintf(path, sizeof(path), SYS "vms/%d/passes", id);
		passes = read_num(path);
		while (read_num(path) < passes + 3)
			usleep(20000);
		snprintf(path, sizeof(path), SYS "vms/%d/bad_area_passes", id);
		bad_passes = read_num(path);
		snprintf(path, sizeof(path), SYS "vms/%d/state", id);
		f = fopen(path, "r");
		if (f) {
			fgets(state, sizeof(state), f);
			fclose(f);
		}
		check(bad_passes >= 2 && !strncmp(state, "bad_area", 8), "torn-header",
		      "bad_area_passes %ld, state %s", bad_passes, state);

		/*
		 * Now valid, with every mark and summary bit set, announced
		 * as a bound driver would: echoing the host's nonce.
		 */
		valid_header(&h, 1ULL << 20);
		h.state = (8ULL << 1) | PPR_STATE_ACTIVE;
		h.host_nonce = ((struct ppr_area_header *)a)->host_nonce;
		h.nonce_echo = h.host_nonce;
		memset(a + h.mark_offset, 0xff, h.mark_size);
		memset(a + h.summary_offset, 0xff, h.summary_size);
		memcpy(a, &h, sizeof(h));
		snprintf(path, sizeof(path), SYS "vms/%d/no_memslot_pages", id);
		for (r = 0; r < 500 && read_num(path) < (1L << 20); r++)
			usleep(20000);
		nomem = read_num(path);
		snprintf(path, sizeof(path), SYS "vms/%d/recycled_pages", id);
		check(nomem >= (1L << 20) && read_num(path) == 0, "marks-beyond-memory",
		      "no_memslot_pages %ld, recycled %ld", nomem, read_num(path));
		munmap(a, 1 << 20);
	}

	r = detach(dev, id);
	check(r == 0, "detach", "got %d", r);
	r = detach(dev, id);
	check(r == -ENOENT, "detach-twice", "got %d", r);
	check(read_num(SYS "stats/attached_vms") == before, "all-detached",
	      "attached_vms %ld", read_num(SYS "stats/attached_vms"));
	id2 = attach(dev, vm2, area, NULL);
	check(id2 > 0, "reattach-after-detach", "vm id %d", id2);
	close(vm2);	/* the VM fd closed: the VM stays until detach */
	check(detach(dev, id2) == 0, "detach-after-vm-fd-closed", "ok");
	return failed;
}
