#!/bin/bash
# tests/e2e/apache.sh: the shipped Apache configurations (apache/) proved
# with the real Apache httpd. For each one the script writes a small
# httpd.conf that includes the shipped file unchanged (the paths and ports
# given as Define lines, or substituted into the copied .htaccess), starts
# Apache on a free loopback port as an unprivileged user, and walks
# surface.sh's table through it (the getlock table with exact bodies and
# headers, HEAD, JSON and chunked bodies, the LSS calls, the CORS
# preflight), every request with a token of LOCKGATE_API_TOKENS, which
# needs the Authorization header to reach the program (CGIPassAuth); then
# what the tokens refuse, /metrics, and the differences of each set-up:
# bodies over the limits, chunked bodies, a sub-path, what the .htaccess
# keeps hidden.
#
#   mod_fcgid         apache/lockgate-fcgid.conf, Apache starts lockgate
#   proxy-unix        apache/lockgate-proxy-fcgi.conf, lockgate.fcgi
#                     --listen unix:SOCKET started on its own
#   proxy-spawn-fcgi  apache/lockgate-proxy-fcgi.conf, spawn-fcgi -a
#                     127.0.0.1 -p PORT
#   cgi               apache/lockgate-cgi.conf, ScriptAlias
#   htaccess          apache/htaccess in a directory of a "shared host"
#
# The READY tests given to start_bg are single-quoted on purpose: they are
# evaluated later, again and again.
# shellcheck disable=SC2016
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

lg_init curl jq timeout spawn-fcgi setpriv ss
lg_apache_init
lg_note "Apache children run as $LG_APACHE_USER:$LG_APACHE_GROUP"

SHIPPED=$LOCKGATE_SRCDIR/apache

# Two API tokens; every request below presents the first unless it checks
# what happens without one.
TOKEN=t1-$(lg_uuid)
TOKEN2=t2-$(lg_uuid)
TOKENS="$TOKEN,$TOKEN2"
AUTH=(-H "Authorization: Bearer $TOKEN")
SF_TOKEN=$TOKEN

BG_PID=""		# the lockgate or spawn-fcgi started outside Apache

# ---------------------------------------------------------------------------
# Helpers

# tokens DESC: LOCKGATE_API_TOKENS is set: a request without a token, or
# with a wrong one, is a 401 with WWW-Authenticate; the second token of the
# list works; an OPTIONS preflight needs none.
tokens()
{
	local d=$1 re='^\{"message": "[^"]+"\}'$'\n''$' id bad

	id=$(lg_uuid)
	for how in none wrong basic; do
		case $how in
		none) lg_curl PUT "$P/v1/$id" ;;
		wrong) lg_curl PUT "$P/v1/$id" -H "Authorization: Bearer x$TOKEN" ;;
		basic) lg_curl PUT "$P/v1/$id" -u "user:$TOKEN" ;;
		esac
		bad=$(lg_std_headers)
		[ "$LG_STATUS" = 401 ] || bad+=$'\n'"status $LG_STATUS, want 401"
		[[ $LG_BODY =~ $re ]] || bad+=$'\n'"body '$LG_BODY'"
		[ "$(lg_hdr WWW-Authenticate)" = 'Bearer realm="lockgate"' ] ||
		    bad+=$'\n'"WWW-Authenticate: $(lg_hdr WWW-Authenticate)"
		if [ -z "$bad" ]; then
			lg_ok "$d: PUT with token $how: 401 and WWW-Authenticate"
		else
			lg_not_ok "$d: PUT with token $how: 401 and WWW-Authenticate" \
			    "401 {\"message\": \"...\"}, WWW-Authenticate: Bearer realm=\"lockgate\"" \
			    "$bad"
		fi
	done
	lg_curl GET "$P/v1/health"
	lg_is "$d: GET /v1/health without a token: 401" 401 "$LG_STATUS"
	lg_curl GET "$P/v1/$id" "${AUTH[@]}"
	lg_expect "$d: the refused PUTs stored nothing" 404 "$LG_NOTFOUND"
	lg_curl PUT "$P/v1/$id" -H "Authorization: Bearer $TOKEN2"
	lg_expect_lock "$d: PUT with the second token of the list: 201" 201 \
	    true "lock acquired" "$id" 60.0
	lg_curl DELETE "$P/v1/$id" -H "Authorization: Bearer $TOKEN2"
	lg_is "$d: DELETE with the second token: 200" 200 "$LG_STATUS"
	lg_curl OPTIONS "$P/v1/$id" -H 'Origin: https://example.org' \
	    -H 'Access-Control-Request-Method: PUT' \
	    -H 'Access-Control-Request-Headers: authorization'
	lg_is "$d: OPTIONS preflight without a token: 204, Allow, no body" \
	    "204|$LG_ALLOW_LOCK|" "$LG_STATUS|$(lg_hdr Allow)|$LG_BODY"
}

