/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pprctl: declarations shared by the command files.
 */
#ifndef PPRCTL_H
#define PPRCTL_H

#include <stdarg.h>
#include <stdio.h>

#define PPRCTL_VERSION	"0.1"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit codes. */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2
/* Not an exit code: a command returns it for main to print its usage. */
#define EXIT_HELP	(-1)

/*
 * Print "pprctl: <message>" on stderr. Messages follow the pattern
 * "<what failed>: <why>; <what to do>".
 */
static inline void __attribute__((format(printf, 1, 2))) pr_err(const char *fmt, ...)
{
	va_list ap;

	fputs("pprctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Commands: each returns an exit code, or EXIT_HELP. */
int cmd_status(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_replace_ksm(int argc, char **argv);
int cmd_restore_ksm(int argc, char **argv);

/* attach.c internals, exposed for the tests. */
#define AREA_MAX_CANDIDATES	16
#define AREA_NAME_HINT_MAX	(64ULL << 20)

struct area_candidate {
	char path[4096];	/* as shown in /proc/PID/maps */
	char open_path[4096];	/* path to open (map_files link if deleted) */
	unsigned long long size;
	int has_magic;
};

struct area_scan {
	int nr;			/* candidates chosen */
	int by_magic;		/* 1: chosen by magic, 0: by name and size */
	struct area_candidate cand[AREA_MAX_CANDIDATES];
};

int area_scan(int pid, struct area_scan *scan);
/* The fds of process @pid that are KVM VMs, at most @max into @fds; how many there are, or -errno. */
int find_vm_fds(int pid, int *fds, int max);
int vm_name_from_cmdline(const char *cmdline, size_t len, char *name, size_t size);

/* What attach and detach print on success, as text or as JSON. */
void print_attached(FILE *f, int json, unsigned int id, int pid, const char *name,
		    const char *area);
void print_detached(FILE *f, int json, unsigned int id);

#endif /* PPRCTL_H */
