/*
 * auth.h: bearer tokens (RFC 6750): the API tokens every request must
 * carry when some are configured, and the operator's admin token.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_AUTH_H
#define LOCKGATE_AUTH_H

#include "config.h"
#include "http.h"

int	auth_api(const struct config *, const struct request *);
int	auth_admin(const struct config *, const struct request *);

#endif
