/*
 * test_getlock.c: the getlock surface (getlock.c, doc/API.md section 1) as
 * whole requests through api_handle on a store in a temporary directory
 * with the fake clock (surface.c): every answer with its exact status,
 * headers and body, times taken from the fake clock (timestamps, expiry
 * at the exact millisecond, Retry-After), owners and semaphores, each
 * parameter error, /v1/health, paths under /v1 that name no lock, and
 * waits: woken by a release, run out, and cancelled by the owner's own
 * release, each made deterministic by the hook a waiting request calls
 * before it sleeps (wake_on_wait).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "store.h"
#include "surface.h"
#include "tests.h"
#include "wake.h"

#define ID		"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
#define OTHER_ID	"00000000-0000-4000-8000-000000000001"
#define LOCK_PATH	"/v1/" ID
#define JSON_CT		SURFACE_JSON_CT
#define NOTFOUND	"{\"locked\": false, \"message\": \"lock not found " \
			"or expired\"}\n"
#define BADPATH		"{\"locked\": false, \"message\": \"not found: " \
			"expected /v1/<uuid>\"}\n"
#define BAD_OWNER	"{\"message\": {\"owner\": \"must be 1 to 128 " \
			"characters of A-Z a-z 0-9 . _ ~ : @ + = / -\"}}\n"
#define BAD_LIMIT	"{\"message\": {\"limit\": \"must be a whole number " \
			"from 1 to 1000\"}}\n"
#define LIMIT_OWNER	"{\"message\": {\"limit\": \"needs an owner\"}}\n"
#define WAIT_OWNER	"{\"message\": {\"wait\": \"needs an owner\"}}\n"
#define CANCELLED	"{\"message\": \"the wait was cancelled: this owner " \
			"released the lock\"}\n"
#define HELD		"lock is held by another owner"
#define BODY_MAX	512

/* Times as the answers write them: SURFACE_T0 plus some seconds. */
#define AT(s)		"17000000" s

/*
 * The exact body of an answer that shows a lock: locked, message, and the
 * hold (its times as the answer writes them); holders and limit only
 * for a semaphore (limit > 1). Returns out.
 */
static const char *
lock_json(char *out, int locked, const char *message, const char *ts,
    const char *ttl, const char *expires, unsigned int fence,
    unsigned int holders, unsigned int limit)
{
	char	 sem[64] = "";

	if (limit > 1)
		snprintf(sem, sizeof(sem), ", \"holders\": %u, \"limit\": %u",
		    holders, limit);
	snprintf(out, BODY_MAX, "{\"locked\": %s, \"message\": \"%s\", "
	    "\"lock\": {\"id\": \"" ID "\", \"timestamp\": %s, \"ttl\": %s, "
	    "\"expires\": %s, \"fence\": %u%s}}\n", locked ? "true" : "false",
	    message, ts, ttl, expires, fence, sem);
	return out;
}

/*
 * METHOD PATH?QUERY at test_now, with body (NULL: none) of Content-Type
 * ctype, must answer status with exactly the body want, the headers of
 * every JSON answer, and Retry-After retry (NULL: none). Reported at the
 * caller's line.
 */
static void
expect(const char *file, unsigned int line, const char *method,
    const char *path, const char *query, const char *ctype, const char *body,
    int status, const char *retry, const char *want)
{
	struct answer	 a;
	char		 cache[64], cors[64], after[64];
	const char	*want_retry = retry != NULL ? retry : "<absent>";

	surface_request(method, path, query, ctype, body, &a);
	surface_header(&a, "Cache-Control", cache, sizeof(cache));
	surface_header(&a, "Access-Control-Allow-Origin", cors, sizeof(cors));
	surface_header(&a, "Retry-After", after, sizeof(after));
	test_assert(a.status == status &&
	    strcmp(a.ctype, "application/json") == 0 &&
	    strcmp(cache, "no-store") == 0 && strcmp(cors, "*") == 0 &&
	    strcmp(after, want_retry) == 0 && strcmp(a.body, want) == 0, file,
	    line, "%s %s?%s [%s] at T0+%lld: got %d [%s] Cache-Control [%s] "
	    "Allow-Origin [%s] Retry-After [%s] '%s'; want %d Retry-After [%s] "
	    "'%s'", method, path, query != NULL ? query : "",
	    body != NULL ? body : "", (long long)(test_now - SURFACE_T0),
	    a.status, a.ctype, cache, cors, after, a.body, status, want_retry,
	    want);
}

