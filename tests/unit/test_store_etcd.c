/*
 * test_store_etcd.c: the etcd cluster the store tests will run on
 * (fake_etcd.c), held to the answers recorded from a real etcd 3.4.23
 * (tests/unit/etcd/): the requests record.sh sent, sent to the fake in
 * the same order, must get the same bytes back; then what the store
 * tests will rely on: history, compares, faults.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <CUnit/CUnit.h>

#include "buf.h"
#include "etcd_codec.h"
#include "fake_etcd.h"
#include "tests.h"

static struct fake_etcd	*fk;
static struct buf	 ans;

/*
 * Reads tests/unit/etcd/name under $LOCKGATE_SRCDIR (make check sets it)
 * or the source directory configure saw. Returns its bytes (the caller
 * frees them; a NUL follows) with their number in *len, or NULL after a
 * failed assertion.
 */
static char *
recorded(const char *name, size_t *len)
{
	const char	*dir = getenv("LOCKGATE_SRCDIR");
	char		 path[4096], *data = NULL;
	FILE		*f;
	long		 size;

	*len = 0;
	if (dir == NULL || *dir == '\0')
		dir = LOCKGATE_TEST_SRCDIR;
	snprintf(path, sizeof(path), "%s/tests/unit/etcd/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL) {
		test_assert(0, TEST_HERE, "fopen %s failed", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)size + 1)) != NULL &&
	    fread(data, 1, (size_t)size, f) == (size_t)size) {
		data[size] = '\0';
		*len = (size_t)size;
	} else {
		test_assert(0, TEST_HERE, "reading %s failed", path);
		free(data);
		data = NULL;
	}
	fclose(f);
	return data;
}

/* ------------------------------------------------------------------ */
/* The fake */

static void
fake_setup(void)
{
	fk = fake_etcd_new(3);
	buf_init(&ans);
}

static void
fake_teardown(void)
{
	fake_etcd_free(fk);
	fk = NULL;
	buf_free(&ans);
}

/* POSTs body to path on member m; the answer goes to ans. */
static int
ask(size_t m, const char *path, const char *body)
{
	return fake_etcd_request(fk, m, path, body, strlen(body), &ans);
}

/* The answer in ans, with its status, must be the recording's bytes. */
static void
answer_is(const char *file, unsigned int line, int status, int want,
    const char *name)
{
	char	*rec;
	size_t	 len;

	if ((rec = recorded(name, &len)) == NULL)
		return;
	test_assert(status == want && ans.len == len &&
	    memcmp(ans.data, rec, len) == 0, file, line,
	    "%s: %d %.*s; want %d %s", name, status, (int)ans.len,
	    ans.data != NULL ? ans.data : "", want, rec);
	free(rec);
}

/* Keys and values as record.sh sends them (tests/unit/etcd/README.md). */
#define A64	"bG9ja2dhdGUvbC9hbHBoYQ=="
#define B64	"bG9ja2dhdGUvbC9iZXRh"
#define G64	"bG9ja2dhdGUvbC9nYW1tYQ=="
#define P64	"bG9ja2dhdGUvbC8="
#define E64	"bG9ja2dhdGUvbDA="
#define LEASE	"1353510066806062346"
#define TXN_CREATE "{\"compare\":[{\"key\":\"" A64 "\",\"target\":" \
	"\"CREATE\",\"result\":\"EQUAL\",\"create_revision\":\"0\"}]," \
	"\"success\":[{\"request_put\":{\"key\":\"" A64 "\",\"value\":" \
	"\"dzE=\"}}],\"failure\":[{\"request_range\":{\"key\":\"" A64 \
	"\"}}]}"
#define TXN_CAS "{\"compare\":[{\"key\":\"" A64 "\",\"target\":\"MOD\"," \
	"\"result\":\"EQUAL\",\"mod_revision\":\"5\"}],\"success\":[{" \
	"\"request_put\":{\"key\":\"" A64 "\",\"value\":\"dzM=\"}},{" \
	"\"request_delete_range\":{\"key\":\"" B64 "\"}}],\"failure\":[{" \
	"\"request_range\":{\"key\":\"" A64 "\"}}]}"

/*
 * record.sh's requests to one fresh member, in its order: every answer
 * the fake gives is the one etcd gave, byte for byte (member 0 has the
 * recorded member's ID). Between delete-absent and the compacted range,
 * record.sh watched (no change) and compacted at revision 5.
 */
