/*
 * test_http.c: CGI variables into a request (http.c), with a fake
 * environment: the route under every shipped deployment, the method, the
 * parameters of query and body; and the exact bytes of a CGI answer.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include "buf.h"
#include "http.h"
#include "params.h"
#include "tests.h"

#define ID	"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

/*
 * Runs http_request_init on the environment and checks its answer and,
 * when it succeeded, the route.
 */
static void
check_route(const char *file, unsigned int line, const struct test_env *e,
    int want_rc, const char *want_route)
{
	struct request	 req;
	const char	*route;
	int		 rc;

	rc = http_request_init(&req, test_env_lookup, (void *)e);
	route = rc == 0 && req.route != NULL ? req.route : "(none)";
	test_assert(rc == want_rc && (want_route == NULL ||
	    strcmp(route, want_route) == 0), file, line,
	    "PATH_INFO %s, SCRIPT_NAME %s, REQUEST_URI %s: rc %d, route %s; "
	    "want %d, %s", test_env_lookup("PATH_INFO", (void *)e) ?
	    test_env_lookup("PATH_INFO", (void *)e) : "(unset)",
	    test_env_lookup("SCRIPT_NAME", (void *)e) ?
	    test_env_lookup("SCRIPT_NAME", (void *)e) : "(unset)",
	    test_env_lookup("REQUEST_URI", (void *)e) ?
	    test_env_lookup("REQUEST_URI", (void *)e) : "(unset)", rc, route,
	    want_rc, want_route != NULL ? want_route : "(any)");
	http_request_free(&req);
}

static void
test_route_lighttpd_root(void)
{
	struct test_env	 e = { {
		{ "REQUEST_METHOD", "PUT" },
		{ "SCRIPT_NAME", "" },
		{ "PATH_INFO", "/v1/" ID },
		{ "REQUEST_URI", "/v1/" ID "?ttl=3" },
		{ "QUERY_STRING", "ttl=3" },
	} };

	check_route(TEST_HERE, &e, 0, "/v1/" ID);
}

static void
test_route_lighttpd_v1(void)
{
	struct test_env	 e = { {
		{ "REQUEST_METHOD", "GET" },
		{ "SCRIPT_NAME", "/v1" },
		{ "PATH_INFO", "/" ID },
		{ "REQUEST_URI", "/v1/" ID },
	} };
	struct test_env	 health = { {
		{ "REQUEST_METHOD", "GET" },
		{ "SCRIPT_NAME", "/v1" },
		{ "PATH_INFO", "/health" },
		{ "REQUEST_URI", "/v1/health" },
	} };

	check_route(TEST_HERE, &e, 0, "/v1/" ID);
	check_route(TEST_HERE, &health, 0, "/v1/health");
}

static void
test_route_fcgid(void)
{
	struct test_env	 e = { {
		{ "REQUEST_METHOD", "GET" },
		{ "SCRIPT_NAME", "/cgi-bin/lockgate.fcgi" },
		{ "PATH_INFO", "/v1/" ID },
		{ "REQUEST_URI", "/cgi-bin/lockgate.fcgi/v1/" ID },
	} };

	check_route(TEST_HERE, &e, 0, "/v1/" ID);
}

static void
test_route_proxy_fcgi(void)
{
	struct test_env	 e = { {
		{ "REQUEST_METHOD", "PUT" },
		{ "SCRIPT_NAME", "/pf/v1/" ID },
		{ "REQUEST_URI", "/pf/v1/" ID "?ttl=3" },
		{ "QUERY_STRING", "ttl=3" },
	} };
	struct test_env	 encoded = { {
		{ "REQUEST_METHOD", "GET" },
		{ "REQUEST_URI", "/pf/v1/%30f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
		    "?x=%zz" },
	} };
	struct request	 req;

	check_route(TEST_HERE, &e, 0, "/v1/" ID);
	CU_ASSERT_EQUAL(http_request_init(&req, test_env_lookup, &e), 0);
	CU_ASSERT_STRING_EQUAL(req.query, "ttl=3");
	http_request_free(&req);
	/* The path is decoded; the query is not part of it. */
	check_route(TEST_HERE, &encoded, 0, "/v1/" ID);
}

