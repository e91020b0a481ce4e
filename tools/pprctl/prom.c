// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl status --prometheus: the module's sysfs tree in Prometheus' text
 * exposition format (version 0.0.4).
 *
 * Names follow Prometheus' conventions and say where each value comes
 * from: ppr_ for the settings and stats/, ppr_pageone_ for pageone/, and
 * ppr_vm_ for vms/<id>/, with the labels vm (the id) and name. A file's
 * unit becomes a base unit: _ns, _us and _ms become _seconds, _percent
 * becomes _ratio, with the value scaled exactly (no floating point).
 * Counters end in _total. The gauges are the settings and the files named
 * in gauges[]; every other number is a counter (docs/ABI says which is
 * which, and what each one counts). A file that is not a number (a VM's
 * name and state) is a label of ppr_vm_info, or left out with a comment.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "param.h"
#include "pprctl.h"
#include "prom.h"
#include "sysfs.h"
#include "units.h"

/* Files that go up and down; @unit is appended to the name if not empty. */
static const struct {
	const char *file;
	const char *unit;
} gauges[] = {
	{ "attached_vms", "" },
	{ "last_pass_ms", "" },
	{ "hash_buckets", "" },
	{ "pages_shared", "" },
	{ "pages_sharing", "" },
	{ "pages_unshared", "" },
	{ "pages_volatile", "" },
	{ "ksm_zero_pages", "" },
	{ "general_profit", "_bytes" },
	{ "epoch", "" },
	{ "nr_pfns", "" },
	{ "area_bytes", "" },
	{ "batches_in_flight", "" },
	{ "queued_chunks", "" },
	{ "ram_mergeable_pages", "" },
	{ "ram_unmergeable_pages", "" },
	{ "ram_merge_failures", "" },
};

/* Unit suffixes of file names: the base unit and the power of ten to divide by. */
static const struct {
	const char *suffix;
	const char *unit;
	int digits;
} units[] = {
	{ "_ns", "_seconds", 9 },
	{ "_us", "_seconds", 6 },
	{ "_ms", "_seconds", 3 },
	{ "_percent", "_ratio", 2 },
};

/* VM files that are labels of ppr_vm_info rather than series. */
static const char *const vm_labels[] = { "name", "vmm_pid", "state" };

#define NAME_MAX_LEN	320

struct metric {
	char name[NAME_MAX_LEN];
	char value[32];
	int counter;
};

static int is_vm_label(const char *file)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vm_labels); i++)
		if (!strcmp(file, vm_labels[i]))
			return 1;
	return 0;
}

static int parse_s64(const char *s, int64_t *v)
{
	int neg = *s == '-';
	uint64_t n = 0;

	if (neg)
		s++;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++)
		if (__builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, (uint64_t)(*s - '0'), &n))
			return -ERANGE;
	if (*s || n > (uint64_t)INT64_MAX + neg)
		return *s ? -EINVAL : -ERANGE;
	*v = neg ? (int64_t)(0 - n) : (int64_t)n;
	return 0;
}

/* @v divided by 10^@digits, exactly, into @buf. */
static void format_scaled(int64_t v, int digits, char *buf, size_t size)
{
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v, div = 1;
	int i;

	if (!digits) {
		snprintf(buf, size, "%" PRId64, v);
		return;
	}
	for (i = 0; i < digits; i++)
		div *= 10;
	snprintf(buf, size, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", mag / div, digits,
		 mag % div);
}

/*
 * The metric of file @file (value @text) under @prefix; @gauge forces a
 * gauge. Returns 0, or -EINVAL if the value is not a whole number.
 */
static int metric_of(const char *prefix, const char *file, const char *text, int gauge,
		     struct metric *m)
{
	size_t len = strlen(file), i, base = len;
	const char *unit = "", *extra = "";
	int digits = 0;
	int64_t v;

