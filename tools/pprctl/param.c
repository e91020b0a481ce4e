// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl get, set: the module's settings, from the one table of them.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "hint.h"
#include "json.h"
#include "opt.h"
#include "param.h"
#include "pprctl.h"
#include "sysfs.h"
#include "units.h"

const struct param params[] = {
	{ "run", "run", PARAM_BOOL, "whether the daemon recycles marked pages" },
	{ "reclaim_period", "reclaim_period_ms", PARAM_DURATION,
	  "time from one recycle pass to the next" },
	{ "merge_period", "merge_period_ms", PARAM_DURATION, "time between PageONE passes" },
	{ "dedup_cpu", "dedup_cpu_percent", PARAM_PERCENT,
	  "PageONE's CPU budget: percent of one CPU, threads summed" },
	{ "thp_split_min_free", "thp_split_min_free", PARAM_COUNT,
	  "free pages (of 512) at which a host THP is split and recycled" },
	{ "work_threads", "work_threads", PARAM_COUNT,
	  "work threads shared by recycling and PageONE" },
	{ "merge_vm_ram", "merge_vm_ram", PARAM_BOOL, "make attached VMs' guest RAM mergeable" },
};

const size_t nr_params = ARRAY_SIZE(params);

/* How each kind of value is written, for the usage. */
static const struct {
	const char *column;	/* in the VALUE column */
	const char *syntax;
} kinds[] = {
	[PARAM_BOOL] = { "on|off", "on, off, 1 or 0" },
	[PARAM_DURATION] = { "duration", "a number and a unit, as in 500ms, 10s, 1.5s, 10m, 1h" },
	[PARAM_COUNT] = { "number", "a whole number" },
	[PARAM_PERCENT] = { "percent", "a whole number of percent, as in 20%, or off" },
};

const struct param *find_param(const char *name)
{
	size_t i;

	for (i = 0; i < nr_params; i++)
		if (!strcmp(name, params[i].name) || !strcmp(name, params[i].file))
			return &params[i];
	return NULL;
}

char *format_param(const struct param *p, uint64_t v, char *buf, size_t size)
{
	switch (p->kind) {
	case PARAM_BOOL:
		snprintf(buf, size, "%s", v ? "on" : "off");
		break;
	case PARAM_DURATION:
		format_duration_ms(v, buf, size);
		break;
	case PARAM_COUNT:
		snprintf(buf, size, "%" PRIu64, v);
		break;
	case PARAM_PERCENT:
		if (v)
			snprintf(buf, size, "%" PRIu64 "%%", v);
		else
			snprintf(buf, size, "off");
		break;
	}
	return buf;
}

void json_param(struct json *j, const struct param *p, uint64_t v)
{
	if (p->kind == PARAM_BOOL)
		json_bool(j, p->file, v != 0);
	else
		json_u64(j, p->file, v);
}

char *param_names(char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < nr_params && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? ", " : "", params[i].name);
	return buf;
}

void param_usage(FILE *f)
{
	const struct param *by_file = NULL;
	int width = 0, used[ARRAY_SIZE(kinds)] = { 0 };
	size_t i;

	for (i = 0; i < nr_params; i++) {
		if ((int)strlen(params[i].name) > width)
			width = strlen(params[i].name);
		if (!by_file && strcmp(params[i].name, params[i].file))
			by_file = &params[i];
	}
	for (i = 0; i < nr_params; i++) {
		fprintf(f, "    %-*s  %-8s  %s\n", width, params[i].name,
			kinds[params[i].kind].column, params[i].help);
		used[params[i].kind] = 1;
	}
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (used[i])
			fprintf(f, "    %s is %s.\n", kinds[i].column, kinds[i].syntax);
	if (by_file)
		fprintf(f, "    PARAM may also be the sysfs file's name, as in %s.\n", by_file->file);
}

static const struct param *lookup_param(const char *cmd, const char *name)
{
	const struct param *p = find_param(name);
	char names[256];

	if (!p)
		usage_error(cmd, "unknown parameter '%s'; use one of: %s", name,
			    param_names(names, sizeof(names)));
	return p;
}

static void print_json(const struct param *p, uint64_t v)
{
	struct json j;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_param(&j, p, v);
	json_obj_end(&j);
	json_finish(&j);
}

