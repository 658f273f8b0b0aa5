# tests/e2e/surface.sh: the API (getlock table, LSS calls, JSON and form
# bodies, HEAD, errors) checked through whatever web server LG_URL and
# LG_PORT name, under a mount prefix: the same exact answers must come
# whatever the deployment (doc/API.md section 0). Sourced, after lib.sh, by
# the tests of a server in front of lockgate (getlock.sh, nginx.sh,
# subpath.sh, apache.sh):
#	surface_all PREFIX [DESC]   # "" for a server mounted at "/"
# DESC, when given, begins every description (which configuration). Set
# before a walk, when the deployment needs it:
#	SF_TOKEN=TOKEN    every request carries "Authorization: Bearer TOKEN"
#	SF_CHUNKED=411    a chunked body gets lockgate's 411 (plain CGI, where
#	                  no CONTENT_LENGTH comes), not 201
#	SF_RECORDS=N      the database holds N records: the health answer is
#	                  checked exactly, and N follows what the walk leaves
# This file is bash.
# shellcheck shell=bash
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.

SF_TOKEN=""
SF_CHUNKED=201
SF_RECORDS=""

# sf_curl METHOD PATH [CURL-ARGS...]: lg_curl, with SF_TOKEN when set.
sf_curl()
{
	lg_curl "$@" ${SF_TOKEN:+-H "Authorization: Bearer $SF_TOKEN"}
}

# sf_head DESC PATH STATUS: HEAD PATH over a bare socket (with SF_TOKEN
# when set): STATUS, the JSON headers and no body at all.
sf_head()
{
	lg_raw HEAD "$2" ${SF_TOKEN:+"Authorization: Bearer $SF_TOKEN"}
	lg_is "$1: HEAD $3, JSON headers, no body" \
	    "$3|application/json|no-store|*|" \
	    "$LG_STATUS|$(lg_hdr Content-Type)|$(lg_hdr Cache-Control)|$(lg_hdr Access-Control-Allow-Origin)|$LG_BODY"
}

# sf_health DESC P [MORE]: GET P/v1/health is 200 "okay"; with SF_RECORDS
# set, exactly, with this version and SF_RECORDS + MORE (default 0)
# records.
sf_health()
{
	local n

	sf_curl GET "$2/v1/health"
	if [ -z "$SF_RECORDS" ]; then
		lg_like "$1GET $2/v1/health: 200 okay" \
		    '^200 \{"message": "okay", "version": "[^"]+", "records": [0-9]+\}'$'\n$' \
		    "$LG_STATUS $LG_BODY"
		return
	fi
	n=$((SF_RECORDS + ${3:-0}))
	lg_expect "$1GET $2/v1/health: 200 okay, $n records" 200 \
	    "{\"message\": \"okay\", \"version\": \"$(lg_version)\", \"records\": $n}"
}