static void
test_fake_replays_recording(void)
{
	answer_is(TEST_HERE, ask(0, "/v3/kv/range", "{\"key\":\"" A64 "\"}"),
	    200, "range-absent.json");
	answer_is(TEST_HERE, ask(0, "/v3/kv/txn", TXN_CREATE), 200,
	    "txn-create-succeeded.json");
	answer_is(TEST_HERE, ask(0, "/v3/kv/txn", TXN_CREATE), 200,
	    "txn-create-failed.json");
	answer_is(TEST_HERE, ask(0, "/v3/kv/range", "{\"key\":\"" A64 "\"}"),
	    200, "range-one.json");
	answer_is(TEST_HERE, ask(0, "/v3/kv/put", "{\"key\":\"" B64 "\","
	    "\"value\":\"AAH+/w==\"}"), 200, "put.json");
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/put", "{\"key\":\"" G64 "\",\"value\":"
	    "\"dzk=\",\"lease\":\"" LEASE "\"}"), 200);
	answer_is(TEST_HERE, ask(0, "/v3/kv/put", "{\"key\":\"" A64 "\","
	    "\"value\":\"dzI=\",\"prev_kv\":true}"), 200, "put-prevkv.json");
	answer_is(TEST_HERE, ask(0, "/v3/kv/range", "{\"key\":\"" P64 "\","
	    "\"range_end\":\"" E64 "\",\"limit\":\"2\"}"), 200,
	    "range-many-more.json");
	answer_is(TEST_HERE, ask(0, "/v3/kv/range", "{\"key\":"
	    "\"bG9ja2dhdGUvbC9iZXRhAA==\",\"range_end\":\"" E64 "\","
	    "\"limit\":\"2\",\"serializable\":true}"), 200,
	    "range-page-last.json");
	answer_is(TEST_HERE, ask(0, "/v3/kv/txn", TXN_CAS), 200,
	    "txn-cas-succeeded.json");
	answer_is(TEST_HERE, ask(0, "/v3/kv/txn", TXN_CAS), 200,
	    "txn-cas-failed.json");
	answer_is(TEST_HERE, ask(0, "/v3/kv/deleterange", "{\"key\":\"" A64
	    "\",\"prev_kv\":true}"), 200, "delete-prevkv.json");
	answer_is(TEST_HERE, ask(0, "/v3/kv/deleterange", "{\"key\":\"" A64
	    "\"}"), 200, "delete-absent.json");
	fake_etcd_compact(fk, 5);
	answer_is(TEST_HERE, ask(0, "/v3/kv/range", "{\"key\":\"" A64 "\","
	    "\"revision\":\"3\"}"), 400, "error-range-compacted.json");
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 7);
}

/* The refusals record.sh provoked, refused with the same bytes. */
static void
test_fake_refusals_recorded(void)
{
	answer_is(TEST_HERE, ask(0, "/v3/kv/txn", "{\"compare\":[{\"key\":"
	    "\"!!!\",\"target\":\"MOD\",\"result\":\"EQUAL\","
	    "\"mod_revision\":\"5\"}]}"), 400, "error-txn-bad-base64.json");
	answer_is(TEST_HERE, ask(0, "/v3/kv/txn", "{\"success\":[{"
	    "\"request_put\":{\"key\":\"" A64 "\",\"value\":\"dzE=\"}},{"
	    "\"request_delete_range\":{\"key\":\"" A64 "\"}}]}"), 400,
	    "error-txn-duplicate-key.json");
	answer_is(TEST_HERE, ask(0, "/v3/kv/put", "{\"value\":\"dzE=\"}"),
	    400, "error-put-no-key.json");
	answer_is(TEST_HERE, ask(0, "/v3/kv/range", "{\"key\":"), 400,
	    "error-bad-json.json");
	answer_is(TEST_HERE, ask(0, "/v3/kv/nosuch", "{}"), 404,
	    "error-unknown-path.json");
	answer_is(TEST_HERE, ask(0, "/v3/auth/authenticate", "{\"name\":"
	    "\"root\",\"password\":\"secret\"}"), 412,
	    "error-auth-disabled.json");
	/* Nothing was written by any of them. */
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 1);

	/* A member without a leader; a write that timed out. */
	fake_etcd_member(fk, 1, FAKE_MEMBER_NO_LEADER);
	answer_is(TEST_HERE, ask(1, "/v3/kv/range", "{\"key\":\"YQ==\"}"),
	    503, "error-range-no-leader.json");
	fake_etcd_fault(fk, FAKE_FAULT_TIMED_OUT);
	answer_is(TEST_HERE, ask(0, "/v3/kv/put", "{\"key\":\"YQ==\","
	    "\"value\":\"dzI=\"}"), 503, "error-range-no-quorum.json");
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 1);
}

