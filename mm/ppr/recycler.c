// SPDX-License-Identifier: GPL-2.0
/*
 * The recycler, as a client of the thread pool (pool.h). Every reclaim
 * period its tick moves each attached VM's lifetime state forward from
 * what the guest published, looks at its summary bitmap and queues one
 * slice per flagged 2 MiB chunk (ppr_vm_pass()); a work thread recycles
 * the marked pages of a slice (ppr_vm_do_slice(), with mm/ppr/recycle.c).
 * When no guest marked anything, a pass reads one summary word per
 * 128 MiB of guest memory and queues nothing. KVM's memslot hook stops a
 * VM at any time (ppr_vm_memslot_removal()).
 */
#define pr_fmt(fmt) "ppr_pageone: " fmt

#include <linux/jiffies.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched/clock.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "ppr.h"

unsigned int ppr_reclaim_period_ms = 10000;
bool ppr_run = true;
bool ppr_lru_drain_wanted;	/* a work thread skipped a page as pinned */
struct ppr_stats ppr_stats;

/* Set the reclaim period; -ERANGE outside PPR_MIN/MAX_PERIOD_MS. */
int ppr_set_reclaim_period(unsigned int ms)
{
	if (ms < PPR_MIN_PERIOD_MS || ms > PPR_MAX_PERIOD_MS)
		return -ERANGE;
	WRITE_ONCE(ppr_reclaim_period_ms, ms);
	ppr_recycler_kick();
	return 0;
}

static int ppr_set_period(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	return err ? err : ppr_set_reclaim_period(v);
}

static const struct kernel_param_ops ppr_period_ops = {
	.set = ppr_set_period,
	.get = param_get_uint,
};
module_param_cb(reclaim_period_ms, &ppr_period_ops, &ppr_reclaim_period_ms, 0444);
MODULE_PARM_DESC(reclaim_period_ms, "milliseconds between recycle passes (10..3600000, default 10000)");

/*
 * A host THP is split, and its marked pages recycled, when at least this
 * many of its 512 pages are marked free (docs/decisions.md, "A partly free
 * THP is split when half of it is free"). 512: only THPs freed whole.
 */
unsigned int ppr_thp_split_min_free = 256;

/* Set ppr_thp_split_min_free; -ERANGE outside 1..PTRS_PER_PTE. */
int ppr_set_thp_split_min_free(unsigned int pages)
{
	if (pages < 1 || pages > PTRS_PER_PTE)
		return -ERANGE;
	WRITE_ONCE(ppr_thp_split_min_free, pages);
	return 0;
}

static int ppr_set_thp_split_param(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	return err ? err : ppr_set_thp_split_min_free(v);
}

static const struct kernel_param_ops ppr_thp_split_ops = {
	.set = ppr_set_thp_split_param,
	.get = param_get_uint,
};
module_param_cb(thp_split_min_free, &ppr_thp_split_ops, &ppr_thp_split_min_free, 0444);
MODULE_PARM_DESC(thp_split_min_free,
		 "free pages (of 512) at which a host THP is split to be recycled (1..512, default 256)");

static int ppr_set_chunks_param(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (!v || v > PPR_MAX_CHUNKS_PER_PASS)
		return -ERANGE;
	ppr_max_chunks_per_pass = v;
	return 0;
}

static const struct kernel_param_ops ppr_chunks_ops = {
	.set = ppr_set_chunks_param,
	.get = param_get_uint,
};

/* Set at load time only: the bound on one VM's share of a pass. */
unsigned int ppr_max_chunks_per_pass = 8192;
module_param_cb(max_chunks_per_pass, &ppr_chunks_ops, &ppr_max_chunks_per_pass, 0444);
MODULE_PARM_DESC(max_chunks_per_pass,
		 "2 MiB chunks of one VM queued per pass at most (1..1048576, default 8192: 16 GiB of guest memory)");

module_param_named(run, ppr_run, bool, 0444);
MODULE_PARM_DESC(run, "recycle from load on (default true)");

/* --- a VM's lifetime, as the guest publishes it ------------------------ */

static const char * const ppr_status_names[] = {
	[PPR_VM_WAITING] = "waiting",
	[PPR_VM_ACTIVE] = "active",
	[PPR_VM_STOPPED] = "stopped",
	[PPR_VM_BAD_AREA] = "bad_area",
	[PPR_VM_UNCONFIRMED] = "unconfirmed",
};

