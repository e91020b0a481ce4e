/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pprctl: the attached VMs, each read whole from its vms/<id> folder.
 */
#ifndef PPRCTL_VMS_H
#define PPRCTL_VMS_H

#include <stddef.h>

#include "sysfs.h"

struct vm {
	char id[256];
	struct sysfs_attr *attrs;	/* sorted by name; none if it went meanwhile */
	size_t nr;
};

/* The VMs in id order. 0 (none: no vms folder) or -errno; free with vms_free. */
int vms_load(struct vm **vms, size_t *nr);
void vms_free(struct vm *vms, size_t nr);

/* The file @name of @vm, or NULL. */
const struct sysfs_attr *vm_attr(const struct vm *vm, const char *name);

/*
 * The names of the VMs' files, each once, sorted, but those @skip (if not
 * NULL) is true of. *out is NULL if out of memory; else free it (the names
 * belong to @vms).
 */
size_t vms_files(const struct vm *vms, size_t nr, int (*skip)(const char *name),
		 const char ***out);

#endif /* PPRCTL_VMS_H */
