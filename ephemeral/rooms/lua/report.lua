-- ARGV: id, reason. Counts a report with the room (its keys die with it); nothing for a gone room.
local room, _, _, _, _, _, _, reports = room_keys(ARGV[1])
local exp = live_exp(room, now_ms())
if not exp then return 0 end
redis.call('HINCRBY', reports, ARGV[2], 1)
redis.call('PEXPIREAT', reports, exp)
redis.call('ZINCRBY', REPORTED, 1, ARGV[1])
return 1
