/*
 * fake_etcd.h: an etcd cluster in memory for the unit tests, put in place
 * of the network through etcd_client.h's struct etcd_transport. It
 * answers the JSON gateway requests lockgate sends (/v3/kv/range, put,
 * deleterange, txn, /v3/maintenance/status) with the bytes a real etcd
 * 3.4.23 writes (tests/unit/etcd/README.md: base64 keys and values,
 * 64-bit numbers as strings, zero fields left out, a txn's inner answers
 * with a header of revision only), from one global revision and each
 * key's history (create and mod revision, version), so that a range at
 * an older revision answers as etcd would.
 *
 * Every member answers from the same data: a member is up, cannot be
 * reached, has no leader, or takes requests and never answers. A fault
 * can be set for the next write (txn, put, deleterange) that reaches a
 * member that is up. A hook sees each request before it is answered and
 * may change the data as another client would.
 *
 * Stricter than etcd in one way: a request field etcd does not know is
 * refused (400, code 3) where etcd ignores it, so that a misspelt field
 * in lockgate's requests fails a test instead of passing unseen.
 * Not thread-safe: one thread at a time.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_FAKE_ETCD_H
#define LOCKGATE_FAKE_ETCD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "etcd_client.h"

#define FAKE_ETCD_MEMBERS_MAX	8
/* The IDs of the member recorded in tests/unit/etcd/: member 0 has its
 * member ID, so that the fake's answers can be compared byte for byte. */
#define FAKE_ETCD_CLUSTER_ID	15875391935852295136ULL
#define FAKE_ETCD_MEMBER0_ID	7383792418829112008ULL
#define FAKE_ETCD_RAFT_TERM	2

struct fake_etcd;

/* What a member does with every request. */
enum fake_member {
	FAKE_MEMBER_UP,
	FAKE_MEMBER_UNREACHABLE,	/* ETCD_UNREACHED: nothing went out */
	FAKE_MEMBER_NO_LEADER,		/* 503 "etcdserver: no leader", 14 */
	FAKE_MEMBER_SILENT		/* ETCD_LOST: taken, never done or
					 * answered (a stopped process) */
};

/* What happens to the next write that reaches a member that is up. */
enum fake_fault {
	FAKE_FAULT_NONE,
	FAKE_FAULT_APPLY_LOSE,	/* done, its answer lost (ETCD_LOST) */
	FAKE_FAULT_LOSE,	/* lost on its way: not done, ETCD_LOST */
	FAKE_FAULT_APPLY_LATER,	/* ETCD_LOST now; done once the request
				 * after it is answered (a request held up
				 * in a member that was paused) */
	FAKE_FAULT_TIMED_OUT,	/* 503 "etcdserver: request timed out",
				 * code 14; not done */
	FAKE_FAULT_NO_SPACE	/* 429 "etcdserver: mvcc: database space
				 * exceeded", code 8; not done */
};

/* One key as it is now: pointers into the fake, good until it changes. */
struct fake_kv {
	const char	*key;
	size_t		 keylen;
	const char	*value;
	size_t		 valuelen;
	int64_t		 create_revision;
	int64_t		 mod_revision;
	int64_t		 version;
	int64_t		 lease;
};

/* Called with each request before it is answered, even by a member that
 * cannot be reached. */
typedef void fake_etcd_hook(struct fake_etcd *, size_t, const char *,
	    const char *, size_t, void *);

struct fake_etcd *fake_etcd_new(size_t);
void	fake_etcd_free(struct fake_etcd *);
const struct etcd_transport *fake_etcd_transport(struct fake_etcd *);
int	fake_etcd_request(struct fake_etcd *, size_t, const char *,
	    const char *, size_t, struct buf *);
uint64_t fake_etcd_member_id(size_t);

/* Faults. */
void	fake_etcd_member(struct fake_etcd *, size_t, enum fake_member);
void	fake_etcd_fault(struct fake_etcd *, enum fake_fault);
void	fake_etcd_hold_for(struct fake_etcd *, unsigned int);
int	fake_etcd_held(const struct fake_etcd *);
int	fake_etcd_release(struct fake_etcd *);
void	fake_etcd_space_alarm(struct fake_etcd *, int);
void	fake_etcd_compact(struct fake_etcd *, int64_t);
void	fake_etcd_before(struct fake_etcd *, fake_etcd_hook *, void *);

/* The data, as another client sees and changes it. */
int64_t	fake_etcd_revision(const struct fake_etcd *);
int	fake_etcd_get(const struct fake_etcd *, const char *, size_t,
	    struct fake_kv *);
int64_t	fake_etcd_put(struct fake_etcd *, const char *, size_t,
	    const void *, size_t);
int64_t	fake_etcd_delete(struct fake_etcd *, const char *, size_t);
size_t	fake_etcd_count(const struct fake_etcd *, const char *, size_t);
int	fake_etcd_nth(const struct fake_etcd *, const char *, size_t, size_t,
	    struct fake_kv *);
unsigned int fake_etcd_calls(const struct fake_etcd *, size_t,
	    const char *);

#endif
