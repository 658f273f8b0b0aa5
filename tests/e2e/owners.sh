#!/bin/bash
# tests/e2e/owners.sh: lockgate's safety extensions of the getlock surface
# (doc/API.md section 1: owner, fencing, limit, wait) through a real lighttpd
# running 4 lockgate responders, spoken to with curl:
#   1. the exact answers: owners, refresh, 423 with Retry-After, 409,
#      semaphores (holders, limit, per-holder expiry), every bad parameter,
#      and that a refused request changed nothing;
#   2. a mutex under contention: 12 clients with owners and wait, 4 rounds
#      each: no two holds overlap, fences grow in grant order, every client
#      gets every turn, and about 2 requests a round (waiting, not polling);
#   3. a semaphore of 3 under contention: never more than 3 holders, and 3
#      is reached;
#   4. GET with wait: answered within a second of the release;
#   5. waiters do not starve the others: more waiters than responder
#      processes while plain GETs answer promptly; the bound on waiters
#      (503 with Retry-After: 1) on a 2-thread responder;
#   6. a waiting PUT is woken by the release, not by a fixed sleep;
#   7. a clean stop: no responder left, no error in the logs;
# and no answer ever shows an owner token. They run in the order 1, 4, 6,
# 2, 3, 5, 7, then the bound of 5 on a second lighttpd (same database, so
# fences must keep growing across the restart), stopped as in 7.
# The responders record each durable decision (LOCKGATE_TEST_AUDIT):
# evidence.awk judges each server's whole record (no overlap, fences
# grow, releases of live holds only), and the contention of 2, 3 and 5 is
# also judged by the record's times (the clients' own times miss the
# DELETE's round trip) and by an observer that samples the admin listing
# meanwhile. Waits are judged by the server's own gauges (lockgate_waiting,
# lockgate_waits_total in /metrics) rather than by fixed sleeps.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}
# shellcheck source=contention.sh
. "${0%/*}/contention.sh" || lg_bail "contention.sh loads"

lg_init curl lighttpd jq timeout
START_MS=$(lg_now_ms)
audit_on "$LG_TMP/audit.1"
lg_start_lighttpd 4

HELD="lock is held by another owner"
DIFFERS="limit differs from the held lock's"
LIMIT_OWNER='{"message": {"limit": "needs an owner"}}'
WAIT_MAX='{"message": {"wait": "must be at most 60"}}'
WAIT_OWNER='{"message": {"wait": "needs an owner"}}'
BUSY='{"message": "too many waiting requests"}'

# Owner tokens: each has letters that are not hex digits and a random part,
# so none can turn up in an answer by chance (a UUID or a number).
R=$RANDOM$RANDOM
OA=tok-alice-$R
OB=tok-bob-$R
OC=tok-carol-$R
OD=tok-dave-$R
OH=tok-holder-$R
OSPECIAL="Tok.z_0~9:x@y+q=w/e-$R"
OLONG=tok-$R-$(printf '%0128d' 0)
OLONG=${OLONG:0:128}
OWNERS=("$OA" "$OB" "$OC" "$OD" "$OH" "$OSPECIAL" "$OLONG")
ANSWERS=$LG_TMP/answers	# every answer seen here: the owner leak check
: >"$ANSWERS"

# ---------------------------------------------------------------------------
# Helpers

# section TITLE: a comment line with the time since the start.
section()
{
	local t
	t=$(($(lg_now_ms) - START_MS))
	lg_note "[$((t / 1000)).$((t % 1000 / 100)) s] $*"
}

# req METHOD PATH [CURL-ARGS...]: lg_curl, keeping the answer for the leak
# check at the end.
req()
{
	local h=""

	lg_curl "$@"
	IFS= read -r -d '' h <"$LG_HDRS"
	printf '%s%s' "$h" "$LG_BODY" >>"$ANSWERS"
}

# granted DESC ID TTL [HOLDERS LIMIT]: the last answer is a 201 "lock
# acquired" with this ttl (lg_expect_lock), and lg_fresh: its timestamp is
# the time of the request, expires = timestamp + ttl, and its fence is
# above every fence before. Returns 1 when either check fails.
granted()
{
	local d=$1 id=$2 ttl=$3

	shift 3
	lg_expect_lock "$d: 201 lock acquired" 201 true "lock acquired" "$id" \
	    "$ttl" "$@" || return 1
	lg_fresh "$d" "$ttl"
}

# same_hold DESC FENCE TS EXP: the lock object of the last answer (parsed
# by lg_expect_lock) is this hold.
same_hold()
{
	lg_is "$1" "fence $2, timestamp $3, expires $4" \
	    "fence $LG_FENCE, timestamp $LG_TS, expires $LG_EXP"
}

# retry_after DESC EXP: the last answer's Retry-After is the seconds from
# the request to EXP (ms), rounded up (at least 1): between the value at
# the end of the request and at its start.
retry_after()
{
	local v e lo hi

	v=$(lg_hdr Retry-After)
	e=$(($2 - LG_T1))
	lo=$((e > 0 ? (e + 999) / 1000 : 1))
	e=$(($2 - LG_T0))
	hi=$((e > 0 ? (e + 999) / 1000 : 1))
	if [[ $v =~ ^[0-9]+$ ]] && [ "$v" -ge "$lo" ] && [ "$v" -le "$hi" ]; then
		lg_ok "$1: Retry-After $v (seconds to the first end, rounded up)"
	else
		lg_not_ok "$1: Retry-After" "a whole number from $lo to $hi" "$v"
	fi
}

# snapshot ID: remembers GET /v1/ID (status and exact body) as REF.
REF=""
snapshot()
{
	req GET "/v1/$1"
	REF="$LG_STATUS $LG_BODY"
}

# unchanged DESC ID: GET /v1/ID answers exactly what snapshot saw.
unchanged()
{
	req GET "/v1/$2"
	lg_is "$1: nothing changed (GET after)" "$REF" "$LG_STATUS $LG_BODY"
}

# gone DESC ID: GET /v1/ID is 404 lock not found or expired.
gone()
{
	req GET "/v1/$2"
	lg_expect "$1: GET 404 lock not found or expired" 404 "$LG_NOTFOUND"
}

# refused DESC ID BODY METHOD QUERY [CURL-ARGS...]: METHOD /v1/ID?QUERY
# answers 400 with exactly BODY, and changes nothing (compared with the
# last snapshot of ID).
refused()
{
	local d=$1 id=$2 body=$3 meth=$4 qs=$5

	shift 5
	req "$meth" "/v1/$id?$qs" "$@"
	lg_expect "$d: $meth ?$qs: 400" 400 "$body"
	unchanged "$d: $meth ?$qs" "$id"
}

