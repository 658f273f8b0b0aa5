#!/bin/bash
# tests/e2e/quickstart.sh: "./quickstart serve" as a new user runs it, on a
# copy of the files it needs (so the checkout stays clean) and with the
# program of this build (LOCKGATE_FCGI):
#   1. the default server (Apache with mod_proxy_fcgi in front of
#      lockgate.fcgi --listen) answers health, a getlock PUT, and LSS's own
#      first command, a POST with no body and no Content-Length, with 200
#      and the LSS body; Ctrl-C (SIGINT) stops Apache and lockgate, and
#      quickstart says so and exits 0;
#   2. SERVER=lighttpd serves too; there lighttpd itself answers that bare
#      POST 411 (it takes no POST without a Content-Length), and the same
#      POST with -d '' answers 200, as the documentation says.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init curl apache2 lighttpd
QS=$LG_TMP/qs
mkdir -p "$QS/apache" "$QS/lighttpd" || lg_bail "mkdir $QS"
cp "$LOCKGATE_SRCDIR/quickstart" "$QS/" &&
    cp "$LOCKGATE_SRCDIR"/apache/mkconf \
    "$LOCKGATE_SRCDIR"/apache/lockgate-proxy-fcgi.conf "$QS/apache/" &&
    cp "$LOCKGATE_SRCDIR"/lighttpd/mkconf \
    "$LOCKGATE_SRCDIR"/lighttpd/lockgate.conf "$QS/lighttpd/" ||
    lg_bail "copy quickstart and the server files to $QS"
LSS_BODY='^\{"lockId":"[0-9a-hjkmnp-tv-z]{26}","lockKey":"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"\}$'
QS_PID=""

# serve SERVER: starts ./quickstart serve with SERVER on a free port, and
# waits up to 30 s for its health line. Sets QS_PID, LG_PORT and LG_URL.
serve()
{
	local n

	LG_PORT=$(lg_free_port) || lg_bail "found a free loopback port"
	LG_URL="http://127.0.0.1:$LG_PORT"
	# A background job starts with SIGINT ignored, which a shell cannot
	# undo: env gives it back its default, as in a terminal.
	env --default-signal=INT SERVER="$1" PORT="$LG_PORT" \
	    LOCKGATE_FCGI="$LG_FCGI_REAL" bash "$QS/quickstart" serve \
	    >"$LG_TMP/serve.$1.out" 2>&1 </dev/null &
	QS_PID=$!
	LG_BG_PIDS="$LG_BG_PIDS $QS_PID"
	for ((n = 0; n < 300; n++)); do
		grep -q '^Press Ctrl-C to stop\.$' "$LG_TMP/serve.$1.out" && break
		lg_alive "$QS_PID" || break
		sleep 0.1
	done
	if grep -q '^Press Ctrl-C to stop\.$' "$LG_TMP/serve.$1.out"; then
		lg_ok "SERVER=$1 ./quickstart serve is up on port $LG_PORT"
	else
		sed 's/^/#   /' "$LG_TMP/serve.$1.out"
		lg_bail "SERVER=$1 ./quickstart serve comes up within 30 s"
	fi
}

# stop SERVER: SIGINT, as Ctrl-C sends; quickstart must exit 0 within 20 s
# and leave no responder and no web server of its own.
stop()
{
	local rc

	kill -INT "$QS_PID"
	if lg_wait_gone "$QS_PID" 20; then
		wait "$QS_PID"
		rc=$?
		lg_is "SERVER=$1: Ctrl-C stops quickstart with status 0" 0 "$rc"
	else
		lg_not_ok "SERVER=$1: Ctrl-C stops quickstart within 20 s"
		kill -KILL "$QS_PID" 2>/dev/null
	fi
	lg_is "SERVER=$1: ... and it says nothing is left running" \
	    "quickstart: stopped; nothing left running" \
	    "$(tail -n 1 "$LG_TMP/serve.$1.out")"
	lg_true "SERVER=$1: ... and no lockgate process of it is left" \
	    lg_wait_no_responders 5
	lg_is "SERVER=$1: ... and nothing listens on its port" "" \
	    "$(lg_port_busy "$LG_PORT" && echo "port $LG_PORT still open")"
	lg_is "SERVER=$1: lockgate logged no error" "" \
	    "$(grep -i error "$QS/run/lockgate.log" 2>/dev/null)"
	QS_PID=""
}

