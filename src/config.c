/*
 * config.c: the settings, read once from the environment at start.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "log.h"
#include "number.h"

#define DEFAULT_DB		"/var/lib/lockgate"
#define DEFAULT_MAP_SIZE	((size_t)1 << 30)
#define DEFAULT_MAX_TTL_MS	(604800LL * 1000)
#define DEFAULT_MAX_WAIT_MS	(60LL * 1000)
#define DEFAULT_MAX_BODY	16384
#define DEFAULT_MAX_RECORDS	1000000
#define DEFAULT_MAX_READERS	1024
#define DEFAULT_THREADS		16
#define DEFAULT_ETCD_PREFIX	"lockgate/"
#define DEFAULT_ETCD_TIMEOUT_MS	2000
#define ETCD_TIMEOUT_LIMIT_MS	(60LL * 1000)
/* The largest values the time settings take, in milliseconds. */
#define MAX_TTL_LIMIT_MS	(1000000000LL * 1000)
#define MAX_WAIT_LIMIT_MS	(86400LL * 1000)
#define LSS_RETENTION_LIMIT_MS	(10000000000LL * 1000)

/* Parses a whole unsigned decimal number, at most max. */
static int
parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	return number_uint(s, strlen(s), 0, max, out);
}

/* Parses bytes with an optional K, M, G or T suffix (powers of 1024). */
static int
parse_size(const char *s, uint64_t *out)
{
	char		 num[32], *suffix;
	size_t		 len = strlen(s);
	uint64_t	 v, mult = 1;

	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, s, len + 1);
	suffix = num + len - 1;
	switch (*suffix) {
	case 'k': case 'K': mult = 1ULL << 10; break;
	case 'm': case 'M': mult = 1ULL << 20; break;
	case 'g': case 'G': mult = 1ULL << 30; break;
	case 't': case 'T': mult = 1ULL << 40; break;
	default: suffix = NULL; break;
	}
	if (suffix != NULL)
		*suffix = '\0';
	if (parse_uint(num, UINT64_MAX / mult, &v) == -1)
		return -1;
	*out = v * mult;
	return 0;
}

/* Parses seconds (a decimal, fractions allowed, no blanks) into
 * milliseconds, above 0 and at most max_ms. */
static int
parse_seconds(const char *s, int64_t max_ms, int64_t *out)
{
	return number_seconds(s, strlen(s), max_ms, 0, out) == NUMBER_OK ?
	    0 : -1;
}

/* The index of v (any case) in the NULL-terminated words, or -1. */
static int
choose(const char *v, const char *const *words)
{
	int	 i;

	for (i = 0; words[i] != NULL; i++)
		if (strcasecmp(v, words[i]) == 0)
			return i;
	return -1;
}

