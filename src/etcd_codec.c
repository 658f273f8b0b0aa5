/*
 * etcd_codec.c: etcd's v3 JSON gateway spoken in C (see etcd_codec.h).
 * The only owner of json-c objects for etcd's JSON. Requests are written
 * straight into a struct buf, not through codec.h's writer: that one
 * turns bytes above 0x7f into U+FFFD (right for our answers, wrong for a
 * password), and base64 goes into the buffer without a copy.
 *
 * The gateway writes protobuf's JSON mapping (golang/protobuf jsonpb with
 * OrigName): bytes as standard base64 with padding (RFC 4648 section 4),
 * int64 and uint64 as decimal strings, enums by name, and no field that
 * holds its zero value. Readers here follow the same mapping, leniently
 * where it costs nothing: a JSON integer where a string is expected, null
 * for an absent field, unknown fields ignored (etcd 3.5 adds some).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "etcd_codec.h"
#include "number.h"

/* Deep enough for a txn answer (root, responses, op, kvs, kv: 6). */
#define ETCD_MAX_DEPTH	16

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* ------------------------------------------------------------------ */
/* base64 */

/* The length of the base64 of len bytes: 4 for every 3, padding included. */
size_t
etcd_base64_len(size_t len)
{
	return (len + 2) / 3 * 4;
}

/* Appends the base64 of p[0..len) to b, padded with '='. */
void
etcd_base64_put(struct buf *b, const void *p, size_t len)
{
	const unsigned char	*s = p;
	char			 chunk[64];
	size_t			 i, n = 0;
	uint32_t		 v;

	for (i = 0; i < len; i += 3) {
		v = (uint32_t)s[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		chunk[n++] = b64_alphabet[v >> 18 & 0x3f];
		chunk[n++] = b64_alphabet[v >> 12 & 0x3f];
		chunk[n++] = i + 1 < len ? b64_alphabet[v >> 6 & 0x3f] : '=';
		chunk[n++] = i + 2 < len ? b64_alphabet[v & 0x3f] : '=';
		if (n == sizeof(chunk)) {
			buf_append(b, chunk, n);
			n = 0;
		}
	}
	buf_append(b, chunk, n);
}

/* The value of one base64 digit, or -1 (padding included). */
static int
b64_value(char c)
{
	const char	*at;

	if (c == '\0' || (at = strchr(b64_alphabet, c)) == NULL)
		return -1;
	return (int)(at - b64_alphabet);
}

/*
 * Decodes the quartet q (4 characters; '=' only as the last one or two
 * when last is set) into out. Returns the bytes written (1 to 3), or -1.
 * Bits that the padding leaves over must be 0: one spelling per value.
 */
static int
b64_quartet(const char *q, int last, unsigned char *out)
{
	int		 d[4], i, pad = 0;
	uint32_t	 v = 0;

	if (last)
		pad = q[3] != '=' ? 0 : q[2] != '=' ? 1 : 2;
	for (i = 0; i < 4 - pad; i++) {
		if ((d[i] = b64_value(q[i])) < 0)
			return -1;
		v = v << 6 | (uint32_t)d[i];
	}
	v <<= 6 * pad;
	if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0))
		return -1;
	out[0] = (unsigned char)(v >> 16);
	out[1] = (unsigned char)(v >> 8);
	out[2] = (unsigned char)v;
	return 3 - pad;
}

/*
 * Decodes the base64 s[0..len), strictly: the standard alphabet, padded
 * to a multiple of four, nothing else (no blanks, no line breaks).
 * Returns 0 with the bytes in *out (followed by a NUL; the caller frees
 * it) and their number in *outlen, or -1 with nothing allocated.
 */
