/*
 * etcd_client.h: requests to an etcd cluster's JSON gateway over HTTP/1.1
 * (libcurl), one member at a time: a member that cannot be reached, or
 * has no leader, is passed over for the next. Each thread keeps its own
 * connections alive. What the bytes mean is etcd_codec.h's business.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_ETCD_CLIENT_H
#define LOCKGATE_ETCD_CLIENT_H

#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "etcd_codec.h"

struct etcd_client;

/* How a call ended. */
enum etcd_call {
	ETCD_CALL_OK,		/* an answer: the body is in ans */
	ETCD_CALL_REFUSED,	/* etcd said no (err); nothing was done */
	ETCD_CALL_DOWN,		/* no member took it; nothing was done */
	ETCD_CALL_UNKNOWN	/* a write went out and its answer did not
				 * come: it may or may not be done */
};

/* Whether a call may change something: a write that went out and whose
 * answer was lost is then not tried again elsewhere. */
#define ETCD_READ	0
#define ETCD_WRITE	1

int	etcd_client_open(const struct config_etcd *, struct etcd_client **);
void	etcd_client_close(struct etcd_client *);
void	etcd_client_on_wait(struct etcd_client *, void (*)(void *), void *);
enum etcd_call etcd_client_call(struct etcd_client *, const char *,
	    const struct buf *, int, struct buf *, struct etcd_error *);
const char *etcd_client_trouble(struct etcd_client *, char *, size_t);

/* The watch stream (one per process, in a thread of its own). */
typedef int etcd_line_fn(const char *, size_t, void *);
int	etcd_client_stream(struct etcd_client *, const char *,
	    const struct buf *, etcd_line_fn *, void *, int (*)(void *),
	    void *);

/*
 * For the unit tests: a transport in place of the network. fn answers a
 * POST of body to path on member m (0 to nendpoints - 1) into ans and
 * returns the HTTP status, or ETCD_UNREACHED (nothing went out) or
 * ETCD_LOST (it went out, no answer came).
 */
#define ETCD_UNREACHED	(-1)
#define ETCD_LOST	(-2)
typedef int etcd_transport_fn(void *, size_t, const char *,
	    const struct buf *, struct buf *);
struct etcd_transport {
	etcd_transport_fn	*fn;
	void			*arg;
};
void	etcd_client_transport(struct etcd_client *,
	    const struct etcd_transport *);

/* For the unit tests: how an answer with an error is taken. */
enum etcd_call etcd_client_judge(int, const struct etcd_error *, int);

#endif
