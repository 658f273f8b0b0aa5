/*
 * config.h: the settings, read once from the environment at start.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_CONFIG_H
#define LOCKGATE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"

enum config_sync {
	CONFIG_SYNC_FULL,		/* fdatasync data and meta page: the default */
	CONFIG_SYNC_NOMETASYNC,		/* may lose the last commit on an OS crash */
	CONFIG_SYNC_NONE		/* may lose many commits on an OS crash */
};

enum config_metrics {
	CONFIG_METRICS_OPEN,		/* GET /metrics for anyone: the default */
	CONFIG_METRICS_ADMIN,		/* only with the admin token */
	CONFIG_METRICS_OFF		/* no /metrics */
};

enum config_store {
	CONFIG_STORE_LMDB,		/* one host's LMDB database: the default */
	CONFIG_STORE_ETCD		/* an etcd cluster shared by many hosts */
};

/* The longest LOCKGATE_ETCD_PREFIX. */
#define CONFIG_ETCD_PREFIX_MAX	200

/* The etcd backend's settings (LOCKGATE_ETCD_*). */
struct config_etcd {
	char			**endpoints;	/* NULL-terminated base URLs */
	size_t			 nendpoints;
	char			*prefix;	/* of every key written */
	char			*ca;		/* NULL: the system's */
	char			*cert;		/* client certificate, or NULL */
	char			*key;
	char			*user;		/* NULL: no etcd auth */
	char			*password;	/* read from the password file */
	int64_t			 timeout_ms;	/* one request to one member */
};

/* Bearer tokens are at least this long, so none can be guessed. */
#define CONFIG_TOKEN_MIN	16
#define CONFIG_TOKEN_MAX	256

struct config {
	enum config_store	 store;
	struct config_etcd	 etcd;		/* store etcd */
	char			*db;		/* LMDB directory; with etcd,
						 * this host's own files */
	size_t			 map_size;	/* bytes */
	enum config_sync	 sync;
	int64_t			 max_ttl_ms;
	int64_t			 max_wait_ms;
	size_t			 max_body;	/* bytes */
	uint64_t		 max_records;
	unsigned int		 max_readers;
	int64_t			 lss_retention_ms;	/* 0: keep forever */
	unsigned int		 threads;	/* request threads per process */
	unsigned int		 max_waiters;	/* per process */
	enum log_level		 log_level;
	char			**api_tokens;	/* NULL-terminated; NULL: open */
	char			*admin_token;	/* NULL: no admin surface */
	int64_t			 test_skew_ms;	/* the tests' clock skew */
	char			*audit;		/* the tests' record of
						 * decisions; NULL: none */
	enum config_metrics	 metrics;
};

/* Looks a variable up by name; NULL when it is not set. */
typedef const char *config_lookup_fn(const char *name, void *arg);

int	config_load(struct config *, config_lookup_fn *, void *,
	    char *, size_t);
void	config_free(struct config *);

#endif
