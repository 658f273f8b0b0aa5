/*
 * wake.h: lets a request that waits for a lock sleep until some process
 * releases one, instead of polling: a counter in a small file shared by
 * every responder process, waited on with a futex.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_WAKE_H
#define LOCKGATE_WAKE_H

#include <stddef.h>
#include <stdint.h>

struct wake;

struct wake	*wake_open(const char *, unsigned int);
void		 wake_close(struct wake *);
void		 wake_on_wait(struct wake *, void (*)(void));
uint32_t	 wake_seen(struct wake *);
void		 wake_all(struct wake *);
void		 wake_wait(struct wake *, uint32_t, int64_t);
int		 wake_enter(struct wake *);
void		 wake_leave(struct wake *);
void		 wake_stop(struct wake *);
int		 wake_stopping(struct wake *);
uint64_t	 wake_tag(const uint8_t [16], const char *, size_t);
uint64_t	 wake_cancel_mark(struct wake *);
void		 wake_cancel(struct wake *, uint64_t);
int		 wake_cancelled(struct wake *, uint64_t, uint64_t);

#endif
