// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl attach, detach: hand a QEMU process's KVM VM and its mark area to
 * the ppr_pageone module, or take them back.
 *
 * attach needs no cooperation from QEMU: the VM fd is copied out of the
 * running process with pidfd_getfd(2), which needs ptrace rights over it,
 * and the mark area is the shared file behind its ivshmem-plain device.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/ppr.h>

#include "hint.h"
#include "json.h"
#include "opt.h"
#include "pprctl.h"
#include "sysfs.h"
#include "units.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open	434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd	438
#endif

#define KVM_VM_LINK	"anon_inode:kvm-vm"
#define MAX_VM_FDS	8
#define DELETED_SUFFIX	" (deleted)"

static const char *device_path(void)
{
	const char *env = getenv("PPR_DEVICE");

	return env && *env ? env : "/dev/" PPR_DEVICE_NAME;
}

static int open_device(void)
{
	const char *path = device_path();
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	pr_errno(HINT_MODULE, errno, "opening %s", path);
	return -1;
}

static int parse_pid(const char *s, int *pid)
{
	uint64_t v;

	if (parse_u64(s, &v) || !v || v > INT_MAX)
		return -1;
	*pid = v;
	return 0;
}

static int parse_vm_id(const char *s, uint32_t *id)
{
	uint64_t v;

	if (parse_u64(s, &v) || v > UINT32_MAX)
		return -1;
	*id = v;
	return 0;
}

/*
 * The fds of pid that are KVM VMs. Returns how many there are (fds holds at
 * most max of them) or -errno.
 */
int find_vm_fds(int pid, int *fds, int max)
{
	char dir_path[64], link_path[PATH_MAX], target[64];
	struct dirent *de;
	uint64_t fd;
	ssize_t len;
	int n = 0;
	DIR *dir;

	snprintf(dir_path, sizeof(dir_path), "/proc/%d/fd", pid);
	dir = opendir(dir_path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (parse_u64(de->d_name, &fd) || fd > INT_MAX)
			continue;
		snprintf(link_path, sizeof(link_path), "%s/%s", dir_path, de->d_name);
		len = readlink(link_path, target, sizeof(target) - 1);
		if (len < 0)
			continue;	/* closed meanwhile */
		target[len] = '\0';
		if (strcmp(target, KVM_VM_LINK))
			continue;
		if (n < max)
			fds[n] = fd;
		n++;
	}
	closedir(dir);
	return n;
}

/* A copy of fd target of process pid in ours, or -1 after printing why not. */
static int grab_fd(int pid, int target)
{
	int pidfd, fd, err;

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		pr_errno(HINT_PIDFD_OPEN, errno, "pidfd_open(%d)", pid);
		return -1;
	}
	fd = syscall(SYS_pidfd_getfd, pidfd, target, 0);
	err = errno;
	close(pidfd);
	if (fd >= 0)
		return fd;
	pr_errno(HINT_PIDFD_GETFD, err, "copying the KVM VM fd %d of process %d (pidfd_getfd)",
		 target, pid);
	return -1;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

static int has_area_magic(const char *path)
{
	unsigned char b[4];
	int fd, ok;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return 0;
	ok = pread(fd, b, sizeof(b), 0) == (ssize_t)sizeof(b) &&
	     ((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	      (uint32_t)b[3] << 24) == PPR_AREA_MAGIC;
	close(fd);
	return ok;
}

struct file_id {
	unsigned int major, minor;
	unsigned long inode;
};

/*
 * Find the mark area among the shared file mappings of pid: the files that
 * start with the area magic or, if none does (the guest has not bound yet),
 * those with "ppr" in their path and at most 64 MiB.
 */
int area_scan(int pid, struct area_scan *scan)
{
	struct area_candidate magic[AREA_MAX_CANDIDATES], *named, cand, *c = &cand;
	struct file_id seen[256];
	int nr_magic = 0, nr_named = 0, nr_seen = 0, i, n;
	unsigned long start, end, offset, inode;
	unsigned int major, minor;
	char maps[64], perms[8], *line = NULL, *path;
	size_t cap = 0, len;
	struct stat st;
	FILE *f;

	memset(scan, 0, sizeof(*scan));
	named = scan->cand;
	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		n = 0;
		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &start, &end, perms, &offset,
			   &major, &minor, &inode, &n) < 7 || !n)
			continue;
		path = line + n;
		if (strlen(perms) < 4 || perms[3] != 's' || !inode || path[0] != '/')
			continue;
		for (i = 0; i < nr_seen; i++)
			if (seen[i].inode == inode && seen[i].major == major &&
			    seen[i].minor == minor)
				break;
		if (i < nr_seen)
			continue;
		if (nr_seen < (int)ARRAY_SIZE(seen))
			seen[nr_seen++] = (struct file_id){ major, minor, inode };

		snprintf(c->path, sizeof(c->path), "%s", path);
		/* A deleted file (memfd, unlinked shm) is reachable through map_files. */
		if (ends_with(path, DELETED_SUFFIX))
			snprintf(c->open_path, sizeof(c->open_path), "/proc/%d/map_files/%lx-%lx",
				 pid, start, end);
		else
			snprintf(c->open_path, sizeof(c->open_path), "%s", path);
		/* stat first: never open a device node that happens to be mapped. */
		if (stat(c->open_path, &st) || !S_ISREG(st.st_mode))
			continue;
		c->size = st.st_size;
		c->has_magic = has_area_magic(c->open_path);
		if (c->has_magic) {
			if (nr_magic < AREA_MAX_CANDIDATES)
				magic[nr_magic] = *c;
			nr_magic++;
		} else if (strstr(path, "ppr") && c->size && c->size <= AREA_NAME_HINT_MAX) {
			if (nr_named < AREA_MAX_CANDIDATES)
				named[nr_named] = *c;
			nr_named++;
		}
	}
	free(line);
	fclose(f);
	if (nr_magic) {
		scan->by_magic = 1;
		scan->nr = nr_magic;
		memcpy(scan->cand, magic, sizeof(magic[0]) *
		       (nr_magic < AREA_MAX_CANDIDATES ? nr_magic : AREA_MAX_CANDIDATES));
	} else {
		scan->nr = nr_named;
	}
	return 0;
}