# surface_getlock P [DESC]: the getlock table under the prefix P. Leaves no
# record behind.
surface_getlock()
{
	local p=$1 d=${2:+$2: } id o bad f ts

	sf_health "$d" "$p"

	id=$(lg_uuid)
	sf_curl GET "$p/v1/$id"
	lg_expect "${d}never existed: GET 404" 404 "$LG_NOTFOUND"
	sf_head "${d}never existed" "$p/v1/$id" 404
	sf_curl DELETE "$p/v1/$id"
	lg_expect "${d}never existed: DELETE 404" 404 "$LG_NOTFOUND"

	sf_curl PUT "$p/v1/$id" -d ttl=30
	lg_expect_lock "${d}PUT -d ttl=30 (form): 201 lock acquired" 201 true \
	    "lock acquired" "$id" 30.0
	f=$LG_FENCE ts=$LG_TS
	sf_curl GET "$p/v1/$id"
	lg_expect_lock "${d}held: GET 423 lock is active" 423 true \
	    "lock is active" "$id" 30.0 &&
	    lg_is "${d}GET shows the same fence and timestamp" "$f $ts" \
	    "$LG_FENCE $LG_TS"
	sf_head "${d}held" "$p/v1/$id" 423
	sf_curl PUT "$p/v1/$id"
	if lg_expect_lock "${d}held: PUT 200 lock refreshed, own ttl" 200 true \
	    "lock refreshed" "$id" 30.0; then
		lg_is "${d}refresh keeps the fence" "$f" "$LG_FENCE"
		lg_is "${d}refresh keeps the timestamp" "$ts" "$LG_TS"
	fi
	sf_curl PUT "$p/v1/$id?ttl=45"
	lg_expect_lock "${d}held: PUT ?ttl=45 (query): 200, ttl 45" 200 true \
	    "lock refreshed" "$id" 45.0
	sf_curl PUT "$p/v1/$id" "${LG_JSON[@]}" --data-binary '{"ttl": "50"}'
	lg_expect_lock "${d}held: PUT JSON {\"ttl\": \"50\"}: 200, ttl 50" 200 \
	    true "lock refreshed" "$id" 50.0
	sf_curl DELETE "$p/v1/$id"
	lg_expect_lock "${d}held: DELETE 200 lock has been removed" 200 false \
	    "lock has been removed" "$id" 50.0 &&
	    lg_is "${d}DELETE shows fence $f" "$f" "$LG_FENCE"
	sf_curl GET "$p/v1/$id"
	lg_expect "${d}after DELETE: GET 404" 404 "$LG_NOTFOUND"
	sf_curl DELETE "$p/v1/$id"
	lg_expect "${d}after DELETE: DELETE 404" 404 "$LG_NOTFOUND"

	# A new hold without a ttl, refreshed with a JSON number and with a
	# query ttl that beats the form's.
	sf_curl PUT "$p/v1/$id"
	if lg_expect_lock "${d}after DELETE: PUT without ttl: 201, ttl 60" 201 \
	    true "lock acquired" "$id" 60.0; then
		lg_is "${d}expires = timestamp + 60 s" 60000 "$((LG_EXP - LG_TS))"
		lg_cmp "${d}the new hold's fence is larger" "$LG_FENCE" -gt "$f"
	fi
	sf_curl PUT "$p/v1/$id" "${LG_JSON[@]}" --data-binary '{"ttl": 30}'
	lg_expect_lock "${d}held: PUT JSON {\"ttl\": 30}: 200, ttl 30" 200 true \
	    "lock refreshed" "$id" 30.0 &&
	    lg_expires_now "${d}refresh with {\"ttl\": 30}" 30
	sf_curl PUT "$p/v1/$id?ttl=40" -d ttl=45
	lg_expect_lock "${d}PUT ?ttl=40 with form ttl=45: the query wins" 200 \
	    true "lock refreshed" "$id" 40.0
	sf_curl GET "$p/v1/$id"
	lg_expect_lock "${d}GET after the refreshes: 423, ttl 40" 423 true \
	    "lock is active" "$id" 40.0
	[ -z "$SF_RECORDS" ] || sf_health "${d}one lock held: " "$p" 1
	sf_curl DELETE "$p/v1/$id"

	# Expired with the record still there (or already swept).
	sf_curl PUT "$p/v1/$id" -d ttl=0.2
	lg_expect_lock "${d}PUT ttl=0.2: 201" 201 true "lock acquired" "$id" 0.2
	sleep 0.5
	sf_curl GET "$p/v1/$id"
	case $LG_BODY in
	*'"lock has expired"'*)
		lg_expect_lock "${d}expired: GET 404 lock has expired" 404 \
		    false "lock has expired" "$id" 0.2
		;;
	*)
		lg_expect "${d}expired: GET 404" 404 "$LG_NOTFOUND"
		;;
	esac
	sf_curl PUT "$p/v1/$id" "${LG_JSON[@]}" --data-binary '{"ttl": 20}'
	lg_expect_lock "${d}expired: PUT JSON {\"ttl\": 20}: 201, a new hold" \
	    201 true "lock acquired" "$id" 20.0
	sf_curl DELETE "$p/v1/$id"

	# A JSON body sent chunked: the web server must pass its length, or
	# say that none came.
	id=$(lg_uuid)
	sf_curl PUT "$p/v1/$id" "${LG_JSON[@]}" \
	    -H 'Transfer-Encoding: chunked' --data-binary '{"ttl": 25}'
	if [ "$SF_CHUNKED" = 411 ]; then
		lg_expect "${d}PUT a chunked JSON body (no CONTENT_LENGTH in CGI): 411" \
		    411 '{"message": "Content-Length required"}'
		sf_curl GET "$p/v1/$id"
		lg_expect "${d}nothing stored by the 411" 404 "$LG_NOTFOUND"
	else
		lg_expect_lock "${d}PUT a chunked JSON body: 201" 201 true \
		    "lock acquired" "$id" 25.0
	fi
	o=$(lg_uuid)
	sf_curl PUT "$p/v1/$o?owner=me&ttl=10"
	lg_expect_lock "${d}PUT with an owner: 201 and a fence" 201 true \
	    "lock acquired" "$o" 10.0
	sf_curl DELETE "$p/v1/$o?owner=me"
	lg_expect_lock "${d}DELETE with the owner: 200 lock has been removed" \
	    200 false "lock has been removed" "$o" 10.0

	# Refused requests, all on one free lock: nothing is stored.
	bad=$(lg_uuid)
	sf_curl PUT "$p/v1/$bad" -d ttl=0
	lg_expect "${d}ttl=0: 400" 400 \
	    '{"message": {"ttl": "must be greater than 0"}}'
	sf_curl PUT "$p/v1/$bad" "${LG_JSON[@]}" --data-binary '{"ttl": 0}'
	lg_expect "${d}JSON ttl 0: 400" 400 \
	    '{"message": {"ttl": "must be greater than 0"}}'
	sf_curl PUT "$p/v1/$bad?tll=30"
	lg_expect "${d}unknown ?tll=30: 400" 400 \
	    '{"message": "Unknown arguments: tll"}'
	sf_curl PUT "$p/v1/$bad" -d tll=30
	lg_expect "${d}unknown form parameter tll=30: 400" 400 \
	    '{"message": "Unknown arguments: tll"}'
	sf_curl PUT "$p/v1/$bad" "${LG_JSON[@]}" --data-binary '{"ttl": 30'
	lg_like "${d}invalid JSON: 400 invalid JSON body" \
	    '^400 \{"message": "invalid JSON body: .+"\}'$'\n$' \
	    "$LG_STATUS $LG_BODY"
	printf '{"ttl": 30, "x": "%16400s"}' '' >"$LG_TMP/big.json"
	sf_curl PUT "$p/v1/$bad" "${LG_JSON[@]}" --data-binary "@$LG_TMP/big.json"
	lg_expect "${d}a body over 16 KiB: 413" 413 "$LG_TOOBIG"
	printf '%16385s' '' >"$LG_TMP/big"
	sf_curl PUT "$p/v1/$bad" "${LG_JSON[@]}" --data-binary "@$LG_TMP/big"
	lg_expect "${d}a 16385-byte body: 413" 413 "$LG_TOOBIG"
	sf_curl GET "$p/v1/$bad"
	lg_expect "${d}nothing stored by the refused requests" 404 \
	    "$LG_NOTFOUND"

	sf_curl POST "$p/v1/$id" -d ''
	lg_expect "${d}POST /v1/<uuid>: 405" 405 "$LG_NOMETHOD"
	lg_expect_hdr "${d}POST /v1/<uuid>: Allow" Allow "$LG_ALLOW_LOCK"
	sf_curl GET "$p/v1/not-a-uuid"
	lg_expect "${d}GET /v1/not-a-uuid: 404" 404 "$LG_BADPATH"
	sf_curl OPTIONS "$p/v1/$id" -H 'Origin: https://app.example' \
	    -H 'Access-Control-Request-Method: PUT'
	lg_is "${d}OPTIONS preflight: 204 with Allow" "204|$LG_ALLOW_LOCK|" \
	    "$LG_STATUS|$(lg_hdr Allow)|$LG_BODY"
	sf_curl DELETE "$p/v1/$id"
}