# ---------------------------------------------------------------------------
# Background clients of this test (contend is in contention.sh).

# waitreq URL METHOD PATH OUT: one request (bounded by curl); OUT then
# holds "status start_ms end_ms", OUT.body the body, OUT.hdr the headers;
# OUT.answers gathers every answer.
# shellcheck disable=SC2317 # run in the background through spawn
waitreq()
{
	local t0 t1 CODE BODY

	: >>"$4.answers"
	bg_now t0
	bg_curl "$2" "$1$3" "$4"
	bg_now t1
	echo "${CODE:-000} $t0 $t1" >"$4"
}

# waiter URL ID OWNER HOLD_MS OUT: PUT ?owner&ttl=5&wait=20; on 201 holds
# HOLD_MS, notes the time and DELETEs. OUT: "put_status put_end_ms
# grant_ms fence end_ms delete_status"; OUT.answers every answer.
# shellcheck disable=SC2317 # run in the background through spawn
waiter()
{
	local url=$1 id=$2 me=$3 hold=$4 out=$5 code t1 ts="-" f="-"
	local end="-" del="-" pause CODE BODY

	: >"$out.answers"
	bg_curl PUT "$url/v1/$id?owner=$me&ttl=5&wait=20" "$out"
	bg_now t1
	code=$CODE
	if [ "$code" = 201 ] && [[ $BODY =~ \"timestamp\":\ ([0-9.]+),.*\"fence\":\ ([0-9]+)\}\}$ ]]; then
		bg_ms ts "${BASH_REMATCH[1]}"
		f=${BASH_REMATCH[2]}
		printf -v pause '0.%03d' "$hold"
		sleep "$pause"
		bg_now end
		bg_curl DELETE "$url/v1/$id?owner=$me" "$out"
		del=$CODE
	fi
	echo "$code $t1 $ts $f $end $del" >"$out"
}
export -f waitreq waiter

# woken SECONDS OUT ID: the DELETE just sent (LG_T0: its start, kept in
# DEL0; LG_FENCE: the hold it released) released ID: B's PUT ?wait=... of
# the waitreq that writes OUT (waited SECONDS) is granted with ttl 30,
# within 0.5 s of the release by the responders' record (the release's
# and the grant's times of decision), and its answer came within 2 s of
# the DELETE by the client's clock (the client's processes, not the
# server, take most of that on a loaded machine).
DEL0=0
woken()
{
	local rel

	DEL0=$LG_T0
	rel=$(audit_at release "$3" "$LG_FENCE")
	waited "$1" "$2"
	LG_T0=$DEL0 LG_T1=$WT1
	granted "B's waiting PUT" "$3" 30.0
	lg_true "B was granted $((${LG_TS:-0} - ${rel:-0})) ms after the release, by the responders' record (0 to 500)" \
	    test -n "$rel" -a "${LG_TS:-0}" -ge "${rel:-0}" \
	    -a "${LG_TS:-0}" -le $((${rel:-0} + 500))
	lg_is "... the record has B's grant at its answer's time" "${LG_TS:-none}" \
	    "$(audit_at grant "$3" "${LG_FENCE:-0}")"
	lg_true "B got the lock $((WT1 - DEL0)) ms after the DELETE was sent (0 to 2000)" \
	    test "$WT1" -ge "$DEL0" -a "$WT1" -le $((DEL0 + 2000))
}

# waits_before: remembers lockgate_waits_total (the requests that ever
# waited, every responder's) in W0, before a request that must not wait.
W0=""
waits_before()
{
	W0=$(metric lockgate_waits_total)
}

# at_once DESC: the last request answered within 1.5 s (what it must not
# do, wait for the lock, would take 3 s at least) and, by the server's
# count since waits_before, did not wait at all.
at_once()
{
	lg_cmp "$1 ($((LG_T1 - LG_T0)) ms, under 1500)" \
	    $((LG_T1 - LG_T0)) -lt 1500
	lg_is "$1: the server counted no wait (lockgate_waits_total)" "$W0" \
	    "$(metric lockgate_waits_total)"
}

# waiting_now DESC N [SECONDS]: polls /metrics until lockgate_waiting (the
# requests waiting now, in every responder) is N, SECONDS at most (default
# 10); one check.
waiting_now()
{
	local t0

	t0=$(lg_now_ms)
	if wait_metric lockgate_waiting "$2" "${3:-10}"; then
		lg_ok "$1: the server counts $2 waiting (after $(took "$t0") ms)"
	else
		lg_not_ok "$1: the server counts $2 waiting" "$2" \
		    "$(metric lockgate_waiting) after $(took "$t0") ms"
	fi
}

# sleep_since T0 MS: sleeps until MS ms have passed since T0 (ms).
sleep_since()
{
	local left=$(($2 - $(took "$1")))

	[ "$left" -gt 0 ] || return 0
	sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
}

# prompt WHAT STATUS: notes WHAT in SLOW when the last request did not
# answer STATUS within 2 s (a request starved by the waiters would hang
# until they end, 20 s), and counts in QUICK those answered within 0.5 s;
# WORST keeps the slowest answer's time (ms), NREQ counts the requests.
SLOW=""
WORST=0
QUICK=0
NREQ=0
prompt()
{
	local t=$((LG_T1 - LG_T0))

	[ "$t" -gt "$WORST" ] && WORST=$t
	NREQ=$((NREQ + 1))
	[ "$t" -lt 500 ] && QUICK=$((QUICK + 1))
	[ "$LG_STATUS" = "$2" ] && [ "$t" -lt 2000 ] ||
	    SLOW="${SLOW}$1: $LG_STATUS in $t ms"$'\n'
}

# prompt_reset: forgets what prompt counted.
prompt_reset()
{
	SLOW=""
	WORST=0
	QUICK=0
	NREQ=0
}

# waited SECONDS OUT: waits up to SECONDS for the clients in BG, then makes
# the answer a waitreq left in OUT the last response (LG_STATUS, LG_HDRS
# and LG_H, LG_BODY; status "none" when there is none) and sets WT1 to
# the time it came (ms).
WT1=0
waited()
{
	local st t0

	wait_pids "$1" "${BG[@]}"
	read -r st t0 WT1 <"$2" 2>/dev/null || st=none t0=0 WT1=0
	lg_readfile "$2.body"
	LG_STATUS=$st
	LG_HDRS=$2.hdr
	lg_parse_headers
}

# ---------------------------------------------------------------------------
section "1. a mutex with an owner: acquire, refresh, refusals"

ID=$(lg_uuid)
gone "fresh id" "$ID"
req PUT "/v1/$ID?owner=$OA&ttl=30"
granted "PUT ?owner=A&ttl=30 on a free lock" "$ID" 30.0
FA=$LG_FENCE TSA=$LG_TS EXA=$LG_EXP
req GET "/v1/$ID"
lg_expect_lock "GET the held lock: 423 lock is active" 423 true \
    "lock is active" "$ID" 30.0 && same_hold "GET shows A's hold" \
    "$FA" "$TSA" "$EXA"

sleep 0.02
req PUT "/v1/$ID?owner=$OA"
if lg_expect_lock "PUT ?owner=A again: 200 lock refreshed" 200 true \
    "lock refreshed" "$ID" 30.0; then
	lg_is "refresh keeps the fence and the timestamp" "$FA $TSA" \
	    "$LG_FENCE $LG_TS"
	lg_expires_now "refresh without ttl" 30
fi
req PUT "/v1/$ID?owner=$OA&ttl=40"
if lg_expect_lock "PUT ?owner=A&ttl=40: 200 refreshed with ttl 40" 200 true \
    "lock refreshed" "$ID" 40.0; then
	lg_is "refresh with a ttl keeps the fence and the timestamp" \
	    "$FA $TSA" "$LG_FENCE $LG_TS"
	lg_expires_now "refresh with ttl=40" 40
fi
EXA=$LG_EXP
snapshot "$ID"

req PUT "/v1/$ID?owner=$OB"
lg_expect_lock "PUT ?owner=B on A's lock: 423 $HELD" 423 true "$HELD" "$ID" \
    40.0 && same_hold "the 423 shows the hold in the way" "$FA" "$TSA" "$EXA"
retry_after "PUT ?owner=B: 423" "$EXA"
unchanged "PUT ?owner=B" "$ID"

waits_before
req PUT "/v1/$ID?owner=$OB&ttl=5&wait=0"
lg_expect_lock "PUT ?owner=B&wait=0: 423 without waiting" 423 true "$HELD" \
    "$ID" 40.0
at_once "wait=0 answers at once"
retry_after "PUT ?owner=B&wait=0: 423" "$EXA"
unchanged "PUT ?owner=B&wait=0" "$ID"

req PUT "/v1/$ID?owner=${OA^^}"
lg_expect_lock "PUT with A's owner in upper case (owners are case-sensitive): 423" \
    423 true "$HELD" "$ID" 40.0
unchanged "PUT with A's owner in upper case" "$ID"

req PUT "/v1/$ID"
lg_expect_lock "plain PUT on a lock held with an owner: 423 $HELD" 423 true \
    "$HELD" "$ID" 40.0 && same_hold "plain PUT's 423 shows A's hold" \
    "$FA" "$TSA" "$EXA"
retry_after "plain PUT: 423" "$EXA"
unchanged "plain PUT" "$ID"

req PUT "/v1/$ID?ttl=1"
lg_expect_lock "plain PUT ?ttl=1 on a lock held with an owner: 423" 423 true \
    "$HELD" "$ID" 40.0
unchanged "plain PUT ?ttl=1 (the ttl was not applied)" "$ID"

req DELETE "/v1/$ID"
lg_expect_lock "plain DELETE on a lock held with an owner: 423 $HELD" 423 \
    true "$HELD" "$ID" 40.0 && same_hold "plain DELETE's 423 shows A's hold" \
    "$FA" "$TSA" "$EXA"
retry_after "plain DELETE: 423" "$EXA"
unchanged "plain DELETE" "$ID"

req DELETE "/v1/$ID?owner=$OB"
lg_expect_lock "DELETE ?owner=B of A's lock: 423 $HELD" 423 true "$HELD" \
    "$ID" 40.0
retry_after "DELETE ?owner=B: 423" "$EXA"
unchanged "DELETE ?owner=B" "$ID"

req PUT "/v1/$ID?owner=$OB&limit=3"
lg_expect_lock "PUT ?owner=B&limit=3 on a held mutex: 409 $DIFFERS" 409 true \
    "$DIFFERS" "$ID" 40.0 && same_hold "the 409 shows A's hold" "$FA" \
    "$TSA" "$EXA"
unchanged "PUT ?owner=B&limit=3" "$ID"
req PUT "/v1/$ID?owner=$OA&limit=2"
lg_expect_lock "PUT ?owner=A&limit=2 by the holder itself: 409" 409 true \
    "$DIFFERS" "$ID" 40.0
unchanged "PUT ?owner=A&limit=2" "$ID"
req PUT "/v1/$ID?owner=$OB&limit=1"
lg_expect_lock "PUT ?owner=B&limit=1 (the same limit, held): 423" 423 true \
    "$HELD" "$ID" 40.0
unchanged "PUT ?owner=B&limit=1" "$ID"

section "1. bad parameters on the held lock: 400, nothing changed"
refused "empty owner" "$ID" "$LG_BAD_OWNER" PUT "owner="
refused "owner with a blank" "$ID" "$LG_BAD_OWNER" PUT "owner=a%20b"
refused "owner with a comma" "$ID" "$LG_BAD_OWNER" PUT "owner=a%2Cb"
refused "owner with '*'" "$ID" "$LG_BAD_OWNER" PUT "owner=a*b"
refused "owner with a non-ASCII letter" "$ID" "$LG_BAD_OWNER" PUT \
    "owner=caf%C3%A9"
# lighttpd itself refuses %00 in a URL (400, HTML): the NUL comes in JSON.
refused "owner with a NUL (JSON body)" "$ID" "$LG_BAD_OWNER" PUT "" \
    "${LG_JSON[@]}" --data-binary '{"owner": "a\u0000b"}'
refused "owner of 129 characters" "$ID" "$LG_BAD_OWNER" PUT "owner=${OLONG}x"
refused "owner A with a trailing blank" "$ID" "$LG_BAD_OWNER" PUT \
    "owner=$OA%20"
refused "owner twice" "$ID" '{"message": "duplicate parameter: owner"}' \
    PUT "owner=$OA&owner=$OB"
for v in 0 1001 -1 1.5 abc "" "%203" 1e2 0x3; do
	refused "limit '$v'" "$ID" "$LG_BAD_LIMIT" PUT "owner=$OA&limit=$v"
done
refused "limit without an owner" "$ID" "$LIMIT_OWNER" PUT "limit=3"
refused "limit 1 without an owner" "$ID" "$LIMIT_OWNER" PUT "limit=1"
refused "wait 61" "$ID" "$WAIT_MAX" PUT "owner=$OB&wait=61"
refused "wait 60.5" "$ID" "$WAIT_MAX" PUT "owner=$OB&wait=60.5"
refused "wait 1e3" "$ID" "$WAIT_MAX" PUT "owner=$OB&wait=1e3"
refused "wait -1" "$ID" '{"message": {"wait": "must be greater than 0"}}' \
    PUT "owner=$OB&wait=-1"
for v in abc nan inf ""; do
	refused "wait '$v'" "$ID" '{"message": {"wait": "must be a number"}}' \
	    PUT "owner=$OB&wait=$v"
done
refused "wait without an owner" "$ID" "$WAIT_OWNER" PUT "wait=5"
refused "wait 0 without an owner" "$ID" "$WAIT_OWNER" PUT "wait=0"
refused "wait without an owner, with a ttl" "$ID" "$WAIT_OWNER" PUT \
    "ttl=5&wait=5"
refused "an unknown parameter next to owner" "$ID" \
    '{"message": "Unknown arguments: x"}' PUT "owner=$OA&x=1"
refused "DELETE with an unknown parameter" "$ID" \
    '{"message": "Unknown arguments: x"}' DELETE "owner=$OA&x=1"
for n in ttl limit wait; do
	refused "DELETE takes no $n" "$ID" \
	    "{\"message\": \"Unknown arguments: $n\"}" DELETE "owner=$OA&$n=2"
done
refused "DELETE with an empty owner" "$ID" "$LG_BAD_OWNER" DELETE "owner="
refused "DELETE with a bad owner" "$ID" "$LG_BAD_OWNER" DELETE "owner=a%20b"
for n in owner ttl limit x; do
	refused "GET takes no $n" "$ID" \
	    "{\"message\": \"Unknown arguments: $n\"}" GET "$n=$OA"
done
refused "GET wait 61" "$ID" "$WAIT_MAX" GET "wait=61"
refused "GET wait abc" "$ID" '{"message": {"wait": "must be a number"}}' \
    GET "wait=abc"

section "1. the holder's release"
req DELETE "/v1/$ID?owner=$OA"
lg_expect_lock "DELETE ?owner=A: 200 lock has been removed, A's hold" 200 \
    false "lock has been removed" "$ID" 40.0 &&
    same_hold "the DELETE shows the hold it removed" "$FA" "$TSA" "$EXA"
gone "after A's release" "$ID"
req DELETE "/v1/$ID?owner=$OA"
lg_expect "DELETE ?owner=A again: 404" 404 "$LG_NOTFOUND"
req DELETE "/v1/$ID?owner=$OB"
lg_expect "DELETE ?owner=B of a free lock: 404" 404 "$LG_NOTFOUND"
req DELETE "/v1/$ID"
lg_expect "plain DELETE of a free lock: 404" 404 "$LG_NOTFOUND"
req PUT "/v1/$ID?owner=$OB&ttl=30"
granted "PUT ?owner=B after A's release: a new hold" "$ID" 30.0
lg_cmp "B's fence is above A's" "$LG_FENCE" -gt "$FA"
req DELETE "/v1/$ID?owner=$OB"
lg_expect_lock "DELETE ?owner=B" 200 false "lock has been removed" "$ID" 30.0

section "1. bad parameters on a free lock: 400, nothing stored"
snapshot "$ID"
lg_is "the free lock answers 404" "404 $LG_NOTFOUND"$'\n' "$REF"
refused "free: empty owner" "$ID" "$LG_BAD_OWNER" PUT "owner="
refused "free: owner of 129 characters" "$ID" "$LG_BAD_OWNER" PUT \
    "owner=${OLONG}x"
refused "free: limit 0" "$ID" "$LG_BAD_LIMIT" PUT "owner=$OA&limit=0"
refused "free: limit 1001" "$ID" "$LG_BAD_LIMIT" PUT "owner=$OA&limit=1001"
refused "free: limit without an owner" "$ID" "$LIMIT_OWNER" PUT "limit=2"
refused "free: wait 61" "$ID" "$WAIT_MAX" PUT "owner=$OA&wait=61"
refused "free: wait without an owner" "$ID" "$WAIT_OWNER" PUT "wait=5"
refused "free: an unknown parameter" "$ID" \
    '{"message": "Unknown arguments: x"}' PUT "owner=$OA&x=1"
refused "free: a bad owner in a form body" "$ID" "$LG_BAD_OWNER" PUT "" \
    -d 'owner=a b'
refused "free: a bad owner in a JSON body" "$ID" "$LG_BAD_OWNER" PUT "" \
    "${LG_JSON[@]}" --data-binary '{"owner": "a,b"}'
refused "free: limit in a JSON body without an owner" "$ID" "$LIMIT_OWNER" \
    PUT "" "${LG_JSON[@]}" --data-binary '{"limit": "2"}'

section "1. owner spellings: query, form, JSON; every allowed character"
ID=$(lg_uuid)
req PUT "/v1/$ID" -G --data-urlencode "owner=$OSPECIAL" -d ttl=30
granted "PUT with an owner of every allowed character (query)" "$ID" 30.0
FS=$LG_FENCE
req PUT "/v1/$ID" --data-urlencode "owner=$OSPECIAL"
lg_expect_lock "the same owner in a form body: 200 refreshed" 200 true \
    "lock refreshed" "$ID" 30.0 && lg_is "same fence" "$FS" "$LG_FENCE"
req PUT "/v1/$ID" "${LG_JSON[@]}" --data-binary "{\"owner\": \"$OSPECIAL\"}"
lg_expect_lock "the same owner in a JSON body: 200 refreshed" 200 true \
    "lock refreshed" "$ID" 30.0 && lg_is "same fence" "$FS" "$LG_FENCE"
req PUT "/v1/$ID" -G --data-urlencode "owner=${OSPECIAL%?}"
lg_expect_lock "the owner less its last character: 423" 423 true "$HELD" \
    "$ID" 30.0
req DELETE "/v1/$ID" --data-urlencode "owner=$OSPECIAL"
lg_expect_lock "DELETE with the owner in a form body: 200" 200 false \
    "lock has been removed" "$ID" 30.0 && lg_is "same fence" "$FS" \
    "$LG_FENCE"
req PUT "/v1/$ID?owner=$OLONG&ttl=30"
granted "PUT with an owner of 128 characters" "$ID" 30.0
req DELETE "/v1/$ID?owner=$OLONG"
lg_expect_lock "DELETE with the owner of 128 characters" 200 false \
    "lock has been removed" "$ID" 30.0
waits_before
req PUT "/v1/$ID?owner=$OA&ttl=30&limit=1&wait=60"
granted "PUT ?limit=1&wait=60 on a free lock: a mutex, at once" "$ID" 30.0
at_once "wait on a free lock does not wait"
req DELETE "/v1/$ID?owner=$OA"
lg_expect_lock "DELETE it" 200 false "lock has been removed" "$ID" 30.0

section "1. a lock held without an owner"
ID=$(lg_uuid)
req PUT "/v1/$ID?ttl=30"
granted "plain PUT ?ttl=30" "$ID" 30.0
FP=$LG_FENCE TSP=$LG_TS EXP_P=$LG_EXP
snapshot "$ID"
req PUT "/v1/$ID?owner=$OA"
lg_expect_lock "PUT ?owner=A on a lock held without an owner: 423" 423 true \
    "$HELD" "$ID" 30.0 && same_hold "the 423 shows the owner-less hold" \
    "$FP" "$TSP" "$EXP_P"
retry_after "PUT ?owner=A on the owner-less lock" "$EXP_P"
unchanged "PUT ?owner=A on the owner-less lock" "$ID"
req PUT "/v1/$ID?owner=$OA&limit=2"
lg_expect_lock "PUT ?owner=A&limit=2 on it: 409" 409 true "$DIFFERS" "$ID" 30.0
unchanged "PUT ?owner=A&limit=2 on the owner-less lock" "$ID"
req DELETE "/v1/$ID?owner=$OA"
lg_expect_lock "DELETE ?owner=A on the owner-less lock: 423" 423 true "$HELD" \
    "$ID" 30.0
retry_after "DELETE ?owner=A on the owner-less lock" "$EXP_P"
unchanged "DELETE ?owner=A on the owner-less lock" "$ID"
req PUT "/v1/$ID"
lg_expect_lock "plain PUT on it: 200 refreshed (getlock's behaviour)" 200 \
    true "lock refreshed" "$ID" 30.0 && lg_is "same fence" "$FP" \
    "$LG_FENCE"
req DELETE "/v1/$ID"
lg_expect_lock "plain DELETE on it: 200 removed" 200 false \
    "lock has been removed" "$ID" 30.0

# ---------------------------------------------------------------------------
section "1. a semaphore of 3"

ID=$(lg_uuid)
req PUT "/v1/$ID?owner=$OA&limit=3&ttl=30"
granted "A: PUT ?limit=3&ttl=30" "$ID" 30.0 1 3
FA=$LG_FENCE TSA=$LG_TS EXA=$LG_EXP
req GET "/v1/$ID"
lg_expect_lock "GET with 1 of 3: 200 lock has free slots" 200 false \
    "lock has free slots" "$ID" 30.0 1 3 &&
    same_hold "it shows A's hold" "$FA" "$TSA" "$EXA"
req PUT "/v1/$ID?owner=$OB&ttl=10"
granted "B: PUT without a limit takes a slot" "$ID" 10.0 2 3
FB=$LG_FENCE TSB=$LG_TS EXB=$LG_EXP
req PUT "/v1/$ID?owner=$OC&limit=3&ttl=20"
granted "C: PUT ?limit=3&ttl=20 takes the last slot" "$ID" 20.0 3 3
FC=$LG_FENCE EXC=$LG_EXP
req GET "/v1/$ID"
lg_expect_lock "GET full: 423 lock is active, holders 3" 423 true \
    "lock is active" "$ID" 10.0 3 3 &&
    same_hold "it shows the hold that ends first (B's)" "$FB" "$TSB" "$EXB"
req PUT "/v1/$ID?owner=$OD"
lg_expect_lock "D: PUT on the full semaphore: 423 $HELD" 423 true "$HELD" \
    "$ID" 10.0 3 3 && same_hold "the 423 shows the first hold to end" \
    "$FB" "$TSB" "$EXB"
retry_after "D's 423 (B's hold ends first)" "$EXB"
req PUT "/v1/$ID?owner=$OD&limit=2"
lg_expect_lock "D: PUT ?limit=2: 409 $DIFFERS" 409 true "$DIFFERS" "$ID" \
    10.0 3 3
req PUT "/v1/$ID?owner=$OA&limit=4"
lg_expect_lock "A (a holder): PUT ?limit=4: 409" 409 true "$DIFFERS" "$ID" \
    10.0 3 3
sleep 0.02
req PUT "/v1/$ID?owner=$OA&limit=3"
if lg_expect_lock "A: PUT ?limit=3 again: 200 refreshed, its own hold" 200 \
    true "lock refreshed" "$ID" 30.0 3 3; then
	lg_is "A's refresh keeps its fence and timestamp" "$FA $TSA" \
	    "$LG_FENCE $LG_TS"
	lg_expires_now "A's refresh" 30
fi
req PUT "/v1/$ID?owner=$OC"
lg_expect_lock "C: PUT without a limit: 200 refreshed, its own hold" 200 true \
    "lock refreshed" "$ID" 20.0 3 3 && lg_is "C's fence" "$FC" "$LG_FENCE"
EXC=$LG_EXP
snapshot "$ID"
req PUT "/v1/$ID"
lg_expect_lock "plain PUT on the semaphore: 423" 423 true "$HELD" "$ID" 10.0 3 3
req DELETE "/v1/$ID"
lg_expect_lock "plain DELETE on the semaphore: 423" 423 true "$HELD" "$ID" \
    10.0 3 3
req DELETE "/v1/$ID?owner=$OD"
lg_expect_lock "DELETE ?owner=D (not a holder): 423" 423 true "$HELD" "$ID" \
    10.0 3 3
retry_after "DELETE ?owner=D" "$EXB"
unchanged "the refused requests on the semaphore" "$ID"
refused "semaphore: limit 0" "$ID" "$LG_BAD_LIMIT" PUT "owner=$OA&limit=0"

req DELETE "/v1/$ID?owner=$OB"
lg_expect_lock "DELETE ?owner=B: 200, B's hold, holders 2" 200 false \
    "lock has been removed" "$ID" 10.0 2 3 &&
    same_hold "the DELETE shows B's hold" "$FB" "$TSB" "$EXB"
req GET "/v1/$ID"
lg_expect_lock "GET with 2 of 3: 200 free slots, C's hold ends first" 200 \
    false "lock has free slots" "$ID" 20.0 2 3 &&
    lg_is "it shows C's hold" "$FC $EXC" "$LG_FENCE $LG_EXP"
waits_before
req GET "/v1/$ID?wait=5"
lg_expect_lock "GET ?wait=5 with free slots: 200 at once" 200 false \
    "lock has free slots" "$ID" 20.0 2 3
at_once "GET ?wait=5 with free slots did not wait"

section "1. each holder's own expiry"
req PUT "/v1/$ID?owner=$OD&ttl=0.5"
granted "D: PUT ?ttl=0.5 takes the third slot" "$ID" 0.5 3 3
FD=$LG_FENCE EXD=$LG_EXP
req GET "/v1/$ID"
lg_expect_lock "GET: full, D's hold ends first" 423 true "lock is active" \
    "$ID" 0.5 3 3 && lg_is "it shows D's hold" "$FD" "$LG_FENCE"
while [ "$(lg_now_ms)" -lt $((EXD + 100)) ]; do sleep 0.02; done
req GET "/v1/$ID"
lg_expect_lock "GET after D's expiry: 200 free slots, holders 2" 200 false \
    "lock has free slots" "$ID" 20.0 2 3
req DELETE "/v1/$ID?owner=$OD"
lg_expect_lock "DELETE ?owner=D after its hold expired (others hold): 423" \
    423 true "$HELD" "$ID" 20.0 2 3
req PUT "/v1/$ID?owner=$OB&ttl=0.6"
granted "B: PUT ?ttl=0.6 fills the semaphore again" "$ID" 0.6 3 3
EXB=$LG_EXP
req PUT "/v1/$ID?owner=$OD&ttl=5&wait=5"
if granted "D: PUT ?wait=5 on the full semaphore gets B's slot when it expires" \
    "$ID" 5.0 3 3; then
	lg_true "D waited for B's expiry and no longer: granted $((LG_TS - EXB)) ms after it (0 to 500)" \
	    test "$LG_TS" -ge "$EXB" -a "$LG_TS" -le $((EXB + 500))
	lg_true "... its answer came $((LG_T1 - EXB)) ms after it (at most 2000)" \
	    test "$LG_T1" -le $((EXB + 2000))
fi
FD=$LG_FENCE
req DELETE "/v1/$ID?owner=$OA"
lg_expect_lock "DELETE ?owner=A: holders 2 remain" 200 false \
    "lock has been removed" "$ID" 30.0 2 3
req DELETE "/v1/$ID?owner=$OC"
lg_expect_lock "DELETE ?owner=C: holders 1 remains" 200 false \
    "lock has been removed" "$ID" 20.0 1 3
req DELETE "/v1/$ID?owner=$OD"
lg_expect_lock "DELETE ?owner=D: holders 0 remain" 200 false \
    "lock has been removed" "$ID" 5.0 0 3 && lg_is "D's fence" "$FD" \
    "$LG_FENCE"
gone "the last holder released" "$ID"
req PUT "/v1/$ID?owner=$OB&limit=2&ttl=30"
granted "the next first holder sets a new limit, 2" "$ID" 30.0 1 2
req DELETE "/v1/$ID?owner=$OB"
lg_expect_lock "DELETE it" 200 false "lock has been removed" "$ID" 30.0 0 2
req PUT "/v1/$ID?owner=$OB&limit=1000&ttl=30"
granted "limit 1000" "$ID" 30.0 1 1000
req DELETE "/v1/$ID?owner=$OB"
lg_expect_lock "DELETE it" 200 false "lock has been removed" "$ID" 30.0 0 1000

# ---------------------------------------------------------------------------
section "4. GET with wait"

ID=$(lg_uuid)
waits_before
req GET "/v1/$ID?wait=3"
lg_expect "GET ?wait=3 on a free lock: 404" 404 "$LG_NOTFOUND"
at_once "... at once"
req PUT "/v1/$ID?owner=$OA&ttl=30"
granted "A holds the lock" "$ID" 30.0
waits_before
req GET "/v1/$ID?wait=0"
lg_expect_lock "GET ?wait=0 on the held lock: 423 at once" 423 true \
    "lock is active" "$ID" 30.0
at_once "... at once"
req GET "/v1/$ID?wait=1"
lg_expect_lock "GET ?wait=1 on the held lock: 423 lock is active" 423 true \
    "lock is active" "$ID" 30.0
lg_true "GET ?wait=1 took about 1 s ($((LG_T1 - LG_T0)) ms, 900 to 2000)" \
    test $((LG_T1 - LG_T0)) -ge 900 -a $((LG_T1 - LG_T0)) -le 2000

BG=()
T=$(lg_now_ms)
spawn 30 waitreq "$LG_URL" GET "/v1/$ID?wait=10" "$LG_TMP/getwait"
waiting_now "GET ?wait=10 on the held lock" 1
sleep_since "$T" 1000
lg_true "GET ?wait=10 is still waiting after 1 s" lg_alive "${BG[0]}"
req DELETE "/v1/$ID?owner=$OA"
lg_expect_lock "A releases" 200 false "lock has been removed" "$ID" 30.0
DEL0=$LG_T0
waited 15 "$LG_TMP/getwait"
lg_is "the waiting GET answers 404 lock not found or expired" \
    "404 $LG_NOTFOUND"$'\n' "$LG_STATUS $LG_BODY"
lg_true "the waiting GET answered $((WT1 - DEL0)) ms after the DELETE was sent (0 to 1000)" \
    test "$WT1" -ge "$DEL0" -a "$WT1" -le $((DEL0 + 1000))

section "4. GET with wait on a lock that expires"
req PUT "/v1/$ID?owner=$OA&ttl=0.5"
granted "A holds with ttl 0.5" "$ID" 0.5
EXA=$LG_EXP
req GET "/v1/$ID?wait=5"
case $LG_BODY in
*'"lock has expired"'*)
	lg_expect_lock "GET ?wait=5 answers when the hold expires: 404 lock has expired" \
	    404 false "lock has expired" "$ID" 0.5
	;;
*)
	lg_expect "GET ?wait=5 answers when the hold expires: 404" 404 \
	    "$LG_NOTFOUND"
	;;
