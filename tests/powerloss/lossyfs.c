/*
 * lossyfs.c: a FUSE filesystem that forgets, at a power loss, the file data
 * that was never flushed, for the power-loss tests (after LazyFS,
 * github.com/dsrhaslab/lazyfs).
 *
 *	lossyfs BACKING MOUNTPOINT [fuse options]
 *
 * Serves the directory BACKING on MOUNTPOINT, in the foreground, with
 * several threads, with default_permissions, and with allow_other when run
 * by root (a web server's processes may run as another user). Prints
 * nothing while all goes well. Exits 0 once unmounted (fusermount3 -u),
 * 8 when SIGTERM, SIGINT or SIGHUP made it unmount (libfuse's
 * fuse_main()), 2 after one line on a bad usage.
 *
 * The model:
 * - File data and file sizes are volatile. A write lands in this
 *   process's memory: the file's dirty pages (PAGE bytes each) and its
 *   size. A read sees the backing file overlaid with the dirty pages, cut
 *   at the volatile size. truncate(2) is volatile like a write.
 * - They reach BACKING only at a flush point: fsync(2) or fdatasync(2) of
 *   the file, and every write through a descriptor opened with O_SYNC or
 *   O_DSYNC (or a pwritev2(2) with RWF_SYNC or RWF_DSYNC), which returns
 *   only once flushed. close(2) is no flush point. Nor are sync(2) and
 *   syncfs(2): the kernel does not pass them to a FUSE filesystem like
 *   this one (FUSE_SYNCFS goes to virtiofs only).
 * - Everything else (create, mknod, mkdir, unlink, rmdir, rename, link,
 *   symlink, chmod, chown, utimens) goes to BACKING at once and is
 *   durable: a file created or renamed since its directory was last
 *   flushed is never lost. LazyFS does the same in its default mode.
 *   Timestamps are the backing file's: a write moves them at its flush.
 * - A power loss is SIGKILL of this process: BACKING then holds exactly
 *   what was flushed. An unmount (fusermount3 -u, SIGTERM, SIGINT) loses
 *   the unflushed data as well: nothing is written back on the way out.
 *
 * A flush writes all the file's dirty pages into the backing file and sets
 * its size; it does not fsync(2) the backing file: BACKING stands for the
 * disk's durable state, and the machine does not really lose power. It
 * flushes the whole file even for an O_DSYNC write, which a disk promises
 * only for the bytes written: FUSE's fsync request names no range, and
 * the kernel sends one after each O_DSYNC write anyway. Stores through a
 * shared writable mapping reach this process when the kernel writes the
 * page back (msync(2), munmap(2), its own writeback) and, like writes,
 * last once flushed (msync(2) with MS_SYNC makes the kernel send fsync).
 *
 * The kernel's page cache stays on (keep_cache): shared mappings, read
 * only or writable, work as on a disk filesystem (LMDB maps data.mdb and
 * lock.mdb). Its writeback cache stays off, so that every write reaches
 * this process before write(2) returns, and so does the automatic
 * invalidation of cached data when a file's mtime changes (a flush moves
 * it, and nothing but this process changes BACKING while it is mounted).
 * After a power loss the next mount starts with an empty page cache.
 *
 * The volatile state is kept per backing inode, so that two handles of a
 * file share it; one mutex guards all of it. Limits of the library's
 * high-level API: each of a file's hard links gets a kernel inode of its
 * own, so two names of one file open at once have separate page caches
 * in the kernel; and a file unlinked while open is served by handle only
 * (hard_remove: a power loss must leave no .fuse_hidden file in
 * BACKING), so read, write and fsync work on it but fstat(2) fails with
 * ESTALE. Files, directories and links made through the mount belong to
 * the process that made them, as on a disk.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* renameat2, AT_EMPTY_PATH */
#endif
#define FUSE_USE_VERSION	31

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE	4096

/* A dirty page: the file's bytes from index * PAGE, as they now are. */
struct page {
	off_t		 index;
	unsigned char	 data[PAGE];
};

/*
 * The volatile state of a backing file. Every open handle of the file
 * points here (fi->fh); it lives while a handle is open or while the file
 * has unflushed state, and owns fd and pages. Invariants: cut <= bsize
 * and cut <= size; a dirty page lies below size and is zero from size on.
 */
