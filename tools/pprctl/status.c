// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl status: the module's settings, statistics and attached VMs, read
 * from sysfs as tables or as JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ppr.h>

#include "hint.h"
#include "json.h"
#include "opt.h"
#include "param.h"
#include "prom.h"
#include "pprctl.h"
#include "sysfs.h"
#include "units.h"
#include "vms.h"

/* VM columns shown first, in this order; other files follow by name. */
static const struct {
	const char *file;
	const char *title;
} vm_columns[] = {
	{ "name", "NAME" },
	{ "vmm_pid", "PID" },
	{ "state", "STATE" },
	{ "recycled_pages", "RECYCLED" },
};

#define NR_VM_COLUMNS	ARRAY_SIZE(vm_columns)

static int ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

/* A value for the table, by its file name: *_pages and KSM's pages_*. */
static void format_value(const struct sysfs_attr *a, char *buf, size_t size)
{
	uint64_t v;

	if (a->err) {
		snprintf(buf, size, "-");
		return;
	}
	if (parse_u64(a->value, &v)) {
		snprintf(buf, size, "%s", a->value);
		sysfs_sanitize(buf);
	} else if (ends_with(a->name, "_pages") || !strncmp(a->name, "pages_", 6)) {
		format_pages(v, buf, size);
	} else if (ends_with(a->name, "_bytes")) {
		format_size(v, buf, size);
	} else if (ends_with(a->name, "_ns")) {
		format_ns(v, buf, size);
	} else {
		snprintf(buf, size, "%" PRIu64, v);
	}
}

static void json_attr(struct json *j, const struct sysfs_attr *a)
{
	if (a->err)
		json_null(j, a->name);
	else if (!strcmp(a->name, "name") || !strcmp(a->name, "state"))
		json_str(j, a->name, a->value);
	else
		json_auto(j, a->name, a->value);
}

/* One attached VM: its folder name and files. */
static int is_fixed_column(const char *name)
{
	size_t i;

	for (i = 0; i < NR_VM_COLUMNS; i++)
		if (!strcmp(name, vm_columns[i].file))
			return 1;
	return 0;
}

static void print_row(char **cells, const int *width, size_t ncol)
{
	const char *cell;
	size_t c;

	fputs("  ", stdout);
	for (c = 0; c < ncol; c++) {
		cell = cells[c] ? cells[c] : "?";
		if (c + 1 < ncol)
			printf("%-*s  ", width[c], cell);
		else
			printf("%s\n", cell);
	}
}

