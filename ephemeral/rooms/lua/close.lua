-- ARGV: id. The operator ends a live room as a purge does: 1, or 0 when it is already gone.
local room = room_keys(ARGV[1])
if not live_exp(room, now_ms()) then return 0 end
delete_room(ARGV[1])
return 1
