#!/bin/bash
# tests/e2e/hostile.sh: hostile input (doc/API.md section 0: "No request ever
# crashes the process": bad UUIDs, bad JSON, invalid UTF-8,
# huge bodies, deep nesting) sent three ways: through a real lighttpd with
# 2 responders, to the program run as plain CGI (where what lighttpd
# filters out still arrives), and over FastCGI with cgi-fcgi. Each input
# gets its exact 4xx answer (or the web server's own refusal), nothing is
# ever stored (the health "records" count stays 0), the responders keep
# their pids, and no log gets an error line.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init curl lighttpd jq cgi-fcgi timeout
lg_start_lighttpd 2

# Backend branch: on etcd (etcd-suites.sh sets LG_ETCD_ENDPOINTS) the
# program run as CGI and over FastCGI below is given the store of the
# servers (the cluster, and etcd_pair_start's key prefix for this
# LOCKGATE_DB), so that it answers from the same store and "nothing
# stored" (asked of the servers) covers its runs too; on LMDB the shared
# LOCKGATE_DB is that store. STORE_ENV: NAME=VALUE words for lg_cgi and env.
STORE_ENV=()
if [ -n "${LG_ETCD_ENDPOINTS:-}" ]; then
	STORE_ENV=(LOCKGATE_STORE=etcd
	    "LOCKGATE_ETCD_ENDPOINTS=$LG_ETCD_ENDPOINTS"
	    "LOCKGATE_ETCD_PREFIX=$LG_ETCD_PREFIX${LOCKGATE_DB##*/}/")
fi
# Backend branch: the logs of the responders (lighttpd's breakagelog) and
# lighttpd's error log. On etcd LG_RUN is the balancer's run directory and
# each server behind it keeps its own logs in its run directory
# (ETCD_SRV_RUN), joined to the balancer's only when the servers stop.
ERR_LOGS=("$LG_RUN/error.log")
FCGI_LOGS=("$LG_RUN/lockgate.log")
if [ -n "${LG_ETCD_ENDPOINTS:-}" ]; then
	for s in $ETCD_PAIR; do
		ERR_LOGS+=("${ETCD_SRV_RUN[$s]}/error.log")
		FCGI_LOGS+=("${ETCD_SRV_RUN[$s]}/lockgate.log")
	done
fi

ID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
ULID=01hvkab4t422rap18rwjs2prnm
NOTOBJ='{"message": "JSON body must be an object"}'
DEEP='{"message": "invalid JSON body: nesting too deep"}'
MANY='{"message": "too many parameters (limit 64)"}'
BADPCT='{"message": "invalid query string: bad percent-encoding"}'
NULNAME='{"message": "invalid query string: a name holds a NUL character"}'
SHORT='{"message": "request body shorter than its Content-Length"}'
FORM=(-H 'Content-Type: application/x-www-form-urlencoded')

# ttl_msg WHY, wait_msg WHY: getlock's {"message": {"<name>": WHY}}.
ttl_msg()
{
	printf '{"message": {"ttl": "%s"}}' "$1"
}
wait_msg()
{
	printf '{"message": {"wait": "%s"}}' "$1"
}

# repeat N TEXT: TEXT N times, no newline.
repeat()
{
	local s

	printf -v s '%*s' "$1" ''
	# Quoted: bash 5.2 would read a bare & in the replacement as the match.
	printf '%s' "${s// /"$2"}"
}

# stored DESC: nothing has been stored since the start.
stored()
{
	lg_is "$1: nothing stored (health records)" 0 "$(lg_records)"
}

# file NAME TEXT: writes TEXT (printf %b: \xff and friends interpreted,
# no newline added) to $LG_TMP/NAME.
file()
{
	printf '%b' "$2" >"$LG_TMP/$1"
}

# ---------------------------------------------------------------------------
# Through lighttpd

# hj DESC STATUS BODY METHOD PATH [CURL-ARGS...]: one request through
# lighttpd answered exactly STATUS and the JSON BODY, nothing stored.
hj()
{
	local d=$1 st=$2 body=$3 m=$4 p=$5

	shift 5
	lg_curl "$m" "$p" --path-as-is "$@"
	lg_expect "$d" "$st" "$body"
	stored "$d"
}

# ht DESC STATUS TEXT METHOD PATH [CURL-ARGS...]: the same for an LSS
# answer with a text body.
ht()
{
	local d=$1 st=$2 text=$3 m=$4 p=$5

	shift 5
	lg_curl "$m" "$p" --path-as-is "$@"
	lg_is "$d" "$st [$LG_TEXT_CT] $text" \
	    "$LG_STATUS [$(lg_hdr Content-Type)] $LG_BODY"
	stored "$d"
}

