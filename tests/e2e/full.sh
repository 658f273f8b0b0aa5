#!/bin/bash
# tests/e2e/full.sh: a full database, through lighttpd with a 1 MiB map:
#   1. new locks are refused with 507 once the map is nearly full, and from
#      then on every new lock is refused; GET, refresh (PUT of a held id)
#      and DELETE of held locks keep their exact answers, and so do
#      /v1/health and LSS reads;
#   2. a second lighttpd on the same database with a 2 MiB map grows it
#      (MDB_MAP_RESIZED for the first one once the file passes its map):
#      the first keeps answering, never 503, reports the new map size in
#      /metrics and accepts new locks again up to the new size;
#   3. after the locks are released or have expired and been swept by
#      ordinary writes, the records fall to 0 and new locks are accepted.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init curl lighttpd timeout
START_MS=$(lg_now_ms)
# This test is about space, not durability.
LOCKGATE_SYNC=nosync
LOCKGATE_MAP_SIZE=1M
export LOCKGATE_SYNC LOCKGATE_MAP_SIZE
lg_start_lighttpd 2
URL_A=$LG_URL

# runs FILE: the status codes in FILE as runs, "201x812 507x188".
runs()
{
	awk 'NR > 1 && $1 != p { printf "%s%sx%d", s, p, n; s = " "; n = 0 }
	    { p = $1; n++ }
	    END { if (NR) printf "%s%sx%d", s, p, n }' "$1"
}

# lid SERIES N: the lock id N of SERIES.
lid()
{
	printf '%08x-0000-4000-8000-%012x' "$1" "$2"
}

# puts URL SERIES FROM TO TTL_ODD TTL_EVEN OUT [CURL-ARGS]: PUT of the ids
# FROM..TO of SERIES, odd ones with TTL_ODD, even ones with TTL_EVEN; the
# status codes go to OUT, one a line.
puts()
{
	local url=$1 s=$2 i out=$7

	lg_lids "$s" "$3" "$4" | awk -v u="$url" -v o="$5" -v e="$6" -v a="$3" '
	    { printf "url = \"%s/v1/%s?ttl=%s\"\noutput = \"/dev/null\"\n",
	      u, $1, (a + NR - 1) % 2 ? o : e }' >"$LG_TMP/puts.cfg"
	shift 7
	curl -s --max-time 120 -H 'Expect:' -X PUT -w '%{http_code}\n' \
	    "$@" -K "$LG_TMP/puts.cfg" >"$out"
}
PAR=(--no-progress-meter --parallel --parallel-max 6)

# requests URL METHOD OUT ID...: METHOD of each /v1/ID over one connection;
# status codes to OUT.
requests()
{
	local url=$1 method=$2 out=$3 id

	shift 3
	for id in "$@"; do
		printf 'url = "%s/v1/%s"\noutput = "/dev/null"\n' "$url" "$id"
	done >"$LG_TMP/req.cfg"
	curl -s --max-time 120 -H 'Expect:' -X "$method" -w '%{http_code}\n' \
	    -K "$LG_TMP/req.cfg" >"$out"
}

# metric URL NAME: the value of NAME in URL/metrics ("?" if absent).
metric()
{
	curl -s --max-time 5 "$1/metrics" |
	    awk -v n="$2" '$1 == n { v = $2 } END { print v == "" ? "?" : v }'
}

# ---------------------------------------------------------------------------
lg_note "1. fill a 1 MiB map"

# Odd ids live 40 s (they expire before part 3), even ones 600 s.
SHORT=40
T=$(lg_now_ms)
puts "$URL_A" 1 1 12000 "$SHORT" 600 "$LG_TMP/fill1" "${PAR[@]}"
FILL_MS=$(($(lg_now_ms) - T))
lg_like "12000 new locks into a 1 MiB map, 6 at a time: only 201 and 507 ($FILL_MS ms)" \
    '^[0-9]+ 201, [0-9]+ 507$' "$(lg_codes "$LG_TMP/fill1")"
N1=$(grep -c '^201$' "$LG_TMP/fill1")
lg_cmp "at least 3000 locks fit into 1 MiB" "$N1" -ge 3000
# Which ids were granted: every one answered 201 is held, no other.
mapfile -t ids < <(lg_lids 1 1 12000)
requests "$URL_A" GET "$LG_TMP/held1" "${ids[@]}"
lg_is "GET of the 12000: a 423 for each 201, a 404 for each 507" \
    "$((12000 - N1)) 404, $N1 423" "$(lg_codes "$LG_TMP/held1")"
