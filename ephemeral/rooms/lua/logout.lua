-- ARGV: id, token hash. Destroys the binding; returns its sockets on every process, whether presence
-- changed (it was present, or the host role passed on: it held the last one), and the presence.
local room, members, _, online = room_keys(ARGV[1])
local now = now_ms()
if not live_exp(room, now) then return {'none'} end
local sids, was_present = unbind(ARGV[1], ARGV[2])
if not sids then return {'none'} end
local handed = hand_over(members, online)
note_hosting(ARGV[1], members, online, now)
return {'ok', sids, (was_present or handed) and 1 or 0, presence(members, online)}
