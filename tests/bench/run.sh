#!/usr/bin/env bash
# tests/bench/run.sh: the benchmark ("make bench"; not part of "make check").
#
# Serves a do-nothing FastCGI responder (tests/bench/null.c, the ceiling)
# and the built lockgate.fcgi side by side, each through its own lighttpd on
# a loopback port, with the same number of responder processes, and each
# through its own Apache (below); drives them with wrk and the Lua scripts
# beside this file, and prints one table: requests/s, latency p50/p99, the
# answers by status and the ratio to the null responder behind the same web
# server. Each lockgate run is paired with a run of the same scenario
# against the null responder just before it (the idle servers wait in accept
# and take no CPU), so that the ratio does not depend on how the machine's
# speed drifts over the minutes of the run.
#
# lockgate runs on a fresh temporary database for each number of live locks
# in BENCH_LEVELS (preloaded with tests/bench/preload.c, see there), with
# LOCKGATE_SYNC=full unless the environment says otherwise. At each level
# the scenarios of BENCH_APACHE_SCENARIOS then run behind Apache, as
# "./quickstart serve" serves by default: Apache 2.4 (event MPM,
# mod_proxy_fcgi, apache/mkconf) in front of one lockgate.fcgi --listen
# process on a Unix socket, on a copy of the level's preloaded database,
# each run paired with the null responder behind its own Apache the same way
# (one process on a Unix socket, under spawn-fcgi). For reference, new-lock
# PUTs then run once more on a fresh database with LOCKGATE_SYNC=nosync
# (commits not flushed: not durable), which shows how much of a durable
# write's time is the disk's. Then, for each cluster size of
# BENCH_ETCD_MEMBERS, a fresh etcd cluster on loopback ports (its data in
# the temporary directory, the settings doc/scaling.md recommends): etcd
# itself, driven straight at its leader through its JSON gateway (a
# linearizable range of one key, a create-if-absent transaction on a new
# key), each run just before lockgate's GET and new-lock PUT through
# lighttpd with LOCKGATE_STORE=etcd on that cluster (the endpoints leader
# first), and those paired with the null responder as the others are; a
# second table gives lockgate's rate over etcd's. Then lighttpd mod_cgi
# runs lockgate.fcgi as a plain CGI program. The peak RSS (VmHWM) of every FastCGI responder,
# lockgate's and the null one's, is read before its server stops. A null
# responder's run that got anything but 200, or socket errors other than a
# few read errors, is noted under the table (its ratios are then not to be
# trusted).
#
# Scenarios (the Lua script of each):
#   get          GET of a held lock (random among the preloaded)  423
#   put_refresh  PUT refreshing one held lock                     200
#   owner        PUT ?owner=X / DELETE ?owner=X, contended        201/200, 423
#   put_new      PUT of a fresh random UUID each request          201
#   delete       DELETE of locks made beforehand, each once       200 (404: pool used up)
# and, against etcd itself:
#   etcd_range   POST /v3/kv/range of one key that exists         200
#   etcd_create  POST /v3/kv/txn: create a new key if absent      200 (409: it was there)
#
# Settings (environment):
#   BENCH_DURATION      seconds per wrk run (10)
#   BENCH_CONNECTIONS   wrk connections (32)
#   BENCH_THREADS       wrk threads (nproc, at most the connections); the
#                       owner scenario always uses one thread per connection
#   BENCH_PROCS         responder processes lighttpd starts (2)
#   BENCH_LEVELS        live locks preloaded before each lockgate pass
#                       ("0 1000 1000000")
#   BENCH_SCENARIOS     which scenarios, in this order
#                       ("get put_refresh owner put_new delete")
#   BENCH_CEILING       1: measure the null responder before each lockgate
#                       run; 0: skip it, for quick comparisons of lockgate
#                       settings (1)
#   BENCH_NOSYNC        1: also the not-durable put_new reference (when
#                       put_new is among the scenarios and LOCKGATE_SYNC is
#                       not nosync already); 0: skip (1)
#   BENCH_CGI           1: also measure CGI mode; 0: skip (1)
#   BENCH_APACHE        1: also measure behind Apache; 0: skip (1)
#   BENCH_APACHE_SCENARIOS  the scenarios measured behind Apache at each
#                       level ("get put_new")
#   BENCH_ETCD          1: also measure lockgate on etcd beside etcd
#                       itself; 0: skip (1)
#   BENCH_ETCD_MEMBERS  the sizes of the etcd clusters measured ("1 3")
#   BENCH_CGI_CONNECTIONS  wrk connections in CGI mode (4)
#   BENCH_DELETE_POOL   locks made for the delete scenario (10000 per
#                       second of BENCH_DURATION)
#   BENCH_DIR           where the temporary directory goes ($TMPDIR or /tmp);
#                       it holds the databases: use a real disk, not tmpfs
#   BENCH_KEEP          1: keep the temporary directory
#   LOCKGATE_*          passed to lockgate (LOCKGATE_THREADS, LOCKGATE_SYNC,
#                       ...); LOCKGATE_DB is always the temporary one
# make bench sets LOCKGATE_FCGI, BENCH_NULL, BENCH_PRELOAD, BENCH_FLUSH
# (the built programs) and LOCKGATE_SRCDIR.
#
# Needs wrk, lighttpd and curl; apache2 and spawn-fcgi for the Apache
# runs; etcd (Debian: etcd-server) for the etcd runs. Run as root, Apache's children run as www-data, as quickstart
# runs them, and reach the sockets through the group www-data.
#
# Only 127.0.0.1 is used. Every wrk run is bounded with timeout(1); every
# process started here is stopped on exit, Ctrl-C included.
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.

set -euo pipefail
LC_ALL=C
export LC_ALL

say()
{
	printf 'bench: %s\n' "$*" >&2
}

die()
{
	printf 'bench: error: %s\n' "$*" >&2
	exit 1
}

# posint NAME VALUE: VALUE must be a whole number above 0.
posint()
{
	[[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 must be a whole number above 0, not '$2'"
}

# ---------------------------------------------------------------------------
# Settings and checks

DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNECTIONS:-32}
PROCS=${BENCH_PROCS:-2}
LEVELS=${BENCH_LEVELS:-0 1000 1000000}
SCENARIOS=${BENCH_SCENARIOS:-get put_refresh owner put_new delete}
CGI=${BENCH_CGI:-1}
APACHE=${BENCH_APACHE:-1}
APACHE_SCENARIOS=${BENCH_APACHE_SCENARIOS:-get put_new}
NOSYNC=${BENCH_NOSYNC:-1}
CEILING=${BENCH_CEILING:-1}
CGI_CONNS=${BENCH_CGI_CONNECTIONS:-4}
ETCD=${BENCH_ETCD:-1}
ETCD_MEMBERS=${BENCH_ETCD_MEMBERS:-1 3}
posint BENCH_DURATION "$DURATION"
posint BENCH_CONNECTIONS "$CONNS"
posint BENCH_PROCS "$PROCS"
posint BENCH_CGI_CONNECTIONS "$CGI_CONNS"
NPROC=$(nproc 2>/dev/null || echo 1)
THREADS=${BENCH_THREADS:-$((NPROC < CONNS ? NPROC : CONNS))}
posint BENCH_THREADS "$THREADS"
[ "$THREADS" -le "$CONNS" ] || THREADS=$CONNS
POOL=${BENCH_DELETE_POOL:-$((DURATION * 10000))}
posint BENCH_DELETE_POOL "$POOL"
for l in $LEVELS; do
	[[ $l =~ ^[0-9]+$ ]] || die "BENCH_LEVELS must be numbers of locks, not '$l'"
done
for m in $ETCD_MEMBERS; do
	posint BENCH_ETCD_MEMBERS "$m"
done
for s in $SCENARIOS $APACHE_SCENARIOS; do
	case $s in
	get | put_refresh | owner | put_new | delete) ;;
	*) die "unknown scenario '$s' in BENCH_SCENARIOS" ;;
	esac
