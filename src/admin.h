/*
 * admin.h: the operator's surface (doc/API.md section 3): the listing of
 * live locks behind the admin token, /metrics, and the home page.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_ADMIN_H
#define LOCKGATE_ADMIN_H

#include "http.h"
#include "service.h"

void	admin_locks(struct service *, struct request *, struct response *);
void	admin_metrics(struct service *, struct request *,
	    struct response *);
void	admin_home(struct service *, struct request *, struct response *);

#endif
