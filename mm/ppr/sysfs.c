// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mm/ppr_pageone: the settings, stats/ and vms/<id>/. Every
 * file is described in docs/ABI/sysfs-kernel-mm-ppr_pageone; PageONE's
 * pageone/ folder is mm/pageone/client.c's.
 */
#include <linux/kvm_host.h>
#include <linux/ppr_kvm.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "ppr.h"

static struct kobject *ppr_kobj, *ppr_stats_kobj, *ppr_vms_kobj;

/* --- settings --------------------------------------------------------- */

static ssize_t run_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(ppr_run));
}

/* Parse a boolean (1/0, y/n, on/off) into @dst: @count, or the error. */
static ssize_t ppr_store_bool(const char *buf, size_t count, bool *dst)
{
	bool v;
	int err = kstrtobool(buf, &v);

	if (err)
		return err;
	WRITE_ONCE(*dst, v);
	return count;
}

static ssize_t run_store(struct kobject *k, struct kobj_attribute *a,
			 const char *buf, size_t count)
{
	ssize_t ret = ppr_store_bool(buf, count, &ppr_run);

	if (ret > 0)
		ppr_recycler_kick();
	return ret;
}

/* Parse an unsigned int and hand it to @set: @count, or the error. */
static ssize_t ppr_store_uint(const char *buf, size_t count,
			      int (*set)(unsigned int))
{
	unsigned int v;
	int err = kstrtouint(buf, 0, &v);

	if (!err)
		err = set(v);
	return err ? err : count;
}

static ssize_t reclaim_period_ms_show(struct kobject *k, struct kobj_attribute *a,
				      char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ppr_reclaim_period_ms));
}

static ssize_t reclaim_period_ms_store(struct kobject *k, struct kobj_attribute *a,
				       const char *buf, size_t count)
{
	return ppr_store_uint(buf, count, ppr_set_reclaim_period);
}

static ssize_t thp_split_min_free_show(struct kobject *k, struct kobj_attribute *a,
				       char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ppr_thp_split_min_free));
}

static ssize_t thp_split_min_free_store(struct kobject *k, struct kobj_attribute *a,
					const char *buf, size_t count)
{
	return ppr_store_uint(buf, count, ppr_set_thp_split_min_free);
}

static ssize_t work_threads_show(struct kobject *k, struct kobj_attribute *a,
				 char *buf)
{
	return sysfs_emit(buf, "%u\n", ppr_pool_threads());
}

static ssize_t work_threads_store(struct kobject *k, struct kobj_attribute *a,
				  const char *buf, size_t count)
{
	return ppr_store_uint(buf, count, ppr_pool_set_threads);
}

static ssize_t merge_period_ms_show(struct kobject *k, struct kobj_attribute *a,
				    char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ppr_merge_period_ms));
}

static ssize_t merge_period_ms_store(struct kobject *k, struct kobj_attribute *a,
				     const char *buf, size_t count)
{
	return ppr_store_uint(buf, count, ppr_set_merge_period);
}

static ssize_t dedup_cpu_percent_show(struct kobject *k, struct kobj_attribute *a,
				      char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ppr_dedup_cpu_percent));
}

static ssize_t dedup_cpu_percent_store(struct kobject *k, struct kobj_attribute *a,
				       const char *buf, size_t count)
{
	return ppr_store_uint(buf, count, ppr_set_dedup_cpu);
}

static ssize_t merge_vm_ram_show(struct kobject *k, struct kobj_attribute *a,
				 char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(ppr_merge_vm_ram));
}

static ssize_t merge_vm_ram_store(struct kobject *k, struct kobj_attribute *a,
				  const char *buf, size_t count)
{
	return ppr_store_bool(buf, count, &ppr_merge_vm_ram);
}

static struct kobj_attribute ppr_run_attr = __ATTR_RW(run);
static struct kobj_attribute ppr_merge_vm_ram_attr = __ATTR_RW(merge_vm_ram);
static struct kobj_attribute ppr_merge_period_attr = __ATTR_RW(merge_period_ms);
static struct kobj_attribute ppr_dedup_cpu_attr = __ATTR_RW(dedup_cpu_percent);
static struct kobj_attribute ppr_period_attr = __ATTR_RW(reclaim_period_ms);
static struct kobj_attribute ppr_threads_attr = __ATTR_RW(work_threads);
static struct kobj_attribute ppr_thp_split_attr = __ATTR_RW(thp_split_min_free);

