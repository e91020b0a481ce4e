/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pprctl: a tiny streaming JSON writer, indented two spaces per level.
 * Keys are given for members of objects and NULL for array elements.
 */
#ifndef PPRCTL_JSON_H
#define PPRCTL_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	int depth;
	int nr[JSON_MAX_DEPTH];		/* members written at each level */
};

void json_init(struct json *j, FILE *f);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, int val);
void json_null(struct json *j, const char *key);
/* A number if text is a decimal integer, else a string. */
void json_auto(struct json *j, const char *key, const char *text);
/* Ends the document with a newline. */
void json_finish(struct json *j);

/* Length of the valid UTF-8 character at s, or 0 if it is not one. */
int utf8_char_len(const char *s);

/* Write s as a JSON string literal, invalid UTF-8 bytes as U+FFFD. */
void json_write_string(FILE *f, const char *s);

#endif /* PPRCTL_JSON_H */
