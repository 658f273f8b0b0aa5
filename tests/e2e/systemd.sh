#!/bin/bash
# tests/e2e/systemd.sh: the shipped systemd units (systemd/). systemd is
# not needed as PID 1: the units are checked with systemd-analyze verify
# and security --offline, and the ExecStart= line of lockgate.service is
# started the way systemd would start it, through systemd-socket-activate
# on the ListenStream= of lockgate.socket (only paths are replaced: the
# program, the socket, the database). Then FastCGI requests through
# cgi-fcgi, with exact answers; the socket stays systemd's (never rebound,
# never removed); the refusals (two sockets, Accept=yes, fd 3 no socket);
# every system call the program makes, traced with strace, allowed by the
# unit's SystemCallFilter=; and lockgate-standalone.service opening its
# own socket.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init cgi-fcgi systemd-socket-activate systemd-analyze strace timeout stat
UNITS=$LOCKGATE_SRCDIR/systemd
VERSION=$(lg_version)
SAPID=""

# unit_values FILE KEY: prints every value of KEY= in FILE, one a line
# (comments and blank lines skipped; no line continuations in ours).
unit_values()
{
	sed -n "s/^[[:blank:]]*$2[[:blank:]]*=[[:blank:]]*//p" "$1"
}

# unit_value FILE KEY: the one value of KEY= in FILE (the last one wins,
# as in systemd).
unit_value()
{
	unit_values "$1" "$2" | tail -n 1
}

# shipped_argv LINE: sets ARGV to the words of an ExecStart= LINE with
# only the paths replaced: the installed program by the built one, the
# socket by $SOCK.
shipped_argv()
{
	local i

	read -r -a ARGV <<<"$1"
	for i in "${!ARGV[@]}"; do
		case ${ARGV[i]} in
		/usr/local/sbin/lockgate.fcgi) ARGV[i]=$LOCKGATE_FCGI ;;
		"$SOCKET_PATH") ARGV[i]=$SOCK ;;
		esac
	done
}

# ---------------------------------------------------------------------------
lg_note "the unit files as shipped"

for f in lockgate.socket lockgate.service lockgate-standalone.service; do
	[ -f "$UNITS/$f" ] || lg_bail "systemd/$f exists"
done
SOCKET_PATH=$(unit_value "$UNITS/lockgate.socket" ListenStream)
EXEC=$(unit_value "$UNITS/lockgate.service" ExecStart)
EXEC_SA=$(unit_value "$UNITS/lockgate-standalone.service" ExecStart)
lg_is "lockgate.socket: one ListenStream=" 1 \
    "$(unit_values "$UNITS/lockgate.socket" ListenStream | wc -l)"
lg_is "lockgate.socket listens on /run/lockgate/lockgate.sock (a Unix socket, no TCP)" \
    /run/lockgate/lockgate.sock "$SOCKET_PATH"
lg_is "lockgate.socket: SocketMode=0660" 0660 \
    "$(unit_value "$UNITS/lockgate.socket" SocketMode)"
lg_is "lockgate.socket: Accept=no" no \
    "$(unit_value "$UNITS/lockgate.socket" Accept)"
lg_like "lockgate.socket: a SocketGroup= for the web server" '^[a-z_][a-z0-9_-]*$' \
    "$(unit_value "$UNITS/lockgate.socket" SocketGroup)"
for u in lockgate.service lockgate-standalone.service; do
	f=$UNITS/$u
	lg_is "$u: ExecStart= is lockgate.fcgi --listen on the socket" \
	    "/usr/local/sbin/lockgate.fcgi --listen $SOCKET_PATH" \
	    "$(unit_value "$f" ExecStart)"
	lg_is "$u: unprivileged (DynamicUser=yes)" yes \
	    "$(unit_value "$f" DynamicUser)"
	lg_is "$u: StateDirectory=lockgate" lockgate \
	    "$(unit_value "$f" StateDirectory)"
	lg_is "$u: LOCKGATE_DB=/var/lib/lockgate" LOCKGATE_DB=/var/lib/lockgate \
	    "$(unit_values "$f" Environment | grep '^LOCKGATE_DB=')"
	lg_is "$u: hardening" \
	    "yes strict yes AF_UNIX yes" \
	    "$(unit_value "$f" NoNewPrivileges) $(unit_value "$f" ProtectSystem) $(unit_value "$f" PrivateTmp) $(unit_value "$f" RestrictAddressFamilies) $(unit_value "$f" RestrictNamespaces)"
