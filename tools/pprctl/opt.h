/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pprctl: a command's options, parsed with getopt_long(3), and its usage
 * errors. Options and arguments mix in any order, as in
 * "pprctl get run --json"; "--" ends the options; "-1s" is an argument, not
 * options, so that a negative value is refused for what it is. --help and -h
 * win over any usage error. A usage error is one line on stderr,
 * "pprctl: CMD: <what is wrong>; see pprctl CMD --help", and exit status 2.
 */
#ifndef PPRCTL_OPT_H
#define PPRCTL_OPT_H

#include <getopt.h>
#include <stdint.h>

/* Entries of a command's option table. */
#define OPT_HELP	{ "help", no_argument, NULL, 'h' }
#define OPT_JSON	{ "json", no_argument, NULL, 'j' }
#define OPT_TABLE_END	{ NULL, 0, NULL, 0 }

/* What opt_next() returns besides an option's val. */
#define OPT_ARG		1	/* a positional argument */
#define OPT_DONE	(-1)

#define OPT_ERR_MAX	512

struct opts {
	const char *cmd;	/* for messages */
	int argc;
	char **argv;		/* the command's: argv[0] is its name */
	char **av;		/* argv as getopt sees it: "-1s" hidden */
	char optstring[32];
	const struct option *longopts;
	int rest;		/* after "--": the next argument, or 0 */
	int mid;		/* getopt is inside a cluster such as "-jh" */
	int help;		/* --help or -h seen */
	int nomem;
	char err[OPT_ERR_MAX];	/* the first usage error, or "" */
};

/*
 * Start parsing argv[1..argc) of command cmd. shortopts are the short
 * options (no leading "+", "-" or ":"); longopts ends with OPT_TABLE_END.
 */
void opt_start(struct opts *o, const char *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts);

/*
 * The next option's val (with *arg its value, if it takes one), OPT_ARG
 * with *arg a positional argument, or OPT_DONE. Unknown options, missing
 * values and --help are noted for opt_end(), and parsing goes on.
 */
int opt_next(struct opts *o, const char **arg);

/* Note a usage error found by the command; the first one is reported. */
void __attribute__((format(printf, 2, 3))) opt_error(struct opts *o, const char *fmt, ...);

/*
 * Finish: EXIT_HELP if --help was given, else EXIT_USAGE after printing the
 * first usage error, EXIT_FAIL if out of memory, else 0.
 */
int opt_end(struct opts *o);

/*
 * Parse @arg, the value of --interval, into *@ms: a duration of 100ms to 1h.
 * A bad one is noted as a usage error and leaves *@ms alone.
 */
void opt_interval(struct opts *o, const char *arg, uint64_t *ms);

/* Print a usage error of command cmd (NULL: of none) now; returns EXIT_USAGE. */
int __attribute__((format(printf, 2, 3))) usage_error(const char *cmd, const char *fmt, ...);

#endif /* PPRCTL_OPT_H */
