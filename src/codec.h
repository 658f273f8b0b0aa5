/*
 * codec.h: the JSON writer for answers. It prints exactly the shape
 * doc/API.md shows: Python's json.dumps style, keys in a fixed order,
 * times as short decimals. One call writes a member, key and value
 * (codec_put_*), so an answer builder reads like the answer it builds.
 * Reading JSON is params.c's.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_CODEC_H
#define LOCKGATE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define CODEC_MAX_DEPTH	8

/* A JSON writer into a buffer; compact drops the blanks after , and :. */
struct codec_writer {
	struct buf	*out;
	int		 compact;
	int		 depth;
	int		 after_key;
	int		 count[CODEC_MAX_DEPTH];
};

void	codec_writer_init(struct codec_writer *, struct buf *, int);
void	codec_begin(struct codec_writer *);
void	codec_end(struct codec_writer *);
void	codec_array_begin(struct codec_writer *);
void	codec_array_end(struct codec_writer *);
void	codec_null(struct codec_writer *);
void	codec_key(struct codec_writer *, const char *);
void	codec_string(struct codec_writer *, const char *, size_t);
void	codec_str(struct codec_writer *, const char *);
void	codec_bool(struct codec_writer *, int);
void	codec_uint(struct codec_writer *, uint64_t);
void	codec_seconds(struct codec_writer *, int64_t);

/* A member of the object being written: key, then its value. */
void	codec_put_object(struct codec_writer *, const char *);
void	codec_put_array(struct codec_writer *, const char *);
void	codec_put_null(struct codec_writer *, const char *);
void	codec_put_string(struct codec_writer *, const char *, const char *,
	    size_t);
void	codec_put_str(struct codec_writer *, const char *, const char *);
void	codec_put_bool(struct codec_writer *, const char *, int);
void	codec_put_uint(struct codec_writer *, const char *, uint64_t);
void	codec_put_seconds(struct codec_writer *, const char *, int64_t);

#endif