	if (parse_s64(text, &v))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(gauges); i++)
		if (!strcmp(file, gauges[i].file)) {
			gauge = 1;
			extra = gauges[i].unit;
		}
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		size_t sl = strlen(units[i].suffix);

		if (len > sl && !strcmp(file + len - sl, units[i].suffix)) {
			base = len - sl;
			unit = units[i].unit;
			digits = units[i].digits;
			break;
		}
	}
	snprintf(m->name, sizeof(m->name), "%s%.*s%s%s%s", prefix, (int)base, file, unit, extra,
		 gauge ? "" : "_total");
	format_scaled(v, digits, m->value, sizeof(m->value));
	m->counter = !gauge;
	return 0;
}

/* A metric name is [a-zA-Z_:][a-zA-Z0-9_:]*; sysfs file names are, but check. */
static int valid_name(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == ':'))
			return 0;
	return 1;
}

static void family(FILE *f, const struct metric *m, const char *source)
{
	fprintf(f, "# HELP %s ppr_pageone sysfs file %s (docs/ABI/sysfs-kernel-mm-ppr_pageone)\n",
		m->name, source);
	fprintf(f, "# TYPE %s %s\n", m->name, m->counter ? "counter" : "gauge");
}

/* A label value: backslash, double quote and newline escaped, bad UTF-8 as '?'. */
static void label_value(FILE *f, const char *s)
{
	int len;

	fputc('"', f);
	while (*s) {
		len = utf8_char_len(s);
		if (!len) {
			fputc('?', f);
			s++;
			continue;
		}
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fwrite(s, 1, len, f);
		s += len;
	}
	fputc('"', f);
}

static void vm_labelset(FILE *f, const struct vm *vm)
{
	const struct sysfs_attr *name = vm_attr(vm, "name");

	fputs("{vm=", f);
	label_value(f, vm->id);
	fputs(",name=", f);
	label_value(f, name && !name->err ? name->value : "");
	fputc('}', f);
}

static void left_out(FILE *f, const char *dir, const struct sysfs_attr *a)
{
	fprintf(f, "# pprctl: %s/%s left out: %s\n", dir, a->name,
		a->err ? strerror(a->err) : "not a whole number");
}

/* The files of folder @dir (stats or pageone), each a family of one series. */
static void flat_dir(FILE *f, const char *dir, const char *prefix)
{
	struct sysfs_attr *a;
	struct metric m;
	char source[300];
	size_t n, i;

	if (sysfs_read_dir(dir, &a, &n))
		return;
	for (i = 0; i < n; i++) {
		if (a[i].err || metric_of(prefix, a[i].name, a[i].value, 0, &m) ||
		    !valid_name(m.name)) {
			left_out(f, dir, &a[i]);
			continue;
		}
		snprintf(source, sizeof(source), "%s/%s", dir, a[i].name);
		family(f, &m, source);
		fprintf(f, "%s %s\n", m.name, m.value);
	}
	free(a);
}

/*
 * Pages of each VM's VMM that KSM pages back (PageONE's merges, or ksmd's):
 * /proc/<vmm_pid>/ksm_merging_pages, for a VM whose VMM is still there.
 */
static void vm_merging(FILE *f, const struct vm *vms, size_t nr)
{
	const struct sysfs_attr *pid;
	char path[64], buf[32];
	uint64_t p, v;
	int head = 0;
	size_t i, n;
	FILE *in;

	for (i = 0; i < nr; i++) {
		pid = vm_attr(&vms[i], "vmm_pid");
		if (!pid || pid->err || parse_u64(pid->value, &p) || !p || p > INT_MAX)
			continue;
		snprintf(path, sizeof(path), "/proc/%" PRIu64 "/ksm_merging_pages", p);
		in = fopen(path, "r");
		if (!in)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, in);
		fclose(in);
		buf[n] = 0;
		if (n && buf[n - 1] == '\n')
			buf[n - 1] = 0;
		if (parse_u64(buf, &v))
			continue;
		if (!head) {
			fputs("# HELP ppr_vm_ksm_merging_pages Pages of the VM's VMM backed by KSM pages (PageONE's merges): /proc/<vmm_pid>/ksm_merging_pages\n", f);
			fputs("# TYPE ppr_vm_ksm_merging_pages gauge\n", f);
			head = 1;
		}
		fputs("ppr_vm_ksm_merging_pages", f);
		vm_labelset(f, &vms[i]);
		fprintf(f, " %" PRIu64 "\n", v);
	}
}

