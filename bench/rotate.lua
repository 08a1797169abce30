-- wrk script: rotates over the requests listed in a file, one per line: METHOD<TAB>PATH[<TAB>JSON BODY].
--   wrk -t2 -c64 -d10s -s bench/rotate.lua http://127.0.0.1:18301 -- <file> <threads>
-- Thread k takes lines k, k+threads, k+2*threads, ..., so no two threads send the same key at once and
-- a list of never-seen keys stays never-seen until it wraps around. done() prints one JSON line.

local threads_created = 0

function setup(thread)
  thread:set("thread_index", threads_created)
  threads_created = threads_created + 1
end

function init(args)
  local file, threads, authorization = args[1], tonumber(args[2]), args[3]
  requests, position, line_number = {}, 0, 0
  for line in io.lines(file) do
    if line_number % threads == thread_index then
      local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
      if body == "" then
        requests[#requests + 1] = wrk.format(method, path, { ["Authorization"] = authorization })
      else
        requests[#requests + 1] = wrk.format(method, path, { ["Content-Type"] = "application/json", ["Authorization"] = authorization }, body)
      end
    end
    line_number = line_number + 1
  end
end

function request()
  position = position + 1
  if position > #requests then position = 1 end
  return requests[position]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"status_errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
