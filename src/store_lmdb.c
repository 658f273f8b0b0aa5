/*
 * store_lmdb.c: the store (store.h) on one LMDB environment shared by every
 * responder process of a host. The only file that includes lmdb.h.
 *
 * Layout: three named databases in one environment.
 *	locks	kind (1 byte) + id (16 bytes) -> record (record.c)
 *	expiry	sweep time (8 bytes, big-endian ms) + lock key -> empty;
 *		sorted by time, so the sweeper reads the oldest first
 *	meta	"fence" -> the last fence handed out (8 bytes, little-endian)
 *
 * Every decision is made inside a write transaction: begin, read the clock,
 * sweep a few expired records, read the record, decide (the request, a struct
 * lock_op, by lock_decide()), write, commit. Nothing in between does I/O of its
 * own or waits: a writer that stalls stalls every writer of every process (LMDB
 * has one write lock per environment).
 *
 * Group commit: the request threads of a process hand their decisions to
 * whichever of them runs the next write transaction; it takes every
 * decision queued by then, makes them one after the other in one
 * transaction (each sees the writes of those before it), commits once,
 * and only then are their answers given. One durable commit (one fsync
 * pair) serves many requests, and each decision is still atomic.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "futex.h"
#include "log.h"
#include "record.h"
#include "store.h"

#define KEY_LEN		(1 + LOCK_ID_LEN)	/* kind, id */
#define INDEX_KEY_LEN	(8 + KEY_LEN)
/* New records are refused past this share of the map, leaving room for
 * refreshes, deletes and sweeps, which must keep working when full. */
#define FULL_PERCENT	90
/* New records are also refused when the filesystem has less free space
 * than this share of the data file, or than DISK_RESERVE_MIN: the file is
 * sparse and grows as pages are written, and a refresh or delete may need
 * a few new pages. */
#define DISK_RESERVE_PERCENT	10
#define DISK_RESERVE_MIN	((uint64_t)256 << 10)
/* How long a reading of the free disk space is used while it is far above
 * the reserve: more than twice the reserve and this margin (what other
 * writers on the filesystem could take in that time). */
#define DISK_CHECK_MS		100
#define DISK_CHECK_MARGIN	((uint64_t)64 << 20)
/* How often statistics, and writes refused for a full map, look for a map
 * grown by another process (a remap waits for every transaction of the
 * process: not on every request of a flood). */
#define MAP_CHECK_MS		1000
#define MAP_CHECK_FULL_MS	100
/* How often stale reader slots of dead processes are cleared. */
#define READER_CHECK_MS	(10 * 1000)
/* apply()'s answers when a new record does not fit in the map, or would
 * pass max_records; LMDB's errors are errno values or below -30000. */
/* The order of a durable decision: its transaction's id (LMDB counts write
 * transactions across processes), then its place in the batch. */
#define SEQ(txnid, i)	((uint64_t)(txnid) << 16 | (uint64_t)(i))
#define NO_ROOM		(-1)
#define NO_RECORDS	(-2)

struct lmdb {
	MDB_env		*env;
	/* Held shared by every transaction of this process, exclusively to
	 * remap: LMDB may change the map size only while no transaction of
	 * the process is open, and request threads run their own. */
	pthread_rwlock_t maplock;
	int		 maplock_init;
	size_t		 map_size;	/* configured */
	MDB_dbi		 locks;
	MDB_dbi		 expiry;
	MDB_dbi		 meta;
	uint64_t	 max_records;
	size_t		 sweep_batch;
	int64_t		(*clock)(void);
	int64_t		 last_reader_check;	/* atomic */
	int64_t		 last_map_check;	/* atomic; by statistics */
	int64_t		 last_full_check;	/* atomic; by a full write */
	const struct store_hooks *hooks;	/* store.c's */
	/* The last reading of the filesystem's free space, the data file's
	 * size then, and when (store clock): only read and written inside
	 * write transactions, which LMDB runs one at a time. */
	uint64_t	 disk_avail;
	uint64_t	 disk_file;
	int64_t		 disk_checked;

	/* Group commit (store_change): the decisions waiting for the next
	 * write transaction, and whether a thread is running one. */
	pthread_mutex_t	 mu;
	struct pending	*head;
	struct pending	**tail;
	int		 leading;
	size_t		 last_batch;	/* decisions in it; atomic */
};

/* A decision waiting for its write transaction: on its caller's stack. */
struct pending {
	const struct store_key	*key;
	const struct lock_op	*op;
	struct lock_decision	*out;
	int			 rc;
	uint32_t		 state;		/* WAITING, LEAD or DONE */
	struct pending		*next;
};

static void	lmdb_close(void *);

/* pending.state: a futex word, so that a batch's threads are woken
 * without taking the queue's mutex again. */
#define WAITING	0
#define LEAD	1	/* this thread runs the next batch */
#define DONE	2	/* its decision is durable, or failed */

/* Sleeps until *state is no longer WAITING, and returns it. */
static uint32_t
state_wait(uint32_t *state)
{
	uint32_t	 v;

	while ((v = __atomic_load_n(state, __ATOMIC_ACQUIRE)) == WAITING)
		futex_wait(state, WAITING, NULL, 0);
	return v;
}

