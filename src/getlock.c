/*
 * getlock.c: the getlock.tech surface (API.md section 1): PUT, GET, HEAD
 * and DELETE of /v1/<uuid>, and /v1/health. Joins the parameters, the lock
 * rules, the store and the JSON writer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "getlock.h"
#include "lock.h"
#include "metrics.h"
#include "store.h"
#include "uuid.h"
#include "wake.h"

#define DEFAULT_TTL_MS	(60 * 1000)
/* How often a waiting request looks whether its client is still there. */
#define CLIENT_CHECK_MS	100

/* A PUT, and for a waiting one what tells whether it was cancelled. */
struct put_ctx {
	struct lock_put	 put;
	struct wake	*wake;		/* NULL: not a waiting PUT */
	uint64_t	 tag;		/* wake_tag() of the lock and owner */
	uint64_t	 mark;		/* wake_cancel_mark() at the start */
	int		 cancelled;
};

/* Adapters from store_decide_fn to the rules of lock.c. */
static void
decide_put(const struct lock_record *cur, int64_t now, uint64_t next_fence,
    void *arg, struct lock_decision *out)
{
	struct put_ctx	*c = arg;

	/* Looked at inside the transaction: a release by this owner that
	 * came first (wake.c) is never overtaken by this request. */
	if (c->wake != NULL && wake_cancelled(c->wake, c->tag, c->mark)) {
		c->cancelled = 1;
		lock_get(cur, now, out);
		return;
	}
	lock_put(cur, now, next_fence, &c->put, out);
}

static void
decide_get(const struct lock_record *cur, int64_t now, uint64_t next_fence,
    void *arg, struct lock_decision *out)
{
	(void)next_fence;
	(void)arg;
	lock_get(cur, now, out);
}

static void
decide_delete(const struct lock_record *cur, int64_t now,
    uint64_t next_fence, void *arg, struct lock_decision *out)
{
	(void)next_fence;
	lock_delete(cur, now, arg, out);
}

/*
 * The answer to a decision, in the contract's key order. A semaphore's
 * lock object also carries its holders and limit; no answer ever shows an
 * owner token.
 */
static void
answer(struct response *resp, const uint8_t id[16],
    const struct lock_decision *d)
{
	static const struct {
		int		 status;
		int		 locked;
		const char	*message;
	} verdicts[] = {
		[LOCK_ACQUIRED] = { 201, 1, "lock acquired" },
		[LOCK_REFRESHED] = { 200, 1, "lock refreshed" },
		[LOCK_ACTIVE] = { 423, 1, "lock is active" },
		[LOCK_REMOVED] = { 200, 0, "lock has been removed" },
		[LOCK_NOT_FOUND] = { 404, 0, "lock not found or expired" },
		[LOCK_EXPIRED] = { 404, 0, "lock has expired" },
		[LOCK_HELD_OTHER] = { 423, 1, "lock is held by another owner" },
		[LOCK_LIMIT_CONFLICT] = { 409, 1,
		    "limit differs from the held lock's" },
		[LOCK_FREE_SLOTS] = { 200, 0, "lock has free slots" },
	};
	struct codec_writer	 w;
	char			 text[UUID_TEXT_LEN + 1];
	int64_t			 wait_ms;

	if (d->verdict >= sizeof(verdicts) / sizeof(verdicts[0]) ||
	    verdicts[d->verdict].status == 0) {
		api_message(resp, 503, "out of memory");
		return;
	}
	api_json(resp, verdicts[d->verdict].status);
	if (d->verdict == LOCK_HELD_OTHER) {
		/* Seconds until the hold that ends first ends, rounded up. */
		wait_ms = d->retry_at_ms - store_clock_realtime();
		http_header(resp, "Retry-After", "%lld",
		    wait_ms <= 0 ? 1LL : (long long)((wait_ms + 999) / 1000));
	}
	codec_writer_init(&w, &resp->body, 0);
	codec_begin(&w);
	codec_key(&w, "locked");
	codec_bool(&w, verdicts[d->verdict].locked);
	codec_key(&w, "message");
	codec_str(&w, verdicts[d->verdict].message);
	if (d->has_shown) {
		uuid_format(id, text);
		codec_key(&w, "lock");
		codec_begin(&w);
		codec_key(&w, "id");
		codec_str(&w, text);
		codec_key(&w, "timestamp");
		codec_seconds(&w, d->shown.created_ms);
		codec_key(&w, "ttl");
		codec_seconds(&w, d->shown.ttl_ms);
		codec_key(&w, "expires");
		codec_seconds(&w, d->shown.expires_ms);
		codec_key(&w, "fence");
		codec_uint(&w, d->shown.fence);
		if (d->limit > 1) {
			codec_key(&w, "holders");
			codec_uint(&w, d->holders);
			codec_key(&w, "limit");
			codec_uint(&w, d->limit);
		}
		codec_end(&w);
	}
	codec_end(&w);
	buf_putc(&resp->body, '\n');
}