# hs DESC STATUS METHOD PATH [CURL-ARGS...]: refused by lighttpd itself
# with STATUS before it reaches lockgate; nothing stored.
hs()
{
	local d=$1 st=$2 m=$3 p=$4

	shift 4
	lg_curl "$m" "$p" --path-as-is "$@"
	lg_is "$d: lighttpd answers $st itself" "$st" "$LG_STATUS"
	stored "$d"
}

PIDS0=$(lg_responders | sort | tr '\n' ' ')
lg_cmp "2 responders before the hostile requests" \
    "$(echo "$PIDS0" | wc -w)" -eq 2
lg_is "no record before the hostile requests" 0 "$(lg_records)"

lg_note "lighttpd: bad and huge UUIDs and LSS ids"
hj "PUT /v1/not-a-uuid" 404 "$LG_BADPATH" PUT /v1/not-a-uuid
hj "PUT /v1/<35 hex digits>" 404 "$LG_BADPATH" PUT "/v1/${ID%?}"
hj "PUT /v1/<uuid>0 (37)" 404 "$LG_BADPATH" PUT "/v1/${ID}0"
hj "PUT /v1/<uuid without dashes, padded>" 404 "$LG_BADPATH" PUT \
    /v1/0f1e2d3c4b5a69788796a5b4c3d2e1f0abcd
hj "PUT /v1/<uuid with a g>" 404 "$LG_BADPATH" PUT "/v1/${ID%?}g"
hj "PUT /v1/{<uuid>}" 404 "$LG_BADPATH" PUT "/v1/%7B$ID%7D"
hj "PUT /v1/<uuid with UTF-8 é>" 404 "$LG_BADPATH" PUT "/v1/${ID%?}%C3%A9"
hj "PUT /v1/<4000 characters>" 404 "$LG_BADPATH" PUT "/v1/$(repeat 4000 a)"
hj "PUT /v1/<100 UUIDs>" 404 "$LG_BADPATH" PUT "/v1/$(repeat 100 "$ID")"
ht "GET /locks/<short id>" 404 "$LG_NOLOCK" GET /locks/01hvkab
ht "GET /locks/<ulid beyond 128 bits>" 404 "$LG_NOLOCK" GET \
    "/locks/8${ULID#?}"
ht "GET /locks/<ulid with a u>" 404 "$LG_NOLOCK" GET "/locks/${ULID%?}u"
ht "GET /locks/<5000 characters>" 404 "Not Found" GET "/locks/$(repeat 5000 a)"
ht "PATCH /locks/<bad id>/lock" 404 "$LG_NOLOCK" PATCH \
    "/locks/not-an-id/lock?k=x"
ht "PATCH /locks/<unknown id>/unlock" 404 "$LG_NOLOCK" PATCH \
    "/locks/$ULID/unlock?k=x"

lg_note "lighttpd: path tricks"
# lighttpd removes dot segments and merges slashes (RFC 3986 section 5.2.4)
# before lockgate sees the path: these name the lock, so only GET is safe.
hj "GET /v1/../v1/<uuid> (normalized by lighttpd)" 404 "$LG_NOTFOUND" \
    GET "/v1/../v1/$ID"
hj "GET /v1/%2e%2e/v1/<uuid> (normalized by lighttpd)" 404 "$LG_NOTFOUND" \
    GET "/v1/%2e%2e/v1/$ID"
hj "GET //v1//<uuid> (merged by lighttpd)" 404 "$LG_NOTFOUND" GET "//v1//$ID"
hj "PUT /v1/<uuid>/.. (that is /v1/)" 404 "$LG_BADPATH" PUT "/v1/$ID/.."
hj "PUT /v1/%2e%2e/<uuid> (that is /<uuid>)" 404 "$LG_NOPATH" PUT "/v1/%2e%2e/$ID"
hj "PUT /v1/<uuid>/" 404 "$LG_BADPATH" PUT "/v1/$ID/"
hj "PUT /v1/<uuid>/lock" 404 "$LG_BADPATH" PUT "/v1/$ID/lock"
hj "PUT /v1/<uuid>;x" 404 "$LG_BADPATH" PUT "/v1/$ID;x"
hj "PUT /v1/<uuid>%20" 404 "$LG_BADPATH" PUT "/v1/$ID%20"
hj "PUT /v1/<uuid>%2F" 404 "$LG_BADPATH" PUT "/v1/$ID%2F"
hj "PUT /v1/health/x" 404 "$LG_BADPATH" PUT /v1/health/x
hj "PUT /v1" 404 "$LG_BADPATH" PUT /v1
hj "PUT /v1health" 404 "$LG_NOPATH" PUT /v1health
hj "PUT /v1/%zz (bad escape kept by lighttpd)" 404 "$LG_BADPATH" PUT /v1/%zz
hs "PUT /v1/<uuid>%00" 400 PUT "/v1/$ID%00"
hs "PUT /v1/%00" 400 PUT /v1/%00

