// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl top: a live view of the attached VMs for a terminal. Every
 * interval, one row per VM: the memory recycled from it per second since
 * the last frame, in all, its VMM's memory that KSM pages back (PageONE's
 * merges, /proc/PID/ksm_merging_pages) and its VMM's resident memory.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hint.h"
#include "opt.h"
#include "pprctl.h"
#include "sysfs.h"
#include "units.h"
#include "vms.h"

#define PAGE_BYTES	4096ULL

/* A VM's recycled pages at the last frame, to tell its rate. */
struct seen {
	char id[256];
	uint64_t recycled;
};

static int vm_u64(const struct vm *vm, const char *file, uint64_t *v)
{
	const struct sysfs_attr *a = vm_attr(vm, file);

	return !a || a->err || parse_u64(a->value, v) ? -1 : 0;
}

/* A number from the file /proc/@pid/@file, after @key if not NULL. */
static int proc_u64(uint64_t pid, const char *file, const char *key, uint64_t *v)
{
	char path[64], line[256];
	size_t klen = key ? strlen(key) : 0;
	int found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%" PRIu64 "/%s", pid, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		if (key && strncmp(line, key, klen))
			continue;
		found = sscanf(line + klen, "%" SCNu64, v) == 1 ? 0 : -1;
		if (!key)
			break;
	}
	fclose(f);
	return found;
}

static void cell_size(uint64_t bytes, int ok, char *buf, size_t size)
{
	if (ok)
		format_size(bytes, buf, size);
	else
		snprintf(buf, size, "-");
}

static const struct seen *find_seen(const struct seen *seen, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(seen[i].id, id))
			return &seen[i];
	return NULL;
}

/*
 * One frame: the VMs of @vms, rates against @prev (@nprev entries, taken
 * @elapsed_ms ago; none on the first frame). Fills @next with this frame's
 * counts (as many entries as @vms).
 */
static void frame(const struct vm *vms, size_t nr, const struct seen *prev, size_t nprev,
		  uint64_t elapsed_ms, uint64_t interval_ms, struct seen *next)
{
	char rate[48], total[32], merged[32], rss[32], every[32], name[24], state[16];
	uint64_t rec = 0, pid, v, kib, all = 0;
	const struct sysfs_attr *a;
	const struct seen *s;
	int have_rate = 0, ok;
	size_t i;

	printf("pprctl top: %zu VM%s attached; every %s; Ctrl-C ends it\n", nr, nr == 1 ? "" : "s",
	       format_duration_ms(interval_ms, every, sizeof(every)));
	printf("%-6s %-16s %-8s %-9s %12s %12s %12s %12s\n", "ID", "NAME", "PID", "STATE",
	       "RECYCLED/s", "RECYCLED", "MERGED", "RSS");
	for (i = 0; i < nr; i++) {
		snprintf(next[i].id, sizeof(next[i].id), "%s", vms[i].id);
		next[i].recycled = 0;
		snprintf(rate, sizeof(rate), "-");
		if (!vm_u64(&vms[i], "recycled_pages", &rec)) {
			next[i].recycled = rec;
			s = find_seen(prev, nprev, vms[i].id);
			if (s && elapsed_ms && rec >= s->recycled) {
				v = (rec - s->recycled) * PAGE_BYTES * 1000 / elapsed_ms;
				all += v;
				have_rate = 1;
				format_size(v, rate, sizeof(rate));
				strcat(rate, "/s");
			}
		}
		ok = !vm_u64(&vms[i], "recycled_pages", &rec);
		cell_size(ok ? rec * PAGE_BYTES : 0, ok, total, sizeof(total));
		pid = 0;
		vm_u64(&vms[i], "vmm_pid", &pid);
		ok = pid && !proc_u64(pid, "ksm_merging_pages", NULL, &v);
		cell_size(ok ? v * PAGE_BYTES : 0, ok, merged, sizeof(merged));
		ok = pid && !proc_u64(pid, "status", "VmRSS:", &kib);
		cell_size(ok ? kib * 1024 : 0, ok, rss, sizeof(rss));
		a = vm_attr(&vms[i], "name");
		/* Cut to the column: a long name is shown by status. */
		snprintf(name, sizeof(name), "%.*s", (int)sizeof(name) - 1,
			 a && !a->err ? a->value : "-");
		sysfs_sanitize(name);
		a = vm_attr(&vms[i], "state");
		snprintf(state, sizeof(state), "%.*s", (int)sizeof(state) - 1,
			 a && !a->err ? a->value : "-");
		sysfs_sanitize(state);
		printf("%-6s %-16s %-8" PRIu64 " %-9s %12s %12s %12s %12s\n", vms[i].id, name, pid,
		       state, rate, total, merged, rss);
	}
	if (have_rate) {
		format_size(all, rate, sizeof(rate));
		printf("all VMs: %s/s recycled\n", rate);
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cmd_top(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		OPT_HELP, OPT_TABLE_END
	};
	uint64_t interval_ms = 2000, count = 0, frames, t, last = 0;
	struct seen *prev = NULL, *next;
	size_t nprev = 0, nr;
	const char *arg;
	struct vm *vms;
	struct opts o;
	int c, err, tty;

	opt_start(&o, "top", argc, argv, "i:n:h", longopts);
	while ((c = opt_next(&o, &arg)) != OPT_DONE) {
		if (c == 'i') {
			opt_interval(&o, arg, &interval_ms);
		} else if (c == 'n') {
			if (parse_u64(arg, &count) || !count)
				opt_error(&o, "--count '%s': want a whole number of frames, 1 or more", arg);
		} else if (c == OPT_ARG) {
			opt_error(&o, "unexpected argument '%s'; top takes none", arg);
		}
	}
	err = opt_end(&o);
	if (err)
		return err;
	if (sysfs_check_root())
		return EXIT_FAIL;
	tty = isatty(STDOUT_FILENO);
	for (frames = 0; !count || frames < count; frames++) {
		if (frames)
			usleep(interval_ms * 1000);
		if (sysfs_check_root()) {
			free(prev);
			return EXIT_FAIL;
		}
		err = vms_load(&vms, &nr);
		if (err) {
			pr_errno(HINT_SYSFS_READ, -err, "listing %s/vms", sysfs_root());
			free(prev);
			return EXIT_FAIL;
		}
		next = calloc(nr ? nr : 1, sizeof(*next));
		if (!next) {
			vms_free(vms, nr);
			free(prev);
			pr_err("out of memory");
			return EXIT_FAIL;
		}
		t = now_ms();
		if (tty)
			fputs("\033[H\033[2J", stdout);
		else if (frames)
			putchar('\n');
		frame(vms, nr, prev, nprev, frames ? t - last : 0, interval_ms, next);
		fflush(stdout);
		last = t;
		free(prev);
		prev = next;
		nprev = nr;
		vms_free(vms, nr);
	}
	free(prev);
	return EXIT_OK;
}