done
lg_is "lockgate.service needs lockgate.socket" lockgate.socket \
    "$(unit_value "$UNITS/lockgate.service" Requires)"

# Copies of the units with the program's path replaced by the built one:
# systemd-analyze checks that ExecStart= names an executable.
U=$LG_TMP/units
mkdir -p "$U"
for f in lockgate.socket lockgate.service lockgate-standalone.service; do
	sed "s|/usr/local/sbin/lockgate.fcgi|$LOCKGATE_FCGI|g" "$UNITS/$f" >"$U/$f"
done
if (cd "$U" && systemd-analyze verify --man=no ./lockgate.socket \
    ./lockgate.service ./lockgate-standalone.service) \
    >"$LG_TMP/verify.out" 2>&1; then
	lg_is "systemd-analyze verify: no complaint" "" "$(cat "$LG_TMP/verify.out")"
else
	lg_not_ok "systemd-analyze verify accepts the units" "exit status 0" \
	    "$(cat "$LG_TMP/verify.out")"
fi
for u in lockgate.service lockgate-standalone.service; do
	# The exposure score, 0 (best) to 10; 1.5 here is --threshold=15.
	if (cd "$U" && systemd-analyze security --offline=yes --threshold=15 \
	    "./$u") >"$LG_TMP/security.out" 2>&1; then
		lg_ok "systemd-analyze security: $u: $(grep -o 'exposure level.*' "$LG_TMP/security.out")"
	else
		lg_not_ok "systemd-analyze security: $u at most 1.5" "" \
		    "$(tail -n 3 "$LG_TMP/security.out")"
	fi
done

# ---------------------------------------------------------------------------
lg_note "ExecStart= of lockgate.service under systemd-socket-activate"

RUN=$LG_TMP/run
mkdir -p "$RUN"
SOCK=$RUN/lockgate.sock
# The shipped line, word by word, with only the paths replaced.
shipped_argv "$EXEC"
# Environment= as systemd would set it, LOCKGATE_DB pointing here.
ENVS=()
while IFS= read -r e; do
	case $e in
	LOCKGATE_DB=*) e=LOCKGATE_DB=$LOCKGATE_DB ;;
	esac
	ENVS+=(-E "$e")
done < <(unit_values "$UNITS/lockgate.service" Environment)
lg_note "running: systemd-socket-activate -l $SOCK ${ENVS[*]} ${ARGV[*]}"

# start_activated ERRFILE SOCKET-ARGS...: systemd-socket-activate with the
# given -l/--accept arguments and the shipped command; it binds, then
# waits for the first connection before it executes the program in its
# own place (same pid, as systemd does). Sets SAPID.
start_activated()
{
	local err=$1

	shift
	systemd-socket-activate "$@" "${ENVS[@]}" "${ARGV[@]}" \
	    </dev/null >/dev/null 2>"$err" &
	SAPID=$!
	LG_BG_PIDS="$LG_BG_PIDS $SAPID"
	# Ready once the socket file exists.
	lg_wait_for 5 "$SAPID" test -S "$SOCK"
}

start_activated "$LG_TMP/sa.err" -l "$SOCK" ||
    lg_bail "systemd-socket-activate listens on $SOCK" "$(cat "$LG_TMP/sa.err")"
INODE=$(stat -c %i "$SOCK")

LG_CGI_IN=/dev/null
lg_fcgi "$SOCK" REQUEST_METHOD=GET REQUEST_URI=/v1/health
lg_cgi_expect "first connection starts it: GET /v1/health" 200 \
    "{\"message\": \"okay\", \"version\": \"$VERSION\", \"records\": 0}"
lg_is "the process is lockgate.fcgi now (same pid)" "$(readlink -f "$LOCKGATE_FCGI")" \
    "$(readlink "/proc/$SAPID/exe")"
lg_like "its fd 3 is the passed socket" '^socket:' \
    "$(readlink "/proc/$SAPID/fd/3")"

ID=$(lg_uuid)
lg_fcgi "$SOCK" REQUEST_METHOD=GET REQUEST_URI="/v1/$ID"
lg_cgi_expect "GET a free lock: 404" 404 "$LG_NOTFOUND"
printf '{"ttl": 30}' >"$LG_TMP/in"
LG_CGI_IN=$LG_TMP/in
lg_fcgi "$SOCK" REQUEST_METHOD=PUT REQUEST_URI="/v1/$ID" \
    CONTENT_TYPE=application/json CONTENT_LENGTH=11
LG_CGI_IN=/dev/null
lg_cgi_expect_lock "PUT with a JSON body: 201" 201 true "lock acquired" \
    "$ID" 30.0