esac
lg_true "... $((LG_T1 - EXA)) ms after the expiry (0 to 500)" \
    test "$LG_T1" -ge "$EXA" -a "$LG_T1" -le $((EXA + 500))

section "4. GET with wait on a full semaphore"
req PUT "/v1/$ID?owner=$OA&ttl=30&limit=2"
granted "A: limit 2" "$ID" 30.0 1 2
req PUT "/v1/$ID?owner=$OB&ttl=30&limit=2"
granted "B: limit 2, full" "$ID" 30.0 2 2
BG=()
spawn 30 waitreq "$LG_URL" GET "/v1/$ID?wait=10" "$LG_TMP/getwait2"
waiting_now "GET ?wait=10 on the full semaphore" 1
lg_true "GET ?wait=10 on the full semaphore is waiting" lg_alive "${BG[0]}"
req DELETE "/v1/$ID?owner=$OB"
lg_expect_lock "B releases" 200 false "lock has been removed" "$ID" 30.0 1 2
DEL0=$LG_T0
waited 15 "$LG_TMP/getwait2"
lg_expect_lock "the waiting GET answers 200 lock has free slots" 200 false \
    "lock has free slots" "$ID" 30.0 1 2
lg_true "... $((WT1 - DEL0)) ms after the DELETE was sent (0 to 1000)" \
    test "$WT1" -ge "$DEL0" -a "$WT1" -le $((DEL0 + 1000))
