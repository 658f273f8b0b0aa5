/*
 * reply.c: the answers (see reply.h). A surface decides what to say; this
 * file says it, with the headers every answer carries.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>

#include "params.h"
#include "reply.h"
#include "store.h"

/*
 * Starts an answer: the status, the Content-Type (none when type is NULL)
 * and the headers every answer carries: a proxy must never cache lock
 * state (doc/API.md section 0), and any web page may read the answer
 * (CORS; a token still has to be sent on purpose).
 */
void
reply_start(struct response *resp, int status, const char *type)
{
	resp->status = status;
	if (type != NULL)
		http_header(resp, "Content-Type", "%s", type);
	http_header(resp, "Cache-Control", "no-store");
	http_header(resp, "Access-Control-Allow-Origin", "*");
}

/* Starts a JSON answer; the caller writes the body. */
static void
reply_json(struct response *resp, int status)
{
	reply_start(resp, status, "application/json");
}

/*
 * Starts a JSON answer whose body is one object, with w ready to write its
 * members (compact: no blanks after , and :). End it with
 * reply_json_end().
 */
void
reply_json_begin(struct response *resp, int status, struct codec_writer *w,
    int compact)
{
	reply_json(resp, status);
	codec_writer_init(w, &resp->body, compact);
	codec_begin(w);
}

/* Ends the object of reply_json_begin(), and the line of a spaced one. */
void
reply_json_end(struct codec_writer *w)
{
	codec_end(w);
	if (!w->compact)
		buf_putc(w->out, '\n');
}

/* Answers {"message": "..."}. */
void
reply_message(struct response *resp, int status, const char *message)
{
	struct codec_writer	 w;

	reply_json_begin(resp, status, &w, 0);
	codec_put_str(&w, "message", message);
	reply_json_end(&w);
}

/* Answers a short text body, as LSS does for 404, 401 and 400. */
void
reply_text(struct response *resp, int status, const char *text)
{
	reply_start(resp, status, "text/plain; charset=utf-8");
	buf_puts(&resp->body, text);
}

/* Answers with no body (LSS's 204 and 423). */
void
reply_empty(struct response *resp, int status)
{
	reply_start(resp, status, NULL);
}

/*
 * Answers a store failure: 507 when full, else 503 (already logged), with
 * Retry-After: a store that is down (an etcd cluster without a quorum, a
 * database another process is moving) is often back within seconds.
 */
void
reply_store_error(struct response *resp, int rc)
{
	if (rc == STORE_FULL)
		reply_message(resp, 507, "storage full");
	else {
		reply_message(resp, 503, "storage unavailable");
		http_header(resp, "Retry-After", "%d", REPLY_RETRY_AFTER_S);
	}
}

/*
 * 400 "Unknown arguments: ..." for parameter names the request does not
 * take (as getlock's strict reqparse did). Returns 1 when it answered.
 */
int
reply_refuse_unknown(const struct request *req, const char *const *known,
    struct response *resp)
{
	char	 names[200], msg[240];

	if (params_unknown(&req->params, known, names, sizeof(names)) == 0)
		return 0;
	snprintf(msg, sizeof(msg), "Unknown arguments: %s", names);
	reply_message(resp, 400, msg);
	return 1;
}

/* The CORS preflight (Fetch standard, CORS protocol): no body. */
void
reply_preflight(struct response *resp, const char *allow)
{
	resp->status = 204;
	http_header(resp, "Allow", "%s", allow);
	http_header(resp, "Access-Control-Allow-Origin", "*");
	http_header(resp, "Access-Control-Allow-Methods", "%s", allow);
	http_header(resp, "Access-Control-Allow-Headers",
	    "Content-Type, Authorization");
	http_header(resp, "Access-Control-Max-Age", "86400");
	http_header(resp, "Cache-Control", "no-store");
}

/* 401 for a missing or wrong bearer token (RFC 6750 section 3). */
void
reply_unauthorized(struct response *resp)
{
	reply_message(resp, 401, "a valid token is needed: send "
	    "Authorization: Bearer <token>");
	http_header(resp, "WWW-Authenticate", "Bearer realm=\"lockgate\"");
}
