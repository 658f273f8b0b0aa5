/*
 * gate.h: which of a responder's idle request threads watches the
 * listening socket. One watches; the other idle ones park. A connection
 * then wakes at most that one thread, and under load it waits for a
 * thread that is about to finish instead of waking another: on a small
 * machine every sleep and wake-up is a large share of a read's cost
 * (tests/bench).
 *
 * A thread about to block for long on anything but the socket (a
 * commit, a body still on its way, a wait, the web server's next request
 * on a kept connection) calls gate_blocking() first, which wakes a
 * parked thread when none watches. Short waits are not announced:
 * writing an answer, reading a new connection's parameters, the map
 * lock. Should one of them last, the socket stays unwatched until a
 * parked thread's park times out (or, with none parked, until a busy
 * thread comes back, as when every thread is busy).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_GATE_H
#define LOCKGATE_GATE_H

/*
 * An idle thread: watches, by calling watch(arg), when no other thread
 * does, and returns what it returned; else parks until woken or park_ms
 * have passed, and returns 1. Either way the caller tries accept again.
 */
int	gate_idle(int (*watch)(void *), void *arg, int park_ms);

/* Before this thread blocks: wakes a parked thread if none watches. */
void	gate_blocking(void);

/* Wakes every parked thread (the process stops). */
void	gate_wake_all(void);

/* The threads parked now, or about to park (for the tests). */
unsigned int	gate_parked(void);

#endif
