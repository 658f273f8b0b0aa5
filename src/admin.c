/*
 * admin.c: the operator's surface (doc/API.md section 3): GET /v1/locks lists
 * the live locks for the holder of the admin token, GET /metrics shows the
 * counters in the Prometheus text format, and GET / is a short page with
 * the curl lines for this server. No answer shows an owner token or an
 * LSS key.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "codec.h"
#include "lock.h"
#include "metrics.h"
#include "number.h"
#include "random.h"
#include "reply.h"
#include "store.h"
#include "ulid.h"
#include "uuid.h"

#define LIST_DEFAULT	1000
#define LIST_MAX	10000

struct listing {
	struct codec_writer	 w;
	char			 last[80];	/* the cursor of the last lock */
};

/* One hold of a getlock lock, without its owner token. */
static void
holder(struct codec_writer *w, int64_t created, int64_t ttl, int64_t expires,
    uint64_t fence, int owned)
{
	codec_begin(w);
	codec_put_seconds(w, "timestamp", created);
	codec_put_seconds(w, "ttl", ttl);
	codec_put_seconds(w, "expires", expires);
	codec_put_uint(w, "fence", fence);
	codec_put_bool(w, "owned", owned);
	codec_end(w);
}

static int
list_one(const struct store_item *it, int64_t now, void *arg)
{
	struct listing			*l = arg;
	struct codec_writer		*w = &l->w;
	const struct lock_record	*r = it->rec;
	const struct lock_holder	*h;
	const char			*surface;
	char				 id[UUID_TEXT_LEN + ULID_TEXT_LEN + 1];
	size_t				 i;

	/* The id as its surface writes it, which with the surface's name
	 * is also the cursor of the next page. */
	if (it->key.kind == LOCK_KIND_LSS)
		ulid_format(it->key.id, id);
	else
		uuid_format(it->key.id, id);
	surface = it->key.kind == LOCK_KIND_LSS ? "lss" : "getlock";
	snprintf(l->last, sizeof(l->last), "%s:%s", surface, id);
	codec_begin(w);
	codec_put_str(w, "id", id);
	codec_put_str(w, "surface", surface);
	if (it->key.kind == LOCK_KIND_LSS) {
		codec_put_bool(w, "locked", lock_lss_is_locked(r, now));
		codec_put_seconds(w, "created", r->created_ms);
		if (r->locked && r->expires_ms != 0)
			codec_put_seconds(w, "expires", r->expires_ms);
		else
			codec_put_null(w, "expires");
		codec_end(w);
		return 0;
	}
	codec_put_bool(w, "locked", lock_is_active(r, now));
	codec_put_uint(w, "limit", r->limit);
	codec_put_array(w, "holders");
	if (now < r->expires_ms)
		holder(w, r->created_ms, r->ttl_ms, r->expires_ms, r->fence,
		    r->secret_len > 0);
	for (i = 0; i < r->nmore; i++) {
		h = &r->more[i];
		if (now < h->expires_ms)
			holder(w, h->created_ms, h->ttl_ms, h->expires_ms,
			    h->fence, h->owner_len > 0);
	}
	codec_array_end(w);
	codec_end(w);
	return 0;
}

/* Reads "getlock:<uuid>" or "lss:<ulid>" into key. */
static int
parse_cursor(const char *s, size_t len, struct store_key *key)
{
	if (len > 8 && strncmp(s, "getlock:", 8) == 0) {
		key->kind = LOCK_KIND_GETLOCK;
		return uuid_parse(s + 8, len - 8, key->id);
	}
	if (len > 4 && strncmp(s, "lss:", 4) == 0) {
		key->kind = LOCK_KIND_LSS;
		return ulid_parse(s + 4, len - 4, key->id);
	}
	return -1;
}

/*
 * GET /v1/locks[?limit=N][&after=<cursor>]: live locks in key order, at
 * most limit of them; "next" is the cursor to ask for the following page,
 * null on the last one.
 */
void
admin_locks(struct service *svc, struct request *req, struct response *resp)
{
	static const char *const known[] = { "limit", "after", NULL };
	const struct param	*p;
	struct listing		 l;
	struct store_key	 after;
	char			 msg[80];
	uint64_t		 max = LIST_DEFAULT;
	int			 more, rc;

	if (reply_refuse_unknown(req, known, resp))
		return;
	if ((p = params_get(&req->params, "limit")) != NULL &&
	    number_uint(p->value, p->value_len, 1, LIST_MAX, &max) == -1) {
		snprintf(msg, sizeof(msg), "limit: expected a whole number "
		    "from 1 to %d", LIST_MAX);
		reply_message(resp, 400, msg);
		return;
	}
	if ((p = params_get(&req->params, "after")) != NULL &&
	    parse_cursor(p->value, p->value_len, &after) == -1) {
		reply_message(resp, 400, "after: expected the \"next\" value of "
		    "an earlier page");
		return;
	}
	memset(&l, 0, sizeof(l));
	reply_json_begin(resp, 200, &l.w, 0);
	codec_put_array(&l.w, "locks");
	rc = store_list(svc->store, p != NULL ? &after : NULL, max, list_one,
	    &l, &more);
	if (rc != STORE_OK) {
		buf_reset(&resp->body);
		buf_reset(&resp->headers);
		reply_store_error(resp, rc);
		return;
	}
	codec_array_end(&l.w);
	if (more)
		codec_put_str(&l.w, "next", l.last);
	else
		codec_put_null(&l.w, "next");
	reply_json_end(&l.w);
}

