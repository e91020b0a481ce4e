/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pprctl: what to do about a failure, from the errno it failed with and
 * what pprctl was doing. Every message then reads
 * "pprctl: <what failed>: <why>; <what to do>".
 */
#ifndef PPRCTL_HINT_H
#define PPRCTL_HINT_H

/* What pprctl was doing when the error came. */
enum hint_ctx {
	HINT_ANY,		/* rows that apply to every context */
	HINT_MODULE,		/* finding the module: sysfs root, /dev/ppr_pageone */
	HINT_SYSFS_READ,	/* reading or listing the module's sysfs files */
	HINT_SYSFS_WRITE,	/* writing a setting */
	HINT_SYSFS_WRITE_PERCENT, /* writing a CPU percent; else as HINT_SYSFS_WRITE */
	HINT_STATUS_PRINT,	/* printing pprctl status as tables */
	HINT_PROC,		/* /proc/PID of the QEMU process */
	HINT_PROC_FDS,		/* listing /proc/PID/fd */
	HINT_PROC_MAPS,		/* finding the mark area in /proc/PID/maps */
	HINT_PIDFD_OPEN,	/* pidfd_open(2) on the QEMU process */
	HINT_PIDFD_GETFD,	/* pidfd_getfd(2) of its KVM VM fd */
	HINT_AREA_OPEN,		/* opening the mark area */
	HINT_ATTACH,		/* the PPR_IOC_ATTACH ioctl */
	HINT_DETACH,		/* the PPR_IOC_DETACH ioctl */
};

/* The hint for errno err (positive) in context ctx; never NULL. */
const char *hint(enum hint_ctx ctx, int err);

/* Print "pprctl: <fmt...>: <strerror(err)>; <hint>" on stderr. */
void __attribute__((format(printf, 3, 4)))
pr_errno(enum hint_ctx ctx, int err, const char *fmt, ...);

#endif /* PPRCTL_HINT_H */
