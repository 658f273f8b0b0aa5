#!/bin/bash
# tests/e2e/diskfull.sh: the database on a full filesystem (a 1 MiB tmpfs
# in a private mount namespace: unshare -m as root, unshare -rm otherwise;
# the map itself, 1 GiB, is far from full). Through lighttpd:
#   1. new locks until the filesystem is full: every answer is 201 or 507
#      storage full, never 503; every 201 is held, every 507 changed
#      nothing;
#   2. then GET, refresh and DELETE of held locks keep their exact answers;
#   3. after releases (the file keeps its size; its pages are reused), new
#      locks are accepted again;
#   4. the responders log nothing: the free space is watched, so no commit
#      fails for want of it.
# The namespace ends with the script, and the tmpfs with it.
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
if [ -z "${LG_NS:-}" ]; then
	export LG_NS=1
	shopt -s execfail
	if [ "$(id -u)" = 0 ]; then
		exec unshare -m --propagation private bash "$0" "$@"
	fi
	exec unshare -r -m --propagation private bash "$0" "$@"
	echo "not ok - unshare makes a private mount namespace (as root, or with user namespaces)"
	echo "0 passed, 1 failed"
	exit 1
fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init curl lighttpd jq mount umount
SMALL=$LG_TMP/small
mkdir "$SMALL"
mount -t tmpfs -o size=1m,mode=0700 lockgate-test "$SMALL" ||
    lg_bail "mount a 1 MiB tmpfs in the private namespace"
lg_ok "a 1 MiB tmpfs for the database"
trap 'umount "$SMALL" 2>/dev/null; lg_cleanup' EXIT
LOCKGATE_DB=$SMALL/db
LOCKGATE_SYNC=nosync
export LOCKGATE_DB LOCKGATE_SYNC
lg_start_lighttpd 2

# each METHOD QUERY OUT: METHOD of /v1/ID?QUERY for each id on stdin, one
# after another; status codes to OUT in the same order.
each()
{
	awk -v u="$LG_URL" -v q="$2" '{ printf "url = \"%s/v1/%s%s\"\noutput = \"/dev/null\"\n", u, $1, q }' \
	    >"$LG_TMP/each.cfg"
	curl -s --max-time 120 -H 'Expect:' -X "$1" -w '%{http_code}\n' \
	    -K "$LG_TMP/each.cfg" >"$3"
}

# ---------------------------------------------------------------------------
lg_note "1. new locks until the filesystem is full"
lg_lids 1 1 8000 >"$LG_TMP/ids"
each PUT "?ttl=600" "$LG_TMP/put1" <"$LG_TMP/ids"
lg_like "8000 new locks: only 201 and 507, never 503" \
    '^[0-9]+ 201, [0-9]+ 507$' "$(lg_codes "$LG_TMP/put1")"
lg_note "df: $(df -k "$SMALL" | tail -n 1)"
N=$(grep -c '^201$' "$LG_TMP/put1")
each GET "" "$LG_TMP/get1" <"$LG_TMP/ids"
lg_is "GET of each: 423 where the PUT was 201, 404 where it was 507" "" \
    "$(paste "$LG_TMP/put1" "$LG_TMP/get1" | grep -v -x -e '201	423' -e '507	404' | sort | uniq -c)"
lg_curl PUT "/v1/$(lg_uuid)"
lg_expect "a new lock now: 507 storage full" 507 "$LG_FULL"

# ---------------------------------------------------------------------------
lg_note "2. held locks on the full filesystem"
paste -d ' ' "$LG_TMP/ids" "$LG_TMP/put1" | awk '$2 == 201 { print $1 }' \
    >"$LG_TMP/held"
ID=$(head -n 1 "$LG_TMP/held")
lg_curl GET "/v1/$ID"
lg_expect_lock "GET of a held lock: 423" 423 true "lock is active" "$ID" 600.0
F=$LG_FENCE
lg_curl PUT "/v1/$ID?ttl=700"
lg_expect_lock "refresh: 200 lock refreshed, ttl 700" 200 true \
    "lock refreshed" "$ID" 700.0 && lg_is "... same fence" "$F" "$LG_FENCE"
head -n 200 "$LG_TMP/held" | tail -n 199 >"$LG_TMP/some"
each PUT "" "$LG_TMP/refresh" <"$LG_TMP/some"
lg_is "199 more refreshes: all 200" "199 200" "$(lg_codes "$LG_TMP/refresh")"
lg_curl DELETE "/v1/$ID"
lg_expect_lock "DELETE: 200 lock has been removed" 200 false \
    "lock has been removed" "$ID" 700.0
lg_curl GET "/v1/$ID"
lg_expect "GET after the DELETE: 404" 404 "$LG_NOTFOUND"

# ---------------------------------------------------------------------------
lg_note "3. released: room again"
tail -n +2 "$LG_TMP/held" >"$LG_TMP/rest"
each DELETE "" "$LG_TMP/del" <"$LG_TMP/rest"
lg_is "DELETE of the other $((N - 1)) held locks: all 200" "$((N - 1)) 200" \
    "$(lg_codes "$LG_TMP/del")"
lg_lids 2 1 1000 | each PUT "?ttl=600" "$LG_TMP/put2"
lg_is "1000 new locks: all 201" "1000 201" "$(lg_codes "$LG_TMP/put2")"
lg_curl GET /v1/health
lg_expect "/v1/health: 200 with 1000 records" 200 \
    "{\"message\": \"okay\", \"version\": \"$(lg_version)\", \"records\": 1000}"

# ---------------------------------------------------------------------------
lg_stopped
lg_is "the responders logged nothing (no 503, no failed commit)" "" \
    "$(cat "$LG_RUN/lockgate.log")"
lg_no_errors "lighttpd's error log has no error line" "$LG_RUN/error.log"
lg_finish
