# tests/e2e/lib.sh: helpers the end-to-end scripts source: a temporary
# directory, a free loopback port, a real lighttpd serving lockgate, requests
# through curl (or a raw socket, or the program run as CGI), exact
# assertions, a scan of every log for sanitizer reports, and the closing
# "N passed, N failed" line (", N skipped" added when a check was skipped).
#
# Every script does:
#	. "$(dirname "$0")/lib.sh"
#	lg_init curl lighttpd jq      # the commands it needs; missing: fail
#	...checks...
#	lg_finish                     # prints "N passed, N failed", exit 0 or 1
#
# make check exports LOCKGATE_FCGI (the built program) and LOCKGATE_SRCDIR
# (the top source directory); export both to run a script by hand.  Set
# LG_KEEP=1 to keep the temporary directory for a post-mortem, LG_VERBOSE=1
# to see every response.
#
# A missing tool, a program that does not build or a server that does not
# start is a failure (exit 1), never a skip (77): a test suite that skips
# silently proves nothing.
#
# With LG_ETCD_ENDPOINTS set (etcd-suites.sh runs the suites so), lockgate
# runs on that etcd cluster: each server is two servers behind a
# balancer (etcd-lib.sh, loaded at the end of this file).
#
# This file is bash: it uses arrays, [[ =~ ]] and /dev/tcp.
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.

# Globals set here are read by the scripts that source this file.
# shellcheck disable=SC2034
set -u
# Byte semantics for ${#var} (Content-Length checks) and for sort and grep.
LC_ALL=C
export LC_ALL

LG_PASS=0
LG_FAIL=0
LG_SKIP=0		# checks skipped (lg_skip), each a timing check
LG_TIMING=0		# timing checks, judged (lg_timed) or skipped
LG_TMP=""		# this script's temporary directory; removed on exit
LG_RUN=""		# lighttpd's run directory (config, logs, sockets)
LG_PORT=""		# lighttpd's loopback port
LG_URL=""		# http://127.0.0.1:PORT
LG_HTTPD_PID=""		# lighttpd -D, our child
LG_BG_PIDS=""		# other background processes to stop on exit
LG_FCGI_REAL=""		# LOCKGATE_FCGI with symbolic links resolved
LG_MOUNT=""		# set before lg_start_lighttpd: serve under this sub-path
LG_RUNNAME=run		# set before lg_start_lighttpd: its run directory's name
LG_ON_STOP=""		# functions lg_stop_all calls last (words), e.g. the
			# clean-up of servers and processes a helper file starts

# The last response (lg_curl, lg_raw, lg_cgi): status code, headers file,
# body as a string (exact, trailing newline kept).
LG_STATUS=""
LG_HDRS=""
LG_BODY=""

# Standard JSON answer headers (doc/API.md section 0).
LG_CT="application/json"
LG_CC="no-store"
LG_ACAO="*"
LG_ALLOW_LOCK="GET, HEAD, PUT, DELETE, OPTIONS"
LG_ALLOW_HEALTH="GET, HEAD, OPTIONS"

# Answers several scripts expect (doc/API.md), each body without its final
# newline: the getlock surface's 404s, 405, 413 and 507, the refusals of a
# bad owner or limit.
LG_NOTFOUND='{"locked": false, "message": "lock not found or expired"}'
LG_BADPATH='{"locked": false, "message": "not found: expected /v1/<uuid>"}'
LG_NOPATH='{"message": "not found"}'
LG_NOMETHOD='{"message": "method not allowed"}'
LG_TOOBIG='{"message": "request body too large (limit 16384 bytes)"}'
LG_FULL='{"message": "storage full"}'
LG_BAD_OWNER='{"message": {"owner": "must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ : @ + = / -"}}'
LG_BAD_LIMIT='{"message": {"limit": "must be a whole number from 1 to 1000"}}'
LG_JSON=(-H 'Content-Type: application/json')	# curl's words for a JSON body

# The LSS surface: its short text answers (an unknown lock, a wrong key, a
# bad k), a lock id (a ULID in Crockford's base 32, lower case), a
# generated key (a lowercase UUID, version 4, variant 10), and a valid ULID
# no lock has (the first ULID of 1970).
LG_TEXT_CT='text/plain; charset=utf-8'
LG_NOLOCK='Lock not found'
LG_BADKEY='key is not valid'
LG_ULID_RE='[0-9a-hjkmnp-tv-z]{26}'
LG_KEY_RE='[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'
LG_KMSG='k must be 1 to 255 printable characters'
LG_UNKNOWN=00000000000000000000000000

# A number as lockgate prints it: seconds with 1 to 3 decimals, no trailing
# zero except the single ".0" (Python's json.dumps style: 60.0, 0.5, 0.25).
LG_NUM='[0-9]+\.([0-9]{0,2}[1-9]|0)'
LG_UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

# ---------------------------------------------------------------------------
# Reporting

# Prints a value for a failure report: each line prefixed, line ends shown
# as "$" and carriage returns as "^M" so invisible differences are seen.
lg_show()
{
	if [ -z "$2" ]; then
		printf '#   %s (empty)\n' "$1"
		return
	fi
	printf '#   %s\n' "$1"
	printf '%s' "$2" | cat -A | sed 's/^/#     /'
	case $2 in
	*$'\n') ;;
	*) printf '\n' ;;
	esac
}

# lg_ok DESC: counts and prints one passed check.
lg_ok()
{
	LG_PASS=$((LG_PASS + 1))
	printf 'ok - %s\n' "$1"
}

