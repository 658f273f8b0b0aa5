#!/bin/bash
# tests/e2e/operator.sh: the operator's surface (doc/API.md section 3) through a
# real lighttpd: the home page, the admin listing of live locks, /metrics
# in its three modes, API tokens on every surface, and the start-up
# refusals of a bad token or a database directory that cannot be written.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init curl lighttpd jq

VERSION=$(lg_version)
ADMIN=admin-9f8e7d6c5b4a39281706
TOKEN_A=api-a-0123456789abcdef
TOKEN_B=api-b-fedcba9876543210
UNAUTH='{"message": "a valid token is needed: send Authorization: Bearer <token>"}'
ID1=00000000-0000-4000-8000-00000000000a
ID2=00000000-0000-4000-8000-00000000000b

# restart [VAR=VALUE...]: lighttpd again with these LOCKGATE_* settings
# (the responders read them at start) and the same database.
restart()
{
	lg_stop_lighttpd || lg_bail "lighttpd stops"
	unset LOCKGATE_API_TOKENS LOCKGATE_ADMIN_TOKEN LOCKGATE_METRICS
	# shellcheck disable=SC2163 # the words are NAME=VALUE
	[ $# -gt 0 ] && export "$@"
	lg_start_lighttpd 2
}

# unauthorized DESC: the last answer is the 401 of a missing or bad token.
unauthorized()
{
	lg_expect "$1" 401 "$UNAUTH"
	lg_expect_hdr "$1: WWW-Authenticate" WWW-Authenticate \
	    'Bearer realm="lockgate"'
}

# metric NAME: the value of the series NAME (with its labels) in the last
# answer, or "<absent>".
# Backend branch: on etcd (etcd-suites.sh sets LG_ETCD_ENDPOINTS) LG_URL is
# a balancer in front of two servers and the last answer is one server's.
# Each server counts its own requests (the *_total counters, the commit
# histogram, the waiting gauge): for those the value is the sum of both
# servers' now, each asked directly (with the admin token, which every
# mode of /metrics here accepts). The cluster's lockgate_records and
# lockgate_fence, and each server's constants, are the answer's, as on
# LMDB.
metric()
{
	local v s n sum=""

	if [ -n "${LG_ETCD_ENDPOINTS:-}" ]; then
		case ${1%%\{*} in
		*_total | lockgate_commit_seconds_* | lockgate_waiting)
			for s in $ETCD_PAIR; do
				n=$(curl -s --max-time 5 \
				    -H "Authorization: Bearer $ADMIN" \
				    "${ETCD_URL[$s]}/metrics" |
				    awk -v n="$1" '$1 == n { print $2 }')
				[[ $n =~ ^[0-9]+$ ]] || continue
				sum=$((${sum:-0} + n))
			done
			echo "${sum:-<absent>}"
			return
			;;
		esac
	fi
	v=$(printf '%s' "$LG_BODY" | awk -v n="$1" '$1 == n { print $2 }')
	echo "${v:-<absent>}"
}

# ---------------------------------------------------------------------------
lg_note "no API token, an admin token: the home page and the listing"

export LOCKGATE_ADMIN_TOKEN=$ADMIN
lg_start_lighttpd 2

lg_curl GET /
lg_is "GET /: 200" 200 "$LG_STATUS"
lg_expect_hdr "GET /: an HTML page" Content-Type "text/html; charset=utf-8"
lg_expect_hdr "GET /: never cached" Cache-Control no-store
lg_like "GET /: names the service and its version" \
    "<h1>lockgate $VERSION</h1>" "$LG_BODY"
lg_like "GET /: a curl line for this server's own URL" \
    "curl -X PUT '$LG_URL/v1/[0-9a-f-]{36}\\?ttl=60'" "$LG_BODY"
lg_like "GET /: the LSS create line" \
    "curl -X POST -d '' '$LG_URL/locks\\?l=true'" "$LG_BODY"
lg_curl HEAD /
lg_is "HEAD /: 200" 200 "$LG_STATUS"
lg_curl POST / -d ''
lg_expect "POST /: 405" 405 "$LG_NOMETHOD"
lg_expect_hdr "POST /: Allow" Allow "GET, HEAD, OPTIONS"
lg_curl GET /nothing-here
lg_expect "GET /nothing-here: 404" 404 "$LG_NOPATH"

lg_curl PUT "/v1/$ID1?owner=secret-owner-1&ttl=60"
lg_expect_lock "a mutex with an owner: 201" 201 true "lock acquired" "$ID1" 60.0
HOLD1="$LG_FENCE $LG_TS $LG_EXP"
EXP1=${LG_EXP:-0}
lg_curl PUT "/v1/$ID2?owner=secret-owner-2&limit=2"
lg_is "a semaphore's first holder: 201" 201 "$LG_STATUS"
lg_curl PUT "/v1/$ID2?owner=secret-owner-3&limit=2"
lg_is "its second holder: 201" 201 "$LG_STATUS"
lg_curl POST "/locks?l=true&k=secret-key-lss-1" -d ''
lg_is "an LSS lock: 200" 200 "$LG_STATUS"
LSSID=$(printf '%s' "$LG_BODY" | jq -r .lockId)
# The last write before the counts below: no later write sweeps it.
IDC=00000000-0000-4000-8000-00000000000c
lg_curl PUT "/v1/$IDC?ttl=0.1"
lg_expect_lock "a lock that expires at once: 201" 201 true "lock acquired" \
    "$IDC" 0.1
FENCEC=${LG_FENCE:-0}	# the last fence handed out (etcd branches below)
# Until the server's clock has passed its expiry.
EXPC=${LG_EXP:-0}
lg_true "the clock passes its expiry" \
    lg_wait_for 5 "" eval "[ \"\$(lg_now_ms)\" -gt $((EXPC + 1)) ]"

lg_curl GET /v1/locks
unauthorized "GET /v1/locks without a token"
lg_curl GET /v1/locks -H "Authorization: Bearer $ADMIN-x"
unauthorized "GET /v1/locks with a wrong token"
lg_curl GET /v1/locks -H "Authorization: Basic $ADMIN"
unauthorized "GET /v1/locks with Basic"
lg_curl GET /v1/locks -H "Authorization: Bearer $ADMIN"
lg_is "GET /v1/locks with the admin token: 200" 200 "$LG_STATUS"
lg_is "the listing: the standard JSON headers" "" "$(lg_std_headers)"
lg_is "the listing: live locks only, in key order, no owner tokens" \
    "[{\"id\":\"$ID1\",\"surface\":\"getlock\",\"locked\":true,\"limit\":1,\"owned\":[true]},{\"id\":\"$ID2\",\"surface\":\"getlock\",\"locked\":true,\"limit\":2,\"owned\":[true,true]},{\"id\":\"$LSSID\",\"surface\":\"lss\",\"locked\":true,\"expires\":null}] null" \
    "$(printf '%s' "$LG_BODY" | jq -c '[.locks[] | if .surface == "lss" then {id, surface, locked, expires} else {id, surface, locked, limit, owned: [.holders[].owned]} end], .next' | tr '\n' ' ' | sed 's/ $//')"
lg_is "a getlock holder's fields" '["timestamp","ttl","expires","fence","owned"]' \
    "$(printf '%s' "$LG_BODY" | jq -c '.locks[0].holders[0] | keys_unsorted')"
# Backend branch: on etcd a fence is the etcd revision of its grant (plus
# a base): strictly increasing, not consecutive. The semaphore's two
# holds were granted after the mutex's and before the expiring lock's.
if [ -n "${LG_ETCD_ENDPOINTS:-}" ]; then
	lg_is "the semaphore's fences: two, between ${HOLD1%% *} and $FENCEC" \
	    true "$(printf '%s' "$LG_BODY" | jq --argjson lo "${HOLD1%% *}" \
	    --argjson hi "$FENCEC" '[.locks[1].holders[].fence] | sort |
	    length == 2 and $lo < .[0] and .[0] < .[1] and .[1] < $hi')"
else
	lg_is "the fences of the semaphore's holders: 2 and 3" "[2,3]" \
	    "$(printf '%s' "$LG_BODY" | jq -c '[.locks[1].holders[].fence] | sort')"
fi
lg_is "no owner token or LSS key anywhere in the listing" "" \
    "$(printf '%s' "$LG_BODY" | grep -o 'secret-[a-z0-9-]*')"

# Paging: one lock per page, following "next".
pages=0
ids=""
after=""
while [ $pages -lt 10 ]; do
	lg_curl GET "/v1/locks?limit=1${after:+&after=$after}" \
	    -H "Authorization: Bearer $ADMIN"
	[ "$LG_STATUS" = 200 ] || break
	pages=$((pages + 1))
	ids="$ids $(printf '%s' "$LG_BODY" | jq -r '.locks[].id')"
	after=$(printf '%s' "$LG_BODY" | jq -r '.next // empty')
	[ -n "$after" ] || break
done
lg_is "paging with limit=1: three pages, every lock once" \
    " $ID1 $ID2 $LSSID" "$ids"
lg_curl GET "/v1/locks?limit=0" -H "Authorization: Bearer $ADMIN"
lg_expect "limit=0: 400" 400 '{"message": "limit: expected a whole number from 1 to 10000"}'
lg_curl GET "/v1/locks?limit=10001" -H "Authorization: Bearer $ADMIN"
lg_expect "limit=10001: 400" 400 '{"message": "limit: expected a whole number from 1 to 10000"}'
lg_curl GET "/v1/locks?after=$ID1" -H "Authorization: Bearer $ADMIN"
lg_expect "after without its surface: 400" 400 '{"message": "after: expected the \"next\" value of an earlier page"}'
lg_curl GET "/v1/locks?all=1" -H "Authorization: Bearer $ADMIN"
lg_expect "an unknown parameter: 400" 400 '{"message": "Unknown arguments: all"}'
lg_curl PUT /v1/locks -H "Authorization: Bearer $ADMIN"
lg_expect "PUT /v1/locks: 405" 405 "$LG_NOMETHOD"
lg_expect_hdr "PUT /v1/locks: Allow" Allow "GET, HEAD, OPTIONS"

# ---------------------------------------------------------------------------
lg_note "/metrics, open by default"

lg_curl GET /metrics
lg_is "GET /metrics: 200" 200 "$LG_STATUS"
lg_expect_hdr "GET /metrics: the Prometheus text format" Content-Type \
    "text/plain; version=0.0.4; charset=utf-8"
lg_is "lockgate_info" 1 "$(metric "lockgate_info{version=\"$VERSION\"}")"
lg_is "grants: 4 new holds so far" 4 "$(metric lockgate_grants_total)"
# Backend branch: on etcd the current fence is the last one handed out
# (no write since), not the number of grants.
if [ -n "${LG_ETCD_ENDPOINTS:-}" ]; then
	lg_is "the current fence: the last one handed out" "$FENCEC" \
	    "$(metric lockgate_fence)"
else
	lg_is "the current fence" 4 "$(metric lockgate_fence)"
fi
lg_is "getlock 201s" 4 \
    "$(metric 'lockgate_requests_total{surface="getlock",code="201"}')"
lg_is "admin 401s" 3 \
    "$(metric 'lockgate_requests_total{surface="admin",code="401"}')"
lg_is "home 200s" 2 \
    "$(metric 'lockgate_requests_total{surface="home",code="200"}')"
lg_is "LSS 200s" 1 \
    "$(metric 'lockgate_requests_total{surface="lss",code="200"}')"
lg_is "records: the 3 live locks and the expired one, not yet swept" 4 \
    "$(metric lockgate_records)"
# Backend branch: etcd has no LMDB map and no data file of lockgate's:
# map size and map use are 0, the data file's size is not there.
if [ -n "${LG_ETCD_ENDPOINTS:-}" ]; then
	lg_is "map size and map use on etcd: 0 and 0" "0 0" \
	    "$(metric lockgate_map_size_bytes) $(metric lockgate_map_used_bytes)"
	lg_is "no database file size on etcd" "<absent>" \
	    "$(metric lockgate_db_file_bytes)"
else
	lg_like "map size" '^1073741824$' "$(metric lockgate_map_size_bytes)"
	lg_like "database file size" '^[0-9]+$' \
	    "$(metric lockgate_db_file_bytes)"
fi
commits=$(metric lockgate_commit_seconds_count)
lg_is "one commit per write so far (5 PUT/POST)" 5 "$commits"
lg_is "the histogram's +Inf bucket equals its count" "$commits" \
    "$(metric 'lockgate_commit_seconds_bucket{le="+Inf"}')"
lg_curl GET "/metrics?x=1"
lg_expect "/metrics with a parameter: 400" 400 '{"message": "/metrics takes no parameters"}'

lg_note "a wait is counted"
lg_curl PUT "/v1/$ID1?owner=waiter&wait=0.3"
lg_expect_lock "a PUT that waits in vain: 423 lock is held by another owner" \
    423 true "lock is held by another owner" "$ID1" 60.0 &&
    lg_is "... showing the mutex's hold" "$HOLD1" "$LG_FENCE $LG_TS $LG_EXP"
# Retry-After: the seconds left of the hold when it answered (between the
# request's start and end), rounded up.
lo=$(((EXP1 - LG_T1 + 999) / 1000))
hi=$(((EXP1 - LG_T0 + 999) / 1000))
ra=$(lg_hdr Retry-After)
if [[ $ra =~ ^[0-9]+$ ]] && [ "$ra" -ge "$lo" ] && [ "$ra" -le "$hi" ]; then
	lg_ok "... Retry-After $ra: the seconds left of the hold, rounded up"
else
	lg_not_ok "... Retry-After: the seconds left of the hold, rounded up" \
	    "$lo to $hi" "$ra"
fi
took=$((LG_T1 - LG_T0))
lg_cmp "... after its wait of 0.3 s ($took ms >= 300)" "$took" -ge 300
lg_cmp "... not the hold's 60 s ($took ms < 10000)" "$took" -lt 10000
lg_curl GET /metrics
lg_is "waits: 1" 1 "$(metric lockgate_waits_total)"
lg_is "waiting now: 0" 0 "$(metric lockgate_waiting)"

# ---------------------------------------------------------------------------
lg_note "without an admin token the listing does not exist"

restart
lg_curl GET /v1/locks
lg_expect "GET /v1/locks: getlock's 404" 404 "$LG_BADPATH"
lg_curl GET /v1/locks -H "Authorization: Bearer $ADMIN"
lg_expect "GET /v1/locks with the old token: still 404" 404 "$LG_BADPATH"

# ---------------------------------------------------------------------------
lg_note "API tokens: every request needs one"

LG_TOKEN=$TOKEN_A
restart LOCKGATE_API_TOKENS="$TOKEN_A, $TOKEN_B" LOCKGATE_ADMIN_TOKEN=$ADMIN \
    LOCKGATE_METRICS=admin
ID3=00000000-0000-4000-8000-00000000000d
lg_curl PUT "/v1/$ID3"
unauthorized "PUT without a token"
lg_curl GET "/v1/$ID3" -H "Authorization: Bearer $TOKEN_A"
lg_is "the refused PUT stored nothing: 404" 404 "$LG_STATUS"
lg_curl PUT "/v1/$ID3" -H "Authorization: Bearer $TOKEN_A"
lg_expect_lock "PUT with the first token: 201" 201 true "lock acquired" \
    "$ID3" 60.0
HOLD3="$LG_FENCE $LG_TS $LG_EXP"
lg_curl GET "/v1/$ID3" -H "authorization: bearer $TOKEN_B"
lg_is "GET with the second token (any case): 423" 423 "$LG_STATUS"
lg_curl GET "/v1/$ID3" -H "Authorization: Bearer $ADMIN"
lg_is "GET with the admin token: 423" 423 "$LG_STATUS"
lg_curl DELETE "/v1/$ID3" -H "Authorization: Bearer ${TOKEN_A}x"
unauthorized "DELETE with a wrong token"
lg_curl DELETE "/v1/$ID3" -H "Authorization: Bearer ${TOKEN_A%?}"
unauthorized "DELETE with a token one character short"
lg_curl GET "/v1/$ID3" -H "Authorization: Bearer $TOKEN_A"
lg_expect_lock "the refused DELETEs changed nothing: 423" 423 true \
    "lock is active" "$ID3" 60.0 &&
    lg_is "... the same hold" "$HOLD3" "$LG_FENCE $LG_TS $LG_EXP"
lg_curl GET /v1/health
unauthorized "health without a token"
lg_curl GET /
unauthorized "the home page without a token"
lg_curl GET /nothing
unauthorized "an unknown path without a token (no probing)"
lg_curl POST "/locks" -d ''
unauthorized "LSS create without a token"
lg_curl POST "/locks" -d '' -H "Authorization: Bearer $TOKEN_B"
lg_is "LSS create with a token: 200" 200 "$LG_STATUS"
lg_curl OPTIONS "/v1/$ID3" -H 'Origin: https://example.org' \
    -H 'Access-Control-Request-Method: PUT'
lg_is "a CORS preflight needs no token: 204" 204 "$LG_STATUS"
lg_expect_hdr "the preflight allows Authorization" \
    Access-Control-Allow-Headers "Content-Type, Authorization"
lg_curl GET /metrics -H "Authorization: Bearer $TOKEN_A"
unauthorized "/metrics in admin mode with an API token"
lg_curl GET /metrics -H "Authorization: Bearer $ADMIN"
lg_is "/metrics in admin mode with the admin token: 200" 200 "$LG_STATUS"
lg_is "the 401s are counted" 3 \
    "$(metric 'lockgate_requests_total{surface="getlock",code="401"}')"
lg_curl GET /v1/locks -H "Authorization: Bearer $TOKEN_A"
unauthorized "the listing with an API token"

CLIENT=$LOCKGATE_SRCDIR/src/lockgate
ID4=00000000-0000-4000-8000-00000000000e
out=$(LOCKGATE_URL=$LG_URL "$CLIENT" acquire "$ID4" --owner cli 2>&1)
lg_is "the client without LOCKGATE_TOKEN: exit 3" 3 "$?"
lg_like "and it says why" 'HTTP 401: a valid token is needed' "$out"
out=$(LOCKGATE_URL=$LG_URL LOCKGATE_TOKEN=$TOKEN_B "$CLIENT" acquire "$ID4" \
    --owner cli 2>&1)
lg_is "the client with LOCKGATE_TOKEN: exit 0" 0 "$?"
lg_like "and the fence" '^LOCKGATE_FENCE=[0-9]+' "$out"
lg_curl GET "/v1/$ID4" -H "Authorization: Bearer $TOKEN_A"
lg_is "the lock is held" 423 "$LG_STATUS"
out=$(LOCKGATE_URL=$LG_URL LOCKGATE_TOKEN=$TOKEN_B "$CLIENT" release "$ID4" \
    --owner cli 2>&1)
lg_is "the client releases with the token: exit 0" 0 "$?"
out=$(LOCKGATE_URL=$LG_URL LOCKGATE_TOKEN='bad token' "$CLIENT" status "$ID4" 2>&1)
lg_is "a token with a blank: usage error" 2 "$?"

# ---------------------------------------------------------------------------
lg_note "LOCKGATE_METRICS=off"

unset LG_TOKEN
restart LOCKGATE_METRICS=off
lg_curl GET /metrics
lg_expect "GET /metrics when off: 404" 404 "$LG_NOPATH"

lg_note "API tokens and no admin token: a hidden route still needs a token"
LG_TOKEN=$TOKEN_A
restart LOCKGATE_METRICS=off LOCKGATE_API_TOKENS=$TOKEN_A
lg_curl GET /v1/locks
unauthorized "GET /v1/locks without a token: 401, not 404"
lg_curl GET /v1/locks -H "Authorization: Bearer $TOKEN_A"
lg_expect "GET /v1/locks with an API token: getlock's 404" 404 "$LG_BADPATH"
lg_curl GET /metrics
unauthorized "GET /metrics (off) without a token: 401"
lg_curl GET /metrics -H "Authorization: Bearer $TOKEN_A"
lg_expect "GET /metrics (off) with a token: 404" 404 "$LG_NOPATH"
unset LG_TOKEN

lg_stopped
lg_no_errors "no error logged" "$LG_RUN/error.log" "$LG_RUN/lockgate.log"

# ---------------------------------------------------------------------------
lg_note "start-up refusals"

LG_CGI_ARGS=--cgi
# Backend branch: on etcd (etcd-suites.sh) the program run directly below
# is given the servers' store (the cluster, and etcd_pair_start's key
# prefix for this LOCKGATE_DB), so that these refusals are etcd's; on
# LMDB it is LOCKGATE_DB. STORE_ENV: NAME=VALUE words for lg_cgi and env.
STORE_ENV=()
if [ -n "${LG_ETCD_ENDPOINTS:-}" ]; then
	STORE_ENV=(LOCKGATE_STORE=etcd
	    "LOCKGATE_ETCD_ENDPOINTS=$LG_ETCD_ENDPOINTS"
	    "LOCKGATE_ETCD_PREFIX=$LG_ETCD_PREFIX${LOCKGATE_DB##*/}/")
fi
# lighttpd refuses a GET with a body; as CGI it reaches the program.
printf '%s' '{"limit": "1\u0000x"}' >"$LG_TMP/nul.json"
LG_CGI_IN=$LG_TMP/nul.json
lg_cgi "${STORE_ENV[@]}" REQUEST_METHOD=GET PATH_INFO=/v1/locks \
    CONTENT_TYPE=application/json \
    CONTENT_LENGTH="$(wc -c <"$LG_TMP/nul.json")" LOCKGATE_ADMIN_TOKEN=$ADMIN \
    "HTTP_AUTHORIZATION=Bearer $ADMIN"
lg_cgi_expect "the listing's limit with a NUL after its digits: 400" 400 \
    '{"message": "limit: expected a whole number from 1 to 10000"}'
LG_CGI_IN=/dev/null
# lighttpd refuses such a Host itself; a CGI host may pass it on.
lg_cgi "${STORE_ENV[@]}" REQUEST_METHOD=GET PATH_INFO=/ \
    'HTTP_HOST=<script>x</script>'
lg_is "GET / with a hostile Host: 200" 200 "$LG_STATUS"
lg_like "GET / with a hostile Host: escaped" \
    "http://&lt;script&gt;x&lt;/script&gt;/v1/" "$LG_BODY"
lg_is "GET / with a hostile Host: no raw tag" "" \
    "$(printf '%s' "$LG_BODY" | grep -F '<script>')"
lg_cgi "${STORE_ENV[@]}" REQUEST_METHOD=GET PATH_INFO=/v1/health \
    LOCKGATE_API_TOKENS=short
lg_cmp "a short API token: the program exits non-zero" "$LG_RC" -ne 0
lg_like "and says why" 'LOCKGATE_API_TOKENS: token 1 is not 16 to 256 characters' \
    "$LG_ERR"
lg_cgi "${STORE_ENV[@]}" REQUEST_METHOD=GET PATH_INFO=/v1/health \
    LOCKGATE_METRICS=admin
lg_cmp "metrics=admin without an admin token: exits non-zero" "$LG_RC" -ne 0
lg_like "and says why" 'LOCKGATE_METRICS: admin needs LOCKGATE_ADMIN_TOKEN' \
    "$LG_ERR"

# A directory this user cannot write. root can write anywhere, so as root
# the program runs as nobody.
RO=$LG_TMP/readonly
mkdir -p "$RO" && chmod 555 "$RO" && chmod 755 "$LG_TMP"
as_user=()
if [ "$(id -u)" = 0 ]; then
	as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	lg_program_for_others
fi
out=$(env -i PATH=/usr/bin:/bin "${STORE_ENV[@]}" LOCKGATE_DB="$RO" \
    REQUEST_METHOD=GET PATH_INFO=/v1/health GATEWAY_INTERFACE=CGI/1.1 \
    "${as_user[@]}" timeout 10 "$LOCKGATE_FCGI" --cgi 2>"$LG_TMP/ro.err")
lg_like "CGI with an unwritable database directory: 503" \
    '^Status: 503 Service Unavailable' "$out"
lg_like "the log says which directory and why" \
    "error: $RO: Permission denied for user id [0-9]+; give this user the directory" \
    "$(cat "$LG_TMP/ro.err")"
SOCK=$LG_TMP/ro.sock
env -i PATH=/usr/bin:/bin "${STORE_ENV[@]}" LOCKGATE_DB="$RO" \
    "${as_user[@]}" timeout 10 \
    "$LOCKGATE_FCGI" --listen 127.0.0.1:"$(lg_free_port)" \
    >/dev/null 2>"$LG_TMP/ro2.err"
rc=$?
lg_cmp "--listen with an unwritable database directory: refuses to start" \
    "$rc" -ne 0
lg_cmp "and did not wait for the timeout" "$rc" -ne 124
lg_like "and says why" "$RO: Permission denied" "$(cat "$LG_TMP/ro2.err")"
rm -f "$SOCK"

lg_finish