struct file {
	struct file	 *next;
	dev_t		  dev;
	ino_t		  ino;
	int		  fd;		/* the backing file */
	int		  rdonly;	/* fd could only be opened to read */
	int		  refs;		/* open handles */
	off_t		  size;		/* what readers see */
	off_t		  bsize;	/* the backing file's size */
	off_t		  cut;		/* backing bytes from here on are stale */
	struct page	**pages;	/* sorted by index */
	size_t		  npages;
	size_t		  maxpages;
};

static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static struct file	*files;		/* every struct file, under lock */
static int		 backing = -1;	/* BACKING, opened */

/*
 * Turns the library's path ("/a/b") into one relative to BACKING for the
 * *at(2) calls. A NULL path (a file unlinked while open, nullpath_ok)
 * becomes "", which they refuse with ENOENT.
 */
static const char *
rel(const char *path)
{
	if (path == NULL)
		return "";
	while (*path == '/')
		path++;
	return *path == '\0' ? "." : path;
}

/* The struct file an open handle points to. */
static struct file *
handle(struct fuse_file_info *fi)
{
	return (struct file *)(uintptr_t)fi->fh;
}

/* Returns the struct file of a backing inode, or NULL. Under lock. */
static struct file *
lookup(dev_t dev, ino_t ino)
{
	struct file	*f;

	for (f = files; f != NULL; f = f->next)
		if (f->dev == dev && f->ino == ino)
			return f;
	return NULL;
}

/* Whether f holds nothing that BACKING does not. Under lock. */
static int
clean(const struct file *f)
{
	return f->npages == 0 && f->size == f->bsize && f->cut == f->bsize;
}

/* Forgets the dirty pages from the n-th on. Under lock. */
static void
shed(struct file *f, size_t n)
{
	while (f->npages > n)
		free(f->pages[--f->npages]);
}

