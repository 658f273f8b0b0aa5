#!/bin/bash
# tests/e2e/cgi.sh: lockgate.fcgi run directly as a plain CGI program (RFC
# 3875): one request per run from the environment and stdin, the answer on
# stdout as "Status: ..." and header lines ended by CRLF, a blank line, the
# body. State persists between runs in LOCKGATE_DB; the body is read by
# CONTENT_LENGTH, never to the end of stdin; start-up settings are checked.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init env timeout
VERSION=$(lg_version)

# body TEXT: makes TEXT (backslash escapes such as \n interpreted, no
# newline added) the next stdin.
body()
{
	printf '%b' "$1" >"$LG_TMP/in"
	LG_CGI_IN=$LG_TMP/in
}

# open_run TEXT NAME=VALUE...: runs the program once as CGI with the
# variables and TEXT on a stdin (a FIFO) that stays open until the program
# has exited, 10 s at most, as a server that keeps the pipe would. Sets
# OPEN ("yes" when it exited with its stdin still open), OPEN_MS (its run
# time), LG_RC, LG_ERR and the answer (lg_cgi_parse).
OPEN=""
OPEN_MS=0
open_run()
{
	local text=$1 pid t0

	shift
	rm -f "$LG_TMP/open.fifo"
	mkfifo "$LG_TMP/open.fifo" || lg_bail "mkfifo $LG_TMP/open.fifo"
	t0=$(lg_now_ms)
	env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 \
	    SERVER_PROTOCOL=HTTP/1.1 LOCKGATE_DB="$LOCKGATE_DB" "$@" \
	    timeout 20 "$LOCKGATE_FCGI" <"$LG_TMP/open.fifo" \
	    >"$LG_TMP/open.out" 2>"$LG_TMP/open.err" &
	pid=$!
	exec 6>"$LG_TMP/open.fifo"
	# The program may be gone already: no SIGPIPE for this shell.
	( trap '' PIPE; printf '%s' "$text" >&6 ) 2>/dev/null
	OPEN=no
	lg_wait_gone "$pid" 10 && OPEN=yes
	OPEN_MS=$(($(lg_now_ms) - t0))
	exec 6>&-
	wait "$pid"
	LG_RC=$?
	LG_ERR=""
	IFS= read -r -d '' LG_ERR <"$LG_TMP/open.err"
	[ -z "$LG_ERR" ] || printf '%s' "$LG_ERR" >>"$LG_TMP/cgi-all.err"
	lg_cgi_parse "$LG_TMP/open.out"
}

# ---------------------------------------------------------------------------
lg_note "start-up, health, and a lock across separate runs"

LG_CGI_ARGS=--version
lg_cgi
lg_is "--version: exit 0 and the version on stdout" "0 lockgate.fcgi $VERSION" \
    "$LG_RC $(cat "$LG_TMP/cgi.out")"
LG_CGI_ARGS=""

lg_cgi REQUEST_METHOD=GET PATH_INFO=/v1/health
lg_cgi_expect "GET /v1/health creates the missing database and answers" 200 \
    "{\"message\": \"okay\", \"version\": \"$VERSION\", \"records\": 0}"
lg_true "LOCKGATE_DB was created with data.mdb in it" test -f "$LOCKGATE_DB/data.mdb"
lg_is "a normal request writes nothing on stderr" "" "$LG_ERR"

ID=$(lg_uuid)
lg_cgi REQUEST_METHOD=GET PATH_INFO="/v1/$ID"
lg_cgi_expect "GET a lock that never existed: 404" 404 "$LG_NOTFOUND"
T0=$(lg_now_ms)
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$ID"
T1=$(lg_now_ms)
lg_cgi_expect_lock "PUT: Status: 201 Created, lock acquired" 201 true \
    "lock acquired" "$ID" 60.0
F=$LG_FENCE TS=$LG_TS EX=$LG_EXP
lg_is "PUT: expires = timestamp + 60 s" 60000 "$((EX - TS))"
lg_true "PUT: timestamp is the time of the run" \
    test "$TS" -ge $((T0 - 50)) -a "$TS" -le $((T1 + 50))
