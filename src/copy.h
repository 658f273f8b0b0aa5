/*
 * copy.h: lockgate.fcgi --copy-to-etcd: moving from one host's LMDB
 * database to an etcd cluster.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_COPY_H
#define LOCKGATE_COPY_H

#include "config.h"

int	copy_to_etcd(const struct config *);

#endif
