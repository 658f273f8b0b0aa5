# tests/e2e/contention.sh: many clients taking one lock at once, and the
# checks on what they saw. Sourced, after lib.sh, by the contention tests
# (owners.sh, faults.sh):
#	contenders 12 55 "$LG_URL" "$ID" "tok-m%d-$R" 4 1 30 80 "$LG_TMP/mx"
#	contention_checks "mutex" 12 4 1 "$LG_TMP/mx" 58
# The clients run as "timeout N bash -c ..." so that nothing outlives its
# bound (timeout signals its whole process group); each writes only its
# own files. This file is bash.
# shellcheck shell=bash

# Globals set here are read by the scripts that source this file.
# shellcheck disable=SC2034
MAXC=0		# the most holds at one instant check_holds found
BG=()		# the pids spawn started, the latest batch

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
# HOLD_MIN..HOLD_MAX ms (below 1000), note the time, DELETE ?owner=OWNER
# (must be 200 "lock has been removed" with the hold's fence); requests
# are made again as contend_req says. With RETRY (responders are being
# killed), a retried PUT may also find its own earlier grant (200 "lock
# refreshed" with that hold), and a retried DELETE a 404 or 423 (an
# earlier attempt released the lock, which may be someone else's
# already). Writes OUT.holds ("grant_ms end_ms fence owner round
# holders", grant_ms from the answer's timestamp, end_ms taken just before
# the first DELETE was sent: the earliest the release can have happened),
# OUT.count ("requests 503s retries"), OUT.errors (anything unexpected)
# and OUT.answers (every answer).
# shellcheck disable=SC2317 # run in the background through spawn
contend()
{
	local url=$1 id=$2 me=$3 rounds=$4 limit=$5 hmin=$6 hmax=$7 out=$8
	local retry=${9:-} n=0 busy=0 retries=0 tries ra r q re start end
	local fence holders ms pause CODE BODY

	q="owner=$me&ttl=5&wait=30"
	re="^\{\"locked\": true, \"message\": \"lock (acquired${retry:+|refreshed})\", \"lock\": \{\"id\": \"$id\", \"timestamp\": ([0-9]+\.?[0-9]*), \"ttl\": 5\.0, \"expires\": [0-9.]+, \"fence\": ([0-9]+)"
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
		if [ "$CODE" = 200 ] && [ -n "$retry" ] && [ "$tries" -gt 1 ]; then
			:
		elif [ "$CODE" != 201 ]; then
			echo "$me round $r: PUT ?$q answered $CODE $BODY" >>"$out.errors"
			break
		fi
		if ! [[ $BODY =~ $re ]]; then
			echo "$me round $r: PUT ?$q answered $CODE $BODY" >>"$out.errors"
			break
		fi
		bg_ms start "${BASH_REMATCH[2]}"
		fence=${BASH_REMATCH[3]}
		holders=${BASH_REMATCH[4]:-1}
		ms=$((hmin + RANDOM % (hmax - hmin + 1)))
		printf -v pause '0.%03d' "$ms"
		sleep "$pause"
		bg_now end
		contend_req DELETE "$url/v1/$id?owner=$me" "$out"
		echo "$start $end $fence $me $r $holders" >>"$out.holds"
		if [ "$CODE" = 200 ]; then
			[[ $BODY == *'"message": "lock has been removed"'*"\"fence\": $fence"[,\}]* ]] &&
			    continue
		elif [ -n "$retry" ] && [ "$tries" -gt 1 ] &&
		    [[ $CODE == 404 || $CODE == 423 ]]; then
			continue
		fi
		echo "$me round $r: DELETE ?owner answered $CODE $BODY (own fence $fence)" >>"$out.errors"
		break
	done
	echo "$n $busy $retries" >"$out.count"
}
export -f bg_now bg_ms bg_curl contend_req contend

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