# sf_created DESC KEY: the last answer is a POST /locks's 200 with an id
# and the key KEY (a pattern: $LG_KEY_RE for a generated one), with the
# standard headers. Sets ID and KEY, and counts the record in SF_RECORDS;
# returns 1 when the answer differs.
sf_created()
{
	local re="^\\{\"lockId\":\"($LG_ULID_RE)\",\"lockKey\":\"($2)\"\\}\$"

	ID="" KEY=""
	if [[ $LG_BODY =~ $re ]]; then
		ID=${BASH_REMATCH[1]} KEY=${BASH_REMATCH[2]}
		[ -z "$SF_RECORDS" ] || SF_RECORDS=$((SF_RECORDS + 1))
		lg_expect_ct "$1: 200 {\"lockId\":...,\"lockKey\":...}" 200 \
		    application/json "{\"lockId\":\"$ID\",\"lockKey\":\"$KEY\"}"
		return
	fi
	lg_not_ok "$1: 200 {\"lockId\":...,\"lockKey\":...}" \
	    "200 a match for /$re/" "$LG_STATUS $LG_BODY"
	return 1
}

# surface_lss P [DESC]: the LSS calls under the prefix P. Leaves four
# records behind (SF_RECORDS counts them).
surface_lss()
{
	local p=$1 d=${2:+$2: } id key ID KEY

	sf_curl POST "$p/locks" -d ''
	sf_created "${d}LSS POST /locks" "$LG_KEY_RE" || return
	id=$ID key=$KEY
	sf_curl GET "$p/locks/$id"
	lg_expect_ct "${d}LSS GET unlocked after POST: 204, empty" 204 \
	    "<absent>" ""
	lg_raw HEAD "$p/locks/$id" ${SF_TOKEN:+"Authorization: Bearer $SF_TOKEN"}
	lg_expect_ct "${d}LSS HEAD unlocked: 204, no body" 204 "<absent>" ""
	sf_curl PATCH "$p/locks/$id/lock?k=$key"
	lg_expect_ct "${d}LSS PATCH lock: 204" 204 "<absent>" ""
	sf_curl GET "$p/locks/$id"
	lg_expect_ct "${d}LSS GET locked: 423, empty" 423 "<absent>" ""
	sf_curl GET "$p/locks/${id^^}"
	lg_expect_ct "${d}LSS GET with the id in upper case: 423" 423 \
	    "<absent>" ""
	lg_raw HEAD "$p/locks/$id" ${SF_TOKEN:+"Authorization: Bearer $SF_TOKEN"}
	lg_expect_ct "${d}LSS HEAD locked: 423, no body" 423 "<absent>" ""
	sf_curl PATCH "$p/locks/$id/unlock?k=wrong"
	lg_expect_ct "${d}LSS PATCH unlock, wrong key: 401" 401 "$LG_TEXT_CT" \
	    "$LG_BADKEY"
	sf_curl PATCH "$p/locks/$id/unlock?k=$key"
	lg_expect_ct "${d}LSS PATCH unlock: 204" 204 "<absent>" ""
	sf_curl GET "$p/locks/$id"
	lg_expect_ct "${d}LSS GET unlocked: 204" 204 "<absent>" ""
	sf_curl PATCH "$p/locks/$id/lock?k=$key&nx=1"
	lg_expect_ct "${d}LSS PATCH lock nx=1 on an unlocked lock: 204" 204 \
	    "<absent>" ""
	sf_curl PATCH "$p/locks/$id/lock?k=$key&nx=1"
	lg_expect_ct "${d}LSS PATCH lock nx=1 again: 423" 423 "<absent>" ""
	sf_curl PATCH "$p/locks/$id/lock?k=$key&e=60"
	lg_expect_ct "${d}LSS PATCH lock with e=60: 204" 204 "<absent>" ""
	sf_curl GET "$p/locks/$LG_UNKNOWN"
	lg_expect_ct "${d}LSS GET unknown id: 404 Lock not found" 404 \
	    "$LG_TEXT_CT" "$LG_NOLOCK"

	# Created locked: l=true in the query, with a generated key, with
	# the key in the query, with the key in a form body.
	sf_curl POST "$p/locks?l=true" -d ''
	if sf_created "${d}LSS POST /locks?l=true" "$LG_KEY_RE"; then
		sf_curl GET "$p/locks/$ID"
		lg_expect_ct "${d}LSS created locked: GET 423" 423 "<absent>" ""
	fi
	sf_curl POST "$p/locks/?l=true&k=my-key" -d ''
	if sf_created "${d}LSS POST /locks/?l=true&k=my-key" my-key; then
		sf_curl GET "$p/locks/$ID"
		lg_expect_ct "${d}LSS created locked with k=my-key: GET 423" 423 \
		    "<absent>" ""
	fi
	sf_curl POST "$p/locks/" -d 'k=my-own-key'
	sf_created "${d}LSS POST /locks/ with a form key" my-own-key

	sf_curl DELETE "$p/locks/$id"
	lg_expect_ct "${d}LSS DELETE /locks/<id>: 405" 405 "$LG_TEXT_CT" \
	    "Method Not Allowed"
	lg_expect_hdr "${d}LSS DELETE: Allow" Allow "GET, HEAD, OPTIONS"
	sf_curl GET "$p/locks"
	lg_expect_ct "${d}LSS GET /locks: 405" 405 "$LG_TEXT_CT" \
	    "Method Not Allowed"
	lg_expect_hdr "${d}LSS GET /locks: Allow" Allow "POST, OPTIONS"
}

# surface_all P [DESC]: both surfaces under the prefix P.
surface_all()
{
	lg_note "${2:+$2: }getlock surface under '${1:-/}'"
	surface_getlock "$@"
	lg_note "${2:+$2: }LSS surface under '${1:-/}'"
	surface_lss "$@"
}
