/*
 * params.c: request parameters, merged from the JSON body, the query string
 * and a form body (application/x-www-form-urlencoded, WHATWG URL section 5).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "number.h"
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
static int
add_or_say(struct params *p, const char *name, size_t name_len,
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
			if ((hi = number_hexval(s[i + 1])) < 0 ||
			    (lo = number_hexval(s[i + 2])) < 0)
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
		if (add_or_say(p, name, (size_t)nl, value, (size_t)vl,
		    source, PARAM_TEXT, err, errlen) == -1)
			goto done;
	}
	rc = 0;
done:
	free(name);
	free(value);
	return rc;
}

/*
 * Whether a single quote stands outside every double-quoted string:
 * json-c accepts 'key' even in strict mode, JSON (RFC 8259) does not.
 */
static int
has_bare_quote(const char *s, size_t len)
{
	size_t	 i;
	int	 in_string = 0;

	for (i = 0; i < len; i++) {
		if (in_string && s[i] == '\\')
			i++;
		else if (s[i] == '"')
			in_string = !in_string;
		else if (!in_string && s[i] == '\'')
			return 1;
	}
	return 0;
}

/*
 * Runs json-c over the whole of s and tells it the input ends there (a
 * bare "3" is otherwise still waiting for more digits). Returns the value
 * (the caller puts it) or NULL with *jerr set; *end is where parsing
 * stopped.
 */
static struct json_object *
parse_all(const char *s, size_t len, enum json_tokener_error *jerr,
    size_t *end)
{
	struct json_tokener	*tok;
	struct json_object	*root;

	if ((tok = json_tokener_new_ex(PARAMS_MAX_DEPTH)) == NULL) {
		*jerr = json_tokener_error_size;	/* out of memory */
		*end = 0;
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, s, (int)len);
	*end = json_tokener_get_parse_end(tok);
	if ((*jerr = json_tokener_get_error(tok)) == json_tokener_continue) {
		/* The NUL marks the end of input for json-c; all of s was
		 * taken by then. */
		root = json_tokener_parse_ex(tok, "", 1);
		*jerr = json_tokener_get_error(tok);
		if (*jerr == json_tokener_continue)
			*jerr = json_tokener_error_parse_eof;
		*end = len;
	}
	json_tokener_free(tok);
	return root;
}

/*
 * Finds the next member name of the top-level object in s[0..len), a JSON
 * text json-c has already accepted, from *pos on at nesting *depth (both 0
 * at the start, then kept between calls). Returns 1 with the name,
 * quotes included, at s[*start..*end), or 0 when there is none left.
 * json-c keeps only the last of two equal names and cuts a name at a
 * \u0000, so the names are read from the text itself.
 */
static int
next_name(const char *s, size_t len, size_t *pos, int *depth,
    size_t *start, size_t *end)
{
	size_t	 i, j;

	for (i = *pos; i < len; i++) {
		if (s[i] == '{' || s[i] == '[')
			(*depth)++;
		else if (s[i] == '}' || s[i] == ']')
			(*depth)--;
		else if (s[i] == '"') {
			for (j = i + 1; j < len && s[j] != '"'; j++)
				if (s[j] == '\\')
					j++;
			if (j >= len)
				return 0;
			*start = i;
			*end = j + 1;
			i = j;
			/* A name is a string at depth 1 followed by ':'. */
			for (j++; j < len && strchr(" \t\r\n", s[j]) != NULL &&
			    s[j] != '\0'; j++)
				continue;
			if (*depth == 1 && j < len && s[j] == ':') {
				*pos = j + 1;
				return 1;
			}
		}
	}
	*pos = len;
	return 0;
}

/*
 * Decodes the JSON string s[0..len) (quotes included) with json-c.
 * Returns the string object (the caller puts it), or NULL.
 */
static struct json_object *
decode_name(const char *s, size_t len)
{
	struct json_object	*name;
	enum json_tokener_error	 jerr;
	size_t			 end;

	name = parse_all(s, len, &jerr, &end);
	if (name != NULL && (jerr != json_tokener_success ||
	    !json_object_is_type(name, json_type_string))) {
		json_object_put(name);
		name = NULL;
	}
	return name;
}

/* Drops the parameters added after the first n (an error half-way). */
static void
drop_after(struct params *p, size_t n)
{
	while (p->n > n) {
		p->n--;
		free(p->v[p->n].name);
		free(p->v[p->n].value);
	}
}

/*
 * Parses body[0..len) as one JSON value into *root (the caller puts it;
 * NULL for a JSON null). Returns 0, or -1 with a message for the client in
 * err.
 */
