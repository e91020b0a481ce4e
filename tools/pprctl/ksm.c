// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl replace-ksm, restore-ksm: hand a host's page merging from ksmd to
 * ppr_pageone, and back (docs/deploy.md).
 *
 * replace-ksm [PARAM VALUE]...
 *   1. Every PARAM VALUE is checked first, as pprctl set checks it, so that
 *      a typo changes nothing on the host.
 *   2. ksmtuned, if it runs, is stopped (systemctl stop ksmtuned): it would
 *      go on writing /sys/kernel/mm/ksm/run behind PageONE's back. One that
 *      runs outside systemd is an error: the operator stops it. A file in
 *      the state folder records that replace-ksm stopped it.
 *   3. modprobe ppr_pageone, unless it is loaded: PageONE takes scanning
 *      over from ksmd, and what ksmd merged stays merged.
 *   4. The settings are written, in the order given.
 *   5. Every running VMM with a mark area is attached (pprctl watch --once).
 * restore-ksm
 *   modprobe -r ppr_pageone (the module detaches its VMs and gives scanning
 *   back to ksmd with its run setting), then ksmtuned is started again if
 *   replace-ksm stopped it.
 * Each step prints a line; the first that fails stops the command, and its
 * message says what was done before it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json.h"
#include "opt.h"
#include "param.h"
#include "pprctl.h"
#include "sysfs.h"
#include "units.h"

#define MODULE		"ppr_pageone"
#define MAX_SETTINGS	16
#define KSMTUNED_STOPPED	"ksmtuned-stopped"

/* The folder of replace-ksm's record: PPR_STATE_DIR, else /run/pprctl. */
static const char *state_dir(void)
{
	const char *env = getenv("PPR_STATE_DIR");

	return env && *env ? env : "/run/pprctl";
}

static void state_path(char *buf, size_t size)
{
	snprintf(buf, size, "%s/" KSMTUNED_STOPPED, state_dir());
}

/* The pid of a process named ksmtuned, or 0. */
static int ksmtuned_pid(void)
{
	char path[300], comm[32];
	struct dirent *de;
	int pid = 0;
	uint64_t v;
	DIR *proc;
	FILE *f;

	proc = opendir("/proc");
	if (!proc)
		return 0;
	while (!pid && (de = readdir(proc))) {
		if (parse_u64(de->d_name, &v) || v > INT_MAX)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, "ksmtuned\n"))
			pid = (int)v;
		fclose(f);
	}
	closedir(proc);
	return pid;
}

/*
 * Run @argv (searched in PATH) and wait for it. Its stdout goes to our
 * stderr when @to_stderr (so that --json output stays one object). Its exit
 * status, 127 if it could not be run.
 */
