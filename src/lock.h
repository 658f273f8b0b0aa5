/*
 * lock.h: the lock rules as pure functions: the current record, the request
 * and the time in; a decision (the answer, and what to write) out.
 * No I/O, no clock reads, no storage: every branch is unit-testable.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_LOCK_H
#define LOCKGATE_LOCK_H

#include <stddef.h>
#include <stdint.h>

#define LOCK_SECRET_MAX	255
#define LOCK_OWNER_MAX	128
#define LOCK_LIMIT_MAX	1000
/* A lock's id: a getlock UUID or an LSS ULID, 128 bits. */
#define LOCK_ID_LEN	16

enum lock_kind {
	LOCK_KIND_GETLOCK = 1,		/* /v1/<uuid> */
	LOCK_KIND_LSS = 2		/* /locks/<ulid> */
};

/* One hold of a getlock lock: a semaphore has up to its limit of them. */
struct lock_holder {
	int64_t		 created_ms;
	int64_t		 ttl_ms;
	int64_t		 expires_ms;	/* held while now < expires_ms */
	uint64_t	 fence;		/* given at acquisition */
	size_t		 owner_len;	/* 0: held without an owner */
	char		 owner[LOCK_OWNER_MAX + 1];
};

/*
 * One stored lock. Times are milliseconds since the epoch.
 * getlock: the first holder lives in the record's own fields (secret is
 * its owner token), any further ones in more[]; limit is the number of
 * holders allowed (1: a mutex).
 * LSS: locked while locked is set and (expires_ms is 0 or now <
 * expires_ms); secret is the key; kept until keep_until_ms (0: forever).
 */
struct lock_record {
	enum lock_kind	 kind;
	int		 locked;	/* LSS state flag */
	int64_t		 created_ms;	/* first acquisition, or creation */
	int64_t		 ttl_ms;	/* getlock: the lock's own ttl */
	int64_t		 expires_ms;	/* end of the hold; LSS: 0 none */
	uint64_t	 fence;		/* given at acquisition */
	int64_t		 updated_ms;	/* last change */
	int64_t		 keep_until_ms;	/* LSS retention; 0: forever */
	size_t		 secret_len;	/* 0 when none */
	char		 secret[LOCK_SECRET_MAX + 1];
	unsigned int	 limit;		/* getlock: 1 mutex, N semaphore */
	size_t		 nmore;		/* getlock: holders after the first */
	struct lock_holder *more;	/* owned by the record: lock_record_free */
};

enum lock_verdict {
	LOCK_ACQUIRED,		/* 201: a new hold, with a new fence */
	LOCK_REFRESHED,		/* 200: the hold goes on */
	LOCK_ACTIVE,		/* 423: GET of a held lock */
	LOCK_REMOVED,		/* 200: DELETE of a held lock */
	LOCK_NOT_FOUND,		/* 404: no record */
	LOCK_EXPIRED,		/* 404: a record whose time has passed */
	LOCK_HELD_OTHER,	/* 423: held by another owner, nothing changed */
	LOCK_LIMIT_CONFLICT,	/* 409: another limit while held */
	LOCK_FREE_SLOTS,	/* 200: GET of a semaphore with free slots */
	LOCK_NO_MEMORY,		/* 503: nothing changed */
	LOCK_LSS_CREATED,	/* 200: POST /locks */
	LOCK_LSS_LOCKED,	/* 423: GET, or PATCH lock with nx */
	LOCK_LSS_UNLOCKED,	/* 204: GET */
	LOCK_LSS_CHANGED,	/* 204: PATCH lock or unlock */
	LOCK_LSS_NOT_FOUND,	/* 404 */
	LOCK_LSS_BAD_KEY,	/* 401 */
	LOCK_LSS_EXISTS,	/* a new id collided: draw another */
	LOCK_CANCELLED		/* 409: the owner of a waiting PUT released */
};

enum lock_write {
	LOCK_WRITE_NONE,
	LOCK_WRITE_PUT,		/* store decision.record */
	LOCK_WRITE_DELETE	/* remove the record */
};

struct lock_decision {
	enum lock_verdict	 verdict;
	enum lock_write		 write;
	int			 fence_used;	/* next_fence was handed out */
	int			 has_record;	/* record is set (for the
						 * unit tests: callers look at
						 * the verdict) */
	struct lock_record	 record;	/* to write, or as found */
	/* getlock answers: the hold to show (the request's own, else the one
	 * that ends first), how many holders there are, and when the lock
	 * may be had (423: the earliest end of a hold). */
	int			 has_shown;
	struct lock_holder	 shown;
	size_t			 holders;
	unsigned int		 limit;
	int64_t			 retry_at_ms;
	int64_t			 now_ms;	/* when it was decided */
};

/*
 * A getlock PUT or DELETE: ttl_ms is 0 when the request names no ttl,
 * owner_len 0 when it names no owner, limit 0 when it names none.
 * A waiting PUT carries the ticket (tag, mark) by which the store asks,
 * inside the transaction, whether the owner has released the lock since
 * the wait began (store_cancel_check()); cancelled is the answer. A store
 * shared by hosts also marks the wait's start in its own terms (wait_rev,
 * store_wait_mark()), and an owner's DELETE carries the tag too.
 */
struct lock_put {
	int64_t		 ttl_ms;
	int64_t		 default_ttl_ms;
	const char	*owner;
	size_t		 owner_len;
	unsigned int	 limit;
	int		 waiting;
	uint64_t	 wait_tag;
	uint64_t	 wait_mark;
	uint64_t	 wait_rev;	/* 0: none */
	int		 cancelled;
};

/* An LSS request: create (POST), or PATCH lock/unlock. */
struct lock_lss {
	int		 locked;	/* the state asked for */
	int64_t		 ttl_ms;	/* e: 0 for no deadline */
	int		 nx;		/* lock only if not locked */
	const char	*key;
	size_t		 key_len;
	int64_t		 retention_ms;	/* 0: keep forever */
};

/* A request to the lock rules, as data: one variant per rule. */
enum lock_op_kind {
	LOCK_OP_GET,		/* getlock GET and HEAD */
	LOCK_OP_PUT,		/* getlock PUT: acquire or refresh */
	LOCK_OP_DELETE,		/* getlock DELETE: release */
	LOCK_OP_LSS_CREATE,	/* LSS POST /locks */
	LOCK_OP_LSS_GET,	/* LSS GET /locks/<id> */
	LOCK_OP_LSS_SET		/* LSS PATCH /locks/<id>/lock, /unlock */
};

struct lock_op {
	enum lock_op_kind	 kind;
	union {
		struct lock_put	 put;	/* PUT, DELETE */
		struct lock_lss	 lss;	/* LSS_CREATE, LSS_SET */
	}			 u;
};

void	lock_decide(const struct lock_record *, int64_t, uint64_t,
	    const struct lock_op *, struct lock_decision *);

int	lock_is_active(const struct lock_record *, int64_t);
int64_t	lock_sweep_at(const struct lock_record *);
int	lock_sweepable(const struct lock_record *, int64_t);
int	lock_key_equal(const char *, size_t, const char *, size_t);

void	lock_record_free(struct lock_record *);
int	lock_record_copy(struct lock_record *, const struct lock_record *);
void	lock_decision_free(struct lock_decision *);
int	lock_owner_valid(const char *, size_t);

int	lock_lss_is_locked(const struct lock_record *, int64_t);

#endif
