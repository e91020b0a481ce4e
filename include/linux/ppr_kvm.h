/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM tells PPR when a memslot of a VM is deleted or moved (a reset, a BAR
 * remapped, memory unplugged): marks the guest published before may no
 * longer describe the memory behind its addresses. And the other piece of
 * glue the ppr_pageone module needs from the core kernel (mm/ppr/glue.c):
 * /sys/kernel/mm, for its sysfs tree.
 */
#ifndef _LINUX_PPR_KVM_H
#define _LINUX_PPR_KVM_H

struct kobject;
struct kvm;

#ifdef CONFIG_PPR_RECYCLE
void ppr_kvm_memslot_removal(struct kvm *kvm);
void ppr_kvm_set_removal_hook(void (*hook)(struct kvm *kvm));
struct kobject *ppr_mm_kobj(void);
#else
static inline void ppr_kvm_memslot_removal(struct kvm *kvm) {}
#endif

#endif /* _LINUX_PPR_KVM_H */
