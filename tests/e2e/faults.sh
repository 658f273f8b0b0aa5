#!/bin/bash
# tests/e2e/faults.sh: lockgate keeps its promises while processes die,
# through a real lighttpd with 4 responders and full durability:
#   1. contention under SIGKILL: 12 clients with owners and wait take one
#      lock 10 times each while a burst of plain PUTs keeps write
#      transactions going and a responder is killed with SIGKILL every 100
#      to 300 ms. Clients retry after a 5xx or a broken connection (a
#      retried PUT may find its own earlier grant: 200 with that hold).
#      No two holds overlap, fences strictly increase in grant order, every
#      client gets every turn within the bound, lighttpd replaces every
#      killed responder, and the error log holds nothing but what lighttpd
#      writes for a backend that died (died_patterns below); then 4 clients
#      acquire new locks as fast as they can for 6 s while every 20 to 50 ms
#      a running responder is killed (lighttpd replaces them about once a
#      second; the kills land inside write transactions too): every
#      acquisition answered 201 is held with its own fence;
#   2. crash and restart: 8 clients acquire new locks (ttl 600) as fast as
#      they can; lighttpd and every responder are killed with SIGKILL at
#      once; on a new lighttpd on the same database every acquisition that
#      was answered 201 is still held with its fence (423), and the next
#      fence is above every fence handed out before. Twice.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh" || {
	echo "not ok - ${0%/*}/lib.sh loads"
	echo "0 passed, 1 failed"
	exit 1
}

lg_init curl lighttpd jq timeout pgrep
START_MS=$(lg_now_ms)
LOCKGATE_SYNC=full
export LOCKGATE_SYNC
R=$RANDOM$RANDOM

# What lighttpd 1.4 writes in its error log when a backend dies under it,
# measured with 1.4.69: the death (signal 9), requests cut short on its
# connection (before or after they were sent, or right after accept),
# connections refused until the new process listens, the backend set aside
# for a second, all of them down at once. SOCK is the socket of a responder of
# this test; lines of any other kind fail the test.
died_patterns()
{
	local sock="unix:$1/lockgate\\.sock-[0-9]+" n='[0-9]+'
	local why='(Connection refused|No such file or directory|Connection reset by peer)'

	printf '%s\n' \
	    "^\\(server\\.c\\.$n\\) server started \\(lighttpd/[0-9.]+\\)\$" \
	    "^\\(server\\.c\\.$n\\) server stopped by UID = $n PID = $n\$" \
	    "^\\(gw_backend\\.c\\.$n\\) child signalled: 9\$" \
	    "^\\(gw_backend\\.c\\.$n\\) connect ${sock#unix:}: $why\$" \
	    "^\\(gw_backend\\.c\\.$n\\) establishing connection failed: socket: $sock: $why\$" \
	    "^\\(gw_backend\\.c\\.$n\\) backend error; we'll disable for 1secs and send the request to another backend instead:load: $n\$" \
	    "^\\(gw_backend\\.c\\.$n\\) all handlers for [^ ]* on / are down\\.\$" \
	    "^\\(gw_backend\\.c\\.$n\\) response not received, request (sent: $n|not sent) on socket: $sock for [^ ]*, (closing connection|reconnecting)\$" \
	    "^\\(gw_backend\\.c\\.$n\\) connection was dropped after accept\\(\\) \\(perhaps the gw process died\\), write-offset: $n socket: $sock\$" \
	    "^\\(gw_backend\\.c\\.$n\\) error: unexpected close of gw connection for [^ ]* \\(no gw process on socket: $sock \\?\\) $n\$" \
	    "^\\(http-header-glue\\.c\\.$n\\) read\\(\\) $n $n: Connection reset by peer\$" \
	    "^\\(mod_fastcgi\\.c\\.$n\\) unexpected end-of-file \\(perhaps the fastcgi process died\\):pid: $n socket: $sock\$"
}

# unexplained LOG RUNDIR: the lines of lighttpd's error log LOG (date
# removed) that are not what a dying backend explains.
unexplained()
{
	sed 's/^[0-9-]* [0-9:]*: //' "$1" | grep -v -E -f <(died_patterns "$2")
}

took()
{
	echo $(($(lg_now_ms) - $1))
}

# wait_pids SECONDS PID...: true when every PID ended within SECONDS.
wait_pids()
{
	local end=$(($(lg_now_ms) + $1 * 1000)) p

	shift
	for p in "$@"; do
		while lg_alive "$p"; do
			[ "$(lg_now_ms)" -lt "$end" ] || return 1
			sleep 0.05
		done
		wait "$p" 2>/dev/null
	done
	return 0
}

