#!/usr/bin/env bash
# includes.sh: checks that the modules of src/ depend on each other one way
# only: no two files include each other's headers, directly or through
# other headers. A module is a header and the files that implement it
# (store.h: store_lmdb.c); main.c is a module of its own. Prints each
# module with the modules it includes, then either "no include cycles" or
# every cycle found, and exits 1 when there is one.
#
# usage: tests/structure/includes.sh [SRCDIR]   (default: $LOCKGATE_SRCDIR/src,
#        else ./src)
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
set -u

src=${1:-${LOCKGATE_SRCDIR:-.}/src}
[ -d "$src" ] || { echo "includes.sh: no directory $src" >&2; exit 2; }

declare -A deps=() color=()
cycles=0

# module FILE: the module a source file belongs to.
module()
{
	local stem=${1##*/}

	stem=${stem%.[ch]}
	if [ ! -e "$src/$stem.h" ] && [[ $stem == *_* ]] &&
	    [ -e "$src/${stem%_*}.h" ]; then
		stem=${stem%_*}
	fi
	printf '%s' "$stem"
}

for f in "$src"/*.[ch]; do
	m=$(module "$f")
	deps[$m]=${deps[$m]-}
	while read -r h; do
		h=${h%.h}
		[ "$h" = "$m" ] && continue
		case " ${deps[$m]} " in
		*" $h "*) ;;
		*) deps[$m]="${deps[$m]} $h" ;;
		esac
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done

# visit MODULE PATH: depth-first search; a module met again while it is
# still on the path closes a cycle.
visit()
{
	local m=$1 path=$2 d

	color[$m]=grey
	for d in ${deps[$m]-}; do
		case ${color[$d]-white} in
		grey)
			echo "cycle: $path -> $d"
			cycles=$((cycles + 1))
			;;
		white)
			visit "$d" "$path -> $d"
			;;
		esac
	done
	color[$m]=black
}

for m in $(printf '%s\n' "${!deps[@]}" | sort); do
	printf '%-12s -> %s\n' "$m" "$(echo ${deps[$m]} | tr ' ' '\n' | sort |
	    tr '\n' ' ')"
done
for m in $(printf '%s\n' "${!deps[@]}" | sort); do
	[ "${color[$m]-white}" = white ] && visit "$m" "$m"
done
if [ $cycles -gt 0 ]; then
	echo "FAIL: $cycles include cycles among ${#deps[@]} modules"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "PASS: no include cycles among ${#deps[@]} modules"
echo "1 passed, 0 failed"
