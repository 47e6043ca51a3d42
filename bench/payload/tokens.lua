-- wrk script: every request uses a device token picked at random from $TOKENS_FILE; with $ETAG set, it sends
-- If-None-Match: $ETAG (the service answers 304). With $DELAY_MS set, each connection waits that long between its
-- requests (a paced load: connections x 1000 / DELAY_MS requests per second at most). With $SEQUENTIAL set to the
-- number of wrk threads, the threads walk the tokens in file order, each its share, and start over at the end: a
-- warm-up of at least as many requests as tokens shows every token to the service (wrk cannot stop on a count).
-- A line of $TOKENS_FILE may name, after the token and a space, the ETag its device holds (quoted, as served): the
-- request then sends it as If-None-Match (a device that fetched its group's payload before). With $STATUSES set, the
-- number of 200 and 304 answers is printed at the end.
local tokens = {}
local tags = {}
local sequential = tonumber(os.getenv("SEQUENTIAL") or "")
local next_index
local etag = os.getenv("ETAG")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "")
local counter = 0

local threads = {}
answered = { [200] = 0, [304] = 0 } -- global: done() reads each thread's

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  threads[#threads + 1] = thread
end

function init(args)
  local shared = {} -- one string per distinct ETag, however many devices hold it
  for line in io.lines(os.getenv("TOKENS_FILE")) do
    local token, tag = line:match("^(%S+) (%S+)$")
    if token then
      shared[tag] = shared[tag] or tag
      tokens[#tokens + 1] = token
      tags[#tokens] = shared[tag]
    else
      tokens[#tokens + 1] = line
    end
  end
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
  next_index = tid or 1
end

local function pick()
  if sequential then
    local i = (next_index - 1) % #tokens + 1
    next_index = next_index + sequential
    return i
  end
  return math.random(#tokens)
end

function request()
  local i = pick()
  local headers = { ["Authorization"] = "Bearer " .. tokens[i] }
  local held = etag or tags[i]
  if held then
    headers["If-None-Match"] = held
  end
  return wrk.format("GET", nil, headers)
end

if os.getenv("STATUSES") then
  function response(status, headers, body)
    if answered[status] then
      answered[status] = answered[status] + 1
    end
  end

  function done(summary, latency, requests)
    local ok, unchanged = 0, 0
    for _, thread in ipairs(threads) do
      local a = thread:get("answered")
      ok, unchanged = ok + a[200], unchanged + a[304]
    end
    io.write(string.format("Answered 200: %d, 304: %d\n", ok, unchanged))
  end
end

if delay_ms then
  function delay()
    return delay_ms
  end
end
