#!/bin/bash
# tests/e2e/lss.sh: the LSS surface (doc/API.md sections 0 and 2) through a
# real lighttpd running 4 lockgate responders, spoken to with curl: POST
# /locks with every spelling of l, e and k and the exact compact answer;
# GET and HEAD (423, 204, 404, any case of the id, deadlines); PATCH lock
# and unlock (keys, 404 before 401, "lock forever", nx=1); 405 with Allow,
# unknown paths, the CORS preflight; the LSS page's own curl recipes
# (create, curl -I, curl -f, curl --retry until unlocked); then a second
# server with LOCKGATE_LSS_RETENTION=1 and a third with
# LOCKGATE_MAX_RECORDS=3.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init curl lighttpd jq timeout
lg_start_lighttpd 4

ALLOW_READ='GET, HEAD, OPTIONS'
ALLOW_CREATE='POST, OPTIONS'
ALLOW_PATCH='PATCH, OPTIONS'
CROCKFORD=0123456789abcdefghjkmnpqrstvwxyz
LMSG='l must be one of true, t, 1, yes, on, false, f, 0, no, off'

# ---------------------------------------------------------------------------
# Helpers

# expect_text DESC STATUS TEXT: a short text/plain answer, no newline.
expect_text()
{
	lg_expect_ct "$1" "$2" "$LG_TEXT_CT" "$3"
}

# expect_empty DESC STATUS: an answer without a body or a Content-Type.
expect_empty()
{
	lg_expect_ct "$1" "$2" "<absent>" ""
}

# ulid_ms ULID: prints the milliseconds in the first 10 characters.
ulid_ms()
{
	local s=$1 i c rest ms=0

	for ((i = 0; i < 10; i++)); do
		c=${s:i:1}
		rest=${CROCKFORD%%"$c"*}
		ms=$((ms * 32 + ${#rest}))
	done
	echo "$ms"
}

# urlenc TEXT: prints TEXT percent-encoded for a query (RFC 3986).
urlenc()
{
	jq -rn --arg s "$1" '$s | @uri'
}

# create DESC WANTKEY QUERY [FORM]: POST /locks?QUERY with the form body
# FORM (default empty: Content-Length 0). The answer must be 200 with the
# standard JSON headers and exactly {"lockId":"<ulid>","lockKey":"KEY"},
# where KEY is WANTKEY as JSON text, or a generated UUID v4 when WANTKEY is
# empty. Sets ID and KEY (the key as sent, from jq) on success, returns 1
# and leaves them empty otherwise.
ID=""
KEY=""
create()
{
	local d=$1 want=$2 q=${3:+?$3} form=${4:-} bad re

	ID=""
	KEY=""
	lg_curl POST "/locks$q" -d "$form"
	if [ -n "$want" ]; then
		re="^\\{\"lockId\":\"($LG_ULID_RE)\",\"lockKey\":\"(.*)\"\\}\$"
	else
		re="^\\{\"lockId\":\"($LG_ULID_RE)\",\"lockKey\":\"($LG_KEY_RE)\"\\}\$"
	fi
	if [[ $LG_BODY =~ $re ]]; then
		ID=${BASH_REMATCH[1]}
		[ -n "$want" ] || want=${BASH_REMATCH[2]}
		lg_check 200 application/json \
		    "{\"lockId\":\"$ID\",\"lockKey\":\"$want\"}"
		bad=$LG_BAD
	else
		lg_check 200 application/json "$LG_BODY"
		bad="body '$LG_BODY' does not match /$re/"$'\n'$LG_BAD
	fi
	if [ -n "$bad" ]; then
		lg_not_ok "$d: 200 {\"lockId\":...,\"lockKey\":...}" \
		    "200 {\"lockId\":\"<ulid>\",\"lockKey\":\"${want:-<uuid v4>}\"}" \
		    "$bad"
		ID=""
		return 1
	fi
	# The key as sent: JSON escapes only " and \ in printable ASCII.
	KEY=${want//\\\\/$'\001'}
	KEY=${KEY//\\\"/\"}
	KEY=${KEY//$'\001'/\\}
	lg_ok "$d: 200 {\"lockId\":\"$ID\",\"lockKey\":\"$want\"}"
	return 0
}

# state DESC ID WANT: GET /locks/ID is WANT: 423 or 204 with no body, or
# 404 "Lock not found".
state()
{
	lg_curl GET "/locks/$2"
	case $3 in
	404) expect_text "$1: GET 404 $LG_NOLOCK" 404 "$LG_NOLOCK" ;;
	*) expect_empty "$1: GET $3" "$3" ;;
	esac
}

# head_state DESC ID WANT: HEAD /locks/ID over a bare socket is WANT with the
# standard headers and not a byte of body.
head_state()
{
	lg_raw HEAD "/locks/$2"
	case $3 in
	404) lg_check "$3" "$LG_TEXT_CT" "" ;;
	*) lg_check "$3" "<absent>" "" ;;
	esac
	if [ -z "$LG_BAD" ]; then
		lg_ok "$1: HEAD $3, no body"
	else
		lg_not_ok "$1: HEAD $3, no body" "$3, no body" "$LG_BAD"
	fi
}

# patch DESC PATH WANT: PATCH /locks/PATH (with its query) answers WANT:
# 204 or 423 with no body, 401 "key is not valid", 404 "Lock not found".
patch()
{
	lg_curl PATCH "/locks/$2"
	case $3 in
	401) expect_text "$1: PATCH 401 $LG_BADKEY" 401 "$LG_BADKEY" ;;
	404) expect_text "$1: PATCH 404 $LG_NOLOCK" 404 "$LG_NOLOCK" ;;
	*) expect_empty "$1: PATCH $3" "$3" ;;
	esac
}

