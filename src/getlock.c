/*
 * getlock.c: the getlock.tech surface (API.md section 1): PUT, GET, HEAD
 * and DELETE of /v1/<uuid>, and /v1/health. Joins the parameters, the lock
 * rules, the store and the JSON writer.
 */
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "getlock.h"
#include "lock.h"
#include "store.h"
#include "uuid.h"

#define DEFAULT_TTL_MS	(60 * 1000)

/* Adapters from store_decide_fn to the rules of lock.c. */
static void
decide_put(const struct lock_record *cur, int64_t now, uint64_t next_fence,
    void *arg, struct lock_decision *out)
{
	lock_put(cur, now, next_fence, arg, out);
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
	(void)arg;
	lock_delete(cur, now, out);
}

/* The answer to a decision, in the contract's key order. */
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
	};
	struct codec_writer	 w;
	char			 text[UUID_TEXT_LEN + 1];

	api_json(resp, verdicts[d->verdict].status);
	codec_writer_init(&w, &resp->body, 0);
	codec_begin(&w);
	codec_key(&w, "locked");
	codec_bool(&w, verdicts[d->verdict].locked);
	codec_key(&w, "message");
	codec_str(&w, verdicts[d->verdict].message);
	if (d->has_record) {
		uuid_format(id, text);
		codec_key(&w, "lock");
		codec_begin(&w);
		codec_key(&w, "id");
		codec_str(&w, text);
		codec_key(&w, "timestamp");
		codec_seconds(&w, d->record.created_ms);
		codec_key(&w, "ttl");
		codec_seconds(&w, d->record.ttl_ms);
		codec_key(&w, "expires");
		codec_seconds(&w, d->record.expires_ms);
		codec_key(&w, "fence");
		codec_uint(&w, d->record.fence);
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

/* 400 for names the method does not take (getlock's strict reqparse). */
static int
refuse_unknown(struct request *req, const char *const *known,
    struct response *resp)
{
	char	 names[200], msg[240];

	if (params_unknown(&req->params, known, names, sizeof(names)) == 0)
		return 0;
	snprintf(msg, sizeof(msg), "Unknown arguments: %s", names);
	api_message(resp, 400, msg);
	return 1;
}

/* PUT, GET, HEAD or DELETE of one lock; the method is known to fit. */
void
getlock_lock(struct api *api, struct request *req, const uint8_t id[16],
    struct response *resp)
{
	static const char *const put_params[] = { "ttl", NULL };
	static const char *const no_params[] = { NULL };
	const struct param	*p;
	struct store_key	 key;
	struct lock_decision	 d;
	struct lock_put		 put;
	char			 why[64];
	int			 rc;

	key.kind = LOCK_KIND_GETLOCK;
	memcpy(key.id, id, sizeof(key.id));
	switch (req->method) {
	case HTTP_PUT:
		if (refuse_unknown(req, put_params, resp))
			return;
		memset(&put, 0, sizeof(put));
		put.default_ttl_ms = DEFAULT_TTL_MS;
		if (put.default_ttl_ms > api->cfg->max_ttl_ms)
			put.default_ttl_ms = api->cfg->max_ttl_ms;
		if ((p = params_get(&req->params, "ttl")) != NULL &&
		    params_seconds(p, api->cfg->max_ttl_ms, &put.ttl_ms, why,
		    sizeof(why)) == -1) {
			bad_param(resp, "ttl", why);
			return;
		}
		rc = store_change(api->store, &key, decide_put, &put, &d);
		break;
	case HTTP_DELETE:
		if (refuse_unknown(req, no_params, resp))
			return;
		rc = store_change(api->store, &key, decide_delete, NULL, &d);
		break;
	default:
		if (refuse_unknown(req, no_params, resp))
			return;
		rc = store_view(api->store, &key, decide_get, NULL, &d);
		break;
	}
	if (rc != STORE_OK) {
		api_store_error(resp, rc);
		return;
	}
	answer(resp, id, &d);
}

/* /v1/health: a real read of the database, not a canned answer. */
void
getlock_health(struct api *api, struct request *req, struct response *resp)
{
	static const char *const no_params[] = { NULL };
	struct store_stats	 st;
	struct codec_writer	 w;

	if (refuse_unknown(req, no_params, resp))
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