# lg_not_ok DESC [EXPECTED GOT]: counts and prints one failed check with
# what was expected and what came.
lg_not_ok()
{
	LG_FAIL=$((LG_FAIL + 1))
	printf 'not ok - %s\n' "$1"
	if [ $# -ge 3 ]; then
		lg_show "expected:" "$2"
		lg_show "got:" "$3"
	fi
}

# lg_note TEXT: a comment line in the output (TAP style).
lg_note()
{
	printf '# %s\n' "$*"
}

# lg_is DESC EXPECTED GOT: exact string comparison.
lg_is()
{
	if [ "$2" = "$3" ]; then
		lg_ok "$1"
	else
		lg_not_ok "$1" "$2" "$3"
	fi
}

# lg_like DESC ERE GOT: GOT must match the extended regular expression.
lg_like()
{
	if [[ $3 =~ $2 ]]; then
		lg_ok "$1"
	else
		lg_not_ok "$1" "a match for /$2/" "$3"
	fi
}

# lg_true DESC COMMAND...: passes when COMMAND exits 0.
lg_true()
{
	local d=$1
	shift
	if "$@"; then
		lg_ok "$d"
	else
		lg_not_ok "$d" "command to succeed: $*" "exit status $?"
	fi
}

# lg_cmp DESC A OP B: integer comparison (OP: -eq -ne -lt -le -gt -ge).
lg_cmp()
{
	if test "$2" "$3" "$4" 2>/dev/null; then
		lg_ok "$1"
	else
		lg_not_ok "$1" "$2 $3 $4" "false (left $2, right $4)"
	fi
}

# lg_skip DESC REASON: counts and prints one timing check that could not
# be judged ("ok - DESC # SKIP REASON", TAP's form); lg_finish fails the
# script when most timing checks were skipped.
lg_skip()
{
	LG_SKIP=$((LG_SKIP + 1))
	LG_TIMING=$((LG_TIMING + 1))
	printf 'ok - %s # SKIP %s\n' "$1" "$2"
}

# lg_timed: counts one timing check that is judged (call it next to the
# check), so that lg_finish can tell how many were skipped.
lg_timed()
{
	LG_TIMING=$((LG_TIMING + 1))
}

# lg_finish: stops whatever still runs, scans the logs for sanitizer
# reports (one check), fails when most timing checks were skipped, prints
# the closing line; exit 1 when anything failed or nothing ran.
lg_finish()
{
	lg_stop_all
	lg_san_scan
	if [ -n "$LG_SAN_FOUND" ]; then
		lg_not_ok "no sanitizer report in the logs" "none" "$LG_SAN_FOUND"
		LG_SAN_SHOWN=1
	elif [ -n "$LG_TMP" ]; then
		lg_ok "no sanitizer report in the logs"
	fi
	if [ $((LG_SKIP * 2)) -gt "$LG_TIMING" ]; then
		lg_not_ok "most timing checks were judged" \
		    "at most $((LG_TIMING / 2)) of $LG_TIMING skipped" \
		    "$LG_SKIP skipped"
	fi
	if [ "$LG_SKIP" -gt 0 ]; then
		printf '%d passed, %d failed, %d skipped\n' "$LG_PASS" "$LG_FAIL" \
		    "$LG_SKIP"
	else
		printf '%d passed, %d failed\n' "$LG_PASS" "$LG_FAIL"
	fi
	if [ "$LG_FAIL" -ne 0 ] || [ "$LG_PASS" -eq 0 ]; then
		exit 1
	fi
	exit 0
}

# lg_bail DESC [DETAIL]: a failure the script cannot go on after.
lg_bail()
{
	lg_not_ok "$1"
	if [ $# -ge 2 ]; then
		printf '%s\n' "$2" | sed 's/^/#   /'
	fi
	lg_note "stopping here"
	lg_finish
}

# ---------------------------------------------------------------------------
# Set-up and clean-up

# lg_init [COMMAND...]: checks the environment and the commands the script
# needs, makes the temporary directory and installs the clean-up trap.
lg_init()
{
	local c missing=""

	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
	done
	if [ -n "$missing" ]; then
		lg_bail "required commands are installed" \
		    "missing:$missing (Debian: lighttpd curl jq libfcgi-bin)"
	fi
	if [ -z "${LOCKGATE_FCGI:-}" ] || [ ! -x "$LOCKGATE_FCGI" ]; then
		lg_bail "LOCKGATE_FCGI names the built program" \
		    "LOCKGATE_FCGI='${LOCKGATE_FCGI:-}' is not an executable file"
	fi
	if [ -z "${LOCKGATE_SRCDIR:-}" ] || [ ! -d "$LOCKGATE_SRCDIR" ]; then
		lg_bail "LOCKGATE_SRCDIR names the source directory" \
		    "LOCKGATE_SRCDIR='${LOCKGATE_SRCDIR:-}' is not a directory"
	fi
	LG_FCGI_REAL=$(readlink -f "$LOCKGATE_FCGI")
	LG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lockgate-e2e.XXXXXX") ||
	    lg_bail "mktemp -d works"
	trap lg_cleanup EXIT
	trap 'exit 1' HUP INT TERM
	# Responders inherit this; every script gets its own fresh database.
	LOCKGATE_DB=$LG_TMP/db
	export LOCKGATE_DB
	lg_note "program $LOCKGATE_FCGI, temporary directory $LG_TMP"
}

# lg_alive PID: true while PID exists and is not a zombie (the container's
# init may never reap orphans, so "kill -0" alone is not enough).
lg_alive()
{
	local st

	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $st in
	"" | Z*) return 1 ;;
	esac
	return 0
}

# lg_wait_for SECONDS PID COMMAND...: runs COMMAND every 0.05 s until it
# succeeds, SECONDS at most and, when PID is not empty, only while PID
# runs. True when COMMAND succeeded. (For a test to expand anew each time,
# COMMAND is eval and the test in single quotes.)
lg_wait_for()
{
	local lg_n=$(($1 * 20)) lg_pid=$2

	shift 2
	while :; do
		"$@" && return 0
		[ "$lg_n" -gt 0 ] || return 1
		[ -z "$lg_pid" ] || lg_alive "$lg_pid" || return 1
		sleep 0.05
		lg_n=$((lg_n - 1))
	done
}

# lg_wait_gone PID SECONDS: waits for PID to end; true if it did.
lg_wait_gone()
{
	lg_wait_for "$2" "" eval "! lg_alive $1"
}

# lg_alive_count PID...: prints how many of the PIDs run.
lg_alive_count()
{
	local p n=0

	for p in "$@"; do
		lg_alive "$p" && n=$((n + 1))
	done
	echo "$n"
}

# lg_ours ENVIRON: true when the process environment ENVIRON (a
# /proc/PID/environ) has this script's LOCKGATE_DB, or a directory in it
# (the servers on etcd of etcd_pair_start, one directory each).
lg_ours()
{
	local e=""

	IFS= read -r -d '' e < <(tr '\0' '\n' 2>/dev/null <"$1")
	case $'\n'$e in
	*$'\n'"LOCKGATE_DB=$LOCKGATE_DB"$'\n'* | \
	    *$'\n'"LOCKGATE_DB=$LOCKGATE_DB/"*) return 0 ;;
	esac
	return 1
}

