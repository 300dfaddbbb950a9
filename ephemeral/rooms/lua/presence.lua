-- ARGV: id
local room, members, _, online = room_keys(ARGV[1])
if not live_exp(room, now_ms()) then return {} end
return presence(members, online)
