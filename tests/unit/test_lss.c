/*
 * test_lss.c: the LSS surface (lss.c, doc/API.md section 2) as whole requests
 * through api_handle on a store in a temporary directory with the fake
 * clock (surface.c): the answer to POST /locks with its generated id and
 * key, the parameter rules for l, e and k with their exact messages,
 * state changes over time, 404 before 401, the routes, retention with the
 * sweeper and the record limit. The LSS rules themselves are tested in
 * test_lock.c.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "lock.h"
#include "surface.h"
#include "tests.h"
#include "ulid.h"
#include "uuid.h"

#define T0		SURFACE_T0	/* an instant, ms since the epoch */
#define MAX_TTL_MS	SURFACE_MAX_TTL_MS
#define TEXT_CT		"text/plain; charset=utf-8"
#define LMSG		"l must be one of true, t, 1, yes, on, false, f, 0, " \
			"no, off"
#define KMSG		"k must be 1 to 255 printable characters"
#define NOLOCK		"Lock not found"
#define BADKEY		"key is not valid"
#define KEYBUF		(LOCK_SECRET_MAX + 1)	/* a key as answered */
#define QBUF		(LOCK_SECRET_MAX + 128)	/* a query with a key */

/* GET /locks/ID at test_now is STATUS (423, 204 or 404). */
static void
state(const char *file, unsigned int line, const char *id, int status)
{
	struct answer	 a;
	char		 path[128], what[160];

	snprintf(path, sizeof(path), "/locks/%s", id);
	snprintf(what, sizeof(what), "GET %s at T0+%lld", path,
	    (long long)(test_now - T0));
	surface_call("GET", path, NULL, NULL, &a);
	if (status == 404)
		surface_check(file, line, what, &a, 404, TEXT_CT, NOLOCK);
	else
		surface_check(file, line, what, &a, status, NULL, "");
}

/* PATCH /locks/ID/ACTION?QUERY at test_now answers STATUS. */
static void
patch(const char *file, unsigned int line, const char *id,
    const char *action, const char *query, int status)
{
	struct answer	 a;
	char		 path[128], what[512];

	snprintf(path, sizeof(path), "/locks/%s/%s", id, action);
	snprintf(what, sizeof(what), "PATCH %s?%s at T0+%lld", path, query,
	    (long long)(test_now - T0));
	surface_call("PATCH", path, query, NULL, &a);
	if (status == 404)
		surface_check(file, line, what, &a, 404, TEXT_CT, NOLOCK);
	else if (status == 401)
		surface_check(file, line, what, &a, 401, TEXT_CT, BADKEY);
	else
		surface_check(file, line, what, &a, status, NULL, "");
}

/*
 * POST /locks?QUERY (form body FORM) must answer 200 with exactly
 * {"lockId":"<ulid>","lockKey":"<key>"}, the key being want_key (JSON
 * text) or, when NULL, a generated lowercase UUID v4. Copies the id and
 * the key out; returns 0, or -1 (reported) when the answer is not that.
 */
