-- wrk script: every request uses a device token picked at random from $TOKENS_FILE; with $ETAG set, it sends
-- If-None-Match: $ETAG (the service answers 304). With $DELAY_MS set, each connection waits that long between its
-- requests (a paced load: connections x 1000 / DELAY_MS requests per second at most). With $SEQUENTIAL set to the
-- number of wrk threads, the threads walk the tokens in file order, each its share, and start over at the end: a
-- warm-up of at least as many requests as tokens shows every token to the service (wrk cannot stop on a count).
local tokens = {}
local sequential = tonumber(os.getenv("SEQUENTIAL") or "")
local next_index
local etag = os.getenv("ETAG")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "")
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  for line in io.lines(os.getenv("TOKENS_FILE")) do
    tokens[#tokens + 1] = line
  end
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
  next_index = tid or 1
end

local function pick()
  if sequential then
    local token = tokens[(next_index - 1) % #tokens + 1]
    next_index = next_index + sequential
    return token
  end
  return tokens[math.random(#tokens)]
end

function request()
  local headers = { ["Authorization"] = "Bearer " .. pick() }
  if etag then
    headers["If-None-Match"] = etag
  end
  return wrk.format("GET", nil, headers)
end

if delay_ms then
  function delay()
    return delay_ms
  end
end