# lg_responders: prints the pids of this script's lockgate processes: the
# program LOCKGATE_FCGI running with this script's LOCKGATE_DB or a
# directory in it (scripts run in parallel under make check, so the
# program path alone is not enough).
lg_responders()
{
	local d p

	# shellcheck disable=SC2044 # /proc/PID/exe: no blanks in these names
	for d in $(find /proc -mindepth 2 -maxdepth 2 -name exe \
	    \( -lname "$LG_FCGI_REAL" -o -lname "$LG_FCGI_REAL (deleted)" \) \
	    2>/dev/null); do
		d=${d%/exe}
		p=${d#/proc/}
		lg_ours "$d/environ" || continue
		lg_alive "$p" && echo "$p"
	done
	return 0
}

# lg_wait_no_responders SECONDS: true once no responder of ours is left.
lg_wait_no_responders()
{
	# shellcheck disable=SC2016 # expanded by eval, each time
	lg_wait_for "$1" "" eval '[ -z "$(lg_responders)" ]'
}

# lg_wait_responders N SECONDS: true once N responders of ours run (a
# server replaces those that died).
lg_wait_responders()
{
	lg_wait_for "$2" "" eval "[ \"\$(lg_responders | wc -l)\" -ge $1 ]"
}

# lg_stop_all: stops whatever of ours still runs, by pid: the server
# (LG_HTTPD_PID), the other background processes (LG_BG_PIDS) and any
# responder left; what is left after a few seconds is killed. Then runs
# the functions named in LG_ON_STOP (each must stop what it knows of, and
# do nothing the second time). Scans the logs for sanitizer reports first
# and afterwards (lg_san_scan).
lg_stop_all()
{
	local p

	[ -n "$LG_TMP" ] || return 0
	lg_san_scan
	[ -z "${LG_ETCD_ENDPOINTS:-}" ] || etcd_pair_stop
	if [ -n "$LG_HTTPD_PID" ] && lg_alive "$LG_HTTPD_PID"; then
		kill -TERM "$LG_HTTPD_PID" 2>/dev/null
		lg_wait_gone "$LG_HTTPD_PID" 5 ||
		    kill -KILL "$LG_HTTPD_PID" 2>/dev/null
	fi
	LG_HTTPD_PID=""
	for p in $LG_BG_PIDS; do
		lg_alive "$p" && kill -TERM "$p" 2>/dev/null
	done
	for p in $LG_BG_PIDS; do
		lg_wait_gone "$p" 2 || kill -KILL "$p" 2>/dev/null
	done
	LG_BG_PIDS=""
	if ! lg_wait_no_responders 5; then
		for p in $(lg_responders); do
			echo "# killing leftover responder $p"
			kill -KILL "$p" 2>/dev/null
		done
	fi
	for p in $LG_ON_STOP; do
		"$p"
	done
	lg_san_scan
}

# lg_cleanup: the EXIT trap. Stops whatever is still running (lg_stop_all)
# and removes the temporary directory.
lg_cleanup()
{
	trap - EXIT
	[ -n "$LG_TMP" ] || return 0
	lg_stop_all
	if [ -n "$LG_SAN_FOUND" ] && [ "$LG_SAN_SHOWN" = 0 ]; then
		printf '%s' "$LG_SAN_FOUND" | sed 's/^/# sanitizer: /'
	fi
	if [ "${LG_KEEP:-0}" = 1 ]; then
		echo "# kept $LG_TMP"
	else
		rm -rf "$LG_TMP"
	fi
}

# Sanitizer reports (ASan, UBSan, LSan, as ./configure --enable-asan
# builds): their first lines, as an extended regular expression.
LG_SAN_RE='ERROR: AddressSanitizer|runtime error:|LeakSanitizer|SUMMARY: [A-Za-z]*Sanitizer'
LG_SAN_FOUND=""		# the report lines found so far, "FILE: LINE" each
LG_SAN_SHOWN=0		# 1 once lg_finish has shown them

# lg_san_scan: adds to LG_SAN_FOUND every line matching LG_SAN_RE, not
# seen before, of the text files under LG_TMP: the responders' logs
# (lighttpd's breakagelog, Apache's error log, the stderr files of --listen
# and CGI runs) and whatever else a test keeps there; a log a later start
# overwrites is scanned at each stop. Databases, FIFOs and sockets are
# passed over. Returns 0.
lg_san_scan()
{
	local found line

	[ -n "$LG_TMP" ] && [ -d "$LG_TMP" ] || return 0
	found=$(grep -rIEs -D skip --exclude='*.mdb' -e "$LG_SAN_RE" \
	    "$LG_TMP" 2>/dev/null)
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		line=${line#"$LG_TMP"/}
		case $'\n'$LG_SAN_FOUND in
		*$'\n'"$line"$'\n'*) continue ;;
		esac
		LG_SAN_FOUND+=$line$'\n'
	done <<<"$found"
	return 0
}

# ---------------------------------------------------------------------------
# Ports and lighttpd

# lg_port_busy PORT: true when something listens on 127.0.0.1:PORT.
lg_port_busy()
{
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# lg_free_port: prints a loopback TCP port nobody listens on. Another
# process may still take it before we bind: callers retry on a bind error.
lg_free_port()
{
	local used="" p i

	if command -v ss >/dev/null 2>&1; then
		used=$(ss -Htan 2>/dev/null | awk '{ n = split($4, a, ":");
		    print a[n] }')
	fi
	for i in $(seq 1 100); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		printf '%s\n' "$used" | grep -qx "$p" && continue
		lg_port_busy "$p" && continue
		echo "$p"
		return 0
	done
	return 1
}

# lg_wait_port PORT SECONDS: true once 127.0.0.1:PORT accepts connections.
lg_wait_port()
{
	lg_wait_for "$2" "" lg_port_busy "$1"
}

# lg_wait_http TRIES URL [CURL-ARGS...]: asks GET URL every 0.05 s while
# LG_HTTPD_PID (the server just started) runs, until it answers 200, TRIES
# times at most (give curl a --max-time). Sets LG_CODE to the last status;
# true when it answered 200 and the server still runs (had the port gone
# to someone else meanwhile, ours would have failed to bind and exited).
LG_CODE=000
lg_wait_http()
{
	local n=$1 url=$2

	shift 2
	LG_CODE=000
	while [ "$n" -gt 0 ]; do
		lg_alive "$LG_HTTPD_PID" || break
		LG_CODE=$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url" \
		    2>/dev/null)
		[ "$LG_CODE" = 200 ] && break
		sleep 0.05
		n=$((n - 1))
	done
	[ "$LG_CODE" = 200 ] && lg_alive "$LG_HTTPD_PID"
}

# lg_port_taken LOG...: true, with a note, when the server just started
# (LG_HTTPD_PID) has exited and one of its LOGs says that its port
# (LG_PORT) was taken meanwhile: then try again on another.
lg_port_taken()
{
	if lg_alive "$LG_HTTPD_PID" ||
	    ! grep -qi 'address already in use' "$@" 2>/dev/null; then
		return 1
	fi
	lg_note "port $LG_PORT taken meanwhile, trying another"
}

# lg_dump_files LINES FILE...: prints each FILE that is not empty into the
# test output, as comments: its last LINES lines, all of it for "".
lg_dump_files()
{
	local n=$1 f

	shift
	for f in "$@"; do
		[ -s "$f" ] || continue
		echo "# ---- $f${n:+ (last $n lines)}"
		tail -n "${n:-+1}" "$f" | sed 's/^/#   /'
	done
}

# lg_dump_logs: prints lighttpd's logs (and the responders') into the test
# output.
lg_dump_logs()
{
	lg_dump_files "" "$LG_RUN/error.log" "$LG_RUN/lighttpd.out" \
	    "$LG_RUN/lockgate.log"
}

# lg_start_lighttpd [PROCS]: writes the configuration with lighttpd/mkconf
# into a fresh run directory ($LG_TMP/$LG_RUNNAME) and starts lighttpd in the foreground (-D) as a
# background child, with PROCS lockgate responders (default 4), then waits
# up to 10 s for GET /v1/health to answer 200. With LG_MOUNT set (e.g.
# /lockgate), lockgate is mounted there (mkconf -m) and the health check is
# $LG_MOUNT/v1/health, sent with LG_TOKEN as its bearer token when that is
# set (for LOCKGATE_API_TOKENS). Sets LG_PORT and LG_URL. With
# LG_ETCD_ENDPOINTS, two servers on that etcd cluster behind a balancer
# stand for it (etcd-lib.sh's etcd_pair_start).
# Failing to start is fatal for the script.
lg_start_lighttpd()
{
	local procs=${1:-4} try

	if [ -n "${LG_ETCD_ENDPOINTS:-}" ]; then
		etcd_pair_start "$procs"
		return
	fi
	LG_RUN=$LG_TMP/$LG_RUNNAME
	mkdir -p "$LG_RUN" || lg_bail "mkdir $LG_RUN"
	for try in 1 2 3; do
		LG_PORT=$(lg_free_port) || lg_bail "found a free loopback port"
		LG_URL="http://127.0.0.1:$LG_PORT"
		lg_san_scan
		rm -f "$LG_RUN/error.log" "$LG_RUN/lighttpd.out"
		if ! "$LOCKGATE_SRCDIR/lighttpd/mkconf" \
		    ${LG_MOUNT:+-m "$LG_MOUNT"} "$LG_PORT" "$LG_RUN" \
		    "$LOCKGATE_FCGI" "$procs" >"$LG_RUN/lighttpd.conf"; then
			lg_bail "lighttpd/mkconf writes a configuration"
		fi
		lighttpd -D -f "$LG_RUN/lighttpd.conf" \
		    >"$LG_RUN/lighttpd.out" 2>&1 </dev/null &
		LG_HTTPD_PID=$!
		if lg_wait_http 200 "$LG_URL$LG_MOUNT/v1/health" \
		    ${LG_TOKEN:+-H "Authorization: Bearer $LG_TOKEN"} \
		    --max-time 1; then
			lg_ok "lighttpd with $procs responders answers $LG_MOUNT/v1/health on port $LG_PORT"
			return 0
		fi
		lg_port_taken "$LG_RUN/error.log" "$LG_RUN/lighttpd.out" ||
		    break
	done
	lg_dump_logs
	lg_bail "lighttpd with lockgate answers GET /v1/health with 200" \
	    "last status $LG_CODE after 10 s"
}

# lg_stop_lighttpd: stops lighttpd (SIGTERM, as an operator would) and
# waits up to 5 s for it and up to 5 s more for every responder of ours,
# then scans the logs for sanitizer reports (lg_san_scan; lg_finish
# reports them). Returns 0 when all are gone. With LG_ETCD_ENDPOINTS:
# etcd_pair_stop.
lg_stop_lighttpd()
{
	local rc=0

	if [ -n "${LG_ETCD_ENDPOINTS:-}" ]; then
		etcd_pair_stop
		return
	fi
	[ -n "$LG_HTTPD_PID" ] || return 0
	kill -TERM "$LG_HTTPD_PID" 2>/dev/null
	lg_wait_gone "$LG_HTTPD_PID" 5 || rc=1
	wait "$LG_HTTPD_PID" 2>/dev/null
	LG_HTTPD_PID=""
	lg_wait_no_responders 5 || rc=1
	lg_san_scan
	return $rc
}

# lg_stopped [DESC]: lg_stop_lighttpd, and one check that lighttpd and every
# responder of this test are gone (those left are named). DESC, when
# given, begins the description.
# shellcheck disable=SC2120 # DESC is optional
lg_stopped()
{
	local d="${1:+$1: }lighttpd stopped and no lockgate.fcgi of this test is left"

	if lg_stop_lighttpd; then
		lg_ok "$d"
	else
		lg_not_ok "$d" "none" "$(lg_responders | tr '\n' ' ')"
	fi
}

# lg_no_errors DESC FILE...: one check that no line of the FILEs (logs) has
# "error" in it, in any case. With one, or with LG_VERBOSE=1, lighttpd's
# logs are shown.
lg_no_errors()
{
	local d=$1 errs

	shift
	errs=$(grep -i 'error' "$@" 2>/dev/null)
	lg_is "$d" "" "$errs"
	if [ -n "$errs" ] || [ "${LG_VERBOSE:-0}" = 1 ]; then
		lg_dump_logs
	fi
}

# ---------------------------------------------------------------------------
# Requests

# lg_readfile FILE: prints nothing; sets LG_BODY to FILE's exact contents.
lg_readfile()
{
	LG_BODY=""
	# read -d '' stops at a NUL or the end: the whole file, newlines kept,
	# without starting a process (this runs hundreds of times).
	IFS= read -r -d '' LG_BODY <"$1" 2>/dev/null
	return 0
}

# lg_curl METHOD PATH [CURL-ARGS...]: one request to lighttpd. Sets
# LG_STATUS ("000" when the connection failed), LG_HDRS and LG_BODY, and
# LG_T0 and LG_T1, the clock (ms) just before and just after.
LG_T0=0
LG_T1=0
# HEAD is sent with curl -I; use lg_raw to see that a HEAD has no body.
lg_curl()
{
	local method=$1 path=$2 m

	shift 2
	if [ "$method" = HEAD ]; then
		m=(-I)
	else
		m=(-X "$method")
	fi
	LG_HDRS=$LG_TMP/last.hdr
	: >"$LG_HDRS"
	: >"$LG_TMP/last.body"
	# "Expect:" off: curl would send "Expect: 100-continue" for bigger
	# bodies and the headers file would hold two responses.
	LG_T0=$(lg_now_ms)
	LG_STATUS=$(curl -s --max-time 10 -H 'Expect:' "${m[@]}" \
	    -D "$LG_HDRS" -o "$LG_TMP/last.body" -w '%{http_code}' \
	    "$@" "$LG_URL$path" 2>"$LG_TMP/last.err")
	LG_T1=$(lg_now_ms)
	[ -n "$LG_STATUS" ] || LG_STATUS=000
	if [ "$method" = HEAD ]; then
		LG_BODY=""
	else
		lg_readfile "$LG_TMP/last.body"
	fi
	lg_parse_headers
	if [ "${LG_VERBOSE:-0}" = 1 ]; then
		lg_note "$method $path -> $LG_STATUS $LG_BODY"
	fi
}

# lg_raw METHOD PATH [HEADER-LINE...]: one HTTP/1.1 request over a bare
# socket (bash /dev/tcp) with "Connection: close", so whatever the server
# sends after the headers is seen: a HEAD answer must have no body at all.
# Sets LG_STATUS, LG_HDRS and LG_BODY (the raw bytes after the blank line).
lg_raw()
{
	local method=$1 path=$2 h all

	shift 2
	LG_HDRS=$LG_TMP/last.hdr
	{
		printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n' \
		    "$method" "$path" "$LG_PORT"
		for h in "$@"; do
			printf '%s\r\n' "$h"
		done
		printf 'Connection: close\r\n\r\n'
	} >"$LG_TMP/raw.req"
	(
		exec 3<>"/dev/tcp/127.0.0.1/$LG_PORT" || exit 1
		cat "$LG_TMP/raw.req" >&3
		timeout 10 cat <&3
	) >"$LG_TMP/raw.resp" 2>/dev/null
	all=$(cat "$LG_TMP/raw.resp"; printf x)
	lg_split "${all%x}" $'\r\n\r\n'
	LG_STATUS=$(head -n 1 "$LG_HDRS" | awk '{ print $2 }')
	[ -n "$LG_STATUS" ] || LG_STATUS=000
	lg_parse_headers
}

# lg_split ANSWER END: splits ANSWER (headers, a blank line, the body) at
# its first blank line: the header lines go to the file LG_HDRS with END
# after them, the rest to LG_BODY; without a blank line all of ANSWER is
# headers and LG_BODY is empty.
lg_split()
{
	case $1 in
	*$'\r\n\r\n'*)
		printf '%s%s' "${1%%$'\r\n\r\n'*}" "$2" >"$LG_HDRS"
		LG_BODY=${1#*$'\r\n\r\n'}
		;;
	*)
		printf '%s' "$1" >"$LG_HDRS"
		LG_BODY=""
		;;
	esac
}

# lg_parse_headers: reads LG_HDRS into LG_H (lower-case name -> value,
# every occurrence on its own line), keeping only the last header block
# (a "100 Continue" may come first). Surrounding blanks and CR removed.
declare -A LG_H=()
lg_parse_headers()
{
	local line name value

	LG_H=()
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		case $line in
		HTTP/*)
			LG_H=()
			continue
			;;
		*:*) ;;
		*) continue ;;
		esac
		name=${line%%:*}
		name=${name,,}
		value=${line#*:}
		value=${value#"${value%%[! $'\t']*}"}
		value=${value%"${value##*[! $'\t']}"}
		if [ -n "${LG_H[$name]+set}" ]; then
			LG_H[$name]=${LG_H[$name]}$'\n'$value
		else
			LG_H[$name]=$value
		fi
	done <"$LG_HDRS"
}

# lg_hdr NAME: prints the value of header NAME in the last response, every
# occurrence on its own line, "<absent>" when there is none.
lg_hdr()
{
	local n=${1,,}

	if [ -n "${LG_H[$n]+set}" ]; then
		printf '%s\n' "${LG_H[$n]}"
	else
		echo "<absent>"
	fi
}

# lg_cgi_parse FILE: splits a CGI (or FastCGI stdout) answer in FILE into
# LG_HDRS (the header lines, CRLF kept), LG_STATUS (the code of the Status
# line, or "none") and LG_BODY. LG_STATUSLINE keeps the whole first line.
LG_STATUSLINE=""
lg_cgi_parse()
{
	local all

	LG_HDRS=$LG_TMP/last.hdr
	all=""
	IFS= read -r -d '' all <"$1"
	lg_split "$all" $'\r\n'
	LG_STATUSLINE=${all%%$'\r\n'*}
	lg_parse_headers
	LG_STATUS=none
	if [[ $LG_STATUSLINE =~ ^Status:\ ([0-9]{3}) ]]; then
		LG_STATUS=${BASH_REMATCH[1]}
	fi
}

# ---------------------------------------------------------------------------
# Assertions on the last response

# lg_std_headers: prints what is wrong with the standard JSON answer headers
# (nothing when all three are right).
lg_std_headers()
{
	local n want

	for n in Content-Type Cache-Control Access-Control-Allow-Origin; do
		case $n in
		Content-Type) want=$LG_CT ;;
		Cache-Control) want=$LG_CC ;;
		*) want=$LG_ACAO ;;
		esac
		[ "${LG_H[${n,,}]-<absent>}" = "$want" ] ||
		    printf '%s: %s (want %s)\n' "$n" \
		    "${LG_H[${n,,}]-<absent>}" "$want"
	done
}

# lg_expect DESC STATUS BODY: the last response has exactly this status,
# the standard JSON headers and exactly this body (give the body without
# its final newline: the contract's one "\n" is added here).
lg_expect()
{
	local d=$1 want="$3"$'\n' bad=""

	[ "$LG_STATUS" = "$2" ] ||
	    bad="${bad}status $LG_STATUS, want $2"$'\n'
	bad="$bad$(lg_std_headers)"
	if [ "$LG_BODY" != "$want" ]; then
		lg_not_ok "$d" "$2 $want" "$LG_STATUS $LG_BODY${bad:+$'\n'$bad}"
	elif [ -n "$bad" ]; then
		lg_not_ok "$d" "status $2, standard JSON headers" "$bad"
	else
		lg_ok "$d"
	fi
}

# lg_check STATUS CT BODY: sets LG_BAD to what is wrong with the last
# response, one line each (empty when it is exactly STATUS, Content-Type CT
# ("<absent>" for none), Cache-Control: no-store,
# Access-Control-Allow-Origin: * and BODY, exact, no newline added).
# No subshell: this runs for every check.
LG_BAD=""
lg_check()
{
	local ct=${LG_H[content-type]-<absent>}
	local cc=${LG_H[cache-control]-<absent>}
	local ao=${LG_H[access-control-allow-origin]-<absent>}

	LG_BAD=""
	[ "$LG_STATUS" = "$1" ] || LG_BAD+="status $LG_STATUS, want $1"$'\n'
	[ "$ct" = "$2" ] || LG_BAD+="Content-Type: $ct (want $2)"$'\n'
	[ "$cc" = no-store ] || LG_BAD+="Cache-Control: $cc (want no-store)"$'\n'
	[ "$ao" = "*" ] ||
	    LG_BAD+="Access-Control-Allow-Origin: $ao (want *)"$'\n'
	[ "$LG_BODY" = "$3" ] || LG_BAD+="body '$LG_BODY' (want '$3')"$'\n'
}

# lg_expect_ct DESC STATUS CT BODY: the last response is exactly that (see
# lg_check; BODY is exact, no newline added): for the answers lg_expect
# does not fit, such as the LSS surface's (compact JSON, short texts, none).
lg_expect_ct()
{
	lg_check "$2" "$3" "$4"
	if [ -z "$LG_BAD" ]; then
		lg_ok "$1"
	else
		lg_not_ok "$1" "$2, Content-Type $3, no-store, ACAO *, body '$4'" \
		    "$LG_BAD"
	fi
}

# lg_expect_hdr DESC NAME VALUE: the last response's header NAME is VALUE.
lg_expect_hdr()
{
	lg_is "$1" "$3" "$(lg_hdr "$2")"
}

# lg_ms NUMBER: prints a lockgate number (seconds, up to 3 decimals) as
# integer milliseconds.
lg_ms()
{
	local i=${1%%.*} f=""

	case $1 in
	*.*) f=${1#*.} ;;
	esac
	f=${f}000
	f=${f:0:3}
	echo $((10#$i * 1000 + 10#$f))
}

# lg_now_ms: the wall clock in milliseconds.
lg_now_ms()
{
	local t=${EPOCHREALTIME:-}

	if [ -n "$t" ]; then
		t=${t/[.,]/}
		echo $((10#$t / 1000))
	else
		date +%s%3N
	fi
}

# lg_expect_lock DESC STATUS LOCKED MESSAGE ID TTL [HOLDERS LIMIT]: the
# last response is
#	{"locked": LOCKED, "message": "MESSAGE", "lock": {"id": "ID",
#	 "timestamp": T, "ttl": TTL, "expires": E, "fence": F
#	 [, "holders": HOLDERS, "limit": LIMIT]}}
# exactly (key order, spacing, number format, one final newline), with the
# standard JSON headers; without HOLDERS the answer must carry neither
# holders nor limit. TTL is the exact text ("30.0"). On success sets
# LG_TS, LG_EXP, LG_FENCE (timestamp and expires in milliseconds) and
# returns 0; on failure returns 1 and leaves them empty.
LG_TS=""
LG_EXP=""
LG_FENCE=""
lg_expect_lock()
{
	local d=$1 st=$2 locked=$3 msg=$4 id=$5 ttl=$6 h=${7:-} l=${8:-}
	local re tail="" want bad=""

	LG_TS=""
	LG_EXP=""
	LG_FENCE=""
	want="{\"locked\": $locked, \"message\": \"$msg\", \"lock\": {\"id\": \"$id\", \"timestamp\": N, \"ttl\": $ttl, \"expires\": N, \"fence\": N"
	if [ -n "$h" ]; then
		tail=", \"holders\": $h, \"limit\": $l"
		want="$want$tail"
	fi
	want="$st $want}}"
	re="^\{\"locked\": $locked, \"message\": \"$msg\", \"lock\": \{\"id\": \"$id\","
	re="$re \"timestamp\": ($LG_NUM), \"ttl\": ${ttl//./\\.},"
	re="$re \"expires\": ($LG_NUM), \"fence\": ([1-9][0-9]*)$tail\}\}"$'\n$'
	[ "$LG_STATUS" = "$st" ] || bad="${bad}status $LG_STATUS, want $st"$'\n'
	bad="$bad$(lg_std_headers)"
	if ! [[ $LG_BODY =~ $re ]]; then
		lg_not_ok "$d" "$want" "$LG_STATUS $LG_BODY${bad:+$'\n'$bad}"
		return 1
	fi
	if [ -n "$bad" ]; then
		lg_not_ok "$d" "status $st, standard JSON headers" "$bad"
		return 1
	fi
	LG_TS=$(lg_ms "${BASH_REMATCH[1]}")
	LG_EXP=$(lg_ms "${BASH_REMATCH[3]}")
	LG_FENCE=${BASH_REMATCH[5]}
	lg_ok "$d"
	return 0
}

# lg_fresh DESC TTL: after a 201 that lg_expect_lock accepted: the
# timestamp is the time of the request, expires is timestamp + TTL to the
# millisecond, and the fence is above LG_MAXF, every fence seen before (then
# raised to it). One check; returns 1 when it fails.
LG_MAXF=0
lg_fresh()
{
	local d=$1 ttl bad=""

	ttl=$(lg_ms "$2")
	[ $((LG_EXP - LG_TS)) -eq "$ttl" ] ||
	    bad="${bad}expires - timestamp = $((LG_EXP - LG_TS)) ms, want $ttl"$'\n'
	if [ "$LG_TS" -lt $((LG_T0 - 50)) ] || [ "$LG_TS" -gt $((LG_T1 + 50)) ]; then
		bad="${bad}timestamp $LG_TS ms outside the request [$LG_T0, $LG_T1]"$'\n'
	fi
	[ "$LG_FENCE" -gt "$LG_MAXF" ] ||
	    bad="${bad}fence $LG_FENCE not above the earlier $LG_MAXF"$'\n'
	if [ -n "$bad" ]; then
		lg_not_ok "$d: timestamp now, expires = timestamp + ttl, fence grows" \
		    "" "$bad"
		return 1
	fi
	lg_ok "$d: timestamp now, expires = timestamp + ttl, fence $LG_FENCE > $LG_MAXF"
	LG_MAXF=$LG_FENCE
	return 0
}

# lg_expires_now DESC TTL: after a refresh that lg_expect_lock accepted:
# expires = now + TTL seconds (between the request's start and end, give
# or take 50 ms). One check.
lg_expires_now()
{
	local t

	t=$(lg_ms "$2")
	if [ -n "$LG_EXP" ] && [ "$LG_EXP" -ge $((LG_T0 + t - 50)) ] &&
	    [ "$LG_EXP" -le $((LG_T1 + t + 50)) ]; then
		lg_ok "$1: expires = now + $2 s"
	else
		lg_not_ok "$1: expires = now + $2 s" \
		    "[$((LG_T0 + t)), $((LG_T1 + t))]" "${LG_EXP:-none}"
	fi
}

# lg_json_field FILTER: prints jq FILTER applied to the last body.
lg_json_field()
{
	printf '%s' "$LG_BODY" | jq -c "$1" 2>&1
}

# lg_uuid: a fresh random lower-case UUID (the kernel's, else bash's).
lg_uuid()
{
	local u

	if [ -r /proc/sys/kernel/random/uuid ]; then
		read -r u </proc/sys/kernel/random/uuid
		echo "$u"
	else
		printf '%04x%04x-%04x-4%03x-8%03x-%04x%04x%04x\n' \
		    $RANDOM $RANDOM $RANDOM $((RANDOM % 4096)) \
		    $((RANDOM % 4096)) $RANDOM $RANDOM $RANDOM
	fi
}

# lg_version: the package version from configure.ac (the health answer's
# "version"), 0.1.0 when it cannot be read.
lg_version()
{
	local v

	v=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' \
	    "$LOCKGATE_SRCDIR/configure.ac" 2>/dev/null | head -n 1)
	echo "${v:-0.1.0}"
}

# lg_many METHOD PATH N [CURL-ARGS...]: N identical requests from one curl
# process, up to 16 at a time (--parallel), so that lighttpd spreads them
# over its responders. Status codes go to $LG_TMP/many.codes, one a line,
# bodies to $LG_TMP/many.1 ... many.N.
lg_many()
{
	local method=$1 path=$2 n=$3 i

	shift 3
	rm -f "$LG_TMP"/many.*
	for i in $(seq 1 "$n"); do
		printf 'url = "%s%s"\noutput = "%s/many.%d"\n' \
		    "$LG_URL" "$path" "$LG_TMP" "$i"
	done >"$LG_TMP/many.cfg"
	curl -s --no-progress-meter --max-time 30 -H 'Expect:' \
	    -X "$method" --parallel --parallel-max 16 -w '%{http_code}\n' \
	    "$@" -K "$LG_TMP/many.cfg" >"$LG_TMP/many.codes" 2>"$LG_TMP/many.err"
}

# lg_codes FILE: prints the status codes in FILE (one a line, as lg_many
# writes them) counted, as "N CODE, N CODE" in the order of the codes.
lg_codes()
{
	sort "$1" | uniq -c | awk '{ printf "%s%s %s", s, $1, $2; s = ", " }'
}

# lg_lids SERIES FROM TO: prints the lock ids FROM..TO of SERIES (a number),
# one a line: SERIES in the first group, the number in the last.
lg_lids()
{
	awk -v s="$1" -v a="$2" -v b="$3" 'BEGIN { for (i = a; i <= b; i++)
	    printf "%08x-0000-4000-8000-%012x\n", s, i }'
}

# lg_records [URL]: prints the "records" of GET URL/v1/health (default
# LG_URL), or "?" and what came instead. Leaves the last response alone.
# shellcheck disable=SC2120 # URL is optional
lg_records()
{
	local b

	b=$(curl -s --max-time 10 -w ' %{http_code}' "${1:-$LG_URL}/v1/health")
	if [[ $b =~ \"records\":\ ([0-9]+)\}$'\n'\ 200$ ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo "? $b"
	fi
}

# lg_metric NAME [URL]: prints the value of the series NAME (with its
# labels) in GET URL/metrics (default LG_URL), "<absent>" when it is not
# there. With URL "cgi", asks one CGI run of the program on this script's
# database instead: it sees what the processes on that database count
# together (the waiting gauge), whatever server runs them; with
# LG_ETCD_ENDPOINTS, URL "cgi" or none, the sum of etcd_pair_start's
# servers (etcd_metric). Leaves the last response alone.
lg_metric()
{
	local v

	if [ -n "${LG_ETCD_ENDPOINTS:-}" ] && [ "${2:-cgi}" = cgi ]; then
		etcd_metric "$1" "<absent>"
		return
	fi
	if [ "${2:-}" = cgi ]; then
		v=$(env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 \
		    REQUEST_METHOD=GET PATH_INFO=/metrics \
		    LOCKGATE_DB="$LOCKGATE_DB" timeout 10 "$LOCKGATE_FCGI" --cgi \
		    2>>"$LG_TMP/cgi-all.err" </dev/null |
		    awk -v n="$1" '{ sub(/\r$/, "") } $1 == n { print $2 }')
	else
		v=$(curl -s --max-time 10 "${2:-$LG_URL}/metrics" |
		    awk -v n="$1" '$1 == n { print $2 }')
	fi
	echo "${v:-<absent>}"
}

# lg_wait_metric SECONDS NAME OP VALUE [URL]: asks lg_metric NAME [URL]
# every 0.05 s until its value passes the integer test OP VALUE (OP: -eq
# -ge ...), SECONDS at most. True when it did; LG_METRIC is the last value.
LG_METRIC=""
lg_wait_metric()
{
	local end=$(($(lg_now_ms) + $1 * 1000))

	while :; do
		LG_METRIC=$(lg_metric "$2" "${5:-}")
		test "$LG_METRIC" "$3" "$4" 2>/dev/null && return 0
		[ "$(lg_now_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# lg_io_counts: prints "PID SYSCALLS" for each responder of ours (read and
# write system calls so far, from /proc/PID/io): a responder whose count
# moved has served a request meanwhile.
lg_io_counts()
{
	local p r w

	for p in $(lg_responders); do
		r=$(awk '$1 == "syscr:" { print $2 }' "/proc/$p/io" 2>/dev/null)
		w=$(awk '$1 == "syscw:" { print $2 }' "/proc/$p/io" 2>/dev/null)
		echo "$p $((${r:-0} + ${w:-0}))"
	done
}

# ---------------------------------------------------------------------------
# The program run directly

# lg_cgi [NAME=VALUE...]: runs LOCKGATE_FCGI once as a plain CGI program
# (RFC 3875) in an empty environment holding only the CGI basics,
# LOCKGATE_DB and the given variables, with LG_CGI_IN on stdin (default
# /dev/null) and the words of LG_CGI_ARGS as arguments. Bounded to 10 s.
# Sets LG_RC (exit status), LG_ERR (its stderr) and, through lg_cgi_parse,
# LG_STATUSLINE, LG_STATUS, LG_HDRS/LG_H and LG_BODY.
LG_CGI_IN=/dev/null
LG_CGI_ARGS=""
LG_RC=0
LG_ERR=""
lg_cgi()
{
	# shellcheck disable=SC2086
	lg_cgi_exchange LOCKGATE_DB="$LOCKGATE_DB" "$@" \
	    timeout 10 "$LOCKGATE_FCGI" $LG_CGI_ARGS
}

# lg_cgi_exchange [NAME=VALUE...] COMMAND...: runs COMMAND, with LG_CGI_IN on
# stdin, in an empty environment holding only the CGI basics and the given
# variables; sets LG_RC (its exit status), LG_ERR (its stderr) and, through
# lg_cgi_parse of its stdout, the last response. Every run's stderr is
# also kept in $LG_TMP/cgi-all.err, for the sanitizer scan.
lg_cgi_exchange()
{
	env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 \
	    SERVER_PROTOCOL=HTTP/1.1 SERVER_NAME=localhost SERVER_PORT=80 \
	    REMOTE_ADDR=127.0.0.1 "$@" <"$LG_CGI_IN" \
	    >"$LG_TMP/cgi.out" 2>"$LG_TMP/cgi.err"
	LG_RC=$?
	LG_ERR=""
	IFS= read -r -d '' LG_ERR <"$LG_TMP/cgi.err"
	[ -z "$LG_ERR" ] || printf '%s' "$LG_ERR" >>"$LG_TMP/cgi-all.err"
	lg_cgi_parse "$LG_TMP/cgi.out"
}

# lg_reason CODE: the reason phrase lockgate writes in its Status line
# (RFC 9110 section 15, RFC 4918 for 423).
lg_reason()
{
	case $1 in
	200) echo "OK" ;;
	201) echo "Created" ;;
	204) echo "No Content" ;;
	400) echo "Bad Request" ;;
	404) echo "Not Found" ;;
	405) echo "Method Not Allowed" ;;
	411) echo "Length Required" ;;
	413) echo "Content Too Large" ;;
	423) echo "Locked" ;;
	503) echo "Service Unavailable" ;;
	507) echo "Insufficient Storage" ;;
	*) echo "?" ;;
	esac
}

# lg_cgi_problems STATUS: prints what is wrong with the framing of the last
# CGI answer: exit status, the Status line, header syntax (each line
# "Name: value" ended by CRLF, none twice), the standard JSON headers and,
# when there is a Content-Length, that it counts the body's bytes.
lg_cgi_problems()
{
	local want line n names=" "

	[ "$LG_RC" = 0 ] || echo "exit status $LG_RC, want 0"
	want="Status: $1 $(lg_reason "$1")"
	[ "$LG_STATUSLINE" = "$want" ] ||
	    echo "status line '$LG_STATUSLINE', want '$want'"
	while IFS= read -r line; do
		case $line in
		*$'\r') line=${line%$'\r'} ;;
		*) echo "header line without CR: '$line'" ;;
		esac
		if ! [[ $line =~ ^[A-Za-z][A-Za-z0-9-]*:\ [^\ ] ]]; then
			echo "malformed header line: '$line'"
			continue
		fi
		n=${line%%:*}
		n=${n,,}
		case $names in
		*" $n "*) echo "header $n twice" ;;
		esac
		names="$names$n "
	done <"$LG_HDRS"
	[ "$1" = 204 ] || lg_std_headers
	if [ -n "${LG_H[content-length]+set}" ] &&
	    [ "${LG_H[content-length]}" != "${#LG_BODY}" ]; then
		echo "Content-Length ${LG_H[content-length]}, body ${#LG_BODY} bytes"
	fi
}

# lg_cgi_expect DESC STATUS BODY: the last CGI answer is exactly this
# status and body (without its final newline) with proper framing.
lg_cgi_expect()
{
	local bad want="$3"$'\n'

	bad=$(lg_cgi_problems "$2")
	if [ "$LG_BODY" != "$want" ]; then
		lg_not_ok "$1" "$2 $want" "$LG_STATUSLINE $LG_BODY${bad:+$'\n'$bad}${LG_ERR:+$'\n'stderr: $LG_ERR}"
	elif [ -n "$bad" ]; then
		lg_not_ok "$1" "Status: $2 $(lg_reason "$2"), proper headers" "$bad"
	else
		lg_ok "$1"
	fi
}

# lg_cgi_expect_lock DESC STATUS LOCKED MESSAGE ID TTL: lg_expect_lock for
# the last CGI answer (status line and framing checked too).
lg_cgi_expect_lock()
{
	local bad

	bad=$(lg_cgi_problems "$2")
	if [ -n "$bad" ]; then
		lg_not_ok "$1: framing" "Status: $2 $(lg_reason "$2"), proper headers" \
		    "$bad${LG_ERR:+$'\n'stderr: $LG_ERR}"
		return 1
	fi
	lg_expect_lock "$@"
}

# lg_fcgi ADDR [NAME=VALUE...]: one FastCGI request to a listening lockgate
# at ADDR (host:port or a Unix socket path) through cgi-fcgi -bind
# (libfcgi-bin), with the CGI basics and the given variables as FastCGI
# parameters and LG_CGI_IN as the body. Sets what lg_cgi sets (LG_RC is
# cgi-fcgi's exit status).
lg_fcgi()
{
	local addr=$1

	shift
	lg_cgi_exchange "$@" timeout 10 cgi-fcgi -bind -connect "$addr"
}

# lg_listeners PORT: prints the local addresses listening on TCP PORT.
lg_listeners()
{
	ss -Hltn "sport = :$1" 2>/dev/null | awk '{ print $4 }' | sort | tr '\n' ' '
}

# ---------------------------------------------------------------------------
# Apache httpd

LG_APACHE=/usr/sbin/apache2	# Debian's httpd binary
LG_APACHE_MODDIR=/usr/lib/apache2/modules
LG_APACHE_DIR=""	# the running Apache's directory (config, logs)
LG_APACHE_USER=""	# who Apache's children run as (root: nobody)
LG_APACHE_GROUP=""

# lg_apache_init: checks that Apache is installed and decides who its
# children run as: the invoking user, or nobody/nogroup when that is root
# (Apache refuses to serve as root). Then the temporary directory is made
# traversable (mode 0755) so they can reach what is under it. Missing
# Apache is a failure.
lg_apache_init()
{
	if [ ! -x "$LG_APACHE" ] || [ ! -r "$LG_APACHE_MODDIR/mod_mpm_event.so" ]; then
		lg_bail "Apache httpd is installed" \
		    "no $LG_APACHE or modules in $LG_APACHE_MODDIR (Debian: apt-get install apache2 libapache2-mod-fcgid)"
	fi
	if [ "$(id -u)" -eq 0 ]; then
		LG_APACHE_USER=nobody
		LG_APACHE_GROUP=$(id -gn nobody 2>/dev/null) ||
		    lg_bail "the account nobody exists (Apache's children run as it)"
	else
		LG_APACHE_USER=$(id -un)
		LG_APACHE_GROUP=$(id -gn)
	fi
	chmod 0755 "$LG_TMP" || lg_bail "chmod 0755 $LG_TMP"
	lg_program_for_others
}

# lg_program_for_others: when we are root, copies the program to
# $LG_TMP/bin (mode 0755) and points LOCKGATE_FCGI at the copy, so that an
# unprivileged user can run it wherever the build directory lies (a build
# below /root or a mode-0700 temporary directory is closed to others).
# Makes $LG_TMP traversable.
lg_program_for_others()
{
	[ "$(id -u)" -eq 0 ] || return 0
	[ "$(dirname "$LOCKGATE_FCGI")" = "$LG_TMP/bin" ] && return 0
	chmod 0755 "$LG_TMP" || lg_bail "chmod 0755 $LG_TMP"
	if ! mkdir -p "$LG_TMP/bin" || ! chmod 0755 "$LG_TMP/bin" ||
	    ! cp "$LOCKGATE_FCGI" "$LG_TMP/bin/lockgate.fcgi" ||
	    ! chmod 0755 "$LG_TMP/bin/lockgate.fcgi"; then
		lg_bail "copy the program to $LG_TMP/bin"
	fi
	LOCKGATE_FCGI=$LG_TMP/bin/lockgate.fcgi
	LG_FCGI_REAL=$(readlink -f "$LOCKGATE_FCGI")
	export LOCKGATE_FCGI
}

# lg_apache_dir DIR...: creates each DIR (mode 0700) owned by the user
# Apache's children run as, so that they (and lockgate started by them) can
# write there. Call lg_apache_init first.
lg_apache_dir()
{
	local d

	for d in "$@"; do
		if ! mkdir -p "$d" || ! chmod 0700 "$d"; then
			lg_bail "mkdir $d"
		fi
		if [ "$(id -u)" -eq 0 ]; then
			chown "$LG_APACHE_USER:$LG_APACHE_GROUP" "$d" ||
			    lg_bail "chown $LG_APACHE_USER $d"
		fi
	done
}

# lg_as_apache_user COMMAND...: execs COMMAND as the user Apache's children
# run as (through setpriv when we are root), so it replaces the shell: run
# it in the background (&) or a subshell; $! is then COMMAND's pid.
lg_as_apache_user()
{
	if [ "$(id -u)" -eq 0 ]; then
		exec setpriv --reuid="$LG_APACHE_USER" --regid="$LG_APACHE_GROUP" \
		    --clear-groups -- "$@"
	fi
	exec "$@"
}

# lg_dump_apache_logs: prints the running Apache's logs into the output.
lg_dump_apache_logs()
{
	lg_dump_files 40 "$LG_APACHE_DIR/error.log" \
	    "$LG_APACHE_DIR/apache.out" "$LG_APACHE_DIR/access.log"
}

# lg_start_apache NAME SITECONF PROBE MODULES [CURL-ARG...]: starts Apache
# in the foreground (-DFOREGROUND) as a background child, on a free
# loopback port, with its own ServerRoot, PidFile, logs and runtime
# directory in $LG_TMP/apache-NAME, the modules named in MODULES (words
# such as "alias fcgid", loaded from LG_APACHE_MODDIR, besides the event
# MPM and authz_core; log_config is built in) and the file SITECONF included, which
# holds the configuration under test. It then waits up to 20 s for GET
# PROBE (a path, asked with CURL-ARGs) to answer 200. Sets LG_APACHE_DIR,
# LG_PORT, LG_URL and LG_HTTPD_PID (lg_cleanup stops it). Failing to start
# is fatal for the script. Call lg_apache_init first.
lg_start_apache()
{
	local name=$1 site=$2 probe=$3 modules=$4 try m

	shift 4
	LG_APACHE_DIR=$LG_TMP/apache-$name
	mkdir -p "$LG_APACHE_DIR/run" "$LG_APACHE_DIR/htdocs" ||
	    lg_bail "mkdir $LG_APACHE_DIR"
	chmod 0755 "$LG_APACHE_DIR" "$LG_APACHE_DIR/htdocs"
	lg_apache_dir "$LG_APACHE_DIR/run"
	for try in 1 2 3; do
		LG_PORT=$(lg_free_port) || lg_bail "found a free loopback port"
		LG_URL="http://127.0.0.1:$LG_PORT"
		lg_san_scan
		rm -f "$LG_APACHE_DIR/error.log" "$LG_APACHE_DIR/apache.out" \
		    "$LG_APACHE_DIR/httpd.pid"
		{
			printf 'ServerRoot "%s"\n' "$LG_APACHE_DIR"
			printf 'ServerName 127.0.0.1\n'
			printf 'Listen 127.0.0.1:%s\n' "$LG_PORT"
			printf 'PidFile "%s/httpd.pid"\n' "$LG_APACHE_DIR"
			printf 'DefaultRuntimeDir "%s/run"\n' "$LG_APACHE_DIR"
			printf 'ErrorLog "%s/error.log"\n' "$LG_APACHE_DIR"
			printf 'LogLevel warn\n'
			printf 'DocumentRoot "%s/htdocs"\n' "$LG_APACHE_DIR"
			printf 'Timeout 30\n'
			printf 'StartServers 1\n'
			if [ "$(id -u)" -eq 0 ]; then
				printf 'User %s\nGroup %s\n' "$LG_APACHE_USER" \
				    "$LG_APACHE_GROUP"
			fi
			for m in mpm_event authz_core $modules; do
				printf 'LoadModule %s_module "%s/mod_%s.so"\n' \
				    "$m" "$LG_APACHE_MODDIR" "$m"
			done
			printf 'LogFormat "%%h \\"%%r\\" %%>s %%b" short\n'
			printf 'CustomLog "%s/access.log" short\n' "$LG_APACHE_DIR"
			printf '<Directory />\n\tAllowOverride None\n\tRequire all denied\n</Directory>\n'
			printf '<Directory "%s/htdocs">\n\tRequire all granted\n</Directory>\n' \
			    "$LG_APACHE_DIR"
			printf 'Include "%s"\n' "$site"
		} >"$LG_APACHE_DIR/httpd.conf"
		if ! "$LG_APACHE" -f "$LG_APACHE_DIR/httpd.conf" -t \
		    >"$LG_APACHE_DIR/apache.out" 2>&1; then
			lg_dump_apache_logs
			lg_bail "apache2 -t accepts the $name configuration"
		fi
		"$LG_APACHE" -f "$LG_APACHE_DIR/httpd.conf" -DFOREGROUND \
		    >"$LG_APACHE_DIR/apache.out" 2>&1 </dev/null &
		LG_HTTPD_PID=$!
		if lg_wait_http 400 "$LG_URL$probe" --max-time 5 "$@"; then
			lg_ok "Apache ($name) answers GET $probe on port $LG_PORT"
			return 0
		fi
		lg_port_taken "$LG_APACHE_DIR/error.log" \
		    "$LG_APACHE_DIR/apache.out" || break
	done
	lg_dump_apache_logs
	lg_bail "Apache ($name) with lockgate answers GET $probe with 200" \
	    "last status $LG_CODE after 20 s"
}

# lg_stop_apache: stops Apache (SIGTERM, as apache2ctl stop does) and
# waits up to 10 s for it and up to 5 s more for every lockgate responder
# of ours (LOCKGATE_FCGI with this LOCKGATE_DB), then scans the logs for
# sanitizer reports (lg_san_scan; lg_finish reports them). Returns 0 when
# all are gone; whatever is left is killed.
lg_stop_apache()
{
	local rc=0 p

	[ -n "$LG_HTTPD_PID" ] || return 0
	kill -TERM "$LG_HTTPD_PID" 2>/dev/null
	if ! lg_wait_gone "$LG_HTTPD_PID" 10; then
		kill -KILL "$LG_HTTPD_PID" 2>/dev/null
		rc=1
	fi
	wait "$LG_HTTPD_PID" 2>/dev/null
	LG_HTTPD_PID=""
	if ! lg_wait_no_responders 5; then
		for p in $(lg_responders); do
			kill -KILL "$p" 2>/dev/null
		done
		rc=1
	fi
	lg_san_scan
	return $rc
}

# ---------------------------------------------------------------------------
# The suites on etcd (etcd-suites.sh): the servers of etcd-lib.sh.
if [ -n "${LG_ETCD_ENDPOINTS:-}" ]; then
	# shellcheck source-path=SCRIPTDIR source=etcd-lib.sh
	. "${BASH_SOURCE[0]%/*}/etcd-lib.sh" || {
		echo "not ok - ${BASH_SOURCE[0]%/*}/etcd-lib.sh loads"
		echo "0 passed, 1 failed"
		exit 1
	}
fi
