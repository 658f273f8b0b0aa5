#!/usr/bin/env bash
# tests/powerloss/lossyfs.sh: shows that lossyfs (tests/powerloss/lossyfs.c)
# loses what a power loss loses and keeps what was flushed. Mounts it on a
# backing directory in a temporary directory, cuts the power (SIGKILL of
# lossyfs, then a lazy unmount and a new mount on the same backing
# directory) and checks, each with the exact bytes expected:
#   1. reads before the power loss see the unflushed data, also with
#      O_DIRECT past the kernel's page cache, also through a descriptor
#      of a file unlinked since it was opened;
#   2. data never flushed is lost; the file stays (names are durable);
#   3. data written then fsynced (or fdatasynced) is kept;
#   4. writes through O_DSYNC and O_SYNC descriptors are kept;
#   5. an unflushed overwrite, extension or rewrite (O_TRUNC) of a
#      flushed file is undone;
#   6. an unflushed truncate is undone, a flushed one kept, and the bytes
#      a shrink cut off read as zeros when the file grows again;
#   7. a clean unmount without a flush loses the data too (the model);
#   8. shared mappings: bytes written with write(2) by one process are seen
#      through another's MAP_SHARED map, and bytes stored through a
#      writable map are read by another process;
#   9. LMDB: mdb_load into an environment in the mount, read back by
#      mdb_dump and mdb_stat (other processes, through their maps); a
#      power loss in the middle of a run of loads leaves the environment
#      at its last commit, whole, with every load that had ended.
# Prints "ok - ..." or "not ok - ..." per check, then "N passed, N failed";
# exits 0 when all passed, 1 otherwise, 77 (printing "# SKIP: reason")
# without /dev/fuse or when mounting is not permitted; without fusermount3
# or the lossyfs binary it fails, saying what to install.
#
# The binary: $LOSSYFS, else tests/powerloss/lossyfs under
# $LOCKGATE_BUILDDIR (make check exports it), else under the current
# directory. Needs python3 (fsync, mmap) and lmdb-utils.
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
set -u
LC_ALL=C
export LC_ALL

bin=${LOSSYFS:-${LOCKGATE_BUILDDIR:-.}/tests/powerloss/lossyfs}
pass=0
fail=0
tmp=""
back=""		# the backing directory: the disk's durable state
mnt=""		# the mount point
fspid=""	# the running lossyfs
bgpid=""	# a background writer
fsrc=""		# the exit status of the last lossyfs unmounted

skip()
{
	printf '# SKIP: %s\n' "$1"
	exit 77
}

ok()
{
	pass=$((pass + 1))
	printf 'ok - %s\n' "$1"
}

# not_ok DESC [DETAIL...]: a failed check and what came instead.
not_ok()
{
	local d

	fail=$((fail + 1))
	printf 'not ok - %s\n' "$1"
	shift
	for d in "$@"; do
		printf '#   %s\n' "$d"
	done
}

# check DESC COMMAND...: ok when the command succeeds.
check()
{
	local desc=$1 out

	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc" "$* failed" "$out"
	fi
}

# same DESC EXPECTED-FILE FILE: the file (or pipe) holds exactly the
# expected bytes.
same()
{
	cat "$3" >"$tmp/got" 2>&1
	if cmp -s "$2" "$tmp/got"; then
		ok "$1"
	else
		not_ok "$1" "want $(stat -c %s "$2") bytes" \
		    "got $(stat -c %s "$tmp/got") bytes: $(cmp "$2" "$tmp/got" 2>&1)"
	fi
}

# is DESC EXPECTED GOT
is()
{
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "want '$2'" "got  '$3'"
	fi
}

# mounted: whether lossyfs is mounted on $mnt.
mounted()
{
	awk -v m="$mnt" '$2 == m && $3 == "fuse.lossyfs" { f = 1 }
	    END { exit !f }' /proc/self/mounts
}

# mount_fs: starts lossyfs on $back and $mnt, waits (5 s at most) until it
# is mounted. Returns 1 when it is not, the reason in $tmp/lossyfs.err,
# which keeps what every run of lossyfs wrote on its stderr.
mount_fs()
{
	local i

	"$bin" "$back" "$mnt" 2>>"$tmp/lossyfs.err" &
	fspid=$!
	for ((i = 0; i < 100; i++)); do
		mounted && return 0
		kill -0 "$fspid" 2>/dev/null || break
		sleep 0.05
	done
	kill "$fspid" 2>/dev/null
	wait "$fspid" 2>/dev/null
	fspid=""
	return 1
}