/* The text of column c: ID, the fixed columns, then the extra files. */
static void vm_cell(const struct vm *vm, size_t c, const char **extra, char *buf, size_t size)
{
	const struct sysfs_attr *a;
	const char *file;
	char *p;

	if (c == 0) {
		snprintf(buf, size, "%s", vm ? vm->id : "ID");
		sysfs_sanitize(buf);
		return;
	}
	if (c <= NR_VM_COLUMNS)
		file = vm_columns[c - 1].file;
	else
		file = extra[c - 1 - NR_VM_COLUMNS];
	if (!vm) {
		if (c <= NR_VM_COLUMNS) {
			snprintf(buf, size, "%s", vm_columns[c - 1].title);
			return;
		}
		snprintf(buf, size, "%s", file);
		for (p = buf; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p -= 'a' - 'A';
		sysfs_sanitize(buf);
		return;
	}
	a = vm_attr(vm, file);
	if (a)
		format_value(a, buf, size);
	else
		snprintf(buf, size, "-");
}

static int print_vm_table(const struct vm *vms, size_t nr)
{
	char **cells, buf[SYSFS_VALUE_MAX];
	size_t nextra, ncol, r, c, i;
	const char **extra;
	int *width;

	if (!nr) {
		printf("VMs: none attached\n");
		return 0;
	}
	printf("VMs: %zu attached\n", nr);
	nextra = vms_files(vms, nr, is_fixed_column, &extra);
	ncol = 1 + NR_VM_COLUMNS + nextra;
	/* Row 0 is the header. */
	cells = calloc((nr + 1) * ncol, sizeof(*cells));
	width = calloc(ncol, sizeof(*width));
	if (!cells || !width || !extra) {
		free(cells);
		free(width);
		free(extra);
		return -ENOMEM;
	}
	for (r = 0; r <= nr; r++) {
		for (c = 0; c < ncol; c++) {
			vm_cell(r ? &vms[r - 1] : NULL, c, extra, buf, sizeof(buf));
			cells[r * ncol + c] = strdup(buf);
			if ((int)strlen(buf) > width[c])
				width[c] = strlen(buf);
		}
	}
	for (r = 0; r <= nr; r++)
		print_row(&cells[r * ncol], width, ncol);
	for (i = 0; i < (nr + 1) * ncol; i++)
		free(cells[i]);
	free(cells);
	free(width);
	free(extra);
	return 0;
}

static void print_settings(void)
{
	char buf[64];
	int err, width = 0;
	uint64_t v;
	size_t i;

	for (i = 0; i < nr_params; i++)
		if ((int)strlen(params[i].name) > width)
			width = strlen(params[i].name);
	printf("Settings:\n");
	for (i = 0; i < nr_params; i++) {
		err = sysfs_read_u64(params[i].file, &v);
		if (err == -ENOENT)
			snprintf(buf, sizeof(buf), "- (not in this module)");
		else if (err)
			snprintf(buf, sizeof(buf), "- (%s)", strerror(-err));
		else
			format_param(&params[i], v, buf, sizeof(buf));
		printf("  %-*s %s\n", width, params[i].name, buf);
	}
}

/* The counters of folder @dir (stats, pageone), titled @title. */
static void print_counters(const char *dir, const char *title)
{
	char buf[SYSFS_VALUE_MAX];
	struct sysfs_attr *a;
	size_t n, i;
	int width = 0, err;

	err = sysfs_read_dir(dir, &a, &n);
	if (err == -ENOENT || (!err && !n)) {
		printf("%s: none\n", title);
		free(a);
		return;
	}
	if (err) {
		printf("%s: unreadable (%s)\n", title, strerror(-err));
		free(a);
		return;
	}
	for (i = 0; i < n; i++)
		if ((int)strlen(a[i].name) > width)
			width = strlen(a[i].name);
	printf("%s:\n", title);
	for (i = 0; i < n; i++) {
		format_value(&a[i], buf, sizeof(buf));
		printf("  %-*s  %s\n", width, a[i].name, buf);
	}
	free(a);
}

/* The counters of folder @dir as an object of the same name. */
static void json_counters(struct json *j, const char *dir)
{
	struct sysfs_attr *a;
	size_t n, i;

	json_obj_begin(j, dir);
	if (!sysfs_read_dir(dir, &a, &n)) {
		for (i = 0; i < n; i++)
			json_attr(j, &a[i]);
		free(a);
	}
	json_obj_end(j);
}

static void json_status(const struct vm *vms, size_t nr)
{
	struct json j;
	size_t i, k;
	uint64_t v;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "sysfs", sysfs_root());

	json_obj_begin(&j, "settings");
	for (i = 0; i < nr_params; i++) {
		if (sysfs_read_u64(params[i].file, &v))
			json_null(&j, params[i].file);
		else
			json_param(&j, &params[i], v);
	}
	json_obj_end(&j);

	json_counters(&j, "stats");
	json_counters(&j, "pageone");

	json_arr_begin(&j, "vms");
	for (i = 0; i < nr; i++) {
		json_obj_begin(&j, NULL);
		json_auto(&j, "id", vms[i].id);
		/* The table's columns first, then the other files by name. */
		for (k = 0; k < NR_VM_COLUMNS; k++) {
			const struct sysfs_attr *col = vm_attr(&vms[i], vm_columns[k].file);

			if (col)
				json_attr(&j, col);
		}
		for (k = 0; k < vms[i].nr; k++)
			if (strcmp(vms[i].attrs[k].name, "id") &&
			    !is_fixed_column(vms[i].attrs[k].name))
				json_attr(&j, &vms[i].attrs[k]);
		json_obj_end(&j);
	}
	json_arr_end(&j);

	json_obj_end(&j);
	json_finish(&j);
}

int cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		OPT_JSON,
		{ "prometheus", no_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		OPT_HELP, OPT_TABLE_END
	};
	const char *arg, *output = NULL;
	struct opts o;
	struct vm *vms = NULL;
	int json = 0, prom = 0, loaded, c, err;
	size_t nr = 0;

	opt_start(&o, "status", argc, argv, "jpo:h", longopts);
	while ((c = opt_next(&o, &arg)) != OPT_DONE) {
		if (c == 'j')
			json = 1;
		else if (c == 'p')
			prom = 1;
		else if (c == 'o')
			output = arg;
		else if (c == OPT_ARG)
			opt_error(&o, "unexpected argument '%s'; status takes none", arg);
	}
	if (json && prom)
		opt_error(&o, "--json and --prometheus are two formats; give one");
	if (output && !prom)
		opt_error(&o, "--output writes the --prometheus format only; add --prometheus");
	if (output && !*output)
		opt_error(&o, "--output needs a file name");
	err = opt_end(&o);
	if (err)
		return err;
	/* For a scraper, a module that is not loaded is a value, not an error. */
	err = sysfs_root_state();
	loaded = !err;
	if ((!prom || (err != -ENOENT && err != -ENOTDIR)) && sysfs_check_root())
		return EXIT_FAIL;
	if (loaded) {
		err = vms_load(&vms, &nr);
		if (err) {
			pr_errno(HINT_SYSFS_READ, -err, "listing %s/vms", sysfs_root());
			return EXIT_FAIL;
		}
	}
	if (prom && output) {
		err = prom_write_file(output, loaded, vms, nr);
		if (err)
			pr_err("writing %s: %s; check that its folder exists and is writable",
			       output, strerror(-err));
	} else if (prom) {
		err = prom_write(stdout, loaded, vms, nr);
		if (err)
			pr_err("writing the metrics: %s", strerror(-err));
	} else if (json) {
		json_status(vms, nr);
	} else {
		print_settings();
		printf("\n");
		print_counters("stats", "Stats");
		printf("\n");
		print_counters("pageone", "PageONE (deduplication; same meaning as /sys/kernel/mm/ksm)");
		printf("\n");
		err = print_vm_table(vms, nr);
		if (err)
			pr_errno(HINT_STATUS_PRINT, -err, "printing the VM table");
	}
	vms_free(vms, nr);
	fflush(stdout);
	return err ? EXIT_FAIL : EXIT_OK;
}
