/*
 * lock.c: the lock rules as pure functions (see lock.h).
 * The getlock semantics follow API.md section 1: PUT creates or refreshes,
 * GET reports, DELETE releases; expiry is exact to the millisecond and is
 * judged here, lazily, whenever a record is looked at.
 */
#include <string.h>

#include "lock.h"

/* A lock is held while now < expires: at the expiry instant it is free. */
int
lock_is_active(const struct lock_record *rec, int64_t now)
{
	return rec != NULL && now < rec->expires_ms;
}

/*
 * When the sweeper may remove the record: a getlock record at its expiry,
 * an LSS record at the end of its retention. Returns 0 for a record that
 * is never swept.
 */
int64_t
lock_sweep_at(const struct lock_record *rec)
{
	if (rec->kind == LOCK_KIND_LSS)
		return rec->keep_until_ms;
	return rec->expires_ms;
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

static void
decide(struct lock_decision *d, enum lock_verdict verdict,
    enum lock_write write, const struct lock_record *rec)
{
	memset(d, 0, sizeof(*d));
	d->verdict = verdict;
	d->write = write;
	if (rec != NULL) {
		d->record = *rec;
		d->has_record = 1;
	}
}

/*
 * PUT: a free or expired lock is acquired with next_fence and the
 * request's ttl (or the default); an active one is refreshed, keeping its
 * creation time and fence, with expires = now + ttl, where ttl is the
 * request's when given, else the lock's own.
 */
void
lock_put(const struct lock_record *cur, int64_t now, uint64_t next_fence,
    const struct lock_put *req, struct lock_decision *d)
{
	struct lock_record	 rec;

	if (lock_is_active(cur, now)) {
		rec = *cur;
		if (req->ttl_ms > 0)
			rec.ttl_ms = req->ttl_ms;
		rec.expires_ms = now + rec.ttl_ms;
		rec.updated_ms = now;
		decide(d, LOCK_REFRESHED, LOCK_WRITE_PUT, &rec);
		return;
	}
	memset(&rec, 0, sizeof(rec));
	rec.kind = LOCK_KIND_GETLOCK;
	rec.created_ms = now;
	rec.ttl_ms = req->ttl_ms > 0 ? req->ttl_ms : req->default_ttl_ms;
	rec.expires_ms = now + rec.ttl_ms;
	rec.updated_ms = now;
	rec.fence = next_fence;
	decide(d, LOCK_ACQUIRED, LOCK_WRITE_PUT, &rec);
	d->fence_used = 1;
}

/* GET: reports; never writes (an expired record is left to the sweeper). */
void
lock_get(const struct lock_record *cur, int64_t now, struct lock_decision *d)
{
	if (cur == NULL)
		decide(d, LOCK_NOT_FOUND, LOCK_WRITE_NONE, NULL);
	else if (lock_is_active(cur, now))
		decide(d, LOCK_ACTIVE, LOCK_WRITE_NONE, cur);
	else
		decide(d, LOCK_EXPIRED, LOCK_WRITE_NONE, cur);
}

/*
 * DELETE: removes an active lock; an expired record is removed too but
 * answered as not found, as getlock did.
 */
void
lock_delete(const struct lock_record *cur, int64_t now,
    struct lock_decision *d)
{
	if (cur == NULL)
		decide(d, LOCK_NOT_FOUND, LOCK_WRITE_NONE, NULL);
	else if (lock_is_active(cur, now))
		decide(d, LOCK_REMOVED, LOCK_WRITE_DELETE, cur);
	else {
		decide(d, LOCK_NOT_FOUND, LOCK_WRITE_DELETE, NULL);
	}
}

/*
 * LSS (API.md section 2): a lock is a state flag with a key. Locked while
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
void
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
void
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
void
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
