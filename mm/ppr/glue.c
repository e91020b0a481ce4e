// SPDX-License-Identifier: GPL-2.0
/*
 * What the ppr_pageone module needs from the core kernel that the core
 * does not offer a module: the call KVM makes before it invalidates a
 * memslot that is deleted or moved, forwarded to the module while it is
 * loaded; and /sys/kernel/mm, where its sysfs tree lives.
 */
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/ppr_kvm.h>
#include <linux/rcupdate.h>

/* Set and cleared by the module; read under RCU by KVM's memslot updates. */
static void (__rcu *ppr_removal_hook)(struct kvm *kvm);

void ppr_kvm_memslot_removal(struct kvm *kvm)
{
	void (*hook)(struct kvm *kvm);

	rcu_read_lock();
	hook = rcu_dereference(ppr_removal_hook);
	if (hook)
		hook(kvm);
	rcu_read_unlock();
}
EXPORT_SYMBOL_GPL(ppr_kvm_memslot_removal);

/* @hook runs under rcu_read_lock(): it must not sleep. NULL unregisters. */
void ppr_kvm_set_removal_hook(void (*hook)(struct kvm *kvm))
{
	rcu_assign_pointer(ppr_removal_hook, hook);
	if (!hook)
		synchronize_rcu();
}
EXPORT_SYMBOL_NS_GPL(ppr_kvm_set_removal_hook, PPR);

/* /sys/kernel/mm (mm_kobj is not exported). */
struct kobject *ppr_mm_kobj(void)
{
	return mm_kobj;
}
EXPORT_SYMBOL_NS_GPL(ppr_mm_kobj, PPR);
