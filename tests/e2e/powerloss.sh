#!/bin/bash
# tests/e2e/powerloss.sh: a power loss loses no acknowledged lock. The
# database lives on lossyfs (tests/powerloss/lossyfs.c), a FUSE filesystem
# that keeps every write in memory until it is flushed (fsync, fdatasync,
# an O_DSYNC write) and forgets it when it is killed: killing it is the
# power loss, and mounting it again on the same backing directory (a new
# mount, so the kernel's page cache is gone too) is the reboot.
#
# Each cycle, through a real lighttpd with 4 responders, each start with a
# map 1 MiB larger than the one before:
#   - clients work as fast as they can: new locks (plain PUTs), owners
#     that acquire, are refused to an intruder, refresh and release, 4
#     owners taking turns on one lock with wait and 3 on a semaphore of 2,
#     LSS locks created, locked (with and without a deadline) and unlocked,
#     and locks of 0.2 s that keep the sweeper busy; each logs every
#     request before it sends it and every answer;
#   - at a random moment, lossyfs, lighttpd and every responder are killed
#     with SIGKILL at once;
#   - lossyfs is mounted again: mdb_stat and mdb_dump read the database
#     whole; lighttpd starts again on it;
#   - the admin listing must show, for every lock, what the last
#     acknowledged request left (or what a request cut by the power loss
#     left instead), nothing a refused request asked for, and no hold no
#     client was told of (powerloss.awk); each fence answered after the
#     restart is above every fence answered before it; no request gets a
#     5xx or a broken connection before the power goes (a client stops at
#     its first, so that one request of each at most has an unknown
#     outcome: the one the power loss cut).
# The real program with LOCKGATE_SYNC=full goes through PL_CYCLES power
# losses (20 by default); then the negative controls, which must lose
# acknowledged changes (at most 8 power losses each, stopping at the first
# that shows one): the same program with LOCKGATE_SYNC=nosync, and
# tests/powerloss/lockgate-broken-flush.fcgi, built to answer commits before
# they are flushed, which it does at most five times a second (as
# ./configure --enable-broken=flush).
#
# Needs /dev/fuse, fusermount3 and the lmdb-utils (mdb_stat, mdb_dump);
# without /dev/fuse (a container that does not pass it) it is skipped, exit
# 77, and says so.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
if [ ! -c /dev/fuse ]; then
	echo "# SKIP: /dev/fuse is missing: the power-loss test needs FUSE"
	exit 77
fi
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}
# shellcheck source=contention.sh
. "${0%/*}/contention.sh" || lg_bail "contention.sh loads"

