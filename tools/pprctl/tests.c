// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl tests: unit tests of the parsers and formatters, and runs of the
 * pprctl binary against a fake sysfs tree (PPR_SYSFS) and a stand-in device
 * (PPR_DEVICE). No module is needed.
 *
 *   pprctl-tests PPRCTL_BINARY [MAN_PAGE]
 *
 * Prints "PPR-TAP ok - pprctl/<name>" or "PPR-TAP not ok - pprctl/<name> #
 * reason" per test, then "N passed, N failed"; exits 1 if any failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ppr.h>

#include "hint.h"
#include "json.h"
#include "param.h"
#include "pprctl.h"
#include "units.h"

#define OUT_MAX	65536

static int passed, failed, skipped;
static const char *pprctl;
static char tmp[64];		/* our scratch folder */
static char root[128];		/* the fake sysfs tree */

static void __attribute__((format(printf, 3, 4)))
result(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	printf("PPR-TAP %s - pprctl/%s", ok ? "ok" : "not ok", name);
	if (!ok && fmt) {
		printf(" # ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

static void skip(const char *name, const char *why)
{
	printf("PPR-TAP ok - pprctl/%s # SKIP %s\n", name, why);
	fflush(stdout);
	skipped++;
}

/* Escape a string for a one-line reason. */
static const char *oneline(const char *s)
{
	static char buf[4][256];
	static int k;
	char *b = buf[k++ % 4];
	size_t n = 0;

	for (; *s && n < sizeof(buf[0]) - 4; s++) {
		if (*s == '\n') {
			b[n++] = '\\';
			b[n++] = 'n';
		} else {
			b[n++] = (unsigned char)*s < 0x20 ? '?' : *s;
		}
	}
	b[n] = '\0';
	return b;
}

/* ---- files ---- */

static void mkdirs(const char *path)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	}
	mkdir(buf, 0755);
}

static void put(const char *dir, const char *rel, const char *content)
{
	char path[PATH_MAX], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdirs(path);
	*slash = '/';
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "tests: cannot create %s: %s\n", path, strerror(errno));
		exit(1);
	}
	fputs(content, f);
	fclose(f);
}

static void get(const char *dir, const char *rel, char *buf, size_t size)
{
	char path[PATH_MAX];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
}

static void rm_rf(const char *path)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd))
		fprintf(stderr, "tests: could not remove %s\n", path);
}

/* The fake sysfs tree of a module with two VMs attached. */
static void make_tree(const char *dir)
{
	rm_rf(dir);
	put(dir, "run", "1\n");
	put(dir, "reclaim_period_ms", "10000\n");
	put(dir, "merge_period_ms", "500\n");
	put(dir, "dedup_cpu_percent", "20\n");
	put(dir, "work_threads", "2\n");
	put(dir, "thp_split_min_free", "256\n");
	put(dir, "merge_vm_ram", "1\n");
	put(dir, "stats/recycled_pages", "262144\n");
	put(dir, "stats/scan_passes", "42\n");
	put(dir, "stats/skipped_pinned", "7\n");
	put(dir, "stats/daemon_cpu_ns", "1234000000\n");
	put(dir, "stats/area_bytes", "1536\n");
	put(dir, "pageone/pages_sharing", "2048\n");
	put(dir, "pageone/general_profit", "-4096\n");
	put(dir, "pageone/full_scans", "12\n");
	put(dir, "vms/1/name", "web \"one\"\ttab\n");
	put(dir, "vms/1/vmm_pid", "4242\n");
	put(dir, "vms/1/epoch", "3\n");
	put(dir, "vms/1/state", "active\n");
	put(dir, "vms/1/nr_pfns", "262144\n");
	put(dir, "vms/1/recycled_pages", "1000\n");
	put(dir, "vms/10/name", "bad\xff utf8\n");
	put(dir, "vms/10/vmm_pid", "77\n");
	put(dir, "vms/10/state", "inactive\n");
	put(dir, "vms/10/recycled_pages", "0\n");
	put(dir, "vms/10/future_counter", "5\n");
}

/* ---- running pprctl ---- */

struct run {
	int status;		/* exit code, or 128 + signal */
	char out[OUT_MAX];
	char err[OUT_MAX];
};

static struct run r;

