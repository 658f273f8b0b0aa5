/*
 * store.c: the store.h calls, handed to the backend the options name, and
 * the hooks every backend calls.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <sys/stat.h>
#include <sys/vfs.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store.h"

struct store {
	const struct store_backend	*be;
	void				*impl;
	struct store_hooks		 hooks;
	int64_t				(*clock)(void);
};

/* Wall-clock time in milliseconds: lock expiry is an instant, not a span. */
int64_t
store_clock_realtime(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The name of a network filesystem by its statfs(2) magic number, or NULL
 * for any other. LMDB's locks live in a shared memory map of lock.mdb and
 * its writer lock is a robust mutex in it: neither works across hosts.
 */
const char *
store_network_fs(long magic)
{
	static const struct {
		unsigned long	 magic;
		const char	*name;
	} fs[] = {
		{ 0x6969, "nfs" },
		{ 0x517b, "smb" },
		{ 0xfe534d42, "smb2" },
		{ 0xff534d42, "cifs" },
		{ 0x564c, "ncp" },
		{ 0x5346414f, "afs" },
		{ 0x6b414653, "afs" },
		{ 0x00c36400, "ceph" },
		{ 0x01021997, "9p" },
		{ 0x73757245, "coda" },
		{ 0x47504653, "gpfs" },
		{ 0x0bd00bd0, "lustre" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		if ((unsigned long)magic == fs[i].magic ||
		    ((unsigned long)magic & 0xffffffffUL) == fs[i].magic)
			return fs[i].name;
	return NULL;
}

/*
 * Refuses, with a message that says why, a directory where the database,
 * or this host's shared files, cannot work: one on a network filesystem,
 * or one this process cannot write (better said once at start than as a
 * 503 on every request).
 */
static int
check_dir(const char *path)
{
	struct statfs	 sf;
	const char	*net;

	if (statfs(path, &sf) == -1) {
		log_error("statfs %s: %s", path, strerror(errno));
		return -1;
	}
	if ((net = store_network_fs((long)sf.f_type)) != NULL) {
		log_error("%s is on a network filesystem (%s): LMDB's locking "
		    "does not work there; put LOCKGATE_DB on a local disk",
		    path, net);
		return -1;
	}
	if (access(path, R_OK | W_OK | X_OK) == -1) {
		log_error("%s: %s for user id %u; give this user the directory "
		    "(chown) or set LOCKGATE_DB to one it can write", path,
		    strerror(errno), (unsigned int)geteuid());
		return -1;
	}
	return 0;
}

/*
 * Makes when missing, and checks, the directory of this host's own files:
 * the LMDB database, the wake-up and metrics files (LOCKGATE_DB).
 * Returns 0, or -1 (logged).
 */
int
store_local_dir(const char *path)
{
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		log_error("mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	return check_dir(path);
}

/*
 * Opens the store the options name. Returns STORE_OK and sets *out, or
 * STORE_ERROR, logged. The caller frees the store with store_close().
 */
int
store_open(const struct store_options *opt, struct store **out)
{
	struct store_options	 o = *opt;
	struct store		*s;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_error("calloc: %s", strerror(errno));
		return STORE_ERROR;
	}
	if (o.clock == NULL)
		o.clock = store_clock_realtime;
	s->clock = o.clock;
	s->be = o.backend == CONFIG_STORE_ETCD ? &store_etcd_backend :
	    &store_lmdb_backend;
	if (s->be->open(&o, &s->hooks, &s->impl) != STORE_OK) {
		free(s);
		return STORE_ERROR;
	}
	*out = s;
	return STORE_OK;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	s->be->close(s->impl);
	free(s);
}

/*
 * Has fn told the duration of each write commit, in microseconds, and the
 * number of decisions it made durable (for the metrics); fn must not
 * block.
 */
void
store_on_commit(struct store *s, void (*fn)(uint64_t, size_t, void *),
    void *arg)
{
	s->hooks.on_commit = fn;
	s->hooks.on_commit_arg = arg;
}

/*
 * Has fn called before a request thread sleeps until another thread's
 * commit is done, or an answer from the network (the accept loop then lets
 * another thread watch for connections); fn must not block.
 */
void
store_on_wait(struct store *s, void (*fn)(void))
{
	s->hooks.on_wait = fn;
}

/*
 * Has fn asked, inside the transaction of a waiting PUT, whether the
 * owner released the lock since the wait began: such a PUT is then
 * refused (LOCK_CANCELLED). fn must not block.
 */
void
store_cancel_check(struct store *s, store_cancelled_fn *fn, void *arg)
{
	s->hooks.cancelled = fn;
	s->hooks.cancelled_arg = arg;
}

/* Has fn told of each decision made durable (store_decided_fn). */
void
store_on_decided(struct store *s, store_decided_fn *fn, void *arg)
{
	s->hooks.decided = fn;
	s->hooks.decided_arg = arg;
}

/* The store's clock, ms since the epoch: the time decisions are made by. */
int64_t
store_now(struct store *s)
{
	return s->clock();
}

int
store_change(struct store *s, const struct store_key *key,
    const struct lock_op *op, struct lock_decision *out)
{
	return s->be->change(s->impl, key, op, out);
}

int
store_view(struct store *s, const struct store_key *key,
    const struct lock_op *op, struct lock_decision *out)
{
	return s->be->view(s->impl, key, op, out);
}

int
store_sweep(struct store *s, size_t *swept)
{
	return s->be->sweep(s->impl, swept);
}

int
store_stats(struct store *s, struct store_stats *st)
{
	return s->be->stats(s->impl, st);
}

int
store_list(struct store *s, const struct store_key *after, size_t max,
    store_list_fn *fn, void *arg, int *more)
{
	return s->be->list(s->impl, after, max, fn, arg, more);
}

int
store_watch(struct store *s, void (*fn)(void *), void *arg)
{
	s->hooks.changed = fn;
	s->hooks.changed_arg = arg;
	return s->be->watch != NULL ? s->be->watch(s->impl) : STORE_OK;
}

const char *
store_trouble(struct store *s)
{
	return s->be->trouble != NULL ? s->be->trouble(s->impl) : "";
}

int
store_import(struct store *s, const struct store_item *it, int *copied)
{
	*copied = 0;
	return s->be->import != NULL ? s->be->import(s->impl, it, copied) :
	    STORE_ERROR;
}

int
store_raise_fences(struct store *s, uint64_t fence)
{
	return s->be->raise_fences != NULL ?
	    s->be->raise_fences(s->impl, fence) : STORE_ERROR;
}

uint64_t
store_wait_mark(struct store *s, uint64_t tag)
{
	uint64_t	 mark = 0;

	if (s->be->wait_mark != NULL &&
	    s->be->wait_mark(s->impl, tag, &mark) != STORE_OK)
		mark = 0;
	return mark;
}
