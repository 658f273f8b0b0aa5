/*
 * metrics.h: counters shared by every responder process (requests by
 * surface and status, grants, waits, commit latency), and their rendering
 * in the Prometheus text format for GET /metrics.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_METRICS_H
#define LOCKGATE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "store.h"

enum metrics_surface {
	METRICS_GETLOCK,	/* /v1/<uuid> */
	METRICS_LSS,		/* /locks... */
	METRICS_HEALTH,		/* /v1/health */
	METRICS_ADMIN,		/* /v1/locks, /metrics */
	METRICS_HOME,		/* the home page */
	METRICS_OTHER,		/* anything else: 404s, bad paths */
	METRICS_SURFACES
};

struct metrics;

struct metrics	*metrics_open(const char *);
void		 metrics_close(struct metrics *);
void		 metrics_request(struct metrics *, enum metrics_surface, int);
void		 metrics_grant(struct metrics *);
void		 metrics_wait(struct metrics *);
void		 metrics_wait_end(struct metrics *);
void		 metrics_commit(uint64_t, size_t, void *);
void		 metrics_render(struct metrics *, const struct store_stats *,
		    const char *, struct buf *);

#endif
