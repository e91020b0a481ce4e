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
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fakevm.h"

#define RAM_PAGES	2048UL		/* 8 MiB of guest RAM */
#define T(ok, name, ...) tap_check(ok, "stale-area", name, __VA_ARGS__)

int main(void)
{
	struct kvm_userspace_memory_region slot = {};
	unsigned long intact, zero, other;
	long recycled, recycled0, unconfirmed;
	struct fakevm f;
	char state[32];
	uint64_t nonce;
	void *extra;
	int i;

	fakevm_create(&f, "stale-area", RAM_PAGES);
	madvise(f.ram, RAM_PAGES * 4096, MADV_NOHUGEPAGE);
	fakevm_fill(&f);
	extra = mmap(NULL, 2UL << 20, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (extra == MAP_FAILED)
		die("mmap slot 1");

	/* The area as a dead guest left it: active, all free, old echo. */
	fakevm_layout(&f);
	fakevm_mark(&f, 0, RAM_PAGES);
	f.h->host_nonce = 0x1234;	/* the nonce of an earlier attach */
	f.h->nonce_echo = 0x1234;
	__atomic_store_n(&f.h->state, (1ULL << PPR_STATE_EPOCH_SHIFT) | PPR_STATE_ACTIVE,
			 __ATOMIC_RELEASE);
	fakevm_attach(&f);
	T(f.h->host_nonce != 0x1234, "attach-writes-nonce",
	  "host_nonce %#llx", (unsigned long long)f.h->host_nonce);

	fakevm_wait_passes(&f, 5);
	recycled = fakevm_read(&f, "recycled_pages", NULL, 0);
	unconfirmed = fakevm_read(&f, "unconfirmed_passes", NULL, 0);
	fakevm_read(&f, "state", state, sizeof(state));
	fakevm_count(&f, 0, RAM_PAGES, &intact, &zero, &other);
	T(!recycled && unconfirmed >= 4 && !strcmp(state, "unconfirmed") &&
	  intact == RAM_PAGES, "stale-header-not-honoured",
	  "recycled %ld, unconfirmed_passes %ld, state %s, %lu of %lu pages intact",
	  recycled, unconfirmed, state, intact, RAM_PAGES);

	/* A new epoch, but not echoing the host's nonce. */
	__atomic_store_n(&f.h->state, (2ULL << PPR_STATE_EPOCH_SHIFT) | PPR_STATE_ACTIVE,
			 __ATOMIC_RELEASE);
	fakevm_wait_passes(&f, 5);
	recycled = fakevm_read(&f, "recycled_pages", NULL, 0);
	fakevm_read(&f, "state", state, sizeof(state));
	fakevm_count(&f, 0, RAM_PAGES, &intact, &zero, &other);
	T(!recycled && !strcmp(state, "unconfirmed") && intact == RAM_PAGES,
	  "new-epoch-without-echo-not-honoured",
	  "recycled %ld, state %s, %lu of %lu pages intact",
	  recycled, state, intact, RAM_PAGES);

	/* As a driver bound after the attach: inactive, echo, new epoch. */
	fakevm_announce(&f, 3);
	for (i = 0; i < 1000 && fakevm_read(&f, "recycled_pages", NULL, 0) < (long)RAM_PAGES / 2; i++)
		usleep(10000);
	fakevm_wait_passes(&f, 3);
	recycled = fakevm_read(&f, "recycled_pages", NULL, 0);
	fakevm_read(&f, "state", state, sizeof(state));
	fakevm_count(&f, 0, RAM_PAGES, &intact, &zero, &other);
	T(!strcmp(state, "active") && fakevm_read(&f, "epoch", NULL, 0) == 3 &&
	  recycled >= (long)RAM_PAGES / 2 && (long)zero == recycled && !other &&
	  intact + zero == RAM_PAGES, "confirmed-epoch-honoured",
	  "state %s, recycled %ld, pages zeroed %lu, intact %lu, other %lu",
	  state, recycled, zero, intact, other);

	/* A memslot created and deleted (a BAR moved, a device unplugged). */
	nonce = f.h->host_nonce;
	slot.slot = 1;
	slot.guest_phys_addr = 1UL << 30;
	slot.memory_size = 2UL << 20;
	slot.userspace_addr = (uintptr_t)extra;
	if (ioctl(f.vm, KVM_SET_USER_MEMORY_REGION, &slot))
		die("KVM_SET_USER_MEMORY_REGION (create slot 1)");
	slot.memory_size = 0;
	if (ioctl(f.vm, KVM_SET_USER_MEMORY_REGION, &slot))
		die("KVM_SET_USER_MEMORY_REGION (delete slot 1)");
	fakevm_read(&f, "state", state, sizeof(state));
	T(!strcmp(state, "stopped") && f.h->host_nonce != nonce &&
	  fakevm_read(&f, "memslot_removals", NULL, 0) == 1, "memslot-removal-stops",
	  "state %s, nonce %s, memslot_removals %ld", state,
	  f.h->host_nonce != nonce ? "new" : "unchanged",
	  fakevm_read(&f, "memslot_removals", NULL, 0));
	/* Every page written again and marked again: nothing is taken. */
	fakevm_fill(&f);
	fakevm_mark(&f, 0, RAM_PAGES);
	recycled0 = fakevm_read(&f, "recycled_pages", NULL, 0);
	fakevm_wait_passes(&f, 5);
	recycled = fakevm_read(&f, "recycled_pages", NULL, 0);
	fakevm_read(&f, "state", state, sizeof(state));
	fakevm_count(&f, 0, RAM_PAGES, &intact, &zero, &other);
	T(recycled == recycled0 && !strcmp(state, "stopped") && intact == RAM_PAGES,
	  "stopped-until-confirmed", "recycled %ld more, state %s, %lu of %lu pages intact",
	  recycled - recycled0, state, intact, RAM_PAGES);
	/* A running driver's answer: the next epoch, echoing the new nonce. */
	f.h->nonce_echo = f.h->host_nonce;
	__atomic_store_n(&f.h->state, (4ULL << PPR_STATE_EPOCH_SHIFT) | PPR_STATE_ACTIVE,
			 __ATOMIC_SEQ_CST);
	for (i = 0; i < 1000 && fakevm_read(&f, "recycled_pages", NULL, 0) <
			       recycled0 + (long)RAM_PAGES / 2; i++)
		usleep(10000);
	fakevm_wait_passes(&f, 3);
	recycled = fakevm_read(&f, "recycled_pages", NULL, 0) - recycled0;
	fakevm_read(&f, "state", state, sizeof(state));
	fakevm_count(&f, 0, RAM_PAGES, &intact, &zero, &other);
	T(!strcmp(state, "active") && fakevm_read(&f, "epoch", NULL, 0) == 4 &&
	  recycled >= (long)RAM_PAGES / 2 && (long)zero == recycled && !other,
	  "memslot-removal-confirmed-resumes",
	  "state %s, recycled %ld, pages zeroed %lu, intact %lu, other %lu",
	  state, recycled, zero, intact, other);

	/*
	 * The header page punched out of the file under the active VM: QEMU
	 * and the guest now see a blank header ("inactive"), while the marks
	 * are set again in the pages that stayed. Nothing may be taken.
	 */
	fakevm_unmark(&f, 0, RAM_PAGES);	/* every page taken back for use */
	fakevm_wait_passes(&f, 3);		/* and retries find nothing */
	recycled0 = fakevm_read(&f, "recycled_pages", NULL, 0);
	fakevm_fill(&f);
	if (fallocate(f.area, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096))
		die("fallocate(PUNCH_HOLE) of the header page");
	memset((char *)f.h + PPR_AREA_HEADER_SIZE, 0xff, RAM_PAGES / 8);
	memset((char *)f.h + PPR_AREA_HEADER_SIZE + RAM_PAGES / 8, 0xff, 8);
	fakevm_wait_passes(&f, 5);
	recycled = fakevm_read(&f, "recycled_pages", NULL, 0);
	fakevm_read(&f, "state", state, sizeof(state));
	fakevm_count(&f, 0, RAM_PAGES, &intact, &zero, &other);
	T(recycled == recycled0 && !strcmp(state, "bad_area") && intact == RAM_PAGES &&
	  !f.h->state, "punched-area-stops",
	  "recycled %ld more, state %s, %lu of %lu pages intact, header state now %#llx",
	  recycled - recycled0, state, intact, RAM_PAGES, (unsigned long long)f.h->state);

	unlink(f.path);
	return tap_failed;
}
