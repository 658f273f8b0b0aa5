/*
 * getlock.h: the getlock.tech surface, /v1/<uuid> and /v1/health.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_GETLOCK_H
#define LOCKGATE_GETLOCK_H

#include <stdint.h>

#include "http.h"
#include "lock.h"
#include "service.h"

void	getlock_lock(struct service *, struct request *,
	    const uint8_t [LOCK_ID_LEN], struct response *);
void	getlock_health(struct service *, struct request *,
	    struct response *);
void	getlock_unknown_path(struct response *);

#endif
