-- wrk script: request PREFIX .. each line of the file PATHS in turn (one list per thread).
-- PATHS=ids.txt PREFIX=/api/v1/awards/ wrk -t2 -c32 -d10s --latency -s benches/wrk-paths.lua http://127.0.0.1:18080
local paths = {}
local prefix = os.getenv("PREFIX") or "/"
for line in io.lines(os.getenv("PATHS")) do
  paths[#paths + 1] = line
end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", prefix .. paths[i])
end
