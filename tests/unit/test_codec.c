/*
 * test_codec.c: JSON in and out (codec.c): request bodies into parameters
 * with the exact error messages, and the writer printing like Python's
 * json.dumps.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "buf.h"
#include "codec.h"
#include "number.h"
#include "params.h"
#include "tests.h"

#define MAX_TTL_MS	604800000LL

/* Parses body (NUL-terminated) into p; returns the codec's answer. */
static int
parse(struct params *p, const char *body, char *err, size_t errlen)
{
	err[0] = '\0';
	return params_parse_json(body, strlen(body), p, err, errlen);
}

/*
 * Expects body to be refused with the message want: exactly, or when
 * prefix is set, a message that starts with want.
 */
static void
refused(const char *file, unsigned int line, const char *body,
    const char *want, int prefix)
{
	struct params	 p;
	char		 err[256];
	int		 rc, same;

	params_init(&p);
	rc = parse(&p, body, err, sizeof(err));
	same = prefix ? strncmp(err, want, strlen(want)) == 0 :
	    strcmp(err, want) == 0;
	test_assert(rc == -1 && same && p.n == 0, file, line,
	    "body '%s': rc %d, message \"%s\", %zu params; want -1, "
	    "\"%s%s\"", body, rc, err, p.n, want, prefix ? "..." : "");
	params_free(&p);
}

static void
check_refused(const char *file, unsigned int line, const char *body,
    const char *want)
{
	refused(file, line, body, want, 0);
}

