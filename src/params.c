/*
 * params.c: request parameters, merged from the JSON body, the query string
 * and a form body (application/x-www-form-urlencoded, WHATWG URL section 5).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "params.h"

void
params_init(struct params *p)
{
	memset(p, 0, sizeof(*p));
}

void
params_free(struct params *p)
{
	size_t	 i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	free(p->v);
	params_init(p);
}

static char *
dup_n(const char *s, size_t n)
{
	char	*d;

	if ((d = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/*
 * Adds one parameter (copies of name and value).
 * Returns 0, -1 when out of memory, -2 when the same name already came
 * from the same source (a duplicate is refused, not guessed at), or -3
 * when the request already has PARAMS_MAX parameters.
 */
int
params_add(struct params *p, const char *name, size_t name_len,
    const char *value, size_t value_len, enum param_source source,
    enum param_type type)
{
	struct param	*v;
	size_t		 i, cap;

	for (i = 0; i < p->n; i++)
		if (p->v[i].source == source &&
		    strlen(p->v[i].name) == name_len &&
		    memcmp(p->v[i].name, name, name_len) == 0)
			return -2;
	if (p->n >= PARAMS_MAX)
		return -3;
	if (p->n == p->cap) {
		cap = p->cap ? p->cap * 2 : 8;
		if ((v = realloc(p->v, cap * sizeof(*v))) == NULL)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	v = &p->v[p->n];
	v->name = dup_n(name, name_len);
	v->value = dup_n(value, value_len);
	if (v->name == NULL || v->value == NULL) {
		free(v->name);
		free(v->value);
		return -1;
	}
	v->value_len = value_len;
	v->source = source;
	v->type = type;
	p->n++;
	return 0;
}

/*
 * params_add(), with its refusal put into words for the client: returns
 * 0, or -1 with a message in err.
 */
int
params_add_or_say(struct params *p, const char *name, size_t name_len,
    const char *value, size_t value_len, enum param_source source,
    enum param_type type, char *err, size_t errlen)
{
	switch (params_add(p, name, name_len, value, value_len, source,
	    type)) {
	case 0:
		return 0;
	case -2:
		snprintf(err, errlen, "duplicate parameter: %.*s",
		    (int)(name_len > 64 ? 64 : name_len), name);
		return -1;
	case -3:
		snprintf(err, errlen, "too many parameters (limit %d)",
		    PARAMS_MAX);
		return -1;
	default:
		snprintf(err, errlen, "out of memory");
		return -1;
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes %XX and '+' in s[0..n) into out (room for n bytes).
 * Returns the decoded length, or -1 on a malformed escape.
 */
static long
decode(const char *s, size_t n, char *out)
{
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= n)
				return -1;
			if ((hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return -1;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	return (long)o;
}

/*
 * Parses "a=1&b=2" (s of length n) into p under the given source. Empty
 * pieces ("a=1&&b=2") are skipped; "a" alone is a with an empty value.
 * Returns 0, or -1 with a message for the client in err.
 */
int
params_parse_urlencoded(struct params *p, const char *s, size_t n,
    enum param_source source, char *err, size_t errlen)
{
	const char	*piece, *end, *eq, *what;
	char		*name = NULL, *value = NULL;
	long		 nl, vl;
	size_t		 len;
	int		 rc = -1;

	what = source == PARAM_QUERY ? "invalid query string" :
	    "invalid form body";
	if ((name = malloc(n + 1)) == NULL || (value = malloc(n + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (piece = s; piece < s + n; piece = end + 1) {
		if ((end = memchr(piece, '&', (size_t)(s + n - piece))) == NULL)
			end = s + n;
		len = (size_t)(end - piece);
		if (len == 0)
			continue;
		if ((eq = memchr(piece, '=', len)) == NULL)
			eq = end;
		nl = decode(piece, (size_t)(eq - piece), name);
		vl = eq < end ? decode(eq + 1, (size_t)(end - eq - 1), value) : 0;
		if (nl < 0 || vl < 0) {
			snprintf(err, errlen, "%s: bad percent-encoding", what);
			goto done;
		}
		if (nl == 0) {
			snprintf(err, errlen, "%s: a parameter without a name",
			    what);
			goto done;
		}
		/* Names are C strings: "ttl%00x" would pass for "ttl". */
		if (memchr(name, '\0', (size_t)nl) != NULL) {
			snprintf(err, errlen, "%s: a name holds a NUL character",
			    what);
			goto done;
		}
		if (params_add_or_say(p, name, (size_t)nl, value, (size_t)vl,
		    source, PARAM_TEXT, err, errlen) == -1)
			goto done;
	}
	rc = 0;
done:
	free(name);
	free(value);
	return rc;
}

/* The parameter of that name from the strongest source, or NULL. */
const struct param *
params_get(const struct params *p, const char *name)
{
	const struct param	*best = NULL;
	size_t			 i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0 &&
		    (best == NULL || p->v[i].source < best->source))
			best = &p->v[i];
	return best;
}

/*
 * Lists, in order of appearance and once each, the names that are not in
 * known (a NULL-terminated list), joined by ", " into out. When the list
 * does not fit, it ends with "..." where it was cut, and the rest are
 * left out: the answer still names the problem and shows it is cut.
 * Returns the number of unknown names.
 */
int
params_unknown(const struct params *p, const char *const *known, char *out,
    size_t outlen)
{
	size_t	 i, j, used = 0, len, sep, cut;
	int	 count = 0, seen, full = 0;

	if (outlen > 0)
		out[0] = '\0';
	for (i = 0; i < p->n; i++) {
		for (j = 0; known[j] != NULL; j++)
			if (strcmp(p->v[i].name, known[j]) == 0)
				break;
		if (known[j] != NULL)
			continue;
		for (seen = 0, j = 0; j < i; j++)
			if (strcmp(p->v[j].name, p->v[i].name) == 0)
				seen = 1;
		if (seen)
			continue;
		count++;
		if (full)
			continue;
		len = strlen(p->v[i].name);
		sep = used > 0 ? 2 : 0;
		if (used + len + 3 < outlen)
			cut = len;
		else {
			/* As much as fits with the "..." and the NUL; with no
			 * room for one character of it, "..." alone, over the
			 * end of the list if need be. */
			full = 1;
			if (outlen < 4)
				continue;
			if (outlen >= used + sep + 5)
				cut = outlen - used - sep - 4;
			else {
				if (used > outlen - 4)
					used = outlen - 4;
				sep = 0;
				cut = 0;
			}
		}
		memcpy(out + used, ", ", sep);
		used += sep;
		memcpy(out + used, p->v[i].name, cut);
		used += cut;
		if (cut < len) {
			memcpy(out + used, "...", 3);
			used += 3;
		}
		out[used] = '\0';
	}
	return count;
}

/*
 * Reads a parameter as seconds: a decimal number ("60", "0.5", "1e3",
 * blanks around allowed), finite, above 0 and at most max_ms. Returns 0
 * with the value rounded to milliseconds (at least 1) in *ms, or -1 with
 * what is wrong, for the client, in why.
 */
int
params_seconds(const struct param *p, int64_t max_ms, int64_t *ms,
    char *why, size_t whylen)
{
	const char	*s = p->value, *end;
	char		*stop;
	double		 v;
	size_t		 n;

	if (p->type != PARAM_TEXT || strlen(s) != p->value_len)
		goto nan;
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - s);
	/* strtod alone would also take "inf", "nan" and hex. */
	if (n == 0 || strspn(s, "0123456789+-.eE") < n ||
	    strcspn(s, "0123456789") >= n)
		goto nan;
	errno = 0;
	v = strtod(s, &stop);
	if (stop != end)
		goto nan;
	if (!isfinite(v) || (errno == ERANGE && v != 0)) {
		snprintf(why, whylen, "must be a finite number");
		return -1;
	}
	if (v <= 0) {
		snprintf(why, whylen, "must be greater than 0");
		return -1;
	}
	if (v > (double)max_ms / 1000) {
		char	 max[32];

		codec_format_seconds(max_ms, max, sizeof(max));
		/* "604800.0" reads better as "604800". */
		n = strlen(max);
		if (n > 2 && strcmp(max + n - 2, ".0") == 0)
			max[n - 2] = '\0';
		snprintf(why, whylen, "must be at most %s", max);
		return -1;
	}
	*ms = (int64_t)llround(v * 1000);
	if (*ms < 1)
		*ms = 1;
	return 0;
nan:
	snprintf(why, whylen, "must be a number");
	return -1;
}