# chunked_reads DESC: five PUTs with a chunked body of 11 and 200000
# bytes (no CONTENT_LENGTH in CGI) get five 411s: the program must read
# the body all the same, or Apache fails writing it and closes without
# passing the 411 on.
chunked_reads()
{
	local id size got=""

	id=$(lg_uuid)
	printf '%200000s' '' >"$LG_TMP/big200k"
	for size in 11 11 11 200000 200000; do
		head -c "$size" "$LG_TMP/big200k" >"$LG_TMP/chunked"
		lg_curl PUT "$P/v1/$id" "${AUTH[@]}" \
		    -H 'Transfer-Encoding: chunked' --data-binary @"$LG_TMP/chunked"
		got="$got $LG_STATUS"
	done
	lg_is "$1: five chunked PUTs (11 and 200000 bytes): five 411s" \
	    " 411 411 411 411 411" "$got"
}

# not_ours DESC PATH: PATH is Apache's own 404 (text/html) from the empty
# DocumentRoot: the shipped prefixes match whole path segments only.
not_ours()
{
	lg_curl GET "$2" "${AUTH[@]}"
	lg_is "$1: GET $2 is not sent to lockgate: Apache's 404" \
	    "404 text/html" "$LG_STATUS $(lg_hdr Content-Type | cut -d';' -f1)"
}

# metrics DESC: GET /metrics is lockgate's Prometheus page.
metrics()
{
	lg_curl GET "$P/metrics" "${AUTH[@]}"
	lg_is "$1: GET /metrics: 200, text/plain; version=0.0.4, lockgate_records" \
	    "200 text/plain; version=0.0.4 1" \
	    "$LG_STATUS $(lg_hdr Content-Type | cut -d';' -f1-2) $(printf '%s' "$LG_BODY" | grep -c '^lockgate_records ')"
}

# protocol DESC CHUNKED: everything every configuration must answer alike,
# on a fresh database; a chunked body gets CHUNKED (201, or 411 in CGI).
protocol()
{
	SF_RECORDS=0
	SF_CHUNKED=$2
	surface_all "$P" "$1"
	tokens "$1"
	metrics "$1"
}

# fresh_db NAME: a database of its own for the configuration NAME (in
# LOCKGATE_DB, exported), writable by the Apache user; sets SITE to the
# file for NAME's site configuration.
fresh_db()
{
	LOCKGATE_DB=$LG_TMP/db-$1
	export LOCKGATE_DB
	lg_apache_dir "$LOCKGATE_DB"
	SITE=$LG_TMP/site-$1.conf
}

# stop DESC: stops Apache; nothing of ours is left; the error log has no
# line from lockgate with "error" in it.
stop()
{
	local errs

	if lg_stop_apache; then
		lg_ok "$1: Apache stopped within 10 s, no lockgate of this test left"
	else
		lg_not_ok "$1: Apache stopped within 10 s, no lockgate of this test left" \
		    "none" "$(lg_responders | tr '\n' ' ')"
	fi
	errs=$(grep 'lockgate\[[0-9]*\]: error' "$LG_APACHE_DIR/error.log" \
	    2>/dev/null)
	lg_is "$1: no lockgate error in Apache's error log" "" "$errs"
	if [ -n "$errs" ] || [ "${LG_VERBOSE:-0}" = 1 ]; then
		lg_dump_apache_logs
	fi
}

