// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl watch: attach every VMM that has a mark area, as it starts. Each
 * interval, a process with exactly one KVM VM fd and a mark area among its
 * shared mappings (the area scan of pprctl attach), that no attached VM
 * names as its VMM, is attached by "pprctl attach PID" run as a child, so
 * that the checks and messages are attach's own. The module detaches a VM
 * by itself when its VMM exits; a VMM started again on the same area is a
 * new process and is attached again, and the recycler does not trust its
 * area until its new guest announces (docs/recycler.md).
 *
 * What it does goes to stdout, one line each, for the journal: attaches,
 * the first failure of each process (a VMM that has created its VM but not
 * yet mapped its area fails once, then is attached a period later: it is
 * tried again every period, quietly), VMMs gone, and the module's absence.
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

#include "opt.h"
#include "pprctl.h"
#include "sysfs.h"
#include "units.h"
#include "vms.h"

#define MAX_TRACKED	4096

/* A set of pids. */
struct tracked {
	int pid[MAX_TRACKED];
	size_t nr;
};

static int tracked_has(const struct tracked *t, int pid)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (t->pid[i] == pid)
			return 1;
	return 0;
}

static void tracked_add(struct tracked *t, int pid)
{
	if (!tracked_has(t, pid) && t->nr < MAX_TRACKED)
		t->pid[t->nr++] = pid;
}

static void tracked_del(struct tracked *t, int pid)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (t->pid[i] == pid) {
			t->pid[i] = t->pid[--t->nr];
			return;
		}
}

static int alive(int pid)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d", pid);
	return !access(path, F_OK);
}

/* The VMM pids of the attached VMs into @t; 0 or -errno. */
static int attached_pids(struct tracked *t)
{
	const struct sysfs_attr *a;
	struct vm *vms;
	size_t nr, i;
	uint64_t pid;
	int err;

	t->nr = 0;
	err = vms_load(&vms, &nr);
	if (err)
		return err;
	for (i = 0; i < nr; i++) {
		a = vm_attr(&vms[i], "vmm_pid");
		if (a && !a->err && !parse_u64(a->value, &pid) && pid <= INT_MAX)
			tracked_add(t, (int)pid);
	}
	vms_free(vms, nr);
	return 0;
}

/* 1 if process @pid looks like a VMM with a mark area: attach would take it. */
static int is_candidate(int pid)
{
	struct area_scan scan;
	int fds[2];

	if (find_vm_fds(pid, fds, 2) != 1)
		return 0;
	return !area_scan(pid, &scan) && scan.nr > 0;
}

/* "pprctl attach PID" as a child; @quiet sends its stderr to /dev/null. Its exit status. */
static int run_attach(int pid, int quiet)
{
	char arg[16];
	pid_t child;
	int st, fd;

	snprintf(arg, sizeof(arg), "%d", pid);
	fflush(stdout);
	child = fork();
	if (child < 0)
		return -1;
	if (!child) {
		if (quiet) {
			fd = open("/dev/null", O_WRONLY);
			if (fd >= 0)
				dup2(fd, STDERR_FILENO);
		}
		execl("/proc/self/exe", "pprctl", "attach", arg, (char *)NULL);
		_exit(127);
	}
	if (waitpid(child, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * The state of a watch: the pids it attached (to say when they are gone),
 * failed to attach (to say so once), and left alone: a VM detached while
 * its VMM runs was detached on purpose (pprctl detach), so it is not taken
 * back, until the module is loaded again (its sysfs folder is then a new
 * one: another inode).
 */
struct watch {
	struct tracked mine, failed, left;
	ino_t root_ino;
};

/* One look at every process. Returns the number attached. */
static int scan_once(struct watch *w)
{
	struct tracked *mine = &w->mine, *failed = &w->failed, *left = &w->left;
	static struct tracked attached;
	int pid, n = 0, self = getpid();
	struct dirent *de;
	struct stat st;
	uint64_t v;
	size_t i;
	DIR *proc;

	if (stat(sysfs_root(), &st) || attached_pids(&attached))
		return 0;
	if (st.st_ino != w->root_ino) {
		w->root_ino = st.st_ino;
		left->nr = 0;
		mine->nr = 0;
	}
	for (i = 0; i < mine->nr; i++) {
		pid = mine->pid[i];
		if (tracked_has(&attached, pid))
			continue;
		if (alive(pid)) {
			printf("pprctl watch: the VM of pid %d was detached while it runs: left alone (pprctl attach %d takes it back)\n",
			       pid, pid);
			tracked_add(left, pid);
		} else {
			printf("pprctl watch: pid %d exited; the module detached its VM\n", pid);
		}
		tracked_del(mine, pid);
		i--;
	}
	for (i = 0; i < left->nr; i++)
		if (!alive(left->pid[i]))
			tracked_del(left, left->pid[i--]);
	for (i = 0; i < failed->nr; i++)
		if (!alive(failed->pid[i]))
			tracked_del(failed, failed->pid[i--]);
	proc = opendir("/proc");
	if (!proc)
		return 0;
	while ((de = readdir(proc))) {
		if (parse_u64(de->d_name, &v) || v > INT_MAX)
			continue;
		pid = (int)v;
		if (pid == self || tracked_has(&attached, pid) || tracked_has(left, pid) ||
		    !is_candidate(pid))
			continue;
		if (!run_attach(pid, tracked_has(failed, pid))) {
			tracked_del(failed, pid);
			tracked_add(mine, pid);
			n++;
		} else if (!tracked_has(failed, pid)) {
			printf("pprctl watch: attaching pid %d failed (above); trying again every period\n",
			       pid);
			tracked_add(failed, pid);
		}
	}
	closedir(proc);
	fflush(stdout);
	return n;
}

int cmd_watch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, '1' },
		OPT_HELP, OPT_TABLE_END
	};
	static struct watch w;
	uint64_t interval_ms = 2000;
	int c, err, once = 0, waiting = 0;
	const char *arg;
	struct opts o;

	opt_start(&o, "watch", argc, argv, "i:h", longopts);
	while ((c = opt_next(&o, &arg)) != OPT_DONE) {
		if (c == 'i')
			opt_interval(&o, arg, &interval_ms);
		else if (c == '1')
			once = 1;
		else if (c == OPT_ARG)
			opt_error(&o, "unexpected argument '%s'; watch takes none", arg);
	}
	err = opt_end(&o);
	if (err)
		return err;
	if (once) {
		if (sysfs_check_root())
			return EXIT_FAIL;
		scan_once(&w);
		return EXIT_OK;
	}
	printf("pprctl watch: attaching every VMM with a mark area, every %" PRIu64 " ms\n",
	       interval_ms);
	for (;;) {
		if (sysfs_root_state()) {
			if (!waiting)
				printf("pprctl watch: %s not found: the module is not loaded; waiting for it (modprobe ppr_pageone)\n",
				       sysfs_root());
			waiting = 1;
		} else {
			if (waiting)
				printf("pprctl watch: the module is loaded\n");
			waiting = 0;
			scan_once(&w);
		}
		fflush(stdout);
		usleep(interval_ms * 1000);
	}
}