# unmount_fs [-z]: unmounts $mnt (-z: lazily, as after a power loss) and
# reaps lossyfs.
unmount_fs()
{
	if mounted; then
		fusermount3 -u "$@" "$mnt" 2>/dev/null ||
		    umount -l "$mnt" 2>/dev/null
	fi
	if [ -n "$fspid" ]; then
		wait "$fspid" 2>/dev/null
		fsrc=$?
		fspid=""
	fi
}

# cut_power: SIGKILL of lossyfs; what it held in memory is gone and the
# mount point is dead ("Transport endpoint is not connected").
cut_power()
{
	kill -KILL "$fspid"
	wait "$fspid" 2>/dev/null
	fspid=""
}

# restore_power: the dead mount taken away, a new mount on the same backing
# directory (which starts with an empty page cache).
restore_power()
{
	unmount_fs -z
	mount_fs || { not_ok "lossyfs mounts again after a power loss" \
	    "$(cat "$tmp/lossyfs.err")"; finish; }
}

powerloss()
{
	cut_power
	restore_power
}

cleanup()
{
	if [ -n "$bgpid" ]; then
		kill "$bgpid" 2>/dev/null
		wait "$bgpid" 2>/dev/null
	fi
	if [ -n "$tmp" ]; then
		unmount_fs -z
		[ -n "$fspid" ] && kill -KILL "$fspid" 2>/dev/null
		rm -rf "$tmp"
	fi
}

finish()
{
	printf '%d passed, %d failed\n' "$pass" "$fail"
	[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ] && exit 0
	exit 1
}

# What this machine cannot do is a skip; what is not installed or built
# is a failure, as in the end-to-end tests (a suite that skips silently
# proves nothing).
[ -c /dev/fuse ] || skip "no /dev/fuse"
if ! command -v fusermount3 >/dev/null 2>&1; then
	not_ok "fusermount3 is installed" "install the Debian package fuse3"
	finish
fi
if [ ! -x "$bin" ]; then
	not_ok "$bin is built" \
	    "install the Debian package libfuse3-dev, then configure again"
	finish
fi

trap cleanup EXIT
trap 'exit 1' INT TERM HUP
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lossyfs.XXXXXX") || exit 1
back=$tmp/back
mnt=$tmp/mnt
ref=$tmp/ref
mkdir "$back" "$mnt" "$ref" || exit 1
if ! mount_fs; then
	if grep -qiE 'permission denied|not permitted|fuse device not found' \
	    "$tmp/lossyfs.err"; then
		skip "cannot mount: $(head -n 1 "$tmp/lossyfs.err")"
	fi
	not_ok "lossyfs mounts" "$(cat "$tmp/lossyfs.err")"
	finish
fi
ok "lossyfs mounts $mnt"
for t in python3 mdb_load mdb_dump mdb_stat; do
	command -v $t >/dev/null 2>&1 ||
	    not_ok "$t found (Debian packages python3, lmdb-utils)"
done

# fsync_file FILE: fsync(2) of an existing file.
fsync_file()
{
	python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDWR); os.fsync(fd); os.close(fd)' "$1"
}

# direct FILE: the file's bytes read with O_DIRECT, past the kernel's page
# cache: what lossyfs itself answers.
direct()
{
	dd if="$1" iflag=direct bs=1M status=none
}

# The reference contents, outside the mount.
head -c 100000 /dev/urandom >"$ref/a"
head -c 100000 /dev/urandom >"$ref/b"
head -c 40960 /dev/urandom >"$ref/c"
head -c 50000 /dev/urandom >"$ref/d"
head -c 50000 /dev/urandom >"$ref/e"
head -c 50000 /dev/urandom >"$ref/g"
head -c 10000 /dev/urandom >"$ref/k"
head -c 20000 /dev/urandom >"$ref/tail"