static int
create(const char *file, unsigned int line, const char *query,
    const char *form, const char *want_key, char id[ULID_TEXT_LEN + 1],
    char *key, size_t keylen)
{
	static const char	 head[] = "{\"lockId\":\"";
	static const char	 mid[] = "\",\"lockKey\":\"";
	struct answer		 a;
	uint8_t			 bin[16], u[16];
	const char		*k;
	size_t			 n;
	int			 ok;

	id[0] = '\0';
	surface_call("POST", "/locks", query, form, &a);
	n = strlen(a.body);
	ok = a.status == 200 && strcmp(a.ctype, "application/json") == 0 &&
	    n > sizeof(head) - 1 + ULID_TEXT_LEN + sizeof(mid) - 1 + 2 &&
	    strncmp(a.body, head, sizeof(head) - 1) == 0 &&
	    strncmp(a.body + sizeof(head) - 1 + ULID_TEXT_LEN, mid,
	    sizeof(mid) - 1) == 0 && strcmp(a.body + n - 2, "\"}") == 0;
	if (ok) {
		memcpy(id, a.body + sizeof(head) - 1, ULID_TEXT_LEN);
		id[ULID_TEXT_LEN] = '\0';
		k = a.body + sizeof(head) - 1 + ULID_TEXT_LEN + sizeof(mid) - 1;
		snprintf(key, keylen, "%.*s", (int)(a.body + n - 2 - k), k);
		ok = strspn(id, "0123456789abcdefghjkmnpqrstvwxyz") ==
		    ULID_TEXT_LEN && ulid_parse(id, ULID_TEXT_LEN, bin) == 0;
		if (ok && want_key != NULL)
			ok = strcmp(key, want_key) == 0;
		else if (ok)
			ok = uuid_parse(key, strlen(key), u) == 0 &&
			    u[6] >> 4 == 4 && u[8] >> 6 == 2 &&
			    strspn(key, "0123456789abcdef-") == UUID_TEXT_LEN;
	}
	test_assert(ok, file, line, "POST /locks?%s [%s]: got %d [%s] '%s', "
	    "want 200 [application/json] {\"lockId\":\"<ulid>\",\"lockKey\":"
	    "\"%s\"}", query != NULL ? query : "", form != NULL ? form : "",
	    a.status, a.ctype, a.body, want_key != NULL ? want_key :
	    "<uuid v4>");
	if (!ok)
		id[0] = '\0';
	return ok ? 0 : -1;
}

/* POST refused with 400 and the text msg; no record more. */
static void
refused(const char *file, unsigned int line, const char *query,
    const char *form, const char *msg)
{
	struct answer	 a;
	uint64_t	 before = surface_records();
	char		 what[512];

	snprintf(what, sizeof(what), "POST /locks?%s [%s]", query,
	    form != NULL ? form : "");
	surface_call("POST", "/locks", query, form, &a);
	surface_check(file, line, what, &a, 400, TEXT_CT, msg);
	test_assert(surface_records() == before, file, line,
	    "%s: %llu records after, %llu before", what,
	    (unsigned long long)surface_records(), (unsigned long long)before);
}

#define STATE(id, status)	state(TEST_HERE, (id), (status))
#define PATCH(id, action, query, status) \
	patch(TEST_HERE, (id), (action), (query), (status))
#define CREATE(query, form, want, id, key) \
	create(TEST_HERE, (query), (form), (want), (id), (key), sizeof(key))
#define REFUSED(query, form, msg) refused(TEST_HERE, (query), (form), (msg))

static void
test_surface_create(void)
{
	char		 id[ULID_TEXT_LEN + 1], id2[ULID_TEXT_LEN + 1];
	char		 key[KEYBUF], key2[KEYBUF];
	uint8_t		 bin[16];
	int64_t		 t0, t1, ms;
	struct answer	 a;
	int		 i;

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	t0 = t1 = test_now;
	if (CREATE(NULL, NULL, NULL, id, key) == 0) {
		/* The id's time is the store's clock, the one its decisions
		 * are made by. */
		CU_ASSERT_EQUAL(ulid_parse(id, ULID_TEXT_LEN, bin), 0);
		for (ms = 0, i = 0; i < 6; i++)
			ms = ms << 8 | bin[i];
		test_assert(ms >= t0 && ms <= t1, TEST_HERE,
		    "id %s has time %lld, outside [%lld, %lld]", id,
		    (long long)ms, (long long)t0, (long long)t1);
		CU_ASSERT_EQUAL(surface_records(), 1);
		STATE(id, 204);
	}
	/* The trailing slash. */
	surface_call("POST", "/locks/", NULL, NULL, &a);
	test_assert(a.status == 200 && strncmp(a.body, "{\"lockId\":\"", 11)
	    == 0, TEST_HERE, "POST /locks/: %d '%s'", a.status, a.body);
	CU_ASSERT_EQUAL(surface_records(), 2);
	if (CREATE(NULL, NULL, NULL, id2, key2) == 0) {
		CU_ASSERT_STRING_NOT_EQUAL(id, id2);
		CU_ASSERT_STRING_NOT_EQUAL(key, key2);
	}
	if (CREATE("k=mykey", NULL, "mykey", id, key) == 0)
		PATCH(id, "lock", "k=mykey", 204);
	if (CREATE(NULL, "k=mykey", "mykey", id, key) == 0)
		STATE(id, 204);
	if (CREATE(NULL, "l=true&k=x", "x", id, key) == 0) {
		STATE(id, 423);
		PATCH(id, "unlock", "k=x", 204);
		STATE(id, 204);
	}
	/* Quote and backslash come back escaped, the key works as sent. */
	if (CREATE("k=a%22b%5Cc%20d", NULL, "a\\\"b\\\\c d", id, key) == 0)
		PATCH(id, "lock", "k=a%22b%5Cc%20d", 204);
	surface_close();
}

