// SPDX-License-Identifier: GPL-2.0
/*
 * PPR guest driver: binds the ivshmem-plain PCI device (1af4:1110) whose BAR
 * 2 the host shares as the mark area, lays the area out, marks the pages
 * that are free, turns the allocator hooks on and announces the guest as
 * active in a new epoch.
 *
 * Guest lifetime (docs/mark-area.md): the bitmaps are cleared, and the free
 * pages marked, while the header says "inactive"; only then are a new epoch
 * and the active flag published. The active flag is cleared again before
 * anything could write to pages still marked free: on unbind, on shutdown,
 * reboot and kexec (PCI .shutdown and the reboot notifier) and on panic. A
 * hard reset runs no guest code; the host sees it as the BAR's memslot going
 * away.
 *
 * The host trusts an announcement only if it echoes the nonce the host
 * wrote into the area when it attached it (header.host_nonce): an area left
 * active by a guest that is gone never echoes a nonce written after it
 * went. The driver echoes the nonce it finds at bind and, while bound,
 * looks for a new one about once a second and announces again when it
 * sees one (the host attached after this guest bound, or a memslot went).
 *
 * One area per guest: a second device is refused.
 */
#define pr_fmt(fmt) "ppr_guest: " fmt

#include <linux/io.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/pci.h>
#include <linux/ppr_guest.h>
#include <linux/reboot.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#define PPR_IVSHMEM_BAR		2
#define PPR_PUBLISH_INTERVAL	HZ

struct ppr_guest_dev {
	struct pci_dev *pdev;
	struct ppr_area_header *hdr;	/* BAR 2, mapped write-back */
	resource_size_t bar_size;
	struct ppr_area_view view;
	u64 epoch;
	u64 nonce;			/* the host nonce echoed in @epoch */
	struct delayed_work publish;
	struct notifier_block reboot_nb;
	struct notifier_block panic_nb;
};

/*
 * The bound device. Set at the end of probe and cleared at the start of
 * remove, both under ppr_dev_lock, which the sysfs readers take too.
 */
static struct ppr_guest_dev *ppr_dev;
static DEFINE_MUTEX(ppr_dev_lock);

/*
 * Clear the active flag. Any write this CPU makes afterwards to a page that
 * is still marked free happens after the host can see "inactive"; the host
 * checks the state after it has unmapped a page, so it either sees inactive
 * and puts the page back, or our write faults and lands in a fresh page.
 * Safe in any context, panic included.
 */
static void ppr_deactivate(struct ppr_guest_dev *d)
{
	u64 s = READ_ONCE(d->hdr->state);

	/* Atomic against ppr_confirm() on another CPU: no lost clear. */
	while (!try_cmpxchg64(&d->hdr->state, &s, s & ~PPR_STATE_ACTIVE))
		;
	/* "inactive" is visible before any later write of ours: see above. */
	smp_mb();
}

/*
 * The host wrote a nonce we have not echoed (it attached the area after
 * this guest announced its epoch, or a memslot of ours went away):
 * announce again, in the next epoch, echoing the new nonce. The bitmaps
 * need no reset: this kernel kept them up to date all along. Only while
 * active: after ppr_deactivate() (unbind, shutdown, panic) the
 * compare-and-exchange fails and nothing changes.
 *
 * The host may read the new echo together with the old state, before the
 * exchange lands: that old epoch was announced by this same running
 * driver, so honouring it is right. A new boot's driver cannot be confused
 * with us: it writes "inactive" before it writes its echo.
 */
static void ppr_confirm(struct ppr_guest_dev *d)
{
	u64 nonce = READ_ONCE(d->hdr->host_nonce);
	u64 old, new;

	if (nonce == d->nonce)
		return;
	old = (d->epoch << PPR_STATE_EPOCH_SHIFT) | PPR_STATE_ACTIVE;
	new = ((d->epoch + 1) << PPR_STATE_EPOCH_SHIFT) | PPR_STATE_ACTIVE;
	WRITE_ONCE(d->hdr->nonce_echo, nonce);
	/* Fully ordered: the echo is visible before the new epoch. */
	if (!try_cmpxchg64(&d->hdr->state, &old, new))
		return;
	d->epoch++;
	d->nonce = nonce;
	dev_info(&d->pdev->dev, "the host asked for a confirmation: announced epoch %llu\n",
		 d->epoch);
}

