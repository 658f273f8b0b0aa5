/*
 * copy.c: copies every live lock of the LMDB database in LOCKGATE_DB into
 * the etcd cluster the LOCKGATE_ETCD_* settings name, then raises the
 * cluster's fences above every fence the database ever handed out. A lock
 * whose key the cluster already has is left as it is there. Run it before
 * the web servers use the cluster: a responder reads the fence base once.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy.h"
#include "lock.h"
#include "store.h"

/* Locks read from LMDB per page, before they are written to etcd: no
 * LMDB transaction stays open while the network is used. */
#define PAGE	256

struct page {
	struct store_key	 keys[PAGE];
	struct lock_record	 recs[PAGE];
	size_t			 n;
	int			 failed;
};

/* store_list_fn: keeps a copy of each lock of the page. */
static int
keep(const struct store_item *it, int64_t now, void *arg)
{
	struct page	*p = arg;

	(void)now;
	if (lock_record_copy(&p->recs[p->n], it->rec) == -1) {
		p->failed = 1;
		return 1;
	}
	p->keys[p->n++] = it->key;
	return 0;
}

static int
open_store(const struct config *cfg, enum config_store backend,
    struct store **out)
{
	struct store_options	 so;

	memset(&so, 0, sizeof(so));
	so.backend = backend;
	so.etcd = &cfg->etcd;
	so.path = cfg->db;
	so.map_size = cfg->map_size;
	so.sync = cfg->sync;
	so.max_readers = cfg->max_readers;
	so.max_records = UINT64_MAX;
	so.sweep_batch = 1;
	return store_open(&so, out);
}

/*
 * Returns the exit status: 0 when every lock was copied or left alone and
 * the fences were raised, else 1 with a message on stderr.
 */
int
copy_to_etcd(const struct config *cfg)
{
	struct store		*from = NULL, *to = NULL;
	struct store_stats	 st;
	struct store_item	 it;
	struct store_key	 after;
	struct page		*p;
	uint64_t		 copied = 0, skipped = 0;
	size_t			 i;
	int			 more = 1, first = 1, rc = 1, done;

	if (cfg->store != CONFIG_STORE_ETCD) {
		fprintf(stderr, "lockgate.fcgi: --copy-to-etcd needs "
		    "LOCKGATE_STORE=etcd and LOCKGATE_ETCD_ENDPOINTS\n");
		return 1;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return 1;
	if (open_store(cfg, CONFIG_STORE_LMDB, &from) != STORE_OK) {
		fprintf(stderr, "lockgate.fcgi: cannot open the database in "
		    "%s (LOCKGATE_DB)\n", cfg->db);
		goto done;
	}
	if (open_store(cfg, CONFIG_STORE_ETCD, &to) != STORE_OK)
		goto done;
	/* The last fence first: a lock granted meanwhile has a lower one
	 * than any the cluster hands out afterwards. */
	if (store_stats(from, &st) != STORE_OK) {
		fprintf(stderr, "lockgate.fcgi: cannot read %s\n", cfg->db);
		goto done;
	}
	while (more) {
		p->n = 0;
		if (store_list(from, first ? NULL : &after, PAGE, keep, p,
		    &more) != STORE_OK || p->failed) {
			fprintf(stderr, "lockgate.fcgi: cannot read the locks "
			    "of %s\n", cfg->db);
			goto page;
		}
		first = 0;
		for (i = 0; i < p->n; i++) {
			it.key = p->keys[i];
			it.rec = &p->recs[i];
			if (store_import(to, &it, &done) != STORE_OK) {
				fprintf(stderr, "lockgate.fcgi: cannot write "
				    "to etcd (see the log above)\n");
				goto page;
			}
			if (done)
				copied++;
			else
				skipped++;
		}
		if (p->n > 0)
			after = p->keys[p->n - 1];
		for (i = 0; i < p->n; i++)
			lock_record_free(&p->recs[i]);
		if (p->n == 0)
			break;
	}
	if (store_raise_fences(to, st.fence) != STORE_OK) {
		fprintf(stderr, "lockgate.fcgi: cannot raise the fences in "
		    "etcd (see the log above)\n");
		goto done;
	}
	printf("copied %" PRIu64 " locks, skipped %" PRIu64 " (already in "
	    "etcd); fences from now on are above %" PRIu64 "\n", copied,
	    skipped, st.fence);
	rc = 0;
	goto done;
page:
	for (i = 0; i < p->n; i++)
		lock_record_free(&p->recs[i]);
done:
	store_close(to);
	store_close(from);
	free(p);
	return rc;
}
