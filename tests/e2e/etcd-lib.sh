# tests/e2e/etcd-lib.sh: an etcd cluster on loopback ports and lockgate
# web servers on it, for the end-to-end tests of the etcd backend. Sourced
# after lib.sh (and after lg_init):
#	etcd_cluster_start 3        # N members; sets ETCD_ENDPOINTS and the arrays
#	etcd_leader                 # prints the leader's index (1..N); false if none
#	etcd_wait_leader [SECONDS]  # waits for a leader (default 10 s): ETCD_LEADER
#	etcd_kill I                 # SIGKILL member I
#	etcd_restart I              # starts member I again: same data dir and ports
#	etcd_pause I                # SIGSTOP member I
#	etcd_resume I               # SIGCONT member I
#	etcd_read I                 # one linearizable read through member I
#	etcd_server_start NAME PROCS  # lighttpd + PROCS responders on the cluster:
#	                            # ETCD_URL[NAME], ETCD_SRV_DB[NAME], ETCD_SRV_RUN[NAME]
#	etcd_server_stop NAME       # stops it and its responders; 1 if any was left
#	etcd_stop_all               # both of those for everything (at exit, by itself)
#	etcd_pair_start PROCS       # servers A and B behind a balancer: LG_URL
#	etcd_pair_stop              # stops them (lib.sh calls both, see below)
#	etcd_metric NAME            # a /metrics value of A and B together
# Members are numbered from 1: member I is named ETCD_NAME[I] (mI), runs as
# ETCD_PIDS[I] ("" once killed), serves clients on 127.0.0.1:ETCD_CLIENT_PORT[I]
# and peers on ETCD_PEER_PORT[I], keeps its data in $LG_TMP/etcd/mI and logs
# to $LG_TMP/etcd/mI.log (appended to at each restart). Every member and
# server still running is stopped when the script ends (lg_stop_all runs
# etcd_stop_all, through LG_ON_STOP).
# A missing etcd is a failure (Debian: apt-get install etcd-server
# etcd-client), never a skip. This file is bash.
# shellcheck shell=bash
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.

# Loaded once (lib.sh loads it for the suites run on etcd, see etcd_pair_start).
[ -z "${ETCD_LIB_LOADED:-}" ] || return 0
ETCD_LIB_LOADED=1

# Globals set here are read by the scripts that source this file.
# shellcheck disable=SC2034
ETCD_N=0		# members in the cluster
ETCD_DIR=""		# their data directories and logs: $LG_TMP/etcd
ETCD_ENDPOINTS=""	# http://127.0.0.1:PORT,... (LOCKGATE_ETCD_ENDPOINTS)
ETCD_CLUSTER=""		# --initial-cluster: m1=http://127.0.0.1:PEER,...
ETCD_TOKEN=""		# --initial-cluster-token
ETCD_LEADER=""		# the leader's index, set by etcd_wait_leader
ETCD_PIDS=()		# member I's pid, "" when it does not run
ETCD_CLIENT_PORT=()
ETCD_PEER_PORT=()
ETCD_NAME=()
ETCD_ID=()		# member I's id (decimal, as the JSON gateway writes it)
ETCD_SERVERS=""		# the names of the servers etcd_server_start started
declare -gA ETCD_URL=()		# server NAME's http://127.0.0.1:PORT
declare -gA ETCD_SRV_PID=()	# its lighttpd
declare -gA ETCD_SRV_DB=()	# its LOCKGATE_DB (local: wake-ups, metrics)
declare -gA ETCD_SRV_RUN=()	# its run directory (config, sockets, logs)
ETCD_PAIR=""		# the servers behind etcd_pair_start's balancer

# The key etcd_read asks for ("lockgate-e2e-probe", base64): no lockgate
# key has it, whatever the prefix.
ETCD_PROBE_KEY=bG9ja2dhdGUtZTJlLXByb2Jl

