/*
 * api.h: the router: one request in, its answer out, through the surface
 * its path names (getlock, LSS, the operator's).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_API_H
#define LOCKGATE_API_H

#include <stddef.h>

#include "http.h"
#include "service.h"

void	api_handle(struct service *, struct request *, const char *, size_t,
	    struct response *);

#endif
