-- ARGV: id, token hash. Who this binding is, if the room and the binding live.
local room, members = room_keys(ARGV[1])
local exp = live_exp(room, now_ms())
if not exp then return {'not_found'} end
local participant = redis.call('HGET', members, ARGV[2])
if not participant then return {'unauthorized'} end
return {'ok', exp, title(room), participant, state(room)}
