-- tests/bench/common.lua: what every benchmark script shares. Loaded by
-- each of them with dofile(); wrk runs one copy per thread (init, request,
-- response) and one in its main thread (setup, done).
--
-- It counts the answers of each thread by status, numbers the threads,
-- and prints one line for run.sh when the run is over:
--   BENCH requests=N duration_us=N p50_us=N p99_us=N errors=C/R/W/T statuses=200:N,423:N
-- Settings come from the environment (run.sh exports them):
--   BENCH_HELD_PREFIX, BENCH_HELD_COUNT   locks held before the run
--   BENCH_POOL_PREFIX, BENCH_POOL_COUNT   locks made for the DELETE run
--   BENCH_OWNER_ID                        the lock owners contend for
--   BENCH_WRK_THREADS                     wrk's -t
--   BENCH_ETCD_KEY                        the key etcd_range.lua reads
-- A preloaded lock i is PREFIX-0000-4000-8000-<i as 12 hex digits>
-- (tests/bench/preload.c makes the same ids).
--
-- Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.

-- Counts by status code, per thread; done() adds them up.
statuses = {}

function response(status, headers, body)
	statuses[status] = (statuses[status] or 0) + 1
end

-- The main thread's list of wrk threads, to read their counts at the end.
local threads = {}

function setup(thread)
	-- thread_index is a global in that thread's own Lua state.
	thread:set("thread_index", #threads)
	threads[#threads + 1] = thread
end

function env_number(name, default)
	local v = tonumber(os.getenv(name) or "")
	if v == nil then
		return default
	end
	return v
end

-- The id of preloaded lock i.
function preloaded_id(prefix, i)
	return string.format("%s-0000-4000-8000-%012x", prefix, i)
end

-- A fresh random UUID version 4, lower case.
function uuid4()
	local r = math.random
	return string.format("%04x%04x-%04x-4%03x-%04x-%04x%04x%04x",
	    r(0, 65535), r(0, 65535), r(0, 65535), r(0, 4095),
	    r(32768, 49151), r(0, 65535), r(0, 65535), r(0, 65535))
end

-- The standard base64 (RFC 4648, with padding) of the string s: etcd's
-- JSON gateway takes every key and value so.
local b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

function base64(s)
	local out = {}

	for i = 1, #s, 3 do
		local a, b, c = s:byte(i, i + 2)
		local n = a * 65536 + (b or 0) * 256 + (c or 0)
		local d1 = math.floor(n / 262144) % 64
		local d2 = math.floor(n / 4096) % 64
		local d3 = math.floor(n / 64) % 64
		local d4 = n % 64
		out[#out + 1] = b64:sub(d1 + 1, d1 + 1) .. b64:sub(d2 + 1, d2 + 1) ..
		    (b and b64:sub(d3 + 1, d3 + 1) or "=") ..
		    (c and b64:sub(d4 + 1, d4 + 1) or "=")
	end
	return table.concat(out)
end

-- Seeds this thread's generator apart from every other thread's and run's.
function seed()
	math.randomseed(os.time() * 1000 + (thread_index or 0) * 7919 +
	    math.floor(os.clock() * 1e6) % 1000)
	-- LuaJIT's first values after a seed are poorly mixed.
	for _ = 1, 10 do
		math.random()
	end
end

function done(summary, latency, requests)
	local total, parts = {}, {}

	for _, t in ipairs(threads) do
		for code, n in pairs(t:get("statuses") or {}) do
			total[code] = (total[code] or 0) + n
		end
	end
	for code, n in pairs(total) do
		parts[#parts + 1] = string.format("%d:%d", code, n)
	end
	table.sort(parts)
	local e = summary.errors
	io.write(string.format(
	    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d " ..
	    "errors=%d/%d/%d/%d statuses=%s\n",
	    summary.requests, summary.duration,
	    latency:percentile(50), latency:percentile(99),
	    e.connect, e.read, e.write, e.timeout,
	    #parts > 0 and table.concat(parts, ",") or "none"))
end
