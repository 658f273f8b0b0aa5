/*
 * test_params.c: request parameters (params.c): urlencoded parsing, JSON
 * bodies into parameters with the exact error messages, the JSON > query
 * > form precedence, unknown names, and seconds (params_seconds) with the
 * exact messages the client sees.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "params.h"
#include "tests.h"

#define MAX_TTL_MS	604800000LL

/* Parses s (NUL-terminated) as one source; returns the parser's answer. */
static int
parse(struct params *p, const char *s, enum param_source src, char *err,
    size_t errlen)
{
	err[0] = '\0';
	return params_parse_urlencoded(p, s, strlen(s), src, err, errlen);
}

static void
test_urlencoded_basic(void)
{
	struct params	 p;
	char		 err[128];

	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "ttl=30&name=a+b%41&&x=%7e&empty=&flag",
	    PARAM_QUERY, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL_FATAL(p.n, 5);
	CU_ASSERT_STRING_EQUAL(p.v[0].name, "ttl");
	CU_ASSERT_STRING_EQUAL(p.v[0].value, "30");
	CU_ASSERT_EQUAL(p.v[0].value_len, 2);
	CU_ASSERT_EQUAL(p.v[0].source, PARAM_QUERY);
	CU_ASSERT_EQUAL(p.v[0].type, PARAM_TEXT);
	CU_ASSERT_STRING_EQUAL(p.v[1].name, "name");
	CU_ASSERT_STRING_EQUAL(p.v[1].value, "a bA");
	CU_ASSERT_EQUAL(p.v[1].value_len, 4);
	CU_ASSERT_STRING_EQUAL(p.v[2].name, "x");
	CU_ASSERT_STRING_EQUAL(p.v[2].value, "~");
	CU_ASSERT_STRING_EQUAL(p.v[3].name, "empty");
	CU_ASSERT_STRING_EQUAL(p.v[3].value, "");
	CU_ASSERT_EQUAL(p.v[3].value_len, 0);
	CU_ASSERT_STRING_EQUAL(p.v[4].name, "flag");
	CU_ASSERT_STRING_EQUAL(p.v[4].value, "");
	CU_ASSERT_EQUAL(p.v[4].value_len, 0);
	params_free(&p);
	CU_ASSERT_EQUAL(p.n, 0);
	CU_ASSERT_PTR_NULL(p.v);
}

