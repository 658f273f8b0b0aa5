/*
 * random.h: random bytes from the kernel, for ids and keys.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_RANDOM_H
#define LOCKGATE_RANDOM_H

#include <stddef.h>

int	random_bytes(void *, size_t);

#endif
