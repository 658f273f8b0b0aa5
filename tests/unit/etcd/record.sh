#!/usr/bin/env bash
# record.sh: records the answers of etcd's v3 JSON gateway that
# tests/unit/test_etcd_codec.c reads: starts one throwaway etcd member on
# loopback ports in a temporary directory, sends it the requests README.md
# lists, in that order, keeps each answer byte for byte, and stops the
# member; then starts a cluster of two, stops one and records what the
# other says without a quorum. A fresh member numbers its revisions the same
# way every time, so the revisions come out as recorded; the lease ID may
# not, and the cluster and member IDs follow from the ports.
#
# usage: tests/unit/etcd/record.sh [OUTDIR]   (default: this directory)
#        PORT (default 42379) chooses the ports: PORT to PORT+5.
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
port=${PORT:-42379}
peer=$((port + 1))
url=http://127.0.0.1:$port

command -v etcd >/dev/null || { echo "record.sh: no etcd (apt-get install etcd-server)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lockgate-etcd.XXXXXX")
pids=()

# stop: stops the members this script started, removes their directory.
stop()
{
	local p

	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || :
		wait "$p" 2>/dev/null || :
	done
	rm -rf "$tmp"
}
trap stop EXIT

# member NAME CLIENT PEER CLUSTER: starts a member of the cluster CLUSTER
# (name=peer URL, ...) serving clients on port CLIENT, peers on PEER.
member()
{
	etcd --name "$1" --data-dir "$tmp/$1" \
	    --listen-client-urls "http://127.0.0.1:$2" \
	    --advertise-client-urls "http://127.0.0.1:$2" \
	    --listen-peer-urls "http://127.0.0.1:$3" \
	    --initial-advertise-peer-urls "http://127.0.0.1:$3" \
	    --initial-cluster "$4" >"$tmp/$1.log" 2>&1 &
	pids+=($!)
}

# ready URL: waits up to ten seconds for a member to answer.
ready()
{
	for _ in $(seq 50); do
		curl -sf "$1/version" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "record.sh: no etcd at $1" >&2
	exit 1
}

member r "$port" "$peer" "r=http://127.0.0.1:$peer"
ready "$url"
echo "etcd $(curl -sf "$url/version")"

# Extra curl arguments for every request (headers).
extra=()

# post FILE PATH BODY: POSTs BODY to PATH, keeps the answer in FILE (none
# when FILE is -), prints the HTTP status.
post()
{
	local o=$out/$1

	[ "$1" = - ] && o=/dev/null
	printf '%-36s %s\n' "$1" "$(curl -sS -o "$o" -w '%{http_code}' \
	    "${extra[@]}" -X POST "$url$2" -d "$3")"
}

# watch FILE... -- BODY: opens a watch stream for two seconds and keeps its
# lines, one a file, in the order given (- drops a line); prints the HTTP
# status.
watch()
{
	local files=() f i=1 code

	while [ "$1" != -- ]; do files+=("$1"); shift; done
	shift
	# The stream never ends: curl stops it after two seconds (exit 28).
	code=$(curl -s -N --max-time 2 -o "$tmp/stream" -w '%{http_code}' \
	    "${extra[@]}" -X POST "$url/v3/watch" -d "$1") || [ $? = 28 ]
	for f in "${files[@]}"; do
		[ "$f" = - ] || sed -n "${i}p" "$tmp/stream" >"$out/$f"
		printf '%-36s %s, line %d of %d\n' "$f" "$code" $i \
		    "$(awk 'END { print NR }' "$tmp/stream")"
		i=$((i + 1))
	done
}

# Keys: lockgate/l/alpha bG9ja2dhdGUvbC9hbHBoYQ==, lockgate/l/beta
# bG9ja2dhdGUvbC9iZXRh, lockgate/l/gamma bG9ja2dhdGUvbC9nYW1tYQ==, the
# prefix lockgate/l/ bG9ja2dhdGUvbC8= and its end lockgate/l0
# bG9ja2dhdGUvbDA=. Values: w1 dzE=, w2 dzI=, w3 dzM=, w9 dzk=, and the
# bytes 00 01 fe ff AAH+/w==.
A=bG9ja2dhdGUvbC9hbHBoYQ==
B=bG9ja2dhdGUvbC9iZXRh
G=bG9ja2dhdGUvbC9nYW1tYQ==
P=bG9ja2dhdGUvbC8=
E=bG9ja2dhdGUvbDA=

