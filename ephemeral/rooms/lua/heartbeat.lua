-- ARGV: process id, silence (ms) after which a process counts as dead.
-- Returns {1 if this process was still registered, changes from dead processes}.
local now = now_ms()
local known = redis.call('ZSCORE', PROCS, ARGV[1])
redis.call('ZADD', PROCS, now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', proc_rooms(ARGV[1]), '-inf', now)
local changes = {}
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', PROCS, '-inf', now - tonumber(ARGV[2]))) do
  for _, change in ipairs(forget_process(dead)) do changes[#changes + 1] = change end
end
return {known and 1 or 0, changes}