# Deadlines in the checks below (e=): long enough that a request made
# just after one is set is answered before it on a loaded machine, and
# each such check is judged only when it surely was.
E=2

# in_time BASE DESC: true when the last request ended less than E s after
# BASE (the clock just before the request that set an E s deadline), so
# the server surely saw it before that deadline; then the check is counted
# as a judged timing check. Else, on a machine too loaded to tell, DESC is
# a counted SKIP.
in_time()
{
	if [ $((LG_T1 - $1)) -lt $((E * 1000)) ]; then
		lg_timed
		return 0
	fi
	lg_skip "$2" "answered $((LG_T1 - $1)) ms after a $E s deadline was set: the server may have seen it after the deadline"
	return 1
}

# state_soon DESC ID WANT BASE: state, judged only when answered within
# E s of BASE (see in_time); returns 1 when not judged.
state_soon()
{
	lg_curl GET "/locks/$2"
	in_time "$4" "$1: GET $3" || return 1
	expect_empty "$1: GET $3" "$3"
}

# patch_soon DESC PATH WANT BASE: patch (WANT 204 or 423), judged only
# when answered within E s of BASE; returns 1 when not judged.
patch_soon()
{
	lg_curl PATCH "/locks/$2"
	in_time "$4" "$1: PATCH $3" || return 1
	expect_empty "$1: PATCH $3" "$3"
}

# past_ms MS: waits until the clock (the server's too: one machine) has
# passed MS.
past_ms()
{
	while [ "$(lg_now_ms)" -le "$1" ]; do sleep 0.02; done
}

# late_state DESC ID WANT: state, a timing check always judged (the
# deadlines it depends on are past by the clock).
late_state()
{
	lg_timed
	state "$@"
}

# bad_create DESC MESSAGE QUERY [FORM]: POST refused with 400 and the text
# MESSAGE, and the number of records is still NREC (set NREC=$(lg_records)
# before a run of these).
NREC=0
bad_create()
{
	local d=$1 msg=$2 q=$3 form=${4:-}

	lg_curl POST "/locks?$q" -d "$form"
	expect_text "$d: 400 $msg" 400 "$msg"
	lg_is "$d: nothing stored (still $NREC records)" "$NREC" "$(lg_records)"
}

# allow405 DESC METHOD PATH ALLOW: 405 "Method Not Allowed" with Allow.
allow405()
{
	# lighttpd wants a Content-Length on every POST (411 without).
	if [ "$2" = POST ]; then
		lg_curl "$2" "$3" -d ''
	else
		lg_curl "$2" "$3"
	fi
	expect_text "$1: $2 $3: 405" 405 "Method Not Allowed"
	lg_expect_hdr "$1: $2 $3: Allow: $4" Allow "$4"
}

# preflight DESC PATH ALLOW: OPTIONS answers 204 with Allow and
# Access-Control-Allow-Methods both ALLOW, no body.
preflight()
{
	lg_curl OPTIONS "$2" -H 'Origin: https://example.org' \
	    -H 'Access-Control-Request-Method: PATCH'
	expect_empty "$1: OPTIONS $2: 204" 204
	lg_is "$1: OPTIONS $2: Allow and Access-Control-Allow-Methods" \
	    "$3|$3" "$(lg_hdr Allow)|$(lg_hdr Access-Control-Allow-Methods)"
}

# stop_server DESC: stops lighttpd; no responder of this test is left and
# lighttpd's error log has no line with "error".
stop_server()
{
	lg_stopped "$1"
	lg_no_errors "$1: the error log has no line with 'error'" \
	    "$LG_RUN/error.log"
}

# ---------------------------------------------------------------------------
lg_note "POST /locks: the answer"

# An unlocked lock made first: near the end it must still be there (no
# retention by default).
if create "an old unlocked lock (for the retention check)" ""; then
	OLD=$ID
	OLD_T=$LG_T1