# Part 1: before the first power loss.
cat "$ref/a" >"$mnt/a"					# never flushed
dd if="$ref/b" of="$mnt/b" bs=64k conv=fsync status=none	# fsync
dd if="$ref/c" of="$mnt/c" bs=4096 oflag=dsync status=none	# O_DSYNC
dd if="$ref/c" of="$mnt/c2" bs=4096 oflag=sync status=none	# O_SYNC
dd if="$ref/d" of="$mnt/d" bs=64k conv=fdatasync status=none	# fdatasync
truncate -s 1000 "$mnt/d"				# unflushed cut
dd if="$ref/e" of="$mnt/e" bs=64k conv=fsync status=none
truncate -s 3000 "$mnt/e" && fsync_file "$mnt/e"	# flushed cut
dd if="$ref/g" of="$mnt/g" bs=64k conv=fsync status=none
truncate -s 1000 "$mnt/g" && truncate -s 50000 "$mnt/g"
cat "$ref/k" >"$mnt/k"					# never flushed
truncate -s 5000 "$mnt/k" && truncate -s 10000 "$mnt/k"
# What d, g and k must read now: their first bytes, then zeros.
head -c 1000 "$ref/d" >"$ref/d.cut"
{ head -c 1000 "$ref/g"; head -c 49000 /dev/zero; } >"$ref/g.regrown"
{ head -c 5000 "$ref/k"; head -c 5000 /dev/zero; } >"$ref/k.regrown"

same "reads see unflushed data before a power loss" "$ref/a" "$mnt/a"
same "so do reads past the page cache (O_DIRECT)" "$ref/a" <(direct "$mnt/a")
is "the backing file holds none of it" 0 "$(stat -c %s "$back/a")"
same "an unflushed truncate is seen before a power loss" \
    "$ref/d.cut" <(direct "$mnt/d")
same "bytes cut off by a shrink read as zeros when the file grows" \
    "$ref/g.regrown" <(direct "$mnt/g")
same "so do the bytes of a dirty page cut off by a shrink" \
    "$ref/k.regrown" <(direct "$mnt/k")
# (read(2) only: fstat(2) of an unlinked file fails, see lossyfs.c)
exec 3<"$mnt/k"
rm "$mnt/k"
same "a file unlinked while open keeps its unflushed data for its reader" \
    "$ref/k.regrown" <(python3 -c 'import os, sys
while True:
	b = os.read(3, 65536)
	if not b:
		break
	sys.stdout.buffer.write(b)' 2>&1)
exec 3<&-
fsync_file "$mnt/g"					# g flushed so

powerloss
ok "lossyfs mounts again after a power loss"
is "unflushed data is lost: the file stays, empty" "0" \
    "$(stat -c %s "$mnt/a" 2>&1)"
same "fsynced data survives a power loss" "$ref/b" "$mnt/b"
same "O_DSYNC writes survive a power loss" "$ref/c" "$mnt/c"
same "O_SYNC writes survive a power loss" "$ref/c" "$mnt/c2"
same "an unflushed truncate is undone by a power loss" "$ref/d" "$mnt/d"
head -c 3000 "$ref/e" >"$ref/e.cut"
same "a flushed truncate stays" "$ref/e.cut" "$mnt/e"
same "a flush after a shrink and a growth keeps the zeros" \
    "$ref/g.regrown" "$mnt/g"

# Part 2: an unflushed overwrite and extension of the flushed file b, an
# unflushed rewrite (O_TRUNC) of the flushed file c.
printf 'XXXXXXXXXXXXXXXX' |
    dd of="$mnt/b" bs=1 seek=5000 conv=notrunc status=none
cat "$ref/tail" >>"$mnt/b"
{ head -c 5000 "$ref/b"; printf 'XXXXXXXXXXXXXXXX'; tail -c +5017 "$ref/b"
    cat "$ref/tail"; } >"$ref/b.new"
same "an overwrite and an extension are seen before a power loss" \
    "$ref/b.new" <(direct "$mnt/b")
echo rewritten >"$mnt/c"
is "a rewrite is seen before a power loss" rewritten "$(direct "$mnt/c")"
powerloss
same "an unflushed overwrite and extension are undone by a power loss" \
    "$ref/b" "$mnt/b"
same "an unflushed rewrite is undone by a power loss" "$ref/c" "$mnt/c"

# Part 3: a clean unmount, here through SIGTERM, flushes nothing either.
cat "$ref/a" >"$mnt/h"
kill -TERM "$fspid"
wait "$fspid"
is "lossyfs unmounts on SIGTERM and exits with fuse_main()'s 8" "8 no" \
    "$? $(mounted && echo yes || echo no)"
fspid=""
mount_fs || { not_ok "lossyfs mounts again after an unmount"; finish; }
is "a clean unmount loses unflushed data too" "0" \
    "$(stat -c %s "$mnt/h" 2>&1)"

# Part 4: shared mappings. The reader maps the file, then another process
# (dd) writes it with write(2); the mapping must show the new bytes. Then
# bytes stored through a writable shared map are read by another process.
head -c 100000 /dev/zero >"$mnt/m"
is "a shared map sees another process's write" "old=000000 new=4e4e4e" \
    "$(python3 - "$mnt/m" <<'EOF' 2>&1
import mmap, os, subprocess, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
m = mmap.mmap(fd, 0, mmap.MAP_SHARED, mmap.PROT_READ)
old = m[70000:70003].hex()
subprocess.run(["dd", "of=" + sys.argv[1], "bs=1", "seek=70000",
    "conv=notrunc", "status=none"], input=b"NNN", check=True)
print("old=%s new=%s" % (old, m[70000:70003].hex()))
EOF
)"
is "another process reads what a writable shared map stored" "MMMM" \
    "$(python3 - "$mnt/m" <<'EOF' 2>&1
