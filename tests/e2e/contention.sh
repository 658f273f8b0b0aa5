# tests/e2e/contention.sh: many clients taking one lock at once, and the
# checks on what they saw. Sourced, after lib.sh, by the contention tests
# (owners.sh, faults.sh):
#	contenders 12 55 "$LG_URL" "$ID" "tok-m%d-$R" 4 1 30 80 "$LG_TMP/mx"
#	contention_checks "mutex" 12 4 1 "$LG_TMP/mx" 58
# and back them with the responders' own record of their decisions
# (audit_on before the server starts; server_checks after the clients) and
# with an observer that samples the admin listing meanwhile (observe_start,
# observe_checks).
# The clients run as "timeout N bash -c ..." so that nothing outlives its
# bound (timeout signals its whole process group); each writes only its
# own files. This file is bash.
# shellcheck shell=bash
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.

# Globals set here are read by the scripts that source this file.
# shellcheck disable=SC2034
MAXC=0		# the most holds at one instant check_holds found
BG=()		# the pids spawn started, the latest batch
AUDIT=""	# the responders' record of durable decisions (audit_on)
OBS_TOKEN=observer-token-$RANDOM$RANDOM	# the admin token (audit_on)
OBS_PID=""	# the observer's pid (observe_start)
OBS_OUT=""	# its samples
EVIDENCE_AWK=${BASH_SOURCE[0]%/*}/evidence.awk

# took START_MS: prints the milliseconds since START_MS.
took()
{
	echo $(($(lg_now_ms) - $1))
}

# wait_pids SECONDS PID...: waits until every PID has ended, at most
# SECONDS in all; true when all did.
wait_pids()
{
	local end=$(($(lg_now_ms) + $1 * 1000)) p

	shift
	for p in "$@"; do
		while lg_alive "$p"; do
			[ "$(lg_now_ms)" -lt "$end" ] || return 1
			sleep 0.05
		done
		wait "$p" 2>/dev/null
	done
	return 0
}

# any_running PID...: true while one of the PIDs runs (and is not a
# zombie), read from /proc without starting a process (lg_alive runs ps),
# for loops that must keep their pace on a loaded machine.
any_running()
{
	local p st

	for p in "$@"; do
		st=""
		IFS= read -r st 2>/dev/null <"/proc/$p/stat" || continue
		st=${st##*) }
		case $st in
		"" | Z*) ;;
		*) return 0 ;;
		esac
	done
	return 1
}

# spawn SECONDS FUNCTION ARGS...: runs FUNCTION (exported with export -f)
# in the background under timeout SECONDS; appends the pid to BG and to
# the pids lg_cleanup stops.
spawn()
{
	local s=$1

	shift
	timeout "$s" bash -c '"$@"' spawn "$@" </dev/null &
	BG+=("$!")
	LG_BG_PIDS="$LG_BG_PIDS $!"
}

# ---------------------------------------------------------------------------
# In the background clients. They run between a grant and its release: they
# fork as little as possible there (no $(...)), so a hold lasts about what
# it says.

# bg_now VAR: sets VAR to the wall clock in ms.
# shellcheck disable=SC2317 # run in the background through spawn
bg_now()
{
	local t=${EPOCHREALTIME/[.,]/}
	printf -v "$1" '%s' $((10#$t / 1000))
}

# bg_ms VAR SECONDS: sets VAR to lockgate's "1700000000.123" in integer ms.
# shellcheck disable=SC2317 # run in the background through spawn
bg_ms()
{
	local i=${2%%.*} f=000
	case $2 in
	*.*) f=${2#*.}000 ;;
	esac
	printf -v "$1" '%s' $((10#$i * 1000 + 10#${f:0:3}))
}

# bg_curl METHOD URL OUT: one request; sets CODE and BODY (without the final
# newline), leaves the headers in OUT.hdr and the body in OUT.body, and
# appends both to OUT.answers when that file exists (owners.sh looks for
# owner tokens in every answer).
# shellcheck disable=SC2317 # run in the background through spawn
bg_curl()
{
	local h=""
	CODE=$(curl -s --max-time 40 -H 'Expect:' -X "$1" -D "$3.hdr" \
	    -o "$3.body" -w '%{http_code}' "$2")
	BODY=""
	IFS= read -r -d '' BODY <"$3.body"
	if [ -e "$3.answers" ]; then
		IFS= read -r -d '' h <"$3.hdr"
		printf '%s%s' "$h" "$BODY" >>"$3.answers"
	fi
	BODY=${BODY%$'\n'}
	return 0
}

# contend_req METHOD URL OUT: contend's request, made again while its
# answer is one to wait out: a 503 after its Retry-After; with contend's
# RETRY, instead, a 5xx or a broken connection (000) after 0.1 s, and a 423
# to a PUT (its wait ran out) at once. Sets CODE, BODY and tries (the
# attempts); counts in contend's n (requests), busy (503s waited out) and
# retries (5xx and 000 tried again).
# shellcheck disable=SC2317 # run in the background through spawn
contend_req()
{
	tries=0
	while :; do
		tries=$((tries + 1))
		n=$((n + 1))
		bg_curl "$1" "$2" "$3"
		if [ -z "$retry" ]; then
			[ "$CODE" = 503 ] || return 0
			busy=$((busy + 1))
			ra=1
			[[ $(<"$3.hdr") =~ [Rr]etry-[Aa]fter:\ *([0-9]+) ]] &&
			    ra=${BASH_REMATCH[1]}
			sleep "$ra"
			continue
		fi
		case $CODE in
		000 | 5??)
			retries=$((retries + 1))
			sleep 0.1
			;;
		423) [ "$1" = PUT ] || return 0 ;;
		*) return 0 ;;
		esac
	done
}

# contend URL ID OWNER ROUNDS LIMIT HOLD_MIN HOLD_MAX OUT [RETRY]: ROUNDS
# times: PUT ?owner=OWNER&ttl=5&wait=30[&limit=LIMIT] until 201, hold
# HOLD_MIN..HOLD_MAX ms (below 1000), note the time, DELETE ?owner=OWNER,
# which must answer 200 with exactly the hold's own lock object (a
# semaphore's also counts the holders left: fewer than LIMIT). Requests
# are made again as contend_req says. With RETRY (responders are being
# killed), a retried PUT may also find its own earlier grant (200 "lock
# refreshed" with that hold), and a retried DELETE a 404 or 423: an
# unclear release (an earlier attempt may have released the lock, which
# may be someone else's already, or the hold may have been lost: only
# the responders' record tells, see server_checks). Writes OUT.holds
# ("grant_ms end_ms fence owner round holders release tries acquired
# answer_ms": grant_ms from the answer's timestamp, end_ms taken just
# before the first DELETE was sent, release "released" or "unclear-CODE",
# tries the DELETE's attempts, acquired "granted" (201) or "found" (a
# retried PUT found its grant: the first answer was lost), answer_ms when
# the DELETE's last answer came), OUT.count ("requests 503s retries"),
# OUT.errors (anything unexpected) and OUT.answers (every answer).
# shellcheck disable=SC2317 # run in the background through spawn
contend()
{
	local url=$1 id=$2 me=$3 rounds=$4 limit=$5 hmin=$6 hmax=$7 out=$8
	local retry=${9:-} n=0 busy=0 retries=0 tries ra r q re start end
	local ts exp fence holders ms pause gone how acq ans CODE BODY

	q="owner=$me&ttl=5&wait=30"
	re="^\{\"locked\": true, \"message\": \"lock (acquired${retry:+|refreshed})\", \"lock\": \{\"id\": \"$id\", \"timestamp\": ([0-9]+\.?[0-9]*), \"ttl\": 5\.0, \"expires\": ([0-9]+\.?[0-9]*), \"fence\": ([0-9]+)"
	if [ "$limit" -gt 1 ]; then
		q="$q&limit=$limit"
		re="$re, \"holders\": ([0-9]+), \"limit\": $limit\}\}$"
	else
		re="$re()\}\}$"
	fi
	: >"$out.holds"
	: >"$out.errors"
	: >"$out.answers"
	for ((r = 1; r <= rounds; r++)); do
		contend_req PUT "$url/v1/$id?$q" "$out"
		acq=granted
		if [ "$CODE" = 200 ] && [ -n "$retry" ] && [ "$tries" -gt 1 ]; then
			acq=found
		elif [ "$CODE" != 201 ]; then
			echo "$me round $r: PUT ?$q answered $CODE $BODY" >>"$out.errors"
			break
		fi
		if ! [[ $BODY =~ $re ]]; then
			echo "$me round $r: PUT ?$q answered $CODE $BODY" >>"$out.errors"
			break
		fi
		ts=${BASH_REMATCH[2]}
		exp=${BASH_REMATCH[3]}
		fence=${BASH_REMATCH[4]}
		holders=${BASH_REMATCH[5]:-1}
		bg_ms start "$ts"
		ms=$((hmin + RANDOM % (hmax - hmin + 1)))
		printf -v pause '0.%03d' "$ms"
		sleep "$pause"
		bg_now end
		contend_req DELETE "$url/v1/$id?owner=$me" "$out"
		bg_now ans
		# The release's answer: the hold's own lock object, exactly.
		gone="{\"locked\": false, \"message\": \"lock has been removed\", \"lock\": {\"id\": \"$id\", \"timestamp\": $ts, \"ttl\": 5.0, \"expires\": $exp, \"fence\": $fence"
		how=""
		if [ "$CODE" = 200 ]; then
			if [ "$limit" -eq 1 ] && [ "$BODY" = "$gone}}" ]; then
				how=released
			elif [ "$limit" -gt 1 ] &&
			    [[ $BODY =~ ^"$gone, \"holders\": "([0-9]+)", \"limit\": $limit}}"$ ]] &&
			    [ "${BASH_REMATCH[1]}" -lt "$limit" ]; then
				how=released
			fi
		elif [ -n "$retry" ] && [ "$tries" -gt 1 ] &&
		    [[ $CODE == 404 || $CODE == 423 ]]; then
			how=unclear-$CODE
		fi
		echo "$start $end $fence $me $r $holders ${how:-none} $tries $acq $ans" >>"$out.holds"
		[ -n "$how" ] && continue
		echo "$me round $r: DELETE ?owner answered $CODE $BODY (own fence $fence)" >>"$out.errors"
		break
	done
	echo "$n $busy $retries" >"$out.count"
}
export -f bg_now bg_ms bg_curl contend_req contend

# observer URL ID AFTER TOKEN OUT: until stopped, asks for the admin
# listing of the one live lock after the cursor AFTER (GET /v1/locks?
# after=AFTER&limit=1 with the admin TOKEN: the lock ID when it is live)
# and appends "status holders" to OUT for each answer, holders being how
# many live holders the listing shows for ID (0 when it lists another).
# shellcheck disable=SC2317 # run in the background through spawn
observer()
{
	local url=$1 id=$2 after=$3 tok=$4 out=$5 code body rest h

	: >"$out"
	while :; do
		code=$(curl -s --max-time 5 -H "Authorization: Bearer $tok" \
		    -o "$out.body" -w '%{http_code}' \
		    "$url/v1/locks?after=$after&limit=1")
		body=""
		IFS= read -r -d '' body <"$out.body"
		h=0
		if [[ $body == *"\"id\": \"$id\""* ]]; then
			rest=$body
			while [[ $rest == *'"fence": '* ]]; do
				rest=${rest#*'"fence": '}
				h=$((h + 1))
			done
		fi
		echo "${code:-000} $h" >>"$out"
		sleep 0.01
	done
}
export -f observer

# contenders CLIENTS SECONDS URL ID OWNER ROUNDS LIMIT HOLD_MIN HOLD_MAX OUT
# [RETRY]: starts CLIENTS contend clients on ID (spawn SECONDS), client i
# as the owner OWNER (a printf format: %d is i), writing OUT.i. Sets BG to
# their pids, CONTENDERS to their owners and CONTEND_T0 to the start.
CONTENDERS=()
CONTEND_T0=0
contenders()
{
	local n=$1 s=$2 url=$3 id=$4 fmt=$5 i o

	shift 5
	BG=()
	CONTENDERS=()
	CONTEND_T0=$(lg_now_ms)
	for i in $(seq 1 "$n"); do
		# shellcheck disable=SC2059 # the format is the caller's
		printf -v o "$fmt" "$i"
		spawn "$s" contend "$url" "$id" "$o" "$1" "$2" "$3" "$4" \
		    "$5.$i" ${6:+"$6"}
		CONTENDERS+=("$o")
	done
}

# ---------------------------------------------------------------------------
# Checks on what the clients saw

# contention_checks DESC CLIENTS ROUNDS LIMIT OUT SECONDS [BOUND]: after
# contenders started CLIENTS clients of ROUNDS rounds each on a lock with
# LIMIT holders: waits up to SECONDS for them (the bound is BOUND seconds
# from their start, default SECONDS), gathers their holds in OUT.all, and
# checks that all ended, that none saw an unexpected answer, that each
# held the lock ROUNDS times, and check_holds. DESC begins each
# description but the first.
contention_checks()
{
	local d=$1 n=$2 rounds=$3 out=$5 i c bad=""

	if wait_pids "$6" "${BG[@]}"; then
		lg_ok "the $n clients ended within the bound ($(took "$CONTEND_T0") ms)"
	else
		lg_not_ok "the $n clients ended within ${7:-$6} s" "all ended" \
		    "still running after $(took "$CONTEND_T0") ms"
	fi
	cat "$out".*.holds >"$out.all" 2>/dev/null
	lg_is "$d: no client saw an unexpected answer" "" \
	    "$(cat "$out".*.errors 2>/dev/null)"
	for i in $(seq 1 "$n"); do
		c=$(awk 'END { print NR }' "$out.$i.holds" 2>/dev/null)
		[ "${c:-0}" = "$rounds" ] ||
		    bad="${bad}client $i: ${c:-0} grants"$'\n'
	done
	lg_is "$d: every client got all $rounds turns" "" "$bad"
	check_holds "$out.all" $((n * rounds)) "$4" "$d"
}

# check_holds FILE N LIMIT DESC: FILE holds "grant end fence owner round
# holders" lines; sorted by grant time: N of them, fences distinct and
# growing in grant order and above LG_MAXF (then raised to the highest),
# and at most LIMIT holds at any instant (a hold is [grant, end]; an end at
# the very instant of a grant does not count as overlapping), reaching
# LIMIT (the most at once is left in MAXC). Prints nothing; counts checks.
check_holds()
{
	local f=$1 n=$2 limit=$3 d=$4 got out

	sort -n -k1,1 -k3,3 "$f" >"$f.sorted"
	got=$(wc -l <"$f.sorted")
	lg_is "$d: $n holds recorded" "$n" "$got"
	out=$(awk '
	    NR > 1 && $3 <= pf { printf "fence %s (grant %s) after fence %s (grant %s)\n", $3, $1, pf, pg }
	    { pf = $3; pg = $1 }' "$f.sorted")
	lg_is "$d: fences strictly increase in grant order" "" "$out"
	lg_is "$d: fences are all distinct" "$got" \
	    "$(awk '{ print $3 }' "$f" | sort -u | wc -l)"
	lg_is "$d: every hold ends after it starts" "" \
	    "$(awk '$2 < $1 { print }' "$f")"
	lg_cmp "$d: fences above every earlier fence ($LG_MAXF)" \
	    "$(head -n 1 "$f.sorted" | awk '{ print $3 + 0 }')" -gt "$LG_MAXF"
	LG_MAXF=$(awk '$3 > m { m = $3 } END { print m + 0 }' "$f")
	# Events: an end sorts before a grant at the same millisecond.
	out=$(awk '{ print $1, 1; print $2, 0 }' "$f" | sort -n -k1,1 -k2,2 |
	    awk -v lim="$limit" '
		$2 == 1 { c++; if (c > m) m = c; if (c > lim) bad = bad " " $1 }
		$2 == 0 { c-- }
		END { print m + 0; print "x" bad }')
	MAXC=$(printf '%s\n' "$out" | head -n 1)
	lg_cmp "$d: at most $limit holds at any instant (at most $MAXC)" \
	    "$MAXC" -le "$limit"
	lg_is "$d: no grant while $limit were held" "x" \
	    "$(printf '%s\n' "$out" | tail -n 1)"
	if [ "$limit" -eq 1 ]; then
		out=$(awk 'NR > 1 && $1 < pe { printf "%s (grant %s) before %s (end %s) released\n", $4, $1, po, pe }
		    { pe = $2; po = $4 }' "$f.sorted")
		lg_is "$d: no two holds overlap (each end before the next grant)" \
		    "" "$out"
	fi
}

# ---------------------------------------------------------------------------
# The server's side: what the responders say, not what the clients saw

# audit_on FILE: the responders started from now on record each durable
# decision in FILE (LOCKGATE_TEST_AUDIT, emptied here) and accept OBS_TOKEN
# as the admin token, for the observer; sets AUDIT.
audit_on()
{
	AUDIT=$1
	: >"$AUDIT"
	: >"$AUDIT.implied"
	LOCKGATE_TEST_AUDIT=$AUDIT
	LOCKGATE_ADMIN_TOKEN=$OBS_TOKEN
	export LOCKGATE_TEST_AUDIT LOCKGATE_ADMIN_TOKEN
}

# evidence DESC [ID]: evidence.awk's verdict on AUDIT (sorted by seq, with
# the lines record_gaps placed in AUDIT.implied) for every lock or, with
# ID, for the lock ID alone: notes its summary and its
# violations (the first 20, each as "# violation: ..."), and checks that
# there is none. Sets EV_GRANTS, EV_REFRESHES, EV_RELEASES, EV_EXPIRED,
# EV_BAD and EV_MAX from the summary, and leaves the holds it found in
# AUDIT.holds (see evidence.awk). Returns 1 when it found a violation.
EV_GRANTS=0 EV_REFRESHES=0 EV_RELEASES=0 EV_EXPIRED=0 EV_BAD=0 EV_MAX=0
evidence()
{
	local d=$1 only=${2:+getlock:$2} out sum re v

	: >"$AUDIT.holds"
	[ -e "$AUDIT.implied" ] || : >"$AUDIT.implied"
	out=$(sort -t= -k2,2n "$AUDIT" "$AUDIT.implied" |
	    awk -v only="$only" -v holds_out="$AUDIT.holds" -f "$EVIDENCE_AWK")
	sum=$(printf '%s\n' "$out" | tail -n 1)
	lg_note "$d: $sum"
	printf '%s\n' "$out" | grep -v '^evidence: ' | head -n 20 |
	    while IFS= read -r v; do lg_note "violation: $v"; done
	re='^evidence: ([0-9]+) grants, ([0-9]+) refreshes, ([0-9]+) releases, ([0-9]+) ended by expiry, ([0-9]+) violations, max ([0-9]+) holders$'
	if ! [[ $sum =~ $re ]]; then
		lg_not_ok "$d: evidence.awk judges the responders' record" \
		    "its summary line" "$out"
		EV_BAD=1
		return 1
	fi
	EV_GRANTS=${BASH_REMATCH[1]} EV_REFRESHES=${BASH_REMATCH[2]}
	EV_RELEASES=${BASH_REMATCH[3]} EV_EXPIRED=${BASH_REMATCH[4]}
	EV_BAD=${BASH_REMATCH[5]} EV_MAX=${BASH_REMATCH[6]}
	lg_is "$d: the responders' record shows no violation (overlap, fence, release, seq)" \
	    0 "$EV_BAD"
	[ "$EV_BAD" -eq 0 ]
}

# audit_at EVENT ID FENCE: prints the time (ms) the record gives to the
# first EVENT (grant, refresh, release) of the hold FENCE of lock ID,
# nothing when it has none.
audit_at()
{
	awk -v e="$1" -v l="getlock:$2" -v f="fence=$3" \
	    '$3 == e && $4 == l && $5 == f { sub(/^at=/, "", $2); print $2; exit }' \
	    "$AUDIT"
}

# server_checks DESC OUT ID LIMIT BOUND [KILLS]: after contention_checks gathered
# the clients' holds of lock ID in OUT.all: evidence for ID alone, then
# that the record and the clients agree: every hold a client was granted
# is a grant in the record at the very time its answer gave, ended by its
# release (never by expiry) no earlier than the client let go, and the
# record has no grant beyond those (at most as many as the unclear
# releases); at most LIMIT holders at once by the record's times, reached
# when LIMIT > 1. The unclear releases (a retried DELETE answered 404 or
# 423) are counted, must be at most BOUND, and each is settled by the
# record's release of that fence. Notes how much of each hold the clients
# could not see (from the time they sent DELETE to the release). With
# KILLS (responders were killed, that many), record_gaps first.
server_checks()
{
	local d=$1 out=$2 id=$3 limit=$4 bound=$5 n u bad extra

	[ -z "${6:-}" ] || record_gaps "$d" "$out" "$id" "$6"
	evidence "$d, the responders' record of lock $id" "$id"
	awk -v l="getlock:$id" '$1 == l' "$AUDIT.holds" >"$out.server"
	n=$(wc -l <"$out.all")
	u=$(awk '$7 ~ /^unclear/' "$out.all" | wc -l)
	lg_note "$d: $u unclear releases of $n holds (bound $bound)$(awk '$7 ~ /^unclear/ { printf "%s %s round %s (%s, %s attempts)", (s ? ";" : ":"), $4, $5, $7, $8; s = 1 }' "$out.all")"
	lg_cmp "$d: unclear releases (a retried DELETE answered 404 or 423) at most $bound" \
	    "$u" -le "$bound"
	bad=$(awk 'NR == FNR { g[$2] = $4; e[$2] = $6; how[$2] = $7; next }
	    !($3 in g) { printf "fence %s (%s round %s): no grant in the record\n", $3, $4, $5; next }
	    g[$3] != $1 { printf "fence %s: granted at %s in the record, %s in the answer\n", $3, g[$3], $1 }
	    how[$3] != "release" { printf "fence %s (%s round %s, %s): ended by %s at %s\n", $3, $4, $5, $7, how[$3], e[$3]; next }
	    e[$3] < $2 { printf "fence %s: released at %s, before the client let go at %s\n", $3, e[$3], $2 }' \
	    "$out.server" "$out.all" | head -n 10)
	lg_is "$d: each of the $n holds is a grant in the record at its answer's time, ended by its release after the client let go (unclear ones included)" \
	    "" "$bad"
	extra=$(awk 'NR == FNR { c[$3] = 1; next } !($2 in c)' "$out.all" \
	    "$out.server" | wc -l)
	lg_true "$d: $EV_GRANTS grants in the record, $n acknowledged to the clients ($extra more, at most the $u unclear releases)" \
	    test "$EV_GRANTS" -ge "$n" -a "$extra" -le "$u" \
	    -a "$EV_GRANTS" -eq $((n + extra))
	lg_cmp "$d: at most $limit holders at once by the record's times (max $EV_MAX)" \
	    "$EV_MAX" -le "$limit"
	if [ "$limit" -gt 1 ]; then
		lg_is "$d: the record reached $limit holders at once" "$limit" \
		    "$EV_MAX"
	fi
	lg_note "$d: the record's releases came $(awk 'NR == FNR { e[$2] = $6; next }
	    ($3 in e) { t = e[$3] - $2; s += t; if (t > m) m = t; k++ }
	    END { printf "%d ms on average (at most %d ms)", k ? s / k : 0, m }' \
	    "$out.server" "$out.all") after the clients let go: the part of each hold the clients' times miss"
}

# id_before ID: prints the cursor of the admin listing just before lock ID
# (getlock: and the id less one), so that GET /v1/locks?after=THAT&limit=1
# lists ID when it is live. ID's last group must not be all zeros (a
# random one never is, in practice).
id_before()
{
	local head=${1%-*} last=${1##*-}

	[ $((16#$last)) -gt 0 ] || return 1
	printf 'getlock:%s-%012x\n' "$head" $((16#$last - 1))
}

# observe_start ID: starts the observer of lock ID on LG_URL (the servers
# must have been started after audit_on, for the admin token); its samples
# go to $LG_TMP/observe.ID.
observe_start()
{
	local after

	after=$(id_before "$1") || lg_bail "a lock id whose last group is not zero" "$1"
	OBS_OUT=$LG_TMP/observe.$1
	spawn 300 observer "$LG_URL" "$1" "$after" "$OBS_TOKEN" "$OBS_OUT"
	OBS_PID=${BG[-1]}
	unset 'BG[-1]'
}

# observe_checks DESC LIMIT MIN: stops the observer; at least MIN samples
# were answered 200, and none showed more than LIMIT live holders (an
# independent look at the lock while the clients contended for it).
observe_checks()
{
	local d=$1 limit=$2 min=$3 ok

	kill -TERM "$OBS_PID" 2>/dev/null
	wait_pids 5 "$OBS_PID"
	ok=$(awk '$1 == 200' "$OBS_OUT" | wc -l)
	lg_note "$d: the observer's samples: $(awk '$1 == 200 { print $2 }' "$OBS_OUT" | sort -n | uniq -c | awk '{ printf "%s%s showing %s holders", s, $1, $2; s = ", " }'), $(awk '$1 != 200' "$OBS_OUT" | wc -l) not answered 200"
	lg_cmp "$d: the observer's listing of the lock answered 200 at least $min times ($ok)" \
	    "$ok" -ge "$min"
	lg_is "$d: no sample of the admin listing showed more than $limit holders" \
	    "" "$(awk -v l="$limit" '$1 == 200 && $2 > l' "$OBS_OUT" | head -n 5)"
}

# metric NAME: prints the value of NAME in LG_URL/metrics ("?" when it is
# not there). On etcd (etcd-suites.sh) LG_URL is a balancer in front of
# two servers that count their own requests: their sum (etcd_metric).
metric()
{
	local v

	if [ -n "${LG_ETCD_ENDPOINTS:-}" ]; then
		etcd_metric "$1" "?"
		return
	fi
	v=$(curl -s --max-time 5 "$LG_URL/metrics" |
	    awk -v n="$1" '$1 == n { print $2; exit }')
	echo "${v:-?}"
}

# wait_metric NAME VALUE SECONDS: asks for NAME every 0.05 s, SECONDS at
# most, until it reads VALUE; true when it did.
wait_metric()
{
	lg_wait_for "$3" "" eval "[ \"\$(metric $1)\" = $2 ]"
}

# record_gaps DESC OUT ID KILLS: for a contention on lock ID whose
# responders were killed (KILLS of them), the decisions that were made
# durable but are missing from AUDIT: a responder killed between a commit
# and its line in the record leaves that transaction's id missing from
# the record (LMDB numbers committed write transactions one after the
# other), and its client without an answer. The clients saw such
# decisions as unclear (OUT.all, see contend): a retried PUT that found
# its own grant (the grant's line may be missing) and a retried DELETE
# answered 404 or 423 (the release's line may be missing). Each one the
# record lacks is placed in a missing transaction where it fits, if there
# is one: a grant between the grants of the next lower and higher fences
# and at its answer's time; a release after its hold's last line, between
# the time its client sent the first DELETE and the time the last answer
# came. The placed lines go to AUDIT.implied, for evidence; checks that
# the record misses at most KILLS transactions and that every unclear
# decision it lacks was placed.
record_gaps()
{
	local d=$1 out=$2 id=$3 kills=$4 sum

	awk -v l="getlock:$id" '$9 == "found" { print "grant", l, $3, $1, 5000 }
	    $7 ~ /^unclear/ { print "release", l, $3, $2, $10 }' "$out.all" \
	    >"$out.unclear"
	sort -t= -k2,2n "$AUDIT" | awk -v implied="$AUDIT.implied" '
	function val(s) { sub(/^[a-z]+=/, "", s); return s }
	function txn(s) { return int(s / 65536) }
	# first_gap FROM TO AT0 AT1: the first gap whose transactions come
	# after seq FROM (or hold it) and before seq TO, and whose times meet
	# [AT0, AT1]; 0 when none.
	function first_gap(from, to, at0, at1,    g) {
		for (g = 1; g <= ng; g++)
			if (gt[g] >= txn(from) && g1[g] + 0 <= to + 0 &&
			    ga0[g] + 0 <= at1 + 0 && ga1[g] + 0 >= at0 + 0)
				return g
		return 0
	}
	# place G EVENT LOCK FENCE AT EXPIRES HOLDERS SLOT: writes a line in
	# the first transaction of gap G, releases (SLOT 0) before grants (1)
	# before the releases of holds granted in that gap (2); prints its seq.
	function place(g, ev, lock, fence, at, until, h, slot,    q) {
		q = gt[g] * 65536 + slot * 16384 + used[g, slot]++
		printf "seq=%.0f at=%.0f %s %s fence=%s expires=%.0f holders=%s limit=%s implied\n", \
		    q, at, ev, lock, fence, until, h, lim[lock] > implied
		return q
	}
	NR == FNR { kind[NR] = $1; lk[NR] = $2; fn[NR] = $3; ta[NR] = $4
		tb[NR] = $5; nl = NR; next }
	{
		n++; s[n] = val($1); t[n] = val($2)
		k = $4 SUBSEP val($5)
		lim[$4] = val($8)
		if ($3 == "grant") { gs[val($5)] = s[n]; gr[k] = 1 }
		if ($3 == "grant" || $3 == "refresh") {
			if (!(k in first)) first[k] = s[n]
			last[k] = s[n]; ex[k] = val($6)
		}
		if ($3 == "release") rel[k] = 1
	}
	END {
		for (i = 2; i <= n; i++)
			if (txn(s[i]) > txn(s[i - 1]) + 1) {
				ng++; gt[ng] = txn(s[i - 1]) + 1
				g0[ng] = s[i - 1]; g1[ng] = s[i]
				ga0[ng] = t[i - 1]; ga1[ng] = t[i]
				missing += txn(s[i]) - txn(s[i - 1]) - 1
			}
		for (j = 1; j <= nl; j++) {
			if (kind[j] != "grant") continue
			k = lk[j] SUBSEP fn[j]
			if (k in gr) continue
			want++
			lo = 0; hi = 1e18
			for (f in gs) {
				if (f + 0 < fn[j] + 0 && gs[f] + 0 > lo + 0) lo = gs[f]
				if (f + 0 > fn[j] + 0 && gs[f] + 0 < hi + 0) hi = gs[f]
			}
			if ((k in first) && first[k] + 0 < hi + 0) hi = first[k]
			g = first_gap(lo, hi, ta[j], ta[j])
			if (!g) { printf "unplaced: grant %s fence %s at %s\n", lk[j], fn[j], ta[j]; continue }
			q = place(g, "grant", lk[j], fn[j], ta[j], ta[j] + tb[j], 1, 1)
			ingap[k] = g
			if (!(k in last)) { last[k] = q; ex[k] = ta[j] + tb[j] }
			got++
		}
		for (j = 1; j <= nl; j++) {
			if (kind[j] != "release") continue
			k = lk[j] SUBSEP fn[j]
			if (k in rel) continue
			want++
			g = first_gap(last[k], 1e18, ta[j], tb[j])
			if (!g) { printf "unplaced: release %s fence %s between %s and %s\n", lk[j], fn[j], ta[j], tb[j]; continue }
			at = ga0[g] + 0 > ta[j] + 0 ? ga0[g] : ta[j]
			place(g, "release", lk[j], fn[j], at, ex[k], 0,
			    (k in ingap) && ingap[k] == g ? 2 : 0)
			got++
		}
		printf "%d %d %d %d\n", missing + 0, ng + 0, want + 0, got + 0
	}' "$out.unclear" - >"$out.gaps"
	sum=$(tail -n 1 "$out.gaps")
	read -r EV_MISSING EV_GAPS EV_WANT EV_PLACED <<<"$sum"
	lg_note "$d: the record misses $EV_MISSING transactions ($EV_GAPS gaps; $kills responders were killed); of the unclear decisions it lacks, $EV_PLACED of $EV_WANT were placed in them"
	grep '^unplaced: ' "$out.gaps" | while IFS= read -r v; do lg_note "$v"; done
	lg_cmp "$d: the record misses at most one transaction per responder killed ($EV_MISSING, $kills killed)" \
	    "${EV_MISSING:-0}" -le "$kills"
	lg_is "$d: each unclear decision the record lacks fits in a transaction it misses" \
	    "${EV_WANT:-?}" "${EV_PLACED:-none}"
}
