#!/bin/bash
# tests/package/package.sh: the Debian package (debian/) end to end, as
# root on a Debian 12 machine where systemd need not run (a container).
#
#   1. builds lockgate_VERSION_ARCH.deb with ./quickstart deb in a
#      temporary copy of the tree (the checkout stays as it is), and runs
#      lintian on it: no error allowed, the warnings are printed;
#   2. installs it with apt-get and checks what it put where: the user
#      lockgate, /var/lib/lockgate, /etc/default/lockgate, the units, the
#      web server snippets;
#   3. starts the responder the way systemd would from the installed
#      lockgate.socket and lockgate.service (systemd-socket-activate on
#      ListenStream=, the service's user, Environment= and
#      EnvironmentFile=), enables the Apache snippet (a2enmod proxy_fcgi,
#      a2enconf lockgate) and the lighttpd one (lighty-enable-mod
#      lockgate), starts a private Apache and a private lighttpd on free
#      loopback ports with what those commands enabled, and drives the API
#      through both with curl;
#   4. holds a lock, rebuilds the package with a higher version, upgrades
#      to it, restarts the responder and finds the lock held with the same
#      fence, and a local edit of /etc/default/lockgate kept and in force;
#   5. removes the package (the database stays), purges it (nothing of it
#      is left) and puts back what it changed (modules, the user).
#
# Every check prints "ok - ..." or "not ok - ..."; the last line is
# "N passed, N failed" and the exit status is 1 when anything failed. It
# refuses to run where lockgate is installed or /var/lib/lockgate exists.
# Only 127.0.0.1 is used; every process it starts is stopped at the end.
# KEEP=1 keeps the temporary directory.
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.

set -u
# apt-get waits for a dpkg lock another apt-get holds (unattended-upgrades
# on a fresh machine, an install in another terminal) instead of failing.
APT_WAIT=(-o DPkg::Lock::Timeout=300)
export LC_ALL=C DEBIAN_FRONTEND=noninteractive

SRC=$(cd "$(dirname "$0")/../.." && pwd)
START=$(date +%s)
PASSED=0
FAILED=0

DB=/var/lib/lockgate
SETTINGS=/etc/default/lockgate
UNITDIR=/lib/systemd/system
APACHE_CONF=/etc/apache2/conf-available/lockgate.conf
LIGHTTPD_CONF=/etc/lighttpd/conf-available/50-lockgate.conf
LIGHTTPD_LINK=/etc/lighttpd/conf-enabled/50-lockgate.conf
FASTCGI_LINK=/etc/lighttpd/conf-enabled/10-fastcgi.conf
SOCKET_LINK=/etc/systemd/system/sockets.target.wants/lockgate.socket
UUID_RE='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
ULID_RE='[0-9a-hjkmnp-tv-z]{26}'
NUM_RE='[0-9]+(\.[0-9]{1,3})?'

# What this run started or changed, for cleanup.
T=""
RESP_PID=""
APACHE_PID=""
LIGHTTPD_PID=""
POLICY_RC=""
INSTALLED_BY_US=""
USER_BY_US=""
SOCK_BY_US=""
MODS_BY_US=""
MARKS_BY_US=""
FASTCGI_BY_US=""
A2STATE=/var/lib/apache2/module/disabled_by_admin

# ---------------------------------------------------------------------------
# Reporting

ok()
{
	PASSED=$((PASSED + 1))
	printf 'ok - %s\n' "$1"
}

# not_ok DESC [DETAIL...]: a failed check, with details as comments.
not_ok()
{
	local d

	FAILED=$((FAILED + 1))
	printf 'not ok - %s\n' "$1"
	shift
	for d in "$@"; do
		printf '%s\n' "$d" | sed 's/^/#   /'
	done
}

note()
{
	printf '# %s\n' "$*"
}

# is DESC WANT GOT
is()
{
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "want: $2" "got:  $3"
	fi
}

# like DESC ERE GOT
like()
{
	if printf '%s' "$3" | grep -Eq -- "$2"; then
		ok "$1"
	else
		not_ok "$1" "want (ERE): $2" "got:  $3"
	fi
}

# bail DESC [DETAIL...]: a failure the rest cannot go on from.
bail()
{
	not_ok "$@"
	note "cannot go on"
	finish
}

finish()
{
	trap '' INT TERM HUP
	cleanup
	note "took $(($(date +%s) - START)) s"
	printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
	[ "$FAILED" -eq 0 ] || exit 1
	exit 0
}

# ---------------------------------------------------------------------------
# Processes

alive()
{
	local st

	[ -n "$1" ] || return 1
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	case $st in
	'' | Z* | X*) return 1 ;;
	esac
	return 0
}

