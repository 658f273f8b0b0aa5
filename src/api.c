/*
 * api.c: the router. Finds the route, turns away what no surface takes
 * (a missing token, a wrong method: 405 with Allow, a CORS preflight, bad
 * parameters), and hands the request to its surface.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "api.h"
#include "auth.h"
#include "getlock.h"
#include "lss.h"
#include "metrics.h"
#include "reply.h"
#include "uuid.h"

#define ALLOW_LOCK	"GET, HEAD, PUT, DELETE, OPTIONS"
#define ALLOW_READ	"GET, HEAD, OPTIONS"
#define ALLOW_CREATE	"POST, OPTIONS"
#define ALLOW_PATCH	"PATCH, OPTIONS"

static int
allowed(const char *allow, enum http_method m)
{
	static const char *const names[] = { "GET", "HEAD", "PUT", "POST",
	    "DELETE", "PATCH", "OPTIONS" };
	const char	*p;
	size_t		 n;

	if (m == HTTP_OTHER)
		return 0;
	n = strlen(names[m]);
	for (p = allow; (p = strstr(p, names[m])) != NULL; p += n)
		if ((p == allow || p[-1] == ' ') &&
		    (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

enum route_kind {
	ROUTE_HEALTH,		/* /v1/health */
	ROUTE_GETLOCK,		/* /v1/<uuid> */
	ROUTE_GETLOCK_OTHER,	/* anything else under /v1 */
	ROUTE_LSS,		/* /locks... known shapes */
	ROUTE_LSS_OTHER,	/* anything else under /locks */
	ROUTE_ADMIN_LOCKS,	/* /v1/locks */
	ROUTE_METRICS,		/* /metrics */
	ROUTE_HOME,		/* the mount point itself */
	ROUTE_OTHER
};

struct route {
	enum route_kind	 kind;
	const char	*allow;
	enum lss_action	 lss;
	char		 id[64];	/* the id as written, for LSS */
	uint8_t		 uuid[LOCK_ID_LEN];
};

/* The routes named by their whole path, read-only. */
static const struct {
	const char	*path;
	enum route_kind	 kind;
} fixed[] = {
	{ "/metrics", ROUTE_METRICS },
	{ "/v1/locks", ROUTE_ADMIN_LOCKS },
	{ "/v1/health", ROUTE_HEALTH },
};

/* What may follow /locks/<id>. */
static const struct {
	const char	*tail;
	enum lss_action	 action;
	const char	*allow;
} lss_tails[] = {
	{ "", LSS_GET, ALLOW_READ },
	{ "/lock", LSS_LOCK, ALLOW_PATCH },
	{ "/unlock", LSS_UNLOCK, ALLOW_PATCH },
};

/* Sorts /locks/<rest> into an LSS route, or ROUTE_LSS_OTHER. */
static void
match_lss(const char *rest, struct route *r)
{
	const char	*slash;
	size_t		 n, i;

	r->kind = ROUTE_LSS_OTHER;
	slash = strchr(rest, '/');
	n = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
	if (n == 0 || n >= sizeof(r->id))
		return;
	memcpy(r->id, rest, n);
	r->id[n] = '\0';
	for (i = 0; i < sizeof(lss_tails) / sizeof(lss_tails[0]); i++)
		if (strcmp(rest + n, lss_tails[i].tail) == 0) {
			r->kind = ROUTE_LSS;
			r->lss = lss_tails[i].action;
			r->allow = lss_tails[i].allow;
			return;
		}
}

/* Sorts the route into one of the shapes above. */
static void
match(const struct request *req, struct route *r)
{
	const char	*path = req->route;
	size_t		 i;

	memset(r, 0, sizeof(*r));
	r->kind = ROUTE_OTHER;
	r->allow = ALLOW_READ;
	if (req->home != NULL) {
		r->kind = ROUTE_HOME;
		return;
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(path, fixed[i].path) == 0) {
			r->kind = fixed[i].kind;
			return;
		}
	if (strncmp(path, "/v1/", 4) == 0 &&
	    uuid_parse(path + 4, strlen(path + 4), r->uuid) == 0) {
		r->kind = ROUTE_GETLOCK;
		r->allow = ALLOW_LOCK;
	} else if (strcmp(path, "/v1") == 0 || strncmp(path, "/v1/", 4) == 0)
		r->kind = ROUTE_GETLOCK_OTHER;
	else if (strcmp(path, "/locks") == 0 || strcmp(path, "/locks/") == 0) {
		r->kind = ROUTE_LSS;
		r->lss = LSS_CREATE;
		r->allow = ALLOW_CREATE;
	} else if (strncmp(path, "/locks/", 7) == 0)
		match_lss(path + 7, r);
}

