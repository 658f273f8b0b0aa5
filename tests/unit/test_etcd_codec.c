/*
 * test_etcd_codec.c: etcd's v3 JSON gateway (etcd_codec.c) on answers
 * recorded from a real etcd 3.4.23 (tests/unit/etcd/, README.md there
 * says how): each answer read with the exact values etcd sent, each
 * request we sent built again byte for byte, base64 both ways, 64-bit
 * numbers as strings and integers, error answers told apart from
 * broken ones, and every recording cut short and mangled.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "buf.h"
#include "etcd_codec.h"
#include "tests.h"

/* The recorded IDs: the single member, then the cluster of two. */
#define CLUSTER		15875391935852295136ULL
#define MEMBER		7383792418829112008ULL
#define CLUSTER2	3302410926756780020ULL
#define MEMBER2		38712720341031407ULL
/* The lease lease-grant.json handed out, on lockgate/l/gamma. */
#define LEASE		1353510066806062346LL

/* Keys and ends as record.sh sends them, in base64 there. */
#define ALPHA		"lockgate/l/alpha"
#define BETA		"lockgate/l/beta"
#define GAMMA		"lockgate/l/gamma"
#define PREFIX		"lockgate/l/"
#define PREFIX_END	"lockgate/l0"
#define B64_ALPHA	"bG9ja2dhdGUvbC9hbHBoYQ=="
#define B64_BETA	"bG9ja2dhdGUvbC9iZXRh"
#define B64_PREFIX	"bG9ja2dhdGUvbC8="
#define B64_END		"bG9ja2dhdGUvbDA="
/* lockgate/l/beta's value: bytes that need the whole alphabet. */
#define BINARY		"\x00\x01\xfe\xff"

/* The parsers a test can run on any text. */
enum kind {
	K_RANGE,
	K_PUT,
	K_DELETE,
	K_TXN,
	K_WATCH,
	K_STATUS,
	K_AUTH,
	K_COUNT
};

/* Every recording, so that each is read, cut and mangled, and the parser
 * for the endpoint that answered it. */
static const struct {
	const char	*name;
	enum kind	 kind;
} recorded[] = {
	{ "auth-token.json", K_AUTH },
	{ "compaction.json", K_RANGE },		/* a header alone */
	{ "delete-absent.json", K_DELETE },
	{ "delete-prevkv.json", K_DELETE },
	{ "error-auth-disabled.json", K_AUTH },
	{ "error-auth-failed.json", K_AUTH },
	{ "error-bad-json.json", K_RANGE },
	{ "error-put-no-key.json", K_PUT },
	{ "error-put-no-quorum.json", K_PUT },
	{ "error-range-compacted.json", K_RANGE },
	{ "error-range-no-leader.json", K_RANGE },
	{ "error-range-no-quorum.json", K_RANGE },
	{ "error-range-no-token.json", K_RANGE },
	{ "error-txn-bad-base64.json", K_TXN },
	{ "error-txn-duplicate-key.json", K_TXN },
	{ "error-unknown-path.json", K_RANGE },
	{ "error-watch-bad-base64.json", K_WATCH },
	{ "error-watch-no-leader.json", K_WATCH },
	{ "lease-grant.json", K_RANGE },	/* a header and more */
	{ "put-prevkv.json", K_PUT },
	{ "put.json", K_PUT },
	{ "range-absent.json", K_RANGE },
	{ "range-many-more.json", K_RANGE },
	{ "range-no-quorum-serializable.json", K_RANGE },
	{ "range-one.json", K_RANGE },
	{ "range-page-last.json", K_RANGE },
	{ "status-no-leader.json", K_STATUS },
	{ "status.json", K_STATUS },
	{ "txn-cas-failed.json", K_TXN },
	{ "txn-cas-succeeded.json", K_TXN },
	{ "txn-create-failed.json", K_TXN },
	{ "txn-create-succeeded.json", K_TXN },
	{ "watch-compacted.json", K_WATCH },
	{ "watch-created.json", K_WATCH },
	{ "watch-events.json", K_WATCH },
};

/*
 * Reads tests/unit/etcd/name under $LOCKGATE_SRCDIR (make check sets it)
 * or the source directory configure saw. Returns its bytes (the caller
 * frees them; a NUL follows) with their number in *len, or NULL after a
 * failed assertion.
 */
static char *
load(const char *name, size_t *len)
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

/* The header must hold these values. */
static void
header_is(const char *file, unsigned int line, const struct etcd_header *h,
    uint64_t cluster, uint64_t member, int64_t revision, uint64_t term)
{
	test_assert(h->cluster_id == cluster && h->member_id == member &&
	    h->revision == revision && h->raft_term == term, file, line,
	    "header %llu %llu rev %lld term %llu; want %llu %llu rev %lld "
	    "term %llu", (unsigned long long)h->cluster_id,
	    (unsigned long long)h->member_id, (long long)h->revision,
	    (unsigned long long)h->raft_term, (unsigned long long)cluster,
	    (unsigned long long)member, (long long)revision,
	    (unsigned long long)term);
}

/* A header of the single member, at its first raft term. */
#define HEADER_IS(h, rev) \
	header_is(TEST_HERE, (h), CLUSTER, MEMBER, (rev), 2)
/* A txn's inner answer: the revision alone. */
#define INNER_IS(h, rev)	header_is(TEST_HERE, (h), 0, 0, (rev), 0)

/* The kv must hold these bytes and numbers. */
static void
kv_is(const char *file, unsigned int line, const struct etcd_kv *kv,
    const char *key, const char *value, size_t valuelen, int64_t create,
    int64_t mod, int64_t version, int64_t lease)
{
	test_assert(kv->key != NULL && kv->keylen == strlen(key) &&
	    memcmp(kv->key, key, kv->keylen) == 0 && kv->value != NULL &&
	    kv->valuelen == valuelen &&
	    memcmp(kv->value, value, valuelen) == 0 &&
	    kv->key[kv->keylen] == '\0' && kv->value[valuelen] == '\0' &&
	    kv->create_revision == create && kv->mod_revision == mod &&
	    kv->version == version && kv->lease == lease, file, line,
	    "kv \"%.*s\" (%zu bytes of value) %lld %lld %lld %lld; want "
	    "\"%s\" (%zu) %lld %lld %lld %lld", (int)kv->keylen,
	    kv->key ? kv->key : "", kv->valuelen,
	    (long long)kv->create_revision, (long long)kv->mod_revision,
	    (long long)kv->version, (long long)kv->lease, key, valuelen,
	    (long long)create, (long long)mod, (long long)version,
	    (long long)lease);
}

#define KV_IS(kv, key, value, create, mod, version) \
	kv_is(TEST_HERE, (kv), (key), (value), strlen(value), (create), \
	    (mod), (version), 0)
#define KV_BINARY_IS(kv, key, create, mod, version) \
	kv_is(TEST_HERE, (kv), (key), BINARY, 4, (create), (mod), \
	    (version), 0)

/* ------------------------------------------------------------------ */
/* Answers, as recorded */

/* Parses recording name as the answer to an op of type into *a. */
static int
op_file(const char *name, enum etcd_op_type type, struct etcd_answer *a,
    struct etcd_error *err)
{
	char	*s;
	size_t	 len;
	int	 rc;

	memset(a, 0, sizeof(*a));
	if ((s = load(name, &len)) == NULL)
		return ETCD_MALFORMED;
	rc = etcd_parse_op(s, len, type, a, err);
	free(s);
	return rc;
}

