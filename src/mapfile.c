/*
 * mapfile.c: opening, checking and mapping the small shared files beside
 * the database (see mapfile.h).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mapfile.h"

/*
 * Maps dir/name, size bytes, creating it when missing. Under an flock, so
 * that two processes starting together agree: a file of another size is
 * cut to size (zeros), and one whose header does not say magic, layout
 * and size is zeroed and given that header. Returns the mapping (the
 * caller unmaps it with mapfile_close()), or NULL, logged.
 */
void *
mapfile_open(const char *dir, const char *name, size_t size, uint32_t magic,
    uint32_t layout)
{
	struct mapfile_head	*head;
	struct stat		 st;
	char			 path[4096];
	void			*p = NULL;
	int			 fd;

	if (size < sizeof(*head))
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		log_warn("open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (flock(fd, LOCK_EX) == -1 || fstat(fd, &st) == -1) {
		log_warn("flock %s: %s", path, strerror(errno));
		goto done;
	}
	if ((size_t)st.st_size != size &&
	    (ftruncate(fd, 0) == -1 || ftruncate(fd, (off_t)size) == -1)) {
		log_warn("ftruncate %s: %s", path, strerror(errno));
		goto unlock;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		log_warn("mmap %s: %s", path, strerror(errno));
		p = NULL;
		goto unlock;
	}
	head = p;
	if (head->magic != magic || head->layout != layout ||
	    head->size != size) {
		memset(p, 0, size);
		head->size = size;
		head->layout = layout;
		head->magic = magic;
	}
unlock:
	/* Unlocked by hand: the mapping keeps the open file, and with it
	 * the flock, alive after close(). */
	flock(fd, LOCK_UN);
done:
	close(fd);
	return p;
}

/* Unmaps what mapfile_open() mapped; accepts NULL. */
void
mapfile_close(void *p, size_t size)
{
	if (p != NULL)
		munmap(p, size);
}
