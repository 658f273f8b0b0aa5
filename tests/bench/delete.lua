-- tests/bench/delete.lua: DELETE of locks made before the run: the
-- BENCH_POOL_COUNT preloaded locks of BENCH_POOL_PREFIX, each deleted
-- once; thread t of T takes ids t, t + T, t + 2T, ... 200 "lock has been
-- removed"; once a thread has used up its share, its requests name ids
-- past the pool and answer 404, which run.sh reports apart.
--
-- Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "common.lua")

local prefix = os.getenv("BENCH_POOL_PREFIX") or "d0000000"
local nthreads = env_number("BENCH_WRK_THREADS", 1)
local next_id

function init(args)
	next_id = thread_index or 0
end

function request()
	local id = next_id
	next_id = next_id + nthreads
	return wrk.format("DELETE", "/v1/" .. preloaded_id(prefix, id), nil, "")
end
