/*
 * test_lock.c: the lock rules of lock.c (PUT, GET, DELETE, expiry at the
 * exact millisecond), called directly with an injected "now".
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include "lock.h"
#include "tests.h"

#define T0	1700000000000LL		/* an instant, ms since the epoch */

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
	struct lock_put		 req = { 5000, 60000 };
	struct lock_decision	 d;

	lock_put(NULL, T0, 42, &req, &d);
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
	struct lock_put		 req = { 0, 60000 };
	struct lock_decision	 d;

	lock_put(NULL, T0, 1, &req, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.record.ttl_ms, 60000);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 60000);
	CU_ASSERT_EQUAL(d.record.fence, 1);
}

static void
test_put_refresh_keeps_ttl(void)
{
	struct lock_record	 r = held();
	struct lock_put		 req = { 0, 60000 };
	struct lock_decision	 d;

	lock_put(&r, T0 + 10000, 99, &req, &d);
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
	struct lock_put		 req = { 2500, 60000 };
	struct lock_decision	 d;

	lock_put(&r, T0 + 10000, 99, &req, &d);
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
	struct lock_put		 req = { 0, 60000 };
	struct lock_decision	 d;

	lock_put(&r, T0 + 29999, 8, &req, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	CU_ASSERT_EQUAL(d.record.fence, 7);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 29999 + 30000);
}

/* At the expiry instant the lock is free: a new acquisition. */
static void
test_put_expired_at_boundary(void)
{
	struct lock_record	 r = held();
	struct lock_put		 req = { 0, 60000 };
	struct lock_decision	 d;

	lock_put(&r, T0 + 30000, 8, &req, &d);
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
	struct lock_put		 req = { 1000, 60000 };
	struct lock_decision	 d;

	lock_put(&r, T0 + 86400000, 12, &req, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.record.fence, 12);
	CU_ASSERT_EQUAL(d.record.created_ms, T0 + 86400000);
	CU_ASSERT_EQUAL(d.record.ttl_ms, 1000);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 86400000 + 1000);
}

static void
test_get_none(void)
{
	struct lock_decision	 d;

	lock_get(NULL, T0, &d);
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

	lock_get(&r, T0 + 29999, &d);
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

	lock_get(&r, T0 + 30000, &d);
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

	lock_delete(NULL, T0, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_NOT_FOUND);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	CU_ASSERT_EQUAL(d.has_record, 0);
}

static void
test_delete_active(void)
{
	struct lock_record	 r = held();
	struct lock_decision	 d;

	lock_delete(&r, T0 + 29999, &d);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REMOVED);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_DELETE);
	CU_ASSERT_EQUAL(d.has_record, 1);
	CU_ASSERT_EQUAL(d.fence_used, 0);
	CU_ASSERT_EQUAL(d.record.fence, 7);
	CU_ASSERT_EQUAL(d.record.created_ms, T0);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 30000);
}

static void
test_delete_expired(void)
{
	struct lock_record	 r = held();
	struct lock_decision	 d;

	lock_delete(&r, T0 + 30000, &d);
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

static void
test_key_equal(void)
{
	CU_ASSERT_EQUAL(lock_key_equal("abc", 3, "abc", 3), 1);
	CU_ASSERT_EQUAL(lock_key_equal("", 0, "", 0), 1);
	CU_ASSERT_EQUAL(lock_key_equal("abc", 3, "abd", 3), 0);
	CU_ASSERT_EQUAL(lock_key_equal("abc", 3, "ab", 2), 0);
	CU_ASSERT_EQUAL(lock_key_equal("ab", 2, "abc", 3), 0);
	CU_ASSERT_EQUAL(lock_key_equal("", 0, "a", 1), 0);
	/* A trailing NUL is a difference, not padding. */
	CU_ASSERT_EQUAL(lock_key_equal("ab\0", 3, "ab", 2), 0);
	CU_ASSERT_EQUAL(lock_key_equal("ab", 2, "ab\0", 3), 0);
}

int
test_lock_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "is_active at the ms boundary", test_is_active_boundary },
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
		{ "GET, no record: not found", test_get_none },
		{ "GET at expires-1: active", test_get_active },
		{ "GET at expires: expired", test_get_expired },
		{ "DELETE, no record: not found, no write", test_delete_none },
		{ "DELETE at expires-1: removed", test_delete_active },
		{ "DELETE at expires: not found, deleted",
		    test_delete_expired },
		{ "sweep_at is the expiry", test_sweep_at },
		{ "key_equal", test_key_equal },
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