static struct attribute *ppr_settings_attrs[] = {
	&ppr_run_attr.attr,
	&ppr_period_attr.attr,
	&ppr_thp_split_attr.attr,
	&ppr_threads_attr.attr,
	&ppr_merge_period_attr.attr,
	&ppr_dedup_cpu_attr.attr,
	&ppr_merge_vm_ram_attr.attr,
	NULL,
};

static const struct attribute_group ppr_settings_group = {
	.attrs = ppr_settings_attrs,
};

/* --- counters: one show for all, found by offset ------------------------ */

struct ppr_counter_attr {
	struct kobj_attribute attr;
	size_t offset;		/* of an atomic64_t in ppr_stats / ppr_vm_stats */
};

#define PPR_MAX_COUNTERS	(PPR_SKIP_NR + 20)

static struct ppr_counter_attr ppr_counters[2][PPR_MAX_COUNTERS];
/* the counters, then bad_area_passes, ppr_vm_info[] and the NULL end */
static struct attribute *ppr_counter_attrs[2][PPR_MAX_COUNTERS + 10];

static ssize_t ppr_global_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	struct ppr_counter_attr *c = container_of(a, struct ppr_counter_attr, attr);

	return sysfs_emit(buf, "%lld\n",
			  atomic64_read((atomic64_t *)((void *)&ppr_stats + c->offset)));
}

static ssize_t ppr_vm_counter_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	struct ppr_counter_attr *c = container_of(a, struct ppr_counter_attr, attr);
	struct ppr_vm *vm = container_of(k, struct ppr_vm, kobj);

	return sysfs_emit(buf, "%lld\n",
			  atomic64_read((atomic64_t *)((void *)&vm->stats + c->offset)));
}

static ssize_t attached_vms_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	struct ppr_vm *vm;
	int n = 0;

	mutex_lock(&ppr_vms_lock);
	list_for_each_entry(vm, &ppr_vms, node)
		n++;
	mutex_unlock(&ppr_vms_lock);
	return sysfs_emit(buf, "%d\n", n);
}

static ssize_t daemon_cpu_ns_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%llu\n", ppr_pool_cpu_ns(true));
}

static ssize_t worker_cpu_ns_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%llu\n", ppr_pool_cpu_ns(false));
}

static struct kobj_attribute ppr_attached_attr = __ATTR_RO(attached_vms);
static struct kobj_attribute ppr_daemon_cpu_attr = __ATTR_RO(daemon_cpu_ns);
static struct kobj_attribute ppr_worker_cpu_attr = __ATTR_RO(worker_cpu_ns);

static const struct attribute_group ppr_stats_group = {
	.attrs = ppr_counter_attrs[0],
};

/* --- vms/<id> ------------------------------------------------------------ */

/*
 * One show per file. Each reads its field under vm->lock, so that the
 * state, epoch and nr_pfns a reader sees belong to one moment.
 */
#define PPR_VM_SHOW(file, fmt, expr)					\
static ssize_t file##_show(struct kobject *k, struct kobj_attribute *a,	\
			   char *buf)					\
{									\
	struct ppr_vm *vm = container_of(k, struct ppr_vm, kobj);	\
	ssize_t ret;							\
									\
	spin_lock(&vm->lock);						\
	ret = sysfs_emit(buf, fmt "\n", expr);				\
	spin_unlock(&vm->lock);						\
	return ret;							\
}

PPR_VM_SHOW(name, "%s", vm->name)
PPR_VM_SHOW(vmm_pid, "%d", vm->vmm_pid)
PPR_VM_SHOW(state, "%s", vm->detaching ? "detaching" : ppr_vm_status_name(vm->status))
PPR_VM_SHOW(epoch, "%llu", vm->epoch)
PPR_VM_SHOW(nr_pfns, "%llu", vm->status == PPR_VM_ACTIVE ? vm->view.nr_pfns : 0)
PPR_VM_SHOW(area_bytes, "%zu", vm->area_size)
PPR_VM_SHOW(batches_in_flight, "%d", atomic_read(&vm->batches_in_flight))
PPR_VM_SHOW(queued_chunks, "%d", atomic_read(&vm->nr_queued))

