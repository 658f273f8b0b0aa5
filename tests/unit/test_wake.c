/*
 * test_wake.c: releases waking waiters (wake.c) across two mappings of
 * the same wake file, as two responder processes have them: a thread
 * asleep in one is woken at once by a release through the other; a
 * release made after a waiter read the counter, before it went to sleep,
 * makes it return at once (the futex compares the counter); without a
 * release a sleep lasts its time.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <pthread.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "tests.h"
#include "wake.h"

#define LONG_SLEEP_MS	10000	/* a sleep that must not run its course */
#define SETTLE_MS	300	/* time enough for a thread to fall asleep */
#define PROMPT_MS	2000	/* far more than a wake-up takes */

static struct wake	*here, *there;

/* Two handles on one fresh directory's wake file. */
static void
setup(void)
{
	const char	*dir = tmpdir_make();

	here = dir != NULL ? wake_open(dir, 4) : NULL;
	there = dir != NULL ? wake_open(dir, 4) : NULL;
}

static void
teardown(void)
{
	wake_close(here);
	wake_close(there);
	here = there = NULL;
	tmpdir_remove();
}

struct sleeper {
	pthread_t	 thread;
	uint32_t	 seen;
	int64_t		 took_ms;
	int		 returned;
};

static void *
sleep_here(void *arg)
{
	struct sleeper	*s = arg;
	int64_t		 t0 = test_monotonic_ms();

	wake_wait(here, s->seen, LONG_SLEEP_MS);
	s->took_ms = test_monotonic_ms() - t0;
	__atomic_store_n(&s->returned, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void
test_wakes_other_mapping(void)
{
	struct sleeper	 s = { 0 };
	int64_t		 until;

	CU_ASSERT_FATAL(here != NULL && there != NULL);
	s.seen = wake_seen(here);
	CU_ASSERT_FATAL(pthread_create(&s.thread, NULL, sleep_here, &s) == 0);
	usleep(SETTLE_MS * 1000);
	CU_ASSERT_FALSE(__atomic_load_n(&s.returned, __ATOMIC_SEQ_CST));
	wake_all(there);
	until = test_monotonic_ms() + PROMPT_MS;
	while (!__atomic_load_n(&s.returned, __ATOMIC_SEQ_CST) &&
	    test_monotonic_ms() < until)
		usleep(1000);
	CU_ASSERT(__atomic_load_n(&s.returned, __ATOMIC_SEQ_CST));
	pthread_join(s.thread, NULL);
	CU_ASSERT(s.took_ms < LONG_SLEEP_MS);
	CU_ASSERT_EQUAL(wake_seen(here), s.seen + 1);
	CU_ASSERT_EQUAL(wake_seen(there), s.seen + 1);
}

static void
test_release_before_sleep(void)
{
	uint32_t	 seen;
	int64_t		 t0;

	CU_ASSERT_FATAL(here != NULL && there != NULL);
	seen = wake_seen(here);
	wake_all(there);
	t0 = test_monotonic_ms();
	wake_wait(here, seen, LONG_SLEEP_MS);
	CU_ASSERT(test_monotonic_ms() - t0 < PROMPT_MS);
	CU_ASSERT_EQUAL(wake_seen(here), seen + 1);
}

static void
test_sleep_runs_its_course(void)
{
	int64_t		 t0;

	CU_ASSERT_FATAL(here != NULL && there != NULL);
	t0 = test_monotonic_ms();
	wake_wait(here, wake_seen(here), 50);
	CU_ASSERT(test_monotonic_ms() - t0 >= 49);
}

int
test_wake_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "a release through another mapping wakes a sleeper at once",
		    test_wakes_other_mapping },
		{ "a release between the look and the sleep is not missed",
		    test_release_before_sleep },
		{ "with no release a sleep lasts its time",
		    test_sleep_runs_its_course },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite_with_setup_and_teardown("wake", NULL, NULL,
	    setup, teardown)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
