#!/usr/bin/env bash
# funclen.sh: checks that every function in src/ fits in 80 lines, but for
# the straight-line set-up functions that are allowed to be longer (main,
# config_load, lmdb_open). Functions are found as style(9) writes them:
# the name at the start of a line after the return type's own line, the
# body between a "{" and a "}" alone in column 0.
#
# usage: tests/structure/funclen.sh [SRCDIR]   (default: $LOCKGATE_SRCDIR/src,
#        else ./src)
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
set -u

src=${1:-${LOCKGATE_SRCDIR:-.}/src}
max=80
allowed=" main config_load lmdb_open "
[ -d "$src" ] || { echo "funclen.sh: no directory $src" >&2; exit 2; }

long=$(awk '
/^[A-Za-z_][A-Za-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name); start = FNR; next }
/^\{$/ { if (name != "") body = 1; next }
/^\}/ {
	if (body)
		printf "%s:%d %s %d\n", FILENAME, start, name, FNR - start + 1
	body = 0; name = ""
}' "$src"/*.c | awk -v max=$max '$3 > max')

bad=0
while read -r where name lines; do
	[ -n "$where" ] || continue
	case $allowed in
	*" $name "*) echo "ok: $name ($where) has $lines lines: set-up, allowed" ;;
	*) echo "too long: $name ($where) has $lines lines"; bad=$((bad + 1)) ;;
	esac
done <<<"$long"
if [ $bad -gt 0 ]; then
	echo "FAIL: $bad functions over $max lines"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "PASS: no function over $max lines but the set-up ones"
echo "1 passed, 0 failed"
