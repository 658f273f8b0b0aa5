-- tests/bench/put_refresh.lua: every request refreshes the same held lock
-- (preloaded lock 0) with a plain PUT: 200 "lock refreshed", one durable
-- write transaction each, all of them on one record.
--
-- Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "common.lua")

local prefix = os.getenv("BENCH_HELD_PREFIX") or "a0000000"

function init(args)
	wrk.method = "PUT"
	wrk.path = "/v1/" .. preloaded_id(prefix, 0)
	-- An empty body with its Content-Length: lighttpd refuses a PUT
	-- without one (411).
	wrk.body = ""
end
