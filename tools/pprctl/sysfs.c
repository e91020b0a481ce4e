// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl: read and write the module's sysfs files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hint.h"
#include "json.h"
#include "pprctl.h"
#include "sysfs.h"
#include "units.h"

const char *sysfs_root(void)
{
	const char *env = getenv("PPR_SYSFS");

	return env && *env ? env : PPR_SYSFS_DEFAULT;
}

int sysfs_root_state(void)
{
	struct stat st;

	if (stat(sysfs_root(), &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int sysfs_check_root(void)
{
	int err = -sysfs_root_state();

	if (!err)
		return 0;
	if (err == ENOENT || err == ENOTDIR)
		pr_err("%s not found: %s", sysfs_root(), hint(HINT_MODULE, err));
	else
		pr_errno(HINT_MODULE, err, "%s", sysfs_root());
	return -1;
}

int sysfs_path(char *buf, size_t size, const char *rel)
{
	int n = snprintf(buf, size, "%s/%s", sysfs_root(), rel);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int sysfs_read(const char *rel, char *buf, size_t size)
{
	char path[PATH_MAX];
	size_t len = 0;
	ssize_t n;
	int fd, err;

	err = sysfs_path(path, sizeof(path), rel);
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len + 1 < size) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			close(fd);
			return err;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return 0;
}

int sysfs_read_u64(const char *rel, uint64_t *v)
{
	char buf[64];
	int err = sysfs_read(rel, buf, sizeof(buf));

	if (err)
		return err;
	return parse_u64(buf, v) ? -EINVAL : 0;
}

int sysfs_write(const char *rel, const char *val)
{
	char path[PATH_MAX];
	size_t len = strlen(val);
	ssize_t n;
	int fd, err;

	err = sysfs_path(path, sizeof(path), rel);
	if (err)
		return err;
	/* No O_CREAT: a missing file means the module has no such setting. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* sysfs takes one write(); the kernel's verdict is its return value. */
	do {
		n = write(fd, val, len);
	} while (n < 0 && errno == EINTR);
	err = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static int is_number(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Numbers first, in numeric order, then other names in byte order. */
static int name_cmp(const char *a, const char *b)
{
	int na = is_number(a), nb = is_number(b);
	size_t la, lb;

	if (na != nb)
		return nb - na;
	if (na) {
		while (*a == '0' && a[1])
			a++;
		while (*b == '0' && b[1])
			b++;
		la = strlen(a);
		lb = strlen(b);
		if (la != lb)
			return la < lb ? -1 : 1;
	}
	return strcmp(a, b);
}

static int name_ptr_cmp(const void *a, const void *b)
{
	return name_cmp(*(char *const *)a, *(char *const *)b);
}

static int attr_cmp(const void *a, const void *b)
{
	return name_cmp(((const struct sysfs_attr *)a)->name,
			((const struct sysfs_attr *)b)->name);
}

/* Names in folder rel whose type (directory or not) is want_dir. */
static int list_names(const char *rel, int want_dir, char ***names, size_t *nr)
{
	char path[PATH_MAX], child[PATH_MAX];
	char **v = NULL, **nv;
	size_t n = 0, cap = 0;
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int err;

	*names = NULL;
	*nr = 0;
	err = sysfs_path(path, sizeof(path), rel);
	if (err)
		return err;
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(child, sizeof(child), "%s/%s", path, de->d_name) >= (int)sizeof(child))
			continue;
		if (stat(child, &st))
			continue;	/* a dangling link, or gone meanwhile */
		if ((S_ISDIR(st.st_mode) ? 1 : 0) != want_dir)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
		}
		v[n] = strdup(de->d_name);
		if (!v[n])
			goto nomem;
		n++;
	}
	closedir(dir);
	if (n)
		qsort(v, n, sizeof(*v), name_ptr_cmp);
	*names = v;
	*nr = n;
	return 0;
nomem:
	closedir(dir);
	sysfs_free_names(v, n);
	return -ENOMEM;
}

int sysfs_list_dirs(const char *rel, char ***names, size_t *nr)
{
	return list_names(rel, 1, names, nr);
}

void sysfs_free_names(char **names, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

int sysfs_read_dir(const char *rel, struct sysfs_attr **attrs, size_t *nr)
{
	char file[PATH_MAX];
	struct sysfs_attr *a;
	char **names;
	size_t n, i;
	int err;

	*attrs = NULL;
	*nr = 0;
	err = list_names(rel, 0, &names, &n);
	if (err)
		return err;
	a = calloc(n ? n : 1, sizeof(*a));
	if (!a) {
		sysfs_free_names(names, n);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		snprintf(a[i].name, sizeof(a[i].name), "%s", names[i]);
		if (snprintf(file, sizeof(file), "%s/%s", rel, names[i]) >= (int)sizeof(file))
			a[i].err = ENAMETOOLONG;
		else
			a[i].err = -sysfs_read(file, a[i].value, sizeof(a[i].value));
	}
	sysfs_free_names(names, n);
	qsort(a, n, sizeof(*a), attr_cmp);
	*attrs = a;
	*nr = n;
	return 0;
}

void sysfs_sanitize(char *s)
{
	int len;

	while (*s) {
		len = utf8_char_len(s);
		if (!len || (unsigned char)*s < 0x20 || *s == 0x7f) {
			*s++ = '?';
			continue;
		}
		s += len;
	}
}
