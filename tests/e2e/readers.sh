#!/bin/bash
# tests/e2e/readers.sh: CGI runs killed with SIGKILL never use up LMDB's
# reader table nor make the database grow. With LOCKGATE_MAX_READERS=16:
#   1. 40 runs at once, each waiting for the rest of its body (CONTENT_LENGTH
#      larger than what was sent): none holds a reader slot while it waits,
#      so all get past opening the database; all are then killed;
#   2. 400 runs (GET, PUT, DELETE) killed after a random 0 to 9 ms, inside a
#      read or write transaction for some, with refreshes in between;
#   3. afterwards every request answers exactly (never 503), nothing is
#      logged but what those runs wrote, data.mdb grew by at most 64 KiB and
#      lock.mdb not at all.
# shellcheck source-path=SCRIPTDIR source=lib.sh
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
sleep 1
alive=$(lg_alive_count "${PIDS[@]}")
lg_is "40 runs (more than the 16 reader slots) wait for their bodies" 40 "$alive"
check "while 40 runs wait"
kill -KILL "${PIDS[@]}" 2>/dev/null
wait "${PIDS[@]}" 2>/dev/null
lg_is "none of them wrote an answer" "" "$(cat "$LG_TMP"/out.*)"
check "after killing the 40"

# ---------------------------------------------------------------------------
lg_note "2. 400 runs killed at random moments"
n503=0
for round in $(seq 1 40); do
	PIDS=()
	for i in $(seq 1 10); do
		case $((i % 3)) in
		0) method=GET ;;
		1) method=PUT ;;
		*) method=DELETE ;;
		esac
		id=${IDS[RANDOM % 4]}
		[ "$method" = DELETE ] && id=$(lg_uuid)
		"${CGIENV[@]}" REQUEST_METHOD=$method PATH_INFO="/v1/$id" \
		    QUERY_STRING=ttl=600 "$LOCKGATE_FCGI" </dev/null \
		    >"$LG_TMP/r.$i" 2>>"$LG_TMP/killed.err" &
		PIDS+=("$!")
	done
	sleep "0.00$((RANDOM % 10))"
	kill -KILL "${PIDS[@]}" 2>/dev/null
	wait "${PIDS[@]}" 2>/dev/null
	n503=$((n503 + $(cat "$LG_TMP"/r.* | grep -c '^Status: 503')))
	# A refresh between rounds: pages a stale reader would pin pile up.
	lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/${IDS[round % 4]}" \
	    QUERY_STRING=ttl=600
	[ "$LG_STATUS" = 200 ] || lg_not_ok "round $round: refresh 200" 200 \
	    "$LG_STATUS $LG_BODY $LG_ERR"
done
lg_is "the killed runs that answered never answered 503" 0 "$n503"

# ---------------------------------------------------------------------------
exec 2>&3 3>&-
lg_note "3. afterwards"
check "after 400 killed runs"
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