# That count holds only if no lock expired before its GET: the first
# was made after T and lives SHORT s.
lg_cmp "the fill and the GETs ended before the first lock could expire ($(($(lg_now_ms) - T)) ms < $((SHORT * 1000)))" \
    "$(lg_now_ms)" -lt $((T + SHORT * 1000))
HELD_EVEN=() HELD_ODD=()
i=0
while read -r c; do
	i=$((i + 1))
	[ "$c" = 423 ] || continue
	if [ $((i % 2)) = 0 ]; then
		HELD_EVEN+=("${ids[i - 1]}")
	else
		HELD_ODD+=("${ids[i - 1]}")
	fi
done <"$LG_TMP/held1"
puts "$URL_A" 1 12001 12100 600 600 "$LG_TMP/fill1b"
lg_is "then 100 more new locks one at a time: all 507" "100 507" \
    "$(lg_codes "$LG_TMP/fill1b")"
lg_is "map size in /metrics: 1 MiB" 1048576 "$(metric "$URL_A" lockgate_map_size_bytes)"

LAST=${HELD_EVEN[-1]}
lg_curl GET "/v1/$LAST"
lg_expect_lock "full: GET of a held lock: 423 lock is active" 423 true \
    "lock is active" "$LAST" 600.0
F=$LG_FENCE TS=$LG_TS
lg_curl HEAD "/v1/$LAST"
lg_is "full: HEAD of a held lock: 423" 423 "$LG_STATUS"
lg_curl PUT "/v1/$LAST"
lg_expect_lock "full: PUT of the held lock (refresh): 200 lock refreshed" \
    200 true "lock refreshed" "$LAST" 600.0 &&
    lg_is "full: the refresh keeps fence and timestamp" "$F $TS" \
    "$LG_FENCE $LG_TS"
lg_curl PUT "/v1/$LAST?ttl=700"
lg_expect_lock "full: refresh with a new ttl: 200, ttl 700" 200 true \
    "lock refreshed" "$LAST" 700.0
lg_curl PUT "/v1/$(lg_uuid)"
lg_expect "full: PUT of a new lock: 507 storage full" 507 "$LG_FULL"
lg_curl PUT "/v1/$(lg_uuid)?owner=tok-full&ttl=30&wait=30"
lg_expect "full: PUT of a new lock with owner and wait=30: 507" 507 "$LG_FULL"
lg_cmp "... at once, not after its 30 s wait ($((LG_T1 - LG_T0)) ms < 10000)" \
    $((LG_T1 - LG_T0)) -lt 10000
lg_curl GET "/v1/$(lg_uuid)"
lg_expect "full: GET of an unknown lock: 404" 404 "$LG_NOTFOUND"
lg_curl POST "/locks?l=true" -d ""
lg_expect "full: POST /locks (a new LSS lock): 507" 507 "$LG_FULL"
lg_curl GET /v1/health
lg_like "full: /v1/health: 200 okay with $N1 records" \
    "^200 \\{\"message\": \"okay\", .*\"records\": $N1\\}"$'\n$' \
    "$LG_STATUS $LG_BODY"
# A refresh of every one of 200 held locks, both kinds of ttl, and a
# DELETE of 100 of them: nothing but 200.
ids=("${HELD_EVEN[@]:0:100}" "${HELD_ODD[@]:0:100}")
requests "$URL_A" PUT "$LG_TMP/refresh" "${ids[@]}"
lg_is "full: 200 refreshes of held locks: all 200" "200 200" \
    "$(lg_codes "$LG_TMP/refresh")"
# The last refreshed is the short-lived lock that expires last: part 3
# waits for its expiry, as the server gives it.
lg_curl GET "/v1/${ids[199]}"
lg_expect_lock "full: the last refreshed short-lived lock: 423, ttl $SHORT" 423 \
    true "lock is active" "${ids[199]}" "$SHORT.0"
SHORT_END=${LG_EXP:-$((LG_T1 + SHORT * 1000))}
requests "$URL_A" DELETE "$LG_TMP/del1" "${ids[@]:0:100}"
lg_is "full: 100 DELETEs of held locks: all 200" "100 200" \
    "$(lg_codes "$LG_TMP/del1")"
requests "$URL_A" GET "$LG_TMP/get1" "${ids[@]:0:100}"
lg_is "full: GET of the 100 released locks: all 404" "100 404" \
    "$(lg_codes "$LG_TMP/get1")"
