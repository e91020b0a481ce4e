// SPDX-License-Identifier: GPL-2.0
/*
 * What PageONE is told about the attached VMs (the module hands these to
 * mm/pageone/client.c at load):
 *
 * - Cross-skip: a pass leaves alone the guest pages marked free in an
 *   attached, active VM (ppr_vm_pageone_filter(), counted in PageONE's
 *   pages_skipped_free); the recycler, for its part, leaves alone KSM
 *   pages and locked pages (skipped_ksm_pages, skipped_locked_pages).
 * - Scope: what KSM serves, plus, while merge_vm_ram is set (off by
 *   default: the VMM's choice stands), the guest RAM of attached VMs: each
 *   attached VM's memslots are made mergeable before a pass
 *   (ppr_vm_merge_ram()), for VMMs that do not, and made unmergeable again
 *   when merge_vm_ram is cleared, at detach and at rmmod.
 */
#define pr_fmt(fmt) "ppr_pageone: " fmt

#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/pageone.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "ppr.h"

bool ppr_merge_vm_ram;
module_param_named(merge_vm_ram, ppr_merge_vm_ram, bool, 0444);
MODULE_PARM_DESC(merge_vm_ram, "make attached VMs' guest RAM mergeable before each PageONE pass, even if the VMM chose not to (default false)");

static bool ppr_memslot_has_hva(const struct kvm_memory_slot *slot, unsigned long hva)
{
	return hva >= slot->userspace_addr &&
	       hva - slot->userspace_addr < (slot->npages << PAGE_SHIFT);
}

/**
 * ppr_vm_pageone_filter - PageONE's filter: guest pages marked free
 * @mm: the mm PageONE scans
 * @addrs: @n ascending addresses in @mm
 * @n: how many
 * @skip: bit i set when addrs[i] is guest RAM of an attached, active VM
 *        and the guest marked that page free (the recycler takes it soon;
 *        merging it would only keep it)
 *
 * Called by a work thread with no lock held.
 */
void ppr_vm_pageone_filter(struct mm_struct *mm, const unsigned long *addrs,
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

		if (!slot || !ppr_memslot_has_hva(slot, hva)) {
			slot = NULL;
			kvm_for_each_memslot(s, bkt, slots)
				if (ppr_memslot_has_hva(s, hva)) {
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

/* Remember that the module made @r mergeable, to undo it later. */
static void ppr_vm_note_made(struct ppr_vm *vm, const struct ppr_ram_range *r)
{
	struct ppr_ram_range *made;
	unsigned int i;

	lockdep_assert_held(&ppr_vms_lock);
	for (i = 0; i < vm->nr_ram_made; i++)
		if (vm->ram_made[i].hva == r->hva && vm->ram_made[i].len == r->len)
			return;
	made = krealloc_array(vm->ram_made, vm->nr_ram_made + 1, sizeof(*made),
			      GFP_KERNEL);
	if (!made) {
		atomic64_inc(&vm->stats.ram_merge_failures);
		pr_warn_ratelimited("vm %u: out of memory: what merge_vm_ram made mergeable at %#lx will not be undone\n",
				    vm->id, r->hva);
		return;
	}
	made[vm->nr_ram_made++] = *r;
	vm->ram_made = made;
}

/*
 * Undo what merge_vm_ram did to @vm's guest RAM: MADV_UNMERGEABLE on the
 * ranges the module made mergeable (their KSM pages are copied back).
 * Nothing to undo if the VMM is exiting.
 */
static void ppr_vm_restore_ram_one(struct ppr_vm *vm)
{
	unsigned int i;
	int err;

	lockdep_assert_held(&ppr_vms_lock);
	if (vm->nr_ram_made && mmget_not_zero(vm->mm)) {
		for (i = 0; i < vm->nr_ram_made; i++) {
			err = pageone_unmerge_range(vm->mm, vm->ram_made[i].hva,
						    vm->ram_made[i].len);
			if (err && err != -ENOMEM) {
				atomic64_inc(&vm->stats.ram_merge_failures);
				pr_warn_ratelimited("vm %u: cannot make its guest RAM at %#lx unmergeable again (%d)\n",
						    vm->id, vm->ram_made[i].hva, err);
			}
		}
		mmput(vm->mm);
	}
	kfree(vm->ram_made);
	vm->ram_made = NULL;
	vm->nr_ram_made = 0;
	vm->ram_looked = false;
	atomic64_set(&vm->stats.ram_mergeable, 0);
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
		if (res.made_mergeable_pages)
			ppr_vm_note_made(vm, &r[i]);
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
 * in the VM's ram_unmergeable_pages. While the setting is clear, what
 * it made mergeable is made unmergeable again, once.
 */
void ppr_vm_merge_ram(void)
{
	bool on = READ_ONCE(ppr_merge_vm_ram);
	struct ppr_vm *vm;

	mutex_lock(&ppr_vms_lock);
	list_for_each_entry(vm, &ppr_vms, node) {
		if (on)
			ppr_vm_merge_ram_one(vm);
		else if (vm->nr_ram_made)
			ppr_vm_restore_ram_one(vm);
	}
	mutex_unlock(&ppr_vms_lock);
}

/**
 * ppr_vm_restore_ram - undo merge_vm_ram for one attached VM
 * @id: the VM's id (none if no attached VM has it)
 *
 * Before a detach, and for every VM at rmmod (ppr_vm_restore_ram_all()):
 * guest RAM the module made mergeable is made unmergeable again, so that
 * the VMM's choice stands once the module has let go of the VM. Guest RAM
 * the VMM made mergeable itself stays so.
 */
void ppr_vm_restore_ram(u32 id)
{
	struct ppr_vm *vm;

	mutex_lock(&ppr_vms_lock);
	list_for_each_entry(vm, &ppr_vms, node)
		if (vm->id == id)
			ppr_vm_restore_ram_one(vm);
	mutex_unlock(&ppr_vms_lock);
}

void ppr_vm_restore_ram_all(void)
{
	struct ppr_vm *vm;

	mutex_lock(&ppr_vms_lock);
	list_for_each_entry(vm, &ppr_vms, node)
		ppr_vm_restore_ram_one(vm);
	mutex_unlock(&ppr_vms_lock);
}
