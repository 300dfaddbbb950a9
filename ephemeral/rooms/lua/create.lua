-- ARGV: id, name, password hash, participant id, participant JSON, alias keys (JSON list), token hash, ttl ms,
-- max rooms, then for a server-blind room its kdf (JSON) and name_ct: its name is '' and not kept.
if at_capacity(ARGV[9]) then return {'capacity'} end
local room, members, aliases, _, _, ids = room_keys(ARGV[1])
if redis.call('EXISTS', room) == 1 then return {'collision'} end
local exp = now_ms() + tonumber(ARGV[8])
if ARGV[10] then
  redis.call('HSET', room, 'mode', 'e2e', 'kdf', ARGV[10], 'name_ct', ARGV[11], 'hash', ARGV[3], 'exp', exp)
else
  redis.call('HSET', room, 'name', ARGV[2], 'hash', ARGV[3], 'exp', exp)
end
seat(members, aliases, ids, ARGV[7], ARGV[6], ARGV[4], ARGV[5])
redis.call('ZADD', EXPIRIES, exp, ARGV[1])
expire_at(exp, room, members, aliases, ids)
return {'ok', exp}
