/*
 * http.c: CGI/FastCGI parameters and a body in, a request out; a response
 * in, CGI output (RFC 3875 section 6) out.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "number.h"

static const struct {
	const char		*name;
	enum http_method	 method;
} methods[] = {
	{ "GET", HTTP_GET },
	{ "HEAD", HTTP_HEAD },
	{ "PUT", HTTP_PUT },
	{ "POST", HTTP_POST },
	{ "DELETE", HTTP_DELETE },
	{ "PATCH", HTTP_PATCH },
	{ "OPTIONS", HTTP_OPTIONS },
};

static int
starts_segment(const char *s, const char *seg)
{
	size_t	 n = strlen(seg);

	return strncmp(s, seg, n) == 0 && (s[n] == '\0' || s[n] == '/');
}

/* Whether path begins with one of the API's own top segments. */
int
http_route_is_api(const char *path)
{
	return starts_segment(path, "/v1") || starts_segment(path, "/locks") ||
	    strcmp(path, "/metrics") == 0;
}

/*
 * The API part of a full path: from the first segment that starts an API
 * route, so "/cgi-bin/lockgate.fcgi/v1/x" and "/v1/x" name the same lock
 * wherever the program is mounted. A path with no such segment is kept
 * whole (it is answered 404, or "/" is the home page).
 */
static const char *
api_suffix(const char *path)
{
	const char	*p;

	for (p = path; (p = strchr(p, '/')) != NULL; p++)
		if (http_route_is_api(p))
			return p;
	return path;
}

/*
 * Decodes the path of a raw request target (up to '?') into a new string.
 * Returns NULL for a malformed escape or an encoded NUL; the caller frees.
 */
static char *
decode_path(const char *target)
{
	size_t	 n = strcspn(target, "?#"), i, o = 0;
	char	*out;
	int	 hi, lo;

	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (target[i] != '%') {
			out[o++] = target[i];
			continue;
		}
		if (i + 2 >= n) {
			free(out);
			return NULL;
		}
		hi = number_hexval(target[i + 1]);
		lo = number_hexval(target[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[o] = '\0';
	return out;
}

static char *
join(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b);
	char	*s;

	if ((s = malloc(la + lb + 1)) == NULL)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb + 1);
	return s;
}

/*
 * Finds the route (doc/API.md section 0): PATH_INFO when it is an API path by
 * itself (lighttpd at "/", mod_fcgid); else SCRIPT_NAME + PATH_INFO
 * (lighttpd at "/v1", a CGI ScriptAlias); else the decoded path of
 * REQUEST_URI (mod_proxy_fcgi sets no PATH_INFO). Returns a new string,
 * or NULL when the path is malformed.
 */
static char *
find_route(http_env_fn *env, void *arg)
{
	const char	*pi = env("PATH_INFO", arg);
	const char	*sn = env("SCRIPT_NAME", arg);
	const char	*uri = env("REQUEST_URI", arg);
	char		*full, *route;

	if (pi != NULL && *pi != '\0') {
		if (http_route_is_api(pi))
			return strdup(pi);
		full = join(sn != NULL ? sn : "", pi);
	} else if (uri != NULL && *uri != '\0')
		full = decode_path(uri);
	else
		full = strdup(sn != NULL && *sn != '\0' ? sn : "/");
	if (full == NULL)
		return NULL;
	route = strdup(api_suffix(full));
	free(full);
	return route;
}

/*
 * The home page's place: when the request names the mount point itself
 * ("/" below it), the URL path of the mount point without its trailing
 * '/' ("" at the root), for the links on the page. Else NULL. Without
 * PATH_INFO (a proxy, nginx) the mount point cannot be told from any
 * other path, so a path that ends with '/' counts as one.
 */
static char *
find_home(http_env_fn *env, void *arg, const char *route)
{
	const char	*pi = env("PATH_INFO", arg);
	const char	*sn = env("SCRIPT_NAME", arg);
	const char	*uri = env("REQUEST_URI", arg);
	char		*path;
	size_t		 n;

	if (http_route_is_api(route))
		return NULL;
	if (pi != NULL && *pi != '\0') {
		if (strcmp(pi, "/") != 0)
			return NULL;
		if (sn == NULL)
			sn = "";
		n = strlen(sn);
		while (n > 0 && sn[n - 1] == '/')
			n--;
		return strndup(sn, n);
	}
	if (uri != NULL && *uri != '\0')
		path = decode_path(uri);
	else
		path = strdup(sn != NULL && *sn != '\0' ? sn : "/");
	if (path == NULL)
		return NULL;
	n = strlen(path);
	if (n == 0 || path[n - 1] != '/') {
		free(path);
		return NULL;
	}
	path[n - 1] = '\0';
	return path;
}

static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

/*
 * Fills req from the CGI variables that env finds: the method, the route,
 * the raw query and the content type. Returns 0, or -1 when the path is
 * malformed or memory ran out (req must still be freed).
 */