/* On the lock ID, without a body; with a JSON body. */
#define EXPECT(method, query, status, retry, want) \
	expect(TEST_HERE, (method), LOCK_PATH, (query), NULL, NULL, \
	    (status), (retry), (want))
#define EXPECT_JSON(method, body, status, retry, want) \
	expect(TEST_HERE, (method), LOCK_PATH, NULL, JSON_CT, (body), \
	    (status), (retry), (want))

/* A PUT refused with 400 and exactly want; the store is unchanged. */
static void
refused(const char *file, unsigned int line, const char *method,
    const char *query, const char *ctype, const char *body, const char *want)
{
	uint64_t	 before = surface_records();

	expect(file, line, method, LOCK_PATH, query, ctype, body, 400, NULL,
	    want);
	test_assert(surface_records() == before, file, line,
	    "%s ?%s [%s]: %llu records after, %llu before", method,
	    query != NULL ? query : "", body != NULL ? body : "",
	    (unsigned long long)surface_records(),
	    (unsigned long long)before);
}

#define REFUSED(method, query, want) \
	refused(TEST_HERE, (method), (query), NULL, NULL, (want))
#define REFUSED_JSON(body, want) \
	refused(TEST_HERE, "PUT", NULL, JSON_CT, (body), (want))

/* ------------------------------------------------------------------ */
/* One lock through its life */

static void
test_put_new(void)
{
	char	 want[BODY_MAX];

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	EXPECT("GET", NULL, 404, NULL, NOTFOUND);
	EXPECT("PUT", "ttl=30", 201, NULL,
	    "{\"locked\": true, \"message\": \"lock acquired\", \"lock\": "
	    "{\"id\": \"" ID "\", \"timestamp\": 1700000000.0, \"ttl\": 30.0, "
	    "\"expires\": 1700000030.0, \"fence\": 1}}\n");
	CU_ASSERT_EQUAL(surface_records(), 1);
	/* The default ttl is 60 s; the times are the fake clock's, to the
	 * millisecond. */
	test_now = SURFACE_T0 + 1234;
	expect(TEST_HERE, "PUT", "/v1/" OTHER_ID, NULL, NULL, NULL, 201, NULL,
	    "{\"locked\": true, \"message\": \"lock acquired\", \"lock\": "
	    "{\"id\": \"" OTHER_ID "\", \"timestamp\": 1700000001.234, "
	    "\"ttl\": 60.0, \"expires\": 1700000061.234, \"fence\": 2}}\n");
	/* A JSON body, and a ttl of milliseconds. */
	test_now = SURFACE_T0 + 5000;
	EXPECT_JSON("PUT", "{\"ttl\": 0.25}", 200, NULL, lock_json(want, 1,
	    "lock refreshed", AT("00.0"), "0.25", AT("05.25"), 1, 0, 0));
	CU_ASSERT_EQUAL(surface_records(), 2);
	surface_close();
}

