/*
 * main.c: the process: configuration, the choice of CGI, FastCGI or an own
 * --listen socket, signals, and the accept loop. The only file that
 * includes fcgiapp.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "api.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "store.h"

/* Expired records removed by each write transaction: enough to outpace
 * creation, few enough that no single write gets noticeably slower. */
#define SWEEP_BATCH	16
/* Past the cap a FastCGI body is still read, up to this, and dropped, so
 * the web server is not cut off mid-send and shows our 413. */
#define DRAIN_MAX	((size_t)64 << 20)

enum mode {
	MODE_AUTO,
	MODE_CGI,
	MODE_FASTCGI,
	MODE_LISTEN
};

static volatile sig_atomic_t stopping;

/*
 * SIGTERM (lighttpd, mod_fcgid, systemd) and SIGUSR1 (libfcgi's own
 * "finish and exit") ask an idle process to stop. They are blocked while a
 * request is served and let in only inside ppoll(), so a request in
 * progress is always finished and libfcgi's reads and writes are never
 * cut short by EINTR (RELIABILITY.md).
 */
static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: lockgate.fcgi [--cgi | --fastcgi | --listen ADDR]\n"
	    "       lockgate.fcgi --version | --help\n"
	    "\n"
	    "Without options: a FastCGI responder when started by a FastCGI\n"
	    "server, else one plain CGI request.\n"
	    "  --cgi          serve one CGI request from the environment\n"
	    "  --fastcgi      serve FastCGI on the socket passed as fd 0\n"
	    "  --listen ADDR  open a FastCGI socket: HOST:PORT, PORT (on\n"
	    "                 127.0.0.1), or a Unix socket path (mode 0660)\n"
	    "Settings come from LOCKGATE_* environment variables (see\n"
	    "README.md).\n");
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
 * Reads the body, at most cap bytes, through readfn. Answers 411, 413 or
 * 400 into resp itself and returns -1 when the body cannot be taken.
 * The caller frees *body.
 */
static int
read_body(struct response *resp, const char *cl, const char *te, int cgi,
    size_t cap, int (*readfn)(void *, char *, size_t), void *arg,
    char **body, size_t *len)
{
	long long	 n = content_length(cl);
	char		 msg[80], sink[4096];
	size_t		 got = 0, want;
	int		 r;

	*body = NULL;
	*len = 0;
	if (n == -2) {
		api_message(resp, 400, "malformed Content-Length");
		return -1;
	}
	if (n == -1) {
		/* CGI must never read to EOF: Apache's CGI gives a chunked
		 * body no CONTENT_LENGTH (RFC 3875 section 4.2). */
		if (cgi && te != NULL && *te != '\0') {
			api_message(resp, 411, "Content-Length required");
			return -1;
		}
		return 0;
	}
	if ((unsigned long long)n > cap) {
		if (!cgi)
			for (want = 0; want < DRAIN_MAX &&
			    (r = readfn(arg, sink, sizeof(sink))) > 0;
			    want += (size_t)r)
				continue;
		snprintf(msg, sizeof(msg),
		    "request body too large (limit %zu bytes)", cap);
		api_message(resp, 413, msg);
		return -1;
	}
	if ((*body = malloc((size_t)n + 1)) == NULL) {
		api_message(resp, 503, "out of memory");
		return -1;
	}
	while (got < (size_t)n &&
	    (r = readfn(arg, *body + got, (size_t)n - got)) > 0)
		got += (size_t)r;
	(*body)[got] = '\0';
	*len = got;
	if (got < (size_t)n) {
		api_message(resp, 400,
		    "request body shorter than its Content-Length");
		return -1;
	}
	return 0;
}

/*
 * Serves one request whose CGI variables env finds. Returns the rendered
 * answer in out.
 */
static void
serve(struct api *api, http_env_fn *env, void *envarg, int cgi,
    int (*readfn)(void *, char *, size_t), void *readarg, struct buf *out)
{
	struct request	 req;
	struct response	 resp;
	char		*body = NULL;
	size_t		 len = 0;

	http_response_init(&resp);
	if (http_request_init(&req, env, envarg) == -1)
		api_message(&resp, 400, "malformed request path");
	else if (read_body(&resp, env("CONTENT_LENGTH", envarg),
	    env("HTTP_TRANSFER_ENCODING", envarg), cgi, api->cfg->max_body,
	    readfn, readarg, &body, &len) == 0)
		api_handle(api, &req, body, len, &resp);
	if (buf_failed(&resp.body) || buf_failed(&resp.headers)) {
		http_response_free(&resp);
		http_response_init(&resp);
		api_message(&resp, 503, "out of memory");
	}
	resp.head = req.method == HTTP_HEAD;
	http_render(&resp, out);
	log_info("%s %s %d", env("REQUEST_METHOD", envarg) != NULL ?
	    env("REQUEST_METHOD", envarg) : "-",
	    req.route != NULL ? req.route : "-", resp.status);
	free(body);
	http_request_free(&req);
	http_response_free(&resp);
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
	return FCGX_GetStr(p, (int)(n > 65536 ? 65536 : n), arg);
}

