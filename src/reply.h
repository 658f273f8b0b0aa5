/*
 * reply.h: every way the program answers: JSON, a message, plain text, an
 * empty answer, a store failure, a refusal of unknown parameters. Every
 * answer carries the same common headers (reply_start()).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_REPLY_H
#define LOCKGATE_REPLY_H

#include "codec.h"
#include "http.h"

/* The Retry-After of a 503 for a store that is down, in seconds. */
#define REPLY_RETRY_AFTER_S	1

void	reply_start(struct response *, int, const char *);
void	reply_json_begin(struct response *, int, struct codec_writer *,
	    int);
void	reply_json_end(struct codec_writer *);
void	reply_message(struct response *, int, const char *);
void	reply_text(struct response *, int, const char *);
void	reply_empty(struct response *, int);
void	reply_store_error(struct response *, int);
void	reply_preflight(struct response *, const char *);
void	reply_unauthorized(struct response *);
int	reply_refuse_unknown(const struct request *, const char *const *,
	    struct response *);

#endif
