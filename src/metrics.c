/*
 * metrics.c: counters every responder process adds to, for GET /metrics.
 *
 * A scrape reaches one process of many, so the counters cannot live in a
 * process: they live in the file "metrics" in the database directory,
 * mapped shared, and each process adds to them with atomic operations (no
 * lock, no system call per request). The file is not part of the
 * database: it may be deleted while nothing runs, and counters start from
 * zero again, which Prometheus reads as a restart. A file of another
 * layout (an older version) is reset when it is mapped (mapfile.c).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mapfile.h"
#include "metrics.h"

#define METRICS_FILE	"metrics"
#define METRICS_MAGIC	0x6c67746dU	/* "lgtm" */
#define METRICS_LAYOUT	3

/* The statuses counted one by one; any other is counted as "other". */
static const int codes[] = {
	200, 201, 204, 400, 401, 404, 405, 409, 411, 413, 423, 500, 503,
	507
};
#define NCODES		(sizeof(codes) / sizeof(codes[0]))

static const char *const surfaces[METRICS_SURFACES] = {
	"getlock", "lss", "health", "admin", "home", "other"
};

/* Upper bounds of the commit latency buckets, in microseconds. */
static const uint64_t bounds_us[] = {
	250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
	1000000
};
#define NBOUNDS		(sizeof(bounds_us) / sizeof(bounds_us[0]))

/* The shared file's layout. Counters only grow. */
struct shared {
	struct mapfile_head head;
	uint64_t	 requests[METRICS_SURFACES][NCODES + 1];
	uint64_t	 grants;
	uint64_t	 waits;
	uint64_t	 waiting;	/* requests waiting now */
	uint64_t	 commit_buckets[NBOUNDS + 1];	/* last: +Inf */
	uint64_t	 commit_sum_us;
	uint64_t	 commit_count;
	uint64_t	 commit_decisions;
};

struct metrics {
	struct shared	*sh;
};

static void
add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static uint64_t
get(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/*
 * Maps dir/metrics, creating or resetting it. Returns the handle, or NULL
 * (logged): the service then runs without counting.
 */
struct metrics *
metrics_open(const char *dir)
{
	struct metrics	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		log_warn("calloc: %s; no metrics", strerror(errno));
		return NULL;
	}
	if ((m->sh = mapfile_open(dir, METRICS_FILE, sizeof(*m->sh),
	    METRICS_MAGIC, METRICS_LAYOUT)) == NULL) {
		log_warn("no metrics");
		free(m);
		return NULL;
	}
	return m;
}

void
metrics_close(struct metrics *m)
{
	if (m == NULL)
		return;
	mapfile_close(m->sh, sizeof(*m->sh));
	free(m);
}

/* Counts one answered request. */
void
metrics_request(struct metrics *m, enum metrics_surface surface, int status)
{
	size_t	 i;

	if (m == NULL || surface >= METRICS_SURFACES)
		return;
	for (i = 0; i < NCODES && codes[i] != status; i++)
		continue;
	add(&m->sh->requests[surface][i], 1);
}

/* Counts one hold granted (a new holder, not a refresh). */
void
metrics_grant(struct metrics *m)
{
	if (m != NULL)
		add(&m->sh->grants, 1);
}

/* Counts one request that has to wait, and is waiting now. */
void
metrics_wait(struct metrics *m)
{
	if (m == NULL)
		return;
	add(&m->sh->waits, 1);
	add(&m->sh->waiting, 1);
}

/* A request counted by metrics_wait() waits no more. */
void
metrics_wait_end(struct metrics *m)
{
	if (m != NULL)
		__atomic_fetch_sub(&m->sh->waiting, 1, __ATOMIC_RELAXED);
}

/*
 * Records one commit's duration and the number of decisions it made
 * durable; the store calls it (arg: the metrics).
 */
void
metrics_commit(uint64_t us, size_t decisions, void *arg)
{
	struct metrics	*m = arg;
	size_t		 i;

	if (m == NULL)
		return;
	for (i = 0; i < NBOUNDS && us > bounds_us[i]; i++)
		continue;
	add(&m->sh->commit_buckets[i], 1);
	add(&m->sh->commit_sum_us, us);
	add(&m->sh->commit_count, 1);
	add(&m->sh->commit_decisions, decisions);
}