/* One plain CGI request (RFC 3875): environment and stdin in, stdout out. */
static int
run_cgi(struct api *api)
{
	struct buf	 out;
	size_t		 off = 0;
	ssize_t		 w;

	buf_init(&out);
	serve(api, env_lookup, NULL, 1, stdin_read, NULL, &out);
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
 * Waits for a connection on fd with the stop signals let in, so that an
 * idle process stops at once. Returns 1 when a connection may be waiting,
 * 0 when asked to stop.
 */
static int
wait_for_work(int fd, const sigset_t *idle_mask)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };

	while (!stopping) {
		if (ppoll(&pfd, 1, NULL, idle_mask) > 0)
			return 1;
		if (errno != EINTR) {
			log_error("ppoll: %s", strerror(errno));
			return 0;
		}
	}
	return 0;
}

/* The FastCGI responder loop on listening socket fd. */
static int
run_fastcgi(struct api *api, int fd, const sigset_t *idle_mask)
{
	FCGX_Request	 req;
	struct buf	 out;
	int		 rc, flags;

	/* Several processes may share one socket (spawn-fcgi -F): when
	 * another took the connection, accept must not block with the stop
	 * signals held off. */
	if ((flags = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (FCGX_InitRequest(&req, fd, 0) != 0) {
		log_error("FCGX_InitRequest failed");
		return 1;
	}
	buf_init(&out);
	while (wait_for_work(fd, idle_mask)) {
		rc = FCGX_Accept_r(&req);
		if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR)
			continue;
		if (rc < 0) {
			if (!stopping)
				log_error("FCGX_Accept_r: %s", strerror(-rc));
			break;
		}
		buf_reset(&out);
		serve(api, fcgi_lookup, req.envp, 0, fcgi_read, req.in, &out);
		FCGX_PutStr(out.data, (int)out.len, req.out);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	buf_free(&out);
	return 0;
}

/*
 * Opens the --listen socket: "HOST:PORT"; "PORT" or ":PORT" on 127.0.0.1
 * (never every interface: a hostile FastCGI peer can still crash libfcgi,
 * RELIABILITY.md); anything with a '/' is a Unix socket, mode 0660.
 */
static int
open_listen(const char *addr)
{
	char	 spec[512];
	mode_t	 old;
	int	 fd;

	if (strchr(addr, '/') != NULL) {
		unlink(addr);
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

int
main(int argc, char *argv[])
{
	struct config		 cfg;
	struct store_options	 so;
	struct api		 api;
	struct sigaction	 sa;
	sigset_t		 stops, idle_mask;
	const char		*listen_addr = NULL;
	char			 err[512];
	enum mode		 mode = MODE_AUTO;
	int			 i, fd = 0, rc = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--cgi") == 0)
			mode = MODE_CGI;
		else if (strcmp(argv[i], "--fastcgi") == 0)
			mode = MODE_FASTCGI;
		else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
			mode = MODE_LISTEN;
			listen_addr = argv[++i];
		} else if (strcmp(argv[i], "--version") == 0) {
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

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: ppoll must return */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* A client gone mid-answer is an EPIPE, never a dead process. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGUSR1);
	sigaddset(&stops, SIGINT);
	sigprocmask(SIG_BLOCK, &stops, &idle_mask);
	sigdelset(&idle_mask, SIGTERM);
	sigdelset(&idle_mask, SIGUSR1);
	sigdelset(&idle_mask, SIGINT);

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
	if (mode == MODE_LISTEN && (fd = open_listen(listen_addr)) < 0)
		goto done;

	/* Opened here, after the exec by the web server, never before a
	 * fork: each process has its own environment handle. */
	memset(&so, 0, sizeof(so));
	so.path = cfg.db;
	so.map_size = cfg.map_size;
	so.sync = cfg.sync;
	so.max_readers = cfg.max_readers;
	so.max_records = cfg.max_records;
	so.sweep_batch = SWEEP_BATCH;
	so.clock = store_clock_realtime;
	api.cfg = &cfg;
	if (store_open(&so, &api.store) != STORE_OK) {
		fprintf(stderr, "lockgate.fcgi: cannot open the database in "
		    "%s (LOCKGATE_DB); see the log above\n", cfg.db);
		/* A CGI request still gets its 503; a FastCGI responder
		 * stops, so the operator sees it at start. */
		if (mode == MODE_CGI)
			rc = run_cgi(&api);
		goto done;
	}
	if (mode == MODE_CGI)
		rc = run_cgi(&api);
	else
		rc = run_fastcgi(&api, fd, &idle_mask);
	store_close(api.store);
	if (mode == MODE_LISTEN && strchr(listen_addr, '/') != NULL)
		unlink(listen_addr);
done:
	config_free(&cfg);
	return rc;
}
