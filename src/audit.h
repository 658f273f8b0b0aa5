/*
 * audit.h: a record of every grant, refresh and release made durable, one
 * line each, for the end-to-end tests' server-side evidence (who held
 * which lock from when to when, in commit order). Written only when
 * LOCKGATE_TEST_AUDIT names a file; not meant for production use.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_AUDIT_H
#define LOCKGATE_AUDIT_H

#include "store.h"

struct audit;

struct audit	*audit_open(const char *);
void		 audit_close(struct audit *);
store_decided_fn audit_decided;

#endif