# stop PID [SECONDS]: SIGTERM, then SIGKILL after SECONDS (default 10).
# Returns 1 when it had to kill.
stop()
{
	local pid=$1 n=$((${2:-10} * 10))

	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	while [ "$n" -gt 0 ] && alive "$pid"; do
		sleep 0.1
		n=$((n - 1))
	done
	if alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 1
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# free_port: a TCP port nothing listens on at 127.0.0.1.
free_port()
{
	local p

	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds.
wait_for()
{
	local n=$(($1 * 10))

	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	"$@"
}

# ours_running: pids of the installed responder still running.
ours_running()
{
	local d e

	for d in /proc/[0-9]*; do
		e=$(readlink "$d/exe" 2>/dev/null) || continue
		case $e in
		/usr/sbin/lockgate.fcgi | "/usr/sbin/lockgate.fcgi (deleted)")
			alive "${d#/proc/}" && echo "${d#/proc/}"
			;;
		esac
	done
	return 0
}

cleanup()
{
	local p

	stop "$APACHE_PID"
	APACHE_PID=""
	stop "$LIGHTTPD_PID"
	LIGHTTPD_PID=""
	stop "$RESP_PID"
	RESP_PID=""
	for p in $(ours_running); do
		note "killing a responder left running: $p"
		kill -KILL "$p" 2>/dev/null
	done
	if [ -n "$INSTALLED_BY_US" ] &&
	    [ -n "$(dpkg-query -W -f='${db:Status-Status}' lockgate 2>/dev/null)" ] &&
	    [ "$(dpkg-query -W -f='${db:Status-Status}' lockgate 2>/dev/null)" != not-installed ]; then
		note "purging the package left installed"
		timeout 300 apt-get "${APT_WAIT[@]}" purge -y -q lockgate >/dev/null 2>&1
	fi
	INSTALLED_BY_US=""
	if [ -n "$SOCK_BY_US" ]; then
		rm -f /run/lockgate/lockgate.sock
		rmdir /run/lockgate 2>/dev/null
		SOCK_BY_US=""
	fi
	for p in $MODS_BY_US; do
		a2dismod -q -f "$p" >/dev/null 2>&1
	done
	for p in $MARKS_BY_US; do
		rm -f "${A2STATE:?}/$p"
	done
	MODS_BY_US=""
	MARKS_BY_US=""
	if [ -n "$FASTCGI_BY_US" ]; then
		rm -f "$FASTCGI_LINK"
		FASTCGI_BY_US=""
	fi
	if [ -n "$USER_BY_US" ]; then
		userdel lockgate >/dev/null 2>&1
		getent group lockgate >/dev/null && groupdel lockgate >/dev/null 2>&1
		USER_BY_US=""
	fi
	if [ -n "$POLICY_RC" ]; then
		rm -f /usr/sbin/policy-rc.d
		POLICY_RC=""
	fi
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ "${KEEP:-0}" = 1 ]; then
			note "kept $T"
		else
			rm -rf "$T"
		fi
	fi
	T=""
}

trap 'note "interrupted"; FAILED=$((FAILED + 1)); finish' INT TERM HUP

# ---------------------------------------------------------------------------
# HTTP

# req METHOD URL [CURL-ARG...]: sets STATUS and BODY (without the final
# newline). No body is sent unless CURL-ARGs give one.
STATUS=""
BODY=""
req()
{
	local m=$1 url=$2

	shift 2
	STATUS=$(curl -s -o "$T/body" -w '%{http_code}' --max-time 20 \
	    -X "$m" "$@" "$url" 2>/dev/null) || true
	BODY=$(cat "$T/body" 2>/dev/null)
	rm -f "$T/body"
}

# health_200 URL: GET URL/v1/health answers 200 (run through wait_for).
# shellcheck disable=SC2317
health_200()
{
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1/v1/health")" = 200 ]
}

# expect DESC STATUS BODY: the last answer is exactly that.
expect()
{
	is "$1" "$2 $3" "$STATUS $BODY"
}

# lock_of: the "lock" object of the last getlock answer.
lock_of()
{
	printf '%s' "$BODY" | sed -n 's/^{"locked": [a-z]*, "message": "[^"]*", "lock": \({.*}\)}$/\1/p'
}

# getlock_table NAME URL: PUT 201, GET 423, DELETE 200, GET 404 with
# exact bodies, then an LSS lock created by a POST without a body.
getlock_table()
{
	local n=$1 u=$2 id lock lss

	id=$(cat /proc/sys/kernel/random/uuid)
	req GET "$u/v1/health"
	expect "$n: GET /v1/health" 200 \
	    "{\"message\": \"okay\", \"version\": \"$UPSTREAM\", \"records\": $RECORDS}"
	req PUT "$u/v1/$id?ttl=30"
	like "$n: PUT ?ttl=30: 201 lock acquired" \
	    "^201 \\{\"locked\": true, \"message\": \"lock acquired\", \"lock\": \\{\"id\": \"$id\", \"timestamp\": $NUM_RE, \"ttl\": 30\\.0, \"expires\": $NUM_RE, \"fence\": [0-9]+\\}\\}\$" \
	    "$STATUS $BODY"
	lock=$(lock_of)
	# Seconds with up to three decimals (trailing zeros left out).
	is "$n: expires = timestamp + 30 s" 30.000 \
	    "$(printf '%s' "$lock" | sed -n 's/.*"timestamp": \([0-9.]*\),.*"expires": \([0-9.]*\),.*/\1 \2/p' |
	    awk '{ printf "%.3f", $2 - $1 }')"
	req GET "$u/v1/$id"
	expect "$n: GET held: 423 lock is active, the same lock" 423 \
	    "{\"locked\": true, \"message\": \"lock is active\", \"lock\": $lock}"
	req DELETE "$u/v1/$id"
	expect "$n: DELETE: 200 lock has been removed" 200 \
	    "{\"locked\": false, \"message\": \"lock has been removed\", \"lock\": $lock}"
	req GET "$u/v1/$id"
	expect "$n: GET after DELETE: 404" 404 \
	    '{"locked": false, "message": "lock not found or expired"}'

	# LSS: lighttpd answers 411 to a POST without a body, Apache does not.
	if [ "$n" = lighttpd ]; then
		req POST "$u/locks?l=true" -d ''
		n="$n: POST /locks?l=true -d ''"
	else
		req POST "$u/locks?l=true"
		n="$n: POST /locks?l=true without a body"
	fi
	like "$n: 200 with an id and a key" \
	    "^200 \\{\"lockId\":\"$ULID_RE\",\"lockKey\":\"$UUID_RE\"\\}\$" \
	    "$STATUS $BODY"
	lss=$(printf '%s' "$BODY" | sed -n 's/^{"lockId":"\([0-9a-z]*\)".*/\1/p')
	req GET "$u/locks/$lss"
	is "$n, then GET /locks/ID: 423 (locked)" 423 "$STATUS"
	RECORDS=$((RECORDS + 1))
}