# ---------------------------------------------------------------------------
# Background clients (run under timeout through spawn).

# shellcheck disable=SC2317
bg_now()
{
	local t=${EPOCHREALTIME/[.,]/}
	printf -v "$1" '%s' $((10#$t / 1000))
}

# shellcheck disable=SC2317
bg_ms()
{
	local i=${2%%.*} f=000
	case $2 in
	*.*) f=${2#*.}000 ;;
	esac
	printf -v "$1" '%s' $((10#$i * 1000 + 10#${f:0:3}))
}

# bg_curl METHOD URL OUT: one request; sets CODE and BODY.
# shellcheck disable=SC2317
bg_curl()
{
	CODE=$(curl -s --max-time 40 -H 'Expect:' -X "$1" -o "$3.body" \
	    -w '%{http_code}' "$2")
	BODY=""
	IFS= read -r -d '' BODY <"$3.body"
	BODY=${BODY%$'\n'}
	return 0
}

# contend URL ID OWNER ROUNDS OUT: ROUNDS times: PUT ?owner&ttl=5&wait=30
# until it holds the lock (201, or 200 with its own hold after a retry),
# holds 30 to 80 ms, DELETE ?owner until 200 (or, after a retry, 404 or
# 423: an earlier attempt released it). A 5xx or a broken connection (000) is
# retried after 0.1 s. OUT.holds: "grant_ms end_ms fence owner round",
# grant_ms the hold's timestamp, end_ms the time the first DELETE was sent
# (the earliest the release can have happened). OUT.retries: the retries.
# shellcheck disable=SC2317
contend()
{
	local url=$1 id=$2 me=$3 rounds=$4 out=$5 r q re start end fence
	local tries retries=0 ms pause CODE BODY

	q="owner=$me&ttl=5&wait=30"
	re="^\{\"locked\": true, \"message\": \"lock (acquired|refreshed)\", \"lock\": \{\"id\": \"$id\", \"timestamp\": ([0-9]+\.?[0-9]*), \"ttl\": 5\.0, \"expires\": [0-9.]+, \"fence\": ([0-9]+)\}\}$"
	: >"$out.holds"
	: >"$out.errors"
	for ((r = 1; r <= rounds; r++)); do
		tries=0
		while :; do
			tries=$((tries + 1))
			bg_curl PUT "$url/v1/$id?$q" "$out"
			case $CODE in
			201) break ;;
			200) [ "$tries" -gt 1 ] && break ;;
			000 | 5??)
				retries=$((retries + 1))
				sleep 0.1
				continue
				;;
			423) continue ;;
			esac
			echo "$me round $r: PUT answered $CODE $BODY" >>"$out.errors"
			break 2
		done
		if ! [[ $BODY =~ $re ]]; then
			echo "$me round $r: PUT answered $CODE $BODY" >>"$out.errors"
			break
		fi
		bg_ms start "${BASH_REMATCH[2]}"
		fence=${BASH_REMATCH[3]}
		ms=$((30 + RANDOM % 51))
		printf -v pause '0.%03d' "$ms"
		sleep "$pause"
		bg_now end
		tries=0
		while :; do
			tries=$((tries + 1))
			bg_curl DELETE "$url/v1/$id?owner=$me" "$out"
			case $CODE in
			200) break ;;
			# After a retry: an earlier attempt released the lock,
			# and it may be someone else's already.
			404 | 423) [ "$tries" -gt 1 ] && break ;;
			000 | 5??)
				retries=$((retries + 1))
				sleep 0.1
				continue
				;;
			esac
			echo "$me round $r: DELETE answered $CODE $BODY" >>"$out.errors"
			break 2
		done
		if [ "$CODE" = 200 ] && ! [[ $BODY == *"\"fence\": $fence}}" ]]; then
			echo "$me round $r: DELETE answered $CODE $BODY (own fence $fence)" >>"$out.errors"
			break
		fi
		echo "$start $end $fence $me $r" >>"$out.holds"
	done
	echo "$retries" >"$out.retries"
}

# burst URL SERIES OUT: plain PUTs of new ids, one after another, until
# stopped: write transactions in progress for the killer to cut.
# shellcheck disable=SC2317
burst()
{
	local url=$1 s=$2 out=$3 i=0

	: >"$out"
	while :; do
		i=$((i + 1))
		printf -v id '%08x-0000-4000-a000-%012x' "$s" "$i"
		curl -s --max-time 10 -o /dev/null -w '%{http_code}\n' -X PUT \
		    "$url/v1/$id?ttl=600" >>"$out"
	done
}

