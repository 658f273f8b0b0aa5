/*
 * fuzz_params.c: libFuzzer target for parameter parsing: the query string
 * and a form body (params.c, application/x-www-form-urlencoded) and a JSON
 * body (codec.c), merged into one set as a request does, then read back
 * the ways the surfaces read them: by name, as seconds, the unknown
 * names, and written out again as JSON, which must parse.
 *
 * The first byte picks the sources: bit 0 a query, bit 1 a form body,
 * bit 2 a JSON body; the rest of the input is split at NUL bytes into
 * that many pieces, in that order.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "params.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_MS	(604800LL * 1000)

/* Reads every parameter the ways the surfaces do. */
static void
read_back(const struct params *p)
{
	static const char *const known[] = { "ttl", "owner", "limit", "wait",
	    "l", "e", "k", "nx", NULL };
	const struct param	*v;
	char			 why[64], names[200];
	int64_t			 ms;
	size_t			 i;

	for (i = 0; known[i] != NULL; i++)
		if ((v = params_get(p, known[i])) != NULL &&
		    params_seconds(v, MAX_MS, 0, &ms, why, sizeof(why)) == 0 &&
		    (ms < 1 || ms > MAX_MS))
			abort();	/* out of the promised range */
	params_unknown(p, known, names, sizeof(names));
	if (strlen(names) >= sizeof(names))
		abort();
}

/*
 * Writes the parameters as one JSON object (names once each, as
 * params_get sees them) and parses it again: what the writer prints must
 * be JSON the codec accepts.
 */
static void
round_trip(const struct params *p)
{
	struct codec_writer	 w;
	struct params		 again;
	struct buf		 out;
	char			 err[256];
	size_t			 i, j;
	int			 seen;

	buf_init(&out);
	codec_writer_init(&w, &out, 0);
	codec_begin(&w);
	for (i = 0; i < p->n; i++) {
		for (seen = 0, j = 0; j < i; j++)
			if (strcmp(p->v[j].name, p->v[i].name) == 0)
				seen = 1;
		if (seen)
			continue;
		codec_key(&w, p->v[i].name);
		codec_string(&w, p->v[i].value, p->v[i].value_len);
	}
	codec_end(&w);
	params_init(&again);
	/* Names that differ only in bytes above 0x7f are all written with
	 * U+FFFD and may then meet as duplicates; anything else refused
	 * means the writer printed something that is not JSON. */
	if (!buf_failed(&out) &&
	    params_parse_json(out.data, out.len, &again, err,
	    sizeof(err)) == -1 &&
	    strncmp(err, "duplicate parameter: ", 21) != 0)
		abort();
	params_free(&again);
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s, *end, *nul;
	struct params	 p;
	char		 err[256];
	size_t		 n;
	int		 which, bit, rc = 0;

	if (size < 1)
		return 0;
	which = data[0] & 7;
	s = (const char *)data + 1;
	end = (const char *)data + size;
	params_init(&p);
	for (bit = 0; bit < 3 && rc == 0; bit++) {
		if (!(which & (1 << bit)))
			continue;
		nul = memchr(s, '\0', (size_t)(end - s));
		n = nul != NULL ? (size_t)(nul - s) : (size_t)(end - s);
		err[0] = '\0';
		if (bit == 0)
			rc = params_parse_urlencoded(&p, s, n, PARAM_QUERY,
			    err, sizeof(err));
		else if (bit == 1)
			rc = params_parse_urlencoded(&p, s, n, PARAM_FORM,
			    err, sizeof(err));
		else
			rc = params_parse_json(s, n, &p, err, sizeof(err));
		/* A refusal always says why. */
		if (rc == -1 && err[0] == '\0')
			abort();
		s += n + (nul != NULL);
	}
	if (rc == 0) {
		read_back(&p);
		round_trip(&p);
	}
	params_free(&p);
	return 0;
}