int
etcd_base64_decode(const char *s, size_t len, char **out, size_t *outlen)
{
	unsigned char	*d;
	size_t		 i, n = 0;
	int		 got;

	*out = NULL;
	*outlen = 0;
	if (len % 4 != 0)
		return -1;
	if ((d = malloc(len / 4 * 3 + 1)) == NULL)
		return -1;
	for (i = 0; i < len; i += 4) {
		if ((got = b64_quartet(s + i, i + 4 == len, d + n)) < 0) {
			free(d);
			return -1;
		}
		n += (size_t)got;
	}
	d[n] = '\0';
	*out = (char *)d;
	*outlen = n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Requests */

/* Starts a member of an object: a comma unless it is the first (*n). */
static void
member(struct buf *b, int *n, const char *name)
{
	if ((*n)++ > 0)
		buf_putc(b, ',');
	buf_printf(b, "\"%s\":", name);
}

/* A bytes member: its base64 in quotes. */
static void
put_bytes(struct buf *b, int *n, const char *name, const char *p,
    size_t len)
{
	member(b, n, name);
	buf_putc(b, '"');
	etcd_base64_put(b, p, len);
	buf_putc(b, '"');
}

/* An int64 member, as the gateway wants it: a decimal string. */
static void
put_int(struct buf *b, int *n, const char *name, int64_t v)
{
	member(b, n, name);
	buf_printf(b, "\"%" PRId64 "\"", v);
}

/* A member true (false is the default: never written). */
static void
put_true(struct buf *b, int *n, const char *name)
{
	member(b, n, name);
	buf_puts(b, "true");
}

/*
 * A text member, quoted as RFC 8259 section 7 asks: '"', '\' and control
 * characters escaped, every other byte as it is (UTF-8 passes through).
 */
static void
put_text(struct buf *b, int *n, const char *name, const char *s)
{
	unsigned char	 c;

	member(b, n, name);
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

/*
 * Writes into out (room for len bytes, at least 1) the range_end that
 * makes a range of every key starting with prefix[0..len): the prefix
 * with its last byte below 0xff raised by one and what follows dropped.
 * With no such byte (an empty prefix, only 0xff), it is "\0": every key
 * from the start on. Returns its length.
 */
size_t
etcd_range_end(const char *prefix, size_t len, char *out)
{
	size_t	 n;

	for (n = len; n > 0 && (unsigned char)prefix[n - 1] == 0xff; n--)
		continue;
	if (n == 0) {
		out[0] = '\0';
		return 1;
	}
	memcpy(out, prefix, n);
	out[n - 1] = (char)((unsigned char)out[n - 1] + 1);
	return n;
}

/* The path of the gateway's endpoint for an operation alone. */
const char *
etcd_op_path(enum etcd_op_type type)
{
	switch (type) {
	case ETCD_OP_RANGE:
		return "/v3/kv/range";
	case ETCD_OP_PUT:
		return "/v3/kv/put";
	case ETCD_OP_DELETE:
		return "/v3/kv/deleterange";
	}
	return NULL;
}

/*
 * Writes op as a RangeRequest, PutRequest or DeleteRangeRequest, fields
 * in the proto's order: the key (and a put's value) always, the others
 * only when not zero: {"key":"YQ==","range_end":"Yg==","limit":"2"}.
 */
void
etcd_req_op(struct buf *b, const struct etcd_op *op)
{
	int	 n = 0;

	buf_putc(b, '{');
	put_bytes(b, &n, "key", op->key, op->keylen);
	if (op->type != ETCD_OP_PUT && op->range_end != NULL)
		put_bytes(b, &n, "range_end", op->range_end,
		    op->range_end_len);
	if (op->type == ETCD_OP_RANGE) {
		if (op->limit != 0)
			put_int(b, &n, "limit", op->limit);
		if (op->revision != 0)
			put_int(b, &n, "revision", op->revision);
		if (op->serializable)
			put_true(b, &n, "serializable");
	}
	if (op->type == ETCD_OP_PUT) {
		put_bytes(b, &n, "value", op->value, op->valuelen);
		if (op->lease != 0)
			put_int(b, &n, "lease", op->lease);
	}
	if (op->type != ETCD_OP_RANGE && op->prev_kv)
		put_true(b, &n, "prev_kv");
	buf_putc(b, '}');
}

/*
 * Writes one compare: {"key":"YQ==","target":"MOD","result":"EQUAL",
 * "mod_revision":"5"}. The value is written even when 0: create_revision
 * 0 is how a txn asks that the key be absent.
 */
static void
write_compare(struct buf *b, const struct etcd_compare *c)
{
	/* In the order of enum etcd_target and enum etcd_cmp. */
	static const char *const targets[] = { "VERSION", "CREATE", "MOD" };
	static const char *const fields[] = { "version", "create_revision",
	    "mod_revision" };
	static const char *const cmps[] = { "EQUAL", "GREATER", "LESS",
	    "NOT_EQUAL" };
	int	 n = 0;

	buf_putc(b, '{');
	put_bytes(b, &n, "key", c->key, c->keylen);
	member(b, &n, "target");
	buf_printf(b, "\"%s\"", targets[c->target]);
	member(b, &n, "result");
	buf_printf(b, "\"%s\"", cmps[c->cmp]);
	put_int(b, &n, fields[c->target], c->value);
	buf_putc(b, '}');
}

/* Writes a list of ops as RequestOps: [{"request_put":{...}},...]. */
static void
write_ops(struct buf *b, const struct etcd_op *ops, size_t nops)
{
	/* In enum etcd_op_type's order. */
	static const char *const names[] = { "request_range", "request_put",
	    "request_delete_range" };
	size_t	 i;
	int	 n;

	buf_putc(b, '[');
	for (i = 0; i < nops; i++) {
		if (i > 0)
			buf_putc(b, ',');
		n = 0;
		buf_putc(b, '{');
		member(b, &n, names[ops[i].type]);
		etcd_req_op(b, &ops[i]);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

/* Writes a TxnRequest; an empty list is left out, as etcd would. */
void
etcd_req_txn(struct buf *b, const struct etcd_txn *t)
{
	size_t	 i;
	int	 n = 0;

	buf_putc(b, '{');
	if (t->ncompare > 0) {
		member(b, &n, "compare");
		buf_putc(b, '[');
		for (i = 0; i < t->ncompare; i++) {
			if (i > 0)
				buf_putc(b, ',');
			write_compare(b, &t->compare[i]);
		}
		buf_putc(b, ']');
	}
	if (t->nsuccess > 0) {
		member(b, &n, "success");
		write_ops(b, t->success, t->nsuccess);
	}
	if (t->nfailure > 0) {
		member(b, &n, "failure");
		write_ops(b, t->failure, t->nfailure);
	}
	buf_putc(b, '}');
}

/*
 * Writes the body of /v3/watch that opens a watch on key (to range_end
 * when not NULL) from start_revision (0: from now on), with each event's
 * previous kv when prev_kv is set.
 */
void
etcd_req_watch(struct buf *b, const char *key, size_t keylen,
    const char *range_end, size_t range_end_len, int64_t start_revision,
    int prev_kv)
{
	int	 n = 0;

	buf_puts(b, "{\"create_request\":{");
	put_bytes(b, &n, "key", key, keylen);
	if (range_end != NULL)
		put_bytes(b, &n, "range_end", range_end, range_end_len);
	if (start_revision != 0)
		put_int(b, &n, "start_revision", start_revision);
	if (prev_kv)
		put_true(b, &n, "prev_kv");
	buf_puts(b, "}}");
}

/* Writes the body of /v3/auth/authenticate. */
void
etcd_req_auth(struct buf *b, const char *name, const char *password)
{
	int	 n = 0;

	buf_putc(b, '{');
	put_text(b, &n, "name", name);
	put_text(b, &n, "password", password);
	buf_putc(b, '}');
}

/* ------------------------------------------------------------------ */
/* Reading JSON */

/*
 * Parses s[0..len) as one JSON object, white space allowed after it (a
 * watch stream's lines end in "\n"). Returns the object (the caller puts
 * it), or NULL: not JSON, not an object, cut short, or a NUL inside
 * (json-c would stop there).
 */
static struct json_object *
parse_object(const char *s, size_t len)
{
	struct json_tokener	*tok;
	struct json_object	*root;
	size_t			 end;

	if (len == 0 || len > INT32_MAX || memchr(s, '\0', len) != NULL)
		return NULL;
	if ((tok = json_tokener_new_ex(ETCD_MAX_DEPTH)) == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, s, (int)len);
	/* White space may follow; s need not end in a NUL. */
	for (end = json_tokener_get_parse_end(tok); end < len &&
	    (s[end] == ' ' || s[end] == '\t' || s[end] == '\r' ||
	    s[end] == '\n'); end++)
		continue;
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(root, json_type_object) || end < len) {
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	return root;
}

/*
 * Finds member name of o with the JSON type type. Returns 0 with it in *v
 * (borrowed from o), 0 with *v NULL when it is absent or null (protobuf's
 * JSON mapping reads null as the default), or -1 when it has another
 * type.
 */
static int
get(struct json_object *o, const char *name, enum json_type type,
    struct json_object **v)
{
	if (!json_object_object_get_ex(o, name, v) ||
	    json_object_is_type(*v, json_type_null)) {
		*v = NULL;
		return 0;
	}
	return json_object_is_type(*v, type) ? 0 : -1;
}

/*
 * Reads a 64-bit number: a decimal string as the gateway writes it, or a
 * JSON integer. A minus sign only when is_signed; the value must fit.
 * json-c holds a JSON integer in 64 bits and silently clamps one too
 * large to the limit, so the two limits themselves are refused as
 * integers. Returns 0 with the value (as two's complement) in *out, or
 * -1.
 */
static int
read_number(struct json_object *v, int is_signed, uint64_t *out)
{
	const char	*s;
	size_t		 len;
	uint64_t	 max = is_signed ? INT64_MAX : UINT64_MAX, u;
	int		 neg;

	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
	} else if (json_object_is_type(v, json_type_int)) {
		s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
		if (s == NULL || strcmp(s, "18446744073709551615") == 0 ||
		    strcmp(s, "-9223372036854775808") == 0)
			return -1;
		len = strlen(s);
	} else
		return -1;
	if ((neg = len > 0 && s[0] == '-') && !is_signed)
		return -1;
	if (number_uint(s + neg, len - (size_t)neg, 0, max + (uint64_t)neg,
	    &u) == -1)
		return -1;
	*out = neg ? 0 - u : u;
	return 0;
}

/* Member name of o as an int64: 0 when absent. Returns 0, or -1. */
static int
get_i64(struct json_object *o, const char *name, int64_t *out)
{
	struct json_object	*v;
	uint64_t		 u;

	*out = 0;
	if (!json_object_object_get_ex(o, name, &v) ||
	    json_object_is_type(v, json_type_null))
		return 0;
	if (read_number(v, 1, &u) == -1)
		return -1;
	*out = (int64_t)u;
	return 0;
}

/* Member name of o as a uint64: 0 when absent. Returns 0, or -1. */
static int
get_u64(struct json_object *o, const char *name, uint64_t *out)
{
	struct json_object	*v;

	*out = 0;
	if (!json_object_object_get_ex(o, name, &v) ||
	    json_object_is_type(v, json_type_null))
		return 0;
	return read_number(v, 0, out);
}

/* Member name of o as a boolean: 0 when absent. Returns 0, or -1. */
static int
get_bool(struct json_object *o, const char *name, int *out)
{
	struct json_object	*v;

	*out = 0;
	if (get(o, name, json_type_boolean, &v) == -1)
		return -1;
	if (v != NULL)
		*out = json_object_get_boolean(v) ? 1 : 0;
	return 0;
}

/*
 * Member name of o as bytes from base64: an empty string (allocated all
 * the same) when absent. Returns 0 with *out to free, or -1 with *out
 * NULL.
 */
static int
get_bytes(struct json_object *o, const char *name, char **out,
    size_t *outlen)
{
	struct json_object	*v;

	*out = NULL;
	*outlen = 0;
	if (get(o, name, json_type_string, &v) == -1)
		return -1;
	if (v == NULL)
		return etcd_base64_decode("", 0, out, outlen);
	return etcd_base64_decode(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), out, outlen);
}

/*
 * Member name of o as text: NULL when absent, unless required. Returns 0
 * with *out to free, or -1 (the wrong type, a NUL inside, out of memory).
 */
static int
get_text(struct json_object *o, const char *name, int required,
    char **out)
{
	struct json_object	*v;
	size_t			 len;

	*out = NULL;
	if (get(o, name, json_type_string, &v) == -1)
		return -1;
	if (v == NULL)
		return required ? -1 : 0;
	len = (size_t)json_object_get_string_len(v);
	if (memchr(json_object_get_string(v), '\0', len) != NULL)
		return -1;
	*out = strdup(json_object_get_string(v));
	return *out == NULL ? -1 : 0;
}

/*
 * Reads an error answer into err (when not NULL). A unary call's error is
 * {"error":"...","message":"...","code":14}; a stream's is {"error":
 * {"grpc_code":14,"http_code":503,"message":"...","http_status":"..."}}.
 * Returns ETCD_REFUSED, ETCD_OK when o is no error answer, or
 * ETCD_MALFORMED when it is one without a code.
 */
static enum etcd_parsed
refusal(struct json_object *o, struct etcd_error *err)
{
	struct json_object	*e, *code, *msg = NULL;
	int64_t			 c;

	if (!json_object_object_get_ex(o, "error", &e))
		return ETCD_OK;
	if (json_object_is_type(e, json_type_object)) {
		o = e;
		e = NULL;
	} else if (!json_object_is_type(e, json_type_string))
		return ETCD_MALFORMED;
	if (get(o, e == NULL ? "grpc_code" : "code", json_type_int, &code) ==
	    -1 || code == NULL || get(o, "message", json_type_string, &msg) ==
	    -1)
		return ETCD_MALFORMED;
	if ((c = json_object_get_int64(code)) < 0 || c > INT32_MAX)
		return ETCD_MALFORMED;
	if (msg == NULL && (msg = e) == NULL)
		return ETCD_MALFORMED;
	if (err != NULL) {
		err->code = (int)c;
		snprintf(err->message, sizeof(err->message), "%s",
		    json_object_get_string(msg));
	}
	return ETCD_REFUSED;
}

/*
 * The start of every parser: parses s[0..len) into *root (the caller puts
 * it) and tells an error answer apart. Returns ETCD_OK with *root set to
 * an object to read on, or ETCD_REFUSED or ETCD_MALFORMED with *root
 * NULL.
 */
static enum etcd_parsed
begin(const char *s, size_t len, struct json_object **root,
    struct etcd_error *err)
{
	enum etcd_parsed	 rc;

	if (err != NULL) {
		err->code = 0;
		err->message[0] = '\0';
	}
	if ((*root = parse_object(s, len)) == NULL)
		return ETCD_MALFORMED;
	if ((rc = refusal(*root, err)) != ETCD_OK) {
		json_object_put(*root);
		*root = NULL;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Answers */

/*
 * Reads member "header" of o into h: zeros when it is absent, unless
 * required (every answer has one; a txn's inner answers may not). Returns
 * 0, or -1.
 */
static int
read_header(struct json_object *o, int required, struct etcd_header *h)
{
	struct json_object	*v;

	memset(h, 0, sizeof(*h));
	if (get(o, "header", json_type_object, &v) == -1)
		return -1;
	if (v == NULL)
		return required ? -1 : 0;
	if (get_u64(v, "cluster_id", &h->cluster_id) == -1 ||
	    get_u64(v, "member_id", &h->member_id) == -1 ||
	    get_i64(v, "revision", &h->revision) == -1 ||
	    get_u64(v, "raft_term", &h->raft_term) == -1)
		return -1;
	return 0;
}

/* Frees what a kv holds and zeroes it. */
static void
kv_free(struct etcd_kv *kv)
{
	free(kv->key);
	free(kv->value);
	memset(kv, 0, sizeof(*kv));
}

/* Frees an array of n kvs. */
static void
kvs_free(struct etcd_kv *kvs, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		kv_free(&kvs[i]);
	free(kvs);
}

/*
 * Reads the KeyValue o (a JSON object) into kv, which must be zeroed.
 * Returns 0, or -1 leaving what it took in kv for kv_free().
 */
static int
read_kv(struct json_object *o, struct etcd_kv *kv)
{
	if (!json_object_is_type(o, json_type_object))
		return -1;
	if (get_bytes(o, "key", &kv->key, &kv->keylen) == -1 ||
	    get_bytes(o, "value", &kv->value, &kv->valuelen) == -1 ||
	    get_i64(o, "create_revision", &kv->create_revision) == -1 ||
	    get_i64(o, "mod_revision", &kv->mod_revision) == -1 ||
	    get_i64(o, "version", &kv->version) == -1 ||
	    get_i64(o, "lease", &kv->lease) == -1)
		return -1;
	return 0;
}

/*
 * Reads member name of o, an array of KeyValues, into *kvs (the caller
 * frees it with kvs_free(), even after a failure) and *n. Returns 0, or
 * -1.
 */
static int
read_kvs(struct json_object *o, const char *name, struct etcd_kv **kvs,
    size_t *n)
{
	struct json_object	*a;
	size_t			 i, len;

	*kvs = NULL;
	*n = 0;
	if (get(o, name, json_type_array, &a) == -1)
		return -1;
	if (a == NULL || (len = json_object_array_length(a)) == 0)
		return 0;
	if ((*kvs = calloc(len, sizeof(**kvs))) == NULL)
		return -1;
	*n = len;
	for (i = 0; i < len; i++)
		if (read_kv(json_object_array_get_idx(a, i), &(*kvs)[i]) == -1)
			return -1;
	return 0;
}

/*
 * Reads a RangeResponse, PutResponse or DeleteRangeResponse o into a (a
 * zeroed struct). Returns 0, or -1 leaving the rest for
 * etcd_answer_free().
 */
static int
read_answer(struct json_object *o, enum etcd_op_type type,
    int header_required, struct etcd_answer *a)
{
	struct json_object	*prev;

	a->type = type;
	if (!json_object_is_type(o, json_type_object) ||
	    read_header(o, header_required, &a->header) == -1)
		return -1;
	switch (type) {
	case ETCD_OP_RANGE:
		if (read_kvs(o, "kvs", &a->kvs, &a->nkvs) == -1 ||
		    get_bool(o, "more", &a->more) == -1 ||
		    get_i64(o, "count", &a->count) == -1)
			return -1;
		break;
	case ETCD_OP_PUT:
		if (get(o, "prev_kv", json_type_object, &prev) == -1)
			return -1;
		if (prev == NULL)
			break;
		if ((a->prev_kvs = calloc(1, sizeof(*a->prev_kvs))) == NULL)
			return -1;
		a->nprev_kvs = 1;
		if (read_kv(prev, a->prev_kvs) == -1)
			return -1;
		break;
	case ETCD_OP_DELETE:
		if (get_i64(o, "deleted", &a->deleted) == -1 ||
		    read_kvs(o, "prev_kvs", &a->prev_kvs, &a->nprev_kvs) == -1)
			return -1;
		break;
	default:
		return -1;
	}
	return 0;
}

/* Frees what an answer holds and zeroes it; NULL is fine. */
void
etcd_answer_free(struct etcd_answer *a)
{
	if (a == NULL)
		return;
	kvs_free(a->kvs, a->nkvs);
	kvs_free(a->prev_kvs, a->nprev_kvs);
	memset(a, 0, sizeof(*a));
}

/*
 * Reads the answer s[0..len) to an operation of the given type alone
 * (/v3/kv/range, put or deleterange) into *a, which the caller frees with
 * etcd_answer_free() after ETCD_OK. Returns ETCD_OK, ETCD_REFUSED (err
 * says why) or ETCD_MALFORMED; *a holds nothing unless ETCD_OK.
 */
enum etcd_parsed
etcd_parse_op(const char *s, size_t len, enum etcd_op_type type,
    struct etcd_answer *a, struct etcd_error *err)
{
	struct json_object	*root;
	enum etcd_parsed	 rc;

	memset(a, 0, sizeof(*a));
	if ((rc = begin(s, len, &root, err)) != ETCD_OK)
		return rc;
	if (read_answer(root, type, 1, a) == -1) {
		etcd_answer_free(a);
		rc = ETCD_MALFORMED;
	}
	json_object_put(root);
	return rc;
}

/*
 * Reads one ResponseOp o: {"response_range": {...}}, response_put or
 * response_delete_range, exactly one. Returns 0, or -1 leaving the rest
 * for etcd_answer_free().
 */
static int
read_response(struct json_object *o, struct etcd_answer *a)
{
	/* In enum etcd_op_type's order. */
	static const char *const names[] = { "response_range",
	    "response_put", "response_delete_range" };
	struct json_object	*v, *found = NULL;
	size_t			 i, type = 0;

	if (!json_object_is_type(o, json_type_object))
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (get(o, names[i], json_type_object, &v) == -1)
			return -1;
		if (v == NULL)
			continue;
		if (found != NULL)
			return -1;
		found = v;
		type = i;
	}
	if (found == NULL)
		return -1;
	return read_answer(found, (enum etcd_op_type)type, 0, a);
}

/* Reads a TxnResponse o into t (zeroed). Returns 0, or -1. */
static int
read_txn(struct json_object *o, struct etcd_txn_answer *t)
{
	struct json_object	*r;
	size_t			 i, len;

	if (read_header(o, 1, &t->header) == -1 ||
	    get_bool(o, "succeeded", &t->succeeded) == -1 ||
	    get(o, "responses", json_type_array, &r) == -1)
		return -1;
	if (r == NULL || (len = json_object_array_length(r)) == 0)
		return 0;
	if ((t->responses = calloc(len, sizeof(*t->responses))) == NULL)
		return -1;
	t->nresponses = len;
	for (i = 0; i < len; i++)
		if (read_response(json_object_array_get_idx(r, i),
		    &t->responses[i]) == -1)
			return -1;
	return 0;
}

/* Frees what a txn answer holds and zeroes it; NULL is fine. */
void
etcd_txn_answer_free(struct etcd_txn_answer *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nresponses; i++)
		etcd_answer_free(&t->responses[i]);
	free(t->responses);
	memset(t, 0, sizeof(*t));
}

/*
 * Reads the answer s[0..len) of /v3/kv/txn into *t (free it with
 * etcd_txn_answer_free() after ETCD_OK): succeeded is 0 when the
 * failure ops ran; responses holds one answer per op that ran. Returns
 * ETCD_OK, ETCD_REFUSED or ETCD_MALFORMED.
 */
enum etcd_parsed
etcd_parse_txn(const char *s, size_t len, struct etcd_txn_answer *t,
    struct etcd_error *err)
{
	struct json_object	*root;
	enum etcd_parsed	 rc;

	memset(t, 0, sizeof(*t));
	if ((rc = begin(s, len, &root, err)) != ETCD_OK)
		return rc;
	if (read_txn(root, t) == -1) {
		etcd_txn_answer_free(t);
		rc = ETCD_MALFORMED;
	}
	json_object_put(root);
	return rc;
}

/*
 * Reads an Event's member "type" of o into *type: "PUT" is 0 and so never
 * written; "DELETE" (or 0 and 1, from a gateway writing enums as
 * numbers). Returns 0, or -1.
 */
static int
read_event_type(struct json_object *o, enum etcd_event_type *type)
{
	struct json_object	*v;
	const char		*name;
	int64_t			 n;

	*type = ETCD_EVENT_PUT;
	if (!json_object_object_get_ex(o, "type", &v) ||
	    json_object_is_type(v, json_type_null))
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		name = json_object_get_string(v);
		if (strcmp(name, "DELETE") == 0)
			*type = ETCD_EVENT_DELETE;
		return strcmp(name, "PUT") == 0 ||
		    strcmp(name, "DELETE") == 0 ? 0 : -1;
	}
	if (!json_object_is_type(v, json_type_int) ||
	    ((n = json_object_get_int64(v)) != 0 && n != 1))
		return -1;
	*type = n == 0 ? ETCD_EVENT_PUT : ETCD_EVENT_DELETE;
	return 0;
}

/*
 * Reads an Event o into ev (zeroed): its type, kv, and prev_kv when the
 * watch asked for it. Returns 0, or -1 leaving the rest for the caller to
 * free.
 */
static int
read_event(struct json_object *o, struct etcd_event *ev)
{
	struct json_object	*kv, *prev;

	if (!json_object_is_type(o, json_type_object) ||
	    read_event_type(o, &ev->type) == -1 ||
	    get(o, "kv", json_type_object, &kv) == -1 || kv == NULL ||
	    read_kv(kv, &ev->kv) == -1 ||
	    get(o, "prev_kv", json_type_object, &prev) == -1)
		return -1;
	if (prev == NULL)
		return 0;
	ev->has_prev_kv = 1;
	return read_kv(prev, &ev->prev_kv);
}

/* Reads a WatchResponse o into w (zeroed). Returns 0, or -1. */
static int
read_watch(struct json_object *o, struct etcd_watch *w)
{
	struct json_object	*e;
	size_t			 i, len;

	if (read_header(o, 1, &w->header) == -1 ||
	    get_i64(o, "watch_id", &w->watch_id) == -1 ||
	    get_bool(o, "created", &w->created) == -1 ||
	    get_bool(o, "canceled", &w->canceled) == -1 ||
	    get_i64(o, "compact_revision", &w->compact_revision) == -1 ||
	    get_text(o, "cancel_reason", 0, &w->cancel_reason) == -1 ||
	    get(o, "events", json_type_array, &e) == -1)
		return -1;
	if (e == NULL || (len = json_object_array_length(e)) == 0)
		return 0;
	if ((w->events = calloc(len, sizeof(*w->events))) == NULL)
		return -1;
	w->nevents = len;
	for (i = 0; i < len; i++)
		if (read_event(json_object_array_get_idx(e, i),
		    &w->events[i]) == -1)
			return -1;
	return 0;
}

/* Frees what a watch answer holds and zeroes it; NULL is fine. */
void
etcd_watch_free(struct etcd_watch *w)
{
	size_t	 i;

	if (w == NULL)
		return;
	for (i = 0; i < w->nevents; i++) {
		kv_free(&w->events[i].kv);
		kv_free(&w->events[i].prev_kv);
	}
	free(w->events);
	free(w->cancel_reason);
	memset(w, 0, sizeof(*w));
}

/*
 * Reads one line s[0..len) of a /v3/watch stream, {"result": {...}}, into
 * *w (free it with etcd_watch_free() after ETCD_OK). A watch that could
 * not start (a start revision compacted away) is canceled with
 * compact_revision set. Returns ETCD_OK, ETCD_REFUSED (the stream's own
 * error shape too) or ETCD_MALFORMED.
 */
enum etcd_parsed
etcd_parse_watch(const char *s, size_t len, struct etcd_watch *w,
    struct etcd_error *err)
{
	struct json_object	*root, *result;
	enum etcd_parsed	 rc;

	memset(w, 0, sizeof(*w));
	if ((rc = begin(s, len, &root, err)) != ETCD_OK)
		return rc;
	if (get(root, "result", json_type_object, &result) == -1 ||
	    result == NULL || read_watch(result, w) == -1) {
		etcd_watch_free(w);
		rc = ETCD_MALFORMED;
	}
	json_object_put(root);
	return rc;
}

/* Reads member "errors" of o, an array of texts, into st. Returns 0/-1. */
static int
read_errors(struct json_object *o, struct etcd_status *st)
{
	struct json_object	*a, *v;
	size_t			 i, len;

	if (get(o, "errors", json_type_array, &a) == -1)
		return -1;
	if (a == NULL || (len = json_object_array_length(a)) == 0)
		return 0;
	if ((st->errors = calloc(len, sizeof(*st->errors))) == NULL)
		return -1;
	st->nerrors = len;
	for (i = 0; i < len; i++) {
		v = json_object_array_get_idx(a, i);
		if (!json_object_is_type(v, json_type_string) ||
		    memchr(json_object_get_string(v), '\0',
		    (size_t)json_object_get_string_len(v)) != NULL ||
		    (st->errors[i] = strdup(json_object_get_string(v))) ==
		    NULL)
			return -1;
	}
	return 0;
}

/* Frees what a status holds and zeroes it; NULL is fine. */
void
etcd_status_free(struct etcd_status *st)
{
	size_t	 i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nerrors; i++)
		free(st->errors[i]);
	free(st->errors);
	free(st->version);
	memset(st, 0, sizeof(*st));
}

