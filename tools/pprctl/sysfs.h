/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pprctl: access to the module's sysfs tree, /sys/kernel/mm/ppr_pageone by
 * default or $PPR_SYSFS (for tests).
 */
#ifndef PPRCTL_SYSFS_H
#define PPRCTL_SYSFS_H

#include <stddef.h>
#include <stdint.h>

#define PPR_SYSFS_DEFAULT	"/sys/kernel/mm/ppr_pageone"
#define SYSFS_VALUE_MAX		4096	/* a sysfs attribute is at most a page */

struct sysfs_attr {
	char name[256];
	char value[SYSFS_VALUE_MAX];	/* trailing newline stripped */
	int err;			/* 0, or the errno reading it failed with */
};

const char *sysfs_root(void);

/* 0 if the root is a folder, -ENOENT or -ENOTDIR if the module is not loaded, or -errno. */
int sysfs_root_state(void);

/* 0 if the root exists; else print the "module is not loaded" error, -1. */
int sysfs_check_root(void);

/* root/rel into buf; -ENAMETOOLONG if it does not fit. */
int sysfs_path(char *buf, size_t size, const char *rel);

/* 0 or -errno. sysfs_read_u64 returns -EINVAL for a non-number. */
int sysfs_read(const char *rel, char *buf, size_t size);
int sysfs_read_u64(const char *rel, uint64_t *v);
int sysfs_write(const char *rel, const char *val);

/*
 * The files (non-directories) of a folder, with their contents, sorted by
 * name. Returns 0 or -errno; free *attrs.
 */
int sysfs_read_dir(const char *rel, struct sysfs_attr **attrs, size_t *nr);

/* The subfolders of a folder, numeric names in numeric order. Free with sysfs_free_names. */
int sysfs_list_dirs(const char *rel, char ***names, size_t *nr);
void sysfs_free_names(char **names, size_t nr);

/* Replace control characters and invalid UTF-8 with '?', so that a value cannot break a table. */
void sysfs_sanitize(char *s);

#endif /* PPRCTL_SYSFS_H */