/* Whether a and b have the same members, in the same order, of the same
 * JSON types, down to the leaves (whose values may differ). */
static int
same_shape(struct json_object *a, struct json_object *b)
{
	struct json_object_iterator	 ia, ib, ea, eb;
	size_t				 i;

	if (json_object_get_type(a) != json_object_get_type(b))
		return 0;
	if (json_object_is_type(a, json_type_array)) {
		if (json_object_array_length(a) != json_object_array_length(b))
			return 0;
		for (i = 0; i < json_object_array_length(a); i++)
			if (!same_shape(json_object_array_get_idx(a, i),
			    json_object_array_get_idx(b, i)))
				return 0;
		return 1;
	}
	if (!json_object_is_type(a, json_type_object))
		return 1;
	ia = json_object_iter_begin(a);
	ib = json_object_iter_begin(b);
	ea = json_object_iter_end(a);
	eb = json_object_iter_end(b);
	for (; !json_object_iter_equal(&ia, &ea) &&
	    !json_object_iter_equal(&ib, &eb);
	    json_object_iter_next(&ia), json_object_iter_next(&ib))
		if (strcmp(json_object_iter_peek_name(&ia),
		    json_object_iter_peek_name(&ib)) != 0 ||
		    !same_shape(json_object_iter_peek_value(&ia),
		    json_object_iter_peek_value(&ib)))
			return 0;
	return json_object_iter_equal(&ia, &ea) &&
	    json_object_iter_equal(&ib, &eb);
}

/* Status: the shape of status.json; the values the fake's own. */
static void
test_fake_status(void)
{
	struct json_object	*mine, *real;
	struct etcd_status	 s;
	struct etcd_error	 err;
	char			*rec;
	size_t			 len;

	CU_ASSERT_EQUAL(ask(0, "/v3/kv/put", "{\"key\":\"YQ==\",\"value\":"
	    "\"dzE=\"}"), 200);
	CU_ASSERT_EQUAL_FATAL(ask(1, "/v3/maintenance/status", "{}"), 200);
	rec = recorded("status.json", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
	mine = json_tokener_parse(ans.data);
	real = json_tokener_parse(rec);
	test_assert(mine != NULL && real != NULL && same_shape(mine, real),
	    TEST_HERE, "the fake's status %s is not shaped as %s", ans.data,
	    rec);
	json_object_put(mine);
	json_object_put(real);
	free(rec);
	CU_ASSERT_EQUAL_FATAL(etcd_parse_status(ans.data, ans.len, &s, &err),
	    ETCD_OK);
	CU_ASSERT_STRING_EQUAL(s.version, "3.4.23");
	CU_ASSERT_EQUAL(s.header.cluster_id, FAKE_ETCD_CLUSTER_ID);
	CU_ASSERT_EQUAL(s.header.member_id, fake_etcd_member_id(1));
	CU_ASSERT_EQUAL(s.header.revision, 2);
	CU_ASSERT_EQUAL(s.leader, FAKE_ETCD_MEMBER0_ID);
	CU_ASSERT_EQUAL(s.nerrors, 0);
	etcd_status_free(&s);

	/* The space alarm shows, as etcd shows it. */
	fake_etcd_space_alarm(fk, 1);
	fake_etcd_member(fk, 0, FAKE_MEMBER_UNREACHABLE);
	CU_ASSERT_EQUAL_FATAL(ask(2, "/v3/maintenance/status", "{}"), 200);
	CU_ASSERT_EQUAL_FATAL(etcd_parse_status(ans.data, ans.len, &s, &err),
	    ETCD_OK);
	CU_ASSERT_EQUAL(s.leader, fake_etcd_member_id(1));
	CU_ASSERT_EQUAL_FATAL(s.nerrors, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.errors[0], "alarm:NOSPACE"));
	etcd_status_free(&s);
}