done

command -v wrk >/dev/null 2>&1 ||
    die "wrk is not installed (Debian: apt-get install wrk; ./quickstart bench installs it)"
command -v lighttpd >/dev/null 2>&1 ||
    die "lighttpd is not installed (Debian: apt-get install lighttpd)"
command -v curl >/dev/null 2>&1 ||
    die "curl is not installed (Debian: apt-get install curl)"
command -v timeout >/dev/null 2>&1 || die "timeout (coreutils) is missing"
if [ "$ETCD" = 1 ]; then
	command -v etcd >/dev/null 2>&1 ||
	    die "etcd is not installed (Debian: apt-get install etcd-server), or set BENCH_ETCD=0"
fi
if [ "$APACHE" = 1 ]; then
	command -v apache2 >/dev/null 2>&1 ||
	    die "apache2 is not installed or not in PATH (Debian: apt-get install apache2), or set BENCH_APACHE=0"
	command -v spawn-fcgi >/dev/null 2>&1 ||
	    die "spawn-fcgi is not installed (Debian: apt-get install spawn-fcgi), or set BENCH_APACHE=0"
	if [ "$(id -u)" -eq 0 ]; then
		getent group www-data >/dev/null 2>&1 ||
		    die "run as root, Apache's children run as www-data, and there is no group www-data"
	fi
fi

: "${LOCKGATE_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${LOCKGATE_FCGI:=$LOCKGATE_SRCDIR/src/lockgate.fcgi}"
: "${BENCH_NULL:=$LOCKGATE_SRCDIR/tests/bench/null.fcgi}"
: "${BENCH_PRELOAD:=$LOCKGATE_SRCDIR/tests/bench/preload}"
: "${BENCH_FLUSH:=$LOCKGATE_SRCDIR/tests/bench/flush}"
for p in LOCKGATE_FCGI BENCH_NULL BENCH_PRELOAD BENCH_FLUSH; do
	[ -x "${!p}" ] || die "$p=${!p} is not a program: run 'make bench' (after ./configure)"
done
LUADIR=$LOCKGATE_SRCDIR/tests/bench
MKCONF=$LOCKGATE_SRCDIR/lighttpd/mkconf
APACHE_MKCONF=$LOCKGATE_SRCDIR/apache/mkconf
[ -f "$LUADIR/common.lua" ] || die "no Lua scripts in $LUADIR"
[ -x "$MKCONF" ] || die "$MKCONF is missing"
[ "$APACHE" != 1 ] || [ -x "$APACHE_MKCONF" ] || die "$APACHE_MKCONF is missing"
FCGI_REAL=$(readlink -f "$LOCKGATE_FCGI")
NULL_REAL=$(readlink -f "$BENCH_NULL")

# The database settings every lockgate process of the run shares. Full
# durability unless asked otherwise; room for more records than the
# default 1,000,000, for the largest level plus what the runs add. The map
# size stays lockgate's default (1G), which a million locks fit well.
export LOCKGATE_SYNC=${LOCKGATE_SYNC:-full}
export LOCKGATE_MAX_RECORDS=${LOCKGATE_MAX_RECORDS:-100000000}
# Preloaded locks outlive any run.
HELD_TTL=86400
export BENCH_HELD_PREFIX=a0000000
export BENCH_POOL_PREFIX=d0000000
export BENCH_OWNER_ID=c0000000-0000-4000-8000-000000000000
# The key etcd_range.lua reads; etcd_create.lua makes keys under
# lockgate-bench/new/. Neither is under lockgate's own prefix.
export BENCH_ETCD_KEY=lockgate-bench/held

TMP=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/lockgate-bench.XXXXXX") ||
    die "cannot make a temporary directory"
