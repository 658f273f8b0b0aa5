/*
 * test_lock.c: the lock rules of lock.c, called directly with an injected
 * "now": getlock's PUT, GET and DELETE with expiry at the exact
 * millisecond, owners and semaphores; the constant-time key comparison;
 * and the LSS rules (create, deadlines at the exact millisecond, lock and
 * unlock with a key, nx, retention and the sweeper).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include "lock.h"
#include "tests.h"

#define T0		1700000000000LL	/* an instant, ms since the epoch */
#define MAX_TTL_MS	(604800LL * 1000)
#define KEY		"3f1c0a52-9b1e-4c7d-8e2f-0a1b2c3d4e5f"	/* an LSS key */

/* The rules through lock_decide(), one request kind each. */
static void
rule_put(const struct lock_record *cur, int64_t now, uint64_t fence,
    const struct lock_put *req, struct lock_decision *d)
{
	struct lock_op	 o = { .kind = LOCK_OP_PUT };

	o.u.put = *req;
	lock_decide(cur, now, fence, &o, d);
}

static void
rule_get(const struct lock_record *cur, int64_t now, struct lock_decision *d)
{
	struct lock_op	 o = { .kind = LOCK_OP_GET };

	lock_decide(cur, now, 0, &o, d);
}

static void
rule_delete(const struct lock_record *cur, int64_t now,
    const struct lock_put *req, struct lock_decision *d)
{
	struct lock_op	 o = { .kind = LOCK_OP_DELETE };

	if (req != NULL)
		o.u.put = *req;
	lock_decide(cur, now, 0, &o, d);
}

/* A held lock: created at T0, ttl 30 s, fence 7. */
static struct lock_record
held(void)
{
	struct lock_record	 r;

	memset(&r, 0, sizeof(r));
	r.kind = LOCK_KIND_GETLOCK;
	r.created_ms = T0;
	r.ttl_ms = 30000;
	r.expires_ms = T0 + 30000;
	r.fence = 7;
	return r;
}

static void
test_is_active_boundary(void)
{
	struct lock_record	 r = held();

	CU_ASSERT_EQUAL(lock_is_active(&r, T0), 1);
	CU_ASSERT_EQUAL(lock_is_active(&r, T0 + 29999), 1);
	CU_ASSERT_EQUAL(lock_is_active(&r, T0 + 30000), 0);
	CU_ASSERT_EQUAL(lock_is_active(&r, T0 + 30001), 0);
	CU_ASSERT_EQUAL(lock_is_active(NULL, T0), 0);
}

static void
test_put_none(void)
{
	struct lock_put		 req = { .ttl_ms = 5000, .default_ttl_ms = 60000 };
	struct lock_decision	 d;

	rule_put(NULL, T0, 42, &req, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_PUT);
	CU_ASSERT_EQUAL(d.fence_used, 1);
	CU_ASSERT_EQUAL(d.has_record, 1);
	CU_ASSERT_EQUAL(d.record.kind, LOCK_KIND_GETLOCK);
	CU_ASSERT_EQUAL(d.record.fence, 42);
	CU_ASSERT_EQUAL(d.record.created_ms, T0);
	CU_ASSERT_EQUAL(d.record.ttl_ms, 5000);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 5000);
	CU_ASSERT_EQUAL(d.record.updated_ms, T0);
	CU_ASSERT_EQUAL(d.record.secret_len, 0);
}

static void
test_put_default_ttl(void)
{
	struct lock_put		 req = { .ttl_ms = 0, .default_ttl_ms = 60000 };
	struct lock_decision	 d;

	rule_put(NULL, T0, 1, &req, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.record.ttl_ms, 60000);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 60000);
	CU_ASSERT_EQUAL(d.record.fence, 1);
}

static void
test_put_refresh_keeps_ttl(void)
{
	struct lock_record	 r = held();
	struct lock_put		 req = { .ttl_ms = 0, .default_ttl_ms = 60000 };
	struct lock_decision	 d;

	rule_put(&r, T0 + 10000, 99, &req, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_PUT);
	CU_ASSERT_EQUAL(d.fence_used, 0);
	CU_ASSERT_EQUAL(d.has_record, 1);
	CU_ASSERT_EQUAL(d.record.fence, 7);
	CU_ASSERT_EQUAL(d.record.created_ms, T0);
	CU_ASSERT_EQUAL(d.record.ttl_ms, 30000);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 10000 + 30000);
	CU_ASSERT_EQUAL(d.record.updated_ms, T0 + 10000);
}

static void
test_put_refresh_new_ttl(void)
{
	struct lock_record	 r = held();
	struct lock_put		 req = { .ttl_ms = 2500, .default_ttl_ms = 60000 };
	struct lock_decision	 d;

	rule_put(&r, T0 + 10000, 99, &req, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	CU_ASSERT_EQUAL(d.fence_used, 0);
	CU_ASSERT_EQUAL(d.record.fence, 7);
	CU_ASSERT_EQUAL(d.record.created_ms, T0);
	CU_ASSERT_EQUAL(d.record.ttl_ms, 2500);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 10000 + 2500);
}

/* One millisecond before expiry the lock is still held: a refresh. */
static void
test_put_last_active_ms(void)
{
	struct lock_record	 r = held();
	struct lock_put		 req = { .ttl_ms = 0, .default_ttl_ms = 60000 };
	struct lock_decision	 d;

	rule_put(&r, T0 + 29999, 8, &req, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	CU_ASSERT_EQUAL(d.record.fence, 7);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 29999 + 30000);
}