lg_init curl lighttpd jq timeout pgrep fusermount3 mdb_stat mdb_dump
START_MS=$(lg_now_ms)
BUILD=${LOCKGATE_BUILDDIR:-${LOCKGATE_FCGI%/src/*}}
LOSSYFS=$BUILD/tests/powerloss/lossyfs
BROKEN=$BUILD/tests/powerloss/lockgate-broken-flush.fcgi
for p in "$LOSSYFS" "$BROKEN"; do
	[ -x "$p" ] || lg_bail "$p is built (make check-long builds it)" \
	    "missing: install the Debian packages libfuse3-dev and fuse3, configure again"
done
PL_AWK=${0%/*}/powerloss.awk
CYCLES=${PL_CYCLES:-20}
REAL_FCGI=$LOCKGATE_FCGI
LOCKGATE_ADMIN_TOKEN=$OBS_TOKEN
export LOCKGATE_ADMIN_TOKEN
# Every short-lived lock's id begins with this (powerloss.awk skips them).
SHORT=5e0f

# ---------------------------------------------------------------------------
# The clients, run in the background (spawn). Each logs to its own file
# OUT: "try KEY OP" before a request, then "ack KEY OP ..." or
# "no KEY OP CODE" (powerloss.awk reads them).

# pl_req METHOD URL OUT: one request (an empty body); sets CODE (000 when
# the connection broke) and BODY.
# shellcheck disable=SC2317 # run in the background through spawn
pl_req()
{
	CODE=$(curl -s --max-time 20 -H 'Expect:' -X "$1" -d '' \
	    -o "$3.body" -w '%{http_code}' "$2")
	[ -n "$CODE" ] || CODE=000
	BODY=""
	IFS= read -r -d '' BODY <"$3.body"
}

# pl_no OUT KEY OP: logs "no KEY OP CODE"; after a 000 or a 5xx (the power
# loss, or a failure the checks report) the client stops, so that it
# leaves one request at most whose outcome is unknown.
# shellcheck disable=SC2317
pl_no()
{
	echo "no $2 $3 $CODE" >>"$1"
	case $CODE in
	000 | 5??) exit 0 ;;
	esac
}

# pl_lock_req METHOD URL OUT KEY OP WANT: pl_req, logged: "ack KEY OP FENCE
# EXPIRES" when the answer is WANT with a lock object, else "no KEY OP
# CODE". True on WANT.
# shellcheck disable=SC2317
pl_lock_req()
{
	echo "try $4 $5" >>"$3"
	pl_req "$1" "$2" "$3"
	if [ "$CODE" = "$6" ] &&
	    [[ $BODY =~ \"expires\":\ ([0-9.]+),\ \"fence\":\ ([0-9]+) ]]; then
		echo "ack $4 $5 ${BASH_REMATCH[2]} ${BASH_REMATCH[1]}" >>"$3"
		return 0
	fi
	pl_no "$3" "$4" "$5"
	return 1
}

# pl_new URL SERIES OUT: plain PUTs of new ids, ttl 3600.
# shellcheck disable=SC2317
pl_new()
{
	local i=0 id

	while :; do
		i=$((i + 1))
		printf -v id '%08x-0000-4000-8000-%012x' "$2" "$i"
		pl_lock_req PUT "$1/v1/$id?ttl=3600" "$3" "$id" new 201
	done
}

# pl_owner URL SERIES OUT: new ids, each acquired by an owner (ttl 3600),
# refused to an intruder (423), refreshed (ttl 7200), and every other one
# released.
# shellcheck disable=SC2317
pl_owner()
{
	local i=0 id o=owner-$2

	while :; do
		i=$((i + 1))
		printf -v id '%08x-0000-4000-9000-%012x' "$2" "$i"
		pl_lock_req PUT "$1/v1/$id?owner=$o&ttl=3600" "$3" "$id" acq 201 ||
		    continue
		pl_lock_req PUT "$1/v1/$id?owner=intruder&ttl=60" "$3" "$id" \
		    refuse 423
		pl_lock_req PUT "$1/v1/$id?owner=$o&ttl=7200" "$3" "$id" ref 200
		[ $((i % 2)) = 0 ] || continue
		echo "try $id rel" >>"$3"
		pl_req DELETE "$1/v1/$id?owner=$o" "$3"
		if [ "$CODE" = 200 ]; then
			echo "ack $id rel" >>"$3"
		else
			pl_no "$3" "$id" rel
		fi
	done
}

# pl_waiter URL ID OWNER LIMIT OUT: takes turns on the shared lock ID with
# wait=5 (limit LIMIT), releasing each hold at once; first releases what an
# earlier cycle may have left held.
# shellcheck disable=SC2317
pl_waiter()
{
	local k=$2@$3

	while :; do
		echo "try $k rel" >>"$5"
		pl_req DELETE "$1/v1/$2?owner=$3" "$5"
		if [ "$CODE" = 200 ]; then
			echo "ack $k rel" >>"$5"
		else
			pl_no "$5" "$k" rel
		fi
		pl_lock_req PUT "$1/v1/$2?owner=$3&ttl=3600&wait=5&limit=$4" \
		    "$5" "$k" acq 201
	done
}

# pl_lss URL OUT: LSS locks created, locked with a deadline, then unlocked,
# locked without one, or left so.
# shellcheck disable=SC2317
pl_lss()
{
	local i=0 id key op re='^\{"lockId":"([0-9a-z]{26})","lockKey":"([0-9a-f-]{36})"\}$'

	while :; do
		i=$((i + 1))
		echo "try post-$i post" >>"$2"
		pl_req POST "$1/locks" "$2"
		if [ "$CODE" != 200 ] || ! [[ $BODY =~ $re ]]; then
			pl_no "$2" "post-$i" post
			continue
		fi
		id=${BASH_REMATCH[1]} key=${BASH_REMATCH[2]}
		echo "ack $id post $key" >>"$2"
		for op in lock unlock lockf; do
			[ $op = unlock ] && [ $((i % 3)) = 0 ] && break
			[ $op = lockf ] && [ $((i % 3)) = 1 ] && break
			echo "try $id $op" >>"$2"
			if [ $op = lock ]; then
				pl_req PATCH "$1/locks/$id/lock?k=$key&e=3600" "$2"
			else
				pl_req PATCH "$1/locks/$id/${op%f}?k=$key" "$2"
			fi
			if [ "$CODE" = 204 ]; then
				echo "ack $id $op" >>"$2"
			else
				pl_no "$2" "$id" "$op"
			fi
		done
	done
}

# pl_short URL SERIES OUT: plain PUTs of new ids with ttl 0.2, for the
# sweeper; only the status codes are logged.
# shellcheck disable=SC2317
pl_short()
{
	local i=0 id

	while :; do
		i=$((i + 1))
		printf -v id '%s%04x-0000-4000-a000-%012x' "$SHORT" "$2" "$i"
		pl_req PUT "$1/v1/$id?ttl=0.2" "$3"
		pl_no "$3" "$id" short
	done
}
export -f pl_req pl_no pl_lock_req pl_new pl_owner pl_waiter pl_lss pl_short
export SHORT

# ---------------------------------------------------------------------------
# The filesystem

MNT=""		# the mount point of lossyfs
FS_PID=""	# lossyfs, our child

# fs_mount DISK MNT: mounts lossyfs of the backing directory DISK on MNT.
fs_mount()
{
	MNT=$2
	mkdir -p "$1" "$2"
	"$LOSSYFS" "$1" "$2" >>"$LG_TMP/lossyfs.log" 2>&1 &
	FS_PID=$!
	LG_BG_PIDS="$LG_BG_PIDS $FS_PID"
	lg_wait_for 10 "$FS_PID" mountpoint -q "$2" ||
	    lg_bail "lossyfs mounts $1 on $2" "$(tail -n 5 "$LG_TMP/lossyfs.log")"
}

# fs_unmount: unmounts MNT (lazily: a killed lossyfs leaves a dead mount)
# and waits for lossyfs to end.
fs_unmount()
{
	[ -n "$MNT" ] || return 0
	fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
	if [ -n "$FS_PID" ]; then
		lg_wait_gone "$FS_PID" 5 || kill -KILL "$FS_PID" 2>/dev/null
		wait "$FS_PID" 2>/dev/null
	fi
	FS_PID=""
	MNT=""
}

# On every way out: lib.sh's clean-up, after the filesystem is let go.
pl_cleanup()
{
	if [ -n "$LG_HTTPD_PID" ]; then
		kill -KILL "$LG_HTTPD_PID" 2>/dev/null
		# shellcheck disable=SC2046
		kill -KILL $(lg_responders) 2>/dev/null
	fi
	fs_unmount
	lg_cleanup
}
trap pl_cleanup EXIT

# ---------------------------------------------------------------------------
# One phase: CYCLES power losses of one program and one LOCKGATE_SYNC.

# listing: prints the admin listing, every page, as powerloss.awk's STATE
# lines; exit 1 when a page is not a 200.
listing()
{
	local after="" page code

	while :; do
		code=$(curl -s --max-time 20 -o "$LG_TMP/page" -w '%{http_code}' \
		    -H "Authorization: Bearer $OBS_TOKEN" \
		    "$LG_URL/v1/locks?limit=10000${after:+&after=$after}")
		[ "$code" = 200 ] || { echo "listing: $code" >&2; return 1; }
		jq -r '.locks[] | . as $l |
		    if .surface == "getlock" then
			(.holders[] | "g \($l.id) \(.fence) \(.expires * 1000 | round)")
		    else
			"l \(.id) \(.locked) \(if .expires == null then "null" else (.expires * 1000 | round) end)"
		    end' "$LG_TMP/page" || return 1
		page=$(jq -r '.next // ""' "$LG_TMP/page") || return 1
		[ -n "$page" ] || return 0
		after=$page
	done
}

# fences FILE...: the highest and the lowest fence acknowledged in the
# client logs, "MAX MIN" (0 0 when none).
fences()
{
	cat /dev/null "$@" | awk '$1 == "ack" && ($3 == "new" || $3 == "acq") {
		if ($4 > max) max = $4
		if (min == "" || $4 < min) min = $4
	    } END { print max + 0, min + 0 }'
}

# logs NAME FIRST LAST: the client logs of cycles FIRST to LAST of phase
# NAME, in cycle order.
logs()
{
	local i

	for i in $(seq "$2" "$3"); do
		ls "$LG_TMP/$1.c$i".*.log 2>/dev/null
	done
}

# judge NAME CYCLE: the state after the restart against the client logs of
# cycles 1 to CYCLE-1 of phase NAME; sets LOST to the losses (lost and
# phantom) and VERDICT to powerloss.awk's summary.
judge()
{
	local name=$1 c=$2 logs

	logs=$(logs "$name" 1 $((c - 1)))
	listing >"$LG_TMP/$name.state.$c" || {
		LOST=-1
		VERDICT="the admin listing failed"
		return
	}
	# shellcheck disable=SC2086
	awk -v skip="^$SHORT" -f "$PL_AWK" "$LG_TMP/$name.state.$c" $logs \
	    >"$LG_TMP/$name.judged.$c"
	VERDICT=$(tail -n 1 "$LG_TMP/$name.judged.$c")
	LOST=$(echo "$VERDICT" | awk '{ print $6 + $8 }')
}

# clients NAME CYCLE: starts the clients of cycle CYCLE, each logging to
# NAME.cCYCLE.KIND.log (short-lived locks to NAME.cCYCLE.short).
clients()
{
	local p=$LG_TMP/$1.c$2 s=$((PHASE * 256 + $2)) k

	BG=()
	LOGS=()
	client pl_new "$LG_URL" "$s" "$p.new1.log"
	client pl_new "$LG_URL" "$((s + 65536))" "$p.new2.log"
	client pl_owner "$LG_URL" "$s" "$p.own1.log"
	client pl_owner "$LG_URL" "$((s + 65536))" "$p.own2.log"
	for k in 1 2 3 4; do
		client pl_waiter "$LG_URL" "$MUTEX" "w$k" 1 "$p.mutex$k.log"
	done
	for k in 1 2 3; do
		client pl_waiter "$LG_URL" "$SEM" "s$k" 2 "$p.sem$k.log"
	done
	client pl_lss "$LG_URL" "$p.lss.log"
	client pl_short "$LG_URL" "$s" "$p.short"
}

# client FUNCTION ARGS... LOG: spawns one client (2 minutes at most), its
# log the last argument, kept in LOGS beside its pid in BG.
client()
{
	spawn 120 "$@"
	LOGS+=("${!#}")
}

# acks NAME CYCLE: the acknowledged requests of that cycle so far.
acks()
{
	cat "$LG_TMP/$1.c$2".*.log 2>/dev/null | grep -c '^ack '
}

# power_loss FILE: lossyfs, lighttpd and every responder killed with
# SIGKILL in one kill(1), then the clients stopped, the dead mount let go.
# Writes to FILE the last line of each client that had stopped already
# (at a 000 or a 5xx: none should have).
power_loss()
{
	local rs i

	: >"$1"
	for i in "${!BG[@]}"; do
		any_running "${BG[i]}" ||
		    echo "${LOGS[i]##*/}: $(tail -n 1 "${LOGS[i]}")" >>"$1"
	done
	rs=$(pgrep -P "$LG_HTTPD_PID" | tr '\n' ' ')
	# Bash reports its killed children on stderr: not in the output.
	exec 3>&2 2>/dev/null
	# shellcheck disable=SC2086
	kill -KILL "$FS_PID" "$LG_HTTPD_PID" $rs
	wait "$LG_HTTPD_PID" "$FS_PID"
	exec 2>&3 3>&-
	LG_HTTPD_PID=""
	FS_PID=""
	kill -TERM "${BG[@]}" 2>/dev/null
	wait_pids 10 "${BG[@]}"
	fs_unmount
}