# ---------------------------------------------------------------------------
# Set-up

if [ "$(id -u)" -ne 0 ]; then
	bail "runs as root" "it installs and purges a package; run it as root"
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
	bail "runs on Debian" "apt-get and dpkg-query not found"
fi
st=$(dpkg-query -W -f='${db:Status-Status}' lockgate 2>/dev/null)
case $st in
'' | not-installed) ok "lockgate is not installed before the test" ;;
*) bail "lockgate is not installed before the test" "its state is '$st': purge it first (apt-get purge lockgate)" ;;
esac
for f in "$DB" "$SETTINGS" /run/lockgate/lockgate.sock; do
	[ -e "$f" ] && bail "$f does not exist before the test" \
	    "it does: this test would replace or remove it"
done
ok "no /var/lib/lockgate, /etc/default/lockgate or lockgate socket before the test"
getent passwd lockgate >/dev/null || USER_BY_US=yes

T=$(mktemp -d /tmp/lockgate-package.XXXXXX) || bail "mktemp -d"
chmod 0755 "$T"

# The tools of the test itself (the build's come with quickstart deb).
# A fresh machine starts services when their packages are installed: a
# temporary policy-rc.d keeps Apache and lighttpd off port 80.
missing=()
for p in apache2 lighttpd curl systemd adduser passwd util-linux dpkg-dev; do
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
	    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	note "installing ${missing[*]}"
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 0755 /usr/sbin/policy-rc.d
		POLICY_RC=yes
	fi
	if ! { timeout 300 apt-get "${APT_WAIT[@]}" update -q &&
	    timeout 900 apt-get "${APT_WAIT[@]}" install -y -q "${missing[@]}"; } \
	    >"$T/prereq.log" 2>&1; then
		bail "apt-get installs ${missing[*]}" "$(tail -n 20 "$T/prereq.log")"
	fi
	if [ -n "$POLICY_RC" ]; then
		rm -f /usr/sbin/policy-rc.d
		POLICY_RC=""
	fi
fi
for c in apache2 lighttpd curl systemd-socket-activate systemd-analyze setpriv a2enmod lighty-enable-mod; do
	command -v "$c" >/dev/null 2>&1 || bail "$c is installed"
done
ok "the test's tools are installed"
SYSTEM_APACHE_BEFORE=$(cat /run/apache2/apache2.pid 2>/dev/null)
SYSTEM_LIGHTTPD_BEFORE=$(cat /run/lighttpd.pid 2>/dev/null)

UPSTREAM=$(sed -n 's/^AC_INIT(\[lockgate\], \[\([^]]*\)\].*/\1/p' "$SRC/configure.ac")
VERSION=$(cd "$SRC" && dpkg-parsechangelog -S Version 2>/dev/null)
ARCH=$(dpkg --print-architecture)
like "debian/changelog: the version is configure.ac's ($UPSTREAM) with a Debian revision" \
    "^${UPSTREAM//./\\.}-[0-9]+\$" "$VERSION"

# ---------------------------------------------------------------------------
note "build: ./quickstart deb"

# tree_state: what git sees in the checkout, ignored files included.
tree_state()
{
	(cd "$SRC" && git status --porcelain --ignored 2>/dev/null) || true
}
TREE_BEFORE=$(tree_state)
t0=$(date +%s)
if ! DEB_OUTDIR=$T/out1 timeout 900 bash "$SRC/quickstart" deb \
    >"$T/build1.log" 2>&1; then
	bail "./quickstart deb builds the package" "$(tail -n 40 "$T/build1.log")"
fi
DEB1=$T/out1/lockgate_${VERSION}_${ARCH}.deb
[ -f "$DEB1" ] || bail "./quickstart deb makes lockgate_${VERSION}_${ARCH}.deb" \
    "$(ls "$T/out1" 2>&1)"
