/*
 * test_store.c: locks in LMDB (store_lmdb.c), each test on a fresh
 * temporary directory with the fake clock: decisions through store_change
 * and store_view, fences that only grow (also across a reopen), reads
 * that never write, expiry at the exact millisecond, the sweeper keeping
 * the database small, the limits (max_records, a full map), and group
 * commit: threads deciding at once share commits.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "lock.h"
#include "store.h"
#include "tests.h"

#define T0		1700000000000LL
#define MIB		((size_t)1 << 20)
/* As main.c's SWEEP_BATCH: expired records removed per write. */
#define SWEEP_BATCH	16
#define DEFAULT_TTL_MS	60000

static struct store	*st;
static const char	*dir;

/* A fresh directory and clock for each test; nothing open yet. */
static void
setup(void)
{
	st = NULL;
	test_now = T0;
	dir = tmpdir_make();
}

static void
teardown(void)
{
	store_close(st);
	st = NULL;
	tmpdir_remove();
	dir = NULL;
}

/* Opens the store in this test's directory; returns store_open's answer. */
static int
open_store(size_t map_size, uint64_t max_records, size_t sweep_batch)
{
	struct store_options	 o;

	memset(&o, 0, sizeof(o));
	o.path = dir;
	o.map_size = map_size;
	o.sync = CONFIG_SYNC_NONE;
	o.max_readers = 16;
	o.max_records = max_records;
	o.sweep_batch = sweep_batch;
	o.clock = test_clock;
	st = NULL;
	if (dir == NULL)
		return STORE_ERROR;
	return store_open(&o, &st);
}

/* Lock number n as a key: n big-endian first, so keys sort by n. */
static struct store_key
key(uint32_t n)
{
	struct store_key	 k;

	memset(&k, 0, sizeof(k));
	k.kind = LOCK_KIND_GETLOCK;
	k.id[0] = (uint8_t)(n >> 24);
	k.id[1] = (uint8_t)(n >> 16);
	k.id[2] = (uint8_t)(n >> 8);
	k.id[3] = (uint8_t)n;
	k.id[15] = 0x5a;
	return k;
}

/* A lock request of the given kind, with the PUT or DELETE fields of req
 * (NULL: none). */
static struct lock_op
op(enum lock_op_kind kind, const struct lock_put *req)
{
	struct lock_op	 o;

	memset(&o, 0, sizeof(o));
	o.kind = kind;
	if (req != NULL)
		o.u.put = *req;
	return o;
}

/* PUT lock n with a ttl (0: the default) at test_now. */
static int
put(uint32_t n, int64_t ttl_ms, struct lock_decision *d)
{
	struct store_key	 k = key(n);
	struct lock_put		 req;
	struct lock_op		 o;

	memset(&req, 0, sizeof(req));
	req.ttl_ms = ttl_ms;
	req.default_ttl_ms = DEFAULT_TTL_MS;
	o = op(LOCK_OP_PUT, &req);
	memset(d, 0xee, sizeof(*d));
	return store_change(st, &k, &o, d);
}

static int
get(uint32_t n, struct lock_decision *d)
{
	struct store_key	 k = key(n);
	struct lock_op		 o = op(LOCK_OP_GET, NULL);

	memset(d, 0xee, sizeof(*d));
	return store_view(st, &k, &o, d);
}

static int
del(uint32_t n, struct lock_decision *d)
{
	struct store_key	 k = key(n);
	struct lock_op		 o = op(LOCK_OP_DELETE, NULL);

	memset(d, 0xee, sizeof(*d));
	return store_change(st, &k, &o, d);
}

/* The number of records, or UINT64_MAX when stats fail. */
static uint64_t
records(void)
{
	struct store_stats	 s;

	if (store_stats(st, &s) != STORE_OK)
		return UINT64_MAX;
	return s.records;
}

static uint64_t
last_fence(void)
{
	struct store_stats	 s;

	if (store_stats(st, &s) != STORE_OK)
		return UINT64_MAX;
	return s.fence;
}

/* The size of data.mdb in bytes, or -1. */
static long long
file_size(void)
{
	char		 path[4096];
	struct stat	 sb;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if (stat(path, &sb) == -1)
		return -1;
	return (long long)sb.st_size;
}

static void
test_open_empty(void)
{
	struct store_stats	 s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000, SWEEP_BATCH),
	    STORE_OK);
	CU_ASSERT_EQUAL_FATAL(store_stats(st, &s), STORE_OK);
	CU_ASSERT_EQUAL(s.records, 0);
	CU_ASSERT_EQUAL(s.fence, 0);
	CU_ASSERT_EQUAL(s.map_size, 4 * MIB);
	CU_ASSERT(s.used_bytes > 0 && s.used_bytes < 64 * 1024);
}