const char *ppr_vm_status_name(enum ppr_vm_status s)
{
	return ppr_status_names[s];
}

/*
 * Was the active @state announced by a driver that read our nonce? The
 * guest writes its echo, then its state (a release, or a fully ordered
 * exchange); we read the state (acquire), the echo, and the state again.
 * An echo seen with an unchanged state belongs to the guest that
 * announced that state, or to the same running driver about to announce
 * again: a new boot's driver writes "inactive" before its echo, so an old
 * header cannot be paired with a new echo.
 */
static bool ppr_vm_confirmed(struct ppr_vm *vm, u64 state)
{
	u64 echo = READ_ONCE(vm->hdr->nonce_echo);

	lockdep_assert_held(&vm->lock);
	smp_rmb();	/* the echo, then the state again */
	return echo == vm->nonce && READ_ONCE(vm->hdr->state) == state;
}

/*
 * Move the VM's lifetime state forward from what the guest published; at
 * the start of each pass, by the daemon. Marks are honoured only in
 * PPR_VM_ACTIVE, for the epoch recorded here, and only once the guest has
 * echoed the nonce written at attach (include/uapi/linux/ppr.h): a header
 * left active by a VM that is gone is never trusted.
 */
static void ppr_vm_update_status(struct ppr_vm *vm)
{
	struct ppr_area_view view;
	u64 state, epoch;
	bool valid, confirmed, intact = ppr_vm_area_intact(vm);

	/* Pairs with the guest's release of "active": the layout is ready. */
	state = smp_load_acquire(&vm->hdr->state);
	epoch = PPR_STATE_EPOCH(state);
	valid = !ppr_area_validate(vm, &view);

	spin_lock(&vm->lock);
	confirmed = valid && (state & PPR_STATE_ACTIVE) && ppr_vm_confirmed(vm, state);
	if (!intact || vm->area_gone) {
		/* For good: the area we pinned is not the file's any more. */
		if (!vm->area_gone)
			pr_warn("vm %u (%s): its area file was truncated or hole-punched: recycling stopped; detach and attach the VM again\n",
				vm->id, vm->name);
		vm->area_gone = true;
		vm->status = PPR_VM_BAD_AREA;
		atomic64_inc(&vm->stats.bad_area);
	} else if (!(state & PPR_STATE_ACTIVE)) {
		if (vm->status != PPR_VM_STOPPED)
			vm->status = PPR_VM_WAITING;
	} else if (!valid) {
		if (vm->status != PPR_VM_STOPPED)
			vm->status = PPR_VM_BAD_AREA;
		atomic64_inc(&vm->stats.bad_area);
	} else if (!confirmed) {
		/* A stale header, or a guest that has not seen the nonce yet. */
		if (vm->status != PPR_VM_STOPPED)
			vm->status = PPR_VM_UNCONFIRMED;
		atomic64_inc(&vm->stats.unconfirmed);
	} else {
		switch (vm->status) {
		case PPR_VM_STOPPED:
			/* Only an announcement after the removal counts. */
			if (epoch <= vm->stop_epoch)
				break;
			fallthrough;
		case PPR_VM_WAITING:
		case PPR_VM_BAD_AREA:
		case PPR_VM_UNCONFIRMED:
			/*
			 * Active again only in a new epoch: its bitmap was
			 * cleared after the stop. The flag set again in an old
			 * epoch (no driver of ours does that) is not honoured.
			 */
			if (epoch <= vm->epoch)
				break;
			fallthrough;
		case PPR_VM_ACTIVE:
			/* Epochs only grow: no driver of ours goes back. */
			if (epoch < vm->epoch) {
				vm->status = PPR_VM_BAD_AREA;
				atomic64_inc(&vm->stats.bad_area);
				break;
			}
			/*
			 * The same epoch, or a new one: the guest cleared its
			 * bitmap first (a new boot) or kept it up to date (the
			 * same driver confirming our nonce).
			 */
			vm->status = PPR_VM_ACTIVE;
			vm->epoch = epoch;
			vm->view = view;
			break;
		}
	}
	spin_unlock(&vm->lock);
}

/*
 * Copy the honoured layout of @vm, and the epoch it belongs to, if marks
 * are honoured now. @epoch may be NULL.
 */
