-- ARGV: id, sid. Returns the new presence when the visible set changed, and who left (JSON).
local room, members, _, online, sockets = room_keys(ARGV[1])
local value = redis.call('HGET', sockets, ARGV[2])
if not value then return {'none'} end
local token = split(value)
local now = now_ms()
if drop_socket(online, sockets, ARGV[2], token) and live_exp(room, now) then
  note_hosting(ARGV[1], members, online, now)
  return {'changed', presence(members, online), redis.call('HGET', members, token)}
end
return {'none'}