/* At the expiry instant the lock is free: a new acquisition. */
static void
test_put_expired_at_boundary(void)
{
	struct lock_record	 r = held();
	struct lock_put		 req = { .ttl_ms = 0, .default_ttl_ms = 60000 };
	struct lock_decision	 d;

	rule_put(&r, T0 + 30000, 8, &req, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_PUT);
	CU_ASSERT_EQUAL(d.fence_used, 1);
	CU_ASSERT_EQUAL(d.record.fence, 8);
	CU_ASSERT_EQUAL(d.record.created_ms, T0 + 30000);
	/* The old lock's ttl is not inherited: the default applies. */
	CU_ASSERT_EQUAL(d.record.ttl_ms, 60000);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 30000 + 60000);
}

static void
test_put_expired_long_ago(void)
{
	struct lock_record	 r = held();
	struct lock_put		 req = { .ttl_ms = 1000, .default_ttl_ms = 60000 };
	struct lock_decision	 d;

	rule_put(&r, T0 + 86400000, 12, &req, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.record.fence, 12);
	CU_ASSERT_EQUAL(d.record.created_ms, T0 + 86400000);
	CU_ASSERT_EQUAL(d.record.ttl_ms, 1000);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 86400000 + 1000);
}

/*
 * A waiting PUT whose owner released the lock since the wait began
 * (cancelled, as the store learns it): refused, nothing written, no
 * fence, whatever the lock's state.
 */