/* Run pprctl with PPR_SYSFS=sysfs and PPR_DEVICE=dev (NULL: unset). */
static int run_env(const char *sysfs, const char *dev, const char *const *args)
{
	char out[PATH_MAX], err[PATH_MAX], *argv[32];
	int i, st, fd;
	pid_t pid;

	snprintf(out, sizeof(out), "%s/stdout", tmp);
	snprintf(err, sizeof(err), "%s/stderr", tmp);
	argv[0] = (char *)pprctl;
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (!pid) {
		if (sysfs)
			setenv("PPR_SYSFS", sysfs, 1);
		else
			unsetenv("PPR_SYSFS");
		if (dev)
			setenv("PPR_DEVICE", dev, 1);
		else
			unsetenv("PPR_DEVICE");
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		close(fd);
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		close(fd);
		execv(pprctl, argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	get(tmp, "stdout", r.out, sizeof(r.out));
	get(tmp, "stderr", r.err, sizeof(r.err));
	return r.status;
}

#define RUN(...)		run_env(root, NULL, (const char *const[]){ __VA_ARGS__, NULL })
#define RUN_ENV(s, d, ...)	run_env(s, d, (const char *const[]){ __VA_ARGS__, NULL })

/* Check the last run: exit code, and strings its stdout and stderr contain. */
static void expect(const char *name, int status, const char *out_has, const char *err_has)
{
	if (r.status != status)
		result(name, 0, "exit %d, expected %d; stderr: %s", r.status, status, oneline(r.err));
	else if (out_has && !strstr(r.out, out_has))
		result(name, 0, "stdout lacks '%s': %s", oneline(out_has), oneline(r.out));
	else if (err_has && !strstr(r.err, err_has))
		result(name, 0, "stderr lacks '%s': %s", oneline(err_has), oneline(r.err));
	else
		result(name, 1, NULL);
}

/* Check the last run: exit code, and stdout and stderr exactly (NULL: any). */
static void expect_exact(const char *name, int status, const char *out, const char *err)
{
	if (r.status != status)
		result(name, 0, "exit %d, expected %d; stderr: %s", r.status, status, oneline(r.err));
	else if (out && strcmp(r.out, out))
		result(name, 0, "stdout '%s', expected '%s'", oneline(r.out), oneline(out));
	else if (err && strcmp(r.err, err))
		result(name, 0, "stderr '%s', expected '%s'", oneline(r.err), oneline(err));
	else
		result(name, 1, NULL);
}

/* ---- a strict JSON checker ---- */

static const char *js;

static void ws(void)
{
	while (*js == ' ' || *js == '\t' || *js == '\n' || *js == '\r')
		js++;
}

static int jvalue(int depth);

static int jstring(void)
{
	int i;

	if (*js++ != '"')
		return 0;
	while (*js != '"') {
		if ((unsigned char)*js < 0x20)
			return 0;
		if (*js == '\\') {
			js++;
			if (*js == 'u') {
				for (i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", js[i]) || !js[i])
						return 0;
				js += 4;
			} else if (!*js || !strchr("\"\\/bfnrt", *js)) {
				return 0;
			}
		}
		js++;
	}
	js++;
	return 1;
}

static int jnumber(void)
{
	if (*js == '-')
		js++;
	if (*js == '0')
		js++;
	else if (*js >= '1' && *js <= '9')
		while (*js >= '0' && *js <= '9')
			js++;
	else
		return 0;
	if (*js == '.') {
		js++;
		if (*js < '0' || *js > '9')
			return 0;
		while (*js >= '0' && *js <= '9')
			js++;
	}
	if (*js == 'e' || *js == 'E') {
		js++;
		if (*js == '+' || *js == '-')
			js++;
		if (*js < '0' || *js > '9')
			return 0;
		while (*js >= '0' && *js <= '9')
			js++;
	}
	return 1;
}

static int jlist(int depth, char close, int keyed)
{
	js++;
	ws();
	if (*js == close) {
		js++;
		return 1;
	}
	for (;;) {
		ws();
		if (keyed) {
			if (!jstring())
				return 0;
			ws();
			if (*js++ != ':')
				return 0;
		}
		if (!jvalue(depth + 1))
			return 0;
		ws();
		if (*js == close) {
			js++;
			return 1;
		}
		if (*js++ != ',')
			return 0;
	}
}

static int jvalue(int depth)
{
	ws();
	if (depth > 32)
		return 0;
	switch (*js) {
	case '{':
		return jlist(depth, '}', 1);
	case '[':
		return jlist(depth, ']', 0);
	case '"':
		return jstring();
	case 't':
		return !strncmp(js, "true", 4) ? (js += 4, 1) : 0;
	case 'f':
		return !strncmp(js, "false", 5) ? (js += 5, 1) : 0;
	case 'n':
		return !strncmp(js, "null", 4) ? (js += 4, 1) : 0;
	default:
		return jnumber();
	}
}

/* 1 if s is one JSON value, an object, and nothing else. */
static int json_valid_object(const char *s)
{
	js = s;
	ws();
	if (*js != '{' || !jvalue(0))
		return 0;
	ws();
	return !*js;
}

static int have_python3(void)
{
	return !system("command -v python3 >/dev/null 2>&1 && python3 -c '' >/dev/null 2>&1");
}

static void check_json(const char *name)
{
	char test[128], cmd[PATH_MAX + 128];

	snprintf(test, sizeof(test), "%s-valid", name);
	result(test, r.status == 0 && json_valid_object(r.out), "exit %d, not one JSON object: %s",
	       r.status, oneline(r.out));
	snprintf(test, sizeof(test), "%s-python", name);
	if (!have_python3()) {
		skip(test, "no python3");
		return;
	}
	snprintf(cmd, sizeof(cmd), "python3 -m json.tool < '%s/stdout' > /dev/null 2>&1", tmp);
	result(test, !system(cmd), "python3 -m json.tool rejects: %s", oneline(r.out));
}

static char srcdir[PATH_MAX];	/* where promcheck.py is: the man page's folder */

/* The last run's stdout through tools/pprctl/promcheck.py, the strict reader. */
static void check_prom(const char *name)
{
	char test[128], cmd[2 * PATH_MAX + 128];

	snprintf(test, sizeof(test), "%s-strict", name);
	if (!have_python3() || !*srcdir) {
		skip(test, !*srcdir ? "no source folder given" : "no python3");
		return;
	}
	snprintf(cmd, sizeof(cmd), "python3 '%s/promcheck.py' < '%s/stdout' > '%s/prom.faults' 2>&1",
		 srcdir, tmp, tmp);
	result(test, r.status == 0 && !system(cmd), "exit %d, or promcheck.py rejects it (%s/prom.faults)",
	       r.status, tmp);
}

/* ---- unit tests ---- */

static void test_durations(void)
{
	static const struct {
		const char *label, *in;
		enum dur_err err;
		uint64_t ms;
	} cases[] = {
		{ "500ms", "500ms", DUR_OK, 500 },
		{ "10s", "10s", DUR_OK, 10000 },
		{ "10m", "10m", DUR_OK, 600000 },
		{ "1h", "1h", DUR_OK, 3600000 },
		{ "0ms", "0ms", DUR_OK, 0 },
		{ "1.5s", "1.5s", DUR_OK, 1500 },
		{ "0.5s", "0.5s", DUR_OK, 500 },
		{ "0.001s", "0.001s", DUR_OK, 1 },
		{ "1.25m", "1.25m", DUR_OK, 75000 },
		{ "0.0005h", "0.0005h", DUR_OK, 1800 },
		{ "2.50s", "2.50s", DUR_OK, 2500 },
		{ "1.0ms", "1.0ms", DUR_OK, 1 },
		{ "many-trailing-zeros", "1.000000000000000000000000s", DUR_OK, 1000 },
		{ "u64-max-ms", "18446744073709551615ms", DUR_OK, UINT64_MAX },
		{ "empty", "", DUR_EMPTY, 0 },
		{ "bare-number", "10", DUR_NO_UNIT, 0 },
		{ "bare-zero", "0", DUR_NO_UNIT, 0 },
		{ "bare-decimal", "1.5", DUR_NO_UNIT, 0 },
		{ "unknown-unit", "10x", DUR_BAD_UNIT, 0 },
		{ "unit-uppercase", "10S", DUR_BAD_UNIT, 0 },
		{ "unit-sec", "10sec", DUR_BAD_UNIT, 0 },
		{ "unit-us", "10us", DUR_BAD_UNIT, 0 },
		{ "space-inside", "10 s", DUR_SYNTAX, 0 },
		{ "space-before", " 10s", DUR_SYNTAX, 0 },
		{ "negative", "-1s", DUR_SYNTAX, 0 },
		{ "plus-sign", "+1s", DUR_SYNTAX, 0 },
		{ "dot-no-fraction", "1.s", DUR_SYNTAX, 0 },
		{ "dot-no-whole", ".5s", DUR_SYNTAX, 0 },
		{ "two-dots", "1..5s", DUR_SYNTAX, 0 },
		{ "exponent", "1e3ms", DUR_SYNTAX, 0 },
		{ "unit-only", "ms", DUR_SYNTAX, 0 },
		{ "compound", "1m30s", DUR_SYNTAX, 0 },
		{ "inexact-s", "1.0005s", DUR_INEXACT, 0 },
		{ "inexact-ms", "0.1ms", DUR_INEXACT, 0 },
		{ "inexact-long", "1.0000000000000000000000001s", DUR_INEXACT, 0 },
		{ "overflow-ms", "18446744073709551616ms", DUR_RANGE, 0 },
		{ "overflow-h", "5124095576031h", DUR_RANGE, 0 },
		{ "overflow-huge", "99999999999999999999999h", DUR_RANGE, 0 },
		{ "overflow-fraction", "18446744073709551615.5s", DUR_RANGE, 0 },
	};
	static const struct {
		uint64_t ms;
		const char *out;
	} fmt[] = {
		{ 0, "0ms" }, { 1, "1ms" }, { 500, "500ms" }, { 1000, "1s" },
		{ 1500, "1500ms" }, { 10000, "10s" }, { 60000, "1m" }, { 90000, "90s" },
		{ 600000, "10m" }, { 3600000, "1h" }, { 5400000, "90m" }, { 86400000, "24h" },
	};
	static const uint64_t trip[] = { 0, 1, 999, 1001, 59999, 61000, 3599999, 7200000,
					 UINT64_MAX, UINT64_MAX / 3600000 * 3600000 };
	char name[128], buf[64];
	enum dur_err err;
	uint64_t ms;
	size_t i;
	int ok;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ms = 12345;
		err = parse_duration_ms(cases[i].in, &ms);
		snprintf(name, sizeof(name), "parse-duration/%s", cases[i].label);
		if (cases[i].err == DUR_OK)
			result(name, err == DUR_OK && ms == cases[i].ms,
			       "'%s': got error %d (%s), ms %" PRIu64 ", expected %" PRIu64,
			       cases[i].in, err, dur_strerror(err), ms, cases[i].ms);
		else
			result(name, err == cases[i].err && ms == 12345,
			       "'%s': got error %d (%s), expected %d; ms %" PRIu64, cases[i].in,
			       err, dur_strerror(err), cases[i].err, ms);
	}
	for (i = 0; i < ARRAY_SIZE(fmt); i++) {
		snprintf(name, sizeof(name), "format-duration/%" PRIu64 "ms", fmt[i].ms);
		format_duration_ms(fmt[i].ms, buf, sizeof(buf));
		result(name, !strcmp(buf, fmt[i].out), "got '%s', expected '%s'", buf, fmt[i].out);
	}
	for (i = 0, ok = 1; i < ARRAY_SIZE(trip); i++) {
		format_duration_ms(trip[i], buf, sizeof(buf));
		if (parse_duration_ms(buf, &ms) || ms != trip[i]) {
			result("duration-round-trip", 0, "%" PRIu64 " -> '%s' -> %" PRIu64, trip[i],
			       buf, ms);
			ok = 0;
			break;
		}
	}
	if (ok)
		result("duration-round-trip", 1, NULL);
}

static void test_percents(void)
{
	static const struct {
		const char *label, *in;
		enum pct_err err;
		uint64_t pct;
	} cases[] = {
		{ "percent", "20%", PCT_OK, 20 },
		{ "bare", "20", PCT_OK, 20 },
		{ "zero", "0", PCT_OK, 0 },
		{ "zero-percent", "0%", PCT_OK, 0 },
		{ "off", "off", PCT_OK, 0 },
		{ "over-100", "800%", PCT_OK, 800 },
		{ "leading-zero", "020%", PCT_OK, 20 },
		{ "u64-max", "18446744073709551615%", PCT_OK, UINT64_MAX },
		{ "empty", "", PCT_EMPTY, 0 },
		{ "percent-only", "%", PCT_SYNTAX, 0 },
		{ "junk", "abc", PCT_SYNTAX, 0 },
		{ "double-percent", "20%%", PCT_SYNTAX, 0 },
		{ "space-inside", "20 %", PCT_SYNTAX, 0 },
		{ "space-before", " 20%", PCT_SYNTAX, 0 },
		{ "plus-sign", "+5%", PCT_SYNTAX, 0 },
		{ "on", "on", PCT_SYNTAX, 0 },
		{ "off-uppercase", "OFF", PCT_SYNTAX, 0 },
		{ "off-percent", "off%", PCT_SYNTAX, 0 },
		{ "hex", "0x10", PCT_SYNTAX, 0 },
		{ "unit-after", "20%s", PCT_SYNTAX, 0 },
		{ "dot-no-fraction", "20.%", PCT_SYNTAX, 0 },
		{ "fraction-junk", "1.5x", PCT_SYNTAX, 0 },
		{ "negative", "-5%", PCT_NEGATIVE, 0 },
		{ "negative-bare", "-5", PCT_NEGATIVE, 0 },
		{ "negative-zero", "-0", PCT_NEGATIVE, 0 },
		{ "fraction", "1.5%", PCT_FRACTION, 0 },
		{ "fraction-bare", "1.5", PCT_FRACTION, 0 },
		{ "fraction-zero", "20.0%", PCT_FRACTION, 0 },
		{ "overflow", "18446744073709551616%", PCT_RANGE, 0 },
		{ "overflow-huge", "99999999999999999999999", PCT_RANGE, 0 },
	};
	static const struct {
		uint64_t pct;
		const char *out;
	} fmt[] = {
		{ 0, "off" }, { 1, "1%" }, { 20, "20%" }, { 100, "100%" }, { 6400, "6400%" },
	};
	const struct param *p = find_param("dedup_cpu");
	char name[128], buf[64];
	enum pct_err err;
	uint64_t pct;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		pct = 12345;
		err = parse_percent(cases[i].in, &pct);
		snprintf(name, sizeof(name), "parse-percent/%s", cases[i].label);
		if (cases[i].err == PCT_OK)
			result(name, err == PCT_OK && pct == cases[i].pct,
			       "'%s': got error %d (%s), pct %" PRIu64 ", expected %" PRIu64,
			       cases[i].in, err, pct_strerror(err), pct, cases[i].pct);
		else
			result(name, err == cases[i].err && pct == 12345,
			       "'%s': got error %d (%s), expected %d; pct %" PRIu64, cases[i].in,
			       err, pct_strerror(err), cases[i].err, pct);
	}
	if (!p || p->kind != PARAM_PERCENT) {
		result("format-percent", 0, "no percent parameter dedup_cpu in the table");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(fmt); i++) {
		snprintf(name, sizeof(name), "format-percent/%" PRIu64, fmt[i].pct);
		format_param(p, fmt[i].pct, buf, sizeof(buf));
		result(name, !strcmp(buf, fmt[i].out), "got '%s', expected '%s'", buf, fmt[i].out);
		snprintf(name, sizeof(name), "percent-round-trip/%" PRIu64, fmt[i].pct);
		pct = 12345;
		err = parse_percent(buf, &pct);
		result(name, err == PCT_OK && pct == fmt[i].pct, "'%s' -> error %d, %" PRIu64, buf,
		       err, pct);
	}
}

static void test_formats(void)
{
	static const struct {
		const char *label;
		char *(*fn)(uint64_t v, char *buf, size_t size);
		uint64_t v;
		const char *out;
	} cases[] = {
		{ "ns-zero", format_ns, 0, "0ns" },
		{ "ns-999", format_ns, 999, "999ns" },
		{ "ns-us", format_ns, 1500, "1.500us" },
		{ "ns-ms", format_ns, 2345678, "2.345ms" },
		{ "ns-s", format_ns, 1234000000, "1.234s" },
		{ "ns-no-round-up", format_ns, 999999999, "999.999ms" },
		{ "ns-big", format_ns, 3600000000000ULL, "3600.000s" },
		{ "size-zero", format_size, 0, "0 B" },
		{ "size-bytes", format_size, 1023, "1023 B" },
		{ "size-kib", format_size, 1536, "1.5 KiB" },
		{ "size-mib", format_size, 1048576, "1.0 MiB" },
		{ "size-gib", format_size, 3ULL << 30, "3.0 GiB" },
		{ "pages", format_pages, 262144, "262144 pages (1024.0 MiB)" },
		{ "pages-zero", format_pages, 0, "0 pages (0.0 MiB)" },
	};
	static const struct {
		const char *in;
		int ok;
		uint64_t v;
	} nums[] = {
		{ "0", 1, 0 }, { "42", 1, 42 }, { "18446744073709551615", 1, UINT64_MAX },
		{ "18446744073709551616", 0, 0 }, { "", 0, 0 }, { "-1", 0, 0 },
		{ "1 ", 0, 0 }, { "0x10", 0, 0 },
	};
	char name[128], buf[64];
	uint64_t v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(name, sizeof(name), "format/%s", cases[i].label);
		cases[i].fn(cases[i].v, buf, sizeof(buf));
		result(name, !strcmp(buf, cases[i].out), "got '%s', expected '%s'", buf,
		       cases[i].out);
	}
	for (i = 0; i < ARRAY_SIZE(nums); i++) {
		snprintf(name, sizeof(name), "parse-u64/%zu", i);
		v = 777;
		if (nums[i].ok)
			result(name, !parse_u64(nums[i].in, &v) && v == nums[i].v,
			       "'%s' not parsed right", nums[i].in);
		else
			result(name, parse_u64(nums[i].in, &v) && v == 777, "'%s' accepted",
			       nums[i].in);
	}
}

