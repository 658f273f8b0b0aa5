/*
 * test_number.c: numbers in and out (number.c): seconds read with their
 * flags (blanks around, a plain zero) and each kind of error, bounded
 * whole numbers (bounds, overflow at 2^64, lengths that hold a NUL), hex
 * digits, and seconds written short, as answers and messages show them.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "number.h"
#include "tests.h"

#define MAX_TTL_MS	604800000LL
#define UNTOUCHED	(-12345)	/* an output a refusal must leave */

/* ------------------------------------------------------------------ */
/* Seconds in */

/*
 * number_seconds on s (NUL-terminated, or len bytes when len is not 0)
 * must answer want, and on NUMBER_OK give want_ms; a refusal leaves the
 * output alone.
 */
static void
seconds(const char *file, unsigned int line, const char *s, size_t len,
    int64_t max_ms, int flags, enum number_error want, int64_t want_ms)
{
	enum number_error	 rc;
	int64_t			 ms = UNTOUCHED;

	if (len == 0)
		len = strlen(s);
	rc = number_seconds(s, len, max_ms, flags, &ms);
	if (want != NUMBER_OK)
		want_ms = UNTOUCHED;
	test_assert(rc == want && ms == want_ms, file, line,
	    "\"%.*s\" (%zu bytes, max %lld ms, flags %#x): %d, %lld ms; want "
	    "%d, %lld ms", (int)len, s, len, (long long)max_ms, flags, rc,
	    (long long)ms, want, (long long)want_ms);
}

#define SECONDS(s, flags, want, want_ms) \
	seconds(TEST_HERE, (s), 0, MAX_TTL_MS, (flags), (want), (want_ms))

static void
test_seconds_values(void)
{
	SECONDS("60", 0, NUMBER_OK, 60000);
	SECONDS("0.5", 0, NUMBER_OK, 500);
	SECONDS("1e3", 0, NUMBER_OK, 1000000);
	SECONDS("1E1", 0, NUMBER_OK, 10000);
	SECONDS("+5", 0, NUMBER_OK, 5000);
	SECONDS(".25", 0, NUMBER_OK, 250);
	SECONDS("2.", 0, NUMBER_OK, 2000);
	SECONDS("007", 0, NUMBER_OK, 7000);
	SECONDS("604800", 0, NUMBER_OK, 604800000);
	/* Rounded to the millisecond, at least 1. */
	SECONDS("1.2346", 0, NUMBER_OK, 1235);
	SECONDS("1.2344", 0, NUMBER_OK, 1234);
	SECONDS("0.0006", 0, NUMBER_OK, 1);
	SECONDS("0.0001", 0, NUMBER_OK, 1);
	SECONDS("1e-300", 0, NUMBER_OK, 1);
	/* Below the smallest normal double strtod says ERANGE: still a tiny
	 * positive number; one that underflows to 0 is 0. */
	SECONDS("1e-310", 0, NUMBER_OK, 1);
	SECONDS("1e-400", 0, NUMBER_NOT_POSITIVE, 0);
	/* Another maximum, with a fraction: inclusive. */
	seconds(TEST_HERE, "3600.5", 0, 3600500, 0, NUMBER_OK, 3600500);
	seconds(TEST_HERE, "3600.501", 0, 3600500, 0, NUMBER_TOO_LARGE, 0);
}

static void
test_seconds_blanks(void)
{
	/* Without the flag a blank is no part of a number. */
	SECONDS(" 30", 0, NUMBER_NAN, 0);
	SECONDS("30 ", 0, NUMBER_NAN, 0);
	SECONDS("\t30", 0, NUMBER_NAN, 0);
	/* With it, blanks and tabs around are dropped, not inside. */
	SECONDS(" 30 ", NUMBER_BLANKS, NUMBER_OK, 30000);
	SECONDS("\t 30\t ", NUMBER_BLANKS, NUMBER_OK, 30000);
	SECONDS("30", NUMBER_BLANKS, NUMBER_OK, 30000);
	SECONDS("3 0", NUMBER_BLANKS, NUMBER_NAN, 0);
	SECONDS(" ", NUMBER_BLANKS, NUMBER_NAN, 0);
	SECONDS("\t\t", NUMBER_BLANKS, NUMBER_NAN, 0);
	/* Other white space is not a blank. */
	SECONDS("\n30", NUMBER_BLANKS, NUMBER_NAN, 0);
	SECONDS("30\r", NUMBER_BLANKS, NUMBER_NAN, 0);
	/* Blanks around what is too large are still too large. */
	SECONDS(" 604801 ", NUMBER_BLANKS, NUMBER_TOO_LARGE, 0);
}

