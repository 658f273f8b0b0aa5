#!/bin/bash
# tests/negative.sh: the negative controls of the safety tests. A short
# safety check must pass on the real program and fail on each build that
# breaks a promise on purpose (configure --enable-broken=WHAT), in the
# check meant to catch that break:
#   owner   a held lock is granted to anyone: the responders' record shows
#           overlapping holds (evidence.awk's "overlap:" lines);
#   fence   the fence counter never moves: the record shows fences that do
#           not grow (evidence.awk's "fence:" lines);
#   commit  one write in eight is answered but not made durable:
#           acknowledged acquisitions or releases are missing after a
#           restart.
#
# The check, against LOCKGATE_FCGI through a real lighttpd with 4
# responders recording their decisions (LOCKGATE_TEST_AUDIT):
#   1. 4 clients acquire new locks (ttl 600) and release every other one
#      for 3 s and until 40 were kept and 40 released; once they stopped, lighttpd and its responders are killed
#      with SIGKILL and started again: every acquisition answered 201 and
#      not released is held with its fence, every lock whose release was
#      answered 200 is free, and each acquisition had its own fence;
#   2. 6 clients with owners and wait take one lock 5 times each, while an
#      observer samples the admin listing: the clients' checks
#      (contention_checks), the observer's, and the record's (evidence.awk
#      on every lock, and server_checks on this one).
#
# usage: tests/negative.sh check
#            the check on LOCKGATE_FCGI (LOCKGATE_SRCDIR: the sources), as
#            an end-to-end test: "ok" and "not ok" lines, exit 1 on a
#            failure
#        tests/negative.sh NAME=PROGRAM...
#            the check on each PROGRAM, NAME being real, owner, commit or
#            fence: prints one "negative: NAME: ..." line each, with the
#            failed checks and violations that caught a broken build, and
#            exits 0 only when the real program passed and each broken
#            one failed in the check meant for it. NEGATIVE_LOGS=DIR keeps
#            each check's output in DIR/NAME.log.
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.

# failures LOG: prints the failed checks of a check's output LOG, its
# evidence lines and the first 3 violations of each kind, indented.
failures()
{
	local k

	{
		grep -E '^not ok|^# .*evidence: ' "$1"
		for k in overlap fence release refresh seq; do
			grep "^# violation: $k: " "$1" | head -n 3
		done
	} | sed 's/^/    /'
}

# judge NAME LOG STATUS: prints the verdict on one program's check (its
# output in LOG, its exit STATUS) and returns 0 when it is the expected
# one: a pass for real, a failure in the check meant for the break else.
judge()
{
	local name=$1 log=$2 st=$3 want what

	case $name in
	real)
		if [ "$st" -eq 0 ]; then
			echo "negative: real: passed ($(tail -n 1 "$log"))"
			grep '^# .*evidence: ' "$log" | sed 's/^# /    /'
			return 0
		fi
		echo "negative: real: FAILED, it must pass ($(tail -n 1 "$log"))"
		failures "$log"
		return 1
		;;
	owner)
		want='^# violation: overlap: '
		what="overlapping holds in the responders' record"
		;;
	fence)
		want='^# violation: fence: '
		what="fences that do not grow in the responders' record"
		;;
	commit)
		want='^not ok - acknowledged '
		what="acknowledged acquisitions or releases lost"
		;;
	*)
		echo "negative: $name: unknown build (real, owner, commit or fence)"
		return 1
		;;
	esac
	if [ "$st" -ne 0 ] && grep -qE "$want" "$log"; then
		echo "negative: $name: caught: $what ($(tail -n 1 "$log"))"
		failures "$log"
		return 0
	fi
	echo "negative: $name: NOT CAUGHT: no $what ($(tail -n 1 "$log"), exit $st)"
	failures "$log"
	return 1
}

# run NAME=PROGRAM...: the check on each program, judged; exits 0 when
# every verdict is the expected one.
run()
{
	local arg name prog dir rc=0 st

	dir=${NEGATIVE_LOGS:-}
	if [ -z "$dir" ]; then
		dir=$(mktemp -d "${TMPDIR:-/tmp}/lockgate-negative.XXXXXX") ||
		    exit 1
		# shellcheck disable=SC2064 # the directory is known now
		trap "rm -rf '$dir'" EXIT
	fi
	mkdir -p "$dir" || exit 1
	for arg in "$@"; do
		name=${arg%%=*}
		prog=${arg#*=}
		if [ "$name" = "$arg" ] || [ ! -x "$prog" ]; then
			echo "negative: $arg: not NAME=PROGRAM with an executable PROGRAM"
			rc=1
			continue
		fi
		LOCKGATE_FCGI=$prog timeout 300 bash "$0" check \
		    >"$dir/$name.log" 2>&1
		st=$?
		judge "$name" "$dir/$name.log" "$st" || rc=1
	done
	if [ "$rc" -eq 0 ]; then
		echo "negative: every broken build was caught, the real one passed"
	else
		echo "negative: FAILED"
	fi
	exit "$rc"
}

case ${1:-} in
check) ;;
*=*) run "$@" ;;
*)
	echo "usage: $0 check | $0 NAME=PROGRAM... (real, owner, commit, fence)" >&2
	exit 2
	;;
esac