static void
test_surface_l(void)
{
	static const char *const yes[] = {
		"true", "t", "1", "yes", "on", "TRUE", "Yes", "T", "ON", "oN",
	};
	static const char *const no[] = {
		"false", "f", "0", "no", "off", "FALSE", "No", "F", "OFF",
	};
	static const char *const bad[] = {
		"maybe", "", "2", "truee", "tru", "yes!", "-1", "y", "n",
		"%20true", "true%20", "nil",
	};
	char	 id[ULID_TEXT_LEN + 1], key[KEYBUF], q[64];
	size_t	 i;

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(q, sizeof(q), "l=%s", yes[i]);
		if (CREATE(q, NULL, NULL, id, key) == 0)
			STATE(id, 423);
		if (CREATE(NULL, q, NULL, id, key) == 0)
			STATE(id, 423);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(q, sizeof(q), "l=%s", no[i]);
		if (CREATE(q, NULL, NULL, id, key) == 0)
			STATE(id, 204);
	}
	if (CREATE("", NULL, NULL, id, key) == 0)
		STATE(id, 204);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(q, sizeof(q), "l=%s", bad[i]);
		REFUSED(q, NULL, LMSG);
		REFUSED("", q, LMSG);
	}
	surface_close();
}

static void
test_surface_e(void)
{
	static const struct {
		const char	*e;
		const char	*msg;
	} bad[] = {
		{ "0", "e must be greater than 0" },
		{ "0.0", "e must be greater than 0" },
		{ "-1", "e must be greater than 0" },
		{ "-0.5", "e must be greater than 0" },
		{ "abc", "e must be a number" },
		{ "", "e must be a number" },
		{ "inf", "e must be a number" },
		{ "nan", "e must be a number" },
		{ "0x10", "e must be a number" },
		{ "1s", "e must be a number" },
		{ "1e400", "e must be a finite number" },
		{ "604801", "e must be at most 604800" },
		{ "604800.5", "e must be at most 604800" },
		{ "1e6", "e must be at most 604800" },
	};
	char	 id[ULID_TEXT_LEN + 1], key[KEYBUF], q[64];
	size_t	 i;

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(q, sizeof(q), "l=true&e=%s", bad[i].e);
		REFUSED(q, NULL, bad[i].msg);
		REFUSED("", q, bad[i].msg);
	}
	/* The maximum and spellings of a number. */
	if (CREATE("l=true&e=604800", NULL, NULL, id, key) == 0) {
		test_now = T0 + MAX_TTL_MS - 1;
		STATE(id, 423);
		test_now = T0 + MAX_TTL_MS;
		STATE(id, 204);
		test_now = T0;
	}
	if (CREATE("l=true&e=1e3", NULL, NULL, id, key) == 0) {
		test_now = T0 + 999999;
		STATE(id, 423);
		test_now = T0 + 1000000;
		STATE(id, 204);
		test_now = T0;
	}
	if (CREATE("l=true&e=0.001", NULL, NULL, id, key) == 0) {
		STATE(id, 423);
		test_now = T0 + 1;
		STATE(id, 204);
		test_now = T0;
	}
	surface_close();
}

