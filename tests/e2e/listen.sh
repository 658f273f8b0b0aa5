#!/bin/bash
# tests/e2e/listen.sh: lockgate.fcgi --listen ADDR opening its own FastCGI
# socket (TCP on the loopback, or a Unix socket of mode 0660), spoken to
# with cgi-fcgi -bind (Debian's libfcgi-bin) as a web server would: exact
# answers, the listening address, a prompt stop on SIGTERM, a kept
# connection (FCGI_KEEP_CONN, sent by hand) that does not hold up new
# connections, and how each connection is closed (traced with strace).
# The READY tests given to start_listen are single-quoted on purpose: they
# are evaluated later, again and again.
# shellcheck disable=SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init cgi-fcgi ss timeout strace
VERSION=$(lg_version)
LPID=""

# start_listen DESC ARG READY: starts lockgate.fcgi --listen ARG in the
# background (stderr to $LG_TMP/listen.err) and waits up to 5 s until
# READY (a shell test) holds. Sets LPID; returns 1 if it never got ready.
start_listen()
{
	"$LOCKGATE_FCGI" --listen "$2" 2>>"$LG_TMP/listen.err" </dev/null &
	LPID=$!
	LG_BG_PIDS="$LG_BG_PIDS $LPID"
	if lg_wait_for 5 "$LPID" eval "$3"; then
		lg_ok "$1"
		return 0
	fi
	lg_not_ok "$1" "listening within 5 s" \
	    "$(lg_alive "$LPID" && echo "running, not ready" ||
	    echo "exited"); stderr: $(cat "$LG_TMP/listen.err")"
	return 1
}

# stop_listen DESC [PARENT]: SIGTERM, then the process must be gone within
# 1 s with exit status 0 (that of PARENT when given: a tracer that started
# it and passes its status on), and no lockgate of this test may be left.
stop_listen()
{
	local t0 t1 rc

	t0=$(lg_now_ms)
	kill -TERM "$LPID" 2>/dev/null
	if lg_wait_gone "$LPID" 1; then
		t1=$(lg_now_ms)
		wait "${2:-$LPID}" 2>/dev/null
		rc=$?
		lg_ok "$1: SIGTERM stops it in $((t1 - t0)) ms"
		lg_is "$1: exit status 0" 0 "$rc"
	else
		lg_not_ok "$1: SIGTERM stops it within 1 s" "gone" "still running"
		kill -KILL "$LPID" 2>/dev/null
	fi
	lg_is "$1: no lockgate.fcgi of this test left" "" \
	    "$(lg_responders | tr '\n' ' ')"
	LPID=""
}

