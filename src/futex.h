/*
 * futex.h: sleeping on a 32-bit word until it changes, and waking its
 * sleepers (futex(2)). wake.c uses a word in a file every responder maps
 * (shared); store.c a word on a request thread's stack and gate.c one
 * in the process (private).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_FUTEX_H
#define LOCKGATE_FUTEX_H

#include <sys/syscall.h>

#include <linux/futex.h>

#include <stdint.h>
#include <time.h>
#include <unistd.h>

/*
 * Sleeps while *word is expected, at most timeout (NULL: no limit). May
 * return early or spuriously: callers look at the word again.
 */
static inline void
futex_wait(uint32_t *word, uint32_t expected, const struct timespec *timeout,
    int shared)
{
	syscall(SYS_futex, word, shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE,
	    expected, timeout, NULL, 0);
}

/* Wakes up to n sleepers on word. */
static inline void
futex_wake(uint32_t *word, int n, int shared)
{
	syscall(SYS_futex, word, shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, n,
	    NULL, NULL, 0);
}

#endif
