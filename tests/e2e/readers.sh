#!/bin/bash
# tests/e2e/readers.sh: CGI runs killed with SIGKILL never use up LMDB's
# reader table nor make the database grow. With LOCKGATE_MAX_READERS=16:
#   1. 40 runs at once, each waiting for the rest of its body (CONTENT_LENGTH
#      larger than what was sent): none holds a reader slot while it waits,
#      so all get past opening the database (each has data.mdb mapped);
#      all are then killed;
#   2. runs (GET, PUT, DELETE), 10 at a time, killed after a random 0 to
#      4 ms plus a wait that follows the machine (a run takes a few ms, a
#      sanitized one far more: the delay is waited out without starting a
#      process), with refreshes in between: just before each kill the runs
#      that have the database open (data.mdb mapped) are counted; 400
#      runs, and more until 40 of the runs killed had it open (4000 at
#      most; inside a transaction for some: those killed with a reader
#      slot taken are counted from LMDB's reader table when mdb_stat is
#      there);
#   3. afterwards every request answers exactly (never 503), nothing is
#      logged but what those runs wrote, data.mdb grew by at most 64 KiB and
#      lock.mdb not at all.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init env timeout mkfifo
START_MS=$(lg_now_ms)
LOCKGATE_MAX_READERS=16
export LOCKGATE_MAX_READERS
CGIENV=(env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1
    SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1
    LOCKGATE_DB="$LOCKGATE_DB" LOCKGATE_MAX_READERS=16)

# mapped PID...: sets MAPPED to " PID PID ... " and NMAPPED to their
# number: those of the PIDs that have the database open now (data.mdb
# mapped). It starts no process, so that it is quick.
MAPPED=" "
NMAPPED=0
mapped()
{
	local p m

	MAPPED=" "
	NMAPPED=0
	for p in "$@"; do
		m=""
		IFS= read -r -d '' m <"/proc/$p/maps" 2>/dev/null
		case $m in
		*"$LOCKGATE_DB/data.mdb"*)
			MAPPED="$MAPPED$p "
			NMAPPED=$((NMAPPED + 1))
			;;
		esac
	done
	return 0
}

# stale_readers PID...: prints how many of the PIDs hold a slot of LMDB's
# reader table inside a read transaction (a transaction id, not "-"), by
# mdb_stat -r: runs killed inside one; "?" without mdb_stat.
stale_readers()
{
	command -v mdb_stat >/dev/null 2>&1 || { echo "?"; return 0; }
	mdb_stat -r "$LOCKGATE_DB" 2>/dev/null | awk -v p=" $* " '
	    $1 ~ /^[0-9]+$/ && index(p, " " $1 " ") && $3 != "-" { n++ }
	    END { print n + 0 }'
}

# check DESC: a PUT, GET and DELETE of a fresh lock answer 201, 423, 200.
check()
{
	local id

	id=$(lg_uuid)
	lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$id" LOCKGATE_MAX_READERS=16
	lg_cgi_expect_lock "$1: PUT 201" 201 true "lock acquired" "$id" 60.0
	lg_cgi REQUEST_METHOD=GET PATH_INFO="/v1/$id" LOCKGATE_MAX_READERS=16
	lg_cgi_expect_lock "$1: GET 423" 423 true "lock is active" "$id" 60.0
	lg_cgi REQUEST_METHOD=DELETE PATH_INFO="/v1/$id" LOCKGATE_MAX_READERS=16
	lg_cgi_expect_lock "$1: DELETE 200" 200 false "lock has been removed" \
	    "$id" 60.0
}

check "a fresh database"
# A few held locks for the killed runs to read and refresh.
IDS=()
for i in 1 2 3 4; do
	IDS+=("$(lg_uuid)")
	lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/${IDS[-1]}" QUERY_STRING=ttl=600
done
lg_is "4 held locks: the last PUT 201" 201 "$LG_STATUS"
SIZE0=$(stat -c %s "$LOCKGATE_DB/data.mdb")
LSIZE0=$(stat -c %s "$LOCKGATE_DB/lock.mdb")

# ---------------------------------------------------------------------------
lg_note "1. 40 runs waiting for their bodies at once"
# Bash reports each killed job on stderr: keep that out of the output.
exec 3>&2 2>>"$LG_TMP/jobs.err"
PIDS=()
for i in $(seq 1 40); do
	mkfifo "$LG_TMP/in.$i"
	"${CGIENV[@]}" REQUEST_METHOD=PUT PATH_INFO="/v1/${IDS[i % 4]}" \
	    CONTENT_TYPE=application/json CONTENT_LENGTH=100 \
	    "$LOCKGATE_FCGI" <"$LG_TMP/in.$i" >"$LG_TMP/out.$i" \
	    2>>"$LG_TMP/killed.err" &
	PIDS+=("$!")
	# A writer that stays: the run waits for the other 92 bytes.
	(printf '{"ttl": '; sleep 30) >"$LG_TMP/in.$i" &
	LG_BG_PIDS="$LG_BG_PIDS $!"
