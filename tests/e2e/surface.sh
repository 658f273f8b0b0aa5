# tests/e2e/surface.sh: the API (getlock table, LSS calls, JSON and form
# bodies, HEAD, errors) checked through whatever web server LG_URL and
# LG_PORT name, under a mount prefix: the same exact answers must come
# whatever the deployment (API.md section 0). Sourced, after lib.sh, by
# the deployment tests (nginx.sh, subpath.sh):
#	surface_all PREFIX        # "" for a server mounted at "/"
# This file is bash.
# shellcheck shell=bash

# sf_head DESC PATH STATUS: HEAD PATH over a bare socket: STATUS, the JSON
# headers and no body at all.
sf_head()
{
	lg_raw HEAD "$2"
	lg_is "$1: HEAD $3, JSON headers, no body" \
	    "$3|application/json|no-store|*|" \
	    "$LG_STATUS|$(lg_hdr Content-Type)|$(lg_hdr Cache-Control)|$(lg_hdr Access-Control-Allow-Origin)|$LG_BODY"
}

# sf_plain DESC STATUS CT BODY: the last answer is exactly STATUS with
# Content-Type CT ("<absent>" for none) and BODY (exact, no newline added).
sf_plain()
{
	lg_is "$1" "$2|$3|$4" \
	    "$LG_STATUS|$(lg_hdr Content-Type)|$LG_BODY"
}

# surface_getlock P: the getlock table under the prefix P.
surface_getlock()
{
	local p=$1 id f ts

	lg_curl GET "$p/v1/health"
	lg_like "GET $p/v1/health: 200 okay" \
	    '^200 \{"message": "okay", "version": "[^"]+", "records": [0-9]+\}'$'\n$' \
	    "$LG_STATUS $LG_BODY"

	id=$(lg_uuid)
	lg_curl GET "$p/v1/$id"
	lg_expect "never existed: GET 404" 404 "$LG_NOTFOUND"
	sf_head "never existed" "$p/v1/$id" 404
	lg_curl DELETE "$p/v1/$id"
	lg_expect "never existed: DELETE 404" 404 "$LG_NOTFOUND"

	lg_curl PUT "$p/v1/$id" -d ttl=30
	lg_expect_lock "PUT -d ttl=30 (form): 201 lock acquired" 201 true \
	    "lock acquired" "$id" 30.0
	f=$LG_FENCE ts=$LG_TS
	lg_curl GET "$p/v1/$id"
	lg_expect_lock "held: GET 423 lock is active" 423 true \
	    "lock is active" "$id" 30.0 &&
	    lg_is "GET shows the same fence and timestamp" "$f $ts" \
	    "$LG_FENCE $LG_TS"
	sf_head "held" "$p/v1/$id" 423
	lg_curl PUT "$p/v1/$id"
	lg_expect_lock "held: PUT 200 lock refreshed, own ttl" 200 true \
	    "lock refreshed" "$id" 30.0 &&
	    lg_is "refresh keeps the fence" "$f" "$LG_FENCE"
	lg_curl PUT "$p/v1/$id?ttl=45"
	lg_expect_lock "held: PUT ?ttl=45 (query): 200, ttl 45" 200 true \
	    "lock refreshed" "$id" 45.0
	lg_curl PUT "$p/v1/$id" -H 'Content-Type: application/json' \
	    --data-binary '{"ttl": "50"}'
	lg_expect_lock "held: PUT JSON {\"ttl\": \"50\"}: 200, ttl 50" 200 \
	    true "lock refreshed" "$id" 50.0
	lg_curl DELETE "$p/v1/$id"
	lg_expect_lock "held: DELETE 200 lock has been removed" 200 false \
	    "lock has been removed" "$id" 50.0 &&
	    lg_is "DELETE shows fence $f" "$f" "$LG_FENCE"
	lg_curl GET "$p/v1/$id"
	lg_expect "after DELETE: GET 404" 404 "$LG_NOTFOUND"
	lg_curl DELETE "$p/v1/$id"
	lg_expect "after DELETE: DELETE 404" 404 "$LG_NOTFOUND"

	# Expired with the record still there (or already swept).
	lg_curl PUT "$p/v1/$id" -d ttl=0.2
	lg_expect_lock "PUT ttl=0.2: 201" 201 true "lock acquired" "$id" 0.2
	sleep 0.5
	lg_curl GET "$p/v1/$id"
	case $LG_BODY in
	*'"lock has expired"'*)
		lg_expect_lock "expired: GET 404 lock has expired" 404 false \
		    "lock has expired" "$id" 0.2
		;;
	*)
		lg_expect "expired: GET 404" 404 "$LG_NOTFOUND"
		;;
	esac
	lg_curl PUT "$p/v1/$id" -H 'Content-Type: application/json' \
	    --data-binary '{"ttl": 20}'
	lg_expect_lock "expired: PUT JSON {\"ttl\": 20}: 201, a new hold" 201 \
	    true "lock acquired" "$id" 20.0
	lg_curl DELETE "$p/v1/$id"

	# A JSON body sent chunked: the web server must pass its length.
	id=$(lg_uuid)
	lg_curl PUT "$p/v1/$id" -H 'Content-Type: application/json' \
	    -H 'Transfer-Encoding: chunked' --data-binary '{"ttl": 25}'
	lg_expect_lock "PUT a chunked JSON body: 201" 201 true \
	    "lock acquired" "$id" 25.0
	lg_curl PUT "$p/v1/$(lg_uuid)?owner=me&ttl=10"
	lg_like "PUT with an owner: 201 and a fence" \
	    '^201 \{"locked": true, "message": "lock acquired", .*"fence": [0-9]+\}\}' \
	    "$LG_STATUS $LG_BODY"

	lg_curl PUT "$p/v1/$(lg_uuid)" -d ttl=0
	lg_expect "ttl=0: 400" 400 '{"message": {"ttl": "must be greater than 0"}}'
	lg_curl PUT "$p/v1/$(lg_uuid)?tll=30"
	lg_expect "unknown ?tll=30: 400" 400 '{"message": "Unknown arguments: tll"}'
	lg_curl PUT "$p/v1/$(lg_uuid)" -H 'Content-Type: application/json' \
	    --data-binary '{"ttl": 30'
	lg_like "invalid JSON: 400 invalid JSON body" \
	    '^400 \{"message": "invalid JSON body: .+"\}'$'\n$' \
	    "$LG_STATUS $LG_BODY"
	printf '{"ttl": 30, "x": "%16400s"}' '' >"$LG_TMP/big.json"
	lg_curl PUT "$p/v1/$(lg_uuid)" -H 'Content-Type: application/json' \
	    --data-binary "@$LG_TMP/big.json"
	lg_expect "a body over 16 KiB: 413" 413 \
	    "$LG_TOOBIG"
	lg_curl POST "$p/v1/$id" -d ''
	lg_expect "POST /v1/<uuid>: 405" 405 "$LG_NOMETHOD"
	lg_expect_hdr "POST /v1/<uuid>: Allow" Allow "$LG_ALLOW_LOCK"
	lg_curl GET "$p/v1/not-a-uuid"
	lg_expect "GET /v1/not-a-uuid: 404" 404 \
	    "$LG_BADPATH"
	lg_curl OPTIONS "$p/v1/$id" -H 'Origin: https://app.example' \
	    -H 'Access-Control-Request-Method: PUT'
	lg_is "OPTIONS preflight: 204 with Allow" "204|$LG_ALLOW_LOCK|" \
	    "$LG_STATUS|$(lg_hdr Allow)|$LG_BODY"
	lg_curl DELETE "$p/v1/$id"
}