else
	OLD=$LG_UNKNOWN
	OLD_T=$(lg_now_ms)
fi

N0=$(lg_records)
if create "POST /locks" ""; then
	ID1=$ID KEY1=$KEY
	lg_like "the id's first character is at most 7 (128 bits)" '^[0-7]' "$ID1"
	ms=$(ulid_ms "$ID1")
	if [ "$ms" -ge $((LG_T0 - 50)) ] && [ "$ms" -le $((LG_T1 + 50)) ]; then
		lg_ok "the id's 48-bit time is the request's millisecond ($ms)"
	else
		lg_not_ok "the id's 48-bit time is the request's millisecond" \
		    "within [$LG_T0, $LG_T1]" "$ms"
	fi
	lg_like "the key is a lowercase UUID v4 (version 4, variant 10)" \
	    "^$LG_KEY_RE\$" "$KEY1"
	lg_is "one record more" "$((N0 + 1))" "$(lg_records)"
	state "a new lock without l" "$ID1" 204
else
	ID1=$LG_UNKNOWN KEY1=none
fi
create "POST /locks/ (trailing slash)" ""
ID2=${ID:-$LG_UNKNOWN} KEY2=${KEY:-none}
lg_true "two locks: different ids and different keys" \
    test "$ID1" != "$ID2" -a "$KEY1" != "$KEY2"
if [ -n "$ID" ]; then
	ms1=$(ulid_ms "$ID1")
	ms2=$(ulid_ms "$ID2")
	lg_cmp "the later id's time is not before the earlier's" "$ms2" -ge "$ms1"
fi

