/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VMM with no vCPU, for host tests that drive the recycler directly: a
 * KVM VM whose memslot 0 is this process's anonymous memory, and a mark
 * area file this process writes as a guest driver would. The recycler
 * then takes this process's own pages: a recycled page reads zero.
 */
#ifndef FAKEVM_H
#define FAKEVM_H

#include <linux/ppr.h>
#include <stddef.h>
#include <stdint.h>

#define FAKEVM_AREA_BYTES	(1UL << 20)

struct fakevm {
	int dev;			/* /dev/ppr_pageone, -1 until the module is loaded */
	int vm;				/* KVM VM fd */
	int area;			/* the area file, /dev/shm/ppr-NAME */
	int id;				/* vms/<id> once attached */
	char path[64];
	struct ppr_area_header *h;	/* the area, mapped shared */
	uint64_t *ram;			/* guest RAM: GFN N at ram + N * 512 */
	unsigned long pages;
};

/* TAP line "PPR-TAP ok|not ok - GROUP/NAME # ..."; failures are remembered. */
void tap_check(int ok, const char *group, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
extern int tap_failed;

void die(const char *what) __attribute__((noreturn));

/*
 * A VM with @pages of RAM (a multiple of 512, 2 MiB aligned) and a blank
 * area. The caller madvises @f->ram as it needs before touching it.
 */
void fakevm_create(struct fakevm *f, const char *name, unsigned long pages);
/* Attach it (PPR_IOC_ATTACH); exits on failure. */
void fakevm_attach(struct fakevm *f);
/* Lay the area out for the RAM, inactive, bitmaps clear. */
void fakevm_layout(struct fakevm *f);
/* Announce @epoch as a driver bound after the attach: echo the nonce. */
void fakevm_announce(struct fakevm *f, uint64_t epoch);
/* Mark GFNs [@first, @first + @n) free and flag their chunks. */
void fakevm_mark(struct fakevm *f, unsigned long first, unsigned long n);
/* Unmark them, as a guest does before it writes to a page it allocates. */
void fakevm_unmark(struct fakevm *f, unsigned long first, unsigned long n);
/* Write each page's own pattern; count pages holding it, or zeroes. */
void fakevm_fill(struct fakevm *f);
void fakevm_count(const struct fakevm *f, unsigned long first, unsigned long n,
		  unsigned long *intact, unsigned long *zero, unsigned long *other);
/* vms/<id>/FILE as a number; its text in @buf if not NULL. */
long fakevm_read(const struct fakevm *f, const char *file, char *buf, size_t len);
/*
 * Field @field ("Rss", "AnonHugePages") of the /proc/self/smaps entry of
 * the mapping that holds @addr, in KiB; -1 if not found.
 */
long fakevm_smaps_kib(const void *addr, const char *field);
/* Wait until vms/<id>/passes has moved by @n; 30 s at most. */
void fakevm_wait_passes(const struct fakevm *f, long n);

#endif
