// SPDX-License-Identifier: GPL-2.0
/*
 * Attached VMs: attach and detach, the guest lifetime state machine, the
 * daemon's pass over a VM's summary bitmap and a worker's slice.
 *
 * The host never trusts the area: the layout is copied out of the header
 * and checked against the size of the file we mapped at every pass, and a
 * GFN is used only if a memslot of the VM maps it. A guest that writes
 * garbage into its area can at worst have its own free pages misjudged.
 */
#define pr_fmt(fmt) "ppr_pageone: " fmt

#include <linux/file.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/pageone.h>
#include <linux/random.h>
#include <linux/sched/clock.h>
#include <linux/sched/mm.h>
#include <linux/shmem_fs.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "ppr.h"

#define PPR_AREA_MAX_BYTES	SZ_1G

/* Attached VMs; changes under ppr_vms_lock, RCU readers (see struct ppr_vm). */
LIST_HEAD(ppr_vms);
DEFINE_MUTEX(ppr_vms_lock);	/* protects ppr_vms changes and daemon passes */
static DEFINE_IDA(ppr_vm_ida);

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

void ppr_vm_put(struct ppr_vm *vm)
{
	kobject_put(&vm->kobj);
}

/* The last reference is gone: nothing uses the VM any more. */
void ppr_vm_kobj_release(struct kobject *kobj)
{
	struct ppr_vm *vm = container_of(kobj, struct ppr_vm, kobj);
	unsigned int i;

	if (vm->area)
		vunmap(vm->area);
	for (i = 0; i < vm->area_npages; i++)
		put_page(vm->area_pages[i]);
	kvfree(vm->area_pages);
	if (vm->area_file)
		fput(vm->area_file);
	if (vm->mm)
		mmdrop(vm->mm);
	if (vm->kvm)
		kvm_put_kvm(vm->kvm);
	if (vm->id)
		ida_free(&ppr_vm_ida, vm->id);
	xa_destroy(&vm->retry);
	xa_destroy(&vm->queued);
	kfree(vm);
}

/*
 * Copy the layout out of the header and check it against what we mapped.
 * Returns 0 and fills @view, or -EINVAL.
 */
