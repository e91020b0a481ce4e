// SPDX-License-Identifier: GPL-2.0
/*
 * Check a PPR mark area file from the host side (L1).
 *
 * usage: ppr_area_check FILE [max_wrong=N] [marked=P,P,..] [unmarked=P,P,..]
 * Prints the header; exits 1 if more than N (default 0) of the PFNs of a
 * list are not in the state given, or if the header is invalid. A tolerance
 * is for pages a live guest may have reused since it printed the list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "area.h"

static int max_wrong;

static int check(const struct area *a, const char *list, int want)
{
	char *s = strdup(list), *tok, *save = NULL;
	int bad = 0, n = 0;

	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned long long pfn = strtoull(tok, NULL, 0);
		int m = area_marked(a, pfn);

		n++;
		if (m != want) {
			printf("PFN %llu: %s, want %s\n", pfn,
			       m < 0 ? "beyond the area" : m ? "marked" : "unmarked",
			       want ? "marked" : "unmarked");
			bad++;
		}
	}
	printf("%d PFNs checked %s, %d wrong (%d allowed)\n", n,
	       want ? "marked" : "unmarked", bad, max_wrong);
	free(s);
	return bad > max_wrong;
}

int main(int argc, char **argv)
{
	struct area a;
	int i, bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE [max_wrong=N] [marked=P,..] [unmarked=P,..]\n", argv[0]);
		return 2;
	}
	if (area_open(&a, argv[1]))
		return 1;
	printf("%s: v%u, %llu PFNs, state %#llx (epoch %llu, %s), %llu marked\n",
	       argv[1], a.hdr->version, (unsigned long long)a.nr_pfns,
	       (unsigned long long)a.hdr->state,
	       (unsigned long long)PPR_STATE_EPOCH(a.hdr->state),
	       a.hdr->state & PPR_STATE_ACTIVE ? "active" : "inactive",
	       (unsigned long long)area_weight(&a));
	printf("guest counters: marks %llu unmarks %llu unmark_missing %llu out_of_range %llu\n",
	       (unsigned long long)a.hdr->counters.marks,
	       (unsigned long long)a.hdr->counters.unmarks,
	       (unsigned long long)a.hdr->counters.unmark_missing,
	       (unsigned long long)a.hdr->counters.out_of_range);
	for (i = 2; i < argc; i++) {
		if (!strncmp(argv[i], "max_wrong=", 10))
			max_wrong = atoi(argv[i] + 10);
		else if (!strncmp(argv[i], "marked=", 7))
			bad += check(&a, argv[i] + 7, 1);
		else if (!strncmp(argv[i], "unmarked=", 9))
			bad += check(&a, argv[i] + 9, 0);
		else {
			fprintf(stderr, "unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	return bad ? 1 : 0;
}
