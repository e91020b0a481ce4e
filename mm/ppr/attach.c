// SPDX-License-Identifier: GPL-2.0
/*
 * Attached VMs: attach and detach, the mapping of each VM's mark area,
 * and a VM's lifetime. The recycler (recycler.c) works on the VMs listed
 * here; /dev/ppr_pageone (dev.c) calls in.
 *
 * A VM is counted by vm->ref: the list holds one reference while it is
 * attached, its vms/<id> kobject one while that exists, each queued slice
 * one, and a detach from the exiting VMM one until it ran. The last
 * ppr_vm_put() frees it.
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
#include <linux/random.h>
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

/* Set by ppr_attach_init(), before any attach. */
static struct workqueue_struct *ppr_wq;	/* detaches of exiting VMMs */
static struct kobject *ppr_vms_dir;	/* vms/: a directory per VM */

/* vms/<id> holds a reference on its VM until the kobject goes. */
static void ppr_vm_kobj_release(struct kobject *kobj)
{
	ppr_vm_put(container_of(kobj, struct ppr_vm, kobj));
}

/* The files of vms/<id>: the module's sysfs group, set at init. */
static const struct attribute_group *ppr_vm_dir_groups[2];

static const struct kobj_type ppr_vm_ktype = {
	.release = ppr_vm_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = ppr_vm_dir_groups,
};

/**
 * ppr_attach_init - get ready for attaches
 * @vms_dir: where each VM gets its directory, vms/<id>
 * @vm_group: the files of such a directory
 *
 * Return: 0, or -ENOMEM (-EINVAL for a missing argument).
 */
int ppr_attach_init(struct kobject *vms_dir, const struct attribute_group *vm_group)
{
	if (WARN_ON(!vms_dir || !vm_group))
		return -EINVAL;
	ppr_wq = alloc_workqueue("ppr_detach", 0, 0);
	if (!ppr_wq)
		return -ENOMEM;
	ppr_vms_dir = vms_dir;
	ppr_vm_dir_groups[0] = vm_group;
	return 0;
}

/* After ppr_vm_detach_all(): nothing is attached or being detached. */
void ppr_attach_exit(void)
{
	destroy_workqueue(ppr_wq);
	ppr_wq = NULL;
}

/* Create vms/<id>; on failure nothing is left and no reference taken. */
static int ppr_vm_add_dir(struct ppr_vm *vm)
{
	int err;

	ppr_vm_get(vm);
	err = kobject_init_and_add(&vm->kobj, &ppr_vm_ktype, ppr_vms_dir, "%u", vm->id);
	if (err)
		kobject_put(&vm->kobj);
	return err;
}

/* Remove vms/<id>: readers of its files finish first. */
static void ppr_vm_del_dir(struct ppr_vm *vm)
{
	kobject_del(&vm->kobj);
	kobject_put(&vm->kobj);
}

/* The last reference is gone: nothing uses the VM any more. */
static void ppr_vm_free(struct kref *ref)
{
	struct ppr_vm *vm = container_of(ref, struct ppr_vm, ref);
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
	xa_destroy(&vm->thp_split);
	kfree(vm->ram_made);
	kfree(vm);
}

void ppr_vm_get(struct ppr_vm *vm)
{
	kref_get(&vm->ref);
}

void ppr_vm_put(struct ppr_vm *vm)
{
	kref_put(&vm->ref, ppr_vm_free);
}

/*
 * Copy the layout out of the header and check it against what we mapped.
 * Returns 0 and fills @view, or -EINVAL.
 */
int ppr_area_validate(struct ppr_vm *vm, struct ppr_area_view *view)
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

static void ppr_vm_release_mm(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct ppr_vm *vm = container_of(mn, struct ppr_vm, mn);

	/* The VMM is exiting: stop now, detach from process context. */
	spin_lock(&vm->lock);
	vm->detaching = true;
	spin_unlock(&vm->lock);
	ppr_vm_get(vm);
	if (!queue_work(ppr_wq, &vm->detach_work))
		ppr_vm_put(vm);
}

static const struct mmu_notifier_ops ppr_mn_ops = {
	.release = ppr_vm_release_mm,
};

/* Take @vm off the list. */
static void __ppr_vm_unlist(struct ppr_vm *vm)
{
	lockdep_assert_held(&ppr_vms_lock);
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
	ppr_vm_del_dir(vm);
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
bool ppr_vm_area_intact(struct ppr_vm *vm)
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
	/* From here on ppr_vm_put() frees whatever is set up. */
	kref_init(&vm->ref);
	vm->kvm = kvm;
	spin_lock_init(&vm->lock);
	mutex_init(&vm->range_lock);
	xa_init(&vm->retry);
	xa_init(&vm->queued);
	xa_init(&vm->thp_split);
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
		err = ppr_vm_add_dir(vm);
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
	return 0;

put:
	ppr_vm_put(vm);
	return err;
}
