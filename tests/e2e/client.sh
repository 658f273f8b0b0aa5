#!/bin/bash
# tests/e2e/client.sh: the lockgate command-line client (src/lockgate,
# doc/API.md section 4) against a real lighttpd running 4 lockgate responders:
# usage errors, acquire/status/release with their exit statuses and
# output, and `run`: the command's exit status passed through, its
# environment, a job longer than the ttl keeping its lock, a lock lost
# during the job stopping it, SIGINT and SIGTERM releasing, and two runs
# of one id never overlapping.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init curl lighttpd timeout awk setsid pgrep
LGC=$LOCKGATE_SRCDIR/src/lockgate
if [ ! -x "$LGC" ]; then
	lg_bail "the client $LGC is an executable file"
fi
lg_true "the client is valid sh (sh -n)" sh -n "$LGC"
lg_start_lighttpd 4
LOCKGATE_URL=$LG_URL
export LOCKGATE_URL

# cl ARGS...: runs the client (bounded to 60 s, stdin /dev/null unless
# CL_IN names a file). Sets CL_RC, CL_OUT, CL_ERR and CL_MS (its run time).
CL_IN=/dev/null
cl()
{
	local t0

	t0=$(lg_now_ms)
	timeout 60 "$LGC" "$@" >"$LG_TMP/cl.out" 2>"$LG_TMP/cl.err" <"$CL_IN"
	CL_RC=$?
	CL_MS=$(($(lg_now_ms) - t0))
	lg_readfile "$LG_TMP/cl.out"
	CL_OUT=$LG_BODY
	lg_readfile "$LG_TMP/cl.err"
	CL_ERR=$LG_BODY
}