lg_note "lighttpd: query strings and parameters"
# lighttpd re-encodes a malformed escape in the query (%zz -> %25zz).
hj "?ttl=%zz (re-encoded by lighttpd)" 400 "$(ttl_msg "must be a number")" \
    PUT "/v1/$ID?ttl=%zz"
hj "?ttl=1&ttl=2" 400 '{"message": "duplicate parameter: ttl"}' \
    PUT "/v1/$ID?ttl=1&ttl=2"
hj "?owner=a&owner=b" 400 '{"message": "duplicate parameter: owner"}' \
    PUT "/v1/$ID?owner=a&owner=b"
hj "?ttl=1&t%74l=2 (same name once decoded)" 400 \
    '{"message": "duplicate parameter: ttl"}' PUT "/v1/$ID?ttl=1&t%74l=2"
hj "form ttl=1&ttl=2" 400 '{"message": "duplicate parameter: ttl"}' \
    PUT "/v1/$ID" "${FORM[@]}" --data-binary 'ttl=1&ttl=2'
hj "JSON {\"ttl\": 1, \"ttl\": 3600}" 400 \
    '{"message": "duplicate parameter: ttl"}' PUT "/v1/$ID" "${LG_JSON[@]}" \
    --data-binary '{"ttl": 1, "ttl": 3600}'
hj "JSON {\"ttl\\u0000x\": 5}" 400 \
    '{"message": "invalid JSON body: a name holds a NUL character"}' \
    PUT "/v1/$ID" "${LG_JSON[@]}" --data-binary '{"ttl\u0000x": 5}'
hj "?=1 (no name)" 400 \
    '{"message": "invalid query string: a parameter without a name"}' \
    PUT "/v1/$ID?=1"
LONG=$(repeat 7000 a)
hj "?<7000-character name>=1" 400 \
    "{\"message\": \"Unknown arguments: $(repeat 196 a)...\"}" \
    PUT "/v1/$ID?$LONG=1"
hs "?<70000-character name>=1" 431 PUT "/v1/$ID?$(repeat 70000 a)=1"
Q=""
for i in $(seq 0 64); do
	Q="$Q${Q:+&}a$i=1"
done
hj "65 parameters in the query" 400 "$MANY" PUT "/v1/$ID?$Q"
seq 0 2000 | sed 's/^/p/; s/$/=1/' | paste -sd'&' | head -c 16000 \
    >"$LG_TMP/many.form"
hj "a form body of 2000 parameters" 400 "$MANY" PUT "/v1/$ID" "${FORM[@]}" \
    --data-binary @"$LG_TMP/many.form"
hj "64 unknown names: the list is cut" 400 \
    "{\"message\": \"Unknown arguments: $(seq 0 41 | sed 's/^/a/' | paste -sd',' | sed 's/,/, /g' | head -c 196)...\"}" \
    PUT "/v1/$ID?${Q%&a64=1}"

lg_note "lighttpd: invalid UTF-8 and control characters"
file u1 '{"ttl": "\xff"}'
hj "JSON ttl \"\\xff\"" 400 "$(ttl_msg "must be a number")" PUT "/v1/$ID" \
    "${LG_JSON[@]}" --data-binary @"$LG_TMP/u1"
file u2 '{"owner": "a\xc0\xafb"}'
hj "JSON owner with an overlong UTF-8 /" 400 "$LG_BAD_OWNER" PUT "/v1/$ID" \
    "${LG_JSON[@]}" --data-binary @"$LG_TMP/u2"
file u3 '{"ow\xffner": "a"}'
hj "JSON name with \\xff" 400 '{"message": "Unknown arguments: ow\ufffdner"}' \
    PUT "/v1/$ID" "${LG_JSON[@]}" --data-binary @"$LG_TMP/u3"
file u4 '{"owner": "\xed\xa0\x80"}'
hj "JSON owner with an encoded surrogate" 400 "$LG_BAD_OWNER" PUT "/v1/$ID" \
    "${LG_JSON[@]}" --data-binary @"$LG_TMP/u4"
hj "form owner=%ff" 400 "$LG_BAD_OWNER" PUT "/v1/$ID" "${FORM[@]}" \
    --data-binary 'owner=%ff'
hj "form owner=a%01b" 400 "$LG_BAD_OWNER" PUT "/v1/$ID" "${FORM[@]}" \
    --data-binary 'owner=a%01b'
hj "form owner=a%0d%0ab" 400 "$LG_BAD_OWNER" PUT "/v1/$ID" "${FORM[@]}" \
    --data-binary 'owner=a%0d%0ab'
hj "JSON owner \"a\\u0000b\"" 400 "$LG_BAD_OWNER" PUT "/v1/$ID" "${LG_JSON[@]}" \
    --data-binary '{"owner": "a\u0000b"}'
hj "JSON owner \"a\\u007fb\"" 400 "$LG_BAD_OWNER" PUT "/v1/$ID" "${LG_JSON[@]}" \
    --data-binary '{"owner": "a\u007fb"}'