/* What a real etcd 3.4.23 answered, seen by hand for these: a failed
 * compare with no failure ops, an empty value, a limit equal to the
 * count, a future revision, a deletion of a range, an empty txn. */
static void
test_fake_more_shapes(void)
{
#define HDR(r)	"{\"header\":{\"cluster_id\":\"15875391935852295136\"," \
	"\"member_id\":\"7383792418829112008\",\"revision\":\"" r "\"," \
	"\"raft_term\":\"2\"}"
	static const struct {
		const char	*path;
		const char	*body;
		int		 status;
		const char	*want;
	} steps[] = {
		{ "/v3/kv/txn", "{\"compare\":[{\"key\":\"YQ==\",\"target\":"
		    "\"MOD\",\"result\":\"EQUAL\",\"mod_revision\":\"7\"}],"
		    "\"success\":[{\"request_put\":{\"key\":\"YQ==\","
		    "\"value\":\"dzE=\"}}]}", 200, HDR("1") "}" },
		{ "/v3/kv/txn", "{\"compare\":[{\"key\":\"YQ==\",\"target\":"
		    "\"MOD\",\"result\":\"EQUAL\",\"mod_revision\":\"5\"}],"
		    "\"success\":[{\"request_put\":{\"key\":\"YQ==\","
		    "\"value\":\"dzE=\"}}],\"failure\":[{\"request_range\":{"
		    "\"key\":\"YQ==\"}}]}", 200, HDR("1") ",\"responses\":[{"
		    "\"response_range\":{\"header\":{\"revision\":\"1\"}}}]}" },
		{ "/v3/kv/put", "{\"key\":\"YQ==\",\"value\":\"dzE=\"}", 200,
		    HDR("2") "}" },
		{ "/v3/kv/put", "{\"key\":\"Yg==\",\"value\":\"\"}", 200,
		    HDR("3") "}" },
		{ "/v3/kv/range", "{\"key\":\"YQ==\",\"range_end\":\"Yw==\","
		    "\"limit\":\"2\"}", 200, HDR("3") ",\"kvs\":[{\"key\":"
		    "\"YQ==\",\"create_revision\":\"2\",\"mod_revision\":\"2\","
		    "\"version\":\"1\",\"value\":\"dzE=\"},{\"key\":\"Yg==\","
		    "\"create_revision\":\"3\",\"mod_revision\":\"3\","
		    "\"version\":\"1\"}],\"count\":\"2\"}" },
		{ "/v3/kv/range", "{\"key\":\"YQ==\",\"revision\":\"99\"}",
		    400, "{\"error\":\"etcdserver: mvcc: required revision is "
		    "a future revision\",\"message\":\"etcdserver: mvcc: "
		    "required revision is a future revision\",\"code\":11}" },
		{ "/v3/kv/range", "{\"key\":\"YQ==\",\"range_end\":\"AA==\","
		    "\"revision\":\"2\"}", 200, HDR("3") ",\"kvs\":[{\"key\":"
		    "\"YQ==\",\"create_revision\":\"2\",\"mod_revision\":\"2\","
		    "\"version\":\"1\",\"value\":\"dzE=\"}],\"count\":\"1\"}" },
		{ "/v3/kv/deleterange", "{\"key\":\"YQ==\",\"range_end\":"
		    "\"Yw==\",\"prev_kv\":true}", 200, HDR("4") ",\"deleted\":"
		    "\"2\",\"prev_kvs\":[{\"key\":\"YQ==\",\"create_revision\":"
		    "\"2\",\"mod_revision\":\"2\",\"version\":\"1\",\"value\":"
		    "\"dzE=\"},{\"key\":\"Yg==\",\"create_revision\":\"3\","
		    "\"mod_revision\":\"3\",\"version\":\"1\"}]}" },
		{ "/v3/kv/txn", "{\"compare\":[{\"key\":\"YQ==\",\"target\":"
		    "\"CREATE\",\"result\":\"EQUAL\",\"create_revision\":\"0\"}"
		    "],\"success\":[{\"request_delete_range\":{\"key\":"
		    "\"YQ==\"}}]}", 200, HDR("4") ",\"succeeded\":true,"
		    "\"responses\":[{\"response_delete_range\":{\"header\":{"
		    "\"revision\":\"4\"}}}]}" },
		{ "/v3/kv/txn", "{}", 200, HDR("4") ",\"succeeded\":true}" },
		{ "/v3/kv/range", "{}", 400, "{\"error\":\"etcdserver: key is "
		    "not provided\",\"message\":\"etcdserver: key is not "
		    "provided\",\"code\":3}" },
		{ "/v3/kv/range", "{\"key\":\"Y!==\"}", 400, "{\"error\":"
		    "\"illegal base64 data at input byte 1\",\"message\":"
		    "\"illegal base64 data at input byte 1\",\"code\":3}" },
		{ "/v3/kv/txn", "{\"compare\":[{\"key\":\"YQ==\",\"target\":"
		    "\"BOGUS\",\"version\":\"1\"}]}", 400, "{\"error\":"
		    "\"unknown value \\\"BOGUS\\\" for enum etcdserverpb."
		    "Compare_CompareTarget\",\"message\":\"unknown value "
		    "\\\"BOGUS\\\" for enum etcdserverpb.Compare_CompareTarget"
		    "\",\"code\":3}" },
		{ "/v3/kv/txn", "{\"success\":[{}]}", 400, "{\"error\":"
		    "\"etcdserver: key not found\",\"message\":\"etcdserver: "
		    "key not found\",\"code\":3}" },
	};
#undef HDR
	size_t	 i;
	int	 status;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		status = ask(0, steps[i].path, steps[i].body);
		test_assert(status == steps[i].status &&
		    strcmp(buf_str(&ans), steps[i].want) == 0, TEST_HERE,
		    "step %zu %s %s: %d %s; want %d %s", i, steps[i].path,
		    steps[i].body, status, buf_str(&ans), steps[i].status,
		    steps[i].want);
	}
}

