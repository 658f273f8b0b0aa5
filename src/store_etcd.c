/*
 * store_etcd.c: locks kept in an etcd cluster that many hosts share
 * (store.h), through etcd_client.c.
 *
 * Keys: PREFIX "locks/" then "g" (getlock) or "l" (LSS) and the id in 32
 * hex digits, so that etcd's key order is LMDB's (kind, then id); PREFIX
 * "meta/fence-base" holds the fence base (etcd_raise_fences). A value is
 * a 16-byte write id, then the record (record.h).
 *
 * Expiry index: a record that may be swept at time T (sweep_time) has
 * an empty key PREFIX "expiry/" T (16 digits) "/" and its own key's end,
 * written by the same txn as the record, so both carry the same
 * mod_revision. A sweep reads the index up to now and deletes a record
 * only if its mod_revision is still its index entry's: unchanged since,
 * so still expired.
 *
 * One decision: a linearizable read of the key, the clock, lock_decide(),
 * and a txn that writes only if the key's mod_revision is still the one
 * read (create_revision 0 when it was absent); its failure branch reads
 * the key again, so a conflict is decided again without another round
 * trip. Nothing is answered before the txn has succeeded.
 *
 * Fences: a hold granted by the txn of revision R has fence BASE + R.
 * etcd's revision grows with every write of the cluster, so fences grow
 * strictly across all hosts and locks, with no key that every grant must
 * write. The record cannot hold R before the txn is done: it is written
 * with FENCE_PENDING, which any later read turns into BASE + the key's
 * mod_revision (the txn that wrote it), and the next write stores.
 *
 * A write whose answer is lost (a timeout, a reset) may or may not be
 * done: the key is read again. Its write id there: done. The key as it
 * was: not done, and decided again (the txn that went out compares the
 * old mod_revision, so if it is applied late it changes nothing). Anything
 * else: STORE_ERROR (503), never a success that may not have happened.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "etcd_client.h"
#include "etcd_codec.h"
#include "log.h"
#include "random.h"
#include "record.h"
#include "store.h"

#define FENCE_PENDING	UINT64_MAX
#define BASE_KEY	"meta/fence-base"
#define WRITE_ID_LEN	16
#define KEY_MAX		(CONFIG_ETCD_PREFIX_MAX + 64)
/* Decisions made again after a conflict, at most: with many writers of
 * one key, each round lets one of them through. From the third conflict
 * on, a writer pauses for a random time of up to one millisecond per
 * conflict (at most BACKOFF_MAX_US), so that they stop meeting. */
#define CONFLICTS_MAX	200
#define BACKOFF_MAX_US	20000
/* How often a process sweeps a page of expired records, and how many
 * keys a page reads. */
#define SWEEP_EVERY_MS	100
/* How long after its last hold's end a getlock record is swept. */
#define SWEEP_MARGIN_MS	5000
/* Records one sweep deletes at most: 2 ops each, and etcd takes 128 ops
 * per txn by default (--max-txn-ops). */
#define SWEEP_BATCH	32
/* How long a count of the records is good for max_records, and how far
 * below it the count must be to be used. */
#define COUNT_TTL_MS	1000
#define COUNT_SLACK	1000
/* Between two watch streams. */
#define WATCH_PAUSE_MS	200

struct etcd_store {
	const struct store_hooks *hooks;
	struct etcd_client	*client;
	int64_t			(*clock)(void);
	uint64_t		 max_records;
	int64_t			 max_wait_ms;	/* how long cancel keys
						 * matter */
	char			 prefix[CONFIG_ETCD_PREFIX_MAX + 1];
	size_t			 prefix_len;
	uint8_t			 writer[8];	/* this process's part of
						 * every write id */
	uint64_t		 writes;	/* atomic: the other part */

	pthread_mutex_t		 mu;		/* what follows */
	int			 base_known;
	uint64_t		 base;		/* the fence base */
	int64_t			 counted_at;	/* store clock */
	int64_t			 count;
	int64_t			 swept_at;

	/* The watch (store_watch), and the sweeper, in threads of their
	 * own. */
	int			 threads;	/* started */
	pthread_t		 watcher;
	pthread_t		 sweeper;
	int			 stopping;	/* atomic */
	pthread_cond_t		 stop_cv;
	int64_t			 watch_rev;	/* the next revision wanted */
};

/* ------------------------------------------------------------------ */
/* Keys and values */

static size_t
make_key(const struct etcd_store *s, const struct store_key *k, char *out)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 n = s->prefix_len, i;

	memcpy(out, s->prefix, n);
	memcpy(out + n, "locks/", 6);
	n += 6;
	out[n++] = k->kind == LOCK_KIND_LSS ? 'l' : 'g';
	for (i = 0; i < LOCK_ID_LEN; i++) {
		out[n++] = hex[k->id[i] >> 4];
		out[n++] = hex[k->id[i] & 15];
	}
	out[n] = '\0';
	return n;
}

/* The range of every lock: [PREFIX "locks/", PREFIX "locks0"). */
static size_t
locks_start(const struct etcd_store *s, char *out)
{
	memcpy(out, s->prefix, s->prefix_len);
	memcpy(out + s->prefix_len, "locks/", 7);
	return s->prefix_len + 6;
}

static size_t
locks_end(const struct etcd_store *s, char *out)
{
	char	 start[KEY_MAX];
	size_t	 n = locks_start(s, start);

	return etcd_range_end(start, n, out);
}

/*
 * The expiry index entry of key[0..keylen), a lock's key (PREFIX "locks/"
 * then "g" or "l" and the id) or a wait-cancel key (PREFIX "wake/w" and
 * 16 hex digits): "expiry/" T "/" then the lock key's end, or "w" and the
 * cancel key's digits.
 */
static size_t
index_key(const struct etcd_store *s, int64_t when, const char *key,
    size_t keylen, char *out)
{
	size_t	 n, skip = s->prefix_len + 6;

	n = (size_t)snprintf(out, KEY_MAX, "%sexpiry/%016" PRId64 "/",
	    s->prefix, when);
	if (memcmp(key + s->prefix_len, "wake/w", 6) == 0)
		out[n++] = 'w';
	memcpy(out + n, key + skip, keylen - skip);
	n += keylen - skip;
	out[n] = '\0';
	return n;
}

/* The key an index entry names: its length, or 0 for none. */
static size_t
index_lock_key(const struct etcd_store *s, const char *ik, size_t iklen,
    char *out)
{
	size_t		 head = s->prefix_len + 7 + 16 + 1, tail;
	const char	*dir = "locks/";

	if (iklen <= head || iklen - head + s->prefix_len + 6 >= KEY_MAX)
		return 0;
	if (ik[head] == 'w') {
		dir = "wake/w";
		head++;
	}
	tail = iklen - head;
	memcpy(out, s->prefix, s->prefix_len);
	memcpy(out + s->prefix_len, dir, 6);
	memcpy(out + s->prefix_len + 6, ik + head, tail);
	out[s->prefix_len + 6 + tail] = '\0';
	return s->prefix_len + 6 + tail;
}

/*
 * The keys every responder process watches, under PREFIX "wake/": one
 * that each release writes (the waiters of every host decide again), and
 * one per owner and lock (lock.h's wait_tag) that cancels the waits of
 * that owner on that lock. Writes that release nothing (new locks,
 * refreshes) wake nobody, as on LMDB.
 */
#define RELEASED_KEY	"wake/released"

static size_t
cancel_key(const struct etcd_store *s, uint64_t tag, char *out)
{
	return (size_t)snprintf(out, KEY_MAX, "%swake/w%016" PRIx64,
	    s->prefix, tag);
}

/*
 * When a record may be swept (0: never). Each host sweeps by its own
 * clock: a getlock record waits SWEEP_MARGIN_MS more, so that a host whose
 * clock is ahead by less cannot end a hold early for every other host
 * (decisions on that host itself still see it end early). An LSS lock
 * past its retention is gone for every decision already (found_from).
 */
