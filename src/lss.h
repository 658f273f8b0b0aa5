/*
 * lss.h: the LSS (Lock State Service) surface, /locks.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_LSS_H
#define LOCKGATE_LSS_H

#include "http.h"
#include "service.h"

enum lss_action {
	LSS_CREATE,		/* POST /locks */
	LSS_GET,		/* GET, HEAD /locks/<id> */
	LSS_LOCK,		/* PATCH /locks/<id>/lock */
	LSS_UNLOCK		/* PATCH /locks/<id>/unlock */
};

void	lss_handle(struct service *, struct request *, enum lss_action,
	    const char *, struct response *);

#endif