# phase NAME FCGI SYNC CYCLES CONTROL: CYCLES power losses of program FCGI
# with LOCKGATE_SYNC=SYNC. CONTROL 0: every check must pass; 1: a negative
# control, which stops at the first cycle that loses something and sets
# FOUND to the losses seen (the other checks are only reported).
phase()
{
	local name=$1 c t0 wait_ms mx mn prev=0 nack=0 checks=0 disk=$LG_TMP/disk.$1

	PHASE=$((PHASE + 1))
	LOCKGATE_FCGI=$2
	LG_FCGI_REAL=$(readlink -f "$2")
	LOCKGATE_SYNC=$3
	LOCKGATE_DB=$LG_TMP/mnt.$name/db
	export LOCKGATE_FCGI LOCKGATE_SYNC LOCKGATE_DB
	MUTEX=$(lg_uuid) SEM=$(lg_uuid)
	FOUND=0
	lg_note "phase $name: $4 power losses at most of $2, LOCKGATE_SYNC=$3"
	fs_mount "$disk" "$LG_TMP/mnt.$name"
	for c in $(seq 1 "$4"); do
		mv "$LG_TMP/run" "$LG_TMP/run.$name.$((c - 1))" 2>/dev/null
		# A larger map at each start: the first commits of a cycle
		# grow it (LMDB writes the new size in the meta page).
		LOCKGATE_MAP_SIZE=$((64 + c))M
		export LOCKGATE_MAP_SIZE
		lg_start_lighttpd 4
		if [ "$c" -gt 1 ] && ! verify "$name" "$c" "$5"; then
			lg_stop_lighttpd
			fs_unmount
			return 0
		fi
		clients "$name" "$c"
		# 0.3 s and 40 acknowledged requests at least, then a random
		# moment in the next 1.5 s; 20 s at most.
		t0=$(lg_now_ms)
		while [ "$(took "$t0")" -lt 20000 ]; do
			[ "$(took "$t0")" -ge 300 ] &&
			    [ "$(acks "$name" "$c")" -ge 40 ] && break
			sleep 0.05
		done
		wait_ms=$((RANDOM % 1500))
		sleep "$((wait_ms / 1000)).$(printf '%03d' $((wait_ms % 1000)))"
		power_loss "$LG_TMP/$name.c$c.early"
		nack=$(acks "$name" "$c")
		lg_note "$name cycle $c: power lost after $(took "$t0") ms, $nack requests acknowledged; data.mdb on disk $(stat -c %s "$disk/db/data.mdb" 2>/dev/null || echo none) bytes"
		fs_mount "$disk" "$LG_TMP/mnt.$name"
		check "$5" "$name $c: mdb_stat reads the database" \
		    mdb_stat -a "$LOCKGATE_DB"
		check "$5" "$name $c: mdb_dump reads it whole" \
		    eval "mdb_dump -a '$LOCKGATE_DB' >/dev/null"
	done
	mv "$LG_TMP/run" "$LG_TMP/run.$name.$4" 2>/dev/null
	lg_start_lighttpd 4
	verify "$name" "$(($4 + 1))" "$5"
	lg_stop_lighttpd
	fs_unmount
}

