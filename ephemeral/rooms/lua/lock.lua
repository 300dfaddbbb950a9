-- ARGV: id, the host's token hash, '1' to lock or '0' to unlock (anything else: 'invalid').
local room, members = room_keys(ARGV[1])
local status = host_call(room, members, ARGV[2], now_ms())
if status ~= 'ok' then return {status} end
if ARGV[3] ~= '1' and ARGV[3] ~= '0' then return {'invalid'} end
redis.call('HSET', room, 'locked', ARGV[3])
return {'ok', state(room)}
