#!/bin/bash
# tests/e2e/etcd-faults.sh: lockgate on etcd keeps its promises across web
# servers and while etcd members fail. A 3-member etcd cluster on loopback
# ports (heartbeat 100 ms, election timeout 1 s) and two lighttpd servers,
# A and B, each with its own responders on it (LOCKGATE_STORE=etcd):
#   0. cross-server contention: 12 clients, odd ones on A, even ones on B,
#      take one mutex 4 times each, then a semaphore of 3 twice each, with
#      owners and wait=: no two holds overlap (at most 3 on the semaphore,
#      and 3 is reached), fences strictly increase in grant order, every
#      client gets every turn;
#   1. the same on a mutex while the leader is killed with SIGKILL (and
#      restarted 2 s later);
#   2. on a semaphore of 2 while the leader is stopped with SIGSTOP for
#      3 s (three election timeouts) and then resumed: a new leader is
#      elected meanwhile, the old one catches up;
#   3. on a mutex while a follower is killed for good: the service goes on
#      with two members, without a 503 once the kill is a second old
#      (judged only if etcd held no election meanwhile: on a loaded
#      machine a leader can stall for seconds and be replaced, which no
#      client of etcd can hide; the same for 0's "no 503 at all");
#   4. on a mutex while a second member is killed: with one member of
#      three no write can commit: every request answers 503 with
#      Retry-After: 1 and {"message": "storage unavailable"} (both
#      servers, PUT and DELETE; /v1/health 503) and none answers 201;
#      both members started again, the service comes back by itself
#      within 15 s and the clients all finish their turns.
# Meanwhile a prober takes new locks (ttl 120) on A and B in turn: in each
# phase it sees only 201 and 503, each 503 with Retry-After and the
# storage-unavailable body; at the end every acquisition it saw answered
# 201, in every phase, is still held with its fence. Clients treat a 503
# (or a broken connection) as "not acquired" and try again after 0.1 s
# (contend's RETRY): a 503 is not an acknowledgement.
# Fences are etcd revisions: strictly increasing across both servers, not
# consecutive (only "greater" is checked). Each server records its durable
# decisions (LOCKGATE_TEST_AUDIT, its own file); the two records, merged by
# seq (the etcd revision of each decision: one order across servers), are
# judged by evidence.awk (no overlap, fences grow, no release of a hold
# that was not live, no revision claimed twice) and against what the
# clients saw (server_checks): each acknowledged hold is a grant there,
# ended by its own release. In 4 a hold whose release could not reach a
# quorum may end by expiry instead, but only once its time was up (an
# acknowledged hold is never lost before its expiry). Every etcd revision
# is a decision with its line in the record, except writes answered 503
# that were done after all (a write that timed out may still commit):
# record_gaps places the clients' unclear decisions in those revisions,
# at most one per 503. Every grant's fence is its commit's revision (plus
# one base). The responders of both servers run from start to end (none
# dies) and everything stops. About 70 s on 2 cores (two minutes on a
# loaded machine); every process is ours and on 127.0.0.1.
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
# shellcheck source=etcd-lib.sh
. "${0%/*}/etcd-lib.sh" || lg_bail "etcd-lib.sh loads"

lg_init curl lighttpd jq timeout etcd
START_MS=$(lg_now_ms)
R=$RANDOM$RANDOM
UNAVAIL='{"message": "storage unavailable"}'

# ---------------------------------------------------------------------------
# Background clients (run under timeout through spawn).