lg_is "a 201 writes nothing on stderr" "" "$LG_ERR"

lg_cgi REQUEST_METHOD=GET PATH_INFO="/v1/$ID"
lg_cgi_expect_lock "GET in a new run: 423, the lock persisted" 423 true \
    "lock is active" "$ID" 60.0 &&
    lg_is "the next run sees the same fence, timestamp, expires" \
    "$F $TS $EX" "$LG_FENCE $LG_TS $LG_EXP"

lg_cgi REQUEST_METHOD=HEAD PATH_INFO="/v1/$ID"
bad=$(lg_cgi_problems 423)
lg_is "HEAD: Status: 423 Locked, JSON headers, no body" "|" "$bad|$LG_BODY"

lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" QUERY_STRING=ttl=90
lg_cgi_expect_lock "PUT again: 200 refreshed with the new ttl" 200 true \
    "lock refreshed" "$ID" 90.0 &&
    lg_is "refresh keeps fence and timestamp" "$F $TS" "$LG_FENCE $LG_TS"

lg_cgi REQUEST_METHOD=GET PATH_INFO=/v1/health
lg_cgi_expect "health counts 1 record" 200 \
    "{\"message\": \"okay\", \"version\": \"$VERSION\", \"records\": 1}"

lg_cgi REQUEST_METHOD=DELETE PATH_INFO="/v1/$ID"
lg_cgi_expect_lock "DELETE: 200 removed" 200 false "lock has been removed" \
    "$ID" 90.0
lg_cgi REQUEST_METHOD=GET PATH_INFO="/v1/$ID"
lg_cgi_expect "GET after DELETE in a new run: 404" 404 "$LG_NOTFOUND"
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$ID"
lg_cgi_expect_lock "PUT after DELETE: 201, a new acquisition" 201 true \
    "lock acquired" "$ID" 60.0 &&
    lg_cmp "the new fence is larger than the old one" "$LG_FENCE" -gt "$F"

LG_CGI_ARGS=--cgi
lg_cgi REQUEST_METHOD=GET PATH_INFO="/v1/$ID"
lg_cgi_expect_lock "--cgi forces CGI mode" 423 true "lock is active" "$ID" 60.0
LG_CGI_ARGS=""

# ---------------------------------------------------------------------------
lg_note "where the route comes from"

# REQUEST_URI alone (no PATH_INFO): its path, without the query.
ID=$(lg_uuid)
lg_cgi REQUEST_METHOD=PUT REQUEST_URI="/v1/$ID?ttl=30" QUERY_STRING=ttl=30
lg_cgi_expect_lock "REQUEST_URI /v1/<id>?ttl=30 without PATH_INFO" 201 true \
    "lock acquired" "$ID" 30.0
# lighttpd mounted at "/v1": SCRIPT_NAME=/v1, PATH_INFO=/<uuid>.
lg_cgi REQUEST_METHOD=GET SCRIPT_NAME=/v1 PATH_INFO="/$ID" \
    REQUEST_URI="/v1/$ID"
lg_cgi_expect_lock "SCRIPT_NAME=/v1 PATH_INFO=/<uuid> (lighttpd at /v1)" \
    423 true "lock is active" "$ID" 30.0
# mod_fcgid: PATH_INFO after the script's own path.
lg_cgi REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/lockgate.fcgi \
    PATH_INFO="/v1/$ID" REQUEST_URI="/cgi-bin/lockgate.fcgi/v1/$ID"
lg_cgi_expect_lock "SCRIPT_NAME=/cgi-bin/lockgate.fcgi PATH_INFO=/v1/<uuid>" \
    423 true "lock is active" "$ID" 30.0
# mod_proxy_fcgi: the whole path in SCRIPT_NAME, no PATH_INFO.
lg_cgi REQUEST_METHOD=GET SCRIPT_NAME="/v1/$ID" REQUEST_URI="/v1/$ID"
lg_cgi_expect_lock "SCRIPT_NAME=/v1/<uuid>, no PATH_INFO (mod_proxy_fcgi)" \
    423 true "lock is active" "$ID" 30.0
