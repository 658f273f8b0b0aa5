/*
 * store.h: where locks live. Speaks of locks, not of the storage engine:
 * every decision is made by a lock.h rule inside one atomic, durable
 * transaction that reads the clock after it begins.
 */
#ifndef LOCKGATE_STORE_H
#define LOCKGATE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "lock.h"

struct store;

enum store_status {
	STORE_OK = 0,
	STORE_FULL,		/* no room for a new record: 507 */
	STORE_ERROR		/* the storage failed; logged: 503 */
};

struct store_options {
	const char		*path;		/* database directory */
	size_t			 map_size;
	enum config_sync	 sync;
	unsigned int		 max_readers;
	uint64_t		 max_records;
	size_t			 sweep_batch;	/* expired records per write */
	int64_t			(*clock)(void);	/* ms since the epoch */
};


/* A lock's name: its surface and its 128-bit id. */
struct store_key {
	enum lock_kind	 kind;
	uint8_t		 id[16];
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
	size_t		 used_bytes;	/* pages in use, not the file size */
};

/*
 * A rule from lock.h bound to its request: cur is NULL when there is no
 * record; next_fence is the fence a new acquisition takes.
 */
typedef void store_decide_fn(const struct lock_record *cur, int64_t now,
    uint64_t next_fence, void *arg, struct lock_decision *out);

int64_t	store_clock_realtime(void);
const char *store_network_fs(long);

int	store_open(const struct store_options *, struct store **);
void	store_close(struct store *);
void	store_on_commit(struct store *, void (*)(uint64_t, size_t, void *),
	    void *);
int	store_change(struct store *, const struct store_key *,
	    store_decide_fn *, void *, struct lock_decision *);
int	store_view(struct store *, const struct store_key *,
	    store_decide_fn *, void *, struct lock_decision *);
int	store_sweep(struct store *, size_t *);
int	store_stats(struct store *, struct store_stats *);
int	store_list(struct store *, const struct store_key *, size_t,
	    store_list_fn *, void *, int *);

#endif
