/*
 * getlock.c: the getlock.tech surface (doc/API.md section 1): PUT, GET,
 * HEAD and DELETE of /v1/<uuid>, and /v1/health. A request is read into a
 * lock request (struct lock_op), decided by the store, waited on when it
 * asks to wait, and answered.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "getlock.h"
#include "metrics.h"
#include "number.h"
#include "reply.h"
#include "store.h"
#include "uuid.h"
#include "wake.h"

#define DEFAULT_TTL_MS	(60 * 1000)
/* How often a waiting request looks whether its client is still there. */
#define CLIENT_CHECK_MS	100

/* A getlock request, as read from the client. */
struct getlock_req {
	struct store_key	 key;
	struct lock_op		 op;	/* GET (HEAD too), PUT or DELETE */
	int64_t			 wait_ms;	/* 0: answer at once */
};

/* 400 with getlock's {"message": {"<name>": "<what is wrong>"}} shape. */
static void
bad_param(struct response *resp, const char *name, const char *why)
{
	struct codec_writer	 w;

	reply_json_begin(resp, 400, &w, 0);
	codec_put_object(&w, "message");
	codec_put_str(&w, name, why);
	codec_end(&w);
	reply_json_end(&w);
}

/* getlock's own 404 shape for a path under /v1 that names no lock, so
 * `jq .locked` scripts keep working. */
void
getlock_unknown_path(struct response *resp)
{
	struct codec_writer	 w;

	reply_json_begin(resp, 404, &w, 0);
	codec_put_bool(&w, "locked", 0);
	codec_put_str(&w, "message", "not found: expected /v1/<uuid>");
	reply_json_end(&w);
}

/* Reads owner into put. Answers 400 and returns -1 on a bad value. */
static int
read_owner(const struct param *p, struct lock_put *put,
    struct response *resp)
{
	char	 why[96];

	if (p->type != PARAM_TEXT ||
	    !lock_owner_valid(p->value, p->value_len)) {
		snprintf(why, sizeof(why), "must be 1 to %d characters of "
		    "A-Z a-z 0-9 . _ ~ : @ + = / -", LOCK_OWNER_MAX);
		bad_param(resp, "owner", why);
		return -1;
	}
	put->owner = p->value;
	put->owner_len = p->value_len;
	return 0;
}

/* Reads limit into put (an owner is read already). Answers 400 and
 * returns -1 on a bad value. */
static int
read_limit(const struct param *p, struct lock_put *put,
    struct response *resp)
{
	char		 why[64];
	uint64_t	 v;

	if (p->type != PARAM_TEXT ||
	    number_uint(p->value, p->value_len, 1, LOCK_LIMIT_MAX, &v) == -1) {
		snprintf(why, sizeof(why), "must be a whole number from 1 to "
		    "%d", LOCK_LIMIT_MAX);
		bad_param(resp, "limit", why);
		return -1;
	}
	if (put->owner_len == 0) {
		bad_param(resp, "limit", "needs an owner");
		return -1;
	}
	put->limit = (unsigned int)v;
	return 0;
}

/*
 * Reads the parameters of a request for the lock id into g: which names
 * the method takes, then ttl, owner, limit and wait (doc/API.md section 1
 * extensions). Answers 400 and returns -1 on a bad one.
 */
static int
read_request(struct service *svc, const struct request *req,
    const uint8_t id[LOCK_ID_LEN], struct getlock_req *g,
    struct response *resp)
{
	static const char *const put_params[] = { "ttl", "owner", "limit",
	    "wait", NULL };
	static const char *const delete_params[] = { "owner", NULL };
	static const char *const get_params[] = { "wait", NULL };
	const struct params	*params = &req->params;
	const struct param	*p;
	struct lock_put		*put = &g->op.u.put;
	char			 why[64];

	memset(g, 0, sizeof(*g));
	g->key.kind = LOCK_KIND_GETLOCK;
	memcpy(g->key.id, id, sizeof(g->key.id));
	g->op.kind = req->method == HTTP_PUT ? LOCK_OP_PUT :
	    req->method == HTTP_DELETE ? LOCK_OP_DELETE : LOCK_OP_GET;
	put->default_ttl_ms = DEFAULT_TTL_MS;
	if (put->default_ttl_ms > svc->cfg->max_ttl_ms)
		put->default_ttl_ms = svc->cfg->max_ttl_ms;
	if (reply_refuse_unknown(req, g->op.kind == LOCK_OP_PUT ? put_params :
	    g->op.kind == LOCK_OP_DELETE ? delete_params : get_params, resp))
		return -1;
	if ((p = params_get(params, "owner")) != NULL &&
	    read_owner(p, put, resp) == -1)
		return -1;
	if ((p = params_get(params, "limit")) != NULL &&
	    read_limit(p, put, resp) == -1)
		return -1;
	if ((p = params_get(params, "wait")) != NULL) {
		if (params_seconds(p, svc->cfg->max_wait_ms, 1, &g->wait_ms,
		    why, sizeof(why)) == -1) {
			bad_param(resp, "wait", why);
			return -1;
		}
		if (g->op.kind == LOCK_OP_PUT && put->owner_len == 0) {
			bad_param(resp, "wait", "needs an owner");
			return -1;
		}
	}
	if (g->op.kind == LOCK_OP_PUT && (p = params_get(params, "ttl")) !=
	    NULL && params_seconds(p, svc->cfg->max_ttl_ms, 0, &put->ttl_ms,
	    why, sizeof(why)) == -1) {
		bad_param(resp, "ttl", why);
		return -1;
	}
	return 0;
}