/* Unlinks f from the list and frees it with its pages. Under lock. */
static void
drop(struct file *f)
{
	struct file	**pp;

	for (pp = &files; *pp != NULL; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	shed(f, 0);
	free(f->pages);
	if (close(f->fd) == -1)
		perror("lossyfs: close");
	free(f);
}

/*
 * Takes fd, a new descriptor of a backing file, for a new handle: joins
 * the file's struct file (closing fd, or keeping it in place of a read-only
 * one) or makes one. Returns it with one more reference, or NULL with
 * errno set (fd closed). Under lock.
 */
static struct file *
attach(int fd, int rdonly)
{
	struct file	*f;
	struct stat	 st;
	int		 saved;

	if (fstat(fd, &st) == -1)
		goto fail;
	if ((f = lookup(st.st_dev, st.st_ino)) != NULL) {
		/* A writable descriptor takes a read-only one's place. */
		if (f->rdonly && !rdonly && dup3(fd, f->fd, O_CLOEXEC) != -1)
			f->rdonly = 0;
		if (close(fd) == -1)
			perror("lossyfs: close");
		f->refs++;
		return f;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL)
		goto fail;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->fd = fd;
	f->rdonly = rdonly;
	f->refs = 1;
	f->size = f->bsize = f->cut = st.st_size;
	f->next = files;
	files = f;
	return f;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return NULL;
}

/*
 * Gives up one reference to f. With the last one gone, frees f when it is
 * clean or when its file has no name left (its data can no more be
 * reached); otherwise keeps it, unflushed, for the next open. Under lock.
 */
static void
detach(struct file *f)
{
	struct stat	 st;

	if (--f->refs > 0)
		return;
	if (clean(f) || (fstat(f->fd, &st) == 0 && st.st_nlink == 0))
		drop(f);
}

/*
 * Called with the stat of a name just unlinked or replaced: when it was the
 * file's last name and the file is not open, its unflushed state is
 * garbage; free it before the inode number is given to another file.
 * Under lock.
 */
static void
forget(const struct stat *st)
{
	struct file	*f;

	if (S_ISREG(st->st_mode) && st->st_nlink == 1 &&
	    (f = lookup(st->st_dev, st->st_ino)) != NULL && f->refs == 0)
		drop(f);
}

/* Returns the position of the first dirty page at or after index. */
static size_t
search(const struct file *f, off_t index)
{
	size_t	 lo = 0, hi = f->npages, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (f->pages[mid]->index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Reads len bytes at off as the file now is: the backing file's bytes below
 * the cut, zeros from there, the dirty pages over both. The caller keeps
 * off + len within the volatile size. Returns 0 or -errno. Under lock.
 */
static int
load(struct file *f, unsigned char *buf, size_t len, off_t off)
{
	struct page	*p;
	size_t		 got = 0, i;
	off_t		 end = off + (off_t)len, lo, hi, start;
	ssize_t		 n;

	while (got < len && off + (off_t)got < f->cut) {
		lo = off + (off_t)got;
		hi = end < f->cut ? end : f->cut;
		if ((n = pread(f->fd, buf + got, hi - lo, lo)) == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += n;
	}
	memset(buf + got, 0, len - got);
	for (i = search(f, off / PAGE); i < f->npages; i++) {
		p = f->pages[i];
		if ((start = p->index * PAGE) >= end)
			break;
		lo = start > off ? start : off;
		hi = start + PAGE < end ? start + PAGE : end;
		memcpy(buf + (lo - off), p->data + (lo - start), hi - lo);
	}
	return 0;
}

/*
 * Returns the dirty page index of f, making it from the file's present
 * bytes when there is none, or NULL with *err set. Under lock.
 */
static struct page *
dirty(struct file *f, off_t index, int *err)
{
	struct page	*p, **pages;
	size_t		 pos, n;
	off_t		 start = index * PAGE;

	pos = search(f, index);
	if (pos < f->npages && f->pages[pos]->index == index)
		return f->pages[pos];
	if (f->npages == f->maxpages) {
		n = f->maxpages ? f->maxpages * 2 : 16;
		if ((pages = reallocarray(f->pages, n, sizeof(*pages))) ==
		    NULL) {
			*err = -ENOMEM;
			return NULL;
		}
		f->pages = pages;
		f->maxpages = n;
	}
	if ((p = malloc(sizeof(*p))) == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	p->index = index;
	n = start >= f->size ? 0 :
	    f->size - start < PAGE ? (size_t)(f->size - start) : PAGE;
	memset(p->data + n, 0, PAGE - n);
	if ((*err = load(f, p->data, n, start)) != 0) {
		free(p);
		return NULL;
	}
	memmove(f->pages + pos + 1, f->pages + pos,
	    (f->npages - pos) * sizeof(*f->pages));
	f->pages[pos] = p;
	f->npages++;
	return p;
}

/*
 * Sets the volatile size. A shrink forgets the dirty pages past it, zeros
 * the rest of the page it falls in, and moves the cut down: the backing
 * file's bytes past it are no longer the file's. Under lock.
 */
static void
resize(struct file *f, off_t size)
{
	struct page	*p;
	size_t		 n;

	if (size < f->size) {
		shed(f, search(f, (size + PAGE - 1) / PAGE));
		if ((n = f->npages) > 0 && size % PAGE != 0 &&
		    (p = f->pages[n - 1])->index == size / PAGE)
			memset(p->data + size % PAGE, 0, PAGE - size % PAGE);
		if (size < f->cut)
			f->cut = size;
	}
	f->size = size;
}

/* Writes all of len bytes at off into fd. Returns 0 or -errno. */
static int
pwriteall(int fd, const unsigned char *buf, size_t len, off_t off)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = pwrite(fd, buf, len, off)) == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
		off += n;
	}
	return 0;
}

/*
 * The flush: makes BACKING hold the file as it now is. Cuts the backing
 * file at the cut (the stale bytes must not come back where no dirty page
 * covers them), writes the dirty pages, sets the size, forgets the pages.
 * On an error the state is kept, to be flushed again. Returns 0 or
 * -errno. Under lock.
 */
static int
flush(struct file *f)
{
	struct page	*p;
	size_t		 i;
	off_t		 start;
	int		 r;

	if (clean(f))
		return 0;
	if (f->rdonly)
		return -EBADF;
	if (f->cut < f->bsize) {
		if (ftruncate(f->fd, f->cut) == -1)
			return -errno;
		f->bsize = f->cut;
	}
	for (i = 0; i < f->npages; i++) {
		p = f->pages[i];
		start = p->index * PAGE;
		r = pwriteall(f->fd, p->data, f->size - start < PAGE ?
		    (size_t)(f->size - start) : PAGE, start);
		if (r != 0)
			return r;
	}
	/* The pages end at size at most: at bsize, they kept it. */
	if (f->size != f->bsize && ftruncate(f->fd, f->size) == -1)
		return -errno;
	shed(f, 0);
	f->bsize = f->cut = f->size;
	return 0;
}

/*
 * Gives the owner of the calling process to a file this process (root)
 * just made, dfd/name as fchownat(2) takes them: the caller's uid, and its
 * gid unless the directory's set-group-ID bit chose another. Returns 0 or
 * -errno.
 */
static int
own(int dfd, const char *name, int flags)
{
	struct fuse_context	*ctx = fuse_get_context();
	struct stat		 st;
	gid_t			 gid;

	if (geteuid() != 0 || (ctx->uid == 0 && ctx->gid == 0))
		return 0;
	if (fstatat(dfd, name, &st, flags) == -1)
		return -errno;
	gid = st.st_gid != getegid() ? (gid_t)-1 : ctx->gid;
	if (fchownat(dfd, name, ctx->uid, gid, flags) == -1)
		return -errno;
	return 0;
}

/*
 * Opens a handle on fd, a new descriptor of the backing file (-1: errno
 * says why), applying O_TRUNC as a volatile truncate. Returns 0 or -errno.
 */
static int
start(int fd, int rdonly, struct fuse_file_info *fi)
{
	struct file	*f;
	int		 r = 0;

	if (fd == -1)
		return -errno;
	pthread_mutex_lock(&lock);
	if ((f = attach(fd, rdonly)) == NULL)
		r = -errno;
	else if (!rdonly && (fi->flags & O_TRUNC))
		resize(f, 0);
	pthread_mutex_unlock(&lock);
	fi->fh = (uintptr_t)f;
	fi->keep_cache = 1;
	return r;
}

/*
 * The backing file is always opened to read and write (a flush may come
 * through a handle opened to read), and without O_APPEND, O_TRUNC, O_SYNC
 * or O_DIRECT, which this process applies itself. Only to read when that
 * is all the caller wants and the file allows no more (a running program,
 * a read-only BACKING).
 */
static int
lossyfs_open(const char *path, struct fuse_file_info *fi)
{
	int	 fd;

	fd = openat(backing, rel(path), O_RDWR | O_CLOEXEC);
	if (fd == -1 && (fi->flags & O_ACCMODE) == O_RDONLY &&
	    (errno == EACCES || errno == EROFS || errno == ETXTBSY))
		return start(openat(backing, rel(path), O_RDONLY | O_CLOEXEC),
		    1, fi);
	return start(fd, 0, fi);
}

/* Creates the file (owned by the caller) or opens it when it exists. */
static int
lossyfs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int	 fd, r;

	fd = openat(backing, rel(path), O_RDWR | O_CLOEXEC | O_CREAT | O_EXCL,
	    mode);
	if (fd != -1 && (r = own(fd, "", AT_EMPTY_PATH)) != 0) {
		close(fd);
		return r;
	}
	if (fd == -1 && errno == EEXIST && !(fi->flags & O_EXCL))
		fd = openat(backing, rel(path), O_RDWR | O_CLOEXEC);
	return start(fd, 0, fi);
}

/* The last close of a handle: not a flush point. */
static int
lossyfs_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	pthread_mutex_lock(&lock);
	detach(handle(fi));
	pthread_mutex_unlock(&lock);
	return 0;
}