# Unix socket paths are limited to 107 bytes.
[ ${#TMP} -le 80 ] || die "the temporary directory $TMP is too long a path for sockets; set BENCH_DIR"
FSTYPE=$(stat -f -c %T "$TMP" 2>/dev/null || echo unknown)
# Apache's sockets, in a directory anyone may pass through: as root,
# Apache's children (www-data) must reach them, whatever the permissions
# of BENCH_DIR and of $TMP (0700).
SOCKDIR=""
if [ "$APACHE" = 1 ]; then
	SOCKDIR=$(mktemp -d "${TMPDIR:-/tmp}/lockgate-bench-sock.XXXXXX") || {
		rm -rf "$TMP"
		die "cannot make a directory for the sockets"
	}
	chmod 0755 "$SOCKDIR"
	[ ${#SOCKDIR} -le 80 ] || {
		rm -rf "$TMP" "$SOCKDIR"
		die "the directory $SOCKDIR is too long a path for sockets; set TMPDIR"
	}
fi

# ---------------------------------------------------------------------------
# Processes

# The servers, one in each slot: "lockgate" (the one serving lockgate
# now), "null" (the null responder behind lighttpd), "null-apache"
# (behind Apache) and "etcd" (the members of the etcd cluster of the
# moment, its leader's client port as PORT). The variables below are the current slot's server,
# the one being started, stopped or measured: its web server's pid and
# kind (lighttpd or apache), the responder started beside Apache
# (lighttpd starts its own), the program its responders run, its
# directory, port and, behind Apache, the responder's socket. use and
# in_slot switch slots, keeping the others' in SLOTS meanwhile.
HTTPD_PID=""
HTTPD_KIND=""
FCGI_PID=""
SERVER_EXE=""
RUNDIR=""
PORT=""
SOCKET=""
SLOT_VARS="HTTPD_PID HTTPD_KIND FCGI_PID SERVER_EXE RUNDIR PORT SOCKET"
SLOT=lockgate
declare -A SLOTS=()
WRK_PID=""		# timeout(1) running wrk, while it runs

# use SLOT: makes SLOT's server the current one; the current one's
# variables are kept until its slot is used again.
use()
{
	local v

	for v in $SLOT_VARS; do
		SLOTS[$SLOT:$v]=${!v}
	done
	SLOT=$1
	for v in $SLOT_VARS; do
		printf -v "$v" '%s' "${SLOTS[$SLOT:$v]:-}"
	done
}

# in_slot SLOT COMMAND...: runs COMMAND with SLOT's server as the current
# one (a failing COMMAND stops the script, as anywhere else; cleanup then
# finds every server).
in_slot()
{
	local back=$SLOT

	use "$1"
	shift
	"$@"
	use "$back"
}

# with_null COMMAND...: in_slot of the null responder behind the same kind
# of web server as the current one.
with_null()
{
	if [ "$HTTPD_KIND" = apache ]; then
		in_slot null-apache "$@"
	else
		in_slot null "$@"
	fi
}

# mark: the mark in the current slot's responders' environment
# (BENCH_MARK), to find exactly this run's and this server's.
mark()
{
	printf '%s-%s' "$$" "$SLOT"
}

alive()
{
	local st

	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	case $st in
	'' | Z* | X*) return 1 ;;
	esac
	return 0
}

# responders: pids of the current server's live responder processes (of
# this run and slot, running its program).
responders()
{
	local d m

	[ -n "$SERVER_EXE" ] || return 0
	m=BENCH_MARK=$(mark)
	for d in /proc/[0-9]*; do
		[ "$(readlink "$d/exe" 2>/dev/null)" = "$SERVER_EXE" ] || continue
		tr '\0' '\n' 2>/dev/null <"$d/environ" |
		    grep -qxF "$m" || continue
		alive "${d#/proc/}" && echo "${d#/proc/}"
	done
	return 0
}

# apache_left: pids of the current Apache's processes still alive (its
# children have the parent's command line, with the configuration's path).
apache_left()
{
	local d conf=$RUNDIR/httpd.conf

	[ "$HTTPD_KIND" = apache ] && [ -n "$RUNDIR" ] || return 0
	for d in /proc/[0-9]*; do
		tr '\0' '\n' 2>/dev/null <"$d/cmdline" | grep -qxF "$conf" ||
		    continue
		alive "${d#/proc/}" && echo "${d#/proc/}"
	done
	return 0
}

# stop_server: stops the current server: its web server (SIGTERM, then
# SIGKILL after 10 s) with any Apache child left after it, the responder
# started beside Apache (SIGTERM), and any responder of its program still
# there 5 s later (SIGKILL).
stop_server()
{
	local n p

	if [ -n "$HTTPD_PID" ]; then
		kill -TERM "$HTTPD_PID" 2>/dev/null || true
		n=100
		while alive "$HTTPD_PID" && [ "$n" -gt 0 ]; do
			sleep 0.1
			n=$((n - 1))
		done
		if alive "$HTTPD_PID"; then
			say "$HTTPD_KIND did not stop within 10 s: killing it"
			kill -KILL "$HTTPD_PID" 2>/dev/null || true
		fi
		wait "$HTTPD_PID" 2>/dev/null || true
		HTTPD_PID=""
	fi
	for p in $(apache_left); do
		say "Apache's process $p outlived its parent: killing it"
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ -n "$FCGI_PID" ]; then
		kill -TERM "$FCGI_PID" 2>/dev/null || true
	fi
	n=50
	while [ -n "$(responders)" ] && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	for p in $(responders); do
		say "responder $p did not stop within 5 s: killing it"
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ -n "$FCGI_PID" ]; then
		wait "$FCGI_PID" 2>/dev/null || true
		FCGI_PID=""
	fi
}

cleanup()
{
	trap '' INT TERM HUP
	if [ -n "$WRK_PID" ]; then
		kill -TERM "$WRK_PID" 2>/dev/null || true
		wait "$WRK_PID" 2>/dev/null || true
	fi
	use lockgate
	# Interrupted in CGI mode: wait for the CGI processes still running.
	[ -n "$SERVER_EXE" ] || SERVER_EXE=$FCGI_REAL
	stop_server
	in_slot null stop_server
	in_slot null-apache stop_server
	in_slot etcd stop_etcd
	[ -z "$SOCKDIR" ] || rm -rf "$SOCKDIR"
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

port_busy()
{
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_server NAME KIND CONFIG-WRITER...: starts the current slot's web
# server, KIND lighttpd or apache, on a free loopback port with the
# configuration the command prints (given PORT and RUNDIR, $TMP/NAME),
# waits up to 15 s for GET /v1/health to answer 200. Apache's responder
# must be serving already (start_apache).
start_server()
{
	local name=$1 n code conf out

	HTTPD_KIND=$2
	shift 2
	RUNDIR=$TMP/$name
	mkdir -p "$RUNDIR"
	if [ "$HTTPD_KIND" = apache ]; then
		conf=$RUNDIR/httpd.conf out=$RUNDIR/apache2.out
	else
		conf=$RUNDIR/lighttpd.conf out=$RUNDIR/lighttpd.out
	fi
	for _ in 1 2 3 4 5; do
		PORT=$((20000 + RANDOM % 40000))
		port_busy "$PORT" && continue
		"$@" >"$conf" || die "cannot write the $HTTPD_KIND configuration"
		rm -f "$RUNDIR/error.log" "$out"
		if [ "$HTTPD_KIND" = apache ]; then
			apache2 -f "$conf" -DFOREGROUND </dev/null >"$out" 2>&1 &
		else
			BENCH_MARK=$(mark) lighttpd -D -f "$conf" </dev/null \
			    >"$out" 2>&1 &
		fi
		HTTPD_PID=$!
		n=150
		code=000
		while [ "$n" -gt 0 ] && alive "$HTTPD_PID"; do
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
			    "http://127.0.0.1:$PORT/v1/health" 2>/dev/null) || true
			[ "$code" = 200 ] && return 0
			sleep 0.1
			n=$((n - 1))
		done
		if ! alive "$HTTPD_PID" && grep -qi 'address already in use' \
		    "$out" "$RUNDIR/error.log" 2>/dev/null; then
			wait "$HTTPD_PID" 2>/dev/null || true
			HTTPD_PID=""
			continue
		fi
		break
	done
	for f in "$out" "$RUNDIR/error.log" "$RUNDIR/lockgate.log"; do
		[ -s "$f" ] && { echo "---- $f"; tail -n 20 "$f"; } >&2
	done
	die "$HTTPD_KIND ($name) did not answer GET /v1/health with 200 (last status $code)"
}

# fastcgi_conf FCGI: the configuration lighttpd/mkconf prints, as used by
# quickstart and the tests.
fastcgi_conf()
{
	"$MKCONF" "$PORT" "$RUNDIR" "$1" "$PROCS"
}

# start_apache NAME: the current slot's program (SERVER_EXE) serving a
# Unix socket on its own, and Apache in front of it, as quickstart serves
# lockgate: lockgate.fcgi --listen SOCKET; the null responder under
# spawn-fcgi, which binds the socket the same way (mode 0660, backlog
# 128) and runs the program in its place with the socket as fd 0, where
# libfcgi accepts as it does under lighttpd. As root the socket's group is
# www-data, the user Apache's children run as.
start_apache()
{
	local name=$1 dir=$TMP/$1 n

	HTTPD_KIND=apache
	RUNDIR=$dir
	mkdir -p "$dir"
	SOCKET=$SOCKDIR/$name.sock
	rm -f "$SOCKET"
	if [ "$SERVER_EXE" = "$NULL_REAL" ]; then
		BENCH_MARK=$(mark) spawn-fcgi -n -s "$SOCKET" -M 0660 -b 128 \
		    -- "$NULL_REAL" </dev/null >>"$dir/lockgate.log" 2>&1 &
	else
		BENCH_MARK=$(mark) "$SERVER_EXE" --listen "$SOCKET" </dev/null \
		    >>"$dir/lockgate.log" 2>&1 &
	fi
	FCGI_PID=$!
	n=50
	while [ ! -S "$SOCKET" ] && alive "$FCGI_PID" && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	if [ ! -S "$SOCKET" ]; then
		[ -s "$dir/lockgate.log" ] && tail -n 20 "$dir/lockgate.log" >&2
		die "$(basename "$SERVER_EXE") ($name) did not make its socket $SOCKET within 5 s"
	fi
	if [ "$(id -u)" -eq 0 ]; then
		chgrp www-data "$SOCKET" || die "chgrp www-data $SOCKET"
	fi
	start_server "$name" apache apache_conf
}

# apache_conf: the configuration apache/mkconf prints for the current
# SOCKET, as quickstart uses it (as root: Apache's children run as
# www-data).
apache_conf()
{
	if [ "$(id -u)" -eq 0 ]; then
		"$APACHE_MKCONF" "$PORT" "$RUNDIR" "$SOCKET" www-data www-data
	else
		"$APACHE_MKCONF" "$PORT" "$RUNDIR" "$SOCKET"
	fi
}

# cgi_conf: lockgate.fcgi as a CGI program (mod_cgi), written like mkconf.
# /v1/<uuid> maps onto the program; lighttpd gives PATH_INFO=/<uuid> and
# SCRIPT_NAME=/v1. mod_cgi gives a CGI program only the CGI variables, so
# the LOCKGATE_* settings are passed with setenv.
cgi_conf()
{
	local v first=1

	cat <<CONF
server.bind          = "127.0.0.1"
server.port          = $PORT
server.document-root = "$RUNDIR"
server.pid-file      = "$RUNDIR/lighttpd.pid"
server.errorlog      = "$RUNDIR/error.log"
server.breakagelog   = "$RUNDIR/lockgate.log"
server.max-request-size = 1024
server.modules += ( "mod_alias", "mod_cgi", "mod_setenv" )
alias.url = ( "/v1" => "$FCGI_REAL" )
cgi.assign = ( "$(basename "$FCGI_REAL")" => "" )
CONF
	printf 'setenv.set-environment = ('
	while IFS= read -r v; do
		[ "$first" = 1 ] || printf ','
		first=0
		printf '\n\t"%s" => "%s"' "$v" "${!v}"
	done < <(compgen -e | grep '^LOCKGATE_' | grep -v '^LOCKGATE_\(FCGI\|SRCDIR\)$')
	printf ',\n\t"BENCH_MARK" => "%s"\n)\n' "$(mark)"
}

# ---------------------------------------------------------------------------
# etcd

ETCD_REAL=""
[ "$ETCD" != 1 ] || ETCD_REAL=$(readlink -f "$(command -v etcd)")
ETCD_VERSION=""
[ "$ETCD" != 1 ] || ETCD_VERSION=$(etcd --version 2>/dev/null |
    sed -n 's/^etcd Version: *//p')
ETCD_ENDPOINTS=""	# the cluster's client URLs, the leader's first
ETCD_PORTS=" "		# the ports the cluster being started has taken
FREE_PORT=""

# Ports for etcd come from below the kernel's range of ephemeral ports,
# which an outgoing connection (wrk's, curl's) may hold when a member binds.
EPHEMERAL_LOW=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null) ||
    EPHEMERAL_LOW=32768