# conversation ADDR DESC: the same exchange over either kind of socket.
conversation()
{
	local a=$1 d=$2 id f ts ex

	LG_CGI_IN=/dev/null
	lg_fcgi "$a" REQUEST_METHOD=GET PATH_INFO=/v1/health
	lg_cgi_expect "$d: GET /v1/health" 200 \
	    "{\"message\": \"okay\", \"version\": \"$VERSION\", \"records\": $RECORDS}"

	id=$(lg_uuid)
	lg_fcgi "$a" REQUEST_METHOD=GET PATH_INFO="/v1/$id"
	lg_cgi_expect "$d: GET never existed: 404" 404 "$LG_NOTFOUND"

	# The body is the CONTENT_LENGTH bytes; cgi-fcgi sends what follows
	# too, and the program must ignore it.
	printf '{"ttl": 30}junk' >"$LG_TMP/in"
	LG_CGI_IN=$LG_TMP/in
	lg_fcgi "$a" REQUEST_METHOD=PUT PATH_INFO="/v1/$id" \
	    CONTENT_TYPE=application/json CONTENT_LENGTH=11
	LG_CGI_IN=/dev/null
	lg_cgi_expect_lock "$d: PUT with a JSON body: 201" 201 true \
	    "lock acquired" "$id" 30.0 || return
	f=$LG_FENCE ts=$LG_TS ex=$LG_EXP
	lg_is "$d: expires = timestamp + 30 s" 30000 "$((ex - ts))"
	RECORDS=$((RECORDS + 1))

	lg_fcgi "$a" REQUEST_METHOD=GET PATH_INFO="/v1/$id"
	lg_cgi_expect_lock "$d: GET 423" 423 true "lock is active" "$id" 30.0 &&
	    lg_is "$d: GET shows the acquired lock" "$f $ts $ex" \
	    "$LG_FENCE $LG_TS $LG_EXP"
	lg_fcgi "$a" REQUEST_METHOD=HEAD PATH_INFO="/v1/$id"
	lg_is "$d: HEAD 423, JSON headers, no body" "|" \
	    "$(lg_cgi_problems 423)|$LG_BODY"
	lg_fcgi "$a" REQUEST_METHOD=PUT PATH_INFO="/v1/$id" QUERY_STRING=ttl=45
	lg_cgi_expect_lock "$d: PUT again: 200 refreshed, ttl 45" 200 true \
	    "lock refreshed" "$id" 45.0 &&
	    lg_is "$d: refresh keeps fence and timestamp" "$f $ts" \
	    "$LG_FENCE $LG_TS"
	lg_fcgi "$a" REQUEST_METHOD=PUT PATH_INFO="/v1/$id" \
	    QUERY_STRING='ttl=%zz'
	lg_cgi_expect "$d: bad %-escape in the query: 400" 400 \
	    '{"message": "invalid query string: bad percent-encoding"}'
	lg_fcgi "$a" REQUEST_METHOD=POST PATH_INFO="/v1/$id" CONTENT_LENGTH=0
	lg_cgi_expect "$d: POST 405" 405 "$LG_NOMETHOD"
	lg_expect_hdr "$d: POST 405 Allow" Allow "$LG_ALLOW_LOCK"
	printf '%16385s' '' >"$LG_TMP/big"
	LG_CGI_IN=$LG_TMP/big
	lg_fcgi "$a" REQUEST_METHOD=PUT PATH_INFO="/v1/$id" \
	    CONTENT_TYPE=application/json CONTENT_LENGTH=16385
	LG_CGI_IN=/dev/null
	lg_cgi_expect "$d: a 16385-byte body: 413" 413 \
	    "$LG_TOOBIG"
	lg_fcgi "$a" REQUEST_METHOD=DELETE PATH_INFO="/v1/$id"
	lg_cgi_expect_lock "$d: DELETE 200" 200 false "lock has been removed" \
	    "$id" 45.0 && lg_is "$d: DELETE shows fence $f" "$f" "$LG_FENCE"
	RECORDS=$((RECORDS - 1))
	lg_fcgi "$a" REQUEST_METHOD=GET PATH_INFO="/v1/$id"
	lg_cgi_expect "$d: GET after DELETE: 404" 404 "$LG_NOTFOUND"

	# The process goes on serving one request after another.
	lg_fcgi "$a" REQUEST_METHOD=PUT PATH_INFO="/v1/$id"
	ok=0
	for i in $(seq 1 10); do
		lg_fcgi "$a" REQUEST_METHOD=GET PATH_INFO="/v1/$id"
		[ "$LG_STATUS" = 423 ] && ok=$((ok + 1))
	done
	RECORDS=$((RECORDS + 1))
	lg_is "$d: 10 more requests on the same process: all 423" 10 "$ok"
}

RECORDS=0

# ---------------------------------------------------------------------------
lg_note "--listen 127.0.0.1:PORT"

PORT=$(lg_free_port) || lg_bail "found a free loopback port"
if start_listen "--listen 127.0.0.1:$PORT listens" "127.0.0.1:$PORT" \
    'lg_port_busy $PORT'; then
	lg_is "it listens on 127.0.0.1:$PORT only" "127.0.0.1:$PORT " \
	    "$(lg_listeners "$PORT")"
	conversation "127.0.0.1:$PORT" "tcp"
	stop_listen "tcp"
	state=$(lg_port_busy "$PORT" && echo busy || echo free)
	lg_is "the port is free again" free "$state"
fi

