/*
 * activation.h: systemd socket activation (sd_listen_fds(3)) without
 * libsystemd: reads LISTEN_PID and LISTEN_FDS and names the passed socket.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_ACTIVATION_H
#define LOCKGATE_ACTIVATION_H

#include <stddef.h>

/* The first passed descriptor (SD_LISTEN_FDS_START in sd-daemon.h). */
#define ACTIVATION_FD	3

int	activation_listen_fd(const char *, const char *, long, char *,
	    size_t);

#endif
