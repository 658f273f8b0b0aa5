/*
 * codec.h: JSON in and out. The only owner of json-c objects (parsing);
 * answers are written by a small writer that prints exactly the shape the
 * contract shows: Python's json.dumps style, keys in a fixed order, times
 * as short decimals.
 */
#ifndef LOCKGATE_CODEC_H
#define LOCKGATE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "params.h"

#define CODEC_MAX_DEPTH	8

int	codec_parse_params(const char *, size_t, struct params *, char *,
	    size_t);

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
void	codec_format_seconds(int64_t, char *, size_t);

#endif