# start_bg DESC READY COMMAND...: starts COMMAND in the background as the
# Apache user, with LOCKGATE_DB and the tokens in its environment, and
# waits up to 10 s until READY (a shell test) holds. Sets BG_PID.
start_bg()
{
	local d=$1 ready=$2

	shift 2
	lg_as_apache_user env LOCKGATE_API_TOKENS="$TOKENS" "$@" \
	    2>>"$LG_TMP/bg.err" </dev/null &
	BG_PID=$!
	LG_BG_PIDS="$LG_BG_PIDS $BG_PID"
	if lg_wait_for 10 "$BG_PID" eval "$ready"; then
		lg_ok "$d"
		return 0
	fi
	lg_bail "$d" "not ready within 10 s; stderr: $(cat "$LG_TMP/bg.err")"
}

# stop_bg DESC: SIGTERM to BG_PID; it must be gone within 5 s.
stop_bg()
{
	kill -TERM "$BG_PID" 2>/dev/null
	if lg_wait_gone "$BG_PID" 5; then
		lg_ok "$1: stopped by SIGTERM"
	else
		lg_not_ok "$1: stopped by SIGTERM within 5 s" gone running
		kill -KILL "$BG_PID" 2>/dev/null
	fi
	wait "$BG_PID" 2>/dev/null
	BG_PID=""
}

# P: where the configuration under test serves lockgate ("" for "/").
# The probe of lg_start_apache presents a token: with LOCKGATE_API_TOKENS
# set, GET /v1/health without one is a 401.
P=""

# ---------------------------------------------------------------------------
lg_note "mod_fcgid: apache/lockgate-fcgid.conf"

fresh_db fcgid
cat >"$SITE" <<EOF
# mod_fcgid's own files, in this test's directory.
FcgidIPCDir "$LG_TMP/apache-fcgid/run/fcgid"
FcgidProcessTableFile "$LG_TMP/apache-fcgid/run/fcgid_shm"
Define lockgate_bin "$LOCKGATE_FCGI"
Define lockgate_db "$LOCKGATE_DB"
Define lockgate_api_tokens "$TOKENS"
Include "$SHIPPED/lockgate-fcgid.conf"
EOF
lg_start_apache fcgid "$SITE" /v1/health "alias fcgid" "${AUTH[@]}"
protocol "fcgid" 201
not_ours "fcgid" /v1x
not_ours "fcgid" /locksmith
lg_true "fcgid: mod_fcgid started lockgate.fcgi with this LOCKGATE_DB" \
    test -n "$(lg_responders)"
owner=$(ps -o user= -p "$(lg_responders | head -n 1)" 2>/dev/null)
lg_is "fcgid: lockgate.fcgi runs as $LG_APACHE_USER" "$LG_APACHE_USER" "$owner"
# Past FcgidMaxRequestLen mod_fcgid answers 500 itself; nothing is stored.
ID=$(lg_uuid)
{
	printf '{"ttl": 30, "owner": "big"}'
	printf '%69974s' ''
} >"$LG_TMP/big70k"
lg_curl PUT "/v1/$ID" "${AUTH[@]}" "${LG_JSON[@]}" --data-binary @"$LG_TMP/big70k"
lg_is "fcgid: a 70000-byte body (over FcgidMaxRequestLen): mod_fcgid's 500" \
    500 "$LG_STATUS"
lg_curl GET "/v1/$ID" "${AUTH[@]}"
lg_expect "fcgid: nothing stored by it" 404 "$LG_NOTFOUND"
stop "fcgid"

# ---------------------------------------------------------------------------
lg_note "mod_proxy_fcgi: apache/lockgate-proxy-fcgi.conf, lockgate.fcgi --listen unix:SOCKET"

fresh_db proxy
lg_apache_dir "$LG_TMP/sock"
SOCK=$LG_TMP/sock/lockgate.sock
start_bg "lockgate.fcgi --listen unix:$SOCK listens" '[ -S "$SOCK" ]' \
    "$LOCKGATE_FCGI" --listen "unix:$SOCK"
lg_is "the socket is mode 0660, owned by $LG_APACHE_USER" \
    "srw-rw---- $LG_APACHE_USER" "$(stat -c '%A %U' "$SOCK")"
