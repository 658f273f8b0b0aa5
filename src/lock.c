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
 * When the sweeper may remove the record: at its expiry. Returns 0 for a
 * record that is never swept.
 */
int64_t
lock_sweep_at(const struct lock_record *rec)
{
	return rec->expires_ms;
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
		decide(d, LOCK_REFRESHED, LOCK_WRITE_PUT, &rec);
		return;
	}
	memset(&rec, 0, sizeof(rec));
	rec.kind = LOCK_KIND_GETLOCK;
	rec.created_ms = now;
	rec.ttl_ms = req->ttl_ms > 0 ? req->ttl_ms : req->default_ttl_ms;
	rec.expires_ms = now + rec.ttl_ms;
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
