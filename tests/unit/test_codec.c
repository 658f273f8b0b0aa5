/*
 * test_codec.c: the JSON writer (codec.c) printing like Python's
 * json.dumps, and compact: values, nesting, escapes. Reading JSON is
 * tested in test_params.c.
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
