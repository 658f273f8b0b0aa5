/*
 * surface.c: the harness of the surface tests (see surface.h): one store
 * at a time in a temporary directory with the fake clock, requests made
 * from a few CGI variables and handed to api_handle, answers captured.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "config.h"
#include "http.h"
#include "store.h"
#include "surface.h"
#include "tests.h"

#define MIB	((size_t)1 << 20)

struct service		 surface_svc;

static struct config	 cfg;
static const char	*dir;

/*
 * Opens a store in a fresh directory, with LSS retention retention_ms (0:
 * forever) and at most max_records records; the fake clock starts at
 * SURFACE_T0. Returns 0, or -1 with nothing open.
 */
int
surface_open(int64_t retention_ms, uint64_t max_records)
{
	struct store_options	 o;
	struct store		*st;

	memset(&surface_svc, 0, sizeof(surface_svc));
	test_now = SURFACE_T0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.map_size = 16 * MIB;
	cfg.sync = CONFIG_SYNC_NONE;
	cfg.max_ttl_ms = SURFACE_MAX_TTL_MS;
	cfg.max_wait_ms = SURFACE_MAX_WAIT_MS;
	cfg.max_body = 16384;
	cfg.max_records = max_records;
	cfg.max_readers = 16;
	cfg.lss_retention_ms = retention_ms;
	if ((dir = tmpdir_make()) == NULL)
		return -1;
	memset(&o, 0, sizeof(o));
	o.path = dir;
	o.map_size = cfg.map_size;
	o.sync = cfg.sync;
	o.max_readers = cfg.max_readers;
	o.max_records = max_records;
	o.sweep_batch = 16;
	o.clock = test_clock;
	if (store_open(&o, &st) != STORE_OK) {
		tmpdir_remove();
		dir = NULL;
		return -1;
	}
	surface_svc.cfg = &cfg;
	surface_svc.store = st;
	return 0;
}

/* Closes the store and removes its directory; the caller closes what it
 * set beside it (a wake). */
void
surface_close(void)
{
	store_close(surface_svc.store);
	memset(&surface_svc, 0, sizeof(surface_svc));
	tmpdir_remove();
	dir = NULL;
}

/* The open store's directory, for the files that live beside it. */
const char *
surface_dir(void)
{
	return dir;
}

/* The records in the store; UINT64_MAX when it cannot say. */
uint64_t
surface_records(void)
{
	struct store_stats	 s;

	if (store_stats(surface_svc.store, &s) != STORE_OK)
		return UINT64_MAX;
	return s.records;
}

/* The CGI variables of one fake request. */
struct fake_req {
	const char	*method;
	const char	*path;
	const char	*query;
	const char	*ctype;
};

static const char *
lookup(const char *name, void *arg)
{
	const struct fake_req	*f = arg;

	if (strcmp(name, "REQUEST_METHOD") == 0)
		return f->method;
	if (strcmp(name, "PATH_INFO") == 0)
		return f->path;
	if (strcmp(name, "QUERY_STRING") == 0)
		return f->query;
	if (strcmp(name, "CONTENT_TYPE") == 0)
		return f->ctype;
	return NULL;
}

/*
 * Copies the value of header name (any case) from the answer's headers
 * into out; "<absent>" when there is none.
 */
void
surface_header(const struct answer *a, const char *name, char *out,
    size_t len)
{
	const char	*p = a->headers, *eol;
	size_t		 n = strlen(name);

	snprintf(out, len, "<absent>");
	while (*p != '\0') {
		eol = strstr(p, "\r\n");
		if (eol == NULL)
			eol = p + strlen(p);
		if ((size_t)(eol - p) > n + 1 && strncasecmp(p, name, n) == 0 &&
		    p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			snprintf(out, len, "%.*s", (int)(eol - p), p);
			return;
		}
		p = *eol != '\0' ? eol + 2 : eol;
	}
}

/*
 * METHOD PATH?QUERY at test_now, with body (NULL: none) of Content-Type
 * ctype (NULL: none). The answer goes to a; status -1 when the request
 * could not be built.
 */
void
surface_request(const char *method, const char *path, const char *query,
    const char *ctype, const char *body, struct answer *a)
{
	struct fake_req		 f = { method, path, query != NULL ? query : "",
	    ctype };
	struct request		 req;
	struct response		 resp;

	memset(a, 0, sizeof(*a));
	a->status = -1;
	if (http_request_init(&req, lookup, &f) != 0) {
		http_request_free(&req);
		return;
	}
	http_response_init(&resp);
	api_handle(&surface_svc, &req, body != NULL ? body : "",
	    body != NULL ? strlen(body) : 0, &resp);
	a->status = resp.status;
	snprintf(a->headers, sizeof(a->headers), "%s", buf_str(&resp.headers));
	surface_header(a, "Content-Type", a->ctype, sizeof(a->ctype));
	surface_header(a, "Allow", a->allow, sizeof(a->allow));
	snprintf(a->body, sizeof(a->body), "%s", buf_str(&resp.body));
	http_response_free(&resp);
	http_request_free(&req);
}

/* METHOD PATH?QUERY with an optional form body (NULL: none). */
void
surface_call(const char *method, const char *path, const char *query,
    const char *form, struct answer *a)
{
	surface_request(method, path, query, form != NULL ? SURFACE_FORM_CT :
	    NULL, form, a);
}

/*
 * Checks an answer: status, Content-Type (NULL: none) and body, reported
 * at the caller's line with what was asked.
 */
void
surface_check(const char *file, unsigned int line, const char *what,
    const struct answer *a, int status, const char *ctype, const char *body)
{
	const char	*want_ct = ctype != NULL ? ctype : "<absent>";

	test_assert(a->status == status && strcmp(a->ctype, want_ct) == 0 &&
	    strcmp(a->body, body) == 0, file, line,
	    "%s: got %d [%s] '%s', want %d [%s] '%s'", what, a->status,
	    a->ctype, a->body, status, want_ct, body);
}
