#!/bin/bash
# tests/e2e/etcd-suites.sh: lockgate on an etcd cluster. Starts a cluster
# of 3 etcd members on free loopback ports, then:
#   1. across two web servers of its own (each its lighttpd and its
#      responders, both on the cluster): a lock taken on A is 423 on B with
#      the same lock, fences grow whichever server grants, an LSS lock made
#      on A is unlocked on B, and a waiter (wait=10) on one server is
#      granted within 1 s of the DELETE on the other (the etcd watch wakes
#      it), both ways;
#   2. the getlock, LSS and owners suites (getlock.sh, lss.sh, owners.sh)
#      and the operator, client and hostile-input suites (operator.sh,
#      client.sh, hostile.sh), with their own assertions (operator.sh
#      and hostile.sh branch, each branch commented, where etcd
#      legitimately differs: fences not consecutive, no LMDB map,
#      counters per server summed, each server's own logs, the program
#      run as CGI given the cluster): lib.sh, told the cluster
#      (LG_ETCD_ENDPOINTS) and a key prefix of each run's own
#      (LG_ETCD_PREFIX), starts each of their servers as two servers on
#      the cluster behind a round-robin balancer, so that one request of a
#      suite after the other goes to a different server (etcd-lib.sh,
#      etcd_pair_start). Each suite is one check here; its failures and
#      notes are copied into this output.
# A missing etcd is a failure (Debian: etcd-server), never a skip.
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

lg_init curl lighttpd jq timeout
START_MS=$(lg_now_ms)
etcd_cluster_start 3
R=$RANDOM$RANDOM
HELD="lock is held by another owner"

# took T0: prints the milliseconds since T0.
took()
{
	echo $(($(lg_now_ms) - $1))
}

# on SERVER METHOD PATH [CURL-ARGS...]: lg_curl to server SERVER.
on()
{
	local LG_URL=${ETCD_URL[$1]}

	shift
	lg_curl "$@"
}

# lock_of: prints the "lock" object of the last answer, compact (jq).
lock_of()
{
	lg_json_field .lock
}

# bg_put SERVER PATH OUT: in the background, PUT PATH on SERVER; OUT then
# holds "status end_ms", OUT.body the answer. Its pid goes to BGP and to
# LG_BG_PIDS.
BGP=""
bg_put()
{
	(
		code=$(curl -s --max-time 30 -X PUT -o "$3.body" \
		    -w '%{http_code}' "${ETCD_URL[$1]}$2")
		echo "${code:-000} $(lg_now_ms)" >"$3"
	) </dev/null &
	BGP=$!
	LG_BG_PIDS="$LG_BG_PIDS $BGP"
}

# wake FROM TO: a waiter on TO is granted within 1 s of the holder's
# DELETE on FROM: the holder takes a fresh lock on FROM, the waiter's PUT
# ?wait=10 on TO is counted waiting by TO, then the DELETE on FROM.
wake()
{
	local from=$1 to=$2 id out=$LG_TMP/wake.$1$2 fa del st t1 d

	d="a waiter on $to, the DELETE on $from"
	id=$(lg_uuid)
	on "$from" PUT "/v1/$id?owner=holder-$R&ttl=30"
	lg_expect_lock "$d: the holder's PUT on $from: 201" 201 true \
	    "lock acquired" "$id" 30.0 || return 1
	fa=$LG_FENCE
	bg_put "$to" "/v1/$id?owner=waiter-$R&ttl=30&wait=10" "$out"
	if lg_wait_for 10 "$BGP" eval \
	    "[ \"\$(lg_metric_at ${ETCD_URL[$to]} lockgate_waiting)\" = 1 ]"; then
		lg_ok "$d: $to counts the waiter (lockgate_waiting 1)"
	else
		lg_not_ok "$d: $to counts the waiter" "lockgate_waiting 1" \
		    "$(lg_metric_at "${ETCD_URL[$to]}" lockgate_waiting)"
	fi
	on "$from" DELETE "/v1/$id?owner=holder-$R"
	del=$LG_T0
	lg_expect_lock "$d: the holder's DELETE on $from: 200" 200 false \
	    "lock has been removed" "$id" 30.0
	lg_wait_gone "$BGP" 15
	wait "$BGP" 2>/dev/null
	read -r st t1 <"$out" 2>/dev/null || st=none t1=0
	lg_readfile "$out.body"
	LG_STATUS=$st
	lg_is "$d: the waiter's PUT ?wait=10 on $to: 201 lock acquired" \
	    "201 lock acquired" "$st $(lg_json_field .message | tr -d '"')"
	lg_cmp "$d: its fence $(lg_json_field .lock.fence) is above the holder's $fa" \
	    "$(lg_json_field .lock.fence)" -gt "$fa"
	lg_timed
	lg_true "$d: granted $((t1 - del)) ms after the DELETE was sent (0 to 1000)" \
	    test "$t1" -ge "$del" -a "$t1" -le $((del + 1000))
	on "$to" DELETE "/v1/$id?owner=waiter-$R"
	lg_is "$d: the waiter's DELETE on $to: 200" 200 "$LG_STATUS"
}

