-- wrk script: every request uses a device token picked at random from $TOKENS_FILE; with $ETAG set, it sends
-- If-None-Match: $ETAG (the service answers 304).
local tokens = {}
local etag = os.getenv("ETAG")
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
end

function request()
  local headers = { ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)] }
  if etag then
    headers["If-None-Match"] = etag
  end
  return wrk.format("GET", nil, headers)
end
