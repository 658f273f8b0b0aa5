/*
 * api.h: the HTTP surfaces joined: routing, methods, CORS, and the helpers
 * every surface uses to answer.
 */
#ifndef LOCKGATE_API_H
#define LOCKGATE_API_H

#include <stddef.h>

#include "config.h"
#include "http.h"
#include "store.h"

struct metrics;
struct wake;

struct api {
	const struct config	*cfg;
	struct store		*store;
	struct wake		*wake;	/* NULL: requests do not wait */
	struct metrics		*metrics;	/* NULL: nothing is counted */
};

void	api_handle(struct api *, struct request *, const char *, size_t,
	    struct response *);
void	api_json(struct response *, int);
void	api_message(struct response *, int, const char *);
void	api_store_error(struct response *, int);
int	api_refuse_unknown(struct request *, const char *const *,
	    struct response *);

#endif
