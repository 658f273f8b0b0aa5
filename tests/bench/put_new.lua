-- tests/bench/put_new.lua: every request creates a new lock: PUT of a
-- fresh random UUID (made here, in Lua) with ttl=3600, so nothing made
-- during the run expires and is swept meanwhile. 201 "lock acquired", one
-- durable write transaction each, and one more record each.
--
-- Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "common.lua")

function init(args)
	seed()
end

function request()
	return wrk.format("PUT", "/v1/" .. uuid4() .. "?ttl=3600", nil, "")
end
