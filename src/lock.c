/*
 * lock.c: the lock rules as pure functions (see lock.h).
 * The getlock semantics follow doc/API.md section 1: PUT creates or refreshes,
 * GET reports, DELETE releases; expiry is exact to the millisecond and is
 * judged here, lazily, whenever a record is looked at.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdlib.h>
#include <string.h>

#include "lock.h"

/* Frees what a record owns (its further holders); the record stays valid
 * with no further holders. Accepts a zeroed record. */
void
lock_record_free(struct lock_record *rec)
{
	free(rec->more);
	rec->more = NULL;
	rec->nmore = 0;
}

/* Copies src into dst, further holders included. Returns 0, or -1 when
 * out of memory (dst then has no further holders). */
int
lock_record_copy(struct lock_record *dst, const struct lock_record *src)
{
	*dst = *src;
	dst->more = NULL;
	dst->nmore = 0;
	if (src->nmore == 0)
		return 0;
	if ((dst->more = calloc(src->nmore, sizeof(*src->more))) == NULL)
		return -1;
	memcpy(dst->more, src->more, src->nmore * sizeof(*src->more));
	dst->nmore = src->nmore;
	return 0;
}

void
lock_decision_free(struct lock_decision *d)
{
	lock_record_free(&d->record);
}

/* An owner token: 1 to 128 characters of A-Za-z0-9._~:@+=/- (doc/API.md). */
int
lock_owner_valid(const char *s, size_t len)
{
	size_t	 i;

	if (len < 1 || len > LOCK_OWNER_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    strchr("._~:@+=/-", s[i]) != NULL) || s[i] == '\0')
			return 0;
	return 1;
}

/* The first holder, kept in the record's own fields. */
static void
first_holder(const struct lock_record *rec, struct lock_holder *h)
{
	memset(h, 0, sizeof(*h));
	h->created_ms = rec->created_ms;
	h->ttl_ms = rec->ttl_ms;
	h->expires_ms = rec->expires_ms;
	h->fence = rec->fence;
	h->owner_len = rec->secret_len;
	memcpy(h->owner, rec->secret, rec->secret_len);
}

/* A getlock lock is held while any holder's now < expires: at the expiry
 * instant that hold is over. */
int
lock_is_active(const struct lock_record *rec, int64_t now)
{
	size_t	 i;

	if (rec == NULL)
		return 0;
	if (now < rec->expires_ms)
		return 1;
	for (i = 0; i < rec->nmore; i++)
		if (now < rec->more[i].expires_ms)
			return 1;
	return 0;
}

/*
 * When the sweeper may remove the record: a getlock record when its last
 * hold ends, an LSS record at the end of its retention. Returns 0 for a
 * record that is never swept.
 */
int64_t
lock_sweep_at(const struct lock_record *rec)
{
	int64_t	 at;
	size_t	 i;

	if (rec->kind == LOCK_KIND_LSS)
		return rec->keep_until_ms;
	at = rec->expires_ms;
	for (i = 0; i < rec->nmore; i++)
		if (rec->more[i].expires_ms > at)
			at = rec->more[i].expires_ms;
	return at;
}

/* Whether the sweeper may remove the record now. */
int
lock_sweepable(const struct lock_record *rec, int64_t now)
{
	int64_t	 at = lock_sweep_at(rec);

	return at > 0 && now >= at;
}

/*
 * Compares a key with the stored one in time that does not depend on
 * where they differ, so a key cannot be guessed byte by byte.
 * Returns 1 when equal.
 */
int
lock_key_equal(const char *given, size_t given_len, const char *stored,
    size_t stored_len)
{
	volatile unsigned char	 diff = 0;
	size_t			 i, n;
	unsigned char		 a, b;

	n = given_len > stored_len ? given_len : stored_len;
	diff |= given_len != stored_len;
	for (i = 0; i < n; i++) {
		a = i < given_len ? (unsigned char)given[i] : 0;
		b = i < stored_len ? (unsigned char)stored[i] : 0;
		diff |= a ^ b;
	}
	return diff == 0;
}

