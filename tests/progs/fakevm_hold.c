// SPDX-License-Identifier: GPL-2.0
/*
 * A VMM with no vCPU that stays until killed, for tests of what finds
 * VMMs (pprctl watch): a KVM VM and, unless --no-area, the mark area
 * /dev/shm/ppr-NAME laid out as a guest's driver would before it announces.
 * It keeps no fd of /dev/ppr_pageone, so the module can be unloaded under
 * it, and needs no module to start, as a QEMU does not. Prints "ready" once it is all in place.
 *
 *   fakevm_hold NAME [--no-area]
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fakevm.h"

int main(int argc, char **argv)
{
	struct fakevm f;

	if (argc < 2 || (argc > 2 && strcmp(argv[2], "--no-area"))) {
		fprintf(stderr, "usage: fakevm_hold NAME [--no-area]\n");
		return 2;
	}
	fakevm_create(&f, argv[1], 512);
	if (f.dev >= 0)
		close(f.dev);
	if (argc > 2) {
		munmap(f.h, FAKEVM_AREA_BYTES);
		close(f.area);
		unlink(f.path);
	} else {
		fakevm_layout(&f);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
