/*
 * test_ulid.c: LSS lock ids (ulid.c) and the randomness behind them
 * (random.c): 26 lowercase Crockford base32 characters, 48-bit big-endian
 * milliseconds then 80 random bits, known values worked out by hand, read
 * back in any case, every malformed spelling refused, ids that sort by
 * time, and no two alike over many draws.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "random.h"
#include "tests.h"
#include "ulid.h"

#define ALPHABET	"0123456789abcdefghjkmnpqrstvwxyz"
#define DRAWS		10000
#define MS_MAX		((1LL << 48) - 1)

/*
 * A known value. 1700000000123 ms is 0x018bcfe5687b; the random bytes are
 * 01 23 45 67 89 ab cd ef fe dc. The 128 bits, with 2 zero bits in front
 * (26 characters hold 130), cut into groups of 5 from the top:
 *   00000 00001 10001 01111 00111 11110 01010 11010 00011 11011  (time)
 *   00000 00100 10001 10100 01010 11001 11100 01001 10101 01111
 *   00110 11110 11111 11111 10110 11100                          (random)
 * that is 0 1 17 15 7 30 10 26 3 27 | 0 4 17 20 10 25 28 9 21 15 6 30 31
 * 31 22 28, in Crockford's alphabet (no i, l, o, u):
 */
#define KNOWN_MS	1700000000123LL
#define KNOWN_TEXT	"01hf7yat3v04hmasw9nf6yzzpw"
static const uint8_t known_rnd[10] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc
};
static const uint8_t known_id[16] = {
	0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc
};

/* Makes and formats an id from a time and 10 random bytes. */
static void
make_text(int64_t ms, const uint8_t rnd[10], char text[ULID_TEXT_LEN + 1])
{
	uint8_t	 id[16];

	ulid_make(ms, rnd, id);
	ulid_format(id, text);
}

/* Parses a NUL-terminated text; returns ulid_parse's answer. */
static int
parse(const char *s, uint8_t out[16])
{
	return ulid_parse(s, strlen(s), out);
}

/* Whether text is 26 characters of the lowercase alphabet, first <= '7'. */
static int
well_formed(const char *text)
{
	return strlen(text) == ULID_TEXT_LEN &&
	    strspn(text, ALPHABET) == ULID_TEXT_LEN &&
	    text[0] >= '0' && text[0] <= '7';
}

static void
test_make_layout(void)
{
	uint8_t	 id[16];

	memset(id, 0xaa, sizeof(id));
	ulid_make(KNOWN_MS, known_rnd, id);
	CU_ASSERT_EQUAL(memcmp(id, known_id, 16), 0);
	/* The time, big-endian, in the first 6 bytes. */
	CU_ASSERT_EQUAL(id[0], 0x01);
	CU_ASSERT_EQUAL(id[5], 0x7b);
	/* The random bytes as given, in the last 10. */
	CU_ASSERT_EQUAL(memcmp(id + 6, known_rnd, 10), 0);
}

static void
test_format_known(void)
{
	static const uint8_t	 zero[10];
	static const uint8_t	 one[10] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t	 top[10] = { 0x80 };
	uint8_t			 ones[10];
	char			 text[ULID_TEXT_LEN + 1];

	memset(ones, 0xff, sizeof(ones));
	memset(text, 'x', sizeof(text));
	make_text(KNOWN_MS, known_rnd, text);
	CU_ASSERT_STRING_EQUAL(text, KNOWN_TEXT);
	CU_ASSERT_EQUAL(text[ULID_TEXT_LEN], '\0');
	/* All zero. */
	make_text(0, zero, text);
	CU_ASSERT_STRING_EQUAL(text, "00000000000000000000000000");
	/* 1 ms: the last bit of the time is the last bit of character 10. */
	make_text(1, zero, text);
	CU_ASSERT_STRING_EQUAL(text, "00000000010000000000000000");
	/* 32 ms: one character up. */
	make_text(32, zero, text);
	CU_ASSERT_STRING_EQUAL(text, "00000000100000000000000000");
	/* The last random bit is the last bit of the last character. */
	make_text(0, one, text);
	CU_ASSERT_STRING_EQUAL(text, "00000000000000000000000001");
	/* The first random bit is the top bit (16, "g") of character 11. */
	make_text(0, top, text);
	CU_ASSERT_STRING_EQUAL(text, "0000000000g000000000000000");
	/* All ones: the 2 padding bits keep the first character at 7. */
	make_text(MS_MAX, ones, text);
	CU_ASSERT_STRING_EQUAL(text, "7zzzzzzzzzzzzzzzzzzzzzzzzz");
}