/*
 * Publish @epoch as active, echoing the host's current nonce. The caller
 * has made the bitmaps match this kernel's allocator (cleared and the free
 * pages marked, or kept up to date by the hooks) while the area said
 * "inactive"; the release orders all of it, the echo included, before the
 * host can see "active".
 */
static void ppr_announce(struct ppr_guest_dev *d, u64 epoch)
{
	d->epoch = epoch;
	d->nonce = READ_ONCE(d->hdr->host_nonce);
	WRITE_ONCE(d->hdr->nonce_echo, d->nonce);
	/* Pairs with the host's acquire of the state (see above). */
	smp_store_release(&d->hdr->state,
			  (epoch << PPR_STATE_EPOCH_SHIFT) | PPR_STATE_ACTIVE);
}

static void ppr_publish_counters(struct ppr_guest_dev *d)
{
	struct ppr_area_counters *c = &d->hdr->counters;
	struct ppr_guest_stats st;

	ppr_guest_stats(&st);
	WRITE_ONCE(c->marks, st.marks);
	WRITE_ONCE(c->unmarks, st.unmarks);
	WRITE_ONCE(c->unmark_missing, st.unmark_missing);
	WRITE_ONCE(c->out_of_range, st.out_of_range);
	WRITE_ONCE(c->marked_now, ppr_area_weight(&d->view));
	WRITE_ONCE(c->published_ns, ktime_get_ns());
}

static void ppr_publish_work(struct work_struct *work)
{
	struct ppr_guest_dev *d = container_of(to_delayed_work(work),
					       struct ppr_guest_dev, publish);

	ppr_confirm(d);
	ppr_publish_counters(d);
	schedule_delayed_work(&d->publish, PPR_PUBLISH_INTERVAL);
}

static int ppr_reboot_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	ppr_deactivate(container_of(nb, struct ppr_guest_dev, reboot_nb));
	return NOTIFY_DONE;
}

static int ppr_panic_notify(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	ppr_deactivate(container_of(nb, struct ppr_guest_dev, panic_nb));
	return NOTIFY_DONE;
}

/* Nothing a guest wrote: zeroes up to the host's cache line. */
static bool ppr_header_blank(const struct ppr_area_header *hdr)
{
	return !memchr_inv(hdr, 0, offsetof(struct ppr_area_header, host_nonce));
}

/* Lay out the area for @nr_pfns PFNs, inactive, with empty bitmaps. */
static void ppr_area_init(struct ppr_guest_dev *d, u64 nr_pfns, u64 old_epoch)
{
	struct ppr_area_header *hdr = d->hdr;
	u64 mark_size = ppr_mark_bytes(nr_pfns);
	u64 summary_size = ppr_summary_bytes(nr_pfns);

	/* First of all: nothing below may be honoured by the host. */
	WRITE_ONCE(hdr->state, old_epoch << PPR_STATE_EPOCH_SHIFT);
	/* The host sees "inactive" before any bitmap word changes. */
	smp_mb();

	hdr->magic = PPR_AREA_MAGIC;
	hdr->version = PPR_AREA_VERSION;
	hdr->header_size = PPR_AREA_HEADER_SIZE;
	hdr->page_shift = PAGE_SHIFT;
	hdr->summary_shift = PPR_SUMMARY_SHIFT;
	hdr->mark_offset = PPR_AREA_HEADER_SIZE;
	hdr->mark_size = mark_size;
	hdr->summary_offset = PPR_AREA_HEADER_SIZE + mark_size;
	hdr->summary_size = summary_size;
	hdr->reserved0 = 0;
	hdr->area_size = ppr_area_bytes(nr_pfns);
	hdr->nr_pfns = nr_pfns;
	hdr->reserved1 = 0;
	hdr->nonce_echo = 0;
	memset(hdr->reserved2, 0, sizeof(hdr->reserved2));
	memset(&hdr->counters, 0, sizeof(hdr->counters));

	d->view.mark = (void *)hdr + hdr->mark_offset;
	d->view.summary = (void *)hdr + hdr->summary_offset;
	d->view.nr_pfns = nr_pfns;
	memset(d->view.mark, 0, mark_size);
	memset(d->view.summary, 0, summary_size);
}

