/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ppr_pageone module internals. The module:
 *   module.c     load and unload, in order
 *   pool.c       the daemon, the work threads and their queue (pool.h);
 *                it names no client
 *   recycler.c   the recycler, a client of the pool: a VM's lifetime
 *                state, the passes, the slices
 *   attach.c     attach and detach, the mark area's mapping, VM references
 *   dev.c        /dev/ppr_pageone and its ioctls
 *   sysfs.c      /sys/kernel/mm/ppr_pageone
 *   scope.c      what PageONE is told of attached VMs: the free pages it
 *                skips, the guest RAM it scans
 * and, from mm/pageone/, client.c: PageONE's client of the pool.
 */
#ifndef _MM_PPR_PPR_H
#define _MM_PPR_PPR_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/ppr_area.h>
#include <linux/ppr_recycle.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <uapi/linux/ppr.h>

#include "pool.h"
#include "../pageone/client.h"

struct kvm;

#define PPR_MAX_CHUNKS_PER_PASS	BIT(20)

/* Where a VM is in the guest lifetime protocol (docs/mark-area.md). */
enum ppr_vm_status {
	PPR_VM_WAITING,		/* no active epoch seen yet: nothing honoured */
	PPR_VM_ACTIVE,		/* active in vm->epoch: marks honoured */
	PPR_VM_STOPPED,		/* a memslot went away: wait for a newer epoch */
	PPR_VM_BAD_AREA,	/* the header is invalid: wait for a valid one */
	PPR_VM_UNCONFIRMED,	/* active, but not echoing our nonce: not honoured */
};

struct ppr_vm_stats {
	atomic64_t recycled;		/* pages */
	atomic64_t skipped[PPR_SKIP_NR];	/* pages */
	atomic64_t passes;		/* recycle passes over this VM */
	atomic64_t slices;		/* summary chunks handed to workers */
	atomic64_t no_memslot;		/* marked pages at GFNs with no memslot */
	atomic64_t bad_area;		/* passes skipped on an invalid header */
	atomic64_t unconfirmed;		/* passes skipped: active, nonce not echoed */
	atomic64_t memslot_removals;	/* removals seen while attached */
	atomic64_t thp_splits;		/* THPs split, fully marked, to recycle */
	atomic64_t thp_collapses;	/* of those ranges, huge again (khugepaged) */
	atomic64_t swap_freed;		/* marked pages swapped out: slots freed */
	atomic64_t retried_chunks;	/* chunks queued again after a pin/lock skip */
	atomic64_t capped_passes;	/* passes cut at max_chunks_per_pass */
	atomic64_t worker_time;		/* ns the work threads spent on its slices */
	/* guest RAM in PageONE's scope, as of the last look (merge_vm_ram) */
	atomic64_t ram_mergeable;	/* pages in mergeable VMAs */
	atomic64_t ram_unmergeable;	/* pages KSM cannot serve */
	atomic64_t ram_merge_failures;	/* looks that failed (retried) */
};

/* A host range of guest RAM: one memslot's. */
struct ppr_ram_range {
	unsigned long hva;
	unsigned long len;
};

struct ppr_vm {
	/*
	 * References (ppr_vm_get/put): the list's while attached, the
	 * kobject's while vms/<id> exists, one per queued slice, one for a
	 * pending detach_work. The last put frees the VM (attach.c).
	 */
	struct kref ref;
	/*
	 * In ppr_vms: added and removed under ppr_vms_lock, walked under it or
	 * under RCU (the memslot hook, PageONE's filter).
	 */
	struct list_head node;
	u32 id;
	char name[PPR_NAME_LEN];
	pid_t vmm_pid;
	struct kvm *kvm;		/* kvm_get_kvm() while attached */
	struct mm_struct *mm;		/* kvm->mm, mmgrab() while attached */
	struct mmu_notifier mn;		/* ->release: the VMM exits, detach */
	bool mn_registered;

	/* The area: the backing file's pages, pinned and mapped. */
	struct file *area_file;
	struct page **area_pages;
	unsigned int area_npages;
	void *area;
	size_t area_size;
	struct ppr_area_header *hdr;

	/*
	 * Lifetime state, under lock. The daemon moves status forward at the
	 * start of a pass; the memslot hook stops it at any time; workers
	 * read it in ppr_vm_may_claim() after they cleared their PTEs.
	 */
	spinlock_t lock;
	enum ppr_vm_status status;
	u64 epoch;			/* honoured epoch (PPR_VM_ACTIVE) */
	u64 stop_epoch;			/* PPR_VM_STOPPED: resume above this */
	u64 nonce;			/* hdr->host_nonce as we wrote it */
	struct ppr_area_view view;	/* validated at the pass start */
	bool detaching;			/* no new slices */
	bool area_gone;			/* area file truncated: stopped for good */

