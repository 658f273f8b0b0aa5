-- tests/bench/owner.lua: owners contending for one lock. run.sh gives
-- each wrk thread one connection, so each connection is one owner
-- (bench-<thread>). It sends PUT ?owner=X&ttl=30; when that acquired the
-- lock (201, or 200 for a refresh) it releases it with DELETE ?owner=X
-- and starts over; when the lock is held by another owner (423) it tries
-- the PUT again at once. The 201s per second are the acquire/release
-- cycles; the 423s are counted and reported.
--
-- Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "common.lua")

local id = os.getenv("BENCH_OWNER_ID") or "c0000000-0000-4000-8000-000000000000"
local put, delete, holding

function init(args)
	local owner = "bench-" .. (thread_index or 0)
	put = wrk.format("PUT", "/v1/" .. id .. "?owner=" .. owner ..
	    "&ttl=30", nil, "")
	delete = wrk.format("DELETE", "/v1/" .. id .. "?owner=" .. owner,
	    nil, "")
	holding = false
end

function request()
	if holding then
		return delete
	end
	return put
end

-- Counts like common.lua's, then decides this connection's next request.
local count_status = response
function response(status, headers, body)
	count_status(status, headers, body)
	if holding then
		holding = false
	else
		holding = status == 200 or status == 201
	end
end