/*
 * Sets the decision; the record (when given) is copied, further holders
 * included. Returns 0, or -1 when out of memory (the verdict is then
 * LOCK_NO_MEMORY and nothing is written).
 */
static int
decide(struct lock_decision *d, enum lock_verdict verdict,
    enum lock_write write, const struct lock_record *rec)
{
	memset(d, 0, sizeof(*d));
	d->verdict = verdict;
	d->write = write;
	if (rec != NULL) {
		if (lock_record_copy(&d->record, rec) == -1) {
			memset(d, 0, sizeof(*d));
			d->verdict = LOCK_NO_MEMORY;
			return -1;
		}
		d->has_record = 1;
	}
	return 0;
}

/* The live holders (now < expires) of rec, as one new array that the
 * caller frees; NULL with *n 0 when there are none or memory ran out
 * (*oom set). */
static struct lock_holder *
live_holders(const struct lock_record *rec, int64_t now, size_t *n, int *oom)
{
	struct lock_holder	*h;
	size_t			 i;

	*n = 0;
	*oom = 0;
	if (rec == NULL || !lock_is_active(rec, now))
		return NULL;
	if ((h = calloc(rec->nmore + 1, sizeof(*h))) == NULL) {
		*oom = 1;
		return NULL;
	}
	first_holder(rec, &h[0]);
	if (now < h[0].expires_ms)
		(*n)++;
	for (i = 0; i < rec->nmore; i++)
		if (now < rec->more[i].expires_ms)
			h[(*n)++] = rec->more[i];
	return h;
}

/* Builds a getlock record from n >= 1 holders into rec (zeroed first).
 * Returns 0, or -1 when out of memory. */
static int
make_record(struct lock_record *rec, const struct lock_holder *h, size_t n,
    unsigned int limit, int64_t now)
{
	memset(rec, 0, sizeof(*rec));
	rec->kind = LOCK_KIND_GETLOCK;
	rec->limit = limit;
	rec->updated_ms = now;
	rec->created_ms = h[0].created_ms;
	rec->ttl_ms = h[0].ttl_ms;
	rec->expires_ms = h[0].expires_ms;
	rec->fence = h[0].fence;
	rec->secret_len = h[0].owner_len;
	memcpy(rec->secret, h[0].owner, h[0].owner_len);
	if (n > 1) {
		if ((rec->more = calloc(n - 1, sizeof(*h))) == NULL)
			return -1;
		memcpy(rec->more, h + 1, (n - 1) * sizeof(*h));
		rec->nmore = n - 1;
	}
	return 0;
}

/* The index of owner among h[0..n), or -1. */
static long
find_owner(const struct lock_holder *h, size_t n, const char *owner,
    size_t len)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (h[i].owner_len == len &&
		    (len == 0 || memcmp(h[i].owner, owner, len) == 0))
			return (long)i;
	return -1;
}

/* Whether any of h[0..n) holds with an owner. */
static int
any_owned(const struct lock_holder *h, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (h[i].owner_len > 0)
			return 1;
	return 0;
}

/* The hold that ends first: when a slot, or the lock, comes free. */
static size_t
first_to_end(const struct lock_holder *h, size_t n)
{
	size_t	 i, best = 0;

	for (i = 1; i < n; i++)
		if (h[i].expires_ms < h[best].expires_ms)
			best = i;
	return best;
}

/* Fills what a getlock answer shows: hold i of h[0..n). */
static void
show(struct lock_decision *d, const struct lock_holder *h, size_t n,
    size_t i, unsigned int limit)
{
	d->has_shown = 1;
	d->shown = h[i];
	d->holders = n;
	d->limit = limit;
	d->retry_at_ms = h[first_to_end(h, n)].expires_ms;
}

