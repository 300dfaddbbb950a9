-- ARGV: id, participant id, participant JSON, alias keys (JSON list), token hash, max participants (the
-- seats of a room made before rooms had rules). The password was checked: locked, room_full, alias_taken.
local room, members, aliases, _, _, ids = room_keys(ARGV[1])
local exp = live_exp(room, now_ms())
if not exp then return {'not_found'} end
local rules = redis.call('HMGET', room, 'locked', 'seats', 'kind')
if rules[1] == '1' then return {'locked'} end
local seats = tonumber(rules[2]) or tonumber(ARGV[6])
local seated = redis.call('HLEN', members)
if seated >= seats then return {'room_full'} end
if alias_taken(aliases, ARGV[4]) then return {'alias_taken'} end
if not seat(room, members, aliases, ids, ARGV[5], ARGV[4], ARGV[2], ARGV[3]) then return {'collision'} end
-- A pair locks itself as its second seat is taken: nobody can slip in between.
if rules[3] == 'pair' and seated + 1 >= seats then redis.call('HSET', room, 'locked', '1') end
expire_at(exp, members, aliases, ids)
return {'ok', exp, title(room), state(room)}
