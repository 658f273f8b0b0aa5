/*
 * codec.c: the JSON writer (see codec.h).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "number.h"

void
codec_writer_init(struct codec_writer *w, struct buf *out, int compact)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->compact = compact;
}

/*
 * Writes the separator before a member or a value: none right after a key,
 * none before the first member of an object.
 */
static void
separate(struct codec_writer *w)
{
	if (w->after_key)
		w->after_key = 0;
	else if (w->depth > 0 && w->count[w->depth - 1]++ > 0)
		buf_puts(w->out, w->compact ? "," : ", ");
}

/* Opens an object or an array with c, one level deeper. */
static void
open_with(struct codec_writer *w, char c)
{
	separate(w);
	buf_putc(w->out, c);
	if (w->depth < CODEC_MAX_DEPTH)
		w->count[w->depth++] = 0;
}

/* Closes the innermost object or array with c. */
static void
close_with(struct codec_writer *w, char c)
{
	buf_putc(w->out, c);
	if (w->depth > 0)
		w->depth--;
}

void
codec_begin(struct codec_writer *w)
{
	open_with(w, '{');
}

void
codec_end(struct codec_writer *w)
{
	close_with(w, '}');
}

/* Opens an array; its values are separated like an object's members. */
void
codec_array_begin(struct codec_writer *w)
{
	open_with(w, '[');
}

void
codec_array_end(struct codec_writer *w)
{
	close_with(w, ']');
}

void
codec_null(struct codec_writer *w)
{
	separate(w);
	buf_puts(w->out, "null");
}

/* Writes s as a JSON string. Bytes that are not printable ASCII are
 * written as \u escapes (control bytes) or U+FFFD (anything above 0x7f):
 * what we echo is validated ASCII, so this only guards odd input. */
static void
quote(struct buf *out, const char *s, size_t len)
{
	size_t		 i;
	unsigned char	 c;

	buf_putc(out, '"');
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf_putc(out, '\\');
			buf_putc(out, (char)c);
		} else if (c == '\n')
			buf_puts(out, "\\n");
		else if (c == '\t')
			buf_puts(out, "\\t");
		else if (c == '\r')
			buf_puts(out, "\\r");
		else if (c == '\b')
			buf_puts(out, "\\b");
		else if (c == '\f')
			buf_puts(out, "\\f");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(out, "\\u%04x", c);
		else if (c > 0x7f)
			buf_puts(out, "\\ufffd");
		else
			buf_putc(out, (char)c);
	}
	buf_putc(out, '"');
}

void
codec_key(struct codec_writer *w, const char *key)
{
	separate(w);
	quote(w->out, key, strlen(key));
	buf_puts(w->out, w->compact ? ":" : ": ");
	w->after_key = 1;
}

void
codec_string(struct codec_writer *w, const char *s, size_t len)
{
	separate(w);
	quote(w->out, s, len);
}

void
codec_str(struct codec_writer *w, const char *s)
{
	codec_string(w, s, strlen(s));
}

void
codec_bool(struct codec_writer *w, int v)
{
	separate(w);
	buf_puts(w->out, v ? "true" : "false");
}

void
codec_uint(struct codec_writer *w, uint64_t v)
{
	separate(w);
	buf_printf(w->out, "%llu", (unsigned long long)v);
}

void
codec_seconds(struct codec_writer *w, int64_t ms)
{
	char	 s[32];

	separate(w);
	number_format_seconds(ms, s, sizeof(s));
	buf_puts(w->out, s);
}

/* Opens an object as the value of key. */
void
codec_put_object(struct codec_writer *w, const char *key)
{
	codec_key(w, key);
	codec_begin(w);
}

/* Opens an array as the value of key. */
void
codec_put_array(struct codec_writer *w, const char *key)
{
	codec_key(w, key);
	codec_array_begin(w);
}

void
codec_put_null(struct codec_writer *w, const char *key)
{
	codec_key(w, key);
	codec_null(w);
}

void
codec_put_string(struct codec_writer *w, const char *key, const char *s,
    size_t len)
{
	codec_key(w, key);
	codec_string(w, s, len);
}

void
codec_put_str(struct codec_writer *w, const char *key, const char *s)
{
	codec_key(w, key);
	codec_str(w, s);
}

void
codec_put_bool(struct codec_writer *w, const char *key, int v)
{
	codec_key(w, key);
	codec_bool(w, v);
}

void
codec_put_uint(struct codec_writer *w, const char *key, uint64_t v)
{
	codec_key(w, key);
	codec_uint(w, v);
}

void
codec_put_seconds(struct codec_writer *w, const char *key, int64_t ms)
{
	codec_key(w, key);
	codec_seconds(w, ms);
}