post range-absent.json /v3/kv/range "{\"key\":\"$A\"}"
create="{\"compare\":[{\"key\":\"$A\",\"target\":\"CREATE\",\"result\":\"EQUAL\",\"create_revision\":\"0\"}],\"success\":[{\"request_put\":{\"key\":\"$A\",\"value\":\"dzE=\"}}],\"failure\":[{\"request_range\":{\"key\":\"$A\"}}]}"
post txn-create-succeeded.json /v3/kv/txn "$create"
post txn-create-failed.json /v3/kv/txn "$create"
post range-one.json /v3/kv/range "{\"key\":\"$A\"}"
post put.json /v3/kv/put "{\"key\":\"$B\",\"value\":\"AAH+/w==\"}"
post lease-grant.json /v3/lease/grant '{"TTL":"600"}'
lease=$(sed -n 's/.*"ID":"\([0-9]*\)".*/\1/p' "$out/lease-grant.json")
post - /v3/kv/put "{\"key\":\"$G\",\"value\":\"dzk=\",\"lease\":\"$lease\"}"
post put-prevkv.json /v3/kv/put "{\"key\":\"$A\",\"value\":\"dzI=\",\"prev_kv\":true}"
post range-many-more.json /v3/kv/range "{\"key\":\"$P\",\"range_end\":\"$E\",\"limit\":\"2\"}"
post range-page-last.json /v3/kv/range "{\"key\":\"bG9ja2dhdGUvbC9iZXRhAA==\",\"range_end\":\"$E\",\"limit\":\"2\",\"serializable\":true}"
cas="{\"compare\":[{\"key\":\"$A\",\"target\":\"MOD\",\"result\":\"EQUAL\",\"mod_revision\":\"5\"}],\"success\":[{\"request_put\":{\"key\":\"$A\",\"value\":\"dzM=\"}},{\"request_delete_range\":{\"key\":\"$B\"}}],\"failure\":[{\"request_range\":{\"key\":\"$A\"}}]}"
post txn-cas-succeeded.json /v3/kv/txn "$cas"
post txn-cas-failed.json /v3/kv/txn "$cas"
post delete-prevkv.json /v3/kv/deleterange "{\"key\":\"$A\",\"prev_kv\":true}"
post delete-absent.json /v3/kv/deleterange "{\"key\":\"$A\"}"
watch watch-created.json -- "{\"create_request\":{\"key\":\"$P\",\"range_end\":\"$E\"}}"
watch - watch-events.json -- "{\"create_request\":{\"key\":\"$P\",\"range_end\":\"$E\",\"start_revision\":\"2\",\"prev_kv\":true}}"
post compaction.json /v3/kv/compaction '{"revision":"5"}'
watch - watch-compacted.json -- "{\"create_request\":{\"key\":\"$P\",\"range_end\":\"$E\",\"start_revision\":\"2\"}}"
post error-range-compacted.json /v3/kv/range "{\"key\":\"$A\",\"revision\":\"3\"}"
post status.json /v3/maintenance/status '{}'
post error-txn-bad-base64.json /v3/kv/txn '{"compare":[{"key":"!!!","target":"MOD","result":"EQUAL","mod_revision":"5"}]}'
post error-txn-duplicate-key.json /v3/kv/txn "{\"success\":[{\"request_put\":{\"key\":\"$A\",\"value\":\"dzE=\"}},{\"request_delete_range\":{\"key\":\"$A\"}}]}"
post error-put-no-key.json /v3/kv/put '{"value":"dzE="}'
post error-bad-json.json /v3/kv/range '{"key":'
post error-unknown-path.json /v3/kv/nosuch '{}'
post error-auth-disabled.json /v3/auth/authenticate '{"name":"root","password":"secret"}'
# A watch refuses a bad request with an answer, not a stream.
watch error-watch-bad-base64.json -- '{"create_request":{"key":"!!!"}}'
# Authentication on (a root user in the root role), then a token, a wrong
# password, and a read without a token.
post - /v3/auth/role/add '{"name":"root"}'
post - /v3/auth/user/add '{"name":"root","password":"secret"}'
post - /v3/auth/user/grant '{"user":"root","role":"root"}'
post - /v3/auth/enable '{}'
post auth-token.json /v3/auth/authenticate '{"name":"root","password":"secret"}'
post error-auth-failed.json /v3/auth/authenticate '{"name":"root","password":"wrong"}'
post error-range-no-token.json /v3/kv/range "{\"key\":\"$A\"}"
token=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$out/auth-token.json")
extra=(-H "Authorization: $token")
post - /v3/kv/range "{\"key\":\"$A\"}"
extra=()

# A cluster of two that loses a member has no quorum: a linearizable read
# and a write time out after seven seconds (the request timeout), a
# serializable read answers from the member's copy. The gRPC metadata
# hasleader (sent as the header Grpc-Metadata-hasleader) makes a request
# fail at once with "no leader" instead; the status answer has no leader
# and says why in errors.
two="a=http://127.0.0.1:$((port + 3)),b=http://127.0.0.1:$((port + 5))"
member a $((port + 2)) $((port + 3)) "$two"
member b $((port + 4)) $((port + 5)) "$two"
ready "http://127.0.0.1:$((port + 2))"
url=http://127.0.0.1:$((port + 2))
post - /v3/kv/put '{"key":"YQ==","value":"dzE="}'
kill "${pids[2]}"
sleep 3
post error-range-no-quorum.json /v3/kv/range '{"key":"YQ=="}'
post error-put-no-quorum.json /v3/kv/put '{"key":"YQ==","value":"dzI="}'
post range-no-quorum-serializable.json /v3/kv/range '{"key":"YQ==","serializable":true}'
extra=(-H 'Grpc-Metadata-hasleader: true')
post error-range-no-leader.json /v3/kv/range '{"key":"YQ=="}'
watch error-watch-no-leader.json -- '{"create_request":{"key":"YQ=="}}'
extra=()
post status-no-leader.json /v3/maintenance/status '{}'
