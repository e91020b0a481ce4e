/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pprctl status --prometheus: the module's settings, statistics and VMs in
 * Prometheus' text exposition format.
 */
#ifndef PPRCTL_PROM_H
#define PPRCTL_PROM_H

#include <stddef.h>
#include <stdio.h>

#include "vms.h"

/*
 * Write the metrics to @f. @loaded 0: the module is not loaded, and only
 * ppr_module_loaded 0 is written. Returns 0 or -errno of the write.
 */
int prom_write(FILE *f, int loaded, const struct vm *vms, size_t nr);

/*
 * The same into @path for node_exporter's textfile collector: written to a
 * temporary file in the same folder and renamed over @path, so that a
 * scrape never reads half a file; mode 0644. Returns 0 or -errno.
 */
int prom_write_file(const char *path, int loaded, const struct vm *vms, size_t nr);

#endif /* PPRCTL_PROM_H */
