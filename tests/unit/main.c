/*
 * main.c: the unit test runner: one CUnit registry holding every module's
 * suite, run in verbose basic mode. Exits 0 only when every test passed.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include "log.h"
#include "tests.h"

int64_t	test_now;

static char	tmpdir[PATH_MAX];

int64_t
test_clock(void)
{
	return test_now;
}

int64_t
test_monotonic_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
test_env_lookup(const char *name, void *arg)
{
	const struct test_env	*e = arg;
	size_t			 i;

	for (i = 0; i < TEST_ENV_MAX && e->vars[i][0] != NULL; i++)
		if (strcmp(e->vars[i][0], name) == 0)
			return e->vars[i][1];
	return NULL;
}

/* CUnit copies the condition text, so a local buffer will do. */
void
test_assert(int ok, const char *file, unsigned int line, const char *fmt,
    ...)
{
	va_list	 ap;
	char	 msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, msg, file, "",
	    CU_FALSE);
}

const char *
tmpdir_make(void)
{
	const char	*base = getenv("TMPDIR");
	int		 n;

	tmpdir_remove();
	if (base == NULL || *base == '\0')
		base = "/tmp";
	n = snprintf(tmpdir, sizeof(tmpdir), "%s/lockgate-unit.XXXXXX", base);
	if (n < 0 || (size_t)n >= sizeof(tmpdir) || mkdtemp(tmpdir) == NULL) {
		tmpdir[0] = '\0';
		return NULL;
	}
	return tmpdir;
}

/* LMDB leaves only plain files (data.mdb, lock.mdb) in its directory. */
void
tmpdir_remove(void)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[PATH_MAX + 256];

	if (tmpdir[0] == '\0')
		return;
	if ((d = opendir(tmpdir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", tmpdir,
			    e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(tmpdir);
	tmpdir[0] = '\0';
}

int
main(void)
{
	static int (*const adds[])(void) = {
		test_activation_add,
		test_codec_add,
		test_config_add,
		test_etcd_codec_add,
		test_gate_add,
		test_getlock_add,
		test_http_add,
		test_lock_add,
		test_lss_add,
		test_mapfile_add,
		test_number_add,
		test_operator_add,
		test_params_add,
		test_record_add,
		test_store_add,
		test_store_etcd_add,
		test_ulid_add,
		test_uuid_add,
		test_wake_add,
	};
	unsigned int	 failures, failed_tests;
	size_t		 i;
	int		 rc = 1;

	/* The store tests provoke "full" and similar answers on purpose; only
	 * real errors should reach the test output. */
	log_set_level(LOG_LEVEL_ERROR);

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "CU_initialize_registry: %s\n",
		    CU_get_error_msg());
		return 1;
	}
	for (i = 0; i < sizeof(adds) / sizeof(adds[0]); i++)
		if (adds[i]() != 0) {
			fprintf(stderr, "building the registry: %s\n",
			    CU_get_error_msg());
			goto done;
		}

	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS) {
		fprintf(stderr, "CU_basic_run_tests: %s\n", CU_get_error_msg());
		goto done;
	}
	CU_basic_show_failures(CU_get_failure_list());
	printf("\n");
	failures = CU_get_number_of_failures();
	failed_tests = CU_get_number_of_tests_failed();
	rc = failures > 0 || failed_tests > 0 ? 1 : 0;
done:
	CU_cleanup_registry();
	tmpdir_remove();
	return rc;
}
