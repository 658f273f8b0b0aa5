/*
 * audit.c: the tests' record of durable decisions (see audit.h).
 *
 * Each line, appended with one write(2) to a file opened O_APPEND by every
 * responder process:
 *
 *	seq=S at=MS EVENT SURFACE:ID fence=F expires=MS holders=N limit=L
 *
 * S orders the decisions as they were made (store_decided_fn), MS is the
 * store's time of the decision. EVENT is grant, refresh or release (for
 * getlock: the hold with fence F, expiring at expires; holders counts the
 * holds after the decision), or lss-create and lss-set (fence 0; holders
 * is 1 when the LSS lock is locked then, else 0; expires 0: no deadline).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "log.h"
#include "ulid.h"
#include "uuid.h"

struct audit {
	int	 fd;
};

/* Opens path for appending. Returns the handle, or NULL (logged). */
struct audit *
audit_open(const char *path)
{
	struct audit	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		log_error("calloc: %s", strerror(errno));
		return NULL;
	}
	a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (a->fd == -1) {
		log_error("open %s: %s", path, strerror(errno));
		free(a);
		return NULL;
	}
	return a;
}

void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	close(a->fd);
	free(a);
}

/* The event a decision records, or NULL when it changed no hold. */
static const char *
event(const struct lock_decision *d)
{
	switch (d->verdict) {
	case LOCK_ACQUIRED:
		return "grant";
	case LOCK_REFRESHED:
		return "refresh";
	case LOCK_REMOVED:
		return "release";
	case LOCK_LSS_CREATED:
		return "lss-create";
	case LOCK_LSS_CHANGED:
		return "lss-set";
	default:
		return NULL;
	}
}

/* store_decided_fn: appends the line of a decision that changed a hold. */
void
audit_decided(const struct store_key *key, const struct lock_decision *d,
    uint64_t seq, void *arg)
{
	struct audit	*a = arg;
	const char	*what;
	char		 id[UUID_TEXT_LEN + ULID_TEXT_LEN + 1], line[256];
	uint64_t	 fence = 0;
	int64_t		 expires = 0;
	size_t		 holders = 0;
	unsigned int	 limit = 0;
	int		 n;

	if (a == NULL || (what = event(d)) == NULL)
		return;
	if (key->kind == LOCK_KIND_LSS) {
		ulid_format(key->id, id);
		holders = d->record.locked;
		expires = d->record.locked ? d->record.expires_ms : 0;
	} else {
		uuid_format(key->id, id);
		fence = d->shown.fence;
		expires = d->shown.expires_ms;
		holders = d->holders;
		limit = d->limit;
	}
	n = snprintf(line, sizeof(line), "seq=%llu at=%lld %s %s:%s fence=%llu "
	    "expires=%lld holders=%zu limit=%u\n", (unsigned long long)seq,
	    (long long)d->now_ms, what, key->kind == LOCK_KIND_LSS ? "lss" :
	    "getlock", id, (unsigned long long)fence, (long long)expires,
	    holders, limit);
	if (n > 0 && (size_t)n < sizeof(line) &&
	    write(a->fd, line, (size_t)n) != n)
		log_warn("audit write: %s", strerror(errno));
}
