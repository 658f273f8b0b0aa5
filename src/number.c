/*
 * number.c: reading and writing seconds, whole numbers and hex digits
 * (see number.h).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"

/* The value of one hex digit, or -1. */
int
number_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Whether s[0..n) is a plain zero: digits and dots, every digit 0. */
static int
plain_zero(const char *s, size_t n)
{
	return n > 0 && strspn(s, "0.") == n && memchr(s, '0', n) != NULL;
}

/*
 * Reads s[0..len) as seconds: a decimal number ("60", "0.5", "1e3"),
 * finite, above 0 and at most max_ms milliseconds; with NUMBER_BLANKS,
 * blanks and tabs around it are allowed; with NUMBER_ZERO, a plain 0 reads
 * as 0. Returns NUMBER_OK with the value rounded to milliseconds (at least
 * 1, unless 0) in *ms, or what is wrong.
 */
enum number_error
number_seconds(const char *s, size_t len, int64_t max_ms, int flags,
    int64_t *ms)
{
	char		 buf[64], *stop;
	const char	*end = s + len;
	double		 v;
	size_t		 n;

	if (memchr(s, '\0', len) != NULL)
		return NUMBER_NAN;
	if (flags & NUMBER_BLANKS) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
	}
	n = (size_t)(end - s);
	if ((flags & NUMBER_ZERO) && plain_zero(s, n)) {
		*ms = 0;
		return NUMBER_OK;
	}
	/* strtod alone would also take blanks, "inf", "nan" and hex. */
	if (n == 0 || n >= sizeof(buf) ||
	    strspn(s, "0123456789+-.eE") < n || strcspn(s, "0123456789") >= n)
		return NUMBER_NAN;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtod(buf, &stop);
	if (*stop != '\0')
		return NUMBER_NAN;
	/* ERANGE is also an underflow ("1e-310"): a tiny number, not an
	 * infinite one, taken below as the 1 ms it rounds up to. */
	if (!isfinite(v) || (errno == ERANGE && fabs(v) >= 1))
		return NUMBER_INFINITE;
	if (v <= 0)
		return NUMBER_NOT_POSITIVE;
	if (v > (double)max_ms / 1000)
		return NUMBER_TOO_LARGE;
	*ms = (int64_t)llround(v * 1000);
	if (*ms < 1)
		*ms = 1;
	return NUMBER_OK;
}

/*
 * Reads s[0..len) as a whole decimal number from min to max: digits only,
 * no sign, no blanks. Returns 0 with the value in *out, or -1.
 */
int
number_uint(const char *s, size_t len, uint64_t min, uint64_t max,
    uint64_t *out)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * Formats milliseconds as seconds, short: 60000 -> "60.0", 500 -> "0.5",
 * 1700000000123 -> "1700000000.123". Never %.17g noise (doc/API.md
 * section 0).
 */
void
number_format_seconds(int64_t ms, char *out, size_t outlen)
{
	unsigned long long	 a = ms < 0 ? 0ULL - (unsigned long long)ms :
	    (unsigned long long)ms;
	char			 frac[4];
	int			 n;

	snprintf(frac, sizeof(frac), "%03llu", a % 1000);
	for (n = 2; n > 0 && frac[n] == '0'; n--)
		frac[n] = '\0';
	snprintf(out, outlen, "%s%llu.%s", ms < 0 ? "-" : "", a / 1000, frac);
}

/* Like number_format_seconds(), but a whole number without ".0" ("604800"),
 * as a limit reads in a message. */
void
number_format_max_seconds(int64_t ms, char *out, size_t outlen)
{
	size_t	 n;

	number_format_seconds(ms, out, outlen);
	n = strlen(out);
	if (n > 2 && strcmp(out + n - 2, ".0") == 0)
		out[n - 2] = '\0';
}
