#!/bin/bash
# tests/e2e/quickstart-cluster.sh: "./quickstart cluster" does what it
# prints, run as tests/e2e/quickstart.sh runs "serve": on a copy of the
# files it needs, with the program of this build (LOCKGATE_FCGI), on free
# loopback ports (PORT, PORT2) and with its temporary directory under
# this script's (TMPDIR):
#   1. it comes up and prints its welcome, ending "Press Ctrl-C to stop.";
#   2. exactly three etcd members of it run, with the pids it printed, and
#      the one it calls the leader leads (/v3/maintenance/status); two
#      lighttpd servers of it run, on PORT and PORT2;
#   3. its curl lines, run as printed: 201 through web 1, 423 with the
#      same fence on web 2, another owner refused (423), released through
#      web 2; a PUT with wait= on web 2 gets 201 once the lock is released
#      through web 1;
#   4. after its kill command for the leader, run as printed: a new PUT
#      answers 201 on each server within 10 s (meanwhile only 503 storage
#      unavailable with Retry-After: 1), a new leader leads, and it says
#      the member stopped and that two members are a quorum;
#   5. a second member killed: every PUT on both servers answers 503 with
#      Retry-After: 1 and {"message": "storage unavailable"}, never 201,
#      /v1/health 503 on both; it says there is no quorum;
#   6. after its restart line, run as printed: PUTs answer 201 again on
#      both servers, the locks acknowledged in 4 are still held with their
#      fences, and it says the member runs again with that pid;
#   7. Ctrl-C (SIGINT): it exits 0 with "quickstart: stopped; nothing left
#      running" as its last line, and no etcd member, lighttpd or
#      responder of it is left, no port of it still accepts connections,
#      and its temporary directory is gone.
# Every process is found by pid (and by this run's own directories in its
# command line or environment), never by name alone; everything is on
# 127.0.0.1. About 25 s on 2 cores.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}
# shellcheck source=etcd-lib.sh
. "${0%/*}/etcd-lib.sh" || lg_bail "etcd-lib.sh loads"

lg_init curl lighttpd jq timeout etcd
QS=$LG_TMP/qs
mkdir -p "$QS/lighttpd" || lg_bail "mkdir $QS"
if ! cp "$LOCKGATE_SRCDIR/quickstart" "$QS/" ||
    ! cp "$LOCKGATE_SRCDIR"/lighttpd/mkconf \
    "$LOCKGATE_SRCDIR"/lighttpd/lockgate.conf "$QS/lighttpd/"; then
	lg_bail "copy quickstart and the lighttpd files to $QS"
fi
# quickstart's TMPDIR: its temporary directory (etcd's data, the web
# servers' LOCKGATE_DB) is made in this one. It lies in this script's
# LOCKGATE_DB, so that lg_responders finds the responders of both servers.
QS_TMP=$LOCKGATE_DB
mkdir -p "$QS_TMP" || lg_bail "mkdir $QS_TMP"
OUT=$LG_TMP/cluster.out
UNAVAIL='{"message": "storage unavailable"}'
ETCD_REAL=$(readlink -f "$(command -v etcd)")
HTTPD_REAL=$(readlink -f "$(command -v lighttpd)")
QS_PID=""
CLUSTER_DIR=""		# quickstart's temporary directory, as it prints it
MEMBER_PIDS=""		# every etcd pid of this run seen (printed, restarted)
RESTART_PID=""		# the member started again from its .start line
HTTPD_PIDS=""		# the two lighttpd of this run
RESPONDERS=""		# their responders
PORTS=""		# every port of this run: web, etcd client and peer
LG_ON_STOP="$LG_ON_STOP qsc_stop_left"

