-- wrk script used by bench/s3.sh: requests over a list of pre-made paths (presigned S3 URLs, or
-- native paths), for the S3-vs-native small-object figures.
--
-- Configured through environment variables (wrk's LuaJIT has os.getenv):
--   BENCH_METHOD      GET | PUT | POST                           (default GET)
--   BENCH_PATHS_FILE  file of request paths with their query, one a line (e.g. the output of
--                     bench/s3_presign.py); thread i of BENCH_THREADS uses lines i, i+T, i+2T, ...
--                     and wraps around when it reaches the end (a PUT then overwrites); with
--                     fewer lines than threads, every thread uses every line
--   BENCH_THREADS     wrk's -t, so that threads split the list   (default 1)
--   BENCH_BODY_SIZE   bytes of request body; 0 = no body          (default 0)
--   BENCH_HEADERS     extra headers, "Name: value|Name: value"
--   BENCH_KEY_HEADER  if set (e.g. "X-Key"), every request carries this header with a value
--                     unique to the request ("<nonce>-<thread>-<counter>"): native keyed uploads
--   BENCH_NONCE       string that makes bodies and keys unique across runs
--
-- Every body is distinct (a "<nonce>-<thread>-<counter>:" prefix over random filler), as in
-- bench/wrk/objects.lua, so a content-addressed server cannot deduplicate them.

local method = os.getenv("BENCH_METHOD") or "GET"
local paths_file = os.getenv("BENCH_PATHS_FILE")
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
local body_size = tonumber(os.getenv("BENCH_BODY_SIZE") or "0")
local key_header = os.getenv("BENCH_KEY_HEADER") or ""
local nonce = os.getenv("BENCH_NONCE") or tostring(os.time())

local headers = {}
for h in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do
  local name, value = string.match(h, "^%s*([^:]+):%s*(.-)%s*$")
  if name then headers[name] = value end
end

local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_no", thread_count)
end

local paths = {}
local counter = 0
local index = 1
local filler = ""

function init(args)
  local tn = thread_no or 1
  math.randomseed(os.time() + tn * 7919)
  if body_size > 0 then
    local t = {}
    for i = 1, body_size do t[i] = string.char(math.random(0, 255)) end
    filler = table.concat(t)
  end
  if paths_file then
    local f = assert(io.open(paths_file, "r"), "cannot open BENCH_PATHS_FILE " .. paths_file)
    local all = {}
    for line in f:lines() do all[#all + 1] = line end
    f:close()
    assert(#all > 0, "no paths in " .. paths_file)
    for i = 1, #all do
      -- fewer lines than threads (one native upload path): every thread uses them all
      if #all < nthreads or ((i - 1) % nthreads) == (tn - 1) then paths[#paths + 1] = all[i] end
    end
  else
    paths[1] = "/"
  end
end

function request()
  counter = counter + 1
  local tag = string.format("%s-%d-%d", nonce, thread_no or 1, counter)
  local path = paths[index]
  index = index % #paths + 1
  if key_header ~= "" then headers[key_header] = "k-" .. tag end
  local body = nil
  if body_size > 0 then
    local prefix = tag .. ":"
    body = prefix .. string.sub(filler, #prefix + 1)
  end
  return wrk.format(method, path, headers, body)
end
