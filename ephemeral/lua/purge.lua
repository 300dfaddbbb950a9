-- ARGV: id, token hash. Destroys the room if this binding belongs to it; returns the purger's alias.
local room, members = room_keys(ARGV[1])
local alias = live_exp(room, now_ms()) and redis.call('HGET', members, ARGV[2])
if not alias then return {'none'} end
delete_room(ARGV[1])
return {'ok', alias}
