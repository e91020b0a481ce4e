// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl: the attached VMs, each read whole from its vms/<id> folder.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vms.h"

const struct sysfs_attr *vm_attr(const struct vm *vm, const char *name)
{
	size_t i;

	for (i = 0; i < vm->nr; i++)
		if (!strcmp(vm->attrs[i].name, name))
			return &vm->attrs[i];
	return NULL;
}

int vms_load(struct vm **vms, size_t *nr)
{
	char rel[PATH_MAX];
	char **ids;
	size_t n, i;
	struct vm *v;
	int err;

	*vms = NULL;
	*nr = 0;
	err = sysfs_list_dirs("vms", &ids, &n);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		sysfs_free_names(ids, n);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		snprintf(v[i].id, sizeof(v[i].id), "%s", ids[i]);
		snprintf(rel, sizeof(rel), "vms/%s", ids[i]);
		/* A VM detached meanwhile shows up with no files. */
		sysfs_read_dir(rel, &v[i].attrs, &v[i].nr);
	}
	sysfs_free_names(ids, n);
	*vms = v;
	*nr = n;
	return 0;
}

void vms_free(struct vm *vms, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(vms[i].attrs);
	free(vms);
}

static int str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t vms_files(const struct vm *vms, size_t nr, int (*skip)(const char *name),
		 const char ***out)
{
	const char **names;
	size_t total = 0, n = 0, i, k;

	for (i = 0; i < nr; i++)
		total += vms[i].nr;
	names = calloc(total ? total : 1, sizeof(*names));
	*out = names;
	if (!names)
		return 0;
	for (i = 0; i < nr; i++)
		for (k = 0; k < vms[i].nr; k++)
			if (!skip || !skip(vms[i].attrs[k].name))
				names[n++] = vms[i].attrs[k].name;
	qsort(names, n, sizeof(*names), str_ptr_cmp);
	for (i = 0, k = 0; i < n; i++)
		if (!k || strcmp(names[k - 1], names[i]))
			names[k++] = names[i];
	return k;
}