hj "JSON owner of 129 characters" 400 "$LG_BAD_OWNER" PUT "/v1/$ID" "${LG_JSON[@]}" \
    --data-binary "{\"owner\": \"$(repeat 129 a)\"}"
# json-c takes a raw TAB inside a string; the owner check refuses it.
file c1 '{"owner": "a\tb"}'
hj "JSON owner with a raw TAB" 400 "$LG_BAD_OWNER" PUT "/v1/$ID" \
    "${LG_JSON[@]}" --data-binary @"$LG_TMP/c1"
ht "POST /locks k=a%01b" 400 "$LG_KMSG" POST /locks "${FORM[@]}" \
    --data-binary 'k=a%01b'
ht "POST /locks k=a%7f" 400 "$LG_KMSG" POST /locks "${FORM[@]}" \
    --data-binary 'k=a%7f'
ht "POST /locks k=%ff%fe" 400 "$LG_KMSG" POST /locks "${FORM[@]}" \
    --data-binary 'k=%ff%fe'
ht "POST /locks k=a%0d%0aSet-Cookie:x" 400 "$LG_KMSG" POST /locks "${FORM[@]}" \
    --data-binary 'k=a%0d%0aSet-Cookie:x'
ht "POST /locks {\"k\": \"a\\u0000\"}" 400 "$LG_KMSG" POST /locks "${LG_JSON[@]}" \
    --data-binary '{"k": "a\u0000"}'
ht "POST /locks k of 256 characters" 400 "$LG_KMSG" POST /locks "${FORM[@]}" \
    --data-binary "k=$(repeat 256 k)"
# A malformed key is refused before the store is asked about the id.
ht "PATCH /locks/<id>/lock k=a%00" 400 "$LG_KMSG" PATCH \
    "/locks/$ULID/lock" "${FORM[@]}" --data-binary 'k=a%00'

lg_note "lighttpd: JSON that is not an object, deep nesting"
for b in '[]' '[1, 2]' '"x"' '1' '-0' 'null' 'true' '1e400'; do
	hj "JSON body $b" 400 "$NOTOBJ" PUT "/v1/$ID" "${LG_JSON[@]}" --data-binary "$b"
done
repeat 100000 '[' >"$LG_TMP/deep100k"
hj "100000 levels of [ (over the body cap)" 413 "$LG_TOOBIG" PUT "/v1/$ID" \
    "${LG_JSON[@]}" --data-binary @"$LG_TMP/deep100k"
repeat 16000 '[' >"$LG_TMP/deep16k"
hj "16000 levels of [" 400 "$DEEP" PUT "/v1/$ID" "${LG_JSON[@]}" \
    --data-binary @"$LG_TMP/deep16k"
repeat 2000 '{"a":' >"$LG_TMP/deepobj"
hj "2000 levels of {\"a\":" 400 "$DEEP" PUT "/v1/$ID" "${LG_JSON[@]}" \
    --data-binary @"$LG_TMP/deepobj"
hj "9 levels of [ inside a member" 400 "$DEEP" PUT "/v1/$ID" "${LG_JSON[@]}" \
    --data-binary '{"ttl": [[[[[[[[1]]]]]]]]}'

lg_note "lighttpd: numbers out of range"
for v in 1e400 -1e400; do
	hj "?ttl=$v" 400 "$(ttl_msg "must be a finite number")" PUT "/v1/$ID?ttl=$v"
done
for v in -0 0 -1 0.0000; do
	hj "?ttl=$v" 400 "$(ttl_msg "must be greater than 0")" PUT "/v1/$ID?ttl=$v"
done
for v in NaN nan Infinity inf -Infinity 0x10 1e 1..2 '' ; do
	hj "?ttl=$v" 400 "$(ttl_msg "must be a number")" PUT "/v1/$ID?ttl=$v"
done
hj "?ttl=99999999999999999999999" 400 "$(ttl_msg "must be at most 604800")" \
    PUT "/v1/$ID?ttl=99999999999999999999999"
for b in '{"ttl": 1e400}' '{"ttl": -1e400}'; do
	hj "JSON $b" 400 "$(ttl_msg "must be a finite number")" PUT "/v1/$ID" \
	    "${LG_JSON[@]}" --data-binary "$b"
done
hj "JSON {\"ttl\": -0}" 400 "$(ttl_msg "must be greater than 0")" PUT "/v1/$ID" \
    "${LG_JSON[@]}" --data-binary '{"ttl": -0}'
for b in NaN Infinity -Infinity '"NaN"' '[60]' '{"s": 60}' true null; do
	hj "JSON {\"ttl\": $b}" 400 "$(ttl_msg "must be a number")" PUT "/v1/$ID" \
	    "${LG_JSON[@]}" --data-binary "{\"ttl\": $b}"
