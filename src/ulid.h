/*
 * ulid.h: ULIDs as LSS lock ids: 48-bit milliseconds, 80 random bits.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_ULID_H
#define LOCKGATE_ULID_H

#include <stddef.h>
#include <stdint.h>

#define ULID_TEXT_LEN	26

void	ulid_make(int64_t, const uint8_t [10], uint8_t [16]);
void	ulid_format(const uint8_t [16], char [ULID_TEXT_LEN + 1]);
int	ulid_parse(const char *, size_t, uint8_t [16]);

#endif
