/*
 * preload.c: fills a lockgate database with held locks before a benchmark,
 * without the web server. Each lock is made by the same code as an HTTP
 * PUT: the lock rule lock_put() applied by store_change() in one write
 * transaction per lock, so the records, the expiry index and the fence
 * counter are exactly what PUT /v1/<id>?ttl=TTL would leave. Only the
 * commits are not synchronous (LOCKGATE_SYNC=nosync here, whatever the
 * environment says), and the data is flushed with sync(2) once at the end,
 * so a million locks take seconds rather than minutes. The responders
 * started afterwards use the durability the benchmark asks for.
 *
 * usage: preload PREFIX COUNT TTL
 *	PREFIX	8 hex digits: lock i is PREFIX-0000-4000-8000-<i as 12 hex>
 *	COUNT	locks to create, ids 0 to COUNT - 1
 *	TTL	their ttl in seconds
 * Settings (LOCKGATE_DB, LOCKGATE_MAP_SIZE, LOCKGATE_MAX_RECORDS, ...) are
 * read from the environment as lockgate.fcgi reads them. Not installed;
 * "make bench" builds it.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "lock.h"
#include "store.h"
#include "uuid.h"

/* Expired records swept per write, as lockgate.fcgi does. */
#define SWEEP_BATCH	16

static const char *
env_lookup(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

int
main(int argc, char *argv[])
{
	struct config		 cfg;
	struct store_options	 so;
	struct store		*store = NULL;
	struct store_key	 key;
	struct lock_decision	 d;
	struct lock_op		 op;
	struct lock_put		*put = &op.u.put;
	char			 text[64], err[512], *end;
	unsigned long long	 count, i, made = 0;
	double			 ttl;
	int			 rc = 1;

	if (argc != 4 || strlen(argv[1]) != 8 ||
	    strspn(argv[1], "0123456789abcdef") != 8) {
		fprintf(stderr, "usage: preload PREFIX COUNT TTL\n"
		    "  PREFIX: 8 lower-case hex digits\n");
		return 2;
	}
	count = strtoull(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || count > 0xffffffffffffULL) {
		fprintf(stderr, "preload: bad COUNT %s\n", argv[2]);
		return 2;
	}
	ttl = strtod(argv[3], &end);
	if (*argv[3] == '\0' || *end != '\0' || !(ttl > 0 && ttl < 1e7)) {
		fprintf(stderr, "preload: bad TTL %s\n", argv[3]);
		return 2;
	}
	if (config_load(&cfg, env_lookup, NULL, err, sizeof(err)) == -1) {
		fprintf(stderr, "preload: %s\n", err);
		return 1;
	}
	memset(&so, 0, sizeof(so));
	so.path = cfg.db;
	so.map_size = cfg.map_size;
	so.sync = CONFIG_SYNC_NONE;
	so.max_readers = cfg.max_readers;
	so.max_records = cfg.max_records;
	so.sweep_batch = SWEEP_BATCH;
	so.clock = store_clock_realtime;
	if (store_open(&so, &store) != STORE_OK) {
		fprintf(stderr, "preload: cannot open the database in %s\n",
		    cfg.db);
		goto done;
	}
	memset(&op, 0, sizeof(op));
	op.kind = LOCK_OP_PUT;
	put->ttl_ms = (int64_t)(ttl * 1000);
	put->default_ttl_ms = 60 * 1000;
	key.kind = LOCK_KIND_GETLOCK;
	for (i = 0; i < count; i++) {
		snprintf(text, sizeof(text), "%s-0000-4000-8000-%012llx",
		    argv[1], i);
		if (uuid_parse(text, strlen(text), key.id) != 0) {
			fprintf(stderr, "preload: bad id %s\n", text);
			goto done;
		}
		switch (store_change(store, &key, &op, &d)) {
		case STORE_OK:
			break;
		case STORE_FULL:
			fprintf(stderr, "preload: database full after %llu "
			    "locks (LOCKGATE_MAX_RECORDS, LOCKGATE_MAP_SIZE)\n",
			    made);
			goto done;
		default:
			fprintf(stderr, "preload: write failed after %llu "
			    "locks\n", made);
			goto done;
		}
		if (d.verdict == LOCK_ACQUIRED)
			made++;
		lock_decision_free(&d);
	}
	rc = 0;
done:
	store_close(store);
	/* The commits were not synchronous: flush them once, here, so the
	 * benchmark's first durable commit does not pay for them. */
	sync();
	printf("%llu\n", made);
	config_free(&cfg);
	return rc;
}