/*
 * Sets *state and wakes its thread. Once the store is done the thread
 * may return and its stack be reused: a wake that then lands on another
 * futex word is harmless, as every wait above rechecks.
 */
static void
state_set(uint32_t *state, uint32_t v)
{
	__atomic_store_n(state, v, __ATOMIC_RELEASE);
	futex_wake(state, 1, 0);
}

static uint64_t
monotonic_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
make_key(const struct store_key *k, uint8_t out[KEY_LEN])
{
	out[0] = (uint8_t)k->kind;
	memcpy(out + 1, k->id, LOCK_ID_LEN);
}

static void
make_index_key(int64_t when, const uint8_t key[KEY_LEN],
    uint8_t out[INDEX_KEY_LEN])
{
	int	 i;

	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)((uint64_t)when >> (56 - 8 * i));
	memcpy(out + 8, key, KEY_LEN);
}

static int64_t
index_time(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

/*
 * Whether a periodic chore is due, *when being its last time (ms, shared
 * by the request threads): true for one caller at most once per interval.
 */
static int
due(struct lmdb *s, int64_t *when, int64_t interval)
{
	int64_t	 now = s->clock(), last;

	last = __atomic_load_n(when, __ATOMIC_RELAXED);
	return now - last >= interval && __atomic_compare_exchange_n(when,
	    &last, now, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* Clears reader slots left by processes that died inside a read. */
static void
check_readers(struct lmdb *s)
{
	int	 dead = 0, rc;

	if ((rc = mdb_reader_check(s->env, &dead)) != 0)
		log_warn("mdb_reader_check: %s", mdb_strerror(rc));
	else if (dead > 0)
		log_info("cleared %d stale reader slots", dead);
	__atomic_store_n(&s->last_reader_check, s->clock(), __ATOMIC_RELAXED);
}

/*
 * Takes the map size recorded in the database when another process has
 * made it larger (a larger LOCKGATE_MAP_SIZE there, MDB_MAP_RESIZED here),
 * never going below this process's own. Waits until no transaction of
 * this process is open. Returns 1 when the map grew, 0 when it did not,
 * -1 on an error (logged).
 */
static int
adopt_map_size(struct lmdb *s)
{
	MDB_envinfo	 info;
	size_t		 before;
	int		 rc, grew = -1;

	pthread_rwlock_wrlock(&s->maplock);
	if ((rc = mdb_env_info(s->env, &info)) != 0)
		goto out;
	before = info.me_mapsize;
	/* 0: the size in the newest meta page (at least the data in use). */
	if ((rc = mdb_env_set_mapsize(s->env, 0)) != 0 ||
	    (rc = mdb_env_info(s->env, &info)) != 0)
		goto out;
	if (info.me_mapsize < s->map_size &&
	    (rc = mdb_env_set_mapsize(s->env, s->map_size)) != 0)
		goto out;
	if ((rc = mdb_env_info(s->env, &info)) != 0)
		goto out;
	grew = info.me_mapsize > before;
	if (grew)
		log_info("map size now %zu bytes (was %zu)", info.me_mapsize,
		    before);
out:
	pthread_rwlock_unlock(&s->maplock);
	if (rc != 0)
		log_error("mdb_env_set_mapsize: %s", mdb_strerror(rc));
	return grew;
}

/*
 * Begins a transaction, adopting a map grown by another process
 * (MDB_MAP_RESIZED) and clearing stale readers when the table is full.
 * Returns 0 or an LMDB error, logged. On 0 the caller ends the
 * transaction with commit() or abort_txn().
 */
static int
begin(struct lmdb *s, unsigned int flags, MDB_txn **txn)
{
	int	 rc, tries;

	if (due(s, &s->last_reader_check, READER_CHECK_MS))
		check_readers(s);
	for (tries = 0; tries < 3; tries++) {
		pthread_rwlock_rdlock(&s->maplock);
		rc = mdb_txn_begin(s->env, NULL, flags, txn);
		if (rc == 0)
			return 0;
		pthread_rwlock_unlock(&s->maplock);
		if (rc == MDB_MAP_RESIZED) {
			if (adopt_map_size(s) == -1)
				break;
			continue;
		}
		if (rc == MDB_READERS_FULL) {
			check_readers(s);
			continue;
		}
		break;
	}
	log_error("mdb_txn_begin: %s", mdb_strerror(rc));
	return rc;
}

/* Ends a transaction begun by begin() without keeping its changes. */
static void
abort_txn(struct lmdb *s, MDB_txn *txn)
{
	mdb_txn_abort(txn);
	pthread_rwlock_unlock(&s->maplock);
}

/* Commits a transaction begun by begin(): 0 or an LMDB error. */
static int
commit(struct lmdb *s, MDB_txn *txn)
{
	int	 rc;

	rc = mdb_txn_commit(txn);
	pthread_rwlock_unlock(&s->maplock);
	return rc;
}

/*
 * Opens (creating when missing) the database directory and environment.
 * Returns STORE_OK and sets *out, or STORE_ERROR, logged.
 * The caller frees the store with lmdb_close().
 */
static int
lmdb_open(const struct store_options *opt, const struct store_hooks *hooks,
    void **out)
{
	struct lmdb		*s;
	MDB_txn			*txn = NULL;
	pthread_rwlockattr_t	 rwattr;
	unsigned int		 flags = MDB_NOTLS;
	int			 rc;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_error("calloc: %s", strerror(errno));
		return STORE_ERROR;
	}
	s->max_records = opt->max_records;
	s->sweep_batch = opt->sweep_batch;
	s->map_size = opt->map_size;
	s->clock = opt->clock;
	s->hooks = hooks;
	/* A remap waiting for the lock must not be starved by a steady
	 * stream of new transactions. */
	pthread_rwlockattr_init(&rwattr);
	pthread_rwlockattr_setkind_np(&rwattr,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	rc = pthread_rwlock_init(&s->maplock, &rwattr);
	pthread_rwlockattr_destroy(&rwattr);
	if (rc != 0) {
		log_error("pthread_rwlock_init: %s", strerror(rc));
		free(s);
		return STORE_ERROR;
	}
	s->maplock_init = 1;
	s->tail = &s->head;
	if ((rc = pthread_mutex_init(&s->mu, NULL)) != 0) {
		log_error("pthread_mutex_init: %s", strerror(rc));
		pthread_rwlock_destroy(&s->maplock);
		free(s);
		return STORE_ERROR;
	}

	if (store_local_dir(opt->path) == -1)
		goto fail;
	if (opt->sync == CONFIG_SYNC_NOMETASYNC)
		flags |= MDB_NOMETASYNC;
	else if (opt->sync == CONFIG_SYNC_NONE)
		flags |= MDB_NOSYNC;
#ifdef LOCKGATE_BROKEN_FLUSH
	flags |= MDB_NOSYNC;
#endif
	if ((rc = mdb_env_create(&s->env)) != 0) {
		log_error("mdb_env_create: %s", mdb_strerror(rc));
		goto fail;
	}
	/* Every process sets the same map size: LMDB lets a process that
	 * sets a smaller one cut the map for everyone to what is used now. */
	if ((rc = mdb_env_set_mapsize(s->env, opt->map_size)) != 0 ||
	    (rc = mdb_env_set_maxreaders(s->env, opt->max_readers)) != 0 ||
	    (rc = mdb_env_set_maxdbs(s->env, 4)) != 0) {
		log_error("mdb_env_set: %s", mdb_strerror(rc));
		goto fail;
	}
	if ((rc = mdb_env_open(s->env, opt->path, flags, 0600)) != 0) {
		log_error("mdb_env_open %s: %s", opt->path, mdb_strerror(rc));
		goto fail;
	}
	check_readers(s);

	if ((rc = begin(s, 0, &txn)) != 0)
		goto fail;
	if ((rc = mdb_dbi_open(txn, "locks", MDB_CREATE, &s->locks)) != 0 ||
	    (rc = mdb_dbi_open(txn, "expiry", MDB_CREATE, &s->expiry)) != 0 ||
	    (rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &s->meta)) != 0) {
		log_error("mdb_dbi_open: %s", mdb_strerror(rc));
		abort_txn(s, txn);
		goto fail;
	}
	if ((rc = commit(s, txn)) != 0) {
		log_error("mdb_txn_commit: %s", mdb_strerror(rc));
		goto fail;
	}
	*out = s;
	return STORE_OK;
fail:
	lmdb_close(s);
	return STORE_ERROR;
}

/* Closes the environment (releasing this process's reader slots). */
static void
lmdb_close(void *impl)
{
	struct lmdb	*s = impl;
	if (s == NULL)
		return;
	if (s->env != NULL)
		mdb_env_close(s->env);
	if (s->maplock_init)
		pthread_rwlock_destroy(&s->maplock);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/*
 * Decides op on the record cur (NULL: none) inside the open transaction:
 * a waiting PUT first learns whether its owner has cancelled it.
 */
static void
decide(struct lmdb *s, const struct lock_record *cur, int64_t now,
    uint64_t next_fence, const struct lock_op *op, struct lock_decision *out)
{
	struct lock_op	 waited;

	if (op->kind == LOCK_OP_PUT && op->u.put.waiting &&
	    s->hooks->cancelled != NULL && s->hooks->cancelled(op->u.put.wait_tag,
	    op->u.put.wait_mark, s->hooks->cancelled_arg)) {
		waited = *op;
		waited.u.put.cancelled = 1;
		lock_decide(cur, now, next_fence, &waited, out);
		return;
	}
	lock_decide(cur, now, next_fence, op, out);
}

/*
 * Commits the write transaction of one or more decisions: 0 or an LMDB
 * error. Broken on purpose with --enable-broken=commit: one in eight is
 * dropped instead, and reported as committed. With --enable-broken=flush
 * the environment never syncs by itself (MDB_NOSYNC, see store_open) and
 * a commit flushes what came before it only when the last flush of this
 * process is 200 ms old: decisions are answered before they are on disk,
 * which a power loss shows.
 */
static int
commit_decisions(struct lmdb *s, MDB_txn *txn)
{
#ifdef LOCKGATE_BROKEN_COMMIT
	static unsigned int	 calls;

	if (__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED) % 8 == 0) {
		abort_txn(s, txn);
		return 0;
	}
#endif
#ifdef LOCKGATE_BROKEN_FLUSH
	{
		/* The write lock is held: no other commit runs meanwhile. */
		static struct timespec	 last;
		struct timespec		 now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - last.tv_sec) * 1000 +
		    (now.tv_nsec - last.tv_nsec) / 1000000 >= 200) {
			(void)mdb_env_sync(s->env, 1);
			last = now;
		}
	}
#endif
	return commit(s, txn);
}