bool ppr_vm_active_view(struct ppr_vm *vm, struct ppr_area_view *view,
			u64 *epoch)
{
	bool active;

	spin_lock(&vm->lock);
	active = vm->status == PPR_VM_ACTIVE && !vm->detaching;
	if (active) {
		*view = vm->view;
		if (epoch)
			*epoch = vm->epoch;
	}
	spin_unlock(&vm->lock);
	return active;
}

/*
 * Scan @chunk again at the next pass of @epoch: some of its marked pages
 * were pinned or locked, which passes. The guest's summary bit for it is
 * consumed, and the host does not write it back: the area may have been
 * laid out anew since (a new boot), so the host keeps its own list.
 */
static void ppr_vm_retry_later(struct ppr_vm *vm, u64 chunk, u64 epoch)
{
	/* On failure (no memory) the guest's next free in the chunk flags it. */
	xa_store(&vm->retry, chunk, xa_mk_value(epoch & (LONG_MAX >> 1)), GFP_KERNEL);
}

/* Queue one slice for @chunk unless one is queued or running already. */
static int ppr_vm_queue_chunk(struct ppr_vm *vm, u64 chunk)
{
	int err = xa_insert(&vm->queued, chunk, xa_mk_value(1), GFP_KERNEL);

	if (err)
		return err;		/* -EBUSY: queued already */
	atomic_inc(&vm->nr_queued);
	if (!ppr_queue_slice(vm, chunk)) {
		ppr_vm_slice_done(vm, chunk);
		return -ENOMEM;
	}
	return 0;
}

/* The slice of @chunk is done with (ran or not): the chunk may be queued. */
void ppr_vm_slice_done(struct ppr_vm *vm, u64 chunk)
{
	if (xa_erase(&vm->queued, chunk))
		atomic_dec(&vm->nr_queued);
}

/*
 * Queue the flagged chunks of [@from, @to) while @budget lasts. A chunk
 * whose slice is still queued or running keeps its summary bit for the
 * next pass: that slice may have read its marks already. Returns false,
 * with vm->cursor where to start next time, when the pass must stop.
 */
static bool ppr_vm_queue_range(struct ppr_vm *vm, struct ppr_area_view *view,
			       u64 epoch, u64 from, u64 to, unsigned int *budget)
{
	u64 s;
	int err;

	for (s = find_next_bit(view->summary, to, from); s < to;
	     s = find_next_bit(view->summary, to, s + 1)) {
		if (xa_load(&vm->queued, s))
			continue;
		if (!*budget) {
			vm->cursor = s;
			atomic64_inc(&vm->stats.capped_passes);
			return false;
		}
		/*
		 * Clear, then the worker reads the marks: a guest that sets a
		 * mark concurrently either is seen by the worker or sets the
		 * summary bit again (docs/mark-area.md, "no lost mark").
		 */
		if (!test_and_clear_bit(s, view->summary))
			continue;
		err = ppr_vm_queue_chunk(vm, s);
		if (err == -EBUSY)
			continue;	/* a retry queued it meanwhile */
		if (err) {
			ppr_vm_retry_later(vm, s, epoch);	/* next pass */
			vm->cursor = s;
			return false;
		}
		(*budget)--;
	}
	return true;
}

/*
 * Count the ranges the recycler split that are huge pages again (the
 * guest refilled them and khugepaged collapsed them), and forget them and
 * those whose VMA went away. One mmap_read_lock() per VM and pass, only
 * while it has split ranges to look at; none if the VMM is exiting.
 */
static void ppr_vm_count_collapses(struct ppr_vm *vm)
{
	unsigned long idx;
	void *e;

	lockdep_assert_held(&ppr_vms_lock);	/* one walker: the daemon */
	if (xa_empty(&vm->thp_split) || !mmget_not_zero(vm->mm))
		return;
	mmap_read_lock(vm->mm);
	xa_for_each(&vm->thp_split, idx, e) {
		int r = ppr_recycle_thp_mapped(vm->mm, idx << PMD_SHIFT);

		if (!r)
			continue;
		xa_erase(&vm->thp_split, idx);
		if (r > 0) {
			atomic64_inc(&vm->stats.thp_collapses);
			atomic64_inc(&ppr_stats.thp_collapses);
		}
	}
	mmap_read_unlock(vm->mm);
	mmput(vm->mm);
}

/*
 * The daemon's pass: queue one slice per flagged summary chunk, keeping at
 * most max_chunks_per_pass of the VM's slices queued or running, from where
 * the last capped pass stopped. A guest that flags every chunk of a huge
 * area gets that many slices in the work threads' queue, no more: another
 * VM's slice waits behind a bounded amount of its work, host memory for
 * slices stays bounded, and every flagged chunk is reached in turn.
 */
