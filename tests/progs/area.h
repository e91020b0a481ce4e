/* SPDX-License-Identifier: GPL-2.0 */
/* Read-only access to a PPR mark area from userspace, for the tests. */
#ifndef PPR_TESTS_AREA_H
#define PPR_TESTS_AREA_H

#include <stdint.h>
#include <stddef.h>
#include <linux/ppr.h>

struct area {
	const volatile uint8_t *base;
	size_t size;
	const volatile struct ppr_area_header *hdr;
	const volatile uint64_t *mark;
	uint64_t nr_pfns;
};

/* Map FILE (a shared-memory file or a PCI resource) and check its header.
 * Returns 0, or -1 with a message on stderr. */
int area_open(struct area *a, const char *file);
int area_marked(const struct area *a, uint64_t pfn);
uint64_t area_weight(const struct area *a);

#endif