req DELETE "/v1/$ID?owner=$OA"
lg_expect_lock "A releases" 200 false "lock has been removed" "$ID" 30.0 0 2

# ---------------------------------------------------------------------------
section "6. a waiting PUT is woken by the release"

# Three delays: a server that looked again every second (or every 0.7 s)
# instead of being woken would miss the 0.5 s bound in at least one.
for delay in 0.6 1.1 1.35; do
	ID=$(lg_uuid)
	req PUT "/v1/$ID?owner=$OA&ttl=30"
	granted "A holds with ttl 30" "$ID" 30.0
	BG=()
	T=$(lg_now_ms)
	spawn 40 waitreq "$LG_URL" PUT "/v1/$ID?owner=$OB&ttl=30&wait=20" \
	    "$LG_TMP/putwait"
	waiting_now "B's PUT ?wait=20" 1
	sleep_since "$T" "$(lg_ms "$delay")"
	lg_true "B's PUT ?wait=20 is waiting after $delay s" lg_alive "${BG[0]}"
	req DELETE "/v1/$ID?owner=$OA"
	lg_expect_lock "A releases after $delay s" 200 false \
	    "lock has been removed" "$ID" 30.0
	woken 25 "$LG_TMP/putwait" "$ID"
	lg_true "B's grant time is after the release was sent" \
	    test "${LG_TS:-0}" -ge "$DEL0"
	req DELETE "/v1/$ID?owner=$OB"
	lg_expect_lock "B releases" 200 false "lock has been removed" "$ID" 30.0