	/*
	 * Held by a worker from its batch's MMU-notifier range start to the
	 * range end (ppr_recycle_batch.range_lock): one range in progress per
	 * VM, so that KVM's folded invalidation range resets between batches.
	 */
	struct mutex range_lock;
	/*
	 * Batches between their start and their accounting. Once it reads 0
	 * after the VM left PPR_VM_ACTIVE, no batch can claim again until the
	 * next announcement: the lifetime test waits for it.
	 */
	atomic_t batches_in_flight;
	/*
	 * Chunks to scan again at the next pass (pages pinned or locked),
	 * each with the epoch it belongs to; stored by workers, taken by
	 * the daemon's pass (the xarray's own lock).
	 */
	struct xarray retry;
	/*
	 * Chunks queued or being scanned: one slice per chunk at most. Stored
	 * by the daemon when it queues, erased when the slice is freed.
	 */
	struct xarray queued;
	atomic_t nr_queued;		/* entries of @queued */
	u64 cursor;			/* under ppr_vms_lock: where a capped pass stopped */
	/*
	 * Host THPs the recycler split, by hva >> PMD_SHIFT, until a pass
	 * finds the range PMD-mapped again (counted in thp_collapses) or its
	 * VMA gone. Stored by workers, walked and erased by the daemon's
	 * pass (the xarray's own lock).
	 */
	struct xarray thp_split;

	struct ppr_vm_stats stats;
	/*
	 * Under ppr_vms_lock: memslot generation of the last merge_vm_ram
	 * look, and the host ranges of guest RAM the module made mergeable
	 * (undone when merge_vm_ram is cleared, at detach and at rmmod).
	 */
	u64 ram_gen;
	bool ram_looked;
	struct ppr_ram_range *ram_made;
	unsigned int nr_ram_made;
	struct kobject kobj;		/* vms/<id> */
	struct work_struct detach_work;	/* from mmu_notifier ->release */
};

/* Global counters, in pages unless named otherwise. */
struct ppr_stats {
	atomic64_t recycled;
	atomic64_t skipped[PPR_SKIP_NR];
	atomic64_t passes;		/* daemon passes over all VMs */
	atomic64_t slices;
	atomic64_t no_memslot;
	atomic64_t memslot_removals;
	atomic64_t thp_splits;
	atomic64_t thp_collapses;
	atomic64_t swap_freed;
	atomic64_t retried_chunks;
};

extern struct ppr_stats ppr_stats;

/* recycler.c */
extern unsigned int ppr_reclaim_period_ms;
extern unsigned int ppr_max_chunks_per_pass;
extern bool ppr_run;
extern bool ppr_lru_drain_wanted;
struct ppr_client *ppr_recycler_client(void);
void ppr_recycler_kick(void);
bool ppr_queue_slice(struct ppr_vm *vm, u64 chunk);
int ppr_set_reclaim_period(unsigned int ms);
extern unsigned int ppr_thp_split_min_free;
int ppr_set_thp_split_min_free(unsigned int pages);

/* recycler.c: a VM's lifetime state, passes and slices */
void ppr_vm_pass(struct ppr_vm *vm);
void ppr_vm_do_slice(struct ppr_vm *vm, u64 chunk, struct ppr_recycle_scratch *scratch);
void ppr_vm_slice_done(struct ppr_vm *vm, u64 chunk);
bool ppr_vm_active_view(struct ppr_vm *vm, struct ppr_area_view *view, u64 *epoch);
void ppr_vm_memslot_removal(struct kvm *kvm);
const char *ppr_vm_status_name(enum ppr_vm_status s);

/* attach.c */
extern struct list_head ppr_vms;
extern struct mutex ppr_vms_lock;
int ppr_attach_init(struct kobject *vms_dir, const struct attribute_group *vm_group);
void ppr_attach_exit(void);
int ppr_vm_attach(struct ppr_attach *req);
int ppr_vm_detach(u32 id);
void ppr_vm_detach_all(void);
void ppr_vm_get(struct ppr_vm *vm);
void ppr_vm_put(struct ppr_vm *vm);
int ppr_area_validate(struct ppr_vm *vm, struct ppr_area_view *view);
bool ppr_vm_area_intact(struct ppr_vm *vm);

/* scope.c */
extern bool ppr_merge_vm_ram;
void ppr_vm_pageone_filter(struct mm_struct *mm, const unsigned long *addrs,
			   unsigned int n, unsigned long *skip);
void ppr_vm_merge_ram(void);
void ppr_vm_restore_ram(u32 id);
void ppr_vm_restore_ram_all(void);

/* dev.c */
int ppr_dev_init(void);
void ppr_dev_exit(void);

/* sysfs.c */
int ppr_sysfs_init(void);
struct kobject *ppr_sysfs_root(void);
void ppr_sysfs_exit(void);
const struct attribute_group *ppr_sysfs_vm_group(void);
struct kobject *ppr_sysfs_vms_dir(void);

#endif /* _MM_PPR_PPR_H */
