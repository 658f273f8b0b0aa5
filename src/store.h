/*
 * store.h: where locks live. Speaks of locks, not of the storage engine:
 * every decision is a lock.h request (struct lock_op), decided by
 * lock_decide() inside one atomic, durable transaction that reads the
 * clock after it begins. store.c hands each call to the backend the
 * options name: store_lmdb.c keeps the locks in an LMDB environment
 * shared by the processes of one host, store_etcd.c in an etcd cluster
 * shared by many hosts.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_STORE_H
#define LOCKGATE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "lock.h"

struct store;
struct etcd_transport;

enum store_status {
	STORE_OK = 0,
	STORE_FULL,		/* no room for a new record: 507 */
	STORE_ERROR		/* the storage failed; logged: 503 */
};

struct store_options {
	enum config_store	 backend;
	const struct config_etcd *etcd;		/* backend etcd */
	const char		*path;		/* database directory (LMDB) */
	size_t			 map_size;	/* the most the data may take */
	enum config_sync	 sync;		/* how a commit reaches disk */
	unsigned int		 max_readers;	/* processes x threads */
	uint64_t		 max_records;
	size_t			 sweep_batch;	/* expired records per write */
	int64_t			 max_wait_ms;	/* LOCKGATE_MAX_WAIT */
	int64_t			(*clock)(void);	/* ms since the epoch */
	/* For the unit tests: the etcd backend's requests answered in
	 * place of the network (etcd_client.h). */
	const struct etcd_transport *etcd_transport;
};


/* A lock's name: its surface and its 128-bit id. */
struct store_key {
	enum lock_kind	 kind;
	uint8_t		 id[LOCK_ID_LEN];
};

/* One lock as the operator's listing shows it. */
struct store_item {
	struct store_key		 key;
	const struct lock_record	*rec;
};

/* Called for each live lock by store_list(); returns 0 to go on. */
typedef int store_list_fn(const struct store_item *, int64_t now, void *);

struct store_stats {
	uint64_t	 records;
	uint64_t	 fence;		/* the last fence handed out */
	size_t		 map_size;
	size_t		 used_bytes;	/* in use, not the file size */
	int64_t		 file_bytes;	/* the data on disk; -1: unknown */
	unsigned int	 full_percent;	/* new locks refused past this share
					 * of map_size */
};

/*
 * Told of each decision made durable, after its commit and before its
 * answer is given: seq grows with every decision in the order they were
 * made (for the tests' record of grants and releases). fn must not block
 * for long: a batch's other answers wait for it.
 */
typedef void store_decided_fn(const struct store_key *,
    const struct lock_decision *, uint64_t seq, void *);

/* Asked inside a waiting PUT's transaction: whether the owner released
 * the lock since the wait began (lock_put's wait_tag and wait_mark). */
typedef int store_cancelled_fn(uint64_t tag, uint64_t mark, void *);

int64_t	store_clock_realtime(void);
/* For the unit tests: the network filesystem a statfs magic names. */
const char *store_network_fs(long);
int	store_local_dir(const char *);

int	store_open(const struct store_options *, struct store **);
void	store_close(struct store *);
void	store_on_commit(struct store *, void (*)(uint64_t, size_t, void *),
	    void *);
void	store_on_wait(struct store *, void (*)(void));
void	store_on_decided(struct store *, store_decided_fn *, void *);
void	store_cancel_check(struct store *, store_cancelled_fn *, void *);
int64_t	store_now(struct store *);
int	store_change(struct store *, const struct store_key *,
	    const struct lock_op *, struct lock_decision *);
int	store_view(struct store *, const struct store_key *,
	    const struct lock_op *, struct lock_decision *);
/* For the unit tests: a write that only sweeps. */
int	store_sweep(struct store *, size_t *);
int	store_stats(struct store *, struct store_stats *);
int	store_list(struct store *, const struct store_key *, size_t,
	    store_list_fn *, void *, int *);
/*
 * Has fn called whenever a lock may have changed through another host
 * (the etcd backend watches the cluster from a thread of its own; an LMDB
 * store is only changed on this host, and has nothing to watch). fn must
 * not block. Returns STORE_OK, or STORE_ERROR when watching cannot start.
 */
int	store_watch(struct store *, void (*)(void *), void *);
/* Why the storage cannot serve now, for health answers: "" when it can. */
const char *store_trouble(struct store *);
/*
 * For copying locks from another store into this one, before it serves
 * (lockgate.fcgi --copy-to-etcd): store_import() stores a lock unless its
 * key is taken (*copied says which); store_raise_fences() makes every
 * fence handed out from now on greater than the one given. STORE_ERROR
 * when the backend cannot (LMDB).
 */
int	store_import(struct store *, const struct store_item *, int *);
int	store_raise_fences(struct store *, uint64_t);
/*
 * A waiting PUT's start in the store (lock_put's wait_rev): a DELETE of
 * the same owner through any host afterwards cancels the wait. 0 when
 * the store needs none (LMDB: one host's wake-ups do it), or cannot say.
 */
uint64_t store_wait_mark(struct store *, uint64_t);

/* ------------------------------------------------------------------ */
/*
 * What store.c asks of a backend (store_lmdb.c, store_etcd.c): each keeps
 * its own handle (impl) and calls the hooks store.c keeps, which may be set
 * after it was opened.
 */
struct store_hooks {
	void			(*on_commit)(uint64_t, size_t, void *);
	void			*on_commit_arg;
	void			(*on_wait)(void);
	store_cancelled_fn	*cancelled;
	void			*cancelled_arg;
	store_decided_fn	*decided;
	void			*decided_arg;
	void			(*changed)(void *);	/* store_watch() */
	void			*changed_arg;
};

/* The store.h calls of the same names, on the backend's handle. */
struct store_backend {
	const char	*name;
	int		(*open)(const struct store_options *,
			    const struct store_hooks *, void **);
	void		(*close)(void *);
	int		(*change)(void *, const struct store_key *,
			    const struct lock_op *, struct lock_decision *);
	int		(*view)(void *, const struct store_key *,
			    const struct lock_op *, struct lock_decision *);
	int		(*sweep)(void *, size_t *);
	int		(*stats)(void *, struct store_stats *);
	int		(*list)(void *, const struct store_key *, size_t,
			    store_list_fn *, void *, int *);
	int		(*watch)(void *);	/* NULL: nothing to watch */
	const char	*(*trouble)(void *);	/* NULL: never any */
	int		(*import)(void *, const struct store_item *, int *);
	int		(*raise_fences)(void *, uint64_t);
	int		(*wait_mark)(void *, uint64_t, uint64_t *);
};

extern const struct store_backend store_lmdb_backend;
extern const struct store_backend store_etcd_backend;


#endif
