-- wrk script used by bench/run.sh for the small-object figures.
--
-- Configured through environment variables (wrk's LuaJIT has os.getenv):
--   BENCH_METHOD     GET | POST | PUT                       (default GET)
--   BENCH_PATH       request path; if it contains "%s" it is formatted with a
--                    string unique to the request ("<nonce>-<thread>-<counter>");
--                    else if it contains a printf directive (e.g.
--                    "/v1/objects/by-key/bench/t1/obj-%06d") it is formatted
--                    with an index that rotates over 0 .. BENCH_N-1
--   BENCH_N          number of distinct paths to rotate over  (default 1000)
--   BENCH_BODY_SIZE  bytes of request body; 0 = no body      (default 0)
--   BENCH_HEADERS    extra headers, "Name: value|Name: value"
--   BENCH_NONCE      string that makes bodies unique across runs
--
-- Every body is distinct (a "<nonce>-<thread>-<counter>:" prefix over random
-- filler) so that a content-addressed server cannot deduplicate them: each
-- request is a new blob, as with real distinct uploads.

local method = os.getenv("BENCH_METHOD") or "GET"
local path_fmt = os.getenv("BENCH_PATH") or "/"
local n = tonumber(os.getenv("BENCH_N") or "1000")
local body_size = tonumber(os.getenv("BENCH_BODY_SIZE") or "0")
local nonce = os.getenv("BENCH_NONCE") or tostring(os.time())
local unique = string.find(path_fmt, "%s", 1, true) ~= nil
local rotate = not unique and string.find(path_fmt, "%", 1, true) ~= nil

local headers = {}
for h in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do
  local name, value = string.match(h, "^%s*([^:]+):%s*(.-)%s*$")
  if name then headers[name] = value end
end

-- setup() runs in the main Lua state once per thread; it hands each thread its
-- own number (a global in that thread's state, read by init()).
local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_no", thread_count)
end

local counter = 0
local index = 0
local filler = ""

function init(args)
  local tn = thread_no or 1
  math.randomseed(os.time() + tn * 7919)
  if body_size > 0 then
    local t = {}
    for i = 1, body_size do t[i] = string.char(math.random(0, 255)) end
    filler = table.concat(t)
  end
  -- threads start at different places of the rotation
  index = math.floor((tn - 1) * n / 2) % n
end

function request()
  counter = counter + 1
  local tag = string.format("%s-%d-%d", nonce, thread_no or 1, counter)
  local path = path_fmt
  if unique then
    path = string.format(path_fmt, tag)
  elseif rotate then
    path = string.format(path_fmt, index)
    index = (index + 1) % n
  end
  local body = nil
  if body_size > 0 then
    local prefix = tag .. ":"
    body = prefix .. string.sub(filler, #prefix + 1)
  end
  return wrk.format(method, path, headers, body)
end
