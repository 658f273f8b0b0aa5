#!/bin/bash
# tests/e2e/signals.sh: SIGTERM, as lighttpd, mod_fcgid and systemd send
# it, never cuts an answer short:
#   1. --listen: an idle responder exits within a second (status 0);
#   2. --listen: a GET ?wait=2 on a held lock in progress when SIGTERM comes
#      still gets its whole answer (423, exact body, at once: a stopping
#      process does not sit out the wait), and the process then exits;
#   3. --listen: a PUT whose body is still arriving when SIGTERM comes is
#      read to its end and answered 201 (the lock is then held);
#   4. under lighttpd: SIGTERM to a responder in the middle of a GET
#      ?wait=2 still gives the client the whole answer; the responder exits
#      within a second and lighttpd starts a new one in its place; idle
#      responders of a stopping lighttpd are gone within a second.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init cgi-fcgi lighttpd curl timeout mkfifo
HELD='{"locked": true, "message": "lock is active", "lock": {"id": "%s", "timestamp": %s, "ttl": 60.0, "expires": %s, "fence": %s}}'
LPID=""

# start_listen: lockgate.fcgi --listen on a free loopback port; sets LPID
# and ADDR once it answers /v1/health.
start_listen()
{
	local n=100 port

	port=$(lg_free_port) || lg_bail "a free port"
	ADDR=127.0.0.1:$port
	"$LOCKGATE_FCGI" --listen "$ADDR" 2>>"$LG_TMP/listen.err" </dev/null &
	LPID=$!
	LG_BG_PIDS="$LG_BG_PIDS $LPID"
	while [ "$n" -gt 0 ]; do
		LG_CGI_IN=/dev/null
		lg_fcgi "$ADDR" REQUEST_METHOD=GET PATH_INFO=/v1/health
		[ "$LG_STATUS" = 200 ] && return 0
		sleep 0.05
		n=$((n - 1))
	done
	lg_bail "lockgate.fcgi --listen $ADDR answers" "$(cat "$LG_TMP/listen.err")"
}

# gone_within DESC PID MS: PID ends within MS milliseconds.
gone_within()
{
	local end

	end=$(($(lg_now_ms) + $3))
	while lg_alive "$2" && [ "$(lg_now_ms)" -lt "$end" ]; do
		sleep 0.01
	done
	if lg_alive "$2"; then
		lg_not_ok "$1: gone within $3 ms" "gone" "still running"
		kill -KILL "$2" 2>/dev/null
		return 1
	fi
	lg_ok "$1: gone within $3 ms"
	return 0
}

