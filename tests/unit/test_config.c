/*
 * test_config.c: the settings (config.c) read from a fake environment:
 * the defaults, each variable, and each bad value refused with a message
 * that starts with the variable's name.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "config.h"
#include "log.h"
#include "tests.h"

/* Loads one variable; returns config_load's answer, cfg filled. */
static int
load1(struct config *cfg, const char *name, const char *value, char *err,
    size_t errlen)
{
	struct test_env	 e;

	memset(&e, 0, sizeof(e));
	e.vars[0][0] = name;
	e.vars[0][1] = value;
	err[0] = '\0';
	return config_load(cfg, test_env_lookup, &e, err, errlen);
}

static void
test_defaults(void)
{
	struct test_env	 e;
	struct config	 cfg;
	char		 err[256] = "";

	memset(&e, 0, sizeof(e));
	CU_ASSERT_EQUAL_FATAL(config_load(&cfg, test_env_lookup, &e, err,
	    sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg.db);
	CU_ASSERT_STRING_EQUAL(cfg.db, "/var/lib/lockgate");
	CU_ASSERT_EQUAL(cfg.map_size, (size_t)1 << 30);
	CU_ASSERT_EQUAL(cfg.sync, CONFIG_SYNC_FULL);
	CU_ASSERT_EQUAL(cfg.max_ttl_ms, 604800000);
	CU_ASSERT_EQUAL(cfg.max_wait_ms, 60000);
	CU_ASSERT_EQUAL(cfg.max_body, 16384);
	CU_ASSERT_EQUAL(cfg.max_records, 1000000);
	CU_ASSERT_EQUAL(cfg.max_readers, 1024);
	CU_ASSERT_EQUAL(cfg.lss_retention_ms, 0);
	CU_ASSERT_EQUAL(cfg.log_level, LOG_LEVEL_WARN);
	config_free(&cfg);
	CU_ASSERT_PTR_NULL(cfg.db);
	/* config_free twice, or on a zeroed config, is harmless. */
	config_free(&cfg);
}

static void
test_each_variable(void)
{
	struct test_env	 e = { {
		{ "LOCKGATE_DB", "/srv/locks" },
		{ "LOCKGATE_MAP_SIZE", "64M" },
		{ "LOCKGATE_SYNC", "nosync" },
		{ "LOCKGATE_MAX_TTL", "3600" },
		{ "LOCKGATE_MAX_BODY", "1K" },
		{ "LOCKGATE_MAX_RECORDS", "500" },
		{ "LOCKGATE_MAX_READERS", "126" },
		{ "LOCKGATE_LOG_LEVEL", "DEBUG" },
	} };
	struct config	 cfg;
	char		 err[256] = "";

	CU_ASSERT_EQUAL_FATAL(config_load(&cfg, test_env_lookup, &e, err,
	    sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(cfg.db, "/srv/locks");
	CU_ASSERT_EQUAL(cfg.map_size, 64 * 1024 * 1024);
	CU_ASSERT_EQUAL(cfg.sync, CONFIG_SYNC_NONE);
	CU_ASSERT_EQUAL(cfg.max_ttl_ms, 3600000);
	CU_ASSERT_EQUAL(cfg.max_body, 1024);
	CU_ASSERT_EQUAL(cfg.max_records, 500);
	CU_ASSERT_EQUAL(cfg.max_readers, 126);
	CU_ASSERT_EQUAL(cfg.log_level, LOG_LEVEL_DEBUG);
	/* Untouched ones keep their defaults. */
	CU_ASSERT_EQUAL(cfg.max_wait_ms, 60000);
	config_free(&cfg);
}

static void
test_single_values(void)
{
	struct config	 cfg;
	char		 err[256];

	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_MAP_SIZE", "2G", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.map_size, (size_t)2 << 30);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_MAP_SIZE", "1048576", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.map_size, 1048576);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_MAP_SIZE", "1m", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.map_size, 1048576);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_SYNC", "nometasync", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.sync, CONFIG_SYNC_NOMETASYNC);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_SYNC", "full", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.sync, CONFIG_SYNC_FULL);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_MAX_TTL", "0.5", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.max_ttl_ms, 500);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_MAX_WAIT", "5", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.max_wait_ms, 5000);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_LSS_RETENTION", "86400", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.lss_retention_ms, 86400000);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_LSS_RETENTION", "0", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.lss_retention_ms, 0);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_LSS_RETENTION", "OFF", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.lss_retention_ms, 0);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_LOG_LEVEL", "error", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.log_level, LOG_LEVEL_ERROR);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_LOG_LEVEL", "Info", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.log_level, LOG_LEVEL_INFO);
	config_free(&cfg);
}