done
hj "JSON {\"ttl\": 99999999999999999999999}" 400 \
    "$(ttl_msg "must be at most 604800")" PUT "/v1/$ID" "${LG_JSON[@]}" \
    --data-binary '{"ttl": 99999999999999999999999}'
for v in 0 -1 1001 1.5 1e3 99999999999999999999 +5 %205 0x5 ''; do
	hj "?owner=a&limit=$v" 400 "$LG_BAD_LIMIT" PUT "/v1/$ID?owner=a&limit=$v"
done
hs "?owner=a&limit=1%00x" 400 PUT "/v1/$ID?owner=a&limit=1%00x"
hj "JSON {\"limit\": 18446744073709551617}" 400 "$LG_BAD_LIMIT" PUT "/v1/$ID" \
    "${LG_JSON[@]}" --data-binary '{"owner": "a", "limit": 18446744073709551617}'
hj "JSON {\"limit\": \"1\\u0000x\"}" 400 "$LG_BAD_LIMIT" PUT "/v1/$ID" \
    "${LG_JSON[@]}" --data-binary '{"owner": "a", "limit": "1\u0000x"}'
hj "?owner=a&wait=1e400" 400 "$(wait_msg "must be a finite number")" \
    PUT "/v1/$ID?owner=a&wait=1e400"
hj "?owner=a&wait=99999999999999999999" 400 "$(wait_msg "must be at most 60")" \
    PUT "/v1/$ID?owner=a&wait=99999999999999999999"
hj "?owner=a&wait=-1" 400 "$(wait_msg "must be greater than 0")" \
    PUT "/v1/$ID?owner=a&wait=-1"
hj "?owner=a&wait=NaN" 400 "$(wait_msg "must be a number")" \
    PUT "/v1/$ID?owner=a&wait=NaN"
hj "GET ?wait=1e400" 400 "$(wait_msg "must be a finite number")" \
    GET "/v1/$ID?wait=1e400"
ht "POST /locks l=true&e=1e400" 400 "e must be a finite number" POST \
    "/locks?l=true&e=1e400" --data-binary ""
ht "POST /locks l=true&e=-0" 400 "e must be greater than 0" POST \
    "/locks?l=true&e=-0" --data-binary ""
ht "POST /locks l=true&e=NaN" 400 "e must be a number" POST \
    "/locks?l=true&e=NaN" --data-binary ""

lg_note "lighttpd: bodies over the cap, cut short"
printf '{"ttl": 30}%*s' 16374 '' >"$LG_TMP/b16385"
hj "a 16385-byte body" 413 "$LG_TOOBIG" PUT "/v1/$ID" "${LG_JSON[@]}" \
    --data-binary @"$LG_TMP/b16385"
head -c 900000 /dev/zero | tr '\0' ' ' >"$LG_TMP/b900k"
hj "a 900 KB body" 413 "$LG_TOOBIG" PUT "/v1/$ID" "${LG_JSON[@]}" \
    --data-binary @"$LG_TMP/b900k"
head -c 2000000 /dev/zero | tr '\0' ' ' >"$LG_TMP/b2m"
hs "a 2 MB body (lighttpd's own limit)" 413 PUT "/v1/$ID" "${LG_JSON[@]}" \
    --data-binary @"$LG_TMP/b2m"
# A client that promises 100 bytes, sends 11 and goes away: lighttpd
# buffers request bodies, so nothing reaches lockgate.
(
	exec 3<>"/dev/tcp/127.0.0.1/$LG_PORT" || exit 1
	printf 'PUT /v1/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ttl": 30}' "$ID" >&3
	sleep 0.3
) 2>/dev/null
stored "a body shorter than its Content-Length, client gone"

lg_note "lighttpd: methods"
hs "FOO /v1/<uuid>" 501 FOO "/v1/$ID"
hs "a 3000-character method" 501 "$(repeat 3000 A)" "/v1/$ID"
hj "POST /v1/<uuid>" 405 "$LG_NOMETHOD" POST "/v1/$ID" -d ttl=30
lg_expect_hdr "POST /v1/<uuid>: Allow" Allow "$LG_ALLOW_LOCK"
hj "PATCH /v1/<uuid>" 405 "$LG_NOMETHOD" PATCH "/v1/$ID"
hj "PUT /v1/health" 405 "$LG_NOMETHOD" PUT /v1/health
ht "DELETE /locks/<id>" 405 "Method Not Allowed" DELETE "/locks/$ULID"

lg_is "lighttpd still runs" yes "$(lg_alive "$LG_HTTPD_PID" && echo yes)"
lg_is "the same responder pids after the hostile requests" "$PIDS0" \
    "$(lg_responders | sort | tr '\n' ' ')"

# ---------------------------------------------------------------------------
# The program run as CGI: what lighttpd filters out reaches it here.

LG_CGI_IN=/dev/null