static void
test_surface_k(void)
{
	char	 id[ULID_TEXT_LEN + 1], key[KEYBUF], q[QBUF], k255[256];

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	memset(k255, 'k', 255);
	k255[255] = '\0';
	snprintf(q, sizeof(q), "k=%s", k255);
	if (CREATE(q, NULL, k255, id, key) == 0) {
		PATCH(id, "lock", q, 204);
		STATE(id, 423);
	}
	snprintf(q, sizeof(q), "k=%sk", k255);
	REFUSED(q, NULL, KMSG);
	REFUSED("", q, KMSG);
	REFUSED("k=", NULL, KMSG);
	REFUSED("k=a%01b", NULL, KMSG);
	REFUSED("k=a%00b", NULL, KMSG);
	REFUSED("k=a%09b", NULL, KMSG);
	REFUSED("k=a%0Ab", NULL, KMSG);
	REFUSED("k=a%7Fb", NULL, KMSG);
	REFUSED("k=a%C3%A9b", NULL, KMSG);
	REFUSED("", "k=a%01b", KMSG);
	/* Blank and tilde are the ends of printable ASCII. */
	if (CREATE("k=%20~", NULL, " ~", id, key) == 0)
		PATCH(id, "lock", "k=%20~", 204);
	surface_close();
}

static void
test_surface_deadlines(void)
{
	char	 id[ULID_TEXT_LEN + 1], key[KEYBUF], q[QBUF], other[QBUF + 32];

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	if (CREATE("l=true&e=0.5", NULL, NULL, id, key) != 0) {
		surface_close();
		return;
	}
	snprintf(q, sizeof(q), "k=%s", key);
	STATE(id, 423);
	test_now = T0 + 499;
	STATE(id, 423);
	test_now = T0 + 500;
	STATE(id, 204);
	/* Lock with e: the deadline is now + e. */
	test_now = T0 + 1000;
	snprintf(other, sizeof(other), "%s&e=0.25", q);
	PATCH(id, "lock", other, 204);
	test_now = T0 + 1249;
	STATE(id, 423);
	test_now = T0 + 1250;
	STATE(id, 204);
	/* A deadline, then lock without e: locked forever. */
	test_now = T0 + 2000;
	PATCH(id, "lock", other, 204);
	test_now = T0 + 2100;
	PATCH(id, "lock", q, 204);
	test_now = T0 + 2250;
	STATE(id, 423);
	test_now = T0 + 100LL * 86400000;
	STATE(id, 423);
	/* Unlock clears it; the record stays. */
	PATCH(id, "unlock", q, 204);
	STATE(id, 204);
	/* nx: locked with a deadline, nx leaves it (and the deadline). */
	test_now = T0 + 200LL * 86400000;
	snprintf(other, sizeof(other), "%s&e=1", q);
	PATCH(id, "lock", other, 204);
	snprintf(other, sizeof(other), "%s&nx=1", q);
	PATCH(id, "lock", other, 423);
	snprintf(other, sizeof(other), "%s&nx=1&e=100", q);
	test_now += 500;
	PATCH(id, "lock", other, 423);
	test_now += 499;
	STATE(id, 423);
	test_now += 1;
	STATE(id, 204);
	/* Past the deadline nx takes it. */
	snprintf(other, sizeof(other), "%s&nx=true", q);
	PATCH(id, "lock", other, 204);
	test_now += 1000000;
	STATE(id, 423);
	snprintf(other, sizeof(other), "%s&nx=maybe", q);
	{
		struct answer	 a;
		char		 path[64];

		snprintf(path, sizeof(path), "/locks/%s/lock", id);
		surface_call("PATCH", path, other, NULL, &a);
		surface_check(TEST_HERE, "nx=maybe", &a, 400, TEXT_CT,
		    "nx must be one of true, t, 1, yes, on, false, f, 0, no, "
		    "off");
		snprintf(other, sizeof(other), "%s&e=0", q);
		surface_call("PATCH", path, other, NULL, &a);
		surface_check(TEST_HERE, "lock e=0", &a, 400, TEXT_CT,
		    "e must be greater than 0");
	}
	STATE(id, 423);
	surface_close();
}