/* Expects name=value refused with a message that begins "name: ". */
static void
check_bad(const char *file, unsigned int line, const char *name,
    const char *value)
{
	struct config	 cfg;
	char		 err[256], prefix[64];
	size_t		 n;
	int		 rc;

	n = (size_t)snprintf(prefix, sizeof(prefix), "%s: ", name);
	rc = load1(&cfg, name, value, err, sizeof(err));
	/* A refused load leaves nothing to free. */
	test_assert(rc == -1 && strncmp(err, prefix, n) == 0 && cfg.db == NULL,
	    file, line, "%s=\"%s\": rc %d, \"%s\"; want -1, \"%s...\"",
	    name, value, rc, rc == -1 ? err : "", prefix);
	config_free(&cfg);
}

static void
test_bad_values(void)
{
	check_bad(TEST_HERE, "LOCKGATE_MAP_SIZE", "abc");
	check_bad(TEST_HERE, "LOCKGATE_MAP_SIZE", "1K");
	check_bad(TEST_HERE, "LOCKGATE_MAP_SIZE", "1048575");
	check_bad(TEST_HERE, "LOCKGATE_MAP_SIZE", "");
	check_bad(TEST_HERE, "LOCKGATE_MAP_SIZE", "-1G");
	check_bad(TEST_HERE, "LOCKGATE_MAP_SIZE", "1.5G");
	check_bad(TEST_HERE, "LOCKGATE_MAP_SIZE", "99999999999999999999");
	check_bad(TEST_HERE, "LOCKGATE_SYNC", "fast");
	check_bad(TEST_HERE, "LOCKGATE_SYNC", "");
	check_bad(TEST_HERE, "LOCKGATE_MAX_TTL", "abc");
	check_bad(TEST_HERE, "LOCKGATE_MAX_TTL", "0");
	check_bad(TEST_HERE, "LOCKGATE_MAX_TTL", "-1");
	check_bad(TEST_HERE, "LOCKGATE_MAX_TTL", "");
	check_bad(TEST_HERE, "LOCKGATE_MAX_TTL", "nan");
	check_bad(TEST_HERE, "LOCKGATE_MAX_TTL", "inf");
	check_bad(TEST_HERE, "LOCKGATE_MAX_TTL", "1e400");
	check_bad(TEST_HERE, "LOCKGATE_MAX_WAIT", "86401");
	check_bad(TEST_HERE, "LOCKGATE_MAX_BODY", "10");
	check_bad(TEST_HERE, "LOCKGATE_MAX_BODY", "65M");
	check_bad(TEST_HERE, "LOCKGATE_MAX_RECORDS", "0");
	check_bad(TEST_HERE, "LOCKGATE_MAX_RECORDS", "-3");
	check_bad(TEST_HERE, "LOCKGATE_MAX_RECORDS", "ten");
	check_bad(TEST_HERE, "LOCKGATE_MAX_READERS", "7");
	check_bad(TEST_HERE, "LOCKGATE_MAX_READERS", "65537");
	check_bad(TEST_HERE, "LOCKGATE_LSS_RETENTION", "abc");
	check_bad(TEST_HERE, "LOCKGATE_LSS_RETENTION", "-1");
	check_bad(TEST_HERE, "LOCKGATE_LOG_LEVEL", "loud");
	check_bad(TEST_HERE, "LOCKGATE_LOG_LEVEL", "");
	check_bad(TEST_HERE, "LOCKGATE_DB", "");
}

static void
test_bad_message(void)
{
	struct config	 cfg;
	char		 err[256];

	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_SYNC", "fast", err,
	    sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "LOCKGATE_SYNC: \"fast\" is not full, "
	    "nometasync or nosync");
	config_free(&cfg);
	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_DB", "", err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "LOCKGATE_DB: must not be empty");
	config_free(&cfg);
}

int
test_config_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "defaults", test_defaults },
		{ "every variable at once", test_each_variable },
		{ "single values", test_single_values },
		{ "bad values name their variable", test_bad_values },
		{ "bad value messages", test_bad_message },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite("config", NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
