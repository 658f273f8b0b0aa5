/*
 * etcd_codec.h: the JSON of etcd's v3 gateway (etcd 3.4, grpc-gateway):
 * requests written into a buffer, answers read into C structs. No I/O.
 * On the wire, keys and values are base64 and 64-bit numbers are
 * decimal strings; a field whose value is zero, false or empty is left
 * out of an answer, so an absent field reads as 0 here (an absent key
 * has no kvs, a failed txn no succeeded). tests/unit/etcd/ holds answers
 * recorded from a real etcd 3.4.23 and says how they were made.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#ifndef LOCKGATE_ETCD_CODEC_H
#define LOCKGATE_ETCD_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* What a parser returns. */
enum etcd_parsed {
	ETCD_MALFORMED = -1,	/* not JSON, or not the answer expected */
	ETCD_OK = 0,		/* the answer, read */
	ETCD_REFUSED = 1	/* etcd said no: struct etcd_error says how */
};

/* The length of the base64 of len bytes, without a NUL. */
size_t	etcd_base64_len(size_t);
void	etcd_base64_put(struct buf *, const void *, size_t);
int	etcd_base64_decode(const char *, size_t, char **, size_t *);

/* ------------------------------------------------------------------ */
/* Requests */

/* What a compare looks at: etcdserverpb.Compare.CompareTarget. */
enum etcd_target {
	ETCD_TARGET_VERSION,
	ETCD_TARGET_CREATE,
	ETCD_TARGET_MOD
};

/* How it compares: etcdserverpb.Compare.CompareResult. */
enum etcd_cmp {
	ETCD_CMP_EQUAL,
	ETCD_CMP_GREATER,
	ETCD_CMP_LESS,
	ETCD_CMP_NOT_EQUAL
};

/* The key's target compared with value: mod_revision == 12. */
struct etcd_compare {
	const char		*key;
	size_t			 keylen;
	enum etcd_target	 target;
	enum etcd_cmp		 cmp;
	int64_t			 value;
};

enum etcd_op_type {
	ETCD_OP_RANGE,
	ETCD_OP_PUT,
	ETCD_OP_DELETE
};

/*
 * One operation: alone (the body of /v3/kv/range, /v3/kv/put or
 * /v3/kv/deleterange, see etcd_op_path) or in a txn. Fields that do not
 * apply to the type, and zeros, are not written.
 */
struct etcd_op {
	enum etcd_op_type	 type;
	const char		*key;
	size_t			 keylen;
	const char		*range_end;	/* RANGE, DELETE; NULL: key */
	size_t			 range_end_len;
	const char		*value;		/* PUT */
	size_t			 valuelen;
	int64_t			 lease;		/* PUT; 0: none */
	int64_t			 limit;		/* RANGE; 0: no limit */
	int64_t			 revision;	/* RANGE; 0: the newest */
	int			 serializable;	/* RANGE: from this member */
	int			 prev_kv;	/* PUT, DELETE: the old kvs */
};

/* If every compare holds, the success ops, else the failure ops. */
struct etcd_txn {
	const struct etcd_compare	*compare;
	size_t				 ncompare;
	const struct etcd_op		*success;
	size_t				 nsuccess;
	const struct etcd_op		*failure;
	size_t				 nfailure;
};

size_t	etcd_range_end(const char *, size_t, char *);
const char *etcd_op_path(enum etcd_op_type);
void	etcd_req_op(struct buf *, const struct etcd_op *);
void	etcd_req_txn(struct buf *, const struct etcd_txn *);
void	etcd_req_watch(struct buf *, const char *, size_t, const char *,
	    size_t, int64_t, int);
void	etcd_req_auth(struct buf *, const char *, const char *);

/* ------------------------------------------------------------------ */
/* Answers */

/*
 * etcd's refusal: a gRPC status code (14 UNAVAILABLE, 11 OUT_OF_RANGE...)
 * and its text as etcd sent it, cut at 255 bytes: escape it to log it.
 */
struct etcd_error {
	int	 code;
	char	 message[256];
};

/* etcdserverpb.ResponseHeader; a txn's inner answers have revision only. */
struct etcd_header {
	uint64_t	 cluster_id;
	uint64_t	 member_id;
	int64_t		 revision;
	uint64_t	 raft_term;
};

/* mvccpb.KeyValue: key and value decoded, each followed by a NUL. */
struct etcd_kv {
	char		*key;
	size_t		 keylen;
	char		*value;
	size_t		 valuelen;
	int64_t		 create_revision;	/* 0 in a DELETE event */
	int64_t		 mod_revision;
	int64_t		 version;
	int64_t		 lease;
};

/* The answer to one etcd_op, alone or among a txn's responses. */
struct etcd_answer {
	enum etcd_op_type	 type;
	struct etcd_header	 header;
	struct etcd_kv		*kvs;		/* RANGE: the keys found */
	size_t			 nkvs;
	int			 more;		/* RANGE: more past limit */
	int64_t			 count;		/* RANGE: keys in range */
	struct etcd_kv		*prev_kvs;	/* PUT (at most 1), DELETE */
	size_t			 nprev_kvs;
	int64_t			 deleted;	/* DELETE */
};

struct etcd_txn_answer {
	struct etcd_header	 header;
	int			 succeeded;
	struct etcd_answer	*responses;
	size_t			 nresponses;
};

enum etcd_event_type {
	ETCD_EVENT_PUT,
	ETCD_EVENT_DELETE
};

struct etcd_event {
	enum etcd_event_type	 type;
	struct etcd_kv		 kv;
	struct etcd_kv		 prev_kv;	/* asked for with prev_kv */
	int			 has_prev_kv;
};

/* One line of a watch stream: {"result": {...}}. */
struct etcd_watch {
	struct etcd_header	 header;
	int64_t			 watch_id;
	int			 created;
	int			 canceled;
	int64_t			 compact_revision;
	char			*cancel_reason;	/* NULL when none */
	struct etcd_event	*events;
	size_t			 nevents;
};

/* The member's own view: /v3/maintenance/status. */
struct etcd_status {
	struct etcd_header	 header;
	char			*version;
	int64_t			 db_size;
	int64_t			 db_size_in_use;
	uint64_t		 leader;	/* 0: no leader */
	uint64_t		 raft_index;
	uint64_t		 raft_term;
	uint64_t		 raft_applied_index;
	char			**errors;
	size_t			 nerrors;
};

enum etcd_parsed etcd_parse_op(const char *, size_t, enum etcd_op_type,
	    struct etcd_answer *, struct etcd_error *);
enum etcd_parsed etcd_parse_txn(const char *, size_t,
	    struct etcd_txn_answer *, struct etcd_error *);
enum etcd_parsed etcd_parse_watch(const char *, size_t, struct etcd_watch *,
	    struct etcd_error *);
enum etcd_parsed etcd_parse_status(const char *, size_t,
	    struct etcd_status *, struct etcd_error *);
enum etcd_parsed etcd_parse_auth(const char *, size_t, char **,
	    struct etcd_error *);

void	etcd_answer_free(struct etcd_answer *);
void	etcd_txn_answer_free(struct etcd_txn_answer *);
void	etcd_watch_free(struct etcd_watch *);
void	etcd_status_free(struct etcd_status *);

#endif