/* Copy at most size - 1 bytes of s[0..len) to out, not splitting a UTF-8 character. */
static void copy_label(char *out, size_t size, const char *s, size_t len)
{
	if (len >= size) {
		len = size - 1;
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(out, s, len);
	out[len] = '\0';
}

/*
 * The guest name from QEMU's command line (NUL-separated arguments): the
 * value of the last -name, in its "guest=" key or as its first, implied key.
 * QEMU writes a comma in a value as ",,". Returns 0, or -1 if there is none.
 */
int vm_name_from_cmdline(const char *cmdline, size_t len, char *name, size_t size)
{
	const char *arg, *value = NULL, *end = cmdline + len, *p;
	char elem[256];
	size_t n;
	int first = 1;

	for (arg = cmdline; arg < end; arg += strnlen(arg, end - arg) + 1) {
		if (!strcmp(arg, "-name") || !strcmp(arg, "--name")) {
			p = arg + strnlen(arg, end - arg) + 1;
			if (p < end)
				value = p;
		} else if (!strncmp(arg, "-name=", 6)) {
			value = arg + 6;
		} else if (!strncmp(arg, "--name=", 7)) {
			value = arg + 7;
		}
	}
	if (!value)
		return -1;
	/* Walk the comma-separated elements, undoubling ",,". */
	end = value + strnlen(value, end - value);
	for (p = value; p <= end; first = 0) {
		n = 0;
		while (p < end) {
			if (*p == ',' && p + 1 < end && p[1] == ',') {
				p += 2;
				if (n < sizeof(elem) - 1)
					elem[n++] = ',';
				continue;
			}
			if (*p == ',')
				break;
			if (n < sizeof(elem) - 1)
				elem[n++] = *p;
			p++;
		}
		p++;	/* past the comma, or past the end */
		elem[n] = '\0';
		if (n > 6 && !memcmp(elem, "guest=", 6)) {
			copy_label(name, size, elem + 6, n - 6);
			return 0;
		}
		if (first && n && !strchr(elem, '=')) {
			copy_label(name, size, elem, n);
			return 0;
		}
	}
	return -1;
}

static void default_name(int pid, char *name, size_t size)
{
	char path[64], buf[8192];
	ssize_t len = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		len = read(fd, buf, sizeof(buf));
		close(fd);
	}
	if (len <= 0 || vm_name_from_cmdline(buf, len, name, size) || !name[0])
		snprintf(name, size, "pid-%d", pid);
}

static void print_candidates(const struct area_scan *scan)
{
	char size[32];
	int i;

	for (i = 0; i < scan->nr && i < AREA_MAX_CANDIDATES; i++)
		fprintf(stderr, "  %s (%s%s)\n", scan->cand[i].path,
			format_size(scan->cand[i].size, size, sizeof(size)),
			scan->cand[i].has_magic ? ", starts with the area magic" : "");
	if (scan->nr > AREA_MAX_CANDIDATES)
		fprintf(stderr, "  ... and %d more\n", scan->nr - AREA_MAX_CANDIDATES);
}