lg_note "1. the default server"
serve apache
lg_like "it says it serves through Apache" \
    "^lockgate is serving at $LG_URL: lockgate.fcgi --listen behind Apache \\(mod_proxy_fcgi\\)\$" \
    "$(grep '^lockgate is serving' "$LG_TMP/serve.apache.out")"
lg_is "it shows LSS's first command without -d ''" \
    "  curl -i -X POST \"$LG_URL/locks?l=true&e=60\"   # LSS: a new lock, locked for 60 s" \
    "$(grep 'LSS: a new lock' "$LG_TMP/serve.apache.out")"
lg_curl GET /v1/health
lg_is "GET /v1/health: 200 with no record yet" \
    "200 {\"message\": \"okay\", \"version\": \"$(lg_version)\", \"records\": 0}" \
    "$LG_STATUS ${LG_BODY%$'\n'}"
ID=$(lg_uuid)
lg_curl PUT "/v1/$ID" -d ttl=30
lg_expect_lock "PUT /v1/<uuid> ttl=30: 201" 201 true "lock acquired" "$ID" 30.0
# LSS's own first command: curl -X POST URL, nothing else (no body, no
# Content-Length header).
LG_STATUS=$(curl -sv --max-time 10 -X POST -o "$LG_TMP/post.body" \
    -w '%{http_code}' "$LG_URL/locks?l=true&e=60" 2>"$LG_TMP/post.trace")
lg_readfile "$LG_TMP/post.body"
lg_is "bare curl -X POST /locks?l=true&e=60 (no body): 200" 200 "$LG_STATUS"
lg_like "... with the LSS body {\"lockId\":...,\"lockKey\":...}" "$LSS_BODY" \
    "$LG_BODY"
lg_is "... sent as POST with no Content-Length and no body" \
    "> POST /locks?l=true&e=60 HTTP/1.1|" \
    "$(grep '^> POST' "$LG_TMP/post.trace" | tr -d '\r')|$(grep -ci \
    '^> content-length' "$LG_TMP/post.trace" | grep -v '^0$')"
LSS_ID=$(sed 's/^{"lockId":"\([^"]*\)".*/\1/' <<<"$LG_BODY")
lg_curl GET "/locks/$LSS_ID"
lg_is "GET /locks/<that id>: 423, locked" 423 "$LG_STATUS"
lg_curl GET /v1/health
lg_is "GET /v1/health: 2 records now" \
    "200 {\"message\": \"okay\", \"version\": \"$(lg_version)\", \"records\": 2}" \
    "$LG_STATUS ${LG_BODY%$'\n'}"
stop apache

lg_note "2. SERVER=lighttpd"
serve lighttpd
LG_STATUS=$(curl -s --max-time 10 -X POST -o "$LG_TMP/post.body" \
    -w '%{http_code}' "$LG_URL/locks?l=true&e=60")
lg_is "bare curl -X POST /locks behind lighttpd: 411 from lighttpd itself" \
    411 "$LG_STATUS"
lg_curl POST "/locks?l=true&e=60" -d ''
lg_is "curl -X POST -d '' /locks behind lighttpd: 200" 200 "$LG_STATUS"
lg_like "... with the LSS body" "$LSS_BODY" "$LG_BODY"
lg_is "it shows the LSS command with -d ''" \
    "  curl -i -X POST -d '' \"$LG_URL/locks?l=true&e=60\"   # LSS: a new lock, locked for 60 s" \
    "$(grep 'LSS: a new lock' "$LG_TMP/serve.lighttpd.out")"
stop lighttpd
lg_finish