static int
parse_value(const char *body, size_t len, struct json_object **root,
    char *err, size_t errlen)
{
	struct json_object	*prefix;
	enum json_tokener_error	 jerr, perr;
	size_t			 end, pend;

	*root = NULL;
	if (has_bare_quote(body, len)) {
		snprintf(err, errlen, "invalid JSON body: unexpected character");
		return -1;
	}
	*root = parse_all(body, len, &jerr, &end);
	if (jerr == json_tokener_success && end < len) {
		snprintf(err, errlen, "invalid JSON body: "
		    "unexpected data after the value");
		json_object_put(*root);
		*root = NULL;
		return -1;
	}
	if (jerr == json_tokener_success)
		return 0;
	/* In strict mode json-c faults the first byte after a complete value
	 * itself: tell that apart from a broken value. */
	prefix = end > 0 && end < len ? parse_all(body, end, &perr, &pend) :
	    NULL;
	if (prefix != NULL && perr == json_tokener_success)
		snprintf(err, errlen, "invalid JSON body: "
		    "unexpected data after the value");
	else if (jerr == json_tokener_error_parse_eof)
		snprintf(err, errlen, "invalid JSON body: unexpected end");
	else
		snprintf(err, errlen, "invalid JSON body: %s",
		    json_tokener_error_desc(jerr));
	json_object_put(prefix);
	json_object_put(*root);
	*root = NULL;
	return -1;
}

/*
 * Adds member key (key_len bytes) of value val as a PARAM_JSON parameter:
 * a string as it is, a number in its own spelling, anything else as
 * PARAM_OTHER. Returns 0, or -1 with a message in err.
 */
static int
add_member(struct params *p, const char *key, size_t key_len,
    struct json_object *val, char *err, size_t errlen)
{
	enum param_type	 type = PARAM_TEXT;
	const char	*value;
	size_t		 value_len;

	switch (json_object_get_type(val)) {
	case json_type_string:
		value = json_object_get_string(val);
		value_len = (size_t)json_object_get_string_len(val);
		break;
	case json_type_int:
	case json_type_double:
		/* The number as the client wrote it. */
		value = json_object_to_json_string_ext(val,
		    JSON_C_TO_STRING_PLAIN);
		value_len = strlen(value);
		break;
	default:
		value = "";
		value_len = 0;
		type = PARAM_OTHER;
		break;
	}
	return add_or_say(p, key, key_len, value, value_len, PARAM_JSON,
	    type, err, errlen);
}

/*
 * Parses a JSON body that must be one object, and adds each member to p as
 * a PARAM_JSON parameter: strings as they are, numbers in their own
 * spelling (so "ttl": 1e3 and "ttl": "1e3" are read alike), anything else
 * as PARAM_OTHER. Nesting deeper than PARAMS_MAX_DEPTH is refused, and so
 * are a name given twice (as in a query string) and a name holding
 * \u0000 (json-c would cut it short, "ttl\u0000x" becoming "ttl").
 * Returns 0, or -1 with a message for the client in err and p as it was.
 */
int
params_parse_json(const char *body, size_t len, struct params *p, char *err,
    size_t errlen)
{
	struct json_object	*root, *name = NULL, *val;
	const char		*key;
	size_t			 key_len, pos, ns, ne, had = p->n;
	int			 depth = 0, rc = -1;

	/* Blanks around the value are fine; json-c stops at them. */
	while (len > 0 && strchr(" \t\r\n", body[len - 1]) != NULL &&
	    body[len - 1] != '\0')
		len--;
	if (parse_value(body, len, &root, err, errlen) == -1)
		return -1;
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "JSON body must be an object");
		goto done;
	}
	for (pos = 0; next_name(body, len, &pos, &depth, &ns, &ne); ) {
		json_object_put(name);
		if ((name = decode_name(body + ns, ne - ns)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto done;
		}
		key = json_object_get_string(name);
		key_len = (size_t)json_object_get_string_len(name);
		if (strlen(key) != key_len) {
			snprintf(err, errlen, "invalid JSON body: "
			    "a name holds a NUL character");
			goto done;
		}
		if (!json_object_object_get_ex(root, key, &val)) {
			snprintf(err, errlen, "invalid JSON body: "
			    "unexpected member");
			goto done;
		}
		if (add_member(p, key, key_len, val, err, errlen) == -1)
			goto done;
	}
	rc = 0;
done:
	if (rc == -1)
		drop_after(p, had);
	json_object_put(name);
	json_object_put(root);
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
 * Reads a parameter as seconds (number_seconds(), blanks around allowed),
 * above 0 and at most max_ms; with zero_ok a plain 0 is read as 0 too.
 * Returns 0 with the milliseconds in *ms, or -1 with what is wrong, for
 * the client, in why.
 */
int
params_seconds(const struct param *p, int64_t max_ms, int zero_ok,
    int64_t *ms, char *why, size_t whylen)
{
	char	 max[32];

	if (p->type != PARAM_TEXT) {
		snprintf(why, whylen, "must be a number");
		return -1;
	}
	switch (number_seconds(p->value, p->value_len, max_ms,
	    NUMBER_BLANKS | (zero_ok ? NUMBER_ZERO : 0), ms)) {
	case NUMBER_OK:
		return 0;
	case NUMBER_INFINITE:
		snprintf(why, whylen, "must be a finite number");
		return -1;
	case NUMBER_NOT_POSITIVE:
		snprintf(why, whylen, "must be greater than 0");
		return -1;
	case NUMBER_TOO_LARGE:
		number_format_max_seconds(max_ms, max, sizeof(max));
		snprintf(why, whylen, "must be at most %s", max);
		return -1;
	default:
		snprintf(why, whylen, "must be a number");
		return -1;
	}
}