static struct kobj_attribute ppr_vm_info[] = {
	/* Which process runs which guest is for root's eyes only. */
	__ATTR(name, 0400, name_show, NULL),
	__ATTR(vmm_pid, 0400, vmm_pid_show, NULL),
	__ATTR_RO(state),
	__ATTR_RO(epoch),
	__ATTR_RO(nr_pfns),
	__ATTR_RO(area_bytes),
	__ATTR_RO(batches_in_flight),
	__ATTR_RO(queued_chunks),
};

static const struct attribute_group ppr_vm_group = {
	.attrs = ppr_counter_attrs[1],
};

/* The files of vms/<id>, for attach.c's VM directories. */
const struct attribute_group *ppr_sysfs_vm_group(void)
{
	return &ppr_vm_group;
}

/* vms/, where attach.c creates a directory per VM. */
struct kobject *ppr_sysfs_vms_dir(void)
{
	return ppr_vms_kobj;
}

/* --- the tree ------------------------------------------------------------ */

/* The skipped_<reason>_pages counters, by reason. */
static const char * const ppr_skip_names[PPR_SKIP_NR] = {
	[PPR_SKIP_RACED] = "raced",
	[PPR_SKIP_PINNED] = "pinned",
	[PPR_SKIP_LOCKED] = "locked",
	[PPR_SKIP_INACTIVE] = "inactive",
	[PPR_SKIP_NOT_PRESENT] = "not_present",
	[PPR_SKIP_THP] = "thp_partial",
	[PPR_SKIP_KSM] = "ksm",
	[PPR_SKIP_MLOCKED] = "mlocked",
	[PPR_SKIP_HUGETLB] = "hugetlb",
	[PPR_SKIP_UFFD] = "uffd",
	[PPR_SKIP_VMA] = "vma",
};

static char *ppr_skip_attr_names[2][PPR_SKIP_NR];