static void test_json_strings(void)
{
	static const struct {
		const char *label, *in, *out;
	} cases[] = {
		{ "plain", "web1", "\"web1\"" },
		{ "quote-backslash", "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "controls", "\n\t\r\b\f\x01\x1f\x7f", "\"\\n\\t\\r\\b\\f\\u0001\\u001f\\u007f\"" },
		{ "utf8", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		{ "invalid-utf8", "a\xff" "b\xc3", "\"a\\ufffdb\\ufffd\"" },
		{ "overlong-utf8", "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
		{ "surrogate-utf8", "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
	};
	char name[128], *buf;
	size_t i, len;
	FILE *f;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(name, sizeof(name), "json-string/%s", cases[i].label);
		buf = NULL;
		f = open_memstream(&buf, &len);
		json_write_string(f, cases[i].in);
		fclose(f);
		result(name, !strcmp(buf, cases[i].out), "got %s, expected %s", oneline(buf),
		       oneline(cases[i].out));
		free(buf);
	}
}

static void test_vm_names(void)
{
	static const struct {
		const char *label, *cmdline;
		size_t len;
		const char *name;	/* NULL: none found */
	} cases[] = {
#define C(label, s, name) { label, s, sizeof(s) - 1, name }
		C("guest-key", "qemu\0-name\0guest=vm1,debug-threads=on\0", "vm1"),
		C("implied-key", "qemu\0-accel\0kvm\0-name\0web\0-m\0512\0", "web"),
		C("double-dash", "qemu\0--name\0db\0", "db"),
		C("equals", "qemu\0-name=eq,process=x\0", "eq"),
		C("escaped-comma", "qemu\0-name\0a,,b,debug-threads=on\0", "a,b"),
		C("guest-later", "qemu\0-name\0process=p,guest=g\0", "g"),
		C("last-wins", "qemu\0-name\0one\0-name\0two\0", "two"),
		C("no-name", "qemu\0-m\0512\0", NULL),
		C("name-last-arg", "qemu\0-name\0", NULL),
		C("only-other-keys", "qemu\0-name\0process=p\0", NULL),
		C("truncated", "qemu\0-name\0abcdefghijklmnopqrstuvwxyz0123456789\0",
		  "abcdefghijklmnopqrstuvwxyz01234"),
		C("truncated-utf8", "q\0-name\0abcdefghijklmnopqrstuvwxyz0123\xc3\xa9\0",
		  "abcdefghijklmnopqrstuvwxyz0123"),
#undef C
	};
	char name[128], got[PPR_NAME_LEN];
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(name, sizeof(name), "vm-name/%s", cases[i].label);
		strcpy(got, "(none)");
		rc = vm_name_from_cmdline(cases[i].cmdline, cases[i].len, got, sizeof(got));
		if (cases[i].name)
			result(name, !rc && !strcmp(got, cases[i].name), "got '%s', expected '%s'",
			       got, cases[i].name);
		else
			result(name, rc, "found '%s' where there is none", got);
	}
}

/* ---- area discovery, on our own mappings ---- */

static void *map_file(const char *name, size_t size, int magic, char *path, size_t psize)
{
	uint32_t m = PPR_AREA_MAGIC;	/* little-endian hosts only, as the ABI */
	void *p;
	int fd;

	snprintf(path, psize, "%s/%s", tmp, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, size)) {
		perror(path);
		exit(1);
	}
	if (magic && pwrite(fd, &m, sizeof(m), 0) != sizeof(m)) {
		perror(path);
		exit(1);
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

static int scan_is(const char *name, const struct area_scan *s, int nr, int by_magic,
		   const char *suffix)
{
	const char *path = s->nr > 0 ? s->cand[0].path : "";
	size_t lp = strlen(path), ls = suffix ? strlen(suffix) : 0;

	if (s->nr != nr || (nr && s->by_magic != by_magic) ||
	    (suffix && (lp < ls || strcmp(path + lp - ls, suffix)))) {
		result(name, 0, "got %d candidates (by_magic %d, first %s), expected %d (%d, %s)",
		       s->nr, s->by_magic, path, nr, by_magic, suffix ? suffix : "-");
		return 0;
	}
	result(name, 1, NULL);
	return 1;
}

static void test_area_scan(void)
{
	static struct area_scan s;
	char p1[PATH_MAX], p2[PATH_MAX], p3[PATH_MAX], p4[PATH_MAX], p5[PATH_MAX], mf[64];
	void *magic, *named, *other, *named2, *big, *deleted;
	struct stat st;

	other = map_file("other.bin", 8192, 0, p1, sizeof(p1));
	area_scan(getpid(), &s);
	scan_is("area-scan/none", &s, 0, 0, NULL);

	named = map_file("ppr-area-unbound", 2 << 20, 0, p2, sizeof(p2));
	area_scan(getpid(), &s);
	scan_is("area-scan/by-name", &s, 1, 0, "/ppr-area-unbound");

	big = map_file("ppr-too-big", (64 << 20) + 4096, 0, p3, sizeof(p3));
	area_scan(getpid(), &s);
	scan_is("area-scan/name-size-limit", &s, 1, 0, "/ppr-area-unbound");

	named2 = map_file("ppr-second", 4096, 0, p4, sizeof(p4));
	area_scan(getpid(), &s);
	scan_is("area-scan/by-name-ambiguous", &s, 2, 0, NULL);

	magic = map_file("ivshmem-backing", 1 << 20, 1, p5, sizeof(p5));
	area_scan(getpid(), &s);
	scan_is("area-scan/magic-wins", &s, 1, 1, "/ivshmem-backing");
	munmap(magic, 4096);

	/* A deleted file is found through /proc/PID/map_files. */
	deleted = map_file("gone", 1 << 20, 1, p5, sizeof(p5));
	unlink(p5);
	snprintf(mf, sizeof(mf), "/proc/%d/map_files", getpid());
	if (stat(mf, &st) || access(mf, R_OK)) {
		skip("area-scan/deleted-file", "no access to /proc/PID/map_files");
	} else {
		area_scan(getpid(), &s);
		if (s.nr == 1 && s.by_magic && access(s.cand[0].open_path, R_OK))
			skip("area-scan/deleted-file", "map_files links not readable");
		else
			scan_is("area-scan/deleted-file", &s, 1, 1, "/gone (deleted)");
	}
	munmap(deleted, 4096);
	munmap(named2, 4096);
	munmap(big, 4096);
	munmap(named, 4096);
	munmap(other, 4096);
	unlink(p1);
	unlink(p2);
	unlink(p3);
	unlink(p4);
}

/* What print_attached() or print_detached() wrote, by calling fn. */
static void printed(char *buf, size_t size, void (*fn)(FILE *f, int json), int json)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&mem, &len);
	if (!f) {
		perror("open_memstream");
		exit(1);
	}
	fn(f, json);
	fclose(f);
	snprintf(buf, size, "%s", mem ? mem : "");
	free(mem);
}

static void attached_web1(FILE *f, int json)
{
	print_attached(f, json, 7, 4242, "web1", "/dev/shm/ppr-web1");
}

static void attached_odd(FILE *f, int json)
{
	print_attached(f, json, 12, 1, "a \"b\"\t\xff", "/tmp/x (deleted)");
}

static void detached_7(FILE *f, int json)
{
	print_detached(f, json, 7);
}

static void test_attach_output(void)
{
	char buf[1024];
	unsigned int id = 0;

	/* Scripts run sed 's/^attached vm \([0-9]*\):.*\/\1/p' on this line. */
	printed(buf, sizeof(buf), attached_web1, 0);
	result("attach-output/text", !strcmp(buf,
	       "attached vm 7: pid 4242, name web1, area /dev/shm/ppr-web1\n"), "got '%s'",
	       oneline(buf));
	result("attach-output/text-parses", sscanf(buf, "attached vm %u:", &id) == 1 && id == 7,
	       "id %u from '%s'", id, oneline(buf));
	printed(buf, sizeof(buf), attached_web1, 1);
	result("attach-output/json", !strcmp(buf, "{\n  \"id\": 7,\n  \"name\": \"web1\",\n"
	       "  \"vmm_pid\": 4242,\n  \"area\": \"/dev/shm/ppr-web1\"\n}\n"), "got '%s'",
	       oneline(buf));
	result("attach-output/json-valid", json_valid_object(buf), "not one object: %s",
	       oneline(buf));
	printed(buf, sizeof(buf), attached_odd, 1);
	result("attach-output/json-escaped", json_valid_object(buf) &&
	       strstr(buf, "\"name\": \"a \\\"b\\\"\\t\\ufffd\""), "got '%s'", oneline(buf));

	printed(buf, sizeof(buf), detached_7, 0);
	result("detach-output/text", !strcmp(buf, "detached vm 7\n"), "got '%s'", oneline(buf));
	printed(buf, sizeof(buf), detached_7, 1);
	result("detach-output/json", !strcmp(buf, "{\n  \"id\": 7\n}\n"), "got '%s'",
	       oneline(buf));
}

