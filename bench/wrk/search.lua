-- wrk script used by bench/search.sh: one query shape, its requests taken round-robin from a file
-- of pre-made requests (so that 16 connections do not ask the same thing over and over).
--
-- Configured through environment variables (wrk's LuaJIT has os.getenv):
--   BENCH_REQUESTS_FILE  one request a line: "POST <path> <json body>" or "GET <path?query>";
--                        thread i of BENCH_THREADS starts at line i and steps by BENCH_THREADS
--   BENCH_THREADS        wrk's -t                                         (default 1)
--
-- Any answer but 200 is counted by wrk as a non-2xx response; bench/search.sh fails the run
-- on any.

local requests_file = os.getenv("BENCH_REQUESTS_FILE")
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")

local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_no", thread_count)
end

local reqs = {}
local index = 1

function init(args)
  local tn = thread_no or 1
  local f = assert(io.open(requests_file, "r"), "cannot open BENCH_REQUESTS_FILE")
  local i = 0
  for line in f:lines() do
    i = i + 1
    if (i - 1) % nthreads == (tn - 1) then
      local method, path, body = string.match(line, "^(%u+) (%S+) ?(.*)$")
      local headers = {}
      if method == "POST" then headers["Content-Type"] = "application/json" else body = nil end
      reqs[#reqs + 1] = wrk.format(method, path, headers, body)
    end
  end
  f:close()
  assert(#reqs > 0, "no requests for thread " .. tn)
end

function request()
  local r = reqs[index]
  index = index % #reqs + 1
  return r
end
