// SPDX-License-Identifier: GPL-2.0
/*
 * Load a kernel with kexec_file_load() and reboot into it at once, the way
 * `kexec -s -l ... && kexec -e` would: busybox has no kexec applet.
 *
 * usage: ppr_kexec BZIMAGE INITRD CMDLINE
 * Does not return on success; exits 1 with the failing step otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int kfd, ifd;

	if (argc != 4) {
		fprintf(stderr, "usage: ppr_kexec BZIMAGE INITRD CMDLINE\n");
		return 2;
	}
	kfd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (kfd < 0) {
		fprintf(stderr, "ppr_kexec: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	ifd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (ifd < 0) {
		fprintf(stderr, "ppr_kexec: open %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	/* The command line length counts its terminating NUL. */
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(argv[3]) + 1,
		    argv[3], 0UL)) {
		fprintf(stderr, "ppr_kexec: kexec_file_load: %s%s\n", strerror(errno),
			errno == ENOSYS ? " (kernel built without CONFIG_KEXEC_FILE)" : "");
		return 1;
	}
	sync();
	reboot(LINUX_REBOOT_CMD_KEXEC);
	fprintf(stderr, "ppr_kexec: reboot(KEXEC): %s\n", strerror(errno));
	return 1;
}