# acquirer URL SERIES OUT: plain PUTs of new ids ?ttl=600 until killed;
# each 201 is noted in OUT as "id fence" once its answer is complete.
# shellcheck disable=SC2317
acquirer()
{
	local url=$1 s=$2 out=$3 i=0 id CODE BODY

	while :; do
		i=$((i + 1))
		printf -v id '%08x-0000-4000-b000-%012x' "$s" "$i"
		bg_curl PUT "$url/v1/$id?ttl=600" "$out"
		if [ "$CODE" = 201 ] && [[ $BODY =~ \"fence\":\ ([0-9]+)\}\}$ ]]; then
			echo "$id ${BASH_REMATCH[1]}" >>"$out"
		fi
	done
}
export -f bg_now bg_ms bg_curl contend burst acquirer

BG=()
spawn()
{
	local s=$1

	shift
	timeout "$s" bash -c '"$@"' spawn "$@" </dev/null &
	BG+=("$!")
	LG_BG_PIDS="$LG_BG_PIDS $!"
}

# check_holds FILE N DESC: as in owners.sh, for a mutex.
check_holds()
{
	local f=$1 n=$2 d=$3 out

	sort -n -k1,1 -k3,3 "$f" >"$f.sorted"
	lg_is "$d: $n holds recorded" "$n" "$(wc -l <"$f.sorted")"
	out=$(awk 'NR > 1 && $3 <= pf { printf "fence %s (grant %s) after fence %s (grant %s)\n", $3, $1, pf, pg }
	    { pf = $3; pg = $1 }' "$f.sorted")
	lg_is "$d: fences strictly increase in grant order" "" "$out"
	lg_is "$d: every hold ends after it starts" "" \
	    "$(awk '$2 < $1 { print }' "$f")"
	out=$(awk 'NR > 1 && $1 < pe { printf "%s (grant %s) before %s (end %s) released\n", $4, $1, po, pe }
	    { pe = $2; po = $4 }' "$f.sorted")
	lg_is "$d: no two holds overlap (each end before the next grant)" \
	    "" "$out"
}

# ---------------------------------------------------------------------------
lg_note "1. contention while responders are killed"

lg_start_lighttpd 4
BEFORE=$(lg_responders | sort | tr '\n' ' ')
ID=$(lg_uuid)
BG=()
spawn 120 burst "$LG_URL" 1 "$LG_TMP/burst.codes"
BURST=${BG[0]}
BG=()
T=$(lg_now_ms)
for i in $(seq 1 12); do
	spawn 110 contend "$LG_URL" "$ID" "tok-k$i-$R" 10 "$LG_TMP/kx.$i"
done
KILLS=0
KILLED=""
while :; do
	running=0
	for p in "${BG[@]}"; do
		lg_alive "$p" && running=1
	done
	[ "$running" = 1 ] || break
	[ "$(took "$T")" -lt 115000 ] || break
	sleep "0.$((100 + RANDOM % 201))"
	# lighttpd's children are its responders (lg_responders is slower).
	mapfile -t rs < <(pgrep -P "$LG_HTTPD_PID")
	[ "${#rs[@]}" -gt 0 ] || continue
	v=${rs[RANDOM % ${#rs[@]}]}
	kill -KILL "$v" 2>/dev/null && KILLS=$((KILLS + 1)) KILLED="$KILLED $v"
done
CONTEND_MS=$(took "$T")
if wait_pids 5 "${BG[@]}"; then
	lg_ok "the 12 clients ended within the bound ($CONTEND_MS ms)"
else
	lg_not_ok "the 12 clients ended within 115 s" "all ended" "still running"
fi
kill -TERM "$BURST" 2>/dev/null
wait "$BURST" 2>/dev/null
lg_note "$KILLS responders killed; burst of plain PUTs: $(sort "$LG_TMP/burst.codes" | uniq -c | tr '\n' ' ')"
lg_cmp "at least 15 responders were killed" "$KILLS" -ge 15
cat "$LG_TMP"/kx.*.holds >"$LG_TMP/kx.all" 2>/dev/null
lg_is "no client saw an unexpected answer" "" \
    "$(cat "$LG_TMP"/kx.*.errors 2>/dev/null)"
out=""
for i in $(seq 1 12); do
	c=$(awk -v o="tok-k$i-$R" '$4 == o { n++ } END { print n + 0 }' \
	    "$LG_TMP/kx.all")
	[ "$c" = 10 ] || out="${out}client $i: $c grants"$'\n'
done
lg_is "every client got all 10 turns" "" "$out"
check_holds "$LG_TMP/kx.all" 120 "under SIGKILL"
lg_note "retries after a 5xx or a broken connection: $(cat "$LG_TMP"/kx.*.retries | awk '{ n += $1 } END { print n + 0 }')"
lg_like "the burst saw only 201 and the failures of killed responders" \
    '^((201|000|5[0-9][0-9]) )*$' "$(sort -u "$LG_TMP/burst.codes" | tr '\n' ' ')"
n=100
while [ "$(lg_responders | wc -l)" -lt 4 ] && [ "$n" -gt 0 ]; do
	sleep 0.05
	n=$((n - 1))
done
AFTER=$(lg_responders | sort | tr '\n' ' ')
lg_is "lighttpd replaced the killed responders: 4 running" 4 \
    "$(lg_responders | wc -l)"
# shellcheck disable=SC2016 # expanded by the inner bash
lg_true "... none of them one that was killed" \
    bash -c 'for p in $1; do case " $2 " in *" $p "*) exit 1;; esac; done' \
    x "$KILLED" "$AFTER"
lg_note "responders before: $BEFORE; after: $AFTER"
lg_many GET "/v1/$ID" 16
lg_is "afterwards 16 GETs of the lock: all 404" 16 \
    "$(grep -c '^404$' "$LG_TMP/many.codes")"
lg_is "lighttpd's error log: nothing but what dying backends explain" "" \
    "$(unexplained "$LG_RUN/error.log" "$LG_RUN")"
lg_cmp "... and it saw responders die (child signalled: 9)" \
    "$(grep -c 'child signalled: 9$' "$LG_RUN/error.log")" -ge 1
lg_is "the responders' log has no error line" "" \
    "$(grep -i error "$LG_RUN/lockgate.log")"

# lighttpd notices a dead responder and starts another about once a second,
# so most of the time some are dead: 4 clients load the ones left.
lg_note "1b. a burst of writes; every 20 to 50 ms a running responder is killed"
BG=()
for i in $(seq 1 4); do
	: >"$LG_TMP/wk.$i"
	spawn 60 acquirer "$LG_URL" "$((50 + i))" "$LG_TMP/wk.$i"
done
KILLS=0
END=$(($(lg_now_ms) + 6000))
t=${EPOCHREALTIME/[.,]/}
while [ $((10#$t / 1000)) -lt "$END" ]; do
	sleep "0.0$((20 + RANDOM % 31))"
	t=${EPOCHREALTIME/[.,]/}
	# lighttpd's children are its responders (lg_responders is slower).
	mapfile -t rs < <(pgrep -P "$LG_HTTPD_PID")
	[ "${#rs[@]}" -gt 0 ] || continue
	kill -KILL "${rs[RANDOM % ${#rs[@]}]}" 2>/dev/null && KILLS=$((KILLS + 1))
done
kill -TERM "${BG[@]}" 2>/dev/null
wait_pids 5 "${BG[@]}"
lg_cmp "at least 20 responders were killed in 6 s" "$KILLS" -ge 20
cat "$LG_TMP"/wk.* | grep -E '^[0-9a-f-]{36} [0-9]+$' | sort >"$LG_TMP/wk"
N=$(wc -l <"$LG_TMP/wk")
lg_cmp "at least 100 acquisitions were answered 201 meanwhile ($N)" "$N" -ge 100
lg_is "... each with its own fence" "$N" \
    "$(awk '{ print $2 }' "$LG_TMP/wk" | sort -u | wc -l)"
n=100
while [ "$(lg_responders | wc -l)" -lt 4 ] && [ "$n" -gt 0 ]; do
	sleep 0.05
	n=$((n - 1))
done
lg_is "lighttpd replaced the killed responders: 4 running" 4 \
    "$(lg_responders | wc -l)"
awk -v u="$LG_URL" '{ printf "url = \"%s/v1/%s\"\n", u, $1 }' \
    "$LG_TMP/wk" >"$LG_TMP/get.cfg"
curl -s --max-time 60 -K "$LG_TMP/get.cfg" |
    jq -r '"\(.lock.id) \(.lock.fence) \(.message)"' >"$LG_TMP/wk.got" 2>&1
lg_is "every acquisition answered 201 is held with its fence" "" \
    "$(awk '{ print $1, $2, "lock is active" }' "$LG_TMP/wk" |
    diff - "$LG_TMP/wk.got" | head -n 10)"
lg_curl GET /v1/health
lg_is "/v1/health answers 200" 200 "$LG_STATUS"
lg_is "lighttpd's error log: still nothing but what dying backends explain" \
    "" "$(unexplained "$LG_RUN/error.log" "$LG_RUN")"
lg_is "the responders' log has no error line" "" \
    "$(grep -i error "$LG_RUN/lockgate.log")"
if lg_stop_lighttpd; then
	lg_ok "lighttpd stopped and no responder is left"
else
	lg_not_ok "lighttpd stopped and no responder is left"
fi

# ---------------------------------------------------------------------------
MAXF=0
for cycle in 1 2; do
	lg_note "2. crash $cycle: lighttpd and every responder killed at once"
	mv "$LG_TMP/run" "$LG_TMP/run.$cycle.before" 2>/dev/null
	lg_start_lighttpd 4
	BG=()
	for i in $(seq 1 8); do
		: >"$LG_TMP/acq.$cycle.$i"
		spawn 60 acquirer "$LG_URL" "$((cycle * 100 + i))" \
		    "$LG_TMP/acq.$cycle.$i"
	done
	sleep "$((2 + RANDOM % 2)).$((RANDOM % 10))"
	# Bash reports its killed child on stderr: not in the output.
	exec 3>&2 2>/dev/null
	# shellcheck disable=SC2046
	kill -KILL "$LG_HTTPD_PID" $(lg_responders)
	wait "$LG_HTTPD_PID"
	exec 2>&3 3>&-
	LG_HTTPD_PID=""
	kill -TERM "${BG[@]}" 2>/dev/null
	wait_pids 5 "${BG[@]}"
	lg_true "crash $cycle: lighttpd and the responders are gone" \
	    lg_wait_no_responders 2
	# Lines cut by the kill of their writer do not count.
	cat "$LG_TMP"/acq."$cycle".* | grep -E '^[0-9a-f-]{36} [0-9]+$' |
	    sort >"$LG_TMP/acq.$cycle"
	N=$(wc -l <"$LG_TMP/acq.$cycle")
	lg_cmp "crash $cycle: at least 100 acquisitions were answered 201 ($N)" \
	    "$N" -ge 100
	MAXC=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$LG_TMP/acq.$cycle")

	mv "$LG_TMP/run" "$LG_TMP/run.$cycle"
	lg_start_lighttpd 4
	awk -v u="$LG_URL" '{ printf "url = \"%s/v1/%s\"\n", u, $1 }' \
	    "$LG_TMP/acq.$cycle" >"$LG_TMP/get.cfg"
	curl -s --max-time 60 -K "$LG_TMP/get.cfg" |
	    jq -r '"\(.lock.id) \(.lock.fence) \(.message)"' \
	    >"$LG_TMP/got.$cycle" 2>&1
	lg_is "crash $cycle: all $N acknowledged acquisitions are held after the restart, each with its fence" \
	    "" "$(awk '{ print $1, $2, "lock is active" }' "$LG_TMP/acq.$cycle" |
	    diff - "$LG_TMP/got.$cycle" | head -n 10)"
	NEW=$(lg_uuid)
	lg_curl PUT "/v1/$NEW"
	lg_expect_lock "crash $cycle: a new lock after the restart: 201" 201 \
	    true "lock acquired" "$NEW" 60.0
	lg_cmp "crash $cycle: its fence is above every fence answered before ($MAXC)" \
	    "${LG_FENCE:-0}" -gt "$MAXC"
	lg_cmp "crash $cycle: ... and above those of the earlier crash ($MAXF)" \
	    "${LG_FENCE:-0}" -gt "$MAXF"
	MAXF=$MAXC
	lg_is "crash $cycle: the restarted responders log no error" "" \
	    "$(grep -i error "$LG_RUN/lockgate.log")"
	if lg_stop_lighttpd; then
		lg_ok "crash $cycle: the new lighttpd stopped, no responder left"
	else
		lg_not_ok "crash $cycle: the new lighttpd stopped, no responder left"
	fi
	mv "$LG_TMP/run" "$LG_TMP/run.$cycle.after"
done

lg_note "run time $(took "$START_MS") ms"
lg_finish