requests "$URL_A" GET "$LG_TMP/get2" "${ids[@]:100}"
lg_is "full: GET of the 100 others: all 423" "100 423" \
    "$(lg_codes "$LG_TMP/get2")"
lg_curl DELETE "/v1/$LAST"
lg_expect_lock "full: DELETE of the held lock: 200 lock has been removed" \
    200 false "lock has been removed" "$LAST" 700.0 &&
    lg_is "full: DELETE shows its fence" "$F" "$LG_FENCE"
lg_curl GET "/v1/$LAST"
lg_expect "full: GET after the DELETE: 404" 404 "$LG_NOTFOUND"
lg_is "full: nothing but 201, 507, 200, 404 and 423 (no 503 in the log)" "" \
    "$(grep -i ' 503$\|error' "$LG_RUN/lockgate.log")"

# grown_map_everywhere: every responder of A reports B's 2 MiB map within
# a few seconds. A request served while its process remaps, or within a
# second of that process's last look at the map (statistics look at most
# once a second), may still show the old size; the following ones show the
# new one.
grown_map_everywhere()
{
	local sizes=""

	for _ in 1 2 3 4 5; do
		lg_many GET /metrics 32
		sizes=$(cat "$LG_TMP"/many.[0-9]* |
		    awk '$1 == "lockgate_map_size_bytes" { print $2 }' | sort -u)
		[ "$sizes" = 2097152 ] && break
		sleep 1.1
	done
	lg_is "A: every responder then reports the grown map, 2 MiB" \
	    "2097152" "$sizes"
}

# ---------------------------------------------------------------------------
lg_note "2. a second lighttpd with a 2 MiB map grows the map"

RUN_A=$LG_RUN PORT_A=$LG_PORT HTTPD_A=$LG_HTTPD_PID
LOCKGATE_MAP_SIZE=2M
LG_HTTPD_PID=""
LG_BG_PIDS="$LG_BG_PIDS $HTTPD_A"
# Its own run directory (sockets, logs): lg_start_lighttpd uses
# $LG_TMP/run, so it runs with LG_TMP pointing one level down.
TMP=$LG_TMP
mkdir "$TMP/b"
LG_TMP=$TMP/b
lg_start_lighttpd 2
LG_TMP=$TMP
URL_B=$LG_URL HTTPD_B=$LG_HTTPD_PID RUN_B=$LG_RUN
LOCKGATE_MAP_SIZE=1M
lg_is "B reports a map of 2 MiB" 2097152 "$(metric "$URL_B" lockgate_map_size_bytes)"
puts "$URL_B" 2 1501 1510 600 600 "$LG_TMP/fill2a"
lg_is "B: 10 new locks: all 201" "10 201" "$(lg_codes "$LG_TMP/fill2a")"
SIZE=$(stat -c %s "$LOCKGATE_DB/data.mdb")
lg_cmp "data.mdb ($SIZE bytes) is still within A's 1 MiB map" "$SIZE" -le 1048576
# The map is 2 MiB now (its size is in the database), though the file
# has not outgrown A's map: A must take the new size.
puts "$URL_A" 3 1 10 600 600 "$LG_TMP/fill3a"
lg_is "A: 10 new locks: all 201" "10 201" "$(lg_codes "$LG_TMP/fill3a")"
LG_URL=$URL_A
lg_many GET /metrics 32
lg_is "A: 32 parallel GET /metrics: all 200" "32 200" \
    "$(lg_codes "$LG_TMP/many.codes")"
grown_map_everywhere
puts "$URL_B" 2 1 1500 600 600 "$LG_TMP/fill2" "${PAR[@]}"
lg_is "B: 1500 new locks: all 201" "1500 201" "$(lg_codes "$LG_TMP/fill2")"
SIZE=$(stat -c %s "$LOCKGATE_DB/data.mdb")
lg_cmp "data.mdb ($SIZE bytes) grew past A's 1 MiB map" "$SIZE" -gt 1048576

# A now meets a file larger than its map.
LG_URL=$URL_A
lg_many GET "/v1/$(lid 2 1500)" 64
lg_is "A: 64 parallel GETs of a lock B made: all 423" "64 423" \
    "$(lg_codes "$LG_TMP/many.codes")"
lg_many GET /v1/health 32
lg_is "A: 32 parallel GET /v1/health: all 200" "32 200" \
    "$(lg_codes "$LG_TMP/many.codes")"
lg_many GET /metrics 32
lg_is "A: 32 parallel GET /metrics: all 200" "32 200" \
    "$(lg_codes "$LG_TMP/many.codes")"
