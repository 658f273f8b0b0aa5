/*
 * api.c: the HTTP surfaces joined. Finds the route, answers wrong methods
 * (405 with Allow) and CORS preflights, reads the parameters, and hands the
 * request to its surface.
 */
#include <string.h>

#include "api.h"
#include "codec.h"
#include "getlock.h"
#include "log.h"
#include "uuid.h"

#define ALLOW_LOCK	"GET, HEAD, PUT, DELETE, OPTIONS"
#define ALLOW_READ	"GET, HEAD, OPTIONS"

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

/*
 * Answers one request into resp. The body (len bytes) has been read and
 * capped by the caller. Never fails: every problem becomes an answer.
 */
void
api_handle(struct api *api, struct request *req, const char *body,
    size_t len, struct response *resp)
{
	const char	*route = req->route, *allow;
	char		 err[256];
	uint8_t		 uuid[16];
	int		 health = 0;

	resp->head = req->method == HTTP_HEAD;
	if (strcmp(route, "/v1/health") == 0) {
		health = 1;
		allow = ALLOW_READ;
	} else if (strncmp(route, "/v1/", 4) == 0 &&
	    uuid_parse(route + 4, strlen(route + 4), uuid) == 0) {
		allow = ALLOW_LOCK;
	} else if (strcmp(route, "/v1") == 0 || strncmp(route, "/v1/", 4) == 0) {
		getlock_not_found(resp);
		return;
	} else {
		api_message(resp, 404, "not found");
		return;
	}

	if (req->method == HTTP_OPTIONS) {
		preflight(resp, allow);
		return;
	}
	if (!allowed(allow, req->method)) {
		api_message(resp, 405, "method not allowed");
		http_header(resp, "Allow", "%s", allow);
		return;
	}
	if (http_request_params(req, body, len, err, sizeof(err)) == -1) {
		api_message(resp, 400, err);
		return;
	}
	if (health)
		getlock_health(api, req, resp);
	else
		getlock_lock(api, req, uuid, resp);
}
