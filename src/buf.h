/*
 * buf.h: a growable byte buffer, always NUL-terminated.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_BUF_H
#define LOCKGATE_BUF_H

#include <stddef.h>

/*
 * A buffer that remembers an allocation failure instead of reporting it at
 * every append: check buf_failed() once when the text is complete.
 */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_append(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 buf_failed(const struct buf *);
const char *buf_str(const struct buf *);

#endif
