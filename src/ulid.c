/*
 * ulid.c: ULIDs (github.com/ulid/spec): 128 bits, the first 48 the time in
 * milliseconds (big-endian, so ids sort by creation), the other 80 random;
 * written as 26 characters of Crockford's base32, lowercase here, read in
 * any case.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <string.h>

#include "ulid.h"

static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

/* Builds the 16 bytes from a time and 10 random bytes. */
void
ulid_make(int64_t ms, const uint8_t rnd[10], uint8_t out[16])
{
	int	 i;

	for (i = 0; i < 6; i++)
		out[i] = (uint8_t)((uint64_t)ms >> (40 - 8 * i));
	memcpy(out + 6, rnd, 10);
}

/* Reads bit index bit (0 = most significant) of the 130-bit padded value:
 * 26 characters hold 130 bits, the two top ones always zero. */
static int
bit_at(const uint8_t id[16], int bit)
{
	bit -= 2;
	if (bit < 0)
		return 0;
	return id[bit / 8] >> (7 - bit % 8) & 1;
}

void
ulid_format(const uint8_t id[16], char out[ULID_TEXT_LEN + 1])
{
	int	 c, b, v;

	for (c = 0; c < ULID_TEXT_LEN; c++) {
		for (v = 0, b = 0; b < 5; b++)
			v = v << 1 | bit_at(id, c * 5 + b);
		out[c] = alphabet[v];
	}
	out[ULID_TEXT_LEN] = '\0';
}

static int
value_of(char ch)
{
	const char	*p;

	if (ch >= 'A' && ch <= 'Z')
		ch = (char)(ch - 'A' + 'a');
	if (ch == '\0' || (p = strchr(alphabet, ch)) == NULL)
		return -1;
	return (int)(p - alphabet);
}

/*
 * Parses 26 characters (s of length len) in any case. Returns 0 and fills
 * out, or -1 for anything else, including a first character above '7'
 * (more than 128 bits).
 */
int
ulid_parse(const char *s, size_t len, uint8_t out[16])
{
	int	 c, b, v, bit;

	if (len != ULID_TEXT_LEN)
		return -1;
	memset(out, 0, 16);
	for (c = 0; c < ULID_TEXT_LEN; c++) {
		if ((v = value_of(s[c])) < 0 || (c == 0 && v > 7))
			return -1;
		for (b = 0; b < 5; b++) {
			bit = c * 5 + b - 2;
			if (bit >= 0 && (v >> (4 - b) & 1))
				out[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
		}
	}
	return 0;
}