# ---------------------------------------------------------------------------
# The check
# shellcheck source-path=SCRIPTDIR source=e2e/lib.sh
. "${0%/*}/e2e/lib.sh" || {
	echo "not ok - ${0%/*}/e2e/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}
# shellcheck source-path=SCRIPTDIR source=e2e/contention.sh
. "${0%/*}/e2e/contention.sh" || lg_bail "contention.sh loads"

lg_init curl lighttpd jq timeout
START_MS=$(lg_now_ms)
R=$RANDOM$RANDOM

# taker URL SERIES OUT STOP: until the file STOP exists, PUTs new ids
# ?ttl=600 and DELETEs every other one it got: each 201 is noted in OUT as
# "id fence", each release answered 200 in OUT.released as "id fence".
# shellcheck disable=SC2317 # run in the background through spawn
taker()
{
	local url=$1 s=$2 out=$3 stop=$4 i=0 id fence CODE BODY

	while [ ! -e "$stop" ]; do
		i=$((i + 1))
		printf -v id '%08x-0000-4000-b000-%012x' "$s" "$i"
		bg_curl PUT "$url/v1/$id?ttl=600" "$out"
		if [ "$CODE" != 201 ] ||
		    ! [[ $BODY =~ \"fence\":\ ([0-9]+)\}\}$ ]]; then
			continue
		fi
		fence=${BASH_REMATCH[1]}
		echo "$id $fence" >>"$out"
		[ $((i % 2)) -eq 0 ] || continue
		bg_curl DELETE "$url/v1/$id" "$out"
		[ "$CODE" = 200 ] && echo "$id $fence" >>"$out.released"
	done
}
export -f taker

# held_after LIST WANT: GETs each "id fence" of LIST (a file) and prints
# the ones whose answer is not WANT: "held" (423 "lock is active" with that
# fence) or "free" (404).
held_after()
{
	awk -v u="$LG_URL" '{ printf "url = \"%s/v1/%s\"\n", u, $1 }' "$1" \
	    >"$LG_TMP/get.cfg"
	curl -s --max-time 60 -K "$LG_TMP/get.cfg" |
	    jq -r '"\(.lock.id // "-") \(.lock.fence // "-") \(.message)"' \
	    >"$LG_TMP/got" 2>&1
	if [ "$2" = held ]; then
		awk '{ print $1, $2, "lock is active" }' "$1" |
		    diff - "$LG_TMP/got" | grep '^[<>]' | head -n 10
	else
		awk '{ print "- -", "lock not found or expired" }' "$1" |
		    diff - "$LG_TMP/got" | grep '^[<>]' | head -n 10
	fi
}

lg_note "1. acknowledged acquisitions and releases across a crash"
audit_on "$LG_TMP/audit"
lg_start_lighttpd 4
BG=()
for i in 1 2 3 4; do
	: >"$LG_TMP/tk.$i"
	: >"$LG_TMP/tk.$i.released"
	spawn 60 taker "$LG_URL" "$i" "$LG_TMP/tk.$i" "$LG_TMP/tk.stop"
done
# 3 s, and then until 40 acquisitions were kept and 40 released (30 s
# at most).
T=$(lg_now_ms)
while [ "$(took "$T")" -lt 30000 ]; do
	sleep 0.2
	[ "$(took "$T")" -ge 3000 ] || continue
	[ "$(cat "$LG_TMP"/tk.[1-4].released | wc -l)" -ge 40 ] &&
	    [ "$(cat "$LG_TMP"/tk.[1-4] | wc -l)" -ge 80 ] && break
done
: >"$LG_TMP/tk.stop"
lg_true "the 4 clients stopped" wait_pids 20 "${BG[@]}"
# Nothing is under way: every answer they had is final.
exec 3>&2 2>/dev/null
# shellcheck disable=SC2046
kill -KILL "$LG_HTTPD_PID" $(lg_responders)
wait "$LG_HTTPD_PID"
exec 2>&3 3>&-
LG_HTTPD_PID=""
lg_true "lighttpd and the responders were killed" lg_wait_no_responders 2
cat "$LG_TMP"/tk.[1-4].released | grep -E '^[0-9a-f-]{36} [0-9]+$' |
    sort >"$LG_TMP/released"
cat "$LG_TMP"/tk.[1-4] | grep -E '^[0-9a-f-]{36} [0-9]+$' | sort |
    comm -23 - "$LG_TMP/released" >"$LG_TMP/kept"
NK=$(wc -l <"$LG_TMP/kept")
NR=$(wc -l <"$LG_TMP/released")
lg_cmp "at least 40 acquisitions answered 201 were kept ($NK)" "$NK" -ge 40
lg_cmp "at least 40 releases were answered 200 ($NR)" "$NR" -ge 40
lg_is "each acquisition had its own fence" "$((NK + NR))" \
    "$(cat "$LG_TMP/kept" "$LG_TMP/released" | awk '{ print $2 }' |
    sort -u | wc -l)"
mv "$LG_RUN" "$LG_TMP/run.1"
lg_start_lighttpd 4
lg_is "acknowledged acquisitions: all $NK held after the restart, each with its fence" \
    "" "$(held_after "$LG_TMP/kept" held)"
lg_is "acknowledged releases: all $NR locks free after the restart" \
    "" "$(held_after "$LG_TMP/released" free)"

lg_note "2. 6 clients contend for one lock, watched"
ID=$(lg_uuid)
contenders 6 40 "$LG_URL" "$ID" "tok-n%d-$R" 5 1 30 80 "$LG_TMP/mx"
observe_start "$ID"
contention_checks "mutex" 6 5 1 "$LG_TMP/mx" 40
observe_checks "mutex" 1 10
server_checks "mutex" "$LG_TMP/mx" "$ID" 1 0
lg_stopped
evidence "the whole record"
lg_note "run time $(took "$START_MS") ms"
lg_finish