/* Writes the new set of holders (none: the record goes). */
static void
write_holders(struct lock_decision *d, enum lock_verdict verdict,
    const struct lock_holder *h, size_t n, unsigned int limit, int64_t now)
{
	struct lock_record	 rec;

	memset(d, 0, sizeof(*d));
	if (n == 0) {
		d->verdict = verdict;
		d->write = LOCK_WRITE_DELETE;
		return;
	}
	if (make_record(&rec, h, n, limit, now) == -1) {
		d->verdict = LOCK_NO_MEMORY;
		return;
	}
	d->verdict = verdict;
	d->write = LOCK_WRITE_PUT;
	d->record = rec;
	d->has_record = 1;
}

/*
 * PUT (doc/API.md section 1). Without an owner: getlock's unconditional
 * create-or-refresh, unless the lock is held with an owner (423). With an
 * owner: refresh our own hold, else take a free slot (limit, default 1),
 * else 423 with nothing changed. A refresh keeps its creation time and
 * fence, with expires = now + ttl (the request's, else the hold's own);
 * a new hold takes next_fence. Expired holds are dropped on the way.
 */
static void
lock_put(const struct lock_record *cur, int64_t now, uint64_t next_fence,
    const struct lock_put *req, struct lock_decision *d)
{
	struct lock_holder	*h, *all, mine;
	unsigned int		 limit;
	size_t			 n;
	long			 i;
	int			 oom;

	/* The owner released the lock while this PUT waited: the release
	 * came first and is never overtaken by the request it ended. */
	if (req->cancelled) {
		decide(d, LOCK_CANCELLED, LOCK_WRITE_NONE, NULL);
		return;
	}
	h = live_holders(cur, now, &n, &oom);
	if (oom) {
		decide(d, LOCK_NO_MEMORY, LOCK_WRITE_NONE, NULL);
		return;
	}
	limit = n > 0 ? (cur->limit > 0 ? cur->limit : 1) :
	    (req->limit > 0 ? req->limit : 1);
	if (n > 0 && req->limit > 0 && req->limit != limit) {
		decide(d, LOCK_LIMIT_CONFLICT, LOCK_WRITE_NONE, NULL);
		show(d, h, n, first_to_end(h, n), limit);
		goto done;
	}
	/* Our own hold (an owner's, or the one owner-less hold). */
	if (req->owner_len > 0)
		i = find_owner(h, n, req->owner, req->owner_len);
	else
		i = n > 0 && !any_owned(h, n) ? 0 : -1;
	if (i >= 0) {
		if (req->ttl_ms > 0)
			h[i].ttl_ms = req->ttl_ms;
		h[i].expires_ms = now + h[i].ttl_ms;
		write_holders(d, LOCK_REFRESHED, h, n, limit, now);
		show(d, h, n, (size_t)i, limit);
		goto done;
	}
#ifndef LOCKGATE_BROKEN_OWNER
	if (n >= limit || (n > 0 && (req->owner_len == 0 || !any_owned(h, n)))) {
#else
	/* Broken on purpose (configure --enable-broken=owner): a held lock
	 * is granted to anyone. */
	if (0) {
#endif
		decide(d, LOCK_HELD_OTHER, LOCK_WRITE_NONE, NULL);
		show(d, h, n, first_to_end(h, n), limit);
		goto done;
	}
	memset(&mine, 0, sizeof(mine));
	mine.created_ms = now;
	mine.ttl_ms = req->ttl_ms > 0 ? req->ttl_ms : req->default_ttl_ms;
	mine.expires_ms = now + mine.ttl_ms;
	mine.fence = next_fence;
	mine.owner_len = req->owner_len;
	/* A request without an owner has owner NULL: memcpy(x, NULL, 0) is
	 * undefined all the same (C11 7.24.1). */
	if (req->owner_len > 0)
		memcpy(mine.owner, req->owner, req->owner_len);
	if ((all = calloc(n + 1, sizeof(*all))) == NULL) {
		decide(d, LOCK_NO_MEMORY, LOCK_WRITE_NONE, NULL);
		goto done;
	}
	if (n > 0)
		memcpy(all, h, n * sizeof(*h));
	all[n] = mine;
	write_holders(d, LOCK_ACQUIRED, all, n + 1, limit, now);
	if (d->verdict == LOCK_ACQUIRED) {
		d->fence_used = 1;
		show(d, all, n + 1, n, limit);
	}
	free(all);
done:
	free(h);
}

/*
 * GET: reports and never writes (an expired record is left to the
 * sweeper). A semaphore with free slots answers LOCK_FREE_SLOTS.
 */
static void
lock_get(const struct lock_record *cur, int64_t now, struct lock_decision *d)
{
	struct lock_holder	*h, last;
	unsigned int		 limit;
	size_t			 n;
	int			 oom;

	if (cur == NULL) {
		decide(d, LOCK_NOT_FOUND, LOCK_WRITE_NONE, NULL);
		return;
	}
	h = live_holders(cur, now, &n, &oom);
	limit = cur->limit > 0 ? cur->limit : 1;
	if (oom)
		decide(d, LOCK_NO_MEMORY, LOCK_WRITE_NONE, NULL);
	else if (n == 0) {
		decide(d, LOCK_EXPIRED, LOCK_WRITE_NONE, cur);
		first_holder(cur, &last);
		show(d, &last, 0 + 1, 0, limit);
		d->holders = 0;
	} else {
		decide(d, n < limit ? LOCK_FREE_SLOTS : LOCK_ACTIVE,
		    LOCK_WRITE_NONE, cur);
		show(d, h, n, first_to_end(h, n), limit);
	}
	free(h);
}

/*
 * DELETE: with an owner, releases that owner's hold only (another's:
 * 423); without one, releases an owner-less hold (one held with an owner:
 * 423). Nothing live: 404, and an expired record is removed on the way.
 */
static void
lock_delete(const struct lock_record *cur, int64_t now,
    const struct lock_put *req, struct lock_decision *d)
{
	struct lock_holder	*h, gone;
	unsigned int		 limit;
	size_t			 n;
	long			 i;
	int			 oom;

	h = live_holders(cur, now, &n, &oom);
	if (oom) {
		decide(d, LOCK_NO_MEMORY, LOCK_WRITE_NONE, NULL);
		return;
	}
	if (n == 0) {
		decide(d, LOCK_NOT_FOUND, cur != NULL ? LOCK_WRITE_DELETE :
		    LOCK_WRITE_NONE, NULL);
		goto done;
	}
	limit = cur->limit > 0 ? cur->limit : 1;
	if (req != NULL && req->owner_len > 0)
		i = find_owner(h, n, req->owner, req->owner_len);
	else
		i = any_owned(h, n) ? -1 : 0;
	if (i < 0) {
		decide(d, LOCK_HELD_OTHER, LOCK_WRITE_NONE, NULL);
		show(d, h, n, first_to_end(h, n), limit);
		goto done;
	}
	gone = h[i];
	h[i] = h[n - 1];
	write_holders(d, LOCK_REMOVED, h, n - 1, limit, now);
	show(d, &gone, 1, 0, limit);
	d->holders = n - 1;
done:
	free(h);
}

/*
 * LSS (doc/API.md section 2): a lock is a state flag with a key. Locked while
 * the flag is set and any deadline is still ahead.
 */
int
lock_lss_is_locked(const struct lock_record *rec, int64_t now)
{
	return rec != NULL && rec->locked &&
	    (rec->expires_ms == 0 || now < rec->expires_ms);
}

static void
lss_retain(struct lock_record *rec, int64_t now, const struct lock_lss *req)
{
	rec->updated_ms = now;
	rec->keep_until_ms = req->retention_ms > 0 ?
	    now + req->retention_ms : 0;
}

/*
 * POST /locks: a new record under a fresh id, locked or not, with the
 * deadline only when created locked. An existing record means the random
 * id collided: LOCK_LSS_EXISTS, nothing written.
 */
static void
lock_lss_create(const struct lock_record *cur, int64_t now,
    const struct lock_lss *req, struct lock_decision *d)
{
	struct lock_record	 rec;

	if (cur != NULL) {
		decide(d, LOCK_LSS_EXISTS, LOCK_WRITE_NONE, NULL);
		return;
	}
	memset(&rec, 0, sizeof(rec));
	rec.kind = LOCK_KIND_LSS;
	rec.created_ms = now;
	rec.locked = req->locked;
	if (req->locked && req->ttl_ms > 0)
		rec.expires_ms = now + req->ttl_ms;
	memcpy(rec.secret, req->key, req->key_len);
	rec.secret_len = req->key_len;
	lss_retain(&rec, now, req);
	decide(d, LOCK_LSS_CREATED, LOCK_WRITE_PUT, &rec);
}

/* GET /locks/<id>: 423 locked, 204 unlocked or past its deadline. */
static void
lock_lss_get(const struct lock_record *cur, int64_t now,
    struct lock_decision *d)
{
	if (cur == NULL)
		decide(d, LOCK_LSS_NOT_FOUND, LOCK_WRITE_NONE, NULL);
	else if (lock_lss_is_locked(cur, now))
		decide(d, LOCK_LSS_LOCKED, LOCK_WRITE_NONE, cur);
	else
		decide(d, LOCK_LSS_UNLOCKED, LOCK_WRITE_NONE, cur);
}

/*
 * PATCH /locks/<id>/lock and /unlock: unknown id first, then the key.
 * Lock sets the deadline to now + e, or clears it ("locked forever", the
 * documented intent that LSS itself missed); with nx a locked lock is left
 * alone (423), making the flag a test-and-set. Unlock clears both.
 */
static void
lock_lss_set(const struct lock_record *cur, int64_t now,
    const struct lock_lss *req, struct lock_decision *d)
{
	struct lock_record	 rec;

	if (cur == NULL) {
		decide(d, LOCK_LSS_NOT_FOUND, LOCK_WRITE_NONE, NULL);
		return;
	}
	if (req->key == NULL ||
	    !lock_key_equal(req->key, req->key_len, cur->secret,
	    cur->secret_len)) {
		decide(d, LOCK_LSS_BAD_KEY, LOCK_WRITE_NONE, NULL);
		return;
	}
	if (req->locked && req->nx && lock_lss_is_locked(cur, now)) {
		decide(d, LOCK_LSS_LOCKED, LOCK_WRITE_NONE, NULL);
		return;
	}
	rec = *cur;
	rec.locked = req->locked;
	rec.expires_ms = req->locked && req->ttl_ms > 0 ? now + req->ttl_ms : 0;
	lss_retain(&rec, now, req);
	decide(d, LOCK_LSS_CHANGED, LOCK_WRITE_PUT, &rec);
}

/*
 * The one entry point to the rules: decides op on the lock whose record
 * is cur (NULL: none) at the instant now, next_fence being the fence a
 * new hold takes. Fills out, which the caller frees with
 * lock_decision_free().
 */
void
lock_decide(const struct lock_record *cur, int64_t now, uint64_t next_fence,
    const struct lock_op *op, struct lock_decision *out)
{
	switch (op->kind) {
	case LOCK_OP_PUT:
		lock_put(cur, now, next_fence, &op->u.put, out);
		break;
	case LOCK_OP_DELETE:
		lock_delete(cur, now, &op->u.put, out);
		break;
	case LOCK_OP_LSS_CREATE:
		lock_lss_create(cur, now, &op->u.lss, out);
		break;
	case LOCK_OP_LSS_GET:
		lock_lss_get(cur, now, out);
		break;
	case LOCK_OP_LSS_SET:
		lock_lss_set(cur, now, &op->u.lss, out);
		break;
	default:
		lock_get(cur, now, out);
		break;
	}
	out->now_ms = now;
}
