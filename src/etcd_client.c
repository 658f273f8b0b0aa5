/*
 * etcd_client.c: requests to etcd's JSON gateway (see etcd_client.h).
 *
 * Members are tried in turn from the one that answered last. A read goes
 * to the next member on any failure. A write goes to the next one only
 * when it surely did not go out (no connection) or etcd surely did not
 * take it (no leader, too many requests); once it has gone out, a lost
 * answer is ETCD_CALL_UNKNOWN and the caller finds out by reading.
 *
 * Every request carries Grpc-Metadata-hasleader: true, so that a member
 * cut off from its cluster answers "no leader" at once instead of
 * waiting for an election that it cannot win.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "etcd_client.h"
#include "log.h"

/* No answer of the gateway that lockgate asks for is larger. */
#define ANSWER_MAX	((size_t)64 << 20)
/* A new connection's share of a request's time, at most. */
#define CONNECT_MS	1000
/* How long a watch stream may be silent before its member is asked
 * whether it still has a leader. */
#define STREAM_IDLE_MS	3000

struct etcd_client {
	const struct config_etcd *cfg;
	unsigned int	 current;	/* atomic: the member to try first */
	pthread_key_t	 handles;	/* each thread's CURL handle */
	void		(*on_wait)(void *);
	void		*on_wait_arg;
	const struct etcd_transport *transport;	/* NULL: the network */
	pthread_mutex_t	 mu;		/* token and trouble */
	char		*token;		/* etcd auth; NULL: none yet */
	char		 trouble[600];	/* the last failure; "" after a
					 * success */
};

void
etcd_client_transport(struct etcd_client *c, const struct etcd_transport *t)
{
	c->transport = t;
}

static void
free_handle(void *h)
{
	curl_easy_cleanup(h);
}

int
etcd_client_open(const struct config_etcd *cfg, struct etcd_client **out)
{
	struct etcd_client	*c;

	*out = NULL;
	/* Before any thread: curl_global_init is not thread-safe. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("curl_global_init failed");
		return -1;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_error("calloc failed");
		return -1;
	}
	c->cfg = cfg;
	if (pthread_key_create(&c->handles, free_handle) != 0) {
		free(c);
		return -1;
	}
	pthread_mutex_init(&c->mu, NULL);
	*out = c;
	return 0;
}

void
etcd_client_close(struct etcd_client *c)
{
	CURL	*h;

	if (c == NULL)
		return;
	/* This thread's handle; other threads' go with their threads. */
	if ((h = pthread_getspecific(c->handles)) != NULL) {
		curl_easy_cleanup(h);
		pthread_setspecific(c->handles, NULL);
	}
	pthread_key_delete(c->handles);
	pthread_mutex_destroy(&c->mu);
	free(c->token);
	free(c);
}

/* Has fn(arg) called before a request thread waits for a member's
 * answer. */
void
etcd_client_on_wait(struct etcd_client *c, void (*fn)(void *), void *arg)
{
	c->on_wait = fn;
	c->on_wait_arg = arg;
}

/* Keeps "etcd MEMBER: WHY" as the last failure. */
static void
set_trouble(struct etcd_client *c, const char *member, const char *why)
{
	pthread_mutex_lock(&c->mu);
	snprintf(c->trouble, sizeof(c->trouble), "etcd %s: %s", member, why);
	pthread_mutex_unlock(&c->mu);
}

/* Copies the last failure ("" when the last call worked) into buf. */
const char *
etcd_client_trouble(struct etcd_client *c, char *buf, size_t len)
{
	pthread_mutex_lock(&c->mu);
	snprintf(buf, len, "%s", c->trouble);
	pthread_mutex_unlock(&c->mu);
	return buf;
}

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf	*b = arg;

	if (b->len + size * n > ANSWER_MAX)
		return 0;
	buf_append(b, p, size * n);
	return buf_failed(b) ? 0 : size * n;
}

/* The options every request of c sets on h. */
static void
setup(struct etcd_client *c, CURL *h)
{
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(c->cfg->timeout_ms < CONNECT_MS ? c->cfg->timeout_ms :
	    CONNECT_MS));
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (c->cfg->ca != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->cfg->ca);
	if (c->cfg->cert != NULL) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->cfg->cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->cfg->key);
	}
}

/* This thread's handle, made on first use. */
static CURL *
thread_handle(struct etcd_client *c)
{
	CURL	*h;

	if ((h = pthread_getspecific(c->handles)) != NULL)
		return h;
	if ((h = curl_easy_init()) == NULL)
		return NULL;
	setup(c, h);
	if (pthread_setspecific(c->handles, h) != 0) {
		curl_easy_cleanup(h);
		return NULL;
	}
	return h;
}