[[ $EPHEMERAL_LOW =~ ^[0-9]+$ ]] && [ "$EPHEMERAL_LOW" -gt 12000 ] ||
    EPHEMERAL_LOW=60000

# etcd_port: sets FREE_PORT to a loopback port nothing listens on that the
# cluster being started has not taken yet.
etcd_port()
{
	local p

	for _ in $(seq 100); do
		p=$((10000 + RANDOM % (EPHEMERAL_LOW - 10000)))
		[[ $ETCD_PORTS == *" $p "* ]] && continue
		port_busy "$p" && continue
		ETCD_PORTS+="$p "
		FREE_PORT=$p
		return 0
	done
	die "found no free loopback port for etcd"
}

# members N: "1 member" or "N members".
members()
{
	if [ "$1" = 1 ]; then
		echo "1 member"
	else
		echo "$1 members"
	fi
}

# b64 STRING: STRING in base64, as etcd's JSON gateway takes keys and
# values.
b64()
{
	printf '%s' "$1" | base64 -w 0
}

# etcd_post PATH BODY: POSTs BODY to PATH of the current cluster's leader
# (etcd's JSON gateway); prints the answer.
etcd_post()
{
	curl -s --max-time 10 -X POST -d "$2" "http://127.0.0.1:$PORT$1"
}

# etcd_field NAME: the value of the first "NAME":"VALUE" in the answer on
# standard input (the gateway writes 64-bit numbers as strings).
etcd_field()
{
	sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}

# start_etcd SIZE: in the current slot (etcd), a fresh cluster of SIZE
# members on loopback ports, its data in $TMP/etcd-SIZE, with the settings
# doc/scaling.md recommends (fast elections, compaction on); waits up to
# 30 s for every member to answer that it has a leader (a member that could
# not bind its ports: the cluster again on other ports, three times at
# most). Then PORT is the leader's client port and ETCD_ENDPOINTS lists
# every member's, the leader's first.
start_etcd()
{
	local size=$1 i ok initial st lead="" deadline
	local -a cport pport

	RUNDIR=$TMP/etcd-$size
	SERVER_EXE=$ETCD_REAL
	for _ in 1 2 3; do
		rm -rf "$RUNDIR"
		mkdir -p "$RUNDIR"
		ETCD_PORTS=" "
		initial=""
		for ((i = 1; i <= size; i++)); do
			etcd_port
			cport[i]=$FREE_PORT
			etcd_port
			pport[i]=$FREE_PORT
			initial+=${initial:+,}m$i=http://127.0.0.1:${pport[i]}
		done
		for ((i = 1; i <= size; i++)); do
			BENCH_MARK=$(mark) etcd --name "m$i" --data-dir "$RUNDIR/m$i" \
			    --listen-client-urls "http://127.0.0.1:${cport[i]}" \
			    --advertise-client-urls "http://127.0.0.1:${cport[i]}" \
			    --listen-peer-urls "http://127.0.0.1:${pport[i]}" \
			    --initial-advertise-peer-urls "http://127.0.0.1:${pport[i]}" \
			    --initial-cluster "$initial" --initial-cluster-state new \
			    --initial-cluster-token "bench-$$-$size" \
			    --heartbeat-interval 100 --election-timeout 1000 \
			    --auto-compaction-mode periodic \
			    --auto-compaction-retention 1h \
			    --logger zap --log-outputs stderr \
			    </dev/null >"$RUNDIR/m$i.log" 2>&1 &
		done
		deadline=$((SECONDS + 30))
		ok=0
		while [ "$SECONDS" -lt "$deadline" ]; do
			sleep 0.2
			[ "$(responders | wc -l)" -eq "$size" ] || break
			ok=1
			for ((i = 1; i <= size; i++)); do
				curl -s --max-time 1 "http://127.0.0.1:${cport[i]}/health" \
				    2>/dev/null | grep -q '"health":"true"' ||
				    { ok=0; break; }
			done
			[ "$ok" = 1 ] && break
		done
		if [ "$ok" = 1 ]; then
			for ((i = 1; i <= size; i++)); do
				st=$(curl -s --max-time 5 -X POST -d '{}' \
				    "http://127.0.0.1:${cport[i]}/v3/maintenance/status") ||
				    continue
				if [ "$(etcd_field member_id <<<"$st")" = \
				    "$(etcd_field leader <<<"$st")" ]; then
					lead=$i
					break
				fi
			done
			[ -z "$lead" ] || break
		fi
		stop_etcd
		grep -qs 'address already in use' "$RUNDIR"/m*.log || break
		say "an etcd member could not bind its port: again on other ports"
	done
	if [ -z "$lead" ]; then
		for ((i = 1; i <= size; i++)); do
			echo "---- $RUNDIR/m$i.log" >&2
			tail -n 20 "$RUNDIR/m$i.log" >&2
		done
		die "the etcd cluster of $size did not elect a leader within 30 s"
	fi
	PORT=${cport[lead]}
	ETCD_ENDPOINTS=http://127.0.0.1:$PORT
	for ((i = 1; i <= size; i++)); do
		[ "$i" = "$lead" ] ||
		    ETCD_ENDPOINTS+=,http://127.0.0.1:${cport[i]}
	done
}