static int run(char *const argv[], int to_stderr)
{
	pid_t child;
	int st;

	fflush(stdout);
	child = fork();
	if (child < 0)
		return 127;
	if (!child) {
		if (to_stderr)
			dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "pprctl: running %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(child, &st, 0) < 0)
		return 127;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int systemd_runs(void)
{
	struct stat st;

	return !stat("/run/systemd/system", &st) && S_ISDIR(st.st_mode);
}

/* Step 2. 0: ksmtuned is not running (*stopped says whether we stopped it). */
static int stop_ksmtuned(int json, int *stopped)
{
	char *const stop[] = { "systemctl", "stop", "ksmtuned.service", NULL };
	char path[PATH_MAX];
	int pid = ksmtuned_pid(), i;
	FILE *f;

	*stopped = 0;
	if (!pid)
		return 0;
	if (!systemd_runs()) {
		pr_err("replace-ksm: ksmtuned (pid %d) runs, and not under systemd; stop it first (kill %d): it would keep writing /sys/kernel/mm/ksm/run behind PageONE's back. Nothing was changed",
		       pid, pid);
		return -1;
	}
	if (run(stop, json)) {
		pr_err("replace-ksm: systemctl stop ksmtuned.service failed (above); stop ksmtuned (pid %d) first. Nothing was changed",
		       pid);
		return -1;
	}
	for (i = 0; i < 50 && ksmtuned_pid(); i++)
		usleep(100000);
	pid = ksmtuned_pid();
	if (pid) {
		pr_err("replace-ksm: ksmtuned (pid %d) still runs after systemctl stop ksmtuned.service; stop it first. Nothing else was changed",
		       pid);
		return -1;
	}
	*stopped = 1;
	state_path(path, sizeof(path));
	mkdir(state_dir(), 0755);
	f = fopen(path, "w");
	if (!f || fclose(f))
		fprintf(stderr, "pprctl: replace-ksm: could not record that ksmtuned was stopped (%s: %s); restore-ksm will not start it again: systemctl start ksmtuned\n",
			path, strerror(errno));
	return 0;
}

static void say(int json, const char *fmt, const char *arg)
{
	if (json)
		return;
	printf("pprctl: ");
	printf(fmt, arg);
	printf("\n");
}

int cmd_replace_ksm(int argc, char **argv)
{
	static const struct option longopts[] = { OPT_JSON, OPT_HELP, OPT_TABLE_END };
	const struct param *p[MAX_SETTINGS];
	char *const modprobe[] = { "modprobe", MODULE, NULL };
	char *const attach[] = { "/proc/self/exe", "watch", "--once", NULL };
	const char *arg, *words[2 * MAX_SETTINGS];
	uint64_t v[MAX_SETTINGS], vms = 0;
	int c, err, json = 0, n = 0, stopped, loaded;
	char scanner[32] = "";
	struct opts o;
	struct json j;
	FILE *f;

	opt_start(&o, "replace-ksm", argc, argv, "jh", longopts);
	while ((c = opt_next(&o, &arg)) != OPT_DONE) {
		if (c == 'j')
			json = 1;
		else if (c == OPT_ARG && n == 2 * MAX_SETTINGS)
			opt_error(&o, "more than %d settings", MAX_SETTINGS);
		else if (c == OPT_ARG)
			words[n++] = arg;
	}
	if (n % 2)
		opt_error(&o, "%s has no value; give PARAM VALUE pairs", words[n - 1]);
	err = opt_end(&o);
	if (err)
		return err;
	for (c = 0; c < n / 2; c++)
		if (param_parse("replace-ksm", words[2 * c], words[2 * c + 1], &p[c], &v[c]))
			return EXIT_USAGE;
	n /= 2;

	if (stop_ksmtuned(json, &stopped))
		return EXIT_FAIL;
	say(json, "ksmtuned: %s", stopped ? "stopped (restore-ksm starts it again)" : "not running");
	loaded = !sysfs_root_state();
	if (!loaded && run(modprobe, json)) {
		pr_err("replace-ksm: modprobe " MODULE " failed (above)%s; ksmd goes on merging",
		       stopped ? "; ksmtuned was stopped: systemctl start ksmtuned" : "");
		return EXIT_FAIL;
	}
	if (sysfs_check_root())
		return EXIT_FAIL;
	say(json, MODULE ": %s", loaded ? "was loaded already" : "loaded");
	for (c = 0; c < n; c++) {
		if (param_write(p[c], v[c]))
			return EXIT_FAIL;
	}
	if (run(attach, json))
		fprintf(stderr, "pprctl: replace-ksm: attaching the running VMMs failed (above); pprctl attach PID takes one by hand\n");
	sysfs_read_u64("stats/attached_vms", &vms);
	f = fopen("/sys/kernel/mm/ksm/scanner", "r");
	if (f) {
		if (fgets(scanner, sizeof(scanner), f))
			scanner[strcspn(scanner, "\n")] = 0;
		fclose(f);
	}
	if (json) {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_bool(&j, "ksmtuned_stopped", stopped);
		json_bool(&j, "module_was_loaded", loaded);
		json_str(&j, "ksm_scanner", scanner);
		json_u64(&j, "attached_vms", vms);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		printf("pprctl: KSM's scanner: %s; VMs attached: %" PRIu64 "\n",
		       scanner[0] ? scanner : "unknown", vms);
	}
	return EXIT_OK;
}

int cmd_restore_ksm(int argc, char **argv)
{
	static const struct option longopts[] = { OPT_JSON, OPT_HELP, OPT_TABLE_END };
	char *const modprobe[] = { "modprobe", "-r", MODULE, NULL };
	char *const start[] = { "systemctl", "start", "ksmtuned.service", NULL };
	int c, err, json = 0, unloaded = 0, started = 0;
	char path[PATH_MAX];
	const char *arg;
	struct opts o;
	struct json j;

	opt_start(&o, "restore-ksm", argc, argv, "jh", longopts);
	while ((c = opt_next(&o, &arg)) != OPT_DONE) {
		if (c == 'j')
			json = 1;
		else if (c == OPT_ARG)
			opt_error(&o, "unexpected argument '%s'; restore-ksm takes none", arg);
	}
	err = opt_end(&o);
	if (err)
		return err;
	if (!sysfs_root_state()) {
		if (run(modprobe, json) || !sysfs_root_state()) {
			pr_err("restore-ksm: modprobe -r " MODULE " failed (above); PageONE still merges and ksmtuned was not started");
			return EXIT_FAIL;
		}
		unloaded = 1;
	}
	say(json, MODULE ": %s", unloaded ? "unloaded; ksmd merges again" : "was not loaded");
	state_path(path, sizeof(path));
	if (!access(path, F_OK)) {
		if (!systemd_runs()) {
			pr_err("restore-ksm: replace-ksm stopped ksmtuned, but systemd does not run now; start ksmtuned by hand, then remove %s",
			       path);
			return EXIT_FAIL;
		}
		if (run(start, json)) {
			pr_err("restore-ksm: systemctl start ksmtuned.service failed (above); start ksmtuned by hand, then remove %s",
			       path);
			return EXIT_FAIL;
		}
		unlink(path);
		started = 1;
	}
	say(json, "ksmtuned: %s", started ? "started again" : "left as it is (replace-ksm did not stop it)");
	if (json) {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_bool(&j, "module_unloaded", unloaded);
		json_bool(&j, "ksmtuned_started", started);
		json_obj_end(&j);
		json_finish(&j);
	}
	return EXIT_OK;
}
