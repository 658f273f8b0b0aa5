/*
 * uuid.c: UUIDs as lock ids: parsing any case, printing lowercase.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "number.h"
#include "uuid.h"

/*
 * Parses the 8-4-4-4-12 hex form (RFC 9562 section 4), any case, any
 * version or variant: getlock accepted every UUID. Returns 0 and fills out,
 * or -1 when s (of length len, not NUL-terminated) is anything else.
 */
int
uuid_parse(const char *s, size_t len, uint8_t out[16])
{
	size_t	 i, n = 0;
	int	 hi, lo;

	if (len != UUID_TEXT_LEN)
		return -1;
	for (i = 0; i < len; ) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			i++;
			continue;
		}
		if ((hi = number_hexval(s[i])) < 0 ||
		    (lo = number_hexval(s[i + 1])) < 0)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return 0;
}

/* Writes the lowercase 8-4-4-4-12 form and a NUL into out. */
void
uuid_format(const uint8_t id[16], char out[UUID_TEXT_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t	 i, n = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[n++] = '-';
		out[n++] = hex[id[i] >> 4];
		out[n++] = hex[id[i] & 0xf];
	}
	out[n] = '\0';
}

/*
 * Makes a random (version 4) UUID from 16 random bytes, setting the version
 * and variant bits (RFC 9562 section 5.4).
 */
void
uuid_v4(const uint8_t rnd[16], uint8_t out[16])
{
	memcpy(out, rnd, 16);
	out[6] = (uint8_t)((out[6] & 0x0f) | 0x40);
	out[8] = (uint8_t)((out[8] & 0x3f) | 0x80);
}