# stop_etcd: stops the current slot's etcd members, the others first, one
# at a time, then the leader (the one serving PORT): stopped all at once,
# a leader spends seconds handing its role to a member that is stopping
# too. SIGKILL for one still there 10 s after its SIGTERM.
stop_etcd()
{
	local p n lead=""
	local -a order=()

	for p in $(responders); do
		if tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null |
		    grep -qxF "http://127.0.0.1:$PORT"; then
			lead=$p
		else
			order+=("$p")
		fi
	done
	[ -z "$lead" ] || order+=("$lead")
	for p in "${order[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
		n=100
		while alive "$p" && [ "$n" -gt 0 ]; do
			sleep 0.1
			n=$((n - 1))
		done
		if alive "$p"; then
			say "etcd member $p did not stop within 10 s: killing it"
			kill -KILL "$p" 2>/dev/null || true
		fi
	done
}

# ---------------------------------------------------------------------------
# Measurements

# Results, by key "SETUP/SCENARIO": requests/s, 2xx/s of the expected
# answers, p50 and p99 (ms), the statuses, non-2xx count, socket errors,
# KB written to storage per request.
declare -A R_RPS R_OK R_P50 R_P99 R_ST R_NON2XX R_ERR R_CONNS R_KB
ROWS=()
NOTES=()

# answers KEY: how many answers the run of KEY got, of any status.
answers()
{
	local st n=0

	for st in ${R_ST[$1]}; do
		[ "$st" = none ] || n=$((n + ${st#*:}))
	done
	echo "$n"
}

# expected SCENARIO: the statuses that count as done for it ("ok/s").
expected()
{
	case $1 in
	null-*) echo 200 ;;
	*/get*) echo 423 ;;
	*/put_refresh*) echo 200 ;;
	*/put_new*) echo 201 ;;
	*/delete*) echo 200 ;;
	*/owner*) echo 201 ;;
	*/etcd_range* | */etcd_create*) echo 200 ;;
	esac
}

# written_bytes: the bytes the responders now running have written to
# storage so far (write_bytes of /proc/PID/io: pages they dirtied), and
# while lockgate runs on etcd (ON_ETCD=1) the etcd members' too; empty
# when the server's processes do not outlive a request (CGI).
ON_ETCD=0
written_bytes()
{
	local p sum=0 b more=""

	[ -n "$SERVER_EXE" ] || return 0
	if [ "$SLOT" = lockgate ] && [ "$ON_ETCD" = 1 ]; then
		more=$(in_slot etcd responders)
	fi
	for p in $(responders) $more; do
		b=$(awk '$1 == "write_bytes:" { print $2 }' "/proc/$p/io" 2>/dev/null)
		sum=$((sum + ${b:-0}))
	done
	echo "$sum"
}