/* [--json] and nr positional arguments into pos[]. 0, or an exit code. */
static int param_args(const char *cmd, int argc, char **argv, int nr, const char **pos,
		      int *json)
{
	static const struct option longopts[] = { OPT_JSON, OPT_HELP, OPT_TABLE_END };
	const char *arg;
	struct opts o;
	int n = 0, c;

	opt_start(&o, cmd, argc, argv, "jh", longopts);
	while ((c = opt_next(&o, &arg)) != OPT_DONE) {
		if (c == 'j')
			*json = 1;
		else if (c == OPT_ARG && n < nr)
			pos[n++] = arg;
		else if (c == OPT_ARG)
			opt_error(&o, "too many arguments ('%s')", arg);
	}
	c = opt_end(&o);
	if (c)
		return c;
	if (n < nr)
		return usage_error(cmd, "missing %s", n ? "the value" : "the parameter name");
	return 0;
}

int cmd_get(int argc, char **argv)
{
	char buf[64], path[PATH_MAX];
	const struct param *p;
	const char *pos[1];
	int json = 0, err;
	uint64_t v;

	err = param_args("get", argc, argv, 1, pos, &json);
	if (err)
		return err;
	p = lookup_param("get", pos[0]);
	if (!p)
		return EXIT_USAGE;
	if (sysfs_check_root())
		return EXIT_FAIL;
	err = sysfs_read_u64(p->file, &v);
	if (err) {
		sysfs_path(path, sizeof(path), p->file);
		pr_errno(HINT_SYSFS_READ, -err, "reading %s", path);
		return EXIT_FAIL;
	}
	if (json)
		print_json(p, v);
	else
		printf("%s\n", format_param(p, v, buf, sizeof(buf)));
	return EXIT_OK;
}

/* Parse value for p into *v; print why not (for @cmd) and return -1 if it is invalid. */
static int parse_param_value(const char *cmd, const struct param *p, const char *value,
			     uint64_t *v)
{
	enum pct_err perr;
	enum dur_err derr;

	switch (p->kind) {
	case PARAM_BOOL:
		if (!strcmp(value, "on") || !strcmp(value, "1")) {
			*v = 1;
			return 0;
		}
		if (!strcmp(value, "off") || !strcmp(value, "0")) {
			*v = 0;
			return 0;
		}
		usage_error(cmd, "invalid value '%s' for %s; use %s", value, p->name,
			    kinds[p->kind].syntax);
		return -1;
	case PARAM_DURATION:
		derr = parse_duration_ms(value, v);
		if (derr == DUR_NO_UNIT) {
			usage_error(cmd, "%s '%s' has no unit; give one, e.g. %sms, %ss, %sm or %sh",
				    p->name, value, value, value, value, value);
			return -1;
		}
		if (derr) {
			usage_error(cmd,
				    "invalid duration '%s' for %s: %s; write e.g. 500ms, 10s, 1.5s, 10m or 1h",
				    value, p->name, dur_strerror(derr));
			return -1;
		}
		return 0;
	case PARAM_COUNT:
		if (parse_u64(value, v)) {
			usage_error(cmd, "invalid value '%s' for %s; use a whole number, e.g. 4",
				    value, p->name);
			return -1;
		}
		return 0;
	case PARAM_PERCENT:
		perr = parse_percent(value, v);
		if (perr) {
			usage_error(cmd,
				    "invalid percent '%s' for %s: %s; write e.g. 20%% or off",
				    value, p->name, pct_strerror(perr));
			return -1;
		}
		return 0;
	}
	return -1;
}

int param_parse(const char *cmd, const char *name, const char *value,
		const struct param **p, uint64_t *v)
{
	*p = lookup_param(cmd, name);
	return *p && !parse_param_value(cmd, *p, value, v) ? 0 : -1;
}

int param_write(const struct param *p, uint64_t v)
{
	char buf[64], val[32], path[PATH_MAX];
	enum hint_ctx ctx = HINT_SYSFS_WRITE;
	int err;

	snprintf(val, sizeof(val), "%" PRIu64 "\n", v);
	err = sysfs_write(p->file, val);
	if (!err)
		return 0;
	sysfs_path(path, sizeof(path), p->file);
	if (p->kind == PARAM_PERCENT)
		ctx = HINT_SYSFS_WRITE_PERCENT;
	pr_errno(ctx, -err, "set %s %s (writing %" PRIu64 " to %s)", p->name,
		 format_param(p, v, buf, sizeof(buf)), v, path);
	return -1;
}

int cmd_set(int argc, char **argv)
{
	const struct param *p;
	const char *pos[2];
	int json = 0, err;
	uint64_t v;

	err = param_args("set", argc, argv, 2, pos, &json);
	if (err)
		return err;
	if (param_parse("set", pos[0], pos[1], &p, &v))
		return EXIT_USAGE;
	if (sysfs_check_root())
		return EXIT_FAIL;
	if (param_write(p, v))
		return EXIT_FAIL;
	if (json)
		print_json(p, v);
	return EXIT_OK;
}
