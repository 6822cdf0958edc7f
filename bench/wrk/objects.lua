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
--   BENCH_LIST_FILE  a file of lines (e.g. object ids): BENCH_PATH's "%s" is
--                    formatted with them in turn, rotating (instead of a unique string)
--   BENCH_BODY_SIZE  bytes of request body; 0 = no body      (default 0)
--   BENCH_BODY_FILE  send this file's bytes as the body of EVERY request (the
--                    same content each time: dedup hits on a content-addressed
--                    server); overrides BENCH_BODY_SIZE
--   BENCH_BODY_LIST  a file naming one body file per line: the bodies rotate over
--                    them (threads start at different places); overrides both
--   BENCH_HEADERS    extra headers, "Name: value|Name: value"
--   BENCH_NONCE      string that makes bodies unique across runs
--   BENCH_EXACT      1 = one connection per thread: time every request (see below)
--
-- Latency: wrk's own percentiles are "corrected" for coordinated omission (it adds synthetic
-- samples for every response slower than the mean interval), which on a small shared machine
-- turns a few scheduler stalls into a large p99. With BENCH_EXACT=1 and one connection per wrk
-- thread (-t N -c N) this script also times every request itself: on such a thread request() is
-- called again as soon as the previous response is complete, so the time between two request()
-- calls (monotonic clock) is one request's latency plus a few microseconds of wrk. (A response()
-- callback would be more direct, but it makes wrk copy every response into Lua.) done() prints
--   BENCH_LATENCY [n=... mean_us=... p50_us=... p99_us=... max_us=...] wrk_p50_us=... wrk_p99_us=...
-- which bench/run.sh reads.
--
-- Without BENCH_BODY_FILE every body is distinct (a "<nonce>-<thread>-<counter>:"
-- prefix over random filler) so that a content-addressed server cannot deduplicate
-- them: each request is a new blob, as with real distinct uploads.

local method = os.getenv("BENCH_METHOD") or "GET"
local path_fmt = os.getenv("BENCH_PATH") or "/"
local n = tonumber(os.getenv("BENCH_N") or "1000")
local body_size = tonumber(os.getenv("BENCH_BODY_SIZE") or "0")
local nonce = os.getenv("BENCH_NONCE") or tostring(os.time())
local exact = tonumber(os.getenv("BENCH_EXACT") or "0") == 1

local function read_file(name)
  local f = assert(io.open(name, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

-- BENCH_LIST_FILE: rotate over its non-empty lines
local list = nil
local list_file = os.getenv("BENCH_LIST_FILE") or ""
if list_file ~= "" then
  list = {}
  for line in string.gmatch(read_file(list_file), "[^\r\n]+") do list[#list + 1] = line end
  assert(#list > 0, "BENCH_LIST_FILE " .. list_file .. " has no lines")
  n = #list
end
local unique = list == nil and string.find(path_fmt, "%s", 1, true) ~= nil
local rotate = not unique and string.find(path_fmt, "%", 1, true) ~= nil

-- BENCH_BODY_FILE: one fixed body for every request
local fixed_body = nil
local body_file = os.getenv("BENCH_BODY_FILE") or ""
if body_file ~= "" then fixed_body = read_file(body_file) end

-- BENCH_BODY_LIST: rotate over the contents of the files it names
local bodies = nil
local body_index = 0
local body_list = os.getenv("BENCH_BODY_LIST") or ""
if body_list ~= "" then
  bodies = {}
  for name in string.gmatch(read_file(body_list), "[^\r\n]+") do bodies[#bodies + 1] = read_file(name) end
  assert(#bodies > 0, "BENCH_BODY_LIST " .. body_list .. " names no file")
end

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local CLOCK_MONOTONIC = 1
local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local headers = {}
for h in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do
  local name, value = string.match(h, "^%s*([^:]+):%s*(.-)%s*$")
  if name then headers[name] = value end
end

-- setup() runs in the main Lua state once per thread; it hands each thread its
-- own number (a global in that thread's state, read by init()).
local thread_count = 0
local threads = {}
function setup(thread)
  thread_count = thread_count + 1
  threads[thread_count] = thread
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
  if bodies then body_index = math.floor((tn - 1) * #bodies / 2) % #bodies end
end

function request()
  counter = counter + 1
  local tag = string.format("%s-%d-%d", nonce, thread_no or 1, counter)
  local path = path_fmt
  if unique then
    path = string.format(path_fmt, tag)
  elseif rotate then
    path = string.format(path_fmt, list and list[index + 1] or index)
    index = (index + 1) % n
  end
  local body = fixed_body
  if bodies then
    body = bodies[body_index + 1]
    body_index = (body_index + 1) % #bodies
  end
  if body == nil and body_size > 0 then
    local prefix = tag .. ":"
    body = prefix .. string.sub(filler, #prefix + 1)
  end
  if exact then
    local t = now_us()
    if last_request then
      nsamples = nsamples + 1
      samples[nsamples] = t - last_request
    end
    last_request = t
  end
  return wrk.format(method, path, headers, body)
end

-- per-thread latency samples (microseconds), read by done() through thread:get
samples = {}
nsamples = 0
last_request = nil

function done(summary, latency, requests)
  local line = string.format("wrk_p50_us=%d wrk_p99_us=%d", latency:percentile(50), latency:percentile(99))
  local all = {}
  for _, t in ipairs(threads) do
    local s = t:get("samples")
    for i = 1, #s do all[#all + 1] = s[i] end
  end
  if #all > 0 and exact then
    table.sort(all)
    local function pct(p) return all[math.max(1, math.ceil(#all * p / 100))] end
    local sum = 0
    for i = 1, #all do sum = sum + all[i] end
    line = string.format("n=%d mean_us=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f ", #all, sum / #all,
                         pct(50), pct(99), all[#all]) .. line
  end
  io.write("BENCH_LATENCY " .. line .. "\n")
end
