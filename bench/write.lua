-- The write flow: change a follow-up's status in the workspace matrix through the htmx
-- endpoint, alternating green and yellow. Run with as many threads as connections, so each
-- thread (its own Lua state) owns one connection and one follow-up: it reads the follow-up's
-- new version from each response and sends it with the next change (optimistic locking).
local cells = {}
local n = 0
local counter = 0

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function setup(thread)
  -- Read once per thread from the file the driver wrote: path|key|version per line.
  if n == 0 then
    for line in io.lines(os.getenv("BENCH_CELLS")) do
      local path, key, version = line:match("([^|]+)|([^|]+)|(%d+)")
      n = n + 1
      cells[n] = { path = path, key = key, version = tonumber(version) }
    end
  end
  counter = counter + 1
  local cell = cells[((counter - 1) % n) + 1]
  thread:set("path", cell.path)
  thread:set("key", cell.key)
  thread:set("version", cell.version)
end

local turn = 0
function request()
  turn = turn + 1
  local status = (turn % 2 == 0) and "gron" or "gul"
  local body = string.format(
    "%s-status=%s&%s-orsak=%s&%s-atgarder=%s&%s-version=%d",
    key, status, key, urlencode("Rekryteringen drog ut på tiden."),
    key, urlencode("Två nya ledartröjor börjar i januari."), key, version)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = os.getenv("BENCH_COOKIE"),
    ["X-CSRFToken"] = os.getenv("BENCH_CSRF"),
    ["HX-Request"] = "true",
  }, body)
end

local pattern = nil
function response(status, headers, body)
  if status ~= 200 then
    return
  end
  pattern = pattern or ('name="' .. key:gsub("%-", "%%-") .. '%-version" value="(%d+)"')
  local v = body:match(pattern)
  if v then
    version = tonumber(v)
  end
end

dofile(os.getenv("BENCH_DIR") .. "/report.lua")
