/*
 * test_uuid.c: lock ids (uuid.c): any case in, lowercase out, every
 * malformed spelling refused, and version 4 ids (the generated LSS keys)
 * made of random bytes: version and variant set, every other bit as
 * drawn, none twice.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "random.h"
#include "tests.h"
#include "uuid.h"

#define LOWER	"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
#define UPPER	"0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0"
#define MIXED	"0f1E2d3C-4b5A-6978-8796-A5b4c3D2e1F0"
#define DRAWS	10000	/* random ids drawn */

static const uint8_t want[16] = {
	0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
	0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0
};

/* Parses a NUL-terminated text; returns uuid_parse's answer. */
static int
parse(const char *s, uint8_t out[16])
{
	return uuid_parse(s, strlen(s), out);
}

static void
test_parse_cases(void)
{
	uint8_t	 id[16];

	memset(id, 0, sizeof(id));
	CU_ASSERT_EQUAL(parse(LOWER, id), 0);
	CU_ASSERT_EQUAL(memcmp(id, want, 16), 0);
	memset(id, 0, sizeof(id));
	CU_ASSERT_EQUAL(parse(UPPER, id), 0);
	CU_ASSERT_EQUAL(memcmp(id, want, 16), 0);
	memset(id, 0, sizeof(id));
	CU_ASSERT_EQUAL(parse(MIXED, id), 0);
	CU_ASSERT_EQUAL(memcmp(id, want, 16), 0);
}

static void
test_parse_extremes(void)
{
	uint8_t	 id[16], zero[16], ones[16];

	memset(zero, 0, sizeof(zero));
	memset(ones, 0xff, sizeof(ones));
	CU_ASSERT_EQUAL(parse("00000000-0000-0000-0000-000000000000", id), 0);
	CU_ASSERT_EQUAL(memcmp(id, zero, 16), 0);
	CU_ASSERT_EQUAL(parse("ffffffff-FFFF-ffff-FFFF-ffffffffffff", id), 0);
	CU_ASSERT_EQUAL(memcmp(id, ones, 16), 0);
}

static void
test_format(void)
{
	char	 text[UUID_TEXT_LEN + 1];
	uint8_t	 id[16];

	memset(text, 'x', sizeof(text));
	uuid_format(want, text);
	CU_ASSERT_STRING_EQUAL(text, LOWER);
	CU_ASSERT_EQUAL(strlen(text), 36);
	CU_ASSERT_EQUAL(parse(UPPER, id), 0);
	uuid_format(id, text);
	CU_ASSERT_STRING_EQUAL(text, LOWER);
}