static void
test_route_cgi_scriptalias(void)
{
	struct test_env	 e = { {
		{ "REQUEST_METHOD", "DELETE" },
		{ "SCRIPT_NAME", "/cgi/v1" },
		{ "PATH_INFO", "/" ID },
		{ "REQUEST_URI", "/cgi/v1/" ID },
	} };

	check_route(TEST_HERE, &e, 0, "/v1/" ID);
}

static void
test_route_root(void)
{
	struct test_env	 uri = { {
		{ "REQUEST_METHOD", "GET" },
		{ "SCRIPT_NAME", "" },
		{ "REQUEST_URI", "/" },
	} };
	struct test_env	 nothing = { {
		{ "REQUEST_METHOD", "GET" },
	} };
	struct test_env	 other = { {
		{ "REQUEST_METHOD", "GET" },
		{ "PATH_INFO", "/elsewhere" },
	} };

	check_route(TEST_HERE, &uri, 0, "/");
	check_route(TEST_HERE, &nothing, 0, "/");
	check_route(TEST_HERE, &other, 0, "/elsewhere");
}

static void
test_route_bad_uri(void)
{
	static const char *const bad[] = {
		"/v1/%zz", "/v1/%", "/v1/%4", "/v1/%00", "/v1/a%00b?x=1",
		"/v1/%4?x=1"
	};
	struct test_env	 e = { {
		{ "REQUEST_METHOD", "GET" },
		{ "REQUEST_URI", NULL },
	} };
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.vars[1][1] = bad[i];
		check_route(TEST_HERE, &e, -1, NULL);
	}
}

static void
test_methods(void)
{
	static const struct {
		const char		*name;
		enum http_method	 method;
	} m[] = {
		{ "GET", HTTP_GET }, { "HEAD", HTTP_HEAD },
		{ "PUT", HTTP_PUT }, { "POST", HTTP_POST },
		{ "DELETE", HTTP_DELETE }, { "PATCH", HTTP_PATCH },
		{ "OPTIONS", HTTP_OPTIONS }, { "BREW", HTTP_OTHER },
		{ "get", HTTP_OTHER }, { "", HTTP_OTHER },
		{ "GETX", HTTP_OTHER }, { NULL, HTTP_OTHER },
	};
	struct test_env	 e = { {
		{ "PATH_INFO", "/v1/" ID },
		{ "REQUEST_METHOD", NULL },
	} };
	struct request	 req;
	size_t		 i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		e.vars[1][1] = m[i].name;
		CU_ASSERT_EQUAL(http_request_init(&req, test_env_lookup, &e), 0);
		CU_ASSERT_EQUAL(req.method, m[i].method);
		http_request_free(&req);
	}
}

/*
 * Builds a request with the given content type and query, reads body,
 * and checks the parser's answer (and message when refused).
 */
static int
read_params(struct request *req, const char *ctype, const char *query,
    const char *body, char *err, size_t errlen)
{
	struct test_env	 e = { {
		{ "REQUEST_METHOD", "PUT" },
		{ "PATH_INFO", "/v1/" ID },
		{ "CONTENT_TYPE", ctype },
		{ "QUERY_STRING", query },
	} };

	err[0] = '\0';
	if (http_request_init(req, test_env_lookup, &e) != 0)
		return -99;
	return http_request_params(req, body, strlen(body), err, errlen);
}