/* The one table of hints: the context's row, its fallback, then any context's. */
static void test_hints(void)
{
	static const struct {
		const char *label;
		enum hint_ctx ctx;
		int err;
		const char *has;
	} cases[] = {
		{ "attach-einval", HINT_ATTACH, EINVAL, "wrong magic, version or size" },
		{ "attach-eexist", HINT_ATTACH, EEXIST, "attached already" },
		{ "attach-enospc", HINT_ATTACH, ENOSPC, "detach one first" },
		{ "attach-eperm", HINT_ATTACH, EPERM, "attaching needs root (CAP_SYS_ADMIN)" },
		{ "attach-enotty", HINT_ATTACH, ENOTTY, "are pprctl and the module from the same" },
		{ "detach-enoent", HINT_DETACH, ENOENT, "no VM with this id is attached" },
		{ "detach-eacces", HINT_DETACH, EACCES, "detaching needs root" },
		{ "write-eacces", HINT_SYSFS_WRITE, EACCES, "changing settings needs root" },
		{ "write-erange", HINT_SYSFS_WRITE, ERANGE, "the kernel rejected the value" },
		{ "write-erofs", HINT_SYSFS_WRITE, EROFS, "remount it read-write" },
		{ "write-percent-erange", HINT_SYSFS_WRITE_PERCENT, ERANGE,
		  "from off (0%) to 100% per possible CPU" },
		{ "write-percent-eacces", HINT_SYSFS_WRITE_PERCENT, EACCES,
		  "changing settings needs root" },
		{ "write-percent-enoent", HINT_SYSFS_WRITE_PERCENT, ENOENT,
		  "does not have this setting" },
		{ "write-percent-fallback", HINT_SYSFS_WRITE_PERCENT, EIO,
		  "check the kernel log (dmesg)" },
		{ "read-enoent", HINT_SYSFS_READ, ENOENT, "does not have it" },
		{ "read-eacces-any", HINT_SYSFS_READ, EACCES, "run pprctl as root" },
		{ "module-enoent", HINT_MODULE, ENOENT, "run: modprobe ppr_pageone" },
		{ "module-enxio", HINT_MODULE, ENXIO, "run: modprobe ppr_pageone" },
		{ "maps-context-any", HINT_PROC_MAPS, EACCES, "or give the area with --area FILE" },
		{ "pidfd-esrch", HINT_PIDFD_OPEN, ESRCH, "the process has exited" },
		{ "getfd-eperm", HINT_PIDFD_GETFD, EPERM, "kernel.yama.ptrace_scope" },
		{ "getfd-enosys", HINT_PIDFD_GETFD, ENOSYS, "Linux 5.6 or later" },
		{ "fallback", HINT_SYSFS_READ, EIO, "check the kernel log (dmesg)" },
		{ "fallback-no-errno", HINT_ATTACH, 0, "check the kernel log (dmesg)" },
	};
	char name[128];
	const char *h;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(name, sizeof(name), "hint/%s", cases[i].label);
		h = hint(cases[i].ctx, cases[i].err);
		result(name, h && strstr(h, cases[i].has), "got '%s', expected it to contain '%s'",
		       h ? h : "(null)", cases[i].has);
	}
	result("hint/context-wins", strcmp(hint(HINT_SYSFS_WRITE, EACCES), hint(HINT_ANY, EACCES)),
	       "the write context's EACCES row is not used");
	result("hint/percent-erange-own", strcmp(hint(HINT_SYSFS_WRITE_PERCENT, ERANGE),
						hint(HINT_SYSFS_WRITE, ERANGE)),
	       "writing a percent does not get its own ERANGE hint");
	result("hint/percent-parent", hint(HINT_SYSFS_WRITE_PERCENT, EROFS) ==
	       hint(HINT_SYSFS_WRITE, EROFS), "writing a percent does not fall back to writing");
}

/* ---- the binary ---- */

/* The usage error of command cmd (NULL: none) as pprctl prints it. */
static const char *usage_line(const char *cmd, const char *msg)
{
	static char buf[1024];

	if (!cmd)
		snprintf(buf, sizeof(buf), "pprctl: %s; see pprctl --help", msg);
	else if (!strcmp(cmd, "help"))
		snprintf(buf, sizeof(buf), "pprctl: help: %s; see pprctl --help", msg);
	else
		snprintf(buf, sizeof(buf), "pprctl: %s: %s; see pprctl %s --help", cmd, msg, cmd);
	return buf;
}

/* Every name of the table of parameters in the usage of get and set. */
static void test_usage_params(void)
{
	static const char *const cmds[] = { "get", "set", NULL };
	char name[128], line[128];
	size_t i, k;

	for (k = 0; k < ARRAY_SIZE(cmds); k++) {
		if (cmds[k])
			RUN("help", cmds[k]);
		else
			RUN("--help");
		for (i = 0; i < nr_params; i++) {
			snprintf(name, sizeof(name), "cli/usage-%s-lists/%s",
				 cmds[k] ? cmds[k] : "all", params[i].name);
			snprintf(line, sizeof(line), "\n    %s ", params[i].name);
			expect(name, 0, line, NULL);
		}
	}
	RUN("help", "set");
	expect("cli/usage-set-values", 0, "duration is a number and a unit", NULL);
	expect("cli/usage-set-percent", 0,
	       "percent is a whole number of percent, as in 20%, or off.", NULL);
	RUN("help", "status");
	result("cli/usage-status-no-params", r.status == 0 && !strstr(r.out, "reclaim_period"),
	       "exit %d: %s", r.status, oneline(r.out));
}

static void test_cli(void)
{
	static const char *const cmds[] = { "status", "top", "watch", "get", "set", "attach", "detach", "help" };
	char name[128], names[256], want[512];
	size_t i;

	RUN("--version");
	expect("cli/version", 0, "pprctl 0.1", NULL);
	result("cli/version-exact", !strcmp(r.out, "pprctl 0.1"), "got '%s'", oneline(r.out));
	RUN("--help");
	expect("cli/help", 0, "usage: pprctl", NULL);
	RUN("-h", "set");
	expect("cli/help-h-command", 0, "usage: pprctl set [--json] PARAM VALUE", NULL);
	RUN("help");
	expect("cli/help-command", 0, "pprctl attach [--json] QEMU_PID", NULL);
	RUN("help", "set");
	expect("cli/help-set", 0, "usage: pprctl set [--json] PARAM VALUE", NULL);
	RUN("help", "--help");
	expect("cli/help-help", 0, "usage: pprctl <command>", NULL);
	RUN("status", "--help");
	expect("cli/status-help", 0, "usage: pprctl status", NULL);
	/* --help and -h anywhere: after arguments, as a value, in a cluster, abbreviated. */
	RUN("get", "run", "-h");
	expect("cli/help-last", 0, "usage: pprctl get [--json] PARAM", NULL);
	RUN("attach", "1", "--area", "--help");
	expect("cli/help-as-value", 0, "usage: pprctl attach", NULL);
	RUN("status", "-jh");
	expect("cli/help-cluster", 0, "usage: pprctl status", NULL);
	RUN("detach", "--he");
	expect("cli/help-abbreviated", 0, "usage: pprctl detach", NULL);
	RUN("set", "--frob", "-jh");
	expect("cli/help-wins-over-error", 0, "usage: pprctl set", NULL);
	result("cli/help-wins-quietly", !r.err[0], "stderr: %s", oneline(r.err));
	test_usage_params();

	run_env(root, NULL, (const char *const[]){ NULL });
	expect_exact("usage/no-command", 2, "", usage_line(NULL, "missing the command"));
	RUN("frobnicate");
	expect_exact("usage/unknown-command", 2, "",
		     usage_line(NULL, "unknown command 'frobnicate'"));
	RUN("--frob");
	expect_exact("usage/unknown-global-option", 2, "",
		     usage_line(NULL, "unknown option '--frob'"));
	RUN("help", "frobnicate");
	expect_exact("usage/help-unknown", 2, "", usage_line("help", "unknown command 'frobnicate'"));
	RUN("help", "set", "get");
	expect_exact("usage/help-too-many", 2, "", usage_line("help", "too many arguments ('get')"));

	/* getopt_long's refusals, in every command's words. */
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		RUN(cmds[i], "--frob");
		snprintf(name, sizeof(name), "usage/unknown-option/%s", cmds[i]);
		expect_exact(name, 2, "", usage_line(cmds[i], "unknown option '--frob'"));
		RUN(cmds[i], "-x");
		snprintf(name, sizeof(name), "usage/unknown-short-option/%s", cmds[i]);
		expect_exact(name, 2, "", usage_line(cmds[i], "unknown option '-x'"));
	}
	for (i = 0; i < ARRAY_SIZE(cmds) - 1; i++) {
		/* top and watch write for a person and a journal: no --json. */
		if (!strcmp(cmds[i], "top") || !strcmp(cmds[i], "watch"))
			continue;
		RUN(cmds[i], "--json=yes");
		snprintf(name, sizeof(name), "usage/json-takes-no-value/%s", cmds[i]);
		expect_exact(name, 2, "", usage_line(cmds[i], "option '--json' takes no value"));
	}
	RUN("get", "--frob", "-x", "run");
	expect_exact("usage/first-error-only", 2, "", usage_line("get", "unknown option '--frob'"));
	RUN("get", "a\nb\tc");
	param_names(names, sizeof(names));
	snprintf(want, sizeof(want), "unknown parameter 'a?b?c'; use one of: %s", names);
	expect_exact("usage/one-line", 2, "", usage_line("get", want));

	RUN("status", "extra");
	expect_exact("usage/status-extra", 2, "",
		     usage_line("status", "unexpected argument 'extra'; status takes none"));
	RUN("get");
	expect_exact("usage/get-missing", 2, "", usage_line("get", "missing the parameter name"));
	RUN("get", "speed");
	snprintf(want, sizeof(want), "unknown parameter 'speed'; use one of: %s", names);
	expect_exact("usage/get-unknown-param", 2, "", usage_line("get", want));
	expect("usage/get-unknown-param-text", 2, NULL,
	       "unknown parameter 'speed'; use one of: run, reclaim_period, merge_period, dedup_cpu, thp_split_min_free, work_threads, merge_vm_ram");
	RUN("get", "run", "merge_period");
	expect_exact("usage/get-too-many", 2, "",
		     usage_line("get", "too many arguments ('merge_period')"));
	RUN("get", "--", "run");
	expect_exact("usage/double-dash", 0, "on", "");
	RUN("set", "reclaim_period");
	expect_exact("usage/set-missing-value", 2, "", usage_line("set", "missing the value"));
	RUN("set", "--", "work_threads", "-2");
	expect("usage/set-negative-after-dashes", 2, NULL,
	       "invalid value '-2' for work_threads; use a whole number");
	RUN("replace-ksm", "reclaim_period");
	expect_exact("usage/replace-ksm-missing-value", 2, "",
		     usage_line("replace-ksm", "reclaim_period has no value; give PARAM VALUE pairs"));
	RUN("replace-ksm", "reclaim_period", "10s", "speed", "2");
	expect("usage/replace-ksm-unknown-param", 2, NULL,
	       "pprctl: replace-ksm: unknown parameter 'speed'; use one of: run,");
	RUN("replace-ksm", "merge_period", "600");
	expect("usage/replace-ksm-bad-value", 2, NULL, "merge_period '600' has no unit");
	RUN("replace-ksm", "merge_period", "600", "--help");
	expect("usage/replace-ksm-help-wins", 0, "usage: pprctl replace-ksm", NULL);
	RUN("restore-ksm", "now");
	expect_exact("usage/restore-ksm-no-args", 2, "",
		     usage_line("restore-ksm", "unexpected argument 'now'; restore-ksm takes none"));
	RUN("attach");
	expect_exact("usage/attach-missing-pid", 2, "", usage_line("attach", "missing the QEMU pid"));
	RUN("attach", "qemu");
	expect("usage/attach-bad-pid", 2, NULL, "'qemu' is not a pid");
	RUN("attach", "0");
	expect("usage/attach-pid-zero", 2, NULL, "'0' is not a pid");
	RUN("attach", "-1");
	expect_exact("usage/attach-pid-negative", 2, "", usage_line("attach", "'-1' is not a pid"));
	RUN("attach", "1", "--area");
	expect_exact("usage/attach-area-no-value", 2, "",
		     usage_line("attach", "option '--area' needs a value"));
	RUN("attach", "1", "--area=");
	expect("usage/attach-area-empty", 2, NULL, "--area needs a file name");
	RUN("attach", "1", "--name", "a-name-that-is-longer-than-31-bytes");
	expect("usage/attach-long-name", 2, NULL, "must have 1 to 31 bytes");
	RUN("attach", "1", "--frob");
	expect("usage/attach-unknown-option", 2, NULL, "unknown option '--frob'");
	RUN("attach", "1", "2");
	expect("usage/attach-too-many", 2, NULL, "too many arguments ('2')");
	RUN("detach");
	expect("usage/detach-neither", 2, NULL, "give a VM id or --pid PID, not neither");
	RUN("detach", "1", "--pid", "2");
	expect("usage/detach-both", 2, NULL, "not both");
	RUN("detach", "x1");
	expect("usage/detach-bad-id", 2, NULL, "'x1' is not a VM id");
	RUN("detach", "--pid");
	expect_exact("usage/detach-pid-no-value", 2, "",
		     usage_line("detach", "option '--pid' needs a value"));
	RUN("detach", "--pid", "1", "--pid=2");
	expect_exact("usage/detach-pid-twice", 2, "", usage_line("detach", "--pid given twice"));
}

