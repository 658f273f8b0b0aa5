/*
 * record.h: the stored form of a lock: a small versioned binary record.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_RECORD_H
#define LOCKGATE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "lock.h"

#define RECORD_VERSION	1
#define RECORD_HEADER	52

/* The largest record with no further holders (all LSS records). */
#define RECORD_MAX	(RECORD_HEADER + LOCK_SECRET_MAX + 4)

size_t	record_size(const struct lock_record *);
size_t	record_encode(const struct lock_record *, uint8_t *);
int	record_decode(const uint8_t *, size_t, struct lock_record *);

#endif