static void
test_put_cancelled(void)
{
	struct lock_put		 req = { .default_ttl_ms = 60000, .owner = "a",
	    .owner_len = 1, .waiting = 1, .cancelled = 1 };
	struct lock_record	 r = held();
	struct lock_decision	 d;

	rule_put(NULL, T0, 42, &req, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_CANCELLED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	CU_ASSERT_EQUAL(d.fence_used, 0);
	CU_ASSERT_EQUAL(d.has_shown, 0);
	lock_decision_free(&d);
	/* Held by another, and held by the owner itself. */
	rule_put(&r, T0 + 1, 42, &req, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_CANCELLED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	lock_decision_free(&d);
	r.secret[0] = 'a';
	r.secret_len = 1;
	rule_put(&r, T0 + 1, 42, &req, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_CANCELLED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	lock_decision_free(&d);
	/* Not cancelled, the same request refreshes its hold. */
	req.cancelled = 0;
	rule_put(&r, T0 + 1, 42, &req, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	lock_decision_free(&d);
}

static void
test_get_none(void)
{
	struct lock_decision	 d;

	rule_get(NULL, T0, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_NOT_FOUND);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	CU_ASSERT_EQUAL(d.has_record, 0);
	CU_ASSERT_EQUAL(d.fence_used, 0);
}

static void
test_get_active(void)
{
	struct lock_record	 r = held();
	struct lock_decision	 d;

	rule_get(&r, T0 + 29999, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACTIVE);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	CU_ASSERT_EQUAL(d.has_record, 1);
	CU_ASSERT_EQUAL(d.fence_used, 0);
	CU_ASSERT_EQUAL(d.record.fence, 7);
	CU_ASSERT_EQUAL(d.record.created_ms, T0);
	CU_ASSERT_EQUAL(d.record.ttl_ms, 30000);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 30000);
}

static void
test_get_expired(void)
{
	struct lock_record	 r = held();
	struct lock_decision	 d;

	rule_get(&r, T0 + 30000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_EXPIRED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	CU_ASSERT_EQUAL(d.has_record, 1);
	CU_ASSERT_EQUAL(d.record.fence, 7);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 30000);
}

static void
test_delete_none(void)
{
	struct lock_decision	 d;

	rule_delete(NULL, T0, NULL, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_NOT_FOUND);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	CU_ASSERT_EQUAL(d.has_record, 0);
}

static void
test_delete_active(void)
{
	struct lock_record	 r = held();
	struct lock_decision	 d;

	rule_delete(&r, T0 + 29999, NULL, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REMOVED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_DELETE);
	CU_ASSERT_EQUAL(d.has_record, 0);
	CU_ASSERT_EQUAL(d.fence_used, 0);
	/* The answer shows the hold that was removed. */
	CU_ASSERT_EQUAL(d.has_shown, 1);
	CU_ASSERT_EQUAL(d.shown.fence, 7);
	CU_ASSERT_EQUAL(d.shown.created_ms, T0);
	CU_ASSERT_EQUAL(d.shown.expires_ms, T0 + 30000);
	CU_ASSERT_EQUAL(d.holders, 0);
}

static void
test_delete_expired(void)
{
	struct lock_record	 r = held();
	struct lock_decision	 d;

	rule_delete(&r, T0 + 30000, NULL, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_NOT_FOUND);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_DELETE);
	CU_ASSERT_EQUAL(d.has_record, 0);
	CU_ASSERT_EQUAL(d.fence_used, 0);
}

static void
test_sweep_at(void)
{
	struct lock_record	 r = held();

	CU_ASSERT_EQUAL(lock_sweep_at(&r), T0 + 30000);
	CU_ASSERT_EQUAL(lock_sweepable(&r, T0 + 29999), 0);
	CU_ASSERT_EQUAL(lock_sweepable(&r, T0 + 30000), 1);
	CU_ASSERT_EQUAL(lock_sweepable(&r, T0 + 30001), 1);
	r.expires_ms = 1;
	CU_ASSERT_EQUAL(lock_sweep_at(&r), 1);
	CU_ASSERT_EQUAL(lock_sweepable(&r, 0), 0);
	CU_ASSERT_EQUAL(lock_sweepable(&r, 1), 1);
	/* 0 means never. */
	r.expires_ms = 0;
	CU_ASSERT_EQUAL(lock_sweepable(&r, T0), 0);
}

/* lock_key_equal on two NUL-terminated texts. */
static int
key_eq(const char *a, const char *b)
{
	return lock_key_equal(a, strlen(a), b, strlen(b));
}

/* The constant-time comparison of LSS keys: lengths and every byte. */
static void
test_key_equal(void)
{
	static const char	 nul_a[] = { 'a', '\0', 'b' };
	static const char	 nul_b[] = { 'a', '\0', 'c' };

	CU_ASSERT_EQUAL(lock_key_equal("abc", 3, "abc", 3), 1);
	CU_ASSERT_EQUAL(key_eq(KEY, KEY), 1);
	CU_ASSERT_EQUAL(key_eq("x", "x"), 1);
	/* Two empty keys are alike (the rules never store one). */
	CU_ASSERT_EQUAL(lock_key_equal("", 0, "", 0), 1);
	CU_ASSERT_EQUAL(lock_key_equal("abc", 3, "abd", 3), 0);
	/* Same length, one byte differs: first, middle, last. */
	CU_ASSERT_EQUAL(key_eq("xbcd", "abcd"), 0);
	CU_ASSERT_EQUAL(key_eq("abxd", "abcd"), 0);
	CU_ASSERT_EQUAL(key_eq("abcx", "abcd"), 0);
	/* Case matters. */
	CU_ASSERT_EQUAL(key_eq("ABCD", "abcd"), 0);
	/* A prefix either way round. */
	CU_ASSERT_EQUAL(lock_key_equal("abc", 3, "ab", 2), 0);
	CU_ASSERT_EQUAL(lock_key_equal("ab", 2, "abc", 3), 0);
	CU_ASSERT_EQUAL(key_eq("abc", "abcd"), 0);
	CU_ASSERT_EQUAL(key_eq("abcd", "abc"), 0);
	CU_ASSERT_EQUAL(lock_key_equal("", 0, "a", 1), 0);
	CU_ASSERT_EQUAL(key_eq("", "abcd"), 0);
	CU_ASSERT_EQUAL(key_eq("abcd", ""), 0);
	/* A trailing NUL is a difference, not padding. */
	CU_ASSERT_EQUAL(lock_key_equal("ab\0", 3, "ab", 2), 0);
	CU_ASSERT_EQUAL(lock_key_equal("ab", 2, "ab\0", 3), 0);
	/* Lengths, not NULs, end the keys. */
	CU_ASSERT_EQUAL(lock_key_equal(nul_a, 3, nul_b, 3), 0);
	CU_ASSERT_EQUAL(lock_key_equal(nul_a, 3, nul_a, 3), 1);
	CU_ASSERT_EQUAL(lock_key_equal("abX", 2, "abY", 2), 1);
}

/*
 * Owners and semaphores (doc/API.md section 1 extensions). A tiny stand-in
 * for the store: the current record and the fence counter, changed by each
 * decision as store.c would.
 */
static struct lock_record	 cur_rec;
static int			 cur_has;
static uint64_t			 fence_counter;

static void
reset(void)
{
	if (cur_has)
		lock_record_free(&cur_rec);
	memset(&cur_rec, 0, sizeof(cur_rec));
	cur_has = 0;
	fence_counter = 0;
}

/* Applies d to the stand-in store and keeps it for the caller to check. */
static void
apply(struct lock_decision *d)
{
	if (d->fence_used)
		fence_counter++;
	if (d->write == LOCK_WRITE_PUT) {
		if (cur_has)
			lock_record_free(&cur_rec);
		CU_ASSERT_EQUAL(lock_record_copy(&cur_rec, &d->record), 0);
		cur_has = 1;
	} else if (d->write == LOCK_WRITE_DELETE && cur_has) {
		lock_record_free(&cur_rec);
		cur_has = 0;
	}
}

static void
oput(const char *owner, unsigned int limit, int64_t ttl_ms, int64_t now,
    struct lock_decision *d)
{
	struct lock_put	 req;

	memset(&req, 0, sizeof(req));
	req.ttl_ms = ttl_ms;
	req.default_ttl_ms = 60000;
	req.owner = owner;
	req.owner_len = owner != NULL ? strlen(owner) : 0;
	req.limit = limit;
	rule_put(cur_has ? &cur_rec : NULL, now, fence_counter + 1, &req, d);
	apply(d);
}

static void
odel(const char *owner, int64_t now, struct lock_decision *d)
{
	struct lock_put	 req;

	memset(&req, 0, sizeof(req));
	req.owner = owner;
	req.owner_len = owner != NULL ? strlen(owner) : 0;
	rule_delete(cur_has ? &cur_rec : NULL, now, &req, d);
	apply(d);
}

static void
test_owner_mutex(void)
{
	struct lock_decision	 d;

	reset();
	oput("ann", 0, 10000, T0, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.shown.fence, 1);
	CU_ASSERT_EQUAL(d.holders, 1);
	CU_ASSERT_EQUAL(d.limit, 1);
	lock_decision_free(&d);
	/* Ours again: a refresh with the same fence. */
	oput("ann", 0, 0, T0 + 4000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	CU_ASSERT_EQUAL(d.shown.fence, 1);
	CU_ASSERT_EQUAL(d.shown.expires_ms, T0 + 14000);
	CU_ASSERT_EQUAL(d.shown.created_ms, T0);
	lock_decision_free(&d);
	/* Anyone else, with or without an owner: 423, nothing written, and
	 * the lock may be had when the hold ends. */
	oput("bob", 0, 0, T0 + 5000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_HELD_OTHER);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	CU_ASSERT_EQUAL(d.fence_used, 0);
	CU_ASSERT_EQUAL(d.retry_at_ms, T0 + 14000);
	lock_decision_free(&d);
	oput(NULL, 0, 0, T0 + 5000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_HELD_OTHER);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	lock_decision_free(&d);
	odel("bob", T0 + 5000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_HELD_OTHER);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	lock_decision_free(&d);
	odel(NULL, T0 + 5000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_HELD_OTHER);
	lock_decision_free(&d);
	CU_ASSERT_EQUAL(cur_has, 1);
	/* At the expiry instant it is anyone's, with a new fence. */
	oput("bob", 0, 0, T0 + 14000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.shown.fence, 2);
	lock_decision_free(&d);
	odel("bob", T0 + 15000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REMOVED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_DELETE);
	CU_ASSERT_EQUAL(d.shown.fence, 2);
	lock_decision_free(&d);
	odel("bob", T0 + 15000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_NOT_FOUND);
	lock_decision_free(&d);
	reset();
}

/* A lock held without an owner cannot be taken by one. */
static void
test_owner_vs_plain(void)
{
	struct lock_decision	 d;

	reset();
	oput(NULL, 0, 10000, T0, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	lock_decision_free(&d);
	oput("ann", 0, 0, T0 + 1, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_HELD_OTHER);
	lock_decision_free(&d);
	odel("ann", T0 + 1, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_HELD_OTHER);
	lock_decision_free(&d);
	/* Plain PUT and DELETE keep getlock's behaviour. */
	oput(NULL, 0, 0, T0 + 2, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	lock_decision_free(&d);
	odel(NULL, T0 + 3, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REMOVED);
	lock_decision_free(&d);
	reset();
}

static void
test_semaphore(void)
{
	struct lock_decision	 d;
	static const char *const who[] = { "a", "b", "c" };
	size_t			 i;

	reset();
	for (i = 0; i < 3; i++) {
		oput(who[i], 3, i == 0 ? 1000 : 10000, T0, &d);
		CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
		CU_ASSERT_EQUAL(d.shown.fence, i + 1);
		CU_ASSERT_EQUAL(d.holders, i + 1);
		CU_ASSERT_EQUAL(d.limit, 3);
		lock_decision_free(&d);
	}
	CU_ASSERT_EQUAL(lock_sweep_at(&cur_rec), T0 + 10000);
	/* Full: the fourth waits for the hold that ends first. */
	oput("d", 3, 0, T0 + 1, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_HELD_OTHER);
	CU_ASSERT_EQUAL(d.retry_at_ms, T0 + 1000);
	lock_decision_free(&d);
	rule_get(&cur_rec, T0 + 1, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACTIVE);
	CU_ASSERT_EQUAL(d.holders, 3);
	lock_decision_free(&d);
	/* Another limit while held: 409. */
	oput("d", 2, 0, T0 + 1, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LIMIT_CONFLICT);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	lock_decision_free(&d);
	/* Each holder has its own expiry: a's ends, a slot is free. */
	rule_get(&cur_rec, T0 + 1000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_FREE_SLOTS);
	CU_ASSERT_EQUAL(d.holders, 2);
	lock_decision_free(&d);
	oput("d", 0, 0, T0 + 1000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.shown.fence, 4);
	CU_ASSERT_EQUAL(d.holders, 3);
	CU_ASSERT_EQUAL(d.record.nmore, 2);
	lock_decision_free(&d);
	/* Releasing one hold keeps the others. */
	odel("b", T0 + 2000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REMOVED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_PUT);
	CU_ASSERT_EQUAL(d.shown.fence, 2);
	CU_ASSERT_EQUAL(d.holders, 2);
	lock_decision_free(&d);
	odel("b", T0 + 2000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_HELD_OTHER);
	lock_decision_free(&d);
	oput("c", 0, 0, T0 + 3000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	CU_ASSERT_EQUAL(d.shown.fence, 3);
	lock_decision_free(&d);
	/* When every hold has ended the first owner sets a new limit. */
	oput("e", 5, 0, T0 + 100000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.limit, 5);
	CU_ASSERT_EQUAL(d.holders, 1);
	CU_ASSERT_EQUAL(d.shown.fence, 5);
	lock_decision_free(&d);
	reset();
}

static void
test_owner_valid(void)
{
	char	 max[LOCK_OWNER_MAX + 1];

	memset(max, 'x', sizeof(max));
	CU_ASSERT_EQUAL(lock_owner_valid("job-1.a_b~c:d@e+f=g/h", 21), 1);
	CU_ASSERT_EQUAL(lock_owner_valid(max, LOCK_OWNER_MAX), 1);
	CU_ASSERT_EQUAL(lock_owner_valid(max, LOCK_OWNER_MAX + 1), 0);
	CU_ASSERT_EQUAL(lock_owner_valid("", 0), 0);
	CU_ASSERT_EQUAL(lock_owner_valid("a b", 3), 0);
	CU_ASSERT_EQUAL(lock_owner_valid("a\nb", 3), 0);
	CU_ASSERT_EQUAL(lock_owner_valid("a\0b", 3), 0);
	CU_ASSERT_EQUAL(lock_owner_valid("\xc3\xa9", 2), 0);
}

/* ------------------------------------------------------------------ */
/* The LSS rules (doc/API.md section 2) */

/* The LSS rules through lock_decide(), one request kind each. */
static void
rule_lss_create(const struct lock_record *cur, int64_t now,
    const struct lock_lss *req, struct lock_decision *d)
{
	struct lock_op	 o = { .kind = LOCK_OP_LSS_CREATE };

	o.u.lss = *req;
	lock_decide(cur, now, 0, &o, d);
}

static void
rule_lss_get(const struct lock_record *cur, int64_t now,
    struct lock_decision *d)
{
	struct lock_op	 o = { .kind = LOCK_OP_LSS_GET };

	lock_decide(cur, now, 0, &o, d);
}

static void
rule_lss_set(const struct lock_record *cur, int64_t now,
    const struct lock_lss *req, struct lock_decision *d)
{
	struct lock_op	 o = { .kind = LOCK_OP_LSS_SET };

	o.u.lss = *req;
	lock_decide(cur, now, 0, &o, d);
}

/* A stored LSS record: key KEY, created at T0, unlocked. */
static struct lock_record
lss_record(int locked, int64_t expires_ms)
{
	struct lock_record	 r;

	memset(&r, 0, sizeof(r));
	r.kind = LOCK_KIND_LSS;
	r.locked = locked;
	r.created_ms = T0;
	r.updated_ms = T0;
	r.expires_ms = expires_ms;
	r.secret_len = strlen(KEY);
	memcpy(r.secret, KEY, r.secret_len);
	return r;
}

/* A request with the right key. */
static struct lock_lss
lss_req(int locked, int64_t ttl_ms, int nx)
{
	struct lock_lss	 q;

	memset(&q, 0, sizeof(q));
	q.locked = locked;
	q.ttl_ms = ttl_ms;
	q.nx = nx;
	q.key = KEY;
	q.key_len = strlen(KEY);
	return q;
}

static void
test_lss_create_unlocked(void)
{
	struct lock_lss		 q = lss_req(0, 0, 0);
	struct lock_decision	 d;

	rule_lss_create(NULL, T0, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_CREATED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_PUT);
	CU_ASSERT_EQUAL(d.has_record, 1);
	CU_ASSERT_EQUAL(d.fence_used, 0);
	CU_ASSERT_EQUAL(d.record.kind, LOCK_KIND_LSS);
	CU_ASSERT_EQUAL(d.record.locked, 0);
	CU_ASSERT_EQUAL(d.record.expires_ms, 0);
	CU_ASSERT_EQUAL(d.record.created_ms, T0);
	CU_ASSERT_EQUAL(d.record.updated_ms, T0);
	CU_ASSERT_EQUAL(d.record.keep_until_ms, 0);
	CU_ASSERT_EQUAL(d.record.secret_len, strlen(KEY));
	CU_ASSERT_EQUAL(memcmp(d.record.secret, KEY, strlen(KEY)), 0);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&d.record, T0), 0);
	lock_decision_free(&d);
}

static void
test_lss_create_locked_forever(void)
{
	struct lock_lss		 q = lss_req(1, 0, 0);
	struct lock_decision	 d;

	rule_lss_create(NULL, T0, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_CREATED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_PUT);
	CU_ASSERT_EQUAL(d.record.locked, 1);
	CU_ASSERT_EQUAL(d.record.expires_ms, 0);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&d.record, T0), 1);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&d.record, T0 + MAX_TTL_MS * 100),
	    1);
	lock_decision_free(&d);
}