lg_cgi REQUEST_METHOD=GET PATH_INFO=/v1/not-a-uuid
lg_cgi_expect "GET /v1/not-a-uuid: 404 JSON" 404 "$LG_BADPATH"
lg_cgi REQUEST_METHOD=GET PATH_INFO=/elsewhere
lg_cgi_expect "GET /elsewhere: 404" 404 "$LG_NOPATH"
lg_cgi REQUEST_METHOD=POST PATH_INFO="/v1/$ID" CONTENT_LENGTH=0
lg_cgi_expect "POST /v1/<uuid>: 405" 405 "$LG_NOMETHOD"
lg_expect_hdr "POST /v1/<uuid>: Allow" Allow "$LG_ALLOW_LOCK"
lg_cgi REQUEST_METHOD=OPTIONS PATH_INFO="/v1/$ID"
bad=$(lg_cgi_problems 204)
lg_is "OPTIONS: Status: 204 No Content, no body, CORS headers" \
    "||$LG_ALLOW_LOCK|$LG_ALLOW_LOCK|Content-Type, Authorization|86400|*" \
    "$bad|$LG_BODY|$(lg_hdr Allow)|$(lg_hdr Access-Control-Allow-Methods)|$(lg_hdr Access-Control-Allow-Headers)|$(lg_hdr Access-Control-Max-Age)|$(lg_hdr Access-Control-Allow-Origin)"

# ---------------------------------------------------------------------------
lg_note "the body: exactly CONTENT_LENGTH bytes, never to the end of stdin"

ID=$(lg_uuid)
body '{"ttl": 30}{"ttl": 99} and trailing junk\n'
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" \
    CONTENT_TYPE=application/json CONTENT_LENGTH=11
lg_cgi_expect_lock "JSON body read as CONTENT_LENGTH=11 bytes, extra ignored" \
    201 true "lock acquired" "$ID" 30.0
ID=$(lg_uuid)
body 'ttl=45&tll=1&junk'
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" \
    CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=6
lg_cgi_expect_lock "form body read as CONTENT_LENGTH=6 bytes, extra ignored" \
    201 true "lock acquired" "$ID" 45.0

# stdin left open after the body (a server that keeps the pipe): the
# answer must come without waiting for stdin to close.
ID=$(lg_uuid)
open_run '{"ttl": 20}' REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" \
    CONTENT_TYPE=application/json CONTENT_LENGTH=11
lg_cgi_expect_lock "body on a pipe left open: 201" 201 true "lock acquired" \
    "$ID" 20.0
lg_is "body on a pipe left open: answered and exited with stdin still open ($OPEN_MS ms)" \
    yes "$OPEN"

ID=$(lg_uuid)
body '{"ttl": 30}'
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" HTTP_TRANSFER_ENCODING=chunked \
    CONTENT_TYPE=application/json
lg_cgi_expect "Transfer-Encoding: chunked without CONTENT_LENGTH: 411" 411 \
    '{"message": "Content-Length required"}'
LG_CGI_IN=/dev/null
lg_cgi REQUEST_METHOD=GET PATH_INFO="/v1/$ID"
lg_cgi_expect "after 411: nothing stored" 404 "$LG_NOTFOUND"

printf '{"ttl": 30}%*s' 16374 '' >"$LG_TMP/b16385"
LG_CGI_IN=$LG_TMP/b16385
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" CONTENT_TYPE=application/json \
    CONTENT_LENGTH=16385
lg_cgi_expect "CONTENT_LENGTH=16385: 413" 413 "$LG_TOOBIG"
# Past the cap the declared body is read and dropped (so that a server
# still sending it passes the 413 on), but only as far as stdin goes: here
# it ends after 11 bytes. A run that did not stop at the end of its input
# would be cut off by its 10 s bound.
body '{"ttl": 30}'
T0=$(lg_now_ms)
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" CONTENT_TYPE=application/json \
    CONTENT_LENGTH=999999999
T1=$(lg_now_ms)
lg_cgi_expect "CONTENT_LENGTH=999999999 with a short body: 413" 413 "$LG_TOOBIG"
lg_cmp "... answered once its stdin ended, not at the run's 10 s bound ($((T1 - T0)) ms < 5000)" \
    $((T1 - T0)) -lt 5000
