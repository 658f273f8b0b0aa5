/*
 * test_record.c: the stored form of a lock (record.c): round trips, the
 * exact byte layout of version 1, and refusal of bytes it cannot read.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include "record.h"
#include "tests.h"

static struct lock_record
sample(size_t secret_len)
{
	struct lock_record	 r;
	size_t			 i;

	/* LSS: the fixed header and the secret, nothing after them. */
	memset(&r, 0, sizeof(r));
	r.kind = LOCK_KIND_LSS;
	r.created_ms = 1700000000123LL;
	r.ttl_ms = 60000;
	r.expires_ms = 1700000060123LL;
	r.fence = 42;
	r.updated_ms = 1700000030123LL;
	r.keep_until_ms = 0;
	r.secret_len = secret_len;
	for (i = 0; i < secret_len; i++)
		r.secret[i] = (char)('A' + i % 26);
	return r;
}

static void
assert_same(const struct lock_record *a, const struct lock_record *b)
{
	CU_ASSERT_EQUAL(a->kind, b->kind);
	CU_ASSERT_EQUAL(a->locked, b->locked);
	CU_ASSERT_EQUAL(a->created_ms, b->created_ms);
	CU_ASSERT_EQUAL(a->ttl_ms, b->ttl_ms);
	CU_ASSERT_EQUAL(a->expires_ms, b->expires_ms);
	CU_ASSERT_EQUAL(a->fence, b->fence);
	CU_ASSERT_EQUAL(a->updated_ms, b->updated_ms);
	CU_ASSERT_EQUAL(a->keep_until_ms, b->keep_until_ms);
	CU_ASSERT_EQUAL(a->secret_len, b->secret_len);
	CU_ASSERT_EQUAL(memcmp(a->secret, b->secret, a->secret_len), 0);
}

static void
test_round_trip_no_secret(void)
{
	struct lock_record	 in = sample(0), out;
	uint8_t			 buf[RECORD_MAX];
	size_t			 n;

	n = record_encode(&in, buf);
	CU_ASSERT_EQUAL(n, 52);
	CU_ASSERT_EQUAL(RECORD_HEADER, 52);
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), 0);
	assert_same(&in, &out);
	CU_ASSERT_STRING_EQUAL(out.secret, "");
}

static void
test_round_trip_max_secret(void)
{
	struct lock_record	 in = sample(255), out;
	uint8_t			 buf[RECORD_MAX];
	size_t			 n;

	n = record_encode(&in, buf);
	CU_ASSERT_EQUAL(n, 52 + 255);
	CU_ASSERT_EQUAL(RECORD_MAX, 311);
	CU_ASSERT_EQUAL(buf[3], 255);
	CU_ASSERT_EQUAL(buf[52], 'A');
	CU_ASSERT_EQUAL(buf[52 + 254], 'A' + 254 % 26);
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), 0);
	assert_same(&in, &out);
	CU_ASSERT_EQUAL(out.secret[255], '\0');
}

static void
test_round_trip_extremes(void)
{
	struct lock_record	 in = sample(3), out;
	uint8_t			 buf[RECORD_MAX];
	size_t			 n;

	in.created_ms = INT64_MAX;
	in.ttl_ms = -1;
	in.expires_ms = INT64_MIN;
	in.fence = UINT64_MAX;
	in.updated_ms = INT64_MIN + 1;
	in.keep_until_ms = INT64_MAX - 1;
	n = record_encode(&in, buf);
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), 0);
	assert_same(&in, &out);
	CU_ASSERT_EQUAL(out.created_ms, INT64_MAX);
	CU_ASSERT_EQUAL(out.ttl_ms, -1);
	CU_ASSERT_EQUAL(out.expires_ms, INT64_MIN);
	CU_ASSERT_EQUAL(out.fence, UINT64_MAX);
	CU_ASSERT_EQUAL(out.updated_ms, INT64_MIN + 1);
	CU_ASSERT_EQUAL(out.keep_until_ms, INT64_MAX - 1);

	/* A value whose top byte has the high bit set, and one that does
	 * not, to catch a sign extension while reading. */
	in.created_ms = (int64_t)0x8000000000000001ULL;
	in.fence = 0x0123456789abcdefULL;
	n = record_encode(&in, buf);
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), 0);
	CU_ASSERT_EQUAL((uint64_t)out.created_ms, 0x8000000000000001ULL);
	CU_ASSERT_EQUAL(out.fence, 0x0123456789abcdefULL);
}