/* A key's history: versions, create and mod revisions across a delete;
 * a range at any revision sees the key as it was then. */
static void
test_fake_history(void)
{
	struct fake_kv	 kv;
	struct etcd_answer a;
	struct etcd_error err;

	CU_ASSERT_EQUAL(fake_etcd_put(fk, "k", 1, "v1", 2), 2);
	CU_ASSERT_EQUAL(fake_etcd_put(fk, "k", 1, "v2", 2), 3);
	CU_ASSERT_EQUAL(fake_etcd_put(fk, "j", 1, "w", 1), 4);
	CU_ASSERT_EQUAL_FATAL(fake_etcd_get(fk, "k", 1, &kv), 1);
	CU_ASSERT_EQUAL(kv.create_revision, 2);
	CU_ASSERT_EQUAL(kv.mod_revision, 3);
	CU_ASSERT_EQUAL(kv.version, 2);
	CU_ASSERT_EQUAL(kv.valuelen, 2);
	CU_ASSERT_EQUAL(memcmp(kv.value, "v2", 2), 0);
	CU_ASSERT_EQUAL(fake_etcd_delete(fk, "k", 1), 5);
	CU_ASSERT_EQUAL(fake_etcd_delete(fk, "k", 1), 0);
	CU_ASSERT_EQUAL(fake_etcd_get(fk, "k", 1, &kv), 0);
	CU_ASSERT_EQUAL(fake_etcd_put(fk, "k", 1, "v3", 2), 6);
	CU_ASSERT_EQUAL_FATAL(fake_etcd_get(fk, "k", 1, &kv), 1);
	CU_ASSERT_EQUAL(kv.create_revision, 6);
	CU_ASSERT_EQUAL(kv.version, 1);
	CU_ASSERT_EQUAL(fake_etcd_count(fk, "", 0), 2);
	CU_ASSERT_EQUAL(fake_etcd_count(fk, "k", 1), 1);

	/* "k" is "aw==", "l" "bA==": the range [k, l) at each revision. */
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/range", "{\"key\":\"aw==\","
	    "\"revision\":\"2\"}"), 200);
	CU_ASSERT_EQUAL_FATAL(etcd_parse_op(ans.data, ans.len, ETCD_OP_RANGE,
	    &a, &err), ETCD_OK);
	CU_ASSERT_EQUAL(a.header.revision, 6);
	CU_ASSERT_EQUAL_FATAL(a.nkvs, 1);
	CU_ASSERT_STRING_EQUAL(a.kvs[0].value, "v1");
	CU_ASSERT_EQUAL(a.kvs[0].version, 1);
	etcd_answer_free(&a);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/range", "{\"key\":\"aw==\","
	    "\"revision\":\"5\"}"), 200);
	CU_ASSERT_EQUAL_FATAL(etcd_parse_op(ans.data, ans.len, ETCD_OP_RANGE,
	    &a, &err), ETCD_OK);
	CU_ASSERT_EQUAL(a.nkvs, 0);
	CU_ASSERT_EQUAL(a.count, 0);
	etcd_answer_free(&a);
	/* From "a" to the end: j and k, now. */
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/range", "{\"key\":\"YQ==\","
	    "\"range_end\":\"AA==\",\"limit\":\"1\"}"), 200);
	CU_ASSERT_EQUAL_FATAL(etcd_parse_op(ans.data, ans.len, ETCD_OP_RANGE,
	    &a, &err), ETCD_OK);
	CU_ASSERT_EQUAL_FATAL(a.nkvs, 1);
	CU_ASSERT_STRING_EQUAL(a.kvs[0].key, "j");
	CU_ASSERT_EQUAL(a.more, 1);
	CU_ASSERT_EQUAL(a.count, 2);
	etcd_answer_free(&a);
}