static void
test_parse_number(void)
{
	struct params		 p;
	const struct param	*v;
	char			 err[256], why[64];
	int64_t			 ms = 0;

	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "{\"ttl\": 30}", err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL_FATAL(p.n, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
	CU_ASSERT_STRING_EQUAL(v->value, "30");
	CU_ASSERT_EQUAL(v->value_len, 2);
	CU_ASSERT_EQUAL(v->source, PARAM_JSON);
	CU_ASSERT_EQUAL(v->type, PARAM_TEXT);
	CU_ASSERT_EQUAL(params_seconds(v, MAX_TTL_MS, 0, &ms, why, sizeof(why)),
	    0);
	CU_ASSERT_EQUAL(ms, 30000);
	params_free(&p);
}

static void
test_parse_string(void)
{
	struct params		 p;
	const struct param	*v;
	char			 err[256], why[64];
	int64_t			 ms = 0;

	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "{\"ttl\": \"30\"}", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
	CU_ASSERT_STRING_EQUAL(v->value, "30");
	CU_ASSERT_EQUAL(v->type, PARAM_TEXT);
	CU_ASSERT_EQUAL(params_seconds(v, MAX_TTL_MS, 0, &ms, why, sizeof(why)),
	    0);
	CU_ASSERT_EQUAL(ms, 30000);
	params_free(&p);

	/* A string with an escaped NUL keeps its length. */
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "{\"ttl\": \"3\\u00000\"}", err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
	CU_ASSERT_EQUAL(v->value_len, 3);
	CU_ASSERT_EQUAL(params_seconds(v, MAX_TTL_MS, 0, &ms, why, sizeof(why)),
	    -1);
	CU_ASSERT_STRING_EQUAL(why, "must be a number");
	params_free(&p);
}

/* json-c keeps a double's own spelling: 1e3 stays "1e3". */
static void
test_parse_exponent(void)
{
	struct params		 p;
	const struct param	*v;
	char			 err[256], why[64];
	int64_t			 ms = 0;

	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "{\"ttl\": 1e3}", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
	CU_ASSERT_STRING_EQUAL(v->value, "1e3");
	CU_ASSERT_EQUAL(v->type, PARAM_TEXT);
	CU_ASSERT_EQUAL(params_seconds(v, MAX_TTL_MS, 0, &ms, why, sizeof(why)),
	    0);
	CU_ASSERT_EQUAL(ms, 1000000);
	params_free(&p);

	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "{\"ttl\": 0.50}", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
	CU_ASSERT_STRING_EQUAL(v->value, "0.50");
	CU_ASSERT_EQUAL(params_seconds(v, MAX_TTL_MS, 0, &ms, why, sizeof(why)),
	    0);
	CU_ASSERT_EQUAL(ms, 500);
	params_free(&p);

	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "{\"ttl\": 1e400}", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
	CU_ASSERT_EQUAL(params_seconds(v, MAX_TTL_MS, 0, &ms, why, sizeof(why)),
	    -1);
	CU_ASSERT_STRING_EQUAL(why, "must be a finite number");
	params_free(&p);
}

static void
test_parse_other(void)
{
	static const char *const bodies[] = {
		"{\"ttl\": true}", "{\"ttl\": false}", "{\"ttl\": null}",
		"{\"ttl\": [1]}", "{\"ttl\": {\"s\": 1}}"
	};
	struct params		 p;
	const struct param	*v;
	char			 err[256], why[64];
	int64_t			 ms = 0;
	size_t			 i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		params_init(&p);
		CU_ASSERT_EQUAL(parse(&p, bodies[i], err, sizeof(err)), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
		CU_ASSERT_EQUAL(v->type, PARAM_OTHER);
		CU_ASSERT_EQUAL(params_seconds(v, MAX_TTL_MS, 0, &ms, why,
		    sizeof(why)), -1);
		CU_ASSERT_STRING_EQUAL(why, "must be a number");
		params_free(&p);
	}
}

static void
test_parse_members(void)
{
	struct params	 p;
	char		 err[256];

	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, " \r\n{}\t\n", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(p.n, 0);
	CU_ASSERT_EQUAL(parse(&p, "{\"ttl\": \"5\", \"tll\": 1, \"x\": null}",
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(p.n, 3);
	CU_ASSERT_STRING_EQUAL(p.v[0].name, "ttl");
	CU_ASSERT_STRING_EQUAL(p.v[1].name, "tll");
	CU_ASSERT_STRING_EQUAL(p.v[2].name, "x");
	params_free(&p);
}

static void
test_parse_not_object(void)
{
	check_refused(TEST_HERE, "[1]", "JSON body must be an object");
	check_refused(TEST_HERE, "\"x\"", "JSON body must be an object");
	check_refused(TEST_HERE, "null", "JSON body must be an object");
	check_refused(TEST_HERE, "true", "JSON body must be an object");
	/* A bare number: json-c waits for more digits at the end of the
	 * input; the body is complete, so this is a number, not a cut. */
	check_refused(TEST_HERE, "3", "JSON body must be an object");
	check_refused(TEST_HERE, "3 ", "JSON body must be an object");
}

static void
test_parse_errors(void)
{
	check_refused(TEST_HERE, "{", "invalid JSON body: unexpected end");
	check_refused(TEST_HERE, "{\"ttl\": ", "invalid JSON body: unexpected end");
	check_refused(TEST_HERE, "{} x", "invalid JSON body: "
	    "unexpected data after the value");
	check_refused(TEST_HERE, "{}{}", "invalid JSON body: "
	    "unexpected data after the value");
}

/*
 * Member names are read from the text: json-c keeps only the last of two
 * equal names and cuts a name at \u0000, which let {"ttl": 1, "ttl": 2}
 * and {"ttl\u0000x": 5} through as a plain ttl.
 */
static void
test_parse_names(void)
{
	struct params	 p;
	char		 err[256];

	check_refused(TEST_HERE, "{\"ttl\": 1, \"ttl\": 2}",
	    "duplicate parameter: ttl");
	check_refused(TEST_HERE, "{\"ttl\": 1, \"t\\u0074l\": 2}",
	    "duplicate parameter: ttl");
	check_refused(TEST_HERE, "{\"ttl\\u0000x\": 5}",
	    "invalid JSON body: a name holds a NUL character");
	check_refused(TEST_HERE, "{\"a\\u0000b\": 1, \"a\\u0000c\": 2}",
	    "invalid JSON body: a name holds a NUL character");

	/* Names inside nested values and ':' inside strings are not
	 * top-level names; escaped quotes stay in the name. */
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "{\"a\": {\"x\": 1, \"y\": {\"x\": 2}}, "
	    "\"b\": [{\"a\": 1}, \"a\"], \"c\": \"d\\\":e\", "
	    "\"t\\\"l\" : 1}", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(p.n, 4);
	CU_ASSERT_STRING_EQUAL(p.v[0].name, "a");
	CU_ASSERT_STRING_EQUAL(p.v[1].name, "b");
	CU_ASSERT_STRING_EQUAL(p.v[2].name, "c");
	CU_ASSERT_STRING_EQUAL(p.v[2].value, "d\":e");
	CU_ASSERT_STRING_EQUAL(p.v[3].name, "t\"l");
	params_free(&p);

	/* A refused body leaves what other sources gave. */
	params_init(&p);
	CU_ASSERT_EQUAL(params_add(&p, "ttl", 3, "3", 1, PARAM_QUERY,
	    PARAM_TEXT), 0);
	CU_ASSERT_EQUAL(parse(&p, "{\"owner\": \"a\", \"owner\": \"b\"}", err,
	    sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "duplicate parameter: owner");
	CU_ASSERT_EQUAL(p.n, 1);
	params_free(&p);
}

/* A JSON body counts towards PARAMS_MAX like any other source. */
static void
test_parse_too_many(void)
{
	char	 body[PARAMS_MAX * 12 + 16];
	size_t	 n = 0;
	int	 i;

	n += (size_t)snprintf(body + n, sizeof(body) - n, "{");
	for (i = 0; i <= PARAMS_MAX; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "%s\"a%d\": 1",
		    i > 0 ? ", " : "", i);
	snprintf(body + n, sizeof(body) - n, "}");
	check_refused(TEST_HERE, body, "too many parameters (limit 64)");
}

/* Not JSON (RFC 8259): single quotes, a trailing comma. */
static void
test_parse_strict(void)
{
	refused(TEST_HERE, "{\"a\": 1,}", "invalid JSON body: ", 1);
	refused(TEST_HERE, "{'ttl': 30}", "invalid JSON body: ", 1);
	refused(TEST_HERE, "{\"ttl\": '30'}", "invalid JSON body: ", 1);
}

static void
test_parse_depth(void)
{
	struct params	 p;
	char		 body[256], err[256];
	size_t		 i, n = 0;

	/* {"a": {"a": ... 20 deep ... 1}} */
	for (i = 0; i < 20; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "{\"a\":");
	body[n++] = '1';
	for (i = 0; i < 20; i++)
		body[n++] = '}';
	body[n] = '\0';
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, body, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(strncmp(err, "invalid JSON body", 17), 0);
	CU_ASSERT_EQUAL(p.n, 0);
	params_free(&p);

	/* The same for arrays. */
	n = 0;
	for (i = 0; i < 20; i++)
		body[n++] = '[';
	for (i = 0; i < 20; i++)
		body[n++] = ']';
	body[n] = '\0';
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, body, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(strncmp(err, "invalid JSON body", 17), 0);
	params_free(&p);

	/* Shallow nesting is fine. */
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "{\"a\": {\"b\": [1]}}", err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL(p.n, 1);
	params_free(&p);
}

static void
test_writer_dumps(void)
{
	struct codec_writer	 w;
	struct buf		 b;

	buf_init(&b);
	codec_writer_init(&w, &b, 0);
	codec_begin(&w);
	codec_key(&w, "a");
	codec_bool(&w, 1);
	codec_key(&w, "b");
	codec_str(&w, "x");
	codec_key(&w, "c");
	codec_seconds(&w, 1500);
	codec_key(&w, "d");
	codec_begin(&w);
	codec_key(&w, "e");
	codec_uint(&w, 7);
	codec_end(&w);
	codec_end(&w);
	CU_ASSERT_STRING_EQUAL(buf_str(&b),
	    "{\"a\": true, \"b\": \"x\", \"c\": 1.5, \"d\": {\"e\": 7}}");
	CU_ASSERT_EQUAL(buf_failed(&b), 0);
	buf_free(&b);

	/* Empty objects, false, and a nested object in the middle. */
	buf_init(&b);
	codec_writer_init(&w, &b, 0);
	codec_begin(&w);
	codec_key(&w, "f");
	codec_bool(&w, 0);
	codec_key(&w, "o");
	codec_begin(&w);
	codec_end(&w);
	codec_key(&w, "n");
	codec_uint(&w, 18446744073709551615ULL);
	codec_end(&w);
	CU_ASSERT_STRING_EQUAL(buf_str(&b),
	    "{\"f\": false, \"o\": {}, \"n\": 18446744073709551615}");
	buf_free(&b);
}

static void
test_writer_compact(void)
{
	struct codec_writer	 w;
	struct buf		 b;

	buf_init(&b);
	codec_writer_init(&w, &b, 1);
	codec_begin(&w);
	codec_key(&w, "a");
	codec_str(&w, "b");
	codec_key(&w, "c");
	codec_str(&w, "d");
	codec_end(&w);
	CU_ASSERT_STRING_EQUAL(buf_str(&b), "{\"a\":\"b\",\"c\":\"d\"}");
	buf_free(&b);
}

static void
test_writer_escapes(void)
{
	struct codec_writer	 w;
	struct buf		 b;

	buf_init(&b);
	codec_writer_init(&w, &b, 0);
	codec_begin(&w);
	codec_key(&w, "k\"");
	codec_string(&w, "q\"b\\n\nc\001d\tz\x7f" "e\xc3\xa9" "f\0g", 18);
	codec_end(&w);
	CU_ASSERT_STRING_EQUAL(buf_str(&b),
	    "{\"k\\\"\": \"q\\\"b\\\\n\\nc\\u0001d\\tz\\u007fe"
	    "\\ufffd\\ufffdf\\u0000g\"}");
	buf_free(&b);
}

static void
check_seconds(int64_t ms, const char *want)
{
	char	 out[32];

	memset(out, 'x', sizeof(out));
	number_format_seconds(ms, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, want);
}

static void
test_format_seconds(void)
{
	check_seconds(60000, "60.0");
	check_seconds(500, "0.5");
	check_seconds(1, "0.001");
	check_seconds(10, "0.01");
	check_seconds(100, "0.1");
	check_seconds(1700000000123LL, "1700000000.123");
	check_seconds(1700000000120LL, "1700000000.12");
	check_seconds(1700000000100LL, "1700000000.1");
	check_seconds(1700000000000LL, "1700000000.0");
	check_seconds(0, "0.0");
	check_seconds(604800000, "604800.0");
	check_seconds(-1500, "-1.5");
}

int
test_codec_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "parse {\"ttl\": 30}", test_parse_number },
		{ "parse {\"ttl\": \"30\"}", test_parse_string },
		{ "parse numbers in their own spelling", test_parse_exponent },
		{ "parse true, null, arrays: PARAM_OTHER", test_parse_other },
		{ "parse members in order", test_parse_members },
		{ "refuse a body that is not an object",
		    test_parse_not_object },
		{ "refuse malformed JSON, exact messages", test_parse_errors },
		{ "refuse a name given twice or holding \\u0000",
		    test_parse_names },
		{ "refuse more than PARAMS_MAX members", test_parse_too_many },
		{ "refuse what RFC 8259 does not allow", test_parse_strict },
		{ "refuse deep nesting", test_parse_depth },
		{ "writer prints like json.dumps", test_writer_dumps },
		{ "writer compact mode", test_writer_compact },
		{ "writer escapes", test_writer_escapes },
		{ "format_seconds", test_format_seconds },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite("codec", NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