static void
test_v4(void)
{
	static const uint8_t	 ones[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	static const uint8_t	 zeros[16];
	uint8_t			 id[16];
	char			 text[UUID_TEXT_LEN + 1];

	uuid_v4(ones, id);
	uuid_format(id, text);
	CU_ASSERT_STRING_EQUAL(text, "ffffffff-ffff-4fff-bfff-ffffffffffff");
	uuid_v4(zeros, id);
	uuid_format(id, text);
	CU_ASSERT_STRING_EQUAL(text, "00000000-0000-4000-8000-000000000000");
	uuid_v4(want, id);
	uuid_format(id, text);
	CU_ASSERT_STRING_EQUAL(text, "0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0");
}

static void
test_v4_random(void)
{
	uint8_t	 rnd[16], id[16], all_or[16], all_and[16];
	char	 text[UUID_TEXT_LEN + 1];
	int	 i, j, bad_bits = 0, bad_text = 0, bad_kept = 0;

	memset(all_or, 0, sizeof(all_or));
	memset(all_and, 0xff, sizeof(all_and));
	for (i = 0; i < DRAWS; i++) {
		CU_ASSERT_FATAL(random_bytes(rnd, sizeof(rnd)) == 0);
		uuid_v4(rnd, id);
		/* Version 4 in the top nibble of byte 6, variant 10 in the
		 * top bits of byte 8 (RFC 9562 section 5.4). */
		if (id[6] >> 4 != 4 || id[8] >> 6 != 2)
			bad_bits++;
		/* Every other bit as drawn. */
		for (j = 0; j < 16; j++) {
			uint8_t	 mask = j == 6 ? 0x0f : j == 8 ? 0x3f : 0xff;

			if ((id[j] & mask) != (rnd[j] & mask))
				bad_kept++;
			all_or[j] |= id[j];
			all_and[j] &= id[j];
		}
		uuid_format(id, text);
		if (strlen(text) != 36 || text[14] != '4' ||
		    strchr("89ab", text[19]) == NULL ||
		    strspn(text, "0123456789abcdef-") != 36)
			bad_text++;
	}
	test_assert(bad_bits == 0, TEST_HERE,
	    "%d of %d keys without version 4 and variant 10", bad_bits, DRAWS);
	test_assert(bad_kept == 0, TEST_HERE,
	    "%d bytes of random input changed beyond version and variant",
	    bad_kept);
	test_assert(bad_text == 0, TEST_HERE,
	    "%d of %d keys not a lowercase ...-4...-[89ab]... text", bad_text,
	    DRAWS);
	/* The 122 free bits all vary: each was seen as 0 and as 1. */
	for (j = 0; j < 16; j++) {
		uint8_t	 fixed = j == 6 ? 0xf0 : j == 8 ? 0xc0 : 0x00;

		test_assert((all_or[j] | fixed) == 0xff &&
		    (all_and[j] & (uint8_t)~fixed) == 0, TEST_HERE,
		    "byte %d: bits that never change (or %02x, and %02x)", j,
		    all_or[j], all_and[j]);
	}
}

static int
compare_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_v4_unique(void)
{
	char	(*texts)[UUID_TEXT_LEN + 1];
	uint8_t	 rnd[16], id[16];
	int	 i, same = 0;

	texts = calloc(DRAWS, sizeof(*texts));
	CU_ASSERT_FATAL(texts != NULL);
	for (i = 0; i < DRAWS; i++) {
		if (random_bytes(rnd, sizeof(rnd)) != 0) {
			CU_FAIL("random_bytes failed");
			free(texts);
			return;
		}
		uuid_v4(rnd, id);
		uuid_format(id, texts[i]);
	}
	qsort(texts, DRAWS, sizeof(*texts), compare_text);
	for (i = 1; i < DRAWS; i++)
		if (strcmp(texts[i - 1], texts[i]) == 0)
			same++;
	test_assert(same == 0, TEST_HERE, "%d duplicates among %d keys", same,
	    DRAWS);
	free(texts);
}

static void
test_refuse_length(void)
{
	uint8_t	 id[16];

	/* 35 and 37 characters. */
	CU_ASSERT_EQUAL(parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f", id), -1);
	CU_ASSERT_EQUAL(parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f00", id),
	    -1);
	CU_ASSERT_EQUAL(parse("", id), -1);
	/* The right text but a wrong length given. */
	CU_ASSERT_EQUAL(uuid_parse(LOWER, 35, id), -1);
	CU_ASSERT_EQUAL(uuid_parse(LOWER "0", 37, id), -1);
	/* Without dashes: 32 hex digits. */
	CU_ASSERT_EQUAL(parse("0f1e2d3c4b5a69788796a5b4c3d2e1f0", id), -1);
	/* Braces (the Microsoft spelling). */
	CU_ASSERT_EQUAL(parse("{0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0}", id),
	    -1);
}

static void
test_refuse_dashes(void)
{
	uint8_t	 id[16];

	/* A dash missing (replaced by a hex digit): 36 characters. */
	CU_ASSERT_EQUAL(parse("0f1e2d3c04b5a-6978-8796-a5b4c3d2e1f0", id),
	    -1);
	CU_ASSERT_EQUAL(parse("0f1e2d3c-4b5a06978-8796-a5b4c3d2e1f0", id),
	    -1);
	CU_ASSERT_EQUAL(parse("0f1e2d3c-4b5a-697808796-a5b4c3d2e1f0", id),
	    -1);
	CU_ASSERT_EQUAL(parse("0f1e2d3c-4b5a-6978-87960a5b4c3d2e1f0", id),
	    -1);
	/* Dashes moved by one place. */
	CU_ASSERT_EQUAL(parse("0f1e2d3-c4b5a-6978-8796-a5b4c3d2e1f0", id),
	    -1);
	CU_ASSERT_EQUAL(parse("0f1e2d3c4-b5a-6978-8796-a5b4c3d2e1f0", id),
	    -1);
	CU_ASSERT_EQUAL(parse("0f1e2d3c-4b5a-6978-8796a-5b4c3d2e1f0", id),
	    -1);
	/* A dash where a digit belongs. */
	CU_ASSERT_EQUAL(parse("-f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", id),
	    -1);
	CU_ASSERT_EQUAL(parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f-", id),
	    -1);
}

static void
test_refuse_non_hex(void)
{
	uint8_t	 id[16];

	CU_ASSERT_EQUAL(parse("0f1e2d3g-4b5a-6978-8796-a5b4c3d2e1f0", id),
	    -1);
	CU_ASSERT_EQUAL(parse("g f1e2d3-4b5a-6978-8796-a5b4c3d2e1f0", id),
	    -1);
	CU_ASSERT_EQUAL(parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fz", id),
	    -1);
	CU_ASSERT_EQUAL(parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1 0", id),
	    -1);
	CU_ASSERT_EQUAL(parse("0f1e2d3c-+b5a-6978-8796-a5b4c3d2e1f0", id),
	    -1);
	/* A byte above 0x7f. */
	CU_ASSERT_EQUAL(parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f\xc3", id),
	    -1);
}

static void
test_refuse_nul(void)
{
	static const char	 with_nul[] =
	    "0f1e2d3c-4b5a-6978-8796-a5b4c3d2\0" "1f0";
	static const char	 first_nul[] =
	    "\0" "f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
	uint8_t			 id[16];

	CU_ASSERT_EQUAL(sizeof(with_nul) - 1, 36);
	CU_ASSERT_EQUAL(uuid_parse(with_nul, 36, id), -1);
	CU_ASSERT_EQUAL(sizeof(first_nul) - 1, 36);
	CU_ASSERT_EQUAL(uuid_parse(first_nul, 36, id), -1);
}

int
test_uuid_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "parse lower, upper, mixed case alike", test_parse_cases },
		{ "parse all zeros, all ones", test_parse_extremes },
		{ "format lowercase", test_format },
		{ "v4 sets version and variant", test_v4 },
		{ "v4 of random bytes: version 4, variant 10, the rest random",
		    test_v4_random },
		{ "v4 of random bytes: 10000 all different", test_v4_unique },
		{ "refuse wrong lengths", test_refuse_length },
		{ "refuse missing or misplaced dashes", test_refuse_dashes },
		{ "refuse non-hex digits", test_refuse_non_hex },
		{ "refuse an embedded NUL", test_refuse_nul },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite("uuid", NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