/* ppr_vm_info, then one family per numeric VM file, every VM's series in it. */
static int vm_families(FILE *f, const struct vm *vms, size_t nr)
{
	const struct sysfs_attr *a;
	const char **files;
	struct metric m;
	char source[300];
	size_t nf, i, k;
	int head;

	if (!nr)
		return 0;
	fputs("# HELP ppr_vm_info An attached VM: its id, name, VMM pid and state (vms/<id>/)\n", f);
	fputs("# TYPE ppr_vm_info gauge\n", f);
	for (i = 0; i < nr; i++) {
		const struct sysfs_attr *pid = vm_attr(&vms[i], "vmm_pid");
		const struct sysfs_attr *state = vm_attr(&vms[i], "state");

		fputs("ppr_vm_info{vm=", f);
		label_value(f, vms[i].id);
		fputs(",name=", f);
		a = vm_attr(&vms[i], "name");
		label_value(f, a && !a->err ? a->value : "");
		fputs(",vmm_pid=", f);
		label_value(f, pid && !pid->err ? pid->value : "");
		fputs(",state=", f);
		label_value(f, state && !state->err ? state->value : "");
		fputs("} 1\n", f);
	}
	nf = vms_files(vms, nr, is_vm_label, &files);
	if (!files)
		return -ENOMEM;
	for (k = 0; k < nf; k++) {
		head = 0;
		for (i = 0; i < nr; i++) {
			a = vm_attr(&vms[i], files[k]);
			if (!a)
				continue;
			if (a->err || metric_of("ppr_vm_", a->name, a->value, 0, &m) ||
			    !valid_name(m.name)) {
				snprintf(source, sizeof(source), "vms/%s", vms[i].id);
				left_out(f, source, a);
				continue;
			}
			if (!head) {
				snprintf(source, sizeof(source), "vms/<id>/%s", a->name);
				family(f, &m, source);
				head = 1;
			}
			fputs(m.name, f);
			vm_labelset(f, &vms[i]);
			fprintf(f, " %s\n", m.value);
		}
	}
	free(files);
	vm_merging(f, vms, nr);
	return 0;
}

int prom_write(FILE *f, int loaded, const struct vm *vms, size_t nr)
{
	char value[32];
	struct metric m;
	uint64_t v;
	size_t i;
	int err;

	fputs("# HELP ppr_module_loaded 1 if the ppr_pageone module is loaded\n", f);
	fputs("# TYPE ppr_module_loaded gauge\n", f);
	fprintf(f, "ppr_module_loaded %d\n", !!loaded);
	if (loaded) {
		for (i = 0; i < nr_params; i++) {
			if (sysfs_read_u64(params[i].file, &v) || v > INT64_MAX) {
				fprintf(f, "# pprctl: %s left out: unreadable\n", params[i].file);
				continue;
			}
			snprintf(value, sizeof(value), "%" PRIu64, v);
			if (metric_of("ppr_", params[i].file, value, 1, &m))
				continue;
			family(f, &m, params[i].file);
			fprintf(f, "%s %s\n", m.name, m.value);
		}
		flat_dir(f, "stats", "ppr_");
		flat_dir(f, "pageone", "ppr_pageone_");
		err = vm_families(f, vms, nr);
		if (err)
			return err;
	}
	if (fflush(f) || ferror(f))
		return -(errno ? errno : EIO);
	return 0;
}

int prom_write_file(const char *path, int loaded, const struct vm *vms, size_t nr)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	err = prom_write(f, loaded, vms, nr);
	if (!err && (fchmod(fd, 0644) || fsync(fd)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