static void
test_lss_create_locked_deadline(void)
{
	struct lock_lss		 q = lss_req(1, 500, 0);
	struct lock_decision	 d;

	rule_lss_create(NULL, T0, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_CREATED);
	CU_ASSERT_EQUAL(d.record.locked, 1);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 500);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&d.record, T0 + 499), 1);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&d.record, T0 + 500), 0);
	lock_decision_free(&d);
}

static void
test_lss_create_e_unlocked(void)
{
	struct lock_lss		 q = lss_req(0, 500, 0);
	struct lock_decision	 d;

	/* e only counts for a lock created locked. */
	rule_lss_create(NULL, T0, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_CREATED);
	CU_ASSERT_EQUAL(d.record.locked, 0);
	CU_ASSERT_EQUAL(d.record.expires_ms, 0);
	lock_decision_free(&d);
}

static void
test_lss_create_collision(void)
{
	struct lock_record	 r = lss_record(1, 0);
	struct lock_lss		 q = lss_req(0, 0, 0);
	struct lock_decision	 d;

	rule_lss_create(&r, T0 + 5, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_EXISTS);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	CU_ASSERT_EQUAL(d.has_record, 0);
	lock_decision_free(&d);
}

static void
test_lss_create_retention(void)
{
	struct lock_lss		 q = lss_req(1, 500, 0);
	struct lock_decision	 d;

	q.retention_ms = 86400000;
	rule_lss_create(NULL, T0, &q, &d);
	CU_ASSERT_EQUAL(d.record.keep_until_ms, T0 + 86400000);
	CU_ASSERT_EQUAL(lock_sweep_at(&d.record), T0 + 86400000);
	lock_decision_free(&d);
	q.retention_ms = 0;
	rule_lss_create(NULL, T0, &q, &d);
	CU_ASSERT_EQUAL(d.record.keep_until_ms, 0);
	CU_ASSERT_EQUAL(lock_sweep_at(&d.record), 0);
	lock_decision_free(&d);
}