void ppr_vm_pass(struct ppr_vm *vm)
{
	unsigned int cap = READ_ONCE(ppr_max_chunks_per_pass);
	unsigned int queued = atomic_read(&vm->nr_queued);
	unsigned int budget = queued < cap ? cap - queued : 0;
	struct ppr_area_view view;
	u64 nr_chunks, epoch, from;
	unsigned long c;
	void *e;

	lockdep_assert_held(&ppr_vms_lock);	/* vm->cursor is the daemon's */
	atomic64_inc(&vm->stats.passes);
	ppr_vm_count_collapses(vm);
	ppr_vm_update_status(vm);
	if (!ppr_vm_active_view(vm, &view, &epoch))
		return;

	nr_chunks = DIV_ROUND_UP_ULL(view.nr_pfns, 1ULL << PPR_SUMMARY_SHIFT);
	/* Chunks with pinned or locked pages last time, unless flagged anyway. */
	xa_for_each(&vm->retry, c, e) {
		if (!budget)
			break;
		xa_erase(&vm->retry, c);
		if (xa_to_value(e) != (epoch & (LONG_MAX >> 1)) || c >= nr_chunks ||
		    test_bit(c, view.summary))
			continue;
		switch (ppr_vm_queue_chunk(vm, c)) {
		case 0:
			budget--;
			atomic64_inc(&vm->stats.retried_chunks);
			atomic64_inc(&ppr_stats.retried_chunks);
			break;
		case -EBUSY:
			break;
		default:
			ppr_vm_retry_later(vm, c, epoch);
			return;
		}
	}
	from = vm->cursor < nr_chunks ? vm->cursor : 0;
	vm->cursor = 0;
	if (ppr_vm_queue_range(vm, &view, epoch, from, nr_chunks, &budget) && from)
		ppr_vm_queue_range(vm, &view, epoch, 0, from, &budget);
}

/* What a slice read its marks with: the layout of one honoured epoch. */
struct ppr_slice_claim {
	struct ppr_vm *vm;
	u64 epoch;
};

/*
 * After the batch's PTEs are cleared: may its marks be claimed? Only in
 * the epoch whose layout the slice used: a later epoch may lay the area
 * out differently, and its marks were set by another boot.
 */
static bool ppr_vm_may_claim(void *arg)
{
	struct ppr_slice_claim *c = arg;
	struct ppr_vm *vm = c->vm;
	bool ok;

	/* Order the PTE clears and the flush before the reads below. */
	smp_mb();
	spin_lock(&vm->lock);
	ok = vm->status == PPR_VM_ACTIVE && !vm->detaching && !vm->area_gone &&
	     vm->epoch == c->epoch &&
	     READ_ONCE(vm->hdr->state) == ((c->epoch << PPR_STATE_EPOCH_SHIFT) |
					   PPR_STATE_ACTIVE);
	spin_unlock(&vm->lock);
	return ok;
}

static void ppr_account(struct ppr_vm *vm, struct ppr_recycle_batch *b)
{
	int i;

	if (b->recycled) {
		atomic64_add(b->recycled, &vm->stats.recycled);
		atomic64_add(b->recycled, &ppr_stats.recycled);
	}
	if (b->thp_splits) {
		atomic64_add(b->thp_splits, &vm->stats.thp_splits);
		atomic64_add(b->thp_splits, &ppr_stats.thp_splits);
	}
	if (b->swap_freed) {
		atomic64_add(b->swap_freed, &vm->stats.swap_freed);
		atomic64_add(b->swap_freed, &ppr_stats.swap_freed);
	}
	for (i = 0; i < PPR_SKIP_NR; i++) {
		if (!b->skipped[i])
			continue;
		atomic64_add(b->skipped[i], &vm->stats.skipped[i]);
		atomic64_add(b->skipped[i], &ppr_stats.skipped[i]);
	}
}

/* Marked pages among [gfn, gfn + nr): those a missing memslot leaves. */
static void ppr_count_no_memslot(struct ppr_vm *vm, unsigned long *mark,
				 u64 gfn, u64 nr)
{
	u64 n = 0, i;

	for (i = 0; i < nr; i++)
		n += test_bit(gfn + i, mark);
	if (n) {
		atomic64_add(n, &vm->stats.no_memslot);
		atomic64_add(n, &ppr_stats.no_memslot);
	}
}

