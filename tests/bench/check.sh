#!/usr/bin/env bash
# tests/bench/check.sh: runs the benchmark briefly ("make check-bench") and
# checks that it printed every row of its table with the answers each
# scenario must get. It checks that the benchmark works, not how fast
# anything is: no figure of speed is compared with anything.
#
# Runs tests/bench/run.sh with 1 s per wrk run, 0 and 100 live locks, all
# scenarios behind lighttpd, get and put_new behind Apache, the not-durable
# reference, etcd itself and lockgate on etcd with clusters of 1 and 3
# members, and CGI mode (about two minutes), with the environment "make
# check-bench" sets (LOCKGATE_FCGI, BENCH_NULL, ...). Checks, for each row
# (lighttpd's, Apache's and etcd's): it is there once; requests/s and ok/s above
# 0; only the statuses its scenario may get (owner: both 201 and 200 among
# them; delete: 404 too, once a fast machine has used up the locks made for
# it); no socket error (behind Apache, a few read errors pass: see
# few_read_errors); beside the null responder's run, a ratio above 0, and no
# note that the ratio is not to be trusted (the null responder got anything
# but 200, or socket errors beyond a few read errors). For each cluster
# size, a line of lockgate/etcd for GET and for new-lock PUT with a ratio
# above 0. Then: a peak RSS line for every FastCGI server, 2 processes each
# behind lighttpd, 1 behind Apache, each process's own memory (RssAnon)
# under 8 MiB (so not in a build with sanitizers, whose shadow memory
# counts there); the disk flush line; the Apache and etcd lines of the
# header; the last line. A program without the etcd backend (run.sh then
# says so in a note) has its rows on etcd left out, and this check says so
# instead of checking them. Settings of the caller's
# environment that would change what is run (BENCH_*, LOCKGATE_* but the
# programs') are dropped. Prints "bench check: N checks passed" or each
# failed check, the output and exits 1.
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.

set -euo pipefail
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp "${TMPDIR:-/tmp}/lockgate-bench-check.XXXXXX")
trap 'rm -f "$out" "$out.err"' EXIT

for v in $(compgen -e); do
	case $v in
	BENCH_NULL | BENCH_PRELOAD | BENCH_FLUSH | BENCH_DIR) ;;
	LOCKGATE_FCGI | LOCKGATE_SRCDIR) ;;
	BENCH_* | LOCKGATE_*) unset "$v" ;;
	esac
done
export BENCH_DURATION=1 BENCH_LEVELS="0 100" BENCH_CEILING=1 BENCH_CGI=1
export BENCH_NOSYNC=1 BENCH_PROCS=2 BENCH_DELETE_POOL=30000
export BENCH_SCENARIOS="get put_refresh owner put_new delete"
export BENCH_APACHE=1 BENCH_APACHE_SCENARIOS="get put_new"
export BENCH_ETCD=1 BENCH_ETCD_MEMBERS="1 3"

rc=0
bash "$here/run.sh" >"$out" 2>"$out.err" || rc=$?
# Interrupted (run.sh exits 130 or 143 on a signal): nothing to check.
[ "$rc" -lt 128 ] || exit "$rc"
checks=0
failed=0

fail()
{
	printf 'bench check: FAIL: %s\n' "$*"
	failed=$((failed + 1))
}

pass()
{
	checks=$((checks + 1))
}

if [ "$rc" -ne 0 ]; then
	fail "run.sh exited with status $rc"
	cat "$out.err"
fi
rm -f "$out.err"

# allowed SCENARIO: the statuses its answers may have.
allowed()
{
	case $1 in
	get) echo 423 ;;
	put_refresh) echo 200 ;;
	delete) echo "200 404" ;;
	put_new) echo 201 ;;
	owner) echo "200 201 423" ;;
	etcd_range | etcd_create) echo 200 ;;
	esac
}

# members N: "1 member" or "N members", as run.sh writes it.
members()
{
	if [ "$1" = 1 ]; then
		echo "1 member"
	else
		echo "$1 members"
	fi
}