static void
test_layout(void)
{
	static const uint8_t	 want[55] = {
		1, 2, 1, 3,
		/* 4: created 0x0102030405060708 */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		/* 12: ttl 60000 = 0xea60 */
		0x60, 0xea, 0, 0, 0, 0, 0, 0,
		/* 20: expires -2 */
		0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		/* 28: fence 0xa1b2c3d4e5f60718 */
		0x18, 0x07, 0xf6, 0xe5, 0xd4, 0xc3, 0xb2, 0xa1,
		/* 36: updated 0x1122334455667788 */
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
		/* 44: kept until 0x00000100 */
		0x00, 0x01, 0, 0, 0, 0, 0, 0,
		/* 52: secret */
		'x', 'y', 'z'
	};
	struct lock_record	 in, out;
	uint8_t			 buf[RECORD_MAX];
	size_t			 n;

	memset(&in, 0, sizeof(in));
	in.kind = LOCK_KIND_LSS;
	in.locked = 1;
	in.created_ms = 0x0102030405060708LL;
	in.ttl_ms = 60000;
	in.expires_ms = -2;
	in.fence = 0xa1b2c3d4e5f60718ULL;
	in.updated_ms = 0x1122334455667788LL;
	in.keep_until_ms = 0x100;
	in.secret_len = 3;
	memcpy(in.secret, "xyz", 4);
	memset(buf, 0xaa, sizeof(buf));
	n = record_encode(&in, buf);
	CU_ASSERT_EQUAL(n, sizeof(want));
	CU_ASSERT_EQUAL(memcmp(buf, want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(buf[0], RECORD_VERSION);
	CU_ASSERT_EQUAL(buf[0], 1);
	/* Nothing written past the record. */
	CU_ASSERT_EQUAL(buf[55], 0xaa);
	CU_ASSERT_EQUAL(record_decode(want, sizeof(want), &out), 0);
	assert_same(&in, &out);
	CU_ASSERT_STRING_EQUAL(out.secret, "xyz");

	/* A getlock record, not locked: kind 1, flags 0. */
	in.kind = LOCK_KIND_GETLOCK;
	in.locked = 0;
	n = record_encode(&in, buf);
	CU_ASSERT_EQUAL(buf[1], 1);
	CU_ASSERT_EQUAL(buf[2], 0);
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), 0);
	CU_ASSERT_EQUAL(out.kind, LOCK_KIND_GETLOCK);
	CU_ASSERT_EQUAL(out.locked, 0);
}

static void
test_decode_short(void)
{
	struct lock_record	 in = sample(0), out;
	uint8_t			 buf[RECORD_MAX];
	size_t			 n;

	n = record_encode(&in, buf);
	CU_ASSERT_EQUAL(record_decode(buf, n - 1, &out), -1);
	CU_ASSERT_EQUAL(record_decode(buf, 1, &out), -1);
	CU_ASSERT_EQUAL(record_decode(buf, 0, &out), -1);
}

static void
test_decode_version(void)
{
	struct lock_record	 in = sample(0), out;
	uint8_t			 buf[RECORD_MAX];
	size_t			 n;

	n = record_encode(&in, buf);
	buf[0] = 2;
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), -1);
	buf[0] = 0;
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), -1);
	buf[0] = 1;
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), 0);
}

static void
test_decode_kind(void)
{
	struct lock_record	 in = sample(0), out;
	uint8_t			 buf[RECORD_MAX];
	size_t			 n;

	n = record_encode(&in, buf);
	buf[1] = 0;
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), -1);
	buf[1] = 3;
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), -1);
	buf[1] = 0xff;
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), -1);
	buf[1] = 2;
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), 0);
	CU_ASSERT_EQUAL(out.kind, LOCK_KIND_LSS);
}

/* Only bit 0 of the flags byte has a meaning; the others must be 0. */
static void
test_decode_flags(void)
{
	struct lock_record	 in = sample(0), out;
	uint8_t			 buf[RECORD_MAX];
	size_t			 n;

	n = record_encode(&in, buf);
	buf[2] = 1;
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), 0);
	CU_ASSERT_EQUAL(out.locked, 1);
	buf[2] = 2;
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), -1);
	buf[2] = 0x81;
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), -1);
}