static void
test_range(void)
{
	struct etcd_answer	 a;
	struct etcd_error	 err;

	/* An absent key: no kvs, no count, nothing but the header. */
	CU_ASSERT_EQUAL_FATAL(op_file("range-absent.json", ETCD_OP_RANGE,
	    &a, &err), ETCD_OK);
	HEADER_IS(&a.header, 1);
	CU_ASSERT_EQUAL(a.nkvs, 0);
	CU_ASSERT_PTR_NULL(a.kvs);
	CU_ASSERT_EQUAL(a.count, 0);
	CU_ASSERT_EQUAL(a.more, 0);
	CU_ASSERT_EQUAL(a.type, ETCD_OP_RANGE);
	etcd_answer_free(&a);

	CU_ASSERT_EQUAL_FATAL(op_file("range-one.json", ETCD_OP_RANGE, &a,
	    &err), ETCD_OK);
	HEADER_IS(&a.header, 2);
	CU_ASSERT_EQUAL_FATAL(a.nkvs, 1);
	KV_IS(&a.kvs[0], ALPHA, "w1", 2, 2, 1);
	CU_ASSERT_EQUAL(a.count, 1);
	CU_ASSERT_EQUAL(a.more, 0);
	etcd_answer_free(&a);
	CU_ASSERT_PTR_NULL(a.kvs);
	CU_ASSERT_EQUAL(a.nkvs, 0);

	/* The first page of three keys, two at a time. */
	CU_ASSERT_EQUAL_FATAL(op_file("range-many-more.json", ETCD_OP_RANGE,
	    &a, &err), ETCD_OK);
	HEADER_IS(&a.header, 5);
	CU_ASSERT_EQUAL_FATAL(a.nkvs, 2);
	KV_IS(&a.kvs[0], ALPHA, "w2", 2, 5, 2);
	KV_BINARY_IS(&a.kvs[1], BETA, 3, 3, 1);
	CU_ASSERT_EQUAL(a.more, 1);
	CU_ASSERT_EQUAL(a.count, 3);
	etcd_answer_free(&a);

	/* The last page, from just past beta: more left out, a lease. */
	CU_ASSERT_EQUAL_FATAL(op_file("range-page-last.json", ETCD_OP_RANGE,
	    &a, &err), ETCD_OK);
	HEADER_IS(&a.header, 5);
	CU_ASSERT_EQUAL_FATAL(a.nkvs, 1);
	kv_is(TEST_HERE, &a.kvs[0], GAMMA, "w9", 2, 4, 4, 1, LEASE);
	CU_ASSERT_EQUAL(a.more, 0);
	CU_ASSERT_EQUAL(a.count, 1);
	etcd_answer_free(&a);

	/* A member without a quorum answers a serializable read. */
	CU_ASSERT_EQUAL_FATAL(op_file("range-no-quorum-serializable.json",
	    ETCD_OP_RANGE, &a, &err), ETCD_OK);
	header_is(TEST_HERE, &a.header, CLUSTER2, MEMBER2, 2, 2);
	CU_ASSERT_EQUAL_FATAL(a.nkvs, 1);
	KV_IS(&a.kvs[0], "a", "w1", 2, 2, 1);
	etcd_answer_free(&a);
}

static void
test_put_delete(void)
{
	struct etcd_answer	 a;
	struct etcd_error	 err;

	CU_ASSERT_EQUAL_FATAL(op_file("put.json", ETCD_OP_PUT, &a, &err),
	    ETCD_OK);
	HEADER_IS(&a.header, 3);
	CU_ASSERT_EQUAL(a.type, ETCD_OP_PUT);
	CU_ASSERT_EQUAL(a.nprev_kvs, 0);
	etcd_answer_free(&a);

	CU_ASSERT_EQUAL_FATAL(op_file("put-prevkv.json", ETCD_OP_PUT, &a,
	    &err), ETCD_OK);
	HEADER_IS(&a.header, 5);
	CU_ASSERT_EQUAL_FATAL(a.nprev_kvs, 1);
	KV_IS(&a.prev_kvs[0], ALPHA, "w1", 2, 2, 1);
	etcd_answer_free(&a);

	CU_ASSERT_EQUAL_FATAL(op_file("delete-prevkv.json", ETCD_OP_DELETE,
	    &a, &err), ETCD_OK);
	HEADER_IS(&a.header, 7);
	CU_ASSERT_EQUAL(a.type, ETCD_OP_DELETE);
	CU_ASSERT_EQUAL(a.deleted, 1);
	CU_ASSERT_EQUAL_FATAL(a.nprev_kvs, 1);
	KV_IS(&a.prev_kvs[0], ALPHA, "w3", 2, 6, 3);
	etcd_answer_free(&a);

	/* Nothing to delete: "deleted" left out, the revision unchanged. */
	CU_ASSERT_EQUAL_FATAL(op_file("delete-absent.json", ETCD_OP_DELETE,
	    &a, &err), ETCD_OK);
	HEADER_IS(&a.header, 7);
	CU_ASSERT_EQUAL(a.deleted, 0);
	CU_ASSERT_EQUAL(a.nprev_kvs, 0);
	etcd_answer_free(&a);
}

/* Parses recording name as a txn answer into *t. */
static int
txn_file(const char *name, struct etcd_txn_answer *t,
    struct etcd_error *err)
{
	char	*s;
	size_t	 len;
	int	 rc;

	memset(t, 0, sizeof(*t));
	if ((s = load(name, &len)) == NULL)
		return ETCD_MALFORMED;
	rc = etcd_parse_txn(s, len, t, err);
	free(s);
	return rc;
}

static void
test_txn(void)
{
	struct etcd_txn_answer	 t;
	struct etcd_error	 err;

	/* create_revision == 0 held: the put ran. */
	CU_ASSERT_EQUAL_FATAL(txn_file("txn-create-succeeded.json", &t,
	    &err), ETCD_OK);
	HEADER_IS(&t.header, 2);
	CU_ASSERT_EQUAL(t.succeeded, 1);
	CU_ASSERT_EQUAL_FATAL(t.nresponses, 1);
	CU_ASSERT_EQUAL(t.responses[0].type, ETCD_OP_PUT);
	INNER_IS(&t.responses[0].header, 2);
	CU_ASSERT_EQUAL(t.responses[0].nprev_kvs, 0);
	etcd_txn_answer_free(&t);
	CU_ASSERT_PTR_NULL(t.responses);

	/* The key existed: no "succeeded", the failure's range ran. */
	CU_ASSERT_EQUAL_FATAL(txn_file("txn-create-failed.json", &t, &err),
	    ETCD_OK);
	HEADER_IS(&t.header, 2);
	CU_ASSERT_EQUAL(t.succeeded, 0);
	CU_ASSERT_EQUAL_FATAL(t.nresponses, 1);
	CU_ASSERT_EQUAL(t.responses[0].type, ETCD_OP_RANGE);
	INNER_IS(&t.responses[0].header, 2);
	CU_ASSERT_EQUAL_FATAL(t.responses[0].nkvs, 1);
	KV_IS(&t.responses[0].kvs[0], ALPHA, "w1", 2, 2, 1);
	CU_ASSERT_EQUAL(t.responses[0].count, 1);
	etcd_txn_answer_free(&t);

	/* mod_revision == 5 held: a put and a delete, in order. */
	CU_ASSERT_EQUAL_FATAL(txn_file("txn-cas-succeeded.json", &t, &err),
	    ETCD_OK);
	HEADER_IS(&t.header, 6);
	CU_ASSERT_EQUAL(t.succeeded, 1);
	CU_ASSERT_EQUAL_FATAL(t.nresponses, 2);
	CU_ASSERT_EQUAL(t.responses[0].type, ETCD_OP_PUT);
	INNER_IS(&t.responses[0].header, 6);
	CU_ASSERT_EQUAL(t.responses[1].type, ETCD_OP_DELETE);
	INNER_IS(&t.responses[1].header, 6);
	CU_ASSERT_EQUAL(t.responses[1].deleted, 1);
	CU_ASSERT_EQUAL(t.responses[1].nprev_kvs, 0);
	etcd_txn_answer_free(&t);

	/* The same compare again: the key moved on to 6. */
	CU_ASSERT_EQUAL_FATAL(txn_file("txn-cas-failed.json", &t, &err),
	    ETCD_OK);
	HEADER_IS(&t.header, 6);
	CU_ASSERT_EQUAL(t.succeeded, 0);
	CU_ASSERT_EQUAL_FATAL(t.nresponses, 1);
	CU_ASSERT_EQUAL(t.responses[0].type, ETCD_OP_RANGE);
	CU_ASSERT_EQUAL_FATAL(t.responses[0].nkvs, 1);
	KV_IS(&t.responses[0].kvs[0], ALPHA, "w3", 2, 6, 3);
	etcd_txn_answer_free(&t);
}

