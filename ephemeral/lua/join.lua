-- ARGV: id, alias, alias key, token hash, max participants
local room, members, aliases = room_keys(ARGV[1])
local exp = live_exp(room, now_ms())
if not exp then return {'not_found'} end
if redis.call('HLEN', members) >= tonumber(ARGV[5]) then return {'room_full'} end
if redis.call('HEXISTS', aliases, ARGV[3]) == 1 then return {'alias_taken'} end
redis.call('HSET', members, ARGV[4], ARGV[2])
redis.call('HSET', aliases, ARGV[3], ARGV[4])
expire_at(exp, members, aliases)
return {'ok', exp, redis.call('HGET', room, 'name')}