# field NAME: the value of NAME=VALUE in the result line common.lua printed
# (in $line).
field()
{
	local v=${line#* "$1"=}

	printf '%s' "${v%% *}"
}

# measure KEY SCENARIO CONNS THREADS: one wrk run against the server now
# started; stores its figures under KEY.
measure()
{
	local key=$1 sc=$2 c=$3 t=$4 out line requests dur p50 p99 errs st
	local code n ok=0 non=0 want w0 w1 i=2 rc

	# A scenario named twice in BENCH_SCENARIOS: the later row is "#2".
	while [ -n "${R_RPS[$key]:-}" ]; do
		key=${1}#$i
		i=$((i + 1))
	done
	out=$RUNDIR/wrk-${key//\//-}.out
	export BENCH_WRK_THREADS=$t
	say "$key: wrk -t$t -c$c -d${DURATION}s"
	w0=$(written_bytes)
	# In the background, so that a signal to this script is taken at
	# once (bash runs a trap only when its foreground command ends).
	timeout -k 5 $((DURATION + 60)) wrk -t "$t" -c "$c" \
	    -d "${DURATION}s" --timeout 10s -s "$LUADIR/$sc.lua" \
	    "http://127.0.0.1:$PORT/" >"$out" 2>&1 &
	WRK_PID=$!
	rc=0
	wait "$WRK_PID" || rc=$?
	WRK_PID=""
	if [ "$rc" -ne 0 ]; then
		cat "$out" >&2
		die "wrk failed or ran over its time ($key)"
	fi
	w1=$(written_bytes)
	line=$(grep '^BENCH ' "$out" | tail -n 1) ||
	    { cat "$out" >&2; die "wrk printed no result ($key)"; }
	requests=$(field requests)
	dur=$(field duration_us)
	p50=$(field p50_us)
	p99=$(field p99_us)
	errs=$(field errors)
	st=$(field statuses)
	want=" $(expected "$key") "
	if [ "$st" != none ]; then
		for code in ${st//,/ }; do
			n=${code#*:}
			code=${code%%:*}
			[ "$code" -ge 300 ] && non=$((non + n))
			[[ $want == *" $code "* ]] && ok=$((ok + n))
		done
	fi
	R_RPS[$key]=$(awk -v r="$requests" -v d="$dur" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
	R_OK[$key]=$(awk -v r="$ok" -v d="$dur" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
	R_P50[$key]=$(awk -v v="$p50" 'BEGIN { printf "%.2f", v / 1000 }')
	R_P99[$key]=$(awk -v v="$p99" 'BEGIN { printf "%.2f", v / 1000 }')
	R_ST[$key]=${st//,/ }
	R_NON2XX[$key]=$non
	R_ERR[$key]=$errs
	R_CONNS[$key]=$c
	R_KB[$key]=-
	if [ -n "$w0" ] && [ -n "$w1" ] && [ "$requests" -gt 0 ]; then
		R_KB[$key]=$(awk -v a="$w0" -v b="$w1" -v r="$requests" \
		    'BEGIN { printf "%.1f", (b - a) / r / 1024 }')
	fi
	ROWS+=("$key")
}

# run_scenarios SETUP [SCENARIOS]: each scenario (default: all of
# BENCH_SCENARIOS) against the lockgate server now started, each just after
# the same scenario against the null responder; keys "SETUP/SCENARIO".
run_scenarios()
{
	local level=$1 sc t

	for sc in ${2:-$SCENARIOS}; do
		# owner: one connection per wrk thread, one owner each.
		t=$THREADS
		[ "$sc" = owner ] && t=$CONNS
		# The pool first: lockgate's run then follows the null's at once.
		[ "$sc" = delete ] && make_pool
		if [ "$CEILING" = 1 ]; then
			with_null measure "null-$level/$sc" "$sc" "$CONNS" "$t"
		fi
		measure "$level/$sc" "$sc" "$CONNS" "$t"
	done
}

# preload PREFIX COUNT: COUNT held locks in LOCKGATE_DB (preload.c); prints
# nothing, notes the time taken.
preload()
{
	local t0 t1 made

	t0=$(date +%s.%N)
	made=$("$BENCH_PRELOAD" "$1" "$2" "$HELD_TTL") ||
	    die "preload of $2 locks failed"
	t1=$(date +%s.%N)
	[ "$made" = "$2" ] || die "preload made $made locks, not $2"
	PRELOAD_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
}

# make_pool: the locks the delete scenario removes, made while the
# responders are idle (LMDB serves several processes at once); a new
# range of ids each time.
POOL_SEQ=0
make_pool()
{
	POOL_SEQ=$((POOL_SEQ + 1))
	BENCH_POOL_PREFIX=$(printf 'd%07x' "$POOL_SEQ")
	preload "$BENCH_POOL_PREFIX" "$POOL"
	say "made $POOL locks to delete in $PRELOAD_SECS s"
}

# db_size: the database file's size and the disk space it takes.
db_size()
{
	local f=$LOCKGATE_DB/data.mdb

	[ -f "$f" ] || { echo "?"; return; }
	awk -v a="$(stat -c %s "$f")" -v b="$(du -k "$f" | cut -f1)" \
	    'BEGIN { printf "%.1f MB file, %.1f MB on disk", a / 1e6, b * 1024 / 1e6 }'
}

# rss NAME: notes each of the current server's responders' peak RSS
# (VmHWM) and what its RSS is made of now: its own memory (RssAnon) and
# pages of files it maps (RssFile: for lockgate mostly the LMDB map,
# shared by every process), in a row of the web server and NAME.
rss()
{
	local p list=""

	for p in $(responders); do
		list="$list $(awk '$1 ~ /^(VmHWM|RssAnon|RssFile):$/ { v[$1] = $2 }
		    END { printf "%s (%s + %s)", v["VmHWM:"], v["RssAnon:"], v["RssFile:"] }' \
		    "/proc/$p/status" 2>/dev/null)"
	done
	RSS_NOTES+=("| $HTTPD_KIND | $1 | ${list# } |")
}
RSS_NOTES=()

# ---------------------------------------------------------------------------
# The runs

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
# What one durable commit must wait for at least (tests/bench/flush.c).
read -r f_few f_few_us f_many f_many_us < <("$BENCH_FLUSH" "$TMP") ||
    die "the flush probe failed in $TMP"
APACHE_VERSION=""
if [ "$APACHE" = 1 ]; then
	APACHE_VERSION=$(apache2 -v 2>&1 | sed -n 's/^Server version: *//p')
fi
cat <<EOF
# lockgate benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')

- machine: $NPROC CPUs ($cpu), $(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo) RAM, kernel $(uname -r)
- $(lighttpd -v 2>&1 | head -n 1),${APACHE_VERSION:+ $APACHE_VERSION,} $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)
- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)
- database: $TMP ($FSTYPE); LOCKGATE_SYNC=$LOCKGATE_SYNC, LOCKGATE_THREADS=${LOCKGATE_THREADS:-16 (default)}, LOCKGATE_MAP_SIZE=${LOCKGATE_MAP_SIZE:-1G (default)}
- disk flush there (write, then fdatasync; tests/bench/flush): $f_few page $f_few_us µs, $f_many scattered pages $f_many_us µs
- wrk: ${DURATION} s per run, $CONNS connections, $THREADS threads (owner: $CONNS threads, one connection each); CGI: $CGI_CONNS connections
- lighttpd: $PROCS responder processes (mod_fastcgi, lighttpd/mkconf)
EOF
if [ "$ETCD" = 1 ]; then
	echo "- etcd $ETCD_VERSION: clusters of ${ETCD_MEMBERS// /, then } members on loopback ports, data in $TMP, --heartbeat-interval 100 --election-timeout 1000, auto-compaction periodic 1h; etcd itself driven at its leader through its JSON gateway; lockgate on it behind lighttpd, LOCKGATE_ETCD_ENDPOINTS leader first"
fi
if [ "$APACHE" = 1 ]; then
	echo "- apache: event MPM, mod_proxy_fcgi (apache/mkconf) to one lockgate.fcgi --listen process on a Unix socket; the null responder there: one process under spawn-fcgi; scenarios: $APACHE_SCENARIOS"
fi
case $FSTYPE in
tmpfs | ramfs)
	say "warning: $TMP is on $FSTYPE: durable commits cost nothing there; set BENCH_DIR to a directory on disk"
	;;
esac

# The ceiling, served for the whole run behind each web server measured.
if [ "$CEILING" = 1 ]; then
	use null
	SERVER_EXE=$NULL_REAL
	start_server null lighttpd fastcgi_conf "$BENCH_NULL"
	if [ "$APACHE" = 1 ]; then
		use null-apache
		SERVER_EXE=$NULL_REAL
		start_apache null-apache
	fi
	use lockgate
fi

# lockgate at each number of live locks, each on a fresh database.
for level in $LEVELS; do
	export LOCKGATE_DB=$TMP/db-$level
	mkdir -p "$LOCKGATE_DB"
	# At least one held lock: the one GET and PUT refresh use.
	n=$((level > 0 ? level : 1))
	preload "$BENCH_HELD_PREFIX" "$n"
	NOTES+=("- $level live locks: held locks preloaded: $n, in $PRELOAD_SECS s; database: $(db_size)")
	export BENCH_HELD_COUNT=$n
	# Apache's pass gets the same database: a copy, flushed now so that
	# writing it back does not fall into the runs.
	if [ "$APACHE" = 1 ]; then
		mkdir -p "$TMP/db-$level-apache"
		cp "$LOCKGATE_DB/data.mdb" "$TMP/db-$level-apache/"
		sync "$TMP/db-$level-apache/data.mdb"
	fi
	SERVER_EXE=$FCGI_REAL
	start_server "lockgate-$level" lighttpd fastcgi_conf "$FCGI_REAL"
	run_scenarios "$level"
	rss "lockgate, $level locks"
	records=$(curl -s --max-time 10 "http://127.0.0.1:$PORT/v1/health" |
	    sed -n 's/.*"records": *\([0-9]*\).*/\1/p') || true
	stop_server
	NOTES+=("- $level live locks, after the runs: ${records:-?} records; database: $(db_size)")
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$LOCKGATE_DB"
	# The same level behind Apache: one lockgate.fcgi --listen process.
	if [ "$APACHE" = 1 ]; then
		export LOCKGATE_DB=$TMP/db-$level-apache
		SERVER_EXE=$FCGI_REAL
		start_apache "apache-$level"
		run_scenarios "apache-$level" "$APACHE_SCENARIOS"
		rss "lockgate, $level locks"
		records=$(curl -s --max-time 10 "http://127.0.0.1:$PORT/v1/health" |
		    sed -n 's/.*"records": *\([0-9]*\).*/\1/p') || true
		stop_server
		NOTES+=("- $level live locks, Apache's copy, after its runs: ${records:-?} records; database: $(db_size)")
		[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$LOCKGATE_DB"
	fi
done
# The reference: the same new-lock PUTs with commits that are written but
# never flushed. Not durable; not a way to run lockgate.
if [ "$NOSYNC" = 1 ] && [ "${LOCKGATE_SYNC,,}" != nosync ] &&
    [[ " $SCENARIOS " == *" put_new "* ]]; then
	export LOCKGATE_DB=$TMP/db-nosync
	mkdir -p "$LOCKGATE_DB"
	preload "$BENCH_HELD_PREFIX" 1
	export BENCH_HELD_COUNT=1
	sync_was=$LOCKGATE_SYNC
	export LOCKGATE_SYNC=nosync
	SERVER_EXE=$FCGI_REAL
	start_server lockgate-nosync lighttpd fastcgi_conf "$FCGI_REAL"
	LOCKGATE_SYNC=$sync_was
	run_scenarios nosync put_new
	rss "lockgate, 0 locks, nosync"
	stop_server
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$LOCKGATE_DB"
fi
# lockgate on etcd, beside etcd itself: for each cluster size a fresh
# cluster, lighttpd's responders on it with a local LOCKGATE_DB (wake-ups
# and counters only) and one held lock, made through lockgate. For each
# pair (lockgate's request, etcd's own), the null responder's run (with
# BENCH_CEILING), etcd's run at its leader, then lockgate's, so that each
# lockgate run follows the etcd run it is compared with.
ETCD_NOTE=""
if [ "$ETCD" = 1 ]; then
	for size in $ETCD_MEMBERS; do
		use etcd
		start_etcd "$size"
		out=$(etcd_post /v3/kv/put "{\"key\":\"$(b64 "$BENCH_ETCD_KEY")\",\"value\":\"$(b64 held)\"}")
		[ -n "$(etcd_field revision <<<"$out")" ] ||
		    die "cannot put $BENCH_ETCD_KEY into etcd: $out"
		use lockgate
		export LOCKGATE_DB=$TMP/db-etcd-$size
		mkdir -p "$LOCKGATE_DB"
		export LOCKGATE_STORE=etcd LOCKGATE_ETCD_PREFIX=lockgate/
		export LOCKGATE_ETCD_ENDPOINTS=$ETCD_ENDPOINTS
		SERVER_EXE=$FCGI_REAL
		start_server "lockgate-etcd-$size" lighttpd fastcgi_conf "$FCGI_REAL"
		unset LOCKGATE_STORE LOCKGATE_ETCD_PREFIX LOCKGATE_ETCD_ENDPOINTS
		ON_ETCD=1
		held="http://127.0.0.1:$PORT/v1/$BENCH_HELD_PREFIX-0000-4000-8000-000000000000?ttl=$HELD_TTL"
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
		    -X PUT "$held") || true
		[ "$code" = 201 ] ||
		    die "the held lock on etcd ($size members) answered $code, not 201"
		export BENCH_HELD_COUNT=1
		# That lock must be in etcd, under lockgate's prefix: else this
		# lockgate.fcgi has no etcd backend and kept it in LMDB.
		keys=$(in_slot etcd etcd_post /v3/kv/range \
		    "{\"key\":\"$(b64 lockgate/)\",\"range_end\":\"$(b64 lockgate0)\",\"count_only\":true}" |
		    etcd_field count)
		if [ "${keys:-0}" -eq 0 ]; then
			ETCD_NOTE="Note: $LOCKGATE_FCGI kept no lock in etcd with LOCKGATE_STORE=etcd (it has no etcd backend): the rows of lockgate on etcd are left out."
			ON_ETCD=0
			stop_server
		fi
		for pair in "get etcd_range" "put_new etcd_create"; do
			read -r lg_sc etcd_sc <<<"$pair"
			if [ "$ON_ETCD" = 1 ] && [ "$CEILING" = 1 ]; then
				with_null measure "null-on-etcd-$size/$lg_sc" "$lg_sc" \
				    "$CONNS" "$THREADS"
			fi
			in_slot etcd measure "etcd-$size/$etcd_sc" "$etcd_sc" \
			    "$CONNS" "$THREADS"
			if [ "$ON_ETCD" = 1 ]; then
				measure "on-etcd-$size/$lg_sc" "$lg_sc" "$CONNS" "$THREADS"
			fi
		done
		if [ "$ON_ETCD" = 1 ]; then
			rss "lockgate on etcd, $(members "$size")"
			stop_server
		fi
		ON_ETCD=0
		st=$(in_slot etcd etcd_post /v3/maintenance/status '{}')
		NOTES+=("- etcd, $(members "$size"), after the runs: revision $(etcd_field revision <<<"$st"), database $(awk -v b="$(etcd_field dbSize <<<"$st")" 'BEGIN { printf "%.1f MB", b / 1e6 }')")
		in_slot etcd stop_etcd
		if [ "${BENCH_KEEP:-0}" != 1 ]; then
			rm -rf "$LOCKGATE_DB" "$TMP/etcd-$size"
		fi
	done
fi
if [ "$CEILING" = 1 ]; then
	in_slot null rss null
	in_slot null stop_server
	if [ "$APACHE" = 1 ]; then
		in_slot null-apache rss null
		in_slot null-apache stop_server
	fi
fi

# CGI: one process per request.
if [ "$CGI" = 1 ]; then
	export LOCKGATE_DB=$TMP/db-cgi
	mkdir -p "$LOCKGATE_DB"
	preload "$BENCH_HELD_PREFIX" 1
	export BENCH_HELD_COUNT=1
	# No responder outlives its request: no written bytes to count
	# (stop_server still waits for the CGI processes running then).
	SERVER_EXE=""
	start_server cgi lighttpd cgi_conf
	for sc in get put_refresh put_new; do
		case " $SCENARIOS " in
		*" $sc "*) measure "cgi/$sc" "$sc" "$CGI_CONNS" \
		    "$((THREADS < CGI_CONNS ? THREADS : CGI_CONNS))" ;;
		esac
	done
	SERVER_EXE=$FCGI_REAL
	stop_server
fi

# ---------------------------------------------------------------------------
# The table

echo
echo "| server | setup | scenario | conns | req/s | ok/s | null req/s | vs null | p50 ms | p99 ms | null p50 ms | non-2xx | answers (status:count) | socket errors c/r/w/t | KB written/req |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|"
for key in "${ROWS[@]}"; do
	setup=${key%%/*}
	sc=${key#*/}
	server=lighttpd
	case $setup in
	null-*) continue ;;	# shown beside the lockgate run it precedes
	cgi) label="lockgate CGI" ;;
	nosync) label="lockgate, 0 locks, LOCKGATE_SYNC=nosync (not durable)" ;;
	etcd-*)
		server=etcd
		label="etcd itself, $(members "${setup#etcd-}")"
		;;
	on-etcd-*) label="lockgate on etcd, $(members "${setup#on-etcd-}")" ;;
	apache-*)
		server=apache
		label="lockgate, ${setup#apache-} locks"
		;;
	*) label="lockgate, $setup locks" ;;
	esac
	null="null-$setup/$sc"
	nrps="-" np50="-" ratio="-"
	if [ -n "${R_RPS[$null]:-}" ]; then
		nrps=${R_RPS[$null]}
		np50=${R_P50[$null]}
		[ "$nrps" -gt 0 ] && ratio=$(awk -v a="${R_RPS[$key]}" -v b="$nrps" \
		    'BEGIN { printf "%.3f", a / b }')
	fi
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
	    "$server" "$label" "$sc" "${R_CONNS[$key]}" "${R_RPS[$key]}" "${R_OK[$key]}" \
	    "$nrps" "$ratio" "${R_P50[$key]}" "${R_P99[$key]}" "$np50" \
	    "${R_NON2XX[$key]}" "${R_ST[$key]}" "${R_ERR[$key]}" "${R_KB[$key]}"