/* The headers of a request: JSON, hasleader, the auth token if any. */
static struct curl_slist *
headers(struct etcd_client *c)
{
	struct curl_slist	*l = NULL, *t;
	char			 auth[512];

	l = curl_slist_append(l, "Content-Type: application/json");
	if (l == NULL)
		return NULL;
	if ((t = curl_slist_append(l, "Grpc-Metadata-hasleader: true")) == NULL)
		goto fail;
	l = t;
	/* libcurl sends Expect: 100-continue for larger bodies; etcd does
	 * not need the extra round trip. */
	if ((t = curl_slist_append(l, "Expect:")) == NULL)
		goto fail;
	l = t;
	pthread_mutex_lock(&c->mu);
	if (c->token != NULL)
		snprintf(auth, sizeof(auth), "Authorization: %s", c->token);
	else
		auth[0] = '\0';
	pthread_mutex_unlock(&c->mu);
	if (auth[0] != '\0') {
		if ((t = curl_slist_append(l, auth)) == NULL)
			goto fail;
		l = t;
	}
	return l;
fail:
	curl_slist_free_all(l);
	return NULL;
}

/*
 * POSTs body to member m's path with handle h; the answer goes to ans.
 * Returns libcurl's code; *status is the HTTP status, *sent whether any
 * of the request went out. announce: a request thread is about to wait.
 */
static CURLcode
post(struct etcd_client *c, CURL *h, size_t m, const char *path,
    const struct buf *body, struct buf *ans, long *status, int *sent,
    int announce)
{
	struct curl_slist	*hdr;
	char			 url[512];
	curl_off_t		 size = 0, pretransfer = 0;
	long			 reqsize = 0;
	CURLcode		 rc;

	*status = 0;
	*sent = 0;
	buf_reset(ans);
	if (c->transport != NULL) {
		*status = c->transport->fn(c->transport->arg, m, path, body,
		    ans);
		*sent = *status != ETCD_UNREACHED;
		if (*status == ETCD_UNREACHED)
			return CURLE_COULDNT_CONNECT;
		if (*status == ETCD_LOST)
			return CURLE_OPERATION_TIMEDOUT;
		return buf_failed(ans) ? CURLE_OUT_OF_MEMORY : CURLE_OK;
	}
	snprintf(url, sizeof(url), "%s%s", c->cfg->endpoints[m], path);
	if ((hdr = headers(c)) == NULL)
		return CURLE_OUT_OF_MEMORY;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->data != NULL ?
	    body->data : "");
	size = (curl_off_t)body->len;
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, size);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, ans);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->cfg->timeout_ms);
	if (announce && c->on_wait != NULL)
		c->on_wait(c->on_wait_arg);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &reqsize);
	curl_easy_getinfo(h, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
	/* Once connected, the request may have gone out, even if libcurl
	 * has not counted it as sent. */
	*sent = reqsize > 0 || pretransfer > 0 || rc == CURLE_OK;
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdr);
	if (rc == CURLE_OK && buf_failed(ans))
		rc = CURLE_OUT_OF_MEMORY;
	return rc;
}

/*
 * What an answer with an error means (status: its HTTP status; err:
 * what etcd said, code 0 when the body said nothing readable).
 * ETCD_CALL_DOWN: this member cannot take the request, the next may;
 * ETCD_CALL_UNKNOWN: a write may have been done; ETCD_CALL_REFUSED: etcd
 * will not do it, on any member.
 */
enum etcd_call
etcd_client_judge(int status, const struct etcd_error *err, int write)
{
	switch (err->code) {
	case 3:		/* INVALID_ARGUMENT */
	case 5:		/* NOT_FOUND */
	case 7:		/* PERMISSION_DENIED */
	case 8:		/* RESOURCE_EXHAUSTED: the space quota */
	case 9:		/* FAILED_PRECONDITION */
	case 11:	/* OUT_OF_RANGE: compacted */
	case 12:	/* UNIMPLEMENTED */
	case 16:	/* UNAUTHENTICATED */
		return ETCD_CALL_REFUSED;
	case 14:	/* UNAVAILABLE: refused before it was proposed? */
		if (strstr(err->message, "no leader") != NULL ||
		    strstr(err->message, "too many requests") != NULL ||
		    strstr(err->message, "not capable") != NULL)
			return ETCD_CALL_DOWN;
		break;
	default:
		break;
	}
	/* A plain 404 is a proxy or a path etcd does not serve. */
	if (err->code == 0 && status == 404)
		return ETCD_CALL_REFUSED;
	return write ? ETCD_CALL_UNKNOWN : ETCD_CALL_DOWN;
}