/* Fill the counter attribute lists: [0] global, [1] per VM. */
static int ppr_build_counters(void)
{
	static const struct { const char *name; size_t g, v; } fixed[] = {
		{ "recycled_pages", offsetof(struct ppr_stats, recycled),
		  offsetof(struct ppr_vm_stats, recycled) },
		{ "slices", offsetof(struct ppr_stats, slices),
		  offsetof(struct ppr_vm_stats, slices) },
		{ "no_memslot_pages", offsetof(struct ppr_stats, no_memslot),
		  offsetof(struct ppr_vm_stats, no_memslot) },
		{ "memslot_removals", offsetof(struct ppr_stats, memslot_removals),
		  offsetof(struct ppr_vm_stats, memslot_removals) },
		{ "passes", offsetof(struct ppr_stats, passes),
		  offsetof(struct ppr_vm_stats, passes) },
		{ "thp_splits", offsetof(struct ppr_stats, thp_splits),
		  offsetof(struct ppr_vm_stats, thp_splits) },
		{ "thp_collapses", offsetof(struct ppr_stats, thp_collapses),
		  offsetof(struct ppr_vm_stats, thp_collapses) },
		{ "swap_freed_pages", offsetof(struct ppr_stats, swap_freed),
		  offsetof(struct ppr_vm_stats, swap_freed) },
		{ "retried_chunks", offsetof(struct ppr_stats, retried_chunks),
		  offsetof(struct ppr_vm_stats, retried_chunks) },
	};
	static const struct { const char *name; size_t v; } vm_only[] = {
		{ "bad_area_passes", offsetof(struct ppr_vm_stats, bad_area) },
		{ "unconfirmed_passes", offsetof(struct ppr_vm_stats, unconfirmed) },
		{ "capped_passes", offsetof(struct ppr_vm_stats, capped_passes) },
		{ "worker_time_ns", offsetof(struct ppr_vm_stats, worker_time) },
		{ "ram_mergeable_pages", offsetof(struct ppr_vm_stats, ram_mergeable) },
		{ "ram_unmergeable_pages", offsetof(struct ppr_vm_stats, ram_unmergeable) },
		{ "ram_merge_failures", offsetof(struct ppr_vm_stats, ram_merge_failures) },
	};
	int w, i, n;

	for (w = 0; w < 2; w++) {
		n = 0;
		for (i = 0; i < ARRAY_SIZE(fixed); i++, n++) {
			struct ppr_counter_attr *c = &ppr_counters[w][n];

			sysfs_attr_init(&c->attr.attr);
			c->attr.attr.name = fixed[i].name;
			c->attr.attr.mode = 0444;
			c->attr.show = w ? ppr_vm_counter_show : ppr_global_show;
			c->offset = w ? fixed[i].v : fixed[i].g;
			ppr_counter_attrs[w][n] = &c->attr.attr;
		}
		for (i = 0; i < PPR_SKIP_NR; i++, n++) {
			struct ppr_counter_attr *c = &ppr_counters[w][n];

			ppr_skip_attr_names[w][i] = kasprintf(GFP_KERNEL, "skipped_%s_pages",
							      ppr_skip_names[i]);
			if (!ppr_skip_attr_names[w][i])
				return -ENOMEM;
			sysfs_attr_init(&c->attr.attr);
			c->attr.attr.name = ppr_skip_attr_names[w][i];
			c->attr.attr.mode = 0444;
			c->attr.show = w ? ppr_vm_counter_show : ppr_global_show;
			c->offset = w ? offsetof(struct ppr_vm_stats, skipped[i]) :
					offsetof(struct ppr_stats, skipped[i]);
			ppr_counter_attrs[w][n] = &c->attr.attr;
		}
		if (w == 0) {
			ppr_counter_attrs[0][n++] = &ppr_attached_attr.attr;
			ppr_counter_attrs[0][n++] = &ppr_daemon_cpu_attr.attr;
			ppr_counter_attrs[0][n++] = &ppr_worker_cpu_attr.attr;
		} else {
			for (i = 0; i < ARRAY_SIZE(vm_only); i++, n++) {
				struct ppr_counter_attr *c = &ppr_counters[1][n];

				sysfs_attr_init(&c->attr.attr);
				c->attr.attr.name = vm_only[i].name;
				c->attr.attr.mode = 0444;
				c->attr.show = ppr_vm_counter_show;
				c->offset = vm_only[i].v;
				ppr_counter_attrs[1][n] = &c->attr.attr;
			}
			for (i = 0; i < ARRAY_SIZE(ppr_vm_info); i++)
				ppr_counter_attrs[1][n++] = &ppr_vm_info[i].attr;
		}
		ppr_counter_attrs[w][n] = NULL;
	}
	return 0;
}

static void ppr_free_counter_names(void)
{
	int w, i;

	for (w = 0; w < 2; w++)
		for (i = 0; i < PPR_SKIP_NR; i++)
			kfree(ppr_skip_attr_names[w][i]);
}

struct kobject *ppr_sysfs_root(void)
{
	return ppr_kobj;
}

int ppr_sysfs_init(void)
{
	int err = ppr_build_counters();

	if (err)
		goto names;
	err = -ENOMEM;
	ppr_kobj = kobject_create_and_add("ppr_pageone", ppr_mm_kobj());
	if (!ppr_kobj)
		goto names;
	err = sysfs_create_group(ppr_kobj, &ppr_settings_group);
	if (err)
		goto put;
	err = -ENOMEM;
	ppr_stats_kobj = kobject_create_and_add("stats", ppr_kobj);
	if (!ppr_stats_kobj)
		goto put;
	err = sysfs_create_group(ppr_stats_kobj, &ppr_stats_group);
	if (err)
		goto put_stats;
	err = -ENOMEM;
	ppr_vms_kobj = kobject_create_and_add("vms", ppr_kobj);
	if (!ppr_vms_kobj)
		goto put_stats;
	return 0;

put_stats:
	kobject_put(ppr_stats_kobj);
put:
	kobject_put(ppr_kobj);
names:
	ppr_free_counter_names();
	return err;
}

void ppr_sysfs_exit(void)
{
	kobject_put(ppr_vms_kobj);
	kobject_put(ppr_stats_kobj);
	kobject_put(ppr_kobj);
	ppr_free_counter_names();
}
