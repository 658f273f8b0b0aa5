/*
 * gate.h: which of a responder's idle request threads watches the
 * listening socket. One watches; the other idle ones park. A connection
 * then wakes at most that one thread, and under load it waits for a
 * thread that is about to finish instead of waking another: on a small
 * machine every sleep and wake-up is a large share of a read's cost
 * (tests/bench).
 *
 * A thread about to block on anything but the socket (a commit, a body
 * still on its way, a wait) calls gate_blocking() first, which wakes a
 * parked thread when none watches. Blocking that is not announced (a
 * stuck write, say) leaves the socket unwatched for at most the park
 * timeout.
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

#endif
