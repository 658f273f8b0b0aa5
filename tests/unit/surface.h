/*
 * surface.h: whole requests through api_handle for the surface tests
 * (test_getlock.c, test_lss.c): a store in a fresh temporary directory
 * read by the fake clock, a fake CGI request built from a method, a path,
 * a query and a body, and its answer captured as status, headers and
 * body.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_TEST_SURFACE_H
#define LOCKGATE_TEST_SURFACE_H

#include <stddef.h>
#include <stdint.h>

#include "service.h"

/* The fake clock's time when a store is opened, ms since the epoch. */
#define SURFACE_T0		1700000000000LL
#define SURFACE_MAX_TTL_MS	(604800LL * 1000)
#define SURFACE_MAX_WAIT_MS	60000LL
#define SURFACE_FORM_CT		"application/x-www-form-urlencoded"
#define SURFACE_JSON_CT		"application/json"

/* What the requests are handed: the settings and the open store (its
 * wake and metrics are NULL unless a test sets them). */
extern struct service	 surface_svc;

/* One answer: status, the headers most tests look at, all the headers as
 * "Name: value\r\n" lines, and the body. */
struct answer {
	int	 status;
	char	 ctype[64];
	char	 allow[64];
	char	 headers[1024];
	char	 body[1024];
};

int		 surface_open(int64_t, uint64_t);
void		 surface_close(void);
const char	*surface_dir(void);
uint64_t	 surface_records(void);
void		 surface_request(const char *, const char *, const char *,
		    const char *, const char *, struct answer *);
void		 surface_call(const char *, const char *, const char *,
		    const char *, struct answer *);
void		 surface_header(const struct answer *, const char *, char *,
		    size_t);
void		 surface_check(const char *, unsigned int, const char *,
		    const struct answer *, int, const char *, const char *);

#endif