# etcd_launch I: starts member I in the background with the cluster's
# settings (an existing data directory is reused: --initial-cluster-state
# is then ignored), its output appended to its log. Fast elections: a
# heartbeat every 100 ms, a new election after 1 s without one.
etcd_launch()
{
	local i=$1 c=${ETCD_CLIENT_PORT[$1]} p=${ETCD_PEER_PORT[$1]}

	etcd --name "${ETCD_NAME[$i]}" --data-dir "$ETCD_DIR/${ETCD_NAME[$i]}" \
	    --listen-client-urls "http://127.0.0.1:$c" \
	    --advertise-client-urls "http://127.0.0.1:$c" \
	    --listen-peer-urls "http://127.0.0.1:$p" \
	    --initial-advertise-peer-urls "http://127.0.0.1:$p" \
	    --initial-cluster "$ETCD_CLUSTER" --initial-cluster-state new \
	    --initial-cluster-token "$ETCD_TOKEN" \
	    --heartbeat-interval 100 --election-timeout 1000 \
	    --auto-compaction-mode periodic --auto-compaction-retention 1h \
	    --quota-backend-bytes $((256 * 1024 * 1024)) \
	    --logger zap --log-outputs stderr \
	    >>"$ETCD_DIR/${ETCD_NAME[$i]}.log" 2>&1 </dev/null &
	ETCD_PIDS[i]=$!
}

# etcd_post I PATH BODY: POSTs BODY (JSON) to member I's JSON gateway,
# 1 s at most; prints the answer, true when it was a 200.
etcd_post()
{
	local out

	out=$(curl -s --max-time 1 -w '\n%{http_code}' -X POST \
	    -d "$3" "http://127.0.0.1:${ETCD_CLIENT_PORT[$1]}$2" 2>/dev/null)
	printf '%s\n' "${out%$'\n'*}"
	[ "${out##*$'\n'}" = 200 ]
}

# etcd_read I: true when member I answers a linearizable read (the
# default for /v3/kv/range): it runs, knows a leader and the leader has a
# quorum.
etcd_read()
{
	local a

	a=$(etcd_post "$1" /v3/kv/range "{\"key\":\"$ETCD_PROBE_KEY\"}") &&
	    [[ $a == *'"header":'*'"revision":'* ]]
}

# etcd_all_read: true when every member answers a linearizable read.
etcd_all_read()
{
	local i

	for i in $(seq 1 "$ETCD_N"); do
		etcd_read "$i" || return 1
	done
}

# etcd_status I: prints member I's "MEMBER_ID LEADER_ID" from
# /v3/maintenance/status (LEADER_ID 0 when it knows none); false when it
# does not answer.
etcd_status()
{
	local a

	a=$(etcd_post "$1" /v3/maintenance/status '{}') || return 1
	printf '%s' "$a" | jq -r '"\(.header.member_id) \(.leader // "0")"' \
	    2>/dev/null
}

# etcd_leader: prints the index (1..N) of the leader: the member a
# majority of the members name and that answers, naming itself; false,
# printing nothing, when there is none (no quorum, an election under way,
# a leader killed or paused that the others still name). A paused member
# costs 1 s.
etcd_leader()
{
	local i st votes="" self=" " id

	for i in $(seq 1 "$ETCD_N"); do
		[ -n "${ETCD_PIDS[$i]}" ] || continue
		st=$(etcd_status "$i") || continue
		[ "${st% *}" = "${st#* }" ] && self+="$i "
		st=${st#* }
		[ -n "$st" ] && [ "$st" != 0 ] && votes+=$st$'\n'
	done
	id=$(printf '%s' "$votes" | sort | uniq -c |
	    awk -v m=$((ETCD_N / 2 + 1)) '$1 >= m { print $2; exit }')
	[ -n "$id" ] || return 1
	for i in $(seq 1 "$ETCD_N"); do
		if [ "${ETCD_ID[$i]}" = "$id" ]; then
			case $self in
			*" $i "*) ;;
			*) return 1 ;;
			esac
			echo "$i"
			return 0
		fi
	done
	return 1
}