static void
test_lss_create_long_key(void)
{
	char			 key[LOCK_SECRET_MAX + 1];
	struct lock_lss		 q = lss_req(0, 0, 0);
	struct lock_decision	 d;

	memset(key, 'k', LOCK_SECRET_MAX);
	key[LOCK_SECRET_MAX - 1] = 'z';
	q.key = key;
	q.key_len = LOCK_SECRET_MAX;
	rule_lss_create(NULL, T0, &q, &d);
	CU_ASSERT_EQUAL(d.record.secret_len, LOCK_SECRET_MAX);
	CU_ASSERT_EQUAL(memcmp(d.record.secret, key, LOCK_SECRET_MAX), 0);
	lock_decision_free(&d);
}

static void
test_lss_is_locked_boundary(void)
{
	struct lock_record	 r = lss_record(1, T0 + 1000);
	struct lock_record	 forever = lss_record(1, 0);
	struct lock_record	 off = lss_record(0, 0);
	struct lock_record	 off_deadline = lss_record(0, T0 + 1000);

	CU_ASSERT_EQUAL(lock_lss_is_locked(&r, T0), 1);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&r, T0 + 999), 1);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&r, T0 + 1000), 0);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&r, T0 + 1001), 0);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&forever, T0 + 1000000000), 1);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&off, T0), 0);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&off_deadline, T0), 0);
	CU_ASSERT_EQUAL(lock_lss_is_locked(NULL, T0), 0);
}

