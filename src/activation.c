/*
 * activation.c: systemd socket activation (sd_listen_fds(3)) without
 * libsystemd: decides from LISTEN_PID and LISTEN_FDS whether a listening
 * socket was passed to this process. The protocol: the service manager
 * passes N descriptors from fd 3 on, and names the process they are for in
 * LISTEN_PID, so a child that inherited the variables ignores them.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "activation.h"

/* Reads a whole positive decimal number; -1 when s is not one. */
static long
number(const char *s)
{
	char	*end;
	long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return v;
}

/*
 * Given the values of LISTEN_PID and LISTEN_FDS (either may be NULL) and
 * this process's id: returns ACTIVATION_FD when exactly one socket was
 * passed to this process; -1 when none was (no variables, another
 * process's, or LISTEN_FDS=0); -2 with a message in err when the variables
 * are malformed or pass more than one socket (lockgate serves one).
 */
int
activation_listen_fd(const char *listen_pid, const char *listen_fds,
    long pid, char *err, size_t errlen)
{
	long	 p, n;

	if (listen_pid == NULL || listen_fds == NULL)
		return -1;
	if ((p = number(listen_pid)) < 1) {
		snprintf(err, errlen, "LISTEN_PID: \"%s\" is not a process id",
		    listen_pid);
		return -2;
	}
	if (p != pid)
		return -1;
	if ((n = number(listen_fds)) < 0) {
		snprintf(err, errlen, "LISTEN_FDS: \"%s\" is not a number",
		    listen_fds);
		return -2;
	}
	if (n == 0)
		return -1;
	if (n > 1) {
		snprintf(err, errlen, "LISTEN_FDS: %ld sockets passed, "
		    "lockgate.fcgi serves exactly one (one ListenStream= in "
		    "the .socket unit)", n);
		return -2;
	}
	return ACTIVATION_FD;
}
