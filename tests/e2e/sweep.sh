#!/bin/bash
# tests/e2e/sweep.sh: expired locks are swept by ordinary writes (no
# daemon), so the record count and the LMDB file stay bounded: through
# lighttpd, 5000 locks with ttl 0.2 s (the last 100 with 2 s, so that
# some are surely alive right after, however slow the machine), then,
# once all have expired, ordinary traffic, and GET /v1/health's "records"
# falls to a handful; a second round of the same reuses the freed pages
# instead of growing data.mdb.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init curl lighttpd
# No fdatasync per commit: this test is about space, not durability.
LOCKGATE_SYNC=nosync
export LOCKGATE_SYNC
lg_start_lighttpd 4

# Measured with lockgate 0.1.0 (Debian 12, LMDB 0.9.24, 4 KiB pages): after
# 5000 creations with ttl 0.2 s and 2000 writes, data.mdb was 184 to 240 KiB,
# and a second identical round added 4 to 8 KiB. 5000 locks that are all
# alive (ttl 60, nothing to sweep) make it 588 KiB. Bounds: 1 MiB after the
# first round (a faster machine has more locks alive at once); the second
# round may add at most 128 KiB: without sweeping and page reuse it would
# add about 600 KiB. With the last 100 of the 5000 living 2 s, one run
# gave 204 KiB and 8 KiB more.
MAX_MDB=1048576
MAX_GROWTH=131072
MAX_LEFT=10		# records left after the traffic (4 ids are written)

# round N: one round with lock ids of series N.
round()
{
	local n=$1 i t0 t1 r ttl

	# 5000 PUTs from one curl process over one connection: ?ttl=0.2, the
	# last 100 ?ttl=2.
	for i in $(seq 1 5000); do
		ttl=0.2
		[ "$i" -le 4900 ] || ttl=2
		printf 'url = "%s/v1/%08x-0000-4000-8000-%012x?ttl=%s"\n' \
		    "$LG_URL" "$n" "$i" "$ttl"
		echo 'output = "/dev/null"'
	done >"$LG_TMP/create.cfg"
	t0=$(lg_now_ms)
	curl -s --max-time 60 -H 'Expect:' -X PUT -w '%{http_code}\n' \
	    -K "$LG_TMP/create.cfg" >"$LG_TMP/create.codes"
	t1=$(lg_now_ms)
	lg_is "round $n: 5000 PUT ?ttl=0.2 (the last 100 ?ttl=2) all 201 ($((t1 - t0)) ms)" \
	    "5000 201" "$(lg_codes "$LG_TMP/create.codes")"
	# The last 100 live 2 s: made at 50 PUT/s or faster, they are still
	# there, so there is something left to sweep.
	r=$(lg_records)
	if [[ $r =~ ^[0-9]+$ ]] && [ "$r" -gt $((MAX_LEFT * 5)) ]; then
		lg_ok "round $n: $r records right after the creations"
	else
		lg_not_ok "round $n: records right after the creations" \
		    "more than $((MAX_LEFT * 5))" "$r"
	fi
	# Every lock expires at most 2 s after the last answer: wait until
	# the clock (the server's too) has passed that.
	while [ "$(lg_now_ms)" -le $((t1 + 2100)) ]; do sleep 0.05; done

	# 2000 writes: PUT then DELETE on 4 ids, 250 times each ("next"
	# starts a new set of options, so each block names all of its own).
	for i in $(seq 1 1000); do
		[ "$i" = 1 ] || echo next
		for m in PUT DELETE; do
			[ "$m" = PUT ] || echo next
			printf 'request = "%s"\nsilent\nmax-time = 10\n' "$m"
			printf 'write-out = "%%{http_code}\\n"\n'
			printf 'url = "%s/v1/%08x-0000-4000-9000-%012x"\n' \
			    "$LG_URL" "$n" $((i % 4))
			echo 'output = "/dev/null"'
		done
	done >"$LG_TMP/write.cfg"
	t0=$(lg_now_ms)
	curl -K "$LG_TMP/write.cfg" >"$LG_TMP/write.codes"
	t1=$(lg_now_ms)
	lg_is "round $n: 1000 PUT 201 and 1000 DELETE 200 ($((t1 - t0)) ms)" \
	    "1000 200, 1000 201" "$(lg_codes "$LG_TMP/write.codes")"
	r=$(lg_records)
	if [[ $r =~ ^[0-9]+$ ]] && [ "$r" -le "$MAX_LEFT" ]; then
		lg_ok "round $n: the expired locks were swept: $r records left"
	else
		lg_not_ok "round $n: the expired locks were swept" \
		    "at most $MAX_LEFT records" "$r"
	fi
}

round 1
SIZE1=$(stat -c %s "$LOCKGATE_DB/data.mdb")
lg_cmp "data.mdb after round 1 ($SIZE1 bytes) is at most $MAX_MDB" \
    "$SIZE1" -le "$MAX_MDB"
round 2
SIZE2=$(stat -c %s "$LOCKGATE_DB/data.mdb")
lg_cmp "data.mdb after round 2 ($SIZE2 bytes) grew at most $MAX_GROWTH" \
    "$SIZE2" -le $((SIZE1 + MAX_GROWTH))

lg_stopped
lg_no_errors "the error log has no line with 'error'" "$LG_RUN/error.log"

lg_finish
