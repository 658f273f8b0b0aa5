/*
 * lss.c: the LSS (Lock State Service) surface, doc/API.md section 2: POST
 * /locks makes a lock with a ULID and a key; GET answers 423 or 204; PATCH
 * .../lock and .../unlock change it with the key. Answers are LSS's own:
 * empty or short text bodies, a compact JSON body for POST.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "codec.h"
#include "lock.h"
#include "lss.h"
#include "random.h"
#include "reply.h"
#include "store.h"
#include "ulid.h"
#include "uuid.h"

/* A random id colliding with a stored one needs 80 equal random bits in
 * the same millisecond; draw again a few times all the same. */
#define CREATE_TRIES	3

/*
 * Reads a flag: true|t|1|yes|on or false|f|0|no|off in any case (LSS took
 * any non-empty value as true, even "false"). Absent is false.
 * Returns 0, or -1 for anything else.
 */
static int
flag(const struct params *params, const char *name, int *out)
{
	static const char *const yes[] = { "true", "t", "1", "yes", "on" };
	static const char *const no[] = { "false", "f", "0", "no", "off" };
	const struct param	*p = params_get(params, name);
	size_t			 i;

	*out = 0;
	if (p == NULL)
		return 0;
	if (p->type != PARAM_TEXT || strlen(p->value) != p->value_len)
		return -1;
	for (i = 0; i < 5; i++) {
		if (strcasecmp(p->value, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(p->value, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* A key: 1 to LOCK_SECRET_MAX (255) printable ASCII characters (LSS
 * answered 500 past 255). */
static int
valid_key(const struct param *p)
{
	size_t	 i;

	if (p->type != PARAM_TEXT || p->value_len < 1 ||
	    p->value_len > LOCK_SECRET_MAX)
		return 0;
	for (i = 0; i < p->value_len; i++)
		if ((unsigned char)p->value[i] < 0x20 ||
		    (unsigned char)p->value[i] > 0x7e)
			return 0;
	return 1;
}

/*
 * Reads l (when wanted), nx (when wanted), e and k into req.
 * Answers 400 and returns -1 on a bad value.
 */
static int
read_params(struct service *svc, struct request *req, int want_l, int want_nx,
    struct lock_lss *lss, struct response *resp)
{
	const struct param	*p;
	char			 why[64], msg[96];

	memset(lss, 0, sizeof(*lss));
	lss->retention_ms = svc->cfg->lss_retention_ms;
	if (want_l && flag(&req->params, "l", &lss->locked) == -1) {
		reply_text(resp, 400, "l must be one of true, t, 1, yes, on, "
		    "false, f, 0, no, off");
		return -1;
	}
	if (want_nx && flag(&req->params, "nx", &lss->nx) == -1) {
		reply_text(resp, 400, "nx must be one of true, t, 1, yes, on, "
		    "false, f, 0, no, off");
		return -1;
	}
	if ((p = params_get(&req->params, "e")) != NULL &&
	    params_seconds(p, svc->cfg->max_ttl_ms, 0, &lss->ttl_ms, why,
	    sizeof(why)) == -1) {
		snprintf(msg, sizeof(msg), "e %s", why);
		reply_text(resp, 400, msg);
		return -1;
	}
	if ((p = params_get(&req->params, "k")) != NULL) {
		if (!valid_key(p)) {
			snprintf(msg, sizeof(msg), "k must be 1 to %d printable "
			    "characters", LOCK_SECRET_MAX);
			reply_text(resp, 400, msg);
			return -1;
		}
		lss->key = p->value;
		lss->key_len = p->value_len;
	}
	return 0;
}

/* POST /locks: 200 {"lockId":"...","lockKey":"..."}, compact. */
static void
create(struct service *svc, struct request *req, struct response *resp)
{
	struct lock_op		 op = { .kind = LOCK_OP_LSS_CREATE };
	struct lock_lss		*lss = &op.u.lss;
	struct lock_decision	 d;
	struct store_key	 key;
	struct codec_writer	 w;
	uint8_t			 rnd[16], kid[16];
	char			 keytext[UUID_TEXT_LEN + 1];
	char			 idtext[ULID_TEXT_LEN + 1];
	int			 tries, rc;

	if (read_params(svc, req, 1, 0, lss, resp) == -1)
		return;
	if (lss->key == NULL) {
		/* A random (v4) UUID: LSS used a time-based v1. */
		if (random_bytes(rnd, sizeof(rnd)) == -1) {
			reply_message(resp, 503, "no random source");
			return;
		}
		uuid_v4(rnd, kid);
		uuid_format(kid, keytext);
		lss->key = keytext;
		lss->key_len = UUID_TEXT_LEN;
	}
	key.kind = LOCK_KIND_LSS;
	for (tries = 0; tries < CREATE_TRIES; tries++) {
		if (random_bytes(rnd, 10) == -1) {
			reply_message(resp, 503, "no random source");
			return;
		}
		ulid_make(store_now(svc->store), rnd, key.id);
		rc = store_change(svc->store, &key, &op, &d);
		if (rc != STORE_OK) {
			reply_store_error(resp, rc);
			return;
		}
		lock_decision_free(&d);
		if (d.verdict == LOCK_LSS_CREATED)
			break;
	}
	if (tries == CREATE_TRIES) {
		reply_message(resp, 503, "could not draw a free id");
		return;
	}
	ulid_format(key.id, idtext);
	reply_json_begin(resp, 200, &w, 1);
	codec_put_str(&w, "lockId", idtext);
	codec_put_string(&w, "lockKey", lss->key, lss->key_len);
	reply_json_end(&w);
}

/*
 * One LSS request; the route and the method are known to fit. id is the
 * text after /locks/ (NULL for create).
 */
void
lss_handle(struct service *svc, struct request *req, enum lss_action action,
    const char *id, struct response *resp)
{
	struct lock_op		 op;
	struct lock_decision	 d;
	struct store_key	 key;
	int			 rc;

	if (action == LSS_CREATE) {
		create(svc, req, resp);
		return;
	}
	key.kind = LOCK_KIND_LSS;
	if (ulid_parse(id, strlen(id), key.id) == -1) {
		reply_text(resp, 404, "Lock not found");
		return;
	}
	memset(&op, 0, sizeof(op));
	if (action == LSS_GET) {
		op.kind = LOCK_OP_LSS_GET;
		rc = store_view(svc->store, &key, &op, &d);
	} else {
		op.kind = LOCK_OP_LSS_SET;
		if (read_params(svc, req, 0, action == LSS_LOCK, &op.u.lss,
		    resp) == -1)
			return;
		op.u.lss.locked = action == LSS_LOCK;
		rc = store_change(svc->store, &key, &op, &d);
	}
	if (rc != STORE_OK) {
		reply_store_error(resp, rc);
		return;
	}
	lock_decision_free(&d);
	switch (d.verdict) {
	case LOCK_LSS_LOCKED:
		reply_empty(resp, 423);
		break;
	case LOCK_LSS_UNLOCKED:
	case LOCK_LSS_CHANGED:
		reply_empty(resp, 204);
		break;
	case LOCK_LSS_BAD_KEY:
		reply_text(resp, 401, "key is not valid");
		break;
	default:
		reply_text(resp, 404, "Lock not found");
		break;
	}
}