done
cat <<'EOF'

server: the web server in front: lighttpd (mod_fastcgi; it starts the
responder processes itself) or apache (mod_proxy_fcgi to one
lockgate.fcgi --listen process on a Unix socket). req/s: all answers per
second. ok/s: the answers the scenario is after, per second: get 423
(held), put_refresh 200, put_new 201, delete 200, owner 201 (one
acquire/release cycle each; its 423s are the contention). null req/s,
null p50: the null responder (every answer 200) behind the same kind of
web server, set up the same way, in the same scenario, measured just
before this row's run. vs null: req/s over null req/s. KB written/req:
write_bytes of the responders over the run, per request (pages dirtied,
each commit's pages flushed). The nosync row is a reference, not a way
to run lockgate: the same new-lock PUTs on a fresh database with commits
written but never flushed; the gap to the durable put_new row is the
time the disk takes to flush. Its KB written/req is not comparable: its
pages stay dirty, and a page dirtied again before the kernel writes it
is not counted again. etcd: etcd itself, no web server and no lockgate,
driven at the cluster's leader through its JSON gateway (etcd_range: a
linearizable read of one key; etcd_create: a transaction that puts a new
key if it is absent); its KB written/req is the members' own. The rows of
lockgate on etcd count the responders' and the members' writes together.
EOF
for key in "${ROWS[@]}"; do
	case $key in
	null-*)
		# A few read errors (a connection that ended before its
		# answer; seen now and then behind Apache) leave the ratio
		# as it is: at most 1 in 100 answers.
		IFS=/ read -r e_c e_r e_w e_t <<<"${R_ERR[$key]}"
		n=$(answers "$key")
		if [[ ${R_ST[$key]} != 200:* || ${R_ST[$key]} == *" "* ]] ||
		    [ "$e_c/$e_w/$e_t" != 0/0/0 ] || [ $((e_r * 100)) -gt "$n" ]; then
			echo "Note: the null responder's $key run got ${R_ST[$key]}" \
			    "(socket errors ${R_ERR[$key]}): the ratio beside it is not to be trusted."
		elif [ "$e_r" -gt 0 ]; then
			echo "Note: the null responder's $key run had $e_r read errors" \
			    "(connections that ended before an answer) in $n answers."
		fi
		;;
	*/delete*)
		case " ${R_ST[$key]} " in
		*" 404:"*) echo "Note: $key ran out of locks to delete (the 404s);" \
		    "set BENCH_DELETE_POOL above $POOL." ;;
		esac
		;;
	esac