static void
test_seconds_zero(void)
{
	static const char *const zeros[] = { "0", "0.0", "00", "0.", ".0",
	    "000.000" };
	size_t	 i;

	for (i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++) {
		SECONDS(zeros[i], NUMBER_ZERO, NUMBER_OK, 0);
		SECONDS(zeros[i], 0, NUMBER_NOT_POSITIVE, 0);
	}
	/* Only a plain zero: a sign or an exponent makes it no zero. */
	SECONDS("-0", NUMBER_ZERO, NUMBER_NOT_POSITIVE, 0);
	SECONDS("+0", NUMBER_ZERO, NUMBER_NOT_POSITIVE, 0);
	SECONDS("0e5", NUMBER_ZERO, NUMBER_NOT_POSITIVE, 0);
	SECONDS(".", NUMBER_ZERO, NUMBER_NAN, 0);
	SECONDS("", NUMBER_ZERO, NUMBER_NAN, 0);
	/* Both flags: blanks around a zero. */
	SECONDS(" 0 ", NUMBER_ZERO | NUMBER_BLANKS, NUMBER_OK, 0);
	SECONDS(" 0 ", NUMBER_ZERO, NUMBER_NAN, 0);
	/* A zero is allowed, not anything below 1 ms. */
	SECONDS("0.0004", NUMBER_ZERO, NUMBER_OK, 1);
}

static void
test_seconds_errors(void)
{
	static const char *const nan[] = {
		"", "abc", "nan", "NaN", "inf", "-inf", "infinity", "0x10",
		"1e", "e3", "1 2", "30s", "1,5", "--1", "+", ".", "1e3.5",
		"-", "1..2",
	};
	char	 longest[70];
	size_t	 i;

	for (i = 0; i < sizeof(nan) / sizeof(nan[0]); i++)
		SECONDS(nan[i], 0, NUMBER_NAN, 0);
	SECONDS("1e400", 0, NUMBER_INFINITE, 0);
	SECONDS("-1e400", 0, NUMBER_INFINITE, 0);
	SECONDS("0", 0, NUMBER_NOT_POSITIVE, 0);
	SECONDS("-5", 0, NUMBER_NOT_POSITIVE, 0);
	SECONDS("-0.5", 0, NUMBER_NOT_POSITIVE, 0);
	SECONDS("604800.001", 0, NUMBER_TOO_LARGE, 0);
	SECONDS("604801", 0, NUMBER_TOO_LARGE, 0);
	SECONDS("1e6", 0, NUMBER_TOO_LARGE, 0);
	/* A NUL inside, found by the length, whatever the flags. */
	seconds(TEST_HERE, "30\0" "5", 4, MAX_TTL_MS, 0, NUMBER_NAN, 0);
	seconds(TEST_HERE, "30\0", 3, MAX_TTL_MS, NUMBER_BLANKS, NUMBER_NAN,
	    0);
	seconds(TEST_HERE, "\0" "0", 2, MAX_TTL_MS, NUMBER_ZERO, NUMBER_NAN,
	    0);
	/* The length, not a NUL, ends the number. */
	seconds(TEST_HERE, "305", 2, MAX_TTL_MS, 0, NUMBER_OK, 30000);
	/* 63 characters are read, 64 are too many to be a number. */
	memset(longest, '0', sizeof(longest));
	longest[62] = '1';
	longest[63] = '\0';
	SECONDS(longest, 0, NUMBER_OK, 1000);
	longest[62] = '0';
	longest[63] = '1';
	longest[64] = '\0';
	SECONDS(longest, 0, NUMBER_NAN, 0);
}

/* ------------------------------------------------------------------ */
/* Whole numbers and hex digits */

/*
 * number_uint on len bytes of s from min to max must answer want (0 or
 * -1), and on 0 give want_v; a refusal leaves the output alone.
 */