# surface_lss P: the LSS calls under the prefix P.
surface_lss()
{
	local p=$1 id key re

	lg_curl POST "$p/locks?l=true" -d ''
	re="^200 \\{\"lockId\":\"($LG_ULID_RE)\",\"lockKey\":\"($LG_KEY_RE)\"\\}\$"
	if [[ "$LG_STATUS $LG_BODY" =~ $re ]]; then
		id=${BASH_REMATCH[1]} key=${BASH_REMATCH[2]}
		lg_ok "LSS POST /locks?l=true: 200 {\"lockId\":\"<ulid>\",\"lockKey\":\"<uuid>\"}"
	else
		lg_not_ok "LSS POST /locks?l=true: 200 with id and key" \
		    '200 {"lockId":"<ulid>","lockKey":"<uuid>"}' \
		    "$LG_STATUS $LG_BODY"
		return
	fi
	lg_is "LSS POST: application/json" application/json \
	    "$(lg_hdr Content-Type)"
	lg_curl GET "$p/locks/$id"
	sf_plain "LSS GET locked: 423, empty" 423 "<absent>" ""
	lg_curl GET "$p/locks/${id^^}"
	sf_plain "LSS GET with the id in upper case: 423" 423 "<absent>" ""
	lg_raw HEAD "$p/locks/$id"
	lg_is "LSS HEAD locked: 423, no body" "423|" "$LG_STATUS|$LG_BODY"
	lg_curl PATCH "$p/locks/$id/unlock?k=wrong"
	sf_plain "LSS PATCH unlock, wrong key: 401" 401 "$LG_TEXT_CT" \
	    "$LG_BADKEY"
	lg_curl PATCH "$p/locks/$id/unlock?k=$key"
	sf_plain "LSS PATCH unlock: 204" 204 "<absent>" ""
	lg_curl GET "$p/locks/$id"
	sf_plain "LSS GET unlocked: 204" 204 "<absent>" ""
	lg_curl PATCH "$p/locks/$id/lock?k=$key&nx=1"
	sf_plain "LSS PATCH lock nx=1 on an unlocked lock: 204" 204 "<absent>" ""
	lg_curl PATCH "$p/locks/$id/lock?k=$key&nx=1"
	sf_plain "LSS PATCH lock nx=1 again: 423" 423 "<absent>" ""
	lg_curl PATCH "$p/locks/$id/lock?k=$key&e=60"
	sf_plain "LSS PATCH lock with e=60: 204" 204 "<absent>" ""
	lg_curl GET "$p/locks/00000000000000000000000000"
	sf_plain "LSS GET unknown id: 404 Lock not found" 404 "$LG_TEXT_CT" \
	    "$LG_NOLOCK"
	lg_curl POST "$p/locks/" -d 'k=my-own-key'
	lg_like "LSS POST /locks/ with a form key: 200" \
	    "^200 \\{\"lockId\":\"$LG_ULID_RE\",\"lockKey\":\"my-own-key\"\\}\$" \
	    "$LG_STATUS $LG_BODY"
	lg_curl DELETE "$p/locks/$id"
	sf_plain "LSS DELETE /locks/<id>: 405" 405 "$LG_TEXT_CT" \
	    "Method Not Allowed"
	lg_expect_hdr "LSS DELETE: Allow" Allow "GET, HEAD, OPTIONS"
}

# surface_all P: both surfaces under the prefix P.
surface_all()
{
	lg_note "getlock surface under '${1:-/}'"
	surface_getlock "$1"
	lg_note "LSS surface under '${1:-/}'"
	surface_lss "$1"
}