F=$LG_FENCE
lg_fcgi "$SOCK" REQUEST_METHOD=GET REQUEST_URI="/v1/$ID"
lg_cgi_expect_lock "GET: 423" 423 true "lock is active" "$ID" 30.0 &&
    lg_is "GET shows fence $F" "$F" "$LG_FENCE"
lg_fcgi "$SOCK" REQUEST_METHOD=HEAD REQUEST_URI="/v1/$ID"
lg_is "HEAD: 423, JSON headers, no body" "423||" \
    "$LG_STATUS|$(lg_cgi_problems 423)|$LG_BODY"
lg_fcgi "$SOCK" REQUEST_METHOD=DELETE REQUEST_URI="/v1/$ID"
lg_cgi_expect_lock "DELETE: 200" 200 false "lock has been removed" "$ID" 30.0
lg_fcgi "$SOCK" REQUEST_METHOD=POST REQUEST_URI="/locks?l=true&k=secret" \
    QUERY_STRING="l=true&k=secret" CONTENT_LENGTH=0
LSS_ID=$(printf '%s' "$LG_BODY" | sed -n 's/^{"lockId":"\([0-9a-z]*\)","lockKey":"secret"}$/\1/p')
lg_like "LSS POST /locks?l=true&k=secret: 200 with the id and key" \
    '^200 [0-9a-hjkmnp-tv-z]{26}$' "$LG_STATUS $LSS_ID"
lg_fcgi "$SOCK" REQUEST_METHOD=GET REQUEST_URI="/locks/$LSS_ID"
lg_is "LSS GET: 423, no body" "423|" "$LG_STATUS|$LG_BODY"
lg_fcgi "$SOCK" REQUEST_METHOD=PATCH \
    REQUEST_URI="/locks/$LSS_ID/unlock?k=secret" QUERY_STRING=k=secret
lg_is "LSS PATCH unlock: 204" "204|" "$LG_STATUS|$LG_BODY"
lg_fcgi "$SOCK" REQUEST_METHOD=GET REQUEST_URI="/locks/$LSS_ID"
lg_is "LSS GET after unlock: 204" "204|" "$LG_STATUS|$LG_BODY"

lg_is "the socket file is still systemd's (same inode: nothing rebound)" \
    "$INODE" "$(stat -c %i "$SOCK" 2>&1)"
kill -TERM "$SAPID"
if lg_wait_gone "$SAPID" 5; then
	wait "$SAPID" 2>/dev/null
	lg_is "SIGTERM: it exits with status 0" 0 "$?"
else
	lg_not_ok "SIGTERM stops it within 5 s" gone running
fi
lg_is "the socket file is left to systemd after the stop" yes \
    "$([ -S "$SOCK" ] && echo yes || echo no)"
lg_is "stderr: no error line" "" "$(grep -i 'error' "$LG_TMP/sa.err")"
rm -f "$SOCK"

# ---------------------------------------------------------------------------
lg_note "refused activations: start-up stops with a message"

