/*
 * number.h: the one way to read and write each kind of number the program
 * takes or shows: seconds (as milliseconds), bounded whole numbers, hex
 * digits. Readers take a length, so a value with a NUL inside is refused.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_NUMBER_H
#define LOCKGATE_NUMBER_H

#include <stddef.h>
#include <stdint.h>

/* number_seconds() flags. */
#define NUMBER_BLANKS	0x01	/* blanks and tabs around the number */
#define NUMBER_ZERO	0x02	/* a plain 0 ("0", "0.0", "00") reads as 0 */

enum number_error {
	NUMBER_OK = 0,
	NUMBER_NAN,		/* not a decimal number */
	NUMBER_INFINITE,	/* too large to be a finite double */
	NUMBER_NOT_POSITIVE,	/* 0 or below, where 0 is not allowed */
	NUMBER_TOO_LARGE	/* above the maximum */
};

int	number_hexval(char);
enum number_error number_seconds(const char *, size_t, int64_t, int,
	    int64_t *);
int	number_uint(const char *, size_t, uint64_t, uint64_t, uint64_t *);
void	number_format_seconds(int64_t, char *, size_t);
void	number_format_max_seconds(int64_t, char *, size_t);

#endif
