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
 *	52	secret bytes: getlock owner token, LSS key
 * A later version adds fields after these and bumps the version byte.
 */
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

/* Writes rec into out; returns the number of bytes used. */
size_t
record_encode(const struct lock_record *rec, uint8_t out[RECORD_MAX])
{
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
	return RECORD_HEADER + rec->secret_len;
}

/*
 * Reads a record of len bytes. Returns 0, or -1 when the bytes are not a
 * record this version understands (the caller treats that as corruption).
 */
int
record_decode(const uint8_t *p, size_t len, struct lock_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	if (len < RECORD_HEADER || p[0] != RECORD_VERSION ||
	    (p[1] != LOCK_KIND_GETLOCK && p[1] != LOCK_KIND_LSS) ||
	    (p[2] & ~1) != 0 || len != RECORD_HEADER + (size_t)p[3])
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
	return 0;
}
