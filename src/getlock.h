/* getlock.h: the getlock.tech surface, /v1/<uuid> and /v1/health. */
#ifndef LOCKGATE_GETLOCK_H
#define LOCKGATE_GETLOCK_H

#include <stdint.h>

#include "api.h"

void	getlock_lock(struct api *, struct request *, const uint8_t [16],
	    struct response *);
void	getlock_health(struct api *, struct request *, struct response *);

#endif
