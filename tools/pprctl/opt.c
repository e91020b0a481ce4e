// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl: option parsing with getopt_long(3), and usage errors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "units.h"
#include "pprctl.h"

/* What getopt sees instead of an argument such as "-1s" or "-2". */
static char negative_arg[] = "negative";

static int is_negative_number(const char *s)
{
	return s[0] == '-' && s[1] >= '0' && s[1] <= '9';
}

void opt_start(struct opts *o, const char *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->argc = argc;
	o->argv = argv;
	o->longopts = longopts;
	/* "-": arguments in order, as option 1; ":": a missing value is ':'. */
	snprintf(o->optstring, sizeof(o->optstring), "-:%s", shortopts);
	o->av = calloc(argc + 1, sizeof(*o->av));
	if (!o->av) {
		o->nomem = 1;
		return;
	}
	for (i = 0; i < argc; i++)
		o->av[i] = is_negative_number(argv[i]) ? negative_arg : argv[i];
	/* Start over, whoever used getopt before. */
	optind = 0;
	opterr = 0;
}

static void vnote(char *buf, size_t size, const char *fmt, va_list ap)
{
	char *p;

	vsnprintf(buf, size, fmt, ap);
	/* One line, whatever bytes the arguments hold. */
	for (p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

void opt_error(struct opts *o, const char *fmt, ...)
{
	va_list ap;

	if (o->err[0])
		return;
	va_start(ap, fmt);
	vnote(o->err, sizeof(o->err), fmt, ap);
	va_end(ap);
}

/* The option named by element s ("--area=x" names "--area"), quoted. */
static void note_long(struct opts *o, const char *what, const char *s, const char *after)
{
	int len = strcspn(s, "=");

	opt_error(o, "%s'%.*s'%s", what, len, s, after);
}

/* getopt refused the element at index i (or a letter of it, if short). */
static void note_refused(struct opts *o, int c, int i, int in_cluster)
{
	const char *s = o->av[i];

	if (!in_cluster && s[0] == '-' && s[1] == '-') {
		if (c == ':')
			note_long(o, "option ", s, " needs a value");
		else if (optopt)
			note_long(o, "option ", s, " takes no value");
		else
			note_long(o, "unknown option ", s, "");
	} else if (c == ':') {
		opt_error(o, "option '-%c' needs a value", optopt);
	} else {
		opt_error(o, "unknown option '-%c'", optopt);
	}
}

int opt_next(struct opts *o, const char **arg)
{
	int before, in_cluster, c;

	*arg = NULL;
	if (o->nomem)
		return OPT_DONE;
	if (o->rest) {
		if (o->rest >= o->argc)
			return OPT_DONE;
		*arg = o->argv[o->rest++];
		return OPT_ARG;
	}
	for (;;) {
		/* Without permutation, getopt looks at av[optind] next. */
		before = optind ? optind : 1;
		in_cluster = o->mid;
		c = getopt_long(o->argc, o->av, o->optstring, o->longopts, NULL);
		o->mid = c != -1 && optind == before;
		if (c == -1) {
			/* The end, or "--": the rest are arguments. */
			if (optind >= o->argc)
				return OPT_DONE;
			o->rest = optind;
			return opt_next(o, arg);
		}
		if (c == '?' || c == ':') {
			note_refused(o, c, before, in_cluster);
			continue;
		}
		if (c == 'h') {
			o->help = 1;
			continue;
		}
		/* A value getopt saw as a whole element may be a hidden "-1s". */
		if (optarg && optind > 0 && optarg == o->av[optind - 1])
			optarg = o->argv[optind - 1];
		*arg = optarg;
		return c;
	}
}

int opt_end(struct opts *o)
{
	free(o->av);
	o->av = NULL;
	if (o->help)
		return EXIT_HELP;
	if (o->nomem) {
		pr_err("%s: parsing the arguments: %s; try again", o->cmd, strerror(ENOMEM));
		return EXIT_FAIL;
	}
	if (o->err[0])
		return usage_error(o->cmd, "%s", o->err);
	return 0;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[OPT_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vnote(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* No command, or help: pprctl help --help is pprctl --help. */
	if (!cmd)
		fprintf(stderr, "pprctl: %s; see pprctl --help\n", msg);
	else if (!strcmp(cmd, "help"))
		fprintf(stderr, "pprctl: help: %s; see pprctl --help\n", msg);
	else
		fprintf(stderr, "pprctl: %s: %s; see pprctl %s --help\n", cmd, msg, cmd);
	return EXIT_USAGE;
}

void opt_interval(struct opts *o, const char *arg, uint64_t *ms)
{
	enum dur_err err;
	uint64_t v;

	err = parse_duration_ms(arg, &v);
	if (err)
		opt_error(o, "--interval '%s': %s", arg, dur_strerror(err));
	else if (v < 100 || v > 3600000)
		opt_error(o, "--interval '%s': want 100ms to 1h", arg);
	else
		*ms = v;
}