ok "./quickstart deb builds lockgate_${VERSION}_${ARCH}.deb ($(($(date +%s) - t0)) s)"
like "the build ran the unit tests and they passed" '^PASS: tests/unit/unit_tests$' \
    "$(grep -E '^(PASS|FAIL|ERROR): ' "$T/build1.log")"
is "the checkout is left as it was" "$TREE_BEFORE" "$(tree_state)"

lintian "$T/out1/lockgate_${VERSION}_${ARCH}.changes" >"$T/lintian.out" 2>&1
grep -E '^[EW]: ' "$T/lintian.out" | sed 's/^/# lintian: /'
is "lintian: no errors" "" "$(grep '^E: ' "$T/lintian.out")"

dpkg-deb -c "$DEB1" | awk '{ print $1, $NF }' | sed 's| \./| /|' >"$T/contents"
for f in /usr/sbin/lockgate.fcgi /usr/bin/lockgate \
    /usr/share/man/man1/lockgate.1.gz /usr/share/man/man8/lockgate.fcgi.8.gz \
    $UNITDIR/lockgate.socket $UNITDIR/lockgate.service \
    "$SETTINGS" "$APACHE_CONF" "$LIGHTTPD_CONF" \
    /usr/share/lockgate/apache/lockgate-proxy-fcgi.conf \
    /usr/share/doc/lockgate/copyright; do
	grep -q " $f\$" "$T/contents" || not_ok "the package holds $f"
done
ok "the package holds the responder, the client, the manual pages, the units, the settings and both snippets"
is "the package's conffiles" \
    "$APACHE_CONF $SETTINGS $LIGHTTPD_CONF" \
    "$(dpkg-deb -I "$DEB1" conffiles | sort | tr '\n' ' ' | sed 's/ $//')"
is "the settings file is mode 0600 in the package" "-rw------- $SETTINGS" \
    "$(grep " $SETTINGS\$" "$T/contents")"

# ---------------------------------------------------------------------------
note "install: apt-get install ./lockgate_${VERSION}_${ARCH}.deb"

INSTALLED_BY_US=yes
if ! (cd "$T/out1" && timeout 600 apt-get "${APT_WAIT[@]}" install -y -q \
    "./lockgate_${VERSION}_${ARCH}.deb") >"$T/install.log" 2>&1; then
	bail "apt-get install ./lockgate_${VERSION}_${ARCH}.deb" "$(tail -n 30 "$T/install.log")"
fi
is "dpkg: lockgate $VERSION installed" "installed $VERSION" \
    "$(dpkg-query -W -f='${db:Status-Status} ${Version}' lockgate)"
is "no maintainer script complained" "" \
    "$(grep -iE 'warning|error|fail' "$T/install.log" | grep -v '^Get:' )"
is "the responder runs" "lockgate.fcgi $UPSTREAM" "$(/usr/sbin/lockgate.fcgi --version 2>&1)"
like "the client runs" '^usage: lockgate ' "$(/usr/bin/lockgate --help 2>&1 | head -n 1)"

pw=$(getent passwd lockgate)
like "a system user lockgate (uid below 1000, no login shell)" \
    '^lockgate:x:[1-9][0-9]{0,2}:[0-9]+:[^:]*:/var/lib/lockgate:/usr/sbin/nologin$' "$pw"
LG_UID=$(id -u lockgate 2>/dev/null)
is "its group lockgate" lockgate "$(id -gn lockgate 2>&1)"
is "/var/lib/lockgate: a directory of lockgate:lockgate, mode 0700" \
    "directory lockgate:lockgate 700" "$(stat -c '%F %U:%G %a' "$DB" 2>&1)"
is "/etc/default/lockgate: root's, mode 0600" "root:root 600" \
    "$(stat -c '%U:%G %a' "$SETTINGS" 2>&1)"
is "lockgate.socket enabled (sockets.target.wants)" "$UNITDIR/lockgate.socket" \
    "$(readlink "$SOCKET_LINK" 2>&1)"
is "lockgate.service itself not enabled (socket activation)" "" \
    "$(find /etc/systemd/system -name lockgate.service 2>/dev/null)"
if systemd-analyze verify --man=no "$UNITDIR/lockgate.socket" \
    "$UNITDIR/lockgate.service" >"$T/verify.out" 2>&1; then
	is "systemd-analyze verify: the installed units, no complaint" "" \
	    "$(cat "$T/verify.out")"
else
	not_ok "systemd-analyze verify accepts the installed units" "$(cat "$T/verify.out")"
fi
# The exposure score, 0 (best) to 10; 1.5 here is --threshold=15.
if systemd-analyze security --offline=yes --threshold=15 "$UNITDIR/lockgate.service" \
    >"$T/security.out" 2>&1; then
	ok "systemd-analyze security: $(grep -o 'exposure level.*' "$T/security.out")"
else
	not_ok "systemd-analyze security: lockgate.service at most 1.5" \
	    "$(tail -n 3 "$T/security.out")"
fi
is "nothing runs yet: systemd does not run here, and nothing else starts it" "" \
    "$(ours_running)"