static void
test_params_json(void)
{
	struct request		 req;
	const struct param	*v;
	char			 err[256];

	CU_ASSERT_EQUAL(read_params(&req, "application/json", "ttl=5&a=1",
	    "{\"ttl\": \"7\"}", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&req.params, "ttl"));
	CU_ASSERT_STRING_EQUAL(v->value, "7");
	CU_ASSERT_EQUAL(v->source, PARAM_JSON);
	CU_ASSERT_PTR_NOT_NULL(params_get(&req.params, "a"));
	CU_ASSERT_EQUAL(req.params.n, 3);
	http_request_free(&req);

	/* With parameters, in any case, and a +json suffix. */
	CU_ASSERT_EQUAL(read_params(&req, "Application/JSON; charset=utf-8",
	    "", "{\"ttl\": 2}", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&req.params, "ttl"));
	CU_ASSERT_EQUAL(v->source, PARAM_JSON);
	http_request_free(&req);
	CU_ASSERT_EQUAL(read_params(&req, "application/merge-patch+json",
	    "", "{\"ttl\": 2}", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&req.params, "ttl"));
	CU_ASSERT_EQUAL(v->source, PARAM_JSON);
	http_request_free(&req);

	/* Declared JSON, sent a form: refused as JSON. */
	CU_ASSERT_EQUAL(read_params(&req, "application/json", "", "ttl=3",
	    err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(strncmp(err, "invalid JSON body: ", 19), 0);
	http_request_free(&req);
}

static void
test_params_form(void)
{
	struct request		 req;
	const struct param	*v;
	char			 err[256];

	CU_ASSERT_EQUAL(read_params(&req, "application/x-www-form-urlencoded",
	    "ttl=5", "ttl=9&x=1", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&req.params, "ttl"));
	CU_ASSERT_STRING_EQUAL(v->value, "5");
	CU_ASSERT_EQUAL(v->source, PARAM_QUERY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&req.params, "x"));
	CU_ASSERT_EQUAL(v->source, PARAM_FORM);
	http_request_free(&req);

	/* Declared a form, starting with '{': still a form. */
	CU_ASSERT_EQUAL(read_params(&req, "application/x-www-form-urlencoded",
	    "", "{x=1", err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&req.params, "{x"));
	CU_ASSERT_EQUAL(v->source, PARAM_FORM);
	http_request_free(&req);

	CU_ASSERT_EQUAL(read_params(&req, "application/x-www-form-urlencoded",
	    "", "ttl=%zz", err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "invalid form body: bad percent-encoding");
	http_request_free(&req);

	CU_ASSERT_EQUAL(read_params(&req, "", "ttl=%4", "", err, sizeof(err)),
	    -1);
	CU_ASSERT_STRING_EQUAL(err,
	    "invalid query string: bad percent-encoding");
	http_request_free(&req);

	CU_ASSERT_EQUAL(read_params(&req, "", "ttl=1&ttl=2", "", err,
	    sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "duplicate parameter: ttl");
	http_request_free(&req);
}

static void
test_params_sniff(void)
{
	struct request		 req;
	const struct param	*v;
	char			 err[256];

	/* No content type: '{' means JSON (curl -d '{"ttl": 3}' sends a
	 * form type, httpie a JSON one; some clients send none). */
	CU_ASSERT_EQUAL(read_params(&req, NULL, "", " {\"ttl\": 4}", err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&req.params, "ttl"));
	CU_ASSERT_EQUAL(v->source, PARAM_JSON);
	CU_ASSERT_STRING_EQUAL(v->value, "4");
	http_request_free(&req);

	CU_ASSERT_EQUAL(read_params(&req, NULL, "", "ttl=4", err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&req.params, "ttl"));
	CU_ASSERT_EQUAL(v->source, PARAM_FORM);
	http_request_free(&req);

	CU_ASSERT_EQUAL(read_params(&req, "text/plain", "", "ttl=4", err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = params_get(&req.params, "ttl"));
	CU_ASSERT_EQUAL(v->source, PARAM_FORM);
	http_request_free(&req);

	CU_ASSERT_EQUAL(read_params(&req, NULL, "", "[1]", err, sizeof(err)),
	    -1);
	CU_ASSERT_STRING_EQUAL(err, "JSON body must be an object");
	http_request_free(&req);
}

static void
test_params_blank_body(void)
{
	struct request	 req;
	char		 err[256];

	/* A blank body is no body, even when it claims to be JSON. */
	CU_ASSERT_EQUAL(read_params(&req, "application/json", "ttl=3",
	    " \r\n\t", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(req.params.n, 1);
	CU_ASSERT_STRING_EQUAL(err, "");
	http_request_free(&req);
	CU_ASSERT_EQUAL(read_params(&req, "application/json", "", "", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(req.params.n, 0);
	http_request_free(&req);
}

static void
test_render_201(void)
{
	struct response	 resp;
	struct buf	 out;

	http_response_init(&resp);
	buf_init(&out);
	resp.status = 201;
	http_header(&resp, "Content-Type", "%s", "application/json");
	buf_puts(&resp.body, "{\"a\": 1}\n");
	http_render(&resp, &out);
	CU_ASSERT_STRING_EQUAL(buf_str(&out),
	    "Status: 201 Created\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 9\r\n"
	    "\r\n"
	    "{\"a\": 1}\n");
	CU_ASSERT_EQUAL(out.len, 83);
	buf_free(&out);
	http_response_free(&resp);
}

static void
test_render_head(void)
{
	struct response	 resp;
	struct buf	 out;

	http_response_init(&resp);
	buf_init(&out);
	resp.status = 423;
	resp.head = 1;
	http_header(&resp, "Cache-Control", "no-store");
	buf_puts(&resp.body, "{\"locked\": true}\n");
	http_render(&resp, &out);
	CU_ASSERT_STRING_EQUAL(buf_str(&out),
	    "Status: 423 Locked\r\n"
	    "Cache-Control: no-store\r\n"
	    "\r\n");
	buf_free(&out);
	http_response_free(&resp);
}

static void
test_render_204(void)
{
	struct response	 resp;
	struct buf	 out;

	http_response_init(&resp);
	buf_init(&out);
	resp.status = 204;
	http_header(&resp, "Allow", "%s", "GET, HEAD");
	/* A header value is cut at a line break: no header injection. */
	http_header(&resp, "X-Test", "a%sb", "\r\nEvil: 1");
	http_render(&resp, &out);
	CU_ASSERT_STRING_EQUAL(buf_str(&out),
	    "Status: 204 No Content\r\n"
	    "Allow: GET, HEAD\r\n"
	    "X-Test: a\r\n"
	    "\r\n");
	buf_free(&out);
	http_response_free(&resp);
}

static void
test_reason(void)
{
	CU_ASSERT_STRING_EQUAL(http_reason(200), "OK");
	CU_ASSERT_STRING_EQUAL(http_reason(201), "Created");
	CU_ASSERT_STRING_EQUAL(http_reason(204), "No Content");
	CU_ASSERT_STRING_EQUAL(http_reason(400), "Bad Request");
	CU_ASSERT_STRING_EQUAL(http_reason(404), "Not Found");
	CU_ASSERT_STRING_EQUAL(http_reason(405), "Method Not Allowed");
	CU_ASSERT_STRING_EQUAL(http_reason(411), "Length Required");
	CU_ASSERT_STRING_EQUAL(http_reason(413), "Content Too Large");
	CU_ASSERT_STRING_EQUAL(http_reason(423), "Locked");
	CU_ASSERT_STRING_EQUAL(http_reason(503), "Service Unavailable");
	CU_ASSERT_STRING_EQUAL(http_reason(507), "Insufficient Storage");
}

static void
test_route_is_api(void)
{
	CU_ASSERT_EQUAL(http_route_is_api("/v1"), 1);
	CU_ASSERT_EQUAL(http_route_is_api("/v1/x"), 1);
	CU_ASSERT_EQUAL(http_route_is_api("/locks"), 1);
	CU_ASSERT_EQUAL(http_route_is_api("/locks/x"), 1);
	CU_ASSERT_EQUAL(http_route_is_api("/v10"), 0);
	CU_ASSERT_EQUAL(http_route_is_api("/v1.fcgi"), 0);
	CU_ASSERT_EQUAL(http_route_is_api("/"), 0);
	CU_ASSERT_EQUAL(http_route_is_api(""), 0);
}

int
test_http_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "route: lighttpd at /", test_route_lighttpd_root },
		{ "route: lighttpd at /v1", test_route_lighttpd_v1 },
		{ "route: Apache mod_fcgid", test_route_fcgid },
		{ "route: Apache mod_proxy_fcgi", test_route_proxy_fcgi },
		{ "route: Apache CGI ScriptAlias /cgi/v1",
		    test_route_cgi_scriptalias },
		{ "route: / alone", test_route_root },
		{ "route: bad REQUEST_URI refused", test_route_bad_uri },
		{ "route_is_api", test_route_is_api },
		{ "methods", test_methods },
		{ "params: JSON content type", test_params_json },
		{ "params: form content type", test_params_form },
		{ "params: no content type, sniffed", test_params_sniff },
		{ "params: blank body ignored", test_params_blank_body },
		{ "render: 201 with a body", test_render_201 },
		{ "render: HEAD", test_render_head },
		{ "render: 204", test_render_204 },
		{ "reason phrases", test_reason },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite("http", NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
