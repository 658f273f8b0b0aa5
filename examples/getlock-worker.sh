#!/bin/sh
# examples/getlock-worker.sh: getlock's documented worker (wait while the
# lock is held, take it, work, give it back) as one `lockgate run` line.
#
# It replaces this loop:
#
#	url=$LOCKGATE_URL/v1/$LOCK_ID
#	while [ "$(curl -s "$url" | jq '.locked')" = true ]; do
#		sleep 1                         # polls the server every second
#	done
#	curl -s -X PUT -d ttl=300 "$url"        # two workers can both get here
#	./do-the-work                           # no refresh: a job longer than
#	                                        # 300 s loses the lock unnoticed
#	curl -s -X DELETE "$url"                # may delete another's lock;
#	                                        # skipped on Ctrl-C or error
#
# lockgate run waits on the server instead of polling, takes the lock only
# when it is free (an owner token tells the holders apart), refreshes it
# every ttl/3 seconds for as long as the work runs, stops the work if the
# lock is lost, releases it even on Ctrl-C, and gives the work the lock's
# fence in $LOCKGATE_FENCE (pass it to whatever the work changes, so that
# a holder whose lock has since passed to someone else can be refused).
#
# Usage: LOCKGATE_URL=http://127.0.0.1:8080 ./getlock-worker.sh [ARGS...]
# Exit status: that of ./do-the-work, or lockgate's own (lockgate --help).
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
set -eu
: "${LOCKGATE_URL:?set LOCKGATE_URL to the lockgate server, e.g. http://127.0.0.1:8080}"
export LOCKGATE_URL
LOCK_ID=${LOCK_ID:-0b9e2a8e-1111-4222-8333-444455556666}

# Wait up to an hour for the lock; a ttl of 60 s (refreshed while the work
# runs) means a crashed worker blocks the others for at most a minute.
exec lockgate run "$LOCK_ID" --ttl 60 --wait 3600 -- ./do-the-work "$@"