/* Each compare target and result, on a key that exists and one that
 * does not (whose revisions and version are 0 and which has no value). */
static void
test_fake_compares(void)
{
	static const struct {
		const char	*cmp;
		int		 holds;		/* on k: v2, version 2,
						 * create 2, mod 3 */
		int		 absent;	/* on a key never made */
	} cases[] = {
		{ "\"target\":\"VERSION\",\"version\":\"2\"", 1, 0 },
		{ "\"target\":\"VERSION\",\"result\":\"GREATER\","
		    "\"version\":\"1\"", 1, 0 },
		{ "\"target\":\"VERSION\",\"result\":\"LESS\","
		    "\"version\":\"2\"", 0, 1 },
		{ "\"target\":\"CREATE\",\"create_revision\":\"2\"", 1, 0 },
		{ "\"target\":\"CREATE\",\"result\":\"NOT_EQUAL\","
		    "\"create_revision\":\"0\"", 1, 0 },
		{ "\"target\":\"CREATE\",\"create_revision\":\"0\"", 0, 1 },
		{ "\"target\":\"MOD\",\"mod_revision\":\"3\"", 1, 0 },
		{ "\"target\":\"MOD\",\"mod_revision\":3", 1, 0 },
		{ "\"target\":\"MOD\",\"result\":\"LESS\","
		    "\"mod_revision\":\"3\"", 0, 1 },
		{ "\"target\":\"MOD\",\"result\":2,\"mod_revision\":\"4\"",
		    1, 1 },
		{ "\"target\":\"MOD\",\"result\":\"NOT_EQUAL\","
		    "\"mod_revision\":\"3\"", 0, 1 },
		{ "\"target\":\"VALUE\",\"value\":\"djI=\"", 1, 0 },
		{ "\"target\":\"VALUE\",\"result\":\"GREATER\","
		    "\"value\":\"djE=\"", 1, 0 },
		{ "\"target\":\"VALUE\",\"result\":\"NOT_EQUAL\","
		    "\"value\":\"djE=\"", 1, 0 },
		{ "\"target\":\"VALUE\",\"value\":\"djE=\"", 0, 0 },
	};
	char	 body[512];
	size_t	 i;
	int	 status, held;

	fake_etcd_put(fk, "k", 1, "v1", 2);
	fake_etcd_put(fk, "k", 1, "v2", 2);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "{\"compare\":[{\"key\":\"aw==\","
		    "%s}]}", cases[i].cmp);
		status = ask(0, "/v3/kv/txn", body);
		held = strstr(buf_str(&ans), "\"succeeded\":true") != NULL;
		test_assert(status == 200 && held == cases[i].holds,
		    TEST_HERE, "%s: %d %s; want %s", body, status,
		    buf_str(&ans), cases[i].holds ? "true" : "false");
		snprintf(body, sizeof(body), "{\"compare\":[{\"key\":\"eg==\","
		    "%s}]}", cases[i].cmp);
		status = ask(0, "/v3/kv/txn", body);
		held = strstr(buf_str(&ans), "\"succeeded\":true") != NULL;
		test_assert(status == 200 && held == cases[i].absent,
		    TEST_HERE, "%s: %d %s; want %s", body, status,
		    buf_str(&ans), cases[i].absent ? "true" : "false");
	}
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 3);
}

