/*
 * test_gate.c: idle request threads (gate.c) with real threads: one
 * watches while the others park; a thread about to block wakes a parked
 * one only when none watches; a park ends by itself after its time; a
 * stop, or a watch that ends in one, wakes every parked thread.
 * "Watching" here is reading a pipe: a byte '1' is a connection, '0' a
 * stop.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <pthread.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "gate.h"
#include "tests.h"

#define LONG_PARK_MS	60000	/* a park that must not end by itself */
#define SHORT_PARK_MS	50
#define SETTLE_MS	100	/* time for a wrong wake-up to show */
#define PROMPT_MS	5000	/* far more than a wake-up takes */

static int	 watch_fds[2];
static int	 watch_calls;

/* The watch: counted, then returns 1 or 0 as the byte read says. */
static int
watch_pipe(void *arg)
{
	char	 c = 0;

	(void)arg;
	__atomic_add_fetch(&watch_calls, 1, __ATOMIC_SEQ_CST);
	if (read(watch_fds[0], &c, 1) != 1)
		return -1;
	return c == '1';
}

struct idler {
	pthread_t	 thread;
	int		 park_ms;
	int		 rc;
	int		 returned;
	int64_t		 took_ms;
};

static void *
idle(void *arg)
{
	struct idler	*i = arg;
	int64_t		 t0 = test_monotonic_ms();

	i->rc = gate_idle(watch_pipe, NULL, i->park_ms);
	i->took_ms = test_monotonic_ms() - t0;
	__atomic_store_n(&i->returned, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Polls *flag for up to ms: whether it became nonzero. */
static int
within(int *flag, int ms)
{
	int64_t	 until = test_monotonic_ms() + ms;

	while (!__atomic_load_n(flag, __ATOMIC_SEQ_CST) &&
	    test_monotonic_ms() < until)
		usleep(1000);
	return __atomic_load_n(flag, __ATOMIC_SEQ_CST) != 0;
}

/* Polls gate_parked() for up to ms: whether it came to n. */
static int
parked_within(unsigned int n, int ms)
{
	int64_t	 until = test_monotonic_ms() + ms;

	while (gate_parked() != n && test_monotonic_ms() < until)
		usleep(1000);
	return gate_parked() == n;
}

static void
start(struct idler *i, int park_ms)
{
	i->park_ms = park_ms;
	i->rc = -2;
	i->returned = 0;
	CU_ASSERT_FATAL(pthread_create(&i->thread, NULL, idle, i) == 0);
}

/* Starts n idle threads with a long park; they all park. */
static void
start_parked(struct idler *p, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		start(&p[i], LONG_PARK_MS);
	CU_ASSERT_FATAL(parked_within((unsigned int)n, PROMPT_MS));
}

/* The n threads of p must return at once; joins them either way. */
static void
join_woken(struct idler *p, int n)
{
	int	 i;

	for (i = 0; i < n; i++) {
		CU_ASSERT(within(&p[i].returned, PROMPT_MS));
		if (!__atomic_load_n(&p[i].returned, __ATOMIC_SEQ_CST))
			gate_wake_all();	/* not a minute's wait */
		pthread_join(p[i].thread, NULL);
	}
}

/* The first idle thread becomes the watcher (watch_calls reaches 1). */
static void
start_watcher(struct idler *w)
{
	CU_ASSERT_FATAL(pipe(watch_fds) == 0);
	__atomic_store_n(&watch_calls, 0, __ATOMIC_SEQ_CST);
	start(w, LONG_PARK_MS);
	CU_ASSERT_FATAL(within(&watch_calls, PROMPT_MS));
}

/* Ends the watch with what it returns ('1' or '0'); joins the thread. */
static void
end_watch(struct idler *w, char what)
{
	CU_ASSERT_FATAL(write(watch_fds[1], &what, 1) == 1);
	CU_ASSERT(within(&w->returned, PROMPT_MS));
	pthread_join(w->thread, NULL);
	close(watch_fds[0]);
	close(watch_fds[1]);
}

static void
test_park_until_needed(void)
{
	struct idler	 w, p;

	start_watcher(&w);
	/* One watcher: the second idle thread parks instead. */
	start_parked(&p, 1);
	usleep(SETTLE_MS * 1000);
	CU_ASSERT_EQUAL(__atomic_load_n(&watch_calls, __ATOMIC_SEQ_CST), 1);
	CU_ASSERT_FALSE(__atomic_load_n(&p.returned, __ATOMIC_SEQ_CST));
	/* Blocking while a thread watches wakes nobody. */
	gate_blocking();
	usleep(SETTLE_MS * 1000);
	CU_ASSERT_FALSE(__atomic_load_n(&p.returned, __ATOMIC_SEQ_CST));
	/* The watcher leaves to serve; still nobody woken. */
	end_watch(&w, '1');
	CU_ASSERT_EQUAL(w.rc, 1);
	usleep(SETTLE_MS * 1000);
	CU_ASSERT_FALSE(__atomic_load_n(&p.returned, __ATOMIC_SEQ_CST));
	/* Blocking with no watcher wakes the parked thread at once. */
	gate_blocking();
	join_woken(&p, 1);
	CU_ASSERT_EQUAL(p.rc, 1);
	CU_ASSERT_EQUAL(gate_parked(), 0);
}

static void
test_watch_answer(void)
{
	struct idler	 w;

	start_watcher(&w);
	end_watch(&w, '0');
	CU_ASSERT_EQUAL(w.rc, 0);
}

static void
test_stop_from_watch(void)
{
	struct idler	 w, p[2];

	start_watcher(&w);
	start_parked(p, 2);
	/* The watch says stop: the parked threads are told at once. */
	end_watch(&w, '0');
	CU_ASSERT_EQUAL(w.rc, 0);
	join_woken(p, 2);
}

static void
test_park_times_out(void)
{
	struct idler	 w, p;

	start_watcher(&w);
	start(&p, SHORT_PARK_MS);
	CU_ASSERT(within(&p.returned, PROMPT_MS));
	CU_ASSERT_EQUAL(p.rc, 1);
	CU_ASSERT(p.took_ms >= SHORT_PARK_MS - 1);
	pthread_join(p.thread, NULL);
	CU_ASSERT_FALSE(__atomic_load_n(&w.returned, __ATOMIC_SEQ_CST));
	end_watch(&w, '1');
}

static void
test_wake_all(void)
{
	struct idler	 w, p[3];
	int		 i;

	start_watcher(&w);
	start_parked(p, 3);
	usleep(SETTLE_MS * 1000);
	for (i = 0; i < 3; i++)
		CU_ASSERT_FALSE(__atomic_load_n(&p[i].returned,
		    __ATOMIC_SEQ_CST));
	gate_wake_all();
	join_woken(p, 3);
	CU_ASSERT_EQUAL(__atomic_load_n(&watch_calls, __ATOMIC_SEQ_CST), 1);
	CU_ASSERT_EQUAL(gate_parked(), 0);
	end_watch(&w, '1');
}

int
test_gate_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "one idle thread watches, the next parks until a blocking "
		    "thread finds none watching", test_park_until_needed },
		{ "the watcher returns what its watch returned",
		    test_watch_answer },
		{ "a park ends by itself after its time", test_park_times_out },
		{ "a stop wakes every parked thread", test_wake_all },
		{ "a watch that ends in a stop wakes every parked thread",
		    test_stop_from_watch },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite("gate", NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
