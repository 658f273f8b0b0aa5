/*
 * api.c: the HTTP surfaces joined. Finds the route, answers wrong methods
 * (405 with Allow) and CORS preflights, reads the parameters, and hands the
 * request to its surface.
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "api.h"
#include "auth.h"
#include "codec.h"
#include "getlock.h"
#include "log.h"
#include "lss.h"
#include "metrics.h"
#include "uuid.h"

#define ALLOW_LOCK	"GET, HEAD, PUT, DELETE, OPTIONS"
#define ALLOW_READ	"GET, HEAD, OPTIONS"
#define ALLOW_CREATE	"POST, OPTIONS"
#define ALLOW_PATCH	"PATCH, OPTIONS"

/* Starts a JSON answer: the status and the headers every one carries. */
void
api_json(struct response *resp, int status)
{
	resp->status = status;
	http_header(resp, "Content-Type", "application/json");
	/* A proxy must never cache lock state (API.md section 0). */
	http_header(resp, "Cache-Control", "no-store");
	http_header(resp, "Access-Control-Allow-Origin", "*");
}

/* Answers {"message": "..."}. */
void
api_message(struct response *resp, int status, const char *message)
{
	struct codec_writer	 w;

	api_json(resp, status);
	codec_writer_init(&w, &resp->body, 0);
	codec_begin(&w);
	codec_key(&w, "message");
	codec_str(&w, message);
	codec_end(&w);
	buf_putc(&resp->body, '\n');
}

/*
 * 400 "Unknown arguments: ..." for parameter names the request does not
 * take (as getlock's strict reqparse did). Returns 1 when it answered.
 */
int
api_refuse_unknown(struct request *req, const char *const *known,
    struct response *resp)
{
	char	 names[200], msg[240];

	if (params_unknown(&req->params, known, names, sizeof(names)) == 0)
		return 0;
	snprintf(msg, sizeof(msg), "Unknown arguments: %s", names);
	api_message(resp, 400, msg);
	return 1;
}

/* Answers a store failure: 507 when full, else 503 (already logged). */
void
api_store_error(struct response *resp, int rc)
{
	if (rc == STORE_FULL)
		api_message(resp, 507, "storage full");
	else
		api_message(resp, 503, "storage unavailable");
}

/* getlock's own 404 shape, so `jq .locked` scripts keep working. */
static void
getlock_not_found(struct response *resp)
{
	struct codec_writer	 w;

	api_json(resp, 404);
	codec_writer_init(&w, &resp->body, 0);
	codec_begin(&w);
	codec_key(&w, "locked");
	codec_bool(&w, 0);
	codec_key(&w, "message");
	codec_str(&w, "not found: expected /v1/<uuid>");
	codec_end(&w);
	buf_putc(&resp->body, '\n');
}

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

/* The CORS preflight (Fetch standard, CORS protocol): no body. */
static void
preflight(struct response *resp, const char *allow)
{
	resp->status = 204;
	http_header(resp, "Allow", "%s", allow);
	http_header(resp, "Access-Control-Allow-Origin", "*");
	http_header(resp, "Access-Control-Allow-Methods", "%s", allow);
	http_header(resp, "Access-Control-Allow-Headers",
	    "Content-Type, Authorization");
	http_header(resp, "Access-Control-Max-Age", "86400");
	http_header(resp, "Cache-Control", "no-store");
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
	uint8_t		 uuid[16];
};

