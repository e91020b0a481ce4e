// SPDX-License-Identifier: GPL-2.0
/*
 * numbered_pages FILE PAGES: write PAGES pages of 4096 bytes to FILE, page
 * N holding the text "N\n" repeated: each page differs from every other in
 * the file, and the file is the same in every guest that writes it. A
 * page at a time, so that a nested guest spends its time in its page
 * cache, not in formatting a line per number (busybox seq).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char page[4096], num[24];
	unsigned long n, pages;
	size_t len, off;
	char *end;
	int fd;

	if (argc != 3 || (pages = strtoul(argv[2], &end, 10)) == 0 || *end) {
		fprintf(stderr, "usage: numbered_pages FILE PAGES (PAGES: 1 or more)\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "numbered_pages: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (n = 0; n < pages; n++) {
		len = snprintf(num, sizeof(num), "%lu\n", n);
		for (off = 0; off < sizeof(page); off += len)
			memcpy(page + off, num, off + len <= sizeof(page) ? len : sizeof(page) - off);
		if (write(fd, page, sizeof(page)) != (ssize_t)sizeof(page)) {
			fprintf(stderr, "numbered_pages: writing %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
	}
	return close(fd) ? 1 : 0;
}