# The LSS page's create line. lighttpd (1.4.69, hard-coded for HTTP/1.x)
# answers 411 itself to a POST with no Content-Length, which is what a bare
# `curl -X POST URL` sends; README.md tells lighttpd users to add -d '' (an
# empty body, Content-Length: 0).
out=$(curl -s --max-time 10 -w '\n%{http_code}' -X POST -d '' "$LG_URL/locks")
code=${out##*$'\n'}
body=${out%$'\n'*}
lg_like "the LSS page's recipe 'curl -X POST -d \"\" URL/locks': 200 and the JSON" \
    "^200 \\{\"lockId\":\"$LG_ULID_RE\",\"lockKey\":\"$LG_KEY_RE\"\\}\$" \
    "$code $body"
out=$(curl -s --max-time 10 -w '\n%{http_code}' -X POST -d '' \
    "$LG_URL/locks?l=t&e=60")
code=${out##*$'\n'}
body=${out%$'\n'*}
lg_like "the LSS page's recipe 'curl -X POST -d \"\" URL/locks?l=t&e=60': 200" \
    "^200 \\{\"lockId\":\"$LG_ULID_RE\",\"lockKey\":\"$LG_KEY_RE\"\\}\$" \
    "$code $body"
if [[ $body =~ \"lockId\":\"($LG_ULID_RE)\" ]]; then
	state "created by the recipe with l=t&e=60" "${BASH_REMATCH[1]}" 423
fi

create "k=mykey in the query" mykey "k=mykey"
create "k=mykey in a form body" mykey "" "k=mykey"
if create "form body l=true&k=x" x "" "l=true&k=x"; then
	state "form body l=true&k=x" "$ID" 423
	patch "form body l=true&k=x: unlock with k=x" "$ID/unlock?k=x" 204
	state "form body l=true&k=x, unlocked" "$ID" 204
fi
# Any printable character: the key is JSON-escaped in the answer and
# works as given.
if create 'k=a"b\c d (quote, backslash, blank)' 'a\"b\\c d' \
    "k=a%22b%5Cc%20d"; then
	lg_is 'the key as sent is a"b\c d' 'a"b\c d' "$KEY"
	patch 'key a"b\c d locks' "$ID/lock?k=a%22b%5Cc%20d" 204
	state 'key a"b\c d locked' "$ID" 423
fi
printf -v K255 'k%.0s' {1..255}
if create "k of 255 characters" "$K255" "k=$K255"; then
	patch "k of 255 characters locks" "$ID/lock?k=$K255" 204
	state "k of 255 characters, locked" "$ID" 423
fi
# Every printable ASCII character, blank to tilde, once (95 characters).
printf -v ALL '\\%03o' {32..126}
# The format is the octal escapes just made: each becomes its character.
# shellcheck disable=SC2059
printf -v ALL "$ALL"
ALL_Q=$(urlenc "$ALL")
ALL_J=${ALL//\\/\\\\}
ALL_J=${ALL_J//\"/\\\"}
if create "k of all 95 printable characters" "$ALL_J" "k=$ALL_Q"; then
	lg_is "the key as sent is all 95 printable characters" "$ALL" "$KEY"
	patch "the 95-character key locks" "$ID/lock?k=$ALL_Q" 204
	state "the 95-character key locked" "$ID" 423
fi

# ---------------------------------------------------------------------------
lg_note "POST /locks: l, e and k"

for v in true t 1 yes on TRUE Yes T ON oN; do
	create "l=$v" "" "l=$v" && state "l=$v: locked" "$ID" 423
done
for v in false f 0 no off FALSE No F OFF; do
	create "l=$v" "" "l=$v" && state "l=$v: unlocked" "$ID" 204
done
create "l=true in a form body" "" "" "l=true" && state "form l=true" "$ID" 423
create "l=no in a form body" "" "" "l=no" && state "form l=no" "$ID" 204

NREC=$(lg_records)
bad_create "l=maybe" "$LMSG" "l=maybe"
bad_create "l= (empty)" "$LMSG" "l="
bad_create "l=2" "$LMSG" "l=2"
bad_create "l=truee" "$LMSG" "l=truee"
bad_create "l=maybe in a form body" "$LMSG" "" "l=maybe"

bad_create "e=0" "e must be greater than 0" "l=true&e=0"
bad_create "e=-1" "e must be greater than 0" "l=true&e=-1"
bad_create "e=abc" "e must be a number" "l=true&e=abc"
bad_create "e= (empty)" "e must be a number" "l=true&e="
bad_create "e=inf" "e must be a number" "l=true&e=inf"
bad_create "e=nan" "e must be a number" "l=true&e=nan"
bad_create "e=1e400" "e must be a finite number" "l=true&e=1e400"
bad_create "e=604801" "e must be at most 604800" "l=true&e=604801"
bad_create "e=604800.5" "e must be at most 604800" "l=true&e=604800.5"
bad_create "e=0 in a form body" "e must be greater than 0" "" "l=true&e=0"
create "e=604800 (the maximum)" "" "l=true&e=604800" &&
    state "e=604800" "$ID" 423
NREC=$(lg_records)

printf -v K256 'k%.0s' {1..256}
bad_create "k of 256 characters" "$LG_KMSG" "k=$K256"
bad_create "k= (empty)" "$LG_KMSG" "k="
bad_create "k with a DEL (%7F) in a form body" "$LG_KMSG" "" "k=a%7Fb"
bad_create "k with a control character (%01) in a form body" "$LG_KMSG" \
    "" "k=a%01b"
bad_create "k with a tab (%09) in a form body" "$LG_KMSG" "" "k=a%09b"
# In the query lighttpd itself refuses a control character or DEL
# (server.http-parseopts url-ctrls-reject, on by default) with its own HTML
# 400 before lockgate sees the request: the status is checked, not the body.
for c in 01 1f 7F; do
	lg_curl POST "/locks?k=a%${c}b" -d ''
	lg_is "k with %$c in the query: 400" 400 "$LG_STATUS"
done
lg_is "k with a control character in the query: nothing stored" \
    "$NREC" "$(lg_records)"
# A body over the 16 KiB cap (doc/API.md section 0): 413, nothing stored.
printf -v big 'k%.0s' {1..17000}
lg_curl POST /locks -d "k=$big"
lg_check 413 application/json "$LG_BODY"
lg_is "a 17000-byte form body: 413, JSON headers" "" "$LG_BAD"
lg_is "a 17000-byte form body: nothing stored" "$NREC" "$(lg_records)"

# ---------------------------------------------------------------------------
lg_note "GET and HEAD /locks/<id>"

if create "a locked lock" "" "l=1"; then
	LID=$ID LKEY=$KEY
	state "locked" "$LID" 423
	head_state "locked" "$LID" 423
	state "locked, id in upper case" "${LID^^}" 423
	head_state "locked, id in upper case" "${LID^^}" 423
	mixed=${LID:0:13}
	state "locked, id in mixed case" "${mixed^^}${LID:13}" 423
else
	LID=$LG_UNKNOWN LKEY=none
fi
if create "an unlocked lock" "" "l=0"; then
	UID_=$ID UKEY=$KEY
	state "unlocked" "$UID_" 204
	head_state "unlocked" "$UID_" 204
	state "unlocked, id in upper case" "${UID_^^}" 204
else
	UID_=$LG_UNKNOWN UKEY=none
fi
state "unknown valid ULID" "$LG_UNKNOWN" 404
head_state "unknown valid ULID" "$LG_UNKNOWN" 404
state "unknown valid ULID 7zzzzzzzzzzzzzzzzzzzzzzzzz" 7zzzzzzzzzzzzzzzzzzzzzzzzz 404
state "malformed id: 25 characters" "${LID:0:25}" 404
state "malformed id: 27 characters" "${LID}0" 404
state "malformed id: first character 8 (above 128 bits)" "8${LID:1}" 404
state "malformed id: a letter u" "${LID:0:25}u" 404
state "malformed id: a getlock UUID" "$(lg_uuid)" 404
state "malformed id: x" x 404

# ---------------------------------------------------------------------------
lg_note "PATCH lock and unlock: keys, 404 before 401"

patch "lock with the key" "$UID_/lock?k=$UKEY" 204
state "after lock" "$UID_" 423
patch "lock again (no nx): still 204" "$UID_/lock?k=$UKEY" 204
patch "unlock with the key" "$UID_/unlock?k=$UKEY" 204
state "after unlock: the record is kept" "$UID_" 204
head_state "after unlock" "$UID_" 204
patch "unlock again: 204" "$UID_/unlock?k=$UKEY" 204
state "still unlocked" "$UID_" 204
patch "lock through the upper-case id" "${UID_^^}/lock?k=$UKEY" 204
state "locked through the upper-case id" "$UID_" 423
patch "unlock through the upper-case id" "${UID_^^}/unlock?k=$UKEY" 204
state "unlocked through the upper-case id" "$UID_" 204

patch "lock, wrong key" "$UID_/lock?k=$LKEY" 401
state "lock with a wrong key changed nothing" "$UID_" 204
patch "lock, no k" "$UID_/lock" 401
patch "lock, key without its last character" "$UID_/lock?k=${UKEY%?}" 401
patch "lock, key with one character more" "$UID_/lock?k=${UKEY}0" 401
state "refused locks changed nothing" "$UID_" 204
patch "unlock, wrong key" "$LID/unlock?k=$UKEY" 401
patch "unlock, no k" "$LID/unlock" 401
state "refused unlocks changed nothing" "$LID" 423
patch "lock, a key given in upper case" "$UID_/lock?k=${UKEY^^}" 401

patch "lock, unknown id, wrong key" "$LG_UNKNOWN/lock?k=$UKEY" 404
patch "lock, unknown id, no key" "$LG_UNKNOWN/lock" 404
patch "unlock, unknown id, wrong key" "$LG_UNKNOWN/unlock?k=$UKEY" 404
patch "unlock, unknown id, no key" "$LG_UNKNOWN/unlock" 404
patch "lock, malformed id, no key" "nosuchlock/lock" 404
patch "unlock, malformed id, no key" "${LID:0:25}/unlock" 404

lg_curl PATCH "/locks/$UID_/lock?k=$UKEY&e=0"
expect_text "lock with e=0: 400" 400 "e must be greater than 0"
lg_curl PATCH "/locks/$UID_/lock?k=$UKEY&e=abc"
expect_text "lock with e=abc: 400" 400 "e must be a number"
state "refused e changed nothing" "$UID_" 204

# nx=1 on an unlocked lock: locks it.
patch "nx=1 on an unlocked lock" "$UID_/lock?k=$UKEY&nx=1" 204
state "nx=1 on an unlocked lock locked it" "$UID_" 423
patch "nx=1 on a locked lock: 423" "$UID_/lock?k=$UKEY&nx=1" 423
state "still locked after nx=1" "$UID_" 423
patch "nx=1 on a locked lock, wrong key: 401" "$UID_/lock?k=$LKEY&nx=1" 401
patch "nx=1 on an unknown id: 404" "$LG_UNKNOWN/lock?k=$UKEY&nx=1" 404
patch "unlock after nx" "$UID_/unlock?k=$UKEY" 204
state "unlocked after nx" "$UID_" 204

# ---------------------------------------------------------------------------
lg_note "deadlines (e=$E, looked at again once $E.3 s have passed)"

LAST=0
# D1: created locked with e=E.
if create "D1 l=true&e=$E" "" "l=true&e=$E"; then
	D1=$ID D1K=$KEY
	LAST=$LG_T1
	state_soon "D1 at once" "$D1" 423 "$LG_T0"
else
	D1=$LG_UNKNOWN D1K=none
fi
# D2: created unlocked, then PATCH lock e=E.
if create "D2 unlocked" ""; then
	D2=$ID D2K=$KEY
	patch "D2 lock with e=$E" "$D2/lock?k=$D2K&e=$E" 204
	LAST=$LG_T1
	state_soon "D2 at once" "$D2" 423 "$LG_T0"
else
	D2=$LG_UNKNOWN
fi
# D3: "lock forever" after a deadline: created l=true&e=E, then PATCH
# lock without e.
if create "D3 l=true&e=$E" "" "l=true&e=$E"; then
	D3=$ID D3K=$KEY
	patch "D3 lock without e (forever)" "$D3/lock?k=$D3K" 204
	LAST=$LG_T1
	state "D3 at once" "$D3" 423
else
	D3=$LG_UNKNOWN
fi
# D4: nx=1 leaves a locked lock and its deadline alone. Judged only when
# the nx requests came before the deadline (D4OK).
D4OK=0
if create "D4 unlocked" ""; then
	D4=$ID D4K=$KEY
	patch "D4 lock with e=$E" "$D4/lock?k=$D4K&e=$E" 204
	LAST=$LG_T1
	B=$LG_T0
	patch_soon "D4 nx=1 without e" "$D4/lock?k=$D4K&nx=1" 423 "$B" &&
	    patch_soon "D4 nx=1 with e=100" \
	    "$D4/lock?k=$D4K&nx=1&e=100" 423 "$B" &&
	    state_soon "D4 at once" "$D4" 423 "$B" && D4OK=1
else
	D4=$LG_UNKNOWN
fi
# D5: e without l is ignored: unlocked now and later.
if create "D5 e=$E without l" "" "e=$E"; then
	D5=$ID
	state "D5 at once" "$D5" 204
else
	D5=$LG_UNKNOWN
fi
# D6: unlock clears the deadline; a later lock without e is forever.
if create "D6 l=true&e=$E" "" "l=true&e=$E"; then
	D6=$ID D6K=$KEY
	patch "D6 unlock" "$D6/unlock?k=$D6K" 204
	state "D6 unlocked at once" "$D6" 204
	patch "D6 lock without e" "$D6/lock?k=$D6K" 204
	LAST=$LG_T1
	state "D6 at once" "$D6" 423
else
	D6=$LG_UNKNOWN
fi
# D7: a lock with e=60 then a lock with e=E: the new deadline replaces it.
if create "D7 l=true&e=60" "" "l=true&e=60"; then
	D7=$ID D7K=$KEY
	patch "D7 lock with e=$E" "$D7/lock?k=$D7K&e=$E" 204
	LAST=$LG_T1
	state_soon "D7 at once" "$D7" 423 "$LG_T0"
else
	D7=$LG_UNKNOWN
fi
# Every deadline was set before LAST: 0.3 s past LAST + E, all are over.
past_ms $((LAST + E * 1000 + 300))
late_state "D1 after its deadline: unlocked" "$D1" 204
head_state "D1 after its deadline" "$D1" 204
late_state "D2 after the deadline of its lock: unlocked" "$D2" 204
late_state "D3 locked forever: still locked after the old deadline" "$D3" 423
if [ "$D4OK" = 1 ]; then
	late_state "D4 nx=1 kept the deadline: unlocked" "$D4" 204
else
	lg_skip "D4 nx=1 kept the deadline: unlocked" \
	    "its nx=1 requests were not surely before the deadline"
fi
state "D5 e ignored without l: unlocked" "$D5" 204
late_state "D6 locked forever after unlock: still locked" "$D6" 423
late_state "D7 the new deadline replaced the old one: unlocked" "$D7" 204
patch "D1 past its deadline: nx=1 locks it" "$D1/lock?k=$D1K&nx=1" 204
state "D1 locked by nx=1, no deadline" "$D1" 423
if [ "$D4OK" = 1 ]; then
	patch "D4 past its deadline: nx=1 locks it again" \
	    "$D4/lock?k=$D4K&nx=1" 204
	state "D4 locked again by nx=1, no deadline" "$D4" 423
fi
patch "D3 unlock" "$D3/unlock?k=$D3K" 204
state "D3 unlocked" "$D3" 204

# ---------------------------------------------------------------------------
lg_note "405 with Allow, unknown paths, the CORS preflight"

allow405 "lock" DELETE "/locks/$LID" "$ALLOW_READ"
allow405 "lock" PUT "/locks/$LID" "$ALLOW_READ"
allow405 "lock" POST "/locks/$LID" "$ALLOW_READ"
allow405 "lock" PATCH "/locks/$LID" "$ALLOW_READ"
allow405 "create" GET /locks "$ALLOW_CREATE"
allow405 "create" GET /locks/ "$ALLOW_CREATE"
allow405 "create" DELETE /locks "$ALLOW_CREATE"
allow405 "create" PATCH /locks "$ALLOW_CREATE"
allow405 "lock action" POST "/locks/$LID/lock" "$ALLOW_PATCH"
allow405 "lock action" GET "/locks/$LID/lock" "$ALLOW_PATCH"
allow405 "unlock action" PUT "/locks/$LID/unlock" "$ALLOW_PATCH"
allow405 "unlock action" DELETE "/locks/$LID/unlock" "$ALLOW_PATCH"
state "405s changed nothing" "$LID" 423

lg_curl GET "/locks/$LID/other"
expect_text "GET /locks/<id>/other: 404" 404 "Not Found"
lg_curl PATCH "/locks/$LID/other?k=$LKEY"
expect_text "PATCH /locks/<id>/other: 404" 404 "Not Found"
lg_curl PATCH "/locks/$LID/lock/x?k=$LKEY"
expect_text "PATCH /locks/<id>/lock/x: 404" 404 "Not Found"
lg_curl GET "/locks/$LID/lock/x"
expect_text "GET /locks/<id>/lock/x: 404" 404 "Not Found"

preflight "create" /locks "$ALLOW_CREATE"
preflight "create" /locks/ "$ALLOW_CREATE"
preflight "lock" "/locks/$LID" "$ALLOW_READ"
preflight "lock action" "/locks/$LID/lock" "$ALLOW_PATCH"
preflight "unlock action" "/locks/$LID/unlock" "$ALLOW_PATCH"

# ---------------------------------------------------------------------------
lg_note "the LSS page's recipes"

URL="$LG_URL/locks/$LID"
first=$(curl -s -I --max-time 10 "$URL" | head -n 1 | tr -d '\r')
lg_is "curl -I URL while locked" "HTTP/1.1 423 Locked" "$first"
first=$(curl -s -X GET --max-time 10 "$URL" -I | head -n 1 | tr -d '\r')
lg_is "curl -X GET URL -I while locked" "HTTP/1.1 423 Locked" "$first"
curl -sf --max-time 10 "$URL" >/dev/null
lg_is "curl -sf URL while locked: exit 22" 22 "$?"
out=$(curl -s -X GET --max-time 10 "$URL" -f && echo "there is no lock")
lg_is "curl -X GET URL -f && echo: nothing while locked" "" "$out"

first=$(curl -s -X PATCH --max-time 10 "$URL/unlock?k=$LKEY" -I |
    head -n 1 | tr -d '\r')
lg_is "curl -X PATCH URL/unlock?k=KEY -I" "HTTP/1.1 204 No Content" "$first"
first=$(curl -s -I --max-time 10 "$URL" | head -n 1 | tr -d '\r')
lg_is "curl -I URL while unlocked" "HTTP/1.1 204 No Content" "$first"
curl -sf --max-time 10 "$URL" >/dev/null
lg_is "curl -sf URL while unlocked: exit 0" 0 "$?"
out=$(curl -s -X GET --max-time 10 "$URL" -f && echo "there is no lock")
lg_is "curl -X GET URL -f && echo: 'there is no lock' while unlocked" \
    "there is no lock" "$out"
first=$(curl -s -X PATCH --max-time 10 "$URL/lock?k=$LKEY&e=60" -I |
    head -n 1 | tr -d '\r')
lg_is "curl -X PATCH URL/lock?k=KEY&e=60 -I" "HTTP/1.1 204 No Content" "$first"
first=$(curl -s -X PATCH --max-time 10 "$URL/lock?k=$LKEY" -I |
    head -n 1 | tr -d '\r')
lg_is "curl -X PATCH URL/lock?k=KEY -I (lock forever)" \
    "HTTP/1.1 204 No Content" "$first"
curl -sf --max-time 10 "$URL" >/dev/null
lg_is "curl -sf URL locked again: exit 22" 22 "$?"
curl -sf --max-time 10 "$LG_URL/locks/$LG_UNKNOWN" >/dev/null
lg_is "curl -sf on an unknown lock: exit 22" 22 "$?"

# A job waits for the gate with curl's own retry loop; another process
# unlocks it 2 s later.
t0=$(lg_now_ms)
timeout 30 curl --head --fail --silent --retry 10 --retry-delay 1 \
    --retry-all-errors "$URL" >"$LG_TMP/retry.out" 2>&1 &
RETRY=$!
LG_BG_PIDS="$LG_BG_PIDS $RETRY"
sleep 2
lg_true "the waiting curl is still running after 2 s" lg_alive "$RETRY"
( curl -s --max-time 10 -o /dev/null -X PATCH "$URL/unlock?k=$LKEY" ) &
wait $!
wait "$RETRY"
rc=$?
t1=$(lg_now_ms)
lg_is "curl --head --fail --retry 10 --retry-delay 1 --retry-all-errors: exit 0 once unlocked" \
    0 "$rc"
lg_cmp "it waited for the unlock (at least 2000 ms: $((t1 - t0)) ms)" \
    $((t1 - t0)) -ge 2000
lg_cmp "it ended within a few seconds of the unlock" $((t1 - t0)) -lt 10000

# ---------------------------------------------------------------------------
lg_note "no retention by default"

left=$((OLD_T + 1500 - $(lg_now_ms)))
[ "$left" -gt 0 ] && sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
for i in 1 2 3 4 5; do
	lg_curl PUT "/v1/$(lg_uuid)?ttl=0.1"
done
lg_is "a few writes for the sweeper" 201 "$LG_STATUS"
state "an unlocked lock $(($(lg_now_ms) - OLD_T)) ms old, after writes" \
    "$OLD" 204

stop_server "first server"

# ---------------------------------------------------------------------------
# Retention R s: A and B are made, then C; C is changed R/2 s later; the
# sweeping writes come once A, B and C's creation are R s old, R/2 s after
# C's change. Each check that depends on when the server saw a request
# is judged by the clock around it (one machine, one clock), else a
# counted SKIP.
R=3
lg_note "LOCKGATE_LSS_RETENTION=$R: locks unchanged for $R s are swept"

LOCKGATE_DB=$LG_TMP/db-retention
LOCKGATE_LSS_RETENTION=$R
export LOCKGATE_DB LOCKGATE_LSS_RETENTION
lg_start_lighttpd 4
create "retention: unlocked lock A" "" && RA=$ID || RA=$LG_UNKNOWN
create "retention: locked lock B" "" "l=true" && RB=$ID || RB=$LG_UNKNOWN
lg_is "retention: 2 records" 2 "$(lg_records)"
if create "retention: lock C" ""; then
	RC=$ID RCK=$KEY
else
	RC=$LG_UNKNOWN RCK=none
fi
CT0=$LG_T0 CT=$LG_T1
past_ms $((CT + R * 500))
lg_curl PATCH "/locks/$RC/lock?k=$RCK"
RCT=$LG_T0
if [ $((LG_T1 - CT0)) -lt $((R * 1000)) ]; then
	lg_timed
	expect_empty "retention: C locked $((RCT - CT)) ms after its creation (kept $R s from then)" 204
else
	lg_skip "retention: C locked before its $R s ran out" \
	    "the PATCH ended $((LG_T1 - CT0)) ms after C's creation began"
	RCT=0
fi
past_ms $((CT + R * 1000 + 100))
# Three writes (POST) from one curl process, so the sweeper runs.
codes=$(curl -s --max-time 10 -o /dev/null -o /dev/null -o /dev/null \
    -w '%{http_code} ' -X POST -d '' "$LG_URL/locks" "$LG_URL/locks" \
    "$LG_URL/locks")
now=$(lg_now_ms)
lg_is "retention: three new locks (writes, so the sweeper runs)" \
    "200 200 200 " "$codes"
late_state "retention: A, unchanged for more than $R s, swept" "$RA" 404
late_state "retention: B, locked, unchanged for more than $R s, swept" "$RB" 404
if [ "$RCT" -gt 0 ] && [ $((now - RCT)) -lt $((R * 1000)) ]; then
	lg_timed
	lg_is "retention: records are C and the 3 new ones" 4 "$(lg_records)"
	lg_curl GET "/locks/$RC"
	if [ $((LG_T1 - RCT)) -lt $((R * 1000)) ]; then
		lg_timed
		expect_empty "retention: C, changed $((LG_T1 - RCT)) ms ago, kept" 423
	else
		lg_skip "retention: C, changed less than $R s ago, kept" \
		    "the GET ended $((LG_T1 - RCT)) ms after C's change"
	fi
else
	lg_skip "retention: C, changed less than $R s before the writes, kept" \
	    "the writes ended $((now - RCT)) ms after C's change, or it was not changed"
fi
patch "retention: PATCH of a swept lock: 404" "$RA/lock?k=none" 404

stop_server "retention server"
unset LOCKGATE_LSS_RETENTION

# ---------------------------------------------------------------------------
lg_note "LOCKGATE_MAX_RECORDS=3: the 4th lock is refused with 507"

LOCKGATE_DB=$LG_TMP/db-full
LOCKGATE_MAX_RECORDS=3
export LOCKGATE_DB LOCKGATE_MAX_RECORDS
lg_start_lighttpd 4
create "full: lock 1 (unlocked)" "" && F1=$ID F1K=$KEY || F1=$LG_UNKNOWN
create "full: lock 2 (locked)" "" "l=true" && F2=$ID F2K=$KEY || F2=$LG_UNKNOWN
create "full: lock 3 (key k3)" k3 "k=k3" && F3=$ID || F3=$LG_UNKNOWN
lg_curl POST /locks -d ''
lg_expect "full: the 4th POST: 507 storage full" 507 \
    "$LG_FULL"
lg_curl POST "/locks?l=true&k=k4" -d ''
lg_expect "full: the 4th POST with l and k: 507 storage full" 507 \
    "$LG_FULL"
lg_is "full: still 3 records" 3 "$(lg_records)"
state "full: lock 1" "$F1" 204
state "full: lock 2" "$F2" 423
state "full: lock 3" "$F3" 204
head_state "full: lock 2" "$F2" 423
patch "full: lock 1 locks" "$F1/lock?k=${F1K:-none}" 204
state "full: lock 1 locked" "$F1" 423
patch "full: lock 2 unlocks" "$F2/unlock?k=${F2K:-none}" 204
state "full: lock 2 unlocked" "$F2" 204
patch "full: lock 3 locks with e=60" "$F3/lock?k=k3&e=60" 204
state "full: lock 3 locked" "$F3" 423
patch "full: lock 1 wrong key" "$F1/unlock?k=k3" 401
state "full: an unknown id" "$LG_UNKNOWN" 404

stop_server "full server"

lg_finish