/* Parses recording name as a watch stream's line into *w. */
static int
watch_file(const char *name, struct etcd_watch *w, struct etcd_error *err)
{
	char	*s;
	size_t	 len;
	int	 rc;

	memset(w, 0, sizeof(*w));
	if ((s = load(name, &len)) == NULL)
		return ETCD_MALFORMED;
	rc = etcd_parse_watch(s, len, w, err);
	free(s);
	return rc;
}

static void
test_watch(void)
{
	struct etcd_watch	 w;
	struct etcd_error	 err;
	const struct etcd_event	*e;

	/* Watch 0 (left out) created. */
	CU_ASSERT_EQUAL_FATAL(watch_file("watch-created.json", &w, &err),
	    ETCD_OK);
	HEADER_IS(&w.header, 7);
	CU_ASSERT_EQUAL(w.created, 1);
	CU_ASSERT_EQUAL(w.canceled, 0);
	CU_ASSERT_EQUAL(w.watch_id, 0);
	CU_ASSERT_EQUAL(w.nevents, 0);
	CU_ASSERT_PTR_NULL(w.cancel_reason);
	etcd_watch_free(&w);

	/* Every change since revision 2, in one line, with prev_kv. */
	CU_ASSERT_EQUAL_FATAL(watch_file("watch-events.json", &w, &err),
	    ETCD_OK);
	HEADER_IS(&w.header, 7);
	CU_ASSERT_EQUAL(w.created, 0);
	CU_ASSERT_EQUAL_FATAL(w.nevents, 7);
	e = w.events;
	CU_ASSERT_EQUAL(e[0].type, ETCD_EVENT_PUT);
	KV_IS(&e[0].kv, ALPHA, "w1", 2, 2, 1);
	CU_ASSERT_EQUAL(e[0].has_prev_kv, 0);
	CU_ASSERT_EQUAL(e[1].type, ETCD_EVENT_PUT);
	KV_BINARY_IS(&e[1].kv, BETA, 3, 3, 1);
	CU_ASSERT_EQUAL(e[2].type, ETCD_EVENT_PUT);
	kv_is(TEST_HERE, &e[2].kv, GAMMA, "w9", 2, 4, 4, 1, LEASE);
	CU_ASSERT_EQUAL(e[3].type, ETCD_EVENT_PUT);
	KV_IS(&e[3].kv, ALPHA, "w2", 2, 5, 2);
	CU_ASSERT_EQUAL(e[3].has_prev_kv, 1);
	KV_IS(&e[3].prev_kv, ALPHA, "w1", 2, 2, 1);
	KV_IS(&e[4].kv, ALPHA, "w3", 2, 6, 3);
	KV_IS(&e[4].prev_kv, ALPHA, "w2", 2, 5, 2);
	/* A deletion's kv has its key and mod_revision, nothing more. */
	CU_ASSERT_EQUAL(e[5].type, ETCD_EVENT_DELETE);
	KV_IS(&e[5].kv, BETA, "", 0, 6, 0);
	CU_ASSERT_EQUAL(e[5].has_prev_kv, 1);
	KV_BINARY_IS(&e[5].prev_kv, BETA, 3, 3, 1);
	CU_ASSERT_EQUAL(e[6].type, ETCD_EVENT_DELETE);
	KV_IS(&e[6].kv, ALPHA, "", 0, 7, 0);
	KV_IS(&e[6].prev_kv, ALPHA, "w3", 2, 6, 3);
	etcd_watch_free(&w);
	CU_ASSERT_PTR_NULL(w.events);

	/* From a compacted revision: canceled, and no revision at all. */
	CU_ASSERT_EQUAL_FATAL(watch_file("watch-compacted.json", &w, &err),
	    ETCD_OK);
	HEADER_IS(&w.header, 0);
	CU_ASSERT_EQUAL(w.canceled, 1);
	CU_ASSERT_EQUAL(w.created, 0);
	CU_ASSERT_EQUAL(w.compact_revision, 5);
	CU_ASSERT_EQUAL(w.nevents, 0);
	CU_ASSERT_PTR_NULL(w.cancel_reason);
	etcd_watch_free(&w);
}

/* Parses recording name as a status answer into *st. */
static int
status_file(const char *name, struct etcd_status *st,
    struct etcd_error *err)
{
	char	*s;
	size_t	 len;
	int	 rc;

	memset(st, 0, sizeof(*st));
	if ((s = load(name, &len)) == NULL)
		return ETCD_MALFORMED;
	rc = etcd_parse_status(s, len, st, err);
	free(s);
	return rc;
}

static void
test_status(void)
{
	struct etcd_status	 st;
	struct etcd_error	 err;

	CU_ASSERT_EQUAL_FATAL(status_file("status.json", &st, &err), ETCD_OK);
	HEADER_IS(&st.header, 7);
	CU_ASSERT_STRING_EQUAL(st.version, "3.4.23");
	CU_ASSERT_EQUAL(st.db_size, 20480);
	CU_ASSERT_EQUAL(st.db_size_in_use, 16384);
	CU_ASSERT_EQUAL(st.leader, MEMBER);
	CU_ASSERT_EQUAL(st.raft_index, 15);
	CU_ASSERT_EQUAL(st.raft_term, 2);
	CU_ASSERT_EQUAL(st.raft_applied_index, 15);
	CU_ASSERT_EQUAL(st.nerrors, 0);
	etcd_status_free(&st);

	/* Without a quorum: no leader (left out), and errors says so. */
	CU_ASSERT_EQUAL_FATAL(status_file("status-no-leader.json", &st, &err),
	    ETCD_OK);
	header_is(TEST_HERE, &st.header, CLUSTER2, MEMBER2, 2, 2);
	CU_ASSERT_STRING_EQUAL(st.version, "3.4.23");
	CU_ASSERT_EQUAL(st.leader, 0);
	CU_ASSERT_EQUAL(st.raft_index, 7);
	CU_ASSERT_EQUAL(st.raft_term, 2);
	CU_ASSERT_EQUAL_FATAL(st.nerrors, 1);
	CU_ASSERT_STRING_EQUAL(st.errors[0], "etcdserver: no leader");
	etcd_status_free(&st);
	CU_ASSERT_PTR_NULL(st.errors);
	CU_ASSERT_PTR_NULL(st.version);
}

static void
test_auth(void)
{
	struct etcd_error	 err;
	char			*s, *token;
	size_t			 len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = load("auth-token.json", &len));
	CU_ASSERT_EQUAL(etcd_parse_auth(s, len, &token, &err), ETCD_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(token);
	/* A simple token: random letters, a dot, a counter. */
	CU_ASSERT_STRING_EQUAL(token, "xPLegPxkxVjsbhro.20");
	free(token);
	free(s);
}