/* 400 with getlock's {"message": {"<name>": "<what is wrong>"}} shape. */
static void
bad_param(struct response *resp, const char *name, const char *why)
{
	struct codec_writer	 w;

	api_json(resp, 400);
	codec_writer_init(&w, &resp->body, 0);
	codec_begin(&w);
	codec_key(&w, "message");
	codec_begin(&w);
	codec_key(&w, name);
	codec_str(&w, why);
	codec_end(&w);
	codec_end(&w);
	buf_putc(&resp->body, '\n');
}

/*
 * Reads owner, limit and wait (API.md section 1 extensions) into put and
 * *wait_ms. Answers 400 and returns -1 on a bad value.
 */
static int
read_extensions(struct api *api, struct request *req, struct lock_put *put,
    int64_t *wait_ms, struct response *resp)
{
	const struct param	*p;
	char			 why[64], *end;
	unsigned long		 v;

	if ((p = params_get(&req->params, "owner")) != NULL) {
		if (p->type != PARAM_TEXT ||
		    !lock_owner_valid(p->value, p->value_len)) {
			bad_param(resp, "owner", "must be 1 to 128 characters of "
			    "A-Z a-z 0-9 . _ ~ : @ + = / -");
			return -1;
		}
		put->owner = p->value;
		put->owner_len = p->value_len;
	}
	if ((p = params_get(&req->params, "limit")) != NULL) {
		v = 0;
		if (p->type == PARAM_TEXT && p->value[0] >= '0' &&
		    p->value[0] <= '9' && p->value_len <= 4 &&
		    strlen(p->value) == p->value_len)
			v = strtoul(p->value, &end, 10);
		if (v < 1 || v > LOCK_LIMIT_MAX || *end != '\0') {
			bad_param(resp, "limit", "must be a whole number from 1 "
			    "to 1000");
			return -1;
		}
		if (put->owner_len == 0) {
			bad_param(resp, "limit", "needs an owner");
			return -1;
		}
		put->limit = (unsigned int)v;
	}
	*wait_ms = 0;
	if ((p = params_get(&req->params, "wait")) != NULL) {
		if (p->type == PARAM_TEXT && strspn(p->value, " \t0.") ==
		    p->value_len && strchr(p->value, '0') != NULL)
			*wait_ms = 0;	/* "0": do not wait */
		else if (params_seconds(p, api->cfg->max_wait_ms, wait_ms,
		    why, sizeof(why)) == -1) {
			bad_param(resp, "wait", why);
			return -1;
		}
		if (req->method == HTTP_PUT && put->owner_len == 0) {
			bad_param(resp, "wait", "needs an owner");
			return -1;
		}
	}
	return 0;
}

/* Whether a waiting request has what it waits for. */
static int
settled(enum http_method method, const struct lock_decision *d)
{
	if (method == HTTP_PUT)
		return d->verdict != LOCK_HELD_OTHER;
	return d->verdict != LOCK_ACTIVE;
}

/*
 * A PUT: a refusal (held by another owner, another limit, a cancelled
 * wait) is read from a read-only snapshot first, which any number of
 * processes can take at once; only a PUT that may change the lock takes
 * a write transaction. A refusal from a snapshot is as true as one from a
 * write transaction: the lock was held at a moment during the request.
 */
static int
put_lock(struct api *api, const struct store_key *key, struct put_ctx *ctx,
    struct lock_decision *d)
{
	int	 rc;

	if (ctx->put.owner_len > 0) {
		rc = store_view(api->store, key, decide_put, ctx, d);
		if (rc != STORE_OK)
			return rc;
		if (ctx->cancelled || d->verdict == LOCK_HELD_OTHER ||
		    d->verdict == LOCK_LIMIT_CONFLICT)
			return STORE_OK;
		lock_decision_free(d);
	}
	return store_change(api->store, key, decide_put, ctx, d);
}

/*
 * Sleeps until a release anywhere (the wake counter moves on from seen),
 * or until the instant until, looking every CLIENT_CHECK_MS whether the
 * client is still there. Returns 0, or -1 when the client has gone: a
 * waiting PUT must not be granted a lock that nobody will release.
 */
static int
sleep_until(struct api *api, const struct request *req, uint32_t seen,
    int64_t until)
{
	int64_t	 now, slice;

	for (;;) {
		if (http_client_gone(req))
			return -1;
		now = store_clock_realtime();
		if (now >= until || wake_seen(api->wake) != seen ||
		    wake_stopping(api->wake))
			return 0;
		slice = until - now < CLIENT_CHECK_MS ? until - now :
		    CLIENT_CHECK_MS;
		wake_wait(api->wake, seen, slice);
	}
}

/*
 * PUT, GET, HEAD or DELETE of one lock; the method is known to fit.
 * A PUT or GET with wait looks again whenever a release anywhere wakes it,
 * or the hold in its way ends, until it has its answer or its time is up;
 * it never holds a transaction while it sleeps.
 */