/*
 * Hides the routes the configuration leaves out (the listing without an
 * admin token, /metrics when off: they are answered as unknown paths),
 * then turns away a request without the token it needs: any request but
 * a preflight when API tokens are set, the admin routes without the admin
 * token. Returns 1 when resp holds the 401.
 */
static int
refuse(struct service *svc, struct request *req, struct route *r,
    struct response *resp)
{
	const struct config	*cfg = svc->cfg;
	int			 admin;

	if (r->kind == ROUTE_ADMIN_LOCKS && cfg->admin_token == NULL)
		r->kind = ROUTE_GETLOCK_OTHER;
	if (r->kind == ROUTE_METRICS && cfg->metrics == CONFIG_METRICS_OFF)
		r->kind = ROUTE_OTHER;
	if (req->method == HTTP_OPTIONS)
		return 0;
	admin = r->kind == ROUTE_ADMIN_LOCKS || (r->kind == ROUTE_METRICS &&
	    cfg->metrics == CONFIG_METRICS_ADMIN);
	if (!auth_api(cfg, req) || (admin && !auth_admin(cfg, req))) {
		reply_unauthorized(resp);
		return 1;
	}
	return 0;
}

/* The surface a route is counted under in /metrics. */
static enum metrics_surface
surface(enum route_kind kind)
{
	switch (kind) {
	case ROUTE_HEALTH:
		return METRICS_HEALTH;
	case ROUTE_GETLOCK:
		return METRICS_GETLOCK;
	case ROUTE_LSS:
		return METRICS_LSS;
	case ROUTE_ADMIN_LOCKS:
	case ROUTE_METRICS:
		return METRICS_ADMIN;
	case ROUTE_HOME:
		return METRICS_HOME;
	default:
		return METRICS_OTHER;
	}
}

static void
handle(struct service *svc, struct request *req, const char *body, size_t len,
    struct route *r, struct response *resp)
{
	char		 err[256];
	int		 lss;

	if (refuse(svc, req, r, resp))
		return;
	switch (r->kind) {
	case ROUTE_GETLOCK_OTHER:
		getlock_unknown_path(resp);
		return;
	case ROUTE_LSS_OTHER:
		reply_text(resp, 404, "Not Found");
		return;
	case ROUTE_OTHER:
		reply_message(resp, 404, "not found");
		return;
	default:
		break;
	}
	lss = r->kind == ROUTE_LSS;
	if (req->method == HTTP_OPTIONS) {
		reply_preflight(resp, r->allow);
		return;
	}
	if (!allowed(r->allow, req->method)) {
		if (lss)
			reply_text(resp, 405, "Method Not Allowed");
		else
			reply_message(resp, 405, "method not allowed");
		http_header(resp, "Allow", "%s", r->allow);
		return;
	}
	if (http_request_params(req, body, len, err, sizeof(err)) == -1) {
		if (lss)
			reply_text(resp, 400, err);
		else
			reply_message(resp, 400, err);
		return;
	}
	if (r->kind == ROUTE_HOME)
		admin_home(svc, req, resp);
	else if (svc->store == NULL && r->kind != ROUTE_HEALTH) {
		/* CGI mode whose database could not be opened (logged): the
		 * client still gets an answer, not the web server's page. */
		reply_store_error(resp, STORE_ERROR);
	} else if (r->kind == ROUTE_HEALTH)
		getlock_health(svc, req, resp);
	else if (r->kind == ROUTE_GETLOCK)
		getlock_lock(svc, req, r->uuid, resp);
	else if (r->kind == ROUTE_ADMIN_LOCKS)
		admin_locks(svc, req, resp);
	else if (r->kind == ROUTE_METRICS)
		admin_metrics(svc, req, resp);
	else
		lss_handle(svc, req, r->lss, r->id, resp);
}

/*
 * Answers one request into resp. The body (len bytes) has been read and
 * capped by the caller. Never fails: every problem becomes an answer.
 */
void
api_handle(struct service *svc, struct request *req, const char *body,
    size_t len, struct response *resp)
{
	struct route	 r;

	match(req, &r);
	handle(svc, req, body, len, &r, resp);
	metrics_request(svc->metrics, surface(r.kind), resp->status);
}