cat >"$SITE" <<EOF
Define lockgate_backend "unix:$SOCK|fcgi://lockgate"
Include "$SHIPPED/lockgate-proxy-fcgi.conf"
# The same backend under a sub-path, as the shipped file's comment says.
ProxyPass "/sub/v1" "unix:$SOCK|fcgi://lockgate/v1" timeout=90
ProxyPass "/sub/locks" "unix:$SOCK|fcgi://lockgate/locks" timeout=90
<LocationMatch "^/sub/(v1|locks)(/|$)">
	CGIPassAuth On
	Require all granted
</LocationMatch>
EOF
lg_start_apache proxy "$SITE" /v1/health "proxy proxy_fcgi" "${AUTH[@]}"
protocol "proxy unix" 201
not_ours "proxy unix" /v1x
P=/sub
surface_getlock "$P" "proxy unix, under /sub"
ID=$(lg_uuid)
lg_curl PUT "/sub/v1/$ID" "${AUTH[@]}"
lg_is "under /sub: PUT /sub/v1/<id>: 201" 201 "$LG_STATUS"
P=""
lg_curl GET "/v1/$ID" "${AUTH[@]}"
lg_expect_lock "under /sub: /sub/v1/<id> and /v1/<id> are one lock" 423 \
    true "lock is active" "$ID" 60.0
lg_curl DELETE "/v1/$ID" "${AUTH[@]}"
stop_bg "lockgate.fcgi --listen unix:SOCKET"
stop "proxy unix"
state=$([ -e "$SOCK" ] && echo there || echo gone)
lg_is "the socket file is removed at exit" gone "$state"

# ---------------------------------------------------------------------------
lg_note "mod_proxy_fcgi: apache/lockgate-proxy-fcgi.conf, spawn-fcgi on 127.0.0.1"

fresh_db spawn
BPORT=$(lg_free_port) || lg_bail "found a free loopback port"
if [ "$(id -u)" -eq 0 ]; then
	# As root, spawn-fcgi binds the port and then becomes the user.
	SPAWN=(spawn-fcgi -n -a 127.0.0.1 -p "$BPORT" -u "$LG_APACHE_USER"
	    -g "$LG_APACHE_GROUP" -- "$LOCKGATE_FCGI")
	env LOCKGATE_API_TOKENS="$TOKENS" "${SPAWN[@]}" \
	    2>>"$LG_TMP/bg.err" </dev/null &
	BG_PID=$!
	LG_BG_PIDS="$LG_BG_PIDS $BG_PID"
	n=200
	while [ "$n" -gt 0 ] && ! lg_port_busy "$BPORT" && lg_alive "$BG_PID"; do
		sleep 0.05
		n=$((n - 1))
	done
	lg_port_busy "$BPORT" ||
	    lg_bail "spawn-fcgi -a 127.0.0.1 -p $BPORT listens" "$(cat "$LG_TMP/bg.err")"
	lg_ok "spawn-fcgi -a 127.0.0.1 -p $BPORT -u $LG_APACHE_USER listens"
else
	start_bg "spawn-fcgi -a 127.0.0.1 -p $BPORT listens" \
	    'lg_port_busy $BPORT' spawn-fcgi -n -a 127.0.0.1 -p "$BPORT" \
	    -- "$LOCKGATE_FCGI"
fi
lg_is "spawn-fcgi: it listens on 127.0.0.1:$BPORT only" "127.0.0.1:$BPORT " \
    "$(lg_listeners "$BPORT")"
owner=$(ps -o user= -p "$BG_PID" 2>/dev/null)
lg_is "spawn-fcgi: lockgate.fcgi runs as $LG_APACHE_USER" "$LG_APACHE_USER" \
    "$owner"
cat >"$SITE" <<EOF
Define lockgate_backend "fcgi://127.0.0.1:$BPORT"
Include "$SHIPPED/lockgate-proxy-fcgi.conf"
EOF
lg_start_apache spawn "$SITE" /v1/health "proxy proxy_fcgi" "${AUTH[@]}"
protocol "spawn-fcgi tcp" 201
stop_bg "spawn-fcgi's lockgate.fcgi"
stop "spawn-fcgi tcp"

