-- wrk script for bench/run.py.
--
--   wrk -t2 -c8 -d10s -s bench/wrk_traffic.lua http://127.0.0.1:PORT/ -- URLS_FILE [conditional]
--
-- With a URL list (one "path<TAB>etag" line each, written by bench/traffic.py),
-- every request asks for the next path of the list, each thread starting at a
-- different line, so that the traffic is the list's mix, not one URL. With
-- "conditional", each request sends If-None-Match with the line's ETag (a
-- client revalidating what it has). Without a list, wrk's URL is asked again
-- and again.
--
-- At the end it prints one machine-readable line ("BENCH_JSON {...}"), so
-- run.py needs no parsing of wrk's human report. Latencies are in microseconds.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  paths, etags = {}, {}
  local file = args[1]
  local conditional = args[2] == "conditional"
  if file then
    for line in io.lines(file) do
      local path, etag = line:match("^([^\t]+)\t?(.*)$")
      if path then
        table.insert(paths, path)
        table.insert(etags, (conditional and etag ~= "") and etag or false)
      end
    end
  end
  -- Threads start far apart in the list (as many lines apart as the list is long / 7).
  position = #paths > 0 and (id * math.floor(#paths / 7 + 1)) % #paths or 0
end

function request()
  if #paths == 0 then
    return wrk.request()
  end
  position = position % #paths + 1
  local headers = {}
  if etags[position] then
    headers["If-None-Match"] = etags[position]
  end
  return wrk.format("GET", paths[position], headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses") or {}
    for status, n in pairs(seen) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d":%d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ",")))
end