/*
 * Reads the answer s[0..len) of /v3/maintenance/status into *st (free it
 * with etcd_status_free() after ETCD_OK). Its names are the proto's own,
 * camelCase (dbSize, raftIndex). Returns ETCD_OK, ETCD_REFUSED or
 * ETCD_MALFORMED.
 */
enum etcd_parsed
etcd_parse_status(const char *s, size_t len, struct etcd_status *st,
    struct etcd_error *err)
{
	struct json_object	*root;
	enum etcd_parsed	 rc;

	memset(st, 0, sizeof(*st));
	if ((rc = begin(s, len, &root, err)) != ETCD_OK)
		return rc;
	if (read_header(root, 1, &st->header) == -1 ||
	    get_text(root, "version", 1, &st->version) == -1 ||
	    get_i64(root, "dbSize", &st->db_size) == -1 ||
	    get_i64(root, "dbSizeInUse", &st->db_size_in_use) == -1 ||
	    get_u64(root, "leader", &st->leader) == -1 ||
	    get_u64(root, "raftIndex", &st->raft_index) == -1 ||
	    get_u64(root, "raftTerm", &st->raft_term) == -1 ||
	    get_u64(root, "raftAppliedIndex", &st->raft_applied_index) == -1 ||
	    read_errors(root, st) == -1) {
		etcd_status_free(st);
		rc = ETCD_MALFORMED;
	}
	json_object_put(root);
	return rc;
}

/*
 * Reads the answer s[0..len) of /v3/auth/authenticate: the token, in
 * *token (the caller frees it) after ETCD_OK, else NULL. With
 * authentication off, etcd refuses (code 9, FAILED_PRECONDITION).
 * Returns ETCD_OK, ETCD_REFUSED or ETCD_MALFORMED.
 */
enum etcd_parsed
etcd_parse_auth(const char *s, size_t len, char **token,
    struct etcd_error *err)
{
	struct json_object	*root;
	struct etcd_header	 h;
	enum etcd_parsed	 rc;

	*token = NULL;
	if ((rc = begin(s, len, &root, err)) != ETCD_OK)
		return rc;
	if (read_header(root, 1, &h) == -1 ||
	    get_text(root, "token", 1, token) == -1 || **token == '\0') {
		free(*token);
		*token = NULL;
		rc = ETCD_MALFORMED;
	}
	json_object_put(root);
	return rc;
}
