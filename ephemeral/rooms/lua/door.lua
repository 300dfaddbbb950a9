-- ARGV: id. A live room's key parameters (JSON; false in a standard room): anyone with its id may learn them.
local room = room_keys(ARGV[1])
if not live_exp(room, now_ms()) then return {'not_found'} end
return {'ok', redis.call('HGET', room, 'kdf')}