static void
test_acquire_refresh_get_delete(void)
{
	struct lock_decision	 d;

	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000, SWEEP_BATCH),
	    STORE_OK);

	CU_ASSERT_EQUAL(put(1, 5000, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.fence_used, 1);
	CU_ASSERT_EQUAL(d.record.fence, 1);
	CU_ASSERT_EQUAL(d.record.created_ms, T0);
	CU_ASSERT_EQUAL(d.record.ttl_ms, 5000);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 5000);
	CU_ASSERT_EQUAL(records(), 1);

	test_now = T0 + 1000;
	CU_ASSERT_EQUAL(put(1, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	CU_ASSERT_EQUAL(d.fence_used, 0);
	CU_ASSERT_EQUAL(d.record.fence, 1);
	CU_ASSERT_EQUAL(d.record.created_ms, T0);
	CU_ASSERT_EQUAL(d.record.ttl_ms, 5000);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 6000);

	/* What was written is what is read back. */
	test_now = T0 + 2000;
	CU_ASSERT_EQUAL(get(1, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACTIVE);
	CU_ASSERT_EQUAL(d.has_record, 1);
	CU_ASSERT_EQUAL(d.record.kind, LOCK_KIND_GETLOCK);
	CU_ASSERT_EQUAL(d.record.fence, 1);
	CU_ASSERT_EQUAL(d.record.created_ms, T0);
	CU_ASSERT_EQUAL(d.record.ttl_ms, 5000);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 6000);
	CU_ASSERT_EQUAL(d.record.secret_len, 0);

	/* A refresh with a new ttl. */
	CU_ASSERT_EQUAL(put(1, 20000, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	CU_ASSERT_EQUAL(d.record.ttl_ms, 20000);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 22000);
	CU_ASSERT_EQUAL(get(1, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.record.ttl_ms, 20000);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 22000);

	/* Another id is not this one. */
	CU_ASSERT_EQUAL(get(2, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_NOT_FOUND);
	CU_ASSERT_EQUAL(d.has_record, 0);

	CU_ASSERT_EQUAL(del(1, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REMOVED);
	CU_ASSERT_EQUAL(d.shown.fence, 1);
	CU_ASSERT_EQUAL(records(), 0);
	CU_ASSERT_EQUAL(get(1, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_NOT_FOUND);
	CU_ASSERT_EQUAL(del(1, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_NOT_FOUND);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_NONE);
	CU_ASSERT_EQUAL(last_fence(), 1);
}

static void
test_fences(void)
{
	struct lock_decision	 d;

	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000, SWEEP_BATCH),
	    STORE_OK);
	CU_ASSERT_EQUAL(put(1, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.record.fence, 1);
	CU_ASSERT_EQUAL(put(2, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.record.fence, 2);
	CU_ASSERT_EQUAL(put(3, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.record.fence, 3);
	test_now += 10;
	CU_ASSERT_EQUAL(put(2, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	CU_ASSERT_EQUAL(d.record.fence, 2);
	CU_ASSERT_EQUAL(last_fence(), 3);
	/* GET and DELETE use no fence. */
	CU_ASSERT_EQUAL(get(1, &d), STORE_OK);
	CU_ASSERT_EQUAL(del(3, &d), STORE_OK);
	CU_ASSERT_EQUAL(last_fence(), 3);
	CU_ASSERT_EQUAL(put(4, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.record.fence, 4);
}

static void
test_fence_after_reopen(void)
{
	struct lock_decision	 d;

	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000, SWEEP_BATCH),
	    STORE_OK);
	CU_ASSERT_EQUAL(put(1, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(put(2, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(put(3, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.record.fence, 3);
	store_close(st);
	st = NULL;

	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000, SWEEP_BATCH),
	    STORE_OK);
	CU_ASSERT_EQUAL(records(), 3);
	CU_ASSERT_EQUAL(last_fence(), 3);
	CU_ASSERT_EQUAL(get(2, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACTIVE);
	CU_ASSERT_EQUAL(d.record.fence, 2);
	CU_ASSERT_EQUAL(put(4, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.record.fence, 4);

	/* Even with every record gone before the restart. */
	CU_ASSERT_EQUAL(del(1, &d), STORE_OK);
	CU_ASSERT_EQUAL(del(2, &d), STORE_OK);
	CU_ASSERT_EQUAL(del(3, &d), STORE_OK);
	CU_ASSERT_EQUAL(del(4, &d), STORE_OK);
	CU_ASSERT_EQUAL(records(), 0);
	store_close(st);
	st = NULL;
	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000, SWEEP_BATCH),
	    STORE_OK);
	CU_ASSERT_EQUAL(put(1, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.record.fence, 5);
}

static void
test_fence_after_delete_expiry_sweep(void)
{
	struct lock_decision	 d;
	size_t			 swept = 99;

	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000, SWEEP_BATCH),
	    STORE_OK);
	CU_ASSERT_EQUAL(put(1, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.record.fence, 1);
	CU_ASSERT_EQUAL(del(1, &d), STORE_OK);
	CU_ASSERT_EQUAL(put(1, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.record.fence, 2);

	CU_ASSERT_EQUAL(put(2, 10, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.record.fence, 3);
	test_now += 10;
	CU_ASSERT_EQUAL(store_sweep(st, &swept), STORE_OK);
	CU_ASSERT_EQUAL(swept, 1);
	CU_ASSERT_EQUAL(records(), 1);
	CU_ASSERT_EQUAL(get(2, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_NOT_FOUND);
	CU_ASSERT_EQUAL(put(3, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.record.fence, 4);
	CU_ASSERT_EQUAL(put(2, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.record.fence, 5);
	CU_ASSERT_EQUAL(store_sweep(st, &swept), STORE_OK);
	CU_ASSERT_EQUAL(swept, 0);
}

/*
 * An expired record that no sweep has removed yet is taken over by a new
 * holder; its old sweep-index entry goes with it, so a later sweep neither
 * finds it nor removes the new hold early.
 */
static void
test_expired_record_reacquired(void)
{
	struct lock_decision	 d;
	size_t			 swept = 99;

	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000, 0), STORE_OK);
	CU_ASSERT_EQUAL(put(1, 10, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.record.fence, 1);
	test_now = T0 + 10;
	CU_ASSERT_EQUAL(records(), 1);
	CU_ASSERT_EQUAL(put(1, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.record.fence, 2);
	CU_ASSERT_EQUAL(d.record.created_ms, T0 + 10);
	CU_ASSERT_EQUAL(d.record.ttl_ms, DEFAULT_TTL_MS);
	CU_ASSERT_EQUAL(records(), 1);

	/* Now with the sweeper. */
	store_close(st);
	st = NULL;
	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000, SWEEP_BATCH),
	    STORE_OK);
	test_now = T0 + 20;
	CU_ASSERT_EQUAL(store_sweep(st, &swept), STORE_OK);
	CU_ASSERT_EQUAL(swept, 0);
	CU_ASSERT_EQUAL(get(1, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACTIVE);
	CU_ASSERT_EQUAL(d.record.fence, 2);
	test_now = T0 + 10 + DEFAULT_TTL_MS;
	CU_ASSERT_EQUAL(store_sweep(st, &swept), STORE_OK);
	CU_ASSERT_EQUAL(swept, 1);
	CU_ASSERT_EQUAL(records(), 0);
}

static void
test_view_never_writes(void)
{
	struct lock_decision	 d;
	int			 i;

	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000, SWEEP_BATCH),
	    STORE_OK);
	CU_ASSERT_EQUAL(put(1, 10, &d), STORE_OK);
	test_now = T0 + 1000;
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(get(1, &d), STORE_OK);
		CU_ASSERT_EQUAL(d.verdict, LOCK_EXPIRED);
		CU_ASSERT_EQUAL(d.has_record, 1);
		CU_ASSERT_EQUAL(d.record.fence, 1);
		CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 10);
		CU_ASSERT_EQUAL(records(), 1);
	}
	/* A view of a lock that is not there does not create it. */
	CU_ASSERT_EQUAL(get(7, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_NOT_FOUND);
	CU_ASSERT_EQUAL(records(), 1);
	CU_ASSERT_EQUAL(last_fence(), 1);
	/* The next write sweeps the expired record. */
	CU_ASSERT_EQUAL(put(2, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(records(), 1);
	CU_ASSERT_EQUAL(get(1, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_NOT_FOUND);
}

static void
test_expiry_exact_ms(void)
{
	struct lock_decision	 d;

	/* No sweeping, so the record stays for GET to judge. */
	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000, 0), STORE_OK);
	CU_ASSERT_EQUAL(put(1, 300, &d), STORE_OK);
	test_now = T0 + 299;
	CU_ASSERT_EQUAL(get(1, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACTIVE);
	test_now = T0 + 300;
	CU_ASSERT_EQUAL(get(1, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_EXPIRED);

	/* DELETE one ms before: removed; at the instant: not found. */
	test_now = T0;
	CU_ASSERT_EQUAL(put(2, 300, &d), STORE_OK);
	CU_ASSERT_EQUAL(put(3, 300, &d), STORE_OK);
	test_now = T0 + 299;
	CU_ASSERT_EQUAL(del(2, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REMOVED);
	test_now = T0 + 300;
	CU_ASSERT_EQUAL(del(3, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_NOT_FOUND);
	CU_ASSERT_EQUAL(d.write, LOCK_WRITE_DELETE);
	CU_ASSERT_EQUAL(records(), 1);
	CU_ASSERT_EQUAL(get(3, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_NOT_FOUND);

	/* PUT at the instant: a new hold with a new fence. */
	CU_ASSERT_EQUAL(put(1, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.record.fence, 4);
	CU_ASSERT_EQUAL(d.record.created_ms, T0 + 300);
}

/* The sweeper removes a record at its expiry instant, not before. */
static void
test_sweep_exact_ms(void)
{
	struct lock_decision	 d;
	size_t			 swept = 99;

	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000, SWEEP_BATCH),
	    STORE_OK);
	CU_ASSERT_EQUAL(put(1, 300, &d), STORE_OK);
	CU_ASSERT_EQUAL(put(2, 600, &d), STORE_OK);
	test_now = T0 + 299;
	CU_ASSERT_EQUAL(store_sweep(st, &swept), STORE_OK);
	CU_ASSERT_EQUAL(swept, 0);
	CU_ASSERT_EQUAL(records(), 2);
	test_now = T0 + 300;
	CU_ASSERT_EQUAL(store_sweep(st, &swept), STORE_OK);
	CU_ASSERT_EQUAL(swept, 1);
	CU_ASSERT_EQUAL(records(), 1);

	/* A refreshed lock is not swept at its old expiry. */
	test_now = T0 + 500;
	CU_ASSERT_EQUAL(put(2, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 1100);
	test_now = T0 + 1099;
	CU_ASSERT_EQUAL(store_sweep(st, &swept), STORE_OK);
	CU_ASSERT_EQUAL(swept, 0);
	CU_ASSERT_EQUAL(get(2, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACTIVE);
	test_now = T0 + 1100;
	CU_ASSERT_EQUAL(store_sweep(st, &swept), STORE_OK);
	CU_ASSERT_EQUAL(swept, 1);
	CU_ASSERT_EQUAL(records(), 0);
}

/* store_sweep takes at most sweep_batch records per call. */
static void
test_sweep_batch(void)
{
	struct lock_decision	 d;
	size_t			 swept = 99;
	uint32_t		 i;

	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000, SWEEP_BATCH),
	    STORE_OK);
	for (i = 0; i < 40; i++)
		CU_ASSERT_EQUAL(put(i, 5, &d), STORE_OK);
	test_now = T0 + 5;
	CU_ASSERT_EQUAL(store_sweep(st, &swept), STORE_OK);
	CU_ASSERT_EQUAL(swept, 16);
	CU_ASSERT_EQUAL(records(), 24);
	CU_ASSERT_EQUAL(store_sweep(st, &swept), STORE_OK);
	CU_ASSERT_EQUAL(swept, 16);
	CU_ASSERT_EQUAL(store_sweep(st, &swept), STORE_OK);
	CU_ASSERT_EQUAL(swept, 8);
	CU_ASSERT_EQUAL(records(), 0);
	CU_ASSERT_EQUAL(store_sweep(st, &swept), STORE_OK);
	CU_ASSERT_EQUAL(swept, 0);
}

/*
 * 100,000 short-lived locks (ttl 1 ms), created in 1,000 rounds of 100 at
 * one instant each; the clock moves 1 ms between rounds, so each round
 * finds the previous one expired. Every write first sweeps up to 16
 * expired records, then adds one: after write j of a round (j = 1..100)
 * exactly max(0, 100 - 16 j) + j records remain, never more than the 100
 * a round leaves behind. Without the sweeper 100,000 records (about 12 MB
 * of pages, see test_full_map) could not fit the 4 MiB map at all, as
 * test_no_sweep_fills shows.
 */
#define ROUNDS		1000
#define PER_ROUND	100
/* Measured: 26 pages (106,496 bytes with 4 KiB pages: a few pages per
 * tree, the free list, two meta pages), and the same at the end; the
 * bound is 64 pages, about 2.5 times that. */
#define FILE_BOUND	(64LL * sysconf(_SC_PAGESIZE))

static void
test_sweep_keeps_up(void)
{
	struct lock_decision	 d;
	uint64_t		 n, want, max_seen = 0;
	unsigned int		 bad_rc = 0, bad_count = 0, bad_verdict = 0;
	long long		 size, max_size = 0;
	uint32_t		 r, j, id = 0;
	static const uint64_t	 drain[] = { 85, 69, 53, 37, 21, 5, 1, 1 };

	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000000, SWEEP_BATCH),
	    STORE_OK);
	for (r = 0; r < ROUNDS; r++) {
		test_now = T0 + r;
		for (j = 1; j <= PER_ROUND; j++) {
			if (put(id++, 1, &d) != STORE_OK) {
				bad_rc++;
				continue;
			}
			if (d.verdict != LOCK_ACQUIRED ||
			    d.record.fence != id)
				bad_verdict++;
			n = records();
			if (n > max_seen)
				max_seen = n;
			want = r == 0 ? j : (PER_ROUND > 16 * j ?
			    PER_ROUND - 16 * j : 0) + j;
			if (n != want)
				bad_count++;
		}
		if (r % 100 == 99) {
			size = file_size();
			if (size > max_size)
				max_size = size;
		}
	}
	CU_ASSERT_EQUAL(bad_rc, 0);
	CU_ASSERT_EQUAL(bad_verdict, 0);
	CU_ASSERT_EQUAL(bad_count, 0);
	CU_ASSERT_EQUAL(max_seen, PER_ROUND);
	CU_ASSERT_EQUAL(id, 100000);
	CU_ASSERT_EQUAL(last_fence(), 100000);
	CU_ASSERT(max_size > 0);
	CU_ASSERT(max_size <= FILE_BOUND);

	/* All expired; further writes drain the rest, 16 at a time. */
	test_now = T0 + ROUNDS;
	for (j = 0; j < sizeof(drain) / sizeof(drain[0]); j++) {
		CU_ASSERT_EQUAL(put(999999999, 0, &d), STORE_OK);
		CU_ASSERT_EQUAL(records(), drain[j]);
	}
	size = file_size();
	CU_ASSERT(size > 0 && size <= FILE_BOUND);
	fprintf(stderr, "[sweep: at most %llu records, data.mdb at most %lld "
	    "bytes, %lld at the end] ", (unsigned long long)max_seen,
	    max_size, size);
}

/* The control for the test above: the same load without sweeping fills
 * the map long before 100,000 locks. */
static void
test_no_sweep_fills(void)
{
	struct lock_decision	 d;
	uint32_t		 id;
	int			 rc = STORE_OK;

	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000000, 0), STORE_OK);
	for (id = 0; id < ROUNDS * PER_ROUND; id++) {
		test_now = T0 + id / PER_ROUND;
		if ((rc = put(id, 1, &d)) != STORE_OK)
			break;
	}
	CU_ASSERT_EQUAL(rc, STORE_FULL);
	CU_ASSERT(id < ROUNDS * PER_ROUND / 2);
	CU_ASSERT_EQUAL(records(), id);
	CU_ASSERT(file_size() > FILE_BOUND);
}

static void
test_max_records(void)
{
	struct lock_decision	 d;

	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 3, SWEEP_BATCH), STORE_OK);
	CU_ASSERT_EQUAL(put(1, 1000, &d), STORE_OK);
	CU_ASSERT_EQUAL(put(2, 1000, &d), STORE_OK);
	CU_ASSERT_EQUAL(put(3, 1000, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.record.fence, 3);
	CU_ASSERT_EQUAL(put(4, 1000, &d), STORE_FULL);
	CU_ASSERT_EQUAL(records(), 3);
	CU_ASSERT_EQUAL(last_fence(), 3);

	/* Refresh, read and delete of existing ones still work. */
	test_now = T0 + 10;
	CU_ASSERT_EQUAL(put(1, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	CU_ASSERT_EQUAL(get(2, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACTIVE);
	CU_ASSERT_EQUAL(del(2, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REMOVED);
	CU_ASSERT_EQUAL(records(), 2);

	/* Room again; the refused attempt used no fence. */
	CU_ASSERT_EQUAL(put(4, 1000, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.record.fence, 4);
	CU_ASSERT_EQUAL(put(5, 1000, &d), STORE_FULL);

	/* Expired records make room: the write sweeps them first. */
	test_now = T0 + 100000;
	CU_ASSERT_EQUAL(put(5, 1000, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.record.fence, 5);
	CU_ASSERT_EQUAL(records(), 1);
}

/*
 * A 1 MiB map (the smallest the configuration allows) filled until a new
 * lock is refused; what is there must still be readable, refreshable and
 * deletable, and room comes back once records go.
 */
static void
test_full_map(void)
{
	struct lock_decision	 d;
	struct store_stats	 s;
	uint32_t		 n, i;
	size_t			 swept;
	unsigned int		 bad = 0;
	int			 rc = STORE_OK;

	CU_ASSERT_EQUAL_FATAL(open_store(MIB, 1000000, SWEEP_BATCH),
	    STORE_OK);
	for (n = 0; n < 100000; n++)
		if ((rc = put(n, 60000, &d)) != STORE_OK)
			break;
	CU_ASSERT_EQUAL(rc, STORE_FULL);
	/* Each lock needs about 100 bytes in two trees: thousands fit. */
	CU_ASSERT(n > 2000);
	CU_ASSERT(n < 20000);
	CU_ASSERT_EQUAL(records(), n);
	CU_ASSERT_EQUAL(last_fence(), n);
	CU_ASSERT_EQUAL(store_stats(st, &s), STORE_OK);
	CU_ASSERT(s.used_bytes <= MIB);
	/* Refused again, and the refusal changed nothing. */
	CU_ASSERT_EQUAL(put(n, 60000, &d), STORE_FULL);
	CU_ASSERT_EQUAL(records(), n);

	test_now = T0 + 1000;
	CU_ASSERT_EQUAL(get(0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACTIVE);
	CU_ASSERT_EQUAL(d.record.fence, 1);
	CU_ASSERT_EQUAL(put(0, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	CU_ASSERT_EQUAL(d.record.expires_ms, T0 + 61000);
	CU_ASSERT_EQUAL(put(n / 2, 30000, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	CU_ASSERT_EQUAL(del(1, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REMOVED);
	CU_ASSERT_EQUAL(records(), n - 1);

	/* Delete three quarters, let the rest expire, sweep them all. */
	for (i = 2; i < n * 3 / 4; i++)
		if (del(i, &d) != STORE_OK || d.verdict != LOCK_REMOVED)
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
	test_now = T0 + 3600000;
	for (i = 0; i < n; i++) {
		if (store_sweep(st, &swept) != STORE_OK) {
			bad++;
			break;
		}
		if (swept == 0)
			break;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(records(), 0);

	CU_ASSERT_EQUAL(put(n + 1, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.record.fence, (uint64_t)n + 1);
	/* And the map holds as many again. */
	for (i = 0; i < n / 2; i++)
		if (put(200000 + i, 0, &d) != STORE_OK)
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
	fprintf(stderr, "[full after %u locks] ", (unsigned int)n);
}

/*
 * Another process opens the same database with a larger map and writes:
 * a process whose own map is full takes the larger size (LMDB reports
 * MDB_MAP_RESIZED only once the file outgrows the map, which a write of
 * one lock does not) and accepts new locks again; statistics show it.
 */
static void
test_map_grown_elsewhere(void)
{
	struct lock_decision	 d;
	struct store_stats	 s;
	pid_t			 pid;
	uint32_t		 n;
	int			 rc = STORE_OK, status = -1, fds[2];
	char			 answer = 'x';

	CU_ASSERT_EQUAL_FATAL(open_store(MIB, 1000000, SWEEP_BATCH),
	    STORE_OK);
	for (n = 0; n < 100000; n++)
		if ((rc = put(n, 60000, &d)) != STORE_OK)
			break;
	CU_ASSERT_EQUAL_FATAL(rc, STORE_FULL);
	CU_ASSERT_EQUAL(put(n, 60000, &d), STORE_FULL);

	/* The other process: its own environment, opened after the fork
	 * (never one across a fork), one new lock, then gone. It says how
	 * it went through a pipe and ends with SIGKILL: an exit would have
	 * valgrind count the parent's store, inherited, as leaked. */
	CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		struct store		*other = NULL;
		struct store_options	 so;
		struct store_key	 k = key(900000);
		struct lock_put		 req;
		struct lock_op		 o;
		char			 verdict = '1';

		close(fds[0]);
		memset(&so, 0, sizeof(so));
		so.path = dir;
		so.map_size = 4 * MIB;
		so.sync = CONFIG_SYNC_NONE;
		so.max_readers = 16;
		so.max_records = 1000000;
		so.sweep_batch = SWEEP_BATCH;
		so.clock = test_clock;
		memset(&req, 0, sizeof(req));
		req.default_ttl_ms = DEFAULT_TTL_MS;
		if (store_open(&so, &other) == STORE_OK) {
			o = op(LOCK_OP_PUT, &req);
			rc = store_change(other, &k, &o, &d);
			verdict = rc == STORE_OK && d.verdict == LOCK_ACQUIRED ?
			    '0' : '2';
			store_close(other);
		}
		if (write(fds[1], &verdict, 1) != 1)
			_exit(3);
		kill(getpid(), SIGKILL);
		_exit(4);
	}
	CU_ASSERT_FATAL(pid > 0);
	close(fds[1]);
	CU_ASSERT_EQUAL(read(fds[0], &answer, 1), 1);
	close(fds[0]);
	CU_ASSERT_EQUAL(answer, '0');
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* A full write looks for a grown map at most every 100 ms. */
	CU_ASSERT_EQUAL(put(n, 60000, &d), STORE_FULL);
	test_now += 100;

	CU_ASSERT_EQUAL(put(n, 60000, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.record.fence, (uint64_t)n + 2);
	CU_ASSERT_EQUAL(get(900000, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACTIVE);
	CU_ASSERT_EQUAL(store_stats(st, &s), STORE_OK);
	CU_ASSERT_EQUAL(s.map_size, 4 * MIB);
	CU_ASSERT_EQUAL(s.records, (uint64_t)n + 2);
}

/* Every holder of a semaphore takes its own fence from the counter. */
static void
test_semaphore_fences(void)
{
	static const char *const who[] = { "a", "b", "c" };
	struct store_key	 k = key(7);
	struct lock_decision	 d;
	struct lock_put		 req;
	struct lock_op		 o;
	size_t			 i;

	CU_ASSERT_EQUAL_FATAL(open_store(4 * MIB, 1000, SWEEP_BATCH),
	    STORE_OK);
	test_now = T0;
	for (i = 0; i < 3; i++) {
		memset(&req, 0, sizeof(req));
		req.default_ttl_ms = DEFAULT_TTL_MS;
		req.owner = who[i];
		req.owner_len = 1;
		req.limit = 3;
		o = op(LOCK_OP_PUT, &req);
		CU_ASSERT_EQUAL(store_change(st, &k, &o, &d), STORE_OK);
		CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
		CU_ASSERT_EQUAL(d.shown.fence, i + 1);
		CU_ASSERT_EQUAL(d.holders, i + 1);
		lock_decision_free(&d);
	}
	/* Another lock after them: the counter went on. */
	CU_ASSERT_EQUAL(put(8, 0, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.shown.fence, 4);
	lock_decision_free(&d);
	CU_ASSERT_EQUAL(records(), 2);
}

/* What the cancellation hook was asked, and what it answers. */
static struct {
	int		 calls;
	uint64_t	 tag;
	uint64_t	 mark;
	void		*arg;
	int		 answer;
} asked;

static int
cancel_hook(uint64_t tag, uint64_t mark, void *arg)
{
	asked.calls++;
	asked.tag = tag;
	asked.mark = mark;
	asked.arg = arg;
	return asked.answer;
}

/*
 * The store asks its hook, inside the transaction, about a waiting PUT
 * only, with the PUT's ticket: a yes is a cancelled PUT (nothing
 * written), a no lets the PUT be decided as ever.
 */
static void
test_cancel_check(void)
{
	struct store_key	 k = key(1);
	struct lock_put		 req;
	struct lock_decision	 d;
	struct lock_op		 o;
	int			 arg;

	CU_ASSERT_EQUAL_FATAL(open_store(MIB, 1000, SWEEP_BATCH), STORE_OK);
	store_cancel_check(st, cancel_hook, &arg);
	memset(&asked, 0, sizeof(asked));
	memset(&req, 0, sizeof(req));
	req.default_ttl_ms = DEFAULT_TTL_MS;
	req.owner = "a";
	req.owner_len = 1;
	req.waiting = 1;
	req.wait_tag = 0x1234;
	req.wait_mark = 7;
	o = op(LOCK_OP_PUT, &req);
	asked.answer = 1;
	CU_ASSERT_EQUAL(store_change(st, &k, &o, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_CANCELLED);
	lock_decision_free(&d);
	CU_ASSERT_EQUAL(asked.calls, 1);
	CU_ASSERT_EQUAL(asked.tag, 0x1234);
	CU_ASSERT_EQUAL(asked.mark, 7);
	CU_ASSERT_PTR_EQUAL(asked.arg, &arg);
	CU_ASSERT_EQUAL(records(), 0);
	CU_ASSERT_EQUAL(last_fence(), 0);
	CU_ASSERT_EQUAL(store_view(st, &k, &o, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_CANCELLED);
	lock_decision_free(&d);
	CU_ASSERT_EQUAL(asked.calls, 2);
	asked.answer = 0;
	CU_ASSERT_EQUAL(store_change(st, &k, &o, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	CU_ASSERT_EQUAL(d.shown.fence, 1);
	lock_decision_free(&d);
	CU_ASSERT_EQUAL(asked.calls, 3);
	CU_ASSERT_EQUAL(records(), 1);
	/* A PUT that does not wait, a GET, a DELETE: never asked. */
	asked.answer = 1;
	req.waiting = 0;
	o = op(LOCK_OP_PUT, &req);
	CU_ASSERT_EQUAL(store_change(st, &k, &o, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REFRESHED);
	lock_decision_free(&d);
	o = op(LOCK_OP_GET, NULL);
	CU_ASSERT_EQUAL(store_view(st, &k, &o, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACTIVE);
	lock_decision_free(&d);
	o = op(LOCK_OP_DELETE, &req);
	CU_ASSERT_EQUAL(store_change(st, &k, &o, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_REMOVED);
	lock_decision_free(&d);
	CU_ASSERT_EQUAL(asked.calls, 3);
	/* Without the hook a waiting PUT is decided as ever. */
	store_cancel_check(st, NULL, NULL);
	req.waiting = 1;
	o = op(LOCK_OP_PUT, &req);
	CU_ASSERT_EQUAL(store_change(st, &k, &o, &d), STORE_OK);
	CU_ASSERT_EQUAL(d.verdict, LOCK_ACQUIRED);
	lock_decision_free(&d);
	CU_ASSERT_EQUAL(asked.calls, 3);
}

/* Group commit: threads that change locks at once. */
#define GC_THREADS	8
#define GC_ROUNDS	150

struct gc_thread {
	pthread_t	 tid;
	unsigned int	 n;		/* the thread's number */
	unsigned int	 ok;		/* store_change calls that succeeded */
	unsigned int	 grants;	/* 201s on the shared lock */
	uint64_t	 fences[GC_ROUNDS * 2];
	unsigned int	 nfences;
	int		 bad;		/* a decision that makes no sense */
};

/* What the commit hook saw: commits, the decisions they carried, the
 * commits that carried more than one; and the store_change calls begun
 * and returned. */
static size_t		gc_commits, gc_decisions, gc_shared;
static unsigned int	gc_entered, gc_left;

/* How long a commit waits for other calls to be under way, and then lets
 * them queue behind it. */
#define GC_GATHER_MS	200
#define GC_QUEUE_NS	1000000L

/*
 * The commit hook: counts. Until a commit has carried more than one
 * decision, each commit is slow, as one that waits for a disk's flush:
 * it waits (at most GC_GATHER_MS) until two calls besides those of its
 * batch are under way, then lets them queue for GC_QUEUE_NS; the next
 * write transaction then finds both queued. Without group commit no
 * commit would carry two, however slow.
 */
static void
gc_count(uint64_t us, size_t n, void *arg)
{
	struct timespec	 ts = { 0, GC_QUEUE_NS };
	int64_t		 end;

	(void)us;
	(void)arg;
	__atomic_add_fetch(&gc_commits, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&gc_decisions, n, __ATOMIC_SEQ_CST);
	if (n > 1)
		__atomic_add_fetch(&gc_shared, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&gc_shared, __ATOMIC_SEQ_CST) > 0)
		return;
	end = test_monotonic_ms() + GC_GATHER_MS;
	while (__atomic_load_n(&gc_entered, __ATOMIC_SEQ_CST) -
	    __atomic_load_n(&gc_left, __ATOMIC_SEQ_CST) < n + 2 &&
	    test_monotonic_ms() < end)
		sched_yield();
	nanosleep(&ts, NULL);
}

/* store_change, counted as under way while it runs. */
static int
gc_change(const struct store_key *k, const struct lock_op *o,
    struct lock_decision *d)
{
	int	 rc;

	__atomic_add_fetch(&gc_entered, 1, __ATOMIC_SEQ_CST);
	rc = store_change(st, k, o, d);
	__atomic_add_fetch(&gc_left, 1, __ATOMIC_SEQ_CST);
	return rc;
}

/* Each round: a lock of its own, then the shared lock 0 with its owner,
 * released again when it got it. */
static void *
gc_run(void *arg)
{
	struct gc_thread	*t = arg;
	struct lock_decision	 d;
	struct lock_put		 req;
	struct lock_op		 put_op, delete_op;
	struct store_key	 k;
	char			 owner[16];
	unsigned int		 i;

	snprintf(owner, sizeof(owner), "t%u", t->n);
	for (i = 0; i < GC_ROUNDS; i++) {
		memset(&req, 0, sizeof(req));
		req.default_ttl_ms = DEFAULT_TTL_MS;
		req.owner = owner;
		req.owner_len = strlen(owner);
		put_op = op(LOCK_OP_PUT, &req);
		delete_op = op(LOCK_OP_DELETE, &req);
		k = key(1 + t->n * GC_ROUNDS + i);
		if (gc_change(&k, &put_op, &d) == STORE_OK) {
			t->ok++;
			if (d.verdict != LOCK_ACQUIRED)
				t->bad = 1;
			t->fences[t->nfences++] = d.shown.fence;
			lock_decision_free(&d);
		}
		k = key(0);
		if (gc_change(&k, &put_op, &d) != STORE_OK)
			continue;
		t->ok++;
		if (d.verdict == LOCK_ACQUIRED) {
			t->grants++;
			t->fences[t->nfences++] = d.shown.fence;
			lock_decision_free(&d);
			if (gc_change(&k, &delete_op, &d) != STORE_OK)
				continue;
			t->ok++;
			if (d.verdict != LOCK_REMOVED)
				t->bad = 1;
		} else if (d.verdict != LOCK_HELD_OTHER)
			t->bad = 1;
		lock_decision_free(&d);
	}
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
test_group_commit(void)
{
	static struct gc_thread	 t[GC_THREADS];
	static uint64_t		 all[GC_THREADS * GC_ROUNDS * 2];
	size_t			 n = 0, i, j, ok = 0, grants = 0;
	int			 bad = 0, dup = 0;

	CU_ASSERT_EQUAL_FATAL(open_store(16 * MIB, 100000, SWEEP_BATCH),
	    STORE_OK);
	gc_commits = gc_decisions = gc_shared = 0;
	gc_entered = gc_left = 0;
	store_on_commit(st, gc_count, NULL);
	for (i = 0; i < GC_THREADS; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].n = (unsigned int)i;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i].tid, NULL, gc_run,
		    &t[i]), 0);
	}
	for (i = 0; i < GC_THREADS; i++) {
		pthread_join(t[i].tid, NULL);
		ok += t[i].ok;
		grants += t[i].grants;
		bad |= t[i].bad;
		for (j = 0; j < t[i].nfences; j++)
			all[n++] = t[i].fences[j];
	}
	CU_ASSERT_FALSE(bad);
	/* Every call was answered, and every answer was committed. */
	CU_ASSERT_EQUAL(ok, GC_THREADS * GC_ROUNDS * 2 + grants);
	CU_ASSERT_EQUAL(gc_decisions, ok);
	CU_ASSERT_EQUAL(gc_left, gc_entered);
	/* Decisions made at once shared commits. */
	test_assert(gc_shared > 0 && gc_commits < gc_decisions, TEST_HERE,
	    "%zu commits for %zu decisions, %zu of them carrying more than "
	    "one", gc_commits, gc_decisions, gc_shared);
	/* Each grant took its own fence: 1 to n, none twice. */
	qsort(all, n, sizeof(all[0]), cmp_u64);
	for (i = 0; i < n; i++)
		dup |= all[i] != i + 1;
	CU_ASSERT_FALSE(dup);
	CU_ASSERT_EQUAL(last_fence(), n);
	CU_ASSERT_EQUAL(records(), GC_THREADS * GC_ROUNDS);
	CU_ASSERT(grants > 0);
}

/* Collects the ids (their last byte) store_list() hands over. */
struct seen {
	int		 n;
	uint8_t		 last[16];
};

static int
collect(const struct store_item *it, int64_t now, void *arg)
{
	struct seen	*s = arg;

	(void)now;
	if (s->n < 16)
		s->last[s->n] = it->key.id[15];
	s->n++;
	return 0;
}

static void
test_list_pages(void)
{
	struct lock_decision	 d;
	struct store_key	 after;
	struct seen		 s;
	uint32_t		 n;
	int			 more;

	CU_ASSERT_EQUAL_FATAL(open_store(MIB, 1000, SWEEP_BATCH), STORE_OK);
	for (n = 1; n <= 5; n++) {
		CU_ASSERT_EQUAL_FATAL(put(n, n == 3 ? 1000 : 0, &d), STORE_OK);
		lock_decision_free(&d);
	}
	test_now += 1000;	/* lock 3 has expired: not listed */
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(store_list(st, NULL, 2, collect, &s, &more), STORE_OK);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_EQUAL(s.last[0], key(1).id[15]);
	CU_ASSERT_EQUAL(s.last[1], key(2).id[15]);
	CU_ASSERT_EQUAL(more, 1);
	after = key(2);
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(store_list(st, &after, 2, collect, &s, &more),
	    STORE_OK);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_EQUAL(s.last[0], key(4).id[15]);
	CU_ASSERT_EQUAL(s.last[1], key(5).id[15]);
	CU_ASSERT_EQUAL(more, 0);
	/* A cursor whose lock has gone since still finds the next ones. */
	after = key(3);
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(store_list(st, &after, 10, collect, &s, &more),
	    STORE_OK);
	CU_ASSERT_EQUAL(s.n, 2);
	CU_ASSERT_EQUAL(more, 0);
}

static void
test_network_fs(void)
{
	CU_ASSERT_STRING_EQUAL(store_network_fs(0x6969), "nfs");
	CU_ASSERT_STRING_EQUAL(store_network_fs((long)0xff534d42), "cifs");
	CU_ASSERT_STRING_EQUAL(store_network_fs((long)0xfe534d42), "smb2");
	CU_ASSERT_PTR_NULL(store_network_fs(0xef53));		/* ext4 */
	CU_ASSERT_PTR_NULL(store_network_fs(0x58465342));	/* xfs */
	CU_ASSERT_PTR_NULL(store_network_fs(0x01021994));	/* tmpfs */
}

int
test_store_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "open an empty store", test_open_empty },
		{ "semaphore holders each take a fence",
		    test_semaphore_fences },
		{ "acquire, refresh, get, delete",
		    test_acquire_refresh_get_delete },
		{ "fences 1, 2, 3; a refresh keeps its fence", test_fences },
		{ "fence grows across close and open",
		    test_fence_after_reopen },
		{ "fence grows across delete, expiry, sweep",
		    test_fence_after_delete_expiry_sweep },
		{ "an expired record is acquired anew",
		    test_expired_record_reacquired },
		{ "store_view never writes", test_view_never_writes },
		{ "expiry at the exact ms", test_expiry_exact_ms },
		{ "sweep at the exact ms", test_sweep_exact_ms },
		{ "sweep takes one batch per call", test_sweep_batch },
		{ "sweep keeps up with 100,000 short locks",
		    test_sweep_keeps_up },
		{ "without the sweeper the same load fills the map",
		    test_no_sweep_fills },
		{ "max_records: new refused, old still served",
		    test_max_records },
		{ "full 1 MiB map: old still served, room comes back",
		    test_full_map },
		{ "a map grown by another process is taken",
		    test_map_grown_elsewhere },
		{ "the listing: live locks only, in pages", test_list_pages },
		{ "the cancellation hook: asked of waiting PUTs only",
		    test_cancel_check },
		{ "group commit: threads at once, fences unique",
		    test_group_commit },
		{ "network filesystems are known", test_network_fs },
	};
	CU_pSuite	 s;
	size_t		 i;

	s = CU_add_suite_with_setup_and_teardown("store", NULL, NULL, setup,
	    teardown);
	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