static void
help(struct buf *b, const char *name, const char *type, const char *text)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/* Writes the histogram of the commits' durations. */
static void
commits(struct metrics *m, struct buf *b)
{
	uint64_t	 cum;
	size_t		 i;

	help(b, "lockgate_commit_seconds", "histogram", "Duration of the "
	    "database commits of write decisions (one fsync each with "
	    "LOCKGATE_SYNC=full).");
	for (i = 0, cum = 0; i <= NBOUNDS; i++) {
		cum += get(&m->sh->commit_buckets[i]);
		if (i < NBOUNDS)
			buf_printf(b, "lockgate_commit_seconds_bucket{le=\"%g\"}"
			    " %llu\n", (double)bounds_us[i] / 1e6,
			    (unsigned long long)cum);
		else
			buf_printf(b, "lockgate_commit_seconds_bucket{le="
			    "\"+Inf\"} %llu\n", (unsigned long long)cum);
	}
	buf_printf(b, "lockgate_commit_seconds_sum %.6f\n",
	    (double)get(&m->sh->commit_sum_us) / 1e6);
	/* The +Inf bucket, read once, so the histogram adds up. */
	buf_printf(b, "lockgate_commit_seconds_count %llu\n",
	    (unsigned long long)cum);
}

/*
 * Writes every metric in the Prometheus text exposition format (version
 * 0.0.4). st holds the store's counts; version is the program's.
 */
void
metrics_render(struct metrics *m, const struct store_stats *st,
    const char *version, struct buf *b)
{
	uint64_t	 n;
	size_t		 s, i;

	help(b, "lockgate_info", "gauge", "The program's version.");
	buf_printf(b, "lockgate_info{version=\"%s\"} 1\n", version);
	help(b, "lockgate_records", "gauge", "Lock records stored (getlock "
	    "and LSS), including expired ones not yet swept.");
	buf_printf(b, "lockgate_records %llu\n",
	    (unsigned long long)st->records);
	help(b, "lockgate_fence", "gauge", "The last fence handed out.");
	buf_printf(b, "lockgate_fence %llu\n", (unsigned long long)st->fence);
	help(b, "lockgate_map_size_bytes", "gauge", "The database's map "
	    "size (LOCKGATE_MAP_SIZE).");
	buf_printf(b, "lockgate_map_size_bytes %zu\n", st->map_size);
	buf_printf(b, "# HELP lockgate_map_used_bytes Pages of the map in "
	    "use; new locks are refused (507) past %u%% of the map size.\n"
	    "# TYPE lockgate_map_used_bytes gauge\n", st->full_percent);
	buf_printf(b, "lockgate_map_used_bytes %zu\n", st->used_bytes);
	if (m == NULL)
		return;
	if (st->file_bytes >= 0) {
		help(b, "lockgate_db_file_bytes", "gauge", "Size of the "
		    "database's data file on disk.");
		buf_printf(b, "lockgate_db_file_bytes %lld\n",
		    (long long)st->file_bytes);
	}

	help(b, "lockgate_requests_total", "counter", "Requests answered, "
	    "by surface and status code.");
	for (s = 0; s < METRICS_SURFACES; s++)
		for (i = 0; i <= NCODES; i++) {
			if ((n = get(&m->sh->requests[s][i])) == 0)
				continue;
			if (i < NCODES)
				buf_printf(b, "lockgate_requests_total{surface="
				    "\"%s\",code=\"%d\"} %llu\n", surfaces[s],
				    codes[i], (unsigned long long)n);
			else
				buf_printf(b, "lockgate_requests_total{surface="
				    "\"%s\",code=\"other\"} %llu\n",
				    surfaces[s], (unsigned long long)n);
		}
	help(b, "lockgate_grants_total", "counter", "Holds granted (new "
	    "holders; refreshes are not counted).");
	buf_printf(b, "lockgate_grants_total %llu\n",
	    (unsigned long long)get(&m->sh->grants));
	help(b, "lockgate_waits_total", "counter", "Requests that waited "
	    "for a lock (wait=S).");
	buf_printf(b, "lockgate_waits_total %llu\n",
	    (unsigned long long)get(&m->sh->waits));
	help(b, "lockgate_waiting", "gauge", "Requests waiting for a lock "
	    "now (a responder killed while requests waited leaves them "
	    "counted until the file is reset).");
	buf_printf(b, "lockgate_waiting %llu\n",
	    (unsigned long long)get(&m->sh->waiting));

	commits(m, b);
	help(b, "lockgate_commit_decisions_total", "counter", "Decisions made "
	    "durable by those commits (group commit: several per commit).");
	buf_printf(b, "lockgate_commit_decisions_total %llu\n",
	    (unsigned long long)get(&m->sh->commit_decisions));
}