# unit_values FILE KEY: every value of KEY= in FILE, one a line.
unit_values()
{
	sed -n "s/^[[:blank:]]*$2[[:blank:]]*=[[:blank:]]*//p" "$1"
}
unit_value()
{
	unit_values "$1" "$2" | tail -n 1
}
SVC=$UNITDIR/lockgate.service
SKT=$UNITDIR/lockgate.socket
is "lockgate.service: User=lockgate Group=lockgate, no DynamicUser" \
    "lockgate lockgate " \
    "$(unit_value "$SVC" User) $(unit_value "$SVC" Group) $(unit_value "$SVC" DynamicUser)"
is "lockgate.service: EnvironmentFile=-/etc/default/lockgate" "-$SETTINGS" \
    "$(unit_value "$SVC" EnvironmentFile)"
SOCK=$(unit_value "$SKT" ListenStream)
is "lockgate.socket: /run/lockgate/lockgate.sock, root:www-data, mode 0660" \
    "/run/lockgate/lockgate.sock root:www-data 0660" \
    "$SOCK $(unit_value "$SKT" SocketUser):$(unit_value "$SKT" SocketGroup) $(unit_value "$SKT" SocketMode)"

# ---------------------------------------------------------------------------
note "the responder, started as systemd would start it"

# A local edit of the settings, to be kept by the upgrade and in force.
printf '\n# a local edit, made by tests/package/package.sh\nLOCKGATE_MAX_TTL=3600\n' \
    >>"$SETTINGS"