# prober URL_A URL_B SERIES OUT: PUTs new ids (?ttl=120, no owner), on A
# and B in turn, one after another with a 50 ms pause, until the file
# OUT.stop exists (so no request is cut short when it stops); one
# line per answer in OUT: "t0 t1 code id fence retry_after kind server",
# t0 and t1 the clock (ms) before and after, fence and retry_after "-"
# when absent, kind "acquired" (201 with its lock object), "unavailable"
# (the 503 body) or "other" (then the answer goes to OUT.odd), server A
# or B.
# shellcheck disable=SC2317 # run in the background through spawn
prober()
{
	local a=$1 b=$2 s=$3 out=$4 i=0 id url srv t0 t1 fence ra kind h
	local CODE BODY

	while [ ! -e "$out.stop" ]; do
		i=$((i + 1))
		printf -v id '%08x-0000-4000-c000-%012x' "$s" "$i"
		url=$a srv=A
		[ $((i % 2)) = 0 ] && url=$b srv=B
		bg_now t0
		bg_curl PUT "$url/v1/$id?ttl=120" "$out.p"
		bg_now t1
		h=""
		IFS= read -r -d '' h <"$out.p.hdr"
		ra=-
		[[ $h =~ [Rr]etry-[Aa]fter:\ *([0-9]+) ]] && ra=${BASH_REMATCH[1]}
		fence=-
		kind=other
		if [ "$CODE" = 201 ] &&
		    [[ $BODY =~ ^\{\"locked\":\ true,\ \"message\":\ \"lock\ acquired\",\ \"lock\":\ \{\"id\":\ \"$id\",.*\"fence\":\ ([0-9]+)\}\}$ ]]; then
			fence=${BASH_REMATCH[1]}
			kind=acquired
		elif [ "$CODE" = 503 ] &&
		    [ "$BODY" = '{"message": "storage unavailable"}' ]; then
			kind=unavailable
		else
			echo "$t0 $srv $id: $CODE $BODY" >>"$out.odd"
		fi
		echo "$t0 $t1 ${CODE:-000} $id $fence $ra $kind $srv" >>"$out"
		sleep 0.05
	done
}
export -f prober

# ---------------------------------------------------------------------------
# Helpers

# spread CLIENTS SECONDS ID OWNER ROUNDS LIMIT HOLD_MIN HOLD_MAX OUT:
# contenders' clients (contention.sh, with RETRY: a 503 or a broken
# connection is tried again), client i on server A when i is odd, on B
# when it is even. Sets BG, CONTENDERS and CONTEND_T0 as contenders does.
spread()
{
	local n=$1 s=$2 id=$3 fmt=$4 i o url

	shift 4
	BG=()
	CONTENDERS=()
	CONTEND_T0=$(lg_now_ms)
	for i in $(seq 1 "$n"); do
		# shellcheck disable=SC2059 # the format is the caller's
		printf -v o "$fmt" "$i"
		url=${ETCD_URL[A]}
		[ $((i % 2)) = 0 ] && url=${ETCD_URL[B]}
		spawn "$s" contend "$url" "$id" "$o" "$1" "$2" "$3" "$4" \
		    "$5.$i" retry
		CONTENDERS+=("$o")
	done
}

# within SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds,
# SECONDS at most by the clock (COMMAND may be slow: a stopped etcd member
# costs a second). True when it did.
within()
{
	local end=$(($(lg_now_ms) + $1 * 1000))

	shift
	until "$@"; do
		[ "$(lg_now_ms)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# back: true when the service is back after TU (ms): both servers answer
# /v1/health with 200 and the prober was answered 201 by each since.
# shellcheck disable=SC2317 # called through within
back()
{
	local s c

	for s in A B; do
		c=$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' \
		    "${ETCD_URL[$s]}/v1/health")
		[ "$c" = 200 ] || return 1
	done
	awk -v a="$TU" '$1 >= a && $3 == 201 { n[$8]++ }
	    END { exit !(n["A"] && n["B"]) }' "$PROBE"
}

# sleep_until MS: sleeps until the clock reads MS (not at all if it is
# past).
sleep_until()
{
	local left=$(($1 - $(lg_now_ms)))

	[ "$left" -gt 0 ] || return 0
	sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
}

# holds_so_far OUT: prints how many holds the clients of OUT recorded.
holds_so_far()
{
	cat "$1".*.holds 2>/dev/null | awk 'END { print NR }'
}

# wait_holds OUT N SECONDS: waits until the clients of OUT have recorded N
# holds, SECONDS at most: the fault then falls in the middle of the
# contention.
wait_holds()
{
	lg_wait_for "$3" "" eval "[ \$(holds_so_far $1) -ge $2 ]"
}

# merge_audit: the two servers' records, one after the other, in AUDIT
# (evidence sorts them by seq).
merge_audit()
{
	cat "$LG_TMP/audit.A" "$LG_TMP/audit.B" >"$AUDIT"
}

# answers_checks DESC OUT: what the clients of OUT were answered, from
# every answer they kept (OUT.*.answers): notes the status codes, and
# checks that each 503 came with a Retry-After and the body
# {"message": "storage unavailable"}. Sets C503 to their number.
answers_checks()
{
	local d=$1 out=$2

	lg_note "$d: the clients' answers: $(cat "$out".*.answers |
	    awk '/^HTTP\/[0-9.]+ [0-9][0-9][0-9]/ { print $2 }' | sort |
	    uniq -c | awk '{ printf "%s%s %s", s, $1, $2; s = ", " }')"
	C503=$(cat "$out".*.answers | grep -c '^HTTP/[0-9.]* 503')
	lg_is "$d: each of the $C503 503s the clients got had a Retry-After and the storage-unavailable body" \
	    "" "$(cat "$out".*.answers | tr -d '\r' | awk -v want="$UNAVAIL" '
		/^HTTP\// { code = $2; ra = ""; next }
		tolower($0) ~ /^retry-after: *[1-9][0-9]*$/ { ra = 1; next }
		/^\{/ && code == 503 && (!ra || $0 != want) {
			printf "503 %s(%s)\n", ra ? "" : "without Retry-After ", $0 }
		/^\{/ { code = "" }' | sort | uniq -c | head -n 5)"
}

# prober_checks DESC FROM TO: the prober's requests sent from FROM to TO
# (ms): only 201 and 503 (a 503 with a Retry-After); notes how many, and
# the longest time between two answered 201 (MAXGAP, ms), from FROM.
prober_checks()
{
	local d=$1 from=$2 to=$3 sel

	sel=$(awk -v a="$from" -v b="$to" '$1 >= a && $1 < b' "$PROBE")
	lg_note "$d: the prober: $(printf '%s\n' "$sel" | awk '$1 != "" { print $3 }' |
	    sort | uniq -c | awk '{ printf "%s%s %s", s, $1, $2; s = ", " }')"
	lg_is "$d: the prober saw only 201 (acquired) and 503 (with Retry-After, storage unavailable)" \
	    "" "$(printf '%s\n' "$sel" | awk '$1 != "" && !($7 == "acquired" ||
	    ($7 == "unavailable" && $6 ~ /^[1-9]/)) { print }' | head -n 5)"
	MAXGAP=$(printf '%s\n' "$sel" | awk -v p="$from" '$7 == "acquired" {
	    if ($2 - p > m) m = $2 - p; p = $2 } END { print m + 0 }')
	lg_note "$d: the longest time without a 201 to the prober: $MAXGAP ms"
}

# lost: prints how many writes the responders of both servers answered 503
# because their answer was lost and a read could not tell whether they
# were done (the warning they log): each may be a decision made without
# its line in the record.
lost()
{
	cat "${ETCD_SRV_RUN[A]}/lockgate.log" "${ETCD_SRV_RUN[B]}/lockgate.log" \
	    2>/dev/null | grep -c "answer was lost"
}

# unsure: prints how many writes were answered 503 so far (the clients',
# the prober's, those sent in part 4 without a quorum): each may have been done after all (a
# write that timed out can still commit) without its line in the record.
unsure()
{
	local c p

	c=$(cat "$LG_TMP"/*.answers 2>/dev/null | grep -c '^HTTP/[0-9.]* 503')
	p=$(awk '$3 == 503' "$PROBE" | wc -l)
	echo $((c + p + ${#DOWN[@]}))
}

# gaps_note DESC: a note before record_gaps (contention.sh), whose words
# are LMDB's: with etcd the seq of a decision is its revision * 65536, so
# each revision without a line is a "transaction the record misses", and
# the "responders killed" are the writes answered 503 (unsure).
gaps_note()
{
	lg_note "$1: below, etcd revisions stand for LMDB transactions and the $(unsure) writes answered 503 so far for the \"responders killed\" ($(lost) of them logged as lost)"
}

# keep_implied: adds the lines record_gaps placed (AUDIT.implied, which
# its next run replaces) to those of every phase ($LG_TMP/implied), and
# sets AUDIT.implied to all of them (for evidence on the whole record).
keep_implied()
{
	sort -u "$AUDIT.implied" "$LG_TMP/implied" -o "$LG_TMP/implied"
	cp "$LG_TMP/implied" "$AUDIT.implied"
}

# phase_checks DESC OUT ID CLIENTS ROUNDS LIMIT SECONDS BOUND: after a
# phase's contention on ID (spread): the clients' view (contention_checks,
# the observer), their answers, and the record of both servers
# (server_checks, BOUND unclear releases at most; with record_gaps: every
# etcd revision so far has its line in the record, but for writes whose
# answer was lost).
phase_checks()
{
	local d=$1 out=$2 id=$3

	contention_checks "$d" "$4" "$5" "$6" "$out" "$7"
	observe_checks "$d" "$6" 5
	answers_checks "$d" "$out"
	merge_audit
	gaps_note "$d"
	server_checks "$d" "$out" "$id" "$6" "$8" "$(unsure)"
	keep_implied
	fence_gaps "$d" "$out.all"
}

# fence_gaps DESC FILE: notes how far apart the fences of successive holds
# in FILE are (etcd revisions: other writes come between).
fence_gaps()
{
	lg_note "$1: fences $(sort -n -k3,3 "$2" | awk 'NR == 1 { lo = $3 }
	    NR > 1 { g = $3 - p; if (g < mn || mn == "") mn = g; if (g > mx) mx = g }
	    { p = $3 } END { printf "%s to %s, successive ones %s to %s apart", lo, p, mn, mx }')"
}

# etcd_term: prints the highest raft term the running members report ("?"
# when none answers): it moves only when there is an election.
etcd_term()
{
	local i a t=""

	for i in $(seq 1 "$ETCD_N"); do
		[ -n "${ETCD_PIDS[$i]}" ] || continue
		a=$(etcd_post "$i" /v3/maintenance/status '{}') || continue
		a=$(printf '%s' "$a" | jq -r '.raftTerm // empty' 2>/dev/null)
		[ -n "$a" ] && { [ -z "$t" ] || [ "$a" -gt "$t" ]; } && t=$a
	done
	echo "${t:-?}"
}

# steady DESC TERM EXPECTED GOT: lg_is, a timing check judged only when
# etcd held no election since its raft term was TERM: on a loaded machine
# a leader can stall for seconds (etcd logs "leader failed to send out
# heartbeat on time") and the others elect another, which no client of
# etcd can hide. Skipped otherwise, with the terms (lg_finish fails the
# script when most timing checks are skipped).
steady()
{
	local now

	now=$(etcd_term)
	if [ "$now" = "$2" ] && [ "$now" != "?" ]; then
		lg_timed
		lg_is "$1" "$3" "$4"
	else
		lg_skip "$1" "etcd held an election by itself (raft term $2, now $now)"
		[ "$3" = "$4" ] || lg_note "(it would have failed: $4)"
	fi
}

# elected_without I: true when every running member but I names one
# leader, not I; sets NEWL to its index.
NEWL=""
# shellcheck disable=SC2317 # called through within
elected_without()
{
	local i st id=""

	NEWL=""
	for i in $(seq 1 "$ETCD_N"); do
		[ "$i" = "$1" ] || [ -z "${ETCD_PIDS[$i]}" ] && continue
		st=$(etcd_status "$i") || return 1
		st=${st#* }
		[ -n "$st" ] && [ "$st" != 0 ] && [ "$st" != "${ETCD_ID[$1]}" ] ||
		    return 1
		[ -z "$id" ] || [ "$id" = "$st" ] || return 1
		id=$st
	done
	for i in $(seq 1 "$ETCD_N"); do
		[ "${ETCD_ID[$i]}" = "$id" ] && NEWL=$i
	done
	[ -n "$NEWL" ]
}

# leader DESC: waits up to 10 s for a leader (ETCD_LEADER); one check.
leader()
{
	if etcd_wait_leader 10; then
		lg_ok "$1: the cluster has a leader (m$ETCD_LEADER)"
	else
		lg_not_ok "$1: the cluster has a leader within 10 s"
		etcd_dump_logs 10
	fi
}

# ---------------------------------------------------------------------------
lg_note "the cluster and the two servers"

etcd_cluster_start 3
TERM0=$(etcd_term)
audit_on "$LG_TMP/audit"
: >"$LG_TMP/implied"
LOCKGATE_TEST_AUDIT=$LG_TMP/audit.A etcd_server_start A 2
LOCKGATE_TEST_AUDIT=$LG_TMP/audit.B etcd_server_start B 2
RESP_A=$(LOCKGATE_DB=${ETCD_SRV_DB[A]} lg_responders | sort | tr '\n' ' ')
RESP_B=$(LOCKGATE_DB=${ETCD_SRV_DB[B]} lg_responders | sort | tr '\n' ' ')
lg_note "responders: A $RESP_A; B $RESP_B"
PROBE=$LG_TMP/probe
: >"$PROBE"
DOWN=()
spawn 300 prober "${ETCD_URL[A]}" "${ETCD_URL[B]}" 7 "$PROBE"
PROBER=${BG[-1]}

# ---------------------------------------------------------------------------
lg_note "0. cross-server contention, no fault"

T=$(lg_now_ms)
ID=$(lg_uuid)
LG_URL=${ETCD_URL[A]}
spread 12 40 "$ID" "tok-m%d-$R" 4 1 30 80 "$LG_TMP/mx"
observe_start "$ID"
phase_checks "mutex" "$LG_TMP/mx" "$ID" 12 4 1 40 0
ID=$(lg_uuid)
LG_URL=${ETCD_URL[B]}
spread 12 40 "$ID" "tok-s%d-$R" 2 3 200 300 "$LG_TMP/sm"
observe_start "$ID"
phase_checks "semaphore of 3" "$LG_TMP/sm" "$ID" 12 2 3 40 0
lg_is "semaphore of 3: 3 holds at once were reached by the clients' times" 3 "$MAXC"
steady "no fault: no client was answered 503" "$TERM0" 0 \
    "$(cat "$LG_TMP"/mx.*.answers "$LG_TMP"/sm.*.answers | grep -c '^HTTP/[0-9.]* 503')"
prober_checks "no fault" "$T" "$(lg_now_ms)"
steady "no fault: every prober request answered 201" "$TERM0" "" \
    "$(awk -v a="$T" '$1 >= a && $3 != 201' "$PROBE" | head -n 3)"
lg_true "both servers made decisions ($(wc -l <"$LG_TMP/audit.A") and $(wc -l <"$LG_TMP/audit.B") lines in their records)" \
    test -s "$LG_TMP/audit.A" -a -s "$LG_TMP/audit.B"

# ---------------------------------------------------------------------------
lg_note "1. the leader killed with SIGKILL during contention on a mutex"

T=$(lg_now_ms)
ID=$(lg_uuid)
LG_URL=${ETCD_URL[A]}
spread 12 60 "$ID" "tok-k%d-$R" 6 1 30 80 "$LG_TMP/k1"
observe_start "$ID"
wait_holds "$LG_TMP/k1" 12 20
leader "1"
L=$ETCD_LEADER
TK=$(lg_now_ms)
etcd_kill "$L" 2>/dev/null
lg_note "1: killed m$L, the leader, after $(holds_so_far "$LG_TMP/k1") holds"
leader "1, after the kill"
lg_note "1: m$ETCD_LEADER elected $(took "$TK") ms after the kill"
lg_timed
lg_true "1: the new leader is another member" test "$ETCD_LEADER" != "$L"
sleep_until $((TK + 2000))
TR=$(lg_now_ms)
lg_true "1: m$L started again 2 s after its kill rejoins" etcd_restart "$L"
lg_note "1: m$L answered a linearizable read $(took "$TR") ms after its restart"
phase_checks "leader killed" "$LG_TMP/k1" "$ID" 12 6 1 60 2
prober_checks "leader killed" "$T" "$(lg_now_ms)"

# ---------------------------------------------------------------------------
lg_note "2. the leader stopped with SIGSTOP for 3 s during contention on a semaphore of 2"

T=$(lg_now_ms)
ID=$(lg_uuid)
LG_URL=${ETCD_URL[B]}
spread 12 60 "$ID" "tok-p%d-$R" 4 2 80 160 "$LG_TMP/p2"
observe_start "$ID"
wait_holds "$LG_TMP/p2" 8 20
leader "2"
L=$ETCD_LEADER
TP=$(lg_now_ms)
etcd_pause "$L"
lg_note "2: stopped m$L, the leader, after $(holds_so_far "$LG_TMP/p2") holds"
# While it is stopped the others elect another (asked alone: a stopped
# member costs etcd_leader a second).
lg_timed
if within 3 elected_without "$L"; then
	lg_ok "2: another member (m$NEWL) was elected while m$L was stopped, $(took "$TP") ms after"
else
	lg_not_ok "2: another member was elected while m$L was stopped (within 3 s)" \
	    "both others name a leader other than m$L" "${NEWL:-none}"
fi
sleep_until $((TP + 3000))
etcd_resume "$L"
lg_note "2: m$L resumed after $(took "$TP") ms"
TR=$(lg_now_ms)
lg_true "2: every member answers a linearizable read again (m$L caught up)" \
    within 10 etcd_all_read
lg_note "2: all members read $(took "$TR") ms after the resume"
phase_checks "leader stopped" "$LG_TMP/p2" "$ID" 12 4 2 60 2
lg_is "leader stopped: 2 holds at once were reached by the clients' times" 2 "$MAXC"
prober_checks "leader stopped" "$T" "$(lg_now_ms)"

# ---------------------------------------------------------------------------
lg_note "3. a follower killed for good during contention on a mutex"

T=$(lg_now_ms)
ID=$(lg_uuid)
LG_URL=${ETCD_URL[A]}
leader "3"
# The first member in the endpoint list that is not the leader.
D=1
[ "$D" = "$ETCD_LEADER" ] && D=2
spread 12 60 "$ID" "tok-d%d-$R" 4 1 30 80 "$LG_TMP/d3"
observe_start "$ID"
wait_holds "$LG_TMP/d3" 8 20
TERM3=$(etcd_term)
TK=$(lg_now_ms)
etcd_kill "$D" 2>/dev/null
lg_note "3: killed m$D, a follower (m$ETCD_LEADER leads), after $(holds_so_far "$LG_TMP/d3") holds"
phase_checks "one member down" "$LG_TMP/d3" "$ID" 12 4 1 60 2
leader "3, with two members"
prober_checks "one member down" "$T" "$(lg_now_ms)"
steady "one member down: every prober request sent 1 s after the kill or later answered 201" \
    "$TERM3" "" \
    "$(awk -v a=$((TK + 1000)) '$1 >= a && $3 != 201' "$PROBE" | head -n 3)"

# ---------------------------------------------------------------------------
lg_note "4. a second member killed: no quorum; both started again"

T=$(lg_now_ms)
ID=$(lg_uuid)
LG_URL=${ETCD_URL[B]}
leader "4"
L=$ETCD_LEADER
for i in 1 2 3; do
	[ "$i" != "$D" ] && [ "$i" != "$L" ] && S=$i
done
spread 12 90 "$ID" "tok-q%d-$R" 4 1 30 80 "$LG_TMP/q4"
observe_start "$ID"
wait_holds "$LG_TMP/q4" 8 20
etcd_kill "$L" 2>/dev/null
TD=$(lg_now_ms)
lg_note "4: killed m$L, the leader, after $(holds_so_far "$LG_TMP/q4") holds: only m$S runs"
# Two owners' writes on each server, and the health of each, at once.
Q=$(lg_uuid)
for s in A B; do
	for r in "PUT owner=tok-x-$R&ttl=30" "DELETE owner=tok-x-$R" "GET health"; do
		m=${r%% *}
		q=${r#* }
		p="/v1/$Q?$q"
		[ "$q" = health ] && p=/v1/health
		(
			curl -s --max-time 20 -X "$m" -D "$LG_TMP/down.$s.$m.hdr" \
			    -o "$LG_TMP/down.$s.$m.body" -w '%{http_code}' \
			    "${ETCD_URL[$s]}$p" >"$LG_TMP/down.$s.$m.code"
		) &
		LG_BG_PIDS="$LG_BG_PIDS $!"
		DOWN+=("$!")
	done
done
wait_pids 25 "${DOWN[@]}"
for s in A B; do
	for m in PUT DELETE; do
		LG_HDRS=$LG_TMP/down.$s.$m.hdr
		lg_parse_headers
		lg_readfile "$LG_TMP/down.$s.$m.body"
		LG_STATUS=$(cat "$LG_TMP/down.$s.$m.code")
		lg_expect "4, no quorum: $m ?owner on server $s: 503 storage unavailable" \
		    503 "$UNAVAIL"
		lg_expect_hdr "4, no quorum: ... with Retry-After: 1" Retry-After 1
	done
	lg_is "4, no quorum: GET /v1/health on server $s: 503" 503 \
	    "$(cat "$LG_TMP/down.$s.GET.code")"
done
lg_true "4, no quorum: m$S answers no linearizable read" eval "! etcd_read $S"
# The outage lasts 4 s at least.
sleep_until $((TD + 4000))
TU=$(lg_now_ms)
lg_note "4: starting m$L and m$D again after $((TU - TD)) ms without a quorum"
etcd_launch "$L"
etcd_launch "$D"
lg_timed
if within 15 back; then
	lg_ok "4: the service came back by itself $(took "$TU") ms after the restart (health 200 on A and B, the prober acquires on both)"
else
	lg_not_ok "4: the service comes back by itself within 15 s of the restart" \
	    "health 200 on A and B, a 201 to the prober on each" \
	    "not after $(took "$TU") ms"
	etcd_dump_logs 10
fi
FIRST=$(awk -v a="$TU" '$2 >= a && $3 == 201 { print $2 - a; exit }' "$PROBE")
lg_note "4: the prober's first 201 came ${FIRST:-never} ms after the restart"
lg_is "4: no 201 to a request sent and answered while there was no quorum ($(awk -v a="$TD" -v b="$TU" '$1 >= a && $2 <= b' "$PROBE" | wc -l) of the prober's)" \
    "" "$(awk -v a="$TD" -v b="$TU" '$1 >= a && $2 <= b && $3 != 503' "$PROBE" | head -n 3)"
leader "4, after the restart"
lg_true "4: every member answers a linearizable read" \
    within 15 etcd_all_read

# The contention: as in server_checks, but a hold whose release could not
# reach a quorum may have expired meanwhile.
contention_checks "no quorum" 12 4 1 "$LG_TMP/q4" 90
observe_checks "no quorum" 1 5
answers_checks "no quorum" "$LG_TMP/q4"
lg_cmp "no quorum: the clients were answered 503 ($C503)" "$C503" -ge 1
merge_audit
gaps_note "no quorum"
# An unclear release answered once its hold's time was up (ttl 5 s) is
# explained by the expiry: record_gaps need not find it a place.
awk '!($7 ~ /^unclear-/ && $10 >= $1 + 5000)' "$LG_TMP/q4.all" >"$LG_TMP/q4g.all"
lg_note "no quorum: $(($(wc -l <"$LG_TMP/q4.all") - $(wc -l <"$LG_TMP/q4g.all"))) unclear releases answered after their hold's expiry, left to evidence"
record_gaps "no quorum" "$LG_TMP/q4g" "$ID" "$(unsure)"
evidence "no quorum, the record of lock $ID" "$ID"
keep_implied
awk -v l="getlock:$ID" '$1 == l' "$AUDIT.holds" >"$LG_TMP/q4.server"
lg_is "no quorum: each hold acknowledged to a client is a grant in the record at its answer's time, ended by its release after the client let go, or by its expiry once the client's DELETE had gone unanswered" \
    "" "$(awk 'NR == FNR { g[$2] = $4; e[$2] = $6; how[$2] = $7; next }
	!($3 in g) { printf "fence %s (%s round %s): no grant in the record\n", $3, $4, $5; next }
	g[$3] != $1 { printf "fence %s: granted at %s in the record, %s in the answer\n", $3, g[$3], $1 }
	how[$3] == "release" && e[$3] < $2 { printf "fence %s: released at %s, before the client let go at %s\n", $3, e[$3], $2 }
	how[$3] == "expiry" && !($7 ~ /^unclear-/ && $10 >= e[$3]) {
		printf "fence %s (%s round %s, %s): expired at %s, the answer %s came at %s\n", $3, $4, $5, $7, e[$3], $7, $10 }
	how[$3] != "release" && how[$3] != "expiry" { printf "fence %s: %s\n", $3, how[$3] }' \
    "$LG_TMP/q4.server" "$LG_TMP/q4.all" | head -n 10)"
lg_note "no quorum: $(awk '$7 != "released"' "$LG_TMP/q4.all" | wc -l) unclear releases; holds ended by expiry in the record: $(awk '$7 == "expiry"' "$LG_TMP/q4.server" | wc -l)"
lg_is "no quorum: the record has no grant the clients were not told of" "" \
    "$(awk 'NR == FNR { c[$3] = 1; next } !($2 in c)' "$LG_TMP/q4.all" \
    "$LG_TMP/q4.server" | head -n 5)"
fence_gaps "no quorum" "$LG_TMP/q4.all"
prober_checks "no quorum" "$T" "$(lg_now_ms)"
lg_timed
lg_cmp "no quorum: the longest time without a 201 to the prober ($MAXGAP ms) is under 4 s + 15 s" \
    "$MAXGAP" -lt 19000

# ---------------------------------------------------------------------------
lg_note "5. afterwards"

: >"$PROBE.stop"
lg_true "the prober stopped within 5 s" wait_pids 5 "$PROBER"
awk '$7 == "acquired" { print $4, $5 }' "$PROBE" | sort >"$PROBE.acks"
N=$(wc -l <"$PROBE.acks")
lg_cmp "the prober's acquisitions answered 201: at least 100 ($N)" "$N" -ge 100
lg_is "... each with its own fence" "$N" \
    "$(awk '{ print $2 }' "$PROBE.acks" | sort -u | wc -l)"
awk -v a="${ETCD_URL[A]}" -v b="${ETCD_URL[B]}" \
    '{ printf "url = \"%s/v1/%s\"\n", NR % 2 ? a : b, $1 }' \
    "$PROBE.acks" >"$LG_TMP/get.cfg"
curl -s --max-time 60 -K "$LG_TMP/get.cfg" |
    jq -r '"\(.lock.id) \(.lock.fence) \(.message)"' >"$PROBE.got" 2>&1
lg_is "every acquisition answered 201 in every phase is still held, with its fence ($N, asked of A and B)" \
    "" "$(awk '{ print $1, $2, "lock is active" }' "$PROBE.acks" |
    diff - "$PROBE.got" | head -n 10)"
merge_audit
awk '$3 == "grant" && $4 ~ /-c000-/ { id = $4; sub(/^getlock:/, "", id)
    f = $5; sub(/^fence=/, "", f); print id, f }' "$AUDIT" | sort >"$PROBE.rec"
lg_is "... and each is a grant in the servers' record, with its fence" "" \
    "$(comm -23 "$PROBE.acks" "$PROBE.rec" | head -n 5)"
comm -13 "$PROBE.acks" "$PROBE.rec" >"$PROBE.extra"
lg_note "the record has $(wc -l <"$PROBE.extra") grants of the prober it was not answered 201 for"
lg_is "... each of them answered 503 (a write whose answer was lost: done after all)" \
    "" "$(awk 'NR == FNR { c[$4] = $3; next } c[$1] != 503 { print $1, $2, "answered", c[$1] ? c[$1] : "never" }' \
    "$PROBE" "$PROBE.extra" | head -n 5)"
lg_is "the prober saw no other answer" "" "$(head -n 5 "$PROBE.odd" 2>/dev/null)"
evidence "the whole record of both servers"
lg_is "every grant's fence is the etcd revision of its commit (seq / 65536) plus one base for all" \
    1 "$(awk '$3 == "grant" { s = $1; sub(/^seq=/, "", s); f = $5
    sub(/^fence=/, "", f); print f - int(s / 65536) }' "$AUDIT" | sort -u | wc -l)"
lg_note "the fence base: $(awk '$3 == "grant" { s = $1; sub(/^seq=/, "", s); f = $5
    sub(/^fence=/, "", f); print f - int(s / 65536); exit }' "$AUDIT"); the record's revisions $(sort -t= -k2,2n "$AUDIT" |
    awk '{ s = $1; sub(/^seq=/, "", s); r = int(s / 65536) } NR == 1 { a = r } END { printf "%s to %s, %d lines", a, r, NR }')"
lg_is "the same responders ran from start to end on A (none died)" "$RESP_A" \
    "$(LOCKGATE_DB=${ETCD_SRV_DB[A]} lg_responders | sort | tr '\n' ' ')"
lg_is "... and on B" "$RESP_B" \
    "$(LOCKGATE_DB=${ETCD_SRV_DB[B]} lg_responders | sort | tr '\n' ' ')"
lg_is "lighttpd saw no responder die" "" \
    "$(grep -h -E 'child (signalled|exited)' "${ETCD_SRV_RUN[A]}/error.log" \
    "${ETCD_SRV_RUN[B]}/error.log")"
lg_note "the responders' logs: $(cat "${ETCD_SRV_RUN[A]}/lockgate.log" \
    "${ETCD_SRV_RUN[B]}/lockgate.log" 2>/dev/null | wc -l) lines, e.g.:"
cat "${ETCD_SRV_RUN[A]}/lockgate.log" "${ETCD_SRV_RUN[B]}/lockgate.log" \
    2>/dev/null | sed 's/^[^a-zA-Z]*//' | sort | uniq -c | sort -rn |
    head -n 5 | sed 's/^/#   /'
for s in A B; do
	# (lg_responders may find a responder's /proc entry gone as it reads)
	if etcd_server_stop "$s" 2>/dev/null; then
		lg_ok "server $s stopped, no responder of it left"
	else
		lg_not_ok "server $s stopped by itself, no responder of it left"
	fi
done
P=("${ETCD_PIDS[@]}")
etcd_stop_all
lg_is "every etcd member stopped" 0 "$(lg_alive_count "${P[@]}")"
lg_note "run time $(took "$START_MS") ms"
lg_finish
