/*
 * test_activation.c: systemd socket activation (activation.c): which
 * LISTEN_PID and LISTEN_FDS values pass fd 3 to this process, which are
 * someone else's or none, and which are refused with a message.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include "activation.h"
#include "tests.h"

#define PID	4242L

/* Asserts what activation_listen_fd answers, and the message's start. */
static void
check(const char *pid, const char *fds, int want, const char *msg,
    const char *file, unsigned int line)
{
	char	 err[256] = "";
	int	 got;

	got = activation_listen_fd(pid, fds, PID, err, sizeof(err));
	test_assert(got == want, file, line, "LISTEN_PID=%s LISTEN_FDS=%s: "
	    "got %d, want %d", pid ? pid : "(unset)", fds ? fds : "(unset)",
	    got, want);
	if (msg != NULL)
		test_assert(strncmp(err, msg, strlen(msg)) == 0, file, line,
		    "message \"%s\" should start with \"%s\"", err, msg);
	else
		test_assert(err[0] == '\0', file, line,
		    "no message expected, got \"%s\"", err);
}
#define CHECK(p, f, w, m)	check((p), (f), (w), (m), TEST_HERE)

static void
test_one_socket(void)
{
	CU_ASSERT_EQUAL(ACTIVATION_FD, 3);
	CHECK("4242", "1", ACTIVATION_FD, NULL);
}

static void
test_none(void)
{
	CHECK(NULL, NULL, -1, NULL);
	CHECK("4242", NULL, -1, NULL);
	CHECK(NULL, "1", -1, NULL);
	/* Inherited from a parent that was activated: not ours. */
	CHECK("4241", "1", -1, NULL);
	CHECK("1", "2", -1, NULL);
	CHECK("4242", "0", -1, NULL);
}

static void
test_refused(void)
{
	CHECK("4242", "2", -2, "LISTEN_FDS: 2 sockets passed");
	CHECK("4242", "10", -2, "LISTEN_FDS: 10 sockets passed");
	CHECK("4242", "", -2, "LISTEN_FDS: \"\" is not a number");
	CHECK("4242", "1x", -2, "LISTEN_FDS: \"1x\" is not a number");
	CHECK("4242", "-1", -2, "LISTEN_FDS: \"-1\" is not a number");
	CHECK("4242", "99999999999999999999", -2, "LISTEN_FDS: ");
	CHECK("", "1", -2, "LISTEN_PID: \"\" is not a process id");
	CHECK("0", "1", -2, "LISTEN_PID: \"0\" is not a process id");
	CHECK("abc", "1", -2, "LISTEN_PID: \"abc\" is not a process id");
	CHECK(" 4242", "1", -2, "LISTEN_PID: ");
}

int
test_activation_add(void)
{
	CU_pSuite	 s;

	if ((s = CU_add_suite("activation", NULL, NULL)) == NULL)
		return -1;
	if (CU_add_test(s, "one socket for this process", test_one_socket) ==
	    NULL ||
	    CU_add_test(s, "none, or another process's", test_none) == NULL ||
	    CU_add_test(s, "malformed or several: refused", test_refused) ==
	    NULL)
		return -1;
	return 0;
}
