-- ARGV: id. 1 while the room lives; reads no secret.
local room = room_keys(ARGV[1])
return live_exp(room, now_ms()) and 1 or 0
