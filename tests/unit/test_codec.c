/*
 * test_codec.c: the JSON writer (codec.c) printing like Python's
 * json.dumps, and compact: values, nesting, escapes, and each key+value
 * call (codec_put_*) with its exact output, first, between and last
 * among members. Reading JSON is tested in test_params.c.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "buf.h"
#include "codec.h"
#include "tests.h"

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

/* The key+value calls, each writing member "k" of an object. */
enum put_call {
	PUT_OBJECT,
	PUT_ARRAY,
	PUT_NULL,
	PUT_STRING,
	PUT_STR,
	PUT_BOOL,
	PUT_UINT,
	PUT_SECONDS
};

/* Writes member "k" with the call c; an object or array gets content. */
static void
put(struct codec_writer *w, enum put_call c)
{
	switch (c) {
	case PUT_OBJECT:
		codec_put_object(w, "k");
		codec_key(w, "x");
		codec_bool(w, 1);
		codec_end(w);
		break;
	case PUT_ARRAY:
		codec_put_array(w, "k");
		codec_uint(w, 1);
		codec_str(w, "y");
		codec_array_end(w);
		break;
	case PUT_NULL:
		codec_put_null(w, "k");
		break;
	case PUT_STRING:
		codec_put_string(w, "k", "a\"b\0c", 5);
		break;
	case PUT_STR:
		codec_put_str(w, "k", "a\\b");
		break;
	case PUT_BOOL:
		codec_put_bool(w, "k", 0);
		break;
	case PUT_UINT:
		codec_put_uint(w, "k", 18446744073709551615ULL);
		break;
	case PUT_SECONDS:
		codec_put_seconds(w, "k", 1700000000123LL);
		break;
	}
}

/*
 * Writes with the call c in an object of its own ({k}), first ({k, z}),
 * between ({a, k, z}) and last ({a, k}), spaced or compact; a and z are
 * written with codec_key and codec_uint. Each must print with value as
 * the value of k, and close every object and array it opened.
 */
static void
check_put(const char *file, unsigned int line, enum put_call c, int compact,
    const char *value)
{
	struct codec_writer	 w;
	struct buf		 b;
	const char		*a = compact ? "\"a\":0," : "\"a\": 0, ";
	const char		*z = compact ? ",\"z\":9" : ", \"z\": 9";
	char			 want[256];
	int			 shape, before, after;

	for (shape = 0; shape < 4; shape++) {
		before = shape >= 2;
		after = shape == 1 || shape == 2;
		buf_init(&b);
		codec_writer_init(&w, &b, compact);
		codec_begin(&w);
		if (before) {
			codec_key(&w, "a");
			codec_uint(&w, 0);
		}
		put(&w, c);
		if (after) {
			codec_key(&w, "z");
			codec_uint(&w, 9);
		}
		codec_end(&w);
		snprintf(want, sizeof(want), "{%s\"k\"%s%s%s}", before ? a : "",
		    compact ? ":" : ": ", value, after ? z : "");
		test_assert(strcmp(buf_str(&b), want) == 0 &&
		    !buf_failed(&b) && w.depth == 0, file, line,
		    "call %d, %s, shape %d: '%s', want '%s'", c,
		    compact ? "compact" : "spaced", shape, buf_str(&b), want);
		buf_free(&b);
	}
}

static void
test_put_calls(void)
{
	static const struct {
		enum put_call	 c;
		const char	*spaced;
		const char	*compact;
	} calls[] = {
		{ PUT_OBJECT, "{\"x\": true}", "{\"x\":true}" },
		{ PUT_ARRAY, "[1, \"y\"]", "[1,\"y\"]" },
		{ PUT_NULL, "null", "null" },
		{ PUT_STRING, "\"a\\\"b\\u0000c\"", "\"a\\\"b\\u0000c\"" },
		{ PUT_STR, "\"a\\\\b\"", "\"a\\\\b\"" },
		{ PUT_BOOL, "false", "false" },
		{ PUT_UINT, "18446744073709551615", "18446744073709551615" },
		{ PUT_SECONDS, "1700000000.123", "1700000000.123" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		check_put(TEST_HERE, calls[i].c, 0, calls[i].spaced);
		check_put(TEST_HERE, calls[i].c, 1, calls[i].compact);
	}
}

/* The answers' shape, written with the key+value calls only. */
static void
test_put_answer(void)
{
	struct codec_writer	 w;
	struct buf		 b;
	int			 compact;

	for (compact = 0; compact <= 1; compact++) {
		buf_init(&b);
		codec_writer_init(&w, &b, compact);
		codec_begin(&w);
		codec_put_bool(&w, "locked", 1);
		codec_put_str(&w, "message", "lock acquired");
		codec_put_object(&w, "lock");
		codec_put_str(&w, "id", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
		codec_put_seconds(&w, "timestamp", 1700000000000LL);
		codec_put_seconds(&w, "ttl", 30000);
		codec_put_seconds(&w, "expires", 1700000030500LL);
		codec_put_uint(&w, "fence", 7);
		codec_end(&w);
		codec_put_array(&w, "none");
		codec_array_end(&w);
		codec_put_null(&w, "n");
		codec_end(&w);
		CU_ASSERT_STRING_EQUAL(buf_str(&b), compact ?
		    "{\"locked\":true,\"message\":\"lock acquired\",\"lock\":"
		    "{\"id\":\"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\","
		    "\"timestamp\":1700000000.0,\"ttl\":30.0,"
		    "\"expires\":1700000030.5,\"fence\":7},\"none\":[],"
		    "\"n\":null}" :
		    "{\"locked\": true, \"message\": \"lock acquired\", "
		    "\"lock\": {\"id\": "
		    "\"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\", "
		    "\"timestamp\": 1700000000.0, \"ttl\": 30.0, "
		    "\"expires\": 1700000030.5, \"fence\": 7}, \"none\": [], "
		    "\"n\": null}");
		CU_ASSERT_EQUAL(w.depth, 0);
		buf_free(&b);
	}
}

int
test_codec_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "writer prints like json.dumps", test_writer_dumps },
		{ "writer compact mode", test_writer_compact },
		{ "writer escapes", test_writer_escapes },
		{ "each codec_put_* call, spaced and compact",
		    test_put_calls },
		{ "an answer written with codec_put_* calls",
		    test_put_answer },
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
