// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl: the one table of hints, errno and context to what to do.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hint.h"
#include "pprctl.h"

#define SAME_VERSION	"are pprctl and the module from the same version?"
#define MODPROBE	"the ppr_pageone module is not loaded; run: modprobe ppr_pageone"
#define LINUX_5_6	"pprctl needs Linux 5.6 or later"

struct hint_row {
	enum hint_ctx ctx;
	int err;		/* 0: any errno */
	const char *text;
};

/*
 * Looked up in this order: the context and the errno, the context and any
 * errno, then its parent context's rows the same way (if it has one), any
 * context and the errno, then the last row.
 */
static const struct hint_row hints[] = {
	{ HINT_MODULE, ENOENT, MODPROBE },
	{ HINT_MODULE, ENOTDIR, MODPROBE },
	{ HINT_MODULE, ENODEV, MODPROBE },
	{ HINT_MODULE, ENXIO, MODPROBE },

	{ HINT_SYSFS_READ, ENOENT, "this ppr_pageone module does not have it; " SAME_VERSION },
	{ HINT_SYSFS_READ, EINVAL, "the file does not hold a number; " SAME_VERSION },

	{ HINT_SYSFS_WRITE, EINVAL, "the kernel rejected the value; try another one" },
	{ HINT_SYSFS_WRITE, ERANGE, "the kernel rejected the value; try another one" },
	{ HINT_SYSFS_WRITE, EOVERFLOW, "the kernel rejected the value; try another one" },
	{ HINT_SYSFS_WRITE, EACCES, "changing settings needs root; run pprctl as root" },
	{ HINT_SYSFS_WRITE, EPERM, "changing settings needs root; run pprctl as root" },
	{ HINT_SYSFS_WRITE, ENOENT,
	  "this ppr_pageone module does not have this setting; " SAME_VERSION },
	{ HINT_SYSFS_WRITE, EROFS, "sysfs is mounted read-only here; remount it read-write" },
	{ HINT_SYSFS_WRITE, EBUSY, "the module is busy; try again" },
	{ HINT_SYSFS_WRITE, EAGAIN, "the module is busy; try again" },

	{ HINT_SYSFS_WRITE_PERCENT, ERANGE, "the kernel rejected the value: a CPU budget "
	  "goes from off (0%) to 100% per possible CPU (as in 400% with 4 CPUs; see "
	  "/sys/devices/system/cpu/possible)" },

	{ HINT_STATUS_PRINT, 0, "try pprctl status --json" },

	{ HINT_PROC, 0, "check the pid (e.g. pidof qemu-system-x86_64)" },

	{ HINT_PROC_FDS, EACCES, "this needs root or ptrace rights over the process" },
	{ HINT_PROC_FDS, EPERM, "this needs root or ptrace rights over the process" },
	{ HINT_PROC_FDS, 0, "check the pid" },

	{ HINT_PROC_MAPS, ENOMEM, "try again, or give the area with --area FILE" },
	{ HINT_PROC_MAPS, 0, "run pprctl as root, or give the area with --area FILE" },

	{ HINT_PIDFD_OPEN, ENOSYS, LINUX_5_6 },
	{ HINT_PIDFD_OPEN, ESRCH, "the process has exited" },
	{ HINT_PIDFD_OPEN, 0, "check the pid" },

	{ HINT_PIDFD_GETFD, EPERM, "this needs root, or ptrace rights over the process "
	  "(CAP_SYS_PTRACE; see kernel.yama.ptrace_scope)" },
	{ HINT_PIDFD_GETFD, EACCES, "this needs root, or ptrace rights over the process "
	  "(CAP_SYS_PTRACE; see kernel.yama.ptrace_scope)" },
	{ HINT_PIDFD_GETFD, ENOSYS, LINUX_5_6 },
	{ HINT_PIDFD_GETFD, EBADF, "the VM was closed or the process exited meanwhile" },
	{ HINT_PIDFD_GETFD, ESRCH, "the VM was closed or the process exited meanwhile" },

	{ HINT_AREA_OPEN, EACCES, "run pprctl as root" },
	{ HINT_AREA_OPEN, EPERM, "run pprctl as root" },
	{ HINT_AREA_OPEN, 0, "check the file given with --area" },

	{ HINT_ATTACH, EINVAL, "the module rejected the request: the area has the wrong magic, "
	  "version or size (is it the ivshmem device's file, and has the guest driver bound "
	  "it?), or the fd is not a KVM VM" },
	{ HINT_ATTACH, EEXIST, "this VM or this area is attached already; see pprctl status, "
	  "or pprctl detach it first" },
	{ HINT_ATTACH, EBUSY, "this VM or this area is attached already; see pprctl status, "
	  "or pprctl detach it first" },
	{ HINT_ATTACH, ENXIO, "the QEMU process does not map this file as shared memory: give "
	  "the mem-path of this QEMU's ivshmem memory backend with --area" },
	{ HINT_ATTACH, ENOSPC, "the module has no room for another VM; detach one first "
	  "(pprctl status lists them)" },
	{ HINT_ATTACH, EPERM, "attaching needs root (CAP_SYS_ADMIN); run pprctl as root" },
	{ HINT_ATTACH, EACCES, "attaching needs root (CAP_SYS_ADMIN); run pprctl as root" },
	{ HINT_ATTACH, ENOMEM, "the kernel is short of memory; try again later" },

	{ HINT_DETACH, ENOENT, "no VM with this id is attached; see pprctl status" },
	{ HINT_DETACH, EPERM, "detaching needs root; run pprctl as root" },
	{ HINT_DETACH, EACCES, "detaching needs root; run pprctl as root" },

	{ HINT_ANY, EACCES, "run pprctl as root" },
	{ HINT_ANY, EPERM, "run pprctl as root" },
	{ HINT_ANY, ENOTTY, "the device does not know this request; " SAME_VERSION },
	{ HINT_ANY, 0, "check the kernel log (dmesg)" },
};

/* A context whose rows only add to another's, its parent's. */
static const enum hint_ctx parent[] = {
	[HINT_SYSFS_WRITE_PERCENT] = HINT_SYSFS_WRITE,
};

static const char *find(enum hint_ctx ctx, int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hints); i++)
		if (hints[i].ctx == ctx && hints[i].err == err)
			return hints[i].text;
	return NULL;
}

const char *hint(enum hint_ctx ctx, int err)
{
	const char *text = NULL;

	if (err)
		text = find(ctx, err);
	if (!text)
		text = find(ctx, 0);
	if (!text && ctx < ARRAY_SIZE(parent) && parent[ctx] != HINT_ANY)
		return hint(parent[ctx], err);
	if (!text && err)
		text = find(HINT_ANY, err);
	return text ? text : hints[ARRAY_SIZE(hints) - 1].text;
}

void pr_errno(enum hint_ctx ctx, int err, const char *fmt, ...)
{
	va_list ap;

	fputs("pprctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s; %s\n", strerror(err), hint(ctx, err));
}
