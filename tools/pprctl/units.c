// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl: durations (the *_period_ms settings), percent, sizes and times.
 *
 * A duration is <digits>[.<digits>]<unit> with unit ms, s, m or h; it must
 * come to a whole number of milliseconds. A bare number is refused: "10"
 * could mean 10 ms or 10 s, and guessing wrong by 1000x is worse than asking.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pprctl.h"
#include "units.h"

#define MS_PER_S	((uint64_t)1000)
#define MS_PER_M	(60 * MS_PER_S)
#define MS_PER_H	(60 * MS_PER_M)
#define PAGE_BYTES	((uint64_t)4096)

/* Fraction digits beyond this can never give whole milliseconds. */
#define FRAC_DIGITS_MAX	18

static const struct {
	const char *name;
	uint64_t ms;
} dur_units[] = {
	{ "ms", 1 },
	{ "s", MS_PER_S },
	{ "m", MS_PER_M },
	{ "h", MS_PER_H },
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int parse_u64(const char *s, uint64_t *v)
{
	uint64_t n = 0;

	if (!s || !is_digit(*s))
		return -1;
	for (; is_digit(*s); s++) {
		if (__builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, (uint64_t)(*s - '0'), &n))
			return -1;
	}
	if (*s)
		return -1;
	*v = n;
	return 0;
}

enum dur_err parse_duration_ms(const char *s, uint64_t *ms)
{
	const char *p = s, *frac = NULL;
	uint64_t whole = 0, frac_val = 0, scale = 1, mult = 0, total;
	unsigned __int128 frac_ms;
	size_t frac_len = 0, i;
	int overflow = 0;

	if (!s || !*s)
		return DUR_EMPTY;
	if (!is_digit(*p))
		return DUR_SYNTAX;
	for (; is_digit(*p); p++) {
		if (__builtin_mul_overflow(whole, 10, &whole) ||
		    __builtin_add_overflow(whole, (uint64_t)(*p - '0'), &whole))
			overflow = 1;
	}
	if (*p == '.') {
		frac = ++p;
		while (is_digit(*p))
			p++;
		frac_len = p - frac;
		if (!frac_len)
			return DUR_SYNTAX;
		while (frac_len && frac[frac_len - 1] == '0')
			frac_len--;
	}
	if (!*p)
		return DUR_NO_UNIT;
	for (i = 0; i < ARRAY_SIZE(dur_units); i++) {
		if (!strcmp(p, dur_units[i].name)) {
			mult = dur_units[i].ms;
			break;
		}
	}
	if (!mult) {
		/* Something else after the number: a unit we do not know or junk. */
		for (; *p; p++)
			if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z'))
				return DUR_SYNTAX;
		return DUR_BAD_UNIT;
	}
	if (frac_len > FRAC_DIGITS_MAX)
		return DUR_INEXACT;
	for (i = 0; i < frac_len; i++) {
		frac_val = frac_val * 10 + (uint64_t)(frac[i] - '0');
		scale *= 10;
	}
	frac_ms = (unsigned __int128)frac_val * mult;
	if (frac_ms % scale)
		return DUR_INEXACT;
	if (overflow || __builtin_mul_overflow(whole, mult, &total) ||
	    __builtin_add_overflow(total, (uint64_t)(frac_ms / scale), &total))
		return DUR_RANGE;
	*ms = total;
	return DUR_OK;
}

const char *dur_strerror(enum dur_err err)
{
	switch (err) {
	case DUR_OK:
		return "no error";
	case DUR_EMPTY:
		return "empty";
	case DUR_SYNTAX:
		return "not a number followed by a unit";
	case DUR_NO_UNIT:
		return "no unit";
	case DUR_BAD_UNIT:
		return "unknown unit (the units are ms, s, m and h)";
	case DUR_INEXACT:
		return "not a whole number of milliseconds";
	case DUR_RANGE:
		return "too large";
	}
	return "invalid duration";
}

/*
 * A percent is a whole number with or without a % sign, or off for 0: 20%,
 * 20, 0%, off. No sign, no fraction, no spaces.
 */
enum pct_err parse_percent(const char *s, uint64_t *pct)
{
	const char *p = s;
	uint64_t n = 0;
	int overflow = 0;

	if (!s || !*s)
		return PCT_EMPTY;
	if (!strcmp(s, "off")) {
		*pct = 0;
		return PCT_OK;
	}
	if (*p == '-' && (is_digit(p[1]) || p[1] == '.'))
		return PCT_NEGATIVE;
	if (!is_digit(*p))
		return PCT_SYNTAX;
	for (; is_digit(*p); p++) {
		if (__builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, (uint64_t)(*p - '0'), &n))
			overflow = 1;
	}
	if (*p == '.' && is_digit(p[1])) {
		for (p++; is_digit(*p); p++)
			;
		return !*p || !strcmp(p, "%") ? PCT_FRACTION : PCT_SYNTAX;
	}
	if (*p == '%')
		p++;
	if (*p)
		return PCT_SYNTAX;
	if (overflow)
		return PCT_RANGE;
	*pct = n;
	return PCT_OK;
}

const char *pct_strerror(enum pct_err err)
{
	switch (err) {
	case PCT_OK:
		return "no error";
	case PCT_EMPTY:
		return "empty";
	case PCT_SYNTAX:
		return "not a number of percent or off";
	case PCT_NEGATIVE:
		return "negative";
	case PCT_FRACTION:
		return "not a whole number of percent";
	case PCT_RANGE:
		return "too large";
	}
	return "invalid percent";
}

char *format_duration_ms(uint64_t ms, char *buf, size_t size)
{
	if (ms && !(ms % MS_PER_H))
		snprintf(buf, size, "%" PRIu64 "h", ms / MS_PER_H);
	else if (ms && !(ms % MS_PER_M))
		snprintf(buf, size, "%" PRIu64 "m", ms / MS_PER_M);
	else if (ms && !(ms % MS_PER_S))
		snprintf(buf, size, "%" PRIu64 "s", ms / MS_PER_S);
	else
		snprintf(buf, size, "%" PRIu64 "ms", ms);
	return buf;
}

char *format_size(uint64_t bytes, char *buf, size_t size)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = bytes;
	int i = -1;

	if (bytes < 1024) {
		snprintf(buf, size, "%" PRIu64 " B", bytes);
		return buf;
	}
	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	snprintf(buf, size, "%.1f %s", v, unit[i]);
	return buf;
}

char *format_ns(uint64_t ns, char *buf, size_t size)
{
	static const struct {
		uint64_t ns;
		const char *name;
	} unit[] = {
		{ UINT64_C(1000000000), "s" },
		{ UINT64_C(1000000), "ms" },
		{ UINT64_C(1000), "us" },
	};
	size_t i;

	/* Truncated to three decimals, so a value never rounds up a unit. */
	for (i = 0; i < ARRAY_SIZE(unit); i++) {
		if (ns >= unit[i].ns) {
			snprintf(buf, size, "%" PRIu64 ".%03" PRIu64 "%s", ns / unit[i].ns,
				 ns % unit[i].ns / (unit[i].ns / 1000), unit[i].name);
			return buf;
		}
	}
	snprintf(buf, size, "%" PRIu64 "ns", ns);
	return buf;
}

char *format_pages(uint64_t pages, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64 " pages (%.1f MiB)", pages,
		 (double)pages * PAGE_BYTES / (1024.0 * 1024.0));
	return buf;
}