done

# ---------------------------------------------------------------------------
section "2. contention on a mutex: 12 clients x 4 rounds"

ID=$(lg_uuid)
contenders 12 55 "$LG_URL" "$ID" "tok-m%d-$R" 4 1 30 80 "$LG_TMP/mx"
observe_start "$ID"
OWNERS+=("${CONTENDERS[@]}")
contention_checks "mutex" 12 4 1 "$LG_TMP/mx" 58
observe_checks "mutex" 1 20
server_checks "mutex" "$LG_TMP/mx" "$ID" 1 0
REQS=$(cat "$LG_TMP"/mx.*.count 2>/dev/null | awk '{ n += $1 } END { print n + 0 }')
NBUSY=$(cat "$LG_TMP"/mx.*.count 2>/dev/null | awk '{ n += $2 } END { print n + 0 }')
lg_note "mutex: $REQS HTTP requests for 48 holds, $NBUSY answered 503"
lg_true "mutex: $REQS requests for 48 holds: about 2 a hold, no polling (96 to 120)" \
    test "$REQS" -ge 96 -a "$REQS" -le $((12 * 4 * 2 + 24))
gone "mutex: after the last release" "$ID"

# ---------------------------------------------------------------------------
section "3. contention on a semaphore of 3: 9 clients x 3 rounds"