/* Reads the file as it now is, up to its volatile size. */
static int
lossyfs_read(const char *path, char *buf, size_t len, off_t off,
    struct fuse_file_info *fi)
{
	struct file	*f = handle(fi);
	int		 r;

	(void)path;
	pthread_mutex_lock(&lock);
	if (off >= f->size)
		len = 0;
	else if ((off_t)len > f->size - off)
		len = f->size - off;
	r = load(f, (unsigned char *)buf, len, off);
	pthread_mutex_unlock(&lock);
	return r != 0 ? r : (int)len;
}

/*
 * Writes into the dirty pages, growing the volatile size; through an
 * O_SYNC or O_DSYNC handle (the kernel passes a pwritev2 RWF_DSYNC as
 * O_DSYNC too), flushes before it returns.
 */
static int
lossyfs_write(const char *path, const char *buf, size_t len, off_t off,
    struct fuse_file_info *fi)
{
	struct file	*f = handle(fi);
	struct page	*p;
	size_t		 done, n;
	off_t		 at;
	int		 r = 0;

	(void)path;
	pthread_mutex_lock(&lock);
	for (done = 0; done < len; done += n) {
		at = off + (off_t)done;
		n = PAGE - at % PAGE;
		if (n > len - done)
			n = len - done;
		if ((p = dirty(f, at / PAGE, &r)) == NULL)
			break;
		memcpy(p->data + at % PAGE, buf + done, n);
		if (at + (off_t)n > f->size)
			f->size = at + (off_t)n;
	}
	if (r == 0 && (fi->flags & (O_SYNC | O_DSYNC)))
		r = flush(f);
	pthread_mutex_unlock(&lock);
	return r != 0 ? r : (int)len;
}