static int ppr_area_validate(struct ppr_vm *vm, struct ppr_area_view *view)
{
	const struct ppr_area_header *h = vm->hdr;
	u32 magic = READ_ONCE(h->magic), version = READ_ONCE(h->version);
	u32 hsize = READ_ONCE(h->header_size), pshift = READ_ONCE(h->page_shift);
	u32 sshift = READ_ONCE(h->summary_shift);
	u64 moff = READ_ONCE(h->mark_offset), msize = READ_ONCE(h->mark_size);
	u64 soff = READ_ONCE(h->summary_offset), ssize = READ_ONCE(h->summary_size);
	u64 nr_pfns = READ_ONCE(h->nr_pfns), size = vm->area_size;

	if (magic != PPR_AREA_MAGIC || version != PPR_AREA_VERSION ||
	    hsize != PPR_AREA_HEADER_SIZE || pshift != PAGE_SHIFT ||
	    sshift != PPR_SUMMARY_SHIFT || !nr_pfns || nr_pfns > (1ULL << 40))
		return -EINVAL;
	if (moff < hsize || moff % 8 || msize < ppr_mark_bytes(nr_pfns) ||
	    moff + msize > size)
		return -EINVAL;
	if (soff < hsize || soff % 8 || ssize < ppr_summary_bytes(nr_pfns) ||
	    soff + ssize > size)
		return -EINVAL;
	if (soff < moff + msize && moff < soff + ssize)		/* overlap */
		return -EINVAL;
	view->mark = vm->area + moff;
	view->summary = vm->area + soff;
	view->nr_pfns = nr_pfns;
	return 0;
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
static bool ppr_vm_area_intact(struct ppr_vm *vm);

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
static bool ppr_vm_active_view(struct ppr_vm *vm, struct ppr_area_view *view,
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

static bool ppr_slot_has_hva(const struct kvm_memory_slot *slot, unsigned long hva)
{
	return hva >= slot->userspace_addr &&
	       hva - slot->userspace_addr < (slot->npages << PAGE_SHIFT);
}

/**
 * ppr_vm_dedup_skip - PageONE's filter: guest pages marked free
 * @mm: the mm PageONE scans
 * @addrs: @n ascending addresses in @mm
 * @n: how many
 * @skip: bit i set when addrs[i] is guest RAM of an attached, active VM
 *        and the guest marked that page free (the recycler takes it soon;
 *        merging it would only keep it)
 *
 * Called by a work thread with no lock held.
 */
void ppr_vm_dedup_skip(struct mm_struct *mm, const unsigned long *addrs,
		       unsigned int n, unsigned long *skip)
{
	struct kvm_memory_slot *slot = NULL, *s;
	struct ppr_area_view view;
	struct kvm_memslots *slots;
	struct ppr_vm *vm;
	unsigned int i;
	int idx, bkt;

	/*
	 * RCU, as the memslot hook: a detach waits for it before it drops
	 * the VM and its kvm reference, and no work thread waits for the
	 * daemon's ppr_vms_lock once per batch.
	 */
	rcu_read_lock();
	list_for_each_entry_rcu(vm, &ppr_vms, node)
		if (vm->mm == mm)
			goto found;
	rcu_read_unlock();
	return;
found:
	if (!ppr_vm_active_view(vm, &view, NULL))
		goto out;
	idx = srcu_read_lock(&vm->kvm->srcu);
	slots = kvm_memslots(vm->kvm);
	for (i = 0; i < n; i++) {
		unsigned long hva = addrs[i];
		u64 gfn;

		if (!slot || !ppr_slot_has_hva(slot, hva)) {
			slot = NULL;
			kvm_for_each_memslot(s, bkt, slots)
				if (ppr_slot_has_hva(s, hva)) {
					slot = s;
					break;
				}
			if (!slot)
				continue;	/* not guest RAM: a QEMU page */
		}
		gfn = slot->base_gfn + ((hva - slot->userspace_addr) >> PAGE_SHIFT);
		if (gfn < view.nr_pfns && test_bit(gfn, view.mark))
			__set_bit(i, skip);
	}
	srcu_read_unlock(&vm->kvm->srcu, idx);
out:
	rcu_read_unlock();
}

/* A memslot's host range, copied out of the memslots under SRCU. */
struct ppr_ram_range {
	unsigned long hva;
	unsigned long len;
};

/*
 * Copy the host ranges of @vm's memslots, if they changed since the last
 * look (KVM's memslot generation, returned in @gen). NULL when nothing
 * changed, or on allocation failure (@nr is then -ENOMEM).
 */
static struct ppr_ram_range *ppr_vm_ram_ranges(struct ppr_vm *vm, u64 *gen,
					       int *nr)
{
	struct ppr_ram_range *r = NULL;
	struct kvm_memory_slot *slot;
	struct kvm_memslots *slots;
	int idx, bkt, n = 0;

	*nr = 0;
	idx = srcu_read_lock(&vm->kvm->srcu);
	slots = kvm_memslots(vm->kvm);
	*gen = slots->generation;
	if (vm->ram_looked && *gen == vm->ram_gen)
		goto out;
	kvm_for_each_memslot(slot, bkt, slots)
		n++;
	if (!n)
		goto out;
	r = kmalloc_array(n, sizeof(*r), GFP_KERNEL);
	if (!r) {
		*nr = -ENOMEM;
		goto out;
	}
	n = 0;
	kvm_for_each_memslot(slot, bkt, slots) {
		if (slot->flags & KVM_MEMSLOT_INVALID)
			continue;
		r[n].hva = slot->userspace_addr;
		r[n].len = slot->npages << PAGE_SHIFT;
		n++;
	}
	*nr = n;
out:
	srcu_read_unlock(&vm->kvm->srcu, idx);
	return r;
}

/* Make @vm's guest RAM mergeable if its memslots changed; the daemon's. */
static void ppr_vm_merge_ram_one(struct ppr_vm *vm)
{
	struct pageone_range_result res;
	unsigned long ok = 0, not_ok = 0;
	struct ppr_ram_range *r;
	int i, n, err = 0;
	u64 gen;

	r = ppr_vm_ram_ranges(vm, &gen, &n);
	if (n < 0)
		err = n;
	if (!r)
		goto done;
	if (!mmget_not_zero(vm->mm)) {
		kfree(r);
		return;		/* the VMM is exiting: detach follows */
	}
	for (i = 0; i < n; i++) {
		int e = pageone_merge_range(vm->mm, r[i].hva, r[i].len, &res);

		if (e && e != -ENOMEM) {
			err = e;
			continue;
		}
		ok += res.mergeable_pages;
		not_ok += res.unmergeable_pages;
	}
	mmput(vm->mm);
	kfree(r);
	atomic64_set(&vm->stats.ram_mergeable, ok);
	atomic64_set(&vm->stats.ram_unmergeable, not_ok);
done:
	if (err) {
		/* Looked at again before the next pass. */
		atomic64_inc(&vm->stats.ram_merge_failures);
		pr_warn_ratelimited("vm %u: cannot make its guest RAM mergeable (%d); will retry at the next PageONE pass\n",
				    vm->id, err);
		return;
	}
	vm->ram_gen = gen;
	vm->ram_looked = true;
}

/**
 * ppr_vm_merge_ram - bring attached VMs' guest RAM into PageONE's scope
 *
 * Called by the daemon before it starts a PageONE pass, while
 * merge_vm_ram is set. A VM seen for the first time, or whose memslots
 * changed since (KVM's memslot generation), gets MADV_MERGEABLE on the
 * host range of every memslot, as QEMU does itself unless started with
 * -machine mem-merge=off. Ranges KSM cannot serve (a shared memory
 * backend, hugetlbfs, the ivshmem area) stay as they are and are counted
 * in the VM's ram_unmergeable_pages. Nothing is undone when the setting
 * is cleared: areas stay mergeable, as after an madvise().
 */
void ppr_vm_merge_ram(void)
{
	struct ppr_vm *vm;

	mutex_lock(&ppr_vms_lock);
	list_for_each_entry(vm, &ppr_vms, node)
		ppr_vm_merge_ram_one(vm);
	mutex_unlock(&ppr_vms_lock);
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
		atomic_inc(&vm->batches_in_flight);
		ppr_recycle_batch(&b, scratch);
		ppr_account(vm, &b);
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

static void ppr_vm_release_mm(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct ppr_vm *vm = container_of(mn, struct ppr_vm, mn);

	/* The VMM is exiting: stop now, detach from process context. */
	spin_lock(&vm->lock);
	vm->detaching = true;
	spin_unlock(&vm->lock);
	kobject_get(&vm->kobj);
	if (!queue_work(ppr_wq, &vm->detach_work))
		ppr_vm_put(vm);
}

static const struct mmu_notifier_ops ppr_mn_ops = {
	.release = ppr_vm_release_mm,
};

/* Take @vm off the list; the caller holds ppr_vms_lock. */
static void __ppr_vm_unlist(struct ppr_vm *vm)
{
	spin_lock(&vm->lock);
	vm->detaching = true;
	spin_unlock(&vm->lock);
	list_del_rcu(&vm->node);
}

/* After __ppr_vm_unlist(): drop what keeps the VM and its process alive. */
static void ppr_vm_finish_detach(struct ppr_vm *vm)
{
	synchronize_rcu();		/* the memslot hook no longer sees it */
	if (vm->mn_registered)
		mmu_notifier_unregister(&vm->mn, vm->mm);
	pr_info("vm %u (%s) detached: %lld pages recycled\n", vm->id, vm->name,
		atomic64_read(&vm->stats.recycled));
	ppr_sysfs_del_vm(vm);
	ppr_vm_put(vm);			/* the list's reference */
}

static void ppr_vm_detach_work(struct work_struct *work)
{
	struct ppr_vm *vm = container_of(work, struct ppr_vm, detach_work);
	bool listed = false;
	struct ppr_vm *v;

	mutex_lock(&ppr_vms_lock);
	list_for_each_entry(v, &ppr_vms, node)
		listed |= v == vm;
	if (listed)
		__ppr_vm_unlist(vm);
	mutex_unlock(&ppr_vms_lock);
	if (listed)
		ppr_vm_finish_detach(vm);
	ppr_vm_put(vm);			/* the release callback's reference */
}

int ppr_vm_detach(u32 id)
{
	struct ppr_vm *vm, *found = NULL;

	mutex_lock(&ppr_vms_lock);
	list_for_each_entry(vm, &ppr_vms, node) {
		if (vm->id == id) {
			found = vm;
			__ppr_vm_unlist(vm);
			break;
		}
	}
	mutex_unlock(&ppr_vms_lock);
	if (!found)
		return -ENOENT;
	ppr_vm_finish_detach(found);
	return 0;
}

void ppr_vm_detach_all(void)
{
	struct ppr_vm *vm;

	for (;;) {
		mutex_lock(&ppr_vms_lock);
		vm = list_first_entry_or_null(&ppr_vms, struct ppr_vm, node);
		if (vm)
			__ppr_vm_unlist(vm);
		mutex_unlock(&ppr_vms_lock);
		if (!vm)
			break;
		ppr_vm_finish_detach(vm);
	}
	flush_workqueue(ppr_wq);	/* detach works from exiting VMMs */
}

/*
 * Does @mm map [@offset, @offset + @size) of @file shared? The VM's QEMU
 * maps its ivshmem memory backend so; another VM's area file, given by
 * mistake, is not mapped by this VM's process.
 */
static bool ppr_mm_maps_area(struct mm_struct *mm, struct file *file,
			     u64 offset, u64 size)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct vm_area_struct *vma;
	bool found = false;

	mmap_read_lock(mm);
	for_each_vma(vmi, vma) {
		u64 start = (u64)vma->vm_pgoff << PAGE_SHIFT;

		if (!vma->vm_file || !(vma->vm_flags & VM_SHARED) ||
		    file_inode(vma->vm_file) != file_inode(file))
			continue;
		if (start <= offset && offset + size <= start + vma->vm_end - vma->vm_start) {
			found = true;
			break;
		}
	}
	mmap_read_unlock(mm);
	return found;
}

/*
 * Are the pages we pinned still the area file's? A truncate or a hole
 * punch takes them out of the page cache (folio->mapping cleared): QEMU and
 * the guest then use new pages, and the marks we would read are stale.
 */
static bool ppr_vm_area_intact(struct ppr_vm *vm)
{
	struct address_space *mapping = vm->area_file->f_mapping;
	unsigned int i;

	for (i = 0; i < vm->area_npages; i++)
		if (READ_ONCE(page_folio(vm->area_pages[i])->mapping) != mapping)
			return false;
	return true;
}

/* Pin the area's pages in the page cache and map them in the kernel. */
static int ppr_vm_map_area(struct ppr_vm *vm, u64 offset)
{
	struct address_space *mapping = vm->area_file->f_mapping;
	pgoff_t first = offset >> PAGE_SHIFT;
	unsigned int i;

	/* area_npages counts pinned pages only: the release puts that many. */
	vm->area_pages = kvcalloc(vm->area_size >> PAGE_SHIFT, sizeof(struct page *),
				  GFP_KERNEL);
	if (!vm->area_pages)
		return -ENOMEM;
	vm->area_npages = vm->area_size >> PAGE_SHIFT;
	for (i = 0; i < vm->area_npages; i++) {
		struct page *page = shmem_read_mapping_page(mapping, first + i);

		if (IS_ERR(page)) {
			vm->area_npages = i;
			return PTR_ERR(page);
		}
		vm->area_pages[i] = page;
	}
	vm->area = vmap(vm->area_pages, vm->area_npages, VM_MAP, PAGE_KERNEL);
	if (!vm->area)
		return -ENOMEM;
	vm->hdr = vm->area;
	return 0;
}

int ppr_vm_attach(struct ppr_attach *req)
{
	struct ppr_vm *vm, *v;
	struct file *kvm_file;
	struct kvm *kvm;
	loff_t fsize;
	u64 area_end;
	bool mapped;
	int err;

	if (req->flags || req->vmm_pid < 0 ||
	    strnlen(req->name, PPR_NAME_LEN) == PPR_NAME_LEN) {
		pr_warn_ratelimited("attach: bad request (flags %#x, pid %d, name not NUL-terminated?)\n",
				    req->flags, req->vmm_pid);
		return -EINVAL;
	}
	if (!PAGE_ALIGNED(req->area_offset) || !PAGE_ALIGNED(req->area_size) ||
	    req->area_size < PPR_AREA_HEADER_SIZE + PAGE_SIZE ||
	    req->area_size > PPR_AREA_MAX_BYTES) {
		pr_warn_ratelimited("attach: area offset %llu / size %llu: want page-aligned, 8 KiB .. 1 GiB\n",
				    req->area_offset, req->area_size);
		return -EINVAL;
	}

	kvm_file = fget(req->kvm_fd);
	if (!kvm_file)
		return -EBADF;
	if (!file_is_kvm(kvm_file)) {
		fput(kvm_file);
		pr_warn_ratelimited("attach: fd %d is not a KVM VM\n", req->kvm_fd);
		return -EINVAL;
	}
	kvm = kvm_file->private_data;
	kvm_get_kvm(kvm);
	fput(kvm_file);

	err = -ENOMEM;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm) {
		kvm_put_kvm(kvm);
		return err;
	}
	/* From here on the kobject release frees whatever is set up. */
	ppr_sysfs_init_vm(vm);
	vm->kvm = kvm;
	spin_lock_init(&vm->lock);
	mutex_init(&vm->range_lock);
	xa_init(&vm->retry);
	xa_init(&vm->queued);
	INIT_WORK(&vm->detach_work, ppr_vm_detach_work);
	vm->status = PPR_VM_WAITING;
	vm->vmm_pid = req->vmm_pid;
	strscpy(vm->name, req->name, sizeof(vm->name));

	err = -EBADF;
	vm->area_file = fget(req->area_fd);
	if (!vm->area_file)
		goto put;
	err = -EINVAL;
	if (!shmem_file(vm->area_file) ||
	    (vm->area_file->f_mode & (FMODE_READ | FMODE_WRITE)) != (FMODE_READ | FMODE_WRITE)) {
		pr_warn_ratelimited("attach: the area must be a tmpfs or /dev/shm file opened read-write\n");
		goto put;
	}
	fsize = i_size_read(file_inode(vm->area_file));
	if (check_add_overflow(req->area_offset, req->area_size, &area_end) ||
	    area_end > fsize) {
		pr_warn_ratelimited("attach: area %llu+%llu runs past the end of its file (%lld bytes)\n",
				    req->area_offset, req->area_size, fsize);
		goto put;
	}
	err = -ESRCH;
	if (!mmget_not_zero(kvm->mm))
		goto put;		/* the VMM is exiting */
	mapped = ppr_mm_maps_area(kvm->mm, vm->area_file, req->area_offset, req->area_size);
	mmput(kvm->mm);
	if (!mapped) {
		pr_warn_ratelimited("attach: the VM's process does not map bytes %llu+%llu of the area file shared: is it this VM's ivshmem memory backend?\n",
				    req->area_offset, req->area_size);
		err = -ENXIO;
		goto put;
	}
	vm->area_size = req->area_size;
	err = ppr_vm_map_area(vm, req->area_offset);
	if (err)
		goto put;
	/* Blank (guest not bound yet) or ours; anything else is refused. */
	if (READ_ONCE(vm->hdr->magic) || READ_ONCE(vm->hdr->version)) {
		struct ppr_area_view view;

		if (vm->hdr->magic != PPR_AREA_MAGIC || vm->hdr->version != PPR_AREA_VERSION) {
			pr_warn_ratelimited("attach: not a PPR v%u area (magic %#x, version %u): another user of the file, or a guest driver of another version\n",
					    PPR_AREA_VERSION, vm->hdr->magic, vm->hdr->version);
			err = -EINVAL;
			goto put;
		}
		if (ppr_area_validate(vm, &view)) {
			pr_warn_ratelimited("attach: the area's layout (%llu PFNs) does not fit its %zu KiB\n",
					    READ_ONCE(vm->hdr->nr_pfns), vm->area_size >> 10);
			err = -EINVAL;
			goto put;
		}
	}

	err = ida_alloc_min(&ppr_vm_ida, 1, GFP_KERNEL);
	if (err < 0)
		goto put;
	vm->id = err;
	if (!vm->name[0])
		snprintf(vm->name, sizeof(vm->name), "vm%u", vm->id);

	mutex_lock(&ppr_vms_lock);
	err = 0;
	list_for_each_entry(v, &ppr_vms, node) {
		if (v->kvm == kvm || file_inode(v->area_file) == file_inode(vm->area_file)) {
			err = -EEXIST;
			break;
		}
	}
	if (err) {
		mutex_unlock(&ppr_vms_lock);
		pr_warn_ratelimited("attach: this VM or this area is attached already (vm %u)\n",
				    v->id);
		goto put;
	}
	err = -ESRCH;
	vm->mm = kvm->mm;
	mmgrab(vm->mm);
	if (mmget_not_zero(vm->mm)) {
		vm->mn.ops = &ppr_mn_ops;
		err = mmu_notifier_register(&vm->mn, vm->mm);
		vm->mn_registered = !err;
		mmput(vm->mm);
	}
	if (!err)
		err = ppr_sysfs_add_vm(vm);
	if (err) {
		mutex_unlock(&ppr_vms_lock);
		if (vm->mn_registered)
			mmu_notifier_unregister(&vm->mn, vm->mm);
		vm->mn_registered = false;
		goto put;
	}
	/*
	 * Whatever the header says now was announced before this attach: it
	 * is honoured only once a running driver echoes this nonce. Written
	 * once no other VM can own the area (the check above).
	 */
	vm->nonce = get_random_u64() ?: 1;
	WRITE_ONCE(vm->hdr->host_nonce, vm->nonce);
	list_add_tail_rcu(&vm->node, &ppr_vms);
	mutex_unlock(&ppr_vms_lock);
	req->vm_id = vm->id;
	pr_info("vm %u (%s, pid %d) attached: area %zu KiB\n", vm->id, vm->name,
		vm->vmm_pid, vm->area_size >> 10);
	ppr_recycler_kick();
	return 0;

put:
	ppr_vm_put(vm);
	return err;
}
