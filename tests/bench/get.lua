-- tests/bench/get.lua: GET of held locks: each request a lock picked at
-- random among the BENCH_HELD_COUNT preloaded ones (one lock when there is
-- one). lockgate answers 423 "lock is active": a read-only transaction.
--
-- Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "common.lua")

local prefix = os.getenv("BENCH_HELD_PREFIX") or "a0000000"
local count = env_number("BENCH_HELD_COUNT", 1)

function init(args)
	seed()
	wrk.method = "GET"
	wrk.path = "/v1/" .. preloaded_id(prefix, 0)
end

if count > 1 then
	function request()
		return wrk.format(nil, "/v1/" ..
		    preloaded_id(prefix, math.random(0, count - 1)))
	end
end
