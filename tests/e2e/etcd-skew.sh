#!/bin/bash
# tests/e2e/etcd-skew.sh: what a clock skew between web servers does on
# the etcd backend, as doc/scaling.md states it. Expiry is judged by the
# clock of the server that decides: on a server whose clock is ahead by
# d, a hold ends up to d early (another owner may get the lock while the
# first still believes it holds it, for at most d); on one whose clock is
# behind by d, up to d late. Servers A (a true clock), F (1500 ms fast)
# and S (1500 ms slow, LOCKGATE_TEST_CLOCK_SKEW_MS) share a one-member
# cluster; an owner takes a lock on A, another waits for it on F or on S,
# and the test measures, with its own clock, when the second one got it.
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
SKEW=1500	# ms
SLACK=400	# ms: a request's own time on a busy machine

etcd_cluster_start 1
etcd_server_start A 1
LOCKGATE_TEST_CLOCK_SKEW_MS=$SKEW etcd_server_start F 1
LOCKGATE_TEST_CLOCK_SKEW_MS=-$SKEW etcd_server_start S 1

# on NAME METHOD PATH: lg_curl through server NAME.
on()
{
	local LG_URL=${ETCD_URL[$1]}

	shift
	lg_curl "$@"
}

# handover NAME DESC: owner 1 takes a new lock (ttl 3 s) on A; owner 2
# waits for it on server NAME. Sets E (the expiry owner 1 was told, ms),
# GOT (the test's clock when owner 2's 201 came) and TS (the timestamp of
# owner 2's hold, by NAME's clock).
handover()
{
	local id

	id=$(lg_uuid)
	on A PUT "/v1/$id?owner=owner-one-0123456&ttl=3"
	lg_is "$2: owner 1 takes the lock on A: 201" 201 "$LG_STATUS"
	E=$(jq -r '.lock.expires * 1000 | round' <<<"$LG_BODY")
	on "$1" GET "/v1/$id"
	lg_is "$2: server $1 sees it held until the same instant" \
	    "423 $E" "$LG_STATUS $(jq -r '.lock.expires * 1000 | round' <<<"$LG_BODY")"
	on "$1" PUT "/v1/$id?owner=owner-two-0123456&ttl=3&wait=8"
	GOT=$LG_T1
	lg_is "$2: owner 2, waiting on $1, gets it: 201" 201 "$LG_STATUS"
	TS=$(jq -r '.lock.timestamp * 1000 | round' <<<"$LG_BODY")
}

handover F "clock ahead by $SKEW ms"
lg_true "F granted by its own clock at or after owner 1's expiry ($TS >= $E)" \
    test "$TS" -ge "$E"
lg_true "by the true clock, the hold ended early: $((E - GOT)) ms before its expiry (at most $SKEW)" \
    test "$GOT" -lt "$E" -a "$GOT" -ge $((E - SKEW - 50))
lg_true "...and not much less than the skew early ($((E - GOT)) ms >= $((SKEW - SLACK)))" \
    test $((E - GOT)) -ge $((SKEW - SLACK))

handover S "clock behind by $SKEW ms"
lg_true "S granted by its own clock at or after owner 1's expiry ($TS >= $E)" \
    test "$TS" -ge "$E"
lg_true "by the true clock, the lock was free $((GOT - E)) ms before S gave it (about the skew)" \
    test "$GOT" -ge $((E + SKEW - 50)) -a "$GOT" -le $((E + SKEW + SLACK))

handover A "the same clock"
lg_true "A granted it within $SLACK ms after the expiry ($((GOT - E)) ms)" \
    test "$GOT" -ge $((E - 50)) -a "$GOT" -le $((E + SLACK))

for n in A F S; do
	etcd_server_stop "$n"
done
lg_finish