# cj DESC STATUS BODY NAME=VALUE...: one CGI run answered exactly STATUS
# and the JSON BODY, exit 0, nothing on stderr, nothing stored.
cj()
{
	local d=$1 st=$2 body=$3

	shift 3
	lg_cgi "${STORE_ENV[@]}" "$@"
	lg_cgi_expect "$d" "$st" "$body"
	lg_is "$d: exit 0, nothing on stderr" "0|" "$LG_RC|$LG_ERR"
	stored "$d"
}

# ct DESC STATUS TEXT NAME=VALUE...: the same for an LSS text answer.
ct()
{
	local d=$1 st=$2 text=$3

	shift 3
	lg_cgi "${STORE_ENV[@]}" "$@"
	lg_is "$d" "Status: $st $(lg_reason "$st") [$LG_TEXT_CT] $text" \
	    "$LG_STATUSLINE [$(lg_hdr Content-Type)] $LG_BODY"
	lg_is "$d: exit 0, nothing on stderr" "0|" "$LG_RC|$LG_ERR"
	stored "$d"
}

# body NAME: the next CGI stdin is $LG_TMP/NAME; SIZE is its size.
SIZE=0
body()
{
	LG_CGI_IN=$LG_TMP/$1
	SIZE=$(stat -c %s "$LG_TMP/$1")
}

lg_note "CGI: paths as a server that normalizes nothing passes them"
cj "PATH_INFO /v1/../v1/<uuid>" 404 "$LG_BADPATH" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/../v1/$ID"
cj "PATH_INFO /v1/%2e%2e/<uuid> (literal)" 404 "$LG_BADPATH" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/%2e%2e/$ID"
cj "PATH_INFO /v1//<uuid>" 404 "$LG_BADPATH" REQUEST_METHOD=PUT \
    PATH_INFO="/v1//$ID"
cj "PATH_INFO /v1/<uuid>/" 404 "$LG_BADPATH" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID/"
cj "PATH_INFO /v1/<uuid>%00 (literal)" 404 "$LG_BADPATH" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID%00"
cj "PATH_INFO /v1/<uuid> and a newline" 404 "$LG_BADPATH" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID"$'\n'
cj "PATH_INFO /v1/<uuid>\\xff" 404 "$LG_BADPATH" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID"$'\xff'
cj "PATH_INFO of 100000 slashes" 404 "$LG_NOPATH" REQUEST_METHOD=PUT \
    PATH_INFO="$(repeat 100000 /)"
cj "REQUEST_URI /v1/%2e%2e/v1/<uuid>" 404 "$LG_BADPATH" REQUEST_METHOD=PUT \
    REQUEST_URI="/v1/%2e%2e/v1/$ID"
cj "REQUEST_URI /v1/<uuid>%00" 400 '{"message": "malformed request path"}' \
    REQUEST_METHOD=PUT REQUEST_URI="/v1/$ID%00"
cj "REQUEST_URI /v1/%zz" 400 '{"message": "malformed request path"}' \
    REQUEST_METHOD=PUT REQUEST_URI="/v1/%zz"
cj "REQUEST_URI /v1/<uuid>%" 400 '{"message": "malformed request path"}' \
    REQUEST_METHOD=PUT REQUEST_URI="/v1/$ID%"
cj "REQUEST_URI /v1/<uuid>%4" 400 '{"message": "malformed request path"}' \
    REQUEST_METHOD=PUT REQUEST_URI="/v1/$ID%4?ttl=1"
ct "PATH_INFO /locks/<id with a control character>" 404 "$LG_NOLOCK" \
    REQUEST_METHOD=GET PATH_INFO="/locks/${ULID%?}"$'\x01'
ct "PATH_INFO /locks/<70 characters>" 404 "Not Found" \
    REQUEST_METHOD=GET PATH_INFO="/locks/$(repeat 70 a)"

lg_note "CGI: query strings lighttpd would refuse or rewrite"
cj "QUERY_STRING ttl=%zz" 400 "$BADPCT" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" QUERY_STRING='ttl=%zz'
cj "QUERY_STRING ttl=%" 400 "$BADPCT" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" QUERY_STRING='ttl=%'
cj "QUERY_STRING ttl=3%4" 400 "$BADPCT" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" QUERY_STRING='ttl=3%4'
cj "QUERY_STRING %g0=1" 400 "$BADPCT" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" QUERY_STRING='%g0=1'
cj "QUERY_STRING ttl%00junk=5" 400 "$NULNAME" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" QUERY_STRING='ttl%00junk=5'
cj "QUERY_STRING ttl%00a=5&ttl%00b=7" 400 "$NULNAME" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" QUERY_STRING='ttl%00a=5&ttl%00b=7'
cj "QUERY_STRING ttl=5%00" 400 "$(ttl_msg "must be a number")" \
    REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" QUERY_STRING='ttl=5%00'
