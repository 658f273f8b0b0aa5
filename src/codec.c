/*
 * codec.c: JSON in and out (see codec.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "codec.h"

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

	if ((tok = json_tokener_new_ex(CODEC_MAX_DEPTH)) == NULL) {
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
 * Parses a JSON body that must be one object, and adds each member to p as
 * a PARAM_JSON parameter: strings as they are, numbers in their own
 * spelling (so "ttl": 1e3 and "ttl": "1e3" are read alike), anything else
 * as PARAM_OTHER. Nesting deeper than CODEC_MAX_DEPTH is refused, and so
 * are a name given twice (as in a query string) and a name holding
 * \u0000 (json-c would cut it short, "ttl\u0000x" becoming "ttl").
 * Returns 0, or -1 with a message for the client in err and p as it was.
 */
int
codec_parse_params(const char *body, size_t len, struct params *p, char *err,
    size_t errlen)
{
	struct json_object	*root = NULL, *prefix, *name = NULL, *val;
	enum json_tokener_error	 jerr, perr;
	enum param_type		 type;
	const char		*value, *key;
	size_t			 value_len, key_len, end, pend, pos, ns, ne;
	size_t			 had = p->n;
	int			 depth = 0, rc = -1;

	/* Blanks around the value are fine; json-c stops at them. */
	while (len > 0 && strchr(" \t\r\n", body[len - 1]) != NULL &&
	    body[len - 1] != '\0')
		len--;
	if (has_bare_quote(body, len)) {
		snprintf(err, errlen, "invalid JSON body: unexpected character");
		return -1;
	}
	root = parse_all(body, len, &jerr, &end);
	if (jerr == json_tokener_success && end < len) {
		snprintf(err, errlen, "invalid JSON body: "
		    "unexpected data after the value");
		goto done;
	}
	if (jerr != json_tokener_success) {
		/* In strict mode json-c faults the first byte after a complete
		 * value itself: tell that apart from a broken value. */
		prefix = end > 0 && end < len ?
		    parse_all(body, end, &perr, &pend) : NULL;
		if (prefix != NULL && perr == json_tokener_success)
			snprintf(err, errlen, "invalid JSON body: "
			    "unexpected data after the value");
		else if (jerr == json_tokener_error_parse_eof)
			snprintf(err, errlen, "invalid JSON body: unexpected end");
		else
			snprintf(err, errlen, "invalid JSON body: %s",
			    json_tokener_error_desc(jerr));
		json_object_put(prefix);
		goto done;
	}
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
		switch (json_object_get_type(val)) {
		case json_type_string:
			value = json_object_get_string(val);
			value_len = (size_t)json_object_get_string_len(val);
			type = PARAM_TEXT;
			break;
		case json_type_int:
		case json_type_double:
			/* The number as the client wrote it. */
			value = json_object_to_json_string_ext(val,
			    JSON_C_TO_STRING_PLAIN);
			value_len = strlen(value);
			type = PARAM_TEXT;
			break;
		default:
			value = "";
			value_len = 0;
			type = PARAM_OTHER;
			break;
		}
		if (params_add_or_say(p, key, key_len, value, value_len,
		    PARAM_JSON, type, err, errlen) == -1)
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

void
codec_writer_init(struct codec_writer *w, struct buf *out, int compact)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->compact = compact;
}

/*
 * Writes the separator before a member or a value: none right after a key,
 * none before the first member of an object.
 */
static void
separate(struct codec_writer *w)
{
	if (w->after_key)
		w->after_key = 0;
	else if (w->depth > 0 && w->count[w->depth - 1]++ > 0)
		buf_puts(w->out, w->compact ? "," : ", ");
}

void
codec_begin(struct codec_writer *w)
{
	separate(w);
	buf_putc(w->out, '{');
	if (w->depth < CODEC_MAX_DEPTH)
		w->count[w->depth++] = 0;
}

void
codec_end(struct codec_writer *w)
{
	buf_putc(w->out, '}');
	if (w->depth > 0)
		w->depth--;
}

/* Opens an array; its values are separated like an object's members. */
void
codec_array_begin(struct codec_writer *w)
{
	separate(w);
	buf_putc(w->out, '[');
	if (w->depth < CODEC_MAX_DEPTH)
		w->count[w->depth++] = 0;
}

void
codec_array_end(struct codec_writer *w)
{
	buf_putc(w->out, ']');
	if (w->depth > 0)
		w->depth--;
}

void
codec_null(struct codec_writer *w)
{
	separate(w);
	buf_puts(w->out, "null");
}

/* Writes s as a JSON string. Bytes that are not printable ASCII are
 * written as \u escapes (control bytes) or U+FFFD (anything above 0x7f):
 * what we echo is validated ASCII, so this only guards odd input. */
static void
quote(struct buf *out, const char *s, size_t len)
{
	size_t		 i;
	unsigned char	 c;

	buf_putc(out, '"');
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf_putc(out, '\\');
			buf_putc(out, (char)c);
		} else if (c == '\n')
			buf_puts(out, "\\n");
		else if (c == '\t')
			buf_puts(out, "\\t");
		else if (c == '\r')
			buf_puts(out, "\\r");
		else if (c == '\b')
			buf_puts(out, "\\b");
		else if (c == '\f')
			buf_puts(out, "\\f");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(out, "\\u%04x", c);
		else if (c > 0x7f)
			buf_puts(out, "\\ufffd");
		else
			buf_putc(out, (char)c);
	}
	buf_putc(out, '"');
}

void
codec_key(struct codec_writer *w, const char *key)
{
	separate(w);
	quote(w->out, key, strlen(key));
	buf_puts(w->out, w->compact ? ":" : ": ");
	w->after_key = 1;
}

void
codec_string(struct codec_writer *w, const char *s, size_t len)
{
	separate(w);
	quote(w->out, s, len);
}

void
codec_str(struct codec_writer *w, const char *s)
{
	codec_string(w, s, strlen(s));
}

void
codec_bool(struct codec_writer *w, int v)
{
	separate(w);
	buf_puts(w->out, v ? "true" : "false");
}

void
codec_uint(struct codec_writer *w, uint64_t v)
{
	separate(w);
	buf_printf(w->out, "%llu", (unsigned long long)v);
}

/*
 * Formats milliseconds as seconds, short: 60000 -> "60.0", 500 -> "0.5",
 * 1700000000123 -> "1700000000.123". Never %.17g noise (API.md section 0).
 */
void
codec_format_seconds(int64_t ms, char *out, size_t outlen)
{
	unsigned long long	 a = ms < 0 ? 0ULL - (unsigned long long)ms :
	    (unsigned long long)ms;
	char			 frac[4];
	int			 n;

	snprintf(frac, sizeof(frac), "%03llu", a % 1000);
	for (n = 2; n > 0 && frac[n] == '0'; n--)
		frac[n] = '\0';
	snprintf(out, outlen, "%s%llu.%s", ms < 0 ? "-" : "", a / 1000, frac);
}

void
codec_seconds(struct codec_writer *w, int64_t ms)
{
	char	 s[32];

	separate(w);
	codec_format_seconds(ms, s, sizeof(s));
	buf_puts(w->out, s);
}
