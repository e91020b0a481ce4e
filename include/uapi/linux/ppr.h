/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * PPR (Per-Page Recycler): the mark area shared by a guest and its host.
 *
 * The area is the BAR of an ivshmem-plain PCI device (1af4:1110); on the
 * host it is a shared memory file. The guest driver lays it out at bind:
 *
 *   offset 0                 struct ppr_area_header (PPR_AREA_HEADER_SIZE)
 *   header.mark_offset       mark bitmap: bit N set <=> guest PFN N is free
 *   header.summary_offset    summary bitmap: bit S set => some mark bit in
 *                            PFNs [S << summary_shift, (S + 1) << summary_shift)
 *                            may be set
 *
 * Bitmaps are arrays of little-endian 64-bit words; bit N is bit (N % 64) of
 * word (N / 64). All offsets and sizes are in bytes and multiples of 8.
 *
 * The guest sets mark bits when it frees pages and clears them, with an
 * atomic read-modify-write, before it writes to a page it allocates. The
 * host may take a marked page back (clearing its mark atomically) only while
 * @state says the guest is active, in the epoch it saw when it began, and
 * only in an epoch the guest announced echoing the host's nonce. The
 * host must treat every field as untrusted input and check every offset and
 * size against the size of the area it mapped.
 *
 * This header is the one ABI shared by the guest driver, the host module and
 * pprctl. See docs/mark-area.md for the protocol and its memory ordering.
 */
#ifndef _UAPI_LINUX_PPR_H
#define _UAPI_LINUX_PPR_H

#include <linux/types.h>

#define PPR_AREA_MAGIC		0x41525050U	/* "PPRA" in little-endian bytes */
#define PPR_AREA_VERSION	2U
#define PPR_AREA_HEADER_SIZE	4096U

/* One summary bit per 2^9 pages: 2 MiB of guest-physical space at 4 KiB. */
#define PPR_SUMMARY_SHIFT	9U

/*
 * @state: bit 0 is PPR_STATE_ACTIVE, bits 63..1 the epoch. The guest writes
 * the whole word at once, so the host reads active flag and epoch together.
 */
#define PPR_STATE_ACTIVE	0x1ULL
#define PPR_STATE_EPOCH_SHIFT	1
#define PPR_STATE_EPOCH(s)	((s) >> PPR_STATE_EPOCH_SHIFT)

/*
 * Guest-side counters, in pages, published by the guest about once a second
 * and on every read of its sysfs files. Informational: never trusted by the
 * host for any decision.
 */
struct ppr_area_counters {
	__u64 marks;		/* mark bits the guest set (pages freed)      */
	__u64 unmarks;		/* mark bits the guest cleared (pages reused) */
	__u64 unmark_missing;	/* allocated pages whose bit was already clear */
	__u64 out_of_range;	/* pages beyond nr_pfns, not tracked          */
	__u64 marked_now;	/* bits set at the last publication           */
	__u64 published_ns;	/* guest CLOCK_MONOTONIC at publication       */
	__u64 reserved[2];
};

struct ppr_area_header {
	/* Cache line 0: layout, written at bind while the guest is inactive. */
	__u32 magic;		/* PPR_AREA_MAGIC */
	__u32 version;		/* PPR_AREA_VERSION */
	__u32 header_size;	/* PPR_AREA_HEADER_SIZE */
	__u32 page_shift;	/* log2 of the guest page size */
	__u32 summary_shift;	/* PPR_SUMMARY_SHIFT */
	__u32 mark_offset;
	__u32 mark_size;	/* bytes: DIV_ROUND_UP(nr_pfns, 64) * 8 */
	__u32 summary_offset;
	__u32 summary_size;	/* bytes: one bit per 1 << summary_shift PFNs */
	__u32 reserved0;
	__u64 area_size;	/* bytes the guest uses, <= the BAR size */
	__u64 nr_pfns;		/* PFNs 0 .. nr_pfns - 1 are tracked */
	__u64 reserved1;

	/* Cache line 1: guest lifetime. Written by the guest only. */
	__u64 state;		/* epoch << 1 | PPR_STATE_ACTIVE */
	__u64 nonce_echo;	/* host_nonce as read before publishing state */
	__u64 reserved2[6];

	/* Cache line 2: guest counters. */
	struct ppr_area_counters counters;

	/*
	 * Cache line 3: written by the host only. A random value the host
	 * writes when it attaches the area. The host honours an active
	 * @state only if @nonce_echo equals its nonce: a header left active
	 * by a guest that is gone (its VMM killed, the area reused by a new
	 * VM) never does. A bound driver that sees a new nonce announces
	 * again, in a new epoch, echoing it.
	 */
	__u64 host_nonce;
	__u64 reserved3[7];
};

/*
 * Host side: /dev/ppr_pageone, the control device of the ppr_pageone module.
 * Status and tunables are in sysfs, /sys/kernel/mm/ppr_pageone/; the ioctls
 * below attach and detach VMs. Every struct starts with its size, so that
 * it can grow: the kernel rejects a size it does not know with EINVAL.
 */
#define PPR_DEVICE_NAME		"ppr_pageone"
#define PPR_NAME_LEN		32

/* Attach a VM: recycle the pages its guest marks in the area. */
struct ppr_attach {
	__u32 size;		/* in: sizeof(struct ppr_attach) */
	__s32 kvm_fd;		/* in: a KVM VM fd (anon_inode:kvm-vm) of the caller's */
	__s32 area_fd;		/* in: the mark area's backing file, opened O_RDWR */
	__u32 flags;		/* in: 0 */
	__u64 area_offset;	/* in: byte offset of the area in the file (page aligned) */
	__u64 area_size;	/* in: bytes of the area (the ivshmem BAR size) */
	__s32 vmm_pid;		/* in: pid of the VMM, for status only (0: unknown) */
	__u32 vm_id;		/* out: names /sys/kernel/mm/ppr_pageone/vms/<vm_id> */
	char name[PPR_NAME_LEN];	/* in: label for status, NUL-terminated */
};

/* Detach a VM: stop recycling, release the area and the VM. */
struct ppr_detach {
	__u32 size;		/* in: sizeof(struct ppr_detach) */
	__u32 vm_id;		/* in: from PPR_IOC_ATTACH */
};

#define PPR_IOC_MAGIC		0xBA
#define PPR_IOC_ATTACH		_IOWR(PPR_IOC_MAGIC, 1, struct ppr_attach)
#define PPR_IOC_DETACH		_IOW(PPR_IOC_MAGIC, 2, struct ppr_detach)

#endif /* _UAPI_LINUX_PPR_H */
