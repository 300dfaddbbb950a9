-- ARGV: id, name, password hash, alias, alias key, token hash, ttl ms, max rooms
local now = now_ms()
if redis.call('ZCOUNT', EXPIRIES, '(' .. now, '+inf') >= tonumber(ARGV[8]) then return {'capacity'} end
local room, members, aliases = room_keys(ARGV[1])
if redis.call('EXISTS', room) == 1 then return {'collision'} end
local exp = now + tonumber(ARGV[7])
redis.call('HSET', room, 'name', ARGV[2], 'hash', ARGV[3], 'exp', exp)
redis.call('HSET', members, ARGV[6], ARGV[4])
redis.call('HSET', aliases, ARGV[5], ARGV[6])
redis.call('ZADD', EXPIRIES, exp, ARGV[1])
expire_at(exp, room, members, aliases)
return {'ok', exp}