/*
 * The first GFN in (@gfn, @end) where a valid memslot of @kvm starts, or
 * @end: a hole is skipped in one step, not one lookup per GFN. Under
 * kvm->srcu.
 */
static u64 ppr_next_memslot_gfn(struct kvm *kvm, u64 gfn, u64 end)
{
	struct kvm_memory_slot *slot;
	u64 next = end;
	int bkt;

	kvm_for_each_memslot(slot, bkt, kvm_memslots(kvm))
		if (!(slot->flags & KVM_MEMSLOT_INVALID) &&
		    slot->base_gfn > gfn && slot->base_gfn < next)
			next = slot->base_gfn;
	return next;
}

/* A worker's slice: recycle the marked pages of one summary chunk. */
void ppr_vm_do_slice(struct ppr_vm *vm, u64 chunk, struct ppr_recycle_scratch *scratch)
{
	struct ppr_slice_claim claim = { .vm = vm };
	struct ppr_area_view view;
	struct kvm *kvm = vm->kvm;
	u64 gfn, end, t0 = local_clock();
	bool retry = false;
	int idx;

	if (!ppr_vm_active_view(vm, &view, &claim.epoch))
		goto out;

	gfn = chunk << PPR_SUMMARY_SHIFT;
	end = min_t(u64, gfn + (1ULL << PPR_SUMMARY_SHIFT), view.nr_pfns);
	if (!mmget_not_zero(vm->mm))
		goto out;
	idx = srcu_read_lock(&kvm->srcu);
	while (gfn < end) {
		struct kvm_memory_slot *slot = gfn_to_memslot(kvm, gfn);
		struct ppr_recycle_batch b = {};
		unsigned long hva;
		u64 n;

		if (!slot || (slot->flags & KVM_MEMSLOT_INVALID)) {
			/* No RAM here (a hole, a BAR): skip to the next slot. */
			n = ppr_next_memslot_gfn(kvm, gfn, end) - gfn;
			ppr_count_no_memslot(vm, view.mark, gfn, n);
			gfn += n;
			continue;
		}
		hva = slot->userspace_addr + ((gfn - slot->base_gfn) << PAGE_SHIFT);
		n = min_t(u64, end, slot->base_gfn + slot->npages) - gfn;
		/* One batch stays within one PMD of the VMM's address space. */
		n = min_t(u64, n, (ALIGN(hva + 1, PMD_SIZE) - hva) >> PAGE_SHIFT);
		b.mm = vm->mm;
		b.hva = hva;
		b.nr = n;
		b.mark = view.mark;
		b.gfn = gfn;
		b.may_claim = ppr_vm_may_claim;
		b.arg = &claim;
		b.range_lock = &vm->range_lock;
		b.thp_split_min = READ_ONCE(ppr_thp_split_min_free);
		atomic_inc(&vm->batches_in_flight);
		ppr_recycle_batch(&b, scratch);
		ppr_account(vm, &b);
		/* Lost on -ENOMEM: that range's collapse goes uncounted. */
		if (b.thp_splits)
			xa_store(&vm->thp_split, (hva & PMD_MASK) >> PMD_SHIFT,
				 xa_mk_value(0), GFP_KERNEL);
		retry |= b.skipped[PPR_SKIP_PINNED] || b.skipped[PPR_SKIP_LOCKED];
		if (b.skipped[PPR_SKIP_PINNED])
			WRITE_ONCE(ppr_lru_drain_wanted, true);
		/* Counted before a reader can see the batch gone. */
		smp_mb__before_atomic();
		atomic_dec(&vm->batches_in_flight);
		gfn += n;
	}
	srcu_read_unlock(&kvm->srcu, idx);
	mmput(vm->mm);
	if (retry)
		ppr_vm_retry_later(vm, chunk, claim.epoch);
out:
	atomic64_add(local_clock() - t0, &vm->stats.worker_time);
}

/*
 * KVM is about to invalidate a memslot of @kvm (a reset, a BAR moved):
 * stop honouring marks until the guest announces an epoch above the one
 * visible now, echoing a new nonce. A running driver sees the nonce within
 * about a second and announces again, keeping its bitmaps; after a reset
 * no old code runs again (QEMU resets with the vCPUs paused), so only the
 * next boot's driver can echo it, after it cleared the bitmaps. Runs under
 * rcu_read_lock(), before KVM invalidates the slot.
 */