# lg_metric_at URL NAME: the value of NAME in URL/metrics ("?" if absent).
lg_metric_at()
{
	local v

	v=$(curl -s --max-time 5 "$1/metrics" |
	    awk -v n="$2" '$1 == n { print $2; exit }')
	echo "${v:-?}"
}

# ---------------------------------------------------------------------------
lg_note "1. two servers on the cluster"

LOCKGATE_ETCD_PREFIX=e2e-cross-$R/
export LOCKGATE_ETCD_PREFIX
etcd_server_start A 2
etcd_server_start B 2
unset LOCKGATE_ETCD_PREFIX

ID=$(lg_uuid)
on A PUT "/v1/$ID?owner=a-$R&ttl=30"
lg_expect_lock "PUT ?owner on A: 201" 201 true "lock acquired" "$ID" 30.0
LOCK_A=$(lock_of)
on A GET "/v1/$ID"
GET_A=$LG_BODY
on B GET "/v1/$ID"
lg_expect_lock "GET on B: 423 lock is active" 423 true "lock is active" \
    "$ID" 30.0
lg_is "GET on B: the very answer of GET on A" "$GET_A" "$LG_BODY"
lg_is "GET on B: the lock A granted" "$LOCK_A" "$(lock_of)"
on B PUT "/v1/$ID?owner=b-$R&ttl=30"
lg_expect_lock "PUT ?owner=other on B: 423 $HELD" 423 true "$HELD" "$ID" 30.0
lg_is "PUT on B: 423 with the lock A granted" "$LOCK_A" "$(lock_of)"
lg_like "PUT on B: Retry-After" '^(29|30)$' "$(lg_hdr Retry-After)"
on B PUT "/v1/$ID?owner=a-$R&ttl=40"
lg_expect_lock "the owner's refresh on B: 200" 200 true "lock refreshed" \
    "$ID" 40.0
lg_is "... same fence and timestamp" \
    "$(jq -r '"\(.fence) \(.timestamp)"' <<<"$LOCK_A")" \
    "$(lg_json_field '"\(.lock.fence) \(.lock.timestamp)"' | tr -d '"')"
on A GET "/v1/$ID"
lg_expect_lock "GET on A: the refreshed lock" 423 true "lock is active" \
    "$ID" 40.0
on B DELETE "/v1/$ID?owner=a-$R"
lg_expect_lock "the owner's DELETE on B: 200" 200 false \
    "lock has been removed" "$ID" 40.0
on A GET "/v1/$ID"
lg_expect "GET on A after the DELETE on B: 404" 404 "$LG_NOTFOUND"