static void
test_decode_length(void)
{
	struct lock_record	 in = sample(5), out;
	uint8_t			 buf[RECORD_MAX];
	size_t			 n;

	n = record_encode(&in, buf);
	CU_ASSERT_EQUAL(n, 57);
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), 0);
	/* One byte too few, one too many for the secret length. */
	CU_ASSERT_EQUAL(record_decode(buf, n - 1, &out), -1);
	CU_ASSERT_EQUAL(record_decode(buf, n + 1, &out), -1);
	/* A secret length that the size does not back. */
	buf[3] = 6;
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), -1);
	buf[3] = 4;
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), -1);
	buf[3] = 255;
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), -1);
}

/* A getlock record: limit and further holders after the first. */
static void
test_round_trip_holders(void)
{
	struct lock_record	 in, out;
	struct lock_holder	 more[2];
	uint8_t			 buf[1024];
	size_t			 n;

	memset(&in, 0, sizeof(in));
	memset(more, 0, sizeof(more));
	in.kind = LOCK_KIND_GETLOCK;
	in.created_ms = 1700000000123LL;
	in.ttl_ms = 5000;
	in.expires_ms = 1700000005123LL;
	in.fence = 9;
	in.secret_len = 3;
	memcpy(in.secret, "ann", 3);
	in.limit = 3;
	more[0].created_ms = 1700000001000LL;
	more[0].ttl_ms = 1000;
	more[0].expires_ms = 1700000002000LL;
	more[0].fence = 10;
	more[0].owner_len = 128;
	memset(more[0].owner, 'b', 128);
	more[1].fence = 11;
	more[1].owner_len = 1;
	more[1].owner[0] = 'c';
	in.more = more;
	in.nmore = 2;
	n = record_encode(&in, buf);
	CU_ASSERT_EQUAL(n, record_size(&in));
	CU_ASSERT_EQUAL(n, 52 + 3 + 4 + (33 + 128) + (33 + 1));
	CU_ASSERT_EQUAL(buf[55], 3);	/* limit, little-endian */
	CU_ASSERT_EQUAL(buf[57], 2);	/* further holders */
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), 0);
	CU_ASSERT_EQUAL(out.limit, 3);
	CU_ASSERT_EQUAL(out.nmore, 2);
	CU_ASSERT_EQUAL(out.fence, 9);
	if (out.nmore == 2) {
		CU_ASSERT_EQUAL(out.more[0].fence, 10);
		CU_ASSERT_EQUAL(out.more[0].expires_ms, 1700000002000LL);
		CU_ASSERT_EQUAL(out.more[0].owner_len, 128);
		CU_ASSERT_EQUAL(memcmp(out.more[0].owner, more[0].owner, 128), 0);
		CU_ASSERT_EQUAL(out.more[1].fence, 11);
		CU_ASSERT_STRING_EQUAL(out.more[1].owner, "c");
	}
	lock_record_free(&out);
	/* Cut short inside the last holder, or with a byte too many. */
	CU_ASSERT_EQUAL(record_decode(buf, n - 1, &out), -1);
	CU_ASSERT_EQUAL(record_decode(buf, n + 1, &out), -1);
	/* A getlock owner over 128 characters. */
	in.nmore = 0;
	in.secret_len = 129;
	n = record_encode(&in, buf);
	CU_ASSERT_EQUAL(record_decode(buf, n, &out), -1);
}

int
test_record_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "round trip, no secret", test_round_trip_no_secret },
		{ "round trip, 255-byte secret", test_round_trip_max_secret },
		{ "round trip, extreme 64-bit values",
		    test_round_trip_extremes },
		{ "byte layout of version 1", test_layout },
		{ "decode refuses a short buffer", test_decode_short },
		{ "decode refuses a wrong version", test_decode_version },
		{ "decode refuses a wrong kind", test_decode_kind },
		{ "decode refuses unknown flags", test_decode_flags },
		{ "decode refuses a length mismatch", test_decode_length },
		{ "round trip, semaphore holders", test_round_trip_holders },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite("record", NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
