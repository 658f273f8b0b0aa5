/*
 * test_operator.c: what the operator's surface is built on: bearer tokens
 * read from the configuration and checked against requests (config.c,
 * auth.c), the home page's place (http.c), the shared counters of
 * /metrics (metrics.c), and the cancellation of an owner's waits
 * (wake.c).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "auth.h"
#include "buf.h"
#include "config.h"
#include "http.h"
#include "metrics.h"
#include "tests.h"
#include "wake.h"

#define TOKEN_A	"aaaaaaaaaaaaaaaa-1"
#define TOKEN_B	"bbbbbbbbbbbbbbbb+2/="
#define ADMIN	"admin-admin-admin-admin"

/* Loads a configuration with the API tokens and admin token given. */
static int
load(struct config *cfg, const char *tokens, const char *admin,
    const char *metrics, char *err, size_t errlen)
{
	struct test_env	 e;
	size_t		 n = 0;

	memset(&e, 0, sizeof(e));
	if (tokens != NULL) {
		e.vars[n][0] = "LOCKGATE_API_TOKENS";
		e.vars[n++][1] = tokens;
	}
	if (admin != NULL) {
		e.vars[n][0] = "LOCKGATE_ADMIN_TOKEN";
		e.vars[n++][1] = admin;
	}
	if (metrics != NULL) {
		e.vars[n][0] = "LOCKGATE_METRICS";
		e.vars[n][1] = metrics;
	}
	err[0] = '\0';
	return config_load(cfg, test_env_lookup, &e, err, errlen);
}