/* Runs parser k on s[0..len), frees what it read; returns its answer. */
static int
parse_any(enum kind k, const char *s, size_t len, struct etcd_error *err)
{
	struct etcd_answer	 a;
	struct etcd_txn_answer	 t;
	struct etcd_watch	 w;
	struct etcd_status	 st;
	char			*token;
	int			 rc = ETCD_MALFORMED;

	switch (k) {
	case K_RANGE:
	case K_PUT:
	case K_DELETE:
		rc = etcd_parse_op(s, len, k == K_RANGE ? ETCD_OP_RANGE :
		    k == K_PUT ? ETCD_OP_PUT : ETCD_OP_DELETE, &a, err);
		etcd_answer_free(&a);
		break;
	case K_TXN:
		rc = etcd_parse_txn(s, len, &t, err);
		etcd_txn_answer_free(&t);
		break;
	case K_WATCH:
		rc = etcd_parse_watch(s, len, &w, err);
		etcd_watch_free(&w);
		break;
	case K_STATUS:
		rc = etcd_parse_status(s, len, &st, err);
		etcd_status_free(&st);
		break;
	case K_AUTH:
		rc = etcd_parse_auth(s, len, &token, err);
		free(token);
		break;
	default:
		break;
	}
	return rc;
}

static void
test_refusals(void)
{
	static const struct {
		const char	*file;
		enum kind	 kind;
		int		 code;
		const char	*message;
	} r[] = {
		{ "error-range-compacted.json", K_RANGE, 11,
		    "etcdserver: mvcc: required revision has been compacted" },
		{ "error-txn-bad-base64.json", K_TXN, 3,
		    "illegal base64 data at input byte 0" },
		{ "error-txn-duplicate-key.json", K_TXN, 3,
		    "etcdserver: duplicate key given in txn request" },
		{ "error-put-no-key.json", K_PUT, 3,
		    "etcdserver: key is not provided" },
		{ "error-bad-json.json", K_RANGE, 3, "unexpected EOF" },
		{ "error-auth-disabled.json", K_AUTH, 9,
		    "etcdserver: authentication is not enabled" },
		{ "error-auth-failed.json", K_AUTH, 3,
		    "etcdserver: authentication failed, invalid user ID or "
		    "password" },
		{ "error-range-no-token.json", K_RANGE, 3,
		    "etcdserver: user name is empty" },
		{ "error-watch-bad-base64.json", K_WATCH, 2,
		    "illegal base64 data at input byte 0" },
		{ "error-range-no-quorum.json", K_RANGE, 14,
		    "etcdserver: request timed out" },
		{ "error-put-no-quorum.json", K_PUT, 2,
		    "context deadline exceeded" },
		{ "error-range-no-leader.json", K_RANGE, 14,
		    "etcdserver: no leader" },
		/* A stream's own error shape. */
		{ "error-watch-no-leader.json", K_WATCH, 14,
		    "etcdserver: no leader" },
	};
	struct etcd_error	 err;
	size_t			 i, len;
	char			*s;
	int			 rc, k;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		if ((s = load(r[i].file, &len)) == NULL)
			continue;
		/* Whichever parser reads it, a refusal is a refusal. */
		for (k = 0; k < K_COUNT; k++) {
			memset(&err, 0x5a, sizeof(err));
			rc = parse_any(k, s, len, &err);
			test_assert(rc == ETCD_REFUSED &&
			    err.code == r[i].code &&
			    strcmp(err.message, r[i].message) == 0, TEST_HERE,
			    "%s as %d: %d, code %d \"%.255s\"", r[i].file, k,
			    rc, err.code, err.message);
		}
		test_assert(parse_any(r[i].kind, s, len, NULL) ==
		    ETCD_REFUSED, TEST_HERE, "%s without err", r[i].file);
		free(s);
	}

	/* "Not Found" in plain text: no answer of etcd's. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(s = load("error-unknown-path.json",
	    &len));
	for (k = 0; k < K_COUNT; k++) {
		err.code = 99;
		CU_ASSERT_EQUAL(parse_any(k, s, len, &err), ETCD_MALFORMED);
		CU_ASSERT_EQUAL(err.code, 0);
		CU_ASSERT_STRING_EQUAL(err.message, "");
	}
	free(s);
}

/* ------------------------------------------------------------------ */
/* Requests, as record.sh sent them */

/* The buffer must hold exactly want; it is emptied for the next one. */
static void
wrote(const char *file, unsigned int line, struct buf *b, const char *want)
{
	test_assert(!buf_failed(b) && strcmp(buf_str(b), want) == 0, file,
	    line, "wrote %s\nwant  %s", buf_str(b), want);
	buf_reset(b);
}

/* An op on a NUL-terminated key. */
static struct etcd_op
op(enum etcd_op_type type, const char *key)
{
	struct etcd_op	 o;

	memset(&o, 0, sizeof(o));
	o.type = type;
	o.key = key;
	o.keylen = strlen(key);
	return o;
}

static void
test_req_ops(void)
{
	struct etcd_op	 o;
	struct buf	 b;

	buf_init(&b);
	CU_ASSERT_STRING_EQUAL(etcd_op_path(ETCD_OP_RANGE), "/v3/kv/range");
	CU_ASSERT_STRING_EQUAL(etcd_op_path(ETCD_OP_PUT), "/v3/kv/put");
	CU_ASSERT_STRING_EQUAL(etcd_op_path(ETCD_OP_DELETE),
	    "/v3/kv/deleterange");

	o = op(ETCD_OP_RANGE, ALPHA);
	etcd_req_op(&b, &o);
	wrote(TEST_HERE, &b, "{\"key\":\"" B64_ALPHA "\"}");
	o.revision = 3;
	etcd_req_op(&b, &o);
	wrote(TEST_HERE, &b, "{\"key\":\"" B64_ALPHA "\",\"revision\":\"3\"}");

	o = op(ETCD_OP_RANGE, PREFIX);
	o.range_end = PREFIX_END;
	o.range_end_len = strlen(PREFIX_END);
	o.limit = 2;
	etcd_req_op(&b, &o);
	wrote(TEST_HERE, &b, "{\"key\":\"" B64_PREFIX "\",\"range_end\":\""
	    B64_END "\",\"limit\":\"2\"}");
	/* The next page starts just past the last key: key + "\0". */
	o.key = BETA;
	o.keylen = sizeof(BETA);
	o.serializable = 1;
	etcd_req_op(&b, &o);
	wrote(TEST_HERE, &b, "{\"key\":\"bG9ja2dhdGUvbC9iZXRhAA==\","
	    "\"range_end\":\"" B64_END "\",\"limit\":\"2\","
	    "\"serializable\":true}");

	o = op(ETCD_OP_PUT, BETA);
	o.value = BINARY;
	o.valuelen = 4;
	etcd_req_op(&b, &o);
	wrote(TEST_HERE, &b, "{\"key\":\"" B64_BETA "\","
	    "\"value\":\"AAH+/w==\"}");
	o = op(ETCD_OP_PUT, GAMMA);
	o.value = "w9";
	o.valuelen = 2;
	o.lease = LEASE;
	etcd_req_op(&b, &o);
	wrote(TEST_HERE, &b, "{\"key\":\"bG9ja2dhdGUvbC9nYW1tYQ==\","
	    "\"value\":\"dzk=\",\"lease\":\"1353510066806062346\"}");
	o = op(ETCD_OP_PUT, ALPHA);
	o.value = "w2";
	o.valuelen = 2;
	o.prev_kv = 1;
	/* A range's fields are no part of a put. */
	o.limit = 5;
	o.serializable = 1;
	etcd_req_op(&b, &o);
	wrote(TEST_HERE, &b, "{\"key\":\"" B64_ALPHA "\",\"value\":\"dzI=\","
	    "\"prev_kv\":true}");

	o = op(ETCD_OP_DELETE, ALPHA);
	etcd_req_op(&b, &o);
	wrote(TEST_HERE, &b, "{\"key\":\"" B64_ALPHA "\"}");
	o.prev_kv = 1;
	etcd_req_op(&b, &o);
	wrote(TEST_HERE, &b, "{\"key\":\"" B64_ALPHA "\",\"prev_kv\":true}");
	o.range_end = PREFIX_END;
	o.range_end_len = strlen(PREFIX_END);
	o.prev_kv = 0;
	etcd_req_op(&b, &o);
	wrote(TEST_HERE, &b, "{\"key\":\"" B64_ALPHA "\",\"range_end\":\""
	    B64_END "\"}");

	/* The cluster of two's requests. */
	o = op(ETCD_OP_RANGE, "a");
	etcd_req_op(&b, &o);
	wrote(TEST_HERE, &b, "{\"key\":\"YQ==\"}");
	o.serializable = 1;
	etcd_req_op(&b, &o);
	wrote(TEST_HERE, &b, "{\"key\":\"YQ==\",\"serializable\":true}");
	o = op(ETCD_OP_PUT, "a");
	o.value = "w1";
	o.valuelen = 2;
	etcd_req_op(&b, &o);
	wrote(TEST_HERE, &b, "{\"key\":\"YQ==\",\"value\":\"dzE=\"}");
	o.value = "w2";
	etcd_req_op(&b, &o);
	wrote(TEST_HERE, &b, "{\"key\":\"YQ==\",\"value\":\"dzI=\"}");
	buf_free(&b);
}

