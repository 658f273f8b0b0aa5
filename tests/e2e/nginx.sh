#!/bin/bash
# tests/e2e/nginx.sh: the shipped examples/nginx.conf in front of
# lockgate.fcgi --listen on a Unix socket: a real nginx on a free loopback
# port, with a minimal nginx.conf that includes the example (only its
# port and socket path replaced), then the getlock table, the LSS calls, a
# JSON body, a chunked body and HEAD through it with curl, then the same
# with the example's location moved to /lockgate/. Run as root,
# nginx's workers are nobody:nogroup and reach the socket (mode 0660)
# through its group, as www-data would; run as anyone else, nginx runs as
# that user. nginx that cannot start is a failure.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}
# shellcheck source=surface.sh
. "${0%/*}/surface.sh" || lg_bail "surface.sh loads"

lg_init nginx curl stat timeout
EXAMPLE=$LOCKGATE_SRCDIR/examples/nginx.conf
[ -f "$EXAMPLE" ] || lg_bail "examples/nginx.conf exists"
PARAMS=""
for f in /etc/nginx/fastcgi_params /usr/local/nginx/conf/fastcgi_params; do
	[ -f "$f" ] && PARAMS=$f && break
done
[ -n "$PARAMS" ] || lg_bail "nginx's fastcgi_params file exists" \
    "not in /etc/nginx or /usr/local/nginx/conf (Debian: nginx-common)"

N=$LG_TMP/nginx
S=$LG_TMP/sock
SOCK=$S/lockgate.sock
mkdir -p "$N/tmp" "$S" || lg_bail "mkdir $N $S"

USERLINE=""
if [ "$(id -u)" -eq 0 ]; then
	if ! getent passwd nobody >/dev/null ||
	    ! getent group nogroup >/dev/null; then
		lg_bail "user nobody and group nogroup exist (for nginx's workers)"
	fi
	USERLINE="user nobody nogroup;"
	# The workers reach the socket through its group, as www-data would
	# in a real set-up; the database stays root's alone.
	chmod 0711 "$LG_TMP"
	chgrp nogroup "$S"
	chmod 0750 "$S"
fi

# ---------------------------------------------------------------------------
lg_note "lockgate.fcgi --listen $SOCK"

# An admin token leaves the API open, and its listing shows that the
# Authorization header reaches the program through nginx.
ADMIN=admin-token-through-nginx-0123
LOCKGATE_ADMIN_TOKEN=$ADMIN "$LOCKGATE_FCGI" --listen "$SOCK" </dev/null \
    2>"$LG_TMP/lockgate.err" &
LPID=$!
LG_BG_PIDS="$LG_BG_PIDS $LPID"
lg_wait_for 5 "$LPID" test -S "$SOCK" || lg_bail "lockgate.fcgi --listen makes $SOCK" \
    "$(cat "$LG_TMP/lockgate.err")"
lg_is "the socket is mode 0660" srw-rw---- "$(stat -c %A "$SOCK")"
[ -n "$USERLINE" ] && chgrp nogroup "$SOCK"

# ---------------------------------------------------------------------------
lg_note "nginx with the shipped examples/nginx.conf"

cp "$PARAMS" "$N/fastcgi_params"