static void
test_format_random(void)
{
	uint8_t	 rnd[10], id[16], back[16];
	char	 text[ULID_TEXT_LEN + 1];
	int	 i, bad_form = 0, bad_trip = 0;
	int64_t	 ms;

	for (i = 0; i < DRAWS; i++) {
		CU_ASSERT_FATAL(random_bytes(rnd, sizeof(rnd)) == 0);
		CU_ASSERT_FATAL(random_bytes(&ms, sizeof(ms)) == 0);
		ms &= MS_MAX;
		ulid_make(ms, rnd, id);
		ulid_format(id, text);
		if (!well_formed(text)) {
			bad_form++;
			continue;
		}
		memset(back, 0, sizeof(back));
		if (parse(text, back) != 0 || memcmp(back, id, 16) != 0)
			bad_trip++;
	}
	test_assert(bad_form == 0, TEST_HERE,
	    "%d of %d ids not 26 lowercase Crockford characters", bad_form,
	    DRAWS);
	test_assert(bad_trip == 0, TEST_HERE,
	    "%d of %d ids did not parse back to the same bytes", bad_trip,
	    DRAWS);
}

static void
test_parse_known(void)
{
	uint8_t	 id[16], ones[16], zero[16];

	memset(ones, 0xff, sizeof(ones));
	memset(zero, 0, sizeof(zero));
	memset(id, 0, sizeof(id));
	CU_ASSERT_EQUAL(parse(KNOWN_TEXT, id), 0);
	CU_ASSERT_EQUAL(memcmp(id, known_id, 16), 0);
	CU_ASSERT_EQUAL(parse("7zzzzzzzzzzzzzzzzzzzzzzzzz", id), 0);
	CU_ASSERT_EQUAL(memcmp(id, ones, 16), 0);
	CU_ASSERT_EQUAL(parse("00000000000000000000000000", id), 0);
	CU_ASSERT_EQUAL(memcmp(id, zero, 16), 0);
}

static void
test_parse_case(void)
{
	uint8_t	 id[16];

	memset(id, 0, sizeof(id));
	CU_ASSERT_EQUAL(parse("01HF7YAT3V04HMASW9NF6YZZPW", id), 0);
	CU_ASSERT_EQUAL(memcmp(id, known_id, 16), 0);
	memset(id, 0, sizeof(id));
	CU_ASSERT_EQUAL(parse("01hF7yAt3V04hMaSw9Nf6YzZpW", id), 0);
	CU_ASSERT_EQUAL(memcmp(id, known_id, 16), 0);
	CU_ASSERT_EQUAL(parse("7ZZZZZZZZZZZZZZZZZZZZZZZZZ", id), 0);
}

static void
test_parse_first_char(void)
{
	static const char *const over[] = {
		"80000000000000000000000000",
		"90000000000000000000000000",
		"a0000000000000000000000000",
		"z0000000000000000000000000",
		"Z0000000000000000000000000",
		"8zzzzzzzzzzzzzzzzzzzzzzzzz",
	};
	uint8_t	 id[16];
	char	 s[ULID_TEXT_LEN + 1];
	size_t	 i;
	int	 c;

	for (i = 0; i < sizeof(over) / sizeof(over[0]); i++)
		test_assert(parse(over[i], id) == -1, TEST_HERE,
		    "%s (above 128 bits) accepted", over[i]);
	/* 0 to 7 are fine in front. */
	for (c = '0'; c <= '7'; c++) {
		snprintf(s, sizeof(s), "%c0000000000000000000000000", c);
		test_assert(parse(s, id) == 0 && id[0] == (uint8_t)((c - '0')
		    << 5), TEST_HERE, "%s refused or misread", s);
	}
}

static void
test_parse_length(void)
{
	uint8_t	 id[16];

	CU_ASSERT_EQUAL(parse("01hf7yat3v04hmasw9nf6yzzp", id), -1);
	CU_ASSERT_EQUAL(parse("01hf7yat3v04hmasw9nf6yzzpw0", id), -1);
	CU_ASSERT_EQUAL(parse("", id), -1);
	CU_ASSERT_EQUAL(parse("0", id), -1);
	/* The right text with a wrong length given. */
	CU_ASSERT_EQUAL(ulid_parse(KNOWN_TEXT, 25, id), -1);
	CU_ASSERT_EQUAL(ulid_parse(KNOWN_TEXT "0", 27, id), -1);
	CU_ASSERT_EQUAL(ulid_parse(KNOWN_TEXT, 0, id), -1);
}

static void
test_parse_letters(void)
{
	/* Not in Crockford's alphabet: I, L, O, U (either case). */
	static const char	 refused[] = "iIlLoOuU";
	/* Nor anything that is not a letter or digit. */
	static const char	 others[] = "-_ .+/=!~*\t";
	char			 s[ULID_TEXT_LEN + 1];
	uint8_t			 id[16];
	size_t			 i;

	for (i = 0; refused[i] != '\0'; i++) {
		strcpy(s, KNOWN_TEXT);
		s[12] = refused[i];
		test_assert(parse(s, id) == -1, TEST_HERE, "'%c' accepted in %s",
		    refused[i], s);
		strcpy(s, KNOWN_TEXT);
		s[25] = refused[i];
		test_assert(parse(s, id) == -1, TEST_HERE, "'%c' accepted in %s",
		    refused[i], s);
	}
	for (i = 0; others[i] != '\0'; i++) {
		strcpy(s, KNOWN_TEXT);
		s[5] = others[i];
		test_assert(parse(s, id) == -1, TEST_HERE,
		    "'%c' accepted in %s", others[i], s);
	}
	/* A byte above 0x7f, and a NUL inside the 26 characters. */
	strcpy(s, KNOWN_TEXT);
	s[7] = (char)0xc3;
	CU_ASSERT_EQUAL(parse(s, id), -1);
	strcpy(s, KNOWN_TEXT);
	s[7] = '\0';
	CU_ASSERT_EQUAL(ulid_parse(s, ULID_TEXT_LEN, id), -1);
}