done
[ -z "$ETCD_NOTE" ] || echo "$ETCD_NOTE"
if [ "$ETCD" = 1 ] && [ -z "$ETCD_NOTE" ]; then
	echo
	echo "lockgate on etcd against etcd itself (ok/s; each etcd run just before"
	echo "the lockgate run beside it; goal: lockgate/etcd 0.8 or more):"
	echo
	echo "| members | lockgate request | ok/s | p50 ms | etcd request | ok/s | p50 ms | lockgate/etcd |"
	echo "|---:|---|---:|---:|---|---:|---:|---:|"
	for size in $ETCD_MEMBERS; do
		for pair in "get etcd_range" "put_new etcd_create"; do
			read -r lg_sc etcd_sc <<<"$pair"
			lg=on-etcd-$size/$lg_sc
			et=etcd-$size/$etcd_sc
			if [ -z "${R_OK[$lg]:-}" ] || [ -z "${R_OK[$et]:-}" ]; then
				continue
			fi
			ratio=-
			[ "${R_OK[$et]}" -gt 0 ] && ratio=$(awk -v a="${R_OK[$lg]}" \
			    -v b="${R_OK[$et]}" 'BEGIN { printf "%.3f", a / b }')
			printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$size" \
			    "$lg_sc" "${R_OK[$lg]}" "${R_P50[$lg]}" "$etcd_sc" \
			    "${R_OK[$et]}" "${R_P50[$et]}" "$ratio"
		done
	done
fi
if [ "$CGI" = 1 ]; then
	echo
	echo "CGI: milliseconds of wall time per request (1000 / req/s) with $CGI_CONNS connections:"
	for key in "${ROWS[@]}"; do
		[ "${key%%/*}" = cgi ] || continue
		awk -v k="${key#*/}" -v r="${R_RPS[$key]}" \
		    'BEGIN { printf "- %s: %.2f ms\n", k, (r > 0 ? 1000 / r : 0) }'
	done
fi
echo
echo "Peak RSS of each responder process, read before it stopped: VmHWM kB"
echo "(RssAnon + RssFile kB at that moment; RssFile is mostly the LMDB map,"
echo "shared by all processes and the page cache):"
echo
echo "| server | responder | each process: VmHWM (RssAnon + RssFile) |"
echo "|---|---|---|"
printf '%s\n' "${RSS_NOTES[@]}"
echo
echo "Databases (preloaded with tests/bench/preload: the PUT rule through the"
echo "store in one process, commits not synchronous, one sync(2) at the end;"
echo "the responders then run with LOCKGATE_SYNC=$LOCKGATE_SYNC):"
echo
printf '%s\n' "${NOTES[@]}"
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