static void
test_tokens_read(void)
{
	struct config	 cfg;
	char		 err[256];

	CU_ASSERT_EQUAL_FATAL(load(&cfg, " " TOKEN_A " ,\t" TOKEN_B, ADMIN,
	    NULL, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg.api_tokens);
	CU_ASSERT_STRING_EQUAL(cfg.api_tokens[0], TOKEN_A);
	CU_ASSERT_STRING_EQUAL(cfg.api_tokens[1], TOKEN_B);
	CU_ASSERT_PTR_NULL(cfg.api_tokens[2]);
	CU_ASSERT_STRING_EQUAL(cfg.admin_token, ADMIN);
	CU_ASSERT_EQUAL(cfg.metrics, CONFIG_METRICS_OPEN);
	config_free(&cfg);

	CU_ASSERT_EQUAL_FATAL(load(&cfg, NULL, NULL, NULL, err, sizeof(err)),
	    0);
	CU_ASSERT_PTR_NULL(cfg.api_tokens);
	CU_ASSERT_PTR_NULL(cfg.admin_token);
	config_free(&cfg);
}

static void
test_tokens_refused(void)
{
	static const char *const bad[] = {
		"short", TOKEN_A ",", TOKEN_A ",,"  TOKEN_B,
		"aaaaaaaaaaaaaaaa aaaa", "aaaaaaaaaaaaaaaa\"", "aaaaaaaaaaaaaaa\xc3\xa9",
	};
	struct config	 cfg;
	char		 err[256];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(load(&cfg, bad[i], NULL, NULL, err,
		    sizeof(err)), -1);
		CU_ASSERT_EQUAL(strncmp(err, "LOCKGATE_API_TOKENS: ", 21), 0);
		CU_ASSERT_EQUAL(load(&cfg, NULL, bad[i], NULL, err,
		    sizeof(err)), -1);
		CU_ASSERT_EQUAL(strncmp(err, "LOCKGATE_ADMIN_TOKEN: ", 22), 0);
	}
	CU_ASSERT_EQUAL(load(&cfg, NULL, NULL, "admin", err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "LOCKGATE_METRICS: admin needs "
	    "LOCKGATE_ADMIN_TOKEN");
	CU_ASSERT_EQUAL(load(&cfg, NULL, NULL, "public", err, sizeof(err)),
	    -1);
	CU_ASSERT_EQUAL(load(&cfg, NULL, ADMIN, "admin", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.metrics, CONFIG_METRICS_ADMIN);
	config_free(&cfg);
	CU_ASSERT_EQUAL(load(&cfg, NULL, NULL, "OFF", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.metrics, CONFIG_METRICS_OFF);
	config_free(&cfg);
}

/* Whether a request with this Authorization header passes auth_api and
 * auth_admin, as two bits: 1 api, 2 admin. */
static int
passes(const struct config *cfg, const char *authorization)
{
	struct test_env	 e;
	struct request	 req;
	int		 r = 0;

	memset(&e, 0, sizeof(e));
	e.vars[0][0] = "REQUEST_METHOD";
	e.vars[0][1] = "GET";
	e.vars[1][0] = "PATH_INFO";
	e.vars[1][1] = "/v1/health";
	e.vars[2][0] = "HTTP_AUTHORIZATION";
	e.vars[2][1] = authorization;
	if (http_request_init(&req, test_env_lookup, &e) != 0) {
		http_request_free(&req);
		return -1;
	}
	r = (auth_api(cfg, &req) ? 1 : 0) | (auth_admin(cfg, &req) ? 2 : 0);
	http_request_free(&req);
	return r;
}

static void
test_auth(void)
{
	struct config	 cfg;
	char		 err[256];

	/* Nothing configured: the API is open, there is no admin. */
	CU_ASSERT_EQUAL_FATAL(load(&cfg, NULL, NULL, NULL, err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL(passes(&cfg, NULL), 1);
	CU_ASSERT_EQUAL(passes(&cfg, "Bearer " ADMIN), 1);
	config_free(&cfg);

	CU_ASSERT_EQUAL_FATAL(load(&cfg, TOKEN_A "," TOKEN_B, ADMIN, NULL, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(passes(&cfg, NULL), 0);
	CU_ASSERT_EQUAL(passes(&cfg, ""), 0);
	CU_ASSERT_EQUAL(passes(&cfg, "Bearer " TOKEN_A), 1);
	CU_ASSERT_EQUAL(passes(&cfg, "bearer  " TOKEN_B " "), 1);
	CU_ASSERT_EQUAL(passes(&cfg, "Bearer " ADMIN), 3);
	CU_ASSERT_EQUAL(passes(&cfg, "Basic " TOKEN_A), 0);
	CU_ASSERT_EQUAL(passes(&cfg, TOKEN_A), 0);
	CU_ASSERT_EQUAL(passes(&cfg, "Bearer " TOKEN_A "x"), 0);
	CU_ASSERT_EQUAL(passes(&cfg, "Bearer aaaaaaaaaaaaaaaa-"), 0);
	CU_ASSERT_EQUAL(passes(&cfg, "Bearer " TOKEN_A " " TOKEN_B), 0);
	CU_ASSERT_EQUAL(passes(&cfg, "Bearer "), 0);
	config_free(&cfg);

	/* An admin token alone leaves the API open. */
	CU_ASSERT_EQUAL_FATAL(load(&cfg, NULL, ADMIN, NULL, err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL(passes(&cfg, NULL), 1);
	CU_ASSERT_EQUAL(passes(&cfg, "Bearer " ADMIN), 3);
	CU_ASSERT_EQUAL(passes(&cfg, "Bearer " TOKEN_A), 1);
	config_free(&cfg);
}

/* The home page's place for a request, "(none)" when it is not one. */
static void
check_home(const char *file, unsigned int line, const char *pi,
    const char *sn, const char *uri, const char *want)
{
	struct test_env	 e;
	struct request	 req;
	const char	*got;
	size_t		 n = 0;

	memset(&e, 0, sizeof(e));
	e.vars[n][0] = "REQUEST_METHOD";
	e.vars[n++][1] = "GET";
	if (pi != NULL) {
		e.vars[n][0] = "PATH_INFO";
		e.vars[n++][1] = pi;
	}
	if (sn != NULL) {
		e.vars[n][0] = "SCRIPT_NAME";
		e.vars[n++][1] = sn;
	}
	if (uri != NULL) {
		e.vars[n][0] = "REQUEST_URI";
		e.vars[n][1] = uri;
	}
	if (http_request_init(&req, test_env_lookup, &e) != 0)
		got = "(failed)";
	else
		got = req.home != NULL ? req.home : "(none)";
	test_assert(strcmp(got, want) == 0, file, line, "PATH_INFO %s, "
	    "SCRIPT_NAME %s, REQUEST_URI %s: home %s, want %s",
	    pi ? pi : "(unset)", sn ? sn : "(unset)", uri ? uri : "(unset)",
	    got, want);
	http_request_free(&req);
}

static void
test_home(void)
{
	/* lighttpd at "/" with fix-root-scriptname. */
	check_home(TEST_HERE, "/", "", "/", "");
	check_home(TEST_HERE, "/x", "", "/x", "(none)");
	check_home(TEST_HERE, "/v1/health", "", "/v1/health", "(none)");
	/* lighttpd under a sub-path. */
	check_home(TEST_HERE, "/", "/lockgate", "/lockgate/", "/lockgate");
	check_home(TEST_HERE, NULL, "/lockgate/", "/lockgate/", "/lockgate");
	check_home(TEST_HERE, "/x", "/lockgate", "/lockgate/x", "(none)");
	/* A CGI or mod_fcgid script named in the URL: its "directory". */
	check_home(TEST_HERE, "/", "/cgi-bin/lockgate.cgi",
	    "/cgi-bin/lockgate.cgi/", "/cgi-bin/lockgate.cgi");
	check_home(TEST_HERE, NULL, "/cgi-bin/lockgate.cgi",
	    "/cgi-bin/lockgate.cgi?x=1", "(none)");
	/* mod_proxy_fcgi, nginx: no PATH_INFO, a path ending with '/'. */
	check_home(TEST_HERE, NULL, NULL, "/", "");
	check_home(TEST_HERE, NULL, "/x", "/?a=b", "");
	check_home(TEST_HERE, NULL, "/lockgate/", "/lockgate/", "/lockgate");
	check_home(TEST_HERE, NULL, "/other", "/other", "(none)");
	check_home(TEST_HERE, NULL, NULL, "/metrics", "(none)");
	check_home(TEST_HERE, NULL, NULL, "/locks", "(none)");
}

/* Whether text holds line as a whole line. */
static int
has_line(const char *text, const char *line)
{
	size_t		 n = strlen(line);
	const char	*p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

static void
test_metrics(void)
{
	struct metrics		*m, *m2;
	struct store_stats	 st;
	struct buf		 b;
	const char		*dir = tmpdir_make();

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m = metrics_open(dir));
	/* A second process's view of the same file. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(m2 = metrics_open(dir));
	metrics_request(m, METRICS_GETLOCK, 201);
	metrics_request(m2, METRICS_GETLOCK, 201);
	metrics_request(m, METRICS_LSS, 204);
	metrics_request(m, METRICS_OTHER, 418);
	metrics_grant(m2);
	metrics_wait(m);
	metrics_commit(200, 1, m);
	metrics_commit(3000, 4, m2);
	metrics_commit(5000000, 2, m);
	memset(&st, 0, sizeof(st));
	st.records = 7;
	st.fence = 42;
	st.map_size = 1024;
	st.used_bytes = 512;
	buf_init(&b);
	metrics_render(m, &st, "9.9", &b);
	CU_ASSERT_FALSE(buf_failed(&b));
	CU_ASSERT(has_line(buf_str(&b), "lockgate_info{version=\"9.9\"} 1"));
	CU_ASSERT(has_line(buf_str(&b), "lockgate_records 7"));
	CU_ASSERT(has_line(buf_str(&b), "lockgate_fence 42"));
	CU_ASSERT(has_line(buf_str(&b), "lockgate_map_size_bytes 1024"));
	CU_ASSERT(has_line(buf_str(&b), "lockgate_map_used_bytes 512"));
	CU_ASSERT(has_line(buf_str(&b), "lockgate_requests_total{surface="
	    "\"getlock\",code=\"201\"} 2"));
	CU_ASSERT(has_line(buf_str(&b), "lockgate_requests_total{surface="
	    "\"lss\",code=\"204\"} 1"));
	CU_ASSERT(has_line(buf_str(&b), "lockgate_requests_total{surface="
	    "\"other\",code=\"other\"} 1"));
	CU_ASSERT(has_line(buf_str(&b), "lockgate_grants_total 1"));
	CU_ASSERT(has_line(buf_str(&b), "lockgate_waits_total 1"));
	CU_ASSERT(has_line(buf_str(&b), "lockgate_waiting 1"));
	CU_ASSERT(has_line(buf_str(&b),
	    "lockgate_commit_seconds_bucket{le=\"0.00025\"} 1"));
	CU_ASSERT(has_line(buf_str(&b),
	    "lockgate_commit_seconds_bucket{le=\"0.0025\"} 1"));
	CU_ASSERT(has_line(buf_str(&b),
	    "lockgate_commit_seconds_bucket{le=\"0.005\"} 2"));
	CU_ASSERT(has_line(buf_str(&b),
	    "lockgate_commit_seconds_bucket{le=\"1\"} 2"));
	CU_ASSERT(has_line(buf_str(&b),
	    "lockgate_commit_seconds_bucket{le=\"+Inf\"} 3"));
	CU_ASSERT(has_line(buf_str(&b), "lockgate_commit_seconds_sum 5.003200"));
	CU_ASSERT(has_line(buf_str(&b), "lockgate_commit_seconds_count 3"));
	CU_ASSERT(has_line(buf_str(&b), "lockgate_commit_decisions_total 7"));
	/* No series for what never happened. */
	CU_ASSERT_PTR_NULL(strstr(buf_str(&b), "surface=\"health\""));
	buf_free(&b);
	metrics_close(m2);
	metrics_close(m);

	/* Opened again, the counts are still there. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(m = metrics_open(dir));
	buf_init(&b);
	metrics_render(m, &st, "9.9", &b);
	CU_ASSERT(has_line(buf_str(&b), "lockgate_grants_total 1"));
	buf_free(&b);
	metrics_close(m);
	tmpdir_remove();

	/* No file: nothing counted, nothing fails. */
	metrics_request(NULL, METRICS_GETLOCK, 200);
	metrics_commit(1, 1, NULL);
	CU_ASSERT_PTR_NULL(metrics_open("/nonexistent/lockgate-unit"));
}

static void
test_wake_cancel(void)
{
	static const uint8_t	 id1[16] = { 1 }, id2[16] = { 2 };
	struct wake		*w, *w2;
	const char		*dir = tmpdir_make();
	uint64_t		 a, b, mark, late;
	int			 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w = wake_open(dir, 4));
	CU_ASSERT_PTR_NOT_NULL_FATAL(w2 = wake_open(dir, 4));
	a = wake_tag(id1, "job-a", 5);
	b = wake_tag(id1, "job-b", 5);
	CU_ASSERT_NOT_EQUAL(a, b);
	CU_ASSERT_NOT_EQUAL(a, wake_tag(id2, "job-a", 5));
	CU_ASSERT_EQUAL(a, wake_tag(id1, "job-a", 5));

	mark = wake_cancel_mark(w);
	CU_ASSERT_FALSE(wake_cancelled(w, a, mark));
	/* Another process cancels job-a's waits on id1 only. */
	wake_cancel(w2, a);
	CU_ASSERT_TRUE(wake_cancelled(w, a, mark));
	CU_ASSERT_FALSE(wake_cancelled(w, b, mark));
	/* A wait that begins after the cancellation is not cancelled. */
	late = wake_cancel_mark(w);
	CU_ASSERT_FALSE(wake_cancelled(w, a, late));
	/* The counter moved on, so sleepers wake up. */
	CU_ASSERT_NOT_EQUAL(wake_seen(w), 0);
	/* Past the ring's size of later cancellations, it is forgotten. */
	for (i = 0; i < 200; i++)
		wake_cancel(w2, b);
	CU_ASSERT_FALSE(wake_cancelled(w, a, mark));
	CU_ASSERT_TRUE(wake_cancelled(w, b, mark));
	wake_close(w2);
	wake_close(w);
	tmpdir_remove();
}

int
test_operator_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "tokens read from the configuration", test_tokens_read },
		{ "bad tokens and metrics modes refused", test_tokens_refused },
		{ "bearer tokens checked", test_auth },
		{ "the home page's place under each mount", test_home },
		{ "metrics shared between processes", test_metrics },
		{ "a release cancels the owner's waits", test_wake_cancel },
	};
	CU_pSuite	 s;
	size_t		 i;

	if ((s = CU_add_suite("operator", NULL, NULL)) == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
