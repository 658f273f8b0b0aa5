/*
 * store.c: the store.h calls, handed to the backend the options name, and
 * the hooks every backend calls.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
