/*
 * auth.c: bearer tokens (RFC 6750): the API tokens every request must
 * carry when some are configured, and the operator's admin token. Tokens
 * are compared in constant time, and every configured token is compared,
 * so neither the bytes nor the position of a match can be timed.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "lock.h"

/*
 * The token of an "Authorization: Bearer <token>" header: sets *tok and
 * *len and returns 1, or returns 0 when there is no such header.
 */
static int
bearer(const struct request *req, const char **tok, size_t *len)
{
	const char	*a = req->authorization;

	if (a == NULL || strncasecmp(a, "Bearer ", 7) != 0)
		return 0;
	for (a += 7; *a == ' '; a++)
		continue;
	*tok = a;
	*len = strcspn(a, " \t");
	return *len > 0 && a[*len + strspn(a + *len, " \t")] == '\0';
}

static int
same(const char *tok, size_t len, const char *want)
{
	return lock_key_equal(tok, len, want, strlen(want));
}

/*
 * Whether the request may use the API: always when no API token is
 * configured, else when it carries one of them or the admin token.
 */
int
auth_api(const struct config *cfg, const struct request *req)
{
	const char	*tok;
	size_t		 len;
	char		**t;
	int		 ok = 0;

	if (cfg->api_tokens == NULL)
		return 1;
	if (!bearer(req, &tok, &len))
		return 0;
	for (t = cfg->api_tokens; *t != NULL; t++)
		ok |= same(tok, len, *t);
	if (cfg->admin_token != NULL)
		ok |= same(tok, len, cfg->admin_token);
	return ok;
}

/* Whether the request carries the admin token (never when none is set). */
int
auth_admin(const struct config *cfg, const struct request *req)
{
	const char	*tok;
	size_t		 len;

	if (cfg->admin_token == NULL || !bearer(req, &tok, &len))
		return 0;
	return same(tok, len, cfg->admin_token);
}
