-- The burst after a publication: GET the most visited public addresses in turn (one per line
-- in the file BENCH_PATHS). Run with as many threads as connections, so each thread (its own
-- Lua state) owns one connection; each starts at its own offset in the list, so the
-- connections spread over the addresses from the first request on. Counts the responses
-- that were rendered (no "X-Public-Cache: hit") as well as wrk's figures.
local threads = {}

local function read_paths()
  local paths = {}
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  return paths
end

function setup(thread)
  local n = #read_paths()
  local connections = tonumber(os.getenv("BENCH_CONNECTIONS"))
  thread:set("offset", math.floor(#threads * n / connections))
  threads[#threads + 1] = thread
end

function init(args)
  paths = read_paths()
  turn = 0
  rendered = 0
end

function request()
  local path = paths[((offset + turn) % #paths) + 1]
  turn = turn + 1
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if headers["X-Public-Cache"] ~= "hit" then
    rendered = rendered + 1
  end
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
local report_done = done

function done(summary, latency, requests)
  report_done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("rendered")
  end
  io.write(string.format('BENCH_EXTRA {"rendered": %d}\n', total))
end
