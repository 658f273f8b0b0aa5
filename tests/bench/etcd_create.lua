-- tests/bench/etcd_create.lua: etcd itself, no lockgate: every request
-- creates a new key if it is absent, in one transaction through etcd's
-- JSON gateway (POST /v3/kv/txn: compare create_revision == 0, then put;
-- else read it). The key is new each time (lockgate-bench/new/ and a fresh
-- random UUID, made here), the value 128 bytes, about a lockgate record.
-- What lockgate's new-lock PUT is measured against.
--
-- etcd answers 200 whether the put was made or the key was there; the
-- answer's "succeeded" tells which. This script counts a made put as 200
-- and a key found already there as 409, which run.sh then reports as an
-- unexpected answer (it cannot happen with fresh random keys).
--
-- Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "common.lua")

local value

function init(args)
	seed()
	wrk.headers["Content-Type"] = "application/json"
	value = base64(string.rep("v", 128))
end

function request()
	local key = base64("lockgate-bench/new/" .. uuid4())

	return wrk.format("POST", "/v3/kv/txn", nil,
	    '{"compare":[{"key":"' .. key .. '","target":"CREATE",' ..
	    '"result":"EQUAL","create_revision":"0"}],' ..
	    '"success":[{"request_put":{"key":"' .. key .. '","value":"' ..
	    value .. '"}}],' ..
	    '"failure":[{"request_range":{"key":"' .. key .. '"}}]}')
end

function response(status, headers, body)
	if status == 200 and not body:find('"succeeded":true', 1, true) then
		status = 409
	end
	statuses[status] = (statuses[status] or 0) + 1
end