static int
has_token(struct etcd_client *c)
{
	int	 has;

	pthread_mutex_lock(&c->mu);
	has = c->token != NULL;
	pthread_mutex_unlock(&c->mu);
	return has;
}

/* Gets a new auth token from member m. Returns 0 or -1. */
static int
authenticate(struct etcd_client *c, CURL *h, size_t m)
{
	struct buf		 body, ans;
	struct etcd_error	 err;
	char			*token = NULL;
	long			 status;
	int			 sent, rc = -1;

	buf_init(&body);
	buf_init(&ans);
	pthread_mutex_lock(&c->mu);
	free(c->token);
	c->token = NULL;
	pthread_mutex_unlock(&c->mu);
	etcd_req_auth(&body, c->cfg->user, c->cfg->password);
	if (!buf_failed(&body) && post(c, h, m, "/v3/auth/authenticate",
	    &body, &ans, &status, &sent, 1) == CURLE_OK && status == 200 &&
	    etcd_parse_auth(ans.data, ans.len, &token, &err) == ETCD_OK) {
		pthread_mutex_lock(&c->mu);
		free(c->token);
		c->token = token;
		pthread_mutex_unlock(&c->mu);
		rc = 0;
	} else
		log_warn("etcd %s: authentication as %s failed",
		    c->cfg->endpoints[m], c->cfg->user);
	buf_free(&body);
	buf_free(&ans);
	return rc;
}

/*
 * POSTs body to path on the members in turn, from the one that answered
 * last, until one answers. write is ETCD_READ or ETCD_WRITE. On
 * ETCD_CALL_OK the answer's body is in ans; on ETCD_CALL_REFUSED err says
 * why. Blocks for at most the timeout per member.
 */
enum etcd_call
etcd_client_call(struct etcd_client *c, const char *path,
    const struct buf *body, int write, struct buf *ans,
    struct etcd_error *err)
{
	struct etcd_answer	 a;
	CURL			*h;
	size_t			 n = c->cfg->nendpoints, i, m, start;
	long			 status;
	int			 sent, reauth = c->cfg->user != NULL;
	enum etcd_call		 v;
	CURLcode		 rc;

	memset(err, 0, sizeof(*err));
	if ((h = thread_handle(c)) == NULL) {
		log_error("curl_easy_init failed");
		return ETCD_CALL_DOWN;
	}
	start = __atomic_load_n(&c->current, __ATOMIC_RELAXED) % n;
	for (i = 0; i < n; i++) {
		m = (start + i) % n;
		if (reauth && !has_token(c) && authenticate(c, h, m) == -1)
			continue;
		rc = post(c, h, m, path, body, ans, &status, &sent, 1);
		if (rc != CURLE_OK) {
			set_trouble(c, c->cfg->endpoints[m],
			    curl_easy_strerror(rc));
			if (write && sent) {
				__atomic_store_n(&c->current, (unsigned)
				    (m + 1) % n, __ATOMIC_RELAXED);
				return ETCD_CALL_UNKNOWN;
			}
			continue;
		}
		if (status == 200) {
			if (m != start)
				__atomic_store_n(&c->current, (unsigned)m,
				    __ATOMIC_RELAXED);
			pthread_mutex_lock(&c->mu);
			c->trouble[0] = '\0';
			pthread_mutex_unlock(&c->mu);
			return ETCD_CALL_OK;
		}
		memset(err, 0, sizeof(*err));
		memset(&a, 0, sizeof(a));
		if (etcd_parse_op(ans->data, ans->len, ETCD_OP_RANGE, &a,
		    err) == ETCD_OK)
			etcd_answer_free(&a);
		/* An expired token: once more with a new one. */
		if (err->code == 16 && reauth) {
			reauth = 0;
			if (authenticate(c, h, m) == 0) {
				i--;
				continue;
			}
		}
		v = etcd_client_judge((int)status, err, write);
		set_trouble(c, c->cfg->endpoints[m],
		    err->message[0] != '\0' ? err->message : "no answer");
		if (v != ETCD_CALL_DOWN) {
			if (v == ETCD_CALL_UNKNOWN)
				__atomic_store_n(&c->current, (unsigned)
				    (m + 1) % n, __ATOMIC_RELAXED);
			return v;
		}
	}
	return ETCD_CALL_DOWN;
}

/* ------------------------------------------------------------------ */
/* The watch stream */

struct stream {
	struct etcd_client	*c;
	size_t			 m;		/* the member */
	struct buf		 line;		/* a line being received */
	etcd_line_fn		*fn;
	void			*arg;
	int			(*stop)(void *);
	void			*stop_arg;
	int			 failed;	/* fn said stop */
	struct timespec		 heard;		/* the last bytes */
	CURL			*probe;		/* asks the member's status */
};