# hold ID: PUT ID (ttl 60) through the --listen responder; sets F, TS, EX
# as lockgate printed them.
hold()
{
	LG_CGI_IN=/dev/null
	lg_fcgi "$ADDR" REQUEST_METHOD=PUT PATH_INFO="/v1/$1"
	if [[ $LG_STATUS = 201 && $LG_BODY =~ \"timestamp\":\ ([0-9.]+),\ \"ttl\":\ 60.0,\ \"expires\":\ ([0-9.]+),\ \"fence\":\ ([0-9]+) ]]; then
		TS=${BASH_REMATCH[1]} EX=${BASH_REMATCH[2]} F=${BASH_REMATCH[3]}
		lg_ok "PUT $1: 201"
	else
		lg_not_ok "PUT $1: 201" 201 "$LG_STATUS $LG_BODY"
	fi
}

# ---------------------------------------------------------------------------
lg_note "1. an idle --listen responder"
start_listen
kill -TERM "$LPID"
gone_within "idle --listen responder after SIGTERM" "$LPID" 1000
wait "$LPID"
lg_is "... exit status 0" 0 "$?"

# ---------------------------------------------------------------------------
lg_note "2. a waiting GET in progress"
start_listen
ID=$(lg_uuid)
hold "$ID"
LG_CGI_IN=/dev/null
env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
    REQUEST_METHOD=GET PATH_INFO="/v1/$ID" QUERY_STRING=wait=2 \
    timeout 10 cgi-fcgi -bind -connect "$ADDR" </dev/null \
    >"$LG_TMP/wait.out" 2>&1 &
CPID=$!
sleep 0.5
lg_true "the GET ?wait=2 is waiting after 0.5 s" lg_alive "$CPID"
T0=$(lg_now_ms)
kill -TERM "$LPID"
wait "$CPID"
lg_is "cgi-fcgi ended normally" 0 "$?"
T1=$(lg_now_ms)
lg_cgi_parse "$LG_TMP/wait.out"
LG_RC=0
# shellcheck disable=SC2059
lg_cgi_expect "the waiting GET gets its whole answer: 423" 423 \
    "$(printf "$HELD" "$ID" "$TS" "$EX" "$F")"
lg_cmp "... at once, not after the rest of its wait ($((T1 - T0)) ms)" \
    $((T1 - T0)) -lt 1000
gone_within "the responder after answering" "$LPID" 1000
wait "$LPID"
lg_is "... exit status 0" 0 "$?"

# ---------------------------------------------------------------------------
lg_note "3. a body still arriving"
start_listen
ID=$(lg_uuid)
BODY='{"ttl": 60, "owner": "tok-slow-body"}'
mkfifo "$LG_TMP/body"
env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
    REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" CONTENT_TYPE=application/json \
    CONTENT_LENGTH=${#BODY} \
    timeout 10 cgi-fcgi -bind -connect "$ADDR" <"$LG_TMP/body" \
    >"$LG_TMP/slow.out" 2>&1 &
CPID=$!
exec 5>"$LG_TMP/body"
printf '%s' "${BODY:0:10}" >&5
sleep 0.5
kill -TERM "$LPID"
sleep 0.5
lg_true "the responder waits for the rest of the body" lg_alive "$LPID"
printf '%s' "${BODY:10}" >&5
exec 5>&-
wait "$CPID"
lg_is "cgi-fcgi ended normally" 0 "$?"
lg_cgi_parse "$LG_TMP/slow.out"
LG_RC=0
bad=$(lg_cgi_problems 201)
lg_like "the PUT gets its whole answer: 201 lock acquired" \
    "^201 \\{\"locked\": true, \"message\": \"lock acquired\", \"lock\": \\{\"id\": \"$ID\", .*\"ttl\": 60.0, .*\\}\\}"$'\n$' \
    "$LG_STATUS $LG_BODY$bad"
gone_within "the responder after answering" "$LPID" 1000
wait "$LPID"
lg_is "... exit status 0" 0 "$?"
lg_cgi REQUEST_METHOD=GET PATH_INFO="/v1/$ID"
lg_like "the lock is held afterwards (CGI GET: 423)" '^423 ' "$LG_STATUS $LG_BODY"

# ---------------------------------------------------------------------------
lg_note "4. under lighttpd"
lg_start_lighttpd 2
ID=$(lg_uuid)
lg_curl PUT "/v1/$ID"
lg_expect_lock "PUT: 201" 201 true "lock acquired" "$ID" 60.0
F=$LG_FENCE
BEFORE=$(lg_responders | sort | tr '\n' ' ')
lg_is "2 responders" 2 "$(lg_responders | wc -l)"
curl -s --max-time 10 -o "$LG_TMP/lw.body" -w '%{http_code}' \
    "$LG_URL/v1/$ID?wait=2" >"$LG_TMP/lw.code" 2>/dev/null &
CPID=$!
sleep 0.5
# The responder serving it: the one with a connection to lighttpd.
VICTIM=""
for p in $(lg_responders); do
	n=$(find "/proc/$p/fd" -lname 'socket:*' 2>/dev/null | wc -l)
	# listening socket, stop pipe ends are pipes: >1 socket = a connection
	[ "$n" -gt 1 ] && VICTIM=$p
done
lg_true "the GET ?wait=2 waits in responder ${VICTIM:-?}" test -n "$VICTIM"
T0=$(lg_now_ms)
[ -n "$VICTIM" ] && kill -TERM "$VICTIM"
wait "$CPID"
T1=$(lg_now_ms)
LG_STATUS=$(cat "$LG_TMP/lw.code")
lg_readfile "$LG_TMP/lw.body"
LG_HDRS=/dev/null
lg_parse_headers
lg_is "the client gets the whole answer: 423 lock is active, fence $F" \
    "423 lock is active $F" \
    "$LG_STATUS $(printf '%s' "$LG_BODY" | jq -r '.message + " " + (.lock.fence | tostring)' 2>&1)"
lg_cmp "... at once ($((T1 - T0)) ms)" $((T1 - T0)) -lt 1000
[ -n "$VICTIM" ] && gone_within "the responder that got SIGTERM" "$VICTIM" 1000
lg_wait_responders 2 5
AFTER=$(lg_responders | sort | tr '\n' ' ')
lg_is "lighttpd started a new responder: 2 again" 2 "$(lg_responders | wc -l)"
lg_true "... a new process ($BEFORE-> $AFTER)" test "$BEFORE" != "$AFTER"
lg_many GET "/v1/$ID" 20
lg_is "20 GETs afterwards: all 423" "20" "$(grep -c '^423$' "$LG_TMP/many.codes")"
sleep 0.3
PIDS=$(lg_responders)
kill -TERM "$LG_HTTPD_PID"
for p in $PIDS; do
	gone_within "idle responder $p of a stopping lighttpd" "$p" 1000
done
lg_wait_gone "$LG_HTTPD_PID" 5
wait "$LG_HTTPD_PID" 2>/dev/null
LG_HTTPD_PID=""
lg_is "the responders' log has no error line" "" \
    "$(grep -i error "$LG_RUN/lockgate.log")"
lg_finish
