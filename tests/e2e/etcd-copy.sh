#!/bin/bash
# tests/e2e/etcd-copy.sh: moving from LMDB to etcd with
# "lockgate.fcgi --copy-to-etcd". Locks of every kind are taken through
# lighttpd on an LMDB database (owners, a semaphore of two, an anonymous
# lock, LSS locks locked and unlocked, one expired); the server stops; the
# command copies them into a one-member etcd cluster and says how many; a
# second run copies none; a server on etcd then answers for each lock
# exactly as the LMDB server did (same fence, same expiry, the LSS key
# still works, the expired one gone), and hands out fences above every
# fence the database gave.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}
# shellcheck source=etcd-lib.sh
. "${0%/*}/etcd-lib.sh" || lg_bail "etcd-lib.sh loads"

lg_init curl lighttpd jq etcd
lg_start_lighttpd 2

# The answers to keep, by name: the body of a lock's GET on LMDB.
declare -A SEEN=()

# put NAME ID QUERY: PUT /v1/ID?QUERY, which must be 201.
put()
{
	lg_curl PUT "/v1/$2?$3"
	lg_is "LMDB: $1: PUT 201" 201 "$LG_STATUS"
}

# remember NAME PATH: keeps the body of GET PATH as NAME's.
remember()
{
	lg_curl GET "$2"
	SEEN[$1]="$LG_STATUS $LG_BODY"
}

A=$(lg_uuid) B=$(lg_uuid) S=$(lg_uuid) N=$(lg_uuid) X=$(lg_uuid)
put "owner a" "$A" "owner=tok-a-0123456789&ttl=300"
put "owner b" "$B" "owner=tok-b-0123456789&ttl=200"
put "semaphore, holder 1" "$S" "owner=tok-s1-012345678&limit=2&ttl=300"
put "semaphore, holder 2" "$S" "owner=tok-s2-012345678&limit=2&ttl=250"
put "anonymous" "$N" "ttl=300"
put "expiring" "$X" "ttl=0.3"
MAXF=$(jq -r '.lock.fence' <<<"$LG_BODY")
lg_curl POST /locks -d ''
lg_is "LMDB: LSS lock 1 created" 200 "$LG_STATUS"
L1=$(jq -r .lockId <<<"$LG_BODY") K1=$(jq -r .lockKey <<<"$LG_BODY")
lg_curl POST '/locks?k=key-two' -d ''
lg_is "LMDB: LSS lock 2 created" 200 "$LG_STATUS"
L2=$(jq -r .lockId <<<"$LG_BODY")
lg_curl PATCH "/locks/$L2/lock?k=key-two" -d ''
lg_is "LMDB: LSS lock 2 locked" 204 "$LG_STATUS"
sleep 0.4	# the expiring lock has expired
for v in A B S N; do
	remember "$v" "/v1/${!v}"
done
remember L1 "/locks/$L1"
remember L2 "/locks/$L2"
lg_is "LMDB: the semaphore shows both holders" 2 \
    "$(jq '.lock.holders | length' <<<"${SEEN[S]#* }")"
lg_stopped "LMDB server"

etcd_cluster_start 1
export LOCKGATE_STORE=etcd LOCKGATE_ETCD_ENDPOINTS=$ETCD_ENDPOINTS

out=$("$LOCKGATE_FCGI" --copy-to-etcd 2>"$LG_TMP/copy.err")
rc=$?
lg_is "--copy-to-etcd: exit 0" 0 "$rc"
lg_is "--copy-to-etcd: 6 live locks copied, the expired one not" \
    "copied 6 locks, skipped 0 (already in etcd); fences from now on are above $MAXF" \
    "$out"
out=$("$LOCKGATE_FCGI" --copy-to-etcd 2>>"$LG_TMP/copy.err")
lg_is "--copy-to-etcd again: every lock is there already" \
    "copied 0 locks, skipped 6 (already in etcd); fences from now on are above $MAXF" \
    "$out"
lg_is "--copy-to-etcd: nothing on stderr" "" "$(cat "$LG_TMP/copy.err")"
out=$(LOCKGATE_STORE=lmdb "$LOCKGATE_FCGI" --copy-to-etcd 2>&1)
lg_is "--copy-to-etcd without LOCKGATE_STORE=etcd: refused, exit 1" \
    "1 lockgate.fcgi: --copy-to-etcd needs LOCKGATE_STORE=etcd and LOCKGATE_ETCD_ENDPOINTS" \
    "$(LOCKGATE_STORE=lmdb "$LOCKGATE_FCGI" --copy-to-etcd >/dev/null 2>&1; echo $?) $out"

etcd_server_start E 2
LG_URL=${ETCD_URL[E]}
for v in A B S N; do
	lg_curl GET "/v1/${!v}"
	lg_is "etcd: lock $v answers GET as on LMDB" "${SEEN[$v]}" \
	    "$LG_STATUS $LG_BODY"
done
lg_curl GET "/v1/$X"
lg_is "etcd: the expired lock was not copied: 404" \
    '404 {"locked": false, "message": "lock not found or expired"}' \
    "$LG_STATUS ${LG_BODY%$'\n'}"
lg_curl GET "/locks/$L1"
lg_is "etcd: LSS lock 1 answers as on LMDB" "${SEEN[L1]}" "$LG_STATUS $LG_BODY"
lg_curl GET "/locks/$L2"
lg_is "etcd: LSS lock 2 answers as on LMDB (423)" "${SEEN[L2]}" "$LG_STATUS $LG_BODY"
lg_curl PATCH "/locks/$L1/lock?k=$K1" -d ''
lg_is "etcd: LSS lock 1's key still works: PATCH lock 204" 204 "$LG_STATUS"
lg_curl PATCH "/locks/$L2/unlock?k=wrong" -d ''
lg_is "etcd: LSS lock 2 refuses a wrong key: 401" 401 "$LG_STATUS"
lg_curl PUT "/v1/$A?owner=tok-x-0123456789"
lg_is "etcd: lock A still held: another owner gets 423" 423 "$LG_STATUS"
lg_curl DELETE "/v1/$A?owner=tok-a-0123456789"
lg_is "etcd: lock A's owner releases it: 200" 200 "$LG_STATUS"
lg_curl PUT "/v1/$(lg_uuid)"
f=$(jq -r '.lock.fence' <<<"$LG_BODY")
lg_true "etcd: a new lock's fence ($f) is above every LMDB fence ($MAXF)" \
    test "$LG_STATUS" = 201 -a "$f" -gt "$MAXF"
# The semaphore's GET showed the hold that ends first: holder 2's.
lg_curl PUT "/v1/$S?owner=tok-s2-012345678&limit=2&ttl=250"
lg_is "etcd: a semaphore holder refreshes: 200, its fence kept" \
    "200 $(jq -r '.lock.fence' <<<"${SEEN[S]#* }")" \
    "$LG_STATUS $(jq -r '.lock.fence' <<<"$LG_BODY")"
etcd_server_stop E
lg_finish