# refused DESC ERRFILE PATTERN [accept]: the activated program must exit
# with status 1 at the first connection, saying PATTERN on stderr. With
# "accept", systemd-socket-activate forks a child per connection and stays:
# the child's message is what counts, then the parent is stopped.
refused()
{
	local n=100

	LG_CGI_IN=/dev/null
	lg_fcgi "$SOCK" REQUEST_METHOD=GET REQUEST_URI=/v1/health
	if [ "${4:-}" = accept ]; then
		while [ "$n" -gt 0 ] && ! grep -q 'lockgate\[' "$2"; do
			sleep 0.05
			n=$((n - 1))
		done
		kill -TERM "$SAPID" 2>/dev/null
		lg_wait_gone "$SAPID" 5
	elif lg_wait_gone "$SAPID" 5; then
		wait "$SAPID" 2>/dev/null
		lg_is "$1: exit status 1" 1 "$?"
	else
		lg_not_ok "$1: it exits" gone running
	fi
	lg_like "$1: says why" "$3" "$(cat "$2")"
	rm -f "$RUN"/*.sock
}

if start_activated "$LG_TMP/two.err" -l "$SOCK" -l "$RUN/other.sock"; then
	refused "two sockets" "$LG_TMP/two.err" \
	    'socket activation: LISTEN_FDS: 2 sockets passed, lockgate.fcgi serves exactly one'
else
	lg_not_ok "systemd-socket-activate with two sockets starts"
fi
if start_activated "$LG_TMP/accept.err" --accept -l "$SOCK"; then
	refused "Accept=yes (a connection, not the listening socket)" \
	    "$LG_TMP/accept.err" \
	    'socket activation: fd 3 is not a listening socket \(the \.socket unit needs Accept=no\)' \
	    accept
else
	lg_not_ok "systemd-socket-activate --accept starts"
fi
# fd 3 a plain file, the variables naming this very process.
# shellcheck disable=SC2016 # $$ is the inner sh's own pid
LISTEN_FDS=1 timeout 10 sh -c 'LISTEN_PID=$$ exec "$0" --listen "$1"' \
    "$LOCKGATE_FCGI" "$SOCK" 3</dev/null 2>"$LG_TMP/nosock.err"
lg_is "LISTEN_FDS=1 but fd 3 is no socket: exit status 1" 1 "$?"
lg_like "... and it says so" \
    'socket activation: LISTEN_FDS=1 but fd 3 is not a socket' \
    "$(cat "$LG_TMP/nosock.err")"
lg_is "... and binds nothing" no "$([ -e "$SOCK" ] && echo yes || echo no)"

# Variables meant for another process (inherited) are not ours.
LISTEN_PID=1 LISTEN_FDS=1 "$LOCKGATE_FCGI" --listen "$SOCK" \
    </dev/null 2>"$LG_TMP/other.err" &
OPID=$!
LG_BG_PIDS="$LG_BG_PIDS $OPID"
lg_wait_for 5 "$OPID" test -S "$SOCK"
lg_fcgi "$SOCK" REQUEST_METHOD=GET REQUEST_URI=/v1/health
lg_cgi_expect "LISTEN_PID of another process: binds --listen itself" 200 \
    "{\"message\": \"okay\", \"version\": \"$VERSION\", \"records\": 1}"
kill -TERM "$OPID" 2>/dev/null
lg_wait_gone "$OPID" 5
lg_is "... and removes its own socket at exit" no \
    "$([ -e "$SOCK" ] && echo yes || echo no)"

# ---------------------------------------------------------------------------
lg_note "every system call it makes is allowed by SystemCallFilter="

# syscalls GROUP-OR-NAME: prints the system calls it stands for, systemd's
# groups (@system-service, ...) expanded, one a line.
syscalls()
{
	local s

	case $1 in
	@*)
		systemd-analyze syscall-filter "$1" 2>/dev/null |
		    sed -n 's/^    \([@a-z0-9_.-]*\).*/\1/p' |
		    while read -r s; do
			[ -n "$s" ] && syscalls "$s"
		done
		;;
	*) echo "$1" ;;
	esac
}

: >"$LG_TMP/allow"
: >"$LG_TMP/deny"
while IFS= read -r v; do
	case $v in
	"~"*) for g in ${v#"~"}; do syscalls "$g"; done >>"$LG_TMP/deny" ;;
	*) for g in $v; do syscalls "$g"; done >>"$LG_TMP/allow" ;;
	esac
done < <(unit_values "$UNITS/lockgate.service" SystemCallFilter)
sort -u "$LG_TMP/allow" -o "$LG_TMP/allow"
sort -u "$LG_TMP/deny" -o "$LG_TMP/deny"
comm -23 "$LG_TMP/allow" "$LG_TMP/deny" >"$LG_TMP/allowed"
lg_cmp "SystemCallFilter= allows some hundred system calls" \
    "$(wc -l <"$LG_TMP/allowed")" -gt 100

# The shipped command again, traced from the start to the end: requests
# of every kind, a waiting one, and a stop while one waits.
# (LeakSanitizer, in an --enable-asan build, cannot run under a tracer:
# it would end the run with a fatal error.)
shipped_argv "$EXEC"
strace -f -qq -o "$LG_TMP/trace" systemd-socket-activate -l "$SOCK" \
    "${ENVS[@]}" -E "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    "${ARGV[@]}" </dev/null >/dev/null 2>"$LG_TMP/st.err" &
STPID=$!
LG_BG_PIDS="$LG_BG_PIDS $STPID"
lg_wait_for 10 "$STPID" test -S "$SOCK"
LG_CGI_IN=/dev/null
lg_fcgi "$SOCK" REQUEST_METHOD=GET REQUEST_URI=/v1/health
lg_is "traced: GET /v1/health answers" 200 "$LG_STATUS"
ID=$(lg_uuid)
lg_fcgi "$SOCK" REQUEST_METHOD=PUT REQUEST_URI="/v1/$ID?owner=a&ttl=1" \
    QUERY_STRING="owner=a&ttl=1"