cj "QUERY_STRING owner=a%00b" 400 "$LG_BAD_OWNER" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" QUERY_STRING='owner=a%00b'
cj "QUERY_STRING owner=a&limit=1%00x" 400 "$LG_BAD_LIMIT" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" QUERY_STRING='owner=a&limit=1%00x'
cj "QUERY_STRING owner=%ff" 400 "$LG_BAD_OWNER" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" QUERY_STRING='owner=%ff'
cj "QUERY_STRING owner=\\xff (raw)" 400 "$LG_BAD_OWNER" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" QUERY_STRING=$'owner=\xff'
cj "QUERY_STRING owner=a\\x01b (raw)" 400 "$LG_BAD_OWNER" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" QUERY_STRING=$'owner=a\x01b'
cj "QUERY_STRING ow%ffner=1" 400 \
    '{"message": "Unknown arguments: ow\ufffdner"}' REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" QUERY_STRING='ow%ffner=1'
cj "QUERY_STRING t%0all=1" 400 '{"message": "Unknown arguments: t\nll"}' \
    REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" QUERY_STRING='t%0all=1'
cj "QUERY_STRING ttl=1&ttl=1" 400 '{"message": "duplicate parameter: ttl"}' \
    REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" QUERY_STRING='ttl=1&ttl=1'
ct "QUERY_STRING k=a%00b on POST /locks" 400 "$LG_KMSG" REQUEST_METHOD=POST \
    PATH_INFO=/locks QUERY_STRING='k=a%00b'
ct "QUERY_STRING k=a%0ab on POST /locks" 400 "$LG_KMSG" REQUEST_METHOD=POST \
    PATH_INFO=/locks QUERY_STRING='k=a%0ab'
ct "QUERY_STRING l=true%00 on POST /locks" 400 \
    "l must be one of true, t, 1, yes, on, false, f, 0, no, off" \
    REQUEST_METHOD=POST PATH_INFO=/locks QUERY_STRING='l=true%00'
Q=$(seq 1 12000 | sed 's/^/a/; s/$/=1/' | paste -sd'&')
cj "QUERY_STRING of 12000 parameters (${#Q} bytes)" 400 "$MANY" \
    REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" QUERY_STRING="$Q"
cj "QUERY_STRING of one 100000-character name" 400 \
    "{\"message\": \"Unknown arguments: $(repeat 196 b)...\"}" \
    REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" QUERY_STRING="$(repeat 100000 b)"
cj "QUERY_STRING of 100000 ampersands" 404 "$LG_NOTFOUND" REQUEST_METHOD=GET \
    PATH_INFO="/v1/$ID" QUERY_STRING="$(repeat 100000 '&')"

lg_note "CGI: methods"
for m in FOO put Get "" "$(repeat 5000 A)" "PUT " "GET"$'\x01'; do
	cj "REQUEST_METHOD '${m:0:20}' (${#m} bytes)" 405 "$LG_NOMETHOD" \
	    REQUEST_METHOD="$m" PATH_INFO="/v1/$ID" QUERY_STRING=ttl=30
	lg_expect_hdr "REQUEST_METHOD '${m:0:20}': Allow" Allow "$LG_ALLOW_LOCK"
done

lg_note "CGI: bodies"
file short '{"ttl": 30}'
body short
cj "CONTENT_LENGTH 100, an 11-byte body" 400 "$SHORT" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" CONTENT_TYPE=application/json CONTENT_LENGTH=100
LG_CGI_IN=/dev/null
cj "CONTENT_LENGTH 5, no body" 400 "$SHORT" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" CONTENT_LENGTH=5
for cl in abc -1 ' 11' 11x 1e3 99999999999999999999; do
	LG_CGI_IN=$LG_TMP/short
	cj "CONTENT_LENGTH '$cl'" 400 '{"message": "malformed Content-Length"}' \
	    REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" \
	    CONTENT_TYPE=application/json CONTENT_LENGTH="$cl"
done
cj "CONTENT_LENGTH 1099511627776 (1 TiB)" 413 "$LG_TOOBIG" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" CONTENT_TYPE=application/json \
    CONTENT_LENGTH=1099511627776
body deep100k
cj "100000 levels of [ under LOCKGATE_MAX_BODY=200000" 400 "$DEEP" \
    REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" CONTENT_TYPE=application/json \
    CONTENT_LENGTH="$SIZE" LOCKGATE_MAX_BODY=200000
seq 1 200000 | sed 's/^/"a/; s/$/": 1/' | paste -sd',' | head -c 1000000 |
    sed 's/^/{/; s/,[^,]*$/}/' >"$LG_TMP/manyjson"
body manyjson
T0=$(lg_now_ms)
cj "a 1 MB JSON body of distinct names under LOCKGATE_MAX_BODY" 400 "$MANY" \
    REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" CONTENT_TYPE=application/json \
    CONTENT_LENGTH="$SIZE" LOCKGATE_MAX_BODY=2000000