static int64_t
since_ms(const struct timespec *t)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 +
	    (now.tv_nsec - t->tv_nsec) / 1000000;
}

static size_t
stream_data(char *p, size_t size, size_t n, void *arg)
{
	struct stream	*st = arg;
	size_t		 len = size * n, i, from = 0;

	clock_gettime(CLOCK_MONOTONIC, &st->heard);
	for (i = 0; i < len; i++) {
		if (p[i] != '\n')
			continue;
		buf_append(&st->line, p + from, i - from);
		if (buf_failed(&st->line) ||
		    st->fn(st->line.data, st->line.len, st->arg) != 0) {
			st->failed = 1;
			return 0;
		}
		buf_reset(&st->line);
		from = i + 1;
	}
	buf_append(&st->line, p + from, len - from);
	if (buf_failed(&st->line) || st->line.len > ANSWER_MAX) {
		st->failed = 1;
		return 0;
	}
	return len;
}

/* Whether member m answers its status with a leader, within the
 * timeout. */
static int
member_ok(struct stream *st)
{
	struct etcd_status	 s;
	struct etcd_error	 err;
	struct buf		 body, ans;
	long			 status;
	int			 sent, ok = 0;

	buf_init(&body);
	buf_init(&ans);
	buf_puts(&body, "{}");
	if (post(st->c, st->probe, st->m, "/v3/maintenance/status", &body,
	    &ans, &status, &sent, 0) == CURLE_OK && status == 200 &&
	    etcd_parse_status(ans.data, ans.len, &s, &err) == ETCD_OK) {
		ok = s.leader != 0;
		etcd_status_free(&s);
	}
	buf_free(&body);
	buf_free(&ans);
	return ok;
}

static int
stream_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct stream	*st = arg;

	(void)dt; (void)dn; (void)ut; (void)un;
	if (st->stop(st->stop_arg))
		return 1;
	/* A member that was stopped, or cut off, says nothing: ask it. */
	if (since_ms(&st->heard) >= STREAM_IDLE_MS) {
		if (!member_ok(st)) {
			log_info("etcd %s: no leader, or no answer: watching "
			    "another member", st->c->cfg->endpoints[st->m]);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &st->heard);
	}
	return 0;
}

/*
 * POSTs body to path on the member that answered last and hands each line
 * of the answer, as it comes, to fn (which returns 0 to go on). Returns
 * when the stream ends or fails, fn returns non-zero, the member stops
 * answering or loses its leader, or stop(stop_arg) returns non-zero
 * (looked at about once a second). Returns 0 when the stream was read and
 * ended cleanly, -1 otherwise; the next call tries the next member.
 */
int
etcd_client_stream(struct etcd_client *c, const char *path,
    const struct buf *body, etcd_line_fn *fn, void *arg,
    int (*stop)(void *), void *stop_arg)
{
	struct stream		 st;
	struct curl_slist	*hdr = NULL;
	CURL			*h;
	char			 url[512];
	long			 status = 0;
	int			 rc = -1;
	CURLcode		 crc;

	memset(&st, 0, sizeof(st));
	st.c = c;
	st.m = __atomic_load_n(&c->current, __ATOMIC_RELAXED) %
	    c->cfg->nendpoints;
	st.fn = fn;
	st.arg = arg;
	st.stop = stop;
	st.stop_arg = stop_arg;
	buf_init(&st.line);
	if ((h = curl_easy_init()) == NULL ||
	    (st.probe = curl_easy_init()) == NULL)
		goto done;
	setup(c, h);
	setup(c, st.probe);
	clock_gettime(CLOCK_MONOTONIC, &st.heard);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, stream_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, &st);
	snprintf(url, sizeof(url), "%s%s", c->cfg->endpoints[st.m], path);
	if ((hdr = headers(c)) == NULL)
		goto done;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->data);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, stream_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &st);
	crc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (crc == CURLE_OK && status == 200 && !st.failed)
		rc = 0;
	else if (!stop(stop_arg)) {
		set_trouble(c, c->cfg->endpoints[st.m], crc != CURLE_OK ?
		    curl_easy_strerror(crc) : "the watch stream ended");
		__atomic_store_n(&c->current, (unsigned)(st.m + 1) %
		    c->cfg->nendpoints, __ATOMIC_RELAXED);
	}
done:
	if (h != NULL)
		curl_easy_cleanup(h);
	if (st.probe != NULL)
		curl_easy_cleanup(st.probe);
	curl_slist_free_all(hdr);
	buf_free(&st.line);
	return rc;
}
