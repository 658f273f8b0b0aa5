-- tests/bench/etcd_range.lua: etcd itself, no lockgate: a linearizable
-- read of one key that exists (BENCH_ETCD_KEY, put before the run),
-- POST /v3/kv/range through etcd's JSON gateway. What lockgate's GET of a
-- held lock is measured against. 200 with the key's value.
--
-- Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "common.lua")

function init(args)
	wrk.method = "POST"
	wrk.path = "/v3/kv/range"
	wrk.headers["Content-Type"] = "application/json"
	-- No "serializable": etcd's default read, linearizable, which
	-- asks the leader where the log stands before it answers.
	wrk.body = '{"key":"' ..
	    base64(os.getenv("BENCH_ETCD_KEY") or "lockgate-bench/held") .. '"}'
end