# etcd_wait_leader [SECONDS]: waits up to SECONDS (default 10) for a
# leader a majority names; sets ETCD_LEADER to its index. True if one came.
etcd_wait_leader()
{
	local end=$(($(lg_now_ms) + ${1:-10} * 1000))

	ETCD_LEADER=""
	while :; do
		ETCD_LEADER=$(etcd_leader) && return 0
		[ "$(lg_now_ms)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# etcd_member_stop I: stops member I (SIGCONT first, in case it was
# paused, then SIGTERM, SIGKILL after 5 s) and reaps it.
etcd_member_stop()
{
	local p=${ETCD_PIDS[$1]}

	ETCD_PIDS[$1]=""
	[ -n "$p" ] || return 0
	kill -CONT "$p" 2>/dev/null
	kill -TERM "$p" 2>/dev/null
	lg_wait_gone "$p" 5 || kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}

# etcd_cluster_start N: starts N members (default 3) on free loopback
# ports, each with a fresh data directory, and waits up to 30 s until each
# answers a linearizable read. A port taken meanwhile: tries again on
# others, three times. One check; failing is fatal for the script. Sets
# ETCD_ENDPOINTS, the arrays, ETCD_ID and ETCD_LEADER.
etcd_cluster_start()
{
	local n=${1:-3} i used

	command -v etcd >/dev/null 2>&1 ||
	    lg_bail "etcd is installed" \
	    "no etcd in PATH (Debian: apt-get install etcd-server etcd-client)"
	command -v jq >/dev/null 2>&1 || lg_bail "jq is installed"
	case " $LG_ON_STOP " in
	*" etcd_stop_all "*) ;;
	*) LG_ON_STOP="$LG_ON_STOP etcd_stop_all" ;;
	esac
	ETCD_N=$n
	ETCD_DIR=$LG_TMP/etcd
	for _ in 1 2 3; do
		used=" "
		ETCD_CLUSTER=""
		ETCD_ENDPOINTS=""
		ETCD_TOKEN=lockgate-e2e-$$-$RANDOM
		for i in $(seq 1 "$n"); do
			ETCD_NAME[i]=m$i
			ETCD_CLIENT_PORT[i]=$(etcd_new_port "$used") ||
			    lg_bail "found a free loopback port"
			used="$used${ETCD_CLIENT_PORT[$i]} "
			ETCD_PEER_PORT[i]=$(etcd_new_port "$used") ||
			    lg_bail "found a free loopback port"
			used="$used${ETCD_PEER_PORT[$i]} "
			ETCD_CLUSTER+="${ETCD_CLUSTER:+,}m$i=http://127.0.0.1:${ETCD_PEER_PORT[$i]}"
			ETCD_ENDPOINTS+="${ETCD_ENDPOINTS:+,}http://127.0.0.1:${ETCD_CLIENT_PORT[$i]}"
		done
		rm -rf "$ETCD_DIR"
		mkdir -p "$ETCD_DIR" || lg_bail "mkdir $ETCD_DIR"
		for i in $(seq 1 "$n"); do
			etcd_launch "$i"
		done
		if lg_wait_for 30 "" etcd_all_up_or_dead; then
			if etcd_all_read; then
				for i in $(seq 1 "$n"); do
					ETCD_ID[i]=$(etcd_status "$i")
					ETCD_ID[i]=${ETCD_ID[$i]%% *}
				done
				etcd_wait_leader 10
				lg_ok "etcd: $n members ($ETCD_ENDPOINTS) elect a leader (m$ETCD_LEADER) and answer a linearizable read"
				return 0
			fi
		fi
		for i in $(seq 1 "$n"); do
			etcd_member_stop "$i"
		done
		grep -qi 'address already in use' "$ETCD_DIR"/*.log 2>/dev/null ||
		    break
		lg_note "an etcd port was taken meanwhile, trying others"
	done
	etcd_dump_logs 30
	lg_bail "etcd: $n members elect a leader and answer a linearizable read" \
	    "within 30 s, ports $ETCD_ENDPOINTS"
}

# etcd_new_port " USED... ": prints a free loopback port not among USED;
# false when none was found.
etcd_new_port()
{
	local p

	while :; do
		p=$(lg_free_port) || return 1
		case $1 in
		*" $p "*) ;;
		*)
			echo "$p"
			return 0
			;;
		esac
	done
}

# etcd_all_up_or_dead: true when every member answers a linearizable read,
# or when one of them has exited (no use waiting then).
etcd_all_up_or_dead()
{
	local i

	for i in $(seq 1 "$ETCD_N"); do
		lg_alive "${ETCD_PIDS[$i]}" || return 0
	done
	etcd_all_read
}

# etcd_dump_logs [LINES]: prints the members' logs (last LINES lines each,
# default 20) into the test output.
etcd_dump_logs()
{
	lg_dump_files "${1:-20}" "$ETCD_DIR"/m*.log
}

# etcd_kill I: SIGKILLs member I and reaps it.
etcd_kill()
{
	local p=${ETCD_PIDS[$1]}

	ETCD_PIDS[$1]=""
	[ -n "$p" ] || return 0
	kill -KILL "$p" 2>/dev/null
	lg_wait_gone "$p" 5
	wait "$p" 2>/dev/null
	return 0
}

# etcd_restart I: starts member I again, with its data directory and ports
# (stopping it first if it still runs), and waits up to 15 s for it to
# answer a linearizable read (it rejoined and there is a quorum). True if
# it did.
etcd_restart()
{
	etcd_member_stop "$1"
	etcd_launch "$1"
	lg_wait_for 15 "${ETCD_PIDS[$1]}" etcd_read "$1"
}

# etcd_pause I: SIGSTOPs member I (it keeps its sockets and answers
# nothing: a member that hangs).
etcd_pause()
{
	[ -n "${ETCD_PIDS[$1]}" ] && kill -STOP "${ETCD_PIDS[$1]}"
}

# etcd_resume I: SIGCONTs member I.
etcd_resume()
{
	[ -n "${ETCD_PIDS[$1]}" ] && kill -CONT "${ETCD_PIDS[$1]}"
}

# etcd_server_start NAME PROCS: starts a lighttpd (lg_start_lighttpd, in
# the run directory $LG_TMP/srv-NAME) with PROCS lockgate responders on the
# cluster: LOCKGATE_STORE=etcd, LOCKGATE_ETCD_ENDPOINTS=$ETCD_ENDPOINTS, its
# own local LOCKGATE_DB ($LG_TMP/srv-NAME/db) and whatever other LOCKGATE_*
# the script exported (LOCKGATE_ETCD_PREFIX...). Sets ETCD_URL[NAME],
# ETCD_SRV_PID[NAME], ETCD_SRV_DB[NAME], ETCD_SRV_RUN[NAME]; LG_URL,
# LG_PORT, LG_RUN and LG_HTTPD_PID are left as they were. One check;
# failing to start is fatal for the script.
etcd_server_start()
{
	etcd_server_launch "$1" "${2:-2}" "srv-$1" "$LG_TMP/srv-$1/db"
}

# etcd_server_launch NAME PROCS RUNNAME DB: etcd_server_start with the run
# directory $LG_TMP/RUNNAME and the LOCKGATE_DB DB.
etcd_server_launch()
{
	local name=$1 procs=$2
	local save_run=$LG_RUN save_port=$LG_PORT save_url=$LG_URL
	local save_pid=$LG_HTTPD_PID
	local LG_RUNNAME=$3 LG_ETCD_ENDPOINTS=""
	local -x LOCKGATE_DB=$4 LOCKGATE_STORE=etcd
	local -x LOCKGATE_ETCD_ENDPOINTS=$ETCD_ENDPOINTS

	[ -n "$ETCD_ENDPOINTS" ] || lg_bail "etcd_server_start $name: no cluster"
	mkdir -p "$LOCKGATE_DB" || lg_bail "mkdir $LOCKGATE_DB"
	case " $LG_ON_STOP " in
	*" etcd_stop_all "*) ;;
	*) LG_ON_STOP="$LG_ON_STOP etcd_stop_all" ;;
	esac
	LG_HTTPD_PID=""
	lg_note "server $name: lighttpd and lockgate on the etcd cluster"
	lg_start_lighttpd "$procs"
	ETCD_URL[$name]=$LG_URL
	ETCD_SRV_PID[$name]=$LG_HTTPD_PID
	ETCD_SRV_DB[$name]=$LOCKGATE_DB
	ETCD_SRV_RUN[$name]=$LG_RUN
	case " $ETCD_SERVERS " in
	*" $name "*) ;;
	*) ETCD_SERVERS="$ETCD_SERVERS $name" ;;
	esac
	LG_RUN=$save_run LG_PORT=$save_port LG_URL=$save_url
	LG_HTTPD_PID=$save_pid
}

# etcd_server_stop NAME: stops server NAME's lighttpd (SIGTERM, SIGKILL
# after 5 s) and waits up to 5 s for its responders (the program with its
# LOCKGATE_DB), killing those left; scans the logs for sanitizer reports.
# True when everything stopped by itself.
etcd_server_stop()
{
	local name=$1 p=${ETCD_SRV_PID[$1]:-} rc=0 r

	[ -n "$p" ] || return 0
	ETCD_SRV_PID[$name]=""
	kill -TERM "$p" 2>/dev/null
	if ! lg_wait_gone "$p" 5; then
		kill -KILL "$p" 2>/dev/null
		rc=1
	fi
	wait "$p" 2>/dev/null
	if ! LOCKGATE_DB=${ETCD_SRV_DB[$name]} lg_wait_no_responders 5; then
		for r in $(LOCKGATE_DB=${ETCD_SRV_DB[$name]} lg_responders); do
			echo "# killing leftover responder $r of server $name"
			kill -KILL "$r" 2>/dev/null
		done
		rc=1
	fi
	lg_san_scan
	return $rc
}

# etcd_stop_all: stops every server etcd_server_start started, then every
# member. Run by lg_stop_all at the end (LG_ON_STOP); a second run does
# nothing.
etcd_stop_all()
{
	local s i

	for s in $ETCD_SERVERS; do
		etcd_server_stop "$s"
	done
	for i in $(seq 1 "$ETCD_N"); do
		etcd_member_stop "$i"
	done
}

# ---------------------------------------------------------------------------
# The suites on etcd. etcd-suites.sh runs getlock.sh, lss.sh and owners.sh
# unchanged with LG_ETCD_ENDPOINTS (the cluster) and LG_ETCD_PREFIX (a key
# prefix of that run's own) in their environment; lib.sh then loads this
# file, and its lg_start_lighttpd, lg_stop_lighttpd and lg_stop_all call
# etcd_pair_start and etcd_pair_stop: each "server" of a suite is two
# lockgate servers on the cluster behind a lighttpd balancer that sends
# each request to the next of them (round-robin), production's layout, so
# that one request of a suite after the other goes to a different server.

# etcd_pair_start PROCS: starts servers A (PROCS/2 responders, rounded up)
# and B (PROCS/2, rounded down: none for PROCS 1, so that a bound of one
# responder stays one), each with its own local directory under
# LOCKGATE_DB and its run directory under $LG_TMP/$LG_RUNNAME, on the keys
# under LG_ETCD_PREFIX + LOCKGATE_DB's name + "/": a new LOCKGATE_DB, which
# is a new empty store on LMDB, is a new empty key range here, and the same
# LOCKGATE_DB the same store. Then the balancer, on a free port, in the
# run directory; it, its error log and LG_URL/LG_PORT/LG_RUN/LG_HTTPD_PID
# stand for the server lg_start_lighttpd would have started. Failing to
# start is fatal for the script.
etcd_pair_start()
{
	local procs=${1:-4} a b both=""
	local -x LOCKGATE_ETCD_PREFIX=$LG_ETCD_PREFIX${LOCKGATE_DB##*/}/

	a=$(((procs + 1) / 2))
	b=$((procs / 2))
	ETCD_ENDPOINTS=$LG_ETCD_ENDPOINTS
	LG_RUN=$LG_TMP/$LG_RUNNAME
	mkdir -p "$LG_RUN" || lg_bail "mkdir $LG_RUN"
	etcd_server_launch A "$a" "$LG_RUNNAME/A" "$LOCKGATE_DB/A"
	ETCD_PAIR=A
	if [ "$b" -gt 0 ]; then
		etcd_server_launch B "$b" "$LG_RUNNAME/B" "$LOCKGATE_DB/B"
		ETCD_PAIR="A B"
		both=" and B ($b)"
	fi
	for _ in 1 2 3; do
		LG_PORT=$(lg_free_port) || lg_bail "found a free loopback port"
		LG_URL="http://127.0.0.1:$LG_PORT"
		lg_san_scan
		rm -f "$LG_RUN/error.log" "$LG_RUN/lighttpd.out"
		etcd_balancer_conf >"$LG_RUN/lighttpd.conf"
		lighttpd -D -f "$LG_RUN/lighttpd.conf" \
		    >"$LG_RUN/lighttpd.out" 2>&1 </dev/null &
		LG_HTTPD_PID=$!
		if lg_wait_http 200 "$LG_URL$LG_MOUNT/v1/health" \
		    ${LG_TOKEN:+-H "Authorization: Bearer $LG_TOKEN"} \
		    --max-time 1; then
			lg_ok "a balancer in front of server A ($a responders)$both answers $LG_MOUNT/v1/health on port $LG_PORT"
			return 0
		fi
		lg_port_taken "$LG_RUN/error.log" "$LG_RUN/lighttpd.out" ||
		    break
	done
	lg_dump_logs
	lg_bail "the balancer in front of the servers on etcd answers GET /v1/health with 200" \
	    "last status $LG_CODE after 10 s"
}

