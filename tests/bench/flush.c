/*
 * flush.c: how long the disk under a directory takes to make a write
 * durable, which bounds durable commits: a write transaction flushes its
 * pages with fdatasync(2), then writes and flushes LMDB's meta page.
 *
 *	flush DIR
 *
 * In a scratch file of FILE_PAGES pages in DIR (removed at the end),
 * writes PAGES_FEW and then PAGES_MANY pages at random offsets, each set
 * followed by fdatasync, and prints the mean microseconds per set:
 * "PAGES_FEW MICROS PAGES_MANY MICROS". Exits 1, with a message on
 * stderr, when the file cannot be written. Not installed; "make bench"
 * builds it.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096
#define FILE_PAGES	4096	/* 16 MiB */
#define PAGES_FEW	1
#define PAGES_MANY	32
#define ROUNDS		100

static double
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Writes the page at index i: 0, or -1 with errno set. */
static int
put_page(int fd, const char *page, unsigned int i)
{
	ssize_t	 w;

	if ((w = pwrite(fd, page, PAGE, (off_t)i * PAGE)) == PAGE)
		return 0;
	if (w >= 0)
		errno = ENOSPC;	/* a short write: the disk is full */
	return -1;
}

/*
 * The mean microseconds of ROUNDS sets of n pages at random (a set may
 * hit a page twice) and a flush, or -1 with errno set.
 */
static double
mean_flush(int fd, const char *page, unsigned int n)
{
	double		 t0;
	unsigned int	 r, i;

	t0 = now_us();
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < n; i++)
			if (put_page(fd, page,
			    (unsigned int)random() % FILE_PAGES) == -1)
				return -1;
		if (fdatasync(fd) == -1)
			return -1;
	}
	return (now_us() - t0) / ROUNDS;
}

int
main(int argc, char *argv[])
{
	char		 path[4096], page[PAGE];
	double		 few, many;
	unsigned int	 i;
	int		 fd;

	if (argc != 2) {
		fprintf(stderr, "usage: flush DIR\n");
		return 2;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/flush-probe", argv[1]) >=
	    sizeof(path)) {
		fprintf(stderr, "flush: %s: path too long\n", argv[1]);
		return 1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		fprintf(stderr, "flush: %s: %s\n", path, strerror(errno));
		return 1;
	}
	memset(page, 0xa5, sizeof(page));
	/* The whole file first, so that the sets overwrite allocated blocks
	 * as LMDB's commits mostly do. */
	for (i = 0; i < FILE_PAGES; i++)
		if (put_page(fd, page, i) == -1)
			goto fail;
	if (fsync(fd) == -1)
		goto fail;
	srandom(1);
	if ((few = mean_flush(fd, page, PAGES_FEW)) < 0 ||
	    (many = mean_flush(fd, page, PAGES_MANY)) < 0)
		goto fail;
	close(fd);
	unlink(path);
	printf("%d %.0f %d %.0f\n", PAGES_FEW, few, PAGES_MANY, many);
	return 0;
fail:
	fprintf(stderr, "flush: %s: %s\n", path, strerror(errno));
	close(fd);
	unlink(path);
	return 1;
}
