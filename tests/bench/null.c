/*
 * null.c: the benchmark's ceiling: a FastCGI responder that does nothing.
 * Every request, whatever its method and path, gets 200 and a tiny JSON
 * body. A plain single-threaded FCGX accept loop: what lighttpd and
 * libfcgi cost by themselves, without lockgate's parsing, storage or
 * threads. Not installed; "make bench" builds it.
 */
#include <signal.h>
#include <stdlib.h>

#include <fcgiapp.h>

static const char answer[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Cache-Control: no-store\r\n"
    "Content-Length: 13\r\n"
    "\r\n"
    "{\"ok\": true}\n";

int
main(void)
{
	FCGX_Request	 req;

	/* A client gone mid-answer must not end the process. */
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	/* A request body, if any, is left to FCGX_Finish_r to drain. */
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(answer, (int)sizeof(answer) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	return 0;
}