/*
 * Ties an owner's request to the wake-ups: a waiting PUT takes a ticket
 * the store checks inside its transaction; a DELETE marks the owner's
 * waiting PUTs as cancelled before its own transaction, so its release is
 * never overtaken by a wait it ended.
 */
static void
bind_owner(struct service *svc, const uint8_t id[LOCK_ID_LEN],
    struct getlock_req *g)
{
	struct lock_put	*put = &g->op.u.put;
	uint64_t	 tag;

	if (svc->wake == NULL || put->owner_len == 0)
		return;
	tag = wake_tag(id, put->owner, put->owner_len);
	put->wait_tag = tag;
	if (g->op.kind == LOCK_OP_PUT && g->wait_ms > 0) {
		put->waiting = 1;
		put->wait_mark = wake_cancel_mark(svc->wake);
		put->wait_rev = store_wait_mark(svc->store, tag);
	} else if (g->op.kind == LOCK_OP_DELETE)
		wake_cancel(svc->wake, tag);
}

/*
 * Decides the request once. A PUT's refusal (held by another owner,
 * another limit, a cancelled wait) is read from a read-only snapshot
 * first, which any number of processes can take at once; only a PUT that
 * may change the lock takes a write transaction. A refusal from a
 * snapshot is as true as one from a write transaction: the lock was held
 * at a moment during the request.
 */
static int
decide_once(struct service *svc, const struct getlock_req *g,
    struct lock_decision *d)
{
	int	 rc;

	if (g->op.kind == LOCK_OP_GET)
		return store_view(svc->store, &g->key, &g->op, d);
	if (g->op.kind == LOCK_OP_PUT && g->op.u.put.owner_len > 0) {
		rc = store_view(svc->store, &g->key, &g->op, d);
		if (rc != STORE_OK)
			return rc;
		if (d->verdict == LOCK_CANCELLED ||
		    d->verdict == LOCK_HELD_OTHER ||
		    d->verdict == LOCK_LIMIT_CONFLICT)
			return STORE_OK;
		lock_decision_free(d);
	}
	return store_change(svc->store, &g->key, &g->op, d);
}

/* Whether a waiting request has what it waits for. */
static int
settled(const struct getlock_req *g, const struct lock_decision *d)
{
	if (g->op.kind == LOCK_OP_PUT)
		return d->verdict != LOCK_HELD_OTHER;
	return d->verdict != LOCK_ACTIVE;
}

/*
 * Sleeps until a release anywhere (the wake counter moves on from seen),
 * or until the instant until, looking every CLIENT_CHECK_MS whether the
 * client is still there. Returns 0, or -1 when the client has gone: a
 * waiting PUT must not be granted a lock that nobody will release.
 */
static int
sleep_until(struct service *svc, const struct request *req, uint32_t seen,
    int64_t until)
{
	int64_t	 now, slice;

	for (;;) {
		if (http_client_gone(req))
			return -1;
		now = store_now(svc->store);
		if (now >= until || wake_seen(svc->wake) != seen ||
		    wake_stopping(svc->wake))
			return 0;
		slice = until - now < CLIENT_CHECK_MS ? until - now :
		    CLIENT_CHECK_MS;
		wake_wait(svc->wake, seen, slice);
	}
}

/*
 * Decides the request, and with wait decides it again whenever a release
 * anywhere wakes it, or the hold in its way ends, until it has its answer
 * or its time is up; it never holds a transaction while it sleeps.
 * Returns a store status; on STORE_OK d is the last decision. *busy is
 * set when the request could not wait because too many already do.
 */