LG_CGI_IN=/dev/null
lg_cgi REQUEST_METHOD=GET PATH_INFO="/v1/$ID"
lg_cgi_expect "after 413: nothing stored" 404 "$LG_NOTFOUND"
printf '{"ttl": 30}%*s' 16373 '' >"$LG_TMP/b16384"
LG_CGI_IN=$LG_TMP/b16384
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" CONTENT_TYPE=application/json \
    CONTENT_LENGTH=16384
lg_cgi_expect_lock "CONTENT_LENGTH=16384 (the limit): 201" 201 true \
    "lock acquired" "$ID" 30.0

# ---------------------------------------------------------------------------
lg_note "parameters as CGI passes them"

LG_CGI_IN=/dev/null
bad_q()
{
	local id

	id=$(lg_uuid)
	lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$id" QUERY_STRING="$2"
	lg_cgi_expect "QUERY_STRING '$2': 400" 400 "$3"
	lg_cgi REQUEST_METHOD=GET PATH_INFO="/v1/$id"
	lg_cgi_expect "QUERY_STRING '$2': nothing stored" 404 "$LG_NOTFOUND"
}
bad_q x 'ttl=%zz' '{"message": "invalid query string: bad percent-encoding"}'
bad_q x 'ttl=3%4' '{"message": "invalid query string: bad percent-encoding"}'
bad_q x 'ttl=%' '{"message": "invalid query string: bad percent-encoding"}'
bad_q x 'tll=30' '{"message": "Unknown arguments: tll"}'
bad_q x 'ttl=1&ttl=2' '{"message": "duplicate parameter: ttl"}'
bad_q x 'ttl=0' '{"message": {"ttl": "must be greater than 0"}}'
bad_q x 'ttl=1e400' '{"message": {"ttl": "must be a finite number"}}'
ID=$(lg_uuid)
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" QUERY_STRING='ttl=%2030%20'
lg_cgi_expect_lock "QUERY_STRING 'ttl=%2030%20': 201, ttl 30.0" 201 true \
    "lock acquired" "$ID" 30.0
ID=$(lg_uuid)
body '30'
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" CONTENT_TYPE=application/json \
    CONTENT_LENGTH=2
lg_cgi_expect "JSON body '30' (a number, valid JSON): 400 not an object" 400 \
    '{"message": "JSON body must be an object"}'

# ---------------------------------------------------------------------------
lg_note "settings from the environment"

LG_CGI_IN=/dev/null
ID=$(lg_uuid)
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" QUERY_STRING=ttl=101 \
    LOCKGATE_MAX_TTL=100
lg_cgi_expect "LOCKGATE_MAX_TTL=100, ttl=101: 400" 400 \
    '{"message": {"ttl": "must be at most 100"}}'
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" QUERY_STRING=ttl=100 \
    LOCKGATE_MAX_TTL=100
lg_cgi_expect_lock "LOCKGATE_MAX_TTL=100, ttl=100: 201" 201 true \
    "lock acquired" "$ID" 100.0
ID=$(lg_uuid)
printf '{"ttl": 30}%*s' 90 '' >"$LG_TMP/b101"
LG_CGI_IN=$LG_TMP/b101
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" CONTENT_TYPE=application/json \
    CONTENT_LENGTH=101 LOCKGATE_MAX_BODY=100
lg_cgi_expect "LOCKGATE_MAX_BODY=100, a 101-byte body: 413" 413 \
    '{"message": "request body too large (limit 100 bytes)"}'
LG_CGI_IN=/dev/null

# A full database (LOCKGATE_MAX_RECORDS reached): 507 for a new lock, while
# reads, refreshes and releases go on working.
FULLDB=$LG_TMP/full
ids=()
for i in 1 2 3 4; do
	ids[i]=$(lg_uuid)
done
for i in 1 2 3; do
	lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/${ids[i]}" \
	    LOCKGATE_DB="$FULLDB" LOCKGATE_MAX_RECORDS=3
	lg_cgi_expect_lock "LOCKGATE_MAX_RECORDS=3: lock $i of 3: 201" 201 true \
	    "lock acquired" "${ids[i]}" 60.0