static void
test_urlencoded_edges(void)
{
	struct params	 p;
	char		 err[128];

	/* Nothing at all, and only separators. */
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "", PARAM_FORM, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(p.n, 0);
	CU_ASSERT_EQUAL(parse(&p, "&&&", PARAM_FORM, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(p.n, 0);
	/* "a" alone: a with an empty value. */
	CU_ASSERT_EQUAL(parse(&p, "a", PARAM_FORM, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(p.n, 1);
	CU_ASSERT_STRING_EQUAL(p.v[0].name, "a");
	CU_ASSERT_STRING_EQUAL(p.v[0].value, "");
	CU_ASSERT_EQUAL(p.v[0].source, PARAM_FORM);
	params_free(&p);

	/* An encoded name, '=' inside the value, %2B is a plus. */
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "t%74l=1=2&p=%2B", PARAM_QUERY, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(p.n, 2);
	CU_ASSERT_STRING_EQUAL(p.v[0].name, "ttl");
	CU_ASSERT_STRING_EQUAL(p.v[0].value, "1=2");
	CU_ASSERT_STRING_EQUAL(p.v[1].value, "+");
	params_free(&p);

	/* An encoded NUL stays in the value, with its true length. */
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "ttl=1%002", PARAM_QUERY, err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL_FATAL(p.n, 1);
	CU_ASSERT_EQUAL(p.v[0].value_len, 3);
	CU_ASSERT_EQUAL(memcmp(p.v[0].value, "1\0002", 4), 0);
	params_free(&p);
}

static void
test_urlencoded_no_name(void)
{
	struct params	 p;
	char		 err[128];

	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "=5", PARAM_QUERY, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err,
	    "invalid query string: a parameter without a name");
	params_free(&p);
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "a=1&=", PARAM_FORM, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err,
	    "invalid form body: a parameter without a name");
	params_free(&p);
}

static void
test_urlencoded_bad_percent(void)
{
	static const char *const bad[] = {
		"ttl=%", "ttl=%4", "ttl=%zz", "ttl=%4g", "ttl=5%", "%=1",
		"t%g1=1", "ttl=%%41"
	};
	struct params	 p;
	char		 err[128];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		params_init(&p);
		CU_ASSERT_EQUAL(parse(&p, bad[i], PARAM_QUERY, err,
		    sizeof(err)), -1);
		CU_ASSERT_STRING_EQUAL(err,
		    "invalid query string: bad percent-encoding");
		params_free(&p);
		params_init(&p);
		CU_ASSERT_EQUAL(parse(&p, bad[i], PARAM_FORM, err,
		    sizeof(err)), -1);
		CU_ASSERT_STRING_EQUAL(err,
		    "invalid form body: bad percent-encoding");
		params_free(&p);
	}
}

static void
test_urlencoded_duplicate(void)
{
	struct params	 p;
	char		 err[128];

	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "ttl=1&ttl=2", PARAM_QUERY, err,
	    sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "duplicate parameter: ttl");
	params_free(&p);

	/* Spelled differently, the same name once decoded. */
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "ttl=1&t%74l=1", PARAM_FORM, err,
	    sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "duplicate parameter: ttl");
	params_free(&p);

	/* The same name in two sources is not a duplicate. */
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "ttl=1", PARAM_QUERY, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(parse(&p, "ttl=2", PARAM_FORM, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(p.n, 2);
	CU_ASSERT_EQUAL(params_add(&p, "ttl", 3, "3", 1, PARAM_JSON,
	    PARAM_TEXT), 0);
	CU_ASSERT_EQUAL(params_add(&p, "ttl", 3, "4", 1, PARAM_JSON,
	    PARAM_TEXT), -2);
	CU_ASSERT_EQUAL(p.n, 3);
	params_free(&p);
}

/*
 * A request holds at most PARAMS_MAX parameters: tens of thousands of
 * names (a 1 MB form body) made the duplicate and unknown-name checks,
 * quadratic in the count, take seconds of CPU.
 */
static void
test_urlencoded_too_many(void)
{
	struct params	 p;
	char		 s[PARAMS_MAX * 8 + 16], err[128];
	size_t		 n = 0;
	int		 i;

	for (i = 0; i < PARAMS_MAX; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%sa%d=1",
		    i > 0 ? "&" : "", i);
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, s, PARAM_QUERY, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(p.n, PARAMS_MAX);
	/* One more, from any source, is refused. */
	CU_ASSERT_EQUAL(parse(&p, "b=1", PARAM_FORM, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "too many parameters (limit 64)");
	CU_ASSERT_EQUAL(params_add(&p, "c", 1, "1", 1, PARAM_JSON,
	    PARAM_TEXT), -3);
	CU_ASSERT_EQUAL(p.n, PARAMS_MAX);
	params_free(&p);

	snprintf(s + n, sizeof(s) - n, "&z=1");
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, s, PARAM_FORM, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "too many parameters (limit 64)");
	params_free(&p);
}

/*
 * A name with %00 in it was stored cut at the NUL: "ttl%00junk=5" passed
 * for ttl=5, and "ttl%00a=5&ttl%00b=7" for two ttls that were no
 * duplicate.
 */
static void
test_urlencoded_nul_name(void)
{
	static const char *const bad[] = {
		"ttl%00junk=5", "ttl%00a=5&ttl%00b=7", "%00=1", "%00ttl=1",
		"ttl%00",
	};
	struct params	 p;
	char		 err[128];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		params_init(&p);
		CU_ASSERT_EQUAL(parse(&p, bad[i], PARAM_QUERY, err,
		    sizeof(err)), -1);
		CU_ASSERT_STRING_EQUAL(err,
		    "invalid query string: a name holds a NUL character");
		CU_ASSERT_EQUAL(p.n, 0);
		params_free(&p);
	}
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "a%00=1", PARAM_FORM, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err,
	    "invalid form body: a name holds a NUL character");
	params_free(&p);
}

