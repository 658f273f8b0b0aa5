/*
 * main.c: the process: configuration, the choice of CGI, FastCGI or an own
 * --listen socket, signals, and the accept loop. The only file that
 * includes fcgiapp.h.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#include "activation.h"
#include "api.h"
#include "audit.h"
#include "config.h"
#include "copy.h"
#include "gate.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "reply.h"
#include "store.h"
#include "wake.h"

/* Expired records removed by each write transaction: enough to outpace
 * creation, few enough that no single write gets noticeably slower. */
#define SWEEP_BATCH	16
/* Request threads need little stack: nothing large lives on it. */
#define THREAD_STACK	((size_t)256 << 10)
/* How long an idle request thread sleeps before it tries accept again. */
#define WAIT_FOR_WORK_MS	1000
/* Past the cap a body is still read, up to this, and dropped, so
 * the web server is not cut off mid-send and shows our 413. */
#define DRAIN_MAX	((size_t)64 << 20)
/* What a FastCGI request's input may still hold once its body is read. */
#define END_READ_MAX	((size_t)4096)

enum mode {
	MODE_AUTO,
	MODE_CGI,
	MODE_FASTCGI,
	MODE_LISTEN,
	MODE_COPY		/* --copy-to-etcd */
};

/*
 * Set by the signal thread on SIGTERM (lighttpd, mod_fcgid, systemd),
 * SIGUSR1 (libfcgi's "finish and exit") or SIGINT. Those signals are
 * blocked in every thread and taken by sigwait() in the main thread, so
 * they never interrupt a request: a request in progress is finished, and
 * libfcgi's reads and writes, which do not retry on EINTR, are never cut
 * short. The watching thread sees the stop pipe become readable; parked
 * ones are woken (gate.h).
 */
static volatile int stopping;
static int stop_pipe[2] = { -1, -1 };

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lockgate.fcgi [--cgi | --fastcgi | --listen ADDR]\n"
	    "       lockgate.fcgi --copy-to-etcd\n"
	    "       lockgate.fcgi --version | --help\n"
	    "\n"
	    "Without options: a FastCGI responder when started by a FastCGI\n"
	    "server, else one plain CGI request.\n"
	    "  --cgi          serve one CGI request from the environment\n"
	    "  --fastcgi      serve FastCGI on the socket passed as fd 0\n"
	    "  --listen ADDR  open a FastCGI socket: HOST:PORT, PORT (on\n"
	    "                 127.0.0.1), or a Unix socket path (mode 0660,\n"
	    "                 written PATH or unix:PATH); started by systemd\n"
	    "                 socket activation (LISTEN_PID is this process,\n"
	    "                 LISTEN_FDS=1), serve the passed fd 3 instead\n"
	    "                 and bind nothing\n"
	    "  --copy-to-etcd copy every live lock of the LMDB database in\n"
	    "                 LOCKGATE_DB into the etcd cluster of\n"
	    "                 LOCKGATE_ETCD_ENDPOINTS, and raise its fences\n"
	    "                 above the database's; then exit\n"
	    "Settings come from LOCKGATE_* environment variables (see\n"
	    "lockgate.fcgi(8)).\n");
}

static const char *
env_lookup(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

static const char *
fcgi_lookup(const char *name, void *arg)
{
	return FCGX_GetParam(name, arg);
}

/* Reads a body length; -1 when absent, -2 when malformed. */
static long long
content_length(const char *s)
{
	long long	 n = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || n > (1LL << 40))
			return -2;
		n = n * 10 + (*s - '0');
	}
	return n;
}

/*
 * Reads and drops what stdin still holds, until end of file, DRAIN_MAX
 * bytes or a second without data, for a CGI request whose body has no
 * length. Apache's CGI passes a chunked body without CONTENT_LENGTH and
 * closes stdin after it; a program that exits without reading it makes
 * Apache fail writing it and close the connection without our answer. The
 * idle second bounds the wait under a server that never closes stdin.
 */
