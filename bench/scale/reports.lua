-- wrk script: POST /api/v1/device/reports, each request as a device token picked at random from $TOKENS_FILE,
-- reporting payload version $VERSION (default 1) with nothing installed.
local tokens = {}
local counter = 0
local body = '{"payloadVersion":' .. (os.getenv("VERSION") or "1") .. ',"installed":[],"apiLevel":33}'

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
  return wrk.format("POST", nil, {
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
    ["Content-Type"] = "application/json"
  }, body)
end
