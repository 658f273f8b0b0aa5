#!/bin/bash
# tests/e2e/signals.sh: SIGTERM, as lighttpd, mod_fcgid and systemd send
# it, never cuts an answer short:
#   1. --listen: an idle responder exits within a second (status 0);
#   2. --listen: a GET ?wait=30 on a held lock, waiting (lockgate_waiting
#      says so) when SIGTERM comes, still gets its whole answer (423, exact
#      body) at once, not 30 s later: a stopping process does not sit out
#      the wait; the process then exits with status 0;
#   3. --listen: a PUT whose body is still arriving when SIGTERM comes (the
#      connection accepted, part of the body sent) is read to its end and
#      answered 201 with the exact body; the lock is then held (exact 423);
#   4. under lighttpd: SIGTERM to the responder in the middle of a waiting
#      GET ?wait=30 still gives the client the whole answer (exact status,
#      headers, body) at once; the responder exits within a second and
#      lighttpd starts a new one in its place, which answers exactly as
#      before; idle responders of a stopping lighttpd are gone within a
#      second.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
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

# sockets PID: prints how many of PID's file descriptors are sockets.
sockets()
{
	find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | wc -l
}

# busy_responders: prints the responders of ours with a connection (more
# than one socket: the listening one and an accepted one; the stop pipe's
# ends are pipes).
busy_responders()
{
	local p

	for p in $(lg_responders); do
		[ "$(sockets "$p")" -gt 1 ] && echo "$p"
	done
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
    REQUEST_METHOD=GET PATH_INFO="/v1/$ID" QUERY_STRING=wait=30 \
    timeout 60 cgi-fcgi -bind -connect "$ADDR" </dev/null \
    >"$LG_TMP/wait.out" 2>&1 &
CPID=$!
lg_wait_metric 10 lockgate_waiting -ge 1 cgi
lg_is "the GET ?wait=30 is waiting (lockgate_waiting)" 1 "$LG_METRIC"
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
lg_cmp "... at once, not after the rest of its 30 s wait ($((T1 - T0)) ms < 10000)" \
    $((T1 - T0)) -lt 10000
gone_within "the responder after answering" "$LPID" 1000
wait "$LPID"
lg_is "... exit status 0" 0 "$?"

# ---------------------------------------------------------------------------
lg_note "3. a body still arriving"
start_listen
ID=$(lg_uuid)
BODY='{"ttl": 60, "owner": "tok-slow-body"}'
mkfifo "$LG_TMP/body"
IDLE=$(sockets "$LPID")
T0=$(lg_now_ms)
env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
    REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" CONTENT_TYPE=application/json \
    CONTENT_LENGTH=${#BODY} \
    timeout 60 cgi-fcgi -bind -connect "$ADDR" <"$LG_TMP/body" \
    >"$LG_TMP/slow.out" 2>&1 &
CPID=$!
exec 5>"$LG_TMP/body"
printf '%s' "${BODY:0:10}" >&5
# The responder has accepted the connection: the request is its own.
lg_true "the responder accepted the PUT's connection" \
    lg_wait_for 10 "$LPID" eval "[ \"\$(sockets $LPID)\" -gt $IDLE ]"
kill -TERM "$LPID"
# A wrong stop would come at once: half a second shows it.
sleep 0.5
lg_true "the responder waits for the rest of the body" lg_alive "$LPID"
printf '%s' "${BODY:10}" >&5
exec 5>&-
wait "$CPID"
lg_is "cgi-fcgi ended normally" 0 "$?"
T1=$(lg_now_ms)
lg_cgi_parse "$LG_TMP/slow.out"
LG_RC=0
LG_T0=$T0 LG_T1=$T1
lg_cgi_expect_lock "the PUT gets its whole answer: 201 lock acquired" 201 true \
    "lock acquired" "$ID" 60.0 && lg_fresh "the PUT read to its end" 60.0
HOLD="$LG_FENCE $LG_TS $LG_EXP"
gone_within "the responder after answering" "$LPID" 1000
wait "$LPID"
lg_is "... exit status 0" 0 "$?"
lg_cgi REQUEST_METHOD=GET PATH_INFO="/v1/$ID"
lg_cgi_expect_lock "the lock is held afterwards (CGI GET: 423)" 423 true \
    "lock is active" "$ID" 60.0 &&
    lg_is "... the PUT's hold" "$HOLD" "$LG_FENCE $LG_TS $LG_EXP"

# ---------------------------------------------------------------------------
lg_note "4. under lighttpd"
lg_start_lighttpd 2
ID=$(lg_uuid)
lg_curl PUT "/v1/$ID"
lg_expect_lock "PUT: 201" 201 true "lock acquired" "$ID" 60.0
F=$LG_FENCE
# The answer every GET must give: the same hold, "lock is active".
ACTIVE=${LG_BODY/\"lock acquired\"/\"lock is active\"}
BEFORE=$(lg_responders | sort | tr '\n' ' ')
lg_is "2 responders" 2 "$(lg_responders | wc -l)"
curl -s --max-time 60 -D "$LG_TMP/lw.hdr" -o "$LG_TMP/lw.body" \
    -w '%{http_code}' "$LG_URL/v1/$ID?wait=30" >"$LG_TMP/lw.code" 2>/dev/null &
CPID=$!
lg_wait_metric 10 lockgate_waiting -ge 1
lg_is "the GET ?wait=30 is waiting (lockgate_waiting)" 1 "$LG_METRIC"
# The responder serving it: the one with a connection to lighttpd (the
# one that answered /metrics may take a moment to close its own).
# shellcheck disable=SC2016 # expanded by eval, each time
lg_wait_for 5 "" eval '[ "$(busy_responders | wc -l)" = 1 ]'
VICTIM=$(busy_responders | tr '\n' ' ')
if [ "$(printf '%s' "$VICTIM" | wc -w)" = 1 ]; then
	VICTIM=${VICTIM% }
	lg_ok "the GET ?wait=30 waits in responder $VICTIM"
else
	lg_not_ok "the GET ?wait=30 waits in one responder" "one pid" \
	    "${VICTIM:-none}"
	VICTIM=""
fi
T0=$(lg_now_ms)
[ -n "$VICTIM" ] && kill -TERM "$VICTIM"
wait "$CPID"
T1=$(lg_now_ms)
LG_STATUS=$(cat "$LG_TMP/lw.code")
lg_readfile "$LG_TMP/lw.body"
LG_HDRS=$LG_TMP/lw.hdr
lg_parse_headers
lg_expect_lock "the client gets the whole answer: 423 lock is active, fence $F" \
    423 true "lock is active" "$ID" 60.0 &&
    lg_is "... the PUT's hold, exactly" "$ACTIVE" "$LG_BODY"
lg_cmp "... at once, not after the rest of its 30 s wait ($((T1 - T0)) ms < 10000)" \
    $((T1 - T0)) -lt 10000
[ -n "$VICTIM" ] && gone_within "the responder that got SIGTERM" "$VICTIM" 1000
lg_wait_responders 2 5
AFTER=$(lg_responders | sort | tr '\n' ' ')
lg_is "lighttpd started a new responder: 2 again" 2 "$(lg_responders | wc -l)"
lg_true "... a new process ($BEFORE-> $AFTER)" test "$BEFORE" != "$AFTER"
lg_many GET "/v1/$ID" 20
same=0
for i in $(seq 1 20); do
	lg_readfile "$LG_TMP/many.$i"
	[ "$LG_BODY" = "$ACTIVE" ] && same=$((same + 1))
done
lg_is "20 GETs afterwards: all 423" "20 423" "$(lg_codes "$LG_TMP/many.codes")"
lg_is "... each with the same hold, exactly" 20 "$same"
# Idle: no responder has a connection left.
# shellcheck disable=SC2016 # expanded by eval, each time
lg_true "the responders are idle" \
    lg_wait_for 5 "" eval '[ -z "$(busy_responders)" ]'
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