# start_nginx MOUNT: starts nginx with the example, its location moved to
# MOUNT ("/" as shipped), on a free port; waits for MOUNT/v1/health to
# answer 200. Failing to start is fatal.
start_nginx()
{
	local mount=$1

	for _ in 1 2 3; do
		LG_PORT=$(lg_free_port) || lg_bail "found a free loopback port"
		LG_URL="http://127.0.0.1:$LG_PORT"
		sed -e "s|listen 127.0.0.1:8080;|listen 127.0.0.1:$LG_PORT;|" \
		    -e "s|unix:/run/lockgate/lockgate.sock|unix:$SOCK|" \
		    -e "s|^\tlocation / {|\tlocation $mount {|" \
		    "$EXAMPLE" >"$N/lockgate.conf"
		if ! grep -q "listen 127.0.0.1:$LG_PORT;" "$N/lockgate.conf" ||
		    ! grep -q "unix:$SOCK;" "$N/lockgate.conf" ||
		    ! grep -q "location $mount {" "$N/lockgate.conf"; then
			lg_bail "examples/nginx.conf has the listen, location and fastcgi_pass lines to replace"
		fi
		cat >"$N/nginx.conf" <<EOF
$USERLINE
worker_processes 1;
daemon off;
pid $N/nginx.pid;
error_log $N/error.log info;
events { worker_connections 64; }
http {
	access_log $N/access.log;
	client_body_temp_path $N/tmp/body;
	fastcgi_temp_path $N/tmp/fastcgi;
	proxy_temp_path $N/tmp/proxy;
	uwsgi_temp_path $N/tmp/uwsgi;
	scgi_temp_path $N/tmp/scgi;
	include $N/lockgate.conf;
}
EOF
		nginx -t -p "$N" -e "$N/error.log" -c "$N/nginx.conf" \
		    >"$N/test.out" 2>&1 ||
		    lg_bail "nginx -t accepts the configuration" "$(cat "$N/test.out")"
		nginx -p "$N" -e "$N/error.log" -c "$N/nginx.conf" \
		    </dev/null >"$N/nginx.out" 2>&1 &
		LG_HTTPD_PID=$!
		if lg_wait_http 200 "$LG_URL${mount%/}/v1/health" \
		    --max-time 1; then
			lg_ok "nginx on port $LG_PORT answers ${mount%/}/v1/health through lockgate"
			return 0
		fi
		lg_port_taken "$N/error.log" "$N/nginx.out" || break
	done
	lg_dump_files "" "$N/nginx.out" "$N/error.log" "$LG_TMP/lockgate.err"
	lg_bail "nginx starts and answers GET ${mount%/}/v1/health with 200" \
	    "last status $LG_CODE"
}

# stop_nginx: SIGTERM, and waits for nginx to be gone.
stop_nginx()
{
	kill -TERM "$LG_HTTPD_PID"
	lg_wait_gone "$LG_HTTPD_PID" 5
	wait "$LG_HTTPD_PID" 2>/dev/null
	LG_HTTPD_PID=""
}

start_nginx /
lg_is "nginx's own headers: Server is nginx" nginx \
    "$(curl -s -D - -o /dev/null "$LG_URL/v1/health" | tr -d '\r' |
    sed -n 's/^Server: \(nginx\).*/\1/p')"

surface_all ""

lg_curl GET /v1/locks
lg_is "GET /v1/locks without the admin token: 401" 401 "$LG_STATUS"
lg_curl GET /v1/locks -H "Authorization: Bearer $ADMIN"
lg_is "GET /v1/locks with it: Authorization reaches lockgate (200)" \
    "200|application/json" "$LG_STATUS|$(lg_hdr Content-Type)"
lg_like "and the answer is the listing" '^\{"locks": \[' "$LG_BODY"

# Any path with an API segment reaches lockgate; others are its 404.
lg_curl GET /nothing-here
lg_expect "GET /nothing-here: lockgate's 404" 404 "$LG_NOPATH"

stop_nginx

# ---------------------------------------------------------------------------
lg_note "the example's location moved to /lockgate/ (a sub-path)"

start_nginx /lockgate/
surface_all /lockgate
lg_curl GET /v1/health
lg_is "outside the mount: nginx's own 404, not lockgate's" "404|<absent>" \
    "$LG_STATUS|$(lg_hdr Cache-Control)"
stop_nginx

# ---------------------------------------------------------------------------
# (but for the missing file behind the 404 outside the mount)
lg_is "nginx's error log: no [error] or [crit] line" "" \
    "$(grep -E '\[(error|crit|alert|emerg)\]' "$N/error.log" |
    grep -v 'open() "[^"]*/html/v1/health" failed (2: No such file')"
lg_is "lockgate's stderr: no error line" "" \
    "$(grep -i error "$LG_TMP/lockgate.err")"
lg_finish