static int64_t
sweep_time(const struct lock_record *rec)
{
	int64_t	 at = lock_sweep_at(rec);

	return at > 0 && rec->kind == LOCK_KIND_GETLOCK ?
	    at + SWEEP_MARGIN_MS : at;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The lock an etcd key names: 0, or -1 when it is no lock's key. */
static int
parse_key(const struct etcd_store *s, const char *key, size_t len,
    struct store_key *k)
{
	const char	*p;
	size_t		 i;
	int		 hi, lo;

	if (len != s->prefix_len + 7 + 2 * LOCK_ID_LEN ||
	    memcmp(key, s->prefix, s->prefix_len) != 0 ||
	    memcmp(key + s->prefix_len, "locks/", 6) != 0)
		return -1;
	p = key + s->prefix_len + 6;
	if (*p == 'g')
		k->kind = LOCK_KIND_GETLOCK;
	else if (*p == 'l')
		k->kind = LOCK_KIND_LSS;
	else
		return -1;
	for (i = 0, p++; i < LOCK_ID_LEN; i++, p += 2) {
		if ((hi = hexval(p[0])) < 0 || (lo = hexval(p[1])) < 0)
			return -1;
		k->id[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static void
new_write_id(struct etcd_store *s, uint8_t id[WRITE_ID_LEN])
{
	uint64_t	 n;
	int		 i;

	n = __atomic_add_fetch(&s->writes, 1, __ATOMIC_RELAXED);
	memcpy(id, s->writer, 8);
	for (i = 0; i < 8; i++)
		id[8 + i] = (uint8_t)(n >> (8 * i));
}

/* Turns the pending fences of rec into fence. */
static void
settle_fences(struct lock_record *rec, uint64_t fence)
{
	size_t	 i;

	if (rec->fence == FENCE_PENDING)
		rec->fence = fence;
	for (i = 0; i < rec->nmore; i++)
		if (rec->more[i].fence == FENCE_PENDING)
			rec->more[i].fence = fence;
}

/*
 * Reads a stored value into rec, its pending fences settled with the
 * key's mod_revision. Returns 0, or -1 (logged) for a value that is no
 * record.
 */
static int
decode_value(struct etcd_store *s, const struct etcd_kv *kv,
    struct lock_record *rec)
{
	if (kv->valuelen < WRITE_ID_LEN ||
	    record_decode((const uint8_t *)kv->value + WRITE_ID_LEN,
	    kv->valuelen - WRITE_ID_LEN, rec) == -1) {
		log_error("etcd: corrupt record of %zu bytes under %.*s",
		    kv->valuelen, (int)kv->keylen, kv->key);
		return -1;
	}
	settle_fences(rec, s->base + (uint64_t)kv->mod_revision);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Calls */

/*
 * Sends op alone (range, put or delete). Returns STORE_OK with the
 * answer in a (free it with etcd_answer_free), STORE_FULL, or STORE_ERROR
 * (logged when etcd refused it).
 */
static int
call_op(struct etcd_store *s, const struct etcd_op *op,
    struct etcd_answer *a)
{
	struct buf		 body, ans;
	struct etcd_error	 err;
	enum etcd_call		 c;
	int			 rc = STORE_ERROR;

	buf_init(&body);
	buf_init(&ans);
	etcd_req_op(&body, op);
	if (buf_failed(&body))
		goto done;
	c = etcd_client_call(s->client, etcd_op_path(op->type), &body,
	    op->type == ETCD_OP_RANGE ? ETCD_READ : ETCD_WRITE, &ans, &err);
	if (c == ETCD_CALL_OK) {
		if (etcd_parse_op(ans.data, ans.len, op->type, a, &err) ==
		    ETCD_OK)
			rc = STORE_OK;
		else
			log_error("etcd: an answer that is not one");
	} else if (c == ETCD_CALL_REFUSED) {
		log_error("etcd refused a request: %d %s", err.code,
		    err.message);
		if (err.code == 8)
			rc = STORE_FULL;
	}
done:
	buf_free(&body);
	buf_free(&ans);
	return rc;
}

/* A linearizable read of one key: STORE_OK with the answer in a. */
static int
read_key(struct etcd_store *s, const char *key, size_t keylen,
    struct etcd_answer *a)
{
	struct etcd_op	 op;

	memset(&op, 0, sizeof(op));
	op.type = ETCD_OP_RANGE;
	op.key = key;
	op.keylen = keylen;
	return call_op(s, &op, a);
}

/* Reads the fence base, once per process. Returns STORE_OK or
 * STORE_ERROR. */
static int
load_base(struct etcd_store *s)
{
	struct etcd_answer	 a;
	char			 key[KEY_MAX], num[32];
	uint64_t		 base = 0;
	size_t			 n;
	int			 known;

	pthread_mutex_lock(&s->mu);
	known = s->base_known;
	pthread_mutex_unlock(&s->mu);
	if (known)
		return STORE_OK;
	n = (size_t)snprintf(key, sizeof(key), "%s%s", s->prefix,
	    BASE_KEY);
	if (read_key(s, key, n, &a) != STORE_OK)
		return STORE_ERROR;
	if (a.nkvs == 1) {
		if (a.kvs[0].valuelen >= sizeof(num)) {
			etcd_answer_free(&a);
			log_error("etcd: %s is not a number", key);
			return STORE_ERROR;
		}
		memcpy(num, a.kvs[0].value, a.kvs[0].valuelen);
		num[a.kvs[0].valuelen] = '\0';
		base = strtoull(num, NULL, 10);
	}
	etcd_answer_free(&a);
	pthread_mutex_lock(&s->mu);
	s->base = base;
	s->base_known = 1;
	pthread_mutex_unlock(&s->mu);
	return STORE_OK;
}

static size_t	sweep_some(struct etcd_store *, int64_t);

/* The records now: the count of every lock key (STORE_OK), kept for the
 * next COUNT_TTL_MS, and the cluster's revision then (rev may be NULL). */
static int
count_records(struct etcd_store *s, int64_t now, int64_t *count,
    int64_t *rev)
{
	struct etcd_answer	 a;
	struct etcd_op		 op;
	char			 start[KEY_MAX], end[KEY_MAX];

	memset(&op, 0, sizeof(op));
	op.type = ETCD_OP_RANGE;
	op.key = start;
	op.keylen = locks_start(s, start);
	op.range_end = end;
	op.range_end_len = locks_end(s, end);
	op.limit = 1;
	if (call_op(s, &op, &a) != STORE_OK)
		return STORE_ERROR;
	*count = a.count;
	if (rev != NULL)
		*rev = a.header.revision;
	etcd_answer_free(&a);
	pthread_mutex_lock(&s->mu);
	s->count = *count;
	s->counted_at = now;
	pthread_mutex_unlock(&s->mu);
	return STORE_OK;
}

/*
 * Whether a new record fits under max_records. A count up to COUNT_TTL_MS
 * old will do while far from the limit; near it the records are counted
 * again, and at it the expired ones are swept first, as LMDB's writes do.
 * Writers on other processes may pass the limit by the records they
 * create at the same instant. Returns STORE_OK, STORE_FULL or
 * STORE_ERROR.
 */
static int
room_for_new(struct etcd_store *s, int64_t now)
{
	int64_t	 count;
	int	 fresh;

	pthread_mutex_lock(&s->mu);
	count = s->count;
	fresh = now - s->counted_at < COUNT_TTL_MS &&
	    (uint64_t)count + COUNT_SLACK < s->max_records;
	if (fresh)
		s->count++;	/* this one, until the next count */
	pthread_mutex_unlock(&s->mu);
	if (fresh)
		return STORE_OK;
	if (count_records(s, now, &count, NULL) != STORE_OK)
		return STORE_ERROR;
	if ((uint64_t)count >= s->max_records && sweep_some(s, now) > 0 &&
	    count_records(s, now, &count, NULL) != STORE_OK)
		return STORE_ERROR;
	return (uint64_t)count >= s->max_records ? STORE_FULL : STORE_OK;
}

/* ------------------------------------------------------------------ */
/* Decisions */

/*
 * What a decision found under the key: a value (exists), and whether it
 * is a lock to decide on (live): an LSS lock past its retention is gone,
 * whether or not a sweep has deleted it yet (LMDB's writes sweep it before
 * they decide).
 */
struct found {
	int		 exists;
	int		 live;		/* rec is set */
	int64_t		 mod_revision;
	int64_t		 sweep_at;	/* of the stored record */
	int64_t		 cancel_rev;	/* the owner's waits were cancelled
					 * at this revision; 0: never */
	struct lock_record rec;
};

static void
found_free(struct found *f)
{
	if (f->live)
		lock_record_free(&f->rec);
	f->live = 0;
}

/* Takes the key's state at now from a range answer (0 or 1 kvs).
 * Returns STORE_OK or STORE_ERROR. */
static int
found_from(struct etcd_store *s, const struct etcd_answer *a, int64_t now,
    struct found *f)
{
	memset(f, 0, sizeof(*f));
	if (a->nkvs == 0)
		return STORE_OK;
	if (decode_value(s, &a->kvs[0], &f->rec) == -1)
		return STORE_ERROR;
	f->exists = 1;
	f->mod_revision = a->kvs[0].mod_revision;
	f->sweep_at = sweep_time(&f->rec);
	if (f->rec.kind == LOCK_KIND_LSS && lock_sweepable(&f->rec, now))
		lock_record_free(&f->rec);
	else
		f->live = 1;
	return STORE_OK;
}

/*
 * Decides op on the record cur (NULL: none): a waiting PUT first learns
 * whether its owner has cancelled it. Grants take FENCE_PENDING.
 */
static void
decide(struct etcd_store *s, const struct found *f, int64_t now,
    const struct lock_op *op, struct lock_decision *out)
{
	const struct store_hooks	*h = s->hooks;
	const struct lock_record	*cur = f->live ? &f->rec : NULL;
	struct lock_op			 waited;

	/* Cancelled through this host (the hook), or through any host
	 * since the wait began (the cancel key, read with the record). */
	if (op->kind == LOCK_OP_PUT && op->u.put.waiting &&
	    ((h->cancelled != NULL && h->cancelled(op->u.put.wait_tag,
	    op->u.put.wait_mark, h->cancelled_arg)) ||
	    (op->u.put.wait_rev > 0 &&
	    (uint64_t)f->cancel_rev > op->u.put.wait_rev))) {
		waited = *op;
		waited.u.put.cancelled = 1;
		lock_decide(cur, now, FENCE_PENDING, &waited, out);
		return;
	}
	lock_decide(cur, now, FENCE_PENDING, op, out);
}

/* The decision is durable at revision rev: its fences, the hooks. */
static void
decided(struct etcd_store *s, const struct store_key *key,
    struct lock_decision *d, int64_t rev, uint64_t t0)
{
	const struct store_hooks	*h = s->hooks;
	struct timespec			 ts;

	settle_fences(&d->record, s->base + (uint64_t)rev);
	if (d->has_shown && d->shown.fence == FENCE_PENDING)
		d->shown.fence = s->base + (uint64_t)rev;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (h->on_commit != NULL)
		h->on_commit((uint64_t)ts.tv_sec * 1000000 +
		    (uint64_t)ts.tv_nsec / 1000 - t0, 1, h->on_commit_arg);
	if (h->decided != NULL)
		h->decided(key, d, (uint64_t)rev << 16, h->decided_arg);
}

static uint64_t
monotonic_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * The writes of one decision that went out and whose answers were lost:
 * each may still be applied, by a member that takes it late, for as long
 * as the key is as that write found it.
 */
#define LOST_MAX	4

struct lost {
	size_t			 n;
	uint8_t			 wid[LOST_MAX][WRITE_ID_LEN];
	int64_t			 from[LOST_MAX];	/* the mod_revision it
							 * compared; 0: absent */
	struct lock_decision	 d[LOST_MAX];
};

static void
lost_free(struct lost *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		lock_decision_free(&l->d[i]);
	l->n = 0;
}

/*
 * Which lost write, if any, a read of the key (a: 0 or 1 kvs) shows done:
 * its write id in the value, or, for a delete, the key gone (or made
 * anew) since the value it compared. Returns its index with *rev, the
 * revision it was done at (for a delete, one at or after it), or -1.
 */
static int
lost_done(const struct lost *l, const struct etcd_answer *a, int64_t *rev)
{
	const struct etcd_kv	*kv = a->nkvs == 1 ? &a->kvs[0] : NULL;
	size_t			 i;

	for (i = 0; i < l->n; i++) {
		if (l->d[i].write == LOCK_WRITE_PUT) {
			if (kv != NULL && kv->valuelen >= WRITE_ID_LEN &&
			    memcmp(kv->value, l->wid[i], WRITE_ID_LEN) == 0) {
				*rev = kv->mod_revision;
				return (int)i;
			}
		} else if (l->from[i] != 0 && (kv == NULL ||
		    kv->create_revision > l->from[i])) {
			/* Gone: this delete, or a sweep of what it deleted. */
			*rev = a->header.revision;
			return (int)i;
		}
	}
	return -1;
}

/* Makes lost write i the decision's answer, out (if any) freed. */
static void
lost_take(struct lost *l, int i, struct lock_decision *out, int has_out)
{
	if (has_out)
		lock_decision_free(out);
	*out = l->d[i];
	l->d[i] = l->d[--l->n];
	lost_free(l);
}

/*
 * After a lost answer (the write is l's last): a read of the key tells.
 * Returns 1 when a lost write was done (*out is its decision, *rev its
 * revision), 0 when none was (the key is as the last one found it:
 * decide again), -1 when it cannot be told.
 */
static int
find_outcome(struct etcd_store *s, const char *key, size_t keylen,
    struct lost *l, struct lock_decision *out, int64_t *rev)
{
	struct etcd_answer	 a;
	int			 i, rc = -1;

	if (read_key(s, key, keylen, &a) != STORE_OK)
		return -1;
	if ((i = lost_done(l, &a, rev)) >= 0) {
		lost_take(l, i, out, 0);
		rc = 1;
	} else if (l->from[l->n - 1] != 0 && a.nkvs == 1 &&
	    a.kvs[0].mod_revision == l->from[l->n - 1])
		rc = 0;
	/* An absent key still absent tells nothing: the write may have
	 * created it and another host deleted it since. */
	etcd_answer_free(&a);
	return rc;
}

static void	sweep_page(struct etcd_store *, int64_t);

/* Sleeps a random time of up to tries ms (at most BACKOFF_MAX_US). */
static void
back_off(struct etcd_store *s, size_t tries)
{
	struct timespec	 ts;
	uint32_t	 r;
	uint64_t	 us = tries * 1000;

	if (us > BACKOFF_MAX_US)
		us = BACKOFF_MAX_US;
	if (random_bytes(&r, sizeof(r)) == -1)
		r = (uint32_t)s->writes;
	us = r % us;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)us * 1000;
	if (s->hooks->on_wait != NULL)
		s->hooks->on_wait();
	nanosleep(&ts, NULL);
}

/*
 * Takes f from what a txn read: the key (first answer) and, when ck is
 * set, the cancel key (second answer). Returns STORE_OK or STORE_ERROR.
 */
static int
found_from_txn(struct etcd_store *s, const struct etcd_txn_answer *t,
    const char *ck, struct found *f)
{
	size_t	 want = ck != NULL ? 2 : 1, i;

	memset(f, 0, sizeof(*f));
	if (t->nresponses != want)
		return STORE_ERROR;
	for (i = 0; i < want; i++)
		if (t->responses[i].type != ETCD_OP_RANGE)
			return STORE_ERROR;
	if (found_from(s, &t->responses[0], s->clock(), f) != STORE_OK)
		return STORE_ERROR;
	if (ck != NULL && t->responses[1].nkvs == 1)
		f->cancel_rev = t->responses[1].kvs[0].mod_revision;
	return STORE_OK;
}

/*
 * Reads the key into f (a linearizable read); with ck, the cancel key
 * too, in the same read (a txn of two ranges).
 */
static int
read_found(struct etcd_store *s, const char *k, size_t klen, const char *ck,
    size_t cklen, struct found *f)
{
	struct etcd_answer	 a;
	struct etcd_txn_answer	 t;
	struct etcd_op		 get[2];
	struct etcd_txn		 txn;
	struct etcd_error	 err;
	struct buf		 body, ans;
	int			 rc = STORE_ERROR;

	if (ck == NULL) {
		if (read_key(s, k, klen, &a) != STORE_OK)
			return STORE_ERROR;
		rc = found_from(s, &a, s->clock(), f);
		etcd_answer_free(&a);
		return rc;
	}
	memset(get, 0, sizeof(get));
	get[0].type = get[1].type = ETCD_OP_RANGE;
	get[0].key = k;
	get[0].keylen = klen;
	get[1].key = ck;
	get[1].keylen = cklen;
	memset(&txn, 0, sizeof(txn));
	txn.success = get;
	txn.nsuccess = 2;
	buf_init(&body);
	buf_init(&ans);
	etcd_req_txn(&body, &txn);
	if (!buf_failed(&body) && etcd_client_call(s->client, "/v3/kv/txn",
	    &body, ETCD_READ, &ans, &err) == ETCD_CALL_OK &&
	    etcd_parse_txn(ans.data, ans.len, &t, &err) == ETCD_OK) {
		rc = found_from_txn(s, &t, ck, f);
		etcd_txn_answer_free(&t);
	}
	buf_free(&body);
	buf_free(&ans);
	return rc;
}

/* One decision's state between its tries (etcd_change). */
struct change {
	struct etcd_store	*s;
	const struct store_key	*key;
	char			 k[KEY_MAX];	/* its etcd key */
	size_t			 klen;
	/* The owner's cancel key (cancel_key()), for a waiting PUT (read
	 * with the key, its txn compares it) and an owner's DELETE (which
	 * writes it); else ck is NULL. */
	char			 ckbuf[KEY_MAX];
	const char		*ck;
	size_t			 cklen;
	uint64_t		 wait_rev;	/* a waiting PUT's start */
	int			 cancels;	/* an owner's DELETE */
	int			 lean;		/* at etcd's space quota: a
						 * release writes nothing but
						 * its delete */
	int			 known;		/* f was read, not assumed */
	struct found		 f;
	struct lost		 lost;
	struct buf		 body, ans;
	uint64_t		 t0;		/* when the txn was sent */
};

/* Reads c's key (and cancel key) into c->f. */
static int
read_change(struct change *c)
{
	found_free(&c->f);
	return read_found(c->s, c->k, c->klen, c->wait_rev > 0 ? c->ck : NULL,
	    c->cklen, &c->f);
}

/*
 * Writes an owner's cancel key (and its expiry index entry), whatever was
 * there: waits of that owner on that lock begun before are cancelled.
 * Returns STORE_OK or STORE_ERROR.
 */
static int
write_cancel(struct change *c)
{
	struct etcd_op		 put[2];
	struct etcd_txn		 txn;
	struct etcd_txn_answer	 t;
	struct etcd_error	 err;
	char			 ix[KEY_MAX];
	int			 rc = STORE_ERROR;

	memset(put, 0, sizeof(put));
	put[0].type = put[1].type = ETCD_OP_PUT;
	put[0].key = c->ck;
	put[0].keylen = c->cklen;
	put[1].key = ix;
	put[1].keylen = index_key(c->s, c->s->clock() + c->s->max_wait_ms +
	    SWEEP_MARGIN_MS, c->ck, c->cklen, ix);
	memset(&txn, 0, sizeof(txn));
	txn.success = put;
	txn.nsuccess = 2;
	buf_reset(&c->body);
	etcd_req_txn(&c->body, &txn);
	/* A lost answer is a failure here: the DELETE answers 503, and
	 * the client may send it again. */
	if (!buf_failed(&c->body) && etcd_client_call(c->s->client,
	    "/v3/kv/txn", &c->body, ETCD_WRITE, &c->ans, &err) ==
	    ETCD_CALL_OK && etcd_parse_txn(c->ans.data, c->ans.len, &t,
	    &err) == ETCD_OK) {
		etcd_txn_answer_free(&t);
		rc = STORE_OK;
	}
	return rc;
}

/*
 * What a decision's txn compares: the key as found, and, for a waiting
 * PUT, no cancel since the wait began: the cancel key (absent: 0) last
 * written at or before the wait's start.
 */
static void
guard(const struct change *c, struct etcd_compare cmp[2])
{
	memset(cmp, 0, 2 * sizeof(cmp[0]));
	cmp[0].key = c->k;
	cmp[0].keylen = c->klen;
	cmp[0].cmp = ETCD_CMP_EQUAL;
	if (c->f.exists) {
		cmp[0].target = ETCD_TARGET_MOD;
		cmp[0].value = c->f.mod_revision;
	} else
		cmp[0].target = ETCD_TARGET_CREATE;
	cmp[1].key = c->ck;
	cmp[1].keylen = c->cklen;
	cmp[1].target = ETCD_TARGET_MOD;
	cmp[1].cmp = ETCD_CMP_LESS;
	cmp[1].value = (int64_t)c->wait_rev + 1;
}

/*
 * The txn of a decision's write: if the key is as found (and, for a
 * waiting PUT, no cancel since the wait began), the write and its expiry
 * index entry (the old one deleted), and for an owner's DELETE its cancel
 * key; else a read of the key (and the cancel key). Its body goes into
 * body.
 */
static void
write_txn(const struct change *c, const struct lock_decision *d,
    const uint8_t write_id[WRITE_ID_LEN], struct buf *body)
{
	const struct etcd_store	*s = c->s;
	const struct found	*f = &c->f;
	struct etcd_compare	 cmp[2];
	struct etcd_op		 ops[6], get[2];
	struct etcd_txn		 txn;
	char			 oldix[KEY_MAX], newix[KEY_MAX];
	char			 cix[KEY_MAX], rk[KEY_MAX];
	uint8_t			*value = NULL;
	int64_t			 oldat, newat;
	size_t			 n = 0, len = 0;

	guard(c, cmp);
	memset(ops, 0, sizeof(ops));
	ops[n].key = c->k;
	ops[n].keylen = c->klen;
	if (d->write == LOCK_WRITE_DELETE) {
		ops[n++].type = ETCD_OP_DELETE;
		newat = 0;
	} else {
		ops[n].type = ETCD_OP_PUT;
		len = WRITE_ID_LEN + record_size(&d->record);
		if ((value = malloc(len)) == NULL) {
			body->failed = 1;
			return;
		}
		memcpy(value, write_id, WRITE_ID_LEN);
		record_encode(&d->record, value + WRITE_ID_LEN);
		ops[n].value = (const char *)value;
		ops[n++].valuelen = len;
		newat = sweep_time(&d->record);
	}
	/* The new entry is written even when its time is the old one's:
	 * its mod_revision must be the record's. */
	oldat = f->exists ? f->sweep_at : 0;
	if (oldat > 0 && oldat != newat) {
		ops[n].type = ETCD_OP_DELETE;
		ops[n].key = oldix;
		ops[n++].keylen = index_key(s, oldat, c->k, c->klen, oldix);
	}
	if (newat > 0) {
		ops[n].type = ETCD_OP_PUT;
		ops[n].key = newix;
		ops[n++].keylen = index_key(s, newat, c->k, c->klen, newix);
	}
	if (c->cancels && !c->lean) {
		ops[n].type = ETCD_OP_PUT;
		ops[n].key = c->ck;
		ops[n++].keylen = c->cklen;
		ops[n].type = ETCD_OP_PUT;
		ops[n].key = cix;
		ops[n++].keylen = index_key(s, s->clock() + s->max_wait_ms +
		    SWEEP_MARGIN_MS, c->ck, c->cklen, cix);
	}
	if (d->verdict == LOCK_REMOVED && !c->lean) {
		ops[n].type = ETCD_OP_PUT;
		ops[n].key = rk;
		ops[n++].keylen = (size_t)snprintf(rk, sizeof(rk), "%s%s",
		    s->prefix, RELEASED_KEY);
	}
	memset(get, 0, sizeof(get));
	get[0].type = get[1].type = ETCD_OP_RANGE;
	get[0].key = c->k;
	get[0].keylen = c->klen;
	get[1].key = c->ck;
	get[1].keylen = c->cklen;
	memset(&txn, 0, sizeof(txn));
	txn.compare = cmp;
	txn.ncompare = c->wait_rev > 0 ? 2 : 1;
	txn.success = ops;
	txn.nsuccess = n;
	txn.failure = get;
	txn.nfailure = c->wait_rev > 0 ? 2 : 1;
	etcd_req_txn(body, &txn);
	free(value);
}

/*
 * Decides op on what c found. Returns 1 when the decision must be
 * written, 0 when the decision is made (*rc says how), -1 to decide
 * again on what a read found (a first guess was no good).
 */
static int
plan(struct change *c, const struct lock_op *op, struct lock_decision *out,
    int *rc)
{
	int64_t	 now = c->s->clock();
	int	 room = STORE_OK;

	decide(c->s, &c->f, now, op, out);
	/* Nothing to write, or no room for a new record: true only of what
	 * is really there. */
	if (out->write != LOCK_WRITE_NONE && (c->f.exists ||
	    (room = room_for_new(c->s, now)) == STORE_OK))
		return 1;
	/* An owner's DELETE that releases nothing still cancels the
	 * owner's waits: the cancel key first, then the decision again, so
	 * that a wait granted meanwhile is released (as on LMDB, where
	 * the cancel mark comes before the transaction). */
	if (out->write == LOCK_WRITE_NONE && c->cancels) {
		lock_decision_free(out);
		c->cancels = 0;
		c->known = 1;
		if (write_cancel(c) == STORE_OK && read_change(c) == STORE_OK)
			return -1;
		*rc = STORE_ERROR;
		return 0;
	}
	if (!c->known) {
		lock_decision_free(out);
		c->known = 1;
		if (read_change(c) == STORE_OK)
			return -1;
		*rc = STORE_ERROR;
		return 0;
	}
	if (out->write == LOCK_WRITE_NONE)
		*rc = STORE_OK;
	else {
		lock_decision_free(out);
		*rc = room;
	}
	return 0;
}

/*
 * What a txn that failed its compare read: a lost write of this decision
 * done late (then its decision is the answer: returns 0, *rc STORE_OK),
 * or else what to decide on next (returns 1; 0 with *rc STORE_ERROR when
 * it read nothing usable).
 */
static int
conflicted(struct change *c, struct etcd_txn_answer *t, size_t tries,
    struct lock_decision *out, int *rc)
{
	const struct etcd_answer	*read;
	int64_t				 rev;
	int				 i;

	read = t->nresponses >= 1 && t->responses[0].type == ETCD_OP_RANGE ?
	    &t->responses[0] : NULL;
	if (read != NULL && (i = lost_done(&c->lost, read, &rev)) >= 0) {
		lost_take(&c->lost, i, out, 1);
		decided(c->s, c->key, out, rev, c->t0);
		*rc = STORE_OK;
		return 0;
	}
	lock_decision_free(out);
	if (c->known && tries >= 2)
		back_off(c->s, tries);
	c->known = 1;
	found_free(&c->f);
	if (found_from_txn(c->s, t, c->wait_rev > 0 ? c->ck : NULL, &c->f) !=
	    STORE_OK) {
		*rc = STORE_ERROR;
		return 0;
	}
	return 1;
}

/*
 * Writes the decision out with a txn, and finds out how it went. Returns
 * 0 when the decision is made (*rc: STORE_OK with out, or a failure with
 * out holding nothing), 1 to decide again.
 */
static int
write_decision(struct change *c, size_t tries, struct lock_decision *out,
    int *rc)
{
	struct etcd_txn_answer	 t;
	struct etcd_error	 err;
	struct lost		*l = &c->lost;
	int64_t			 rev;
	enum etcd_call		 call;
	int			 again;

	*rc = STORE_ERROR;
	if (l->n == LOST_MAX) {
		lock_decision_free(out);
		return 0;
	}
	new_write_id(c->s, l->wid[l->n]);
	buf_reset(&c->body);
	write_txn(c, out, l->wid[l->n], &c->body);
	if (buf_failed(&c->body)) {
		lock_decision_free(out);
		return 0;
	}
	c->t0 = monotonic_us();
	call = etcd_client_call(c->s->client, "/v3/kv/txn", &c->body,
	    ETCD_WRITE, &c->ans, &err);
	if (call == ETCD_CALL_UNKNOWN) {
		l->from[l->n] = c->f.exists ? c->f.mod_revision : 0;
		l->d[l->n++] = *out;
		switch (find_outcome(c->s, c->k, c->klen, l, out, &rev)) {
		case 1:
			decided(c->s, c->key, out, rev, c->t0);
			*rc = STORE_OK;
			return 0;
		case 0:
			return 1;
		default:
			log_warn("etcd: a write's answer was lost and a read "
			    "cannot tell whether it was done: 503");
			return 0;
		}
	}
	if (call != ETCD_CALL_OK ||
	    etcd_parse_txn(c->ans.data, c->ans.len, &t, &err) != ETCD_OK) {
		if (call == ETCD_CALL_REFUSED && err.code == 8 &&
		    out->write == LOCK_WRITE_DELETE && !c->lean) {
			/* At the space quota etcd takes deletes only: the
			 * release goes on without waking other hosts. */
			lock_decision_free(out);
			c->lean = 1;
			return 1;
		}
		if (call == ETCD_CALL_REFUSED) {
			log_error("etcd refused a txn: %d %s", err.code,
			    err.message);
			if (err.code == 8)
				*rc = STORE_FULL;
		} else if (call == ETCD_CALL_OK)
			log_error("etcd: a txn answer that is not one");
		lock_decision_free(out);
		return 0;
	}
	if (t.succeeded) {
		/* A lost write cannot be done now: each compared a state
		 * this write has changed. */
		decided(c->s, c->key, out, t.header.revision, c->t0);
		etcd_txn_answer_free(&t);
		*rc = STORE_OK;
		return 0;
	}
	/* Not as assumed, or changed meanwhile. */
	again = conflicted(c, &t, tries, out, rc);
	etcd_txn_answer_free(&t);
	return again;
}

/*
 * One decision (see the top of the file). A PUT or an LSS creation is
 * first decided as if the key were absent, with no read: its txn then
 * creates the key, or its failure branch reads it, and the decision is
 * made again on what it read. A new lock so costs one round trip.
 * Returns STORE_OK (out is the decision), STORE_FULL or STORE_ERROR (out
 * holds nothing).
 */
static int
etcd_change(void *impl, const struct store_key *key,
    const struct lock_op *op, struct lock_decision *out)
{
	struct change	 c;
	size_t		 tries;
	int		 rc = STORE_ERROR, p;

	memset(&c, 0, sizeof(c));
	c.s = impl;
	c.key = key;
	if (load_base(c.s) != STORE_OK)
		return STORE_ERROR;
	if (!c.s->threads)
		sweep_page(c.s, c.s->clock());
	c.klen = make_key(c.s, key, c.k);
	if (op->kind == LOCK_OP_PUT && op->u.put.waiting)
		c.wait_rev = op->u.put.wait_rev;
	c.cancels = op->kind == LOCK_OP_DELETE && op->u.put.owner_len > 0;
	if (c.wait_rev > 0 || c.cancels) {
		c.ck = c.ckbuf;
		c.cklen = cancel_key(c.s, op->u.put.wait_tag, c.ckbuf);
	}
	c.known = op->kind != LOCK_OP_PUT && op->kind != LOCK_OP_LSS_CREATE;
	if (c.known && read_change(&c) != STORE_OK)
		return STORE_ERROR;
	buf_init(&c.body);
	buf_init(&c.ans);
	for (tries = 0; tries < CONFLICTS_MAX; tries++) {
		if ((p = plan(&c, op, out, &rc)) == -1)
			continue;
		if (p == 0 || write_decision(&c, tries, out, &rc) == 0)
			break;
	}
	if (tries == CONFLICTS_MAX) {
		log_warn("etcd: %d conflicts in a row on one key: 503",
		    CONFLICTS_MAX);
		rc = STORE_ERROR;
	}
	lost_free(&c.lost);
	found_free(&c.f);
	buf_free(&c.body);
	buf_free(&c.ans);
	return rc;
}

/* Like etcd_change() for a request that changes nothing (GET, HEAD). */
static int
etcd_view(void *impl, const struct store_key *key, const struct lock_op *op,
    struct lock_decision *out)
{
	struct etcd_store	*s = impl;
	struct found		 f;
	char			 k[KEY_MAX], ck[KEY_MAX];
	size_t			 klen, cklen = 0;
	int			 waits;

	if (load_base(s) != STORE_OK)
		return STORE_ERROR;
	klen = make_key(s, key, k);
	/* A waiting PUT looks at its cancel key too. */
	waits = op->kind == LOCK_OP_PUT && op->u.put.waiting &&
	    op->u.put.wait_rev > 0;
	if (waits)
		cklen = cancel_key(s, op->u.put.wait_tag, ck);
	if (read_found(s, k, klen, waits ? ck : NULL, cklen, &f) != STORE_OK)
		return STORE_ERROR;
	decide(s, &f, s->clock(), op, out);
	found_free(&f);
	return STORE_OK;
}

/* ------------------------------------------------------------------ */
/* Sweeping, listing, counting */

/* A txn: if the ncmp compares hold, the n ops. Returns STORE_OK with *succeeded,
 * or STORE_ERROR (a lost answer is an error here: the caller may try
 * again, as a sweep does a second later). */
static int
call_txn(struct etcd_store *s, const struct etcd_compare *cmp, size_t ncmp,
    const struct etcd_op *ops, size_t n, int *succeeded)
{
	struct etcd_txn		 txn;
	struct etcd_txn_answer	 t;
	struct etcd_error	 err;
	struct buf		 body, ans;
	int			 rc = STORE_ERROR;

	memset(&txn, 0, sizeof(txn));
	txn.compare = cmp;
	txn.ncompare = ncmp;
	txn.success = ops;
	txn.nsuccess = n;
	buf_init(&body);
	buf_init(&ans);
	etcd_req_txn(&body, &txn);
	if (!buf_failed(&body) && etcd_client_call(s->client, "/v3/kv/txn",
	    &body, ETCD_WRITE, &ans, &err) == ETCD_CALL_OK &&
	    etcd_parse_txn(ans.data, ans.len, &t, &err) == ETCD_OK) {
		*succeeded = t.succeeded;
		etcd_txn_answer_free(&t);
		rc = STORE_OK;
	}
	buf_free(&body);
	buf_free(&ans);
	return rc;
}

/*
 * The entries of a sweep whose txn failed, one by one: each record with
 * its entry if the record is still the one the entry was written with,
 * else the entry alone, which no longer stands for anything (a record or
 * cancel key written again since has an entry of its own). Returns how
 * many records it deleted.
 */
static size_t
sweep_one_by_one(struct etcd_store *s, const struct etcd_compare *cmp,
    const struct etcd_op *del, size_t n)
{
	struct etcd_txn		 txn;
	struct etcd_txn_answer	 t;
	struct etcd_error	 err;
	struct buf		 body, ans;
	size_t			 i, swept = 0;

	buf_init(&body);
	buf_init(&ans);
	for (i = 0; i < n; i++) {
		memset(&txn, 0, sizeof(txn));
		txn.compare = &cmp[i];
		txn.ncompare = 1;
		txn.success = &del[2 * i];
		txn.nsuccess = 2;
		txn.failure = &del[2 * i + 1];
		txn.nfailure = 1;
		buf_reset(&body);
		etcd_req_txn(&body, &txn);
		if (buf_failed(&body) || etcd_client_call(s->client,
		    "/v3/kv/txn", &body, ETCD_WRITE, &ans, &err) !=
		    ETCD_CALL_OK ||
		    etcd_parse_txn(ans.data, ans.len, &t, &err) != ETCD_OK)
			break;
		swept += t.succeeded != 0;
		etcd_txn_answer_free(&t);
	}
	buf_free(&body);
	buf_free(&ans);
	return swept;
}

/*
 * Deletes the records the expiry index says are expired by now, at most
 * SWEEP_BATCH of them, with their index entries, in one txn that holds
 * only if each record is the one its entry was written with. When it does
 * not (a record changed meanwhile, another process swept first, or an
 * entry stands for nothing any more), they go one by one. Returns how
 * many it deleted.
 */
static size_t
sweep_some(struct etcd_store *s, int64_t now)
{
	struct etcd_answer	 a;
	struct etcd_op		 op, del[2 * SWEEP_BATCH];
	struct etcd_compare	 cmp[SWEEP_BATCH];
	char			 from[KEY_MAX], to[KEY_MAX];
	char			(*keys)[KEY_MAX];
	size_t			 i, n = 0;
	int			 ok = 0;

	memset(&op, 0, sizeof(op));
	op.type = ETCD_OP_RANGE;
	op.key = from;
	op.keylen = (size_t)snprintf(from, sizeof(from), "%sexpiry/",
	    s->prefix);
	/* Every entry of a time up to now: "T/..." sorts below "T0". */
	op.range_end = to;
	op.range_end_len = (size_t)snprintf(to, sizeof(to),
	    "%sexpiry/%016" PRId64 "0", s->prefix, now);
	op.limit = SWEEP_BATCH;
	op.serializable = 1;	/* each delete compares what it read */
	if ((keys = calloc(SWEEP_BATCH, sizeof(*keys))) == NULL)
		return 0;
	if (call_op(s, &op, &a) != STORE_OK) {
		free(keys);
		return 0;
	}
	memset(cmp, 0, sizeof(cmp));
	memset(del, 0, sizeof(del));
	for (i = 0; i < a.nkvs && n < SWEEP_BATCH; i++) {
		cmp[n].key = keys[n];
		if ((cmp[n].keylen = index_lock_key(s, a.kvs[i].key,
		    a.kvs[i].keylen, keys[n])) == 0)
			continue;
		cmp[n].target = ETCD_TARGET_MOD;
		cmp[n].cmp = ETCD_CMP_EQUAL;
		cmp[n].value = a.kvs[i].mod_revision;
		del[2 * n].type = ETCD_OP_DELETE;
		del[2 * n].key = keys[n];
		del[2 * n].keylen = cmp[n].keylen;
		del[2 * n + 1].type = ETCD_OP_DELETE;
		del[2 * n + 1].key = a.kvs[i].key;
		del[2 * n + 1].keylen = a.kvs[i].keylen;
		n++;
	}
	if (n > 0 && call_txn(s, cmp, n, del, 2 * n, &ok) != STORE_OK)
		n = 0;
	else if (n > 0 && !ok)
		n = sweep_one_by_one(s, cmp, del, n);
	etcd_answer_free(&a);
	free(keys);
	if (n > 0)
		log_debug("swept %zu expired records", n);
	return n;
}

/* A page of the sweep, when this process has not swept for
 * SWEEP_EVERY_MS. */
static void
sweep_page(struct etcd_store *s, int64_t now)
{
	int	 due;

	pthread_mutex_lock(&s->mu);
	due = now - s->swept_at >= SWEEP_EVERY_MS;
	if (due)
		s->swept_at = now;
	pthread_mutex_unlock(&s->mu);
	if (due)
		(void)sweep_some(s, now);
}

/* A sweep now, whenever it was last done (for the unit tests). */
static int
etcd_sweep(void *impl, size_t *swept)
{
	struct etcd_store	*s = impl;

	*swept = sweep_some(s, s->clock());
	return STORE_OK;
}

/* The counts: a real read of the cluster, for health. */
static int
etcd_stats(void *impl, struct store_stats *st)
{
	struct etcd_store	*s = impl;
	int64_t			 count, rev;

	memset(st, 0, sizeof(*st));
	st->file_bytes = -1;
	if (load_base(s) != STORE_OK ||
	    count_records(s, s->clock(), &count, &rev) != STORE_OK)
		return STORE_ERROR;
	st->records = (uint64_t)count;
	/* Every fence handed out so far is at most this. */
	st->fence = s->base + (uint64_t)rev;
	return STORE_OK;
}

/*
 * Calls fn for each live lock, in key order, after the key "after" when
 * not NULL, at most max of them, from linearizable reads of pages of
 * keys. *more is set when locks remain.
 */
static int
etcd_list(void *impl, const struct store_key *after, size_t max,
    store_list_fn *fn, void *arg, int *more)
{
	struct etcd_store	*s = impl;
	struct etcd_answer	 a;
	struct etcd_op		 op;
	struct lock_record	 rec;
	struct store_item	 item;
	char			 from[KEY_MAX], end[KEY_MAX];
	size_t			 fromlen, i, n = 0;
	int64_t			 now, rev = 0;
	int			 stop = 0, rc = STORE_OK;

	*more = 0;
	if (load_base(s) != STORE_OK)
		return STORE_ERROR;
	now = s->clock();
	if (after != NULL) {
		fromlen = make_key(s, after, from);
		from[fromlen++] = '\0';	/* the next key after it */
	} else
		fromlen = locks_start(s, from);
	memset(&op, 0, sizeof(op));
	op.type = ETCD_OP_RANGE;
	op.range_end = end;
	op.range_end_len = locks_end(s, end);
	for (;;) {
		op.key = from;
		op.keylen = fromlen;
		op.limit = (int64_t)(max - n) + 1;
		op.revision = rev;	/* every page as of the first */
		if (call_op(s, &op, &a) != STORE_OK)
			return STORE_ERROR;
		if (rev == 0)
			rev = a.header.revision;
		for (i = 0; i < a.nkvs && !stop; i++) {
			if (parse_key(s, a.kvs[i].key, a.kvs[i].keylen,
			    &item.key) == -1 ||
			    decode_value(s, &a.kvs[i], &rec) == -1)
				continue;
			if (lock_sweepable(&rec, now)) {
				lock_record_free(&rec);
				continue;
			}
			if (n == max) {
				lock_record_free(&rec);
				*more = 1;
				stop = 1;
				break;
			}
			item.rec = &rec;
			stop = fn(&item, now, arg);
			lock_record_free(&rec);
			n++;
		}
		if (stop || !a.more || a.nkvs == 0) {
			etcd_answer_free(&a);
			break;
		}
		fromlen = a.kvs[a.nkvs - 1].keylen;
		if (fromlen + 1 >= sizeof(from)) {
			etcd_answer_free(&a);
			rc = STORE_ERROR;
			break;
		}
		memcpy(from, a.kvs[a.nkvs - 1].key, fromlen);
		from[fromlen++] = '\0';
		etcd_answer_free(&a);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Copying from LMDB */

/* Stores the lock unless its key exists: *copied says which. */
static int
etcd_import(void *impl, const struct store_item *it, int *copied)
{
	struct etcd_store	*s = impl;
	struct etcd_compare	 cmp;
	struct etcd_op		 put[2];
	char			 k[KEY_MAX], ix[KEY_MAX];
	uint8_t			*value;
	int64_t			 at;
	size_t			 len;
	int			 rc;

	*copied = 0;
	memset(&cmp, 0, sizeof(cmp));
	cmp.key = k;
	cmp.keylen = make_key(s, &it->key, k);
	cmp.target = ETCD_TARGET_CREATE;
	cmp.cmp = ETCD_CMP_EQUAL;
	len = WRITE_ID_LEN + record_size(it->rec);
	if ((value = malloc(len)) == NULL)
		return STORE_ERROR;
	new_write_id(s, value);
	record_encode(it->rec, value + WRITE_ID_LEN);
	memset(put, 0, sizeof(put));
	put[0].type = ETCD_OP_PUT;
	put[0].key = k;
	put[0].keylen = cmp.keylen;
	put[0].value = (const char *)value;
	put[0].valuelen = len;
	put[1].type = ETCD_OP_PUT;
	put[1].key = ix;
	if ((at = sweep_time(it->rec)) > 0)
		put[1].keylen = index_key(s, at, k, cmp.keylen, ix);
	rc = call_txn(s, &cmp, 1, put, at > 0 ? 2 : 1, copied);
	free(value);
	return rc;
}

/*
 * Raises the fence base so that every fence handed out from now on is
 * above fence: base + revision, and a revision is at least 1. The base
 * never goes down. Responders read it once: raise it before they start.
 */
static int
etcd_raise_fences(void *impl, uint64_t fence)
{
	struct etcd_store	*s = impl;
	struct etcd_answer	 a;
	struct etcd_compare	 cmp;
	struct etcd_op		 put;
	char			 k[KEY_MAX], num[32];
	uint64_t		 old = 0;
	int			 tries, ok = 0;

	memset(&cmp, 0, sizeof(cmp));
	cmp.key = k;
	cmp.keylen = (size_t)snprintf(k, sizeof(k), "%s%s", s->prefix,
	    BASE_KEY);
	cmp.cmp = ETCD_CMP_EQUAL;
	for (tries = 0; tries < CONFLICTS_MAX && !ok; tries++) {
		if (read_key(s, k, cmp.keylen, &a) != STORE_OK)
			return STORE_ERROR;
		old = 0;
		cmp.target = ETCD_TARGET_CREATE;
		cmp.value = 0;
		if (a.nkvs == 1 && a.kvs[0].valuelen < sizeof(num)) {
			memcpy(num, a.kvs[0].value, a.kvs[0].valuelen);
			num[a.kvs[0].valuelen] = '\0';
			old = strtoull(num, NULL, 10);
			cmp.target = ETCD_TARGET_MOD;
			cmp.value = a.kvs[0].mod_revision;
		}
		etcd_answer_free(&a);
		if (old >= fence)
			break;
		snprintf(num, sizeof(num), "%" PRIu64, fence);
		memset(&put, 0, sizeof(put));
		put.type = ETCD_OP_PUT;
		put.key = k;
		put.keylen = cmp.keylen;
		put.value = num;
		put.valuelen = strlen(num);
		if (call_txn(s, &cmp, 1, &put, 1, &ok) != STORE_OK)
			return STORE_ERROR;
	}
	pthread_mutex_lock(&s->mu);
	s->base_known = 0;
	pthread_mutex_unlock(&s->mu);
	return old >= fence || ok ? STORE_OK : STORE_ERROR;
}

/* ------------------------------------------------------------------ */
/* Watching and sweeping in threads */

static int
stopping(void *arg)
{
	struct etcd_store	*s = arg;

	return __atomic_load_n(&s->stopping, __ATOMIC_ACQUIRE);
}

/* Sleeps ms, or less when the store is closing. Returns 1 when it is. */
static int
pause_ms(struct etcd_store *s, int64_t ms)
{
	struct timespec	 ts;
	int		 stop;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&s->mu);
	while (!(stop = stopping(s)) &&
	    pthread_cond_timedwait(&s->stop_cv, &s->mu, &ts) == 0)
		;
	pthread_mutex_unlock(&s->mu);
	return stop;
}

static void
changed(struct etcd_store *s)
{
	if (s->hooks->changed != NULL)
		s->hooks->changed(s->hooks->changed_arg);
}

/* etcd_line_fn: one line of the watch stream. */
static int
watch_line(const char *line, size_t len, void *arg)
{
	struct etcd_store	*s = arg;
	struct etcd_watch	 w;
	struct etcd_error	 err;
	int			 rc = 0;

	if (etcd_parse_watch(line, len, &w, &err) != ETCD_OK) {
		log_info("etcd: watch ended: %s", err.message);
		return -1;
	}
	if (w.compact_revision != 0 || w.canceled) {
		/* Too far behind: start again from now. */
		s->watch_rev = 0;
		rc = -1;
	} else if (w.header.revision > 0)
		s->watch_rev = w.header.revision + 1;
	/* A new stream may have missed changes; events are changes. */
	if (w.created || w.nevents > 0 || rc != 0)
		changed(s);
	etcd_watch_free(&w);
	return rc;
}

/*
 * The watch thread: one stream on the keys under PREFIX "wake/"; every
 * release or cancel there wakes this process's waiters, which decide
 * again. A stream that breaks wakes them too, and the next one starts
 * where it left off.
 */
static void *
watcher(void *arg)
{
	struct etcd_store	*s = arg;
	struct buf		 body;
	char			 start[KEY_MAX], end[KEY_MAX];
	size_t			 sl, el;

	/* Releases and cancelled waits (RELEASED_KEY, cancel_key()). */
	sl = (size_t)snprintf(start, sizeof(start), "%swake/", s->prefix);
	el = etcd_range_end(start, sl, end);
	buf_init(&body);
	while (!stopping(s)) {
		buf_reset(&body);
		etcd_req_watch(&body, start, sl, end, el, s->watch_rev, 0);
		(void)etcd_client_stream(s->client, "/v3/watch", &body,
		    watch_line, s, stopping, s);
		changed(s);
		if (pause_ms(s, WATCH_PAUSE_MS))
			break;
	}
	buf_free(&body);
	return NULL;
}

/* The sweeper thread: a batch every SWEEP_EVERY_MS, or at once after a
 * full one. */
static void *
sweeper(void *arg)
{
	struct etcd_store	*s = arg;

	while (!stopping(s))
		if (sweep_some(s, s->clock()) < SWEEP_BATCH &&
		    pause_ms(s, SWEEP_EVERY_MS))
			break;
	return NULL;
}

/*
 * The revision a waiting PUT begins at: a cancel key written later
 * cancels it. A linearizable read of the cancel key, whose answer carries
 * the cluster's revision. Returns STORE_OK or STORE_ERROR.
 */
static int
etcd_wait_mark(void *impl, uint64_t tag, uint64_t *mark)
{
	struct etcd_store	*s = impl;
	struct etcd_answer	 a;
	char			 ck[KEY_MAX];

	if (read_key(s, ck, cancel_key(s, tag, ck), &a) != STORE_OK)
		return STORE_ERROR;
	*mark = (uint64_t)a.header.revision;
	etcd_answer_free(&a);
	return STORE_OK;
}

static int
etcd_watch(void *impl)
{
	struct etcd_store	*s = impl;

	if (s->threads)
		return STORE_OK;
	if (pthread_create(&s->watcher, NULL, watcher, s) != 0) {
		log_error("pthread_create failed");
		return STORE_ERROR;
	}
	if (pthread_create(&s->sweeper, NULL, sweeper, s) != 0) {
		log_error("pthread_create failed");
		__atomic_store_n(&s->stopping, 1, __ATOMIC_RELEASE);
		pthread_join(s->watcher, NULL);
		return STORE_ERROR;
	}
	s->threads = 1;
	return STORE_OK;
}

static const char *
etcd_trouble(void *impl)
{
	struct etcd_store	*s = impl;
	static __thread char	 why[600];

	return etcd_client_trouble(s->client, why, sizeof(why));
}

/* ------------------------------------------------------------------ */
/* Opening */

/* Before a request thread waits for the cluster's answer. */
static void
announce_wait(void *arg)
{
	struct etcd_store	*s = arg;

	if (s->hooks->on_wait != NULL)
		s->hooks->on_wait();
}

static int
etcd_open(const struct store_options *opt, const struct store_hooks *hooks,
    void **out)
{
	struct etcd_store	*s;

	*out = NULL;
	if (opt->etcd == NULL || opt->etcd->nendpoints == 0 ||
	    strlen(opt->etcd->prefix) > CONFIG_ETCD_PREFIX_MAX) {
		log_error("etcd: no endpoints");
		return STORE_ERROR;
	}
	/* No lock is kept there, but waiting and metrics need it. */
	if (opt->path == NULL || store_local_dir(opt->path) == -1)
		return STORE_ERROR;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_error("calloc: %s", strerror(errno));
		return STORE_ERROR;
	}
	s->hooks = hooks;
	s->clock = opt->clock;
	s->max_records = opt->max_records;
	s->max_wait_ms = opt->max_wait_ms;
	s->prefix_len = strlen(opt->etcd->prefix);
	memcpy(s->prefix, opt->etcd->prefix, s->prefix_len + 1);
	if (random_bytes(s->writer, sizeof(s->writer)) == -1) {
		log_error("no random bytes for write ids");
		free(s);
		return STORE_ERROR;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->stop_cv, NULL);
	s->counted_at = INT64_MIN / 2;
	s->swept_at = INT64_MIN / 2;
	/* Reaching the cluster is not needed to start: a web server
	 * restarts responders that exit, in a loop. Requests answer 503
	 * until it can be reached. */
	if (etcd_client_open(opt->etcd, &s->client) == -1) {
		pthread_cond_destroy(&s->stop_cv);
		pthread_mutex_destroy(&s->mu);
		free(s);
		return STORE_ERROR;
	}
	etcd_client_on_wait(s->client, announce_wait, s);
	if (opt->etcd_transport != NULL)
		etcd_client_transport(s->client, opt->etcd_transport);
	*out = s;
	return STORE_OK;
}

static void
etcd_close(void *impl)
{
	struct etcd_store	*s = impl;

	if (s == NULL)
		return;
	if (s->threads) {
		pthread_mutex_lock(&s->mu);
		__atomic_store_n(&s->stopping, 1, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&s->stop_cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->watcher, NULL);
		pthread_join(s->sweeper, NULL);
	}
	etcd_client_close(s->client);
	pthread_cond_destroy(&s->stop_cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

const struct store_backend store_etcd_backend = {
	"etcd", etcd_open, etcd_close, etcd_change, etcd_view, etcd_sweep,
	etcd_stats, etcd_list, etcd_watch, etcd_trouble, etcd_import,
	etcd_raise_fences, etcd_wait_mark
};