/* GET /metrics: the Prometheus text exposition format, version 0.0.4. */
void
admin_metrics(struct service *svc, struct request *req, struct response *resp)
{
	struct store_stats	 st;

	if (req->params.n > 0) {
		reply_message(resp, 400, "/metrics takes no parameters");
		return;
	}
	if (store_stats(svc->store, &st) != STORE_OK) {
		reply_store_error(resp, STORE_ERROR);
		return;
	}
	reply_start(resp, 200, "text/plain; version=0.0.4; charset=utf-8");
	metrics_render(svc->metrics, &st, LOCKGATE_VERSION, &resp->body);
}

/* Appends s with the characters HTML gives a meaning escaped. */
static void
html(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default:
			/* Control bytes have no place in a Host header. */
			if ((unsigned char)*s >= 0x20 && *s != 0x7f)
				buf_putc(b, *s);
			break;
		}
}

/*
 * GET /: names the service and its version, and shows the curl lines for
 * this server's own URL (as LSS served its docs at its root).
 */
void
admin_home(struct service *svc, struct request *req, struct response *resp)
{
	/* Each line: a comment, then curl, the URL, the path after it with
	 * the example id where "@" stands, and the rest of the line. */
	static const struct {
		const char	*comment, *before, *path, *after;
	} lines[] = {
	    { "acquire or refresh for 60 s: 201 new, 200 refreshed",
	      "curl -X PUT '", "/v1/@", "?ttl=60'" },
	    { "423 while held, 404 when free", "curl -i ", "/v1/@", "" },
	    { "release", "curl -X DELETE ", "/v1/@", "" },
	    { "with an owner, waiting up to 30 s for the lock",
	      "curl -X PUT '", "/v1/@", "?owner=my-job&amp;wait=30'" },
	    { NULL, "curl -X DELETE '", "/v1/@", "?owner=my-job'" },
	    { "an LSS lock: create it locked, then read its state",
	      "curl -X POST -d '' '", "/locks", "?l=true'" },
	    { NULL, "curl -i ", "/locks/", "&lt;lockId&gt;" },
	    { "is the service up?", "curl ", "/v1/health", "" },
	};
	struct buf	 url, *b = &resp->body;
	uint8_t		 rnd[16], id[LOCK_ID_LEN];
	char		 uuid[UUID_TEXT_LEN + 1];
	const char	*at;
	size_t		 i;

	(void)svc;
	/* A fresh example id each time, ready to be copied. */
	if (random_bytes(rnd, sizeof(rnd)) == -1)
		memset(rnd, 0x42, sizeof(rnd));
	uuid_v4(rnd, id);
	uuid_format(id, uuid);
	buf_init(&url);
	buf_puts(&url, req->https ? "https://" : "http://");
	html(&url, req->host[0] != '\0' ? req->host : "localhost");
	html(&url, req->home != NULL ? req->home : "");

	reply_start(resp, 200, "text/html; charset=utf-8");
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>lockgate</title>\n</head>\n"
	    "<body>\n");
	buf_printf(b, "<h1>lockgate %s</h1>\n", LOCKGATE_VERSION);
	buf_puts(b, "<p>A lock service for CI jobs, cron and scripts. It "
	    "speaks the getlock.tech API (<code>/v1/&lt;uuid&gt;</code>) and "
	    "the LSS API (<code>/locks</code>).</p>\n<pre>\n");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (lines[i].comment != NULL)
			buf_printf(b, "# %s\n", lines[i].comment);
		buf_puts(b, lines[i].before);
		buf_puts(b, buf_str(&url));
		if ((at = strchr(lines[i].path, '@')) != NULL) {
			buf_append(b, lines[i].path,
			    (size_t)(at - lines[i].path));
			buf_puts(b, uuid);
		} else
			buf_puts(b, lines[i].path);
		buf_puts(b, lines[i].after);
		buf_putc(b, '\n');
	}
	buf_puts(b, "</pre>\n</body>\n</html>\n");
	buf_free(&url);
}