# check CONTROL DESC COMMAND...: one check of COMMAND's success; in a
# negative control only a note.
check()
{
	local control=$1 d=$2

	shift 2
	if "$@" >"$LG_TMP/check.out" 2>&1; then
		[ "$control" = 1 ] || lg_ok "$d"
	elif [ "$control" = 1 ]; then
		lg_note "$d: no ($(head -c 200 "$LG_TMP/check.out"))"
	else
		lg_not_ok "$d" "exit 0" "$(head -n 5 "$LG_TMP/check.out")"
	fi
}

# verify NAME CYCLE CONTROL: the checks after the restart that follows
# power loss CYCLE-1. In a negative control, returns 1 (stop) once a loss
# was found.
verify()
{
	local name=$1 c=$(($2 - 1)) control=$3 before cycle all

	judge "$name" "$2"
	# shellcheck disable=SC2046
	before=$(fences $(logs "$name" 1 $((c - 1))))
	# shellcheck disable=SC2046
	cycle=$(fences $(logs "$name" "$c" "$c"))
	# shellcheck disable=SC2046
	all=$(fences $(logs "$name" 1 "$c"))
	if [ "$control" = 1 ]; then
		lg_note "$name after power loss $c: $VERDICT"
		grep -v '^powerloss: ' "$LG_TMP/$name.judged.$2" | head -n 3 |
		    sed 's/^/  /' | while IFS= read -r l; do lg_note "$l"; done
		FOUND=$((FOUND + (LOST > 0 ? LOST : 0)))
		[ "$LOST" -le 0 ]
		return
	fi
	lg_is "$name after power loss $c: every acknowledged change is there, nothing else (${VERDICT#powerloss: })" \
	    "" "$(grep -v '^powerloss: ' "$LG_TMP/$name.judged.$2" | head -n 10)"
	lg_like "... and powerloss.awk judged it" ', 0 lost, 0 phantom,' "$VERDICT"
	if [ "$c" -gt 1 ]; then
		lg_cmp "$name cycle $c: its first fence is above every fence answered before power loss $((c - 1)) (${before% *})" \
		    "${cycle#* }" -gt "${before% *}"
	fi
	lg_is "$name cycle $c: every client worked until the power went (none stopped at a 5xx or a broken connection)" \
	    "" "$(head -n 5 "$LG_TMP/$name.c$c.early")"
	lg_is "$name after power loss $c: the responders log no error" "" \
	    "$(grep -i error "$LG_RUN/lockgate.log")"
	NEW=$(lg_uuid)
	lg_curl PUT "/v1/$NEW?owner=check&ttl=600"
	lg_expect_lock "$name after power loss $c: a new lock: 201" 201 \
	    true "lock acquired" "$NEW" 600.0
	lg_cmp "$name after power loss $c: its fence is above every fence answered before (${all% *})" \
	    "${LG_FENCE:-0}" -gt "${all% *}"
	# It is held from now on: the next judge expects it.
	printf 'ack %s acq %s %d.%03d\n' "$NEW" "${LG_FENCE:-0}" \
	    $((LG_EXP / 1000)) $((LG_EXP % 1000)) >"$LG_TMP/$name.c$c.zcheck.log"
	return 0
}

PHASE=0
phase full "$REAL_FCGI" full "$CYCLES" 0
lg_note "full: $CYCLES power losses; after the last: ${VERDICT#powerloss: }"
phase nosync "$REAL_FCGI" nosync 8 1
NOSYNC=$FOUND
phase flush "$BROKEN" full 8 1
FLUSH=$FOUND
lg_cmp "negative control: LOCKGATE_SYNC=nosync loses acknowledged changes ($NOSYNC lost or phantom)" \
    "$NOSYNC" -gt 0
lg_cmp "negative control: a build that answers before flushing loses acknowledged changes ($FLUSH lost or phantom)" \
    "$FLUSH" -gt 0
lg_note "run time $(took "$START_MS") ms"
lg_finish