done
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/${ids[4]}" \
    LOCKGATE_DB="$FULLDB" LOCKGATE_MAX_RECORDS=3
lg_cgi_expect "a fourth lock in a full database: 507" 507 \
    "$LG_FULL"
lg_cgi REQUEST_METHOD=GET PATH_INFO="/v1/${ids[1]}" \
    LOCKGATE_DB="$FULLDB" LOCKGATE_MAX_RECORDS=3
lg_cgi_expect_lock "full: GET still works" 423 true "lock is active" \
    "${ids[1]}" 60.0
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/${ids[1]}" \
    LOCKGATE_DB="$FULLDB" LOCKGATE_MAX_RECORDS=3
lg_cgi_expect_lock "full: a refresh still works" 200 true "lock refreshed" \
    "${ids[1]}" 60.0
lg_cgi REQUEST_METHOD=DELETE PATH_INFO="/v1/${ids[2]}" \
    LOCKGATE_DB="$FULLDB" LOCKGATE_MAX_RECORDS=3
lg_cgi_expect_lock "full: DELETE still works" 200 false \
    "lock has been removed" "${ids[2]}" 60.0
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/${ids[4]}" \
    LOCKGATE_DB="$FULLDB" LOCKGATE_MAX_RECORDS=3
lg_cgi_expect_lock "after a DELETE the fourth lock fits: 201" 201 true \
    "lock acquired" "${ids[4]}" 60.0

# A database that cannot be opened (LOCKGATE_DB is a plain file): the
# contract's storage error answers, 503, rather than no answer at all
# (a CGI that writes nothing becomes the web server's HTML 500 page).
: >"$LG_TMP/notadir"
lg_cgi REQUEST_METHOD=PUT PATH_INFO="/v1/$(lg_uuid)" \
    LOCKGATE_DB="$LG_TMP/notadir"
lg_cgi_expect "LOCKGATE_DB unusable: PUT 503 storage unavailable" 503 \
    '{"message": "storage unavailable"}'
lg_cgi REQUEST_METHOD=GET PATH_INFO=/v1/health LOCKGATE_DB="$LG_TMP/notadir"
bad=$(lg_cgi_problems 503)
if [ -z "$bad" ] && [[ $LG_BODY =~ ^\{\"message\":\ \"failed\"[,}] ]]; then
	lg_ok "LOCKGATE_DB unusable: GET /v1/health 503 {\"message\": \"failed\", ...}"
else
	lg_not_ok "LOCKGATE_DB unusable: GET /v1/health 503 {\"message\": \"failed\", ...}" \
	    '503 {"message": "failed", ...}' \
	    "exit $LG_RC, stdout: $(cat "$LG_TMP/cgi.out")${bad:+$'\n'$bad}${LG_ERR:+$'\n'stderr: $LG_ERR}"
fi

# bad_env NAME VALUE: start-up refused: exit 1, stderr names NAME, no answer.
bad_env()
{
	lg_cgi REQUEST_METHOD=GET PATH_INFO=/v1/health "$1=$2"
	if [ "$LG_RC" = 1 ] && [[ $LG_ERR == *"$1"* ]] &&
	    [ ! -s "$LG_TMP/cgi.out" ]; then
		lg_ok "$1=$2: start-up refused, exit 1, stderr names $1"
	else
		lg_not_ok "$1=$2: start-up refused, exit 1, stderr names $1" \
		    "exit 1, a message naming $1, nothing on stdout" \
		    "exit $LG_RC, stderr: $LG_ERR, stdout: $(cat "$LG_TMP/cgi.out")"
	fi
}
bad_env LOCKGATE_MAX_TTL abc
bad_env LOCKGATE_MAX_TTL 0
bad_env LOCKGATE_MAX_TTL -5
bad_env LOCKGATE_MAX_BODY abc
bad_env LOCKGATE_MAP_SIZE 12Q
bad_env LOCKGATE_SYNC sometimes
bad_env LOCKGATE_LOG_LEVEL loud
bad_env LOCKGATE_MAX_RECORDS many

lg_finish