static int
decide_waiting(struct service *svc, const struct request *req,
    const struct getlock_req *g, struct lock_decision *d, int *busy)
{
	int64_t		 deadline, until;
	uint32_t	 seen = 0;
	int		 rc, waiting = 0;

	*busy = 0;
	deadline = store_now(svc->store) + g->wait_ms;
	for (;;) {
		if (svc->wake != NULL)
			seen = wake_seen(svc->wake);
		if ((rc = decide_once(svc, g, d)) != STORE_OK)
			break;
		if (g->wait_ms == 0 || settled(g, d) ||
		    d->now_ms >= deadline || svc->wake == NULL ||
		    wake_stopping(svc->wake))
			break;
		if (!waiting) {
			if (!wake_enter(svc->wake)) {
				lock_decision_free(d);
				*busy = 1;
				break;
			}
			waiting = 1;
			metrics_wait(svc->metrics);
		}
		/* Until the hold in the way ends, at the latest. */
		until = d->retry_at_ms > d->now_ms &&
		    d->retry_at_ms < deadline ? d->retry_at_ms : deadline;
		if (sleep_until(svc, req, seen, until) == -1)
			break;	/* the client left: take nothing for it */
		lock_decision_free(d);
	}
	if (waiting) {
		wake_leave(svc->wake);
		metrics_wait_end(svc->metrics);
	}
	return rc;
}

/*
 * The answer to a decision, in the contract's key order. A semaphore's
 * lock object also carries its holders and limit; no answer ever shows an
 * owner token. Times come from the decision: Retry-After counts from the
 * instant it was made.
 */
static void
answer(struct response *resp, const uint8_t id[LOCK_ID_LEN],
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

	if (d->verdict == LOCK_CANCELLED) {
		reply_message(resp, 409, "the wait was cancelled: this owner "
		    "released the lock");
		return;
	}
	if (d->verdict >= sizeof(verdicts) / sizeof(verdicts[0]) ||
	    verdicts[d->verdict].status == 0) {
		reply_message(resp, 503, "out of memory");
		return;
	}
	reply_json_begin(resp, verdicts[d->verdict].status, &w, 0);
	if (d->verdict == LOCK_HELD_OTHER) {
		/* Seconds until the hold that ends first ends, rounded up. */
		wait_ms = d->retry_at_ms - d->now_ms;
		http_header(resp, "Retry-After", "%lld",
		    wait_ms <= 0 ? 1LL : (long long)((wait_ms + 999) / 1000));
	}
	codec_put_bool(&w, "locked", verdicts[d->verdict].locked);
	codec_put_str(&w, "message", verdicts[d->verdict].message);
	if (d->has_shown) {
		uuid_format(id, text);
		codec_put_object(&w, "lock");
		codec_put_str(&w, "id", text);
		codec_put_seconds(&w, "timestamp", d->shown.created_ms);
		codec_put_seconds(&w, "ttl", d->shown.ttl_ms);
		codec_put_seconds(&w, "expires", d->shown.expires_ms);
		codec_put_uint(&w, "fence", d->shown.fence);
		if (d->limit > 1) {
			codec_put_uint(&w, "holders", d->holders);
			codec_put_uint(&w, "limit", d->limit);
		}
		codec_end(&w);
	}
	reply_json_end(&w);
}

/*
 * PUT, GET, HEAD or DELETE of one lock; the method is known to fit: read
 * the request, decide it (waiting when asked to), answer.
 */
void
getlock_lock(struct service *svc, struct request *req,
    const uint8_t id[LOCK_ID_LEN], struct response *resp)
{
	struct getlock_req	 g;
	struct lock_decision	 d;
	int			 rc, busy;

	if (read_request(svc, req, id, &g, resp) == -1)
		return;
	bind_owner(svc, id, &g);
	rc = decide_waiting(svc, req, &g, &d, &busy);
	if (rc != STORE_OK) {
		reply_store_error(resp, rc);
		return;
	}
	if (busy) {
		reply_message(resp, 503, "too many waiting requests");
		http_header(resp, "Retry-After", "1");
		return;
	}
	if (d.verdict == LOCK_REMOVED && svc->wake != NULL)
		wake_all(svc->wake);
	if (d.verdict == LOCK_ACQUIRED)
		metrics_grant(svc->metrics);
	answer(resp, id, &d);
	lock_decision_free(&d);
}

/* /v1/health: a real read of the database, not a canned answer. */
void
getlock_health(struct service *svc, struct request *req,
    struct response *resp)
{
	static const char *const no_params[] = { NULL };
	struct store_stats	 st;
	struct codec_writer	 w;

	if (reply_refuse_unknown(req, no_params, resp))
		return;
	if (svc->store == NULL || store_stats(svc->store, &st) != STORE_OK) {
		reply_json_begin(resp, 503, &w, 0);
		codec_put_str(&w, "message", "failed");
		codec_put_str(&w, "version", LOCKGATE_VERSION);
		/* What the store last said, as an etcd cluster that cannot
		 * be reached: for the operator who asks. */
		if (svc->store != NULL && *store_trouble(svc->store) != '\0')
			codec_put_str(&w, "reason", store_trouble(svc->store));
		reply_json_end(&w);
		http_header(resp, "Retry-After", "%d", REPLY_RETRY_AFTER_S);
		return;
	}
	reply_json_begin(resp, 200, &w, 0);
	codec_put_str(&w, "message", "okay");
	codec_put_str(&w, "version", LOCKGATE_VERSION);
	codec_put_uint(&w, "records", st.records);
	reply_json_end(&w);
}
