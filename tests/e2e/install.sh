#!/bin/bash
# tests/e2e/install.sh: "make install DESTDIR=..." from the build
# directory puts exactly the responder (sbin), the client (bin) and the two
# manual pages (man1, man8) under the configured prefix, and honours a
# prefix given to make; the installed programs run; the manual pages are
# clean for mandoc -T lint; "make uninstall" takes everything away again.
# shellcheck source-path=SCRIPTDIR source=lib.sh
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init make find mandoc
B=${LOCKGATE_BUILDDIR:-}
if [ -z "$B" ] || [ ! -f "$B/Makefile" ]; then
	lg_bail "LOCKGATE_BUILDDIR names the build directory" \
	    "LOCKGATE_BUILDDIR='$B' has no Makefile"
fi
VERSION=$(lg_version)

# mk ARGS...: make in the build directory, outside the jobserver of the
# make check that runs this script.
mk()
{
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$B" "$@"
}

# listing DIR: every file and link under DIR, relative, sorted.
listing()
{
	(cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort)
}

PREFIX=$(sed -n 's/^prefix = //p' "$B/Makefile")
lg_like "the Makefile names an absolute prefix" '^/' "$PREFIX"
P=${PREFIX#/}

# check DESC DESTDIR PREFIX-WITHOUT-SLASH: the installed tree is exactly
# the four files, with the right modes, and they work.
check()
{
	local d=$1 dest=$2 p=$3 out

	lg_is "$d: exactly the responder, the client and two manual pages" \
	    "$p/bin/lockgate
$p/sbin/lockgate.fcgi
$p/share/man/man1/lockgate.1
$p/share/man/man8/lockgate.fcgi.8" "$(listing "$dest")"
	lg_is "$d: modes" "755 755 644 644" \
	    "$(stat -c %a "$dest/$p/sbin/lockgate.fcgi" "$dest/$p/bin/lockgate" \
	    "$dest/$p/share/man/man1/lockgate.1" \
	    "$dest/$p/share/man/man8/lockgate.fcgi.8" 2>&1 | tr '\n' ' ' |
	    sed 's/ $//')"
	lg_is "$d: the installed responder runs" "lockgate.fcgi $VERSION" \
	    "$("$dest/$p/sbin/lockgate.fcgi" --version 2>&1)"
	out=$("$dest/$p/bin/lockgate" --help 2>&1)
	lg_like "$d: the installed client runs" '^usage: lockgate ' "$out"
	out=$(mandoc -T lint -W warning "$dest/$p/share/man/man1/lockgate.1" \
	    "$dest/$p/share/man/man8/lockgate.fcgi.8" 2>&1)
	lg_is "$d: mandoc -T lint -W warning: clean" "" "$out"
}

D=$LG_TMP/destdir
if mk install DESTDIR="$D" >"$LG_TMP/install.out" 2>&1; then
	lg_ok "make install DESTDIR=... (prefix $PREFIX)"
	check "prefix $PREFIX" "$D" "$P"
	mk uninstall DESTDIR="$D" >"$LG_TMP/uninstall.out" 2>&1
	lg_is "make uninstall DESTDIR=...: no file left" "" "$(listing "$D")"
else
	lg_not_ok "make install DESTDIR=..." "exit status 0" \
	    "$(cat "$LG_TMP/install.out")"
fi

D=$LG_TMP/destdir2
if mk install prefix=/opt/lockgate DESTDIR="$D" >"$LG_TMP/install.out" 2>&1; then
	lg_ok "make install prefix=/opt/lockgate DESTDIR=..."
	check "prefix /opt/lockgate" "$D" opt/lockgate
else
	lg_not_ok "make install prefix=/opt/lockgate DESTDIR=..." \
	    "exit status 0" "$(cat "$LG_TMP/install.out")"
fi

# The shipped manual page names every setting the program reads.
MAN8=$LOCKGATE_SRCDIR/man/lockgate.fcgi.8
for v in $(grep -o '"LOCKGATE_[A-Z_]*"' "$LOCKGATE_SRCDIR/src/config.c" |
    tr -d '"' | sort -u); do
	lg_true "lockgate.fcgi(8) documents $v" grep -q "^\.It Ev $v\$" "$MAN8"
done
# ... and lockgate(1) every option of the client.
while read -r o; do
	lg_true "lockgate(1) documents --$o" \
	    grep -q "^\.It Fl \\\\-$o" "$LOCKGATE_SRCDIR/man/lockgate.1"
done < <(sed -n 's/^\t--\([a-z]*\) |.*/\1/p; s/^\t--\([a-z]*\)) .*/\1/p' \
    "$LOCKGATE_SRCDIR/src/lockgate" | sort -u)

lg_finish
