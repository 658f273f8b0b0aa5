#!/bin/bash
# tests/e2e/subpath.sh: lockgate mounted under a sub-path of a real
# lighttpd with the shipped lighttpd/lockgate-subpath.conf (mkconf -m
# /lockgate): the getlock table and the LSS calls under /lockgate/ with
# exact answers, and that nothing outside the mount (/, /v1/..., /locks,
# /lockgatex/...) reaches lockgate.
# shellcheck source-path=SCRIPTDIR source=lib.sh
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

surface_all /lockgate

# not_lockgate DESC METHOD PATH: lighttpd answers by itself (its static
# 403, 404 or 405 page): no lockgate answer, no JSON, nothing stored.
not_lockgate()
{
	lg_curl "$2" "$3"
	if [[ $LG_STATUS =~ ^40[345]$ ]] &&
	    [ "$(lg_hdr Cache-Control)" = "<absent>" ] &&
	    [ "$(lg_hdr Content-Type)" != application/json ]; then
		lg_ok "$1: $2 $3 is lighttpd's $LG_STATUS, not lockgate's"
	else
		lg_not_ok "$1: $2 $3 is not served by lockgate" \
		    "lighttpd's own 403, 404 or 405" \
		    "$LG_STATUS $(lg_hdr Content-Type) $LG_BODY"
	fi
}

lg_note "outside the mount: lighttpd's, not lockgate's"
ID=$(lg_uuid)
lg_curl PUT "/lockgate/v1/$ID" -d ttl=60
lg_expect_lock "PUT /lockgate/v1/<uuid>: 201" 201 true "lock acquired" "$ID" 60.0
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
lg_like "health under the mount counts only what was made there" \
    '^200 \{"message": "okay", "version": "[^"]+", "records": [0-9]+\}' \
    "$LG_STATUS $LG_BODY"
lg_curl GET /lockgate/
lg_is "GET /lockgate/: lockgate's home page" 200 "$LG_STATUS"
lg_like "the home page's curl lines carry the sub-path" \
    "curl -X PUT '$LG_URL/lockgate/v1/[0-9a-f-]{36}\\?ttl=60'" "$LG_BODY"
lg_curl GET /lockgate/other
lg_expect "GET /lockgate/other: lockgate's 404" 404 "$LG_NOPATH"

lg_true "lighttpd and every responder stop on SIGTERM" lg_stop_lighttpd
lg_is "the responders' log has no line with error" "" \
    "$(grep -i error "$LG_RUN/lockgate.log" 2>/dev/null)"
lg_finish
