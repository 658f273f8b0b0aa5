#!/bin/bash
# tests/e2e/subpath.sh: lockgate mounted under a sub-path of a real
# lighttpd with the shipped lighttpd/lockgate-subpath.conf (mkconf -m
# /lockgate): the getlock table and the LSS calls under /lockgate/ with
# exact answers, and that nothing outside the mount (/, /v1/..., /locks,
# /lockgatex/...) reaches lockgate.
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

lg_init curl lighttpd
LG_MOUNT=/lockgate
lg_start_lighttpd 2

# A fresh database: the walk checks the health count exactly and
# SF_RECORDS follows what it leaves.
SF_RECORDS=0
surface_all /lockgate

# not_lockgate DESC METHOD PATH: lighttpd answers by itself (its static
# 403, 404 or 405 page): no lockgate answer, no JSON, and the records
# under the mount are still exactly SF_RECORDS.
not_lockgate()
{
	local n

	lg_curl "$2" "$3"
	n=$(lg_records "$LG_URL/lockgate")
	if [[ $LG_STATUS =~ ^40[345]$ ]] &&
	    [ "$(lg_hdr Cache-Control)" = "<absent>" ] &&
	    [ "$(lg_hdr Content-Type)" != application/json ] &&
	    [ "$n" = "$SF_RECORDS" ]; then
		lg_ok "$1: $2 $3 is lighttpd's $LG_STATUS, not lockgate's; still $n records"
	else
		lg_not_ok "$1: $2 $3 is not served by lockgate, nothing stored" \
		    "lighttpd's own 403, 404 or 405; $SF_RECORDS records" \
		    "$LG_STATUS $(lg_hdr Content-Type) $LG_BODY; records: $n"
	fi
}

lg_note "outside the mount: lighttpd's, not lockgate's"
ID=$(lg_uuid)
lg_curl PUT "/lockgate/v1/$ID" -d ttl=60
lg_expect_lock "PUT /lockgate/v1/<uuid>: 201" 201 true "lock acquired" "$ID" 60.0
SF_RECORDS=$((SF_RECORDS + 1))
not_lockgate "the root" GET /
not_lockgate "/v1 at the root" GET "/v1/$ID"
not_lockgate "/v1 at the root" PUT "/v1/$(lg_uuid)"
not_lockgate "health at the root" GET /v1/health
not_lockgate "/locks at the root" GET /locks/00000000000000000000000000
not_lockgate "a prefix that only starts like the mount" GET "/lockgatex/v1/$ID"
not_lockgate "the mount without its slash" GET /lockgate
lg_curl GET "/lockgate/v1/$ID"
lg_expect_lock "the lock taken under the mount is still held" 423 true \
    "lock is active" "$ID" 60.0
lg_curl GET /lockgate/v1/health
lg_expect "health under the mount counts only what was made there: $SF_RECORDS records" \
    200 "{\"message\": \"okay\", \"version\": \"$(lg_version)\", \"records\": $SF_RECORDS}"
lg_curl GET /lockgate/
lg_is "GET /lockgate/: lockgate's home page" 200 "$LG_STATUS"
lg_like "the home page's curl lines carry the sub-path" \
    "curl -X PUT '$LG_URL/lockgate/v1/[0-9a-f-]{36}\\?ttl=60'" "$LG_BODY"
all=$(printf '%s' "$LG_BODY" | grep -c "curl .*$LG_URL/")
sub=$(printf '%s' "$LG_BODY" | grep -c "curl .*$LG_URL/lockgate/")
lg_is "every curl line of the home page ($all) has the sub-path" "$all" \
    "$([ "$all" -ge 5 ] && echo "$sub")"
lg_curl GET /lockgate/other
lg_expect "GET /lockgate/other: lockgate's 404" 404 "$LG_NOPATH"

lg_true "lighttpd and every responder stop on SIGTERM" lg_stop_lighttpd
lg_is "the responders' log has no line with error" "" \
    "$(grep -i error "$LG_RUN/lockgate.log" 2>/dev/null)"
lg_finish