lg_is "traced: PUT with an owner: 201" 201 "$LG_STATUS"
lg_fcgi "$SOCK" REQUEST_METHOD=PUT REQUEST_URI="/v1/$ID?owner=b&wait=5" \
    QUERY_STRING="owner=b&wait=5"
lg_is "traced: PUT that waits for the expiry: 201" 201 "$LG_STATUS"
LG_CGI_IN=$LG_TMP/in
lg_fcgi "$SOCK" REQUEST_METHOD=PUT REQUEST_URI="/v1/$(lg_uuid)" \
    CONTENT_TYPE=application/json CONTENT_LENGTH=11
LG_CGI_IN=$LG_TMP/big
printf '%20000s' '' >"$LG_CGI_IN"
lg_fcgi "$SOCK" REQUEST_METHOD=PUT REQUEST_URI="/v1/$(lg_uuid)" \
    CONTENT_TYPE=application/json CONTENT_LENGTH=20000
lg_is "traced: a 20000-byte body: 413" 413 "$LG_STATUS"
LG_CGI_IN=/dev/null
lg_fcgi "$SOCK" REQUEST_METHOD=DELETE REQUEST_URI="/v1/$ID?owner=b" \
    QUERY_STRING="owner=b"
lg_is "traced: DELETE (wakes waiters): 200" 200 "$LG_STATUS"
lg_fcgi "$SOCK" REQUEST_METHOD=POST REQUEST_URI="/locks?l=1" \
    QUERY_STRING="l=1" CONTENT_LENGTH=0
lg_is "traced: LSS POST: 200" 200 "$LG_STATUS"
lg_fcgi "$SOCK" REQUEST_METHOD=PUT REQUEST_URI="/v1/$ID?owner=c&ttl=60" \
    QUERY_STRING="owner=c&ttl=60"
( lg_fcgi "$SOCK" REQUEST_METHOD=GET REQUEST_URI="/v1/$ID?wait=30" \
    QUERY_STRING="wait=30"; echo "$LG_STATUS" >"$LG_TMP/waited" ) &
WPID=$!
# SIGTERM once the GET waits (the processes on the database count it).
lg_wait_metric 10 lockgate_waiting -ge 1 cgi
lg_is "traced: the GET ?wait=30 is waiting (lockgate_waiting)" 1 "$LG_METRIC"
P=$(lg_responders | head -n 1)
if [ -n "$P" ]; then
	kill -TERM "$P"
	lg_wait_gone "$P" 10
fi
wait "$WPID"
lg_is "traced: a GET waiting at SIGTERM answers at once: 423" 423 \
    "$(cat "$LG_TMP/waited" 2>/dev/null)"
lg_wait_gone "$STPID" 10
wait "$STPID" 2>/dev/null
awk '{ sub(/^[0-9]+ +/, ""); if (match($0, /^[a-z_0-9]+\(/))
    print substr($0, 1, RLENGTH - 1) }' "$LG_TMP/trace" | sort -u \
    >"$LG_TMP/used"
lg_cmp "strace saw the system calls" "$(wc -l <"$LG_TMP/used")" -gt 20
lg_is "every system call made is allowed by the unit's SystemCallFilter=" "" \
    "$(comm -23 "$LG_TMP/used" "$LG_TMP/allowed" | tr '\n' ' ')"
rm -f "$SOCK"

# ---------------------------------------------------------------------------
lg_note "ExecStart= of lockgate-standalone.service: its own socket"

shipped_argv "$EXEC_SA"
env LOCKGATE_DB="$LOCKGATE_DB" "${ARGV[@]}" </dev/null \
    2>"$LG_TMP/standalone.err" &
OPID=$!
LG_BG_PIDS="$LG_BG_PIDS $OPID"
lg_wait_for 5 "$OPID" test -S "$SOCK"
lg_is "it makes the socket with mode 0660" "srw-rw----" \
    "$(stat -c %A "$SOCK" 2>&1)"
lg_fcgi "$SOCK" REQUEST_METHOD=GET REQUEST_URI=/v1/health
lg_like "standalone: GET /v1/health" \
    "^200 \\{\"message\": \"okay\", \"version\": \"$VERSION\", \"records\": [0-9]+\\}"$'\n$' \
    "$LG_STATUS $LG_BODY"
kill -TERM "$OPID" 2>/dev/null
lg_wait_gone "$OPID" 5
lg_is "standalone: stopped, socket removed" no \
    "$({ lg_alive "$OPID" || [ -e "$SOCK" ]; } && echo yes || echo no)"

lg_finish