/* fsync(2) and fdatasync(2) alike: the flush point. */
static int
lossyfs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	int	 r;

	(void)path;
	(void)datasync;
	pthread_mutex_lock(&lock);
	r = flush(handle(fi));
	pthread_mutex_unlock(&lock);
	return r;
}

/*
 * A volatile truncate, of an open handle or of a name (through a
 * reference of its own for the time of the call).
 */
static int
lossyfs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct file	*f;
	int		 fd = -1, r = 0;

	if (size < 0)
		return -EINVAL;
	if (fi == NULL &&
	    (fd = openat(backing, rel(path), O_RDWR | O_CLOEXEC)) == -1)
		return -errno;
	pthread_mutex_lock(&lock);
	if ((f = fi != NULL ? handle(fi) : attach(fd, 0)) == NULL)
		r = -errno;
	else {
		resize(f, size);
		if (fi == NULL)
			detach(f);
	}
	pthread_mutex_unlock(&lock);
	return r;
}

/* The backing file's attributes, with the volatile size. */
static int
lossyfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct file	*f;
	int		 r;

	if (fi != NULL)
		r = fstat(handle(fi)->fd, st);
	else
		r = fstatat(backing, rel(path), st, AT_SYMLINK_NOFOLLOW);
	if (r == -1)
		return -errno;
	if (!S_ISREG(st->st_mode))
		return 0;
	pthread_mutex_lock(&lock);
	if ((f = lookup(st->st_dev, st->st_ino)) != NULL && !clean(f)) {
		st->st_size = f->size;
		st->st_blocks = (f->size + 511) / 512;
	}
	pthread_mutex_unlock(&lock);
	return 0;
}