static void
test_refresh_get_delete(void)
{
	char	 want[BODY_MAX];

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	EXPECT("PUT", "ttl=30", 201, NULL, lock_json(want, 1, "lock acquired",
	    AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	/* A refresh keeps timestamp and fence; expires is now + ttl. */
	test_now = SURFACE_T0 + 5000;
	EXPECT("PUT", NULL, 200, NULL, lock_json(want, 1, "lock refreshed",
	    AT("00.0"), "30.0", AT("35.0"), 1, 0, 0));
	test_now = SURFACE_T0 + 6500;
	EXPECT("PUT", "ttl=45", 200, NULL, lock_json(want, 1,
	    "lock refreshed", AT("00.0"), "45.0", AT("51.5"), 1, 0, 0));
	/* Without a ttl the lock's own (45 s) goes on. */
	test_now = SURFACE_T0 + 7000;
	EXPECT("PUT", NULL, 200, NULL, lock_json(want, 1, "lock refreshed",
	    AT("00.0"), "45.0", AT("52.0"), 1, 0, 0));
	EXPECT("GET", NULL, 423, NULL, lock_json(want, 1, "lock is active",
	    AT("00.0"), "45.0", AT("52.0"), 1, 0, 0));
	/* A refused refresh changes nothing. */
	REFUSED("PUT", "ttl=0",
	    "{\"message\": {\"ttl\": \"must be greater than 0\"}}\n");
	EXPECT("GET", NULL, 423, NULL, lock_json(want, 1, "lock is active",
	    AT("00.0"), "45.0", AT("52.0"), 1, 0, 0));
	test_now = SURFACE_T0 + 8000;
	EXPECT("DELETE", NULL, 200, NULL, lock_json(want, 0,
	    "lock has been removed", AT("00.0"), "45.0", AT("52.0"), 1, 0, 0));
	CU_ASSERT_EQUAL(surface_records(), 0);
	EXPECT("GET", NULL, 404, NULL, NOTFOUND);
	EXPECT("DELETE", NULL, 404, NULL, NOTFOUND);
	/* A new acquisition takes the next fence. */
	EXPECT("PUT", "ttl=1", 201, NULL, lock_json(want, 1, "lock acquired",
	    AT("08.0"), "1.0", AT("09.0"), 2, 0, 0));
	surface_close();
}

static void
test_expiry(void)
{
	char	 want[BODY_MAX];

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	EXPECT("PUT", "ttl=30", 201, NULL, lock_json(want, 1, "lock acquired",
	    AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	test_now = SURFACE_T0 + 29999;
	EXPECT("GET", NULL, 423, NULL, lock_json(want, 1, "lock is active",
	    AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	/* At expires the hold is over; the record is still there, and a GET
	 * never writes, so it tells that the lock has expired. */
	test_now = SURFACE_T0 + 30000;
	EXPECT("GET", NULL, 404, NULL, lock_json(want, 0, "lock has expired",
	    AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	EXPECT("GET", NULL, 404, NULL, lock_json(want, 0, "lock has expired",
	    AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	CU_ASSERT_EQUAL(surface_records(), 1);
	/* The next write sweeps it: then it is not found at all. */
	expect(TEST_HERE, "PUT", "/v1/" OTHER_ID, "ttl=10", NULL, NULL, 201,
	    NULL, "{\"locked\": true, \"message\": \"lock acquired\", "
	    "\"lock\": {\"id\": \"" OTHER_ID "\", \"timestamp\": 1700000030.0, "
	    "\"ttl\": 10.0, \"expires\": 1700000040.0, \"fence\": 2}}\n");
	CU_ASSERT_EQUAL(surface_records(), 1);
	EXPECT("GET", NULL, 404, NULL, NOTFOUND);
	/* An expired record that a DELETE finds: 404, and removed. */
	test_now = SURFACE_T0 + 40000;
	EXPECT("GET", NULL, 404, NULL, NOTFOUND);
	expect(TEST_HERE, "DELETE", "/v1/" OTHER_ID, NULL, NULL, NULL, 404,
	    NULL, NOTFOUND);
	CU_ASSERT_EQUAL(surface_records(), 0);
	/* A hold of 0.5 s: refreshed 1 ms before its end. */
	EXPECT("PUT", "ttl=0.5", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("40.0"), "0.5", AT("40.5"), 3, 0, 0));
	test_now = SURFACE_T0 + 40499;
	EXPECT("PUT", NULL, 200, NULL, lock_json(want, 1, "lock refreshed",
	    AT("40.0"), "0.5", AT("40.999"), 3, 0, 0));
	/* At its end a PUT makes a new hold, with the default ttl. */
	test_now = SURFACE_T0 + 40999;
	EXPECT("PUT", NULL, 201, NULL, lock_json(want, 1, "lock acquired",
	    AT("40.999"), "60.0", "1700000100.999", 4, 0, 0));
	surface_close();
}

/* ------------------------------------------------------------------ */
/* Owners */

static void
test_owners(void)
{
	char	 want[BODY_MAX], held[BODY_MAX];

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	EXPECT("PUT", "owner=a&ttl=30", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	lock_json(held, 1, HELD, AT("00.0"), "30.0", AT("30.0"), 1, 0, 0);
	/* Another owner, 10.5 s in: 19.5 s left, Retry-After 20. */
	test_now = SURFACE_T0 + 10500;
	EXPECT("PUT", "owner=b", 423, "20", held);
	EXPECT("PUT", "owner=b&ttl=5&wait=0", 423, "20", held);
	/* Owners are case-sensitive; a plain PUT or DELETE is another
	 * owner too. */
	EXPECT("PUT", "owner=A", 423, "20", held);
	EXPECT("PUT", NULL, 423, "20", held);
	EXPECT("DELETE", NULL, 423, "20", held);
	EXPECT("DELETE", "owner=b", 423, "20", held);
	/* The holder refreshes: timestamp and fence kept. */
	EXPECT("PUT", "owner=a", 200, NULL, lock_json(want, 1,
	    "lock refreshed", AT("00.0"), "30.0", AT("40.5"), 1, 0, 0));
	lock_json(held, 1, HELD, AT("00.0"), "30.0", AT("40.5"), 1, 0, 0);
	/* Seconds to the end, rounded up, to the millisecond. */
	test_now = SURFACE_T0 + 38499;
	EXPECT("PUT", "owner=b", 423, "3", held);
	test_now = SURFACE_T0 + 38500;
	EXPECT("PUT", "owner=b", 423, "2", held);
	test_now = SURFACE_T0 + 39499;
	EXPECT("PUT", "owner=b", 423, "2", held);
	test_now = SURFACE_T0 + 39500;
	EXPECT("PUT", "owner=b", 423, "1", held);
	test_now = SURFACE_T0 + 40499;
	EXPECT("PUT", "owner=b", 423, "1", held);
	/* At the end of A's hold B takes it, with a new fence. */
	test_now = SURFACE_T0 + 40500;
	EXPECT("PUT", "owner=b&ttl=10", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("40.5"), "10.0", AT("50.5"), 2, 0, 0));
	/* A's DELETE no longer releases anything of its own. */
	lock_json(held, 1, HELD, AT("40.5"), "10.0", AT("50.5"), 2, 0, 0);
	EXPECT("DELETE", "owner=a", 423, "10", held);
	/* Another limit while held; the same one. */
	EXPECT("PUT", "owner=a&limit=3", 409, NULL, lock_json(want, 1,
	    "limit differs from the held lock's", AT("40.5"), "10.0",
	    AT("50.5"), 2, 0, 0));
	EXPECT("PUT", "owner=a&limit=1", 423, "10", held);
	test_now = SURFACE_T0 + 41000;
	EXPECT("DELETE", "owner=b", 200, NULL, lock_json(want, 0,
	    "lock has been removed", AT("40.5"), "10.0", AT("50.5"), 2, 0, 0));
	EXPECT("DELETE", "owner=b", 404, NULL, NOTFOUND);
	CU_ASSERT_EQUAL(surface_records(), 0);
	surface_close();
}

static void
test_semaphore(void)
{
	char	 want[BODY_MAX], full[BODY_MAX];

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	EXPECT("PUT", "owner=a&limit=3&ttl=30", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("00.0"), "30.0", AT("30.0"), 1, 1, 3));
	/* A GET with free slots says so, and shows the hold ending first. */
	EXPECT("GET", NULL, 200, NULL, lock_json(want, 0,
	    "lock has free slots", AT("00.0"), "30.0", AT("30.0"), 1, 1, 3));
	test_now = SURFACE_T0 + 1000;
	EXPECT("PUT", "owner=b&limit=3&ttl=20", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("01.0"), "20.0", AT("21.0"), 2, 2, 3));
	/* Without a limit, the lock's own. */
	test_now = SURFACE_T0 + 2000;
	EXPECT("PUT", "owner=c&ttl=40", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("02.0"), "40.0", AT("42.0"), 3, 3, 3));
	/* Full: a fourth owner waits for B's hold, the first to end. */
	lock_json(full, 1, HELD, AT("01.0"), "20.0", AT("21.0"), 2, 3, 3);
	test_now = SURFACE_T0 + 2500;
	EXPECT("PUT", "owner=d", 423, "19", full);
	EXPECT("PUT", "owner=d&limit=3", 423, "19", full);
	EXPECT("GET", NULL, 423, NULL, lock_json(want, 1, "lock is active",
	    AT("01.0"), "20.0", AT("21.0"), 2, 3, 3));
	/* Another limit: 409, whoever asks. */
	EXPECT("PUT", "owner=d&limit=2", 409, NULL, lock_json(want, 1,
	    "limit differs from the held lock's", AT("01.0"), "20.0",
	    AT("21.0"), 2, 3, 3));
	EXPECT("PUT", "owner=a&limit=4", 409, NULL, lock_json(want, 1,
	    "limit differs from the held lock's", AT("01.0"), "20.0",
	    AT("21.0"), 2, 3, 3));
	/* A holder refreshes its own hold. */
	EXPECT("PUT", "owner=a", 200, NULL, lock_json(want, 1,
	    "lock refreshed", AT("00.0"), "30.0", AT("32.5"), 1, 3, 3));
	/* A release frees a slot: the release shows the hold it ended and
	 * the holders left. */
	EXPECT("DELETE", "owner=c", 200, NULL, lock_json(want, 0,
	    "lock has been removed", AT("02.0"), "40.0", AT("42.0"), 3, 2, 3));
	EXPECT("PUT", "owner=d", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("02.5"), "60.0", AT("62.5"), 4, 3, 3));
	/* B's hold ends at 21 s: a slot comes free at that millisecond. */
	test_now = SURFACE_T0 + 20999;
	EXPECT("PUT", "owner=e", 423, "1", lock_json(want, 1, HELD,
	    AT("01.0"), "20.0", AT("21.0"), 2, 3, 3));
	test_now = SURFACE_T0 + 21000;
	EXPECT("PUT", "owner=e&ttl=1", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("21.0"), "1.0", AT("22.0"), 5, 3, 3));
	CU_ASSERT_EQUAL(surface_records(), 1);
	surface_close();
}

/* ------------------------------------------------------------------ */
/* Parameters */

static void
test_params_refused(void)
{
	char	 want[BODY_MAX];

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	/* On a free lock: nothing is stored. */
	REFUSED("PUT", "ttl=abc",
	    "{\"message\": {\"ttl\": \"must be a number\"}}\n");
	REFUSED("PUT", "ttl=",
	    "{\"message\": {\"ttl\": \"must be a number\"}}\n");
	REFUSED("PUT", "ttl=1e400",
	    "{\"message\": {\"ttl\": \"must be a finite number\"}}\n");
	REFUSED("PUT", "ttl=-5",
	    "{\"message\": {\"ttl\": \"must be greater than 0\"}}\n");
	REFUSED("PUT", "ttl=604801",
	    "{\"message\": {\"ttl\": \"must be at most 604800\"}}\n");
	REFUSED("PUT", "ttl=604800.001",
	    "{\"message\": {\"ttl\": \"must be at most 604800\"}}\n");
	REFUSED_JSON("{\"ttl\": \"abc\"}",
	    "{\"message\": {\"ttl\": \"must be a number\"}}\n");
	REFUSED_JSON("{\"ttl\": true}",
	    "{\"message\": {\"ttl\": \"must be a number\"}}\n");
	REFUSED("PUT", "owner=", BAD_OWNER);
	REFUSED("PUT", "owner=a%20b", BAD_OWNER);
	REFUSED("PUT", "owner=a*b", BAD_OWNER);
	REFUSED("PUT", "owner=caf%C3%A9", BAD_OWNER);
	REFUSED("PUT", "owner=a%00b", BAD_OWNER);
	REFUSED("PUT", "owner=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxx", BAD_OWNER);
	REFUSED_JSON("{\"owner\": \"a,b\"}", BAD_OWNER);
	REFUSED("DELETE", "owner=a%20b", BAD_OWNER);
	REFUSED("PUT", "owner=a&limit=0", BAD_LIMIT);
	REFUSED("PUT", "owner=a&limit=1001", BAD_LIMIT);
	REFUSED("PUT", "owner=a&limit=-1", BAD_LIMIT);
	REFUSED("PUT", "owner=a&limit=1.5", BAD_LIMIT);
	REFUSED("PUT", "owner=a&limit=", BAD_LIMIT);
	REFUSED("PUT", "owner=a&limit=%203", BAD_LIMIT);
	REFUSED("PUT", "owner=a&limit=1e2", BAD_LIMIT);
	REFUSED("PUT", "limit=3", LIMIT_OWNER);
	REFUSED("PUT", "limit=1", LIMIT_OWNER);
	REFUSED_JSON("{\"limit\": \"2\"}", LIMIT_OWNER);
	REFUSED("PUT", "wait=5", WAIT_OWNER);
	REFUSED("PUT", "wait=0", WAIT_OWNER);
	REFUSED("PUT", "ttl=5&wait=5", WAIT_OWNER);
	REFUSED("PUT", "owner=a&wait=61",
	    "{\"message\": {\"wait\": \"must be at most 60\"}}\n");
	REFUSED("PUT", "owner=a&wait=-1",
	    "{\"message\": {\"wait\": \"must be greater than 0\"}}\n");
	REFUSED("PUT", "owner=a&wait=abc",
	    "{\"message\": {\"wait\": \"must be a number\"}}\n");
	REFUSED("PUT", "x=1", "{\"message\": \"Unknown arguments: x\"}\n");
	REFUSED("PUT", "ttl=30&x=1",
	    "{\"message\": \"Unknown arguments: x\"}\n");
	REFUSED("PUT", "a=1&b=2",
	    "{\"message\": \"Unknown arguments: a, b\"}\n");
	REFUSED("DELETE", "owner=a&ttl=2",
	    "{\"message\": \"Unknown arguments: ttl\"}\n");
	REFUSED("GET", "owner=a",
	    "{\"message\": \"Unknown arguments: owner\"}\n");
	REFUSED("PUT", "ttl=1&ttl=2",
	    "{\"message\": \"duplicate parameter: ttl\"}\n");
	CU_ASSERT_EQUAL(surface_records(), 0);
	/* On a held lock: nothing changes. */
	EXPECT("PUT", "owner=a&ttl=30", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	REFUSED("PUT", "owner=a&ttl=abc",
	    "{\"message\": {\"ttl\": \"must be a number\"}}\n");
	REFUSED("PUT", "owner=a&x=1", "{\"message\": \"Unknown arguments: "
	    "x\"}\n");
	REFUSED("PUT", "owner=b&limit=0", BAD_LIMIT);
	REFUSED("PUT", "limit=3", LIMIT_OWNER);
	REFUSED("PUT", "wait=5", WAIT_OWNER);
	EXPECT("GET", NULL, 423, NULL, lock_json(want, 1, "lock is active",
	    AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	surface_close();
}

/*
 * limit with a NUL inside ("limit=1%00x", {"limit": "1\u0000x"}) was read
 * up to the NUL and granted as limit 1.
 */
static void
test_limit_nul(void)
{
	static const char *const queries[] = {
		"owner=a&limit=1%00x", "owner=a&limit=1%00",
		"owner=a&limit=%001",
	};
	static const char want[] = "{\"message\": {\"limit\": \"must be a "
	    "whole number from 1 to 1000\"}}\n";
	struct answer	 a;
	size_t		 i;

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		surface_call("PUT", LOCK_PATH, queries[i], NULL, &a);
		surface_check(TEST_HERE, queries[i], &a, 400,
		    "application/json", want);
	}
	surface_call("PUT", LOCK_PATH, "owner=a&limit=12", NULL, &a);
	CU_ASSERT_EQUAL(a.status, 201);
	CU_ASSERT_EQUAL(surface_records(), 1);
	surface_close();
}

/* ------------------------------------------------------------------ */
/* Health and other paths */

static void
test_health(void)
{
	static const char	 okay[] = "{\"message\": \"okay\", "
	    "\"version\": \"" LOCKGATE_VERSION "\", \"records\": ";
	char			 want[BODY_MAX];

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	snprintf(want, sizeof(want), "%s0}\n", okay);
	expect(TEST_HERE, "GET", "/v1/health", NULL, NULL, NULL, 200, NULL,
	    want);
	expect(TEST_HERE, "PUT", LOCK_PATH, NULL, NULL, NULL, 201, NULL,
	    lock_json(want, 1, "lock acquired", AT("00.0"), "60.0", AT("60.0"),
	    1, 0, 0));
	expect(TEST_HERE, "PUT", "/v1/" OTHER_ID, "ttl=1", NULL, NULL, 201,
	    NULL, "{\"locked\": true, \"message\": \"lock acquired\", "
	    "\"lock\": {\"id\": \"" OTHER_ID "\", \"timestamp\": 1700000000.0, "
	    "\"ttl\": 1.0, \"expires\": 1700000001.0, \"fence\": 2}}\n");
	snprintf(want, sizeof(want), "%s2}\n", okay);
	expect(TEST_HERE, "GET", "/v1/health", NULL, NULL, NULL, 200, NULL,
	    want);
	/* An expired record counts until it is swept. */
	test_now = SURFACE_T0 + 1000;
	expect(TEST_HERE, "GET", "/v1/health", NULL, NULL, NULL, 200, NULL,
	    want);
	expect(TEST_HERE, "DELETE", LOCK_PATH, NULL, NULL, NULL, 200, NULL,
	    lock_json(want, 0, "lock has been removed", AT("00.0"), "60.0",
	    AT("60.0"), 1, 0, 0));
	snprintf(want, sizeof(want), "%s0}\n", okay);
	expect(TEST_HERE, "GET", "/v1/health", NULL, NULL, NULL, 200, NULL,
	    want);
	expect(TEST_HERE, "GET", "/v1/health", "x=1", NULL, NULL, 400, NULL,
	    "{\"message\": \"Unknown arguments: x\"}\n");
	surface_close();
}

static void
test_unknown_paths(void)
{
	static const char *const paths[] = {
		"/v1/not-a-uuid", "/v1/1234", "/v1/" ID "/extra", "/v1/",
		"/v1", "/v1/health/x", "/v1/0f1e2d3c4b5a69788796a5b4c3d2e1f0",
		"/v1/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f", "/v1/" ID "0",
		"/v1/g" "f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
	};
	static const char *const methods[] = { "GET", "PUT", "DELETE" };
	size_t	 i, j;

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		for (j = 0; j < sizeof(methods) / sizeof(methods[0]); j++)
			expect(TEST_HERE, methods[j], paths[i], "ttl=30", NULL,
			    NULL, 404, NULL, BADPATH);
	CU_ASSERT_EQUAL(surface_records(), 0);
	surface_close();
}

/* ------------------------------------------------------------------ */
/* Waits, with a wake on the store's directory */

static struct wake	*wake;

/*
 * What the hook does each time a waiting request is about to sleep: at
 * the first time, a DELETE /v1/ID?release when release is set (as a
 * client's other request, answered in released); then the fake time
 * moves on by step_ms. It always moves the wake counter, so the sleep
 * returns at once instead of lasting its real time, as after a spurious
 * wake-up: the request looks at the lock again and sleeps again if it
 * must. After 100 sleeps time jumps past any wait, so a broken wait
 * ends.
 */
static struct {
	const char	*release;
	int64_t		 step_ms;
	int		 sleeps;
	struct answer	 released;
} nap;

static void
before_sleep(void)
{
	if (++nap.sleeps == 1 && nap.release != NULL)
		surface_call("DELETE", LOCK_PATH, nap.release, NULL,
		    &nap.released);
	test_now += nap.step_ms;
	if (nap.sleeps > 100)
		test_now += SURFACE_MAX_WAIT_MS;
	wake_all(wake);
}

/* store_cancelled_fn over the wake, as main.c installs it. */
static int
cancelled_by_owner(uint64_t tag, uint64_t mark, void *arg)
{
	return wake_cancelled(arg, tag, mark);
}

/* A store with a wake beside it, the hook and the cancellation check. */
static int
waits_open(void)
{
	if (surface_open(0, 1000) != 0)
		return -1;
	if ((wake = wake_open(surface_dir(), 4)) == NULL) {
		surface_close();
		return -1;
	}
	memset(&nap, 0, sizeof(nap));
	wake_on_wait(wake, before_sleep);
	surface_svc.wake = wake;
	store_cancel_check(surface_svc.store, cancelled_by_owner, wake);
	return 0;
}

static void
waits_close(void)
{
	wake_close(wake);
	wake = NULL;
	surface_close();
}

static void
test_wait_released(void)
{
	char	 want[BODY_MAX];

	CU_ASSERT_FATAL(waits_open() == 0);
	EXPECT("PUT", "owner=a&ttl=30", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	/* B waits; A releases while B sleeps: B has the lock at once. */
	nap.release = "owner=a";
	EXPECT("PUT", "owner=b&ttl=10&wait=20", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("00.0"), "10.0", AT("10.0"), 2, 0, 0));
	CU_ASSERT_EQUAL(nap.sleeps, 1);
	surface_check(TEST_HERE, "A's DELETE while B waits", &nap.released,
	    200, "application/json", lock_json(want, 0,
	    "lock has been removed", AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	/* A waits behind B's hold, which ends at 10 s: A has it then. */
	memset(&nap, 0, sizeof(nap));
	nap.step_ms = 2500;
	EXPECT("PUT", "owner=a&ttl=5&wait=60", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("10.0"), "5.0", AT("15.0"), 3, 0, 0));
	CU_ASSERT_EQUAL(nap.sleeps, 4);
	/* A GET with wait waits until the lock is free. */
	memset(&nap, 0, sizeof(nap));
	nap.step_ms = 2000;
	EXPECT("GET", "wait=10", 404, NULL, lock_json(want, 0,
	    "lock has expired", AT("10.0"), "5.0", AT("15.0"), 3, 0, 0));
	CU_ASSERT_EQUAL(nap.sleeps, 3);
	waits_close();
}

static void
test_wait_runs_out(void)
{
	char	 want[BODY_MAX];

	CU_ASSERT_FATAL(waits_open() == 0);
	EXPECT("PUT", "owner=a&ttl=30", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	/* Nothing is released: after 2.5 s of waiting, the 423 of then. */
	nap.step_ms = 1000;
	EXPECT("PUT", "owner=b&wait=2.5", 423, "27", lock_json(want, 1, HELD,
	    AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	CU_ASSERT_EQUAL(nap.sleeps, 3);
	CU_ASSERT_EQUAL(test_now, SURFACE_T0 + 3000);
	/* wait=0 and a lock that is free do not sleep. */
	memset(&nap, 0, sizeof(nap));
	EXPECT("PUT", "owner=b&wait=0", 423, "27", lock_json(want, 1, HELD,
	    AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	expect(TEST_HERE, "PUT", "/v1/" OTHER_ID, "owner=b&ttl=1&wait=5", NULL,
	    NULL, 201, NULL, "{\"locked\": true, \"message\": \"lock "
	    "acquired\", \"lock\": {\"id\": \"" OTHER_ID "\", \"timestamp\": "
	    "1700000003.0, \"ttl\": 1.0, \"expires\": 1700000004.0, "
	    "\"fence\": 2}}\n");
	CU_ASSERT_EQUAL(nap.sleeps, 0);
	/* Without a wake a request does not wait. */
	surface_svc.wake = NULL;
	EXPECT("PUT", "owner=b&wait=10", 423, "27", lock_json(want, 1, HELD,
	    AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	CU_ASSERT_EQUAL(nap.sleeps, 0);
	waits_close();
}

/*
 * A waiting PUT whose owner releases the lock (a DELETE with that owner,
 * which cancels the owner's waits through wake_cancel) after the wait
 * began is refused: its release is never overtaken by the wait it ended.
 * The DELETE is made by the hook while the PUT sleeps, between the PUT's
 * mark and its next decision, with no thread.
 */
static void
test_wait_cancelled(void)
{
	char	 want[BODY_MAX], held[BODY_MAX];

	CU_ASSERT_FATAL(waits_open() == 0);
	EXPECT("PUT", "owner=a&ttl=30", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("00.0"), "30.0", AT("30.0"), 1, 0, 0));
	lock_json(held, 1, HELD, AT("00.0"), "30.0", AT("30.0"), 1, 0, 0);
	/* B waits, and B's own DELETE (of A's lock: refused) ends it. */
	nap.release = "owner=b";
	nap.step_ms = 1000;
	EXPECT("PUT", "owner=b&ttl=10&wait=20", 409, NULL, CANCELLED);
	CU_ASSERT_EQUAL(nap.sleeps, 1);
	CU_ASSERT_EQUAL(test_now, SURFACE_T0 + 1000);
	surface_check(TEST_HERE, "B's DELETE while B waits", &nap.released,
	    423, "application/json", held);
	/* Another owner's release does not cancel B's wait. */
	memset(&nap, 0, sizeof(nap));
	nap.release = "owner=c";
	nap.step_ms = 1000;
	EXPECT("PUT", "owner=b&wait=2", 423, "27", held);
	CU_ASSERT_EQUAL(nap.sleeps, 2);
	/* A release before the wait began does not cancel it either. */
	memset(&nap, 0, sizeof(nap));
	EXPECT("DELETE", "owner=b", 423, "27", held);
	nap.step_ms = 27000;
	EXPECT("PUT", "owner=b&ttl=10&wait=30", 201, NULL, lock_json(want, 1,
	    "lock acquired", AT("30.0"), "10.0", AT("40.0"), 2, 0, 0));
	CU_ASSERT_EQUAL(nap.sleeps, 1);
	/* Without the check in the store the release is not seen. */
	store_cancel_check(surface_svc.store, NULL, NULL);
	memset(&nap, 0, sizeof(nap));
	nap.release = "owner=c";
	nap.step_ms = 1000;
	EXPECT("PUT", "owner=c&wait=2", 423, "8", lock_json(want, 1, HELD,
	    AT("30.0"), "10.0", AT("40.0"), 2, 0, 0));
	CU_ASSERT_EQUAL(nap.sleeps, 2);
	waits_close();
}

int
test_getlock_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "PUT a new lock: 201, times from the clock", test_put_new },
		{ "refresh, GET, DELETE: exact answers",
		    test_refresh_get_delete },
		{ "expiry at the exact ms: expired, swept, taken anew",
		    test_expiry },
		{ "owners: 423 with Retry-After to the ms, 409", test_owners },
		{ "semaphore of 3: holders and limit, 423, 409",
		    test_semaphore },
		{ "parameter errors: exact 400 bodies, nothing changed",
		    test_params_refused },
		{ "limit with a NUL inside is refused", test_limit_nul },
		{ "/v1/health counts the records", test_health },
		{ "a path under /v1 that is no uuid: 404", test_unknown_paths },
		{ "wait: woken by a release, or the end of a hold",
		    test_wait_released },
		{ "wait: runs out, or does not wait", test_wait_runs_out },
		{ "wait: cancelled by the owner's release",
		    test_wait_cancelled },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite("getlock", NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
