/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pprctl: parsing and formatting of durations, percent, sizes and times.
 */
#ifndef PPRCTL_UNITS_H
#define PPRCTL_UNITS_H

#include <stddef.h>
#include <stdint.h>

enum dur_err {
	DUR_OK = 0,
	DUR_EMPTY,		/* empty string */
	DUR_SYNTAX,		/* not <digits>[.<digits>]<unit> */
	DUR_NO_UNIT,		/* a bare number */
	DUR_BAD_UNIT,		/* a unit other than ms, s, m, h */
	DUR_INEXACT,		/* not a whole number of milliseconds */
	DUR_RANGE,		/* does not fit in 64 bits of milliseconds */
};

/* Parse "500ms", "10s", "1.5s", "10m", "1h" into milliseconds. */
enum dur_err parse_duration_ms(const char *s, uint64_t *ms);
const char *dur_strerror(enum dur_err err);

enum pct_err {
	PCT_OK = 0,
	PCT_EMPTY,		/* empty string */
	PCT_SYNTAX,		/* not <digits>, <digits>% or off */
	PCT_NEGATIVE,		/* a minus sign */
	PCT_FRACTION,		/* a decimal point: not a whole number of percent */
	PCT_RANGE,		/* does not fit in 64 bits */
};

/* Parse "20%", "20" or "off" (0) into whole percent. */
enum pct_err parse_percent(const char *s, uint64_t *pct);
const char *pct_strerror(enum pct_err err);

/* Shortest exact form: 500ms, 10s, 10m, 1h. Returns buf. */
char *format_duration_ms(uint64_t ms, char *buf, size_t size);

/* Human forms: "512 B", "1.5 KiB"; "850ns", "1.234ms", "1.234s". */
char *format_size(uint64_t bytes, char *buf, size_t size);
char *format_ns(uint64_t ns, char *buf, size_t size);

/* "262144 pages (1024.0 MiB)" for 4096-byte pages. */
char *format_pages(uint64_t pages, char *buf, size_t size);

/* Parse a whole unsigned decimal number (no sign, no spaces); 0 or -1. */
int parse_u64(const char *s, uint64_t *v);

#endif /* PPRCTL_UNITS_H */
