/*
 * fuzz_request.c: libFuzzer target for a whole request: CGI variables and
 * a body into a request (http.c), the route, the method, the parameters of
 * query, form and JSON body (params.c), the surfaces (api.c,
 * getlock.c, lss.c) on a real store in a temporary directory, and the CGI
 * answer (http_render).
 *
 * The input is six lines and a body:
 *	REQUEST_METHOD \n PATH_INFO \n SCRIPT_NAME \n REQUEST_URI \n
 *	QUERY_STRING \n CONTENT_TYPE \n body...
 * An empty line leaves that variable unset; a NUL inside a line ends the
 * value there, as it would in a real environment.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "buf.h"
#include "config.h"
#include "http.h"
#include "lock.h"
#include "log.h"
#include "reply.h"
#include "store.h"
#include "ulid.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NVARS	6
/* LSS locks made at start, so that GET and PATCH of a known id are
 * reached (a new id is random): the ids and key of the seed corpus. */
#define LSS_KEY		"secret"
static const char *const lss_ids[] = {
	"01hvkab4t422rap18rwjs2prnm", "01hvkab4t422rap18rwjs2prnn",
};

static const char *const names[NVARS] = {
	"REQUEST_METHOD", "PATH_INFO", "SCRIPT_NAME", "REQUEST_URI",
	"QUERY_STRING", "CONTENT_TYPE",
};

static struct config	 cfg;
static struct service	 api;
static char		 dir[PATH_MAX];

struct vars {
	char	*value[NVARS];	/* NULL: unset */
};

static const char *
lookup(const char *name, void *arg)
{
	const struct vars	*v = arg;
	size_t			 i;

	for (i = 0; i < NVARS; i++)
		if (strcmp(name, names[i]) == 0)
			return v->value[i];
	return NULL;
}

/* Makes the LSS locks of lss_ids, the first locked, the others not. */
static void
make_lss(void)
{
	struct store_key	 key;
	struct lock_op		 op;
	struct lock_lss		*lss = &op.u.lss;
	struct lock_decision	 d;
	size_t			 i;

	for (i = 0; i < sizeof(lss_ids) / sizeof(lss_ids[0]); i++) {
		memset(&op, 0, sizeof(op));
		op.kind = LOCK_OP_LSS_CREATE;
		lss->locked = i == 0;
		lss->key = LSS_KEY;
		lss->key_len = strlen(LSS_KEY);
		key.kind = LOCK_KIND_LSS;
		if (ulid_parse(lss_ids[i], strlen(lss_ids[i]), key.id) == -1 ||
		    store_change(api.store, &key, &op, &d) != STORE_OK) {
			fprintf(stderr, "cannot make LSS lock %s\n", lss_ids[i]);
			abort();
		}
		lock_decision_free(&d);
	}
}

/* Removes the database files and the directory (atexit). */
static void
cleanup(void)
{
	char	 path[PATH_MAX + 16];

	store_close(api.store);
	api.store = NULL;
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct store_options	 o;
	const char		*tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	/* Store problems are expected here (full, for one): keep quiet. */
	log_set_level(LOG_LEVEL_ERROR);
	snprintf(dir, sizeof(dir), "%s/lockgate-fuzz.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.db = dir;
	cfg.map_size = (size_t)16 << 20;
	cfg.sync = CONFIG_SYNC_NONE;
	cfg.max_ttl_ms = 604800LL * 1000;
	cfg.max_wait_ms = 60000;
	cfg.max_body = 16384;
	cfg.max_records = 2000;
	cfg.max_readers = 16;
	cfg.lss_retention_ms = 0;
	memset(&o, 0, sizeof(o));
	o.path = dir;
	o.map_size = cfg.map_size;
	o.sync = cfg.sync;
	o.max_readers = cfg.max_readers;
	o.max_records = cfg.max_records;
	o.sweep_batch = 16;
	o.clock = store_clock_realtime;
	memset(&api, 0, sizeof(api));
	api.cfg = &cfg;
	/* No wake file: a request with wait answers at once. */
	if (store_open(&o, &api.store) != STORE_OK) {
		fprintf(stderr, "store_open %s failed\n", dir);
		abort();
	}
	atexit(cleanup);
	make_lss();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data, *end = p + size, *nl;
	struct vars	 v;
	struct request	 req;
	struct response	 resp;
	struct buf	 out;
	char		*body;
	size_t		 i, n, len;

	memset(&v, 0, sizeof(v));
	for (i = 0; i < NVARS && p < end; i++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0 && (v.value[i] = strndup(p, n)) == NULL)
			goto done;
		p += n + (nl != NULL);
	}
	/* The body as main.c hands it over: its own copy, NUL-terminated. */
	len = (size_t)(end - p);
	if (len > cfg.max_body)
		len = cfg.max_body;
	if ((body = malloc(len + 1)) == NULL)
		goto done;
	memcpy(body, p, len);
	body[len] = '\0';

	http_response_init(&resp);
	if (http_request_init(&req, lookup, &v) == -1)
		reply_message(&resp, 400, "malformed request path");
	else
		api_handle(&api, &req, body, len, &resp);
	resp.head = req.method == HTTP_HEAD;
	buf_init(&out);
	http_render(&resp, &out);
	/* Every answer is a status the contract knows. */
	if (strcmp(http_reason(resp.status), "Unknown") == 0 ||
	    resp.status == 500)
		abort();
	buf_free(&out);
	http_response_free(&resp);
	http_request_free(&req);
	free(body);
done:
	for (i = 0; i < NVARS; i++)
		free(v.value[i]);
	return 0;
}