static void
test_get_precedence(void)
{
	struct params		 p;
	const struct param	*v;
	char			 err[128];

	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "ttl=form&f=1", PARAM_FORM, err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
	CU_ASSERT_STRING_EQUAL(v->value, "form");
	CU_ASSERT_EQUAL(v->source, PARAM_FORM);

	CU_ASSERT_EQUAL(parse(&p, "q=1&ttl=query", PARAM_QUERY, err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
	CU_ASSERT_STRING_EQUAL(v->value, "query");
	CU_ASSERT_EQUAL(v->source, PARAM_QUERY);

	CU_ASSERT_EQUAL(params_add(&p, "ttl", 3, "json", 4, PARAM_JSON,
	    PARAM_TEXT), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
	CU_ASSERT_STRING_EQUAL(v->value, "json");
	CU_ASSERT_EQUAL(v->source, PARAM_JSON);

	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "f"));
	CU_ASSERT_STRING_EQUAL(v->value, "1");
	CU_ASSERT_PTR_NULL(params_get(&p, "nope"));
	CU_ASSERT_PTR_NULL(params_get(&p, "tt"));
	CU_ASSERT_PTR_NULL(params_get(&p, "TTL"));
	params_free(&p);

	/* JSON wins even when added first. */
	params_init(&p);
	CU_ASSERT_EQUAL(params_add(&p, "ttl", 3, "json", 4, PARAM_JSON,
	    PARAM_TEXT), 0);
	CU_ASSERT_EQUAL(parse(&p, "ttl=query", PARAM_QUERY, err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
	CU_ASSERT_STRING_EQUAL(v->value, "json");
	params_free(&p);
}

static void
test_unknown(void)
{
	static const char *const known[] = { "ttl", NULL };
	static const char *const none[] = { NULL };
	struct params	 p;
	char		 err[128], out[64];

	params_init(&p);
	CU_ASSERT_EQUAL(params_unknown(&p, known, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(parse(&p, "a=1&ttl=2&b=3", PARAM_QUERY, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(parse(&p, "b=4&a=5&ttl=6&c", PARAM_FORM, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(params_unknown(&p, known, out, sizeof(out)), 3);
	CU_ASSERT_STRING_EQUAL(out, "a, b, c");
	CU_ASSERT_EQUAL(params_unknown(&p, none, out, sizeof(out)), 4);
	CU_ASSERT_STRING_EQUAL(out, "a, ttl, b, c");
	params_free(&p);

	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "ttl=1", PARAM_QUERY, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(params_unknown(&p, known, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	params_free(&p);

	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "a&b", PARAM_QUERY, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(params_unknown(&p, known, out, sizeof(out)), 2);
	CU_ASSERT_STRING_EQUAL(out, "a, b");
	params_free(&p);
}

/*
 * A name longer than the list's room was left out, and "Unknown
 * arguments: " named nothing: it is now cut and marked with "...".
 */
static void
test_unknown_long(void)
{
	static const char *const known[] = { "ttl", NULL };
	struct params	 p;
	char		 q[2100], err[128], out[16], big[200];

	memset(q, 'x', 2000);
	snprintf(q + 2000, sizeof(q) - 2000, "=1&b=2");
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, q, PARAM_QUERY, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(params_unknown(&p, known, out, sizeof(out)), 2);
	CU_ASSERT_STRING_EQUAL(out, "xxxxxxxxxxxx...");
	params_free(&p);

	/* A short one first, then the long one cut after it. */
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "ab=1", PARAM_FORM, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(parse(&p, q, PARAM_QUERY, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(params_unknown(&p, known, out, sizeof(out)), 3);
	CU_ASSERT_STRING_EQUAL(out, "ab, xxxxxxxx...");
	/* Exactly as long as fits is not cut. */
	CU_ASSERT_EQUAL(params_unknown(&p, known, big, sizeof(big)), 3);
	CU_ASSERT_EQUAL(strlen(big), sizeof(big) - 1);
	CU_ASSERT_EQUAL(strncmp(big, "ab, xxx", 7), 0);
	CU_ASSERT_STRING_EQUAL(big + sizeof(big) - 4, "...");
	params_free(&p);

	/* No room for a piece of the next name: "..." alone says there
	 * are more, over the end of the last name if need be. */
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "abcdefghij=1&klmnopq=1", PARAM_QUERY, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(params_unknown(&p, known, out, sizeof(out)), 2);
	CU_ASSERT_STRING_EQUAL(out, "abcdefghij...");
	params_free(&p);
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "abcdefghijkl=1&m=1", PARAM_QUERY, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(params_unknown(&p, known, out, sizeof(out)), 2);
	CU_ASSERT_STRING_EQUAL(out, "abcdefghijkl...");
	params_free(&p);
	params_init(&p);
	CU_ASSERT_EQUAL(parse(&p, "abcdefg=1&hijk=1&x=1", PARAM_QUERY, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(params_unknown(&p, known, out, sizeof(out)), 3);
	CU_ASSERT_STRING_EQUAL(out, "abcdefg, hij...");
	params_free(&p);
}

/* Parses body (NUL-terminated) as JSON into p; returns the parser's
 * answer. */
static int
json_parse(struct params *p, const char *body, char *err, size_t errlen)
{
	err[0] = '\0';
	return params_parse_json(body, strlen(body), p, err, errlen);
}

/*
 * Expects body to be refused with the message want: exactly, or when
 * prefix is set, a message that starts with want.
 */
static void
json_refused(const char *file, unsigned int line, const char *body,
    const char *want, int prefix)
{
	struct params	 p;
	char		 err[256];
	int		 rc, same;

	params_init(&p);
	rc = json_parse(&p, body, err, sizeof(err));
	same = prefix ? strncmp(err, want, strlen(want)) == 0 :
	    strcmp(err, want) == 0;
	test_assert(rc == -1 && same && p.n == 0, file, line,
	    "body '%s': rc %d, message \"%s\", %zu params; want -1, "
	    "\"%s%s\"", body, rc, err, p.n, want, prefix ? "..." : "");
	params_free(&p);
}

static void
json_check_refused(const char *file, unsigned int line, const char *body,
    const char *want)
{
	json_refused(file, line, body, want, 0);
}

static void
test_json_number(void)
{
	struct params		 p;
	const struct param	*v;
	char			 err[256], why[64];
	int64_t			 ms = 0;

	params_init(&p);
	CU_ASSERT_EQUAL(json_parse(&p, "{\"ttl\": 30}", err, sizeof(err)), 0);
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
test_json_string(void)
{
	struct params		 p;
	const struct param	*v;
	char			 err[256], why[64];
	int64_t			 ms = 0;

	params_init(&p);
	CU_ASSERT_EQUAL(json_parse(&p, "{\"ttl\": \"30\"}", err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
	CU_ASSERT_STRING_EQUAL(v->value, "30");
	CU_ASSERT_EQUAL(v->type, PARAM_TEXT);
	CU_ASSERT_EQUAL(params_seconds(v, MAX_TTL_MS, 0, &ms, why, sizeof(why)),
	    0);
	CU_ASSERT_EQUAL(ms, 30000);
	params_free(&p);

	/* A string with an escaped NUL keeps its length. */
	params_init(&p);
	CU_ASSERT_EQUAL(json_parse(&p, "{\"ttl\": \"3\\u00000\"}", err,
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
test_json_exponent(void)
{
	struct params		 p;
	const struct param	*v;
	char			 err[256], why[64];
	int64_t			 ms = 0;

	params_init(&p);
	CU_ASSERT_EQUAL(json_parse(&p, "{\"ttl\": 1e3}", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
	CU_ASSERT_STRING_EQUAL(v->value, "1e3");
	CU_ASSERT_EQUAL(v->type, PARAM_TEXT);
	CU_ASSERT_EQUAL(params_seconds(v, MAX_TTL_MS, 0, &ms, why, sizeof(why)),
	    0);
	CU_ASSERT_EQUAL(ms, 1000000);
	params_free(&p);

	params_init(&p);
	CU_ASSERT_EQUAL(json_parse(&p, "{\"ttl\": 0.50}", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
	CU_ASSERT_STRING_EQUAL(v->value, "0.50");
	CU_ASSERT_EQUAL(params_seconds(v, MAX_TTL_MS, 0, &ms, why, sizeof(why)),
	    0);
	CU_ASSERT_EQUAL(ms, 500);
	params_free(&p);

	params_init(&p);
	CU_ASSERT_EQUAL(json_parse(&p, "{\"ttl\": 1e400}", err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
	CU_ASSERT_EQUAL(params_seconds(v, MAX_TTL_MS, 0, &ms, why, sizeof(why)),
	    -1);
	CU_ASSERT_STRING_EQUAL(why, "must be a finite number");
	params_free(&p);
}

static void
test_json_other(void)
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
		CU_ASSERT_EQUAL(json_parse(&p, bodies[i], err, sizeof(err)), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&p, "ttl"));
		CU_ASSERT_EQUAL(v->type, PARAM_OTHER);
		CU_ASSERT_EQUAL(params_seconds(v, MAX_TTL_MS, 0, &ms, why,
		    sizeof(why)), -1);
		CU_ASSERT_STRING_EQUAL(why, "must be a number");
		params_free(&p);
	}
}

static void
test_json_members(void)
{
	struct params	 p;
	char		 err[256];

	params_init(&p);
	CU_ASSERT_EQUAL(json_parse(&p, " \r\n{}\t\n", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(p.n, 0);
	CU_ASSERT_EQUAL(json_parse(&p,
	    "{\"ttl\": \"5\", \"tll\": 1, \"x\": null}", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(p.n, 3);
	CU_ASSERT_STRING_EQUAL(p.v[0].name, "ttl");
	CU_ASSERT_STRING_EQUAL(p.v[1].name, "tll");
	CU_ASSERT_STRING_EQUAL(p.v[2].name, "x");
	params_free(&p);
}

static void
test_json_not_object(void)
{
	json_check_refused(TEST_HERE, "[1]", "JSON body must be an object");
	json_check_refused(TEST_HERE, "\"x\"", "JSON body must be an object");
	json_check_refused(TEST_HERE, "null", "JSON body must be an object");
	json_check_refused(TEST_HERE, "true", "JSON body must be an object");
	/* A bare number: json-c waits for more digits at the end of the
	 * input; the body is complete, so this is a number, not a cut. */
	json_check_refused(TEST_HERE, "3", "JSON body must be an object");
	json_check_refused(TEST_HERE, "3 ", "JSON body must be an object");
}

static void
test_json_errors(void)
{
	json_check_refused(TEST_HERE, "{", "invalid JSON body: unexpected end");
	json_check_refused(TEST_HERE, "{\"ttl\": ",
	    "invalid JSON body: unexpected end");
	json_check_refused(TEST_HERE, "{} x", "invalid JSON body: "
	    "unexpected data after the value");
	json_check_refused(TEST_HERE, "{}{}", "invalid JSON body: "
	    "unexpected data after the value");
}

/*
 * Member names are read from the text: json-c keeps only the last of two
 * equal names and cuts a name at \u0000, which let {"ttl": 1, "ttl": 2}
 * and {"ttl\u0000x": 5} through as a plain ttl.
 */
static void
test_json_names(void)
{
	struct params	 p;
	char		 err[256];

	json_check_refused(TEST_HERE, "{\"ttl\": 1, \"ttl\": 2}",
	    "duplicate parameter: ttl");
	json_check_refused(TEST_HERE, "{\"ttl\": 1, \"t\\u0074l\": 2}",
	    "duplicate parameter: ttl");
	json_check_refused(TEST_HERE, "{\"ttl\\u0000x\": 5}",
	    "invalid JSON body: a name holds a NUL character");
	json_check_refused(TEST_HERE, "{\"a\\u0000b\": 1, \"a\\u0000c\": 2}",
	    "invalid JSON body: a name holds a NUL character");

	/* Names inside nested values and ':' inside strings are not
	 * top-level names; escaped quotes stay in the name. */
	params_init(&p);
	CU_ASSERT_EQUAL(json_parse(&p, "{\"a\": {\"x\": 1, \"y\": {\"x\": 2}}, "
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
	CU_ASSERT_EQUAL(json_parse(&p, "{\"owner\": \"a\", \"owner\": \"b\"}",
	    err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "duplicate parameter: owner");
	CU_ASSERT_EQUAL(p.n, 1);
	params_free(&p);
}

/* A JSON body counts towards PARAMS_MAX like any other source. */
static void
test_json_too_many(void)
{
	char	 body[PARAMS_MAX * 12 + 16];
	size_t	 n = 0;
	int	 i;

	n += (size_t)snprintf(body + n, sizeof(body) - n, "{");
	for (i = 0; i <= PARAMS_MAX; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		    "%s\"a%d\": 1", i > 0 ? ", " : "", i);
	snprintf(body + n, sizeof(body) - n, "}");
	json_check_refused(TEST_HERE, body, "too many parameters (limit 64)");
}

/* Not JSON (RFC 8259): single quotes, a trailing comma. */
static void
test_json_strict(void)
{
	json_refused(TEST_HERE, "{\"a\": 1,}", "invalid JSON body: ", 1);
	json_refused(TEST_HERE, "{'ttl': 30}", "invalid JSON body: ", 1);
	json_refused(TEST_HERE, "{\"ttl\": '30'}", "invalid JSON body: ", 1);
}

static void
test_json_depth(void)
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
	CU_ASSERT_EQUAL(json_parse(&p, body, err, sizeof(err)), -1);
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
	CU_ASSERT_EQUAL(json_parse(&p, body, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(strncmp(err, "invalid JSON body", 17), 0);
	params_free(&p);

	/* Shallow nesting is fine. */
	params_init(&p);
	CU_ASSERT_EQUAL(json_parse(&p, "{\"a\": {\"b\": [1]}}", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(p.n, 1);
	params_free(&p);
}

/*
 * params_seconds on a text value; returns its answer, with the result in
 * *ms and the message in why.
 */
static int
seconds(const char *value, size_t len, enum param_type type, int64_t max,
    int64_t *ms, char *why, size_t whylen)
{
	struct params	 p;
	int		 rc;

	params_init(&p);
	*ms = -12345;
	why[0] = '\0';
	if (params_add(&p, "ttl", 3, value, len, PARAM_QUERY, type) != 0) {
		params_free(&p);
		return -99;
	}
	rc = params_seconds(&p.v[0], max, 0, ms, why, whylen);
	params_free(&p);
	return rc;
}

static void
check_ok(const char *file, unsigned int line, const char *value,
    int64_t want)
{
	char	 why[64];
	int64_t	 ms;
	int	 rc;

	rc = seconds(value, strlen(value), PARAM_TEXT, MAX_TTL_MS, &ms, why,
	    sizeof(why));
	test_assert(rc == 0 && ms == want, file, line,
	    "ttl \"%s\": rc %d, %lld ms, \"%s\"; want 0, %lld ms", value, rc,
	    (long long)ms, why, (long long)want);
}

static void
check_bad(const char *file, unsigned int line, const char *value,
    const char *want)
{
	char	 why[64];
	int64_t	 ms;
	int	 rc;

	rc = seconds(value, strlen(value), PARAM_TEXT, MAX_TTL_MS, &ms, why,
	    sizeof(why));
	test_assert(rc == -1 && strcmp(why, want) == 0 && ms == -12345, file,
	    line, "ttl \"%s\": rc %d, \"%s\"; want -1, \"%s\"", value, rc,
	    why, want);
}

static void
test_seconds_good(void)
{
	check_ok(TEST_HERE, "60", 60000);
	check_ok(TEST_HERE, "0.5", 500);
	check_ok(TEST_HERE, "1e3", 1000000);
	check_ok(TEST_HERE, " 30 ", 30000);
	check_ok(TEST_HERE, "\t30\t", 30000);
	check_ok(TEST_HERE, "0.0001", 1);
	check_ok(TEST_HERE, "0.0006", 1);
	check_ok(TEST_HERE, "1.2346", 1235);
	check_ok(TEST_HERE, "+5", 5000);
	check_ok(TEST_HERE, ".25", 250);
	check_ok(TEST_HERE, "2.", 2000);
	check_ok(TEST_HERE, "1E1", 10000);
	check_ok(TEST_HERE, "604800", 604800000);
}

static void
test_seconds_not_number(void)
{
	static const char *const bad[] = {
		"", " ", "abc", "nan", "NaN", "inf", "-inf", "infinity",
		"0x10", "1e", "e3", "1 2", "30s", "1,5", "--1", "+", ".",
		"1e3.5"
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_bad(TEST_HERE, bad[i], "must be a number");
}

static void
test_seconds_range(void)
{
	char	 why[64];
	int64_t	 ms;

	check_bad(TEST_HERE, "1e400", "must be a finite number");
	check_bad(TEST_HERE, "0", "must be greater than 0");
	check_bad(TEST_HERE, "-5", "must be greater than 0");
	check_bad(TEST_HERE, "-0", "must be greater than 0");
	check_bad(TEST_HERE, "0.0", "must be greater than 0");
	check_bad(TEST_HERE, "604800.001", "must be at most 604800");
	check_bad(TEST_HERE, "604801", "must be at most 604800");
	check_bad(TEST_HERE, "1e6", "must be at most 604800");

	/* Another maximum: 3600.5 s prints its fraction. */
	CU_ASSERT_EQUAL(seconds("3601", 4, PARAM_TEXT, 3600500, &ms, why,
	    sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "must be at most 3600.5");
	CU_ASSERT_EQUAL(seconds("3600.5", 6, PARAM_TEXT, 3600500, &ms, why,
	    sizeof(why)), 0);
	CU_ASSERT_EQUAL(ms, 3600500);
}

static void
test_seconds_other_and_nul(void)
{
	char	 why[64];
	int64_t	 ms;

	/* A JSON true, null, array or object. */
	CU_ASSERT_EQUAL(seconds("", 0, PARAM_OTHER, MAX_TTL_MS, &ms, why,
	    sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "must be a number");
	CU_ASSERT_EQUAL(seconds("30", 2, PARAM_OTHER, MAX_TTL_MS, &ms, why,
	    sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "must be a number");
	/* "30\0" "5": only "30" is visible to C string functions. */
	CU_ASSERT_EQUAL(seconds("30\0" "5", 4, PARAM_TEXT, MAX_TTL_MS, &ms,
	    why, sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "must be a number");
	CU_ASSERT_EQUAL(ms, -12345);
}

int
test_params_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "urlencoded: +, %XX, empty pieces", test_urlencoded_basic },
		{ "urlencoded: edge cases", test_urlencoded_edges },
		{ "urlencoded: empty name refused", test_urlencoded_no_name },
		{ "urlencoded: bad %-escapes refused",
		    test_urlencoded_bad_percent },
		{ "urlencoded: duplicates in one source refused",
		    test_urlencoded_duplicate },
		{ "urlencoded: at most PARAMS_MAX parameters",
		    test_urlencoded_too_many },
		{ "urlencoded: a name with %00 refused",
		    test_urlencoded_nul_name },
		{ "JSON: parse {\"ttl\": 30}", test_json_number },
		{ "JSON: parse {\"ttl\": \"30\"}", test_json_string },
		{ "JSON: parse numbers in their own spelling",
		    test_json_exponent },
		{ "JSON: parse true, null, arrays: PARAM_OTHER",
		    test_json_other },
		{ "JSON: parse members in order", test_json_members },
		{ "JSON: refuse a body that is not an object",
		    test_json_not_object },
		{ "JSON: refuse malformed JSON, exact messages",
		    test_json_errors },
		{ "JSON: refuse a name given twice or holding \\u0000",
		    test_json_names },
		{ "JSON: refuse more than PARAMS_MAX members",
		    test_json_too_many },
		{ "JSON: refuse what RFC 8259 does not allow",
		    test_json_strict },
		{ "JSON: refuse deep nesting", test_json_depth },
		{ "get: JSON > query > form", test_get_precedence },
		{ "unknown: in order, once each", test_unknown },
		{ "unknown: a name too long is cut, not dropped",
		    test_unknown_long },
		{ "seconds: good values", test_seconds_good },
		{ "seconds: not a number", test_seconds_not_number },
		{ "seconds: out of range", test_seconds_range },
		{ "seconds: non-text and embedded NUL",
		    test_seconds_other_and_nul },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite("params", NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
