-- ARGV: id, token hash, sid, process id, most sockets per binding (0: no cap and no connect
-- charged, for sockets put back), then the binding's connect bucket: burst, tokens per ms.
-- A process that is not registered (not beaten yet, or declared dead) must
-- register first, or its sockets would never be dropped when it dies.
if not redis.call('ZSCORE', PROCS, ARGV[4]) then return {'rejoin'} end
local now = now_ms()
local room, members, _, online, sockets, _, connects = room_keys(ARGV[1])
local exp = live_exp(room, now)
local participant = exp and redis.call('HGET', members, ARGV[2])
if not participant then return {'unauthorized'} end
-- Every process's sockets of this binding count: :online holds them all.
local cap = tonumber(ARGV[5])
if cap > 0 and redis.call('HEXISTS', sockets, ARGV[3]) == 0 then
  local wait = take_connect(connects, ARGV[2], tonumber(ARGV[6]), tonumber(ARGV[7]), now, exp)
  if wait > 0 then return {'too_many_connects', wait} end
  if tonumber(redis.call('HGET', online, ARGV[2]) or '0') >= cap then return {'too_many_sockets'} end
end
local first = false
if redis.call('HSET', sockets, ARGV[3], ARGV[2] .. ' ' .. ARGV[4]) == 1 then  -- a socket counts once
  first = redis.call('HINCRBY', online, ARGV[2], 1) == 1
end
expire_at(exp, online, sockets)
if first then note_hosting(ARGV[1], members, online, now) end
local list = proc_rooms(ARGV[4])
redis.call('ZADD', list, exp, ARGV[1])
expire_at_least(list, exp, now)
return {'ok', exp, title(room), participant, first and 1 or 0, presence(members, online), state(room)}
