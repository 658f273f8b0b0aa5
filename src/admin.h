/*
 * admin.h: the operator's surface (API.md section 3): the listing of live
 * locks behind the admin token, /metrics, and the home page.
 */
#ifndef LOCKGATE_ADMIN_H
#define LOCKGATE_ADMIN_H

#include "api.h"

void	admin_locks(struct api *, struct request *, struct response *);
void	admin_metrics(struct api *, struct request *, struct response *);
void	admin_home(struct api *, struct request *, struct response *);

#endif
