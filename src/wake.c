/*
 * wake.c: a release wakes the waiters of every responder process.
 *
 * The file "wake" in the database directory holds a 32-bit counter,
 * mapped shared by every process. A release adds one and wakes every
 * futex waiter on it (futex(2): a shared file mapping is a shared futex);
 * a waiter reads the counter before it looks at the lock, and sleeps only
 * while the counter still has that value, so a release between its look
 * and its sleep is never missed. A waiter also wakes by itself when the
 * hold it waits behind expires, and when its own wait is over: nothing
 * depends on a wake-up arriving.
 *
 * The same file keeps the last CANCEL_SLOTS cancellations: a DELETE with
 * an owner marks (lock, owner) before its transaction, and a request of
 * that owner that waits for that lock, and began before the mark, gives
 * up instead of taking the lock. A waiting request has no other way to
 * learn that its client has gone when the web server does not say so
 * (lighttpd keeps the FastCGI connection open), and the client's release
 * must not be overtaken by its own abandoned wait.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "futex.h"
#include "log.h"
#include "mapfile.h"
#include "wake.h"

#define WAKE_FILE	"wake"
#define WAKE_MAGIC	0x6c67776bU	/* "lgwk" */
#define WAKE_LAYOUT	1
#define WAKE_SIZE	4096
#define CANCEL_SLOTS	128

/* The shared file's layout. */
struct shared {
	struct mapfile_head head;
	uint32_t	 counter;
	uint32_t	 unused;
	uint64_t	 cancel_seq;	/* cancellations so far */
	struct {
		uint64_t	 seq;	/* 0: empty */
		uint64_t	 tag;
	}		 slots[CANCEL_SLOTS];
};

_Static_assert(sizeof(struct shared) <= WAKE_SIZE, "wake file too small");

struct wake {
	uint32_t	*counter;	/* in the shared mapping */
	struct shared	*sh;		/* the mapping */
	unsigned int	 max_waiters;
	unsigned int	 waiters;	/* in this process */
	int		 stopping;
	void		(*on_wait)(void);
};

/*
 * Maps dir/wake (creating it). max_waiters bounds the requests of this
 * process that wait at once. Returns the handle, or NULL (logged); the
 * caller frees it with wake_close().
 */
struct wake *
wake_open(const char *dir, unsigned int max_waiters)
{
	struct wake	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_error("calloc: %s", strerror(errno));
		return NULL;
	}
	w->max_waiters = max_waiters;
	if ((w->sh = mapfile_open(dir, WAKE_FILE, WAKE_SIZE, WAKE_MAGIC,
	    WAKE_LAYOUT)) == NULL) {
		free(w);
		return NULL;
	}
	w->counter = &w->sh->counter;
	return w;
}

void
wake_close(struct wake *w)
{
	if (w == NULL)
		return;
	mapfile_close(w->sh, WAKE_SIZE);
	free(w);
}

/*
 * Has fn called before a request thread sleeps in wake_wait() (the accept
 * loop then lets another thread watch for connections); fn must not
 * block.
 */
void
wake_on_wait(struct wake *w, void (*fn)(void))
{
	w->on_wait = fn;
}

/* The counter now: read it before looking at the lock. */
uint32_t
wake_seen(struct wake *w)
{
	return __atomic_load_n(w->counter, __ATOMIC_SEQ_CST);
}

/* After a release has been committed: wakes every waiter everywhere. */
void
wake_all(struct wake *w)
{
	__atomic_add_fetch(w->counter, 1, __ATOMIC_SEQ_CST);
	futex_wake(w->counter, INT_MAX, 1);
}

/*
 * Sleeps up to ms milliseconds, or less when the counter moves on from
 * seen (or already has), or the process is stopping.
 */
void
wake_wait(struct wake *w, uint32_t seen, int64_t ms)
{
	struct timespec	 ts;

	if (ms <= 0 || __atomic_load_n(&w->stopping, __ATOMIC_SEQ_CST))
		return;
	if (w->on_wait != NULL)
		w->on_wait();
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	futex_wait(w->counter, seen, &ts, 1);
}

/*
 * Takes one of this process's waiting places. Returns 1, or 0 when all are
 * taken (the request answers 503 rather than tie up the last threads that
 * serve requests that do not wait).
 */
int
wake_enter(struct wake *w)
{
	unsigned int	 n = __atomic_load_n(&w->waiters, __ATOMIC_SEQ_CST);

	do {
		if (n >= w->max_waiters)
			return 0;
	} while (!__atomic_compare_exchange_n(&w->waiters, &n, n + 1, 0,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return 1;
}

void
wake_leave(struct wake *w)
{
	__atomic_sub_fetch(&w->waiters, 1, __ATOMIC_SEQ_CST);
}

/* On SIGTERM: waiting requests answer now with what they have. */
void
wake_stop(struct wake *w)
{
	__atomic_store_n(&w->stopping, 1, __ATOMIC_SEQ_CST);
	wake_all(w);
}

int
wake_stopping(struct wake *w)
{
	return __atomic_load_n(&w->stopping, __ATOMIC_SEQ_CST);
}

/* The tag of an owner's wait for a lock: a 64-bit FNV-1a hash, never 0. */
uint64_t
wake_tag(const uint8_t id[16], const char *owner, size_t len)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;

	for (i = 0; i < 16; i++)
		h = (h ^ id[i]) * 0x100000001b3ULL;
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)owner[i]) * 0x100000001b3ULL;
	return h != 0 ? h : 1;
}

/* The number of cancellations so far: a request notes it when it begins. */
uint64_t
wake_cancel_mark(struct wake *w)
{
	return __atomic_load_n(&w->sh->cancel_seq, __ATOMIC_SEQ_CST);
}

/* Cancels the waits of tag that began before now, and wakes them. */
void
wake_cancel(struct wake *w, uint64_t tag)
{
	uint64_t	 seq;
	size_t		 i;

	seq = __atomic_add_fetch(&w->sh->cancel_seq, 1, __ATOMIC_SEQ_CST);
	i = seq % CANCEL_SLOTS;
	/* The tag before the sequence: a reader that sees the new sequence
	 * sees its tag. */
	__atomic_store_n(&w->sh->slots[i].tag, tag, __ATOMIC_SEQ_CST);
	__atomic_store_n(&w->sh->slots[i].seq, seq, __ATOMIC_SEQ_CST);
	wake_all(w);
}

/*
 * Whether the waits of tag have been cancelled since the mark. A wait
 * that outlives CANCEL_SLOTS later cancellations may miss its own.
 */
int
wake_cancelled(struct wake *w, uint64_t tag, uint64_t mark)
{
	uint64_t	 seq;
	size_t		 i;

	for (i = 0; i < CANCEL_SLOTS; i++) {
		seq = __atomic_load_n(&w->sh->slots[i].seq, __ATOMIC_SEQ_CST);
		if (seq > mark && __atomic_load_n(&w->sh->slots[i].tag,
		    __ATOMIC_SEQ_CST) == tag)
			return 1;
	}
	return 0;
}
