-- ARGV: id, token hash. Destroys the binding; returns its sockets on every process.
local room, members, aliases, online, sockets, _, connects = room_keys(ARGV[1])
if not live_exp(room, now_ms()) or redis.call('HDEL', members, ARGV[2]) == 0 then return {'none'} end
redis.call('HDEL', connects, ARGV[2])
local names = redis.call('HGETALL', aliases)
for i = 1, #names, 2 do
  if names[i + 1] == ARGV[2] then redis.call('HDEL', aliases, names[i]) end
end
local sids = {}
local entries = redis.call('HGETALL', sockets)
for i = 1, #entries, 2 do
  if split(entries[i + 1]) == ARGV[2] then
    sids[#sids + 1] = entries[i]
    redis.call('HDEL', sockets, entries[i])
  end
end
local was_online = redis.call('HDEL', online, ARGV[2]) == 1
return {'ok', sids, was_online and 1 or 0, presence(members, online)}