T1=$(lg_now_ms)
lg_cmp "... answered in under 2 s (ms)" $((T1 - T0)) -lt 2000
file nul '{"ttl": 30}\0{"ttl": 99}'
body nul
cj "a JSON body with a NUL after the object" 400 \
    '{"message": "invalid JSON body: unexpected data after the value"}' \
    REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" CONTENT_TYPE=application/json \
    CONTENT_LENGTH="$SIZE"
file nul2 '{"ttl":\0 30}'
body nul2
cj "a JSON body with a NUL inside" 400 \
    '{"message": "invalid JSON body: unexpected end"}' \
    REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" CONTENT_TYPE=application/json \
    CONTENT_LENGTH="$SIZE"
file nul3 'ttl=30\0&ttl=99'
body nul3
cj "a form body with a NUL: read to its length" 400 \
    '{"message": "duplicate parameter: ttl"}' \
    REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" \
    CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH="$SIZE"
file utf '{"owner": "\xff\xfe"}'
body utf
cj "a JSON body with invalid UTF-8" 400 "$LG_BAD_OWNER" REQUEST_METHOD=PUT \
    PATH_INFO="/v1/$ID" CONTENT_TYPE=application/json \
    CONTENT_LENGTH="$SIZE"
LG_CGI_IN=/dev/null

# ---------------------------------------------------------------------------
# FastCGI over a socket with cgi-fcgi: a body cut short of its length.

lg_note "FastCGI: a body shorter than its Content-Length"
SOCK=$LG_TMP/hostile.sock
env "${STORE_ENV[@]}" "$LOCKGATE_FCGI" --listen "$SOCK" \
    2>"$LG_TMP/listen.err" </dev/null &
FPID=$!
LG_BG_PIDS="$LG_BG_PIDS $FPID"
n=100
while [ "$n" -gt 0 ] && [ ! -S "$SOCK" ]; do
	sleep 0.05
	n=$((n - 1))
done
if [ -S "$SOCK" ]; then
	lg_ok "lockgate.fcgi --listen $SOCK listens"
	LG_CGI_IN=$LG_TMP/short
	lg_fcgi "$SOCK" REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" \
	    CONTENT_TYPE=application/json CONTENT_LENGTH=100
	lg_cgi_expect "FastCGI: CONTENT_LENGTH 100, an 11-byte body" 400 "$SHORT"
	stored "FastCGI: a short body"
	LG_CGI_IN=/dev/null
	lg_fcgi "$SOCK" REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" \
	    QUERY_STRING='ttl%00x=5'
	lg_cgi_expect "FastCGI: ttl%00x=5" 400 "$NULNAME"
	lg_fcgi "$SOCK" REQUEST_METHOD=FOO PATH_INFO="/v1/$ID"
	lg_cgi_expect "FastCGI: method FOO" 405 "$LG_NOMETHOD"
	LG_CGI_IN=$LG_TMP/deep16k
	lg_fcgi "$SOCK" REQUEST_METHOD=PUT PATH_INFO="/v1/$ID" \
	    CONTENT_TYPE=application/json CONTENT_LENGTH=16000
	lg_cgi_expect "FastCGI: 16000 levels of [" 400 "$DEEP"
	LG_CGI_IN=/dev/null
	lg_fcgi "$SOCK" REQUEST_METHOD=GET PATH_INFO=/v1/health
	lg_cgi_expect "FastCGI: the responder still answers" 200 \
	    "{\"message\": \"okay\", \"version\": \"$(lg_version)\", \"records\": 0}"
	lg_is "FastCGI: the same process" yes "$(lg_alive "$FPID" && echo yes)"
	kill -TERM "$FPID" 2>/dev/null
	lg_wait_gone "$FPID" 5
	lg_is "FastCGI: nothing on its stderr" "" "$(cat "$LG_TMP/listen.err")"
else
	lg_not_ok "lockgate.fcgi --listen $SOCK listens" "a socket" \
	    "none; stderr: $(cat "$LG_TMP/listen.err")"
fi

# ---------------------------------------------------------------------------
lg_note "afterwards"

lg_is "no record was stored by any hostile request" 0 "$(lg_records)"
lg_is "lighttpd still runs" yes "$(lg_alive "$LG_HTTPD_PID" && echo yes)"
lg_is "the responders are the same processes as at the start" "$PIDS0" \
    "$(lg_responders | grep -vx "$FPID" | sort | tr '\n' ' ')"
lg_is "the responders wrote nothing to their log" "" \
    "$(cat "${FCGI_LOGS[@]}" 2>/dev/null)"
lg_is "lighttpd logged no backend trouble" "" \
    "$(grep -iE 'fastcgi|gw_backend|backend|died|exited|signal|abort|sanitizer|runtime error' \
    "${ERR_LOGS[@]}" 2>/dev/null)"
lg_true "lighttpd stops, and every responder with it" lg_stop_lighttpd

lg_finish
