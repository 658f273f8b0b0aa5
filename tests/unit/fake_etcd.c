/*
 * fake_etcd.c: an etcd cluster in memory for the unit tests (see
 * fake_etcd.h). The shapes of its answers are those of the answers
 * recorded in tests/unit/etcd/ and of a few more seen from etcd 3.4.23:
 * a txn whose compare failed and that has no failure ops has no
 * "responses"; a range whose limit equals its count has no "more"; an
 * empty value is left out of a kv; a range at a revision not yet reached
 * is refused with code 11 "etcdserver: mvcc: required revision is a
 * future revision"; with the space alarm raised, a put or a txn holding
 * a put is refused with HTTP 429, code 8, and a delete is done; an empty
 * body reads as {}.
 *
 * The data: the keys in byte order, each with every change it went
 * through (a deletion too), so that a key's state at any revision is its
 * last change at or before it.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fake_etcd.h"

#define ETCD_VERSION	"3.4.23"
#define NOW		INT64_MAX	/* the state with every change */

/* One change of a key: a put, or its deletion (create 0). */
struct change {
	int64_t		 mod;
	int64_t		 create;
	int64_t		 version;
	int64_t		 lease;
	char		*value;
	size_t		 valuelen;
};

struct key {
	char		*key;
	size_t		 keylen;
	struct change	*changes;	/* oldest first */
	size_t		 nchanges;
};

/* The paths counted for each member; the last counts the others. */
static const char *const paths[] = { "/v3/kv/range", "/v3/kv/put",
    "/v3/kv/deleterange", "/v3/kv/txn", "/v3/maintenance/status", NULL };
#define NPATHS	6

struct fake_etcd {
	struct etcd_transport	 transport;
	size_t			 nmembers;
	enum fake_member	 member[FAKE_ETCD_MEMBERS_MAX];
	unsigned int		 calls[FAKE_ETCD_MEMBERS_MAX][NPATHS];
	int64_t			 rev;
	int64_t			 compacted;
	uint64_t		 raft_index;
	struct key		*keys;
	size_t			 nkeys;
	size_t			 capkeys;
	enum fake_fault		 fault;		/* for the next write */
	unsigned int		 later;		/* APPLY_LATER: answered
						 * requests to wait for */
	char			*held;		/* a write held back */
	size_t			 heldlen;
	char			 held_path[32];
	size_t			 held_member;
	unsigned int		 held_left;	/* 0: till released */
	int			 alarm;		/* NOSPACE */
	fake_etcd_hook		*before;
	void			*before_arg;
};

/* Why a request is refused: etcd's error answer. */
struct fail {
	int	 http;
	int	 code;
	char	 msg[256];
};

/* What an op of a request asks. */
enum op_type {
	OP_RANGE,
	OP_PUT,
	OP_DELETE
};

struct op {
	enum op_type	 type;
	char		*key;
	size_t		 keylen;
	char		*end;		/* NULL: the key alone */
	size_t		 endlen;
	char		*value;
	size_t		 valuelen;
	int64_t		 lease;
	int64_t		 limit;
	int64_t		 revision;
	int		 prev_kv;
};

enum target {
	TARGET_VERSION,
	TARGET_CREATE,
	TARGET_MOD,
	TARGET_VALUE,
	TARGET_LEASE
};

enum result {
	RESULT_EQUAL,
	RESULT_GREATER,
	RESULT_LESS,
	RESULT_NOT_EQUAL
};

struct cmp {
	char		*key;
	size_t		 keylen;
	enum target	 target;
	enum result	 result;
	int64_t		 number;
	char		*value;
	size_t		 valuelen;
};

/* ------------------------------------------------------------------ */
/* Memory: a test cannot go on without it. */

static void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n > 0 ? n : 1)) == NULL) {
		fprintf(stderr, "fake_etcd: out of memory\n");
		abort();
	}
	return p;
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n > 0 ? n : 1)) == NULL) {
		fprintf(stderr, "fake_etcd: out of memory\n");
		abort();
	}
	return p;
}

/* A copy of len bytes, with a NUL after them. */
static char *
xmemdup(const void *p, size_t len)
{
	char	*c = xmalloc(len + 1);

	if (len > 0)
		memcpy(c, p, len);
	c[len] = '\0';
	return c;
}

/* ------------------------------------------------------------------ */
/* Base64, as Go's encoding/base64 StdEncoding (padded). */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
b64_put(struct buf *b, const char *p, size_t len)
{
	const unsigned char	*u = (const unsigned char *)p;
	char			 q[4];
	size_t			 i;

	for (i = 0; i + 3 <= len; i += 3) {
		q[0] = b64[u[i] >> 2];
		q[1] = b64[(u[i] & 3) << 4 | u[i + 1] >> 4];
		q[2] = b64[(u[i + 1] & 15) << 2 | u[i + 2] >> 6];
		q[3] = b64[u[i + 2] & 63];
		buf_append(b, q, 4);
	}
	if (len - i == 0)
		return;
	q[0] = b64[u[i] >> 2];
	if (len - i == 1) {
		q[1] = b64[(u[i] & 3) << 4];
		q[2] = '=';
	} else {
		q[1] = b64[(u[i] & 3) << 4 | u[i + 1] >> 4];
		q[2] = b64[(u[i + 1] & 15) << 2];
	}
	q[3] = '=';
	buf_append(b, q, 4);
}

static int
b64_value(char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(b64, c)) == NULL)
		return -1;
	return (int)(p - b64);
}

/*
 * Decodes s[0..len) into *out (NUL after it; the caller frees it).
 * Returns 0, or -1 with the offset of the first byte that cannot be
 * there in *bad, as Go reports it ("illegal base64 data at input byte
 * N").
 */