/* Removes a name; the file's volatile state goes with its last name. */
static int
lossyfs_unlink(const char *path)
{
	struct stat	 st;
	int		 r = 0;

	pthread_mutex_lock(&lock);
	if (fstatat(backing, rel(path), &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    unlinkat(backing, rel(path), 0) == -1)
		r = -errno;
	else
		forget(&st);
	pthread_mutex_unlock(&lock);
	return r;
}

/* Renames; a file replaced by the rename loses its volatile state. */
static int
lossyfs_rename(const char *from, const char *to, unsigned int flags)
{
	struct stat	 sf, st;
	int		 r = 0, had;

	pthread_mutex_lock(&lock);
	had = fstatat(backing, rel(to), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fstatat(backing, rel(from), &sf, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (sf.st_dev != st.st_dev || sf.st_ino != st.st_ino);
	if (renameat2(backing, rel(from), backing, rel(to), flags) == -1)
		r = -errno;
	else if (had && !(flags & RENAME_EXCHANGE))
		forget(&st);
	pthread_mutex_unlock(&lock);
	return r;
}

/*
 * The operations below pass straight through to BACKING, and are durable
 * at once. What they make belongs to the caller (own()).
 */

/* A node other than a regular file or a directory: a FIFO, a socket. */
static int
lossyfs_mknod(const char *path, mode_t mode, dev_t dev)
{
	if (mknodat(backing, rel(path), mode, dev) == -1)
		return -errno;
	return own(backing, rel(path), AT_SYMLINK_NOFOLLOW);
}

/* A directory. */
static int
lossyfs_mkdir(const char *path, mode_t mode)
{
	if (mkdirat(backing, rel(path), mode) == -1)
		return -errno;
	return own(backing, rel(path), AT_SYMLINK_NOFOLLOW);
}

/* A symbolic link path to target. */
static int
lossyfs_symlink(const char *target, const char *path)
{
	if (symlinkat(target, backing, rel(path)) == -1)
		return -errno;
	return own(backing, rel(path), AT_SYMLINK_NOFOLLOW);
}

/* Removes an empty directory. */
static int
lossyfs_rmdir(const char *path)
{
	return unlinkat(backing, rel(path), AT_REMOVEDIR) == -1 ? -errno : 0;
}

/* A hard link to from named to; it shares from's volatile state. */
static int
lossyfs_link(const char *from, const char *to)
{
	return linkat(backing, rel(from), backing, rel(to), 0) == -1 ?
	    -errno : 0;
}

/* A symbolic link's target, NUL-terminated, cut to fit buf. */
static int
lossyfs_readlink(const char *path, char *buf, size_t size)
{
	ssize_t	 n;

	if (size == 0)
		return -EINVAL;
	if ((n = readlinkat(backing, rel(path), buf, size - 1)) == -1)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* Mode bits, of a name or of an open handle. */
static int
lossyfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int	 r;

	if (fi != NULL)
		r = fchmod(handle(fi)->fd, mode);
	else
		r = fchmodat(backing, rel(path), mode, 0);
	return r == -1 ? -errno : 0;
}

/* Owner and group, of a name or of an open handle. */
static int
lossyfs_chown(const char *path, uid_t uid, gid_t gid,
    struct fuse_file_info *fi)
{
	int	 r;

	if (fi != NULL)
		r = fchown(handle(fi)->fd, uid, gid);
	else
		r = fchownat(backing, rel(path), uid, gid,
		    AT_SYMLINK_NOFOLLOW);
	return r == -1 ? -errno : 0;
}

/* Access and modification times, of a name or of an open handle. */
static int
lossyfs_utimens(const char *path, const struct timespec tv[2],
    struct fuse_file_info *fi)
{
	int	 r;

	if (fi != NULL)
		r = futimens(handle(fi)->fd, tv);
	else
		r = utimensat(backing, rel(path), tv, AT_SYMLINK_NOFOLLOW);
	return r == -1 ? -errno : 0;
}

/* access(2); default_permissions has the kernel check first. */
static int
lossyfs_access(const char *path, int mask)
{
	return faccessat(backing, rel(path), mask, 0) == -1 ? -errno : 0;
}

/* The backing filesystem's figures. */
static int
lossyfs_statfs(const char *path, struct statvfs *st)
{
	(void)path;
	return fstatvfs(backing, st) == -1 ? -errno : 0;
}

/* A directory handle is a DIR *, freed by lossyfs_releasedir(). */
static int
lossyfs_opendir(const char *path, struct fuse_file_info *fi)
{
	DIR	*d;
	int	 fd;

	fd = openat(backing, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -errno;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -errno;
	}
	fi->fh = (uintptr_t)d;
	return 0;
}

/* Lists the whole directory at once (the library keeps it). */
static int
lossyfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	DIR		*d = (DIR *)(uintptr_t)fi->fh;
	struct dirent	*de;

	(void)path;
	(void)off;
	(void)flags;
	rewinddir(d);
	errno = 0;
	while ((de = readdir(d)) != NULL)
		if (fill(buf, de->d_name, NULL, 0, 0) != 0)
			return 0;
	return errno != 0 ? -errno : 0;
}

/* Frees what lossyfs_opendir() made. */
static int
lossyfs_releasedir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	closedir((DIR *)(uintptr_t)fi->fh);
	return 0;
}

/* Directories are durable at once: nothing to flush. */
static int
lossyfs_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	(void)datasync;
	(void)fi;
	return 0;
}