/* Whether s can be a bearer token: RFC 6750's token68 characters. */
static int
token_valid(const char *s, size_t len)
{
	size_t	 i;

	if (len < CONFIG_TOKEN_MIN || len > CONFIG_TOKEN_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-._~+/=", s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

/*
 * Splits a comma-separated list of tokens (blanks around each ignored)
 * into cfg->api_tokens. Returns 0, or -1 with a message in err.
 */
static int
parse_tokens(struct config *cfg, const char *v, char *err, size_t errlen)
{
	const char	*p = v, *end;
	size_t		 n = 1, len;

	for (end = v; *end != '\0'; end++)
		n += *end == ',';
	if ((cfg->api_tokens = calloc(n + 1, sizeof(char *))) == NULL) {
		snprintf(err, errlen, "LOCKGATE_API_TOKENS: out of memory");
		return -1;
	}
	for (n = 0; ; p = end + 1) {
		p += strspn(p, " \t");
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (!token_valid(p, len)) {
			snprintf(err, errlen, "LOCKGATE_API_TOKENS: token %zu "
			    "is not %d to %d characters of A-Z a-z 0-9 "
			    "-._~+/= (make one with: head -c 24 /dev/urandom "
			    "| base64)", n + 1, CONFIG_TOKEN_MIN,
			    CONFIG_TOKEN_MAX);
			return -1;
		}
		if ((cfg->api_tokens[n++] = strndup(p, len)) == NULL) {
			snprintf(err, errlen, "LOCKGATE_API_TOKENS: out of "
			    "memory");
			return -1;
		}
		if (*end == '\0')
			return 0;
	}
}

/*
 * Whether host[0..len) is HOST[:PORT]: a name or IPv4 address (letters,
 * digits, '.', '-', and '_' as container names have it), or an IPv6
 * address in brackets; a port from 1 to 65535.
 */
static int
host_port_valid(const char *host, size_t len)
{
	const char	*end = host + len, *p = host, *colon;
	uint64_t	 port;

	if (len == 0)
		return 0;
	if (*p == '[') {
		for (p++; p < end && *p != ']'; p++)
			if (strchr("0123456789abcdefABCDEF:.", *p) == NULL)
				return 0;
		if (p == end || p == host + 1)
			return 0;
		colon = ++p;
	} else {
		for (; p < end && *p != ':'; p++)
			if (!((*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
			    *p == '_'))
				return 0;
		if (p == host)
			return 0;
		colon = p;
	}
	if (colon == end)
		return 1;
	if (*colon != ':' || colon + 1 == end)
		return 0;
	return number_uint(colon + 1, (size_t)(end - colon - 1), 1, 65535,
	    &port) == 0;
}

/*
 * Splits LOCKGATE_ETCD_ENDPOINTS, a comma-separated list of base URLs
 * (http://host:port or https://host:port, a trailing "/" dropped), into
 * e->endpoints. Returns 0, or -1 with a message in err.
 */
static int
parse_endpoints(struct config_etcd *e, const char *v, char *err,
    size_t errlen)
{
	const char	*p = v, *end, *host;
	size_t		 n = 1, len;

	for (end = v; *end != '\0'; end++)
		n += *end == ',';
	if ((e->endpoints = calloc(n + 1, sizeof(char *))) == NULL) {
		snprintf(err, errlen, "LOCKGATE_ETCD_ENDPOINTS: out of memory");
		return -1;
	}
	for (;; p = end + 1) {
		p += strspn(p, " \t");
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > 0 && p[len - 1] == '/')
			len--;
		host = strncmp(p, "http://", 7) == 0 ? p + 7 :
		    strncmp(p, "https://", 8) == 0 ? p + 8 : NULL;
		if (host == NULL || len > 255 ||
		    !host_port_valid(host, (size_t)(p + len - host))) {
			snprintf(err, errlen, "LOCKGATE_ETCD_ENDPOINTS: "
			    "endpoint %zu is not http://HOST:PORT or "
			    "https://HOST:PORT", e->nendpoints + 1);
			return -1;
		}
		if ((e->endpoints[e->nendpoints++] = strndup(p, len)) == NULL) {
			snprintf(err, errlen, "LOCKGATE_ETCD_ENDPOINTS: out "
			    "of memory");
			return -1;
		}
		if (*end == '\0')
			return 0;
	}
}

/* Copies v into *out, or says it is out of memory. */
static int
copy_setting(const char *name, const char *v, char **out, char *err,
    size_t errlen)
{
	if ((*out = strdup(v)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	return 0;
}

/*
 * Reads the password file: its first line is the password. Returns 0, or
 * -1 with a message in err.
 */
static int
read_password(struct config_etcd *e, const char *path, char *err,
    size_t errlen)
{
	FILE	*f;
	char	 line[256];

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "LOCKGATE_ETCD_PASSWORD_FILE: cannot "
		    "read %s", path);
		return -1;
	}
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0') {
		snprintf(err, errlen, "LOCKGATE_ETCD_PASSWORD_FILE: %s has no "
		    "password on its first line", path);
		return -1;
	}
	return copy_setting("LOCKGATE_ETCD_PASSWORD_FILE", line, &e->password,
	    err, errlen);
}

/*
 * The etcd backend's settings, read only when LOCKGATE_STORE is etcd.
 * Returns 0, or -1 with a message naming the variable in err.
 */
static int
load_etcd(struct config_etcd *e, config_lookup_fn *lookup, void *arg,
    char *err, size_t errlen)
{
	static const char *const files[] = { "LOCKGATE_ETCD_CA",
	    "LOCKGATE_ETCD_CERT", "LOCKGATE_ETCD_KEY", NULL };
	char		**fields[] = { &e->ca, &e->cert, &e->key };
	const char	*v;
	size_t		 i;

	e->timeout_ms = DEFAULT_ETCD_TIMEOUT_MS;
	if ((v = lookup("LOCKGATE_ETCD_ENDPOINTS", arg)) == NULL ||
	    *v == '\0') {
		snprintf(err, errlen, "LOCKGATE_ETCD_ENDPOINTS: must name the "
		    "etcd members (http://HOST:PORT,...) when LOCKGATE_STORE "
		    "is etcd");
		return -1;
	}
	if (parse_endpoints(e, v, err, errlen) == -1)
		return -1;
	v = lookup("LOCKGATE_ETCD_PREFIX", arg);
	if (v != NULL && (*v == '\0' || strlen(v) > CONFIG_ETCD_PREFIX_MAX)) {
		snprintf(err, errlen, "LOCKGATE_ETCD_PREFIX: must be 1 to %d "
		    "characters", CONFIG_ETCD_PREFIX_MAX);
		return -1;
	}
	if (copy_setting("LOCKGATE_ETCD_PREFIX", v != NULL ? v :
	    DEFAULT_ETCD_PREFIX, &e->prefix, err, errlen) == -1)
		return -1;
	for (i = 0; files[i] != NULL; i++)
		if ((v = lookup(files[i], arg)) != NULL && *v != '\0' &&
		    copy_setting(files[i], v, fields[i], err, errlen) == -1)
			return -1;
	if ((e->cert == NULL) != (e->key == NULL)) {
		snprintf(err, errlen, "LOCKGATE_ETCD_CERT and "
		    "LOCKGATE_ETCD_KEY: set both or neither");
		return -1;
	}
	if ((v = lookup("LOCKGATE_ETCD_USER", arg)) != NULL && *v != '\0') {
		if (copy_setting("LOCKGATE_ETCD_USER", v, &e->user, err,
		    errlen) == -1)
			return -1;
		if ((v = lookup("LOCKGATE_ETCD_PASSWORD_FILE", arg)) == NULL ||
		    *v == '\0') {
			snprintf(err, errlen, "LOCKGATE_ETCD_PASSWORD_FILE: "
			    "must name a file when LOCKGATE_ETCD_USER is set");
			return -1;
		}
		if (read_password(e, v, err, errlen) == -1)
			return -1;
	}
	if ((v = lookup("LOCKGATE_ETCD_TIMEOUT", arg)) != NULL &&
	    (parse_seconds(v, ETCD_TIMEOUT_LIMIT_MS, &e->timeout_ms) == -1 ||
	    e->timeout_ms < 100)) {
		snprintf(err, errlen, "LOCKGATE_ETCD_TIMEOUT: \"%s\" is not a "
		    "number of seconds from 0.1 to 60", v);
		return -1;
	}
	return 0;
}

/*
 * Fills cfg from the variables that lookup finds, defaults for the rest.
 * Returns 0, or -1 with a message naming the variable in err.
 * The caller frees cfg with config_free().
 */
int
config_load(struct config *cfg, config_lookup_fn *lookup, void *arg,
    char *err, size_t errlen)
{
	const char	*v;
	uint64_t	 u;
	int		 i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->map_size = DEFAULT_MAP_SIZE;
	cfg->sync = CONFIG_SYNC_FULL;
	cfg->max_ttl_ms = DEFAULT_MAX_TTL_MS;
	cfg->max_wait_ms = DEFAULT_MAX_WAIT_MS;
	cfg->max_body = DEFAULT_MAX_BODY;
	cfg->max_records = DEFAULT_MAX_RECORDS;
	cfg->max_readers = DEFAULT_MAX_READERS;
	cfg->log_level = LOG_LEVEL_WARN;
	cfg->threads = DEFAULT_THREADS;

	v = lookup("LOCKGATE_DB", arg);
	if (v != NULL && *v == '\0') {
		snprintf(err, errlen, "LOCKGATE_DB: must not be empty");
		return -1;
	}
	if ((cfg->db = strdup(v != NULL ? v : DEFAULT_DB)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((v = lookup("LOCKGATE_STORE", arg)) != NULL) {
		/* In the order of enum config_store. */
		static const char *const stores[] = { "lmdb", "etcd", NULL };

		if ((i = choose(v, stores)) == -1) {
			snprintf(err, errlen, "LOCKGATE_STORE: \"%s\" is not "
			    "lmdb or etcd", v);
			goto fail;
		}
		cfg->store = (enum config_store)i;
	}
	if (cfg->store == CONFIG_STORE_ETCD &&
	    load_etcd(&cfg->etcd, lookup, arg, err, errlen) == -1)
		goto fail;
	if ((v = lookup("LOCKGATE_MAP_SIZE", arg)) != NULL) {
		/* Below 1 MiB LMDB cannot hold even a small tree. */
		if (parse_size(v, &u) == -1 || u < (1ULL << 20) ||
		    u > (uint64_t)SIZE_MAX) {
			snprintf(err, errlen, "LOCKGATE_MAP_SIZE: \"%s\" is not "
			    "a size of at least 1M (bytes, or with K, M, G, T)", v);
			goto fail;
		}
		cfg->map_size = (size_t)u;
	}
	if ((v = lookup("LOCKGATE_SYNC", arg)) != NULL) {
		/* In the order of enum config_sync. */
		static const char *const syncs[] = { "full", "nometasync",
		    "nosync", NULL };

		if ((i = choose(v, syncs)) == -1) {
			snprintf(err, errlen, "LOCKGATE_SYNC: \"%s\" is not "
			    "full, nometasync or nosync", v);
			goto fail;
		}
		cfg->sync = (enum config_sync)i;
	}
	if ((v = lookup("LOCKGATE_MAX_TTL", arg)) != NULL &&
	    parse_seconds(v, MAX_TTL_LIMIT_MS, &cfg->max_ttl_ms) == -1) {
		snprintf(err, errlen, "LOCKGATE_MAX_TTL: \"%s\" is not a "
		    "number of seconds above 0", v);
		goto fail;
	}
	if ((v = lookup("LOCKGATE_MAX_WAIT", arg)) != NULL &&
	    parse_seconds(v, MAX_WAIT_LIMIT_MS, &cfg->max_wait_ms) == -1) {
		snprintf(err, errlen, "LOCKGATE_MAX_WAIT: \"%s\" is not a "
		    "number of seconds above 0, at most 86400", v);
		goto fail;
	}
	if ((v = lookup("LOCKGATE_MAX_BODY", arg)) != NULL) {
		if (parse_size(v, &u) == -1 || u < 64 || u > (64ULL << 20)) {
			snprintf(err, errlen, "LOCKGATE_MAX_BODY: \"%s\" is not "
			    "a size from 64 bytes to 64M", v);
			goto fail;
		}
		cfg->max_body = (size_t)u;
	}
	if ((v = lookup("LOCKGATE_MAX_RECORDS", arg)) != NULL) {
		if (parse_uint(v, UINT64_MAX, &u) == -1 || u < 1) {
			snprintf(err, errlen, "LOCKGATE_MAX_RECORDS: \"%s\" is "
			    "not a whole number above 0", v);
			goto fail;
		}
		cfg->max_records = u;
	}
	if ((v = lookup("LOCKGATE_MAX_READERS", arg)) != NULL) {
		if (parse_uint(v, 65536, &u) == -1 || u < 8) {
			snprintf(err, errlen, "LOCKGATE_MAX_READERS: \"%s\" is "
			    "not a whole number from 8 to 65536", v);
			goto fail;
		}
		cfg->max_readers = (unsigned int)u;
	}
	if ((v = lookup("LOCKGATE_LSS_RETENTION", arg)) != NULL &&
	    strcmp(v, "0") != 0 && strcasecmp(v, "off") != 0 &&
	    parse_seconds(v, LSS_RETENTION_LIMIT_MS,
	    &cfg->lss_retention_ms) == -1) {
		snprintf(err, errlen, "LOCKGATE_LSS_RETENTION: \"%s\" is not "
		    "a number of seconds, or 0 or off", v);
		goto fail;
	}
	if ((v = lookup("LOCKGATE_THREADS", arg)) != NULL) {
		if (parse_uint(v, 256, &u) == -1 || u < 1) {
			snprintf(err, errlen, "LOCKGATE_THREADS: \"%s\" is not "
			    "a whole number from 1 to 256", v);
			goto fail;
		}
		cfg->threads = (unsigned int)u;
	}
	/* Keep two threads (or the only one) for requests that do not wait. */
	cfg->max_waiters = cfg->threads > 2 ? cfg->threads - 2 :
	    cfg->threads - 1;
	if ((v = lookup("LOCKGATE_MAX_WAITERS", arg)) != NULL) {
		if (parse_uint(v, 255, &u) == -1 || u >= cfg->threads) {
			snprintf(err, errlen, "LOCKGATE_MAX_WAITERS: \"%s\" is "
			    "not a whole number below LOCKGATE_THREADS (%u)", v,
			    cfg->threads);
			goto fail;
		}
		cfg->max_waiters = (unsigned int)u;
	}
	if ((v = lookup("LOCKGATE_LOG_LEVEL", arg)) != NULL &&
	    log_level_parse(v, &cfg->log_level) == -1) {
		snprintf(err, errlen, "LOCKGATE_LOG_LEVEL: \"%s\" is not "
		    "error, warn, info or debug", v);
		goto fail;
	}
	if ((v = lookup("LOCKGATE_API_TOKENS", arg)) != NULL && *v != '\0' &&
	    parse_tokens(cfg, v, err, errlen) == -1)
		goto fail;
	if ((v = lookup("LOCKGATE_ADMIN_TOKEN", arg)) != NULL && *v != '\0') {
		if (!token_valid(v, strlen(v))) {
			snprintf(err, errlen, "LOCKGATE_ADMIN_TOKEN: not %d to "
			    "%d characters of A-Z a-z 0-9 -._~+/= (make one "
			    "with: head -c 24 /dev/urandom | base64)",
			    CONFIG_TOKEN_MIN, CONFIG_TOKEN_MAX);
			goto fail;
		}
		if ((cfg->admin_token = strdup(v)) == NULL) {
			snprintf(err, errlen, "LOCKGATE_ADMIN_TOKEN: out of "
			    "memory");
			goto fail;
		}
	}
	/* For the end-to-end tests only: a host whose clock is off by this
	 * many milliseconds (positive: ahead), as NTP may leave one. */
	if ((v = lookup("LOCKGATE_TEST_CLOCK_SKEW_MS", arg)) != NULL &&
	    *v != '\0') {
		int	 neg = *v == '-';

		if (parse_uint(v + neg, 3600000, &u) == -1) {
			snprintf(err, errlen, "LOCKGATE_TEST_CLOCK_SKEW_MS: "
			    "\"%s\" is not a whole number of milliseconds "
			    "within an hour", v);
			goto fail;
		}
		cfg->test_skew_ms = neg ? -(int64_t)u : (int64_t)u;
	}
	/* For the end-to-end tests only (audit.h). */
	if ((v = lookup("LOCKGATE_TEST_AUDIT", arg)) != NULL && *v != '\0' &&
	    (cfg->audit = strdup(v)) == NULL) {
		snprintf(err, errlen, "LOCKGATE_TEST_AUDIT: out of memory");
		goto fail;
	}
	if ((v = lookup("LOCKGATE_METRICS", arg)) != NULL) {
		/* In the order of enum config_metrics. */
		static const char *const modes[] = { "open", "admin", "off",
		    NULL };

		if ((i = choose(v, modes)) == -1) {
			snprintf(err, errlen, "LOCKGATE_METRICS: \"%s\" is not "
			    "open, admin or off", v);
			goto fail;
		}
		cfg->metrics = (enum config_metrics)i;
		if (cfg->metrics == CONFIG_METRICS_ADMIN &&
		    cfg->admin_token == NULL) {
			snprintf(err, errlen, "LOCKGATE_METRICS: admin needs "
			    "LOCKGATE_ADMIN_TOKEN");
			goto fail;
		}
	}
	return 0;
fail:
	config_free(cfg);
	return -1;
}

/* Frees what config_load() allocated; accepts a zeroed config. */
void
config_free(struct config *cfg)
{
	char	**t;

	free(cfg->db);
	cfg->db = NULL;
	for (t = cfg->api_tokens; t != NULL && *t != NULL; t++)
		free(*t);
	free(cfg->api_tokens);
	cfg->api_tokens = NULL;
	free(cfg->admin_token);
	cfg->admin_token = NULL;
	free(cfg->audit);
	cfg->audit = NULL;
	for (t = cfg->etcd.endpoints; t != NULL && *t != NULL; t++)
		free(*t);
	free(cfg->etcd.endpoints);
	free(cfg->etcd.prefix);
	free(cfg->etcd.ca);
	free(cfg->etcd.cert);
	free(cfg->etcd.key);
	free(cfg->etcd.user);
	if (cfg->etcd.password != NULL)
		explicit_bzero(cfg->etcd.password, strlen(cfg->etcd.password));
	free(cfg->etcd.password);
	memset(&cfg->etcd, 0, sizeof(cfg->etcd));
}