static int
b64_get(const char *s, size_t len, char **out, size_t *outlen, size_t *bad)
{
	unsigned char	*o = xmalloc(len / 4 * 3 + 1);
	size_t		 i, j, n = 0, pad;
	int		 v[4] = { 0, 0, 0, 0 };

	for (i = 0; i < len; i += 4) {
		if (len - i < 4) {
			*bad = i;
			goto fail;
		}
		pad = 0;
		if (i + 4 == len && s[i + 3] == '=')
			pad = s[i + 2] == '=' ? 2 : 1;
		for (j = 0; j < 4 - pad; j++)
			if ((v[j] = b64_value(s[i + j])) < 0) {
				*bad = i + j;
				goto fail;
			}
		o[n++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			o[n++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		if (pad < 1)
			o[n++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
	}
	o[n] = '\0';
	*out = (char *)o;
	*outlen = n;
	return 0;
fail:
	free(o);
	*out = NULL;
	*outlen = 0;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Answers */

static int
refuse(struct fail *e, int http, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Says why a request is refused. Returns -1. */
static int
refuse(struct fail *e, int http, int code, const char *fmt, ...)
{
	va_list	 ap;

	e->http = http;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* A JSON string, escaped as Go escapes it ('"', '\', controls). */
static void
put_string(struct buf *b, const char *s)
{
	unsigned char	 c;

	buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else if (c < 0x20)
			buf_printf(b, "\\u%04x", c);
		else
			buf_putc(b, (char)c);
	}
	buf_putc(b, '"');
}

/* The error answer of a refusal; returns its HTTP status. */
static int
put_refusal(struct buf *ans, const struct fail *e)
{
	buf_reset(ans);
	buf_puts(ans, "{\"error\":");
	put_string(ans, e->msg);
	buf_puts(ans, ",\"message\":");
	put_string(ans, e->msg);
	buf_printf(ans, ",\"code\":%d}", e->code);
	return e->http;
}

static int
refuse_now(struct buf *ans, int http, int code, const char *msg)
{
	struct fail	 e;

	(void)refuse(&e, http, code, "%s", msg);
	return put_refusal(ans, &e);
}

/* ,"name":"v" when v is not 0: the gateway leaves zeros out. */
static void
put_num(struct buf *b, const char *name, int64_t v)
{
	if (v != 0)
		buf_printf(b, ",\"%s\":\"%" PRId64 "\"", name, v);
}

uint64_t
fake_etcd_member_id(size_t m)
{
	return FAKE_ETCD_MEMBER0_ID + (uint64_t)m * 1000003;
}

/* "header":{...} of an answer of member m at revision rev. */
static void
put_header(struct buf *b, size_t m, int64_t rev)
{
	buf_printf(b, "\"header\":{\"cluster_id\":\"%" PRIu64 "\","
	    "\"member_id\":\"%" PRIu64 "\"", (uint64_t)FAKE_ETCD_CLUSTER_ID,
	    fake_etcd_member_id(m));
	put_num(b, "revision", rev);
	buf_printf(b, ",\"raft_term\":\"%d\"}", FAKE_ETCD_RAFT_TERM);
}

/* One mvccpb.KeyValue. */
static void
put_kv(struct buf *b, const struct key *k, const struct change *c)
{
	buf_puts(b, "{\"key\":\"");
	b64_put(b, k->key, k->keylen);
	buf_putc(b, '"');
	put_num(b, "create_revision", c->create);
	put_num(b, "mod_revision", c->mod);
	put_num(b, "version", c->version);
	if (c->valuelen > 0) {
		buf_puts(b, ",\"value\":\"");
		b64_put(b, c->value, c->valuelen);
		buf_putc(b, '"');
	}
	put_num(b, "lease", c->lease);
	buf_putc(b, '}');
}

/* ------------------------------------------------------------------ */
/* The data */

static int
bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t	 n = alen < blen ? alen : blen;
	int	 c = n > 0 ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c < 0 ? -1 : 1;
	return alen < blen ? -1 : alen > blen;
}

/* The index of the first key not below k. */
static size_t
lower_bound(const struct fake_etcd *f, const char *k, size_t klen)
{
	size_t	 lo = 0, hi = f->nkeys, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (bytes_cmp(f->keys[mid].key, f->keys[mid].keylen, k,
		    klen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct key *
find(const struct fake_etcd *f, const char *k, size_t klen)
{
	size_t	 i = lower_bound(f, k, klen);

	if (i < f->nkeys && bytes_cmp(f->keys[i].key, f->keys[i].keylen, k,
	    klen) == 0)
		return &f->keys[i];
	return NULL;
}

/* The key, made (with no changes) when it never was. */
static struct key *
find_or_add(struct fake_etcd *f, const char *k, size_t klen)
{
	struct key	*e;
	size_t		 i;

	if ((e = find(f, k, klen)) != NULL)
		return e;
	if (f->nkeys == f->capkeys) {
		f->capkeys = f->capkeys > 0 ? 2 * f->capkeys : 16;
		f->keys = xrealloc(f->keys, f->capkeys * sizeof(*f->keys));
	}
	i = lower_bound(f, k, klen);
	memmove(&f->keys[i + 1], &f->keys[i],
	    (f->nkeys - i) * sizeof(*f->keys));
	f->nkeys++;
	e = &f->keys[i];
	memset(e, 0, sizeof(*e));
	e->key = xmemdup(k, klen);
	e->keylen = klen;
	return e;
}

/* The key as it was at revision at: NULL when it did not exist. */
static const struct change *
state_at(const struct key *k, int64_t at)
{
	size_t	 i;

	for (i = k->nchanges; i > 0; i--)
		if (k->changes[i - 1].mod <= at)
			return k->changes[i - 1].create != 0 ?
			    &k->changes[i - 1] : NULL;
	return NULL;
}

static void
add_change(struct key *k, const struct change *c)
{
	k->changes = xrealloc(k->changes,
	    (k->nchanges + 1) * sizeof(*k->changes));
	k->changes[k->nchanges++] = *c;
}

/* Puts value under the key at revision rev. */
static void
apply_put(struct fake_etcd *f, const char *k, size_t klen, const char *v,
    size_t vlen, int64_t lease, int64_t rev)
{
	struct key		*e = find_or_add(f, k, klen);
	const struct change	*cur = state_at(e, NOW);
	struct change		 c;

	memset(&c, 0, sizeof(c));
	c.mod = rev;
	c.create = cur != NULL ? cur->create : rev;
	c.version = cur != NULL ? cur->version + 1 : 1;
	c.lease = lease;
	c.value = xmemdup(v, vlen);
	c.valuelen = vlen;
	add_change(e, &c);
}

static void
apply_delete(struct key *e, int64_t rev)
{
	struct change	 c;

	memset(&c, 0, sizeof(c));
	c.mod = rev;
	add_change(e, &c);
}

/* Whether k is in the op's keys: the key alone, or [key, end), or from
 * key on when end is "\0". */
static int
in_op(const struct op *op, const char *k, size_t klen)
{
	if (op->end == NULL)
		return bytes_cmp(k, klen, op->key, op->keylen) == 0;
	if (bytes_cmp(k, klen, op->key, op->keylen) < 0)
		return 0;
	if (op->endlen == 1 && op->end[0] == '\0')
		return 1;
	return bytes_cmp(k, klen, op->end, op->endlen) < 0;
}

/* ------------------------------------------------------------------ */
/* Reading requests */

static struct json_object *
parse_body(const char *body, size_t len, struct fail *e)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	enum json_tokener_error	 err;
	size_t			 end;

	if (len == 0)
		return json_object_new_object();
	if ((tok = json_tokener_new()) == NULL)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, body, (int)len);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (end < len && (body[end] == ' ' || body[end] == '\t' ||
	    body[end] == '\r' || body[end] == '\n'))
		end++;
	if (err != json_tokener_success || end < len) {
		json_object_put(o);
		(void)refuse(e, 400, 3, "%s", err == json_tokener_continue ?
		    "unexpected EOF" : "invalid character");
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		(void)refuse(e, 400, 3, "json: cannot unmarshal %s into Go "
		    "value of type map[string]json.RawMessage",
		    json_type_to_name(json_object_get_type(o)));
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Refuses a member of o not among names (see fake_etcd.h). */
static int
only(struct json_object *o, const char *type, const char *const *names,
    struct fail *e)
{
	size_t	 i;

	json_object_object_foreach(o, name, v) {
		(void)v;
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(names[i], name) == 0)
				break;
		if (names[i] == NULL)
			return refuse(e, 400, 3, "fake etcd: no field \"%s\" "
			    "in %s (or the fake does not know it)", name, type);
	}
	return 0;
}

/* Member name of o, NULL when absent or null. */
static struct json_object *
member(struct json_object *o, const char *name)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, name, &v) ||
	    json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

/* An int64: a decimal string, or a JSON integer; 0 when absent. */
static int
get_num(struct json_object *o, const char *name, int64_t *out,
    struct fail *e)
{
	struct json_object	*v = member(o, name);
	const char		*s;
	char			*end;

	*out = 0;
	if (v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return 0;
	}
	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		errno = 0;
		*out = strtoll(s, &end, 10);
		if ((*s == '-' || (*s >= '0' && *s <= '9')) && *end == '\0' &&
		    errno == 0)
			return 0;
	}
	return refuse(e, 400, 3, "fake etcd: %s is not an int64", name);
}

static int
get_bool(struct json_object *o, const char *name, int *out, struct fail *e)
{
	struct json_object	*v = member(o, name);

	*out = 0;
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return refuse(e, 400, 3, "fake etcd: %s is not a boolean",
		    name);
	*out = json_object_get_boolean(v) ? 1 : 0;
	return 0;
}

/* Bytes from base64: NULL (length 0) when absent or empty. */
static int
get_bytes(struct json_object *o, const char *name, char **out,
    size_t *len, struct fail *e)
{
	struct json_object	*v = member(o, name);
	size_t			 bad;

	*out = NULL;
	*len = 0;
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return refuse(e, 400, 3, "fake etcd: %s is not a string",
		    name);
	if (json_object_get_string_len(v) == 0)
		return 0;
	if (b64_get(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), out, len, &bad) == -1)
		return refuse(e, 400, 3, "illegal base64 data at input byte "
		    "%zu", bad);
	return 0;
}

/* An enum: its name, or its number; 0 when absent. */
static int
get_enum(struct json_object *o, const char *name, const char *const *names,
    const char *type, int *out, struct fail *e)
{
	struct json_object	*v = member(o, name);
	int64_t			 n;
	int			 i;

	*out = 0;
	if (v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(names[i], json_object_get_string(v)) == 0) {
				*out = i;
				return 0;
			}
		return refuse(e, 400, 3, "unknown value \"%s\" for enum %s",
		    json_object_get_string(v), type);
	}
	if (json_object_is_type(v, json_type_int)) {
		n = json_object_get_int64(v);
		for (i = 0; names[i] != NULL; i++)
			if (n == i) {
				*out = i;
				return 0;
			}
	}
	return refuse(e, 400, 3, "fake etcd: %s is not a %s", name, type);
}

static void
op_free(struct op *op)
{
	free(op->key);
	free(op->end);
	free(op->value);
	memset(op, 0, sizeof(*op));
}

/* A RangeRequest, PutRequest or DeleteRangeRequest. */
static int
read_op(struct json_object *o, enum op_type type, struct op *op,
    struct fail *e)
{
	static const char *const fields[][6] = {
		{ "key", "range_end", "limit", "revision", "serializable",
		    NULL },
		{ "key", "value", "lease", "prev_kv", NULL },
		{ "key", "range_end", "prev_kv", NULL },
	};
	static const char *const types[] = { "RangeRequest", "PutRequest",
	    "DeleteRangeRequest" };
	int	 serializable;

	memset(op, 0, sizeof(*op));
	op->type = type;
	if (only(o, types[type], fields[type], e) == -1 ||
	    get_bytes(o, "key", &op->key, &op->keylen, e) == -1 ||
	    get_bytes(o, "range_end", &op->end, &op->endlen, e) == -1 ||
	    get_bytes(o, "value", &op->value, &op->valuelen, e) == -1 ||
	    get_num(o, "lease", &op->lease, e) == -1 ||
	    get_num(o, "limit", &op->limit, e) == -1 ||
	    get_num(o, "revision", &op->revision, e) == -1 ||
	    get_bool(o, "serializable", &serializable, e) == -1 ||
	    get_bool(o, "prev_kv", &op->prev_kv, e) == -1)
		goto fail;
	if (op->keylen == 0) {
		(void)refuse(e, 400, 3, "etcdserver: key is not provided");
		goto fail;
	}
	return 0;
fail:
	op_free(op);
	return -1;
}

/* A RequestOp: {"request_range":{...}} and the like. */
static int
read_request_op(struct json_object *o, struct op *op, struct fail *e)
{
	static const char *const names[] = { "request_range", "request_put",
	    "request_delete_range", NULL };
	struct json_object	*v;
	int			 i;

	memset(op, 0, sizeof(*op));
	if (only(o, "RequestOp", names, e) == -1)
		return -1;
	for (i = 0; names[i] != NULL; i++)
		if ((v = member(o, names[i])) != NULL) {
			if (!json_object_is_type(v, json_type_object))
				return refuse(e, 400, 3, "fake etcd: %s is "
				    "not an object", names[i]);
			return read_op(v, (enum op_type)i, op, e);
		}
	return refuse(e, 400, 3, "etcdserver: key not found");
}

static void
cmp_free(struct cmp *c)
{
	free(c->key);
	free(c->value);
	memset(c, 0, sizeof(*c));
}

/* A Compare. */
static int
read_cmp(struct json_object *o, struct cmp *c, struct fail *e)
{
	static const char *const fields[] = { "key", "target", "result",
	    "version", "create_revision", "mod_revision", "value", "lease",
	    NULL };
	static const char *const targets[] = { "VERSION", "CREATE", "MOD",
	    "VALUE", "LEASE", NULL };
	static const char *const results[] = { "EQUAL", "GREATER", "LESS",
	    "NOT_EQUAL", NULL };
	static const char *const numbers[] = { "version", "create_revision",
	    "mod_revision", NULL, "lease" };
	int	 t, r;

	memset(c, 0, sizeof(*c));
	if (!json_object_is_type(o, json_type_object))
		return refuse(e, 400, 3, "fake etcd: a compare is not an "
		    "object");
	if (only(o, "Compare", fields, e) == -1 ||
	    get_bytes(o, "key", &c->key, &c->keylen, e) == -1 ||
	    get_enum(o, "target", targets,
	    "etcdserverpb.Compare_CompareTarget", &t, e) == -1 ||
	    get_enum(o, "result", results,
	    "etcdserverpb.Compare_CompareResult", &r, e) == -1)
		goto fail;
	c->target = (enum target)t;
	c->result = (enum result)r;
	if (c->target == TARGET_VALUE ? get_bytes(o, "value", &c->value,
	    &c->valuelen, e) == -1 : get_num(o, numbers[t], &c->number,
	    e) == -1)
		goto fail;
	return 0;
fail:
	cmp_free(c);
	return -1;
}

/* Whether the compare holds now (an absent key has zeros, no value). */
static int
holds(const struct fake_etcd *f, const struct cmp *c)
{
	const struct key	*k = find(f, c->key, c->keylen);
	const struct change	*s = k != NULL ? state_at(k, NOW) : NULL;
	int64_t			 have = 0;
	int			 d;

	if (c->target == TARGET_VALUE) {
		if (s == NULL)
			return 0;
		d = bytes_cmp(s->value, s->valuelen, c->value, c->valuelen);
	} else {
		if (s != NULL)
			have = c->target == TARGET_VERSION ? s->version :
			    c->target == TARGET_CREATE ? s->create :
			    c->target == TARGET_MOD ? s->mod : s->lease;
		d = have < c->number ? -1 : have > c->number;
	}
	switch (c->result) {
	case RESULT_EQUAL:
		return d == 0;
	case RESULT_GREATER:
		return d > 0;
	case RESULT_LESS:
		return d < 0;
	default:
		return d != 0;
	}
}

/* ------------------------------------------------------------------ */
/* Doing requests: each writes what follows its answer's header. */

/* A range at revision at: ,"kvs":[...],"more":true,"count":"N". */
static void
do_range(const struct fake_etcd *f, const struct op *op, int64_t at,
    struct buf *b)
{
	const struct change	*c;
	size_t			 i;
	int64_t			 count = 0;

	for (i = lower_bound(f, op->key, op->keylen); i < f->nkeys &&
	    in_op(op, f->keys[i].key, f->keys[i].keylen); i++) {
		if ((c = state_at(&f->keys[i], at)) == NULL)
			continue;
		if (op->limit <= 0 || count < op->limit) {
			buf_puts(b, count == 0 ? ",\"kvs\":[" : ",");
			put_kv(b, &f->keys[i], c);
		}
		count++;
	}
	if (count > 0)
		buf_putc(b, ']');
	if (op->limit > 0 && count > op->limit)
		buf_puts(b, ",\"more\":true");
	put_num(b, "count", count);
}

/* ,"prev_kv":{...} when asked and there was one. */
static void
do_put(struct fake_etcd *f, const struct op *op, int64_t rev,
    struct buf *b)
{
	const struct key	*k = find(f, op->key, op->keylen);
	const struct change	*c = k != NULL ? state_at(k, NOW) : NULL;

	if (op->prev_kv && c != NULL) {
		buf_puts(b, ",\"prev_kv\":");
		put_kv(b, k, c);
	}
	apply_put(f, op->key, op->keylen, op->value, op->valuelen, op->lease,
	    rev);
}

/* ,"deleted":"N","prev_kvs":[...]. */
static void
do_delete(struct fake_etcd *f, const struct op *op, int64_t rev,
    struct buf *b)
{
	struct buf		 prev;
	const struct change	*c;
	size_t			 i;
	int64_t			 n = 0;

	buf_init(&prev);
	for (i = lower_bound(f, op->key, op->keylen); i < f->nkeys &&
	    in_op(op, f->keys[i].key, f->keys[i].keylen); i++) {
		if ((c = state_at(&f->keys[i], NOW)) == NULL)
			continue;
		if (op->prev_kv) {
			buf_puts(&prev, n == 0 ? ",\"prev_kvs\":[" : ",");
			put_kv(&prev, &f->keys[i], c);
		}
		apply_delete(&f->keys[i], rev);
		n++;
	}
	put_num(b, "deleted", n);
	if (prev.len > 0) {
		buf_append(b, prev.data, prev.len);
		buf_putc(b, ']');
	}
	buf_free(&prev);
}

/* Whether the op would change anything now. */
static int
changes(const struct fake_etcd *f, const struct op *op)
{
	size_t	 i;

	if (op->type == OP_PUT)
		return 1;
	if (op->type == OP_RANGE)
		return 0;
	for (i = lower_bound(f, op->key, op->keylen); i < f->nkeys &&
	    in_op(op, f->keys[i].key, f->keys[i].keylen); i++)
		if (state_at(&f->keys[i], NOW) != NULL)
			return 1;
	return 0;
}

/* A range's revision: refused when compacted or not reached yet. */
static int
check_revision(const struct fake_etcd *f, const struct op *op,
    struct fail *e)
{
	if (op->type != OP_RANGE || op->revision <= 0)
		return 0;
	if (op->revision > f->rev)
		return refuse(e, 400, 11, "etcdserver: mvcc: required "
		    "revision is a future revision");
	if (op->revision < f->compacted)
		return refuse(e, 400, 11, "etcdserver: mvcc: required "
		    "revision has been compacted");
	return 0;
}

/* /v3/kv/range, /v3/kv/put, /v3/kv/deleterange. */
static int
answer_op(struct fake_etcd *f, size_t m, struct json_object *o,
    enum op_type type, struct buf *ans, struct fail *e)
{
	struct op	 op;
	struct buf	 rest;
	int64_t		 rev;

	if (read_op(o, type, &op, e) == -1)
		return -1;
	if (check_revision(f, &op, e) == -1) {
		op_free(&op);
		return -1;
	}
	if (type == OP_PUT && f->alarm) {
		op_free(&op);
		return refuse(e, 429, 8, "etcdserver: mvcc: database space "
		    "exceeded");
	}
	buf_init(&rest);
	rev = f->rev + (changes(f, &op) ? 1 : 0);
	if (type == OP_RANGE)
		do_range(f, &op, op.revision > 0 ? op.revision : NOW, &rest);
	else {
		f->raft_index++;
		if (type == OP_PUT)
			do_put(f, &op, rev, &rest);
		else
			do_delete(f, &op, rev, &rest);
		f->rev = rev;
	}
	buf_putc(ans, '{');
	put_header(ans, m, f->rev);
	buf_append(ans, rest.data, rest.len);
	buf_putc(ans, '}');
	buf_free(&rest);
	op_free(&op);
	return 200;
}

/* The ops of a txn branch, read into *ops. */
static int
read_branch(struct json_object *o, const char *name, struct op **ops,
    size_t *n, struct fail *e)
{
	struct json_object	*v = member(o, name);
	size_t			 i;

	*ops = NULL;
	*n = 0;
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return refuse(e, 400, 3, "fake etcd: %s is not an array",
		    name);
	*ops = xmalloc((json_object_array_length(v) + 1) * sizeof(**ops));
	for (i = 0; i < json_object_array_length(v); i++) {
		if (!json_object_is_type(json_object_array_get_idx(v, i),
		    json_type_object)) {
			(void)refuse(e, 400, 3, "fake etcd: an op is not an "
			    "object");
			return -1;
		}
		if (read_request_op(json_object_array_get_idx(v, i),
		    &(*ops)[i], e) == -1)
			return -1;
		(*n)++;
	}
	return 0;
}

/*
 * etcd refuses a txn branch that writes one key twice: two puts of a
 * key, or a put of a key that a delete of the branch covers.
 */
static int
check_branch(const struct fake_etcd *f, const struct op *ops, size_t n,
    struct fail *e)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		if (check_revision(f, &ops[i], e) == -1)
			return -1;
		if (ops[i].type != OP_PUT)
			continue;
		for (j = 0; j < n; j++)
			if (j != i && ops[j].type != OP_RANGE &&
			    in_op(&ops[j], ops[i].key, ops[i].keylen))
				return refuse(e, 400, 3, "etcdserver: "
				    "duplicate key given in txn request");
	}
	return 0;
}

static int
has_put(const struct op *ops, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (ops[i].type == OP_PUT)
			return 1;
	return 0;
}

/* Does a txn's branch, its answers into b. */
static void
do_branch(struct fake_etcd *f, const struct op *ops, size_t n,
    struct buf *b)
{
	static const char *const names[] = { "response_range",
	    "response_put", "response_delete_range" };
	int64_t	 rev = f->rev;
	size_t	 i;

	for (i = 0; i < n; i++)
		if (changes(f, &ops[i])) {
			rev++;
			break;
		}
	for (i = 0; i < n; i++) {
		buf_puts(b, i == 0 ? ",\"responses\":[" : ",");
		/* An inner answer's header has the revision only. */
		buf_printf(b, "{\"%s\":{\"header\":{\"revision\":\"%"
		    PRId64 "\"}", names[ops[i].type], rev);
		if (ops[i].type == OP_RANGE)
			do_range(f, &ops[i], ops[i].revision > 0 ?
			    ops[i].revision : NOW, b);
		else if (ops[i].type == OP_PUT)
			do_put(f, &ops[i], rev, b);
		else
			do_delete(f, &ops[i], rev, b);
		buf_puts(b, "}}");
	}
	if (n > 0)
		buf_putc(b, ']');
	f->rev = rev;
}

static void
ops_free(struct op *ops, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		op_free(&ops[i]);
	free(ops);
}

/* /v3/kv/txn. */
static int
answer_txn(struct fake_etcd *f, size_t m, struct json_object *o,
    struct buf *ans, struct fail *e)
{
	static const char *const fields[] = { "compare", "success",
	    "failure", NULL };
	struct json_object	*v;
	struct cmp		*cmps = NULL;
	struct op		*ok = NULL, *ko = NULL;
	struct buf		 rest;
	size_t			 ncmps = 0, nok = 0, nko = 0, i;
	int			 rc = -1, succeeded = 1;

	buf_init(&rest);
	if (only(o, "TxnRequest", fields, e) == -1)
		goto done;
	if ((v = member(o, "compare")) != NULL) {
		if (!json_object_is_type(v, json_type_array)) {
			(void)refuse(e, 400, 3, "fake etcd: compare is not "
			    "an array");
			goto done;
		}
		cmps = xmalloc((json_object_array_length(v) + 1) *
		    sizeof(*cmps));
		for (; ncmps < json_object_array_length(v); ncmps++)
			if (read_cmp(json_object_array_get_idx(v, ncmps),
			    &cmps[ncmps], e) == -1)
				goto done;
	}
	if (read_branch(o, "success", &ok, &nok, e) == -1 ||
	    read_branch(o, "failure", &ko, &nko, e) == -1 ||
	    check_branch(f, ok, nok, e) == -1 ||
	    check_branch(f, ko, nko, e) == -1)
		goto done;
	if (f->alarm && (has_put(ok, nok) || has_put(ko, nko))) {
		(void)refuse(e, 429, 8, "etcdserver: mvcc: database space "
		    "exceeded");
		goto done;
	}
	for (i = 0; i < ncmps && succeeded; i++)
		succeeded = holds(f, &cmps[i]);
	f->raft_index++;
	do_branch(f, succeeded ? ok : ko, succeeded ? nok : nko, &rest);
	buf_putc(ans, '{');
	put_header(ans, m, f->rev);
	if (succeeded)
		buf_puts(ans, ",\"succeeded\":true");
	buf_append(ans, rest.data, rest.len);
	buf_putc(ans, '}');
	rc = 200;
done:
	for (i = 0; i < ncmps; i++)
		cmp_free(&cmps[i]);
	free(cmps);
	ops_free(ok, nok);
	ops_free(ko, nko);
	buf_free(&rest);
	return rc;
}

/* The first member that is up: the leader, as far as any can tell. */
static size_t
leader(const struct fake_etcd *f)
{
	size_t	 m;

	for (m = 0; m < f->nmembers; m++)
		if (f->member[m] == FAKE_MEMBER_UP)
			return m;
	return 0;
}

/* /v3/maintenance/status: sizes in 4 KiB pages of what is kept. */
static int
answer_status(struct fake_etcd *f, size_t m, struct buf *ans)
{
	size_t		 i, j;
	int64_t		 all = 0, live = 0;

	for (i = 0; i < f->nkeys; i++) {
		for (j = 0; j < f->keys[i].nchanges; j++)
			all += (int64_t)(f->keys[i].keylen +
			    f->keys[i].changes[j].valuelen + 64);
		if ((j = f->keys[i].nchanges) > 0 &&
		    f->keys[i].changes[j - 1].create != 0)
			live += (int64_t)(f->keys[i].keylen +
			    f->keys[i].changes[j - 1].valuelen + 64);
	}
	buf_putc(ans, '{');
	put_header(ans, m, f->rev);
	buf_printf(ans, ",\"version\":\"%s\"", ETCD_VERSION);
	put_num(ans, "dbSize", 20480 + (all + 4095) / 4096 * 4096);
	buf_printf(ans, ",\"leader\":\"%" PRIu64 "\"",
	    fake_etcd_member_id(leader(f)));
	put_num(ans, "raftIndex", (int64_t)f->raft_index);
	put_num(ans, "raftTerm", FAKE_ETCD_RAFT_TERM);
	put_num(ans, "raftAppliedIndex", (int64_t)f->raft_index);
	if (f->alarm)
		buf_printf(ans, ",\"errors\":[\"memberID:%" PRIu64 " "
		    "alarm:NOSPACE \"]", fake_etcd_member_id(m));
	put_num(ans, "dbSizeInUse", 16384 + (live + 4095) / 4096 * 4096);
	buf_putc(ans, '}');
	return 200;
}

/* A member that is up answers: returns the HTTP status. */
static int
answer(struct fake_etcd *f, size_t m, const char *path, const char *body,
    size_t len, struct buf *ans)
{
	struct json_object	*o;
	struct fail		 e;
	int			 rc;

	buf_reset(ans);
	if (strcmp(path, "/v3/auth/authenticate") == 0)
		return refuse_now(ans, 412, 9, "etcdserver: authentication "
		    "is not enabled");
	if (strcmp(path, "/v3/kv/range") != 0 &&
	    strcmp(path, "/v3/kv/put") != 0 &&
	    strcmp(path, "/v3/kv/deleterange") != 0 &&
	    strcmp(path, "/v3/kv/txn") != 0 &&
	    strcmp(path, "/v3/maintenance/status") != 0) {
		buf_puts(ans, "Not Found\n");
		return 404;
	}
	if ((o = parse_body(body, len, &e)) == NULL)
		return put_refusal(ans, &e);
	if (strcmp(path, "/v3/kv/range") == 0)
		rc = answer_op(f, m, o, OP_RANGE, ans, &e);
	else if (strcmp(path, "/v3/kv/put") == 0)
		rc = answer_op(f, m, o, OP_PUT, ans, &e);
	else if (strcmp(path, "/v3/kv/deleterange") == 0)
		rc = answer_op(f, m, o, OP_DELETE, ans, &e);
	else if (strcmp(path, "/v3/kv/txn") == 0)
		rc = answer_txn(f, m, o, ans, &e);
	else
		rc = answer_status(f, m, ans);
	json_object_put(o);
	return rc == -1 ? put_refusal(ans, &e) : rc;
}

/* ------------------------------------------------------------------ */
/* The transport */

static int
is_write(const char *path)
{
	return strcmp(path, "/v3/kv/txn") == 0 ||
	    strcmp(path, "/v3/kv/put") == 0 ||
	    strcmp(path, "/v3/kv/deleterange") == 0;
}

static size_t
path_index(const char *path)
{
	size_t	 i;

	for (i = 0; paths[i] != NULL; i++)
		if (strcmp(paths[i], path) == 0)
			break;
	return i;
}

/* Does the held write now; its answer goes nowhere. Returns its HTTP
 * status, or 0 when none was held. */
int
fake_etcd_release(struct fake_etcd *f)
{
	struct buf	 scratch;
	char		*body = f->held;
	int		 rc;

	if (body == NULL)
		return 0;
	f->held = NULL;
	buf_init(&scratch);
	rc = answer(f, f->held_member, f->held_path, body, f->heldlen,
	    &scratch);
	buf_free(&scratch);
	free(body);
	return rc;
}

/* The next write, with the fault set for it. */
static int
faulty_write(struct fake_etcd *f, size_t m, const char *path,
    const char *body, size_t len, struct buf *ans)
{
	enum fake_fault	 fault = f->fault;
	struct buf	 scratch;

	f->fault = FAKE_FAULT_NONE;
	switch (fault) {
	case FAKE_FAULT_APPLY_LOSE:
		buf_init(&scratch);
		(void)answer(f, m, path, body, len, &scratch);
		buf_free(&scratch);
		return ETCD_LOST;
	case FAKE_FAULT_APPLY_LATER:
		(void)fake_etcd_release(f);
		f->held = xmemdup(body, len);
		f->heldlen = len;
		snprintf(f->held_path, sizeof(f->held_path), "%s", path);
		f->held_member = m;
		f->held_left = f->later;
		return ETCD_LOST;
	case FAKE_FAULT_TIMED_OUT:
		return refuse_now(ans, 503, 14, "etcdserver: request timed "
		    "out");
	case FAKE_FAULT_NO_SPACE:
		return refuse_now(ans, 429, 8, "etcdserver: mvcc: database "
		    "space exceeded");
	default:
		return ETCD_LOST;
	}
}

/*
 * Answers a POST of body to path on member m into ans: returns the HTTP
 * status, or ETCD_UNREACHED or ETCD_LOST (etcd_client.h).
 */
int
fake_etcd_request(struct fake_etcd *f, size_t m, const char *path,
    const char *body, size_t len, struct buf *ans)
{
	const char	*was = f->held;
	int		 rc;

	buf_reset(ans);
	if (f->before != NULL)
		f->before(f, m, path, body, len, f->before_arg);
	if (m >= f->nmembers || f->member[m] == FAKE_MEMBER_UNREACHABLE)
		return ETCD_UNREACHED;
	f->calls[m][path_index(path)]++;
	if (f->member[m] == FAKE_MEMBER_SILENT)
		return ETCD_LOST;
	if (f->member[m] == FAKE_MEMBER_NO_LEADER)
		rc = refuse_now(ans, 503, 14, "etcdserver: no leader");
	else if (is_write(path) && f->fault != FAKE_FAULT_NONE)
		rc = faulty_write(f, m, path, body, len, ans);
	else
		rc = answer(f, m, path, body, len, ans);
	/* A write held before this request is done once it is answered. */
	if (was != NULL && f->held == was && f->held_left > 0 &&
	    --f->held_left == 0)
		(void)fake_etcd_release(f);
	return rc;
}

static int
transport_fn(void *arg, size_t m, const char *path, const struct buf *body,
    struct buf *ans)
{
	return fake_etcd_request(arg, m, path,
	    body->data != NULL ? body->data : "", body->len, ans);
}

/* ------------------------------------------------------------------ */
/* Making, faults, the data */

/* A cluster of n members (1 to FAKE_ETCD_MEMBERS_MAX), all up, at
 * revision 1 as a fresh etcd is. */
struct fake_etcd *
fake_etcd_new(size_t n)
{
	struct fake_etcd	*f;

	if (n < 1 || n > FAKE_ETCD_MEMBERS_MAX)
		return NULL;
	f = xmalloc(sizeof(*f));
	memset(f, 0, sizeof(*f));
	f->nmembers = n;
	f->rev = 1;
	f->raft_index = 4;
	f->transport.fn = transport_fn;
	f->transport.arg = f;
	return f;
}

void
fake_etcd_free(struct fake_etcd *f)
{
	size_t	 i, j;

	if (f == NULL)
		return;
	for (i = 0; i < f->nkeys; i++) {
		for (j = 0; j < f->keys[i].nchanges; j++)
			free(f->keys[i].changes[j].value);
		free(f->keys[i].changes);
		free(f->keys[i].key);
	}
	free(f->keys);
	free(f->held);
	free(f);
}

const struct etcd_transport *
fake_etcd_transport(struct fake_etcd *f)
{
	return &f->transport;
}

void
fake_etcd_member(struct fake_etcd *f, size_t m, enum fake_member state)
{
	if (m < f->nmembers)
		f->member[m] = state;
}

/* Sets the fault of the next write; APPLY_LATER does it once the request
 * after it is answered. */
void
fake_etcd_fault(struct fake_etcd *f, enum fake_fault fault)
{
	f->fault = fault;
	f->later = 1;
}

/* Holds the next write back until n requests after it are answered (0:
 * until fake_etcd_release). */
void
fake_etcd_hold_for(struct fake_etcd *f, unsigned int n)
{
	f->fault = FAKE_FAULT_APPLY_LATER;
	f->later = n;
}

int
fake_etcd_held(const struct fake_etcd *f)
{
	return f->held != NULL;
}

/* Raises (on) or clears the NOSPACE alarm. */
void
fake_etcd_space_alarm(struct fake_etcd *f, int on)
{
	f->alarm = on;
}

/* Ranges at revisions below rev are refused from now on. */
void
fake_etcd_compact(struct fake_etcd *f, int64_t rev)
{
	f->compacted = rev;
}

void
fake_etcd_before(struct fake_etcd *f, fake_etcd_hook *fn, void *arg)
{
	f->before = fn;
	f->before_arg = arg;
}

int64_t
fake_etcd_revision(const struct fake_etcd *f)
{
	return f->rev;
}

/* The key now: 1 with *kv set, or 0 when it does not exist. */
int
fake_etcd_get(const struct fake_etcd *f, const char *k, size_t klen,
    struct fake_kv *kv)
{
	const struct key	*e = find(f, k, klen);
	const struct change	*c = e != NULL ? state_at(e, NOW) : NULL;

	memset(kv, 0, sizeof(*kv));
	if (c == NULL)
		return 0;
	kv->key = e->key;
	kv->keylen = e->keylen;
	kv->value = c->value;
	kv->valuelen = c->valuelen;
	kv->create_revision = c->create;
	kv->mod_revision = c->mod;
	kv->version = c->version;
	kv->lease = c->lease;
	return 1;
}

/* A put by another client: returns its revision. */
int64_t
fake_etcd_put(struct fake_etcd *f, const char *k, size_t klen,
    const void *v, size_t vlen)
{
	apply_put(f, k, klen, v, vlen, 0, ++f->rev);
	return f->rev;
}

/* A delete by another client: returns its revision, or 0 when there was
 * nothing to delete. */
int64_t
fake_etcd_delete(struct fake_etcd *f, const char *k, size_t klen)
{
	struct key	*e = find(f, k, klen);

	if (e == NULL || state_at(e, NOW) == NULL)
		return 0;
	apply_delete(e, ++f->rev);
	return f->rev;
}

/* The keys that exist now and start with prefix. */
size_t
fake_etcd_count(const struct fake_etcd *f, const char *prefix, size_t len)
{
	size_t	 i, n = 0;

	for (i = lower_bound(f, prefix, len); i < f->nkeys &&
	    f->keys[i].keylen >= len &&
	    memcmp(f->keys[i].key, prefix, len) == 0; i++)
		n += state_at(&f->keys[i], NOW) != NULL;
	return n;
}

/* The ith key (from 0, in key order) of those that exist now and start
 * with prefix: 1 with *kv set, or 0 when there are not that many. */
int
fake_etcd_nth(const struct fake_etcd *f, const char *prefix, size_t len,
    size_t nth, struct fake_kv *kv)
{
	size_t	 i;

	memset(kv, 0, sizeof(*kv));
	for (i = lower_bound(f, prefix, len); i < f->nkeys &&
	    f->keys[i].keylen >= len &&
	    memcmp(f->keys[i].key, prefix, len) == 0; i++) {
		if (state_at(&f->keys[i], NOW) == NULL)
			continue;
		if (nth-- == 0)
			return fake_etcd_get(f, f->keys[i].key,
			    f->keys[i].keylen, kv);
	}
	return 0;
}

/* The requests member m took on path (NULL: on any path). */
unsigned int
fake_etcd_calls(const struct fake_etcd *f, size_t m, const char *path)
{
	unsigned int	 n = 0;
	size_t		 i;

	if (m >= f->nmembers)
		return 0;
	if (path != NULL)
		return f->calls[m][path_index(path)];
	for (i = 0; i < NPATHS; i++)
		n += f->calls[m][i];
	return n;
}