static void
drain_stdin(void)
{
	struct pollfd	 pfd = { STDIN_FILENO, POLLIN, 0 };
	char		 sink[4096];
	size_t		 got = 0;
	ssize_t		 r;

	while (got < DRAIN_MAX && poll(&pfd, 1, 1000) == 1) {
		r = read(STDIN_FILENO, sink, sizeof(sink));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
}

/*
 * Reads the body, at most cap bytes, through readfn. Answers 411, 413 or
 * 400 into resp itself and returns -1 when the body cannot be taken.
 * *whole says whether the input was read to its end: the whole declared
 * length (a body past the cap included, when it was all dropped), or no
 * length declared by a request whose method carries no body (bodyless).
 * The caller frees *body.
 */
static int
read_body(struct response *resp, const char *cl, const char *te, int cgi,
    int bodyless, size_t cap, int (*readfn)(void *, char *, size_t),
    void *arg, char **body, size_t *len, int *whole)
{
	long long	 n = content_length(cl);
	char		 msg[80], sink[4096];
	size_t		 got = 0, want;
	int		 r;

	*body = NULL;
	*len = 0;
	*whole = 0;
	if (n == -2) {
		reply_message(resp, 400, "malformed Content-Length");
		return -1;
	}
	if (n == -1) {
		/* CGI must never read to EOF: Apache's CGI gives a chunked
		 * body no CONTENT_LENGTH (RFC 3875 section 4.2). It is dropped,
		 * within bounds, so that the 411 reaches the client. */
		if (cgi && te != NULL && *te != '\0') {
			drain_stdin();
			reply_message(resp, 411, "Content-Length required");
			return -1;
		}
		/* In FastCGI mode a body without a length is left unread;
		 * a PUT or POST may still be sending one (an HTTP/2 body
		 * need not declare its length). */
		*whole = bodyless && (te == NULL || *te == '\0');
		return 0;
	}
	if ((unsigned long long)n > cap) {
		/* Read the declared body, up to DRAIN_MAX, and drop it: a web
		 * server still sending it may never pass our 413 on (Apache's
		 * CGI then gave an empty reply). Never past CONTENT_LENGTH: in
		 * CGI mode nothing promises an end of file after it. */
		for (want = 0; want < DRAIN_MAX && want < (size_t)n &&
		    (r = readfn(arg, sink, (size_t)n - want < sizeof(sink) ?
		    (size_t)n - want : sizeof(sink))) > 0; want += (size_t)r)
			continue;
		*whole = want == (size_t)n;
		snprintf(msg, sizeof(msg),
		    "request body too large (limit %zu bytes)", cap);
		reply_message(resp, 413, msg);
		return -1;
	}
	if ((*body = malloc((size_t)n + 1)) == NULL) {
		reply_message(resp, 503, "out of memory");
		return -1;
	}
	while (got < (size_t)n &&
	    (r = readfn(arg, *body + got, (size_t)n - got)) > 0)
		got += (size_t)r;
	(*body)[got] = '\0';
	*len = got;
	if (got < (size_t)n) {
		reply_message(resp, 400,
		    "request body shorter than its Content-Length");
		return -1;
	}
	*whole = 1;
	return 0;
}

/*
 * Serves one request whose CGI variables env finds; conn_fd is the
 * FastCGI connection (-1 in CGI mode). Returns the rendered answer in out,
 * and 1 when the request's body was read to its end (or it had none).
 */
static int
serve(struct service *svc, http_env_fn *env, void *envarg, int conn_fd,
    int (*readfn)(void *, char *, size_t), void *readarg, struct buf *out)
{
	int		 cgi = conn_fd < 0;
	struct request	 req;
	struct response	 resp;
	char		*body = NULL;
	size_t		 len = 0;
	int		 whole = 0;

	http_response_init(&resp);
	if (http_request_init(&req, env, envarg) == -1)
		reply_message(&resp, 400, "malformed request path");
	else {
		req.conn_fd = conn_fd;
		if (read_body(&resp, env("CONTENT_LENGTH", envarg),
		    env("HTTP_TRANSFER_ENCODING", envarg), cgi,
		    req.method == HTTP_GET || req.method == HTTP_HEAD ||
		    req.method == HTTP_DELETE, svc->cfg->max_body, readfn,
		    readarg, &body, &len, &whole) == 0)
			api_handle(svc, &req, body, len, &resp);
	}
	if (buf_failed(&resp.body) || buf_failed(&resp.headers)) {
		http_response_free(&resp);
		http_response_init(&resp);
		reply_message(&resp, 503, "out of memory");
	}
	resp.head = req.method == HTTP_HEAD;
	http_render(&resp, out);
	log_info("%s %s %d", env("REQUEST_METHOD", envarg) != NULL ?
	    env("REQUEST_METHOD", envarg) : "-",
	    req.route != NULL ? req.route : "-", resp.status);
	free(body);
	http_request_free(&req);
	http_response_free(&resp);
	return whole;
}

static int
stdin_read(void *arg, char *p, size_t n)
{
	ssize_t	 r;

	(void)arg;
	do {
		r = read(STDIN_FILENO, p, n);
	} while (r == -1 && errno == EINTR);
	return (int)r;
}

static int
fcgi_read(void *arg, char *p, size_t n)
{
	/* The body may still be on its way. */
	gate_blocking();
	return FCGX_GetStr(p, (int)(n > 65536 ? 65536 : n), arg);
}

/*
 * Whether a FastCGI request's input has reached its end, reading at most
 * END_READ_MAX bytes more. Called once the body is read whole, kept or
 * dropped (or none was declared by a GET, HEAD or DELETE), when all that
 * is left is the input's closing record, which web servers send with the
 * rest. The answer is still in libfcgi's buffer meanwhile: it goes out in
 * FCGX_Finish_r.
 *
 * A request whose input has ended is closed at once: FCGX_Detach, whose
 * one effect in libfcgi 2.4 is that FCGX_Finish_r then closes the
 * connection without lingering. Any other is left to libfcgi's lingering
 * close, which shuts down the write side and reads until the web server
 * closes the connection (2 s at most between reads): closing a socket
 * with unread input can make the kernel reset the connection (TCP) before
 * the web server has taken the answer. That wait costs every request a
 * sleep and a wake-up of its thread, about a fifth of a GET's throughput
 * (tests/bench). An error on the input counts as unread input.
 */
static int
input_ended(FCGX_Stream *in)
{
	char	 sink[512];
	size_t	 got = 0;
	int	 r;

	while (got < END_READ_MAX &&
	    (r = FCGX_GetStr(sink, (int)sizeof(sink), in)) > 0)
		got += (size_t)r;
	return FCGX_HasSeenEOF(in) == EOF && FCGX_GetError(in) == 0;
}

/* One plain CGI request (RFC 3875): environment and stdin in, stdout out. */
static int
run_cgi(struct service *svc)
{
	struct buf	 out;
	size_t		 off = 0;
	ssize_t		 w;

	buf_init(&out);
	(void)serve(svc, env_lookup, NULL, -1, stdin_read, NULL, &out);
	while (off < out.len) {
		w = write(STDOUT_FILENO, out.data + off, out.len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	buf_free(&out);
	return 0;
}

/*
 * The epoll set of the thread that watches the socket (one at a time,
 * gate.h): the listening socket, exclusive (a connection wakes one of
 * the processes sharing it, not all of them), and the stop pipe. Returns
 * the epoll descriptor or -1.
 */
static int
open_waiter(int fd)
{
	struct epoll_event	 ev;
	int			 ep;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		log_error("epoll_create1: %s", strerror(errno));
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.fd = fd;
	/* Linux before 4.5 ignores EPOLLEXCLUSIVE: every thread wakes and
	 * one accepts, which is still correct. */
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		goto fail;
	ev.events = EPOLLIN;
	ev.data.fd = stop_pipe[0];
	if (epoll_ctl(ep, EPOLL_CTL_ADD, stop_pipe[0], &ev) == -1)
		goto fail;
	return ep;
fail:
	log_error("epoll_ctl: %s", strerror(errno));
	close(ep);
	return -1;
}

/*
 * Waits in the epoll set (*ep) until a connection may be waiting, or
 * the process is asked to stop. Returns 1 for a connection, 0 to stop.
 */
static int
watch_socket(void *arg)
{
	struct epoll_event	 ev;
	int			 ep = *(int *)arg, n;

	while (!__atomic_load_n(&stopping, __ATOMIC_SEQ_CST)) {
		/* The timeout is a safety net: kernels before 5.7 could
		 * credit a second connection to a thread already woken and
		 * now busy, leaving it queued while others sleep. */
		if ((n = epoll_wait(ep, &ev, 1, WAIT_FOR_WORK_MS)) == -1) {
			if (errno == EINTR)
				continue;
			log_error("epoll_wait: %s", strerror(errno));
			/* Let the main thread stop the others. */
			kill(getpid(), SIGTERM);
			return 0;
		}
		if (n == 1 && ev.data.fd == stop_pipe[0])
			return 0;
		return 1;
	}
	return 0;
}

/*
 * An idle request thread: watches the socket, or parks while another
 * watches (gate.h). Returns 1 to try accept again, 0 to stop.
 */
static int
wait_for_work(int ep)
{
	if (!gate_idle(watch_socket, &ep, WAIT_FOR_WORK_MS))
		return 0;
	return !__atomic_load_n(&stopping, __ATOMIC_SEQ_CST);
}

struct worker {
	struct service	*svc;
	int		 fd;
	int		 ep;	/* open_waiter(), shared */
	pthread_t	 thread;
};

/*
 * One request thread: accepts on the shared socket, serves, repeats. A
 * thread may sit in a waiting request (wait=S); the others go on.
 *
 * The socket is non-blocking and shared by every thread (and by the
 * other processes of the web server): a thread accepts at once, which
 * under load usually finds a connection, and only when none is there
 * goes idle: one idle thread waits in the process's epoll set, where a
 * new connection wakes it, and the other idle ones park (gate.h). (All
 * threads in poll() on the socket would all wake for each connection;
 * one thread polling under a mutex costs two futex calls a request; every
 * idle thread in an epoll set of its own costs a wake-up for nearly every
 * request. All three were measured.)
 */
static void *
work(void *arg)
{
	struct worker	*w = arg;
	FCGX_Request	 req;
	struct buf	 out;
	int		 rc, whole;

	if (FCGX_InitRequest(&req, w->fd, 0) != 0) {
		log_error("cannot start a request thread");
		kill(getpid(), SIGTERM);
		return NULL;
	}
	buf_init(&out);
	while (!__atomic_load_n(&stopping, __ATOMIC_SEQ_CST)) {
		/* On a kept connection (FCGI_KEEP_CONN) libfcgi waits for the
		 * web server's next request there, for as long as it likes. */
		if (req.ipcFd >= 0)
			gate_blocking();
		rc = FCGX_Accept_r(&req);
		if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR) {
			if (!wait_for_work(w->ep))
				break;
			continue;
		}
		if (rc < 0) {
			if (!__atomic_load_n(&stopping, __ATOMIC_SEQ_CST)) {
				log_error("FCGX_Accept_r: %s", strerror(-rc));
				/* Let the main thread stop the others. */
				kill(getpid(), SIGTERM);
			}
			break;
		}
		buf_reset(&out);
		whole = serve(w->svc, fcgi_lookup, req.envp, req.ipcFd,
		    fcgi_read, req.in, &out);
		FCGX_PutStr(out.data, (int)out.len, req.out);
		/* Only a responder's input ends in a closing record. Under
		 * FCGI_KEEP_CONN the flag outlives the request: cleared. */
		if (whole && req.role == FCGI_RESPONDER && input_ended(req.in))
			FCGX_Detach(&req);
		else
			FCGX_Attach(&req);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	buf_free(&out);
	return NULL;
}

/*
 * The FastCGI responder on listening socket fd: nthreads request threads,
 * and this thread waiting for a stop signal.
 */
static int
run_fastcgi(struct service *svc, int fd, unsigned int nthreads,
    const sigset_t *stops)
{
	struct worker	*workers;
	pthread_attr_t	 attr;
	unsigned int	 i, started = 0;
	int		 ep, flags, sig;

	/* Several threads and processes (spawn-fcgi -F) share the socket:
	 * when another took the connection, accept must not block. */
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		log_error("fcntl O_NONBLOCK: %s", strerror(errno));
		return 1;
	}
	if (pipe2(stop_pipe, O_CLOEXEC) == -1) {
		log_error("pipe2: %s", strerror(errno));
		return 1;
	}
	if ((ep = open_waiter(fd)) == -1)
		return 1;
	if ((workers = calloc(nthreads, sizeof(*workers))) == NULL) {
		log_error("calloc: %s", strerror(errno));
		close(ep);
		return 1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	for (i = 0; i < nthreads; i++) {
		workers[i].svc = svc;
		workers[i].fd = fd;
		workers[i].ep = ep;
		if (pthread_create(&workers[i].thread, &attr, work,
		    &workers[i]) != 0) {
			log_error("pthread_create failed");
			break;
		}
		started++;
	}
	pthread_attr_destroy(&attr);
	if (started > 0)
		while (sigwait(stops, &sig) != 0)
			continue;
	__atomic_store_n(&stopping, 1, __ATOMIC_SEQ_CST);
	if (svc->wake != NULL)
		wake_stop(svc->wake);
	if (write(stop_pipe[1], "x", 1) == -1)
		log_error("write: %s", strerror(errno));
	gate_wake_all();
	for (i = 0; i < started; i++)
		pthread_join(workers[i].thread, NULL);
	free(workers);
	close(ep);
	return started == nthreads ? 0 : 1;
}

/*
 * Opens the --listen socket: "HOST:PORT"; "PORT" or ":PORT" on 127.0.0.1
 * (never every interface: a hostile FastCGI peer can still make Debian
 * 12's libfcgi abort, which has the fix for CVE-2025-23016 but not its
 * follow-up in 2.4.7); anything with a '/' is a Unix socket, mode 0660.
 */
static int
open_listen(const char *addr)
{
	struct stat	 st;
	char		 spec[512];
	mode_t		 old;
	int		 fd;

	if (strchr(addr, '/') != NULL) {
		/* libfcgi unlinks the path before it binds: never let that
		 * be anything but a socket left by an earlier run. */
		if (lstat(addr, &st) == 0 && !S_ISSOCK(st.st_mode)) {
			log_error("%s exists and is not a socket", addr);
			return -1;
		}
		old = umask(0117);
		fd = FCGX_OpenSocket(addr, 128);
		umask(old);
		if (fd >= 0 && chmod(addr, 0660) == -1)
			log_warn("chmod %s: %s", addr, strerror(errno));
	} else {
		if (strchr(addr, ':') == NULL)
			snprintf(spec, sizeof(spec), "127.0.0.1:%s", addr);
		else if (addr[0] == ':')
			snprintf(spec, sizeof(spec), "127.0.0.1%s", addr);
		else
			snprintf(spec, sizeof(spec), "%s", addr);
		fd = FCGX_OpenSocket(spec, 128);
	}
	if (fd < 0)
		log_error("cannot listen on %s", addr);
	return fd;
}

/*
 * The listening socket systemd passed (sd_listen_fds(3)), for --listen:
 * returns ACTIVATION_FD, -1 when none was passed, or -2 after logging why
 * the passed ones cannot be used. The variables are removed either way,
 * so nothing started later mistakes them for its own.
 */
static int
activated_fd(void)
{
	struct stat	 st;
	socklen_t	 len;
	char		 err[256];
	int		 fd, listening = 0;

	fd = activation_listen_fd(getenv("LISTEN_PID"), getenv("LISTEN_FDS"),
	    (long)getpid(), err, sizeof(err));
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (fd == -2)
		log_error("socket activation: %s", err);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) == -1 || !S_ISSOCK(st.st_mode)) {
		log_error("socket activation: LISTEN_FDS=1 but fd %d is not "
		    "a socket", fd);
		return -2;
	}
	/* Accept=yes would pass one connection, not the listening socket. */
	len = sizeof(listening);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == -1 ||
	    !listening) {
		log_error("socket activation: fd %d is not a listening socket "
		    "(the .socket unit needs Accept=no)", fd);
		return -2;
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		log_warn("fcntl: %s", strerror(errno));
	return fd;
}

/* store_cancelled_fn over the wake-ups: whether the owner of a waiting PUT
 * released the lock since the wait began. */
static int
cancelled_by_owner(uint64_t tag, uint64_t mark, void *arg)
{
	return wake_cancelled(arg, tag, mark);
}

/* The decision clock of a host whose clock is off (the tests' skew). */
static int64_t	clock_skew_ms;

static int64_t
skewed_clock(void)
{
	return store_clock_realtime() + clock_skew_ms;
}

/* store_watch's hook: a lock may have been released through another host. */
static void
changed_elsewhere(void *arg)
{
	wake_all(arg);
}

int
main(int argc, char *argv[])
{
	struct config		 cfg;
	struct store_options	 so;
	struct service		 svc;
	struct audit		*audit = NULL;
	struct stat		 st;
	sigset_t		 stops;
	const char		*listen_addr = NULL;
	char			 err[512];
	enum mode		 mode = MODE_AUTO;
	int			 i, fd = 0, rc = 1, activated = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--cgi") == 0)
			mode = MODE_CGI;
		else if (strcmp(argv[i], "--fastcgi") == 0)
			mode = MODE_FASTCGI;
		else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
			mode = MODE_LISTEN;
			listen_addr = argv[++i];
			/* Apache's spelling of a socket path (ProxyPass
			 * "unix:/path|fcgi://..."), accepted as the path. */
			if (strncmp(listen_addr, "unix:", 5) == 0) {
				listen_addr += 5;
				if (strchr(listen_addr, '/') == NULL) {
					fprintf(stderr, "lockgate.fcgi: --listen "
					    "unix:PATH needs a path with a '/'\n");
					return 2;
				}
			}
		} else if (strcmp(argv[i], "--copy-to-etcd") == 0)
			mode = MODE_COPY;
		else if (strcmp(argv[i], "--version") == 0) {
			printf("lockgate.fcgi %s\n", LOCKGATE_VERSION);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (config_load(&cfg, env_lookup, NULL, err, sizeof(err)) == -1) {
		fprintf(stderr, "lockgate.fcgi: %s\n", err);
		return 1;
	}
	log_set_level(cfg.log_level);
	if (mode == MODE_COPY) {
		rc = copy_to_etcd(&cfg);
		config_free(&cfg);
		return rc;
	}
#if defined(LOCKGATE_BROKEN_OWNER) || defined(LOCKGATE_BROKEN_COMMIT) || \
    defined(LOCKGATE_BROKEN_FENCE) || defined(LOCKGATE_BROKEN_FLUSH)
	log_warn("this build breaks a promise on purpose (configure "
	    "--enable-broken), for the tests' negative controls: never use it");
#endif

	/* A client gone mid-answer is an EPIPE, never a dead process. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGUSR1);
	sigaddset(&stops, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stops, NULL);

	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		goto done;
	}
	if (mode == MODE_AUTO)
		mode = FCGX_IsCGI() ? MODE_CGI : MODE_FASTCGI;
	if (mode == MODE_CGI && getenv("REQUEST_METHOD") == NULL) {
		/* Started by hand, not by a web server. */
		usage(stderr);
		rc = 2;
		goto done;
	}
	if (mode == MODE_LISTEN) {
		/* systemd owns an activated socket: it is not ours to bind,
		 * chmod or unlink; ADDR only documents where it is. */
		if ((fd = activated_fd()) == -2)
			goto done;
		if (fd >= 0) {
			activated = 1;
			log_info("serving the socket passed by systemd "
			    "(fd %d), not binding %s", fd, listen_addr);
		} else if ((fd = open_listen(listen_addr)) < 0)
			goto done;
	}

	/* Opened here, after the exec by the web server, never before a
	 * fork: each process has its own environment handle. */
	memset(&so, 0, sizeof(so));
	so.backend = cfg.store;
	so.etcd = &cfg.etcd;
	so.path = cfg.db;
	so.map_size = cfg.map_size;
	so.sync = cfg.sync;
	so.max_readers = cfg.max_readers;
	so.max_records = cfg.max_records;
	so.sweep_batch = SWEEP_BATCH;
	so.max_wait_ms = cfg.max_wait_ms;
	so.clock = store_clock_realtime;
	if (cfg.test_skew_ms != 0) {
		clock_skew_ms = cfg.test_skew_ms;
		so.clock = skewed_clock;
		log_warn("LOCKGATE_TEST_CLOCK_SKEW_MS: this host's decisions "
		    "are made %lld ms off the real time, for the tests: never "
		    "use it", (long long)clock_skew_ms);
	}
	memset(&svc, 0, sizeof(svc));
	svc.cfg = &cfg;
	if (store_open(&so, &svc.store) != STORE_OK) {
		fprintf(stderr, "lockgate.fcgi: cannot open the %s store "
		    "(LOCKGATE_DB %s); see the log above\n",
		    cfg.store == CONFIG_STORE_ETCD ? "etcd" : "LMDB", cfg.db);
		/* A CGI request still gets its 503; a FastCGI responder
		 * stops, so the operator sees it at start. */
		if (mode == MODE_CGI)
			rc = run_cgi(&svc);
		goto done;
	}
	svc.metrics = metrics_open(cfg.db);
	store_on_commit(svc.store, metrics_commit, svc.metrics);
	if (cfg.audit != NULL && (audit = audit_open(cfg.audit)) != NULL)
		store_on_decided(svc.store, audit_decided, audit);
	store_on_wait(svc.store, gate_blocking);
	/* Waiting needs the shared wake-up file beside the database; one CGI
	 * process is one request, so there is no bound to keep there. */
	if ((svc.wake = wake_open(cfg.db, mode == MODE_CGI ? 1 :
	    cfg.max_waiters)) == NULL)
		log_warn("requests with wait will not wait");
	else {
		wake_on_wait(svc.wake, gate_blocking);
		store_cancel_check(svc.store, cancelled_by_owner, svc.wake);
		/* Releases through other hosts wake this host's waiters too;
		 * a CGI request does not live long enough to watch. */
		if (mode != MODE_CGI &&
		    store_watch(svc.store, changed_elsewhere, svc.wake) !=
		    STORE_OK)
			log_warn("waiting requests will not see releases "
			    "made through other hosts");
	}
	if (mode == MODE_CGI)
		rc = run_cgi(&svc);
	else
		rc = run_fastcgi(&svc, fd, cfg.threads, &stops);
	/* The store first: its watch thread wakes waiters until it ends. */
	store_close(svc.store);
	wake_close(svc.wake);
	metrics_close(svc.metrics);
	audit_close(audit);
	if (mode == MODE_LISTEN && !activated &&
	    strchr(listen_addr, '/') != NULL &&
	    lstat(listen_addr, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(listen_addr);
done:
	config_free(&cfg);
	return rc;
}