int
http_request_init(struct request *req, http_env_fn *env, void *arg)
{
	const char	*m = env("REQUEST_METHOD", arg), *v;
	size_t		 i;

	memset(req, 0, sizeof(*req));
	params_init(&req->params);
	req->conn_fd = -1;
	req->method = HTTP_OTHER;
	for (i = 0; m != NULL && i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(m, methods[i].name) == 0)
			req->method = methods[i].method;
	req->query = dup_or_empty(env("QUERY_STRING", arg));
	req->content_type = dup_or_empty(env("CONTENT_TYPE", arg));
	req->route = find_route(env, arg);
	if (req->query == NULL || req->content_type == NULL ||
	    req->route == NULL)
		return -1;
	if ((v = env("HTTP_AUTHORIZATION", arg)) != NULL &&
	    (req->authorization = strdup(v)) == NULL)
		return -1;
	v = env("HTTP_HOST", arg);
	if ((req->host = dup_or_empty(v)) == NULL)
		return -1;
	v = env("HTTPS", arg);
	req->https = v != NULL && strcasecmp(v, "on") == 0;
	v = env("REQUEST_SCHEME", arg);
	if (v != NULL && strcasecmp(v, "https") == 0)
		req->https = 1;
	req->home = find_home(env, arg, req->route);
	return 0;
}

/* Whether the media type (before any ';') is name, ignoring case. */
static int
media_is(const char *ct, const char *name)
{
	size_t	 n = strlen(name);

	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, name, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/*
 * Reads the parameters of the query and of the body (JSON or form; a body
 * without a known content type is JSON when it starts with '{' or '[',
 * else form data). Returns 0, or -1 with a message for the client.
 */
int
http_request_params(struct request *req, const char *body, size_t len,
    char *err, size_t errlen)
{
	const char	*ct = req->content_type, *sub;
	size_t		 i;
	int		 json;

	if (params_parse_urlencoded(&req->params, req->query,
	    strlen(req->query), PARAM_QUERY, err, errlen) == -1)
		return -1;
	for (i = 0; i < len && strchr(" \t\r\n", body[i]) != NULL &&
	    body[i] != '\0'; i++)
		continue;
	if (i == len)
		return 0;
	sub = strchr(ct, '+');
	if (media_is(ct, "application/json") ||
	    (sub != NULL && media_is(sub, "+json")))
		json = 1;
	else if (media_is(ct, "application/x-www-form-urlencoded"))
		json = 0;
	else
		json = body[i] == '{' || body[i] == '[';
	if (json)
		return params_parse_json(body, len, &req->params, err, errlen);
	return params_parse_urlencoded(&req->params, body, len, PARAM_FORM,
	    err, errlen);
}

/*
 * Whether the web server has closed the connection of this request (its
 * client went away: lighttpd then closes the FastCGI connection). Data
 * waiting to be read does not count: that may be the end of the body.
 */
int
http_client_gone(const struct request *req)
{
	struct pollfd	 pfd;

	if (req->conn_fd < 0)
		return 0;
	pfd.fd = req->conn_fd;
	pfd.events = POLLRDHUP;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	return (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

void
http_request_free(struct request *req)
{
	free(req->route);
	free(req->query);
	free(req->content_type);
	free(req->authorization);
	free(req->home);
	free(req->host);
	params_free(&req->params);
	memset(req, 0, sizeof(*req));
}

void
http_response_init(struct response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = 200;
	buf_init(&resp->headers);
	buf_init(&resp->body);
}

void
http_response_free(struct response *resp)
{
	buf_free(&resp->headers);
	buf_free(&resp->body);
}

/* Adds a header line; the value must not contain CR or LF. */
void
http_header(struct response *resp, const char *name, const char *fmt, ...)
{
	va_list	 ap;
	char	 value[512];

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	value[strcspn(value, "\r\n")] = '\0';
	buf_printf(&resp->headers, "%s: %s\r\n", name, value);
}

/* The reason phrase of a status (RFC 9110 section 15, RFC 4918 for 423,
 * 507). */
const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 423: return "Locked";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 507: return "Insufficient Storage";
	default: return "Unknown";
	}
}

/*
 * Writes the whole CGI answer: the Status line, the headers, the
 * Content-Length, a blank line and (except for HEAD) the body.
 */
void
http_render(const struct response *resp, struct buf *out)
{
	buf_printf(out, "Status: %d %s\r\n", resp->status,
	    http_reason(resp->status));
	buf_append(out, resp->headers.data, resp->headers.len);
	if (!resp->head && resp->status != 204)
		buf_printf(out, "Content-Length: %zu\r\n", resp->body.len);
	buf_puts(out, "\r\n");
	if (!resp->head && resp->status != 204)
		buf_append(out, resp->body.data, resp->body.len);
}
