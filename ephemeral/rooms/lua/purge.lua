-- ARGV: id, token hash. Destroys the room if this binding belongs to it; returns the purger (JSON).
local room, members = room_keys(ARGV[1])
local participant = live_exp(room, now_ms()) and redis.call('HGET', members, ARGV[2])
if not participant then return {'none'} end
delete_room(ARGV[1])
return {'ok', participant}