/* The range end of prefix[0..len) must be want[0..wantlen). */
static void
range_end(const char *file, unsigned int line, const char *prefix,
    size_t len, const char *want, size_t wantlen)
{
	char	 out[32];
	size_t	 n;

	memset(out, 'x', sizeof(out));
	n = etcd_range_end(prefix, len, out);
	test_assert(n == wantlen && memcmp(out, want, n) == 0 &&
	    out[n] == 'x', file, line, "range end of \"%.*s\": \"%.*s\"",
	    (int)len, prefix, (int)n, out);
}

static void
test_range_end(void)
{
	range_end(TEST_HERE, PREFIX, strlen(PREFIX), PREFIX_END,
	    strlen(PREFIX_END));
	range_end(TEST_HERE, "a", 1, "b", 1);
	range_end(TEST_HERE, "a\xff", 2, "b", 1);
	range_end(TEST_HERE, "a\xfe", 2, "a\xff", 2);
	range_end(TEST_HERE, "a\xff\xff", 3, "b", 1);
	range_end(TEST_HERE, "\x00", 1, "\x01", 1);
	/* Nothing to raise: every key. */
	range_end(TEST_HERE, "", 0, "", 1);
	range_end(TEST_HERE, "\xff\xff", 2, "", 1);
}

static void
test_req_txn(void)
{
	struct etcd_compare	 c;
	struct etcd_op		 put, del, get, dup[2];
	struct etcd_txn		 t;
	struct buf		 b;

	buf_init(&b);
	/* Create when absent, else read it: txn-create-*.json. */
	memset(&c, 0, sizeof(c));
	c.key = ALPHA;
	c.keylen = strlen(ALPHA);
	c.target = ETCD_TARGET_CREATE;
	c.cmp = ETCD_CMP_EQUAL;
	c.value = 0;
	put = op(ETCD_OP_PUT, ALPHA);
	put.value = "w1";
	put.valuelen = 2;
	get = op(ETCD_OP_RANGE, ALPHA);
	memset(&t, 0, sizeof(t));
	t.compare = &c;
	t.ncompare = 1;
	t.success = &put;
	t.nsuccess = 1;
	t.failure = &get;
	t.nfailure = 1;
	etcd_req_txn(&b, &t);
	wrote(TEST_HERE, &b, "{\"compare\":[{\"key\":\"" B64_ALPHA "\","
	    "\"target\":\"CREATE\",\"result\":\"EQUAL\","
	    "\"create_revision\":\"0\"}],\"success\":[{\"request_put\":"
	    "{\"key\":\"" B64_ALPHA "\",\"value\":\"dzE=\"}}],\"failure\":"
	    "[{\"request_range\":{\"key\":\"" B64_ALPHA "\"}}]}");

	/* Write and delete if unchanged since 5: txn-cas-*.json. */
	c.target = ETCD_TARGET_MOD;
	c.value = 5;
	put.value = "w3";
	del = op(ETCD_OP_DELETE, BETA);
	dup[0] = put;
	dup[1] = del;
	t.success = dup;
	t.nsuccess = 2;
	etcd_req_txn(&b, &t);
	wrote(TEST_HERE, &b, "{\"compare\":[{\"key\":\"" B64_ALPHA "\","
	    "\"target\":\"MOD\",\"result\":\"EQUAL\",\"mod_revision\":\"5\"}],"
	    "\"success\":[{\"request_put\":{\"key\":\"" B64_ALPHA "\","
	    "\"value\":\"dzM=\"}},{\"request_delete_range\":{\"key\":\""
	    B64_BETA "\"}}],\"failure\":[{\"request_range\":{\"key\":\""
	    B64_ALPHA "\"}}]}");

	/* No compare, no failure: error-txn-duplicate-key.json. */
	dup[0].value = "w1";
	dup[1] = op(ETCD_OP_DELETE, ALPHA);
	memset(&t, 0, sizeof(t));
	t.success = dup;
	t.nsuccess = 2;
	etcd_req_txn(&b, &t);
	wrote(TEST_HERE, &b, "{\"success\":[{\"request_put\":{\"key\":\""
	    B64_ALPHA "\",\"value\":\"dzE=\"}},{\"request_delete_range\":"
	    "{\"key\":\"" B64_ALPHA "\"}}]}");

	/* The other targets and results, and an empty txn. */
	c.target = ETCD_TARGET_VERSION;
	c.cmp = ETCD_CMP_GREATER;
	c.value = 0;
	memset(&t, 0, sizeof(t));
	t.compare = &c;
	t.ncompare = 1;
	etcd_req_txn(&b, &t);
	wrote(TEST_HERE, &b, "{\"compare\":[{\"key\":\"" B64_ALPHA "\","
	    "\"target\":\"VERSION\",\"result\":\"GREATER\","
	    "\"version\":\"0\"}]}");
	c.cmp = ETCD_CMP_LESS;
	c.value = -1;
	etcd_req_txn(&b, &t);
	wrote(TEST_HERE, &b, "{\"compare\":[{\"key\":\"" B64_ALPHA "\","
	    "\"target\":\"VERSION\",\"result\":\"LESS\",\"version\":\"-1\"}]}");
	c.cmp = ETCD_CMP_NOT_EQUAL;
	c.value = INT64_MAX;
	etcd_req_txn(&b, &t);
	wrote(TEST_HERE, &b, "{\"compare\":[{\"key\":\"" B64_ALPHA "\","
	    "\"target\":\"VERSION\",\"result\":\"NOT_EQUAL\","
	    "\"version\":\"9223372036854775807\"}]}");
	memset(&t, 0, sizeof(t));
	etcd_req_txn(&b, &t);
	wrote(TEST_HERE, &b, "{}");
	buf_free(&b);
}