/* Reads the record under key: 0, MDB_NOTFOUND, or an error (logged). */
static int
get_record(struct lmdb *s, MDB_txn *txn, const uint8_t key[KEY_LEN],
    struct lock_record *rec)
{
	MDB_val	 k = { KEY_LEN, (void *)key }, v;
	int	 rc;

	if ((rc = mdb_get(txn, s->locks, &k, &v)) != 0) {
		if (rc != MDB_NOTFOUND)
			log_error("mdb_get: %s", mdb_strerror(rc));
		return rc;
	}
	if (record_decode(v.mv_data, v.mv_size, rec) == -1) {
		log_error("corrupt record of %zu bytes", v.mv_size);
		return MDB_CORRUPTED;
	}
	return 0;
}

static int
get_fence(struct lmdb *s, MDB_txn *txn, uint64_t *fence)
{
	MDB_val		 k = { 5, (void *)"fence" }, v;
	const uint8_t	*p;
	int		 rc, i;

	*fence = 0;
	if ((rc = mdb_get(txn, s->meta, &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rc != 0) {
		log_error("mdb_get fence: %s", mdb_strerror(rc));
		return rc;
	}
	if (v.mv_size != 8) {
		log_error("corrupt fence of %zu bytes", v.mv_size);
		return MDB_CORRUPTED;
	}
	p = v.mv_data;
	for (i = 7; i >= 0; i--)
		*fence = *fence << 8 | p[i];
	return 0;
}

static int
put_fence(struct lmdb *s, MDB_txn *txn, uint64_t fence)
{
	uint8_t	 buf[8];
	MDB_val	 k = { 5, (void *)"fence" }, v = { 8, buf };
	int	 i;

	for (i = 0; i < 8; i++)
		buf[i] = (uint8_t)(fence >> (8 * i));
	return mdb_put(txn, s->meta, &k, &v, 0);
}

/* Bytes in pages that the trees use; free pages are not counted. */
static size_t
used_bytes(struct lmdb *s, MDB_txn *txn)
{
	MDB_stat	 st;
	MDB_dbi		 dbis[4] = { 0, s->locks, s->expiry, s->meta };
	size_t		 pages = 2, i, psize = 4096;	/* 2 meta pages */

	for (i = 0; i < 4; i++) {
		if (mdb_stat(txn, dbis[i], &st) != 0)
			continue;
		psize = st.ms_psize;
		pages += st.ms_branch_pages + st.ms_leaf_pages +
		    st.ms_overflow_pages;
	}
	return pages * psize;
}

/*
 * Whether the database is nearly out of disk: the free space of the
 * filesystem and the pages of the data file the trees do not use (used,
 * bytes) are less than the reserve that keeps refreshes and deletes
 * working.
 *
 * The free space is asked at most every DISK_CHECK_MS while it is far
 * from the reserve (a batch of new locks would otherwise ask once each,
 * inside the write transaction every process waits for); in between it
 * is taken as what it was, less what the data file has grown since.
 */
static int
disk_nearly_full(struct lmdb *s, const MDB_envinfo *info, size_t psize,
    uint64_t used)
{
	struct statvfs		 vfs;
	mdb_filehandle_t	 fd;
	uint64_t		 file, avail, reserve, grown;
	int64_t			 now = s->clock();

	file = ((uint64_t)info->me_last_pgno + 1) * psize;
	reserve = file / 100 * DISK_RESERVE_PERCENT;
	if (reserve < DISK_RESERVE_MIN)
		reserve = DISK_RESERVE_MIN;
	grown = file > s->disk_file ? file - s->disk_file : 0;
	avail = s->disk_avail > grown ? s->disk_avail - grown : 0;
	if (now - s->disk_checked >= DISK_CHECK_MS || now < s->disk_checked ||
	    avail < 2 * reserve + DISK_CHECK_MARGIN) {
		if (mdb_env_get_fd(s->env, &fd) != 0 ||
		    fstatvfs(fd, &vfs) == -1)
			return 0;
		avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
		s->disk_avail = avail;
		s->disk_file = file;
		s->disk_checked = now;
	}
	if (file > used)
		avail += file - used;
	return avail < reserve;
}

/*
 * Refuses a new record when the configured number is reached (NO_RECORDS),
 * the map is nearly full or the filesystem is (NO_ROOM). Returns 0 when
 * there is room.
 */
static int
room_for_new(struct lmdb *s, MDB_txn *txn)
{
	MDB_envinfo	 info;
	MDB_stat	 st;
	size_t		 used;

	if (mdb_stat(txn, s->locks, &st) != 0)
		return 0;
	if (st.ms_entries >= s->max_records)
		return NO_RECORDS;
	if (mdb_env_info(s->env, &info) != 0)
		return 0;
	used = used_bytes(s, txn);
	if (used > info.me_mapsize / 100 * FULL_PERCENT ||
	    disk_nearly_full(s, &info, st.ms_psize, used))
		return NO_ROOM;
	return 0;
}

static int
index_put(struct lmdb *s, MDB_txn *txn, const struct lock_record *rec,
    const uint8_t key[KEY_LEN])
{
	uint8_t	 ik[INDEX_KEY_LEN];
	MDB_val	 k = { INDEX_KEY_LEN, ik }, v = { 0, ik };
	int64_t	 when = lock_sweep_at(rec);

	if (when <= 0)
		return 0;
	make_index_key(when, key, ik);
	return mdb_put(txn, s->expiry, &k, &v, 0);
}

static int
index_del(struct lmdb *s, MDB_txn *txn, const struct lock_record *rec,
    const uint8_t key[KEY_LEN])
{
	uint8_t	 ik[INDEX_KEY_LEN];
	MDB_val	 k = { INDEX_KEY_LEN, ik };
	int64_t	 when = lock_sweep_at(rec);
	int	 rc;

	if (when <= 0)
		return 0;
	make_index_key(when, key, ik);
	rc = mdb_del(txn, s->expiry, &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/*
 * Removes up to max records whose sweep time has come, oldest first, in the
 * caller's write transaction. A record is removed only when its own sweep
 * time still matches the index entry (it may have been refreshed).
 * Returns 0 or an LMDB error (not logged: the caller decides).
 */
static int
sweep(struct lmdb *s, MDB_txn *txn, int64_t now, size_t max, size_t *swept)
{
	MDB_cursor		*cur;
	MDB_val			 k, v, lk;
	struct lock_record	 rec;
	int			 rc;

	*swept = 0;
	if (max == 0)
		return 0;
	if ((rc = mdb_cursor_open(txn, s->expiry, &cur)) != 0)
		return rc;
	while (*swept < max) {
		if ((rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST)) != 0) {
			if (rc == MDB_NOTFOUND)
				rc = 0;
			break;
		}
		if (k.mv_size != INDEX_KEY_LEN ||
		    index_time(k.mv_data) > now)
			break;
		lk.mv_size = KEY_LEN;
		lk.mv_data = (uint8_t *)k.mv_data + 8;
		rc = mdb_get(txn, s->locks, &lk, &v);
		if (rc == 0 && record_decode(v.mv_data, v.mv_size, &rec) == 0) {
			if (lock_sweep_at(&rec) == index_time(k.mv_data) &&
			    lock_sweepable(&rec, now))
				rc = mdb_del(txn, s->locks, &lk, NULL);
			lock_record_free(&rec);
			if (rc != 0)
				break;
		}
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
		(*swept)++;
	}
	mdb_cursor_close(cur);
	return rc;
}

/*
 * Applies a decision's write to the open transaction; next_fence is the
 * fence the decision may have handed out. Returns 0,
 * NO_ROOM, NO_RECORDS, or an LMDB error.
 */
static int
apply(struct lmdb *s, MDB_txn *txn, const uint8_t key[KEY_LEN],
    const struct lock_record *cur, const struct lock_decision *d,
    uint64_t next_fence)
{
	MDB_val	 k = { KEY_LEN, (void *)key }, v;
	int	 rc;

	if (d->write == LOCK_WRITE_NONE)
		return 0;
	if (cur != NULL && (rc = index_del(s, txn, cur, key)) != 0)
		return rc;
	if (d->write == LOCK_WRITE_DELETE) {
		rc = mdb_del(txn, s->locks, &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	if (cur == NULL && (rc = room_for_new(s, txn)) != 0)
		return rc;
	/* Encoded straight into the page LMDB reserves for it. */
	v.mv_size = record_size(&d->record);
	if ((rc = mdb_put(txn, s->locks, &k, &v, MDB_RESERVE)) != 0)
		return rc;
	record_encode(&d->record, v.mv_data);
	if ((rc = index_put(s, txn, &d->record, key)) != 0)
		return rc;
	/* The counter records the fence handed out, whichever holder of
	 * the record took it. */
#ifndef LOCKGATE_BROKEN_FENCE
	if (d->fence_used)
#else
	/* Broken on purpose (--enable-broken=fence): the counter never
	 * moves, so fences repeat. */
	if (d->fence_used && next_fence == 0)
#endif
		rc = put_fence(s, txn, next_fence);
	return rc;
}

/*
 * One decision in one write transaction: op is decided on the current
 * record (or none) at the time read after the transaction began, with the
 * next fence; its write is applied and committed before this returns. A
 * few expired records are swept first, in the same transaction.
 * Returns STORE_OK (out is the decision; the caller frees it with
 * lock_decision_free()), STORE_FULL or STORE_ERROR (out holds nothing).
 * *map_full tells whether a STORE_FULL is for space, in the map or on
 * the disk (else for max_records).
 */
static int
change(struct lmdb *s, const struct store_key *key, const struct lock_op *op,
    struct lock_decision *out, int with_sweep, int *map_full)
{
	MDB_txn			*txn;
	struct lock_record	 cur;
	uint8_t			 k[KEY_LEN];
	uint64_t		 fence, t0;
	int64_t			 now;
	size_t			 swept = 0, txnid;
	int			 rc, found;

	*map_full = 0;
	make_key(key, k);
	if (begin(s, 0, &txn) != 0)
		return STORE_ERROR;
	now = s->clock();
	/* Sweep first: it may free the room this decision needs. */
	if (with_sweep &&
	    (rc = sweep(s, txn, now, s->sweep_batch, &swept)) != 0)
		goto abort;
	if ((rc = get_fence(s, txn, &fence)) != 0)
		goto abort;
	rc = get_record(s, txn, k, &cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto abort;
	found = rc == 0;
	decide(s, found ? &cur : NULL, now, fence + 1, op, out);
	rc = apply(s, txn, k, found ? &cur : NULL, out, fence + 1);
	if (found)
		lock_record_free(&cur);
	if (rc != 0) {
		lock_decision_free(out);
		goto abort;
	}
	txnid = mdb_txn_id(txn);
	t0 = monotonic_us();
	rc = commit_decisions(s, txn);
	if (s->hooks->on_commit != NULL)
		s->hooks->on_commit(monotonic_us() - t0, 1, s->hooks->on_commit_arg);
	if (rc == 0 && s->hooks->decided != NULL)
		s->hooks->decided(key, out, SEQ(txnid, 0), s->hooks->decided_arg);
	if (rc != 0) {
		lock_decision_free(out);
		if (rc == MDB_MAP_FULL) {
			*map_full = 1;
			return STORE_FULL;
		}
		/* The filesystem is full (the data file is sparse and grows
		 * as pages are written): the database is full too, and the
		 * operator needs to know. */
		if (rc == ENOSPC || rc == EDQUOT) {
			log_warn("mdb_txn_commit: %s: the change is refused "
			    "(507)", mdb_strerror(rc));
			*map_full = 1;
			return STORE_FULL;
		}
		log_error("mdb_txn_commit: %s", mdb_strerror(rc));
		return STORE_ERROR;
	}
	if (swept > 0)
		log_debug("swept %zu expired records", swept);
	return STORE_OK;
abort:
	abort_txn(s, txn);
	*map_full = rc == NO_ROOM || rc == MDB_MAP_FULL;
	if (*map_full || rc == NO_RECORDS)
		return STORE_FULL;
	log_error("write transaction: %s", mdb_strerror(rc));
	return STORE_ERROR;
}

/* One decision alone, as a batch of one. */
static int
change_one(struct lmdb *s, const struct store_key *key,
    const struct lock_op *op, struct lock_decision *out)
{
	int	 rc, map_full;

	rc = change(s, key, op, out, 1, &map_full);
	/* Another process may have made the map larger (its own
	 * LOCKGATE_MAP_SIZE) without the file outgrowing ours yet, which
	 * LMDB would report as MDB_MAP_RESIZED: take the larger size. */
	if (rc == STORE_FULL && map_full &&
	    due(s, &s->last_full_check, MAP_CHECK_FULL_MS) &&
	    adopt_map_size(s) == 1)
		rc = change(s, key, op, out, 1, &map_full);
	/* A full map may still take the decision once the sweep's own page
	 * changes are left out: a delete or refresh must not fail for them. */
	if (rc == STORE_FULL && map_full)
		rc = change(s, key, op, out, 0, &map_full);
	return rc;
}

/*
 * The decisions of a batch in the write transaction txn (begun by begin()), in
 * the order they came; txn ends here. Returns 0 with every decision made and
 * durable, or -1 when the transaction was given up (nothing of it written, no
 * decision kept): the caller then makes them one by one, which also sorts out
 * which of them find no room.
 */
static int
change_batch(struct lmdb *s, MDB_txn *txn, struct pending *batch, size_t n)
{
	struct lock_record	 cur;
	struct pending		*q, *r;
	uint8_t			 k[KEY_LEN];
	uint64_t		 fence, t0;
	int64_t			 now;
	size_t			 swept = 0, txnid = 0, i;
	int			 rc, found;

	now = s->clock();
	if ((rc = sweep(s, txn, now, s->sweep_batch, &swept)) != 0 ||
	    (rc = get_fence(s, txn, &fence)) != 0) {
		abort_txn(s, txn);
		return -1;
	}
	for (q = batch; q != NULL; q = q->next) {
		make_key(q->key, k);
		rc = get_record(s, txn, k, &cur);
		if (rc != 0 && rc != MDB_NOTFOUND)
			break;
		found = rc == 0;
		decide(s, found ? &cur : NULL, now, fence + 1, q->op, q->out);
		rc = apply(s, txn, k, found ? &cur : NULL, q->out, fence + 1);
		if (found)
			lock_record_free(&cur);
		if (rc != 0) {
			lock_decision_free(q->out);
			break;
		}
		if (q->out->fence_used)
			fence++;
	}
	if (rc == 0) {
		txnid = mdb_txn_id(txn);
		t0 = monotonic_us();
		rc = commit_decisions(s, txn);
		if (s->hooks->on_commit != NULL)
			s->hooks->on_commit(monotonic_us() - t0, n, s->hooks->on_commit_arg);
		if (rc == 0) {
			for (r = batch, i = 0; r != NULL; r = r->next, i++) {
				r->rc = STORE_OK;
				if (s->hooks->decided != NULL)
					s->hooks->decided(r->key, r->out, SEQ(txnid, i),
					    s->hooks->decided_arg);
			}
			if (swept > 0)
				log_debug("swept %zu expired records", swept);
			return 0;
		}
		q = NULL;	/* every decision was made: free them all */
	} else
		abort_txn(s, txn);
	for (r = batch; r != q; r = r->next)
		lock_decision_free(r->out);
	/* No room is sorted out one by one; anything else is worth a line. */
	if (rc != NO_ROOM && rc != NO_RECORDS && rc != MDB_MAP_FULL &&
	    rc != ENOSPC && rc != EDQUOT)
		log_warn("batch of %zu decisions: %s; one by one", n,
		    mdb_strerror(rc));
	return -1;
}

/*
 * Runs a batch taken from the queue in txn (NULL: beginning it failed):
 * together, or one by one.
 */
static void
run_batch(struct lmdb *s, MDB_txn *txn, struct pending *batch)
{
	struct pending	*q;
	size_t		 n = 0;

	for (q = batch; q != NULL; q = q->next)
		n++;
	__atomic_store_n(&s->last_batch, n, __ATOMIC_RELAXED);
	if (txn != NULL && change_batch(s, txn, batch, n) == 0)
		return;
	for (q = batch; q != NULL; q = q->next)
		q->rc = change_one(s, q->key, q->op, q->out);
}

/*
 * Makes one decision (op, on the lock under key) durable, in a write
 * transaction shared with the decisions other threads of this process
 * hand in meanwhile (group commit). Returns STORE_OK (out is the
 * decision; the caller frees it with lock_decision_free()), STORE_FULL or
 * STORE_ERROR (out holds nothing). op may be decided in another thread,
 * while this one waits.
 */
static int
lmdb_change(void *impl, const struct store_key *key,
    const struct lock_op *op, struct lock_decision *out)
{
	struct lmdb	*s = impl;
	struct pending	 p, *batch, *q, *next, *heir;
	MDB_txn		*txn;

	memset(&p, 0, sizeof(p));
	p.key = key;
	p.op = op;
	p.out = out;
	p.state = WAITING;
	/* This thread now waits for a commit, its own or another's. */
	if (s->hooks->on_wait != NULL)
		s->hooks->on_wait();
	pthread_mutex_lock(&s->mu);
	*s->tail = &p;
	s->tail = &p.next;
	if (!s->leading) {
		s->leading = 1;
		p.state = LEAD;
	}
	pthread_mutex_unlock(&s->mu);
	if (state_wait(&p.state) == DONE)
		return p.rc;

	/* Lead. Under load (the last batch had company), first let the
	 * request threads that are ready to run hand in their decisions
	 * too: one commit then serves more of them (measured with
	 * tests/bench). Nothing is held here, and with no other
	 * thread ready sched_yield() returns at once. Then wait for LMDB's
	 * write lock (other processes commit meanwhile, and more decisions
	 * queue here), take everything queued, this thread's own decision
	 * first, and run it unlocked, so that the next batch gathers. */
	if (__atomic_load_n(&s->last_batch, __ATOMIC_RELAXED) > 1)
		sched_yield();
	if (begin(s, 0, &txn) != 0)
		txn = NULL;
	pthread_mutex_lock(&s->mu);
	batch = s->head;
	s->head = NULL;
	s->tail = &s->head;
	pthread_mutex_unlock(&s->mu);
	run_batch(s, txn, batch);
	/* Hand the lead to the first thread that queued meanwhile. It
	 * cannot return before it has led, so it is there to be told. */
	pthread_mutex_lock(&s->mu);
	heir = s->head;
	if (heir == NULL)
		s->leading = 0;
	pthread_mutex_unlock(&s->mu);
	if (heir != NULL)
		state_set(&heir->state, LEAD);
	/* Wake exactly the other threads of the batch; each entry's next
	 * is read before its thread may return. */
	for (q = batch; q != NULL; q = next) {
		next = q->next;
		if (q != &p)
			state_set(&q->state, DONE);
	}
	return p.rc;
}

/*
 * Like lmdb_change() but in a read-only transaction: the decision's write
 * is ignored. For GET and HEAD, which never wait for the write lock.
 */
static int
lmdb_view(void *impl, const struct store_key *key,
    const struct lock_op *op, struct lock_decision *out)
{
	struct lmdb	*s = impl;
	MDB_txn			*txn;
	struct lock_record	 cur;
	uint8_t			 k[KEY_LEN];
	uint64_t		 fence;
	int64_t			 now;
	int			 rc;

	make_key(key, k);
	if (begin(s, MDB_RDONLY, &txn) != 0)
		return STORE_ERROR;
	now = s->clock();
	if ((rc = get_fence(s, txn, &fence)) != 0)
		goto done;
	rc = get_record(s, txn, k, &cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		goto done;
	decide(s, rc == 0 ? &cur : NULL, now, fence + 1, op, out);
	if (rc == 0)
		lock_record_free(&cur);
	rc = 0;
done:
	abort_txn(s, txn);
	return rc == 0 ? STORE_OK : STORE_ERROR;
}

/*
 * A write transaction that only sweeps, up to the batch size.
 * Returns STORE_OK with the count in *swept, or STORE_ERROR.
 */
static int
lmdb_sweep(void *impl, size_t *swept)
{
	struct lmdb	*s = impl;
	MDB_txn	*txn;
	int	 rc;

	*swept = 0;
	if (begin(s, 0, &txn) != 0)
		return STORE_ERROR;
	if ((rc = sweep(s, txn, s->clock(), s->sweep_batch, swept)) != 0) {
		abort_txn(s, txn);
		log_error("sweep: %s", mdb_strerror(rc));
		return STORE_ERROR;
	}
	if ((rc = commit(s, txn)) != 0) {
		log_error("mdb_txn_commit: %s", mdb_strerror(rc));
		return STORE_ERROR;
	}
	return STORE_OK;
}

/* Reads the counts in a read transaction: a real read, for health. */
static int
lmdb_stats(void *impl, struct store_stats *st)
{
	struct lmdb	*s = impl;
	MDB_txn		*txn;
	MDB_stat	 ms;
	MDB_envinfo	 info;
	struct stat	 sb;
	mdb_filehandle_t fd;
	int		 rc;

	memset(st, 0, sizeof(*st));
	/* The size reported is the database's: another process may have
	 * made it larger. Remapping waits for this process's transactions,
	 * so not on every call. */
	if (due(s, &s->last_map_check, MAP_CHECK_MS))
		adopt_map_size(s);
	if (begin(s, MDB_RDONLY, &txn) != 0)
		return STORE_ERROR;
	if ((rc = mdb_stat(txn, s->locks, &ms)) != 0 ||
	    (rc = get_fence(s, txn, &st->fence)) != 0 ||
	    (rc = mdb_env_info(s->env, &info)) != 0) {
		abort_txn(s, txn);
		log_error("store_stats: %s", mdb_strerror(rc));
		return STORE_ERROR;
	}
	st->records = ms.ms_entries;
	st->map_size = info.me_mapsize;
	st->used_bytes = used_bytes(s, txn);
	st->full_percent = FULL_PERCENT;
	st->file_bytes = -1;
	if (mdb_env_get_fd(s->env, &fd) == 0 && fstat(fd, &sb) == 0)
		st->file_bytes = (int64_t)sb.st_size;
	abort_txn(s, txn);
	return STORE_OK;
}

/*
 * Calls fn for each live lock (not expired at the time read once), in key
 * order, starting after the key "after" when it is not NULL, at most max
 * of them, in one read transaction. *more is set when locks remain.
 * Returns STORE_OK or STORE_ERROR (logged).
 */
static int
lmdb_list(void *impl, const struct store_key *after, size_t max,
    store_list_fn *fn, void *arg, int *more)
{
	struct lmdb	*s = impl;
	MDB_txn			*txn;
	MDB_cursor		*cur;
	MDB_val			 k, v;
	struct lock_record	 rec;
	struct store_item	 item;
	uint8_t			 start[KEY_LEN];
	const uint8_t		*kp;
	int64_t			 now;
	size_t			 n = 0;
	int			 rc, stop;

	*more = 0;
	if (begin(s, MDB_RDONLY, &txn) != 0)
		return STORE_ERROR;
	now = s->clock();
	if ((rc = mdb_cursor_open(txn, s->locks, &cur)) != 0) {
		abort_txn(s, txn);
		log_error("mdb_cursor_open: %s", mdb_strerror(rc));
		return STORE_ERROR;
	}
	if (after != NULL) {
		make_key(after, start);
		k.mv_size = KEY_LEN;
		k.mv_data = start;
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		if (rc == 0 && k.mv_size == KEY_LEN &&
		    memcmp(k.mv_data, start, KEY_LEN) == 0)
			rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	} else
		rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != KEY_LEN ||
		    record_decode(v.mv_data, v.mv_size, &rec) == -1) {
			log_error("corrupt record of %zu bytes", v.mv_size);
			continue;
		}
		if (lock_sweepable(&rec, now)) {
			lock_record_free(&rec);
			continue;
		}
		if (n == max) {
			lock_record_free(&rec);
			*more = 1;
			break;
		}
		kp = k.mv_data;
		item.key.kind = (enum lock_kind)kp[0];
		memcpy(item.key.id, kp + 1, LOCK_ID_LEN);
		item.rec = &rec;
		stop = fn(&item, now, arg);
		lock_record_free(&rec);
		n++;
		if (stop)
			break;
	}
	mdb_cursor_close(cur);
	abort_txn(s, txn);
	if (rc != 0 && rc != MDB_NOTFOUND) {
		log_error("mdb_cursor_get: %s", mdb_strerror(rc));
		return STORE_ERROR;
	}
	return STORE_OK;
}

const struct store_backend store_lmdb_backend = {
	"lmdb", lmdb_open, lmdb_close, lmdb_change, lmdb_view, lmdb_sweep,
	lmdb_stats, lmdb_list, NULL, NULL, NULL, NULL, NULL
};