# Fences: strictly greater with each grant, whichever server grants (etcd
# revisions: not consecutive).
prev=0 bad=""
for s in A B A B A B; do
	on "$s" PUT "/v1/$(lg_uuid)?ttl=30"
	f=$(lg_json_field .lock.fence)
	[ "$LG_STATUS" = 201 ] && [ "$f" -gt "$prev" ] 2>/dev/null ||
	    bad="$bad $s:$LG_STATUS:$f"
	prev=$f
done
lg_is "6 new locks, A and B in turn: each fence above the one before" "" "$bad"

# The same lock count through both.
on A GET /v1/health
HA=$LG_BODY
on B GET /v1/health
lg_is "GET /v1/health: A and B count the same records" "$HA" "$LG_BODY"

# LSS: made on A, seen, unlocked and locked again on B.
on A POST /locks -d 'l=true'
LSS_ID=$(lg_json_field .lockId | tr -d '"')
LSS_KEY=$(lg_json_field .lockKey | tr -d '"')
lg_like "LSS: POST /locks l=true on A: 200 with an id" "^$LG_ULID_RE\$" \
    "$LSS_ID"
on B GET "/locks/$LSS_ID"
lg_is "LSS: GET on B: 423 (locked)" 423 "$LG_STATUS"
on B PATCH "/locks/$LSS_ID/unlock?k=$LSS_KEY"
lg_is "LSS: PATCH unlock on B with A's key: 204" 204 "$LG_STATUS"
on A GET "/locks/$LSS_ID"
lg_is "LSS: GET on A: 204 (unlocked)" 204 "$LG_STATUS"
on A PATCH "/locks/$LSS_ID/lock?k=wrong"
lg_is "LSS: PATCH lock on A with a wrong key: 401" 401 "$LG_STATUS"

# The watch: a waiter on one server, the release on the other.
wake A B
wake B A

for s in A B; do
	run=${ETCD_SRV_RUN[$s]}
	if etcd_server_stop "$s"; then
		lg_ok "server $s stopped, no responder of it left"
	else
		lg_not_ok "server $s stopped, no responder of it left"
	fi
	lg_is "server $s: no error line in its logs" "" \
	    "$(grep -i error "$run/error.log" "$run/lockgate.log" 2>/dev/null)"
done

# ---------------------------------------------------------------------------
# suite NAME: runs tests/e2e/NAME.sh on the cluster, with a key prefix of
# its own, 240 s at most; one check: it passed (exit 0, "N passed, 0
# failed"). Its lines other than passed checks are copied here, as notes.
suite()
{
	local name=$1 log=$LG_TMP/$1.log t0 rc last

	lg_note "2. $name.sh on the cluster, each server two behind a balancer"
	t0=$(lg_now_ms)
	LG_ETCD_ENDPOINTS=$ETCD_ENDPOINTS LG_ETCD_PREFIX=e2e-$name-$R/ \
	    timeout 240 bash "${0%/*}/$name.sh" >"$log" 2>&1 </dev/null
	rc=$?
	last=$(tail -n 1 "$log")
	grep -v '^ok - ' "$log" | sed "s/^/# $name: /"
	if [ "$rc" = 0 ] && [[ $last =~ ^[0-9]+\ passed,\ 0\ failed ]]; then
		lg_ok "$name.sh on etcd through two servers: $last ($(took "$t0") ms)"
	else
		lg_not_ok "$name.sh on etcd through two servers ($(took "$t0") ms)" \
		    "exit 0, N passed, 0 failed" "exit $rc, $last"
	fi
}

for s in getlock lss owners operator client hostile; do
	suite "$s"
done

# ---------------------------------------------------------------------------
lg_note "the cluster after the suites"
if etcd_wait_leader 5; then
	lg_ok "the cluster still has a leader (m$ETCD_LEADER), every member runs ($(lg_alive_count "${ETCD_PIDS[@]}") of 3)"
else
	lg_not_ok "the cluster still has a leader"
	etcd_dump_logs 20
fi
lg_note "run time $(took "$START_MS") ms"
lg_finish
