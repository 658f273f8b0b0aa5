/*
 * null.c: the benchmark's ceiling: a FastCGI responder that does nothing.
 * Every request, whatever its method and path, gets 200 and a tiny JSON
 * body. A plain single-threaded FCGX accept loop: what lighttpd and
 * libfcgi cost by themselves, without lockgate's parsing, storage or
 * threads. Not installed; "make bench" builds it.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <signal.h>
#include <stdio.h>
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
	char		 sink[512];

	/* A client gone mid-answer must not end the process. */
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	/*
	 * Closes each connection the way lockgate does: the input is read
	 * to its end, then the connection is closed at once (FCGX_Detach)
	 * instead of through libfcgi's wait for the web server to close it
	 * first (see input_ended in src/main.c). With that wait this
	 * responder answered a fifth to a third fewer requests a second,
	 * and the ceiling would not be one.
	 */
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(answer, (int)sizeof(answer) - 1, req.out);
		while (FCGX_GetStr(sink, (int)sizeof(sink), req.in) > 0)
			continue;
		if (FCGX_HasSeenEOF(req.in) == EOF)
			FCGX_Detach(&req);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	return 0;
}