/* Find the area of pid, or print why not. Returns 0 and fills *out. */
static int choose_area(int pid, struct area_candidate *out)
{
	struct area_scan *scan = malloc(sizeof(*scan));
	int err, ret = -1;

	if (!scan) {
		pr_errno(HINT_PROC_MAPS, ENOMEM, "finding the mark area of process %d", pid);
		return -1;
	}
	err = area_scan(pid, scan);
	if (err) {
		pr_errno(HINT_PROC_MAPS, -err, "reading /proc/%d/maps", pid);
	} else if (scan->nr == 0) {
		pr_err("process %d maps no PPR mark area (no shared file starting with the area magic, nor one with \"ppr\" in its path of at most 64 MiB); give the ivshmem memory backend's file with --area FILE",
		       pid);
	} else if (scan->nr > 1) {
		pr_err("process %d maps %d files that could be the mark area; choose one with --area FILE:",
		       pid, scan->nr);
		print_candidates(scan);
	} else {
		*out = scan->cand[0];
		ret = 0;
	}
	free(scan);
	return ret;
}

void print_attached(FILE *f, int json, unsigned int id, int pid, const char *name,
		    const char *area)
{
	struct json j;

	if (!json) {
		/* Scripts parse this line: keep it as it is. */
		fprintf(f, "attached vm %u: pid %d, name %s, area %s\n", id, pid, name, area);
		return;
	}
	/* The keys of pprctl status --json's VM objects, and the area. */
	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_u64(&j, "id", id);
	json_str(&j, "name", name);
	json_u64(&j, "vmm_pid", pid);
	json_str(&j, "area", area);
	json_obj_end(&j);
	json_finish(&j);
}

int cmd_attach(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "area", required_argument, NULL, 'a' },
		{ "name", required_argument, NULL, 'n' },
		OPT_JSON, OPT_HELP, OPT_TABLE_END
	};
	const char *area_arg = NULL, *name_arg = NULL, *pid_arg = NULL, *arg;
	struct area_candidate area;
	struct ppr_attach req;
	int fds[MAX_VM_FDS];
	int pid, i, n, c, dev, kvm_fd, area_fd, json = 0, ret;
	char proc[64], fdlist[128];
	struct opts o;
	struct stat st;

	opt_start(&o, "attach", argc, argv, "jh", longopts);
	while ((c = opt_next(&o, &arg)) != OPT_DONE) {
		if (c == 'a')
			area_arg = arg;
		else if (c == 'n')
			name_arg = arg;
		else if (c == 'j')
			json = 1;
		else if (c == OPT_ARG && pid_arg)
			opt_error(&o, "too many arguments ('%s')", arg);
		else if (c == OPT_ARG)
			pid_arg = arg;
	}
	ret = opt_end(&o);
	if (ret)
		return ret;
	ret = EXIT_FAIL;
	if (!pid_arg)
		return usage_error("attach", "missing the QEMU pid");
	if (parse_pid(pid_arg, &pid))
		return usage_error("attach", "'%s' is not a pid", pid_arg);
	if (name_arg && (!name_arg[0] || strlen(name_arg) >= PPR_NAME_LEN))
		return usage_error("attach", "--name '%s' must have 1 to %d bytes", name_arg,
				   PPR_NAME_LEN - 1);
	if (area_arg && !area_arg[0])
		return usage_error("attach", "--area needs a file name");

	dev = open_device();
	if (dev < 0)
		return EXIT_FAIL;
	snprintf(proc, sizeof(proc), "/proc/%d", pid);
	if (stat(proc, &st)) {
		pr_err("process %d: %s; %s", pid,
		       errno == ENOENT ? "no such process" : strerror(errno), hint(HINT_PROC, errno));
		goto out_dev;
	}

	n = find_vm_fds(pid, fds, MAX_VM_FDS);
	if (n < 0) {
		pr_errno(HINT_PROC_FDS, -n, "listing the fds of process %d (/proc/%d/fd)", pid, pid);
		goto out_dev;
	}
	if (n == 0) {
		pr_err("process %d has no KVM VM fd: is it QEMU running with -accel kvm?", pid);
		goto out_dev;
	}
	if (n > 1) {
		fdlist[0] = '\0';
		for (i = 0; i < n && i < MAX_VM_FDS; i++)
			snprintf(fdlist + strlen(fdlist), sizeof(fdlist) - strlen(fdlist), "%s%d",
				 i ? ", " : "", fds[i]);
		pr_err("process %d has %d KVM VM fds (%s): which one is the guest is ambiguous, and attaching it is not supported; run one VM per QEMU process",
		       pid, n, fdlist);
		goto out_dev;
	}
	kvm_fd = grab_fd(pid, fds[0]);
	if (kvm_fd < 0)
		goto out_dev;

	memset(&area, 0, sizeof(area));
	if (area_arg) {
		snprintf(area.path, sizeof(area.path), "%s", area_arg);
		snprintf(area.open_path, sizeof(area.open_path), "%s", area_arg);
	} else if (choose_area(pid, &area)) {
		goto out_kvm;
	}
	area_fd = open(area.open_path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (area_fd < 0) {
		pr_errno(HINT_AREA_OPEN, errno, "opening the mark area %s", area.path);
		goto out_kvm;
	}
	if (fstat(area_fd, &st) || !S_ISREG(st.st_mode) || !st.st_size) {
		pr_err("mark area %s: not a regular file with data; give the ivshmem memory backend's file with --area FILE",
		       area.path);
		goto out_area;
	}

	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.kvm_fd = kvm_fd;
	req.area_fd = area_fd;
	req.flags = 0;
	req.area_offset = 0;
	req.area_size = st.st_size;
	req.vmm_pid = pid;
	if (name_arg)
		snprintf(req.name, sizeof(req.name), "%s", name_arg);
	else
		default_name(pid, req.name, sizeof(req.name));

	if (ioctl(dev, PPR_IOC_ATTACH, &req)) {
		pr_errno(HINT_ATTACH, errno, "attaching process %d (VM fd %d, area %s)", pid,
			 fds[0], area.path);
		goto out_area;
	}
	print_attached(stdout, json, req.vm_id, pid, req.name, area.path);
	ret = EXIT_OK;
out_area:
	close(area_fd);
out_kvm:
	close(kvm_fd);
out_dev:
	close(dev);
	return ret;
}

