/*
 * tests.h: what the unit test files share: one registration function per
 * module (each adds its suite to the CUnit registry), an injectable clock,
 * and a fresh temporary directory for each store test.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_TESTS_H
#define LOCKGATE_TESTS_H

#include <stddef.h>
#include <stdint.h>

/* Each adds one suite to the current registry; returns 0, or -1. */
int	test_activation_add(void);
int	test_codec_add(void);
int	test_config_add(void);
int	test_etcd_codec_add(void);
int	test_gate_add(void);
int	test_getlock_add(void);
int	test_http_add(void);
int	test_lock_add(void);
int	test_lss_add(void);
int	test_mapfile_add(void);
int	test_number_add(void);
int	test_operator_add(void);
int	test_params_add(void);
int	test_record_add(void);
int	test_store_add(void);
int	test_store_etcd_add(void);
int	test_ulid_add(void);
int	test_uuid_add(void);
int	test_wake_add(void);

/*
 * The fake clock: tests set test_now (ms since the epoch) and hand
 * test_clock to store_options.clock, so expiry is judged at instants the
 * test chooses, never at the wall clock's.
 */
extern int64_t	test_now;
int64_t		test_clock(void);

/* The monotonic clock in ms, for tests of threads that must be prompt. */
int64_t		test_monotonic_ms(void);

/*
 * An assertion whose failure message names the input and what came out,
 * for helpers called from many places: TEST_ASSERT(ok, "fmt", ...) records
 * it at the caller's file and line (passed down as file, line).
 */
void	test_assert(int, const char *, unsigned int, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
#define TEST_HERE	__FILE__, __LINE__

/*
 * A fake environment for the code that reads variables through a lookup
 * function (config.c, http.c): name, value pairs, ending at the first
 * NULL name. test_env_lookup is that function; arg is the test_env.
 */
#define TEST_ENV_MAX	16
struct test_env {
	const char	*vars[TEST_ENV_MAX][2];
};
const char	*test_env_lookup(const char *, void *);

/*
 * A fresh directory made with mkdtemp under $TMPDIR (or /tmp), for one
 * test's LMDB environment. tmpdir_make returns its path (static storage,
 * valid until tmpdir_remove) or NULL; tmpdir_remove deletes the files in
 * it and the directory itself, and accepts being called with none made.
 */
const char	*tmpdir_make(void);
void		 tmpdir_remove(void);

#endif
