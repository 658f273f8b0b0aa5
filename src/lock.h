/*
 * lock.h: the lock rules as pure functions: the current record, the request
 * and the time in; a decision (the answer, and what to write) out.
 * No I/O, no clock reads, no storage: every branch is unit-testable.
 */
#ifndef LOCKGATE_LOCK_H
#define LOCKGATE_LOCK_H

#include <stddef.h>
#include <stdint.h>

#define LOCK_SECRET_MAX	255

enum lock_kind {
	LOCK_KIND_GETLOCK = 1		/* /v1/<uuid> */
};

/* One stored lock. Times are milliseconds since the epoch. */
struct lock_record {
	enum lock_kind	 kind;
	int64_t		 created_ms;	/* first acquisition */
	int64_t		 ttl_ms;	/* the lock's own ttl */
	int64_t		 expires_ms;	/* active while now < expires_ms */
	uint64_t	 fence;		/* given at acquisition */
	size_t		 secret_len;	/* owner token; 0 when none */
	char		 secret[LOCK_SECRET_MAX + 1];
};

enum lock_verdict {
	LOCK_ACQUIRED,		/* 201: a new hold, with a new fence */
	LOCK_REFRESHED,		/* 200: the hold goes on */
	LOCK_ACTIVE,		/* 423: GET of a held lock */
	LOCK_REMOVED,		/* 200: DELETE of a held lock */
	LOCK_NOT_FOUND,		/* 404: no record */
	LOCK_EXPIRED		/* 404: a record whose time has passed */
};

enum lock_write {
	LOCK_WRITE_NONE,
	LOCK_WRITE_PUT,		/* store decision.record */
	LOCK_WRITE_DELETE	/* remove the record */
};

struct lock_decision {
	enum lock_verdict	 verdict;
	enum lock_write		 write;
	int			 fence_used;	/* record.fence is next_fence */
	int			 has_record;	/* record is set */
	struct lock_record	 record;
};

/* A getlock PUT: ttl_ms is 0 when the request names no ttl. */
struct lock_put {
	int64_t	 ttl_ms;
	int64_t	 default_ttl_ms;
};

int	lock_is_active(const struct lock_record *, int64_t);
int64_t	lock_sweep_at(const struct lock_record *);

void	lock_put(const struct lock_record *, int64_t, uint64_t,
	    const struct lock_put *, struct lock_decision *);
void	lock_get(const struct lock_record *, int64_t, struct lock_decision *);
void	lock_delete(const struct lock_record *, int64_t,
	    struct lock_decision *);

#endif