static void
test_req_watch_auth(void)
{
	struct buf	 b;

	buf_init(&b);
	etcd_req_watch(&b, PREFIX, strlen(PREFIX), PREFIX_END,
	    strlen(PREFIX_END), 0, 0);
	wrote(TEST_HERE, &b, "{\"create_request\":{\"key\":\"" B64_PREFIX
	    "\",\"range_end\":\"" B64_END "\"}}");
	etcd_req_watch(&b, PREFIX, strlen(PREFIX), PREFIX_END,
	    strlen(PREFIX_END), 2, 1);
	wrote(TEST_HERE, &b, "{\"create_request\":{\"key\":\"" B64_PREFIX
	    "\",\"range_end\":\"" B64_END "\",\"start_revision\":\"2\","
	    "\"prev_kv\":true}}");
	etcd_req_watch(&b, PREFIX, strlen(PREFIX), PREFIX_END,
	    strlen(PREFIX_END), 2, 0);
	wrote(TEST_HERE, &b, "{\"create_request\":{\"key\":\"" B64_PREFIX
	    "\",\"range_end\":\"" B64_END "\",\"start_revision\":\"2\"}}");
	etcd_req_watch(&b, "a", 1, NULL, 0, 0, 0);
	wrote(TEST_HERE, &b, "{\"create_request\":{\"key\":\"YQ==\"}}");

	etcd_req_auth(&b, "root", "secret");
	wrote(TEST_HERE, &b, "{\"name\":\"root\",\"password\":\"secret\"}");
	etcd_req_auth(&b, "root", "wrong");
	wrote(TEST_HERE, &b, "{\"name\":\"root\",\"password\":\"wrong\"}");
	/* Quotes, backslashes and controls escaped; UTF-8 as it is. */
	etcd_req_auth(&b, "r\"o\\t", "p\xc3\xa9\n\x01\x7f");
	wrote(TEST_HERE, &b, "{\"name\":\"r\\\"o\\\\t\","
	    "\"password\":\"p\xc3\xa9\\u000a\\u0001\x7f\"}");
	buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* base64 */

/* s[0..len) must encode as want and decode back. */
static void
b64_pair(const char *file, unsigned int line, const char *s, size_t len,
    const char *want)
{
	struct buf	 b;
	char		*d;
	size_t		 dlen;
	int		 rc;

	buf_init(&b);
	etcd_base64_put(&b, s, len);
	rc = etcd_base64_decode(want, strlen(want), &d, &dlen);
	test_assert(strcmp(buf_str(&b), want) == 0 &&
	    etcd_base64_len(len) == strlen(want) && rc == 0 && dlen == len &&
	    memcmp(d, s, len) == 0 && d[len] == '\0', file, line,
	    "\"%.*s\": \"%s\", decoded %d (%zu bytes); want \"%s\"", (int)len,
	    s, buf_str(&b), rc, dlen, want);
	free(d);
	buf_free(&b);
}

static void
test_base64_vectors(void)
{
	/* RFC 4648 section 10. */
	b64_pair(TEST_HERE, "", 0, "");
	b64_pair(TEST_HERE, "f", 1, "Zg==");
	b64_pair(TEST_HERE, "fo", 2, "Zm8=");
	b64_pair(TEST_HERE, "foo", 3, "Zm9v");
	b64_pair(TEST_HERE, "foob", 4, "Zm9vYg==");
	b64_pair(TEST_HERE, "fooba", 5, "Zm9vYmE=");
	b64_pair(TEST_HERE, "foobar", 6, "Zm9vYmFy");
	/* The recorded keys and values. */
	b64_pair(TEST_HERE, ALPHA, strlen(ALPHA), B64_ALPHA);
	b64_pair(TEST_HERE, BETA, strlen(BETA), B64_BETA);
	b64_pair(TEST_HERE, BETA, sizeof(BETA), "bG9ja2dhdGUvbC9iZXRhAA==");
	b64_pair(TEST_HERE, BINARY, 4, "AAH+/w==");
	b64_pair(TEST_HERE, "\xff\xff\xff", 3, "////");
	b64_pair(TEST_HERE, "\xfb\xef\xbe", 3, "++++");
}

/* Every byte value at every place in groups of 0 to 3 mod 3 bytes. */
static void
test_base64_round_trips(void)
{
	unsigned char	 in[256 + 5];
	struct buf	 b;
	char		*d;
	size_t		 i, len, dlen;
	int		 ok = 1;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7 + 3);
	for (len = 0; len <= sizeof(in); len++) {
		buf_init(&b);
		etcd_base64_put(&b, in, len);
		if (buf_failed(&b) || b.len != etcd_base64_len(len) ||
		    etcd_base64_decode(buf_str(&b), b.len, &d, &dlen) != 0) {
			ok = 0;
			buf_free(&b);
			break;
		}
		if (dlen != len || memcmp(d, in, len) != 0)
			ok = 0;
		free(d);
		buf_free(&b);
	}
	test_assert(ok, TEST_HERE, "round trip failed at %zu bytes", len);
	/* Each byte value alone, in each of the three places. */
	for (i = 0; i < 256 * 3; i++) {
		memset(in, 'x', 3);
		in[i % 3] = (unsigned char)(i / 3);
		buf_init(&b);
		etcd_base64_put(&b, in, i % 3 + 1);
		CU_ASSERT_EQUAL(etcd_base64_decode(buf_str(&b), b.len, &d,
		    &dlen), 0);
		CU_ASSERT(dlen == i % 3 + 1 && d != NULL &&
		    memcmp(d, in, dlen) == 0);
		free(d);
		buf_free(&b);
	}
}

static void
test_base64_refused(void)
{
	static const char *const bad[] = {
		"Zg", "Zg=", "Zm9", "Z", "Zm9vY",	/* not padded */
		"Zg==Zg==", "Zm8=Zm9v",			/* padding inside */
		"Z===", "====", "Z=g=", "=Zg=",		/* padding misplaced */
		"Zh==", "Zm9=",				/* bits past the end */
		"Zm9v\n", " Zm9v", "Zm 9v",		/* blanks */
		"Zm-_", "Zm9v.A==", "Zm9*",		/* not the alphabet */
		"Zm\x80v", "Zm\xffv",
	};
	char	*d;
	size_t	 i, dlen;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = (char *)1;
		dlen = 9;
		test_assert(etcd_base64_decode(bad[i], strlen(bad[i]), &d,
		    &dlen) == -1 && d == NULL && dlen == 0, TEST_HERE,
		    "\"%s\" decoded", bad[i]);
	}
	/* A NUL inside. */
	CU_ASSERT_EQUAL(etcd_base64_decode("Zm\0v", 4, &d, &dlen), -1);
	CU_ASSERT_PTR_NULL(d);
	/* URL-safe base64 is another alphabet. */
	CU_ASSERT_EQUAL(etcd_base64_decode("__8=", 4, &d, &dlen), -1);
	CU_ASSERT_EQUAL(etcd_base64_decode("//8=", 4, &d, &dlen), 0);
	CU_ASSERT(dlen == 2 && memcmp(d, "\xff\xff", 2) == 0);
	free(d);
}

/* ------------------------------------------------------------------ */
/* Numbers, shapes and leniency, on made-up answers */

/* Parses s as a range answer: its rc, and its header revision. */
static void
range_text(const char *file, unsigned int line, const char *s, int want,
    int64_t revision, uint64_t cluster)
{
	struct etcd_answer	 a;
	struct etcd_error	 err;
	int			 rc;

	rc = etcd_parse_op(s, strlen(s), ETCD_OP_RANGE, &a, &err);
	test_assert(rc == want && (rc != ETCD_OK ||
	    (a.header.revision == revision && a.header.cluster_id == cluster)),
	    file, line, "%s: %d, revision %lld cluster %llu", s, rc,
	    (long long)a.header.revision,
	    (unsigned long long)a.header.cluster_id);
	if (rc != ETCD_OK)
		test_assert(a.kvs == NULL && a.nkvs == 0, file, line,
		    "%s: a refusal left kvs", s);
	etcd_answer_free(&a);
}