# cl_is DESC RC [STDOUT]: the last client run exited with RC (and printed
# exactly STDOUT, given without its final newline, when that is given).
cl_is()
{
	local d=$1 want="rc=$2" got="rc=$CL_RC"

	if [ $# -ge 3 ]; then
		want="$want out=$3"
		[ -n "$3" ] && want=$want$'\n'
		got="$got out=$CL_OUT"
	fi
	if [ "$want" = "$got" ]; then
		lg_ok "$d"
	else
		lg_not_ok "$d" "$want" "$got"$'\n'"stderr: $CL_ERR"
	fi
}

# code ID: prints the status of GET /v1/ID.
code()
{
	curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$LG_URL/v1/$1"
}

# fence_of ID: prints the fence GET /v1/ID shows (empty when none).
fence_of()
{
	curl -s --max-time 10 "$LG_URL/v1/$1" |
	    sed -n 's/.*"fence": \([0-9][0-9]*\).*/\1/p'
}

# bg_run OUTFILE ARGS...: starts "lockgate ARGS..." in the background with
# SIGINT and SIGQUIT at their default action (bash gives background jobs
# SIGINT ignored, and a shell cannot trap a signal ignored on entry; when
# this script itself was started with SIGINT ignored, as under nohup from
# a background job, "trap -" cannot undo it: env --default-signal can), in
# a session of its own (run from a terminal, the client would take a
# SIGINT for the terminal's Ctrl-C, which the job got already, and not
# pass it on); stdout and stderr to OUTFILE.out and OUTFILE.err. Sets BG
# (the client's pid: env and setsid exec it, this subshell leads no
# group).
bg_run()
{
	local out=$1

	shift
	(
		trap - INT QUIT
		exec env --default-signal=INT,QUIT setsid "$LGC" "$@"
	) >"$out.out" 2>"$out.err" </dev/null &
	BG=$!
	LG_BG_PIDS="$LG_BG_PIDS $BG"
}

# bg_job MARK CLIENT-ARGS...: bg_run (its output in MARK.out and MARK.err)
# of the client with CLIENT-ARGS, whose job writes the file MARK once it
# has started; waits for that, 10 s at most. Sets BG.
bg_job()
{
	local mark=$1

	shift
	bg_run "$mark" "$@"
	lg_wait_for 10 "" test -e "$mark"
}

# bg_status PID: waits for a background client (at most 20 s) and sets
# BG_ST to its exit status ("timeout" if it did not end). Not to be run
# in a subshell: only this shell can wait for its children.
BG_ST=""
bg_status()
{
	if ! lg_wait_gone "$1" 20; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		BG_ST=timeout
		return
	fi
	wait "$1"
	BG_ST=$?
}

# ---------------------------------------------------------------------------
lg_note "help and usage errors: exit 2, nothing sent"

cl --help
if [ "$CL_RC" = 0 ] && [[ $CL_OUT == "usage: lockgate"* ]] &&
    [[ $CL_OUT == *"Exit status"* ]] && [[ $CL_OUT == *LOCKGATE_FENCE=* ]]; then
	lg_ok "--help: exit 0, usage, exit statuses and output format on stdout"
else
	lg_not_ok "--help: exit 0, usage, exit statuses and output format" \
	    "rc=0, usage/Exit status/LOCKGATE_FENCE= in stdout" \
	    "rc=$CL_RC $CL_OUT"
fi

ID=$(lg_uuid)
LONG=$(printf 'o%.0s' $(seq 1 129))
usage_case()
{
	local d=$1

	shift
	cl "$@"
	if [ "$CL_RC" = 2 ] && [[ $CL_ERR == *"usage: lockgate"* ]] &&
	    [ -z "$CL_OUT" ]; then
		lg_ok "usage error, $d: exit 2, usage on stderr"
	else
		lg_not_ok "usage error, $d: exit 2, usage on stderr" \
		    "rc=2, usage on stderr, nothing on stdout" \
		    "rc=$CL_RC out=$CL_OUT err=$CL_ERR"
	fi
}
usage_case "no arguments"
usage_case "unknown command" frob "$ID"
usage_case "no id" acquire
usage_case "id not a UUID" acquire not-a-uuid
usage_case "id with a bad digit" status "g${ID:1}"
usage_case "id too long" status "${ID}0"
usage_case "unknown option" acquire "$ID" --tll 30
usage_case "--ttl 0" acquire "$ID" --ttl 0
usage_case "--ttl -1" acquire "$ID" --ttl -1
usage_case "--ttl abc" acquire "$ID" --ttl abc
usage_case "--ttl without a value" acquire "$ID" --ttl
usage_case "--limit 0" acquire "$ID" --limit 0
usage_case "--limit 1001" acquire "$ID" --limit 1001
usage_case "--wait x" acquire "$ID" --wait x
usage_case "--owner with a blank" acquire "$ID" --owner 'a b'
usage_case "--owner of 129 characters" acquire "$ID" --owner "$LONG"
usage_case "release without --owner" release "$ID"
usage_case "status with --ttl" status "$ID" --ttl 5
usage_case "acquire with --grace" acquire "$ID" --grace 5
usage_case "run without a command" run "$ID" --ttl 5
usage_case "run with nothing after --" run "$ID" --
usage_case "extra argument" status "$ID" extra
usage_case "a URL that is not http" --url ftp://x status "$ID"
LOCKGATE_URL='' usage_case "no URL at all" status "$ID"
lg_is "usage errors sent nothing: the lock is free" 404 "$(code "$ID")"

# ---------------------------------------------------------------------------
lg_note "acquire, status, release"

ID=$(lg_uuid)
cl status "$ID"
cl_is "status of a fresh lock: free, exit 0" 0 free

cl acquire "$ID" --owner alice --ttl 30
F1=$(sed -n 's/^LOCKGATE_FENCE=\([0-9][0-9]*\)$/\1/p' <<<"$CL_OUT")
lg_like "acquire: exit 0, LOCKGATE_FENCE, LOCKGATE_ID, LOCKGATE_OWNER lines" \
    "^rc=0 LOCKGATE_FENCE=[1-9][0-9]*"$'\n'"LOCKGATE_ID=$ID"$'\n'"LOCKGATE_OWNER='alice'"$'\n$' \
    "rc=$CL_RC $CL_OUT"
lg_is "the server holds it (GET 423)" 423 "$(code "$ID")"
lg_is "the server shows the fence acquire printed" "$F1" "$(fence_of "$ID")"
cl status "$ID"
cl_is "status while held: held, exit 1" 1 held

cl acquire "$ID" --owner alice --ttl 30
cl_is "acquire again by the holder: a refresh, same fence" 0 \
    "LOCKGATE_FENCE=$F1"$'\n'"LOCKGATE_ID=$ID"$'\n'"LOCKGATE_OWNER='alice'"

cl acquire "$ID" --owner bob
cl_is "acquire by another owner: exit 1, nothing on stdout" 1 ""
lg_like "the refusal says the lock is held" "held" "$CL_ERR"
lg_cmp "the refusal came at once ($CL_MS ms)" "$CL_MS" -lt 3000

cl acquire "$ID" --owner bob --wait 1
cl_is "acquire --wait 1 by another owner: exit 1" 1 ""
lg_cmp "it waited about 1 s ($CL_MS ms >= 900)" "$CL_MS" -ge 900
lg_cmp "and not much longer ($CL_MS ms < 5000)" "$CL_MS" -lt 5000

cl release "$ID" --owner bob
cl_is "release by another owner: exit 1" 1 ""
lg_is "the lock is still held" 423 "$(code "$ID")"

cl release "$ID" --owner alice
cl_is "release by the holder: exit 0" 0 ""
lg_is "the lock is free (GET 404)" 404 "$(code "$ID")"
cl status "$ID"
cl_is "status after release: free" 0 free
cl release "$ID" --owner alice
cl_is "release of a hold that is gone: exit 4" 4 ""

# A generated owner, used through eval; an upper-case id.
UP=$(tr a-f A-F <<<"$ID")
cl acquire "$UP" --ttl 30
lg_like "acquire without --owner: a generated owner" \
    "^rc=0 LOCKGATE_FENCE=[0-9]+"$'\n'"LOCKGATE_ID=$ID"$'\n'"LOCKGATE_OWNER='[A-Za-z0-9.-]*-[0-9]+-[0-9a-f]{12}'"$'\n$' \
    "rc=$CL_RC $CL_OUT"
F2=$(sed -n 's/^LOCKGATE_FENCE=\([0-9][0-9]*\)$/\1/p' <<<"$CL_OUT")
lg_cmp "the new acquisition's fence is larger ($F2 > $F1)" "${F2:-0}" -gt "$F1"
OUT=$CL_OUT
# shellcheck disable=SC2153 # LOCKGATE_ID and _OWNER come from the eval
rc=$( (eval "$OUT" && "$LGC" release "$LOCKGATE_ID" --owner "$LOCKGATE_OWNER") \
    2>&1; echo "rc=$?")
lg_is "eval the output, release with \$LOCKGATE_OWNER" "rc=0" "$rc"
lg_is "the lock is free" 404 "$(code "$ID")"

# An owner with every special character the server allows reaches the
# server intact: "+" is not read as a blank, "=" and "/" not as syntax.
cl acquire "$ID" --owner 'ci:job@host+1=a/b~c.d_e-f' --ttl 30
lg_like "acquire with owner ci:job@host+1=a/b~c.d_e-f" \
    "^rc=0 LOCKGATE_FENCE=[0-9]+"$'\n'"LOCKGATE_ID=$ID"$'\n'"LOCKGATE_OWNER='ci:job@host\\+1=a/b~c\\.d_e-f'"$'\n$' \
    "rc=$CL_RC $CL_OUT"
cl acquire "$ID" --owner 'ci:job@host+2=a/b~c.d_e-f'
cl_is "a nearly equal owner is another owner" 1 ""
lg_curl DELETE "/v1/$ID?owner=ci%3Ajob%40host%2B1%3Da%2Fb~c.d_e-f"
lg_is "the server knows the owner exactly (DELETE with it: 200)" 200 \
    "$LG_STATUS"

# Waiting for a short hold to end.
cl acquire "$ID" --owner alice --ttl 1
cl acquire "$ID" --owner bob --wait 10
lg_like "acquire --wait 10 while a 1 s hold runs out: exit 0" \
    "^rc=0 LOCKGATE_FENCE=" "rc=$CL_RC $CL_OUT"
lg_cmp "it got the lock soon after the hold ran out, well before its 10 s wait ($CL_MS ms < 8000)" \
    "$CL_MS" -lt 8000
cl release "$ID" --owner bob
cl_is "bob releases" 0 ""

# A semaphore of 2.
ID=$(lg_uuid)
cl acquire "$ID" --owner s1 --limit 2
lg_like "semaphore: first holder" "^rc=0 LOCKGATE_FENCE=" "rc=$CL_RC $CL_OUT"
cl status "$ID"
cl_is "status with a free slot: partly held, exit 0" 0 "partly held"
cl acquire "$ID" --owner s2 --limit 2
lg_like "semaphore: second holder" "^rc=0 LOCKGATE_FENCE=" "rc=$CL_RC $CL_OUT"
cl status "$ID"
cl_is "status with every slot taken: held, exit 1" 1 held
cl acquire "$ID" --owner s3 --limit 2
cl_is "semaphore: a third owner is refused, exit 1" 1 ""
cl acquire "$ID" --owner s3 --limit 3
cl_is "semaphore: another --limit is refused (409), exit 1" 1 ""
cl release "$ID" --owner s1
cl_is "semaphore: s1 releases" 0 ""
cl release "$ID" --owner s2
cl_is "semaphore: s2 releases" 0 ""
lg_is "the semaphore is free" 404 "$(code "$ID")"

# Server and network errors: exit 3; a parameter the server refuses: 2.
cl --url "http://127.0.0.1:1" status "$ID"
cl_is "no server listening: exit 3" 3 ""
cl acquire "$ID" --owner alice --ttl 99999999
cl_is "a ttl over the server's maximum (400): exit 2" 2 ""
lg_like "the server's reason is shown" "ttl" "$CL_ERR"
lg_is "nothing was taken" 404 "$(code "$ID")"

# ---------------------------------------------------------------------------
lg_note "run: exit status, environment, stdin and stdout"

ID=$(lg_uuid)
for st in 0 3 42; do
	cl run "$ID" --ttl 5 -- sh -c "exit $st"
	cl_is "run: the command's exit status $st is passed through" "$st" ""
	lg_is "run: released after exit $st" 404 "$(code "$ID")"
done

ENVF=$LG_TMP/env
: >"$ENVF"
# shellcheck disable=SC2016 # expanded by the command's shell
JOB='printf "%s %s %s\n" "$LOCKGATE_FENCE" "$LOCKGATE_ID" "$LOCKGATE_OWNER" >>"$0"'
cl run "$ID" --owner runner-1 -- sh -c "$JOB" "$ENVF"
cl_is "run: first job" 0 ""
cl run "$(tr a-f A-F <<<"$ID")" -- sh -c "$JOB" "$ENVF"
cl_is "run: second job (upper-case id)" 0 ""
mapfile -t ENVL <"$ENVF"
read -r FA IA OA <<<"${ENVL[0]:-}"
read -r FB IB OB <<<"${ENVL[1]:-}"
lg_like "the command sees LOCKGATE_FENCE (a number)" '^[1-9][0-9]*$' "$FA"
lg_is "the command sees LOCKGATE_ID and LOCKGATE_OWNER" "$ID runner-1" \
    "$IA $OA"
lg_like "the second job: its fence, the id in lower case, a generated owner" \
    "^[1-9][0-9]* $ID [A-Za-z0-9.-]*-[0-9]+-[0-9a-f]{12}\$" "$FB $IB $OB"
lg_cmp "the fence grows from run to run ($FB > $FA)" "${FB:-0}" -gt "${FA:-0}"

cl run "$ID" -- echo hello
cl_is "run: the command's stdout passes through" 0 hello
printf 'line one\nline two\n' >"$LG_TMP/stdin"
CL_IN=$LG_TMP/stdin
cl run "$ID" -- cat
CL_IN=/dev/null
cl_is "run: the command reads lockgate's stdin" 0 "line one"$'\n'"line two"

cl run "$ID" -- "$LG_TMP/no-such-command"
cl_is "run: a command that does not exist: exit 127" 127 ""
lg_is "nothing was held for it" 404 "$(code "$ID")"

# Held by another owner: --wait 0 gives up at once, the command never runs.
cl acquire "$ID" --owner blocker --ttl 30
cl run "$ID" --wait 0 -- touch "$LG_TMP/ran"
cl_is "run --wait 0 on a held lock: exit 1" 1 ""
if [ -e "$LG_TMP/ran" ]; then
	lg_not_ok "the command did not run" "no $LG_TMP/ran" "it exists"
else
	lg_ok "the command did not run"
fi
lg_is "the other owner's hold is untouched" 423 "$(code "$ID")"
cl release "$ID" --owner blocker
cl_is "blocker releases" 0 ""

# ---------------------------------------------------------------------------
lg_note "run: a job longer than the ttl keeps its lock"

# A job of 7 s with ttl 3: refreshed every second, the lock outlives its
# ttl; a loaded machine may delay a refresh by up to 2 s.
ID=$(lg_uuid)
MARK=$LG_TMP/long
# shellcheck disable=SC2016 # expanded by the command's shell
bg_job "$MARK" run "$ID" --ttl 3 -- \
    sh -c 'echo started >"$0"; sleep 7; echo finished' "$MARK"
LONGPID=$BG
T0=$(lg_now_ms)
F=$(fence_of "$ID")
# Early in the job, so a slow machine cannot have ended it already.
cl status "$ID"
cl_is "lockgate status during the job: held" 1 held
codes=""
fences=""
# 4.5 s: past the ttl, and 2.5 s before the job's end at the earliest.
while lg_alive "$LONGPID" && [ $(($(lg_now_ms) - T0)) -lt 4500 ]; do
	codes="$codes $(code "$ID")"
	fences="$fences $(fence_of "$ID")"
	sleep 0.2
done
bg_status "$LONGPID"
st=$BG_ST
lg_like "GET during the first 4.5 s of the 7 s job with ttl 3: always 423" \
    '^( 423)+$' "$codes"
lg_like "the same fence throughout ($F)" "^( $F)+\$" "$fences"
lg_is "the job finished: exit 0, its output" "0 finished" \
    "$st $(cat "$LG_TMP/long.out")"
lg_is "released at the end" 404 "$(code "$ID")"
lg_is "no warning on stderr" "" "$(cat "$LG_TMP/long.err")"

# ---------------------------------------------------------------------------
lg_note "run: a lock lost during the job stops the job"

# shellcheck disable=SC2016 # expanded by the command's shell
STOPPABLE='trap "echo term >>\"$0\"; exit 9" TERM
echo started >>"$0"
i=0
while [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
echo finished >>"$0"'

# An operator removes the hold (DELETE with the owner): the next refresh
# (every second with ttl 3) finds the lock gone. Whatever it then takes
# anew, it gives back. The job has started: the lock is held.
ID=$(lg_uuid)
MARK=$LG_TMP/lost1
bg_job "$MARK" run "$ID" --ttl 3 --owner victim --grace 2 -- \
    sh -c "$STOPPABLE" "$MARK"
LOSTPID=$BG
lg_curl DELETE "/v1/$ID?owner=victim"
lg_is "the operator's DELETE with the owner: 200" 200 "$LG_STATUS"
T0=$(lg_now_ms)
bg_status "$LOSTPID"
st=$BG_ST
T1=$(lg_now_ms)
lg_is "the client exits 4 (lock lost)" 4 "$st"
lg_cmp "within 10 s of the DELETE, not at the job's end after 30 s ($((T1 - T0)) ms)" \
    $((T1 - T0)) -lt 10000
lg_is "the job got SIGTERM and did not finish" "started term" \
    "$(tr '\n' ' ' <"$MARK" | sed 's/ $//')"
lg_like "the client says the lock was lost" "lost" \
    "$(cat "$LG_TMP/lost1.err")"
lg_is "nothing is left held" 404 "$(code "$ID")"

# The hold is removed and another owner takes the lock at once: the
# client stops the job and leaves the new holder's lock alone.
ID=$(lg_uuid)
MARK=$LG_TMP/lost2
bg_job "$MARK" run "$ID" --ttl 3 --owner victim --grace 2 -- \
    sh -c "$STOPPABLE" "$MARK"
LOSTPID=$BG
lg_curl DELETE "/v1/$ID?owner=victim"
# With wait: should the victim's refresh come first and take the lock
# anew, the victim gives it back and the thief gets it a moment later.
lg_curl PUT "/v1/$ID?owner=thief&ttl=30&wait=5"
lg_like "another owner takes the lock" '^20[01]$' "$LG_STATUS"
bg_status "$LOSTPID"
st=$BG_ST
lg_is "the client exits 4 (lock lost)" 4 "$st"
lg_is "the job got SIGTERM" "started term" \
    "$(tr '\n' ' ' <"$MARK" | sed 's/ $//')"
lg_is "the new holder still holds it" 423 "$(code "$ID")"
lg_curl DELETE "/v1/$ID?owner=thief"
lg_is "the new holder can release it" 200 "$LG_STATUS"

# A job that ignores SIGTERM gets SIGKILL after --grace.
ID=$(lg_uuid)
MARK=$LG_TMP/lost3
# shellcheck disable=SC2016 # expanded by the command's shell
bg_job "$MARK" run "$ID" --ttl 3 --owner victim --grace 1 -- \
    sh -c 'trap "" TERM; echo started >"$0"; exec sleep 30' "$MARK"
LOSTPID=$BG
# The job's shell becomes sleep (exec) just after writing the mark.
JOBPID=""
# shellcheck disable=SC2016 # expanded by eval, each time
lg_wait_for 10 "" eval \
    'JOBPID=$(pgrep -P "$LOSTPID" -x sleep | head -n 1); [ -n "$JOBPID" ]'
lg_curl DELETE "/v1/$ID?owner=victim"
bg_status "$LOSTPID"
st=$BG_ST
lg_is "a job ignoring SIGTERM: the client exits 4" 4 "$st"
if [ -n "$JOBPID" ] && ! lg_alive "$JOBPID"; then
	lg_ok "the job was killed after the grace period"
else
	lg_not_ok "the job was killed after the grace period" "gone" \
	    "pid '${JOBPID:-none}' $(ps -o stat= -p "${JOBPID:-1}" 2>&1)"
	[ -n "$JOBPID" ] && kill -KILL "$JOBPID" 2>/dev/null
fi

# ---------------------------------------------------------------------------
lg_note "run: SIGINT and SIGTERM to the client"

for sig in INT TERM; do
	want=130
	[ "$sig" = TERM ] && want=143
	ID=$(lg_uuid)
	MARK=$LG_TMP/sig$sig
	# shellcheck disable=SC2016 # expanded by the command's shell
	bg_job "$MARK" run "$ID" --ttl 3 -- sh -c '
	    trap "echo $1 >>\"$0\"; exit 7" "$1"
	    echo started >>"$0"
	    i=0
	    while [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done' \
	    "$MARK" "$sig"
	SIGPID=$BG
	lg_is "SIG$sig: the lock is held while the job runs" 423 "$(code "$ID")"
	kill -"$sig" "$SIGPID"
	T0=$(lg_now_ms)
	bg_status "$SIGPID"
	st=$BG_ST
	T1=$(lg_now_ms)
	lg_is "SIG$sig: the client exits $want" "$want" "$st"
	lg_cmp "SIG$sig: promptly, not at the job's end after 30 s ($((T1 - T0)) ms)" \
	    $((T1 - T0)) -lt 10000
	lg_is "SIG$sig: the job got SIG$sig" "started $sig" \
	    "$(tr '\n' ' ' <"$MARK" | sed 's/ $//')"
	lg_is "SIG$sig: the lock was released (GET 404)" 404 "$(code "$ID")"
done

# SIGINT while waiting for the lock: no command, nothing held.
ID=$(lg_uuid)
cl acquire "$ID" --owner blocker --ttl 30
bg_run "$LG_TMP/sigwait" run "$ID" --wait 30 -- touch "$LG_TMP/ran2"
SIGPID=$BG
lg_wait_metric 10 lockgate_waiting -ge 1
lg_is "the run waits for the lock (lockgate_waiting)" 1 "$LG_METRIC"
kill -INT "$SIGPID"
T0=$(lg_now_ms)
bg_status "$SIGPID"
st=$BG_ST
T1=$(lg_now_ms)
lg_is "SIGINT while waiting for the lock: exit 130" 130 "$st"
lg_cmp "at once, not after its 30 s wait ($((T1 - T0)) ms < 10000)" \
    $((T1 - T0)) -lt 10000
if [ -e "$LG_TMP/ran2" ]; then
	lg_not_ok "the command never ran" "no $LG_TMP/ran2" "it exists"
else
	lg_ok "the command never ran"
fi
# lighttpd does not tell the responder that the client of the waiting
# PUT has gone; the client's release on SIGINT cancels that wait, so the
# lock must not go to nobody once the blocker lets it go.
lg_wait_metric 10 lockgate_waiting -eq 0
lg_is "the interrupted run's waiting PUT has ended (lockgate_waiting)" 0 \
    "$LG_METRIC"
cl release "$ID" --owner blocker
cl_is "the blocker's hold was untouched" 0 ""
lg_is "the interrupted run's wait was cancelled: the lock is free" 404 \
    "$(code "$ID")"

# three_runs NAME CLIENT-ARGS...: three clients with CLIENT-ARGS at once
# (bg_run, their output in $LG_TMP/NAME1 to NAME3); sets STS to their exit
# statuses, " 0 0 0" when all three exited 0.
three_runs()
{
	local name=$1 n p pids=""

	shift
	for n in 1 2 3; do
		bg_run "$LG_TMP/$name$n" "$@"
		pids="$pids $BG"
	done
	STS=""
	for p in $pids; do
		bg_status "$p"
		STS="$STS $BG_ST"
	done
}

# ---------------------------------------------------------------------------
lg_note "run: runs of one id never overlap"

ID=$(lg_uuid)
LOG=$LG_TMP/intervals
: >"$LOG"
# shellcheck disable=SC2016 # expanded by the command's shell
JOB='echo "start $(date +%s%3N) $LOCKGATE_FENCE" >>"$0"
sleep 1.2
echo "end $(date +%s%3N)" >>"$0"'
three_runs ov run "$ID" --ttl 3 --wait 20 -- sh -c "$JOB" "$LOG"
lg_is "three runs with --wait all ran and exited 0" " 0 0 0" "$STS"
lg_is "three starts and three ends recorded" "3 3" \
    "$(grep -c '^start ' "$LOG") $(grep -c '^end ' "$LOG")"
# Each start is followed by its own end before the next start; fences grow.
bad=$(awk '
	$1 == "start" { if (open) { print "start inside a hold: " $0 }
		if (last && $2 < last) print "start before the previous end"
		if (fence && $3 <= fence) print "fence " $3 " not above " fence
		open = 1; fence = $3 }
	$1 == "end" { if (!open) print "end without start"; open = 0; last = $2 }
	END { if (open) print "a hold never ended" }' "$LOG")
if [ -z "$bad" ]; then
	lg_ok "the holds did not overlap and their fences grew"
else
	lg_not_ok "the holds did not overlap and their fences grew" "" \
	    "$bad"$'\n'"$(cat "$LOG")"
fi
lg_is "released after the last run" 404 "$(code "$ID")"

# A semaphore of 2: three runs, never more than 2 at once, and 2 reached.
ID=$(lg_uuid)
LOG=$LG_TMP/sem
: >"$LOG"
# shellcheck disable=SC2016 # expanded by the command's shell
JOB='echo "+ $(date +%s%3N)" >>"$0"
sleep 1
echo "- $(date +%s%3N)" >>"$0"'
three_runs sem run "$ID" --ttl 3 --limit 2 --wait 20 -- sh -c "$JOB" "$LOG"
lg_is "three runs with --limit 2 all ran and exited 0" " 0 0 0" "$STS"
# The most holders at once: sort by time (an end before a start at the
# same millisecond), count.
most=$(sort -k2,2n -k1,1r "$LOG" |
    awk '$1 == "+" { n++; if (n > m) m = n } $1 == "-" { n-- } END { print m + 0 }')
lg_is "at most 2 at once, and 2 reached" 2 "$most"
lg_is "the semaphore is free afterwards" 404 "$(code "$ID")"

# ---------------------------------------------------------------------------
lg_note "clean-up"

# The client and its helpers (forks of it) all have "lockgate run ..." or
# the like in their command line; lockgate.fcgi has no blank after it.
left=$(pgrep -f -- "$LGC " | tr '\n' ' ')
lg_is "no client process is left running" "" "$left"

lg_finish