/* Fields etcd does not know, and the fake does not, are refused. */
static void
test_fake_strict(void)
{
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/range", "{\"key\":\"YQ==\","
	    "\"keys_only\":true}"), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&ans), "keys_only"));
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/put", "{\"key\":\"YQ==\",\"vaule\":"
	    "\"dzE=\"}"), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&ans), "vaule"));
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/txn", "{\"compare\":[{\"key\":"
	    "\"YQ==\",\"range_end\":\"Yg==\"}]}"), 400);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/txn", "{\"success\":[{"
	    "\"request_txn\":{}}]}"), 400);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/range", "[1]"), 400);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/range", "{\"key\":\"YQ==\","
	    "\"limit\":\"x\"}"), 400);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/range", "{\"key\":\"YQ==\"} x"), 400);
	/* An empty body is {}: no key. */
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/range", ""), 400);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&ans), "key is not provided"));
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 1);
}

/* Every byte value through the fake's base64 and the codec's. */
static void
test_fake_base64(void)
{
	struct etcd_answer	 a;
	struct etcd_error	 err;
	struct buf		 body;
	char			 value[300];
	size_t			 n, i;

	for (i = 0; i < sizeof(value); i++)
		value[i] = (char)(i * 7 + 3);
	buf_init(&body);
	for (n = 0; n <= 6; n++) {
		fake_etcd_put(fk, value, n + 1, value, sizeof(value) - n);
		buf_reset(&body);
		buf_puts(&body, "{\"key\":\"");
		etcd_base64_put(&body, value, n + 1);
		buf_puts(&body, "\"}");
		CU_ASSERT_EQUAL(ask(0, "/v3/kv/range", buf_str(&body)), 200);
		CU_ASSERT_EQUAL_FATAL(etcd_parse_op(ans.data, ans.len,
		    ETCD_OP_RANGE, &a, &err), ETCD_OK);
		CU_ASSERT_EQUAL_FATAL(a.nkvs, 1);
		CU_ASSERT_EQUAL(a.kvs[0].keylen, n + 1);
		CU_ASSERT_EQUAL(memcmp(a.kvs[0].key, value, n + 1), 0);
		CU_ASSERT_EQUAL(a.kvs[0].valuelen, sizeof(value) - n);
		CU_ASSERT_EQUAL(memcmp(a.kvs[0].value, value,
		    sizeof(value) - n), 0);
		etcd_answer_free(&a);
	}
	buf_free(&body);
}

/* What the hook saw: requests by member and path. */
struct seen_req {
	int	 n;
	size_t	 member[16];
	char	 path[16][32];
};

static void
see(struct fake_etcd *f, size_t m, const char *path, const char *body,
    size_t len, void *arg)
{
	struct seen_req	*s = arg;

	(void)f;
	(void)body;
	(void)len;
	if (s->n < 16) {
		s->member[s->n] = m;
		snprintf(s->path[s->n], sizeof(s->path[0]), "%s", path);
	}
	s->n++;
}

