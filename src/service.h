/*
 * service.h: what every surface is handed with a request: the settings,
 * the store, and the optional shared wake-ups and counters. main.c fills
 * it once per process.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_SERVICE_H
#define LOCKGATE_SERVICE_H

#include "config.h"

struct metrics;
struct store;
struct wake;

struct service {
	const struct config	*cfg;
	struct store		*store;		/* NULL: the database could not
						 * be opened (CGI mode) */
	struct wake		*wake;		/* NULL: requests do not wait */
	struct metrics		*metrics;	/* NULL: nothing is counted */
};

#endif
