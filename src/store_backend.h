/*
 * store_backend.h: what store.c asks of a storage backend. A backend keeps
 * its own handle (impl) and calls the hooks store.c keeps, which may be set
 * after it was opened.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_STORE_BACKEND_H
#define LOCKGATE_STORE_BACKEND_H

#include "store.h"

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
};

extern const struct store_backend store_lmdb_backend;
extern const struct store_backend store_etcd_backend;

#endif