done
# shellcheck disable=SC2016 # expanded by eval, each time
lg_wait_for 20 "" eval 'mapped "${PIDS[@]}"; [ "$NMAPPED" -ge 40 ]'
lg_is "all 40 runs opened the database (data.mdb mapped)" 40 "$NMAPPED"
alive=$(lg_alive_count "${PIDS[@]}")
lg_is "40 runs (more than the 16 reader slots) wait for their bodies" 40 "$alive"
check "while 40 runs wait"
kill -KILL "${PIDS[@]}" 2>/dev/null
wait "${PIDS[@]}" 2>/dev/null
lg_is "none of them wrote an answer" "" "$(cat "$LG_TMP"/out.*)"
check "after killing the 40"

# ---------------------------------------------------------------------------
lg_note "2. runs killed at random moments"
# A FIFO nobody writes: "read -t" on it waits without a new process.
mkfifo "$LG_TMP/tick" || lg_bail "mkfifo $LG_TMP/tick"
exec 4<>"$LG_TMP/tick"
n503=0
nopen=0		# runs killed with the database open
nkilled=0	# runs killed (the others had ended)
nreaders=0	# runs killed inside a read transaction (mdb_stat -r)
round=0
base=0		# ms before the kill, besides 0 to 4 at random
# 40 rounds, and more until 40 runs were killed with the database open
# (the faster the machine, the fewer are still running at the kill). The
# wait before the kill follows the machine: a round whose killed runs had
# not opened the database yet waits 2 ms more next time, a round whose runs
# had all ended 2 ms less (a sanitized build starts far slower).
while [ "$round" -lt 40 ] || { [ "$nopen" -lt 40 ] && [ "$round" -lt 400 ]; }; do
	round=$((round + 1))
	PIDS=()
	for i in $(seq 1 10); do
		case $((i % 3)) in
		0) method=GET ;;
		1) method=PUT ;;
		*) method=DELETE ;;
		esac
		id=${IDS[RANDOM % 4]}
		# A fresh id, read without starting a process.
		[ "$method" = DELETE ] &&
		    read -r id </proc/sys/kernel/random/uuid
		"${CGIENV[@]}" REQUEST_METHOD=$method PATH_INFO="/v1/$id" \
		    QUERY_STRING=ttl=600 "$LOCKGATE_FCGI" </dev/null \
		    >"$LG_TMP/r.$i" 2>>"$LG_TMP/killed.err" &
		PIDS+=("$!")
	done
	d=$((base + RANDOM % 5))
	read -r -t "$((d / 1000)).$(printf '%03d' $((d % 1000)))" -u 4
	mapped "${PIDS[@]}"
	kill -KILL "${PIDS[@]}" 2>/dev/null
	killed=""
	open=0
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
		[ $? -eq 137 ] || continue
		killed="$killed $p"
		nkilled=$((nkilled + 1))
		case $MAPPED in
		*" $p "*) nopen=$((nopen + 1)) open=$((open + 1)) ;;
		esac
	done
	if [ -z "$killed" ]; then
		base=$((base > 2 ? base - 2 : 0))
	elif [ "$open" = 0 ] && [ "$base" -lt 500 ]; then
		base=$((base + 2))
	fi
	# shellcheck disable=SC2086 # one pid a word
	r=$(stale_readers $killed)
	[ "$r" = "?" ] && nreaders="?"
	[ "$nreaders" = "?" ] || nreaders=$((nreaders + r))
	n503=$((n503 + $(cat "$LG_TMP"/r.* | grep -c '^Status: 503')))
	# A refresh between rounds: pages a stale reader would pin pile up.
	lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/${IDS[round % 4]}" \
	    QUERY_STRING=ttl=600
	[ "$LG_STATUS" = 200 ] || lg_not_ok "round $round: refresh 200" 200 \
	    "$LG_STATUS $LG_BODY $LG_ERR"
done
lg_is "the killed runs that answered never answered 503" 0 "$n503"
lg_note "$nkilled of $((round * 10)) runs were killed, $nopen of them with the database open; $nreaders inside a read transaction (LMDB's reader table); the last wait before a kill $base to $((base + 4)) ms"
lg_cmp "at least 40 runs were killed with the database open ($nopen)" \
    "$nopen" -ge 40

# ---------------------------------------------------------------------------
exec 2>&3 3>&- 4<&-
lg_note "3. afterwards"
check "after $((round * 10)) runs killed at random moments"
for i in $(seq 1 200); do
	lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/${IDS[i % 4]}" QUERY_STRING=ttl=600
	[ "$LG_STATUS" = 200 ] || break
done
lg_is "200 refreshes of the held locks: all 200" "200 200" "$i $LG_STATUS"
SIZE1=$(stat -c %s "$LOCKGATE_DB/data.mdb")
LSIZE1=$(stat -c %s "$LOCKGATE_DB/lock.mdb")
lg_cmp "data.mdb grew by at most 64 KiB ($SIZE0 -> $SIZE1)" \
    "$SIZE1" -le $((SIZE0 + 65536))
lg_is "lock.mdb kept its size" "$LSIZE0" "$LSIZE1"
lg_is "the killed runs logged no error" "" \
    "$(grep -i 'error\|readers' "$LG_TMP/killed.err")"
if command -v mdb_stat >/dev/null; then
	lg_note "$(mdb_stat -r "$LOCKGATE_DB" 2>&1 | head -n 3 | tr '\n' ' ')"
fi
lg_note "run time $(($(lg_now_ms) - START_MS)) ms"
lg_finish