static void test_status_prometheus(void)
{
	char cmd[2 * PATH_MAX + 64], file[PATH_MAX], out[OUT_MAX];
	struct stat st;
	FILE *f;
	size_t n;

	RUN("status", "--prometheus");
	check_prom("status/prometheus");
	expect("status/prometheus-loaded", 0, "\nppr_module_loaded 1\n", NULL);
	expect("status/prometheus-counter", 0,
	       "# TYPE ppr_recycled_pages_total counter\nppr_recycled_pages_total 262144\n", NULL);
	expect("status/prometheus-ns-seconds", 0, "\nppr_daemon_cpu_seconds_total 1.234000000\n", NULL);
	expect("status/prometheus-ms-seconds", 0, "\nppr_reclaim_period_seconds 10.000\n", NULL);
	expect("status/prometheus-percent-ratio", 0, "\nppr_dedup_cpu_ratio 0.20\n", NULL);
	expect("status/prometheus-negative-gauge", 0,
	       "# TYPE ppr_pageone_general_profit_bytes gauge\nppr_pageone_general_profit_bytes -4096\n", NULL);
	expect("status/prometheus-vm-series", 0,
	       "\nppr_vm_recycled_pages_total{vm=\"1\",name=\"web \\\"one\\\"\ttab\"} 1000\n"
	       "ppr_vm_recycled_pages_total{vm=\"10\",name=\"bad? utf8\"} 0", NULL);
	expect("status/prometheus-vm-info", 0,
	       "\nppr_vm_info{vm=\"1\",name=\"web \\\"one\\\"\ttab\",vmm_pid=\"4242\",state=\"active\"} 1\n", NULL);
	expect("status/prometheus-unknown-file-counter", 0,
	       "\nppr_vm_future_counter_total{vm=\"10\",name=\"bad? utf8\"} 5\n", NULL);
	/* A VM whose VMM is this process: its ksm_merging_pages from /proc. */
	snprintf(out, sizeof(out), "%d\n", (int)getpid());
	put(root, "vms/1/vmm_pid", out);
	RUN("status", "--prometheus");
	check_prom("status/prometheus-merging");
	expect("status/prometheus-vm-merging", 0,
	       "# TYPE ppr_vm_ksm_merging_pages gauge\nppr_vm_ksm_merging_pages{vm=\"1\",name=\"web \\\"one\\\"\ttab\"} ",
	       NULL);
	put(root, "vms/1/vmm_pid", "4242\n");
	/* stats/skipped_pinned has no unit: a counter all the same. */
	expect("status/prometheus-generic", 0, "\nppr_skipped_pinned_total 7\n", NULL);
	put(root, "stats/broken", "n/a\n");
	RUN("status", "--prometheus");
	check_prom("status/prometheus-text-file");
	expect("status/prometheus-text-left-out", 0, "# pprctl: stats/broken left out: not a whole number\n",
	       NULL);

	/* The textfile collector's file: the same text, renamed into place. */
	RUN("status", "--prometheus");
	snprintf(out, sizeof(out), "%s", r.out);
	snprintf(file, sizeof(file), "%s/prom/ppr.prom", tmp);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/prom'", tmp);
	if (system(cmd))
		fprintf(stderr, "tests: mkdir %s/prom failed\n", tmp);
	RUN("status", "--prometheus", "--output", file);
	f = fopen(file, "r");
	n = f ? fread(r.out, 1, sizeof(r.out) - 1, f) : 0;
	r.out[n] = 0;
	if (f)
		fclose(f);
	/* As run_env() keeps stdout: without its last newline. */
	while (n && r.out[n - 1] == '\n')
		r.out[--n] = 0;
	result("status/prometheus-output-file", r.status == 0 && !strcmp(r.out, out),
	       "exit %d; %s differs from stdout's text", r.status, file);
	result("status/prometheus-output-mode", !stat(file, &st) && (st.st_mode & 0777) == 0644,
	       "mode %o, want 644 (node_exporter reads it as another user)", st.st_mode & 0777);
	snprintf(cmd, sizeof(cmd), "test \"$(ls '%s/prom')\" = ppr.prom", tmp);
	result("status/prometheus-output-no-temp-left", !system(cmd), "files other than ppr.prom in %s/prom",
	       tmp);
	snprintf(file, sizeof(file), "%s/no-such-folder/ppr.prom", tmp);
	RUN("status", "--prometheus", "-o", file);
	expect("status/prometheus-output-error", 1, NULL, "no-such-folder/ppr.prom: No such file or directory");

	RUN("status", "--prometheus", "--json");
	expect("status/prometheus-json-usage", 2, NULL, "--json and --prometheus");
	RUN("status", "--output", file);
	expect("status/output-needs-prometheus", 2, NULL, "add --prometheus");
	RUN_ENV("/nonexistent-ppr-sysfs", NULL, "status", "--prometheus");
	expect_exact("status/prometheus-module-missing", 0,
		     "# HELP ppr_module_loaded 1 if the ppr_pageone module is loaded\n"
		     "# TYPE ppr_module_loaded gauge\nppr_module_loaded 0", "");
	RUN_ENV("/nonexistent-ppr-sysfs", NULL, "status");
	expect("status/module-missing-still-fails", 1, NULL, "not found");
	make_tree(root);
}

/*
 * pprctl top: frames, its rate from the change between two frames (the
 * change made after the first frame was printed, so the test does not
 * depend on timing), its per-VMM columns from /proc, and its usage errors.
 */
static void test_top(void)
{
	char outfile[PATH_MAX], buf[OUT_MAX], pid[32], *second, *row, *end;
	int st, i;
	pid_t child;

	RUN("top", "--count", "1", "--interval", "100ms");
	expect("top/one-frame", 0, "pprctl top: 2 VMs attached; every 100ms", NULL);
	expect("top/columns", 0, "RECYCLED/s", NULL);
	expect("top/first-frame-no-rate", 0, "\n1      web \"one\"?tab", NULL);
	result("top/first-frame-no-total-rate", !strstr(r.out, "all VMs:"), "stdout: %s",
	       oneline(r.out));

	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	put(root, "vms/1/vmm_pid", pid);
	snprintf(outfile, sizeof(outfile), "%s/top.out", tmp);
	fflush(stdout);
	child = fork();
	if (child < 0) {
		perror("fork");
		exit(1);
	}
	if (!child) {
		int fd = open(outfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		setenv("PPR_SYSFS", root, 1);
		dup2(fd, 1);
		close(fd);
		execl(pprctl, pprctl, "top", "--count", "2", "--interval", "1s", (char *)NULL);
		_exit(127);
	}
	/* Once the first frame is out, 512 more pages (2 MiB) recycled. */
	for (i = 0; i < 200; i++) {
		get(tmp, "top.out", buf, sizeof(buf));
		if (strstr(buf, "RECYCLED/s") && strstr(buf, "\n10 "))
			break;
		usleep(50000);
	}
	put(root, "vms/1/recycled_pages", "1512\n");
	waitpid(child, &st, 0);
	get(tmp, "top.out", buf, sizeof(buf));
	second = strstr(buf, "\n\npprctl top:");
	result("top/two-frames", WIFEXITED(st) && !WEXITSTATUS(st) && second,
	       "status %d: %s", st, oneline(buf));
	result("top/rate", second && strstr(second, "/s ") && strstr(second, "\nall VMs: ") &&
	       (strstr(second, "KiB/s") || strstr(second, "MiB/s")),
	       "no nonzero rate in the second frame: %s", oneline(second ? second : buf));
	/* VM 1's row: its total, and merged and RSS of this process, no "-". */
	row = second ? strstr(second, "\n1 ") : NULL;
	end = row ? strchr(row + 1, '\n') : NULL;
	if (end)
		*end = 0;
	result("top/vmm-columns", row && strstr(row, " 5.9 MiB ") && !strstr(row, " -"),
	       "VM 1 (VMM: this process) lacks its total, merged or RSS: %s",
	       oneline(row ? row : buf));
	make_tree(root);

	RUN("top", "--interval", "10ms");
	expect("top/interval-too-short", 2, NULL, "want 100ms to 1h");
	RUN("top", "--count", "0");
	expect("top/count-zero", 2, NULL, "1 or more");
	RUN("top", "now");
	expect("top/no-arguments", 2, NULL, "top takes none");
	RUN_ENV("/nonexistent-ppr-sysfs", NULL, "top", "--count", "1");
	expect("top/module-missing", 1, NULL, "not loaded");
}

/*
 * pprctl restore-ksm with the module not loaded has nothing to unload; a
 * record that replace-ksm stopped ksmtuned, on a machine without systemd,
 * is an error that names the record and keeps it.
 */
static void test_restore_ksm(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];

	snprintf(dir, sizeof(dir), "%s/state", tmp);
	setenv("PPR_STATE_DIR", dir, 1);
	RUN_ENV("/nonexistent-ppr-sysfs", NULL, "restore-ksm");
	expect("restore-ksm/nothing-to-do", 0, "ppr_pageone: was not loaded", NULL);
	if (!access("/run/systemd/system", F_OK)) {
		skip("restore-ksm/record-without-systemd", "systemd runs here");
	} else {
		put(dir, "ksmtuned-stopped", "");
		snprintf(path, sizeof(path), "%s/ksmtuned-stopped", dir);
		RUN_ENV("/nonexistent-ppr-sysfs", NULL, "restore-ksm");
		expect("restore-ksm/record-without-systemd", 1, NULL, "systemd does not run now");
		result("restore-ksm/record-kept", !access(path, F_OK), "%s was removed", path);
	}
	unsetenv("PPR_STATE_DIR");
}

