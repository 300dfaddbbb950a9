-- ARGV: id, name, password hash, participant id, participant JSON, alias keys (JSON list), token hash,
-- ttl ms (the room's whole life, already capped), max rooms, kind, purge policy, seats (capped), seconds
-- until a message disappears, vanish on leave and history from peers ('1' or '0'), then for a server-blind
-- room its kdf (JSON) and name_ct: its name is '' and not kept.
if at_capacity(ARGV[9]) then return {'capacity'} end
local room, members, aliases, _, _, ids = room_keys(ARGV[1])
if redis.call('EXISTS', room) == 1 then return {'collision'} end
local exp = now_ms() + tonumber(ARGV[8])
if ARGV[16] then
  redis.call('HSET', room, 'mode', 'e2e', 'kdf', ARGV[16], 'name_ct', ARGV[17], 'hash', ARGV[3], 'exp', exp)
else
  redis.call('HSET', room, 'name', ARGV[2], 'hash', ARGV[3], 'exp', exp)
end
redis.call('HSET', room, 'kind', ARGV[10], 'purge', ARGV[11], 'ttl', ARGV[8], 'seats', ARGV[12], 'locked', '0',
  'disappear', ARGV[13], 'vanish', ARGV[14], 'history', ARGV[15])
seat(room, members, aliases, ids, ARGV[7], ARGV[6], ARGV[4], ARGV[5])
redis.call('ZADD', EXPIRIES, exp, ARGV[1])
expire_at(exp, room, members, aliases, ids)
return {'ok', exp, state(room)}