# start_responder: the socket of lockgate.socket (made by
# systemd-socket-activate, then given the socket unit's owner and mode),
# and on the first connection lockgate.service's ExecStart= as its User=
# and Group=, with its UMask=, Environment= and then EnvironmentFile=.
start_responder()
{
	local -A env=()
	local -a envs argv
	local line k f

	while IFS= read -r line; do
		env[${line%%=*}]=${line#*=}
	done < <(unit_values "$SVC" Environment)
	f=$(unit_value "$SVC" EnvironmentFile)
	f=${f#-}
	if [ -r "$f" ]; then
		while IFS= read -r line; do
			env[${line%%=*}]=${line#*=}
		done < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$f")
	fi
	envs=()
	for k in "${!env[@]}"; do
		envs+=(-E "$k=${env[$k]}")
	done
	read -r -a argv <<<"$(unit_value "$SVC" ExecStart)"
	SOCK_BY_US=yes
	install -d -m "$(unit_value "$SKT" DirectoryMode)" "${SOCK%/*}"
	rm -f "$SOCK"
	(
		umask "$(unit_value "$SVC" UMask)"
		exec systemd-socket-activate -l "$SOCK" "${envs[@]}" -- \
		    setpriv --reuid="$(unit_value "$SVC" User)" \
		    --regid="$(unit_value "$SVC" Group)" --init-groups -- \
		    "${argv[@]}"
	) </dev/null >/dev/null 2>>"$T/responder.err" &
	RESP_PID=$!
	wait_for 10 test -S "$SOCK" || return 1
	chown "$(unit_value "$SKT" SocketUser):$(unit_value "$SKT" SocketGroup)" "$SOCK" &&
	    chmod "$(unit_value "$SKT" SocketMode)" "$SOCK"
}

start_responder || bail "the socket $SOCK is made" "$(cat "$T/responder.err")"
ok "lockgate.socket's socket made, waiting for a connection (pid $RESP_PID)"

# ---------------------------------------------------------------------------
note "Apache: a2enmod proxy_fcgi; a2enconf lockgate; a private instance"

# Modules enabled here are disabled again at the end, without leaving
# a2dismod's "disabled by the administrator" mark they did not have.
for m in proxy proxy_fcgi; do
	a2query -q -m "$m" 2>/dev/null && continue
	MODS_BY_US="$m $MODS_BY_US"
	[ -e "$A2STATE/$m" ] || MARKS_BY_US="$m $MARKS_BY_US"
done
a2enmod -q proxy_fcgi >"$T/a2enmod.out" 2>&1 ||
    not_ok "a2enmod proxy_fcgi" "$(cat "$T/a2enmod.out")"
if a2enconf -q lockgate >"$T/a2enconf.out" 2>&1; then
	ok "a2enconf lockgate"
else
	not_ok "a2enconf lockgate" "$(cat "$T/a2enconf.out")"
fi
is "conf-enabled/lockgate.conf links to the installed snippet" \
    ../conf-available/lockgate.conf "$(readlink /etc/apache2/conf-enabled/lockgate.conf 2>&1)"

A=$T/apache
mkdir -p "$A/run" "$A/htdocs"
chown www-data:www-data "$A/run"
# apache_conf PORT MODULE-FILES...: a private httpd.conf on PORT that
# loads the given mods-enabled files and includes the enabled snippet.
apache_conf()
{
	local port=$1 f

	shift
	printf 'ServerRoot "/etc/apache2"\nServerName 127.0.0.1\n'
	printf 'Listen 127.0.0.1:%s\n' "$port"
	printf 'PidFile "%s/httpd.pid"\nDefaultRuntimeDir "%s/run"\n' "$A" "$A"
	printf 'ErrorLog "%s/error.log"\nLogLevel warn\n' "$A"
	printf 'User www-data\nGroup www-data\n'
	printf 'DocumentRoot "%s/htdocs"\n' "$A"
	for f in "$@"; do
		printf 'Include "/etc/apache2/mods-enabled/%s"\n' "$f"
	done
	printf '<Directory />\n\tRequire all denied\n</Directory>\n'
	printf 'Include "/etc/apache2/conf-enabled/lockgate.conf"\n'
}

apache_conf 1 mpm_event.load authz_core.load >"$A/noproxy.conf"
out=$(apache2 -t -f "$A/noproxy.conf" 2>&1)
like "without mod_proxy_fcgi the snippet stops Apache with a message" \
    'lockgate.conf needs mod_proxy_fcgi: run a2enmod proxy_fcgi' "$out"

APORT=$(free_port) || bail "a free loopback port"
MODS=(mpm_event.load authz_core.load proxy.load proxy_fcgi.load)
[ -e /etc/apache2/mods-enabled/proxy.conf ] && MODS+=(proxy.conf)
for f in "${MODS[@]}"; do
	[ -e "/etc/apache2/mods-enabled/$f" ] || not_ok "mods-enabled/$f exists"
done
apache_conf "$APORT" "${MODS[@]}" >"$A/httpd.conf"
if ! apache2 -t -f "$A/httpd.conf" >"$A/t.out" 2>&1; then
	bail "apache2 -t accepts the enabled snippet" "$(cat "$A/t.out")"
fi
apache2 -f "$A/httpd.conf" -DFOREGROUND </dev/null >"$A/apache.out" 2>&1 &
APACHE_PID=$!
AURL=http://127.0.0.1:$APORT
if wait_for 20 health_200 "$AURL"; then
	ok "private Apache on 127.0.0.1:$APORT serves GET /v1/health (the first connection started the responder)"
else
	bail "private Apache on 127.0.0.1:$APORT serves GET /v1/health" \
	    "$(tail -n 20 "$A/error.log" "$A/apache.out" "$T/responder.err" 2>&1)"
fi
is "the responder is /usr/sbin/lockgate.fcgi in systemd-socket-activate's place" \
    /usr/sbin/lockgate.fcgi "$(readlink "/proc/$RESP_PID/exe" 2>&1)"
is "it runs as lockgate:lockgate" "lockgate lockgate" \
    "$(stat -c '%U %G' "/proc/$RESP_PID" 2>&1)"
like "its fd 3 is the socket it was given" '^socket:' "$(readlink "/proc/$RESP_PID/fd/3" 2>&1)"

RECORDS=0
getlock_table Apache "$AURL"

# ---------------------------------------------------------------------------
note "lighttpd: lighty-enable-mod lockgate; a private instance"

[ -L "$FASTCGI_LINK" ] || FASTCGI_BY_US=yes
out=$(lighty-enable-mod lockgate 2>&1)
is "lighty-enable-mod lockgate links the snippet" ../conf-available/50-lockgate.conf \
    "$(readlink "$LIGHTTPD_LINK" 2>&1)"
is "lighty-enable-mod lockgate also enables fastcgi, which it depends on" \
    ../conf-available/10-fastcgi.conf "$(readlink "$FASTCGI_LINK" 2>&1)"

L=$T/lighttpd
mkdir -p "$L/htdocs"
chown www-data:www-data "$L"
LPORT=$(free_port) || bail "a free loopback port"
cat >"$L/lighttpd.conf" <<EOF
server.bind          = "127.0.0.1"
server.port          = $LPORT
server.document-root = "$L/htdocs"
server.pid-file      = "$L/lighttpd.pid"
server.errorlog      = "$L/error.log"
server.username      = "www-data"
server.groupname     = "www-data"
include "$FASTCGI_LINK"
include "$LIGHTTPD_LINK"
EOF
if ! lighttpd -tt -f "$L/lighttpd.conf" >"$L/t.out" 2>&1; then
	bail "lighttpd -tt accepts the enabled snippet" "$(cat "$L/t.out")"
fi
lighttpd -D -f "$L/lighttpd.conf" </dev/null >"$L/lighttpd.out" 2>&1 &
LIGHTTPD_PID=$!
LURL=http://127.0.0.1:$LPORT
if wait_for 20 health_200 "$LURL"; then
	ok "private lighttpd on 127.0.0.1:$LPORT serves GET /v1/health"
else
	bail "private lighttpd on 127.0.0.1:$LPORT serves GET /v1/health" \
	    "$(tail -n 20 "$L/error.log" "$L/lighttpd.out" 2>&1)"
fi
getlock_table lighttpd "$LURL"
req GET "$LURL/locksmith"
is "lighttpd: /locksmith stays with the rest of the site (404, not lockgate's)" \
    "404 no" "$STATUS $(case $BODY in '{'*) echo yes ;; *) echo no ;; esac)"

# ---------------------------------------------------------------------------
note "the settings file, the client, a lock held over the upgrade"

HELD=$(cat /proc/sys/kernel/random/uuid)
req PUT "$AURL/v1/$HELD?ttl=7200"
expect "the local edit LOCKGATE_MAX_TTL=3600 is in force: ttl=7200 is a 400" 400 \
    '{"message": {"ttl": "must be at most 3600"}}'
# shellcheck disable=SC2016 # $LOCKGATE_FENCE is the command's to expand
out=$(LOCKGATE_URL=$AURL timeout 60 lockgate run "$(cat /proc/sys/kernel/random/uuid)" \
    --ttl 30 -- sh -c 'echo "fence=$LOCKGATE_FENCE"' 2>&1)
like "the client: lockgate run ... -- COMMAND runs it under a lock" '^fence=[0-9]+$' "$out"
req PUT "$AURL/v1/$HELD?ttl=600&owner=upgrade"
like "a lock held for 600 s by owner upgrade: 201" '^201 ' "$STATUS $BODY"
HELD_LOCK=$(lock_of)
like "its fence" '"fence": [0-9]+' "$HELD_LOCK"
is "lockgate status: held" held "$(lockgate --url "$LURL" status "$HELD" 2>&1)"

# ---------------------------------------------------------------------------
note "upgrade: the package rebuilt as a higher version"

S2=$T/src2
mkdir -p "$S2"
if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
	    xargs -0 cp --parents -t "$S2" 2>/dev/null)
else
	(cd "$SRC" && tar cf - --exclude=.git --exclude='*.o' --exclude='*.a' \
	    --exclude=Makefile --exclude=config.status --exclude=config.log \
	    --exclude=autom4te.cache --exclude=./var --exclude=./run .) |
	    (cd "$S2" && tar xf -)
fi
V2=${VERSION%-*}-$((${VERSION##*-} + 1))
SIGN=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$S2/debian/changelog" | head -n 1)
{
	printf 'lockgate (%s) unstable; urgency=medium\n\n' "$V2"
	printf '  * Rebuilt, to test an upgrade.\n\n'
	printf ' -- %s  %s\n\n' "$SIGN" "$(date -R)"
	cat "$S2/debian/changelog"
} >"$S2/debian/changelog.new" && mv "$S2/debian/changelog.new" "$S2/debian/changelog"
is "the copy's version is $V2" "$V2" "$(cd "$S2" && dpkg-parsechangelog -S Version)"
t0=$(date +%s)
# The unit tests ran in the first build: the same code, skipped here.
if ! DEB_BUILD_OPTIONS=nocheck DEB_OUTDIR=$T/out2 timeout 900 \
    bash "$S2/quickstart" deb >"$T/build2.log" 2>&1; then
	bail "./quickstart deb builds $V2" "$(tail -n 40 "$T/build2.log")"
fi
ok "./quickstart deb builds lockgate_${V2}_${ARCH}.deb ($(($(date +%s) - t0)) s)"

if ! (cd "$T/out2" && timeout 600 apt-get "${APT_WAIT[@]}" install -y -q \
    "./lockgate_${V2}_${ARCH}.deb") >"$T/upgrade.log" 2>&1; then
	bail "apt-get install ./lockgate_${V2}_${ARCH}.deb" "$(tail -n 30 "$T/upgrade.log")"
fi
is "dpkg: upgraded to $V2" "installed $V2" \
    "$(dpkg-query -W -f='${db:Status-Status} ${Version}' lockgate)"
like "apt-get reports the upgrade" "Unpacking lockgate \\($V2\\) over \\($VERSION\\)" \
    "$(cat "$T/upgrade.log")"
is "the local edit of /etc/default/lockgate is kept" "LOCKGATE_MAX_TTL=3600" \
    "$(grep '^LOCKGATE_MAX_TTL=' "$SETTINGS")"
is "no .dpkg-dist, .dpkg-new or .dpkg-old copy of the settings" "" \
    "$(ls "$SETTINGS".dpkg-* 2>/dev/null)"
is "/etc/default/lockgate still root's, mode 0600" "root:root 600" \
    "$(stat -c '%U:%G %a' "$SETTINGS" 2>&1)"
is "the database is kept: lockgate's, mode 0700, with its data file" \
    "lockgate:lockgate 700 yes" \
    "$(stat -c '%U:%G %a' "$DB" 2>&1) $([ -s "$DB/data.mdb" ] && echo yes || echo no)"
is "the user lockgate keeps its uid" "$LG_UID" "$(id -u lockgate 2>&1)"

note "restarting the responder, as systemd does on upgrade"
stop "$RESP_PID" 30 || not_ok "the old responder stops on SIGTERM within 30 s"
RESP_PID=""
start_responder || bail "the socket $SOCK is made again" "$(cat "$T/responder.err")"
req GET "$AURL/v1/$HELD"
expect "after the upgrade: the held lock is still held, the same fence and expiry" 423 \
    "{\"locked\": true, \"message\": \"lock is active\", \"lock\": $HELD_LOCK}"
is "the new responder runs the upgraded program" /usr/sbin/lockgate.fcgi \
    "$(readlink "/proc/$RESP_PID/exe" 2>&1)"
req GET "$LURL/v1/$HELD"
expect "after the upgrade, through lighttpd too" 423 \
    "{\"locked\": true, \"message\": \"lock is active\", \"lock\": $HELD_LOCK}"
req PUT "$AURL/v1/$HELD?ttl=7200&owner=upgrade"
expect "after the upgrade the local setting is in force" 400 \
    '{"message": {"ttl": "must be at most 3600"}}'
req DELETE "$AURL/v1/$HELD?owner=upgrade"
is "the held lock released by its owner: 200" 200 "$STATUS"

# ---------------------------------------------------------------------------
note "remove and purge"

stop "$APACHE_PID" || not_ok "Apache stops on SIGTERM"
APACHE_PID=""
stop "$LIGHTTPD_PID" || not_ok "lighttpd stops on SIGTERM"
LIGHTTPD_PID=""
# What systemd does in prerm: lockgate.socket stopped, the service with it.
stop "$RESP_PID" 30 || not_ok "the responder stops on SIGTERM within 30 s"
RESP_PID=""
rm -f "$SOCK"
rmdir "${SOCK%/*}" 2>/dev/null
dpkg -L lockgate >"$T/files" 2>/dev/null

if ! timeout 300 apt-get "${APT_WAIT[@]}" remove -y -q lockgate >"$T/remove.log" 2>&1; then
	not_ok "apt-get remove lockgate" "$(tail -n 20 "$T/remove.log")"
fi
is "after remove: only the configuration files are left (rc)" config-files \
    "$(dpkg-query -W -f='${db:Status-Status}' lockgate 2>&1)"
is "after remove: the programs are gone" "no no" \
    "$([ -e /usr/sbin/lockgate.fcgi ] && echo yes || echo no) $([ -e /usr/bin/lockgate ] && echo yes || echo no)"
is "after remove: the database is kept" "lockgate:lockgate 700 yes" \
    "$(stat -c '%U:%G %a' "$DB" 2>&1) $([ -s "$DB/data.mdb" ] && echo yes || echo no)"
is "after remove: the settings are kept" "LOCKGATE_MAX_TTL=3600" \
    "$(grep '^LOCKGATE_MAX_TTL=' "$SETTINGS" 2>&1)"
is "after remove: the Apache snippet is disabled, the lighttpd one too" "no no" \
    "$([ -e /etc/apache2/conf-enabled/lockgate.conf ] && echo yes || echo no) $([ -L "$LIGHTTPD_LINK" ] && echo yes || echo no)"

if ! timeout 300 apt-get "${APT_WAIT[@]}" purge -y -q lockgate >"$T/purge.log" 2>&1; then
	not_ok "apt-get purge lockgate" "$(tail -n 20 "$T/purge.log")"
fi
INSTALLED_BY_US=""
st=$(dpkg-query -W -f='${db:Status-Status}' lockgate 2>/dev/null)
is "after purge: dpkg knows no lockgate" not-installed "${st:-not-installed}"
is "after purge: dpkg -l lists no lockgate" "" \
    "$(dpkg -l 2>/dev/null | awk '$2 == "lockgate" || $2 ~ /^lockgate:/')"
is "after purge: the database, the settings and both snippets are gone" "" \
    "$(ls -d "$DB" "$SETTINGS" "$APACHE_CONF" "$LIGHTTPD_CONF" \
        /etc/apache2/conf-enabled/lockgate.conf "$LIGHTTPD_LINK" 2>/dev/null)"
is "after purge: no systemd enablement is left" "" \
    "$(ls -d "$SOCKET_LINK" /var/lib/systemd/deb-systemd-helper-enabled/*lockgate* \
        /var/lib/systemd/deb-systemd-helper-enabled/*/*lockgate* 2>/dev/null)"
is "after purge: no state of a2enconf is left" "" \
    "$(find /var/lib/apache2 -name 'lockgate*' 2>/dev/null)"
is "after purge: no dpkg record of the package is left" "" \
    "$(ls /var/lib/dpkg/info/lockgate.* 2>/dev/null)"
left=""
while IFS= read -r f; do
	case $f in
	/. | "") continue ;;
	esac
	if [ -d "$f" ]; then
		# A directory of others (/etc/default, /lib) stays; its own not.
		case $f in
		*lockgate*) left+="$f"$'\n' ;;
		esac
	elif [ -e "$f" ] || [ -L "$f" ]; then
		left+="$f"$'\n'
	fi
done <"$T/files"
is "after purge: nothing that dpkg -L listed is left ($(wc -l <"$T/files") paths)" "" \
    "${left%$'\n'}"
is "after purge: no file of the user lockgate in /etc, /var, /run, /usr, /tmp" "" \
    "$(find /etc /var /run /usr /tmp -xdev -uid "${LG_UID:-0}" -print 2>/dev/null | head -n 5)"
like "after purge: the user lockgate stays (Debian's practice: its uid is not reused)" \
    '^lockgate:' "$(getent passwd lockgate)"
is "no responder left running" "" "$(ours_running)"
is "the system's Apache and lighttpd were not started" \
    "$SYSTEM_APACHE_BEFORE|$SYSTEM_LIGHTTPD_BEFORE" \
    "$(cat /run/apache2/apache2.pid 2>/dev/null)|$(cat /run/lighttpd.pid 2>/dev/null)"

finish