#define REV_OK(text, rev) \
	range_text(TEST_HERE, "{\"header\":{\"revision\":" text "}}", \
	    ETCD_OK, (rev), 0)
#define REV_BAD(text) \
	range_text(TEST_HERE, "{\"header\":{\"revision\":" text "}}", \
	    ETCD_MALFORMED, 0, 0)
#define CLUSTER_OK(text, v) \
	range_text(TEST_HERE, "{\"header\":{\"cluster_id\":" text "}}", \
	    ETCD_OK, 0, (v))
#define CLUSTER_BAD(text) \
	range_text(TEST_HERE, "{\"header\":{\"cluster_id\":" text "}}", \
	    ETCD_MALFORMED, 0, 0)

static void
test_numbers(void)
{
	/* Strings, as 3.4 and 3.5 write them; integers too; null is 0. */
	REV_OK("\"7\"", 7);
	REV_OK("7", 7);
	REV_OK("null", 0);
	REV_OK("\"0\"", 0);
	REV_OK("\"007\"", 7);
	REV_OK("\"9223372036854775807\"", INT64_MAX);
	REV_OK("9223372036854775807", INT64_MAX);
	/* int64 fields may be negative; uint64 ones may not. */
	REV_OK("\"-1\"", -1);
	REV_OK("-1", -1);
	REV_OK("\"-9223372036854775808\"", INT64_MIN);
	REV_BAD("\"9223372036854775808\"");
	REV_BAD("9223372036854775808");
	REV_BAD("\"-9223372036854775809\"");
	/* json-c clamps integers past 64 bits: the limits are refused. */
	REV_BAD("-9223372036854775808");
	REV_BAD("-99999999999999999999");
	CLUSTER_OK("\"18446744073709551615\"", UINT64_MAX);
	CLUSTER_OK("18446744073709551614", UINT64_MAX - 1);
	CLUSTER_BAD("18446744073709551615");
	CLUSTER_BAD("\"18446744073709551616\"");
	CLUSTER_BAD("99999999999999999999");
	CLUSTER_BAD("\"-1\"");
	CLUSTER_BAD("-1");
	CLUSTER_BAD("\"-0\"");
	/* Garbage. */
	REV_BAD("\"\"");
	REV_BAD("\"-\"");
	REV_BAD("\"+1\"");
	REV_BAD("\" 1\"");
	REV_BAD("\"1 \"");
	REV_BAD("\"1e3\"");
	REV_BAD("\"0x10\"");
	REV_BAD("\"1.0\"");
	REV_BAD("1.0");
	REV_BAD("1e3");
	REV_BAD("true");
	REV_BAD("{}");
	REV_BAD("[]");
	REV_BAD("\"1\\u00002\"");
}

/* Parses s with parser k: it must answer want. */
static void
shape(const char *file, unsigned int line, enum kind k, const char *s,
    int want)
{
	struct etcd_error	 err;
	int			 rc;

	rc = parse_any(k, s, strlen(s), &err);
	test_assert(rc == want, file, line, "%s as %d: %d, want %d", s, k, rc,
	    want);
}

#define SHAPE(k, s, want)	shape(TEST_HERE, (k), (s), (want))

static void
test_shapes(void)
{
	struct etcd_answer	 a;
	struct etcd_watch	 w;
	struct etcd_error	 err;
	const char		*t;
	char			 s[600];

	/* Not an object, or more than one value. */
	SHAPE(K_RANGE, "", ETCD_MALFORMED);
	SHAPE(K_RANGE, "[]", ETCD_MALFORMED);
	SHAPE(K_RANGE, "null", ETCD_MALFORMED);
	SHAPE(K_RANGE, "3", ETCD_MALFORMED);
	SHAPE(K_RANGE, "\"header\"", ETCD_MALFORMED);
	SHAPE(K_RANGE, "{\"header\":{}} {}", ETCD_MALFORMED);
	SHAPE(K_RANGE, "{\"header\":{}} x", ETCD_MALFORMED);
	SHAPE(K_RANGE, "{\"header\":{}}\r\n", ETCD_OK);
	/* Every answer has a header; unknown fields are fine. */
	SHAPE(K_RANGE, "{}", ETCD_MALFORMED);
	SHAPE(K_RANGE, "{\"header\":[]}", ETCD_MALFORMED);
	SHAPE(K_RANGE, "{\"header\":{\"x\":[1]},\"y\":{\"z\":null}}",
	    ETCD_OK);
	SHAPE(K_STATUS, "{\"header\":{}}", ETCD_MALFORMED);	/* version */
	SHAPE(K_STATUS, "{\"header\":{},\"version\":\"3.5.0\"}", ETCD_OK);
	SHAPE(K_STATUS, "{\"header\":{},\"version\":\"3\",\"errors\":[1]}",
	    ETCD_MALFORMED);
	SHAPE(K_AUTH, "{\"header\":{}}", ETCD_MALFORMED);
	SHAPE(K_AUTH, "{\"header\":{},\"token\":\"\"}", ETCD_MALFORMED);
	SHAPE(K_AUTH, "{\"header\":{},\"token\":\"t.1\"}", ETCD_OK);
	/* Wrong types. */
	SHAPE(K_RANGE, "{\"header\":{},\"kvs\":{}}", ETCD_MALFORMED);
	SHAPE(K_RANGE, "{\"header\":{},\"kvs\":[1]}", ETCD_MALFORMED);
	SHAPE(K_RANGE, "{\"header\":{},\"kvs\":[{\"key\":1}]}",
	    ETCD_MALFORMED);
	SHAPE(K_RANGE, "{\"header\":{},\"kvs\":[{\"key\":\"a\"}]}",
	    ETCD_MALFORMED);	/* not base64 */
	SHAPE(K_RANGE, "{\"header\":{},\"more\":\"true\"}", ETCD_MALFORMED);
	SHAPE(K_RANGE, "{\"header\":{},\"more\":1}", ETCD_MALFORMED);
	SHAPE(K_TXN, "{\"header\":{},\"succeeded\":1}", ETCD_MALFORMED);
	SHAPE(K_PUT, "{\"header\":{},\"prev_kv\":[]}", ETCD_MALFORMED);
	SHAPE(K_DELETE, "{\"header\":{},\"prev_kvs\":{}}", ETCD_MALFORMED);
	/* A txn's responses: exactly one kind each, header optional. */
	SHAPE(K_TXN, "{\"header\":{},\"responses\":[{}]}", ETCD_MALFORMED);
	SHAPE(K_TXN, "{\"header\":{},\"responses\":[{\"response_put\":{},"
	    "\"response_range\":{}}]}", ETCD_MALFORMED);
	SHAPE(K_TXN, "{\"header\":{},\"responses\":[{\"response_x\":{}}]}",
	    ETCD_MALFORMED);
	SHAPE(K_TXN, "{\"header\":{},\"responses\":[{\"response_put\":{}}]}",
	    ETCD_OK);
	/* Watch lines: "result" needed; event types. */
	SHAPE(K_WATCH, "{\"header\":{}}", ETCD_MALFORMED);
	SHAPE(K_WATCH, "{\"result\":{}}", ETCD_MALFORMED);
	SHAPE(K_WATCH, "{\"result\":{\"header\":{},\"events\":[{}]}}",
	    ETCD_MALFORMED);	/* no kv */
	SHAPE(K_WATCH, "{\"result\":{\"header\":{},\"events\":[{\"type\":"
	    "\"PATCH\",\"kv\":{}}]}}", ETCD_MALFORMED);
	SHAPE(K_WATCH, "{\"result\":{\"header\":{},\"events\":[{\"type\":2,"
	    "\"kv\":{}}]}}", ETCD_MALFORMED);
	t = "{\"result\":{\"header\":{},\"watch_id\":\"3\",\"canceled\":true,"
	    "\"cancel_reason\":\"gone\",\"events\":[{\"type\":\"PUT\","
	    "\"kv\":{}},{\"type\":1,\"kv\":{}},{\"type\":null,\"kv\":{}}]}}";
	CU_ASSERT_EQUAL_FATAL(etcd_parse_watch(t, strlen(t), &w, &err),
	    ETCD_OK);
	CU_ASSERT_EQUAL(w.watch_id, 3);
	CU_ASSERT_STRING_EQUAL(w.cancel_reason, "gone");
	CU_ASSERT_EQUAL_FATAL(w.nevents, 3);
	CU_ASSERT_EQUAL(w.events[0].type, ETCD_EVENT_PUT);
	CU_ASSERT_EQUAL(w.events[1].type, ETCD_EVENT_DELETE);
	CU_ASSERT_EQUAL(w.events[2].type, ETCD_EVENT_PUT);
	KV_IS(&w.events[0].kv, "", "", 0, 0, 0);
	etcd_watch_free(&w);

	/* Error answers: a code is needed, the message may be "error". */
	SHAPE(K_RANGE, "{\"error\":\"x\",\"code\":\"14\"}", ETCD_MALFORMED);
	SHAPE(K_RANGE, "{\"error\":\"x\"}", ETCD_MALFORMED);
	SHAPE(K_RANGE, "{\"error\":\"x\",\"code\":-1}", ETCD_MALFORMED);
	SHAPE(K_RANGE, "{\"error\":3,\"code\":14}", ETCD_MALFORMED);
	SHAPE(K_RANGE, "{\"error\":{\"grpc_code\":14}}", ETCD_MALFORMED);
	SHAPE(K_WATCH, "{\"error\":{\"code\":14,\"message\":\"x\"}}",
	    ETCD_MALFORMED);
	t = "{\"error\":\"only error\",\"code\":4}";
	CU_ASSERT_EQUAL(etcd_parse_op(t, strlen(t), ETCD_OP_RANGE, &a, &err),
	    ETCD_REFUSED);
	CU_ASSERT_EQUAL(err.code, 4);
	CU_ASSERT_STRING_EQUAL(err.message, "only error");
	/* A long message is cut, not overrun. */
	snprintf(s, sizeof(s), "{\"error\":\"e\",\"code\":1,\"message\":\""
	    "%0500d\"}", 0);
	CU_ASSERT_EQUAL(etcd_parse_op(s, strlen(s), ETCD_OP_RANGE, &a, &err),
	    ETCD_REFUSED);
	CU_ASSERT_EQUAL(strlen(err.message), sizeof(err.message) - 1);
}