/* pprctl watch on the build machine: no VMM to attach; its usage errors. */
static void test_watch(void)
{
	RUN("watch", "--once");
	expect_exact("watch/once-nothing-to-attach", 0, "", "");
	RUN_ENV("/nonexistent-ppr-sysfs", NULL, "watch", "--once");
	expect("watch/once-module-missing", 1, NULL, "not loaded");
	RUN("watch", "--interval", "1");
	expect("watch/interval-needs-unit", 2, NULL, "--interval '1'");
	RUN("watch", "--interval", "2h");
	expect("watch/interval-too-long", 2, NULL, "want 100ms to 1h");
	RUN("watch", "vm1");
	expect("watch/no-arguments", 2, NULL, "watch takes none");
}

static void test_promcheck(void)
{
	char cmd[PATH_MAX + 64];

	if (!have_python3() || !*srcdir) {
		skip("status/promcheck-rejects-faults", "no python3 or source folder");
		return;
	}
	snprintf(cmd, sizeof(cmd), "python3 '%s/promcheck.py' --self-test", srcdir);
	result("status/promcheck-rejects-faults", !system(cmd), "promcheck.py --self-test failed");
}

static void test_status(void)
{
	char vms[PATH_MAX];

	RUN("status");
	expect("status/exit", 0, "Settings:", NULL);
	expect("status/run", 0, "run                on\n", NULL);
	expect("status/reclaim-period", 0, "reclaim_period     10s\n", NULL);
	expect("status/merge-period", 0, "merge_period       500ms\n", NULL);
	expect("status/work-threads", 0, "work_threads       2\n", NULL);
	expect("status/thp-split-min-free", 0, "thp_split_min_free 256\n", NULL);
	expect("status/dedup-cpu", 0, "dedup_cpu          20%\n", NULL);
	expect("status/stat-pages", 0, "262144 pages (1024.0 MiB)", NULL);
	expect("status/stat-ns", 0, "1.234s", NULL);
	expect("status/stat-bytes", 0, "1.5 KiB", NULL);
	expect("status/stat-plain", 0, "skipped_pinned  7\n", NULL);
	expect("status/pageone-title", 0, "PageONE (deduplication", NULL);
	expect("status/pageone-pages", 0, "pages_sharing   2048 pages (8.0 MiB)", NULL);
	expect("status/pageone-negative", 0, "general_profit  -4096\n", NULL);
	expect("status/vm-count", 0, "VMs: 2 attached", NULL);
	expect("status/vm-header", 0, "ID  NAME", NULL);
	expect("status/vm-row", 0, "4242  active", NULL);
	expect("status/vm-recycled", 0, "1000 pages (3.9 MiB)", NULL);
	expect("status/vm-extra-column", 0, "FUTURE_COUNTER", NULL);
	result("status/no-control-chars", !strchr(r.out, '\t') && !strchr(r.out, '\xff'),
	       "a VM name's control character reached the table");
	result("status/vm-order", strstr(r.out, "\n  1 ") && strstr(r.out, "\n  10 ") &&
	       strstr(r.out, "\n  1 ") < strstr(r.out, "\n  10 "), "VM rows not in id order: %s",
	       oneline(r.out));

	RUN("status", "--json");
	check_json("status/json");
	expect("status/json-settings", 0, "\"reclaim_period_ms\": 10000", NULL);
	expect("status/json-bool", 0, "\"run\": true", NULL);
	expect("status/json-percent", 0, "\"dedup_cpu_percent\": 20", NULL);
	expect("status/json-number", 0, "\"recycled_pages\": 262144", NULL);
	expect("status/json-pageone", 0, "\"pages_sharing\": 2048", NULL);
	expect("status/json-escaping", 0, "\"name\": \"web \\\"one\\\"\\ttab\"", NULL);
	expect("status/json-utf8", 0, "\"name\": \"bad\\ufffd utf8\"", NULL);
	expect("status/json-vm-id", 0, "\"id\": 10", NULL);
	expect("status/json-generic", 0, "\"future_counter\": 5", NULL);

	snprintf(vms, sizeof(vms), "%s/vms", root);
	rm_rf(vms);	/* no VMs attached */
	put(root, "dedup_cpu_percent", "0\n");
	RUN("status");
	expect("status/no-vms", 0, "VMs: none attached", NULL);
	expect("status/dedup-cpu-off", 0, "dedup_cpu          off\n", NULL);
	RUN("status", "-j");
	check_json("status/no-vms-json");
	expect("status/no-vms-json-array", 0, "\"vms\": []", NULL);
	RUN("status", "--prometheus");
	check_prom("status/prometheus-no-vms");
	make_tree(root);
	test_status_prometheus();
}

static void test_get(void)
{
	char path[PATH_MAX], want[PATH_MAX + 256], out[256], name[128];
	const struct param *p;
	size_t i;

	RUN("get", "reclaim_period");
	expect("get/reclaim-period", 0, "10s", NULL);
	result("get/reclaim-period-exact", !strcmp(r.out, "10s"), "got '%s'", oneline(r.out));
	RUN("get", "merge_period");
	result("get/merge-period", r.status == 0 && !strcmp(r.out, "500ms"), "got '%s'",
	       oneline(r.out));
	RUN("get", "run");
	result("get/run", r.status == 0 && !strcmp(r.out, "on"), "got '%s'", oneline(r.out));
	RUN("get", "work_threads");
	result("get/work-threads", r.status == 0 && !strcmp(r.out, "2"), "got '%s'",
	       oneline(r.out));
	RUN("get", "reclaim_period_ms");
	result("get/by-file-name", r.status == 0 && !strcmp(r.out, "10s"), "got '%s'",
	       oneline(r.out));
	RUN("get", "--json", "reclaim_period");
	check_json("get/json");
	expect("get/json-value", 0, "\"reclaim_period_ms\": 10000", NULL);
	RUN("get", "run", "--json");
	expect("get/json-run", 0, "\"run\": true", NULL);
	RUN("get", "dedup_cpu");
	expect_exact("get/dedup-cpu", 0, "20%", "");
	RUN("get", "dedup_cpu_percent");
	expect_exact("get/dedup-cpu-by-file", 0, "20%", "");
	RUN("get", "--json", "dedup_cpu");
	check_json("get/dedup-cpu-json");
	expect_exact("get/dedup-cpu-json-value", 0, "{\n  \"dedup_cpu_percent\": 20\n}", "");
	put(root, "dedup_cpu_percent", "0\n");
	RUN("get", "dedup_cpu");
	expect_exact("get/dedup-cpu-off", 0, "off", "");
	RUN("get", "dedup_cpu", "-j");
	expect_exact("get/dedup-cpu-off-json", 0, "{\n  \"dedup_cpu_percent\": 0\n}", "");
	put(root, "dedup_cpu_percent", "800\n");
	RUN("get", "dedup_cpu");
	expect_exact("get/dedup-cpu-over-100", 0, "800%", "");

	put(root, "merge_period_ms", "garbage\n");
	RUN("get", "merge_period");
	expect("get/not-a-number", 1, NULL, "does not hold a number");
	snprintf(path, sizeof(path), "%s/work_threads", root);
	unlink(path);
	RUN("get", "--json", "work_threads");
	snprintf(want, sizeof(want), "pprctl: reading %s: No such file or directory; %s", path,
		 hint(HINT_SYSFS_READ, ENOENT));
	expect_exact("get/missing-file", 1, "", want);
	make_tree(root);

	/* Each parameter of the table, by name and by file. */
	for (i = 0; i < nr_params; i++) {
		p = &params[i];
		RUN("get", p->name);
		snprintf(out, sizeof(out), "%.200s", r.out);
		snprintf(name, sizeof(name), "get/each/%s", p->name);
		result(name, r.status == 0 && out[0] && !strchr(out, '\n'), "exit %d, '%s'",
		       r.status, oneline(r.out));
		RUN("get", p->file);
		snprintf(name, sizeof(name), "get/each-by-file/%s", p->name);
		expect_exact(name, 0, out, "");
		RUN("get", p->name, "--json");
		snprintf(want, sizeof(want), "\"%s\": ", p->file);
		snprintf(name, sizeof(name), "get/each-json-key/%s", p->name);
		expect(name, 0, want, NULL);
	}
}

