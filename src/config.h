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

/* Bearer tokens are at least this long, so none can be guessed. */
#define CONFIG_TOKEN_MIN	16
#define CONFIG_TOKEN_MAX	256

struct config {
	char			*db;		/* LMDB directory */
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