/* The id of the one attached VM whose vmm_pid is pid, or -1 after printing why not. */
static int vm_id_of_pid(int pid, uint32_t *id)
{
	char rel[PATH_MAX], list[256] = "";
	char **ids;
	size_t n, i;
	uint64_t v;
	int err, found = 0;

	err = sysfs_list_dirs("vms", &ids, &n);
	if (err && err != -ENOENT) {
		pr_errno(HINT_SYSFS_READ, -err, "listing %s/vms", sysfs_root());
		return -1;
	}
	for (i = 0; !err && i < n; i++) {
		snprintf(rel, sizeof(rel), "vms/%s/vmm_pid", ids[i]);
		if (sysfs_read_u64(rel, &v) || v != (uint64_t)pid || parse_vm_id(ids[i], id))
			continue;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 found ? ", " : "", ids[i]);
		found++;
	}
	if (!err)
		sysfs_free_names(ids, n);
	if (!found) {
		pr_err("detach --pid %d: no attached VM has vmm_pid %d; see pprctl status", pid, pid);
		return -1;
	}
	if (found > 1) {
		pr_err("detach --pid %d: %d attached VMs have vmm_pid %d (ids %s); detach them by id",
		       pid, found, pid, list);
		return -1;
	}
	return 0;
}

void print_detached(FILE *f, int json, unsigned int id)
{
	struct json j;

	if (!json) {
		fprintf(f, "detached vm %u\n", id);
		return;
	}
	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_u64(&j, "id", id);
	json_obj_end(&j);
	json_finish(&j);
}

int cmd_detach(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		OPT_JSON, OPT_HELP, OPT_TABLE_END
	};
	const char *id_arg = NULL, *pid_arg = NULL, *arg;
	struct ppr_detach req;
	int c, pid = 0, dev, json = 0, ret;
	struct opts o;
	uint32_t id = 0;

	opt_start(&o, "detach", argc, argv, "jh", longopts);
	while ((c = opt_next(&o, &arg)) != OPT_DONE) {
		if (c == 'p' && pid_arg)
			opt_error(&o, "--pid given twice");
		else if (c == 'p')
			pid_arg = arg;
		else if (c == 'j')
			json = 1;
		else if (c == OPT_ARG && id_arg)
			opt_error(&o, "too many arguments ('%s')", arg);
		else if (c == OPT_ARG)
			id_arg = arg;
	}
	ret = opt_end(&o);
	if (ret)
		return ret;
	if (!!id_arg == !!pid_arg)
		return usage_error("detach", "give a VM id or --pid PID, not %s",
				   id_arg ? "both" : "neither");
	if (id_arg && parse_vm_id(id_arg, &id))
		return usage_error("detach", "'%s' is not a VM id (see pprctl status)", id_arg);
	if (pid_arg && parse_pid(pid_arg, &pid))
		return usage_error("detach", "'%s' is not a pid", pid_arg);

	if (pid_arg && (sysfs_check_root() || vm_id_of_pid(pid, &id)))
		return EXIT_FAIL;
	dev = open_device();
	if (dev < 0)
		return EXIT_FAIL;
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.vm_id = id;
	ret = EXIT_FAIL;
	if (ioctl(dev, PPR_IOC_DETACH, &req)) {
		pr_errno(HINT_DETACH, errno, "detach vm %u", id);
	} else {
		print_detached(stdout, json, id);
		ret = EXIT_OK;
	}
	close(dev);
	return ret;
}
