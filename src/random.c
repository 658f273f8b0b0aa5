/*
 * random.c: random bytes from the kernel (getrandom(2)), never rand() or
 * the clock: lock keys are secrets and ids must not collide.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <sys/random.h>

#include <errno.h>
#include <string.h>

#include "log.h"
#include "random.h"

/* Fills p with n random bytes. Returns 0, or -1 (logged). */
int
random_bytes(void *p, size_t n)
{
	size_t	 got = 0;
	ssize_t	 r;

	while (got < n) {
		r = getrandom((char *)p + got, n - got, 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			log_error("getrandom: %s", strerror(errno));
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}