static void
test_lss_get(void)
{
	struct lock_record	 r = lss_record(1, T0 + 1000);
	struct lock_record	 off = lss_record(0, 0);
	struct lock_decision	 d;

	rule_lss_get(NULL, T0, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_NOT_FOUND);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	lock_decision_free(&d);
	rule_lss_get(&r, T0 + 999, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_LOCKED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	lock_decision_free(&d);
	/* At the deadline it is unlocked; the record stays as it is. */
	rule_lss_get(&r, T0 + 1000, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_UNLOCKED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	lock_decision_free(&d);
	rule_lss_get(&off, T0 + 5, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_UNLOCKED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	lock_decision_free(&d);
}

static void
test_lss_set_not_found_first(void)
{
	struct lock_lss		 q = lss_req(1, 0, 0);
	struct lock_decision	 d;

	/* No record: 404 whatever the key, even none. */
	q.key = "wrong";
	q.key_len = 5;
	rule_lss_set(NULL, T0, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_NOT_FOUND);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	lock_decision_free(&d);
	q.key = NULL;
	q.key_len = 0;
	rule_lss_set(NULL, T0, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_NOT_FOUND);
	lock_decision_free(&d);
	q.locked = 0;
	rule_lss_set(NULL, T0, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_NOT_FOUND);
	lock_decision_free(&d);
}

static void
test_lss_set_bad_key(void)
{
	static const char *const wrong[] = {
		"3f1c0a52-9b1e-4c7d-8e2f-0a1b2c3d4e5e",	/* last differs */
		"3f1c0a52-9b1e-4c7d-8e2f-0a1b2c3d4e5",	/* a prefix */
		"3f1c0a52-9b1e-4c7d-8e2f-0a1b2c3d4e5f0",	/* longer */
		"3F1C0A52-9B1E-4C7D-8E2F-0A1B2C3D4E5F",	/* other case */
		"",
	};
	struct lock_record	 r = lss_record(0, 0);
	struct lock_lss		 q;
	struct lock_decision	 d;
	size_t			 i;
	int			 locked;

	for (locked = 0; locked <= 1; locked++) {
		for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
			q = lss_req(locked, 0, 0);
			q.key = wrong[i];
			q.key_len = strlen(wrong[i]);
			rule_lss_set(&r, T0, &q, &d);
			test_assert(d.verdict == LOCK_LSS_BAD_KEY &&
			    d.write == LOCK_WRITE_NONE, TEST_HERE,
			    "%s with key '%s': verdict %d, write %d",
			    locked ? "lock" : "unlock", wrong[i], d.verdict,
			    d.write);
			lock_decision_free(&d);
		}
		/* No key at all. */
		q = lss_req(locked, 0, 0);
		q.key = NULL;
		q.key_len = 0;
		rule_lss_set(&r, T0, &q, &d);
		CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_BAD_KEY);
		CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
		lock_decision_free(&d);
	}
}

static void
test_lss_set_lock_forever(void)
{
	struct lock_record	 r = lss_record(1, T0 + 500);
	struct lock_lss		 q = lss_req(1, 0, 0);
	struct lock_decision	 d;

	/* Locked with a deadline; lock without e: the deadline goes. */
	rule_lss_set(&r, T0 + 100, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_CHANGED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_PUT);
	CU_ASSERT_EQUAL(d.has_record, 1);
	CU_ASSERT_EQUAL(d.record.locked, 1);
	CU_ASSERT_EQUAL(d.record.expires_ms, 0);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&d.record, T0 + 500), 1);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&d.record, T0 + 100000000), 1);
	/* What a change keeps and what it sets. */
	CU_ASSERT_EQUAL(d.record.kind, LOCK_KIND_LSS);
	CU_ASSERT_EQUAL(d.record.created_ms, T0);
	CU_ASSERT_EQUAL(d.record.updated_ms, T0 + 100);
	CU_ASSERT_EQUAL(d.record.secret_len, strlen(KEY));
	CU_ASSERT_EQUAL(memcmp(d.record.secret, KEY, strlen(KEY)), 0);
	lock_decision_free(&d);
	/* The same once the old deadline has passed. */
	rule_lss_set(&r, T0 + 800, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_CHANGED);
	CU_ASSERT_EQUAL(d.record.locked, 1);
	CU_ASSERT_EQUAL(d.record.expires_ms, 0);
	lock_decision_free(&d);
}

