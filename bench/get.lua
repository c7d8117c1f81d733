-- GET one page; an optional cookie header comes from the environment (the workspace).
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