static void test_set(void)
{
	static const struct {
		const char *label, *param, *value, *file, *want;
	} ok[] = {
		{ "decimal", "reclaim_period", "1.5s", "reclaim_period_ms", "1500" },
		{ "minutes", "reclaim_period", "10m", "reclaim_period_ms", "600000" },
		{ "hours", "merge_period", "1h", "merge_period_ms", "3600000" },
		{ "ms", "merge_period", "250ms", "merge_period_ms", "250" },
		{ "run-off", "run", "off", "run", "0" },
		{ "run-on", "run", "on", "run", "1" },
		{ "run-0", "run", "0", "run", "0" },
		{ "run-1", "run", "1", "run", "1" },
		{ "work-threads", "work_threads", "4", "work_threads", "4" },
		{ "merge-vm-ram-off", "merge_vm_ram", "off", "merge_vm_ram", "0" },
		{ "merge-vm-ram-on", "merge_vm_ram", "on", "merge_vm_ram", "1" },
		{ "dedup-cpu-percent", "dedup_cpu", "20%", "dedup_cpu_percent", "20" },
		{ "dedup-cpu-off", "dedup_cpu", "off", "dedup_cpu_percent", "0" },
		{ "dedup-cpu-bare", "dedup_cpu", "20", "dedup_cpu_percent", "20" },
		{ "dedup-cpu-zero-percent", "dedup_cpu", "0%", "dedup_cpu_percent", "0" },
		{ "dedup-cpu-over-100", "dedup_cpu", "350%", "dedup_cpu_percent", "350" },
		{ "dedup-cpu-zero", "dedup_cpu", "0", "dedup_cpu_percent", "0" },
		{ "dedup-cpu-by-file", "dedup_cpu_percent", "15%", "dedup_cpu_percent", "15" },
	};
	static const struct {
		const char *label, *param, *value, *err_has;
	} bad[] = {
		{ "bare-number", "reclaim_period", "10", "has no unit" },
		{ "bare-zero", "merge_period", "0", "has no unit" },
		{ "inexact", "reclaim_period", "1.0005s", "not a whole number of milliseconds" },
		{ "negative", "reclaim_period", "-1s", "invalid duration" },
		{ "unknown-unit", "reclaim_period", "10d", "unknown unit" },
		{ "junk", "reclaim_period", "soon", "invalid duration" },
		{ "overflow", "merge_period", "99999999999999999999h", "too large" },
		{ "run-maybe", "run", "maybe", "use on, off, 1 or 0" },
		{ "run-yes", "run", "yes", "use on, off, 1 or 0" },
		{ "merge-vm-ram-2", "merge_vm_ram", "2", "use on, off, 1 or 0" },
		{ "threads-word", "work_threads", "two", "whole number" },
		{ "threads-negative", "work_threads", "-2", "whole number" },
		{ "threads-overflow", "work_threads", "18446744073709551616", "whole number" },
		{ "dedup-cpu-negative", "dedup_cpu", "-5%", "for dedup_cpu: negative" },
		{ "dedup-cpu-fraction", "dedup_cpu", "1.5%", "not a whole number of percent" },
		{ "dedup-cpu-junk", "dedup_cpu", "abc", "not a number of percent or off" },
		{ "dedup-cpu-double-percent", "dedup_cpu", "20%%", "invalid percent '20%%'" },
		{ "dedup-cpu-overflow", "dedup_cpu", "18446744073709551616%", "too large" },
		{ "dedup-cpu-on", "dedup_cpu", "on", "write e.g. 20% or off" },
		{ "dedup-cpu-empty", "dedup_cpu", "", "invalid percent '' for dedup_cpu: empty" },
		{ "unknown-param", "speed", "1s", "unknown parameter" },
	};
	/* A valid value of each kind, as typed and as written to sysfs. */
	static const struct {
		const char *typed, *written;
	} by_kind[] = {
		[PARAM_BOOL] = { "off", "0" },
		[PARAM_DURATION] = { "1.5s", "1500" },
		[PARAM_COUNT] = { "3", "3" },
		[PARAM_PERCENT] = { "20%", "20" },
	};
	char name[128], got[64], before[16][64], after[64], path[PATH_MAX], want[PATH_MAX + 512];
	const struct param *p;
	size_t i, k;
	int same;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		snprintf(name, sizeof(name), "set/%s", ok[i].label);
		RUN("set", ok[i].param, ok[i].value);
		get(root, ok[i].file, got, sizeof(got));
		result(name, r.status == 0 && !strcmp(got, ok[i].want),
		       "exit %d, file holds '%s', expected '%s'; stderr: %s", r.status, got,
		       ok[i].want, oneline(r.err));
	}
	RUN("set", "reclaim_period", "90m");
	expect_exact("set/text-prints-nothing", 0, "", "");
	RUN("get", "reclaim_period");
	result("set/then-get", !strcmp(r.out, "90m"), "got '%s'", oneline(r.out));

	/* --json: the new value, as get --json and status --json show it. */
	RUN("set", "--json", "reclaim_period", "500ms");
	check_json("set/json");
	expect_exact("set/json-duration", 0, "{\n  \"reclaim_period_ms\": 500\n}", "");
	get(root, "reclaim_period_ms", got, sizeof(got));
	result("set/json-written", !strcmp(got, "500"), "file holds '%s'", got);
	RUN("set", "run", "off", "-j");
	expect_exact("set/json-bool", 0, "{\n  \"run\": false\n}", "");
	RUN("set", "work_threads", "--json", "4");
	expect_exact("set/json-count", 0, "{\n  \"work_threads\": 4\n}", "");
	RUN("set", "dedup_cpu", "--json", "off");
	expect_exact("set/json-percent-off", 0, "{\n  \"dedup_cpu_percent\": 0\n}", "");
	RUN("set", "dedup_cpu", "1.5%");
	expect_exact("set/percent-refused", 2, "",
		     "pprctl: set: invalid percent '1.5%' for dedup_cpu: not a whole number of percent; write e.g. 20% or off; see pprctl set --help");
	RUN("set", "--json", "run", "maybe");
	expect_exact("set/json-refused", 2, "",
		     "pprctl: set: invalid value 'maybe' for run; use on, off, 1 or 0; see pprctl set --help");
	for (i = 0; i < nr_params; i++) {
		p = &params[i];
		RUN("set", "--json", p->name, by_kind[p->kind].typed);
		get(root, p->file, got, sizeof(got));
		snprintf(want, sizeof(want), "{\n  \"%s\": %s\n}", p->file,
			 p->kind == PARAM_BOOL ? "false" : by_kind[p->kind].written);
		snprintf(name, sizeof(name), "set/each/%s", p->name);
		if (strcmp(got, by_kind[p->kind].written))
			result(name, 0, "file holds '%s', expected '%s'", got,
			       by_kind[p->kind].written);
		else
			expect_exact(name, 0, want, "");
	}

	make_tree(root);
	for (k = 0; k < nr_params && k < ARRAY_SIZE(before); k++)
		get(root, params[k].file, before[k], sizeof(before[k]));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(name, sizeof(name), "set-rejects/%s", bad[i].label);
		RUN("set", bad[i].param, bad[i].value);
		for (k = 0, same = 1; k < nr_params && k < ARRAY_SIZE(before); k++) {
			get(root, params[k].file, after, sizeof(after));
			same &= !strcmp(after, before[k]);
		}
		if (!same)
			result(name, 0, "a sysfs file changed");
		else
			expect(name, 2, NULL, bad[i].err_has);
	}

	/* The kernel's verdict comes back from write(); /dev/full gives ENOSPC. */
	snprintf(path, sizeof(path), "%s/work_threads", root);
	unlink(path);
	if (symlink("/dev/full", path)) {
		skip("set/write-error", "cannot make a symlink");
	} else {
		RUN("set", "work_threads", "3");
		expect("set/write-error", 1, NULL, "pprctl: set work_threads 3 (writing 3 to ");
		expect("set/write-error-why", 1, NULL, "No space left on device; ");
		RUN("set", "--json", "work_threads", "3");
		snprintf(want, sizeof(want), "No space left on device; %s",
			 hint(HINT_SYSFS_WRITE, ENOSPC));
		expect("set/json-write-error", 1, NULL, want);
		result("set/json-write-error-no-json", !r.out[0], "stdout: %s", oneline(r.out));
	}
	snprintf(path, sizeof(path), "%s/dedup_cpu_percent", root);
	unlink(path);
	if (symlink("/dev/full", path)) {
		skip("set/percent-write-error", "cannot make a symlink");
	} else {
		RUN("set", "dedup_cpu", "20%");
		snprintf(want, sizeof(want),
			 "pprctl: set dedup_cpu 20%% (writing 20 to %s): %s; %s", path,
			 strerror(ENOSPC), hint(HINT_SYSFS_WRITE_PERCENT, ENOSPC));
		expect_exact("set/percent-write-error", 1, "", want);
	}
	snprintf(path, sizeof(path), "%s/merge_period_ms", root);
	unlink(path);
	RUN("set", "merge_period", "1s");
	expect("set/missing-file", 1, NULL, "does not have this setting");
	expect("set/missing-file-hint", 1, NULL, hint(HINT_SYSFS_WRITE, ENOENT));
	result("set/missing-file-not-created", access(path, F_OK), "set created %s", path);
	make_tree(root);
}

static void test_module_missing(void)
{
	char missing[PATH_MAX], want[PATH_MAX + 128];

	snprintf(missing, sizeof(missing), "%s/no-such-root", tmp);
	snprintf(want, sizeof(want),
		 "pprctl: %s not found: the ppr_pageone module is not loaded; run: modprobe ppr_pageone",
		 missing);
	RUN_ENV(missing, NULL, "status");
	expect("module-missing/status", 1, NULL, want);
	result("module-missing/status-exact", !strcmp(r.err, want) && !r.out[0],
	       "stderr '%s', stdout '%s'", oneline(r.err), oneline(r.out));
	RUN_ENV(missing, NULL, "status", "--json");
	expect("module-missing/status-json", 1, NULL, want);
	RUN_ENV(missing, NULL, "get", "run");
	expect("module-missing/get", 1, NULL, want);
	RUN_ENV(missing, NULL, "set", "run", "on");
	expect("module-missing/set", 1, NULL, want);
	RUN_ENV(missing, NULL, "detach", "--pid", "4242");
	expect("module-missing/detach-pid", 1, NULL, want);

	snprintf(missing, sizeof(missing), "%s/no-such-device", tmp);
	RUN_ENV(root, missing, "attach", "1");
	expect("module-missing/attach", 1, NULL,
	       "No such file or directory; the ppr_pageone module is not loaded; run: modprobe ppr_pageone");
	RUN_ENV(root, missing, "detach", "1");
	expect("module-missing/detach", 1, NULL, "run: modprobe ppr_pageone");
}