/*
 * Asks the kernel for synchronous writes (no writeback cache), no
 * invalidation of cached pages on a changed mtime, and to clear the
 * set-user-ID bits on writes itself. The library: inode numbers from
 * BACKING, unlinked files removed at once (no .fuse_hidden files left in
 * BACKING by a power loss) and served by handle.
 */
static void *
lossyfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	conn->want &= ~(FUSE_CAP_WRITEBACK_CACHE | FUSE_CAP_AUTO_INVAL_DATA |
	    FUSE_CAP_HANDLE_KILLPRIV);
	cfg->use_ino = 1;
	cfg->hard_remove = 1;
	cfg->nullpath_ok = 1;
	return NULL;
}

/* At unmount: frees every volatile state, flushing none (the model). */
static void
lossyfs_destroy(void *data)
{
	(void)data;
	pthread_mutex_lock(&lock);
	while (files != NULL)
		drop(files);
	pthread_mutex_unlock(&lock);
}

static const struct fuse_operations ops = {
	.getattr = lossyfs_getattr,
	.readlink = lossyfs_readlink,
	.mknod = lossyfs_mknod,
	.mkdir = lossyfs_mkdir,
	.unlink = lossyfs_unlink,
	.rmdir = lossyfs_rmdir,
	.symlink = lossyfs_symlink,
	.rename = lossyfs_rename,
	.link = lossyfs_link,
	.chmod = lossyfs_chmod,
	.chown = lossyfs_chown,
	.truncate = lossyfs_truncate,
	.open = lossyfs_open,
	.read = lossyfs_read,
	.write = lossyfs_write,
	.statfs = lossyfs_statfs,
	.release = lossyfs_release,
	.fsync = lossyfs_fsync,
	.opendir = lossyfs_opendir,
	.readdir = lossyfs_readdir,
	.releasedir = lossyfs_releasedir,
	.fsyncdir = lossyfs_fsyncdir,
	.init = lossyfs_init,
	.destroy = lossyfs_destroy,
	.access = lossyfs_access,
	.create = lossyfs_create,
	.utimens = lossyfs_utimens,
};

/*
 * Opens BACKING, then hands MOUNTPOINT and the options to fuse_main() with
 * -f and the fixed mount options. Returns what fuse_main() returns (0 after
 * an unmount), or 2 on a bad usage.
 */
int
main(int argc, char *argv[])
{
	struct fuse_args	 args = FUSE_ARGS_INIT(0, NULL);
	const char		*opts;
	int			 i, rc;

	if (argc < 3 || argv[1][0] == '-' || argv[2][0] == '-') {
		fprintf(stderr,
		    "usage: lossyfs BACKING MOUNTPOINT [fuse options]\n");
		return 2;
	}
	backing = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (backing == -1) {
		fprintf(stderr, "lossyfs: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	/* Modes reach us with the caller's umask already applied. */
	umask(0);
	/*
	 * max_idle_threads set by hand silences libfuse 3.14's warning
	 * "Ignoring invalid max threads value 4294967295" (its issue #1003).
	 */
	opts = geteuid() == 0 ?
	    "default_permissions,allow_other,max_idle_threads=10,"
	    "fsname=lossyfs,subtype=lossyfs" :
	    "default_permissions,max_idle_threads=10,"
	    "fsname=lossyfs,subtype=lossyfs";
	if (fuse_opt_add_arg(&args, argv[0]) == -1 ||
	    fuse_opt_add_arg(&args, argv[2]) == -1 ||
	    fuse_opt_add_arg(&args, "-f") == -1 ||
	    fuse_opt_add_arg(&args, "-o") == -1 ||
	    fuse_opt_add_arg(&args, opts) == -1)
		goto nomem;
	for (i = 3; i < argc; i++)
		if (fuse_opt_add_arg(&args, argv[i]) == -1)
			goto nomem;
	rc = fuse_main(args.argc, args.argv, &ops, NULL);
	fuse_opt_free_args(&args);
	close(backing);
	return rc;
nomem:
	fprintf(stderr, "lossyfs: out of memory\n");
	fuse_opt_free_args(&args);
	close(backing);
	return 1;
}