# etcd_balancer_conf: prints the balancer's lighttpd.conf: LG_PORT, logs in
# LG_RUN, every request passed to the servers of ETCD_PAIR in turn.
etcd_balancer_conf()
{
	local s u sep=""

	cat <<CONF
server.bind          = "127.0.0.1"
server.port          = $LG_PORT
server.document-root = "$LG_RUN"
server.errorlog      = "$LG_RUN/error.log"
server.max-request-size = 1024
server.modules += ( "mod_proxy" )
proxy.balance = "round-robin"
CONF
	printf 'proxy.server = ( "" => (\n'
	for s in $ETCD_PAIR; do
		u=${ETCD_URL[$s]}
		printf '%s\t( "host" => "127.0.0.1", "port" => %s )' "$sep" \
		    "${u##*:}"
		sep=$',\n'
	done
	printf '\n) )\n'
}

# etcd_served NAME: prints how many requests server NAME answered on the
# lock surfaces (its lockgate_requests_total but for health and metrics),
# asking with the admin token when there is one (LOCKGATE_METRICS=admin).
etcd_served()
{
	curl -s --max-time 5 ${LOCKGATE_ADMIN_TOKEN:+-H \
	    "Authorization: Bearer $LOCKGATE_ADMIN_TOKEN"} \
	    "${ETCD_URL[$1]}/metrics" | awk '
	    /^lockgate_requests_total\{/ && !/surface="(health|metrics)"/ {
		n += $2 }
	    END { print n + 0 }'
}

# etcd_pair_stop: lg_stop_lighttpd for etcd_pair_start's servers: one
# check that the balancer sent requests to each server (when there are
# two), then stops the balancer, each server and its responders
# (etcd_server_stop), and appends each server's error log and responders'
# log to the balancer's (LG_RUN/error.log, LG_RUN/lockgate.log), which the
# suites read. True when everything stopped by itself.
etcd_pair_stop()
{
	local rc=0 s na nb

	if [ "$ETCD_PAIR" = "A B" ] && [ "${LOCKGATE_METRICS:-}" = off ]; then
		lg_note "LOCKGATE_METRICS=off: the servers do not say how many requests each answered"
	elif [ "$ETCD_PAIR" = "A B" ]; then
		na=$(etcd_served A)
		nb=$(etcd_served B)
		lg_true "the balancer sent lock requests to both servers (A answered $na, B $nb)" \
		    test "$na" -gt 0 -a "$nb" -gt 0
	fi
	if [ -n "$LG_HTTPD_PID" ]; then
		kill -TERM "$LG_HTTPD_PID" 2>/dev/null
		if ! lg_wait_gone "$LG_HTTPD_PID" 5; then
			kill -KILL "$LG_HTTPD_PID" 2>/dev/null
			rc=1
		fi
		wait "$LG_HTTPD_PID" 2>/dev/null
		LG_HTTPD_PID=""
	fi
	for s in $ETCD_PAIR; do
		etcd_server_stop "$s" || rc=1
		cat "${ETCD_SRV_RUN[$s]}/error.log" >>"$LG_RUN/error.log" \
		    2>/dev/null
		cat "${ETCD_SRV_RUN[$s]}/lockgate.log" >>"$LG_RUN/lockgate.log" \
		    2>/dev/null
	done
	ETCD_PAIR=""
	lg_san_scan
	return $rc
}

# etcd_metric NAME [ABSENT]: the value of the /metrics series NAME (with its
# labels) for the servers of ETCD_PAIR together: a count of each server's
# own (requests, waits, the waiting gauge) is the sum of theirs; one of
# the cluster's (lockgate_records, lockgate_fence) is asked through the
# balancer. ABSENT (default "?") when no server has it.
etcd_metric()
{
	local n=$1 s v sum="" urls=""

	case $n in
	lockgate_records | lockgate_fence) urls=$LG_URL ;;
	*)
		for s in $ETCD_PAIR; do
			urls="$urls ${ETCD_URL[$s]}"
		done
		;;
	esac
	for s in $urls; do
		v=$(curl -s --max-time 5 "$s/metrics" |
		    awk -v n="$n" '$1 == n { print $2; exit }')
		[ -n "$v" ] || continue
		if [[ $v =~ ^[0-9]+$ ]] && [[ ${sum:-0} =~ ^[0-9]+$ ]]; then
			sum=$((${sum:-0} + v))
		else
			sum="$sum${sum:+ + }$v"
		fi
	done
	echo "${sum:-${2:-?}}"
}