ID=$(lg_uuid)
contenders 9 55 "$LG_URL" "$ID" "tok-s%d-$R" 3 3 280 320 "$LG_TMP/sm"
observe_start "$ID"
OWNERS+=("${CONTENDERS[@]}")
contention_checks "semaphore" 9 3 3 "$LG_TMP/sm" 58
observe_checks "semaphore" 3 20
server_checks "semaphore" "$LG_TMP/sm" "$ID" 3 0
lg_is "semaphore: 3 holds at once were reached" 3 "$MAXC"
lg_is "semaphore: every 201 counted at most 3 holders" "" \
    "$(awk '$6 < 1 || $6 > 3 { print }' "$LG_TMP/sm.all")"
lg_cmp "semaphore: some 201 counted 3 holders" \
    "$(awk '$6 == 3 { n++ } END { print n + 0 }' "$LG_TMP/sm.all")" -ge 1
REQS=$(cat "$LG_TMP"/sm.*.count 2>/dev/null | awk '{ n += $1 } END { print n + 0 }')
lg_true "semaphore: $REQS requests for 27 holds: no polling (54 to 70)" \
    test "$REQS" -ge 54 -a "$REQS" -le 70
gone "semaphore: after the last release" "$ID"

# ---------------------------------------------------------------------------
section "5. 12 waiters on 4 responder processes do not starve the others"