static void
test_surface_keys(void)
{
	char	 id[ULID_TEXT_LEN + 1], key[KEYBUF], q[QBUF], upper[32];
	char	 wrong[QBUF + 32];
	size_t	 i;

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	if (CREATE(NULL, NULL, NULL, id, key) != 0) {
		surface_close();
		return;
	}
	snprintf(q, sizeof(q), "k=%s", key);
	for (i = 0; i <= ULID_TEXT_LEN; i++)
		upper[i] = (char)(id[i] >= 'a' && id[i] <= 'z' ?
		    id[i] - 'a' + 'A' : id[i]);
	/* Unknown id: 404 before the key is looked at. */
	PATCH("00000000000000000000000000", "lock", q, 404);
	PATCH("00000000000000000000000000", "lock", "", 404);
	PATCH("00000000000000000000000000", "unlock", "k=wrong", 404);
	PATCH("nosuchlock", "lock", "", 404);
	STATE("00000000000000000000000000", 404);
	STATE("80000000000000000000000000", 404);
	STATE("nosuchlock", 404);
	/* Known id: a wrong or missing key is 401, nothing changes. */
	PATCH(id, "lock", "k=wrong", 401);
	PATCH(id, "lock", "", 401);
	snprintf(wrong, sizeof(wrong), "k=%.*s", (int)strlen(key) - 1, key);
	PATCH(id, "lock", wrong, 401);
	snprintf(wrong, sizeof(wrong), "k=%s0", key);
	PATCH(id, "lock", wrong, 401);
	STATE(id, 204);
	/* Any case of the id. */
	PATCH(upper, "lock", q, 204);
	STATE(id, 423);
	STATE(upper, 423);
	PATCH(id, "unlock", "k=wrong", 401);
	PATCH(id, "unlock", "", 401);
	STATE(id, 423);
	PATCH(upper, "unlock", q, 204);
	STATE(id, 204);
	STATE(upper, 204);
	surface_close();
}

static void
test_surface_routes(void)
{
	static const struct {
		const char	*method;
		const char	*path;
		int		 status;
		const char	*allow;
		const char	*body;
	} cases[] = {
		{ "DELETE", "/locks/01hf7yat3v04hmasw9nf6yzzpw", 405,
		    "GET, HEAD, OPTIONS", "Method Not Allowed" },
		{ "PUT", "/locks/01hf7yat3v04hmasw9nf6yzzpw", 405,
		    "GET, HEAD, OPTIONS", "Method Not Allowed" },
		{ "GET", "/locks", 405, "POST, OPTIONS", "Method Not Allowed" },
		{ "GET", "/locks/", 405, "POST, OPTIONS",
		    "Method Not Allowed" },
		{ "POST", "/locks/01hf7yat3v04hmasw9nf6yzzpw/lock", 405,
		    "PATCH, OPTIONS", "Method Not Allowed" },
		{ "GET", "/locks/01hf7yat3v04hmasw9nf6yzzpw/unlock", 405,
		    "PATCH, OPTIONS", "Method Not Allowed" },
		{ "GET", "/locks/01hf7yat3v04hmasw9nf6yzzpw/other", 404,
		    "<absent>", "Not Found" },
		{ "PATCH", "/locks/01hf7yat3v04hmasw9nf6yzzpw/lock/x", 404,
		    "<absent>", "Not Found" },
		{ "OPTIONS", "/locks", 204, "POST, OPTIONS", "" },
		{ "OPTIONS", "/locks/01hf7yat3v04hmasw9nf6yzzpw", 204,
		    "GET, HEAD, OPTIONS", "" },
		{ "OPTIONS", "/locks/01hf7yat3v04hmasw9nf6yzzpw/lock", 204,
		    "PATCH, OPTIONS", "" },
	};
	struct answer	 a;
	size_t		 i;

	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		surface_call(cases[i].method, cases[i].path, NULL, NULL, &a);
		test_assert(a.status == cases[i].status &&
		    strcmp(a.allow, cases[i].allow) == 0 &&
		    strcmp(a.body, cases[i].body) == 0, TEST_HERE,
		    "%s %s: got %d Allow [%s] '%s', want %d [%s] '%s'",
		    cases[i].method, cases[i].path, a.status, a.allow, a.body,
		    cases[i].status, cases[i].allow, cases[i].body);
	}
	CU_ASSERT_EQUAL(surface_records(), 0);
	surface_close();
}

