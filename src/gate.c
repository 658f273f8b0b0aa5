/*
 * gate.c: one idle request thread watches the listening socket, the
 * others park (gate.h). Process-wide state: a process runs one responder.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <limits.h>
#include <stdint.h>
#include <time.h>

#include "futex.h"
#include "gate.h"

static uint32_t		watchers;	/* 0 or 1 */
static uint32_t		parked;		/* threads in (or entering) a park */
static uint32_t		calls;		/* bumped to wake parked threads */

int
gate_idle(int (*watch)(void *), void *arg, int park_ms)
{
	struct timespec	 ts;
	uint32_t	 none = 0, seen;
	int		 rc;

	if (__atomic_compare_exchange_n(&watchers, &none, 1, 0,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		rc = watch(arg);
		__atomic_store_n(&watchers, 0, __ATOMIC_SEQ_CST);
		/* A stop: a thread that parked after gate_wake_all() because
		 * this one was still watching must not sleep its park out. */
		if (rc == 0)
			gate_wake_all();
		return rc;
	}
	seen = __atomic_load_n(&calls, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&parked, 1, __ATOMIC_SEQ_CST);
	/* Counted as parked first, then look again. If the watcher has
	 * left, the caller tries accept and watches instead of parking. If
	 * it leaves later, a thread that then blocks finds no watcher,
	 * bumps calls and finds this thread counted; the futex compares
	 * calls with what was seen, so that wake-up is not lost. */
	if (__atomic_load_n(&watchers, __ATOMIC_SEQ_CST) != 0) {
		ts.tv_sec = park_ms / 1000;
		ts.tv_nsec = (long)(park_ms % 1000) * 1000000;
		futex_wait(&calls, seen, &ts, 0);
	}
	__atomic_sub_fetch(&parked, 1, __ATOMIC_SEQ_CST);
	return 1;
}

unsigned int
gate_parked(void)
{
	return __atomic_load_n(&parked, __ATOMIC_SEQ_CST);
}

void
gate_blocking(void)
{
	if (__atomic_load_n(&watchers, __ATOMIC_SEQ_CST) != 0)
		return;
	__atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&parked, __ATOMIC_SEQ_CST) != 0)
		futex_wake(&calls, 1, 0);
}

void
gate_wake_all(void)
{
	__atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
	futex_wake(&calls, INT_MAX, 0);
}
