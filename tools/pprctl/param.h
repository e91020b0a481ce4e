/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pprctl: the module's settings, the one table of them: pprctl get and set,
 * the settings of pprctl status, and the parameter list of the usage.
 */
#ifndef PPRCTL_PARAM_H
#define PPRCTL_PARAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

enum param_kind {
	PARAM_BOOL,
	PARAM_DURATION,	/* milliseconds in sysfs */
	PARAM_COUNT,
	PARAM_PERCENT,	/* whole percent in sysfs; 0 is off */
};

struct param {
	const char *name;	/* as typed: pprctl get <name> */
	const char *file;	/* sysfs file, also the JSON key */
	enum param_kind kind;
	const char *help;	/* what it sets, for the usage */
};

extern const struct param params[];
extern const size_t nr_params;

/* By name or by sysfs file name; NULL if there is none. */
const struct param *find_param(const char *name);

/*
 * PARAM VALUE as pprctl set takes them: the parameter into *p, the value to
 * write into *v. On a usage error, prints it for @cmd and returns -1.
 */
int param_parse(const char *cmd, const char *name, const char *value,
		const struct param **p, uint64_t *v);

/* Write @v to @p's sysfs file; on failure print what and why, return -1. */
int param_write(const struct param *p, uint64_t v);

/* The value as pprctl get prints it: on/off, 10s, 4, 20%/off. Returns buf. */
char *format_param(const struct param *p, uint64_t v, char *buf, size_t size);

/* The value as a JSON member keyed by the sysfs file name. */
void json_param(struct json *j, const struct param *p, uint64_t v);

/* "run, reclaim_period, ..." into buf. Returns buf. */
char *param_names(char *buf, size_t size);

/* The parameters and their values, one a line, for the usage of get and set. */
void param_usage(FILE *f);

#endif /* PPRCTL_PARAM_H */