ID=$(lg_uuid)
req PUT "/v1/$ID?owner=$OH&ttl=30"
granted "H holds the lock" "$ID" 30.0
TSH=$LG_TS FH=$LG_FENCE
OTHER=$(lg_uuid)
req PUT "/v1/$OTHER?ttl=60"
granted "another lock, held without an owner" "$OTHER" 60.0
BG=()
for i in $(seq 1 12); do
	spawn 45 waiter "$LG_URL" "$ID" "tok-w$i-$R" 50 "$LG_TMP/wt.$i"
	OWNERS+=("tok-w$i-$R")
done
waiting_now "12 waiting PUTs" 12
alive=$(lg_alive_count "${BG[@]}")
lg_is "12 waiting PUTs are waiting" 12 "$alive"
prompt_reset
for i in $(seq 1 20); do
	req GET "/v1/$OTHER"
	prompt "GET $i" 423
	req GET /v1/health
	prompt "health $i" 200
done
lg_is "meanwhile 20 GETs of another lock (423) and 20 of /v1/health (200) each answered within 2 s (slowest $WORST ms)" \
    "" "$SLOW"
lg_cmp "... $QUICK of the $NREQ within 0.5 s (at least 90%)" \
    $((QUICK * 10)) -ge $((NREQ * 9))
# Writes too: a waiter that kept a write transaction open would stop them.
W=$(lg_uuid)
prompt_reset
for i in $(seq 1 5); do
	req PUT "/v1/$W?owner=$OD&ttl=10"
	prompt "PUT $i" 201
	req DELETE "/v1/$W?owner=$OD"
	prompt "DELETE $i" 200
done
lg_is "meanwhile 5 PUTs (201) and DELETEs (200) of a third lock each answered within 2 s (slowest $WORST ms)" \
    "" "$SLOW"