static void test_attach_detach(void)
{
	char pid[32], want[512];

	/* /dev/null stands in for the device: it opens, and knows no ioctl. */
	snprintf(pid, sizeof(pid), "%d", getpid());
	RUN_ENV(root, "/dev/null", "attach", pid);
	snprintf(want, sizeof(want),
		 "process %s has no KVM VM fd: is it QEMU running with -accel kvm?", pid);
	expect("attach/no-kvm-fd", 1, NULL, want);
	RUN_ENV(root, "/dev/null", "attach", "99999999");
	expect("attach/no-such-process", 1, NULL, "process 99999999: no such process; check the pid");

	RUN_ENV(root, "/dev/null", "attach", "--json", pid);
	expect_exact("attach/json-error-is-text", 1, "", NULL);
	expect("attach/json-error-why", 1, NULL, "has no KVM VM fd");

	RUN_ENV(root, "/dev/null", "detach", "1");
	expect("detach/wrong-device", 1, NULL, "detach vm 1: ");
	snprintf(want, sizeof(want), "pprctl: detach vm 1: %s; %s", strerror(ENOTTY),
		 hint(HINT_DETACH, ENOTTY));
	expect_exact("detach/wrong-device-hint", 1, "", want);
	RUN_ENV(root, "/dev/null", "detach", "--json", "1");
	expect_exact("detach/json-error-is-text", 1, "", want);
	RUN_ENV(root, "/dev/null", "detach", "--pid", "999");
	expect("detach/pid-no-match", 1, NULL, "no attached VM has vmm_pid 999; see pprctl status");
	RUN_ENV(root, "/dev/null", "detach", "--pid", "4242");
	expect("detach/pid-match", 1, NULL, "detach vm 1: ");
	put(root, "vms/3/vmm_pid", "4242\n");
	RUN_ENV(root, "/dev/null", "detach", "--pid=4242");
	expect("detach/pid-ambiguous", 1, NULL, "2 attached VMs have vmm_pid 4242 (ids 1, 3)");
	make_tree(root);
}

/*
 * Random command lines from pprctl's own words and hostile ones, run against
 * the fake tree with /dev/null as the device: pprctl always exits by itself
 * with 0, 1 or 2, says why when it refuses, never changes a setting it then
 * reports as refused, and prints one JSON object whenever --json succeeds.
 */
static void test_arg_fuzz(void)
{
	static const char *const fixed_words[] = {
		"status", "get", "set", "attach", "detach", "help", "--help", "--version",
		"--json", "-j", "--area", "--name", "--pid", "--pid=", "--area=/dev/null", "--",
		"--json=1", "-jh", "-x", "--js",
		"0", "1", "-1", "2", "64", "65", "on", "off", "10s", "10ms", "1.5s", "600s",
		"1h", "0s", "10", "1e3", "0x10", "99999999999999999999", "18446744073709551616",
		"-0", "+1", "", " ", "10 s", "%s%n%x", "\xff\xfe", "\t", "1\n2", "4242",
		"/dev/null", "vms", "../../etc/passwd",
	};
	/* pprctl's words, and every parameter's name and file from the table. */
	const char *words[ARRAY_SIZE(fixed_words) + 32];
	char junk[4][320], before[16][64], after[64], args_txt[1024];
	const char *args[10];
	unsigned int seed = 20261130, n, i, k, bad = 0, rounds = 600, nr_words = 0;
	unsigned int nr_files = nr_params < ARRAY_SIZE(before) ? nr_params : ARRAY_SIZE(before);
	int json, help, same;

	for (i = 0; i < ARRAY_SIZE(fixed_words); i++)
		words[nr_words++] = fixed_words[i];
	for (i = 0; i < nr_params && nr_words + 2 <= ARRAY_SIZE(words); i++) {
		words[nr_words++] = params[i].name;
		if (strcmp(params[i].name, params[i].file))
			words[nr_words++] = params[i].file;
	}
	make_tree(root);
	for (k = 0; k < nr_files; k++)
		get(root, params[k].file, before[k], sizeof(before[k]));
	for (n = 0; n < rounds && bad < 5; n++) {
		unsigned int argc = rand_r(&seed) % 7;

		json = help = 0;
		args_txt[0] = '\0';
		for (i = 0; i < argc; i++) {
			unsigned int pick = rand_r(&seed) % (nr_words + 4);

			if (pick < nr_words) {
				args[i] = words[pick];
			} else {
				/* A word of random bytes, up to 300 long. */
				char *j = junk[pick - nr_words];
				unsigned int len = rand_r(&seed) % 300, b;

				for (b = 0; b < len; b++)
					j[b] = 1 + rand_r(&seed) % 255;
				j[len] = '\0';
				args[i] = j;
			}
			json |= !strcmp(args[i], "--json") || !strcmp(args[i], "-j") ||
				!strcmp(args[i], "--js");
			help |= !strcmp(args[i], "--help") || !strcmp(args[i], "-jh");
			snprintf(args_txt + strlen(args_txt), sizeof(args_txt) - strlen(args_txt),
				 "%s'%.20s'", i ? " " : "", args[i]);
		}
		args[argc] = NULL;
		run_env(root, "/dev/null", args);
		for (k = 0, same = 1; k < nr_files; k++) {
			get(root, params[k].file, after, sizeof(after));
			same &= !strcmp(after, before[k]);
		}
		if (r.status > 2) {
			result("fuzz/exits-cleanly", 0, "pprctl %s: exit status %d", oneline(args_txt),
			       r.status);
			bad++;
		} else if (r.status && !r.err[0]) {
			result("fuzz/says-why", 0, "pprctl %s: exit %d with nothing on stderr",
			       oneline(args_txt), r.status);
			bad++;
		} else if (r.status == 2 && (strchr(r.err, '\n') ||
					     strncmp(r.err, "pprctl: ", 8) ||
					     !strstr(r.err, "; see pprctl "))) {
			result("fuzz/usage-error-one-line", 0, "pprctl %s: exit 2 with '%s'",
			       oneline(args_txt), oneline(r.err));
			bad++;
		} else if (r.status && r.out[0]) {
			result("fuzz/error-no-stdout", 0, "pprctl %s: exit %d, stdout '%s'",
			       oneline(args_txt), r.status, oneline(r.out));
			bad++;
		} else if (r.status && !same) {
			result("fuzz/refused-changes-nothing", 0, "pprctl %s: exit %d, a setting changed",
			       oneline(args_txt), r.status);
			bad++;
		} else if (!r.status && json && !help && argc && (!strcmp(args[0], "status") ||
			   !strcmp(args[0], "get") || !strcmp(args[0], "set")) &&
			   !json_valid_object(r.out)) {
			result("fuzz/json-valid", 0, "pprctl %s: not one JSON object: %s",
			       oneline(args_txt), oneline(r.out));
			bad++;
		}
		if (!same)
			make_tree(root);
	}
	result("fuzz/command-lines", !bad, "%u of %u command lines misbehaved", bad, n);
	make_tree(root);
}

/* 1 if the man page text sets word in bold: ".B word" or ".BR word ,". */
static int man_has_bold(const char *text, const char *word)
{
	char a[128], b[128];

	snprintf(a, sizeof(a), "\n.B %s\n", word);
	snprintf(b, sizeof(b), "\n.BR %s ", word);
	return strstr(text, a) || strstr(text, b);
}

/* The man page is written by hand: check it against the code's tables. */
static void test_man_contents(const char *man)
{
	static const char *const cmds[] = { "status", "get", "set", "attach", "detach",
					    "replace-ksm", "restore-ksm" };
	char text[65536], name[128], want[256];
	size_t i, n;
	FILE *f;

	f = man ? fopen(man, "r") : NULL;
	if (!f) {
		skip("man-page-contents", "no man page given");
		return;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		char roff[64];	/* the name as roff writes it: "-" as "\-" */
		size_t k, r = 0;

		for (k = 0; cmds[i][k] && r < sizeof(roff) - 3; k++) {
			if (cmds[i][k] == '-')
				roff[r++] = '\\';
			roff[r++] = cmds[i][k];
		}
		roff[r] = '\0';
		snprintf(name, sizeof(name), "man-page/synopsis-json/%s", cmds[i]);
		snprintf(want, sizeof(want), ".B pprctl %s\n.RB [ \\-\\-json ]\n", roff);
		result(name, strstr(text, want) != NULL, "no '%s' in the SYNOPSIS", oneline(want));
	}
	for (i = 0; i < nr_params; i++) {
		snprintf(name, sizeof(name), "man-page/param/%s", params[i].name);
		result(name, man_has_bold(text, params[i].name), "no .B %s", params[i].name);
		snprintf(name, sizeof(name), "man-page/param-file/%s", params[i].file);
		result(name, man_has_bold(text, params[i].file), "no .B %s", params[i].file);
	}
	result("man-page/usage-errors", strstr(text, "see pprctl get \\-\\-help") != NULL,
	       "EXIT STATUS does not show a usage error");
}

static void test_man_page(const char *man)
{
	char cmd[PATH_MAX + 128];

	if (!man) {
		skip("man-page", "no man page given");
		return;
	}
	if (system("command -v groff >/dev/null 2>&1")) {
		skip("man-page", "no groff");
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "groff -man -Tascii -ww -P-bcu '%s' 2>'%s/groff.err' | grep -q '^EXIT STATUS' && test ! -s '%s/groff.err'",
		 man, tmp, tmp);
	result("man-page", !system(cmd), "groff warns or fails on %s (see %s/groff.err)", man, tmp);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PPRCTL_BINARY [MAN_PAGE]\n", argv[0]);
		return 2;
	}
	pprctl = argv[1];
	/* Our scratch path must not contain "ppr": the area scan looks for it. */
	do {
		snprintf(tmp, sizeof(tmp), "/tmp/ctl-test.XXXXXX");
		if (!mkdtemp(tmp)) {
			perror("mkdtemp");
			return 1;
		}
		if (strstr(tmp, "ppr"))
			rmdir(tmp);
	} while (strstr(tmp, "ppr"));
	snprintf(root, sizeof(root), "%s/sysfs", tmp);
	make_tree(root);

	test_durations();
	test_percents();
	test_formats();
	test_json_strings();
	test_vm_names();
	test_area_scan();
	test_attach_output();
	test_hints();
	test_cli();
	if (argc > 2) {
		char *slash;

		snprintf(srcdir, sizeof(srcdir), "%s", argv[2]);
		slash = strrchr(srcdir, '/');
		if (slash)
			*slash = 0;
		else
			snprintf(srcdir, sizeof(srcdir), ".");
	}
	test_promcheck();
	test_status();
	test_top();
	test_watch();
	test_restore_ksm();
	test_get();
	test_set();
	test_module_missing();
	test_attach_detach();
	test_arg_fuzz();
	test_man_contents(argc > 2 ? argv[2] : NULL);
	test_man_page(argc > 2 ? argv[2] : NULL);

	if (!failed)
		rm_rf(tmp);
	else
		printf("# scratch files kept in %s\n", tmp);
	if (skipped)
		printf("# %d skipped\n", skipped);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