/* Members that are down; one-shot faults; a write held back; counts. */
static void
test_fake_faults(void)
{
	static const char put[] = "{\"key\":\"YQ==\",\"value\":\"dzE=\"}";
	struct seen_req	 s;
	struct fake_kv	 kv;

	memset(&s, 0, sizeof(s));
	fake_etcd_before(fk, see, &s);
	fake_etcd_member(fk, 0, FAKE_MEMBER_UNREACHABLE);
	fake_etcd_member(fk, 1, FAKE_MEMBER_SILENT);
	fake_etcd_member(fk, 2, FAKE_MEMBER_NO_LEADER);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/put", put), ETCD_UNREACHED);
	CU_ASSERT_EQUAL(ask(1, "/v3/kv/put", put), ETCD_LOST);
	CU_ASSERT_EQUAL(ask(2, "/v3/kv/put", put), 503);
	CU_ASSERT_EQUAL(ask(3, "/v3/kv/put", put), ETCD_UNREACHED);
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 1);
	/* The hook saw every one; the counts are of those that arrived. */
	CU_ASSERT_EQUAL(s.n, 4);
	CU_ASSERT_EQUAL(s.member[0], 0);
	CU_ASSERT_EQUAL(s.member[3], 3);
	CU_ASSERT_STRING_EQUAL(s.path[2], "/v3/kv/put");
	CU_ASSERT_EQUAL(fake_etcd_calls(fk, 0, NULL), 0);
	CU_ASSERT_EQUAL(fake_etcd_calls(fk, 1, "/v3/kv/put"), 1);
	CU_ASSERT_EQUAL(fake_etcd_calls(fk, 2, NULL), 1);
	CU_ASSERT_EQUAL(fake_etcd_calls(fk, 2, "/v3/kv/range"), 0);
	fake_etcd_member(fk, 0, FAKE_MEMBER_UP);
	fake_etcd_member(fk, 1, FAKE_MEMBER_UP);
	fake_etcd_member(fk, 2, FAKE_MEMBER_UP);

	/* A read is no write: the fault waits for the next write. */
	fake_etcd_fault(fk, FAKE_FAULT_APPLY_LOSE);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/range", "{\"key\":\"YQ==\"}"), 200);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/put", put), ETCD_LOST);
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 2);
	fake_etcd_fault(fk, FAKE_FAULT_LOSE);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/put", put), ETCD_LOST);
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 2);
	fake_etcd_fault(fk, FAKE_FAULT_NO_SPACE);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/txn", "{}"), 429);
	CU_ASSERT_STRING_EQUAL(buf_str(&ans), "{\"error\":\"etcdserver: mvcc: "
	    "database space exceeded\",\"message\":\"etcdserver: mvcc: "
	    "database space exceeded\",\"code\":8}");
	/* One shot: the next write is done. */
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/put", put), 200);
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 3);

	/* Held: done once the next request is answered, not before. */
	fake_etcd_fault(fk, FAKE_FAULT_APPLY_LATER);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/put", put), ETCD_LOST);
	CU_ASSERT_EQUAL(fake_etcd_held(fk), 1);
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 3);
	CU_ASSERT_EQUAL(ask(1, "/v3/kv/range", "{\"key\":\"YQ==\"}"), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf_str(&ans), "\"version\":\"2\""));
	CU_ASSERT_EQUAL(fake_etcd_held(fk), 0);
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 4);
	CU_ASSERT_EQUAL_FATAL(fake_etcd_get(fk, "a", 1, &kv), 1);
	CU_ASSERT_EQUAL(kv.version, 3);
	/* Held until released. */
	fake_etcd_hold_for(fk, 0);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/put", put), ETCD_LOST);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/range", "{\"key\":\"YQ==\"}"), 200);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/range", "{\"key\":\"YQ==\"}"), 200);
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 4);
	CU_ASSERT_EQUAL(fake_etcd_release(fk), 200);
	CU_ASSERT_EQUAL(fake_etcd_release(fk), 0);
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 5);

	/* The space alarm: no put, no txn with a put; deletes go on. */
	fake_etcd_space_alarm(fk, 1);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/put", put), 429);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/txn", "{\"failure\":[{\"request_put\""
	    ":{\"key\":\"Yg==\"}}]}"), 429);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/deleterange", "{\"key\":\"YQ==\"}"),
	    200);
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 6);
	fake_etcd_space_alarm(fk, 0);
	CU_ASSERT_EQUAL(ask(0, "/v3/kv/put", put), 200);
	CU_ASSERT_EQUAL(fake_etcd_revision(fk), 7);
}

int
test_store_etcd_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} fake[] = {
		{ "record.sh's requests: the recorded answers, byte for byte",
		    test_fake_replays_recording },
		{ "record.sh's refusals: the recorded answers",
		    test_fake_refusals_recorded },
		{ "status: shaped as recorded", test_fake_status },
		{ "more shapes, as etcd 3.4.23 answered them",
		    test_fake_more_shapes },
		{ "history: versions, revisions, ranges at a revision",
		    test_fake_history },
		{ "compares: every target and result", test_fake_compares },
		{ "fields it does not know are refused", test_fake_strict },
		{ "base64 of every byte, both ways", test_fake_base64 },
		{ "members down, one-shot faults, held writes, the alarm",
		    test_fake_faults },
	};
	CU_pSuite	 s;
	size_t		 i;

	s = CU_add_suite_with_setup_and_teardown("fake etcd", NULL, NULL,
	    fake_setup, fake_teardown);
	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof(fake) / sizeof(fake[0]); i++)
		if (CU_add_test(s, fake[i].name, fake[i].fn) == NULL)
			return -1;
	return 0;
}
