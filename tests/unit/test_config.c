/*
 * test_config.c: the settings (config.c) read from a fake environment:
 * the defaults, each variable, and each bad value refused with a message
 * that starts with the variable's name.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
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

/* Loads the etcd store's settings: LOCKGATE_STORE=etcd, the endpoints
 * given (NULL: none), and one more variable (NULL: none). */
static int
load_etcd(struct config *cfg, const char *endpoints, const char *name,
    const char *value, char *err, size_t errlen)
{
	struct test_env	 e;
	int		 n = 0;

	memset(&e, 0, sizeof(e));
	e.vars[n][0] = "LOCKGATE_STORE";
	e.vars[n++][1] = "etcd";
	if (endpoints != NULL) {
		e.vars[n][0] = "LOCKGATE_ETCD_ENDPOINTS";
		e.vars[n++][1] = endpoints;
	}
	if (name != NULL) {
		e.vars[n][0] = name;
		e.vars[n][1] = value;
	}
	err[0] = '\0';
	return config_load(cfg, test_env_lookup, &e, err, errlen);
}

static void
test_etcd_defaults(void)
{
	struct config	 cfg;
	char		 err[256];

	/* LMDB unless told: no etcd setting is read. */
	CU_ASSERT_EQUAL_FATAL(load1(&cfg, "LOCKGATE_ETCD_ENDPOINTS", "nonsense",
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.store, CONFIG_STORE_LMDB);
	CU_ASSERT_PTR_NULL(cfg.etcd.endpoints);
	CU_ASSERT_EQUAL(cfg.etcd.nendpoints, 0);
	CU_ASSERT_PTR_NULL(cfg.etcd.prefix);
	config_free(&cfg);
	CU_ASSERT_EQUAL_FATAL(load1(&cfg, "LOCKGATE_STORE", "LMDB", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.store, CONFIG_STORE_LMDB);
	config_free(&cfg);

	CU_ASSERT_EQUAL_FATAL(load_etcd(&cfg, "http://127.0.0.1:2379", NULL,
	    NULL, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(cfg.store, CONFIG_STORE_ETCD);
	CU_ASSERT_EQUAL_FATAL(cfg.etcd.nendpoints, 1);
	CU_ASSERT_STRING_EQUAL(cfg.etcd.endpoints[0], "http://127.0.0.1:2379");
	CU_ASSERT_PTR_NULL(cfg.etcd.endpoints[1]);
	CU_ASSERT_STRING_EQUAL(cfg.etcd.prefix, "lockgate/");
	CU_ASSERT_PTR_NULL(cfg.etcd.ca);
	CU_ASSERT_PTR_NULL(cfg.etcd.cert);
	CU_ASSERT_PTR_NULL(cfg.etcd.key);
	CU_ASSERT_PTR_NULL(cfg.etcd.user);
	CU_ASSERT_PTR_NULL(cfg.etcd.password);
	CU_ASSERT_EQUAL(cfg.etcd.timeout_ms, 2000);
	/* LOCKGATE_DB stays: this host's own files. */
	CU_ASSERT_STRING_EQUAL(cfg.db, "/var/lib/lockgate");
	config_free(&cfg);
	CU_ASSERT_PTR_NULL(cfg.etcd.endpoints);
	CU_ASSERT_PTR_NULL(cfg.etcd.prefix);
	config_free(&cfg);
}

/* Writes text into a new file of the test's directory; its path in
 * path. */
static int
write_file(const char *dir, const char *name, const char *text,
    char *path, size_t len)
{
	FILE	*f;

	snprintf(path, len, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void
test_etcd_values(void)
{
	struct test_env	 e = { {
		{ "LOCKGATE_STORE", "Etcd" },
		{ "LOCKGATE_ETCD_ENDPOINTS", " http://10.0.0.1:2379 ,https://"
		    "etcd-2.example:2379/,http://[::1]:2379,http://etcd3" },
		{ "LOCKGATE_ETCD_PREFIX", "team/locks/" },
		{ "LOCKGATE_ETCD_CA", "/etc/ssl/etcd-ca.pem" },
		{ "LOCKGATE_ETCD_CERT", "/etc/ssl/client.pem" },
		{ "LOCKGATE_ETCD_KEY", "/etc/ssl/client.key" },
		{ "LOCKGATE_ETCD_USER", "lockgate" },
		{ "LOCKGATE_ETCD_PASSWORD_FILE", NULL },
		{ "LOCKGATE_ETCD_TIMEOUT", "0.25" },
	} };
	struct config	 cfg;
	const char	*dir;
	char		 err[256], path[4096];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = tmpdir_make());
	CU_ASSERT_EQUAL_FATAL(write_file(dir, "pw", "s3cret pass\r\nsecond "
	    "line\n", path, sizeof(path)), 0);
	e.vars[7][1] = path;
	CU_ASSERT_EQUAL_FATAL(config_load(&cfg, test_env_lookup, &e, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.store, CONFIG_STORE_ETCD);
	CU_ASSERT_EQUAL_FATAL(cfg.etcd.nendpoints, 4);
	/* Blanks around each and a trailing "/" dropped; no port: the
	 * scheme's. */
	CU_ASSERT_STRING_EQUAL(cfg.etcd.endpoints[0], "http://10.0.0.1:2379");
	CU_ASSERT_STRING_EQUAL(cfg.etcd.endpoints[1],
	    "https://etcd-2.example:2379");
	CU_ASSERT_STRING_EQUAL(cfg.etcd.endpoints[2], "http://[::1]:2379");
	CU_ASSERT_STRING_EQUAL(cfg.etcd.endpoints[3], "http://etcd3");
	CU_ASSERT_PTR_NULL(cfg.etcd.endpoints[4]);
	CU_ASSERT_STRING_EQUAL(cfg.etcd.prefix, "team/locks/");
	CU_ASSERT_STRING_EQUAL(cfg.etcd.ca, "/etc/ssl/etcd-ca.pem");
	CU_ASSERT_STRING_EQUAL(cfg.etcd.cert, "/etc/ssl/client.pem");
	CU_ASSERT_STRING_EQUAL(cfg.etcd.key, "/etc/ssl/client.key");
	CU_ASSERT_STRING_EQUAL(cfg.etcd.user, "lockgate");
	/* The first line, without its line end; blanks kept. */
	CU_ASSERT_STRING_EQUAL(cfg.etcd.password, "s3cret pass");
	CU_ASSERT_EQUAL(cfg.etcd.timeout_ms, 250);
	config_free(&cfg);

	/* One at a time. */
	CU_ASSERT_EQUAL(load_etcd(&cfg, "https://a:1", "LOCKGATE_ETCD_TIMEOUT",
	    "0.1", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.etcd.timeout_ms, 100);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load_etcd(&cfg, "https://a:1", "LOCKGATE_ETCD_TIMEOUT",
	    "60", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.etcd.timeout_ms, 60000);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load_etcd(&cfg, "https://a:1", "LOCKGATE_ETCD_CA",
	    "/ca.pem", err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(cfg.etcd.ca, "/ca.pem");
	CU_ASSERT_PTR_NULL(cfg.etcd.cert);
	config_free(&cfg);
	/* Empty: as if not set. */
	CU_ASSERT_EQUAL(load_etcd(&cfg, "https://a:1", "LOCKGATE_ETCD_CERT",
	    "", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(cfg.etcd.cert);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load_etcd(&cfg, "https://a:1", "LOCKGATE_ETCD_USER",
	    "", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(cfg.etcd.user);
	config_free(&cfg);
	/* A password file without a user is not read. */
	CU_ASSERT_EQUAL(load_etcd(&cfg, "https://a:1",
	    "LOCKGATE_ETCD_PASSWORD_FILE", "/nonexistent/pw", err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(cfg.etcd.password);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load_etcd(&cfg, "http://a:1", "LOCKGATE_ETCD_PREFIX",
	    "x", err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(cfg.etcd.prefix, "x");
	config_free(&cfg);
	tmpdir_remove();
}

/* Expects the etcd settings with name=value refused, with a message that
 * begins with want. */
static void
check_etcd_bad(const char *file, unsigned int line, const char *endpoints,
    const char *name, const char *value, const char *want)
{
	struct config	 cfg;
	char		 err[256];
	int		 rc;

	rc = load_etcd(&cfg, endpoints, name, value, err, sizeof(err));
	test_assert(rc == -1 && strncmp(err, want, strlen(want)) == 0 &&
	    cfg.db == NULL && cfg.etcd.endpoints == NULL, file, line,
	    "%s=\"%s\" (endpoints \"%s\"): rc %d, \"%s\"; want -1, \"%s...\"",
	    name != NULL ? name : "", value != NULL ? value : "",
	    endpoints != NULL ? endpoints : "(none)", rc, rc == -1 ? err : "",
	    want);
	config_free(&cfg);
}

static void
test_etcd_bad_values(void)
{
	static const char *const urls[] = { "127.0.0.1:2379", "ftp://a:1",
	    "http://", "https://", "http:///", "//a:1", "a", "http://a:1/v3",
	    "http://a:1//", "http://a:1?x=1", "http://user@a:1",
	    "HTTP://a:1" };
	static const char *const second[] = { "http://a:1,", "http://a:1,,",
	    "http://a:1, ", "http://a:1,b:2", "http://a:1,http://b:2/x" };
	static const char *const timeouts[] = { "0", "0.05", "0.099", "61",
	    "-1", "abc", "", "1s", "nan", "inf", "1e400" };
	char		 longurl[300], longprefix[CONFIG_ETCD_PREFIX_MAX + 2];
	char		 err[256], path[4096];
	struct config	 cfg;
	const char	*dir;
	size_t		 i;

	check_bad(TEST_HERE, "LOCKGATE_STORE", "redis");
	check_bad(TEST_HERE, "LOCKGATE_STORE", "");
	check_bad(TEST_HERE, "LOCKGATE_STORE", "etcd3");
	/* etcd without endpoints. */
	check_etcd_bad(TEST_HERE, NULL, NULL, NULL,
	    "LOCKGATE_ETCD_ENDPOINTS: ");
	check_etcd_bad(TEST_HERE, "", NULL, NULL,
	    "LOCKGATE_ETCD_ENDPOINTS: ");
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
		check_etcd_bad(TEST_HERE, urls[i], NULL, NULL,
		    "LOCKGATE_ETCD_ENDPOINTS: endpoint 1 is not ");
	for (i = 0; i < sizeof(second) / sizeof(second[0]); i++)
		check_etcd_bad(TEST_HERE, second[i], NULL, NULL,
		    "LOCKGATE_ETCD_ENDPOINTS: endpoint 2 is not ");
	memset(longurl, 'a', sizeof(longurl) - 1);
	longurl[sizeof(longurl) - 1] = '\0';
	memcpy(longurl, "http://", 7);
	check_etcd_bad(TEST_HERE, longurl, NULL, NULL,
	    "LOCKGATE_ETCD_ENDPOINTS: endpoint 1 is not ");
	/* The prefix: 1 to CONFIG_ETCD_PREFIX_MAX characters. */
	check_etcd_bad(TEST_HERE, "http://a:1", "LOCKGATE_ETCD_PREFIX", "",
	    "LOCKGATE_ETCD_PREFIX: ");
	memset(longprefix, 'p', sizeof(longprefix) - 1);
	longprefix[sizeof(longprefix) - 1] = '\0';
	check_etcd_bad(TEST_HERE, "http://a:1", "LOCKGATE_ETCD_PREFIX",
	    longprefix, "LOCKGATE_ETCD_PREFIX: ");
	longprefix[CONFIG_ETCD_PREFIX_MAX] = '\0';
	CU_ASSERT_EQUAL(load_etcd(&cfg, "http://a:1", "LOCKGATE_ETCD_PREFIX",
	    longprefix, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(strlen(cfg.etcd.prefix), CONFIG_ETCD_PREFIX_MAX);
	config_free(&cfg);
	/* A certificate needs its key, and a key its certificate. */
	check_etcd_bad(TEST_HERE, "https://a:1", "LOCKGATE_ETCD_CERT",
	    "/c.pem", "LOCKGATE_ETCD_CERT and LOCKGATE_ETCD_KEY: ");
	check_etcd_bad(TEST_HERE, "https://a:1", "LOCKGATE_ETCD_KEY",
	    "/c.key", "LOCKGATE_ETCD_CERT and LOCKGATE_ETCD_KEY: ");
	/* A user needs a password file with a password. */
	check_etcd_bad(TEST_HERE, "https://a:1", "LOCKGATE_ETCD_USER", "u",
	    "LOCKGATE_ETCD_PASSWORD_FILE: ");
	for (i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++)
		check_etcd_bad(TEST_HERE, "http://a:1", "LOCKGATE_ETCD_TIMEOUT",
		    timeouts[i], "LOCKGATE_ETCD_TIMEOUT: ");

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir = tmpdir_make());
	{
		struct test_env	 e = { {
			{ "LOCKGATE_STORE", "etcd" },
			{ "LOCKGATE_ETCD_ENDPOINTS", "http://a:1" },
			{ "LOCKGATE_ETCD_USER", "u" },
			{ "LOCKGATE_ETCD_PASSWORD_FILE", NULL },
		} };
		static const char *const empty[] = { "", "\n", "\r\nsecret\n" };
		char	 want[4200];

		snprintf(path, sizeof(path), "%s/missing", dir);
		e.vars[3][1] = path;
		CU_ASSERT_EQUAL(config_load(&cfg, test_env_lookup, &e, err,
		    sizeof(err)), -1);
		snprintf(want, sizeof(want), "LOCKGATE_ETCD_PASSWORD_FILE: "
		    "cannot read %s", path);
		CU_ASSERT_STRING_EQUAL(err, want);
		CU_ASSERT_PTR_NULL(cfg.db);
		config_free(&cfg);
		e.vars[3][1] = "";
		CU_ASSERT_EQUAL(config_load(&cfg, test_env_lookup, &e, err,
		    sizeof(err)), -1);
		CU_ASSERT_STRING_EQUAL(err, "LOCKGATE_ETCD_PASSWORD_FILE: must "
		    "name a file when LOCKGATE_ETCD_USER is set");
		config_free(&cfg);
		for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
			CU_ASSERT_EQUAL_FATAL(write_file(dir, "pw", empty[i],
			    path, sizeof(path)), 0);
			e.vars[3][1] = path;
			CU_ASSERT_EQUAL(config_load(&cfg, test_env_lookup, &e,
			    err, sizeof(err)), -1);
			snprintf(want, sizeof(want), "LOCKGATE_ETCD_PASSWORD_"
			    "FILE: %s has no password on its first line", path);
			CU_ASSERT_STRING_EQUAL(err, want);
			CU_ASSERT_PTR_NULL(cfg.etcd.user);
			config_free(&cfg);
		}
		/* A directory reads as no password. */
		e.vars[3][1] = dir;
		CU_ASSERT_EQUAL(config_load(&cfg, test_env_lookup, &e, err,
		    sizeof(err)), -1);
		CU_ASSERT_EQUAL(strncmp(err, "LOCKGATE_ETCD_PASSWORD_FILE: ",
		    29), 0);
		config_free(&cfg);
	}
	tmpdir_remove();
}

/* The exact messages of the etcd settings. */
static void
test_etcd_messages(void)
{
	struct config	 cfg;
	char		 err[256];

	CU_ASSERT_EQUAL(load1(&cfg, "LOCKGATE_STORE", "redis", err,
	    sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "LOCKGATE_STORE: \"redis\" is not lmdb or "
	    "etcd");
	config_free(&cfg);
	CU_ASSERT_EQUAL(load_etcd(&cfg, NULL, NULL, NULL, err, sizeof(err)),
	    -1);
	CU_ASSERT_STRING_EQUAL(err, "LOCKGATE_ETCD_ENDPOINTS: must name the "
	    "etcd members (http://HOST:PORT,...) when LOCKGATE_STORE is etcd");
	config_free(&cfg);
	CU_ASSERT_EQUAL(load_etcd(&cfg, "http://a:1,http://b:2,c:3", NULL,
	    NULL, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "LOCKGATE_ETCD_ENDPOINTS: endpoint 3 is "
	    "not http://HOST:PORT or https://HOST:PORT");
	config_free(&cfg);
	CU_ASSERT_EQUAL(load_etcd(&cfg, "http://a:1", "LOCKGATE_ETCD_PREFIX",
	    "", err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "LOCKGATE_ETCD_PREFIX: must be 1 to 200 "
	    "characters");
	config_free(&cfg);
	CU_ASSERT_EQUAL(load_etcd(&cfg, "http://a:1", "LOCKGATE_ETCD_KEY",
	    "/k", err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "LOCKGATE_ETCD_CERT and LOCKGATE_ETCD_KEY: "
	    "set both or neither");
	config_free(&cfg);
	CU_ASSERT_EQUAL(load_etcd(&cfg, "http://a:1", "LOCKGATE_ETCD_TIMEOUT",
	    "0.05", err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "LOCKGATE_ETCD_TIMEOUT: \"0.05\" is not a "
	    "number of seconds from 0.1 to 60");
	config_free(&cfg);
}

/* Whether libcurl takes url and finds the path /v3/kv/range in it. */
static int
curl_usable(const char *url, CURLUcode *uc)
{
	CURLU	*u;
	char	*path = NULL;
	int	 usable;

	if ((u = curl_url()) == NULL)
		return -1;
	*uc = curl_url_set(u, CURLUPART_URL, url, 0);
	usable = *uc == CURLUE_OK && curl_url_get(u, CURLUPART_PATH, &path,
	    0) == CURLUE_OK && strcmp(path, "/v3/kv/range") == 0;
	curl_free(path);
	curl_url_cleanup(u);
	return usable;
}

/*
 * An endpoint must be http(s)://HOST[:PORT]: HOST letters, digits, '.'
 * and '-', or an IPv6 address in brackets; PORT 1 to 65535. Endpoints
 * libcurl cannot use (refused, or whose path goes elsewhere) are refused
 * at start-up, naming LOCKGATE_ETCD_ENDPOINTS, instead of every request
 * to that member failing (a 503 for ever with one endpoint). Those taken
 * are ones libcurl can use. (A regression test: it was a BUG test.)
 */
static void
test_endpoints_curl_can_use(void)
{
	static const char *const bad[] = { "http://a b:1", "http:// a:1",
	    "http://a:x", "http://a:99999", "http://a:-1", "http://a:1:2",
	    "http://[::1", "http://a:1#f", "http://a:0", "http://a:65536",
	    "http://a:", "http://:1", "http://[]:1", "http://[::1]x",
	    "http://[::1]:", "http://[::g]:1", "http://a%41:1" };
	static const char *const good[] = { "http://a:1", "http://a:65535",
	    "http://a", "https://etcd-1.example.org:2379", "http://10.0.0.1",
	    "http://[::1]", "https://[fe80::1:2]:2379", "http://A-1.b:80" };
	struct config	 cfg;
	CURLUcode	 uc;
	char		 err[256], url[512];
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (i < 8) {
			/* Each refused by libcurl, or another path. */
			snprintf(url, sizeof(url), "%s/v3/kv/range", bad[i]);
			test_assert(curl_usable(url, &uc) == 0, TEST_HERE,
			    "libcurl uses %s", url);
		}
		rc = load_etcd(&cfg, bad[i], NULL, NULL, err, sizeof(err));
		test_assert(rc == -1 && strcmp(err, "LOCKGATE_ETCD_ENDPOINTS: "
		    "endpoint 1 is not http://HOST:PORT or https://HOST:PORT")
		    == 0, TEST_HERE, "LOCKGATE_ETCD_ENDPOINTS=\"%s\": rc %d, "
		    "\"%s\"; want it refused", bad[i], rc, rc == -1 ? err : "");
		config_free(&cfg);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		rc = load_etcd(&cfg, good[i], NULL, NULL, err, sizeof(err));
		test_assert(rc == 0 && cfg.etcd.nendpoints == 1 &&
		    strcmp(cfg.etcd.endpoints[0], good[i]) == 0, TEST_HERE,
		    "LOCKGATE_ETCD_ENDPOINTS=\"%s\": rc %d, \"%s\"; want it "
		    "taken as it is", good[i], rc, rc == -1 ? err : "");
		config_free(&cfg);
		snprintf(url, sizeof(url), "%s/v3/kv/range", good[i]);
		test_assert(curl_usable(url, &uc) == 1, TEST_HERE,
		    "libcurl cannot use %s: %s", url, uc != CURLUE_OK ?
		    curl_url_strerror(uc) : "another path");
	}
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
		{ "etcd: defaults; LMDB reads none", test_etcd_defaults },
		{ "etcd: every setting", test_etcd_values },
		{ "etcd: bad values name their variable",
		    test_etcd_bad_values },
		{ "etcd: messages", test_etcd_messages },
		{ "etcd: endpoints are ones libcurl can use",
		    test_endpoints_curl_can_use },
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
