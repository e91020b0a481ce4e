// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ppr_pageone: attach and detach VMs. Root only (CAP_SYS_ADMIN): an
 * attach lets the module unmap pages of another process.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/uaccess.h>

#include "ppr.h"

/* Copy in a request whose first u32 must be its exact size. */
static int ppr_copy_req(void *req, size_t size, void __user *arg)
{
	u32 usize;

	if (get_user(usize, (u32 __user *)arg))
		return -EFAULT;
	if (usize != size)
		return -EINVAL;
	if (copy_from_user(req, arg, size))
		return -EFAULT;
	return 0;
}

static long ppr_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case PPR_IOC_ATTACH: {
		struct ppr_attach req;

		err = ppr_copy_req(&req, sizeof(req), uarg);
		if (err)
			return err;
		err = ppr_vm_attach(&req);
		if (err)
			return err;
		ppr_recycler_kick();	/* its first pass now */
		if (put_user(req.vm_id, &((struct ppr_attach __user *)uarg)->vm_id)) {
			ppr_vm_detach(req.vm_id);
			return -EFAULT;
		}
		return 0;
	}
	case PPR_IOC_DETACH: {
		struct ppr_detach req;

		err = ppr_copy_req(&req, sizeof(req), uarg);
		if (err)
			return err;
		ppr_vm_restore_ram(req.vm_id);	/* the VMM's choice again */
		return ppr_vm_detach(req.vm_id);
	}
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ppr_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ppr_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice ppr_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = PPR_DEVICE_NAME,
	.fops = &ppr_fops,
	.mode = 0600,
};

int ppr_dev_init(void)
{
	return misc_register(&ppr_misc);
}

void ppr_dev_exit(void)
{
	misc_deregister(&ppr_misc);
}