void
getlock_lock(struct api *api, struct request *req, const uint8_t id[16],
    struct response *resp)
{
	static const char *const put_params[] = { "ttl", "owner", "limit",
	    "wait", NULL };
	static const char *const delete_params[] = { "owner", NULL };
	static const char *const get_params[] = { "wait", NULL };
	const struct param	*p;
	struct store_key	 key;
	struct lock_decision	 d;
	struct put_ctx		 ctx;
	struct lock_put		*put = &ctx.put;
	int64_t			 wait_ms = 0, deadline, now, until;
	uint32_t		 seen = 0;
	char			 why[64];
	int			 rc, waiting = 0;

	key.kind = LOCK_KIND_GETLOCK;
	memcpy(key.id, id, sizeof(key.id));
	memset(&ctx, 0, sizeof(ctx));
	put->default_ttl_ms = DEFAULT_TTL_MS;
	if (put->default_ttl_ms > api->cfg->max_ttl_ms)
		put->default_ttl_ms = api->cfg->max_ttl_ms;
	if (api_refuse_unknown(req, req->method == HTTP_PUT ? put_params :
	    req->method == HTTP_DELETE ? delete_params : get_params, resp))
		return;
	if (read_extensions(api, req, put, &wait_ms, resp) == -1)
		return;
	if (req->method == HTTP_PUT &&
	    (p = params_get(&req->params, "ttl")) != NULL &&
	    params_seconds(p, api->cfg->max_ttl_ms, &put->ttl_ms, why,
	    sizeof(why)) == -1) {
		bad_param(resp, "ttl", why);
		return;
	}
	if (api->wake != NULL && put->owner_len > 0) {
		ctx.tag = wake_tag(id, put->owner, put->owner_len);
		if (req->method == HTTP_PUT && wait_ms > 0) {
			ctx.wake = api->wake;
			ctx.mark = wake_cancel_mark(api->wake);
		} else if (req->method == HTTP_DELETE)
			/* Before the transaction: see decide_put(). */
			wake_cancel(api->wake, ctx.tag);
	}
	deadline = store_clock_realtime() + wait_ms;
	for (;;) {
		if (api->wake != NULL)
			seen = wake_seen(api->wake);
		if (req->method == HTTP_PUT)
			rc = put_lock(api, &key, &ctx, &d);
		else if (req->method == HTTP_DELETE)
			rc = store_change(api->store, &key, decide_delete, put,
			    &d);
		else
			rc = store_view(api->store, &key, decide_get, NULL, &d);
		if (rc != STORE_OK)
			break;
		now = store_clock_realtime();
		if (wait_ms == 0 || ctx.cancelled || settled(req->method, &d) ||
		    now >= deadline || api->wake == NULL ||
		    wake_stopping(api->wake))
			break;
		if (!waiting) {
			if (!wake_enter(api->wake)) {
				lock_decision_free(&d);
				api_message(resp, 503,
				    "too many waiting requests");
				http_header(resp, "Retry-After", "1");
				return;
			}
			waiting = 1;
			metrics_wait(api->metrics);
		}
		/* Until the hold in the way ends, at the latest. */
		until = d.retry_at_ms > now && d.retry_at_ms < deadline ?
		    d.retry_at_ms : deadline;
		if (sleep_until(api, req, seen, until) == -1)
			break;	/* the client left: take nothing for it */
		lock_decision_free(&d);
	}
	if (waiting)
		wake_leave(api->wake);
	if (rc != STORE_OK) {
		api_store_error(resp, rc);
		return;
	}
	if (ctx.cancelled) {
		lock_decision_free(&d);
		api_message(resp, 409, "the wait was cancelled: this owner "
		    "released the lock");
		return;
	}
	if (d.verdict == LOCK_REMOVED && api->wake != NULL)
		wake_all(api->wake);
	if (d.verdict == LOCK_ACQUIRED)
		metrics_grant(api->metrics);
	answer(resp, id, &d);
	lock_decision_free(&d);
}

/* /v1/health: a real read of the database, not a canned answer. */
void
getlock_health(struct api *api, struct request *req, struct response *resp)
{
	static const char *const no_params[] = { NULL };
	struct store_stats	 st;
	struct codec_writer	 w;

	if (api_refuse_unknown(req, no_params, resp))
		return;
	if (api->store == NULL || store_stats(api->store, &st) != STORE_OK) {
		api_json(resp, 503);
		codec_writer_init(&w, &resp->body, 0);
		codec_begin(&w);
		codec_key(&w, "message");
		codec_str(&w, "failed");
		codec_key(&w, "version");
		codec_str(&w, LOCKGATE_VERSION);
		codec_end(&w);
		buf_putc(&resp->body, '\n');
		return;
	}
	api_json(resp, 200);
	codec_writer_init(&w, &resp->body, 0);
	codec_begin(&w);
	codec_key(&w, "message");
	codec_str(&w, "okay");
	codec_key(&w, "version");
	codec_str(&w, LOCKGATE_VERSION);
	codec_key(&w, "records");
	codec_uint(&w, st.records);
	codec_end(&w);
	buf_putc(&resp->body, '\n');
}