static void
test_lss_set_lock_deadline(void)
{
	struct lock_record	 off = lss_record(0, 0);
	struct lock_record	 long_one = lss_record(1, T0 + 60000);
	struct lock_lss		 q = lss_req(1, 250, 0);
	struct lock_decision	 d;

	rule_lss_set(&off, T0 + 1000, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_CHANGED);
	CU_ASSERT_EQUAL(d.record.locked, 1);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 1250);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&d.record, T0 + 1249), 1);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&d.record, T0 + 1250), 0);
	lock_decision_free(&d);
	/* A shorter e replaces a longer deadline. */
	rule_lss_set(&long_one, T0 + 1000, &q, &d);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 1250);
	lock_decision_free(&d);
}

static void
test_lss_set_unlock(void)
{
	struct lock_record	 r = lss_record(1, T0 + 60000);
	struct lock_record	 forever = lss_record(1, 0);
	struct lock_lss		 q = lss_req(0, 0, 0);
	struct lock_decision	 d;

	rule_lss_set(&r, T0 + 10, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_CHANGED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_PUT);
	CU_ASSERT_EQUAL(d.record.locked, 0);
	CU_ASSERT_EQUAL(d.record.expires_ms, 0);
	CU_ASSERT_EQUAL(d.record.updated_ms, T0 + 10);
	CU_ASSERT_EQUAL(lock_lss_is_locked(&d.record, T0 + 10), 0);
	lock_decision_free(&d);
	rule_lss_set(&forever, T0 + 10, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_CHANGED);
	CU_ASSERT_EQUAL(d.record.locked, 0);
	CU_ASSERT_EQUAL(d.record.expires_ms, 0);
	lock_decision_free(&d);
	/* An e sent with unlock sets no deadline. */
	q.ttl_ms = 5000;
	rule_lss_set(&r, T0 + 10, &q, &d);
	CU_ASSERT_EQUAL(d.record.locked, 0);
	CU_ASSERT_EQUAL(d.record.expires_ms, 0);
	lock_decision_free(&d);
	/* Unlocking an unlocked lock is a change all the same. */
	r = lss_record(0, 0);
	q.ttl_ms = 0;
	rule_lss_set(&r, T0 + 10, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_CHANGED);
	CU_ASSERT_EQUAL(d.record.locked, 0);
	lock_decision_free(&d);
}