# ---------------------------------------------------------------------------
lg_note "plain CGI: apache/lockgate-cgi.conf"

fresh_db cgi
cat >"$SITE" <<EOF
Define lockgate_bin "$LOCKGATE_FCGI"
Define lockgate_db "$LOCKGATE_DB"
Define lockgate_api_tokens "$TOKENS"
Include "$SHIPPED/lockgate-cgi.conf"
EOF
lg_start_apache cgi "$SITE" /v1/health "alias env cgid" "${AUTH[@]}"
protocol "cgi" 411
chunked_reads "cgi"
# A body far over the cap: the program must still read it, or Apache's CGI
# gives the client an empty reply instead of the 413.
printf '%200000s' '' >"$LG_TMP/big200k"
ok=0
for i in 1 2 3 4 5; do
	lg_curl PUT "/v1/$(lg_uuid)" "${AUTH[@]}" --data-binary @"$LG_TMP/big200k"
	[ "$LG_STATUS $LG_BODY" = "413 $LG_TOOBIG"$'\n' ] && ok=$((ok + 1))
done
lg_is "cgi: five 200000-byte bodies: five JSON 413s" 5 "$ok"
not_ours "cgi" /v1x
lg_true "cgi: the database is the one SetEnv names" \
    test -f "$LOCKGATE_DB/data.mdb"
stop "cgi"

# ---------------------------------------------------------------------------
lg_note "shared host: apache/htaccess as .htaccess next to lockgate.cgi"

# The database directory is not created beforehand: the program makes it,
# so only its parent must be writable by the Apache user.
lg_apache_dir "$LG_TMP/home"
LOCKGATE_DB=$LG_TMP/home/lockgate-db
export LOCKGATE_DB
PUB=$LG_TMP/apache-htaccess/htdocs/lockgate
mkdir -p "$PUB" || lg_bail "mkdir $PUB"
if ! cp "$LOCKGATE_FCGI" "$PUB/lockgate.cgi" ||
    ! chmod 0755 "$PUB" "$PUB/lockgate.cgi"; then
	lg_bail "copy the program to $PUB/lockgate.cgi"
fi
sed -e "s|^SetEnv LOCKGATE_DB /home/USER/lockgate-db\$|SetEnv LOCKGATE_DB $LOCKGATE_DB|" \
    -e "s|^#SetEnv LOCKGATE_API_TOKENS .*|SetEnv LOCKGATE_API_TOKENS \"$TOKENS\"|" \
    "$SHIPPED/htaccess" >"$PUB/.htaccess" || lg_bail "write $PUB/.htaccess"
lg_is "the copied .htaccess differs from the shipped one in two lines" 2 \
    "$(diff "$SHIPPED/htaccess" "$PUB/.htaccess" | grep -c '^>')"
printf 'secret\n' >"$PUB/notes.txt"
SITE=$LG_TMP/site-htaccess.conf
cat >"$SITE" <<EOF
TypesConfig /dev/null
# What a shared host allows in .htaccess (apache/htaccess names it).
<Directory "$LG_TMP/apache-htaccess/htdocs">
	AllowOverride FileInfo AuthConfig Options=ExecCGI
	Require all granted
</Directory>
EOF
# The copy of the program is another executable: find its processes too.
lg_start_apache htaccess "$SITE" /lockgate/v1/health \
    "alias env mime rewrite cgid" "${AUTH[@]}"
P=/lockgate
protocol "htaccess" 411
chunked_reads "htaccess"
P=/lockgate/lockgate.cgi
surface_getlock "$P" "htaccess, without mod_rewrite's help"
P=""
lg_true "htaccess: the database was made where SetEnv LOCKGATE_DB says" \
    test -f "$LOCKGATE_DB/data.mdb"
for path in /lockgate/.htaccess /lockgate/ /lockgate/notes.txt /lockgate/v1x; do
	lg_curl GET "$path" "${AUTH[@]}"
	lg_is "htaccess: GET $path is refused: 403" 403 "$LG_STATUS"
done
stop "htaccess"

lg_finish
