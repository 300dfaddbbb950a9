-- Every live reported room as {id, {reason, count, ...}, age ms, bindings}; forgets gone ones.
-- Never a name, an alias or a message.
local now = now_ms()
local found = {}
for _, id in ipairs(redis.call('ZRANGE', REPORTED, 0, -1)) do
  local room, members, _, _, _, _, _, reports = room_keys(id)
  local exp = live_exp(room, now)
  if exp then
    local made = exp - (tonumber(redis.call('HGET', room, 'ttl')) or 0)
    -- A room made before rooms kept their lifetime has no `ttl`: its age reads as unknown, 0.
    local age = made < exp and now - made or 0
    found[#found + 1] = {id, redis.call('HGETALL', reports), age, redis.call('HLEN', members)}
  else
    redis.call('ZREM', REPORTED, id)
    redis.call('DEL', reports)
  end
end
return found