static void
whole(const char *file, unsigned int line, const char *s, size_t len,
    uint64_t min, uint64_t max, int want, uint64_t want_v)
{
	uint64_t	 v = 77;
	int		 rc;

	rc = number_uint(s, len, min, max, &v);
	if (want != 0)
		want_v = 77;
	test_assert(rc == want && v == want_v, file, line,
	    "\"%.*s\" (%zu bytes) in [%llu, %llu]: %d, %llu; want %d, %llu",
	    (int)len, s, len, (unsigned long long)min,
	    (unsigned long long)max, rc, (unsigned long long)v, want,
	    (unsigned long long)want_v);
}

#define WHOLE(s, min, max, want, want_v) \
	whole(TEST_HERE, (s), strlen(s), (min), (max), (want), (want_v))

static void
test_uint_bounds(void)
{
	WHOLE("1", 1, 1000, 0, 1);
	WHOLE("1000", 1, 1000, 0, 1000);
	WHOLE("0", 1, 1000, -1, 0);
	WHOLE("1001", 1, 1000, -1, 0);
	WHOLE("0", 0, 0, 0, 0);
	WHOLE("007", 1, 1000, 0, 7);
	WHOLE("0000000000000000000000000000001", 1, 1, 0, 1);
	WHOLE("500", 500, 500, 0, 500);
	WHOLE("499", 500, 500, -1, 0);
	WHOLE("501", 500, 500, -1, 0);
}

