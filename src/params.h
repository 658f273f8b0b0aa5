/*
 * params.h: request parameters from the JSON body, the query string and a form
 * body, read and merged: when a name appears in more than one place the JSON
 * body wins, then the query, then the form (doc/API.md section 1).
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_PARAMS_H
#define LOCKGATE_PARAMS_H

#include <stddef.h>
#include <stdint.h>

/* More parameters than any request needs: refused, so that the checks
 * for duplicates and unknown names stay cheap. */
#define PARAMS_MAX	64
/* JSON bodies nested deeper are refused. */
#define PARAMS_MAX_DEPTH	8

enum param_source {
	PARAM_JSON,
	PARAM_QUERY,
	PARAM_FORM
};

enum param_type {
	PARAM_TEXT,		/* a string, or a number's own spelling */
	PARAM_OTHER		/* a JSON true, false, null, array or object */
};

struct param {
	char			*name;
	char			*value;		/* NUL-terminated, decoded */
	size_t			 value_len;	/* may hold a NUL inside */
	enum param_source	 source;
	enum param_type		 type;
};

struct params {
	struct param	*v;
	size_t		 n;
	size_t		 cap;
};

void	params_init(struct params *);
void	params_free(struct params *);
int	params_add(struct params *, const char *, size_t, const char *,
	    size_t, enum param_source, enum param_type);
int	params_parse_json(const char *, size_t, struct params *, char *,
	    size_t);
int	params_parse_urlencoded(struct params *, const char *, size_t,
	    enum param_source, char *, size_t);
const struct param *params_get(const struct params *, const char *);
int	params_seconds(const struct param *, int64_t, int, int64_t *,
	    char *, size_t);
int	params_unknown(const struct params *, const char *const *,
	    char *, size_t);

#endif