/* ------------------------------------------------------------------ */
/* Robustness: every recording cut short and mangled */

/* How often each parser answered each answer, in the last test. */
static size_t	answered[3];

/*
 * Runs parser k on s[0..len), or every parser when k is K_COUNT; each
 * must give one of its three answers, and ETCD_MALFORMED when must_fail.
 * Counts the answers.
 */
static void
run_parsers(enum kind k, const char *name, const char *what, size_t at,
    const char *s, size_t len, int must_fail)
{
	struct etcd_error	 err;
	enum kind		 i, end = k == K_COUNT ? K_COUNT : k + 1;
	int			 rc;

	for (i = k == K_COUNT ? 0 : k; i < end; i++) {
		rc = parse_any(i, s, len, &err);
		if (rc != ETCD_MALFORMED && (must_fail || (rc != ETCD_OK &&
		    rc != ETCD_REFUSED))) {
			test_assert(0, TEST_HERE, "%s %s at %zu, parser %d: "
			    "%d", name, what, at, i, rc);
			continue;
		}
		answered[rc + 1]++;
	}
}

/*
 * Every recording cut at every length, read by its own parser (every
 * eighth length by all of them): short of the closing brace, nothing
 * can be whole.
 */
static void
test_truncated(void)
{
	size_t	 i, n, len, last;
	char	*s, *cut;

	memset(answered, 0, sizeof(answered));
	for (i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++) {
		if ((s = load(recorded[i].name, &len)) == NULL)
			continue;
		for (last = len; last > 0 && s[last - 1] != '}'; last--)
			continue;
		for (n = 0; n < len; n++) {
			/* A copy of its own, of n bytes exactly, so that a
			 * read past the end shows under valgrind and ASan. */
			if ((cut = malloc(n > 0 ? n : 1)) == NULL)
				break;
			memcpy(cut, s, n);
			run_parsers(n % 8 == 0 ? K_COUNT : recorded[i].kind,
			    recorded[i].name, "cut", n, cut, n, n < last);
			free(cut);
		}
		free(s);
	}
	/* Cut after the brace, a watch line still reads. */
	CU_ASSERT(answered[ETCD_MALFORMED + 1] > 10000);
	CU_ASSERT(answered[ETCD_OK + 1] > 0);
}

/*
 * Every recording with each byte changed, three ways, read by its own
 * parser; and at every seventh place, a character that ends strings or
 * objects, read by all of them.
 */
static void
test_mangled(void)
{
	static const unsigned char flips[] = { 0x01, 0x20, 0x80 };
	static const char sets[] = { '"', '}', '\\', '\0', '0', '-' };
	size_t	 i, at, j, len;
	char	*s, saved;

	memset(answered, 0, sizeof(answered));
	for (i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++) {
		if ((s = load(recorded[i].name, &len)) == NULL)
			continue;
		for (at = 0; at < len; at++) {
			saved = s[at];
			for (j = 0; j < sizeof(flips); j++) {
				s[at] = (char)(saved ^ flips[j]);
				run_parsers(recorded[i].kind, recorded[i].name,
				    "flip", at, s, len, 0);
			}
			for (j = 0; at % 7 == 0 && j < sizeof(sets); j++) {
				s[at] = sets[j];
				run_parsers(K_COUNT, recorded[i].name, "set",
				    at, s, len, 0);
			}
			s[at] = saved;
		}
		free(s);
	}
	/* A change in a value can leave an answer whole, or a refusal;
	 * most break it. */
	CU_ASSERT(answered[ETCD_MALFORMED + 1] > 10000);
	CU_ASSERT(answered[ETCD_OK + 1] > 1000);
	CU_ASSERT(answered[ETCD_REFUSED + 1] > 1000);
}

int
test_etcd_codec_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "range answers: absent, one, pages, no quorum", test_range },
		{ "put and delete answers, prev_kv", test_put_delete },
		{ "txn answers: create and compare-and-swap, both ways",
		    test_txn },
		{ "watch lines: created, events, compacted", test_watch },
		{ "status: with and without a leader", test_status },
		{ "auth: a token", test_auth },
		{ "refusals: code and message, from every parser",
		    test_refusals },
		{ "requests: range, put, delete as recorded", test_req_ops },
		{ "requests: txn as recorded", test_req_txn },
		{ "range_end of a prefix", test_range_end },
		{ "requests: watch and auth as recorded",
		    test_req_watch_auth },
		{ "base64: RFC 4648 vectors", test_base64_vectors },
		{ "base64: round trips", test_base64_round_trips },
		{ "base64: strict decoding", test_base64_refused },
		{ "numbers: strings, integers, limits, garbage",
		    test_numbers },
		{ "shapes: wrong types, missing parts, error answers",
		    test_shapes },
		{ "robustness: every recording cut at every length",
		    test_truncated },
		{ "robustness: every recording with bytes changed",
		    test_mangled },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite("etcd_codec", NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
