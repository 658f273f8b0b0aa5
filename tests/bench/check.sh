#!/usr/bin/env bash
# tests/bench/check.sh: runs the benchmark briefly ("make check-bench") and
# checks that it printed every row of its table with the answers each
# scenario must get. It checks that the benchmark works, not how fast
# anything is: no figure of speed is compared with anything.
#
# Runs tests/bench/run.sh with 1 s per wrk run, 0 and 100 live locks, all
# scenarios, the not-durable reference and CGI mode (about a minute), with
# the environment "make check-bench" sets (LOCKGATE_FCGI, BENCH_NULL, ...).
# Checks, for each row: it is there once; requests/s and ok/s above 0; only
# the statuses its scenario may get (owner: both 201 and 200 among them;
# delete: 404 too, once a fast machine has used up the locks made for it);
# no socket error; beside the null responder's run, a ratio above 0, and no
# note that the null responder got anything but 200. Then: a peak RSS line
# for every FastCGI server, 2 processes each, each process's own memory
# (RssAnon) under 8 MiB (so not in a build with sanitizers, whose shadow
# memory counts there); the disk flush line; the last line. Settings of
# the caller's environment that would change what is run (BENCH_*,
# LOCKGATE_* but the programs') are dropped. Prints "bench check: N checks
# passed" or each failed check, the output and exits 1.

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
	esac
}

# check_row LABEL SCENARIO CEILING: the table row of LABEL and SCENARIO;
# CEILING 1 when it was paired with the null responder.
check_row()
{
	local label=$1 sc=$2 ceiling=$3 rows row st code want
	local -a c

	rows=$(awk -F' [|] ' -v l="| $label" -v s="$sc" \
	    '$1 == l && $2 == s' "$out")
	if [ "$(printf '%s' "$rows" | grep -c '^')" -ne 1 ]; then
		fail "$label, $sc: not exactly one row"
		return
	fi
	pass
	row=${rows#| }
	row=${row% |}
	IFS='|' read -r -a c <<<"${row// | /|}"
	# c: 0 setup, 1 scenario, 2 conns, 3 req/s, 4 ok/s, 5 null req/s,
	# 6 vs null, 7 p50, 8 p99, 9 null p50, 10 non-2xx, 11 answers,
	# 12 socket errors, 13 KB written/req
	if [[ ${c[3]} =~ ^[0-9]+$ ]] && [ "${c[3]}" -gt 0 ] &&
	    [[ ${c[4]} =~ ^[0-9]+$ ]] && [ "${c[4]}" -gt 0 ]; then
		pass
	else
		fail "$label, $sc: req/s '${c[3]}', ok/s '${c[4]}'"
	fi
	want=" $(allowed "$sc") "
	for st in ${c[11]}; do
		code=${st%%:*}
		if [[ $want == *" $code "* ]]; then
			pass
		else
			fail "$label, $sc: answered $st, expected only$want"
		fi
	done
	if [ "$sc" = owner ]; then
		if [[ " ${c[11]} " == *" 200:"* && " ${c[11]} " == *" 201:"* ]]; then
			pass
		else
			fail "$label, owner: no whole acquire/release cycle (${c[11]})"
		fi
	fi
	if [ "${c[12]}" = 0/0/0/0 ]; then
		pass
	else
		fail "$label, $sc: socket errors ${c[12]}"
	fi
	if [ "$ceiling" = 1 ]; then
		if [[ ${c[5]} =~ ^[0-9]+$ ]] && [ "${c[5]}" -gt 0 ] &&
		    awk -v r="${c[6]}" 'BEGIN { exit !(r + 0 > 0) }'; then
			pass
		else
			fail "$label, $sc: null req/s '${c[5]}', vs null '${c[6]}'"
		fi
	fi
}

for level in $BENCH_LEVELS; do
	for sc in $BENCH_SCENARIOS; do
		check_row "lockgate, $level locks" "$sc" 1
	done
done
check_row "lockgate, 0 locks, LOCKGATE_SYNC=nosync (not durable)" put_new 1
for sc in get put_refresh put_new; do
	check_row "lockgate CGI" "$sc" 0
done

# Peak RSS: one line per server, one "VmHWM (RssAnon + RssFile)" for each
# of its processes.
for server in "lockgate, 0 locks" "lockgate, 100 locks" \
    "lockgate, 0 locks, nosync" null; do
	line=$(grep -F "| $server | " "$out" | grep -v ' | [a-z_]* | ' || true)
	procs=$(printf '%s' "$line" | grep -oE '[0-9]+ \([0-9]+ \+ [0-9]+\)' || true)
	if [ "$(printf '%s' "$procs" | grep -c '^')" -eq "$BENCH_PROCS" ]; then
		pass
	else
		fail "peak RSS of $server: '$line'"
		continue
	fi
	while read -r _ anon _; do
		anon=${anon#(}
		if [ "$anon" -lt 8192 ]; then
			pass
		else
			fail "$server: a process's own memory is $anon kB"
		fi
	done <<<"$procs"
done

if grep -q "^Note: the null responder" "$out"; then
	fail "$(grep "^Note: the null responder" "$out" | head -n 1)"
else
	pass
fi
if grep -qE '^- disk flush there .*: 1 page [0-9]+ µs, 32 scattered pages [0-9]+ µs$' "$out"; then
	pass
else
	fail "no disk flush line"
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
printf 'bench check: %d checks passed\n' "$checks"