static int ppr_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct ppr_guest_dev *d;
	resource_size_t start, len;
	u64 nr_pfns, need, old_epoch = 0;
	int err;

	if (page_poisoning_enabled()) {
		dev_err(dev, "page poisoning is on: a page the host recycles reads as zeroes and would fail the poison check; boot without page_poison=1 to use PPR\n");
		return -EINVAL;
	}
	start = pci_resource_start(pdev, PPR_IVSHMEM_BAR);
	len = pci_resource_len(pdev, PPR_IVSHMEM_BAR);
	if (!len || !(pci_resource_flags(pdev, PPR_IVSHMEM_BAR) & IORESOURCE_MEM)) {
		dev_err(dev, "no memory BAR %d: not an ivshmem-plain device\n", PPR_IVSHMEM_BAR);
		return -ENODEV;
	}
	nr_pfns = ppr_guest_nr_pfns();
	need = ppr_area_bytes(nr_pfns);
	if (need > len) {
		dev_err(dev, "area of %llu KiB is too small: this guest has %llu PFNs (%llu MiB of physical address space) and needs %llu KiB; give the ivshmem device a size of at least %llu KiB\n",
			(u64)len >> 10, nr_pfns, nr_pfns >> (20 - PAGE_SHIFT),
			need >> 10, (u64)roundup_pow_of_two(need) >> 10);
		return -ENOSPC;
	}

	mutex_lock(&ppr_dev_lock);
	if (ppr_dev) {
		dev_err(dev, "an area is bound already (%s); PPR uses one per guest\n",
			pci_name(ppr_dev->pdev));
		err = -EBUSY;
		goto unlock;
	}
	err = pci_enable_device_mem(pdev);
	if (err) {
		dev_err(dev, "cannot enable the device: %d\n", err);
		goto unlock;
	}
	err = pci_request_region(pdev, PPR_IVSHMEM_BAR, "ppr_guest");
	if (err) {
		dev_err(dev, "BAR %d is in use by another driver: %d\n", PPR_IVSHMEM_BAR, err);
		goto disable;
	}
	err = -ENOMEM;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		goto release;
	d->pdev = pdev;
	d->bar_size = len;
	d->hdr = memremap(start, len, MEMREMAP_WB);
	if (!d->hdr) {
		dev_err(dev, "cannot map BAR %d (%pa, %llu KiB) write-back\n",
			PPR_IVSHMEM_BAR, &start, (u64)len >> 10);
		goto free;
	}
	if (d->hdr->magic == PPR_AREA_MAGIC) {
		old_epoch = PPR_STATE_EPOCH(READ_ONCE(d->hdr->state));
	} else if (!ppr_header_blank(d->hdr)) {
		dev_err(dev, "BAR %d holds data that is not a PPR area (first word %#x); refusing to overwrite it\n",
			PPR_IVSHMEM_BAR, d->hdr->magic);
		err = -EEXIST;
		goto unmap;
	}

	ppr_area_init(d, nr_pfns, old_epoch);
	err = ppr_guest_hooks_enable(&d->view);
	if (err) {
		dev_err(dev, "cannot turn the allocator hooks on: %d\n", err);
		goto unmap;
	}
	ppr_announce(d, old_epoch + 1);

	d->reboot_nb.notifier_call = ppr_reboot_notify;
	d->reboot_nb.priority = INT_MAX;
	register_reboot_notifier(&d->reboot_nb);
	d->panic_nb.notifier_call = ppr_panic_notify;
	d->panic_nb.priority = INT_MAX;
	atomic_notifier_chain_register(&panic_notifier_list, &d->panic_nb);
	INIT_DEFERRABLE_WORK(&d->publish, ppr_publish_work);
	ppr_publish_counters(d);
	schedule_delayed_work(&d->publish, PPR_PUBLISH_INTERVAL);

	pci_set_drvdata(pdev, d);
	ppr_dev = d;
	mutex_unlock(&ppr_dev_lock);
	dev_info(dev, "mark area bound: %llu KiB of %llu KiB, %llu PFNs, epoch %llu, %llu pages marked free\n",
		 need >> 10, (u64)len >> 10, nr_pfns, d->epoch,
		 READ_ONCE(d->hdr->counters.marked_now));
	return 0;