lg_cmp "... $QUICK of the $NREQ within 0.5 s (at least 8)" "$QUICK" -ge 8
alive=$(lg_alive_count "${BG[@]}")
lg_is "the 12 PUTs were still waiting after those GETs" 12 "$alive"
lg_is "... the server still counts 12 waiting" 12 "$(metric lockgate_waiting)"
req DELETE "/v1/$ID?owner=$OH"
lg_expect_lock "H releases" 200 false "lock has been removed" "$ID" 30.0
echo "$TSH $LG_T0 $FH $OH 1 1 released 1" >"$LG_TMP/wt.h"
T=$(lg_now_ms)
wait_pids 40 "${BG[@]}" || lg_note "waiters still running after $(took "$T") ms"
lg_note "the 12 waiters were through $(took "$T") ms after the release"
: >"$LG_TMP/wt.all"
bad=""
for i in $(seq 1 12); do
	if ! read -r st t1 ts f end del <"$LG_TMP/wt.$i" 2>/dev/null; then
		bad="${bad}waiter $i: no result"$'\n'
		continue
	fi
	[ "$st $del" = "201 200" ] ||
	    bad="${bad}waiter $i: PUT $st, DELETE $del"$'\n'
	how=none
	[ "$del" = 200 ] && how=released
	[ "$st" = 201 ] &&
	    echo "$ts $end $f tok-w$i-$R 1 1 $how 1" >>"$LG_TMP/wt.all"
done
lg_is "every waiter got the lock in turn (201, then DELETE 200; none 503)" \
    "" "$bad"
check_holds "$LG_TMP/wt.all" 12 1 "waiters"
# H's hold came first: the record has it too.
cat "$LG_TMP/wt.h" >>"$LG_TMP/wt.all"
server_checks "H and the 12 waiters" "$LG_TMP/wt" "$ID" 1 0
req DELETE "/v1/$OTHER"
lg_expect_lock "the other lock is released" 200 false "lock has been removed" \
    "$OTHER" 60.0

# ---------------------------------------------------------------------------
section "7. stopping lighttpd"

# stopped DESC: stops lighttpd and checks that nothing is left and that
# neither log has an error line.
stopped()
{
	lg_stopped "$1"
	lg_no_errors "$1: the responders' log has no error line" \
	    "$LG_RUN/lockgate.log"
	lg_no_errors "$1: lighttpd's error log has no error line" \
	    "$LG_RUN/error.log"
}
stopped "4 responders"
evidence "4 responders, the whole record"
mv "$LG_RUN" "$LG_TMP/run.4"

# ---------------------------------------------------------------------------
section "5. the bound on waiters: 1 responder with LOCKGATE_THREADS=2 (1 waiting place)"

LOCKGATE_THREADS=2
export LOCKGATE_THREADS
audit_on "$LG_TMP/audit.2"
lg_start_lighttpd 1
unset LOCKGATE_THREADS
for p in $(lg_responders); do
	lg_note "responder $p runs $(find "/proc/$p/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l) threads"
done

ID=$(lg_uuid)
req PUT "/v1/$ID?owner=$OA&ttl=30"
granted "after the restart: A holds, its fence above every earlier one" \
    "$ID" 30.0
BG=()
spawn 30 waitreq "$LG_URL" PUT "/v1/$ID?owner=$OB&ttl=30&wait=10" \
    "$LG_TMP/bound1"
waiting_now "B's PUT ?wait=10" 1
lg_true "B's PUT ?wait=10 waits (it has the one place)" lg_alive "${BG[0]}"
waits_before
req PUT "/v1/$ID?owner=$OC&wait=10"
lg_expect "C's PUT ?wait=10 with the place taken: 503" 503 "$BUSY"
lg_expect_hdr "... with Retry-After: 1" Retry-After 1
at_once "... at once"
waits_before
req GET "/v1/$ID?wait=5"
lg_expect "GET ?wait=5 with the place taken: 503" 503 "$BUSY"
lg_expect_hdr "... with Retry-After: 1" Retry-After 1
at_once "... at once"
req GET "/v1/$ID"
lg_expect_lock "a plain GET still answers: 423" 423 true "lock is active" \
    "$ID" 30.0
lg_cmp "... at once ($((LG_T1 - LG_T0)) ms, under 1500)" \
    $((LG_T1 - LG_T0)) -lt 1500
req GET /v1/health
lg_is "/v1/health answers 200" 200 "$LG_STATUS"
lg_cmp "... at once ($((LG_T1 - LG_T0)) ms, under 1500)" \
    $((LG_T1 - LG_T0)) -lt 1500
FREE=$(lg_uuid)
waits_before
req PUT "/v1/$FREE?owner=$OC&ttl=30&wait=10"
granted "C's PUT ?wait=10 on a free lock needs no waiting place" "$FREE" 30.0
at_once "... at once"
lg_is "B still has the one waiting place" 1 "$(metric lockgate_waiting)"
req DELETE "/v1/$FREE?owner=$OC"
lg_expect_lock "C releases it" 200 false "lock has been removed" "$FREE" 30.0
lg_true "B is still waiting" lg_alive "${BG[0]}"
req DELETE "/v1/$ID?owner=$OA"
lg_expect_lock "A releases" 200 false "lock has been removed" "$ID" 30.0
woken 20 "$LG_TMP/bound1" "$ID"
req PUT "/v1/$ID?owner=$OC&wait=0.5"
lg_expect_lock "the place is free again: C's PUT ?wait=0.5 waits, then 423" \
    423 true "$HELD" "$ID" 30.0
lg_true "... after about 0.5 s ($((LG_T1 - LG_T0)) ms, 400 to 1500)" \
    test $((LG_T1 - LG_T0)) -ge 400 -a $((LG_T1 - LG_T0)) -le 1500
req DELETE "/v1/$ID?owner=$OB"
lg_expect_lock "B releases" 200 false "lock has been removed" "$ID" 30.0
stopped "1 responder with 2 threads"
evidence "1 responder with 2 threads, the whole record"

# ---------------------------------------------------------------------------
section "no answer shows an owner token"

# The background clients kept theirs in *.answers.
cat "$LG_TMP"/*.answers >>"$ANSWERS" 2>/dev/null
leaks=""
for o in "${OWNERS[@]}"; do
	grep -qF -- "$o" "$ANSWERS" && leaks="$leaks $o"
done
lg_is "none of ${#OWNERS[@]} owner tokens appears in the $(grep -c '^HTTP/' "$ANSWERS") answers" \
    "" "$leaks"

lg_note "run time $(took "$START_MS") ms"
lg_finish