static void
test_lss_set_nx(void)
{
	struct lock_record	 locked = lss_record(1, T0 + 500);
	struct lock_record	 forever = lss_record(1, 0);
	struct lock_record	 off = lss_record(0, 0);
	struct lock_lss		 q = lss_req(1, 0, 1);
	struct lock_decision	 d;

	/* Locked: 423, nothing written, the deadline left as it is. */
	rule_lss_set(&locked, T0 + 499, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_LOCKED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	lock_decision_free(&d);
	q.ttl_ms = 60000;
	rule_lss_set(&locked, T0 + 100, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_LOCKED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	lock_decision_free(&d);
	rule_lss_set(&forever, T0 + 100, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_LOCKED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	lock_decision_free(&d);
	/* Past its deadline (at the very millisecond): taken. */
	q.ttl_ms = 0;
	rule_lss_set(&locked, T0 + 500, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_CHANGED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_PUT);
	CU_ASSERT_EQUAL(d.record.locked, 1);
	CU_ASSERT_EQUAL(d.record.expires_ms, 0);
	lock_decision_free(&d);
	q.ttl_ms = 2000;
	rule_lss_set(&locked, T0 + 600, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_CHANGED);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 2600);
	lock_decision_free(&d);
	/* Unlocked: taken. */
	q.ttl_ms = 0;
	rule_lss_set(&off, T0, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_CHANGED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_PUT);
	CU_ASSERT_EQUAL(d.record.locked, 1);
	lock_decision_free(&d);
	/* The key still comes first. */
	q.key = "wrong";
	q.key_len = 5;
	rule_lss_set(&locked, T0, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_BAD_KEY);
	lock_decision_free(&d);
	rule_lss_set(NULL, T0, &q, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_LSS_NOT_FOUND);
	lock_decision_free(&d);
}

static void
test_lss_set_retention(void)
{
	struct lock_record	 r = lss_record(1, 0);
	struct lock_lss		 q = lss_req(0, 0, 0);
	struct lock_decision	 d;

	r.keep_until_ms = T0 + 1000;
	q.retention_ms = 1000;
	/* A change keeps the record for the retention from now. */
	rule_lss_set(&r, T0 + 600, &q, &d);
	CU_ASSERT_EQUAL(d.record.keep_until_ms, T0 + 1600);
	CU_ASSERT_EQUAL(d.record.updated_ms, T0 + 600);
	lock_decision_free(&d);
	/* Retention turned off: kept forever. */
	q.retention_ms = 0;
	rule_lss_set(&r, T0 + 600, &q, &d);
	CU_ASSERT_EQUAL(d.record.keep_until_ms, 0);
	lock_decision_free(&d);
}

static void
test_lss_sweep(void)
{
	struct lock_record	 r = lss_record(1, T0 + 500);
	struct lock_record	 g;

	/* No retention: an LSS record is never swept, whatever its deadline. */
	CU_ASSERT_EQUAL(lock_sweep_at(&r), 0);
	CU_ASSERT_EQUAL(lock_sweepable(&r, T0 + 500), 0);
	CU_ASSERT_EQUAL(lock_sweepable(&r, T0 + 100LL * 365 * 86400000), 0);
	r.locked = 0;
	r.expires_ms = 0;
	CU_ASSERT_EQUAL(lock_sweepable(&r, T0 + 100LL * 365 * 86400000), 0);
	/* With retention: swept from keep_until on, not by the deadline. */
	r = lss_record(1, T0 + 500);
	r.keep_until_ms = T0 + 1000;
	CU_ASSERT_EQUAL(lock_sweep_at(&r), T0 + 1000);
	CU_ASSERT_EQUAL(lock_sweepable(&r, T0 + 500), 0);
	CU_ASSERT_EQUAL(lock_sweepable(&r, T0 + 999), 0);
	CU_ASSERT_EQUAL(lock_sweepable(&r, T0 + 1000), 1);
	CU_ASSERT_EQUAL(lock_sweepable(&r, T0 + 5000), 1);
	/* A getlock record with the same fields goes by its expiry. */
	g = r;
	g.kind = LOCK_KIND_GETLOCK;
	g.secret_len = 0;
	CU_ASSERT_EQUAL(lock_sweep_at(&g), T0 + 500);
}

int
test_lock_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "is_active at the ms boundary", test_is_active_boundary },
		{ "owner: mutex with an owner", test_owner_mutex },
		{ "owner: held without an owner", test_owner_vs_plain },
		{ "owner: semaphore of 3", test_semaphore },
		{ "owner: token characters", test_owner_valid },
		{ "PUT, no record: acquired", test_put_none },
		{ "PUT, no ttl: the default", test_put_default_ttl },
		{ "PUT, active, no ttl: refreshed, ttl kept",
		    test_put_refresh_keeps_ttl },
		{ "PUT, active, ttl: refreshed, new ttl",
		    test_put_refresh_new_ttl },
		{ "PUT at expires-1: refreshed", test_put_last_active_ms },
		{ "PUT at expires: acquired, new fence",
		    test_put_expired_at_boundary },
		{ "PUT long expired: acquired", test_put_expired_long_ago },
		{ "PUT cancelled: refused, nothing written",
		    test_put_cancelled },
		{ "GET, no record: not found", test_get_none },
		{ "GET at expires-1: active", test_get_active },
		{ "GET at expires: expired", test_get_expired },
		{ "DELETE, no record: not found, no write", test_delete_none },
		{ "DELETE at expires-1: removed", test_delete_active },
		{ "DELETE at expires: not found, deleted",
		    test_delete_expired },
		{ "sweep_at is the expiry", test_sweep_at },
		{ "key_equal", test_key_equal },
		{ "LSS create: unlocked", test_lss_create_unlocked },
		{ "LSS create: locked forever",
		    test_lss_create_locked_forever },
		{ "LSS create: locked with a deadline",
		    test_lss_create_locked_deadline },
		{ "LSS create: e ignored when not locked",
		    test_lss_create_e_unlocked },
		{ "LSS create: a collision writes nothing",
		    test_lss_create_collision },
		{ "LSS create: retention sets keep_until",
		    test_lss_create_retention },
		{ "LSS create: a 255-character key", test_lss_create_long_key },
		{ "LSS is_locked at the ms boundary",
		    test_lss_is_locked_boundary },
		{ "LSS get: 404, 423, 204, never a write", test_lss_get },
		{ "LSS set: unknown id is 404 before the key",
		    test_lss_set_not_found_first },
		{ "LSS set: wrong or missing key is 401",
		    test_lss_set_bad_key },
		{ "LSS set: lock without e clears the deadline",
		    test_lss_set_lock_forever },
		{ "LSS set: lock with e sets now + e",
		    test_lss_set_lock_deadline },
		{ "LSS set: unlock clears locked and the deadline",
		    test_lss_set_unlock },
		{ "LSS set: nx", test_lss_set_nx },
		{ "LSS set: retention from the change",
		    test_lss_set_retention },
		{ "LSS sweep_at, sweepable for LSS records", test_lss_sweep },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite("lock", NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
