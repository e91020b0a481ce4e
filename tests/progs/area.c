// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "area.h"

int area_open(struct area *a, const char *file)
{
	const volatile struct ppr_area_header *h;
	struct stat st;
	void *p;
	int fd;

	memset(a, 0, sizeof(*a));
	fd = open(file, O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		return -1;
	}
	a->size = st.st_size;
	if (!a->size) /* sysfs resource files report 4096; use the BAR size */
		a->size = 4096;
	p = mmap(NULL, a->size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		fprintf(stderr, "mmap %s: %s\n", file, strerror(errno));
		return -1;
	}
	a->base = p;
	a->hdr = h = p;
	if (h->magic != PPR_AREA_MAGIC || h->version != PPR_AREA_VERSION) {
		fprintf(stderr, "%s: not a PPR area v%u (magic %#x version %u)\n",
			file, PPR_AREA_VERSION, h->magic, h->version);
		return -1;
	}
	if (h->mark_offset < sizeof(*h) || h->mark_offset % 8 ||
	    (uint64_t)h->mark_offset + h->mark_size > a->size ||
	    h->mark_size < (h->nr_pfns + 63) / 64 * 8) {
		fprintf(stderr, "%s: header out of bounds (mark %u+%u, %llu PFNs, file %zu bytes)\n",
			file, h->mark_offset, h->mark_size,
			(unsigned long long)h->nr_pfns, a->size);
		return -1;
	}
	a->mark = (const volatile uint64_t *)(a->base + h->mark_offset);
	a->nr_pfns = h->nr_pfns;
	return 0;
}

int area_marked(const struct area *a, uint64_t pfn)
{
	if (pfn >= a->nr_pfns)
		return -1;
	return (a->mark[pfn / 64] >> (pfn % 64)) & 1;
}

uint64_t area_weight(const struct area *a)
{
	uint64_t i, n = 0;

	for (i = 0; i < (a->nr_pfns + 63) / 64; i++)
		n += __builtin_popcountll(a->mark[i]);
	return n;
}