static int
compare_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_time_order(void)
{
	/* Increasing times, each with random bytes that would sort the other
	 * way round if they came first. */
	static const int64_t	 times[] = {
		0, 1, 2, 31, 32, 33, 1000, 65535, 65536, 4294967295LL,
		4294967296LL, 1700000000000LL, 1700000000001LL,
		KNOWN_MS, 1800000000000LL, MS_MAX - 1, MS_MAX
	};
	uint8_t	 hi[10], lo[10], rnd[10];
	char	 a[ULID_TEXT_LEN + 1], b[ULID_TEXT_LEN + 1];
	size_t	 i;
	int	 n, bad = 0;
	int64_t	 ms;

	memset(hi, 0xff, sizeof(hi));
	memset(lo, 0, sizeof(lo));
	for (i = 0; i + 1 < sizeof(times) / sizeof(times[0]); i++) {
		make_text(times[i], hi, a);
		make_text(times[i + 1], lo, b);
		test_assert(strcmp(a, b) < 0, TEST_HERE,
		    "%lld ms gives %s, not before %lld ms's %s",
		    (long long)times[i], a, (long long)times[i + 1], b);
	}
	/* A run of consecutive milliseconds with random bytes. */
	ms = 1700000000000LL;
	CU_ASSERT_FATAL(random_bytes(rnd, sizeof(rnd)) == 0);
	make_text(ms, rnd, a);
	for (n = 1; n <= 2000; n++) {
		CU_ASSERT_FATAL(random_bytes(rnd, sizeof(rnd)) == 0);
		make_text(ms + n, rnd, b);
		if (strcmp(a, b) >= 0)
			bad++;
		memcpy(a, b, sizeof(a));
	}
	test_assert(bad == 0, TEST_HERE,
	    "%d of 2000 ids made 1 ms later did not sort after", bad);
}

static void
test_unique(void)
{
	char	(*texts)[ULID_TEXT_LEN + 1];
	uint8_t	 rnd[10];
	int	 i, same = 0;

	texts = calloc(DRAWS, sizeof(*texts));
	CU_ASSERT_FATAL(texts != NULL);
	/* All in the same millisecond: only the random part tells them apart. */
	for (i = 0; i < DRAWS; i++) {
		if (random_bytes(rnd, sizeof(rnd)) != 0) {
			CU_FAIL("random_bytes failed");
			free(texts);
			return;
		}
		make_text(KNOWN_MS, rnd, texts[i]);
	}
	qsort(texts, DRAWS, sizeof(*texts), compare_text);
	for (i = 1; i < DRAWS; i++)
		if (strcmp(texts[i - 1], texts[i]) == 0)
			same++;
	test_assert(same == 0, TEST_HERE, "%d duplicates among %d ids", same,
	    DRAWS);
	free(texts);
}

static void
test_random_bytes(void)
{
	uint8_t	 a[64], b[64], zero[64], big[4096];
	size_t	 i;
	int	 seen_hi = 0, seen_lo = 0;

	memset(zero, 0, sizeof(zero));
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CU_ASSERT_EQUAL(random_bytes(a, sizeof(a)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a, zero, sizeof(a)), 0);
	CU_ASSERT_EQUAL(random_bytes(b, sizeof(b)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(b, zero, sizeof(b)), 0);
	/* Two draws of 512 bits are never alike. */
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	/* Nothing to draw is fine and touches nothing. */
	CU_ASSERT_EQUAL(random_bytes(a, 0), 0);
	/* More than getrandom promises in one call (256 bytes): every part
	 * filled, the end too. */
	memset(big, 0, sizeof(big));
	CU_ASSERT_EQUAL(random_bytes(big, sizeof(big)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(big + sizeof(big) - 64, zero, 64), 0);
	for (i = 0; i < sizeof(big); i++) {
		seen_hi |= big[i] >= 0x80;
		seen_lo |= big[i] < 0x80;
	}
	CU_ASSERT(seen_hi && seen_lo);
}

int
test_ulid_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "make: time big-endian, then the random bytes",
		    test_make_layout },
		{ "format: known values worked out by hand", test_format_known },
		{ "format: 26 lowercase Crockford characters, parse back",
		    test_format_random },
		{ "parse: known values", test_parse_known },
		{ "parse: upper and mixed case", test_parse_case },
		{ "parse: refuse a first character above 7",
		    test_parse_first_char },
		{ "parse: refuse wrong lengths", test_parse_length },
		{ "parse: refuse i, l, o, u and other characters",
		    test_parse_letters },
		{ "ids made later sort later", test_time_order },
		{ "10000 ids in one millisecond are all different",
		    test_unique },
		{ "random_bytes fills", test_random_bytes },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite("ulid", NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