static void
test_uint_overflow(void)
{
	/* 2^64 - 1 is the largest; 2^64 and beyond overflow. */
	WHOLE("18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX);
	WHOLE("18446744073709551616", 0, UINT64_MAX, -1, 0);
	WHOLE("18446744073709551620", 0, UINT64_MAX, -1, 0);
	WHOLE("99999999999999999999", 0, UINT64_MAX, -1, 0);
	WHOLE("184467440737095516150", 0, UINT64_MAX, -1, 0);
	/* An overflow that wraps to a small value is no small value. */
	WHOLE("18446744073709551617", 0, 1000, -1, 0);
	WHOLE("1844674407370955161", 0, UINT64_MAX, 0,
	    1844674407370955161ULL);
}

static void
test_uint_refused(void)
{
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1a", "a1", "1.5", "1e2", "0x3",
		"\xef\xbc\x91",	/* a fullwidth 1 */
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		WHOLE(bad[i], 0, UINT64_MAX, -1, 0);
	/* Empty by its length, even with digits after. */
	whole(TEST_HERE, "12", 0, 0, UINT64_MAX, -1, 0);
	/* A NUL inside, found by the length. */
	whole(TEST_HERE, "1\0" "2", 3, 0, UINT64_MAX, -1, 0);
	whole(TEST_HERE, "12\0", 3, 0, UINT64_MAX, -1, 0);
	whole(TEST_HERE, "\0" "12", 3, 0, UINT64_MAX, -1, 0);
	/* The length ends the number. */
	whole(TEST_HERE, "123", 2, 0, UINT64_MAX, 0, 12);
}

static void
test_hexval(void)
{
	static const char	 digits[] = "0123456789abcdef";
	const char		*p;
	int			 c, want, bad = 0;

	CU_ASSERT_EQUAL(number_hexval('0'), 0);
	CU_ASSERT_EQUAL(number_hexval('9'), 9);
	CU_ASSERT_EQUAL(number_hexval('a'), 10);
	CU_ASSERT_EQUAL(number_hexval('f'), 15);
	CU_ASSERT_EQUAL(number_hexval('A'), 10);
	CU_ASSERT_EQUAL(number_hexval('F'), 15);
	CU_ASSERT_EQUAL(number_hexval('g'), -1);
	CU_ASSERT_EQUAL(number_hexval('G'), -1);
	CU_ASSERT_EQUAL(number_hexval('/'), -1);
	CU_ASSERT_EQUAL(number_hexval(':'), -1);
	CU_ASSERT_EQUAL(number_hexval('@'), -1);
	CU_ASSERT_EQUAL(number_hexval('`'), -1);
	CU_ASSERT_EQUAL(number_hexval('\0'), -1);
	CU_ASSERT_EQUAL(number_hexval((char)0xc3), -1);
	/* Every byte, against the digits in either case. */
	for (c = 0; c < 256; c++) {
		p = c != 0 ? strchr(digits, c >= 'A' && c <= 'F' ?
		    c - 'A' + 'a' : c) : NULL;
		want = p != NULL ? (int)(p - digits) : -1;
		if (number_hexval((char)c) != want) {
			test_assert(0, TEST_HERE, "byte %#x: %d, want %d", c,
			    number_hexval((char)c), want);
			bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* ------------------------------------------------------------------ */
/* Seconds out */

/* number_format_seconds (max: number_format_max_seconds) of ms into a
 * buffer of len bytes must write want. */
static void
written(const char *file, unsigned int line, int max, int64_t ms,
    size_t len, const char *want)
{
	char	 out[32];

	memset(out, 'x', sizeof(out));
	if (max)
		number_format_max_seconds(ms, out, len);
	else
		number_format_seconds(ms, out, len);
	test_assert(strcmp(out, want) == 0, file, line,
	    "%s(%lld, %zu bytes): \"%.*s\", want \"%s\"",
	    max ? "format_max_seconds" : "format_seconds", (long long)ms, len,
	    (int)sizeof(out), out, want);
}

static void
check_seconds(const char *file, unsigned int line, int64_t ms,
    const char *want)
{
	written(file, line, 0, ms, 32, want);
}

static void
test_format_seconds(void)
{
	check_seconds(TEST_HERE, 60000, "60.0");
	check_seconds(TEST_HERE, 500, "0.5");
	check_seconds(TEST_HERE, 1, "0.001");
	check_seconds(TEST_HERE, 10, "0.01");
	check_seconds(TEST_HERE, 100, "0.1");
	check_seconds(TEST_HERE, 1700000000123LL, "1700000000.123");
	check_seconds(TEST_HERE, 1700000000120LL, "1700000000.12");
	check_seconds(TEST_HERE, 1700000000100LL, "1700000000.1");
	check_seconds(TEST_HERE, 1700000000000LL, "1700000000.0");
	check_seconds(TEST_HERE, 0, "0.0");
	check_seconds(TEST_HERE, 604800000, "604800.0");
	check_seconds(TEST_HERE, -1500, "-1.5");
	/* The extremes of the type. */
	check_seconds(TEST_HERE, INT64_MAX, "9223372036854775.807");
	check_seconds(TEST_HERE, INT64_MIN, "-9223372036854775.808");
	/* A short buffer: cut, and still a C string. */
	written(TEST_HERE, 0, 1700000000123LL, 5, "1700");
	written(TEST_HERE, 0, 60000, 1, "");
}

static void
test_format_max_seconds(void)
{
	written(TEST_HERE, 1, 604800000, 32, "604800");
	written(TEST_HERE, 1, 60000, 32, "60");
	written(TEST_HERE, 1, 1000, 32, "1");
	written(TEST_HERE, 1, 3600500, 32, "3600.5");
	written(TEST_HERE, 1, 1500, 32, "1.5");
	written(TEST_HERE, 1, 500, 32, "0.5");
	written(TEST_HERE, 1, 1, 32, "0.001");
	written(TEST_HERE, 1, 10, 32, "0.01");
	written(TEST_HERE, 1, 0, 32, "0");
	written(TEST_HERE, 1, 100000, 32, "100");
	written(TEST_HERE, 1, -2000, 32, "-2");
	/* Cut short, nothing to drop. */
	written(TEST_HERE, 1, 604800000, 4, "604");
}

int
test_number_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "seconds: values, rounding, the maximum",
		    test_seconds_values },
		{ "seconds: NUMBER_BLANKS", test_seconds_blanks },
		{ "seconds: NUMBER_ZERO", test_seconds_zero },
		{ "seconds: each error", test_seconds_errors },
		{ "uint: bounds", test_uint_bounds },
		{ "uint: overflow at 2^64", test_uint_overflow },
		{ "uint: empty, non-digits, a NUL inside", test_uint_refused },
		{ "hexval: every byte", test_hexval },
		{ "format_seconds", test_format_seconds },
		{ "format_max_seconds", test_format_max_seconds },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite("number", NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