static void
test_surface_retention(void)
{
	char	 a[ULID_TEXT_LEN + 1], b[ULID_TEXT_LEN + 1];
	char	 c[ULID_TEXT_LEN + 1], d[ULID_TEXT_LEN + 1];
	char	 key[KEYBUF], ckey[KEYBUF], q[QBUF];

	/* Off by default: ten years later, after writes, still there. */
	CU_ASSERT_FATAL(surface_open(0, 1000) == 0);
	if (CREATE(NULL, NULL, NULL, a, key) == 0) {
		test_now = T0 + 3650LL * 86400000;
		CREATE(NULL, NULL, NULL, d, key);
		CREATE(NULL, NULL, NULL, d, key);
		STATE(a, 204);
		CU_ASSERT_EQUAL(surface_records(), 3);
	}
	surface_close();

	/* 1 s: swept once unchanged for 1 s, by the next write. */
	CU_ASSERT_FATAL(surface_open(1000, 1000) == 0);
	if (CREATE(NULL, NULL, NULL, a, key) != 0 ||
	    CREATE("l=true", NULL, NULL, b, key) != 0 ||
	    CREATE(NULL, NULL, NULL, c, ckey) != 0) {
		surface_close();
		return;
	}
	snprintf(q, sizeof(q), "k=%s", ckey);
	test_now = T0 + 600;
	PATCH(c, "lock", q, 204);
	/* Reads do not keep a lock. */
	test_now = T0 + 900;
	STATE(a, 204);
	test_now = T0 + 999;
	CREATE(NULL, NULL, NULL, d, key);
	STATE(a, 204);
	STATE(b, 423);
	CU_ASSERT_EQUAL(surface_records(), 4);
	/* Unchanged for 1000 ms: a and b go with the next write. */
	test_now = T0 + 1000;
	STATE(a, 204);
	CREATE(NULL, NULL, NULL, d, key);
	STATE(a, 404);
	STATE(b, 404);
	PATCH(a, "unlock", "k=none", 404);
	STATE(c, 423);
	CU_ASSERT_EQUAL(surface_records(), 3);
	/* c was changed at T0+600: kept until T0+1600. */
	test_now = T0 + 1599;
	CREATE(NULL, NULL, NULL, d, key);
	STATE(c, 423);
	test_now = T0 + 1600;
	CREATE(NULL, NULL, NULL, d, key);
	STATE(c, 404);
	surface_close();
}

static void
test_surface_full(void)
{
	char		 a[ULID_TEXT_LEN + 1], b[ULID_TEXT_LEN + 1];
	char		 akey[KEYBUF], bkey[KEYBUF], q[QBUF];
	struct answer	 r;

	CU_ASSERT_FATAL(surface_open(0, 2) == 0);
	if (CREATE(NULL, NULL, NULL, a, akey) != 0 ||
	    CREATE("l=1", NULL, NULL, b, bkey) != 0) {
		surface_close();
		return;
	}
	surface_call("POST", "/locks", NULL, NULL, &r);
	surface_check(TEST_HERE, "POST /locks, full", &r, 507,
	    "application/json", "{\"message\": \"storage full\"}\n");
	surface_call("POST", "/locks", "l=true&k=k3", NULL, &r);
	surface_check(TEST_HERE, "POST /locks?l=true&k=k3, full", &r, 507,
	    "application/json", "{\"message\": \"storage full\"}\n");
	CU_ASSERT_EQUAL(surface_records(), 2);
	STATE(a, 204);
	STATE(b, 423);
	snprintf(q, sizeof(q), "k=%s", akey);
	PATCH(a, "lock", q, 204);
	STATE(a, 423);
	snprintf(q, sizeof(q), "k=%s", bkey);
	PATCH(b, "unlock", q, 204);
	STATE(b, 204);
	CU_ASSERT_EQUAL(surface_records(), 2);
	surface_close();
}

int
test_lss_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "POST /locks: the answer, k, form bodies",
		    test_surface_create },
		{ "POST /locks: l spellings", test_surface_l },
		{ "POST /locks: e values", test_surface_e },
		{ "POST /locks: k values", test_surface_k },
		{ "deadlines, lock forever, nx on the clock",
		    test_surface_deadlines },
		{ "404 before 401, keys, id case", test_surface_keys },
		{ "405 with Allow, 404, OPTIONS", test_surface_routes },
		{ "retention with the sweeper", test_surface_retention },
		{ "max records: 507, the rest still works",
		    test_surface_full },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite("lss", NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
