-- ARGV: id, participant id, participant JSON, alias keys (JSON list), token hash, max participants
local room, members, aliases, _, _, ids = room_keys(ARGV[1])
local exp = live_exp(room, now_ms())
if not exp then return {'not_found'} end
if redis.call('HLEN', members) >= tonumber(ARGV[6]) then return {'room_full'} end
if alias_taken(aliases, ARGV[4]) then return {'alias_taken'} end
if not seat(members, aliases, ids, ARGV[5], ARGV[4], ARGV[2], ARGV[3]) then return {'collision'} end
expire_at(exp, members, aliases, ids)
return {'ok', exp, title(room)}
