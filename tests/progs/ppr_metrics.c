// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl status --prometheus against the module, with a VM attached (a
 * VMM with no vCPU, tests/progs/fakevm.h) that has had 512 pages recycled:
 * the VM's series carry its id and name, its recycled pages are the
 * sysfs count at the time, its info carries this process's pid and its
 * state, its KSM-merged pages come from this process's /proc, and the
 * settings are in seconds. Prints PPR-TAP lines under metrics/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakevm.h"

#define T(ok, name, ...) tap_check(ok, "metrics", name, __VA_ARGS__)

static char out[1 << 16];

/* pprctl status --prometheus into out; its exit status. */
static int scrape(void)
{
	size_t n;
	FILE *p;

	p = popen("pprctl status --prometheus", "r");
	if (!p)
		die("popen pprctl");
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	return pclose(p);
}

/* The value of the sample line that begins with @series, or -1. */
static long sample(const char *series)
{
	char *line = out;
	size_t len = strlen(series);

	while (line && *line) {
		if (!strncmp(line, series, len) && line[len] == ' ')
			return strtol(line + len + 1, NULL, 10);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

int main(void)
{
	char series[256], info[256];
	long before, after, got;
	struct fakevm f;
	int status;

	fakevm_create(&f, "metrics", 1024);
	fakevm_fill(&f);
	fakevm_attach(&f);
	fakevm_layout(&f);
	fakevm_announce(&f, 1);
	fakevm_mark(&f, 0, 512);
	for (before = 0; before < 512; before = fakevm_read(&f, "recycled_pages", NULL, 0))
		fakevm_wait_passes(&f, 1);

	before = fakevm_read(&f, "recycled_pages", NULL, 0);
	status = scrape();
	after = fakevm_read(&f, "recycled_pages", NULL, 0);
	T(status == 0 && sample("ppr_module_loaded") == 1, "loaded", "exit status %d", status);
	snprintf(series, sizeof(series), "ppr_vm_recycled_pages_total{vm=\"%d\",name=\"metrics\"}", f.id);
	got = sample(series);
	T(got >= before && got <= after && got >= 512, "vm-recycled-pages",
	  "%s %ld, sysfs %ld before and %ld after", series, got, before, after);
	snprintf(info, sizeof(info),
		 "ppr_vm_info{vm=\"%d\",name=\"metrics\",vmm_pid=\"%d\",state=\"active\"}",
		 f.id, (int)getpid());
	T(sample(info) == 1, "vm-info", "%s %ld", info, sample(info));
	snprintf(series, sizeof(series), "ppr_vm_ksm_merging_pages{vm=\"%d\",name=\"metrics\"}", f.id);
	T(sample(series) == 0, "vm-merging-pages", "%s %ld (nothing of this process is mergeable)",
	  series, sample(series));
	T(strstr(out, "\nppr_reclaim_period_seconds 0.020\n") != NULL, "reclaim-period-seconds",
	  "want the line 'ppr_reclaim_period_seconds 0.020' (the module was loaded with 20 ms)");
	if (tap_failed)
		fputs(out, stderr);
	return tap_failed ? 1 : 0;
}
