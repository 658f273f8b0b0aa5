/*
 * uuid.h: UUIDs as lock ids: parsing any case, printing lowercase.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_UUID_H
#define LOCKGATE_UUID_H

#include <stddef.h>
#include <stdint.h>

#define UUID_TEXT_LEN	36

int	uuid_parse(const char *, size_t, uint8_t [16]);
void	uuid_format(const uint8_t [16], char [UUID_TEXT_LEN + 1]);
void	uuid_v4(const uint8_t [16], uint8_t [16]);

#endif