# pids_of REAL PREFIX: prints the pids of the running processes whose
# program is REAL and one of whose arguments begins with PREFIX (a
# directory of this run).
pids_of()
{
	local d a

	for d in /proc/[0-9]*; do
		[ "$(readlink "$d/exe" 2>/dev/null)" = "$1" ] || continue
		while IFS= read -r -d '' a; do
			case $a in
			"$2"*)
				lg_alive "${d#/proc/}" && echo "${d#/proc/}"
				break
				;;
			esac
		done 2>/dev/null <"$d/cmdline"
	done
	return 0
}

# members: the etcd processes of this run (data directory in QS_TMP,
# where quickstart makes CLUSTER_DIR).
members()
{
	pids_of "$ETCD_REAL" "$QS_TMP/"
}

# servers: the lighttpd processes of this run (configuration in its run
# directories).
servers()
{
	pids_of "$HTTPD_REAL" "$QS/run/cluster-"
}

# ours PID: true when PID is an etcd member or a lighttpd of this run.
ours()
{
	case " $(members | tr '\n' ' ')$(servers | tr '\n' ' ')" in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

# qsc_stop_left: at the end (LG_ON_STOP), after quickstart itself was
# stopped: whatever member or lighttpd of this run is still there gets
# SIGTERM, then SIGKILL after 5 s, and so do the responders a lighttpd
# started again meanwhile; the restarted member is reaped.
# shellcheck disable=SC2317 # run by lg_stop_all, through LG_ON_STOP
qsc_stop_left()
{
	local p left

	left=$(members; servers)
	for p in $left; do
		echo "# stopping leftover process $p of this run"
		kill -TERM "$p" 2>/dev/null
	done
	for p in $left; do
		lg_wait_gone "$p" 5 || kill -KILL "$p" 2>/dev/null
	done
	if [ -n "$left" ] && ! lg_wait_no_responders 5; then
		for p in $(lg_responders); do
			echo "# killing leftover responder $p"
			kill -KILL "$p" 2>/dev/null
		done
	fi
	[ -z "$RESTART_PID" ] || wait "$RESTART_PID" 2>/dev/null
	RESTART_PID=""
}

# on N METHOD PATH [CURL-ARGS...]: lg_curl through web server N (1 or 2).
on()
{
	local LG_URL=${URL[$1]}

	shift
	lg_curl "$@"
}

# as_printed LINE: runs LINE, a curl line of the welcome, as one pastes it
# into a shell with id set, 10 s at most; its answer (curl -i: status
# line, headers, body; curl -s: the body) is the last response, as lg_raw
# leaves it.
as_printed()
{
	local all

	LG_HDRS=$LG_TMP/last.hdr
	id=$ID timeout 10 bash -c "$1" >"$LG_TMP/line.out" 2>"$LG_TMP/line.err"
	all=$(cat "$LG_TMP/line.out"; printf x)
	all=${all%x}
	case $all in
	HTTP/*) lg_split "$all" $'\r\n\r\n' ;;
	*)
		: >"$LG_HDRS"
		LG_BODY=$all
		;;
	esac
	LG_STATUS=$(head -n 1 "$LG_HDRS" | awk '{ print $2 }')
	[ -n "$LG_STATUS" ] || LG_STATUS=000
	lg_parse_headers
}

# unavailable: true when the last response is 503 storage unavailable with
# Retry-After: 1 and the standard JSON headers.
unavailable()
{
	[ "$LG_STATUS" = 503 ] && [ "$(lg_hdr Retry-After)" = 1 ] &&
	    [ "$LG_BODY" = "$UNAVAIL"$'\n' ] && [ -z "$(lg_std_headers)" ]
}

# said LINE SECONDS: true once quickstart has printed LINE (whole); false
# after SECONDS, or at once when it has exited.
said()
{
	lg_wait_for "$2" "$QS_PID" grep -qxF -- "$1" "$OUT"
}

# until_201 SECONDS OWNER: PUTs a new id (ttl 60, OWNER) on web 1 and on
# web 2, each again every 0.1 s until it answers 201, SECONDS at most from
# T0. Sets TOOK[N] (ms from T0 to that 201, "" without one), KEPT[N] ("ID
# FENCE" of it), N503 (the 503s before) and ODD (any other answer).
declare -A TOOK=() KEPT=()
until_201()
{
	local end=$((T0 + $1 * 1000)) n id

	TOOK=([1]="" [2]="") KEPT=([1]="" [2]="")
	N503=0
	ODD=""
	while [ -z "${TOOK[1]}" ] || [ -z "${TOOK[2]}" ]; do
		[ "$(lg_now_ms)" -lt "$end" ] || break
		for n in 1 2; do
			[ -z "${TOOK[$n]}" ] || continue
			id=$(lg_uuid)
			on "$n" PUT "/v1/$id?owner=$2&ttl=60" --max-time 5
			if [ "$LG_STATUS" = 201 ] && [[ $LG_BODY =~ \"fence\":\ ([0-9]+)\}\} ]]; then
				TOOK[$n]=$((LG_T1 - T0))
				KEPT[$n]="$id ${BASH_REMATCH[1]}"
			elif unavailable; then
				N503=$((N503 + 1))
			else
				ODD+="web $n: $LG_STATUS $(lg_hdr Retry-After) $LG_BODY"$'\n'
			fi
		done
		sleep 0.1
	done
}

# ---------------------------------------------------------------------------
lg_note "1. ./quickstart cluster comes up"
P1=$(lg_free_port) || lg_bail "found a free loopback port"
while P2=$(lg_free_port) || lg_bail "found a free loopback port"; do
	[ "$P2" != "$P1" ] && break
done
declare -A URL=([1]="http://127.0.0.1:$P1" [2]="http://127.0.0.1:$P2")
# A background job starts with SIGINT ignored, which a shell cannot undo:
# env gives it back its default, as in a terminal.
env --default-signal=INT TMPDIR="$QS_TMP" PORT="$P1" PORT2="$P2" \
    LOCKGATE_FCGI="$LG_FCGI_REAL" bash "$QS/quickstart" cluster \
    >"$OUT" 2>&1 </dev/null &
QS_PID=$!
LG_BG_PIDS="$LG_BG_PIDS $QS_PID"
if said "Press Ctrl-C to stop." 60 && lg_alive "$QS_PID"; then
	lg_ok "PORT=$P1 PORT2=$P2 ./quickstart cluster is up"
else
	sed 's/^/#   /' "$OUT"
	lg_bail "PORT=$P1 PORT2=$P2 ./quickstart cluster comes up within 60 s"
fi
CLUSTER_DIR=$(sed -n 's/^quickstart: starting three etcd members in //p' "$OUT")
lg_like "it names its temporary directory, in TMPDIR" \
    "^$QS_TMP/lockgate-cluster\\.[A-Za-z0-9]{6}\$" "$CLUSTER_DIR"
[ -d "$CLUSTER_DIR" ] || lg_bail "its temporary directory $CLUSTER_DIR exists"
lg_is "it says where it serves" \
    "lockgate is serving at ${URL[1]} and ${URL[2]}:" \
    "$(grep '^lockgate is serving' "$OUT")"
for n in 1 2; do
	lg_is "it names web $n" \
	    "  web $n:  ${URL[$n]}  logs $QS/run/cluster-$n/error.log, lockgate.log" \
	    "$(grep "^  web $n: " "$OUT")"
done

lg_note "2. three etcd members, the printed pids, the printed leader"
declare -A MPID=() MPORT=()
LEADER=""
ENDPOINTS=""
for m in m1 m2 m3; do
	line=$(grep "^  etcd $m: " "$OUT")
	if ! [[ $line =~ ^\ \ etcd\ $m:\ http://127\.0\.0\.1:([0-9]+)\ \ pid\ ([0-9]+)(, the leader)?$ ]]; then
		lg_bail "it prints etcd member $m's URL on 127.0.0.1 and pid" \
		    "got: '$line'"
	fi
	MPORT[$m]=${BASH_REMATCH[1]}
	MPID[$m]=${BASH_REMATCH[2]}
	[ -z "${BASH_REMATCH[3]}" ] || LEADER=$LEADER$m
	ENDPOINTS+=${ENDPOINTS:+,}http://127.0.0.1:${MPORT[$m]}
	MEMBER_PIDS+=" ${MPID[$m]}"
	peer=$(sed -n 's|^ *--listen-peer-urls http://127\.0\.0\.1:\([0-9]*\) .*|\1|p' \
	    "$CLUSTER_DIR/$m.start" 2>/dev/null)
	PORTS+=" ${MPORT[$m]} $peer"
done
PORTS+=" $P1 $P2"
lg_like "it calls exactly one member the leader" '^m[123]$' "$LEADER"
[[ $LEADER =~ ^m[123]$ ]] || lg_bail "a leader to kill"
lg_is "it prints the endpoints lockgate uses: the three members" \
    "  settings:  LOCKGATE_STORE=etcd LOCKGATE_ETCD_ENDPOINTS=$ENDPOINTS" \
    "$(grep '^  settings: ' "$OUT")"
want=""
for m in m1 m2 m3; do
	want+="$m=${MPID[$m]} "
done
got=""
for p in $(members | sort -n); do
	name=$(tr '\0' '\n' 2>/dev/null <"/proc/$p/cmdline" |
	    sed -n '/^--name$/{n;p;q}')
	got+="$name=$p "
done
got=$(tr ' ' '\n' <<<"$got" | sort | tr '\n' ' ')
lg_is "exactly three etcd members of it run, each with the pid printed" \
    "$want" "${got# }"
lg_like "each member listens for peers on 127.0.0.1 (its .start script)" \
    '^( [0-9]+ [0-9]+){3} [0-9]+ [0-9]+$' "$PORTS"
# etcd-lib.sh's view of the cluster: member I is mI.
ETCD_N=3
for i in 1 2 3; do
	ETCD_NAME[i]=m$i
	ETCD_CLIENT_PORT[i]=${MPORT[m$i]}
	ETCD_PIDS[i]=${MPID[m$i]}
	ETCD_ID[i]=$(etcd_status "$i")
	ETCD_ID[i]=${ETCD_ID[$i]%% *}
done
etcd_wait_leader 5
lg_is "the member it calls the leader leads (/v3/maintenance/status of all three)" \
    "$LEADER" "${ETCD_LEADER:+m$ETCD_LEADER}"
HTTPD_PIDS=$(servers | sort -n | tr '\n' ' ')
lg_is "two lighttpd of it run, one for each web server" 2 \
    "$(wc -w <<<"$HTTPD_PIDS")"
for n in 1 2; do
	lg_is "one of them serves web $n (run/cluster-$n/lighttpd.conf)" 1 \
	    "$(pids_of "$HTTPD_REAL" "$QS/run/cluster-$n/lighttpd.conf" | wc -l)"
done
RESPONDERS=$(lg_responders | sort -n | tr '\n' ' ')
lg_is "four responders of it run (two for each lighttpd)" 4 \
    "$(wc -w <<<"$RESPONDERS")"

lg_note "3. its curl lines, as printed"
ID=$(sed -n 's/^  id=//p' "$OUT")
lg_like "it prints an id to try" "$LG_UUID_RE" "$ID"
# The lines exactly as the welcome must print them.
L_PUT="  curl -i -X PUT \"${URL[1]}/v1/\$id?owner=alice&ttl=60\"   # 201 acquired through web 1"
L_GET="  curl -i ${URL[2]}/v1/\$id                              # 423 on web 2: the same lock"
L_BOB="  curl -i -X PUT \"${URL[2]}/v1/\$id?owner=bob&ttl=60\"     # 423: alice holds it"
L_DEL="  curl -i -X DELETE \"${URL[2]}/v1/\$id?owner=alice\"       # 200 released through web 2"
L_HEALTH="  curl -s ${URL[2]}/v1/health"
lg_is "it prints the five curl lines" \
    "$L_PUT"$'\n'"$L_GET"$'\n'"$L_BOB"$'\n'"$L_DEL"$'\n'"$L_HEALTH" \
    "$(grep '^  curl ' "$OUT")"
as_printed "$L_PUT"
lg_expect_lock "PUT ?owner=alice through web 1, as printed: 201" 201 true \
    "lock acquired" "$ID" 60.0
F1=$LG_FENCE
as_printed "$L_GET"
lg_expect_lock "GET through web 2, as printed: 423, held" 423 true \
    "lock is active" "$ID" 60.0
lg_is "... with alice's fence" "$F1" "$LG_FENCE"
as_printed "$L_BOB"
lg_expect_lock "PUT ?owner=bob through web 2, as printed: 423, another owner's" \
    423 true "lock is held by another owner" "$ID" 60.0
lg_is "... with alice's fence" "$F1" "$LG_FENCE"
as_printed "$L_DEL"
lg_expect_lock "DELETE ?owner=alice through web 2, as printed: 200" 200 false \
    "lock has been removed" "$ID" 60.0
as_printed "$L_HEALTH"
lg_is "the health line, as printed: okay, no record left" \
    "{\"message\": \"okay\", \"version\": \"$(lg_version)\", \"records\": 0}"$'\n' \
    "$LG_BODY"
on 1 GET "/v1/$ID"
lg_expect "GET through web 1: free" 404 "$LG_NOTFOUND"

as_printed "$L_PUT"
lg_expect_lock "alice again through web 1, as printed: 201" 201 true \
    "lock acquired" "$ID" 60.0
F2=$LG_FENCE
lg_cmp "... with a greater fence" "${F2:-0}" -gt "${F1:-0}"
curl -s --max-time 20 -X PUT -D "$LG_TMP/bob.hdr" -o "$LG_TMP/bob.body" \
    -w '%{http_code}' "${URL[2]}/v1/$ID?owner=bob&ttl=60&wait=10" \
    >"$LG_TMP/bob.code" 2>/dev/null &
BOB=$!
LG_BG_PIDS="$LG_BG_PIDS $BOB"
lg_wait_metric 10 lockgate_waiting -ge 1 "${URL[2]}"
lg_is "bob's PUT with wait=10 waits on web 2 (lockgate_waiting)" 1 "$LG_METRIC"
lg_true "... and is still waiting when alice releases" lg_alive "$BOB"
on 1 DELETE "/v1/$ID?owner=alice"
lg_expect_lock "DELETE ?owner=alice through web 1: 200" 200 false \
    "lock has been removed" "$ID" 60.0
T0=$LG_T1
lg_wait_gone "$BOB" 15
wait "$BOB"
LG_BG_PIDS=${LG_BG_PIDS/ $BOB/}
T1=$(lg_now_ms)
LG_STATUS=$(cat "$LG_TMP/bob.code")
LG_HDRS=$LG_TMP/bob.hdr
lg_parse_headers
lg_readfile "$LG_TMP/bob.body"
lg_expect_lock "... then bob's waiting PUT on web 2 answers 201 ($((T1 - T0)) ms after the release)" \
    201 true "lock acquired" "$ID" 60.0
lg_cmp "... with a greater fence" "${LG_FENCE:-0}" -gt "${F2:-0}"

lg_note "4. the leader ($LEADER) killed with its kill command, as printed"
KILL_LINE=$(grep '^  kill ' "$OUT")
lg_is "it prints the kill command for the leader" \
    "  kill -KILL ${MPID[$LEADER]}" "$KILL_LINE"
lg_is "... after naming it" "$LEADER, the leader:" \
    "$(grep -A1 '^Lose a machine' "$OUT" | tail -n 1)"
# Run only the very command that names this run's leader.
read -ra WORDS <<<"$KILL_LINE"
if [ "${WORDS[*]}" != "kill -KILL ${MPID[$LEADER]}" ] ||
    ! ours "${MPID[$LEADER]}"; then
	lg_bail "the kill command names the leader of this run"
fi
T0=$(lg_now_ms)
"${WORDS[@]}"
lg_true "the leader is gone" lg_wait_gone "${MPID[$LEADER]}" 5
until_201 10 carol
for n in 1 2; do
	lg_true "a new PUT through web $n answers 201 within 10 s of the kill (after ${TOOK[$n]:-no} ms)" \
	    test -n "${TOOK[$n]}"
done
lg_is "... and meanwhile only 503 storage unavailable with Retry-After: 1 ($N503 of them)" \
    "" "$ODD"
declare -A HELD=([1]="${KEPT[1]}" [2]="${KEPT[2]}")
OLD=${LEADER#m}
ETCD_PIDS[OLD]=""
etcd_wait_leader 10
lg_true "the two others elect a new leader (m${ETCD_LEADER:-?})" \
    test -n "$ETCD_LEADER" -a "$ETCD_LEADER" != "$OLD"
lg_true "it says the member stopped and two are a quorum" said \
    "quickstart: etcd member $LEADER has stopped: 2 of 3 members are a quorum, lockgate goes on" 10

lg_note "5. a second member killed: no quorum"
# The survivor should be the new leader, which must then step down.
VICTIM=""
for m in m1 m2 m3; do
	[ "$m" = "$LEADER" ] || [ "$m" = "m${ETCD_LEADER:-}" ] || VICTIM=$m
done
[ -n "$VICTIM" ] || lg_bail "a member to kill second"
ours "${MPID[$VICTIM]}" || lg_bail "member $VICTIM (pid ${MPID[$VICTIM]}) is of this run"
kill -KILL "${MPID[$VICTIM]}"
lg_true "member $VICTIM (pid ${MPID[$VICTIM]}) is gone" \
    lg_wait_gone "${MPID[$VICTIM]}" 5
T0=$(lg_now_ms)
rounds=0
n201=0
ODD=""
HODD=""
VERSION=$(lg_version)
# Health's 503 may say why (src/getlock.c: what the store last said).
want_health="^\\{\"message\": \"failed\", \"version\": \"${VERSION//./\\.}\"(, \"reason\": \"[^\"]*\")?\\}"$'\n$'
# PUTs and health on both servers, four rounds and 2.5 s at least.
while [ "$rounds" -lt 4 ] || [ $(($(lg_now_ms) - T0)) -lt 2500 ]; do
	[ "$rounds" -lt 20 ] || break
	rounds=$((rounds + 1))
	for n in 1 2; do
		on "$n" PUT "/v1/$(lg_uuid)?owner=dave&ttl=60" --max-time 8
		[ "$LG_STATUS" = 201 ] && n201=$((n201 + 1))
		unavailable ||
		    ODD+="PUT web $n: $LG_STATUS $(lg_hdr Retry-After) $LG_BODY"$'\n'
		on "$n" GET /v1/health --max-time 8
		[ "$LG_STATUS" = 503 ] && [[ $LG_BODY =~ $want_health ]] &&
		    [ "$(lg_hdr Retry-After)" = 1 ] ||
		    HODD+="web $n: $LG_STATUS $(lg_hdr Retry-After) $LG_BODY"
	done
done
lg_is "no PUT answered 201 ($((rounds * 2)) PUTs over $(($(lg_now_ms) - T0)) ms)" \
    0 "$n201"
lg_is "every PUT on both servers: 503, Retry-After: 1, $UNAVAIL" "" "$ODD"
lg_is "every GET /v1/health on both servers: 503 failed, Retry-After: 1" \
    "" "$HODD"
lg_true "it says there is no quorum" said \
    "quickstart: etcd member $VICTIM has stopped: 1 of 3 members are no quorum, requests answer 503 until one is back ($CLUSTER_DIR/$VICTIM.start &)" 10

lg_note "6. the leader ($LEADER) back with its restart line, as printed"
RESTART_LINE=$(grep '\.start &$' "$OUT" | head -n 1)
lg_is "it prints the restart line for the member it kills" \
    "  $CLUSTER_DIR/$LEADER.start &" "$RESTART_LINE"
[ "$RESTART_LINE" = "  $CLUSTER_DIR/$LEADER.start &" ] ||
    lg_bail "a restart line to run"
T0=$(lg_now_ms)
"$CLUSTER_DIR/$LEADER.start" &
RESTART_PID=$!
MEMBER_PIDS+=" $RESTART_PID"
until_201 15 erin
for n in 1 2; do
	lg_true "a new PUT through web $n answers 201 within 15 s of the restart (after ${TOOK[$n]:-no} ms)" \
	    test -n "${TOOK[$n]}"
done
lg_is "... and meanwhile only 503 storage unavailable with Retry-After: 1 ($N503 of them)" \
    "" "$ODD"
lg_true "it says the member runs again, with the restarted pid" said \
    "quickstart: etcd member $LEADER runs again (pid $RESTART_PID): 2 of 3 members run" 10
lg_is "it is an etcd member of this run" "$LEADER" \
    "$(tr '\0' '\n' 2>/dev/null <"/proc/$RESTART_PID/cmdline" |
    sed -n '/^--name$/{n;p;q}')"
# The locks acknowledged in 4 with two members of three, asked through
# the other server.
for n in 1 2; do
	[ -n "${HELD[$n]}" ] || continue
	on $((3 - n)) GET "/v1/${HELD[$n]% *}"
	lg_expect_lock "the lock acquired through web $n in 4 is held, on web $((3 - n))" \
	    423 true "lock is active" "${HELD[$n]% *}" 60.0
	lg_is "... with the fence it was acquired with" "${HELD[$n]#* }" \
	    "$LG_FENCE"
done

lg_note "7. Ctrl-C"
kill -INT "$QS_PID"
if lg_wait_gone "$QS_PID" 40; then
	wait "$QS_PID"
	rc=$?
	LG_BG_PIDS=${LG_BG_PIDS/ $QS_PID/}
	lg_is "Ctrl-C (SIGINT) stops it with status 0" 0 "$rc"
else
	lg_not_ok "Ctrl-C (SIGINT) stops it within 40 s"
fi
lg_true "it says what it stops" grep -qxF \
    "quickstart: SIGINT received: stopping both web servers, lockgate and the etcd members" \
    "$OUT"
lg_is "its last line says nothing is left running" \
    "quickstart: stopped; nothing left running" "$(tail -n 1 "$OUT")"
if lg_wait_gone "$RESTART_PID" 5; then
	wait "$RESTART_PID" 2>/dev/null
	RESTART_PID=""
fi
left=""
for p in $MEMBER_PIDS $HTTPD_PIDS $RESPONDERS; do
	lg_alive "$p" && left+="$p "
done
lg_is "none of the etcd members, lighttpd and responders it ran is left" \
    "" "$left"
lg_is "no etcd on its temporary directory runs" "" "$(members)"
lg_is "no lighttpd of its run directories runs" "" "$(servers)"
lg_true "no responder of it is left" lg_wait_no_responders 5
busy=""
for p in $PORTS; do
	lg_port_busy "$p" && busy+="$p "
done
lg_is "nothing accepts connections on its ports ($(wc -w <<<"$PORTS") of them)" \
    "" "$busy"
lg_true "its temporary directory is gone" test ! -e "$CLUSTER_DIR"
lg_is "... and nothing else of it is left in TMPDIR" "" "$(ls -A "$QS_TMP")"
lg_is "lockgate logged no error" "" \
    "$(grep -i error "$QS"/run/cluster-*/lockgate.log 2>/dev/null)"
lg_finish
