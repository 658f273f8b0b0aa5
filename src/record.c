/*
 * record.c: the stored form of a lock.
 *
 * Version 1, little-endian, no padding (so it does not depend on the
 * compiler's struct layout):
 *	0	version (1)
 *	1	kind (1 getlock, 2 LSS)
 *	2	flags: bit 0 LSS locked; the others 0
 *	3	secret length (0..255)
 *	4	created, ms since the epoch (int64)
 *	12	ttl, ms (int64)
 *	20	expires, ms since the epoch (int64; LSS: 0 for none)
 *	28	fence (uint64)
 *	36	updated, ms since the epoch (int64)
 *	44	kept until, ms since the epoch (int64; 0 forever)
 *	52	secret bytes: getlock first holder's owner token, LSS key
 * getlock records go on with their further holders (a semaphore's):
 *	+0	limit (uint16)
 *	+2	count of further holders (uint16)
 *	+4	each: owner length (1 byte), created, ttl, expires (int64),
 *		fence (uint64), owner bytes
 * A later version adds fields after these and bumps the version byte.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdlib.h>
#include <string.h>

#include "record.h"

static void
put64(uint8_t *p, uint64_t v)
{
	int	 i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static unsigned int
get16(const uint8_t *p)
{
	return (unsigned int)p[0] | (unsigned int)p[1] << 8;
}

#define HOLDER_HEADER	33

/* The bytes record_encode() writes for rec. */
size_t
record_size(const struct lock_record *rec)
{
	size_t	 n = RECORD_HEADER + rec->secret_len, i;

	if (rec->kind != LOCK_KIND_GETLOCK)
		return n;
	n += 4;
	for (i = 0; i < rec->nmore; i++)
		n += HOLDER_HEADER + rec->more[i].owner_len;
	return n;
}

/* Writes rec into out (record_size() bytes); returns the bytes used. */
size_t
record_encode(const struct lock_record *rec, uint8_t *out)
{
	const struct lock_holder	*h;
	size_t				 n, i;

	out[0] = RECORD_VERSION;
	out[1] = (uint8_t)rec->kind;
	out[2] = rec->locked ? 1 : 0;
	out[3] = (uint8_t)rec->secret_len;
	put64(out + 4, (uint64_t)rec->created_ms);
	put64(out + 12, (uint64_t)rec->ttl_ms);
	put64(out + 20, (uint64_t)rec->expires_ms);
	put64(out + 28, rec->fence);
	put64(out + 36, (uint64_t)rec->updated_ms);
	put64(out + 44, (uint64_t)rec->keep_until_ms);
	memcpy(out + RECORD_HEADER, rec->secret, rec->secret_len);
	n = RECORD_HEADER + rec->secret_len;
	if (rec->kind != LOCK_KIND_GETLOCK)
		return n;
	put16(out + n, rec->limit);
	put16(out + n + 2, (unsigned int)rec->nmore);
	n += 4;
	for (i = 0; i < rec->nmore; i++) {
		h = &rec->more[i];
		out[n] = (uint8_t)h->owner_len;
		put64(out + n + 1, (uint64_t)h->created_ms);
		put64(out + n + 9, (uint64_t)h->ttl_ms);
		put64(out + n + 17, (uint64_t)h->expires_ms);
		put64(out + n + 25, h->fence);
		memcpy(out + n + HOLDER_HEADER, h->owner, h->owner_len);
		n += HOLDER_HEADER + h->owner_len;
	}
	return n;
}

/*
 * Reads a record of len bytes. Returns 0, or -1 when the bytes are not a
 * record this version understands (the caller treats that as corruption)
 * or memory ran out. The caller frees rec with lock_record_free().
 */
int
record_decode(const uint8_t *p, size_t len, struct lock_record *rec)
{
	struct lock_holder	*h;
	size_t			 n, i, more;

	memset(rec, 0, sizeof(*rec));
	if (len < RECORD_HEADER || p[0] != RECORD_VERSION ||
	    (p[1] != LOCK_KIND_GETLOCK && p[1] != LOCK_KIND_LSS) ||
	    (p[2] & ~1) != 0 || len < RECORD_HEADER + (size_t)p[3])
		return -1;
	rec->kind = (enum lock_kind)p[1];
	rec->locked = p[2] & 1;
	rec->secret_len = p[3];
	rec->created_ms = (int64_t)get64(p + 4);
	rec->ttl_ms = (int64_t)get64(p + 12);
	rec->expires_ms = (int64_t)get64(p + 20);
	rec->fence = get64(p + 28);
	rec->updated_ms = (int64_t)get64(p + 36);
	rec->keep_until_ms = (int64_t)get64(p + 44);
	memcpy(rec->secret, p + RECORD_HEADER, rec->secret_len);
	rec->secret[rec->secret_len] = '\0';
	n = RECORD_HEADER + rec->secret_len;
	if (rec->kind == LOCK_KIND_LSS)
		return n == len ? 0 : -1;
	if (len < n + 4)
		return -1;
	rec->limit = get16(p + n);
	more = get16(p + n + 2);
	n += 4;
	if (more > LOCK_LIMIT_MAX || rec->secret_len > LOCK_OWNER_MAX)
		return -1;
	if (more > 0 && (rec->more = calloc(more, sizeof(*h))) == NULL)
		return -1;
	for (i = 0; i < more; i++) {
		h = &rec->more[i];
		if (len < n + HOLDER_HEADER || p[n] > LOCK_OWNER_MAX ||
		    len < n + HOLDER_HEADER + p[n])
			goto bad;
		h->owner_len = p[n];
		h->created_ms = (int64_t)get64(p + n + 1);
		h->ttl_ms = (int64_t)get64(p + n + 9);
		h->expires_ms = (int64_t)get64(p + n + 17);
		h->fence = get64(p + n + 25);
		memcpy(h->owner, p + n + HOLDER_HEADER, h->owner_len);
		n += HOLDER_HEADER + h->owner_len;
		rec->nmore++;
	}
	if (n == len)
		return 0;
bad:
	lock_record_free(rec);
	return -1;
}