# "PORT" alone binds the loopback, never every interface.
PORT=$(lg_free_port) || lg_bail "found a free loopback port"
if start_listen "--listen $PORT listens" "$PORT" 'lg_port_busy $PORT'; then
	lg_is "--listen PORT binds 127.0.0.1 only" "127.0.0.1:$PORT " \
	    "$(lg_listeners "$PORT")"
	stop_listen "--listen PORT"
fi
PORT=$(lg_free_port) || lg_bail "found a free loopback port"
if start_listen "--listen :$PORT listens" ":$PORT" 'lg_port_busy $PORT'; then
	lg_is "--listen :PORT binds 127.0.0.1 only" "127.0.0.1:$PORT " \
	    "$(lg_listeners "$PORT")"
	stop_listen "--listen :PORT"
fi

# ---------------------------------------------------------------------------
lg_note "--listen /path/to/socket"

SOCK=$LG_TMP/sock/lockgate.sock
mkdir -p "$LG_TMP/sock"
if start_listen "--listen $SOCK listens" "$SOCK" '[ -S "$SOCK" ]'; then
	lg_is "the Unix socket's mode is 0660 (srw-rw----)" "srw-rw---- 660" \
	    "$(stat -c '%A %a' "$SOCK")"
	conversation "$SOCK" "unix"
	stop_listen "unix"
fi

# A second start on the same database sees what the first stored.
if start_listen "restart on the same database" "$SOCK" '[ -S "$SOCK" ]'; then
	LG_CGI_IN=/dev/null
	lg_fcgi "$SOCK" REQUEST_METHOD=GET PATH_INFO=/v1/health
	lg_cgi_expect "after a restart: health shows the $RECORDS records" 200 \
	    "{\"message\": \"okay\", \"version\": \"$VERSION\", \"records\": $RECORDS}"
	stop_listen "restarted unix"
fi
# ---------------------------------------------------------------------------
lg_note "a kept connection (FCGI_KEEP_CONN) while new connections come"