import mmap, os, subprocess, sys
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 0, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
m[8000:8004] = b"MMMM"
r = subprocess.run(["dd", "if=" + sys.argv[1], "bs=1", "skip=8000",
    "count=4", "status=none"], capture_output=True, check=True)
sys.stdout.write(r.stdout.decode())
EOF
)"

# Part 5: LMDB. Record i has the key "BBB-IIII" (i / 1000, i % 1000);
# load K stores records 1000 K to 1000 K + 999, and mdb_load commits every
# 100 records. After a power loss in the middle of a run of loads the
# environment must hold exactly the first N records, N a multiple of 100
# (its last commit, whole), and every load that had ended (each commit is
# durable when it returns).
records()
{
	awk -v from="$1" -v to="$2" 'BEGIN { for (i = from; i < to; i++)
	    printf " %03d-%04d\n value of record %d padded to some length\n",
	    i / 1000, i % 1000, i }'
}

load()
{
	{
		printf 'VERSION=3\nformat=print\ntype=btree\n'
		printf 'mapsize=104857600\nHEADER=END\n'
		records $(($1 * 1000)) $(($1 * 1000 + 1000))
		printf 'DATA=END\n'
	} | mdb_load "$mnt/env"
}

# dumped: mdb_dump -p's records and end line, the header left out.
dumped()
{
	mdb_dump -p "$mnt/env" 2>&1 | sed '1,/^HEADER=END$/d'
}

mkdir "$mnt/env"
for k in 0 1 2; do
	load $k || not_ok "mdb_load of load $k"
done
{ records 0 3000; echo DATA=END; } >"$ref/dump"
dumped >"$tmp/dump"
same "mdb_dump reads back what mdb_load stored" "$ref/dump" "$tmp/dump"
is "mdb_stat counts the entries" "Entries: 3000" \
    "$(mdb_stat "$mnt/env" 2>&1 | awk '/Entries:/ { print $1, $2 }')"

echo 2 >"$tmp/loaded"
(
	for ((k = 3; k < 300; k++)); do
		[ -e "$tmp/stop" ] && exit 0
		load $k 2>"$tmp/load.err" || exit 0
		echo $k >"$tmp/loaded"
	done
) &
bgpid=$!
sleep 0.5
cut_power
touch "$tmp/stop"
wait "$bgpid"
bgpid=""
restore_power
n=$(mdb_stat "$mnt/env" 2>&1 | awk '/Entries:/ { print $2 }')
done=$(( ($(cat "$tmp/loaded") + 1) * 1000 ))
if [[ $n =~ ^[0-9]+$ ]] && [ $((n % 100)) -eq 0 ] && [ "$n" -ge "$done" ] &&
    [ "$n" -le $((done + 1000)) ] && [ "$done" -gt 3000 ] &&
    [ "$done" -lt 300000 ]; then
	ok "LMDB after a power loss in the middle of loads: every ended load, whole commits ($done, $n records)"
else
	not_ok "LMDB after a power loss in the middle of loads: every ended load, whole commits" \
	    "want a multiple of 100 from $done to $((done + 1000)), over 3000 and under 300000" \
	    "entries: $n" "$(mdb_stat "$mnt/env" 2>&1)" "$(cat "$tmp/load.err")"
	n=0
fi
{ records 0 "$n"; echo DATA=END; } >"$ref/dump"
dumped >"$tmp/dump"
same "LMDB holds exactly its last commit after the power loss" \
    "$ref/dump" "$tmp/dump"

unmount_fs
is "lossyfs exits with status 0 after fusermount3 -u" 0 "$fsrc"
is "no run of lossyfs wrote anything on its stderr" "" \
    "$(cat "$tmp/lossyfs.err")"
finish
