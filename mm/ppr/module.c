// SPDX-License-Identifier: GPL-2.0
/*
 * ppr_pageone: the host engine of PPR and PageONE. One thread pool
 * (pool.c: a daemon and N work threads) runs two clients: the recycler
 * (recycler.c, on the VMs of attach.c), which takes back the pages that
 * attached guests marked free, and PageONE (mm/pageone/client.c), which
 * scans for KSM in place of ksmd, told of attached VMs by scope.c. This
 * file loads and unloads them in order.
 */
#define pr_fmt(fmt) "ppr_pageone: " fmt

#include <linux/module.h>
#include <linux/ppr_kvm.h>

#include "ppr.h"

static unsigned int ppr_work_threads = 2;	/* at load; sysfs changes it later */

static int ppr_set_threads_param(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (!v || v > PPR_POOL_MAX_THREADS)
		return -ERANGE;
	ppr_work_threads = v;
	return 0;
}

static const struct kernel_param_ops ppr_threads_ops = {
	.set = ppr_set_threads_param,
	.get = param_get_uint,
};
module_param_cb(work_threads, &ppr_threads_ops, &ppr_work_threads, 0444);
MODULE_PARM_DESC(work_threads, "work threads (1..64, default 2)");

static int __init ppr_init(void)
{
	struct ppr_client *clients[] = { ppr_recycler_client(), ppr_pageone_client() };
	int err;

	err = ppr_sysfs_init();
	if (err)
		return err;
	err = ppr_attach_init(ppr_sysfs_vms_dir(), ppr_sysfs_vm_group());
	if (err)
		goto sysfs;
	err = ppr_pool_start(clients, ARRAY_SIZE(clients), ppr_work_threads);
	if (err)
		goto attach;
	err = ppr_pageone_init(ppr_sysfs_root(), ppr_vm_pageone_filter, ppr_vm_merge_ram);
	if (err)
		goto stop;
	ppr_kvm_set_removal_hook(ppr_vm_memslot_removal);
	err = ppr_dev_init();
	if (err)
		goto unhook;
	pr_info("loaded: %u work threads, reclaim period %u ms, %s; PageONE replaces ksmd, merge period %u ms\n",
		ppr_pool_threads(), ppr_reclaim_period_ms, ppr_run ? "running" : "stopped",
		ppr_merge_period_ms);
	return 0;

unhook:
	ppr_kvm_set_removal_hook(NULL);
stop:
	ppr_pool_stop();
	ppr_pageone_exit();		/* nothing to undo if it did not start */
attach:
	ppr_attach_exit();
sysfs:
	ppr_sysfs_exit();
	return err;
}
module_init(ppr_init);

static void __exit ppr_exit(void)
{
	ppr_dev_exit();			/* no new attach */
	ppr_pool_stop();		/* no slice, no token in flight */
	ppr_pageone_exit();		/* ksmd scans again */
	ppr_vm_restore_ram_all();	/* undo merge_vm_ram */
	ppr_vm_detach_all();
	ppr_kvm_set_removal_hook(NULL);	/* waits for hooks in flight */
	ppr_attach_exit();
	ppr_sysfs_exit();
	pr_info("unloaded\n");
}
module_exit(ppr_exit);

MODULE_DESCRIPTION("PPR host engine: recycle the pages KVM guests marked free, and PageONE");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(PPR);
