/*
 * http.h: turns CGI/FastCGI parameters (RFC 3875) and a body into a
 * request, and a response into CGI output. Works from explicit inputs,
 * never the global environ, so it can be unit-tested and fuzzed.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_HTTP_H
#define LOCKGATE_HTTP_H

#include <stddef.h>

#include "buf.h"
#include "params.h"

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_PUT,
	HTTP_POST,
	HTTP_DELETE,
	HTTP_PATCH,
	HTTP_OPTIONS,
	HTTP_OTHER
};

/* Looks a CGI variable up by name; NULL when it is not set. */
typedef const char *http_env_fn(const char *name, void *arg);

struct request {
	enum http_method	 method;
	char			*route;		/* the path below the mount point */
	char			*query;		/* raw, without the '?' */
	char			*content_type;
	struct params		 params;
	int			 conn_fd;	/* to the web server; -1: none */
	char			*authorization;	/* the header; NULL: none */
	char			*home;		/* the mount point's URL path when
						 * the request is for the home
						 * page ("" at the root); else
						 * NULL */
	char			*host;		/* Host as the client sent it */
	int			 https;		/* the client used TLS */
};

struct response {
	int		 status;
	int		 head;		/* HEAD: headers only */
	struct buf	 headers;	/* "Name: value\r\n" lines */
	struct buf	 body;
};

int	http_request_init(struct request *, http_env_fn *, void *);
int	http_request_params(struct request *, const char *, size_t, char *,
	    size_t);
void	http_request_free(struct request *);
int	http_route_is_api(const char *);
int	http_client_gone(const struct request *);

void	http_response_init(struct response *);
void	http_response_free(struct response *);
void	http_header(struct response *, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
const char *http_reason(int);
void	http_render(const struct response *, struct buf *);

#endif