unmap:
	memunmap(d->hdr);
free:
	kfree(d);
release:
	pci_release_region(pdev, PPR_IVSHMEM_BAR);
disable:
	pci_disable_device(pdev);
unlock:
	mutex_unlock(&ppr_dev_lock);
	return err;
}

static void ppr_remove(struct pci_dev *pdev)
{
	struct ppr_guest_dev *d = pci_get_drvdata(pdev);

	mutex_lock(&ppr_dev_lock);
	ppr_dev = NULL;
	mutex_unlock(&ppr_dev_lock);

	atomic_notifier_chain_unregister(&panic_notifier_list, &d->panic_nb);
	unregister_reboot_notifier(&d->reboot_nb);
	ppr_deactivate(d);
	ppr_guest_hooks_disable();
	cancel_delayed_work_sync(&d->publish);
	ppr_publish_counters(d);
	memunmap(d->hdr);
	pci_release_region(pdev, PPR_IVSHMEM_BAR);
	pci_disable_device(pdev);
	dev_info(&pdev->dev, "mark area unbound, epoch %llu ended\n", d->epoch);
	kfree(d);
}

/* Reboot, kexec, poweroff: the next kernel or the firmware writes anywhere. */
static void ppr_shutdown(struct pci_dev *pdev)
{
	struct ppr_guest_dev *d = pci_get_drvdata(pdev);

	if (d)
		ppr_deactivate(d);
}

/*
 * Hibernation (docs/recycler.md, "Guest lifetime").
 *
 * The image kernel quiesces (.freeze) before its snapshot, runs again
 * (.thaw) to write the image, then reboots (.shutdown) or powers off
 * (.poweroff). The restore kernel is a fresh boot whose driver announced
 * an epoch of its own, with its own free pages marked; it quiesces too
 * (.freeze, for PMSG_QUIESCE) and then copies the image into its memory
 * without its allocator, into frames it had marked free among others. The
 * image kernel then runs again (.restore) and finds the restore kernel's
 * marks in the area, not its own.
 *
 * So: going down clears the active flag; .thaw (the image kernel after its
 * snapshot, or any kernel whose hibernation or restore failed) announces
 * the next epoch, its bitmaps having been kept up to date by the hooks all
 * along; .restore lays the area out again and marks this kernel's free
 * pages, as a bind does, before it announces. The counter work, which may
 * announce too (ppr_confirm()), is stopped in between.
 */
static int ppr_pm_quiesce(struct device *dev)
{
	struct ppr_guest_dev *d = dev_get_drvdata(dev);

	if (!d)
		return 0;
	cancel_delayed_work_sync(&d->publish);
	ppr_deactivate(d);
	return 0;
}

static int ppr_pm_thaw(struct device *dev)
{
	struct ppr_guest_dev *d = dev_get_drvdata(dev);

	if (!d)
		return 0;
	ppr_announce(d, max(d->epoch, PPR_STATE_EPOCH(READ_ONCE(d->hdr->state))) + 1);
	dev_info(dev, "thawed: announced epoch %llu\n", d->epoch);
	schedule_delayed_work(&d->publish, PPR_PUBLISH_INTERVAL);
	return 0;
}

