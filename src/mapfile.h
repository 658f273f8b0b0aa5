/*
 * mapfile.h: a small file beside the database, mapped shared by every
 * responder process (the metrics counters, the wake-up counter). Each
 * begins with a header naming its kind and layout; a file of another kind,
 * layout or size is reset to zeros when it is mapped.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_MAPFILE_H
#define LOCKGATE_MAPFILE_H

#include <stddef.h>
#include <stdint.h>

/* The first bytes of every mapped file. */
struct mapfile_head {
	uint32_t	 magic;
	uint32_t	 layout;
	uint64_t	 size;
};

void	*mapfile_open(const char *, const char *, size_t, uint32_t,
	    uint32_t);
void	 mapfile_close(void *, size_t);

#endif