/* Sorts the route into one of the shapes above. */
static void
match(const struct request *req, struct route *r)
{
	const char	*path = req->route, *rest, *slash;
	size_t		 n;

	memset(r, 0, sizeof(*r));
	r->kind = ROUTE_OTHER;
	if (req->home != NULL) {
		r->kind = ROUTE_HOME;
		r->allow = ALLOW_READ;
	} else if (strcmp(path, "/metrics") == 0) {
		r->kind = ROUTE_METRICS;
		r->allow = ALLOW_READ;
	} else if (strcmp(path, "/v1/locks") == 0) {
		r->kind = ROUTE_ADMIN_LOCKS;
		r->allow = ALLOW_READ;
	} else if (strcmp(path, "/v1/health") == 0) {
		r->kind = ROUTE_HEALTH;
		r->allow = ALLOW_READ;
	} else if (strncmp(path, "/v1/", 4) == 0 &&
	    uuid_parse(path + 4, strlen(path + 4), r->uuid) == 0) {
		r->kind = ROUTE_GETLOCK;
		r->allow = ALLOW_LOCK;
	} else if (strcmp(path, "/v1") == 0 || strncmp(path, "/v1/", 4) == 0)
		r->kind = ROUTE_GETLOCK_OTHER;
	else if (strcmp(path, "/locks") == 0 || strcmp(path, "/locks/") == 0) {
		r->kind = ROUTE_LSS;
		r->lss = LSS_CREATE;
		r->allow = ALLOW_CREATE;
	} else if (strncmp(path, "/locks/", 7) == 0) {
		r->kind = ROUTE_LSS_OTHER;
		rest = path + 7;
		slash = strchr(rest, '/');
		n = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
		if (n == 0 || n >= sizeof(r->id))
			return;
		memcpy(r->id, rest, n);
		r->id[n] = '\0';
		r->kind = ROUTE_LSS;
		if (slash == NULL) {
			r->lss = LSS_GET;
			r->allow = ALLOW_READ;
		} else if (strcmp(slash, "/lock") == 0) {
			r->lss = LSS_LOCK;
			r->allow = ALLOW_PATCH;
		} else if (strcmp(slash, "/unlock") == 0) {
			r->lss = LSS_UNLOCK;
			r->allow = ALLOW_PATCH;
		} else
			r->kind = ROUTE_LSS_OTHER;
	}
}

/* 401 for a missing or wrong bearer token (RFC 6750 section 3). */
static void
unauthorized(struct response *resp)
{
	api_message(resp, 401, "a valid token is needed: send "
	    "Authorization: Bearer <token>");
	http_header(resp, "WWW-Authenticate", "Bearer realm=\"lockgate\"");
}

/*
 * Hides the routes the configuration leaves out (the listing without an
 * admin token, /metrics when off: they are answered as unknown paths),
 * then turns away a request without the token it needs: any request but
 * a preflight when API tokens are set, the admin routes without the admin
 * token. Returns 1 when resp holds the 401.
 */
static int
refuse(struct api *api, struct request *req, struct route *r,
    struct response *resp)
{
	const struct config	*cfg = api->cfg;
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
		unauthorized(resp);
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
handle(struct api *api, struct request *req, const char *body, size_t len,
    struct route *r, struct response *resp)
{
	char		 err[256];
	int		 lss;

	if (refuse(api, req, r, resp))
		return;
	switch (r->kind) {
	case ROUTE_GETLOCK_OTHER:
		getlock_not_found(resp);
		return;
	case ROUTE_LSS_OTHER:
		lss_text(resp, 404, "Not Found");
		return;
	case ROUTE_OTHER:
		api_message(resp, 404, "not found");
		return;
	default:
		break;
	}
	lss = r->kind == ROUTE_LSS;
	if (req->method == HTTP_OPTIONS) {
		preflight(resp, r->allow);
		return;
	}
	if (!allowed(r->allow, req->method)) {
		if (lss)
			lss_text(resp, 405, "Method Not Allowed");
		else
			api_message(resp, 405, "method not allowed");
		http_header(resp, "Allow", "%s", r->allow);
		return;
	}
	if (http_request_params(req, body, len, err, sizeof(err)) == -1) {
		if (lss)
			lss_text(resp, 400, err);
		else
			api_message(resp, 400, err);
		return;
	}
	if (r->kind == ROUTE_HOME)
		admin_home(api, req, resp);
	else if (api->store == NULL && r->kind != ROUTE_HEALTH) {
		/* CGI mode whose database could not be opened (logged): the
		 * client still gets an answer, not the web server's page. */
		api_store_error(resp, STORE_ERROR);
	} else if (r->kind == ROUTE_HEALTH)
		getlock_health(api, req, resp);
	else if (r->kind == ROUTE_GETLOCK)
		getlock_lock(api, req, r->uuid, resp);
	else if (r->kind == ROUTE_ADMIN_LOCKS)
		admin_locks(api, req, resp);
	else if (r->kind == ROUTE_METRICS)
		admin_metrics(api, req, resp);
	else
		lss_handle(api, req, r->lss, r->id, resp);
}

/*
 * Answers one request into resp. The body (len bytes) has been read and
 * capped by the caller. Never fails: every problem becomes an answer.
 */
void
api_handle(struct api *api, struct request *req, const char *body,
    size_t len, struct response *resp)
{
	struct route	 r;

	match(req, &r);
	handle(api, req, body, len, &r, resp);
	metrics_request(api->metrics, surface(r.kind), resp->status);
}