static int ppr_pm_restore(struct device *dev)
{
	struct ppr_guest_dev *d = dev_get_drvdata(dev);
	u64 epoch;
	int err;

	if (!d)
		return 0;
	/* The restore kernel's epoch, or ours if it was higher. */
	epoch = max(d->epoch, PPR_STATE_EPOCH(READ_ONCE(d->hdr->state)));
	ppr_deactivate(d);
	/* No hook may write the old marks while the bitmaps are cleared. */
	ppr_guest_hooks_disable();
	ppr_area_init(d, d->view.nr_pfns, epoch);
	err = ppr_guest_hooks_enable(&d->view);
	if (err) {
		/* Inactive for good: nothing is recycled, nothing is lost. */
		dev_err(dev, "resumed, but cannot turn the allocator hooks on again (%d): the area stays inactive\n",
			err);
		return 0;
	}
	ppr_announce(d, epoch + 1);
	ppr_publish_counters(d);
	dev_info(dev, "resumed from hibernation: area laid out again, epoch %llu, %llu pages marked free\n",
		 d->epoch, READ_ONCE(d->hdr->counters.marked_now));
	schedule_delayed_work(&d->publish, PPR_PUBLISH_INTERVAL);
	return 0;
}

static const struct dev_pm_ops ppr_pm_ops = {
	.freeze = ppr_pm_quiesce,
	.poweroff = ppr_pm_quiesce,
	.thaw = ppr_pm_thaw,
	.restore = ppr_pm_restore,
};

/*
 * /sys/kernel/mm/ppr_guest/area/: the bound area; "none" and 0 when no
 * area is bound. One show per file, each under ppr_dev_lock.
 */
#define PPR_AREA_SHOW(file, none, fmt, expr)				\
static ssize_t file##_show(struct kobject *kobj,			\
			   struct kobj_attribute *attr, char *buf)	\
{									\
	ssize_t ret;							\
									\
	mutex_lock(&ppr_dev_lock);					\
	if (!ppr_dev)							\
		ret = sysfs_emit(buf, "%s\n", none);			\
	else								\
		ret = sysfs_emit(buf, fmt "\n", expr);			\
	mutex_unlock(&ppr_dev_lock);					\
	return ret;							\
}									\
static struct kobj_attribute ppr_area_##file##_attr = __ATTR_RO(file)

PPR_AREA_SHOW(device, "none", "%s", pci_name(ppr_dev->pdev));
PPR_AREA_SHOW(active, "0", "%llu", READ_ONCE(ppr_dev->hdr->state) & PPR_STATE_ACTIVE);
PPR_AREA_SHOW(epoch, "0", "%llu", PPR_STATE_EPOCH(READ_ONCE(ppr_dev->hdr->state)));
PPR_AREA_SHOW(nr_pfns, "0", "%llu", ppr_dev->view.nr_pfns);
PPR_AREA_SHOW(area_bytes, "0", "%llu", ppr_area_bytes(ppr_dev->view.nr_pfns));
PPR_AREA_SHOW(bar_bytes, "0", "%llu", (u64)ppr_dev->bar_size);

static struct attribute *ppr_area_attrs[] = {
	&ppr_area_device_attr.attr,
	&ppr_area_active_attr.attr,
	&ppr_area_epoch_attr.attr,
	&ppr_area_nr_pfns_attr.attr,
	&ppr_area_area_bytes_attr.attr,
	&ppr_area_bar_bytes_attr.attr,
	NULL,
};

static const struct attribute_group ppr_area_group = {
	.name = "area",
	.attrs = ppr_area_attrs,
};

static const struct pci_device_id ppr_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1110) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ppr_ids);

static struct pci_driver ppr_driver = {
	.name = "ppr_guest",
	.id_table = ppr_ids,
	.probe = ppr_probe,
	.remove = ppr_remove,
	.shutdown = ppr_shutdown,
	.driver.pm = pm_sleep_ptr(&ppr_pm_ops),
};

static int __init ppr_guest_init(void)
{
	int err;

	if (!ppr_guest_kobj)
		return -ENODEV;
	err = sysfs_create_group(ppr_guest_kobj, &ppr_area_group);
	if (err)
		return err;
	err = pci_register_driver(&ppr_driver);
	if (err)
		sysfs_remove_group(ppr_guest_kobj, &ppr_area_group);
	return err;
}
module_init(ppr_guest_init);

static void __exit ppr_guest_exit(void)
{
	pci_unregister_driver(&ppr_driver);
	sysfs_remove_group(ppr_guest_kobj, &ppr_area_group);
}
module_exit(ppr_guest_exit);

MODULE_DESCRIPTION("PPR guest: mark freed pages in a mark area shared with the host");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(PPR);