grown_map_everywhere
puts "$URL_A" 3 11 100 600 600 "$LG_TMP/fill3"
lg_is "A: 90 new locks: all 201" "90 201" "$(lg_codes "$LG_TMP/fill3")"
puts "$URL_A" 3 101 $((N1 * 3)) 600 600 "$LG_TMP/fill4" "${PAR[@]}"
lg_like "A: new locks up to the 2 MiB map: only 201 and 507" \
    '^[0-9]+ 201, [0-9]+ 507$' "$(lg_codes "$LG_TMP/fill4")"
N4=$(grep -c '^201$' "$LG_TMP/fill4")
lg_cmp "A: more than 1.5 times as many locks fit as in 1 MiB" \
    $((N1 + 1510 + 100 + N4)) -gt $((N1 * 3 / 2))
lg_curl PUT "/v1/$(lg_uuid)"
lg_expect "A full at 2 MiB: PUT of a new lock: 507" 507 "$LG_FULL"
LG_URL=$URL_B
lg_curl PUT "/v1/$(lg_uuid)"
lg_expect "B full at 2 MiB: PUT of a new lock: 507" 507 "$LG_FULL"
lg_curl GET "/v1/$(lid 3 1)"
lg_expect_lock "B: GET of a lock A made: 423" 423 true "lock is active" \
    "$(lid 3 1)" 600.0
kill -TERM "$HTTPD_B"
if lg_wait_gone "$HTTPD_B" 5; then
	lg_ok "B's lighttpd stopped"
else
	lg_not_ok "B's lighttpd stopped within 5 s"
fi
wait "$HTTPD_B" 2>/dev/null
n=20
while [ "$(lg_responders | wc -l)" -gt 2 ] && [ "$n" -gt 0 ]; do
	sleep 0.25
	n=$((n - 1))
done
lg_is "only A's 2 responders are left" 2 "$(lg_responders | wc -l)"
lg_is "B's logs have no error line" "" \
    "$(grep -i error "$RUN_B/error.log" "$RUN_B/lockgate.log")"
LG_HTTPD_PID=$HTTPD_A LG_RUN=$RUN_A LG_PORT=$PORT_A LG_URL=$URL_A

# ---------------------------------------------------------------------------
lg_note "3. released and swept: room again"

# Wait until the odd locks of series 1 have expired, the refreshed ones
# too (the clock is the server's: one machine).
while [ "$(lg_now_ms)" -le $((SHORT_END + 500)) ]; do sleep 0.2; done
# The even ones of series 1 not yet released, all of series 2, and series
# 3 (some of its ids got 507).
ids=("${HELD_EVEN[@]:100:${#HELD_EVEN[@]}-101}")
mapfile -t -O "${#ids[@]}" ids < <(lg_lids 2 1 1510; lg_lids 3 1 $((N1 * 3)))
requests "$URL_A" DELETE "$LG_TMP/del2" "${ids[@]}"
N3=$((N1 * 3 - 100 - N4))
lg_is "release the locks still held with a long ttl: 200 for each, 404 for the $N3 refused" \
    "$((${#ids[@]} - N3)) 200, $N3 404" "$(lg_codes "$LG_TMP/del2")"
# Each write sweeps up to 16 expired records.
for i in $(seq 1 $((N1 / 32 + 20))); do
	printf 'url = "%s/v1/%s"\noutput = "/dev/null"\n' "$URL_A" "$(lid 4 1)"
done >"$LG_TMP/sweep.cfg"
curl -s --max-time 60 -X PUT -w '%{http_code}\n' -K "$LG_TMP/sweep.cfg" \
    >"$LG_TMP/sweep.codes"
lg_is "writes that sweep: the first PUT 201, then refreshes 200" \
    "201x1 200x$((N1 / 32 + 19))" "$(runs "$LG_TMP/sweep.codes")"
lg_is "the expired locks are swept: 1 record left" 1 "$(lg_records "$URL_A")"
puts "$URL_A" 5 1 1000 600 600 "$LG_TMP/fill5"
lg_is "1000 new locks are accepted again: all 201" "1000 201" \
    "$(lg_codes "$LG_TMP/fill5")"

lg_stopped
lg_is "A's logs: no error line, no 503" "" \
    "$(grep -i 'error\| 503$' "$RUN_A/error.log" "$RUN_A/lockgate.log")"
lg_note "run time $(($(lg_now_ms) - START_MS)) ms"
lg_finish