void ppr_vm_memslot_removal(struct kvm *kvm)
{
	struct ppr_vm *vm;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "the memslot hook runs under rcu_read_lock()");
	list_for_each_entry_rcu(vm, &ppr_vms, node) {
		if (vm->kvm != kvm)
			continue;
		spin_lock(&vm->lock);
		vm->stop_epoch = max(vm->epoch, PPR_STATE_EPOCH(READ_ONCE(vm->hdr->state)));
		vm->status = PPR_VM_STOPPED;
		vm->nonce = get_random_u64() ?: 1;
		WRITE_ONCE(vm->hdr->host_nonce, vm->nonce);
		spin_unlock(&vm->lock);
		atomic64_inc(&vm->stats.memslot_removals);
		atomic64_inc(&ppr_stats.memslot_removals);
	}
}

/* --- the pool's client: the tick and the slices --------------------------- */

/* One summary chunk of one VM, queued for a work thread. */
struct ppr_slice {
	struct ppr_work work;
	struct ppr_vm *vm;		/* holds a reference */
	u64 chunk;			/* summary bit: GFNs chunk << 9 .. +511 */
};

static struct ppr_client ppr_recycler;

/**
 * ppr_queue_slice - queue the recycling of one flagged chunk of @vm
 * @vm: an attached VM; the slice takes a reference
 * @chunk: its summary bit
 *
 * Return: false if no memory for the slice (nothing queued).
 */
bool ppr_queue_slice(struct ppr_vm *vm, u64 chunk)
{
	struct ppr_slice *slice = kmalloc(sizeof(*slice), GFP_KERNEL);

	if (!slice)
		return false;
	ppr_vm_get(vm);
	slice->work.client = &ppr_recycler;
	slice->vm = vm;
	slice->chunk = chunk;
	atomic64_inc(&ppr_stats.slices);
	atomic64_inc(&vm->stats.slices);
	ppr_pool_queue(&slice->work);
	return true;
}

/* The slice is done with, whether it ran or not. */
static void ppr_slice_free(struct ppr_slice *slice)
{
	ppr_vm_slice_done(slice->vm, slice->chunk);
	ppr_vm_put(slice->vm);
	kfree(slice);
}

static void ppr_recycler_run(struct ppr_work *work, void *scratch)
{
	struct ppr_slice *slice = container_of(work, struct ppr_slice, work);

	ppr_vm_do_slice(slice->vm, slice->chunk, scratch);
	ppr_slice_free(slice);
}

static void ppr_recycler_cancel(struct ppr_work *work)
{
	ppr_slice_free(container_of(work, struct ppr_slice, work));
}

/* A pass over every attached VM, each reclaim period or when kicked. */
static unsigned long ppr_recycler_tick(struct ppr_client *c, unsigned long now)
{
	struct ppr_vm *vm;

	if (READ_ONCE(ppr_run)) {
		/*
		 * Pages skipped as pinned last time may only sit in a CPU's
		 * LRU batch: drain them first.
		 */
		if (xchg(&ppr_lru_drain_wanted, false))
			ppr_recycle_drain_lru();
		mutex_lock(&ppr_vms_lock);
		list_for_each_entry(vm, &ppr_vms, node)
			ppr_vm_pass(vm);
		mutex_unlock(&ppr_vms_lock);
		atomic64_inc(&ppr_stats.passes);
	}
	return now + msecs_to_jiffies(READ_ONCE(ppr_reclaim_period_ms));
}

static void *ppr_recycler_scratch_alloc(struct ppr_client *c)
{
	return kvmalloc(sizeof(struct ppr_recycle_scratch), GFP_KERNEL);
}

static void ppr_recycler_scratch_free(struct ppr_client *c, void *scratch)
{
	kvfree(scratch);
}

static struct ppr_client ppr_recycler = {
	.name = "recycler",
	.tick = ppr_recycler_tick,
	.run = ppr_recycler_run,
	.cancel = ppr_recycler_cancel,
	.scratch_alloc = ppr_recycler_scratch_alloc,
	.scratch_free = ppr_recycler_scratch_free,
};

struct ppr_client *ppr_recycler_client(void)
{
	return &ppr_recycler;
}

/* A pass now: a VM attached, run set, the period changed. */
void ppr_recycler_kick(void)
{
	ppr_pool_kick(&ppr_recycler);
}