# few_read_errors ERRORS ANSWERS: true when the socket errors C/R/W/T are
# read errors alone, at most 1 in 100 of the answers (status:count ...).
# Behind Apache a run now and then has one or a few (a connection that
# ended before its answer; seen in about 1 of 20 one-second runs on a
# loaded 2-core machine, with Apache's keep-alive limit lifted too): not a
# failure of the benchmark, and too few to change its figures.
few_read_errors()
{
	local e_c e_r e_w e_t st n=0

	IFS=/ read -r e_c e_r e_w e_t <<<"$1"
	for st in $2; do
		n=$((n + ${st#*:}))
	done
	[ "$e_c/$e_w/$e_t" = 0/0/0 ] && [[ $e_r =~ ^[0-9]+$ ]] &&
	    [ $((e_r * 100)) -le "$n" ]
}

# check_row SERVER LABEL SCENARIO CEILING: the table row of SERVER, LABEL
# and SCENARIO; CEILING 1 when it was paired with the null responder.
check_row()
{
	local server=$1 label=$2 sc=$3 ceiling=$4 rows row st code want
	local -a c

	rows=$(awk -F' [|] ' -v w="| $server" -v l="$label" -v s="$sc" \
	    'NF == 15 && $1 == w && $2 == l && $3 == s' "$out")
	label="$server, $label"
	if [ "$(printf '%s' "$rows" | grep -c '^')" -ne 1 ]; then
		fail "$label, $sc: not exactly one row"
		return
	fi
	pass
	row=${rows#| }
	row=${row% |}
	IFS='|' read -r -a c <<<"${row// | /|}"
	# c: 0 server, 1 setup, 2 scenario, 3 conns, 4 req/s, 5 ok/s,
	# 6 null req/s, 7 vs null, 8 p50, 9 p99, 10 null p50, 11 non-2xx,
	# 12 answers, 13 socket errors, 14 KB written/req
	if [[ ${c[4]} =~ ^[0-9]+$ ]] && [ "${c[4]}" -gt 0 ] &&
	    [[ ${c[5]} =~ ^[0-9]+$ ]] && [ "${c[5]}" -gt 0 ]; then
		pass
	else
		fail "$label, $sc: req/s '${c[4]}', ok/s '${c[5]}'"
	fi
	want=" $(allowed "$sc") "
	for st in ${c[12]}; do
		code=${st%%:*}
		if [[ $want == *" $code "* ]]; then
			pass
		else
			fail "$label, $sc: answered $st, expected only$want"
		fi
	done
	if [ "$sc" = owner ]; then
		if [[ " ${c[12]} " == *" 200:"* && " ${c[12]} " == *" 201:"* ]]; then
			pass
		else
			fail "$label, owner: no whole acquire/release cycle (${c[12]})"
		fi
	fi
	if [ "${c[13]}" = 0/0/0/0 ] || { [ "$server" = apache ] &&
	    few_read_errors "${c[13]}" "${c[12]}"; }; then
		pass
	else
		fail "$label, $sc: socket errors ${c[13]}"
	fi
	if [ "$ceiling" = 1 ]; then
		if [[ ${c[6]} =~ ^[0-9]+$ ]] && [ "${c[6]}" -gt 0 ] &&
		    awk -v r="${c[7]}" 'BEGIN { exit !(r + 0 > 0) }'; then
			pass
		else
			fail "$label, $sc: null req/s '${c[6]}', vs null '${c[7]}'"
		fi
	fi
}

for level in $BENCH_LEVELS; do
	for sc in $BENCH_SCENARIOS; do
		check_row lighttpd "lockgate, $level locks" "$sc" 1
	done
	for sc in $BENCH_APACHE_SCENARIOS; do
		check_row apache "lockgate, $level locks" "$sc" 1
	done
done
check_row lighttpd "lockgate, 0 locks, LOCKGATE_SYNC=nosync (not durable)" put_new 1
for sc in get put_refresh put_new; do
	check_row lighttpd "lockgate CGI" "$sc" 0
done
# etcd itself, and lockgate on it (unless this program has no etcd backend).
no_etcd=0
grep -q '^Note: .* kept no lock in etcd' "$out" && no_etcd=1
for size in $BENCH_ETCD_MEMBERS; do
	check_row etcd "etcd itself, $(members "$size")" etcd_range 0
	check_row etcd "etcd itself, $(members "$size")" etcd_create 0
	[ "$no_etcd" = 0 ] || continue
	check_row lighttpd "lockgate on etcd, $(members "$size")" get 1
	check_row lighttpd "lockgate on etcd, $(members "$size")" put_new 1
	for pair in "get etcd_range" "put_new etcd_create"; do
		read -r lg_sc etcd_sc <<<"$pair"
		if awk -F' [|] ' -v m="| $size" -v l="$lg_sc" -v e="$etcd_sc" \
		    'NF == 8 && $1 == m && $2 == l && $5 == e &&
		    $8 + 0 > 0 { found = 1 } END { exit !found }' "$out"; then
			pass
		else
			fail "no lockgate/etcd line for $lg_sc against $etcd_sc, $(members "$size")"
		fi
	done
done

# check_rss SERVER RESPONDER PROCESSES: the peak RSS row of SERVER and
# RESPONDER, one "VmHWM (RssAnon + RssFile)" for each of its PROCESSES.
check_rss()
{
	local line procs anon

	line=$(awk -F' [|] ' -v w="| $1" -v r="$2" \
	    'NF == 3 && $1 == w && $2 == r' "$out")
	procs=$(printf '%s' "$line" | grep -oE '[0-9]+ \([0-9]+ \+ [0-9]+\)' || true)
	if [ "$(printf '%s' "$line" | grep -c '^')" -eq 1 ] &&
	    [ "$(printf '%s' "$procs" | grep -c '^')" -eq "$3" ]; then
		pass
	else
		fail "peak RSS of $1, $2: '$line'"
		return
	fi
	while read -r _ anon _; do
		anon=${anon#(}
		if [ "$anon" -lt 8192 ]; then
			pass
		else
			fail "$1, $2: a process's own memory is $anon kB"
		fi
	done <<<"$procs"
}

for server in "lockgate, 0 locks" "lockgate, 100 locks" \
    "lockgate, 0 locks, nosync" null; do
	check_rss lighttpd "$server" "$BENCH_PROCS"
done
if [ "$no_etcd" = 0 ]; then
	for size in $BENCH_ETCD_MEMBERS; do
		check_rss lighttpd "lockgate on etcd, $(members "$size")" \
		    "$BENCH_PROCS"
	done
fi
for server in "lockgate, 0 locks" "lockgate, 100 locks" null; do
	check_rss apache "$server" 1
done

if grep -q "^Note: the null responder.*not to be trusted" "$out"; then
	fail "$(grep "^Note: the null responder.*not to be trusted" "$out" | head -n 1)"
else
	pass
fi
if grep -qE '^- disk flush there .*: 1 page [0-9]+ µs, 32 scattered pages [0-9]+ µs$' "$out"; then
	pass
else
	fail "no disk flush line"
fi
if grep -qE '^- apache: .*lockgate.fcgi --listen' "$out"; then
	pass
else
	fail "no line on Apache in the header"
fi
if grep -qE '^- etcd [0-9.]+: clusters of ' "$out"; then
	pass
else
	fail "no line on etcd in the header"
fi
if [ "$(tail -n 1 "$out" | cut -d: -f1)" = "Load average at the end" ]; then
	pass
else
	fail "the output does not end with the load average"
fi

if [ "$failed" -gt 0 ]; then
	echo "---- the benchmark's output"
	cat "$out"
	printf 'bench check: %d of %d checks failed\n' "$failed" \
	    "$((checks + failed))"
	exit 1
fi
if [ "$no_etcd" = 1 ]; then
	echo "bench check: note: ${LOCKGATE_FCGI:-lockgate.fcgi} has no etcd backend; the rows of lockgate on etcd were not checked"
fi
printf 'bench check: %d checks passed\n' "$checks"
