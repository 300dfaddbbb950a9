-- ARGV: id. The stored password hash of a live room, for join only.
local room = room_keys(ARGV[1])
if not live_exp(room, now_ms()) then return {'not_found'} end
return {'ok', redis.call('HGET', room, 'hash')}