# fcgi_request METHOD PATH FLAGS: sets REQ to a FastCGI responder request,
# as printf %b escapes: BEGIN_REQUEST (role 1, FLAGS: 1 asks for the
# connection to be kept, as nginx sends with fastcgi_keep_conn), the
# parameters, their end, an empty stdin. Every name and value is shorter
# than 128 bytes. Starts no process.
REQ=""
fcgi_request()
{
	local p n v h body="" len=0

	for p in "REQUEST_METHOD=$1" "PATH_INFO=$2" GATEWAY_INTERFACE=CGI/1.1 \
	    SERVER_PROTOCOL=HTTP/1.1; do
		n=${p%%=*} v=${p#*=}
		printf -v h '\\x%02x\\x%02x' "${#n}" "${#v}"
		body+=$h$n$v
		len=$((len + 2 + ${#n} + ${#v}))
	done
	printf -v h '\\x%02x\\x%02x' $((len >> 8)) $((len & 255))
	printf -v REQ '\\x01\\x01\\x00\\x01\\x00\\x08\\x00\\x00\\x00\\x01\\x%02x%s' "$3" \
	    '\x00\x00\x00\x00\x00'
	REQ+="\\x01\\x04\\x00\\x01${h}\\x00\\x00$body"
	REQ+='\x01\x04\x00\x01\x00\x00\x00\x00\x01\x05\x00\x01\x00\x00\x00\x00'
}

# okays FILE: prints how many health answers ("message": "okay") FILE has.
okays()
{
	grep -ao '"message": "okay"' "$1" | wc -l
}

# now_us: the wall clock in microseconds, without starting a process
# (bash 5's EPOCHREALTIME; else date).
now_us()
{
	if [ -n "${EPOCHREALTIME:-}" ]; then
		NOW_US=${EPOCHREALTIME/[.,]/}
	else
		NOW_US=$(date +%s%6N)
	fi
}

# With 2 request threads, one answers on a kept connection and then waits
# there for the web server's next request. A new connection must still be
# answered at once: the other thread, idle and parked, is woken to watch
# the socket, rather than after its park's timeout of up to a second. The
# new connection is timed from its request to the first byte of its
# answer, by the shell alone (a process started meanwhile could take long
# on a loaded machine); a reader in the background collects the kept
# connection's answers, each waited for up to 10 s.
PORT=$(lg_free_port) || lg_bail "found a free loopback port"
if LOCKGATE_THREADS=2 start_listen "2 threads: --listen 127.0.0.1:$PORT" \
    "127.0.0.1:$PORT" 'lg_port_busy $PORT'; then
	IDLE=$(find "/proc/$LPID/fd" -lname 'socket:*' 2>/dev/null | wc -l)
	answers="" times="" slow=0
	for i in 1 2 3 4 5; do
		exec 3<>"/dev/tcp/127.0.0.1/$PORT"
		cat <&3 >"$LG_TMP/kept.out" &
		KCAT=$!
		LG_BG_PIDS="$LG_BG_PIDS $KCAT"
		fcgi_request GET /v1/health 1
		printf '%b' "$REQ" >&3
		lg_wait_for 10 "" eval '[ "$(okays "$LG_TMP/kept.out")" -ge 1 ]'
		answers+=$(okays "$LG_TMP/kept.out")
		fcgi_request GET /v1/health 0
		exec 4<>"/dev/tcp/127.0.0.1/$PORT"
		now_us
		t0=$NOW_US
		printf '%b' "$REQ" >&4
		first=""
		read -r -d '' -t 10 -u 4 first
		now_us
		t1=$NOW_US
		timeout 10 cat <&4 >"$LG_TMP/new.out"
		exec 4>&-
		ms=$(((t1 - t0) / 1000))
		# A FastCGI stdout record first (version 1, type 6), then the
		# answer.
		st=$([ "$first" = $'\x01\x06' ] && echo 1)
		st=$st$(grep -ac 'Status: 200 OK' "$LG_TMP/new.out")$(okays "$LG_TMP/new.out")
		times+=" $st:${ms}ms"
		{ [ "$st" = 111 ] && [ "$ms" -lt 300 ]; } || slow=$((slow + 1))
		# The kept connection serves its next request too.
		fcgi_request GET /v1/health 1
		printf '%b' "$REQ" >&3
		lg_wait_for 10 "" eval '[ "$(okays "$LG_TMP/kept.out")" -ge 2 ]'
		answers+=$(($(okays "$LG_TMP/kept.out") - ${answers: -1}))
		exec 3>&-
		kill "$KCAT" 2>/dev/null
		wait "$KCAT" 2>/dev/null
		# Its thread goes idle again: one thread watches, one parks.
		# The connection is closed first; the park leaves no outward
		# sign, and a machine too slow to reach it only makes the check
		# easier to pass.
		lg_wait_for 10 "" eval "[ \"\$(find /proc/$LPID/fd -lname 'socket:*' 2>/dev/null | wc -l)\" -le $IDLE ]"
		sleep 0.2
	done
	lg_is "5 kept connections answer twice each" 1111111111 "$answers"
	lg_is "a new connection meanwhile: a FastCGI answer, 200 okay (111), its first byte within 300 ms, 5 times" \
	    "0 late:$times" "$slow late:$times"
	stop_listen "kept"
fi

# ---------------------------------------------------------------------------
lg_note "closing a connection: at once, or lingering over unread input"

# A request whose input was read to its end is closed at once (close
# alone). One whose body was left unread (a PUT without a length) keeps
# libfcgi's lingering close: shutdown, then reading until the web server
# closes, so that the unread input cannot reset the connection before the
# answer is read. Every close is traced; each request must end in one.

TRACE=$LG_TMP/close.trace
# shutdowns_and_closes SINCE: the shutdown and close calls traced after
# line SINCE, as "S C".
shutdowns_and_closes()
{
	tail -n +"$(($1 + 1))" "$TRACE" |
	    awk '/ shutdown\(/ { s++ } / close\(/ { c++ }
		END { printf "%d %d", s, c }'
}

# closed_after DESC SINCE SHUTDOWNS: waits up to 3 s for a close after
# line SINCE of the trace, then there must be SHUTDOWNS shutdown calls.
closed_after()
{
	local n=60 got

	while [ "$n" -gt 0 ]; do
		got=$(shutdowns_and_closes "$2")
		[ "${got#* }" -ge 1 ] && break
		sleep 0.05
		n=$((n - 1))
	done
	lg_is "$1" "$3 1" "$got"
}

SOCK2=$LG_TMP/sock/traced.sock
# (LeakSanitizer, in an --enable-asan build, cannot run under a tracer.)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -qq -e trace=shutdown,close -o "$TRACE" \
    "$LOCKGATE_FCGI" --listen "$SOCK2" 2>>"$LG_TMP/listen.err" </dev/null &
SPID=$!
LG_BG_PIDS="$LG_BG_PIDS $SPID"
n=100
while [ ! -S "$SOCK2" ] && [ "$n" -gt 0 ] && lg_alive "$SPID"; do
	sleep 0.05
	n=$((n - 1))
done
# SIGTERM goes to lockgate itself: strace would only detach.
LPID=$(pgrep -P "$SPID" | head -n 1)
if [ -S "$SOCK2" ] && [ -n "$LPID" ]; then
	LG_BG_PIDS="$LG_BG_PIDS $LPID"
	lg_ok "lockgate.fcgi --listen under strace listens"
	id=$(lg_uuid)

	mark=$(wc -l <"$TRACE")
	LG_CGI_IN=/dev/null
	lg_fcgi "$SOCK2" REQUEST_METHOD=GET PATH_INFO="/v1/$id"
	lg_cgi_expect "traced: GET 404" 404 "$LG_NOTFOUND"
	closed_after "a GET (no body): closed at once, no shutdown" "$mark" 0

	mark=$(wc -l <"$TRACE")
	printf '{"ttl": 30}junk' >"$LG_TMP/in"
	LG_CGI_IN=$LG_TMP/in
	lg_fcgi "$SOCK2" REQUEST_METHOD=PUT PATH_INFO="/v1/$id" \
	    CONTENT_TYPE=application/json CONTENT_LENGTH=11
	lg_cgi_expect_lock "traced: PUT with a body and bytes past it: 201" \
	    201 true "lock acquired" "$id" 30.0
	closed_after "its body read, the rest dropped: closed at once" \
	    "$mark" 0

	mark=$(wc -l <"$TRACE")
	printf '%70000s' '' >"$LG_TMP/big"
	LG_CGI_IN=$LG_TMP/big
	lg_fcgi "$SOCK2" REQUEST_METHOD=PUT PATH_INFO="/v1/$id" \
	    CONTENT_TYPE=application/json CONTENT_LENGTH=70000
	lg_cgi_expect "traced: a 70000-byte body: 413" 413 \
	    "$LG_TOOBIG"
	closed_after "the body past the cap, read and dropped: closed at once" \
	    "$mark" 0

	# A PUT that declares no length: its body is not read (in FastCGI
	# mode only CONTENT_LENGTH says there is one).
	mark=$(wc -l <"$TRACE")
	printf '{"ttl": 45}' >"$LG_TMP/in"
	LG_CGI_IN=$LG_TMP/in
	lg_fcgi "$SOCK2" REQUEST_METHOD=PUT PATH_INFO="/v1/$id" \
	    CONTENT_TYPE=application/json
	lg_cgi_expect_lock \
	    "traced: PUT without a length: 200, its ttl 45 unread" \
	    200 true "lock refreshed" "$id" 30.0
	closed_after "the body left unread: shutdown, then close" "$mark" 1
	LG_CGI_IN=/dev/null
	stop_listen "traced" "$SPID"
else
	lg_not_ok "lockgate.fcgi --listen under strace listens" "a socket" \
	    "none; stderr: $(cat "$LG_TMP/listen.err")"
fi

lg_is "the listeners' stderr has no line with error" "" \
    "$(grep -i error "$LG_TMP/listen.err")"

lg_finish
